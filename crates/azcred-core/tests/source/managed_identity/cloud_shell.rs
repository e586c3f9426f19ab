//! Tests of `src/source/managed_identity/cloud_shell.rs`: Cloud Shell's wire request.

use super::*;

#[test]
fn cloud_shell_posts_a_form_body() {
    let url = "http://localhost:50342/oauth2/token";
    let run = one_token(mi(json!({}), &[("MSI_ENDPOINT", url)]));
    assert_eq!(run.transcript, [format!("POST {url}")]);
    let req = first_request(&run);
    assert_eq!(req.method, Method::Post);
    assert_eq!(
        header_list(&req.headers),
        stamped(
            &req,
            &[
                (
                    "Content-Type",
                    "application/x-www-form-urlencoded;charset=utf-8"
                ),
                ("Metadata", "true"),
            ]
        )
    );
    assert_eq!(
        req.body.as_ref().map(|b| b.expose().to_owned()),
        Some(format!("resource={STORAGE_RES}"))
    );
}
