//! The Rust API: each typed constructor builds the credential the options union builds (the same
//! requests), and a chain over core credentials walks them as the reference's chain does.

mod support;

use azcred_core::{
    BrowserOptions, CertificateSource, Credential, DefaultOptions, DeveloperToolOptions,
    EntraOptions, Kind, ManagedIdentityOptions, Secret, TokenCachePersistenceOptions,
    UserAssignedId, UserOptions,
};
use serde_json::json;
use support::*;

const TENANT: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const APP_SERVICE: &[(&str, &str)] = &[
    ("IDENTITY_ENDPOINT", "http://127.0.0.1:4000/msi/token"),
    ("IDENTITY_HEADER", "h"),
];

/// The transcript of one getToken against a token endpoint that answers everything.
fn transcript(cred: &mut Credential) -> Vec<String> {
    Script::new()
        .otherwise(|a, now| match a {
            azcred_core::Action::Http { .. } => {
                azcred_core::Reply::Http(azcred_core::HttpResponse::new(
                    200,
                    format!(
                        r#"{{"access_token":"t","expires_in":3600,"expires_on":"{}"}}"#,
                        now.as_millis() / 1000 + 3600
                    ),
                ))
            }
            _ => azcred_core::Reply::Failed(azcred_core::IoFailure::new(
                azcred_core::IoFailureKind::NotFound,
                "absent",
            )),
        })
        .get(cred, STORAGE)
        .transcript
        .into_iter()
        // Request ids are random per credential.
        .map(|t| {
            t.split("client-request-id=")
                .next()
                .unwrap_or_default()
                .to_owned()
        })
        .collect()
}

#[test]
fn typed_constructors_send_what_the_options_union_sends() {
    let pairs: &[(&str, &str)] = APP_SERVICE;
    let e = env(pairs);
    let cases: Vec<(Credential, Credential)> = vec![
        (
            Credential::managed_identity(
                ManagedIdentityOptions {
                    id: Some(UserAssignedId::ClientId("c1".into())),
                    retry: None,
                },
                &e,
                1,
            )
            .unwrap(),
            credential(
                "ManagedIdentityCredential",
                json!({"clientId": "c1"}),
                pairs,
            ),
        ),
        (
            Credential::client_secret(
                TENANT,
                "app",
                Secret::new("s"),
                EntraOptions::default(),
                &e,
                1,
            )
            .unwrap(),
            credential(
                "ClientSecretCredential",
                json!({"tenantId": TENANT, "clientId": "app", "clientSecret": "s"}),
                pairs,
            ),
        ),
        (
            Credential::default_azure(
                DefaultOptions {
                    managed_identity: Some(UserAssignedId::ResourceId("/r".into())),
                    ..DefaultOptions::default()
                },
                &e,
                1,
            )
            .unwrap(),
            credential(
                "DefaultAzureCredential",
                json!({"managedIdentityResourceId": "/r"}),
                pairs,
            ),
        ),
        (
            Credential::username_password(
                TENANT,
                "app",
                "ada",
                Secret::new("pw"),
                EntraOptions::default(),
                &e,
                1,
            )
            .unwrap(),
            credential(
                "UsernamePasswordCredential",
                json!({"tenantId": TENANT, "clientId": "app", "username": "ada", "password": "pw"}),
                pairs,
            ),
        ),
        (
            Credential::authorization_code(
                TENANT,
                "app",
                Some(Secret::new("s")),
                Secret::new("code"),
                "http://localhost",
                EntraOptions::default(),
                &e,
                1,
            )
            .unwrap(),
            credential(
                "AuthorizationCodeCredential",
                json!({"tenantId": TENANT, "clientId": "app", "clientSecret": "s",
                       "authorizationCode": "code", "redirectUri": "http://localhost"}),
                pairs,
            ),
        ),
        (
            Credential::device_code(Some(TENANT), None, UserOptions::default(), &e, 1).unwrap(),
            credential("DeviceCodeCredential", json!({"tenantId": TENANT}), pairs),
        ),
        (
            Credential::interactive_browser(
                Some(TENANT),
                None,
                BrowserOptions {
                    redirect_uri: Some("http://localhost:53123".into()),
                    login_hint: Some("ada@contoso.com".into()),
                    sign_in_timeout: Some(std::time::Duration::from_secs(60)),
                    ..BrowserOptions::default()
                },
                &e,
                1,
            )
            .unwrap(),
            credential(
                "InteractiveBrowserCredential",
                json!({"tenantId": TENANT, "redirectUri": "http://localhost:53123",
                       "loginHint": "ada@contoso.com", "signInTimeoutInMs": 60000}),
                pairs,
            ),
        ),
        (
            Credential::client_secret(
                TENANT,
                "app",
                Secret::new("s"),
                EntraOptions {
                    persistence: Some(TokenCachePersistenceOptions {
                        enabled: true,
                        name: Some("app".into()),
                        unsafe_allow_unencrypted_storage: false,
                    }),
                    ..EntraOptions::default()
                },
                &e,
                1,
            )
            .unwrap(),
            credential(
                "ClientSecretCredential",
                json!({"tenantId": TENANT, "clientId": "app", "clientSecret": "s",
                       "tokenCachePersistenceOptions": {"enabled": true, "name": "app"},
                       "persistenceRegistered": true}),
                pairs,
            ),
        ),
    ];
    for (mut typed, mut union) in cases {
        assert_eq!(typed.name(), union.name());
        let (a, b) = (transcript(&mut typed), transcript(&mut union));
        assert!(!a.is_empty());
        assert_eq!(a, b, "{}", typed.name());
        if typed.name() == "ClientSecretCredential" && a.len() > 1 {
            assert_eq!(a[0], "load-cache app.azcred", "persistence: the load first");
        }
    }
}

#[test]
fn typed_constructors_check_as_the_union_does() {
    let e = env(&[]);
    assert!(
        Credential::client_secret(
            "bad tenant!",
            "app",
            Secret::new("s"),
            EntraOptions::default(),
            &e,
            1
        )
        .is_err()
    );
    let object = DefaultOptions {
        managed_identity: Some(UserAssignedId::ObjectId("o".into())),
        ..DefaultOptions::default()
    };
    let err = Credential::default_azure(object, &e, 1).unwrap_err();
    assert!(err.message.contains("not its object id"), "{}", err.message);
    let cert = Credential::client_certificate(
        TENANT,
        "app",
        CertificateSource::Path("/nonexistent.pem".into()),
        None,
        false,
        EntraOptions::default(),
        &e,
        1,
    )
    .unwrap();
    assert_eq!(cert.name(), Kind::ClientCertificateCredential.name());
}

#[test]
fn a_chain_of_core_credentials_skips_the_unavailable_and_stops_at_a_refusal() {
    let e = env(APP_SERVICE);
    // Azure CLI not installed (unavailable), then managed identity: the chain moves on.
    let mut chain = Credential::chain(
        vec![
            Credential::azure_cli(DeveloperToolOptions::default(), &e, 1).unwrap(),
            Credential::managed_identity(ManagedIdentityOptions::default(), &e, 2).unwrap(),
        ],
        3,
    )
    .unwrap();
    assert_eq!(chain.name(), "ChainedTokenCredential");
    let names: Vec<_> = chain.explain().into_iter().map(|m| m.name).collect();
    assert_eq!(names, ["AzureCliCredential", "ManagedIdentityCredential"]);
    let run = Script::new()
        .fail(azcred_core::IoFailureKind::NotFound, "az: not found")
        .token_for("mi", 3600)
        .get(&mut chain, STORAGE);
    assert_eq!(run.token().token.expose(), "mi");
    // A refusal (EnvironmentCredential's service principal is refused) stops the chain: the
    // CLI is not tried, and the refusal is the chain's error.
    let sp = env(&[
        ("AZURE_TENANT_ID", TENANT),
        ("AZURE_CLIENT_ID", "app"),
        ("AZURE_CLIENT_SECRET", "wrong"),
    ]);
    let mut refusing = Credential::chain(
        vec![
            Credential::environment(EntraOptions::default(), &sp, 4).unwrap(),
            Credential::azure_cli(DeveloperToolOptions::default(), &sp, 5).unwrap(),
        ],
        6,
    )
    .unwrap();
    let run = Script::new()
        .http(
            401,
            r#"{"error":"invalid_client","error_description":"bad secret"}"#,
        )
        .get(&mut refusing, STORAGE);
    assert_eq!(run.error().name, "AuthenticationError");
    assert!(
        run.transcript.iter().all(|t| !t.contains(" az ")),
        "{:?}",
        run.transcript
    );
    assert!(Credential::chain(Vec::new(), 7).is_err());
}
