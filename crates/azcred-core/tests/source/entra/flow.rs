//! Tests of `src/source/entra/flow.rs`: caching and refresh, retries, transport failures, and the
//! local actions that fetch the proof (the assertion callback, the federated token file), as they
//! cross the bindings.

use super::*;

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

#[test]
fn a_file_the_runtime_cannot_read_makes_the_credential_unavailable() {
    // A browser or a Worker has no files: the web build answers `Unsupported`, and a chain moves
    // on from a credential that cannot work there.
    let mut cred = credential("WorkloadIdentityCredential", json!({}), WI_ENV);
    let run = Script::new()
        .fail(
            IoFailureKind::Unsupported,
            "workerd cannot read files (such as /var/run/token)",
        )
        .get(&mut cred, STORAGE);
    assert_eq!(run.error().kind, ErrorKind::CredentialUnavailable);
    assert_eq!(
        run.error().message,
        "WorkloadIdentityCredential: workerd cannot read files (such as /var/run/token)"
    );
    assert_eq!(run.requests().len(), 0);
}
