//! `AzureDeveloperCliCredential`: `azd auth token --output json --no-prompt --scope <s1>
//! [--scope <s2> ...] [--tenant-id <tenant>] [--claims <base64 claims>]`.

use serde_json::Value;

use crate::env::EnvSnapshot;
use crate::error::{ConfigError, TokenError};
use crate::io::{IoFailure, IoFailureKind, ProcessOutput};
use crate::options::Options;
use crate::source::developer_tools::azure_cli::tool_missing;
use crate::source::developer_tools::{
    CLAIMS_MESSAGE, Classify, Command, INVALID_SCOPE_MESSAGE, OutputError, RunFlow, ToolSettings,
    base64_claims, date_value, fresh_token, is_valid_scope, js_display, run_failure, tool_text,
};
use crate::source::{Decided, Source, SourceFlow, StartContext, TokenRequest};
use crate::time::Timestamp;
use crate::token::AccessToken;

const NAME: &str = "AzureDeveloperCliCredential";
const TOOL: &str = "Azure Developer CLI";

/// The reference's message when `azd` is not installed.
pub(crate) const NOT_INSTALLED: &str = "Azure Developer CLI couldn't be found. To mitigate this issue, see the troubleshooting guidelines at https://aka.ms/azsdk/js/identity/azdevclicredential/troubleshoot.";
/// The reference's message when nobody is signed in to `azd`.
pub(crate) const LOGIN: &str = "Please run 'azd auth login' from a command prompt to authenticate before using this credential. For more information, see the troubleshooting guidelines at https://aka.ms/azsdk/js/identity/azdevclicredential/troubleshoot.";
const UNEXPECTED: &str = "Unexpected response from Azure Developer CLI when getting token.";

/// A configured `AzureDeveloperCliCredential`.
#[derive(Debug)]
pub(crate) struct AzureDeveloperCli {
    settings: ToolSettings,
}

/// `new AzureDeveloperCliCredential(options)`: checks `tenantId` (a plain `Error`).
pub(crate) fn azure_developer_cli(
    options: &Options,
    env: &EnvSnapshot,
) -> Result<AzureDeveloperCli, ConfigError> {
    Ok(AzureDeveloperCli {
        settings: ToolSettings::new(options, env)?,
    })
}

impl AzureDeveloperCli {
    /// Checks the request in the reference's order (tenant, then every scope) and builds the
    /// command. Nothing is spawned for a request that fails a check.
    fn command(&self, request: &TokenRequest) -> Result<Command, TokenError> {
        let tenant = self.settings.resolve_tenant(request.tenant_id.as_deref())?;
        if !request.scopes.iter().all(|s| is_valid_scope(s)) {
            return Err(TokenError::unavailable(INVALID_SCOPE_MESSAGE));
        }
        let mut args: Vec<String> = ["auth", "token", "--output", "json", "--no-prompt"]
            .into_iter()
            .map(str::to_owned)
            .collect();
        for scope in &request.scopes {
            args.extend(["--scope".to_owned(), scope.clone()]);
        }
        if let Some(t) = tenant {
            args.extend(["--tenant-id".to_owned(), t]);
        }
        // azd answers claims challenges itself. The reference tests the claims for truthiness
        // only (no trim), so white space is passed on.
        if let Some(claims) = request.claims.as_deref().filter(|c| !c.is_empty()) {
            args.extend(["--claims".to_owned(), base64_claims(claims)]);
        }
        self.settings.cli_command("azd", args)
    }
}

impl Source for AzureDeveloperCli {
    /// The request has no CAE parameter: CAE and non-CAE requests share a cache entry.
    fn request_uses_cae(&self) -> bool {
        false
    }

    fn name(&self) -> &str {
        NAME
    }

    fn describe(&self) -> String {
        let mut d = "azd auth token".to_owned();
        if let Some(t) = &self.settings.tenant.configured {
            d.push_str(&format!(", tenant {t}"));
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
                AzdOutcome {
                    scopes: request.scopes.clone(),
                    tz_offset_minutes: self.settings.tz_offset_minutes(),
                    timeout_ms: self.settings.timeout_ms(),
                },
            )),
            Err(e) => Box::new(Decided(Some(Err(e)))),
        }
    }
}

/// Judges a run of `azd`, in the reference's order: not installed, not signed in, multi-factor
/// authentication required, then the output.
#[derive(Debug)]
struct AzdOutcome {
    scopes: Vec<String>,
    tz_offset_minutes: i32,
    timeout_ms: u128,
}

impl Classify for AzdOutcome {
    fn ran(&self, output: ProcessOutput, now: Timestamp) -> Result<AccessToken, TokenError> {
        let stderr = output.stderr.as_str();
        if tool_missing(stderr, "azd") {
            return Err(TokenError::unavailable(NOT_INSTALLED));
        }
        if stderr.contains("not logged in, run `azd login` to login")
            || stderr.contains("not logged in, run `azd auth login` to login")
        {
            return Err(TokenError::unavailable(LOGIN));
        }
        if stderr.contains("must use multi-factor authentication")
            || stderr.contains("reauthentication required")
        {
            let scopes: Vec<String> = self.scopes.iter().map(|s| format!("--scope {s}")).collect();
            return Err(TokenError::unavailable(format!(
                "{CLAIMS_MESSAGE} azd auth login {}",
                scopes.join(" ")
            )));
        }
        parse_output(output.stdout.expose(), now, self.tz_offset_minutes).map_err(|e| {
            let said = tool_text(&stderr_message(stderr));
            if said.is_empty() {
                TokenError::unavailable(e.0)
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

/// The reference's `parseAzdStderr`: azd prints JSON lines on stderr. The first line with a
/// non-blank `error` string wins; else the first non-blank `data.message`; else the raw text.
pub(crate) fn stderr_message(stderr: &str) -> String {
    if stderr.trim().is_empty() {
        return stderr.to_owned();
    }
    let mut fallback = None;
    for line in stderr.split('\n') {
        let line = line.trim();
        if !line.starts_with('{') {
            continue;
        }
        let Ok(v) = serde_json::from_str::<Value>(line) else {
            continue;
        };
        if let Some(e) = v.get("error").and_then(Value::as_str) {
            if !e.trim().is_empty() {
                return e.trim().to_owned();
            }
        }
        if fallback.is_none() {
            fallback = v
                .get("data")
                .and_then(|d| d.get("message"))
                .and_then(Value::as_str)
                .map(str::trim)
                .filter(|m| !m.is_empty())
                .map(str::to_owned);
        }
    }
    fallback.unwrap_or_else(|| stderr.to_owned())
}

/// Reads `azd`'s JSON: `{"token": "...", "expiresOn": "2023-11-14T23:13:20Z"}`.
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
    let token = match v.get("token") {
        Some(Value::String(s)) if !s.is_empty() => s.clone(),
        _ => {
            return Err(OutputError(format!(
                "{UNEXPECTED} Expected \"token\" to be a non-empty string."
            )));
        }
    };
    let expires_on = v
        .get("expiresOn")
        .and_then(|e| date_value(e, tz_offset_minutes))
        .ok_or_else(|| {
            OutputError(format!(
                "{UNEXPECTED} Expected \"expiresOn\" to be a RFC3339 date string. Got: \"{}\"",
                js_display(v.get("expiresOn"))
            ))
        })?;
    fresh_token(TOOL, token, expires_on, "expiresOn", now)
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: Timestamp = Timestamp::from_secs(1_700_000_000);

    #[test]
    fn output() {
        let t = parse_output(
            r#"{"token":"t","expiresOn":"2023-11-14T23:13:20Z"}"#,
            NOW,
            300,
        )
        .unwrap();
        assert_eq!(t.expires_on, Timestamp::from_secs(1_700_003_600));
        assert_eq!(t.token.expose(), "t");
        assert_eq!(t.refresh_after, None);
    }

    #[test]
    fn bad_output_never_quotes_the_token() {
        let secret = "eyJzZWNyZXQiOnRydWV9";
        for (body, want) in [
            (" \n".to_owned(), "The output is empty."),
            (format!("token={secret}"), "The output is not JSON."),
            (
                r#"{"expiresOn":"2023-11-14T23:13:20Z"}"#.to_owned(),
                "Expected \"token\" to be a non-empty string.",
            ),
            (
                format!(r#"{{"token":"{secret}","expiresOn":5}}"#),
                "Azure Developer CLI returned a token that has already expired.",
            ),
            (
                format!(r#"{{"token":"{secret}","expiresOn":{{"a":1}}}}"#),
                "Got: \"{\"a\":1}\"",
            ),
        ] {
            let e = parse_output(&body, NOW, 0).unwrap_err();
            assert!(e.0.ends_with(want), "{body}: {e}");
            assert!(!e.0.contains(secret));
        }
    }

    #[test]
    fn stderr_formats_of_each_azd_version() {
        let legacy = "{\"type\":\"consoleMessage\",\"timestamp\":\"t\",\"data\":{\"message\":\"\\nERROR: fetching token: boom\\n\"}}\n";
        assert_eq!(stderr_message(legacy), "ERROR: fetching token: boom");
        let middle = "{\"type\":\"consoleMessage\",\"data\":{\"message\":\"\"}}\n{\"error\":\"fetching token: AADSTS70043\",\"message\":\"m\",\"suggestion\":\"s\"}\n";
        assert_eq!(stderr_message(middle), "fetching token: AADSTS70043");
        let current = "{\"error\":\" expired \",\"message\":\"m\"}";
        assert_eq!(stderr_message(current), "expired");
        assert_eq!(stderr_message("plain text\n"), "plain text\n");
        assert_eq!(stderr_message("{not json\n"), "{not json\n");
        assert_eq!(stderr_message("   "), "   ");
    }
}
