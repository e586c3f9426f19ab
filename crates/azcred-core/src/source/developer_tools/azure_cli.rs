//! `AzureCliCredential`: `az account get-access-token --output json --resource <resource>
//! [--tenant <tenant>] [--subscription <subscription>]`.

use serde_json::Value;

use crate::env::EnvSnapshot;
use crate::error::{ConfigError, TokenError};
use crate::io::{IoFailure, IoFailureKind, ProcessOutput};
use crate::options::Options;
use crate::source::developer_tools::{
    CLAIMS_MESSAGE, Classify, Command, INVALID_SCOPE_MESSAGE, OutputError, RunFlow, ToolSettings,
    base64_claims, date_value, fresh_token, is_valid_scope, is_valid_subscription, js_display,
    run_failure, scope_resource, tool_text,
};
use crate::source::{Decided, Source, SourceFlow, StartContext, TokenRequest};
use crate::time::Timestamp;
use crate::token::AccessToken;

const NAME: &str = "AzureCliCredential";
const TOOL: &str = "Azure CLI";

/// The reference's message when `az` is not installed.
pub(crate) const NOT_INSTALLED: &str = "Azure CLI could not be found. Please visit https://aka.ms/azure-cli for installation instructions and then, once installed, authenticate to your Azure account using 'az login'.";
/// The reference's message when nobody is signed in to `az`.
pub(crate) const LOGIN: &str =
    "Please run 'az login' from a command prompt to authenticate before using this credential.";
const UNEXPECTED: &str = "Unexpected response from Azure CLI when getting token.";

/// A configured `AzureCliCredential`.
#[derive(Debug)]
pub(crate) struct AzureCli {
    settings: ToolSettings,
    subscription: Option<String>,
}

/// `new AzureCliCredential(options)`: checks `tenantId`, then `subscription`, as the reference's
/// constructor does (both a plain `Error`).
pub(crate) fn azure_cli(options: &Options, env: &EnvSnapshot) -> Result<AzureCli, ConfigError> {
    let settings = ToolSettings::new(options, env)?;
    let subscription = options.subscription.clone().filter(|s| !s.is_empty());
    if let Some(s) = &subscription {
        if !is_valid_subscription(s) {
            return Err(ConfigError::invalid(format!(
                "Subscription '{s}' contains invalid characters. If this is the name of a \
                 subscription, use its ID instead. You can locate your subscription by following \
                 the instructions listed here: \
                 https://learn.microsoft.com/azure/azure-portal/get-subscription-tenant-id"
            )));
        }
    }
    Ok(AzureCli {
        settings,
        subscription,
    })
}

impl AzureCli {
    /// Checks the request in the reference's order (claims, tenant, scope) and builds the
    /// command. Nothing is spawned for a request that fails a check.
    fn command(&self, request: &TokenRequest) -> Result<Command, TokenError> {
        // Only the first scope is used; any others are ignored, as by the reference.
        let scope = request.scopes.first().map(String::as_str);
        if let Some(claims) = request.claims.as_deref().filter(|c| !c.trim().is_empty()) {
            let mut login = format!(
                "az login --claims-challenge {} --scope {}",
                base64_claims(claims),
                scope.unwrap_or("undefined")
            );
            if let Some(t) = request.tenant_id.as_deref().filter(|t| !t.is_empty()) {
                login.push_str(" --tenant ");
                login.push_str(t);
            }
            return Err(TokenError::unavailable(format!("{CLAIMS_MESSAGE} {login}")));
        }
        let tenant = self.settings.resolve_tenant(request.tenant_id.as_deref())?;
        let scope = scope
            .filter(|s| is_valid_scope(s))
            .ok_or_else(|| TokenError::unavailable(INVALID_SCOPE_MESSAGE))?;
        let mut args: Vec<String> = [
            "account",
            "get-access-token",
            "--output",
            "json",
            "--resource",
            scope_resource(scope),
        ]
        .into_iter()
        .map(str::to_owned)
        .collect();
        if let Some(t) = tenant {
            args.extend(["--tenant".to_owned(), t]);
        }
        if let Some(s) = &self.subscription {
            args.extend(["--subscription".to_owned(), s.clone()]);
        }
        self.settings.cli_command("az", args)
    }
}

impl Source for AzureCli {
    /// The request has no CAE parameter: CAE and non-CAE requests share a cache entry.
    fn request_uses_cae(&self) -> bool {
        false
    }

    fn name(&self) -> &str {
        NAME
    }

    fn describe(&self) -> String {
        let mut d = "az account get-access-token".to_owned();
        if let Some(t) = &self.settings.tenant.configured {
            d.push_str(&format!(", tenant {t}"));
        }
        if let Some(s) = &self.subscription {
            d.push_str(&format!(", subscription '{s}'"));
        }
        d.push_str(&format!(
            ", in {}, stopped after {} ms",
            self.settings.safe_working_dir(),
            self.settings.timeout_ms()
        ));
        d
    }

    fn start(&self, request: &TokenRequest, _ctx: StartContext) -> Box<dyn SourceFlow> {
        match self.command(request) {
            Ok(command) => Box::new(RunFlow::new(
                command,
                self.settings.timeout,
                AzOutcome {
                    tz_offset_minutes: self.settings.tz_offset_minutes(),
                    timeout_ms: self.settings.timeout_ms(),
                },
            )),
            Err(e) => Box::new(Decided(Some(Err(e)))),
        }
    }
}

/// Judges a run of `az`, in the reference's order: not installed, not signed in, then the output.
#[derive(Debug)]
struct AzOutcome {
    tz_offset_minutes: i32,
    timeout_ms: u128,
}

impl Classify for AzOutcome {
    fn ran(&self, output: ProcessOutput, now: Timestamp) -> Result<AccessToken, TokenError> {
        let stderr = output.stderr.as_str();
        if tool_missing(stderr, "az") {
            return Err(TokenError::unavailable(NOT_INSTALLED));
        }
        if stderr.contains("az login") && !stderr.contains("az login --scope") {
            return Err(TokenError::unavailable(LOGIN));
        }
        // The output counts even when az exits non-zero or warns on stderr, as in the reference.
        parse_output(output.stdout.expose(), now, self.tz_offset_minutes).map_err(|e| {
            let said = tool_text(stderr);
            if said.is_empty() {
                TokenError::unavailable(with_exit(e.0, output.exit_code))
            } else {
                TokenError::unavailable(said)
            }
        })
    }

    fn failed(&self, failure: IoFailure) -> TokenError {
        match failure.kind {
            IoFailureKind::NotFound => TokenError::unavailable(NOT_INSTALLED),
            _ => run_failure(TOOL, &failure, self.timeout_ms),
        }
    }
}

/// Whether `stderr` says `tool` is missing: a shell's `<tool>: ... not found` on one line, or
/// `cmd.exe`'s `'<tool>' is not recognized ...` (the reference's checks).
pub(crate) fn tool_missing(stderr: &str, tool: &str) -> bool {
    let colon = format!("{tool}:");
    let found = stderr
        .split(['\n', '\r', '\u{2028}', '\u{2029}'])
        .any(|line| {
            line.find(&colon)
                .is_some_and(|i| line[i + colon.len()..].contains("not found"))
        });
    found || stderr.starts_with(&format!("'{tool}' is not recognized"))
}

/// Adds how the process ended to a message about its output, when it did not exit with 0.
fn with_exit(message: String, exit_code: Option<i32>) -> String {
    match exit_code {
        Some(0) => message,
        Some(code) => format!("{message} The process exited with code {code}."),
        None => format!("{message} The process was killed."),
    }
}

/// Reads `az`'s JSON: `accessToken`, and `expires_on` (epoch seconds, az 2.54 and later) or else
/// `expiresOn` (local time, `"2023-11-14 22:13:20.000000"`).
pub(crate) fn parse_output(
    stdout: &str,
    now: Timestamp,
    tz_offset_minutes: i32,
) -> Result<AccessToken, OutputError> {
    if stdout.trim().is_empty() {
        return Err(OutputError(format!("{UNEXPECTED} The output is empty.")));
    }
    let v: Value = serde_json::from_str(stdout)
        .map_err(|_| OutputError(format!("{UNEXPECTED} The output is not JSON.")))?;
    let obj = v
        .as_object()
        .ok_or_else(|| OutputError(format!("{UNEXPECTED} The output is not a JSON object.")))?;
    let token = match obj.get("accessToken") {
        Some(Value::String(s)) if !s.is_empty() => s.clone(),
        _ => {
            return Err(OutputError(format!(
                "{UNEXPECTED} Expected \"accessToken\" to be a non-empty string."
            )));
        }
    };
    let from_epoch = js_parse_int(obj.get("expires_on")).map(|secs| {
        // A negative value is a time before 1970: long expired.
        let secs = u64::try_from(secs).unwrap_or(0);
        // Too large for milliseconds: saturated, so the bound check names the field.
        Timestamp::from_secs(secs)
    });
    let (expires_on, field) = match from_epoch {
        Some(t) => (t, "expires_on"),
        None => (obj
            .get("expiresOn")
            .and_then(|v| date_value(v, tz_offset_minutes))
            .ok_or_else(|| {
                OutputError(format!(
                    "{UNEXPECTED} Expected \"expiresOn\" to be a RFC3339 date string. Got: \"{}\"",
                    js_display(obj.get("expiresOn"))
                ))
            })?, "expiresOn"),
    };
    fresh_token(TOOL, token, expires_on, field, now)
}

/// `Number.parseInt(String(v), 10)` for the JSON values `az` may print: leading white space, a
/// sign, then as many digits as there are; `None` for NaN (and for values that do not fit).
fn js_parse_int(v: Option<&Value>) -> Option<i64> {
    let text = match v? {
        Value::String(s) => s.clone(),
        // `String(n)` writes numbers below 1e21 in full (so parseInt reads them whole) and
        // larger ones with an exponent (so parseInt reads the first digit).
        Value::Number(n) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => return Some(i),
            #[allow(clippy::cast_possible_truncation)]
            (None, Some(f)) if f.is_finite() && f.abs() < 1e21 => return Some(f.trunc() as i64),
            _ => n.to_string(),
        },
        _ => return None,
    };
    let s = text.trim_start_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
    let (negative, s) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let digits = s.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        return None;
    }
    // parseInt reads any length; past i64 the value is saturated (and then refused by the
    // expiry bound, naming the field) rather than ignored.
    let n: i64 = s[..digits].parse().unwrap_or(i64::MAX);
    Some(if negative { -n } else { n })
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: Timestamp = Timestamp::from_secs(1_700_000_000);

    fn expiry(body: &str, tz: i32) -> Result<Timestamp, OutputError> {
        parse_output(body, NOW, tz).map(|t| t.expires_on)
    }

    #[test]
    fn prefers_expires_on_seconds() {
        let body = r#"{"accessToken":"t","expiresOn":"2000-01-01 00:00:00.000000","expires_on":1700003600,"tokenType":"Bearer"}"#;
        assert_eq!(expiry(body, 0), Ok(Timestamp::from_secs(1_700_003_600)));
        let body = r#"{"accessToken":"t","expires_on":"1700003600"}"#;
        assert_eq!(expiry(body, 0), Ok(Timestamp::from_secs(1_700_003_600)));
        // parseInt reads a numeric prefix.
        let body = r#"{"accessToken":"t","expires_on":" 1700003600.9xyz"}"#;
        assert_eq!(expiry(body, 0), Ok(Timestamp::from_secs(1_700_003_600)));
    }

    #[test]
    fn falls_back_to_local_expires_on() {
        // 2023-11-14 18:13:20 in UTC-5 is 23:13:20 UTC.
        let body =
            r#"{"accessToken":"t","expiresOn":"2023-11-14 18:13:20.000000","expires_on":"soon"}"#;
        assert_eq!(expiry(body, -300), Ok(Timestamp::from_secs(1_700_003_600)));
        let body = r#"{"accessToken":"t","expiresOn":"2023-11-14 23:13:20.000000"}"#;
        assert_eq!(expiry(body, 0), Ok(Timestamp::from_secs(1_700_003_600)));
    }

    #[test]
    fn bad_output_is_described_without_the_output() {
        let secret = "eyJ0eXAiOiJKV1QiLCJzZWNyZXQiOnRydWV9";
        let cases = [
            (String::new(), "The output is empty."),
            (format!("{secret} not json"), "The output is not JSON."),
            (
                format!("[\"{secret}\"]"),
                "The output is not a JSON object.",
            ),
            (
                r#"{"expires_on":1700003600}"#.to_owned(),
                "Expected \"accessToken\" to be a non-empty string.",
            ),
            (
                format!(r#"{{"accessToken":"{secret}"}}"#),
                "Expected \"expiresOn\" to be a RFC3339 date string. Got: \"undefined\"",
            ),
            (
                format!(r#"{{"accessToken":"{secret}","expiresOn":"tomorrow"}}"#),
                "Expected \"expiresOn\" to be a RFC3339 date string. Got: \"tomorrow\"",
            ),
            (
                format!(r#"{{"accessToken":"{secret}","expires_on":1600000000}}"#),
                "Azure CLI returned a token that has already expired.",
            ),
            (
                format!(r#"{{"accessToken":"{secret}","expires_on":-5}}"#),
                "Azure CLI returned a token that has already expired.",
            ),
        ];
        for (body, want) in cases {
            let e = parse_output(&body, NOW, 0).unwrap_err();
            assert!(e.0.ends_with(want), "{body}: {e}");
            assert!(!e.0.contains(secret), "{e}");
        }
    }

    #[test]
    fn missing_tool_messages() {
        assert!(tool_missing("/bin/sh: 1: az: not found\n", "az"));
        assert!(tool_missing("bash: az: command not found", "az"));
        assert!(tool_missing(
            "'az' is not recognized as an internal or external command,",
            "az"
        ));
        assert!(!tool_missing("az:\nnot found", "az"));
        assert!(!tool_missing("ERROR: resource not found", "az"));
        assert!(!tool_missing(" 'az' is not recognized", "az"));
    }

    #[test]
    fn parse_int_is_total() {
        for (v, want) in [
            (serde_json::json!("12"), Some(12)),
            (serde_json::json!("-12"), Some(-12)),
            (serde_json::json!("+7x"), Some(7)),
            (serde_json::json!("x7"), None),
            (serde_json::json!(""), None),
            (serde_json::json!("-"), None),
            // Saturated, so the expiry bound refuses it by name (D8).
            (serde_json::json!("99999999999999999999999"), Some(i64::MAX)),
            (serde_json::json!(true), None),
            (serde_json::json!(null), None),
            (serde_json::json!(3.9), Some(3)),
        ] {
            assert_eq!(js_parse_int(Some(&v)), want, "{v}");
        }
        assert_eq!(js_parse_int(None), None);
    }
}
