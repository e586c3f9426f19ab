'use strict';
// One measurement in a fresh Node process, started by run.js:
//
//   node probe.js <mode> <impl> [arg]
//
// impl: native | wasm (azcred; run.js sets AZCRED_BACKEND to match) | reference
// (@azure/identity 4.14.1) | none (nothing imported: the bare-process baseline).
// Every mode writes a line starting "T" the moment its result exists (run.js takes the time of
// that line), then a JSON line with the details, then exits. Tokens are never printed: only their
// length and a short SHA-256 prefix, so run.js can tell which source supplied one.
//
// Modes:
//   import       hrtime around require(), then around `new DefaultAzureCredential()`; RSS after each
//   token        DefaultAzureCredential().getToken(scope); phases as ms since process start
//   error        the same, expected to fail: the error's name and first line
//   throughput   warm credential, then getToken in a loop for <arg> ms: calls per second
//   concurrent   <arg> concurrent getToken calls on a cold credential
//   blob         BlobServiceClient round trip against <arg> (Azurite's blob URL), one or two clients
//   baseline     bare node: one HTTP(S) GET of <arg> (the physical limit of a first token)

const started = performance.now(); // ms since this process started (performance.timeOrigin)

const SCOPE = 'https://storage.azure.com/.default';
const [mode, impl, arg] = process.argv.slice(2);

function load() {
  if (impl === 'reference') return require('@azure/identity');
  if (impl === 'native' || impl === 'wasm') return require('azcred');
  throw new Error(`probe: unknown implementation '${impl}'`);
}

/** The same constructor options for every implementation (JSON from run.js). */
function dacOptions() {
  const raw = process.env.AZCRED_BENCH_DAC_OPTIONS;
  return raw ? JSON.parse(raw) : undefined;
}

function fingerprint(token) {
  const crypto = require('node:crypto');
  return { len: token.length, sha: crypto.createHash('sha256').update(token).digest('hex').slice(0, 12) };
}

/** For azcred: the backend actually in use must be the one asked for. */
function backendOf(mod) {
  return impl === 'reference' ? 'reference' : mod.backend;
}

/** Writes the details and ends the process: at once, or, with AZCRED_BENCH_NATURAL_EXIT=1, by
 * letting it end by itself (whatever the library left running, sockets or timers, then counts:
 * the whole-process figure). */
function done(details) {
  const natural = process.env.AZCRED_BENCH_NATURAL_EXIT === '1';
  process.stdout.write(`${JSON.stringify(details)}\n`, () => {
    if (!natural) process.exit(0);
  });
}

function firstLine(s) {
  return String(s || '').split('\n')[0].slice(0, 300);
}

async function main() {
  switch (mode) {
    case 'import': {
      const rss0 = process.memoryUsage.rss();
      if (impl === 'none') {
        process.stdout.write('T\n');
        return done({ rssBare: rss0 });
      }
      const t0 = process.hrtime.bigint();
      const mod = load();
      const t1 = process.hrtime.bigint();
      const rssRequire = process.memoryUsage.rss();
      // The credential is what loads azcred's backend (native addon or wasm module); the
      // reference has everything loaded by require.
      const t2 = process.hrtime.bigint();
      const cred = new mod.DefaultAzureCredential();
      const t3 = process.hrtime.bigint();
      const rssConstruct = process.memoryUsage.rss();
      process.stdout.write('T\n');
      return done({
        requireMs: Number(t1 - t0) / 1e6,
        constructMs: Number(t3 - t2) / 1e6,
        rssBare: rss0,
        rssRequire,
        rssConstruct,
        backend: backendOf(mod),
        ok: Boolean(cred),
      });
    }
    case 'token':
    case 'secret':
    case 'error': {
      const mod = load();
      const required = performance.now();
      // `secret`: a ClientSecretCredential (tenant, client, secret and options in `arg`, JSON),
      // the credential the web build is compared with; otherwise DefaultAzureCredential.
      const secret = mode === 'secret' ? JSON.parse(arg) : null;
      const cred = secret
        ? new mod.ClientSecretCredential(secret.tenantId, secret.clientId, secret.clientSecret, secret.options)
        : new mod.DefaultAzureCredential(dacOptions());
      const constructed = performance.now();
      let token;
      let error;
      try {
        token = await cred.getToken(SCOPE);
      } catch (e) {
        error = e;
      }
      const finished = performance.now();
      process.stdout.write('T\n');
      const phases = { start: started, required, constructed, finished };
      if (error) {
        // The whole message (the aggregate lists every credential's reason; nothing secret).
        const message = String(error.message || '').slice(0, 4000);
        return done({ ok: false, name: error.name, message: firstLine(message), fullMessage: message, phases, backend: backendOf(mod) });
      }
      return done({ ok: true, token: fingerprint(token.token), phases, backend: backendOf(mod) });
    }
    case 'throughput': {
      const mod = load();
      const cred = new mod.DefaultAzureCredential(dacOptions());
      const durationMs = Number(arg);
      const first = await cred.getToken(SCOPE);
      // A short warm-up so both implementations are measured after the JIT has settled.
      const warmUntil = performance.now() + Math.min(300, durationMs / 4);
      while (performance.now() < warmUntil) await cred.getToken(SCOPE);
      let calls = 0;
      const t0 = performance.now();
      const until = t0 + durationMs;
      let same = true;
      for (;;) {
        const t = await cred.getToken(SCOPE);
        if (t.token !== first.token) same = false;
        calls += 1;
        if ((calls & 63) === 0 && performance.now() >= until) break;
      }
      const elapsed = performance.now() - t0;
      process.stdout.write('T\n');
      return done({ callsPerSecond: (calls / elapsed) * 1000, calls, elapsedMs: elapsed, sameToken: same, backend: backendOf(mod) });
    }
    case 'concurrent': {
      const mod = load();
      const cred = new mod.DefaultAzureCredential(dacOptions());
      const n = Number(arg);
      const results = await Promise.allSettled(Array.from({ length: n }, () => cred.getToken(SCOPE)));
      process.stdout.write('T\n');
      const ok = results.filter((r) => r.status === 'fulfilled');
      const failures = results.filter((r) => r.status === 'rejected').map((r) => firstLine(r.reason && r.reason.message));
      return done({
        ok: ok.length,
        failed: failures.length,
        firstFailure: failures[0],
        distinctTokens: new Set(ok.map((r) => r.value.token)).size,
        backend: backendOf(mod),
      });
    }
    case 'blob': {
      const mod = load();
      const { BlobServiceClient } = require('@azure/storage-blob');
      const crypto = require('node:crypto');
      const cred = new mod.DefaultAzureCredential(dacOptions());
      // The round trip a first program does: container, upload, download, clean up. With
      // AZCRED_BENCH_BLOB_CLIENTS=2 the download and clean-up go through a second client built
      // with the same credential (as an app with two SDK clients does): each client's pipeline
      // asks the credential for its own token.
      const clients = Number(process.env.AZCRED_BENCH_BLOB_CLIENTS || 1);
      const first = new BlobServiceClient(arg, cred);
      const name = `bench${crypto.randomBytes(6).toString('hex')}`;
      const container = first.getContainerClient(name);
      await container.create();
      const data = crypto.randomBytes(16 * 1024);
      await container.getBlockBlobClient('hello.bin').uploadData(data);
      const second = clients === 2 ? new BlobServiceClient(arg, cred).getContainerClient(name) : container;
      const back = await second.getBlockBlobClient('hello.bin').downloadToBuffer();
      await second.delete();
      process.stdout.write('T\n');
      return done({ ok: back.equals(data), clients, backend: backendOf(mod) });
    }
    case 'baseline': {
      // The physical limit: node's own start plus one request to the same endpoint, nothing else.
      const url = new URL(arg);
      const mod = url.protocol === 'https:' ? require('node:https') : require('node:http');
      const headers = process.env.AZCRED_BENCH_BASELINE_HEADERS ? JSON.parse(process.env.AZCRED_BENCH_BASELINE_HEADERS) : {};
      const req = mod.get(url, { headers, agent: false }, (res) => {
        res.resume();
        res.on('end', () => {
          process.stdout.write('T\n');
          done({ ok: res.statusCode === 200, status: res.statusCode, phases: { start: started, finished: performance.now() } });
        });
      });
      req.setTimeout(10000, () => req.destroy(new Error('baseline request timed out')));
      req.on('error', (e) => {
        process.stdout.write('T\n');
        done({ ok: false, message: e.message });
      });
      return undefined;
    }
    default:
      throw new Error(`probe: unknown mode '${mode}'`);
  }
}

main().catch((e) => {
  process.stderr.write(`probe ${mode} ${impl}: ${firstLine(e && e.stack)}\n`);
  process.exit(1);
});
