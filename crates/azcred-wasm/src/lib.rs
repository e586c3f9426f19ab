//! wasm-bindgen binding of `azcred-core`, over the core's typed surface (`azcred_core::wire`):
//! for Node, `Credential` and `Flow` driven by the package's JavaScript driver (`node`); for the
//! web (`--features web`), `WebCredential`, which performs the core's IO itself (`web`).
//! Translation only: plain JS objects in and out through serde-wasm-bindgen's JSON-compatible
//! serializer; every decision is the core's. Built with
//! `panic = "abort"`, a panic is a trap, which JavaScript sees as a `WebAssembly.RuntimeError`.
#![forbid(unsafe_code)]

use azcred_core::wire::{self, WireError};
use serde::Serialize;
use serde::de::DeserializeOwned;
use wasm_bindgen::prelude::*;

#[cfg(not(feature = "web"))]
mod node;
#[cfg(not(feature = "web"))]
pub use node::{merge_cache, plugin_control};
#[cfg(feature = "web")]
mod web;

/// The boundary's types, written once in `npm/lib/boundary.d.ts`; the generated declarations
/// name them.
#[wasm_bindgen(typescript_custom_section)]
const BOUNDARY: &str = r#"
import type { Begin, CoreOptions, EnvSnapshot, Finish, LogLevel, LogRecord, MemberReport, Reply, Step, TokenErrorValue, TokenRequest } from '../lib/boundary';
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
    let tree: wire::Tree = serde_wasm_bindgen::from_value(value).map_err(|e| e.to_string())?;
    wire::decode(tree.0)
}

/// Decodes an input of the caller's (options, environment, request) or throws `code`.
fn input<T: DeserializeOwned>(
    value: JsValue,
    what: &str,
    code: &'static str,
) -> Result<T, JsValue> {
    decode(value).map_err(|d| throw(WireError::undecodable(code, what, &d)))
}

/// Encodes a core value as a plain JS object (objects for maps, `null` for nothing, a
/// `Uint8Array` for bytes: request and page bodies).
fn encode<T: Serialize>(value: &T) -> Result<JsValue, JsValue> {
    let ser = serde_wasm_bindgen::Serializer::json_compatible().serialize_bytes_as_arrays(false);
    value
        .serialize(&ser)
        .map_err(|e| throw(WireError::undecodable("Internal", "value", &e.to_string())))
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
