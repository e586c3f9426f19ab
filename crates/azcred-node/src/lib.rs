//! Node-API binding of `azcred-core`: one class, `Credential`, with JSON strings both ways.
//!
//! It only translates: JSON to core types and back, flows kept in a handle table by id, core
//! errors to JS `Error`s with a `code`. Every decision is the core's. Each method catches panics
//! (`catch_unwind`) so a bug surfaces as a JS exception instead of aborting the process.
// The unsafe code napi-derive generates is not linted as ours, so this holds for our code.
#![deny(unsafe_code)]

mod convert;

use std::collections::HashMap;

use azcred_core::{EnvSnapshot, Flow, Options, Reply, Timestamp, TokenRequest};
use napi::Error;
use napi_derive::napi;

use crate::convert::{Failure, begin_json, finish_json, parse, to_json, unknown_flow};

/// `Err` is thrown as a JS `Error` whose `code` is the status string. (napi-derive recognizes a
/// `Result` return by its name, so the alias is called `Result`.)
type Result<T> = std::result::Result<T, Error<&'static str>>;

impl From<Failure> for Error<&'static str> {
    fn from(f: Failure) -> Self {
        Self::new(f.code, f.message)
    }
}

/// A JS number of milliseconds since the epoch.
fn at(now: f64) -> Timestamp {
    Timestamp::from_millis(now as u64)
}

/// A configured credential and the flows it has started.
#[napi]
pub struct Credential {
    inner: azcred_core::Credential,
    flows: HashMap<u64, Flow>,
}

#[napi]
impl Credential {
    /// Builds the credential `kind` from options and environment JSON. Throws `InvalidConfig` or
    /// `CredentialUnavailable`.
    #[napi(constructor, catch_unwind)]
    pub fn new(kind: String, options_json: String, env_json: String, seed: f64) -> Result<Self> {
        let options: Options = parse(&options_json, "options", "InvalidConfig")?;
        let env: EnvSnapshot = parse(&env_json, "environment", "InvalidConfig")?;
        let inner = azcred_core::Credential::new(&kind, &options, &env, seed as u64)
            .map_err(|e| Failure::new(e.code, e.message))?;
        Ok(Self {
            inner,
            flows: HashMap::new(),
        })
    }

    /// JSON array of member reports.
    #[napi(catch_unwind)]
    pub fn explain(&self) -> Result<String> {
        Ok(to_json(&self.inner.explain())?)
    }

    /// JSON `{type: "cached" | "join" | "start", ...}`. Throws `InvalidRequest`.
    #[napi(catch_unwind)]
    pub fn begin(&mut self, request_json: String, now: f64) -> Result<String> {
        let request: TokenRequest = parse(&request_json, "request", "InvalidRequest")?;
        let (json, flow) = begin_json(self.inner.begin(request, at(now)))?;
        if let Some(flow) = flow {
            self.flows.insert(flow.id().0, flow);
        }
        Ok(json)
    }

    /// JSON of the flow's next step. Throws `ApiMisuse` for an unknown id.
    #[napi(catch_unwind)]
    pub fn poll(&mut self, id: f64, now: f64) -> Result<String> {
        let id = id as u64;
        let flow = self.flows.get_mut(&id).ok_or_else(|| unknown_flow(id))?;
        Ok(to_json(&flow.poll(at(now)))?)
    }

    /// Feeds the reply to the flow's outstanding action. Throws `ApiMisuse`.
    #[napi(catch_unwind)]
    pub fn handle(&mut self, id: f64, reply_json: String, now: f64) -> Result<()> {
        let id = id as u64;
        let flow = self.flows.get_mut(&id).ok_or_else(|| unknown_flow(id))?;
        let reply: Reply = parse(&reply_json, "reply", "ApiMisuse")?;
        flow.handle(reply, at(now))
            .map_err(|m| Failure::new(m.code(), m.to_string()))?;
        Ok(())
    }

    /// Ends the flow: JSON `{ok: true, token}` or `{ok: false, error}`. Throws `ApiMisuse` for an
    /// unknown id.
    #[napi(catch_unwind)]
    pub fn finish(&mut self, id: f64, now: f64) -> Result<String> {
        let id = id as u64;
        let flow = self.flows.remove(&id).ok_or_else(|| unknown_flow(id))?;
        Ok(finish_json(&self.inner.finish(flow, at(now)))?)
    }
}
