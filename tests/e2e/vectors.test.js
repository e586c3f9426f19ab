'use strict';
// Runs the shared vectors in tests/vectors/*.json through the backend in use (AZCRED_BACKEND):
// the same files `crates/azcred-core/tests/vectors.rs` runs through the core, so the core, the
// native addon and the wasm module are held to one set of expectations.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');

const { Credential, TokenStore } = require('../../npm/lib/backend').load();

const dir = path.join(__dirname, '..', 'vectors');
const files = fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort();

/** Whether every field of `want` is in `got` with the same value (arrays element by element). */
function subset(want, got) {
  if (Array.isArray(want)) {
    return Array.isArray(got) && want.length === got.length && want.every((w, i) => subset(w, got[i]));
  }
  if (want && typeof want === 'object') {
    return got && typeof got === 'object' && Object.keys(want).every((k) => k in got && subset(want[k], got[k]));
  }
  return want === got;
}

test('there are vectors', () => assert.ok(files.length >= 10));

for (const file of files) {
  const v = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
  test(`${file}: ${v.name}`, () => {
    let now = v.now;
    let cred;
    try {
      cred = new Credential(v.kind, v.options, v.env, 1, new TokenStore());
    } catch (e) {
      assert.ok(v.configError, `unexpected: ${e.message}`);
      assert.equal(e.code, v.configError.code);
      assert.equal(e.message, v.configError.message);
      return;
    }
    assert.equal(v.configError, undefined, 'the constructor should have thrown');
    const begun = cred.begin(v.request, now);
    assert.equal(begun.type, 'start');
    const { flow } = begun;
    const steps = [...v.steps];
    for (;;) {
      const step = flow.poll(now);
      if (step.type === 'finished') break;
      const s = steps.shift();
      assert.ok(s, `unexpected step ${JSON.stringify(step)}`);
      if (step.type === 'wait') {
        assert.equal(step.until, s.wait);
        now = step.until;
        continue;
      }
      assert.ok(subset(s.expect, step.action), `expected ${JSON.stringify(s.expect)}\n got ${JSON.stringify(step.action)}`);
      if (s.expectUrlPrefix) assert.ok(step.action.request.url.startsWith(s.expectUrlPrefix), step.action.request.url);
      // Bodies cross as bytes.
      const body = Buffer.from((step.action.request && step.action.request.body) || []).toString('utf8');
      for (const part of s.expectBodyContains || []) assert.ok(body.includes(part), part);
      flow.handle(s.reply, now);
    }
    assert.equal(steps.length, 0, 'steps left over');
    const out = cred.finish(flow, now);
    assert.ok(subset(v.outcome, out), `expected ${JSON.stringify(v.outcome)}\n got ${JSON.stringify(out)}`);
  });
}
