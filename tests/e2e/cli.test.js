'use strict';
// The azcred command line: `token` and `explain` against the identity emulator, and the token
// redacted unless asked for.

const { test, after } = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { execFile } = require('node:child_process');

const { startEmulator } = require('../../npm/lib/emulator');

const BIN = path.join(__dirname, '..', '..', 'npm', 'bin', 'azcred.js');
const STORAGE = 'https://storage.azure.com/.default';

let emu;
after(() => emu && emu.close());

function cli(args, env) {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, timeout: 20000 }, (err, stdout, stderr) => {
      resolve({ code: err ? err.code : 0, stdout, stderr });
    });
  });
}

test('token: which credential, the expiry, and the token redacted unless --show', async () => {
  emu = await startEmulator();
  const r = await cli(['token', '--scope', STORAGE], emu.appServiceEnv);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^credential: ManagedIdentityCredential$/m);
  assert.match(r.stdout, /^expires: \d{4}-\d\d-\d\dT/m);
  const shown = /^token: (.*)$/m.exec(r.stdout)[1];
  assert.match(shown, /^.{6}\.\.\.\[\d+ chars\]$/);
  const full = await cli(['token', '--scope', STORAGE, '--show'], emu.appServiceEnv);
  const token = /^token: (.*)$/m.exec(full.stdout)[1];
  assert.equal(token.split('.').length, 3);
  assert.ok(!r.stdout.includes(token), 'the redacted output does not hold the token');
});

test('explain: every credential of the chain, and which one supplied the token', async () => {
  const r = await cli(['explain', '--scope', STORAGE], emu.appServiceEnv);
  assert.equal(r.code, 0, r.stderr);
  for (const name of ['EnvironmentCredential', 'WorkloadIdentityCredential', 'ManagedIdentityCredential',
    'VisualStudioCodeCredential', 'AzureCliCredential', 'AzurePowerShellCredential', 'AzureDeveloperCliCredential']) {
    assert.match(r.stdout, new RegExp(`^  [-+*] ${name}: `, 'm'));
  }
  assert.match(r.stdout, /^  \+ ManagedIdentityCredential: App Service endpoint, system-assigned identity$/m);
  assert.match(r.stdout, /^credential: ManagedIdentityCredential$/m);
  assert.ok(!r.stdout.includes(emu.appServiceEnv.IDENTITY_HEADER), 'no endpoint secret');
});

test('failures exit 1 with the error; bad usage exits 2', async () => {
  // IMDS at a closed loopback port refuses at once: managed identity is unavailable.
  const r = await cli(['token', '--credential', 'managed-identity', '--scope', STORAGE], { AZCRED_IMDS_ENDPOINT: 'http://127.0.0.1:9' });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^CredentialUnavailableError: ManagedIdentityCredential: Authentication failed\. Message IMDS refused the connection/);
  const bad = await cli(['frobnicate'], {});
  assert.equal(bad.code, 2);
  const missing = await cli(['token', '--scope'], {});
  assert.equal(missing.code, 2);
});
