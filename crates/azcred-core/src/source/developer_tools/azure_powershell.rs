//! `AzurePowerShellCredential`: probes `pwsh /?`, then runs `pwsh -NoProfile -NonInteractive
//! -Command <script>`, where the script calls `Get-AzAccessToken` and prints `{Token, ExpiresOn}`
//! as JSON. The resource and tenant reach the script through environment variables, never through
//! the command line.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use serde_json::Value;

use crate::env::{EnvSnapshot, Platform};
use crate::error::{ConfigError, Misuse, TokenError};
use crate::io::{Action, IoFailure, IoFailureKind, ProcessOutput, Reply};
use crate::options::Options;
use crate::source::developer_tools::{
    CLAIMS_MESSAGE, Command, INVALID_SCOPE_MESSAGE, OutputError, ToolSettings, base64_claims,
    date_value, fresh_token, is_valid_scope, scope_resource, tool_text,
};
use crate::source::{
    Decided, Outstanding, Source, SourceFlow, SourceStep, StartContext, TokenRequest,
};
use crate::time::Timestamp;
use crate::token::AccessToken;

const NAME: &str = "AzurePowerShellCredential";
const TOOL: &str = "PowerShell";

/// Carries the resource to the script.
pub(crate) const RESOURCE_VAR: &str = "AZURE_IDENTITY_POWERSHELL_RESOURCE";
/// Carries the tenant to the script (`""` for none).
pub(crate) const TENANT_VAR: &str = "AZURE_IDENTITY_POWERSHELL_TENANT_ID";

/// The reference's link, appended to most of its PowerShell errors.
const TROUBLESHOOT: &str =
    "To troubleshoot, visit https://aka.ms/azsdk/js/identity/powershellcredential/troubleshoot.";
/// The reference's message when `Az.Accounts` is missing or older than 2.2.0.
pub(crate) const NOT_INSTALLED: &str = "The 'Az.Account' module >= 2.2.0 is not installed. Install the Azure Az PowerShell module with: \"Install-Module -Name Az -Scope CurrentUser -Repository PSGallery -Force\".";
/// The reference's message when nobody is signed in to Azure PowerShell.
pub(crate) const LOGIN: &str =
    "Please run 'Connect-AzAccount' from PowerShell to authenticate before using this credential.";
/// What PowerShell says when `Import-Module Az.Accounts -MinimumVersion 2.2.0` finds nothing.
const MODULE_MISSING: &str = "The specified module 'Az.Accounts' with version '2.2.0' was not loaded because no valid module file was found in any module directory";
/// What `Get-AzAccessToken` says when nobody is signed in.
const LOGIN_NEEDED: &str = "Run Connect-AzAccount to login";

/// The reference's script, byte for byte (its template literal's line breaks and indentation
/// included), so the process sees exactly what `@azure/identity` would run.
///
/// It imports `Az.Accounts` 2.2.0 or later; asks for a `SecureString` token on the module versions
/// that offer one and still return a plain string otherwise ([2.17.0, 5.0.0)); unwraps the
/// `SecureString` (BSTR marshalling on Windows PowerShell, `ConvertFrom-SecureString
/// -AsPlainText` on PowerShell 7+); and prints `{ExpiresOn, Token}` with `ConvertTo-Json`.
pub(crate) const SCRIPT: &str = concat!(
    "\n",
    "          $tenantId = $env:AZURE_IDENTITY_POWERSHELL_TENANT_ID\n",
    "          $resource = $env:AZURE_IDENTITY_POWERSHELL_RESOURCE\n",
    "          $m = Import-Module Az.Accounts -MinimumVersion 2.2.0 -PassThru\n",
    "          $useSecureString = $m.Version -ge [version]'2.17.0' -and $m.Version -lt [version]'5.0.0'\n",
    "\n",
    "          $params = @{\n",
    "            ResourceUrl = $resource\n",
    "          }\n",
    "\n",
    "          if ($tenantId.Length -gt 0) {\n",
    "            $params[\"TenantId\"] = $tenantId\n",
    "          }\n",
    "\n",
    "          if ($useSecureString) {\n",
    "            $params[\"AsSecureString\"] = $true\n",
    "          }\n",
    "\n",
    "          $token = Get-AzAccessToken @params\n",
    "\n",
    "          $result = New-Object -TypeName PSObject\n",
    "          $result | Add-Member -MemberType NoteProperty -Name ExpiresOn -Value $token.ExpiresOn\n",
    "\n",
    "          if ($token.Token -is [System.Security.SecureString]) {\n",
    "            if ($PSVersionTable.PSVersion.Major -lt 7) {\n",
    "              $ssPtr = [System.Runtime.InteropServices.Marshal]::SecureStringToBSTR($token.Token)\n",
    "              try {\n",
    "                $result | Add-Member -MemberType NoteProperty -Name Token -Value ([System.Runtime.InteropServices.Marshal]::PtrToStringBSTR($ssPtr))\n",
    "              }\n",
    "              finally {\n",
    "                [System.Runtime.InteropServices.Marshal]::ZeroFreeBSTR($ssPtr)\n",
    "              }\n",
    "            }\n",
    "            else {\n",
    "              $result | Add-Member -MemberType NoteProperty -Name Token -Value ($token.Token | ConvertFrom-SecureString -AsPlainText)\n",
    "            }\n",
    "          }\n",
    "          else {\n",
    "            $result | Add-Member -MemberType NoteProperty -Name Token -Value $token.Token\n",
    "          }\n",
    "\n",
    "          Write-Output (ConvertTo-Json $result)\n",
    "          ",
);

/// A configured `AzurePowerShellCredential`.
#[derive(Debug)]
pub(crate) struct AzurePowerShell {
    settings: ToolSettings,
    commands: &'static [&'static str],
    /// The first command not yet found unusable. The reference keeps this list process-wide and
    /// drops its head for good whenever a probe fails; here each credential keeps its own, so
    /// one credential's misfortune does not change another's (and tests stay independent).
    first_usable: Arc<AtomicUsize>,
}

/// `new AzurePowerShellCredential(options)`: checks `tenantId` (a plain `Error`).
pub(crate) fn azure_powershell(
    options: &Options,
    env: &EnvSnapshot,
) -> Result<AzurePowerShell, ConfigError> {
    let commands: &'static [&'static str] = if env.platform() == Platform::Win32 {
        &["pwsh.exe", "powershell.exe"]
    } else {
        &["pwsh"]
    };
    Ok(AzurePowerShell {
        settings: ToolSettings::new(options, env)?,
        commands,
        first_usable: Arc::new(AtomicUsize::new(0)),
    })
}

/// `CredentialUnavailable` with the reference's shape for errors that are not recognized:
/// `String(err)` (here always an `Error`), a period, and the troubleshooting link.
fn troubleshoot(kind: &str, message: &str) -> TokenError {
    TokenError::unavailable(format!("{kind}: {message}. {TROUBLESHOOT}"))
}

/// The reference's recognition of its two well-known failures, else the generic shape.
fn classify(kind: &str, message: &str) -> TokenError {
    if message.contains(MODULE_MISSING) {
        TokenError::unavailable(NOT_INSTALLED)
    } else if message.contains(LOGIN_NEEDED) {
        TokenError::unavailable(LOGIN)
    } else {
        troubleshoot(kind, message)
    }
}

impl AzurePowerShell {
    /// Checks the request in the reference's order (claims, tenant, scope); returns the
    /// resource and tenant for the script. Nothing is spawned for a request that fails a check.
    fn check(&self, request: &TokenRequest) -> Result<(String, Option<String>), TokenError> {
        let scope = request.scopes.first().map(String::as_str);
        if let Some(claims) = request.claims.as_deref().filter(|c| !c.trim().is_empty()) {
            let mut login = format!(
                "Connect-AzAccount -ClaimsChallenge {}",
                base64_claims(claims)
            );
            if let Some(t) = request.tenant_id.as_deref().filter(|t| !t.is_empty()) {
                login.push_str(" -Tenant ");
                login.push_str(t);
            }
            return Err(TokenError::unavailable(format!("{CLAIMS_MESSAGE} {login}")));
        }
        let tenant = self.settings.resolve_tenant(request.tenant_id.as_deref())?;
        let scope = scope
            .filter(|s| is_valid_scope(s))
            .ok_or_else(|| troubleshoot("Error", INVALID_SCOPE_MESSAGE))?;
        Ok((scope_resource(scope).to_owned(), tenant))
    }
}

impl Source for AzurePowerShell {
    /// The request has no CAE parameter: CAE and non-CAE requests share a cache entry.
    fn request_uses_cae(&self) -> bool {
        false
    }

    fn name(&self) -> &str {
        NAME
    }

    fn describe(&self) -> String {
        let mut d = format!(
            "{} -NoProfile -NonInteractive -Command Get-AzAccessToken",
            self.commands.join(" or ")
        );
        if let Some(t) = &self.settings.tenant.configured {
            d.push_str(&format!(", tenant {t}"));
        }
        d.push_str(&format!(
            ", stopped after {} ms",
            self.settings.timeout_ms()
        ));
        d
    }

    fn start(&self, request: &TokenRequest, ctx: StartContext) -> Box<dyn SourceFlow> {
        let (resource, tenant) = match self.check(request) {
            Ok(v) => v,
            Err(e) => return Box::new(Decided(Some(Err(e)))),
        };
        Box::new(PwshFlow {
            commands: self.commands,
            first_usable: Arc::clone(&self.first_usable),
            index: self.first_usable.load(Ordering::Relaxed),
            // A credential that already got a token from PowerShell skips the probe.
            stage: if ctx.proven {
                Stage::Token
            } else {
                Stage::Probe
            },
            env: vec![
                (RESOURCE_VAR.to_owned(), resource),
                (TENANT_VAR.to_owned(), tenant.unwrap_or_default()),
            ],
            timeout: self.settings.timeout,
            tz_offset_minutes: self.settings.tz_offset_minutes(),
            outstanding: Outstanding::default(),
            result: None,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    /// `<command> /?`: is this PowerShell usable?
    Probe,
    /// The script.
    Token,
    Done,
}

#[derive(Debug)]
struct PwshFlow {
    commands: &'static [&'static str],
    first_usable: Arc<AtomicUsize>,
    index: usize,
    stage: Stage,
    env: Vec<(String, String)>,
    timeout: Duration,
    tz_offset_minutes: i32,
    outstanding: Outstanding,
    result: Option<Result<AccessToken, TokenError>>,
}

impl PwshFlow {
    fn finish(&mut self, r: Result<AccessToken, TokenError>) {
        self.stage = Stage::Done;
        self.result = Some(r);
    }

    /// The command at `index`, or the reference's error when none is left.
    fn program(&mut self) -> Option<&'static str> {
        self.index = self.index.max(self.first_usable.load(Ordering::Relaxed));
        let program = self.commands.get(self.index).copied();
        if program.is_none() {
            self.finish(Err(troubleshoot(
                "Error",
                "Unable to execute PowerShell. Ensure that it is installed in your system",
            )));
        }
        program
    }

    fn on_probe(&mut self, outcome: Result<ProcessOutput, IoFailure>) {
        // Usable means: it ran, exited with 0 and wrote nothing on stderr.
        match outcome {
            Ok(out) if out.exit_code == Some(0) && out.stderr.is_empty() => {
                self.stage = Stage::Token;
            }
            Err(IoFailure {
                kind: IoFailureKind::Aborted,
                ..
            }) => self.finish(Err(TokenError::aborted())),
            _ => {
                self.first_usable
                    .fetch_max(self.index + 1, Ordering::Relaxed);
                self.index += 1;
            }
        }
    }

    fn on_token(&mut self, outcome: Result<ProcessOutput, IoFailure>, now: Timestamp) {
        let r = match outcome {
            Ok(out) => self.judge(out, now),
            Err(f) => Err(match f.kind {
                IoFailureKind::Aborted => TokenError::aborted(),
                IoFailureKind::NotFound => troubleshoot(
                    "Error",
                    "Unable to execute PowerShell. Ensure that it is installed in your system",
                ),
                IoFailureKind::TimedOut => troubleshoot(
                    "Error",
                    &format!(
                        "{TOOL} did not finish within {} ms and was stopped; to allow more \
                         time, set processTimeoutInMs",
                        self.timeout.as_millis()
                    ),
                ),
                IoFailureKind::Unsupported => troubleshoot(
                    "Error",
                    "PowerShell cannot be run here: this runtime cannot start processes",
                ),
                _ => troubleshoot(
                    "Error",
                    &format!("{TOOL} could not be run: {}", tool_text(&f.message)),
                ),
            }),
        };
        self.finish(r);
    }

    /// Any stderr output fails the call; so does a non-zero exit; else the output is read.
    fn judge(&self, out: ProcessOutput, now: Timestamp) -> Result<AccessToken, TokenError> {
        if !out.stderr.is_empty() {
            return Err(classify("Error", &tool_text(&out.stderr)));
        }
        match out.exit_code {
            Some(0) => {}
            Some(code) => {
                return Err(classify(
                    "ProcessError",
                    &format!("The process exited with code {code}."),
                ));
            }
            None => {
                return Err(classify(
                    "ProcessError",
                    "The process could not be completed.",
                ));
            }
        }
        parse_output(out.stdout.expose(), now, self.tz_offset_minutes)
            .map_err(|e| troubleshoot("Error", &e.0))
    }
}

impl SourceFlow for PwshFlow {
    fn poll(&mut self, now: Timestamp) -> SourceStep {
        if let Some(step) = self.outstanding.repeat() {
            return step;
        }
        let (args, env, env_remove) = match self.stage {
            Stage::Done => {
                return SourceStep::Done(self.result.take().unwrap_or_else(|| {
                    Err(TokenError::unavailable("the flow has already finished"))
                }));
            }
            Stage::Probe => (vec!["/?".to_owned()], Vec::new(), Vec::new()),
            Stage::Token => (
                ["-NoProfile", "-NonInteractive", "-Command", SCRIPT]
                    .into_iter()
                    .map(str::to_owned)
                    .collect(),
                self.env.clone(),
                // Any spelling of these two is dropped before the fresh values are set.
                vec![RESOURCE_VAR.to_owned(), TENANT_VAR.to_owned()],
            ),
        };
        let Some(program) = self.program() else {
            return self.poll(now);
        };
        // PowerShell runs in the caller's working directory, as in the reference.
        let command = Command {
            program: program.to_owned(),
            args,
            env,
            env_remove,
            cwd: None,
        };
        self.outstanding.perform(command.action(now, self.timeout))
    }

    fn handle(&mut self, reply: Reply, now: Timestamp) -> Result<(), Misuse> {
        let Action::Run { .. } = self.outstanding.peek()? else {
            return Err(Misuse::WrongReply);
        };
        // A reply of the wrong kind leaves the action outstanding, to be performed again.
        let outcome = match reply {
            Reply::Ran(out) => Ok(out),
            Reply::Failed(f) => Err(f),
            _ => return Err(Misuse::WrongReply),
        };
        self.outstanding.clear();
        match self.stage {
            Stage::Probe => self.on_probe(outcome),
            Stage::Token => self.on_token(outcome, now),
            Stage::Done => return Err(Misuse::Finished),
        }
        Ok(())
    }
}

/// Reads the script's output the reference's way: scan for `{...}` runs with no braces inside
/// (`/{[^{}]*}/g`) and take the first that is JSON with a truthy `Token`. Anything else on stdout
/// (module warnings) is ignored.
pub(crate) fn parse_output(
    stdout: &str,
    now: Timestamp,
    tz_offset_minutes: i32,
) -> Result<AccessToken, OutputError> {
    let found = flat_objects(stdout)
        .filter_map(|candidate| serde_json::from_str::<Value>(candidate).ok())
        .find(|v| v.get("Token").is_some_and(truthy));
    let Some(v) = found else {
        return Err(OutputError(format!(
            "No access token found in the output ({} characters received)",
            stdout.chars().count()
        )));
    };
    let token = match v.get("Token") {
        Some(Value::String(s)) => s.clone(),
        _ => {
            return Err(OutputError(
                "Unexpected output from PowerShell: \"Token\" is not a string".to_owned(),
            ));
        }
    };
    let expires_on = v
        .get("ExpiresOn")
        .and_then(|e| date_value(e, tz_offset_minutes))
        .ok_or_else(|| {
            OutputError("Unexpected output from PowerShell: \"ExpiresOn\" is not a date".to_owned())
        })?;
    fresh_token(TOOL, token, expires_on, "ExpiresOn", now)
        .map_err(|e| OutputError(e.0.trim_end_matches('.').to_owned()))
}

/// JavaScript truthiness of a JSON value.
fn truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(_) | Value::Object(_) => true,
    }
}

/// The matches of `/{[^{}]*}/g`, left to right.
fn flat_objects(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = 0;
    std::iter::from_fn(move || {
        loop {
            let start = rest + text[rest..].find('{')?;
            let after = start + 1;
            match text[after..].find(['{', '}']) {
                None => {
                    rest = text.len();
                    return None;
                }
                Some(i) if text.as_bytes()[after + i] == b'{' => rest = after + i,
                Some(i) => {
                    rest = after + i + 1;
                    return Some(&text[start..rest]);
                }
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: Timestamp = Timestamp::from_secs(1_700_000_000);

    #[test]
    fn scan_matches_the_reference_regex() {
        let text = "{a}{{b}x{c{d}}}{";
        assert_eq!(
            flat_objects(text).collect::<Vec<_>>(),
            ["{a}", "{b}", "{d}"]
        );
        assert_eq!(flat_objects("no braces").count(), 0);
        assert_eq!(flat_objects("}{").count(), 0);
        assert_eq!(flat_objects("ä{é}ü").collect::<Vec<_>>(), ["{é}"]);
    }

    #[test]
    fn first_object_with_a_token_wins() {
        let out = "WARNING: Upcoming breaking changes {\"Token\":\"\"}\n{\n  \"ExpiresOn\": \"2023-11-14T23:13:20+00:00\",\n  \"Token\": \"tok\"\n}\n{\"Token\":\"other\",\"ExpiresOn\":\"2023-11-14T23:13:20Z\"}";
        let t = parse_output(out, NOW, 0).unwrap();
        assert_eq!(t.token.expose(), "tok");
        assert_eq!(t.expires_on, Timestamp::from_secs(1_700_003_600));
    }

    #[test]
    fn windows_powershell_dates() {
        let out = r#"{"ExpiresOn":"\/Date(1700003600000)\/","Token":"tok"}"#;
        let t = parse_output(out, NOW, 0).unwrap();
        assert_eq!(t.expires_on, Timestamp::from_secs(1_700_003_600));
    }

    #[test]
    fn bad_output_never_quotes_the_output() {
        let secret = "eyJzZWNyZXQiOnRydWV9";
        for (out, want) in [
            (
                secret.to_owned(),
                "No access token found in the output (20 characters received)",
            ),
            (
                format!("{{\"Token\":{{\"v\":\"{secret}\"}}}}"),
                "No access token found in the output",
            ),
            ("{\"Token\":5}".to_owned(), "\"Token\" is not a string"),
            (
                format!("{{\"Token\":\"{secret}\"}}"),
                "\"ExpiresOn\" is not a date",
            ),
            (
                format!("{{\"Token\":\"{secret}\",\"ExpiresOn\":\"2020-01-01T00:00:00Z\"}}"),
                "PowerShell returned a token that has already expired",
            ),
        ] {
            let e = parse_output(&out, NOW, 0).unwrap_err();
            assert!(e.0.contains(want), "{out}: {e}");
            assert!(!e.0.contains(secret));
        }
    }

    #[test]
    fn truthiness() {
        assert!(!truthy(&serde_json::json!(0)));
        assert!(!truthy(&serde_json::json!(false)));
        assert!(!truthy(&serde_json::json!("")));
        assert!(truthy(&serde_json::json!([])));
        assert!(truthy(&serde_json::json!(-1.5)));
    }
}
