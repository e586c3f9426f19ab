//! `ChainedTokenCredential` over foreign members (`Action::Delegate`): which errors move the
//! chain on, which stop it, and the aggregate error.

mod support;

use azcred_core::{Action, ErrorKind, TokenRequest};
use serde_json::json;
use support::*;

fn abc() -> azcred_core::Credential {
    credential(
        "ChainedTokenCredential",
        json!({"members": ["A", "B", "C"]}),
        &[],
    )
}

const UNAVAILABLE: &str = "CredentialUnavailableError";

#[test]
fn first_unavailable_then_a_token() {
    let mut cred = abc();
    let mut s = Script::new()
        .delegated_error(UNAVAILABLE, "a")
        .delegated_token("from-b", at_ms(3_600_000));
    let run = s.get(&mut cred, "scope");
    assert_eq!(run.transcript, ["delegate 0", "delegate 1"]);
    assert_eq!(run.token().token.expose(), "from-b");
    assert_eq!(run.token().expires_on, at_ms(3_600_000));
}

#[test]
fn the_first_token_wins() {
    let mut cred = abc();
    let mut s = Script::new().delegated_token("from-a", at_ms(3_600_000));
    let run = s.get(&mut cred, "scope");
    assert_eq!(run.transcript, ["delegate 0"]);
    assert_eq!(run.token().token.expose(), "from-a");
}

#[test]
fn authentication_required_moves_on() {
    let mut cred = abc();
    let mut s = Script::new()
        .delegated_error("AuthenticationRequiredError", "sign in")
        .delegated_null()
        .delegated_token("from-c", at_ms(3_600_000));
    let run = s.get(&mut cred, "scope");
    assert_eq!(run.transcript, ["delegate 0", "delegate 1", "delegate 2"]);
    assert_eq!(run.token().token.expose(), "from-c");
}

#[test]
fn other_errors_stop_the_chain_and_name_the_member() {
    for (name, kind) in [
        ("AuthenticationError", ErrorKind::AuthenticationFailed),
        ("TypeError", ErrorKind::InvalidRequest),
        ("Error", ErrorKind::InvalidRequest),
        ("AggregateAuthenticationError", ErrorKind::Aggregate),
        ("AbortError", ErrorKind::Aborted),
    ] {
        let mut cred = abc();
        let mut s = Script::new()
            .delegated_error(UNAVAILABLE, "a")
            .delegated_error(name, "it broke");
        let run = s.get(&mut cred, "scope");
        assert_eq!(run.transcript, ["delegate 0", "delegate 1"], "{name}");
        let e = run.error();
        assert_eq!(e.kind, kind, "{name}");
        assert_eq!(e.name, name, "the foreign error keeps its name");
        assert_eq!(e.message, "it broke");
        assert_eq!(e.delegate_index, Some(1), "{name}");
        assert!(e.errors.is_empty());
    }
}

#[test]
fn all_unavailable_is_an_aggregate_in_order() {
    let mut cred = abc();
    let mut s = Script::new()
        .delegated_error(UNAVAILABLE, "a")
        .delegated_error("AuthenticationRequiredError", "b")
        .delegated_error(UNAVAILABLE, "c");
    let run = s.get(&mut cred, "scope");
    assert_eq!(run.transcript, ["delegate 0", "delegate 1", "delegate 2"]);
    let e = run.error();
    assert_eq!(e.kind, ErrorKind::Aggregate);
    assert_eq!(e.name, "AggregateAuthenticationError");
    assert_eq!(e.code, "AggregateAuthentication");
    assert_eq!(
        e.message,
        "ChainedTokenCredential authentication failed.\nCredentialUnavailableError: a\n\
         AuthenticationRequiredError: b\nCredentialUnavailableError: c"
    );
    let parts: Vec<(&str, &str, Option<usize>)> = e
        .errors
        .iter()
        .map(|e| (e.name.as_str(), e.message.as_str(), e.delegate_index))
        .collect();
    assert_eq!(
        parts,
        [
            (UNAVAILABLE, "a", Some(0)),
            ("AuthenticationRequiredError", "b", Some(1)),
            (UNAVAILABLE, "c", Some(2)),
        ]
    );
    assert_eq!(e.errors[1].kind, ErrorKind::AuthenticationRequired);
    assert_eq!(e.delegate_index, None, "the aggregate itself is the core's");
}

#[test]
fn the_reference_message_for_three_unavailable_members() {
    let mut cred = abc();
    let mut s = Script::new()
        .delegated_error(UNAVAILABLE, "a")
        .delegated_error(UNAVAILABLE, "b")
        .delegated_error(UNAVAILABLE, "c");
    let e = s.get(&mut cred, "scope").result.unwrap_err();
    assert_eq!(
        e.message,
        "ChainedTokenCredential authentication failed.\nCredentialUnavailableError: a\n\
         CredentialUnavailableError: b\nCredentialUnavailableError: c"
    );
    assert_eq!(e.errors.len(), 3);
}

#[test]
fn nulls_add_nothing_to_the_aggregate() {
    let mut cred = abc();
    let mut s = Script::new()
        .delegated_null()
        .delegated_error(UNAVAILABLE, "b")
        .delegated_null();
    let e = s.get(&mut cred, "scope").result.unwrap_err();
    assert_eq!(e.kind, ErrorKind::Aggregate);
    assert_eq!(
        e.message,
        "ChainedTokenCredential authentication failed.\nCredentialUnavailableError: b"
    );
    assert_eq!(e.errors.len(), 1);
}

#[test]
fn all_null_is_unavailable() {
    let mut cred = abc();
    let mut s = Script::new()
        .delegated_null()
        .delegated_null()
        .delegated_null();
    let run = s.get(&mut cred, "scope");
    assert_eq!(run.transcript, ["delegate 0", "delegate 1", "delegate 2"]);
    let e = run.error();
    assert_eq!(e.kind, ErrorKind::CredentialUnavailable);
    assert_eq!(e.name, "CredentialUnavailableError");
    assert_eq!(e.message, "Failed to retrieve a valid token");
}

#[test]
fn the_delegate_action_carries_the_request() {
    let mut cred = abc();
    let mut s = Script::new().delegated_token("t", at_ms(3_600_000));
    let request = TokenRequest {
        scopes: vec!["https://a/.default".into(), "https://b/.default".into()],
        claims: Some(r#"{"access_token":{"xms_cc":{"values":["cp1"]}}}"#.into()),
        tenant_id: Some("tenant-1".into()),
        enable_cae: true,
        timeout_ms: None,
        authenticate: false,
    };
    let run = s.run(&mut cred, request);
    let Action::Delegate {
        index,
        scopes,
        claims,
        tenant_id,
        enable_cae,
    } = &run.actions[0]
    else {
        panic!("{:?}", run.actions[0])
    };
    assert_eq!(*index, 0);
    assert_eq!(scopes, &["https://a/.default", "https://b/.default"]);
    assert_eq!(
        claims.as_deref(),
        Some(r#"{"access_token":{"xms_cc":{"values":["cp1"]}}}"#)
    );
    assert_eq!(tenant_id.as_deref(), Some("tenant-1"));
    assert!(*enable_cae);

    // Without options the fields are empty.
    let mut cred = abc();
    let mut s = Script::new().delegated_token("t", at_ms(3_600_000));
    let run = s.get(&mut cred, "x");
    let Action::Delegate {
        claims,
        tenant_id,
        enable_cae,
        ..
    } = &run.actions[0]
    else {
        panic!()
    };
    assert_eq!((claims, tenant_id, enable_cae), (&None, &None, &false));
}

#[test]
fn later_members_are_asked_with_their_own_index() {
    let mut cred = abc();
    let mut s = Script::new()
        .delegated_null()
        .delegated_null()
        .delegated_token("t", at_ms(3_600_000));
    let run = s.get(&mut cred, "x");
    let indices: Vec<usize> = run
        .actions
        .iter()
        .map(|a| match a {
            Action::Delegate { index, .. } => *index,
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(indices, [0, 1, 2]);
}

#[test]
fn a_chain_token_is_cached() {
    let mut cred = abc();
    let mut s = Script::new().delegated_token("t", at_ms(3_600_000));
    s.get(&mut cred, "x");
    let run = s.get(&mut cred, "x");
    assert!(run.cached);
    assert_eq!(run.token().token.expose(), "t");
}
