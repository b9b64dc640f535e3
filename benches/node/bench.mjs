// Node benchmark for the `userio` package, one run, ratios printed:
//   1. export of 100,000 users from an array, default columns, CSV: userio vs plain JS
//   2. the same from a file (JSON array on disk)
//   3. query filter on the array: userio Query.filter, and UserIndex.filter after one build,
//      vs liqe (npm), per query
//      (median of 5 passes after a warm-up pass; match counts printed, liqe's semantics
//      differ on `_exists_` and on `*`, see docs/benchmarks.md)
//
// Setup (from the repository root):
//   cargo run --release -p userio-testkit --bin gen-users -- \
//     --count 100000 --shape profile --format json -o benches/data/users-100k-profile.json
//   (cd bindings/node && npm install --no-audit --no-fund && npm run build)
//   node benches/node/bench.mjs [file] [--queries-only]
import { createRequire } from 'node:module'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const here = path.dirname(fileURLToPath(import.meta.url))
const root = path.resolve(here, '../..')
const require = createRequire(path.join(root, 'bindings/node/package.json'))
const userio = require('./index.js')
const { parse: liqeParse, filter: liqeFilter } = require('liqe')

const args = process.argv.slice(2)
const queriesOnly = args.includes('--queries-only')
const file = args.find((a) => !a.startsWith('--')) ?? path.join(root, 'benches/data/users-100k-profile.json')
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

function median(label, fn) {
  let out = fn() // warm-up
  const ms = []
  for (let i = 0; i < 5; i++) {
    const t0 = process.hrtime.bigint()
    out = fn()
    ms.push(Number(process.hrtime.bigint() - t0) / 1e6)
  }
  ms.sort((a, b) => a - b)
  return { ms: ms[2], out }
}

const QUERIES = [
  'app_metadata.plan:gold AND email_verified:true',
  '_exists_:user_metadata',
  'name:jo*',
  'logins_count:[10 TO 100]',
  'NOT blocked:true AND (app_metadata.plan:gold OR app_metadata.plan:silver)',
  'app_metadata.roles:admin AND user_metadata.language:en',
]

// The floor: each query written by hand as a JS closure for this data (no checks for
// exotic values, no arrays passed through except `roles`). No JS matcher can be much faster.
const CLOSURES = [
  (u) => { const a = u.app_metadata; return a != null && a.plan === 'gold' && u.email_verified === true },
  (u) => { const m = u.user_metadata; if (m == null) return false; for (const k in m) return true; return false },
  (u) => typeof u.name === 'string' && u.name.toLowerCase().startsWith('jo'),
  (u) => typeof u.logins_count === 'number' && u.logins_count >= 10 && u.logins_count <= 100,
  (u) => { const a = u.app_metadata; return u.blocked !== true && a != null && (a.plan === 'gold' || a.plan === 'silver') },
  (u) => { const a = u.app_metadata, m = u.user_metadata; return a != null && Array.isArray(a.roles) && a.roles.includes('admin') && m != null && m.language === 'en' },
]

const ratios = []
if (!queriesOnly) {
  const a1 = time('export array -> CSV: userio.exportSync', () => userio.exportSync(users).output.length)
  const a2 = time('export array -> CSV: plain JS', () => plainCsv(users).length)
  const f1 = time('export file  -> CSV: userio.exportSync', () => userio.exportSync(file).output.length)
  const f2 = time('export file  -> CSV: plain JS (read+parse)', () => plainCsv(JSON.parse(fs.readFileSync(file, 'utf8'))).length)
  ratios.push(`  export from array  plain JS / userio = ${(a2.ms / a1.ms).toFixed(2)}`)
  ratios.push(`  export from file   plain JS / userio = ${(f2.ms / f1.ms).toFixed(2)}`)
}

// UserIndex: built once from the array (JSON.stringify + the core's index), then each
// query's filter scans only the paths it names and returns the same objects.
const built = time('UserIndex: build from the array (once)', () => new userio.UserIndex(users))
const index = built.out

console.log('\nquery filter (median of 5 after a warm-up; ms per 100k users)')
console.log(`${'query'.padEnd(76)} ${'userio'.padStart(9)} ${'index'.padStart(9)} ${'liqe'.padStart(9)} ${'closure'.padStart(9)} ${'liqe/userio'.padStart(12)} ${'liqe/index'.padStart(11)} ${'liqe/closure'.padStart(13)}  matches (userio / index / liqe / closure)`)
QUERIES.forEach((text, i) => {
  const query = new userio.Query(text)
  const ast = liqeParse(text)
  const q1 = median('userio', () => query.filter(users).length)
  const q4 = median('index', () => index.filter(query).length)
  const q2 = median('liqe', () => liqeFilter(ast, users).length)
  const q3 = median('closure', () => users.filter(CLOSURES[i]).length)
  console.log(
    `${text.padEnd(76)} ${q1.ms.toFixed(1).padStart(9)} ${q4.ms.toFixed(2).padStart(9)} ${q2.ms.toFixed(1).padStart(9)} ${q3.ms.toFixed(1).padStart(9)} ${(q2.ms / q1.ms).toFixed(1).padStart(12)} ${(q2.ms / q4.ms).toFixed(1).padStart(11)} ${(q2.ms / q3.ms).toFixed(1).padStart(13)}  ${q1.out} / ${q4.out} / ${q2.out} / ${q3.out}`,
  )
})
if (ratios.length) console.log(`\nratios (> 1: userio faster)\n${ratios.join('\n')}`)
