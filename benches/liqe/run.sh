#!/bin/sh
# Runs the query benchmark: liqe (Node) and userio (criterion + summary) on the same 100,000
# profile-shape users, one after the other. From the repository root: sh benches/liqe/run.sh
set -e
DATA=benches/data/profile-100k.ndjson
mkdir -p benches/data
[ -f "$DATA" ] || cargo run --release -q -p userio-testkit --bin gen-users -- --count 100000 --shape profile --format ndjson -o "$DATA"
(cd benches/liqe && [ -d node_modules/liqe ] || npm install --no-audit --no-fund --silent)
node benches/liqe/bench.js "$DATA"
cargo bench -p userio-core --no-default-features --bench query -- --warm-up-time 1 --measurement-time 3
