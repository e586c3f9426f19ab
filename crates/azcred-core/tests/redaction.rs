//! Every public type that can hold a secret, built with a sentinel: the sentinel must never show
//! in `Debug` output, in an error's `Display`, or in an error serialized for the bindings.

mod support;

use azcred_core::{
    AccessToken, Action, Begin, Credential, DelegateOutcome, EnvSnapshot, HttpRequest,
    HttpResponse, ProcessOutput, Reply, Secret, Step, TokenRequest, parse_token_response,
};
use serde_json::json;
use support::*;

const SENTINEL: &str = "S3NT1NEL-7f3a9c0d";
/// The distinctive part: no piece of output may contain even this much of the secret.
const CORE: &str = "S3NT1NEL";

#[track_caller]
fn clean(what: &str, text: &str) {
    assert!(!text.contains(CORE), "{what} shows the secret:\n{text}");
}

#[track_caller]
fn clean_debug(what: &str, v: &impl std::fmt::Debug) {
    clean(what, &format!("{v:?}"));
    clean(what, &format!("{v:#?}"));
}

fn token() -> AccessToken {
    AccessToken::bearer(
        Secret::new(SENTINEL),
        at_ms(3_600_000),
        Some(at_ms(1_800_000)),
    )
}

fn request() -> HttpRequest {
    let mut r = HttpRequest::post_form(
        "http://127.0.0.1:41000/token",
        Secret::new(format!(
            "client_secret={SENTINEL}&grant_type=client_credentials"
        )),
    )
    .header("X-IDENTITY-HEADER", SENTINEL)
    .header("x-identity-header", SENTINEL)
    .header("Authorization", format!("Bearer {SENTINEL}"))
    .header("AUTHORIZATION", format!("Basic {SENTINEL}"))
    .header("secret", SENTINEL)
    .header("Secret", SENTINEL);
    r.allow_proxy = false;
    r
}

fn response() -> HttpResponse {
    HttpResponse::new(
        200,
        format!(r#"{{"access_token":"{SENTINEL}","expires_in":3600}}"#),
    )
    .header("Authorization", SENTINEL)
}

#[test]
fn the_sentinel_check_itself_works() {
    // A type with a derived Debug over a plain string would be caught.
    #[derive(Debug)]
    #[allow(dead_code)]
    struct Leaky(String);
    let out = format!("{:?}", Leaky(SENTINEL.to_owned()));
    assert!(out.contains(CORE));
}

#[test]
fn secrets_tokens_and_io_values() {
    clean_debug("Secret", &Secret::new(SENTINEL));
    clean_debug("AccessToken", &token());
    clean_debug("HttpRequest", &request());
    clean_debug("Headers", &request().headers);
    clean_debug("HttpResponse", &response());
    clean_debug("Reply::Http", &Reply::Http(response()));
    clean_debug(
        "Reply::File",
        &Reply::File {
            contents: Secret::new(SENTINEL),
        },
    );
    let out = ProcessOutput {
        exit_code: Some(0),
        stdout: Secret::new(format!(r#"{{"accessToken":"{SENTINEL}"}}"#)),
        stderr: format!("warning: {SENTINEL}"),
    };
    clean_debug("ProcessOutput", &out);
    clean_debug("Reply::Ran", &Reply::Ran(out));
    clean_debug(
        "Reply::Delegated",
        &Reply::Delegated(DelegateOutcome {
            token: Some(token()),
            error: None,
        }),
    );
    let action = Action::Http {
        request: request(),
        deadline: T0,
        connect_deadline: None,
        max_body_bytes: 1,
    };
    clean_debug("Action::Http", &action);
    clean_debug("Step::Perform", &Step::Perform { action });
    clean_debug("Begin::Cached", &Begin::Cached(token()));
}

#[test]
fn environment_snapshots() {
    let env = EnvSnapshot::from_pairs([
        ("IDENTITY_HEADER", SENTINEL),
        ("MSI_SECRET", SENTINEL),
        ("AZURE_CLIENT_SECRET", SENTINEL),
        ("AZURE_CLIENT_CERTIFICATE_PASSWORD", SENTINEL),
    ]);
    clean_debug("EnvSnapshot", &env);
    // Still usable: the values are there.
    assert_eq!(env.get("IDENTITY_HEADER"), Some(SENTINEL));
}

#[test]
fn parse_errors_never_show_the_body() {
    for body in [
        format!(r#"{{"access_token":"{SENTINEL}"}}"#),
        format!(r#"{{"access_token":"{SENTINEL}","expires_on":"{SENTINEL}"}}"#),
        format!(r#"{{"access_token":"{SENTINEL}","expires_in":"{SENTINEL}"}}"#),
        format!(r#"{{"access_token":"{SENTINEL}","expires_on":1}}"#),
        format!(r#"{{"access_token":"{SENTINEL}"#),
        SENTINEL.to_owned(),
    ] {
        let e = parse_token_response(&body, T0).unwrap_err();
        clean("ParseError Display", &e.to_string());
        clean_debug("ParseError", &e);
    }
}

fn secret_envs() -> Vec<Vec<(&'static str, &'static str)>> {
    vec![
        vec![
            ("IDENTITY_ENDPOINT", "http://127.0.0.1:41000/msi/token"),
            ("IDENTITY_HEADER", SENTINEL),
        ],
        vec![
            ("IDENTITY_ENDPOINT", "https://10.0.0.4:2377/token"),
            ("IDENTITY_HEADER", SENTINEL),
            ("IDENTITY_SERVER_THUMBPRINT", "AB"),
        ],
        vec![
            ("MSI_ENDPOINT", "http://127.0.0.1:41001/msi/token"),
            ("MSI_SECRET", SENTINEL),
        ],
    ]
}

#[test]
fn credentials_and_flows() {
    for pairs in secret_envs() {
        for kind in ["ManagedIdentityCredential", "DefaultAzureCredential"] {
            let mut cred = Credential::new(kind, &options(json!({})), &env(&pairs), 7).unwrap();
            clean_debug("Credential", &cred);
            clean_debug("explain", &cred.explain());

            // A flow with the request (carrying the secret header) outstanding.
            let Begin::Start { mut flow, .. } = cred.begin(TokenRequest::new([STORAGE]), T0) else {
                panic!()
            };
            let step = flow.poll(T0);
            clean_debug("Step", &step);
            clean_debug("Flow in flight", &flow);
            let Step::Perform { action } = step else {
                panic!("{step:?}")
            };
            let (req, ..) = http(&action);
            // The driver does get the secret.
            assert!(req.headers.iter().any(|(_, v)| v == SENTINEL));

            // A finished flow holding a token whose value is the sentinel.
            let body = format!(r#"{{"access_token":"{SENTINEL}","expires_in":86400}}"#);
            flow.handle(Reply::Http(HttpResponse::new(200, body)), T0)
                .unwrap();
            assert!(matches!(flow.poll(T0), Step::Finished));
            clean_debug("Flow finished", &flow);
            let t = cred.finish(*flow, T0).unwrap();
            assert_eq!(t.token.expose(), SENTINEL);
            clean_debug("AccessToken", &t);
            // The credential now caches it.
            clean_debug("Credential with a cached token", &cred);
            let begin = cred.begin(TokenRequest::new([STORAGE]), at_ms(1));
            clean_debug("Begin::Cached", &begin);
            // A background refresh hands out the cached token beside the flow.
            let begin = cred.begin(TokenRequest::new([STORAGE]), at_ms(12 * 3_600_000));
            assert!(matches!(
                begin,
                Begin::Start {
                    serving: Some(_),
                    ..
                }
            ));
            clean_debug("Begin::Start", &begin);
        }
    }
}

#[test]
fn errors_from_responses_that_echo_the_secret() {
    for pairs in secret_envs() {
        for body in [
            format!(r#"{{"error":"invalid_request","error_description":"bad header {SENTINEL}"}}"#),
            format!(r#"{{"message":"{SENTINEL}"}}"#),
            format!("<html><body>{SENTINEL}</body></html>"),
            format!(r#"{{"error":{{"code":"{SENTINEL}"}}}}"#),
        ] {
            for status in [400, 401, 500] {
                let mut cred = mi(json!({"retryOptions": {"maxRetries": 0}}), &pairs);
                let mut s = Script::new().http(status, &body);
                let e = s.get(&mut cred, STORAGE).result.unwrap_err();
                clean("TokenError Display", &e.to_string());
                clean_debug("TokenError", &e);
                clean("TokenError serialized", &serde_json::to_string(&e).unwrap());
            }
        }
        // Through DefaultAzureCredential's aggregate too.
        let mut cred = dac(json!({"retryOptions": {"maxRetries": 0}}), &pairs);
        let mut s = Script::new()
            .http(400, &format!(r#"{{"message":"{SENTINEL}"}}"#))
            .tools_absent();
        let e = s.get(&mut cred, STORAGE).result.unwrap_err();
        clean("aggregate Display", &e.to_string());
        clean_debug("aggregate", &e);
        clean("aggregate serialized", &serde_json::to_string(&e).unwrap());
    }
}

#[test]
fn errors_from_bad_token_responses() {
    for pairs in secret_envs() {
        let mut cred = mi(json!({}), &pairs);
        let mut s = Script::new().http(
            200,
            &format!(r#"{{"access_token":"{SENTINEL}","expires_on":"{SENTINEL}"}}"#),
        );
        let e = s.get(&mut cred, STORAGE).result.unwrap_err();
        clean("TokenError Display", &e.to_string());
        clean_debug("TokenError", &e);
    }
}

fn wire_credential() -> azcred_core::wire::WireCredential {
    let env: EnvSnapshot = serde_json::from_value(json!({"vars": {
        "IDENTITY_ENDPOINT": "http://127.0.0.1:41000/msi/token",
        "IDENTITY_HEADER": SENTINEL,
    }, "platform": "linux"}))
    .unwrap();
    azcred_core::wire::WireCredential::new(
        "ManagedIdentityCredential",
        &options(json!({})),
        &env,
        3.0,
        None,
    )
    .unwrap()
}

/// A reply as a binding decodes it: the value, or the decoder's message.
fn decoded(v: serde_json::Value) -> Result<Reply, String> {
    serde_json::from_value::<Reply>(v).map_err(|e| e.to_string())
}

#[test]
fn the_typed_surface() {
    let mut cred = wire_credential();
    clean_debug("WireCredential", &cred);
    let (_, flow) = cred.begin(TokenRequest::new([STORAGE]), 0.0);
    let mut flow = flow.unwrap();
    // The step crosses to the driver with the secret header: that is its job.
    let step = serde_json::to_string(&flow.poll(0.0).unwrap()).unwrap();
    assert!(step.contains(SENTINEL));
    clean_debug("WireFlow in flight", &flow);
    // Replies that do not decode fail the flow's action; the failure never quotes them.
    for reply in [
        json!({"type": "http", "status": SENTINEL}),
        json!({"type": "http", "status": 200, "body": [SENTINEL]}),
        json!({"type": "http", "status": 200, "headers": {"a": [1, SENTINEL, 2]}, "body": 5}),
        json!({"type": "file", "contents": {"x": SENTINEL}}),
        json!({"type": SENTINEL}),
        json!({"type": "failed", "kind": SENTINEL}),
        json!([SENTINEL]),
        json!(SENTINEL),
    ] {
        let mut cred = wire_credential();
        let (_, flow) = cred.begin(TokenRequest::new([STORAGE]), 0.0);
        let mut flow = flow.unwrap();
        flow.poll(0.0).unwrap();
        let reply = decoded(reply);
        assert!(reply.is_err());
        flow.handle(reply, 0.0).unwrap();
        let out = cred.finish(&mut flow, 0.0).unwrap();
        assert!(!out.ok, "an unreadable reply is a failure of the flow");
        clean(
            "finish after an unreadable reply",
            &serde_json::to_string(&out).unwrap(),
        );
    }
    // Environment and options that do not decode: the error never quotes them.
    for (options, env) in [
        (
            json!({"clientId": 5}),
            json!({"vars": {"IDENTITY_HEADER": SENTINEL}}),
        ),
        (
            json!({}),
            json!({"vars": {"IDENTITY_HEADER": 5}, "platform": SENTINEL}),
        ),
        (json!({}), json!({"vars": [SENTINEL]})),
        (json!({"retryOptions": {"maxRetries": SENTINEL}}), json!({})),
    ] {
        for e in [
            serde_json::from_value::<azcred_core::Options>(options).err(),
            serde_json::from_value::<EnvSnapshot>(env).err(),
        ]
        .into_iter()
        .flatten()
        {
            let w = azcred_core::wire::WireError::undecodable(
                "InvalidConfig",
                "options",
                &e.to_string(),
            );
            clean("WireError", &w.message);
            clean_debug("WireError", &w);
        }
    }
}

#[test]
fn the_undecodable_check_can_fail() {
    // The decoder's own message does quote the value: the wire must leave it out.
    let raw = serde_json::from_value::<Reply>(json!({"type": SENTINEL}))
        .unwrap_err()
        .to_string();
    assert!(raw.contains(CORE), "serde quotes it: {raw}");
    let w = azcred_core::wire::WireError::undecodable("ApiMisuse", "reply", &raw);
    clean("WireError", &w.message);
}

/// Every record taken from `cred`, joined, for the sentinel check.
fn log_text(cred: &mut Credential) -> String {
    cred.take_log()
        .into_iter()
        .map(|r| format!("{:?} {}", r.level, r.message))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn no_log_record_at_any_level_holds_a_secret() {
    use azcred_core::LogLevel;
    let echo = format!(r#"{{"error":"invalid_request","error_description":"bad {SENTINEL}"}}"#);
    let jwt_with_secret_claim = {
        use base64::Engine;
        let payload = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!(
            r#"{{"appid":"a","tid":"t","oid":"o","secret":"{SENTINEL}"}}"#
        ));
        format!("h.{payload}.{SENTINEL}")
    };
    let entra_pairs = [
        ("AZURE_TENANT_ID", "72f988bf-86f1-41af-91ab-2d7cd011db47"),
        ("AZURE_CLIENT_ID", "c"),
        ("AZURE_CLIENT_SECRET", SENTINEL),
    ];
    let mut cases: Vec<(&str, Vec<(&str, &str)>)> = secret_envs()
        .into_iter()
        .flat_map(|p| {
            [
                ("ManagedIdentityCredential", p.clone()),
                ("DefaultAzureCredential", p),
            ]
        })
        .collect();
    cases.push(("EnvironmentCredential", entra_pairs.to_vec()));
    cases.push(("DefaultAzureCredential", entra_pairs.to_vec()));
    let opts = json!({
        "retryOptions": {"maxRetries": 1, "retryDelayInMs": 10},
        "loggingOptions": {"allowLoggingAccountIdentifiers": true},
        "proxyOptions": {"host": "http://proxy.example", "port": 3128, "username": "u", "password": SENTINEL},
    });
    for level in [
        LogLevel::Error,
        LogLevel::Warning,
        LogLevel::Info,
        LogLevel::Verbose,
    ] {
        for (kind, pairs) in &cases {
            let env = env(pairs).with_log_level(Some(level));
            let mut cred = Credential::new(kind, &options(opts.clone()), &env, 7).unwrap();
            clean(
                &format!("{kind} construction log at {level:?}"),
                &log_text(&mut cred),
            );
            // A failure whose body echoes the secret, after a retried 500 that echoes it too.
            let mut s = Script::new()
                .http(500, &echo)
                .otherwise(|a, _| answer(a, HttpResponse::new(400, echo_body())));
            let _ = s.get(&mut cred, STORAGE);
            clean(
                &format!("{kind} failure log at {level:?}"),
                &log_text(&mut cred),
            );
            // A success with a token whose value and claims hold the secret.
            let body =
                format!(r#"{{"access_token":"{jwt_with_secret_claim}","expires_in":86400}}"#);
            let mut s = Script::at(at_ms(1))
                .otherwise(move |a, _| answer(a, HttpResponse::new(200, body.clone())));
            s.max_steps = 100;
            let _ = s.get(&mut cred, STORAGE);
            clean(
                &format!("{kind} success log at {level:?}"),
                &log_text(&mut cred),
            );
        }
    }
}

/// Answers any HTTP request with `resp`, and any other action as absent (no tools, no files).
fn answer(action: &Action, resp: HttpResponse) -> Reply {
    match action {
        Action::Http { .. } => Reply::Http(resp),
        _ => Reply::Failed(azcred_core::IoFailure::new(
            azcred_core::IoFailureKind::NotFound,
            "not found",
        )),
    }
}

fn echo_body() -> String {
    format!(r#"{{"message":"{SENTINEL}","error_description":"{SENTINEL}"}}"#)
}

/// The user credentials: a password, an authorization code and a client secret given as
/// options, and a refresh token and device code received, never show in `Debug` output, in the
/// prompt action, or in an error from an answer that echoes them.
#[test]
fn user_credentials_and_their_refresh_tokens() {
    let user_body = format!(
        r#"{{"access_token":"at","expires_in":3600,"refresh_token":"{SENTINEL}-rt","client_info":"eyJ1aWQiOiJ1IiwidXRpZCI6InQifQ"}}"#
    );
    let echo =
        format!(r#"{{"error":"invalid_grant","error_description":"{SENTINEL}-rt {SENTINEL}"}}"#);
    let kinds = [
        (
            "UsernamePasswordCredential",
            json!({"tenantId": "t", "clientId": "c", "username": "u", "password": SENTINEL}),
        ),
        (
            "AuthorizationCodeCredential",
            json!({"tenantId": "t", "clientId": "c", "clientSecret": SENTINEL,
                   "authorizationCode": SENTINEL, "redirectUri": "http://localhost"}),
        ),
        ("DeviceCodeCredential", json!({})),
    ];
    for (kind, opts) in kinds {
        let o = options(opts);
        clean_debug("Options", &o);
        let mut cred = Credential::new(kind, &o, &env(&[]), 7).unwrap();
        clean_debug("Credential", &cred);
        let device = format!(
            r#"{{"device_code":"{SENTINEL}","user_code":"U","verification_uri":"https://v","expires_in":900,"interval":5}}"#
        );
        let answer = user_body.clone();
        let mut s = Script::new().otherwise(move |a, _| match a {
            Action::Http { request, .. } if request.url.ends_with("/devicecode") => {
                Reply::Http(HttpResponse::new(200, device.clone()))
            }
            Action::Http { .. } => Reply::Http(HttpResponse::new(200, answer.clone())),
            other => {
                clean_debug("prompt", other);
                Reply::Prompted
            }
        });
        let run = s.get(&mut cred, STORAGE);
        run.token();
        for a in &run.actions {
            clean_debug("Action", a);
        }
        clean_debug("Credential with a session", &cred);
        clean_debug("record", &cred.authentication_record());
        // Another scope: the refresh token is sent, and the answer echoes it.
        let echo = echo.clone();
        let mut s = Script::at(s.now).otherwise(move |a, _| match a {
            Action::Http { request, .. } if !request.url.ends_with("/devicecode") => {
                Reply::Http(HttpResponse::new(400, echo.clone()))
            }
            _ => Reply::Failed(azcred_core::IoFailure::new(
                azcred_core::IoFailureKind::Aborted,
                "aborted",
            )),
        });
        let run = s.get(&mut cred, "https://vault.azure.net/.default");
        let e = run.error();
        clean("error", &e.to_string());
        clean_debug("error", e);
    }
}
