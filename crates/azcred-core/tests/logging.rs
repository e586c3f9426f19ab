//! What the core logs, level by level, in the reference's `azure:identity` wording: which
//! credential was chosen or skipped and why, each outcome, each request and process run at
//! `verbose`, retries and fallbacks at `warning`, and nothing at all while logging is off.

mod support;

use azcred_core::{
    Credential, EnvSnapshot, HostInfo, LogLevel, ProcessOutput, Reply, Secret, Timestamp,
};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};
use support::*;

const APP_SERVICE: &[(&str, &str)] = &[
    ("IDENTITY_ENDPOINT", "http://127.0.0.1:4000/msi/token"),
    ("IDENTITY_HEADER", "hdr-secret"),
];

fn logged_credential(
    kind: &str,
    opts: Value,
    pairs: &[(&str, &str)],
    level: LogLevel,
) -> Credential {
    let env = env(pairs).with_log_level(Some(level));
    Credential::new(kind, &options(opts), &env, 1).expect("credential")
}

/// The records taken from `cred`, as `(level, message)`.
fn records(cred: &mut Credential) -> Vec<(LogLevel, String)> {
    cred.take_log()
        .into_iter()
        .map(|r| (r.level, r.message))
        .collect()
}

fn has(records: &[(LogLevel, String)], level: LogLevel, message: &str) -> bool {
    records.iter().any(|(l, m)| *l == level && m == message)
}

fn token_ok(s: Script) -> Script {
    s.with(|_, now| {
        let body = token_body("tok", now.as_millis() / 1000 + 3600);
        Reply::Http(azcred_core::HttpResponse::new(200, body))
    })
}

#[test]
fn default_credential_on_app_service_logs_its_choices_and_outcome_at_info() {
    let mut cred = logged_credential(
        "DefaultAzureCredential",
        json!({}),
        APP_SERVICE,
        LogLevel::Info,
    );
    let built = records(&mut cred);
    assert!(
        has(
            &built,
            LogLevel::Info,
            "ManagedIdentityCredential => App Service endpoint, system-assigned identity."
        ),
        "{built:#?}"
    );
    assert!(
        built.iter().any(|(l, m)| *l == LogLevel::Warning
            && m.starts_with("DefaultAzureCredential => Skipped WorkloadIdentityCredential: ")),
        "a member left out at construction is a warning: {built:#?}"
    );

    token_ok(Script::new()).get(&mut cred, STORAGE).token();
    let got = records(&mut cred);
    let scopes = "Scopes: https://storage.azure.com/.default.";
    assert!(
        has(
            &got,
            LogLevel::Info,
            &format!("ManagedIdentityCredential => getToken() => SUCCESS. {scopes}")
        ),
        "{got:#?}"
    );
    assert!(
        has(
            &got,
            LogLevel::Info,
            &format!(
                "ChainedTokenCredential => getToken() => Result for ManagedIdentityCredential: SUCCESS. {scopes}"
            )
        ),
        "{got:#?}"
    );
    assert!(
        got.iter().any(|(l, m)| *l == LogLevel::Info
            && m.starts_with("ChainedTokenCredential => getToken() => Skipping WorkloadIdentityCredential, reason: ")),
        "why a member is skipped: {got:#?}"
    );
    assert!(
        got.iter().any(|(l, m)| *l == LogLevel::Warning
            && m.starts_with("ChainedTokenCredential => getToken() => EnvironmentCredential is unavailable; trying the next credential.")),
        "a fallback is a warning: {got:#?}"
    );
    assert!(
        got.iter().all(|(l, _)| *l != LogLevel::Verbose),
        "no request lines at info: {got:#?}"
    );
}

#[test]
fn verbose_adds_each_request_with_its_status_and_duration_and_no_secret_query_value() {
    let mut cred = logged_credential(
        "ManagedIdentityCredential",
        json!({}),
        APP_SERVICE,
        LogLevel::Verbose,
    );
    records(&mut cred);
    Script::new()
        .with(|_, now| {
            *now = Timestamp::from_millis(now.as_millis() + 25);
            Reply::Http(azcred_core::HttpResponse::new(
                200,
                token_body("tok", 1_700_003_600),
            ))
        })
        .get(&mut cred, STORAGE)
        .token();
    let got = records(&mut cred);
    assert_eq!(
        got,
        [
            (
                LogLevel::Verbose,
                "ManagedIdentityCredential => GET http://127.0.0.1:4000/msi/token?api-version=2019-08-01&resource=REDACTED => status 200 in 25 ms".to_owned()
            ),
            (
                LogLevel::Info,
                "ManagedIdentityCredential => getToken() => SUCCESS. Scopes: https://storage.azure.com/.default.".to_owned()
            ),
        ]
    );
}

#[test]
fn a_retry_is_a_warning_with_the_wait() {
    let mut cred = logged_credential(
        "ManagedIdentityCredential",
        json!({}),
        APP_SERVICE,
        LogLevel::Warning,
    );
    records(&mut cred);
    let run = token_ok(
        Script::new()
            .response(azcred_core::HttpResponse::new(429, "{}").header("Retry-After", "2")),
    )
    .get(&mut cred, STORAGE);
    assert_eq!(run.waits(), [2000]);
    assert_eq!(
        records(&mut cred),
        [(
            LogLevel::Warning,
            "ManagedIdentityCredential => getToken() => Retrying in 2000 ms.".to_owned()
        )]
    );
}

#[test]
fn a_failure_is_logged_with_the_reference_error_format() {
    let mut cred = logged_credential(
        "ManagedIdentityCredential",
        json!({"retryOptions": {"maxRetries": 0}}),
        APP_SERVICE,
        LogLevel::Info,
    );
    records(&mut cred);
    let e = Script::new()
        .http(
            400,
            r#"{"error":"invalid_resource","error_description":"no such resource"}"#,
        )
        .get(&mut cred, STORAGE)
        .error()
        .clone();
    let got = records(&mut cred);
    assert_eq!(
        got,
        [(
            LogLevel::Info,
            format!(
                "ManagedIdentityCredential => getToken() => ERROR. Scopes: https://storage.azure.com/.default. Error message: {}.",
                e.message
            )
        )]
    );
}

#[test]
fn nothing_is_kept_while_logging_is_off_and_the_level_can_change_between_calls() {
    let mut cred = mi(json!({}), APP_SERVICE);
    token_ok(Script::new()).get(&mut cred, STORAGE).token();
    assert!(cred.take_log().is_empty());

    cred.set_log_level(Some(LogLevel::Info));
    let mut s = token_ok(Script::at(at_ms(60 * 60 * 1000)));
    s.get(&mut cred, STORAGE).token();
    assert_eq!(
        records(&mut cred),
        [(
            LogLevel::Info,
            "ManagedIdentityCredential => getToken() => SUCCESS. Scopes: https://storage.azure.com/.default.".to_owned()
        )]
    );
}

#[test]
fn account_identifiers_are_logged_only_when_the_option_allows_it() {
    let claims = URL_SAFE_NO_PAD.encode(r#"{"appid":"app-1","tid":"tenant-1","oid":"object-1"}"#);
    let jwt = format!("eyJhbGciOiJub25lIn0.{claims}.c2ln");
    for allowed in [false, true] {
        let mut cred = logged_credential(
            "ManagedIdentityCredential",
            json!({"loggingOptions": {"allowLoggingAccountIdentifiers": allowed}}),
            APP_SERVICE,
            LogLevel::Info,
        );
        records(&mut cred);
        let body = token_body(&jwt, 1_700_003_600);
        Script::new()
            .http(200, &body)
            .get(&mut cred, STORAGE)
            .token();
        let line = "[Authenticated account] Client ID: app-1. Tenant ID: tenant-1. User Principal Name: No User Principal Name available. Object ID (user): object-1";
        assert_eq!(has(&records(&mut cred), LogLevel::Info, line), allowed);
    }
}

#[test]
fn a_process_run_is_logged_with_its_exit_code_and_duration_but_not_its_output() {
    let mut cred = logged_credential("AzureCliCredential", json!({}), &[], LogLevel::Verbose);
    records(&mut cred);
    Script::new()
        .with(|_, now| {
            *now = Timestamp::from_millis(now.as_millis() + 700);
            Reply::Ran(ProcessOutput {
                exit_code: Some(0),
                stdout: Secret::new(
                    r#"{"accessToken":"cli-token-value","expires_on":1700003600,"tokenType":"Bearer"}"#,
                ),
                stderr: String::new(),
            })
        })
        .get(&mut cred, STORAGE)
        .token();
    let got = records(&mut cred);
    assert!(
        got.iter().any(|(l, m)| *l == LogLevel::Verbose
            && m.starts_with("AzureCliCredential => ran ")
            && m.ends_with(" => exit code 0 in 700 ms")),
        "{got:#?}"
    );
    assert!(got.iter().all(|(_, m)| !m.contains("cli-token-value")));
}

#[test]
fn foreign_chain_members_are_named_only_in_the_chain_result() {
    let mut cred = logged_credential(
        "ChainedTokenCredential",
        json!({"members": ["MyCredential"]}),
        &[],
        LogLevel::Info,
    );
    records(&mut cred);
    Script::new()
        .delegated_token("tok", at_ms(3_600_000))
        .get(&mut cred, STORAGE)
        .token();
    assert_eq!(
        records(&mut cred),
        [(
            LogLevel::Info,
            "ChainedTokenCredential => getToken() => Result for MyCredential: SUCCESS. Scopes: https://storage.azure.com/.default.".to_owned()
        )]
    );
}

#[test]
fn every_request_carries_the_user_agent_the_driver_describes_after_the_callers_prefix() {
    let host = HostInfo {
        runtime: "Node".to_owned(),
        version: "20.20.2".to_owned(),
        os: "Linux 6.1.0".to_owned(),
        arch: "x64".to_owned(),
    };
    let env = EnvSnapshot::from_pairs(APP_SERVICE.iter().copied()).with_host(host);
    let version = env!("CARGO_PKG_VERSION");
    for (opts, want) in [
        (
            json!({}),
            format!("azcred/{version} Node/20.20.2 (Linux 6.1.0; x64)"),
        ),
        (
            json!({"userAgentOptions": {"userAgentPrefix": "my-app/1.0"}}),
            format!("my-app/1.0 azcred/{version} Node/20.20.2 (Linux 6.1.0; x64)"),
        ),
    ] {
        let mut cred =
            Credential::new("ManagedIdentityCredential", &options(opts), &env, 1).unwrap();
        let run = token_ok(Script::new()).get(&mut cred, STORAGE);
        assert_eq!(
            run.requests()[0].headers.get("User-Agent"),
            Some(want.as_str())
        );
    }
}

#[test]
fn a_repeated_poll_repeats_the_same_request_id_and_the_next_request_gets_a_fresh_one() {
    let mut cred = mi(json!({}), APP_SERVICE);
    let azcred_core::Begin::Start { mut flow, .. } =
        cred.begin(azcred_core::TokenRequest::new([STORAGE]), T0)
    else {
        panic!("a cold credential starts a flow")
    };
    let id = |step: azcred_core::Step| match step {
        azcred_core::Step::Perform { action } => http(&action)
            .0
            .headers
            .get("x-ms-client-request-id")
            .map(str::to_owned)
            .unwrap(),
        other => panic!("{other:?}"),
    };
    let first = id(flow.poll(T0));
    assert_eq!(id(flow.poll(T0)), first, "the same action, asked again");
    flow.handle(Reply::Http(azcred_core::HttpResponse::new(500, "{}")), T0)
        .unwrap();
    let mut next = flow.poll(T0);
    if let azcred_core::Step::Wait { until } = next {
        next = flow.poll(until);
    }
    assert_ne!(id(next), first, "a retry is a new request with a new id");
}
