//! The reference's pipeline options that azcred cannot honour as asked: refused with an error
//! that names them, or (when they change nothing about security) a warning in the log.

mod support;

use azcred_core::{Credential, LogLevel};
use serde_json::json;
use support::*;

fn build(kind: &str, opts: serde_json::Value) -> Result<Credential, azcred_core::ConfigError> {
    let env = env(&[
        ("IDENTITY_ENDPOINT", "http://127.0.0.1:4000/msi/token"),
        ("IDENTITY_HEADER", "h"),
    ])
    .with_log_level(Some(LogLevel::Warning));
    Credential::new(kind, &options(opts), &env, 1)
}

#[test]
fn redirect_options_that_ask_for_redirects_to_be_followed_are_refused_by_name() {
    for opts in [
        json!({"redirectOptions": {}}),
        json!({"redirectOptions": {"handleRedirects": true}}),
        json!({"redirectOptions": {"maxRetries": 5}}),
    ] {
        for kind in [
            "DefaultAzureCredential",
            "ManagedIdentityCredential",
            "AzureCliCredential",
        ] {
            let e = build(kind, opts.clone()).unwrap_err();
            assert_eq!(e.code, "InvalidConfig");
            assert!(
                e.message
                    .starts_with("redirectOptions: azcred never follows redirects"),
                "{}",
                e.message
            );
        }
    }
    for opts in [
        json!({"redirectOptions": {"handleRedirects": false}}),
        json!({"redirectOptions": {"maxRetries": 0}}),
    ] {
        build("DefaultAzureCredential", opts).expect("not following redirects is what azcred does");
    }
}

#[test]
fn additional_policies_are_a_warning_that_says_how_many_are_not_run() {
    let mut cred = build(
        "ManagedIdentityCredential",
        json!({"additionalPolicies": [{"position": "perCall"}, {"position": "perRetry"}]}),
    )
    .unwrap();
    let warnings: Vec<_> = cred
        .take_log()
        .into_iter()
        .filter(|r| r.level == LogLevel::Warning)
        .map(|r| r.message)
        .collect();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].starts_with("ManagedIdentityCredential => additionalPolicies: "));
    assert!(
        warnings[0].contains("2 additional policies are not run"),
        "{}",
        warnings[0]
    );
    let mut none = build(
        "ManagedIdentityCredential",
        json!({"additionalPolicies": []}),
    )
    .unwrap();
    assert!(
        none.take_log()
            .iter()
            .all(|r| !r.message.contains("additionalPolicies"))
    );
}

#[test]
fn an_invalid_proxy_is_refused_at_construction_without_its_password() {
    let e = build(
        "ClientSecretCredential",
        json!({
            "tenantId": "t", "clientId": "c", "clientSecret": "s",
            "proxyOptions": {"host": "proxy.example", "port": 8080, "username": "u", "password": "pw-9f2c"},
        }),
    )
    .unwrap_err();
    assert!(
        e.message.starts_with("proxyOptions.host has no scheme"),
        "{}",
        e.message
    );
    assert!(!e.message.contains("pw-9f2c"));
}
