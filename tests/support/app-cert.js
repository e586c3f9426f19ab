'use strict';
// An app registration's certificate for the Entra end-to-end tests, made at test time with
// openssl: a CA and an RSA 2048 leaf it signs, written as PEM files in every form the
// certificate credentials read; and the checks Entra makes on a certificate's client assertion.

const fs = require('node:fs');
const path = require('node:path');
const crypto = require('node:crypto');
const { execFileSync } = require('node:child_process');

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** Runs openssl in `dir` with a throw-away config (no system openssl.cnf needed). */
function openssl(dir, args) {
  const config = path.join(dir, 'openssl.cnf');
  if (!fs.existsSync(config)) fs.writeFileSync(config, '[ req ]\ndistinguished_name = dn\nprompt = no\n[ dn ]\nCN = azcred-app\n');
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], timeout: 30000, env: { ...process.env, OPENSSL_CONF: config } });
}

/**
 * Makes the certificate in `dir`. Returns the PEM files (`plain`: leaf, CA and key;
 * `encrypted`: the key as encrypted PKCS#8 with `keyPassword`), the PEM text with an encrypted
 * PKCS#1 key (`encryptedPkcs1Text`), and what Entra checks: the public key, the `x5t#S256`
 * thumbprint and the `x5c` chain.
 */
function makeAppCertificate(dir, keyPassword) {
  const config = path.join(dir, 'openssl.cnf');
  openssl(dir, ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', 'app-ca-key.pem']);
  openssl(dir, ['req', '-config', config, '-x509', '-new', '-key', 'app-ca-key.pem', '-sha256', '-days', '2', '-subj', '/CN=azcred app CA', '-out', 'app-ca.pem']);
  openssl(dir, ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', 'app-key.pem']);
  openssl(dir, ['req', '-config', config, '-new', '-key', 'app-key.pem', '-subj', '/CN=azcred app', '-out', 'app.csr']);
  openssl(dir, ['x509', '-req', '-in', 'app.csr', '-CA', 'app-ca.pem', '-CAkey', 'app-ca-key.pem', '-set_serial', '0x0a2c0de0', '-days', '2', '-sha256', '-out', 'app-cert.pem']);
  const read = (n) => fs.readFileSync(path.join(dir, n), 'utf8');
  const leaf = read('app-cert.pem');
  const ca = read('app-ca.pem');
  const key = crypto.createPrivateKey(read('app-key.pem'));
  const encryptedPkcs8 = key.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: keyPassword });
  const encryptedPkcs1 = key.export({ type: 'pkcs1', format: 'pem', cipher: 'aes-128-cbc', passphrase: keyPassword });
  const plain = path.join(dir, 'app-plain.pem');
  const encrypted = path.join(dir, 'app-encrypted.pem');
  fs.writeFileSync(plain, leaf + ca + read('app-key.pem'));
  fs.writeFileSync(encrypted, leaf + ca + encryptedPkcs8);
  const leafX509 = new crypto.X509Certificate(leaf);
  return {
    plain,
    encrypted,
    encryptedPkcs1Text: leaf + ca + encryptedPkcs1,
    publicKey: leafX509.publicKey,
    x5t: crypto.createHash('sha256').update(leafX509.raw).digest('base64url'),
    chain: [leafX509.raw.toString('base64'), new crypto.X509Certificate(ca).raw.toString('base64')],
  };
}

const b64json = (part) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));

/** Checks a certificate's client assertion for app `clientId` as Entra does; returns the
 * problems found (none: it is valid). */
function assertionProblems(jwt, audience, cert, clientId) {
  const problems = [];
  const parts = String(jwt).split('.');
  if (parts.length !== 3) return ['not a JWS'];
  const [h, p, s] = parts;
  const header = b64json(h);
  const payload = b64json(p);
  if (header.alg !== 'PS256') problems.push(`alg ${header.alg}`);
  if (header.typ !== 'JWT') problems.push('typ');
  if (header['x5t#S256'] !== cert.x5t) problems.push('x5t#S256 is not the certificate');
  if (header.x5c && header.x5c[0] !== cert.chain[0]) problems.push('x5c[0] is not the certificate');
  const signatureOk = crypto.verify(
    'sha256',
    Buffer.from(`${h}.${p}`),
    { key: cert.publicKey, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: crypto.constants.RSA_PSS_SALTLEN_DIGEST },
    Buffer.from(s, 'base64url'),
  );
  if (!signatureOk) problems.push('the PS256 signature does not verify');
  if (payload.aud !== audience) problems.push(`aud ${payload.aud}`);
  if (payload.iss !== clientId || payload.sub !== clientId) problems.push('iss/sub');
  if (payload.exp - payload.iat !== 600) problems.push('exp - iat');
  if (payload.nbf !== payload.iat) problems.push('nbf');
  if (Math.abs(payload.iat - Date.now() / 1000) > 60) problems.push('iat');
  if (!UUID_V4.test(payload.jti)) problems.push('jti');
  return problems;
}

module.exports = { makeAppCertificate, assertionProblems, b64json, openssl, UUID_V4 };
