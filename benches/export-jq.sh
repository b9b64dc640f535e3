#!/usr/bin/env bash
# Export benchmark, side by side in one run: userio vs the floor (serde_json + csv crate)
# vs jq, on N generated profile users (NDJSON, default 1,000,000).
#
# Job: query `_exists_:user_metadata AND logins_count:[5 TO *]`, default columns +
# `user.app_metadata.plan || 'free'`, sort by created_at descending, CSV.
# Reports wall time, users/s, input MB/s and peak RSS (/usr/bin/time -v) for each.
#
#   bash benches/export-jq.sh [N]          (needs jq: apt-get install -y jq)
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-1000000}"
DATA="benches/data/profile-$N.ndjson"
OUT="benches/data/out"
mkdir -p "$OUT"

cargo build --release -q -p userio-cli -p userio-testkit
# the floor lives in the testkit (no dev-dependencies to build)
BIN=target/release
[ -f "$DATA" ] || "$BIN/gen-users" --count "$N" --shape profile --format ndjson -o "$DATA"
BYTES=$(stat -c %s "$DATA")

QUERY='_exists_:user_metadata AND logins_count:[5 TO *]'
JQ_PROG='["Id","Given Name","Family Name","Nickname","Name","Email","Email Verified","Picture","Connection","Created At","Updated At","Plan"],
 ([inputs
   | select(has("user_metadata") and ((.logins_count | type) == "number") and .logins_count >= 5)
   | [.created_at, .user_id, .given_name, .family_name, .nickname, .name, .email,
      .email_verified, .picture, .identities[0].connection, .created_at, .updated_at,
      ((.app_metadata.plan // "") | if . == "" then "free" else . end)]]
  | sort_by(.[0]) | reverse | .[] | .[1:])
 | map(if type == "boolean" then tostring else . end) | @csv'

run() { # name, command...
  local name=$1; shift
  /usr/bin/time -v -o "$OUT/$name.time" "$@" > "$OUT/$name.csv" 2> "$OUT/$name.err" || {
    echo "$name failed:"; cat "$OUT/$name.err"; return 1; }
  local wall rss cpu
  cpu=$(awk -F': ' '/User time|System time/ {s += $2} END {print s}' "$OUT/$name.time")
  wall=$(grep 'Elapsed (wall clock)' "$OUT/$name.time" | awk -F': ' '{print $2}' \
    | awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
  rss=$(grep 'Maximum resident set size' "$OUT/$name.time" | awk -F': ' '{print $2}')
  awk -v n="$name" -v w="$wall" -v c="$cpu" -v r="$rss" -v u="$N" -v b="$BYTES" -v rows="$(($(wc -l < "$OUT/$name.csv") - 1))" \
    'BEGIN { printf "%-14s wall %7.2f s  cpu %7.2f s  %9.0f users/s  %6.1f MB/s (by cpu)  peak RSS %7.1f MB  %8d rows\n", n, w, c, u/c, b/c/1e6, r/1024, rows }'
}

echo "input: $DATA ($N users, $((BYTES / 1000000)) MB)"
run userio "$BIN/userio" export "$DATA" --query "$QUERY" --default-columns \
  --column "Plan=user.app_metadata.plan || 'free'" --sort created_at --desc
run userio-64MB "$BIN/userio" export "$DATA" --query "$QUERY" --default-columns \
  --column "Plan=user.app_metadata.plan || 'free'" --sort created_at --desc --memory-budget 64
# While the query module is a stub every user matches: make the floor write every user too.
FLOOR_ALL=""
[ "$(($(wc -l < "$OUT/userio.csv") - 1))" -eq "$N" ] && FLOOR_ALL=all
run floor "$BIN/export-floor" "$DATA" $FLOOR_ALL
if command -v jq >/dev/null; then
  run jq jq -n -r "$JQ_PROG" "$DATA"
else
  echo "jq: not installed (apt-get install -y jq)"
fi
