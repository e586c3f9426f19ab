'use strict';
// The BlobServiceClient round trip on a developer machine, as its own process so that it can run
// inside the "laptop" network namespace (run.js starts it with `ip netns exec A`), where Azurite,
// the fake `az` and the probes then all live:
//
//   node blob-scenario.js <config.json>     prints one JSON line with the results
//
// config: { impls, reps, env, cert, key, azLog, timeoutMs }. Each round trip runs once with one
// BlobServiceClient and once with two clients sharing the credential; for each run it counts the
// lines the fake `az` logged: how many times the credential ran the Azure CLI.

const fs = require('node:fs');
const { startAzurite } = require('../../tests/support/azurite');
const { runProbe } = require('./child');
const { countLines } = require('./fixtures');

async function main() {
  const config = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
  // In-memory Azurite: nothing to clean up on disk.
  const azurite = await startAzurite({ cert: config.cert, key: config.key });
  const runs = [];
  try {
    for (let rep = 0; rep < config.reps; rep += 1) {
      for (const clients of [1, 2]) {
        for (const impl of rotate(config.impls, rep)) {
          const before = countLines(config.azLog);
          const r = await runProbe({
            mode: 'blob',
            impl,
            arg: azurite.blobUrl,
            env: { ...config.env, AZCRED_BENCH_BLOB_CLIENTS: String(clients) },
            timeoutMs: config.timeoutMs,
            guard: true,
          });
          runs.push({ impl, clients, ms: r.ms, azRuns: countLines(config.azLog) - before, ...summary(r) });
        }
      }
    }
  } finally {
    await azurite.stop();
  }
  process.stdout.write(`${JSON.stringify({ runs })}\n`);
}

function summary(r) {
  return {
    ok: Boolean(r.details && r.details.ok),
    backend: r.details && r.details.backend,
    timedOut: r.timedOut,
    blocked: r.blocked,
    error: r.details ? undefined : r.stderr.split('\n').slice(-3).join(' ').slice(0, 400),
  };
}

function rotate(list, n) {
  const k = n % list.length;
  return [...list.slice(k), ...list.slice(0, k)];
}

main().catch((e) => {
  process.stderr.write(`blob-scenario: ${e && e.stack}\n`);
  process.exit(1);
});
