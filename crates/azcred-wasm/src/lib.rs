//! wasm-bindgen binding of `azcred-core`: two classes, `Credential` and `Flow`, over the core's
//! typed surface (`azcred_core::wire`). Translation only: plain JS objects in and out through
//! serde-wasm-bindgen's JSON-compatible serializer; every decision is the core's. Built with
//! `panic = "abort"`, a panic is a trap, which JavaScript sees as a `WebAssembly.RuntimeError`.
#![forbid(unsafe_code)]

use azcred_core::wire::{self, WireCredential, WireError, WireFlow};
use azcred_core::{EnvSnapshot, LogLevel, Options, Reply, SharedTokens, TokenRequest};
use serde::Serialize;
use serde::de::DeserializeOwned;
use wasm_bindgen::prelude::*;

/// The boundary's types, written once in `npm/lib/boundary.d.ts`; the generated declarations
/// name them.
#[wasm_bindgen(typescript_custom_section)]
const BOUNDARY: &str = r#"
import type { Begin, CoreOptions, EnvSnapshot, Finish, LogLevel, LogRecord, MemberReport, Reply, Step, TokenRequest } from '../lib/boundary';
"#;

/// A JS `Error` with `code` set.
fn throw(e: WireError) -> JsValue {
    let error = js_sys::Error::new(&e.message);
    // Setting a property on a fresh `Error` object cannot fail.
    let _ = js_sys::Reflect::set(&error, &"code".into(), &e.code.into());
    error.into()
}

/// Decodes a JS value as `T` by the core's rules (`wire::decode`), or returns the decoder's
/// message.
fn decode<T: DeserializeOwned>(value: JsValue) -> Result<T, String> {
    let tree: serde_json::Value =
        serde_wasm_bindgen::from_value(value).map_err(|e| e.to_string())?;
    wire::decode(tree)
}

/// Decodes an input of the caller's (options, environment, request) or throws `code`.
fn input<T: DeserializeOwned>(
    value: JsValue,
    what: &str,
    code: &'static str,
) -> Result<T, JsValue> {
    decode(value).map_err(|d| throw(WireError::undecodable(code, what, &d)))
}

/// Encodes a core value as a plain JS object (objects for maps, `null` for nothing).
fn encode<T: Serialize>(value: &T) -> Result<JsValue, JsValue> {
    let ser = serde_wasm_bindgen::Serializer::json_compatible();
    value
        .serialize(&ser)
        .map_err(|e| throw(WireError::undecodable("Internal", "value", &e.to_string())))
}

/// Managed-identity tokens shared by the credentials built with this store (the driver makes one
/// per process).
#[wasm_bindgen]
pub struct TokenStore(SharedTokens);

#[wasm_bindgen]
impl TokenStore {
    /// An empty store.
    #[wasm_bindgen(constructor)]
    #[allow(clippy::new_without_default)]
    pub fn new() -> Self {
        Self(SharedTokens::new())
    }
}

/// A configured credential.
#[wasm_bindgen]
pub struct Credential(WireCredential);

#[wasm_bindgen]
impl Credential {
    /// Builds the credential `kind` from options and environment objects. Throws `InvalidConfig`
    /// or `CredentialUnavailable`.
    #[wasm_bindgen(constructor)]
    pub fn new(
        kind: &str,
        #[wasm_bindgen(unchecked_param_type = "CoreOptions")] options: JsValue,
        #[wasm_bindgen(unchecked_param_type = "EnvSnapshot")] environment: JsValue,
        seed: f64,
        store: &TokenStore,
    ) -> Result<Self, JsValue> {
        let options: Options = input(options, "options", "InvalidConfig")?;
        let environment: EnvSnapshot = input(environment, "environment", "InvalidConfig")?;
        WireCredential::new(kind, &options, &environment, seed, Some(&store.0))
            .map(Self)
            .map_err(throw)
    }

    /// Member reports: `[{name, available, detail, selected}]`.
    #[wasm_bindgen(unchecked_return_type = "MemberReport[]")]
    pub fn explain(&self) -> Result<JsValue, JsValue> {
        encode(&self.0.explain())
    }

    /// `{type: "cached" | "join" | "start", ...}`; a `start` answer carries its `flow`. Throws
    /// `InvalidRequest` for a request that is not one.
    #[wasm_bindgen(unchecked_return_type = "Begin")]
    pub fn begin(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "TokenRequest")] request: JsValue,
        now: f64,
    ) -> Result<JsValue, JsValue> {
        let request: TokenRequest = input(request, "request", "InvalidRequest")?;
        let (out, flow) = self.0.begin(request, now);
        let value = encode(&out)?;
        if let Some(flow) = flow {
            js_sys::Reflect::set(&value, &"flow".into(), &JsValue::from(Flow(flow)))?;
        }
        Ok(value)
    }

    /// Ends the flow, finished or not: `{ok: true, token}` or `{ok: false, error}`. Throws
    /// `ApiMisuse` for a flow already ended.
    #[wasm_bindgen(unchecked_return_type = "Finish")]
    pub fn finish(&mut self, flow: &mut Flow, now: f64) -> Result<JsValue, JsValue> {
        let out = self.0.finish(&mut flow.0, now).map_err(throw)?;
        encode(&out)
    }

    /// Sets the most verbose level to log from now on (`null` for none).
    #[wasm_bindgen(js_name = setLogLevel)]
    pub fn set_log_level(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "LogLevel | null")] level: JsValue,
    ) -> Result<(), JsValue> {
        let level: Option<LogLevel> = input(level, "log level", "ApiMisuse")?;
        self.0.set_log_level(level);
        Ok(())
    }

    /// The log records this credential made since the last call.
    #[wasm_bindgen(js_name = takeLog, unchecked_return_type = "LogRecord[]")]
    pub fn take_log(&mut self) -> Result<JsValue, JsValue> {
        encode(&self.0.take_log())
    }
}

/// One acquisition: poll it, answer its actions, then pass it to `Credential.finish`.
#[wasm_bindgen]
pub struct Flow(WireFlow);

#[wasm_bindgen]
impl Flow {
    /// The flow's id, as `join` answers name it.
    #[wasm_bindgen(getter)]
    pub fn id(&self) -> f64 {
        self.0.id() as f64
    }

    /// The next step: `{type: "perform", action} | {type: "wait", until} | {type: "finished"}`.
    #[wasm_bindgen(unchecked_return_type = "Step")]
    pub fn poll(&mut self, now: f64) -> Result<JsValue, JsValue> {
        let step = self.0.poll(now).map_err(throw)?;
        encode(&step)
    }

    /// Feeds the reply to the outstanding action. A reply that cannot be decoded is given to the
    /// flow as a failure of that action. Throws `ApiMisuse` for a reply with no action outstanding.
    pub fn handle(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "Reply")] reply: JsValue,
        now: f64,
    ) -> Result<(), JsValue> {
        let reply: Result<Reply, String> = decode(reply);
        self.0.handle(reply, now).map_err(throw)
    }

    /// The log records this flow made since the last call.
    #[wasm_bindgen(js_name = takeLog, unchecked_return_type = "LogRecord[]")]
    pub fn take_log(&mut self) -> Result<JsValue, JsValue> {
        encode(&self.0.take_log())
    }
}

/// `deserializeAuthenticationRecord`'s version check of a record `JSON.parse` gave. Throws the
/// reference's error for a version azcred does not write.
#[wasm_bindgen(js_name = checkAuthenticationRecord)]
pub fn check_authentication_record(
    #[wasm_bindgen(unchecked_param_type = "unknown")] record: JsValue,
) -> Result<(), JsValue> {
    let record: serde_json::Value = input(record, "authentication record", "InvalidConfig")?;
    wire::check_authentication_record(&record).map_err(throw)
}
