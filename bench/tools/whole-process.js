#!/usr/bin/env node
'use strict';
// Profiling aid for the whole-process figure (not part of the benchmark run): fresh processes
// that start, get the first App Service token from the emulator and exit by themselves, against
// a bare node that makes the same request and exits, interleaved, with nothing from this
// shell's environment but PATH. With a second package folder (an older commit's `npm/`, built),
// both are measured in the same run, so a change in the figure can be told from a change in the
// machine:
//
//   AZCRED_BACKEND=native node bench/tools/whole-process.js [processes, default 30] [other npm/ folder]
//
// Prints the median time to the token and to exit, and exit as a multiple of the bare node's.

const path = require('node:path');
const { spawn } = require('node:child_process');
const { startEmulator } = require(path.join(__dirname, '..', '..', 'npm', 'lib', 'emulator'));

const reps = Number(process.argv[2] || 30);
const packages = { azcred: path.join(__dirname, '..', '..', 'npm') };
if (process.argv[3]) packages.other = path.resolve(process.argv[3]);

const SCOPE = 'https://storage.azure.com/.default';
const withPackage = (dir) =>
  `const m = require(${JSON.stringify(dir)}); new m.DefaultAzureCredential().getToken(${JSON.stringify(SCOPE)}).then(() => process.stdout.write('T\\n'));`;
const bare = `require('node:http').get(process.env.IDENTITY_ENDPOINT + '?api-version=2019-08-01&resource=https%3A%2F%2Fstorage.azure.com', { headers: { 'X-IDENTITY-HEADER': process.env.IDENTITY_HEADER } }, (res) => { let b = ''; res.on('data', (d) => (b += d)); res.on('end', () => { JSON.parse(b); process.stdout.write('T\\n'); }); });`;

function once(program, env) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    let token;
    const p = spawn(process.execPath, ['-e', program], { env });
    p.stdout.on('data', (d) => {
      if (token === undefined && String(d).includes('T')) token = performance.now() - t0;
    });
    p.on('error', reject);
    p.on('close', (code) => (code === 0 && token !== undefined ? resolve({ token, exit: performance.now() - t0 }) : reject(new Error(`exit ${code}`))));
  });
}

(async () => {
  const emu = await startEmulator();
  try {
    const env = { PATH: process.env.PATH, AZCRED_BACKEND: process.env.AZCRED_BACKEND || 'native', ...emu.appServiceEnv };
    const programs = { bare, ...Object.fromEntries(Object.entries(packages).map(([k, dir]) => [k, withPackage(dir)])) };
    const runs = Object.fromEntries(Object.keys(programs).map((k) => [k, []]));
    for (let i = 0; i < reps; i++) for (const [k, program] of Object.entries(programs)) runs[k].push(await once(program, env));
    const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
    const base = median(runs.bare.map((r) => r.exit));
    for (const [k, rs] of Object.entries(runs)) {
      const exit = median(rs.map((r) => r.exit));
      console.log(`${k.padEnd(7)} token ${median(rs.map((r) => r.token)).toFixed(1)} ms, exit ${exit.toFixed(1)} ms, ${(exit / base).toFixed(2)}x the bare node`);
    }
  } finally {
    await emu.close();
  }
})().catch((e) => {
  console.error(e.message);
  process.exitCode = 1;
});
