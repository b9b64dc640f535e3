import { test } from 'node:test'
import assert from 'node:assert/strict'
import { userio } from './helpers.mjs'

const { Query } = userio

test('Query has matches, filter and toString', () => {
  const q = new Query('email:a@example.com')
  assert.equal(typeof q.matches({ email: 'a@example.com' }), 'boolean')
  assert.equal(typeof String(q), 'string')
  assert.equal(new Query(String(q)).toString(), String(q))
})

test('filter returns the same objects, in order', () => {
  const users = [{ email: 'a@example.com' }, { email: 'b@example.com' }]
  const q = new Query('email:a@example.com')
  const out = q.filter(users)
  for (const u of out) assert.ok(users.includes(u))
  assert.deepEqual(out, users.filter((u) => q.matches(u)))
})

test('matching follows the query', () => {
  const users = [
    { user_id: '1', email: 'a@example.com', logins_count: 3 },
    { user_id: '2', email: 'b@example.com', logins_count: 10 },
  ]
  assert.deepEqual(new Query('logins_count:[5 TO *]').filter(users).map((u) => u.user_id), ['2'])
  assert.equal(new Query('email:"a@example.com"').matches(users[0]), true)
  assert.equal(new Query('email:"a@example.com"').matches(users[1]), false)
})

test('undefined properties are dropped, Dates are ISO strings, safe BigInts numbers', () => {
  assert.equal(new Query('_exists_:nickname').matches({ nickname: undefined }), false)
  assert.equal(new Query('created_at:"1970-01-01T00:00:00.000Z"').matches({ created_at: new Date(0) }), true)
  assert.equal(new Query('logins_count:7').matches({ logins_count: 7n }), true)
})

test('filter tolerates holes and undefined entries', () => {
  const q = new Query('email:x')
  // eslint-disable-next-line no-sparse-arrays
  const out = q.filter([undefined, , { email: 'x' }])
  assert.ok(out.length <= 3)
})
