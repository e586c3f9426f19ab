//! The persistent token cache (`tokenCachePersistenceOptions` with a persistence plugin
//! registered through `useIdentityPlugin`): what is persisted, in which format, and when a flow
//! loads and stores it.
//!
//! # Who does what
//!
//! The core decides everything: which credentials persist, the store's name, when to load (the
//! first acquisition of a credential that misses its in-memory cache, before any network
//! request), when to store (after a flow that put a new token in the cache), what the stored text
//! is, and what to make of the text it loads. The driver only carries the text to and from the
//! plugin's MSAL `ICachePlugin` ([`Action::LoadCache`], [`Action::StoreCache`]); the plugin's
//! persistence is the only thing that writes the file. Stored text holds tokens: it is a
//! [`Secret`] everywhere, and no log record or message shows any of it.
//!
//! # The format
//!
//! One JSON object, azcred's own (never MSAL's):
//!
//! ```json
//! { "format": "azcred.tokenCache", "version": 1,
//!   "accessTokens": [ { "partition": "https://login.microsoftonline.com|<tenant>|<client id>",
//!                       "scopes": ["https://vault.azure.net/.default"], "tenantId": null,
//!                       "claims": null, "cae": false, "secret": "<the token>",
//!                       "expiresOn": 1700003600000, "refreshAfter": null } ] }
//! ```
//!
//! - `format` tells azcred's text from anything else under the same name (an MSAL cache written
//!   by `@azure/identity`): anything without it is *foreign*, ignored with a warning and never
//!   overwritten.
//! - `version` changes only when a reader of this version would misread the text. A newer version
//!   is ignored with a warning and never overwritten (a newer azcred's cache is left intact).
//! - Everything else is a *section*: a named array of entries. This version reads
//!   `accessTokens` and `refreshTokens`; every other section is kept as it was read and written
//!   back unchanged, so a section a later azcred adds survives a store by this one. Adding a
//!   section therefore needs no new version.
//! - `partition` names whose tokens an entry holds: the app (authority host, tenant, client id),
//!   then, where the app's tokens differ by user, the user: `|account:<home account id>` for the
//!   user sign-in credentials, `|user:<username>` for the password grant, `|assertion:<SHA-256
//!   of the user's assertion>` for on-behalf-of. One file may hold the tokens of several apps
//!   and users, and a credential serves only its own partition's.
//! - Expired entries (within the cache's five-minute margin) are dropped on load and on store;
//!   an unreadable entry is dropped with a warning, the rest of the file is used.
//!
//! # Several processes
//!
//! A store runs under the plugin's file lock. When the plugin finds the file changed since this
//! process read it, the text written is [`PersistedCache::merge_for_store`] of the two: every
//! entry of both (for one app and key, the one that expires last), and a foreign or newer file
//! is left as it is.
//!
//! # Refresh tokens and accounts
//!
//! The user sign-in credentials persist the refresh token of their account
//! ([`SECTION_REFRESH_TOKENS`]: `{ "partition": "<app>|account:<id>", "secret": "<the token>" }`)
//! next to its access tokens. As with the reference (MSAL's silent request needs an account), a
//! credential uses them only once it knows its account: from its `authenticationRecord` option,
//! or after it signed in. The account itself is not persisted: the record the app keeps names
//! it. So a second process given the first one's `AuthenticationRecord` gets a cached token with
//! no request, and a token for another scope through the refresh token, without a sign-in.

use std::time::Duration;

use serde_json::{Map, Value};

use crate::cache::{CacheKey, CachePolicy, EXPIRY_MARGIN, Lookup, TokenCache};
use crate::error::ConfigError;
use crate::io::{Action, IoFailureKind, Reply};
use crate::log::{Log, LogLevel};
use crate::options::Options;
use crate::secret::Secret;
use crate::source::entra::account::Session;
use crate::time::Timestamp;
use crate::token::AccessToken;

/// The value of `format` in azcred's persisted cache.
pub const CACHE_FORMAT: &str = "azcred.tokenCache";
/// The persisted cache's format version this azcred writes and reads.
pub const CACHE_VERSION: u64 = 1;
/// The section of access tokens.
pub const SECTION_ACCESS_TOKENS: &str = "accessTokens";
/// The section of refresh tokens (the user sign-in credentials'): entries with a `partition`
/// (the app and the account) and the secret.
pub const SECTION_REFRESH_TOKENS: &str = "refreshTokens";

/// The reference's store name when `tokenCachePersistenceOptions.name` is not given.
const DEFAULT_NAME: &str = "msal.cache";
/// Put after the name, so azcred's store never is the file `@azure/identity` writes for the same
/// name (`<name>.nocae`, `<name>.cae`): each library keeps its own cache.
const NAME_SUFFIX: &str = "azcred";
/// How long a load or store may take (the plugin's own file lock gives up after 5 s).
pub(crate) const CACHE_IO_TIMEOUT: Duration = Duration::from_secs(10);
/// Entries read at most from one persisted cache; the rest are dropped.
const MAX_ENTRIES: usize = crate::cache::MAX_CACHED_TOKENS;

/// The reference's error for `enabled: true` with no persistence plugin registered.
pub(crate) const NO_PLUGIN_MESSAGE: &str = "Persistent token caching was requested, but no \
    persistence provider was configured. You must install the identity-cache-persistence plugin \
    package (`npm install --save @azure/identity-cache-persistence`) and enable it by importing \
    `useIdentityPlugin` from `@azure/identity` and calling \
    `useIdentityPlugin(cachePersistencePlugin)` before using `tokenCachePersistenceOptions`.";

/// Which persistent store a credential uses: what the driver passes to the plugin's persistence
/// factory (the reference's `TokenCachePersistenceOptions`, with the name azcred stores under).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "camelCase"))]
pub struct CacheStore {
    /// The store's name (the plugin's file name): `<name or msal.cache>.azcred`.
    pub name: String,
    /// `unsafeAllowUnencryptedStorage`, as given.
    pub unsafe_allow_unencrypted_storage: bool,
}

/// `tokenCachePersistenceOptions`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "camelCase", default))]
pub struct TokenCachePersistenceOptions {
    /// Persist this credential's tokens.
    pub enabled: bool,
    /// The cache's name (`msal.cache` when not given).
    pub name: Option<String>,
    /// Let the plugin store the cache unencrypted when the OS offers no encryption.
    pub unsafe_allow_unencrypted_storage: bool,
}

/// The answer to a plugin's call on its `useIdentityPlugin` context: `Ok` for what azcred does
/// (`cachePluginControl.setPersistence`), else an error that names the plugin and what azcred does
/// not do.
pub fn plugin_control(control: &str) -> Result<(), ConfigError> {
    let broker = "azcred does not sign in through the WAM broker (brokerOptions): its credentials \
                  reach Entra ID directly, so @azure/identity-broker has nothing to plug into";
    let vscode = "azcred does not load Visual Studio Code's credentials: VisualStudioCodeCredential \
                  stays unavailable; sign in with `az login` (AzureCliCredential) instead";
    let (plugin, why) = match control {
        "cachePluginControl.setPersistence" => return Ok(()),
        "nativeBrokerPluginControl.setNativeBroker" => ("@azure/identity-broker", broker),
        "vsCodeCredentialControl.setVSCodeAuthRecordPath"
        | "vsCodeCredentialControl.setVSCodeBroker"
        | "vsCodeCredentialControl.setVsCodeCredentialFinder" => ("@azure/identity-vscode", vscode),
        _ => {
            return Err(ConfigError::invalid(
                "useIdentityPlugin: the plugin called a control azcred does not know; azcred \
                 supports @azure/identity-cache-persistence only",
            ));
        }
    };
    Err(ConfigError::invalid(format!(
        "useIdentityPlugin: the {plugin} plugin is not supported ({control}): {why}. azcred \
         supports @azure/identity-cache-persistence only."
    )))
}

/// One persisted access token.
#[derive(Debug, Clone)]
pub(crate) struct PersistedToken {
    partition: String,
    key: CacheKey,
    token: AccessToken,
}

/// Sections this azcred does not read, kept as they were read. `Debug` shows their names only
/// (they hold secrets).
#[derive(Clone, Default)]
struct Sections(Vec<(String, Value)>);

impl std::fmt::Debug for Sections {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.0.iter().map(|(n, _)| n))
            .finish()
    }
}

/// One persisted refresh token: the partition names the app and the account.
#[derive(Debug, Clone)]
struct PersistedRefresh {
    partition: String,
    secret: Secret,
}

/// A persisted cache, parsed: its access tokens, its refresh tokens and the sections kept
/// verbatim.
#[derive(Debug, Clone, Default)]
pub struct PersistedCache {
    tokens: Vec<PersistedToken>,
    refresh: Vec<PersistedRefresh>,
    sections: Sections,
}

/// Why a persisted cache was not used.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Rejected {
    /// Not JSON, or azcred's format with a section that cannot be read: overwritten by the next
    /// store.
    Corrupt(&'static str),
    /// Not azcred's format (an MSAL cache, say): left as it is.
    Foreign,
    /// Written by a newer azcred (this format version): left as it is.
    Newer(u64),
}

impl Rejected {
    /// Whether the store may be overwritten after this.
    fn overwritable(&self) -> bool {
        matches!(self, Self::Corrupt(_))
    }

    fn describe(&self) -> String {
        match self {
            Self::Corrupt(why) => format!("it is not a readable azcred cache ({why}); the next token replaces it"),
            Self::Foreign => "it was not written by azcred (an MSAL cache, perhaps); it is left as it is and this credential's tokens are not persisted".to_owned(),
            Self::Newer(v) => format!("it was written by a newer azcred (format version {v}, this one reads {CACHE_VERSION}); it is left as it is and this credential's tokens are not persisted"),
        }
    }
}

impl PersistedCache {
    /// Parses stored text, dropping entries already expired (or in the last five minutes) at
    /// `now`. Returns the cache and how many entries could not be read (and were dropped).
    pub fn parse(text: &str, now: Timestamp) -> Result<(Self, usize), Rejected> {
        let Ok(Value::Object(mut doc)) = serde_json::from_str::<Value>(text) else {
            return Err(Rejected::Corrupt("not a JSON object"));
        };
        if doc.get("format").and_then(Value::as_str) != Some(CACHE_FORMAT) {
            return Err(Rejected::Foreign);
        }
        let version = doc
            .get("version")
            .and_then(Value::as_u64)
            .ok_or(Rejected::Corrupt("no format version"))?;
        if version > CACHE_VERSION {
            return Err(Rejected::Newer(version));
        }
        if version == 0 {
            return Err(Rejected::Corrupt("format version 0"));
        }
        doc.remove("format");
        doc.remove("version");
        let mut cache = Self::default();
        let mut dropped = 0;
        for (name, value) in doc {
            if name == SECTION_REFRESH_TOKENS {
                let Value::Array(entries) = value else {
                    return Err(Rejected::Corrupt("refreshTokens is not a list"));
                };
                for entry in entries {
                    match read_refresh(&entry) {
                        Some(r) if cache.refresh.len() < MAX_ENTRIES => cache.put_refresh(r),
                        _ => dropped += 1,
                    }
                }
                continue;
            }
            if name != SECTION_ACCESS_TOKENS {
                cache.sections.0.push((name, value));
                continue;
            }
            let Value::Array(entries) = value else {
                return Err(Rejected::Corrupt("accessTokens is not a list"));
            };
            for entry in entries {
                if cache.tokens.len() >= MAX_ENTRIES {
                    dropped += 1;
                    continue;
                }
                match read_token(&entry) {
                    Some(t) if live(&t.token, now) => cache.tokens.push(t),
                    Some(_) => {}
                    None => dropped += 1,
                }
            }
        }
        Ok((cache, dropped))
    }

    /// The stored text: every entry still served at `now`, then the kept sections.
    pub fn to_text(&self, now: Timestamp) -> Secret {
        let mut doc = Map::new();
        doc.insert("format".into(), CACHE_FORMAT.into());
        doc.insert("version".into(), CACHE_VERSION.into());
        let tokens: Vec<Value> = self
            .tokens
            .iter()
            .filter(|t| live(&t.token, now))
            .map(write_token)
            .collect();
        doc.insert(SECTION_ACCESS_TOKENS.into(), Value::Array(tokens));
        if !self.refresh.is_empty() {
            let refresh = self.refresh.iter().map(write_refresh).collect();
            doc.insert(SECTION_REFRESH_TOKENS.into(), Value::Array(refresh));
        }
        for (name, value) in &self.sections.0 {
            doc.insert(name.clone(), value.clone());
        }
        Secret::new(Value::Object(doc).to_string())
    }

    /// How many access tokens it holds.
    pub fn len(&self) -> usize {
        self.tokens.len()
    }

    /// Whether it holds no access token.
    pub fn is_empty(&self) -> bool {
        self.tokens.is_empty()
    }

    /// What a store writes when the store changed since this process read it: `ours` (the text of
    /// an [`Action::StoreCache`]) merged with `current`, the text the plugin just read under its
    /// file lock. Entries of either are kept (for one app and key, the access token that expires
    /// last; for one account, our refresh token: it is the one this process just used or got),
    /// and sections of `current` that `ours` lacks; `current` unchanged when it is foreign or
    /// from a newer azcred (it is never written over), `ours` when `current` is corrupt.
    pub fn merge_for_store(current: Option<&str>, ours: &str, now: Timestamp) -> Secret {
        let current = current.filter(|c| !c.trim().is_empty());
        let Some(current) = current else {
            return Secret::new(ours);
        };
        let theirs = match Self::parse(current, now) {
            Ok((c, _)) => c,
            Err(r) if r.overwritable() => return Secret::new(ours),
            Err(_) => return Secret::new(current),
        };
        let Ok((mut merged, _)) = Self::parse(ours, now) else {
            return Secret::new(current);
        };
        for t in theirs.tokens {
            let same = merged
                .tokens
                .iter()
                .position(|m| m.partition == t.partition && m.key == t.key);
            match same {
                Some(i) if merged.tokens[i].token.expires_on < t.token.expires_on => {
                    merged.tokens[i] = t;
                }
                Some(_) => {}
                None if merged.tokens.len() < MAX_ENTRIES => merged.tokens.push(t),
                None => {}
            }
        }
        for r in theirs.refresh {
            let known = merged.refresh.iter().any(|m| m.partition == r.partition);
            if !known && merged.refresh.len() < MAX_ENTRIES {
                merged.refresh.push(r);
            }
        }
        for (name, value) in theirs.sections.0 {
            if !merged.sections.0.iter().any(|(n, _)| *n == name) {
                merged.sections.0.push((name, value));
            }
        }
        merged.to_text(now)
    }

    /// Replaces (or adds) the token of `partition` under `key`.
    fn put(&mut self, partition: &str, key: CacheKey, token: AccessToken) {
        self.tokens
            .retain(|t| !(t.partition == partition && t.key == key));
        self.tokens.push(PersistedToken {
            partition: partition.to_owned(),
            key,
            token,
        });
    }

    /// The tokens of `partition`.
    fn of(&self, partition: &str) -> impl Iterator<Item = &PersistedToken> {
        self.tokens.iter().filter(move |t| t.partition == partition)
    }

    /// Replaces (or adds) the refresh token of its partition.
    fn put_refresh(&mut self, r: PersistedRefresh) {
        self.refresh.retain(|m| m.partition != r.partition);
        self.refresh.push(r);
    }

    /// The refresh token of `partition`, if it has one.
    fn refresh_of(&self, partition: &str) -> Option<&Secret> {
        self.refresh
            .iter()
            .find(|r| r.partition == partition)
            .map(|r| &r.secret)
    }

    /// How many refresh tokens it holds.
    pub fn refresh_tokens(&self) -> usize {
        self.refresh.len()
    }
}

fn read_refresh(v: &Value) -> Option<PersistedRefresh> {
    let o = v.as_object()?;
    let text = |k: &str| o.get(k).and_then(Value::as_str).filter(|s| !s.is_empty());
    Some(PersistedRefresh {
        partition: text("partition")?.to_owned(),
        secret: Secret::new(text("secret")?),
    })
}

fn write_refresh(r: &PersistedRefresh) -> Value {
    serde_json::json!({ "partition": r.partition, "secret": r.secret.expose() })
}

/// Whether a token is still served at `now` (more than the five-minute margin left).
fn live(token: &AccessToken, now: Timestamp) -> bool {
    now.plus(EXPIRY_MARGIN) < token.expires_on
}

fn read_token(v: &Value) -> Option<PersistedToken> {
    let o = v.as_object()?;
    let text = |k: &str| o.get(k).and_then(Value::as_str).map(str::to_owned);
    let optional = |k: &str| match o.get(k) {
        None | Some(Value::Null) => Some(None),
        Some(Value::String(s)) => Some(Some(s.clone())),
        Some(_) => None,
    };
    let time = |k: &str| o.get(k).and_then(Value::as_u64).map(Timestamp::from_millis);
    let scopes = o
        .get("scopes")?
        .as_array()?
        .iter()
        .map(|s| s.as_str().map(str::to_owned))
        .collect::<Option<Vec<_>>>()?;
    let secret = text("secret").filter(|s| !s.is_empty())?;
    let expires_on = time("expiresOn")?;
    if expires_on.as_millis() > crate::time::MAX_DATE_MS {
        return None;
    }
    let refresh_after = match o.get("refreshAfter") {
        None | Some(Value::Null) => None,
        Some(_) => Some(time("refreshAfter")?),
    };
    Some(PersistedToken {
        partition: text("partition")?,
        key: CacheKey::from_parts(
            scopes,
            optional("tenantId")?,
            optional("claims")?,
            o.get("cae")?.as_bool()?,
        ),
        token: AccessToken::bearer(Secret::new(secret), expires_on, refresh_after),
    })
}

fn write_token(t: &PersistedToken) -> Value {
    let (scopes, tenant, claims, cae) = t.key.parts();
    serde_json::json!({
        "partition": t.partition,
        "scopes": scopes,
        "tenantId": tenant,
        "claims": claims,
        "cae": cae,
        "secret": t.token.token.expose(),
        "expiresOn": t.token.expires_on.as_millis(),
        "refreshAfter": t.token.refresh_after.map(Timestamp::as_millis),
    })
}

/// A credential's persistence: its store, its partition, and what it knows of the file.
#[derive(Debug)]
pub(crate) struct Persistence {
    store: CacheStore,
    /// The app's partition (the user sign-in credentials add the account to it).
    app: String,
    /// Whether its source signs users in: its tokens and refresh token are the account's.
    user: bool,
    /// Whether a load has finished (later flows do not load again).
    loaded: bool,
    /// Whether stores may write (not after a foreign or newer cache was found).
    writable: bool,
    /// What was loaded, less this credential's own tokens (which live in its cache): other
    /// partitions' tokens and the kept sections, written back with every store.
    rest: PersistedCache,
}

/// The partition of a credential's tokens: the app's `app`, or for a user sign-in credential
/// (`user`) the app's and its account's (`account`, the home account id of its session; `None`
/// while it knows no account: then no persisted token is its own).
fn partition_of(app: &str, user: bool, account: Option<&str>) -> Option<String> {
    match (user, account) {
        (false, _) => Some(app.to_owned()),
        (true, Some(a)) => Some(format!("{app}|account:{a}")),
        (true, None) => None,
    }
}

/// The persistence of the credential `kind` built with `options`, whose one source persists
/// under `partition` (`None`: it cannot), and signs users in when `user`. `Err` is the
/// reference's error for `enabled: true` with no persistence plugin registered.
pub(crate) fn configure(
    kind: &str,
    options: &Options,
    partition: Option<String>,
    user: bool,
) -> Result<Option<Persistence>, ConfigError> {
    // The reference's credentials whose options take `tokenCachePersistenceOptions`
    // (`CredentialPersistenceOptions`), the two that pass their options on to one of them, and
    // `AuthorizationCodeCredential`, whose options the reference passes on to MSAL whole.
    const ACCEPTING: [&str; 11] = [
        "ClientSecretCredential",
        "ClientCertificateCredential",
        "ClientAssertionCredential",
        "EnvironmentCredential",
        "WorkloadIdentityCredential",
        "AzurePipelinesCredential",
        "OnBehalfOfCredential",
        "UsernamePasswordCredential",
        "DeviceCodeCredential",
        "InteractiveBrowserCredential",
        "AuthorizationCodeCredential",
    ];
    let Some(o) = options
        .token_cache_persistence_options
        .as_ref()
        .filter(|o| o.enabled)
    else {
        return Ok(None);
    };
    let Some(partition) = partition.filter(|_| ACCEPTING.contains(&kind)) else {
        return Ok(None);
    };
    if !options.persistence_registered {
        return Err(ConfigError::invalid(NO_PLUGIN_MESSAGE));
    }
    let base = o
        .name
        .as_deref()
        .filter(|n| !n.is_empty())
        .unwrap_or(DEFAULT_NAME);
    Ok(Some(Persistence {
        store: CacheStore {
            name: format!("{base}.{NAME_SUFFIX}"),
            unsafe_allow_unencrypted_storage: o.unsafe_allow_unencrypted_storage,
        },
        app: partition,
        user,
        loaded: false,
        writable: true,
        rest: PersistedCache::default(),
    }))
}

impl Persistence {
    /// The partition of this credential's tokens when its account is `account` (see
    /// [`partition_of`]).
    fn partition(&self, account: Option<&str>) -> Option<String> {
        partition_of(&self.app, self.user, account)
    }

    /// The persistence part of a new flow for `key`: it loads first unless a load has finished,
    /// and stores after a new token when stores may write. `own` is the credential's cached
    /// tokens now (written with the new one), `account` the home account id of its session.
    pub(crate) fn flow(
        &self,
        key: CacheKey,
        own: Vec<(CacheKey, AccessToken)>,
        account: Option<&str>,
        policy: CachePolicy,
        level: Option<LogLevel>,
        credential: &str,
    ) -> PersistFlow {
        let partition = self.partition(account);
        let mut snapshot = self.rest.clone();
        if let Some(p) = &partition {
            for (k, t) in own {
                snapshot.put(p, k, t);
            }
        }
        PersistFlow {
            store: self.store.clone(),
            app: self.app.clone(),
            user: self.user,
            partition,
            credential: credential.to_owned(),
            key,
            policy,
            stage: if self.loaded {
                Stage::Chain
            } else {
                Stage::Load
            },
            outstanding: None,
            snapshot,
            loaded: None,
            served: None,
            loaded_refresh: None,
            writable: self.writable,
            log: Log::new(level),
        }
    }

    /// Takes in what a finished flow learnt: the loaded file (its tokens of this credential's
    /// partition go to `cache`, its refresh token to `session` when that has none) and whether
    /// stores may write. `session` is the credential's session after the flow (a user sign-in
    /// credential's account may be new).
    pub(crate) fn absorb(
        &mut self,
        flow: &mut PersistFlow,
        cache: &mut TokenCache,
        session: Option<&mut Session>,
        now: Timestamp,
    ) {
        let Some(loaded) = flow.loaded.take() else {
            return;
        };
        self.loaded = true;
        self.writable &= loaded.writable;
        let Some(file) = loaded.cache else {
            return;
        };
        let partition =
            self.partition(session.as_ref().map(|s| s.account.home_account_id.as_str()));
        let mine = |p: &str| partition.as_deref() == Some(p);
        if let (Some(session), Some(p)) = (session, &partition) {
            if session.refresh_token.is_none() {
                session.refresh_token = file.refresh_of(p).cloned();
            }
        }
        let (own, rest): (Vec<_>, Vec<_>) =
            file.tokens.into_iter().partition(|t| mine(&t.partition));
        for t in own {
            if matches!(cache.lookup(&t.key, now), Lookup::Missing) {
                cache.insert(t.key, t.token, now);
            }
        }
        self.rest = PersistedCache {
            tokens: rest,
            refresh: file.refresh,
            sections: file.sections,
        };
    }
}

/// Where a persisting flow is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    /// Load the store before anything else.
    Load,
    /// Run the credential's own flow.
    Chain,
    /// Store the new token.
    Store,
    /// Nothing more to do.
    Done,
}

/// What a load found.
#[derive(Debug)]
struct Loaded {
    cache: Option<PersistedCache>,
    writable: bool,
}

/// The persistence part of one flow: the load before it, the store after it.
#[derive(Debug)]
pub(crate) struct PersistFlow {
    store: CacheStore,
    /// The app's partition.
    app: String,
    /// Whether the credential signs users in.
    user: bool,
    /// The partition of the credential's tokens when the flow started (`None`: a user sign-in
    /// credential that knows no account yet).
    partition: Option<String>,
    credential: String,
    key: CacheKey,
    policy: CachePolicy,
    stage: Stage,
    outstanding: Option<Action>,
    /// What a store writes, less the new token.
    snapshot: PersistedCache,
    loaded: Option<Loaded>,
    /// The token found in the loaded store for this flow's request.
    served: Option<AccessToken>,
    /// The refresh token found in the loaded store for the credential's account.
    loaded_refresh: Option<Secret>,
    writable: bool,
    log: Log,
}

impl PersistFlow {
    /// The load to perform before the credential's own flow, if one is due.
    pub(crate) fn before(&mut self, now: Timestamp) -> Option<Action> {
        if self.stage != Stage::Load {
            return None;
        }
        Some(self.outstanding_or(|store| Action::LoadCache {
            store,
            deadline: now.plus(CACHE_IO_TIMEOUT),
        }))
    }

    /// Once the credential's own flow is finished with `token` (`None`: no new token) and, for a
    /// user sign-in credential, the `session` it signed in or renewed: the store to perform, if
    /// one is due.
    pub(crate) fn after(
        &mut self,
        token: Option<&AccessToken>,
        session: Option<&Session>,
        now: Timestamp,
    ) -> Option<Action> {
        match self.stage {
            Stage::Chain => {}
            Stage::Store => return self.outstanding.clone(),
            _ => return None,
        }
        let token = match token {
            Some(t) if self.writable && self.served.is_none() => t,
            _ => {
                self.stage = Stage::Done;
                return None;
            }
        };
        // The account the flow signed in or renewed, else the one it started with.
        let partition = match session {
            Some(s) => partition_of(&self.app, self.user, Some(&s.account.home_account_id)),
            None => self.partition.clone(),
        };
        let Some(partition) = partition else {
            self.stage = Stage::Done;
            return None;
        };
        let mut cache = self.snapshot.clone();
        cache.put(&partition, self.key.clone(), token.clone());
        if let Some(secret) = session.and_then(|s| s.refresh_token.clone()) {
            cache.put_refresh(PersistedRefresh {
                partition: partition.clone(),
                secret,
            });
        }
        self.stage = Stage::Store;
        let contents = cache.to_text(now);
        Some(self.outstanding_or(|store| Action::StoreCache {
            store,
            contents,
            deadline: now.plus(CACHE_IO_TIMEOUT),
        }))
    }

    fn outstanding_or(&mut self, make: impl FnOnce(CacheStore) -> Action) -> Action {
        if let Some(a) = &self.outstanding {
            return a.clone();
        }
        let action = make(self.store.clone());
        self.outstanding = Some(action.clone());
        action
    }

    /// Whether this flow has an action outstanding (its reply is for this part).
    pub(crate) fn is_waiting(&self) -> bool {
        self.outstanding.is_some()
    }

    /// Takes the reply to the outstanding load or store.
    pub(crate) fn handle(&mut self, reply: Reply, now: Timestamp) {
        self.outstanding = None;
        let name = &self.store.name;
        let who = &self.credential;
        match (self.stage, reply) {
            (Stage::Load, Reply::CacheLoaded { contents }) => {
                let text = contents.as_ref().map(Secret::expose).unwrap_or_default();
                let loaded = if text.trim().is_empty() {
                    Loaded {
                        cache: None,
                        writable: true,
                    }
                } else {
                    match PersistedCache::parse(text, now) {
                        Ok((cache, dropped)) => {
                            if dropped > 0 {
                                self.log.emit(LogLevel::Warning, || {
                                    format!(
                                        "{who} => the persisted token cache '{name}' had {dropped} \
                                         unreadable {}, dropped",
                                        if dropped == 1 { "entry" } else { "entries" }
                                    )
                                });
                            }
                            let n = cache.len();
                            self.log.emit(LogLevel::Info, || {
                                format!(
                                    "{who} => loaded {n} {} from the persisted token cache '{name}'",
                                    if n == 1 { "token" } else { "tokens" }
                                )
                            });
                            Loaded {
                                cache: Some(cache),
                                writable: true,
                            }
                        }
                        Err(r) => {
                            self.log.emit(LogLevel::Warning, || {
                                format!(
                                    "{who} => the persisted token cache '{name}' was ignored: {}",
                                    r.describe()
                                )
                            });
                            Loaded {
                                cache: None,
                                writable: r.overwritable(),
                            }
                        }
                    }
                };
                if let Some(cache) = &loaded.cache {
                    if let Some(partition) = &self.partition {
                        let mut found = TokenCache::new(self.policy);
                        for t in cache.of(partition) {
                            found.insert(t.key.clone(), t.token.clone(), now);
                        }
                        self.served = match found.lookup(&self.key, now) {
                            Lookup::Fresh(t) | Lookup::RefreshDue(t) => Some(t),
                            Lookup::Missing => None,
                        };
                        self.loaded_refresh = cache.refresh_of(partition).cloned();
                    }
                    let mine = |p: &str| self.partition.as_deref() == Some(p);
                    for t in &cache.tokens {
                        let kept = mine(&t.partition)
                            && self.snapshot.of(&t.partition).any(|s| s.key == t.key);
                        if !kept {
                            self.snapshot
                                .put(&t.partition, t.key.clone(), t.token.clone());
                        }
                    }
                    for r in &cache.refresh {
                        self.snapshot.put_refresh(r.clone());
                    }
                    self.snapshot.sections = cache.sections.clone();
                }
                self.writable &= loaded.writable;
                self.loaded = Some(loaded);
                self.stage = Stage::Chain;
            }
            (Stage::Load, Reply::Failed(e)) if e.kind == IoFailureKind::Aborted => {
                // The caller gave up: the credential's own flow ends as aborted too.
                self.stage = Stage::Chain;
            }
            (Stage::Load, Reply::Failed(e)) => {
                self.log.emit(LogLevel::Warning, || {
                    format!(
                        "{who} => the persisted token cache '{name}' could not be read ({}); \
                         continuing without it",
                        crate::source::excerpt(&e.message, 200)
                    )
                });
                // Not marked loaded: the next flow tries again. Nor stored: what could not be
                // read is not written over.
                self.writable = false;
                self.stage = Stage::Chain;
            }
            (Stage::Store, Reply::CacheStored) => {
                self.log.emit(LogLevel::Verbose, || {
                    format!("{who} => stored the persisted token cache '{name}'")
                });
                self.stage = Stage::Done;
            }
            (Stage::Store, Reply::Failed(e)) => {
                self.log.emit(LogLevel::Warning, || {
                    format!(
                        "{who} => the persisted token cache '{name}' could not be stored ({})",
                        crate::source::excerpt(&e.message, 200)
                    )
                });
                self.stage = Stage::Done;
            }
            (stage, _) => {
                self.log.emit(LogLevel::Warning, || {
                    format!(
                        "{who} => the driver's reply to the persisted token cache '{name}' was \
                         not one for a {} ; continuing without it",
                        if stage == Stage::Store {
                            "store"
                        } else {
                            "load"
                        }
                    )
                });
                self.stage = if stage == Stage::Load {
                    Stage::Chain
                } else {
                    Stage::Done
                };
            }
        }
    }

    /// The token the loaded store already had for this request: the flow's answer, with no
    /// network request.
    pub(crate) fn served(&self) -> Option<&AccessToken> {
        self.served.as_ref()
    }

    /// The refresh token the loaded store had for the credential's account, once: the chain's
    /// user session takes it before the chain starts.
    pub(crate) fn take_loaded_refresh(&mut self) -> Option<Secret> {
        self.loaded_refresh.take()
    }

    /// Takes this part's log records.
    pub(crate) fn take_log(&mut self) -> Vec<crate::log::LogRecord> {
        self.log.take()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::TokenRequest;

    const NOW: Timestamp = Timestamp::from_secs(1_700_000_000);
    const SENTINEL: &str = "tok-SENTINEL-4b1d";

    fn key(scope: &str) -> CacheKey {
        CacheKey::of(&TokenRequest::new([scope]))
    }

    fn token(secret: &str, life_s: u64) -> AccessToken {
        AccessToken::bearer(
            Secret::new(secret),
            NOW.plus(Duration::from_secs(life_s)),
            None,
        )
    }

    #[test]
    fn a_cache_round_trips_through_its_text() {
        let mut c = PersistedCache::default();
        c.put("p1", key("a/.default"), token(SENTINEL, 3600));
        let mut cae = TokenRequest::new(["b/.default"]);
        cae.enable_cae = true;
        cae.tenant_id = Some("t2".into());
        cae.claims = Some("{\"x\":1}".into());
        let mut t = token("two", 7200);
        t.refresh_after = Some(NOW.plus(Duration::from_secs(3600)));
        c.put("p2", CacheKey::of(&cae), t.clone());
        let text = c.to_text(NOW);
        let (back, dropped) = PersistedCache::parse(text.expose(), NOW).unwrap();
        assert_eq!(dropped, 0);
        assert_eq!(back.len(), 2);
        let two = back.of("p2").next().unwrap();
        assert_eq!(two.key, CacheKey::of(&cae));
        assert_eq!(two.token.token.expose(), "two");
        assert_eq!(two.token.expires_on, t.expires_on);
        assert_eq!(two.token.refresh_after, t.refresh_after);
        assert_eq!(back.of("p1").next().unwrap().token.token.expose(), SENTINEL);
        // The same text again: stable.
        assert_eq!(back.to_text(NOW).expose(), text.expose());
    }

    #[test]
    fn text_that_is_not_json_is_corrupt_and_may_be_overwritten() {
        for bad in ["", "{", "[]", "null", "\"x\"", "\u{0}\u{1}garbage"] {
            let r = PersistedCache::parse(bad, NOW).unwrap_err();
            assert!(matches!(r, Rejected::Corrupt(_)), "{bad:?}: {r:?}");
            assert!(r.overwritable());
        }
        let r = PersistedCache::parse(
            r#"{"format":"azcred.tokenCache","version":1,"accessTokens":{}}"#,
            NOW,
        )
        .unwrap_err();
        assert_eq!(r, Rejected::Corrupt("accessTokens is not a list"));
    }

    #[test]
    fn an_msal_cache_is_foreign_and_left_alone() {
        let msal = r#"{"Account":{},"IdToken":{},"AccessToken":{"k":{"secret":"x"}},"RefreshToken":{},"AppMetadata":{}}"#;
        let r = PersistedCache::parse(msal, NOW).unwrap_err();
        assert_eq!(r, Rejected::Foreign);
        assert!(!r.overwritable());
        assert!(!r.describe().contains("\"x\""));
    }

    #[test]
    fn a_newer_version_is_left_alone() {
        let r = PersistedCache::parse(
            r#"{"format":"azcred.tokenCache","version":2,"accessTokens":[]}"#,
            NOW,
        )
        .unwrap_err();
        assert_eq!(r, Rejected::Newer(2));
        assert!(!r.overwritable());
        assert!(r.describe().contains("format version 2"));
    }

    #[test]
    fn expired_and_unreadable_entries_are_dropped_and_the_rest_used() {
        let mut c = PersistedCache::default();
        c.put("p", key("live"), token("live", 3600));
        c.put("p", key("soon"), token("soon", 200));
        let text = c.to_text(NOW);
        // Written at NOW: the one in its last five minutes is not written.
        let (back, _) = PersistedCache::parse(text.expose(), NOW).unwrap();
        assert_eq!(back.len(), 1);
        // Read an hour later: the live one has expired too.
        let later = NOW.plus(Duration::from_secs(3600));
        let (back, dropped) = PersistedCache::parse(text.expose(), later).unwrap();
        assert_eq!((back.len(), dropped), (0, 0));
        let mixed = format!(
            r#"{{"format":"azcred.tokenCache","version":1,"accessTokens":[{},{{"partition":"p"}},7]}}"#,
            write_token(&c.tokens[0])
        );
        let (back, dropped) = PersistedCache::parse(&mixed, NOW).unwrap();
        assert_eq!((back.len(), dropped), (1, 2));
    }

    #[test]
    fn sections_this_version_does_not_read_are_written_back_unchanged() {
        let text = r#"{"format":"azcred.tokenCache","version":1,"accessTokens":[],"later":[{"partition":"p","x":1}]}"#;
        let (c, _) = PersistedCache::parse(text, NOW).unwrap();
        let out: Value = serde_json::from_str(c.to_text(NOW).expose()).unwrap();
        assert_eq!(
            out["later"],
            serde_json::json!([{"partition": "p", "x": 1}])
        );
        assert_eq!(out["version"], 1);
    }

    #[test]
    fn refresh_tokens_round_trip_and_a_store_keeps_ours_for_an_account_and_theirs_for_others() {
        let text = r#"{"format":"azcred.tokenCache","version":1,"accessTokens":[],"refreshTokens":[{"partition":"p|account:a","secret":"rt-a"},{"partition":"p"},7]}"#;
        let (c, dropped) = PersistedCache::parse(text, NOW).unwrap();
        assert_eq!((c.refresh_tokens(), dropped), (1, 2));
        assert_eq!(
            c.refresh_of("p|account:a").map(Secret::expose),
            Some("rt-a")
        );
        let mut ours = PersistedCache::default();
        ours.put_refresh(PersistedRefresh {
            partition: "p|account:a".into(),
            secret: Secret::new("rt-a-rotated"),
        });
        let mut theirs = c.clone();
        theirs.put_refresh(PersistedRefresh {
            partition: "p|account:b".into(),
            secret: Secret::new("rt-b"),
        });
        let merged = PersistedCache::merge_for_store(
            Some(theirs.to_text(NOW).expose()),
            ours.to_text(NOW).expose(),
            NOW,
        );
        let (m, _) = PersistedCache::parse(merged.expose(), NOW).unwrap();
        assert_eq!(m.refresh_tokens(), 2);
        assert_eq!(
            m.refresh_of("p|account:a").map(Secret::expose),
            Some("rt-a-rotated")
        );
        assert_eq!(
            m.refresh_of("p|account:b").map(Secret::expose),
            Some("rt-b")
        );
        let r = PersistedCache::parse(
            r#"{"format":"azcred.tokenCache","version":1,"refreshTokens":{}}"#,
            NOW,
        )
        .unwrap_err();
        assert_eq!(r, Rejected::Corrupt("refreshTokens is not a list"));
    }

    #[test]
    fn a_store_merges_what_another_process_stored_meanwhile() {
        let mut ours = PersistedCache::default();
        ours.put("p", key("a"), token("ours-a", 3600));
        ours.put("p", key("b"), token("ours-b-older", 1800));
        let mut theirs = PersistedCache::default();
        theirs.put("p", key("b"), token("theirs-b-newer", 3600));
        theirs.put("q", key("a"), token("theirs-other-app", 3600));
        let ours_text = ours.to_text(NOW);
        let merged = PersistedCache::merge_for_store(
            Some(theirs.to_text(NOW).expose()),
            ours_text.expose(),
            NOW,
        );
        let (m, _) = PersistedCache::parse(merged.expose(), NOW).unwrap();
        let secret = |p: &str, k: &str| {
            m.of(p)
                .find(|t| t.key == key(k))
                .map(|t| t.token.token.expose().to_owned())
        };
        assert_eq!(m.len(), 3);
        assert_eq!(secret("p", "a").as_deref(), Some("ours-a"));
        assert_eq!(
            secret("p", "b").as_deref(),
            Some("theirs-b-newer"),
            "the later expiry wins"
        );
        assert_eq!(secret("q", "a").as_deref(), Some("theirs-other-app"));
        // Nothing meanwhile, or a corrupt store: ours as it is.
        for current in [None, Some(""), Some("{corrupt")] {
            let out = PersistedCache::merge_for_store(current, ours_text.expose(), NOW);
            assert_eq!(out.expose(), ours_text.expose());
        }
        // A foreign or newer store written meanwhile is never written over.
        for current in [
            r#"{"AccessToken":{}}"#,
            r#"{"format":"azcred.tokenCache","version":9}"#,
        ] {
            let out = PersistedCache::merge_for_store(Some(current), ours_text.expose(), NOW);
            assert_eq!(out.expose(), current);
        }
    }

    #[test]
    fn secrets_never_appear_in_debug() {
        let mut c = PersistedCache::default();
        c.put("p", key("s"), token(SENTINEL, 3600));
        let with_section = format!(
            r#"{{"format":"azcred.tokenCache","version":1,"accessTokens":[],"refreshTokens":[{{"partition":"p","secret":"{SENTINEL}"}}],"later":["{SENTINEL}"]}}"#
        );
        let (s, _) = PersistedCache::parse(&with_section, NOW).unwrap();
        let text = c.to_text(NOW);
        let store = CacheStore {
            name: "n".into(),
            unsafe_allow_unencrypted_storage: true,
        };
        let load = Reply::CacheLoaded {
            contents: Some(text.clone()),
        };
        let action = Action::StoreCache {
            store,
            contents: text.clone(),
            deadline: NOW,
        };
        for shown in [
            format!("{c:?}"),
            format!("{s:?}"),
            format!("{text:?}"),
            format!("{load:?}"),
            format!("{action:?}"),
        ] {
            assert!(!shown.contains(SENTINEL), "{shown}");
        }
    }

    #[test]
    fn only_the_cache_persistence_plugin_is_accepted() {
        assert!(plugin_control("cachePluginControl.setPersistence").is_ok());
        let e = plugin_control("nativeBrokerPluginControl.setNativeBroker").unwrap_err();
        assert!(
            e.message.contains("@azure/identity-broker"),
            "{}",
            e.message
        );
        assert!(e.message.contains("WAM broker"));
        for c in [
            "vsCodeCredentialControl.setVSCodeAuthRecordPath",
            "vsCodeCredentialControl.setVSCodeBroker",
            "vsCodeCredentialControl.setVsCodeCredentialFinder",
        ] {
            let e = plugin_control(c).unwrap_err();
            assert!(
                e.message.contains("@azure/identity-vscode"),
                "{}",
                e.message
            );
            assert!(e.message.contains("Visual Studio Code's credentials"));
        }
        assert!(plugin_control("somethingElse").is_err());
    }
}
