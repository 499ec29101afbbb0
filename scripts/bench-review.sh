#!/usr/bin/env bash
# Benchmark: `dudao review` of a synthetic city (`dudao init --sample-counties
# N`, 50–400 school-学段 rows per county), the packet without per-county
# reports. Not a test: run it by hand and record the figures in BENCHMARKS.md.
#
#   scripts/bench-review.sh              # 100 counties, release build
#   PROFILE=dev scripts/bench-review.sh 20 100
#
# Needs GNU time (/usr/bin/time).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/dudao-target}"
PROFILE="${PROFILE:-release}"
if [ "$PROFILE" = release ]; then
  cargo build --release --locked --quiet
  DUDAO="$CARGO_TARGET_DIR/release/dudao"
else
  cargo build --locked --quiet
  DUDAO="$CARGO_TARGET_DIR/debug/dudao"
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

measure() { # label, command...: prints wall seconds and peak MB (best of 3)
  local label=$1; shift
  local best_t=999999 best_m=0
  for _ in 1 2 3; do
    /usr/bin/time -f "%e %M" -o "$work/time" "$@" >/dev/null 2>&1
    read -r t m < "$work/time"
    if awk "BEGIN{exit !($t < $best_t)}"; then best_t=$t; best_m=$m; fi
  done
  printf '%-40s %6.2f s %6d MB\n' "$label" "$best_t" "$((best_m / 1024))"
}

for n in "${@:-100}"; do
  d="$work/city$n"
  /usr/bin/time -f "%e %M" -o "$work/time" "$DUDAO" init "$d" --sample-counties "$n" >/dev/null
  read -r t m < "$work/time"
  rows=$(grep -h "学校-学段行" <("$DUDAO" init "$work/again$n" --sample-counties "$n") | awk -F'：' '{split($2,a," "); s+=a[1]} END{print s}')
  echo "== $n counties, $rows school-学段 rows ($PROFILE build, $(nproc) cores)"
  printf '%-40s %6.2f s %6d MB\n' "dudao init --sample-counties $n" "$t" "$((m / 1024))"
  measure "dudao review -o (packet, no reports)" "$DUDAO" review "$d/review.yaml" -o "$work/out$n"
  measure "dudao review --format json" "$DUDAO" review "$d/review.yaml" --format json
  echo "   review.json $(du -k "$work/out$n/review.json" | cut -f1) KB"
done
