//! Node-API binding of `azcred-core`: two classes, `Credential` and `Flow`, over the core's typed
//! surface (`azcred_core::wire`). Translation only: plain JS objects in and out through napi's
//! serde support; every decision is the core's. Each method catches panics (`catch_unwind`) so a
//! bug surfaces as a JS exception instead of aborting the process.
// The unsafe code napi-derive generates is not linted as ours, so this holds for our code.
#![deny(unsafe_code)]

use azcred_core::wire::{self, WireCredential, WireError, WireFlow};
use azcred_core::{EnvSnapshot, LogLevel, Options, Reply, SharedTokens, TokenRequest};
use napi::bindgen_prelude::{JavaScriptClassExt, Unknown};
use napi::{Env, Error, JsValue};
use napi_derive::napi;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// `Err` is thrown as a JS `Error` whose `code` is the status string. (napi-derive recognizes a
/// `Result` return by its name, so the alias is called `Result`.)
type Result<T> = std::result::Result<T, Error<&'static str>>;

fn throw(e: WireError) -> Error<&'static str> {
    Error::new(e.code, e.message)
}

/// Decodes a JS value as `T` by the core's rules (`wire::decode`), or returns the decoder's
/// message.
fn decode<T: DeserializeOwned>(env: &Env, value: Unknown<'_>) -> std::result::Result<T, String> {
    let tree: wire::Tree = env.from_js_value(value).map_err(|e| e.reason.clone())?;
    wire::decode(tree.0)
}

/// Decodes an input of the caller's (options, environment, request) or throws `code`.
fn input<T: DeserializeOwned>(
    env: &Env,
    value: Unknown<'_>,
    what: &str,
    code: &'static str,
) -> Result<T> {
    decode(env, value).map_err(|d| throw(WireError::undecodable(code, what, &d)))
}

/// A failure of napi itself (creating an object, say).
fn internal(e: Error) -> Error<&'static str> {
    Error::new("Internal", e.reason.clone())
}

/// Encodes a core value as a plain JS object.
fn encode<'e, T: Serialize>(env: &'e Env, value: &T) -> Result<Unknown<'e>> {
    env.to_js_value(value).map_err(internal)
}

/// Managed-identity tokens shared by the credentials built with this store (the driver makes one
/// per process).
#[napi]
pub struct TokenStore(SharedTokens);

#[napi]
impl TokenStore {
    /// An empty store.
    #[napi(constructor)]
    #[allow(clippy::new_without_default)]
    pub fn new() -> Self {
        Self(SharedTokens::new())
    }
}

/// Whether azcred takes what a plugin passes to `control` of its `useIdentityPlugin` context
/// (`"cachePluginControl.setPersistence"`, ...); throws `InvalidConfig` naming the plugin
/// otherwise.
#[napi(catch_unwind)]
pub fn plugin_control(control: String) -> Result<()> {
    wire::plugin_control(&control).map_err(throw)
}

/// The text to store for a `storeCache` action whose store changed since it was read: the core
/// merges `current` (what the plugin just read) with `ours` (the action's contents).
#[napi(catch_unwind)]
pub fn merge_cache(current: Option<String>, ours: String, now: f64) -> Result<String> {
    Ok(wire::merge_cache(current.as_deref(), &ours, now))
}

/// A configured credential.
#[napi]
pub struct Credential(WireCredential);

#[napi]
impl Credential {
    /// Builds the credential `kind` from options and environment objects. Throws `InvalidConfig`
    /// or `CredentialUnavailable`.
    #[napi(constructor, catch_unwind)]
    pub fn new(
        env: Env,
        kind: String,
        #[napi(ts_arg_type = "CoreOptions")] options: Unknown<'_>,
        #[napi(ts_arg_type = "EnvSnapshot")] environment: Unknown<'_>,
        seed: f64,
        store: &TokenStore,
    ) -> Result<Self> {
        let options: Options = input(&env, options, "options", "InvalidConfig")?;
        let environment: EnvSnapshot = input(&env, environment, "environment", "InvalidConfig")?;
        WireCredential::new(&kind, &options, &environment, seed, Some(&store.0))
            .map(Self)
            .map_err(throw)
    }

    /// Member reports: `[{name, available, detail, selected}]`.
    #[napi(catch_unwind, ts_return_type = "MemberReport[]")]
    pub fn explain<'e>(&self, env: &'e Env) -> Result<Unknown<'e>> {
        encode(env, &self.0.explain())
    }

    /// `{type: "cached" | "join" | "start", ...}`; a `start` answer carries its `flow`. Throws
    /// `InvalidRequest` for a request that is not one.
    #[napi(catch_unwind, ts_return_type = "Begin")]
    pub fn begin<'e>(
        &mut self,
        env: &'e Env,
        #[napi(ts_arg_type = "TokenRequest")] request: Unknown<'_>,
        now: f64,
    ) -> Result<Unknown<'e>> {
        let request: TokenRequest = input(env, request, "request", "InvalidRequest")?;
        let (out, flow) = self.0.begin(request, now);
        let value = encode(env, &out)?;
        if let Some(flow) = flow {
            let mut object = value.coerce_to_object().map_err(internal)?;
            let flow = Flow(flow).into_instance(env).map_err(internal)?;
            object.set("flow", flow).map_err(internal)?;
            return Ok(object.to_unknown());
        }
        Ok(value)
    }

    /// Ends the flow, finished or not: `{ok: true, token}` or `{ok: false, error}`. Throws
    /// `ApiMisuse` for a flow already ended.
    #[napi(catch_unwind, ts_return_type = "Finish")]
    pub fn finish<'e>(&mut self, env: &'e Env, flow: &mut Flow, now: f64) -> Result<Unknown<'e>> {
        let out = self.0.finish(&mut flow.0, now).map_err(throw)?;
        encode(env, &out)
    }

    /// Sets the most verbose level to log from now on (`null` for none).
    #[napi(catch_unwind)]
    pub fn set_log_level(
        &mut self,
        env: Env,
        #[napi(ts_arg_type = "LogLevel | null")] level: Unknown<'_>,
    ) -> Result<()> {
        let level: Option<LogLevel> = input(&env, level, "log level", "ApiMisuse")?;
        self.0.set_log_level(level);
        Ok(())
    }

    /// The log records this credential made since the last call.
    #[napi(catch_unwind, ts_return_type = "LogRecord[]")]
    pub fn take_log<'e>(&mut self, env: &'e Env) -> Result<Unknown<'e>> {
        encode(env, &self.0.take_log())
    }
}

/// One acquisition: poll it, answer its actions, then pass it to `Credential.finish`.
#[napi]
pub struct Flow(WireFlow);

#[napi]
impl Flow {
    /// The flow's id, as `join` answers name it.
    #[napi(getter)]
    pub fn id(&self) -> f64 {
        self.0.id() as f64
    }

    /// The next step: `{type: "perform", action} | {type: "wait", until} | {type: "finished"}`.
    #[napi(catch_unwind, ts_return_type = "Step")]
    pub fn poll<'e>(&mut self, env: &'e Env, now: f64) -> Result<Unknown<'e>> {
        let step = self.0.poll(now).map_err(throw)?;
        encode(env, &step)
    }

    /// Feeds the reply to the outstanding action. A reply that cannot be decoded is given to the
    /// flow as a failure of that action. Throws `ApiMisuse` for a reply with no action outstanding.
    #[napi(catch_unwind)]
    pub fn handle(
        &mut self,
        env: Env,
        #[napi(ts_arg_type = "Reply")] reply: Unknown<'_>,
        now: f64,
    ) -> Result<()> {
        let reply: std::result::Result<Reply, String> = decode(&env, reply);
        self.0.handle(reply, now).map_err(throw)
    }

    /// The error for a caller who gives up on this flow now (its `abortSignal` fired).
    #[napi(catch_unwind, ts_return_type = "TokenErrorValue")]
    pub fn abort_error<'e>(&self, env: &'e Env) -> Result<Unknown<'e>> {
        encode(env, &self.0.abort_error())
    }

    /// The log records this flow made since the last call.
    #[napi(catch_unwind, ts_return_type = "LogRecord[]")]
    pub fn take_log<'e>(&mut self, env: &'e Env) -> Result<Unknown<'e>> {
        encode(env, &self.0.take_log())
    }
}

/// `deserializeAuthenticationRecord`'s version check of a record `JSON.parse` gave. Throws the
/// reference's error for a version azcred does not write.
#[napi(catch_unwind)]
pub fn check_authentication_record(
    env: Env,
    #[napi(ts_arg_type = "unknown")] record: Unknown<'_>,
) -> Result<()> {
    let record: serde_json::Value = input(&env, record, "authentication record", "InvalidConfig")?;
    wire::check_authentication_record(&record).map_err(throw)
}
