//! A foreign member of a `ChainedTokenCredential`: any object with a `getToken` method, which the
//! core cannot run itself. The driver calls it ([`Action::Delegate`]); the core decides what its
//! answer means for the chain.

use crate::error::{ErrorKind, Misuse, TokenError};
use crate::io::{Action, Reply};
use crate::source::{Outstanding, Source, SourceFlow, SourceStep, StartContext, TokenRequest};
use crate::time::Timestamp;

/// The `index`th member of a chain, known by its constructor name.
#[derive(Debug)]
pub(crate) struct External {
    pub(crate) index: usize,
    pub(crate) name: String,
}

impl Source for External {
    fn name(&self) -> &str {
        &self.name
    }

    fn describe(&self) -> String {
        format!(
            "member {} of the chain, called through its own getToken",
            self.index
        )
    }

    fn logs_outcome(&self) -> bool {
        false
    }

    fn start(&self, request: &TokenRequest, _ctx: StartContext) -> Box<dyn SourceFlow> {
        Box::new(ExternalFlow {
            action: Some(Action::Delegate {
                index: self.index,
                scopes: request.scopes.clone(),
                claims: request.claims.clone(),
                tenant_id: request.tenant_id.clone(),
                enable_cae: request.enable_cae,
            }),
            index: self.index,
            outstanding: Outstanding::default(),
            done: None,
        })
    }
}

#[derive(Debug)]
struct ExternalFlow {
    action: Option<Action>,
    index: usize,
    outstanding: Outstanding,
    done: Option<SourceStep>,
}

impl SourceFlow for ExternalFlow {
    fn poll(&mut self, _now: Timestamp) -> SourceStep {
        if let Some(step) = self.outstanding.repeat() {
            return step;
        }
        if let Some(action) = self.action.take() {
            return self.outstanding.perform(action);
        }
        self.done.take().unwrap_or(SourceStep::Null)
    }

    fn handle(&mut self, reply: Reply, _now: Timestamp) -> Result<(), Misuse> {
        self.outstanding.peek()?;
        let outcome = match reply {
            Reply::Delegated(outcome) => outcome,
            // The member's answer could not be used (a token whose expiry is not a time, say):
            // that member is unavailable and the chain moves on.
            Reply::Failed(f) => {
                self.outstanding.clear();
                let e = TokenError::unavailable(format!(
                    "the credential's answer could not be used: {}",
                    crate::source::excerpt(&f.message, 300)
                ));
                self.done = Some(SourceStep::Done(Err(e)));
                return Ok(());
            }
            _ => return Err(Misuse::WrongReply),
        };
        self.outstanding.clear();
        self.done = Some(match (outcome.token, outcome.error) {
            (_, Some(err)) => {
                // The reference decides by `err.name` alone.
                let kind = match err.name.as_str() {
                    "CredentialUnavailableError" => ErrorKind::CredentialUnavailable,
                    "AuthenticationRequiredError" => ErrorKind::AuthenticationRequired,
                    "AuthenticationError" => ErrorKind::AuthenticationFailed,
                    "AggregateAuthenticationError" => ErrorKind::Aggregate,
                    "AbortError" => ErrorKind::Aborted,
                    _ => ErrorKind::InvalidRequest,
                };
                let mut e = TokenError::new(kind, err.message);
                e.name = err.name;
                e.delegate_index = Some(self.index);
                SourceStep::Done(Err(e))
            }
            (Some(token), None) => SourceStep::Done(Ok(token)),
            (None, None) => SourceStep::Null,
        });
        Ok(())
    }
}
