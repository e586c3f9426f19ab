//! Credential sources: one file per source. Each source plans its own small state machine
//! ([`SourceFlow`]) for one token acquisition; the chain walks them in order.

pub(crate) mod developer_tools;
pub(crate) mod entra;
pub(crate) mod environment;
pub(crate) mod external;
pub(crate) mod managed_identity;
pub(crate) mod visual_studio_code;

use crate::error::{Misuse, TokenError};
use crate::io::{Action, Reply};
use crate::time::Timestamp;
use crate::token::AccessToken;

/// What a caller asks for: `getToken(scopes, options)`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "camelCase", default))]
pub struct TokenRequest {
    /// The scopes, e.g. `["https://storage.azure.com/.default"]`.
    pub scopes: Vec<String>,
    /// `GetTokenOptions.claims`.
    pub claims: Option<String>,
    /// `GetTokenOptions.tenantId`.
    pub tenant_id: Option<String>,
    /// `GetTokenOptions.enableCae`.
    pub enable_cae: bool,
    /// `GetTokenOptions.requestOptions.timeout` in ms (the IMDS probe's timeout, as in the
    /// reference). Floored, and clamped to `MAX_TIMER_MS`.
    #[cfg_attr(
        feature = "serde",
        serde(deserialize_with = "crate::coerce::request_timeout")
    )]
    pub timeout_ms: Option<u64>,
    /// The request is `authenticate(scopes)` rather than `getToken`: a user credential signs the
    /// user in when it has no usable refresh token, even with `disableAutomaticAuthentication`,
    /// and the answer carries the signed-in account's `AuthenticationRecord`.
    pub authenticate: bool,
}

impl TokenRequest {
    /// A request for these scopes with no other options.
    pub fn new<S: Into<String>>(scopes: impl IntoIterator<Item = S>) -> Self {
        Self {
            scopes: scopes.into_iter().map(Into::into).collect(),
            ..Self::default()
        }
    }
}

/// What a source flow needs next.
#[derive(Debug)]
pub(crate) enum SourceStep {
    Perform(Action),
    Wait(Timestamp),
    Done(Result<AccessToken, TokenError>),
    /// The source resolved `null` (only foreign chain members do): the chain moves on silently.
    Null,
}

/// One source's acquisition in progress.
pub(crate) trait SourceFlow: std::fmt::Debug + Send {
    /// Returns the next step; repeats the outstanding action until it is handled.
    fn poll(&mut self, now: Timestamp) -> SourceStep;
    /// Takes the reply to the outstanding action.
    fn handle(&mut self, reply: Reply, now: Timestamp) -> Result<(), Misuse>;
    /// Moves the log records this flow made into `log` (most flows make none of their own; the
    /// chain logs what every flow does).
    fn drain_log(&mut self, _log: &mut crate::log::Log) {}
    /// The user session to keep once this flow is done (a user source that signed in or
    /// refreshed: the account and its new refresh token); the credential stores it in `finish`.
    fn take_session(&mut self) -> Option<entra::account::Session> {
        None
    }
}

/// Facts the chain passes to a source when it starts one.
#[derive(Debug, Clone, Copy)]
pub(crate) struct StartContext {
    /// This source already produced a token for this credential (the chain is sticky to it), so
    /// availability checks such as the IMDS probe are skipped.
    pub(crate) proven: bool,
    /// Seeds the flow's jitter.
    pub(crate) seed: u64,
    /// The acquisition is an early refresh whose caller already has a valid token: a user
    /// source renews silently, and never asks the user to sign in from the background.
    pub(crate) background: bool,
}

/// A configured credential source.
pub(crate) trait Source: std::fmt::Debug + Send + Sync {
    /// The reference's class name, used in messages (`ManagedIdentityCredential`).
    fn name(&self) -> &str;
    /// Says what the source will do, for `explain` (no secrets).
    fn describe(&self) -> String;
    /// Starts one acquisition.
    fn start(&self, request: &TokenRequest, ctx: StartContext) -> Box<dyn SourceFlow>;
    /// Starts one acquisition with the user session the credential keeps for this source (user
    /// sources renew it with its refresh token; every other source ignores it).
    fn start_with_session(
        &self,
        request: &TokenRequest,
        ctx: StartContext,
        _session: Option<&entra::account::Session>,
    ) -> Box<dyn SourceFlow> {
        self.start(request, ctx)
    }
    /// The session a credential with this source starts with (the account of an
    /// `authenticationRecord` option).
    fn initial_session(&self) -> Option<entra::account::Session> {
        None
    }
    /// The app a user source signs in to, for the `AuthenticationRecord` of its session.
    fn user_client_id(&self) -> Option<&str> {
        None
    }
    /// Whether the chain logs this source's outcome under its name (`X => getToken() =>
    /// SUCCESS`). Not for foreign credentials: they log for themselves, or not at all.
    fn logs_outcome(&self) -> bool {
        true
    }
    /// Whether `enableCae` changes what this source sends (Entra: the `claims` parameter;
    /// a foreign credential: passed on). When it does not (`az`, `azd`, `pwsh`, managed
    /// identity), a CAE and a non-CAE request are one cache entry (`chain::cache_key`).
    fn request_uses_cae(&self) -> bool {
        true
    }
    /// The error of an acquisition of this source whose caller gave up.
    fn aborted(&self) -> TokenError {
        TokenError::aborted()
    }
    /// The app whose tokens this source gets, as a persisted token cache names it (authority
    /// host, tenant, client id), for the sources whose tokens may be persisted; `None` for the
    /// others.
    fn persist_partition(&self) -> Option<String> {
        None
    }
}

/// The action a flow is waiting on, so a repeated `poll` repeats it and `handle` can check the
/// reply belongs to something.
#[derive(Debug, Default)]
pub(crate) struct Outstanding(Option<Action>);

impl Outstanding {
    /// Records `action` as outstanding and returns the step for it.
    pub(crate) fn perform(&mut self, action: Action) -> SourceStep {
        self.0 = Some(action.clone());
        SourceStep::Perform(action)
    }

    /// Returns the step for the action still outstanding, if any.
    pub(crate) fn repeat(&self) -> Option<SourceStep> {
        self.0.clone().map(SourceStep::Perform)
    }

    /// Returns the outstanding action, or reports misuse. It stays outstanding until
    /// [`Outstanding::clear`], so a rejected reply leaves it to be performed again.
    pub(crate) fn peek(&self) -> Result<&Action, Misuse> {
        self.0.as_ref().ok_or(Misuse::NoActionOutstanding)
    }

    /// Marks the outstanding action as answered.
    pub(crate) fn clear(&mut self) {
        self.0 = None;
    }
}

/// A flow that is already decided (configuration errors found at `getToken` time).
#[derive(Debug)]
pub(crate) struct Decided(pub(crate) Option<Result<AccessToken, TokenError>>);

impl SourceFlow for Decided {
    fn poll(&mut self, _now: Timestamp) -> SourceStep {
        match self.0.take() {
            Some(r) => SourceStep::Done(r),
            None => SourceStep::Done(Err(TokenError::unavailable(
                "the flow has already finished",
            ))),
        }
    }

    fn handle(&mut self, _reply: Reply, _now: Timestamp) -> Result<(), Misuse> {
        Err(Misuse::NoActionOutstanding)
    }
}

/// Removes a trailing `/.default` from a scope, giving the resource (the reference's
/// `mapScopesToResource`).
pub(crate) fn scope_to_resource(scope: &str) -> &str {
    scope.strip_suffix("/.default").unwrap_or(scope)
}

/// Quotes a list of scopes as the reference's messages do (`["a","b"]`).
pub(crate) fn json_list(items: &[String]) -> String {
    serde_json::to_string(items).unwrap_or_default()
}

/// Shortens text from a peer for use in a message: at most `max` characters, control
/// characters replaced, so a hostile endpoint cannot flood or forge log lines.
pub(crate) fn excerpt(text: &str, max: usize) -> String {
    let mut out: String = text
        .chars()
        .take(max)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if text.chars().count() > max {
        out.push_str("...");
    }
    out
}
