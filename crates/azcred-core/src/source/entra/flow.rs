//! One Entra acquisition: obtain the proof (read the certificate and have the assertion signed,
//! call `getAssertion`, or read the federated token file), then POST the token request, with
//! retries within a bounded total time.

use std::time::Duration;

use crate::error::{ErrorKind, Misuse, TokenError};
use crate::http::{HttpRequest, HttpResponse};
use crate::io::{Action, IoFailure, IoFailureKind, Reply};
use crate::jwt;
use crate::redact::Scrubber;
use crate::retry::{self, Retries, Rng};
use crate::secret::Secret;
use crate::source::{
    Decided, Outstanding, SourceFlow, SourceStep, StartContext, TokenRequest, excerpt,
};
use crate::time::Timestamp;
use crate::token::{AccessToken, parse_token_response};

use super::request::{Grant, Pem, Planned, Proof, RequestParts};
use super::response::describe_error;
use super::{
    ATTEMPT_TIMEOUT, CERTIFICATE_MAX_BYTES, Entra, TOKEN_FILE_MAX_BYTES, WORKLOAD, assertion,
    pipelines,
};

/// Starts one acquisition of `source` (its `Source::start`).
pub(super) fn start(
    source: &Entra,
    request: &TokenRequest,
    ctx: StartContext,
) -> Box<dyn SourceFlow> {
    let planned = match source.plan(request) {
        Ok(p) => p,
        Err(e) => return Box::new(Decided(Some(Err(e)))),
    };
    let mut rng = Rng::new(ctx.seed);
    let correlation = jwt::uuid_v4(&mut rng);
    Box::new(start_grant(
        source,
        source.grant.clone(),
        planned,
        correlation,
        rng,
    ))
}

/// One token request of `source` with `grant` in place of its own (a user source's refresh
/// token, device code or authorization code), for `planned`, with the correlation id of the
/// acquisition it is part of. A user grant's final answer is kept for
/// [`EntraFlow::take_answer`].
pub(super) fn start_grant(
    source: &Entra,
    grant: Grant,
    planned: Planned,
    correlation: String,
    rng: Rng,
) -> EntraFlow {
    let stage = match &source.proof {
        Proof::None | Proof::Secret(_) => Stage::Request,
        Proof::Certificate {
            pem: Pem::Path(path),
            ..
        } => Stage::Fetch(Action::ReadFile {
            path: path.clone(),
            max_bytes: CERTIFICATE_MAX_BYTES,
            // Set when the read is asked for (see `poll`).
            deadline: Timestamp::default(),
        }),
        Proof::Certificate {
            pem: Pem::Text(text),
            ..
        } => Stage::HavePem(text.clone()),
        Proof::Callback => Stage::Fetch(Action::GetAssertion {
            client_id: source.client_id.clone(),
            token_endpoint: planned.endpoint.clone(),
        }),
        Proof::TokenFile(path) => Stage::Fetch(Action::ReadFile {
            path: path.clone(),
            max_bytes: TOKEN_FILE_MAX_BYTES,
            // Set when the read is asked for (see `poll`).
            deadline: Timestamp::default(),
        }),
        Proof::Pipelines {
            oidc_url,
            system_access_token,
        } => Stage::Fetch(Action::Http {
            request: pipelines::oidc_request(
                oidc_url,
                system_access_token,
                source.proxy.for_url(oidc_url),
            ),
            // Set when the request is sent (see `poll`).
            deadline: Timestamp::default(),
            connect_deadline: None,
            max_body_bytes: crate::limits::MAX_RESPONSE_BYTES,
        }),
    };
    let proxy = source.proxy.for_url(&planned.endpoint);
    EntraFlow {
        name: source.name,
        client_id: source.client_id.clone(),
        proof: source.proof.clone(),
        grant,
        planned,
        correlation,
        proxy,
        assertion: None,
        request: None,
        stage,
        retries: Retries::new(source.retry),
        sent_at: None,
        rng,
        outstanding: Outstanding::default(),
        result: None,
        answer: None,
    }
}

/// Where an Entra flow is.
#[derive(Debug)]
enum Stage {
    /// Perform this action to get the proof (certificate file, assertion, token file).
    Fetch(Action),
    /// The certificate's PEM text is here: build and sign the assertion.
    HavePem(Secret),
    /// The signing input is out for signing.
    Signing(String),
    /// Send the token request.
    Request,
    /// Back off until then, then send again.
    Waiting(Timestamp),
    /// Back off until then, then perform this proof-fetching request again.
    FetchAt(Timestamp, Action),
    Done,
}

#[derive(Debug)]
pub(super) struct EntraFlow {
    name: &'static str,
    client_id: String,
    proof: Proof,
    grant: Grant,
    planned: Planned,
    correlation: String,
    proxy: Option<Secret>,
    assertion: Option<Secret>,
    request: Option<HttpRequest>,
    stage: Stage,
    retries: Retries,
    sent_at: Option<Timestamp>,
    rng: Rng,
    outstanding: Outstanding,
    result: Option<Result<AccessToken, TokenError>>,
    /// For a user grant: the answer that ended the flow (a token response, or the error response
    /// no retry followed), with when its request was sent.
    answer: Option<(HttpResponse, Timestamp)>,
}

impl EntraFlow {
    /// Takes the answer that ended a user grant's flow: the whole token response (refresh
    /// token, id token, client info) or the error response (its `error` code), with when the
    /// request was sent.
    pub(super) fn take_answer(&mut self) -> Option<(HttpResponse, Timestamp)> {
        self.answer.take()
    }

    fn finish(&mut self, r: Result<AccessToken, TokenError>) {
        self.stage = Stage::Done;
        self.result = Some(r.map_err(|e| {
            if e.credential.is_none() {
                e.from_credential(self.name)
            } else {
                e
            }
        }));
    }

    fn fail(&mut self, message: impl Into<String>) {
        let e = TokenError::new(ErrorKind::AuthenticationRequired, message);
        self.finish(Err(e));
    }

    /// Text from a peer or the driver, made safe for a message by the one scrub rule
    /// (`redact::Scrubber`): every secret this flow sent (the client secret or password, the
    /// assertion, the proxy's credentials), in every encoding, replaced before shortening.
    fn scrub(&self, text: &str, max: usize) -> String {
        let mut scrubber = Scrubber::new();
        match &self.proof {
            Proof::Secret(s)
            | Proof::Pipelines {
                system_access_token: s,
                ..
            } => scrubber.add(s),
            _ => {}
        }
        if let Some(s) = self.grant.secret() {
            scrubber.add(s);
        }
        if let Some(a) = &self.assertion {
            scrubber.add(a);
        }
        if let Some(p) = &self.proxy {
            scrubber.add_url_credentials(p);
        }
        scrubber.scrub(text, max)
    }

    fn token_request(&self) -> HttpRequest {
        RequestParts {
            client_id: &self.client_id,
            grant: &self.grant,
            proof: &self.proof,
            planned: &self.planned,
            correlation: &self.correlation,
            assertion: self.assertion.as_ref(),
            proxy: self.proxy.as_ref(),
        }
        .token_request()
    }

    /// Builds the certificate assertion's signing input from the PEM text, or fails.
    fn on_pem(&mut self, pem: Secret, now: Timestamp) -> SourceStep {
        match assertion::signing_request(
            self.name,
            &self.client_id,
            &self.planned.endpoint,
            &self.proof,
            pem,
            &mut self.rng,
            now,
        ) {
            Ok((data, action)) => {
                self.stage = Stage::Signing(data);
                self.outstanding.perform(action)
            }
            Err(e) => {
                self.finish(Err(e));
                self.poll_done()
            }
        }
    }

    fn poll_done(&mut self) -> SourceStep {
        SourceStep::Done(
            self.result
                .take()
                .unwrap_or_else(|| Err(TokenError::unavailable("the flow has already finished"))),
        )
    }

    /// Takes the reply to the proof-fetching action.
    fn on_fetched(&mut self, action: &Action, reply: Reply) {
        match (action, reply) {
            (
                _,
                Reply::Failed(IoFailure {
                    kind: IoFailureKind::Aborted,
                    ..
                }),
            ) => {
                self.finish(Err(TokenError::aborted()));
            }
            (
                _,
                Reply::Failed(IoFailure {
                    kind: IoFailureKind::Unsupported,
                    message,
                }),
            ) => {
                // The runtime cannot perform it (no files in a browser or a Worker): this
                // credential cannot work there, which is for a chain to move on from.
                let e =
                    TokenError::unavailable(format!("{}: {}", self.name, excerpt(&message, 300)));
                self.finish(Err(e));
            }
            (
                Action::ReadFile {
                    path, max_bytes, ..
                },
                Reply::Failed(f),
            ) => {
                let what = match self.proof {
                    Proof::TokenFile(_) => "federated token file",
                    _ => "certificate file",
                };
                let msg = if f.kind == IoFailureKind::TooLarge {
                    format!(
                        "{}: the {what} {path} is larger than {max_bytes} bytes",
                        self.name
                    )
                } else {
                    format!(
                        "{}: could not read the {what} {path}: {}",
                        self.name,
                        excerpt(&f.message, 300)
                    )
                };
                self.fail(msg);
            }
            (Action::ReadFile { path, .. }, Reply::File { contents }) => match self.proof {
                Proof::TokenFile(_) => {
                    let value = contents.expose().trim();
                    if value.is_empty() {
                        let msg =
                            format!("{WORKLOAD}: is unavailable. No content on the file {path}.");
                        self.fail(msg);
                    } else {
                        self.assertion = Some(Secret::new(value));
                        self.stage = Stage::Request;
                    }
                }
                _ => self.stage = Stage::HavePem(contents),
            },
            (Action::GetAssertion { .. }, Reply::Assertion { value }) => {
                if value.expose().trim().is_empty() {
                    let msg = format!("{}: getAssertion returned an empty assertion", self.name);
                    self.fail(msg);
                } else {
                    self.assertion = Some(value);
                    self.stage = Stage::Request;
                }
            }
            (Action::GetAssertion { .. }, Reply::Failed(f)) => {
                let msg = format!(
                    "{}: the getAssertion callback failed: {}",
                    self.name,
                    excerpt(&f.message, 500)
                );
                self.fail(msg);
            }
            // `handle` only passes replies that fit the action; a stage that does not fit the
            // action would be a bug here, so the flow ends instead of looping.
            _ => self.fail(format!("{}: internal error: unexpected reply", self.name)),
        }
    }

    fn on_signed(&mut self, data: String, reply: Reply) {
        match assertion::signed(self.name, &data, reply) {
            Ok(a) => {
                self.assertion = Some(a);
                self.stage = Stage::Request;
            }
            Err(e) => self.finish(Err(e)),
        }
    }

    /// Schedules another attempt after `delay` (the token request, or `fetch` again), or returns
    /// false when the retries or the time budget are spent.
    fn schedule_retry(&mut self, delay: Duration, now: Timestamp, fetch: Option<Action>) -> bool {
        let at = self.retries.schedule(delay, now);
        if let Some(at) = at {
            self.stage = match fetch {
                Some(action) => Stage::FetchAt(at, action),
                None => Stage::Waiting(at),
            };
        }
        at.is_some()
    }

    /// The pipeline's retry rules for an answer: its throttling strategy (429 and 503 with a
    /// server-given delay), then its exponential strategy (408 and 5xx except 501 and 505).
    fn retry_delay(&mut self, resp: &HttpResponse, now: Timestamp) -> Option<Duration> {
        let throttled = matches!(resp.status, 429 | 503)
            .then(|| retry::retry_after(&resp.headers, now))
            .flatten();
        match throttled {
            Some(d) => Some(d),
            None if resp.status == 408
                || (resp.status >= 500 && resp.status != 501 && resp.status != 505) =>
            {
                Some(self.retries.backoff(&mut self.rng))
            }
            None => None,
        }
    }

    /// The pipeline's retry rule for a failure to get an answer: the network errors its
    /// exponential strategy retries.
    fn failure_delay(&mut self, f: &IoFailure) -> Option<Duration> {
        let retryable = matches!(
            f.kind,
            IoFailureKind::TimedOut
                | IoFailureKind::ConnectTimedOut
                | IoFailureKind::Refused
                | IoFailureKind::Reset
                | IoFailureKind::DnsFailed
        );
        retryable.then(|| self.retries.backoff(&mut self.rng))
    }

    /// Takes the answer to `AzurePipelinesCredential`'s OIDC token request (`action`).
    fn on_oidc(&mut self, action: Action, reply: Reply, now: Timestamp) {
        self.retries.attempt(now);
        match reply {
            Reply::Http(resp) => {
                if !(200..300).contains(&resp.status)
                    && self
                        .retry_delay(&resp, now)
                        .is_some_and(|d| self.schedule_retry(d, now, Some(action)))
                {
                    return;
                }
                match pipelines::oidc_token(&resp, |t, max| self.scrub(t, max)) {
                    Ok(token) => {
                        self.assertion = Some(token);
                        self.stage = Stage::Request;
                    }
                    Err(e) => self.finish(Err(e)),
                }
            }
            Reply::Failed(f) if f.kind == IoFailureKind::Aborted => {
                self.finish(Err(TokenError::aborted()))
            }
            Reply::Failed(f) => {
                if self
                    .failure_delay(&f)
                    .is_some_and(|d| self.schedule_retry(d, now, Some(action.clone())))
                {
                    return;
                }
                let url = match &action {
                    Action::Http { request, .. } => request.url.clone(),
                    _ => String::new(),
                };
                let msg = format!(
                    "{}: the OIDC token request to {url} failed: {}",
                    self.name,
                    self.scrub(&f.message, 300)
                );
                self.fail(msg);
            }
            _ => self.fail(format!("{}: internal error: unexpected reply", self.name)),
        }
    }

    fn on_response(&mut self, resp: HttpResponse, now: Timestamp) {
        if (200..300).contains(&resp.status) {
            let sent = self.sent_at.unwrap_or(now);
            if self.grant.is_user() {
                self.answer = Some((resp.clone(), sent));
            }
            let r = parse_token_response(&resp.body, sent).map_err(|e| {
                TokenError::new(
                    ErrorKind::AuthenticationRequired,
                    format!(
                        "{}: the token endpoint's response is not usable: {e}",
                        self.name
                    ),
                )
            });
            return self.finish(r);
        }
        let delay = self.retry_delay(&resp, now);
        if delay.is_some_and(|d| self.schedule_retry(d, now, None)) {
            return;
        }
        let msg = describe_error(&resp, |t, max| self.scrub(t, max), &self.correlation);
        if self.grant.is_user() {
            self.answer = Some((resp, self.sent_at.unwrap_or(now)));
        }
        self.fail(msg);
    }

    fn on_failure(&mut self, f: IoFailure, now: Timestamp) {
        if f.kind == IoFailureKind::Aborted {
            return self.finish(Err(TokenError::aborted()));
        }
        if self
            .failure_delay(&f)
            .is_some_and(|d| self.schedule_retry(d, now, None))
        {
            return;
        }
        let msg = format!(
            "network_error: the token request to {} failed: {}",
            self.planned.endpoint,
            self.scrub(&f.message, 300)
        );
        self.fail(msg);
    }
}

impl SourceFlow for EntraFlow {
    fn poll(&mut self, now: Timestamp) -> SourceStep {
        if let Some(step) = self.outstanding.repeat() {
            return step;
        }
        match std::mem::replace(&mut self.stage, Stage::Done) {
            Stage::FetchAt(until, action) if now < until => {
                self.stage = Stage::FetchAt(until, action);
                SourceStep::Wait(until)
            }
            Stage::Fetch(mut action) | Stage::FetchAt(_, mut action) => {
                match &mut action {
                    Action::ReadFile { deadline, .. } => {
                        *deadline = now.plus(crate::limits::FILE_READ_TIMEOUT);
                    }
                    Action::Http { deadline, .. } => *deadline = now.plus(ATTEMPT_TIMEOUT),
                    _ => {}
                }
                self.stage = Stage::Fetch(action.clone());
                self.outstanding.perform(action)
            }
            Stage::HavePem(pem) => self.on_pem(pem, now),
            Stage::Signing(_) => {
                // The signing action is outstanding while in this stage, so this is unreachable
                // through the public contract; end the flow rather than loop.
                self.fail("internal: the signing action was not answered");
                self.poll_done()
            }
            Stage::Waiting(until) if now < until => {
                self.stage = Stage::Waiting(until);
                SourceStep::Wait(until)
            }
            Stage::Request | Stage::Waiting(_) => {
                self.retries.attempt(now);
                self.sent_at = Some(now);
                self.stage = Stage::Request;
                let request = match &self.request {
                    Some(r) => r.clone(),
                    None => {
                        let r = self.token_request();
                        self.request = Some(r.clone());
                        r
                    }
                };
                self.outstanding.perform(Action::Http {
                    request,
                    deadline: now.plus(ATTEMPT_TIMEOUT),
                    connect_deadline: None,
                    max_body_bytes: crate::limits::MAX_RESPONSE_BYTES,
                })
            }
            Stage::Done => self.poll_done(),
        }
    }

    fn handle(&mut self, reply: Reply, now: Timestamp) -> Result<(), Misuse> {
        let action = self.outstanding.peek()?;
        let fits = matches!(
            (action, &reply),
            (_, Reply::Failed(_))
                | (Action::ReadFile { .. }, Reply::File { .. })
                | (Action::GetAssertion { .. }, Reply::Assertion { .. })
                | (Action::Sign { .. }, Reply::Signed { .. })
                | (Action::Http { .. }, Reply::Http(_))
        );
        if !fits {
            // The action stays outstanding, to be performed again.
            return Err(Misuse::WrongReply);
        }
        let action = action.clone();
        self.outstanding.clear();
        match (
            std::mem::replace(&mut self.stage, Stage::Done),
            action,
            reply,
        ) {
            (Stage::Signing(data), Action::Sign { .. }, reply) => self.on_signed(data, reply),
            (Stage::Fetch(_), action @ Action::Http { .. }, reply) => {
                self.on_oidc(action, reply, now);
            }
            (_, Action::Http { .. }, Reply::Http(resp)) => self.on_response(resp, now),
            (_, Action::Http { .. }, Reply::Failed(f)) => self.on_failure(f, now),
            (_, action, reply) => self.on_fetched(&action, reply),
        }
        Ok(())
    }
}
