'use strict';
// azcred's logger (npm/lib/logger.js) against the reference: AZURE_LOG_LEVEL and DEBUG with the
// built-in logger, and the app's own @azure/logger (setLogLevel, AzureLogger.log) when it has
// one. Every case runs in a child process, so that the environment is read at load as in an app.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const fs = require('node:fs');
const os = require('node:os');
const { spawnSync } = require('node:child_process');

const LOGGER = path.join(__dirname, '..', '..', 'npm', 'lib', 'logger.js');
const TESTS = path.join(__dirname, '..');
// The reference, loaded by absolute path so that a child whose cwd is elsewhere still has it.
const REF_IDENTITY = path.join(TESTS, 'node_modules', '@azure', 'identity');
const REF_LOGGER = path.join(TESTS, 'node_modules', '@azure', 'logger');
// A directory from which no @azure/logger can be resolved.
const NOWHERE = fs.mkdtempSync(path.join(os.tmpdir(), 'azcred-logger-'));

const SUCCESS = 'ManagedIdentityCredential => getToken() => SUCCESS. Scopes: https://storage.azure.com/.default.';
const LEVELS = ['verbose', 'info', 'warning', 'error'];

/** Runs `code` in a fresh node with only PATH and `env`; `L` is azcred's logger module. */
function child(code, { env = {}, cwd = NOWHERE, esm = false } = {}) {
  const prelude = esm
    ? `import { createRequire } from 'node:module'; const require = createRequire(${JSON.stringify(LOGGER)}); const L = require(${JSON.stringify(LOGGER)});\n`
    : `const L = require(${JSON.stringify(LOGGER)});\n`;
  const r = spawnSync(process.execPath, [...(esm ? ['--input-type=module'] : []), '-e', prelude + code], {
    cwd,
    env: { PATH: process.env.PATH, ...env },
    encoding: 'utf8',
    timeout: 20000,
  });
  assert.equal(r.status, 0, r.stderr);
  return { stdout: r.stdout, stderr: r.stderr, lines: r.stderr.split(os.EOL).filter(Boolean) };
}

/** Code writing `message` at every level, through azcred and then the reference. */
const bothAtEveryLevel = (message) => `
  const ref = require(${JSON.stringify(REF_IDENTITY)}).logger;
  const [title, rest] = ${JSON.stringify(message)}.split(/ => (?!getToken)/);
  for (const level of ${JSON.stringify(LEVELS)}) {
    L.write({ level, message: ${JSON.stringify(message)} });
    ref[level](title + ' =>', rest); // as the reference's credentialLogger calls it
  }
`;

test('azcred finds no @azure/logger next to itself or from the temp directory (precondition)', () => {
  const npmLib = path.dirname(LOGGER);
  assert.throws(() => require.resolve('@azure/logger', { paths: [npmLib] }), { code: 'MODULE_NOT_FOUND' });
  assert.throws(() => require.resolve('@azure/logger', { paths: [NOWHERE] }), { code: 'MODULE_NOT_FOUND' });
  assert.ok(fs.existsSync(path.join(REF_LOGGER, 'package.json')), 'tests/node_modules has @azure/logger');
  const r = child('console.log(L.source())');
  assert.equal(r.stdout.trim(), 'built-in');
});

test('AZURE_LOG_LEVEL=info writes info, warning and error lines identical to the reference, and no verbose ones', () => {
  const r = child(bothAtEveryLevel(SUCCESS) + 'console.log(L.source(), L.enabledLevel());', {
    env: { AZURE_LOG_LEVEL: 'info' },
  });
  assert.equal(r.stdout.trim(), 'built-in info');
  assert.deepEqual(r.lines, [
    `azure:identity:info ${SUCCESS}`,
    `azure:identity:info ${SUCCESS}`,
    `azure:identity:warning ${SUCCESS}`,
    `azure:identity:warning ${SUCCESS}`,
    `azure:identity:error ${SUCCESS}`,
    `azure:identity:error ${SUCCESS}`,
  ]);
});

test('AZURE_LOG_LEVEL=verbose writes every level; error writes only errors; unset writes nothing', () => {
  const message = 'ChainedTokenCredential => getToken() => 100% done, %s and %d stay as written';
  const verbose = child(bothAtEveryLevel(message) + 'console.log(L.enabledLevel());', {
    env: { AZURE_LOG_LEVEL: 'verbose' },
  });
  assert.equal(verbose.stdout.trim(), 'verbose');
  assert.deepEqual(
    verbose.lines,
    LEVELS.flatMap((l) => [`azure:identity:${l} ${message}`, `azure:identity:${l} ${message}`]),
  );
  const error = child(bothAtEveryLevel(message) + 'console.log(L.enabledLevel());', {
    env: { AZURE_LOG_LEVEL: 'error' },
  });
  assert.equal(error.stdout.trim(), 'error');
  assert.deepEqual(error.lines, [`azure:identity:error ${message}`, `azure:identity:error ${message}`]);
  const off = child(bothAtEveryLevel(message) + 'console.log(String(L.enabledLevel()));');
  assert.equal(off.stdout.trim(), 'undefined');
  assert.equal(off.stderr, '');
});

test('an unknown AZURE_LOG_LEVEL prints the reference warning, the same as the reference prints it, and logs nothing', () => {
  const r = child(bothAtEveryLevel(SUCCESS) + 'console.log(String(L.enabledLevel()));', {
    env: { AZURE_LOG_LEVEL: 'debug' },
  });
  const warning =
    "AZURE_LOG_LEVEL set to unknown log level 'debug'; logging is not enabled. Acceptable values: verbose, info, warning, error.";
  // Once from azcred (at its load, first) and once from the reference's @azure/logger.
  assert.deepEqual(r.lines, [warning, warning]);
  assert.equal(r.stdout.trim(), 'undefined');
});

test('DEBUG patterns enable the same levels as in the reference, wildcards, exclusions and quirks included', () => {
  const cases = [
    'azure:identity:*',
    'azure*',
    '*',
    'azure:identity:*,-azure:identity:verbose',
    'azure:identity:info, azure:identity:error',
    'azure:identity:info azure:identity:error', // the reference splits on commas only: no match
    'azure:*e', // the reference's glob stops backtracking once the pattern is used up
    'azure:**:warning',
    '-azure:identity:info,azure:*',
    'other:*',
  ];
  const code = `
    const ref = require(${JSON.stringify(REF_IDENTITY)}).logger;
    const flags = (lg) => ${JSON.stringify(LEVELS)}.map((l) => lg[l].enabled);
    console.log(JSON.stringify({ ours: flags(L.logger), ref: flags(ref), level: L.enabledLevel() || null }));
  `;
  for (const DEBUG of cases) {
    const r = JSON.parse(child(code, { env: { DEBUG } }).stdout);
    assert.deepEqual(r.ours, r.ref, `DEBUG=${DEBUG}`);
    const expected = LEVELS.find((_, i) => r.ref[i]) || null;
    assert.equal(r.level, expected, `enabledLevel() with DEBUG=${DEBUG}`);
  }
  // And what is written: the namespace prefix, then the message.
  const r = child(`for (const level of ${JSON.stringify(LEVELS)}) L.write(level, 'X => ' + level);`, {
    env: { DEBUG: 'azure:identity:*,-azure:identity:verbose' },
  });
  assert.deepEqual(r.lines, ['azure:identity:info X => info', 'azure:identity:warning X => warning', 'azure:identity:error X => error']);
});

test('AZURE_LOG_LEVEL wins over DEBUG, as in the reference', () => {
  const code = `
    const ref = require(${JSON.stringify(REF_IDENTITY)}).logger;
    const flags = (lg) => ${JSON.stringify(LEVELS)}.map((l) => lg[l].enabled);
    console.log(JSON.stringify([flags(L.logger), flags(ref)]));
  `;
  const [ours, ref] = JSON.parse(child(code, { env: { DEBUG: 'azure:identity:verbose', AZURE_LOG_LEVEL: 'warning' } }).stdout);
  assert.deepEqual(ref, [false, false, true, true]);
  assert.deepEqual(ours, ref);
});

test('the logger export has the shape of the reference logger, with either logger behind it', () => {
  const code = `
    const ref = require(${JSON.stringify(REF_IDENTITY)}).logger;
    const shape = (lg) => ({
      keys: Object.keys(lg).sort(),
      levels: ${JSON.stringify(LEVELS)}.map((l) => [typeof lg[l], lg[l].namespace, lg[l].level, Object.keys(lg[l]).sort().join()]),
      child: lg.info.extend('sub').namespace,
      destroyed: lg.verbose.extend('tmp').destroy(),
    });
    console.log(JSON.stringify([shape(L.logger), shape(ref), L.source()]));
  `;
  for (const cwd of [NOWHERE, TESTS]) {
    const [ours, ref, source] = JSON.parse(child(code, { cwd }).stdout);
    assert.equal(source, cwd === TESTS ? 'azure-logger' : 'built-in');
    assert.deepEqual(ref.keys, ['error', 'info', 'verbose', 'warning']);
    assert.deepEqual(ref.levels[0], ['function', 'azure:identity:verbose', 'verbose', 'destroy,enabled,extend,level,log,namespace']);
    assert.equal(ref.child, 'azure:identity:info:sub');
    assert.deepEqual(ours, ref);
  }
});

test("with the app's @azure/logger, setLogLevel turns azcred's records on and enabledLevel follows it", () => {
  const code = `
    const { setLogLevel, createClientLogger } = require('@azure/logger');
    const seen = [L.source(), L.enabledLevel() || null];
    setLogLevel('verbose');
    seen.push(L.enabledLevel(), L.logger.verbose.enabled);
    L.write({ level: 'verbose', message: 'A => verbose on' });
    setLogLevel('warning');
    seen.push(L.enabledLevel());
    L.write({ level: 'info', message: 'A => info off' });
    L.write({ level: 'warning', message: 'A => warning on' });
    createClientLogger('identity').warning('B =>', 'the app\\'s own identity logger');
    setLogLevel();
    seen.push(L.enabledLevel() || null);
    L.write({ level: 'error', message: 'A => error off' });
    console.log(JSON.stringify(seen));
  `;
  const r = child(code, { cwd: TESTS });
  assert.deepEqual(JSON.parse(r.stdout), ['azure-logger', null, 'verbose', true, 'warning', null]);
  assert.deepEqual(r.lines, [
    'azure:identity:verbose A => verbose on',
    'azure:identity:warning A => warning on',
    "azure:identity:warning B => the app's own identity logger",
  ]);
});

test("with the app's @azure/logger, AZURE_LOG_LEVEL and DEBUG apply through it; before the app loads it, the built-in logger writes the same", () => {
  const write = 'L.write("info", "A => on"); L.write("verbose", "A => off"); console.log(L.source(), L.enabledLevel());';
  for (const [code, source] of [[`require('@azure/logger'); ${write}`, 'azure-logger'], [write, 'built-in']]) {
    const byLevel = child(code, { cwd: TESTS, env: { AZURE_LOG_LEVEL: 'info' } });
    assert.equal(byLevel.stdout.trim(), `${source} info`);
    assert.deepEqual(byLevel.lines, ['azure:identity:info A => on']);
    const byDebug = child(code, { cwd: TESTS, env: { DEBUG: 'azure:identity:info' } });
    assert.equal(byDebug.stdout.trim(), `${source} info`);
    assert.deepEqual(byDebug.lines, ['azure:identity:info A => on']);
  }
});

test('azcred does not load @azure/logger itself, and takes up the app\'s as soon as the app loads it', () => {
  const code = `
    const loaded = () => Object.keys(require.cache).some((k) => k.includes('@azure/logger'));
    const seen = [L.enabledLevel() || null, L.source(), loaded()];
    const { setLogLevel } = require('@azure/logger');
    setLogLevel('warning');
    seen.push(L.enabledLevel(), L.source());
    console.log(JSON.stringify(seen));
  `;
  assert.deepEqual(JSON.parse(child(code, { cwd: TESTS }).stdout), [null, 'built-in', false, 'warning', 'azure-logger']);
});

test('AzureLogger.log redirection receives what the reference sends it, and a throwing one breaks nothing', () => {
  const code = `
    const util = require('node:util');
    const { AzureLogger, setLogLevel } = require('@azure/logger');
    const ref = require('@azure/identity').logger;
    const got = [];
    AzureLogger.log = (...args) => got.push(util.format(...args));
    setLogLevel('info');
    L.write({ level: 'info', message: ${JSON.stringify(SUCCESS)} });
    ref.info('ManagedIdentityCredential => getToken() =>', 'SUCCESS. Scopes: https://storage.azure.com/.default.');
    L.write({ level: 'verbose', message: 'not enabled' });
    AzureLogger.log = () => { throw new Error('the app logger broke'); };
    L.write({ level: 'error', message: 'A => swallowed' });
    L.write(null);
    L.write({ level: 'nonsense', message: 'ignored' });
    console.log(JSON.stringify(got));
  `;
  const r = child(code, { cwd: TESTS });
  assert.deepEqual(JSON.parse(r.stdout), [`azure:identity:info ${SUCCESS}`, `azure:identity:info ${SUCCESS}`]);
  assert.equal(r.stderr, '');
});

test('the built-in logger: a replaced log gets the line, and a throwing one breaks nothing', () => {
  const code = `
    const got = [];
    L.logger.warning.log = (...args) => got.push(args);
    L.write({ level: 'warning', message: 'A => B' });
    L.logger.error.log = () => { throw new Error('broken'); };
    L.write({ level: 'error', message: 'A => C' });
    L.write('info', 'A => D');
    console.log(JSON.stringify(got));
  `;
  const r = child(code, { env: { AZURE_LOG_LEVEL: 'info' } });
  assert.deepEqual(JSON.parse(r.stdout), [['azure:identity:warning A => B']]);
  assert.deepEqual(r.lines, ['azure:identity:info A => D']);
});

test("an ESM app's setLogLevel reaches azcred once useEsm() has switched to the ESM build", () => {
  const code = `
    import { setLogLevel } from '@azure/logger';
    setLogLevel('info');
    const before = [L.source(), L.enabledLevel() || null]; // the CommonJS build: another instance
    const lg = await L.useEsm();
    const after = [L.source(), L.enabledLevel() || null, lg === L.logger, (await L.useEsm()) === lg];
    L.write({ level: 'info', message: 'A => esm' });
    console.log(JSON.stringify([before, after]));
  `;
  const r = child(code, { cwd: TESTS, esm: true });
  assert.deepEqual(JSON.parse(r.stdout), [['built-in', null], ['azure-logger-esm', 'info', true, true]]);
  assert.deepEqual(r.lines, ['azure:identity:info A => esm']);
  // Without @azure/logger, useEsm() changes nothing.
  const none = child('const lg = await L.useEsm(); console.log(L.source(), lg === L.logger);', { esm: true });
  assert.equal(none.stdout.trim(), 'built-in true');
});

test('enabledLevel() is cheap: a million calls take well under a second', () => {
  const r = child(`
    const t = process.hrtime.bigint();
    for (let i = 0; i < 1e6; i++) L.enabledLevel();
    console.log(Number(process.hrtime.bigint() - t) / 1e6);
  `, { cwd: TESTS });
  assert.ok(Number(r.stdout) < 1000, `${r.stdout} ms`);
});
