//! Node-API binding of `azcred-core`: one class, `Credential`, over the core's JSON surface
//! (`azcred_core::wire`). Translation only: every decision, and the JSON itself, is the core's.
//! Each method catches panics (`catch_unwind`) so a bug surfaces as a JS exception instead of
//! aborting the process.
// The unsafe code napi-derive generates is not linted as ours, so this holds for our code.
#![deny(unsafe_code)]

use azcred_core::wire::{JsonCredential, WireError};
use napi::Error;
use napi_derive::napi;

/// `Err` is thrown as a JS `Error` whose `code` is the status string. (napi-derive recognizes a
/// `Result` return by its name, so the alias is called `Result`.)
type Result<T> = std::result::Result<T, Error<&'static str>>;

fn throw(e: WireError) -> Error<&'static str> {
    Error::new(e.code, e.message)
}

/// A configured credential and the flows it has started.
#[napi]
pub struct Credential(JsonCredential);

#[napi]
impl Credential {
    /// Builds the credential `kind` from options and environment JSON. Throws `InvalidConfig` or
    /// `CredentialUnavailable`.
    #[napi(constructor, catch_unwind)]
    pub fn new(kind: String, options_json: String, env_json: String, seed: f64) -> Result<Self> {
        JsonCredential::new(&kind, &options_json, &env_json, seed)
            .map(Self)
            .map_err(throw)
    }

    /// JSON array of member reports.
    #[napi(catch_unwind)]
    pub fn explain(&self) -> Result<String> {
        self.0.explain().map_err(throw)
    }

    /// JSON `{type: "cached" | "join" | "start", ...}`. Throws `InvalidRequest`.
    #[napi(catch_unwind)]
    pub fn begin(&mut self, request_json: String, now: f64) -> Result<String> {
        self.0.begin(&request_json, now).map_err(throw)
    }

    /// JSON of the flow's next step. Throws `ApiMisuse` for an unknown id.
    #[napi(catch_unwind)]
    pub fn poll(&mut self, id: f64, now: f64) -> Result<String> {
        self.0.poll(id, now).map_err(throw)
    }

    /// Feeds the reply to the flow's outstanding action. Throws `ApiMisuse`.
    #[napi(catch_unwind)]
    pub fn handle(&mut self, id: f64, reply_json: String, now: f64) -> Result<()> {
        self.0.handle(id, &reply_json, now).map_err(throw)
    }

    /// Sets the most verbose level to log from now on (`""` for none). Throws `ApiMisuse`.
    #[napi(catch_unwind)]
    pub fn set_log_level(&mut self, level: String) -> Result<()> {
        self.0.set_log_level(&level).map_err(throw)
    }

    /// JSON array of the log records made since the last call.
    #[napi(catch_unwind)]
    pub fn take_log(&mut self) -> Result<String> {
        self.0.take_log().map_err(throw)
    }

    /// Ends the flow: JSON `{ok: true, token}` or `{ok: false, error}`. Throws `ApiMisuse` for an
    /// unknown id.
    #[napi(catch_unwind)]
    pub fn finish(&mut self, id: f64, now: f64) -> Result<String> {
        self.0.finish(id, now).map_err(throw)
    }
}
