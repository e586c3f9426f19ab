'use strict';
// Starts one probe process and times it from spawn to its "T" line. Every child has a deadline
// and runs in its own process group, so a timeout kills everything it started.

const { spawn } = require('node:child_process');
const path = require('node:path');
const { MARK } = require('./guard-mark');

const PROBE = path.join(__dirname, '..', 'probe.js');
// Process groups of the children still running, so an interrupted run can end them.
const active = new Set();
const GUARD = path.join(__dirname, 'guard.js');

/**
 * @param {object} o
 * @param {string} o.mode        probe mode
 * @param {string} o.impl        native | wasm | reference | none
 * @param {string} [o.arg]       the mode's argument
 * @param {object} o.env         the complete environment of the child
 * @param {number} o.timeoutMs   kill the child after this long
 * @param {boolean} [o.guard]    preload the network guard (every mode that makes a request)
 * @param {string[]} [o.prefix]  run through this command (e.g. ['ip', 'netns', 'exec', 'A'])
 * @returns {Promise<{ms: number|null, exitMs: number, code: number|null, signal: string|null,
 *   timedOut: boolean, details: object|null, stderr: string, blocked: string[]}>}
 */
function runProbe(o) {
  const nodeArgs = [];
  if (o.guard) nodeArgs.push('--require', GUARD);
  nodeArgs.push(PROBE, o.mode, o.impl);
  if (o.arg !== undefined) nodeArgs.push(String(o.arg));
  const env = { ...o.env };
  if (o.impl === 'native' || o.impl === 'wasm') env.AZCRED_BACKEND = o.impl;
  else delete env.AZCRED_BACKEND;
  const [file, args] = o.prefix ? [o.prefix[0], [...o.prefix.slice(1), process.execPath, ...nodeArgs]] : [process.execPath, nodeArgs];

  return new Promise((resolve) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(file, args, { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true, cwd: path.join(__dirname, '..') });
    if (child.pid) active.add(child.pid);
    let stdout = '';
    let stderr = '';
    let markMs = null;
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (d) => {
      if (markMs === null && (stdout + d).startsWith('T\n')) markMs = Number(process.hrtime.bigint() - t0) / 1e6;
      stdout = (stdout + d).slice(0, 100000);
    });
    child.stderr.setEncoding('utf8').on('data', (d) => {
      stderr = (stderr + d).slice(-20000);
    });
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }, o.timeoutMs);
    child.on('error', (e) => {
      stderr += `spawn failed: ${e.message}`;
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      active.delete(child.pid);
      const exitMs = Number(process.hrtime.bigint() - t0) / 1e6;
      let details = null;
      const line = stdout.split('\n')[1];
      try {
        details = line ? JSON.parse(line) : null;
      } catch {
        details = null;
      }
      const blocked = stderr.split('\n').filter((l) => l.startsWith(MARK));
      resolve({ ms: markMs, exitMs, code, signal, timedOut, details, stderr: stderr.trim(), blocked });
    });
  });
}

/** Kills every child still running (their whole process groups). */
function killAll() {
  for (const pid of active) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  active.clear();
}

module.exports = { runProbe, killAll };
