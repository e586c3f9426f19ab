//! Tests of `src/source/entra/response.rs`: Entra's error answers in MSAL's shape, with the secrets
//! the flow sent redacted.

use super::*;

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
