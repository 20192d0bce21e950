#!/usr/bin/env bash
# costfix beside the peers that install here, on the same inputs, in one run (by hand; not CI).
#
#   bench/peers.sh [RUNS]      (default 3; medians)
#
# Needs: GNU time, and a Python venv with checkov and python-hcl2:
#   python3 -m venv target/peers && target/peers/bin/pip install checkov python-hcl2
# (PEERS=/path/to/venv to use another one). OPA is not run: no PyPI package runs it on this
# machine's Python (see docs/performance.md).
#
# Inputs (generated, deterministic): plans of 1,000 and 10,000 resource changes
# (`xtask gen-plan`) and a .tf tree of 200 files with 4,000 resources (`xtask gen-tree`).
# checkov scans the plans (--framework terraform_plan) and the tree (--framework terraform);
# python-hcl2 parses every .tf file of the tree; costfix runs estimate, check (shipped policies +
# slo/) and fix (dry run).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
peers=${PEERS:-target/peers}
out=target/bench
mkdir -p "$out"
cargo build --release -q -p costfix -p xtask
bin=$PWD/target/release/costfix
for n in 1000 10000; do
  [ -f "$out/plan-$n.json" ] || target/release/xtask gen-plan --resources "$n" --out "$out/plan-$n.json"
done
tree="$out/peer-tree"
[ -f "$tree/plan.json" ] || target/release/xtask gen-tree --files 200 --resources 4000 --out "$tree"

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
declare -A WALL
run() { # LABEL CMD...: median wall and peak RSS
  local label=$1; shift
  local walls=() rss=()
  for _ in $(seq "$runs"); do
    /usr/bin/time -f '%e %M' -o "$out/peer-time.txt" "$@" > /dev/null 2>&1 || true
    read -r w kb < <(tail -n 1 "$out/peer-time.txt")
    walls+=("$w"); rss+=("$((kb / 1024))")
  done
  local w; w=$(printf '%s\n' "${walls[@]}" | median)
  WALL[$label]=$w
  printf '%-44s %9s s %9s MB\n' "$label" "$w" "$(printf '%s\n' "${rss[@]}" | median)"
}
ratio() { awk -v a="${WALL[$1]}" -v b="${WALL[$2]}" 'BEGIN { if (b > 0) printf "%.0fx", a / b; else print "n/a" }'; }

printf '%-44s %11s %12s\n' "command" "wall" "peak RSS"
for n in 1000 10000; do
  plan="$out/plan-$n.json"
  run "costfix estimate ($n)" "$bin" --no-config estimate "$plan" --format json
  run "costfix check ($n)" "$bin" --no-config check "$plan" --slo slo/ --format json
  run "checkov terraform_plan ($n)" "$peers/bin/checkov" -f "$plan" --framework terraform_plan --skip-download --quiet --compact -o json
  echo "  checkov / costfix check ($n): $(ratio "checkov terraform_plan ($n)" "costfix check ($n)")"
done
run "costfix fix dry run (tree, 4000)" bash -c "cd '$tree' && '$bin' --no-config fix --plan plan.json"
run "checkov terraform (tree, 4000)" "$peers/bin/checkov" -d "$tree" --framework terraform --skip-download --quiet --compact -o json
run "python-hcl2 parse (tree, 4000)" "$peers/bin/python" -c "import glob, hcl2; [hcl2.load(open(f)) for f in glob.glob('$tree/**/*.tf', recursive=True)]"
echo "  checkov / costfix fix (tree): $(ratio "checkov terraform (tree, 4000)" "costfix fix dry run (tree, 4000)")"
echo "  python-hcl2 parse / costfix fix (tree): $(ratio "python-hcl2 parse (tree, 4000)" "costfix fix dry run (tree, 4000)")"
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo), $(uname -sr); checkov $("$peers/bin/checkov" --version 2>/dev/null | tail -1)"
