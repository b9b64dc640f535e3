import { test } from 'node:test'
import assert from 'node:assert/strict'
import { userio } from './helpers.mjs'

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
  assert.equal(caught.code, 'empty_query')
  assert.equal(caught.offset, 3)
  assert.equal(caught.line, 1)
  assert.equal(caught.column, 4)
  assert.equal(caught.query, '   ')
  assert.equal(caught.found, 'end of query')
  assert.equal(typeof caught.expected, 'string')
  assert.ok(caught.excerpt.includes('^'))
})

test('query offsets are UTF-16 units', () => {
  // "é" is 2 bytes in UTF-8 but 1 UTF-16 unit; "😀" is 4 bytes and 2 units.
  for (const prefix of ['name:é', 'name:😀']) {
    let caught
    try {
      new userio.Query(`${prefix} AND`)
    } catch (e) {
      caught = e
    }
    assert.ok(caught instanceof QueryError)
    assert.equal(caught.code, 'dangling_operator')
    // The error is at the end of the query: its JavaScript length.
    assert.equal(caught.offset, `${prefix} AND`.length)
  }
})

test('a bad column throws ExpressionError', () => {
  let caught
  try {
    new userio.Column('Bad', 'user.(')
  } catch (e) {
    caught = e
  }
  assert.ok(caught instanceof ExpressionError)
  assert.equal(caught.columnName, 'Bad')
  assert.equal(caught.source, 'user.(')
  assert.equal(caught.code, 'expression_syntax')
  assert.equal(caught.offset, 5)
  assert.equal(caught.line, 1)
  assert.equal(caught.column, 6)
})

test('expression offsets are UTF-16 units', () => {
  // '"😀" +' : the error is at the end, byte 8 but UTF-16 index 6.
  const source = '"😀" +'
  assert.throws(
    () => new userio.Column('E', source),
    (e) => e instanceof ExpressionError && e.offset === source.length && e.column === 6,
  )
})

test('a failing cell throws CellError with the JavaScript error name', () => {
  const c = new userio.Column('Plan', 'user.app_metadata.plan')
  assert.deepEqual(c.eval({ app_metadata: { plan: 'pro' } }), { text: 'pro', value: 'pro' })
  const js = new userio.Column('Plan', 'user.app_metadata.plan.toUpperCase()')
  assert.throws(
    () => js.eval({}),
    (e) => e instanceof userio.CellError && e.code === 'cell_error' && /^TypeError\b/.test(e.message),
  )
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
