#!/usr/bin/env bash
# Benchmark: the full report with school pages for synthetic counties of
# several sizes, end to end, against typst's own compile of our emitted
# source. Not a test: run it by hand and record the figures in BENCHMARKS.md.
#
#   scripts/bench.sh                 # sizes 75 150 300 600
#   TYPST=/path/to/typst scripts/bench.sh 300
#
# Needs GNU time (/usr/bin/time). `typst` (typst-cli 0.15.1) is optional:
#   cargo install typst-cli --version 0.15.1 --locked
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/dudao-target}"
cargo build --release --locked --quiet
DUDAO="$CARGO_TARGET_DIR/release/dudao"
TYPST="${TYPST:-$(command -v typst || true)}"
FONTS="$PWD/fonts"
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
  printf '%-28s %6.2f s %6d MB\n' "$label" "$best_t" "$((best_m / 1024))"
}

for n in "${@:-75 150 300 600}"; do
  for n1 in $n; do
    d="$work/c$n1"
    "$DUDAO" init "$d" --sample-schools "$n1" >/dev/null 2>&1
    "$DUDAO" render "$d/plan.yaml" -o "$d/r.pdf" --no-system-fonts --emit-typ "$d/typ" >/dev/null 2>&1
    pages=$(pdfinfo "$d/r.pdf" 2>/dev/null | awk '/^Pages/{print $2}' || echo "?")
    size=$(du -k "$d/r.pdf" | cut -f1)
    echo "== $n1 rows: $pages pages, PDF ${size} KB"
    measure "dudao render (untagged)" "$DUDAO" render "$d/plan.yaml" -o "$d/r.pdf" --no-system-fonts
    measure "dudao render --tagged" "$DUDAO" render "$d/plan.yaml" -o "$d/t.pdf" --no-system-fonts --tagged
    echo "   tagged PDF $(du -k "$d/t.pdf" | cut -f1) KB"
    if [ -n "$TYPST" ]; then
      # The same source through typst's own CLI, untagged (our default) and
      # tagged (the CLI's default).
      measure "typst compile --no-pdf-tags" "$TYPST" compile --ignore-system-fonts --font-path "$FONTS" --no-pdf-tags "$d/typ/main.typ" "$d/typ.pdf"
      measure "typst compile (tagged)" "$TYPST" compile --ignore-system-fonts --font-path "$FONTS" "$d/typ/main.typ" "$d/typt.pdf"
    fi
  done
done
