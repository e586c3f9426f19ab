#!/usr/bin/env node
'use strict';
// The cost of a new scope as the cache fills (issue figure: at 40,000 distinct cached scopes, a
// new scope costs no more than 2x what it costs at 1,000). In one process, a
// ChainedTokenCredential over an in-process TokenCredential that answers at once, so each new
// scope is the whole acquisition path (begin, the flow, the member's token, finish, the cache
// insert and its eviction) and nothing else. Against @azure/identity's ChainedTokenCredential,
// which caches nothing, for scale.
//
//   AZCRED_BACKEND=native node bench/tools/many-scopes.js
//   AZCRED_BACKEND=wasm node bench/tools/many-scopes.js
//   node bench/tools/many-scopes.js reference
//
// Prints the mean µs per new scope over scopes 1,001-2,000 (1,000 already asked for, the JIT
// warm) and over scopes 39,001-40,000, and their ratio. (azcred's cache holds at most
// MAX_CACHED_TOKENS = 1,000 tokens, evicting the oldest, so both windows insert into a full
// cache: the figure shows eviction does not grow with what came before.)

const impl = process.argv[2] || 'azcred';
const mod = impl === 'reference' ? require('@azure/identity') : require('azcred');

class Instant {
  async getToken(scopes) {
    return { token: `t-${scopes[0]}`, expiresOnTimestamp: Date.now() + 3_600_000, tokenType: 'Bearer' };
  }
}

async function main() {
  const cred = new mod.ChainedTokenCredential(new Instant());
  const total = 40_000;
  const window = 1_000;
  const times = [];
  for (let i = 0; i < total; i += 1) {
    const t0 = performance.now();
    await cred.getToken(`https://app-${i}.example/.default`);
    times.push(performance.now() - t0);
  }
  const mean = (a) => (a.reduce((s, x) => s + x, 0) / a.length) * 1000;
  const first = mean(times.slice(window, 2 * window));
  const last = mean(times.slice(total - window));
  const label = impl === 'reference' ? 'reference' : `azcred ${mod.backend}`;
  console.log(`${label}: a new scope costs ${first.toFixed(1)} µs over scopes ${window + 1}-${2 * window}, ${last.toFixed(1)} µs over scopes ${total - window + 1}-${total}: ${(last / first).toFixed(2)}× (target ≤ 2×)`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
