'use strict';
// Finds the binding: the native addon for this platform, architecture and libc, or the wasm
// module (npm/wasm/azcred_wasm.js). Both export the same classes (`Credential`, `Flow`,
// `TokenStore`; see lib/boundary.d.ts).
//
// The addon ships the napi-rs way: one package per target (azcred-linux-x64-gnu, ...; see
// scripts/platforms.js) in the main package's optionalDependencies, npm installing the one whose
// os, cpu and libc fields match. Looked for, in order (as napi-rs's generated loader does, local
// files first):
//   1. npm/native/azcred.<target>.node             a development build (`npm run build:native`)
//   2. npm/platforms/<target>/azcred.<target>.node the platform package folder in the repository
//   3. the installed package azcred-<target>       what users get
// The first file that exists is loaded. A file that exists but fails to load (a libc too old, a
// damaged file, a platform package of another version) is a warning on azcred's logger, with the
// reason and the file, and the wasm module is used; a runtime that cannot load addons at all
// (Deno without --allow-ffi) is an info line.
//
// AZCRED_BACKEND=native|wasm loads exactly that one. Requiring this file does nothing; `load()`
// does the work, once.

const path = require('node:path');

const root = path.join(__dirname, '..');

/** Whether this Linux process runs on musl. The running process's own mappings first (they name
 * the C library actually loaded, even when the filesystem's ldd is another one's), then
 * napi-rs's checks in its order: /usr/bin/ldd's text, the process report, `ldd --version`. */
function isMusl() {
  const fs = require('node:fs');
  try {
    const maps = fs.readFileSync('/proc/self/maps', 'utf8');
    if (/\/(ld-musl-|libc\.musl-)/.test(maps)) return true;
    if (/\/(libc\.so\.6|libc-2\.[0-9.]+\.so)\b/.test(maps)) return false;
  } catch {
    // No /proc: try the next check.
  }
  try {
    return fs.readFileSync('/usr/bin/ldd', 'utf8').includes('musl');
  } catch {
    // No ldd script.
  }
  try {
    if (typeof process.report?.getReport === 'function') {
      process.report.excludeNetwork = true;
      const report = process.report.getReport();
      const header = typeof report === 'string' ? JSON.parse(report).header : report.header;
      if (header && header.glibcVersionRuntime) return false;
      const objects = (typeof report === 'string' ? JSON.parse(report) : report).sharedObjects;
      if (Array.isArray(objects)) return objects.some((f) => f.includes('libc.musl-') || f.includes('ld-musl-'));
    }
  } catch {
    // No usable report.
  }
  try {
    return require('node:child_process').execSync('ldd --version', { encoding: 'utf8', stdio: 'pipe' }).includes('musl');
  } catch {
    return false;
  }
}

/** The napi-rs target names for this process, best first (e.g. ['linux-x64-gnu']). */
function targetNames() {
  const base = `${process.platform}-${process.arch}`;
  if (process.platform === 'linux') return [`${base}-${isMusl() ? 'musl' : 'gnu'}`];
  if (process.platform === 'win32') return [`${base}-msvc`];
  return [base];
}

/** Where the addon for `target` might be: { file, version?, label } for each place that has it. */
function candidates(target) {
  const fs = require('node:fs');
  const file = `azcred.${target}.node`;
  const found = [];
  for (const local of [path.join(root, 'native', file), path.join(root, 'platforms', target, file)]) {
    if (fs.existsSync(local)) found.push({ file: local, label: path.relative(root, local) });
  }
  try {
    // Node's resolution looks in azcred's own node_modules first, then in the node_modules
    // holding azcred (where npm and pnpm put it): those two are checked with a stat each, and
    // Node's resolution (slower) runs only when neither has it.
    const name = `azcred-${target}`;
    const near = [path.join(root, 'node_modules', name, 'package.json')];
    if (path.basename(path.dirname(root)) === 'node_modules') near.push(path.join(path.dirname(root), name, 'package.json'));
    const pkgJson = near.find((f) => fs.existsSync(f)) || require.resolve(`${name}/package.json`, { paths: [root] });
    const pkg = JSON.parse(fs.readFileSync(pkgJson, 'utf8'));
    found.push({ file: path.join(path.dirname(pkgJson), pkg.main || file), version: pkg.version, label: `azcred-${target}` });
  } catch {
    // The platform package is not installed (another platform, or --omit=optional).
  }
  return found;
}

/** Deno grants addons only with --allow-ffi; asking first avoids its permission prompt. */
function denoForbidsAddons() {
  const deno = globalThis.Deno;
  if (!deno || !deno.permissions || typeof deno.permissions.querySync !== 'function') return false;
  try {
    return deno.permissions.querySync({ name: 'ffi' }).state !== 'granted';
  } catch {
    return false;
  }
}

const ownVersion = () => require(path.join(root, 'package.json')).version;

/** Loads the addon, or returns { error, notices } saying why not; notices are log records.
 * `forced`: AZCRED_BACKEND=native, so there is no wasm fallback to announce. */
function tryNative(forced) {
  const then = forced ? '' : '; using the wasm backend';
  const targets = targetNames();
  const notices = [];
  if (denoForbidsAddons()) {
    notices.push({ level: 'info', message: 'azcred: Deno without --allow-ffi cannot load native addons; using the wasm backend (run with --allow-ffi for the native one)' });
    return { error: new Error('Deno without --allow-ffi cannot load native addons'), notices };
  }
  const failures = [];
  for (const target of targets) {
    for (const c of candidates(target)) {
      if (c.version !== undefined && c.version !== ownVersion()) {
        const reason = `${c.label} is version ${c.version}, azcred is ${ownVersion()}`;
        failures.push(reason);
        notices.push({ level: 'warning', message: `azcred: the native addon ${c.file} is not used: ${reason}${then}` });
        continue;
      }
      try {
        const mod = require(c.file);
        notices.push({ level: 'verbose', message: `azcred: using the native addon ${c.file}` });
        return { mod, file: c.file, notices };
      } catch (e) {
        const reason = String(e && e.message).split('\n')[0];
        failures.push(`${c.file}: ${reason}`);
        notices.push({ level: 'warning', message: `azcred: the native addon ${c.file} exists but does not load (${reason})${then}` });
      }
    }
  }
  if (failures.length === 0) {
    const names = targets.map((t) => `azcred-${t}`).join(', ');
    notices.push({ level: 'verbose', message: `azcred: no native addon for ${targets.join(', ')} (${names} is not installed)${then}` });
    return { error: new Error(`no native addon for ${targets.join(', ')}: ${names} is not installed`), notices };
  }
  return { error: new Error(failures.join('; ')), notices };
}

function loadWasm() {
  return require(path.join(root, 'wasm', 'azcred_wasm.js'));
}

function withName(name, mod, file) {
  return {
    name,
    file,
    Credential: mod.Credential,
    TokenStore: mod.TokenStore,
    store: new mod.TokenStore(),
    pluginControl: mod.pluginControl,
    mergeCache: mod.mergeCache,
    checkAuthenticationRecord: mod.checkAuthenticationRecord,
  };
}

function log(notices) {
  if (notices.length === 0) return;
  const logger = require('./logger');
  for (const n of notices) logger.write(n);
}

function wasmOrThrow(why) {
  try {
    return withName('wasm', loadWasm(), path.join(root, 'wasm', 'azcred_wasm.js'));
  } catch (e) {
    throw new Error(`azcred: ${why(e)}`, { cause: e });
  }
}

function pick() {
  const forced = process.env.AZCRED_BACKEND;
  if (forced === 'wasm') return wasmOrThrow((e) => `cannot load the wasm backend (AZCRED_BACKEND=wasm): ${e.message}`);
  if (forced && forced !== 'native') throw new Error("AZCRED_BACKEND must be 'native' or 'wasm'");
  const r = tryNative(forced === 'native');
  log(r.notices);
  if (r.mod) return withName('native', r.mod, r.file);
  if (forced) {
    throw new Error(`azcred: cannot load the native backend (AZCRED_BACKEND=native): ${r.error.message}`, { cause: r.error });
  }
  return wasmOrThrow((e) => `no backend loads. native: ${r.error.message}; wasm: ${e.message}`);
}

let loaded;

/** Returns `{ name: 'native' | 'wasm', file, Credential, TokenStore, pluginControl, mergeCache,
 * checkAuthenticationRecord, store }`, loading the backend on the first call. `store` is the
 * process's one token store: managed-identity tokens are shared by every credential built with
 * it, as the reference shares them across its process. */
function load() {
  if (!loaded) loaded = pick();
  return loaded;
}

module.exports = { load, targetNames, isMusl };
