#!/usr/bin/env bash
# Benchmark of reading back a staff-edited 整改台账 (`dudao ledger PLAN
# --ledger OLD.xlsx`): a previous ledger of N rows (100,000 by default) as
# the tool writes it, read back, carried over onto the example county's new
# problems and written again, each phase timed, under GNU time for the
# whole (seconds, peak memory). Not a test: run it by hand and record the
# figures in BENCHMARKS.md ("Ledger read-back") with the load average it
# prints (the machine is shared).
#
#   scripts/bench-ledger.sh                 # 100000 rows, release build
#   scripts/bench-ledger.sh 10000 40000 100000
#
# Release profile without the `report` feature: the harness
# (tests/ledger_bench.rs) calls the same functions as the command —
# ledger::load, ledger::build, ledger::xlsx::workbook — and builds without
# typst in minutes rather than twenty. Needs GNU time (/usr/bin/time).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/dudao-target}"
cargo test --release --locked --no-default-features --test ledger_bench --no-run --quiet
BENCH=$(cargo test --release --locked --no-default-features --test ledger_bench --no-run \
  --message-format=json 2>/dev/null \
  | sed -n 's/.*"executable":"\([^"]*ledger_bench[^"]*\)".*/\1/p' | tail -1)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

for n in "${@:-100000}"; do
  DUDAO_BENCH_ROWS=$n /usr/bin/time -f "%e %M" -o "$work/time" \
    "$BENCH" --ignored --exact bench_ledger_read_back --nocapture >"$work/out" 2>&1 \
    || { cat "$work/out"; exit 1; }
  read -r t m < "$work/time"
  printf '%s  (whole process %.2f s incl. writing the input, peak %d MB; load %s)\n' \
    "$(grep -o 'BENCH.*' "$work/out")" "$t" "$((m / 1024))" "$(cut -d' ' -f1-3 /proc/loadavg)"
done
