'use strict';
/**
 * Start Azurite's blob service (from tests/node_modules) over HTTPS with OAuth "basic" checks,
 * on 127.0.0.1 and an ephemeral port.
 *
 * Azurite --oauth basic accepts a bearer token when (azurite/dist/src/blob/authentication/
 * BlobTokenAuthenticator.js): it decodes as a JWT (signature NOT checked), iat/nbf/exp exist and
 * nbf <= now <= exp, iss starts with https://sts.windows.net/ (or sts.microsoftonline.de,
 * sts.chinacloudapi.cn, sts.windows-ppe.net), and aud is https://storage.azure.com[/],
 * e406a681-f3d4-42a8-90b6-c2b029497af1, or https://<account>.blob.core.windows.net[/] (and the
 * other clouds' blob hosts). Bearer tokens are refused over plain HTTP, hence --cert/--key.
 */

const fs = require('node:fs');
const os = require('node:os');
const net = require('node:net');
const path = require('node:path');
const { spawn, execFileSync } = require('node:child_process');

const TESTS_DIR = path.resolve(__dirname, '..');
const AZURITE_BLOB_MAIN = path.join(TESTS_DIR, 'node_modules', 'azurite', 'dist', 'src', 'blob', 'main.js');
const START_DEADLINE_MS = 30000;
const STOP_GRACE_MS = 5000;
const ACCOUNT = 'devstoreaccount1';

/**
 * @param {object} opts
 * @param {string} [opts.dir]   Workspace for Azurite's data (--location); omitted: --inMemoryPersistence.
 * @param {string} opts.cert    PEM server certificate (for 127.0.0.1).
 * @param {string} opts.key     PEM server key.
 * @param {string} [opts.oauth="basic"]  Azurite --oauth level; null to leave OAuth off.
 * @param {string[]} [opts.extraArgs]
 * @returns {Promise<{blobUrl: string, port: number, pid: number, output: () => string, stop: () => Promise<void>}>}
 */
async function startAzurite({ dir, cert, key, oauth = 'basic', extraArgs = [] } = {}) {
  if (!fs.existsSync(AZURITE_BLOB_MAIN)) {
    throw new Error(`Azurite is not installed at ${AZURITE_BLOB_MAIN}; run "npm install" (or "npm ci") in tests/`);
  }
  if (!cert || !key) throw new Error('startAzurite: cert and key (PEM paths) are required; Azurite refuses bearer tokens over HTTP');

  const args = [
    AZURITE_BLOB_MAIN,
    '--blobHost', '127.0.0.1',
    '--blobPort', '0', // Azurite listens on port 0 as given and prints the real address.
    '--cert', cert,
    '--key', key,
    '--silent',
    '--skipApiVersionCheck',
    '--disableTelemetry',
  ];
  if (oauth) args.push('--oauth', oauth);
  if (dir) {
    fs.mkdirSync(dir, { recursive: true });
    args.push('--location', dir);
  } else {
    args.push('--inMemoryPersistence');
  }
  args.push(...extraArgs);

  const isWindows = process.platform === 'win32';
  const child = spawn(process.execPath, args, {
    cwd: dir || os.tmpdir(),
    stdio: ['ignore', 'pipe', 'pipe'],
    // Own process group on POSIX, so stop() can signal the whole tree.
    detached: !isWindows,
    windowsHide: true,
  });

  let stdout = '';
  let stderr = '';
  const cap = (s) => (s.length > 20000 ? s.slice(-20000) : s);
  child.stdout.setEncoding('utf8').on('data', (d) => { stdout = cap(stdout + d); });
  child.stderr.setEncoding('utf8').on('data', (d) => { stderr = cap(stderr + d); });
  const output = () => `--- Azurite stdout ---\n${stdout.trim()}\n--- Azurite stderr ---\n${stderr.trim()}`;

  let exited = child.exitCode !== null;
  const exitPromise = new Promise((resolve) => {
    child.once('exit', () => { exited = true; resolve(); });
    child.once('error', () => { exited = true; resolve(); });
  });

  function signalTree(sig) {
    if (exited || child.pid === undefined) return;
    try {
      if (isWindows) {
        execFileSync('taskkill', ['/pid', String(child.pid), '/T', '/F'], { stdio: 'ignore', timeout: 10000 });
      } else {
        process.kill(-child.pid, sig);
      }
    } catch {
      // Already gone.
    }
  }
  // Never leave Azurite behind if the test process dies without calling stop().
  const onExit = () => signalTree('SIGKILL');
  process.on('exit', onExit);

  let stopping = null;
  function stop() {
    if (!stopping) {
      stopping = (async () => {
        process.off('exit', onExit);
        if (!exited) {
          signalTree('SIGTERM');
          if (!(await raceTimeout(exitPromise, STOP_GRACE_MS))) {
            signalTree('SIGKILL');
            await raceTimeout(exitPromise, 2000);
          }
        }
        child.stdout.destroy();
        child.stderr.destroy();
      })();
    }
    return stopping;
  }

  let port;
  try {
    port = await new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`Azurite did not start listening within ${START_DEADLINE_MS / 1000} s\n${output()}`)),
        START_DEADLINE_MS,
      );
      const onData = () => {
        const m = /successfully listens on https?:\/\/[^\s:]+:(\d+)/.exec(stdout);
        if (m) {
          cleanup();
          resolve(Number(m[1]));
        }
      };
      const onEnd = (err) => {
        cleanup();
        const why = err && err.message ? err.message : `exit code ${child.exitCode}, signal ${child.signalCode}`;
        reject(new Error(`Azurite exited before listening (${why})\n${output()}`));
      };
      function cleanup() {
        clearTimeout(timer);
        child.stdout.off('data', onData);
        child.off('exit', onEnd);
        child.off('error', onEnd);
      }
      child.stdout.on('data', onData);
      child.once('exit', onEnd);
      child.once('error', onEnd);
      onData();
    });
    await waitForPort(port, START_DEADLINE_MS);
  } catch (err) {
    await stop();
    throw err;
  }

  return {
    blobUrl: `https://127.0.0.1:${port}/${ACCOUNT}`,
    port,
    pid: child.pid,
    output,
    stop,
  };
}

function raceTimeout(promise, ms) {
  let timer;
  return Promise.race([
    promise.then(() => true),
    new Promise((resolve) => { timer = setTimeout(() => resolve(false), ms); }),
  ]).finally(() => clearTimeout(timer));
}

/** Resolve once 127.0.0.1:port accepts a TCP connection; reject after deadlineMs. */
async function waitForPort(port, deadlineMs) {
  const until = Date.now() + deadlineMs;
  for (;;) {
    const ok = await new Promise((resolve) => {
      const sock = net.connect({ host: '127.0.0.1', port });
      const done = (v) => { sock.destroy(); resolve(v); };
      sock.setTimeout(1000, () => done(false));
      sock.once('connect', () => done(true));
      sock.once('error', () => done(false));
    });
    if (ok) return;
    if (Date.now() > until) throw new Error(`127.0.0.1:${port} did not accept connections within ${deadlineMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

module.exports = { startAzurite, AZURITE_BLOB_MAIN };
