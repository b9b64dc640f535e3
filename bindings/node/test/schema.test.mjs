import { test } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { userio, tmpdir } from './helpers.mjs'

const ISSUE_KEYS = ['code', 'column', 'index', 'line', 'message', 'offset', 'pointer', 'severity', 'value']

test('validate takes a path, a Buffer or a Uint8Array and returns a plain report', () => {
  const text = '[{"email":"a@example.com","email_verified":true},{"email":"b@example.com"}]'
  const file = path.join(tmpdir(), 'users.json')
  fs.writeFileSync(file, text)
  for (const input of [file, Buffer.from(text), new TextEncoder().encode(text)]) {
    const r = userio.validate(input)
    assert.equal(r.users, 2)
    assert.equal(typeof r.valid, 'number')
    assert.equal(typeof r.ok, 'boolean')
    assert.equal(r.truncated, false)
    assert.ok(Array.isArray(r.errors))
  }
})

test('file-level problems are issues with codes and positions', () => {
  const r = userio.validate(Buffer.from('[\n  {"email":"a@example.com"},\n]'))
  assert.equal(r.ok, false)
  const issue = r.errors.find((e) => e.code === 'json_trailing_comma')
  assert.ok(issue, JSON.stringify(r.errors))
  assert.deepEqual(Object.keys(issue).sort(), ISSUE_KEYS)
  assert.equal(issue.line, 3)
  assert.equal(issue.column, 1)
  assert.equal(issue.pointer, '')
  assert.equal(issue.value, null)
})

test('byte offsets count UTF-8 bytes of the input', () => {
  // "é" is two bytes: the trailing comma sits at byte 14 ("[{\"n\":\"é\"}" is 11 bytes + ",").
  const r = userio.validate(Buffer.from('[{"n":"é"},]'))
  const issue = r.errors.find((e) => e.code === 'json_trailing_comma')
  assert.ok(issue)
  assert.equal(issue.offset, Buffer.byteLength('[{"n":"é"},'))
})

test('a missing file throws ReadError with io_error and the path', () => {
  assert.throws(
    () => userio.validate('/no/such/users.json'),
    (e) => e instanceof userio.ReadError && e.code === 'io_error' && e.path === '/no/such/users.json',
  )
})
