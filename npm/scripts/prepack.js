#!/usr/bin/env node
// `prepack` of the main package and of every platform package: copies the repository's LICENSE
// (and, for the main package, the README) into the package folder, so each published tarball
// carries them (the copies are ignored by git). For the main package it also writes the
// optionalDependencies, one per platform package built (scripts/platforms.js), at the package's
// own version, as @napi-rs/cli's `prepublish` does: they are not in the repository's
// package.json, whose lockfile could not hold packages that are only published with a release.
// `--restore` (the main package's `postpack`) puts the repository's package.json back.
// Run by `npm pack` / `npm publish`.
'use strict';

const fs = require('node:fs');
const path = require('node:path');

const repo = path.resolve(__dirname, '..', '..');
const pkgDir = process.cwd();
const pkgFile = path.join(pkgDir, 'package.json');
const saved = path.join(pkgDir, '.package.json.prepack');

if (process.argv.includes('--restore')) {
  if (fs.existsSync(saved)) fs.renameSync(saved, pkgFile);
  process.exit(0);
}

if (fs.existsSync(saved)) fs.renameSync(saved, pkgFile); // an interrupted pack: start clean
const text = fs.readFileSync(pkgFile, 'utf8');
const pkg = JSON.parse(text);
const copies = ['LICENSE'];
if (pkg.name === 'azcred') copies.push('README.md');
for (const name of copies) {
  fs.copyFileSync(path.join(repo, name), path.join(pkgDir, name));
}
if (pkg.main && pkg.main.endsWith('.node') && !fs.existsSync(path.join(pkgDir, pkg.main))) {
  console.error(`prepack: ${pkg.name} has no ${pkg.main}: build it first (npm run build:platforms -- ${pkg.name.replace(/^azcred-/, '')})`);
  process.exit(1);
}
if (pkg.name === 'azcred') {
  const { targets, packageName } = require('./platforms');
  const optional = Object.fromEntries(targets.filter((t) => t.built).map((t) => [packageName(t), pkg.version]));
  const published = {};
  for (const [k, v] of Object.entries(pkg)) {
    published[k] = v;
    if (k === 'engines') published.optionalDependencies = optional;
  }
  if (!published.optionalDependencies) published.optionalDependencies = optional;
  fs.writeFileSync(saved, text);
  fs.writeFileSync(pkgFile, `${JSON.stringify(published, null, 2)}\n`);
}
