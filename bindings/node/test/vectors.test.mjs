// Runs the shared, language-neutral vectors in tests/vectors/<area>/*.json through Node, so
// the package gives the same results as Rust and Python. One function per area; an area
// with no vector files is skipped.
//
// SKELETON: the vector formats are being written alongside the core. Each area function
// below loads its files and must be finished (the TODO) to the format documented in
// tests/vectors/<area>/README.md once the vectors are merged.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { userio } from './helpers.mjs'

const VECTORS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../tests/vectors')

/** The `*.json` files of one area, parsed, with their names. */
function load(area) {
  const dir = path.join(VECTORS, area)
  if (!fs.existsSync(dir)) return []
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => ({ file: f, dir, data: JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) }))
}

function area(name, run) {
  const files = load(name)
  if (files.length === 0) {
    test(`vectors/${name}`, { skip: `no vector files in tests/vectors/${name}` }, () => {})
    return
  }
  for (const f of files) run(f)
}

// import: validate(file or bytes) -> codes, pointers, positions of every issue.
function importVectors({ file, dir, data }) {
  test(`vectors/import/${file}`, { todo: 'finish for the import vector format' }, () => {
    // TODO(lead): map `data` to inputs and expected issues, e.g.
    // const report = userio.validate(path.join(dir, data.input))
    // assert.deepEqual(report.errors.map(pick), data.expected)
    assert.ok(data && dir && userio.validate)
  })
}

// query: parse -> matched ids over users (or a QueryError with code/offset/line/column).
function queryVectors({ file, data }) {
  test(`vectors/query/${file}`, { todo: 'finish for the query vector format' }, () => {
    // TODO(lead): for each case, new userio.Query(text).filter(users) -> ids, or
    // assert.throws(() => new userio.Query(text), userio.QueryError) with the position.
    assert.ok(data && userio.Query)
  })
}

// expr: column source -> cell value per user (or an ExpressionError).
function exprVectors({ file, data }) {
  test(`vectors/expr/${file}`, { todo: 'finish for the expr vector format' }, () => {
    // TODO(lead): exportSync([user], { columns: [{ name, source }], as: 'array' }).rows[0][name]
    assert.ok(data && userio.Column)
  })
}

// export: users + options -> exact output text.
function exportVectors({ file, data }) {
  test(`vectors/export/${file}`, { todo: 'finish for the export vector format' }, () => {
    // TODO(lead): assert.equal(userio.exportSync(users, options).output, expected)
    assert.ok(data && userio.exportSync)
  })
}

area('import', importVectors)
area('query', queryVectors)
area('expr', exprVectors)
area('export', exportVectors)
