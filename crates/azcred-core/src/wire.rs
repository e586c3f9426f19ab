//! The typed surface both bindings wrap: a [`WireCredential`] and its [`WireFlow`]s, taking and
//! returning serde values that each binding converts to and from plain JS objects (napi's serde
//! support, serde-wasm-bindgen's JSON-compatible serializer). No JSON strings, no id tables: a
//! flow is an object the driver holds and hands back to [`WireCredential::finish`].
//!
//! Two rules make a credential impossible to wedge from the JS side:
//! - a reply the binding could not decode is still a reply: [`WireFlow::handle`] takes the
//!   decode error and feeds the flow an IO failure, so the flow (and only it) fails, or its chain
//!   moves on;
//! - [`WireCredential::finish`] accepts any flow of this credential at any point, finished or
//!   not (an unfinished one ends as aborted), so the driver can always end a flow it started.

use serde::Serialize;

use crate::SharedTokens;
use crate::{AccessToken, Begin, Credential, EnvSnapshot, Flow, LogLevel, LogRecord, Options};
use crate::{AuthenticationRecord, TokenError, TokenRequest};
use crate::{IoFailure, IoFailureKind, MemberReport, Reply, Step, Timestamp};

/// An error for the binding to throw as a JS `Error` with `code` set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WireError {
    /// `InvalidConfig`, `CredentialUnavailable`, `InvalidRequest`, `ApiMisuse` or `Internal`.
    pub code: &'static str,
    /// The message; never quotes input (it may hold a secret).
    pub message: String,
}

impl WireError {
    fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }

    /// The error for a value the binding could not decode as `what` (options, environment,
    /// request): `detail` is the decoder's message, kept only when it quotes nothing from the
    /// input (a quoted value may be a secret).
    pub fn undecodable(code: &'static str, what: &str, detail: &str) -> Self {
        Self::new(code, format!("invalid {what}: {}", safe_detail(detail)))
    }
}

/// Decodes a value the binding read from JS (as a JSON value tree: strings, numbers, arrays,
/// objects, `null`) as `T`, with the same rules on every binding: a JS value is read as a JSON
/// value first, then as `T`, so no binding's own leniency (a string read as a list of
/// characters, say) makes backends disagree. `Err` is the decoder's message.
pub fn decode<T: serde::de::DeserializeOwned>(value: serde_json::Value) -> Result<T, String> {
    serde_json::from_value(value).map_err(|e| e.to_string())
}

/// A value as a binding hands it over (a reply, an option, a request), as the JSON tree
/// [`decode`] reads: what a binding deserializes a JS value into. Bytes (a `Buffer` or
/// `Uint8Array`: the body of an HTTP response or of a request to the sign-in listener) become a
/// string, read as UTF-8 with each invalid sequence replaced by U+FFFD, as Node's
/// `buffer.toString('utf8')` reads it; numbers that are not finite become `null`, as in JSON.
#[derive(Debug, Clone, PartialEq)]
pub struct Tree(pub serde_json::Value);

impl<'de> serde::Deserialize<'de> for Tree {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(TreeVisitor).map(Tree)
    }
}

struct TreeVisitor;

impl<'de> serde::de::Visitor<'de> for TreeVisitor {
    type Value = serde_json::Value;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value or bytes")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Self::Value, E> {
        Ok(v.into())
    }

    fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
        Ok(v.into())
    }

    fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
        Ok(v.into())
    }

    fn visit_f64<E>(self, v: f64) -> Result<Self::Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(serde_json::Value::Null, Into::into))
    }

    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(v.into())
    }

    fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
        Ok(v.into())
    }

    fn visit_bytes<E>(self, v: &[u8]) -> Result<Self::Value, E> {
        Ok(String::from_utf8_lossy(v).into_owned().into())
    }

    fn visit_byte_buf<E>(self, v: Vec<u8>) -> Result<Self::Value, E> {
        Ok(match String::from_utf8(v) {
            Ok(text) => text,
            Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
        }
        .into())
    }

    fn visit_none<E>(self) -> Result<Self::Value, E> {
        Ok(serde_json::Value::Null)
    }

    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(serde_json::Value::Null)
    }

    fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
        while let Some(Tree(v)) = seq.next_element()? {
            out.push(v);
        }
        Ok(serde_json::Value::Array(out))
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut out = serde_json::Map::new();
        while let Some((k, Tree(v))) = map.next_entry::<String, Tree>()? {
            out.insert(k, v);
        }
        Ok(serde_json::Value::Object(out))
    }
}

/// A decoder's message with anything it quotes from the input left out.
fn safe_detail(detail: &str) -> String {
    // serde quotes input values with `"` or backticks (strings, unknown variants); either may
    // hold a secret, so such messages are replaced by a generic one.
    if detail.contains('"') || detail.contains('`') || detail.contains('\'') {
        "a value has the wrong type".to_owned()
    } else {
        crate::source::excerpt(detail, 200)
    }
}

/// A JS number of milliseconds since the epoch (fractions dropped, negatives and NaN saturate
/// at 0, values beyond any date clamp).
fn at(now: f64) -> Timestamp {
    Timestamp::from_millis(now as u64)
}

/// The answer to a plugin's call on its `useIdentityPlugin` context (`control` is
/// `"<context entry>.<method>"`, e.g. `"cachePluginControl.setPersistence"`): `Ok` when azcred
/// takes what the plugin gives, else an `InvalidConfig` error naming the plugin.
pub fn plugin_control(control: &str) -> Result<(), WireError> {
    crate::plugin_control(control).map_err(|e| WireError::new(e.code, e.message))
}

/// What the driver hands the persistence plugin to write for an `Action::StoreCache` whose
/// store changed since it was read (`current`: the text the plugin just read under its lock;
/// `ours`: the action's `contents`). See `PersistedCache::merge_for_store`.
pub fn merge_cache(current: Option<&str>, ours: &str, now: f64) -> String {
    crate::PersistedCache::merge_for_store(current, ours, at(now))
        .expose()
        .to_owned()
}

/// What `begin` returns to the driver.
#[derive(Debug, Serialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum BeginOut {
    /// A cached token: no IO needed.
    Cached {
        /// The token.
        token: AccessToken,
        /// Until when the driver may serve this token for the same request without asking
        /// again (the lease).
        #[serde(skip_serializing_if = "Option::is_none")]
        until: Option<Timestamp>,
        /// Drop the other leases before keeping this one (see [`crate::Credential::lease`]).
        #[serde(rename = "dropLeases", skip_serializing_if = "std::ops::Not::not")]
        drop_leases: bool,
        /// For an `authenticate` request: the signed-in account's record.
        #[serde(skip_serializing_if = "Option::is_none")]
        account: Option<AuthenticationRecord>,
    },
    /// Wait for the running flow with this id.
    Join {
        /// The running flow's id ([`WireFlow::id`]).
        id: u64,
    },
    /// A new flow, handed out beside this answer; with `token` set it is an early refresh and
    /// the caller gets that token now.
    Start {
        /// The new flow's id.
        id: u64,
        /// Whether the flow is an early refresh whose caller already has a token.
        background: bool,
        /// The token for the caller of a background refresh.
        #[serde(skip_serializing_if = "Option::is_none")]
        token: Option<AccessToken>,
    },
}

/// What `finish` returns.
#[derive(Debug, Serialize)]
pub struct FinishOut {
    /// Whether a token was acquired.
    pub ok: bool,
    /// The token.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token: Option<AccessToken>,
    /// The error.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<TokenError>,
    /// For an `authenticate` request: the signed-in account's record (after success).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account: Option<AuthenticationRecord>,
}

/// One acquisition, held by the driver until it passes it to [`WireCredential::finish`].
#[derive(Debug)]
pub struct WireFlow {
    inner: Option<Flow>,
    id: u64,
    /// The flow serves `authenticate()`: its answer carries the account's record.
    authenticate: bool,
}

impl WireFlow {
    /// The flow's id, as `join` answers name it.
    pub fn id(&self) -> u64 {
        self.id
    }

    fn flow(&mut self) -> Result<&mut Flow, WireError> {
        self.inner
            .as_mut()
            .ok_or_else(|| WireError::new("ApiMisuse", "the flow has already been finished"))
    }

    /// The flow's next step.
    pub fn poll(&mut self, now: f64) -> Result<Step, WireError> {
        Ok(self.flow()?.poll(at(now)))
    }

    /// Feeds the reply to the outstanding action. `Err(detail)` is a reply the binding could not
    /// decode: the flow gets it as an IO failure, so it fails (or its chain moves on) instead of
    /// the driver being left with a flow it cannot answer.
    pub fn handle(&mut self, reply: Result<Reply, String>, now: f64) -> Result<(), WireError> {
        let reply = reply.unwrap_or_else(|detail| {
            Reply::Failed(IoFailure::new(
                IoFailureKind::Other,
                format!(
                    "the driver's reply could not be read ({})",
                    safe_detail(&detail)
                ),
            ))
        });
        self.flow()?
            .handle(reply, at(now))
            .map_err(|m| WireError::new(m.code(), m.to_string()))
    }

    /// The error for a caller who gives up on this flow now (see [`Flow::abort_error`]); the
    /// generic abort once the flow has been finished.
    pub fn abort_error(&self) -> TokenError {
        self.inner
            .as_ref()
            .map_or_else(TokenError::aborted, Flow::abort_error)
    }

    /// The log records this flow made since the last call.
    pub fn take_log(&mut self) -> Vec<LogRecord> {
        self.inner.as_mut().map(Flow::take_log).unwrap_or_default()
    }
}

/// A configured credential.
#[derive(Debug)]
pub struct WireCredential {
    inner: Credential,
}

impl WireCredential {
    /// Builds the credential `kind` from decoded options and environment; its managed-identity
    /// tokens are shared through `store` with the other credentials built with it.
    pub fn new(
        kind: &str,
        options: &Options,
        env: &EnvSnapshot,
        seed: f64,
        store: Option<&SharedTokens>,
    ) -> Result<Self, WireError> {
        let inner = Credential::sharing(kind, options, env, seed as u64, store)
            .map_err(|e| WireError::new(e.code, e.message))?;
        Ok(Self { inner })
    }

    /// Each member: whether it will be tried, and what it does or why it is left out.
    pub fn explain(&self) -> Vec<MemberReport> {
        self.inner.explain()
    }

    /// Starts serving a request; a `Start` answer comes with its flow.
    pub fn begin(&mut self, request: TokenRequest, now: f64) -> (BeginOut, Option<WireFlow>) {
        let lease = self.inner.lease(&request, at(now));
        let authenticate = request.authenticate;
        match self.inner.begin(request, at(now)) {
            Begin::Cached(token) => {
                let account = authenticate
                    .then(|| self.inner.authentication_record())
                    .flatten();
                (
                    BeginOut::Cached {
                        token,
                        until: lease.map(|l| l.until),
                        drop_leases: lease.is_some_and(|l| l.drop_others),
                        account,
                    },
                    None,
                )
            }
            Begin::Join(id) => (BeginOut::Join { id: id.0 }, None),
            Begin::Start { flow, serving } => {
                let id = flow.id().0;
                let out = BeginOut::Start {
                    id,
                    background: flow.is_background(),
                    token: serving,
                };
                (
                    out,
                    Some(WireFlow {
                        inner: Some(*flow),
                        id,
                        authenticate,
                    }),
                )
            }
        }
    }

    /// Ends the flow, finished or not: caches and returns its token, or returns its error (an
    /// unfinished flow ends as aborted). A flow already ended is misuse.
    pub fn finish(&mut self, flow: &mut WireFlow, now: f64) -> Result<FinishOut, WireError> {
        let flow_authenticate = flow.authenticate;
        let flow = flow
            .inner
            .take()
            .ok_or_else(|| WireError::new("ApiMisuse", "the flow has already been finished"))?;
        let authenticate = flow_authenticate;
        Ok(match self.inner.finish(flow, at(now)) {
            Ok(token) => FinishOut {
                ok: true,
                token: Some(token),
                error: None,
                account: authenticate
                    .then(|| self.inner.authentication_record())
                    .flatten(),
            },
            Err(error) => FinishOut {
                ok: false,
                token: None,
                error: Some(error),
                account: None,
            },
        })
    }

    /// Sets the most verbose level to log from now on (`None`: none).
    pub fn set_log_level(&mut self, level: Option<LogLevel>) {
        self.inner.set_log_level(level);
    }

    /// The log records this credential made since the last call (its own, and those of the
    /// flows it finished).
    pub fn take_log(&mut self) -> Vec<LogRecord> {
        self.inner.take_log()
    }
}

/// `deserializeAuthenticationRecord`'s check of a record `JSON.parse` gave: a version other than
/// the one azcred writes is the reference's error.
pub fn check_authentication_record(record: &serde_json::Value) -> Result<(), WireError> {
    if crate::record_version_supported(record) {
        Ok(())
    } else {
        Err(WireError::new(
            "InvalidConfig",
            crate::UNSUPPORTED_RECORD_VERSION,
        ))
    }
}
