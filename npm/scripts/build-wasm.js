#!/usr/bin/env node
// Builds the wasm backend into npm/wasm/: cargo (wasm32, `wasm-release` profile), then
// wasm-bindgen --target nodejs, then wasm-opt -Oz. Run through `npm run build:wasm`.
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const { root, run, checkWasmBindgen, optimize } = require('./wasm-common');

const TOOL = 'build-wasm';
const outDir = path.join(root, 'npm', 'wasm');
const built = path.join(root, 'target', 'wasm32-unknown-unknown', 'wasm-release', 'azcred_wasm.wasm');

run(TOOL, 'cargo', ['build', '-p', 'azcred-wasm', '--target', 'wasm32-unknown-unknown', '--profile', 'wasm-release'],
  'install Rust (https://rustup.rs), then rustup target add wasm32-unknown-unknown');
checkWasmBindgen(TOOL);
fs.rmSync(outDir, { recursive: true, force: true });
run(TOOL, 'wasm-bindgen', ['--target', 'nodejs', '--out-dir', outDir, built], '');
const wasmFile = path.join(outDir, 'azcred_wasm_bg.wasm');
const size = optimize(TOOL, wasmFile);
console.error(`${TOOL}: ${path.relative(root, wasmFile)} is ${size} bytes`);
