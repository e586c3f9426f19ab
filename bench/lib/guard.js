'use strict';
// Network guard, preloaded (`node --require bench/lib/guard.js`) into every benchmark child that
// talks to an endpoint, whichever implementation it runs. The benchmark must only ever reach
// loopback, or 169.254.169.254 inside the network namespaces the harness creates; this turns any
// other connection (an MSAL instance-discovery GET to login.microsoftonline.com, an IMDS probe
// on the host, a DNS query) into an immediate local failure and reports it on stderr, where the
// harness looks for it and fails the scenario. No packet leaves for a blocked destination: the
// check runs before the socket's DNS lookup and connect.
//
// Cost: it loads `net` and `dns` (about 2 ms), which every child that makes a request loads
// anyway; it is not used for the require/RSS measurements.

const net = require('node:net');
const dns = require('node:dns');

const { MARK } = require('./guard-mark');
// 169.254.169.254 is allowed only where the harness says the process runs in its namespace.
const allowImds = process.env.AZCRED_BENCH_ALLOW_IMDS === '1';

function allowedHost(host) {
  if (host === undefined || host === null || host === '') return true; // Node defaults to localhost
  const h = String(host).replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h === '::1' || h === '::ffff:127.0.0.1') return true;
  if (net.isIPv4(h) && h.startsWith('127.')) return true;
  if (allowImds && h === '169.254.169.254') return true;
  return false;
}

function report(what) {
  // One line, no request content: the destination only.
  process.stderr.write(`${MARK} ${what}\n`);
}

const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function guardedConnect(...args) {
  const normalized = net._normalizeArgs(args);
  const options = normalized[0] || {};
  if (options.path === undefined && !allowedHost(options.host)) {
    report(`connection to ${options.host}:${options.port}`);
    const err = new Error(`${MARK}: ${options.host} is not a benchmark address`);
    err.code = 'ECONNREFUSED';
    process.nextTick(() => this.destroy(err));
    return this;
  }
  return connect.apply(this, args);
};

// Direct lookups (not through a socket) of anything but localhost fail the same way.
function guardLookup(original) {
  return function guardedLookup(hostname, ...rest) {
    if (!allowedHost(hostname)) {
      report(`DNS lookup of ${hostname}`);
      const cb = rest[rest.length - 1];
      const err = Object.assign(new Error(`${MARK}: lookup ${hostname}`), { code: 'ENOTFOUND', hostname });
      if (typeof cb === 'function') process.nextTick(cb, err);
      return undefined;
    }
    return original.call(this, hostname, ...rest);
  };
}
dns.lookup = guardLookup(dns.lookup);
const promiseLookup = dns.promises.lookup;
dns.promises.lookup = function guardedPromiseLookup(hostname, ...rest) {
  if (!allowedHost(hostname)) {
    report(`DNS lookup of ${hostname}`);
    return Promise.reject(Object.assign(new Error(`${MARK}: lookup ${hostname}`), { code: 'ENOTFOUND', hostname }));
  }
  return promiseLookup.call(this, hostname, ...rest);
};
