'use strict';
// The one driver loop: begin → poll / perform / handle → finish, with `await` around the IO.
// Every decision (cache, sharing, retries, deadlines, the chain walk) is the core's; this file
// only moves data between the core and Node.

const backend = require('./backend');
const errors = require('./errors');
const { seed, coreOptions, tokenRequest, toAccessToken, callGetAssertion, delegateToMember, promptDeviceCode } = require('./translate');
const plugins = require('./plugins');
// The logger (and the app's @azure/logger behind it) loads with the first credential, not with
// `require('azcred')`.
let loggerModule;
const logging = {
  get module() {
    if (!loggerModule) loggerModule = require('./logger');
    return loggerModule;
  },
  enabledLevel() {
    return this.module.enabledLevel();
  },
  write(record) {
    this.module.write(record);
  },
};

/** The runtime named in the User-Agent header (the core writes the header). */
let hostInfo;
function host() {
  if (!hostInfo) {
    const os = require('node:os');
    hostInfo = { runtime: 'Node', version: process.versions.node, os: `${os.type()} ${os.release()}`, arch: process.arch };
  }
  return hostInfo;
}

/** The environment and host facts the core may read. */
function envSnapshot() {
  return {
    vars: { ...process.env },
    platform: process.platform,
    tzOffsetMinutes: -new Date().getTimezoneOffset(),
    host: host(),
    logLevel: logging.enabledLevel() || null,
  };
}

/** How this credential's requests leave the process, from the options the driver keeps. */
function transport(options) {
  const out = {};
  if (!options || typeof options !== 'object') return out;
  const client = options.httpClient;
  if (client !== undefined) {
    if (!client || typeof client.sendRequest !== 'function') {
      throw new TypeError('httpClient must be an object with a sendRequest(request) method (a core-rest-pipeline HttpClient)');
    }
    out.httpClient = client;
  }
  const tls = options.tlsOptions;
  if (tls !== undefined && tls !== null) {
    if (typeof tls !== 'object') throw new TypeError('tlsOptions must be an object ({ ca, cert, key, pfx, passphrase })');
    out.tls = {};
    for (const k of ['ca', 'cert', 'key', 'pfx', 'passphrase']) if (tls[k] !== undefined) out.tls[k] = tls[k];
  }
  const agent = options.agent;
  if (agent !== undefined && agent !== null) {
    if (typeof agent !== 'object') throw new TypeError('agent must be an http.Agent or https.Agent');
    out.agent = agent;
  }
  return out;
}


/** Node IO for interactive sign-in, loaded by the first flow that needs it. */
function signin() {
  return require('./io-signin');
}

/** The key of a request's lease: the JSON of the core's request, or for the common call (one
 * scope, no options) the scope itself, unless it starts with '{' as every JSON key does.
 * `undefined` when there can be no lease (the request does not serialise). */
function leaseKey(scopes, options) {
  if (options === undefined && typeof scopes === 'string' && scopes.charCodeAt(0) !== 123) return scopes;
  try {
    return JSON.stringify(tokenRequest(scopes, options || {}));
  } catch {
    return undefined;
  }
}

/** Two random 32-bit words for the core's seed, from the OS's CSPRNG: read from /dev/urandom
 * where there is one (about 20 µs), since loading Node's crypto for WebCrypto costs a cold
 * process 3-5 ms; `undefined` elsewhere (Windows), where `seed` uses WebCrypto. */
function randomWords() {
  const fs = require('node:fs');
  let fd;
  try {
    fd = fs.openSync('/dev/urandom', 'r');
    const words = new Uint32Array(2);
    if (fs.readSync(fd, words, 0, 8, null) === 8) return words;
  } catch {
    // No /dev/urandom here.
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
  return undefined;
}

function abortError() {
  return new errors.AbortError('The operation was aborted.');
}

/** The error for a caller who gives up on the flow of `entry`: the core's, for that flow (the
 * device-code sign-in words it its own way), while the flow is running. */
function abortErrorOf(entry) {
  const flow = entry.io.flow;
  return flow ? errors.fromCore(flow.abortError()) : abortError();
}

/**
 * A core credential and the flows it is running. Each public credential class holds one.
 */
class Driven {
  /**
   * @param {string} kind the reference's class name
   * @param {object} options the caller's options
   * @param {Array<object>} [members] ChainedTokenCredential's member credentials
   * @param {{getAssertion?: Function}} [callbacks] functions the core asks the driver to call
   *   (ClientAssertionCredential's getAssertion)
   */
  constructor(kind, options, members, callbacks) {
    const { Credential, store } = backend.load();
    this.kind = kind;
    this.members = members || [];
    this.callbacks = callbacks || {};
    const opts = coreOptions(options);
    if (members) opts.members = members.map((m) => (m && m.constructor && m.constructor.name) || 'TokenCredential');
    // Whether useIdentityPlugin registered a persistence plugin (the caller cannot say so).
    opts.persistenceRegistered = typeof plugins.registry.persistence === 'function';
    this.transport = transport(options);
    const env = envSnapshot();
    try {
      this.core = new Credential(kind, opts, env, seed(randomWords()), store);
    } catch (e) {
      throw errors.fromBinding(e);
    }
    this.logLevel = logging.enabledLevel();
    this.writeLog();
    this.flows = new Map();
    this.leases = new Map();
    // The persistence plugin's ICachePlugin per store, made on the first loadCache/storeCache.
    this.stores = new Map();
    this.io = require('./io-node');
    // What holds tokens or key material is not enumerable (and inspect shows none of it).
    for (const k of ['leases', 'flows', 'transport', 'callbacks', 'stores']) Object.defineProperty(this, k, { enumerable: false });
  }

  /** `util.inspect` shows the credential's kind only: the driver holds tokens. */
  [Symbol.for('nodejs.util.inspect.custom')]() {
    return `Driven { kind: ${JSON.stringify(this.kind)} }`;
  }

  toJSON() {
    return { kind: this.kind };
  }

  /** Tells the core which records the logger writes now, when that changed. */
  syncLogLevel() {
    const level = logging.enabledLevel();
    if (level !== this.logLevel) {
      this.logLevel = level;
      this.core.setLogLevel(level || null);
    }
  }

  /** Writes the log records the core made, the flow's then the credential's (it makes none
   * while logging is off). */
  writeLog(flow) {
    if (this.logLevel === undefined) return;
    if (flow) for (const record of flow.takeLog()) logging.write(record);
    for (const record of this.core.takeLog()) logging.write(record);
  }

  /** What each member of the credential will do, or why it is left out. */
  explain() {
    return this.core.explain();
  }

  /** `authenticate(scopes, options)` of a user credential: the core serves it as a getToken
   * that may sign the user in, and answers with the account's AuthenticationRecord (undefined
   * when the credential has no account). */
  async authenticate(scopes, options) {
    options = options || {};
    const signal = options.abortSignal;
    if (signal && signal.aborted) throw abortError();
    const request = { ...tokenRequest(scopes, options), authenticate: true };
    this.syncLogLevel();
    let begun;
    try {
      begun = this.core.begin(request, Date.now());
    } catch (e) {
      throw errors.fromBinding(e);
    }
    if (begun.type === 'cached') return begun.account;
    if (begun.type !== 'start') throw new Error(`azcred: authenticate was answered with ${begun.type}`);
    const entry = this.start(begun.flow, request, options, Boolean(begun.token));
    if (begun.token) entry.promise.catch(() => {});
    await this.wait(entry, signal);
    return entry.io.account;
  }

  getToken(scopes, options) {
    // A lease from the core: it said it would answer this exact request with this token until
    // `until`, so the answer is known without asking again (nor building the request).
    const key = leaseKey(scopes, options);
    if (key !== undefined) {
      const lease = this.leases.get(key);
      if (lease !== undefined && Date.now() < lease.until && !(options && options.abortSignal && options.abortSignal.aborted)) {
        return Promise.resolve({ ...lease.token });
      }
    }
    return this.acquire(scopes, options);
  }

  /** `getToken` past the leases: asks the core. */
  async acquire(scopes, given) {
    const options = given || {};
    const signal = options.abortSignal;
    if (signal && signal.aborted) throw abortError();
    const request = tokenRequest(scopes, options);
    const now = Date.now();
    this.syncLogLevel();
    let begun;
    try {
      begun = this.core.begin(request, now);
    } catch (e) {
      throw errors.fromBinding(e);
    }
    if (begun.type === 'cached') {
      const token = toAccessToken(begun.token);
      if (begun.until !== undefined) {
        // The core bounds how many leases are kept: it says when to let go of the others.
        if (begun.dropLeases) this.leases.clear();
        const key = leaseKey(scopes, given);
        if (key !== undefined) this.leases.set(key, { token, until: begun.until });
      }
      return { ...token };
    }
    if (begun.type === 'start') {
      const entry = this.start(begun.flow, request, options, Boolean(begun.token));
      if (begun.token) {
        // An early refresh: the caller gets the still-valid token now.
        entry.promise.catch(() => {});
        return toAccessToken(begun.token);
      }
      return this.wait(entry, signal);
    }
    const entry = this.flows.get(begun.id);
    if (!entry) throw new Error(`azcred: flow ${begun.id} is not running`);
    return this.wait(entry, signal, () => this.acquire(scopes, given));
  }

  /** Starts driving a flow. A `background` flow (an early refresh: the caller already has the
   * still-valid token) does its IO unref'd, so it never keeps a finished program alive. */
  start(flow, request, options, background) {
    const id = flow.id;
    const controller = new AbortController();
    const entry = { waiters: 0, controller, promise: null, background };
    const io = { background, flow };
    entry.io = io;
    entry.promise = this.drive(flow, request, options, controller.signal, io).finally(() => this.flows.delete(id));
    this.flows.set(id, entry);
    return entry;
  }

  /** Waits for a flow on behalf of one caller; when every caller has aborted, the flow's IO is
   * cancelled. A caller who joins a flow already being cancelled waits for it to end and then
   * asks again (`again`), rather than sharing an abort that was not its own. */
  wait(entry, signal, again) {
    if (again && entry.controller.signal.aborted) {
      return entry.promise.then(again, again);
    }
    entry.waiters += 1;
    if (entry.background && !entry.keepAlive) {
      // A caller now waits for a background flow, whose IO does not keep the process alive:
      // this timer does, until the flow ends.
      entry.keepAlive = setInterval(() => {}, 2 ** 31 - 1);
      entry.promise.then(
        () => clearInterval(entry.keepAlive),
        () => clearInterval(entry.keepAlive),
      );
    }
    if (!signal) return entry.promise;
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        entry.waiters -= 1;
        // Cancelled only if no caller is left once the current job is done: one who joins in
        // the same tick (after this abort, before the flow would see it) keeps the flow going.
        queueMicrotask(() => {
          if (entry.waiters === 0) entry.controller.abort();
        });
        reject(abortErrorOf(entry));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      entry.promise.then(
        (t) => {
          signal.removeEventListener('abort', onAbort);
          resolve(t);
        },
        (e) => {
          signal.removeEventListener('abort', onAbort);
          reject(e);
        },
      );
    });
  }

  /** Runs one flow to its end. `finish` always runs, whatever happens on the way (an
   * unfinished flow ends as aborted), so the core never keeps a flow the driver gave up on. A
   * `background` flow (`io`) does its IO unref'd. */
  async drive(flow, request, options, signal, io) {
    const originals = new Map();
    // What this flow holds open (the sign-in listener): closed in `finally`, whatever happened.
    // What the flow holds open (its sign-in listener), closed in `finally`; on `io`, which the
    // caller also reads (authenticate()'s account).
    const held = { listener: null };
    io.held = held;
    let failure;
    let out;
    try {
      for (;;) {
        const step = flow.poll(Date.now());
        this.writeLog(flow);
        if (step.type === 'finished') break;
        if (step.type === 'wait') {
          await this.io.sleep(step.until - Date.now(), signal, io);
          if (signal.aborted) break;
          continue;
        }
        const reply = await this.perform(step.action, signal, originals, io);
        flow.handle(reply, Date.now());
      }
    } catch (e) {
      failure = e;
    } finally {
      if (held.listener) held.listener.close();
      io.flow = null;
      out = this.core.finish(flow, Date.now());
      this.writeLog(flow);
      if (typeof flow.free === 'function') flow.free();
    }
    if (failure) throw errors.fromBinding(failure);
    if (out.ok) {
      // authenticate()'s answer: the account's record, beside the token.
      if (out.account) io.account = out.account;
      return toAccessToken(out.token);
    }
    throw errors.fromCore(out.error, request.scopes, options, originals);
  }

  perform(action, signal, originals, io) {
    switch (action.type) {
      case 'http':
        return this.io.http(action, signal, this.transport, io);
      case 'run':
        return this.io.run(action, signal, io);
      case 'readFile':
        return this.io.readFile(action, signal, io);
      case 'delegate':
        return this.delegate(action, signal, originals);
      case 'sign':
        return this.io.sign(action);
      case 'getAssertion':
        return this.getAssertion(action);
      case 'loadCache':
      case 'storeCache':
        return require('./persistence').perform(this.stores, action, signal, io);
      case 'launch':
        return signin().launch(action, signal);
      case 'listen':
        if (io.held.listener) return Promise.resolve({ type: 'failed', kind: 'other', message: 'this flow already has a listener' });
        io.held.listener = new (signin().Listener)();
        return io.held.listener.listen(action);
      case 'accept':
      case 'respond':
      case 'closeListener':
        if (!io.held.listener) return Promise.resolve({ type: 'failed', kind: 'other', message: 'no listener is open' });
        if (action.type === 'accept') return io.held.listener.accept(action, signal);
        if (action.type === 'respond') return io.held.listener.respond(action);
        return Promise.resolve(io.held.listener.close());
      case 'promptDeviceCode':
        return Promise.resolve(this.promptDeviceCode(action));
      default:
        return Promise.resolve({ type: 'failed', kind: 'unsupported', message: `unknown action ${action.type}` });
    }
  }

  /** Calls ClientAssertionCredential's callback, once per token request the core sends. */
  getAssertion(action) {
    return callGetAssertion(this.callbacks, action);
  }

  /** Shows DeviceCodeCredential's prompt through its userPromptCallback. */
  promptDeviceCode(action) {
    return promptDeviceCode(this.callbacks, action);
  }

  delegate(action, signal, originals) {
    return delegateToMember(this.members, action, signal, originals);
  }
}

/** `deserializeAuthenticationRecord`'s check of a parsed record (the core knows the versions it
 * writes). */
function checkAuthenticationRecord(record) {
  try {
    backend.load().checkAuthenticationRecord(record);
  } catch (e) {
    throw errors.fromBinding(e);
  }
}

module.exports = { Driven, checkAuthenticationRecord };
