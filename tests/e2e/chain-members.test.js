'use strict';
// ChainedTokenCredential over foreign members, on the backend AZCRED_BACKEND names: whatever a
// member answers, the chain reaches a verdict and the credential keeps working. A token whose
// expiry is not a time makes that member unusable and the chain moves on; odd strings (lone
// UTF-16 surrogates) pass; nothing wedges the credential for later calls.

const { test } = require('node:test');
const assert = require('node:assert/strict');

const azcred = require('../../npm');

const SCOPE = 'https://storage.azure.com/.default';
const inAnHour = () => Date.now() + 3600_000;

/** A member answering `answer()` each time, counting calls. */
function member(answer) {
  const m = {
    calls: 0,
    async getToken() {
      m.calls += 1;
      return answer();
    },
  };
  return m;
}

test('a member whose expiry is not a time is skipped, the next answers, and later calls still work', async () => {
  for (const bad of [Infinity, -Infinity, NaN, 1e20, -5, 'soon', undefined, null, {}]) {
    const broken = member(() => ({ token: 'unusable', expiresOnTimestamp: bad }));
    const working = member(() => ({ token: 'good', expiresOnTimestamp: inAnHour() }));
    const chain = new azcred.ChainedTokenCredential(broken, working);
    for (const scope of [SCOPE, 'https://vault.azure.net/.default', SCOPE]) {
      const t = await chain.getToken(scope);
      assert.equal(t.token, 'good', String(bad));
    }
    assert.equal(broken.calls, 2, 'asked again for each new scope: it was never wedged');
  }
});

test('a fractional expiry is a time (the fraction of a millisecond dropped)', async () => {
  const exp = inAnHour() + 0.75;
  const chain = new azcred.ChainedTokenCredential(member(() => ({ token: 't', expiresOnTimestamp: exp })));
  assert.equal((await chain.getToken(SCOPE)).expiresOnTimestamp, Math.floor(exp));
});

test('lone surrogates in a token or an error message do not break the chain', async () => {
  const lone = 'a\ud800b';
  const throwing = member(() => {
    throw Object.assign(new Error(`no ${lone}`), { name: 'CredentialUnavailableError' });
  });
  const odd = member(() => ({ token: `tok-${lone}`, expiresOnTimestamp: inAnHour() }));
  const chain = new azcred.ChainedTokenCredential(throwing, odd);
  const t = await chain.getToken(SCOPE);
  assert.ok(t.token.startsWith('tok-a'), t.token);
  // All members unusable: the aggregate error, every time, never "flow is not running".
  const none = new azcred.ChainedTokenCredential(throwing, member(() => ({ token: 1, expiresOnTimestamp: inAnHour() })));
  for (let i = 0; i < 3; i++) {
    await assert.rejects(none.getToken(SCOPE), (e) => {
      assert.equal(e.name, 'AggregateAuthenticationError');
      assert.equal(e.errors.length, 2);
      return true;
    });
  }
});
