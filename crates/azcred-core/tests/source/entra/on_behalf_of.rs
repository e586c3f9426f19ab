//! Tests of `OnBehalfOfCredential` (`on_behalf_of` in `src/source/entra/mod.rs`): the jwt-bearer
//! grant with each kind of app proof, its cache, and its constructor errors.

use super::*;

const USER_ASSERTION: &str = "eyJ.user-assertion.SENTINEL";

fn obo(extra: Value) -> azcred_core::Credential {
    let mut o =
        json!({"tenantId": TENANT, "clientId": CLIENT, "userAssertionToken": USER_ASSERTION});
    merge(&mut o, extra);
    credential("OnBehalfOfCredential", o, &[])
}

#[test]
fn a_secret_app_sends_the_jwt_bearer_grant_with_the_user_assertion() {
    let mut cred = obo(json!({"clientSecret": SECRET}));
    let run = aad_token(Script::new(), "downstream")
        .get(&mut cred, "https://graph.microsoft.com/.default");
    assert_eq!(run.token().token.expose(), "downstream");
    let req = run.requests()[0];
    assert!(req.url.starts_with(&token_endpoint(TENANT)));
    let id = field(req, "client-request-id").unwrap();
    assert_eq!(
        form_of(req),
        pairs(&[
            ("client_id", CLIENT),
            (
                "scope",
                "https://graph.microsoft.com/.default openid profile offline_access"
            ),
            ("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"),
            ("client_info", "1"),
            ("x-ms-lib-capability", "retry-after, h429"),
            ("client-request-id", &id),
            ("requested_token_use", "on_behalf_of"),
            ("assertion", USER_ASSERTION),
            ("client_secret", SECRET),
        ])
    );
    assert!(!format!("{:?} {cred:?}", run.actions).contains("SENTINEL"));
}

#[test]
fn a_certificate_app_signs_an_assertion_and_a_callback_app_asks_for_one() {
    let pem = cert_pem("PRIVATE KEY");
    let mut cred = obo(json!({"certificate": pem, "sendCertificateChain": true}));
    let s = Script::new().reply(Reply::Signed {
        signature: "c2ln".into(),
    });
    let run = aad_token(s, "t").get(&mut cred, STORAGE);
    assert_eq!(run.transcript[0], "sign PS256");
    let req = run.requests()[0];
    assert_eq!(field(req, "assertion").unwrap(), USER_ASSERTION);
    assert_eq!(field(req, "client_assertion_type").unwrap(), ASSERTION_TYPE);
    let signed = field(req, "client_assertion").unwrap();
    let header: Value = serde_json::from_slice(
        &URL_SAFE_NO_PAD
            .decode(signed.split('.').next().unwrap())
            .unwrap(),
    )
    .unwrap();
    assert!(
        header.get("x5c").is_some(),
        "sendCertificateChain: {header}"
    );

    let mut cred = obo(json!({"certificatePath": "/certs/app.pem"}));
    let run = Script::new()
        .reply(Reply::File {
            contents: Secret::new(cert_pem("PRIVATE KEY")),
        })
        .reply(Reply::Signed {
            signature: "c2ln".into(),
        })
        .http(200, &aad_body("t", 3599))
        .get(&mut cred, STORAGE);
    assert_eq!(run.transcript[0], "read-file /certs/app.pem");

    let mut cred = obo(json!({"assertionCallback": true}));
    let run = aad_token(Script::new().reply(assertion("eyJ.app")), "t").get(&mut cred, STORAGE);
    assert_eq!(run.transcript[0], "get-assertion");
    assert_eq!(
        field(run.requests()[0], "client_assertion").unwrap(),
        "eyJ.app"
    );
}

#[test]
fn the_certificate_path_wins_over_a_secret_which_wins_over_a_callback() {
    let mut cred = obo(json!({"certificatePath": "/c.pem", "clientSecret": SECRET,
                              "assertionCallback": true}));
    let run = Script::new()
        .fail(IoFailureKind::NotFound, "ENOENT")
        .get(&mut cred, STORAGE);
    assert_eq!(run.transcript[0], "read-file /c.pem");
    let mut cred = obo(json!({"clientSecret": SECRET, "assertionCallback": true}));
    let run = aad_token(Script::new(), "t").get(&mut cred, STORAGE);
    assert_eq!(field(run.requests()[0], "client_secret").unwrap(), SECRET);
}

#[test]
fn tokens_are_cached_per_scope_for_the_one_user_assertion() {
    let mut cred = obo(json!({"clientSecret": SECRET}));
    let mut s = aad_token(Script::new(), "graph");
    s.get(&mut cred, "https://graph.microsoft.com/.default");
    let again = s.get(&mut cred, "https://graph.microsoft.com/.default");
    assert!(again.cached);
    push_token(&mut s, "storage");
    let other = s.get(&mut cred, STORAGE);
    assert_eq!(other.token().token.expose(), "storage");
    // Another user's credential shares nothing.
    let mut theirs = credential(
        "OnBehalfOfCredential",
        json!({"tenantId": TENANT, "clientId": CLIENT, "clientSecret": SECRET,
               "userAssertionToken": "eyJ.other-user"}),
        &[],
    );
    push_token(&mut s, "theirs");
    let run = s.get(&mut theirs, "https://graph.microsoft.com/.default");
    assert!(!run.cached);
    assert_eq!(
        field(run.requests()[0], "assertion").unwrap(),
        "eyJ.other-user"
    );
}

#[test]
fn an_entra_error_is_authentication_required_with_the_user_assertion_scrubbed() {
    let body = format!(
        r#"{{"error":"invalid_grant","error_description":"AADSTS50013: Assertion {USER_ASSERTION} is invalid."}}"#
    );
    let mut cred = obo(json!({"clientSecret": SECRET}));
    let run = Script::new().http(400, &body).get(&mut cred, STORAGE);
    assert_eq!(run.error().kind, ErrorKind::AuthenticationRequired);
    assert!(
        run.error().message.starts_with("invalid_grant"),
        "{}",
        run.error().message
    );
    assert!(
        !run.error().message.contains("SENTINEL"),
        "{}",
        run.error().message
    );
}

#[test]
fn a_request_tenant_must_be_allowed() {
    let mut cred = obo(json!({"clientSecret": SECRET}));
    let run = Script::new().run(
        &mut cred,
        request_with(|r| r.tenant_id = Some(OTHER_TENANT.into())),
    );
    assert_eq!(run.error().kind, ErrorKind::CredentialUnavailable);
    assert_no_io(&run);
    let mut cred = obo(json!({"clientSecret": SECRET, "additionallyAllowedTenants": ["*"]}));
    let run = aad_token(Script::new(), "t").run(
        &mut cred,
        request_with(|r| r.tenant_id = Some(OTHER_TENANT.into())),
    );
    assert!(
        run.requests()[0]
            .url
            .starts_with(&token_endpoint(OTHER_TENANT))
    );
}

#[test]
fn constructor_errors_in_the_reference_order() {
    let sp = "To troubleshoot, visit https://aka.ms/azsdk/js/identity/serviceprincipalauthentication/troubleshoot.";
    for (opts, message) in [
        (
            json!({"clientId": CLIENT, "clientSecret": SECRET, "userAssertionToken": "a"}),
            format!("OnBehalfOfCredential: tenantId is a required parameter. {sp}"),
        ),
        (
            json!({"tenantId": TENANT, "clientSecret": SECRET, "userAssertionToken": "a"}),
            format!("OnBehalfOfCredential: clientId is a required parameter. {sp}"),
        ),
        (
            json!({"tenantId": TENANT, "clientId": CLIENT, "userAssertionToken": "a"}),
            format!(
                "OnBehalfOfCredential: You must provide one of clientSecret, certificatePath, or \
                 a getAssertion callback but none were provided. {sp}"
            ),
        ),
        (
            json!({"tenantId": TENANT, "clientId": CLIENT, "clientSecret": SECRET}),
            format!("OnBehalfOfCredential: userAssertionToken is a required parameter. {sp}"),
        ),
    ] {
        let e = build_err("OnBehalfOfCredential", opts, &[]);
        assert_eq!(
            (e.code, e.message.as_str()),
            ("CredentialUnavailable", message.as_str())
        );
    }
    let e = build_err(
        "OnBehalfOfCredential",
        json!({"tenantId": "bad tenant!", "clientId": CLIENT, "clientSecret": SECRET,
               "userAssertionToken": "a"}),
        &[],
    );
    assert_eq!(
        (e.code, e.message.as_str()),
        ("InvalidConfig", INVALID_TENANT)
    );
}
