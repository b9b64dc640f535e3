#!/usr/bin/env node
// Builds the native module with plain `cargo build -p userio-node` and copies it next to
// native.js as `userio.<platform>-<arch>[-<abi>].node`, the name native.js loads.
//
// Why not `napi build`: it always passes `--target <triple>`, which makes cargo build into
// `target/<triple>/` and compile every dependency (boa included) a second time next to the
// workspace's `target/debug`. This script reuses `target/debug` (or `target/release`).
// `npm run build:types` still runs `napi build` to regenerate native.js / native.d.ts.
//
// Usage: node scripts/build.js [--release]
'use strict'

const { spawnSync } = require('node:child_process')
const fs = require('node:fs')
const path = require('node:path')

const root = path.resolve(__dirname, '..')

function platformName() {
  const { platform, arch } = process
  if (platform === 'linux') {
    const glibc = process.report?.getReport?.()?.header?.glibcVersionRuntime
    const abi = arch === 'arm' ? 'gnueabihf' : 'gnu'
    return `linux-${arch}-${glibc ? abi : 'musl'}`
  }
  if (platform === 'win32') return `win32-${arch}-msvc`
  return `${platform}-${arch}`
}

function libraryFile(dir) {
  if (process.platform === 'win32') return path.join(dir, 'userio_node.dll')
  if (process.platform === 'darwin') return path.join(dir, 'libuserio_node.dylib')
  return path.join(dir, 'libuserio_node.so')
}

function main() {
  const release = process.argv.includes('--release')
  const cargo = process.env.CARGO || 'cargo'
  const args = ['build', '-p', 'userio-node', '--message-format=json-render-diagnostics']
  if (release) args.push('--release')
  const run = spawnSync(cargo, args, {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 1 << 28,
    encoding: 'utf8',
  })
  if (run.error || run.status !== 0) {
    console.error(`userio: \`${cargo} ${args.join(' ')}\` failed`, run.error ? run.error.message : '')
    return run.status || 1
  }
  // The cdylib's path, from cargo's own artifact messages.
  let built = null
  for (const line of run.stdout.split('\n')) {
    if (!line.startsWith('{')) continue
    const msg = JSON.parse(line)
    if (msg.reason === 'compiler-artifact' && msg.target?.name === 'userio_node') {
      built = msg.filenames.find((f) => /\.(so|dylib|dll)$/.test(f)) ?? built
    }
  }
  built ??= libraryFile(path.join(root, '..', '..', 'target', release ? 'release' : 'debug'))
  const dest = path.join(root, `userio.${platformName()}.node`)
  fs.copyFileSync(built, dest)
  console.log(`userio: ${path.relative(process.cwd(), built)} -> ${path.relative(process.cwd(), dest)}`)
  return 0
}

process.exit(main())
