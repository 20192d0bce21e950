#!/usr/bin/env bash
# Refresh the embedded price catalog from a folder of price tables (for example shared/pricing).
#
#   scripts/update-prices.sh SOURCE_DIR
#
# The tables are embedded verbatim (engine/data/aws/*.csv, compiled in with include_str!), so
# regenerating the embedded form is copying them after checking that each file keeps the columns the
# loader reads (engine/src/pricing.rs). Then update the as-of dates in TABLE_DATES in
# engine/src/pricing.rs from SOURCE_DIR/README.md, copy that README to engine/data/aws/SOURCES.md,
# and run `cargo test --workspace` (the unit test `every_embedded_row_is_indexed` checks that every
# row becomes one price, a key given by two tables only with the same price, and the golden test
# shows which figures moved). A new table also needs its line in TABLES in engine/src/pricing.rs.
set -euo pipefail
src=${1:?usage: scripts/update-prices.sh SOURCE_DIR}
dst="$(dirname "$0")/../engine/data/aws"
declare -A header=(
  [aws-ec2.csv]="region,instance_type,vcpu,memory_gib,usd_per_hour,generation,family,source"
  [aws-ebs.csv]="region,volume_type,dimension,unit,usd"
  [aws-rds.csv]="region,engine,instance_class,deployment,usd_per_hour,vcpu,memory_gib,generation"
  [aws-rds-storage.csv]="region,engine,deployment,storage_type,dimension,unit,usd"
  [aws-elasticache.csv]="region,engine,node_type,usd_per_hour,vcpu,memory_gib,generation"
  [aws-misc.csv]="region,service,item,unit,usd,source,as_of,note"
  [aws-services.csv]="region,service,item,unit,usd,source,as_of,note"
  [aws-nodes.csv]="region,service,engine,license,deployment,node_type,usd_per_hour,vcpu,memory_gib,source,as_of"
)
for f in "${!header[@]}"; do
  got=$(head -n 1 "$src/$f" | tr -d '\r')
  if [ "$got" != "${header[$f]}" ]; then
    echo "$src/$f: header is '$got', expected '${header[$f]}'" >&2
    exit 1
  fi
done
for f in "${!header[@]}"; do cp "$src/$f" "$dst/$f"; done
[ -f "$src/README.md" ] && cp "$src/README.md" "$dst/SOURCES.md"
echo "copied ${#header[@]} tables to $dst; now update TABLE_DATES in engine/src/pricing.rs and run the tests"
