#!/usr/bin/env bash
# Benchmark of `dudao watch`: the example report (school pages included)
# re-rendered after a one-sentence edit of the plan, caches warm. Not a
# test: run it by hand and record the figures in BENCHMARKS.md.
#
#   scripts/bench-watch.sh [edits]     # default 8 edits
#
# Prints the first (cold) render and each re-render as `dudao watch`
# reports them ("用时 0.21 秒"), then the best and the median.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/dudao-target}"
# DUDAO=path/to/dudao skips the build (a release binary made already).
if [ -z "${DUDAO:-}" ]; then
  cargo build --release --locked --quiet
  DUDAO="$CARGO_TARGET_DIR/release/dudao"
fi
edits=${1:-8}
work=$(mktemp -d)
cp examples/sixian/* "$work/"
log="$work/watch.log"
"$DUDAO" watch "$work/plan.yaml" -o "$work/r.pdf" --no-system-fonts 2>"$log" &
pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$work"' EXIT

wait_lines() { # n: wait until the log has n result lines
  for _ in $(seq 1 600); do
    [ "$(grep -c '用时' "$log" || true)" -ge "$1" ] && return 0
    sleep 0.1
  done
  echo "dudao watch did not answer:" >&2; cat "$log" >&2; exit 1
}
wait_lines 1
for i in $(seq 1 "$edits"); do
  # Alternate between two wordings of one sentence; save by rename.
  if [ $((i % 2)) -eq 1 ]; then from="县委、县政府坚持"; to="县委、县政府始终坚持"; else from="县委、县政府始终坚持"; to="县委、县政府坚持"; fi
  sed "0,/$from/s//$to/" "$work/plan.yaml" > "$work/plan.yaml.new"
  mv "$work/plan.yaml.new" "$work/plan.yaml"
  wait_lines $((i + 1))
  sleep 0.3
done
grep '用时' "$log"
grep '已重新生成' "$log" | sed 's/.*用时 \([0-9.]*\) 秒/\1/' | sort -n | awk '
  { v[NR] = $1 } END { printf "re-render after a one-sentence edit: best %.2f s, median %.2f s (%d edits)\n", v[1], v[int((NR + 1) / 2)], NR }'
