//! The chain walk: `ChainedTokenCredential` semantics, shared by every credential (a standalone
//! credential is a chain of one that passes its error through).

use std::sync::Arc;

use crate::error::{ErrorKind, Misuse, TokenError};
use crate::io::{Reply, Step};
use crate::retry::Rng;
use crate::source::{Source, SourceFlow, SourceStep, StartContext, TokenRequest};
use crate::time::Timestamp;
use crate::token::AccessToken;

/// The first line of the aggregate error's message (the reference's).
pub(crate) const AGGREGATE_MESSAGE: &str = "ChainedTokenCredential authentication failed.";

/// One credential of a chain.
#[derive(Debug)]
pub(crate) struct Member {
    /// The reference's class name.
    pub(crate) name: String,
    pub(crate) slot: Slot,
}

/// Whether a member can be tried.
#[derive(Debug)]
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

/// One walk of the chain for one request.
#[derive(Debug)]
pub(crate) struct ChainFlow {
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
}

impl ChainFlow {
    /// Starts a walk over `order` (indices into `members`).
    pub(crate) fn new(
        members: Arc<[Member]>,
        order: Vec<usize>,
        mode: Mode,
        proven: Option<usize>,
        request: TokenRequest,
        seed: u64,
    ) -> Self {
        Self {
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
            result: None,
        }
    }

    /// Returns the next step.
    pub(crate) fn poll(&mut self, now: Timestamp) -> Step {
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
                        };
                        self.current = Some(source.start(&self.request, ctx));
                    }
                }
            }
            let Some(flow) = self.current.as_mut() else {
                continue;
            };
            match flow.poll(now) {
                SourceStep::Perform(action) => return Step::Perform { action },
                SourceStep::Wait(until) => return Step::Wait { until },
                SourceStep::Done(Ok(token)) => self.result = Some(Ok((token, idx))),
                SourceStep::Done(Err(e)) => {
                    let e = if e.credential.is_none() {
                        e.from_credential(&member.name)
                    } else {
                        e
                    };
                    let last = self.pos + 1 == self.order.len();
                    match self.mode {
                        Mode::Walk if e.kind.chain_continues() => self.errors.push(e),
                        Mode::PassThrough if !last && e.kind.chain_continues() => {
                            self.errors.push(e)
                        }
                        _ => self.result = Some(Err(e)),
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
        match self.current.as_mut() {
            Some(flow) if self.result.is_none() => flow.handle(reply, now),
            _ if self.result.is_some() => Err(Misuse::Finished),
            _ => Err(Misuse::NoActionOutstanding),
        }
    }

    /// Takes the outcome: the token and the index of the member that produced it, or the error.
    /// A walk that did not finish ends as aborted.
    pub(crate) fn into_result(self) -> Result<(AccessToken, usize), TokenError> {
        self.result.unwrap_or_else(|| {
            Err(TokenError::new(
                ErrorKind::Aborted,
                "The operation was aborted.",
            ))
        })
    }

    /// Whether the walk has an outcome.
    pub(crate) fn is_finished(&self) -> bool {
        self.result.is_some()
    }

    fn conclude(&mut self) {
        let errors = std::mem::take(&mut self.errors);
        self.result = Some(Err(match self.mode {
            _ if errors.is_empty() => TokenError::unavailable("Failed to retrieve a valid token"),
            Mode::PassThrough if errors.len() == 1 => errors
                .into_iter()
                .next()
                .unwrap_or_else(|| TokenError::unavailable("Failed to retrieve a valid token")),
            _ => aggregate(errors),
        }));
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
