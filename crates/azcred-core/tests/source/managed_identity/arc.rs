//! Scenario tests for Azure Arc managed identity: detection (variables, or the agent binary),
//! the 401 challenge with its key-file checks, and the user-assigned confirmation.

use crate::support::*;
use azcred_core::{ErrorKind, HttpResponse, IoFailure, IoFailureKind, Platform, Reply, Secret};
use serde_json::json;

const ARC_URL: &str = "http://localhost:40342/metadata/identity/oauth2/token";
const ARC_ENV: &[(&str, &str)] = &[
    ("IDENTITY_ENDPOINT", ARC_URL),
    ("IMDS_ENDPOINT", "http://localhost:40342"),
];
const KEY: &str = "/var/opt/azcmagent/tokens/abc.key";

fn challenge(realm: &str) -> Reply {
    Reply::Http(
        HttpResponse::new(401, "").header("WWW-Authenticate", format!("Basic realm={realm}")),
    )
}

fn key_file(contents: &str) -> Reply {
    Reply::File {
        contents: Secret::new(contents),
    }
}

#[test]
fn challenge_then_key_file_then_token() {
    let mut cred = mi(json!({}), ARC_ENV);
    let mut s = Script::new()
        .reply(challenge(KEY))
        .reply(key_file("arc-secret\n"))
        .token_for("tok-arc", 3600);
    let run = s.get(&mut cred, STORAGE);
    assert_eq!(run.token().token.expose(), "tok-arc");
    let url = format!(
        "http://127.0.0.1:40342/metadata/identity/oauth2/token?api-version=2020-06-01&resource={STORAGE_RES}"
    );
    assert_eq!(
        run.transcript,
        [url.clone(), format!("read-file {KEY}"), url].map(|l| if l.starts_with("http") {
            format!("GET {l}")
        } else {
            l
        })
    );
    let reqs = run.requests();
    assert_eq!(reqs[0].headers.get("Metadata"), Some("true"));
    assert_eq!(reqs[0].headers.get("Authorization"), None);
    assert_eq!(
        reqs[1].headers.get("Authorization"),
        Some("Basic arc-secret")
    );
    let azcred_core::Action::ReadFile { max_bytes, .. } = &run.actions[1] else {
        panic!("not a file read")
    };
    assert_eq!(*max_bytes, 4096);
}

#[test]
fn the_agent_binary_selects_arc_without_variables_and_skips_the_probe() {
    let mut cred = dac(json!({}), &[]);
    // The agent lookup is answered "found" (an empty read: the cap is zero).
    let mut s = Script::new()
        .reply(key_file(""))
        .reply(challenge(KEY))
        .reply(key_file("k"))
        .token_for("tok", 3600);
    s.arc_agent = true;
    let run = s.get(&mut cred, STORAGE);
    assert_eq!(run.token().token.expose(), "tok");
    assert_eq!(run.transcript[0], "read-file /opt/azcmagent/bin/himds");
    assert!(run.transcript[1].starts_with(
        "GET http://127.0.0.1:40342/metadata/identity/oauth2/token?api-version=2020-06-01"
    ));
    assert!(
        !run.transcript.iter().any(|l| l.ends_with("[probe]")),
        "{:?}",
        run.transcript
    );
}

#[test]
fn the_agent_lookup_treats_a_large_binary_as_found_and_absence_as_imds() {
    let mut cred = mi(json!({}), &[]);
    let mut s = Script::new()
        .fail(IoFailureKind::TooLarge, "big")
        .token_for("tok", 3600);
    s.arc_agent = true;
    let run = s.get(&mut cred, STORAGE);
    assert!(run.transcript[1].starts_with("GET http://127.0.0.1:40342/"));

    let mut cred = mi(json!({}), &[]);
    let mut s = Script::new()
        .fail(IoFailureKind::NotFound, "ENOENT")
        .token_for("tok", 3600);
    s.arc_agent = true;
    let run = s.get(&mut cred, STORAGE);
    assert!(run.transcript[1].starts_with(
        "GET http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01"
    ));
}

#[test]
fn bad_challenges_are_refused_before_any_file_is_read() {
    let cases: &[(Reply, &str)] = &[
        (
            Reply::Http(HttpResponse::new(401, "")),
            "www_authenticate_header_missing",
        ),
        (
            Reply::Http(HttpResponse::new(401, "").header("WWW-Authenticate", "Bearer x")),
            "www_authenticate_header_unsupported_format",
        ),
        (
            challenge("/var/opt/azcmagent/tokens/abc.txt"),
            "invalid_file_extension",
        ),
        (challenge("/etc/shadow.key"), "invalid_file_path"),
        (
            challenge("/var/opt/azcmagent/tokens/../../../etc/x.key"),
            "invalid_file_path",
        ),
    ];
    for (reply, code) in cases {
        let reply = match reply {
            Reply::Http(r) => Reply::Http(r.clone()),
            _ => unreachable!(),
        };
        let mut cred = mi(json!({}), ARC_ENV);
        let mut s = Script::new().reply(reply);
        let run = s.get(&mut cred, STORAGE);
        assert_eq!(run.error().kind, ErrorKind::CredentialUnavailable);
        assert!(
            run.error().message.contains(code),
            "{code}: {}",
            run.error().message
        );
        assert_eq!(
            run.transcript.len(),
            1,
            "nothing read: {:?}",
            run.transcript
        );
    }
}

#[test]
fn oversized_or_unreadable_key_files_fail() {
    for (reply, code) in [
        (
            Reply::Failed(IoFailure::new(IoFailureKind::TooLarge, "big")),
            "invalid_secret",
        ),
        (
            Reply::Failed(IoFailure::new(IoFailureKind::PermissionDenied, "EACCES")),
            "unable_to_read_secret_file",
        ),
    ] {
        let mut cred = mi(json!({}), ARC_ENV);
        let mut s = Script::new().reply(challenge(KEY)).reply(reply);
        let run = s.get(&mut cred, STORAGE);
        assert!(
            run.error().message.contains(code),
            "{}",
            run.error().message
        );
        assert!(!run.error().message.contains("arc-secret"));
    }
}

#[test]
fn windows_key_files_live_under_program_data() {
    let env = azcred_core::EnvSnapshot::from_pairs([
        ("IDENTITY_ENDPOINT", ARC_URL),
        ("IMDS_ENDPOINT", "http://localhost:40342"),
        ("ProgramData", "D:\\Data"),
    ])
    .with_platform(Platform::Win32);
    let mut cred =
        azcred_core::Credential::new("ManagedIdentityCredential", &options(json!({})), &env, 1)
            .unwrap();
    let good = "D:\\Data\\AzureConnectedMachineAgent\\Tokens\\t.key";
    let mut s = Script::new()
        .reply(challenge(good))
        .reply(key_file("w"))
        .token_for("tok", 3600);
    assert_eq!(s.get(&mut cred, STORAGE).token().token.expose(), "tok");

    let mut cred = azcred_core::Credential::new(
        "ManagedIdentityCredential",
        &options(json!({})),
        &env.with_platform(Platform::Darwin),
        1,
    )
    .unwrap();
    let mut s = Script::new().reply(challenge(KEY));
    assert!(
        s.get(&mut cred, STORAGE)
            .error()
            .message
            .contains("platform_not_supported")
    );
}

#[test]
fn user_assigned_tokens_must_be_confirmed() {
    let body =
        |echo: &str| format!(r#"{{"access_token":"t","expires_in":3600,"client_id":"{echo}"}}"#);
    let mut cred = mi(json!({"clientId": "ABC"}), ARC_ENV);
    let mut s = Script::new().http(200, &body("abc"));
    let run = s.get(&mut cred, STORAGE);
    assert!(run.requests()[0].url.ends_with("&client_id=ABC"));
    assert_eq!(run.token().token.expose(), "t");

    let mut cred = mi(json!({"clientId": "ABC"}), ARC_ENV);
    let mut s = Script::new().http(200, &body("other"));
    let run = s.get(&mut cred, STORAGE);
    assert!(
        run.error()
            .message
            .contains("user_assigned_managed_identity_not_confirmed")
    );
}
