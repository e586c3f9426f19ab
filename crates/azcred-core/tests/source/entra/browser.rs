//! Tests of `src/source/entra/browser/`: `InteractiveBrowserCredential`'s sign-in, action by
//! action: listen, open the browser with the authorize URL, wait for the redirect, answer it,
//! close the listener, redeem the code with the PKCE verifier.

use std::cell::RefCell;
use std::rc::Rc;

use azcred_core::{LoopbackRequest, Platform, ProcessOutput, Timestamp};

use super::*;

const DEV_CLIENT: &str = "04b07795-8ddb-461a-bbee-02f9e1bf7b46";
const PORT: u16 = 53_123;
const SUCCESS: &str = "Auth code was successfully acquired. You can close this window now.";
const CODE: &str = "0.AAAA-code-SENTINEL";
const SIGN_IN_MS: u64 = 300_000;

fn browser(opts: Value) -> azcred_core::Credential {
    credential("InteractiveBrowserCredential", opts, &[])
}

/// The query parameters of a URL, decoded, in order.
fn query(url: &str) -> Vec<(String, String)> {
    decode_pairs(url.split_once('?').map_or("", |(_, q)| q))
}

fn param(url: &str, name: &str) -> String {
    query(url)
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
        .unwrap_or_else(|| panic!("no {name} in {url}"))
}

/// The authorize URL the opener was given.
fn opened_url(action: &Action) -> String {
    match action {
        Action::Launch { args, .. } => args.last().cloned().expect("the URL"),
        other => panic!("expected the opener, got {other:?}"),
    }
}

fn listening(port: u16) -> Reply {
    Reply::Listening { port }
}

fn opened() -> Reply {
    Reply::Ran(ProcessOutput {
        exit_code: Some(0),
        ..ProcessOutput::default()
    })
}

fn received(method: &str, target: &str, content_type: Option<&str>, body: &str) -> Reply {
    Reply::Received(LoopbackRequest {
        method: method.to_owned(),
        target: Secret::new(target),
        content_type: content_type.map(str::to_owned),
        body: Secret::new(body),
    })
}

fn form_post(body: &str) -> Reply {
    received("POST", "/", Some("application/x-www-form-urlencoded"), body)
}

/// A script up to the redirect: listen on `PORT`, open (the URL is kept in `url`).
fn up_to_redirect(url: &Rc<RefCell<String>>) -> Script {
    let seen = Rc::clone(url);
    Script::new().reply(listening(PORT)).with(move |a, _| {
        *seen.borrow_mut() = opened_url(a);
        opened()
    })
}

/// The sign-in's redirect, posted with the state of the URL that was opened.
fn redirect_with_code(
    url: &Rc<RefCell<String>>,
) -> impl FnOnce(&Action, &mut Timestamp) -> Reply + use<> {
    let url = Rc::clone(url);
    move |_, _| {
        let state = param(&url.borrow(), "state");
        form_post(&format!(
            "code={}&state={}&session_state=s",
            CODE,
            percent_encoding::utf8_percent_encode(&state, percent_encoding::NON_ALPHANUMERIC)
        ))
    }
}

/// A whole sign-in that succeeds with the token `token`.
fn signed_in(token: &'static str) -> (Script, Rc<RefCell<String>>) {
    let url = Rc::new(RefCell::new(String::new()));
    let s = up_to_redirect(&url)
        .with(redirect_with_code(&url))
        .reply(Reply::Responded)
        .reply(Reply::Closed);
    (aad_token(s, token), url)
}

#[test]
fn a_sign_in_listens_opens_the_browser_answers_the_redirect_and_redeems_the_code_with_the_verifier()
{
    let mut cred = browser(json!({}));
    let (mut s, url) = signed_in("user-token");
    let run = s.get(&mut cred, STORAGE);
    assert_eq!(run.token().token.expose(), "user-token");

    // The actions, in order.
    let a = &run.actions;
    assert_eq!(a.len(), 6, "{:#?}", run.transcript);
    match &a[0] {
        Action::Listen {
            host,
            port,
            max_pending,
            max_body_bytes,
        } => {
            assert_eq!((host.as_str(), *port), ("127.0.0.1", 0));
            assert!(*max_pending > 0 && *max_body_bytes >= 4096);
        }
        other => panic!("first the listener: {other:?}"),
    }
    let opened = url.borrow().clone();
    match &a[1] {
        Action::Launch {
            program,
            args,
            deadline,
        } => {
            assert_eq!(program, "xdg-open");
            assert_eq!(args, &vec![opened.clone()], "the URL is the one argument");
            assert_eq!(*deadline, at_ms(5_000));
        }
        other => panic!("then the opener: {other:?}"),
    }
    assert!(matches!(a[2], Action::Accept { deadline } if deadline == at_ms(SIGN_IN_MS)));
    match &a[3] {
        Action::Respond {
            status,
            body,
            headers,
            ..
        } => {
            assert_eq!((*status, body.as_str()), (200, SUCCESS));
            assert!(
                headers
                    .iter()
                    .any(|(k, v)| k == "Content-Type" && v.starts_with("text/html"))
            );
        }
        other => panic!("then the page: {other:?}"),
    }
    assert!(matches!(a[4], Action::CloseListener));

    // The authorize URL: MSAL's parameters in MSAL's order.
    let redirect = format!("http://localhost:{PORT}");
    assert!(
        opened.starts_with(&format!("{LOGIN}/organizations/oauth2/v2.0/authorize?")),
        "{opened}"
    );
    let q = query(&opened);
    let names: Vec<&str> = q.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        names,
        [
            "client_id",
            "scope",
            "redirect_uri",
            "client-request-id",
            "response_mode",
            "client_info",
            "clidata",
            "prompt",
            "state",
            "claims",
            "response_type",
            "code_challenge",
            "code_challenge_method"
        ]
    );
    let p = |n: &str| param(&opened, n);
    assert_eq!(p("client_id"), DEV_CLIENT);
    assert_eq!(
        p("scope"),
        "https://storage.azure.com/.default openid profile offline_access"
    );
    assert_eq!(p("redirect_uri"), redirect);
    assert_eq!(p("response_mode"), "form_post");
    assert_eq!(p("prompt"), "select_account");
    assert_eq!(p("response_type"), "code");
    assert_eq!(p("code_challenge_method"), "S256");
    assert_eq!(
        p("claims"),
        r#"{"id_token":{"signin_state":{"essential":false},"login_hint":{"essential":false},"tenant_region_sub_scope":{"essential":false}}}"#
    );
    let state = STANDARD.decode(p("state")).unwrap();
    assert!(String::from_utf8(state).unwrap().starts_with(r#"{"id":""#));

    // The code exchange: the public client's authorization_code grant with the verifier.
    let token = run.requests()[0];
    let correlation = p("client-request-id");
    assert_eq!(
        token.url,
        format!(
            "{}?client-request-id={correlation}",
            token_endpoint("organizations")
        ),
        "one correlation id for the authorize and the token request"
    );
    assert_eq!(
        names_of(token),
        [
            "client_id",
            "redirect_uri",
            "scope",
            "code",
            "x-ms-lib-capability",
            "code_verifier",
            "grant_type",
            "client_info"
        ]
    );
    assert_eq!(field(token, "client_id").unwrap(), DEV_CLIENT);
    assert_eq!(field(token, "redirect_uri").unwrap(), redirect);
    assert_eq!(field(token, "code").unwrap(), CODE);
    assert_eq!(field(token, "grant_type").unwrap(), "authorization_code");
    let verifier = field(token, "code_verifier").unwrap();
    assert_eq!(
        URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes())),
        p("code_challenge"),
        "the verifier is the one the challenge was made from"
    );
    assert!(field(token, "client_secret").is_none(), "a public client");
}

fn names_of(req: &HttpRequest) -> Vec<String> {
    names(req)
}

#[test]
fn the_token_is_cached_and_another_scope_signs_in_again_with_new_pkce_and_state() {
    let mut cred = browser(json!({}));
    let (mut s, first_url) = signed_in("storage-token");
    s.get(&mut cred, STORAGE);
    assert!(s.get(&mut cred, STORAGE).cached);
    let (mut s2, second_url) = signed_in("vault-token");
    s2.now = s.now;
    let run = s2.get(&mut cred, "https://vault.azure.net/.default");
    assert_eq!(run.token().token.expose(), "vault-token");
    assert!(matches!(run.actions[0], Action::Listen { .. }));
    let (a, b) = (first_url.borrow().clone(), second_url.borrow().clone());
    for n in ["state", "code_challenge", "client-request-id"] {
        assert_ne!(param(&a, n), param(&b, n), "{n} is new for each sign-in");
    }
}

#[test]
fn a_redirect_with_another_state_is_refused_and_the_sign_in_waits_for_its_own() {
    let mut cred = browser(json!({}));
    let url = Rc::new(RefCell::new(String::new()));
    let s = up_to_redirect(&url)
        .reply(form_post("code=stolen&state=eyJpZCI6Im90aGVyIn0%3D"))
        .reply(Reply::Responded)
        .with(redirect_with_code(&url))
        .reply(Reply::Responded)
        .reply(Reply::Closed);
    let run = aad_token(s, "t").get(&mut cred, STORAGE);
    assert_eq!(run.token().token.expose(), "t");
    match &run.actions[3] {
        Action::Respond { status, body, .. } => {
            assert_eq!(
                (*status, body.as_str()),
                (400, "Invalid authorization response state.")
            );
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(run.actions[4], Action::Accept { .. }), "waits on");
    assert_eq!(field(run.requests()[0], "code").unwrap(), CODE);
}

#[test]
fn a_wrong_state_and_no_redirect_of_its_own_fail_at_the_deadline_saying_so() {
    let mut cred = browser(json!({"signInTimeoutInMs": 2000}));
    let url = Rc::new(RefCell::new(String::new()));
    let run = up_to_redirect(&url)
        .reply(form_post("code=stolen&state=other"))
        .reply(Reply::Responded)
        .with(|a, now| {
            let Action::Accept { deadline } = a else {
                panic!("{a:?}")
            };
            *now = *deadline;
            Reply::Failed(IoFailure::new(IoFailureKind::TimedOut, "no request"))
        })
        .get(&mut cred, STORAGE);
    let e = run.error();
    assert_eq!(e.kind, ErrorKind::AuthenticationRequired);
    assert_eq!(
        e.message,
        format!(
            "InteractiveBrowserCredential: the sign-in in the browser did not finish within 2 \
             seconds (signInTimeoutInMs); no redirect with this sign-in's code reached \
             http://localhost:{PORT}. A redirect whose state did not belong to this sign-in was \
             refused (Invalid authorization response state.)."
        )
    );
    assert!(run.requests().is_empty(), "no code was redeemed");
}

#[test]
fn the_deadline_counts_from_the_listener_on_the_virtual_clock_across_other_requests() {
    let mut cred = browser(json!({"signInTimeoutInMs": 120_000}));
    let url = Rc::new(RefCell::new(String::new()));
    let run = up_to_redirect(&url)
        .with(|_, now| {
            *now = at_ms(100_000);
            received("GET", "/favicon.ico", None, "")
        })
        .reply(Reply::Responded)
        .with(|a, now| {
            let Action::Accept { deadline } = a else {
                panic!("{a:?}")
            };
            assert_eq!(
                *deadline,
                at_ms(120_000),
                "the same deadline after a favicon"
            );
            *now = *deadline;
            Reply::Failed(IoFailure::new(IoFailureKind::TimedOut, "no request"))
        })
        .get(&mut cred, STORAGE);
    assert!(matches!(run.actions[2], Action::Accept { deadline } if deadline == at_ms(120_000)));
    assert!(
        matches!(&run.actions[3], Action::Respond { status: 200, body, .. } if body.is_empty())
    );
    let e = run.error();
    assert!(
        e.message
            .starts_with("InteractiveBrowserCredential: the sign-in in the browser did not finish within 120 seconds"),
        "{}",
        e.message
    );
    assert!(!e.message.contains("refused"));
}

#[test]
fn an_error_redirect_gets_the_error_page_and_fails_with_msal_message() {
    let mut cred = browser(
        json!({"browserCustomizationOptions": {"errorMessage": "<p>Sorry</p>", "successMessage": "<p>Yay</p>"}}),
    );
    let url = Rc::new(RefCell::new(String::new()));
    let seen = Rc::clone(&url);
    let run = up_to_redirect(&url)
        .with(move |_, _| {
            let state = param(&seen.borrow(), "state");
            form_post(&format!(
                "error=access_denied&error_description=AADSTS65004%3A+User+declined+to+consent.&state={}",
                percent_encoding::utf8_percent_encode(&state, percent_encoding::NON_ALPHANUMERIC)
            ))
        })
        .reply(Reply::Responded)
        .get(&mut cred, STORAGE);
    assert!(
        matches!(&run.actions[3], Action::Respond { status: 200, body, .. } if body == "<p>Sorry</p>")
    );
    let e = run.error();
    assert_eq!(e.kind, ErrorKind::AuthenticationRequired);
    assert_eq!(
        e.message,
        "access_denied: AADSTS65004: User declined to consent."
    );
    assert!(run.requests().is_empty());
}

#[test]
fn the_success_page_is_the_callers_when_given() {
    let mut cred =
        browser(json!({"browserCustomizationOptions": {"successMessage": "<h1>Signed in</h1>"}}));
    let (mut s, _) = signed_in("t");
    let run = s.get(&mut cred, STORAGE);
    assert!(
        matches!(&run.actions[3], Action::Respond { body, .. } if body == "<h1>Signed in</h1>")
    );
}

#[test]
fn an_abort_while_waiting_ends_the_sign_in_as_aborted() {
    let mut cred = browser(json!({}));
    let url = Rc::new(RefCell::new(String::new()));
    let run = up_to_redirect(&url)
        .fail(IoFailureKind::Aborted, "The operation was aborted.")
        .get(&mut cred, STORAGE);
    assert_eq!(run.error().kind, ErrorKind::Aborted);
    assert!(matches!(run.actions[2], Action::Accept { .. }));
}

#[test]
fn a_code_in_the_url_is_refused_and_fails_the_sign_in() {
    let mut cred = browser(json!({}));
    let url = Rc::new(RefCell::new(String::new()));
    let seen = Rc::clone(&url);
    let run = up_to_redirect(&url)
        .with(move |_, _| {
            let state = param(&seen.borrow(), "state");
            let target = format!(
                "/?code=c&state={}",
                percent_encoding::utf8_percent_encode(&state, percent_encoding::NON_ALPHANUMERIC)
            );
            received("GET", &target, None, "")
        })
        .reply(Reply::Responded)
        .get(&mut cred, STORAGE);
    assert!(matches!(
        run.actions[3],
        Action::Respond { status: 400, .. }
    ));
    assert!(
        run.error()
            .message
            .starts_with("loopback_server_query_response_not_supported")
    );
}

#[test]
fn an_opener_that_fails_ends_the_sign_in_at_once_and_one_still_running_does_not() {
    for (reply, message) in [
        (
            Reply::Ran(ProcessOutput {
                exit_code: Some(3),
                ..ProcessOutput::default()
            }),
            "InteractiveBrowserCredential: could not open a browser: xdg-open exited with code 3. \
             Set a default browser, or use DeviceCodeCredential on a machine without one.",
        ),
        (
            Reply::Failed(IoFailure::new(
                IoFailureKind::NotFound,
                "xdg-open: not found",
            )),
            "InteractiveBrowserCredential: could not open a browser: xdg-open was not found. Set \
             a default browser, or use DeviceCodeCredential on a machine without one.",
        ),
    ] {
        let mut cred = browser(json!({}));
        let run = Script::new()
            .reply(listening(PORT))
            .reply(reply)
            .get(&mut cred, STORAGE);
        assert_eq!(run.actions.len(), 2);
        assert_eq!(run.error().kind, ErrorKind::AuthenticationRequired);
        assert_eq!(run.error().message, message);
    }
    let mut cred = browser(json!({}));
    let run = Script::new()
        .reply(listening(PORT))
        .fail(IoFailureKind::TimedOut, "xdg-open did not finish in time")
        .fail(IoFailureKind::Aborted, "aborted")
        .get(&mut cred, STORAGE);
    assert!(
        matches!(run.actions[2], Action::Accept { .. }),
        "waits for the redirect"
    );
}

#[test]
fn a_listener_that_cannot_open_is_a_clear_error() {
    let mut cred = browser(json!({"redirectUri": "http://localhost:8400"}));
    let run = Script::new()
        .fail(
            IoFailureKind::Other,
            "listen EADDRINUSE: address already in use 127.0.0.1:8400",
        )
        .get(&mut cred, STORAGE);
    assert_eq!(
        run.error().message,
        "InteractiveBrowserCredential: could not listen on 127.0.0.1:8400 for the sign-in's \
         redirect: listen EADDRINUSE: address already in use 127.0.0.1:8400"
    );
}

#[test]
fn the_opener_of_each_platform_needs_no_shell() {
    let cases = [
        (Platform::Darwin, vec![], "open", vec![]),
        (
            Platform::Win32,
            vec![("SystemRoot", "C:\\WINDOWS")],
            "C:\\WINDOWS\\System32\\rundll32.exe",
            vec!["url.dll,FileProtocolHandler"],
        ),
        (Platform::Linux, vec![], "xdg-open", vec![]),
    ];
    for (platform, vars, program, before) in cases {
        let e = azcred_core::EnvSnapshot::from_pairs(vars).with_platform(platform);
        let mut cred = azcred_core::Credential::new(
            "InteractiveBrowserCredential",
            &options(json!({})),
            &e,
            3,
        )
        .unwrap();
        let run = Script::new()
            .reply(listening(PORT))
            .fail(IoFailureKind::Aborted, "aborted")
            .get(&mut cred, STORAGE);
        let Action::Launch {
            program: p, args, ..
        } = &run.actions[1]
        else {
            panic!("{:?}", run.actions)
        };
        assert_eq!(p, program);
        assert_eq!(args.len(), before.len() + 1);
        assert_eq!(&args[..before.len()], &before[..]);
        assert!(args.last().unwrap().starts_with(LOGIN));
    }
}

#[test]
fn tenant_client_login_hint_and_redirect_uri_options() {
    // An app of the caller's signs in to `common`; a tenant given is used as it is.
    let mut cred = browser(json!({"clientId": CLIENT}));
    let url = Rc::new(RefCell::new(String::new()));
    up_to_redirect(&url)
        .fail(IoFailureKind::Aborted, "a")
        .get(&mut cred, STORAGE);
    assert!(url.borrow().starts_with(&format!(
        "{LOGIN}/common/oauth2/v2.0/authorize?client_id={CLIENT}&"
    )));

    let mut cred = browser(json!({
        "tenantId": TENANT, "loginHint": "user@contoso.com",
        "redirectUri": "http://127.0.0.1:8400/callback"
    }));
    let url = Rc::new(RefCell::new(String::new()));
    let run = Script::new()
        .with(|a, _| {
            assert!(matches!(a, Action::Listen { host, port: 8400, .. } if host == "127.0.0.1"));
            listening(8400)
        })
        .with({
            let seen = Rc::clone(&url);
            move |a, _| {
                *seen.borrow_mut() = opened_url(a);
                opened()
            }
        })
        .fail(IoFailureKind::Aborted, "a")
        .get(&mut cred, STORAGE);
    assert_eq!(run.error().kind, ErrorKind::Aborted);
    let opened = url.borrow().clone();
    assert!(opened.starts_with(&format!("{LOGIN}/{TENANT}/oauth2/v2.0/authorize?")));
    assert_eq!(
        param(&opened, "redirect_uri"),
        "http://127.0.0.1:8400/callback"
    );
    assert_eq!(param(&opened, "prompt"), "login");
    assert_eq!(param(&opened, "login_hint"), "user@contoso.com");
    assert_eq!(param(&opened, "X-AnchorMailbox"), "UPN:user@contoso.com");
    let names: Vec<String> = query(&opened).into_iter().map(|(k, _)| k).collect();
    let at = |n: &str| names.iter().position(|k| k == n).unwrap();
    assert!(at("clidata") < at("prompt") && at("X-AnchorMailbox") < at("state"));
}

#[test]
fn the_redirect_uri_must_be_on_this_machine_and_the_tenant_well_formed() {
    for uri in [
        "https://localhost:8400",
        "http://192.168.1.10:8400",
        "http://contoso.com/cb",
    ] {
        let e = build_err(
            "InteractiveBrowserCredential",
            json!({"redirectUri": uri}),
            &[],
        );
        assert_eq!(e.code, "InvalidConfig");
        assert!(
            e.message.starts_with(
                "InteractiveBrowserCredential: redirectUri must be a loopback http URL"
            ),
            "{}",
            e.message
        );
    }
    let e = build_err(
        "InteractiveBrowserCredential",
        json!({"tenantId": "bad/tenant"}),
        &[],
    );
    assert_eq!(
        (e.code, e.message.as_str()),
        ("InvalidConfig", INVALID_TENANT)
    );
    let e = build_err(
        "InteractiveBrowserCredential",
        json!({"authorityHost": "http://login.microsoftonline.com"}),
        &[],
    );
    assert_eq!(
        e.message,
        "The authorityHost address must use the 'https' protocol."
    );
}

#[test]
fn a_tenant_of_the_request_must_be_allowed() {
    let mut cred = browser(json!({"tenantId": TENANT}));
    let run = Script::new().run(
        &mut cred,
        request_with(|r| r.tenant_id = Some(OTHER_TENANT.into())),
    );
    assert_eq!(run.error().kind, ErrorKind::CredentialUnavailable);
    assert_no_io(&run);
    let mut cred = browser(json!({"tenantId": TENANT, "additionallyAllowedTenants": ["*"]}));
    let url = Rc::new(RefCell::new(String::new()));
    let mut s = up_to_redirect(&url).fail(IoFailureKind::Aborted, "a");
    s.run(
        &mut cred,
        request_with(|r| r.tenant_id = Some(OTHER_TENANT.into())),
    );
    assert!(
        url.borrow()
            .starts_with(&format!("{LOGIN}/{OTHER_TENANT}/oauth2/v2.0/authorize?"))
    );
}

#[test]
fn cae_claims_go_in_the_authorize_url_and_the_token_request() {
    let mut cred = browser(json!({}));
    let (mut s, url) = signed_in("t");
    let run = s.run(&mut cred, request_with(|r| r.enable_cae = true));
    assert_eq!(param(&url.borrow(), "claims"), CAE_CLAIMS);
    assert_eq!(field(run.requests()[0], "claims").unwrap(), CAE_CLAIMS);
}

#[test]
fn a_token_error_is_the_entra_error_of_every_credential() {
    let mut cred = browser(json!({}));
    let url = Rc::new(RefCell::new(String::new()));
    let s = up_to_redirect(&url)
        .with(redirect_with_code(&url))
        .reply(Reply::Responded)
        .reply(Reply::Closed)
        .http(400, r#"{"error":"invalid_grant","error_description":"AADSTS70008: The provided authorization code has expired.","error_codes":[70008]}"#);
    let mut s = s;
    let run = s.get(&mut cred, STORAGE);
    let e = run.error();
    assert_eq!(e.kind, ErrorKind::AuthenticationRequired);
    assert!(
        e.message.starts_with("invalid_grant: Error(s): 70008 - "),
        "{}",
        e.message
    );
    assert!(
        !e.message.contains(CODE),
        "the code never appears in a message"
    );
}

#[test]
fn debug_output_never_shows_the_code_or_the_verifier() {
    let mut cred = browser(json!({}));
    let request = TokenRequest::new([STORAGE]);
    let azcred_core::Begin::Start { mut flow, .. } = cred.begin(request, T0) else {
        panic!("a flow")
    };
    let mut url = String::new();
    for _ in 0..10 {
        match flow.poll(T0) {
            Step::Perform { action } => {
                let reply = match &action {
                    Action::Listen { .. } => listening(PORT),
                    Action::Launch { args, .. } => {
                        url = args[0].clone();
                        opened()
                    }
                    Action::Accept { .. } => form_post(&format!(
                        "code={CODE}&state={}",
                        percent_encoding::utf8_percent_encode(
                            &param(&url, "state"),
                            percent_encoding::NON_ALPHANUMERIC
                        )
                    )),
                    Action::Respond { .. } => Reply::Responded,
                    Action::CloseListener => Reply::Closed,
                    Action::Http { .. } => break,
                    other => panic!("{other:?}"),
                };
                let text = format!("{reply:?}");
                assert!(!text.contains(CODE), "{text}");
                flow.handle(reply, T0).unwrap();
                let text = format!("{flow:?}");
                assert!(!text.contains(CODE), "{text}");
            }
            other => panic!("{other:?}"),
        }
    }
    let Step::Perform { action } = flow.poll(T0) else {
        panic!()
    };
    let text = format!("{action:?}");
    assert!(
        !text.contains(CODE) && !text.contains("code_verifier="),
        "{text}"
    );
}

#[test]
fn another_scope_and_an_early_refresh_use_the_refresh_token_without_opening_the_browser() {
    let mut cred = browser(json!({}));
    let url = Rc::new(RefCell::new(String::new()));
    let mut s = up_to_redirect(&url)
        .with(redirect_with_code(&url))
        .reply(Reply::Responded)
        .reply(Reply::Closed)
        .http(
            200,
            &user::user_body("storage-token", Some("rt-SENTINEL-1")),
        );
    s.get(&mut cred, STORAGE);
    // Another scope: one refresh-token grant, no listener, no browser.
    s.push(|_, _| {
        Reply::Http(HttpResponse::new(
            200,
            user::user_body("vault-token", Some("rt-SENTINEL-2")),
        ))
    });
    let run = s.get(&mut cred, "https://vault.azure.net/.default");
    assert_eq!(run.token().token.expose(), "vault-token");
    assert_eq!(run.actions.len(), 1, "{:#?}", run.transcript);
    let req = run.requests()[0];
    assert_eq!(field(req, "grant_type").unwrap(), "refresh_token");
    assert_eq!(field(req, "refresh_token").unwrap(), "rt-SENTINEL-1");
    // After expiry, the rotated refresh token renews it, still without a browser.
    s.advance_ms(3_600_000);
    s.push(|_, _| {
        Reply::Http(HttpResponse::new(
            200,
            user::user_body("storage-again", None),
        ))
    });
    let run = s.get(&mut cred, STORAGE);
    assert_eq!(run.token().token.expose(), "storage-again");
    assert_eq!(
        field(run.requests()[0], "refresh_token").unwrap(),
        "rt-SENTINEL-2"
    );
    assert!(
        !run.actions
            .iter()
            .any(|a| matches!(a, Action::Listen { .. }))
    );
}

#[test]
fn with_automatic_authentication_disabled_get_token_never_opens_the_browser() {
    let mut cred = browser(json!({"disableAutomaticAuthentication": true}));
    let run = Script::new().get(&mut cred, STORAGE);
    assert_eq!(run.error().kind, ErrorKind::AuthenticationRequired);
    assert_eq!(
        run.error().message,
        "Automatic authentication has been disabled. You may call the authentication() method."
    );
    assert!(run.actions.is_empty(), "{:#?}", run.transcript);
}
