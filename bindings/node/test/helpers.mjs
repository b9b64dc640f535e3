// Shared helpers for the node --test suites.
import { createRequire } from 'node:module'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const require = createRequire(import.meta.url)
/** The package under test, loaded the way users load it. */
export const userio = require('../index.js')

const made = []
process.on('exit', () => {
  for (const dir of made) fs.rmSync(dir, { recursive: true, force: true })
})

/** A fresh temporary folder, removed when the test process exits. */
export function tmpdir() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'userio-node-'))
  made.push(dir)
  return dir
}

const QUERY_VECTORS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../tests/vectors/query')

/**
 * Every query of tests/vectors/query (with its options) and the lucene-kit corpus, and all
 * their users: the pool the differential query tests run each query against.
 */
export function queryCorpus() {
  const queries = []
  const users = []
  for (const file of fs.readdirSync(QUERY_VECTORS).filter((f) => f.endsWith('.json')).sort()) {
    for (const c of JSON.parse(fs.readFileSync(path.join(QUERY_VECTORS, file), 'utf8')).cases) {
      queries.push({ text: c.query, opts: { defaultOperator: c.options?.default_operator } })
      if ('user' in c) users.push(c.user)
    }
  }
  const kit = path.join(QUERY_VECTORS, 'lucene-kit')
  users.push(...JSON.parse(fs.readFileSync(path.join(kit, 'lucene-kit-persons.json'), 'utf8')))
  for (const line of fs.readFileSync(path.join(kit, 'lucene-kit-queries.jsonl'), 'utf8').split('\n')) {
    if (line.trim()) queries.push({ text: JSON.parse(line).query, opts: {} })
  }
  return { queries, users }
}
