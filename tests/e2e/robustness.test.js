'use strict';
// Robustness of the Node driver and its IO, end to end (backend from AZCRED_BACKEND): the
// developer tools' process trees are killed whole; file reads cannot hang or starve libuv's
// thread pool; timers never overflow; background refreshes never keep a finished program alive;
// a caller joining a flow another caller just aborted still gets its token; and tokens never show
// in `util.inspect` or JSON. Real processes, fake tools on PATH and servers on 127.0.0.1 only.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawn } = require('node:child_process');

const azcred = require('../../npm');
const { startFakeEndpoint, setAzureEnv } = require('../support/fake-endpoint');

const PKG = path.join(__dirname, '..', '..', 'npm');
const STORAGE = 'https://storage.azure.com/.default';
const POSIX = process.platform !== 'win32';

let dir;
let bin;
let originalPath;
const servers = [];
/** Processes a test saw; killed at the end whatever happened, so a failing test leaves none. */
const seenPids = new Set();

before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'azcred-robust-'));
  bin = path.join(dir, 'bin');
  fs.mkdirSync(bin);
  originalPath = process.env.PATH;
  process.env.PATH = `${bin}${path.delimiter}${originalPath}`;
});

after(async () => {
  process.env.PATH = originalPath;
  for (const pid of seenPids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Gone already.
    }
  }
  await Promise.all(servers.map((s) => s.close()));
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

async function fake(handler) {
  const s = await startFakeEndpoint();
  s.setHandler(handler);
  servers.push(s);
  return s;
}

/** What `az account get-access-token --output json` prints, for a token valid an hour. */
function azJson(token) {
  const expires = Math.floor(Date.now() / 1000) + 3600;
  const d = new Date(expires * 1000);
  const pad = (n) => String(n).padStart(2, '0');
  const local = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.000000`;
  return JSON.stringify({ accessToken: token, expiresOn: local, expires_on: expires, subscription: 's', tenant: 't', tokenType: 'Bearer' });
}

/** Installs a fake `az` (a POSIX shell script) whose body is `script`. */
function fakeAz(script) {
  fs.writeFileSync(path.join(bin, 'az'), `#!/bin/sh\n${script}\n`, { mode: 0o755 });
}

/** A shell line that starts a grandchild (ignoring SIGTERM, sleeping 30 s) and writes its pid to
 * `pidFile`; `redirect` detaches its output from the tool's pipes. */
function grandchild(pidFile, redirect = '') {
  return `sh -c 'trap "" TERM; echo $$ > "${pidFile}.tmp"; mv "${pidFile}.tmp" "${pidFile}"; exec sleep 30' ${redirect} &`;
}

/** Whether `pid` still runs (a zombie waiting to be reaped does not). */
function alive(pid) {
  try {
    process.kill(pid, 0);
  } catch (e) {
    if (e.code === 'ESRCH') return false;
    throw e;
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** Waits for the grandchild's pid file, then for the process to be gone, up to `ms`. */
async function goneWithin(pidFile, ms) {
  const until = Date.now() + ms;
  while (!fs.existsSync(pidFile) && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
  const pid = Number(fs.readFileSync(pidFile, 'utf8'));
  seenPids.add(pid);
  while (alive(pid) && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
  return !alive(pid);
}

async function outcome(promise) {
  try {
    return { ok: true, token: await promise };
  } catch (e) {
    return { ok: false, name: e.name, message: e.message };
  }
}

/** Runs `script` in a fresh node process with azcred at `PKG` and the test's environment plus
 * `env`; resolves when it exits (or is killed after `timeoutMs`) with its output and how long it
 * ran after printing its last line. */
function runNode(script, env, timeoutMs) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, ['-e', script], {
      env: { ...process.env, AZCRED_TEST_PKG: PKG, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let lastLineAt = started;
    child.stdout.on('data', (c) => {
      stdout += c;
      lastLineAt = Date.now();
    });
    child.stderr.on('data', (c) => (stderr += c));
    let killed = false;
    const timer = setTimeout(() => {
      killed = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      const lines = stdout.trim().split('\n').filter(Boolean);
      resolve({ code, killed, stdout, stderr, lines, ranFor: Date.now() - started, afterLastLine: Date.now() - lastLineAt });
    });
  });
}

// --- D3: the developer tools' whole process tree is killed -------------------------------------

test('a tool that times out is killed with its whole process tree, a grandchild ignoring SIGTERM included', { skip: !POSIX }, async () => {
  const pidFile = path.join(dir, 'timeout.pid');
  fakeAz(`${grandchild(pidFile)}\nwait`);
  const r = await outcome(new azcred.AzureCliCredential({ processTimeoutInMs: 500 }).getToken(STORAGE));
  assert.equal(r.ok, false);
  assert.equal(r.name, 'CredentialUnavailableError');
  assert.match(r.message, /did not finish within 500 ms and was stopped/);
  assert.ok(await goneWithin(pidFile, 1000), 'the grandchild still runs after the timeout error');
});

test('an aborted tool is killed with its whole process tree', { skip: !POSIX }, async () => {
  const pidFile = path.join(dir, 'abort.pid');
  fakeAz(`${grandchild(pidFile)}\nwait`);
  const ac = new AbortController();
  const pending = outcome(new azcred.AzureCliCredential().getToken(STORAGE, { abortSignal: ac.signal }));
  while (!fs.existsSync(pidFile)) await new Promise((r) => setTimeout(r, 20));
  ac.abort();
  const r = await pending;
  assert.equal(r.ok, false);
  assert.equal(r.name, 'AbortError');
  assert.ok(await goneWithin(pidFile, 1000), 'the grandchild still runs after the abort');
});

test('a tool that exits normally leaves no process of its group behind', { skip: !POSIX }, async () => {
  const pidFile = path.join(dir, 'normal.pid');
  fakeAz(`${grandchild(pidFile, '</dev/null >/dev/null 2>&1')}\nwhile [ ! -f "${pidFile}" ]; do sleep 0.05; done\necho '${azJson('tok-normal')}'`);
  const t = await new azcred.AzureCliCredential().getToken(STORAGE);
  assert.equal(t.token, 'tok-normal');
  assert.ok(await goneWithin(pidFile, 1000), 'the grandchild outlived the call');
});

test('a tool whose child keeps the output pipe open answers as soon as the tool exits', { skip: !POSIX }, async () => {
  const pidFile = path.join(dir, 'pipe.pid');
  fakeAz(`${grandchild(pidFile)}\nwhile [ ! -f "${pidFile}" ]; do sleep 0.05; done\necho '${azJson('tok-pipe')}'`);
  const started = Date.now();
  const r = await outcome(new azcred.AzureCliCredential({ processTimeoutInMs: 5000 }).getToken(STORAGE));
  assert.equal(r.ok, true, r.message);
  assert.equal(r.token.token, 'tok-pipe');
  assert.ok(Date.now() - started < 3000, `took ${Date.now() - started} ms`);
  assert.ok(await goneWithin(pidFile, 1000), 'the grandchild outlived the call');
});

// --- D11: deadlines beyond Node's 2^31-1 ms timer limit ------------------------------------------

test('a processTimeoutInMs beyond 2^31-1 ms is a long deadline, not an immediate kill', { skip: !POSIX }, async () => {
  fakeAz(`sleep 0.3\necho '${azJson('tok-patient')}'`);
  const r = await outcome(new azcred.AzureCliCredential({ processTimeoutInMs: 2 ** 31 + 1000 }).getToken(STORAGE));
  assert.equal(r.ok, true, r.message);
  assert.equal(r.token.token, 'tok-patient');
});

test('a sleep beyond 2^31-1 ms is re-armed, not fired at once', async () => {
  const io = require('../../npm/lib/io-node');
  const ac = new AbortController();
  let woke = false;
  const slept = io.sleep(2 ** 31 + 5000, ac.signal).then(() => (woke = true));
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(woke, false, 'the long sleep ended after a few ms');
  ac.abort();
  await slept;
});

// --- D6: file reads never hang, never starve libuv's pool, and read /proc files whole -------------

/** The variables of a workload identity whose token file is `file` (Entra is never reached: the
 * read fails first). */
function workloadEnv(file) {
  return {
    AZURE_TENANT_ID: '7a2c0de0-0000-4000-8000-00000000a2c0',
    AZURE_CLIENT_ID: '7a2c0de0-0000-4000-8000-000000000003',
    AZURE_FEDERATED_TOKEN_FILE: file,
    AZURE_AUTHORITY_HOST: 'https://127.0.0.1:9',
  };
}

function mkfifo(name) {
  const p = path.join(dir, name);
  require('node:child_process').execFileSync('mkfifo', [p]);
  return p;
}

test('a FIFO as AZURE_FEDERATED_TOKEN_FILE fails at once with a clear message, and the process exits', { skip: !POSIX }, async () => {
  const fifo = mkfifo('token.fifo');
  const script = `
    const azcred = require(process.env.AZCRED_TEST_PKG);
    new azcred.WorkloadIdentityCredential().getToken('${STORAGE}').then(
      () => console.log(JSON.stringify({ ok: true })),
      (e) => console.log(JSON.stringify({ ok: false, name: e.name, message: e.message })),
    );`;
  const r = await runNode(script, workloadEnv(fifo), 10000);
  assert.equal(r.killed, false, `the process did not exit (stderr: ${r.stderr})`);
  assert.ok(r.ranFor < 5000, `ran for ${r.ranFor} ms`);
  const out = JSON.parse(r.lines.at(-1));
  assert.equal(out.ok, false);
  assert.match(out.message, /token\.fifo/);
  assert.match(out.message, /not a regular file \(a FIFO\)/);
});

test('six credentials on FIFOs do not hold up unrelated fs and DNS work in the same process', { skip: !POSIX }, async () => {
  const fifos = [1, 2, 3, 4, 5, 6].map((n) => mkfifo(`many-${n}.fifo`));
  const script = `
    const azcred = require(process.env.AZCRED_TEST_PKG);
    const fifos = ${JSON.stringify(fifos)};
    const pending = fifos.map((f) =>
      new azcred.WorkloadIdentityCredential({ tokenFilePath: f }).getToken('${STORAGE}').catch((e) => e));
    const started = Date.now();
    Promise.all([
      require('node:fs').promises.readFile(${JSON.stringify(__filename)}),
      require('node:dns').promises.lookup('localhost'),
    ]).then(() => {
      console.log(JSON.stringify({ unrelatedMs: Date.now() - started }));
      return Promise.all(pending);
    }).then((errors) => console.log(JSON.stringify({ errors: errors.map((e) => e.message) })));`;
  const r = await runNode(script, workloadEnv(fifos[0]), 10000);
  assert.equal(r.killed, false, `the process did not exit (output: ${r.stdout}, stderr: ${r.stderr})`);
  const [first, second] = r.lines.map((l) => JSON.parse(l));
  assert.ok(first.unrelatedMs < 2000, `unrelated fs and DNS work took ${first.unrelatedMs} ms`);
  assert.equal(second.errors.length, 6);
  for (const m of second.errors) assert.match(m, /not a regular file \(a FIFO\)/);
});

test('a zero-size /proc file is read to its end, within the cap', { skip: process.platform !== 'linux' }, async () => {
  const io = require('../../npm/lib/io-node');
  assert.equal(fs.statSync('/proc/self/status').size, 0);
  const r = await io.readFile({ path: '/proc/self/status', maxBytes: 1 << 20, deadline: Date.now() + 5000 });
  assert.equal(r.type, 'file', r.message);
  assert.match(r.contents, /^Name:/);
  assert.match(r.contents, /^Pid:\s+\d+$/m);
  const capped = await io.readFile({ path: '/proc/self/status', maxBytes: 16, deadline: Date.now() + 5000 });
  assert.equal(capped.type, 'failed');
  assert.equal(capped.kind, 'tooLarge');
});

test('a directory or a device is refused as not a regular file', { skip: !POSIX }, async () => {
  const io = require('../../npm/lib/io-node');
  const d = await io.readFile({ path: dir, maxBytes: 4096, deadline: Date.now() + 5000 });
  assert.equal(d.type, 'failed');
  assert.match(d.message, /not a regular file \(a directory\)/);
  const dev = await io.readFile({ path: '/dev/zero', maxBytes: 4096, deadline: Date.now() + 5000 });
  assert.equal(dev.type, 'failed');
  assert.match(dev.message, /not a regular file \(a character device\)/);
  // A certificate path on a device is refused with that message, end to end.
  const r = await outcome(new azcred.ClientCertificateCredential('7a2c0de0-0000-4000-8000-00000000a2c0', '7a2c0de0-0000-4000-8000-000000000002', '/dev/zero').getToken(STORAGE));
  assert.equal(r.ok, false);
  assert.match(r.message, /\/dev\/zero/);
  assert.match(r.message, /not a regular file \(a character device\)/);
});

test('a file read that hangs gives up at its deadline, and hung reads hold at most one libuv thread', async () => {
  const io = require('../../npm/lib/io-node');
  const fsp = require('node:fs/promises');
  const realOpen = fsp.open;
  const hung = path.join(dir, 'on-a-hung-nfs-mount');
  let opens = 0;
  let release;
  // A filesystem that never answers: the open of this one path does not complete until released.
  fsp.open = function open(p, ...rest) {
    if (p !== hung) return realOpen.call(this, p, ...rest);
    opens += 1;
    return new Promise((_, reject) => {
      release = () => reject(Object.assign(new Error('EIO: i/o error'), { code: 'EIO' }));
    });
  };
  try {
    const started = Date.now();
    const deadline = Date.now() + 300;
    const replies = await Promise.race([
      Promise.all([1, 2, 3].map(() => io.readFile({ path: hung, maxBytes: 4096, deadline }))),
      new Promise((r) => setTimeout(() => r('hung'), 3000)),
    ]);
    assert.notEqual(replies, 'hung', 'the reads never gave up');
    for (const r of replies) {
      assert.equal(r.type, 'failed');
      assert.equal(r.kind, 'timedOut');
    }
    assert.ok(Date.now() - started < 1500, `took ${Date.now() - started} ms`);
    // The second and third read waited behind the first instead of taking threads of their own.
    assert.equal(opens, 1);
  } finally {
    if (release) release();
    fsp.open = realOpen;
  }
  // Once the hung call returns, reads go on (the queue is not left stuck).
  const ok = await io.readFile({ path: __filename, maxBytes: 1 << 20, deadline: Date.now() + 2000 });
  assert.equal(ok.type, 'file');
  assert.equal(opens, 1, 'a read whose deadline passed while it waited still ran');
});

// --- D9: background refreshes never keep a finished program alive ---------------------------------

test('a background refresh against a hung endpoint does not keep the finished program alive', async () => {
  // The first request gets a token the server says to refresh after 1 s; every later one hangs.
  const s = await fake((req, n) =>
    n === 1
      ? { status: 200, body: { access_token: 'tok-first', expires_on: String(Math.floor(Date.now() / 1000) + 3600), refresh_in: 1, token_type: 'Bearer' } }
      : null,
  );
  const script = `
    const azcred = require(process.env.AZCRED_TEST_PKG);
    (async () => {
      const cred = new azcred.ManagedIdentityCredential();
      const first = await cred.getToken('${STORAGE}');
      await new Promise((r) => setTimeout(r, 1300));
      // Past the refresh point: the still-valid token now, a refresh in the background.
      const second = await cred.getToken('${STORAGE}');
      console.log(JSON.stringify({ first: first.token, second: second.token }));
    })();`;
  const env = {};
  for (const k of require('../support/fake-endpoint').AZURE_VARS) env[k] = '';
  Object.assign(env, { IDENTITY_ENDPOINT: `${s.url}/msi/token`, IDENTITY_HEADER: 'h', AZCRED_IMDS_ENDPOINT: 'http://127.0.0.1:9' });
  const r = await runNode(script, env, 15000);
  assert.equal(r.killed, false, `the program was still alive after 15 s (stdout: ${r.stdout}, stderr: ${r.stderr})`);
  assert.deepEqual(JSON.parse(r.lines.at(-1)), { first: 'tok-first', second: 'tok-first' });
  assert.equal(s.requests.length, 2, 'the background refresh did not start');
  assert.ok(r.afterLastLine < 2000, `the program lived ${r.afterLastLine} ms after its work was done`);
});

test('a caller who joins a background refresh is not abandoned when the program has nothing else to do', async () => {
  // The first token is served for 2 to 3 s more than the five-minute margin and is to be
  // refreshed after 1 s; the refresh is answered after 3 s.
  const s = await fake(async (req, n) => {
    if (n === 1) {
      return { status: 200, body: { access_token: 'tok-first', expires_on: String(Math.floor(Date.now() / 1000) + 303), refresh_in: 1, token_type: 'Bearer' } };
    }
    await new Promise((r) => setTimeout(r, 3000));
    return { status: 200, body: { access_token: 'tok-second', expires_on: String(Math.floor(Date.now() / 1000) + 3600), token_type: 'Bearer' } };
  });
  const script = `
    const azcred = require(process.env.AZCRED_TEST_PKG);
    const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
    (async () => {
      const cred = new azcred.ManagedIdentityCredential();
      await cred.getToken('${STORAGE}');
      await sleep(1200);
      const second = await cred.getToken('${STORAGE}');
      console.log(JSON.stringify({ second: second.token }));
      // Within the last five minutes now: this caller waits for the refresh in flight.
      await sleep(2000);
      const third = await cred.getToken('${STORAGE}');
      console.log(JSON.stringify({ third: third.token }));
    })();`;
  const env = {};
  for (const k of require('../support/fake-endpoint').AZURE_VARS) env[k] = '';
  Object.assign(env, { IDENTITY_ENDPOINT: `${s.url}/msi/token`, IDENTITY_HEADER: 'h', AZCRED_IMDS_ENDPOINT: 'http://127.0.0.1:9' });
  const r = await runNode(script, env, 15000);
  assert.equal(r.killed, false, `stdout: ${r.stdout}, stderr: ${r.stderr}`);
  assert.deepEqual(r.lines.map((l) => JSON.parse(l)), [{ second: 'tok-first' }, { third: 'tok-second' }], `stderr: ${r.stderr}`);
  assert.equal(s.requests.length, 2);
});

// --- D2: a caller joining a flow the only other caller just aborted ----------------------------

test('a caller without an abortSignal who joins in the tick the only other caller aborted gets its token', { skip: !POSIX }, async () => {
  const runs = path.join(dir, 'd2-same-tick.runs');
  fakeAz(`echo run >> "${runs}"\nsleep 0.3\necho '${azJson('tok-joined')}'`);
  const cred = new azcred.AzureCliCredential();
  const ac = new AbortController();
  const first = outcome(cred.getToken(STORAGE, { abortSignal: ac.signal }));
  ac.abort();
  const second = outcome(cred.getToken(STORAGE));
  assert.equal((await first).name, 'AbortError');
  const r = await second;
  assert.equal(r.ok, true, `${r.name}: ${r.message}`);
  assert.equal(r.token.token, 'tok-joined');
  // The flow went on for the second caller: the tool ran once.
  assert.equal(fs.readFileSync(runs, 'utf8'), 'run\n');
});

test('a caller who joins a flow that is already being cancelled waits for it to end and gets a token of its own', { skip: !POSIX }, async () => {
  const runs = path.join(dir, 'd2-later.runs');
  fakeAz(`echo run >> "${runs}"\nsleep 0.3\necho '${azJson('tok-again')}'`);
  const cred = new azcred.AzureCliCredential();
  const ac = new AbortController();
  const first = outcome(cred.getToken(STORAGE, { abortSignal: ac.signal }));
  await new Promise((r) => setTimeout(r, 50));
  ac.abort();
  await new Promise((r) => setImmediate(r));
  const second = outcome(cred.getToken(STORAGE));
  assert.equal((await first).name, 'AbortError');
  const r = await second;
  assert.equal(r.ok, true, `${r.name}: ${r.message}`);
  assert.equal(r.token.token, 'tok-again');
});

// --- D14: tokens never show in util.inspect, console.log or JSON ---------------------------------

test('util.inspect at every depth, console.log and JSON.stringify of a credential never show its cached tokens', async () => {
  const util = require('node:util');
  const { tokenBody } = require('../support/fake-endpoint');
  const SENTINEL = 'sentinel-access-token-3c9e1f';
  const s = await fake(() => ({ status: 200, body: tokenBody(SENTINEL) }));
  setAzureEnv({ IDENTITY_ENDPOINT: `${s.url}/msi/token`, IDENTITY_HEADER: 'h' });
  const mi = new azcred.ManagedIdentityCredential();
  const creds = [mi, new azcred.DefaultAzureCredential(), new azcred.ChainedTokenCredential(mi)];
  for (const c of creds) {
    assert.equal((await c.getToken(STORAGE)).token, SENTINEL);
    assert.equal((await c.getToken(STORAGE)).token, SENTINEL);
  }
  for (const c of creds) {
    const name = c.constructor.name;
    for (let depth = 0; depth <= 10; depth += 1) {
      for (const showHidden of [false, true]) {
        const text = util.inspect(c, { depth, showHidden });
        assert.ok(!text.includes(SENTINEL), `${name} at depth ${depth}${showHidden ? ' (showHidden)' : ''}: ${text}`);
        assert.ok(text.includes(name), text);
      }
    }
    for (const text of [util.format('%o', c), util.format('%O', c), util.format('%j', c), JSON.stringify(c), JSON.stringify({ c })]) {
      assert.ok(!text.includes(SENTINEL), `${name}: ${text}`);
    }
    // Nothing enumerable holds the driver, whatever a generic walker does with the object.
    assert.deepEqual(Object.keys(c), []);
    assert.ok(!util.inspect(c._driven, { depth: 10, showHidden: true }).includes(SENTINEL));
    assert.ok(!JSON.stringify(c._driven).includes(SENTINEL));
  }
});

// --- D5: huge inputs ------------------------------------------------------------------------

test('a huge scope is a typed error naming what is too large, and the credential keeps working', async () => {
  const s = await startFakeEndpoint();
  servers.push(s);
  s.setHandler(() => ({ status: 200, body: { access_token: 'after-huge', expires_on: String(Math.floor(Date.now() / 1000) + 3600) } }));
  setAzureEnv({ IDENTITY_ENDPOINT: `${s.url}/msi/token`, IDENTITY_HEADER: 'h' });
  const cred = new azcred.ManagedIdentityCredential();
  await assert.rejects(cred.getToken('x'.repeat(20_000_000)), (e) => {
    assert.equal(e.message, 'scopes is too large: at most 65536 bytes are accepted');
    return true;
  });
  await assert.rejects(cred.getToken(Array(1000).fill(STORAGE)), /scopes is too large: at most 256 scopes/);
  assert.equal((await cred.getToken(STORAGE)).token, 'after-huge');
  assert.equal(s.requests.length, 1, 'nothing was sent for the refused requests');
});
