//! Tests of `src/source/managed_identity/flow.rs`: scopes, retries, and transport failures.

use super::*;

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
