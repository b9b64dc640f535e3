// index.d.ts must describe the runtime exactly: every exported name exists, and nothing
// exported at runtime is missing from the types.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import { userio } from './helpers.mjs'

const dts = fs.readFileSync(new URL('../index.d.ts', import.meta.url), 'utf8')

function declaredValues() {
  const names = new Set()
  for (const m of dts.matchAll(/^export declare (?:function|class|const) (\w+)/gm)) names.add(m[1])
  for (const m of dts.matchAll(/^export \{ (\w+) as (\w+) \}/gm)) names.add(m[2])
  return names
}

test('every value declared in index.d.ts exists at runtime, and vice versa', () => {
  const declared = declaredValues()
  const runtime = new Set(Object.keys(userio))
  assert.deepEqual([...declared].sort(), [...runtime].sort())
})

test('declared classes are classes and functions are functions', () => {
  for (const m of dts.matchAll(/^export declare class (\w+)/gm)) {
    assert.equal(typeof userio[m[1]], 'function', m[1])
    assert.ok(userio[m[1]].prototype, m[1])
  }
  for (const m of dts.matchAll(/^export declare function (\w+)/gm)) {
    assert.equal(typeof userio[m[1]], 'function', m[1])
  }
  assert.equal(typeof userio.export, 'function')
})
