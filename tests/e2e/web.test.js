'use strict';
// The web build (azcred/web) in the real runtimes it is for, each against a fake Entra token
// endpoint over HTTPS on 127.0.0.1 with the test CA: Cloudflare's workerd (a worker bundled as
// wrangler bundles it, `azcred` resolved through the package's `workerd` condition, the .wasm
// file a module of the worker), Deno with --allow-net=127.0.0.1 and no other permission
// (importing the web build by path), and headless Chromium (a page that imports the browser
// bundle; the fake answers CORS). Each gets a token with ClientSecretCredential, is refused for
// a wrong secret with the Node build's error class, and makes one call through
// getBearerTokenProvider.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const http = require('node:http');
const path = require('node:path');
const crypto = require('node:crypto');

const { ensureTestCa } = require('../support/tls');
const { startFakeEndpoint } = require('../support/fake-endpoint');
const { aadError } = require('../support/entra');
const { makeAppCertificate, assertionProblems } = require('../support/app-cert');
const { NPM, buildWorker, askWorkerOnce, runDeno } = require('../support/web-runtimes');

const TENANT = 'abc0e0e0-0000-4000-8000-000000000001';
const CLIENT = 'abc0e0e0-0000-4000-8000-0000000000c1';
const SECRET = 'sentinel-web-client-secret-42';
const CERT_CLIENT = 'abc0e0e0-0000-4000-8000-0000000000c2';
const STORAGE = 'https://storage.azure.com/.default';
const VAULT = 'https://vault.azure.net/.default';
const RUN_DEADLINE_MS = 60000;

let tls;
let dir;
let entra;
let issued = 0;
let cert;

/** The fake Entra token endpoint, with the CORS answers a browser needs. */
function handler(req) {
  const cors = { 'Access-Control-Allow-Origin': '*', 'Access-Control-Allow-Headers': '*', 'Access-Control-Allow-Methods': 'POST', 'Access-Control-Expose-Headers': '*' };
  if (req.method === 'OPTIONS') return { status: 204, headers: cors, body: '' };
  const withCors = (a) => ({ ...a, headers: { ...cors, ...(a.headers || {}) } });
  const m = /^\/([^/]+)\/oauth2\/v2\.0\/(token|devicecode)$/.exec(req.path);
  if (!m || req.method !== 'POST') return withCors({ status: 404, body: { error: 'not_found' } });
  const form = new URLSearchParams(req.body);
  const user = userGrant(m[1], form, req.path);
  if (user) return withCors(user);
  if (form.get('client_id') === CERT_CLIENT) {
    // The PS256 assertion WebCrypto signed, checked as Entra checks it.
    const problems = assertionProblems(form.get('client_assertion'), `${entra.url}/${m[1]}/oauth2/v2.0/token`, cert, CERT_CLIENT);
    if (problems.length) return withCors(aadError(401, 'invalid_client', 700027, `Client assertion failed validation: ${problems.join(', ')}`));
    issued += 1;
    return withCors({ status: 200, body: { token_type: 'Bearer', expires_in: 3599, access_token: `web-cert-token-${issued}` } });
  }
  if (form.get('grant_type') !== 'client_credentials' || form.get('client_id') !== CLIENT) {
    return withCors(aadError(400, 'unauthorized_client', 700016, 'unknown app'));
  }
  if (form.get('client_secret') !== SECRET) return withCors(aadError(401, 'invalid_client', 7000215, 'Invalid client secret provided.'));
  issued += 1;
  return withCors({ status: 200, body: { token_type: 'Bearer', expires_in: 3599, access_token: `web-token-${issued}-${form.get('scope')}` } });
}

const b64url = (v) => Buffer.from(JSON.stringify(v)).toString('base64url');
const USER_OID = 'abc0e0e0-0000-4000-8000-00000000f00d';
const refreshTokens = new Set();

/** A user token response: the account in client_info and the id token, a fresh refresh token. */
function userTokens(tenant, scope) {
  const refresh = `web-refresh-${crypto.randomBytes(6).toString('hex')}`;
  refreshTokens.add(refresh);
  issued += 1;
  return {
    status: 200,
    body: {
      token_type: 'Bearer', scope, expires_in: 3599, ext_expires_in: 3599,
      access_token: `web-user-token-${issued}-${scope.split(' ')[0]}`,
      refresh_token: refresh,
      id_token: `${b64url({ typ: 'JWT', alg: 'none' })}.${b64url({ tid: tenant, oid: USER_OID, preferred_username: 'ada@contoso.example' })}.`,
      client_info: b64url({ uid: USER_OID, utid: tenant }),
    },
  };
}

/** The grants of the user and on-behalf-of credentials (none: not one of them). */
function userGrant(tenant, form, reqPath) {
  const scope = form.get('scope') || '';
  if (reqPath.endsWith('/devicecode')) {
    return { status: 200, body: { user_code: 'WEB-CODE', device_code: 'web-device-code', verification_uri: 'https://microsoft.com/devicelogin', expires_in: 900, interval: 1, message: 'To sign in, enter WEB-CODE' } };
  }
  switch (form.get('grant_type')) {
    case 'urn:ietf:params:oauth:grant-type:device_code':
      return form.get('device_code') === 'web-device-code' ? userTokens(tenant, scope) : aadError(400, 'invalid_grant', 70000, 'device code');
    case 'authorization_code':
      return form.get('code') === 'web-auth-code' && form.get('redirect_uri') === 'http://localhost:8400/callback'
        ? userTokens(tenant, scope) : aadError(400, 'invalid_grant', 70000, 'code');
    case 'refresh_token':
      return refreshTokens.has(form.get('refresh_token')) ? userTokens(tenant, scope) : aadError(400, 'invalid_grant', 70000, 'refresh token');
    case 'urn:ietf:params:oauth:grant-type:jwt-bearer':
      if (form.get('requested_token_use') !== 'on_behalf_of' || form.get('assertion') !== 'web-user-assertion' || form.get('client_secret') !== SECRET) {
        return aadError(400, 'invalid_grant', 70000, 'on-behalf-of');
      }
      issued += 1;
      return { status: 200, body: { token_type: 'Bearer', expires_in: 3599, access_token: `web-obo-token-${issued}` } };
    default:
      return null;
  }
}

before(async () => {
  tls = ensureTestCa();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'azcred-web-'));
  entra = await startFakeEndpoint({ tls: { key: tls.key, cert: tls.cert } });
  entra.setHandler(handler);
  cert = makeAppCertificate(dir, 'unused');
  assert.ok(fs.existsSync(path.join(NPM, 'web', 'dist', 'deno.mjs')), 'the web build is built (npm run build:web)');
});

after(async () => {
  if (entra) await entra.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  if (tls) tls.cleanup();
});

/** The program every runtime runs: returns what it saw, as JSON-able data. */
const program = () => `
async function scenario(azcred, authorityHost) {
  const out = { backend: azcred.backend };
  const cred = new azcred.ClientSecretCredential(${JSON.stringify(TENANT)}, ${JSON.stringify(CLIENT)}, ${JSON.stringify(SECRET)}, { authorityHost });
  const t = await cred.getToken(${JSON.stringify(STORAGE)});
  out.token = t.token;
  out.expiresInMinutes = Math.round((t.expiresOnTimestamp - Date.now()) / 60000);
  out.cached = (await cred.getToken(${JSON.stringify(STORAGE)})).token === t.token;
  const provider = azcred.getBearerTokenProvider(cred, ${JSON.stringify(VAULT)});
  out.bearer = await provider();
  try {
    await new azcred.ClientSecretCredential(${JSON.stringify(TENANT)}, ${JSON.stringify(CLIENT)}, 'wrong', { authorityHost }).getToken(${JSON.stringify(STORAGE)});
    out.wrong = 'no error';
  } catch (e) {
    out.wrong = { name: e.name, isClass: e instanceof azcred.AuthenticationRequiredError, message: e.message };
  }
  // A certificate as PEM text: the assertion signed with WebCrypto.
  const pem = ${JSON.stringify(fs.readFileSync(cert.plain, 'utf8'))};
  const byCert = new azcred.ClientCertificateCredential(${JSON.stringify(TENANT)}, ${JSON.stringify(CERT_CLIENT)}, { certificate: pem }, { authorityHost });
  out.certToken = (await byCert.getToken(${JSON.stringify(STORAGE)})).token;
  // DefaultAzureCredential with an explicit environment (IMDS on a closed loopback port) and
  // nothing configured: every member is unavailable, the developer tools because the runtime
  // cannot run programs.
  try {
    await new azcred.DefaultAzureCredential({ env: { AZCRED_IMDS_ENDPOINT: 'http://127.0.0.1:9' } }).getToken(${JSON.stringify(STORAGE)});
    out.dac = 'no error';
  } catch (e) {
    out.dac = { name: e.name, message: e.message };
  }
  return out;
}
`;

function checkOutcome(out, runtime) {
  assert.equal(out.backend, 'wasm', runtime);
  assert.match(out.token, /^web-token-\d+-https:\/\/storage\.azure\.com\/\.default$/, runtime);
  assert.equal(out.expiresInMinutes, 60, runtime);
  assert.equal(out.cached, true, `${runtime}: the second getToken is served from the cache`);
  assert.match(out.bearer, /^web-token-\d+-https:\/\/vault\.azure\.net\/\.default$/, runtime);
  assert.equal(out.wrong.name, 'AuthenticationRequiredError', `${runtime}: ${JSON.stringify(out.wrong)}`);
  assert.equal(out.wrong.isClass, true, runtime);
  assert.match(out.wrong.message, /^invalid_client: Error\(s\): 7000215 - /, runtime);
  assert.ok(!out.wrong.message.includes(SECRET), runtime);
  assert.match(out.certToken, /^web-cert-token-\d+$/, `${runtime}: the WebCrypto-signed assertion is valid`);
  // As the reference's chain: every member unavailable is an AggregateAuthenticationError.
  assert.equal(out.dac.name, 'AggregateAuthenticationError', `${runtime}: ${JSON.stringify(out.dac)}`);
  assert.match(out.dac.message, /Azure CLI cannot be run here: this runtime cannot start processes\./, runtime);
  assert.match(out.dac.message, /ManagedIdentityCredential: .*IMDS endpoint, but it is not available/, runtime);
}

test('Deno with --allow-net=127.0.0.1 only: the web build imported by path gets a token', async () => {
  const script = path.join(dir, 'deno-test.mjs');
  fs.writeFileSync(script, `import * as azcred from ${JSON.stringify(path.join(NPM, 'web', 'dist', 'deno.mjs'))};
${program()}
console.log(JSON.stringify(await scenario(azcred, ${JSON.stringify(entra.url)})));
`);
  const r = await runDeno(script, { caFile: tls.ca, home: dir });
  assert.equal(r.status, 0, r.stderr);
  checkOutcome(JSON.parse(r.stdout.trim().split('\n').at(-1)), 'Deno');
});

test('Deno: the on-behalf-of, authorization-code and device-code credentials of the web build, with authenticate() and a refresh token', async () => {
  const script = path.join(dir, 'deno-users.mjs');
  fs.writeFileSync(script, `import * as azcred from ${JSON.stringify(path.join(NPM, 'web', 'dist', 'deno.mjs'))};
const authorityHost = ${JSON.stringify(entra.url)};
const tenantId = ${JSON.stringify(TENANT)};
const out = {};
const obo = new azcred.OnBehalfOfCredential({ tenantId, clientId: ${JSON.stringify(CLIENT)}, clientSecret: ${JSON.stringify(SECRET)}, userAssertionToken: 'web-user-assertion', authorityHost });
out.obo = (await obo.getToken('https://graph.microsoft.com/.default')).token;
const code = new azcred.AuthorizationCodeCredential(tenantId, ${JSON.stringify(CLIENT)}, 'web-auth-code', 'http://localhost:8400/callback', { authorityHost });
out.code = (await code.getToken(${JSON.stringify(STORAGE)})).token;
out.codeAgain = (await code.getToken(${JSON.stringify(VAULT)})).token;
const prompts = [];
const device = new azcred.DeviceCodeCredential({ tenantId, clientId: ${JSON.stringify(CLIENT)}, authorityHost, userPromptCallback: (info) => prompts.push(info.userCode) });
out.record = JSON.parse(azcred.serializeAuthenticationRecord(await device.authenticate(${JSON.stringify(STORAGE)})));
out.deviceOther = (await device.getToken(${JSON.stringify(VAULT)})).token;
out.prompts = prompts;
console.log(JSON.stringify(out));
`);
  const r = await runDeno(script, { caFile: tls.ca, home: dir });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout.trim().split('\n').at(-1));
  assert.match(out.obo, /^web-obo-token-\d+$/);
  assert.match(out.code, /^web-user-token-\d+-https:\/\/storage\.azure\.com\/\.default$/);
  // The code is single-use: another scope comes from the refresh token.
  assert.match(out.codeAgain, /^web-user-token-\d+-https:\/\/vault\.azure\.net\/\.default$/);
  assert.deepEqual(out.prompts, ['WEB-CODE'], 'one device-code prompt');
  assert.equal(out.record.username, 'ada@contoso.example');
  assert.equal(out.record.homeAccountId, `${USER_OID}.${TENANT}`);
  assert.match(out.deviceOther, /^web-user-token-\d+-https:\/\/vault\.azure\.net\/\.default$/);
});

test('workerd: a worker that imports azcred (the workerd condition) gets a token', async () => {
  const worker = await buildWorker(path.join(dir, 'worker'), `import * as azcred from 'azcred';
${program()}
export default {
  async fetch(request, env) {
    try {
      return Response.json(await scenario(azcred, env.AUTHORITY_HOST));
    } catch (e) {
      return Response.json({ failed: String(e && e.stack || e) }, { status: 500 });
    }
  },
};
`, { caFile: tls.ca, bindings: { AUTHORITY_HOST: entra.url } });
  const { answer, log } = await askWorkerOnce(worker, { home: dir });
  assert.equal(answer.failed, undefined, `${answer.failed}\n${log}`);
  checkOutcome(answer, 'workerd');
});

/** The base64 SHA-256 of the server certificate's public key, for Chromium's SPKI allow-list. */
function serverSpki() {
  const cert = new crypto.X509Certificate(fs.readFileSync(tls.cert));
  const der = cert.publicKey.export({ type: 'spki', format: 'der' });
  return crypto.createHash('sha256').update(der).digest('base64');
}

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => fs.existsSync(p));

test('headless Chromium: a page that imports the browser build gets a token', async () => {
  assert.ok(CHROMIUM, 'Debian\'s chromium is installed (scripts/setup.sh installs it)');
  // The page and the web build, served on 127.0.0.1 (another origin than the fake Entra).
  const dist = path.join(NPM, 'web', 'dist');
  const page = `<!doctype html><meta charset="utf-8"><script type="module">
import * as azcred from '/dist/browser.mjs';
${program()}
scenario(azcred, ${JSON.stringify(entra.url)}).then((r) => { window.result = r; }, (e) => { window.result = { failed: String(e && e.stack || e) }; });
</script>`;
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    if (url.pathname === '/') {
      res.writeHead(200, { 'Content-Type': 'text/html' });
      return res.end(page);
    }
    const file = path.join(dist, path.basename(url.pathname));
    if (!url.pathname.startsWith('/dist/') || !fs.existsSync(file)) {
      res.writeHead(404);
      return res.end();
    }
    res.writeHead(200, { 'Content-Type': file.endsWith('.wasm') ? 'application/wasm' : 'text/javascript' });
    fs.createReadStream(file).pipe(res);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const { chromium } = require('playwright-core');
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    timeout: RUN_DEADLINE_MS,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', `--ignore-certificate-errors-spki-list=${serverSpki()}`],
  });
  try {
    const tab = await browser.newPage();
    const errors = [];
    tab.on('pageerror', (e) => errors.push(String(e)));
    await tab.goto(`http://127.0.0.1:${server.address().port}/`, { timeout: RUN_DEADLINE_MS });
    await tab.waitForFunction(() => window.result !== undefined, null, { timeout: RUN_DEADLINE_MS });
    const out = await tab.evaluate(() => window.result);
    assert.equal(out.failed, undefined, `${out.failed} ${errors.join(' ')}`);
    checkOutcome(out, 'Chromium');
  } finally {
    await browser.close();
    await new Promise((r) => server.close(r));
  }
});
