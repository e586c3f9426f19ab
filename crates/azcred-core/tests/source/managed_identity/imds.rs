//! Tests of `src/source/managed_identity/imds.rs`: IMDS's wire request and address overrides, and
//! DefaultAzureCredential's IMDS probe.

use super::*;

#[test]
fn imds_system_assigned_request_has_metadata_header_and_no_probe_when_standalone() {
    let run = one_token(mi(json!({}), &[]));
    assert_eq!(
        run.transcript,
        [format!(
            "GET {IMDS}?api-version=2018-02-01&resource={STORAGE_RES}"
        )]
    );
    let (req, deadline, connect) = http(&run.actions[0]);
    assert_eq!(
        header_list(&req.headers),
        stamped(req, &[("Metadata", "true")])
    );
    assert!(req.body.is_none());
    assert!(!req.allow_proxy);
    assert_eq!(deadline, at_ms(10_000));
    assert_eq!(connect, None);
}

#[test]
fn imds_user_assigned_ids() {
    let base = format!("{IMDS}?api-version=2018-02-01&resource={STORAGE_RES}");
    assert_eq!(
        url_of(json!({"clientId": "cid-2"}), &[]),
        format!("{base}&client_id=cid-2")
    );
    assert_eq!(
        url_of(json!({"objectId": "oid-2"}), &[]),
        format!("{base}&object_id=oid-2")
    );
    assert_eq!(
        url_of(json!({"resourceId": RES_ID}), &[]),
        format!("{base}&msi_res_id={RES_ID_ENC}")
    );
}

#[test]
fn azcred_imds_endpoint_overrides_the_address_and_keeps_the_probe() {
    let env = [("AZCRED_IMDS_ENDPOINT", "http://127.0.0.1:4000/")];
    let url = url_of(json!({}), &env);
    assert_eq!(
        url,
        format!(
            "http://127.0.0.1:4000/metadata/identity/oauth2/token?api-version=2018-02-01\
             &resource={STORAGE_RES}"
        )
    );
    // DefaultAzureCredential still probes the overridden address first.
    let mut cred = dac(json!({}), &env);
    let mut s = Script::new().http(400, "{}").token_for("tok", 3600);
    let run = s.get(&mut cred, STORAGE);
    assert_eq!(
        run.transcript,
        [
            "GET http://127.0.0.1:4000/metadata/identity/oauth2/token [probe]".to_owned(),
            format!("GET {url}"),
        ]
    );
}

#[test]
fn pod_identity_host_is_lower_cased_with_a_trailing_slash_and_not_probed() {
    let env = [("AZURE_POD_IDENTITY_AUTHORITY_HOST", "http://LocalHost:8080")];
    let want = format!(
        "GET http://localhost:8080/metadata/identity/oauth2/token/?api-version=2018-02-01\
         &resource={STORAGE_RES}"
    );
    let mut cred = dac(json!({}), &env);
    let mut s = Script::new().token_for("tok", 3600);
    let run = s.get(&mut cred, STORAGE);
    assert_eq!(run.transcript, std::slice::from_ref(&want));
    assert_eq!(
        header_list(&run.requests()[0].headers),
        stamped(run.requests()[0], &[("Metadata", "true")])
    );
    // A trailing slash on the host does not double the slash before the path.
    let env = [(
        "AZURE_POD_IDENTITY_AUTHORITY_HOST",
        "http://LocalHost:8080/",
    )];
    assert_eq!(format!("GET {}", url_of(json!({}), &env)), want);
}

#[test]
fn probe_request_shape_and_deadlines() {
    let mut cred = dac(json!({}), &[]);
    let mut s = Script::new().http(400, "").token_for("tok", 3600);
    let run = s.get(&mut cred, STORAGE);
    assert_eq!(
        run.transcript,
        [
            format!("GET {IMDS} [probe]"),
            format!("GET {IMDS}?api-version=2018-02-01&resource={STORAGE_RES}"),
        ]
    );
    let (probe, deadline, connect) = http(&run.actions[0]);
    assert_eq!(probe.url, IMDS, "no query string");
    assert_eq!(
        header_list(&probe.headers),
        stamped(probe, &[("Accept", "application/json")]),
        "no Metadata header"
    );
    assert!(probe.body.is_none());
    assert_eq!(deadline, at_ms(1000), "1 s default deadline");
    let connect = connect.expect("the probe has a connect deadline");
    assert!(connect > T0 && connect < deadline, "{connect:?}");
    // The token request itself carries Metadata and no connect deadline.
    let (req, _, connect) = http(&run.actions[1]);
    assert_eq!(
        header_list(&req.headers),
        stamped(req, &[("Metadata", "true")])
    );
    assert_eq!(connect, None);
}

#[test]
fn probe_timeout_follows_request_timeout() {
    for (timeout, want) in [(5000, 5000), (100, 100)] {
        let mut cred = dac(json!({}), &[]);
        let mut s = Script::new().http(400, "").token_for("tok", 3600);
        let mut req = TokenRequest::new([STORAGE]);
        req.timeout_ms = Some(timeout);
        let run = s.run(&mut cred, req);
        let (_, deadline, connect) = http(&run.actions[0]);
        assert_eq!(deadline, at_ms(want));
        let connect = connect.unwrap();
        assert!(connect <= deadline && connect > T0, "{connect:?}");
    }
}

#[test]
fn probe_any_http_status_means_available() {
    for (status, body) in [
        (200, ""),
        (400, r#"{"error":"invalid_request"}"#),
        (401, ""),
        (403, "Forbidden"),
        (404, "not found"),
        (500, "boom"),
        (503, ""),
    ] {
        let mut cred = dac(json!({}), &[]);
        let mut s = Script::new().http(status, body).token_for("tok", 3600);
        let run = s.get(&mut cred, STORAGE);
        assert_eq!(
            run.transcript.len(),
            2,
            "status {status}: {:?}",
            run.transcript
        );
        assert_eq!(run.token().token.expose(), "tok");
    }
}

fn assert_probe_unavailable(run: &Run) {
    // The probe, then the developer tools (absent here); no token request.
    assert_eq!(run.transcript[0], format!("GET {IMDS} [probe]"));
    assert!(
        run.transcript[1..].iter().all(|l| l.starts_with("run ")),
        "{:?}",
        run.transcript
    );
    let e = run.error();
    assert_eq!(e.kind, ErrorKind::Aggregate);
    assert_eq!(e.code, "AggregateAuthentication");
    assert_eq!(e.name, "AggregateAuthenticationError");
    assert!(
        e.message
            .starts_with("ChainedTokenCredential authentication failed.\n")
    );
    assert!(
        e.message
            .lines()
            .any(|l| l == format!("CredentialUnavailableError: {PROBE_UNAVAILABLE}")),
        "{}",
        e.message
    );
    let mi = e
        .errors
        .iter()
        .find(|x| x.credential.as_deref() == Some("ManagedIdentityCredential"))
        .expect("a managed identity entry");
    assert_eq!(mi.kind, ErrorKind::CredentialUnavailable);
    assert_eq!(mi.name, "CredentialUnavailableError");
    assert_eq!(mi.message, PROBE_UNAVAILABLE);
}

#[test]
fn probe_403_unreachable_means_unavailable() {
    let mut cred = dac(json!({}), &[]);
    let mut s = Script::new()
        .http(
            403,
            "A socket operation was attempted to an unreachable network.",
        )
        .tools_absent();
    assert_probe_unavailable(&s.get(&mut cred, STORAGE));
}

#[test]
fn probe_connect_timeout_is_unavailable_and_fast() {
    let mut cred = dac(json!({}), &[]);
    let mut s = Script::new().connect_timeout().tools_absent();
    let run = s.get(&mut cred, STORAGE);
    assert_probe_unavailable(&run);
    assert!(
        s.now < at_ms(1000),
        "gave up at the connect deadline, before the whole deadline: {:?}",
        s.now
    );
}

#[test]
fn probe_transport_failures_are_unavailable() {
    for kind in [
        IoFailureKind::Refused,
        IoFailureKind::TimedOut,
        IoFailureKind::Unreachable,
        IoFailureKind::Reset,
        IoFailureKind::Other,
    ] {
        let mut cred = dac(json!({}), &[]);
        let mut s = Script::new().fail(kind, "nope").tools_absent();
        assert_probe_unavailable(&s.get(&mut cred, STORAGE));
    }
}

#[test]
fn probe_abort_is_aborted() {
    let mut cred = dac(json!({}), &[]);
    let mut s = Script::new().fail(IoFailureKind::Aborted, "aborted");
    let run = s.get(&mut cred, STORAGE);
    let e = run.error();
    assert_eq!(e.kind, ErrorKind::Aborted);
    assert_eq!(e.name, "AbortError");
}

#[test]
fn imds_refusing_connections_is_final_but_app_service_is_retried() {
    let mut cred = mi(
        json!({}),
        &[("AZURE_POD_IDENTITY_AUTHORITY_HOST", "http://127.0.0.1:9")],
    );
    let mut s = Script::new().fail(IoFailureKind::Refused, "connect ECONNREFUSED 127.0.0.1:9");
    let run = s.get(&mut cred, STORAGE);
    assert_eq!(run.transcript.len(), 1, "no retry: {:?}", run.transcript);
    assert_eq!(run.error().kind, ErrorKind::CredentialUnavailable);
    assert!(run.error().message.contains("IMDS refused the connection"));

    let mut cred = mi(json!({}), APP_SERVICE);
    let mut s = Script::new()
        .fail(IoFailureKind::Refused, "connect ECONNREFUSED")
        .token_for("tok", 3600);
    let run = s.get(&mut cred, STORAGE);
    assert_eq!(run.token().token.expose(), "tok");
    assert_eq!(run.waits().len(), 1);
}

#[test]
fn a_zero_probe_timeout_means_the_default() {
    let mut cred = dac(json!({}), &[]);
    let mut req = TokenRequest::new([STORAGE]);
    req.timeout_ms = Some(0);
    let mut s = Script::new().http(400, "").token_for("t", 3600);
    let run = s.run(&mut cred, req);
    let (_, deadline, _) = http(&run.actions[0]);
    assert_eq!(deadline, at_ms(1000));
}
