//! Tests of `src/source/managed_identity/app_service.rs`: App Service's wire request.

use super::*;

#[test]
fn app_service_system_assigned_request() {
    let run = one_token(mi(json!({}), APP_SERVICE));
    assert_eq!(
        run.transcript,
        [format!(
            "GET {APP_SERVICE_URL}?api-version=2019-08-01&resource={STORAGE_RES}"
        )]
    );
    let (req, deadline, connect) = http(&run.actions[0]);
    assert_eq!(req.method, Method::Get);
    assert_eq!(
        header_list(&req.headers),
        stamped(req, &[("X-IDENTITY-HEADER", "hdr-secret")])
    );
    assert!(req.body.is_none());
    assert!(
        !req.allow_proxy,
        "managed identity endpoints are reached directly"
    );
    assert_eq!(req.pinned_thumbprint, None);
    assert_eq!(deadline, at_ms(10_000), "each attempt has a 10 s deadline");
    assert_eq!(connect, None);
}

#[test]
fn app_service_user_assigned_ids() {
    let base = format!("{APP_SERVICE_URL}?api-version=2019-08-01&resource={STORAGE_RES}");
    assert_eq!(
        url_of(json!({"clientId": "cid-1"}), APP_SERVICE),
        format!("{base}&client_id=cid-1")
    );
    assert_eq!(
        url_of(json!({"objectId": "oid-1"}), APP_SERVICE),
        format!("{base}&object_id=oid-1")
    );
    assert_eq!(
        url_of(json!({"resourceId": RES_ID}), APP_SERVICE),
        format!("{base}&mi_res_id={RES_ID_ENC}")
    );
}

#[test]
fn endpoint_with_a_query_gets_an_ampersand() {
    let url = url_of(
        json!({}),
        &[
            ("IDENTITY_ENDPOINT", "http://127.0.0.1:41000/msi/token?x=1"),
            ("IDENTITY_HEADER", "h"),
        ],
    );
    assert_eq!(
        url,
        format!(
            "http://127.0.0.1:41000/msi/token?x=1&api-version=2019-08-01&resource={STORAGE_RES}"
        )
    );
}
