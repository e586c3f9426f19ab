#!/usr/bin/env node
// Builds the native backend: the napi-rs addon as npm/native/azcred.<platform-triple>.node
// (for example azcred.linux-x64-gnu.node), which lib/backend.js looks for. The generated
// TypeScript declarations go to target/napi/azcred.d.ts (for comparing with the wasm ones); no JS
// loader is generated. Run through `npm run build:native`.
'use strict';

const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const npmDir = path.resolve(__dirname, '..');

function fail(message) {
  console.error(`build-native: ${message}`);
  process.exit(1);
}

let napiCli;
try {
  const pkg = require.resolve('@napi-rs/cli/package.json');
  napiCli = path.join(path.dirname(pkg), require(pkg).bin.napi);
} catch {
  fail('@napi-rs/cli is not installed: run npm ci in npm/');
}
try {
  execFileSync('cargo', ['--version'], { stdio: 'ignore' });
} catch {
  fail('cargo not found: install Rust (https://rustup.rs)');
}

const args = ['build', '--platform', '--release', '--manifest-path', '../crates/azcred-node/Cargo.toml',
  '--output-dir', 'native', '--no-js', '--dts', '../../target/napi/azcred.d.ts'];
console.error(`$ napi ${args.join(' ')}`);
try {
  execFileSync(process.execPath, [napiCli, ...args], { cwd: npmDir, stdio: 'inherit' });
} catch (e) {
  fail(`napi build failed (${e.status ?? e.message})`);
}

// The generated declarations name the boundary's types (lib/boundary.d.ts, written once); make
// them resolvable there, so tests/types/programs/boundary.ts can check the addon against them.
const dts = path.join(npmDir, '..', 'target', 'napi', 'azcred.d.ts');
const header = `import type { Begin, CoreOptions, EnvSnapshot, Finish, LogLevel, LogRecord, MemberReport, Reply, Step, TokenErrorValue, TokenRequest } from '../../npm/lib/boundary';\n`;
const generated = fs.readFileSync(dts, 'utf8');
if (!generated.startsWith(header)) fs.writeFileSync(dts, header + generated);

const built = fs.readdirSync(path.join(npmDir, 'native')).filter((n) => n.endsWith('.node'));
for (const n of built) {
  console.error(`build-native: npm/native/${n} is ${fs.statSync(path.join(npmDir, 'native', n)).size} bytes`);
}
