'use strict';
/**
 * azcred local managed-identity emulator.
 *
 * A small HTTP server on 127.0.0.1 that speaks the two managed-identity wire protocols
 * DefaultAzureCredential talks to, so code written for managed identity runs unchanged on a
 * laptop, in a container or in tests:
 *
 *  - App Service / Functions (api-version 2019-08-01):
 *      GET /msi/token?api-version=2019-08-01&resource=R[&client_id=|&object_id=|&mi_res_id=]
 *      header X-IDENTITY-HEADER: <secret generated at start>
 *    Selected by clients through IDENTITY_ENDPOINT + IDENTITY_HEADER.
 *
 *  - IMDS (api-version 2018-02-01):
 *      GET /metadata/identity/oauth2/token?api-version=2018-02-01&resource=R[&client_id=|&object_id=|&msi_res_id=]
 *      header Metadata: true
 *    The real endpoint is http://169.254.169.254. azcred lets AZCRED_IMDS_ENDPOINT replace that
 *    base address (its own override; unlike AZURE_POD_IDENTITY_AUTHORITY_HOST it keeps
 *    DefaultAzureCredential's availability probe on). @azure/identity can reach the emulator's
 *    IMDS side through AZURE_POD_IDENTITY_AUTHORITY_HOST, which appends a trailing slash to the
 *    path (…/oauth2/token/) and skips the probe; both paths are served.
 *
 * Tokens are RS256 JWTs minted with an RSA key generated at start (Azurite's `--oauth basic`
 * accepts them: it checks iss prefix, aud, iat/nbf/exp but not the signature), or, with
 * `tokenSource: "az"`, access tokens taken from the developer's own `az` login through the
 * package's own AzureCliCredential (one per emulator, so its cache serves repeated requests).
 *
 * Zero runtime dependencies (the package itself is loaded only for `tokenSource: "az"`); never
 * logs tokens or the X-IDENTITY-HEADER secret.
 */

const http = require('node:http');
const crypto = require('node:crypto');
const { promisify } = require('node:util');

const HOST = '127.0.0.1';
const APP_SERVICE_PATH = '/msi/token';
const IMDS_PATH = '/metadata/identity/oauth2/token';
const APP_SERVICE_API_VERSION = '2019-08-01';
const IMDS_API_VERSION = '2018-02-01';
/** Entra ID backdates iat/nbf by five minutes to absorb clock skew; so do we. */
const BACKDATE_SECONDS = 300;

/**
 * Fixed, made-up identities used unless overridden by options. They are not real Entra IDs.
 */
const EMULATOR_DEFAULTS = Object.freeze({
  tenantId: '7a2c0de0-0000-4000-8000-00000000a2c0',
  clientId: '7a2c0de0-0000-4000-8000-0000000c11e7',
  objectId: '7a2c0de0-0000-4000-8000-00000000b1ec',
  lifetimeSeconds: 24 * 60 * 60,
});

/** The three ways an app can be pointed at the emulator; `env` holds the chosen one's variables. */
const PROTOCOLS = Object.freeze(['appService', 'imds', 'podIdentity']);

/**
 * A fault to inject into answers on the two token paths.
 *
 * @typedef {object} EmulatorFault
 * @property {number} [latencyMs]  Delay before answering (applied first; alone it only slows
 *                                 the normal answer down).
 * @property {number} [status]     Answer with this HTTP status instead of a token (e.g. 429,
 *                                 500, 503). The body is a JSON error unless `body` is given.
 * @property {number|string} [retryAfter]  Value of a `Retry-After` header on the faulted answer
 *                                 (only sent together with `status` or `body`).
 * @property {string} [body]       Raw response body to send instead (e.g. the malformed
 *                                 `{"access_token":`); status defaults to 200 when only a body
 *                                 is given. Sent as `application/json`.
 * @property {number} [count]      Number of requests the fault applies to; afterwards the fault
 *                                 clears itself and the next one queued (if any) applies.
 *                                 Omitted: applies until replaced or cleared.
 * @property {boolean} [probe]     Also apply to the IMDS availability probe (a request on the
 *                                 IMDS path without query string). Default false, so that
 *                                 `count` counts token requests only.
 *
 * Faults form a queue: the first applies until its `count` is used up, then the second, and so
 * on; only the last may omit `count`. Faults are applied before any protocol check, only to
 * requests on the two token paths.
 */

/**
 * One recorded request.
 * @typedef {object} RecordedRequest
 * @property {string} method
 * @property {string} url       Path and query as received.
 * @property {object} headers   Lower-cased header names (as node:http gives them).
 * @property {number} time      Date.now() at arrival.
 * @property {"token"|"probe"|"other"} kind  A token request, the IMDS probe, or anything else.
 * @property {boolean} faulted  Whether a fault was applied to it.
 * @property {number|undefined} status  Status of the answer, once it has been sent.
 */

/**
 * Start the emulator.
 *
 * @param {object} [options]
 * @param {"appService"|"imds"|"podIdentity"} [options.protocol="appService"] Which protocol's
 *                                             variables `env` holds (both are always served).
 * @param {number} [options.port=0]            Port on 127.0.0.1 (0 = ephemeral).
 * @param {number} [options.lifetimeSeconds=86400] Lifetime of minted tokens.
 * @param {string} [options.tenantId]          `tid` claim / issuer tenant.
 * @param {string} [options.clientId]          Client id of the system-assigned identity.
 * @param {string} [options.objectId]          Object id of the system-assigned identity.
 * @param {boolean} [options.systemAssigned=true] false: a request without a user-assigned id
 *                                             is refused (400), as on a resource without one.
 * @param {{clientId?: string, objectId?: string, resourceId?: string}[]} [options.identities]
 *                                             User-assigned identities. Given: only these are
 *                                             served (others get 400), with these ids. Omitted:
 *                                             any id is accepted, the others derived from it.
 * @param {EmulatorFault} [options.fault]      Initial fault (the older name of `faults`).
 * @param {EmulatorFault|EmulatorFault[]} [options.faults] Initial fault queue.
 * @param {"mint"|"az"} [options.tokenSource="mint"] "az" serves tokens from the package's own
 *                                             AzureCliCredential (`az account get-access-token`,
 *                                             `az` found on PATH); a `tenantId` given is passed
 *                                             to it.
 * @param {string} [options.azPath]            Deprecated and ignored (a warning is emitted):
 *                                             AzureCliCredential runs the `az` found on PATH.
 * @param {(line: string) => void} [options.log] Called once per answered request with a short
 *                                             line (method, path+query, status); no secrets.
 * @param {boolean} [options.recordRequests=true] Keep every request in `requests` (tests);
 *                                             the long-running CLI turns it off.
 * @returns {Promise<object>} The running emulator (see emulator.d.ts, `Emulator`).
 */
async function startEmulator(options = {}) {
  if (options === null || typeof options !== 'object') {
    throw new TypeError('azcred emulator: options must be an object');
  }
  const opts = { ...EMULATOR_DEFAULTS, ...stripUndefined(options) };
  const protocol = opts.protocol === undefined ? 'appService' : opts.protocol;
  if (!PROTOCOLS.includes(protocol)) {
    throw new RangeError(`azcred emulator: protocol must be one of ${PROTOCOLS.map((p) => `"${p}"`).join(', ')}, got ${String(protocol)}`);
  }
  const port = opts.port === undefined ? 0 : Number(opts.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new RangeError(`azcred emulator: invalid port ${options.port}`);
  }
  const lifetimeSeconds = Number(opts.lifetimeSeconds);
  if (!Number.isFinite(lifetimeSeconds) || lifetimeSeconds <= 0) {
    throw new RangeError(`azcred emulator: invalid lifetimeSeconds ${options.lifetimeSeconds}`);
  }
  const tokenSource = opts.tokenSource || 'mint';
  if (tokenSource !== 'mint' && tokenSource !== 'az') {
    throw new RangeError(`azcred emulator: tokenSource must be "mint" or "az", got ${tokenSource}`);
  }
  if (options.fault !== undefined && options.faults !== undefined) {
    throw new TypeError('azcred emulator: give either fault or faults, not both');
  }
  let faults = normalizeFaults(options.faults !== undefined ? options.faults : options.fault);
  const identities = normalizeIdentities(opts.identities);
  const systemAssigned = opts.systemAssigned !== false;
  if (options.azPath !== undefined) {
    process.emitWarning(
      'azcred emulator: the azPath option is ignored; tokenSource "az" uses AzureCliCredential, which runs the az found on PATH (put its directory first on PATH instead).',
      { type: 'DeprecationWarning', code: 'AZCRED_EMULATOR_AZPATH' },
    );
  }
  // tokenSource "az": one AzureCliCredential for the emulator's lifetime, so its cache serves
  // repeated requests. Only a tenant the caller chose is passed (the default one is made up).
  const azCredential = tokenSource === 'az' ? newAzureCliCredential(options.tenantId) : null;

  const secret = crypto.randomBytes(32).toString('hex');
  const { privateKey, publicKey } = await promisify(crypto.generateKeyPair)('rsa', {
    modulusLength: 2048,
  });
  const kid = crypto
    .createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('base64url')
    .slice(0, 27);

  const requests = [];
  const counts = { requests: 0, tokenRequests: 0, probes: 0, faulted: 0, tokensIssued: 0 };
  const timers = new Set();
  const log = typeof opts.log === 'function' ? opts.log : () => {};
  const recordRequests = opts.recordRequests !== false;

  function mintToken(resource, identity) {
    const now = Math.floor(Date.now() / 1000);
    const exp = now + Math.floor(lifetimeSeconds);
    const iss = `https://sts.windows.net/${opts.tenantId}/`;
    const claims = {
      aud: audienceOf(resource),
      iss,
      iat: now - BACKDATE_SECONDS,
      nbf: now - BACKDATE_SECONDS,
      exp,
      aio: crypto.randomBytes(12).toString('base64url'),
      appid: identity.clientId,
      appidacr: '2',
      idp: iss,
      idtyp: 'app',
      oid: identity.objectId,
      sub: identity.objectId,
      tid: opts.tenantId,
      uti: crypto.randomBytes(16).toString('base64url'),
      ver: '1.0',
    };
    if (identity.resourceId) claims.xms_mirid = identity.resourceId;
    const header = { alg: 'RS256', typ: 'JWT', kid };
    const signingInput = `${b64json(header)}.${b64json(claims)}`;
    const signature = crypto.sign('sha256', Buffer.from(signingInput), privateKey);
    return {
      token: `${signingInput}.${signature.toString('base64url')}`,
      expiresOn: exp,
      notBefore: claims.nbf,
      clientId: identity.clientId,
    };
  }

  async function azToken(resource, identity) {
    // The scope whose resource is the one requested: AzureCliCredential (as the reference's)
    // passes `--resource` as the scope without its "/.default".
    const got = await azCredential.getToken(`${audienceOf(resource)}/.default`);
    return {
      token: got.token,
      expiresOn: Math.floor(got.expiresOnTimestamp / 1000),
      notBefore: Math.floor(Date.now() / 1000),
      clientId: jwtClaim(got.token, 'appid') || identity.clientId,
    };
  }

  async function issue(resource, identity) {
    return tokenSource === 'az' ? azToken(resource, identity) : mintToken(resource, identity);
  }

  function sleep(ms) {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        timers.delete(t);
        resolve();
      }, ms);
      timers.add(t);
    });
  }

  /** The fault for a request (the head of the queue), counting it down; null for none. */
  function takeFault(isProbe) {
    const f = faults[0];
    if (!f || (isProbe && !f.probe)) return null;
    if (f.count !== undefined && --f.count <= 0) faults.shift();
    return f;
  }

  async function handle(req, res, record) {
    let url;
    try {
      url = new URL(req.url, `http://${HOST}`);
    } catch {
      return sendJson(res, 400, { error: 'invalid_request', error_description: 'Malformed request URL.' });
    }
    const path = url.pathname.replace(/\/+$/, '');
    const isAppService = path === APP_SERVICE_PATH;
    const isImds = path === IMDS_PATH;
    if (!isAppService && !isImds) {
      return sendJson(res, 404, { error: 'not_found', error_description: `No managed-identity endpoint at ${url.pathname}.` });
    }

    // Fault injection, before any protocol check.
    const isProbe = isImds && url.search === '';
    if (isProbe) counts.probes += 1;
    else counts.tokenRequests += 1;
    record.kind = isProbe ? 'probe' : 'token';
    const f = takeFault(isProbe);
    if (f) {
      counts.faulted += 1;
      record.faulted = true;
      if (f.latencyMs > 0) await sleep(f.latencyMs);
      if (res.destroyed) return undefined;
      if (f.status !== undefined || f.body !== undefined) {
        const headers = {};
        if (f.retryAfter !== undefined) headers['Retry-After'] = String(f.retryAfter);
        const status = f.status !== undefined ? f.status : 200;
        const body =
          f.body !== undefined
            ? f.body
            : JSON.stringify({
                error: 'emulated_fault',
                error_description: `Fault injected by the azcred emulator (HTTP ${status}).`,
              });
        return sendRaw(res, status, body, headers);
      }
    }

    if (req.method !== 'GET') {
      return sendJson(res, 405, { error: 'invalid_request', error_description: `Method ${req.method} is not supported; use GET.` }, { Allow: 'GET' });
    }
    const q = url.searchParams;

    if (isAppService) {
      const given = req.headers['x-identity-header'];
      if (typeof given !== 'string' || !safeEqual(given, secret)) {
        return sendJson(res, 401, {
          statusCode: 401,
          message: 'Unauthorized: the X-IDENTITY-HEADER header is missing or does not match IDENTITY_HEADER.',
        });
      }
      if (q.get('api-version') !== APP_SERVICE_API_VERSION) {
        return sendJson(res, 400, {
          statusCode: 400,
          message: `Unsupported api-version '${q.get('api-version') ?? ''}'; this endpoint serves ${APP_SERVICE_API_VERSION}.`,
        });
      }
    } else {
      // Real IMDS checks the Metadata header first: the DefaultAzureCredential probe (no query,
      // no header) gets exactly this 400, which the probe counts as "IMDS is available".
      if (String(req.headers.metadata || '').toLowerCase() !== 'true') {
        return sendJson(res, 400, { error: 'invalid_request', error_description: 'Required metadata header not specified' });
      }
      if (!q.has('api-version')) {
        return sendJson(res, 400, { error: 'invalid_request', error_description: 'Required query variable api-version not specified' });
      }
      if (q.get('api-version') !== IMDS_API_VERSION) {
        return sendJson(res, 400, { error: 'invalid_request', error_description: `Unsupported api-version; this endpoint serves ${IMDS_API_VERSION}` });
      }
    }

    const resource = q.get('resource');
    if (!resource) {
      return sendJson(res, 400, { error: 'invalid_request', error_description: 'Required audience variable not specified' });
    }
    const idParams = isAppService ? ['client_id', 'object_id', 'mi_res_id'] : ['client_id', 'object_id', 'msi_res_id'];
    const present = idParams.filter((p) => q.get(p));
    if (present.length > 1) {
      return sendJson(res, 400, { error: 'invalid_request', error_description: `Only one of ${idParams.join(', ')} may be given.` });
    }
    const identity = resolveIdentity(q, present[0], opts, { identities, systemAssigned });
    if (!identity) {
      // The answers the real endpoints give for an identity the resource does not have.
      return isAppService
        ? sendJson(res, 400, {
            statusCode: 400,
            message: 'No User Assigned or Delegated Managed Identity found for specified ClientId/ResourceId/PrincipalId.',
          })
        : sendJson(res, 400, { error: 'invalid_request', error_description: 'Identity not found' });
    }

    let token;
    try {
      token = await issue(resource, identity);
    } catch (err) {
      return sendJson(res, 500, { error: 'token_source_failed', error_description: err.message });
    }
    if (res.destroyed) return undefined;
    counts.tokensIssued += 1;

    const expiresOn = String(token.expiresOn);
    if (isAppService) {
      // App Service 2019-08-01 shape: expires_on is epoch seconds as a string.
      return sendJson(res, 200, {
        access_token: token.token,
        expires_on: expiresOn,
        resource,
        token_type: 'Bearer',
        client_id: token.clientId,
      });
    }
    // IMDS shape: every number is a string.
    const expiresIn = String(Math.max(0, token.expiresOn - Math.floor(Date.now() / 1000)));
    return sendJson(res, 200, {
      access_token: token.token,
      client_id: token.clientId,
      expires_in: expiresIn,
      expires_on: expiresOn,
      ext_expires_in: expiresIn,
      not_before: String(token.notBefore),
      resource,
      token_type: 'Bearer',
    });
  }

  const server = http.createServer((req, res) => {
    counts.requests += 1;
    const record = { method: req.method, url: req.url, headers: { ...req.headers }, time: Date.now(), kind: 'other', faulted: false, status: undefined };
    if (recordRequests) requests.push(record);
    res.on('finish', () => {
      record.status = res.statusCode;
      log(`${req.method} ${req.url} -> ${res.statusCode}`);
    });
    handle(req, res, record).catch((err) => {
      if (!res.headersSent) sendJson(res, 500, { error: 'internal_error', error_description: err.message });
      else res.destroy();
    });
  });
  // Deadlines for slow clients; far above any fault latency a test would inject.
  server.requestTimeout = 60000;
  server.headersTimeout = 30000;

  await new Promise((resolve, reject) => {
    const onError = (err) => reject(new Error(`azcred emulator: cannot listen on ${HOST}:${port}: ${err.message}`));
    server.once('error', onError);
    server.listen(port, HOST, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const actualPort = server.address().port;
  const base = `http://${HOST}:${actualPort}`;

  const appServiceEnv = Object.freeze({ IDENTITY_ENDPOINT: `${base}${APP_SERVICE_PATH}`, IDENTITY_HEADER: secret });
  const imdsEnv = Object.freeze({ AZCRED_IMDS_ENDPOINT: base });
  const podIdentityEnv = Object.freeze({ AZURE_POD_IDENTITY_AUTHORITY_HOST: base });
  const env = { appService: appServiceEnv, imds: imdsEnv, podIdentity: podIdentityEnv }[protocol];

  let closing = null;
  function stop() {
    if (!closing) {
      closing = new Promise((resolve) => {
        for (const t of timers) clearTimeout(t);
        timers.clear();
        server.close(() => resolve());
        server.closeAllConnections();
      });
    }
    return closing;
  }
  function setFaults(next) {
    faults = normalizeFaults(next);
  }

  const emulator = {
    protocol,
    url: base,
    port: actualPort,
    endpoint: protocol === 'appService' ? `${base}${APP_SERVICE_PATH}` : `${base}${IMDS_PATH}`,
    env,
    appServiceEnv,
    imdsEnv,
    podIdentityEnv,
    requests,
    tenantId: opts.tenantId,
    clientId: opts.clientId,
    objectId: opts.objectId,
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }),
    /** Counters since start (or the last reset); kept even when recordRequests is false. */
    get counts() {
      return { ...counts };
    },
    /** The faults still queued, first the one that applies next (copies). */
    get faults() {
      return faults.map((f) => ({ ...f }));
    },
    /** Replace the fault queue; null/undefined/[] clears it. */
    setFaults,
    /** The older name of setFaults. */
    setFault: setFaults,
    /** Clear the fault queue. */
    clearFaults() {
      faults = [];
    },
    /** Forget recorded requests and zero the counters (faults stay). */
    reset() {
      requests.length = 0;
      for (const k of Object.keys(counts)) counts[k] = 0;
    },
    /** Stop listening and drop open connections. Idempotent; never hangs. */
    stop,
    /** The older name of stop. */
    close: stop,
  };
  if (typeof Symbol.asyncDispose === 'symbol') emulator[Symbol.asyncDispose] = stop;
  return emulator;
}

/**
 * The identity a token request is for, or null when the emulated resource has none such: the
 * system-assigned one without an id parameter; with one, a configured user-assigned identity
 * matching it, or (none configured) any, its other ids derived.
 */
function resolveIdentity(q, param, opts, { identities, systemAssigned }) {
  if (!param) return systemAssigned ? { clientId: opts.clientId, objectId: opts.objectId } : null;
  const value = q.get(param);
  if (identities) {
    const key = param === 'client_id' ? 'clientId' : param === 'object_id' ? 'objectId' : 'resourceId';
    const found = identities.find((i) => i[key] !== undefined && i[key].toLowerCase() === value.toLowerCase());
    return found ? { ...found } : null;
  }
  if (param === 'client_id') return { clientId: value, objectId: derivedUuid('oid', value) };
  if (param === 'object_id') return { clientId: derivedUuid('appid', value), objectId: value };
  // mi_res_id / msi_res_id: an ARM resource id of a user-assigned identity.
  return { clientId: derivedUuid('appid', value), objectId: derivedUuid('oid', value), resourceId: value };
}

/** Configured user-assigned identities with every id filled in (derived when not given). */
function normalizeIdentities(list) {
  if (list === undefined || list === null) return null;
  if (!Array.isArray(list)) throw new TypeError('azcred emulator: identities must be an array');
  return list.map((i, n) => {
    if (i === null || typeof i !== 'object') throw new TypeError(`azcred emulator: identities[${n}] must be an object`);
    for (const k of ['clientId', 'objectId', 'resourceId']) {
      if (i[k] !== undefined && (typeof i[k] !== 'string' || !i[k])) {
        throw new TypeError(`azcred emulator: identities[${n}].${k} must be a non-empty string`);
      }
    }
    const seed = i.clientId || i.objectId || i.resourceId;
    if (!seed) throw new TypeError(`azcred emulator: identities[${n}] needs a clientId, objectId or resourceId`);
    const out = {
      clientId: i.clientId || derivedUuid('appid', seed),
      objectId: i.objectId || derivedUuid('oid', seed),
    };
    if (i.resourceId) out.resourceId = i.resourceId;
    return out;
  });
}

/** A stable UUID-shaped id derived from another id, so repeated requests agree. */
function derivedUuid(kind, from) {
  const h = crypto.createHash('sha256').update(`${kind}:${from.toLowerCase()}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * The `aud` claim for a requested resource: a trailing "/.default" is removed (clients normally
 * strip it already); anything else is kept verbatim, so "https://storage.azure.com" and
 * "https://storage.azure.com/" keep their form (Azurite accepts both).
 */
function audienceOf(resource) {
  return resource.endsWith('/.default') ? resource.slice(0, -'/.default'.length) : resource;
}

/** A fault queue from a fault, a list of faults, or nothing; only the last may omit count. */
function normalizeFaults(f) {
  if (f === null || f === undefined) return [];
  const list = (Array.isArray(f) ? f : [f]).map(normalizeFault);
  list.forEach((x, i) => {
    if (x && x.count === undefined && i < list.length - 1) {
      throw new RangeError('azcred emulator: only the last fault of a list may omit count (the ones after it would never apply)');
    }
  });
  return list.filter(Boolean);
}

function normalizeFault(f) {
  if (f === null || typeof f !== 'object' || Array.isArray(f)) throw new TypeError('azcred emulator: a fault must be an object');
  const out = {
    latencyMs: f.latencyMs === undefined ? 0 : Number(f.latencyMs),
    status: f.status === undefined ? undefined : Number(f.status),
    retryAfter: f.retryAfter,
    body: f.body === undefined ? undefined : String(f.body),
    count: f.count === undefined ? undefined : Number(f.count),
    probe: Boolean(f.probe),
  };
  if (!Number.isFinite(out.latencyMs) || out.latencyMs < 0) throw new RangeError('azcred emulator: fault.latencyMs must be >= 0');
  if (out.status !== undefined && !(Number.isInteger(out.status) && out.status >= 100 && out.status <= 599)) {
    throw new RangeError('azcred emulator: fault.status must be an HTTP status code');
  }
  if (out.count !== undefined && !(Number.isInteger(out.count) && out.count >= 0)) {
    throw new RangeError('azcred emulator: fault.count must be a non-negative integer');
  }
  return out.count === 0 ? null : out;
}

function sendJson(res, status, obj, headers) {
  return sendRaw(res, status, JSON.stringify(obj), headers);
}

function sendRaw(res, status, body, headers = {}) {
  if (res.destroyed) return;
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    ...headers,
  });
  res.end(body);
}

function safeEqual(a, b) {
  const ha = crypto.createHash('sha256').update(a).digest();
  const hb = crypto.createHash('sha256').update(b).digest();
  return crypto.timingSafeEqual(ha, hb);
}

function b64json(obj) {
  return Buffer.from(JSON.stringify(obj)).toString('base64url');
}

function jwtClaim(token, name) {
  try {
    const payload = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
    return typeof payload[name] === 'string' ? payload[name] : undefined;
  } catch {
    return undefined;
  }
}

function stripUndefined(o) {
  const out = {};
  for (const [k, v] of Object.entries(o || {})) if (v !== undefined) out[k] = v;
  return out;
}

/** The package's own AzureCliCredential (loaded only for tokenSource "az"). */
function newAzureCliCredential(tenantId) {
  const { AzureCliCredential } = require('./credentials');
  return new AzureCliCredential(tenantId === undefined ? {} : { tenantId });
}

const USAGE = `Usage: azcred emulator [--port N] [--lifetime SECONDS] [--from-az]

Runs a local managed-identity endpoint on 127.0.0.1 (App Service and IMDS protocols)
and prints the environment variables an app needs. Stop it with Ctrl+C.

  --port N          listen on port N (default: a free port)
  --lifetime S      lifetime of minted tokens in seconds (default 86400)
  --from-az         serve tokens from your az login (AzureCliCredential, 'az' on PATH)
                    instead of minting them
`;

function parseCliArgs(argv) {
  const out = { port: 0, lifetimeSeconds: EMULATOR_DEFAULTS.lifetimeSeconds, tokenSource: 'mint', help: false };
  const args = [...argv];
  while (args.length) {
    let a = args.shift();
    let value;
    const eq = a.indexOf('=');
    if (a.startsWith('--') && eq > 0) {
      value = a.slice(eq + 1);
      a = a.slice(0, eq);
    }
    const takeValue = () => {
      if (value !== undefined) return value;
      if (!args.length) throw new Error(`${a} needs a value`);
      return args.shift();
    };
    switch (a) {
      case '--port': {
        const v = takeValue();
        const n = Number(v);
        if (!/^\d+$/.test(v) || n > 65535) throw new Error(`--port must be an integer 0-65535, got "${v}"`);
        out.port = n;
        break;
      }
      case '--lifetime': {
        const v = takeValue();
        const n = Number(v);
        if (!/^\d+$/.test(v) || n <= 0) throw new Error(`--lifetime must be a positive number of seconds, got "${v}"`);
        out.lifetimeSeconds = n;
        break;
      }
      case '--from-az':
        out.tokenSource = 'az';
        break;
      case '-h':
      case '--help':
        out.help = true;
        break;
      default:
        throw new Error(`unknown argument "${a}"`);
    }
  }
  return out;
}

/**
 * `azcred emulator ...`: start the emulator, print the environment an app needs, run until
 * SIGINT/SIGTERM. Resolves to a process exit code (0 after a clean stop, 2 on bad arguments,
 * 1 when the emulator cannot start); it never calls process.exit itself.
 *
 * @param {string[]} argv  Arguments after "emulator".
 * @param {{stdout?: NodeJS.WritableStream, stderr?: NodeJS.WritableStream}} [io]
 * @returns {Promise<number>}
 */
async function runEmulatorCli(argv = [], io = {}) {
  const stdout = io.stdout || process.stdout;
  const stderr = io.stderr || process.stderr;
  let parsed;
  try {
    parsed = parseCliArgs(argv);
  } catch (err) {
    stderr.write(`azcred emulator: ${err.message}\n\n${USAGE}`);
    return 2;
  }
  if (parsed.help) {
    stdout.write(USAGE);
    return 0;
  }
  let emu;
  try {
    emu = await startEmulator({
      port: parsed.port,
      lifetimeSeconds: parsed.lifetimeSeconds,
      tokenSource: parsed.tokenSource,
      recordRequests: false,
      log: (line) => stderr.write(`${new Date().toISOString()} ${line}\n`),
    });
  } catch (err) {
    stderr.write(`azcred emulator: ${err.message}\n`);
    return 1;
  }
  const source = parsed.tokenSource === 'az' ? "from your az login, through AzureCliCredential" : `minted locally, lifetime ${parsed.lifetimeSeconds} s`;
  const lines = [
    `# azcred managed-identity emulator on ${emu.url} (tokens ${source}; tenant ${emu.tenantId})`,
    '# App Service / Functions protocol (azcred and @azure/identity):',
    ...Object.entries(emu.appServiceEnv).map(([k, v]) => `export ${k}=${v}`),
    '# or the IMDS protocol, through azcred (keeps the availability probe):',
    ...Object.entries(emu.imdsEnv).map(([k, v]) => `export ${k}=${v}`),
    '# (for @azure/identity use instead: export AZURE_POD_IDENTITY_AUTHORITY_HOST=' + emu.url + ')',
    '# Press Ctrl+C to stop.',
  ];
  stdout.write(`${lines.join('\n')}\n`);

  await new Promise((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await emu.close();
  stderr.write('azcred emulator: stopped\n');
  return 0;
}

module.exports = { start: startEmulator, startEmulator, runEmulatorCli, EMULATOR_DEFAULTS, PROTOCOLS };
