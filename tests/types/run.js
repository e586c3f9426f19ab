#!/usr/bin/env node
// The type suite: compiles each user program in programs/ with `tsc --noEmit`, strict, once as an
// ES module project (module/moduleResolution nodenext) and once as a CommonJS project (module
// commonjs, moduleResolution node10), and prints how many compilations passed. Exits non-zero if
// any failed.
//
// The programs import azcred by its package name, as a user would: this runner links
// tests/types/node_modules/azcred to npm/ (so resolution goes through npm/package.json, its exports
// map and "types" conditions), and the SDK clients come from tests/node_modules (`npm ci` there).
// This file is an ES module (tests/types/package.json says "type": "module").
//
//   node tests/types/run.js [--mode nodenext|commonjs] [program filter]

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..', '..');
const tsc = path.join(repo, 'npm', 'node_modules', 'typescript', 'bin', 'tsc');
const programsDir = path.join(here, 'programs');
const tmp = path.join(repo, 'tests', '.tmp', 'types');

const args = process.argv.slice(2);
const modeArg = args.includes('--mode') ? args[args.indexOf('--mode') + 1] : undefined;
const filter = args.find((a, i) => !a.startsWith('--') && args[i - 1] !== '--mode');
const modes = modeArg ? [modeArg] : ['nodenext', 'commonjs'];

// Programs whose third-party declarations do not pass `skipLibCheck: false` get it turned on,
// with the reason (azcred's own index.d.ts is then checked by the other programs).
const skipLibCheck = {
  // e.g. 'cosmos.ts': '@azure/cosmos x.y.z declares ... which fails under ...',
};

if (!fs.existsSync(tsc)) {
  console.error(`type suite: ${tsc} is missing (run npm ci in npm/)`);
  process.exit(2);
}
if (!fs.existsSync(path.join(repo, 'tests', 'node_modules', '@azure', 'core-auth'))) {
  console.error('type suite: tests/node_modules is missing (run npm ci in tests/)');
  process.exit(2);
}

// node_modules/azcred -> npm/, as `npm install azcred` would place it (a link, so the types
// compiled are the working tree's).
const linkDir = path.join(here, 'node_modules');
const link = path.join(linkDir, 'azcred');
fs.mkdirSync(linkDir, { recursive: true });
let current;
try {
  current = fs.readlinkSync(link);
} catch {
  current = undefined;
}
const target = path.relative(linkDir, path.join(repo, 'npm'));
if (current !== target) {
  fs.rmSync(link, { recursive: true, force: true });
  fs.symlinkSync(target, link, 'dir');
}

const programs = fs
  .readdirSync(programsDir)
  .filter((f) => f.endsWith('.ts') && (!filter || f.includes(filter)))
  .sort();

fs.mkdirSync(tmp, { recursive: true });
const jobs = [];
for (const mode of modes) {
  for (const program of programs) {
    const config = {
      extends: path.join(here, `tsconfig.${mode}.json`),
      compilerOptions: skipLibCheck[program] ? { skipLibCheck: true } : {},
      files: [path.join(programsDir, program)],
    };
    const file = path.join(tmp, `${mode}-${program}.json`);
    fs.writeFileSync(file, JSON.stringify(config, null, 2));
    jobs.push({ mode, program, file });
  }
}

function run(job) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, [tsc, '-p', job.file, '--pretty', 'false'], { cwd: here });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('close', (code) => resolve({ ...job, ok: code === 0, out, secs: (Date.now() - started) / 1000 }));
  });
}

const results = [];
const width = Math.max(1, Math.min(jobs.length, Math.floor(os.cpus().length / 2) || 1, 8));
let next = 0;
await Promise.all(
  Array.from({ length: width }, async () => {
    while (next < jobs.length) {
      const job = jobs[next++];
      const r = await run(job);
      results.push(r);
      console.log(`${r.ok ? 'ok  ' : 'FAIL'} ${r.mode.padEnd(8)} ${r.program} (${r.secs.toFixed(1)} s)`);
      if (!r.ok) console.log(r.out.replace(/^/gm, '     | ').trimEnd());
    }
  }),
);

const passed = results.filter((r) => r.ok).length;
const byMode = modes
  .map((m) => `${m} ${results.filter((r) => r.mode === m && r.ok).length}/${results.filter((r) => r.mode === m).length}`)
  .join(', ');
console.log(`\ntype suite: ${passed} of ${results.length} compilations passed (${byMode})`);
process.exitCode = passed === results.length && results.length > 0 ? 0 : 1;
