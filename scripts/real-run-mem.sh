#!/usr/bin/env bash
# Wall time, CPU and peak RSS of real `ztaudit run`s on a bench snapshot with SQLite history:
# a first run, then a later one that reads the first back for its diff, for each heap growth
# given (ZTAUDIT_HEAP_GROWTH_PERCENT; default 40). Snapshots come from bench/out (generated
# there when missing). glibc malloc runs as in the image (bench/malloc.ts) unless
# MALLOC_MMAP_THRESHOLD_ is set, or GLIBC_MALLOC=1 asks for glibc's own defaults.
#   bash scripts/real-run-mem.sh L [40 0 …]
set -euo pipefail
size=${1:?usage: real-run-mem.sh S|M|L|XL [GROWTH…]}
shift
snap=bench/out/cluster-$size.snap.json.gz
[ -f "$snap" ] || node bench/generate.ts --size "$size" -o "$snap" >/dev/null
if [ -z "${GLIBC_MALLOC:-}" ] && [ -z "${MALLOC_MMAP_THRESHOLD_:-}" ]; then
  MALLOC_MMAP_THRESHOLD_=$(node --input-type=module -e "import { IMAGE_MALLOC_ENV } from './bench/malloc.ts'; console.log(IMAGE_MALLOC_ENV.MALLOC_MMAP_THRESHOLD_)")
  export MALLOC_MMAP_THRESHOLD_
fi
malloc="MALLOC_MMAP_THRESHOLD_=${MALLOC_MMAP_THRESHOLD_:-glibc default}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for growth in "${@:-40}"; do
  dir=$tmp/$growth && mkdir -p "$dir"
  for which in first later; do
    ZTAUDIT_HEAP_GROWTH_PERCENT=$growth /usr/bin/time -f "growth $growth, $malloc, $size, $which run: %e s wall, %U+%S s CPU, %M KiB peak" \
      node bin/ztaudit.cjs run --snapshot "$snap" --cluster bench --history "$dir/history.db" --out "$dir/out" \
      --format json,html --no-notify -q
  done
  echo "  load average $(cut -d' ' -f1-3 /proc/loadavg)"
done
