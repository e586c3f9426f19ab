'use strict';
// Logging end to end, on the backend AZCRED_BACKEND names: the core's records written as the
// reference writes them, with AZURE_LOG_LEVEL (azcred's built-in logger) and through the app's
// real @azure/logger (setLogLevel, AzureLogger.log); the same lines as @azure/identity for the
// same token; and no secret at any level. Each case runs in a child process, so the logger reads
// its environment at load as in an app.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFile } = require('node:child_process');

const { startFakeEndpoint, AZURE_VARS } = require('../support/fake-endpoint');

const NPM = path.join(__dirname, '..', '..', 'npm');
const TESTS = path.join(__dirname, '..');
const STORAGE = 'https://storage.azure.com/.default';
const TOKEN = 'SENTINEL-access-token-8c41';
const HEADER = 'SENTINEL-identity-header-3e07';
/** The distinctive part of every secret above: no line may hold it. */
const CORE = 'SENTINEL';

let endpoint;
/** A temp directory with no node_modules: @azure/logger is not resolvable from it. */
let bare;

before(async () => {
  endpoint = await startFakeEndpoint();
  endpoint.setHandler((req) => {
    if (req.headers['x-identity-header'] !== HEADER) return { status: 401, body: { error: 'bad header' } };
    if (req.query.resource === 'https://fail.example') {
      // A failure that echoes the secret it was sent.
      return { status: 400, body: { error: 'invalid_resource', error_description: `header was ${HEADER}` } };
    }
    const exp = Math.floor(Date.now() / 1000) + 3600;
    if (req.query.resource === 'https://jwt.example') {
      const claims = Buffer.from(JSON.stringify({ appid: 'app-7', tid: 'tenant-7', oid: 'object-7', upn: 'dev@example.com' })).toString('base64url');
      return { status: 200, body: { access_token: `eyJhbGciOiJub25lIn0.${claims}.c2ln`, expires_on: String(exp), token_type: 'Bearer' } };
    }
    return { status: 200, body: { access_token: TOKEN, expires_on: String(exp), resource: req.query.resource, token_type: 'Bearer' } };
  });
  bare = fs.mkdtempSync(path.join(os.tmpdir(), 'azcred-logging-'));
});

after(async () => {
  await endpoint.close();
  fs.rmSync(bare, { recursive: true, force: true });
});

/** The child's environment: App Service pointed at the fake endpoint, nothing else of Azure's. */
function childEnv(extra) {
  const env = { ...process.env };
  for (const v of AZURE_VARS) delete env[v];
  delete env.AZURE_LOG_LEVEL;
  delete env.DEBUG;
  return {
    ...env,
    AZCRED_IMDS_ENDPOINT: 'http://127.0.0.1:9',
    IDENTITY_ENDPOINT: `${endpoint.url}/msi/token`,
    IDENTITY_HEADER: HEADER,
    PATH: path.join(bare, 'no-tools'),
    ...extra,
  };
}

/** Runs `script` in a child with `cwd`; resolves to its stdout and stderr. */
function run(script, { cwd = bare, env = {} } = {}) {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['-e', script], { cwd, env: childEnv(env), timeout: 30_000 }, (err, stdout, stderr) => {
      if (err) reject(Object.assign(err, { stdout, stderr }));
      else resolve({ stdout, stderr });
    });
  });
}

/** A script that gets one token (or fails), with the given package's DefaultAzureCredential. */
function getTokenScript(pkg, scope = STORAGE) {
  return `
    const { DefaultAzureCredential } = require(${JSON.stringify(pkg)});
    new DefaultAzureCredential().getToken(${JSON.stringify(scope)}).then(
      (t) => process.stdout.write(t.token === ${JSON.stringify(TOKEN)} ? 'ok' : 'wrong token'),
      (e) => process.stdout.write('failed: ' + e.name),
    );`;
}

const lines = (text) => text.split(/\r?\n/).filter(Boolean);
const SUCCESS = `ManagedIdentityCredential => getToken() => SUCCESS. Scopes: ${STORAGE}.`;
const RESULT = `ChainedTokenCredential => getToken() => Result for ManagedIdentityCredential: SUCCESS. Scopes: ${STORAGE}.`;

test('AZURE_LOG_LEVEL=info writes the choice, the skipped credentials and the outcome, and no request lines', async () => {
  const { stdout, stderr } = await run(getTokenScript(NPM), { env: { AZURE_LOG_LEVEL: 'info' } });
  assert.equal(stdout, 'ok');
  const out = lines(stderr);
  assert.ok(out.includes(`azure:identity:info ${SUCCESS}`), stderr);
  assert.ok(out.includes(`azure:identity:info ${RESULT}`), stderr);
  assert.ok(out.includes('azure:identity:info ManagedIdentityCredential => App Service endpoint, system-assigned identity.'), stderr);
  assert.ok(out.some((l) => l.startsWith('azure:identity:info ChainedTokenCredential => getToken() => Skipping WorkloadIdentityCredential, reason: ')), stderr);
  assert.ok(out.some((l) => l.startsWith('azure:identity:warning ChainedTokenCredential => getToken() => EnvironmentCredential is unavailable;')), stderr);
  assert.ok(!out.some((l) => l.startsWith('azure:identity:verbose')), stderr);
});

test('AZURE_LOG_LEVEL=verbose adds each request with its status and duration, query values redacted', async () => {
  const { stderr } = await run(getTokenScript(NPM), { env: { AZURE_LOG_LEVEL: 'verbose' } });
  const want = new RegExp(
    `^azure:identity:verbose ManagedIdentityCredential => GET ${endpoint.url.replace(/[.]/g, '\\.')}/msi/token\\?api-version=2019-08-01&resource=REDACTED => status 200 in \\d+ ms$`,
  );
  assert.ok(lines(stderr).some((l) => want.test(l)), stderr);
});

test('AZURE_LOG_LEVEL=warning writes only warnings, and no level set writes nothing', async () => {
  const warn = await run(getTokenScript(NPM), { env: { AZURE_LOG_LEVEL: 'warning' } });
  const out = lines(warn.stderr);
  assert.ok(out.length > 0);
  assert.ok(out.every((l) => /^azure:identity:(warning|error) /.test(l) || /^\s/.test(l)), warn.stderr);
  const quiet = await run(getTokenScript(NPM));
  assert.equal(quiet.stdout, 'ok');
  assert.equal(quiet.stderr, '');
});

test('the outcome lines are the ones @azure/identity writes for the same token', async () => {
  const ours = await run(getTokenScript(NPM), { cwd: TESTS, env: { AZURE_LOG_LEVEL: 'info' } });
  const theirs = await run(getTokenScript('@azure/identity'), { cwd: TESTS, env: { AZURE_LOG_LEVEL: 'info' } });
  assert.equal(theirs.stdout, 'ok');
  const pick = (text) => lines(text).filter((l) => l.includes('SUCCESS'));
  assert.deepEqual(pick(ours.stderr), pick(theirs.stderr));
  assert.deepEqual(pick(ours.stderr), [`azure:identity:info ${SUCCESS}`, `azure:identity:info ${RESULT}`]);
});

test("the app's @azure/logger: setLogLevel turns azcred's records on and AzureLogger.log receives them", async () => {
  const script = `
    const util = require('node:util');
    const { setLogLevel, AzureLogger } = require('@azure/logger');
    const got = [];
    AzureLogger.log = (...args) => got.push(util.format(...args));
    const { DefaultAzureCredential } = require(${JSON.stringify(NPM)});
    (async () => {
      const cred = new DefaultAzureCredential();
      await cred.getToken(${JSON.stringify(STORAGE)});
      const before = got.length;
      setLogLevel('info');
      await cred.getToken('https://vault.azure.net/.default');
      setLogLevel('warning');
      await cred.getToken('https://management.azure.com/.default');
      process.stdout.write(JSON.stringify({ before, got }));
    })();`;
  const { stdout, stderr } = await run(script, { cwd: TESTS });
  const { before, got } = JSON.parse(stdout);
  assert.equal(before, 0, 'nothing before setLogLevel');
  assert.equal(stderr, '', 'the records went to AzureLogger.log, not to stderr');
  assert.deepEqual(
    got.filter((l) => l.includes('SUCCESS')),
    [
      'azure:identity:info ManagedIdentityCredential => getToken() => SUCCESS. Scopes: https://vault.azure.net/.default.',
      'azure:identity:info ChainedTokenCredential => getToken() => Result for ManagedIdentityCredential: SUCCESS. Scopes: https://vault.azure.net/.default.',
    ],
    got.join('\n'),
  );
  assert.ok(!got.some((l) => l.includes('management.azure.com')), 'warning level hides the info lines');
});

test('no secret appears at any level, in successes or in failures that echo them', async () => {
  for (const level of ['error', 'warning', 'info', 'verbose']) {
    for (const scope of [STORAGE, 'https://fail.example/.default']) {
      const { stdout, stderr } = await run(getTokenScript(NPM, scope), { env: { AZURE_LOG_LEVEL: level } });
      assert.ok(stdout === 'ok' || stdout.startsWith('failed: '), stdout);
      assert.ok(!stderr.includes(CORE), `a secret in the ${level} log:\n${stderr}`);
    }
  }
  // The check can fail: a program that does log the token it got is caught by it.
  const leaky = `
    const azcred = require(${JSON.stringify(NPM)});
    new azcred.DefaultAzureCredential().getToken(${JSON.stringify(STORAGE)}).then((t) => azcred.logger.info(t.token));`;
  const { stderr } = await run(leaky, { env: { AZURE_LOG_LEVEL: 'info' } });
  assert.ok(stderr.includes(CORE), 'a token written to the log is seen');
});

test('loggingOptions.allowLoggingAccountIdentifiers logs the account of each new token, and only then', async () => {
  const script = (allow) => `
    const { ManagedIdentityCredential } = require(${JSON.stringify(NPM)});
    new ManagedIdentityCredential({ loggingOptions: { allowLoggingAccountIdentifiers: ${allow} } })
      .getToken('https://jwt.example/.default').then(() => process.stdout.write('ok'));`;
  const line =
    'azure:identity:info [Authenticated account] Client ID: app-7. Tenant ID: tenant-7. User Principal Name: dev@example.com. Object ID (user): object-7';
  const allowed = await run(script(true), { env: { AZURE_LOG_LEVEL: 'info' } });
  assert.equal(allowed.stdout, 'ok');
  assert.ok(lines(allowed.stderr).includes(line), allowed.stderr);
  const notAllowed = await run(script(false), { env: { AZURE_LOG_LEVEL: 'info' } });
  assert.ok(!notAllowed.stderr.includes('[Authenticated account]'), notAllowed.stderr);
});
