'use strict';
// examples/azure-functions, run the way the Functions Node.js worker runs it: the worker provides
// the module `@azure/functions-core` to the app (it hooks the module loader), the app's
// `app.http(...)` registers its metadata and handler there, and the worker calls that handler
// with an `HttpRequest` and an `InvocationContext` (the real classes of @azure/functions). The
// handler uses azcred's DefaultAzureCredential (managed identity from the identity emulator, as
// on App Service) and the real BlobServiceClient against Azurite (HTTPS, OAuth checks on).

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const crypto = require('node:crypto');
const Module = require('node:module');

const { startEmulator } = require('../../npm/lib/emulator');
const { ensureTestCa } = require('../support/tls');
const { startAzurite } = require('../support/azurite');
const { setAzureEnv } = require('../support/fake-endpoint');

const exampleDir = path.join(__dirname, '..', '..', 'examples', 'azure-functions');
const functionsPkg = require.resolve('@azure/functions', { paths: [exampleDir] });

/** What the worker gives the app as `@azure/functions-core`: it records the registrations. */
const registered = [];
const coreApi = {
  programmingModel: undefined,
  setProgrammingModel(model) {
    this.programmingModel = model;
  },
  getProgrammingModel() {
    return this.programmingModel;
  },
  registerFunction(metadata, callback) {
    registered.push({ metadata, callback });
    return { dispose() {} };
  },
  registerHook() {
    return { dispose() {} };
  },
  log() {},
};

let tls;
let azurite;
let emu;
let dir;
let functions;
const container = `functions${crypto.randomBytes(4).toString('hex')}`;

before(async () => {
  tls = ensureTestCa();
  assert.ok(tls.processTrustsCa, 'tests/run.js sets NODE_EXTRA_CA_CERTS (the app makes its client without TLS options)');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'azcred-functions-'));
  [azurite, emu] = await Promise.all([startAzurite({ dir, cert: tls.cert, key: tls.key }), startEmulator()]);
  // The Function App's settings: managed identity (App Service protocol) and the account.
  setAzureEnv(emu.appServiceEnv);
  process.env.AZURE_STORAGE_ACCOUNT_URL = azurite.blobUrl;
  process.env.BLOB_CONTAINER = container;
  const load = Module._load;
  Module._load = function hooked(request, ...rest) {
    return request === '@azure/functions-core' ? coreApi : load.call(this, request, ...rest);
  };
  // The worker loads every file the app's package.json "main" names.
  const main = JSON.parse(fs.readFileSync(path.join(exampleDir, 'package.json'), 'utf8')).main;
  assert.equal(main, 'src/functions/*.js');
  for (const f of fs.readdirSync(path.join(exampleDir, 'src', 'functions')).filter((n) => n.endsWith('.js'))) {
    require(path.join(exampleDir, 'src', 'functions', f));
  }
  functions = require(functionsPkg);
}, { timeout: 60000 });

after(async () => {
  await Promise.all([emu && emu.close(), azurite && azurite.stop()]);
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  if (tls) tls.cleanup();
});

/** Invokes the registered `blobs` function as the worker does. */
function invoke(method, query, body) {
  const { callback } = registered.find((r) => r.metadata.name === 'blobs');
  const url = `http://localhost:7071/api/blobs${query ? `?${new URLSearchParams(query)}` : ''}`;
  const request = new functions.HttpRequest({ method, url, ...(body === undefined ? {} : { body: { string: body } }) });
  const logs = [];
  const context = new functions.InvocationContext({ functionName: 'blobs', invocationId: crypto.randomUUID(), logHandler: (level, ...args) => logs.push([level, ...args]) });
  return callback(request, context).then((response) => ({ response, logs }));
}

test('the app registers one HTTP function, blobs, GET and POST, function-level auth', () => {
  assert.ok(coreApi.programmingModel, 'the app set its programming model');
  assert.equal(coreApi.programmingModel.name, '@azure/functions');
  assert.equal(registered.length, 1);
  const { metadata } = registered[0];
  assert.equal(metadata.name, 'blobs');
  const trigger = Object.values(metadata.bindings).find((b) => b.direction === 'in');
  assert.equal(trigger.type, 'httpTrigger');
  assert.deepEqual(trigger.methods, ['GET', 'POST']);
  assert.equal(trigger.authLevel, 'function');
  assert.ok(Object.values(metadata.bindings).some((b) => b.type === 'http' && b.direction === 'out'), 'an HTTP output binding');
});

test('POST stores a blob, GET reads it back and lists it, one managed-identity token for all of it', async () => {
  const before = emu.requests.length;
  const text = `hello from a function ${crypto.randomUUID()}`;
  const stored = await invoke('POST', { name: 'greeting.txt' }, text);
  assert.equal(stored.response.status, 201);
  assert.deepEqual(stored.response.jsonBody, { name: 'greeting.txt', bytes: Buffer.byteLength(text) });
  assert.ok(stored.logs.some(([, msg]) => String(msg).includes(`stored greeting.txt`)), 'the handler logged through its context');

  const read = await invoke('GET', { name: 'greeting.txt' });
  assert.equal(read.response.status, 200);
  assert.equal(read.response.body, text);

  const listed = await invoke('GET');
  assert.equal(listed.response.status, 200);
  assert.deepEqual(listed.response.jsonBody, { container, blobs: ['greeting.txt'] });

  const missing = await invoke('GET', { name: 'absent.txt' });
  assert.equal(missing.response.status, 404);

  const tokenRequests = emu.requests.slice(before);
  assert.equal(tokenRequests.length, 1, 'four invocations share the cached token');
  assert.match(tokenRequests[0].url, /resource=https%3A%2F%2Fstorage.azure.com/);
});

test('POST without a name is a 400 and stores nothing', async () => {
  const before = (await invoke('GET')).response.jsonBody.blobs;
  const { response } = await invoke('POST', undefined, 'x');
  assert.equal(response.status, 400);
  assert.deepEqual(response.jsonBody, { error: 'the name query parameter is required' });
  assert.deepEqual((await invoke('GET')).response.jsonBody.blobs, before);
});
