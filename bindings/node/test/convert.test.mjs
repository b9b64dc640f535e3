import { test } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import zlib from 'node:zlib'
import { userio, tmpdir } from './helpers.mjs'

test('convertCsv: path in, path out, validated report in camelCase', async () => {
  const dir = tmpdir()
  const input = path.join(dir, 'users.csv')
  const output = path.join(dir, 'users.json')
  fs.writeFileSync(input, 'email,email_verified,app_metadata.roles[]\na@example.com,true,admin;editor\nnot-an-email,false,\n')
  const { report, output: inline } = await userio.convertCsv(input, { output })
  assert.equal(inline, undefined)
  assert.equal(report.users, 2)
  assert.equal(report.emptyRows, 0)
  assert.deepEqual(report.errors, [])
  assert.equal(report.validation.users, 2)
  assert.equal(report.validation.valid, 1)
  assert.ok(report.validation.issues.some((i) => i.row === 3 && i.pointer === '/email'), JSON.stringify(report.validation))
  const users = JSON.parse(fs.readFileSync(output, 'utf8'))
  assert.deepEqual(users[0].app_metadata.roles, ['admin', 'editor'])
})

test('convertExport: gzip bytes in, Buffer out; bad input rejects with ReadError', async () => {
  const ndjson = '{"user_id":"auth0|1","email":"a@example.com","logins_count":4}\n'
  const r = await userio.convertExport(zlib.gzipSync(ndjson), { as: 'buffer' })
  assert.ok(Buffer.isBuffer(r.output))
  assert.deepEqual(JSON.parse(r.output.toString()), [{ user_id: '1', email: 'a@example.com' }])
  assert.equal(r.report.userIdsStripped, 1)
  assert.deepEqual(r.report.dropped, [{ field: 'logins_count', reason: 'read_only', count: 1 }])
  assert.equal(r.report.validation.valid, 1)
  await assert.rejects(userio.convertExport(Buffer.from('[1]')), (e) => e instanceof userio.ReadError && e.code === 'record_not_object' && e.index === 0)
  await assert.rejects(userio.convertCsv('/no/such.csv'), (e) => e instanceof userio.ReadError && e.code === 'io_error')
  await assert.rejects(userio.convertCsv(42), userio.OptionsError)
})
