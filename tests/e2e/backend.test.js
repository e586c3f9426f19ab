'use strict';
// The two bindings (native addon, wasm module) against the same inputs: each loads, runs a
// managed-identity flow through begin / poll / handle / finish with plain objects and a flow
// object, throws coded errors, and both give identical values. Also the loader
// npm/lib/backend.js: default order and AZCRED_BACKEND.
//
//   node --test tests/e2e/backend.test.js      (after cd npm && npm run build)

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

const npmDir = path.join(__dirname, '..', '..', 'npm');
const backendJs = path.join(npmDir, 'lib', 'backend.js');
const wasmJs = path.join(npmDir, 'wasm', 'azcred_wasm.js');
const { targetNames } = require(backendJs);
const prefix = `azcred.${targetNames()[0]}`;
// The loader's local files: a development build (npm/native/), else the platform package folder.
const nativeFile = targetNames()
  .flatMap((t) => [path.join(npmDir, 'native', `azcred.${t}.node`), path.join(npmDir, 'platforms', t, `azcred.${t}.node`)])
  .find((f) => fs.existsSync(f));

/** A binding's `Credential` constructor with one token store of the test's, as the driver
 * builds every credential with the process's store. */
function withStore(mod) {
  const store = new mod.TokenStore();
  return function Credential(kind, options, environment, seed) {
    return new mod.Credential(kind, options, environment, seed, store);
  };
}

const backends = {
  native: () => withStore(require(nativeFile)),
  wasm: () => withStore(require(wasmJs)),
};

const MI = 'ManagedIdentityCredential';
const SCOPE = 'https://storage.azure.com/.default';
const appServiceEnv = {
  vars: { IDENTITY_ENDPOINT: 'http://127.0.0.1:1/msi/token', IDENTITY_HEADER: 'h' },
};
const request = { scopes: [SCOPE] };
const NOW = 1_800_000_000_000;
const tokenBody = (now) => JSON.stringify({ access_token: 'tok', expires_on: String(Math.floor(now / 1000) + 3600) });
const httpReply = (status, body) => ({ type: 'http', status, headers: {}, body });

/** Runs `fn` and returns the thrown error (failing when nothing is thrown). */
function thrown(fn) {
  try {
    fn();
  } catch (e) {
    return e;
  }
  assert.fail('expected an exception');
}

/** Node's `node -e` with AZCRED_BACKEND set (or removed when `value` is undefined). */
function inChild(code, value) {
  const env = { ...process.env };
  delete env.AZCRED_BACKEND;
  if (value !== undefined) env.AZCRED_BACKEND = value;
  return execFileSync(process.execPath, ['-e', code], { env, encoding: 'utf8' }).trim();
}

for (const [name, loadClass] of Object.entries(backends)) {
  const skip = name === 'native' && !nativeFile && `no native addon ${prefix}.node in npm/native or npm/platforms`;

  test(`${name}: backend.js loads it with AZCRED_BACKEND=${name}`, { skip }, () => {
    const code = `const b = require(${JSON.stringify(backendJs)}).load();
      process.stdout.write(b.name + ' ' + typeof b.Credential);`;
    assert.equal(inChild(code, name), `${name} function`);
  });

  test(`${name}: a managed identity flow as plain objects and a flow object, then the cache`, { skip }, () => {
    const Credential = loadClass();
    const cred = new Credential(MI, {}, appServiceEnv, 1);
    const [report] = cred.explain();
    assert.equal(report.name, MI);
    assert.equal(report.available, true);

    const begun = cred.begin(request, NOW);
    assert.equal(begun.type, 'start');
    assert.equal(begun.background, false);
    assert.equal(begun.token, undefined);
    const { flow } = begun;
    assert.equal(flow.id, begun.id);

    const step = flow.poll(NOW);
    assert.equal(step.type, 'perform');
    assert.equal(step.action.type, 'http');
    const url = new URL(step.action.request.url);
    assert.equal(url.origin + url.pathname, 'http://127.0.0.1:1/msi/token');
    assert.equal(url.searchParams.get('api-version'), '2019-08-01');
    assert.equal(step.action.request.headers['X-IDENTITY-HEADER'], 'h');
    assert.equal(typeof step.action.deadline, 'number', 'times are numbers, not BigInts');

    assert.equal(flow.handle(httpReply(200, tokenBody(NOW)), NOW), undefined);
    assert.deepEqual(flow.poll(NOW), { type: 'finished' });
    const done = cred.finish(flow, NOW);
    assert.equal(done.ok, true);
    assert.equal(done.token.token, 'tok');
    assert.equal(done.token.expiresOnTimestamp, (Math.floor(NOW / 1000) + 3600) * 1000);

    const again = cred.begin(request, NOW + 1000);
    assert.equal(again.type, 'cached');
    assert.deepEqual(again.token, done.token);
    assert.equal(typeof again.until, 'number');
  });

  test(`${name}: a concurrent begin joins the running flow`, { skip }, () => {
    const cred = new (loadClass())(MI, {}, appServiceEnv, 1);
    const first = cred.begin(request, NOW);
    assert.deepEqual(cred.begin(request, NOW), { type: 'join', id: first.id });
  });

  test(`${name}: configuration errors throw InvalidConfig`, { skip }, () => {
    const Credential = loadClass();
    for (const [options, env] of [
      [[1, 2], {}],
      [{}, { vars: 1 }],
      [{ clientId: 'a', objectId: 'b' }, {}],
    ]) {
      const e = thrown(() => new Credential(MI, options, env, 1));
      assert.ok(e instanceof Error, `${JSON.stringify(options)} ${JSON.stringify(env)}`);
      assert.equal(e.code, 'InvalidConfig', `${JSON.stringify(options)}: ${e.message}`);
      assert.ok(e.message.length > 0);
    }
  });

  test(`${name}: a request that is not one throws InvalidRequest`, { skip }, () => {
    const cred = new (loadClass())(MI, {}, appServiceEnv, 1);
    for (const bad of ['', [1], { scopes: 'not a list' }]) {
      assert.equal(thrown(() => cred.begin(bad, NOW)).code, 'InvalidRequest', JSON.stringify(bad));
    }
  });

  test(`${name}: an unreadable reply fails the flow instead of wedging it; misuse throws ApiMisuse`, { skip }, () => {
    const cred = new (loadClass())(MI, { retryOptions: { maxRetries: 0 } }, appServiceEnv, 1);
    const misuse = (fn) => {
      const e = thrown(fn);
      assert.ok(e instanceof Error);
      assert.equal(e.code, 'ApiMisuse', e.message);
      return e;
    };
    const { flow } = cred.begin(request, NOW);
    misuse(() => flow.handle(httpReply(200, '{}'), NOW)); // nothing outstanding yet
    flow.poll(NOW);
    // A value of the wrong type is a failed action, reported without quoting it.
    flow.handle({ type: 'http', status: 'SENTINEL' }, NOW);
    assert.deepEqual(flow.poll(NOW), { type: 'finished' });
    const out = cred.finish(flow, NOW);
    assert.equal(out.ok, false);
    assert.ok(!JSON.stringify(out).includes('SENTINEL'), JSON.stringify(out));
    misuse(() => cred.finish(flow, NOW)); // already ended
    misuse(() => flow.poll(NOW));
    // Not wedged: the next begin starts a new flow.
    assert.equal(cred.begin(request, NOW).type, 'start');
  });
}

/**
 * Drives one credential through a fixed script and records every value that crosses the
 * binding, as JSON, including errors as `code: message`.
 */
function transcript(Credential) {
  const out = [];
  const record = (label, fn) => {
    try {
      const r = fn();
      const shown = r && typeof r === 'object' ? JSON.stringify(r, (k, v) => (k === 'flow' ? `flow ${v.id}` : v)) : r;
      out.push(`${label} -> ${shown === undefined ? 'undefined' : shown}`);
      return r;
    } catch (e) {
      out.push(`${label} !! ${e.code}: ${e.message}`);
      return undefined;
    }
  };
  record('new bad options', () => new Credential(MI, 'not an object', {}, 7) && 'constructed');
  record('new two ids', () => new Credential(MI, { clientId: 'a', objectId: 'b' }, {}, 7) && 'constructed');
  record('explain DAC', () => new Credential('DefaultAzureCredential', {}, appServiceEnv, 7).explain());
  const cred = new Credential(MI, {}, appServiceEnv, 7);
  record('explain', () => cred.explain());

  // A scripted world: a 500 (retried after a wait), then a token.
  let now = NOW;
  const replies = [httpReply(500, 'oops'), httpReply(200, tokenBody(NOW))];
  const { flow } = record('begin', () => cred.begin(request, now));
  for (let i = 0; i < 20; i += 1) {
    const step = record(`poll @${now - NOW}`, () => flow.poll(now));
    if (step.type === 'wait') now = step.until;
    else if (step.type === 'perform') record('handle', () => flow.handle(replies.shift() ?? httpReply(503, ''), now));
    else break;
  }
  record('finish', () => cred.finish(flow, now));
  record('begin again', () => cred.begin(request, now));
  record('explain again', () => cred.explain());

  // A refusal: the flow ends with an error value, not an exception.
  const other = new Credential(MI, {}, appServiceEnv, 7);
  const second = record('begin other', () => other.begin({ scopes: ['https://vault.azure.net/.default'] }, NOW));
  record('poll other', () => second.flow.poll(NOW));
  record('handle 400', () => second.flow.handle(httpReply(400, '{"error":"invalid_request","error_description":"no"}'), NOW));
  for (let i = 0; i < 5; i += 1) {
    const step = record('poll other', () => second.flow.poll(NOW)) ?? { type: 'finished' };
    if (step.type !== 'perform') break;
    record('handle 400 again', () => second.flow.handle(httpReply(400, '{"error":"invalid_request"}'), NOW));
  }
  record('finish other', () => other.finish(second.flow, NOW));
  record('poll finished', () => second.flow.poll(NOW));
  record('bad request', () => other.begin({ scopes: 5 }, NOW));
  return out;
}

test('both backends give identical values for the same inputs', { skip: !nativeFile && `no native addon for ${prefix}` }, () => {
  const native = transcript(backends.native());
  const wasm = transcript(backends.wasm());
  assert.ok(native.some((l) => l.startsWith('finish -> {"ok":true')), native.join('\n'));
  assert.ok(native.some((l) => l.startsWith('finish other -> {"ok":false')), native.join('\n'));
  assert.deepEqual(wasm, native);
});

test('backend.js: native by default when the addon is built, wasm when asked', () => {
  const code = `process.stdout.write(require(${JSON.stringify(backendJs)}).load().name);`;
  if (nativeFile) assert.equal(inChild(code), 'native');
  assert.equal(inChild(code, 'wasm'), 'wasm');
});

test('backend.js: requiring it loads nothing; load() is memoized', () => {
  const code = `const b = require(${JSON.stringify(backendJs)});
    const before = Object.keys(require.cache).filter((f) => /azcred(_wasm)?[^/]*\\.(node|js)$/.test(f) && !f.endsWith('backend.js'));
    const first = b.load();
    process.stdout.write(JSON.stringify({ before, same: b.load() === first }));`;
  assert.deepEqual(JSON.parse(inChild(code, 'wasm')), { before: [], same: true });
});

test('backend.js: a bad AZCRED_BACKEND is an error', () => {
  const code = `try { require(${JSON.stringify(backendJs)}).load(); } catch (e) { process.stdout.write(e.message); }`;
  assert.equal(inChild(code, 'fast'), "AZCRED_BACKEND must be 'native' or 'wasm'");
});

/** A copy of the package's JS (lib/, package.json) in a temp folder, its wasm/ linked: the loader
 * then sees only the native files a test puts there. */
function packageCopy(t) {
  const os = require('node:os');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'azcred-loader-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  fs.cpSync(path.join(npmDir, 'lib'), path.join(dir, 'lib'), { recursive: true });
  fs.copyFileSync(path.join(npmDir, 'package.json'), path.join(dir, 'package.json'));
  fs.symlinkSync(path.join(npmDir, 'wasm'), path.join(dir, 'wasm'));
  return dir;
}

/** Loads the backend of a package copy in a child with AZURE_LOG_LEVEL set; returns its name and
 * the log lines. `pre` runs first. */
function loadIn(dir, level, pre = '') {
  const env = { ...process.env, AZURE_LOG_LEVEL: level };
  delete env.AZCRED_BACKEND;
  delete env.DEBUG;
  const code = `${pre}; process.stdout.write(require(${JSON.stringify(path.join(dir, 'lib', 'backend.js'))}).load().name);`;
  const r = require('node:child_process').spawnSync(process.execPath, ['-e', code], { env, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return { name: r.stdout, lines: r.stderr.split('\n').filter(Boolean) };
}

test('backend.js: the target is this platform, architecture and libc (musl detected, not tried)', () => {
  const libc = process.report.getReport().header.glibcVersionRuntime ? 'gnu' : 'musl';
  const expected = process.platform === 'linux' ? `linux-${process.arch}-${libc}` : undefined;
  if (expected) assert.deepEqual(targetNames(), [expected]);
});

test('backend.js: a native file that exists but does not load is a warning naming it and why; wasm runs', (t) => {
  const dir = packageCopy(t);
  const target = targetNames()[0];
  const file = path.join(dir, 'native', `azcred.${target}.node`);
  fs.mkdirSync(path.dirname(file));
  fs.writeFileSync(file, 'not an addon');
  const { name, lines } = loadIn(dir, 'warning');
  assert.equal(name, 'wasm');
  assert.equal(lines.length, 1, lines.join('\n'));
  assert.ok(lines[0].startsWith('azure:identity:warning azcred: the native addon '), lines[0]);
  assert.ok(lines[0].includes(file), `names the file: ${lines[0]}`);
  assert.match(lines[0], /exists but does not load \(.*(invalid ELF header|file too short|not a valid)/);
});

test('backend.js: no native file is silent below verbose; a platform package of another version is a warning', (t) => {
  const dir = packageCopy(t);
  assert.deepEqual(loadIn(dir, 'info'), { name: 'wasm', lines: [] });
  const verbose = loadIn(dir, 'verbose');
  assert.equal(verbose.name, 'wasm');
  assert.ok(verbose.lines.some((l) => l.includes(`azcred-${targetNames()[0]} is not installed`)), verbose.lines.join('\n'));
  const pkg = path.join(dir, 'node_modules', `azcred-${targetNames()[0]}`);
  fs.mkdirSync(pkg, { recursive: true });
  fs.writeFileSync(path.join(pkg, 'package.json'), JSON.stringify({ name: `azcred-${targetNames()[0]}`, version: '0.0.1', main: 'x.node' }));
  const old = loadIn(dir, 'warning');
  assert.equal(old.name, 'wasm');
  assert.equal(old.lines.length, 1, old.lines.join('\n'));
  assert.match(old.lines[0], /is not used: azcred-\S+ is version 0\.0\.1, azcred is /);
});

test('backend.js: Deno without --allow-ffi is an info line, not a warning, and no addon is tried', (t) => {
  const dir = packageCopy(t);
  const target = targetNames()[0];
  fs.mkdirSync(path.join(dir, 'native'));
  fs.writeFileSync(path.join(dir, 'native', `azcred.${target}.node`), 'not an addon');
  const deno = "globalThis.Deno = { permissions: { querySync: ({ name }) => ({ state: name === 'ffi' ? 'prompt' : 'granted' }) } }";
  assert.deepEqual(loadIn(dir, 'warning', deno), { name: 'wasm', lines: [] });
  const info = loadIn(dir, 'info', deno);
  assert.equal(info.name, 'wasm');
  assert.deepEqual(info.lines, ['azure:identity:info azcred: Deno without --allow-ffi cannot load native addons; using the wasm backend (run with --allow-ffi for the native one)']);
});
