#!/usr/bin/env node
'use strict';
// The packaging test: what a user installs. Packs the main package and every platform package
// built (npm/platforms/<target>/), checks what each tarball holds, then for every target installs
// azcred into a fresh app with npm, from a registry on 127.0.0.1 that holds only these tarballs
// (offline: npm never reaches npmjs.org, and it picks the platform package itself), and runs
// tests/packaging/probe.mjs there under that target's runtime:
//   linux-x64-gnu     this machine's Node
//   linux-x64-musl    Bun's musl build on musl 1.2.5
//   linux-arm64-gnu   Node for arm64 under qemu-aarch64-static, on Debian's arm64 glibc
//   linux-arm64-musl  Bun's arm64 musl build under qemu-aarch64-static, on musl 1.2.5
// and linux-x64-gnu again on a real glibc 2.17 (Node 16 through a 2.17 sysroot)
// (the runtimes come from scripts/packaging-tools.sh, in AZCRED_PACKAGING_CACHE). Checked for
// each: the glibc floor (2.17) or no glibc at all; the loader picks the platform package's addon;
// with the platform package absent it runs wasm without a warning; with its binary damaged it
// runs wasm and warns, naming the file; require and import give the same names; a getToken
// through DefaultAzureCredential against the identity emulator works from the installed copy.
//
//   node tests/packaging/run.js [target ...]      (default: every target marked built)

const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFile, execFileSync, spawn } = require('node:child_process');
const execFileAsync = require('node:util').promisify(execFile);

const repo = path.resolve(__dirname, '..', '..');
const npmDir = path.join(repo, 'npm');
const { targets, packageName, fileName } = require(path.join(npmDir, 'scripts', 'platforms'));
const { startEmulator } = require(path.join(npmDir, 'lib', 'emulator'));
const cache = process.env.AZCRED_PACKAGING_CACHE || path.join(os.homedir(), '.cache', 'azcred-packaging');

const musl = (arch, t) => {
  const r = path.join(cache, 'rt', `musl-${arch}`);
  return [path.join(r, 'lib', `ld-musl-${t}.so.1`), '--library-path', path.join(r, 'lib'), path.join(r, 'bun', 'package', 'bin', 'bun')];
};
/** The command that runs a script under each target's runtime. */
const runtimes = {
  'linux-x64-gnu': [process.execPath],
  'linux-x64-musl': musl('x64', 'x86_64'),
  'linux-arm64-gnu': ['qemu-aarch64-static', '-L', '/usr/aarch64-linux-gnu', path.join(cache, 'rt', 'node-arm64', 'package', 'bin', 'node')],
  'linux-arm64-musl': ['qemu-aarch64-static', ...musl('arm64', 'aarch64')],
};

const { version } = require(path.join(npmDir, 'package.json'));
/** The x64 glibc addon again on a real glibc 2.17 (the floor): Node 16 from npm run through the
 * glibc 2.17 sysroot of @napi-rs/cross-toolchain-x64-target-x86_64. */
const sysroot = path.join(cache, 'rt', 'glibc217', 'x86_64-unknown-linux-gnu');
const glibc217 = [path.join(sysroot, 'sysroot', 'lib', 'ld-linux-x86-64.so.2'), '--library-path',
  ['sysroot/lib', 'sysroot/lib64', 'sysroot/usr/lib', 'sysroot/usr/lib64', 'lib64'].map((d) => path.join(sysroot, d)).join(':'),
  path.join(cache, 'rt', 'glibc217', 'node16', 'package', 'bin', 'node')];

const wanted = process.argv.slice(2);
const chosen = wanted.length ? targets.filter((t) => wanted.includes(t.name)) : targets.filter((t) => t.built);

function sh(program, args, options = {}) {
  return execFileSync(program, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...options });
}

/** `npm pack` of the folder into `dest`; returns the tarball's path and its file list. */
function pack(dir, dest) {
  const out = JSON.parse(sh('npm', ['pack', '--json', '--pack-destination', dest], { cwd: dir }));
  return { tgz: path.join(dest, out[0].filename), files: out[0].files.map((f) => f.path) };
}

/** The newest GLIBC_x.y version a binary needs (null when it needs none) and its NEEDED list. */
function elfNeeds(file) {
  const versions = sh('readelf', ['-V', '--wide', file]).match(/GLIBC_[0-9.]+/g) || [];
  const newest = versions.map((v) => v.slice(6).split('.').map(Number)).sort((a, b) => a[0] - b[0] || (a[1] || 0) - (b[1] || 0)).pop();
  const needed = [...sh('readelf', ['-d', '--wide', file]).matchAll(/\(NEEDED\)\s+Shared library: \[([^\]]+)\]/g)].map((m) => m[1]);
  return { glibc: newest ? newest.join('.') : null, needed };
}

/** A registry on 127.0.0.1 that serves the tarballs given to `publish` (name -> tarball) and
 * nothing else: npm resolves azcred and its optional dependencies through it exactly as through
 * npmjs.org, choosing the platform package by os, cpu and libc itself, and never goes online. */
async function startRegistry() {
  const http = require('node:http');
  const crypto = require('node:crypto');
  let published = new Map();
  const server = http.createServer((req, res) => {
    const url = decodeURIComponent(req.url.split('?')[0]);
    const tarball = /^\/-\/(.+\.tgz)$/.exec(url);
    const entry = tarball ? [...published.values()].find((e) => path.basename(e.tgz) === tarball[1]) : published.get(url.slice(1));
    if (!entry) {
      res.writeHead(404, { 'content-type': 'application/json' });
      return res.end('{"error":"not found"}');
    }
    if (tarball) {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      return res.end(fs.readFileSync(entry.tgz));
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(entry.packument));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${server.address().port}`;
  return {
    url: `${base}/`,
    publish(tarballs) {
      published = new Map();
      for (const tgz of tarballs) {
        const bytes = fs.readFileSync(tgz);
        const manifest = JSON.parse(sh('tar', ['-xzOf', tgz, 'package/package.json']));
        const dist = {
          tarball: `${base}/-/${path.basename(tgz)}`,
          integrity: `sha512-${crypto.createHash('sha512').update(bytes).digest('base64')}`,
          shasum: crypto.createHash('sha1').update(bytes).digest('hex'),
        };
        const packument = { name: manifest.name, 'dist-tags': { latest: manifest.version }, versions: { [manifest.version]: { ...manifest, dist } } };
        published.set(manifest.name, { tgz, packument });
      }
    },
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

/** A fresh app with `npm install azcred` from `registry` (holding `tarballs`), as on `t`'s
 * os/cpu/libc. */
async function install(dir, registry, tarballs, t) {
  registry.publish(tarballs);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'packaging-app', version: '1.0.0', private: true }));
  const flags = [`--os=${t.os}`, `--cpu=${t.cpu}`, ...(t.libc ? [`--libc=${t.libc}`] : [])];
  // Asynchronously: the registry answers from this process.
  await execFileAsync('npm', ['install', `--registry=${registry.url}`, `--cache=${path.join(dir, '.npm-cache')}`, '--no-audit', '--no-fund',
    '--no-package-lock', '--fetch-retries=0', ...flags, `azcred@${version}`], { cwd: dir, timeout: 180_000 });
  fs.copyFileSync(path.join(__dirname, 'probe.mjs'), path.join(dir, 'probe.mjs'));
}

/** Runs the probe in `dir` under `t`'s runtime; returns its result and stderr. */
function probe(t, dir, env, runtime = runtimes[t.name]) {
  const [program, ...args] = runtime;
  return new Promise((resolve, reject) => {
    const childEnv = { ...process.env, ...env, AZURE_LOG_LEVEL: 'verbose' };
    delete childEnv.AZCRED_BACKEND;
    delete childEnv.DEBUG;
    const child = spawn(program, [...args, path.join(dir, 'probe.mjs')], { cwd: dir, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const line = stdout.split('\n').find((l) => l.startsWith('PROBE '));
      if (!line) return reject(new Error(`probe under ${program} exited ${signal || code} with no result:\n${stdout}\n${stderr}`));
      resolve({ result: JSON.parse(line.slice(6)), stderr });
    });
  });
}

/** The checks every run shares: names, backend, a token from the emulator. */
function checkCommon(label, { result }, backend) {
  assert.deepEqual(result.esmNames, result.cjsNames, `${label}: require and import give the same names`);
  assert.ok(result.cjsNames.includes('DefaultAzureCredential') && result.cjsNames.includes('backend'), `${label}: the public names`);
  assert.equal(result.backend, backend, `${label}: backend`);
  assert.equal(result.esmBackend, backend, `${label}: backend through import`);
  assert.equal(result.error, undefined, `${label}: getToken failed: ${result.error}`);
  assert.ok(result.token.length > 20 && result.token.expiresInMinutes > 5, `${label}: a usable token`);
  assert.equal(result.selected, 'ManagedIdentityCredential', `${label}: the emulator's managed identity`);
}

const warningLines = (stderr) => stderr.split('\n').filter((l) => l.includes(':warning ') && l.includes('native addon'));

async function main() {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'azcred-packaging-'));
  const started = Date.now();
  const emu = await startEmulator();
  const registry = await startRegistry();
  try {
    // The main package: no binary, README and LICENSE, types for every subpath.
    const main = pack(npmDir, work);
    for (const f of ['README.md', 'LICENSE', 'package.json', 'index.d.ts', 'wasm/azcred_wasm_bg.wasm']) {
      assert.ok(main.files.includes(f), `the main tarball holds ${f}`);
    }
    assert.deepEqual(main.files.filter((f) => f.endsWith('.node')), [], 'the main tarball holds no native binary');
    // The published package.json: prepack writes the optionalDependencies into it.
    const pkg = JSON.parse(sh('tar', ['-xzOf', main.tgz, 'package/package.json']));
    assert.deepEqual(JSON.parse(fs.readFileSync(path.join(npmDir, 'package.json'), 'utf8')).optionalDependencies, undefined,
      'postpack restored the repository package.json');
    assert.ok(pkg.types && main.files.includes(pkg.types), 'package.json names its types');
    for (const [subpath, target] of Object.entries(pkg.exports)) {
      if (subpath === './package.json') continue;
      assert.equal(Object.keys(target)[0], 'types', `exports["${subpath}"] starts with a types condition`);
      assert.ok(main.files.includes(target.types.slice(2)), `exports["${subpath}"].types is in the tarball`);
    }
    const optional = Object.keys(pkg.optionalDependencies).sort();
    assert.deepEqual(optional, targets.filter((t) => t.built).map(packageName).sort(), 'optionalDependencies: the built targets');
    assert.ok(Object.values(pkg.optionalDependencies).every((v) => v === version), 'optionalDependencies at the package version');
    console.log(`ok main tarball: ${path.basename(main.tgz)}, ${main.files.length} files, no .node`);

    // Every platform package, packed: the registry serves them all and npm must pick one.
    const platformTarballs = [];
    for (const t of chosen) {
      const binary = path.join(npmDir, 'platforms', t.name, fileName(t));
      assert.ok(fs.existsSync(binary), `${t.name}: ${path.relative(repo, binary)} is built (npm run build:platforms)`);
      const plat = pack(path.dirname(binary), work);
      assert.deepEqual(plat.files.sort(), ['LICENSE', 'README.md', fileName(t), 'package.json'].sort(), `${t.name}: the platform tarball`);
      platformTarballs.push(plat.tgz);
    }
    console.log(`ok platform tarballs: ${platformTarballs.map((f) => path.basename(f)).join(', ')}`);

    for (const t of chosen) {
      const label = t.name;
      const platformDir = path.join(npmDir, 'platforms', t.name);
      const binary = path.join(platformDir, fileName(t));

      const needs = elfNeeds(binary);
      if (t.libc === 'glibc') {
        const [major, minor] = needs.glibc.split('.').map(Number);
        assert.ok(major === 2 && minor <= 17, `${label}: needs glibc ${needs.glibc}, the floor is 2.17`);
      } else {
        assert.equal(needs.glibc, null, `${label}: a musl binary needs no glibc symbol`);
        assert.ok(!needs.needed.some((n) => n.startsWith('libc.so.6')), `${label}: no libc.so.6`);
      }
      assert.ok(!needs.needed.some((n) => n.startsWith('libgcc_s') || n.startsWith('libstdc++')), `${label}: no libgcc_s / libstdc++`);


      const runtime = runtimes[t.name];
      assert.ok(runtime, `${label}: no runtime to check it with`);

      // Installed with its platform package: native, from that package.
      const app = path.join(work, `app-${t.name}`);
      await install(app, registry, [main.tgz, ...platformTarballs], t);
      assert.ok(!fs.existsSync(path.join(app, 'node_modules', 'azcred', 'native')), `${label}: no native/ in the installed azcred`);
      const installedBinary = path.join(app, 'node_modules', packageName(t), fileName(t));
      assert.ok(fs.existsSync(installedBinary), `${label}: npm installed ${packageName(t)}`);
      const installed = fs.readdirSync(path.join(app, 'node_modules')).filter((n) => n.startsWith('azcred'));
      assert.deepEqual(installed.sort(), ['azcred', packageName(t)], `${label}: npm chose only the matching platform package`);
      const native = await probe(t, app, emu.appServiceEnv);
      checkCommon(`${label} native`, native, 'native');
      assert.ok(native.stderr.includes(`azcred: using the native addon ${installedBinary}`) ||
        native.stderr.includes(`azcred: using the native addon ${fs.realpathSync(installedBinary)}`),
        `${label}: loaded from the platform package:\n${native.stderr}`);
      assert.deepEqual(warningLines(native.stderr), [], `${label}: no warning`);
      if (t.name === 'linux-x64-gnu') {
        const old = await probe(t, app, emu.appServiceEnv, glibc217);
        checkCommon(`${label} on glibc 2.17`, old, 'native');
        assert.match(old.stderr, /azcred: using the native addon \S+azcred-linux-x64-gnu/, `${label} on glibc 2.17:\n${old.stderr}`);
        console.log(`ok ${label}: native on glibc 2.17 too (Node 16 through the 2.17 sysroot's loader)`);
      }
      console.log(`ok ${label}: native from ${packageName(t)} (${native.result.arch}), glibc floor ${needs.glibc || 'none'}, NEEDED ${needs.needed.join(' ')}`);

      // The binary damaged: wasm, and a warning naming the file.
      fs.writeFileSync(installedBinary, Buffer.from('\x7fELF damaged by the packaging test\n'));
      const damaged = await probe(t, app, emu.appServiceEnv);
      checkCommon(`${label} damaged`, damaged, 'wasm');
      const warned = warningLines(damaged.stderr);
      assert.equal(warned.length, 1, `${label}: one warning for the damaged binary:\n${damaged.stderr}`);
      assert.ok(warned[0].includes(installedBinary) || warned[0].includes(fs.realpathSync(installedBinary)), `${label}: the warning names the file: ${warned[0]}`);
      assert.match(warned[0], /exists but does not load \(.+\)/, `${label}: the warning gives the reason`);
      console.log(`ok ${label}: damaged binary -> wasm, warned: ${warned[0].slice(0, 160)}`);

      // Without the platform package: wasm, no warning.
      const bare = path.join(work, `bare-${t.name}`);
      await install(bare, registry, [main.tgz], t);
      assert.ok(!fs.existsSync(path.join(bare, 'node_modules', packageName(t))), `${label}: installed without ${packageName(t)}`);
      const absent = await probe(t, bare, emu.appServiceEnv);
      checkCommon(`${label} absent`, absent, 'wasm');
      assert.deepEqual(warningLines(absent.stderr), [], `${label}: no warning without the platform package`);
      console.log(`ok ${label}: no platform package -> wasm, no warning`);
    }
    console.log(`packaging: ${chosen.length} target(s) passed in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  } finally {
    await Promise.all([emu.close(), registry.close()]);
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(`packaging: FAILED: ${e.message}`);
  process.exitCode = 1;
});
