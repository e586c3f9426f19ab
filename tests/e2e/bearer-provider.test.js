'use strict';
// getBearerTokenProvider end to end, on the backend AZCRED_BACKEND names: the wrapped credential
// is called as core-rest-pipeline's bearer-token policy calls it (once while the token is fresh,
// scopes as an array, enableCae: true), the same number of times as with @azure/identity's own
// getBearerTokenProvider.

const { test } = require('node:test');
const assert = require('node:assert/strict');

const azcred = require('../../npm');
const reference = require('@azure/identity');

const SCOPE = 'https://cognitiveservices.azure.com/.default';

/** A user's TokenCredential that records each call and hands out tokens living `lifetimeMs`. */
class CountingCredential {
  constructor(lifetimeMs) {
    this.lifetimeMs = lifetimeMs;
    this.calls = [];
  }

  async getToken(scopes, options) {
    this.calls.push({ scopes, enableCae: options && options.enableCae });
    return { token: `token-${this.calls.length}`, expiresOnTimestamp: Date.now() + this.lifetimeMs };
  }
}

test('repeated uses call getToken once while the token is fresh, with the scopes as an array and CAE', async () => {
  const cred = new CountingCredential(60 * 60 * 1000);
  const getAccessToken = azcred.getBearerTokenProvider(cred, SCOPE);
  const tokens = [];
  for (let i = 0; i < 5; i++) tokens.push(await getAccessToken());
  tokens.push(...(await Promise.all([getAccessToken(), getAccessToken(), getAccessToken()])));
  assert.deepEqual(tokens, Array(8).fill('token-1'));
  assert.deepEqual(cred.calls, [{ scopes: [SCOPE], enableCae: true }]);
});

test('the same calls as @azure/identity for the same uses', async () => {
  const ours = new CountingCredential(60 * 60 * 1000);
  const theirs = new CountingCredential(60 * 60 * 1000);
  const a = azcred.getBearerTokenProvider(ours, [SCOPE]);
  const b = reference.getBearerTokenProvider(theirs, [SCOPE]);
  for (let i = 0; i < 3; i++) assert.equal(await a(), await b());
  assert.deepEqual(ours.calls, theirs.calls);
});

test('a token in its last two minutes is refreshed in the background; the old one is served meanwhile', async () => {
  const cred = new CountingCredential(90 * 1000);
  const getAccessToken = azcred.getBearerTokenProvider(cred, SCOPE);
  assert.equal(await getAccessToken(), 'token-1');
  // 90 s left is inside the two-minute window: this use starts a refresh and gets the old token.
  assert.equal(await getAccessToken(), 'token-1');
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(cred.calls.length, 2, 'the refresh asked the credential again');
  assert.equal(await getAccessToken(), 'token-2');
});

test('a credential that fails makes the use fail with its error, and one that answers null too', async () => {
  const failing = { getToken: async () => { throw Object.assign(new Error('no way'), { name: 'CredentialUnavailableError' }); } };
  await assert.rejects(azcred.getBearerTokenProvider(failing, SCOPE)(), /no way/);
  const empty = { getToken: async () => null };
  await assert.rejects(azcred.getBearerTokenProvider(empty, SCOPE)());
});
