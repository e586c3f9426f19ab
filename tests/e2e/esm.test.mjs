// The ESM entry exposes the same objects as the CommonJS one, and works.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import azcredDefault, {
  DefaultAzureCredential,
  ManagedIdentityCredential,
  ChainedTokenCredential,
  getBearerTokenProvider,
  CredentialUnavailableError,
  AuthenticationError,
  AuthenticationRequiredError,
  AggregateAuthenticationError,
  getBackend,
} from '../../npm/index.mjs';

const cjs = createRequire(import.meta.url)('../../npm/index.js');

test('ESM named exports are the CommonJS objects', () => {
  assert.equal(DefaultAzureCredential, cjs.DefaultAzureCredential);
  assert.equal(ManagedIdentityCredential, cjs.ManagedIdentityCredential);
  assert.equal(ChainedTokenCredential, cjs.ChainedTokenCredential);
  assert.equal(getBearerTokenProvider, cjs.getBearerTokenProvider);
  assert.equal(azcredDefault, cjs);
  for (const [E, name] of [
    [CredentialUnavailableError, 'CredentialUnavailableError'],
    [AuthenticationRequiredError, 'AuthenticationRequiredError'],
    [AggregateAuthenticationError, 'AggregateAuthenticationError'],
  ]) {
    const e = E === AggregateAuthenticationError ? new E([], 'm') : E === AuthenticationRequiredError ? new E({ scopes: [] }) : new E('m');
    assert.equal(e.name, name);
    assert.ok(e instanceof Error);
  }
  const auth = new AuthenticationError(400, { error: 'invalid_client', error_description: 'bad secret' });
  assert.equal(auth.name, 'AuthenticationError');
  assert.equal(auth.message, 'invalid_client Status code: 400\nMore details:\nbad secret,');
  assert.equal(auth.statusCode, 400);
  assert.deepEqual(auth.errorResponse.errorDescription, 'bad secret');
  assert.equal(getBackend(), process.env.AZCRED_BACKEND || getBackend());
});

test('ChainedTokenCredential works from ESM', async () => {
  const t = await new ChainedTokenCredential({
    getToken: async () => ({ token: 'esm', expiresOnTimestamp: Date.now() + 3600_000 }),
  }).getToken('scope');
  assert.equal(t.token, 'esm');
});
