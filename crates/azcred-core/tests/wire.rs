//! The typed surface the bindings wrap: nothing the driver sends can wedge a credential. An
//! unreadable reply fails that flow's action (a chain member's unusable token moves the chain
//! on), and any flow can be finished at any point, so the core never keeps a flow in flight that
//! the driver has given up on.

mod support;

use azcred_core::wire::{BeginOut, WireCredential};
use azcred_core::{EnvSnapshot, Options, Reply, Step, Timestamp, TokenRequest};
use serde_json::{Value, json};
use support::*;

fn chain_of_two() -> WireCredential {
    let options: Options =
        serde_json::from_value(json!({"members": ["Broken", "Working"]})).unwrap();
    WireCredential::new(
        "ChainedTokenCredential",
        &options,
        &EnvSnapshot::default(),
        1.0,
        None,
    )
    .unwrap()
}

/// A delegate reply decoded as a binding decodes a JS object.
fn delegated(token: Value) -> Result<Reply, String> {
    serde_json::from_value::<Reply>(json!({"type": "delegated", "token": token}))
        .map_err(|e| e.to_string())
}

fn perform_index(step: Step) -> usize {
    match step {
        Step::Perform {
            action: azcred_core::Action::Delegate { index, .. },
        } => index,
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_member_whose_token_expiry_is_not_a_time_is_skipped_and_the_next_member_answers() {
    for bad in [
        json!(f64::MAX),
        json!(1e20),
        json!(-5),
        json!("soon"),
        json!(null),
    ] {
        let mut cred = chain_of_two();
        let (_, flow) = cred.begin(TokenRequest::new([STORAGE]), 0.0);
        let mut flow = flow.unwrap();
        assert_eq!(perform_index(flow.poll(0.0).unwrap()), 0);
        flow.handle(
            delegated(json!({"token": "t0", "expiresOnTimestamp": bad})),
            0.0,
        )
        .unwrap();
        assert_eq!(
            perform_index(flow.poll(0.0).unwrap()),
            1,
            "the chain moved on for {bad}"
        );
        flow.handle(
            delegated(json!({"token": "t1", "expiresOnTimestamp": 3_600_000.5})),
            0.0,
        )
        .unwrap();
        assert!(matches!(flow.poll(0.0).unwrap(), Step::Finished));
        let out = cred.finish(&mut flow, 0.0).unwrap();
        assert!(out.ok, "{bad}: {:?}", out.error);
        let token = out.token.unwrap();
        assert_eq!(token.token.expose(), "t1");
        assert_eq!(
            token.expires_on,
            Timestamp::from_millis(3_600_000),
            "a fraction of a ms is dropped"
        );
    }
}

#[test]
fn a_flow_ended_early_ends_as_aborted_and_the_next_call_starts_afresh() {
    let mut cred = mi_wire();
    let (_, flow) = cred.begin(TokenRequest::new([STORAGE]), 0.0);
    let mut flow = flow.unwrap();
    flow.poll(0.0).unwrap();
    // The driver gives up (an exception on its side) and ends the flow at once.
    let out = cred.finish(&mut flow, 1.0).unwrap();
    assert!(!out.ok);
    assert_eq!(out.error.unwrap().code, "Aborted");
    // Not wedged: the same request starts a new flow rather than joining a dead one.
    let (begun, again) = cred.begin(TokenRequest::new([STORAGE]), 2.0);
    assert!(matches!(begun, BeginOut::Start { .. }), "{begun:?}");
    assert!(again.is_some());
    // A flow cannot be ended twice, nor used once ended.
    let e = cred.finish(&mut flow, 3.0).unwrap_err();
    assert_eq!(e.code, "ApiMisuse");
    assert_eq!(flow.poll(3.0).unwrap_err().code, "ApiMisuse");
}

#[test]
fn times_from_the_driver_lose_fractions_and_refuse_what_is_not_a_date() {
    let t = |v: Value| serde_json::from_value::<Timestamp>(v).map(Timestamp::as_millis);
    assert_eq!(t(json!(1_700_000_000_000_u64)).unwrap(), 1_700_000_000_000);
    assert_eq!(t(json!(1_700_000_000_000.9)).unwrap(), 1_700_000_000_000);
    assert_eq!(
        t(json!(azcred_core::MAX_DATE_MS)).unwrap(),
        azcred_core::MAX_DATE_MS
    );
    for bad in [
        json!(azcred_core::MAX_DATE_MS + 1),
        json!(1e300),
        json!(-1),
        json!(-0.5),
        json!("1"),
    ] {
        assert!(t(bad.clone()).is_err(), "{bad}");
    }
    // Written back as an integer, which every binding makes a JS number.
    assert_eq!(
        serde_json::to_string(&Timestamp::from_millis(1_700_000_000_000)).unwrap(),
        "1700000000000"
    );
}

fn mi_wire() -> WireCredential {
    let env = env(&[
        ("IDENTITY_ENDPOINT", "http://127.0.0.1:4000/msi/token"),
        ("IDENTITY_HEADER", "h"),
    ]);
    WireCredential::new(
        "ManagedIdentityCredential",
        &options(json!({})),
        &env,
        1.0,
        None,
    )
    .unwrap()
}

#[test]
fn bodies_handed_over_as_bytes_are_read_as_utf8_with_invalid_sequences_replaced() {
    use azcred_core::wire::Tree;
    use serde::Deserialize;
    use serde::de::value::{BytesDeserializer, Error};
    let tree = Tree::deserialize(BytesDeserializer::<Error>::new(b"{\"a\":1} \xff\xfe")).unwrap();
    assert_eq!(tree.0, json!("{\"a\":1} \u{FFFD}\u{FFFD}"));
    // Everything else is the JSON tree serde_json reads.
    let text =
        r#"{"type":"http","status":200,"headers":{"a":["1","2"]},"body":"x","n":1.5,"z":null}"#;
    let tree: Tree = serde_json::from_str(text).unwrap();
    assert_eq!(tree.0, serde_json::from_str::<Value>(text).unwrap());
    // And a reply whose body came as bytes decodes to the response it names.
    let mut v = tree.0;
    v["body"] = Tree::deserialize(BytesDeserializer::<Error>::new(b"ok"))
        .unwrap()
        .0;
    let reply: Reply = azcred_core::wire::decode(v).unwrap();
    assert!(matches!(reply, Reply::Http(r) if r.body == "ok"));
}

#[test]
fn a_request_body_is_handed_over_as_bytes() {
    let mut cred = credential(
        "ClientSecretCredential",
        json!({"tenantId": "t", "clientId": "c", "clientSecret": "s"}),
        &[],
    );
    let azcred_core::Begin::Start { mut flow, .. } = cred.begin(TokenRequest::new([STORAGE]), T0)
    else {
        panic!("a flow");
    };
    let Step::Perform { action } = flow.poll(T0) else {
        panic!("a request");
    };
    let v = serde_json::to_value(&action).unwrap();
    let bytes: Vec<u8> = serde_json::from_value(v["request"]["body"].clone()).expect("bytes");
    assert!(
        String::from_utf8(bytes)
            .unwrap()
            .contains("grant_type=client_credentials")
    );
}
