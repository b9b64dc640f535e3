// UserIndex: users held by attribute path in the core; answers must be Query.matches's.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { userio, queryCorpus as corpus } from './helpers.mjs'

const { Query, UserIndex, OptionsError, QueryError, ConversionError } = userio

test('every vector query selects what Query.matches selects, over the whole pool', () => {
  const { queries, users } = corpus()
  const index = new UserIndex(users)
  assert.equal(index.length, users.length)
  let checked = 0
  const failures = []
  for (const { text, opts } of queries) {
    let q
    try {
      q = new Query(text, opts)
    } catch (e) {
      assert.ok(e instanceof QueryError)
      continue
    }
    const want = users.filter((u) => q.matches(u))
    const got = index.filter(q)
    if (got.length !== want.length || got.some((u, i) => u !== want[i])) failures.push(text)
    if (index.count(q) !== want.length) failures.push(`${text} (count)`)
    checked++
  }
  assert.ok(checked > 250, `only ${checked} queries parsed`)
  assert.deepEqual(failures, [])
})

test('filter returns the objects given; positions and count agree', () => {
  const users = [{ name: 'Jo', logins_count: 12 }, { name: 'x', blocked: true }, { email: 'a@b.com' }]
  const index = new UserIndex(users)
  assert.deepEqual([...index.positions('NOT blocked:true')], [0, 2])
  assert.ok(index.positions('x:y') instanceof Uint32Array)
  assert.equal(index.count(new Query('name:jo')), 1)
  assert.equal(index.filter('logins_count:>10')[0], users[0])
})

test('the index is a snapshot of the users JSON form', () => {
  const users = [{ name: 'a', created_at: new Date(0), logins_count: 7n, nickname: undefined }]
  const index = new UserIndex(users)
  assert.equal(index.count('created_at:"1970-01-01T00:00:00.000Z" AND logins_count:7'), 1)
  assert.equal(index.count('_exists_:nickname'), 0)
  users[0].name = 'b'
  users.push({ name: 'a' })
  assert.equal(index.length, 1)
  assert.deepEqual(index.filter('name:a'), [users[0]])
})

test('bad input throws the package errors', () => {
  assert.throws(() => new UserIndex('users.json'), OptionsError)
  assert.throws(() => new UserIndex([{ n: 2n ** 64n }]), ConversionError)
  const index = new UserIndex([])
  assert.equal(index.count('*:*'), 0)
  assert.throws(() => index.count('a AND'), (e) => e instanceof QueryError && e.code === 'dangling_operator')
  assert.throws(() => index.filter(42), OptionsError)
})

test('UserIndex.build indexes off the main thread: a timer fires meanwhile', async () => {
  const users = []
  for (let i = 0; i < 100_000; i++) {
    users.push({ user_id: `auth0|${i}`, email: `user${i}@example.com`, logins_count: i % 50, app_metadata: { plan: 'free', n: i } })
  }
  let ticks = 0
  const timer = setInterval(() => ticks++, 1)
  let index
  try {
    const pending = UserIndex.build(users)
    const before = ticks
    index = await pending
    assert.ok(ticks > before, 'a 1 ms interval fired while the index was built')
  } finally {
    clearInterval(timer)
  }
  assert.ok(index instanceof UserIndex)
  assert.equal(index.length, 100_000)
  assert.equal(index.count('logins_count:[10 TO 19]'), 20_000)
  await assert.rejects(UserIndex.build('x'), OptionsError)
  await assert.rejects(UserIndex.build([{ n: 2n ** 64n }]), ConversionError)
})
