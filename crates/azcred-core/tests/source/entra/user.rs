//! The user sign-in credentials (`src/source/entra/user.rs`, `device_code.rs`, `user_grants.rs`,
//! `account.rs`): the device-code request, the prompt and the polling on the virtual clock; the
//! password and authorization-code grants; and the account machinery they share (the refresh
//! token for a second scope or after expiry, the fall back to a sign-in when Entra refuses it,
//! `disableAutomaticAuthentication`, `authenticationRecord`, `authenticate()`'s record).

use super::*;
use azcred_core::{AuthenticationRecord, Begin, Credential};

const DEV_CLIENT: &str = "04b07795-8ddb-461a-bbee-02f9e1bf7b46";
const GRAPH: &str = "https://graph.microsoft.com/.default";
const RT: &str = "rt-SENTINEL-1";
const RT2: &str = "rt-SENTINEL-2";
const DEVICE: &str = "device-code-SENTINEL";
const PASSWORD: &str = "pw-SENTINEL";
const CODE: &str = "auth-code-SENTINEL";
const UID: &str = "9f3e0000-0000-4000-8000-0000000000a1";
const DISABLED: &str =
    "Automatic authentication has been disabled. You may call the authentication() method.";
const EXPIRED: &str =
    "device_code_expired: See https://aka.ms/msal.js.errors#device_code_expired for details";
const OIDC: &str = "openid profile offline_access";

/// A user token response for the account `UID` of `TENANT` (see `support::user_answer`).
pub(crate) fn user_body(token: &str, refresh: Option<&str>) -> String {
    user_answer(token, refresh, UID, TENANT)
}

fn device_answer(expires_in: u64, interval: u64) -> String {
    json!({
        "user_code": "ABCD-EFGH",
        "device_code": DEVICE,
        "verification_uri": "https://microsoft.com/devicelogin",
        "expires_in": expires_in,
        "interval": interval,
        "message": "To sign in, use a web browser to open the page https://microsoft.com/devicelogin and enter the code ABCD-EFGH to authenticate.",
    })
    .to_string()
}

fn oauth_error(error: &str) -> String {
    json!({
        "error": error,
        "error_description": format!("AADSTS70016: {error} for the device code"),
        "error_codes": [70016],
        "timestamp": "2023-11-14 22:13:20Z",
        "trace_id": "t-1",
        "correlation_id": "c-1",
    })
    .to_string()
}

fn dcc(opts: Value) -> Credential {
    credential("DeviceCodeCredential", opts, &[])
}

fn endpoint(tenant: &str, what: &str) -> String {
    format!("{LOGIN}/{tenant}/oauth2/v2.0/{what}")
}

/// The device code request, the prompt, then the polls answered in order.
fn signing_in(s: Script, polls: &[(u16, String)]) -> Script {
    let mut s = s.http(200, &device_answer(900, 5)).reply(Reply::Prompted);
    for (status, body) in polls {
        s = s.http(*status, body);
    }
    s
}

fn pending() -> (u16, String) {
    (400, oauth_error("authorization_pending"))
}

fn signed_in(token: &str) -> (u16, String) {
    (200, user_body(token, Some(RT)))
}

fn request_of(a: &Action) -> &HttpRequest {
    http(a).0
}

#[test]
fn device_code_asks_for_a_code_prompts_and_polls_through_pending_and_slow_down() {
    let mut cred = dcc(json!({}));
    let mut s = signing_in(
        Script::new(),
        &[
            pending(),
            (400, oauth_error("slow_down")),
            signed_in("at-1"),
        ],
    );
    let run = s.get(&mut cred, STORAGE);
    assert_eq!(run.token().token.expose(), "at-1");
    let token_url = endpoint("organizations", "token");
    let without_query: Vec<String> = run
        .shape()
        .iter()
        .map(|l| l.split('?').next().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(
        without_query,
        [
            format!("POST {}", endpoint("organizations", "devicecode")),
            "other PromptDeviceCode { user_code: \"ABCD-EFGH\", verification_uri: \"https://microsoft.com/devicelogin\", message: \"To sign in, use a web browser to open the page https://microsoft.com/devicelogin and enter the code ABCD-EFGH to authenticate.\" }".to_owned(),
            format!("POST {token_url}"),
            "wait".to_owned(),
            format!("POST {token_url}"),
            "wait".to_owned(),
            format!("POST {token_url}"),
        ]
    );
    // `interval` apart, then 5 s more after `slow_down`.
    assert_eq!(run.waits(), [5_000, 10_000]);
    let code = request_of(&run.actions[0]);
    assert_eq!(
        form_of(code),
        [
            ("scope".to_owned(), format!("{STORAGE} {OIDC}")),
            ("client_id".to_owned(), DEV_CLIENT.to_owned()),
        ]
    );
    let poll = request_of(&run.actions[2]);
    assert_eq!(
        names(poll),
        [
            "scope",
            "client_id",
            "grant_type",
            "device_code",
            "client-request-id",
            "client_info",
            "x-ms-lib-capability"
        ]
    );
    assert_eq!(
        field(poll, "grant_type").as_deref(),
        Some("urn:ietf:params:oauth:grant-type:device_code")
    );
    assert_eq!(field(poll, "device_code").as_deref(), Some(DEVICE));
    assert_eq!(field(poll, "client_info").as_deref(), Some("1"));
    // One correlation id for the whole sign-in.
    let ids: Vec<String> = run
        .requests()
        .iter()
        .map(|r| r.headers.get("client-request-id").unwrap().to_owned())
        .collect();
    assert!(ids.windows(2).all(|w| w[0] == w[1]), "{ids:?}");
}

#[test]
fn the_prompt_action_carries_the_reference_device_code_info_and_not_the_device_code() {
    let mut cred = dcc(json!({"tenantId": TENANT, "clientId": CLIENT}));
    let mut s = signing_in(Script::new(), &[signed_in("at-1")]);
    let run = s.get(&mut cred, STORAGE);
    run.token();
    let Action::PromptDeviceCode {
        user_code,
        verification_uri,
        message,
    } = &run.actions[1]
    else {
        panic!("expected the prompt, got {:?}", run.actions[1]);
    };
    assert_eq!(user_code, "ABCD-EFGH");
    assert_eq!(verification_uri, "https://microsoft.com/devicelogin");
    assert!(message.contains("ABCD-EFGH"));
    assert!(!format!("{:?}", run.actions[1]).contains(DEVICE));
    assert_eq!(
        request_of(&run.actions[0]).url,
        endpoint(TENANT, "devicecode")
    );
    assert_eq!(
        field(request_of(&run.actions[0]), "client_id").as_deref(),
        Some(CLIENT)
    );
}

#[test]
fn a_second_scope_is_a_refresh_token_grant_with_no_second_device_code() {
    let mut cred = dcc(json!({}));
    let mut s = signing_in(Script::new(), &[signed_in("at-1")]);
    s.get(&mut cred, STORAGE).token();
    let mut s = Script::at(s.now).http(200, &user_body("at-graph", Some(RT2)));
    let run = s.get(&mut cred, GRAPH);
    assert_eq!(run.token().token.expose(), "at-graph");
    let [req] = run.requests()[..] else {
        panic!("one request: {:#?}", run.transcript)
    };
    assert!(req.url.starts_with(&endpoint("organizations", "token")));
    assert_eq!(
        form_of(req),
        [
            ("client_id", DEV_CLIENT),
            ("scope", &format!("{GRAPH} {OIDC}")),
            ("grant_type", "refresh_token"),
            ("client_info", "1"),
            ("x-ms-lib-capability", "retry-after, h429"),
            ("refresh_token", RT),
        ]
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
    );
    // The rotated refresh token is the one used next.
    let mut s = Script::at(s.now.plus(std::time::Duration::from_secs(3600)))
        .http(200, &user_body("at-again", None));
    let run = s.get(&mut cred, STORAGE);
    assert_eq!(run.token().token.expose(), "at-again");
    assert_eq!(
        field(run.requests()[0], "refresh_token").as_deref(),
        Some(RT2)
    );
    // A cached token needs no request at all.
    assert!(Script::at(s.now).get(&mut cred, STORAGE).cached);
}

#[test]
fn polling_ends_when_the_code_expires_on_the_virtual_clock() {
    let mut cred = dcc(json!({}));
    let mut s = Script::new()
        .http(200, &device_answer(12, 5))
        .reply(Reply::Prompted)
        .http(400, &oauth_error("authorization_pending"))
        .http(400, &oauth_error("authorization_pending"))
        .http(400, &oauth_error("authorization_pending"));
    let run = s.get(&mut cred, STORAGE);
    let e = run.error();
    assert_eq!(
        (e.kind, e.message.as_str()),
        (ErrorKind::AuthenticationRequired, EXPIRED)
    );
    assert_eq!(run.waits(), [5_000, 5_000, 5_000]);
    assert_eq!(run.requests().len(), 4, "the code request and three polls");
    assert_eq!(s.now, at_ms(15_000));
}

#[test]
fn a_declined_or_expired_sign_in_ends_with_entras_error() {
    for error in [
        "authorization_declined",
        "expired_token",
        "bad_verification_code",
    ] {
        let mut cred = dcc(json!({}));
        let mut s = signing_in(Script::new(), &[pending(), (400, oauth_error(error))]);
        let run = s.get(&mut cred, STORAGE);
        let e = run.error();
        assert_eq!(e.kind, ErrorKind::AuthenticationRequired, "{error}");
        assert!(
            e.message
                .starts_with(&format!("post_request_failed: {error}: ")),
            "{}",
            e.message
        );
        assert!(e.message.contains("AADSTS70016"), "{}", e.message);
        assert_eq!(e.credential.as_deref(), Some("DeviceCodeCredential"));
        assert_eq!(run.requests().len(), 3, "{error}");
    }
}

#[test]
fn an_abort_while_polling_ends_the_sign_in_as_aborted() {
    let mut cred = dcc(json!({}));
    let mut s = Script::new()
        .http(200, &device_answer(900, 5))
        .reply(Reply::Prompted)
        .http(400, &oauth_error("authorization_pending"))
        .fail(IoFailureKind::Aborted, "aborted");
    let run = s.get(&mut cred, STORAGE);
    let e = run.error();
    assert_eq!(
        (e.kind, e.message.as_str()),
        (
            ErrorKind::Aborted,
            "The authentication has been aborted by the caller."
        )
    );
    // A caller that gives up during the wait: the driver finishes the flow unfinished.
    let Begin::Start { mut flow, .. } = cred.begin(TokenRequest::new([STORAGE]), T0) else {
        panic!("expected a new flow")
    };
    let replies = [
        Reply::Http(HttpResponse::new(200, device_answer(900, 5))),
        Reply::Prompted,
        Reply::Http(HttpResponse::new(400, oauth_error("authorization_pending"))),
    ];
    for reply in replies {
        assert!(matches!(flow.poll(T0), Step::Perform { .. }));
        flow.handle(reply, T0).unwrap();
    }
    assert!(matches!(flow.poll(T0), Step::Wait { until } if until == at_ms(5_000)));
    let e = cred.finish(*flow, T0).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Aborted);
    // Nothing was kept: the next call signs in again.
    let mut s = signing_in(Script::new(), &[signed_in("at-1")]);
    s.get(&mut cred, STORAGE).token();
}

#[test]
fn a_refresh_token_entra_rejects_falls_back_to_a_new_sign_in() {
    let mut cred = dcc(json!({}));
    let mut s = signing_in(Script::new(), &[signed_in("at-1")]);
    s.get(&mut cred, STORAGE).token();
    // An hour later the token has expired: a silent renewal, refused, then a new device code.
    let later = s.now.plus(std::time::Duration::from_secs(3600));
    let mut s = signing_in(
        Script::at(later).http(400, &oauth_error("invalid_grant")),
        &[signed_in("at-2")],
    );
    let run = s.get(&mut cred, STORAGE);
    assert_eq!(run.token().token.expose(), "at-2");
    let reqs = run.requests();
    assert_eq!(
        field(reqs[0], "grant_type").as_deref(),
        Some("refresh_token")
    );
    assert!(reqs[1].url.ends_with("/devicecode"));
    assert_eq!(
        field(reqs[2], "grant_type").as_deref(),
        Some("urn:ietf:params:oauth:grant-type:device_code")
    );
}

#[test]
fn with_automatic_authentication_disabled_get_token_never_prompts_but_authenticate_does() {
    let mut cred = dcc(json!({"disableAutomaticAuthentication": true}));
    let run = Script::new().get(&mut cred, STORAGE);
    assert_no_io(&run);
    let e = run.error();
    assert_eq!(
        (e.kind, e.code, e.message.as_str()),
        (
            ErrorKind::AuthenticationRequired,
            "AuthenticationRequired",
            DISABLED
        )
    );
    assert!(cred.authentication_record().is_none());
    // authenticate() signs in.
    let mut s = signing_in(Script::new(), &[signed_in("at-1")]);
    let run = s.run(&mut cred, request_with(|r| r.authenticate = true));
    assert_eq!(run.token().token.expose(), "at-1");
    let record = cred
        .authentication_record()
        .expect("a record after authenticate");
    assert_eq!(
        record,
        AuthenticationRecord {
            authority: "login.windows.net".into(),
            home_account_id: format!("{UID}.{TENANT}"),
            client_id: DEV_CLIENT.into(),
            tenant_id: TENANT.into(),
            username: "ada@contoso.com".into(),
            version: "1.0".into(),
        }
    );
    // Then getToken for another scope is silent.
    let mut s = Script::at(s.now).http(200, &user_body("at-graph", None));
    assert_eq!(s.get(&mut cred, GRAPH).token().token.expose(), "at-graph");
    // A refused refresh token is the same error, with no prompt.
    let later = s.now.plus(std::time::Duration::from_secs(3600));
    let mut s = Script::at(later).http(400, &oauth_error("invalid_grant"));
    let run = s.get(&mut cred, GRAPH);
    assert_eq!(run.error().message, DISABLED);
    assert_eq!(run.requests().len(), 1);
}

#[test]
fn an_authentication_record_names_the_account_but_without_a_refresh_token_it_signs_in_again() {
    let record = json!({
        "authority": "login.windows.net",
        "homeAccountId": format!("{UID}.{TENANT}"),
        "clientId": DEV_CLIENT,
        "tenantId": TENANT,
        "username": "ada@contoso.com",
        "version": "1.0",
    });
    let mut cred = dcc(json!({"authenticationRecord": record}));
    let before = cred.authentication_record().expect("the record's account");
    assert_eq!(before.username, "ada@contoso.com");
    let mut s = signing_in(Script::new(), &[signed_in("at-1")]);
    let run = s.get(&mut cred, STORAGE);
    assert!(run.requests()[0].url.ends_with("/devicecode"));
    assert_eq!(run.token().token.expose(), "at-1");
    // With automatic authentication disabled, the record alone gives no token.
    let mut cred =
        dcc(json!({"authenticationRecord": record, "disableAutomaticAuthentication": true}));
    let run = Script::new().get(&mut cred, STORAGE);
    assert_no_io(&run);
    assert_eq!(run.error().message, DISABLED);
}

#[test]
fn the_refresh_token_and_device_code_never_appear_in_debug_output_or_messages() {
    let mut cred = dcc(json!({}));
    let mut s = signing_in(Script::new(), &[signed_in("at-1")]);
    s.get(&mut cred, STORAGE).token();
    let text = format!("{cred:?}");
    assert!(!text.contains(RT), "{text}");
    // An error echoing what was sent is scrubbed.
    let echo = json!({"error": "invalid_grant", "error_description": format!("bad token {RT}")})
        .to_string();
    let later = s.now.plus(std::time::Duration::from_secs(3600));
    let mut cred2 = dcc(json!({"disableAutomaticAuthentication": true}));
    let mut s2 = signing_in(Script::new(), &[signed_in("at-1")]);
    s2.run(&mut cred2, request_with(|r| r.authenticate = true))
        .token();
    let run = Script::at(later).http(400, &echo).get(&mut cred2, STORAGE);
    assert!(!format!("{:?}", run.error()).contains(RT));
    let echo = json!({"error": "expired_token", "error_description": format!("code {DEVICE}")})
        .to_string();
    let mut s = signing_in(Script::new(), &[(400, echo)]);
    let e = s.get(&mut dcc(json!({})), STORAGE).error().clone();
    assert!(!e.message.contains(DEVICE), "{}", e.message);
}

#[test]
fn device_code_defaults_and_constructor_errors_are_the_references() {
    let e = build_err(
        "DeviceCodeCredential",
        json!({"tenantId": "bad tenant"}),
        &[],
    );
    assert_eq!(
        (e.code, e.message.as_str()),
        ("InvalidConfig", INVALID_TENANT)
    );
    // A custom app without a tenant signs in at `common`.
    let mut cred = dcc(json!({"clientId": CLIENT}));
    let mut s = signing_in(Script::new(), &[signed_in("at-1")]);
    let run = s.get(&mut cred, STORAGE);
    assert_eq!(run.requests()[0].url, endpoint("common", "devicecode"));
    // The developer sign-on app without a tenant honours a request's tenant.
    let mut cred = dcc(json!({}));
    let mut s = signing_in(Script::new(), &[signed_in("at-1")]);
    let run = s.run(
        &mut cred,
        request_with(|r| r.tenant_id = Some(OTHER_TENANT.into())),
    );
    assert_eq!(run.requests()[0].url, endpoint(OTHER_TENANT, "devicecode"));
    // A tenant the credential was not built for must be allowed.
    let mut cred = dcc(json!({"tenantId": TENANT}));
    let run = Script::new().run(
        &mut cred,
        request_with(|r| r.tenant_id = Some(OTHER_TENANT.into())),
    );
    assert_eq!(run.error().kind, ErrorKind::CredentialUnavailable);
}

#[test]
fn username_password_constructor_errors_are_the_references() {
    let full =
        json!({"tenantId": TENANT, "clientId": CLIENT, "username": "ada", "password": PASSWORD});
    for missing in ["tenantId", "clientId", "username", "password"] {
        let mut opts = full.clone();
        opts[missing] = json!("");
        let e = build_err("UsernamePasswordCredential", opts, &[]);
        assert_eq!(
            (e.code, e.message),
            (
                "CredentialUnavailable",
                format!(
                    "UsernamePasswordCredential: {missing} is a required parameter. To \
                     troubleshoot, visit \
                     https://aka.ms/azsdk/js/identity/usernamepasswordcredential/troubleshoot."
                )
            )
        );
    }
}

#[test]
fn username_password_sends_the_password_once_then_the_refresh_token() {
    let mut cred = credential(
        "UsernamePasswordCredential",
        json!({"tenantId": TENANT, "clientId": CLIENT, "username": "ada@contoso.com", "password": PASSWORD}),
        &[],
    );
    let mut s = Script::new().http(200, &user_body("at-1", Some(RT)));
    let run = s.get(&mut cred, STORAGE);
    assert_eq!(run.token().token.expose(), "at-1");
    let req = run.requests()[0];
    assert_eq!(
        names(req),
        [
            "client_id",
            "username",
            "password",
            "scope",
            "response_type",
            "grant_type",
            "client_info",
            "x-ms-lib-capability",
            "client-request-id"
        ]
    );
    assert_eq!(field(req, "password").as_deref(), Some(PASSWORD));
    assert_eq!(field(req, "grant_type").as_deref(), Some("password"));
    assert_eq!(
        req.headers.get("X-AnchorMailbox"),
        Some("UPN: ada@contoso.com")
    );
    let run = Script::at(s.now)
        .http(200, &user_body("at-2", None))
        .get(&mut cred, GRAPH);
    let req = run.requests()[0];
    assert_eq!(field(req, "grant_type").as_deref(), Some("refresh_token"));
    assert_eq!(field(req, "password"), None);
    assert_eq!(field(req, "refresh_token").as_deref(), Some(RT));
}

#[test]
fn authorization_code_redeems_the_code_once_with_the_client_secret_then_the_refresh_token() {
    let mut cred = credential(
        "AuthorizationCodeCredential",
        json!({"tenantId": TENANT, "clientId": CLIENT, "clientSecret": SECRET,
               "authorizationCode": CODE, "redirectUri": "http://localhost:8080/cb"}),
        &[],
    );
    let mut s = Script::new().http(200, &user_body("at-1", Some(RT)));
    let run = s.get(&mut cred, STORAGE);
    run.token();
    let req = run.requests()[0];
    let id = req.headers.get("client-request-id").unwrap();
    assert_eq!(
        req.url,
        format!("{}?client-request-id={id}", token_endpoint(TENANT))
    );
    assert_eq!(
        form_of(req),
        [
            ("client_id", CLIENT),
            ("redirect_uri", "http://localhost:8080/cb"),
            ("scope", &format!("{STORAGE} {OIDC}")),
            ("code", CODE),
            ("x-ms-lib-capability", "retry-after, h429"),
            ("client_secret", SECRET),
            ("grant_type", "authorization_code"),
            ("client_info", "1"),
        ]
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
    );
    let run = Script::at(s.now)
        .http(200, &user_body("at-2", None))
        .get(&mut cred, GRAPH);
    let req = run.requests()[0];
    assert_eq!(field(req, "grant_type").as_deref(), Some("refresh_token"));
    assert_eq!(field(req, "code"), None);
    assert_eq!(field(req, "client_secret").as_deref(), Some(SECRET));
}

#[test]
fn authorization_code_without_a_secret_is_a_public_client_and_checks_its_tenant() {
    let mut cred = credential(
        "AuthorizationCodeCredential",
        json!({"tenantId": TENANT, "clientId": CLIENT, "authorizationCode": CODE,
               "redirectUri": "http://localhost:8080/cb"}),
        &[],
    );
    let run = Script::new()
        .http(200, &user_body("at-1", Some(RT)))
        .get(&mut cred, STORAGE);
    run.token();
    assert_eq!(field(run.requests()[0], "client_secret"), None);
    assert_eq!(field(run.requests()[0], "code").as_deref(), Some(CODE));
    let e = build_err(
        "AuthorizationCodeCredential",
        json!({"tenantId": "bad/tenant", "clientId": CLIENT, "authorizationCode": CODE, "redirectUri": "r"}),
        &[],
    );
    assert_eq!(
        (e.code, e.message.as_str()),
        ("InvalidConfig", INVALID_TENANT)
    );
}

#[test]
fn a_record_round_trips_and_other_versions_are_refused() {
    let record = AuthenticationRecord {
        authority: "login.windows.net".into(),
        home_account_id: "a.b".into(),
        client_id: "c".into(),
        tenant_id: "t".into(),
        username: "u".into(),
        version: "1.0".into(),
    };
    let text = serde_json::to_value(&record).unwrap();
    assert_eq!(
        text,
        json!({"authority":"login.windows.net","homeAccountId":"a.b","clientId":"c","tenantId":"t","username":"u","version":"1.0"})
    );
    assert!(azcred_core::wire::check_authentication_record(&text).is_ok());
    let e = azcred_core::wire::check_authentication_record(&json!({"version": "2.0"})).unwrap_err();
    assert_eq!(e.message, "Unsupported AuthenticationRecord version");
}

#[test]
fn an_early_refresh_in_the_background_uses_the_refresh_token_and_never_prompts() {
    let mut cred = dcc(json!({}));
    let mut s = signing_in(Script::new(), &[signed_in("at-1")]);
    s.get(&mut cred, STORAGE).token();
    // 51 minutes on, the token is still served, and refreshed in the background.
    let later = s.now.plus(std::time::Duration::from_secs(51 * 60));
    let mut s = Script::at(later).http(400, &oauth_error("invalid_grant"));
    let run = s.get(&mut cred, STORAGE);
    assert_eq!(run.serving.as_ref().map(|t| t.token.expose()), Some("at-1"));
    // Refused: no device code from the background; the caller kept its token.
    assert_eq!(run.requests().len(), 1, "{:#?}", run.transcript);
    assert_eq!(
        field(run.requests()[0], "grant_type").as_deref(),
        Some("refresh_token")
    );
    assert!(
        run.error().message.contains("in the background"),
        "{}",
        run.error().message
    );
    // The same refresh, accepted, replaces the token silently.
    let mut s = Script::at(later.plus(std::time::Duration::from_secs(31)))
        .http(200, &user_body("at-2", None));
    let run = s.get(&mut cred, STORAGE);
    assert_eq!(run.serving.as_ref().map(|t| t.token.expose()), Some("at-1"));
    assert_eq!(run.token().token.expose(), "at-2");
    assert!(Script::at(s.now).get(&mut cred, STORAGE).cached);
}

#[test]
fn a_caller_who_gives_up_on_a_device_code_sign_in_gets_the_references_words_for_it() {
    let mut cred = dcc(json!({}));
    let Begin::Start { mut flow, .. } = cred.begin(TokenRequest::new([STORAGE]), T0) else {
        panic!("a new flow");
    };
    let e = flow.abort_error();
    assert_eq!(
        (e.kind, e.message.as_str()),
        (
            ErrorKind::Aborted,
            "The authentication has been aborted by the caller."
        )
    );
    // `finish` of the unfinished flow ends it with the same error.
    let _ = flow.poll(T0);
    let out = cred.finish(*flow, T0).unwrap_err();
    assert_eq!((out.kind, out.message), (e.kind, e.message));
    // Any other credential's caller gets the generic AbortError's.
    let mut other = credential(
        "ClientSecretCredential",
        json!({"tenantId": TENANT, "clientId": CLIENT, "clientSecret": "s"}),
        &[],
    );
    let Begin::Start { flow, .. } = other.begin(TokenRequest::new([STORAGE]), T0) else {
        panic!("a new flow");
    };
    assert_eq!(flow.abort_error().message, "The operation was aborted.");
}
