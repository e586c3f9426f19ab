//! wasm-bindgen binding of `azcred-core`: one class, `Credential`, over the core's JSON surface
//! (`azcred_core::wire`). Translation only: every decision, and the JSON itself, is the core's.
//! Built with `panic = "abort"`, a panic is a trap, which JavaScript sees as a
//! `WebAssembly.RuntimeError`.
#![forbid(unsafe_code)]

use azcred_core::wire::{JsonCredential, WireError};
use wasm_bindgen::prelude::*;

/// A JS `Error` with `code` set.
fn throw(e: WireError) -> JsValue {
    let error = js_sys::Error::new(&e.message);
    // Setting a property on a fresh `Error` object cannot fail.
    let _ = js_sys::Reflect::set(&error, &"code".into(), &e.code.into());
    error.into()
}

/// A configured credential and the flows it has started.
#[wasm_bindgen]
pub struct Credential(JsonCredential);

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
        JsonCredential::new(kind, options_json, env_json, seed)
            .map(Self)
            .map_err(throw)
    }

    /// JSON array of member reports.
    pub fn explain(&self) -> Result<String, JsValue> {
        self.0.explain().map_err(throw)
    }

    /// JSON `{type: "cached" | "join" | "start", ...}`. Throws `InvalidRequest`.
    pub fn begin(
        &mut self,
        #[wasm_bindgen(js_name = requestJson)] request_json: &str,
        now: f64,
    ) -> Result<String, JsValue> {
        self.0.begin(request_json, now).map_err(throw)
    }

    /// JSON of the flow's next step. Throws `ApiMisuse` for an unknown id.
    pub fn poll(&mut self, id: f64, now: f64) -> Result<String, JsValue> {
        self.0.poll(id, now).map_err(throw)
    }

    /// Feeds the reply to the flow's outstanding action. Throws `ApiMisuse`.
    pub fn handle(
        &mut self,
        id: f64,
        #[wasm_bindgen(js_name = replyJson)] reply_json: &str,
        now: f64,
    ) -> Result<(), JsValue> {
        self.0.handle(id, reply_json, now).map_err(throw)
    }

    /// Sets the most verbose level to log from now on (`""` for none). Throws `ApiMisuse`.
    #[wasm_bindgen(js_name = setLogLevel)]
    pub fn set_log_level(&mut self, level: &str) -> Result<(), JsValue> {
        self.0.set_log_level(level).map_err(throw)
    }

    /// JSON array of the log records made since the last call.
    #[wasm_bindgen(js_name = takeLog)]
    pub fn take_log(&mut self) -> Result<String, JsValue> {
        self.0.take_log().map_err(throw)
    }

    /// Ends the flow: JSON `{ok: true, token}` or `{ok: false, error}`. Throws `ApiMisuse` for an
    /// unknown id.
    pub fn finish(&mut self, id: f64, now: f64) -> Result<String, JsValue> {
        self.0.finish(id, now).map_err(throw)
    }
}
