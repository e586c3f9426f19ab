//! Tests of `src/source/entra/request.rs`: the wire request (URL, headers, form body in MSAL's
//! order), scopes, claims and CAE, tenants, the authority host and the proxy.

use super::*;

#[test]
fn client_secret_sends_one_post_in_msals_form_order() {
    let mut cred = secret_cred(json!({}), &[]);
    let mut s = aad_token(Script::new(), "tok");
    let run = s.get(&mut cred, STORAGE);
    assert_eq!(run.token().token.expose(), "tok");
    assert_eq!(run.token().expires_on, at_ms(3_599_000));
    assert_eq!(run.token().refresh_after, None);
    assert_eq!(
        run.actions.len(),
        1,
        "one round trip: {:#?}",
        run.transcript
    );

    let (req, deadline, connect) = http(&run.actions[0]);
    let correlation = field(req, "client-request-id").unwrap();
    assert_eq!(
        req.url,
        format!("{}?client-request-id={correlation}", token_endpoint(TENANT))
    );
    assert_eq!(correlation.len(), 36);
    assert_eq!(&correlation[14..15], "4", "a UUID v4: {correlation}");
    assert_eq!(
        header_list(&req.headers),
        pairs(&[
            (
                "Content-Type",
                "application/x-www-form-urlencoded;charset=utf-8"
            ),
            ("x-ms-client-request-id", &correlation),
            ("client-request-id", &correlation),
            ("return-client-request-id", "true"),
            (
                "User-Agent",
                &format!("azcred/{}", env!("CARGO_PKG_VERSION"))
            ),
        ])
    );
    assert_eq!(
        form_of(req),
        pairs(&[
            ("client_id", CLIENT),
            ("scope", STORAGE),
            ("grant_type", "client_credentials"),
            ("x-ms-lib-capability", "retry-after, h429"),
            ("client-request-id", &correlation),
            ("client_secret", SECRET),
        ])
    );
    assert!(req.allow_proxy);
    assert!(req.proxy.is_none());
    assert_eq!(deadline, at_ms(20_000));
    assert_eq!(connect, None);
}

#[test]
fn each_acquisition_has_its_own_correlation_id() {
    let mut cred = secret_cred(json!({}), &[]);
    let mut s = aad_token(Script::new(), "a");
    let a = s.get(&mut cred, STORAGE);
    push_token(&mut s, "b");
    let b = s.get(&mut cred, "https://vault.azure.net/.default");
    let ida = field(a.requests()[0], "client-request-id").unwrap();
    let idb = field(b.requests()[0], "client-request-id").unwrap();
    assert_ne!(ida, idb);
}

#[test]
fn scopes_are_trimmed_deduplicated_and_oidc_scopes_dropped() {
    let mut cred = secret_cred(json!({}), &[]);
    let mut s = aad_token(Script::new(), "tok");
    let req = TokenRequest::new([
        " https://graph.microsoft.com/.default",
        "openid",
        "offline_access",
        "https://graph.microsoft.com/.default",
        "profile",
        "https://vault.azure.net/.default ",
    ]);
    let run = s.run(&mut cred, req);
    assert_eq!(
        field(run.requests()[0], "scope").unwrap(),
        "https://graph.microsoft.com/.default https://vault.azure.net/.default"
    );
}

#[test]
fn no_usable_scope_is_a_plain_error_before_any_io() {
    let mut cred = secret_cred(json!({}), &[]);
    let run = Script::new().run(&mut cred, TokenRequest::new(["openid", "  "]));
    assert_eq!(run.error().kind, ErrorKind::InvalidRequest);
    assert!(
        run.error()
            .message
            .starts_with("empty_input_scopes_error: ")
    );
    assert_no_io(&run);
}

#[test]
fn cae_adds_the_client_capability_claims_and_is_cached_apart() {
    let mut cred = secret_cred(json!({}), &[]);
    let mut s = aad_token(Script::new(), "plain");
    let plain = s.get(&mut cred, STORAGE);
    assert_eq!(field(plain.requests()[0], "claims"), None);
    push_token(&mut s, "cae");
    let cae = s.run(&mut cred, request_with(|r| r.enable_cae = true));
    assert_eq!(cae.token().token.expose(), "cae");
    let req = cae.requests()[0];
    assert_eq!(field(req, "claims").unwrap(), CAE_CLAIMS);
    assert_eq!(names(req).last().unwrap(), "claims", "claims come last");
    // Each kind is cached under its own key.
    let again = s.run(&mut cred, request_with(|r| r.enable_cae = true));
    assert_eq!(again.token().token.expose(), "cae");
    assert!(again.cached);
    assert_eq!(s.get(&mut cred, STORAGE).token().token.expose(), "plain");
}

#[test]
fn a_claims_challenge_is_merged_with_cp1_and_bypasses_the_cached_token() {
    let mut cred = secret_cred(json!({}), &[]);
    let mut s = aad_token(Script::new(), "first");
    s.run(&mut cred, request_with(|r| r.enable_cae = true));
    push_token(&mut s, "after-challenge");
    let challenge = r#"{"access_token":{"nbf":{"essential":true,"value":"1700000000"}}}"#;
    let run = s.run(
        &mut cred,
        request_with(|r| {
            r.enable_cae = true;
            r.claims = Some(challenge.to_owned());
        }),
    );
    assert_eq!(run.token().token.expose(), "after-challenge");
    assert_eq!(
        field(run.requests()[0], "claims").unwrap(),
        r#"{"access_token":{"nbf":{"essential":true,"value":"1700000000"},"xms_cc":{"values":["cp1"]}},"id_token":{"signin_state":{"essential":false},"login_hint":{"essential":false},"tenant_region_sub_scope":{"essential":false}}}"#
    );
}

#[test]
fn claims_that_are_not_an_object_fail_before_any_io() {
    let mut cred = secret_cred(json!({}), &[]);
    let run = Script::new().run(
        &mut cred,
        request_with(|r| {
            r.enable_cae = true;
            r.claims = Some("[1,2]".to_owned());
        }),
    );
    assert_eq!(run.error().kind, ErrorKind::InvalidRequest);
    assert!(run.error().message.starts_with("invalid_claims: "));
    assert_no_io(&run);
}

#[test]
fn a_request_for_another_tenant_needs_the_allow_list() {
    let mut cred = secret_cred(json!({}), &[]);
    let run = Script::new().run(
        &mut cred,
        request_with(|r| r.tenant_id = Some(OTHER_TENANT.into())),
    );
    let e = run.error();
    assert_eq!(e.kind, ErrorKind::CredentialUnavailable);
    assert_eq!(
        e.message,
        format!(
            "The current credential is not configured to acquire tokens for tenant {OTHER_TENANT}. To enable acquiring tokens for this tenant add it to the AdditionallyAllowedTenants on the credential options, or add \"*\" to AdditionallyAllowedTenants to allow acquiring tokens for any tenant."
        )
    );
    assert_no_io(&run);

    for allowed in [json!([OTHER_TENANT]), json!(["*"])] {
        let mut cred = secret_cred(json!({"additionallyAllowedTenants": allowed}), &[]);
        let run = aad_token(Script::new(), "t").run(
            &mut cred,
            request_with(|r| r.tenant_id = Some(OTHER_TENANT.into())),
        );
        assert!(
            run.requests()[0]
                .url
                .starts_with(&format!("{}?", token_endpoint(OTHER_TENANT)))
        );
    }
}

#[test]
fn the_configured_tenant_is_always_allowed_and_multitenant_auth_can_be_disabled() {
    let mut cred = secret_cred(json!({}), &[]);
    let run = aad_token(Script::new(), "t").run(
        &mut cred,
        request_with(|r| r.tenant_id = Some(TENANT.into())),
    );
    assert!(run.requests()[0].url.starts_with(&token_endpoint(TENANT)));

    let mut cred = secret_cred(
        json!({}),
        &[("AZURE_IDENTITY_DISABLE_MULTITENANTAUTH", "1")],
    );
    let run = aad_token(Script::new(), "t").run(
        &mut cred,
        request_with(|r| r.tenant_id = Some(OTHER_TENANT.into())),
    );
    assert!(run.requests()[0].url.starts_with(&token_endpoint(TENANT)));
}

#[test]
fn hostile_tenant_ids_send_nothing() {
    for hostile in [
        "evil.example/x?",
        "../../common",
        "t#frag",
        "t%2F..",
        "a b",
        "t\nHost: x",
        "@evil.example",
    ] {
        let mut cred = secret_cred(json!({"additionallyAllowedTenants": ["*"]}), &[]);
        let run = Script::new().run(
            &mut cred,
            request_with(|r| r.tenant_id = Some(hostile.into())),
        );
        assert_eq!(run.error().kind, ErrorKind::InvalidRequest, "{hostile:?}");
        assert_eq!(run.error().message, INVALID_TENANT);
        assert_no_io(&run);

        let e = build_err(
            "ClientSecretCredential",
            json!({"tenantId": hostile, "clientId": CLIENT, "clientSecret": SECRET}),
            &[],
        );
        assert_eq!(
            (e.code, e.message.as_str()),
            ("InvalidConfig", INVALID_TENANT)
        );
    }
}

#[test]
fn common_organizations_and_consumers_are_refused_at_token_time() {
    for t in ["common", "organizations", "consumers", "Common"] {
        let mut cred = credential(
            "ClientSecretCredential",
            json!({"tenantId": t, "clientId": CLIENT, "clientSecret": SECRET}),
            &[],
        );
        let run = Script::new().get(&mut cred, STORAGE);
        let e = run.error();
        assert_eq!(e.kind, ErrorKind::AuthenticationRequired, "{t}");
        assert!(
            e.message.starts_with("missing_tenant_id_error: "),
            "{}",
            e.message
        );
        assert_no_io(&run);
    }
    let mut cred = secret_cred(json!({"additionallyAllowedTenants": ["*"]}), &[]);
    let run = Script::new().run(
        &mut cred,
        request_with(|r| r.tenant_id = Some("organizations".into())),
    );
    assert_eq!(run.error().kind, ErrorKind::AuthenticationRequired);
}

#[test]
fn any_authority_host_gets_one_direct_post() {
    for (host, expected) in [
        ("https://login.example.com", "https://login.example.com"),
        ("https://127.0.0.1:8443/", "https://127.0.0.1:8443"),
        (
            "https://login.microsoftonline.us",
            "https://login.microsoftonline.us",
        ),
        (
            "https://login.chinacloudapi.cn",
            "https://login.partner.microsoftonline.cn",
        ),
        ("https://login.windows.net", LOGIN),
    ] {
        let mut cred = secret_cred(json!({"authorityHost": host}), &[]);
        let run = aad_token(Script::new(), "t").get(&mut cred, STORAGE);
        assert_eq!(run.actions.len(), 1, "{host}: {:#?}", run.transcript);
        assert!(
            run.requests()[0]
                .url
                .starts_with(&format!("{expected}/{TENANT}/oauth2/v2.0/token?")),
            "{host}: {}",
            run.requests()[0].url
        );
    }
    // AZURE_AUTHORITY_HOST when the option is absent; the option wins.
    let env_host = [("AZURE_AUTHORITY_HOST", "https://login.microsoftonline.us")];
    let mut cred = secret_cred(json!({}), &env_host);
    let run = aad_token(Script::new(), "t").get(&mut cred, STORAGE);
    assert!(
        run.requests()[0]
            .url
            .starts_with("https://login.microsoftonline.us/")
    );
    let mut cred = secret_cred(json!({"authorityHost": "https://h.example"}), &env_host);
    let run = aad_token(Script::new(), "t").get(&mut cred, STORAGE);
    assert!(run.requests()[0].url.starts_with("https://h.example/"));
}

#[test]
fn adfs_uses_its_own_endpoint_and_keeps_its_tenant() {
    let mut cred = credential(
        "ClientSecretCredential",
        json!({"tenantId": "adfs", "clientId": CLIENT, "clientSecret": SECRET,
               "authorityHost": "https://adfs.contoso.com/adfs",
               "additionallyAllowedTenants": ["*"]}),
        &[],
    );
    let run = aad_token(Script::new(), "t").run(
        &mut cred,
        request_with(|r| r.tenant_id = Some(OTHER_TENANT.into())),
    );
    assert!(
        run.requests()[0]
            .url
            .starts_with("https://adfs.contoso.com/adfs/oauth2/token?")
    );
}

#[test]
fn entra_requests_carry_the_proxy_the_environment_selects() {
    let proxy = [("HTTPS_PROXY", "http://user:pw-SENTINEL@proxy.corp:3128")];
    let mut cred = secret_cred(json!({}), &proxy);
    let run = aad_token(Script::new(), "t").get(&mut cred, STORAGE);
    let req = run.requests()[0];
    assert_eq!(
        req.proxy.as_ref().unwrap().expose(),
        "http://user:pw-SENTINEL@proxy.corp:3128"
    );
    assert!(!format!("{req:?}").contains("pw-SENTINEL"));

    let mut cred = secret_cred(
        json!({}),
        &[
            ("https_proxy", "proxy:3128"),
            ("NO_PROXY", ".microsoftonline.com"),
        ],
    );
    let run = aad_token(Script::new(), "t").get(&mut cred, STORAGE);
    assert!(run.requests()[0].proxy.is_none());

    // Managed identity is never proxied.
    let mut cred = mi(
        json!({}),
        &[
            ("HTTPS_PROXY", "http://proxy:3128"),
            ("HTTP_PROXY", "http://proxy:3128"),
            ("IDENTITY_ENDPOINT", "http://127.0.0.1:41000/msi/token"),
            ("IDENTITY_HEADER", "h"),
        ],
    );
    let run = Script::new().token_for("t", 3600).get(&mut cred, STORAGE);
    assert!(run.requests()[0].proxy.is_none());
    assert!(!run.requests()[0].allow_proxy);
}
