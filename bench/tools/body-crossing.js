#!/usr/bin/env node
'use strict';
// Profiling aid for the boundary (not part of the benchmark run): what handing an HTTP answer's
// body to the core costs, as bytes (the Buffer the driver has from the socket, as it passes it
// now) and as a string (that Buffer decoded with toString('utf8'), as it passed it before),
// through one binary. Each round builds an App Service credential, begins,
// takes the request, hands the answer over and finishes: the whole cold path in the core, with
// no IO.
//
//   AZCRED_BACKEND=native node bench/tools/body-crossing.js [token length, default 1500]
//   AZCRED_BACKEND=wasm node bench/tools/body-crossing.js

const path = require('node:path');
const { Credential, TokenStore, name } = require(path.join(__dirname, '..', '..', 'npm', 'lib', 'backend')).load();

const length = Number(process.argv[2] || 1500);
const body = JSON.stringify({
  access_token: 'x'.repeat(length),
  expires_on: String(Math.floor(Date.now() / 1000) + 3600),
  resource: 'https://storage.azure.com',
  token_type: 'Bearer',
});
const received = Buffer.from(body);
const env = {
  vars: { IDENTITY_ENDPOINT: 'http://127.0.0.1:1/msi/token', IDENTITY_HEADER: 'h' },
  platform: 'linux',
  tzOffsetMinutes: 0,
  host: { runtime: 'Node', version: process.versions.node, os: 'Linux', arch: process.arch },
  logLevel: null,
};

function round(asBytes) {
  const cred = new Credential('ManagedIdentityCredential', {}, env, 1, new TokenStore());
  const begun = cred.begin({ scopes: ['https://storage.azure.com/.default'], enableCae: false }, Date.now());
  const flow = begun.flow;
  const step = flow.poll(Date.now());
  if (step.type !== 'perform') throw new Error(`unexpected ${step.type}`);
  const reply = { type: 'http', status: 200, headers: { 'content-type': 'application/json' }, body: asBytes ? received : received.toString('utf8') };
  flow.handle(reply, Date.now());
  flow.poll(Date.now());
  const out = cred.finish(flow, Date.now());
  if (!out.ok) throw new Error(out.error.message);
}

function rate(asBytes) {
  for (const w = performance.now(); performance.now() - w < 300; ) round(asBytes);
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < 1500) {
    round(asBytes);
    n += 1;
  }
  return (n / (performance.now() - t0)) * 1000;
}

const rows = [];
for (let i = 0; i < 3; i++) rows.push([rate(false), rate(true)]);
const best = (k) => Math.max(...rows.map((r) => r[k]));
console.log(`${name}: cold path in the core with a ${body.length}-byte answer, rounds/s (best of 3): body as a string ${Math.round(best(0))}, as bytes ${Math.round(best(1))} (${(best(1) / best(0)).toFixed(2)}x)`);
