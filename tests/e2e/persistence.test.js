'use strict';
// useIdentityPlugin and tokenCachePersistenceOptions end to end, with the real
// @azure/identity-cache-persistence plugin from npm (its unencrypted file persistence: HOME is a
// temporary folder, and the session bus address points at a socket that does not exist, so
// libsecret fails at once and the plugin falls back to its file, as it documents for
// `unsafeAllowUnencryptedStorage: true`). A ClientSecretCredential gets a token from a fake Entra
// endpoint over HTTPS on 127.0.0.1 in one child process; a second child process gets it from the
// persisted cache with no request. A DeviceCodeCredential signs in once in one process; a second
// process given its AuthenticationRecord gets the stored token with no request and another scope
// through the stored refresh token, with no sign-in. The real broker and VS Code plugins are
// rejected by name.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFile } = require('node:child_process');

const azcred = require('../../npm');
const { ensureTestCa } = require('../support/tls');
const { startFakeEndpoint, AZURE_VARS } = require('../support/fake-endpoint');
const { userTokenAnswer } = require('../support/entra');

const TENANT = '7a2c0de0-0000-4000-8000-00000000cace';
const CLIENT = '7a2c0de0-0000-4000-8000-000000000cac';
const SECRET = 'sentinel-persist-secret-51c2';
const VAULT = 'https://vault.azure.net/.default';
const NAME = 'azcred-e2e';
const PUBLIC_CLIENT = '7a2c0de0-0000-4000-8000-00000000beef';
const NO_PLUGIN =
  'Persistent token caching was requested, but no persistence provider was configured. You must install the identity-cache-persistence plugin package (`npm install --save @azure/identity-cache-persistence`) and enable it by importing `useIdentityPlugin` from `@azure/identity` and calling `useIdentityPlugin(cachePersistencePlugin)` before using `tokenCachePersistenceOptions`.';

let tls;
let dir;
let entra;
let issued = 0;
/** Refresh tokens the fake Entra issued and has not rotated yet. */
const refreshTokens = new Set();
const USER = { oid: '7a2c0de0-0000-4000-8000-0000000000a1', upn: 'ada@contoso.com' };
const GRAPH = 'https://graph.microsoft.com/.default';

/** A user token answer with a new refresh token, the account in client_info and the id token. */
function userTokens(scope) {
  issued += 1;
  const refresh = `sentinel-persist-refresh-${issued}`;
  refreshTokens.add(refresh);
  const accessToken = `user-token-${issued}`;
  return userTokenAnswer({ scope, accessToken, refreshToken: refresh, client: PUBLIC_CLIENT, tenant: TENANT, user: USER });
}

/** The fake Entra's public-client side: device codes approved at the first poll, and refresh
 * tokens. */
function userGrant(r, form) {
  if (r.path === `/${TENANT}/oauth2/v2.0/devicecode`) {
    return {
      status: 200,
      body: {
        user_code: 'E2E-CODE',
        device_code: 'sentinel-persist-device-code',
        verification_uri: `${entra.url}/devicelogin`,
        expires_in: 900,
        interval: 1,
        message: 'To sign in, enter the code E2E-CODE.',
      },
    };
  }
  if (form.grant_type === 'urn:ietf:params:oauth:grant-type:device_code') return userTokens(form.scope);
  if (form.grant_type === 'refresh_token' && refreshTokens.delete(form.refresh_token)) return userTokens(form.scope);
  return { status: 400, body: { error: 'invalid_grant', error_description: 'AADSTS70000: The refresh token is not valid.' } };
}

before(async () => {
  tls = ensureTestCa();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'azcred-persist-'));
  entra = await startFakeEndpoint({ tls: { key: tls.key, cert: tls.cert } });
  entra.setHandler((r) => {
    const form = Object.fromEntries(new URLSearchParams(r.body));
    if (form.client_id === PUBLIC_CLIENT) return userGrant(r, form);
    if (r.path !== `/${TENANT}/oauth2/v2.0/token` || form.client_secret !== SECRET || form.client_id !== CLIENT) {
      return { status: 401, body: { error: 'invalid_client', error_description: 'AADSTS7000215: Invalid client secret provided.' } };
    }
    issued += 1;
    return { status: 200, body: { token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: `persisted-token-${issued}` } };
  });
});

after(async () => {
  if (entra) await entra.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  if (tls) tls.cleanup();
});

/** The program each child runs: registers the real plugin, gets one token, prints it. */
const CHILD = `
const azcred = require(process.env.AZCRED_PKG);
const { cachePersistencePlugin } = require(process.env.PLUGIN_PKG);
azcred.useIdentityPlugin(cachePersistencePlugin);
const cred = new azcred.ClientSecretCredential(process.env.T_TENANT, process.env.T_CLIENT, process.env.T_SECRET, {
  authorityHost: process.env.T_AUTHORITY,
  tokenCachePersistenceOptions: { enabled: true, name: process.env.T_NAME, unsafeAllowUnencryptedStorage: process.env.T_UNSAFE !== 'false' },
});
(async () => {
  const t = await cred.getToken(process.env.T_SCOPE);
  if (process.env.T_THEN_WRITE) {
    // Another process stores a token of its own meanwhile (written here, so the order is sure).
    const fs = require('node:fs');
    const file = process.env.T_THEN_WRITE;
    const doc = JSON.parse(fs.readFileSync(file, 'utf8'));
    doc.accessTokens.push({ ...doc.accessTokens[0], partition: 'https://other.example|t|c', secret: 'written-meanwhile' });
    fs.writeFileSync(file, JSON.stringify(doc));
    const later = new Date(Date.now() + 60000);
    fs.utimesSync(file, later, later);
    await cred.getToken(process.env.T_THEN_SCOPE);
  }
  console.log(JSON.stringify({ token: t.token, expiresOnTimestamp: t.expiresOnTimestamp, backend: azcred.backend }));
})().catch((e) => { console.log(JSON.stringify({ error: e.name, message: e.message })); process.exitCode = 1; });
`;

/** The device-code program: without T_RECORD it signs in with authenticate() and prints the
 * record; with it (automatic authentication disabled, so any sign-in would fail) it gets a token
 * for T_SCOPE then for T_THEN_SCOPE. */
const DEVICE_CHILD = `
const azcred = require(process.env.AZCRED_PKG);
const { cachePersistencePlugin } = require(process.env.PLUGIN_PKG);
azcred.useIdentityPlugin(cachePersistencePlugin);
let prompts = 0;
const record = process.env.T_RECORD ? azcred.deserializeAuthenticationRecord(process.env.T_RECORD) : undefined;
const cred = new azcred.DeviceCodeCredential({
  tenantId: process.env.T_TENANT,
  clientId: process.env.T_PUBLIC_CLIENT,
  authorityHost: process.env.T_AUTHORITY,
  authenticationRecord: record,
  disableAutomaticAuthentication: Boolean(record),
  userPromptCallback: () => { prompts += 1; },
  tokenCachePersistenceOptions: { enabled: true, name: process.env.T_NAME, unsafeAllowUnencryptedStorage: true },
});
(async () => {
  if (!record) {
    const signedIn = await cred.authenticate(process.env.T_SCOPE);
    console.log(JSON.stringify({ record: azcred.serializeAuthenticationRecord(signedIn), prompts }));
    return;
  }
  const first = await cred.getToken(process.env.T_SCOPE);
  const then = await cred.getToken(process.env.T_THEN_SCOPE);
  console.log(JSON.stringify({ tokens: [first.token, then.token], prompts }));
})().catch((e) => { console.log(JSON.stringify({ error: e.name, message: e.message })); process.exitCode = 1; });
`;

/** A fresh HOME with nothing in it. */
function freshHome() {
  return fs.mkdtempSync(path.join(dir, 'home-'));
}

/** Runs `program` (CHILD unless given) with `home` as HOME; resolves to its printed result and
 * its stderr. */
function child(home, extra = {}, program = CHILD) {
  const env = { ...process.env };
  for (const v of [...AZURE_VARS, 'DISPLAY', 'WAYLAND_DISPLAY', 'XDG_RUNTIME_DIR', 'APPDATA']) delete env[v];
  Object.assign(env, {
    HOME: home,
    // No session bus: libsecret fails at once and the plugin uses its unencrypted file.
    DBUS_SESSION_BUS_ADDRESS: `unix:path=${path.join(home, 'no-session-bus')}`,
    AZURE_LOG_LEVEL: 'warning',
    AZCRED_PKG: path.join(__dirname, '..', '..', 'npm'),
    PLUGIN_PKG: require.resolve('@azure/identity-cache-persistence'),
    T_TENANT: TENANT,
    T_CLIENT: CLIENT,
    T_SECRET: SECRET,
    T_AUTHORITY: entra.url,
    T_NAME: NAME,
    T_SCOPE: VAULT,
    T_PUBLIC_CLIENT: PUBLIC_CLIENT,
    ...extra,
  });
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['-e', program], { env, timeout: 30000 }, (err, stdout, stderr) => {
      const line = stdout.trim().split('\n').pop();
      let out;
      try {
        out = JSON.parse(line);
      } catch {
        return reject(new Error(`child printed ${JSON.stringify(stdout)}; stderr ${stderr}; ${err}`));
      }
      resolve({ out, stderr, failed: Boolean(err) });
    });
  });
}

/** The file the plugin writes azcred's cache to. */
function storeFile(home) {
  return path.join(home, '.IdentityService', `${NAME}.azcred`);
}

test('tokenCachePersistenceOptions without a registered plugin fails as the reference does', () => {
  assert.throws(
    () => new azcred.ClientSecretCredential(TENANT, CLIENT, SECRET, { tokenCachePersistenceOptions: { enabled: true } }),
    (e) => e.constructor === Error && e.message === NO_PLUGIN,
  );
  // Disabled: no error.
  new azcred.ClientSecretCredential(TENANT, CLIENT, SECRET, { tokenCachePersistenceOptions: { enabled: false } });
});

test('a second process gets the token from the persisted cache with no request to Entra', async () => {
  const home = freshHome();
  const before = entra.requests.length;
  const first = await child(home);
  assert.equal(first.failed, false, first.stderr);
  assert.equal(first.out.backend, process.env.AZCRED_BACKEND || first.out.backend);
  assert.equal(entra.requests.length - before, 1, 'the first process asks Entra once');
  // The plugin wrote azcred's own format, with the token and no client secret.
  const text = fs.readFileSync(storeFile(home), 'utf8');
  const doc = JSON.parse(text);
  assert.equal(doc.format, 'azcred.tokenCache');
  assert.equal(doc.version, 1);
  assert.equal(doc.accessTokens.length, 1);
  assert.equal(doc.accessTokens[0].secret, first.out.token);
  assert.deepEqual(doc.accessTokens[0].scopes, [VAULT]);
  assert.equal(doc.accessTokens[0].expiresOn, first.out.expiresOnTimestamp);
  assert.ok(!text.includes(SECRET), 'the client secret is never stored');
  // No log line shows the token.
  assert.ok(!first.stderr.includes(first.out.token), first.stderr);

  const second = await child(home);
  assert.equal(second.failed, false, second.stderr);
  assert.equal(entra.requests.length - before, 1, 'the second process sends no request');
  assert.equal(second.out.token, first.out.token);
  assert.equal(second.out.expiresOnTimestamp, first.out.expiresOnTimestamp);
  assert.equal(second.stderr.trim(), '', 'no warning when the cache is azcred’s');
});

test('a device-code sign-in in one process serves a second process given its record: the stored token, then another scope through the stored refresh token', async () => {
  const home = freshHome();
  const before = entra.requests.length;
  const first = await child(home, {}, DEVICE_CHILD);
  assert.equal(first.failed, false, first.stderr);
  assert.equal(first.out.prompts, 1);
  const paths = entra.requests.slice(before).map((r) => r.path);
  assert.deepEqual(paths, [`/${TENANT}/oauth2/v2.0/devicecode`, `/${TENANT}/oauth2/v2.0/token`]);
  const text = fs.readFileSync(storeFile(home), 'utf8');
  const doc = JSON.parse(text);
  const partition = `${entra.url.replace(/\/$/, '')}|${TENANT}|${PUBLIC_CLIENT}|account:${USER.oid}.${TENANT}`;
  assert.deepEqual(doc.refreshTokens, [{ partition, secret: `sentinel-persist-refresh-${issued}` }]);
  assert.equal(doc.accessTokens[0].partition, partition);
  assert.ok(!text.includes('sentinel-persist-device-code'), 'the device code is never stored');
  assert.ok(!first.stderr.includes('sentinel-persist-refresh'), first.stderr);

  const mark = entra.requests.length;
  const second = await child(home, { T_RECORD: first.out.record, T_THEN_SCOPE: GRAPH }, DEVICE_CHILD);
  assert.equal(second.failed, false, `${second.stderr} ${JSON.stringify(second.out)}`);
  assert.equal(second.out.prompts, 0, 'no sign-in');
  const sent = entra.requests.slice(mark);
  assert.equal(sent.length, 1, 'the stored token for the first scope, one request for the second');
  const form = Object.fromEntries(new URLSearchParams(sent[0].body));
  assert.equal(form.grant_type, 'refresh_token');
  assert.equal(form.refresh_token, doc.refreshTokens[0].secret);
  assert.deepEqual(second.out.tokens[0], doc.accessTokens[0].secret);
  // The rotated refresh token replaced the used one.
  const after = JSON.parse(fs.readFileSync(storeFile(home), 'utf8'));
  assert.equal(after.refreshTokens.length, 1);
  assert.notEqual(after.refreshTokens[0].secret, doc.refreshTokens[0].secret);
  assert.equal(after.accessTokens.length, 2);
});

test('a store after another process stored keeps both processes\' tokens', async () => {
  const home = freshHome();
  const first = await child(home);
  assert.equal(first.failed, false, first.stderr);
  const before = entra.requests.length;
  const second = await child(home, { T_THEN_WRITE: storeFile(home), T_THEN_SCOPE: 'https://storage.azure.com/.default' });
  assert.equal(second.failed, false, second.stderr);
  assert.equal(second.out.token, first.out.token, 'the first scope from the store');
  assert.equal(entra.requests.length - before, 1, 'one request, for the second scope');
  const doc = JSON.parse(fs.readFileSync(storeFile(home), 'utf8'));
  const secrets = doc.accessTokens.map((t) => t.secret).sort();
  assert.equal(secrets.length, 3, JSON.stringify(doc.accessTokens.map((t) => t.scopes)));
  assert.ok(secrets.includes('written-meanwhile'), 'the other process\'s token is kept');
  assert.ok(secrets.includes(first.out.token));
});

test('a corrupt cache file is a warning and a normal request, and is replaced', async () => {
  const home = freshHome();
  fs.mkdirSync(path.dirname(storeFile(home)), { recursive: true });
  fs.writeFileSync(storeFile(home), '{"format": "azcred.tokenCache", garbage SENTINEL-CORRUPT');
  const before = entra.requests.length;
  const run = await child(home);
  assert.equal(run.failed, false, run.stderr);
  assert.equal(entra.requests.length - before, 1);
  assert.match(
    run.stderr,
    /azure:identity:warning ClientSecretCredential => the persisted token cache 'azcred-e2e\.azcred' was ignored: it is not a readable azcred cache/,
  );
  assert.ok(!run.stderr.includes('SENTINEL-CORRUPT'), 'the file’s contents are not logged');
  const doc = JSON.parse(fs.readFileSync(storeFile(home), 'utf8'));
  assert.equal(doc.accessTokens[0].secret, run.out.token, 'replaced by the new token');
});

test('an MSAL cache under the same file is a warning, a normal request, and is left as it is', async () => {
  const home = freshHome();
  const msal = JSON.stringify({
    Account: {},
    IdToken: {},
    AccessToken: { k: { secret: 'msal-SENTINEL', credential_type: 'AccessToken' } },
    RefreshToken: {},
    AppMetadata: {},
  });
  fs.mkdirSync(path.dirname(storeFile(home)), { recursive: true });
  fs.writeFileSync(storeFile(home), msal);
  const before = entra.requests.length;
  const run = await child(home);
  assert.equal(run.failed, false, run.stderr);
  assert.equal(entra.requests.length - before, 1);
  assert.match(run.stderr, /was ignored: it was not written by azcred/);
  assert.ok(!run.stderr.includes('msal-SENTINEL'));
  assert.equal(fs.readFileSync(storeFile(home), 'utf8'), msal, 'never overwritten');
});

test('a cache from a newer azcred is a warning and is left as it is', async () => {
  const home = freshHome();
  const newer = JSON.stringify({ format: 'azcred.tokenCache', version: 99, accessTokens: [] });
  fs.mkdirSync(path.dirname(storeFile(home)), { recursive: true });
  fs.writeFileSync(storeFile(home), newer);
  const run = await child(home);
  assert.equal(run.failed, false, run.stderr);
  assert.match(run.stderr, /written by a newer azcred \(format version 99/);
  assert.equal(fs.readFileSync(storeFile(home), 'utf8'), newer);
});

test('without a keyring and without unsafeAllowUnencryptedStorage, the plugin fails: a warning, a normal request, no file', async () => {
  const home = freshHome();
  const before = entra.requests.length;
  const run = await child(home, { T_UNSAFE: 'false' });
  assert.equal(run.failed, false, run.stderr);
  assert.equal(entra.requests.length - before, 1);
  // The plugin's own error, from libsecret failing with no session bus.
  assert.match(
    run.stderr,
    /the persisted token cache 'azcred-e2e\.azcred' could not be read \(Unable to read from the system keyring \(libsecret\)\.\); continuing without it/,
  );
  // The plugin's keyring persistence may leave its (empty) marker file; no token is in it.
  const left = fs.existsSync(storeFile(home)) ? fs.readFileSync(storeFile(home), 'utf8') : '';
  assert.ok(!left.includes(run.out.token), 'nothing written in the clear');
  assert.equal(left, '');
});

test('the broker and VS Code plugins from npm are rejected by name', () => {
  const { nativeBrokerPlugin } = require('@azure/identity-broker');
  assert.throws(
    () => azcred.useIdentityPlugin(nativeBrokerPlugin),
    (e) =>
      e.constructor === Error &&
      e.message.includes('the @azure/identity-broker plugin is not supported') &&
      e.message.includes('WAM broker'),
  );
  const { vsCodePlugin } = require('@azure/identity-vscode');
  assert.throws(
    () => azcred.useIdentityPlugin(vsCodePlugin),
    (e) =>
      e.message.includes('the @azure/identity-vscode plugin is not supported') &&
      e.message.includes("Visual Studio Code's credentials"),
  );
  // 4.14.1's own VS Code controls are rejected the same way.
  for (const method of ['setVSCodeAuthRecordPath', 'setVSCodeBroker']) {
    assert.throws(
      () => azcred.useIdentityPlugin((ctx) => ctx.vsCodeCredentialControl[method]('x')),
      /@azure\/identity-vscode plugin is not supported/,
    );
  }
  // Rejected plugins register nothing: persistence still needs its plugin.
  assert.throws(
    () => new azcred.ClientSecretCredential(TENANT, CLIENT, SECRET, { tokenCachePersistenceOptions: { enabled: true } }),
    (e) => e.message === NO_PLUGIN,
  );
});
