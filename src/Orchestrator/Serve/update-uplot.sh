#!/usr/bin/env bash
# Vendors uPlot from the npm registry into wwwroot/vendor/uplot/ (pinned; its LICENSE kept):
#   src/Orchestrator/Serve/update-uplot.sh 1.6.32
# Then rebuild; the files are embedded in the orchestrator and served from /static/vendor/uplot/.
set -euo pipefail
version=${1:?give the uPlot version, e.g. 1.6.32 (npm view uplot version)}
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack "uplot@$version" >/dev/null && tar xzf "uplot-$version.tgz")
dest="$here/wwwroot/vendor/uplot"
cp "$work/package/dist/uPlot.iife.min.js" "$work/package/dist/uPlot.min.css" "$work/package/LICENSE" "$dest/"
echo "uplot $version (npm: uplot@$version; files dist/uPlot.iife.min.js, dist/uPlot.min.css, LICENSE)" > "$dest/VERSION"
echo "uPlot $version vendored into $dest"
