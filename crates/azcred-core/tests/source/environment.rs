//! Tests of `src/source/environment.rs`: `EnvironmentCredential`, which builds a secret,
//! certificate or username/password Entra source from the environment.

use azcred_core::{Action, ErrorKind, IoFailureKind, Secret};
use serde_json::json;

use crate::entra::*;
use crate::support::*;

const SP: &[(&str, &str)] = &[("AZURE_TENANT_ID", TENANT), ("AZURE_CLIENT_ID", CLIENT)];

fn env_cred(extra: &[(&str, &str)]) -> azcred_core::Credential {
    let mut all = SP.to_vec();
    all.extend_from_slice(extra);
    credential("EnvironmentCredential", json!({}), &all)
}

#[test]
fn environment_precedence_secret_then_certificate_then_password() {
    let everything = [
        ("AZURE_CLIENT_SECRET", SECRET),
        ("AZURE_CLIENT_CERTIFICATE_PATH", "/c.pem"),
        ("AZURE_USERNAME", "user@contoso.com"),
        ("AZURE_PASSWORD", "pw-SENTINEL"),
    ];
    let mut cred = env_cred(&everything);
    let run = aad_token(Script::new(), "t").get(&mut cred, STORAGE);
    assert_eq!(field(run.requests()[0], "client_secret").unwrap(), SECRET);

    let mut cred = env_cred(&everything[1..]);
    let run = aad_token(
        Script::new()
            .reply(file(&cert_pem("PRIVATE KEY")))
            .reply(signed("c2ln")),
        "t",
    )
    .get(&mut cred, STORAGE);
    assert_eq!(
        run.shape()[..2],
        ["read-file /c.pem".to_owned(), "sign PS256".to_owned()]
    );

    let mut cred = env_cred(&everything[2..]);
    let run = aad_token(Script::new(), "t").get(&mut cred, STORAGE);
    let req = run.requests()[0];
    let id = field(req, "client-request-id").unwrap();
    assert_eq!(
        form_of(req),
        pairs(&[
            ("client_id", CLIENT),
            ("username", "user@contoso.com"),
            ("password", "pw-SENTINEL"),
            (
                "scope",
                "https://storage.azure.com/.default openid profile offline_access"
            ),
            ("response_type", "token id_token"),
            ("grant_type", "password"),
            ("client_info", "1"),
            ("x-ms-lib-capability", "retry-after, h429"),
            ("client-request-id", &id),
        ])
    );
    assert_eq!(
        req.headers.get("X-AnchorMailbox"),
        Some("UPN: user@contoso.com")
    );
    assert!(!format!("{:?}", run.actions).contains("pw-SENTINEL"));
}

#[test]
fn environment_needs_tenant_and_client_and_one_credential() {
    let unavailable = "EnvironmentCredential is unavailable. No underlying credential could be used. To troubleshoot, visit https://aka.ms/azsdk/js/identity/environmentcredential/troubleshoot.";
    for pairs_ in [
        vec![],
        vec![("AZURE_CLIENT_SECRET", SECRET), ("AZURE_CLIENT_ID", CLIENT)],
        vec![("AZURE_CLIENT_SECRET", SECRET), ("AZURE_TENANT_ID", TENANT)],
        vec![
            ("AZURE_TENANT_ID", TENANT),
            ("AZURE_CLIENT_ID", CLIENT),
            ("AZURE_USERNAME", "u"),
        ],
        vec![
            ("AZURE_TENANT_ID", TENANT),
            ("AZURE_CLIENT_ID", CLIENT),
            ("AZURE_CLIENT_SECRET", ""),
        ],
    ] {
        let mut cred = credential("EnvironmentCredential", json!({}), &pairs_);
        let run = Script::new().get(&mut cred, STORAGE);
        assert_eq!(run.error().kind, ErrorKind::CredentialUnavailable);
        assert_eq!(run.error().message, unavailable);
        assert_no_io(&run);
    }
    let e = build_err(
        "EnvironmentCredential",
        json!({}),
        &[("AZURE_TENANT_ID", "a/b")],
    );
    assert_eq!(
        (e.code, e.message.as_str()),
        ("InvalidConfig", INVALID_TENANT)
    );
    // EnvironmentCredential reads AZURE_TENANT_ID, never the tenantId option.
    let mut cred = credential(
        "EnvironmentCredential",
        json!({"tenantId": OTHER_TENANT}),
        &[
            ("AZURE_TENANT_ID", TENANT),
            ("AZURE_CLIENT_ID", CLIENT),
            ("AZURE_CLIENT_SECRET", SECRET),
        ],
    );
    let run = aad_token(Script::new(), "t").get(&mut cred, STORAGE);
    assert!(run.requests()[0].url.starts_with(&token_endpoint(TENANT)));
}

#[test]
fn environment_wraps_every_failure_in_authentication_error_400() {
    let mut cred = env_cred(&[("AZURE_CLIENT_SECRET", SECRET)]);
    let run = Script::new()
        .http(401, INVALID_CLIENT)
        .get(&mut cred, STORAGE);
    let e = run.error();
    assert_eq!(e.kind, ErrorKind::AuthenticationFailed);
    assert_eq!(e.name, "AuthenticationError");
    assert_eq!(e.status_code, Some(400));
    assert_eq!(e.credential.as_deref(), Some("EnvironmentCredential"));
    let id = field(run.requests()[0], "client-request-id").unwrap();
    let inner = format!(
        "invalid_client: Error(s): 7000215 - Timestamp: 2023-11-14 22:13:20Z - Description: AADSTS7000215: Invalid client secret provided. - Correlation ID: c-1 - Trace ID: t-1 - Client request ID: {id}"
    );
    let resp = e.error_response.as_ref().unwrap();
    assert_eq!(resp.error, ENV_FAILED);
    assert_eq!(resp.error_description, inner);
    assert_eq!(
        e.message,
        format!("{ENV_FAILED} Status code: 400\nMore details:\n{inner},")
    );
    assert!(!e.kind.chain_continues(), "it stops a chain");

    // A tenant the allow-list does not admit, and a missing certificate file, are wrapped too.
    let mut cred = env_cred(&[("AZURE_CLIENT_SECRET", SECRET)]);
    let run = Script::new().run(
        &mut cred,
        request_with(|r| r.tenant_id = Some(OTHER_TENANT.into())),
    );
    assert_eq!(run.error().kind, ErrorKind::AuthenticationFailed);
    assert!(
        run.error()
            .error_response
            .as_ref()
            .unwrap()
            .error_description
            .starts_with("The current credential is not configured")
    );
    let mut cred = env_cred(&[("AZURE_CLIENT_CERTIFICATE_PATH", "/missing.pem")]);
    let run = Script::new()
        .fail(IoFailureKind::NotFound, "the file does not exist")
        .get(&mut cred, STORAGE);
    assert_eq!(run.error().kind, ErrorKind::AuthenticationFailed);
    // "More details:" of an inner AuthenticationError is removed from the description.
    let e = azcred_core::TokenError::authentication_failed(500, "x", "y");
    assert!(e.message.contains("More details:"));
}

#[test]
fn environment_allow_list_and_certificate_settings() {
    let mut cred = env_cred(&[
        ("AZURE_CLIENT_SECRET", SECRET),
        ("AZURE_ADDITIONALLY_ALLOWED_TENANTS", "aaaa;bbbb"),
    ]);
    let run = aad_token(Script::new(), "t").run(
        &mut cred,
        request_with(|r| r.tenant_id = Some("bbbb".into())),
    );
    assert!(run.requests()[0].url.starts_with(&token_endpoint("bbbb")));
    // The option wins over the variable.
    let mut cred = credential(
        "EnvironmentCredential",
        json!({"additionallyAllowedTenants": ["cccc"]}),
        &[
            ("AZURE_TENANT_ID", TENANT),
            ("AZURE_CLIENT_ID", CLIENT),
            ("AZURE_CLIENT_SECRET", SECRET),
            ("AZURE_ADDITIONALLY_ALLOWED_TENANTS", "bbbb"),
        ],
    );
    let run = Script::new().run(
        &mut cred,
        request_with(|r| r.tenant_id = Some("bbbb".into())),
    );
    assert_eq!(run.error().kind, ErrorKind::AuthenticationFailed);

    for (value, chain) in [
        ("TRUE", true),
        ("1", true),
        ("true", true),
        ("yes", false),
        ("0", false),
    ] {
        let mut cred = env_cred(&[
            ("AZURE_CLIENT_CERTIFICATE_PATH", "/c.pem"),
            ("AZURE_CLIENT_SEND_CERTIFICATE_CHAIN", value),
        ]);
        let run = aad_token(
            Script::new()
                .reply(file(&cert_pem("PRIVATE KEY")))
                .reply(signed("c2ln")),
            "t",
        )
        .get(&mut cred, STORAGE);
        let Action::Sign { data, .. } = &run.actions[1] else {
            panic!()
        };
        let header = decode_json(data.split('.').next().unwrap());
        assert_eq!(header.get("x5c").is_some(), chain, "{value}");
    }

    for password in ["pw", ""] {
        let mut cred = env_cred(&[
            ("AZURE_CLIENT_CERTIFICATE_PATH", "/c.pem"),
            ("AZURE_CLIENT_CERTIFICATE_PASSWORD", password),
        ]);
        let run = aad_token(
            Script::new()
                .reply(file(&cert_pem("ENCRYPTED PRIVATE KEY")))
                .reply(signed("c2ln")),
            "t",
        )
        .get(&mut cred, STORAGE);
        let Action::Sign { passphrase, .. } = &run.actions[1] else {
            panic!()
        };
        assert_eq!(passphrase.as_ref().map(Secret::expose), Some(password));
    }
}
