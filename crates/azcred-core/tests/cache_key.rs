//! The cache key is what changes the request for the source that answers (issue 9, item 5):
//! `enableCae` changes an Entra request (its `claims`), but not an `az`, `azd`, `pwsh` or
//! managed-identity one, so for those a CAE and a non-CAE `getToken` share one entry. A storage
//! client asks with `enableCae: true` after the app's own `getToken`: one `az` run, not two.

mod support;

use azcred_core::{Action, Credential, ProcessOutput, Reply, Secret, Timestamp, TokenRequest};
use serde_json::json;
use support::*;

fn with_cae(scope: &str) -> TokenRequest {
    let mut r = TokenRequest::new([scope]);
    r.enable_cae = true;
    r
}

/// A successful run of any developer tool (`az`, `azd` and `pwsh` JSON in one object), valid
/// for an hour after `T0`.
fn tool_ok(_: &Action, now: &mut Timestamp) -> Reply {
    let exp = now.as_millis() / 1000 + 3600;
    Reply::Ran(ProcessOutput {
        exit_code: Some(0),
        stdout: Secret::new(format!(
            r#"{{"accessToken":"tok","expires_on":{exp},"token":"tok","expiresOn":"2023-11-14T23:13:20Z","Token":"tok","ExpiresOn":"2023-11-14T23:13:20Z"}}"#
        )),
        stderr: String::new(),
    })
}

#[test]
fn a_cae_request_after_a_plain_one_is_served_from_the_cache_for_each_developer_tool() {
    for kind in ["AzureCliCredential", "AzureDeveloperCliCredential"] {
        let mut cred = Credential::new(kind, &options(json!({})), &env(&[]), 1).unwrap();
        let mut s = Script::new().with(tool_ok);
        assert!(!s.get(&mut cred, STORAGE).cached);
        let run = s.run(&mut cred, with_cae(STORAGE));
        assert!(run.cached, "{kind}: {:?}", run.transcript);
        // And the other way round.
        let mut s = Script::new().with(tool_ok);
        assert!(
            !s.run(&mut cred, with_cae("https://vault.azure.net/.default"))
                .cached
        );
        assert!(
            s.get(&mut cred, "https://vault.azure.net/.default").cached,
            "{kind}"
        );
    }
}

#[test]
fn a_cae_request_after_a_plain_one_is_served_from_the_cache_for_managed_identity() {
    let mut cred = mi(
        json!({}),
        &[
            ("IDENTITY_ENDPOINT", "http://127.0.0.1:41000/msi/token"),
            ("IDENTITY_HEADER", "h"),
        ],
    );
    let mut s = Script::new().token_for("tok", 3600);
    assert!(!s.get(&mut cred, STORAGE).cached);
    assert!(s.run(&mut cred, with_cae(STORAGE)).cached);
}

#[test]
fn default_azure_credential_on_a_developer_machine_runs_az_once_for_a_plain_and_a_cae_request() {
    // No service principal, no managed identity endpoint answering the probe: az answers.
    let mut cred = dac(json!({}), &[("AZURE_TOKEN_CREDENTIALS", "dev")]);
    let mut s = Script::new().with(tool_ok);
    let first = s.get(&mut cred, STORAGE);
    assert!(first.transcript[0].starts_with("run az account get-access-token"));
    let run = s.run(&mut cred, with_cae(STORAGE));
    assert!(run.cached, "one az run: {:?}", run.transcript);
}

#[test]
fn default_azure_credential_sticky_to_az_serves_a_cae_request_for_a_new_scope_with_one_run() {
    let mut cred = dac(
        json!({}),
        &[("AZURE_TOKEN_CREDENTIALS", "AzureCliCredential")],
    );
    let mut s = Script::new().with(tool_ok);
    s.get(&mut cred, STORAGE).token();
    let mut s = Script::new().with(tool_ok);
    // Sticky to az: a CAE request for another scope runs az once, and its plain twin is cached.
    assert!(
        !s.run(&mut cred, with_cae("https://vault.azure.net/.default"))
            .cached
    );
    assert!(s.get(&mut cred, "https://vault.azure.net/.default").cached);
}

#[test]
fn an_entra_credential_keeps_cae_and_plain_tokens_apart() {
    // CAE changes the Entra request (`claims` with `xms_cc`), so the tokens differ.
    let mut cred = credential(
        "ClientSecretCredential",
        json!({"tenantId": "72f988bf-86f1-41af-91ab-2d7cd011db47", "clientId": "c",
               "clientSecret": "not-a-real-secret"}),
        &[],
    );
    let mut s = Script::new().token_for("plain", 3600);
    s.get(&mut cred, STORAGE).token();
    let mut s = Script::new().token_for("cae", 3600);
    let run = s.run(&mut cred, with_cae(STORAGE));
    assert!(!run.cached);
    assert_eq!(run.token().token.expose(), "cae");
}
