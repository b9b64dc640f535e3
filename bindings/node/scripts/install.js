#!/usr/bin/env node
// `npm install` hook of the `userio` package. Builds the native module from source
// (`node scripts/build.js --release`: plain cargo, needs Rust) unless one already loads.
//
// It does nothing when:
// - a native module for this platform already loads (a prebuilt or earlier build);
// - npm runs it for the package's own folder (`npm install` inside bindings/node, the
//   development flow: `npm run build:debug` builds there instead, into the workspace
//   `target/`), detected by INIT_CWD (the folder npm was started in) being this folder;
// - USERIO_SKIP_BUILD=1 is set.
// USERIO_FORCE_BUILD=1 builds even when a module loads.
'use strict'

const { spawnSync } = require('node:child_process')
const fs = require('node:fs')
const path = require('node:path')

const root = path.resolve(__dirname, '..')
const env = process.env

function real(p) {
  try {
    return fs.realpathSync(p)
  } catch {
    return path.resolve(p)
  }
}

function loads() {
  try {
    require(path.join(root, 'native.js'))
    return true
  } catch {
    return false
  }
}

function main() {
  if (env.USERIO_SKIP_BUILD === '1') {
    console.log('userio: USERIO_SKIP_BUILD=1, not building the native module')
    return 0
  }
  const force = env.USERIO_FORCE_BUILD === '1'
  if (!force && env.INIT_CWD && real(env.INIT_CWD) === real(root)) {
    console.log('userio: installing in its own folder; build with `npm run build:debug`')
    return 0
  }
  if (!force && loads()) {
    return 0
  }
  console.log('userio: building the native module from source (cargo build --release)...')



  const args = [path.join(__dirname, "build.js"), "--release"]
  const run = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' })
  if (run.error || run.status !== 0) {
    console.error(
      'userio: building the native module failed. It needs Rust (https://rustup.rs) and ' +
        'cargo on PATH; see the output above.',
    )
    return run.status || 1
  }
  return loads() ? 0 : 1
}

process.exit(main())
