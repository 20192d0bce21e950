#!/usr/bin/env bash
# A full disk during `apply` (reliability.md row 8), as root: a 1 MiB tmpfs filled to 0-100 KiB
# free in 2 KiB steps; at each point `apply` runs on a copy of fixtures/fix/shapes, the space is
# freed, `recover` runs, then the same `apply` must succeed and the log verify.
#
#   sudo bench/full-disk.sh [COSTFIX]      (default target/release/costfix)
set -euo pipefail
cd "$(dirname "$0")/.."
B=$(realpath "${1:-target/release/costfix}")
src=$PWD/fixtures/fix/shapes
mnt=$(mktemp -d)
mount -t tmpfs -o size=1m tmpfs "$mnt"
trap 'umount "$mnt"; rmdir "$mnt"' EXIT
ok=0; failed=0; exit2=0; total=0
for free in $(seq 0 2048 102400); do
  rm -rf "${mnt:?}"/* "$mnt"/.[!.]* 2>/dev/null || true
  cp -r "$src" "$mnt/tree"
  (cd "$mnt/tree" && "$B" --no-config -q fix plan.json --rule CF003 --out ops.json >/dev/null 2>&1) || true
  avail=$(( $(stat -f -c '%a*%S' "$mnt") ))
  fill=$(( avail - free ))
  if [ "$fill" -gt 0 ]; then head -c "$fill" /dev/zero > "$mnt/filler" 2>/dev/null || true; fi
  rc=0; (cd "$mnt/tree" && "$B" --no-config apply ops.json >/dev/null 2>&1) || rc=$?
  [ "$rc" -eq 2 ] && exit2=$((exit2 + 1))
  rm -f "$mnt/filler"
  (cd "$mnt/tree" && "$B" --no-config recover >/dev/null 2>&1) || true
  rc2=0; out=$(cd "$mnt/tree" && "$B" --no-config apply ops.json 2>&1) || rc2=$?
  v=0; (cd "$mnt/tree" && "$B" --no-config log verify >/dev/null 2>&1) || v=$?
  total=$((total + 1))
  if [ "$rc2" -eq 0 ] && [ "$v" -eq 0 ]; then
    ok=$((ok + 1))
  else
    failed=$((failed + 1))
    echo "free=$free: first apply $rc, after recover $rc2, verify $v: $(echo "$out" | tail -1)"
  fi
done
echo "$total points: the same apply after recover succeeded in $ok, failed in $failed; the first apply exited 2 in $exit2"
