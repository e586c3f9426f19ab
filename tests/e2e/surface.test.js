'use strict';
// azcred's export surface against @azure/identity 4.14.1's (the test devDependency): the same
// runtime names from CommonJS and ESM, every runtime and type-level name of the reference, and
// the declarations in index.d.ts matching what the package exports at run time. The credentials
// still to come are listed here by name and must be absent, so the list shrinks as they land.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');

const npmDir = path.join(__dirname, '..', '..', 'npm');
const ts = require(path.join(npmDir, 'node_modules', 'typescript'));
const referenceDir = path.dirname(require.resolve('@azure/identity/package.json'));

/** @azure/identity's runtime names that azcred does not have yet (each must be absent). */
const STILL_TO_COME = [
];

/** azcred's own runtime additions (not in @azure/identity). */
const AZCRED_ONLY = ['backend', 'getBackend'];

/** The exports of a .d.ts module, name -> { value, type }, read with the TypeScript compiler. */
function declaredExports(file) {
  const program = ts.createProgram([file], {
    noEmit: true,
    skipLibCheck: true,
    types: [],
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
  });
  const checker = program.getTypeChecker();
  const moduleSymbol = checker.getSymbolAtLocation(program.getSourceFile(file));
  assert.ok(moduleSymbol, `${file} is not a module`);
  const out = new Map();
  for (const s of checker.getExportsOfModule(moduleSymbol)) {
    const target = s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s;
    out.set(s.name, {
      value: Boolean(target.flags & ts.SymbolFlags.Value),
      type: Boolean(target.flags & ts.SymbolFlags.Type),
    });
  }
  return out;
}

const cjs = require('../../npm/index.js');
const reference = require('@azure/identity');
const referenceRuntime = Object.keys(reference).sort();

test('the reference is @azure/identity 4.14.1 with its 32 runtime names, and the still-to-come names are its own', () => {
  assert.equal(require('@azure/identity/package.json').version, '4.14.1');
  assert.equal(referenceRuntime.length, 32, referenceRuntime.join(', '));
  for (const name of STILL_TO_COME) assert.ok(referenceRuntime.includes(name), `${name} is not a reference export`);
});

test('require("azcred") and import("azcred") give the same names and the same objects', async () => {
  const esm = await import('../../npm/index.mjs');
  const esmNames = Object.keys(esm).filter((k) => k !== 'default').sort();
  const cjsNames = Object.keys(cjs).sort();
  assert.deepEqual(esmNames, cjsNames);
  assert.equal(esm.default, cjs);
  for (const name of cjsNames) assert.equal(esm[name], cjs[name], `ESM ${name} is not the CommonJS object`);
});

test('every runtime name of @azure/identity is in azcred, except the ones still to come, which are absent', () => {
  const missing = referenceRuntime.filter((n) => !STILL_TO_COME.includes(n) && !(n in cjs));
  assert.deepEqual(missing, [], `missing from azcred: ${missing.join(', ')}`);
  const present = STILL_TO_COME.filter((n) => n in cjs);
  assert.deepEqual(present, [], `now in azcred, take them off STILL_TO_COME: ${present.join(', ')}`);
  const extra = Object.keys(cjs).filter((n) => !referenceRuntime.includes(n) && !AZCRED_ONLY.includes(n));
  assert.deepEqual(extra, [], `runtime names in neither @azure/identity nor AZCRED_ONLY: ${extra.join(', ')}`);
});

test('the runtime values have the reference kinds and values', () => {
  for (const name of referenceRuntime.filter((n) => n in cjs)) {
    assert.equal(typeof cjs[name], typeof reference[name], `typeof ${name}`);
  }
  assert.equal(cjs.CredentialUnavailableErrorName, 'CredentialUnavailableError');
  assert.equal(cjs.AuthenticationErrorName, 'AuthenticationError');
  assert.equal(cjs.AggregateAuthenticationErrorName, 'AggregateAuthenticationError');
  assert.deepEqual({ ...cjs.AzureAuthorityHosts }, { ...reference.AzureAuthorityHosts });
  for (const level of ['info', 'warning', 'error', 'verbose']) {
    const d = cjs.logger[level];
    assert.equal(typeof d, 'function', `logger.${level}`);
    assert.equal(typeof d.enabled, 'boolean', `logger.${level}.enabled`);
    assert.equal(d.namespace, reference.logger[level].namespace);
    for (const m of ['log', 'destroy', 'extend']) assert.equal(typeof d[m], 'function', `logger.${level}.${m}`);
  }
});

test('every type-level name of @azure/identity is declared in index.d.ts, except the ones still to come', () => {
  const ref = declaredExports(path.join(referenceDir, 'dist', 'commonjs', 'index.d.ts'));
  const ours = declaredExports(path.join(npmDir, 'index.d.ts'));
  assert.equal(ref.size, 83, [...ref.keys()].join(', '));
  const missing = [];
  const wrongKind = [];
  for (const [name, kind] of ref) {
    if (STILL_TO_COME.includes(name)) continue;
    const mine = ours.get(name);
    if (!mine) missing.push(name);
    else if ((kind.value && !mine.value) || (kind.type && !mine.type)) wrongKind.push(name);
  }
  assert.deepEqual(missing, [], `not declared: ${missing.join(', ')}`);
  assert.deepEqual(wrongKind, [], `declared, but not as a value/type as the reference: ${wrongKind.join(', ')}`);
  const declaredTooSoon = STILL_TO_COME.filter((n) => ours.has(n));
  assert.deepEqual(declaredTooSoon, [], `declared but still to come: ${declaredTooSoon.join(', ')}`);
});

test('index.d.ts declares exactly the runtime values', () => {
  const ours = declaredExports(path.join(npmDir, 'index.d.ts'));
  const declaredValues = [...ours].filter(([, k]) => k.value).map(([n]) => n).sort();
  assert.deepEqual(declaredValues, Object.keys(cjs).sort());
});

test('azcred/web declares exactly the runtime values of the web build, and they are Node build names', async () => {
  // The browser bundle has no node: import and compiles its inlined wasm: Node can load it too.
  const web = await import('../../npm/web/dist/browser.mjs');
  const names = Object.keys(web).sort();
  // The values web/index.d.ts exports: its named (not type-only) re-exports and its own
  // declarations; `export type *` brings the Node build's types only.
  const file = path.join(npmDir, 'web', 'index.d.ts');
  const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
  const declaredValues = [];
  for (const st of source.statements) {
    if (ts.isExportDeclaration(st) && !st.isTypeOnly && st.exportClause && ts.isNamedExports(st.exportClause)) {
      for (const e of st.exportClause.elements) if (!e.isTypeOnly) declaredValues.push(e.name.text);
    } else if (ts.isVariableStatement(st)) {
      for (const d of st.declarationList.declarations) declaredValues.push(d.name.getText(source));
    }
  }
  assert.deepEqual(declaredValues.sort(), names);
  for (const name of names) assert.ok(name in cjs, `${name} is not a name of the Node build`);
  assert.equal(web.backend, 'wasm');
});

test('DefaultAzureCredential is a ChainedTokenCredential and backend is a string, in CommonJS and ESM', async () => {
  const esm = await import('../../npm/index.mjs');
  for (const m of [cjs, esm]) {
    assert.ok(new m.DefaultAzureCredential() instanceof m.ChainedTokenCredential);
    assert.equal(typeof m.getDefaultAzureCredential().getToken, 'function');
    assert.equal(typeof m.backend, 'string');
    assert.equal(m.backend, m.getBackend());
    for (const name of Object.keys(m)) {
      if (/^[A-Z]\w*Credential$/.test(name) && typeof m[name] === 'function') {
        assert.equal(typeof m[name].prototype.explain, 'function', `${name}.prototype.explain`);
      }
    }
  }
});
