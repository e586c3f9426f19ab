'use strict';
// A developer's machine where the IMDS address silently drops packets, built from two Linux
// network namespaces (root only):
//
//   namespace A ("the laptop"): lo, and veth vA 169.254.77.1/24; the only other route is
//       169.254.169.254/32 via 169.254.77.2. The probes run here (`ip netns exec A node ...`).
//   namespace B ("the network"): lo, and veth vB 169.254.77.2/24; net.ipv4.ip_forward=0 and no
//       address 169.254.169.254, so a SYN for it is dropped without an ICMP answer (the kernel's
//       ip_error() sends nothing when forwarding is off): a TCP connect from A never completes,
//       as on a laptop whose router drops link-local traffic.
//   live mode: 169.254.169.254/32 is added to B's lo and a slow IMDS (slow-imds.js) listens
//       there, as on an Azure VM whose IMDS answers late.
//
// Nothing is routed out of A or B: traffic stays inside the two namespaces. The namespaces are
// named after this process (azcb<pid>a/b) and removed by cleanup(), which run.js calls on exit,
// on failure and on SIGINT/SIGTERM.

const fs = require('node:fs');
const path = require('node:path');
const { execFileSync, spawn } = require('node:child_process');

const IMDS = '169.254.169.254';
const A_ADDR = '169.254.77.1';
const B_ADDR = '169.254.77.2';
const CMD_TIMEOUT_MS = 10000;

function findIp() {
  for (const p of ['/usr/sbin/ip', '/sbin/ip', '/usr/bin/ip', '/bin/ip']) if (fs.existsSync(p)) return p;
  return null;
}

const IP = findIp();

function ip(args) {
  return execFileSync(IP, args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: CMD_TIMEOUT_MS, encoding: 'utf8' });
}

/** Why the namespace scenarios cannot run here, or null when they can be tried. */
function unavailableReason() {
  if (process.platform !== 'linux') return 'not Linux';
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return 'not root (network namespaces need root)';
  if (!IP) return "no 'ip' command (iproute2)";
  return null;
}

/** Removes namespaces left by an earlier run of this harness that died (its pid is gone). */
function removeStale() {
  let names = [];
  try {
    names = ip(['netns', 'list']).split('\n').map((l) => l.split(' ')[0]).filter(Boolean);
  } catch {
    return;
  }
  for (const n of names) {
    const m = /^azcb(\d+)[ab]$/.exec(n);
    if (!m || Number(m[1]) === process.pid) continue;
    let alive = true;
    try {
      process.kill(Number(m[1]), 0);
    } catch {
      alive = false;
    }
    if (!alive) {
      try {
        ip(['netns', 'del', n]);
      } catch {
        // Someone else removed it.
      }
    }
  }
}

/**
 * Creates the two namespaces. Returns an object with `prefix` (run a command in A), `verifyDrop()`,
 * `startLiveImds(delayMs)`, `stopLiveImds()` and `cleanup()`. Throws with a readable message when
 * a step fails (after removing what it made).
 */
function setup() {
  removeStale();
  const A = `azcb${process.pid}a`;
  const B = `azcb${process.pid}b`;
  const vA = `azcb${process.pid}va`.slice(-15);
  const vB = `azcb${process.pid}vb`.slice(-15);
  let imdsServer = null;
  let liveAddr = false;

  function cleanup() {
    stopLiveImds();
    for (const n of [A, B]) {
      try {
        ip(['netns', 'del', n]); // removes the veth pair with it
      } catch {
        // Not created, or already gone.
      }
    }
  }

  function stopLiveImds() {
    if (imdsServer && imdsServer.exitCode === null && imdsServer.signalCode === null) {
      try {
        process.kill(-imdsServer.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    imdsServer = null;
    if (liveAddr) {
      try {
        ip(['-n', B, 'addr', 'del', `${IMDS}/32`, 'dev', 'lo']);
      } catch {
        // The namespace is gone already.
      }
      liveAddr = false;
    }
  }

  try {
    ip(['netns', 'add', A]);
    ip(['netns', 'add', B]);
    ip(['link', 'add', vA, 'netns', A, 'type', 'veth', 'peer', 'name', vB, 'netns', B]);
    for (const [ns, dev, addr] of [[A, vA, A_ADDR], [B, vB, B_ADDR]]) {
      ip(['-n', ns, 'link', 'set', 'lo', 'up']);
      ip(['-n', ns, 'addr', 'add', `${addr}/24`, 'dev', dev]);
      ip(['-n', ns, 'link', 'set', dev, 'up']);
    }
    ip(['-n', A, 'route', 'add', `${IMDS}/32`, 'via', B_ADDR]);
    // /proc/sys/net is per namespace: written from inside B, it is B's setting.
    ip(['netns', 'exec', B, 'sh', '-c', 'echo 0 > /proc/sys/net/ipv4/ip_forward']);
    const forward = ip(['netns', 'exec', B, 'cat', '/proc/sys/net/ipv4/ip_forward']).trim();
    if (forward !== '0') throw new Error(`net.ipv4.ip_forward in ${B} is ${forward}, not 0`);
  } catch (e) {
    cleanup();
    const why = e.stderr ? String(e.stderr).trim() : e.message;
    throw new Error(`cannot build the network namespaces: ${why}`);
  }

  /** A 2 s TCP connect from A to 169.254.169.254:80 must neither complete nor fail. */
  function verifyDrop() {
    const script = `const s=require('net').connect(80,'${IMDS}');
      s.on('connect',()=>{console.log('connected');process.exit(0)});
      s.on('error',(e)=>{console.log('error '+e.code);process.exit(0)});
      setTimeout(()=>{console.log('hanging');process.exit(0)},2000);`;
    const out = execFileSync(IP, ['netns', 'exec', A, process.execPath, '-e', script], {
      encoding: 'utf8',
      timeout: CMD_TIMEOUT_MS,
    }).trim();
    return out;
  }

  /** Starts the slow IMDS in B on 169.254.169.254:80; resolves when it listens. */
  function startLiveImds(delayMs, token) {
    ip(['-n', B, 'addr', 'add', `${IMDS}/32`, 'dev', 'lo']);
    liveAddr = true;
    const server = path.join(__dirname, 'slow-imds.js');
    imdsServer = spawn(IP, ['netns', 'exec', B, process.execPath, server, IMDS, '80', String(delayMs)], {
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
    });
    // The token goes to the server on stdin, never on a command line.
    imdsServer.stdin.end(token);
    const child = imdsServer;
    const counts = { probe: 0, token: 0 };
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the slow IMDS did not start within 10 s')), CMD_TIMEOUT_MS);
      let buf = '';
      child.stdout.setEncoding('utf8').on('data', (d) => {
        buf += d;
        let i;
        while ((i = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, i);
          buf = buf.slice(i + 1);
          if (line === 'listening') {
            clearTimeout(timer);
            resolve({ counts });
          } else if (line === 'probe') counts.probe += 1;
          else if (line === 'token') counts.token += 1;
        }
      });
      let err = '';
      child.stderr.setEncoding('utf8').on('data', (d) => {
        err += d;
      });
      child.on('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`the slow IMDS exited (${code}): ${err.trim().slice(0, 300)}`));
      });
    });
  }

  return { A, B, prefix: [IP, 'netns', 'exec', A], verifyDrop, startLiveImds, stopLiveImds, cleanup };
}

module.exports = { setup, unavailableReason, IMDS };
