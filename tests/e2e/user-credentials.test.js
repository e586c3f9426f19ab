'use strict';
// The user sign-in credentials end to end (DeviceCodeCredential, UsernamePasswordCredential,
// AuthorizationCodeCredential): the package (backend from AZCRED_BACKEND) against a fake Entra
// over HTTPS on 127.0.0.1 that speaks the device-code protocol (a device code, then polls
// answered `authorization_pending` / `slow_down` until the scripted user approves) and the
// password, authorization-code and refresh-token grants, issuing refresh tokens it remembers and
// rotates; then the real @azure/storage-blob BlobServiceClient against real Azurite with a token
// the user signed in for.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const util = require('node:util');
const crypto = require('node:crypto');

const azcred = require('../../npm');
const { ensureTestCa } = require('../support/tls');
const { startAzurite } = require('../support/azurite');
const { startFakeEndpoint, setAzureEnv } = require('../support/fake-endpoint');
const { tokenMinter, blobRoundTrip, aadError, userTokenAnswer } = require('../support/entra');

const STORAGE = 'https://storage.azure.com/.default';
const GRAPH = 'https://graph.microsoft.com/.default';
const OIDC = 'openid profile offline_access';
const TENANT = '5e1f0000-0000-4000-8000-0000000000d1';
const APP = '5e1f0000-0000-4000-8000-0000000000a2';
const CONFIDENTIAL = { clientId: '5e1f0000-0000-4000-8000-0000000000a3', secret: 'sentinel-app-secret-31' };
const DEVELOPER_APP = '04b07795-8ddb-461a-bbee-02f9e1bf7b46';
const USER = { oid: '5e1f0000-0000-4000-8000-00000000f00d', upn: 'ada@contoso.example', password: 'sentinel-user-password-58' };
const REDIRECT = 'http://localhost:8400/callback';
const DISABLED = 'Automatic authentication has been disabled. You may call the authentication() method.';

let tls;
let dir;
let entra;
let azurite;
let mint;

/** What the fake Entra does next with a device code: its answers to the polls before the user
 * approves, and the code's life. */
let devicePlan = { polls: [], expiresIn: 900, interval: 1 };
/** Device codes handed out: code -> { polls left, client, scope }. */
const deviceCodes = new Map();
/** Refresh tokens issued and not yet rotated: token -> { client }. */
const refreshTokens = new Map();
/** Authorization codes the fake authorize endpoint "issued": code -> client (redeemed once). */
const authorizationCodes = new Map();

/** Entra's error answer (AADSTS code 70000 for all of the fake's refusals). */
const oauthError = (status, error, description) => aadError(status, error, 70000, description);

/** A user token response: a fresh refresh token (remembered), the account in client_info and
 * the id token. */
function userTokens(client, scope) {
  const resource = scope.split(' ')[0].replace(/\/\.default$/, '');
  const refresh = `sentinel-refresh-${crypto.randomBytes(8).toString('hex')}`;
  refreshTokens.set(refresh, { client });
  const accessToken = mint(resource, TENANT, USER.oid, { upn: USER.upn });
  return userTokenAnswer({ scope, accessToken, refreshToken: refresh, client, tenant: TENANT, user: USER });
}

/** The fake Entra: device codes, and the token endpoint's user grants. */
function entraHandler(req) {
  const m = /^\/([^/]+)\/oauth2\/v2\.0\/(devicecode|token)$/.exec(req.path);
  if (!m || req.method !== 'POST') return { status: 404, body: { error: 'not_found' } };
  if (!String(req.headers['content-type']).startsWith('application/x-www-form-urlencoded')) {
    return oauthError(400, 'invalid_request', 'The request body must be a form.');
  }
  const form = new URLSearchParams(req.body);
  const client = form.get('client_id');
  const scope = form.get('scope') || '';
  if (m[2] === 'devicecode') {
    const deviceCode = `sentinel-device-${crypto.randomBytes(8).toString('hex')}`;
    deviceCodes.set(deviceCode, { polls: [...devicePlan.polls], client, scope });
    return {
      status: 200,
      body: {
        user_code: 'E2E-CODE',
        device_code: deviceCode,
        verification_uri: `${entra.url}/devicelogin`,
        expires_in: devicePlan.expiresIn,
        interval: devicePlan.interval,
        message: `To sign in, use a web browser to open the page ${entra.url}/devicelogin and enter the code E2E-CODE to authenticate.`,
      },
    };
  }
  switch (form.get('grant_type')) {
    case 'urn:ietf:params:oauth:grant-type:device_code': {
      const code = deviceCodes.get(form.get('device_code'));
      if (!code || code.client !== client) return oauthError(400, 'invalid_grant', 'unknown device code');
      const next = code.polls.shift();
      if (next) return oauthError(400, next, `polling: ${next}`);
      deviceCodes.delete(form.get('device_code'));
      return userTokens(client, scope);
    }
    case 'refresh_token': {
      const known = refreshTokens.get(form.get('refresh_token'));
      if (!known || known.client !== client) return oauthError(400, 'invalid_grant', 'The refresh token is not valid.');
      if (client === CONFIDENTIAL.clientId && form.get('client_secret') !== CONFIDENTIAL.secret) {
        return oauthError(401, 'invalid_client', 'Invalid client secret provided.');
      }
      refreshTokens.delete(form.get('refresh_token'));
      return userTokens(client, scope);
    }
    case 'password':
      if (form.get('username') !== USER.upn || form.get('password') !== USER.password) {
        return oauthError(400, 'invalid_grant', 'Error validating credentials due to invalid username or password.');
      }
      return userTokens(client, scope);
    case 'authorization_code': {
      const code = form.get('code');
      if (authorizationCodes.get(code) !== client) return oauthError(400, 'invalid_grant', 'The code has expired or was already redeemed.');
      if (client === CONFIDENTIAL.clientId && form.get('client_secret') !== CONFIDENTIAL.secret) {
        return oauthError(401, 'invalid_client', 'Invalid client secret provided.');
      }
      authorizationCodes.delete(code);
      return userTokens(client, scope);
    }
    default:
      return oauthError(400, 'unsupported_grant_type', form.get('grant_type'));
  }
}

before(async () => {
  tls = ensureTestCa();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'azcred-user-'));
  mint = tokenMinter();
  entra = await startFakeEndpoint({ tls: { key: tls.key, cert: tls.cert } });
  entra.setHandler(entraHandler);
  azurite = await startAzurite({ dir: path.join(dir, 'azurite'), cert: tls.cert, key: tls.key });
}, { timeout: 90000 });

after(async () => {
  await Promise.all([entra && entra.close(), azurite && azurite.stop()]);
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  if (tls) tls.cleanup();
});

/** The requests Entra received since `mark`, with their forms decoded (in the order sent). */
function sentSince(mark) {
  return entra.requests.slice(mark).map((r) => ({ ...r, form: [...new URLSearchParams(r.body)] }));
}

const keys = (r) => r.form.map(([k]) => k);
const value = (r, name) => (r.form.find(([k]) => k === name) || [])[1];

/** A DeviceCodeCredential against the fake Entra whose prompts are collected in `prompts`. */
function deviceCredential(prompts, options = {}) {
  return new azcred.DeviceCodeCredential({
    tenantId: TENANT,
    clientId: APP,
    authorityHost: entra.url,
    userPromptCallback: (info) => prompts.push(info),
    ...options,
  });
}

test('DeviceCodeCredential: a device code, the prompt, pending then slow_down, a token; a second scope comes from the refresh token', async () => {
  setAzureEnv({});
  devicePlan = { polls: ['authorization_pending', 'slow_down'], expiresIn: 900, interval: 1 };
  const prompts = [];
  const cred = deviceCredential(prompts);
  const mark = entra.requests.length;
  const token = await cred.getToken(STORAGE);
  assert.equal(JSON.parse(Buffer.from(token.token.split('.')[1], 'base64url')).aud, 'https://storage.azure.com');
  const sent = sentSince(mark);
  assert.deepEqual(sent.map((r) => r.path), [
    `/${TENANT}/oauth2/v2.0/devicecode`,
    `/${TENANT}/oauth2/v2.0/token`,
    `/${TENANT}/oauth2/v2.0/token`,
    `/${TENANT}/oauth2/v2.0/token`,
  ]);
  assert.deepEqual(sent[0].form, [['scope', `${STORAGE} ${OIDC}`], ['client_id', APP]]);
  // The reference's DeviceCodeInfo, once; never the device code.
  assert.deepEqual(prompts, [
    {
      userCode: 'E2E-CODE',
      verificationUri: `${entra.url}/devicelogin`,
      message: `To sign in, use a web browser to open the page ${entra.url}/devicelogin and enter the code E2E-CODE to authenticate.`,
    },
  ]);
  for (const poll of sent.slice(1)) {
    assert.deepEqual(keys(poll), ['scope', 'client_id', 'grant_type', 'device_code', 'client-request-id', 'client_info', 'x-ms-lib-capability']);
    assert.equal(value(poll, 'grant_type'), 'urn:ietf:params:oauth:grant-type:device_code');
    assert.match(value(poll, 'device_code'), /^sentinel-device-/);
    assert.equal(value(poll, 'client_info'), '1');
  }
  // A second scope: one refresh-token request, no second device code, no prompt.
  const before = entra.requests.length;
  await cred.getToken(GRAPH);
  const again = sentSince(before);
  assert.equal(again.length, 1);
  assert.deepEqual(keys(again[0]), ['client_id', 'scope', 'grant_type', 'client_info', 'x-ms-lib-capability', 'refresh_token']);
  assert.equal(value(again[0], 'grant_type'), 'refresh_token');
  assert.equal(value(again[0], 'scope'), `${GRAPH} ${OIDC}`);
  assert.match(value(again[0], 'refresh_token'), /^sentinel-refresh-/);
  assert.equal(prompts.length, 1);
  // The first scope's token is cached.
  await cred.getToken(STORAGE);
  assert.equal(entra.requests.length, before + 1);
});

test('DeviceCodeCredential: a code the user never enters expires with the reference error', async () => {
  setAzureEnv({});
  devicePlan = { polls: Array(20).fill('authorization_pending'), expiresIn: 1, interval: 1 };
  const prompts = [];
  const cred = deviceCredential(prompts);
  await assert.rejects(cred.getToken(STORAGE), (e) => {
    assert.equal(e.name, 'AuthenticationRequiredError');
    assert.equal(e.message, 'device_code_expired: See https://aka.ms/msal.js.errors#device_code_expired for details');
    assert.deepEqual(e.scopes, [STORAGE]);
    return true;
  });
  assert.equal(prompts.length, 1);
});

test('DeviceCodeCredential: a declined sign-in is an AuthenticationRequiredError with Entra\'s error', async () => {
  setAzureEnv({});
  devicePlan = { polls: ['authorization_declined'], expiresIn: 900, interval: 1 };
  const cred = deviceCredential([]);
  await assert.rejects(cred.getToken(STORAGE), (e) => e.name === 'AuthenticationRequiredError' && e.message.startsWith('post_request_failed: authorization_declined'));
});

test('DeviceCodeCredential: abortSignal ends the polling', async () => {
  setAzureEnv({});
  devicePlan = { polls: Array(50).fill('authorization_pending'), expiresIn: 900, interval: 1 };
  const controller = new AbortController();
  const cred = deviceCredential([], { userPromptCallback: () => setTimeout(() => controller.abort(), 50) });
  // The reference's words for an aborted device-code sign-in (its handleMsalError of MSAL's
  // device_code_polling_cancelled), not core-rest-pipeline's generic ones.
  await assert.rejects(
    cred.getToken(STORAGE, { abortSignal: controller.signal }),
    (e) => e.name === 'AbortError' && e.message === 'The authentication has been aborted by the caller.',
  );
  // A ClientSecretCredential's request aborted is the generic AbortError.
  const slow = new azcred.ClientSecretCredential(TENANT, '7a2c0de0-0000-4000-8000-00000000510e', 's', { authorityHost: entra.url });
  const stop = new AbortController();
  entra.setHandler(() => new Promise((resolve) => setTimeout(() => resolve({ status: 503, body: {} }), 1000)));
  try {
    const pending = slow.getToken(STORAGE, { abortSignal: stop.signal });
    setTimeout(() => stop.abort(), 50);
    await assert.rejects(pending, (e) => e.name === 'AbortError' && e.message === 'The operation was aborted.');
  } finally {
    entra.setHandler(entraHandler);
  }
});

test('authenticate() signs in and returns the AuthenticationRecord; serialize/deserialize round trip; the record with disableAutomaticAuthentication', async () => {
  setAzureEnv({});
  devicePlan = { polls: [], expiresIn: 900, interval: 1 };
  const prompts = [];
  const cred = deviceCredential(prompts, { disableAutomaticAuthentication: true });
  const options = { tenantId: TENANT };
  // getToken never prompts.
  await assert.rejects(cred.getToken(STORAGE, options), (e) => {
    assert.ok(e instanceof azcred.AuthenticationRequiredError);
    assert.equal(e.message, DISABLED);
    assert.deepEqual(e.scopes, [STORAGE]);
    assert.equal(e.getTokenOptions, options);
    return true;
  });
  assert.equal(prompts.length, 0);
  const record = await cred.authenticate(STORAGE);
  assert.equal(prompts.length, 1);
  assert.deepEqual(record, {
    authority: `127.0.0.1:${entra.port}`,
    homeAccountId: `${USER.oid}.${TENANT}`,
    clientId: APP,
    tenantId: TENANT,
    username: USER.upn,
    version: '1.0',
  });
  // Now getToken is silent, for any scope.
  const mark = entra.requests.length;
  await cred.getToken(GRAPH);
  assert.equal(value(sentSince(mark)[0], 'grant_type'), 'refresh_token');
  // authenticate() again needs no sign-in: the account's token is cached.
  assert.deepEqual(await cred.authenticate(STORAGE), record);
  assert.equal(prompts.length, 1);

  const text = azcred.serializeAuthenticationRecord(record);
  assert.deepEqual(JSON.parse(text), record);
  assert.deepEqual(azcred.deserializeAuthenticationRecord(text), record);
  assert.throws(() => azcred.deserializeAuthenticationRecord(JSON.stringify({ ...record, version: '2.0' })), { message: 'Unsupported AuthenticationRecord version' });
  assert.throws(() => azcred.deserializeAuthenticationRecord('not json'), SyntaxError);

  // A new credential starts with the account but has no refresh token: it must sign in again.
  const restored = deviceCredential(prompts, { authenticationRecord: azcred.deserializeAuthenticationRecord(text), disableAutomaticAuthentication: true });
  await assert.rejects(restored.getToken(STORAGE), (e) => e.name === 'AuthenticationRequiredError' && e.message === DISABLED);
  const restoredPrompting = deviceCredential(prompts, { authenticationRecord: record });
  await restoredPrompting.getToken(STORAGE);
  assert.equal(prompts.length, 2);
  // Neither the credential nor its errors show a refresh token.
  assert.doesNotMatch(util.inspect(cred, { depth: 10, showHidden: true }), /sentinel-refresh/);
  assert.doesNotMatch(JSON.stringify(cred), /sentinel-refresh/);
});

test('DeviceCodeCredential: the default prompt prints the message with console.log; defaults are the developer sign-on app and organizations', async () => {
  setAzureEnv({ AZURE_AUTHORITY_HOST: entra.url });
  devicePlan = { polls: [], expiresIn: 900, interval: 1 };
  const printed = [];
  const log = console.log;
  console.log = (...args) => printed.push(args);
  const mark = entra.requests.length;
  try {
    await new azcred.DeviceCodeCredential().getToken(STORAGE);
  } finally {
    console.log = log;
  }
  assert.deepEqual(printed, [[`To sign in, use a web browser to open the page ${entra.url}/devicelogin and enter the code E2E-CODE to authenticate.`]]);
  const [code] = sentSince(mark);
  assert.equal(code.path, '/organizations/oauth2/v2.0/devicecode');
  assert.equal(value(code, 'client_id'), DEVELOPER_APP);
});

test('UsernamePasswordCredential: the password grant field by field, then the refresh token for another scope', async () => {
  setAzureEnv({});
  const cred = new azcred.UsernamePasswordCredential(TENANT, APP, USER.upn, USER.password, { authorityHost: entra.url });
  const mark = entra.requests.length;
  await cred.getToken(STORAGE);
  const [r] = sentSince(mark);
  assert.equal(r.path, `/${TENANT}/oauth2/v2.0/token`);
  assert.deepEqual(r.form, [
    ['client_id', APP],
    ['username', USER.upn],
    ['password', USER.password],
    ['scope', `${STORAGE} ${OIDC}`],
    ['response_type', 'token id_token'],
    ['grant_type', 'password'],
    ['client_info', '1'],
    ['x-ms-lib-capability', 'retry-after, h429'],
    ['client-request-id', r.query['client-request-id']],
  ]);
  assert.equal(r.headers['x-anchormailbox'], `UPN: ${USER.upn}`);
  const before = entra.requests.length;
  await cred.getToken(GRAPH);
  const [again] = sentSince(before);
  assert.equal(value(again, 'grant_type'), 'refresh_token');
  assert.equal(value(again, 'password'), undefined);
  // The constructor errors are the reference's.
  assert.throws(() => new azcred.UsernamePasswordCredential(TENANT, APP, USER.upn, ''), {
    name: 'CredentialUnavailableError',
    message: 'UsernamePasswordCredential: password is a required parameter. To troubleshoot, visit https://aka.ms/azsdk/js/identity/usernamepasswordcredential/troubleshoot.',
  });
  // A wrong password: Entra's error, with no secret in the message.
  const wrong = new azcred.UsernamePasswordCredential(TENANT, APP, USER.upn, 'sentinel-wrong-password', { authorityHost: entra.url });
  await assert.rejects(wrong.getToken(STORAGE), (e) => e.name === 'AuthenticationRequiredError' && /invalid_grant/.test(e.message) && !/sentinel-wrong-password/.test(e.message));
});

test('AuthorizationCodeCredential, both forms: the code redeemed once field by field, then the refresh token', async () => {
  setAzureEnv({});
  authorizationCodes.set('sentinel-code-confidential', CONFIDENTIAL.clientId);
  authorizationCodes.set('sentinel-code-public', APP);
  const confidential = new azcred.AuthorizationCodeCredential(TENANT, CONFIDENTIAL.clientId, CONFIDENTIAL.secret, 'sentinel-code-confidential', REDIRECT, { authorityHost: entra.url });
  const publicClient = new azcred.AuthorizationCodeCredential(TENANT, APP, 'sentinel-code-public', REDIRECT, { authorityHost: entra.url });
  const mark = entra.requests.length;
  await confidential.getToken(STORAGE);
  await publicClient.getToken(STORAGE);
  const [c, p] = sentSince(mark);
  assert.deepEqual(c.form, [
    ['client_id', CONFIDENTIAL.clientId],
    ['redirect_uri', REDIRECT],
    ['scope', `${STORAGE} ${OIDC}`],
    ['code', 'sentinel-code-confidential'],
    ['x-ms-lib-capability', 'retry-after, h429'],
    ['client_secret', CONFIDENTIAL.secret],
    ['grant_type', 'authorization_code'],
    ['client_info', '1'],
  ]);
  assert.deepEqual(keys(p), ['client_id', 'redirect_uri', 'scope', 'code', 'x-ms-lib-capability', 'grant_type', 'client_info']);
  assert.equal(value(p, 'code'), 'sentinel-code-public');
  // Another scope: the refresh token (with the secret for the confidential app), never the code.
  const before = entra.requests.length;
  await confidential.getToken(GRAPH);
  await publicClient.getToken(GRAPH);
  const [c2, p2] = sentSince(before);
  assert.deepEqual(keys(c2), ['client_id', 'scope', 'grant_type', 'client_info', 'x-ms-lib-capability', 'refresh_token', 'client_secret']);
  assert.deepEqual(keys(p2), ['client_id', 'scope', 'grant_type', 'client_info', 'x-ms-lib-capability', 'refresh_token']);
  assert.equal(value(c2, 'client_secret'), CONFIDENTIAL.secret);
});

test('DeviceCodeCredential: a blob round trip against Azurite with the signed-in user\'s token', async () => {
  setAzureEnv({});
  devicePlan = { polls: ['authorization_pending'], expiresIn: 900, interval: 1 };
  const prompts = [];
  await blobRoundTrip(azurite.blobUrl, deviceCredential(prompts));
  assert.equal(prompts.length, 1, 'one sign-in for the whole round trip');
});
