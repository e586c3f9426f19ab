//! Scenario tests for the Entra ID credentials: `ClientSecretCredential`,
//! `ClientCertificateCredential`, `ClientAssertionCredential`, `WorkloadIdentityCredential`,
//! `AzurePipelinesCredential`, `OnBehalfOfCredential` and `EnvironmentCredential`. Each checks the exact wire request (URL, headers, form body in MSAL's
//! order), the local actions before it (file reads, signing, the assertion callback), and the
//! outcome and error class of each kind of answer.
//!
//! Laid out as `src/source/entra/`; the constructors are tested here, `EnvironmentCredential`
//! in `environment.rs`, which shares this file's helpers.

mod assertion;
mod browser;
mod flow;
mod on_behalf_of;
mod pipelines;
mod request;
mod response;
mod user;

use crate::support::*;
use azcred_core::{
    Action, ErrorKind, HttpRequest, HttpResponse, IoFailure, IoFailureKind, Misuse, Reply, Secret,
    Step, TokenRequest,
};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

pub(crate) const TENANT: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";
pub(crate) const OTHER_TENANT: &str = "11111111-2222-3333-4444-555555555555";
pub(crate) const CLIENT: &str = "00000000-1111-2222-3333-444444444444";
pub(crate) const SECRET: &str = "s3cr3t-SENTINEL-value";
pub(crate) const LOGIN: &str = "https://login.microsoftonline.com";
pub(crate) const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
pub(crate) const INVALID_TENANT: &str = "Invalid tenant id provided. You can locate your tenant id by following the instructions listed here: https://learn.microsoft.com/partner-center/find-ids-and-domain-names.";
pub(crate) const CAE_CLAIMS: &str = r#"{"id_token":{"signin_state":{"essential":false},"login_hint":{"essential":false},"tenant_region_sub_scope":{"essential":false}},"access_token":{"xms_cc":{"values":["cp1"]}}}"#;
pub(crate) const ENV_FAILED: &str = "EnvironmentCredential authentication failed. To troubleshoot, visit https://aka.ms/azsdk/js/identity/environmentcredential/troubleshoot.";

pub(crate) fn token_endpoint(tenant: &str) -> String {
    format!("{LOGIN}/{tenant}/oauth2/v2.0/token")
}

/// An Entra token response: `expires_in` seconds from now.
pub(crate) fn aad_body(token: &str, expires_in: u64) -> String {
    format!(
        r#"{{"token_type":"Bearer","expires_in":{expires_in},"ext_expires_in":{expires_in},"access_token":"{token}"}}"#
    )
}

pub(crate) fn aad_token(s: Script, token: &'static str) -> Script {
    s.http(200, &aad_body(token, 3599))
}

/// Queues a token response on a script reused across runs.
pub(crate) fn push_token(s: &mut Script, token: &'static str) {
    s.push(move |_, _| Reply::Http(HttpResponse::new(200, aad_body(token, 3599))));
}

pub(crate) fn secret_cred(extra: Value, pairs: &[(&str, &str)]) -> azcred_core::Credential {
    let mut opts = json!({"tenantId": TENANT, "clientId": CLIENT, "clientSecret": SECRET});
    merge(&mut opts, extra);
    credential("ClientSecretCredential", opts, pairs)
}

pub(crate) fn merge(into: &mut Value, extra: Value) {
    if let (Some(a), Value::Object(b)) = (into.as_object_mut(), extra) {
        a.extend(b);
    }
}

pub(crate) fn build_err(
    kind: &str,
    opts: Value,
    pairs: &[(&str, &str)],
) -> azcred_core::ConfigError {
    azcred_core::Credential::new(kind, &options(opts), &env(pairs), 1).unwrap_err()
}

/// The decoded form fields of a request body, in order.
pub(crate) fn form_of(req: &HttpRequest) -> Vec<(String, String)> {
    decode_pairs(req.body.as_ref().expect("a form body").expose())
}

/// The decoded `name=value` pairs of a form body or query string, in order.
pub(crate) fn decode_pairs(text: &str) -> Vec<(String, String)> {
    text.split('&')
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

pub(crate) fn field(req: &HttpRequest, name: &str) -> Option<String> {
    form_of(req)
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

pub(crate) fn names(req: &HttpRequest) -> Vec<String> {
    form_of(req).into_iter().map(|(k, _)| k).collect()
}

pub(crate) fn request_with(f: impl FnOnce(&mut TokenRequest)) -> TokenRequest {
    let mut r = TokenRequest::new([STORAGE]);
    f(&mut r);
    r
}

pub(crate) fn assert_no_io(run: &Run) {
    assert!(
        run.actions.is_empty(),
        "unexpected IO: {:#?}",
        run.transcript
    );
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

pub(crate) const INVALID_CLIENT: &str = r#"{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided.","error_codes":[7000215],"timestamp":"2023-11-14 22:13:20Z","trace_id":"t-1","correlation_id":"c-1"}"#;

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

pub(crate) const LEAF_DER: &[u8] = b"\x30\x82leaf certificate DER bytes";
pub(crate) const CA_DER: &[u8] = b"\x30\x82issuing CA certificate DER bytes";
pub(crate) const KEY_BODY: &str = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC-KEY-SENTINEL";

pub(crate) fn pem_block(label: &str, b64: &str) -> String {
    format!("-----BEGIN {label}-----\n{b64}\n-----END {label}-----\n")
}

pub(crate) fn cert_pem(key_label: &str) -> String {
    format!(
        "{}{}{}",
        pem_block("CERTIFICATE", &STANDARD.encode(LEAF_DER)),
        pem_block("CERTIFICATE", &STANDARD.encode(CA_DER)),
        pem_block(key_label, KEY_BODY)
    )
}

pub(crate) fn cert_cred(extra: Value, pairs: &[(&str, &str)]) -> azcred_core::Credential {
    let mut opts =
        json!({"tenantId": TENANT, "clientId": CLIENT, "certificatePath": "/etc/app/cert.pem"});
    merge(&mut opts, extra);
    credential("ClientCertificateCredential", opts, pairs)
}

pub(crate) fn file(text: &str) -> Reply {
    Reply::File {
        contents: Secret::new(text),
    }
}

pub(crate) fn signed(sig: &str) -> Reply {
    Reply::Signed {
        signature: sig.to_owned(),
    }
}

pub(crate) fn decode_json(part: &str) -> Value {
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
}

pub(crate) fn assertion_cred(extra: Value) -> azcred_core::Credential {
    let mut opts = json!({"tenantId": TENANT, "clientId": CLIENT, "assertionCallback": true});
    merge(&mut opts, extra);
    credential("ClientAssertionCredential", opts, &[])
}

pub(crate) fn assertion(value: &str) -> Reply {
    Reply::Assertion {
        value: Secret::new(value),
    }
}

pub(crate) const TOKEN_FILE: &str = "/var/run/secrets/azure/tokens/azure-identity-token";
pub(crate) const WI_ENV: &[(&str, &str)] = &[
    ("AZURE_TENANT_ID", TENANT),
    ("AZURE_CLIENT_ID", CLIENT),
    ("AZURE_FEDERATED_TOKEN_FILE", TOKEN_FILE),
];

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
