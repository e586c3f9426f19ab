#!/usr/bin/env node
'use strict';
// Runs the end-to-end suite: the backend-independent files once, the package's files once per
// backend (AZCRED_BACKEND=native, then wasm). Makes the test TLS material first and starts every
// node process with NODE_EXTRA_CA_CERTS pointing at the test CA.
//
//   node tests/run.js [--backend native|wasm] [file filter]

const path = require('node:path');
const fs = require('node:fs');
const { spawnSync } = require('node:child_process');
const { generateTlsMaterial } = require('./support/tls');

const root = __dirname;
const args = process.argv.slice(2);
const only = args.includes('--backend') ? [args[args.indexOf('--backend') + 1]] : ['native', 'wasm'];
const filter = args.find((a, i) => !a.startsWith('--') && args[i - 1] !== '--backend');

const tlsDir = path.join(root, '.tmp', 'tls');
const tls = generateTlsMaterial(tlsDir);
// IMDS points at a closed loopback port unless a test names another: no test may reach the real
// IMDS address.
const env = {
  ...process.env,
  AZCRED_TEST_TLS_DIR: tlsDir,
  NODE_EXTRA_CA_CERTS: tls.ca,
  AZCRED_IMDS_ENDPOINT: 'http://127.0.0.1:9',
};

const e2e = path.join(root, 'e2e');
const files = fs.readdirSync(e2e).filter((f) => /\.test\.m?js$/.test(f) && (!filter || f.includes(filter)));
const once = files.filter((f) => ['emulator.test.js', 'backend.test.js', 'logger.test.js', 'web.test.js'].includes(f));
const perBackend = files.filter((f) => !once.includes(f));

const runs = [];
if (once.length) runs.push({ label: 'backend-independent', files: once, env });
for (const b of only) {
  if (perBackend.length) runs.push({ label: `backend ${b}`, files: perBackend, env: { ...env, AZCRED_BACKEND: b } });
}

let failed = 0;
for (const run of runs) {
  console.log(`\n=== ${run.label}: ${run.files.join(', ')}`);
  const started = Date.now();
  const r = spawnSync(process.execPath, ['--test', '--test-concurrency=1', ...run.files.map((f) => path.join(e2e, f))], {
    env: run.env,
    stdio: 'inherit',
    timeout: 15 * 60 * 1000,
  });
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  if (r.status !== 0) {
    failed += 1;
    console.log(`=== ${run.label}: FAILED (${r.error ? r.error.message : `exit ${r.status}`}) in ${secs} s`);
  } else {
    console.log(`=== ${run.label}: passed in ${secs} s`);
  }
}
process.exitCode = failed ? 1 : 0;
