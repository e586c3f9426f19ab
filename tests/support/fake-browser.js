'use strict';
/**
 * A fake browser for InteractiveBrowserCredential's end-to-end tests, installed as `xdg-open` in
 * a directory the test puts first on PATH. Like a real opener it returns at once and leaves the
 * "browser" running in the background; the browser GETs the authorize URL it was given (over
 * HTTPS, trusting NODE_EXTRA_CA_CERTS) and, when the page is a `form_post` page (a form with an
 * action and hidden inputs, as Entra sends), POSTs the form to its action as a browser would.
 * Each step is appended to a JSON-lines log the test reads.
 *
 *   installFakeBrowser(dir) -> { dir, log(): object[], waitFor(pred, ms) }
 */

const fs = require('node:fs');
const path = require('node:path');

/** Writes `<dir>/xdg-open` (a shell script that starts this file in the background). */
function installFakeBrowser(dir) {
  fs.mkdirSync(dir, { recursive: true });
  const logPath = path.join(dir, 'browser.log');
  fs.writeFileSync(logPath, '');
  const script = path.join(dir, 'xdg-open');
  const q = (s) => `'${s.replace(/'/g, "'\\''")}'`;
  fs.writeFileSync(
    script,
    `#!/bin/sh\n${q(process.execPath)} ${q(__filename)} ${q(logPath)} "$@" >/dev/null 2>&1 &\nexit 0\n`,
    { mode: 0o755 },
  );
  const log = () =>
    fs
      .readFileSync(logPath, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));
  /** Resolves with the first log entry `pred` accepts, waiting for it up to `ms`. */
  const waitFor = async (pred, ms = 10000) => {
    const until = Date.now() + ms;
    for (;;) {
      const hit = log().find(pred);
      if (hit) return hit;
      if (Date.now() > until) throw new Error(`the fake browser did not log what was waited for; log: ${JSON.stringify(log())}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  };
  return { dir, log, waitFor };
}

/** The browser itself: `node fake-browser.js <log> <url>`. */
async function browse(logPath, url) {
  const write = (o) => fs.appendFileSync(logPath, `${JSON.stringify(o)}\n`);
  write({ opened: url });
  const request = (target, options, body) =>
    new Promise((resolve, reject) => {
      const mod = target.startsWith('https:') ? require('node:https') : require('node:http');
      const req = mod.request(target, options, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      });
      req.on('error', reject);
      req.end(body);
    });
  const page = await request(url, { method: 'GET' });
  write({ authorizeStatus: page.status });
  const action = /<form[^>]*action="([^"]+)"/.exec(page.body);
  if (!action) return;
  const decode = (s) => s.replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
  const fields = [...page.body.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)].map((m) => [m[1], decode(m[2])]);
  const body = new URLSearchParams(fields).toString();
  const target = decode(action[1]);
  const answer = await request(
    target,
    { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) } },
    body,
  );
  write({ posted: target, status: answer.status, contentType: answer.headers['content-type'], page: answer.body });
}

module.exports = { installFakeBrowser };

if (require.main === module) {
  const [logPath, url] = process.argv.slice(2);
  browse(logPath, url).catch((e) => fs.appendFileSync(logPath, `${JSON.stringify({ error: String(e && e.message) })}\n`));
}
