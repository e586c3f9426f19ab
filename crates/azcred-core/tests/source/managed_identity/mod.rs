//! Scenario tests for `ManagedIdentityCredential` and DefaultAzureCredential's managed identity:
//! the exact wire request of each source, source detection, the IMDS probe, retries, and what
//! becomes of each kind of response.
//!
//! Laid out as `src/source/managed_identity/`: one file per protocol, `endpoint` (detection),
//! `flow` (scopes, retries, failures), `response`; construction and sharing are tested here.

mod app_service;
mod arc;
mod cloud_shell;
mod endpoint;
mod flow;
mod imds;
mod machine_learning;
mod response;
mod service_fabric;

use crate::support::*;
use azcred_core::{
    Credential, ErrorKind, HttpResponse, IoFailureKind, Method, Timestamp, TokenRequest,
};
use serde_json::json;

const APP_SERVICE_URL: &str = "http://127.0.0.1:41000/msi/token";
const APP_SERVICE: &[(&str, &str)] = &[
    ("IDENTITY_ENDPOINT", APP_SERVICE_URL),
    ("IDENTITY_HEADER", "hdr-secret"),
];
const ML_URL: &str = "http://127.0.0.1:41001/msi/token";
const SF_URL: &str = "https://10.0.0.4:2377/metadata/identity/oauth2/token";
const RES_ID: &str = "/subscriptions/sub/resourceGroups/rg/providers/Microsoft.ManagedIdentity/\
                      userAssignedIdentities/my-id";
const RES_ID_ENC: &str = "%2Fsubscriptions%2Fsub%2FresourceGroups%2Frg%2Fproviders%2F\
                          Microsoft.ManagedIdentity%2FuserAssignedIdentities%2Fmy-id";
const PROBE_UNAVAILABLE: &str = "ManagedIdentityCredential: Authentication failed. Message \
                                 Attempted to use the IMDS endpoint, but it is not available.";

/// Runs one `getToken` for storage against a credential whose first request gets a token, and
/// returns that run.
fn one_token(mut cred: Credential) -> Run {
    let mut s = Script::new().token_for("tok", 3600);
    let run = s.get(&mut cred, STORAGE);
    assert_eq!(run.token().token.expose(), "tok");
    run
}

fn first_request(run: &Run) -> azcred_core::HttpRequest {
    run.requests()[0].clone()
}

/// The URL of a request that got a token from a standalone managed identity built from `opts`
/// and `env`.
fn url_of(opts: serde_json::Value, pairs: &[(&str, &str)]) -> String {
    first_request(&one_token(mi(opts, pairs))).url
}

#[test]
fn service_fabric_and_cloud_shell_reject_user_assigned_ids_at_construction() {
    let sf = [
        ("IDENTITY_ENDPOINT", SF_URL),
        ("IDENTITY_HEADER", "h"),
        ("IDENTITY_SERVER_THUMBPRINT", "T"),
    ];
    let cs = [("MSI_ENDPOINT", "http://localhost:50342/oauth2/token")];
    for opts in [
        json!({"clientId": "c"}),
        json!({"resourceId": "r"}),
        json!({"objectId": "o"}),
    ] {
        let e = Credential::new(
            "ManagedIdentityCredential",
            &options(opts.clone()),
            &env(&sf),
            1,
        )
        .unwrap_err();
        assert_eq!(e.code, "CredentialUnavailable", "{opts}");
        assert!(
            e.message.starts_with(
                "ManagedIdentityCredential: Specifying a `clientId` or `resourceId` is not \
                 supported by the Service Fabric managed identity environment."
            ),
            "{}",
            e.message
        );
        let e = Credential::new(
            "ManagedIdentityCredential",
            &options(opts.clone()),
            &env(&cs),
            1,
        )
        .unwrap_err();
        assert_eq!(e.code, "CredentialUnavailable", "{opts}");
        assert_eq!(
            e.message,
            "ManagedIdentityCredential: Specifying a user-assigned managed identity is not \
             supported for CloudShell at runtime. When using Managed Identity in CloudShell, omit \
             the clientId, resourceId, and objectId parameters."
        );
    }
}

#[test]
fn default_credential_names_a_managed_identity_it_could_not_build() {
    // AZURE_CLIENT_ID in Cloud Shell: the constructor error leaves the member out, and the
    // aggregate error says why (the reference drops it silently).
    let mut cred = dac(
        json!({}),
        &[
            ("MSI_ENDPOINT", "http://localhost:50342/oauth2/token"),
            ("AZURE_CLIENT_ID", "cid"),
        ],
    );
    let run = Script::new().tools_absent().get(&mut cred, STORAGE);
    assert!(run.requests().is_empty(), "{:?}", run.transcript);
    let e = run.error();
    assert_eq!(e.kind, ErrorKind::Aggregate);
    let mi = e
        .errors
        .iter()
        .find(|x| x.credential.as_deref() == Some("ManagedIdentityCredential"))
        .expect("a managed identity entry");
    assert_eq!(mi.kind, ErrorKind::CredentialUnavailable);
    assert!(
        e.message.contains(
            "\nCredentialUnavailableError: \
             ManagedIdentityCredential is not used: ManagedIdentityCredential: Specifying a \
             user-assigned managed identity is not supported for CloudShell"
        ),
        "{}",
        e.message
    );
}

#[test]
fn standalone_rejects_two_ids() {
    let e = Credential::new(
        "ManagedIdentityCredential",
        &options(json!({"clientId": "a", "objectId": "b"})),
        &env(&[]),
        1,
    )
    .unwrap_err();
    assert_eq!(e.code, "InvalidConfig");
    assert_eq!(
        e.message,
        "ManagedIdentityCredential: only one of 'clientId', 'resourceId', or 'objectId' can be \
         provided. Received values: {\"clientId\":\"a\",\"objectId\":\"b\"}"
    );
    let e = Credential::new(
        "ManagedIdentityCredential",
        &options(json!({"objectId": "o", "resourceId": "r", "clientId": "c"})),
        &env(&[]),
        1,
    )
    .unwrap_err();
    assert_eq!(
        e.message,
        "ManagedIdentityCredential: only one of 'clientId', 'resourceId', or 'objectId' can be \
         provided. Received values: {\"clientId\":\"c\",\"resourceId\":\"r\",\"objectId\":\"o\"}"
    );
}

#[test]
fn standalone_two_ids_message_escapes_values_like_json_stringify() {
    let e = Credential::new(
        "ManagedIdentityCredential",
        &options(json!({"clientId": "a\"b", "objectId": "o"})),
        &env(&[]),
        1,
    )
    .unwrap_err();
    assert!(
        e.message
            .ends_with("Received values: {\"clientId\":\"a\\\"b\",\"objectId\":\"o\"}"),
        "{}",
        e.message
    );
}

#[test]
fn default_credential_user_assigned_selection() {
    let base = format!("{IMDS}?api-version=2018-02-01&resource={STORAGE_RES}");
    let url = |opts: serde_json::Value, pairs: &[(&str, &str)]| {
        let mut cred = dac(opts, pairs);
        let mut s = Script::new().http(400, "").token_for("tok", 3600);
        s.get(&mut cred, STORAGE).requests()[1].url.clone()
    };
    assert_eq!(
        url(json!({}), &[("AZURE_CLIENT_ID", "env-cid")]),
        format!("{base}&client_id=env-cid")
    );
    assert_eq!(
        url(
            json!({"managedIdentityClientId": "opt-cid"}),
            &[("AZURE_CLIENT_ID", "env-cid")]
        ),
        format!("{base}&client_id=opt-cid")
    );
    assert_eq!(
        url(
            json!({"managedIdentityClientId": "opt-cid", "managedIdentityResourceId": RES_ID}),
            &[("AZURE_CLIENT_ID", "env-cid")]
        ),
        format!("{base}&msi_res_id={RES_ID_ENC}")
    );
    assert_eq!(url(json!({}), &[]), base);
}

fn app_service_url() -> String {
    format!("GET {APP_SERVICE_URL}?api-version=2019-08-01&resource={STORAGE_RES}")
}

#[test]
fn empty_ids_are_absent() {
    let base = format!("{APP_SERVICE_URL}?api-version=2019-08-01&resource={STORAGE_RES}");
    // Standalone: an empty clientId is system-assigned, and does not count towards "only one".
    assert_eq!(url_of(json!({"clientId": ""}), APP_SERVICE), base);
    assert_eq!(
        url_of(json!({"clientId": "", "objectId": "oid"}), APP_SERVICE),
        format!("{base}&object_id=oid")
    );
    // DefaultAzureCredential: an empty managedIdentityResourceId falls through to the client id.
    let imds = format!("{IMDS}?api-version=2018-02-01&resource={STORAGE_RES}");
    let mut cred = dac(
        json!({"managedIdentityResourceId": ""}),
        &[("AZURE_CLIENT_ID", "env-cid")],
    );
    let mut s = Script::new().http(400, "").token_for("tok", 3600);
    assert_eq!(
        s.get(&mut cred, STORAGE).requests()[1].url,
        format!("{imds}&client_id=env-cid")
    );
}

/// Answers an HTTP request with `status`, and a developer tool's run with "not found".
fn http_or_no_tool(action: &azcred_core::Action, status: u16) -> azcred_core::Reply {
    match action {
        azcred_core::Action::Run { .. } => azcred_core::Reply::Failed(azcred_core::IoFailure::new(
            IoFailureKind::NotFound,
            "not found",
        )),
        _ => azcred_core::Reply::Http(HttpResponse::new(status, "")),
    }
}

#[test]
fn credentials_built_with_one_store_share_managed_identity_tokens() {
    let store = azcred_core::SharedTokens::new();
    let build = |shared: Option<&azcred_core::SharedTokens>, header: &str| {
        let e = env(&[
            ("IDENTITY_ENDPOINT", "http://127.0.0.1:41999/msi/token"),
            ("IDENTITY_HEADER", header),
        ]);
        Credential::sharing("DefaultAzureCredential", &options(json!({})), &e, 1, shared).unwrap()
    };
    let mut first = build(Some(&store), "h1");
    let mut s = Script::new().token_for("shared", 3600);
    assert_eq!(s.get(&mut first, STORAGE).token().token.expose(), "shared");

    // Another credential with a clone of the store: no request at all.
    let clone = store.clone();
    let mut second = build(Some(&clone), "h1");
    let run = Script::at(s.now).get(&mut second, STORAGE);
    assert!(run.transcript.is_empty(), "{:?}", run.transcript);
    assert_eq!(run.token().token.expose(), "shared");

    // Another store, another endpoint secret, or no store: no sharing.
    let other_store = azcred_core::SharedTokens::new();
    for mut other in [
        build(Some(&other_store), "h1"),
        build(Some(&store), "h2"),
        build(None, "h1"),
    ] {
        let mut s = Script::at(s.now).token_for("own", 3600);
        assert_eq!(s.get(&mut other, STORAGE).token().token.expose(), "own");
    }
}
