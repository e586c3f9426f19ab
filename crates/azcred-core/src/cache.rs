//! The token cache and its refresh policy: a pure function of the time it is given.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use crate::source::TokenRequest;
use crate::time::Timestamp;
use crate::token::AccessToken;

/// A cached token is served only while more than this remains (MSAL's renewal offset).
pub(crate) const EXPIRY_MARGIN: Duration = Duration::from_secs(5 * 60);
/// Without a server or half-life refresh time, a refresh starts this long before expiry (but
/// never earlier than three quarters into the token's life).
const DEFAULT_REFRESH_LEAD: Duration = Duration::from_secs(10 * 60);
/// At most this many tokens are cached per credential. Inserting one more first drops the
/// expired ones, then the one that expires soonest; each insert costs O(log n) (an index ordered
/// by expiry), never a sweep of the whole cache.
pub const MAX_CACHED_TOKENS: usize = 1_000;

/// After a failed early refresh, the next one starts no sooner than this.
pub(crate) const REFRESH_RETRY: Duration = Duration::from_secs(30);

/// When a cached token is served, refreshed early and retried: a credential's own rules, or
/// the rules of core-rest-pipeline's token cycler (`getBearerTokenProvider`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum CachePolicy {
    /// Served while more than 5 min remain; refreshed at the server's `refresh_in` (or
    /// half-life), else 10 min before expiry; a failed refresh retried after 30 s.
    #[default]
    Credential,
    /// The pipeline's token cycler: served until 1 s before expiry; refreshed in the background
    /// once `refreshAfterTimestamp` has passed or less than 2 min remain; a failed refresh retried
    /// every 3 s while the old token is valid.
    Pipeline,
}

/// The cycler's `forcedRefreshWindowInMs`.
const PIPELINE_FORCED_WINDOW: Duration = Duration::from_secs(1);
/// The cycler's `refreshWindowInMs`.
const PIPELINE_REFRESH_WINDOW: Duration = Duration::from_secs(2 * 60);
/// The cycler's `retryIntervalInMs`.
const PIPELINE_RETRY: Duration = Duration::from_secs(3);

impl CachePolicy {
    /// How long before expiry a token stops being served.
    fn margin(self) -> Duration {
        match self {
            Self::Credential => EXPIRY_MARGIN,
            Self::Pipeline => PIPELINE_FORCED_WINDOW,
        }
    }

    /// When a token received at `now` should start being refreshed.
    fn refresh_at(self, token: &AccessToken, now: Timestamp) -> Timestamp {
        match self {
            Self::Credential => {
                let lifetime = token.expires_on.since(now);
                token.refresh_after.unwrap_or_else(|| {
                    token
                        .expires_on
                        .minus(DEFAULT_REFRESH_LEAD.min(lifetime / 4))
                })
            }
            Self::Pipeline => {
                let window = token.expires_on.minus(PIPELINE_REFRESH_WINDOW);
                token.refresh_after.map_or(window, |r| r.min(window))
            }
        }
    }

    /// The least time between a failed early refresh and the next.
    fn retry(self) -> Duration {
        match self {
            Self::Credential => REFRESH_RETRY,
            Self::Pipeline => PIPELINE_RETRY,
        }
    }
}

/// What a token is cached under: the request's scopes (sorted), tenant, claims and CAE flag.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct CacheKey {
    scopes: Vec<String>,
    tenant: Option<String>,
    claims: Option<String>,
    cae: bool,
}

impl CacheKey {
    pub(crate) fn of(request: &TokenRequest) -> Self {
        let mut scopes = request.scopes.clone();
        scopes.sort();
        scopes.dedup();
        Self {
            scopes,
            tenant: request.tenant_id.clone().filter(|t| !t.is_empty()),
            claims: request.claims.clone().filter(|c| !c.trim().is_empty()),
            cae: request.enable_cae,
        }
    }

    /// The one key of every request over the size caps (`limits`): no scope, a claims value no
    /// real request has.
    pub(crate) fn refused() -> Self {
        Self {
            scopes: Vec::new(),
            tenant: None,
            claims: Some("\u{0}refused".to_owned()),
            cae: false,
        }
    }

    /// A key from its parts, as a persisted cache stores them (scopes sorted and deduplicated
    /// again, empty tenant and claims as none).
    pub(crate) fn from_parts(
        mut scopes: Vec<String>,
        tenant: Option<String>,
        claims: Option<String>,
        cae: bool,
    ) -> Self {
        scopes.sort();
        scopes.dedup();
        Self {
            scopes,
            tenant: tenant.filter(|t| !t.is_empty()),
            claims: claims.filter(|c| !c.trim().is_empty()),
            cae,
        }
    }

    /// The key's parts: scopes, tenant, claims, CAE.
    pub(crate) fn parts(&self) -> (&[String], Option<&str>, Option<&str>, bool) {
        (
            &self.scopes,
            self.tenant.as_deref(),
            self.claims.as_deref(),
            self.cae,
        )
    }

    /// The same key with the CAE flag cleared: for a source whose request CAE does not change.
    pub(crate) fn ignoring_cae(mut self) -> Self {
        self.cae = false;
        self
    }
}

/// The cache's verdict on a key at a given time.
#[derive(Debug)]
pub(crate) enum Lookup {
    /// Serve this token.
    Fresh(AccessToken),
    /// Serve this token and start a refresh in the background.
    RefreshDue(AccessToken),
    /// Nothing usable: acquire and wait.
    Missing,
}

#[derive(Debug)]
struct Entry {
    token: AccessToken,
    refresh_at: Timestamp,
    /// Where this entry is in `TokenCache::by_expiry`.
    slot: (Timestamp, u64),
}

/// Tokens of one credential (keyed by [`CacheKey`]) or of a shared store (keyed by any `K`),
/// at most [`MAX_CACHED_TOKENS`].
#[derive(Debug)]
pub(crate) struct TokenCache<K = CacheKey> {
    entries: HashMap<K, Entry>,
    /// Every entry's key by (expiry, insertion number): the soonest to expire first.
    by_expiry: BTreeMap<(Timestamp, u64), K>,
    inserted: u64,
    policy: CachePolicy,
    /// How many entries inserts have dropped or looked at to decide what to drop, in total
    /// (for the test that insert is not a full scan).
    pub(crate) visited: u64,
}

impl<K> Default for TokenCache<K> {
    fn default() -> Self {
        Self {
            entries: HashMap::new(),
            by_expiry: BTreeMap::new(),
            inserted: 0,
            policy: CachePolicy::default(),
            visited: 0,
        }
    }
}

impl<K: Clone + Eq + std::hash::Hash> TokenCache<K> {
    /// An empty cache with these rules.
    pub(crate) fn new(policy: CachePolicy) -> Self {
        Self {
            policy,
            ..Self::default()
        }
    }

    /// The rules this cache serves and refreshes by.
    pub(crate) fn policy(&self) -> CachePolicy {
        self.policy
    }

    /// Classifies the token cached under `key` at `now`.
    pub(crate) fn lookup(&self, key: &K, now: Timestamp) -> Lookup {
        match self.entries.get(key) {
            Some(e) if now.plus(self.policy.margin()) < e.token.expires_on => {
                if now >= e.refresh_at {
                    Lookup::RefreshDue(e.token.clone())
                } else {
                    Lookup::Fresh(e.token.clone())
                }
            }
            _ => Lookup::Missing,
        }
    }

    /// Until when the token cached under `key` stays [`Lookup::Fresh`] if nothing else happens:
    /// the earlier of its refresh time and the start of its last five minutes. `None` unless it
    /// is fresh at `now`.
    pub(crate) fn fresh_until(&self, key: &K, now: Timestamp) -> Option<Timestamp> {
        let e = self.entries.get(key)?;
        let until = e
            .refresh_at
            .min(e.token.expires_on.minus(self.policy.margin()));
        (now < until).then_some(until)
    }

    /// Stores a token received at `now`: replaces the key's old token, drops the tokens no
    /// longer served (from the front of the expiry index, so only those are visited), and when
    /// the cache is full drops the one that expires soonest. O(log n) per dropped entry, and
    /// each entry is dropped once: amortised O(log n) per insert.
    pub(crate) fn insert(&mut self, key: K, token: AccessToken, now: Timestamp) {
        let refresh_at = self.policy.refresh_at(&token, now);
        let margin = self.policy.margin();
        if let Some(old) = self.entries.remove(&key) {
            self.by_expiry.remove(&old.slot);
        }
        while let Some(entry) = self.by_expiry.first_entry() {
            let stale = now.plus(margin) >= entry.key().0;
            if !stale && self.entries.len() < MAX_CACHED_TOKENS {
                break;
            }
            self.visited += 1;
            let gone = entry.remove();
            self.entries.remove(&gone);
        }
        self.inserted += 1;
        let slot = (token.expires_on, self.inserted);
        self.by_expiry.insert(slot, key.clone());
        self.entries.insert(
            key,
            Entry {
                token,
                refresh_at,
                slot,
            },
        );
    }

    /// Every cached token still served at `now`, with its key.
    pub(crate) fn entries(&self, now: Timestamp) -> Vec<(K, AccessToken)> {
        let margin = self.policy.margin();
        self.entries
            .iter()
            .filter(|(_, e)| now.plus(margin) < e.token.expires_on)
            .map(|(k, e)| (k.clone(), e.token.clone()))
            .collect()
    }

    /// How many tokens are cached.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }

    /// Records a failed early refresh: the cached token stays, the next refresh waits.
    pub(crate) fn refresh_failed(&mut self, key: &K, now: Timestamp) {
        if let Some(e) = self.entries.get_mut(key) {
            e.refresh_at = e.refresh_at.max(now.plus(self.policy.retry()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::Secret;

    fn token(expires: u64, refresh: Option<u64>) -> AccessToken {
        AccessToken::bearer(
            Secret::new("t"),
            Timestamp::from_secs(expires),
            refresh.map(Timestamp::from_secs),
        )
    }

    #[test]
    fn lifecycle_fresh_refresh_due_missing() {
        let key = CacheKey::of(&TokenRequest::new(["s"]));
        let mut c = TokenCache::default();
        let t0 = 1_000_000;
        c.insert(
            key.clone(),
            token(t0 + 3600, None),
            Timestamp::from_secs(t0),
        );
        assert!(matches!(
            c.lookup(&key, Timestamp::from_secs(t0 + 10)),
            Lookup::Fresh(_)
        ));
        // Refresh lead: 10 minutes before expiry.
        assert!(matches!(
            c.lookup(&key, Timestamp::from_secs(t0 + 3000)),
            Lookup::RefreshDue(_)
        ));
        // A failed refresh keeps serving and waits 30 s.
        c.refresh_failed(&key, Timestamp::from_secs(t0 + 3000));
        assert!(matches!(
            c.lookup(&key, Timestamp::from_secs(t0 + 3020)),
            Lookup::Fresh(_)
        ));
        assert!(matches!(
            c.lookup(&key, Timestamp::from_secs(t0 + 3031)),
            Lookup::RefreshDue(_)
        ));
        // The last five minutes are never served.
        assert!(matches!(
            c.lookup(&key, Timestamp::from_secs(t0 + 3300)),
            Lookup::Missing
        ));
    }

    #[test]
    fn fresh_until_ends_at_the_refresh_time_or_the_last_five_minutes() {
        let key = CacheKey::of(&TokenRequest::new(["s"]));
        let mut c = TokenCache::default();
        let t0 = 1_000_000;
        assert_eq!(c.fresh_until(&key, Timestamp::from_secs(t0)), None);
        c.insert(
            key.clone(),
            token(t0 + 3600, Some(t0 + 1800)),
            Timestamp::from_secs(t0),
        );
        assert_eq!(
            c.fresh_until(&key, Timestamp::from_secs(t0)),
            Some(Timestamp::from_secs(t0 + 1800))
        );
        assert_eq!(c.fresh_until(&key, Timestamp::from_secs(t0 + 1800)), None);
        c.insert(key.clone(), token(t0 + 400, None), Timestamp::from_secs(t0));
        // 400 s of life: refresh at 300 s (a quarter before expiry), fresh until 100 s.
        assert_eq!(
            c.fresh_until(&key, Timestamp::from_secs(t0)),
            Some(Timestamp::from_secs(t0 + 100))
        );
        // While fresh_until says yes, lookup says Fresh.
        assert!(matches!(
            c.lookup(&key, Timestamp::from_secs(t0 + 99)),
            Lookup::Fresh(_)
        ));
    }

    fn key(i: usize) -> CacheKey {
        CacheKey::of(&TokenRequest::new([format!(
            "https://r{i}.example/.default"
        )]))
    }

    #[test]
    fn inserting_into_a_full_cache_visits_one_entry_not_all_of_them() {
        let mut c = TokenCache::default();
        let t0 = 1_000_000;
        for i in 0..MAX_CACHED_TOKENS {
            c.insert(key(i), token(t0 + 3600, None), Timestamp::from_secs(t0));
        }
        assert_eq!(c.visited, 0, "nothing to drop while the cache fills");
        // 40,000 more distinct keys: each drops exactly the one that expires soonest.
        for i in 0..40_000 {
            let i = MAX_CACHED_TOKENS + i;
            let exp = t0 + 3600 + u64::try_from(i).unwrap();
            c.insert(key(i), token(exp, None), Timestamp::from_secs(t0));
        }
        assert_eq!(c.len(), MAX_CACHED_TOKENS);
        assert_eq!(c.visited, 40_000, "one entry visited per insert");
        // The newest stay, the oldest went.
        let now = Timestamp::from_secs(t0);
        assert!(matches!(c.lookup(&key(40_999), now), Lookup::Fresh(_)));
        assert!(matches!(c.lookup(&key(0), now), Lookup::Missing));
    }

    #[test]
    fn expired_tokens_are_dropped_from_the_front_only() {
        let mut c = TokenCache::default();
        let t0 = 1_000_000;
        for i in 0..100 {
            // Ten expire within the margin at t0 + 3000; ninety live a day.
            let life = if i < 10 { 3100 } else { 86_400 };
            c.insert(key(i), token(t0 + life, None), Timestamp::from_secs(t0));
        }
        c.insert(
            key(1000),
            token(t0 + 86_400, None),
            Timestamp::from_secs(t0 + 3000),
        );
        assert_eq!(c.visited, 10, "only the ten stale entries were visited");
        assert_eq!(c.len(), 91);
    }

    #[test]
    fn replacing_a_key_leaves_no_stale_index_entry() {
        let mut c = TokenCache::default();
        let t0 = 1_000_000;
        for exp in [3600, 7200, 1800] {
            c.insert(key(1), token(t0 + exp, None), Timestamp::from_secs(t0));
        }
        assert_eq!(c.len(), 1);
        assert_eq!(c.by_expiry.len(), 1);
    }

    #[test]
    fn server_refresh_time_wins_and_keys_differ() {
        let mut c = TokenCache::default();
        let a = CacheKey::of(&TokenRequest::new(["s"]));
        let mut req = TokenRequest::new(["s"]);
        req.enable_cae = true;
        let b = CacheKey::of(&req);
        c.insert(
            a.clone(),
            token(100_000, Some(50_000)),
            Timestamp::from_secs(10_000),
        );
        assert!(matches!(
            c.lookup(&a, Timestamp::from_secs(50_000)),
            Lookup::RefreshDue(_)
        ));
        assert!(matches!(
            c.lookup(&b, Timestamp::from_secs(10_001)),
            Lookup::Missing
        ));
    }
}
