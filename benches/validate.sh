#!/usr/bin/env bash
# Validator benchmark: userio vs the serde_json floor vs the `jsonschema` crate, on 10k, 100k
# and 1M generated import users, plus peak memory (max RSS) of each mode on the 1M file.
# Usage: benches/validate.sh [COUNTS...]   (default: 10000 100000 1000000)
set -euo pipefail
cd "$(dirname "$0")/.."
counts=("${@:-10000 100000 1000000}")
read -r -a counts <<< "${counts[*]}"
mkdir -p benches/data
export CARGO_TARGET_DIR="$PWD/target"
cargo build --release -q -p userio-testkit --bin gen-users
cargo build --release -q -p userio-cli --no-default-features  # no JavaScript (boa) needed to validate
cargo build --release -q --manifest-path benches/validator/Cargo.toml
bench="$CARGO_TARGET_DIR/release/userio-bench-validator"
for n in "${counts[@]}"; do
  f="benches/data/import-$n.json"
  [ -f "$f" ] || "$CARGO_TARGET_DIR/release/gen-users" --count "$n" --shape import --format json -o "$f"
  rounds=5; [ "$n" -le 10000 ] && rounds=10; [ "$n" -ge 1000000 ] && rounds=3
  "$bench" all "$f" "$rounds"
  echo
done
big="benches/data/import-${counts[-1]}.json"
echo "peak memory on $big (max RSS, KiB):"
for mode in floor userio userio-nodup jsonschema floor-whole; do
  rss=$( { /usr/bin/time -v "$bench" "$mode" "$big" 1 >/dev/null; } 2>&1 | awk -F: '/Maximum resident/ {gsub(/ /,"",$2); print $2}')
  echo "  bench $mode: $rss"
done
for flag in "" "--no-duplicates"; do
  rss=$( { /usr/bin/time -v "$CARGO_TARGET_DIR/release/userio" validate "$big" $flag >/dev/null; } 2>&1 | awk -F: '/Maximum resident/ {gsub(/ /,"",$2); print $2}')
  echo "  userio validate $flag: $rss"
done
