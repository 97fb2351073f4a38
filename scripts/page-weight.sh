#!/usr/bin/env bash
# What a visitor downloads before the first figure: the release bundle's wasm and JS, gzipped
# (-9, as a static server would), against a budget in KB (default 650). Run after `trunk build
# --release`. The per-lab share of the wasm is printed by scripts/bench.sh (scripts/wasm-share.mjs).
set -euo pipefail
cd "$(dirname "$0")/.."
budget=${1:-650}
total=0
for f in dist/*.wasm dist/*.js; do
  [ -e "$f" ] || { echo "page-weight: no $f (run trunk build --release first)" >&2; exit 1; }
  n=$(gzip -9 -c "$f" | wc -c)
  printf 'page-weight: %-48s %8d bytes raw, %7d gzipped\n' "$f" "$(wc -c < "$f")" "$n"
  total=$((total + n))
done
kb=$(( (total + 1023) / 1024 ))
echo "page-weight: wasm + js = ${kb} KB gzipped (budget ${budget} KB)"
if [ "$kb" -gt "$budget" ]; then
  echo "page-weight: over budget by $((kb - budget)) KB" >&2
  exit 1
fi
