#!/usr/bin/env bash
# Benchmark of the workbook reader: plausible school rows (10k, 100k, 1M;
# csv and xlsx) read by `read_workbook` alone and by `dudao check` (which
# also interprets the rows), each under GNU time: seconds, rows per second,
# peak memory. Not a test: run it by hand and record the figures in
# BENCHMARKS.md ("Reader").
#
#   scripts/bench-reader.sh                 # 10000 100000 1000000
#   scripts/bench-reader.sh 50000
#
# Uses the test profile (dependencies optimised, dudao itself not), which is
# what the build machine has warm; a sheet over the 200,000-row limit is
# refused, and the figure is then the time to refuse it.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/dudao-target}"
cargo build --locked --quiet
DUDAO="$CARGO_TARGET_DIR/debug/dudao"
TESTS=$(cargo test --locked --test input_formats --no-run --message-format=json 2>/dev/null \
  | sed -n 's/.*"executable":"\([^"]*input_formats[^"]*\)".*/\1/p' | tail -1)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

measure() { # label, rows, command...: seconds, rows/s, peak MB
  local label=$1 rows=$2; shift 2
  /usr/bin/time -f "%e %M" -o "$work/time" "$@" >"$work/out" 2>&1 || true
  read -r t m < <(tail -n 1 "$work/time")
  local note
  note=$(grep -o 'BENCH.*\|超过了[^；]*' "$work/out" | head -1 || true)
  printf '%-34s %8.2f s %10.0f rows/s %6d MB  %s\n' "$label" "$t" \
    "$(awk "BEGIN{print $rows / ($t > 0 ? $t : 0.01)}")" "$((m / 1024))" "$note"
}

for n in ${@:-10000 100000 1000000}; do
  DUDAO_BENCH_ROWS=$n DUDAO_BENCH_OUT=$work "$TESTS" --ignored --exact bench_write_rows >/dev/null
  for ext in csv xlsx; do
    f="$work/rows-$n.$ext"
    echo "== $n rows, $ext ($(du -k "$f" | cut -f1) KB)"
    DUDAO_BENCH_FILE=$f measure "read_workbook" "$n" \
      "$TESTS" --ignored --exact bench_read_workbook --nocapture
    mkdir -p "$work/p$n$ext"
    cp "$f" "$work/p$n$ext/schools.$ext"
    cat > "$work/p$n$ext/plan.yaml" <<YAML
county: 测试县
report:
  title: 测试县自评报告
  issuer: 测试县人民政府教育督导委员会
  date: 2024-05-20
plan:
  title: 测试县实施方案
  issuer: 测试县人民政府教育督导委员会
  date: 2023-07-14
data:
  schools:
    - schools.$ext
YAML
    measure "dudao check" "$n" "$DUDAO" check "$work/p$n$ext/plan.yaml"
  done
done
