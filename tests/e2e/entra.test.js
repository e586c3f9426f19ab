'use strict';
// The Entra ID credentials end to end: the package (backend from AZCRED_BACKEND) against a fake
// Entra token endpoint over HTTPS on 127.0.0.1 that checks what the real one checks (the client
// secret; the client assertion's PS256 signature against the app certificate and its claims; the
// federated token), then the real @azure/storage-blob BlobServiceClient against real Azurite with
// the tokens it mints, and a real CONNECT proxy. Certificates and keys are made at test time.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const net = require('node:net');
const http = require('node:http');
const path = require('node:path');
const crypto = require('node:crypto');
const { execFileSync, spawnSync } = require('node:child_process');

const azcred = require('../../npm');
const { ensureTestCa } = require('../support/tls');
const { startAzurite } = require('../support/azurite');
const { startFakeEndpoint, tokenBody, setAzureEnv, expectedUserAgent } = require('../support/fake-endpoint');
const { tokenMinter, blobRoundTrip, aadError } = require('../support/entra');
const { makeAppCertificate, assertionProblems, b64json, UUID_V4 } = require('../support/app-cert');

const EXPECTED_USER_AGENT = expectedUserAgent();

// Proxy variables of the machine must not route the test's own requests.
const PROXY_VARS = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'ALL_PROXY', 'all_proxy', 'NO_PROXY', 'no_proxy'];
for (const v of PROXY_VARS) delete process.env[v];

const STORAGE = 'https://storage.azure.com/.default';
const TENANT = '7a2c0de0-0000-4000-8000-00000000a2c0';
const OTHER_TENANT = '7a2c0de0-0000-4000-8000-0000000000b2';
const APP_SECRET = { clientId: '7a2c0de0-0000-4000-8000-000000000001', secret: 'sentinel-client-secret-9f3e' };
const APP_CERT = { clientId: '7a2c0de0-0000-4000-8000-000000000002' };
const APP_WORKLOAD = { clientId: '7a2c0de0-0000-4000-8000-000000000003', token: 'eyJhbGciOiJSUzI1NiJ9.k8s-sa-token.sig' };
const APP_CALLBACK = { clientId: '7a2c0de0-0000-4000-8000-000000000004', token: 'eyJhbGciOiJSUzI1NiJ9.callback-assertion.sig' };
const KEY_PASSWORD = 'sentinel-key-password-77';
const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const ENV_FAILED =
  'EnvironmentCredential authentication failed. To troubleshoot, visit https://aka.ms/azsdk/js/identity/environmentcredential/troubleshoot.';

let tls;
let dir;
let entra;
let azurite;
let files;
let mint;
const closers = [];

/** The fake Entra token endpoint. */
function entraHandler(req) {
  const m = /^\/([^/]+)\/oauth2\/v2\.0\/token$/.exec(req.path);
  if (!m) return { status: 404, body: { error: 'not_found' } };
  const tenant = m[1];
  if (req.method !== 'POST') return { status: 405, body: { error: 'method' } };
  if (!String(req.headers['content-type']).startsWith('application/x-www-form-urlencoded')) {
    return aadError(400, 'invalid_request', 900144, 'The request body must be a form.');
  }
  const form = new URLSearchParams(req.body);
  if (form.get('grant_type') !== 'client_credentials') return aadError(400, 'unsupported_grant_type', 70003, 'grant');
  const clientId = form.get('client_id');
  const audience = `${entra.url}/${tenant}/oauth2/v2.0/token`;
  const assertion = form.get('client_assertion');
  if (assertion && form.get('client_assertion_type') !== ASSERTION_TYPE) {
    return aadError(400, 'invalid_request', 50027, 'client_assertion_type');
  }
  switch (clientId) {
    case APP_SECRET.clientId:
      if (form.get('client_secret') !== APP_SECRET.secret) {
        return aadError(401, 'invalid_client', 7000215, 'Invalid client secret provided.');
      }
      break;
    case APP_CERT.clientId: {
      const problems = assertion ? assertionProblems(assertion, audience, APP_CERT, APP_CERT.clientId) : ['no client_assertion'];
      if (problems.length) {
        return aadError(401, 'invalid_client', 700027, `Client assertion failed validation: ${problems.join(', ')}`);
      }
      break;
    }
    case APP_WORKLOAD.clientId:
    case APP_CALLBACK.clientId: {
      const want = clientId === APP_WORKLOAD.clientId ? APP_WORKLOAD.token : APP_CALLBACK.token;
      if (assertion !== want) return aadError(401, 'invalid_client', 700211, 'No matching federated identity record.');
      break;
    }
    default:
      return aadError(400, 'unauthorized_client', 700016, `Application with identifier '${clientId}' was not found.`);
  }
  const scope = form.get('scope') || '';
  const audienceOfToken = scope.replace(/\/\.default$/, '');
  return {
    status: 200,
    body: { token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: mint(audienceOfToken, tenant, clientId) },
  };
}

before(async () => {
  tls = ensureTestCa();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'azcred-entra-'));
  mint = tokenMinter();
  files = makeAppCertificate(dir, KEY_PASSWORD);
  Object.assign(APP_CERT, { publicKey: files.publicKey, x5t: files.x5t, chain: files.chain });
  entra = await startFakeEndpoint({ tls: { key: tls.key, cert: tls.cert } });
  entra.setHandler(entraHandler);
  azurite = await startAzurite({ dir: path.join(dir, 'azurite'), cert: tls.cert, key: tls.key });
}, { timeout: 90000 });

after(async () => {
  await Promise.all([entra && entra.close(), azurite && azurite.stop(), ...closers.map((c) => c())]);
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  if (tls) tls.cleanup();
});

/** Sets exactly the Azure variables the test needs, with the fake Entra as the authority. */
function entraEnv(vars = {}) {
  setAzureEnv({ AZURE_AUTHORITY_HOST: entra.url, ...vars });
}

/** The token requests Entra received since `mark`, decoded. */
function sentSince(mark) {
  return entra.requests.slice(mark).map((r) => ({ ...r, form: Object.fromEntries(new URLSearchParams(r.body)) }));
}

function roundTrip(credential) {
  return blobRoundTrip(azurite.blobUrl, credential);
}

test('ClientSecretCredential: one POST with the secret, a token Azurite accepts', async () => {
  entraEnv();
  const mark = entra.requests.length;
  const cred = new azcred.ClientSecretCredential(TENANT, APP_SECRET.clientId, APP_SECRET.secret);
  await roundTrip(cred);
  const sent = sentSince(mark);
  assert.equal(sent.length, 1, 'one token request for the whole round trip');
  const [r] = sent;
  assert.equal(r.path, `/${TENANT}/oauth2/v2.0/token`);
  assert.match(r.query['client-request-id'], UUID_V4);
  assert.equal(r.headers['x-ms-client-request-id'], r.query['client-request-id']);
  // The id goes in every place MSAL and the pipeline put one, and is asked back in the answer.
  assert.equal(r.headers['client-request-id'], r.query['client-request-id']);
  assert.equal(r.headers['return-client-request-id'], 'true');
  assert.equal(r.headers['user-agent'], EXPECTED_USER_AGENT);
  assert.deepEqual(Object.keys(r.form), [
    'client_id', 'scope', 'grant_type', 'x-ms-lib-capability', 'client-request-id', 'client_secret', 'claims',
  ]);
  assert.equal(r.form.scope, STORAGE);
  // Storage asks for CAE tokens: the client capability claims go with the request.
  assert.deepEqual(JSON.parse(r.form.claims).access_token, { xms_cc: { values: ['cp1'] } });
});

test('ClientSecretCredential: a wrong secret is AuthenticationRequiredError with MSAL\'s message', async () => {
  entraEnv();
  const cred = new azcred.ClientSecretCredential(TENANT, APP_SECRET.clientId, 'wrong-secret');
  await assert.rejects(cred.getToken(STORAGE), (e) => {
    assert.equal(e.name, 'AuthenticationRequiredError');
    assert.ok(e instanceof azcred.AuthenticationRequiredError);
    const id = entra.requests.at(-1).query['client-request-id'];
    assert.match(id, UUID_V4);
    assert.equal(
      e.message,
      `invalid_client: Error(s): 7000215 - Timestamp: 2024-01-01 00:00:00Z - Description: AADSTS7000215: Invalid client secret provided. - Correlation ID: corr-1 - Trace ID: trace-1 - Client request ID: ${id}`,
    );
    assert.deepEqual(e.scopes, [STORAGE]);
    return true;
  });
});

test('WorkloadIdentityCredential: the trimmed token file is the assertion; a blob round trip', async () => {
  const tokenFile = path.join(dir, 'federated-token');
  fs.writeFileSync(tokenFile, `\n  ${APP_WORKLOAD.token}  \n`);
  entraEnv({ AZURE_TENANT_ID: TENANT, AZURE_CLIENT_ID: APP_WORKLOAD.clientId, AZURE_FEDERATED_TOKEN_FILE: tokenFile });
  const mark = entra.requests.length;
  await roundTrip(new azcred.WorkloadIdentityCredential());
  const sent = sentSince(mark);
  assert.equal(sent.length, 1);
  assert.equal(sent[0].form.client_assertion, APP_WORKLOAD.token);
  assert.equal(sent[0].form.client_assertion_type, ASSERTION_TYPE);

  fs.writeFileSync(tokenFile, ' \n\t ');
  await assert.rejects(new azcred.WorkloadIdentityCredential().getToken(STORAGE), (e) => {
    assert.equal(e.name, 'AuthenticationRequiredError');
    assert.equal(e.message, `WorkloadIdentityCredential: is unavailable. No content on the file ${tokenFile}.`);
    return true;
  });
  setAzureEnv({});
  assert.throws(() => new azcred.WorkloadIdentityCredential({ tokenFilePath: tokenFile, clientId: 'c' }), (e) => {
    assert.equal(e.name, 'CredentialUnavailableError');
    assert.match(e.message, /^WorkloadIdentityCredential: is unavailable\. tenantId is a required parameter/);
    return true;
  });
});

test('ClientCertificateCredential: a PS256 assertion Entra verifies, x5c with sendCertificateChain', async () => {
  entraEnv();
  let mark = entra.requests.length;
  const cred = new azcred.ClientCertificateCredential(TENANT, APP_CERT.clientId, files.plain);
  await roundTrip(cred);
  let sent = sentSince(mark);
  assert.equal(sent.length, 1);
  const [h, p] = sent[0].form.client_assertion.split('.');
  const header = b64json(h);
  assert.deepEqual(Object.keys(header), ['alg', 'typ', 'x5t#S256']);
  assert.equal(header['x5t#S256'], APP_CERT.x5t);
  const payload = b64json(p);
  assert.equal(payload.aud, `${entra.url}/${TENANT}/oauth2/v2.0/token`);
  assert.equal(payload.exp - payload.iat, 600);

  mark = entra.requests.length;
  const chained = new azcred.ClientCertificateCredential(TENANT, APP_CERT.clientId, { certificatePath: files.plain }, { sendCertificateChain: true });
  await chained.getToken(STORAGE);
  sent = sentSince(mark);
  assert.deepEqual(b64json(sent[0].form.client_assertion.split('.')[0]).x5c, APP_CERT.chain);
});

test('ClientCertificateCredential: PEM text with an encrypted PKCS#1 key and its password', async () => {
  entraEnv();
  const cred = new azcred.ClientCertificateCredential(TENANT, APP_CERT.clientId, {
    certificate: files.encryptedPkcs1Text,
    certificatePassword: KEY_PASSWORD,
  });
  const t = await cred.getToken(STORAGE);
  assert.equal(b64json(t.token.split('.')[1]).appid, APP_CERT.clientId);
  const noPassword = new azcred.ClientCertificateCredential(TENANT, APP_CERT.clientId, { certificate: files.encryptedPkcs1Text });
  await assert.rejects(noPassword.getToken(STORAGE), (e) => {
    assert.equal(e.name, 'AuthenticationRequiredError');
    assert.match(e.message, /is encrypted; give its password/);
    assert.ok(!e.message.includes('PRIVATE KEY-----'), 'no key material in the message');
    return true;
  });
});

test('EnvironmentCredential: encrypted PEM with AZURE_CLIENT_CERTIFICATE_PASSWORD; a wrong password is AuthenticationError(400)', async () => {
  const base = { AZURE_TENANT_ID: TENANT, AZURE_CLIENT_ID: APP_CERT.clientId, AZURE_CLIENT_CERTIFICATE_PATH: files.encrypted };
  entraEnv({ ...base, AZURE_CLIENT_CERTIFICATE_PASSWORD: KEY_PASSWORD });
  await roundTrip(new azcred.EnvironmentCredential());

  entraEnv({ ...base, AZURE_CLIENT_CERTIFICATE_PASSWORD: 'not-the-password' });
  const mark = entra.requests.length;
  await assert.rejects(new azcred.EnvironmentCredential().getToken(STORAGE), (e) => {
    assert.equal(e.name, 'AuthenticationError');
    assert.equal(e.statusCode, 400);
    assert.equal(e.errorResponse.error, ENV_FAILED);
    assert.match(e.errorResponse.errorDescription, /^ClientCertificateCredential: the private key could not be used to sign the client assertion: /);
    assert.ok(!e.message.includes('not-the-password') && !e.message.includes('PRIVATE KEY'));
    return true;
  });
  assert.equal(entra.requests.length, mark, 'nothing was sent');
});

test('EnvironmentCredential: the secret wins over the certificate; failures stop a chain as AuthenticationError(400)', async () => {
  entraEnv({
    AZURE_TENANT_ID: TENANT,
    AZURE_CLIENT_ID: APP_SECRET.clientId,
    AZURE_CLIENT_SECRET: APP_SECRET.secret,
    AZURE_CLIENT_CERTIFICATE_PATH: files.plain,
    AZURE_USERNAME: 'user@contoso.com',
    AZURE_PASSWORD: 'pw',
  });
  const mark = entra.requests.length;
  await new azcred.EnvironmentCredential().getToken(STORAGE);
  const sent = sentSince(mark);
  assert.equal(sent[0].form.client_secret, APP_SECRET.secret);
  assert.equal(sent[0].form.client_assertion, undefined);

  entraEnv({ AZURE_TENANT_ID: TENANT, AZURE_CLIENT_ID: APP_SECRET.clientId, AZURE_CLIENT_SECRET: 'wrong' });
  const env = new azcred.EnvironmentCredential();
  const next = { getToken: async () => ({ token: 'from-next', expiresOnTimestamp: Date.now() + 3600_000 }) };
  await assert.rejects(new azcred.ChainedTokenCredential(env, next).getToken(STORAGE), (e) => {
    assert.equal(e.name, 'AuthenticationError');
    assert.ok(e instanceof azcred.AuthenticationError);
    assert.equal(e.statusCode, 400);
    assert.equal(e.errorResponse.error, ENV_FAILED);
    assert.match(
      e.message,
      /^EnvironmentCredential authentication failed\. To troubleshoot, visit https:\/\/aka\.ms\/azsdk\/js\/identity\/environmentcredential\/troubleshoot\. Status code: 400\nMore details:\ninvalid_client: Error\(s\): 7000215 - /,
    );
    return true;
  });

  setAzureEnv({});
  await assert.rejects(new azcred.EnvironmentCredential().getToken(STORAGE), (e) => {
    assert.equal(e.name, 'CredentialUnavailableError');
    assert.equal(
      e.message,
      'EnvironmentCredential is unavailable. No underlying credential could be used. To troubleshoot, visit https://aka.ms/azsdk/js/identity/environmentcredential/troubleshoot.',
    );
    return true;
  });
});

test('ClientAssertionCredential: the callback is called once per token request', async () => {
  entraEnv();
  const calls = [];
  const cred = new azcred.ClientAssertionCredential(TENANT, APP_CALLBACK.clientId, async (o) => {
    calls.push(o);
    return APP_CALLBACK.token;
  });
  const mark = entra.requests.length;
  const a = await cred.getToken(STORAGE);
  const b = await cred.getToken(STORAGE);
  assert.equal(a.token, b.token);
  assert.deepEqual(calls, [{ clientId: APP_CALLBACK.clientId, tokenEndpoint: `${entra.url}/${TENANT}/oauth2/v2.0/token` }]);
  assert.equal(sentSince(mark).length, 1);

  const failing = new azcred.ClientAssertionCredential(TENANT, APP_CALLBACK.clientId, async () => {
    throw new Error('the signing service is down');
  });
  await assert.rejects(failing.getToken(STORAGE), (e) => {
    assert.equal(e.name, 'AuthenticationRequiredError');
    assert.equal(e.message, 'ClientAssertionCredential: the getAssertion callback failed: the signing service is down');
    return true;
  });
  assert.throws(() => new azcred.ClientAssertionCredential(TENANT, APP_CALLBACK.clientId), (e) => e.name === 'CredentialUnavailableError');
});

test('multi-tenant: an allowed tenant gets its own authority, others are CredentialUnavailableError', async () => {
  entraEnv();
  const cred = new azcred.ClientSecretCredential(TENANT, APP_SECRET.clientId, APP_SECRET.secret, {
    additionallyAllowedTenants: [OTHER_TENANT],
  });
  const mark = entra.requests.length;
  const t = await cred.getToken(STORAGE, { tenantId: OTHER_TENANT });
  assert.equal(b64json(t.token.split('.')[1]).tid, OTHER_TENANT);
  assert.equal(sentSince(mark)[0].path, `/${OTHER_TENANT}/oauth2/v2.0/token`);
  await assert.rejects(cred.getToken(STORAGE, { tenantId: 'aaaaaaaa-0000-4000-8000-000000000000' }), (e) => {
    assert.equal(e.name, 'CredentialUnavailableError');
    assert.match(e.message, /^The current credential is not configured to acquire tokens for tenant aaaaaaaa-/);
    return true;
  });
  await assert.rejects(cred.getToken(STORAGE, { tenantId: '../evil' }), (e) => {
    assert.equal(e.name, 'Error');
    assert.match(e.message, /^Invalid tenant id provided\./);
    return true;
  });
  assert.equal(sentSince(mark).length, 1, 'nothing sent for refused tenants');
});

test('claims challenge with CAE: merged claims, and a new token', async () => {
  entraEnv();
  const cred = new azcred.ClientSecretCredential(TENANT, APP_SECRET.clientId, APP_SECRET.secret);
  const mark = entra.requests.length;
  const first = await cred.getToken(STORAGE, { enableCae: true });
  const challenge = '{"access_token":{"nbf":{"essential":true,"value":"1700000000"}}}';
  const second = await cred.getToken(STORAGE, { enableCae: true, claims: challenge });
  const plain = await cred.getToken(STORAGE);
  assert.notEqual(first.token, second.token);
  const sent = sentSince(mark);
  assert.equal(sent.length, 3, 'CAE, claims and plain tokens are cached apart');
  assert.deepEqual(JSON.parse(sent[1].form.claims).access_token, {
    nbf: { essential: true, value: '1700000000' },
    xms_cc: { values: ['cp1'] },
  });
  assert.equal(sent[2].form.claims, undefined);
});

test('an http authority host is a constructor error', () => {
  setAzureEnv({});
  assert.throws(
    () => new azcred.ClientSecretCredential(TENANT, APP_SECRET.clientId, 's', { authorityHost: 'http://127.0.0.1:1' }),
    (e) => e.name === 'Error' && e.message === "The authorityHost address must use the 'https' protocol.",
  );
});

/** A CONNECT proxy on 127.0.0.1 (tunnels to 127.0.0.1 only). */
async function startConnectProxy() {
  const seen = [];
  const sockets = new Set();
  const server = http.createServer((req, res) => {
    res.writeHead(405);
    res.end();
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('connect', (req, client, head) => {
    seen.push({ target: req.url, auth: req.headers['proxy-authorization'] });
    const [host, port] = req.url.split(':');
    if (host !== '127.0.0.1') {
      client.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    const upstream = net.connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head && head.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const close = () => {
    for (const s of sockets) s.destroy();
    return new Promise((resolve) => server.close(() => resolve()));
  };
  closers.push(close);
  return { url: `http://127.0.0.1:${server.address().port}`, port: server.address().port, seen };
}

/** Builds `make()` with extra process variables set, then restores them (the credential keeps its
 * snapshot). */
function withVars(vars, make) {
  const saved = {};
  for (const k of Object.keys(vars)) {
    saved[k] = process.env[k];
    process.env[k] = vars[k];
  }
  try {
    return make();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

test('a CONNECT proxy carries Entra requests; NO_PROXY and managed identity bypass it', async () => {
  const proxy = await startConnectProxy();
  const proxyUrl = `http://azcred:proxy-pw@127.0.0.1:${proxy.port}`;
  entraEnv();
  const mark = entra.requests.length;
  const viaProxy = withVars({ HTTPS_PROXY: proxyUrl }, () =>
    new azcred.ClientSecretCredential(TENANT, APP_SECRET.clientId, APP_SECRET.secret));
  const t = await viaProxy.getToken(STORAGE);
  assert.ok(t.token);
  assert.equal(entra.requests.length, mark + 1);
  assert.deepEqual(proxy.seen, [
    { target: `127.0.0.1:${entra.port}`, auth: `Basic ${Buffer.from('azcred:proxy-pw').toString('base64')}` },
  ]);

  const bypass = withVars({ https_proxy: proxyUrl, NO_PROXY: `localhost,127.0.0.1:${entra.port}` }, () =>
    new azcred.ClientSecretCredential(TENANT, APP_SECRET.clientId, APP_SECRET.secret));
  await bypass.getToken(STORAGE);
  assert.equal(proxy.seen.length, 1, 'NO_PROXY host:port goes direct');

  const mi = await startFakeEndpoint();
  closers.push(() => mi.close());
  mi.setHandler(() => ({ status: 200, body: tokenBody('mi-token') }));
  setAzureEnv({ IDENTITY_ENDPOINT: `${mi.url}/msi/token`, IDENTITY_HEADER: 'h' });
  const managed = withVars({ HTTPS_PROXY: proxyUrl, HTTP_PROXY: proxyUrl, ALL_PROXY: proxyUrl }, () => new azcred.ManagedIdentityCredential());
  assert.equal((await managed.getToken(STORAGE)).token, 'mi-token');
  assert.equal(proxy.seen.length, 1, 'managed identity is never proxied');
});

test('proxyOptions is an explicit proxy for Entra requests; a bad one is refused without its password', async () => {
  const proxy = await startConnectProxy();
  entraEnv();
  const mark = entra.requests.length;
  const cred = new azcred.ClientSecretCredential(TENANT, APP_SECRET.clientId, APP_SECRET.secret, {
    proxyOptions: { host: 'http://127.0.0.1', port: proxy.port, username: 'azcred', password: 'proxy-pw' },
  });
  assert.ok((await cred.getToken(STORAGE)).token);
  assert.equal(entra.requests.length, mark + 1);
  assert.deepEqual(proxy.seen, [
    { target: `127.0.0.1:${entra.port}`, auth: `Basic ${Buffer.from('azcred:proxy-pw').toString('base64')}` },
  ]);
  assert.throws(
    () =>
      new azcred.ClientSecretCredential(TENANT, APP_SECRET.clientId, APP_SECRET.secret, {
        proxyOptions: { host: '127.0.0.1', port: proxy.port, password: 'sentinel-proxy-pw' },
      }),
    (e) => /^proxyOptions\.host has no scheme/.test(e.message) && !e.message.includes('sentinel-proxy-pw'),
  );
});

test("httpClient: every request goes through the app's core-rest-pipeline HttpClient, with azcred's headers", async () => {
  const { createDefaultHttpClient } = require('@azure/core-rest-pipeline');
  const inner = createDefaultHttpClient();
  const seen = [];
  const httpClient = {
    sendRequest(request) {
      seen.push({ url: request.url, method: request.method, id: request.headers.get('x-ms-client-request-id') });
      return inner.sendRequest(request);
    },
  };
  entraEnv();
  const mark = entra.requests.length;
  const cred = new azcred.ClientSecretCredential(TENANT, APP_SECRET.clientId, APP_SECRET.secret, {
    httpClient,
    userAgentOptions: { userAgentPrefix: 'my-app/2.0' },
  });
  assert.ok((await cred.getToken(STORAGE)).token);
  const [r] = sentSince(mark);
  assert.equal(seen.length, 1);
  assert.equal(seen[0].method, 'POST');
  assert.ok(seen[0].url.startsWith(`${entra.url}/${TENANT}/oauth2/v2.0/token?client-request-id=`), seen[0].url);
  assert.equal(seen[0].id, r.headers['x-ms-client-request-id']);
  assert.equal(r.headers['user-agent'], expectedUserAgent('my-app/2.0'));
  assert.equal(r.form.client_secret, APP_SECRET.secret);

  // Managed identity through the same client.
  const mi = await startFakeEndpoint();
  closers.push(() => mi.close());
  mi.setHandler(() => ({ status: 200, body: tokenBody('mi-via-client') }));
  setAzureEnv({ IDENTITY_ENDPOINT: `${mi.url}/msi/token`, IDENTITY_HEADER: 'h' });
  const managed = new azcred.ManagedIdentityCredential({ httpClient });
  assert.equal((await managed.getToken(STORAGE)).token, 'mi-via-client');
  assert.equal(seen.length, 2);
  assert.equal(mi.requests.length, 1);

  // A client that fails is a failed request, retried as any other.
  let calls = 0;
  const failing = {
    async sendRequest() {
      calls += 1;
      throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    },
  };
  const broken = new azcred.ManagedIdentityCredential({ httpClient: failing, retryOptions: { maxRetries: 1, retryDelayInMs: 10 } });
  // (Another scope: managed-identity tokens are shared by every credential of the process.)
  await assert.rejects(broken.getToken('https://vault.azure.net/.default'), (e) => e.name === 'CredentialUnavailableError' || e.name === 'AuthenticationError');
  assert.ok(calls >= 1);
  assert.equal(mi.requests.length, 1, 'nothing was sent around the client');
  assert.throws(() => new azcred.ManagedIdentityCredential({ httpClient: {} }), /httpClient must be an object with a sendRequest/);
});

test('tlsOptions: the client certificate is presented to an Entra endpoint that asks for one', async () => {
  const certDir = fs.mkdtempSync(path.join(dir, 'client-cert-'));
  const key = path.join(certDir, 'client-key.pem');
  const cert = path.join(certDir, 'client-cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
    '-keyout', key, '-out', cert, '-subj', '/CN=azcred-test-client', '-days', '1'], { stdio: 'ignore' });
  const https = require('node:https');
  const server = https.createServer(
    { key: fs.readFileSync(tls.key), cert: fs.readFileSync(tls.cert), ca: fs.readFileSync(cert), requestCert: true, rejectUnauthorized: true },
    (req, res) => {
      req.resume();
      req.on('end', () => {
        const cn = req.socket.getPeerCertificate().subject.CN;
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ token_type: 'Bearer', expires_in: 3599, access_token: `mtls-${cn}` }));
      });
    },
  );
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise((resolve) => server.close(() => resolve())));
  setAzureEnv({ AZURE_AUTHORITY_HOST: `https://127.0.0.1:${server.address().port}` });
  const withCert = new azcred.ClientSecretCredential(TENANT, APP_SECRET.clientId, APP_SECRET.secret, {
    tlsOptions: { cert: fs.readFileSync(cert, 'utf8'), key: fs.readFileSync(key, 'utf8') },
  });
  assert.equal((await withCert.getToken(STORAGE)).token, 'mtls-azcred-test-client');
  const without = new azcred.ClientSecretCredential(TENANT, APP_SECRET.clientId, APP_SECRET.secret, {
    retryOptions: { maxRetries: 0 },
  });
  await assert.rejects(without.getToken(STORAGE));
});

test('tlsOptions.ca trusts an endpoint certificate no other CA vouches for; agent carries every request', async () => {
  const certDir = fs.mkdtempSync(path.join(dir, 'self-signed-'));
  const key = path.join(certDir, 'key.pem');
  const cert = path.join(certDir, 'cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
    '-keyout', key, '-out', cert, '-subj', '/CN=self-signed', '-days', '1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  const own = await startFakeEndpoint({ tls: { key, cert } });
  closers.push(() => own.close());
  own.setHandler(entraHandler);
  setAzureEnv({ AZURE_AUTHORITY_HOST: own.url });
  const make = (options) => new azcred.ClientSecretCredential(TENANT, APP_SECRET.clientId, APP_SECRET.secret, { retryOptions: { maxRetries: 0 }, ...options });
  await assert.rejects(make().getToken(STORAGE), 'the process does not trust it');
  assert.ok((await make({ tlsOptions: { ca: fs.readFileSync(cert, 'utf8') } }).getToken(STORAGE)).token);

  // An app's agent carries the requests, here with the CA it was built with.
  const https = require('node:https');
  let connections = 0;
  class CountingAgent extends https.Agent {
    createConnection(...args) {
      connections += 1;
      return super.createConnection(...args);
    }
  }
  const agent = new CountingAgent({ ca: fs.readFileSync(cert, 'utf8') });
  assert.ok((await make({ agent }).getToken(STORAGE)).token);
  assert.equal(connections, 1);
  agent.destroy();
});

test('without https-proxy-agent installed, a proxied request fails with the install hint', async () => {
  const proxy = await startConnectProxy();
  const appDir = fs.mkdtempSync(path.join(os.tmpdir(), 'azcred-noproxyagent-'));
  try {
    const script = path.join(appDir, 'app.js');
    fs.writeFileSync(
      script,
      `const azcred = require(${JSON.stringify(path.resolve(__dirname, '../../npm'))});
       const cred = new azcred.ClientSecretCredential(${JSON.stringify(TENANT)}, ${JSON.stringify(APP_SECRET.clientId)}, 'x');
       cred.getToken(${JSON.stringify(STORAGE)}).then(
         () => console.log(JSON.stringify({ ok: true })),
         (e) => console.log(JSON.stringify({ name: e.name, message: e.message })));`,
    );
    const env = { ...process.env, AZURE_AUTHORITY_HOST: entra.url, HTTPS_PROXY: proxy.url };
    delete env.NODE_PATH;
    const r = spawnSync(process.execPath, [script], { cwd: appDir, env, encoding: 'utf8', timeout: 60000 });
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout.trim().split('\n').pop());
    assert.equal(out.name, 'AuthenticationRequiredError');
    assert.match(out.message, /'https-proxy-agent' package is not installed: run npm install https-proxy-agent/);
    assert.equal(proxy.seen.length, 0);
  } finally {
    fs.rmSync(appDir, { recursive: true, force: true });
  }
});

test('DefaultAzureCredential: workload identity (AKS) supplies the token; a blob round trip; sticky', async () => {
  const tokenFile = path.join(dir, 'federated-token-dac');
  fs.writeFileSync(tokenFile, APP_WORKLOAD.token);
  entraEnv({ AZURE_TENANT_ID: TENANT, AZURE_CLIENT_ID: APP_WORKLOAD.clientId, AZURE_FEDERATED_TOKEN_FILE: tokenFile });
  const mark = entra.requests.length;
  const dac = new azcred.DefaultAzureCredential();
  await roundTrip(dac);
  assert.equal(sentSince(mark).length, 1);
  const chosen = dac.explain().filter((m) => m.selected).map((m) => m.name);
  assert.deepEqual(chosen, ['WorkloadIdentityCredential']);
  // The token-exchange path of managed identity reaches the same endpoint with the same file.
  const mi = new azcred.ManagedIdentityCredential();
  const t = await mi.getToken(STORAGE);
  assert.equal(t.token.split('.').length, 3);
  assert.equal(sentSince(mark).length, 2);
  assert.equal(sentSince(mark)[1].form.client_assertion, APP_WORKLOAD.token);
});

test('DefaultAzureCredential: a service principal in the environment comes first', async () => {
  entraEnv({ AZURE_TENANT_ID: TENANT, AZURE_CLIENT_ID: APP_SECRET.clientId, AZURE_CLIENT_SECRET: APP_SECRET.secret });
  const dac = new azcred.DefaultAzureCredential();
  await roundTrip(dac);
  assert.deepEqual(dac.explain().filter((m) => m.selected).map((m) => m.name), ['EnvironmentCredential']);
});

test('AZURE_TOKEN_CREDENTIALS: dev skips the deployed credentials; an invalid value throws', async () => {
  entraEnv({
    AZURE_TENANT_ID: TENANT,
    AZURE_CLIENT_ID: APP_SECRET.clientId,
    AZURE_CLIENT_SECRET: APP_SECRET.secret,
    AZURE_TOKEN_CREDENTIALS: ' Dev ',
  });
  const saved = process.env.PATH;
  process.env.PATH = path.join(dir, 'no-tools');
  const mark = entra.requests.length;
  try {
    await assert.rejects(new azcred.DefaultAzureCredential().getToken(STORAGE), (e) => {
      assert.equal(e.name, 'AggregateAuthenticationError');
      assert.deepEqual(
        e.errors.map((x) => x.message.split(' ')[0]),
        ['Visual', 'Azure', 'Error:', 'Azure'],
      );
      return true;
    });
  } finally {
    process.env.PATH = saved;
  }
  assert.equal(sentSince(mark).length, 0, 'the service principal was not used');
  process.env.AZURE_TOKEN_CREDENTIALS = 'Broker';
  assert.throws(() => new azcred.DefaultAzureCredential(), {
    name: 'Error',
    message:
      "Invalid value for AZURE_TOKEN_CREDENTIALS = Broker. Valid values are 'prod' or 'dev' or any of these credentials - EnvironmentCredential, WorkloadIdentityCredential, ManagedIdentityCredential, VisualStudioCodeCredential, AzureCliCredential, AzurePowerShellCredential, AzureDeveloperCliCredential.",
  });
  delete process.env.AZURE_TOKEN_CREDENTIALS;
  await assert.rejects(new azcred.VisualStudioCodeCredential().getToken(STORAGE), {
    name: 'CredentialUnavailableError',
    message:
      'Visual Studio Code Authentication is not available. Ensure you have have Azure Resources Extension installed in VS Code, signed into Azure via VS Code, installed the @azure/identity-vscode package, and properly configured the extension.',
  });
});
