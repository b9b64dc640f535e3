#!/bin/sh
# Instructions per cell for each column of the expression bench, by tier (callgrind).
#   sh benches/expr-callgrind.sh [native|path|js|floor|naive]   (needs valgrind)
# native and path count `Projected::write_text`, js counts the JavaScript call
# (`Column::write_text_other`, the engine already built), floor the bench's hand-written
# Rust (`floor_cell`); naive counts the whole loop, minus a run with no repetition.
set -e
tier=${1:-native}
cd "$(dirname "$0")/.."
cargo build --profile profiling -p userio-core --example expr_cells
bin=target/profiling/examples/expr_cells
out=$(mktemp -d)
total() { callgrind_annotate "$1" 2>/dev/null | awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1 }'; }
for column in 0 1 2 3 4; do
  case $tier in
    naive)
      valgrind --tool=callgrind --callgrind-out-file="$out/a" $bin $column naive 0 2>/dev/null
      valgrind --tool=callgrind --callgrind-out-file="$out/b" $bin $column naive 1 2>/dev/null
      echo "$column $(( ($(total "$out/b") - $(total "$out/a")) / 1000 ))" ;;
    *)
      reps=20; toggle='userio_core::expr::projected::Projected::write_text'
      # 21,000 JavaScript cells too: fewer (3 repetitions until the eleventh session) leave
      # out most of the garbage collections a long export pays for, and count warm-up.
      if [ "$tier" = js ]; then toggle='userio_core::expr::Column::write_text_other'; fi
      if [ "$tier" = floor ]; then toggle='expr_cells::floor_cell'; fi
      valgrind --tool=callgrind --toggle-collect="$toggle" --callgrind-out-file="$out/a" \
        $bin $column $tier $reps 2>/dev/null || { echo "$column -"; continue; }
      echo "$column $(( $(total "$out/a") / (1000 * (reps + 1)) ))" ;;
  esac
done
rm -rf "$out"
