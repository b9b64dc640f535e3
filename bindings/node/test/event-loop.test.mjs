// `export` runs on the libuv thread pool: timers keep firing while it works.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { userio, tmpdir } from './helpers.mjs'

test('the event loop stays free during a long export', async () => {
  const dir = tmpdir()
  const src = path.join(dir, 'many.ndjson')
  const line = (i) =>
    JSON.stringify({ user_id: `auth0|${i}`, email: `user${i}@example.com`, name: `User ${i}`, app_metadata: { plan: 'free', n: i } })
  const fd = fs.openSync(src, 'w')
  const batch = []
  for (let i = 0; i < 50_000; i++) {
    batch.push(line(i))
    if (batch.length === 10_000) {
      fs.writeSync(fd, batch.join('\n') + '\n')
      batch.length = 0
    }
  }
  fs.closeSync(fd)

  let ticks = 0
  const timer = setInterval(() => ticks++, 1)
  try {
    const r = await userio.export(src, { output: path.join(dir, 'out.csv') })
    assert.equal(r.read, 50_000)
  } finally {
    clearInterval(timer)
  }
  assert.ok(ticks > 0, 'a 1 ms interval fired while the export ran')
})
