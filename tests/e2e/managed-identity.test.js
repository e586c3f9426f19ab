'use strict';
// The azcred package's managed identity, end to end: the package (with the backend chosen by
// AZCRED_BACKEND) against strict fake endpoints and the emulator on 127.0.0.1.

const { test, after } = require('node:test');
const assert = require('node:assert/strict');

const azcred = require('../../npm');
const { startEmulator } = require('../../npm/lib/emulator');
const { startFakeEndpoint, tokenBody, setAzureEnv, expectedUserAgent } = require('../support/fake-endpoint');

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const STORAGE = 'https://storage.azure.com/.default';
const SECRET = 'sentinel-identity-header-5d1f0c';
const fast = { retryOptions: { retryDelayInMs: 20 } };

const servers = [];
async function fake(handler, options) {
  const s = await startFakeEndpoint(options);
  if (handler) s.setHandler(handler);
  servers.push(s);
  return s;
}
after(() => Promise.all(servers.map((s) => s.close())));

/** Runs `fn` with a PATH where no developer tool exists. */
async function withoutTools(fn) {
  const saved = process.env.PATH;
  process.env.PATH = require('node:path').join(__dirname, 'no-such-dir');
  try {
    return await fn();
  } finally {
    process.env.PATH = saved;
  }
}

function appService(server, path = '/msi/token') {
  setAzureEnv({ IDENTITY_ENDPOINT: `${server.url}${path}`, IDENTITY_HEADER: SECRET });
}

/** A strict App Service endpoint: checks method, api-version, header and parameters. */
function strictAppService(respond) {
  return (req, n) => {
    const problems = [];
    if (req.method !== 'GET') problems.push(`method ${req.method}`);
    if (req.query['api-version'] !== '2019-08-01') problems.push('api-version');
    if (req.headers['x-identity-header'] !== SECRET) problems.push('X-IDENTITY-HEADER');
    if (!req.query.resource) problems.push('resource');
    const allowed = new Set(['api-version', 'resource', 'client_id', 'object_id', 'mi_res_id']);
    for (const k of Object.keys(req.query)) if (!allowed.has(k)) problems.push(`unexpected ${k}`);
    if (problems.length) return { status: 400, body: { error: 'bad_request', error_description: problems.join(', ') } };
    return respond(req, n);
  };
}

test('the backend is the one asked for', () => {
  const want = process.env.AZCRED_BACKEND;
  assert.ok(['native', 'wasm'].includes(azcred.backend));
  if (want) assert.equal(azcred.backend, want);
  assert.equal(azcred.getBackend(), azcred.backend);
});

test('App Service, system-assigned: exact request, token shape, resource mapping', async () => {
  const s = await fake(strictAppService(() => ({ status: 200, body: tokenBody('tok-app') })));
  appService(s);
  const before = Date.now();
  const t = await new azcred.ManagedIdentityCredential().getToken(STORAGE);
  assert.equal(t.token, 'tok-app');
  assert.equal(t.tokenType, 'Bearer');
  assert.ok(t.expiresOnTimestamp > before + 3500_000 && t.expiresOnTimestamp % 1000 === 0);
  assert.equal(t.refreshAfterTimestamp, undefined);
  assert.equal(s.requests.length, 1);
  const r = s.requests[0];
  assert.equal(r.rawQuery, '?api-version=2019-08-01&resource=https%3A%2F%2Fstorage.azure.com');
  // What every request carries, so Microsoft support can trace it.
  assert.equal(r.headers['user-agent'], expectedUserAgent());
  assert.match(r.headers['x-ms-client-request-id'], UUID_V4);
});

test('App Service, user-assigned: client id, object id, resource id (mi_res_id)', async () => {
  const s = await fake(strictAppService(() => ({ status: 200, body: tokenBody('tok-ua') })));
  appService(s);
  await new azcred.ManagedIdentityCredential('client-1').getToken(STORAGE);
  await new azcred.ManagedIdentityCredential({ objectId: 'object-1' }).getToken(STORAGE);
  await new azcred.ManagedIdentityCredential({ resourceId: '/subscriptions/x/rg/y' }).getToken(STORAGE);
  assert.deepEqual(
    s.requests.map((r) => [r.query.client_id, r.query.object_id, r.query.mi_res_id]),
    [
      ['client-1', undefined, undefined],
      [undefined, 'object-1', undefined],
      [undefined, undefined, '/subscriptions/x/rg/y'],
    ],
  );
  const ids = s.requests.map((r) => r.headers['x-ms-client-request-id']);
  assert.equal(new Set(ids).size, 3, `a fresh client request id per request: ${ids}`);
  assert.throws(
    () => new azcred.ManagedIdentityCredential({ clientId: 'a', objectId: 'b' }),
    (e) => e.name === 'Error' && /only one of 'clientId', 'resourceId', or 'objectId'/.test(e.message),
  );
});

test('DefaultAzureCredential uses AZURE_CLIENT_ID as the user-assigned client id', async () => {
  const s = await fake(strictAppService(() => ({ status: 200, body: tokenBody('tok-dac') })));
  appService(s);
  process.env.AZURE_CLIENT_ID = 'env-client';
  const t = await new azcred.DefaultAzureCredential().getToken([STORAGE]);
  assert.equal(t.token, 'tok-dac');
  assert.equal(s.requests[0].query.client_id, 'env-client');
  await new azcred.DefaultAzureCredential({ managedIdentityResourceId: 'rid' }).getToken([STORAGE]);
  assert.equal(s.requests[1].query.mi_res_id, 'rid');
  assert.equal(s.requests[1].query.client_id, undefined);
});

test('IMDS through the emulator: DefaultAzureCredential probes once, then asks for the token', async () => {
  const emu = await startEmulator();
  servers.push(emu);
  setAzureEnv(emu.imdsEnv);
  const dac = new azcred.DefaultAzureCredential();
  const t = await dac.getToken(STORAGE);
  assert.equal(t.token.split('.').length, 3);
  assert.ok(t.refreshAfterTimestamp > Date.now(), '24 h tokens refresh at half-life');
  const [probe, tokenReq] = emu.requests;
  assert.equal(emu.requests.length, 2);
  assert.equal(probe.url, '/metadata/identity/oauth2/token');
  assert.equal(probe.headers.metadata, undefined);
  assert.match(tokenReq.url, /^\/metadata\/identity\/oauth2\/token\?api-version=2018-02-01&resource=/);
  assert.equal(tokenReq.headers.metadata, 'true');
  // Sticky and cached: another scope goes straight to managed identity, with no new probe.
  await dac.getToken('https://vault.azure.net/.default');
  assert.equal(emu.requests.length, 3);
  assert.match(emu.requests[2].url, /resource=https%3A%2F%2Fvault.azure.net/);
  const report = dac.explain();
  assert.equal(report.find((m) => m.selected).name, 'ManagedIdentityCredential');
});

test('IMDS user-assigned ids use client_id, object_id and msi_res_id', async () => {
  const s = await fake((req) =>
    req.headers.metadata === 'true' && req.query['api-version'] === '2018-02-01'
      ? { status: 200, body: tokenBody('tok-imds') }
      : { status: 400, body: { error: 'invalid_request', error_description: 'Required metadata header not specified' } },
  );
  setAzureEnv({ AZCRED_IMDS_ENDPOINT: s.url });
  await new azcred.ManagedIdentityCredential({ clientId: 'c' }).getToken(STORAGE);
  await new azcred.ManagedIdentityCredential({ objectId: 'o' }).getToken(STORAGE);
  await new azcred.ManagedIdentityCredential({ resourceId: 'r' }).getToken(STORAGE);
  assert.deepEqual(
    s.requests.map((r) => r.rawQuery.split('&').slice(2).join('&')),
    ['client_id=c', 'object_id=o', 'msi_res_id=r'],
  );
});

test('the probe: an endpoint that never answers makes managed identity unavailable within its deadline', async () => {
  const s = await fake(() => null);
  setAzureEnv({ AZCRED_IMDS_ENDPOINT: s.url });
  const start = Date.now();
  await withoutTools(async () => {
    await assert.rejects(new azcred.DefaultAzureCredential().getToken(STORAGE, { requestOptions: { timeout: 300 } }), (e) => {
      assert.equal(e.name, 'AggregateAuthenticationError');
      assert.ok(e instanceof azcred.AggregateAuthenticationError);
      assert.ok(e.errors.every((x) => x instanceof azcred.CredentialUnavailableError));
      assert.ok(
        e.message.split('\n').includes(
          'CredentialUnavailableError: ManagedIdentityCredential: Authentication failed. Message Attempted to use the IMDS endpoint, but it is not available.',
        ),
        e.message,
      );
      return true;
    });
  });
  assert.ok(Date.now() - start < 3000, 'gave up at the probe deadline');
  assert.equal(s.requests.length, 1);
});

test('nothing configured: the aggregate error has the reference\'s lines, in order, plus the skipped member', async () => {
  setAzureEnv({ AZCRED_IMDS_ENDPOINT: 'http://127.0.0.1:9' });
  const reference = [
    'ChainedTokenCredential authentication failed.',
    'CredentialUnavailableError: EnvironmentCredential is unavailable. No underlying credential could be used. To troubleshoot, visit https://aka.ms/azsdk/js/identity/environmentcredential/troubleshoot.',
    'CredentialUnavailableError: ManagedIdentityCredential: Authentication failed. Message Attempted to use the IMDS endpoint, but it is not available.',
    'CredentialUnavailableError: Visual Studio Code Authentication is not available. Ensure you have have Azure Resources Extension installed in VS Code, signed into Azure via VS Code, installed the @azure/identity-vscode package, and properly configured the extension.',
    "CredentialUnavailableError: Azure CLI could not be found. Please visit https://aka.ms/azure-cli for installation instructions and then, once installed, authenticate to your Azure account using 'az login'.",
    'CredentialUnavailableError: Error: Unable to execute PowerShell. Ensure that it is installed in your system. To troubleshoot, visit https://aka.ms/azsdk/js/identity/powershellcredential/troubleshoot.',
    "CredentialUnavailableError: Azure Developer CLI couldn't be found. To mitigate this issue, see the troubleshooting guidelines at https://aka.ms/azsdk/js/identity/azdevclicredential/troubleshoot.",
  ];
  await withoutTools(async () => {
    await assert.rejects(new azcred.DefaultAzureCredential().getToken(STORAGE), (e) => {
      const lines = e.message.split('\n');
      let at = 0;
      for (const want of reference) {
        const found = lines.indexOf(want, at);
        assert.ok(found >= at, `missing or out of order: ${want}\n---\n${e.message}`);
        at = found + 1;
      }
      assert.ok(/WorkloadIdentityCredential is not used: WorkloadIdentityCredential: is unavailable/.test(e.message), e.message);
      assert.equal(e.errors.length, 7, 'every member of the chain, in order');
      return true;
    });
  });
});

test('the probe: a refused connection is unavailable at once; a 403 "unreachable" too', async () => {
  const s = await fake(() => ({ status: 403, body: 'A socket operation was attempted to an unreachable network.' }));
  setAzureEnv({ AZCRED_IMDS_ENDPOINT: s.url });
  await withoutTools(() =>
    assert.rejects(new azcred.DefaultAzureCredential().getToken(STORAGE), /IMDS endpoint, but it is not available/),
  );
  assert.equal(s.requests.length, 1);
  setAzureEnv({ AZCRED_IMDS_ENDPOINT: 'http://127.0.0.1:9' });
  const start = Date.now();
  await withoutTools(() =>
    assert.rejects(new azcred.DefaultAzureCredential().getToken(STORAGE), { name: 'AggregateAuthenticationError' }),
  );
  assert.ok(Date.now() - start < 2000);
});

test('retries: 404, 410, 429 with Retry-After and 500 are retried, then the token is served', async () => {
  const script = [
    { status: 404, body: '{}' },
    { status: 500, body: '{}' },
    { status: 429, headers: { 'Retry-After': '1' }, body: '{}' },
    { status: 410, body: '{}' },
  ];
  const s = await fake(strictAppService((req, n) => script[n - 1] || { status: 200, body: tokenBody('tok-retried') }));
  appService(s);
  const cred = new azcred.ManagedIdentityCredential({ retryOptions: { maxRetries: 5, retryDelayInMs: 20 } });
  const t = await cred.getToken(STORAGE);
  assert.equal(t.token, 'tok-retried');
  assert.equal(s.requests.length, 5);
  const gap = (i) => s.requests[i].time - s.requests[i - 1].time;
  assert.ok(gap(3) >= 950, `Retry-After: 1 honoured (${gap(3)} ms)`);
  assert.ok(gap(4) >= 1400, `410 waits at least half of 3 s (${gap(4)} ms)`);
});

test('retries stop after maxRetries; a 400 is not retried', async () => {
  const s = await fake(strictAppService(() => ({ status: 503, body: { error: 'busy', error_description: 'try later' } })));
  appService(s);
  await assert.rejects(new azcred.ManagedIdentityCredential(fast).getToken(STORAGE), (e) => {
    assert.equal(e.name, 'CredentialUnavailableError');
    assert.match(e.message, /^ManagedIdentityCredential: Authentication failed\. Message busy: try later \(HTTP 503\)/);
    return true;
  });
  assert.equal(s.requests.length, 4, 'standalone: 1 attempt + 3 retries');
  const s2 = await fake(strictAppService(() => ({ status: 400, body: { error: 'invalid_request', error_description: 'Identity not found' } })));
  appService(s2);
  await assert.rejects(new azcred.ManagedIdentityCredential('nope', fast).getToken(STORAGE), /Identity not found/);
  assert.equal(s2.requests.length, 1);
});

test('100 concurrent getToken calls on a cold credential make exactly one token request', async () => {
  const s = await fake(strictAppService(async () => {
    await new Promise((r) => setTimeout(r, 50));
    return { status: 200, body: tokenBody('tok-shared') };
  }));
  appService(s);
  const cred = new azcred.DefaultAzureCredential();
  const tokens = await Promise.all(Array.from({ length: 100 }, () => cred.getToken(STORAGE)));
  assert.equal(s.requests.length, 1);
  assert.ok(tokens.every((t) => t.token === 'tok-shared'));
  // And the cache serves the next ones.
  await cred.getToken(STORAGE);
  await cred.getToken([STORAGE], { enableCae: false });
  assert.equal(s.requests.length, 1);
});

test('refresh: after refresh_in the cached token is served at once while a new one is fetched', async () => {
  let n = 0;
  const s = await fake(strictAppService(() => {
    n += 1;
    return { status: 200, body: tokenBody(`tok-${n}`, 3600, { refresh_in: 1 }) };
  }));
  appService(s);
  const cred = new azcred.ManagedIdentityCredential();
  assert.equal((await cred.getToken(STORAGE)).token, 'tok-1');
  await new Promise((r) => setTimeout(r, 1100));
  assert.equal((await cred.getToken(STORAGE)).token, 'tok-1', 'the valid token is served during the refresh');
  for (let i = 0; i < 50 && s.requests.length < 2; i++) await new Promise((r) => setTimeout(r, 20));
  assert.equal(s.requests.length, 2);
  await new Promise((r) => setTimeout(r, 20));
  assert.equal((await cred.getToken(STORAGE)).token, 'tok-2');
});

test('malformed and hostile responses give a clear CredentialUnavailableError and never the secret', async () => {
  const bodies = [
    '{"access_token":',
    '{"expires_on":"1"}',
    '{"access_token":"t"}',
    '{"access_token":"t","expires_on":"yesterday"}',
    '{"access_token":"t","expires_on":"1000"}',
    'x'.repeat(2 * 1024 * 1024),
  ];
  for (const body of bodies) {
    const s = await fake(() => ({ status: 200, body }));
    appService(s);
    await assert.rejects(new azcred.ManagedIdentityCredential(fast).getToken(STORAGE), (e) => {
      assert.equal(e.name, 'CredentialUnavailableError', body.slice(0, 40));
      assert.match(e.message, /^ManagedIdentityCredential: /);
      assert.ok(!e.message.includes(SECRET));
      return true;
    });
  }
  // An error body that echoes the request's secret header.
  const echo = await fake((req) => ({ status: 401, body: { error: 'bad', error_description: `header was ${req.headers['x-identity-header']}` } }));
  appService(echo);
  await assert.rejects(new azcred.ManagedIdentityCredential(fast).getToken(STORAGE), (e) => {
    assert.ok(!e.message.includes(SECRET), e.message);
    assert.ok(!JSON.stringify(e).includes(SECRET));
    return true;
  });
});

test('multiple scopes are rejected as the reference does', async () => {
  const s = await fake(() => ({ status: 200, body: tokenBody('t') }));
  appService(s);
  await assert.rejects(new azcred.ManagedIdentityCredential().getToken(['a/.default', 'b/.default']), {
    name: 'CredentialUnavailableError',
    message: 'ManagedIdentityCredential: Multiple scopes are not supported. Scopes: ["a/.default","b/.default"]',
  });
  assert.equal(s.requests.length, 0);
});

test('abortSignal ends the wait at once and cancels the request', async () => {
  const s = await fake(() => null);
  appService(s);
  const cred = new azcred.ManagedIdentityCredential(fast);
  const ac = new AbortController();
  const p = cred.getToken(STORAGE, { abortSignal: ac.signal });
  setTimeout(() => ac.abort(), 100);
  const start = Date.now();
  await assert.rejects(p, { name: 'AbortError' });
  assert.ok(Date.now() - start < 1000);
  await assert.rejects(cred.getToken(STORAGE, { abortSignal: AbortSignal.abort() }), { name: 'AbortError' });
});

test('requiredEnvVars is checked by the constructor', () => {
  setAzureEnv({});
  assert.throws(() => new azcred.DefaultAzureCredential({ requiredEnvVars: 'AZURE_CLIENT_ID' }), {
    message: "Required environment variable 'AZURE_CLIENT_ID' for DefaultAzureCredential is not set or empty.",
  });
  assert.throws(() => new azcred.DefaultAzureCredential({ requiredEnvVars: ['AZURE_CLIENT_ID', 'AZURE_TENANT_ID'] }), {
    message: "Required environment variables 'AZURE_CLIENT_ID, AZURE_TENANT_ID' for DefaultAzureCredential are not set or empty.",
  });
});

test('ChainedTokenCredential: foreign members, the continue/stop rule, the aggregate error', async () => {
  const unavailable = { getToken: async () => { throw new azcred.CredentialUnavailableError('first is not here'); } };
  const required = { getToken: async () => { throw new azcred.AuthenticationRequiredError({ scopes: [], message: 'needs login' }); } };
  const good = { getToken: async () => ({ token: 'tok-chain', expiresOnTimestamp: Date.now() + 3600_000 }) };
  const t = await new azcred.ChainedTokenCredential(unavailable, required, good).getToken('s');
  assert.equal(t.token, 'tok-chain');

  const boom = new TypeError('boom');
  const stops = { getToken: async () => { throw boom; } };
  await assert.rejects(new azcred.ChainedTokenCredential(unavailable, stops, good).getToken('s'), (e) => e === boom);

  await assert.rejects(new azcred.ChainedTokenCredential(unavailable, required).getToken('s'), (e) => {
    assert.ok(e instanceof azcred.AggregateAuthenticationError);
    assert.equal(e.message, 'ChainedTokenCredential authentication failed.\nCredentialUnavailableError: first is not here\nAuthenticationRequiredError: needs login');
    assert.equal(e.errors[0].message, 'first is not here');
    return true;
  });
  const nulls = { getToken: async () => null };
  await assert.rejects(new azcred.ChainedTokenCredential(nulls).getToken('s'), {
    name: 'CredentialUnavailableError',
    message: 'Failed to retrieve a valid token',
  });
});

test('getBearerTokenProvider returns the token string', async () => {
  const s = await fake(strictAppService(() => ({ status: 200, body: tokenBody('tok-provider') })));
  appService(s);
  const provider = azcred.getBearerTokenProvider(new azcred.ManagedIdentityCredential(), STORAGE);
  assert.equal(await provider(), 'tok-provider');
});

test('credential instances of one process share managed-identity tokens', async () => {
  const s = await fake(strictAppService(() => ({ status: 200, body: tokenBody('tok-process') })));
  appService(s);
  for (let i = 0; i < 5; i++) {
    const t = await new azcred.DefaultAzureCredential().getToken(STORAGE);
    assert.equal(t.token, 'tok-process');
  }
  await new azcred.ManagedIdentityCredential().getToken(STORAGE);
  assert.equal(s.requests.length, 1, 'one request for six credentials');
});

test('Service Fabric: the endpoint certificate is accepted by its thumbprint, and refused otherwise', async () => {
  const fs = require('node:fs');
  const os = require('node:os');
  const path = require('node:path');
  const crypto = require('node:crypto');
  const { execFileSync } = require('node:child_process');
  // A self-issued certificate no CA vouches for, as a Service Fabric cluster's.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'azcred-sf-'));
  const key = path.join(dir, 'key.pem');
  const cert = path.join(dir, 'cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert,
    '-days', '1', '-subj', '/CN=sfcluster', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore', timeout: 30000 });
  const thumbprint = new crypto.X509Certificate(fs.readFileSync(cert)).fingerprint256.replace(/:/g, '');
  const s = await fake((req) => {
    if (req.headers.secret !== SECRET || req.query['api-version'] !== '2019-07-01-preview') {
      return { status: 400, body: { error: 'bad_request', error_description: 'secret or api-version' } };
    }
    return { status: 200, body: tokenBody('tok-sf') };
  }, { tls: { key, cert } });
  const sfEnv = (thumb) => setAzureEnv({
    IDENTITY_ENDPOINT: `${s.url}/metadata/identity/oauth2/token`,
    IDENTITY_HEADER: SECRET,
    IDENTITY_SERVER_THUMBPRINT: thumb,
  });
  sfEnv(thumbprint);
  assert.equal((await new azcred.ManagedIdentityCredential().getToken(STORAGE)).token, 'tok-sf');
  sfEnv('00'.repeat(32));
  const before = s.requests.length;
  await assert.rejects(new azcred.ManagedIdentityCredential(fast).getToken(STORAGE), (e) => {
    assert.equal(e.name, 'CredentialUnavailableError');
    assert.match(e.message, /IDENTITY_SERVER_THUMBPRINT/);
    assert.ok(!e.message.includes(SECRET));
    return true;
  });
  assert.equal(s.requests.length, before, 'nothing was sent to an endpoint whose certificate did not match');
  // An httpClient cannot be told to check the pin, so the request is not sent through it.
  sfEnv(thumbprint);
  let sent = 0;
  const httpClient = { sendRequest: async () => { sent += 1; throw new Error('must not be called'); } };
  await assert.rejects(
    new azcred.ManagedIdentityCredential({ ...fast, httpClient }).getToken('https://vault.azure.net/.default'),
    (e) => /pinned by IDENTITY_SERVER_THUMBPRINT, which an httpClient cannot check/.test(e.message),
  );
  assert.equal(sent, 0);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('cached answers are leases the core bounds: at most 64 kept, the rest answered by the core', async () => {
  const s = await fake(strictAppService((req) => ({ status: 200, body: tokenBody(`tok-${req.query.resource}`) })));
  appService(s);
  const cred = new azcred.ManagedIdentityCredential();
  const scopes = Array.from({ length: 70 }, (_, i) => `https://app${i}.example/.default`);
  for (const scope of scopes) await cred.getToken(scope);
  assert.equal(s.requests.length, 70);
  // The second call of each scope is the core's cached answer, with a lease; the 65th lease
  // makes the driver drop the others first.
  for (const scope of scopes) assert.equal((await cred.getToken(scope)).token, `tok-${scope.replace('/.default', '')}`);
  const leases = cred._driven.leases;
  assert.equal(leases.size, 70 - 64);
  // Served from the leases now: still no request.
  for (const scope of scopes.slice(-6)) await cred.getToken(scope);
  assert.equal(s.requests.length, 70);
});
