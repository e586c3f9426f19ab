//! The account machinery of the user sign-in credentials (`DeviceCodeCredential`,
//! `UsernamePasswordCredential`, `AuthorizationCodeCredential`, and any later one such as
//! `InteractiveBrowserCredential`), generic over how the first sign-in happens ([`SignIn`]).
//!
//! As the reference's `withSilentAuthentication`: a request is first served silently, with the
//! refresh token of the account the credential keeps (MSAL's `acquireTokenSilent`, a
//! `refresh_token` grant); when there is none, or Entra refuses it, the user signs in (the
//! credential's [`SignIn`]) unless `disableAutomaticAuthentication` forbids it, which is then an
//! `AuthenticationRequired` error with the reference's message. `authenticate()` always may sign
//! in. Either way the account and its (possibly rotated) refresh token are left for the
//! credential to keep (`SourceFlow::take_session`), so the next scope, or the renewal after
//! expiry, needs no new sign-in.
//!
//! The token requests are the `Entra` source's ([`start_grant`]): retries, proxy, correlation id
//! and error rendering are the same as for every other Entra request.

use std::sync::Arc;

use crate::error::{ErrorKind, Misuse, TokenError};
use crate::io::{Action, Reply};
use crate::jwt;
use crate::retry::Rng;
use crate::source::{Decided, SourceFlow, SourceStep, StartContext, TokenRequest};
use crate::time::Timestamp;
use crate::token::AccessToken;

use super::Entra;
use super::account::{Account, Session, UserTokens, environment, parse_user_tokens};
use super::flow::{EntraFlow, start_grant};
use super::request::{Grant, Planned};

/// The reference's message when a sign-in would be needed and `disableAutomaticAuthentication`
/// is set.
pub(crate) const AUTOMATIC_AUTHENTICATION_DISABLED: &str =
    "Automatic authentication has been disabled. You may call the authentication() method.";

/// What a [`SignInFlow`] needs next.
#[derive(Debug)]
pub(crate) enum SignInStep {
    /// Carry out this action and `handle` its reply.
    Perform(Action),
    /// Nothing to do until then.
    Wait(Timestamp),
    /// The sign-in is over: the user's tokens, or why not.
    Done(Result<UserTokens, TokenError>),
}

/// One first sign-in in progress (a device code, a password, an authorization code, a browser).
pub(crate) trait SignInFlow: std::fmt::Debug + Send {
    /// Returns the next step; repeats the outstanding action until it is handled.
    fn poll(&mut self, now: Timestamp) -> SignInStep;
    /// Takes the reply to the outstanding action.
    fn handle(&mut self, reply: Reply, now: Timestamp) -> Result<(), Misuse>;
}

/// What a sign-in starts from: the request as planned (token endpoint of the request's tenant,
/// scopes with the OpenID ones, claims), and the acquisition's correlation id and randomness.
#[derive(Debug)]
pub(crate) struct SignInStart {
    pub(crate) planned: Planned,
    pub(crate) correlation: String,
    pub(crate) rng: Rng,
}

/// How a user credential signs the user in the first time (and whenever its refresh token
/// cannot be used): the one part that differs between the user credentials.
pub(crate) trait SignIn: std::fmt::Debug + Send + Sync {
    /// What the sign-in is, for `explain` (no secrets).
    fn describe(&self) -> String;
    /// Starts a sign-in at `source`'s authority for the planned request.
    fn start(&self, source: &Arc<Entra>, start: SignInStart) -> Box<dyn SignInFlow>;
    /// The error of a sign-in whose caller gave up.
    fn aborted(&self) -> TokenError {
        TokenError::aborted()
    }
}

/// A sign-in that is one token request with a grant the credential was given (a password, an
/// authorization code).
#[derive(Debug)]
pub(crate) struct GrantSignIn {
    pub(crate) grant: Grant,
    pub(crate) what: &'static str,
}

impl SignIn for GrantSignIn {
    fn describe(&self) -> String {
        self.what.to_owned()
    }

    fn start(&self, source: &Arc<Entra>, start: SignInStart) -> Box<dyn SignInFlow> {
        Box::new(GrantRun::new(source, self.grant.clone(), start))
    }
}

/// One token request for a user grant, read as a user token response.
#[derive(Debug)]
pub(crate) struct GrantRun {
    flow: EntraFlow,
    environment: String,
    name: &'static str,
}

/// Why a user grant failed: the error, and Entra's OAuth error code when it answered with one
/// (`authorization_pending`, `invalid_grant`, ...).
#[derive(Debug)]
pub(crate) struct GrantFailure {
    pub(crate) error: TokenError,
    pub(crate) code: Option<String>,
}

/// A step of a [`GrantRun`].
#[derive(Debug)]
pub(crate) enum GrantStep {
    Perform(Action),
    Wait(Timestamp),
    Done(Result<UserTokens, GrantFailure>),
}

impl GrantRun {
    /// The token request of `grant` at `source`'s authority.
    pub(crate) fn new(source: &Entra, grant: Grant, start: SignInStart) -> Self {
        Self {
            flow: start_grant(source, grant, start.planned, start.correlation, start.rng),
            environment: environment(&source.host),
            name: source.name,
        }
    }

    /// The next step, with a failure's OAuth error code.
    pub(crate) fn step(&mut self, now: Timestamp) -> GrantStep {
        match self.flow.poll(now) {
            SourceStep::Perform(a) => GrantStep::Perform(a),
            SourceStep::Wait(t) => GrantStep::Wait(t),
            SourceStep::Done(Ok(_)) => {
                let Some((resp, sent)) = self.flow.take_answer() else {
                    return GrantStep::Done(Err(GrantFailure {
                        error: internal(self.name),
                        code: None,
                    }));
                };
                GrantStep::Done(
                    parse_user_tokens(&resp.body, sent, &self.environment).map_err(|e| {
                        GrantFailure {
                            error: TokenError::new(
                                ErrorKind::AuthenticationRequired,
                                format!(
                                    "{}: the token endpoint's response is not usable: {e}",
                                    self.name
                                ),
                            )
                            .from_credential(self.name),
                            code: None,
                        }
                    }),
                )
            }
            SourceStep::Done(Err(error)) => {
                let code = self.flow.take_answer().and_then(|(resp, _)| {
                    let v: serde_json::Value = serde_json::from_str(&resp.body).ok()?;
                    v.get("error")?.as_str().map(str::to_owned)
                });
                GrantStep::Done(Err(GrantFailure { error, code }))
            }
            SourceStep::Null => GrantStep::Done(Err(GrantFailure {
                error: internal(self.name),
                code: None,
            })),
        }
    }

    /// Takes the reply to the outstanding request.
    pub(crate) fn handle(&mut self, reply: Reply, now: Timestamp) -> Result<(), Misuse> {
        self.flow.handle(reply, now)
    }
}

impl SignInFlow for GrantRun {
    fn poll(&mut self, now: Timestamp) -> SignInStep {
        match self.step(now) {
            GrantStep::Perform(a) => SignInStep::Perform(a),
            GrantStep::Wait(t) => SignInStep::Wait(t),
            GrantStep::Done(r) => SignInStep::Done(r.map_err(|f| f.error)),
        }
    }

    fn handle(&mut self, reply: Reply, now: Timestamp) -> Result<(), Misuse> {
        Self::handle(self, reply, now)
    }
}

fn internal(name: &str) -> TokenError {
    TokenError::new(
        ErrorKind::AuthenticationRequired,
        format!("{name}: internal error: the token request ended without an answer"),
    )
    .from_credential(name)
}

/// A user sign-in credential: an Entra app (public, or confidential with a client secret), how
/// its user signs in, and the account it starts with.
#[derive(Debug)]
pub(crate) struct User {
    pub(crate) entra: Arc<Entra>,
    pub(crate) sign_in: Arc<dyn SignIn>,
    /// `disableAutomaticAuthentication`.
    pub(crate) disable_automatic: bool,
    /// The account of the `authenticationRecord` option.
    pub(crate) initial: Option<Account>,
}

impl User {
    /// Starts serving `request` with the kept `session`: silently when it has a refresh token,
    /// else (or when that fails) by signing in, when that is allowed.
    pub(crate) fn start_flow(
        &self,
        request: &TokenRequest,
        ctx: StartContext,
        session: Option<&Session>,
    ) -> Box<dyn SourceFlow> {
        let mut rng = Rng::new(ctx.seed);
        let correlation = jwt::uuid_v4(&mut rng);
        let plan = || self.entra.plan_grant(request, true);
        if let Err(e) = plan() {
            return Box::new(Decided(Some(Err(e.from_credential(self.entra.name)))));
        }
        // An early refresh in the background renews silently or not at all: the user is asked
        // to sign in only by a caller who is waiting for the token.
        let may_sign_in = (request.authenticate || !self.disable_automatic) && !ctx.background;
        let silent = session
            .and_then(|s| s.refresh_token.clone())
            .and_then(|rt| {
                let planned = plan().ok()?;
                let grant = Grant::RefreshToken { refresh_token: rt };
                let start = SignInStart {
                    planned,
                    correlation: correlation.clone(),
                    rng: Rng::new(rng.next_u64()),
                };
                Some(Box::new(GrantRun::new(&self.entra, grant, start)))
            });
        let sign_in = may_sign_in
            .then(|| {
                let planned = plan().ok()?;
                let start = SignInStart {
                    planned,
                    correlation,
                    rng: Rng::new(rng.next_u64()),
                };
                Some(self.sign_in.start(&self.entra, start))
            })
            .flatten();
        let no_sign_in = if ctx.background && !self.disable_automatic {
            self.entra.required(format!(
                "{}: the refresh token could not renew the token in the background; the next \
                 getToken signs in again",
                self.entra.name
            ))
        } else {
            self.entra.required(AUTOMATIC_AUTHENTICATION_DISABLED)
        };
        let stage = match (silent, sign_in) {
            (Some(run), sign_in) => Stage::Silent(run, sign_in),
            (None, Some(flow)) => Stage::SignIn(flow),
            (None, None) => Stage::Done(Some(Err(no_sign_in.clone()))),
        };
        Box::new(UserFlow {
            name: self.entra.name,
            stage,
            kept: session.cloned(),
            session_out: None,
            no_sign_in,
        })
    }
}

impl crate::source::Source for User {
    fn name(&self) -> &str {
        self.entra.name
    }

    fn describe(&self) -> String {
        format!(
            "app {} in tenant {} with {}, from {}",
            self.entra.client_id,
            self.entra
                .tenants
                .configured
                .as_deref()
                .unwrap_or("organizations"),
            self.sign_in.describe(),
            self.entra.host.as_str()
        )
    }

    fn start(&self, request: &TokenRequest, ctx: StartContext) -> Box<dyn SourceFlow> {
        self.start_flow(request, ctx, None)
    }

    fn start_with_session(
        &self,
        request: &TokenRequest,
        ctx: StartContext,
        session: Option<&Session>,
    ) -> Box<dyn SourceFlow> {
        self.start_flow(request, ctx, session)
    }

    fn initial_session(&self) -> Option<Session> {
        self.initial.clone().map(|account| Session {
            account,
            refresh_token: None,
        })
    }

    fn user_client_id(&self) -> Option<&str> {
        Some(&self.entra.client_id)
    }

    fn aborted(&self) -> TokenError {
        self.sign_in.aborted()
    }

    /// The app's partition: the credential adds the account it signs in (see `persist.rs`).
    fn persist_partition(&self) -> Option<String> {
        self.entra.persist_partition()
    }
}

/// Where a user acquisition is.
#[derive(Debug)]
enum Stage {
    /// The refresh-token request, and the sign-in to fall back on when it fails (none when
    /// signing in is not allowed).
    Silent(Box<GrantRun>, Option<Box<dyn SignInFlow>>),
    /// Signing in.
    SignIn(Box<dyn SignInFlow>),
    /// Over; the outcome until it is taken.
    Done(Option<Result<AccessToken, TokenError>>),
}

#[derive(Debug)]
struct UserFlow {
    name: &'static str,
    stage: Stage,
    /// The session the credential kept when the flow started.
    kept: Option<Session>,
    session_out: Option<Session>,
    /// The error when the silent request fails and no sign-in may follow.
    no_sign_in: TokenError,
}

impl UserFlow {
    /// Ends with the user's tokens: the token for the caller, and the session to keep (the
    /// answer's account and refresh token, else the kept ones: a refresh answer may name no
    /// account, and may not rotate the refresh token).
    fn signed_in(&mut self, tokens: UserTokens) -> SourceStep {
        let kept = self.kept.take();
        let account = tokens
            .account
            .or_else(|| kept.as_ref().map(|s| s.account.clone()))
            .unwrap_or_else(|| Account {
                home_account_id: String::new(),
                environment: String::new(),
                tenant_id: String::new(),
                username: String::new(),
            });
        let refresh_token = tokens
            .refresh_token
            .or_else(|| kept.and_then(|s| s.refresh_token));
        self.session_out = Some(Session {
            account,
            refresh_token,
        });
        self.stage = Stage::Done(None);
        SourceStep::Done(Ok(tokens.token))
    }

    fn failed(&mut self, e: TokenError) -> SourceStep {
        self.stage = Stage::Done(None);
        let e = if e.credential.is_none() {
            e.from_credential(self.name)
        } else {
            e
        };
        SourceStep::Done(Err(e))
    }
}

impl SourceFlow for UserFlow {
    fn poll(&mut self, now: Timestamp) -> SourceStep {
        loop {
            match &mut self.stage {
                Stage::Silent(run, fallback) => match run.step(now) {
                    GrantStep::Perform(a) => return SourceStep::Perform(a),
                    GrantStep::Wait(t) => return SourceStep::Wait(t),
                    GrantStep::Done(Ok(tokens)) => return self.signed_in(tokens),
                    GrantStep::Done(Err(f)) if f.error.kind == ErrorKind::Aborted => {
                        return self.failed(f.error);
                    }
                    // Any refusal of the refresh token (`invalid_grant`, a server or network
                    // failure: the reference's silent request turns them all into
                    // `AuthenticationRequiredError`) falls back to signing in.
                    GrantStep::Done(Err(_)) => match fallback.take() {
                        Some(flow) => self.stage = Stage::SignIn(flow),
                        None => {
                            let e = self.no_sign_in.clone();
                            return self.failed(e);
                        }
                    },
                },
                Stage::SignIn(flow) => match flow.poll(now) {
                    SignInStep::Perform(a) => return SourceStep::Perform(a),
                    SignInStep::Wait(t) => return SourceStep::Wait(t),
                    SignInStep::Done(Ok(tokens)) => return self.signed_in(tokens),
                    SignInStep::Done(Err(e)) => return self.failed(e),
                },
                Stage::Done(outcome) => {
                    return SourceStep::Done(outcome.take().unwrap_or_else(|| {
                        Err(TokenError::unavailable("the flow has already finished"))
                    }));
                }
            }
        }
    }

    fn handle(&mut self, reply: Reply, now: Timestamp) -> Result<(), Misuse> {
        match &mut self.stage {
            Stage::Silent(run, _) => run.handle(reply, now),
            Stage::SignIn(flow) => flow.handle(reply, now),
            Stage::Done(_) => Err(Misuse::NoActionOutstanding),
        }
    }

    fn take_session(&mut self) -> Option<Session> {
        self.session_out.take()
    }
}
