#!/usr/bin/env node
'use strict';
// Runs examples/quickstart.mjs, unchanged, as it would run on Azure App Service: the identity
// emulator plays the App Service managed-identity endpoint, Azurite plays Blob Storage.

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { startEmulator } = require('../npm/lib/emulator');
const { generateTlsMaterial } = require('../tests/support/tls');
const { startAzurite } = require('../tests/support/azurite');

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'azcred-quickstart-'));
  const tls = generateTlsMaterial(path.join(dir, 'tls'));
  const [azurite, emu] = await Promise.all([
    startAzurite({ dir: path.join(dir, 'azurite'), cert: tls.cert, key: tls.key }),
    startEmulator(),
  ]);
  console.log(`identity emulator: ${emu.url}  (App Service protocol)`);
  console.log(`azurite blob:      ${azurite.blobUrl}  (HTTPS, OAuth)`);
  const env = { ...process.env, ...emu.appServiceEnv, AZURE_STORAGE_ACCOUNT_URL: azurite.blobUrl, NODE_EXTRA_CA_CERTS: tls.ca };
  try {
    const code = await new Promise((resolve) => {
      const child = spawn(process.execPath, [path.join(__dirname, '..', 'examples', 'quickstart.mjs')], { env, stdio: 'inherit' });
      const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
      child.on('exit', (c, signal) => {
        clearTimeout(timer);
        resolve(signal ? 1 : c);
      });
    });
    return code;
  } finally {
    await Promise.all([emu.close(), azurite.stop()]);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    console.error(`quickstart: ${e.message}`);
    process.exitCode = 1;
  },
);
