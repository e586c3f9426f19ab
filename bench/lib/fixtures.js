'use strict';
// What the scenarios need on disk and on loopback: tokens that look like Entra's (JWTs Azurite
// accepts), a fake `az` on PATH, a fake Entra token endpoint over HTTPS, a refused port.

const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');
const crypto = require('node:crypto');

const { startFakeEndpoint } = require('../../tests/support/fake-endpoint');

const TENANT = '7a2c0de0-0000-4000-8000-00000000a2c0';
const CLIENT_ID = '7a2c0de0-0000-4000-8000-000000000003';
const SUBSCRIPTION = '7a2c0de0-0000-4000-8000-0000000005b5';

let signingKey;

/** An RS256 JWT with the claims Azurite's `--oauth basic` checks (it does not check the
 * signature); `label` goes into a claim so tokens from different sources differ. */
function mintJwt(label, lifetimeSeconds = 3600) {
  if (!signingKey) signingKey = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  const now = Math.floor(Date.now() / 1000);
  const header = { alg: 'RS256', typ: 'JWT' };
  const claims = {
    aud: 'https://storage.azure.com',
    iss: `https://sts.windows.net/${TENANT}/`,
    iat: now - 300,
    nbf: now - 300,
    exp: now + lifetimeSeconds,
    appid: CLIENT_ID,
    oid: CLIENT_ID,
    sub: CLIENT_ID,
    tid: TENANT,
    src: label,
    uti: crypto.randomBytes(16).toString('base64url'),
  };
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const input = `${b64(header)}.${b64(claims)}`;
  return `${input}.${crypto.sign('sha256', Buffer.from(input), signingKey).toString('base64url')}`;
}

/** What probe.js reports for a token: its length and a SHA-256 prefix. */
function fingerprint(token) {
  return { len: token.length, sha: crypto.createHash('sha256').update(token).digest('hex').slice(0, 12) };
}

/**
 * Writes `<dir>/az`, a logged-in Azure CLI: it appends its arguments to `logPath` and prints
 * `az account get-access-token --output json` output for `token`. Plain sh with builtins only
 * (printf), so it works with PATH holding nothing but this directory and costs about as little
 * as a process can; a real `az` (Python) takes most of a second, which is not what this measures.
 */
function writeFakeAz(dir, token, logPath) {
  fs.mkdirSync(dir, { recursive: true });
  const exp = Math.floor(Date.now() / 1000) + 3600;
  const local = new Date(exp * 1000);
  const pad = (n) => String(n).padStart(2, '0');
  const expiresOn = `${local.getFullYear()}-${pad(local.getMonth() + 1)}-${pad(local.getDate())} ${pad(local.getHours())}:${pad(local.getMinutes())}:${pad(local.getSeconds())}.000000`;
  const json = JSON.stringify({
    accessToken: token,
    expiresOn,
    expires_on: exp,
    subscription: SUBSCRIPTION,
    tenant: TENANT,
    tokenType: 'Bearer',
  });
  if (/'/.test(json) || /'/.test(logPath)) throw new Error('writeFakeAz: unexpected quote');
  const script = `#!/bin/sh
# Fake Azure CLI for the azcred benchmark (generated): logs each run, prints a token.
printf '%s\\n' "$*" >> '${logPath}'
printf '%s\\n' '${json}'
`;
  const file = path.join(dir, 'az');
  fs.writeFileSync(file, script, { mode: 0o700 });
  return file;
}

/** Lines in the fake az's log (one per run). */
function countLines(file) {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).length;
  } catch {
    return 0;
  }
}

/**
 * A fake Entra ID over HTTPS on 127.0.0.1 (the certificate from tests/support/tls.js, signed by a
 * CA made at run time): the OpenID metadata MSAL reads for an authority host it does not know,
 * and the client-credentials token endpoint, which answers a federated-token assertion (or the
 * client secret `secret`, when given).
 */
async function startFakeEntra(tls, assertion, token, secret) {
  const entra = await startFakeEndpoint({ tls: { key: tls.key, cert: tls.cert } });
  const base = entra.url;
  entra.setHandler((r) => {
    const tenant = r.path.split('/')[1];
    if (r.method === 'GET' && r.path === `/${tenant}/v2.0/.well-known/openid-configuration`) {
      return {
        status: 200,
        body: {
          token_endpoint: `${base}/${tenant}/oauth2/v2.0/token`,
          authorization_endpoint: `${base}/${tenant}/oauth2/v2.0/authorize`,
          end_session_endpoint: `${base}/${tenant}/oauth2/v2.0/logout`,
          jwks_uri: `${base}/${tenant}/discovery/v2.0/keys`,
          issuer: `${base}/${tenant}/v2.0`,
          response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
          scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
        },
      };
    }
    if (r.method === 'POST' && r.path === `/${tenant}/oauth2/v2.0/token`) {
      const form = new URLSearchParams(r.body);
      const proved = form.get('client_assertion') === assertion || (secret !== undefined && form.get('client_secret') === secret);
      if (!proved || form.get('grant_type') !== 'client_credentials') {
        return { status: 401, body: { error: 'invalid_client', error_description: 'AADSTS700213: bench: unexpected assertion.' } };
      }
      return { status: 200, body: { token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: token } };
    }
    return { status: 404, body: { error: 'not_found' } };
  });
  return entra;
}

/** A 127.0.0.1 port nothing listens on (bound, then released: connecting to it is refused). */
async function refusedPort() {
  const server = net.createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

module.exports = { TENANT, CLIENT_ID, mintJwt, fingerprint, writeFakeAz, countLines, startFakeEntra, refusedPort };
