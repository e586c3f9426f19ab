'use strict';
// What every driver (Node's in driver.js, the web build's in web/driver.js) does alike between
// the caller and the core: the caller's options and getToken arguments as the core's input, the
// core's token as an AccessToken, and the actions that are the caller's (the getAssertion
// callback, a chain member's getToken) performed and answered as replies. No node: imports.

/** Options the driver applies itself and never hands to the core: transports and key material
 * for TLS (client certificates stay in this process's JS and OpenSSL). */
const DRIVER_OPTIONS = new Set(['httpClient', 'tlsOptions', 'agent']);

/** JSON for the core: keeps plain values of the caller's options, drops functions, clients,
 * signals and anything cyclic. */
function coreOptions(options) {
  const out = {};
  if (!options || typeof options !== 'object') return out;
  for (const [k, v] of Object.entries(options)) {
    if (DRIVER_OPTIONS.has(k)) continue;
    const plain = plainValue(v, 0);
    if (plain !== undefined) out[k] = plain;
  }
  return out;
}

function plainValue(v, depth) {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (depth > 1) return undefined;
  if (Array.isArray(v)) {
    const items = v.map((x) => plainValue(x, depth + 1));
    return items.every((x) => x !== undefined) ? items : undefined;
  }
  if (typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    const o = {};
    for (const [k, x] of Object.entries(v)) {
      const p = plainValue(x, depth + 1);
      if (p !== undefined) o[k] = p;
    }
    return o;
  }
  return undefined;
}

/** `getToken(scopes, options)` as the core's token request. */
function tokenRequest(scopes, options) {
  const request = {
    scopes: Array.isArray(scopes) ? scopes : [scopes],
    enableCae: options.enableCae === true,
  };
  if (typeof options.claims === 'string') request.claims = options.claims;
  if (typeof options.tenantId === 'string') request.tenantId = options.tenantId;
  // As given: the core reads it as the reference does (floored, clamped, a numeric string).
  const timeout = options.requestOptions && options.requestOptions.timeout;
  if (timeout !== undefined && timeout !== null) request.timeoutMs = timeout;
  return request;
}

function toAccessToken(t) {
  const out = { token: t.token, expiresOnTimestamp: t.expiresOnTimestamp, tokenType: t.tokenType || 'Bearer' };
  if (t.refreshAfterTimestamp !== undefined) out.refreshAfterTimestamp = t.refreshAfterTimestamp;
  return out;
}

/** Calls the getAssertion callback for an `Action.getAssertion`; resolves to the reply. */
async function callGetAssertion(callbacks, action) {
  const getAssertion = callbacks.getAssertion;
  if (typeof getAssertion !== 'function') {
    return { type: 'failed', kind: 'other', message: 'getAssertion is not a function' };
  }
  try {
    const value = await getAssertion({ clientId: action.clientId, tokenEndpoint: action.tokenEndpoint });
    if (typeof value !== 'string') {
      return { type: 'failed', kind: 'other', message: `getAssertion resolved to a ${typeof value}, not a string` };
    }
    return { type: 'assertion', value };
  } catch (e) {
    return { type: 'failed', kind: 'other', message: String((e && e.message) || e) };
  }
}

/** Asks a ChainedTokenCredential member for a token (`Action.delegate`); resolves to the reply.
 * The member's exception is kept in `originals`, so the chain's error can carry it. */
async function delegateToMember(members, action, signal, originals) {
  const member = members[action.index];
  const getTokenOptions = { enableCae: action.enableCae, abortSignal: signal };
  if (action.claims !== undefined) getTokenOptions.claims = action.claims;
  if (action.tenantId !== undefined) getTokenOptions.tenantId = action.tenantId;
  try {
    const t = await member.getToken(action.scopes, getTokenOptions);
    if (!t) return { type: 'delegated' };
    // The member's answer as it is; the core decides whether it is a usable token.
    const token = { token: t.token, expiresOnTimestamp: t.expiresOnTimestamp };
    if (t.tokenType !== undefined && t.tokenType !== null) token.tokenType = t.tokenType;
    if (t.refreshAfterTimestamp !== undefined && t.refreshAfterTimestamp !== null) {
      token.refreshAfterTimestamp = t.refreshAfterTimestamp;
    }
    return { type: 'delegated', token };
  } catch (e) {
    originals.set(action.index, e);
    const name = (e && e.name) || 'Error';
    return { type: 'delegated', error: { name: String(name), message: String((e && e.message) || e) } };
  }
}

/** A seed for the core's per-credential randomness (retry jitter, correlation ids, PKCE
 * verifiers and states): 52 bits (the most a JS number carries exactly) of `random`, a
 * Uint32Array of two values from a CSPRNG. `random` defaults to the runtime's WebCrypto
 * (Node 19+, Deno, workerd, browsers); Math.random where there is none (Node 18). */
function seed(random) {
  let words = random;
  if (!words) {
    const c = globalThis.crypto;
    if (!c || typeof c.getRandomValues !== 'function') return Math.floor(Math.random() * 2 ** 52);
    words = c.getRandomValues(new Uint32Array(2));
  }
  return (words[0] & 0xfffff) * 2 ** 32 + words[1];
}

/** Shows DeviceCodeCredential's prompt through its userPromptCallback, as the reference does:
 * called with the DeviceCodeInfo and not waited for (a promise it returns may reject; that is
 * the callback's own business). */
function promptDeviceCode(callbacks, action) {
  const callback = callbacks.userPromptCallback;
  if (typeof callback !== 'function') {
    return { type: 'failed', kind: 'other', message: 'userPromptCallback is not a function' };
  }
  try {
    const shown = callback({ userCode: action.userCode, verificationUri: action.verificationUri, message: action.message });
    if (shown && typeof shown.then === 'function') shown.then(undefined, () => {});
    return { type: 'prompted' };
  } catch (e) {
    return { type: 'failed', kind: 'other', message: String((e && e.message) || e) };
  }
}

module.exports = { seed, coreOptions, tokenRequest, toAccessToken, callGetAssertion, delegateToMember, promptDeviceCode };
