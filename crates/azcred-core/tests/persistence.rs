//! Scenario tests for the persistent token cache (`tokenCachePersistenceOptions` with a
//! persistence plugin): when a flow loads and stores, what it stores, what a second process
//! gets from it, and what is made of a store that is corrupt, foreign or from a newer azcred.

mod support;

use std::cell::RefCell;
use std::rc::Rc;

use azcred_core::{
    Action, Credential, IoFailureKind, LogLevel, PersistedCache, Reply, Secret, Timestamp,
    TokenRequest,
};
use serde_json::{Value, json};
use support::*;

const TENANT: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const CLIENT: &str = "00000000-1111-2222-3333-444444444444";
const SECRET: &str = "client-secret-SENTINEL";
const TOKEN: &str = "access-token-SENTINEL";
const VAULT: &str = "https://vault.azure.net/.default";
const STORE: &str = "tests.azcred";
const ENDPOINT: &str =
    "https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/oauth2/v2.0/token";

fn persisting(kind: &str, client: &str, registered: bool) -> Result<Credential, String> {
    let opts = options(json!({
        "tenantId": TENANT,
        "clientId": client,
        "clientSecret": SECRET,
        "tokenCachePersistenceOptions": { "enabled": true, "name": "tests", "unsafeAllowUnencryptedStorage": true },
        "persistenceRegistered": registered,
    }));
    Credential::new(
        kind,
        &opts,
        &env(&[]).with_log_level(Some(LogLevel::Verbose)),
        7,
    )
    .map_err(|e| e.message)
}

fn client_secret() -> Credential {
    persisting("ClientSecretCredential", CLIENT, true).expect("credential")
}

fn entra_token(token: &str) -> String {
    format!(r#"{{"token_type":"Bearer","expires_in":3599,"access_token":"{token}"}}"#)
}

/// A script that answers a load with `stored` and records what a store writes in `written`.
fn script(stored: Option<&str>, written: &Rc<RefCell<Vec<String>>>) -> Script {
    let stored = stored.map(Secret::new);
    let w = Rc::clone(written);
    Script::new()
        .with(move |a, _| {
            assert!(matches!(a, Action::LoadCache { .. }), "{a:?}");
            Reply::CacheLoaded { contents: stored }
        })
        .otherwise(move |a, _| match a {
            Action::StoreCache { contents, .. } => {
                w.borrow_mut().push(contents.expose().to_owned());
                Reply::CacheStored
            }
            Action::Http { .. } => {
                Reply::Http(azcred_core::HttpResponse::new(200, entra_token(TOKEN)))
            }
            other => panic!("unexpected {other:?}"),
        })
}

/// The transcript without query strings (the request id differs per request).
fn lines(run: &Run) -> Vec<String> {
    run.transcript
        .iter()
        .map(|l| l.split('?').next().unwrap_or_default().to_owned())
        .collect()
}

/// A flow that loads the store, asks Entra ID, then stores the new token.
fn load_request_store() -> [String; 3] {
    [
        format!("load-cache {STORE}"),
        format!("POST {ENDPOINT}"),
        format!("store-cache {STORE}"),
    ]
}

/// One process's first token: the script it ran and the text it stored.
fn first_process() -> (Script, String) {
    let written = Rc::new(RefCell::new(Vec::new()));
    let mut first = script(None, &written);
    first.get(&mut client_secret(), VAULT);
    let stored = written.borrow()[0].clone();
    (first, stored)
}

/// Another process, whose store holds `stored`: its script and what it stores.
fn second_process(stored: &str) -> (Script, Rc<RefCell<Vec<String>>>) {
    let again = Rc::new(RefCell::new(Vec::new()));
    (script(Some(stored), &again), again)
}

fn warnings(cred: &mut Credential) -> Vec<String> {
    cred.take_log()
        .into_iter()
        .filter(|r| r.level == LogLevel::Warning)
        .map(|r| r.message)
        .collect()
}

#[test]
fn the_first_token_loads_the_empty_store_then_requests_then_stores_the_token() {
    let written = Rc::new(RefCell::new(Vec::new()));
    let mut s = script(None, &written);
    let mut cred = client_secret();
    let run = s.get(&mut cred, VAULT);
    assert_eq!(lines(&run), load_request_store());
    assert_eq!(run.token().token.expose(), TOKEN);
    let written = written.borrow();
    assert_eq!(written.len(), 1);
    let doc: Value = serde_json::from_str(&written[0]).unwrap();
    assert_eq!(doc["format"], "azcred.tokenCache");
    assert_eq!(doc["version"], 1);
    let entry = &doc["accessTokens"][0];
    assert_eq!(entry["secret"], TOKEN);
    assert_eq!(entry["scopes"], json!([VAULT]));
    assert_eq!(
        entry["partition"],
        format!("https://login.microsoftonline.com|{TENANT}|{CLIENT}")
    );
    assert_eq!(
        entry["expiresOn"],
        s.now.as_millis() + 3_599_000,
        "the expiry as received"
    );
    // Only the token, its key and expiry: no client secret, no request.
    assert!(!written[0].contains(SECRET));
    assert_eq!(
        doc["accessTokens"][0]
            .as_object()
            .unwrap()
            .keys()
            .collect::<Vec<_>>(),
        [
            "cae",
            "claims",
            "expiresOn",
            "partition",
            "refreshAfter",
            "scopes",
            "secret",
            "tenantId"
        ]
    );
    // The next call is answered from memory: no load, no request, no store.
    let again = s.get(&mut cred, VAULT);
    assert!(again.cached);
}

#[test]
fn a_second_process_gets_the_stored_token_with_no_request_and_no_store() {
    let (first, stored) = first_process();
    // A new credential (another process) ten minutes later.
    let (mut second, again) = second_process(&stored);
    second.now = first.now.plus(std::time::Duration::from_secs(600));
    let mut cred = client_secret();
    let run = second.get(&mut cred, VAULT);
    assert_eq!(lines(&run), [format!("load-cache {STORE}")]);
    assert_eq!(run.token().token.expose(), TOKEN);
    assert!(again.borrow().is_empty(), "nothing changed, nothing stored");
    // Loaded once: the next call is from memory.
    assert!(second.get(&mut cred, VAULT).cached);
}

#[test]
fn another_scope_after_a_load_is_requested_and_stored_beside_the_loaded_token() {
    let (_, stored) = first_process();
    let (mut second, again) = second_process(&stored);
    let mut cred = client_secret();
    let run = second.get(&mut cred, "https://storage.azure.com/.default");
    assert_eq!(lines(&run), load_request_store());
    let (cache, _) = PersistedCache::parse(&again.borrow()[0], second.now).unwrap();
    assert_eq!(cache.len(), 2, "the loaded token is kept");
    // The loaded token went into memory: no load again, no request.
    assert!(second.get(&mut cred, VAULT).cached);
}

#[test]
fn another_apps_tokens_in_the_store_are_not_served_but_are_kept() {
    let (_, stored) = first_process();
    let other_client = "99999999-1111-2222-3333-444444444444";
    let (mut second, again) = second_process(&stored);
    let mut cred = persisting("ClientSecretCredential", other_client, true).unwrap();
    let run = second.get(&mut cred, VAULT);
    assert_eq!(lines(&run), load_request_store());
    let (cache, _) = PersistedCache::parse(&again.borrow()[0], second.now).unwrap();
    assert_eq!(cache.len(), 2, "both apps' tokens are in the store");
}

#[test]
fn a_corrupt_store_is_a_warning_then_a_normal_request_and_is_replaced() {
    let written = Rc::new(RefCell::new(Vec::new()));
    let mut s = script(Some("{not json at all SENTINEL"), &written);
    let mut cred = client_secret();
    let run = s.get(&mut cred, VAULT);
    assert_eq!(run.token().token.expose(), TOKEN);
    assert_eq!(run.transcript.len(), 3, "{:?}", run.transcript);
    let w = warnings(&mut cred);
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(
        w[0].starts_with(
            "ClientSecretCredential => the persisted token cache 'tests.azcred' was ignored: it is not a readable azcred cache"
        ),
        "{}",
        w[0]
    );
    assert!(!w[0].contains("SENTINEL"));
    assert_eq!(written.borrow().len(), 1, "replaced by the new token");
}

#[test]
fn an_msal_cache_under_the_name_is_a_warning_and_is_never_overwritten() {
    let msal = r#"{"Account":{},"IdToken":{},"AccessToken":{"k":{"secret":"msal-SENTINEL"}},"RefreshToken":{},"AppMetadata":{}}"#;
    let written = Rc::new(RefCell::new(Vec::new()));
    let mut s = script(Some(msal), &written);
    let mut cred = client_secret();
    let run = s.get(&mut cred, VAULT);
    assert_eq!(
        lines(&run),
        [format!("load-cache {STORE}"), format!("POST {ENDPOINT}")]
    );
    let w = warnings(&mut cred);
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(w[0].contains("was not written by azcred"), "{}", w[0]);
    assert!(!w[0].contains("SENTINEL"));
    // A new scope later: still not stored, and the store is not read again.
    s.push(|_, _| Reply::Http(azcred_core::HttpResponse::new(200, entra_token("t2"))));
    let run = s.get(&mut cred, "https://storage.azure.com/.default");
    assert_eq!(lines(&run), [format!("POST {ENDPOINT}")]);
    assert!(written.borrow().is_empty());
}

#[test]
fn a_store_from_a_newer_azcred_is_a_warning_and_is_never_overwritten() {
    let newer = r#"{"format":"azcred.tokenCache","version":7,"accessTokens":[]}"#;
    let written = Rc::new(RefCell::new(Vec::new()));
    let mut s = script(Some(newer), &written);
    let mut cred = client_secret();
    let run = s.get(&mut cred, VAULT);
    assert_eq!(run.transcript.len(), 2, "{:?}", run.transcript);
    let w = warnings(&mut cred);
    assert!(w[0].contains("newer azcred (format version 7"), "{}", w[0]);
    assert!(written.borrow().is_empty());
}

#[test]
fn an_expired_stored_token_is_not_served() {
    let (first, stored) = first_process();
    let (mut second, again) = second_process(&stored);
    // 56 minutes on: under five minutes left, so not served.
    second.now = first.now.plus(std::time::Duration::from_secs(56 * 60));
    let run = second.get(&mut client_secret(), VAULT);
    assert_eq!(run.transcript.len(), 3, "{:?}", run.transcript);
    let (cache, _) = PersistedCache::parse(&again.borrow()[0], second.now).unwrap();
    assert_eq!(
        cache.len(),
        1,
        "the expired one is dropped, the new one stored"
    );
}

#[test]
fn a_store_that_cannot_be_read_is_a_warning_and_is_tried_again_by_the_next_flow() {
    let written = Rc::new(RefCell::new(Vec::new()));
    let mut s = Script::new()
        .fail(IoFailureKind::TimedOut, "the cache plugin did not answer")
        .otherwise({
            let w = Rc::clone(&written);
            move |a, _| match a {
                Action::StoreCache { contents, .. } => {
                    w.borrow_mut().push(contents.expose().to_owned());
                    Reply::CacheStored
                }
                Action::LoadCache { .. } => Reply::CacheLoaded { contents: None },
                _ => Reply::Http(azcred_core::HttpResponse::new(200, entra_token(TOKEN))),
            }
        });
    let mut cred = client_secret();
    let run = s.get(&mut cred, VAULT);
    assert_eq!(
        lines(&run),
        [format!("load-cache {STORE}"), format!("POST {ENDPOINT}")],
        "what could not be read is not written over"
    );
    let w = warnings(&mut cred);
    assert!(w[0].contains("could not be read (the cache plugin did not answer)"));
    let run = s.get(&mut cred, "https://storage.azure.com/.default");
    assert_eq!(run.transcript[0], format!("load-cache {STORE}"));
}

#[test]
fn enabled_without_a_registered_plugin_fails_as_the_reference_does() {
    for kind in [
        "ClientSecretCredential",
        "ClientCertificateCredential",
        "ClientAssertionCredential",
    ] {
        let opts = options(json!({
            "tenantId": TENANT, "clientId": CLIENT, "clientSecret": SECRET,
            "certificate": "-----BEGIN PRIVATE KEY-----\nx\n-----END PRIVATE KEY-----",
            "assertionCallback": true,
            "tokenCachePersistenceOptions": { "enabled": true },
        }));
        let e = Credential::new(kind, &opts, &env(&[]), 1).unwrap_err();
        assert_eq!(e.code, "InvalidConfig");
        assert!(
            e.message.starts_with(
                "Persistent token caching was requested, but no persistence provider was configured."
            ),
            "{kind}: {}",
            e.message
        );
    }
    // Disabled, or a credential whose options do not take it: no error, nothing persisted.
    let off = options(json!({
        "tenantId": TENANT, "clientId": CLIENT, "clientSecret": SECRET,
        "tokenCachePersistenceOptions": { "enabled": false },
    }));
    assert!(Credential::new("ClientSecretCredential", &off, &env(&[]), 1).is_ok());
    let mi = options(json!({ "tokenCachePersistenceOptions": { "enabled": true } }));
    let mut cred = Credential::new("ManagedIdentityCredential", &mi, &env(&[]), 1).unwrap();
    let mut s = Script::new().otherwise(|a, _| {
        assert!(!matches!(
            a,
            Action::LoadCache { .. } | Action::StoreCache { .. }
        ));
        Reply::Failed(azcred_core::IoFailure::new(
            IoFailureKind::Refused,
            "refused",
        ))
    });
    let _ = s.run(&mut cred, TokenRequest::new([VAULT]));
}

#[test]
fn environment_credential_persists_as_the_client_secret_credential_it_builds() {
    let opts = options(json!({
        "tokenCachePersistenceOptions": { "enabled": true },
        "persistenceRegistered": true,
    }));
    let e = env(&[
        ("AZURE_TENANT_ID", TENANT),
        ("AZURE_CLIENT_ID", CLIENT),
        ("AZURE_CLIENT_SECRET", SECRET),
    ]);
    let mut cred = Credential::new("EnvironmentCredential", &opts, &e, 1).unwrap();
    let written = Rc::new(RefCell::new(Vec::new()));
    let mut s = script(None, &written);
    let run = s.get(&mut cred, VAULT);
    assert_eq!(
        lines(&run),
        [
            "load-cache msal.cache.azcred".to_owned(),
            format!("POST {ENDPOINT}"),
            "store-cache msal.cache.azcred".to_owned()
        ]
    );
}

#[test]
fn the_store_holds_no_secret_in_any_debug_output() {
    let written = Rc::new(RefCell::new(Vec::new()));
    let mut s = script(None, &written);
    let mut cred = client_secret();
    let run = s.get(&mut cred, VAULT);
    for a in &run.actions {
        let shown = format!("{a:?}");
        assert!(!shown.contains("SENTINEL"), "{shown}");
    }
    let shown = format!("{cred:?}");
    assert!(!shown.contains("SENTINEL"), "{shown}");
    let at = Timestamp::from_secs(1);
    let (cache, _) = PersistedCache::parse(&written.borrow()[0], at).unwrap();
    assert!(!format!("{cache:?}").contains("SENTINEL"));
}

const UID: &str = "9f3e0000-0000-4000-8000-0000000000a1";
const RT: &str = "refresh-token-SENTINEL-1";
const RT2: &str = "refresh-token-SENTINEL-2";
const GRAPH: &str = "https://graph.microsoft.com/.default";

/// A device-code credential persisting under `tests`, with `extra` options.
fn device_code(extra: Value) -> Credential {
    let mut opts = json!({
        "tenantId": TENANT,
        "clientId": CLIENT,
        "tokenCachePersistenceOptions": { "enabled": true, "name": "tests", "unsafeAllowUnencryptedStorage": true },
        "persistenceRegistered": true,
    });
    if let (Some(o), Value::Object(e)) = (opts.as_object_mut(), extra) {
        o.extend(e);
    }
    Credential::new("DeviceCodeCredential", &options(opts), &env(&[]), 7).expect("credential")
}

/// A script whose load answers `stored`, whose stores go to `written`, and whose other actions
/// get `answers` in order.
fn user_script(
    stored: Option<&str>,
    written: &Rc<RefCell<Vec<String>>>,
    answers: Vec<Reply>,
) -> Script {
    let stored = stored.map(Secret::new);
    let w = Rc::clone(written);
    let mut answers = std::collections::VecDeque::from(answers);
    let mut stored = Some(stored);
    Script::new().otherwise(move |a, _| match a {
        Action::LoadCache { .. } => Reply::CacheLoaded {
            contents: stored.take().expect("one load"),
        },
        Action::StoreCache { contents, .. } => {
            w.borrow_mut().push(contents.expose().to_owned());
            Reply::CacheStored
        }
        other => answers
            .pop_front()
            .unwrap_or_else(|| panic!("no answer left for {other:?}")),
    })
}

fn http_reply(status: u16, body: &str) -> Reply {
    Reply::Http(azcred_core::HttpResponse::new(status, body))
}

/// The device-code answer, the prompt, and the poll that signs the user in.
fn device_sign_in(token: &str, refresh: &str) -> Vec<Reply> {
    let device = json!({
        "user_code": "ABCD-EFGH", "device_code": "device-code-SENTINEL",
        "verification_uri": "https://microsoft.com/devicelogin", "expires_in": 900, "interval": 5,
        "message": "To sign in, enter the code ABCD-EFGH.",
    });
    vec![
        http_reply(200, &device.to_string()),
        Reply::Prompted,
        http_reply(200, &user_answer(token, Some(refresh), UID, TENANT)),
    ]
}

fn account_partition() -> String {
    format!("https://login.microsoftonline.com|{TENANT}|{CLIENT}|account:{UID}.{TENANT}")
}

/// A first process: `authenticate()` signs in with a device code; returns the record (as the
/// app would serialize it) and the text stored.
fn signed_in_process() -> (Value, String) {
    let written = Rc::new(RefCell::new(Vec::new()));
    let mut s = user_script(None, &written, device_sign_in("at-storage", RT));
    let mut cred = device_code(json!({}));
    let mut request = TokenRequest::new([VAULT]);
    request.authenticate = true;
    let run = s.run(&mut cred, request);
    assert_eq!(run.token().token.expose(), "at-storage");
    let record = serde_json::to_value(cred.authentication_record().expect("a record")).unwrap();
    let stored = written.borrow().last().expect("a store").clone();
    (record, stored)
}

#[test]
fn a_sign_in_stores_its_access_token_and_refresh_token_under_the_account() {
    let written = Rc::new(RefCell::new(Vec::new()));
    let mut s = user_script(None, &written, device_sign_in("at-storage", RT));
    let mut cred = device_code(json!({}));
    let run = s.get(&mut cred, VAULT);
    let authority = format!("https://login.microsoftonline.com/{TENANT}/oauth2/v2.0");
    let shape: Vec<String> = lines(&run)
        .into_iter()
        .map(|l| {
            if l.starts_with("other PromptDeviceCode") {
                "prompt".into()
            } else {
                l
            }
        })
        .collect();
    assert_eq!(
        shape,
        [
            format!("load-cache {STORE}"),
            format!("POST {authority}/devicecode"),
            "prompt".to_owned(),
            format!("POST {authority}/token"),
            format!("store-cache {STORE}"),
        ]
    );
    let doc: Value = serde_json::from_str(&written.borrow()[0]).unwrap();
    assert_eq!(doc["accessTokens"][0]["partition"], account_partition());
    assert_eq!(doc["accessTokens"][0]["secret"], "at-storage");
    assert_eq!(
        doc["refreshTokens"],
        json!([{ "partition": account_partition(), "secret": RT }])
    );
    // No device code, id token or account details in the store: the record names the account.
    let text = &written.borrow()[0];
    assert!(!text.contains("device-code-SENTINEL"));
    assert!(!text.contains("ada@contoso.com"));
}

#[test]
fn a_second_process_with_the_record_is_served_from_the_store_and_renews_through_the_refresh_token()
{
    let (record, stored) = signed_in_process();
    let written = Rc::new(RefCell::new(Vec::new()));
    // Another scope is asked of Entra ID with the stored refresh token, which it rotates.
    let renewal = http_reply(200, &user_answer("at-graph", Some(RT2), UID, TENANT));
    let mut s = user_script(Some(&stored), &written, vec![renewal]);
    let mut cred = device_code(json!({ "authenticationRecord": record }));
    // The stored token: one load, no request, no store.
    let run = s.get(&mut cred, VAULT);
    assert_eq!(lines(&run), [format!("load-cache {STORE}")]);
    assert_eq!(run.token().token.expose(), "at-storage");
    assert!(written.borrow().is_empty());
    // Another scope: the refresh token, no sign-in, and the rotated one stored.
    let run = s.get(&mut cred, GRAPH);
    assert_eq!(run.token().token.expose(), "at-graph");
    assert_eq!(
        lines(&run),
        [
            format!("POST https://login.microsoftonline.com/{TENANT}/oauth2/v2.0/token"),
            format!("store-cache {STORE}"),
        ]
    );
    let body = run.requests()[0].body.as_ref().unwrap().expose().to_owned();
    assert!(body.contains("grant_type=refresh_token"), "{body}");
    assert!(body.contains(&format!("refresh_token={RT}")), "{body}");
    let doc: Value = serde_json::from_str(&written.borrow()[0]).unwrap();
    assert_eq!(doc["refreshTokens"][0]["secret"], RT2);
    assert_eq!(doc["accessTokens"].as_array().unwrap().len(), 2);
}

#[test]
fn a_stored_refresh_token_is_used_when_the_stored_access_token_has_expired() {
    let (record, stored) = signed_in_process();
    let written = Rc::new(RefCell::new(Vec::new()));
    let renewal = http_reply(200, &user_answer("at-renewed", None, UID, TENANT));
    let mut s = user_script(Some(&stored), &written, vec![renewal]);
    s.now = s.now.plus(std::time::Duration::from_secs(7200));
    let mut cred = device_code(json!({ "authenticationRecord": record }));
    let run = s.get(&mut cred, VAULT);
    assert_eq!(run.token().token.expose(), "at-renewed");
    assert_eq!(run.requests().len(), 1, "the refresh token, no device code");
    // The refresh token was not rotated: the stored one is kept.
    let doc: Value = serde_json::from_str(&written.borrow()[0]).unwrap();
    assert_eq!(doc["refreshTokens"][0]["secret"], RT);
}

#[test]
fn without_a_record_a_second_process_signs_in_again_as_the_reference_does() {
    // The reference's silent request needs an account; without `authenticationRecord` a new
    // credential has none, so it signs in whatever the store holds.
    let (_, stored) = signed_in_process();
    let written = Rc::new(RefCell::new(Vec::new()));
    let mut s = user_script(Some(&stored), &written, device_sign_in("at-new", RT2));
    let mut cred = device_code(json!({}));
    let run = s.get(&mut cred, VAULT);
    assert_eq!(run.token().token.expose(), "at-new");
    assert!(run.requests()[0].url.ends_with("/devicecode"));
    // The same account signed in again: its entries are replaced, not doubled.
    let doc: Value = serde_json::from_str(&written.borrow()[0]).unwrap();
    assert_eq!(
        doc["refreshTokens"],
        json!([{ "partition": account_partition(), "secret": RT2 }])
    );
    assert_eq!(doc["accessTokens"].as_array().unwrap().len(), 1);
}

#[test]
fn a_record_of_another_account_gets_none_of_the_stored_tokens() {
    let (mut record, stored) = signed_in_process();
    record["homeAccountId"] = json!(format!("00000000-0000-4000-8000-0000000000b2.{TENANT}"));
    let written = Rc::new(RefCell::new(Vec::new()));
    let mut s = user_script(Some(&stored), &written, device_sign_in("at-other", RT2));
    let mut cred = device_code(
        json!({ "authenticationRecord": record, "disableAutomaticAuthentication": true }),
    );
    let run = s.get(&mut cred, VAULT);
    assert_eq!(lines(&run), [format!("load-cache {STORE}")]);
    assert_eq!(
        run.error().message,
        "Automatic authentication has been disabled. You may call the authentication() method."
    );
}

#[test]
fn on_behalf_of_tokens_are_stored_per_user_assertion() {
    let obo = |assertion: &str| {
        let opts = options(json!({
            "tenantId": TENANT, "clientId": CLIENT, "clientSecret": SECRET,
            "userAssertionToken": assertion,
            "tokenCachePersistenceOptions": { "enabled": true, "name": "tests" },
            "persistenceRegistered": true,
        }));
        Credential::new("OnBehalfOfCredential", &opts, &env(&[]), 7).expect("credential")
    };
    let written = Rc::new(RefCell::new(Vec::new()));
    let mut s = script(None, &written);
    let run = s.get(&mut obo("assertion-of-ada-SENTINEL"), VAULT);
    assert_eq!(lines(&run), load_request_store());
    let stored = written.borrow()[0].clone();
    let doc: Value = serde_json::from_str(&stored).unwrap();
    let partition = doc["accessTokens"][0]["partition"]
        .as_str()
        .unwrap()
        .to_owned();
    let app = format!("https://login.microsoftonline.com|{TENANT}|{CLIENT}");
    assert!(
        partition.starts_with(&format!("{app}|assertion:")),
        "{partition}"
    );
    assert!(
        !stored.contains("assertion-of-ada-SENTINEL"),
        "a hash, not the assertion"
    );
    // The same user's assertion in another process: served from the store.
    let (mut second, _) = second_process(&stored);
    let run = second.get(&mut obo("assertion-of-ada-SENTINEL"), VAULT);
    assert_eq!(lines(&run), [format!("load-cache {STORE}")]);
    // Another user's: asked of Entra ID, and stored beside the first.
    let (mut third, again) = second_process(&stored);
    let run = third.get(&mut obo("assertion-of-bob-SENTINEL"), VAULT);
    assert_eq!(lines(&run), load_request_store());
    let (cache, _) = PersistedCache::parse(&again.borrow()[0], third.now).unwrap();
    assert_eq!(cache.len(), 2);
}

#[test]
fn password_grant_tokens_are_stored_per_user() {
    let env_cred = |user: &str| {
        let pairs = [
            ("AZURE_TENANT_ID", TENANT),
            ("AZURE_CLIENT_ID", CLIENT),
            ("AZURE_USERNAME", user),
            ("AZURE_PASSWORD", "password-SENTINEL"),
        ];
        let opts = options(json!({
            "tokenCachePersistenceOptions": { "enabled": true, "name": "tests" },
            "persistenceRegistered": true,
        }));
        Credential::new("EnvironmentCredential", &opts, &env(&pairs), 7).expect("credential")
    };
    let written = Rc::new(RefCell::new(Vec::new()));
    let mut s = script(None, &written);
    s.get(&mut env_cred("ada@contoso.com"), VAULT);
    let stored = written.borrow()[0].clone();
    assert!(!stored.contains("password-SENTINEL"));
    let (mut second, _) = second_process(&stored);
    let run = second.get(&mut env_cred("bob@contoso.com"), VAULT);
    assert_eq!(lines(&run), load_request_store(), "not ada's token");
    let (mut third, _) = second_process(&stored);
    let run = third.get(&mut env_cred("ada@contoso.com"), VAULT);
    assert_eq!(lines(&run), [format!("load-cache {STORE}")]);
}

#[test]
fn every_credential_that_takes_the_option_persists_and_none_warns() {
    let opts = options(json!({
        "tenantId": TENANT,
        "clientId": CLIENT,
        "clientSecret": SECRET,
        "userAssertionToken": "user-assertion",
        "tokenCachePersistenceOptions": { "enabled": true },
        "persistenceRegistered": false,
    }));
    let env = env(&[]).with_log_level(Some(LogLevel::Warning));
    for kind in [
        "OnBehalfOfCredential",
        "DeviceCodeCredential",
        "InteractiveBrowserCredential",
    ] {
        // Without a plugin it is the reference's error: the option is taken.
        let e = Credential::new(kind, &opts, &env, 7).unwrap_err();
        assert!(
            e.message
                .starts_with("Persistent token caching was requested"),
            "{kind}: {}",
            e.message
        );
    }
    // A credential that persists says nothing of the kind.
    let mut cred = client_secret();
    assert!(warnings(&mut cred).is_empty());
}
