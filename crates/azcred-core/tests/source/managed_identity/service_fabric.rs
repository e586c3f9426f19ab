//! Tests of `src/source/managed_identity/service_fabric.rs`: Service Fabric's wire request.

use super::*;

#[test]
fn service_fabric_request_sends_secret_and_pins_thumbprint() {
    let env = [
        ("IDENTITY_ENDPOINT", SF_URL),
        ("IDENTITY_HEADER", "sf-secret"),
        ("IDENTITY_SERVER_THUMBPRINT", "abcdef0123456789"),
    ];
    let run = one_token(mi(json!({}), &env));
    assert_eq!(
        run.transcript,
        [format!(
            "GET {SF_URL}?api-version=2019-07-01-preview&resource={STORAGE_RES}"
        )]
    );
    let req = first_request(&run);
    assert_eq!(
        header_list(&req.headers),
        stamped(&req, &[("secret", "sf-secret")])
    );
    assert_eq!(req.pinned_thumbprint.as_deref(), Some("ABCDEF0123456789"));
    assert!(!req.allow_proxy);
}
