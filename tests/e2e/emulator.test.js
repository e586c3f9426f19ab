'use strict';
// End-to-end test of the azcred managed-identity emulator through its public subpath
// (`azcred/emulator`: npm/emulator.js, npm/emulator.mjs), against a real Azurite blob service with
// OAuth checks on and against azcred's own credentials.
//
// Needs `npm ci` in tests/ (Azurite, @azure/storage-blob) and the openssl command.
// Run it, from the repository root, either the runner's way:
//   d=tests/.tmp/tls && node tests/support/tls.js $d &&
//   AZCRED_TEST_TLS_DIR=$d NODE_EXTRA_CA_CERTS=$d/ca.pem node --test tests/e2e/emulator.test.js
// or standalone (fresh TLS material in a temp dir, CA handed to the SDK explicitly):
//   node --test tests/e2e/emulator.test.js

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');
const path = require('node:path');
const os = require('node:os');
const fs = require('node:fs');
const crypto = require('node:crypto');
const { spawn, execFile } = require('node:child_process');

const emulatorCjs = require('../../npm/emulator.js');
const { startEmulator, EMULATOR_DEFAULTS } = emulatorCjs;
const { AZURE_VARS } = require('../support/fake-endpoint');
const { ensureTestCa } = require('../support/tls');
const { startAzurite } = require('../support/azurite');

const STORAGE = 'https://storage.azure.com';
const HTTP_DEADLINE_MS = 10000;

let tls;
let azurite;
let emu;
let azuriteDir;

before(async () => {
  tls = ensureTestCa();
  azuriteDir = fs.mkdtempSync(path.join(os.tmpdir(), 'azcred-azurite-'));
  [azurite, emu] = await Promise.all([
    startAzurite({ dir: azuriteDir, cert: tls.cert, key: tls.key }),
    startEmulator(),
  ]);
}, { timeout: 60000 });

after(async () => {
  await Promise.all([emu && emu.close(), azurite && azurite.stop()]);
  if (azuriteDir) fs.rmSync(azuriteDir, { recursive: true, force: true });
  if (tls) tls.cleanup();
});

/** GET with node:http and a deadline. */
function get(url, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { body += d; });
      res.on('end', () => {
        let json;
        try { json = JSON.parse(body); } catch { json = undefined; }
        resolve({ status: res.statusCode, headers: res.headers, body, json });
      });
      res.on('error', reject);
    });
    req.setTimeout(HTTP_DEADLINE_MS, () => req.destroy(new Error(`GET ${url} timed out`)));
    req.on('error', reject);
  });
}

function appService(query, headers) {
  const h = headers === undefined ? { 'X-IDENTITY-HEADER': emu.env.IDENTITY_HEADER } : headers;
  return get(`${emu.env.IDENTITY_ENDPOINT}?${new URLSearchParams(query)}`, h);
}

function imds(query, headers = { Metadata: 'true' }) {
  return get(`${emu.imdsEnv.AZCRED_IMDS_ENDPOINT}/metadata/identity/oauth2/token?${new URLSearchParams(query)}`, headers);
}

function claimsOf(jwt) {
  const [h, p, s] = jwt.split('.');
  assert.ok(h && p && s, 'token is a three-part JWT');
  return {
    header: JSON.parse(Buffer.from(h, 'base64url').toString()),
    claims: JSON.parse(Buffer.from(p, 'base64url').toString()),
    signatureValid: crypto.verify('sha256', Buffer.from(`${h}.${p}`), emu.publicKeyPem, Buffer.from(s, 'base64url')),
  };
}

/** The inline TokenCredential the brief asks for: scope → resource, App Service request. */
function emulatorCredential(mapResource = (r) => r) {
  return {
    async getToken(scopes) {
      const scope = Array.isArray(scopes) ? scopes[0] : scopes;
      const resource = mapResource(scope.replace(/\/\.default$/, ''));
      const r = await appService({ 'api-version': '2019-08-01', resource });
      if (r.status !== 200) throw new Error(`emulator answered ${r.status}: ${r.body}`);
      return { token: r.json.access_token, expiresOnTimestamp: Number(r.json.expires_on) * 1000 };
    },
  };
}

function blobServiceClient(credential) {
  const { BlobServiceClient } = require('@azure/storage-blob');
  const options = { retryOptions: { maxTries: 1, tryTimeoutInMs: 20000 } };
  if (!tls.processTrustsCa) {
    // Standalone run: NODE_EXTRA_CA_CERTS does not name our CA, so hand it to the SDK. Storage
    // passes unknown pipeline options through to core-rest-pipeline, whose tlsPolicy applies them.
    options.tlsOptions = { ca: fs.readFileSync(tls.ca, 'utf8') };
  }
  return new BlobServiceClient(azurite.blobUrl, credential, options);
}

test('App Service protocol: header secret, api-version and resource are checked', async () => {
  const ok = { 'api-version': '2019-08-01', resource: STORAGE };
  let r = await appService(ok, {});
  assert.equal(r.status, 401, 'missing X-IDENTITY-HEADER');
  assert.ok(r.json, 'error body is JSON');
  r = await appService(ok, { 'X-IDENTITY-HEADER': 'not-the-secret' });
  assert.equal(r.status, 401, 'wrong X-IDENTITY-HEADER');
  assert.ok(!r.body.includes(emu.env.IDENTITY_HEADER), 'the secret is not echoed');
  r = await appService({ 'api-version': '2017-09-01', resource: STORAGE });
  assert.equal(r.status, 400, 'bad api-version');
  r = await appService({ 'api-version': '2019-08-01' });
  assert.equal(r.status, 400, 'missing resource');
  r = await appService({ ...ok, client_id: 'a', object_id: 'b' });
  assert.equal(r.status, 400, 'two user-assigned ids');
  r = await get(`${emu.url}/nowhere`);
  assert.equal(r.status, 404);
});

test('App Service protocol: 2019-08-01 response and token claims', async () => {
  const before = Math.floor(Date.now() / 1000);
  const r = await appService({ 'api-version': '2019-08-01', resource: STORAGE });
  assert.equal(r.status, 200);
  assert.match(r.headers['content-type'], /^application\/json/);
  assert.deepEqual(Object.keys(r.json).sort(), ['access_token', 'client_id', 'expires_on', 'resource', 'token_type']);
  assert.equal(r.json.resource, STORAGE);
  assert.equal(r.json.token_type, 'Bearer');
  assert.equal(r.json.client_id, EMULATOR_DEFAULTS.clientId);
  assert.match(r.json.expires_on, /^\d+$/, 'expires_on is epoch seconds as a string');
  const expiresOn = Number(r.json.expires_on);
  assert.ok(Math.abs(expiresOn - (before + 86400)) <= 5, '24 h default lifetime');

  const { header, claims, signatureValid } = claimsOf(r.json.access_token);
  assert.equal(header.alg, 'RS256');
  assert.ok(signatureValid, 'RS256 signature verifies with the emulator key');
  assert.equal(claims.aud, STORAGE);
  assert.equal(claims.iss, `https://sts.windows.net/${EMULATOR_DEFAULTS.tenantId}/`);
  assert.equal(claims.tid, EMULATOR_DEFAULTS.tenantId);
  assert.equal(claims.oid, EMULATOR_DEFAULTS.objectId);
  assert.equal(claims.sub, EMULATOR_DEFAULTS.objectId);
  assert.equal(claims.appid, EMULATOR_DEFAULTS.clientId);
  assert.equal(claims.idtyp, 'app');
  assert.equal(claims.exp, expiresOn);
  assert.ok(claims.nbf <= before && claims.iat <= before, 'nbf/iat not in the future');

  // "/.default" is stripped from the audience; a trailing slash is kept as given.
  const d = await appService({ 'api-version': '2019-08-01', resource: `${STORAGE}/.default` });
  assert.equal(claimsOf(d.json.access_token).claims.aud, STORAGE);
  const s = await appService({ 'api-version': '2019-08-01', resource: `${STORAGE}/` });
  assert.equal(claimsOf(s.json.access_token).claims.aud, `${STORAGE}/`);
  assert.equal(s.json.resource, `${STORAGE}/`, 'resource echoed verbatim (MSAL cache key)');
});

test('IMDS protocol: probe answer, Metadata header and api-version checks, response shape', async () => {
  // The DefaultAzureCredential probe: no query string, no Metadata header.
  let r = await get(`${emu.url}/metadata/identity/oauth2/token`);
  assert.equal(r.status, 400);
  assert.deepEqual(r.json, { error: 'invalid_request', error_description: 'Required metadata header not specified' });

  r = await imds({ 'api-version': '2018-02-01', resource: STORAGE }, {});
  assert.equal(r.status, 400, 'missing Metadata header');
  assert.equal(r.json.error_description, 'Required metadata header not specified');
  r = await imds({ 'api-version': '2019-08-01', resource: STORAGE });
  assert.equal(r.status, 400, 'bad api-version');
  r = await imds({ resource: STORAGE });
  assert.equal(r.status, 400, 'missing api-version');

  r = await imds({ 'api-version': '2018-02-01', resource: STORAGE });
  assert.equal(r.status, 200);
  assert.deepEqual(Object.keys(r.json).sort(), [
    'access_token', 'client_id', 'expires_in', 'expires_on', 'ext_expires_in', 'not_before', 'resource', 'token_type',
  ]);
  for (const k of ['expires_in', 'expires_on', 'ext_expires_in', 'not_before']) {
    assert.match(r.json[k], /^\d+$/, `${k} is a numeric string`);
  }
  assert.equal(r.json.resource, STORAGE);
  assert.equal(r.json.token_type, 'Bearer');
  assert.equal(r.json.client_id, EMULATOR_DEFAULTS.clientId);
  assert.equal(claimsOf(r.json.access_token).claims.aud, STORAGE);

  // AZURE_POD_IDENTITY_AUTHORITY_HOST makes @azure/identity add a trailing slash to the path.
  r = await get(`${emu.podIdentityEnv.AZURE_POD_IDENTITY_AUTHORITY_HOST}/metadata/identity/oauth2/token/?api-version=2018-02-01&resource=${STORAGE}`, { Metadata: 'true' });
  assert.equal(r.status, 200);
});

test('user-assigned ids are echoed into client_id / oid', async () => {
  const clientId = '11111111-2222-4333-8444-555555555555';
  const objectId = '66666666-7777-4888-8999-aaaaaaaaaaaa';
  const resId = '/subscriptions/0000/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/mi';

  let r = await appService({ 'api-version': '2019-08-01', resource: STORAGE, client_id: clientId });
  assert.equal(r.json.client_id, clientId);
  assert.equal(claimsOf(r.json.access_token).claims.appid, clientId);
  r = await appService({ 'api-version': '2019-08-01', resource: STORAGE, object_id: objectId });
  assert.equal(claimsOf(r.json.access_token).claims.oid, objectId);
  r = await appService({ 'api-version': '2019-08-01', resource: STORAGE, mi_res_id: resId });
  assert.equal(claimsOf(r.json.access_token).claims.xms_mirid, resId);
  assert.notEqual(r.json.client_id, EMULATOR_DEFAULTS.clientId);

  r = await imds({ 'api-version': '2018-02-01', resource: STORAGE, client_id: clientId });
  assert.equal(r.json.client_id, clientId);
  r = await imds({ 'api-version': '2018-02-01', resource: STORAGE, object_id: objectId });
  assert.equal(claimsOf(r.json.access_token).claims.oid, objectId);
  r = await imds({ 'api-version': '2018-02-01', resource: STORAGE, msi_res_id: resId });
  assert.equal(claimsOf(r.json.access_token).claims.xms_mirid, resId);
});

test('fault injection: 429 with Retry-After, 500, malformed body, latency, probe exemption', async () => {
  const q = { 'api-version': '2019-08-01', resource: STORAGE };
  try {
    emu.setFault({ status: 429, retryAfter: 3, count: 2 });
    // The IMDS probe is not faulted (and does not use up the count) unless fault.probe is set.
    assert.equal((await get(`${emu.url}/metadata/identity/oauth2/token`)).status, 400);
    for (let i = 0; i < 2; i++) {
      const r = await appService(q);
      assert.equal(r.status, 429);
      assert.equal(r.headers['retry-after'], '3');
    }
    assert.equal((await appService(q)).status, 200, 'fault cleared after count requests');

    emu.setFault({ status: 500, count: 1 });
    assert.equal((await imds({ 'api-version': '2018-02-01', resource: STORAGE })).status, 500);

    emu.setFault({ body: '{"access_token":', count: 1 });
    let r = await appService(q);
    assert.equal(r.status, 200);
    assert.equal(r.body, '{"access_token":');

    emu.setFault({ latencyMs: 300, count: 1 });
    const t0 = Date.now();
    r = await appService(q);
    assert.equal(r.status, 200);
    assert.ok(Date.now() - t0 >= 290, 'latency applied');

    emu.setFault({ status: 503, probe: true, count: 1 });
    assert.equal((await get(`${emu.url}/metadata/identity/oauth2/token`)).status, 503, 'probe faulted on request');

    emu.setFault({ status: 500 });
    assert.equal((await appService(q)).status, 500);
    assert.equal((await appService(q)).status, 500, 'no count: persists');
    emu.setFault(null);
    assert.equal((await appService(q)).status, 200);
  } finally {
    emu.setFault(null);
  }

  // A fault given at start.
  const e2 = await startEmulator({ fault: { status: 429, retryAfter: 1, count: 1 }, lifetimeSeconds: 600 });
  try {
    const h = { 'X-IDENTITY-HEADER': e2.env.IDENTITY_HEADER };
    const url = `${e2.env.IDENTITY_ENDPOINT}?api-version=2019-08-01&resource=${STORAGE}`;
    assert.equal((await get(url, h)).status, 429);
    const ok = await get(url, h);
    assert.equal(ok.status, 200);
    assert.ok(Math.abs(Number(ok.json.expires_on) - Date.now() / 1000 - 600) <= 5, 'lifetimeSeconds option');
    assert.equal(e2.requests.length, 2);
    assert.equal(e2.requests[0].method, 'GET');
    assert.equal(e2.requests[0].headers['x-identity-header'], e2.env.IDENTITY_HEADER);
  } finally {
    await e2.close();
  }
});

test('Azurite (--oauth basic) accepts the minted token: create container, upload, download', { timeout: 60000 }, async () => {
  const service = blobServiceClient(emulatorCredential());
  const container = service.getContainerClient(`emu-${crypto.randomBytes(4).toString('hex')}`);
  await container.create();
  const data = crypto.randomBytes(64 * 1024 + 7);
  const blob = container.getBlockBlobClient('dir/payload.bin');
  await blob.upload(data, data.length);
  const back = await blob.downloadToBuffer();
  assert.ok(Buffer.compare(back, data) === 0, 'downloaded bytes equal uploaded bytes');

  const names = [];
  for await (const b of container.listBlobsFlat()) names.push(b.name);
  assert.deepEqual(names, ['dir/payload.bin']);

  // The SDK asked for https://storage.azure.com/.default → resource https://storage.azure.com.
  const seen = emu.requests.filter((r) => r.url.includes('resource=https%3A%2F%2Fstorage.azure.com'));
  assert.ok(seen.length >= 1, 'the SDK went through the emulator');

  // The trailing-slash audience form is accepted too.
  const slash = blobServiceClient(emulatorCredential((r) => `${r}/`)).getContainerClient(container.containerName);
  assert.equal(await slash.exists(), true);

  await container.delete();
});

test('Azurite rejects a token with the wrong audience or issuer (OAuth is really checked)', { timeout: 60000 }, async () => {
  const rejectedBecause = (detail) => (err) => {
    assert.equal(err.statusCode, 403);
    assert.equal(err.code, 'AuthenticationFailed');
    assert.equal(err.details && err.details.authenticationErrorDetail, detail);
    return true;
  };
  const name = `neg-${crypto.randomBytes(4).toString('hex')}`;

  const wrongAudience = blobServiceClient(emulatorCredential(() => 'https://vault.azure.net'));
  await assert.rejects(wrongAudience.getContainerClient(name).create(), rejectedBecause('Invalid token audience.'));

  // Same claims, issuer outside Azurite's list of Entra issuers.
  const good = emulatorCredential();
  const wrongIssuer = blobServiceClient({
    async getToken(scopes) {
      const t = await good.getToken(scopes);
      const [h, p, sig] = t.token.split('.');
      const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
      claims.iss = 'https://issuer.example/';
      return { ...t, token: `${h}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${sig}` };
    },
  });
  await assert.rejects(wrongIssuer.getContainerClient(name).create(), rejectedBecause('Invalid token issuer.'));
});

test('runEmulatorCli prints the environment and stops on SIGTERM', { timeout: 30000 }, async () => {
  const emulatorPath = path.resolve(__dirname, '../../npm/lib/emulator.js');
  const script = `require(${JSON.stringify(emulatorPath)}).runEmulatorCli(process.argv.slice(1)).then((c) => { process.exitCode = c; });`;

  const bad = spawn(process.execPath, ['-e', script, '--', '--bogus'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const badCode = await new Promise((resolve) => bad.on('exit', resolve));
  assert.equal(badCode, 2, 'unknown argument → exit code 2');

  const child = spawn(process.execPath, ['-e', script, '--', '--port', '0', '--lifetime', '120'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const killer = setTimeout(() => child.kill('SIGKILL'), 20000);
  try {
    let out = '';
    child.stdout.setEncoding('utf8');
    const env = await new Promise((resolve, reject) => {
      child.stdout.on('data', (d) => {
        out += d;
        const vars = Object.fromEntries([...out.matchAll(/^export (\w+)=(\S+)$/gm)].map((m) => [m[1], m[2]]));
        if (vars.IDENTITY_ENDPOINT && vars.IDENTITY_HEADER && vars.AZCRED_IMDS_ENDPOINT) resolve(vars);
      });
      child.on('exit', (code) => reject(new Error(`CLI exited early (${code}): ${out}`)));
    });
    const r = await get(`${env.IDENTITY_ENDPOINT}?api-version=2019-08-01&resource=${STORAGE}`, { 'X-IDENTITY-HEADER': env.IDENTITY_HEADER });
    assert.equal(r.status, 200);
    assert.ok(Math.abs(Number(r.json.expires_on) - Date.now() / 1000 - 120) <= 5);
    const p = await get(`${env.AZCRED_IMDS_ENDPOINT}/metadata/identity/oauth2/token`);
    assert.equal(p.status, 400);

    child.kill('SIGTERM');
    const code = await new Promise((resolve) => child.on('exit', resolve));
    assert.equal(code, 0);
  } finally {
    clearTimeout(killer);
    if (child.exitCode === null) child.kill('SIGKILL');
  }
});

// ---------------------------------------------------------------------------------------------
// The public programmatic API (`azcred/emulator`), as an app's own tests use it: start with a
// protocol, hand `env` to a credential or a child process, observe faults, stop.

const NPM_DIR = path.resolve(__dirname, '../../npm');
const NO_IMDS = 'http://127.0.0.1:9';
const SCOPE = `${STORAGE}/.default`;
/** Fast retries, so that fault tests take milliseconds (a Retry-After still wins). */
const fastRetries = { retryOptions: { maxRetries: 3, retryDelayInMs: 20 } };

/** azcred itself, loaded when a test needs a credential (the Azurite tests above do not). */
const azcred = () => require('../../npm/index.js');

const started = [];
after(() => Promise.all(started.map((e) => e.stop())));
async function startTracked(options) {
  const e = await emulatorCjs.start(options);
  started.push(e);
  return e;
}

/**
 * Runs `fn` with exactly `vars` among the variables credentials read (and IMDS on a closed port
 * unless `vars` names one), then puts the environment back.
 */
async function withAzureEnv(vars, fn) {
  const saved = Object.fromEntries(AZURE_VARS.map((k) => [k, process.env[k]]));
  for (const k of AZURE_VARS) delete process.env[k];
  Object.assign(process.env, { AZCRED_IMDS_ENDPOINT: NO_IMDS }, vars);
  try {
    return await fn();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

/** The environment of a child process: ours without any Azure variable, plus `vars`. */
function childEnv(vars) {
  const env = { ...process.env };
  for (const k of AZURE_VARS) delete env[k];
  return { ...env, AZCRED_IMDS_ENDPOINT: NO_IMDS, ...vars };
}

/** Runs `node <file>` (or `node -e`) with a deadline; resolves {code, stdout, stderr}. */
function runNode(args, { cwd, env } = {}) {
  return new Promise((resolve) => {
    execFile(process.execPath, args, { cwd, env, timeout: 30000, encoding: 'utf8' }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

function payloadOf(jwt) {
  return JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString());
}

test('azcred/emulator: require and import give the same names and the same objects', async () => {
  const esm = await import(path.join(NPM_DIR, 'emulator.mjs'));
  const esmNames = Object.keys(esm).filter((k) => k !== 'default').sort();
  assert.deepEqual(esmNames, Object.keys(emulatorCjs).sort());
  assert.deepEqual(esmNames, ['EMULATOR_DEFAULTS', 'PROTOCOLS', 'start', 'startEmulator']);
  for (const k of esmNames) assert.equal(esm[k], emulatorCjs[k], k);
  assert.equal(esm.default, emulatorCjs);
  assert.equal(emulatorCjs.start, emulatorCjs.startEmulator, 'startEmulator is an alias of start');
  assert.deepEqual([...emulatorCjs.PROTOCOLS], ['appService', 'imds', 'podIdentity']);
});

test('by package name: azcred/emulator resolves through the exports map, azcred/lib/emulator is refused', { timeout: 60000 }, async () => {
  // An app of its own: node_modules/azcred is a link to the package directory.
  const app = fs.mkdtempSync(path.join(os.tmpdir(), 'azcred-emu-app-'));
  try {
    fs.mkdirSync(path.join(app, 'node_modules'));
    fs.symlinkSync(NPM_DIR, path.join(app, 'node_modules', 'azcred'), process.platform === 'win32' ? 'junction' : 'dir');
    // The app's test, ESM: start, point the environment at the emulator, get a token, stop.
    fs.writeFileSync(path.join(app, 'app.test.mjs'), `
import { start } from 'azcred/emulator';
import { ManagedIdentityCredential } from 'azcred';
const emu = await start({ protocol: 'imds' });
Object.assign(process.env, emu.env);
const t = await new ManagedIdentityCredential().getToken(${JSON.stringify(SCOPE)});
const aud = JSON.parse(Buffer.from(t.token.split('.')[1], 'base64url').toString()).aud;
console.log(JSON.stringify({ envKeys: Object.keys(emu.env), aud, counts: emu.counts }));
await emu.stop();
`);
    const esm = await runNode(['app.test.mjs'], { cwd: app, env: childEnv({}) });
    assert.equal(esm.code, 0, esm.stderr);
    const out = JSON.parse(esm.stdout);
    assert.deepEqual(out.envKeys, ['AZCRED_IMDS_ENDPOINT']);
    assert.equal(out.aud, STORAGE);
    assert.equal(out.counts.tokensIssued, 1);

    // CommonJS by name, the same objects as the ESM entry; the implementation file is refused.
    const cjs = await runNode(['-e', `
const e = require('azcred/emulator');
import('azcred/emulator').then((m) => {
  let refused = null;
  try { require('azcred/lib/emulator'); } catch (err) { refused = err.code; }
  console.log(JSON.stringify({
    names: Object.keys(e).sort(),
    same: Object.keys(e).every((k) => m[k] === e[k]),
    file: require.resolve('azcred/emulator'),
    refused,
  }));
});
`], { cwd: app, env: childEnv({}) });
    assert.equal(cjs.code, 0, cjs.stderr);
    const r = JSON.parse(cjs.stdout);
    assert.deepEqual(r.names, ['EMULATOR_DEFAULTS', 'PROTOCOLS', 'start', 'startEmulator']);
    assert.equal(r.same, true);
    assert.equal(fs.realpathSync(r.file), path.join(NPM_DIR, 'emulator.js'));
    assert.equal(r.refused, 'ERR_PACKAGE_PATH_NOT_EXPORTED');
  } finally {
    fs.rmSync(app, { recursive: true, force: true });
  }
});

test('protocol "appService": env is IDENTITY_ENDPOINT and IDENTITY_HEADER, and ManagedIdentityCredential gets a token once', async () => {
  const e = await startTracked({ protocol: 'appService' });
  assert.equal(e.protocol, 'appService');
  assert.deepEqual(Object.keys(e.env).sort(), ['IDENTITY_ENDPOINT', 'IDENTITY_HEADER']);
  assert.equal(e.env.IDENTITY_ENDPOINT, `${e.url}/msi/token`);
  assert.equal(e.endpoint, e.env.IDENTITY_ENDPOINT);
  assert.match(e.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.equal(e.url, `http://127.0.0.1:${e.port}`);
  assert.ok(Object.isFrozen(e.env));
  assert.deepEqual(e.env, e.appServiceEnv);

  await withAzureEnv(e.env, async () => {
    const cred = new (azcred().ManagedIdentityCredential)();
    const t = await cred.getToken(SCOPE);
    const claims = payloadOf(t.token);
    assert.equal(claims.aud, STORAGE);
    assert.equal(claims.appid, EMULATOR_DEFAULTS.clientId);
    assert.ok(Math.abs(t.expiresOnTimestamp - (Date.now() + 86400 * 1000)) < 10000);
    // The credential's cache keeps the second call off the network: the counter proves it.
    await cred.getToken(SCOPE);
    assert.deepEqual(e.counts, { requests: 1, tokenRequests: 1, probes: 0, faulted: 0, tokensIssued: 1 });
  });
  const [r] = e.requests;
  assert.equal(r.kind, 'token');
  assert.equal(r.status, 200);
  assert.equal(r.faulted, false);
  assert.equal(r.headers['x-identity-header'], e.env.IDENTITY_HEADER);
});

test('protocol "imds": a child process with env gets a DefaultAzureCredential token after one probe', { timeout: 60000 }, async () => {
  const e = await startTracked({ protocol: 'imds', lifetimeSeconds: 3600, tenantId: 'imds-tenant' });
  assert.deepEqual(e.env, { AZCRED_IMDS_ENDPOINT: e.url });
  assert.equal(e.endpoint, `${e.url}/metadata/identity/oauth2/token`);
  const script = `
const { DefaultAzureCredential } = require(${JSON.stringify(path.join(NPM_DIR, 'index.js'))});
new DefaultAzureCredential().getToken(${JSON.stringify(SCOPE)}).then((t) => {
  const c = JSON.parse(Buffer.from(t.token.split('.')[1], 'base64url').toString());
  console.log(JSON.stringify({ aud: c.aud, tid: c.tid, lifetime: t.expiresOnTimestamp - Date.now() }));
}, (err) => { console.error(err.message); process.exitCode = 1; });
`;
  const r = await runNode(['-e', script], { env: childEnv(e.env) });
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.aud, STORAGE);
  assert.equal(out.tid, 'imds-tenant');
  assert.ok(Math.abs(out.lifetime - 3600 * 1000) < 10000, 'lifetimeSeconds option');
  assert.equal(e.counts.probes, 1, 'DefaultAzureCredential probed IMDS once');
  assert.equal(e.counts.tokenRequests, 1);
  assert.deepEqual(e.requests.map((q) => q.kind), ['probe', 'token']);
  assert.equal(e.requests[1].headers.metadata, 'true');
});

test('protocol "podIdentity" (ESM entry): AZURE_POD_IDENTITY_AUTHORITY_HOST, no probe, token served', async () => {
  const { start } = await import(path.join(NPM_DIR, 'emulator.mjs'));
  const e = await start({ protocol: 'podIdentity' });
  started.push(e);
  assert.deepEqual(e.env, { AZURE_POD_IDENTITY_AUTHORITY_HOST: e.url });
  await withAzureEnv(e.env, async () => {
    const t = await new (azcred().DefaultAzureCredential)().getToken(SCOPE);
    assert.equal(payloadOf(t.token).aud, STORAGE);
  });
  assert.equal(e.counts.probes, 0);
  assert.equal(e.counts.tokensIssued, 1);
  assert.match(e.requests[0].url, /^\/metadata\/identity\/oauth2\/token\/\?api-version=2018-02-01&/);
});

test('faults in a queue: 429 with Retry-After, then 503, then success, as the credential sees them', { timeout: 30000 }, async () => {
  const e = await startTracked({ faults: [{ status: 429, retryAfter: 1, count: 1 }, { status: 503, count: 1 }] });
  assert.equal(e.faults.length, 2);
  await withAzureEnv(e.env, async () => {
    const t = await new (azcred().ManagedIdentityCredential)(fastRetries).getToken(SCOPE);
    assert.equal(payloadOf(t.token).aud, STORAGE);
  });
  assert.deepEqual(e.requests.map((r) => [r.status, r.faulted]), [[429, true], [503, true], [200, false]]);
  const gap = e.requests[1].time - e.requests[0].time;
  assert.ok(gap >= 950, `Retry-After: 1 honoured by the credential (${gap} ms)`);
  assert.deepEqual(e.counts, { requests: 3, tokenRequests: 3, probes: 0, faulted: 2, tokensIssued: 1 });
  assert.deepEqual(e.faults, [], 'the queue is used up');
});

test('faults changed while running: malformed body, persistent 500, latency, then cleared', { timeout: 30000 }, async () => {
  const e = await startTracked();
  await withAzureEnv(e.env, async () => {
    const { ManagedIdentityCredential } = azcred();
    e.setFaults({ body: '{"access_token":', count: 1 });
    await assert.rejects(new ManagedIdentityCredential(fastRetries).getToken(SCOPE), (err) => {
      assert.equal(err.name, 'CredentialUnavailableError');
      assert.ok(!err.message.includes(e.env.IDENTITY_HEADER), 'no header secret in the error');
      return true;
    });
    assert.equal(e.counts.tokenRequests, 1, 'a malformed 200 is not retried');

    e.reset();
    e.setFaults({ status: 500 });
    await assert.rejects(new ManagedIdentityCredential(fastRetries).getToken(SCOPE), /HTTP 500/);
    assert.equal(e.counts.tokenRequests, 4, 'one attempt and maxRetries (3) retries, all faulted');
    assert.equal(e.counts.faulted, 4);
    assert.equal(e.faults.length, 1, 'a fault without count stays');

    e.setFaults([{ latencyMs: 300, count: 1 }]);
    const t0 = Date.now();
    const t = await new ManagedIdentityCredential(fastRetries).getToken(SCOPE);
    assert.ok(Date.now() - t0 >= 290, 'latency applied');
    assert.equal(payloadOf(t.token).aud, STORAGE);

    e.setFaults({ status: 500 });
    e.clearFaults();
    assert.deepEqual(e.faults, []);
  });
});

test('identities: only the configured user-assigned identities are served; systemAssigned false refuses the rest', { timeout: 30000 }, async () => {
  const clientId = '0b0b0b0b-1111-4222-8333-444444444444';
  const resourceId = '/subscriptions/0000/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/app';
  const e = await startTracked({ systemAssigned: false, identities: [{ clientId, resourceId }] });
  await withAzureEnv(e.env, async () => {
    const { ManagedIdentityCredential } = azcred();
    let c = payloadOf((await new ManagedIdentityCredential(clientId, fastRetries).getToken(SCOPE)).token);
    assert.equal(c.appid, clientId);
    assert.equal(c.xms_mirid, resourceId);
    const oid = c.oid;
    c = payloadOf((await new ManagedIdentityCredential({ resourceId, ...fastRetries }).getToken('https://vault.azure.net/.default')).token);
    assert.equal(c.appid, clientId, 'the resource id names the same identity');
    assert.equal(c.oid, oid);

    await assert.rejects(new ManagedIdentityCredential(fastRetries).getToken(SCOPE), /No User Assigned or Delegated Managed Identity found/);
    await assert.rejects(
      new ManagedIdentityCredential('99999999-1111-4222-8333-444444444444', fastRetries).getToken(SCOPE),
      /No User Assigned or Delegated Managed Identity found/,
    );
  });
  assert.equal(e.counts.tokensIssued, 2);
});

test('stop() closes open connections and frees the port; a second stop() resolves; asyncDispose is stop', { timeout: 30000 }, async () => {
  const e = await emulatorCjs.start({ faults: { latencyMs: 20000 } });
  assert.equal(e.stop, e.close);
  if (typeof Symbol.asyncDispose === 'symbol') assert.equal(e[Symbol.asyncDispose], e.stop);
  const agent = new http.Agent({ keepAlive: true });
  // One idle keep-alive connection, one request held by the latency fault.
  await new Promise((resolve, reject) => {
    http.get(`${e.url}/nowhere`, { agent }, (res) => { res.resume(); res.on('end', resolve); }).on('error', reject);
  });
  const pending = new Promise((resolve) => {
    http.get(`${e.endpoint}?api-version=2019-08-01&resource=${STORAGE}`, { headers: { 'X-IDENTITY-HEADER': e.env.IDENTITY_HEADER } }, (res) => {
      res.resume();
      resolve(`answered ${res.statusCode}`);
    }).on('error', (err) => resolve(err.code || err.message));
  });
  while (e.counts.tokenRequests === 0) await new Promise((r) => setTimeout(r, 10));

  const t0 = Date.now();
  const first = e.stop();
  assert.equal(e.stop(), first, 'idempotent: the same promise');
  await first;
  assert.ok(Date.now() - t0 < 2000, `stop() does not wait for open connections (${Date.now() - t0} ms)`);
  assert.equal(await pending, 'ECONNRESET', 'the held request is dropped');
  await e.stop();
  agent.destroy();

  // The port is free: a new emulator can take it.
  const again = await emulatorCjs.start({ port: e.port });
  assert.equal(again.port, e.port);
  await again.stop();
  await assert.rejects(fetchStatus(`${e.url}/nowhere`), /ECONNREFUSED|fetch failed/);
});

/** GET status with the global fetch (no keep-alive pool of ours). */
async function fetchStatus(url) {
  const r = await fetch(url);
  await r.arrayBuffer();
  return r.status;
}

test('counters work without recorded requests; reset() zeroes them and keeps the faults', async () => {
  const e = await startTracked({ recordRequests: false, faults: { status: 500 } });
  const h = { 'X-IDENTITY-HEADER': e.env.IDENTITY_HEADER };
  await get(`${e.endpoint}?api-version=2019-08-01&resource=${STORAGE}`, h);
  await get(`${e.url}/metadata/identity/oauth2/token`);
  await get(`${e.url}/nowhere`);
  assert.deepEqual(e.requests, []);
  assert.deepEqual(e.counts, { requests: 3, tokenRequests: 1, probes: 1, faulted: 1, tokensIssued: 0 });
  e.reset();
  assert.deepEqual(e.counts, { requests: 0, tokenRequests: 0, probes: 0, faulted: 0, tokensIssued: 0 });
  assert.equal(e.faults.length, 1);
});

test('invalid options are refused with an error that names the option', async () => {
  await assert.rejects(emulatorCjs.start({ protocol: 'vm' }), { name: 'RangeError', message: /protocol/ });
  await assert.rejects(emulatorCjs.start({ port: 70000 }), { name: 'RangeError', message: /port/ });
  await assert.rejects(emulatorCjs.start({ lifetimeSeconds: 0 }), { name: 'RangeError', message: /lifetimeSeconds/ });
  await assert.rejects(emulatorCjs.start({ tokenSource: 'vault' }), { name: 'RangeError', message: /tokenSource/ });
  await assert.rejects(emulatorCjs.start({ faults: [{ status: 500 }, { status: 429, count: 1 }] }), { name: 'RangeError', message: /only the last fault/ });
  await assert.rejects(emulatorCjs.start({ fault: { status: 500 }, faults: [] }), { name: 'TypeError', message: /fault or faults/ });
  await assert.rejects(emulatorCjs.start({ faults: { status: 42 } }), { name: 'RangeError', message: /fault\.status/ });
  await assert.rejects(emulatorCjs.start({ identities: [{}] }), { name: 'TypeError', message: /identities\[0\]/ });
  const e = await startTracked();
  assert.throws(() => e.setFaults({ latencyMs: -1 }), { name: 'RangeError', message: /latencyMs/ });
});

test('the log callback never sees a token or the header secret', async () => {
  const lines = [];
  const e = await startTracked({ log: (l) => lines.push(l) });
  let token;
  await withAzureEnv(e.env, async () => {
    token = (await new (azcred().ManagedIdentityCredential)(fastRetries).getToken(SCOPE)).token;
  });
  await get(`${e.endpoint}?api-version=2019-08-01&resource=${STORAGE}`, { 'X-IDENTITY-HEADER': 'wrong' });
  assert.equal(lines.length, 2);
  assert.match(lines[0], /^GET \/msi\/token\?api-version=2019-08-01&resource=\S+ -> 200$/);
  assert.match(lines[1], / -> 401$/);
  for (const l of lines) {
    assert.ok(!l.includes(e.env.IDENTITY_HEADER), 'no header secret');
    assert.ok(!l.includes(token) && !l.includes(token.split('.')[2]), 'no token');
  }
});

// ---------------------------------------------------------------------------------------------
// tokenSource "az" (the CLI's --from-az): tokens from the package's own AzureCliCredential, with
// a fake `az` first on PATH, as in developer-tools.test.js. The fake records its argv and prints
// what `az account get-access-token --output json` prints; for a resource on the denied list it
// fails as az does when nobody is signed in.

const NO_WINDOWS = { skip: process.platform === 'win32' && 'the fake az is a shebang script', timeout: 30000 };
const DENIED = 'https://denied.example';
// An hour from now, in whole seconds (the core refuses an az expiry more than ten years ahead).
const AZ_EXPIRES_ON = Math.floor(Date.now() / 1000) + 3600;
const AZ_TOKEN = `eyJhbGciOiJub25lIn0.${Buffer.from(JSON.stringify({ appid: 'az-cli-app', aud: STORAGE })).toString('base64url')}.`;
const AZ_TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';

const FAKE_AZ = `#!${process.execPath}
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const argv = process.argv.slice(2);
fs.appendFileSync(path.join(__dirname, '..', 'calls.jsonl'), JSON.stringify(argv) + '\\n');
if (argv.includes(${JSON.stringify(DENIED)})) {
  process.stderr.write("ERROR: Please run 'az login' to setup account.\\n");
  process.exit(1);
}
const exp = new Date(${AZ_EXPIRES_ON} * 1000);
const pad = (n) => String(n).padStart(2, '0');
const local = exp.getFullYear() + '-' + pad(exp.getMonth() + 1) + '-' + pad(exp.getDate()) + ' ' +
  pad(exp.getHours()) + ':' + pad(exp.getMinutes()) + ':' + pad(exp.getSeconds()) + '.000000';
process.stdout.write(JSON.stringify({ accessToken: ${JSON.stringify(AZ_TOKEN)}, expiresOn: local,
  expires_on: ${AZ_EXPIRES_ON}, subscription: 'sub', tenant: 'tid', tokenType: 'Bearer' }, null, 2) + '\\n');
`;

/**
 * Runs `fn(fake)` with a fake `az` first on PATH; `fake.calls()` is the argv of each run so far,
 * `fake.clear()` forgets them. PATH is put back afterwards.
 */
async function withFakeAz(fn) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'azcred-emulator-az-'));
  const bin = path.join(dir, 'bin');
  const log = path.join(dir, 'calls.jsonl');
  fs.mkdirSync(bin);
  fs.writeFileSync(path.join(bin, 'az'), FAKE_AZ, { mode: 0o755 });
  const originalPath = process.env.PATH;
  process.env.PATH = `${bin}${path.delimiter}${originalPath}`;
  const fake = {
    calls: () => (fs.existsSync(log) ? fs.readFileSync(log, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)) : []),
    clear: () => fs.rmSync(log, { force: true }),
  };
  try {
    return await fn(fake);
  } finally {
    process.env.PATH = originalPath;
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

test('tokenSource "az": a ManagedIdentityCredential client gets the token AzureCliCredential got from az', NO_WINDOWS, async () => {
  await withFakeAz(async (fake) => {
    const e = await startTracked({ tokenSource: 'az' });
    await withAzureEnv(e.env, async () => {
      const t = await new (azcred().ManagedIdentityCredential)(fastRetries).getToken(SCOPE);
      assert.equal(t.token, AZ_TOKEN);
      assert.equal(t.expiresOnTimestamp, AZ_EXPIRES_ON * 1000);
    });
    assert.equal(fake.calls().length, 1);
    // The App Service answer carries az's expiry and the token's appid as client_id.
    const r = await get(`${e.env.IDENTITY_ENDPOINT}?api-version=2019-08-01&resource=${encodeURIComponent(STORAGE)}`, { 'X-IDENTITY-HEADER': e.env.IDENTITY_HEADER });
    assert.equal(r.status, 200);
    assert.equal(r.json.access_token, AZ_TOKEN);
    assert.equal(r.json.expires_on, String(AZ_EXPIRES_ON));
    assert.equal(r.json.client_id, 'az-cli-app');
    assert.equal(r.json.resource, STORAGE);
  });
});

test('tokenSource "az": az runs with exactly the argv AzureCliCredential sends, with the tenant when one is given', NO_WINDOWS, async () => {
  await withFakeAz(async (fake) => {
    const { AzureCliCredential } = azcred();
    // What the core's AzureCliCredential itself sends for the scope of each resource.
    await new AzureCliCredential().getToken(SCOPE);
    await new AzureCliCredential({ tenantId: AZ_TENANT }).getToken(SCOPE);
    const direct = fake.calls();
    assert.deepEqual(direct, [
      ['account', 'get-access-token', '--output', 'json', '--resource', STORAGE],
      ['account', 'get-access-token', '--output', 'json', '--resource', STORAGE, '--tenant', AZ_TENANT],
    ]);
    fake.clear();

    const plain = await startTracked({ tokenSource: 'az' });
    const withTenant = await startTracked({ tokenSource: 'az', tenantId: AZ_TENANT });
    for (const e of [plain, withTenant]) {
      // The resource as a client sends it, and with "/.default" (stripped, as for minted tokens).
      const resource = e === plain ? STORAGE : `${STORAGE}/.default`;
      const r = await get(`${e.env.IDENTITY_ENDPOINT}?api-version=2019-08-01&resource=${encodeURIComponent(resource)}`, { 'X-IDENTITY-HEADER': e.env.IDENTITY_HEADER });
      assert.equal(r.status, 200);
    }
    assert.deepEqual(fake.calls(), direct);

    // A tenant AzureCliCredential refuses makes start() fail, with the credential's message.
    await assert.rejects(startTracked({ tokenSource: 'az', tenantId: 'not a tenant!' }), /Invalid tenant id provided/);
  });
});

test('azcred emulator --from-az serves the token of the az on PATH', NO_WINDOWS, async () => {
  await withFakeAz(async (fake) => {
    const emulatorPath = path.resolve(__dirname, '../../npm/lib/emulator.js');
    const script = `require(${JSON.stringify(emulatorPath)}).runEmulatorCli(process.argv.slice(1)).then((c) => { process.exitCode = c; });`;
    const child = spawn(process.execPath, ['-e', script, '--', '--from-az'], { stdio: ['ignore', 'pipe', 'pipe'], env: childEnv({ PATH: process.env.PATH }) });
    const killer = setTimeout(() => child.kill('SIGKILL'), 20000);
    try {
      let out = '';
      child.stdout.setEncoding('utf8');
      const env = await new Promise((resolve, reject) => {
        child.stdout.on('data', (d) => {
          out += d;
          const vars = Object.fromEntries([...out.matchAll(/^export (\w+)=(\S+)$/gm)].map((m) => [m[1], m[2]]));
          if (vars.IDENTITY_ENDPOINT && vars.IDENTITY_HEADER) resolve(vars);
        });
        child.on('exit', (code) => reject(new Error(`CLI exited early (${code}): ${out}`)));
      });
      assert.match(out, /AzureCliCredential/);
      const r = await get(`${env.IDENTITY_ENDPOINT}?api-version=2019-08-01&resource=${encodeURIComponent(STORAGE)}`, { 'X-IDENTITY-HEADER': env.IDENTITY_HEADER });
      assert.equal(r.status, 200);
      assert.equal(r.json.access_token, AZ_TOKEN);
      assert.deepEqual(fake.calls(), [['account', 'get-access-token', '--output', 'json', '--resource', STORAGE]]);
      child.kill('SIGTERM');
      assert.equal(await new Promise((resolve) => child.on('exit', resolve)), 0);
    } finally {
      clearTimeout(killer);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});

test('tokenSource "az": a second request for the same resource is answered from the credential\'s cache, without running az', NO_WINDOWS, async () => {
  await withFakeAz(async (fake) => {
    const e = await startTracked({ tokenSource: 'az' });
    await withAzureEnv(e.env, async () => {
      const t = await new (azcred().ManagedIdentityCredential)(fastRetries).getToken(SCOPE);
      assert.equal(t.token, AZ_TOKEN);
    });
    // Then plain requests, which the client's own caches cannot answer: App Service and IMDS.
    const again = await get(`${e.env.IDENTITY_ENDPOINT}?api-version=2019-08-01&resource=${encodeURIComponent(STORAGE)}`, { 'X-IDENTITY-HEADER': e.env.IDENTITY_HEADER });
    assert.equal(again.status, 200);
    assert.equal(again.json.access_token, AZ_TOKEN);
    const r = await imdsOf(e, STORAGE);
    assert.equal(r.status, 200);
    assert.equal(r.json.access_token, AZ_TOKEN);
    assert.equal(e.counts.tokenRequests, 3);
    assert.equal(e.counts.tokensIssued, 3);
    assert.equal(fake.calls().length, 1, 'az ran once for three requests');
    // Another resource is another scope: az runs again.
    const v = await imdsOf(e, 'https://vault.azure.net');
    assert.equal(v.status, 200);
    assert.deepEqual(fake.calls().map((argv) => argv[argv.indexOf('--resource') + 1]), [STORAGE, 'https://vault.azure.net']);
  });
});

test('tokenSource "az": an az that is not signed in gives the emulator\'s 500 error answer with AzureCliCredential\'s message', NO_WINDOWS, async () => {
  await withFakeAz(async (fake) => {
    // The message AzureCliCredential itself gives for this failure.
    const direct = await new (azcred().AzureCliCredential)().getToken(`${DENIED}/.default`).then(
      () => assert.fail('az failed, the credential must too'),
      (err) => err,
    );
    assert.equal(direct.name, 'CredentialUnavailableError');
    assert.match(direct.message, /Please run 'az login'/);
    fake.clear();

    const e = await startTracked({ tokenSource: 'az' });
    const r = await get(`${e.env.IDENTITY_ENDPOINT}?api-version=2019-08-01&resource=${encodeURIComponent(DENIED)}`, { 'X-IDENTITY-HEADER': e.env.IDENTITY_HEADER });
    assert.equal(r.status, 500);
    assert.deepEqual(r.json, { error: 'token_source_failed', error_description: direct.message });
    assert.deepEqual(fake.calls(), [['account', 'get-access-token', '--output', 'json', '--resource', DENIED]]);
    assert.equal(e.counts.tokensIssued, 0);

    // A managed-identity client sees the failure (after its retries), not a token.
    await withAzureEnv(e.env, async () => {
      await assert.rejects(new (azcred().ManagedIdentityCredential)(fastRetries).getToken(`${DENIED}/.default`), /token_source_failed: .*Please run 'az login'.*\(HTTP 500\)/);
    });
    // A failure is not cached: a resource az can serve still works.
    const ok = await imdsOf(e, STORAGE);
    assert.equal(ok.status, 200);
  });
});

test('tokenSource "az": a resource with characters az must not see is refused by the credential, and az never runs', NO_WINDOWS, async () => {
  await withFakeAz(async (fake) => {
    const e = await startTracked({ tokenSource: 'az' });
    const r = await imdsOf(e, 'https://storage.azure.com;rm -rf');
    assert.equal(r.status, 500);
    assert.equal(r.json.error, 'token_source_failed');
    assert.match(r.json.error_description, /Invalid scope/);
    assert.deepEqual(fake.calls(), []);
  });
});

test('tokenSource "az": the azPath option is deprecated: a DeprecationWarning, and az is the one on PATH', NO_WINDOWS, async () => {
  await withFakeAz(async (fake) => {
    const warnings = [];
    const onWarning = (w) => warnings.push(w);
    process.on('warning', onWarning);
    let e;
    try {
      e = await startTracked({ tokenSource: 'az', azPath: '/nonexistent/az' });
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('warning', onWarning);
    }
    assert.equal(warnings.length, 1);
    assert.equal(warnings[0].name, 'DeprecationWarning');
    assert.equal(warnings[0].code, 'AZCRED_EMULATOR_AZPATH');
    assert.equal((await imdsOf(e, STORAGE)).status, 200);
    assert.equal(fake.calls().length, 1);
  });
});

/** An IMDS token request to emulator `e` for `resource`. */
function imdsOf(e, resource) {
  return get(`${e.imdsEnv.AZCRED_IMDS_ENDPOINT}/metadata/identity/oauth2/token?api-version=2018-02-01&resource=${encodeURIComponent(resource)}`, { Metadata: 'true' });
}
