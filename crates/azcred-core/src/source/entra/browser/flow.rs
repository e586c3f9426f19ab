//! One interactive sign-in: listen, open the browser, wait for the redirect (answering every
//! request the listener gets), close the listener, then redeem the code through the Entra flow.

use std::time::Duration;

use crate::claims;
use crate::error::{ErrorKind, Misuse, TokenError};
use crate::io::{Action, IoFailure, IoFailureKind, Reply};
use crate::retry::Rng;
use crate::secret::Secret;
use std::sync::Arc;

use crate::source::{Outstanding, SourceStep, excerpt};
use crate::time::Timestamp;

use super::super::account::UserTokens;
use super::super::request::Planned;
use super::super::user::{GrantRun, SignInFlow, SignInStart, SignInStep};
use super::super::{Entra, Grant};
use super::loopback::{self, Pages, Verdict};
use super::{
    Authorize, BrowserSignIn, MAX_PENDING, MAX_REQUEST_BODY, NAME, OPENER_TIMEOUT, RESPOND_TIMEOUT,
    pkce, state,
};

/// The `claims` of a user's authorize request when the caller asks for none: MSAL always sends
/// its optional `id_token` claims there.
const ID_TOKEN_ONLY: &str = r#"{"id_token":{}}"#;

/// Starts one sign-in (its `SignIn::start`) at `entra`'s authority, for the planned request.
pub(super) fn start(
    sign_in: &BrowserSignIn,
    entra: &Arc<Entra>,
    start: SignInStart,
) -> Box<dyn SignInFlow> {
    let SignInStart {
        planned,
        correlation,
        mut rng,
    } = start;
    let (verifier, challenge) = pkce(&mut rng);
    let state = state(&mut rng);
    Box::new(BrowserFlow {
        source: SourceParts::of(sign_in, entra),
        planned,
        correlation,
        rng,
        verifier,
        challenge,
        state,
        stage: Stage::Listen,
        redirect_uri: None,
        deadline: None,
        refused_state: false,
        outstanding: Outstanding::default(),
        result: None,
    })
}

/// What the flow keeps of its source.
#[derive(Debug)]
struct SourceParts {
    entra: Arc<Entra>,
    redirect: super::Redirect,
    login_hint: Option<String>,
    success_page: Option<String>,
    error_page: Option<String>,
    timeout: Duration,
    opener: (String, Vec<String>),
}

impl SourceParts {
    fn of(s: &BrowserSignIn, entra: &Arc<Entra>) -> Self {
        Self {
            entra: Arc::clone(entra),
            redirect: s.redirect.clone(),
            login_hint: s.login_hint.clone(),
            success_page: s.success_page.clone(),
            error_page: s.error_page.clone(),
            timeout: s.timeout,
            opener: s.opener.clone(),
        }
    }
}

#[derive(Debug)]
enum Stage {
    /// Open the listener.
    Listen,
    /// Launch the opener with the authorize URL.
    Open(String),
    /// Wait for the next request to the listener.
    Accept,
    /// Answer the request received; then act on what it meant.
    Respond(Action, Verdict),
    /// Close the listener, then redeem the code.
    Close(Secret),
    /// The code exchange: the `authorization_code` grant, read as a user token response.
    Exchange(Box<GrantRun>),
    Done,
}

#[derive(Debug)]
struct BrowserFlow {
    source: SourceParts,
    planned: Planned,
    correlation: String,
    rng: Rng,
    verifier: Secret,
    challenge: String,
    state: String,
    stage: Stage,
    redirect_uri: Option<String>,
    /// When the sign-in gives up, set once the listener is open.
    deadline: Option<Timestamp>,
    /// A redirect with another sign-in's state was refused (said in the deadline's message).
    refused_state: bool,
    outstanding: Outstanding,
    result: Option<Result<UserTokens, TokenError>>,
}

impl BrowserFlow {
    fn fail(&mut self, message: impl Into<String>) {
        let e = TokenError::new(ErrorKind::AuthenticationRequired, message).from_credential(NAME);
        self.finish(Err(e));
    }

    fn finish(&mut self, r: Result<UserTokens, TokenError>) {
        self.stage = Stage::Done;
        self.result = Some(r);
    }

    fn done(&mut self) -> SignInStep {
        SignInStep::Done(
            self.result
                .take()
                .unwrap_or_else(|| Err(TokenError::unavailable("the flow has already finished"))),
        )
    }

    /// The authorize URL, once the listener's port is known.
    fn authorize_url(&self, redirect_uri: &str) -> String {
        let claims = self
            .planned
            .claims
            .clone()
            .or_else(|| claims::merged(Some(ID_TOKEN_ONLY), false).ok().flatten())
            .unwrap_or_default();
        Authorize {
            token_endpoint: &self.planned.endpoint,
            client_id: &self.source.entra.client_id,
            scope: &self.planned.scope,
            redirect_uri,
            correlation: &self.correlation,
            login_hint: self.source.login_hint.as_deref(),
            state: &self.state,
            claims: &claims,
            challenge: &self.challenge,
        }
        .url()
    }

    fn timed_out(&mut self) {
        let ms = self.source.timeout.as_millis();
        let took = if ms == 1000 {
            "1 second".to_owned()
        } else if ms % 1000 == 0 {
            format!("{} seconds", ms / 1000)
        } else {
            format!("{ms} ms")
        };
        let mut message = format!(
            "{NAME}: the sign-in in the browser did not finish within {took} (signInTimeoutInMs); \
             no redirect with this sign-in's code reached {}.",
            self.redirect_uri.as_deref().unwrap_or("the listener")
        );
        if self.refused_state {
            message.push_str(&format!(
                " A redirect whose state did not belong to this sign-in was refused ({}).",
                loopback::WRONG_STATE
            ));
        }
        self.fail(message);
    }

    /// The code exchange: the `authorization_code` grant with the PKCE verifier at the
    /// credential's public client, under the authorize request's correlation id (MSAL sends one
    /// id in both). Its token request, retries and errors are every Entra credential's; its
    /// answer is read as a user token response, so the account and refresh token are kept.
    fn exchange(&mut self, code: Secret) {
        let grant = Grant::AuthorizationCode {
            code,
            redirect_uri: self.redirect_uri.clone().unwrap_or_default(),
            code_verifier: Some(self.verifier.clone()),
        };
        let start = SignInStart {
            planned: self.planned.clone(),
            correlation: self.correlation.clone(),
            rng: Rng::new(self.rng.next_u64()),
        };
        self.stage = Stage::Exchange(Box::new(GrantRun::new(&self.source.entra, grant, start)));
    }

    fn on_reply(&mut self, action: &Action, reply: Reply, now: Timestamp) {
        if let Reply::Failed(IoFailure {
            kind: IoFailureKind::Aborted,
            ..
        }) = reply
        {
            return self.finish(Err(TokenError::aborted()));
        }
        match (
            std::mem::replace(&mut self.stage, Stage::Done),
            action,
            reply,
        ) {
            (_, Action::Listen { .. }, Reply::Listening { port: got }) => {
                let uri = self.source.redirect.uri(got);
                self.deadline = Some(now.plus(self.source.timeout));
                self.stage = Stage::Open(self.authorize_url(&uri));
                self.redirect_uri = Some(uri);
            }
            (_, Action::Listen { host, port, .. }, Reply::Failed(f)) => {
                let at = if host.contains(':') {
                    format!("[{host}]:{port}")
                } else {
                    format!("{host}:{port}")
                };
                self.fail(format!(
                    "{NAME}: could not listen on {at} for the sign-in's redirect: {}",
                    excerpt(&f.message, 300)
                ));
            }
            (_, Action::Launch { program, .. }, Reply::Ran(out)) => match out.exit_code {
                Some(code) if code != 0 => {
                    self.fail(format!(
                        "{NAME}: could not open a browser: {program} exited with code {code}. \
                         Set a default browser, or use DeviceCodeCredential on a machine \
                         without one."
                    ));
                }
                _ => self.stage = Stage::Accept,
            },
            (_, Action::Launch { .. }, Reply::Failed(f)) if f.kind == IoFailureKind::TimedOut => {
                // Still running at its deadline: it started the browser in the foreground.
                self.stage = Stage::Accept;
            }
            (_, Action::Launch { program, .. }, Reply::Failed(f)) => {
                let why = if f.kind == IoFailureKind::NotFound {
                    format!("{program} was not found")
                } else {
                    format!("{program} failed: {}", excerpt(&f.message, 300))
                };
                self.fail(format!(
                    "{NAME}: could not open a browser: {why}. Set a default browser, or use \
                     DeviceCodeCredential on a machine without one."
                ));
            }
            (_, Action::Accept { .. }, Reply::Received(req)) => {
                let pages = Pages {
                    success: self.source.success_page.as_deref(),
                    error: self.source.error_page.as_deref(),
                };
                let a = loopback::answer(&req, &self.source.redirect.path, &self.state, pages);
                let respond = Action::Respond {
                    status: a.status,
                    headers: a.headers,
                    body: a.body,
                    deadline: now.plus(RESPOND_TIMEOUT),
                };
                self.stage = Stage::Respond(respond, a.verdict);
            }
            (_, Action::Accept { .. }, Reply::Failed(f)) if f.kind == IoFailureKind::TimedOut => {
                self.timed_out();
            }
            (_, Action::Accept { .. }, Reply::Failed(f)) => {
                self.fail(format!(
                    "{NAME}: the listener for the sign-in's redirect failed: {}",
                    excerpt(&f.message, 300)
                ));
            }
            // Written or not (the browser may have gone), the request's meaning stands.
            (Stage::Respond(_, verdict), Action::Respond { .. }, _) => match verdict {
                Verdict::Ignore => self.stage = Stage::Accept,
                Verdict::WrongState => {
                    self.refused_state = true;
                    self.stage = Stage::Accept;
                }
                Verdict::Code(code) => self.stage = Stage::Close(code),
                Verdict::Error(message) => self.fail(message),
                Verdict::Fail(message) => self.fail(message),
            },
            // Closed or not, the driver closes it when the flow ends.
            (Stage::Close(code), Action::CloseListener, _) => self.exchange(code),
            _ => self.fail(format!("{NAME}: internal error: unexpected reply")),
        }
    }
}

/// A step of the loopback part, as a sign-in step (it performs actions only).
fn signing_in(step: SourceStep) -> SignInStep {
    match step {
        SourceStep::Perform(a) => SignInStep::Perform(a),
        SourceStep::Wait(t) => SignInStep::Wait(t),
        SourceStep::Done(r) => SignInStep::Done(r.map(|token| UserTokens {
            token,
            account: None,
            refresh_token: None,
        })),
        SourceStep::Null => SignInStep::Done(Err(TokenError::unavailable(
            "the flow has already finished",
        ))),
    }
}

impl SignInFlow for BrowserFlow {
    fn poll(&mut self, now: Timestamp) -> SignInStep {
        if let Stage::Exchange(inner) = &mut self.stage {
            return inner.poll(now);
        }
        if let Some(step) = self.outstanding.repeat() {
            return signing_in(step);
        }
        let action = match &self.stage {
            Stage::Listen => Action::Listen {
                host: self.source.redirect.bind.to_owned(),
                port: self.source.redirect.port,
                max_pending: MAX_PENDING,
                max_body_bytes: MAX_REQUEST_BODY,
            },
            Stage::Open(url) => {
                let (program, before) = &self.source.opener;
                let mut args = before.clone();
                args.push(url.clone());
                let deadline = now.plus(OPENER_TIMEOUT);
                Action::Launch {
                    program: program.clone(),
                    args,
                    deadline: self.deadline.map_or(deadline, |d| d.min(deadline)),
                }
            }
            Stage::Accept => match self.deadline {
                Some(d) if now >= d => {
                    self.timed_out();
                    return self.done();
                }
                Some(d) => Action::Accept { deadline: d },
                None => Action::Accept {
                    deadline: now.plus(self.source.timeout),
                },
            },
            Stage::Respond(action, _) => action.clone(),
            Stage::Close(_) => Action::CloseListener,
            Stage::Exchange(_) | Stage::Done => return self.done(),
        };
        signing_in(self.outstanding.perform(action))
    }

    fn handle(&mut self, reply: Reply, now: Timestamp) -> Result<(), Misuse> {
        if let Stage::Exchange(inner) = &mut self.stage {
            return SignInFlow::handle(inner.as_mut(), reply, now);
        }
        let action = self.outstanding.peek()?;
        let fits = matches!(
            (action, &reply),
            (_, Reply::Failed(_))
                | (Action::Listen { .. }, Reply::Listening { .. })
                | (Action::Launch { .. }, Reply::Ran(_))
                | (Action::Accept { .. }, Reply::Received(_))
                | (Action::Respond { .. }, Reply::Responded)
                | (Action::CloseListener, Reply::Closed)
        );
        if !fits {
            // The action stays outstanding, to be performed again.
            return Err(Misuse::WrongReply);
        }
        let action = action.clone();
        self.outstanding.clear();
        self.on_reply(&action, reply, now);
        Ok(())
    }
}
