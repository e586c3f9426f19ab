//! wasm-bindgen binding of `azcred-core`: one class, `Credential`, with JSON strings both ways.
//!
//! It only translates: JSON to core types and back, flows kept in a handle table by id, core
//! errors to JS `Error`s with a `code`. Every decision is the core's. Built with
//! `panic = "abort"`, a panic is a trap, which JavaScript sees as a `WebAssembly.RuntimeError`.
#![forbid(unsafe_code)]

mod convert;

use std::collections::HashMap;

use azcred_core::{EnvSnapshot, Flow, Options, Reply, Timestamp, TokenRequest};
use wasm_bindgen::prelude::*;

use crate::convert::{Failure, begin_json, finish_json, parse, to_json, unknown_flow};

/// A JS `Error` with `code` set.
fn throw(f: Failure) -> JsValue {
    let error = js_sys::Error::new(&f.message);
    // Setting a property on a fresh `Error` object cannot fail.
    let _ = js_sys::Reflect::set(&error, &"code".into(), &f.code.into());
    error.into()
}

/// A JS number of milliseconds since the epoch.
fn at(now: f64) -> Timestamp {
    Timestamp::from_millis(now as u64)
}

/// A configured credential and the flows it has started.
#[wasm_bindgen]
pub struct Credential {
    inner: azcred_core::Credential,
    flows: HashMap<u64, Flow>,
}

#[wasm_bindgen]
impl Credential {
    /// Builds the credential `kind` from options and environment JSON. Throws `InvalidConfig` or
    /// `CredentialUnavailable`.
    #[wasm_bindgen(constructor)]
    pub fn new(
        kind: &str,
        #[wasm_bindgen(js_name = optionsJson)] options_json: &str,
        #[wasm_bindgen(js_name = envJson)] env_json: &str,
        seed: f64,
    ) -> Result<Self, JsValue> {
        let options: Options = parse(options_json, "options", "InvalidConfig").map_err(throw)?;
        let env: EnvSnapshot = parse(env_json, "environment", "InvalidConfig").map_err(throw)?;
        let inner = azcred_core::Credential::new(kind, &options, &env, seed as u64)
            .map_err(|e| throw(Failure::new(e.code, e.message)))?;
        Ok(Self {
            inner,
            flows: HashMap::new(),
        })
    }

    /// JSON array of member reports.
    pub fn explain(&self) -> Result<String, JsValue> {
        to_json(&self.inner.explain()).map_err(throw)
    }

    /// JSON `{type: "cached" | "join" | "start", ...}`. Throws `InvalidRequest`.
    pub fn begin(
        &mut self,
        #[wasm_bindgen(js_name = requestJson)] request_json: &str,
        now: f64,
    ) -> Result<String, JsValue> {
        let request: TokenRequest =
            parse(request_json, "request", "InvalidRequest").map_err(throw)?;
        let (json, flow) = begin_json(self.inner.begin(request, at(now))).map_err(throw)?;
        if let Some(flow) = flow {
            self.flows.insert(flow.id().0, flow);
        }
        Ok(json)
    }

    /// JSON of the flow's next step. Throws `ApiMisuse` for an unknown id.
    pub fn poll(&mut self, id: f64, now: f64) -> Result<String, JsValue> {
        let id = id as u64;
        let flow = self
            .flows
            .get_mut(&id)
            .ok_or_else(|| throw(unknown_flow(id)))?;
        to_json(&flow.poll(at(now))).map_err(throw)
    }

    /// Feeds the reply to the flow's outstanding action. Throws `ApiMisuse`.
    pub fn handle(
        &mut self,
        id: f64,
        #[wasm_bindgen(js_name = replyJson)] reply_json: &str,
        now: f64,
    ) -> Result<(), JsValue> {
        let id = id as u64;
        let flow = self
            .flows
            .get_mut(&id)
            .ok_or_else(|| throw(unknown_flow(id)))?;
        let reply: Reply = parse(reply_json, "reply", "ApiMisuse").map_err(throw)?;
        flow.handle(reply, at(now))
            .map_err(|m| throw(Failure::new(m.code(), m.to_string())))
    }

    /// Ends the flow: JSON `{ok: true, token}` or `{ok: false, error}`. Throws `ApiMisuse` for an
    /// unknown id.
    pub fn finish(&mut self, id: f64, now: f64) -> Result<String, JsValue> {
        let id = id as u64;
        let flow = self
            .flows
            .remove(&id)
            .ok_or_else(|| throw(unknown_flow(id)))?;
        finish_json(&self.inner.finish(flow, at(now))).map_err(throw)
    }
}
