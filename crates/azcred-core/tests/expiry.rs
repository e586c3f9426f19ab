//! Expiry values at the edges: far-future and fractional `expires_on` from a managed-identity
//! endpoint, from Entra and from a developer tool (D8, D13).

mod support;

use azcred_core::{
    Credential, EnvSnapshot, ErrorKind, ProcessOutput, Reply, Secret, Timestamp, TokenRequest,
};
use serde_json::json;
use support::*;

const APP_SERVICE: &[(&str, &str)] = &[
    ("IDENTITY_ENDPOINT", "http://127.0.0.1:41000/msi/token"),
    ("IDENTITY_HEADER", "hdr-secret"),
];

/// One managed-identity `getToken` answered with `body`.
fn mi_with(body: &str) -> Run {
    let mut cred = mi(json!({"retryOptions": {"maxRetries": 0}}), APP_SERVICE);
    let mut s = Script::new().http(200, body);
    s.get(&mut cred, STORAGE)
}

#[track_caller]
fn assert_names(run: &Run, field: &str) {
    let e = run.error();
    assert!(
        e.to_string().contains(&format!("'{field}'")),
        "the error names {field}: {e}"
    );
}

#[test]
fn an_expires_on_more_than_ten_years_ahead_is_an_error_naming_the_field() {
    // 11 years ahead, u64::MAX seconds, past what a JS Date can hold (8.64e15 ms), as numbers
    // and as strings.
    let eleven_years = T0.as_millis() / 1000 + 11 * 366 * 86_400;
    for v in [
        json!(eleven_years),
        json!(eleven_years.to_string()),
        json!(u64::MAX),
        json!(u64::MAX.to_string()),
        json!(8_640_000_000_001_u64),
        json!(1e300),
        json!("9999-12-31T23:59:59Z"),
    ] {
        let body = json!({"access_token": "t", "expires_on": v}).to_string();
        let run = mi_with(&body);
        assert_names(&run, "expires_on");
    }
}

#[test]
fn an_expires_in_more_than_ten_years_ahead_is_an_error_naming_the_field() {
    for v in [
        json!(u64::MAX),
        json!(11 * 366 * 86_400_u64),
        json!("18446744073709551615"),
    ] {
        let body = json!({"access_token": "t", "expires_in": v}).to_string();
        let run = mi_with(&body);
        assert_names(&run, "expires_in");
    }
}

#[test]
fn an_expiry_just_under_ten_years_ahead_is_accepted() {
    let exp = T0.as_millis() / 1000 + 9 * 366 * 86_400;
    let run = mi_with(&json!({"access_token": "t", "expires_on": exp}).to_string());
    assert_eq!(run.token().expires_on, Timestamp::from_secs(exp));
}

#[test]
fn a_fractional_expires_on_is_accepted_to_the_millisecond_as_msal_computes_it() {
    // MSAL: expires_in = expires_on - now (a fraction kept), expiresOn = new Date(s * 1000).
    for v in [json!(1_798_761_600.5), json!("1798761600.5")] {
        let run = mi_with(&json!({"access_token": "t", "expires_on": v}).to_string());
        assert_eq!(
            run.token().expires_on,
            Timestamp::from_millis(1_798_761_600_500),
            "{v}"
        );
    }
    // A fraction finer than a millisecond is cut, as a Date's time value is.
    let run = mi_with(r#"{"access_token":"t","expires_on":1798761600.0009}"#);
    assert_eq!(
        run.token().expires_on,
        Timestamp::from_millis(1_798_761_600_000)
    );
}

#[test]
fn a_fractional_expires_in_from_entra_is_accepted() {
    let mut cred = credential(
        "ClientSecretCredential",
        json!({"tenantId": "72f988bf-86f1-41af-91ab-2d7cd011db47", "clientId": "c",
               "clientSecret": "not-a-real-secret"}),
        &[],
    );
    let mut s = Script::new().http(200, r#"{"access_token":"t","expires_in":3599.5}"#);
    let run = s.get(&mut cred, STORAGE);
    assert!(run.token().expires_on > T0);
}

fn az_ran(expires_on: &str) -> Reply {
    Reply::Ran(ProcessOutput {
        exit_code: Some(0),
        stdout: Secret::new(format!(
            r#"{{"accessToken":"t","expiresOn":"2023-11-14 23:13:20.000000","expires_on":{expires_on},"tokenType":"Bearer"}}"#
        )),
        stderr: String::new(),
    })
}

#[test]
fn a_developer_tool_expiry_more_than_ten_years_ahead_is_an_error_naming_the_field() {
    let env = EnvSnapshot::from_pairs([("PATH", "/usr/bin")]);
    for v in [
        "99999999999999999999",
        "\"18446744073709551615\"",
        "8640000000000001",
    ] {
        let mut cred = Credential::new("AzureCliCredential", &options(json!({})), &env, 1).unwrap();
        let mut s = Script::new().reply(az_ran(v));
        let run = s.run(&mut cred, TokenRequest::new([STORAGE]));
        let e = run.error();
        assert_eq!(e.kind, ErrorKind::CredentialUnavailable);
        assert!(e.to_string().contains("expires_on"), "{e}");
    }
}

#[test]
fn a_fractional_az_expires_on_is_read_as_parse_int_reads_it() {
    let env = EnvSnapshot::from_pairs([("PATH", "/usr/bin")]);
    let mut cred = Credential::new("AzureCliCredential", &options(json!({})), &env, 1).unwrap();
    let mut s = Script::new().reply(az_ran("1798761600.5"));
    let run = s.run(&mut cred, TokenRequest::new([STORAGE]));
    assert_eq!(run.token().expires_on, Timestamp::from_secs(1_798_761_600));
}
