#!/usr/bin/env node
'use strict';
// azcred benchmark: azcred (native addon and wasm) against @azure/identity 4.14.1, side by side in
// one run. Every figure comes from fresh Node processes (probe.js), interleaved across the three
// implementations so that noise from the machine spreads over all of them, and is shown as
// median (min–max) with the ratio of azcred's median to the reference's.
//
//   bash scripts/setup.sh && (cd bench && npm ci)     once: builds npm/, installs the reference
//   node bench/run.js                                 everything, about 3 minutes on 2 cores
//   node bench/run.js --quick                         fewer repetitions, about 1 minute
//   node bench/run.js --only import,appservice        some scenarios (names below)
//   node bench/run.js --write                         also update the generated part of RESULTS.md
//
// Scenarios: import size appservice workload devmachine refused throughput concurrent blob.
// devmachine and blob build network namespaces and need root (otherwise devmachine is skipped and
// blob falls back to a refused IMDS port). See README.md for what each one does and why.

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawn, execFileSync } = require('node:child_process');

const { runProbe, killAll } = require('./lib/child');
const { IMPLS, stats, num, ratioRow, customRow, markdownTable, ratioText } = require('./lib/report');
const fx = require('./lib/fixtures');
const netns = require('./lib/netns');
const { measureSizes } = require('./lib/size');
const { generateTlsMaterial } = require('../tests/support/tls');
const { startEmulator } = require('../npm/lib/emulator');
const web = require('../tests/support/web-runtimes');

const ALL = ['import', 'size', 'appservice', 'workload', 'web', 'devmachine', 'refused', 'throughput', 'concurrent', 'blob'];
const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const write = argv.includes('--write');
const onlyArg = argv.find((a) => a.startsWith('--only'));
const only = onlyArg ? (onlyArg.includes('=') ? onlyArg.split('=')[1] : argv[argv.indexOf(onlyArg) + 1]).split(',') : ALL;
for (const s of only) if (!ALL.includes(s)) usage(`unknown scenario '${s}'`);

// Repetitions (fresh processes per implementation). The refused-port scenario is short for azcred
// but takes the reference tens of seconds per run, hence fewer runs.
const REPS = quick
  ? { import: 4, appservice: 4, workload: 4, web: 3, devDrop: 4, devLive: 2, refused: 1, throughput: 2, concurrent: 2, blob: 1 }
  : { import: 10, appservice: 10, workload: 10, web: 8, devDrop: 10, devLive: 5, refused: 3, throughput: 5, concurrent: 5, blob: 3 };
const THROUGHPUT_MS = quick ? 1000 : 2000;
const CONCURRENT_CALLS = 100;
const SCOPE_RESOURCE = 'https://storage.azure.com';
const SLOW_IMDS_MS = 900;
const PROBE_TIMEOUT_MS = 60000;
const REFUSED_TIMEOUT_MS = 180000;

function usage(msg) {
  process.stderr.write(`run.js: ${msg}\nusage: node bench/run.js [--quick] [--write] [--only ${ALL.join(',')}]\n`);
  process.exit(2);
}

const log = (msg) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);

// ---------------------------------------------------------------------------------------------
// Set-up and clean-up

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'azcred-bench-'));
const cleanups = [];
let cleaned = false;
function cleanupAll() {
  if (cleaned) return;
  cleaned = true;
  killAll();
  // Synchronous steps only (netns removal, kills), so this also works from a signal handler.
  for (const c of cleanups.reverse()) {
    try {
      c();
    } catch {
      // Best effort: keep cleaning.
    }
  }
  fs.rmSync(work, { recursive: true, force: true });
}
process.on('exit', cleanupAll);
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    log(`${sig}: cleaning up`);
    cleanupAll();
    process.exit(130);
  });
}

const emptyBin = path.join(work, 'empty-bin');
const home = path.join(work, 'home');
fs.mkdirSync(emptyBin);
fs.mkdirSync(home);

/** The whole environment of a probe: nothing from this shell (no Azure variables, no proxies, no
 * PATH with real developer tools), plus what the scenario adds. */
function baseEnv(extra = {}) {
  return { PATH: emptyBin, HOME: home, TMPDIR: work, ...extra };
}

function rotate(list, n) {
  const k = n % list.length;
  return [...list.slice(k), ...list.slice(0, k)];
}

/** Runs `reps` rounds; in each, every implementation once, starting with a different one. */
async function interleaved(impls, reps, fn) {
  const out = Object.fromEntries(impls.map((i) => [i, []]));
  for (let rep = 0; rep < reps; rep += 1) {
    for (const impl of rotate(impls, rep)) out[impl].push(await fn(impl, rep));
  }
  return out;
}

/** A probe result must be a success from the backend asked for, with no blocked connection. */
function check(r, impl, what) {
  const problems = [];
  if (r.timedOut) problems.push('timed out');
  if (r.blocked.length) problems.push(`network guard: ${r.blocked[0]}`);
  if (!r.details) problems.push(`no result (exit ${r.code}): ${r.stderr.split('\n').slice(-2).join(' ').slice(0, 300)}`);
  else if (impl !== 'none' && impl !== 'baseline' && r.details.backend && r.details.backend !== impl) {
    problems.push(`backend is ${r.details.backend}, not ${impl}`);
  }
  if (problems.length) issues.push(`${what} [${impl}]: ${problems.join('; ')}`);
  return problems.length === 0;
}

const issues = []; // anything that makes a figure doubtful; printed and makes the exit code 1
const notes = []; // context printed under the table
const rows = [];
const phaseTables = [];

function okValues(results, pick) {
  return Object.fromEntries(Object.entries(results).map(([k, rs]) => [k, rs.filter((r) => r.ok).map(pick)]));
}

// ---------------------------------------------------------------------------------------------
// Scenarios

async function scenarioImport() {
  log(`import: require() and new DefaultAzureCredential(), ${REPS.import} processes each`);
  const res = await interleaved(IMPLS, REPS.import, async (impl) => {
    const r = await runProbe({ mode: 'import', impl, env: baseEnv(), timeoutMs: PROBE_TIMEOUT_MS });
    return { ok: check(r, impl, 'import'), ...r.details };
  });
  const MB = 1024 * 1024;
  const bare = stats(Object.values(res).flat().filter((r) => r.ok).map((r) => r.rssBare / MB));
  const t = { native: 0.1, wasm: 0.25 };
  rows.push(
    ratioRow({
      figure: 'require() time',
      unit: 'ms',
      values: okValues(res, (r) => r.requireMs),
      sense: 'atMost',
      target: t,
      targetText: '≤ 0.1 native, ≤ 0.25 wasm',
    }),
    ratioRow({
      figure: 'require() + new DefaultAzureCredential() (azcred loads its backend here)',
      unit: 'ms',
      values: okValues(res, (r) => r.requireMs + r.constructMs),
      sense: 'atMost',
      target: t,
      targetText: '≤ 0.1 native, ≤ 0.25 wasm',
    }),
    ratioRow({
      figure: 'RSS growth from require()',
      unit: 'MB',
      values: okValues(res, (r) => (r.rssRequire - r.rssBare) / MB),
      sense: 'atMost',
      target: 0.2,
      targetText: '≤ 0.2',
    }),
    ratioRow({
      figure: 'RSS growth from require() + new DefaultAzureCredential()',
      unit: 'MB',
      values: okValues(res, (r) => (r.rssConstruct - r.rssBare) / MB),
      sense: 'atMost',
      target: 0.2,
      targetText: '≤ 0.2',
    }),
  );
  notes.push(
    `RSS of the bare node process before the import: ${num(bare && bare.median)} MB (median); growth is measured in the same process.`,
    'require(\'azcred\') loads no backend; the first credential does, so the second row is the one that includes the native addon or the wasm module.',
  );
}

async function scenarioSize() {
  log('size: npm pack of npm/ and npm install of @azure/identity@4.14.1 into empty folders');
  const s = measureSizes(path.join(work, 'size'), (m) => log(`size: ${m}`));
  const MB = 1e6;
  const ratio = s.azcred.bytes / s.reference.bytes;
  rows.push(
    customRow({
      figure: 'installed size (du -sb node_modules)',
      cells: {
        native: `${num(s.azcred.bytes / MB)} MB, ${s.azcred.files} files, ${s.azcred.packages.length} package`,
        wasm: '(the same package: both backends)',
        reference: `${num(s.reference.bytes / MB)} MB, ${s.reference.files} files, ${s.reference.packages.length} packages`,
      },
      ratio: ratioText(ratio),
      targetText: '≤ 0.1',
      met: ratio <= 0.1,
    }),
    customRow({
      figure: 'runtime dependencies installed',
      cells: {
        native: s.zeroDeps ? '0 (its own addon packages aside: one per platform, in optionalDependencies)' : `${s.extraPackages.length} (${s.declaredDeps.join(', ') || s.extraPackages.join(', ')})`,
        wasm: '(same)',
        reference: String(s.reference.packages.length - 1),
      },
      targetText: '0',
      met: s.zeroDeps,
    }),
  );
  notes.push(
    `Packed azcred: ${s.tarball.name}, ${num(s.tarball.bytes / 1e3)} kB compressed, ${s.tarball.entries} files; installed tree: ${s.azcred.packages.join(', ')}; declared runtime dependencies: ${s.declaredDeps.length ? s.declaredDeps.join(', ') : 'none'}.`,
  );
}

/** Median phases (ms since process start) of token probes, for the "where the time goes" table. */
function phaseTable(title, res, baselineRuns) {
  const lines = [`${title}`, '', '| | node start → probe script | require | construct | getToken | → "T" seen by the harness | total |', '|---|---|---|---|---|---|---|'];
  for (const impl of [...IMPLS, ...(baselineRuns ? ['baseline'] : [])]) {
    const rs = (impl === 'baseline' ? baselineRuns : res[impl]).filter((r) => r.ok && r.phases);
    if (!rs.length) continue;
    const med = (f) => stats(rs.map(f)).median;
    const p = (r) => r.phases;
    if (impl === 'baseline') {
      lines.push(`| bare node + 1 request | ${num(med((r) => p(r).start))} | – | – | ${num(med((r) => p(r).finished - p(r).start))} | ${num(med((r) => r.ms - p(r).finished))} | ${num(med((r) => r.ms))} |`);
    } else {
      lines.push(
        `| ${impl} | ${num(med((r) => p(r).start))} | ${num(med((r) => p(r).required - p(r).start))} | ${num(med((r) => p(r).constructed - p(r).required))} | ${num(med((r) => p(r).finished - p(r).constructed))} | ${num(med((r) => r.ms - p(r).finished))} | ${num(med((r) => r.ms))} |`,
      );
    }
  }
  phaseTables.push(lines.join('\n'));
}

/** How far the first-token medians are from a bare node that makes the same request. */
function limitRow(what, res, baseline) {
  const limit = stats(baseline.filter((r) => r.ok).map((r) => r.ms));
  const over = (impl) => {
    const s = stats(res[impl].filter((r) => r.ok).map((r) => r.ms));
    return s && limit ? `+${num(s.median - limit.median)} ms (${(s.median / limit.median).toFixed(2)}× the limit)` : 'n/a';
  };
  return customRow({
    figure: `physical limit: bare node + 1 ${what} = ${num(limit && limit.median)} ms (${num(limit && limit.min)}–${num(limit && limit.max)}); first token above it`,
    cells: { native: over('native'), wasm: over('wasm'), reference: over('reference') },
    targetText: '(reported)',
  });
}

async function scenarioAppService() {
  log(`appservice: process start → first token, App Service managed identity (emulator), ${REPS.appservice} processes each, plus the bare-node limit`);
  const emu = await startEmulator();
  cleanups.push(() => emu.close());
  try {
    // Each process ends by itself, so the whole-process figure (spawn → exit) counts whatever a
    // library leaves running after the token.
    const env = baseEnv({ ...emu.appServiceEnv, AZCRED_BENCH_NATURAL_EXIT: '1' });
    const tokenUrl = `${emu.appServiceEnv.IDENTITY_ENDPOINT}?api-version=2019-08-01&resource=${encodeURIComponent(SCOPE_RESOURCE)}`;
    const baselineEnv = baseEnv({
      AZCRED_BENCH_BASELINE_HEADERS: JSON.stringify({ 'X-IDENTITY-HEADER': emu.appServiceEnv.IDENTITY_HEADER }),
      AZCRED_BENCH_NATURAL_EXIT: '1',
    });
    const res = await interleaved([...IMPLS, 'baseline'], REPS.appservice, async (impl) => {
      const r =
        impl === 'baseline'
          ? await runProbe({ mode: 'baseline', impl: 'none', arg: tokenUrl, env: baselineEnv, timeoutMs: PROBE_TIMEOUT_MS, guard: true })
          : await runProbe({ mode: 'token', impl, env, timeoutMs: PROBE_TIMEOUT_MS, guard: true });
      const ok = check(r, impl, 'appservice') && r.details.ok === true;
      if (!ok && r.details) issues.push(`appservice [${impl}]: ${r.details.name || ''} ${r.details.message || r.details.status || ''}`);
      return { ok, ms: r.ms, exitMs: r.exitMs, phases: r.details && r.details.phases };
    });
    const baseline = res.baseline;
    delete res.baseline;
    const whole = stats(baseline.filter((r) => r.ok).map((r) => r.exitMs));
    const wholeRatio = (impl) => {
      const s = stats(res[impl].filter((r) => r.ok).map((r) => r.exitMs));
      return s && whole ? { median: s.median, ratio: s.median / whole.median } : null;
    };
    const overWhole = (impl) => {
      const w = wholeRatio(impl);
      return w ? `${num(w.median)} ms (${w.ratio.toFixed(2)}× the limit)` : 'n/a';
    };
    rows.push(
      ratioRow({
        figure: 'process start → first token, App Service managed identity',
        unit: 'ms',
        values: okValues(res, (r) => r.ms),
        sense: 'atMost',
        target: 0.5,
        targetText: '≤ 0.5',
      }),
    );
    rows.push(limitRow('loopback HTTP request', res, baseline));
    rows.push(
      customRow({
        figure: `whole process (start, first App Service token, exit by itself) against a bare node that makes the same request and exits = ${num(whole && whole.median)} ms`,
        cells: { native: overWhole('native'), wasm: overWhole('wasm'), reference: overWhole('reference') },
        targetText: '≤ 1.05× native, ≤ 1.15× wasm',
        met: {
          native: wholeRatio('native') ? wholeRatio('native').ratio <= 1.05 : null,
          wasm: wholeRatio('wasm') ? wholeRatio('wasm').ratio <= 1.15 : null,
        },
      }),
    );
    phaseTable('App Service managed identity, median ms per phase (from performance.now() in the probe; "total" is spawn → "T" line):', res, baseline);
  } finally {
    await emu.close();
  }
}

async function scenarioWorkload(tls) {
  log(`workload: process start → first token, workload identity against a fake Entra over HTTPS, ${REPS.workload} processes each`);
  const assertion = `eyJhbGciOiJSUzI1NiIsImtpZCI6ImJlbmNoIn0.${Buffer.from('x'.repeat(600)).toString('base64url')}.c2ln`;
  const tokenFile = path.join(work, 'federated-token');
  fs.writeFileSync(tokenFile, `${assertion}\n`);
  const token = fx.mintJwt('entra');
  const expected = fx.fingerprint(token);
  const entra = await fx.startFakeEntra(tls, assertion, token);
  cleanups.push(() => entra.close());
  try {
    const env = baseEnv({
      NODE_EXTRA_CA_CERTS: tls.ca,
      AZURE_FEDERATED_TOKEN_FILE: tokenFile,
      AZURE_CLIENT_ID: fx.CLIENT_ID,
      AZURE_TENANT_ID: fx.TENANT,
      AZURE_AUTHORITY_HOST: entra.url,
      // Without it the reference first asks login.microsoftonline.com for instance discovery
      // (any authority host it has no built-in metadata for); that must not leave the machine.
      AZCRED_BENCH_DAC_OPTIONS: JSON.stringify({ disableInstanceDiscovery: true }),
    });
    // The physical limit over HTTPS: a bare node making one request to the same server (with the
    // same NODE_EXTRA_CA_CERTS, which node reads at start-up), nothing else.
    const metadataUrl = `${entra.url}/${fx.TENANT}/v2.0/.well-known/openid-configuration`;
    const res = await interleaved([...IMPLS, 'baseline'], REPS.workload, async (impl) => {
      const mark = entra.requests.length;
      if (impl === 'baseline') {
        const r = await runProbe({ mode: 'baseline', impl: 'none', arg: metadataUrl, env, timeoutMs: PROBE_TIMEOUT_MS, guard: true });
        return { ok: check(r, impl, 'workload baseline') && r.details.ok === true, ms: r.ms, phases: r.details && r.details.phases };
      }
      const r = await runProbe({ mode: 'token', impl, env, timeoutMs: PROBE_TIMEOUT_MS, guard: true });
      let ok = check(r, impl, 'workload');
      if (ok && !(r.details.ok && r.details.token.sha === expected.sha)) {
        issues.push(`workload [${impl}]: ${r.details.ok ? 'a token other than the fake Entra\'s' : `${r.details.name}: ${r.details.message}`}`);
        ok = false;
      }
      return { ok, ms: r.ms, phases: r.details && r.details.phases, requests: entra.requests.length - mark };
    });
    const baseline = res.baseline;
    delete res.baseline;
    rows.push(
      ratioRow({
        figure: 'process start → first token, workload identity (HTTPS, CA via NODE_EXTRA_CA_CERTS)',
        unit: 'ms',
        values: okValues(res, (r) => r.ms),
        sense: 'atMost',
        target: 0.5,
        targetText: '≤ 0.5',
      }),
    );
    const reqs = (impl) => stats(res[impl].filter((r) => r.ok).map((r) => r.requests));
    notes.push(
      `Workload identity, requests to the fake Entra per process (median): native ${num(reqs('native') && reqs('native').median)}, wasm ${num(reqs('wasm') && reqs('wasm').median)}, reference ${num(reqs('reference') && reqs('reference').median)} (the reference reads the OpenID metadata of an authority host it has no built-in metadata for; for login.microsoftonline.com it would not). Both run with disableInstanceDiscovery: true.`,
    );
    rows.push(limitRow('HTTPS request (CA from NODE_EXTRA_CA_CERTS)', res, baseline));
    phaseTable('Workload identity, median ms per phase:', res, baseline);
  } finally {
    await entra.close();
  }
}

/** The web build: its wasm module's size, and start → first token in a fresh Deno process and a
 * fresh workerd isolate, against the Node build (and the reference) getting the same token with
 * the same ClientSecretCredential from the same fake Entra over HTTPS. */
async function scenarioWeb(tls) {
  log(`web: start → first token with ClientSecretCredential over HTTPS: Node (both backends, the reference), Deno and workerd (the web build), ${REPS.web} each`);
  const sizeOf = (f) => (fs.existsSync(f) ? fs.statSync(f).size : null);
  const webWasm = sizeOf(path.join(web.DIST, 'azcred_web_bg.wasm'));
  const nodeWasm = sizeOf(path.join(web.NPM, 'wasm', 'azcred_wasm_bg.wasm'));
  if (webWasm === null) {
    issues.push('web: npm/web/dist is not built (npm run build:web)');
    return;
  }
  rows.push(
    customRow({
      figure: "the web build's wasm module after wasm-opt -Oz",
      cells: { native: '–', wasm: `${num(webWasm / 1000)} KB (the Node build's: ${num(nodeWasm / 1000)} KB)`, reference: 'no web build' },
      targetText: '≤ 400 KB',
      met: { native: null, wasm: webWasm <= 400 * 1000 },
    }),
  );
  const secret = 'bench-client-secret';
  const token = fx.mintJwt('web');
  const expected = fx.fingerprint(token);
  const entra = await fx.startFakeEntra(tls, null, token, secret);
  cleanups.push(() => entra.close());
  try {
    const args = { tenantId: fx.TENANT, clientId: fx.CLIENT_ID, clientSecret: secret, options: { authorityHost: entra.url, disableInstanceDiscovery: true } };
    const env = baseEnv({ NODE_EXTRA_CA_CERTS: tls.ca });
    const program = `const t0 = performance.now();
const azcred = await import(${JSON.stringify('AZCRED')});
const a = ${JSON.stringify(args)};
const t = await new azcred.ClientSecretCredential(a.tenantId, a.clientId, a.clientSecret, a.options).getToken('https://storage.azure.com/.default');
console.log(JSON.stringify({ token: t.token }));`;
    const denoScript = path.join(work, 'web-deno.mjs');
    fs.writeFileSync(denoScript, program.replace('AZCRED', path.join(web.DIST, 'deno.mjs')));
    const worker = await web.buildWorker(path.join(work, 'web-worker'), `import * as azcred from 'azcred';
const a = ${JSON.stringify(args)};
export default {
  async fetch() {
    const t = await new azcred.ClientSecretCredential(a.tenantId, a.clientId, a.clientSecret, a.options).getToken('https://storage.azure.com/.default');
    return Response.json({ token: t.token });
  },
};
`, { caFile: tls.ca });
    const sha = (t) => fx.fingerprint(t).sha === expected.sha;
    const res = await interleaved([...IMPLS, 'deno', 'workerd'], REPS.web, async (impl) => {
      if (impl === 'deno') {
        const r = await web.runDeno(denoScript, { caFile: tls.ca, home: work });
        const ok = r.status === 0 && sha(JSON.parse(r.stdout.trim().split('\n')[0] || '{}').token || '');
        if (!ok) issues.push(`web [deno]: ${r.stderr.slice(0, 300)}`);
        return { ok, ms: r.ms };
      }
      if (impl === 'workerd') {
        // A fresh workerd process each time: its isolate starts cold.
        const r = await web.askWorkerOnce(worker, { home: work });
        const ok = sha(r.answer.token || '');
        if (!ok) issues.push(`web [workerd]: ${JSON.stringify(r.answer).slice(0, 300)}`);
        return { ok, ms: r.ms };
      }
      const r = await runProbe({ mode: 'secret', impl, arg: JSON.stringify(args), env, timeoutMs: PROBE_TIMEOUT_MS, guard: true });
      const ok = check(r, impl, 'web') && r.details.ok === true && r.details.token.sha === expected.sha;
      return { ok, ms: r.ms };
    });
    const s = (impl) => stats(res[impl].filter((r) => r.ok).map((r) => r.ms));
    rows.push(
      ratioRow({
        figure: 'process start → first token, ClientSecretCredential over HTTPS (Node)',
        unit: 'ms',
        values: okValues({ native: res.native, wasm: res.wasm, reference: res.reference }, (r) => r.ms),
        sense: 'atMost',
        target: null,
        targetText: '(reported)',
      }),
    );
    const vsNode = (impl) => {
      const x = s(impl);
      const n = s('wasm');
      return x ? `${num(x.median)} ms (${num(x.min)}–${num(x.max)}), ${n ? (x.median / n.median).toFixed(2) : '–'}× Node wasm` : 'n/a';
    };
    rows.push(
      customRow({
        figure: 'the web build: a fresh Deno process / a fresh workerd process and isolate → first token (same credential and fake)',
        cells: { native: `Deno: ${vsNode('deno')}`, wasm: `workerd: ${vsNode('workerd')}`, reference: 'cannot run there' },
        targetText: '(reported)',
      }),
    );
  } finally {
    await entra.close();
  }
}

let lab = null; // the network namespaces, made once per run when a scenario needs them
let labReason = null;
function netLab() {
  if (lab || labReason) return lab;
  labReason = netns.unavailableReason();
  if (labReason) return null;
  try {
    lab = netns.setup();
    cleanups.push(() => lab.cleanup());
    const verdict = lab.verifyDrop();
    if (verdict !== 'hanging') {
      labReason = `a TCP connect to 169.254.169.254 in the namespace did not hang (${verdict})`;
      lab.cleanup();
      lab = null;
    } else {
      log('netns: a 2 s TCP connect to 169.254.169.254 from the laptop namespace hangs (no answer, no error): OK');
    }
  } catch (e) {
    labReason = e.message;
    lab = null;
  }
  return lab;
}

async function scenarioDevMachine() {
  const l = netLab();
  if (!l) {
    const msg = `devmachine: skipped: ${labReason}`;
    log(msg);
    notes.push(msg);
    rows.push(customRow({ figure: 'dev machine, IMDS drops packets, az logged in: start → token', cells: { native: 'skipped', wasm: 'skipped', reference: 'skipped' }, targetText: '≤ 0.35' }));
    return;
  }
  const azToken = fx.mintJwt('az');
  const imdsToken = fx.mintJwt('imds');
  const azLog = path.join(work, 'az-dev.log');
  const azBin = path.join(work, 'az-bin');
  fx.writeFakeAz(azBin, azToken, azLog);
  const env = baseEnv({ PATH: azBin, AZCRED_BENCH_ALLOW_IMDS: '1' });
  const run = (impl, expect, what) =>
    runProbe({ mode: 'token', impl, env, timeoutMs: PROBE_TIMEOUT_MS, guard: true, prefix: l.prefix }).then((r) => {
      let ok = check(r, impl, what);
      if (ok && !(r.details.ok && r.details.token.sha === expect.sha)) {
        issues.push(`${what} [${impl}]: ${r.details.ok ? 'the token came from the wrong source' : `${r.details.name}: ${r.details.message}`}`);
        ok = false;
      }
      return { ok, ms: r.ms, phases: r.details && r.details.phases };
    });

  log(`devmachine: IMDS silently drops, fake az on PATH; ${REPS.devDrop} processes each (in the network namespace)`);
  const drop = await interleaved(IMPLS, REPS.devDrop, (impl) => run(impl, fx.fingerprint(azToken), 'devmachine drop'));
  rows.push(
    ratioRow({
      figure: 'dev machine, IMDS drops packets, az logged in: start → token (from az)',
      unit: 'ms',
      values: okValues(drop, (r) => r.ms),
      sense: 'atMost',
      target: 0.35,
      targetText: '≤ 0.35',
    }),
  );
  phaseTable('Dev machine, IMDS drops packets (token from the fake az), median ms per phase:', drop);

  log(`devmachine: live IMDS answering after ${SLOW_IMDS_MS} ms; ${REPS.devLive} processes each`);
  const imds = await l.startLiveImds(SLOW_IMDS_MS, imdsToken);
  try {
    const live = await interleaved(IMPLS, REPS.devLive, async (impl) => {
      const before = { ...imds.counts, az: fx.countLines(azLog) };
      const r = await run(impl, fx.fingerprint(imdsToken), 'devmachine live IMDS');
      // The server prints its request lines asynchronously; let them arrive.
      await new Promise((res) => setTimeout(res, 50));
      return { ...r, probes: imds.counts.probe - before.probe, tokenRequests: imds.counts.token - before.token, az: fx.countLines(azLog) - before.az };
    });
    const allFromImds = Object.fromEntries(['native', 'wasm'].map((i) => [i, live[i].length > 0 && live[i].every((r) => r.ok)]));
    const row = ratioRow({
      figure: `live IMDS answering after ${SLOW_IMDS_MS} ms: start → token (must come from IMDS)`,
      unit: 'ms',
      values: okValues(live, (r) => r.ms),
      sense: null,
      target: null,
      targetText: 'IMDS detected and used',
    });
    row.met = `${allFromImds.native ? 'yes' : '**no**'} / ${allFromImds.wasm ? 'yes' : '**no**'}`;
    row.metBy = allFromImds;
    rows.push(row);
    const per = (impl, k) => {
      const s = stats(live[impl].map((r) => r[k]));
      return s ? num(s.median) : 'n/a';
    };
    notes.push(
      `Live slow IMDS, requests per process (median) probe/token/az: ${IMPLS.map((i) => `${i} ${per(i, 'probes')}/${per(i, 'tokenRequests')}/${per(i, 'az')}`).join(', ')}.`,
    );
  } finally {
    l.stopLiveImds();
  }
}

async function scenarioRefused() {
  log(`refused: IMDS override to a refused port, no dev tools; ${REPS.refused} processes each (the reference retries for tens of seconds)`);
  const port = await fx.refusedPort();
  const env = baseEnv({ AZURE_POD_IDENTITY_AUTHORITY_HOST: `http://127.0.0.1:${port}` });
  const res = await interleaved(IMPLS, REPS.refused, async (impl) => {
    const r = await runProbe({ mode: 'error', impl, env, timeoutMs: REFUSED_TIMEOUT_MS, guard: true });
    let ok = check(r, impl, 'refused');
    if (ok && (r.details.ok || r.details.name !== 'AggregateAuthenticationError')) {
      issues.push(`refused [${impl}]: expected AggregateAuthenticationError, got ${r.details.ok ? 'a token' : r.details.name}`);
      ok = false;
    }
    return { ok, ms: r.ms, phases: r.details && r.details.phases };
  });
  rows.push(
    ratioRow({
      figure: 'IMDS override to a refused port, no dev tools: start → AggregateAuthenticationError',
      unit: 'ms',
      values: okValues(res, (r) => r.ms),
      sense: 'atMost',
      target: 0.05,
      targetText: '≤ 0.05',
    }),
  );
}

async function scenarioThroughput() {
  log(`throughput: cached getToken for ${THROUGHPUT_MS} ms on a warm credential; ${REPS.throughput} processes each`);
  const emu = await startEmulator();
  cleanups.push(() => emu.close());
  try {
    const env = baseEnv(emu.appServiceEnv);
    const res = await interleaved(IMPLS, REPS.throughput, async (impl) => {
      const r = await runProbe({ mode: 'throughput', impl, arg: THROUGHPUT_MS, env, timeoutMs: THROUGHPUT_MS + PROBE_TIMEOUT_MS, guard: true });
      let ok = check(r, impl, 'throughput');
      if (ok && !r.details.sameToken) {
        // The emulator mints a new token per request: a different token means a network fetch.
        notes.push(`throughput [${impl}]: some calls did not return the cached token`);
      }
      ok = ok && Boolean(r.details.callsPerSecond);
      return { ok, cps: r.details && r.details.callsPerSecond };
    });
    rows.push(
      ratioRow({
        figure: 'cached getToken throughput, warm DefaultAzureCredential (App Service MI)',
        unit: 'calls/s',
        values: okValues(res, (r) => r.cps),
        sense: 'atLeast',
        target: 10,
        targetText: '≥ 10×',
      }),
    );
  } finally {
    await emu.close();
  }
}

async function scenarioConcurrent() {
  log(`concurrent: ${CONCURRENT_CALLS} concurrent getToken calls on a cold credential; ${REPS.concurrent} processes each`);
  const emu = await startEmulator();
  cleanups.push(() => emu.close());
  try {
    const env = baseEnv(emu.appServiceEnv);
    const res = await interleaved(IMPLS, REPS.concurrent, async (impl) => {
      const mark = emu.requests.length;
      const r = await runProbe({ mode: 'concurrent', impl, arg: CONCURRENT_CALLS, env, timeoutMs: PROBE_TIMEOUT_MS, guard: true });
      let ok = check(r, impl, 'concurrent');
      if (ok && r.details.ok !== CONCURRENT_CALLS) {
        issues.push(`concurrent [${impl}]: ${r.details.failed} of ${CONCURRENT_CALLS} calls failed: ${r.details.firstFailure}`);
        ok = false;
      }
      return { ok, requests: emu.requests.length - mark };
    });
    const cell = (impl) => {
      const s = stats(res[impl].filter((r) => r.ok).map((r) => r.requests));
      if (!s) return 'n/a';
      return s.min === s.max ? `${s.median} request${s.median === 1 ? '' : 's'}` : `${num(s.median)} requests (${s.min}–${s.max})`;
    };
    const exactlyOne = (impl) => res[impl].length > 0 && res[impl].every((r) => r.ok && r.requests === 1);
    rows.push(
      customRow({
        figure: `${CONCURRENT_CALLS} concurrent getToken calls, cold credential: token requests at the endpoint`,
        cells: { native: cell('native'), wasm: cell('wasm'), reference: cell('reference') },
        targetText: 'azcred exactly 1',
        met: { native: exactlyOne('native'), wasm: exactlyOne('wasm') },
      }),
    );
  } finally {
    await emu.close();
  }
}

async function scenarioBlob(tls) {
  const l = netLab();
  const azToken = fx.mintJwt('az-blob');
  const azLog = path.join(work, 'az-blob.log');
  const azBin = path.join(work, 'az-blob-bin');
  fx.writeFakeAz(azBin, azToken, azLog);
  let how;
  const env = baseEnv({ PATH: azBin, NODE_EXTRA_CA_CERTS: tls.ca });
  if (l) {
    how = 'IMDS silently dropped (network namespace)';
    env.AZCRED_BENCH_ALLOW_IMDS = '1';
  } else {
    // Without namespaces, IMDS is made absent the other way the brief allows: a refused port.
    const port = await fx.refusedPort();
    env.AZURE_POD_IDENTITY_AUTHORITY_HOST = `http://127.0.0.1:${port}`;
    how = `IMDS override to a refused port (network namespaces unavailable: ${labReason})`;
  }
  log(`blob: BlobServiceClient round trip against Azurite (HTTPS, OAuth) with a fake az; ${how}; ${REPS.blob} processes each`);
  const config = path.join(work, 'blob-config.json');
  const timeoutMs = l ? PROBE_TIMEOUT_MS : REFUSED_TIMEOUT_MS * 2;
  fs.writeFileSync(config, JSON.stringify({ impls: IMPLS, reps: REPS.blob, env, cert: tls.cert, key: tls.key, azLog, timeoutMs }));
  const script = path.join(__dirname, 'lib', 'blob-scenario.js');
  const cmd = l ? [...l.prefix, process.execPath, script, config] : [process.execPath, script, config];
  const out = await runInner(cmd, timeoutMs * IMPLS.length * REPS.blob * 2 + 60000);
  const by = { 1: Object.fromEntries(IMPLS.map((i) => [i, []])), 2: Object.fromEntries(IMPLS.map((i) => [i, []])) };
  for (const r of out.runs) {
    if (r.timedOut || r.blocked.length || !r.ok || (r.backend && r.impl !== 'reference' && r.backend !== r.impl)) {
      issues.push(`blob ${r.clients} client(s) [${r.impl}]: ${r.timedOut ? 'timed out' : r.blocked[0] || r.error || 'failed'}`);
      by[r.clients][r.impl].push({ ...r, ok: false });
    } else by[r.clients][r.impl].push(r);
  }
  for (const clients of [1, 2]) {
    const byImpl = by[clients];
    const cell = (impl) => {
      const s = stats(byImpl[impl].filter((r) => r.ok).map((r) => r.azRuns));
      if (!s) return 'n/a';
      return s.min === s.max ? `${s.median} az run${s.median === 1 ? '' : 's'}` : `${num(s.median)} az runs (${s.min}–${s.max})`;
    };
    const once = (impl) => byImpl[impl].length > 0 && byImpl[impl].every((r) => r.ok && r.azRuns === 1);
    const what = clients === 1 ? 'one BlobServiceClient' : 'two clients, one credential';
    rows.push(
      customRow({
        figure: `dev machine: blob round trip (Azurite, HTTPS, OAuth), ${what}: az runs`,
        cells: { native: cell('native'), wasm: cell('wasm'), reference: cell('reference') },
        targetText: 'azcred once',
        met: { native: once('native'), wasm: once('wasm') },
      }),
      ratioRow({
        figure: `dev machine: blob round trip, ${what}: start → done`,
        unit: 'ms',
        values: okValues(byImpl, (r) => r.ms),
        sense: null,
        target: null,
        targetText: '(reported)',
      }),
    );
  }
  notes.push(`Blob round trip (create container, upload 16 KiB, download, delete; with two clients the download and delete go through a second BlobServiceClient built with the same credential): ${how}.`);
}

/** Runs a helper process (tracked for clean-up) and parses its one JSON line. */
function runInner(cmd, timeoutMs) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd[0], cmd.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const kill = () => {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    };
    cleanups.push(kill);
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d) => {
      out += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d) => {
      err += d;
    });
    const timer = setTimeout(kill, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      try {
        resolve(JSON.parse(out.trim().split('\n').pop()));
      } catch {
        reject(new Error(`${path.basename(cmd[cmd.length - 2])} failed (exit ${code}): ${err.trim().slice(-600)}`));
      }
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Main

function machine() {
  const cpu = (fs.readFileSync('/proc/cpuinfo', 'utf8').match(/^model name\s*:\s*(.*)$/m) || [])[1] || os.cpus()[0].model;
  let nproc = os.availableParallelism ? os.availableParallelism() : os.cpus().length;
  try {
    nproc = Number(execFileSync('nproc', { encoding: 'utf8', timeout: 5000 }).trim());
  } catch {
    // os says it.
  }
  return { nproc, cpu, node: process.version, os: `${os.type()} ${os.release()} ${os.arch()}` };
}

function load() {
  return os.loadavg().map((x) => x.toFixed(2)).join(', ');
}

/** Share of CPU time the whole machine spent busy over one second (/proc/stat), before the run:
 * how quiet the machine was. */
async function cpuBusy() {
  const sample = () => {
    const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const idle = f[3] + (f[4] || 0);
    return { idle, total: f.reduce((a, b) => a + b, 0) };
  };
  try {
    const a = sample();
    await new Promise((r) => setTimeout(r, 1000));
    const b = sample();
    return `${Math.round((1 - (b.idle - a.idle) / (b.total - a.total)) * 100)}%`;
  } catch {
    return 'n/a';
  }
}

function preflight() {
  const need = ['@azure/identity/package.json', 'azcred/package.json', '@azure/storage-blob/package.json'];
  for (const n of need) {
    try {
      require.resolve(n, { paths: [__dirname] });
    } catch {
      usage(`${n.replace('/package.json', '')} is not installed in bench/: run (cd bench && npm ci) after bash scripts/setup.sh`);
    }
  }
  const version = require(require.resolve('@azure/identity/package.json', { paths: [__dirname] })).version;
  if (version !== '4.14.1') usage(`bench/node_modules has @azure/identity ${version}, not 4.14.1: run (cd bench && npm ci)`);
  for (const b of ['native', 'wasm']) {
    try {
      const got = execFileSync(process.execPath, ['-e', "process.stdout.write(require('azcred').backend)"], {
        cwd: __dirname,
        env: { ...process.env, AZCRED_BACKEND: b },
        encoding: 'utf8',
        timeout: 30000,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      if (got !== b) throw new Error(`backend is ${got}`);
    } catch (e) {
      usage(`azcred's ${b} backend does not load (build it: cd npm && npm ci && npm run build): ${String(e.stderr || e.message).trim().split('\n').pop()}`);
    }
  }
}

async function main() {
  preflight();
  const started = Date.now();
  const m = machine();
  const startLoad = load();
  const startBusy = await cpuBusy();
  log(`${m.nproc} × ${m.cpu}, Node ${m.node}; load average ${startLoad}; ${quick ? 'quick' : 'full'} run: ${only.join(', ')}`);
  const tls = generateTlsMaterial(path.join(work, 'tls'));

  const scenarios = {
    import: scenarioImport,
    size: scenarioSize,
    appservice: scenarioAppService,
    workload: () => scenarioWorkload(tls),
    web: () => scenarioWeb(tls),
    devmachine: scenarioDevMachine,
    refused: scenarioRefused,
    throughput: scenarioThroughput,
    concurrent: scenarioConcurrent,
    blob: () => scenarioBlob(tls),
  };
  for (const name of ALL) {
    if (!only.includes(name)) continue;
    try {
      await scenarios[name]();
    } catch (e) {
      issues.push(`${name}: failed: ${e.message}`);
      log(`${name}: FAILED: ${e.stack}`);
    }
  }
  if (lab) {
    lab.cleanup();
    lab = null;
  }

  const seconds = Math.round((Date.now() - started) / 1000);
  const command = `node bench/run.js${quick ? ' --quick' : ''}${onlyArg ? ` --only ${only.join(',')}` : ''}`;
  const header = [
    `Machine: ${m.nproc} × ${m.cpu}, ${m.os}, Node ${m.node}. Date: ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC.`,
    `Command: \`${command}\` (${quick ? 'quick' : 'full'}; ${seconds} s). Load average (1, 5, 15 min) at start ${startLoad}, at end ${load()}; CPU busy over 1 s before the run: ${startBusy}.`,
    'Each cell: median (min–max) over fresh Node processes, the implementations interleaved. Ratio: azcred median / @azure/identity median.',
  ].join('\n');
  const body = [
    header,
    '',
    markdownTable(rows),
    '',
    ...notes.map((n) => `- ${n}`),
    ...(issues.length ? ['', '**Problems in this run:**', ...issues.map((i) => `- ${i}`)] : []),
    '',
    '#### Where the time goes',
    '',
    ...phaseTables.flatMap((t) => [t, '']),
  ].join('\n');
  process.stdout.write(`\n${body}\n`);
  if (write) writeResults(body);
  log(`done in ${seconds} s${issues.length ? `, with ${issues.length} problem(s)` : ''}`);
  process.exitCode = issues.length ? 1 : 0;
}

/** Replaces the generated block of RESULTS.md (between the markers), keeping the rest. */
function writeResults(body) {
  const file = path.join(__dirname, 'RESULTS.md');
  const begin = '<!-- generated by bench/run.js --write: begin -->';
  const end = '<!-- generated by bench/run.js --write: end -->';
  let text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : `# Benchmark results\n\n${begin}\n${end}\n`;
  if (!text.includes(begin) || !text.includes(end)) text += `\n${begin}\n${end}\n`;
  const before = text.slice(0, text.indexOf(begin) + begin.length);
  const after = text.slice(text.indexOf(end));
  fs.writeFileSync(file, `${before}\n${body}\n${after}`);
  log(`wrote ${path.relative(process.cwd(), file)}`);
}

main().catch((e) => {
  log(`FAILED: ${e.stack}`);
  process.exitCode = 1;
});
