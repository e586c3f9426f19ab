'use strict';
// Running the web build in its runtimes, for the tests and the benchmark: a Cloudflare worker
// bundled as wrangler bundles it (esbuild with the workerd conditions, `azcred` from
// node_modules, the wasm-bindgen glue and the .wasm file left as modules of the worker) and
// served by workerd on 127.0.0.1, and a Deno program run with --allow-net=127.0.0.1 only.

const fs = require('node:fs');
const net = require('node:net');
const http = require('node:http');
const path = require('node:path');
const { spawn } = require('node:child_process');

const NPM = path.resolve(__dirname, '..', '..', 'npm');
const BIN = path.resolve(__dirname, '..', 'node_modules', '.bin');
const DIST = path.join(NPM, 'web', 'dist');

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/**
 * Bundles `source` (an ES module with a default `fetch` handler that may `import 'azcred'`) into
 * `dir` with a workerd config serving it on a free 127.0.0.1 port, trusting `caFile` for its
 * outbound HTTPS to loopback, with text `bindings`. Returns `{config, port}`.
 */
async function buildWorker(dir, source, { caFile, bindings = {} }) {
  fs.mkdirSync(path.join(dir, 'node_modules'), { recursive: true });
  const link = path.join(dir, 'node_modules', 'azcred');
  if (!fs.existsSync(link)) fs.symlinkSync(NPM, link, 'dir');
  fs.writeFileSync(path.join(dir, 'worker.mjs'), source);
  const out = path.join(dir, 'out');
  const esbuild = require(path.join(NPM, 'node_modules', 'esbuild'));
  await esbuild.build({
    entryPoints: [path.join(dir, 'worker.mjs')],
    outfile: path.join(out, 'worker.mjs'),
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    conditions: ['workerd', 'worker', 'browser'],
    preserveSymlinks: true,
    logLevel: 'warning',
    plugins: [{
      name: 'wasm-modules',
      setup(build) {
        build.onResolve({ filter: /^\.\/azcred_web_bg\.(js|wasm)$/ }, (args) => ({ path: args.path, external: true }));
      },
    }],
  });
  fs.copyFileSync(path.join(DIST, 'azcred_web_bg.js'), path.join(out, 'azcred_web_bg.js'));
  fs.copyFileSync(path.join(DIST, 'azcred_web_bg.wasm'), path.join(out, 'azcred_web_bg.wasm'));
  fs.copyFileSync(caFile, path.join(out, 'ca.pem'));
  const port = await freePort();
  const textBindings = Object.entries(bindings).map(([name, text]) => `(name = ${JSON.stringify(name)}, text = ${JSON.stringify(text)})`);
  const config = path.join(out, 'config.capnp');
  fs.writeFileSync(config, `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "main", worker = .worker),
    (name = "loopback", network = (allow = ["public", "private", "local"], tlsOptions = (trustedCertificates = [embed "ca.pem"]))),
  ],
  sockets = [(name = "http", address = "127.0.0.1:${port}", http = (), service = "main")],
);
const worker :Workerd.Worker = (
  modules = [
    (name = "worker.mjs", esModule = embed "worker.mjs"),
    (name = "azcred_web_bg.js", esModule = embed "azcred_web_bg.js"),
    (name = "azcred_web_bg.wasm", wasm = embed "azcred_web_bg.wasm"),
  ],
  bindings = [${textBindings.join(', ')}],
  compatibilityDate = "2025-09-01",
  globalOutbound = "loopback",
);
`);
  return { config, port };
}

function getJson(url, timeoutMs) {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { timeout: timeoutMs }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => {
        try {
          resolve(JSON.parse(body));
        } catch (e) {
          reject(e);
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
  });
}

/**
 * Starts workerd on `config`, asks its worker once (retrying until it listens) and stops it.
 * Resolves to `{answer, ms}`: the worker's JSON answer and the time from spawn to that answer.
 */
async function askWorkerOnce({ config, port }, { home, deadlineMs = 60000 }) {
  const started = performance.now();
  const child = spawn(path.join(BIN, 'workerd'), ['serve', config, '--verbose'], {
    env: { PATH: process.env.PATH, HOME: home },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout.on('data', (c) => (log += c));
  child.stderr.on('data', (c) => (log += c));
  try {
    const deadline = Date.now() + deadlineMs;
    for (;;) {
      if (Date.now() > deadline) throw new Error(`workerd did not answer: ${log}`);
      try {
        const answer = await getJson(`http://127.0.0.1:${port}/`, 20000);
        return { answer, ms: performance.now() - started, log };
      } catch {
        await new Promise((r) => setTimeout(r, 5));
      }
    }
  } finally {
    child.kill('SIGKILL');
  }
}

/**
 * Runs the Deno program `script` with --allow-net=127.0.0.1 and no other permission, trusting
 * `caFile`; killed at the deadline. Resolves to `{status, stdout, stderr, ms}` (ms: spawn to the
 * first line of output).
 */
function runDeno(script, { caFile, home, deadlineMs = 60000 }) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let firstLine = null;
    const env = { PATH: process.env.PATH, HOME: home, DENO_DIR: path.join(home, 'deno-cache'), NO_COLOR: '1' };
    const child = spawn(path.join(BIN, 'deno'), ['run', '--no-prompt', '--allow-net=127.0.0.1', '--cert', caFile, script], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => {
      stdout += c;
      if (firstLine === null && stdout.includes('\n')) firstLine = performance.now() - started;
    });
    child.stderr.on('data', (c) => (stderr += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), deadlineMs);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr, ms: firstLine });
    });
  });
}

module.exports = { NPM, DIST, buildWorker, askWorkerOnce, runDeno, freePort };
