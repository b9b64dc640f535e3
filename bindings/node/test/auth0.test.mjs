// Auth0Client against the mock tenant (crates/userio-mockauth0, binary `mockauth0`:
// `cargo build -p userio-mockauth0 --bin mockauth0`).
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import readline from 'node:readline'
import { fileURLToPath } from 'node:url'
import { userio, tmpdir } from './helpers.mjs'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..')
const MOCK = path.join(ROOT, 'target/debug', process.platform === 'win32' ? 'mockauth0.exe' : 'mockauth0')
const skip = fs.existsSync(MOCK) ? false : `no mock tenant binary at ${MOCK}: run cargo build -p userio-mockauth0 --bin mockauth0`

let mock
let tenant
before(async () => {
  if (skip) return
  mock = spawn(MOCK, [], { stdio: ['pipe', 'pipe', 'inherit'] })
  const lines = readline.createInterface({ input: mock.stdout })
  tenant = JSON.parse(await new Promise((resolve) => lines.once('line', resolve)))
})
after(() => {
  if (mock) mock.stdin.end() // the mock serves until its stdin closes
})

const client = () => new userio.Auth0Client({ domain: tenant.url, token: tenant.token, fast: true })
const USERS = [
  { email: 'ada@example.com', email_verified: true, app_metadata: { plan: 'gold' } },
  { email: 'alan@example.com', email_verified: false },
  { email: 'grace@example.com', email_verified: true },
]

test('connections lists the database connections', { skip }, async () => {
  const list = await client().connections()
  assert.ok(list.some((c) => c.name === tenant.connection && c.id === tenant.connection_id && c.strategy === 'auth0'), JSON.stringify(list))
})

test('importUsers then exportUsers (search and export job)', { skip }, async () => {
  const dir = tmpdir()
  const file = path.join(dir, 'users.json')
  fs.writeFileSync(file, JSON.stringify(USERS))
  const c = client()
  // The timer keeps firing while the import runs on the thread pool.
  let ticks = 0
  const timer = setInterval(() => ticks++, 1)
  const report = await c.importUsers(file, { connection: tenant.connection })
  clearInterval(timer)
  assert.equal(report.users, 3)
  assert.equal(report.inserted, 3, JSON.stringify(report))
  assert.equal(report.failed, 0)
  assert.equal(report.connectionId, tenant.connection_id)
  assert.ok(Array.isArray(report.chunks) && report.chunks[0].status === 'completed')
  assert.ok(ticks > 0, 'the event loop ran during the import')

  const columns = [{ name: 'Email', source: 'email' }]
  const viaSearch = await c.exportUsers({ strategy: 'search', query: 'email:a*', columns, format: 'json', sortBy: 'email', as: 'array' })
  assert.deepEqual(viaSearch.rows.map((r) => r.Email).sort(), ['ada@example.com', 'alan@example.com'])
  assert.deepEqual(viaSearch.strategy, { kind: 'search', total: 2 })

  const viaJob = await c.exportUsers({ strategy: 'export_job', query: 'email_verified:true', columns, sortBy: 'email', descending: true })
  assert.equal(viaJob.output, 'Email\ngrace@example.com\nada@example.com\n')
  assert.equal(viaJob.matched, 2)
  assert.equal(viaJob.strategy.kind, 'export_job')
  assert.equal(typeof viaJob.strategy.jobId, 'string')
  assert.ok(viaJob.strategy.bytes > 0)
})

test('API failures reject with Auth0Error and a code; bad configs throw', { skip }, async () => {
  const bad = new userio.Auth0Client({ domain: tenant.url, token: 'wrong', fast: true })
  await assert.rejects(bad.connections(), (e) => e instanceof userio.Auth0Error && e.code === 'unauthorized' && !e.message.includes('wrong'))
  assert.throws(() => new userio.Auth0Client({ domain: 'http://example.com', token: 't' }), (e) => e instanceof userio.Auth0Error && e.code === 'insecure_url')
  assert.throws(() => new userio.Auth0Client({ domain: 'x.auth0.com' }), userio.OptionsError)
  await assert.rejects(client().importUsers('/no/such.json', { connection: tenant.connection }), userio.UserioError)
})
