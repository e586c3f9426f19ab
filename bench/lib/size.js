'use strict';
// Installed size: `npm pack` of npm/ (as built), installed into an empty folder, against
// `npm install @azure/identity@4.14.1` into another empty folder; `du -sb node_modules` of each.
// Also reads the installed trees: the packages in them, and azcred's declared dependencies.

const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

const NPM_TIMEOUT_MS = 300000;
const NPM_DIR = path.join(__dirname, '..', '..', 'npm');

function npm(args, cwd) {
  // The npm on PATH; --prefer-offline (below) uses the local cache when it has the package.
  return execFileSync('npm', args, {
    cwd,
    encoding: 'utf8',
    timeout: NPM_TIMEOUT_MS,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' },
  });
}

function duBytes(dir) {
  return Number(execFileSync('du', ['-sb', dir], { encoding: 'utf8', timeout: 60000 }).split('\t')[0]);
}

/** Every package directory under node_modules (scoped ones included). */
function installedPackages(nodeModules) {
  const out = [];
  const walk = (dir) => {
    let entries = [];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (!e.isDirectory() || e.name.startsWith('.')) continue;
      const p = path.join(dir, e.name);
      if (e.name.startsWith('@')) {
        walk(p);
        continue;
      }
      if (fs.existsSync(path.join(p, 'package.json'))) {
        out.push(path.relative(nodeModules, p));
        walk(path.join(p, 'node_modules'));
      }
    }
  };
  walk(nodeModules);
  return out.sort();
}

function fileCount(dir) {
  let n = 0;
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(path.join(d, e.name));
      else n += 1;
    }
  };
  walk(dir);
  return n;
}

/**
 * @param {string} work a scratch directory (emptied here)
 * @param {(msg: string) => void} log
 */
function measureSizes(work, log) {
  fs.rmSync(work, { recursive: true, force: true });
  fs.mkdirSync(work, { recursive: true });

  log('npm pack (npm/)');
  const packed = JSON.parse(npm(['pack', '--json', '--pack-destination', work], NPM_DIR))[0];
  const tarball = path.join(work, packed.filename);

  const install = (name, spec) => {
    const dir = path.join(work, name);
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: `bench-${name}`, version: '0.0.0', private: true }));
    log(`npm install ${path.basename(spec)} into an empty folder`);
    npm(['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', spec], dir);
    const nm = path.join(dir, 'node_modules');
    return { bytes: duBytes(nm), files: fileCount(nm), packages: installedPackages(nm), nodeModules: nm };
  };
  const azcred = install('azcred', tarball);
  const reference = install('reference', '@azure/identity@4.14.1');

  // Zero runtime dependencies: the installed tree is azcred alone (and at most its own addon for
  // this platform), and its package.json declares none (dependencies, optionalDependencies,
  // peerDependencies, bundleDependencies) but its own per-platform addon packages, which npm
  // installs one of (the napi-rs layout; scripts/platforms.js).
  const platforms = require(path.join(NPM_DIR, 'scripts', 'platforms.js'));
  const own = new Set(['azcred', ...platforms.targets.map(platforms.packageName)]);
  const manifest = JSON.parse(fs.readFileSync(path.join(azcred.nodeModules, 'azcred', 'package.json'), 'utf8'));
  const declared = ['dependencies', 'optionalDependencies', 'peerDependencies', 'bundleDependencies', 'bundledDependencies']
    .flatMap((k) => Object.keys(manifest[k] || {}).filter((d) => !(k === 'optionalDependencies' && own.has(d))).map((d) => `${k}:${d}`));
  const others = azcred.packages.filter((p) => !own.has(p));
  const zeroDeps = declared.length === 0 && others.length === 0;

  return {
    tarball: { name: packed.filename, bytes: fs.statSync(tarball).size, unpackedBytes: packed.unpackedSize, entries: packed.entryCount },
    azcred: { bytes: azcred.bytes, files: azcred.files, packages: azcred.packages },
    reference: { bytes: reference.bytes, files: reference.files, packages: reference.packages },
    zeroDeps,
    declaredDeps: declared,
    extraPackages: others,
  };
}

module.exports = { measureSizes };
