#!/usr/bin/env node
'use strict';
// Profiling aid for the cached-getToken figure (not part of the benchmark run): where a cached
// call's time goes, and what a core-issued lease would give. In one process, against a fake App
// Service endpoint on 127.0.0.1 that serves a token of <length> characters:
//
//   AZCRED_BACKEND=native node bench/tools/cached-path.js native 1100
//   node bench/tools/cached-path.js reference 1100
//
// Prints calls per second of: getToken (the public path); rawBegin (the binding's begin() alone,
// the request object prepared once; the answer is a plain object, no JSON); leasePrototype (a
// JS check of a "valid until" timestamp in front of getToken: what the driver would do if the
// core handed out such a lease with each token; the timestamp here is imitated from
// expiresOnTimestamp, the real one would be the core's). It reads azcred's private `_driven.core`.

const path = require('node:path');
const { startFakeEndpoint, tokenBody } = require(path.join(__dirname, '..', '..', 'tests', 'support', 'fake-endpoint'));

const SCOPE = 'https://storage.azure.com/.default';

async function rate(f) {
  for (const w = performance.now(); performance.now() - w < 300; ) await f(); // warm-up
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < 1000) {
    await f();
    n += 1;
  }
  return Math.round((n / (performance.now() - t0)) * 1000);
}

async function main() {
  const impl = process.argv[2] || 'native';
  const len = Number(process.argv[3] || 1100);
  const ep = await startFakeEndpoint();
  ep.setHandler(() => ({ status: 200, body: tokenBody('t'.repeat(len), 86400) }));
  process.env.IDENTITY_ENDPOINT = `${ep.url}/msi/token`;
  process.env.IDENTITY_HEADER = 'bench';
  try {
    const mod = impl === 'reference' ? require('@azure/identity') : require('azcred');
    const cred = new mod.DefaultAzureCredential();
    await cred.getToken(SCOPE);
    const out = { impl, tokenLength: len, getToken: await rate(() => cred.getToken(SCOPE)) };
    if (impl !== 'reference') {
      const core = cred._driven.core;
      const req = { scopes: [SCOPE], enableCae: false };
      out.rawBegin = await rate(() => core.begin(req, Date.now()));
      let lease = null;
      const leased = async (scopes, options) => {
        const key = JSON.stringify({ scopes: [scopes], enableCae: false, options });
        if (lease && lease.key === key && Date.now() < lease.until) return lease.token;
        const t = await cred.getToken(scopes, options);
        lease = { key, token: t, until: t.expiresOnTimestamp - 300000 };
        return t;
      };
      out.leasePrototype = await rate(() => leased(SCOPE));
    }
    process.stdout.write(`${JSON.stringify(out)}\n`);
  } finally {
    await ep.close();
  }
}

main().catch((e) => {
  process.stderr.write(`${e.stack}\n`);
  process.exitCode = 1;
});
