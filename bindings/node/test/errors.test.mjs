import { test } from 'node:test'
import assert from 'node:assert/strict'
import { userio, core, needs } from './helpers.mjs'

const { UserioError, QueryError, ExpressionError, ReadError, WriteError, OptionsError, ConversionError } = userio

test('error classes form one hierarchy under Error', () => {
  for (const C of [QueryError, ExpressionError, ReadError, WriteError, OptionsError, ConversionError]) {
    const e = new C('m', 'some_code')
    assert.ok(e instanceof UserioError && e instanceof Error)
    assert.equal(e.name, C.name)
    assert.equal(e.code, 'some_code')
    assert.ok(e.stack.includes(C.name))
  }
})

test('a bad query throws QueryError with code and position', () => {
  assert.throws(() => new userio.Query('   '), QueryError)
  let caught
  try {
    new userio.Query('   ')
  } catch (e) {
    caught = e
  }
  assert.ok(caught instanceof UserioError)
  assert.equal(typeof caught.code, 'string')
  assert.equal(typeof caught.offset, 'number')
  assert.equal(caught.line, 1)
  assert.ok(caught.column >= 1)
  assert.equal(caught.query, '   ')
})

test('query offsets are UTF-16 units', needs(core.query), () => {
  // "é" is 2 bytes in UTF-8 but 1 UTF-16 unit; "😀" is 4 bytes and 2 units.
  for (const prefix of ['name:é', 'name:😀']) {
    let caught
    try {
      new userio.Query(`${prefix} AND`)
    } catch (e) {
      caught = e
    }
    assert.ok(caught instanceof QueryError)
    assert.ok(caught.offset <= `${prefix} AND`.length, `offset ${caught.offset} within the string`)
    assert.ok(caught.offset >= prefix.length)
  }
})

test('a bad column throws ExpressionError', needs(core.expr), () => {
  let caught
  try {
    new userio.Column('Bad', 'user.(')
  } catch (e) {
    caught = e
  }
  assert.ok(caught instanceof ExpressionError)
  assert.equal(caught.columnName, 'Bad')
  assert.equal(caught.source, 'user.(')
  assert.equal(typeof caught.offset, 'number')
})

test('wrong argument types throw OptionsError', () => {
  assert.throws(() => new userio.Query(42), OptionsError)
  assert.throws(() => userio.validate(42), OptionsError)
  assert.throws(() => userio.validate(Buffer.from('[]'), { maxErrors: -1 }), OptionsError)
  assert.throws(() => userio.exportSync([], { format: 'xml' }), (e) => e instanceof OptionsError && e.code === 'invalid_option')
  assert.throws(() => userio.exportSync([], { limit: 1.5 }), OptionsError)
  assert.throws(() => userio.exportSync({}), OptionsError)
  assert.throws(() => new userio.Query('a').filter('nope'), OptionsError)
})

test('values without a JSON form throw ConversionError', () => {
  const q = new userio.Query('email:x')
  const cyclic = { a: 1 }
  cyclic.self = cyclic
  assert.throws(() => q.matches(cyclic), (e) => e instanceof ConversionError && e.code === 'value_unconvertible')
  assert.throws(() => q.matches({ n: 2n ** 60n }), (e) => e instanceof ConversionError && e.code === 'bigint_unsafe' && /"n"/.test(e.message))
})
