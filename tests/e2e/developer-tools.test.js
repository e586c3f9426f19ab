'use strict';
// The developer-tool credentials end to end: AzureCliCredential, AzureDeveloperCliCredential and
// AzurePowerShellCredential (with the backend chosen by AZCRED_BACKEND) against fake `az`, `azd`
// and `pwsh` executables put first on PATH. Each fake records its argv, working directory and the
// environment variables that matter, and prints what the test scripted. The same fakes run under
// @azure/identity 4.14.1, so argv, working directory, environment, tokens and messages are
// compared with the reference itself. Last, the real BlobServiceClient against Azurite with a
// token from the fake `az`.

const { test, before, after, beforeEach } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const crypto = require('node:crypto');

const identity = require('@azure/identity');
const azcred = require('../../npm');

const STORAGE = 'https://storage.azure.com/.default';
const VAULT = 'https://vault.azure.net/.default';
const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const OTHER_TENANT = 'contoso.onmicrosoft.com';
// The working directory of az and azd, as the child sees it (/bin is a link to /usr/bin on many
// systems).
const BIN = fs.realpathSync('/bin');
const PS_TROUBLESHOOT = 'To troubleshoot, visit https://aka.ms/azsdk/js/identity/powershellcredential/troubleshoot.';

// The fake tools. One Node script, installed as `az`, `azd` and `pwsh`; it reads what to do from
// plan.json next to its directory and appends what it saw to calls.jsonl.
const FAKE = `#!${process.execPath}
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const state = path.join(__dirname, '..');
const tool = path.basename(process.argv[1]);
const argv = process.argv.slice(2);
const key = argv[0] === '/?' ? tool + ' /?' : tool;
const plan = JSON.parse(fs.readFileSync(path.join(state, 'plan.json'), 'utf8'));
const spec = plan[key] || (argv[0] === '/?' ? { stdout: 'PowerShell help' } : { stderr: 'no plan for ' + key, exit: 9 });
const env = {};
for (const [k, v] of Object.entries(process.env)) {
  if (/^azure_identity_powershell_|^azcred_e2e_/i.test(k)) env[k] = v;
}
const now = Date.now();
// Fixed when the plan was written, so the reference and azcred see the same output.
const expiresOnSecs = plan.expiresAt;
const exp = new Date(expiresOnSecs * 1000);
const pad = (n, w = 2) => String(n).padStart(w, '0');
const local = exp.getFullYear() + '-' + pad(exp.getMonth() + 1) + '-' + pad(exp.getDate()) + ' ' +
  pad(exp.getHours()) + ':' + pad(exp.getMinutes()) + ':' + pad(exp.getSeconds()) + '.000000';
const iso = exp.toISOString().replace('.000Z', 'Z');
let token = spec.token || 'tok-' + tool;
if (spec.mint) {
  // A JWT Azurite accepts (it checks the claims, not the signature).
  const resource = argv[argv.indexOf('--resource') + 1];
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const iat = Math.floor(now / 1000) - 60;
  token = b64({ alg: 'RS256', typ: 'JWT' }) + '.' + b64({
    aud: resource, iss: 'https://sts.windows.net/' + spec.mint + '/', iat, nbf: iat, exp: expiresOnSecs,
    oid: '00000000-0000-0000-0000-0000000000aa', tid: spec.mint, appid: 'fake-az', ver: '1.0',
  }) + '.c2ln';
}
let stdout = spec.stdout || '';
if (spec.kind === 'az') {
  stdout = JSON.stringify({ accessToken: token, expiresOn: local, expires_on: expiresOnSecs,
    subscription: 'sub', tenant: 'tid', tokenType: 'Bearer' }, null, 2) + '\\n';
} else if (spec.kind === 'az-local') {
  stdout = JSON.stringify({ accessToken: token, expiresOn: local, subscription: 'sub', tenant: 'tid',
    tokenType: 'Bearer' }, null, 2) + '\\n';
} else if (spec.kind === 'azd') {
  stdout = JSON.stringify({ token, expiresOn: iso }) + '\\n';
} else if (spec.kind === 'pwsh') {
  stdout = (spec.prefix || '') + '{\\r\\n  "ExpiresOn": "' + exp.toISOString().replace('.000Z', '+00:00') +
    '",\\r\\n  "Token": "' + token + '"\\r\\n}\\r\\n';
}
fs.appendFileSync(path.join(state, 'calls.jsonl'), JSON.stringify({
  tool, argv, cwd: process.cwd(), env, expiresOnMs: expiresOnSecs * 1000, token,
}) + '\\n');
const finish = () => {
  if (stdout) process.stdout.write(stdout);
  if (spec.stderr) process.stderr.write(spec.stderr);
  process.exitCode = spec.exit || 0;
};
if (spec.sleepMs) setTimeout(finish, spec.sleepMs); else finish();
`;

let dir;
let bin;
let emptyBin;
let originalPath;
const originalTz = process.env.TZ;

before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'azcred-devtools-'));
  bin = path.join(dir, 'bin');
  emptyBin = path.join(dir, 'empty');
  fs.mkdirSync(bin);
  fs.mkdirSync(emptyBin);
  for (const tool of ['az', 'azd', 'pwsh']) {
    fs.writeFileSync(path.join(bin, tool), FAKE, { mode: 0o755 });
  }
  originalPath = process.env.PATH;
  process.env.PATH = `${bin}${path.delimiter}${originalPath}`;
  // Local time matters to az's `expiresOn`; make it differ from UTC (Node applies TZ at once).
  process.env.TZ = 'America/New_York';
});

after(() => {
  process.env.PATH = originalPath;
  if (originalTz === undefined) delete process.env.TZ;
  else process.env.TZ = originalTz;
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  plan({});
  fs.rmSync(path.join(dir, 'calls.jsonl'), { force: true });
  for (const k of Object.keys(process.env)) {
    if (/^azure_identity_powershell_|^AZURE_IDENTITY_DISABLE_MULTITENANTAUTH$/i.test(k)) delete process.env[k];
  }
});

/** Tells the fakes what to do; their tokens expire an hour from now. */
function plan(p) {
  const expiresAt = Math.floor(Date.now() / 1000) + 3600;
  fs.writeFileSync(path.join(dir, 'plan.json'), JSON.stringify({ ...p, expiresAt }));
}

/** What the fakes recorded since the last reset, and resets. */
function calls() {
  const file = path.join(dir, 'calls.jsonl');
  if (!fs.existsSync(file)) return [];
  const lines = fs.readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
  fs.rmSync(file);
  return lines;
}

/** argv, cwd and env of each call (what the reference comparison looks at). */
function shape(list) {
  return list.map(({ tool, argv, cwd, env }) => ({ tool, argv, cwd, env }));
}

async function outcome(promise) {
  try {
    const t = await promise;
    return { ok: true, token: t };
  } catch (e) {
    return { ok: false, name: e.name, message: e.message, isUnavailable: e instanceof azcred.CredentialUnavailableError };
  }
}

/** Runs `request(Class)` once with the reference's class and once with azcred's; returns both
 * outcomes and what the fakes recorded for each. */
async function both(className, options, scopes, getTokenOptions) {
  const ref = await outcome(new identity[className](options).getToken(scopes, getTokenOptions));
  const refCalls = calls();
  const ours = await outcome(new azcred[className](options).getToken(scopes, getTokenOptions));
  const ourCalls = calls();
  return { ref, ours, refCalls, ourCalls };
}

function sameAsReference({ ref, ours, refCalls, ourCalls }) {
  assert.deepEqual(shape(ourCalls), shape(refCalls), 'argv, cwd and environment match @azure/identity');
  assert.equal(ours.ok, ref.ok, `ours: ${ours.message}; reference: ${ref.message}`);
  if (ref.ok) {
    assert.deepEqual(ours.token, ref.token, 'the same AccessToken');
  } else {
    assert.equal(ours.name, ref.name);
    assert.equal(ours.message, ref.message);
  }
}

// ------------------------------------------------------------------------------------------------

test('the classes are exported from both entries with the reference names', async () => {
  const esm = await import('../../npm/index.mjs');
  for (const name of ['AzureCliCredential', 'AzureDeveloperCliCredential', 'AzurePowerShellCredential']) {
    assert.equal(typeof azcred[name], 'function', name);
    assert.equal(azcred[name].name, name);
    assert.equal(esm[name], azcred[name], `${name} from index.mjs`);
    const c = new azcred[name]();
    assert.equal(typeof c.getToken, 'function');
    assert.equal(c.signRequest, undefined, 'isTokenCredential');
  }
});

test('az: exact argv, /bin, the token as @azure/identity returns it', async () => {
  plan({ az: { kind: 'az' } });
  const r = await both('AzureCliCredential', undefined, STORAGE);
  sameAsReference(r);
  assert.deepEqual(shape(r.ourCalls), [
    {
      tool: 'az',
      argv: ['account', 'get-access-token', '--output', 'json', '--resource', 'https://storage.azure.com'],
      cwd: BIN,
      env: {},
    },
  ]);
  assert.deepEqual(r.ours.token, { token: 'tok-az', expiresOnTimestamp: r.ourCalls[0].expiresOnMs, tokenType: 'Bearer' });
  assert.deepEqual(Object.keys(r.ours.token), ['token', 'expiresOnTimestamp', 'tokenType']);
});

test('az: tenant, subscription and only the first scope, as the reference', async () => {
  plan({ az: { kind: 'az' } });
  const options = { tenantId: TENANT, subscription: 'My Subscription-1', processTimeoutInMs: 20000 };
  const r = await both('AzureCliCredential', options, [STORAGE, VAULT]);
  sameAsReference(r);
  assert.deepEqual(r.ourCalls[0].argv.slice(4), [
    '--resource', 'https://storage.azure.com', '--tenant', TENANT, '--subscription', 'My Subscription-1',
  ]);
  const allowed = await both('AzureCliCredential', { tenantId: TENANT, additionallyAllowedTenants: ['*'] }, STORAGE, {
    tenantId: OTHER_TENANT,
  });
  sameAsReference(allowed);
  assert.deepEqual(allowed.ourCalls[0].argv.slice(6), ['--tenant', OTHER_TENANT]);
});

test('az: an expiresOn in local time (no expires_on) is read as the reference reads it', async () => {
  plan({ az: { kind: 'az-local' } });
  const r = await both('AzureCliCredential', {}, STORAGE);
  sameAsReference(r);
  assert.equal(r.ours.token.expiresOnTimestamp, r.ourCalls[0].expiresOnMs, 'America/New_York local time');
});

test('az: not installed, not logged in, other stderr, claims: the reference messages', async () => {
  const saved = process.env.PATH;
  process.env.PATH = emptyBin;
  try {
    const r = await both('AzureCliCredential', {}, STORAGE);
    sameAsReference(r);
    assert.equal(r.ours.name, 'CredentialUnavailableError');
    assert.match(r.ours.message, /^Azure CLI could not be found\./);
  } finally {
    process.env.PATH = saved;
  }
  plan({ az: { stderr: "ERROR: Please run 'az login' to setup account.\n", exit: 1 } });
  const login = await both('AzureCliCredential', {}, STORAGE);
  sameAsReference(login);
  assert.equal(login.ours.message, "Please run 'az login' from a command prompt to authenticate before using this credential.");

  plan({ az: { stderr: 'ERROR: AADSTS70043: The refresh token has expired.', exit: 1 } });
  const other = await both('AzureCliCredential', {}, STORAGE);
  sameAsReference(other);
  assert.ok(other.ours.isUnavailable);

  const claims = await both('AzureCliCredential', {}, STORAGE, { claims: '{"access_token":{}}', tenantId: TENANT });
  sameAsReference(claims);
  assert.equal(claims.ourCalls.length, 0);
  assert.match(claims.ours.message, / az login --claims-challenge eyJhY2Nlc3NfdG9rZW4iOnt9fQ== --scope https:\/\/storage.azure.com\/.default --tenant 72f9/);
});

test('az: malformed output is an error that never quotes stdout', async () => {
  const leaked = 'eyJzZW50aW5lbCI6ImxlYWsifQ.secret-token-body';
  for (const stdout of [`token: ${leaked}`, `{"accessToken":"${leaked}"}`, `{"accessToken":"${leaked}","expires_on":"x","expiresOn":"later"}`]) {
    plan({ az: { stdout } });
    const r = await outcome(new azcred.AzureCliCredential().getToken(STORAGE));
    assert.equal(r.ok, false);
    assert.equal(r.name, 'CredentialUnavailableError');
    assert.ok(!r.message.includes(leaked), r.message);
    assert.match(r.message, /^Unexpected response from Azure CLI when getting token\./);
  }
});

test('azd: every scope, tenant and claims, /bin, as the reference', async () => {
  plan({ azd: { kind: 'azd' } });
  const r = await both('AzureDeveloperCliCredential', { tenantId: TENANT }, [STORAGE, VAULT], { claims: '{"a":1}' });
  sameAsReference(r);
  assert.deepEqual(shape(r.ourCalls), [
    {
      tool: 'azd',
      argv: ['auth', 'token', '--output', 'json', '--no-prompt', '--scope', STORAGE, '--scope', VAULT,
        '--tenant-id', TENANT, '--claims', 'eyJhIjoxfQ=='],
      cwd: BIN,
      env: {},
    },
  ]);
  assert.equal(r.ours.token.expiresOnTimestamp, r.ourCalls[0].expiresOnMs);
});

test('azd: not logged in, multi-factor, JSON stderr, not installed: the reference messages', async () => {
  for (const stderr of [
    'ERROR: not logged in, run `azd auth login` to login\n',
    'ERROR: fetching token: reauthentication required\n',
    '{"type":"consoleMessage","data":{"message":""}}\n{"error":"fetching token: AADSTS700082: expired","message":"m"}\n',
  ]) {
    plan({ azd: { stderr, exit: 1 } });
    sameAsReference(await both('AzureDeveloperCliCredential', {}, [STORAGE]));
  }
  const saved = process.env.PATH;
  process.env.PATH = emptyBin;
  try {
    sameAsReference(await both('AzureDeveloperCliCredential', {}, [STORAGE]));
  } finally {
    process.env.PATH = saved;
  }
});

test('pwsh: probe, then the reference script with the resource and tenant in the environment', async () => {
  plan({ pwsh: { kind: 'pwsh', prefix: 'WARNING: Upcoming breaking changes in Get-AzAccessToken\r\n' } });
  // Stale values in the parent, in another spelling, must not reach the script.
  process.env.azure_identity_powershell_resource = 'https://stale.example';
  process.env.AZURE_IDENTITY_POWERSHELL_TENANT_ID = 'stale-tenant';
  const r = await both('AzurePowerShellCredential', { tenantId: TENANT }, VAULT);
  sameAsReference(r);
  assert.equal(r.ourCalls.length, 2);
  assert.deepEqual(shape([r.ourCalls[0]]), [
    { tool: 'pwsh', argv: ['/?'], cwd: process.cwd(), env: { azure_identity_powershell_resource: 'https://stale.example', AZURE_IDENTITY_POWERSHELL_TENANT_ID: 'stale-tenant' } },
  ]);
  const main = r.ourCalls[1];
  assert.deepEqual(main.argv.slice(0, 3), ['-NoProfile', '-NonInteractive', '-Command']);
  assert.match(main.argv[3], /Get-AzAccessToken @params/);
  assert.deepEqual(main.env, {
    AZURE_IDENTITY_POWERSHELL_RESOURCE: 'https://vault.azure.net',
    AZURE_IDENTITY_POWERSHELL_TENANT_ID: TENANT,
  });
  assert.equal(main.cwd, process.cwd());
  assert.equal(r.ours.token.token, 'tok-pwsh');
  assert.equal(r.ours.token.expiresOnTimestamp, main.expiresOnMs);
});

test('pwsh: module missing, not connected, other errors, claims: the reference messages', async () => {
  for (const stderr of [
    "Import-Module: The specified module 'Az.Accounts' with version '2.2.0' was not loaded because no valid module file was found in any module directory.\n",
    'Get-AzAccessToken: Run Connect-AzAccount to login.\n',
    'Get-AzAccessToken: AADSTS50076: multi-factor authentication required',
  ]) {
    plan({ pwsh: { stderr, exit: 1 } });
    sameAsReference(await both('AzurePowerShellCredential', {}, STORAGE));
  }
  const claims = await both('AzurePowerShellCredential', {}, STORAGE, { claims: '{"a":1}', tenantId: TENANT });
  sameAsReference(claims);
  assert.equal(claims.ourCalls.length, 0);
  // Where the reference quotes the output (which can hold the token), azcred does not.
  plan({ pwsh: { stdout: 'token is secret-token-value' } });
  const r = await outcome(new azcred.AzurePowerShellCredential().getToken(STORAGE));
  assert.equal(r.message, `Error: No access token found in the output (27 characters received). ${PS_TROUBLESHOOT}`);
});

test('hostile scopes, tenants and subscriptions spawn nothing and fail as the reference does', async () => {
  plan({ az: { kind: 'az' }, azd: { kind: 'azd' }, pwsh: { kind: 'pwsh' } });
  const classes = ['AzureCliCredential', 'AzureDeveloperCliCredential', 'AzurePowerShellCredential'];
  for (const cls of classes) {
    for (const scope of ['https://x/.default; touch /tmp/pwned', '$(id)', 'https://x/.default\n--tenant x', 'a&b|c', 'https://x/?a=%2F']) {
      const r = await both(cls, {}, [scope]);
      sameAsReference(r);
      assert.equal(r.ourCalls.length, 0, `${cls} ${JSON.stringify(scope)}`);
      assert.equal(r.ours.name, 'CredentialUnavailableError');
    }
    for (const tenantId of ['evil;id', 'a b', '$(id)', 't/x']) {
      const r = await both(cls, {}, STORAGE, { tenantId });
      sameAsReference(r);
      assert.equal(r.ourCalls.length, 0);
      assert.equal(r.ours.name, 'Error', 'a plain Error, which stops a chain');
      assert.equal(r.ours.isUnavailable, false);
      assert.throws(() => new azcred[cls]({ tenantId }), (e) => e.name === 'Error' && !(e instanceof azcred.CredentialUnavailableError) && /^Invalid tenant id provided\./.test(e.message));
      assert.throws(() => new identity[cls]({ tenantId }), /^Error: Invalid tenant id provided\./);
    }
    // Not in the allow-list: CredentialUnavailableError, nothing spawned.
    const r = await both(cls, { tenantId: TENANT }, STORAGE, { tenantId: OTHER_TENANT });
    sameAsReference(r);
    assert.equal(r.ourCalls.length, 0);
  }
  for (const subscription of ['sub;rm', 'x|y', "o'brien", 'a/b']) {
    let ref;
    try {
      new identity.AzureCliCredential({ subscription });
    } catch (e) {
      ref = e;
    }
    assert.throws(() => new azcred.AzureCliCredential({ subscription }), (e) => e.name === 'Error' && e.message === ref.message);
  }
  assert.deepEqual(calls(), []);
});

test('processTimeoutInMs: a hung tool is killed and reported', async () => {
  for (const [cls, key] of [['AzureCliCredential', 'az'], ['AzureDeveloperCliCredential', 'azd'], ['AzurePowerShellCredential', 'pwsh']]) {
    plan({ [key]: { kind: key === 'pwsh' ? 'pwsh' : key, sleepMs: 20000 } });
    const started = Date.now();
    const r = await outcome(new azcred[cls]({ processTimeoutInMs: 400 }).getToken(STORAGE));
    const took = Date.now() - started;
    assert.equal(r.ok, false);
    assert.equal(r.name, 'CredentialUnavailableError');
    assert.match(r.message, /did not finish within 400 ms and was stopped/);
    assert.ok(took >= 350 && took < 5000, `${cls} took ${took} ms`);
    assert.equal(calls().length, key === 'pwsh' ? 2 : 1);
  }
});

test('a token is cached (the tool runs once), and a slow tool is not cut short by the default deadline', async () => {
  plan({ az: { kind: 'az' } });
  const cred = new azcred.AzureCliCredential();
  const first = await cred.getToken(STORAGE);
  const second = await cred.getToken([STORAGE]);
  assert.deepEqual(second, first);
  assert.equal(calls().length, 1);
  // The 30 s deadline itself is checked in the core's scenario tests (exact action data).
  plan({ azd: { kind: 'azd', sleepMs: 1500 } });
  const t = await new azcred.AzureDeveloperCliCredential().getToken(STORAGE);
  assert.equal(t.token, 'tok-azd');
  assert.equal(calls().length, 1);
});

test('BlobServiceClient against Azurite with a token from az: one az run for the whole round trip', async (t) => {
  const { BlobServiceClient } = require('@azure/storage-blob');
  const { ensureTestCa } = require('../support/tls');
  const { startAzurite } = require('../support/azurite');
  const tls = ensureTestCa();
  const data = path.join(dir, 'azurite');
  const azurite = await startAzurite({ dir: data, cert: tls.cert, key: tls.key });
  t.after(async () => {
    await azurite.stop();
    tls.cleanup();
  });
  plan({ az: { kind: 'az', mint: TENANT } });
  const options = tls.processTrustsCa ? {} : { tlsOptions: { ca: fs.readFileSync(tls.ca) } };
  const client = new BlobServiceClient(azurite.blobUrl, new azcred.AzureCliCredential(), options);
  const container = client.getContainerClient(`c${crypto.randomBytes(6).toString('hex')}`);
  await container.create();
  const bytes = crypto.randomBytes(64 * 1024);
  const blob = container.getBlockBlobClient('hello.bin');
  await blob.uploadData(bytes);
  assert.ok((await blob.downloadToBuffer()).equals(bytes));
  await container.delete();
  const ran = calls();
  assert.equal(ran.length, 1, 'create, upload, download and delete share one az token');
  assert.deepEqual(ran[0].argv, ['account', 'get-access-token', '--output', 'json', '--resource', 'https://storage.azure.com']);
});

// Last: the reference drops `pwsh` for the rest of the process once its probe fails.
test('pwsh not installed: the reference message, and it is not tried again', async () => {
  const saved = process.env.PATH;
  process.env.PATH = emptyBin;
  try {
    const r = await both('AzurePowerShellCredential', {}, STORAGE);
    sameAsReference(r);
    assert.equal(r.ours.message, `Error: Unable to execute PowerShell. Ensure that it is installed in your system. ${PS_TROUBLESHOOT}`);
  } finally {
    process.env.PATH = saved;
  }
});
