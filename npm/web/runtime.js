'use strict';
// The web build's view of the runtime it runs in: the wasm module its entry loaded (bound once,
// by web/index.mjs), the runtime's name, and the environment snapshot the core reads. Nothing
// here imports `node:`.

let loaded;

/** Called once by the entry with the wasm module's exports and the runtime's name. */
function bind(module, runtime) {
  loaded = { module, runtime };
}

function wasm() {
  if (!loaded) throw new Error('azcred/web: the wasm module is not loaded (import azcred/web, not its files)');
  return loaded.module;
}

function name() {
  return loaded ? loaded.runtime : 'this runtime';
}

/** Deno's variables, only when the program may read them (asking would prompt on a terminal). */
function denoVars() {
  const deno = globalThis.Deno;
  if (!deno || !deno.env || !deno.permissions) return undefined;
  try {
    if (deno.permissions.querySync({ name: 'env' }).state !== 'granted') return undefined;
    return deno.env.toObject();
  } catch {
    return undefined;
  }
}

/** `process.env` where the runtime has it (Bun, workerd with nodejs_compat). */
function processVars() {
  try {
    const p = globalThis.process;
    return p && p.env && typeof p.env === 'object' ? { ...p.env } : undefined;
  } catch {
    return undefined;
  }
}

/** The variables the core may read: the `env` option (a Worker's bindings object, say), else
 * `process.env` or `Deno.env` where they exist and are permitted, else none. Only strings. */
function envVars(options) {
  const given = options && options.env;
  const source = given && typeof given === 'object' ? given : processVars() || denoVars() || {};
  const vars = {};
  for (const [k, v] of Object.entries(source)) if (typeof v === 'string') vars[k] = v;
  return vars;
}

/** The environment snapshot for a credential built with `options`. */
function envSnapshot(options) {
  const deno = globalThis.Deno;
  const version = deno && deno.version ? deno.version.deno : (globalThis.navigator && globalThis.navigator.userAgent) || 'unknown';
  const os = deno && deno.build ? deno.build.os : 'web';
  const arch = deno && deno.build ? deno.build.arch : 'wasm32';
  return {
    vars: envVars(options),
    tzOffsetMinutes: -new Date().getTimezoneOffset(),
    host: { runtime: name(), version: String(version), os: String(os), arch: String(arch) },
    logLevel: null,
  };
}

module.exports = { bind, wasm, name, envSnapshot };
