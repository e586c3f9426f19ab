//! Secrets an endpoint echoes back in an error, in whatever encoding it was sent: the Azure Arc
//! key (D4), and secrets with `+ / = ! " \` and spaces echoed form-encoded, JSON-escaped or as
//! base64 (D7). The sentinel must never reach a message, a `Debug` or the serialized error.

mod support;

use azcred_core::{HttpResponse, Reply, Secret, TokenError};
use base64::Engine;
use serde_json::json;
use support::*;

/// A secret with every character that changes under some encoding.
const SENTINEL: &str = "S3NT1NEL+/=!\"\\ x~é";
/// The part that must not survive in any encoding.
const CORE: &str = "S3NT1NEL";

#[track_caller]
fn clean(e: &TokenError) {
    for text in [
        e.to_string(),
        format!("{e:?}"),
        serde_json::to_string(e).unwrap(),
    ] {
        assert!(!text.contains(CORE), "the secret shows:\n{text}");
    }
}

/// Every way an endpoint may quote the secret back.
fn echoes(secret: &str) -> Vec<String> {
    let form = form_encode(secret);
    let json = serde_json::to_string(secret).unwrap();
    let json = &json[1..json.len() - 1];
    vec![
        secret.to_owned(),
        form.clone(),
        form.replace("%20", "+"),
        form.to_lowercase(),
        json.to_owned(),
        json.replace('/', "\\/"),
        base64::engine::general_purpose::STANDARD.encode(secret),
        base64::engine::general_purpose::STANDARD.encode(format!("user:{secret}")),
    ]
}

/// `encodeURIComponent`, as the core and any JS endpoint encode a form value.
fn form_encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~!*'()".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Bodies that put `echo` where it shows: in an OAuth description, a message and plain HTML.
fn bodies(echo: &str) -> Vec<String> {
    vec![
        json!({"error": "invalid_request", "error_description": format!("bad {echo}")}).to_string(),
        format!(r#"{{"message":"got {echo}"}}"#),
        format!("<html>{echo}</html>"),
    ]
}

const ARC_ENV: &[(&str, &str)] = &[
    (
        "IDENTITY_ENDPOINT",
        "http://localhost:40342/metadata/identity/oauth2/token",
    ),
    ("IMDS_ENDPOINT", "http://localhost:40342"),
];

#[test]
fn the_azure_arc_key_is_redacted_when_the_endpoint_echoes_it_in_an_error() {
    // The key is sent as `Authorization: Basic <key>`; keys are base64 text, so it can hold
    // `+ / =`.
    let key = "S3NT1NELa+b/c==";
    for echo in echoes(key) {
        for body in bodies(&echo)
            .into_iter()
            .chain([format!("Authorization: Basic {echo}")])
        {
            for status in [400, 403, 500] {
                let mut cred = mi(json!({"retryOptions": {"maxRetries": 0}}), ARC_ENV);
                let mut s = Script::new()
                    .reply(Reply::Http(HttpResponse::new(401, "").header(
                        "WWW-Authenticate",
                        "Basic realm=/var/opt/azcmagent/tokens/abc.key",
                    )))
                    .reply(Reply::File {
                        contents: Secret::new(format!("{key}\n")),
                    })
                    .http(status, &body);
                let run = s.get(&mut cred, STORAGE);
                clean(run.error());
            }
        }
    }
}

#[test]
fn an_app_service_header_secret_is_redacted_in_every_encoding() {
    for echo in echoes(SENTINEL) {
        for body in bodies(&echo) {
            let mut cred = mi(
                json!({"retryOptions": {"maxRetries": 0}}),
                &[
                    ("IDENTITY_ENDPOINT", "http://127.0.0.1:41000/msi/token"),
                    ("IDENTITY_HEADER", SENTINEL),
                ],
            );
            let mut s = Script::new().http(400, &body);
            clean(s.get(&mut cred, STORAGE).error());
        }
    }
}

#[test]
fn a_client_secret_is_redacted_when_echoed_form_encoded_or_json_escaped() {
    for echo in echoes(SENTINEL) {
        for body in bodies(&echo) {
            let mut cred = credential(
                "ClientSecretCredential",
                json!({"tenantId": "72f988bf-86f1-41af-91ab-2d7cd011db47", "clientId": "c",
                       "clientSecret": SENTINEL, "retryOptions": {"maxRetries": 0}}),
                &[],
            );
            let mut s = Script::new().http(400, &body);
            clean(s.get(&mut cred, STORAGE).error());
        }
    }
}

#[test]
fn a_proxy_password_is_redacted_when_a_transport_failure_quotes_it() {
    let b64 = base64::engine::general_purpose::STANDARD.encode("u:S3NT1NEL+/=");
    for message in [
        "proxy refused password S3NT1NEL+/=".to_owned(),
        format!("407 for Basic {b64}"),
        "bad url http://u:S3NT1NEL%2B%2F%3D@proxy.example:3128".to_owned(),
    ] {
        let mut cred = credential(
            "ClientSecretCredential",
            json!({"tenantId": "72f988bf-86f1-41af-91ab-2d7cd011db47", "clientId": "c",
                   "clientSecret": "not-the-sentinel", "retryOptions": {"maxRetries": 0},
                   "proxyOptions": {"host": "http://proxy.example", "port": 3128,
                                    "username": "u", "password": "S3NT1NEL+/="}}),
            &[],
        );
        let mut s = Script::new().fail(azcred_core::IoFailureKind::Other, &message);
        clean(s.get(&mut cred, STORAGE).error());
    }
}
