'use strict';
// InteractiveBrowserCredential end to end: the package (backend from AZCRED_BACKEND) with a fake
// browser installed as `xdg-open` first on PATH, which follows the authorize URL it is opened
// with to a fake Entra authorize endpoint over HTTPS on 127.0.0.1; that endpoint answers with a
// form_post page (as Entra does) carrying a code and the state, the browser posts it to the
// redirect URI, and the fake token endpoint redeems the code only with the PKCE verifier of its
// challenge. Then the real BlobServiceClient against Azurite with the token. Variants: a wrong
// state, nothing coming back (the deadline), an abort, an error redirect; after each, the
// listener's port is free again.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const net = require('node:net');
const path = require('node:path');
const crypto = require('node:crypto');

const { BlobServiceClient } = require('@azure/storage-blob');
const azcred = require('../../npm');
const { ensureTestCa } = require('../support/tls');
const { startAzurite } = require('../support/azurite');
const { startFakeEndpoint, setAzureEnv } = require('../support/fake-endpoint');
const { installFakeBrowser } = require('../support/fake-browser');

const STORAGE = 'https://storage.azure.com/.default';
const DEV_CLIENT = '04b07795-8ddb-461a-bbee-02f9e1bf7b46';
const TENANT = '7a2c0de0-0000-4000-8000-00000000b10e';
const SUCCESS = 'Auth code was successfully acquired. You can close this window now.';

let tls;
let dir;
let entra;
let azurite;
let browser;
let mintKey;
/** What the authorize endpoint does: 'code', 'wrong-state', 'error' or 'silent'. */
let mode = 'code';
/** Codes issued, with what they were issued for. */
const issued = new Map();
const originalPath = process.env.PATH;

/** An access token Azurite's OAuth check accepts. */
function mint(audience, tenant) {
  const now = Math.floor(Date.now() / 1000);
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const input = `${b64({ alg: 'RS256', typ: 'JWT' })}.${b64({
    aud: audience,
    iss: `https://sts.windows.net/${tenant}/`,
    iat: now - 300,
    nbf: now - 300,
    exp: now + 3600,
    oid: 'user-oid',
    tid: tenant,
    upn: 'user@contoso.com',
  })}`;
  return `${input}.${crypto.sign('sha256', Buffer.from(input), mintKey).toString('base64url')}`;
}

const attr = (s) => String(s).replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

/** The authorize page: Entra's form_post page, whose script a real browser runs to post it. */
function authorize(req, tenant) {
  const q = req.query;
  if (mode === 'silent') return { status: 200, headers: { 'Content-Type': 'text/html' }, body: '<html>Sign in...</html>' };
  let fields;
  if (mode === 'error') {
    fields = { error: 'access_denied', error_description: 'AADSTS65004: User declined to consent to access the app.', state: q.state };
  } else {
    const code = `code-${crypto.randomBytes(8).toString('hex')}`;
    issued.set(code, { challenge: q.code_challenge, method: q.code_challenge_method, redirectUri: q.redirect_uri, clientId: q.client_id, tenant });
    const state = mode === 'wrong-state' ? Buffer.from('{"id":"not-this-sign-in"}').toString('base64') : q.state;
    fields = { code, client_info: 'eyJ1aWQiOiJ1In0', state, session_state: 's-1' };
  }
  const inputs = Object.entries(fields)
    .map(([k, v]) => `<input type="hidden" name="${k}" value="${attr(v)}" />`)
    .join('');
  return {
    status: 200,
    headers: { 'Content-Type': 'text/html; charset=utf-8' },
    body: `<html><head><title>Working...</title></head><body><form method="POST" name="hiddenform" action="${attr(q.redirect_uri)}">${inputs}<noscript><p>Script is disabled. Click Submit to continue.</p><input type="submit" value="Submit" /></noscript></form><script>document.forms[0].submit()</script></body></html>`,
  };
}

function aadError(status, error, description) {
  return { status, body: { error, error_description: description, error_codes: [70000], timestamp: '2026-01-01 00:00:00Z', trace_id: 't', correlation_id: 'c' } };
}

/** The token endpoint: the code, once, with the verifier of its challenge. */
function token(req, tenant) {
  if (req.method !== 'POST') return { status: 405, body: {} };
  const form = new URLSearchParams(req.body);
  if (form.get('grant_type') === 'refresh_token') {
    if (!refreshTokens.has(form.get('refresh_token'))) return aadError(400, 'invalid_grant', 'AADSTS70000: refresh token');
    return userTokens(form.get('scope'), tenant);
  }
  if (form.get('grant_type') !== 'authorization_code') return aadError(400, 'unsupported_grant_type', 'grant');
  const grant = issued.get(form.get('code'));
  if (!grant) return aadError(400, 'invalid_grant', 'AADSTS70008: The provided authorization code is invalid or has expired.');
  issued.delete(form.get('code'));
  const verifier = form.get('code_verifier') || '';
  const s256 = crypto.createHash('sha256').update(verifier).digest('base64url');
  if (grant.method !== 'S256' || s256 !== grant.challenge) return aadError(400, 'invalid_grant', 'AADSTS501481: The Code_Verifier does not match the code_challenge supplied in the authorization request.');
  if (form.get('redirect_uri') !== grant.redirectUri || form.get('client_id') !== grant.clientId || tenant !== grant.tenant) {
    return aadError(400, 'invalid_grant', 'AADSTS50148: The redirect_uri, client or tenant differs from the authorization request.');
  }
  return userTokens(form.get('scope'), tenant);
}

const b64url = (v) => Buffer.from(JSON.stringify(v)).toString('base64url');
const USER_OID = '0b0e0000-0000-4000-8000-00000000f00d';
const refreshTokens = new Set();

/** A user token response as Entra sends it: the access token, a fresh refresh token, the
 * account in client_info and the id token. */
function userTokens(scope, tenant) {
  const audience = (scope || '').split(' ')[0].replace(/\/\.default$/, '');
  const refresh = `rt-${crypto.randomBytes(6).toString('hex')}`;
  refreshTokens.add(refresh);
  return {
    status: 200,
    body: {
      token_type: 'Bearer', scope: `${audience}/user_impersonation`, expires_in: 3599, ext_expires_in: 3599,
      access_token: mint(audience, TENANT),
      refresh_token: refresh,
      id_token: `${b64url({ typ: 'JWT', alg: 'none' })}.${b64url({ tid: tenant, oid: USER_OID, preferred_username: 'ada@contoso.example' })}.`,
      client_info: b64url({ uid: USER_OID, utid: tenant }),
    },
  };
}

before(async () => {
  tls = ensureTestCa();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'azcred-browser-'));
  mintKey = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  entra = await startFakeEndpoint({ tls: { key: tls.key, cert: tls.cert } });
  entra.setHandler((req) => {
    const m = /^\/([^/]+)\/oauth2\/v2\.0\/(authorize|token)$/.exec(req.path);
    if (!m) return { status: 404, body: { error: 'not_found' } };
    return m[2] === 'authorize' ? authorize(req, m[1]) : token(req, m[1]);
  });
  browser = installFakeBrowser(path.join(dir, 'bin'));
  process.env.PATH = `${browser.dir}${path.delimiter}${originalPath}`;
  azurite = await startAzurite({ dir: path.join(dir, 'azurite'), cert: tls.cert, key: tls.key });
}, { timeout: 90000 });

after(async () => {
  process.env.PATH = originalPath;
  await Promise.all([entra && entra.close(), azurite && azurite.stop()]);
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  if (tls) tls.cleanup();
});

function credential(options = {}) {
  setAzureEnv({});
  return new azcred.InteractiveBrowserCredential({ authorityHost: entra.url, ...options });
}

/** The authorize requests since `mark`, and the port of the redirect URI each asked for. */
function authorizeRequests(mark) {
  return entra.requests.slice(mark).filter((r) => r.path.endsWith('/authorize'));
}

function redirectPort(req) {
  return Number(new URL(req.query.redirect_uri).port);
}

/** Whether nothing listens on 127.0.0.1:`port` any more (binding it succeeds). */
function portIsFree(port) {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/** Whether the port is free now or becomes free within a few seconds. */
async function eventuallyFree(port) {
  for (let i = 0; i < 100; i += 1) {
    if (await portIsFree(port)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

test('a sign-in in the browser: one authorize page, one code redeemed with its verifier, a token Azurite accepts, the listener closed', async () => {
  mode = 'code';
  const mark = entra.requests.length;
  const logMark = browser.log().length;
  const cred = credential({ tenantId: TENANT });
  const client = new BlobServiceClient(azurite.blobUrl, cred);
  const container = client.getContainerClient(`c${crypto.randomBytes(6).toString('hex')}`);
  await container.create();
  const data = crypto.randomBytes(32 * 1024);
  const blob = container.getBlockBlobClient('hello.bin');
  await blob.uploadData(data);
  assert.ok((await blob.downloadToBuffer()).equals(data), 'the downloaded bytes equal the uploaded ones');
  await container.delete();

  const sent = entra.requests.slice(mark);
  assert.deepEqual(
    sent.map((r) => `${r.method} ${r.path}`),
    [`GET /${TENANT}/oauth2/v2.0/authorize`, `POST /${TENANT}/oauth2/v2.0/token`],
    'one sign-in for the whole round trip (the token is cached)',
  );
  const [auth, tok] = sent;
  assert.equal(auth.query.client_id, DEV_CLIENT);
  assert.equal(auth.query.response_mode, 'form_post');
  assert.equal(auth.query.prompt, 'select_account');
  assert.match(auth.query.redirect_uri, /^http:\/\/localhost:\d+$/);
  assert.equal(auth.query.scope, 'https://storage.azure.com/.default openid profile offline_access');
  const form = new URLSearchParams(tok.body);
  assert.equal(form.get('redirect_uri'), auth.query.redirect_uri);
  assert.equal(tok.query['client-request-id'], auth.query['client-request-id'], 'one correlation id');
  const opened = browser.log().slice(logMark).find((e) => e.opened);
  assert.equal(opened.opened, `${entra.url}${auth.path}${auth.rawQuery}`, 'the browser was opened with the authorize URL');
  const page = await browser.waitFor((e) => e.posted === auth.query.redirect_uri && e.status !== undefined);
  assert.equal(page.status, 200);
  assert.equal(page.page, SUCCESS);
  assert.ok(await portIsFree(redirectPort(auth)), 'the listener is closed');
});

test('authenticate() signs in once and returns the AuthenticationRecord; another scope comes from the refresh token without the browser', async () => {
  mode = 'code';
  const mark = entra.requests.length;
  const logMark = browser.log().length;
  const cred = credential({ tenantId: TENANT });
  const record = await cred.authenticate(STORAGE);
  assert.equal(record.username, 'ada@contoso.example');
  assert.equal(record.homeAccountId, `${USER_OID}.${TENANT}`);
  assert.equal(record.tenantId, TENANT);
  assert.deepEqual(azcred.deserializeAuthenticationRecord(azcred.serializeAuthenticationRecord(record)), record);
  const vault = await cred.getToken('https://vault.azure.net/.default');
  assert.ok(vault.token);
  const sent = entra.requests.slice(mark);
  assert.deepEqual(
    sent.map((r) => `${r.method} ${r.path} ${new URLSearchParams(r.body).get('grant_type') || ''}`.trim()),
    [`GET /${TENANT}/oauth2/v2.0/authorize`, `POST /${TENANT}/oauth2/v2.0/token authorization_code`, `POST /${TENANT}/oauth2/v2.0/token refresh_token`],
  );
  assert.equal(browser.log().slice(logMark).filter((e) => e.opened).length, 1, 'the browser opened once');
  // With the record and disableAutomaticAuthentication, a new credential never opens the browser.
  const quiet = credential({ tenantId: TENANT, authenticationRecord: record, disableAutomaticAuthentication: true });
  await assert.rejects(quiet.getToken(STORAGE), (e) => e.name === 'AuthenticationRequiredError' && /Automatic authentication has been disabled/.test(e.message));
  assert.equal(browser.log().slice(logMark).filter((e) => e.opened).length, 1);
});

test('the browser gets the success page of browserCustomizationOptions, and a redirectUri port is the one listened on', async () => {
  mode = 'code';
  const port = await new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
  });
  const mark = entra.requests.length;
  const cred = credential({
    redirectUri: () => `http://localhost:${port}`,
    browserCustomizationOptions: { successMessage: '<h1>Signed in to azcred</h1>' },
  });
  const t = await cred.getToken(STORAGE);
  assert.equal(typeof t.token, 'string');
  const [auth] = authorizeRequests(mark);
  assert.equal(auth.query.redirect_uri, `http://localhost:${port}`);
  assert.ok(auth.path.startsWith('/organizations/'), 'the developer sign-on app signs in to organizations');
  const page = await browser.waitFor((e) => e.posted === `http://localhost:${port}` && e.status !== undefined);
  assert.equal(page.page, '<h1>Signed in to azcred</h1>');
  assert.match(page.contentType, /^text\/html/);
  assert.ok(await portIsFree(port));
});

test('a redirect with a wrong state is refused (400) and the sign-in fails at its deadline, saying so, with the listener closed', async () => {
  mode = 'wrong-state';
  const mark = entra.requests.length;
  const cred = credential({ signInTimeoutInMs: 1500 });
  await assert.rejects(cred.getToken(STORAGE), (e) => {
    assert.equal(e.name, 'AuthenticationRequiredError');
    assert.match(e.message, /^InteractiveBrowserCredential: the sign-in in the browser did not finish within 1500 ms \(signInTimeoutInMs\)/);
    assert.match(e.message, /A redirect whose state did not belong to this sign-in was refused \(Invalid authorization response state\.\)/);
    assert.ok(e instanceof azcred.AuthenticationRequiredError);
    return true;
  });
  const [auth] = authorizeRequests(mark);
  const page = await browser.waitFor((e) => e.posted === auth.query.redirect_uri && e.status !== undefined);
  assert.equal(page.status, 400);
  assert.equal(page.page, 'Invalid authorization response state.');
  assert.equal(entra.requests.slice(mark).filter((r) => r.path.endsWith('/token')).length, 0, 'no code was redeemed');
  assert.ok(await portIsFree(redirectPort(auth)), 'the listener is closed');
});

test('when nothing comes back, the sign-in ends at signInTimeoutInMs and the listener is closed', async () => {
  mode = 'silent';
  const mark = entra.requests.length;
  const cred = credential({ signInTimeoutInMs: 1000 });
  await assert.rejects(cred.getToken(STORAGE), (e) => {
    assert.equal(e.name, 'AuthenticationRequiredError');
    assert.match(e.message, /did not finish within 1 second \(signInTimeoutInMs\); no redirect with this sign-in's code reached http:\/\/localhost:\d+\.$/);
    return true;
  });
  const [auth] = authorizeRequests(mark);
  assert.ok(auth, 'the browser was opened');
  assert.ok(await portIsFree(redirectPort(auth)));
});

test('an abort while the sign-in waits ends it with an AbortError and closes the listener', async () => {
  mode = 'silent';
  const mark = entra.requests.length;
  const cred = credential();
  const controller = new AbortController();
  const pending = cred.getToken(STORAGE, { abortSignal: controller.signal });
  // Abort once the browser has loaded the sign-in page.
  await browser.waitFor((e) => e.authorizeStatus !== undefined && authorizeRequests(mark).length > 0);
  controller.abort();
  await assert.rejects(pending, (e) => {
    assert.equal(e.name, 'AbortError');
    return true;
  });
  const [auth] = authorizeRequests(mark);
  // The caller's promise settles at the abort; the flow ends (and its listener closes) as soon
  // as its own wait sees it.
  assert.ok(await eventuallyFree(redirectPort(auth)), 'the listener is closed');
});

test('an error redirect shows the error page and fails with the error Entra sent', async () => {
  mode = 'error';
  const mark = entra.requests.length;
  const cred = credential({ browserCustomizationOptions: { errorMessage: '<p>Sign-in failed</p>' } });
  await assert.rejects(cred.getToken(STORAGE), (e) => {
    assert.equal(e.name, 'AuthenticationRequiredError');
    assert.equal(e.message, 'access_denied: AADSTS65004: User declined to consent to access the app.');
    return true;
  });
  const [auth] = authorizeRequests(mark);
  const page = await browser.waitFor((e) => e.posted === auth.query.redirect_uri && e.status !== undefined);
  assert.equal(page.page, '<p>Sign-in failed</p>');
  assert.ok(await portIsFree(redirectPort(auth)));
});

test('a redirectUri that is not on this machine is refused when the credential is built', () => {
  for (const redirectUri of ['https://localhost:8400', 'http://192.168.0.10:8400', 'http://contoso.com/callback']) {
    assert.throws(
      () => credential({ redirectUri }),
      (e) => {
        assert.equal(e.name, 'Error');
        assert.match(e.message, /^InteractiveBrowserCredential: redirectUri must be a loopback http URL/);
        return true;
      },
    );
  }
  assert.throws(() => credential({ tenantId: 'not/a/tenant' }), /Invalid tenant id provided/);
});
