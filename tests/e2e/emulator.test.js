'use strict';
// End-to-end test of the azcred managed-identity emulator (npm/lib/emulator.js) against a real
// Azurite blob service with OAuth checks on.
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
const { spawn } = require('node:child_process');

const { startEmulator, EMULATOR_DEFAULTS } = require('../../npm/lib/emulator');
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

test('tokenSource "az" serves the token printed by az account get-access-token', { skip: process.platform === 'win32' && 'fake az is a shebang script', timeout: 30000 }, async () => {
  // A stand-in for the Azure CLI: records its arguments, prints az's JSON, fails for one resource.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'azcred-fake-az-'));
  const fakeAz = path.join(dir, 'az');
  const fakeToken = `eyJhbGciOiJub25lIn0.${Buffer.from(JSON.stringify({ appid: 'az-cli-app' })).toString('base64url')}.`;
  fs.writeFileSync(fakeAz, `#!${process.execPath}
const args = process.argv.slice(2);
require('fs').appendFileSync(${JSON.stringify(path.join(dir, 'calls'))}, JSON.stringify(args) + '\\n');
if (args.includes('https://denied.example')) { console.error("ERROR: Please run 'az login' to setup account."); process.exit(1); }
console.log(JSON.stringify({ accessToken: ${JSON.stringify(fakeToken)}, expiresOn: '2099-01-01 00:00:00.000000', expires_on: 4070908800, tokenType: 'Bearer' }));
`, { mode: 0o755 });
  const e3 = await startEmulator({ tokenSource: 'az', azPath: fakeAz });
  try {
    const h = { 'X-IDENTITY-HEADER': e3.env.IDENTITY_HEADER };
    const ask = (res) => get(`${e3.env.IDENTITY_ENDPOINT}?api-version=2019-08-01&resource=${encodeURIComponent(res)}`, h);
    let r = await ask(`${STORAGE}/.default`);
    assert.equal(r.status, 200);
    assert.equal(r.json.access_token, fakeToken);
    assert.equal(r.json.expires_on, '4070908800');
    assert.equal(r.json.client_id, 'az-cli-app');
    assert.equal((await ask(STORAGE)).status, 200, 'second request for the same audience is cached');
    const calls = fs.readFileSync(path.join(dir, 'calls'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(calls, [['account', 'get-access-token', '--output', 'json', '--resource', STORAGE]]);

    r = await ask('https://denied.example');
    assert.equal(r.status, 500);
    assert.match(r.json.error_description, /az login/);
  } finally {
    await e3.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
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
