// What the Node and web wasm builds share: running a tool, the wasm-bindgen CLI pinned to
// Cargo.lock's version, and wasm-opt -Oz from the npm `binaryen` package (Debian's wasm-opt
// corrupts wasm-bindgen output).
'use strict';

const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..', '..');

function fail(tool, message) {
  console.error(`${tool}: ${message}`);
  process.exit(1);
}

function run(tool, program, args, hint) {
  console.error(`$ ${[program, ...args].join(' ')}`);
  try {
    execFileSync(program, args, { cwd: root, stdio: 'inherit' });
  } catch (e) {
    fail(tool, e.code === 'ENOENT' ? `${program} not found: ${hint}` : `${program} failed (${e.status ?? e.message})`);
  }
}

// The CLI must be exactly the wasm-bindgen version in Cargo.lock (the schema versions must match).
function checkWasmBindgen(tool) {
  const lock = fs.readFileSync(path.join(root, 'Cargo.lock'), 'utf8');
  const m = /\[\[package\]\]\nname = "wasm-bindgen"\nversion = "([^"]+)"/.exec(lock);
  if (!m) fail(tool, 'wasm-bindgen is not in Cargo.lock');
  let have = null;
  try {
    have = execFileSync('wasm-bindgen', ['--version'], { encoding: 'utf8' }).trim().split(' ')[1];
  } catch {
    // not installed
  }
  if (have !== m[1]) {
    fail(tool, `wasm-bindgen ${m[1]} not found${have ? ` (found ${have})` : ''}: run cargo install wasm-bindgen-cli --version ${m[1]}`);
  }
}

/** Runs wasm-opt -Oz on `wasmFile` in place and returns its size. */
function optimize(tool, wasmFile) {
  let wasmOpt;
  try {
    wasmOpt = path.join(path.dirname(require.resolve('binaryen/package.json')), 'bin', 'wasm-opt');
  } catch {
    fail(tool, 'the npm package binaryen is not installed: run npm ci in npm/');
  }
  // wasm-bindgen's output uses these post-MVP features; wasm-opt must keep them.
  run(tool, process.execPath, [wasmOpt, '-Oz', '--enable-bulk-memory', '--enable-nontrapping-float-to-int',
    '--enable-sign-ext', '--enable-mutable-globals', '--enable-reference-types', '--enable-multivalue',
    '--strip-debug', '--strip-producers', '--strip-target-features',
    wasmFile, '-o', wasmFile], 'run npm ci in npm/');
  return fs.statSync(wasmFile).size;
}

module.exports = { root, fail, run, checkWasmBindgen, optimize };
