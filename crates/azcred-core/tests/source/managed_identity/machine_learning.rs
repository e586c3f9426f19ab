//! Tests of `src/source/managed_identity/machine_learning.rs`: Azure Machine Learning's wire
//! request.

use super::*;

#[test]
fn machine_learning_request() {
    let ml = [("MSI_ENDPOINT", ML_URL), ("MSI_SECRET", "ml-secret")];
    let run = one_token(mi(json!({}), &ml));
    assert_eq!(
        run.transcript,
        [format!(
            "GET {ML_URL}?api-version=2017-09-01&resource={STORAGE_RES}"
        )]
    );
    assert_eq!(
        header_list(&first_request(&run).headers),
        stamped(
            &first_request(&run),
            &[("Metadata", "true"), ("secret", "ml-secret")]
        )
    );
    // System-assigned sends the default identity's client id; a given client id wins.
    let with_default = [
        ("MSI_ENDPOINT", ML_URL),
        ("MSI_SECRET", "ml-secret"),
        ("DEFAULT_IDENTITY_CLIENT_ID", "dflt"),
    ];
    let base = format!("{ML_URL}?api-version=2017-09-01&resource={STORAGE_RES}");
    assert_eq!(
        url_of(json!({}), &with_default),
        format!("{base}&clientid=dflt")
    );
    assert_eq!(
        url_of(json!({"clientId": "given"}), &with_default),
        format!("{base}&clientid=given")
    );
}

#[test]
fn machine_learning_rejects_object_and_resource_ids_at_get_token() {
    let ml = [("MSI_ENDPOINT", ML_URL), ("MSI_SECRET", "ml-secret")];
    for opts in [json!({"objectId": "o"}), json!({"resourceId": RES_ID})] {
        let mut cred = mi(opts, &ml);
        let run = Script::new().get(&mut cred, STORAGE);
        assert!(run.transcript.is_empty(), "{:?}", run.transcript);
        let e = run.error();
        assert_eq!(e.kind, ErrorKind::CredentialUnavailable);
        assert_eq!(
            e.message,
            "ManagedIdentityCredential: Authentication failed. Message Only client id is \
             supported for user-assigned managed identity in MachineLearning."
        );
    }
}
