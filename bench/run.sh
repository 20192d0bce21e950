#!/usr/bin/env bash
# Benchmark costfix on generated plans of 1k, 10k and 50k resource changes, and `costfix fix` on a
# generated tree of 2,000 .tf files with 40k resources (about 21 MB).
#
#   bench/run.sh [RUNS]        (default 5 runs per size)
#
# Builds release binaries, generates the plans with `cargo run -p xtask -- gen-plan` into
# target/bench/, then runs `costfix estimate --format json` and `costfix check --slo slo/
# --format json` (the shipped policies and example budgets) RUNS times per plan and prints the
# median wall time, median CPU time (user + system), median peak memory (max RSS, from GNU time)
# and the phase timings of the last run (COSTFIX_TIMINGS). Not part of CI's pass/fail: targets are checked by reading the table.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
out=target/bench
mkdir -p "$out"
cargo build --release -q -p costfix -p xtask
bin=target/release/costfix
if [ ! -x /usr/bin/time ]; then
  echo "GNU time (/usr/bin/time) is needed: apt-get install time" >&2
  exit 2
fi
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
bench() { # LABEL ARGS...: median wall, CPU and RSS of `costfix ARGS`, phases of the last run
  local label=$1; shift
  walls=(); rss=(); cpus=()
  for _ in $(seq "$runs"); do
    /usr/bin/time -f '%e %M %U %S' -o "$out/time.txt" env COSTFIX_TIMINGS=1 "$bin" "$@" \
      > "$out/out.txt" 2> "$out/timings.txt" || true
    read -r wall kb user sys < <(tail -n 1 "$out/time.txt")
    walls+=("$wall"); rss+=("$((kb / 1024))"); cpus+=("$(awk -v u="$user" -v s="$sys" 'BEGIN {print u + s}')")
  done
  phases=$(grep '^timing:' "$out/timings.txt" | sed 's/^timing: //' | tr '\n' ',' | sed 's/,$//; s/,/, /g')
  printf '%-22s %8s %10s %10s %12s  %s\n' "$label" "$mb" "$(printf '%s\n' "${walls[@]}" | median)" \
    "$(printf '%s\n' "${cpus[@]}" | median)" "$(printf '%s\n' "${rss[@]}" | median)" "$phases"
}
printf '%-22s %8s %10s %10s %12s  %s\n' "command (resources)" "plan MB" "wall s" "CPU s" "peak RSS MB" "phases of the last run"
for n in 1000 10000 50000; do
  plan="$out/plan-$n.json"
  [ -f "$plan" ] || target/release/xtask gen-plan --resources "$n" --out "$plan"
  mb=$(awk -v b="$(stat -c %s "$plan")" 'BEGIN {printf "%.1f", b / 1048576}')
  bench "estimate ($n)" estimate "$plan" --format json
  bench "check ($n)" check "$plan" --slo slo/ --format json
done
tree="$out/tree"
[ -f "$tree/plan.json" ] || target/release/xtask gen-tree --files 2000 --resources 40000 --out "$tree"
mb=$(find "$tree" -name '*.tf' -print0 | xargs -0 cat | wc -c | awk '{printf "%.1f", $1 / 1048576}')
(cd "$tree" && bin=../../release/costfix out=.. bench "fix dry run (40000)" --no-config fix --plan plan.json)
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo), $(uname -sr)"
