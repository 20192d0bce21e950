#!/usr/bin/env bash
# Coverage of the cost registry on real inputs: how many resources of every Terraform plan and
# state under a folder (default ../shared/corpus) costfix prices, knows to be free, or has no cost
# model for, and the types without one. Files that are not plans or states are counted as skipped.
# Usage: scripts/coverage.sh [DIR] [COSTFIX]
set -euo pipefail
dir=${1:-../shared/corpus}
bin=${2:-target/debug/costfix}
files=0 skipped=0
: > /tmp/costfix-coverage.$$
while IFS= read -r -d '' f; do
  if out=$("$bin" --no-config estimate "$f" --format json 2>/dev/null); then
    files=$((files + 1))
    jq -r '"counts \(.counts.resources) \(.counts.priced) \(.counts.free) \(.counts.unsupported) \(.counts.with_unpriced_items) \(.counts.unpriced // 0)", (.unsupported[] | "type \(.type) \(.count)")' <<<"$out" >> /tmp/costfix-coverage.$$
  else
    skipped=$((skipped + 1))
  fi
done < <(find "$dir" \( -name '*.json' -o -name '*.tfstate' \) -not -path '*/node_modules/*' -not -name '*.golden' -print0 | sort -z)
awk -v files="$files" -v skipped="$skipped" '
  $1 == "counts" { r += $2; p += $3; f += $4; u += $5; w += $6; n += $7 }
  $1 == "type" { t[$2] += $3 }
  END {
    printf "%d plans and states (%d other files skipped): %d resources, %d priced, %d free, %d with a cost model but no price (region, engine, ...), %d without a cost model; %d with unpriced items\n", files, skipped, r, p, f, n, u, w
    if (r > 0) printf "priced or free: %.1f%%\n", 100 * (p + f) / r
    for (k in t) printf "  %5d  %s\n", t[k], k | "sort -rn"
  }' /tmp/costfix-coverage.$$
rm -f /tmp/costfix-coverage.$$
