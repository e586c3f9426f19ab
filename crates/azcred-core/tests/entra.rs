//! Scenario tests for the Entra ID credentials: `ClientSecretCredential`,
//! `ClientCertificateCredential`, `ClientAssertionCredential`, `WorkloadIdentityCredential` and
//! `EnvironmentCredential`. Each checks the exact wire request (URL, headers, form body in MSAL's
//! order), the local actions before it (file reads, signing, the assertion callback), and the
//! outcome and error class of each kind of answer.

mod support;

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use sha2::{Digest, Sha256};

use azcred_core::{
    Action, ErrorKind, HttpRequest, HttpResponse, IoFailure, IoFailureKind, Misuse, Reply, Secret,
    Step, TokenRequest,
};
use serde_json::{Value, json};
use support::*;

const TENANT: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const OTHER_TENANT: &str = "11111111-2222-3333-4444-555555555555";
const CLIENT: &str = "00000000-1111-2222-3333-444444444444";
const SECRET: &str = "s3cr3t-SENTINEL-value";
const LOGIN: &str = "https://login.microsoftonline.com";
const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
const INVALID_TENANT: &str = "Invalid tenant id provided. You can locate your tenant id by following the instructions listed here: https://learn.microsoft.com/partner-center/find-ids-and-domain-names.";
const CAE_CLAIMS: &str = r#"{"id_token":{"signin_state":{"essential":false},"login_hint":{"essential":false},"tenant_region_sub_scope":{"essential":false}},"access_token":{"xms_cc":{"values":["cp1"]}}}"#;
const ENV_FAILED: &str = "EnvironmentCredential authentication failed. To troubleshoot, visit https://aka.ms/azsdk/js/identity/environmentcredential/troubleshoot.";

fn token_endpoint(tenant: &str) -> String {
    format!("{LOGIN}/{tenant}/oauth2/v2.0/token")
}

/// An Entra token response: `expires_in` seconds from now.
fn aad_body(token: &str, expires_in: u64) -> String {
    format!(
        r#"{{"token_type":"Bearer","expires_in":{expires_in},"ext_expires_in":{expires_in},"access_token":"{token}"}}"#
    )
}

fn aad_token(s: Script, token: &'static str) -> Script {
    s.http(200, &aad_body(token, 3599))
}

/// Queues a token response on a script reused across runs.
fn push_token(s: &mut Script, token: &'static str) {
    s.push(move |_, _| Reply::Http(HttpResponse::new(200, aad_body(token, 3599))));
}

fn secret_cred(extra: Value, pairs: &[(&str, &str)]) -> azcred_core::Credential {
    let mut opts = json!({"tenantId": TENANT, "clientId": CLIENT, "clientSecret": SECRET});
    merge(&mut opts, extra);
    credential("ClientSecretCredential", opts, pairs)
}

fn merge(into: &mut Value, extra: Value) {
    if let (Some(a), Value::Object(b)) = (into.as_object_mut(), extra) {
        a.extend(b);
    }
}

fn build_err(kind: &str, opts: Value, pairs: &[(&str, &str)]) -> azcred_core::ConfigError {
    azcred_core::Credential::new(kind, &options(opts), &env(pairs), 1).unwrap_err()
}

/// The decoded form fields of a request body, in order.
fn form_of(req: &HttpRequest) -> Vec<(String, String)> {
    let body = req.body.as_ref().expect("a form body").expose().to_owned();
    body.split('&')
        .map(|kv| {
            let (k, v) = kv.split_once('=').unwrap();
            let d = |s: &str| {
                percent_encoding::percent_decode_str(s)
                    .decode_utf8()
                    .unwrap()
                    .into_owned()
            };
            (d(k), d(v))
        })
        .collect()
}

fn field(req: &HttpRequest, name: &str) -> Option<String> {
    form_of(req)
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

fn names(req: &HttpRequest) -> Vec<String> {
    form_of(req).into_iter().map(|(k, _)| k).collect()
}

fn request_with(f: impl FnOnce(&mut TokenRequest)) -> TokenRequest {
    let mut r = TokenRequest::new([STORAGE]);
    f(&mut r);
    r
}

fn assert_no_io(run: &Run) {
    assert!(
        run.actions.is_empty(),
        "unexpected IO: {:#?}",
        run.transcript
    );
}

// ---------------------------------------------------------------------------------------------
// ClientSecretCredential: the wire request
// ---------------------------------------------------------------------------------------------

#[test]
fn client_secret_sends_one_post_in_msals_form_order() {
    let mut cred = secret_cred(json!({}), &[]);
    let mut s = aad_token(Script::new(), "tok");
    let run = s.get(&mut cred, STORAGE);
    assert_eq!(run.token().token.expose(), "tok");
    assert_eq!(run.token().expires_on, at_ms(3_599_000));
    assert_eq!(run.token().refresh_after, None);
    assert_eq!(
        run.actions.len(),
        1,
        "one round trip: {:#?}",
        run.transcript
    );

    let (req, deadline, connect) = http(&run.actions[0]);
    let correlation = field(req, "client-request-id").unwrap();
    assert_eq!(
        req.url,
        format!("{}?client-request-id={correlation}", token_endpoint(TENANT))
    );
    assert_eq!(correlation.len(), 36);
    assert_eq!(&correlation[14..15], "4", "a UUID v4: {correlation}");
    assert_eq!(
        header_list(&req.headers),
        pairs(&[
            (
                "Content-Type",
                "application/x-www-form-urlencoded;charset=utf-8"
            ),
            ("x-ms-client-request-id", &correlation),
            ("client-request-id", &correlation),
            ("return-client-request-id", "true"),
            (
                "User-Agent",
                &format!("azcred/{}", env!("CARGO_PKG_VERSION"))
            ),
        ])
    );
    assert_eq!(
        form_of(req),
        pairs(&[
            ("client_id", CLIENT),
            ("scope", STORAGE),
            ("grant_type", "client_credentials"),
            ("x-ms-lib-capability", "retry-after, h429"),
            ("client-request-id", &correlation),
            ("client_secret", SECRET),
        ])
    );
    assert!(req.allow_proxy);
    assert!(req.proxy.is_none());
    assert_eq!(deadline, at_ms(20_000));
    assert_eq!(connect, None);
}

#[test]
fn each_acquisition_has_its_own_correlation_id() {
    let mut cred = secret_cred(json!({}), &[]);
    let mut s = aad_token(Script::new(), "a");
    let a = s.get(&mut cred, STORAGE);
    push_token(&mut s, "b");
    let b = s.get(&mut cred, "https://vault.azure.net/.default");
    let ida = field(a.requests()[0], "client-request-id").unwrap();
    let idb = field(b.requests()[0], "client-request-id").unwrap();
    assert_ne!(ida, idb);
}

#[test]
fn scopes_are_trimmed_deduplicated_and_oidc_scopes_dropped() {
    let mut cred = secret_cred(json!({}), &[]);
    let mut s = aad_token(Script::new(), "tok");
    let req = TokenRequest::new([
        " https://graph.microsoft.com/.default",
        "openid",
        "offline_access",
        "https://graph.microsoft.com/.default",
        "profile",
        "https://vault.azure.net/.default ",
    ]);
    let run = s.run(&mut cred, req);
    assert_eq!(
        field(run.requests()[0], "scope").unwrap(),
        "https://graph.microsoft.com/.default https://vault.azure.net/.default"
    );
}

#[test]
fn no_usable_scope_is_a_plain_error_before_any_io() {
    let mut cred = secret_cred(json!({}), &[]);
    let run = Script::new().run(&mut cred, TokenRequest::new(["openid", "  "]));
    assert_eq!(run.error().kind, ErrorKind::InvalidRequest);
    assert!(
        run.error()
            .message
            .starts_with("empty_input_scopes_error: ")
    );
    assert_no_io(&run);
}

#[test]
fn a_token_is_served_from_the_cache_until_five_minutes_before_expiry() {
    let mut cred = secret_cred(json!({}), &[]);
    let mut s = aad_token(Script::new(), "one");
    s.get(&mut cred, STORAGE);
    s.advance_ms(2_500_000);
    let again = s.get(&mut cred, STORAGE);
    assert!(again.cached);
    assert_eq!(again.token().token.expose(), "one");
    s.advance_ms(800_000); // 3300 s: less than 5 minutes left
    push_token(&mut s, "two");
    let fresh = s.get(&mut cred, STORAGE);
    assert!(!fresh.cached);
    assert_eq!(fresh.token().token.expose(), "two");
}

#[test]
fn refresh_in_becomes_refresh_after() {
    let mut cred = secret_cred(json!({}), &[]);
    let body =
        r#"{"token_type":"Bearer","expires_in":86399,"refresh_in":43199,"access_token":"t"}"#;
    let run = Script::new().http(200, body).get(&mut cred, STORAGE);
    assert_eq!(run.token().refresh_after, Some(at_ms(43_199_000)));
}

// ---------------------------------------------------------------------------------------------
// Claims and CAE
// ---------------------------------------------------------------------------------------------

#[test]
fn cae_adds_the_client_capability_claims_and_is_cached_apart() {
    let mut cred = secret_cred(json!({}), &[]);
    let mut s = aad_token(Script::new(), "plain");
    let plain = s.get(&mut cred, STORAGE);
    assert_eq!(field(plain.requests()[0], "claims"), None);
    push_token(&mut s, "cae");
    let cae = s.run(&mut cred, request_with(|r| r.enable_cae = true));
    assert_eq!(cae.token().token.expose(), "cae");
    let req = cae.requests()[0];
    assert_eq!(field(req, "claims").unwrap(), CAE_CLAIMS);
    assert_eq!(names(req).last().unwrap(), "claims", "claims come last");
    // Each kind is cached under its own key.
    let again = s.run(&mut cred, request_with(|r| r.enable_cae = true));
    assert_eq!(again.token().token.expose(), "cae");
    assert!(again.cached);
    assert_eq!(s.get(&mut cred, STORAGE).token().token.expose(), "plain");
}

#[test]
fn a_claims_challenge_is_merged_with_cp1_and_bypasses_the_cached_token() {
    let mut cred = secret_cred(json!({}), &[]);
    let mut s = aad_token(Script::new(), "first");
    s.run(&mut cred, request_with(|r| r.enable_cae = true));
    push_token(&mut s, "after-challenge");
    let challenge = r#"{"access_token":{"nbf":{"essential":true,"value":"1700000000"}}}"#;
    let run = s.run(
        &mut cred,
        request_with(|r| {
            r.enable_cae = true;
            r.claims = Some(challenge.to_owned());
        }),
    );
    assert_eq!(run.token().token.expose(), "after-challenge");
    assert_eq!(
        field(run.requests()[0], "claims").unwrap(),
        r#"{"access_token":{"nbf":{"essential":true,"value":"1700000000"},"xms_cc":{"values":["cp1"]}},"id_token":{"signin_state":{"essential":false},"login_hint":{"essential":false},"tenant_region_sub_scope":{"essential":false}}}"#
    );
}

#[test]
fn claims_that_are_not_an_object_fail_before_any_io() {
    let mut cred = secret_cred(json!({}), &[]);
    let run = Script::new().run(
        &mut cred,
        request_with(|r| {
            r.enable_cae = true;
            r.claims = Some("[1,2]".to_owned());
        }),
    );
    assert_eq!(run.error().kind, ErrorKind::InvalidRequest);
    assert!(run.error().message.starts_with("invalid_claims: "));
    assert_no_io(&run);
}

// ---------------------------------------------------------------------------------------------
// Tenants
// ---------------------------------------------------------------------------------------------

#[test]
fn a_request_for_another_tenant_needs_the_allow_list() {
    let mut cred = secret_cred(json!({}), &[]);
    let run = Script::new().run(
        &mut cred,
        request_with(|r| r.tenant_id = Some(OTHER_TENANT.into())),
    );
    let e = run.error();
    assert_eq!(e.kind, ErrorKind::CredentialUnavailable);
    assert_eq!(
        e.message,
        format!(
            "The current credential is not configured to acquire tokens for tenant {OTHER_TENANT}. To enable acquiring tokens for this tenant add it to the AdditionallyAllowedTenants on the credential options, or add \"*\" to AdditionallyAllowedTenants to allow acquiring tokens for any tenant."
        )
    );
    assert_no_io(&run);

    for allowed in [json!([OTHER_TENANT]), json!(["*"])] {
        let mut cred = secret_cred(json!({"additionallyAllowedTenants": allowed}), &[]);
        let run = aad_token(Script::new(), "t").run(
            &mut cred,
            request_with(|r| r.tenant_id = Some(OTHER_TENANT.into())),
        );
        assert!(
            run.requests()[0]
                .url
                .starts_with(&format!("{}?", token_endpoint(OTHER_TENANT)))
        );
    }
}

#[test]
fn the_configured_tenant_is_always_allowed_and_multitenant_auth_can_be_disabled() {
    let mut cred = secret_cred(json!({}), &[]);
    let run = aad_token(Script::new(), "t").run(
        &mut cred,
        request_with(|r| r.tenant_id = Some(TENANT.into())),
    );
    assert!(run.requests()[0].url.starts_with(&token_endpoint(TENANT)));

    let mut cred = secret_cred(
        json!({}),
        &[("AZURE_IDENTITY_DISABLE_MULTITENANTAUTH", "1")],
    );
    let run = aad_token(Script::new(), "t").run(
        &mut cred,
        request_with(|r| r.tenant_id = Some(OTHER_TENANT.into())),
    );
    assert!(run.requests()[0].url.starts_with(&token_endpoint(TENANT)));
}

#[test]
fn hostile_tenant_ids_send_nothing() {
    for hostile in [
        "evil.example/x?",
        "../../common",
        "t#frag",
        "t%2F..",
        "a b",
        "t\nHost: x",
        "@evil.example",
    ] {
        let mut cred = secret_cred(json!({"additionallyAllowedTenants": ["*"]}), &[]);
        let run = Script::new().run(
            &mut cred,
            request_with(|r| r.tenant_id = Some(hostile.into())),
        );
        assert_eq!(run.error().kind, ErrorKind::InvalidRequest, "{hostile:?}");
        assert_eq!(run.error().message, INVALID_TENANT);
        assert_no_io(&run);

        let e = build_err(
            "ClientSecretCredential",
            json!({"tenantId": hostile, "clientId": CLIENT, "clientSecret": SECRET}),
            &[],
        );
        assert_eq!(
            (e.code, e.message.as_str()),
            ("InvalidConfig", INVALID_TENANT)
        );
    }
}

#[test]
fn common_organizations_and_consumers_are_refused_at_token_time() {
    for t in ["common", "organizations", "consumers", "Common"] {
        let mut cred = credential(
            "ClientSecretCredential",
            json!({"tenantId": t, "clientId": CLIENT, "clientSecret": SECRET}),
            &[],
        );
        let run = Script::new().get(&mut cred, STORAGE);
        let e = run.error();
        assert_eq!(e.kind, ErrorKind::AuthenticationRequired, "{t}");
        assert!(
            e.message.starts_with("missing_tenant_id_error: "),
            "{}",
            e.message
        );
        assert_no_io(&run);
    }
    let mut cred = secret_cred(json!({"additionallyAllowedTenants": ["*"]}), &[]);
    let run = Script::new().run(
        &mut cred,
        request_with(|r| r.tenant_id = Some("organizations".into())),
    );
    assert_eq!(run.error().kind, ErrorKind::AuthenticationRequired);
}

// ---------------------------------------------------------------------------------------------
// Authority host
// ---------------------------------------------------------------------------------------------

#[test]
fn any_authority_host_gets_one_direct_post() {
    for (host, expected) in [
        ("https://login.example.com", "https://login.example.com"),
        ("https://127.0.0.1:8443/", "https://127.0.0.1:8443"),
        (
            "https://login.microsoftonline.us",
            "https://login.microsoftonline.us",
        ),
        (
            "https://login.chinacloudapi.cn",
            "https://login.partner.microsoftonline.cn",
        ),
        ("https://login.windows.net", LOGIN),
    ] {
        let mut cred = secret_cred(json!({"authorityHost": host}), &[]);
        let run = aad_token(Script::new(), "t").get(&mut cred, STORAGE);
        assert_eq!(run.actions.len(), 1, "{host}: {:#?}", run.transcript);
        assert!(
            run.requests()[0]
                .url
                .starts_with(&format!("{expected}/{TENANT}/oauth2/v2.0/token?")),
            "{host}: {}",
            run.requests()[0].url
        );
    }
    // AZURE_AUTHORITY_HOST when the option is absent; the option wins.
    let env_host = [("AZURE_AUTHORITY_HOST", "https://login.microsoftonline.us")];
    let mut cred = secret_cred(json!({}), &env_host);
    let run = aad_token(Script::new(), "t").get(&mut cred, STORAGE);
    assert!(
        run.requests()[0]
            .url
            .starts_with("https://login.microsoftonline.us/")
    );
    let mut cred = secret_cred(json!({"authorityHost": "https://h.example"}), &env_host);
    let run = aad_token(Script::new(), "t").get(&mut cred, STORAGE);
    assert!(run.requests()[0].url.starts_with("https://h.example/"));
}

#[test]
fn an_http_authority_host_is_a_constructor_error() {
    let msg = "The authorityHost address must use the 'https' protocol.";
    let e = build_err(
        "ClientSecretCredential",
        json!({"tenantId": TENANT, "clientId": CLIENT, "clientSecret": SECRET,
               "authorityHost": "http://login.microsoftonline.com"}),
        &[],
    );
    assert_eq!((e.code, e.message.as_str()), ("InvalidConfig", msg));
    for kind in [
        "ClientSecretCredential",
        "ClientCertificateCredential",
        "ClientAssertionCredential",
        "WorkloadIdentityCredential",
        "EnvironmentCredential",
    ] {
        let e = build_err(
            kind,
            json!({"tenantId": TENANT, "clientId": CLIENT, "clientSecret": SECRET,
                   "certificatePath": "/c.pem", "assertionCallback": true,
                   "tokenFilePath": "/f"}),
            &[
                ("AZURE_AUTHORITY_HOST", "http://127.0.0.1:1"),
                ("AZURE_TENANT_ID", TENANT),
                ("AZURE_CLIENT_ID", CLIENT),
                ("AZURE_CLIENT_SECRET", SECRET),
            ],
        );
        assert_eq!(
            (e.code, e.message.as_str()),
            ("InvalidConfig", msg),
            "{kind}"
        );
    }
}

#[test]
fn adfs_uses_its_own_endpoint_and_keeps_its_tenant() {
    let mut cred = credential(
        "ClientSecretCredential",
        json!({"tenantId": "adfs", "clientId": CLIENT, "clientSecret": SECRET,
               "authorityHost": "https://adfs.contoso.com/adfs",
               "additionallyAllowedTenants": ["*"]}),
        &[],
    );
    let run = aad_token(Script::new(), "t").run(
        &mut cred,
        request_with(|r| r.tenant_id = Some(OTHER_TENANT.into())),
    );
    assert!(
        run.requests()[0]
            .url
            .starts_with("https://adfs.contoso.com/adfs/oauth2/token?")
    );
}

// ---------------------------------------------------------------------------------------------
// Error responses and retries
// ---------------------------------------------------------------------------------------------

const INVALID_CLIENT: &str = r#"{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided.","error_codes":[7000215],"timestamp":"2023-11-14 22:13:20Z","trace_id":"t-1","correlation_id":"c-1"}"#;

#[test]
fn an_entra_error_is_authentication_required_with_msals_message() {
    let mut cred = secret_cred(json!({}), &[]);
    let run = Script::new()
        .http(401, INVALID_CLIENT)
        .get(&mut cred, STORAGE);
    let e = run.error();
    assert_eq!(e.kind, ErrorKind::AuthenticationRequired);
    assert_eq!(e.name, "AuthenticationRequiredError");
    assert_eq!(e.credential.as_deref(), Some("ClientSecretCredential"));
    let id = field(run.requests()[0], "client-request-id").unwrap();
    assert_eq!(
        e.message,
        format!(
            "invalid_client: Error(s): 7000215 - Timestamp: 2023-11-14 22:13:20Z - Description: \
             AADSTS7000215: Invalid client secret provided. - Correlation ID: c-1 - Trace ID: t-1 \
             - Client request ID: {id}"
        )
    );
    assert_eq!(run.actions.len(), 1, "4xx is not retried");
}

#[test]
fn a_body_that_is_not_an_oauth_error_is_described_by_status() {
    let mut cred = secret_cred(json!({}), &[]);
    let run = Script::new()
        .http(403, "<html>denied</html>")
        .get(&mut cred, STORAGE);
    let id = field(run.requests()[0], "client-request-id").unwrap();
    assert_eq!(
        run.error().message,
        format!(
            "client_error: Error(s): Not Available - Timestamp: Not Available - Description: A \
             client error occured.\nHttp status code: 403\nHttp status message: \
             <html>denied</html> - Correlation ID: Not Available - Trace ID: Not Available - \
             Client request ID: {id}"
        )
    );
}

#[test]
fn server_errors_are_retried_three_times_with_jittered_backoff() {
    let mut cred = secret_cred(json!({}), &[]);
    let mut s = Script::new().http(500, "{}").http(502, "").http(504, "{}");
    s = aad_token(s, "finally");
    let run = s.get(&mut cred, STORAGE);
    assert_eq!(run.token().token.expose(), "finally");
    let waits = run.waits();
    assert_eq!(waits.len(), 3, "{:#?}", run.transcript);
    for (i, w) in waits.iter().enumerate() {
        let full = 1000u64 << i;
        assert!((full / 2..=full).contains(w), "retry {i}: {w} ms");
    }
    // Every attempt is the same request.
    let reqs = run.requests();
    assert_eq!(reqs.len(), 4);
    assert!(reqs.iter().all(|r| r.url == reqs[0].url));

    let mut cred = secret_cred(json!({}), &[]);
    let run = Script::new()
        .otherwise(|_, _| Reply::Http(HttpResponse::new(500, "oops")))
        .get(&mut cred, STORAGE);
    assert_eq!(run.requests().len(), 4, "4 attempts in all");
    assert!(
        run.error()
            .message
            .starts_with("server_error: Error(s): Not Available")
    );
    assert_eq!(run.error().kind, ErrorKind::AuthenticationRequired);
}

#[test]
fn which_statuses_are_retried() {
    for (status, retried) in [
        (408, true),
        (500, true),
        (503, true),
        (501, false),
        (505, false),
        (429, false), // without Retry-After
        (400, false),
    ] {
        let mut cred = secret_cred(json!({}), &[]);
        let s = aad_token(Script::new().http(status, "{}"), "t");
        let mut s = if retried {
            s
        } else {
            Script::new().http(status, "{}")
        };
        let run = s.get(&mut cred, STORAGE);
        assert_eq!(
            run.requests().len(),
            if retried { 2 } else { 1 },
            "{status}"
        );
    }
}

#[test]
fn retry_after_is_honoured_within_the_budget() {
    let mut cred = secret_cred(json!({}), &[]);
    let throttled = HttpResponse::new(429, "{}").header("Retry-After", "7");
    let run = aad_token(Script::new().response(throttled), "t").get(&mut cred, STORAGE);
    assert_eq!(run.waits(), [7000]);

    let mut cred = secret_cred(json!({}), &[]);
    let throttled = HttpResponse::new(503, "{}").header("retry-after-ms", "250");
    let run = aad_token(Script::new().response(throttled), "t").get(&mut cred, STORAGE);
    assert_eq!(run.waits(), [250]);

    // Past the 60 s budget: no wait, the server's error.
    let mut cred = secret_cred(json!({}), &[]);
    let body = r#"{"error":"temporarily_unavailable","error_description":"slow down"}"#;
    let throttled = HttpResponse::new(429, body).header("Retry-After", "3600");
    let run = Script::new().response(throttled).get(&mut cred, STORAGE);
    assert!(run.waits().is_empty());
    assert!(
        run.error()
            .message
            .starts_with("temporarily_unavailable: Error(s): Not Available")
    );
}

#[test]
fn transport_failures() {
    for kind in [
        IoFailureKind::Refused,
        IoFailureKind::Reset,
        IoFailureKind::TimedOut,
        IoFailureKind::DnsFailed,
    ] {
        let mut cred = secret_cred(json!({}), &[]);
        let run = aad_token(Script::new().fail(kind, "boom"), "t").get(&mut cred, STORAGE);
        assert_eq!(run.token().token.expose(), "t", "{kind:?} is retried");
    }
    let mut cred = secret_cred(json!({}), &[]);
    let run = Script::new()
        .fail(IoFailureKind::Unreachable, "connect EHOSTUNREACH")
        .get(&mut cred, STORAGE);
    assert_eq!(run.error().kind, ErrorKind::AuthenticationRequired);
    assert_eq!(
        run.error().message,
        format!(
            "network_error: the token request to {} failed: connect EHOSTUNREACH",
            token_endpoint(TENANT)
        )
    );
    let mut cred = secret_cred(json!({}), &[]);
    let run = Script::new()
        .fail(IoFailureKind::Aborted, "aborted")
        .get(&mut cred, STORAGE);
    assert_eq!(run.error().kind, ErrorKind::Aborted);
    let mut cred = secret_cred(json!({}), &[]);
    let run = Script::new()
        .otherwise(|_, _| Reply::Failed(IoFailure::new(IoFailureKind::Refused, "ECONNREFUSED")))
        .get(&mut cred, STORAGE);
    assert_eq!(run.requests().len(), 4);
    assert_eq!(run.error().kind, ErrorKind::AuthenticationRequired);
}

#[test]
fn total_time_is_bounded_by_the_retry_budget() {
    let mut cred = secret_cred(
        json!({"retryOptions": {"maxRetries": 50, "retryDelayInMs": 5000}}),
        &[],
    );
    let mut s = Script::new().otherwise(|a, now| {
        // Each attempt hangs until its deadline.
        let (_, deadline, _) = http(a);
        *now = deadline;
        Reply::Failed(IoFailure::new(IoFailureKind::TimedOut, "timed out"))
    });
    let run = s.get(&mut cred, STORAGE);
    assert_eq!(run.error().kind, ErrorKind::AuthenticationRequired);
    let elapsed = s.now.as_millis() - T0.as_millis();
    assert!(elapsed <= 80_000, "took {elapsed} ms");
    assert!(run.requests().len() >= 2);
}

#[test]
fn secrets_echoed_by_the_server_are_redacted() {
    let mut cred = secret_cred(json!({}), &[]);
    let body = format!(r#"{{"error":"invalid_request","error_description":"you sent {SECRET}"}}"#);
    let run = Script::new().http(400, &body).get(&mut cred, STORAGE);
    let e = run.error();
    assert!(!e.message.contains(SECRET), "{}", e.message);
    assert!(e.message.contains("you sent [redacted]"));
    assert!(!format!("{:?}", run.actions).contains(SECRET));
    assert!(!format!("{cred:?}").contains(SECRET));
}

#[test]
fn debug_output_of_configured_credentials_holds_no_secret() {
    let pem = cert_pem("ENCRYPTED PRIVATE KEY");
    let creds = [
        secret_cred(json!({}), &[]),
        credential(
            "ClientCertificateCredential",
            json!({"tenantId": TENANT, "clientId": CLIENT, "certificate": pem,
                   "certificatePassword": "pa55-SENTINEL"}),
            &[],
        ),
        credential(
            "EnvironmentCredential",
            json!({}),
            &[
                ("AZURE_TENANT_ID", TENANT),
                ("AZURE_CLIENT_ID", CLIENT),
                ("AZURE_USERNAME", "u"),
                ("AZURE_PASSWORD", "pw-SENTINEL"),
            ],
        ),
    ];
    for c in &creds {
        let text = format!("{c:?}");
        for sentinel in [SECRET, "KEY-SENTINEL", "pa55-SENTINEL", "pw-SENTINEL"] {
            assert!(!text.contains(sentinel), "{sentinel} in {text}");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Constructor errors
// ---------------------------------------------------------------------------------------------

#[test]
fn client_secret_constructor_errors() {
    let sp = "To troubleshoot, visit https://aka.ms/azsdk/js/identity/serviceprincipalauthentication/troubleshoot.";
    for (opts, missing) in [
        (
            json!({"clientId": CLIENT, "clientSecret": SECRET}),
            "tenantId",
        ),
        (
            json!({"tenantId": TENANT, "clientSecret": SECRET}),
            "clientId",
        ),
        (
            json!({"tenantId": TENANT, "clientId": CLIENT, "clientSecret": ""}),
            "clientSecret",
        ),
    ] {
        let e = build_err("ClientSecretCredential", opts, &[]);
        assert_eq!(e.code, "CredentialUnavailable");
        assert_eq!(
            e.message,
            format!("ClientSecretCredential: {missing} is a required parameter. {sp}")
        );
    }
}

#[test]
fn client_certificate_constructor_errors() {
    let e = build_err(
        "ClientCertificateCredential",
        json!({"clientId": CLIENT, "certificatePath": "/c"}),
        &[],
    );
    assert_eq!(
        (e.code, e.message.as_str()),
        (
            "InvalidConfig",
            "ClientCertificateCredential: tenantId and clientId are required parameters."
        )
    );
    let e = build_err(
        "ClientCertificateCredential",
        json!({"tenantId": TENANT, "clientId": CLIENT}),
        &[],
    );
    assert!(e.message.starts_with(
        "ClientCertificateCredential: Provide either a PEM certificate in string form, or the path"
    ));
    let e = build_err(
        "ClientCertificateCredential",
        json!({"tenantId": TENANT, "clientId": CLIENT, "certificatePath": "/c", "certificate": "PEM"}),
        &[],
    );
    assert!(
        e.message.starts_with(
            "ClientCertificateCredential: To avoid unexpected behaviors, providing both"
        )
    );
    assert_eq!(e.code, "InvalidConfig");
}

#[test]
fn client_assertion_constructor_errors() {
    for (opts, missing) in [
        (
            json!({"clientId": CLIENT, "assertionCallback": true}),
            "tenantId",
        ),
        (
            json!({"tenantId": TENANT, "assertionCallback": true}),
            "clientId",
        ),
        (
            json!({"tenantId": TENANT, "clientId": CLIENT}),
            "clientAssertion",
        ),
    ] {
        let e = build_err("ClientAssertionCredential", opts, &[]);
        assert_eq!(e.code, "CredentialUnavailable");
        assert_eq!(
            e.message,
            format!("ClientAssertionCredential: {missing} is a required parameter.")
        );
    }
}

#[test]
fn workload_identity_constructor_errors_in_the_references_order() {
    let wi =
        |opts: Value, pairs: &[(&str, &str)]| build_err("WorkloadIdentityCredential", opts, pairs);
    let e = wi(json!({}), &[]);
    assert_eq!(e.code, "CredentialUnavailable");
    assert_eq!(
        e.message,
        "WorkloadIdentityCredential: is unavailable. clientId is a required parameter. In DefaultAzureCredential and ManagedIdentityCredential, this can be provided as an environment variable - \"AZURE_CLIENT_ID\".\n        See the troubleshooting guide for more information: https://aka.ms/azsdk/js/identity/workloadidentitycredential/troubleshoot"
    );
    let e = wi(json!({"clientId": CLIENT}), &[]);
    assert!(e.message.starts_with(
        "WorkloadIdentityCredential: is unavailable. tenantId is a required parameter."
    ));
    let e = wi(
        json!({}),
        &[("AZURE_CLIENT_ID", CLIENT), ("AZURE_TENANT_ID", TENANT)],
    );
    assert!(e.message.starts_with(
        "WorkloadIdentityCredential: is unavailable. federatedTokenFilePath is a required parameter."
    ));
    assert!(e.message.contains("\"AZURE_FEDERATED_TOKEN_FILE\""));
    // The tenant syntax is checked first, as a plain Error.
    let e = wi(json!({"tenantId": "bad/tenant"}), &[]);
    assert_eq!(
        (e.code, e.message.as_str()),
        ("InvalidConfig", INVALID_TENANT)
    );
}

// ---------------------------------------------------------------------------------------------
// ClientCertificateCredential
// ---------------------------------------------------------------------------------------------

const LEAF_DER: &[u8] = b"\x30\x82leaf certificate DER bytes";
const CA_DER: &[u8] = b"\x30\x82issuing CA certificate DER bytes";
const KEY_BODY: &str = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC-KEY-SENTINEL";

fn pem_block(label: &str, b64: &str) -> String {
    format!("-----BEGIN {label}-----\n{b64}\n-----END {label}-----\n")
}

fn cert_pem(key_label: &str) -> String {
    format!(
        "{}{}{}",
        pem_block("CERTIFICATE", &STANDARD.encode(LEAF_DER)),
        pem_block("CERTIFICATE", &STANDARD.encode(CA_DER)),
        pem_block(key_label, KEY_BODY)
    )
}

fn cert_cred(extra: Value, pairs: &[(&str, &str)]) -> azcred_core::Credential {
    let mut opts =
        json!({"tenantId": TENANT, "clientId": CLIENT, "certificatePath": "/etc/app/cert.pem"});
    merge(&mut opts, extra);
    credential("ClientCertificateCredential", opts, pairs)
}

fn file(text: &str) -> Reply {
    Reply::File {
        contents: Secret::new(text),
    }
}

fn signed(sig: &str) -> Reply {
    Reply::Signed {
        signature: sig.to_owned(),
    }
}

fn decode_json(part: &str) -> Value {
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
}

#[test]
fn certificate_read_sign_post() {
    let mut cred = cert_cred(json!({}), &[]);
    let pem = cert_pem("PRIVATE KEY");
    let mut s = aad_token(
        Script::new()
            .reply(file(&pem))
            .reply(signed("c2lnbmF0dXJl")),
        "tok",
    );
    let run = s.get(&mut cred, STORAGE);
    assert_eq!(run.token().token.expose(), "tok");
    assert_eq!(
        run.shape(),
        [
            "read-file /etc/app/cert.pem".to_owned(),
            "sign PS256".to_owned(),
            format!(
                "POST {}?client-request-id={}",
                token_endpoint(TENANT),
                field(run.requests()[0], "client-request-id").unwrap()
            ),
        ]
    );
    let Action::ReadFile { max_bytes, .. } = &run.actions[0] else {
        panic!()
    };
    assert_eq!(*max_bytes, 1024 * 1024);

    let Action::Sign {
        algorithm,
        key,
        passphrase,
        data,
    } = &run.actions[1]
    else {
        panic!("{:?}", run.actions[1])
    };
    assert_eq!(algorithm, "PS256");
    assert_eq!(key.expose(), pem, "the whole PEM text goes to the driver");
    assert!(passphrase.is_none());
    let (h, p) = data.split_once('.').unwrap();
    let header = decode_json(h);
    assert_eq!(
        header,
        json!({"alg": "PS256", "typ": "JWT", "x5t#S256": URL_SAFE_NO_PAD.encode(Sha256::digest(LEAF_DER))})
    );
    let raw_header = String::from_utf8(URL_SAFE_NO_PAD.decode(h).unwrap()).unwrap();
    assert!(raw_header.starts_with(r#"{"alg":"PS256","typ":"JWT","x5t#S256":"#));
    let payload = decode_json(p);
    let iat = T0.as_millis() / 1000;
    assert_eq!(payload["aud"], token_endpoint(TENANT));
    assert_eq!(payload["iss"], CLIENT);
    assert_eq!(payload["sub"], CLIENT);
    assert_eq!(payload["iat"], iat);
    assert_eq!(payload["nbf"], iat);
    assert_eq!(payload["exp"], iat + 600);
    let jti = payload["jti"].as_str().unwrap();
    assert_eq!((jti.len(), &jti[14..15]), (36, "4"));

    let req = run.requests()[0];
    assert_eq!(
        field(req, "client_assertion").unwrap(),
        format!("{data}.c2lnbmF0dXJl")
    );
    assert_eq!(field(req, "client_assertion_type").unwrap(), ASSERTION_TYPE);
    assert_eq!(
        names(req),
        [
            "client_id",
            "scope",
            "grant_type",
            "x-ms-lib-capability",
            "client-request-id",
            "client_assertion",
            "client_assertion_type"
        ]
    );
    assert!(
        !format!("{:?}", run.actions).contains("KEY-SENTINEL"),
        "the key never shows in Debug"
    );
}

#[test]
fn send_certificate_chain_adds_x5c_in_file_order() {
    let mut cred = cert_cred(json!({"sendCertificateChain": true}), &[]);
    let run = aad_token(
        Script::new()
            .reply(file(&cert_pem("PRIVATE KEY")))
            .reply(signed("c2ln")),
        "t",
    )
    .get(&mut cred, STORAGE);
    let Action::Sign { data, .. } = &run.actions[1] else {
        panic!()
    };
    let header = decode_json(data.split('.').next().unwrap());
    assert_eq!(
        header["x5c"],
        json!([STANDARD.encode(LEAF_DER), STANDARD.encode(CA_DER)])
    );
}

#[test]
fn the_assertion_audience_follows_the_requested_tenant() {
    let mut cred = cert_cred(json!({"additionallyAllowedTenants": [OTHER_TENANT]}), &[]);
    let run = aad_token(
        Script::new()
            .reply(file(&cert_pem("PRIVATE KEY")))
            .reply(signed("c2ln")),
        "t",
    )
    .run(
        &mut cred,
        request_with(|r| r.tenant_id = Some(OTHER_TENANT.into())),
    );
    let Action::Sign { data, .. } = &run.actions[1] else {
        panic!()
    };
    assert_eq!(
        decode_json(data.split('.').nth(1).unwrap())["aud"],
        token_endpoint(OTHER_TENANT)
    );
}

#[test]
fn an_encrypted_key_needs_its_password() {
    let pem = cert_pem("ENCRYPTED PRIVATE KEY");
    let mut cred = cert_cred(json!({}), &[]);
    let run = Script::new().reply(file(&pem)).get(&mut cred, STORAGE);
    assert_eq!(run.error().kind, ErrorKind::AuthenticationRequired);
    assert!(
        run.error().message.contains("is encrypted"),
        "{}",
        run.error().message
    );
    assert_eq!(run.actions.len(), 1, "nothing signed, nothing sent");

    let mut cred = cert_cred(json!({"certificatePassword": "pa55-SENTINEL"}), &[]);
    let run = aad_token(Script::new().reply(file(&pem)).reply(signed("c2ln")), "t")
        .get(&mut cred, STORAGE);
    let Action::Sign { passphrase, .. } = &run.actions[1] else {
        panic!()
    };
    assert_eq!(passphrase.as_ref().unwrap().expose(), "pa55-SENTINEL");
    assert!(!format!("{:?}", run.actions[1]).contains("pa55-SENTINEL"));
}

#[test]
fn a_key_the_driver_cannot_use_is_a_clear_error() {
    let mut cred = cert_cred(json!({"certificatePassword": "wrong"}), &[]);
    let run = Script::new()
        .reply(file(&cert_pem("ENCRYPTED PRIVATE KEY")))
        .fail(
            IoFailureKind::Other,
            "error:1C800064:Provider routines::bad decrypt",
        )
        .get(&mut cred, STORAGE);
    let e = run.error();
    assert_eq!(e.kind, ErrorKind::AuthenticationRequired);
    assert_eq!(
        e.message,
        "ClientCertificateCredential: the private key could not be used to sign the client assertion: error:1C800064:Provider routines::bad decrypt"
    );
    assert!(!e.message.contains("KEY-SENTINEL"));
    assert_eq!(run.requests().len(), 0);

    let mut cred = cert_cred(json!({}), &[]);
    let run = Script::new()
        .reply(file(&cert_pem("PRIVATE KEY")))
        .reply(signed("not base64url!"))
        .get(&mut cred, STORAGE);
    assert_eq!(run.error().kind, ErrorKind::AuthenticationRequired);
    assert_eq!(run.requests().len(), 0);
}

#[test]
fn certificate_file_problems() {
    let cases: Vec<(Reply, &str)> = vec![
        (
            Reply::Failed(IoFailure::new(
                IoFailureKind::NotFound,
                "the file does not exist",
            )),
            "ClientCertificateCredential: could not read the certificate file /etc/app/cert.pem: the file does not exist",
        ),
        (
            Reply::Failed(IoFailure::new(IoFailureKind::TooLarge, "too big")),
            "ClientCertificateCredential: the certificate file /etc/app/cert.pem is larger than 1048576 bytes",
        ),
        (
            file("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"),
            "ClientCertificateCredential: The file at the specified path does not contain a PEM-encoded certificate.",
        ),
        (
            file(&pem_block("CERTIFICATE", &STANDARD.encode(LEAF_DER))),
            "ClientCertificateCredential: the file /etc/app/cert.pem has no private key",
        ),
    ];
    for (reply, expected) in cases {
        let mut cred = cert_cred(json!({}), &[]);
        let run = Script::new().reply(reply).get(&mut cred, STORAGE);
        assert_eq!(run.error().kind, ErrorKind::AuthenticationRequired);
        assert!(
            run.error().message.starts_with(expected),
            "{}",
            run.error().message
        );
        assert_eq!(run.actions.len(), 1);
    }
}

#[test]
fn a_certificate_given_as_text_is_signed_without_reading_a_file() {
    let pem = cert_pem("PRIVATE KEY");
    let mut cred = credential(
        "ClientCertificateCredential",
        json!({"tenantId": TENANT, "clientId": CLIENT, "certificate": pem}),
        &[],
    );
    let run = aad_token(Script::new().reply(signed("c2ln")), "t").get(&mut cred, STORAGE);
    assert_eq!(run.shape()[0], "sign PS256");
    assert_eq!(run.actions.len(), 2);
}

#[test]
fn a_wrong_reply_to_sign_is_misuse_and_the_flow_goes_on() {
    let mut cred = cert_cred(json!({}), &[]);
    let azcred_core::Begin::Start { mut flow, .. } = cred.begin(TokenRequest::new([STORAGE]), T0)
    else {
        panic!()
    };
    assert!(matches!(
        flow.poll(T0),
        Step::Perform {
            action: Action::ReadFile { .. }
        }
    ));
    flow.handle(file(&cert_pem("PRIVATE KEY")), T0).unwrap();
    assert!(matches!(
        flow.poll(T0),
        Step::Perform {
            action: Action::Sign { .. }
        }
    ));
    assert_eq!(flow.handle(file("x"), T0), Err(Misuse::WrongReply));
    assert!(matches!(
        flow.poll(T0),
        Step::Perform {
            action: Action::Sign { .. }
        }
    ));
    flow.handle(signed("c2ln"), T0).unwrap();
    assert!(matches!(
        flow.poll(T0),
        Step::Perform {
            action: Action::Http { .. }
        }
    ));
    assert_eq!(flow.handle(signed("c2ln"), T0), Err(Misuse::WrongReply));
    flow.handle(Reply::Http(HttpResponse::new(200, aad_body("t", 3599))), T0)
        .unwrap();
    assert!(matches!(flow.poll(T0), Step::Finished));
    assert_eq!(cred.finish(*flow, T0).unwrap().token.expose(), "t");
}

// ---------------------------------------------------------------------------------------------
// ClientAssertionCredential
// ---------------------------------------------------------------------------------------------

fn assertion_cred(extra: Value) -> azcred_core::Credential {
    let mut opts = json!({"tenantId": TENANT, "clientId": CLIENT, "assertionCallback": true});
    merge(&mut opts, extra);
    credential("ClientAssertionCredential", opts, &[])
}

fn assertion(value: &str) -> Reply {
    Reply::Assertion {
        value: Secret::new(value),
    }
}

#[test]
fn the_callback_is_called_once_per_token_request() {
    let mut cred = assertion_cred(json!({}));
    let mut s = aad_token(
        Script::new().reply(assertion("eyJ.assertion.SENTINEL")),
        "tok",
    );
    let run = s.get(&mut cred, STORAGE);
    assert_eq!(run.token().token.expose(), "tok");
    let Action::GetAssertion {
        client_id,
        token_endpoint: te,
    } = &run.actions[0]
    else {
        panic!("{:?}", run.actions[0])
    };
    assert_eq!(
        (client_id.as_str(), te.as_str()),
        (CLIENT, token_endpoint(TENANT).as_str())
    );
    let req = run.requests()[0];
    assert_eq!(
        field(req, "client_assertion").unwrap(),
        "eyJ.assertion.SENTINEL"
    );
    assert_eq!(field(req, "client_assertion_type").unwrap(), ASSERTION_TYPE);
    // A cached token needs no assertion (the reference calls the callback twice per getToken,
    // cache hit or not).
    let again = s.get(&mut cred, STORAGE);
    assert!(again.cached);
    assert!(!format!("{:?}", run.actions).contains("SENTINEL"));
}

#[test]
fn callback_failures() {
    let mut cred = assertion_cred(json!({}));
    let run = Script::new()
        .fail(IoFailureKind::Other, "vault unreachable")
        .get(&mut cred, STORAGE);
    assert_eq!(run.error().kind, ErrorKind::AuthenticationRequired);
    assert_eq!(
        run.error().message,
        "ClientAssertionCredential: the getAssertion callback failed: vault unreachable"
    );
    let mut cred = assertion_cred(json!({}));
    let run = Script::new().reply(assertion("  ")).get(&mut cred, STORAGE);
    assert_eq!(run.error().kind, ErrorKind::AuthenticationRequired);
    assert_eq!(run.requests().len(), 0);
}

// ---------------------------------------------------------------------------------------------
// WorkloadIdentityCredential
// ---------------------------------------------------------------------------------------------

const TOKEN_FILE: &str = "/var/run/secrets/azure/tokens/azure-identity-token";
const WI_ENV: &[(&str, &str)] = &[
    ("AZURE_TENANT_ID", TENANT),
    ("AZURE_CLIENT_ID", CLIENT),
    ("AZURE_FEDERATED_TOKEN_FILE", TOKEN_FILE),
];

#[test]
fn workload_identity_reads_and_trims_the_token_file() {
    let mut cred = credential("WorkloadIdentityCredential", json!({}), WI_ENV);
    let run = aad_token(
        Script::new().reply(file("\n  eyJhbGciOi.k8s.token  \n")),
        "tok",
    )
    .get(&mut cred, STORAGE);
    assert_eq!(run.token().token.expose(), "tok");
    assert_eq!(run.shape()[0], format!("read-file {TOKEN_FILE}"));
    let Action::ReadFile { max_bytes, .. } = &run.actions[0] else {
        panic!()
    };
    assert_eq!(*max_bytes, 64 * 1024);
    let req = run.requests()[0];
    assert_eq!(
        form_of(req)[5..],
        pairs(&[
            ("client_assertion", "eyJhbGciOi.k8s.token"),
            ("client_assertion_type", ASSERTION_TYPE)
        ])
    );
}

#[test]
fn workload_identity_options_win_over_the_environment() {
    let mut cred = credential(
        "WorkloadIdentityCredential",
        json!({"tenantId": OTHER_TENANT, "clientId": "app-2", "tokenFilePath": "/tmp/t"}),
        WI_ENV,
    );
    let run = aad_token(Script::new().reply(file("jwt")), "t").get(&mut cred, STORAGE);
    assert_eq!(run.shape()[0], "read-file /tmp/t");
    assert!(
        run.requests()[0]
            .url
            .starts_with(&token_endpoint(OTHER_TENANT))
    );
    assert_eq!(field(run.requests()[0], "client_id").unwrap(), "app-2");
}

#[test]
fn an_empty_or_unreadable_token_file_is_authentication_required() {
    for (reply, message) in [
        (
            file(" \n\t"),
            format!(
                "WorkloadIdentityCredential: is unavailable. No content on the file {TOKEN_FILE}."
            ),
        ),
        (
            Reply::Failed(IoFailure::new(
                IoFailureKind::NotFound,
                "the file does not exist",
            )),
            format!(
                "WorkloadIdentityCredential: could not read the federated token file {TOKEN_FILE}: the file does not exist"
            ),
        ),
        (
            Reply::Failed(IoFailure::new(IoFailureKind::TooLarge, "big")),
            format!(
                "WorkloadIdentityCredential: the federated token file {TOKEN_FILE} is larger than 65536 bytes"
            ),
        ),
    ] {
        let mut cred = credential("WorkloadIdentityCredential", json!({}), WI_ENV);
        let run = Script::new().reply(reply).get(&mut cred, STORAGE);
        assert_eq!(run.error().kind, ErrorKind::AuthenticationRequired);
        assert_eq!(run.error().message, message);
        assert_eq!(run.requests().len(), 0);
    }
}

#[test]
fn the_token_file_is_read_again_for_each_token_request() {
    let mut cred = credential("WorkloadIdentityCredential", json!({}), WI_ENV);
    let mut s = aad_token(Script::new().reply(file("first")), "a");
    s.get(&mut cred, STORAGE);
    s.push(|_, _| file("rotated"));
    push_token(&mut s, "b");
    let run = s.get(&mut cred, "https://vault.azure.net/.default");
    assert_eq!(
        field(run.requests()[0], "client_assertion").unwrap(),
        "rotated"
    );
}

// ---------------------------------------------------------------------------------------------
// EnvironmentCredential
// ---------------------------------------------------------------------------------------------

const SP: &[(&str, &str)] = &[("AZURE_TENANT_ID", TENANT), ("AZURE_CLIENT_ID", CLIENT)];

fn env_cred(extra: &[(&str, &str)]) -> azcred_core::Credential {
    let mut all = SP.to_vec();
    all.extend_from_slice(extra);
    credential("EnvironmentCredential", json!({}), &all)
}

#[test]
fn environment_precedence_secret_then_certificate_then_password() {
    let everything = [
        ("AZURE_CLIENT_SECRET", SECRET),
        ("AZURE_CLIENT_CERTIFICATE_PATH", "/c.pem"),
        ("AZURE_USERNAME", "user@contoso.com"),
        ("AZURE_PASSWORD", "pw-SENTINEL"),
    ];
    let mut cred = env_cred(&everything);
    let run = aad_token(Script::new(), "t").get(&mut cred, STORAGE);
    assert_eq!(field(run.requests()[0], "client_secret").unwrap(), SECRET);

    let mut cred = env_cred(&everything[1..]);
    let run = aad_token(
        Script::new()
            .reply(file(&cert_pem("PRIVATE KEY")))
            .reply(signed("c2ln")),
        "t",
    )
    .get(&mut cred, STORAGE);
    assert_eq!(
        run.shape()[..2],
        ["read-file /c.pem".to_owned(), "sign PS256".to_owned()]
    );

    let mut cred = env_cred(&everything[2..]);
    let run = aad_token(Script::new(), "t").get(&mut cred, STORAGE);
    let req = run.requests()[0];
    let id = field(req, "client-request-id").unwrap();
    assert_eq!(
        form_of(req),
        pairs(&[
            ("client_id", CLIENT),
            ("username", "user@contoso.com"),
            ("password", "pw-SENTINEL"),
            (
                "scope",
                "https://storage.azure.com/.default openid profile offline_access"
            ),
            ("response_type", "token id_token"),
            ("grant_type", "password"),
            ("client_info", "1"),
            ("x-ms-lib-capability", "retry-after, h429"),
            ("client-request-id", &id),
        ])
    );
    assert_eq!(
        req.headers.get("X-AnchorMailbox"),
        Some("UPN: user@contoso.com")
    );
    assert!(!format!("{:?}", run.actions).contains("pw-SENTINEL"));
}

#[test]
fn environment_needs_tenant_and_client_and_one_credential() {
    let unavailable = "EnvironmentCredential is unavailable. No underlying credential could be used. To troubleshoot, visit https://aka.ms/azsdk/js/identity/environmentcredential/troubleshoot.";
    for pairs_ in [
        vec![],
        vec![("AZURE_CLIENT_SECRET", SECRET), ("AZURE_CLIENT_ID", CLIENT)],
        vec![("AZURE_CLIENT_SECRET", SECRET), ("AZURE_TENANT_ID", TENANT)],
        vec![
            ("AZURE_TENANT_ID", TENANT),
            ("AZURE_CLIENT_ID", CLIENT),
            ("AZURE_USERNAME", "u"),
        ],
        vec![
            ("AZURE_TENANT_ID", TENANT),
            ("AZURE_CLIENT_ID", CLIENT),
            ("AZURE_CLIENT_SECRET", ""),
        ],
    ] {
        let mut cred = credential("EnvironmentCredential", json!({}), &pairs_);
        let run = Script::new().get(&mut cred, STORAGE);
        assert_eq!(run.error().kind, ErrorKind::CredentialUnavailable);
        assert_eq!(run.error().message, unavailable);
        assert_no_io(&run);
    }
    let e = build_err(
        "EnvironmentCredential",
        json!({}),
        &[("AZURE_TENANT_ID", "a/b")],
    );
    assert_eq!(
        (e.code, e.message.as_str()),
        ("InvalidConfig", INVALID_TENANT)
    );
    // EnvironmentCredential reads AZURE_TENANT_ID, never the tenantId option.
    let mut cred = credential(
        "EnvironmentCredential",
        json!({"tenantId": OTHER_TENANT}),
        &[
            ("AZURE_TENANT_ID", TENANT),
            ("AZURE_CLIENT_ID", CLIENT),
            ("AZURE_CLIENT_SECRET", SECRET),
        ],
    );
    let run = aad_token(Script::new(), "t").get(&mut cred, STORAGE);
    assert!(run.requests()[0].url.starts_with(&token_endpoint(TENANT)));
}

#[test]
fn environment_wraps_every_failure_in_authentication_error_400() {
    let mut cred = env_cred(&[("AZURE_CLIENT_SECRET", SECRET)]);
    let run = Script::new()
        .http(401, INVALID_CLIENT)
        .get(&mut cred, STORAGE);
    let e = run.error();
    assert_eq!(e.kind, ErrorKind::AuthenticationFailed);
    assert_eq!(e.name, "AuthenticationError");
    assert_eq!(e.status_code, Some(400));
    assert_eq!(e.credential.as_deref(), Some("EnvironmentCredential"));
    let id = field(run.requests()[0], "client-request-id").unwrap();
    let inner = format!(
        "invalid_client: Error(s): 7000215 - Timestamp: 2023-11-14 22:13:20Z - Description: AADSTS7000215: Invalid client secret provided. - Correlation ID: c-1 - Trace ID: t-1 - Client request ID: {id}"
    );
    let resp = e.error_response.as_ref().unwrap();
    assert_eq!(resp.error, ENV_FAILED);
    assert_eq!(resp.error_description, inner);
    assert_eq!(
        e.message,
        format!("{ENV_FAILED} Status code: 400\nMore details:\n{inner},")
    );
    assert!(!e.kind.chain_continues(), "it stops a chain");

    // A tenant the allow-list does not admit, and a missing certificate file, are wrapped too.
    let mut cred = env_cred(&[("AZURE_CLIENT_SECRET", SECRET)]);
    let run = Script::new().run(
        &mut cred,
        request_with(|r| r.tenant_id = Some(OTHER_TENANT.into())),
    );
    assert_eq!(run.error().kind, ErrorKind::AuthenticationFailed);
    assert!(
        run.error()
            .error_response
            .as_ref()
            .unwrap()
            .error_description
            .starts_with("The current credential is not configured")
    );
    let mut cred = env_cred(&[("AZURE_CLIENT_CERTIFICATE_PATH", "/missing.pem")]);
    let run = Script::new()
        .fail(IoFailureKind::NotFound, "the file does not exist")
        .get(&mut cred, STORAGE);
    assert_eq!(run.error().kind, ErrorKind::AuthenticationFailed);
    // "More details:" of an inner AuthenticationError is removed from the description.
    let e = azcred_core::TokenError::authentication_failed(500, "x", "y");
    assert!(e.message.contains("More details:"));
}

#[test]
fn environment_allow_list_and_certificate_settings() {
    let mut cred = env_cred(&[
        ("AZURE_CLIENT_SECRET", SECRET),
        ("AZURE_ADDITIONALLY_ALLOWED_TENANTS", "aaaa;bbbb"),
    ]);
    let run = aad_token(Script::new(), "t").run(
        &mut cred,
        request_with(|r| r.tenant_id = Some("bbbb".into())),
    );
    assert!(run.requests()[0].url.starts_with(&token_endpoint("bbbb")));
    // The option wins over the variable.
    let mut cred = credential(
        "EnvironmentCredential",
        json!({"additionallyAllowedTenants": ["cccc"]}),
        &[
            ("AZURE_TENANT_ID", TENANT),
            ("AZURE_CLIENT_ID", CLIENT),
            ("AZURE_CLIENT_SECRET", SECRET),
            ("AZURE_ADDITIONALLY_ALLOWED_TENANTS", "bbbb"),
        ],
    );
    let run = Script::new().run(
        &mut cred,
        request_with(|r| r.tenant_id = Some("bbbb".into())),
    );
    assert_eq!(run.error().kind, ErrorKind::AuthenticationFailed);

    for (value, chain) in [
        ("TRUE", true),
        ("1", true),
        ("true", true),
        ("yes", false),
        ("0", false),
    ] {
        let mut cred = env_cred(&[
            ("AZURE_CLIENT_CERTIFICATE_PATH", "/c.pem"),
            ("AZURE_CLIENT_SEND_CERTIFICATE_CHAIN", value),
        ]);
        let run = aad_token(
            Script::new()
                .reply(file(&cert_pem("PRIVATE KEY")))
                .reply(signed("c2ln")),
            "t",
        )
        .get(&mut cred, STORAGE);
        let Action::Sign { data, .. } = &run.actions[1] else {
            panic!()
        };
        let header = decode_json(data.split('.').next().unwrap());
        assert_eq!(header.get("x5c").is_some(), chain, "{value}");
    }

    for password in ["pw", ""] {
        let mut cred = env_cred(&[
            ("AZURE_CLIENT_CERTIFICATE_PATH", "/c.pem"),
            ("AZURE_CLIENT_CERTIFICATE_PASSWORD", password),
        ]);
        let run = aad_token(
            Script::new()
                .reply(file(&cert_pem("ENCRYPTED PRIVATE KEY")))
                .reply(signed("c2ln")),
            "t",
        )
        .get(&mut cred, STORAGE);
        let Action::Sign { passphrase, .. } = &run.actions[1] else {
            panic!()
        };
        assert_eq!(passphrase.as_ref().map(Secret::expose), Some(password));
    }
}

// ---------------------------------------------------------------------------------------------
// Proxies
// ---------------------------------------------------------------------------------------------

#[test]
fn entra_requests_carry_the_proxy_the_environment_selects() {
    let proxy = [("HTTPS_PROXY", "http://user:pw-SENTINEL@proxy.corp:3128")];
    let mut cred = secret_cred(json!({}), &proxy);
    let run = aad_token(Script::new(), "t").get(&mut cred, STORAGE);
    let req = run.requests()[0];
    assert_eq!(
        req.proxy.as_ref().unwrap().expose(),
        "http://user:pw-SENTINEL@proxy.corp:3128"
    );
    assert!(!format!("{req:?}").contains("pw-SENTINEL"));

    let mut cred = secret_cred(
        json!({}),
        &[
            ("https_proxy", "proxy:3128"),
            ("NO_PROXY", ".microsoftonline.com"),
        ],
    );
    let run = aad_token(Script::new(), "t").get(&mut cred, STORAGE);
    assert!(run.requests()[0].proxy.is_none());

    // Managed identity is never proxied.
    let mut cred = mi(
        json!({}),
        &[
            ("HTTPS_PROXY", "http://proxy:3128"),
            ("HTTP_PROXY", "http://proxy:3128"),
            ("IDENTITY_ENDPOINT", "http://127.0.0.1:41000/msi/token"),
            ("IDENTITY_HEADER", "h"),
        ],
    );
    let run = Script::new().token_for("t", 3600).get(&mut cred, STORAGE);
    assert!(run.requests()[0].proxy.is_none());
    assert!(!run.requests()[0].allow_proxy);
}

// ---------------------------------------------------------------------------------------------
// The boundary: new actions and replies as JSON
// ---------------------------------------------------------------------------------------------

#[test]
fn sign_and_get_assertion_cross_the_bindings_as_tagged_camel_case_json() {
    let mut cred = cert_cred(json!({"certificatePassword": "pw"}), &[]);
    let azcred_core::Begin::Start { mut flow, .. } = cred.begin(TokenRequest::new([STORAGE]), T0)
    else {
        panic!()
    };
    flow.poll(T0);
    flow.handle(file(&cert_pem("ENCRYPTED PRIVATE KEY")), T0)
        .unwrap();
    let step = serde_json::to_value(flow.poll(T0)).unwrap();
    assert_eq!(step["type"], "perform");
    let action = &step["action"];
    assert_eq!(action["type"], "sign");
    assert_eq!(action["algorithm"], "PS256");
    assert_eq!(action["passphrase"], "pw");
    assert!(
        action["key"]
            .as_str()
            .unwrap()
            .contains("ENCRYPTED PRIVATE KEY")
    );
    assert!(action["data"].as_str().unwrap().contains('.'));
    let reply: Reply =
        serde_json::from_value(json!({"type": "signed", "signature": "c2ln"})).unwrap();
    flow.handle(reply, T0).unwrap();
    let step = serde_json::to_value(flow.poll(T0)).unwrap();
    assert_eq!(step["action"]["type"], "http");
    assert_eq!(step["action"]["request"]["allowProxy"], true);
    assert!(step["action"]["request"].get("proxy").is_none());

    let mut cred = assertion_cred(json!({}));
    let azcred_core::Begin::Start { mut flow, .. } = cred.begin(TokenRequest::new([STORAGE]), T0)
    else {
        panic!()
    };
    let step = serde_json::to_value(flow.poll(T0)).unwrap();
    assert_eq!(
        step["action"],
        json!({"type": "getAssertion", "clientId": CLIENT, "tokenEndpoint": token_endpoint(TENANT)})
    );
    let reply: Reply =
        serde_json::from_value(json!({"type": "assertion", "value": "a.b.c"})).unwrap();
    assert!(!format!("{reply:?}").contains("a.b.c"));
    flow.handle(reply, T0).unwrap();
    assert!(matches!(
        flow.poll(T0),
        Step::Perform {
            action: Action::Http { .. }
        }
    ));
}
