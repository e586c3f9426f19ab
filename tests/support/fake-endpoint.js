'use strict';
// Strict fake endpoints on 127.0.0.1 for the end-to-end tests: each request is recorded and
// answered by a handler the test sets, so tests can check exactly what the credential sent.

const http = require('node:http');
const https = require('node:https');
const fs = require('node:fs');

/**
 * Starts a server. `handler(req, body)` returns `{status, headers, body}` (or a promise of it),
 * or `null` to leave the request unanswered (a hanging endpoint).
 *
 * @param {{tls?: {key: string, cert: string}}} [options] paths of a key and certificate for HTTPS
 */
async function startFakeEndpoint(options = {}) {
  const requests = [];
  const hanging = new Set();
  let handler = () => ({ status: 500, body: '{"error":"no handler"}' });
  const onRequest = (req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const url = new URL(req.url, 'http://127.0.0.1');
      const record = {
        method: req.method,
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        rawQuery: url.search,
        headers: req.headers,
        body,
        time: Date.now(),
      };
      requests.push(record);
      let answer;
      try {
        answer = await handler(record, requests.length);
      } catch (e) {
        answer = { status: 500, body: JSON.stringify({ error: 'handler_failed', error_description: e.message }) };
      }
      if (answer === null) {
        hanging.add(res);
        return;
      }
      const headers = { 'Content-Type': 'application/json', ...(answer.headers || {}) };
      res.writeHead(answer.status || 200, headers);
      res.end(typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body));
    });
  };
  const server = options.tls
    ? https.createServer({ key: fs.readFileSync(options.tls.key), cert: fs.readFileSync(options.tls.cert) }, onRequest)
    : http.createServer(onRequest);
  const sockets = new Set();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    port,
    url: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    requests,
    setHandler(h) {
      handler = h;
    },
    close() {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** A token response body as App Service sends it (expires_on as an epoch-seconds string). */
function tokenBody(token, lifetimeSeconds = 3600, extra = {}) {
  return JSON.stringify({
    access_token: token,
    expires_on: String(Math.floor(Date.now() / 1000) + lifetimeSeconds),
    resource: 'https://storage.azure.com',
    token_type: 'Bearer',
    ...extra,
  });
}

/** Environment variables the credentials read; tests clear them so the machine's own leave no
 * trace. */
const AZURE_VARS = [
  'IDENTITY_ENDPOINT',
  'IDENTITY_HEADER',
  'IDENTITY_SERVER_THUMBPRINT',
  'IMDS_ENDPOINT',
  'MSI_ENDPOINT',
  'MSI_SECRET',
  'SYSTEM_OIDCREQUESTURI',
  'AZURE_CLIENT_ID',
  'AZURE_TENANT_ID',
  'AZURE_CLIENT_SECRET',
  'AZURE_CLIENT_CERTIFICATE_PATH',
  'AZURE_CLIENT_CERTIFICATE_PASSWORD',
  'AZURE_USERNAME',
  'AZURE_PASSWORD',
  'AZURE_FEDERATED_TOKEN_FILE',
  'AZURE_AUTHORITY_HOST',
  'AZURE_TOKEN_CREDENTIALS',
  'AZURE_POD_IDENTITY_AUTHORITY_HOST',
  'AZCRED_IMDS_ENDPOINT',
  'DEFAULT_IDENTITY_CLIENT_ID',
];

/** A loopback port nothing listens on: IMDS for every test that does not name one, so no test
 * ever sends a packet to the real IMDS address (169.254.169.254). */
const NO_IMDS = 'http://127.0.0.1:9';

/** Sets exactly `vars` among the Azure variables (credentials read the environment when they
 * are constructed), with IMDS pointed at a closed loopback port unless `vars` says otherwise. */
function setAzureEnv(vars) {
  for (const v of AZURE_VARS) delete process.env[v];
  Object.assign(process.env, { AZCRED_IMDS_ENDPOINT: NO_IMDS }, vars);
}

/** The User-Agent azcred sends from this process (the package's version, this Node, this OS),
 * after `prefix` when given. Written out here, not asked of azcred, so a wrong header fails. */
function expectedUserAgent(prefix) {
  const os = require('node:os');
  const { version } = require('../../npm/package.json');
  const own = `azcred/${version} Node/${process.versions.node} (${os.type()} ${os.release()}; ${process.arch})`;
  return prefix ? `${prefix} ${own}` : own;
}

module.exports = { startFakeEndpoint, tokenBody, setAzureEnv, AZURE_VARS, expectedUserAgent };
