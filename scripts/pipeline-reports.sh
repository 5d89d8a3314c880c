#!/usr/bin/env bash
# Reports of the real pipeline, for comparing two checkouts with scripts/compare-reports.ts:
# `ztaudit run` on the bench's M snapshot stored to a SQLite history, then on S diffed against
# it, every text format. Snapshots come from bench/out (generated there when missing).
#   bash scripts/pipeline-reports.sh OUT            (in the checkout to measure)
#   node scripts/compare-reports.ts BEFORE/M AFTER/M; … BEFORE/S AFTER/S
set -euo pipefail
out=${1:?usage: pipeline-reports.sh OUT}
rm -rf "$out" && mkdir -p "$out"
for size in M S; do
  snap=bench/out/cluster-$size.snap.json.gz
  [ -f "$snap" ] || node bench/generate.ts --size "$size" -o "$snap" >/dev/null
  node bin/ztaudit.cjs run --snapshot "$snap" --cluster bench --history "$out/history.db" --out "$out/$size" \
    --format json,html,junit,md,sarif,csv --no-notify -q
done
