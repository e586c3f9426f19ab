'use strict';
// Finds the binding: the native addon (npm/native/azcred.<platform>-<arch>[-<abi>].node) or the
// wasm module (npm/wasm/azcred_wasm.js). Both export the same classes (`Credential`, `Flow`,
// `TokenStore`; see lib/boundary.d.ts).
//
// AZCRED_BACKEND=native|wasm loads exactly that one; otherwise the native addon is tried first and
// the wasm module is the fallback. Requiring this file does nothing; `load()` does the work, once.

const path = require('node:path');

const root = path.join(__dirname, '..');

/** The addon files built for this platform and architecture, e.g.
 * azcred.linux-x64-gnu.node (tried before -musl; a wrong libc simply fails to load). */
function nativeCandidates() {
  const fs = require('node:fs');
  const dir = path.join(root, 'native');
  const prefix = `azcred.${process.platform}-${process.arch}`;
  let names = [];
  try {
    names = fs.readdirSync(dir);
  } catch {
    // No native/ directory: nothing was built.
  }
  return names
    .filter((n) => n.endsWith('.node') && (n === `${prefix}.node` || n.startsWith(`${prefix}-`)))
    .sort()
    .map((n) => path.join(dir, n));
}

function loadNative() {
  const files = nativeCandidates();
  if (files.length === 0) {
    throw new Error(`no native addon for ${process.platform}-${process.arch} in ${path.join(root, 'native')}`);
  }
  const failures = [];
  for (const file of files) {
    try {
      return require(file);
    } catch (e) {
      failures.push(`${path.basename(file)}: ${e.message}`);
    }
  }
  throw new Error(failures.join('; '));
}

function loadWasm() {
  return require(path.join(root, 'wasm', 'azcred_wasm.js'));
}

const loaders = { native: loadNative, wasm: loadWasm };

function withName(name, mod) {
  return {
    name,
    Credential: mod.Credential,
    TokenStore: mod.TokenStore,
    store: new mod.TokenStore(),
    pluginControl: mod.pluginControl,
    mergeCache: mod.mergeCache,
    checkAuthenticationRecord: mod.checkAuthenticationRecord,
  };
}

function pick() {
  const forced = process.env.AZCRED_BACKEND;
  if (forced) {
    const loader = loaders[forced];
    if (!loader) throw new Error("AZCRED_BACKEND must be 'native' or 'wasm'");
    try {
      return withName(forced, loader());
    } catch (e) {
      throw new Error(`azcred: cannot load the ${forced} backend (AZCRED_BACKEND=${forced}): ${e.message}`, { cause: e });
    }
  }
  let nativeError;
  try {
    return withName('native', loadNative());
  } catch (e) {
    nativeError = e;
  }
  try {
    return withName('wasm', loadWasm());
  } catch (e) {
    throw new Error(`azcred: no backend loads. native: ${nativeError.message}; wasm: ${e.message}`, { cause: e });
  }
}

let loaded;

/** Returns `{ name: 'native' | 'wasm', Credential, TokenStore, pluginControl, mergeCache, store }`, loading the backend on
 * the first call. `store` is the process's one token store: managed-identity tokens are shared by
 * every credential built with it, as the reference shares them across its process. */
function load() {
  if (!loaded) loaded = pick();
  return loaded;
}

module.exports = { load };
