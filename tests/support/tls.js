'use strict';
/**
 * Test TLS material: a throw-away CA and a server certificate it signs for 127.0.0.1/localhost,
 * made with the `openssl` command line (stock openssl 3 on Debian; no shell, no system
 * openssl.cnf needed: every invocation uses a config file written here).
 *
 *   node tests/support/tls.js <dir>     writes <dir>/ca.pem, server-key.pem, server-cert.pem
 *
 * Convention for the test runner: generate once into a directory D, then start node with
 *   AZCRED_TEST_TLS_DIR=D NODE_EXTRA_CA_CERTS=D/ca.pem
 * so every HTTPS client in the test process (the Azure SDK included) trusts the test CA.
 * ensureTestCa() reads that convention, and falls back to fresh material in a temp directory
 * (then the caller must hand `ca` to its HTTPS clients itself: processTrustsCa is false).
 */

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const crypto = require('node:crypto');
const { execFileSync } = require('node:child_process');

const OPENSSL_TIMEOUT_MS = 30000;
const VALID_DAYS = '7';

const OPENSSL_CONFIG = `# azcred test TLS material (generated)
[ req ]
distinguished_name = dn
prompt = no

[ dn ]
CN = azcred-test

[ v3_ca ]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash

[ v3_server ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1, DNS:localhost
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid, issuer
`;

function openssl(args, cwd, configPath) {
  try {
    execFileSync('openssl', args, {
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: OPENSSL_TIMEOUT_MS,
      // Keep openssl away from whatever system config may or may not exist.
      env: { ...process.env, OPENSSL_CONF: configPath },
    });
  } catch (err) {
    if (err.code === 'ENOENT') {
      throw new Error('generateTlsMaterial: the `openssl` command was not found (apt-get install openssl)');
    }
    const stderr = err.stderr ? String(err.stderr).trim() : err.message;
    throw new Error(`generateTlsMaterial: openssl ${args[0]} failed: ${stderr}`);
  }
}

/**
 * Create a fresh CA and a server certificate (SAN IP:127.0.0.1, DNS:localhost) in `dir`.
 * @param {string} dir  Created if missing.
 * @returns {{ca: string, key: string, cert: string}} absolute paths of ca.pem, server-key.pem, server-cert.pem
 */
function generateTlsMaterial(dir) {
  if (!dir) throw new Error('generateTlsMaterial: a directory is required');
  dir = path.resolve(dir);
  fs.mkdirSync(dir, { recursive: true });
  const configPath = path.join(dir, 'openssl.cnf');
  fs.writeFileSync(configPath, OPENSSL_CONFIG);
  const run = (args) => openssl(args, dir, configPath);
  const ecKey = (out) => run(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', out]);
  const tag = crypto.randomBytes(4).toString('hex');

  ecKey('ca-key.pem');
  run(['req', '-config', configPath, '-x509', '-new', '-key', 'ca-key.pem', '-sha256', '-days', VALID_DAYS,
    '-subj', `/CN=azcred test CA ${tag}`, '-extensions', 'v3_ca', '-out', 'ca.pem']);
  ecKey('server-key.pem');
  run(['req', '-config', configPath, '-new', '-key', 'server-key.pem', '-subj', '/CN=localhost', '-out', 'server.csr']);
  run(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca-key.pem',
    '-set_serial', `0x${crypto.randomBytes(8).toString('hex')}`, '-days', VALID_DAYS, '-sha256',
    '-extfile', configPath, '-extensions', 'v3_server', '-out', 'server-cert.pem']);
  fs.rmSync(path.join(dir, 'server.csr'), { force: true });

  return {
    ca: path.join(dir, 'ca.pem'),
    key: path.join(dir, 'server-key.pem'),
    cert: path.join(dir, 'server-cert.pem'),
  };
}

/**
 * TLS material for a test file.
 *
 * With AZCRED_TEST_TLS_DIR set (the runner's convention), its ca.pem/server-*.pem are used and
 * NODE_EXTRA_CA_CERTS must point at its ca.pem or a bundle containing it; otherwise
 * fresh material is generated in a temp directory that cleanup() removes.
 *
 * @returns {{dir: string, ca: string, key: string, cert: string, processTrustsCa: boolean, cleanup: () => void}}
 */
function ensureTestCa() {
  const dir = process.env.AZCRED_TEST_TLS_DIR;
  if (dir) {
    const abs = path.resolve(dir);
    const paths = { ca: path.join(abs, 'ca.pem'), key: path.join(abs, 'server-key.pem'), cert: path.join(abs, 'server-cert.pem') };
    for (const p of Object.values(paths)) {
      if (!fs.existsSync(p)) {
        throw new Error(`AZCRED_TEST_TLS_DIR=${dir} has no ${path.basename(p)}; create it with: node tests/support/tls.js ${dir}`);
      }
    }
    // NODE_EXTRA_CA_CERTS is read once, at process start: it must be our ca.pem, or a bundle
    // that contains it.
    const extra = process.env.NODE_EXTRA_CA_CERTS;
    const caPem = fs.readFileSync(paths.ca, 'utf8').trim();
    let trusted = false;
    if (extra) {
      trusted = path.resolve(extra) === paths.ca;
      if (!trusted) {
        try {
          trusted = fs.readFileSync(extra, 'utf8').includes(caPem);
        } catch {
          trusted = false;
        }
      }
    }
    if (!trusted) {
      throw new Error(
        `AZCRED_TEST_TLS_DIR is set, so NODE_EXTRA_CA_CERTS must name ${paths.ca} (or a bundle containing it) ` +
          `when node starts; it is ${extra ? extra : 'unset'}`,
      );
    }
    return { dir: abs, ...paths, processTrustsCa: true, cleanup() {} };
  }
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'azcred-tls-'));
  return {
    dir: tmp,
    ...generateTlsMaterial(tmp),
    processTrustsCa: false,
    cleanup() {
      fs.rmSync(tmp, { recursive: true, force: true });
    },
  };
}

module.exports = { generateTlsMaterial, ensureTestCa };

if (require.main === module) {
  const dir = process.argv[2];
  if (!dir) {
    process.stderr.write('usage: node tests/support/tls.js <dir>\n');
    process.exitCode = 2;
  } else {
    const out = generateTlsMaterial(dir);
    process.stdout.write(`${out.ca}\n${out.key}\n${out.cert}\n`);
  }
}
