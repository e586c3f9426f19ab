#!/usr/bin/env node
// Cross-builds the Linux addons into their platform packages (npm/platforms/<target>/), with
// @napi-rs/cli's `-x` (cargo-zigbuild and zig; see scripts/packaging-tools.sh, which installs
// them): glibc targets against a glibc 2.17 floor, musl targets as dynamic cdylibs.
//
//   node scripts/build-platforms.js [target ...]     (default: every target marked built)
'use strict';

const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { targets, fileName } = require('./platforms');

const npmDir = path.resolve(__dirname, '..');

function fail(message) {
  console.error(`build-platforms: ${message}`);
  process.exit(1);
}

const wanted = process.argv.slice(2);
const chosen = wanted.length ? wanted.map((n) => targets.find((t) => t.name === n) || fail(`unknown target ${n}`)) : targets.filter((t) => t.built);
const pkg = require.resolve('@napi-rs/cli/package.json');
const napiCli = path.join(path.dirname(pkg), require(pkg).bin.napi);

for (const t of chosen) {
  if (!t.zig) fail(`${t.name} is not built here (it needs its vendor's SDK)`);
  const out = path.join(npmDir, 'platforms', t.name);
  const started = Date.now();
  // napi writes its generated declarations relative to the output folder; they go under target/.
  const args = ['build', '--platform', '--release', '--manifest-path', '../crates/azcred-node/Cargo.toml',
    '--output-dir', path.relative(npmDir, out), '--no-js', '--dts', path.relative(out, path.join(npmDir, '..', 'target', 'napi', `${t.name}.d.ts`)),
    '-x', '--target', t.zig];
  console.error(`$ napi ${args.join(' ')}`);
  try {
    execFileSync(process.execPath, [napiCli, ...args], { cwd: npmDir, stdio: 'inherit' });
  } catch (e) {
    fail(`napi build for ${t.name} failed (${e.status ?? e.message})`);
  }
  const file = path.join(out, fileName(t));
  if (!fs.existsSync(file)) fail(`${path.relative(npmDir, file)} was not written`);
  console.error(`build-platforms: ${path.relative(npmDir, file)} is ${fs.statSync(file).size} bytes (${((Date.now() - started) / 1000).toFixed(0)} s)`);
}
