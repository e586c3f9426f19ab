//! One managed-identity acquisition: the Arc agent lookup, the IMDS probe, the token request
//! with Arc's challenge and key file, and retries with a bounded total time.

use std::time::Duration;

use crate::env::Platform;
use crate::error::{Misuse, TokenError};
use crate::http::{HttpRequest, HttpResponse};
use crate::io::{Action, IoFailure, IoFailureKind, Reply};
use crate::redact::Scrubber;
use crate::retry::{self, Retries, Rng};
use crate::shared::SharedTokens;
use crate::source::{
    Decided, Outstanding, SourceFlow, SourceStep, StartContext, TokenRequest, json_list,
    scope_to_resource,
};
use crate::time::Timestamp;
use crate::token::{AccessToken, parse_token_response};

use super::endpoint::Endpoint;
use super::response::{describe_error, failed};
use super::{ManagedIdentity, NAME, arc, imds, share_key};

/// Each token request attempt gives up after this (the reference has no limit).
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(10);
/// 410 Gone from IMDS means "upgrading"; the reference waits at least 3 s between these.
const GONE_MIN_BASE: Duration = Duration::from_secs(3);

/// Starts one acquisition of `source` (its `Source::start`).
pub(super) fn start(
    source: &ManagedIdentity,
    request: &TokenRequest,
    ctx: StartContext,
) -> Box<dyn SourceFlow> {
    let [scope] = request.scopes.as_slice() else {
        return Box::new(Decided(Some(Err(TokenError::unavailable(format!(
            "ManagedIdentityCredential: Multiple scopes are not supported. Scopes: {}",
            json_list(&request.scopes)
        ))))));
    };
    let token_request = match source
        .endpoint
        .token_request(scope_to_resource(scope), source.id.as_ref())
    {
        Ok(r) => r,
        Err(msg) => return Box::new(Decided(Some(Err(failed(&msg))))),
    };
    // Without Arc's variables, Arc is still selected when its agent is installed; the flow
    // looks for the agent first, and then uses this request instead.
    let (himds, arc_request) = match &source.endpoint {
        Endpoint::Imds {
            himds: Some(path), ..
        } => (
            Some(path.clone()),
            arc::default_request(scope_to_resource(scope), source.id.as_ref()),
        ),
        _ => (None, None),
    };
    let probe = (source.probe && !ctx.proven).then(|| {
        let Endpoint::Imds { base, .. } = &source.endpoint else {
            unreachable_probe()
        };
        imds::probe(base, request.timeout_ms)
    });
    let share_key = share_key(&token_request, source.endpoint.secret());
    Box::new(MiFlow {
        share: source.shared.clone().map(|s| (s, share_key)),
        state: if himds.is_some() {
            State::CheckHimds
        } else if probe.is_some() {
            State::Probe
        } else {
            State::Request
        },
        probe,
        himds,
        arc_request,
        arc: matches!(source.endpoint, Endpoint::Arc { .. }),
        imds: matches!(source.endpoint, Endpoint::Imds { .. }),
        arc_key: None,
        challenged: false,
        platform: source.platform,
        program_data: source.program_data.clone(),
        request: token_request,
        scrubber: {
            let mut s = Scrubber::new();
            if let Some(secret) = source.endpoint.secret() {
                s.add(secret);
            }
            s
        },
        user_assigned: source.id.as_ref().map(|id| id.value().to_owned()),
        retries: Retries::new(source.retry),
        rng: Rng::new(ctx.seed),
        outstanding: Outstanding::default(),
        result: None,
    })
}

/// The probe only exists for IMDS (checked in `ManagedIdentity::new`); a helper keeps that
/// invariant in one place.
fn unreachable_probe() -> ! {
    unreachable!("the probe is only enabled for the IMDS endpoint")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    CheckHimds,
    Probe,
    Request,
    ArcKey,
    Waiting(Timestamp),
    Done,
}

#[derive(Debug)]
struct MiFlow {
    /// Where this flow's token is shared, and under which key.
    share: Option<(SharedTokens, String)>,
    state: State,
    probe: Option<(HttpRequest, Duration)>,
    himds: Option<String>,
    arc_request: Option<HttpRequest>,
    /// The endpoint is Azure Arc's: a 401 carries the challenge.
    arc: bool,
    /// The endpoint is IMDS (a refused connection is final).
    imds: bool,
    arc_key: Option<String>,
    challenged: bool,
    platform: Platform,
    program_data: String,
    request: HttpRequest,
    /// Every secret this flow sends (the endpoint secret, the Arc key once read).
    scrubber: Scrubber,
    user_assigned: Option<String>,
    retries: Retries,
    rng: Rng,
    outstanding: Outstanding,
    result: Option<Result<AccessToken, TokenError>>,
}

impl MiFlow {
    fn finish(&mut self, r: Result<AccessToken, TokenError>) {
        self.state = State::Done;
        self.result = Some(r);
    }

    /// Text the endpoint or the driver sent back, with every secret this flow sent replaced
    /// (the one scrub rule, `redact::Scrubber`), shortened.
    fn scrub(&self, text: &str) -> String {
        self.scrubber.scrub(text, 300)
    }

    /// Schedules another attempt after `delay`, or returns false when retries or the time budget
    /// are spent.
    fn schedule_retry(&mut self, delay: Duration, now: Timestamp) -> bool {
        let at = self.retries.schedule(delay, now);
        if let Some(at) = at {
            self.state = State::Waiting(at);
        }
        at.is_some()
    }

    fn on_probe(&mut self, reply: Reply) {
        match imds::probe_outcome(reply) {
            Ok(true) => self.state = State::Request,
            Ok(false) => self.finish(Err(failed(
                "Attempted to use the IMDS endpoint, but it is not available.",
            ))),
            Err(e) => self.finish(Err(e)),
        }
    }

    /// The Arc agent lookup: when the agent is there, the Arc request replaces IMDS's.
    fn on_himds(&mut self, reply: Reply) {
        self.state = match (arc::agent_found(&reply), self.arc_request.take()) {
            (true, Some(arc)) => {
                self.request = arc;
                self.arc = true;
                self.imds = false;
                self.probe = None;
                State::Request
            }
            _ if self.probe.is_some() => State::Probe,
            _ => State::Request,
        };
    }

    fn on_arc_key(&mut self, reply: Reply) {
        match arc::key(reply) {
            Ok(key) => {
                self.scrubber.add(&key);
                let value = format!("Basic {}", key.expose());
                self.request.headers.push("Authorization", value);
                self.state = State::Request;
            }
            Err(e) => self.finish(Err(e)),
        }
    }

    fn on_response(&mut self, resp: HttpResponse, now: Timestamp) {
        if (200..300).contains(&resp.status) {
            let r = parse_token_response(&resp.body, now).map_err(|e| failed(&e.to_string()));
            if let (Ok(_), true, Some(id)) = (&r, self.arc, &self.user_assigned) {
                // Arc must confirm the user-assigned identity it issued the token for.
                if !arc::echoes_identity(&resp.body, id) {
                    return self.finish(Err(failed(&format!(
                        "user_assigned_managed_identity_not_confirmed: The endpoint did not confirm the user-assigned identity {id}."
                    ))));
                }
            }
            if let (Ok(t), Some((store, key))) = (&r, &self.share) {
                store.store(key, t, now);
            }
            return self.finish(r);
        }
        if resp.status == 401 && self.arc && !self.challenged {
            self.challenged = true;
            match arc::challenge_key_path(&resp, self.platform, &self.program_data) {
                Ok(path) => {
                    self.arc_key = Some(path);
                    self.state = State::ArcKey;
                }
                Err(e) => self.finish(Err(e)),
            }
            return;
        }
        let retry_delay = match resp.status {
            404 => Some(self.retries.backoff(&mut self.rng)),
            410 => Some(
                self.retries
                    .backoff_from(self.retries.base().max(GONE_MIN_BASE), &mut self.rng),
            ),
            s if retry::is_retryable_status(s) => Some(
                retry::retry_after(&resp.headers, now)
                    .unwrap_or_else(|| self.retries.backoff(&mut self.rng)),
            ),
            _ => None,
        };
        if let Some(delay) = retry_delay {
            if self.schedule_retry(delay, now) {
                return;
            }
        }
        let msg = describe_error(&resp, |t| self.scrub(t), self.user_assigned.as_deref());
        self.finish(Err(failed(&msg)));
    }

    fn on_failure(&mut self, f: IoFailure, now: Timestamp) {
        match f.kind {
            IoFailureKind::Aborted => self.finish(Err(TokenError::aborted())),
            IoFailureKind::Unreachable => self.finish(Err(TokenError::unavailable(format!(
                "{NAME}: Network unreachable. Message: {}",
                self.scrub(&f.message)
            )))),
            // IMDS is served by the Azure host itself and always accepts connections: a refused
            // connection means nothing listens at that address (a laptop, or a mistyped override),
            // so waiting through the retries (about 25 s in the reference) would only delay the
            // next credential. Endpoints named by the environment (App Service's sidecar, say)
            // may still be starting, and keep their retries.
            IoFailureKind::Refused if self.imds => self.finish(Err(failed(&format!(
                "IMDS refused the connection: {}",
                self.scrub(&f.message)
            )))),
            k if retry::is_retryable_failure(k) => {
                let delay = self.retries.backoff(&mut self.rng);
                if !self.schedule_retry(delay, now) {
                    self.finish(Err(failed(&self.scrub(&f.message))));
                }
            }
            _ => self.finish(Err(failed(&self.scrub(&f.message)))),
        }
    }
}

impl SourceFlow for MiFlow {
    fn poll(&mut self, now: Timestamp) -> SourceStep {
        if let Some(step) = self.outstanding.repeat() {
            return step;
        }
        if !self.retries.started() && self.state != State::Done {
            if let Some(t) = self.share.as_ref().and_then(|(s, k)| s.fresh(k, now)) {
                self.finish(Ok(t));
            }
        }
        match self.state {
            State::CheckHimds => self.outstanding.perform(Action::ReadFile {
                path: self.himds.clone().unwrap_or_default(),
                // Only whether it opens matters: a cap of zero reads nothing.
                max_bytes: 0,
                deadline: now.plus(crate::limits::FILE_READ_TIMEOUT),
            }),
            State::ArcKey => self.outstanding.perform(Action::ReadFile {
                path: self.arc_key.clone().unwrap_or_default(),
                max_bytes: arc::ARC_KEY_MAX_BYTES,
                deadline: now.plus(crate::limits::FILE_READ_TIMEOUT),
            }),
            State::Probe => {
                let Some((req, timeout)) = self.probe.clone() else {
                    unreachable_probe()
                };
                self.outstanding.perform(Action::Http {
                    request: req,
                    deadline: now.plus(timeout),
                    connect_deadline: Some(now.plus(imds::PROBE_CONNECT_TIMEOUT.min(timeout))),
                    max_body_bytes: crate::limits::MAX_RESPONSE_BYTES,
                })
            }
            State::Waiting(until) if now < until => SourceStep::Wait(until),
            State::Request | State::Waiting(_) => {
                self.retries.attempt(now);
                self.state = State::Request;
                self.outstanding.perform(Action::Http {
                    request: self.request.clone(),
                    deadline: now.plus(ATTEMPT_TIMEOUT),
                    connect_deadline: None,
                    max_body_bytes: crate::limits::MAX_RESPONSE_BYTES,
                })
            }
            State::Done => SourceStep::Done(
                self.result
                    .take()
                    .unwrap_or_else(|| Err(failed("the flow has already finished"))),
            ),
        }
    }

    fn handle(&mut self, reply: Reply, now: Timestamp) -> Result<(), Misuse> {
        let fits = matches!(
            (self.outstanding.peek()?, &reply),
            (_, Reply::Failed(_))
                | (Action::Http { .. }, Reply::Http(_))
                | (Action::ReadFile { .. }, Reply::File { .. })
        );
        if !fits {
            return Err(Misuse::WrongReply);
        }
        self.outstanding.clear();
        match (self.state, reply) {
            (State::CheckHimds, r) => self.on_himds(r),
            (State::ArcKey, r) => self.on_arc_key(r),
            (State::Probe, r) => self.on_probe(r),
            (State::Request, Reply::Http(resp)) => self.on_response(resp, now),
            (State::Request, Reply::Failed(f)) => self.on_failure(f, now),
            _ => return Err(Misuse::WrongReply),
        }
        Ok(())
    }
}
