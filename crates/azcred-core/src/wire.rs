//! The JSON surface the bindings expose: a [`Credential`] and its running flows behind numeric
//! ids, with JSON strings in and out and errors as `(code, message)`. Both bindings wrap this
//! one type, so they cannot drift apart; they only turn a [`WireError`] into a JS `Error`.

use std::collections::HashMap;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::{
    AccessToken, Begin, Credential, EnvSnapshot, Flow, LogLevel, Options, Reply, Timestamp,
};
use crate::{TokenError, TokenRequest};

/// An error for the binding to throw as a JS `Error` with `code` set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WireError {
    /// `InvalidConfig`, `CredentialUnavailable`, `InvalidRequest`, `ApiMisuse` or `Internal`.
    pub code: &'static str,
    /// The message; never quotes input (it may hold a secret).
    pub message: String,
}

impl WireError {
    fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}

/// Parses `json` as `what`; the message never quotes a string from the input.
fn parse<T: DeserializeOwned>(json: &str, what: &str, code: &'static str) -> Result<T, WireError> {
    serde_json::from_str(json).map_err(|e| {
        let detail = e.to_string();
        // serde quotes input values with `"` or backticks (unknown variants); either may hold
        // a secret, so such messages keep only the position.
        let quotes = detail.contains('"') || detail.contains('`');
        let detail = match (quotes, e.line()) {
            (false, _) => detail,
            // serde_json reports line 0 when the position is unknown (tagged enums).
            (true, 0) => "a value has the wrong type".to_owned(),
            (true, line) => format!(
                "a value has the wrong type at line {line} column {}",
                e.column()
            ),
        };
        WireError::new(code, format!("invalid {what} JSON: {detail}"))
    })
}

fn to_json<T: Serialize + ?Sized>(value: &T) -> Result<String, WireError> {
    serde_json::to_string(value).map_err(|e| WireError::new("Internal", e.to_string()))
}

/// A JS number of milliseconds since the epoch (fractions dropped, negatives saturate at 0).
fn at(now: f64) -> Timestamp {
    Timestamp::from_millis(now as u64)
}

/// What `begin` returns.
#[derive(Serialize)]
#[serde(tag = "type", rename_all = "camelCase")]
enum BeginJson<'a> {
    Cached {
        token: &'a AccessToken,
        /// Until when the driver may serve this token for the same request without asking.
        #[serde(skip_serializing_if = "Option::is_none")]
        until: Option<Timestamp>,
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

/// What `finish` returns.
#[derive(Serialize)]
struct FinishJson<'a> {
    ok: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    token: Option<&'a AccessToken>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'a TokenError>,
}

/// A credential and the flows it started, addressed by id.
#[derive(Debug)]
pub struct JsonCredential {
    inner: Credential,
    flows: HashMap<u64, Flow>,
}

impl JsonCredential {
    /// Builds the credential `kind` from options JSON and environment JSON
    /// (`{"vars": {...}, "platform": "linux", "tzOffsetMinutes": 0}`).
    pub fn new(
        kind: &str,
        options_json: &str,
        env_json: &str,
        seed: f64,
    ) -> Result<Self, WireError> {
        let options: Options = parse(options_json, "options", "InvalidConfig")?;
        let env: EnvSnapshot = parse(env_json, "environment", "InvalidConfig")?;
        let inner = Credential::new(kind, &options, &env, seed as u64)
            .map_err(|e| WireError::new(e.code, e.message))?;
        Ok(Self {
            inner,
            flows: HashMap::new(),
        })
    }

    /// JSON array of member reports.
    pub fn explain(&self) -> Result<String, WireError> {
        to_json(&self.inner.explain())
    }

    /// JSON `{"type": "cached" | "join" | "start", ...}`. A cached answer may carry `until`: the
    /// driver may serve that token for the same request JSON until then without calling `begin`.
    pub fn begin(&mut self, request_json: &str, now: f64) -> Result<String, WireError> {
        let request: TokenRequest = parse(request_json, "request", "InvalidRequest")?;
        let until = self.inner.serve_until(&request, at(now));
        match self.inner.begin(request, at(now)) {
            Begin::Cached(token) => to_json(&BeginJson::Cached {
                token: &token,
                until,
            }),
            Begin::Join(id) => to_json(&BeginJson::Join { id: id.0 }),
            Begin::Start { flow, serving } => {
                let json = to_json(&BeginJson::Start {
                    id: flow.id().0,
                    background: flow.is_background(),
                    token: serving.as_ref(),
                })?;
                self.flows.insert(flow.id().0, *flow);
                Ok(json)
            }
        }
    }

    /// JSON of the flow's next step.
    pub fn poll(&mut self, id: f64, now: f64) -> Result<String, WireError> {
        to_json(&self.flow(id)?.poll(at(now)))
    }

    /// Feeds the reply JSON to the flow's outstanding action.
    pub fn handle(&mut self, id: f64, reply_json: &str, now: f64) -> Result<(), WireError> {
        let reply: Reply = parse(reply_json, "reply", "ApiMisuse")?;
        self.flow(id)?
            .handle(reply, at(now))
            .map_err(|m| WireError::new(m.code(), m.to_string()))
    }

    /// Ends the flow: JSON `{"ok": true, "token": ...}` or `{"ok": false, "error": ...}`.
    pub fn finish(&mut self, id: f64, now: f64) -> Result<String, WireError> {
        let id = id as u64;
        let flow = self.flows.remove(&id).ok_or_else(|| unknown_flow(id))?;
        let result = self.inner.finish(flow, at(now));
        to_json(&match &result {
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

    /// Sets the most verbose level to log from now on: `"error"`, `"warning"`, `"info"`,
    /// `"verbose"`, or `""` for none.
    pub fn set_log_level(&mut self, level: &str) -> Result<(), WireError> {
        let level = match level {
            "" => None,
            other => Some(parse::<LogLevel>(
                &format!("\"{}\"", other.escape_default()),
                "log level",
                "ApiMisuse",
            )?),
        };
        self.inner.set_log_level(level);
        Ok(())
    }

    /// JSON array of the log records made since the last call (`[{"level": "info", "message":
    /// "..."}]`): the credential's own, then each running flow's.
    pub fn take_log(&mut self) -> Result<String, WireError> {
        let mut records = self.inner.take_log();
        let mut ids: Vec<_> = self.flows.keys().copied().collect();
        ids.sort_unstable();
        for id in ids {
            if let Some(flow) = self.flows.get_mut(&id) {
                records.extend(flow.take_log());
            }
        }
        to_json(&records)
    }

    fn flow(&mut self, id: f64) -> Result<&mut Flow, WireError> {
        let id = id as u64;
        self.flows.get_mut(&id).ok_or_else(|| unknown_flow(id))
    }
}

fn unknown_flow(id: u64) -> WireError {
    WireError::new(
        "ApiMisuse",
        format!("no flow with id {id} (finished, or never started)"),
    )
}
