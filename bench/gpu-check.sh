#!/usr/bin/env bash
# The GPU check (issue 7 §8): on a machine with an NVIDIA GPU and PyTorch, prints
#   1. orchestrator doctor;
#   2. the Runner's training loop against a bare TorchSharp loop and against PyTorch's plain loop
#      (GRU-1024, batch 64, seq 100: chars/s and their ratios);
#   3. experiments/hw3.yaml at --parallel 1 and 4 (wall time), and at 4 with NVIDIA MPS where there is one;
#   4. kill -9 of a sweep's process group mid-run on CUDA, then the same command again: every trial
#      completed, no metric recorded twice;
#   5. the report of the hw3 run.
#
# Where it runs:
#   - a checkout with the .NET SDK:      bench/gpu-check.sh
#   - a GPU machine with PyTorch but no .NET (see ../shared/gpu/README.md): first, where .NET is,
#       ../shared/gpu/bundle.sh && bench/gpu-check.sh --pack      # .gpu/bundle.tar.xz and .gpu/runnerbench.tar.xz
#     then copy the checkout with .gpu/ to the GPU machine and there, from the checkout's root:
#       bash .gpu/run.sh "bash $PWD/bench/gpu-check.sh"
#   - no GPU: bench/gpu-check.sh --cpu-smoke runs every step on the CPU with experiments/quick.yaml-sized
#     work, to show the script itself works (no PyTorch needed; its loop is skipped when there is none).
#
# Options: --pack (see above), --cpu-smoke, --keep (keep the work folder), --work DIR (use DIR for results).
set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
mode=gpu keep=0 work=""
while [ $# -gt 0 ]; do
  case "$1" in
    --cpu-smoke) mode=cpu ;;
    --pack) mode=pack ;;
    --keep) keep=1 ;;
    --work) work=$2; shift ;;
    -h|--help) sed -n '2,22p' "$0"; exit 0 ;;
    *) echo "gpu-check: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

say() { printf '\n== %s\n' "$*"; }
fail() { echo "gpu-check: $*" >&2; exit 1; }
has_sdk() { command -v dotnet >/dev/null && [ -n "$(dotnet --list-sdks 2>/dev/null)" ]; }

# RunnerBench without the libtorch natives it was built with, so that TorchSharp loads the machine's
# (PyTorch's, through LD_LIBRARY_PATH) and never a second libtorch beside it.
strip_libtorch() { find "$1" -path '*/runtimes/*' -name '*.so*' ! -name libLibTorchSharp.so ! -name libe_sqlite3.so -delete; find "$1" -name '*.pdb' -delete; }

if [ "$mode" = pack ]; then
  has_sdk || fail "--pack needs the .NET SDK"
  cd "$root" && dotnet build bench/RunnerBench -c Release -nologo -v quiet >/dev/null || fail "building bench/RunnerBench failed"
  stage=$(mktemp -d); trap 'rm -rf "$stage"' EXIT
  cp -a bench/RunnerBench/bin/Release/net10.0/. "$stage/"
  strip_libtorch "$stage"
  exclude=$(git rev-parse --git-path info/exclude 2>/dev/null) && { grep -qx '/.gpu/' "$exclude" 2>/dev/null || echo '/.gpu/' >> "$exclude"; }
  mkdir -p .gpu && tar -cf - -C "$stage" . | xz -T0 -3 > .gpu/runnerbench.tar.xz
  [ -f .gpu/bundle.tar.xz ] || echo "note: .gpu/bundle.tar.xz is missing; make it with ../shared/gpu/bundle.sh" >&2
  echo "wrote .gpu/runnerbench.tar.xz ($(du -h .gpu/runnerbench.tar.xz | cut -f1)); on the GPU machine: bash .gpu/run.sh \"bash \$PWD/bench/gpu-check.sh\""
  exit 0
fi

# The orchestrator: the checkout's launcher where .NET's SDK is, else the bundle's (run.sh puts it on the PATH).
if [ -x "$root/orchestrator" ] && has_sdk; then orch="$root/orchestrator"
elif command -v orchestrator >/dev/null; then orch=orchestrator
else fail "no orchestrator: run from a checkout with the .NET SDK, or through .gpu/run.sh (see --help)"; fi

# Specs and the corpus are read relative to the folder the commands run in: one holding data/ and experiments/.
for d in "$PWD" "$root"; do [ -f "$d/data/tinyshakespeare.txt" ] && [ -d "$d/experiments" ] && { cd "$d"; break; }; done
[ -f data/tinyshakespeare.txt ] || fail "no data/tinyshakespeare.txt here or in $root (the GPU machine has no network: bring the corpus)"
[ -n "$work" ] || work=$(mktemp -d "${TMPDIR:-/tmp}/gpu-check.XXXXXX")
mkdir -p "$work"
[ "$keep" = 1 ] || [ -n "${GPU_CHECK_KEEP:-}" ] || trap 'rm -rf "$work"' EXIT

torch_lib=$(python3 -c 'import torch, os; print(os.path.join(os.path.dirname(torch.__file__), "lib"))' 2>/dev/null || true)
if [ "$mode" = gpu ]; then
  device=cuda spec=experiments/hw3.yaml sweep=hw3 low=1 high=4
  bench_args=(--device cuda --hidden 1024 --cells gru --batch-size 64 --seq-len 100 --embedding 256 --warmup 10 --steps 50 --rounds 3 --memory-steps 0)
  plain_args=(--device cuda --cell gru --hidden 1024 --batch-size 64 --seq-len 100 --warmup 10 --steps 50 --log-every 10)
  crash_model="embedding: 256" crash_train="batch_size: 64, epochs: 5, lr: 0.002, log_every: 10" crash_grid='model.hidden: [512, 1024]' crash_seq='data.seq_len: [50, 150]'
  crash_parallel=4 crash_wait_checkpoints=4
else
  device=cpu spec=experiments/quick.yaml sweep=quick low=1 high=2
  bench_args=(--hidden 64 --cells gru --batch-size 16 --seq-len 32 --embedding 32 --warmup 5 --steps 10 --rounds 1 --memory-steps 0 --matmul-size 256 --threads 1)
  plain_args=(--device cpu --cell gru --hidden 64 --batch-size 16 --seq-len 32 --embedding 32 --warmup 5 --steps 10 --log-every 10 --threads 1)
  crash_model="embedding: 32" crash_train="batch_size: 32, epochs: 3, max_steps: 40, lr: 0.005, log_every: 5, checkpoint_every: 10, val_batches: 4" crash_grid='model.hidden: [32, 64]' crash_seq='data.seq_len: [25, 50]'
  crash_parallel=2 crash_wait_checkpoints=2
fi
declare -A figure=()
q() { "$orch" query "$1" --db "$2" --format csv 2>/dev/null | tail -n 1; }
seconds_since() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }

# 1. doctor
say "1. orchestrator doctor $spec"
"$orch" doctor "$spec" --results "$work/doctor"
figure[doctor]="exit $?"

# 2. the Runner's loop against a bare TorchSharp loop and PyTorch's plain loop
say "2. Runner vs bare TorchSharp loop vs PyTorch's plain loop ($device)"
rb=""
if [ -f "$root/.gpu/runnerbench.tar.xz" ] && ! has_sdk; then
  rb="$work/runnerbench"; mkdir -p "$rb" && tar -xJf "$root/.gpu/runnerbench.tar.xz" -C "$rb"
elif has_sdk && (cd "$root" && dotnet build bench/RunnerBench -c Release -nologo -v quiet >/dev/null); then
  rb="$work/runnerbench"; cp -al "$root/bench/RunnerBench/bin/Release/net10.0" "$rb" 2>/dev/null || cp -a "$root/bench/RunnerBench/bin/Release/net10.0" "$rb"
  # On the CPU the bench keeps its bundled libtorch; on a GPU it takes PyTorch's.
  [ "$mode" = gpu ] && strip_libtorch "$rb"
fi
if [ -z "$rb" ]; then
  echo "RunnerBench is not available: build it (.NET SDK) or pack it (--pack)"; figure[runner_bare]="not measured"
else
  # RunnerBench learned --device and to skip its memory run (--memory-steps 0) with the Runner's GPU
  # work; an older one measures the CPU only, and its memory run too.
  rb_help=$(dotnet "$rb/RunnerBench.dll" --help 2>&1)
  if [ "$mode" = gpu ] && ! grep -q -- '--device' <<< "$rb_help"; then
    fail "this RunnerBench has no --device option, so it cannot measure CUDA: build it from a checkout that has it"
  fi
  if ! grep -q 'memory-steps 0 skips' <<< "$rb_help"; then
    for i in "${!bench_args[@]}"; do [ "${bench_args[$i]}" = --memory-steps ] && bench_args[i + 1]=2000; done
  fi
  bench_args+=(--corpus "$PWD/data/tinyshakespeare.txt")
  lib_path=${LD_LIBRARY_PATH:-}
  [ "$mode" = gpu ] && [ -n "$torch_lib" ] && lib_path="$torch_lib${lib_path:+:$lib_path}"
  out=$(LD_LIBRARY_PATH="$lib_path" dotnet "$rb/RunnerBench.dll" "${bench_args[@]}" 2>&1); echo "$out"
  line=$(echo "$out" | awk '$1 == "gru" && $2 ~ /^[0-9]+$/ { print; exit }')
  runner_cps=$(echo "$line" | awk '{ gsub(",", "", $4); print $4 }')
  figure[runner_bare]=$(echo "$line" | awk '{ print $6 }')
  figure[runner_cps]=$runner_cps
fi
if [ -z "$torch_lib" ]; then
  echo "PyTorch is not installed here: its plain loop is skipped"; figure[runner_pytorch]="not measured (no PyTorch)"
elif [ ! -f "$root/bench/RunnerBench/plain_loop.py" ]; then
  echo "bench/RunnerBench/plain_loop.py is missing"; figure[runner_pytorch]="not measured"
else
  out=$(python3 "$root/bench/RunnerBench/plain_loop.py" "${plain_args[@]}" 2>&1); echo "$out"
  pytorch_cps=$(echo "$out" | sed -n 's/.*: \([0-9,]*\) chars\/s.*/\1/p' | tr -d , | tail -n1)
  figure[pytorch_cps]=$pytorch_cps
  if [ -n "${runner_cps:-}" ] && [ -n "$pytorch_cps" ]; then
    figure[runner_pytorch]=$(awk -v r="$runner_cps" -v p="$pytorch_cps" 'BEGIN { printf "%.3f", r / p }')
  fi
fi

# 3. the study at two parallel settings, and with MPS where there is one
run_timed() { # name spec parallel
  local t0; t0=$(date +%s.%N)
  "$orch" run "$2" --parallel "$3" --db "$work/$1.db" --plain > "$work/$1.log" 2>&1
  local rc=$?
  figure[$1]="$(seconds_since "$t0") s (exit $rc, $(q "SELECT COUNT(*) FROM trials WHERE state = 'completed'" "$work/$1.db") completed)"
  tail -n 3 "$work/$1.log"
}
say "3. $spec at --parallel $low and $high (wall time)"
run_timed "parallel$low" "$spec" "$low"
run_timed "parallel$high" "$spec" "$high"
if command -v nvidia-cuda-mps-control >/dev/null; then
  cp "$spec" "$work/mps.yaml" && printf '  mps: true\n' >> "$work/mps.yaml" # execution is the spec's last section
  sed -i "s#^\(  path: \)data/#\1$PWD/data/#" "$work/mps.yaml"
  run_timed "parallel${high}_mps" "$work/mps.yaml" "$high"
else
  echo "no nvidia-cuda-mps-control: the MPS run is skipped"; figure["parallel${high}_mps"]="not measured (no MPS)"
fi

# 4. kill -9 of the whole process group mid-sweep, then the same command again
say "4. kill -9 + rerun on $device"
cat > "$work/crash.yaml" <<EOF
name: gpu-crash
data: { path: $PWD/data/tinyshakespeare.txt, sha256: 86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed, val_fraction: 0.1 }
model: { $crash_model }
train: { $crash_train }
probe: { text: peo }
sample: { prime: JULIET, length: 200 }
grid:
  model.cell: [gru]
  $crash_grid
  $crash_seq
execution: { device: $device, parallel: $crash_parallel, lease_seconds: 60 }
EOF
setsid "$orch" run "$work/crash.yaml" --db "$work/crash.db" --plain > "$work/crash-1.log" 2>&1 &
pid=$!
for _ in $(seq 1 600); do
  sleep 0.5
  kill -0 "$pid" 2>/dev/null || break
  n=$(q "SELECT COUNT(*) FROM checkpoints" "$work/crash.db"); [ "${n:-0}" -ge "$crash_wait_checkpoints" ] 2>/dev/null && break
done
if kill -0 "$pid" 2>/dev/null; then
  kill -9 -- "-$pid"; wait "$pid" 2>/dev/null
  echo "killed the run's process group after $(q "SELECT COUNT(*) FROM checkpoints" "$work/crash.db") checkpoint(s)"
  t0=$(date +%s.%N)
  "$orch" run "$work/crash.yaml" --db "$work/crash.db" --plain > "$work/crash-2.log" 2>&1; rc=$?
  tail -n 2 "$work/crash-2.log"
  total=$(q "SELECT COUNT(*) FROM trials" "$work/crash.db")
  done_=$(q "SELECT COUNT(*) FROM trials WHERE state = 'completed'" "$work/crash.db")
  dups=$(q "SELECT COUNT(*) FROM (SELECT trial_id, name, step FROM metrics GROUP BY 1, 2, 3 HAVING COUNT(*) > 1)" "$work/crash.db")
  resumed=$(q "SELECT COUNT(DISTINCT trial_id) FROM attempts WHERE outcome = 'abandoned'" "$work/crash.db")
  failed=$(q "SELECT COUNT(*) FROM trials WHERE state = 'failed'" "$work/crash.db")
  figure[crash]="$done_/$total completed, $failed failed, $dups duplicate metric keys, $resumed trial(s) reclaimed after the kill; rerun $(seconds_since "$t0") s (exit $rc)"
else
  figure[crash]="not measured: the run ended before it could be killed (see $work/crash-1.log)"
fi

# 5. the report of the study's run
say "5. the report of $sweep"
"$orch" report "$sweep" --db "$work/parallel$high.db" --out "$work/report" > "$work/report.log" 2>&1; rc=$?
tail -n 2 "$work/report.log"
if [ -f "$work/report/report.md" ]; then
  figure[report]="$work/report/report.md, $(ls "$work/report/figures" | wc -l) figures (exit $rc); $(grep -m1 '^Ran on:' "$work/report/report.md")"
else
  figure[report]="no report (exit $rc; see $work/report.log)"
fi

gpu=$(nvidia-smi -L 2>/dev/null | head -n 1)
say "GPU check: the figures ($mode mode; ${gpu:-no GPU}; $(uname -n), $(date -u +%Y-%m-%dT%H:%MZ))"
echo "doctor:                                   ${figure[doctor]}"
echo "runner / bare TorchSharp loop:            ${figure[runner_bare]:-not measured}${figure[runner_cps]:+ (runner ${figure[runner_cps]} chars/s)}"
echo "runner / PyTorch's plain loop:            ${figure[runner_pytorch]:-not measured}${figure[pytorch_cps]:+ (PyTorch ${figure[pytorch_cps]} chars/s)}"
echo "$sweep --parallel $low:                      ${figure[parallel$low]}"
echo "$sweep --parallel $high:                      ${figure[parallel$high]}"
echo "$sweep --parallel $high with MPS:             ${figure[parallel${high}_mps]}"
echo "kill -9 + rerun:                          ${figure[crash]}"
echo "report:                                   ${figure[report]}"
[ "$keep" = 1 ] && echo "work folder: $work"
exit 0
