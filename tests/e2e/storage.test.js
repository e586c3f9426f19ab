'use strict';
// The real @azure/storage-blob BlobServiceClient with azcred's credentials, against real Azurite
// (OAuth checks on, HTTPS with a certificate made at test time) and the local identity emulator.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const crypto = require('node:crypto');

const { BlobServiceClient } = require('@azure/storage-blob');
const azcred = require('../../npm');
const { startEmulator } = require('../../npm/lib/emulator');
const { ensureTestCa } = require('../support/tls');
const { startAzurite } = require('../support/azurite');
const { setAzureEnv } = require('../support/fake-endpoint');

let tls;
let azurite;
let emu;
let dir;

before(async () => {
  tls = ensureTestCa();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'azcred-storage-'));
  [azurite, emu] = await Promise.all([startAzurite({ dir, cert: tls.cert, key: tls.key }), startEmulator()]);
}, { timeout: 60000 });

after(async () => {
  await Promise.all([emu && emu.close(), azurite && azurite.stop()]);
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  if (tls) tls.cleanup();
});

function client(credential) {
  const options = tls.processTrustsCa ? {} : { tlsOptions: { ca: fs.readFileSync(tls.ca) } };
  return new BlobServiceClient(azurite.blobUrl, credential, options);
}

async function roundTrip(credential) {
  const name = `c${crypto.randomBytes(6).toString('hex')}`;
  const container = client(credential).getContainerClient(name);
  await container.create();
  const data = crypto.randomBytes(100 * 1024);
  const blob = container.getBlockBlobClient('hello.bin');
  await blob.uploadData(data);
  const back = await blob.downloadToBuffer();
  assert.ok(back.equals(data), 'the downloaded bytes equal the uploaded ones');
  await container.delete();
}

test('DefaultAzureCredential, App Service managed identity: a blob round trip with one token request', async () => {
  setAzureEnv(emu.appServiceEnv);
  const before = emu.requests.length;
  await roundTrip(new azcred.DefaultAzureCredential());
  const tokenRequests = emu.requests.slice(before);
  assert.equal(tokenRequests.length, 1, 'create, upload, download and delete share one token');
  assert.match(tokenRequests[0].url, /resource=https%3A%2F%2Fstorage.azure.com/);
});

test('DefaultAzureCredential, IMDS managed identity (user-assigned): a blob round trip', async () => {
  setAzureEnv({ ...emu.imdsEnv, AZURE_CLIENT_ID: '11111111-2222-3333-4444-555555555555' });
  const before = emu.requests.length;
  await roundTrip(new azcred.DefaultAzureCredential());
  const sent = emu.requests.slice(before);
  assert.equal(sent.length, 2, 'one probe, one token request');
  assert.match(sent[1].url, /client_id=11111111-2222-3333-4444-555555555555/);
});

test('Azurite refuses a token for the wrong audience (the OAuth check is real)', async () => {
  setAzureEnv(emu.appServiceEnv);
  const cred = new azcred.ManagedIdentityCredential();
  const wrong = { getToken: () => cred.getToken('https://vault.azure.net/.default') };
  await assert.rejects(roundTrip(wrong), (e) => e.statusCode === 403);
});
