// Shared helpers for the node --test suites.
import { createRequire } from 'node:module'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

const require = createRequire(import.meta.url)
/** The package under test, loaded the way users load it. */
export const userio = require('../index.js')

/** A fresh temporary folder. */
export function tmpdir() {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'userio-node-'))
}
