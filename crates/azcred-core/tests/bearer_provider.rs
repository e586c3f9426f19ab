//! `getBearerTokenProvider`: the credential it wraps is asked once while its token is fresh, in
//! the background during the token's last two minutes (or once `refreshAfterTimestamp` has
//! passed), and the caller waits only in the last second, as core-rest-pipeline's bearer-token
//! policy does.

mod support;

use azcred_core::{Action, Credential, Reply, TokenRequest};
use serde_json::json;
use support::*;

const MINUTE: u64 = 60_000;

fn provider() -> Credential {
    credential(
        "BearerTokenProvider",
        json!({"members": ["AppCredential"]}),
        &[],
    )
}

/// What the provider asks of the wrapped credential: scopes as an array and CAE on.
fn cae(scope: &str) -> TokenRequest {
    let mut r = TokenRequest::new([scope]);
    r.enable_cae = true;
    r
}

#[test]
fn the_wrapped_credential_is_asked_with_the_scopes_and_cae() {
    let mut p = provider();
    let run = Script::new()
        .delegated_token("t1", at_ms(60 * MINUTE))
        .run(&mut p, cae(STORAGE));
    let Action::Delegate {
        index,
        scopes,
        enable_cae,
        ..
    } = &run.actions[0]
    else {
        panic!("{:?}", run.actions)
    };
    assert_eq!(
        (*index, scopes.as_slice(), *enable_cae),
        (0, [STORAGE.to_owned()].as_slice(), true)
    );
}

#[test]
fn a_fresh_token_is_reused_until_its_last_two_minutes() {
    let mut p = provider();
    let mut s = Script::new().delegated_token("t1", at_ms(60 * MINUTE));
    assert_eq!(s.run(&mut p, cae(STORAGE)).token().token.expose(), "t1");
    // Well inside the credential's own five-minute margin, the provider still serves it.
    s.now = at_ms(57 * MINUTE);
    let run = s.run(&mut p, cae(STORAGE));
    assert!(
        run.cached,
        "57 min into a 60 min token: {:?}",
        run.transcript
    );
}

#[test]
fn the_last_two_minutes_refresh_in_the_background_and_the_old_token_is_served() {
    let mut p = provider();
    let mut s = Script::new().delegated_token("t1", at_ms(60 * MINUTE));
    s.run(&mut p, cae(STORAGE));
    s.now = at_ms(58 * MINUTE + 1);
    s.push(|_, _| {
        Reply::Delegated(azcred_core::DelegateOutcome {
            token: Some(azcred_core::AccessToken::bearer(
                azcred_core::Secret::new("t2"),
                at_ms(120 * MINUTE),
                None,
            )),
            error: None,
        })
    });
    let run = s.run(&mut p, cae(STORAGE));
    assert_eq!(run.serving.as_ref().map(|t| t.token.expose()), Some("t1"));
    assert_eq!(
        run.token().token.expose(),
        "t2",
        "the refresh got the new one"
    );
    s.now = at_ms(59 * MINUTE);
    assert_eq!(s.run(&mut p, cae(STORAGE)).token().token.expose(), "t2");
}

#[test]
fn refresh_after_starts_the_background_refresh_earlier() {
    let mut p = provider();
    let mut s = Script::new().with(|_, _| {
        Reply::Delegated(azcred_core::DelegateOutcome {
            token: Some(azcred_core::AccessToken::bearer(
                azcred_core::Secret::new("t1"),
                at_ms(60 * MINUTE),
                Some(at_ms(30 * MINUTE)),
            )),
            error: None,
        })
    });
    s.run(&mut p, cae(STORAGE));
    s.now = at_ms(29 * MINUTE);
    assert!(s.run(&mut p, cae(STORAGE)).cached);
    s.now = at_ms(30 * MINUTE);
    let mut s = s.delegated_token("t2", at_ms(90 * MINUTE));
    let run = s.run(&mut p, cae(STORAGE));
    assert_eq!(run.serving.as_ref().map(|t| t.token.expose()), Some("t1"));
}

#[test]
fn a_failed_background_refresh_is_retried_after_three_seconds_and_the_caller_waits_only_in_the_last_second()
 {
    let mut p = provider();
    let mut s = Script::new().delegated_token("t1", at_ms(60 * MINUTE));
    s.run(&mut p, cae(STORAGE));
    s.now = at_ms(58 * MINUTE + 1);
    let mut s = s.delegated_error("Error", "network down");
    let run = s.run(&mut p, cae(STORAGE));
    assert_eq!(run.serving.as_ref().map(|t| t.token.expose()), Some("t1"));
    assert!(run.result.is_err());
    // Within the retry interval the old token is served without asking.
    s.advance_ms(2_000);
    assert!(s.run(&mut p, cae(STORAGE)).cached);
    // After it, another background refresh.
    s.advance_ms(1_000);
    let mut s = s.delegated_error("Error", "still down");
    assert!(s.run(&mut p, cae(STORAGE)).serving.is_some());
    // In the last second the caller waits for a new token.
    s.now = at_ms(60 * MINUTE - 999);
    let mut s = s.delegated_token("t3", at_ms(120 * MINUTE));
    let run = s.run(&mut p, cae(STORAGE));
    assert!(
        run.serving.is_none(),
        "no old token is handed out in the last second"
    );
    assert_eq!(run.token().token.expose(), "t3");
}
