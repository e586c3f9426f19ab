'use strict';
// A live but slow IMDS, run by netns.js inside namespace B:
//
//   node slow-imds.js <address> <port> <delayMs>     (the token to serve arrives on stdin)
//
// It answers both the availability probe (no query, no Metadata header: 400, as real IMDS does)
// and the token request (Metadata: true) after <delayMs>, the way a busy Azure host does: the
// TCP connection is accepted at once, the HTTP answer comes late. It prints one line per request
// ("probe" or "token") so the harness can count them, and exits on its own after 15 minutes.

const http = require('node:http');

const [address, port, delay] = process.argv.slice(2);
const delayMs = Number(delay);
const LIFETIME_MS = 15 * 60 * 1000;

let token = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (d) => {
  token += d;
});
process.stdin.on('end', () => {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://imds');
    const isToken = url.pathname === '/metadata/identity/oauth2/token' && String(req.headers.metadata).toLowerCase() === 'true';
    process.stdout.write(isToken ? 'token\n' : 'probe\n');
    setTimeout(() => {
      if (res.destroyed) return;
      if (!isToken) {
        res.writeHead(400, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ error: 'invalid_request', error_description: 'Required metadata header not specified' }));
        return;
      }
      const now = Math.floor(Date.now() / 1000);
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(
        JSON.stringify({
          access_token: token,
          client_id: '7a2c0de0-0000-4000-8000-0000000c11e7',
          expires_in: '86399',
          expires_on: String(now + 86399),
          ext_expires_in: '86399',
          not_before: String(now),
          resource: url.searchParams.get('resource') || '',
          token_type: 'Bearer',
        }),
      );
    }, delayMs);
  });
  server.requestTimeout = 30000;
  server.listen(Number(port), address, () => process.stdout.write('listening\n'));
  setTimeout(() => process.exit(0), LIFETIME_MS).unref();
});
