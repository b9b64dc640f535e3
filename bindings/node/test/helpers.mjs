// Shared helpers for the node --test suites.
import { createRequire } from 'node:module'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

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
