#!/usr/bin/env bash
# Benchmark: `dudao review` of a synthetic city (`dudao init --sample-counties
# N`, 50–400 school-学段 rows per county): the packet (复核报告 PDF, workbook,
# JSON), then the same with `--with-reports` (each county's full report PDF
# too). Not a test: run it by hand and record the figures in BENCHMARKS.md
# with the load average it prints (the machine is shared).
#
#   scripts/bench-review.sh              # 100 counties, release build
#   PROFILE=dev scripts/bench-review.sh 20 100
#   REPORTS=0 scripts/bench-review.sh    # without the --with-reports run
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

measure() { # label, runs, command...: wall and user seconds, peak MB (best of runs)
  local label=$1 runs=$2; shift 2
  local best_t=999999 best_u=0 best_m=0
  for _ in $(seq "$runs"); do
    /usr/bin/time -f "%e %U %M" -o "$work/time" "$@" >/dev/null 2>&1
    read -r t u m < "$work/time"
    if awk "BEGIN{exit !($t < $best_t)}"; then best_t=$t; best_u=$u; best_m=$m; fi
  done
  printf '%-44s %7.2f s wall %7.2f s user %6d MB peak  (load %s)\n' \
    "$label" "$best_t" "$best_u" "$((best_m / 1024))" "$(cut -d' ' -f1-3 /proc/loadavg)"
}

for n in "${@:-100}"; do
  d="$work/city$n"
  /usr/bin/time -f "%e %M" -o "$work/time" "$DUDAO" init "$d" --sample-counties "$n" >/dev/null
  read -r t m < "$work/time"
  rows=$(grep -h "学校-学段行" <("$DUDAO" init "$work/again$n" --sample-counties "$n") | awk -F'：' '{split($2,a," "); s+=a[1]} END{print s}')
  echo "== $n counties, $rows school-学段 rows ($PROFILE build, $(nproc) cores)"
  printf '%-40s %6.2f s %6d MB\n' "dudao init --sample-counties $n" "$t" "$((m / 1024))"
  measure "dudao review -o (packet)" 3 "$DUDAO" review "$d/review.yaml" -o "$work/out$n"
  measure "dudao review --format json" 3 "$DUDAO" review "$d/review.yaml" --format json
  for f in "$work/out$n"/*; do echo "   $(basename "$f") $(du -k "$f" | cut -f1) KB"; done
  if [ "${REPORTS:-1}" = 1 ]; then
    measure "dudao review -o --with-reports" 1 "$DUDAO" review "$d/review.yaml" -o "$work/rep$n" --with-reports
    echo "   $(ls "$work/rep$n" | wc -l) files, $(du -sm "$work/rep$n" | cut -f1) MB"
  fi
done
