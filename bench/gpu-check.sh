#!/usr/bin/env bash
# The GPU check (issue 7 §8), cut into parts that fit a short GPU slot and that record each figure the
# moment it is measured (issue 18). `bench/gpu-check.sh --help` says what each part measures, how long it
# takes, and how two commands cover the check on a GPU machine; docs/runner.md ("The GPU check") too.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)

usage() {
  cat <<'EOF'
bench/gpu-check.sh: the GPU check. On a machine with an NVIDIA GPU and PyTorch, measures that the
Runner and the orchestrator work on CUDA, and how fast.

usage: bench/gpu-check.sh [--steps LIST] [--out DIR] [--cpu-smoke] [--keep]
                          [--orchestrator PATH] [--runnerbench DIR]
       bench/gpu-check.sh --pack

Parts (id, name, what; expected time on one H100-class GPU; * = in the default set):
  1  * doctor      orchestrator doctor experiments/hw3.yaml                     ~15 s
  2  * loops       the Runner's training loop against a bare TorchSharp loop
                   and PyTorch's plain loop (GRU-1024, batch 64, seq 100):
                   chars/s, ratios                                              ~30 s
  3a * baseline    the sequential baseline on a subset of hw3: model.hidden
                   [256, 1024] x data.seq_len [100], both cells (4 of its 18
                   trials) at --parallel 1 (~1.5 min), then the same 4 at
                   --parallel 4 (~0.5 min); speedup = wall at 1 / wall at 4     ~2 min
  3b * parallel    hw3 (18 trials) at --parallel 4: wall time                   ~1.5 min
  3c * mps         hw3 at --parallel 4 with NVIDIA MPS (where
                   nvidia-cuda-mps-control is): wall time; 3b's wall / this     ~0.75 min
  3d   sequential  hw3 at --parallel 1, all 18 trials (opt-in): wall time;
                   this one / 3b's wall                                         ~6 min
  4  * crash       kill -9 of a sweep's process group mid-run on CUDA, then
                   the same command again: every trial completed, no metric
                   recorded twice                                               ~2 min
  5  * report      the report of hw3's run (3b's, else 3c's, else 3d's)         ~15 s
  3c, 3d and 5 use 3b's figure or run from figures.txt and runs/ of the same --out.
  The default set (1,2,3a,3b,3c,4,5) takes about 7 minutes; all (every part) about 13.
  (From H100 figures: hw3 trains for 296 s in all at --parallel 1, plus ~3 s of CUDA start-up
  per trial; 92 s at --parallel 4, 44 s with MPS.)

Options:
  --steps LIST         the parts to run, by id or name, comma-separated (e.g. 1,2,3b,3c,5 or
                       doctor,crash), or all; they run in the order above whatever LIST's order
  --out DIR            where everything goes; it survives the check, also one cut short:
                         DIR/figures.txt   one line per figure, appended the moment it is measured:
                                           part, figure, value, unit, basis (tab-separated; value n/a:
                                           not measured, the basis says why); # lines say when each
                                           part started and ended
                         DIR/logs/ID.log   each part's output: every run's log, in order
                         DIR/runs/RUN/     each run's database (its checkpoints beside it)
                         DIR/specs/        the specs the check derived (subset, MPS, crash test)
                       Several commands can share DIR: figures.txt and the logs are appended to, and
                       an earlier run's folder is moved aside (RUN.1, RUN.2, ...), never reused.
                       Without --out: a temporary folder, removed at the end unless --keep.
  --cpu-smoke          every part on the CPU at a tiny size, to show the script works: the study is
                       quick.yaml cut to 4 trials of 2 short epochs (2 of them for 3a), --parallel 2,
                       the crash test 2 trials; about 2 minutes on 2 busy cores. No PyTorch needed
                       (its loop is n/a where there is none); 3c is n/a (MPS needs a GPU)
  --orchestrator PATH  the orchestrator to run: a program, or an orchestrator.dll (run with dotnet);
                       default: the checkout's ./orchestrator where the .NET SDK is, else
                       `orchestrator` on the PATH (the bundle's, through .gpu/run.sh)
  --runnerbench DIR    a built RunnerBench (DIR/RunnerBench.dll) for part 2; default: build it
                       where the .NET SDK is, else unpack .gpu/runnerbench.tar.xz
  --keep               keep the temporary folder (without --out)
  --pack               where .NET is: build RunnerBench into .gpu/runnerbench.tar.xz for a GPU
                       machine without .NET (with ../shared/gpu/bundle.sh's .gpu/bundle.tar.xz)

On a GPU machine with PyTorch but no .NET: where .NET is, `../shared/gpu/bundle.sh &&
bench/gpu-check.sh --pack`, copy the checkout with .gpu/ there and, from its root, run two commands
(each well inside a 10-minute limit), --out pointing at a folder that survives the slot ($OUT here):
  bash .gpu/run.sh "bash $PWD/bench/gpu-check.sh --steps 1,2,3b,3c,5 --out $OUT/gpu"   # ~3.25 min
  bash .gpu/run.sh "bash $PWD/bench/gpu-check.sh --steps 3a,4 --out $OUT/gpu"          # ~3.5 min
(3c's ratio and 5's report need 3b's run in the same DIR, so they go together. With a longer slot,
`--steps 3b,3d` (~7.5 min) adds the whole sequential baseline.) .gpu/run.sh runs its command in
another folder, so give the script and DIR as absolute paths.

Exit status: 0 every part chosen ran and passed; 1 a part failed (named at the end, and in
figures.txt); 2 bad usage.
EOF
}

# --- options ---------------------------------------------------------------------------------------

bad_usage() { echo "gpu-check: $*" >&2; exit 2; }
fail() { echo "gpu-check: $*" >&2; exit 1; }
has_sdk() { command -v dotnet >/dev/null && [ -n "$(dotnet --list-sdks 2>/dev/null)" ]; }

mode=gpu keep=0 out="" steps_arg="" orch_arg="" rb_arg=""
while [ $# -gt 0 ]; do
  case "$1" in
    --cpu-smoke) mode=cpu ;;
    --pack) mode=pack ;;
    --keep) keep=1 ;;
    --steps|--out|--orchestrator|--runnerbench)
      [ $# -ge 2 ] && [ -n "$2" ] || bad_usage "$1 needs a value (see --help)"
      case "$1" in --steps) steps_arg=$2 ;; --out) out=$2 ;; --orchestrator) orch_arg=$2 ;; --runnerbench) rb_arg=$2 ;; esac
      shift ;;
    -h|--help) usage; exit 0 ;;
    *) bad_usage "unknown option '$1' (see --help)" ;;
  esac
  shift
done

# The parts, in the order they run. Their ids are stable: figures.txt, the logs and the runs are named by them.
all_parts=(1 2 3a 3b 3c 3d 4 5)
default_parts=(1 2 3a 3b 3c 4 5)
declare -A part_name=([1]=doctor [2]=loops [3a]=baseline [3b]=parallel [3c]=mps [3d]=sequential [4]=crash [5]=report)
declare -A part_by_name=(); for id in "${!part_name[@]}"; do part_by_name[${part_name[$id]}]=$id; done
declare -A part_fn=([1]=part_doctor [2]=part_loops [3a]=part_baseline [3b]=part_parallel [3c]=part_mps
  [3d]=part_sequential [4]=part_crash [5]=part_report)
declare -A part_expected=([1]="~15 s" [2]="~30 s" [3a]="~2 min" [3b]="~1.5 min" [3c]="~0.75 min" [3d]="~6 min"
  [4]="~2 min" [5]="~15 s")

# --steps LIST → the chosen parts, in the order of all_parts.
choose_parts() {
  local -A wanted=()
  local id
  IFS=',' read -r -a ids <<< "$1"
  [ ${#ids[@]} -gt 0 ] || bad_usage "--steps needs at least one part: $(IFS=,; echo "${all_parts[*]}"), or all"
  for id in "${ids[@]}"; do
    id=${id// /}
    if [ -z "$id" ]; then bad_usage "--steps: '$1' has an empty part between its commas"
    elif [ "$id" = all ]; then for p in "${all_parts[@]}"; do wanted[$p]=1; done
    elif [ -n "${part_fn[$id]:-}" ]; then wanted[$id]=1
    elif [ -n "${part_by_name[$id]:-}" ]; then wanted[${part_by_name[$id]}]=1
    else bad_usage "--steps: there is no part '$id'; the parts are $(for p in "${all_parts[@]}"; do printf '%s (%s), ' "$p" "${part_name[$p]}"; done)or all (see --help)"; fi
  done
  for id in "${all_parts[@]}"; do [ -z "${wanted[$id]:-}" ] || echo "$id"; done
}
if [ -n "$steps_arg" ]; then mapfile -t parts < <(choose_parts "$steps_arg"); [ ${#parts[@]} -gt 0 ] || exit 2
else parts=("${default_parts[@]}"); fi

# Part 5 reports on a run of the study: one of 3b, 3c, 3d now, or from an earlier command with the same --out.
has_part() { [[ " ${parts[*]} " == *" $1 "* ]]; }
if has_part 5 && ! has_part 3b && ! has_part 3c && ! has_part 3d &&
   ! { [ -n "$out" ] && ls "$out"/runs/3[bcd]/orchestrator.db >/dev/null 2>&1; }; then
  bad_usage "--steps: part 5 reports on the run of 3b (or 3c, 3d), and ${out:-this check} has none: add 3b to --steps, or give the --out of a check that ran it"
fi

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
  echo "wrote .gpu/runnerbench.tar.xz ($(du -h .gpu/runnerbench.tar.xz | cut -f1)); on the GPU machine, from the checkout's root:"
  echo "  bash .gpu/run.sh \"bash \$PWD/bench/gpu-check.sh --steps 1,2,3b,3c,5 --out \$OUT/gpu\"   (see --help)"
  exit 0
fi

# --- where things are ------------------------------------------------------------------------------

# The orchestrator: --orchestrator, else the checkout's launcher where .NET's SDK is, else the bundle's.
if [ -n "$orch_arg" ]; then
  if [[ $orch_arg == *.dll ]]; then
    [ -f "$orch_arg" ] || bad_usage "--orchestrator: $orch_arg does not exist (give a built orchestrator.dll, or a program)"
    orch=(dotnet "$(cd "$(dirname "$orch_arg")" && pwd)/$(basename "$orch_arg")")
  else
    command -v "$orch_arg" >/dev/null || bad_usage "--orchestrator: $orch_arg is not a program that can run here"
    orch=("$(command -v "$orch_arg")")
    [[ $orch_arg != */* ]] || orch=("$(cd "$(dirname "$orch_arg")" && pwd)/$(basename "$orch_arg")")
  fi
elif [ -x "$root/orchestrator" ] && has_sdk; then orch=("$root/orchestrator")
elif command -v orchestrator >/dev/null; then orch=(orchestrator)
else fail "no orchestrator: run from a checkout with the .NET SDK, or through .gpu/run.sh, or give --orchestrator (see --help)"; fi
if [ -n "$rb_arg" ]; then
  [ -f "$rb_arg/RunnerBench.dll" ] || bad_usage "--runnerbench: $rb_arg holds no RunnerBench.dll (give the folder a RunnerBench build wrote, e.g. bench/RunnerBench/bin/Release/net10.0)"
  rb_arg=$(cd "$rb_arg" && pwd)
fi

# DIR, made absolute before the check moves to the folder it runs in.
if [ -n "$out" ]; then
  mkdir -p "$out" 2>/dev/null && [ -w "$out" ] || bad_usage "--out: cannot create or write to the folder $out"
  out=$(cd "$out" && pwd)
else
  out=$(mktemp -d "${TMPDIR:-/tmp}/gpu-check.XXXXXX")
  [ "$keep" = 1 ] || [ -n "${GPU_CHECK_KEEP:-}" ] || temp_out=$out
fi
trap 'rm -rf ${temp_out:+"$temp_out"}' EXIT
figures=$out/figures.txt
mkdir -p "$out/logs" "$out/runs" "$out/specs"

# Specs and the corpus are read relative to the folder the commands run in: one holding data/ and experiments/.
for d in "$PWD" "$root"; do [ -f "$d/data/tinyshakespeare.txt" ] && [ -d "$d/experiments" ] && { cd "$d"; break; }; done
[ -f data/tinyshakespeare.txt ] || fail "no data/tinyshakespeare.txt here or in $root (the GPU machine has no network: bring the corpus)"

torch_lib=$(python3 -c 'import torch, os; print(os.path.join(os.path.dirname(torch.__file__), "lib"))' 2>/dev/null || true)

# --- figures.txt -----------------------------------------------------------------------------------

# One figure: a line appended to figures.txt at once (one write, no buffer held), and shown.
figure() { # part name value unit basis
  local line
  line=$(printf '%s\t%s\t%s\t%s\t%s' "$1" "$2" "$3" "$4" "$5" | tr '\n' ' ')
  printf '%s\n' "$line" >> "$figures"
  printf '   figure  %-4s %s: %s %s (%s)\n' "$1" "$2" "$3" "$4" "$5"
}
note() { printf '# %s %s\n' "$(date -u +%H:%M:%SZ)" "$*" >> "$figures"; }
# The newest value of a figure in figures.txt (this command's or an earlier one's with the same --out).
figure_value() { awk -F'\t' -v p="$1" -v n="$2" '$1 == p && $2 == n { v = $3 } END { print v }' "$figures"; }
is_number() { [[ $1 =~ ^[0-9]+([.][0-9]+)?$ ]]; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
now() { date +%s.%N; }
seconds_since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# The first row of a query on a run's database, as CSV (empty when there is none, or no database yet).
q() { { "${orch[@]}" query "$1" --db "$2" --format csv 2>/dev/null || true; } | sed -n 2p; }
# The trials of a run, in one query: sets total, completed, failed and ran_on (the device most ran on).
read_trials() { # db
  total="" completed="" failed="" ran_on=""
  IFS=, read -r total completed failed ran_on < <(q "SELECT COUNT(*) AS total, COALESCE(SUM(state = 'completed'), 0) AS completed,
    COALESCE(SUM(state = 'failed'), 0) AS failed, (SELECT device || COALESCE(' (' || gpu_name || ')', '') FROM trials
    WHERE device IS NOT NULL GROUP BY 1 ORDER BY COUNT(*) DESC LIMIT 1) AS ran_on FROM trials" "$1") || true
  ran_on=${ran_on//\"/}
}

# A fresh folder for one run: an earlier run's folder of that name is moved aside, never reused or lost.
fresh_run_dir() {
  local dir=$out/runs/$1 n=1
  if [ -e "$dir" ]; then while [ -e "$dir.$n" ]; do n=$((n + 1)); done; mv "$dir" "$dir.$n"; fi
  mkdir -p "$dir" && echo "$dir"
}
rel() { echo "${1#"$out"/}"; }

# --- specs -----------------------------------------------------------------------------------------

# SRC as DEST, named NAME, with the line of each KEY (indented by two spaces: a grid line like
# model.hidden, or a setting like epochs) set to VALUE. Fails naming a KEY it does not find exactly once,
# so that a change to the study cannot quietly change what the check measures.
derive_spec() { # src dest name [key value]...
  local src=$1 dest=$2 name=$3 key
  shift 3
  grep -q '^name: ' "$src" || { echo "gpu-check: $src has no top-level 'name:' line" >&2; return 1; }
  sed "s/^name: .*/name: $name/" "$src" > "$dest"
  while [ $# -gt 0 ]; do
    key=${1//./\\.}
    [ "$(grep -c "^  $key: " "$dest")" = 1 ] || { echo "gpu-check: $src has no single line '  $1: ...' to set to $2" >&2; return 1; }
    sed -i "s/^  $key: .*/  $1: $2/" "$dest"
    shift 2
  done
}
# Adds KEY: VALUE to the spec's execution section, which must be its last.
add_execution() { # spec key value
  [ "$(awk '/^[a-z_]+:/ { last = $1 } END { print last }' "$1")" = "execution:" ] ||
    { echo "gpu-check: $1 does not end with its execution section, where '$2: $3' would go" >&2; return 1; }
  [ -z "$(tail -c 1 "$1")" ] || echo >> "$1"
  printf '  %s: %s\n' "$2" "$3" >> "$1"
}

specs=$out/specs
if [ "$mode" = gpu ]; then
  device=cuda study_spec=experiments/hw3.yaml high=4
  subset_grid=(model.hidden '[256, 1024]' data.seq_len '[100]')
  bench_args=(--device cuda --hidden 1024 --cells gru --batch-size 64 --seq-len 100 --embedding 256 --warmup 10 --steps 50 --rounds 3 --memory-steps 0)
  bench_basis="gru hidden 1024, batch 64, seq 100, embedding 256 on cuda; best of 3 rounds of 50 steps"
  plain_args=(--device cuda --cell gru --hidden 1024 --batch-size 64 --seq-len 100 --embedding 256 --warmup 10 --steps 50 --log-every 10)
  plain_basis="bench/RunnerBench/plain_loop.py: gru hidden 1024, batch 64, seq 100, embedding 256 on cuda; 50 steps"
  crash_model="embedding: 256" crash_train="batch_size: 64, epochs: 5, lr: 0.002, log_every: 10" crash_grid='model.hidden: [512, 1024]' crash_seq='data.seq_len: [50, 150]'
  crash_parallel=4 crash_wait_checkpoints=4
else
  # The study in miniature: quick.yaml cut to 4 trials (gru, lstm x seq_len 25, 50 at hidden 32) of 2 short epochs.
  device=cpu study_spec=$specs/smoke.yaml high=2
  derive_spec experiments/quick.yaml "$study_spec" quick-smoke model.hidden '[32]' data.seq_len '[25, 50]' \
    epochs 2 max_steps 10 val_batches 2 length 50 || exit 1
  subset_grid=(data.seq_len '[50]')
  bench_args=(--hidden 64 --cells gru --batch-size 16 --seq-len 32 --embedding 32 --warmup 5 --steps 10 --rounds 1 --memory-steps 0 --matmul-size 256 --threads 1)
  bench_basis="gru hidden 64, batch 16, seq 32, embedding 32 on cpu (1 thread); 1 round of 10 steps"
  plain_args=(--device cpu --cell gru --hidden 64 --batch-size 16 --seq-len 32 --embedding 32 --warmup 5 --steps 10 --log-every 10 --threads 1)
  plain_basis="bench/RunnerBench/plain_loop.py: gru hidden 64, batch 16, seq 32, embedding 32 on cpu (1 thread); 10 steps"
  crash_model="embedding: 32" crash_train="batch_size: 32, epochs: 2, max_steps: 50, lr: 0.005, log_every: 5, checkpoint_every: 10, val_batches: 2" crash_grid='model.hidden: [32]' crash_seq='data.seq_len: [25, 50]'
  crash_parallel=2 crash_wait_checkpoints=2
fi
study=$(sed -n 's/^name: //p' "$study_spec")
subset_desc=$(printf '%s %s, ' "${subset_grid[@]}"); subset_desc=${subset_desc%, }

# --- the parts -------------------------------------------------------------------------------------
# Each runs in a subshell of its own with set -e: it writes its figures as it measures them, and
# returns non-zero when its check failed (or it broke); the parts after it run all the same.

# Runs SPEC at --parallel N into runs/RUN/, its output appended to the part's log. Sets wall, rc,
# total, completed, failed and ran_on (read_trials) for the caller's figures.
run_sweep() { # run spec parallel
  local db t0
  db=$(fresh_run_dir "$1")/orchestrator.db
  printf '\n== %s: orchestrator run %s --parallel %s --db %s --plain\n' "$(date -u +%H:%M:%SZ)" "$2" "$3" "$(rel "$db")" >> "$part_log"
  t0=$(now)
  rc=0; "${orch[@]}" run "$2" --parallel "$3" --db "$db" --plain >> "$part_log" 2>&1 || rc=$?
  wall=$(seconds_since "$t0")
  read_trials "$db"
  tail -n 2 "$part_log" | sed 's/^/   | /'
}
sweep_basis() { echo "$completed/$total completed on ${ran_on:-an unknown device}, exit $rc; log $(rel "$part_log")"; }
sweep_ok() { [ "$rc" = 0 ] && [[ $total =~ ^[1-9][0-9]*$ ]] && [ "$completed" = "$total" ]; }

part_doctor() {
  local rc=0 step
  "${orch[@]}" doctor "$study_spec" --results "$(fresh_run_dir 1)" >> "$part_log" 2>&1 || rc=$?
  sed 's/^/   | /' "$part_log" | tail -n 14
  figure 1 "doctor exit code" "$rc" "exit code" "orchestrator doctor $study_spec (0: a run would work); log $(rel "$part_log")"
  # e.g. "training step  ok      4,994 chars/s: 10 steps of GRU-256, batch 16, seq 50 on cpu (1.60 s)"
  step=$(awk '$1 == "training" && $2 == "step" && $5 ~ /^chars\/s/ { v = $4; gsub(",", "", v); $1 = $2 = $3 = $4 = $5 = ""; sub(/^ +/, ""); print v "\t" $0; exit }' "$part_log")
  [ -z "$step" ] || figure 1 "doctor training step" "${step%%$'\t'*}" chars/s "${step#*$'\t'}"
  [ "$rc" = 0 ]
}

part_loops() {
  local rb="" rb_help out line runner_cps bare pytorch_cps lib_path status=0
  # A copy of RunnerBench goes to a folder of its own, removed when this part's subshell ends.
  scratch=$(mktemp -d "${TMPDIR:-/tmp}/gpu-check-runnerbench.XXXXXX")
  trap 'rm -rf "$scratch"' EXIT
  if [ -n "$rb_arg" ] && [ "$mode" = cpu ]; then rb=$rb_arg
  elif [ -n "$rb_arg" ]; then rb=$scratch/runnerbench; cp -a "$rb_arg" "$rb"
  elif [ -f "$root/.gpu/runnerbench.tar.xz" ] && ! has_sdk; then
    rb=$scratch/runnerbench; mkdir -p "$rb" && tar -xJf "$root/.gpu/runnerbench.tar.xz" -C "$rb"
  elif has_sdk && (cd "$root" && dotnet build bench/RunnerBench -c Release -nologo -v quiet >> "$part_log" 2>&1); then
    rb=$scratch/runnerbench; cp -al "$root/bench/RunnerBench/bin/Release/net10.0" "$rb" 2>/dev/null || cp -a "$root/bench/RunnerBench/bin/Release/net10.0" "$rb"
  fi
  # On the CPU the bench keeps its bundled libtorch; on a GPU it takes PyTorch's.
  [ -z "$rb" ] || [ "$mode" = cpu ] || [ "$rb" = "$rb_arg" ] || strip_libtorch "$rb"
  if [ -z "$rb" ]; then
    figure 2 "runner chars/s" n/a chars/s "not measured: no RunnerBench (build it with the .NET SDK, pack it with --pack, or give --runnerbench)"
    status=1
  else
    # RunnerBench learned --device and to skip its memory run (--memory-steps 0) with the Runner's GPU
    # work; an older one measures the CPU only, and its memory run too.
    rb_help=$(dotnet "$rb/RunnerBench.dll" --help 2>&1 || true)
    if [ "$mode" = gpu ] && ! grep -q -- '--device' <<< "$rb_help"; then
      figure 2 "runner chars/s" n/a chars/s "not measured: this RunnerBench has no --device option, so it cannot measure CUDA; build it from a checkout that has it"
      return 1
    fi
    if ! grep -q 'memory-steps 0 skips' <<< "$rb_help"; then
      for i in "${!bench_args[@]}"; do if [ "${bench_args[$i]}" = --memory-steps ]; then bench_args[i + 1]=2000; fi; done
    fi
    lib_path=${LD_LIBRARY_PATH:-}
    [ "$mode" = cpu ] || [ -z "$torch_lib" ] || lib_path="$torch_lib${lib_path:+:$lib_path}"
    printf '\n== %s: RunnerBench %s\n' "$(date -u +%H:%M:%SZ)" "${bench_args[*]}" >> "$part_log"
    out=$(LD_LIBRARY_PATH="$lib_path" dotnet "$rb/RunnerBench.dll" "${bench_args[@]}" --corpus "$PWD/data/tinyshakespeare.txt" 2>&1 || true)
    printf '%s\n' "$out" >> "$part_log"; printf '%s\n' "$out" | sed 's/^/   | /'
    # e.g. "gru      1024  4,004,929  3,129  2,947  1.062  75.2  59.0 %  1.34"
    line=$(awk '$1 == "gru" && $2 ~ /^[0-9]+$/ { print; exit }' <<< "$out")
    runner_cps=$(awk '{ gsub(",", "", $4); print $4 }' <<< "$line")
    bare=$(awk '{ print $6 }' <<< "$line")
    if is_number "$runner_cps" && is_number "$bare"; then
      figure 2 "runner chars/s" "$runner_cps" chars/s "RunnerBench, the Runner's loop: $bench_basis"
      figure 2 "runner / bare TorchSharp loop" "$bare" x "RunnerBench: the Runner's chars/s over a bare TorchSharp loop's, same model and steps"
    else
      figure 2 "runner chars/s" n/a chars/s "not measured: RunnerBench printed no gru row; log $(rel "$part_log")"
      status=1
    fi
  fi
  if [ -z "$torch_lib" ]; then
    figure 2 "PyTorch plain loop chars/s" n/a chars/s "not measured: no PyTorch here (python3 -c 'import torch' fails)"
    [ "$mode" = cpu ] || status=1
  else
    printf '\n== %s: python3 bench/RunnerBench/plain_loop.py %s\n' "$(date -u +%H:%M:%SZ)" "${plain_args[*]}" >> "$part_log"
    out=$(python3 "$root/bench/RunnerBench/plain_loop.py" "${plain_args[@]}" 2>&1 || true)
    printf '%s\n' "$out" >> "$part_log"; printf '%s\n' "$out" | sed 's/^/   | /'
    pytorch_cps=$(sed -n 's/.*: \([0-9,]*\) chars\/s.*/\1/p' <<< "$out" | tr -d , | tail -n 1)
    if is_number "$pytorch_cps"; then
      figure 2 "PyTorch plain loop chars/s" "$pytorch_cps" chars/s "$plain_basis"
      if is_number "${runner_cps:-}"; then
        figure 2 "runner / PyTorch plain loop" "$(ratio "$runner_cps" "$pytorch_cps")" x "runner chars/s over PyTorch's plain loop's, same model (target: 1.0 or more on GRU-1024)"
      fi
    else
      figure 2 "PyTorch plain loop chars/s" n/a chars/s "not measured: plain_loop.py printed no chars/s; log $(rel "$part_log")"
      status=1
    fi
  fi
  return $status
}

part_baseline() {
  local w1 status=0
  derive_spec "$study_spec" "$specs/subset.yaml" "$study-subset" "${subset_grid[@]}"
  run_sweep 3a-parallel1 "$specs/subset.yaml" 1; w1=$wall
  figure 3a "$study subset --parallel 1: wall" "$w1" s "subset of $study_spec ($subset_desc; specs/subset.yaml): $(sweep_basis)"
  sweep_ok || status=1
  run_sweep "3a-parallel$high" "$specs/subset.yaml" "$high"
  figure 3a "$study subset --parallel $high: wall" "$wall" s "the same subset: $(sweep_basis)"
  sweep_ok || status=1
  figure 3a "speedup of --parallel $high over 1" "$(ratio "$w1" "$wall")" x "wall at --parallel 1 / wall at --parallel $high, the same $total trials of $study ($subset_desc)"
  return $status
}

part_parallel() {
  run_sweep 3b "$study_spec" "$high"
  figure 3b "$study --parallel $high: wall" "$wall" s "$study_spec: $(sweep_basis)"
  sweep_ok
}

# Ratio of WALL to 3b's wall (or 3b's to WALL) as a figure, n/a when 3b has no figure in figures.txt.
ratio_to_3b() { # part name wall "3b-over"|"over-3b"
  local b3; b3=$(figure_value 3b "$study --parallel $high: wall")
  if ! is_number "$b3"; then figure "$1" "$2" n/a x "not measured: no 3b wall time in figures.txt (run 3b with the same --out first)"
  elif [ "$4" = 3b-over ]; then figure "$1" "$2" "$(ratio "$b3" "$3")" x "3b's wall ($b3 s, figures.txt) / this run's, the same $study trials"
  else figure "$1" "$2" "$(ratio "$3" "$b3")" x "this run's wall / 3b's ($b3 s, figures.txt), the same $study trials"; fi
}

part_mps() {
  if [ "$mode" = cpu ]; then
    figure 3c "$study --parallel $high with MPS: wall" n/a s "not measured: MPS shares a GPU, and --cpu-smoke runs on the CPU"
    return 0
  elif ! command -v nvidia-cuda-mps-control >/dev/null; then
    figure 3c "$study --parallel $high with MPS: wall" n/a s "not measured: no nvidia-cuda-mps-control on the PATH"
    return 0
  fi
  cp "$study_spec" "$specs/mps.yaml" && add_execution "$specs/mps.yaml" mps true
  run_sweep 3c "$specs/mps.yaml" "$high"
  figure 3c "$study --parallel $high with MPS: wall" "$wall" s "$study_spec with execution.mps: true (specs/mps.yaml): $(sweep_basis)"
  sweep_ok || return 1
  ratio_to_3b 3c "MPS speedup over 3b" "$wall" 3b-over
}

part_sequential() {
  run_sweep 3d "$study_spec" 1
  figure 3d "$study --parallel 1: wall" "$wall" s "$study_spec, every trial one after another: $(sweep_basis)"
  sweep_ok || return 1
  ratio_to_3b 3d "speedup of 3b over --parallel 1" "$wall" over-3b
}

part_crash() {
  local dir pid n t0 rc total completed failed ran_on dups="" resumed="" status=0
  cat > "$specs/crash.yaml" <<EOF
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
  dir=$(fresh_run_dir 4)
  printf '\n== %s: setsid orchestrator run specs/crash.yaml --db %s --plain, killed with kill -9 of its group after %s checkpoints\n' \
    "$(date -u +%H:%M:%SZ)" "$(rel "$dir")/orchestrator.db" "$crash_wait_checkpoints" >> "$part_log"
  setsid "${orch[@]}" run "$specs/crash.yaml" --db "$dir/orchestrator.db" --plain >> "$part_log" 2>&1 &
  pid=$!
  for _ in $(seq 1 600); do
    sleep 0.5
    kill -0 "$pid" 2>/dev/null || break
    n=$(q "SELECT COUNT(*) FROM checkpoints" "$dir/orchestrator.db")
    [ "${n:-0}" -lt "$crash_wait_checkpoints" ] || break
  done
  if ! kill -0 "$pid" 2>/dev/null; then
    figure 4 "trials completed after kill -9 and rerun" n/a trials "not measured: the run ended before it could be killed; log $(rel "$part_log")"
    return 1
  fi
  kill -9 -- "-$pid"; wait "$pid" 2>/dev/null || true
  n=$(q "SELECT COUNT(*) FROM checkpoints" "$dir/orchestrator.db")
  printf '\n== %s: killed after %s checkpoint(s); the same command again\n' "$(date -u +%H:%M:%SZ)" "$n" >> "$part_log"
  figure 4 "checkpoints when killed" "$n" checkpoints "kill -9 of the run's process group (orchestrator and Runners) once $crash_wait_checkpoints were recorded; specs/crash.yaml on $device"
  t0=$(now)
  rc=0; "${orch[@]}" run "$specs/crash.yaml" --db "$dir/orchestrator.db" --plain >> "$part_log" 2>&1 || rc=$?
  local wall; wall=$(seconds_since "$t0")
  tail -n 2 "$part_log" | sed 's/^/   | /'
  read_trials "$dir/orchestrator.db"
  IFS=, read -r dups resumed < <(q "SELECT (SELECT COUNT(*) FROM (SELECT trial_id, name, step FROM metrics GROUP BY 1, 2, 3 HAVING COUNT(*) > 1)) AS dups,
    (SELECT COUNT(DISTINCT trial_id) FROM attempts WHERE outcome = 'abandoned') AS resumed" "$dir/orchestrator.db") || true
  figure 4 "trials completed after kill -9 and rerun" "$completed" trials "of $total; $failed failed; the rerun took $wall s, exit $rc; log $(rel "$part_log")"
  figure 4 "duplicate metric keys" "$dups" keys "(trial, name, step) recorded more than once after the rerun (must be 0)"
  figure 4 "trials reclaimed after the kill" "$resumed" trials "trials with an attempt abandoned by the kill, taken up again by the rerun"
  [ "$rc" = 0 ] && [ "$completed" = "$total" ] && [ "$dups" = 0 ] || status=1
  return $status
}

part_report() {
  local db="" run dir rc=0 ran
  for run in 3b 3c 3d; do [ -f "$out/runs/$run/orchestrator.db" ] && { db=$out/runs/$run/orchestrator.db; break; }; done
  [ -n "$db" ] || { figure 5 "report figures" n/a figures "not measured: no run of $study in $(rel "$out/runs") (3b, 3c or 3d)"; return 1; }
  dir=$(fresh_run_dir 5)
  "${orch[@]}" report "$study" --db "$db" --out "$dir/report" >> "$part_log" 2>&1 || rc=$?
  tail -n 2 "$part_log" | sed 's/^/   | /'
  if [ ! -f "$dir/report/report.md" ]; then
    figure 5 "report figures" n/a figures "no report (exit $rc); log $(rel "$part_log")"
    return 1
  fi
  ran=$(grep -m1 '^Ran on:' "$dir/report/report.md" || true)
  figure 5 "report figures" "$(find "$dir/report/figures" -type f 2>/dev/null | wc -l)" figures \
    "$(rel "$dir/report/report.md") of $(rel "$db"), exit $rc; ${ran:-no 'Ran on:' line}"
  [ "$rc" = 0 ]
}

# --- the check -------------------------------------------------------------------------------------

# Where the launcher builds the orchestrator, the build happens here, not inside a part's wall time.
"${orch[@]}" --help > /dev/null || fail "the orchestrator (${orch[*]}) does not run"

current_part=""
on_signal() { note "cut short by SIG$1${current_part:+ during part $current_part}"; exit "$2"; }
trap 'on_signal TERM 143' TERM
trap 'on_signal INT 130' INT

[ -s "$figures" ] || printf '# bench/gpu-check.sh figures: one line per figure, tab-separated: part, figure, value, unit, basis (n/a: not measured, the basis says why).\n# Lines starting with # say when each part started and ended; a part without an "ended" line was cut short.\n' > "$figures"
gpu=$(nvidia-smi -L 2>/dev/null | head -n 1 || true)
note "check started on $(uname -n): $mode mode, ${gpu:-no GPU}, parts $(IFS=,; echo "${parts[*]}"), orchestrator ${orch[*]}"
printf 'gpu-check: %s mode, %s; parts %s; figures in %s\n' "$mode" "${gpu:-no GPU}" "$(IFS=,; echo "${parts[*]}")" "$figures"
first_line=$(wc -l < "$figures")
failed=()
for id in "${parts[@]}"; do
  current_part=$id part_log=$out/logs/$id.log
  printf '\n== part %s, %s (expected %s on one GPU), log %s\n' "$id" "${part_name[$id]}" "${part_expected[$id]}" "$part_log"
  note "$id started: ${part_name[$id]} (expected ${part_expected[$id]} on one GPU)"
  printf '\n===== %s: part %s, %s, %s mode\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$id" "${part_name[$id]}" "$mode" >> "$part_log"
  t0=$(now)
  set +e; ( set -e; "${part_fn[$id]}" ); rc=$?; set -e
  if [ "$rc" = 0 ]; then note "$id ended after $(seconds_since "$t0") s: passed"
  else note "$id ended after $(seconds_since "$t0") s: FAILED (exit $rc; see logs/$id.log)"; failed+=("$id"); fi
done
current_part=""

printf '\n== the figures of this check (%s mode; %s; %s)\n' "$mode" "${gpu:-no GPU}" "$figures"
tail -n "+$((first_line + 1))" "$figures" | awk -F'\t' '!/^#/ { printf "%-4s %-44s %12s %-10s %s\n", $1, $2, $3, $4, $5 }'
if [ ${#failed[@]} -gt 0 ]; then
  note "check ended: part(s) $(IFS=,; echo "${failed[*]}") FAILED"
  echo "gpu-check: part(s) $(IFS=,; echo "${failed[*]}") failed (see $out/logs/)" >&2
  exit 1
fi
note "check ended: every part passed"
[ -z "${temp_out:-}" ] || [ "$keep" = 1 ] || echo "(the folder $out is removed now; give --out DIR or --keep to keep it)"
[ "$keep" = 0 ] || echo "everything is in $out"
