// liqe side of the userio query benchmark: parse µs per query and match ns per user per query
// on the users in an NDJSON file (generate with
// `cargo run --release -p userio-testkit --bin gen-users -- --count 100000 --shape profile --format ndjson -o benches/data/profile-100k.ndjson`).
// Usage: node bench.js FILE.ndjson
'use strict';
const fs = require('node:fs');
const { parse, filter } = require('liqe');

const file = process.argv[2] || `${__dirname}/../data/profile-100k.ndjson`;
const lines = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean);
let users = lines.map((l) => JSON.parse(l)); // warm-up
const parseStart = Number(process.hrtime.bigint());
users = lines.map((l) => JSON.parse(l));
const parseNs = (Number(process.hrtime.bigint()) - parseStart) / lines.length;

// Same order as crates/userio-core/benches/query.rs.
const queries = [
  '_exists_:user_metadata',
  'email:"jane.doe42@example.com"',
  'name:jo*',
  'logins_count:[10 TO *]',
  'NOT blocked:true AND (app_metadata.plan:gold OR app_metadata.plan:silver)',
  'logins_count:[10 TO 100]',
  'app_metadata.roles:admin AND user_metadata.language:en',
];

const now = () => Number(process.hrtime.bigint());
console.log(`liqe on ${users.length} users from ${file}; JSON.parse of the lines: ${parseNs.toFixed(0)} ns per user`);
console.log('| query | liqe matches | liqe parse µs | liqe match ns/user |');
console.log('|---|---:|---:|---:|');
for (const q of queries) {
  let ast;
  try {
    ast = parse(q);
  } catch (e) {
    console.log(`| \`${q}\` | parse error: ${String(e.message).split('\n')[0]} | | |`);
    continue;
  }
  const N = 2000;
  let t = now();
  for (let i = 0; i < N; i++) parse(q);
  const parseUs = (now() - t) / N / 1000;
  let count;
  try {
    count = filter(ast, users).length; // warm up
  } catch (e) {
    console.log(`| \`${q}\` | filter error: ${String(e.message).split('\n')[0]} | ${parseUs.toFixed(2)} | |`);
    continue;
  }
  const reps = 3;
  t = now();
  for (let i = 0; i < reps; i++) count = filter(ast, users).length;
  const ns = (now() - t) / reps / users.length;
  console.log(`| \`${q}\` | ${count} | ${parseUs.toFixed(2)} | ${ns.toFixed(1)} |`);
}
