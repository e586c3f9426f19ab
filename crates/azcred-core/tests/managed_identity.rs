//! Scenario tests for `ManagedIdentityCredential` and DefaultAzureCredential's managed identity:
//! the exact wire request of each source, source detection, the IMDS probe, retries, and what
//! becomes of each kind of response.

mod support;

use azcred_core::{
    Credential, ErrorKind, HttpResponse, IoFailureKind, Method, Timestamp, TokenRequest,
};
use serde_json::json;
use support::*;

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

// ---------------------------------------------------------------------------------------------
// Wire requests per source
// ---------------------------------------------------------------------------------------------

#[test]
fn app_service_system_assigned_request() {
    let run = one_token(mi(json!({}), APP_SERVICE));
    assert_eq!(
        run.transcript,
        [format!(
            "GET {APP_SERVICE_URL}?api-version=2019-08-01&resource={STORAGE_RES}"
        )]
    );
    let (req, deadline, connect) = http(&run.actions[0]);
    assert_eq!(req.method, Method::Get);
    assert_eq!(
        header_list(&req.headers),
        stamped(req, &[("X-IDENTITY-HEADER", "hdr-secret")])
    );
    assert!(req.body.is_none());
    assert!(
        !req.allow_proxy,
        "managed identity endpoints are reached directly"
    );
    assert_eq!(req.pinned_thumbprint, None);
    assert_eq!(deadline, at_ms(10_000), "each attempt has a 10 s deadline");
    assert_eq!(connect, None);
}

#[test]
fn app_service_user_assigned_ids() {
    let base = format!("{APP_SERVICE_URL}?api-version=2019-08-01&resource={STORAGE_RES}");
    assert_eq!(
        url_of(json!({"clientId": "cid-1"}), APP_SERVICE),
        format!("{base}&client_id=cid-1")
    );
    assert_eq!(
        url_of(json!({"objectId": "oid-1"}), APP_SERVICE),
        format!("{base}&object_id=oid-1")
    );
    assert_eq!(
        url_of(json!({"resourceId": RES_ID}), APP_SERVICE),
        format!("{base}&mi_res_id={RES_ID_ENC}")
    );
}

#[test]
fn endpoint_with_a_query_gets_an_ampersand() {
    let url = url_of(
        json!({}),
        &[
            ("IDENTITY_ENDPOINT", "http://127.0.0.1:41000/msi/token?x=1"),
            ("IDENTITY_HEADER", "h"),
        ],
    );
    assert_eq!(
        url,
        format!(
            "http://127.0.0.1:41000/msi/token?x=1&api-version=2019-08-01&resource={STORAGE_RES}"
        )
    );
}

#[test]
fn imds_system_assigned_request_has_metadata_header_and_no_probe_when_standalone() {
    let run = one_token(mi(json!({}), &[]));
    assert_eq!(
        run.transcript,
        [format!(
            "GET {IMDS}?api-version=2018-02-01&resource={STORAGE_RES}"
        )]
    );
    let (req, deadline, connect) = http(&run.actions[0]);
    assert_eq!(
        header_list(&req.headers),
        stamped(req, &[("Metadata", "true")])
    );
    assert!(req.body.is_none());
    assert!(!req.allow_proxy);
    assert_eq!(deadline, at_ms(10_000));
    assert_eq!(connect, None);
}

#[test]
fn imds_user_assigned_ids() {
    let base = format!("{IMDS}?api-version=2018-02-01&resource={STORAGE_RES}");
    assert_eq!(
        url_of(json!({"clientId": "cid-2"}), &[]),
        format!("{base}&client_id=cid-2")
    );
    assert_eq!(
        url_of(json!({"objectId": "oid-2"}), &[]),
        format!("{base}&object_id=oid-2")
    );
    assert_eq!(
        url_of(json!({"resourceId": RES_ID}), &[]),
        format!("{base}&msi_res_id={RES_ID_ENC}")
    );
}

#[test]
fn azcred_imds_endpoint_overrides_the_address_and_keeps_the_probe() {
    let env = [("AZCRED_IMDS_ENDPOINT", "http://127.0.0.1:4000/")];
    let url = url_of(json!({}), &env);
    assert_eq!(
        url,
        format!(
            "http://127.0.0.1:4000/metadata/identity/oauth2/token?api-version=2018-02-01\
             &resource={STORAGE_RES}"
        )
    );
    // DefaultAzureCredential still probes the overridden address first.
    let mut cred = dac(json!({}), &env);
    let mut s = Script::new().http(400, "{}").token_for("tok", 3600);
    let run = s.get(&mut cred, STORAGE);
    assert_eq!(
        run.transcript,
        [
            "GET http://127.0.0.1:4000/metadata/identity/oauth2/token [probe]".to_owned(),
            format!("GET {url}"),
        ]
    );
}

#[test]
fn pod_identity_host_is_lower_cased_with_a_trailing_slash_and_not_probed() {
    let env = [("AZURE_POD_IDENTITY_AUTHORITY_HOST", "http://LocalHost:8080")];
    let want = format!(
        "GET http://localhost:8080/metadata/identity/oauth2/token/?api-version=2018-02-01\
         &resource={STORAGE_RES}"
    );
    let mut cred = dac(json!({}), &env);
    let mut s = Script::new().token_for("tok", 3600);
    let run = s.get(&mut cred, STORAGE);
    assert_eq!(run.transcript, std::slice::from_ref(&want));
    assert_eq!(
        header_list(&run.requests()[0].headers),
        stamped(run.requests()[0], &[("Metadata", "true")])
    );
    // A trailing slash on the host does not double the slash before the path.
    let env = [(
        "AZURE_POD_IDENTITY_AUTHORITY_HOST",
        "http://LocalHost:8080/",
    )];
    assert_eq!(format!("GET {}", url_of(json!({}), &env)), want);
}

#[test]
fn service_fabric_request_sends_secret_and_pins_thumbprint() {
    let env = [
        ("IDENTITY_ENDPOINT", SF_URL),
        ("IDENTITY_HEADER", "sf-secret"),
        ("IDENTITY_SERVER_THUMBPRINT", "abcdef0123456789"),
    ];
    let run = one_token(mi(json!({}), &env));
    assert_eq!(
        run.transcript,
        [format!(
            "GET {SF_URL}?api-version=2019-07-01-preview&resource={STORAGE_RES}"
        )]
    );
    let req = first_request(&run);
    assert_eq!(
        header_list(&req.headers),
        stamped(&req, &[("secret", "sf-secret")])
    );
    assert_eq!(req.pinned_thumbprint.as_deref(), Some("ABCDEF0123456789"));
    assert!(!req.allow_proxy);
}

#[test]
fn machine_learning_request() {
    let ml = [("MSI_ENDPOINT", ML_URL), ("MSI_SECRET", "ml-secret")];
    let run = one_token(mi(json!({}), &ml));
    assert_eq!(
        run.transcript,
        [format!(
            "GET {ML_URL}?api-version=2017-09-01&resource={STORAGE_RES}"
        )]
    );
    assert_eq!(
        header_list(&first_request(&run).headers),
        stamped(
            &first_request(&run),
            &[("Metadata", "true"), ("secret", "ml-secret")]
        )
    );
    // System-assigned sends the default identity's client id; a given client id wins.
    let with_default = [
        ("MSI_ENDPOINT", ML_URL),
        ("MSI_SECRET", "ml-secret"),
        ("DEFAULT_IDENTITY_CLIENT_ID", "dflt"),
    ];
    let base = format!("{ML_URL}?api-version=2017-09-01&resource={STORAGE_RES}");
    assert_eq!(
        url_of(json!({}), &with_default),
        format!("{base}&clientid=dflt")
    );
    assert_eq!(
        url_of(json!({"clientId": "given"}), &with_default),
        format!("{base}&clientid=given")
    );
}

#[test]
fn machine_learning_rejects_object_and_resource_ids_at_get_token() {
    let ml = [("MSI_ENDPOINT", ML_URL), ("MSI_SECRET", "ml-secret")];
    for opts in [json!({"objectId": "o"}), json!({"resourceId": RES_ID})] {
        let mut cred = mi(opts, &ml);
        let run = Script::new().get(&mut cred, STORAGE);
        assert!(run.transcript.is_empty(), "{:?}", run.transcript);
        let e = run.error();
        assert_eq!(e.kind, ErrorKind::CredentialUnavailable);
        assert_eq!(
            e.message,
            "ManagedIdentityCredential: Authentication failed. Message Only client id is \
             supported for user-assigned managed identity in MachineLearning."
        );
    }
}

#[test]
fn cloud_shell_posts_a_form_body() {
    let url = "http://localhost:50342/oauth2/token";
    let run = one_token(mi(json!({}), &[("MSI_ENDPOINT", url)]));
    assert_eq!(run.transcript, [format!("POST {url}")]);
    let req = first_request(&run);
    assert_eq!(req.method, Method::Post);
    assert_eq!(
        header_list(&req.headers),
        stamped(
            &req,
            &[
                (
                    "Content-Type",
                    "application/x-www-form-urlencoded;charset=utf-8"
                ),
                ("Metadata", "true"),
            ]
        )
    );
    assert_eq!(
        req.body.as_ref().map(|b| b.expose().to_owned()),
        Some(format!("resource={STORAGE_RES}"))
    );
}

#[test]
fn source_detection_order() {
    let sf = [
        ("IDENTITY_ENDPOINT", SF_URL),
        ("IDENTITY_HEADER", "h"),
        ("IDENTITY_SERVER_THUMBPRINT", "T"),
    ];
    let app = [
        ("IDENTITY_ENDPOINT", APP_SERVICE_URL),
        ("IDENTITY_HEADER", "h"),
    ];
    let ml = [("MSI_ENDPOINT", ML_URL), ("MSI_SECRET", "s")];
    let pod = [("AZURE_POD_IDENTITY_AUTHORITY_HOST", "http://pod:1")];
    let over = [("AZCRED_IMDS_ENDPOINT", "http://127.0.0.1:4000")];
    let cat = |parts: &[&[(&'static str, &'static str)]]| -> Vec<(&'static str, &'static str)> {
        parts.iter().flat_map(|p| p.iter().copied()).collect()
    };
    let cases: Vec<(Vec<(&str, &str)>, String)> = vec![
        (
            cat(&[&sf, &ml, &pod, &over]),
            format!("GET {SF_URL}?api-version=2019-07-01-preview"),
        ),
        (
            cat(&[&app, &ml, &pod, &over]),
            format!("GET {APP_SERVICE_URL}?api-version=2019-08-01"),
        ),
        (
            cat(&[&ml, &pod, &over]),
            format!("GET {ML_URL}?api-version=2017-09-01"),
        ),
        (
            cat(&[&[("MSI_ENDPOINT", ML_URL)], &pod, &over]),
            format!("POST {ML_URL}"),
        ),
        (
            cat(&[&pod, &over]),
            "GET http://pod:1/metadata/identity/oauth2/token/?api-version=2018-02-01".to_owned(),
        ),
        (
            over.to_vec(),
            "GET http://127.0.0.1:4000/metadata/identity/oauth2/token?api-version=2018-02-01"
                .to_owned(),
        ),
        // Empty values count as unset: the header is missing, so this is not App Service.
        (
            vec![
                ("IDENTITY_ENDPOINT", APP_SERVICE_URL),
                ("IDENTITY_HEADER", ""),
            ],
            format!("GET {IMDS}?api-version=2018-02-01"),
        ),
        (
            vec![("MSI_ENDPOINT", ""), ("MSI_SECRET", "s")],
            format!("GET {IMDS}?api-version=2018-02-01"),
        ),
    ];
    for (env, want) in cases {
        let run = one_token(mi(json!({}), &env));
        assert!(
            run.transcript[0].starts_with(&want),
            "env {env:?}: got {:?}, want prefix {want}",
            run.transcript
        );
        assert_eq!(run.transcript.len(), 1);
    }
}

// ---------------------------------------------------------------------------------------------
// Construction
// ---------------------------------------------------------------------------------------------

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
fn required_env_vars() {
    let build = |opts: serde_json::Value, pairs: &[(&str, &str)]| {
        Credential::new("DefaultAzureCredential", &options(opts), &env(pairs), 1)
    };
    let e = build(json!({"requiredEnvVars": "AZURE_CLIENT_ID"}), &[]).unwrap_err();
    assert_eq!(e.code, "InvalidConfig");
    assert_eq!(
        e.message,
        "Required environment variable 'AZURE_CLIENT_ID' for DefaultAzureCredential is not set \
         or empty."
    );
    let e = build(
        json!({"requiredEnvVars": ["AZURE_CLIENT_ID", "AZURE_TENANT_ID", "AZURE_FEDERATED_TOKEN_FILE"]}),
        &[("AZURE_TENANT_ID", ""), ("AZURE_FEDERATED_TOKEN_FILE", "/f")],
    )
    .unwrap_err();
    assert_eq!(
        e.message,
        "Required environment variables 'AZURE_CLIENT_ID, AZURE_TENANT_ID' for \
         DefaultAzureCredential are not set or empty."
    );
    assert!(
        build(
            json!({"requiredEnvVars": ["AZURE_CLIENT_ID"]}),
            &[("AZURE_CLIENT_ID", "c")]
        )
        .is_ok()
    );
}

// ---------------------------------------------------------------------------------------------
// Scopes
// ---------------------------------------------------------------------------------------------

#[test]
fn multiple_or_no_scopes_are_rejected_without_io() {
    for (scopes, shown) in [
        (
            vec!["a/.default", "b/.default"],
            r#"["a/.default","b/.default"]"#,
        ),
        (vec![], "[]"),
    ] {
        let mut cred = mi(json!({}), APP_SERVICE);
        let run = Script::new().run(&mut cred, TokenRequest::new(scopes));
        assert!(run.transcript.is_empty());
        let e = run.error();
        assert_eq!(e.kind, ErrorKind::CredentialUnavailable);
        assert_eq!(
            e.message,
            format!(
                "ManagedIdentityCredential: Multiple scopes are not supported. Scopes: {shown}"
            )
        );
    }
}

#[test]
fn default_suffix_is_stripped_and_other_scopes_pass_unchanged() {
    for (scope, resource) in [
        ("https://storage.azure.com/.default", STORAGE_RES),
        (
            "https://storage.azure.com/",
            "https%3A%2F%2Fstorage.azure.com%2F",
        ),
        ("api://my-app", "api%3A%2F%2Fmy-app"),
        (
            "https://vault.azure.net/.default",
            "https%3A%2F%2Fvault.azure.net",
        ),
    ] {
        let mut cred = mi(json!({}), APP_SERVICE);
        let mut s = Script::new().token_for("tok", 3600);
        let run = s.get(&mut cred, scope);
        assert_eq!(
            run.requests()[0].url,
            format!("{APP_SERVICE_URL}?api-version=2019-08-01&resource={resource}"),
            "{scope}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// DefaultAzureCredential's IMDS probe
// ---------------------------------------------------------------------------------------------

#[test]
fn probe_request_shape_and_deadlines() {
    let mut cred = dac(json!({}), &[]);
    let mut s = Script::new().http(400, "").token_for("tok", 3600);
    let run = s.get(&mut cred, STORAGE);
    assert_eq!(
        run.transcript,
        [
            format!("GET {IMDS} [probe]"),
            format!("GET {IMDS}?api-version=2018-02-01&resource={STORAGE_RES}"),
        ]
    );
    let (probe, deadline, connect) = http(&run.actions[0]);
    assert_eq!(probe.url, IMDS, "no query string");
    assert_eq!(
        header_list(&probe.headers),
        stamped(probe, &[("Accept", "application/json")]),
        "no Metadata header"
    );
    assert!(probe.body.is_none());
    assert_eq!(deadline, at_ms(1000), "1 s default deadline");
    let connect = connect.expect("the probe has a connect deadline");
    assert!(connect > T0 && connect < deadline, "{connect:?}");
    // The token request itself carries Metadata and no connect deadline.
    let (req, _, connect) = http(&run.actions[1]);
    assert_eq!(
        header_list(&req.headers),
        stamped(req, &[("Metadata", "true")])
    );
    assert_eq!(connect, None);
}

#[test]
fn probe_timeout_follows_request_timeout() {
    for (timeout, want) in [(5000, 5000), (100, 100)] {
        let mut cred = dac(json!({}), &[]);
        let mut s = Script::new().http(400, "").token_for("tok", 3600);
        let mut req = TokenRequest::new([STORAGE]);
        req.timeout_ms = Some(timeout);
        let run = s.run(&mut cred, req);
        let (_, deadline, connect) = http(&run.actions[0]);
        assert_eq!(deadline, at_ms(want));
        let connect = connect.unwrap();
        assert!(connect <= deadline && connect > T0, "{connect:?}");
    }
}

#[test]
fn probe_any_http_status_means_available() {
    for (status, body) in [
        (200, ""),
        (400, r#"{"error":"invalid_request"}"#),
        (401, ""),
        (403, "Forbidden"),
        (404, "not found"),
        (500, "boom"),
        (503, ""),
    ] {
        let mut cred = dac(json!({}), &[]);
        let mut s = Script::new().http(status, body).token_for("tok", 3600);
        let run = s.get(&mut cred, STORAGE);
        assert_eq!(
            run.transcript.len(),
            2,
            "status {status}: {:?}",
            run.transcript
        );
        assert_eq!(run.token().token.expose(), "tok");
    }
}

fn assert_probe_unavailable(run: &Run) {
    // The probe, then the developer tools (absent here); no token request.
    assert_eq!(run.transcript[0], format!("GET {IMDS} [probe]"));
    assert!(
        run.transcript[1..].iter().all(|l| l.starts_with("run ")),
        "{:?}",
        run.transcript
    );
    let e = run.error();
    assert_eq!(e.kind, ErrorKind::Aggregate);
    assert_eq!(e.code, "AggregateAuthentication");
    assert_eq!(e.name, "AggregateAuthenticationError");
    assert!(
        e.message
            .starts_with("ChainedTokenCredential authentication failed.\n")
    );
    assert!(
        e.message
            .lines()
            .any(|l| l == format!("CredentialUnavailableError: {PROBE_UNAVAILABLE}")),
        "{}",
        e.message
    );
    let mi = e
        .errors
        .iter()
        .find(|x| x.credential.as_deref() == Some("ManagedIdentityCredential"))
        .expect("a managed identity entry");
    assert_eq!(mi.kind, ErrorKind::CredentialUnavailable);
    assert_eq!(mi.name, "CredentialUnavailableError");
    assert_eq!(mi.message, PROBE_UNAVAILABLE);
}

#[test]
fn probe_403_unreachable_means_unavailable() {
    let mut cred = dac(json!({}), &[]);
    let mut s = Script::new()
        .http(
            403,
            "A socket operation was attempted to an unreachable network.",
        )
        .tools_absent();
    assert_probe_unavailable(&s.get(&mut cred, STORAGE));
}

#[test]
fn probe_connect_timeout_is_unavailable_and_fast() {
    let mut cred = dac(json!({}), &[]);
    let mut s = Script::new().connect_timeout().tools_absent();
    let run = s.get(&mut cred, STORAGE);
    assert_probe_unavailable(&run);
    assert!(
        s.now < at_ms(1000),
        "gave up at the connect deadline, before the whole deadline: {:?}",
        s.now
    );
}

#[test]
fn probe_transport_failures_are_unavailable() {
    for kind in [
        IoFailureKind::Refused,
        IoFailureKind::TimedOut,
        IoFailureKind::Unreachable,
        IoFailureKind::Reset,
        IoFailureKind::Other,
    ] {
        let mut cred = dac(json!({}), &[]);
        let mut s = Script::new().fail(kind, "nope").tools_absent();
        assert_probe_unavailable(&s.get(&mut cred, STORAGE));
    }
}

#[test]
fn probe_abort_is_aborted() {
    let mut cred = dac(json!({}), &[]);
    let mut s = Script::new().fail(IoFailureKind::Aborted, "aborted");
    let run = s.get(&mut cred, STORAGE);
    let e = run.error();
    assert_eq!(e.kind, ErrorKind::Aborted);
    assert_eq!(e.name, "AbortError");
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

// ---------------------------------------------------------------------------------------------
// Retries
// ---------------------------------------------------------------------------------------------

fn app_service_url() -> String {
    format!("GET {APP_SERVICE_URL}?api-version=2019-08-01&resource={STORAGE_RES}")
}

#[test]
fn retry_404_then_token() {
    let mut cred = mi(json!({}), APP_SERVICE);
    let mut s = Script::new().http(404, "").token_for("tok", 3600);
    let run = s.get(&mut cred, STORAGE);
    assert_eq!(
        run.shape(),
        [app_service_url(), "wait".into(), app_service_url()]
    );
    let w = run.waits()[0];
    assert!(
        (500..=1000).contains(&w),
        "standalone base 1 s, jittered: {w}"
    );
    assert_eq!(run.token().token.expose(), "tok");
    // The second attempt gets a fresh deadline.
    let (_, deadline, _) = http(&run.actions[1]);
    assert_eq!(deadline, at_ms(w + 10_000));
}

#[test]
fn retry_410_waits_at_least_one_and_a_half_seconds() {
    for mut cred in [mi(json!({}), APP_SERVICE), mi(json!({}), &[])] {
        let mut s = Script::new().http(410, "").token_for("tok", 3600);
        let run = s.get(&mut cred, STORAGE);
        let w = run.waits();
        assert_eq!(w.len(), 1);
        assert!(
            (1500..=3000).contains(&w[0]),
            "410 base is max(3 s, base): {w:?}"
        );
        assert!(run.result.is_ok());
    }
    // DefaultAzureCredential's smaller base (800 ms) is raised to 3 s as well.
    let mut cred = dac(json!({}), &[]);
    let mut s = Script::new()
        .http(400, "")
        .http(410, "")
        .token_for("tok", 3600);
    let w = s.get(&mut cred, STORAGE).waits();
    assert!(w.len() == 1 && (1500..=3000).contains(&w[0]), "{w:?}");
}

#[test]
fn retry_429_honours_retry_after_exactly() {
    let mut cred = mi(json!({}), APP_SERVICE);
    let mut s = Script::new()
        .response(HttpResponse::new(429, "").header("Retry-After", "3"))
        .token_for("tok", 3600);
    let run = s.get(&mut cred, STORAGE);
    assert_eq!(run.waits(), [3000]);
    assert!(run.result.is_ok());

    let mut cred = mi(json!({}), APP_SERVICE);
    let mut s = Script::new()
        .response(HttpResponse::new(503, "").header("retry-after-ms", "250"))
        .token_for("tok", 3600);
    assert_eq!(s.get(&mut cred, STORAGE).waits(), [250]);
}

#[test]
fn retry_500_and_408_with_backoff() {
    for status in [500, 502, 503, 504, 408, 429] {
        let mut cred = mi(json!({}), APP_SERVICE);
        let mut s = Script::new().http(status, "").token_for("tok", 3600);
        let run = s.get(&mut cred, STORAGE);
        let w = run.waits();
        assert!(
            w.len() == 1 && (500..=1000).contains(&w[0]),
            "{status}: {w:?}"
        );
        assert!(run.result.is_ok(), "{status}");
    }
}

#[test]
fn errors_that_are_not_retried() {
    for status in [400, 401, 403, 501, 505] {
        let mut cred = mi(json!({}), APP_SERVICE);
        let mut s = Script::new().http(
            status,
            r#"{"error":"invalid_request","error_description":"Identity not found"}"#,
        );
        let run = s.get(&mut cred, STORAGE);
        assert_eq!(run.transcript, [app_service_url()], "{status}");
        let e = run.error();
        assert_eq!(e.kind, ErrorKind::CredentialUnavailable);
        assert_eq!(
            e.message,
            format!(
                "ManagedIdentityCredential: Authentication failed. Message invalid_request: \
                 Identity not found (HTTP {status})"
            )
        );
    }
}

#[test]
fn a_400_for_a_user_assigned_identity_says_which() {
    let mut cred = mi(json!({"clientId": "cid-9"}), APP_SERVICE);
    let mut s = Script::new().http(400, r#"{"message":"no such identity"}"#);
    let e = s.get(&mut cred, STORAGE).result.unwrap_err();
    assert_eq!(
        e.message,
        "ManagedIdentityCredential: Authentication failed. Message no such identity (HTTP 400). \
         Check that the user-assigned identity cid-9 is assigned to this resource"
    );
}

#[test]
fn standalone_gives_up_after_three_retries() {
    let mut cred = mi(json!({}), APP_SERVICE);
    let mut s = Script::new()
        .otherwise(|_, _| azcred_core::Reply::Http(HttpResponse::new(500, "internal error")));
    let run = s.get(&mut cred, STORAGE);
    let url = app_service_url();
    assert_eq!(
        run.shape(),
        [
            url.clone(),
            "wait".into(),
            url.clone(),
            "wait".into(),
            url.clone(),
            "wait".into(),
            url,
        ]
    );
    let w = run.waits();
    for (i, (lo, hi)) in [(500, 1000), (1000, 2000), (2000, 4000)]
        .into_iter()
        .enumerate()
    {
        assert!((lo..=hi).contains(&w[i]), "retry {i}: {w:?}");
    }
    assert_eq!(
        run.error().message,
        "ManagedIdentityCredential: Authentication failed. Message internal error (HTTP 500)"
    );
}

#[test]
fn default_credential_gives_up_after_five_retries() {
    for status in [404, 500] {
        let mut cred = dac(json!({}), &[]);
        let mut s = Script::new()
            .http(400, "")
            .otherwise(move |a, _| http_or_no_tool(a, status));
        let run = s.get(&mut cred, STORAGE);
        let attempts = run
            .transcript
            .iter()
            .filter(|l| l.contains("api-version"))
            .count();
        assert_eq!(attempts, 6, "{status}: {:?}", run.transcript);
        let w = run.waits();
        let bases = [800, 1600, 3200, 6400, 12800];
        for (i, full) in bases.into_iter().enumerate() {
            assert!(
                (full / 2..=full).contains(&w[i]),
                "{status} retry {i}: {w:?}"
            );
        }
        assert_eq!(run.error().kind, ErrorKind::Aggregate);
    }
}

#[test]
fn retry_options_override_the_defaults() {
    let mut cred = mi(json!({"retryOptions": {"maxRetries": 0}}), APP_SERVICE);
    let mut s = Script::new().http(500, "");
    let run = s.get(&mut cred, STORAGE);
    assert_eq!(run.transcript.len(), 1);

    let mut cred = mi(
        json!({"retryOptions": {"maxRetries": 1, "retryDelayInMs": 100}}),
        APP_SERVICE,
    );
    let mut s = Script::new().http(500, "").http(500, "");
    let run = s.get(&mut cred, STORAGE);
    assert_eq!(run.transcript.len(), 3);
    assert!((50..=100).contains(&run.waits()[0]), "{:?}", run.waits());
}

#[test]
fn a_long_retry_after_stops_retrying() {
    let mut cred = mi(json!({}), APP_SERVICE);
    let mut s =
        Script::new().response(HttpResponse::new(429, "slow down").header("Retry-After", "60"));
    let run = s.get(&mut cred, STORAGE);
    assert_eq!(run.transcript, [app_service_url()]);
    assert_eq!(
        run.error().message,
        "ManagedIdentityCredential: Authentication failed. Message slow down (HTTP 429)"
    );
    assert_eq!(s.now, T0, "no time spent waiting");
}

#[test]
fn the_whole_retry_budget_is_bounded() {
    // Two 20 s waits would pass 30 s after the first attempt: only the first is taken.
    let mut cred = mi(json!({"retryOptions": {"maxRetries": 10}}), APP_SERVICE);
    let mut s = Script::new().otherwise(|_, _| {
        azcred_core::Reply::Http(HttpResponse::new(503, "").header("Retry-After", "20"))
    });
    let run = s.get(&mut cred, STORAGE);
    assert_eq!(run.waits(), [20_000]);
    assert!(run.result.is_err());

    // Exponential back-off with many retries allowed still ends within the budget.
    for seed_status in [410, 500, 404] {
        let mut cred = dac(json!({"retryOptions": {"maxRetries": 50}}), &[]);
        let mut s = Script::new()
            .http(400, "")
            .otherwise(move |a, _| http_or_no_tool(a, seed_status));
        let run = s.get(&mut cred, STORAGE);
        let total: u64 = run.waits().iter().sum();
        assert!(
            total <= 30_000,
            "{seed_status}: waited {total} ms: {:?}",
            run.waits()
        );
        assert!(run.waits().len() < 10, "{seed_status}: {:?}", run.waits());
        assert!(run.result.is_err());
    }
}

#[test]
fn refused_is_retried() {
    let mut cred = mi(json!({}), APP_SERVICE);
    let mut s = Script::new()
        .fail(
            IoFailureKind::Refused,
            "connect ECONNREFUSED 127.0.0.1:41000",
        )
        .token_for("tok", 3600);
    let run = s.get(&mut cred, STORAGE);
    assert_eq!(
        run.shape(),
        [app_service_url(), "wait".into(), app_service_url()]
    );
    assert!(run.result.is_ok());

    let mut cred = mi(json!({}), APP_SERVICE);
    let mut s = Script::new().otherwise(|_, _| {
        azcred_core::Reply::Failed(azcred_core::IoFailure::new(
            IoFailureKind::Refused,
            "connect ECONNREFUSED 127.0.0.1:41000",
        ))
    });
    let run = s.get(&mut cred, STORAGE);
    assert_eq!(run.requests().len(), 4);
    let e = run.error();
    assert_eq!(e.kind, ErrorKind::CredentialUnavailable);
    assert_eq!(
        e.message,
        "ManagedIdentityCredential: Authentication failed. Message connect ECONNREFUSED \
         127.0.0.1:41000"
    );
}

#[test]
fn attempt_timeouts_are_retried() {
    let mut cred = mi(json!({}), APP_SERVICE);
    let mut s = Script::new()
        .with(|a, now| {
            *now = http(a).1;
            azcred_core::Reply::Failed(azcred_core::IoFailure::new(
                IoFailureKind::TimedOut,
                "timed out",
            ))
        })
        .token_for("tok", 3600);
    let run = s.get(&mut cred, STORAGE);
    assert_eq!(run.requests().len(), 2);
    assert!(run.result.is_ok());
}

#[test]
fn unreachable_is_not_retried() {
    let mut cred = mi(json!({}), APP_SERVICE);
    let mut s = Script::new().fail(
        IoFailureKind::Unreachable,
        "connect EHOSTUNREACH 10.0.0.1:80",
    );
    let run = s.get(&mut cred, STORAGE);
    assert_eq!(run.transcript, [app_service_url()]);
    let e = run.error();
    assert_eq!(e.kind, ErrorKind::CredentialUnavailable);
    assert_eq!(
        e.message,
        "ManagedIdentityCredential: Network unreachable. Message: connect EHOSTUNREACH 10.0.0.1:80"
    );
}

#[test]
fn aborted_request_is_aborted() {
    let mut cred = mi(json!({}), APP_SERVICE);
    let mut s = Script::new().fail(IoFailureKind::Aborted, "The user aborted a request.");
    let run = s.get(&mut cred, STORAGE);
    assert_eq!(run.transcript.len(), 1);
    let e = run.error();
    assert_eq!(e.kind, ErrorKind::Aborted);
    assert_eq!(e.code, "Aborted");
    assert_eq!(e.message, "The operation was aborted.");
}

#[test]
fn abort_during_a_retry_sequence_stops_it() {
    let mut cred = mi(json!({}), APP_SERVICE);
    let mut s = Script::new()
        .http(500, "")
        .fail(IoFailureKind::Aborted, "aborted");
    let run = s.get(&mut cred, STORAGE);
    assert_eq!(run.requests().len(), 2);
    assert_eq!(run.error().kind, ErrorKind::Aborted);
}

// ---------------------------------------------------------------------------------------------
// Responses
// ---------------------------------------------------------------------------------------------

fn error_for_200(body: String) -> azcred_core::TokenError {
    let mut cred = mi(json!({}), APP_SERVICE);
    let mut s = Script::new().reply(azcred_core::Reply::Http(HttpResponse::new(200, body)));
    let run = s.get(&mut cred, STORAGE);
    assert_eq!(run.transcript.len(), 1, "a bad 200 is not retried");
    run.result.unwrap_err()
}

#[test]
fn malformed_and_hostile_200_bodies() {
    let msg = |m: &str| format!("ManagedIdentityCredential: Authentication failed. Message {m}");
    let huge = format!(r#"{{"access_token":"{}"#, "A".repeat(5_000_000));
    let cases: Vec<(String, String)> = vec![
        (
            "<html>oops</html>".into(),
            msg("the response body is not a JSON object"),
        ),
        ("".into(), msg("the response body is not a JSON object")),
        ("[]".into(), msg("the response body is not a JSON object")),
        (
            r#"{"expires_on":"1700003600"}"#.into(),
            msg("the response has no 'access_token'"),
        ),
        (
            r#"{"access_token":"t"}"#.into(),
            msg("the response has no usable expiry ('expires_on' or 'expires_in')"),
        ),
        (
            r#"{"access_token":"t","expires_on":"whenever"}"#.into(),
            msg("the response's 'expires_on' is not valid"),
        ),
        (
            token_body("t", 1_699_999_990),
            msg("the token in the response has already expired"),
        ),
        (
            token_body("t", 1_700_000_000),
            msg("the token in the response has already expired"),
        ),
        (huge, msg("the response body is not a JSON object")),
    ];
    for (body, want) in cases {
        let e = error_for_200(body.clone());
        assert_eq!(e.kind, ErrorKind::CredentialUnavailable);
        assert_eq!(e.message, want, "body {:.60}", body);
    }
}

#[test]
fn error_bodies_are_bounded_in_messages() {
    let mut cred = mi(json!({}), APP_SERVICE);
    let mut s = Script::new().http(400, &"x".repeat(1_000_000));
    let e = s.get(&mut cred, STORAGE).result.unwrap_err();
    assert!(e.message.len() < 500, "{} bytes", e.message.len());
    // Control characters cannot forge log lines.
    let mut cred = mi(json!({}), APP_SERVICE);
    let mut s = Script::new().http(400, "bad\r\x1b[31mred\x07");
    let e = s.get(&mut cred, STORAGE).result.unwrap_err();
    assert!(
        !e.message.chars().any(|c| c.is_control()),
        "{:?}",
        e.message
    );
}

const SENTINEL: &str = "SENTINEL-hdr-9f8e7d6c";

#[test]
fn an_error_body_echoing_the_identity_header_does_not_leak_it() {
    let envs: [&[(&str, &str)]; 3] = [
        &[
            ("IDENTITY_ENDPOINT", APP_SERVICE_URL),
            ("IDENTITY_HEADER", SENTINEL),
        ],
        &[("MSI_ENDPOINT", ML_URL), ("MSI_SECRET", SENTINEL)],
        &[
            ("IDENTITY_ENDPOINT", SF_URL),
            ("IDENTITY_HEADER", SENTINEL),
            ("IDENTITY_SERVER_THUMBPRINT", "T"),
        ],
    ];
    for env in envs {
        for body in [
            format!(
                r#"{{"error":"invalid_request","error_description":"Header value {SENTINEL} is wrong"}}"#
            ),
            format!(r#"{{"message":"bad secret {SENTINEL}"}}"#),
            format!("<html>bad secret {SENTINEL}</html>"),
            format!(r#"{{"error":"{SENTINEL}"}}"#),
        ] {
            let mut cred = mi(json!({}), env);
            let mut s = Script::new().http(401, &body);
            let e = s.get(&mut cred, STORAGE).result.unwrap_err();
            assert!(!e.message.contains(SENTINEL), "{}", e.message);
            assert!(!format!("{e:?}").contains(SENTINEL));
            assert!(e.message.contains("[redacted]"), "{}", e.message);
        }
    }
}

#[test]
fn an_echoed_secret_cut_by_the_excerpt_does_not_leak_its_prefix() {
    let mut cred = mi(
        json!({}),
        &[
            ("IDENTITY_ENDPOINT", APP_SERVICE_URL),
            ("IDENTITY_HEADER", SENTINEL),
        ],
    );
    // The secret starts 10 characters before the 300-character cut.
    let body = format!("{}{SENTINEL} trailing text", "x".repeat(290));
    let mut s = Script::new().http(401, &body);
    let e = s.get(&mut cred, STORAGE).result.unwrap_err();
    assert!(
        !e.message.contains(&SENTINEL[..10]),
        "a prefix of the secret leaked: {}",
        e.message
    );
}

#[test]
fn expiry_formats() {
    let exp = T0.as_millis() / 1000 + 3600;
    let want = Timestamp::from_secs(exp);
    for body in [
        format!(r#"{{"access_token":"t","expires_on":{exp}}}"#),
        format!(r#"{{"access_token":"t","expires_on":"{exp}"}}"#),
        r#"{"access_token":"t","expires_on":"2023-11-14T23:13:20.000Z"}"#.to_owned(),
        r#"{"access_token":"t","expires_on":"2023-11-15T00:13:20+01:00"}"#.to_owned(),
        r#"{"access_token":"t","expires_on":"11/14/2023 11:13:20 PM +00:00"}"#.to_owned(),
        r#"{"access_token":"t","expires_in":3600}"#.to_owned(),
        r#"{"access_token":"t","expires_in":"3600"}"#.to_owned(),
    ] {
        let mut cred = mi(json!({}), APP_SERVICE);
        let mut s = Script::new().reply(azcred_core::Reply::Http(HttpResponse::new(200, &*body)));
        let run = s.get(&mut cred, STORAGE);
        let t = run.token();
        assert_eq!(t.expires_on, want, "{body}");
        assert_eq!(t.token.expose(), "t");
        assert_eq!(t.token_type, "Bearer");
        assert_eq!(
            t.refresh_after, None,
            "a 1 h token has no refresh time: {body}"
        );
    }
}

#[test]
fn refresh_after_is_half_life_over_two_hours_only() {
    let cases = [
        (3 * 3600, Some(T0.as_millis() + 3 * 3600 * 1000 / 2)),
        (24 * 3600, Some(T0.as_millis() + 12 * 3600 * 1000)),
        (2 * 3600, None),
        (3600, None),
    ];
    for (lifetime, want) in cases {
        let mut cred = mi(json!({}), APP_SERVICE);
        let mut s = Script::new().token_for("t", lifetime);
        let t = s.get(&mut cred, STORAGE).token().clone();
        assert_eq!(
            t.refresh_after.map(Timestamp::as_millis),
            want,
            "lifetime {lifetime}"
        );
    }
    // A server refresh_in wins.
    let mut cred = mi(json!({}), APP_SERVICE);
    let mut s = Script::new().http(
        200,
        r#"{"access_token":"t","expires_in":86400,"refresh_in":600}"#,
    );
    let t = s.get(&mut cred, STORAGE).token().clone();
    assert_eq!(t.refresh_after, Some(at_ms(600_000)));
}

#[test]
fn an_error_body_cannot_forge_aggregate_lines() {
    let mut cred = dac(json!({"retryOptions": {"maxRetries": 0}}), &[]);
    let mut s = Script::new()
        .http(400, "")
        .http(
            400,
            "bad request\nCredentialUnavailableError: EverythingIsFineCredential: nothing to see",
        )
        .tools_absent();
    let e = s.get(&mut cred, STORAGE).result.unwrap_err();
    assert!(
        !e.message
            .lines()
            .any(|l| l.starts_with("CredentialUnavailableError: EverythingIsFine")),
        "a forged line: {}",
        e.message
    );
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

#[test]
fn imds_refusing_connections_is_final_but_app_service_is_retried() {
    let mut cred = mi(
        json!({}),
        &[("AZURE_POD_IDENTITY_AUTHORITY_HOST", "http://127.0.0.1:9")],
    );
    let mut s = Script::new().fail(IoFailureKind::Refused, "connect ECONNREFUSED 127.0.0.1:9");
    let run = s.get(&mut cred, STORAGE);
    assert_eq!(run.transcript.len(), 1, "no retry: {:?}", run.transcript);
    assert_eq!(run.error().kind, ErrorKind::CredentialUnavailable);
    assert!(run.error().message.contains("IMDS refused the connection"));

    let mut cred = mi(json!({}), APP_SERVICE);
    let mut s = Script::new()
        .fail(IoFailureKind::Refused, "connect ECONNREFUSED")
        .token_for("tok", 3600);
    let run = s.get(&mut cred, STORAGE);
    assert_eq!(run.token().token.expose(), "tok");
    assert_eq!(run.waits().len(), 1);
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

#[test]
fn a_zero_probe_timeout_means_the_default() {
    let mut cred = dac(json!({}), &[]);
    let mut req = TokenRequest::new([STORAGE]);
    req.timeout_ms = Some(0);
    let mut s = Script::new().http(400, "").token_for("t", 3600);
    let run = s.run(&mut cred, req);
    let (_, deadline, _) = http(&run.actions[0]);
    assert_eq!(deadline, at_ms(1000));
}
