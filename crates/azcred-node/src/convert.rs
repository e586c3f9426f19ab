//! JSON in and out, and the errors to throw. Plain Rust, no binding types.
//!
//! `azcred-wasm/src/convert.rs` is the same file: keep them identical (`tests/e2e/backend.test.js`
//! checks that both backends give the same JSON for the same inputs).

use azcred_core::{AccessToken, Begin, Flow, TokenError};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// An error to throw to JavaScript as an `Error` with this `code` and `message`.
pub(crate) struct Failure {
    pub(crate) code: &'static str,
    pub(crate) message: String,
}

impl Failure {
    pub(crate) fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}

/// Parses `json` as `what`; on failure, an error with `code`. The message never quotes a string
/// from the input (it may be a secret); it does name fields and variants.
pub(crate) fn parse<T: DeserializeOwned>(
    json: &str,
    what: &str,
    code: &'static str,
) -> Result<T, Failure> {
    serde_json::from_str(json).map_err(|e| {
        let detail = e.to_string();
        let detail = if detail.contains('"') {
            format!(
                "a value has the wrong type at line {} column {}",
                e.line(),
                e.column()
            )
        } else {
            detail
        };
        Failure::new(code, format!("invalid {what} JSON: {detail}"))
    })
}

/// Serializes a core value.
pub(crate) fn to_json<T: Serialize + ?Sized>(value: &T) -> Result<String, Failure> {
    serde_json::to_string(value).map_err(|e| Failure::new("Internal", e.to_string()))
}

/// What `begin` returns to JavaScript.
#[derive(Serialize)]
#[serde(tag = "type", rename_all = "camelCase")]
enum BeginJson<'a> {
    Cached {
        token: &'a AccessToken,
    },
    Join {
        id: u64,
    },
    Start {
        id: u64,
        background: bool,
        #[serde(skip_serializing_if = "Option::is_none")]
        token: Option<&'a AccessToken>,
    },
}

/// Translates `begin`'s outcome; a started flow is returned for the caller's handle table.
pub(crate) fn begin_json(begin: Begin) -> Result<(String, Option<Flow>), Failure> {
    Ok(match begin {
        Begin::Cached(token) => (to_json(&BeginJson::Cached { token: &token })?, None),
        Begin::Join(id) => (to_json(&BeginJson::Join { id: id.0 })?, None),
        Begin::Start { flow, serving } => {
            let json = to_json(&BeginJson::Start {
                id: flow.id().0,
                background: flow.is_background(),
                token: serving.as_ref(),
            })?;
            (json, Some(*flow))
        }
        _ => {
            return Err(Failure::new(
                "Internal",
                "azcred-core returned an unknown begin outcome",
            ));
        }
    })
}

/// What `finish` returns to JavaScript.
#[derive(Serialize)]
struct FinishJson<'a> {
    ok: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    token: Option<&'a AccessToken>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'a TokenError>,
}

/// Translates `finish`'s outcome.
pub(crate) fn finish_json(result: &Result<AccessToken, TokenError>) -> Result<String, Failure> {
    to_json(&match result {
        Ok(token) => FinishJson {
            ok: true,
            token: Some(token),
            error: None,
        },
        Err(error) => FinishJson {
            ok: false,
            token: None,
            error: Some(error),
        },
    })
}

/// The `Error` thrown for an id that is not in the handle table.
pub(crate) fn unknown_flow(id: u64) -> Failure {
    Failure::new(
        "ApiMisuse",
        format!("no flow with id {id} (finished, or never started)"),
    )
}
