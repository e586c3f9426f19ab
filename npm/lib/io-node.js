'use strict';
// Node IO for the driver: performs the core's actions and reports what happened, as data.
// No decisions here: every deadline, URL, header, argument and size cap comes from the core.

// Every cap, deadline and kill rule comes with the action, decided by the core.

/** Maps a Node error to the core's `IoFailureKind`. */
function failureKind(err) {
  if (!err) return 'other';
  if (err.azcredKind) return err.azcredKind;
  if (err.name === 'AbortError' || err.code === 'ABORT_ERR') return 'aborted';
  switch (err.code) {
    case 'ECONNREFUSED':
      return 'refused';
    case 'ECONNRESET':
    case 'EPIPE':
      return 'reset';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EHOSTDOWN':
    case 'ENETDOWN':
      return 'unreachable';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'dnsFailed';
    case 'ENOENT':
      return 'notFound';
    case 'EACCES':
    case 'EPERM':
      return 'permissionDenied';
    case 'ETIMEDOUT':
      return 'timedOut';
    default:
      if (typeof err.code === 'string' && /CERT|TLS|SSL|SELF_SIGNED|UNABLE_TO_VERIFY/.test(err.code)) {
        return 'tls';
      }
      return 'other';
  }
}

/** Node's timers hold at most 2^31-1 ms; a longer delay fires after 1 ms (with a warning). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Calls `fn` after `ms`, however long: a delay beyond Node's limit is waited for in steps of
 * at most 2^31-1 ms. An `unref`'d timer does not keep the process alive. Returns `{ clear() }`. */
function later(fn, ms, unref) {
  const at = Date.now() + Math.max(0, Number(ms) || 0);
  let t;
  const arm = () => {
    const left = at - Date.now();
    t = left > MAX_TIMER_MS ? setTimeout(arm, MAX_TIMER_MS) : setTimeout(fn, Math.max(0, left));
    if (unref) t.unref();
  };
  arm();
  return {
    clear() {
      clearTimeout(t);
    },
  };
}

/** The text of a body the core handed over as bytes (a Buffer or a Uint8Array). */
function textOf(bytes) {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
}

function failed(kind, message) {
  return { type: 'failed', kind, message: String(message || kind) };
}

function tagged(kind, message) {
  const e = new Error(message);
  e.azcredKind = kind;
  return e;
}

// Every IO function takes `opts` last: `{ background: true }` for a flow no caller waits for (an
// early refresh that hands out the still-valid token), whose sockets, timers and processes must
// not keep the program alive once its own work is done.

/** Whether this IO runs for a background flow. */
function inBackground(opts) {
  return Boolean(opts && opts.background);
}

// `https-proxy-agent` is used when the application has it installed; azcred has no runtime
// dependencies. undefined: not looked for yet; null: not installed.
let proxyAgentModule;

/** Finds `https-proxy-agent`: next to azcred, else from the application's directory or the
 * current directory (where an app that installed it has it). */
function loadProxyAgent() {
  if (proxyAgentModule !== undefined) return proxyAgentModule;
  proxyAgentModule = null;
  const path = require('node:path');
  const bases = [null, require.main && path.dirname(require.main.filename), process.cwd()];
  for (const base of bases) {
    try {
      const resolved = base ? require.resolve('https-proxy-agent', { paths: [base] }) : 'https-proxy-agent';
      const mod = require(resolved);
      if (mod && typeof mod.HttpsProxyAgent === 'function') {
        proxyAgentModule = mod;
        break;
      }
    } catch {
      // Not installed there.
    }
  }
  return proxyAgentModule;
}

/** Headers as core-rest-pipeline's `HttpHeaders` (case-insensitive names), for an app's
 * `httpClient`. */
class Headers {
  constructor(raw) {
    this._map = new Map();
    for (const [k, v] of Object.entries(raw || {})) this.set(k, v);
  }
  set(name, value) {
    this._map.set(name.toLowerCase(), { name, value: String(value) });
  }
  get(name) {
    const e = this._map.get(name.toLowerCase());
    return e && e.value;
  }
  has(name) {
    return this._map.has(name.toLowerCase());
  }
  delete(name) {
    this._map.delete(name.toLowerCase());
  }
  toJSON(options) {
    const out = {};
    for (const [key, e] of this._map) out[options && options.preserveCase ? e.name : key] = e.value;
    return out;
  }
  toString() {
    return JSON.stringify(this.toJSON({ preserveCase: true }));
  }
  *[Symbol.iterator]() {
    for (const [key, e] of this._map) yield [key, e.value];
  }
}

/** The proxy the core chose, as core-rest-pipeline's `ProxySettings`. */
function proxySettings(proxyUrl) {
  try {
    const u = new URL(proxyUrl);
    const out = { host: `${u.protocol}//${u.hostname}`, port: Number(u.port) || (u.protocol === 'https:' ? 443 : 80) };
    if (u.username) out.username = decodeURIComponent(u.username);
    if (u.password) out.password = decodeURIComponent(u.password);
    return out;
  } catch {
    return undefined;
  }
}

/** The response headers of an app's `httpClient` as a plain object. */
function plainHeaders(h) {
  if (!h) return {};
  if (typeof h.toJSON === 'function') return h.toJSON();
  if (typeof h[Symbol.iterator] === 'function') return Object.fromEntries(h);
  return { ...h };
}

/** Sends the request through the app's core-rest-pipeline `HttpClient`; resolves to a reply,
 * never rejects. The deadline becomes the request's `timeout` and an abort of its signal. */
async function httpViaClient(client, action, signal, transport, opts) {
  const { request, deadline } = action;
  if (request.pinnedThumbprint) {
    // An HttpClient has no way to be told to accept only this certificate; sending without the
    // pin would trust whatever answers.
    return failed(
      'unsupported',
      "the Service Fabric endpoint's certificate is pinned by IDENTITY_SERVER_THUMBPRINT, which an httpClient cannot check; remove the httpClient option",
    );
  }
  const controller = new AbortController();
  const onAbort = () => controller.abort();
  if (signal) {
    if (signal.aborted) return failed('aborted', 'The operation was aborted.');
    signal.addEventListener('abort', onAbort, { once: true });
  }
  const left = Math.max(1, deadline - Date.now());
  let timedOut = false;
  const timer = later(
    () => {
      timedOut = true;
      controller.abort();
    },
    left,
    inBackground(opts),
  );
  const headers = new Headers(request.headers);
  try {
    const res = await client.sendRequest({
      url: request.url,
      method: request.method,
      headers,
      // The app's client gets the form as text (every HttpClient takes a string body).
      body: request.body === undefined ? undefined : textOf(request.body),
      timeout: Math.min(left, MAX_TIMER_MS),
      withCredentials: false,
      requestId: headers.get('x-ms-client-request-id') || '',
      abortSignal: controller.signal,
      allowInsecureConnection: request.url.startsWith('http:'),
      disableKeepAlive: false,
      enableBrowserStreams: false,
      proxySettings: request.proxy ? proxySettings(request.proxy) : undefined,
      agent: transport.agent,
      tlsSettings: transport.tls,
      streamResponseStatusCodes: undefined,
      tracingOptions: undefined,
    });
    let body = res.bodyAsText;
    if (body === undefined || body === null) body = '';
    if (Buffer.byteLength(String(body)) > action.maxBodyBytes) {
      return failed('tooLarge', `the response body exceeded ${action.maxBodyBytes} bytes`);
    }
    return { type: 'http', status: res.status, headers: plainHeaders(res.headers), body: Buffer.from(String(body), 'utf8') };
  } catch (e) {
    if (timedOut) return failed('timedOut', 'the request timed out');
    if (signal && signal.aborted) return failed('aborted', 'The operation was aborted.');
    return failed(failureKind(e), (e && e.message) || 'the httpClient failed');
  } finally {
    timer.clear();
    if (signal) signal.removeEventListener('abort', onAbort);
  }
}

/** Sends an HTTP(S) request; resolves to a reply, never rejects. `transport` holds what the
 * credential's options say about how: an app's `httpClient`, an `agent`, or `tls` settings
 * (client certificate, CA) for https requests. */
function http(action, signal, transport, opts) {
  if (transport && transport.httpClient) return httpViaClient(transport.httpClient, action, signal, transport, opts);
  const background = inBackground(opts);
  const { request, deadline, connectDeadline } = action;
  let url;
  try {
    url = new URL(request.url);
  } catch {
    return Promise.resolve(failed('other', 'the endpoint URL is not a valid URL'));
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return Promise.resolve(failed('other', `unsupported URL protocol '${url.protocol}'`));
  }
  const mod = url.protocol === 'https:' ? require('node:https') : require('node:http');
  return new Promise((resolve) => {
    let settled = false;
    const timers = [];
    const done = (reply) => {
      if (settled) return;
      settled = true;
      timers.forEach((t) => t.clear());
      if (signal) signal.removeEventListener('abort', onAbort);
      resolve(reply);
    };
    const headers = { ...request.headers };
    if (request.body !== undefined) headers['Content-Length'] = Buffer.byteLength(request.body);
    const options = { method: request.method, headers, agent: false };
    if (transport && transport.tls && url.protocol === 'https:') Object.assign(options, transport.tls);
    if (transport && transport.agent) {
      // The app's agent carries every request, and (as core-rest-pipeline's proxy policy does)
      // wins over a proxy from the environment.
      options.agent = transport.agent;
    } else if (request.proxy) {
      // The core decided this request goes through a proxy (HTTPS_PROXY and NO_PROXY).
      const proxyAgent = loadProxyAgent();
      if (!proxyAgent) {
        // Nothing is set up yet (no timers, no listener): resolve directly.
        resolve(
          failed(
            'unsupported',
            'a proxy is configured for this request (HTTPS_PROXY, ALL_PROXY or HTTP_PROXY) but the ' +
              "'https-proxy-agent' package is not installed: run npm install https-proxy-agent",
          ),
        );
        return;
      }
      try {
        options.agent = new proxyAgent.HttpsProxyAgent(request.proxy);
      } catch (e) {
        // The URL may hold credentials: say what is wrong without quoting it.
        resolve(failed('other', `the proxy URL is not valid (${e.code || 'invalid URL'})`));
        return;
      }
    }
    if (request.pinnedThumbprint) {
      // Service Fabric: the endpoint's certificate is self-issued; it is accepted when its
      // thumbprint matches IDENTITY_SERVER_THUMBPRINT, checked below once TLS is up.
      options.rejectUnauthorized = false;
    }
    let req;
    try {
      req = mod.request(url, options);
    } catch (e) {
      // `done` would touch `onAbort` before it is defined; nothing is set up yet.
      resolve(failed(failureKind(e), e.message));
      return;
    }
    const onAbort = () => req.destroy(tagged('aborted', 'The operation was aborted.'));
    if (signal) {
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
    }
    timers.push(
      later(
        () => req.destroy(tagged('timedOut', 'the request timed out')),
        Math.max(0, deadline - Date.now()),
        background,
      ),
    );
    req.on('socket', (socket) => {
      // An app's keep-alive agent refs a socket again when it reuses it.
      if (background) socket.unref();
      if (connectDeadline !== undefined && socket.connecting) {
        const t = later(() => {
          if (socket.connecting) req.destroy(tagged('connectTimedOut', 'the connection was not established in time'));
        }, Math.max(0, connectDeadline - Date.now()), background);
        timers.push(t);
        socket.once('connect', () => t.clear());
      }
      if (request.pinnedThumbprint) {
        socket.once('secureConnect', () => {
          const cert = socket.getPeerCertificate();
          const want = request.pinnedThumbprint.replace(/:/g, '').toUpperCase();
          const got = [cert.fingerprint256, cert.fingerprint].map((f) => String(f || '').replace(/:/g, '').toUpperCase());
          if (!got.includes(want)) {
            req.destroy(tagged('tls', 'the server certificate does not match IDENTITY_SERVER_THUMBPRINT'));
          }
        });
      }
    });
    req.on('error', (e) => done(failed(failureKind(e), e.message)));
    req.on('response', (res) => {
      const chunks = [];
      let size = 0;
      res.on('data', (c) => {
        size += c.length;
        if (size > action.maxBodyBytes) {
          req.destroy(tagged('tooLarge', `the response body exceeded ${action.maxBodyBytes} bytes`));
          return;
        }
        chunks.push(c);
      });
      res.on('end', () =>
        done({
          type: 'http',
          status: res.statusCode,
          headers: res.headers,
          body: Buffer.concat(chunks),
        }),
      );
      res.on('error', (e) => done(failed(failureKind(e), e.message)));
    });
    req.end(request.body);
  });
}

/** Process groups (POSIX) or process ids (Windows) of the tools now running; any still here
 * when this process exits are killed then, so no tool outlives the program. */
const liveTools = new Set();
let exitHook = false;

/** Kills `pid` and everything it started: its process group on POSIX (tools run as group
 * leaders), `taskkill /T /F` on Windows; `sync` for the exit hook, where nothing async runs. */
function killTree(pid, sync) {
  if (!pid) return;
  if (process.platform === 'win32') {
    const cp = require('node:child_process');
    const args = ['/pid', String(pid), '/T', '/F'];
    try {
      if (sync) cp.execFileSync('taskkill', args, { windowsHide: true, stdio: 'ignore', timeout: 5000 });
      else cp.execFile('taskkill', args, { windowsHide: true }, () => {});
    } catch {
      // Already gone.
    }
    return;
  }
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // ESRCH: nothing of the group is left.
  }
}

function trackTool(pid) {
  if (!exitHook) {
    exitHook = true;
    process.on('exit', () => {
      for (const p of liveTools) killTree(p, true);
    });
  }
  liveTools.add(pid);
}

/** Runs a program without a shell; resolves to a reply, never rejects. With `killTree` (the
 * core sets it for every tool) the program leads a process group of its own on POSIX, and at the
 * deadline, on abort or on too much output the whole group is killed (SIGKILL), so a wrapper's
 * children (the real `az` is a shell script around Python) go too; when the program exits, what
 * it left running in its group is killed as well, so nothing outlives the call. On Windows the
 * tree is killed with `taskkill /T /F`. */
function run(action, signal, opts) {
  const { spawn } = require('node:child_process');
  const tree = action.killTree === true;
  const posix = process.platform !== 'win32';
  const env = { ...process.env };
  for (const name of action.envRemove || []) {
    for (const k of Object.keys(env)) if (k.toLowerCase() === name.toLowerCase()) delete env[k];
  }
  for (const [k, v] of action.env || []) env[k] = v;
  return new Promise((resolve) => {
    if (signal && signal.aborted) return resolve(failed('aborted', 'The operation was aborted.'));
    let child;
    try {
      child = spawn(action.program, action.args, {
        cwd: action.cwd,
        env,
        detached: posix && tree,
        windowsHide: true,
        stdio: ['pipe', 'pipe', 'pipe'],
      });
    } catch (e) {
      resolve(failed(failureKind(e), e.message));
      return;
    }
    const pid = child.pid;
    if (pid && tree) trackTool(pid);
    let chunks = { stdout: [], stderr: [] };
    let size = 0;
    // Why azcred killed the tool, once it did: 'timedOut', 'aborted' or 'tooLarge'.
    let stopped = null;
    let settled = false;
    const stop = (why) => {
      if (stopped || settled) return;
      stopped = why;
      if (tree) killTree(pid);
      else child.kill('SIGKILL');
      // Nothing more is read: release what was buffered and close the pipes.
      chunks = { stdout: [], stderr: [] };
      child.stdout.destroy();
      child.stderr.destroy();
    };
    const timer = later(() => stop('timedOut'), Math.max(1, action.deadline - Date.now()), inBackground(opts));
    if (inBackground(opts)) {
      // The exit hook kills the tool's group if the program ends first.
      child.unref();
      for (const stream of [child.stdin, child.stdout, child.stderr]) if (stream && stream.unref) stream.unref();
    }
    const onAbort = () => stop('aborted');
    if (signal) signal.addEventListener('abort', onAbort, { once: true });
    const finish = (reply) => {
      if (settled) return;
      settled = true;
      timer.clear();
      if (signal) signal.removeEventListener('abort', onAbort);
      liveTools.delete(pid);
      chunks = null;
      resolve(reply);
    };
    const collect = (name) => (chunk) => {
      if (stopped || !chunks) return;
      size += chunk.length;
      if (size > action.maxOutputBytes) return stop('tooLarge');
      chunks[name].push(chunk);
    };
    child.stdout.on('data', collect('stdout'));
    child.stderr.on('data', collect('stderr'));
    child.stdin.on('error', () => {});
    child.stdin.end();
    child.on('error', (e) => {
      // The program did not start (ENOENT, EACCES, ...); a failed kill needs nothing.
      if (!pid) finish(failed(failureKind(e), e.code === 'ENOENT' ? `${action.program}: not found` : e.message));
    });
    child.on('exit', () => {
      // Whatever the tool left running in its group goes with it (and lets go of its pipes).
      if (posix && tree) killTree(pid);
    });
    child.on('close', (code) => {
      if (!pid) return;
      if (stopped === 'tooLarge') {
        finish(failed('tooLarge', `${action.program} printed more than ${action.maxOutputBytes} bytes`));
      } else if (stopped) {
        finish(failed(stopped, `${action.program} did not finish in time`));
      } else {
        finish({
          type: 'ran',
          exitCode: typeof code === 'number' ? code : null,
          stdout: Buffer.concat(chunks.stdout).toString('utf8'),
          stderr: Buffer.concat(chunks.stderr).toString('utf8'),
        });
      }
    });
  });
}

/** Bytes asked of the OS per read call. */
const READ_CHUNK_BYTES = 64 * 1024;

/** azcred's blocking fs calls run one at a time: a call that hangs (a hung network filesystem)
 * holds one of libuv's four pool threads, never more, so the app's fs and DNS work goes on.
 * Reads queued behind a hung one are answered at their own deadline. */
let fsTail = Promise.resolve();
function queued(job) {
  const run = fsTail.then(job);
  fsTail = run.then(
    () => {},
    () => {},
  );
  return run;
}

/** What a non-regular file is, for the message. */
function fileKind(st) {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return 'not a file';
}

/** Reads a whole regular file as UTF-8 with a size cap; resolves to a reply, never rejects.
 * The file is opened non-blocking (a FIFO with no writer does not hang the open) and refused
 * unless it is a regular file; it is read to its end, never trusting its size (/proc files say
 * 0); the read gives up at the action's deadline and on abort. */
function readFile(action, signal, opts) {
  const fsp = require('node:fs/promises');
  const { constants } = require('node:fs');
  const max = action.maxBytes;
  const tooLarge = () => failed('tooLarge', `the file is larger than ${max} bytes`);
  const { deadline } = action;
  // The reply once the caller has one: the job then stops at its next step (and closes the file).
  let over = null;
  const job = async () => {
    if (over) return null;
    let fh;
    try {
      fh = await fsp.open(action.path, constants.O_RDONLY | (constants.O_NONBLOCK || 0) | (constants.O_NOCTTY || 0));
      if (over) return null;
      const st = await fh.stat();
      if (!st.isFile()) return failed('other', `not a regular file (${fileKind(st)})`);
      if (st.size > max) return tooLarge();
      const chunks = [];
      let total = 0;
      for (;;) {
        if (over) return null;
        const want = Math.min(READ_CHUNK_BYTES, max + 1 - total);
        const buf = Buffer.alloc(want);
        const { bytesRead } = await fh.read(buf, 0, want, null);
        if (bytesRead === 0) break;
        chunks.push(buf.subarray(0, bytesRead));
        total += bytesRead;
        if (total > max) return tooLarge();
      }
      return { type: 'file', contents: Buffer.concat(chunks, total).toString('utf8') };
    } catch (e) {
      return failed(failureKind(e), e.code === 'ENOENT' ? 'the file does not exist' : e.message);
    } finally {
      if (fh) await fh.close().catch(() => {});
    }
  };
  return new Promise((resolve) => {
    let timer;
    const onAbort = () => settle(failed('aborted', 'The operation was aborted.'));
    function settle(reply) {
      if (over) return;
      over = reply;
      if (timer) timer.clear();
      if (signal) signal.removeEventListener('abort', onAbort);
      resolve(reply);
    }
    if (signal && signal.aborted) return settle(failed('aborted', 'The operation was aborted.'));
    const left = deadline - Date.now();
    timer = later(() => settle(failed('timedOut', `the read did not finish within ${Math.max(0, Math.round(left))} ms`)), left, inBackground(opts));
    if (signal) signal.addEventListener('abort', onAbort, { once: true });
    queued(job).then(
      (reply) => reply && settle(reply),
      (e) => settle(failed(failureKind(e), e && e.message)),
    );
  });
}

/** Signs `action.data` with the PEM private key in `action.key` (PS256: RSA-PSS, SHA-256, salt
 * as long as the digest); the key stays inside OpenSSL. Resolves to a reply, never rejects. */
function sign(action) {
  const crypto = require('node:crypto');
  if (action.algorithm !== 'PS256') return failed('unsupported', `unsupported signing algorithm ${action.algorithm}`);
  // OpenSSL's messages name the failure (bad decrypt, unsupported), never the key's contents.
  const why = (e) => (e && e.code === 'ERR_MISSING_PASSPHRASE' ? 'the key is encrypted and no password was given' : String((e && e.message) || e));
  let key;
  try {
    key = crypto.createPrivateKey({ key: action.key, format: 'pem', passphrase: action.passphrase });
  } catch (e) {
    return failed('other', why(e));
  }
  if (key.asymmetricKeyType !== 'rsa') {
    return failed('other', `the private key is a ${key.asymmetricKeyType} key; PS256 needs an RSA key`);
  }
  try {
    const signature = crypto.sign('sha256', Buffer.from(action.data, 'utf8'), {
      key,
      padding: crypto.constants.RSA_PKCS1_PSS_PADDING,
      saltLength: crypto.constants.RSA_PSS_SALTLEN_DIGEST,
    });
    return { type: 'signed', signature: signature.toString('base64url') };
  } catch (e) {
    return failed('other', why(e));
  }
}

/** Resolves after `ms`, or early when `signal` aborts. */
function sleep(ms, signal, opts) {
  return new Promise((resolve) => {
    if (signal && signal.aborted) return resolve();
    const t = later(done, ms, inBackground(opts));
    function done() {
      t.clear();
      if (signal) signal.removeEventListener('abort', done);
      resolve();
    }
    if (signal) signal.addEventListener('abort', done, { once: true });
  });
}

module.exports = { http, run, readFile, sign, sleep, failureKind };
