//! The chain walk: `ChainedTokenCredential` semantics, shared by every credential (a standalone
//! credential is a chain of one that passes its error through).

use crate::cache::CacheKey;
use std::collections::HashMap;
use std::sync::Arc;

use crate::error::{ErrorKind, Misuse, TokenError};
use crate::io::{Action, Reply, Step};
use crate::jwt;
use crate::log::{self, Log, LogLevel, LogRecord};
use crate::retry::Rng;
use crate::secret::Secret;
use crate::source::entra::account::Session;
use crate::source::{Source, SourceFlow, SourceStep, StartContext, TokenRequest};
use crate::time::Timestamp;
use crate::token::AccessToken;

/// The first line of the aggregate error's message (the reference's).
pub(crate) const AGGREGATE_MESSAGE: &str = "ChainedTokenCredential authentication failed.";

/// One credential of a chain.
#[derive(Debug, Clone)]
pub(crate) struct Member {
    /// The reference's class name.
    pub(crate) name: String,
    pub(crate) slot: Slot,
}

/// The cache key of `request` for a credential over `members`: the request's key, with CAE
/// left out when no member that may answer sends anything different for it.
///
/// Which members may answer: the sticky one when the chain has settled on one (later calls go
/// straight to it), else every ready member. So before the first answer, a DefaultAzureCredential
/// with a service principal configured keys by CAE (Entra might answer, and its CAE token
/// differs); on a developer machine (only managed identity and the tools ready) it does not.
/// Once sticky, the key is the sticky member's. [`member_key`] re-keys the answer by the member
/// that gave it, so a token `az` gave during a walk is found by the next (sticky) call.
pub(crate) fn cache_key(
    members: &[Member],
    sticky: Option<usize>,
    request: &TokenRequest,
) -> CacheKey {
    if crate::limits::check_request(request).is_err() {
        // Never copied or sorted: every refused request shares one key (and its flow, which
        // fails at once in `ChainFlow::new`).
        return CacheKey::refused();
    }
    let key = CacheKey::of(request);
    let uses_cae = |m: &Member| matches!(&m.slot, Slot::Ready(s) if s.request_uses_cae());
    let cae_matters = match sticky.and_then(|i| members.get(i)) {
        Some(m) => uses_cae(m),
        None => members.iter().any(uses_cae),
    };
    if cae_matters { key } else { key.ignoring_cae() }
}

/// The key under which the token `members[member]` gave for a request keyed `key` is cached.
pub(crate) fn member_key(members: &[Member], member: usize, key: CacheKey) -> CacheKey {
    match members.get(member).map(|m| &m.slot) {
        Some(Slot::Ready(s)) if !s.request_uses_cae() => key.ignoring_cae(),
        _ => key,
    }
}

/// Whether a member can be tried.
#[derive(Debug, Clone)]
pub(crate) enum Slot {
    /// Configured: try it.
    Ready(Arc<dyn Source>),
    /// Left out, and why (its constructor failed, or it is not configured). It is named in the
    /// aggregate error, where the reference silently drops it.
    Skipped(String),
}

/// How a chain reports failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// Move on after `CredentialUnavailable`/`AuthenticationRequired`; fail with an aggregate.
    Walk,
    /// Try the members in order but report the last member's error as it is (a standalone
    /// credential, or a chain stuck to the member that worked before).
    PassThrough,
}

/// What every walk of one credential shares: how its requests are labelled and what is logged.
#[derive(Debug, Clone, Default)]
pub(crate) struct ChainContext {
    /// The chain's name in log lines (`ChainedTokenCredential`, also for
    /// `DefaultAzureCredential`, as the reference's logger), or `None` for a standalone credential.
    pub(crate) label: Option<&'static str>,
    /// The `User-Agent` of every request.
    pub(crate) user_agent: String,
    /// `loggingOptions.allowLoggingAccountIdentifiers`.
    pub(crate) log_account_identifiers: bool,
}

/// The action handed to the driver and not yet answered, with when it was handed out.
#[derive(Debug)]
struct Sent {
    action: Action,
    at: Timestamp,
}

/// One walk of the chain for one request.
#[derive(Debug)]
pub(crate) struct ChainFlow {
    ctx: Arc<ChainContext>,
    log: Log,
    sent: Option<Sent>,
    waiting_until: Option<Timestamp>,
    members: Arc<[Member]>,
    order: Vec<usize>,
    pos: usize,
    mode: Mode,
    proven: Option<usize>,
    request: TokenRequest,
    current: Option<Box<dyn SourceFlow>>,
    errors: Vec<TokenError>,
    saw_null: bool,
    rng: Rng,
    result: Option<Result<(AccessToken, usize), TokenError>>,
    /// The user sessions the credential keeps, by member index (see `with_sessions`).
    sessions: HashMap<usize, Session>,
    /// The session a member left to keep, with its index.
    session_out: Option<(usize, Session)>,
    /// The walk is an early refresh in the background (see `StartContext::background`).
    background: bool,
}

impl ChainFlow {
    /// Starts a walk over `order` (indices into `members`).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new(
        ctx: Arc<ChainContext>,
        log_level: Option<LogLevel>,
        members: Arc<[Member]>,
        order: Vec<usize>,
        mode: Mode,
        proven: Option<usize>,
        request: TokenRequest,
        seed: u64,
    ) -> Self {
        // A request over the size caps fails before any member runs (and is not kept).
        let (request, result) = match crate::limits::check_request(&request) {
            Ok(()) => (request, None),
            Err(e) => (TokenRequest::default(), Some(Err(e))),
        };
        Self {
            ctx,
            log: Log::new(log_level),
            sent: None,
            waiting_until: None,
            members,
            order,
            pos: 0,
            mode,
            proven,
            request,
            current: None,
            errors: Vec::new(),
            saw_null: false,
            rng: Rng::new(seed),
            result,
            sessions: HashMap::new(),
            session_out: None,
            background: false,
        }
    }

    /// Marks the walk as an early refresh whose caller already has a valid token.
    pub(crate) fn in_background(mut self, background: bool) -> Self {
        self.background = background;
        self
    }

    /// Gives the walk the user sessions the credential keeps, by member index: each member
    /// starts with its own.
    pub(crate) fn with_sessions(mut self, sessions: HashMap<usize, Session>) -> Self {
        self.sessions = sessions;
        self
    }

    /// Takes the session a member left to keep (after it signed in or refreshed), with the
    /// member's index.
    pub(crate) fn take_session(&mut self) -> Option<(usize, Session)> {
        self.session_out.take()
    }

    /// The session a member left to keep, without taking it.
    pub(crate) fn session_out(&self) -> Option<&Session> {
        self.session_out.as_ref().map(|(_, s)| s)
    }

    /// Gives `member`'s session the refresh token a persisted cache had for its account, when
    /// the session has none of its own (an account from an `authenticationRecord`). Before the
    /// member starts only.
    pub(crate) fn adopt_refresh_token(&mut self, member: usize, refresh_token: Secret) {
        if let Some(s) = self.sessions.get_mut(&member) {
            if s.refresh_token.is_none() {
                s.refresh_token = Some(refresh_token);
            }
        }
    }

    /// Returns the next step.
    pub(crate) fn poll(&mut self, now: Timestamp) -> Step {
        if let Some(sent) = &self.sent {
            // Unanswered: the same action again (its request id included).
            return Step::Perform {
                action: sent.action.clone(),
            };
        }
        loop {
            if self.result.is_some() {
                return Step::Finished;
            }
            let Some(&idx) = self.order.get(self.pos) else {
                self.conclude();
                continue;
            };
            let member = &self.members[idx];
            if self.current.is_none() {
                match &member.slot {
                    Slot::Skipped(reason) => {
                        let who = self.ctx.label.unwrap_or("ChainedTokenCredential");
                        self.log.emit(LogLevel::Info, || {
                            format!(
                                "{who} => getToken() => Skipping {}, reason: {reason}",
                                member.name
                            )
                        });
                        self.errors.push(
                            TokenError::unavailable(format!(
                                "{} is not used: {reason}",
                                member.name
                            ))
                            .from_credential(&member.name),
                        );
                        self.pos += 1;
                        continue;
                    }
                    Slot::Ready(source) => {
                        let ctx = StartContext {
                            proven: self.proven == Some(idx),
                            seed: self.rng.next_u64(),
                            background: self.background,
                        };
                        let session = self.sessions.get(&idx);
                        self.current = Some(source.start_with_session(&self.request, ctx, session));
                    }
                }
            }
            let Some(flow) = self.current.as_mut() else {
                continue;
            };
            let step = flow.poll(now);
            if let Some(session) = flow.take_session() {
                self.session_out = Some((idx, session));
            }
            let name = member.name.as_str();
            let own = matches!(&member.slot, Slot::Ready(s) if s.logs_outcome());
            flow.drain_log(&mut self.log);
            match step {
                SourceStep::Perform(action) => {
                    let action = self.stamp(action);
                    self.sent = Some(Sent {
                        action: action.clone(),
                        at: now,
                    });
                    return Step::Perform { action };
                }
                SourceStep::Wait(until) => {
                    if self.waiting_until != Some(until) {
                        self.waiting_until = Some(until);
                        let ms = log::elapsed_ms(now, until);
                        self.log.emit(LogLevel::Warning, || {
                            format!("{name} => getToken() => Retrying in {ms} ms.")
                        });
                    }
                    return Step::Wait { until };
                }
                SourceStep::Done(Ok(token)) => {
                    let scopes = &self.request.scopes;
                    if own {
                        self.log.emit(LogLevel::Info, || {
                            format!("{name} => getToken() => {}", log::success(scopes))
                        });
                    }
                    if self.ctx.log_account_identifiers {
                        if let Some(line) = jwt::account_identifiers(token.token.expose()) {
                            self.log.emit(LogLevel::Info, || line);
                        }
                    }
                    if let Some(label) = self.ctx.label {
                        self.log.emit(LogLevel::Info, || {
                            format!(
                                "{label} => getToken() => Result for {name}: {}",
                                log::success(scopes)
                            )
                        });
                    }
                    self.result = Some(Ok((token, idx)));
                }
                SourceStep::Done(Err(e)) => {
                    let e = if e.credential.is_none() {
                        e.from_credential(name)
                    } else {
                        e
                    };
                    let scopes = &self.request.scopes;
                    if own {
                        self.log.emit(LogLevel::Info, || {
                            format!("{name} => getToken() => {}", log::error(scopes, &e.message))
                        });
                    }
                    let last = self.pos + 1 == self.order.len();
                    let moves_on = match self.mode {
                        Mode::Walk => e.kind.chain_continues(),
                        Mode::PassThrough => !last && e.kind.chain_continues(),
                    };
                    if moves_on {
                        if !last {
                            let label = self.ctx.label.unwrap_or("ChainedTokenCredential");
                            self.log.emit(LogLevel::Warning, || {
                                format!(
                                    "{label} => getToken() => {name} is unavailable; trying the \
                                     next credential. Reason: {}",
                                    e.message
                                )
                            });
                        }
                        self.errors.push(e);
                    } else {
                        self.result = Some(Err(e));
                    }
                    self.current = None;
                    self.pos += 1;
                }
                SourceStep::Null => {
                    self.saw_null = true;
                    self.current = None;
                    self.pos += 1;
                }
            }
        }
    }

    /// Takes the reply to the outstanding action of the current member.
    pub(crate) fn handle(&mut self, reply: Reply, now: Timestamp) -> Result<(), Misuse> {
        if self.result.is_some() {
            return Err(Misuse::Finished);
        }
        let Some(flow) = self.current.as_mut() else {
            return Err(Misuse::NoActionOutstanding);
        };
        if let Some(sent) = &self.sent {
            if self.log.enabled(LogLevel::Verbose) {
                let name = self
                    .order
                    .get(self.pos)
                    .map_or("", |&i| self.members[i].name.as_str());
                if let Some(line) = describe_exchange(&sent.action, &reply, sent.at, now) {
                    self.log
                        .emit(LogLevel::Verbose, || format!("{name} => {line}"));
                }
            }
        }
        flow.handle(reply, now)?;
        self.sent = None;
        flow.drain_log(&mut self.log);
        Ok(())
    }

    /// Puts on an HTTP request what every request carries: azcred's `User-Agent` and, unless
    /// the source set one, a fresh `x-ms-client-request-id` (as the reference's pipeline does).
    fn stamp(&mut self, mut action: Action) -> Action {
        if let Action::Http { request, .. } = &mut action {
            if request.headers.get("user-agent").is_none() {
                request
                    .headers
                    .push("User-Agent", self.ctx.user_agent.clone());
            }
            if request.headers.get("x-ms-client-request-id").is_none() {
                request
                    .headers
                    .push("x-ms-client-request-id", jwt::uuid_v4(&mut self.rng));
            }
        }
        action
    }

    /// Takes the log records kept so far.
    pub(crate) fn take_log(&mut self) -> Vec<LogRecord> {
        self.log.take()
    }

    /// Takes the outcome: the token and the index of the member that produced it, or the error.
    /// A walk that did not finish ends as aborted.
    pub(crate) fn into_result(self) -> Result<(AccessToken, usize), TokenError> {
        let aborted = self.abort_error();
        self.result.unwrap_or(Err(aborted))
    }

    /// The error the walk ends with if its caller gives up now: as the member it is at (or last
    /// was at) words it.
    pub(crate) fn abort_error(&self) -> TokenError {
        let at = self.order.get(self.pos).or_else(|| self.order.last());
        match at.map(|&i| &self.members[i].slot) {
            Some(Slot::Ready(source)) => source.aborted(),
            _ => TokenError::aborted(),
        }
    }

    /// The token the walk produced, once it has.
    pub(crate) fn token(&self) -> Option<&AccessToken> {
        match &self.result {
            Some(Ok((t, _))) => Some(t),
            _ => None,
        }
    }

    /// Whether the walk has an outcome.
    pub(crate) fn is_finished(&self) -> bool {
        self.result.is_some()
    }

    fn conclude(&mut self) {
        let errors = std::mem::take(&mut self.errors);
        let e = match self.mode {
            _ if errors.is_empty() => TokenError::unavailable("Failed to retrieve a valid token"),
            Mode::PassThrough if errors.len() == 1 => errors
                .into_iter()
                .next()
                .unwrap_or_else(|| TokenError::unavailable("Failed to retrieve a valid token")),
            _ => aggregate(errors),
        };
        if let Some(label) = self.ctx.label {
            let scopes = &self.request.scopes;
            self.log.emit(LogLevel::Info, || {
                format!(
                    "{label} => getToken() => {}",
                    log::error(scopes, &e.message)
                )
            });
        }
        self.result = Some(Err(e));
    }
}

/// The verbose line for one answered action: the request and its status, or the program and
/// its exit code, with how long it took. Nothing from a body, an argument list or a file.
fn describe_exchange(
    action: &Action,
    reply: &Reply,
    at: Timestamp,
    now: Timestamp,
) -> Option<String> {
    let ms = log::elapsed_ms(at, now);
    match (action, reply) {
        (Action::Http { request, .. }, Reply::Http(resp)) => Some(format!(
            "{} {} => status {} in {ms} ms",
            request.method.as_str(),
            log::sanitize_url(&request.url),
            resp.status
        )),
        (Action::Http { request, .. }, Reply::Failed(f)) => Some(format!(
            "{} {} => failed ({:?}) in {ms} ms",
            request.method.as_str(),
            log::sanitize_url(&request.url),
            f.kind
        )),
        (Action::Run { program, .. }, Reply::Ran(out)) => Some(match out.exit_code {
            Some(code) => format!("ran {program} => exit code {code} in {ms} ms"),
            None => format!("ran {program} => killed by a signal after {ms} ms"),
        }),
        (Action::Run { program, .. }, Reply::Failed(f)) => Some(format!(
            "ran {program} => failed ({:?}) after {ms} ms",
            f.kind
        )),
        _ => None,
    }
}

/// Builds the aggregate error: the reference's first line, then `Name: message` per member.
pub(crate) fn aggregate(errors: Vec<TokenError>) -> TokenError {
    let mut message = AGGREGATE_MESSAGE.to_owned();
    for e in &errors {
        message.push('\n');
        message.push_str(&e.name);
        message.push_str(": ");
        message.push_str(&e.message);
    }
    let mut e = TokenError::new(ErrorKind::Aggregate, message);
    e.errors = errors;
    e
}
