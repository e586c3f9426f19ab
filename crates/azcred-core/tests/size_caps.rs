//! Inputs over the size caps (D5) are refused before any work, with an error naming what is too
//! large; the credential stays usable.

mod support;

use azcred_core::{
    Credential, ErrorKind, MAX_CLAIMS_LEN, MAX_OPTION_LEN, MAX_SCOPES, MAX_SCOPES_LEN,
    MAX_TENANT_LEN, Options, TokenRequest,
};
use serde_json::json;
use support::*;

const APP_SERVICE: &[(&str, &str)] = &[
    ("IDENTITY_ENDPOINT", "http://127.0.0.1:41000/msi/token"),
    ("IDENTITY_HEADER", "h"),
];

#[test]
fn a_request_over_a_cap_is_refused_naming_it_and_does_no_io() {
    let mut huge_claims = TokenRequest::new([STORAGE]);
    huge_claims.claims = Some("x".repeat(MAX_CLAIMS_LEN + 1));
    let mut huge_tenant = TokenRequest::new([STORAGE]);
    huge_tenant.tenant_id = Some("t".repeat(MAX_TENANT_LEN + 1));
    for (request, name) in [
        (
            TokenRequest::new(["s".repeat(MAX_SCOPES_LEN + 1)]),
            "scopes",
        ),
        (
            TokenRequest::new((0..=MAX_SCOPES).map(|i| format!("s{i}"))),
            "scopes",
        ),
        (huge_claims, "claims"),
        (huge_tenant, "tenantId"),
    ] {
        for kind in ["ManagedIdentityCredential", "DefaultAzureCredential"] {
            let mut cred = credential(kind, json!({}), APP_SERVICE);
            // No answer scripted: any action would fail the test.
            let mut s = Script::new();
            let run = s.run(&mut cred, request.clone());
            let e = run.error();
            assert_eq!(e.kind, ErrorKind::InvalidRequest, "{kind}");
            assert!(
                e.message.starts_with(&format!("{name} is too large")),
                "{}",
                e.message
            );
            assert!(run.actions.is_empty());
            // Still usable.
            let mut s = Script::new().token_for("t", 3600);
            s.get(&mut cred, STORAGE).token();
        }
    }
}

#[test]
fn a_scope_list_at_the_caps_is_accepted() {
    let mut cred = credential("ChainedTokenCredential", json!({"members": ["A"]}), &[]);
    let scopes: Vec<String> = (0..MAX_SCOPES).map(|i| format!("s{i}")).collect();
    let mut s = Script::new().delegated_token("t", at_ms(3_600_000));
    s.run(&mut cred, TokenRequest::new(scopes)).token();
}

#[test]
fn an_option_over_a_cap_is_refused_naming_it() {
    let big = "x".repeat(MAX_OPTION_LEN + 1);
    for (opts, name) in [
        (json!({"clientId": big}), "clientId"),
        (
            json!({"tenantId": "t".repeat(MAX_TENANT_LEN + 1)}),
            "tenantId",
        ),
        (
            json!({"additionallyAllowedTenants": [big]}),
            "additionallyAllowedTenants",
        ),
        (
            json!({"userAgentOptions": {"userAgentPrefix": big}}),
            "userAgentOptions.userAgentPrefix",
        ),
    ] {
        let o: Options = options(opts);
        let e = Credential::new("ManagedIdentityCredential", &o, &env(APP_SERVICE), 1).unwrap_err();
        assert_eq!(e.code, "InvalidConfig");
        assert!(
            e.message.starts_with(&format!("{name} is too large")),
            "{}",
            e.message
        );
    }
}
