'use strict';
// AzurePipelinesCredential and OnBehalfOfCredential end to end: the package (backend from
// AZCRED_BACKEND) against a fake Azure DevOps OIDC endpoint and a fake Entra token endpoint over
// HTTPS on 127.0.0.1, which check what the real ones check (the system access token; the OIDC
// token as the client assertion; the user assertion and the app's secret, certificate assertion
// or callback assertion), then the real BlobServiceClient against real Azurite with the tokens.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const crypto = require('node:crypto');

const azcred = require('../../npm');
const { ensureTestCa } = require('../support/tls');
const { startAzurite } = require('../support/azurite');
const { startFakeEndpoint, setAzureEnv } = require('../support/fake-endpoint');
const { tokenMinter, blobRoundTrip, aadError } = require('../support/entra');
const { makeAppCertificate, assertionProblems, b64json } = require('../support/app-cert');

for (const v of ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'ALL_PROXY', 'all_proxy', 'NO_PROXY', 'no_proxy']) {
  delete process.env[v];
}

const STORAGE = 'https://storage.azure.com/.default';
const TENANT = '0b0e0000-0000-4000-8000-0000000000a1';
const PIPELINE_APP = '0b0e0000-0000-4000-8000-000000000001';
const CONNECTION = '0b0e0000-0000-4000-8000-00000000c0c0';
const SYSTEM_TOKEN = 'sentinel-system-access-token-5d1f';
const OIDC_PATH = '/org/project/_apis/distributedtask/hubs/build/plans/plan-1/jobs/job-1/oidctoken';
const MIDDLE_TIER = { secretApp: '0b0e0000-0000-4000-8000-000000000002', certApp: '0b0e0000-0000-4000-8000-000000000003', callbackApp: '0b0e0000-0000-4000-8000-000000000004' };
const APP_SECRET = 'sentinel-obo-app-secret-81ad';
const APP_ASSERTION = 'eyJhbGciOiJSUzI1NiJ9.obo-app-assertion.sig';
const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

let tls;
let dir;
let fake;
let azurite;
let mint;
let cert;
/** The user's token sent to the middle-tier API (what OnBehalfOfCredential exchanges). */
let userToken;
/** What the fake DevOps endpoint answers next: null for a fresh OIDC token. */
let oidcAnswer = null;
const issuedOidcTokens = [];

function oidcHandler(req) {
  if (req.method !== 'POST') return { status: 405, body: '' };
  if (req.headers.authorization !== `Bearer ${SYSTEM_TOKEN}`) {
    // Azure DevOps answers an unknown token with 401 and an HTML sign-in page (without the
    // redirect suppression it would redirect there).
    return { status: 401, headers: { 'Content-Type': 'text/html', 'x-vss-e2eid': 'e2e-401' }, body: '<html><body>Sign in to Azure DevOps</body></html>' };
  }
  if (req.headers['x-tfs-fedauthredirect'] !== 'Suppress') return { status: 302, headers: { Location: '/signin' }, body: '' };
  if (req.query['api-version'] !== '7.1' || req.query.serviceConnectionId !== CONNECTION) {
    return { status: 400, body: { message: `unknown service connection ${req.query.serviceConnectionId}` } };
  }
  if (oidcAnswer) return oidcAnswer;
  const token = mint(`api://AzureADTokenExchange`, TENANT, `sc://org/project/${CONNECTION}`);
  issuedOidcTokens.push(token);
  return { status: 200, headers: { 'x-vss-e2eid': 'e2e-200' }, body: { oidcToken: token } };
}

function entraHandler(req) {
  const m = /^\/([^/]+)\/oauth2\/v2\.0\/token$/.exec(req.path);
  if (!m || req.method !== 'POST') return { status: 404, body: { error: 'not_found' } };
  const tenant = m[1];
  const form = new URLSearchParams(req.body);
  const clientId = form.get('client_id');
  const scope = (form.get('scope') || '').split(' ')[0];
  const audience = scope.replace(/\/\.default$/, '');
  const issue = (subject) => ({
    status: 200,
    body: { token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: mint(audience, tenant, subject) },
  });
  if (form.get('grant_type') === 'client_credentials' && clientId === PIPELINE_APP) {
    // A federated credential: the assertion must be an OIDC token the DevOps fake issued.
    if (!issuedOidcTokens.includes(form.get('client_assertion'))) {
      return aadError(400, 'invalid_client', 700211, 'No matching federated identity record found for presented assertion issuer.');
    }
    return issue(PIPELINE_APP);
  }
  if (form.get('grant_type') !== JWT_BEARER) return aadError(400, 'unsupported_grant_type', 70003, 'grant');
  if (form.get('requested_token_use') !== 'on_behalf_of') return aadError(400, 'invalid_request', 90009, 'requested_token_use');
  if (form.get('assertion') !== userToken) return aadError(400, 'invalid_grant', 50013, 'Assertion failed signature validation.');
  switch (clientId) {
    case MIDDLE_TIER.secretApp:
      if (form.get('client_secret') !== APP_SECRET) return aadError(401, 'invalid_client', 7000215, 'Invalid client secret provided.');
      break;
    case MIDDLE_TIER.certApp: {
      const problems = assertionProblems(form.get('client_assertion'), `${fake.url}/${tenant}/oauth2/v2.0/token`, cert, MIDDLE_TIER.certApp);
      if (problems.length) return aadError(401, 'invalid_client', 700027, `Client assertion failed validation: ${problems.join(', ')}`);
      break;
    }
    case MIDDLE_TIER.callbackApp:
      if (form.get('client_assertion') !== APP_ASSERTION) return aadError(401, 'invalid_client', 700211, 'assertion');
      break;
    default:
      return aadError(400, 'unauthorized_client', 700016, `Application with identifier '${clientId}' was not found.`);
  }
  // The downstream token is the user's, as Entra issues it.
  return issue(b64json(userToken.split('.')[1]).oid);
}

before(async () => {
  tls = ensureTestCa();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'azcred-obo-'));
  mint = tokenMinter();
  cert = makeAppCertificate(dir, 'unused-password');
  userToken = mint(`api://${MIDDLE_TIER.secretApp}`, TENANT, '0b0e0000-0000-4000-8000-0000000000ee');
  fake = await startFakeEndpoint({ tls: { key: tls.key, cert: tls.cert } });
  fake.setHandler((req) => (req.path === OIDC_PATH ? oidcHandler(req) : entraHandler(req)));
  azurite = await startAzurite({ dir: path.join(dir, 'azurite'), cert: tls.cert, key: tls.key });
}, { timeout: 90000 });

after(async () => {
  await Promise.all([fake && fake.close(), azurite && azurite.stop()]);
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  if (tls) tls.cleanup();
});

function pipelineEnv(vars = {}) {
  setAzureEnv({ AZURE_AUTHORITY_HOST: fake.url, SYSTEM_OIDCREQUESTURI: `${fake.url}${OIDC_PATH}`, ...vars });
}

function sentSince(mark) {
  return fake.requests.slice(mark).map((r) => ({ ...r, form: Object.fromEntries(new URLSearchParams(r.body)) }));
}

function pipelines(token = SYSTEM_TOKEN) {
  return new azcred.AzurePipelinesCredential(TENANT, PIPELINE_APP, CONNECTION, token);
}

test('AzurePipelinesCredential: the OIDC token for the service connection is the client assertion; a blob round trip', async () => {
  pipelineEnv();
  oidcAnswer = null;
  const mark = fake.requests.length;
  await blobRoundTrip(azurite.blobUrl, pipelines());
  const sent = sentSince(mark);
  assert.equal(sent.length, 2, 'one OIDC request and one token request for the whole round trip');
  const [oidc, token] = sent;
  assert.equal(oidc.method, 'POST');
  assert.equal(oidc.path, OIDC_PATH);
  assert.deepEqual(oidc.query, { 'api-version': '7.1', serviceConnectionId: CONNECTION });
  assert.equal(oidc.headers['content-type'], 'application/json');
  assert.equal(oidc.headers['x-tfs-fedauthredirect'], 'Suppress');
  assert.equal(oidc.body, '');
  assert.equal(token.path, `/${TENANT}/oauth2/v2.0/token`);
  assert.equal(token.form.client_assertion, issuedOidcTokens.at(-1));
  assert.equal(token.form.client_assertion_type, 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
});

test('AzurePipelinesCredential: a 401 (HTML), a 403 (JSON) and an empty answer are AuthenticationError with the status, never the system access token', async () => {
  pipelineEnv();
  oidcAnswer = null;
  // A wrong system access token: the fake answers 401 with HTML.
  await assert.rejects(pipelines('wrong-token').getToken(STORAGE), (e) => {
    assert.equal(e.name, 'AuthenticationError');
    assert.ok(e instanceof azcred.AuthenticationError);
    assert.equal(e.statusCode, 401);
    assert.equal(e.errorResponse.error, 'AzurePipelinesCredential: Authentication Failed. oidcToken field not detected in the response.');
    assert.match(e.errorResponse.errorDescription, /^Response from service = \{"status":401,"bodyAsText":"<html><body>Sign in to Azure DevOps<\/body><\/html>","headers":\{"x-vss-e2eid":"e2e-401","x-msedge-ref":null\}\}\. See the troubleshooting guide/);
    return true;
  });
  oidcAnswer = { status: 403, body: { message: `Access denied for ${SYSTEM_TOKEN}`, typeKey: 'UnauthorizedRequestException' } };
  await assert.rejects(pipelines().getToken(STORAGE), (e) => {
    assert.equal(e.name, 'AuthenticationError');
    assert.equal(e.statusCode, 403);
    assert.ok(!e.message.includes(SYSTEM_TOKEN), e.message);
    assert.ok(!JSON.stringify(e.errorResponse).includes(SYSTEM_TOKEN));
    assert.match(e.message, /Access denied for /);
    return true;
  });
  oidcAnswer = { status: 200, body: '' };
  await assert.rejects(pipelines().getToken(STORAGE), (e) => {
    assert.equal(e.name, 'AuthenticationError');
    assert.equal(e.statusCode, 200);
    assert.equal(e.errorResponse.error, 'AzurePipelinesCredential: Authentication Failed. Received null token from OIDC request.');
    return true;
  });
  oidcAnswer = null;
});

test('AzurePipelinesCredential: outside a pipeline, and with a missing argument, the constructor throws CredentialUnavailableError', () => {
  setAzureEnv({});
  assert.throws(() => pipelines(), (e) => {
    assert.equal(e.name, 'CredentialUnavailableError');
    assert.match(e.message, /missing system variable\(s\) can be defined- "SYSTEM_OIDCREQUESTURI"$/);
    return true;
  });
  pipelineEnv();
  assert.throws(() => new azcred.AzurePipelinesCredential(TENANT, PIPELINE_APP, CONNECTION, ''), (e) => {
    assert.equal(e.name, 'CredentialUnavailableError');
    assert.equal(e.message, 'AzurePipelinesCredential: is unavailable. systemAccessToken is a required parameter.');
    return true;
  });
  assert.doesNotMatch(require('node:util').inspect(pipelines(), { depth: 5 }), /sentinel/);
});

test('OnBehalfOfCredential with a client secret: the jwt-bearer grant field by field; a blob round trip with the user\'s token', async () => {
  setAzureEnv({ AZURE_AUTHORITY_HOST: fake.url });
  const mark = fake.requests.length;
  const cred = new azcred.OnBehalfOfCredential({ tenantId: TENANT, clientId: MIDDLE_TIER.secretApp, clientSecret: APP_SECRET, userAssertionToken: userToken });
  await blobRoundTrip(azurite.blobUrl, cred);
  const sent = sentSince(mark);
  assert.equal(sent.length, 1);
  const { form } = sent[0];
  assert.deepEqual(Object.keys(form), [
    'client_id', 'scope', 'grant_type', 'client_info', 'x-ms-lib-capability', 'client-request-id',
    'requested_token_use', 'assertion', 'client_secret', 'claims',
  ]);
  assert.equal(form.scope, `${STORAGE} openid profile offline_access`);
  assert.equal(form.grant_type, JWT_BEARER);
  assert.equal(form.requested_token_use, 'on_behalf_of');
  assert.equal(form.assertion, userToken);
  assert.equal(form.client_info, '1');
  assert.equal(form['client-request-id'], sent[0].query['client-request-id']);
  // A second getToken is served from the credential's cache (the storage client asks for CAE).
  await cred.getToken(STORAGE, { enableCae: true });
  assert.equal(fake.requests.length, mark + 1);
  assert.doesNotMatch(require('node:util').inspect(cred, { depth: 5 }), /sentinel|eyJ/);
});

test('OnBehalfOfCredential with a certificate (path and PEM text, x5c) and with a getAssertion callback', async () => {
  setAzureEnv({ AZURE_AUTHORITY_HOST: fake.url });
  const mark = fake.requests.length;
  const byPath = new azcred.OnBehalfOfCredential({
    tenantId: TENANT, clientId: MIDDLE_TIER.certApp, certificatePath: cert.plain, sendCertificateChain: true, userAssertionToken: userToken,
  });
  const t = await byPath.getToken(STORAGE);
  assert.equal(b64json(t.token.split('.')[1]).aud, 'https://storage.azure.com');
  const [sent] = sentSince(mark);
  assert.deepEqual(b64json(sent.form.client_assertion.split('.')[0]).x5c, cert.chain);
  const byPem = new azcred.OnBehalfOfCredential({
    tenantId: TENANT, clientId: MIDDLE_TIER.certApp, certificate: fs.readFileSync(cert.plain, 'utf8'), userAssertionToken: userToken,
  });
  await byPem.getToken(STORAGE);
  let calls = 0;
  const byCallback = new azcred.OnBehalfOfCredential({
    tenantId: TENANT,
    clientId: MIDDLE_TIER.callbackApp,
    userAssertionToken: userToken,
    getAssertion: async () => {
      calls += 1;
      return APP_ASSERTION;
    },
  });
  await byCallback.getToken(STORAGE);
  assert.equal(calls, 1);
  assert.equal(sentSince(mark).at(-1).form.client_assertion, APP_ASSERTION);
});

test('OnBehalfOfCredential: a wrong user assertion or app secret is AuthenticationRequiredError; missing options throw CredentialUnavailableError', async () => {
  setAzureEnv({ AZURE_AUTHORITY_HOST: fake.url });
  const stale = new azcred.OnBehalfOfCredential({ tenantId: TENANT, clientId: MIDDLE_TIER.secretApp, clientSecret: APP_SECRET, userAssertionToken: 'eyJ.not-the-user.sig' });
  await assert.rejects(stale.getToken(STORAGE), (e) => {
    assert.equal(e.name, 'AuthenticationRequiredError');
    assert.match(e.message, /^invalid_grant: Error\(s\): 50013 - /);
    return true;
  });
  const wrongSecret = new azcred.OnBehalfOfCredential({ tenantId: TENANT, clientId: MIDDLE_TIER.secretApp, clientSecret: 'nope', userAssertionToken: userToken });
  await assert.rejects(wrongSecret.getToken(STORAGE), (e) => e.name === 'AuthenticationRequiredError' && /7000215/.test(e.message));
  assert.throws(
    () => new azcred.OnBehalfOfCredential({ tenantId: TENANT, clientId: MIDDLE_TIER.secretApp, userAssertionToken: userToken }),
    (e) => e.name === 'CredentialUnavailableError' && /You must provide one of clientSecret, certificatePath, or a getAssertion callback/.test(e.message),
  );
  assert.throws(
    () => new azcred.OnBehalfOfCredential({ tenantId: TENANT, clientId: MIDDLE_TIER.secretApp, clientSecret: APP_SECRET }),
    (e) => e.name === 'CredentialUnavailableError' && /userAssertionToken is a required parameter/.test(e.message),
  );
  const c = crypto.randomUUID();
  assert.throws(
    () => new azcred.OnBehalfOfCredential({ tenantId: 'not a tenant!', clientId: c, clientSecret: APP_SECRET, userAssertionToken: userToken }),
    (e) => e.name === 'Error' && /Invalid tenant id provided/.test(e.message),
  );
});
