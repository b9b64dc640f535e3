import { test } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { PassThrough, Readable } from 'node:stream'
import { userio, tmpdir } from './helpers.mjs'

const users = [
  { user_id: 'auth0|1', email: 'a@example.com', logins_count: 3 },
  { user_id: 'auth0|2', email: 'b@example.com', logins_count: 10 },
]
const columns = [
  { name: 'Id', source: 'user_id' },
  { name: 'Email', source: 'email' },
]

test('defaultColumns are Column instances with the extension names', () => {
  const cols = userio.defaultColumns()
  assert.ok(cols.length > 0)
  for (const c of cols) {
    assert.ok(c instanceof userio.Column)
    assert.equal(typeof c.name, 'string')
    assert.ok(['path', 'native', 'js'].includes(c.tier))
  }
  assert.equal(cols[0].name, 'Id')
  assert.ok(cols.some((c) => c.name === 'Email'))
})

test('exportSync from a path returns the output as a string', () => {
  const dir = tmpdir()
  const file = path.join(dir, 'users.ndjson')
  fs.writeFileSync(file, users.map((u) => JSON.stringify(u)).join('\n'))
  const r = userio.exportSync(file, { columns })
  assert.equal(r.read, 2)
  assert.equal(r.written, 2)
  assert.match(r.output, /auth0\|1,a@example\.com/)
  assert.match(r.output, /auth0\|2,b@example\.com/)
})

test('export to a path writes the file', async () => {
  const dir = tmpdir()
  const src = path.join(dir, 'users.json')
  const out = path.join(dir, 'out.csv')
  fs.writeFileSync(src, JSON.stringify(users))
  const r = await userio.export(src, { columns, output: out })
  assert.equal(r.written, 2)
  assert.equal(r.output, undefined)
  assert.match(fs.readFileSync(out, 'utf8'), /auth0\|2,b@example\.com/)
})

test('JS values: undefined dropped, Date as ISO string, BigInt as number', () => {
  const r = userio.exportSync([{ d: new Date(0), n: 5n, u: undefined }], {
    columns: [
      { name: 'D', source: 'd' },
      { name: 'N', source: 'n' },
      { name: 'U', source: 'u' },
    ],
  })
  assert.match(r.output, /^1970-01-01T00:00:00\.000Z,5,$/m)
})

test('an async iterable is a source', async () => {
  async function* gen() {
    for (const u of users) {
      await new Promise((resolve) => setImmediate(resolve))
      yield u
    }
  }
  const r = await userio.export(gen(), { columns })
  assert.equal(r.read, 2)
  assert.match(r.output, /auth0\|1,a@example\.com/)
  const fromStream = await userio.export(Readable.from(users), { columns })
  assert.equal(fromStream.output, r.output)
})

test('a writable stream is a target (written, not ended)', async () => {
  const sink = new PassThrough()
  const chunks = []
  sink.on('data', (c) => chunks.push(c))
  const r = await userio.export(users, { columns, output: sink })
  assert.equal(r.output, undefined)
  assert.equal(r.written, 2)
  assert.equal(sink.writableEnded, false)
  sink.end()
  assert.match(Buffer.concat(chunks).toString('utf8'), /auth0\|2,b@example\.com/)
})

test('as: "buffer" and as: "array"', async () => {
  const b = userio.exportSync(users, { columns, as: 'buffer' })
  assert.ok(Buffer.isBuffer(b.output))
  const a = await userio.export(users, { columns, as: 'array' })
  assert.deepEqual(a.rows, [
    { Id: 'auth0|1', Email: 'a@example.com' },
    { Id: 'auth0|2', Email: 'b@example.com' },
  ])
})

test('query, sort and limit reach the core', () => {
  const r = userio.exportSync(users, {
    columns,
    query: new userio.Query('logins_count:[5 TO *]'),
    as: 'array',
  })
  assert.deepEqual(r.rows.map((x) => x.Id), ['auth0|2'])
  const sorted = userio.exportSync(users, { columns, sortBy: 'logins_count', descending: true, limit: 1, as: 'array' })
  assert.deepEqual(sorted.rows.map((x) => x.Id), ['auth0|2'])
})

test('read errors reject with ReadError', async () => {
  await assert.rejects(userio.export('/no/such/file.json'), (e) => e instanceof userio.ReadError && e.code === 'io_error')
  const dir = tmpdir()
  const bad = path.join(dir, 'bad.json')
  fs.writeFileSync(bad, '[{"a":1},]')
  assert.throws(() => userio.exportSync(bad), (e) => e instanceof userio.ReadError && e.code === 'json_trailing_comma' && e.line === 1)
})

test('an unwritable output path throws WriteError', () => {
  assert.throws(() => userio.exportSync(users, { output: '/no/such/dir/out.csv' }), (e) => e instanceof userio.WriteError && e.code === 'write_failed')
})

test('JavaScript limits are column options', () => {
  const loops = '(() => { let n = 0; for (let i = 0; i < 100; i++) n++; return n; })()'
  const tight = new userio.Column('N', loops, { loopLimit: 10 })
  assert.throws(() => tight.eval({}), (e) => e instanceof userio.CellError && /RangeError: sandbox limit/.test(e.message))
  assert.equal(new userio.Column('N', loops, { loopLimit: 1000 }).eval({}).text, '100')
  const endless = new userio.Column('W', '(() => { while (true) {} })()', { timeLimitMs: 50, loopLimit: 1e12 })
  assert.throws(() => endless.eval({}), (e) => e instanceof userio.CellError && /time limit of 50 ms/.test(e.message))
  // In an export's column specs too.
  const r = userio.exportSync([{}], { columns: [{ name: 'N', source: loops, loopLimit: 10 }] })
  assert.equal(r.output, 'N\n\n')
  assert.equal(r.cellErrors, 1)
  for (const bad of [{ timeLimitMs: 0 }, { loopLimit: 0 }, { loopLimit: 1.5 }, { timeLimitMs: -1 }]) {
    assert.throws(() => new userio.Column('N', loops, bad), (e) => e instanceof userio.OptionsError, JSON.stringify(bad))
  }
})
