#!/usr/bin/env node
// Builds the wasm backend into npm/wasm/: cargo (wasm32, `wasm-release` profile), then
// wasm-bindgen --target nodejs, then wasm-opt -Oz from the npm `binaryen` package (Debian's
// wasm-opt corrupts wasm-bindgen output). Run through `npm run build:wasm`.
'use strict';

const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..', '..');
const outDir = path.join(root, 'npm', 'wasm');
const built = path.join(root, 'target', 'wasm32-unknown-unknown', 'wasm-release', 'azcred_wasm.wasm');

function fail(message) {
  console.error(`build-wasm: ${message}`);
  process.exit(1);
}

function run(program, args, hint) {
  console.error(`$ ${[program, ...args].join(' ')}`);
  try {
    execFileSync(program, args, { cwd: root, stdio: 'inherit' });
  } catch (e) {
    fail(e.code === 'ENOENT' ? `${program} not found: ${hint}` : `${program} failed (${e.status ?? e.message})`);
  }
}

// The CLI must be exactly the wasm-bindgen version in Cargo.lock (the schema versions must match).
function lockedWasmBindgenVersion() {
  const lock = fs.readFileSync(path.join(root, 'Cargo.lock'), 'utf8');
  const m = /\[\[package\]\]\nname = "wasm-bindgen"\nversion = "([^"]+)"/.exec(lock);
  if (!m) fail('wasm-bindgen is not in Cargo.lock');
  return m[1];
}

function wasmBindgenVersion() {
  try {
    return execFileSync('wasm-bindgen', ['--version'], { encoding: 'utf8' }).trim().split(' ')[1];
  } catch {
    return null;
  }
}

run('cargo', ['build', '-p', 'azcred-wasm', '--target', 'wasm32-unknown-unknown', '--profile', 'wasm-release'],
  'install Rust (https://rustup.rs), then rustup target add wasm32-unknown-unknown');

const want = lockedWasmBindgenVersion();
const have = wasmBindgenVersion();
if (have !== want) {
  fail(`wasm-bindgen ${want} not found${have ? ` (found ${have})` : ''}: ` +
    `run cargo install wasm-bindgen-cli --version ${want}`);
}
fs.rmSync(outDir, { recursive: true, force: true });
run('wasm-bindgen', ['--target', 'nodejs', '--out-dir', outDir, built], '');

const wasmFile = path.join(outDir, 'azcred_wasm_bg.wasm');
let wasmOpt;
try {
  wasmOpt = path.join(path.dirname(require.resolve('binaryen/package.json')), 'bin', 'wasm-opt');
} catch {
  fail('the npm package binaryen is not installed: run npm ci in npm/');
}
// wasm-bindgen's output uses these post-MVP features; wasm-opt must keep them.
run(process.execPath, [wasmOpt, '-Oz', '--enable-bulk-memory', '--enable-nontrapping-float-to-int',
  '--enable-sign-ext', '--enable-mutable-globals', '--enable-reference-types', '--enable-multivalue',
  '--strip-debug', '--strip-producers', '--strip-target-features',
  wasmFile, '-o', wasmFile], 'run npm ci in npm/');

console.error(`build-wasm: ${path.relative(root, wasmFile)} is ${fs.statSync(wasmFile).size} bytes`);
