//! The life of a credential across calls: the token cache and its refresh policy, shared
//! in-flight acquisitions, the sticky chain, and what happens when the driver breaks the
//! `poll`/`handle` contract.

mod support;

use azcred_core::{
    Action, Begin, Credential, ErrorKind, Flow, FlowId, HttpResponse, MAX_LEASES, Misuse,
    ProcessOutput, Reply, Step, Timestamp, TokenRequest,
};
use serde_json::json;
use support::*;

const APP_SERVICE_URL: &str = "http://127.0.0.1:41000/msi/token";
const APP_SERVICE: &[(&str, &str)] = &[
    ("IDENTITY_ENDPOINT", APP_SERVICE_URL),
    ("IDENTITY_HEADER", "hdr-secret"),
];
const VAULT: &str = "https://vault.azure.net/.default";

fn app_service() -> Credential {
    mi(json!({}), APP_SERVICE)
}

fn chain(members: &[&str]) -> Credential {
    credential("ChainedTokenCredential", json!({ "members": members }), &[])
}

fn start(cred: &mut Credential, request: TokenRequest, now: Timestamp) -> (Box<Flow>, bool) {
    match cred.begin(request, now) {
        Begin::Start { flow, serving } => (flow, serving.is_some()),
        other => panic!("expected a new flow, got {other:?}"),
    }
}

fn expect_start(cred: &mut Credential, request: TokenRequest, now: Timestamp) -> Box<Flow> {
    let (flow, serving) = start(cred, request, now);
    assert!(!serving, "a miss serves nothing");
    assert!(!flow.is_background());
    flow
}

fn expect_cached(cred: &mut Credential, request: TokenRequest, now: Timestamp) -> String {
    match cred.begin(request, now) {
        Begin::Cached(t) => t.token.expose().to_owned(),
        other => panic!("expected a cached token at {now:?}, got {other:?}"),
    }
}

/// Caches a one-hour token for storage at `T0` and returns the credential and the script.
fn cached_hour() -> (Credential, Script) {
    let mut cred = app_service();
    let mut s = Script::new().token_for("first", 3600);
    assert_eq!(s.get(&mut cred, STORAGE).token().token.expose(), "first");
    (cred, s)
}

fn req(scope: &str) -> TokenRequest {
    TokenRequest::new([scope])
}

// ---------------------------------------------------------------------------------------------
// Cache
// ---------------------------------------------------------------------------------------------

#[test]
fn a_fresh_token_comes_with_a_lease_and_every_max_leases_th_lease_drops_the_others() {
    let (mut cred, s) = cached_hour();
    // No lease for a request it does not hold a fresh token for.
    assert_eq!(cred.lease(&req(VAULT), s.now), None);
    let first = cred.lease(&req(STORAGE), s.now).expect("a lease");
    assert!(!first.drop_others);
    // The lease ends where the cache would stop serving the token as it is (five minutes
    // before expiry at the latest).
    assert!(first.until <= s.now.plus(std::time::Duration::from_secs(3300)));
    assert!(first.until > s.now);
    let drops: Vec<usize> = (2..=2 * MAX_LEASES + 1)
        .filter(|_| cred.lease(&req(STORAGE), s.now).unwrap().drop_others)
        .collect();
    assert_eq!(drops, [MAX_LEASES + 1, 2 * MAX_LEASES + 1]);
}

#[test]
fn a_second_call_is_served_from_the_cache_without_io() {
    let (mut cred, mut s) = cached_hour();
    s.advance_ms(60_000);
    let run = s.get(&mut cred, STORAGE);
    assert!(run.cached);
    assert_eq!(run.transcript, ["cached"]);
    assert_eq!(run.token().token.expose(), "first");
    assert_eq!(run.token().expires_on, at_ms(3_600_000));
}

#[test]
fn cache_keys_differ_by_scopes_tenant_and_claims_and_by_cae_only_where_it_changes_the_request() {
    let (mut cred, _) = cached_hour();
    let now = at_ms(1000);
    let mut variants = vec![req(VAULT)];
    let mut r = req(STORAGE);
    r.tenant_id = Some("other-tenant".into());
    variants.push(r);
    let mut r = req(STORAGE);
    r.claims = Some(r#"{"access_token":{"nbf":{"essential":true}}}"#.into());
    variants.push(r);
    for r in variants {
        let flow = expect_start(&mut cred, r.clone(), now);
        // Give the flow up so its key is free again.
        let e = cred.finish(*flow, now).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Aborted, "{r:?}");
    }
    // Empty tenant, blank claims and a different timeout are the same key.
    let mut r = req(STORAGE);
    r.tenant_id = Some(String::new());
    r.claims = Some("  ".into());
    r.timeout_ms = Some(5);
    assert_eq!(expect_cached(&mut cred, r, now), "first");
    // CAE does not change a managed-identity request, so it is the same key (an Entra
    // credential keeps them apart: tests/cache_key.rs).
    let mut r = req(STORAGE);
    r.enable_cae = true;
    assert_eq!(expect_cached(&mut cred, r, now), "first");
}

#[test]
fn scope_order_and_duplicates_do_not_change_the_key() {
    let mut cred = chain(&["A"]);
    let mut s = Script::new().delegated_token("multi", at_ms(3_600_000));
    let run = s.run(&mut cred, TokenRequest::new(["a", "b"]));
    assert_eq!(run.token().token.expose(), "multi");
    assert_eq!(
        expect_cached(&mut cred, TokenRequest::new(["b", "a", "b"]), at_ms(1)),
        "multi"
    );
    expect_start(&mut cred, TokenRequest::new(["a"]), at_ms(1));
}

#[test]
fn the_last_five_minutes_are_not_served() {
    let (mut cred, _) = cached_hour();
    let expires = 3_600_000;
    // Just over five minutes left: served (the refresh is due by then, so it runs behind).
    let (flow, serving) = start(&mut cred, req(STORAGE), at_ms(expires - 300_001));
    assert!(serving && flow.is_background());
    cred.finish(*flow, at_ms(expires - 300_001)).unwrap_err();
    // Exactly five minutes left: a plain miss.
    let flow = expect_start(&mut cred, req(STORAGE), at_ms(expires - 300_000));
    cred.finish(*flow, at_ms(expires - 300_000)).unwrap_err();
    // Expired: a miss too.
    let flow = expect_start(&mut cred, req(STORAGE), at_ms(expires + 1));
    drop(flow);
}

#[test]
fn refresh_due_serves_the_cached_token_and_refreshes_in_the_background() {
    let (mut cred, mut s) = cached_hour();
    // A one-hour token without a server refresh time is refreshed ten minutes before expiry.
    let refresh_at = 3_000_000;
    assert_eq!(
        expect_cached(&mut cred, req(STORAGE), at_ms(refresh_at - 1)),
        "first"
    );
    s.now = at_ms(refresh_at);
    let Begin::Start {
        mut flow,
        serving: Some(serving),
    } = cred.begin(req(STORAGE), s.now)
    else {
        panic!("expected a background refresh")
    };
    assert_eq!(serving.token.expose(), "first");
    assert!(flow.is_background());
    // While it runs, other callers get the cached token, not a join.
    assert_eq!(
        expect_cached(&mut cred, req(STORAGE), at_ms(refresh_at + 1)),
        "first"
    );
    s.push(|_, now| {
        let exp = now.as_millis() / 1000 + 3600;
        Reply::Http(HttpResponse::new(200, token_body("second", exp)))
    });
    s.drive(&mut flow);
    let t = cred.finish(*flow, s.now).unwrap();
    assert_eq!(t.token.expose(), "second");
    assert_eq!(
        expect_cached(&mut cred, req(STORAGE), at_ms(refresh_at + 2)),
        "second"
    );
}

#[test]
fn long_lived_tokens_refresh_at_half_life() {
    let mut cred = app_service();
    let mut s = Script::new().token_for("day", 24 * 3600);
    s.get(&mut cred, STORAGE);
    let half = 12 * 3600 * 1000;
    expect_cached(&mut cred, req(STORAGE), at_ms(half - 1));
    let (flow, serving) = start(&mut cred, req(STORAGE), at_ms(half));
    assert!(serving && flow.is_background());
}

#[test]
fn a_failed_background_refresh_keeps_serving_and_backs_off_30_seconds() {
    let (mut cred, mut s) = cached_hour();
    s.now = at_ms(3_000_000);
    let (mut flow, serving) = start(&mut cred, req(STORAGE), s.now);
    assert!(serving);
    s.push(|_, now| {
        // The refresh takes a second and is refused.
        *now = Timestamp::from_millis(now.as_millis() + 1000);
        Reply::Http(HttpResponse::new(400, r#"{"error":"invalid_request"}"#))
    });
    s.drive(&mut flow);
    let failed_at = s.now.as_millis() - T0.as_millis();
    let e = cred.finish(*flow, s.now).unwrap_err();
    assert_eq!(e.kind, ErrorKind::CredentialUnavailable);
    // The valid token is still served, and no refresh starts for 30 s after the failure.
    for dt in [0, 1, 15_000, 29_999] {
        assert_eq!(
            expect_cached(&mut cred, req(STORAGE), at_ms(failed_at + dt)),
            "first",
            "{dt} ms after the failure"
        );
    }
    let (flow, serving) = start(&mut cred, req(STORAGE), at_ms(failed_at + 30_000));
    assert!(serving && flow.is_background());
}

// ---------------------------------------------------------------------------------------------
// Shared in-flight acquisitions
// ---------------------------------------------------------------------------------------------

#[test]
fn concurrent_calls_for_the_same_key_share_one_flow() {
    let mut cred = app_service();
    let mut s = Script::new();
    let mut first = expect_start(&mut cred, req(STORAGE), T0);
    let id = first.id();
    for _ in 0..3 {
        match cred.begin(req(STORAGE), T0) {
            Begin::Join(joined) => assert_eq!(joined, id),
            other => panic!("expected a join, got {other:?}"),
        }
    }
    // Another key is not joined.
    let other = expect_start(&mut cred, req(VAULT), T0);
    assert_ne!(other.id(), id);
    // Once the first finishes, its key is served from the cache.
    s.push(|_, _| Reply::Http(HttpResponse::new(200, token_body("tok", 1_700_003_600))));
    s.drive(&mut first);
    cred.finish(*first, s.now).unwrap();
    assert_eq!(expect_cached(&mut cred, req(STORAGE), s.now), "tok");
    // The other key is still in flight.
    assert!(matches!(cred.begin(req(VAULT), s.now), Begin::Join(i) if i == other.id()));
}

#[test]
fn a_finished_flow_clears_in_flight_so_the_next_miss_starts_anew() {
    let mut cred = app_service();
    let mut s = Script::new();
    let mut flow = expect_start(&mut cred, req(STORAGE), T0);
    let id = flow.id();
    s.push(|_, _| Reply::Http(HttpResponse::new(400, "no")));
    s.drive(&mut flow);
    cred.finish(*flow, s.now).unwrap_err();
    let next = expect_start(&mut cred, req(STORAGE), s.now);
    assert_ne!(next.id(), id);
}

#[test]
fn finishing_an_unfinished_flow_aborts_it_and_clears_in_flight() {
    let mut cred = app_service();
    let mut flow = expect_start(&mut cred, req(STORAGE), T0);
    assert!(matches!(flow.poll(T0), Step::Perform { .. }));
    let e = cred.finish(*flow, T0).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Aborted);
    assert_eq!(e.code, "Aborted");
    expect_start(&mut cred, req(STORAGE), T0);
    // A flow never polled is aborted the same way.
    let mut cred = app_service();
    let flow = expect_start(&mut cred, req(STORAGE), T0);
    assert_eq!(cred.finish(*flow, T0).unwrap_err().kind, ErrorKind::Aborted);
    expect_start(&mut cred, req(STORAGE), T0);
}

#[test]
fn a_flow_from_another_credential_is_refused() {
    let mut a = Credential::new(
        "ManagedIdentityCredential",
        &options(json!({})),
        &env(APP_SERVICE),
        1,
    )
    .unwrap();
    let mut b = Credential::new(
        "ManagedIdentityCredential",
        &options(json!({})),
        &env(APP_SERVICE),
        2,
    )
    .unwrap();
    let mut s = Script::new().token_for("a-token", 3600);
    let mut flow = expect_start(&mut a, req(STORAGE), T0);
    let id = flow.id();
    s.drive(&mut flow);
    let e = b.finish(*flow, s.now).unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidRequest);
    assert_eq!(e.message, "the flow was started by another credential");
    // Neither credential's state changed: b has no token, a still has the flow in flight.
    expect_start(&mut b, req(STORAGE), s.now);
    assert!(matches!(a.begin(req(STORAGE), s.now), Begin::Join(i) if i == id));
}

#[test]
fn a_flow_from_another_credential_with_the_same_seed_is_refused() {
    let mut a = mi(json!({}), APP_SERVICE);
    let mut b = mi(json!({}), APP_SERVICE);
    let mut s = Script::new().token_for("a-token", 3600);
    let mut flow = expect_start(&mut a, req(STORAGE), T0);
    s.drive(&mut flow);
    let r = b.finish(*flow, s.now);
    assert!(r.is_err(), "b accepted a's flow and cached its token");
}

// ---------------------------------------------------------------------------------------------
// Sticky chain
// ---------------------------------------------------------------------------------------------

#[test]
fn default_credential_does_not_probe_again_after_managed_identity_worked() {
    let mut cred = dac(json!({}), &[]);
    let mut s = Script::new().http(400, "").token_for("storage", 3600);
    let run = s.get(&mut cred, STORAGE);
    assert_eq!(run.transcript.len(), 2);
    assert!(run.transcript[0].ends_with("[probe]"));
    assert!(selected(&cred, "ManagedIdentityCredential"));

    s = s.token_for("vault", 3600);
    let run = s.get(&mut cred, VAULT);
    assert_eq!(
        run.transcript,
        [format!(
            "GET {IMDS}?api-version=2018-02-01&resource=https%3A%2F%2Fvault.azure.net"
        )]
    );
    assert_eq!(run.token().token.expose(), "vault");
}

#[test]
fn default_credential_probes_again_while_nothing_has_worked() {
    let mut cred = dac(json!({}), &[]);
    let mut s = Script::new().connect_timeout().tools_absent();
    s.get(&mut cred, STORAGE).error();
    assert!(cred.explain().iter().all(|m| !m.selected));
    let mut s = Script::at(s.now).connect_timeout().tools_absent();
    let run = s.get(&mut cred, STORAGE);
    assert_eq!(run.transcript[0], format!("GET {IMDS} [probe]"));
    assert!(run.transcript[1..].iter().all(|l| l.starts_with("run ")));
}

fn selected(cred: &Credential, name: &str) -> bool {
    cred.explain().iter().any(|m| m.name == name && m.selected)
}

#[test]
fn chained_token_credential_is_not_sticky() {
    let mut cred = chain(&["A", "B"]);
    let mut s = Script::new()
        .delegated_error("CredentialUnavailableError", "a")
        .delegated_token("b", at_ms(3_600_000));
    assert_eq!(
        s.get(&mut cred, "s1").transcript,
        ["delegate 0", "delegate 1"]
    );
    let mut s = s
        .delegated_error("CredentialUnavailableError", "a")
        .delegated_token("b", at_ms(3_600_000));
    assert_eq!(
        s.get(&mut cred, "s2").transcript,
        ["delegate 0", "delegate 1"]
    );
}

// ---------------------------------------------------------------------------------------------
// Driver misuse: always a `Misuse`, never a panic
// ---------------------------------------------------------------------------------------------

fn ran() -> Reply {
    Reply::Ran(ProcessOutput::default())
}

fn ok_response() -> Reply {
    Reply::Http(HttpResponse::new(200, token_body("tok", 1_700_003_600)))
}

#[test]
fn handle_with_no_action_outstanding() {
    let mut cred = app_service();
    let mut flow = expect_start(&mut cred, req(STORAGE), T0);
    // Before the first poll.
    assert_eq!(
        flow.handle(ok_response(), T0),
        Err(Misuse::NoActionOutstanding)
    );
    // Replying twice.
    let mut flow2 = expect_start(&mut cred, req(VAULT), T0);
    assert!(matches!(flow2.poll(T0), Step::Perform { .. }));
    flow2
        .handle(Reply::Http(HttpResponse::new(500, "")), T0)
        .unwrap();
    assert_eq!(
        flow2.handle(Reply::Http(HttpResponse::new(500, "")), T0),
        Err(Misuse::NoActionOutstanding)
    );
    // While waiting out a back-off.
    assert!(matches!(flow2.poll(T0), Step::Wait { .. }));
    assert_eq!(
        flow2.handle(ok_response(), T0),
        Err(Misuse::NoActionOutstanding)
    );
    assert_eq!(Misuse::NoActionOutstanding.code(), "ApiMisuse");
    // The flow can still finish normally.
    assert!(matches!(flow.poll(T0), Step::Perform { .. }));
    flow.handle(ok_response(), T0).unwrap();
    assert!(matches!(flow.poll(T0), Step::Finished));
    assert!(cred.finish(*flow, T0).is_ok());
}

#[test]
fn wrong_reply_kind_is_misuse() {
    let mut cred = app_service();
    let mut flow = expect_start(&mut cred, req(STORAGE), T0);
    assert!(matches!(flow.poll(T0), Step::Perform { .. }));
    for wrong in [
        ran(),
        Reply::File {
            contents: azcred_core::Secret::new("x"),
        },
        Reply::Delegated(azcred_core::DelegateOutcome {
            token: None,
            error: None,
        }),
    ] {
        assert_eq!(flow.handle(wrong, T0), Err(Misuse::WrongReply));
        // The request is asked for again, and the right reply is then accepted.
        let Step::Perform { action } = flow.poll(T0) else {
            panic!("the action is no longer asked for")
        };
        assert!(describe(&action).starts_with(&format!("GET {APP_SERVICE_URL}")));
    }
    flow.handle(ok_response(), T0).unwrap();
    assert!(matches!(flow.poll(T0), Step::Finished));
    assert_eq!(cred.finish(*flow, T0).unwrap().token.expose(), "tok");

    // The probe refuses a process output too.
    let mut cred = dac(json!({}), &[]);
    let mut flow = expect_start(&mut cred, req(STORAGE), T0);
    loop {
        let Step::Perform { action } = flow.poll(T0) else {
            panic!("expected the probe")
        };
        if is_himds_lookup(&action) {
            // No Arc agent on this host.
            let absent = azcred_core::IoFailure::new(azcred_core::IoFailureKind::NotFound, "");
            flow.handle(Reply::Failed(absent), T0).unwrap();
            continue;
        }
        assert!(describe(&action).ends_with("[probe]"));
        assert_eq!(flow.handle(ran(), T0), Err(Misuse::WrongReply));
        break;
    }
    // A delegate refuses an HTTP response.
    let mut cred = chain(&["A"]);
    let mut flow = expect_start(&mut cred, req("s"), T0);
    assert!(matches!(flow.poll(T0), Step::Perform { .. }));
    assert_eq!(flow.handle(ok_response(), T0), Err(Misuse::WrongReply));
}

#[test]
fn a_rejected_reply_leaves_the_same_delegate_outstanding() {
    let mut cred = chain(&["A", "B"]);
    let mut flow = expect_start(&mut cred, req("s"), T0);
    let Step::Perform { action: first } = flow.poll(T0) else {
        panic!()
    };
    assert_eq!(flow.handle(ok_response(), T0), Err(Misuse::WrongReply));
    let Step::Perform { action: again } = flow.poll(T0) else {
        panic!()
    };
    assert_eq!(describe(&again), describe(&first), "member A was skipped");
}

#[test]
fn a_rejected_reply_leaves_the_same_request_outstanding() {
    let mut cred = app_service();
    let mut flow = expect_start(&mut cred, req(STORAGE), T0);
    let Step::Perform { action: first } = flow.poll(T0) else {
        panic!()
    };
    assert_eq!(flow.handle(ran(), at_ms(1000)), Err(Misuse::WrongReply));
    let Step::Perform { action: again } = flow.poll(at_ms(1000)) else {
        panic!()
    };
    assert_eq!(
        serde_json::to_value(&again).unwrap(),
        serde_json::to_value(&first).unwrap()
    );
}

#[test]
fn handle_after_finished_is_misuse() {
    let mut cred = app_service();
    let mut flow = expect_start(&mut cred, req(STORAGE), T0);
    assert!(matches!(flow.poll(T0), Step::Perform { .. }));
    flow.handle(ok_response(), T0).unwrap();
    assert!(matches!(flow.poll(T0), Step::Finished));
    assert!(matches!(flow.poll(T0), Step::Finished), "Finished repeats");
    assert_eq!(flow.handle(ok_response(), T0), Err(Misuse::Finished));
    assert_eq!(flow.handle(ran(), T0), Err(Misuse::Finished));
    assert_eq!(cred.finish(*flow, T0).unwrap().token.expose(), "tok");

    // A flow decided without IO (a bad scope list) refuses replies too.
    let mut flow = expect_start(&mut cred, TokenRequest::new(["a", "b"]), T0);
    assert!(matches!(flow.poll(T0), Step::Finished));
    assert_eq!(flow.handle(ok_response(), T0), Err(Misuse::Finished));
}

#[test]
fn poll_twice_returns_the_same_action() {
    let mut cred = app_service();
    let mut flow = expect_start(&mut cred, req(STORAGE), T0);
    let Step::Perform { action: a } = flow.poll(T0) else {
        panic!()
    };
    let Step::Perform { action: b } = flow.poll(at_ms(5)) else {
        panic!()
    };
    assert_eq!(
        serde_json::to_value(&a).unwrap(),
        serde_json::to_value(&b).unwrap()
    );
    let Action::Http { deadline, .. } = b else {
        panic!()
    };
    assert_eq!(deadline, at_ms(10_000), "the deadline is the first poll's");

    // A wait repeats until its time comes, then the request is asked for.
    flow.handle(
        Reply::Http(HttpResponse::new(503, "").header("Retry-After", "2")),
        at_ms(5),
    )
    .unwrap();
    for t in [5, 6, 2004] {
        assert!(
            matches!(flow.poll(at_ms(t)), Step::Wait { until } if until == at_ms(2005)),
            "at {t}"
        );
    }
    assert!(matches!(flow.poll(at_ms(2005)), Step::Perform { .. }));

    // A delegate repeats too.
    let mut cred = chain(&["A"]);
    let mut flow = expect_start(&mut cred, req("s"), T0);
    let one = describe(&match flow.poll(T0) {
        Step::Perform { action } => action,
        other => panic!("{other:?}"),
    });
    let two = describe(&match flow.poll(T0) {
        Step::Perform { action } => action,
        other => panic!("{other:?}"),
    });
    assert_eq!(one, "delegate 0");
    assert_eq!(one, two);
}

#[test]
fn flow_ids_are_distinct() {
    let mut cred = app_service();
    let ids: Vec<FlowId> = [STORAGE, VAULT, "https://management.azure.com/.default"]
        .into_iter()
        .map(|s| expect_start(&mut cred, req(s), T0).id())
        .collect();
    assert_ne!(ids[0], ids[1]);
    assert_ne!(ids[1], ids[2]);
    assert_ne!(ids[0], ids[2]);
}
