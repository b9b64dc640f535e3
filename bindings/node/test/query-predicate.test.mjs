// Query.matches / Query.filter run the core's JavaScript predicate in V8 and fall back to
// the JSON path (JSON.stringify + the core) per user. These tests check that both paths agree
// on every query vector (each query against every vector user), and on JavaScript values
// JSON.stringify changes or rejects.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { userio, queryCorpus as corpus } from './helpers.mjs'

const { Query, ConversionError } = userio
const PREDICATE = Symbol.for('userio.query.predicate')
const JSON_PATH = Symbol.for('userio.query.matchesJson')

test('predicate == JSON path on every query vector, over every vector user', () => {
  const { queries, users } = corpus()
  let compared = 0
  let translated = 0
  const failures = []
  for (const { text, opts } of queries) {
    let q
    try {
      q = new Query(text, opts)
    } catch {
      continue
    }
    const p = q[PREDICATE]()
    if (p === null) {
      assert.match(text, /\//, `no predicate for ${text}, which holds no regex`)
      continue
    }
    translated++
    for (const u of users) {
      compared++
      const want = q[JSON_PATH](u)
      let got
      try {
        got = p(u)
      } catch (e) {
        got = `threw ${e === undefined ? e : JSON.stringify(e)}`
      }
      if (got !== want) failures.push(`${JSON.stringify(text)} on ${JSON.stringify(u)}: predicate ${got}, JSON ${want}`)
    }
    const filtered = q.filter(users)
    const want = users.filter((u) => q[JSON_PATH](u))
    if (filtered.length !== want.length || filtered.some((u, i) => u !== want[i])) failures.push(`${text}: filter differs`)
  }
  assert.deepEqual(failures.slice(0, 20), [])
  assert.ok(translated > 250 && compared > 60000, `${translated} queries, ${compared} comparisons`)
})

class Person {
  constructor(name) {
    this.name = name
  }
}

/** The JSON path's answer or error code, and the public API's, for one user. */
function both(q, u) {
  const run = (f) => {
    try {
      return f()
    } catch (e) {
      return `${e.constructor.name}:${e.code}`
    }
  }
  return [run(() => q.matches(u)), run(() => q[JSON_PATH](u)), run(() => q.filter([u]).length === 1)]
}

const QUERIES = [
  'name:x', 'name:X', '_exists_:name', 'n:7', 'n:[1 TO 10]', 'n:*', 'created_at:[2020 TO *]',
  'created_at:"2020-01-02T03:04:05.000Z"', 'x', '*:x', '*:7', 'constructor:c', '_exists_:constructor',
  '__proto__:p', '_exists_:__proto__', 'toString:t', '_exists_:valueOf', 'a.b:x', '_exists_:a', 'a:x',
  'NOT name:x', 'tags:x', '_exists_:tags', 'email.domain:x.com', '*:*',
]

const USERS = {
  date: { name: 'x', created_at: new Date(Date.UTC(2020, 0, 2, 3, 4, 5)) },
  dateNested: { a: { b: new Date(0) }, name: 'x' },
  bigintSafe: { n: 7n, name: 'x' },
  bigintArray: { tags: [1n, 'x'] },
  undefinedValues: { name: undefined, n: undefined, a: { b: undefined }, tags: [undefined] },
  functions: { name: () => 'x', a: { b() {} }, tags: [Symbol('x'), () => 1], n: Symbol('n') },
  classInstance: new Person('x'),
  nestedInstance: { a: new Person('x'), name: 'x' },
  nestedMap: { a: new Map([['b', 'x']]), tags: new Set(['x']) },
  protoKeys: { constructor: 'c', __proto__: 'ignored' },
  ownProto: JSON.parse('{"__proto__": "p", "toString": "t", "valueOf": 1}'),
  nullProto: Object.assign(Object.create(null), { name: 'x', constructor: 'c' }),
  noOwnKeys: {},
  holes: { tags: [, 'x', , undefined] }, // eslint-disable-line no-sparse-arrays
  nonFinite: { n: NaN, a: { b: Infinity }, tags: [NaN, -Infinity] },
  nonFiniteOnly: { a: NaN },
  toJSON: { name: 'y', toJSON() { return { name: 'x' } } },
  nestedToJSON: { a: { toJSON: () => ({ b: 'x' }) } },
  boxed: { name: new String('x'), n: new Number(7) },
  emailObject: { email: { domain: 'x.com' } },
  emailArray: { email: ['a@x.com'] },
  arrayUser: [{ name: 'x' }],
  nullUser: null,
  undefinedUser: undefined,
  stringUser: 'x',
  bigintUser: 7n,
  getter: { get name() { return 'x' } },
  definedProperty: Object.defineProperty({}, 'n', { value: 7, enumerable: true }),
}

test('predicate path == JSON path on JavaScript values JSON changes', () => {
  const failures = []
  for (const text of QUERIES) {
    const q = new Query(text)
    for (const [name, u] of Object.entries(USERS)) {
      const [viaApi, viaJson, viaFilter] = both(q, u)
      if (viaApi !== viaJson || viaFilter !== viaJson) {
        failures.push(`${text} on ${name}: matches ${viaApi}, filter ${viaFilter}, JSON path ${viaJson}`)
      }
    }
  }
  assert.deepEqual(failures, [])
})

test('unsafe BigInts and cycles the predicate reaches throw what the JSON path throws', () => {
  const big = { n: 2n ** 64n }
  assert.throws(() => new Query('n:1').matches(big), ConversionError)
  assert.throws(() => new Query('n:1').filter([big]), ConversionError)
  const cyclic = { self: null, tags: [], name: 'x' }
  cyclic.tags.push(cyclic.tags)
  cyclic.self = cyclic
  // `*:` walks everything (in key order): the cycle is reached and judged by the JSON path.
  assert.throws(() => new Query('*:x').matches(cyclic), ConversionError)
  assert.throws(() => new Query('tags:x').filter([cyclic]), ConversionError)
  // matches checks the whole user: the JSON path's errors, exactly.
  assert.throws(() => new Query('name:x').matches(cyclic), ConversionError)
  assert.throws(() => new Query('m:1').matches(big), ConversionError)
  // filter reads only the fields the query names: those are not converted.
  assert.equal(new Query('name:x').filter([cyclic]).length, 1)
  assert.equal(new Query('m:1').filter([big]).length, 0)
  assert.equal(new Query('name:x').filter([{ name: 'x', n: 2n ** 64n }]).length, 1)
})

test('lone surrogates the predicate reads go to the JSON path', () => {
  const u = { name: 'x\ud800', n: 7 }
  for (const text of ['name:x', 'name:x*', '_exists_:name', 'x', '*:x', 'NOT name:y', 'name:[a TO z]']) {
    assert.throws(() => new Query(text).matches(u), /not valid JSON text/, text)
  }
  assert.throws(() => new Query('n:7').matches(u), /not valid JSON text/)
  // filter: not read, not converted (the JSON path would refuse the whole user).
  assert.equal(new Query('n:7').filter([u]).length, 1)
})

test('deep nesting goes to the JSON path', () => {
  let v = 'x'
  for (let i = 0; i < 150; i++) v = [v]
  const q = new Query('a:x')
  assert.throws(() => q[PREDICATE]()({ a: v }), (e) => e !== undefined && !(e instanceof Error))
  assert.throws(() => q.matches({ a: v }), /not valid JSON text/)
  let w = 'x'
  for (let i = 0; i < 90; i++) w = [w]
  assert.equal(q.matches({ a: w }), true)
})

test('a polluted Object.prototype sends every user to the JSON path', () => {
  const q = new Query('plan:gold')
  assert.equal(q.matches({}), false)
  Object.prototype.plan = 'gold' // eslint-disable-line no-extend-native
  try {
    assert.equal(q.matches({}), false)
    assert.deepEqual(q.filter([{}, { plan: 'gold' }]).length, 1)
  } finally {
    delete Object.prototype.plan
  }
})

test('regex queries keep the JSON path', () => {
  const q = new Query('name:/jo.*/')
  assert.equal(q[PREDICATE](), null)
  assert.deepEqual(q.filter([{ name: 'john' }, { name: 'x' }]).length, 1)
  assert.equal(q.matches({ name: 'jo' }), true)
})
