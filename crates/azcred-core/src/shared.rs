//! [`SharedTokens`]: managed-identity tokens shared by every credential a driver builds with the
//! same store, so that many credential instances do not multiply requests to the endpoint (the
//! reference's process-wide MSAL cache ensures the same).
//!
//! It is an explicit value, never a `static`: the driver makes one (per process, or per test)
//! and hands a clone of it to each credential it builds. Clones share one store. A token is
//! served from it by the same rule as a credential's own cache (`cache::TokenCache`): only
//! while it is fresh, that is more than five minutes from expiry and before its refresh time,
//! so a refresh a credential starts always reaches the endpoint.

use std::sync::{Arc, Mutex};

use crate::cache::{CachePolicy, Lookup, TokenCache};
use crate::time::Timestamp;
use crate::token::AccessToken;

/// A store of managed-identity tokens shared by the credentials that hold a clone of it.
///
/// Keys are the exact request (method, URL, and a hash of the endpoint secret, form body and
/// pinned certificate), so tokens are only shared between credentials that would send the same
/// request to the same endpoint. Bounded like every cache (`MAX_CACHED_TOKENS`).
#[derive(Clone, Default)]
pub struct SharedTokens(Arc<Mutex<TokenCache<String>>>);

impl std::fmt::Debug for SharedTokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SharedTokens(..)")
    }
}

impl SharedTokens {
    /// An empty store.
    pub fn new() -> Self {
        Self(Arc::new(Mutex::new(TokenCache::new(
            CachePolicy::Credential,
        ))))
    }

    /// The token stored under `key`, if it is fresh at `now` (never one due a refresh).
    pub(crate) fn fresh(&self, key: &str, now: Timestamp) -> Option<AccessToken> {
        let cache = self.0.lock().ok()?;
        match cache.lookup(&key.to_owned(), now) {
            Lookup::Fresh(t) => Some(t),
            Lookup::RefreshDue(_) | Lookup::Missing => None,
        }
    }

    /// Stores a token received at `now` under `key`.
    pub(crate) fn store(&self, key: &str, token: &AccessToken, now: Timestamp) {
        if let Ok(mut cache) = self.0.lock() {
            cache.insert(key.to_owned(), token.clone(), now);
        }
    }

    /// Whether two handles share one store.
    pub fn same_store(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::Secret;

    const T0: u64 = 1_700_000_000;

    fn token(expires: u64, refresh: Option<u64>) -> AccessToken {
        AccessToken::bearer(
            Secret::new("t"),
            Timestamp::from_secs(expires),
            refresh.map(Timestamp::from_secs),
        )
    }

    #[test]
    fn clones_share_one_store_and_new_stores_are_apart() {
        let a = SharedTokens::new();
        let b = a.clone();
        let c = SharedTokens::new();
        a.store("k", &token(T0 + 3600, None), Timestamp::from_secs(T0));
        assert!(b.fresh("k", Timestamp::from_secs(T0 + 1)).is_some());
        assert!(c.fresh("k", Timestamp::from_secs(T0 + 1)).is_none());
        assert!(a.same_store(&b) && !a.same_store(&c));
    }

    #[test]
    fn a_token_is_shared_while_the_credential_cache_would_call_it_fresh() {
        let s = SharedTokens::new();
        let mut own: TokenCache<String> = TokenCache::new(CachePolicy::Credential);
        let now = Timestamp::from_secs(T0);
        for t in [token(T0 + 3600, None), token(T0 + 86_400, Some(T0 + 1800))] {
            s.store("k", &t, now);
            own.insert("k".to_owned(), t, now);
            // Walk through the token's life: the store serves exactly when the cache says Fresh.
            for dt in (0..86_400).step_by(60) {
                let at = Timestamp::from_secs(T0 + dt);
                let fresh = matches!(own.lookup(&"k".to_owned(), at), Lookup::Fresh(_));
                assert_eq!(s.fresh("k", at).is_some(), fresh, "at +{dt}s");
            }
        }
    }
}
