'use strict';
// Node IO for interactive sign-in: the opener of the browser (`launch`) and the loopback listener
// the sign-in page redirects to (`Listener`). No decisions here: the address, port, caps,
// deadlines, pages and what each request means all come from the core.

const { failureKind } = require('./io-node');

function failed(kind, message) {
  return { type: 'failed', kind, message: String(message || kind) };
}

/** Node's timers hold at most 2^31-1 ms. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Calls `fn` at `deadline` (ms since the epoch). Returns a function that cancels it. */
function at(deadline, fn) {
  let t;
  const arm = () => {
    const left = deadline - Date.now();
    t = setTimeout(left > MAX_TIMER_MS ? arm : fn, Math.max(0, Math.min(left, MAX_TIMER_MS)));
  };
  arm();
  return () => clearTimeout(t);
}

/** Starts a program meant to outlive the call (an opener of the browser), without a shell: no
 * pipes (what it starts holds nothing of this process's), in a session of its own on POSIX,
 * never killed, not keeping this process alive. Resolves to `ran` with its exit code when it
 * exits before the deadline, else `failed` (`timedOut`: it goes on running); never rejects. */
function launch(action, signal) {
  const { spawn } = require('node:child_process');
  return new Promise((resolve) => {
    if (signal && signal.aborted) return resolve(failed('aborted', 'The operation was aborted.'));
    let settled = false;
    let cancel = () => {};
    const onAbort = () => settle(failed('aborted', 'The operation was aborted.'));
    function settle(reply) {
      if (settled) return;
      settled = true;
      cancel();
      if (signal) signal.removeEventListener('abort', onAbort);
      resolve(reply);
    }
    let child;
    try {
      child = spawn(action.program, action.args, {
        stdio: 'ignore',
        detached: process.platform !== 'win32',
        windowsHide: true,
      });
    } catch (e) {
      settle(failed(failureKind(e), e.message));
      return;
    }
    child.unref();
    child.on('error', (e) => settle(failed(failureKind(e), e.code === 'ENOENT' ? `${action.program}: not found` : e.message)));
    child.on('exit', (code) => settle({ type: 'ran', exitCode: typeof code === 'number' ? code : null, stdout: '', stderr: '' }));
    cancel = at(action.deadline, () => settle(failed('timedOut', `${action.program} is still running`)));
    if (signal) signal.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * The loopback listener of one flow. The driver makes one per flow (`drive()`), and closes it in
 * its `finally`, whatever the outcome: `close()` is safe to call in any state, any number of
 * times.
 */
class Listener {
  constructor() {
    this.server = null;
    this.sockets = new Set();
    /** Requests received and not yet handed to the core: `{ reply, res }`. */
    this.queue = [];
    /** The request handed to the core and not yet answered. */
    this.current = null;
    /** The pending `accept`, when the core waits for a request. */
    this.waiter = null;
    this.closed = false;
  }

  /** Opens the listener on the action's loopback address and port. */
  listen(action) {
    const http = require('node:http');
    if (this.server || this.closed) return Promise.resolve(failed('other', 'this flow already had a listener'));
    const { maxPending, maxBodyBytes } = action;
    const server = http.createServer((req, res) => this.onRequest(req, res, maxPending, maxBodyBytes));
    this.server = server;
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    return new Promise((resolve) => {
      const onError = (e) => {
        this.close();
        resolve(failed(failureKind(e), e.message));
      };
      server.once('error', onError);
      server.listen({ host: action.host, port: action.port, exclusive: true }, () => {
        server.off('error', onError);
        server.on('error', () => {});
        resolve({ type: 'listening', port: server.address().port });
      });
    });
  }

  onRequest(req, res, maxPending, maxBodyBytes) {
    const chunks = [];
    let size = 0;
    req.on('data', (c) => {
      size += c.length;
      if (size > maxBodyBytes) {
        req.destroy();
        res.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('error', () => res.destroy());
    req.on('end', () => {
      if (this.closed || res.destroyed) return;
      const reply = {
        type: 'received',
        method: req.method,
        target: req.url || '',
        body: Buffer.concat(chunks),
      };
      if (typeof req.headers['content-type'] === 'string') reply.contentType = req.headers['content-type'];
      const entry = { reply, res };
      if (this.waiter) {
        const w = this.waiter;
        this.waiter = null;
        w(entry);
      } else if (this.queue.length < maxPending) {
        this.queue.push(entry);
      } else {
        res.destroy();
      }
    });
  }

  /** Resolves with the next request (queued first), or `failed` at the deadline or on abort. */
  accept(action, signal) {
    if (!this.server) return Promise.resolve(failed('other', 'no listener is open'));
    if (this.queue.length) {
      const entry = this.queue.shift();
      this.current = entry;
      return Promise.resolve(entry.reply);
    }
    return new Promise((resolve) => {
      let cancel = () => {};
      const onAbort = () => settle(null, failed('aborted', 'The operation was aborted.'));
      const settle = (entry, reply) => {
        cancel();
        if (signal) signal.removeEventListener('abort', onAbort);
        if (this.waiter === receive) this.waiter = null;
        if (entry) this.current = entry;
        resolve(entry ? entry.reply : reply);
      };
      const receive = (entry) => settle(entry);
      this.waiter = receive;
      this.abortWaiter = () => settle(null, failed('aborted', 'the listener was closed'));
      cancel = at(action.deadline, () => settle(null, failed('timedOut', 'no request reached the listener in time')));
      if (signal) {
        if (signal.aborted) return onAbort();
        signal.addEventListener('abort', onAbort, { once: true });
      }
    });
  }

  /** Writes the core's response to the request last received. */
  respond(action) {
    const entry = this.current;
    this.current = null;
    if (!entry) return Promise.resolve(failed('other', 'no request to answer'));
    const { res } = entry;
    return new Promise((resolve) => {
      let done = false;
      const settle = (reply) => {
        if (done) return;
        done = true;
        cancel();
        resolve(reply);
      };
      const cancel = at(action.deadline, () => {
        res.destroy();
        settle(failed('timedOut', 'the page was not written in time'));
      });
      res.on('close', () => settle(res.writableFinished ? { type: 'responded' } : failed('reset', 'the browser closed the connection')));
      try {
        const headers = {};
        for (const [k, v] of action.headers) headers[k] = v;
        headers['Content-Length'] = Buffer.byteLength(action.body);
        res.writeHead(action.status, headers);
        res.end(action.body, () => settle({ type: 'responded' }));
      } catch (e) {
        res.destroy();
        settle(failed(failureKind(e), e.message));
      }
    });
  }

  /** Closes the listener and every connection to it; answers nothing more. */
  close() {
    this.closed = true;
    if (this.abortWaiter && this.waiter) this.abortWaiter();
    this.waiter = null;
    for (const { res } of this.queue) res.destroy();
    this.queue = [];
    if (this.current) this.current.res.destroy();
    this.current = null;
    if (this.server) {
      this.server.close();
      if (typeof this.server.closeAllConnections === 'function') this.server.closeAllConnections();
      this.server = null;
    }
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    return { type: 'closed' };
  }
}

module.exports = { launch, Listener };
