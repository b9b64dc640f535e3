// Node benchmark for the `userio` package, one run, ratios printed:
//   1. export of 100,000 users from an array, default columns, CSV: userio vs plain JS
//   2. the same from a file (JSON array on disk)
//   3. query filter on the array: userio Query.filter vs liqe (npm)
//
// Setup (from the repository root):
//   cargo run --release -p userio-testkit --bin gen-users -- \
//     --count 100000 --shape profile --format json -o benches/data/users-100k-profile.json
//   (cd bindings/node && npm install --no-audit --no-fund && npm run build)
//   node benches/node/bench.mjs [file]
import { createRequire } from 'node:module'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const here = path.dirname(fileURLToPath(import.meta.url))
const root = path.resolve(here, '../..')
const require = createRequire(path.join(root, 'bindings/node/package.json'))
const userio = require('./index.js')
const { parse: liqeParse, filter: liqeFilter } = require('liqe')

const file = process.argv[2] ?? path.join(root, 'benches/data/users-100k-profile.json')
if (!fs.existsSync(file)) {
  console.error(`missing ${file}: generate it with gen-users (see the header of this script)`)
  process.exit(1)
}

function time(label, fn) {
  fn() // warm-up
  const t0 = process.hrtime.bigint()
  const out = fn()
  const ms = Number(process.hrtime.bigint() - t0) / 1e6
  console.log(`${label.padEnd(44)} ${ms.toFixed(1).padStart(9)} ms`)
  return { ms, out }
}

// Plain JS equivalent of the default CSV export: resolve each column's path, print cells as
// the extension does (strings as is, JSON for objects), quote per RFC 4180.
const COLUMNS = userio.defaultColumns().map((c) => ({
  name: c.name,
  path: c.source.replace(/^user\./, '').replace(/\[(\d+)\]/g, '.$1').split('.'),
}))
function cell(v) {
  if (v === undefined || v === null) return ''
  const s = typeof v === 'object' ? JSON.stringify(v) : String(v)
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s
}
function plainCsv(users) {
  const lines = [COLUMNS.map((c) => cell(c.name)).join(',')]
  for (const u of users) {
    lines.push(
      COLUMNS.map((c) => {
        let v = u
        for (const k of c.path) v = v == null ? undefined : v[k]
        return cell(v)
      }).join(','),
    )
  }
  return lines.join('\n') + '\n'
}

const users = JSON.parse(fs.readFileSync(file, 'utf8'))
console.log(`${users.length} users from ${path.relative(root, file)} (${(fs.statSync(file).size / 1e6).toFixed(1)} MB), node ${process.version}\n`)

const a1 = time('export array -> CSV: userio.exportSync', () => userio.exportSync(users).output.length)
const a2 = time('export array -> CSV: plain JS', () => plainCsv(users).length)
const f1 = time('export file  -> CSV: userio.exportSync', () => userio.exportSync(file).output.length)
const f2 = time('export file  -> CSV: plain JS (read+parse)', () => plainCsv(JSON.parse(fs.readFileSync(file, 'utf8'))).length)

const text = 'app_metadata.plan:gold AND email_verified:true'
const query = new userio.Query(text)
const ast = liqeParse(text)
const q1 = time('filter: userio Query.filter', () => query.filter(users).length)
const q2 = time('filter: liqe filter', () => liqeFilter(ast, users).length)

console.log(`\nmatched: userio ${q1.out}, liqe ${q2.out}`)
console.log('ratios (> 1: userio faster)')
console.log(`  export from array  plain JS / userio = ${(a2.ms / a1.ms).toFixed(2)}`)
console.log(`  export from file   plain JS / userio = ${(f2.ms / f1.ms).toFixed(2)}`)
console.log(`  query filter       liqe / userio     = ${(q2.ms / q1.ms).toFixed(2)}`)
