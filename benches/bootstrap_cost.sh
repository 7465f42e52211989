#!/usr/bin/env bash
# The cost of 1,000-replicate bootstrap intervals beyond the scan, at 1e5, 1e6
# and 1e7 rows: runs the criterion bench `benches/bootstrap.rs` (which builds
# each count table once, then times the statistics step with the bootstrap off
# and on) and prints one line per size.
#
# Usage: benches/bootstrap_cost.sh        (takes a few minutes; 1e7 rows included)
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(FAIRAUDIT_BENCH_1E7=1 cargo bench --bench bootstrap 2>&1)
echo "$out" | grep -E "cells$" || true
printf '\n%-10s %10s %14s %16s %18s\n' rows cells "no bootstrap" "1,000 replicates" "bootstrap cost"
for rows in 100000 1000000 10000000; do
  cells=$(echo "$out" | grep -E "^$rows rows -> " | sed -E 's/.*-> ([0-9]+) cells/\1/')
  off=$(echo "$out" | grep -A1 "no_bootstrap/$rows\$" | grep -oE 'time: +\[[^]]+\]' | awk '{print $4, $5}')
  on=$(echo "$out" | grep -A1 "bootstrap_1000/$rows\$" | grep -oE 'time: +\[[^]]+\]' | awk '{print $4, $5}')
  [ -z "$on" ] && continue
  to_ms() { awk -v v="$1" -v u="$2" 'BEGIN { m = (u=="s") ? 1000 : (u=="ms") ? 1 : (u=="µs"||u=="us") ? 0.001 : 0.000001; printf "%.1f", v*m }'; }
  off_ms=$(to_ms $off); on_ms=$(to_ms $on)
  cost=$(awk -v a="$on_ms" -v b="$off_ms" 'BEGIN { printf "%.1f", a-b }')
  printf '%-10s %10s %11s ms %13s ms %15s ms\n' "$rows" "$cells" "$off_ms" "$on_ms" "$cost"
done
echo
echo "machine: $(nproc) cores, $(date -u +%Y-%m-%d); median of criterion's samples"
