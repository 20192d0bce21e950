#!/usr/bin/env bash
# Seed corpora for the fuzz targets from the repository's fixtures.
set -euo pipefail
cd "$(dirname "$0")"
mkdir -p corpus/plan_reader corpus/state_reader corpus/hcl_patcher corpus/slo_reader corpus/oplog_reader
find ../fixtures -name '*.json' -size -1000k -exec cp {} corpus/plan_reader/ \; 2>/dev/null || true
# States: raw terraform.tfstate files and `terraform show -json` states (and plans, for prior_state).
i=0
while IFS= read -r f; do
  i=$((i + 1))
  cp "$f" "corpus/state_reader/$i"
done < <(find ../fixtures \( -name '*.tfstate' -o -name '*state*.json' -o -name 'plan.json' \) -size -1000k)
i=0
while IFS= read -r f; do
  i=$((i + 1))
  { printf '\000\000'; cat "$f"; } > "corpus/hcl_patcher/$i"
done < <(find ../fixtures -name '*.tf' -size -64k)
cp ../slo/*.hcl corpus/slo_reader/
find ../fixtures -name '*.hcl' -size -64k -exec cp {} corpus/slo_reader/ \; 2>/dev/null || true
# A real log: apply the CF003 operations of the shapes tree once.
tmp=$(mktemp -d)
cp -r ../fixtures/fix/shapes "$tmp/t" && chmod -R u+w "$tmp/t"
bin=../target/release/costfix
[ -x "$bin" ] || (cd .. && cargo build --release -q -p costfix)
(cd "$tmp/t" && SOURCE_DATE_EPOCH=1763866800 "$OLDPWD/$bin" --no-config fix --plan plan.json --rule CF003 --out ops.json >/dev/null 2>&1 || true
 SOURCE_DATE_EPOCH=1763866800 "$OLDPWD/$bin" --no-config apply ops.json >/dev/null 2>&1 || true)
cp "$tmp/t/.costfix/oplog.jsonl" corpus/oplog_reader/applied.jsonl
rm -rf "$tmp"
echo "seeded: $(ls corpus/plan_reader | wc -l) plans, $(ls corpus/state_reader | wc -l) states, $(ls corpus/hcl_patcher | wc -l) .tf, $(ls corpus/slo_reader | wc -l) hcl, 1 log"
