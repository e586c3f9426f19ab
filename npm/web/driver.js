'use strict';
// The web build's driver: what lib/credentials.js's classes hold in place of lib/driver.js's.
// The wasm binding runs the core's loop and performs its IO (fetch, WebCrypto); this file only
// translates the caller's arguments, answers the actions that are the caller's (getAssertion, a
// chain member's getToken) and turns the core's outcome into a token or an error class.

const errors = require('../lib/errors');
const { seed, coreOptions, tokenRequest, toAccessToken, callGetAssertion, delegateToMember, promptDeviceCode } = require('../lib/translate');
const runtime = require('./runtime');


class Driven {
  /**
   * @param {string} kind the reference's class name
   * @param {object} options the caller's options (`env`: the variables to read, azcred/web's own)
   * @param {Array<object>} [members] ChainedTokenCredential's member credentials
   * @param {{getAssertion?: Function}} [callbacks] functions the core asks the driver to call
   */
  constructor(kind, options, members, callbacks) {
    const { WebCredential } = runtime.wasm();
    this.kind = kind;
    const opts = coreOptions(options);
    delete opts.env;
    if (members) opts.members = members.map((m) => (m && m.constructor && m.constructor.name) || 'TokenCredential');
    const state = { members: members || [], callbacks: callbacks || {}, originals: new Map() };
    try {
      this.core = new WebCredential(kind, opts, runtime.envSnapshot(options), seed(), (action, signal) => perform(state, action, signal), runtime.name());
    } catch (e) {
      throw errors.fromBinding(e);
    }
    // Callbacks and member errors are not enumerable (inspect shows the kind only).
    Object.defineProperty(this, 'state', { value: state, enumerable: false });
  }

  explain() {
    return this.core.explain();
  }

  async getToken(scopes, options) {
    options = options || {};
    const request = tokenRequest(scopes, options);
    return toAccessToken((await this.serve(request, options)).token);
  }

  /** A user credential's `authenticate()`: the core signs the user in when it must and answers
   * with the account's AuthenticationRecord. */
  async authenticate(scopes, options) {
    options = options || {};
    const request = { ...tokenRequest(scopes, options), authenticate: true };
    return (await this.serve(request, options)).account;
  }

  /** Runs one request through the wasm binding: its successful answer, or the error class. */
  async serve(request, options) {
    const signal = options.abortSignal;
    if (signal && signal.aborted) throw new errors.AbortError('The operation was aborted.');
    let out;
    try {
      out = await this.core.getToken(request, signal || undefined);
    } catch (e) {
      throw errors.fromBinding(e);
    }
    if (out.aborted) {
      throw out.error ? errors.fromCore(out.error, request.scopes, options) : new errors.AbortError('The operation was aborted.');
    }
    if (out.ok) return out;
    throw errors.fromCore(out.error, request.scopes, options, this.state.originals);
  }
}

/** The actions that are the caller's, as replies. */
function perform(state, action, signal) {
  switch (action.type) {
    case 'getAssertion':
      return callGetAssertion(state.callbacks, action);
    case 'delegate':
      return delegateToMember(state.members, action, signal, state.originals);
    case 'promptDeviceCode':
      return promptDeviceCode(state.callbacks, action);
    default:
      return { type: 'failed', kind: 'unsupported', message: `${runtime.name()} cannot perform ${action.type}` };
  }
}

/** `deserializeAuthenticationRecord`'s check of a parsed record (the core knows the versions it
 * writes). */
function checkAuthenticationRecord(record) {
  try {
    runtime.wasm().checkAuthenticationRecord(record);
  } catch (e) {
    throw errors.fromBinding(e);
  }
}

module.exports = { Driven, checkAuthenticationRecord };
