'use strict';
// What the Entra end-to-end tests share: error answers as Entra sends them, access tokens minted as Entra would issue them (for
// Azurite's OAuth check, which reads iss, aud and the times; the signature is real but not
// checked) and a blob round trip with the real BlobServiceClient against Azurite.

const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const { BlobServiceClient } = require('@azure/storage-blob');

/** A token minter with its own RSA key. `mint(audience, tenant, subject, extra)` returns a JWT. */
function tokenMinter() {
  const key = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  return function mint(audience, tenant, subject, extra = {}) {
    const now = Math.floor(Date.now() / 1000);
    const header = { alg: 'RS256', typ: 'JWT' };
    const payload = {
      aud: audience,
      iss: `https://sts.windows.net/${tenant}/`,
      iat: now - 300,
      nbf: now - 300,
      exp: now + 3600,
      appid: subject,
      oid: subject,
      sub: subject,
      tid: tenant,
      uti: crypto.randomUUID(),
      ...extra,
    };
    const input = `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
    return `${input}.${crypto.sign('sha256', Buffer.from(input), key).toString('base64url')}`;
  };
}

/** An Entra error answer as the token endpoint sends it (AADSTS code, trace and correlation
 * ids). */
function aadError(status, error, code, description) {
  return {
    status,
    body: {
      error,
      error_description: `AADSTS${code}: ${description}`,
      error_codes: [code],
      timestamp: '2024-01-01 00:00:00Z',
      trace_id: 'trace-1',
      correlation_id: 'corr-1',
    },
  };
}

const b64url = (v) => Buffer.from(JSON.stringify(v)).toString('base64url');

/** A user token answer as Entra sends a public client: `accessToken` and `refreshToken` for
 * `scope`, the account `user.oid` of `tenant` in `client_info`, and an id token for `client`
 * naming `user.upn`. */
function userTokenAnswer({ scope, accessToken, refreshToken, client, tenant, user }) {
  return {
    status: 200,
    body: {
      token_type: 'Bearer',
      scope,
      expires_in: 3599,
      ext_expires_in: 3599,
      access_token: accessToken,
      refresh_token: refreshToken,
      id_token: `${b64url({ typ: 'JWT', alg: 'none' })}.${b64url({ aud: client, tid: tenant, oid: user.oid, preferred_username: user.upn })}.`,
      client_info: b64url({ uid: user.oid, utid: tenant }),
    },
  };
}

/** Creates a container, uploads and downloads a blob and deletes the container, with
 * `credential`, against Azurite at `blobUrl`. */
async function blobRoundTrip(blobUrl, credential) {
  const client = new BlobServiceClient(blobUrl, credential);
  const container = client.getContainerClient(`c${crypto.randomBytes(6).toString('hex')}`);
  await container.create();
  const data = crypto.randomBytes(64 * 1024);
  const blob = container.getBlockBlobClient('hello.bin');
  await blob.uploadData(data);
  assert.ok((await blob.downloadToBuffer()).equals(data), 'the downloaded bytes equal the uploaded ones');
  await container.delete();
}

module.exports = { tokenMinter, blobRoundTrip, aadError, userTokenAnswer };
