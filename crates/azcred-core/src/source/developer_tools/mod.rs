//! The developer-tool credentials: `AzureCliCredential` (`az`), `AzureDeveloperCliCredential`
//! (`azd`) and `AzurePowerShellCredential` (`pwsh`). Each runs a tool the developer is signed in
//! to and reads a token from its output.
//!
//! What they share lives here: the tenant, scope and subscription checks that run before anything
//! is spawned, the command (working directory, and `cmd.exe` on Windows), the process deadline,
//! the mapping of IO failures to errors, and the parsers of the tools' date strings.

pub(crate) mod azure_cli;
pub(crate) mod azure_developer_cli;
pub(crate) mod azure_powershell;

use std::fmt;
use std::time::Duration;

use base64::Engine as _;
use serde_json::Value;

pub(crate) use azure_cli::azure_cli;
pub(crate) use azure_developer_cli::azure_developer_cli;
pub(crate) use azure_powershell::azure_powershell;

use crate::env::{EnvSnapshot, Platform};
use crate::error::{ConfigError, ErrorKind, Misuse, TokenError};
use crate::io::{Action, IoFailure, IoFailureKind, ProcessOutput, Reply};
use crate::options::Options;
use crate::source::{Outstanding, SourceFlow, SourceStep, excerpt};
use crate::tenant::{INVALID_TENANT_MESSAGE, TenantPolicy, is_valid_tenant};
use crate::time::Timestamp;
use crate::token::{AccessToken, parse_rfc3339};

/// How long a tool may run before it is killed, unless `processTimeoutInMs` says otherwise.
///
/// The reference has no default and waits forever for a hung tool; azcred promises that nothing
/// hangs. `az` and `azd` answer within a few seconds (a token refresh included), and a cold
/// `pwsh` importing `Az.Accounts` within about ten on a slow machine: 30 s never cuts a working
/// tool short, yet a hung one does not stall a chain for long.
pub(crate) const DEFAULT_PROCESS_TIMEOUT: Duration = Duration::from_secs(30);

/// The longest piece of a tool's own text (stderr, an odd expiry value) put into a message.
const MAX_TOOL_TEXT: usize = 1000;

/// The reference's message for a scope with characters outside `[0-9a-zA-Z-_.:/]`.
pub(crate) const INVALID_SCOPE_MESSAGE: &str =
    "Invalid scope was specified by the user or calling client";

/// The start of the reference's message for a claims challenge the tool cannot answer.
pub(crate) const CLAIMS_MESSAGE: &str = "This credential doesn't support claims challenges. To authenticate with the required claims, please run the following command:";

/// Used on Windows when neither `SystemRoot` nor `SYSTEMROOT` is set (the reference's fallback).
const DEFAULT_SYSTEM_ROOT: &str = "C:\\Windows";

/// Whether `scope` matches the reference's `^[0-9a-zA-Z-_.:/]+$`, the only scopes a developer
/// tool is given.
pub(crate) fn is_valid_scope(scope: &str) -> bool {
    !scope.is_empty()
        && scope
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':' | b'/'))
}

/// Whether `subscription` matches the reference's `^[0-9a-zA-Z-._ ]+$`.
pub(crate) fn is_valid_subscription(subscription: &str) -> bool {
    !subscription.is_empty()
        && subscription
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b' '))
}

/// The resource of a scope, the reference's `scope.replace(/\/.default$/, "")`. Its `.` is
/// unescaped, so any character may stand between `/` and `default`.
pub(crate) fn scope_resource(scope: &str) -> &str {
    let Some(rest) = scope.strip_suffix("default") else {
        return scope;
    };
    let mut chars = rest.chars();
    // JS `.` matches any character but a line terminator.
    match chars.next_back() {
        Some('\n' | '\r' | '\u{2028}' | '\u{2029}') | None => scope,
        Some(_) => chars.as_str().strip_suffix('/').unwrap_or(scope),
    }
}

/// `Buffer.from(claims, "utf-8").toString("base64")`: standard alphabet, padded.
pub(crate) fn base64_claims(claims: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(claims.as_bytes())
}

/// A tool's own text made fit for a message: trimmed, control characters (line breaks included)
/// replaced by spaces, and at most [`MAX_TOOL_TEXT`] characters, so a tool cannot forge log lines
/// or flood a message. Never called on stdout, which can hold a token.
pub(crate) fn tool_text(text: &str) -> String {
    excerpt(&text.trim().replace("\r\n", "\n"), MAX_TOOL_TEXT)
}

/// The host facts and options every developer-tool credential shares.
#[derive(Debug, Clone)]
pub(crate) struct ToolSettings {
    /// The configured tenant and `additionallyAllowedTenants`.
    pub(crate) tenant: TenantPolicy,
    /// How long each process may run.
    pub(crate) timeout: Duration,
    platform: Platform,
    system_root: Option<String>,
    tz_offset_minutes: i32,
}

impl ToolSettings {
    /// Reads `tenantId` (checked now, as the reference's constructors do),
    /// `additionallyAllowedTenants` and `processTimeoutInMs`.
    pub(crate) fn new(options: &Options, env: &EnvSnapshot) -> Result<Self, ConfigError> {
        // The reference checks and keeps the tenant only when it is truthy: "" means none.
        let configured = options.tenant_id.clone().filter(|t| !t.is_empty());
        if let Some(t) = &configured {
            if !is_valid_tenant(t) {
                return Err(ConfigError::invalid(INVALID_TENANT_MESSAGE));
            }
        }
        let allowed = options
            .additionally_allowed_tenants
            .clone()
            .unwrap_or_default();
        // 0 would mean "never kill it" to Node's `execFile`; here every process has a deadline.
        let timeout = match options.process_timeout_in_ms {
            Some(ms) if ms > 0 => Duration::from_millis(ms.min(crate::time::MAX_TIMER_MS)),
            _ => DEFAULT_PROCESS_TIMEOUT,
        };
        Ok(Self {
            tenant: TenantPolicy::new(configured, allowed, env),
            timeout,
            platform: env.platform(),
            system_root: env
                .get("SystemRoot")
                .or_else(|| env.get("SYSTEMROOT"))
                .map(str::to_owned),
            tz_offset_minutes: env.tz_offset_minutes(),
        })
    }

    /// Resolves the tenant of a request with the multi-tenant rules, then checks its syntax. A
    /// tenant outside the allow-list is `CredentialUnavailable`; a malformed one is the
    /// reference's plain `Error` (`InvalidRequest`), which stops a chain. `""` means no tenant.
    pub(crate) fn resolve_tenant(
        &self,
        requested: Option<&str>,
    ) -> Result<Option<String>, TokenError> {
        let tenant = self.tenant.resolve(requested)?.filter(|t| !t.is_empty());
        match tenant {
            Some(t) if !is_valid_tenant(&t) => Err(TokenError::new(
                ErrorKind::InvalidRequest,
                INVALID_TENANT_MESSAGE,
            )),
            t => Ok(t),
        }
    }

    /// Minutes to add to UTC for the host's local time.
    pub(crate) fn tz_offset_minutes(&self) -> i32 {
        self.tz_offset_minutes
    }

    /// The timeout in ms, for messages.
    pub(crate) fn timeout_ms(&self) -> u128 {
        self.timeout.as_millis()
    }

    fn is_windows(&self) -> bool {
        self.platform == Platform::Win32
    }

    /// The working directory of `az` and `azd`: `/bin`, or `%SystemRoot%` on Windows. Only
    /// administrators can write there, so an `az` planted in the app's directory is never picked
    /// up (`cmd.exe` looks in the working directory before `PATH`, as does a `PATH` holding `.`).
    pub(crate) fn safe_working_dir(&self) -> String {
        if self.is_windows() {
            self.system_root
                .clone()
                .unwrap_or_else(|| DEFAULT_SYSTEM_ROOT.to_owned())
        } else {
            "/bin".to_owned()
        }
    }

    /// The command that runs the CLI `tool` (`az`, `azd`) with `args`, in the safe working
    /// directory, or why it cannot be run safely.
    ///
    /// On Windows the CLIs are batch files (`az.cmd`), which only `cmd.exe` can run. The tool is
    /// then run as `%SystemRoot%\System32\cmd.exe /d /s /v:off /c <tool> <args>`, with each
    /// argument still its own argv element: Node quotes the one that may hold a space (a
    /// subscription name), `cmd.exe` resolves `<tool>` through `PATHEXT` (`az.cmd`, `azd.exe`)
    /// and passes the rest on. That is only safe for arguments `cmd.exe` gives no meaning to, so
    /// the reference's batch-argument rule is applied on top of the per-argument syntax checks
    /// (which already exclude every such character).
    pub(crate) fn cli_command(&self, tool: &str, args: Vec<String>) -> Result<Command, TokenError> {
        let cwd = self.safe_working_dir();
        if !self.is_windows() {
            return Ok(Command {
                program: tool.to_owned(),
                args,
                env: Vec::new(),
                env_remove: Vec::new(),
                cwd: Some(cwd),
            });
        }
        if !is_drive_absolute(&cwd) {
            return Err(TokenError::unavailable(
                "A trusted Windows system directory could not be established.",
            ));
        }
        if let Some(index) = args.iter().position(|a| !is_safe_batch_argument(a)) {
            return Err(TokenError::unavailable(format!(
                "Windows batch argument {index} is unsafe."
            )));
        }
        let root = cwd.trim_end_matches(['\\', '/']);
        let mut argv: Vec<String> = ["/d", "/s", "/v:off", "/c", tool]
            .into_iter()
            .map(str::to_owned)
            .collect();
        argv.extend(args);
        Ok(Command {
            program: format!("{root}\\System32\\cmd.exe"),
            args: argv,
            env: Vec::new(),
            env_remove: Vec::new(),
            cwd: Some(cwd),
        })
    }
}

/// `^[a-z]:[\\/]` case-insensitively: a path on a drive, not relative and not UNC.
fn is_drive_absolute(path: &str) -> bool {
    let b = path.as_bytes();
    b.len() >= 3 && b[0].is_ascii_alphabetic() && b[1] == b':' && matches!(b[2], b'\\' | b'/')
}

/// The reference's (`@azure/core-process`) rule for an argument of a Windows batch file: no
/// control characters, none of `%!^&|<>()`, no `\"`, and no run of two or more trailing
/// backslashes.
pub(crate) fn is_safe_batch_argument(arg: &str) -> bool {
    !arg.chars()
        .any(|c| u32::from(c) <= 31 || u32::from(c) == 127 || "%!^&|<>()".contains(c))
        && !arg.contains("\\\"")
        && !arg.ends_with("\\\\")
}

/// A process to run, before its deadline is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Command {
    pub(crate) program: String,
    pub(crate) args: Vec<String>,
    pub(crate) env: Vec<(String, String)>,
    pub(crate) env_remove: Vec<String>,
    pub(crate) cwd: Option<String>,
}

impl Command {
    /// The action that runs this command, killed `timeout` after `now`.
    pub(crate) fn action(&self, now: Timestamp, timeout: Duration) -> Action {
        Action::Run {
            program: self.program.clone(),
            args: self.args.clone(),
            env: self.env.clone(),
            env_remove: self.env_remove.clone(),
            cwd: self.cwd.clone(),
            deadline: now.plus(timeout),
            max_output_bytes: crate::limits::MAX_PROCESS_OUTPUT,
            kill_tree: true,
        }
    }
}

/// The error for a run that could not be carried out. `tool` names it in messages ("Azure CLI").
/// A tool that was not found is not handled here: each credential words that its own way.
pub(crate) fn run_failure(tool: &str, failure: &IoFailure, timeout_ms: u128) -> TokenError {
    match failure.kind {
        IoFailureKind::Aborted => TokenError::aborted(),
        // The reference reports a killed tool as "Unexpected end of JSON input".
        IoFailureKind::TimedOut => TokenError::unavailable(format!(
            "{tool} did not finish within {timeout_ms} ms and was stopped. To allow more time, \
             set processTimeoutInMs."
        )),
        IoFailureKind::Unsupported => TokenError::unavailable(format!(
            "{tool} cannot be run here: this runtime cannot start processes."
        )),
        _ => TokenError::unavailable(format!(
            "{tool} could not be run: {}",
            tool_text(&failure.message)
        )),
    }
}

/// Reads a tool's date string the way `new Date(s)` does for the formats the tools print:
/// ISO 8601 / RFC 3339 with `T` or a space, and an offset or `Z`; without an offset it is local
/// time (`az`'s `expiresOn`, `"2023-11-14 22:13:20.123456"`), converted with the host's current
/// offset. Also reads .NET's JSON date, `/Date(1700000000000)/` (Windows PowerShell 5.1).
pub(crate) fn parse_tool_date(s: &str, tz_offset_minutes: i32) -> Option<Timestamp> {
    let s = s.trim();
    if let Some(ms) = parse_dotnet_date(s) {
        return Some(ms);
    }
    let parsed = parse_rfc3339(s)?;
    // `parse_rfc3339` reads a missing offset as UTC; find out whether one was there.
    let b = s.as_bytes();
    let mut i = 19;
    if b.get(i) == Some(&b'.') {
        i += 1;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
    }
    if i < b.len() {
        return Some(parsed);
    }
    let utc = i128::from(parsed.as_millis()) - i128::from(tz_offset_minutes) * 60_000;
    u64::try_from(utc).ok().map(Timestamp::from_millis)
}

/// `/Date(<ms>)/` or `/Date(<ms>+hhmm)/`: the offset only says how to display the time.
fn parse_dotnet_date(s: &str) -> Option<Timestamp> {
    let inner = s.strip_prefix("/Date(")?.strip_suffix(")/")?;
    let ms = inner
        .find(['+', '-'])
        .filter(|&i| i > 0)
        .map_or(inner, |i| &inner[..i]);
    if ms.is_empty() || !ms.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    ms.parse::<u64>().ok().map(Timestamp::from_millis)
}

/// Reads a JSON date value as `new Date(v)` would: a string as in [`parse_tool_date`], a number
/// as milliseconds since the epoch.
pub(crate) fn date_value(v: &Value, tz_offset_minutes: i32) -> Option<Timestamp> {
    match v {
        Value::String(s) => parse_tool_date(s, tz_offset_minutes),
        Value::Number(n) => n
            .as_u64()
            .or_else(|| {
                n.as_f64()
                    .filter(|f| f.is_finite() && *f >= 0.0 && *f < 9e15)
                    .map(|f| f as u64)
            })
            .map(Timestamp::from_millis),
        _ => None,
    }
}

/// Renders a JSON value for the reference's `Got: "<value>"` messages (`${value}` in JS).
pub(crate) fn js_display(v: Option<&Value>) -> String {
    match v {
        None => "undefined".to_owned(),
        Some(Value::String(s)) => tool_text(s),
        Some(other) => tool_text(&other.to_string()),
    }
}

/// Why a tool's stdout gave no token. Never holds any of the output itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OutputError(pub(crate) String);

impl fmt::Display for OutputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What a single-run tool (`az`, `azd`) makes of its process's outcome.
pub(crate) trait Classify: fmt::Debug + Send {
    /// The process ran (whatever its exit code).
    fn ran(&self, output: ProcessOutput, now: Timestamp) -> Result<AccessToken, TokenError>;
    /// The process could not be run, or was killed.
    fn failed(&self, failure: IoFailure) -> TokenError;
}

/// One acquisition by one run of a tool, judged by `C`.
#[derive(Debug)]
pub(crate) struct RunFlow<C> {
    command: Option<Command>,
    timeout: Duration,
    classify: C,
    outstanding: Outstanding,
    result: Option<Result<AccessToken, TokenError>>,
}

impl<C: Classify> RunFlow<C> {
    /// Runs `command` once, killed after `timeout`.
    pub(crate) fn new(command: Command, timeout: Duration, classify: C) -> Self {
        Self {
            command: Some(command),
            timeout,
            classify,
            outstanding: Outstanding::default(),
            result: None,
        }
    }
}

impl<C: Classify> SourceFlow for RunFlow<C> {
    fn poll(&mut self, now: Timestamp) -> SourceStep {
        if let Some(step) = self.outstanding.repeat() {
            return step;
        }
        if let Some(command) = self.command.take() {
            return self.outstanding.perform(command.action(now, self.timeout));
        }
        SourceStep::Done(
            self.result
                .take()
                .unwrap_or_else(|| Err(TokenError::unavailable("the flow has already finished"))),
        )
    }

    fn handle(&mut self, reply: Reply, now: Timestamp) -> Result<(), Misuse> {
        let Action::Run { .. } = self.outstanding.peek()? else {
            return Err(Misuse::WrongReply);
        };
        // A reply of the wrong kind leaves the action outstanding, to be performed again.
        let result = match reply {
            Reply::Ran(output) => self.classify.ran(output, now),
            Reply::Failed(failure) => Err(self.classify.failed(failure)),
            _ => return Err(Misuse::WrongReply),
        };
        self.outstanding.clear();
        self.result = Some(result);
        Ok(())
    }
}

/// A token the tool handed over, unless it has already expired (a stale token would only make
/// the caller come straight back; the reference passes it on) or its expiry, read from `field`,
/// is beyond the bound every token meets (`crate::token::MAX_TOKEN_LIFETIME`).
pub(crate) fn fresh_token(
    tool: &str,
    token: String,
    expires_on: Timestamp,
    field: &str,
    now: Timestamp,
) -> Result<AccessToken, OutputError> {
    if !crate::token::expiry_in_bounds(expires_on, now) {
        return Err(OutputError(format!(
            "{tool} returned a token whose \"{field}\" is more than ten years ahead."
        )));
    }
    if expires_on <= now {
        return Err(OutputError(format!(
            "{tool} returned a token that has already expired."
        )));
    }
    Ok(AccessToken::bearer(
        crate::secret::Secret::new(token),
        expires_on,
        None,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scope_syntax() {
        for ok in [
            "https://storage.azure.com/.default",
            "api://my-app_1/.default",
            "https://management.core.windows.net//.default",
        ] {
            assert!(is_valid_scope(ok), "{ok}");
        }
        for bad in [
            "",
            "https://x/.default ",
            "a;rm -rf /",
            "a&b",
            "$(id)",
            "a?b=c",
            "a%2F",
            "a\nb",
            "a\"b",
            "ä",
        ] {
            assert!(!is_valid_scope(bad), "{bad:?}");
        }
    }

    #[test]
    fn subscription_syntax() {
        assert!(is_valid_subscription("My Subscription_1.0-x"));
        assert!(is_valid_subscription(
            "12345678-1234-1234-1234-123456789012"
        ));
        for bad in [
            "", "a;b", "a'b", "a\"b", "a|b", "a\tb", "a/b", "$(x)", "a\nb",
        ] {
            assert!(!is_valid_subscription(bad), "{bad:?}");
        }
    }

    #[test]
    fn resource_follows_the_reference_regex() {
        assert_eq!(
            scope_resource("https://storage.azure.com/.default"),
            "https://storage.azure.com"
        );
        // The unescaped `.` of `/\/.default$/`.
        assert_eq!(scope_resource("https://x/adefault"), "https://x");
        assert_eq!(scope_resource("https://x/default"), "https://x/default");
        assert_eq!(scope_resource("https://x/user.read"), "https://x/user.read");
        assert_eq!(scope_resource("/.default"), "");
        assert_eq!(scope_resource("ä/.default"), "ä");
        assert_eq!(scope_resource("xdefault"), "xdefault");
    }

    #[test]
    fn claims_are_standard_base64() {
        assert_eq!(base64_claims("{\"a\":1}"), "eyJhIjoxfQ==");
        assert_eq!(base64_claims("ü>?"), "w7w+Pw==");
    }

    #[test]
    fn batch_arguments() {
        for ok in ["https://x/", "My Sub", "a-b.c_d", "C:\\dir\\", "eyJ+/="] {
            assert!(is_safe_batch_argument(ok), "{ok}");
        }
        for bad in [
            "100%", "a!", "a^b", "a&b", "a|b", "a<b", "a>b", "(a)", "a\\\"b", "a\\\\", "a\rb",
            "a\u{7f}",
        ] {
            assert!(!is_safe_batch_argument(bad), "{bad:?}");
        }
    }

    #[test]
    fn tool_dates() {
        let t = Timestamp::from_secs(1_700_000_000);
        assert_eq!(parse_tool_date("2023-11-14T22:13:20Z", 0), Some(t));
        assert_eq!(parse_tool_date("2023-11-14T22:13:20Z", 120), Some(t));
        assert_eq!(
            parse_tool_date("2023-11-14T23:13:20.1234567+01:00", -300),
            Some(Timestamp::from_millis(1_700_000_000_123))
        );
        // No offset: local time. UTC-5 means 17:13:20 local is 22:13:20 UTC.
        assert_eq!(parse_tool_date("2023-11-14 17:13:20.000000", -300), Some(t));
        assert_eq!(
            parse_tool_date("2023-11-14 22:13:20.5", 0),
            Some(Timestamp::from_millis(1_700_000_000_500))
        );
        assert_eq!(parse_tool_date("2023-11-15 00:13:20", 120), Some(t));
        assert_eq!(parse_tool_date("/Date(1700000000000)/", 60), Some(t));
        assert_eq!(parse_tool_date("/Date(1700000000000+0100)/", 0), Some(t));
        for bad in [
            "",
            "soon",
            "2023-11-14",
            "2023-11-14T22:13:20+1",
            "1970-01-01 00:00:00",
            "/Date()/",
            "/Date(-5)/",
            "/Date(12a)/",
        ] {
            let parsed = parse_tool_date(bad, 60);
            assert_eq!(parsed, None, "{bad:?}");
        }
    }

    #[test]
    fn date_values() {
        let t = Timestamp::from_secs(1_700_000_000);
        assert_eq!(
            date_value(&serde_json::json!("2023-11-14T22:13:20Z"), 0),
            Some(t)
        );
        assert_eq!(
            date_value(&serde_json::json!(1_700_000_000_000u64), 0),
            Some(t)
        );
        assert_eq!(date_value(&serde_json::json!(-1), 0), None);
        assert_eq!(date_value(&serde_json::json!(null), 0), None);
        assert_eq!(date_value(&serde_json::json!({}), 0), None);
    }

    /// Every parser of tool output takes any text without panicking (a cheap stand-in for the
    /// fuzz targets, run with every `cargo test`).
    #[test]
    fn parsers_are_total() {
        const PIECES: &[&str] = &[
            "{",
            "}",
            "\"",
            ":",
            ",",
            "-",
            "+",
            ".",
            "/",
            "\\",
            " ",
            "\n",
            "\r",
            "T",
            "Z",
            "0",
            "1",
            "9",
            "2023-11-14",
            "22:13:20",
            "/Date(",
            ")/",
            "\"Token\"",
            "\"ExpiresOn\"",
            "\"accessToken\"",
            "\"expires_on\"",
            "\"expiresOn\"",
            "\"token\"",
            "\"error\"",
            "default",
            "az:",
            "not found",
            "é",
            "😀",
            "\u{2028}",
            "\u{0}",
            "null",
            "true",
            "[",
            "]",
        ];
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let now = Timestamp::from_secs(1_700_000_000);
        for _ in 0..20_000 {
            let len = (next() % 24) as usize;
            let text: String = (0..len)
                .map(|_| PIECES[(next() % PIECES.len() as u64) as usize])
                .collect();
            let tz = (next() % 1681) as i32 - 840;
            let _ = azure_cli::parse_output(&text, now, tz);
            let _ = azure_developer_cli::parse_output(&text, now, tz);
            let _ = azure_developer_cli::stderr_message(&text);
            let _ = azure_powershell::parse_output(&text, now, tz);
            let _ = azure_cli::tool_missing(&text, "az");
            let _ = parse_tool_date(&text, tz);
            let _ = scope_resource(&text);
            let _ = tool_text(&text);
            let _ = is_safe_batch_argument(&text);
        }
    }

    #[test]
    fn tool_text_is_bounded_and_clean() {
        assert_eq!(
            tool_text("  ERROR: x\r\n  y\u{1b}[31m \n"),
            "ERROR: x   y [31m"
        );
        let long = "e".repeat(5000);
        assert_eq!(tool_text(&long).chars().count(), MAX_TOOL_TEXT + 3);
    }
}
