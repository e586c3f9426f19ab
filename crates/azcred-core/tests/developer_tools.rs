//! Scenario tests for the developer-tool credentials (`AzureCliCredential`,
//! `AzureDeveloperCliCredential`, `AzurePowerShellCredential`): the exact process each one runs
//! (program, argv, working directory, environment, deadline), the checks that keep hostile input
//! from reaching a process, and what becomes of each kind of outcome.

mod support;

use azcred_core::{
    Action, Begin, Credential, EnvSnapshot, ErrorKind, IoFailure, IoFailureKind, Misuse, Platform,
    ProcessOutput, Reply, Secret, Timestamp, TokenError, TokenRequest,
};
use serde_json::{Value, json};
use support::*;

const AZ: &str = "AzureCliCredential";
const AZD: &str = "AzureDeveloperCliCredential";
const PWSH: &str = "AzurePowerShellCredential";

const TENANT: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const OTHER_TENANT: &str = "contoso.onmicrosoft.com";
/// A value standing in for a real access token: it must never appear in a message.
const SECRET_TOKEN: &str = "eyJ0eXAiOiJKV1QiLCJzZW50aW5lbCI6InRvay0zZjlhIn0.sig";
/// The default process deadline (30 s).
const DEFAULT_MS: u64 = 30_000;

const AZ_NOT_INSTALLED: &str = "Azure CLI could not be found. Please visit https://aka.ms/azure-cli for installation instructions and then, once installed, authenticate to your Azure account using 'az login'.";
const AZ_LOGIN: &str =
    "Please run 'az login' from a command prompt to authenticate before using this credential.";
const AZD_NOT_INSTALLED: &str = "Azure Developer CLI couldn't be found. To mitigate this issue, see the troubleshooting guidelines at https://aka.ms/azsdk/js/identity/azdevclicredential/troubleshoot.";
const AZD_LOGIN: &str = "Please run 'azd auth login' from a command prompt to authenticate before using this credential. For more information, see the troubleshooting guidelines at https://aka.ms/azsdk/js/identity/azdevclicredential/troubleshoot.";
const PS_TROUBLESHOOT: &str =
    "To troubleshoot, visit https://aka.ms/azsdk/js/identity/powershellcredential/troubleshoot.";
const PS_NOT_INSTALLED: &str = "The 'Az.Account' module >= 2.2.0 is not installed. Install the Azure Az PowerShell module with: \"Install-Module -Name Az -Scope CurrentUser -Repository PSGallery -Force\".";
const PS_LOGIN: &str =
    "Please run 'Connect-AzAccount' from PowerShell to authenticate before using this credential.";
const CLAIMS: &str = "This credential doesn't support claims challenges. To authenticate with the required claims, please run the following command:";
const INVALID_SCOPE: &str = "Invalid scope was specified by the user or calling client";
const INVALID_TENANT: &str = "Invalid tenant id provided. You can locate your tenant id by following the instructions listed here: https://learn.microsoft.com/partner-center/find-ids-and-domain-names.";

/// Scopes that must never reach a process: shell, batch and URL metacharacters, white space,
/// control characters, quotes, non-ASCII.
const HOSTILE_SCOPES: &[&str] = &[
    "https://storage.azure.com/.default; rm -rf ~",
    "https://storage.azure.com/.default && calc",
    "https://storage.azure.com/.default|whoami",
    "$(id)",
    "`id`",
    "https://x/.default\n--tenant evil",
    "https://x/.default --subscription x",
    "https://x/%USERPROFILE%",
    "https://x/!PATH!",
    "https://x/^&",
    "https://x/(a)",
    "https://x/<a>",
    "https://x/\"quoted\"",
    "https://x/'quoted'",
    "https://x/a\\\"b",
    "https://x/?resource=y&z=%2F",
    "https://x/#frag",
    "https://x/\u{0}",
    "https://x/\u{1b}[31m",
    "https://stórage/.default",
    "",
];

/// Tenants that must never reach a process.
const HOSTILE_TENANTS: &[&str] = &[
    "evil;rm -rf ~",
    "a b",
    "$(id)",
    "t&calc",
    "t|x",
    "t%PATH%",
    "t\"x",
    "t\nx",
    "../t",
    "t/x",
    "ténant",
];

// ----------------------------------------------------------------------------------------------
// Helpers

fn linux(pairs: &[(&str, &str)]) -> EnvSnapshot {
    env(pairs)
}

fn windows(pairs: &[(&str, &str)]) -> EnvSnapshot {
    env(pairs).with_platform(Platform::Win32)
}

fn build(
    kind: &str,
    opts: Value,
    env: &EnvSnapshot,
) -> Result<Credential, azcred_core::ConfigError> {
    Credential::new(kind, &options(opts), env, 7)
}

fn cred(kind: &str, opts: Value) -> Credential {
    build(kind, opts, &linux(&[])).expect("credential")
}

/// A process that ran and exited with `code`.
fn ran(code: i32, stdout: &str, stderr: &str) -> Reply {
    Reply::Ran(ProcessOutput {
        exit_code: Some(code),
        stdout: Secret::new(stdout),
        stderr: stderr.to_owned(),
    })
}

fn failed(kind: IoFailureKind, message: &str) -> Reply {
    Reply::Failed(IoFailure::new(kind, message))
}

/// What `az account get-access-token` prints (az 2.54 and later).
fn az_json(token: &str, expires_on: u64) -> String {
    format!(
        "{{\n  \"accessToken\": \"{token}\",\n  \"expiresOn\": \"2023-11-14 23:13:20.000000\",\n  \
         \"expires_on\": {expires_on},\n  \"subscription\": \"sub\",\n  \"tenant\": \"{TENANT}\",\n  \
         \"tokenType\": \"Bearer\"\n}}\n"
    )
}

/// What `azd auth token --output json` prints.
fn azd_json(token: &str, expires_on: &str) -> String {
    format!("{{\"token\":\"{token}\",\"expiresOn\":\"{expires_on}\"}}\n")
}

/// What the PowerShell script prints (PowerShell 7's `ConvertTo-Json` of a `DateTimeOffset`).
fn pwsh_json(token: &str, expires_on: &str) -> String {
    format!("{{\n  \"ExpiresOn\": \"{expires_on}\",\n  \"Token\": \"{token}\"\n}}\n")
}

/// One `Action::Run`, its parts owned.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Proc {
    program: String,
    args: Vec<String>,
    env: Vec<(String, String)>,
    env_remove: Vec<String>,
    cwd: Option<String>,
    deadline: Timestamp,
}

fn procs(run: &Run) -> Vec<Proc> {
    run.actions
        .iter()
        .map(|a| match a {
            Action::Run {
                program,
                args,
                env,
                env_remove,
                cwd,
                deadline,
                max_output_bytes,
                kill_tree,
            } => {
                // Every tool: its whole process tree is killed, and its output is capped.
                assert!(*kill_tree, "{program} is killed as a tree");
                assert_eq!(*max_output_bytes, azcred_core::MAX_PROCESS_OUTPUT);
                Proc {
                    program: program.clone(),
                    args: args.clone(),
                    env: env.clone(),
                    env_remove: env_remove.clone(),
                    cwd: cwd.clone(),
                    deadline: *deadline,
                }
            }
            other => panic!("expected a process, got {other:?}"),
        })
        .collect()
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

fn request(scopes: &[&str]) -> TokenRequest {
    TokenRequest::new(scopes.iter().copied())
}

fn with_tenant(scope: &str, tenant: &str) -> TokenRequest {
    let mut r = request(&[scope]);
    r.tenant_id = Some(tenant.to_owned());
    r
}

fn with_claims(scopes: &[&str], claims: &str, tenant: Option<&str>) -> TokenRequest {
    let mut r = request(scopes);
    r.claims = Some(claims.to_owned());
    r.tenant_id = tenant.map(str::to_owned);
    r
}

/// Runs a request that must be refused before anything is spawned; returns the error.
fn refused(cred: &mut Credential, req: TokenRequest) -> TokenError {
    let mut s = Script::new();
    let run = s.run(cred, req);
    assert!(run.actions.is_empty(), "spawned {:?}", run.transcript);
    run.error().clone()
}

/// Runs one request against one scripted reply; returns the run.
fn once(cred: &mut Credential, req: TokenRequest, reply: Reply) -> Run {
    let mut s = Script::new().reply(reply);
    s.run(cred, req)
}

fn assert_unavailable(e: &TokenError, message: &str) {
    assert_eq!(e.kind, ErrorKind::CredentialUnavailable, "{e:?}");
    assert_eq!(e.name, "CredentialUnavailableError");
    assert_eq!(e.message, message);
}

fn assert_no_secret(e: &TokenError) {
    let shown = format!("{e:?} {e}");
    assert!(!shown.contains(SECRET_TOKEN), "{shown}");
    assert!(!shown.contains("tok-3f9a"), "{shown}");
}

// ----------------------------------------------------------------------------------------------
// AzureCliCredential

#[test]
fn az_runs_get_access_token_in_bin_with_the_default_deadline() {
    let mut cred = cred(AZ, json!({}));
    let mut s =
        Script::new().with(|_, now| ran(0, &az_json("tok", now.as_millis() / 1000 + 3600), ""));
    let run = s.get(&mut cred, STORAGE);
    assert_eq!(
        procs(&run),
        [Proc {
            program: "az".into(),
            args: strings(&[
                "account",
                "get-access-token",
                "--output",
                "json",
                "--resource",
                "https://storage.azure.com",
            ]),
            env: vec![],
            env_remove: vec![],
            cwd: Some("/bin".into()),
            deadline: at_ms(DEFAULT_MS),
        }]
    );
    let t = run.token();
    assert_eq!(t.token.expose(), "tok");
    assert_eq!(t.expires_on, at_ms(3_600_000));
    assert_eq!(t.refresh_after, None);
    assert_eq!(t.token_type, "Bearer");
}

#[test]
fn az_passes_tenant_and_subscription_and_only_the_first_scope() {
    let mut cred = cred(
        AZ,
        json!({"tenantId": TENANT, "subscription": "My Subscription-1.0_x", "processTimeoutInMs": 1500}),
    );
    let run = once(
        &mut cred,
        request(&[
            "https://management.azure.com//.default",
            "https://vault.azure.net/.default",
        ]),
        ran(0, &az_json("tok", 1_700_003_600), ""),
    );
    let p = &procs(&run)[0];
    assert_eq!(
        p.args,
        strings(&[
            "account",
            "get-access-token",
            "--output",
            "json",
            "--resource",
            "https://management.azure.com/",
            "--tenant",
            TENANT,
            "--subscription",
            "My Subscription-1.0_x",
        ])
    );
    assert_eq!(p.deadline, at_ms(1500));
}

#[test]
fn az_resource_is_the_reference_regex_result() {
    // `/\/.default$/` with its unescaped dot.
    for (scope, resource) in [
        ("https://x/.default", "https://x"),
        ("https://x/_default", "https://x"),
        ("https://x/user.read", "https://x/user.read"),
        ("api://app-id", "api://app-id"),
    ] {
        let mut cred = cred(AZ, json!({}));
        let run = once(
            &mut cred,
            request(&[scope]),
            ran(0, &az_json("t", 1_700_003_600), ""),
        );
        assert_eq!(procs(&run)[0].args[5], resource, "{scope}");
    }
}

#[test]
fn process_timeout_zero_or_absent_means_the_default() {
    for opts in [
        json!({}),
        json!({"processTimeoutInMs": 0}),
        json!({"processTimeoutInMs": null}),
    ] {
        let mut cred = cred(AZ, opts.clone());
        let run = once(
            &mut cred,
            request(&[STORAGE]),
            ran(0, &az_json("t", 1_700_003_600), ""),
        );
        assert_eq!(procs(&run)[0].deadline, at_ms(DEFAULT_MS), "{opts}");
    }
}

#[test]
fn az_on_windows_runs_through_cmd_in_system_root() {
    let env = windows(&[("SystemRoot", "D:\\WINNT")]);
    let mut cred = build(AZ, json!({"subscription": "My Sub"}), &env).unwrap();
    let run = once(
        &mut cred,
        request(&[STORAGE]),
        ran(0, &az_json("t", 1_700_003_600), ""),
    );
    let p = &procs(&run)[0];
    assert_eq!(p.program, "D:\\WINNT\\System32\\cmd.exe");
    assert_eq!(
        p.args,
        strings(&[
            "/d",
            "/s",
            "/v:off",
            "/c",
            "az",
            "account",
            "get-access-token",
            "--output",
            "json",
            "--resource",
            "https://storage.azure.com",
            "--subscription",
            "My Sub",
        ])
    );
    assert_eq!(p.cwd.as_deref(), Some("D:\\WINNT"));
    assert_eq!(p.env, vec![]);
}

#[test]
fn windows_system_root_fallbacks_and_refusals() {
    for (pairs, program, cwd) in [
        (vec![], "C:\\Windows\\System32\\cmd.exe", "C:\\Windows"),
        (
            vec![("SYSTEMROOT", "E:\\Win\\")],
            "E:\\Win\\System32\\cmd.exe",
            "E:\\Win\\",
        ),
    ] {
        let mut cred = build(AZ, json!({}), &windows(&pairs)).unwrap();
        let run = once(
            &mut cred,
            request(&[STORAGE]),
            ran(0, &az_json("t", 1_700_003_600), ""),
        );
        let p = &procs(&run)[0];
        assert_eq!((p.program.as_str(), p.cwd.as_deref()), (program, Some(cwd)));
    }
    // A relative or UNC system root could point anywhere: nothing is run.
    for root in ["Windows", "\\\\server\\share", "%TEMP%"] {
        for kind in [AZ, AZD] {
            let mut cred = build(kind, json!({}), &windows(&[("SystemRoot", root)])).unwrap();
            let e = refused(&mut cred, request(&[STORAGE]));
            assert_unavailable(
                &e,
                "A trusted Windows system directory could not be established.",
            );
        }
    }
}

#[test]
fn az_reads_local_expires_on_when_expires_on_is_absent() {
    // az before 2.54: local time only. UTC-5: 18:13:20 local is 23:13:20 UTC.
    let env = linux(&[]).with_tz_offset_minutes(-300);
    let mut cred = build(AZ, json!({}), &env).unwrap();
    let body =
        r#"{"accessToken":"tok","expiresOn":"2023-11-14 18:13:20.000000","tokenType":"Bearer"}"#;
    let run = once(&mut cred, request(&[STORAGE]), ran(0, body, ""));
    assert_eq!(run.token().expires_on, Timestamp::from_secs(1_700_003_600));
    // The same text in UTC+1 is six hours earlier: already expired.
    let env = linux(&[]).with_tz_offset_minutes(60);
    let mut cred = build(AZ, json!({}), &env).unwrap();
    let run = once(&mut cred, request(&[STORAGE]), ran(0, body, ""));
    assert_unavailable(
        run.error(),
        "Azure CLI returned a token that has already expired.",
    );
}

#[test]
fn az_output_counts_even_with_warnings_and_a_nonzero_exit() {
    let mut cred = cred(AZ, json!({}));
    let run = once(
        &mut cred,
        request(&[STORAGE]),
        ran(
            1,
            &az_json("tok", 1_700_003_600),
            "WARNING: a newer version is available\n",
        ),
    );
    assert_eq!(run.token().token.expose(), "tok");
}

#[test]
fn az_not_installed() {
    let cases = [
        failed(IoFailureKind::NotFound, "az: not found"),
        ran(127, "", "/bin/sh: 1: az: not found\n"),
        ran(127, "", "bash: line 1: az: command not found\n"),
        ran(
            1,
            "",
            "'az' is not recognized as an internal or external command,\r\noperable program or batch file.\r\n",
        ),
    ];
    for reply in cases {
        let mut cred = cred(AZ, json!({}));
        let run = once(&mut cred, request(&[STORAGE]), reply);
        assert_unavailable(run.error(), AZ_NOT_INSTALLED);
        assert_eq!(run.error().credential.as_deref(), Some(AZ));
    }
}

#[test]
fn az_not_logged_in() {
    let mut cred = cred(AZ, json!({}));
    let run = once(
        &mut cred,
        request(&[STORAGE]),
        ran(1, "", "ERROR: Please run 'az login' to setup account.\n"),
    );
    assert_unavailable(run.error(), AZ_LOGIN);
}

#[test]
fn az_login_with_scope_is_reported_as_az_said_it() {
    // `az login --scope` means a consent or MFA problem for one resource, not "not logged in".
    let stderr = "ERROR: AADSTS50076: Due to a configuration change ...\nInteractive authentication \
                  is needed. Please run:\naz login --scope https://storage.azure.com/.default\n";
    let mut cred = cred(AZ, json!({}));
    let run = once(&mut cred, request(&[STORAGE]), ran(1, "", stderr));
    // Line breaks from a tool become spaces, so it cannot forge log lines.
    assert_unavailable(run.error(), &stderr.trim().replace('\n', " "));
}

#[test]
fn az_other_stderr_is_shortened_and_cleaned() {
    let stderr = format!(
        "ERROR: \u{1b}[31mAADSTS70043: expired\u{7}\r\n{}\n",
        "x".repeat(3000)
    );
    let mut cred = cred(AZ, json!({}));
    let run = once(&mut cred, request(&[STORAGE]), ran(1, "", &stderr));
    let e = run.error();
    assert_eq!(e.kind, ErrorKind::CredentialUnavailable);
    assert!(
        e.message
            .starts_with("ERROR:  [31mAADSTS70043: expired  xxx"),
        "{}",
        e.message
    );
    assert!(e.message.ends_with("..."));
    assert!(e.message.chars().count() <= 1003);
    assert!(!e.message.chars().any(char::is_control));
}

#[test]
fn az_malformed_output_never_quotes_stdout() {
    let expired = format!(r#"{{"accessToken":"{SECRET_TOKEN}","expires_on":1600000000}}"#);
    let no_expiry = format!(r#"{{"accessToken":"{SECRET_TOKEN}","expiresOn":"later"}}"#);
    let cases: Vec<(String, i32, &str)> = vec![
        (
            String::new(),
            0,
            "Unexpected response from Azure CLI when getting token. The output is empty.",
        ),
        (
            String::new(),
            1,
            "Unexpected response from Azure CLI when getting token. The output is empty. The process exited with code 1.",
        ),
        (
            format!("Bearer {SECRET_TOKEN}"),
            0,
            "Unexpected response from Azure CLI when getting token. The output is not JSON.",
        ),
        (
            format!("{{\"accessToken\":\"{SECRET_TOKEN}\""),
            0,
            "Unexpected response from Azure CLI when getting token. The output is not JSON.",
        ),
        (
            format!("[\"{SECRET_TOKEN}\"]"),
            0,
            "Unexpected response from Azure CLI when getting token. The output is not a JSON object.",
        ),
        (
            r#"{"accessToken":null,"expires_on":1700003600}"#.to_owned(),
            0,
            "Unexpected response from Azure CLI when getting token. Expected \"accessToken\" to be a non-empty string.",
        ),
        (
            no_expiry,
            0,
            "Unexpected response from Azure CLI when getting token. Expected \"expiresOn\" to be a RFC3339 date string. Got: \"later\"",
        ),
        (
            expired,
            0,
            "Azure CLI returned a token that has already expired.",
        ),
    ];
    for (stdout, code, message) in cases {
        let mut cred = cred(AZ, json!({}));
        let run = once(&mut cred, request(&[STORAGE]), ran(code, &stdout, ""));
        assert_unavailable(run.error(), message);
        assert_no_secret(run.error());
    }
}

#[test]
fn az_malformed_output_with_stderr_reports_stderr() {
    let mut cred = cred(AZ, json!({}));
    let run = once(
        &mut cred,
        request(&[STORAGE]),
        ran(
            2,
            &format!("partial {SECRET_TOKEN}"),
            "ERROR: the command failed\n",
        ),
    );
    assert_unavailable(run.error(), "ERROR: the command failed");
    // Whitespace on stderr says nothing: the output's problem is reported instead.
    let mut cred = self::cred(AZ, json!({}));
    let run = once(&mut cred, request(&[STORAGE]), ran(0, "{}", " \n"));
    assert_unavailable(
        run.error(),
        "Unexpected response from Azure CLI when getting token. Expected \"accessToken\" to be a non-empty string.",
    );
}

#[test]
fn az_timeout_says_so() {
    let mut cred = cred(AZ, json!({"processTimeoutInMs": 2500}));
    let mut s = Script::new().with(|a, now| {
        let Action::Run { deadline, .. } = a else {
            panic!("{a:?}")
        };
        *now = *deadline;
        Reply::Failed(IoFailure::new(
            IoFailureKind::TimedOut,
            "az did not finish in time",
        ))
    });
    let run = s.get(&mut cred, STORAGE);
    assert_unavailable(
        run.error(),
        "Azure CLI did not finish within 2500 ms and was stopped. To allow more time, set processTimeoutInMs.",
    );
}

#[test]
fn az_other_run_failures() {
    for (kind, message) in [
        (
            IoFailureKind::PermissionDenied,
            "Azure CLI could not be run: spawn az EACCES",
        ),
        (
            IoFailureKind::TooLarge,
            "Azure CLI could not be run: spawn az EACCES",
        ),
        (
            IoFailureKind::Unsupported,
            "Azure CLI cannot be run here: this runtime cannot start processes.",
        ),
    ] {
        let mut cred = cred(AZ, json!({}));
        let run = once(
            &mut cred,
            request(&[STORAGE]),
            failed(kind, "spawn az EACCES"),
        );
        assert_unavailable(run.error(), message);
    }
    let mut cred = cred(AZ, json!({}));
    let run = once(
        &mut cred,
        request(&[STORAGE]),
        failed(IoFailureKind::Aborted, "aborted"),
    );
    assert_eq!(run.error().kind, ErrorKind::Aborted);
}

#[test]
fn az_claims_challenge_is_a_login_hint_and_spawns_nothing() {
    let claims = r#"{"access_token":{"nbf":{"essential":true,"value":"1700000000"}}}"#;
    let b64 =
        "eyJhY2Nlc3NfdG9rZW4iOnsibmJmIjp7ImVzc2VudGlhbCI6dHJ1ZSwidmFsdWUiOiIxNzAwMDAwMDAwIn19fQ==";
    let mut cred = cred(AZ, json!({}));
    let e = refused(&mut cred, with_claims(&[STORAGE], claims, None));
    assert_unavailable(
        &e,
        &format!("{CLAIMS} az login --claims-challenge {b64} --scope {STORAGE}"),
    );
    let e = refused(
        &mut cred,
        with_claims(&[STORAGE], claims, Some(OTHER_TENANT)),
    );
    assert_unavailable(
        &e,
        &format!(
            "{CLAIMS} az login --claims-challenge {b64} --scope {STORAGE} --tenant {OTHER_TENANT}"
        ),
    );
    // Blank claims are no claims.
    let run = once(
        &mut cred,
        with_claims(&[STORAGE], "  ", None),
        ran(0, &az_json("t", 1_700_003_600), ""),
    );
    assert_eq!(run.token().token.expose(), "t");
}

#[test]
fn az_hostile_scopes_spawn_nothing() {
    for scope in HOSTILE_SCOPES {
        for env in [linux(&[]), windows(&[("SystemRoot", "C:\\Windows")])] {
            let mut cred = build(AZ, json!({}), &env).unwrap();
            let e = refused(&mut cred, request(&[scope]));
            assert_unavailable(&e, INVALID_SCOPE);
        }
    }
    let mut cred = cred(AZ, json!({}));
    let e = refused(&mut cred, request(&[]));
    assert_unavailable(&e, INVALID_SCOPE);
}

#[test]
fn hostile_request_tenants_are_a_plain_error_that_stops_a_chain() {
    for kind in [AZ, AZD, PWSH] {
        for tenant in HOSTILE_TENANTS {
            let mut cred = cred(kind, json!({}));
            let e = refused(&mut cred, with_tenant(STORAGE, tenant));
            assert_eq!(e.kind, ErrorKind::InvalidRequest, "{kind} {tenant:?}");
            assert_eq!(e.name, "Error");
            assert_eq!(e.message, INVALID_TENANT);
            assert!(!e.kind.chain_continues());
        }
    }
}

#[test]
fn hostile_constructor_options_are_refused() {
    for kind in [AZ, AZD, PWSH] {
        for tenant in HOSTILE_TENANTS {
            let e = build(kind, json!({"tenantId": tenant}), &linux(&[])).unwrap_err();
            assert_eq!(
                (e.code, e.message.as_str()),
                ("InvalidConfig", INVALID_TENANT)
            );
        }
        // "" is no tenant, as in the reference (which only checks a truthy value).
        build(kind, json!({"tenantId": ""}), &linux(&[])).unwrap();
    }
    for sub in [
        "my;sub",
        "sub$(id)",
        "a/b",
        "x\"y",
        "s&calc",
        "s|x",
        "s%PATH%",
        "s\tx",
        "sübscription",
    ] {
        let e = build(AZ, json!({"subscription": sub}), &linux(&[])).unwrap_err();
        assert_eq!(e.code, "InvalidConfig");
        assert_eq!(
            e.message,
            format!(
                "Subscription '{sub}' contains invalid characters. If this is the name of a \
                 subscription, use its ID instead. You can locate your subscription by following \
                 the instructions listed here: \
                 https://learn.microsoft.com/azure/azure-portal/get-subscription-tenant-id"
            )
        );
    }
    // The tenant is checked before the subscription.
    let e = build(
        AZ,
        json!({"tenantId": "a b", "subscription": "a;b"}),
        &linux(&[]),
    )
    .unwrap_err();
    assert_eq!(e.message, INVALID_TENANT);
    let mut cred = cred(AZ, json!({"subscription": ""}));
    let run = once(
        &mut cred,
        request(&[STORAGE]),
        ran(0, &az_json("t", 1_700_003_600), ""),
    );
    assert!(!procs(&run)[0].args.contains(&"--subscription".to_owned()));
}

/// A script under which `kind` gets a token for one request.
fn success(kind: &str) -> Script {
    match kind {
        AZ => Script::new().reply(ran(0, &az_json("t", 1_700_003_600), "")),
        AZD => Script::new().reply(ran(0, &azd_json("t", "2023-11-14T23:13:20Z"), "")),
        _ => Script::new().reply(ran(0, "help", "")).reply(ran(
            0,
            &pwsh_json("t", "2023-11-14T23:13:20Z"),
            "",
        )),
    }
}

/// The tenant `kind` handed its tool in `run`: `--tenant`, `--tenant-id`, or the script's
/// environment variable.
fn tenant_passed(kind: &str, run: &Run) -> Option<String> {
    let p = procs(run).pop()?;
    let flag = match kind {
        AZ => "--tenant",
        AZD => "--tenant-id",
        _ => {
            return p
                .env
                .iter()
                .find(|(n, _)| n == "AZURE_IDENTITY_POWERSHELL_TENANT_ID")
                .map(|(_, v)| v.clone())
                .filter(|v| !v.is_empty());
        }
    };
    let i = p.args.iter().position(|a| a == flag)?;
    p.args.get(i + 1).cloned()
}

#[test]
fn multi_tenant_rules() {
    for kind in [AZ, AZD, PWSH] {
        // No configured tenant: the request's tenant is used freely.
        let mut cred = cred(kind, json!({}));
        let run = success(kind).run(&mut cred, with_tenant(STORAGE, OTHER_TENANT));
        assert_eq!(
            tenant_passed(kind, &run),
            Some(OTHER_TENANT.to_owned()),
            "{kind}"
        );
        // The configured tenant when the request names none.
        let mut cred = self::cred(kind, json!({"tenantId": TENANT}));
        let run = success(kind).run(&mut cred, request(&[STORAGE]));
        assert_eq!(tenant_passed(kind, &run), Some(TENANT.to_owned()), "{kind}");
        // A configured tenant refuses other tenants unless allowed.
        let mut cred = self::cred(kind, json!({"tenantId": TENANT}));
        let e = refused(&mut cred, with_tenant(STORAGE, OTHER_TENANT));
        assert_eq!(e.kind, ErrorKind::CredentialUnavailable);
        assert_eq!(
            e.message,
            format!(
                "The current credential is not configured to acquire tokens for tenant {OTHER_TENANT}. \
                 To enable acquiring tokens for this tenant add it to the AdditionallyAllowedTenants \
                 on the credential options, or add \"*\" to AdditionallyAllowedTenants to allow \
                 acquiring tokens for any tenant."
            )
        );
    }
    // Allowed by name, or by "*".
    for allowed in [json!([OTHER_TENANT]), json!(["*"])] {
        let mut cred = cred(
            AZ,
            json!({"tenantId": TENANT, "additionallyAllowedTenants": allowed}),
        );
        let run = once(
            &mut cred,
            with_tenant(STORAGE, OTHER_TENANT),
            ran(0, &az_json("t", 1_700_003_600), ""),
        );
        assert_eq!(
            procs(&run)[0].args[6..],
            strings(&["--tenant", OTHER_TENANT])
        );
    }
    // AZURE_IDENTITY_DISABLE_MULTITENANTAUTH: the configured tenant, whatever the request says.
    let env = linux(&[("AZURE_IDENTITY_DISABLE_MULTITENANTAUTH", "true")]);
    let mut cred = build(AZ, json!({"tenantId": TENANT}), &env).unwrap();
    let run = once(
        &mut cred,
        with_tenant(STORAGE, OTHER_TENANT),
        ran(0, &az_json("t", 1_700_003_600), ""),
    );
    assert_eq!(procs(&run)[0].args[6..], strings(&["--tenant", TENANT]));
}

#[test]
fn tokens_are_cached_so_the_tool_runs_once() {
    let mut cred = cred(AZ, json!({}));
    let mut s =
        Script::new().with(|_, now| ran(0, &az_json("tok", now.as_millis() / 1000 + 3600), ""));
    assert_eq!(s.get(&mut cred, STORAGE).transcript.len(), 1);
    s.advance_ms(30 * 60 * 1000);
    let again = s.get(&mut cred, STORAGE);
    assert!(again.cached);
    assert_eq!(again.token().token.expose(), "tok");
}

#[test]
fn a_run_action_refuses_other_replies() {
    let mut cred = cred(AZ, json!({}));
    let Begin::Start { mut flow, .. } = cred.begin(request(&[STORAGE]), T0) else {
        panic!("expected a flow")
    };
    let first = format!("{:?}", flow.poll(T0));
    assert!(first.contains("get-access-token"), "{first}");
    assert_eq!(
        flow.handle(Reply::Http(azcred_core::HttpResponse::new(200, "{}")), T0),
        Err(Misuse::WrongReply)
    );
    // The action is still outstanding: the same step again, then a fitting reply is taken.
    assert_eq!(format!("{:?}", flow.poll(at_ms(5))), first);
    let out = az_json("t", 1_700_003_600);
    assert_eq!(flow.handle(ran(0, &out, ""), T0), Ok(()));
    assert_eq!(
        flow.handle(ran(0, "", ""), T0),
        Err(Misuse::NoActionOutstanding)
    );
    assert!(matches!(flow.poll(T0), azcred_core::Step::Finished));
    assert_eq!(cred.finish(*flow, T0).unwrap().token.expose(), "t");
}

#[test]
fn explain_says_what_each_tool_runs() {
    let cred = build(
        AZ,
        json!({"tenantId": TENANT, "subscription": "s", "processTimeoutInMs": 5000}),
        &linux(&[]),
    )
    .unwrap();
    let r = &cred.explain()[0];
    assert_eq!(r.name, AZ);
    assert!(r.available);
    assert_eq!(
        r.detail,
        format!(
            "az account get-access-token, tenant {TENANT}, subscription 's', in /bin, stopped after 5000 ms"
        )
    );
    let cred = build(AZD, json!({}), &windows(&[])).unwrap();
    assert_eq!(
        cred.explain()[0].detail,
        "azd auth token, in C:\\Windows, stopped after 30000 ms"
    );
    let cred = build(PWSH, json!({}), &windows(&[])).unwrap();
    assert_eq!(
        cred.explain()[0].detail,
        "pwsh.exe or powershell.exe -NoProfile -NonInteractive -Command Get-AzAccessToken, stopped after 30000 ms"
    );
}

// ----------------------------------------------------------------------------------------------
// AzureDeveloperCliCredential

#[test]
fn azd_runs_auth_token_with_every_scope() {
    let mut cred = cred(AZD, json!({}));
    let run = once(
        &mut cred,
        request(&[STORAGE, "https://vault.azure.net/.default"]),
        ran(0, &azd_json("tok", "2023-11-14T23:13:20Z"), ""),
    );
    assert_eq!(
        procs(&run),
        [Proc {
            program: "azd".into(),
            args: strings(&[
                "auth",
                "token",
                "--output",
                "json",
                "--no-prompt",
                "--scope",
                STORAGE,
                "--scope",
                "https://vault.azure.net/.default",
            ]),
            env: vec![],
            env_remove: vec![],
            cwd: Some("/bin".into()),
            deadline: at_ms(DEFAULT_MS),
        }]
    );
    let t = run.token();
    assert_eq!(t.token.expose(), "tok");
    assert_eq!(t.expires_on, Timestamp::from_secs(1_700_003_600));
    assert_eq!(t.refresh_after, None);
}

#[test]
fn azd_passes_tenant_and_claims() {
    let mut cred = cred(AZD, json!({"tenantId": TENANT, "processTimeoutInMs": 700}));
    let run = once(
        &mut cred,
        with_claims(&[STORAGE], "{\"a\":1}", None),
        ran(0, &azd_json("tok", "2023-11-14T23:13:20Z"), ""),
    );
    let p = &procs(&run)[0];
    assert_eq!(
        p.args[5..],
        strings(&[
            "--scope",
            STORAGE,
            "--tenant-id",
            TENANT,
            "--claims",
            "eyJhIjoxfQ=="
        ])
    );
    assert_eq!(p.deadline, at_ms(700));
}

#[test]
fn azd_on_windows_runs_through_cmd() {
    let mut cred = build(AZD, json!({}), &windows(&[("SystemRoot", "C:\\Windows")])).unwrap();
    let run = once(
        &mut cred,
        request(&[STORAGE]),
        ran(0, &azd_json("t", "2023-11-14T23:13:20Z"), ""),
    );
    let p = &procs(&run)[0];
    assert_eq!(p.program, "C:\\Windows\\System32\\cmd.exe");
    assert_eq!(
        p.args[..6],
        strings(&["/d", "/s", "/v:off", "/c", "azd", "auth"])
    );
    assert_eq!(p.cwd.as_deref(), Some("C:\\Windows"));
}

#[test]
fn azd_classification() {
    let mfa = format!(
        "{CLAIMS} azd auth login --scope {STORAGE} --scope https://vault.azure.net/.default"
    );
    let cases: Vec<(Reply, String)> = vec![
        (failed(IoFailureKind::NotFound, "ENOENT"), AZD_NOT_INSTALLED.into()),
        (ran(127, "", "sh: 1: azd: not found\n"), AZD_NOT_INSTALLED.into()),
        (
            ran(1, "", "'azd' is not recognized as an internal or external command,\r\n"),
            AZD_NOT_INSTALLED.into(),
        ),
        (
            ran(1, "", "ERROR: not logged in, run `azd login` to login\n"),
            AZD_LOGIN.into(),
        ),
        (
            ran(1, "", "{\"error\":\"not logged in, run `azd auth login` to login\"}\n"),
            AZD_LOGIN.into(),
        ),
        (
            ran(1, "", "ERROR: fetching token: user must use multi-factor authentication\n"),
            mfa.clone(),
        ),
        (ran(1, "", "ERROR: reauthentication required\n"), mfa),
        (
            ran(
                1,
                "",
                "{\"type\":\"consoleMessage\",\"data\":{\"message\":\"\"}}\n{\"error\":\"fetching token: AADSTS700082: The refresh token has expired\",\"message\":\"m\"}\n",
            ),
            "fetching token: AADSTS700082: The refresh token has expired".into(),
        ),
        (
            ran(1, "", "{\"type\":\"consoleMessage\",\"data\":{\"message\":\"\\nERROR: boom\\n\"}}\n"),
            "ERROR: boom".into(),
        ),
        (ran(1, "", "plain failure\n"), "plain failure".into()),
        (
            ran(0, &format!("token: {SECRET_TOKEN}"), ""),
            "Unexpected response from Azure Developer CLI when getting token. The output is not JSON.".into(),
        ),
        (
            ran(0, &azd_json(SECRET_TOKEN, "whenever"), ""),
            "Unexpected response from Azure Developer CLI when getting token. Expected \"expiresOn\" to be a RFC3339 date string. Got: \"whenever\"".into(),
        ),
        (
            ran(0, &azd_json(SECRET_TOKEN, "2020-01-01T00:00:00Z"), ""),
            "Azure Developer CLI returned a token that has already expired.".into(),
        ),
        (
            failed(IoFailureKind::TimedOut, "killed"),
            "Azure Developer CLI did not finish within 30000 ms and was stopped. To allow more time, set processTimeoutInMs.".into(),
        ),
    ];
    for (reply, message) in cases {
        let mut cred = cred(AZD, json!({}));
        let run = once(
            &mut cred,
            request(&[STORAGE, "https://vault.azure.net/.default"]),
            reply,
        );
        assert_unavailable(run.error(), &message);
        assert_no_secret(run.error());
    }
}

#[test]
fn azd_hostile_scopes_anywhere_spawn_nothing() {
    for scope in HOSTILE_SCOPES {
        let mut cred = cred(AZD, json!({}));
        let e = refused(&mut cred, request(&[STORAGE, scope]));
        assert_unavailable(&e, INVALID_SCOPE);
    }
}

// ----------------------------------------------------------------------------------------------
// AzurePowerShellCredential

/// Checks a main PowerShell run: program, the reference's argv, env and no working directory.
fn assert_script_run(p: &Proc, program: &str, resource: &str, tenant: &str, deadline: Timestamp) {
    assert_eq!(p.program, program);
    assert_eq!(p.args.len(), 4);
    assert_eq!(
        p.args[..3],
        strings(&["-NoProfile", "-NonInteractive", "-Command"])
    );
    let script = &p.args[3];
    // The reference's script, byte for byte (the end-to-end test compares it with the
    // reference's own argv); here its length and key lines.
    assert_eq!(script.len(), 1649);
    assert!(script.starts_with("\n          $tenantId = $env:AZURE_IDENTITY_POWERSHELL_TENANT_ID\n          $resource = $env:AZURE_IDENTITY_POWERSHELL_RESOURCE\n"));
    for line in [
        "$m = Import-Module Az.Accounts -MinimumVersion 2.2.0 -PassThru",
        "$useSecureString = $m.Version -ge [version]'2.17.0' -and $m.Version -lt [version]'5.0.0'",
        "$token = Get-AzAccessToken @params",
        "[System.Runtime.InteropServices.Marshal]::SecureStringToBSTR($token.Token)",
        "($token.Token | ConvertFrom-SecureString -AsPlainText)",
        "Write-Output (ConvertTo-Json $result)",
    ] {
        assert!(script.contains(line), "{line}");
    }
    assert!(script.ends_with("ConvertTo-Json $result)\n          "));
    assert_eq!(
        p.env,
        vec![
            (
                "AZURE_IDENTITY_POWERSHELL_RESOURCE".to_owned(),
                resource.to_owned()
            ),
            (
                "AZURE_IDENTITY_POWERSHELL_TENANT_ID".to_owned(),
                tenant.to_owned()
            ),
        ]
    );
    assert_eq!(
        p.env_remove,
        strings(&[
            "AZURE_IDENTITY_POWERSHELL_RESOURCE",
            "AZURE_IDENTITY_POWERSHELL_TENANT_ID"
        ])
    );
    assert_eq!(p.cwd, None);
    assert_eq!(p.deadline, deadline);
}

fn probe(program: &str, deadline: Timestamp) -> Proc {
    Proc {
        program: program.into(),
        args: strings(&["/?"]),
        env: vec![],
        env_remove: vec![],
        cwd: None,
        deadline,
    }
}

#[test]
fn pwsh_probes_then_runs_the_script_with_env_vars() {
    let mut cred = cred(PWSH, json!({}));
    let mut s = Script::new()
        .with(|_, now| {
            // `pwsh /?` takes a moment: the script's deadline starts after it.
            *now = now.plus(std::time::Duration::from_millis(400));
            ran(0, "Usage: pwsh[.exe] ...", "")
        })
        .reply(ran(0, &pwsh_json("tok", "2023-11-14T23:13:20+00:00"), ""));
    let run = s.get(&mut cred, STORAGE);
    let ps = procs(&run);
    assert_eq!(ps.len(), 2);
    assert_eq!(ps[0], probe("pwsh", at_ms(DEFAULT_MS)));
    assert_script_run(
        &ps[1],
        "pwsh",
        "https://storage.azure.com",
        "",
        at_ms(400 + DEFAULT_MS),
    );
    let t = run.token();
    assert_eq!(t.token.expose(), "tok");
    assert_eq!(t.expires_on, Timestamp::from_secs(1_700_003_600));
    assert_eq!(t.refresh_after, None);
}

#[test]
fn pwsh_tenant_goes_through_the_environment() {
    let mut cred = cred(
        PWSH,
        json!({"tenantId": TENANT, "processTimeoutInMs": 9000}),
    );
    let mut s = Script::new().reply(ran(0, "help", "")).reply(ran(
        0,
        &pwsh_json("tok", "2023-11-14T23:13:20Z"),
        "",
    ));
    let run = s.get(&mut cred, "https://vault.azure.net/.default");
    let ps = procs(&run);
    assert_eq!(ps[0].deadline, at_ms(9000));
    assert_script_run(
        &ps[1],
        "pwsh",
        "https://vault.azure.net",
        TENANT,
        at_ms(9000),
    );
}

#[test]
fn pwsh_on_windows_falls_back_to_windows_powershell_and_remembers() {
    let mut cred = build(PWSH, json!({}), &windows(&[("SystemRoot", "C:\\Windows")])).unwrap();
    let mut s = Script::new()
        .reply(failed(IoFailureKind::NotFound, "pwsh.exe: not found"))
        .reply(ran(0, "help", ""))
        .reply(ran(0, &pwsh_json("tok", "/Date(1700003600000)/"), ""));
    let run = s.get(&mut cred, STORAGE);
    let ps = procs(&run);
    assert_eq!(ps[0], probe("pwsh.exe", at_ms(DEFAULT_MS)));
    assert_eq!(ps[1], probe("powershell.exe", at_ms(DEFAULT_MS)));
    assert_script_run(
        &ps[2],
        "powershell.exe",
        "https://storage.azure.com",
        "",
        at_ms(DEFAULT_MS),
    );
    assert_eq!(run.token().expires_on, Timestamp::from_secs(1_700_003_600));
    // The next acquisition (another scope) does not try pwsh.exe again.
    let mut s = Script::new().reply(ran(0, "help", "")).reply(ran(
        0,
        &pwsh_json("tok2", "2023-11-14T23:13:20Z"),
        "",
    ));
    let run = s.get(&mut cred, "https://vault.azure.net/.default");
    let programs: Vec<String> = procs(&run).into_iter().map(|p| p.program).collect();
    assert_eq!(programs, ["powershell.exe", "powershell.exe"]);
}

#[test]
fn pwsh_unusable_everywhere() {
    let unable = format!(
        "Error: Unable to execute PowerShell. Ensure that it is installed in your system. {PS_TROUBLESHOOT}"
    );
    // Any stderr, a non-zero exit, a timeout or absence fails the probe.
    for probe_reply in [
        failed(IoFailureKind::NotFound, "pwsh: not found"),
        ran(0, "help", "some warning"),
        ran(1, "help", ""),
        failed(IoFailureKind::TimedOut, "killed"),
        failed(IoFailureKind::PermissionDenied, "EACCES"),
    ] {
        let mut cred = cred(PWSH, json!({}));
        let run = once(&mut cred, request(&[STORAGE]), probe_reply);
        assert_eq!(run.transcript, ["run pwsh /?"]);
        assert_unavailable(run.error(), &unable);
        // Like the reference, a PowerShell that failed its probe is not tried again.
        let e = refused(&mut cred, request(&["https://vault.azure.net/.default"]));
        assert_unavailable(&e, &unable);
    }
    let mut cred = build(PWSH, json!({}), &windows(&[])).unwrap();
    let mut s = Script::new()
        .reply(ran(1, "", "x"))
        .reply(failed(IoFailureKind::NotFound, "x"));
    let run = s.get(&mut cred, STORAGE);
    assert_eq!(run.transcript, ["run pwsh.exe /?", "run powershell.exe /?"]);
    assert_unavailable(run.error(), &unable);
}

#[test]
fn pwsh_abort_during_the_probe_is_not_held_against_it() {
    let mut cred = cred(PWSH, json!({}));
    let run = once(
        &mut cred,
        request(&[STORAGE]),
        failed(IoFailureKind::Aborted, "aborted"),
    );
    assert_eq!(run.error().kind, ErrorKind::Aborted);
    let mut s = Script::new().reply(ran(0, "help", "")).reply(ran(
        0,
        &pwsh_json("tok", "2023-11-14T23:13:20Z"),
        "",
    ));
    assert_eq!(s.get(&mut cred, STORAGE).token().token.expose(), "tok");
}

#[test]
fn pwsh_classification() {
    let cases: Vec<(Reply, String)> = vec![
        (
            ran(
                1,
                "",
                "Import-Module: The specified module 'Az.Accounts' with version '2.2.0' was not loaded because no valid module file was found in any module directory.\n",
            ),
            PS_NOT_INSTALLED.into(),
        ),
        (
            ran(
                1,
                "",
                "Get-AzAccessToken: Run Connect-AzAccount to login.\n",
            ),
            PS_LOGIN.into(),
        ),
        (
            ran(
                1,
                "",
                "Get-AzAccessToken: \u{1b}[31mAADSTS50076: MFA required\n",
            ),
            format!("Error: Get-AzAccessToken:  [31mAADSTS50076: MFA required. {PS_TROUBLESHOOT}"),
        ),
        (
            // Any stderr fails the call, even next to a token.
            ran(
                0,
                &pwsh_json(SECRET_TOKEN, "2023-11-14T23:13:20Z"),
                "WARNING: x",
            ),
            format!("Error: WARNING: x. {PS_TROUBLESHOOT}"),
        ),
        (
            ran(3, &pwsh_json(SECRET_TOKEN, "2023-11-14T23:13:20Z"), ""),
            format!("ProcessError: The process exited with code 3.. {PS_TROUBLESHOOT}"),
        ),
        (
            ran(0, &format!("token is {SECRET_TOKEN}"), ""),
            format!(
                "Error: No access token found in the output (60 characters received). {PS_TROUBLESHOOT}"
            ),
        ),
        (
            ran(
                0,
                &format!("{{\"Token\":\"{SECRET_TOKEN}\",\"ExpiresOn\":null}}"),
                "",
            ),
            format!(
                "Error: Unexpected output from PowerShell: \"ExpiresOn\" is not a date. {PS_TROUBLESHOOT}"
            ),
        ),
        (
            ran(0, &pwsh_json(SECRET_TOKEN, "2020-01-01T00:00:00Z"), ""),
            format!(
                "Error: PowerShell returned a token that has already expired. {PS_TROUBLESHOOT}"
            ),
        ),
        (
            failed(IoFailureKind::TimedOut, "killed"),
            format!(
                "Error: PowerShell did not finish within 30000 ms and was stopped; to allow more time, set processTimeoutInMs. {PS_TROUBLESHOOT}"
            ),
        ),
        (
            failed(IoFailureKind::NotFound, "gone"),
            format!(
                "Error: Unable to execute PowerShell. Ensure that it is installed in your system. {PS_TROUBLESHOOT}"
            ),
        ),
        (
            failed(IoFailureKind::Other, "spawn E2BIG"),
            format!("Error: PowerShell could not be run: spawn E2BIG. {PS_TROUBLESHOOT}"),
        ),
    ];
    for (reply, message) in cases {
        let mut cred = cred(PWSH, json!({}));
        let mut s = Script::new().reply(ran(0, "help", "")).reply(reply);
        let run = s.get(&mut cred, STORAGE);
        assert_eq!(run.transcript.len(), 2);
        assert_unavailable(run.error(), &message);
        assert_no_secret(run.error());
    }
}

#[test]
fn pwsh_output_with_warnings_around_the_json() {
    let out = format!(
        "WARNING: Upcoming breaking changes in the cmdlet 'Get-AzAccessToken' :\n{{ not json }}\n{}\nDone\n",
        pwsh_json("tok", "2023-11-14T23:13:20.1234567+00:00")
    );
    let mut cred = cred(PWSH, json!({}));
    let mut s = Script::new()
        .reply(ran(0, "help", ""))
        .reply(ran(0, &out, ""));
    let run = s.get(&mut cred, STORAGE);
    assert_eq!(run.token().token.expose(), "tok");
    assert_eq!(
        run.token().expires_on,
        Timestamp::from_millis(1_700_003_600_123)
    );
}

#[test]
fn pwsh_claims_and_hostile_scopes_spawn_nothing() {
    let mut cred = cred(PWSH, json!({}));
    let e = refused(
        &mut cred,
        with_claims(&[STORAGE], "{\"a\":1}", Some(OTHER_TENANT)),
    );
    assert_unavailable(
        &e,
        &format!("{CLAIMS} Connect-AzAccount -ClaimsChallenge eyJhIjoxfQ== -Tenant {OTHER_TENANT}"),
    );
    let e = refused(&mut cred, with_claims(&[STORAGE], "{\"a\":1}", None));
    assert_unavailable(
        &e,
        &format!("{CLAIMS} Connect-AzAccount -ClaimsChallenge eyJhIjoxfQ=="),
    );
    for scope in HOSTILE_SCOPES {
        let e = refused(&mut cred, request(&[scope]));
        assert_unavailable(&e, &format!("Error: {INVALID_SCOPE}. {PS_TROUBLESHOOT}"));
    }
}
