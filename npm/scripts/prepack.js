#!/usr/bin/env node
// `prepack` of the main package and of every platform package: copies the repository's LICENSE
// (and, for the main package, the README) into the package folder, so each published tarball
// carries them. The copies are ignored by git. Run by `npm pack` / `npm publish`.
'use strict';

const fs = require('node:fs');
const path = require('node:path');

const repo = path.resolve(__dirname, '..', '..');
const pkgDir = process.cwd();
const pkg = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8'));
const copies = ['LICENSE'];
if (pkg.name === 'azcred') copies.push('README.md');
for (const name of copies) {
  fs.copyFileSync(path.join(repo, name), path.join(pkgDir, name));
}
if (pkg.main && pkg.main.endsWith('.node') && !fs.existsSync(path.join(pkgDir, pkg.main))) {
  console.error(`prepack: ${pkg.name} has no ${pkg.main}: build it first (npm run build:platforms -- ${pkg.name.replace(/^azcred-/, '')})`);
  process.exit(1);
}
