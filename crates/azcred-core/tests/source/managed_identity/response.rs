//! Tests of `src/source/managed_identity/response.rs` and the token answer: what becomes of each
//! kind of response.

use super::*;

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
