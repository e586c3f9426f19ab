//! [`Credential`]: configuration, the token cache, concurrent-call sharing and sticky chain
//! selection; [`Flow`]: one acquisition, polled by the driver.

use std::collections::HashMap;
use std::sync::Arc;

use crate::cache::{CacheKey, Lookup, TokenCache};
use crate::chain::{ChainContext, ChainFlow, Member, Mode, Slot};
use crate::env::EnvSnapshot;
use crate::error::{ConfigError, Misuse, TokenError};
use crate::http::user_agent;
use crate::io::{Reply, Step};
use crate::log::{Log, LogLevel, LogRecord};
use crate::options::Options;
use crate::persist::{PersistFlow, Persistence};
use crate::plan;
use crate::retry::Rng;
use crate::shared::SharedTokens;
use crate::source::TokenRequest;
use crate::source::entra::account::{AuthenticationRecord, Session};
use crate::time::Timestamp;
use crate::token::AccessToken;

/// Identifies a flow within its credential, so concurrent callers can join it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(transparent))]
pub struct FlowId(pub u64);

/// What `begin` decided.
#[derive(Debug)]
#[non_exhaustive]
pub enum Begin {
    /// A cached token: no IO needed.
    Cached(AccessToken),
    /// An acquisition for the same request is already running: wait for that flow's outcome.
    Join(FlowId),
    /// Run this flow. When `serving` is set the caller gets that (still valid) token at once and
    /// the flow is an early refresh running in the background.
    Start {
        /// The acquisition to drive.
        flow: Box<Flow>,
        /// The token to hand out now, for a background refresh.
        serving: Option<AccessToken>,
    },
}

/// One token acquisition in progress. Owns its state, so bindings can hold it.
///
/// The contract: after each [`Flow::handle`], call [`Flow::poll`] until it returns
/// [`Step::Wait`] or [`Step::Finished`]; then pass the flow to [`Credential::finish`].
#[derive(Debug)]
pub struct Flow {
    id: FlowId,
    /// The credential that started it (see [`Credential`]'s `owner`).
    owner: Arc<()>,
    key: CacheKey,
    background: bool,
    chain: ChainFlow,
    /// The load before the chain and the store after it, for a credential that persists.
    persist: Option<PersistFlow>,
}

impl Flow {
    /// This flow's id (what `Begin::Join` refers to).
    pub fn id(&self) -> FlowId {
        self.id
    }

    /// Whether this flow is an early refresh whose caller already has a token.
    pub fn is_background(&self) -> bool {
        self.background
    }

    /// Returns the next step. Calling it again without a `handle` returns the same step.
    pub fn poll(&mut self, now: Timestamp) -> Step {
        let Some(persist) = self.persist.as_mut() else {
            return self.chain.poll(now);
        };
        if let Some(action) = persist.before(now) {
            return Step::Perform { action };
        }
        if persist.served().is_some() {
            return Step::Finished;
        }
        match self.chain.poll(now) {
            Step::Finished => {
                match persist.after(self.chain.token(), self.chain.session_out(), now) {
                    Some(action) => Step::Perform { action },
                    None => Step::Finished,
                }
            }
            step => step,
        }
    }

    /// Feeds the result of the last `Perform`. A reply with no action outstanding is misuse.
    pub fn handle(&mut self, reply: Reply, now: Timestamp) -> Result<(), Misuse> {
        match self.persist.as_mut() {
            Some(p) if p.is_waiting() => {
                p.handle(reply, now);
                if let Some(refresh_token) = p.take_loaded_refresh() {
                    self.chain.adopt_refresh_token(0, refresh_token);
                }
                Ok(())
            }
            _ => self.chain.handle(reply, now),
        }
    }

    /// The error this flow's caller gets when it gives up now (its `abortSignal` fired): as the
    /// credential the flow is at words it (the device-code sign-in has its own message). The
    /// driver rejects the caller with it at once; `finish` ends the flow with the same error.
    pub fn abort_error(&self) -> TokenError {
        self.chain.abort_error()
    }

    /// Takes the log records this flow made so far (for the levels its credential logs).
    pub fn take_log(&mut self) -> Vec<LogRecord> {
        let mut records = self.chain.take_log();
        if let Some(p) = self.persist.as_mut() {
            records.extend(p.take_log());
        }
        records
    }
}

/// Leases a driver holds per credential, at most: distinct requests are few, and this bounds
/// the driver's memory whatever its callers ask.
pub const MAX_LEASES: usize = 64;

/// Until when the driver may answer a request with the token it was just given, without asking
/// (see [`Credential::lease`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lease {
    /// The lease ends here.
    pub until: Timestamp,
    /// Drop every other lease held for this credential before keeping this one.
    pub drop_others: bool,
}

/// What `explain` reports for one member of a credential.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "camelCase"))]
pub struct MemberReport {
    /// The reference's class name.
    pub name: String,
    /// Whether it will be tried.
    pub available: bool,
    /// What it will do, or why it is left out.
    pub detail: String,
    /// Whether later calls go straight to it (it supplied the last token).
    pub selected: bool,
}

/// A configured credential: a chain of one or more sources, with its token cache.
#[derive(Debug)]
pub struct Credential {
    name: String,
    members: Arc<[Member]>,
    mode: Mode,
    sticky_enabled: bool,
    sticky: Option<usize>,
    cache: TokenCache,
    inflight: HashMap<CacheKey, FlowId>,
    /// Tells credentials apart, so a flow is only finished by the credential that started it:
    /// an allocation of this credential's own, compared by address (no process-wide counter).
    owner: Arc<()>,
    next_flow: u64,
    rng: Rng,
    context: Arc<ChainContext>,
    log: Log,
    /// Where its tokens persist (`tokenCachePersistenceOptions`), if they do.
    persistence: Option<Persistence>,
    /// The signed-in user of each user member (device code, username/password, authorization
    /// code), by member index: its account and refresh token. Set when a flow of that member
    /// finishes; read by every flow it starts.
    sessions: HashMap<usize, Session>,
    /// Leases handed out since the driver last dropped its leases (see [`Credential::lease`]).
    leases_out: usize,
}

impl Credential {
    /// Builds the credential named `kind` (the reference's class name, e.g.
    /// `DefaultAzureCredential`) from its options and an environment snapshot. `seed` feeds
    /// retry jitter.
    pub fn new(
        kind: &str,
        options: &Options,
        env: &EnvSnapshot,
        seed: u64,
    ) -> Result<Self, ConfigError> {
        Self::sharing(kind, options, env, seed, None)
    }

    /// As [`Credential::new`], with managed-identity tokens shared through `shared` with every
    /// other credential built with a clone of the same store (the reference shares them across
    /// its process; a driver makes one store per process and passes it to each credential).
    pub fn sharing(
        kind: &str,
        options: &Options,
        env: &EnvSnapshot,
        seed: u64,
        shared: Option<&SharedTokens>,
    ) -> Result<Self, ConfigError> {
        let plan = plan::build(kind, options, env, shared)?;
        let rng = Rng::new(seed);
        let chain = plan.mode == Mode::Walk;
        let context = Arc::new(ChainContext {
            label: chain.then_some("ChainedTokenCredential"),
            user_agent: user_agent(
                options
                    .user_agent_options
                    .as_ref()
                    .and_then(|u| u.user_agent_prefix.as_deref()),
                env.host(),
            ),
            log_account_identifiers: options
                .logging_options
                .as_ref()
                .is_some_and(|l| l.allow_logging_account_identifiers),
        });
        let log = construction_log(kind, options, env, &plan);
        let (partition, user) = match plan.members.as_slice() {
            [
                Member {
                    slot: Slot::Ready(s),
                    ..
                },
            ] => (s.persist_partition(), s.user_client_id().is_some()),
            _ => (None, false),
        };
        let persistence = crate::persist::configure(kind, options, partition, user)?;
        let sessions = initial_sessions(&plan.members);
        Ok(Self {
            leases_out: 0,
            sessions,
            context,
            log,
            persistence,
            name: kind.to_owned(),
            members: plan.members.into(),
            mode: plan.mode,
            sticky_enabled: plan.sticky,
            sticky: None,
            cache: TokenCache::new(plan.cache),
            inflight: HashMap::new(),
            owner: Arc::new(()),
            next_flow: 1,
            rng,
        })
    }

    /// A `ChainedTokenCredential` over core credentials: their members in order, tried as the
    /// reference's chain tries its sources (the first token wins; a member that is unavailable,
    /// or needs interaction, is skipped; any other error stops the chain and is the chain's
    /// error). A credential that is itself a chain (`DefaultAzureCredential`) gives its members,
    /// in its order. The chain has a cache of its own; each credential's requests, deadlines and
    /// user agent are as they were built.
    pub fn chain(credentials: Vec<Self>, seed: u64) -> Result<Self, ConfigError> {
        let Some(first) = credentials.first() else {
            return Err(ConfigError::invalid(
                "ChainedTokenCredential needs at least one credential",
            ));
        };
        let context = Arc::new(ChainContext {
            label: Some("ChainedTokenCredential"),
            ..(*first.context).clone()
        });
        let level = first.log.level();
        let members: Vec<Member> = credentials
            .iter()
            .flat_map(|c| c.members.iter().cloned())
            .collect();
        // Each credential's signed-in users come along, at their members' new places.
        let mut sessions = HashMap::new();
        let mut offset = 0;
        for c in &credentials {
            for (i, s) in &c.sessions {
                sessions.insert(offset + i, s.clone());
            }
            offset += c.members.len();
        }
        Ok(Self {
            leases_out: 0,
            sessions,
            context,
            log: Log::new(level),
            name: "ChainedTokenCredential".to_owned(),
            members: members.into(),
            mode: Mode::Walk,
            sticky_enabled: false,
            sticky: None,
            cache: TokenCache::new(crate::cache::CachePolicy::Credential),
            inflight: HashMap::new(),
            owner: Arc::new(()),
            next_flow: 1,
            rng: Rng::new(seed),
            persistence: None,
        })
    }

    /// Changes which log records this credential and the flows it starts from now on make
    /// (`None`: none).
    pub fn set_log_level(&mut self, level: Option<LogLevel>) {
        self.log.set_level(level);
    }

    /// Takes the log records made so far by this credential itself and by the flows it has
    /// finished.
    pub fn take_log(&mut self) -> Vec<LogRecord> {
        self.log.take()
    }

    /// The `AuthenticationRecord` of the account this credential has signed in (or was given in
    /// `authenticationRecord`), if any: the first user member's.
    pub fn authentication_record(&self) -> Option<AuthenticationRecord> {
        let mut indexed: Vec<_> = self.sessions.iter().collect();
        indexed.sort_by_key(|(i, _)| **i);
        indexed.into_iter().find_map(|(i, s)| {
            let Slot::Ready(source) = &self.members.get(*i)?.slot else {
                return None;
            };
            Some(s.account.record(source.user_client_id()?))
        })
    }

    /// The reference's class name of this credential.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Each member, in order: whether it will be tried, and what it does or why it is left out.
    pub fn explain(&self) -> Vec<MemberReport> {
        self.members
            .iter()
            .enumerate()
            .map(|(i, m)| {
                let (available, detail) = match &m.slot {
                    Slot::Ready(s) => (true, s.describe()),
                    Slot::Skipped(reason) => (false, reason.clone()),
                };
                MemberReport {
                    name: m.name.clone(),
                    available,
                    detail,
                    selected: self.sticky == Some(i),
                }
            })
            .collect()
    }

    /// Starts serving a request: from the cache, by joining a running acquisition, or with a
    /// new flow.
    pub fn begin(&mut self, request: TokenRequest, now: Timestamp) -> Begin {
        let key = crate::chain::cache_key(&self.members, self.sticky, &request);
        let serving = match self.cache.lookup(&key, now) {
            Lookup::Fresh(t) => return Begin::Cached(t),
            Lookup::RefreshDue(t) if self.inflight.contains_key(&key) => return Begin::Cached(t),
            // `authenticate()` answers with the account; a still-valid token needs no refresh
            // for that (as the reference's silent request returns it).
            Lookup::RefreshDue(t) if request.authenticate => return Begin::Cached(t),
            Lookup::RefreshDue(t) => Some(t),
            Lookup::Missing => {
                // `authenticate()` never joins a `getToken`: that one may be refusing to sign in.
                if let Some(id) = self.inflight.get(&key).filter(|_| !request.authenticate) {
                    return Begin::Join(*id);
                }
                None
            }
        };
        let id = FlowId(self.next_flow);
        self.next_flow += 1;
        self.inflight.entry(key.clone()).or_insert(id);
        let (order, mode) = match self.sticky {
            Some(i) => (vec![i], Mode::PassThrough),
            None => ((0..self.members.len()).collect(), self.mode),
        };
        let chain = ChainFlow::new(
            Arc::clone(&self.context),
            self.log.level(),
            Arc::clone(&self.members),
            order,
            mode,
            self.sticky,
            request,
            self.rng.next_u64(),
        )
        .with_sessions(self.sessions.clone())
        .in_background(serving.is_some());
        let persist = self.persistence.as_ref().map(|p| {
            p.flow(
                key.clone(),
                self.cache.entries(now),
                self.sessions
                    .get(&0)
                    .map(|s| s.account.home_account_id.as_str()),
                self.cache.policy(),
                self.log.level(),
                &self.name,
            )
        });
        let flow = Flow {
            id,
            owner: Arc::clone(&self.owner),
            key,
            background: serving.is_some(),
            chain,
            persist,
        };
        Begin::Start {
            flow: Box::new(flow),
            serving,
        }
    }

    /// Until when `begin` would keep answering `request` with the same cached token, if it would
    /// now: the driver may hand that token out itself until then, without asking (a lease).
    /// Refreshing, expiry and everything else stay decided here, because the lease ends before
    /// any of them can change the answer.
    pub fn serve_until(&self, request: &TokenRequest, now: Timestamp) -> Option<Timestamp> {
        let key = crate::chain::cache_key(&self.members, self.sticky, request);
        self.cache.fresh_until(&key, now)
    }

    /// The lease for `request` (see [`Credential::serve_until`]) that the driver keeps beside
    /// the others it holds for this credential. A driver holds at most [`MAX_LEASES`]: when
    /// this one would be one too many, `drop_others` tells it to let go of the rest first.
    pub fn lease(&mut self, request: &TokenRequest, now: Timestamp) -> Option<Lease> {
        let until = self.serve_until(request, now)?;
        self.leases_out += 1;
        let drop_others = self.leases_out > MAX_LEASES;
        if drop_others {
            self.leases_out = 1;
        }
        Some(Lease { until, drop_others })
    }

    /// Ends a flow: caches its token and returns it, or returns its error. A flow that has not
    /// finished (its caller gave up) ends as aborted.
    pub fn finish(&mut self, flow: Flow, now: Timestamp) -> Result<AccessToken, TokenError> {
        if !Arc::ptr_eq(&flow.owner, &self.owner) {
            return Err(TokenError::new(
                crate::error::ErrorKind::InvalidRequest,
                Misuse::ForeignFlow.to_string(),
            ));
        }
        if self.inflight.get(&flow.key) == Some(&flow.id) {
            self.inflight.remove(&flow.key);
        }
        let mut chain = flow.chain;
        self.log.extend(chain.take_log());
        if let Some((member, session)) = chain.take_session() {
            self.sessions.insert(member, session);
        }
        if let Some(mut p) = flow.persist {
            self.log.extend(p.take_log());
            if let Some(persistence) = self.persistence.as_mut() {
                persistence.absorb(&mut p, &mut self.cache, self.sessions.get_mut(&0), now);
            }
            if let Some(token) = p.served() {
                return Ok(token.clone());
            }
        }
        let finished = chain.is_finished();
        match chain.into_result() {
            Ok((token, member)) => {
                let key = crate::chain::member_key(&self.members, member, flow.key);
                self.cache.insert(key, token.clone(), now);
                if self.sticky_enabled {
                    self.sticky = Some(member);
                }
                Ok(token)
            }
            Err(e) => {
                if flow.background && finished {
                    self.cache.refresh_failed(&flow.key, now);
                }
                Err(e)
            }
        }
    }
}

/// What a credential logs when it is built: each member it will try (which managed-identity
/// source, which kind of id), each one left out and why, and pipeline options it does not run.
fn construction_log(kind: &str, options: &Options, env: &EnvSnapshot, plan: &plan::Plan) -> Log {
    let mut log = Log::new(env.log_level());
    let n = options.additional_policies.as_ref().map_or(0, Vec::len);
    if n > 0 {
        log.emit(LogLevel::Warning, || {
            format!(
                "{kind} => additionalPolicies: azcred sends its requests without a \
                 core-rest-pipeline pipeline, so {n} additional {} not run; give an httpClient \
                 to control how requests are sent",
                if n == 1 { "policy is" } else { "policies are" }
            )
        });
    }
    for m in &plan.members {
        match &m.slot {
            Slot::Ready(s) if s.logs_outcome() => {
                log.emit(LogLevel::Info, || {
                    format!("{} => {}.", m.name, s.describe())
                });
            }
            Slot::Ready(_) => {}
            Slot::Skipped(reason) => log.emit(LogLevel::Warning, || {
                format!("{kind} => Skipped {}: {reason}", m.name)
            }),
        }
    }
    log
}

/// The sessions a credential starts with: each user member's `authenticationRecord` account.
fn initial_sessions(members: &[Member]) -> HashMap<usize, Session> {
    members
        .iter()
        .enumerate()
        .filter_map(|(i, m)| match &m.slot {
            Slot::Ready(s) => s.initial_session().map(|session| (i, session)),
            Slot::Skipped(_) => None,
        })
        .collect()
}
