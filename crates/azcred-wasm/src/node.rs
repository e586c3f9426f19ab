//! The Node build's classes (`Credential`, `Flow`, `TokenStore`), driven by the package's
//! JavaScript driver. Left out of the web build, whose `WebCredential` drives itself.

use azcred_core::wire::{self, WireCredential, WireFlow};
use azcred_core::{EnvSnapshot, LogLevel, Options, Reply, SharedTokens, TokenRequest};
use wasm_bindgen::prelude::*;

use crate::{decode, encode, input, throw};

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

/// Whether azcred takes what a plugin passes to `control` of its `useIdentityPlugin` context
/// (`"cachePluginControl.setPersistence"`, ...); throws `InvalidConfig` naming the plugin
/// otherwise.
#[wasm_bindgen(js_name = pluginControl)]
pub fn plugin_control(control: &str) -> Result<(), JsValue> {
    wire::plugin_control(control).map_err(throw)
}

/// The text to store for a `storeCache` action whose store changed since it was read: the core
/// merges `current` (what the plugin just read) with `ours` (the action's contents).
#[wasm_bindgen(js_name = mergeCache)]
pub fn merge_cache(current: Option<String>, ours: &str, now: f64) -> String {
    wire::merge_cache(current.as_deref(), ours, now)
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

    /// The error for a caller who gives up on this flow now (its `abortSignal` fired).
    #[wasm_bindgen(js_name = abortError, unchecked_return_type = "TokenErrorValue")]
    pub fn abort_error(&self) -> Result<JsValue, JsValue> {
        encode(&self.0.abort_error())
    }

    /// The log records this flow made since the last call.
    #[wasm_bindgen(js_name = takeLog, unchecked_return_type = "LogRecord[]")]
    pub fn take_log(&mut self) -> Result<JsValue, JsValue> {
        encode(&self.0.take_log())
    }
}
