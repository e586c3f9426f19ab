//! Option and request values as JavaScript passes them (D10, D11): fractions, numeric strings,
//! negative counts, numbers for secrets and huge timeouts are coerced as the reference uses
//! them; a value it cannot use is refused with a message naming the option.

mod support;

use azcred_core::{Action, Credential, MAX_TIMER_MS, Options, TokenRequest};
use serde_json::json;
use support::*;

/// The deadline `az` gets, in ms after the start, with these options.
fn az_deadline_ms(opts: serde_json::Value) -> u64 {
    let mut cred = Credential::new("AzureCliCredential", &options(opts), &env(&[]), 1).unwrap();
    let azcred_core::Begin::Start { mut flow, .. } = cred.begin(TokenRequest::new([STORAGE]), T0)
    else {
        panic!("no flow")
    };
    match flow.poll(T0) {
        azcred_core::Step::Perform {
            action: Action::Run { deadline, .. },
        } => deadline.since(T0).as_millis() as u64,
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_fractional_process_timeout_is_floored() {
    assert_eq!(az_deadline_ms(json!({"processTimeoutInMs": 2500.5})), 2500);
    assert_eq!(az_deadline_ms(json!({"processTimeoutInMs": "2500"})), 2500);
}

#[test]
fn a_process_timeout_past_what_a_timer_holds_is_clamped() {
    for v in [json!(4_294_967_296_u64), json!(1e300), json!(u64::MAX)] {
        assert_eq!(
            az_deadline_ms(json!({"processTimeoutInMs": v})),
            MAX_TIMER_MS,
            "{v}"
        );
    }
}

/// How many attempts a standalone App Service credential makes against a 500 forever.
fn attempts(max_retries: serde_json::Value) -> usize {
    let mut cred = mi(
        json!({"retryOptions": {"maxRetries": max_retries, "retryDelayInMs": 10}}),
        &[
            ("IDENTITY_ENDPOINT", "http://127.0.0.1:41000/msi/token"),
            ("IDENTITY_HEADER", "h"),
        ],
    );
    let mut s = Script::new()
        .otherwise(|_, _| azcred_core::Reply::Http(azcred_core::HttpResponse::new(500, "{}")));
    let run = s.get(&mut cred, STORAGE);
    run.error();
    run.requests().len()
}

#[test]
fn max_retries_as_a_string_a_negative_or_a_fraction_is_read_as_core_rest_pipeline_compares_it() {
    assert_eq!(attempts(json!("3")), 4);
    assert_eq!(attempts(json!(3)), 4);
    assert_eq!(attempts(json!(-1)), 1);
    assert_eq!(attempts(json!(1.5)), 3);
}

#[test]
fn a_numeric_client_secret_is_sent_as_its_string() {
    let mut cred = credential(
        "ClientSecretCredential",
        json!({"tenantId": "72f988bf-86f1-41af-91ab-2d7cd011db47", "clientId": "c",
               "clientSecret": 123}),
        &[],
    );
    let mut s = Script::new().token_for("t", 3600);
    let run = s.get(&mut cred, STORAGE);
    let body = run.requests()[0].body.as_ref().unwrap().expose().to_owned();
    assert!(
        body.split('&').any(|p| p == "client_secret=123"),
        "{}",
        body.len()
    );
}

#[test]
fn a_huge_request_timeout_is_clamped() {
    let req: TokenRequest =
        serde_json::from_value(json!({"scopes": [STORAGE], "timeoutMs": 1e300})).unwrap();
    assert_eq!(req.timeout_ms, Some(MAX_TIMER_MS));
    let req: TokenRequest =
        serde_json::from_value(json!({"scopes": [STORAGE], "timeoutMs": 1500.7})).unwrap();
    assert_eq!(req.timeout_ms, Some(1500));
    let req: TokenRequest =
        serde_json::from_value(json!({"scopes": [STORAGE], "timeoutMs": "800"})).unwrap();
    assert_eq!(req.timeout_ms, Some(800));
}

#[test]
fn a_request_timeout_the_pipeline_would_ignore_is_no_timeout_never_an_error() {
    // core-rest-pipeline sets a timeout only when it is above zero; so does the core, and the
    // default applies.
    for v in [
        json!(-5),
        json!(0),
        json!("abc"),
        json!({}),
        json!(null),
        json!(true),
    ] {
        let req: TokenRequest =
            serde_json::from_value(json!({"scopes": [STORAGE], "timeoutMs": v.clone()})).unwrap();
        assert_eq!(req.timeout_ms, None, "{v}");
    }
}

#[test]
fn a_value_that_cannot_be_used_is_refused_naming_the_option() {
    for (opts, name) in [
        (json!({"processTimeoutInMs": "soon"}), "processTimeoutInMs"),
        (json!({"processTimeoutInMs": -5}), "processTimeoutInMs"),
        (json!({"processTimeoutInMs": {}}), "processTimeoutInMs"),
        (
            json!({"retryOptions": {"maxRetries": "many"}}),
            "retryOptions.maxRetries",
        ),
        (
            json!({"retryOptions": {"retryDelayInMs": [1]}}),
            "retryOptions.retryDelayInMs",
        ),
        (
            json!({"retryOptions": {"maxRetryDelayInMs": true}}),
            "retryOptions.maxRetryDelayInMs",
        ),
        (json!({"clientSecret": {"a": 1}}), "clientSecret"),
    ] {
        let e = serde_json::from_value::<Options>(opts.clone()).unwrap_err();
        assert!(e.to_string().contains(name), "{opts}: {e}");
    }
}
