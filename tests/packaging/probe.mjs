// Runs inside an app that installed azcred from its tarballs (tests/packaging/run.js copies it
// there), under the runtime being checked (Node, Node for arm64 under QEMU, Bun on musl): loads
// azcred both ways, compares the names, and gets a token from the identity emulator named by the
// environment (IDENTITY_ENDPOINT/IDENTITY_HEADER) with DefaultAzureCredential. Prints one JSON line.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const cjs = require('azcred');
const esm = await import('azcred');
const cjsNames = Object.keys(cjs).sort();
const esmNames = Object.keys(esm).filter((n) => n !== 'default').sort();
const result = { cjsNames, esmNames, backend: cjs.backend, esmBackend: esm.backend, arch: process.arch };
try {
  const credential = new cjs.DefaultAzureCredential();
  const token = await credential.getToken('https://storage.azure.com/.default');
  result.token = { length: token.token.length, expiresInMinutes: Math.round((token.expiresOnTimestamp - Date.now()) / 60000) };
  result.selected = (credential.explain().find((m) => m.selected) || {}).name;
} catch (e) {
  result.error = `${e.name}: ${e.message}`;
}
process.stdout.write(`PROBE ${JSON.stringify(result)}\n`);
