//! Scenario tests for DefaultAzureCredential's composition: the members and their order,
//! `AZURE_TOKEN_CREDENTIALS`, which options reach which member, managed identity's token
//! exchange, and the aggregate report.

mod support;

use azcred_core::{Credential, EnvSnapshot};
use serde_json::json;
use support::*;

const ALL: [&str; 7] = [
    "EnvironmentCredential",
    "WorkloadIdentityCredential",
    "ManagedIdentityCredential",
    "VisualStudioCodeCredential",
    "AzureCliCredential",
    "AzurePowerShellCredential",
    "AzureDeveloperCliCredential",
];

fn names(cred: &Credential) -> Vec<String> {
    cred.explain().into_iter().map(|m| m.name).collect()
}

fn try_dac(pairs: &[(&str, &str)]) -> Result<Credential, azcred_core::ConfigError> {
    Credential::new(
        "DefaultAzureCredential",
        &options(json!({})),
        &env(pairs),
        1,
    )
}

#[test]
fn the_reference_order() {
    assert_eq!(names(&dac(json!({}), &[])), ALL);
}

#[test]
fn azure_token_credentials_selects_members() {
    let cases: &[(&str, &[&str])] = &[
        ("prod", &ALL[..3]),
        ("dev", &ALL[3..]),
        ("  DeV ", &ALL[3..]),
        ("ManagedIdentityCredential", &["ManagedIdentityCredential"]),
        ("azureclicredential", &["AzureCliCredential"]),
        ("EnvironmentCredential", &["EnvironmentCredential"]),
        ("   ", &ALL),
        ("", &ALL),
    ];
    for (value, want) in cases {
        let cred = try_dac(&[("AZURE_TOKEN_CREDENTIALS", value)]).unwrap();
        assert_eq!(names(&cred), *want, "{value:?}");
    }
}

#[test]
fn invalid_azure_token_credentials_throws_the_reference_message() {
    for value in ["broker", "BrokerCredential", "cli", "prod,dev"] {
        let e = try_dac(&[("AZURE_TOKEN_CREDENTIALS", value)]).unwrap_err();
        assert_eq!(e.code, "InvalidConfig");
        assert_eq!(
            e.message,
            format!(
                "Invalid value for AZURE_TOKEN_CREDENTIALS = {value}. Valid values are 'prod' or \
                 'dev' or any of these credentials - EnvironmentCredential, \
                 WorkloadIdentityCredential, ManagedIdentityCredential, \
                 VisualStudioCodeCredential, AzureCliCredential, AzurePowerShellCredential, \
                 AzureDeveloperCliCredential."
            )
        );
    }
}

#[test]
fn managed_identity_alone_does_not_probe() {
    let mut cred = dac(
        json!({}),
        &[("AZURE_TOKEN_CREDENTIALS", "managedidentitycredential")],
    );
    let mut s = Script::new().token_for("tok", 3600);
    let run = s.get(&mut cred, STORAGE);
    assert_eq!(run.transcript.len(), 1);
    assert!(run.transcript[0].contains("api-version=2018-02-01"));
    assert!(!run.transcript[0].ends_with("[probe]"));

    let mut cred = dac(json!({}), &[("AZURE_TOKEN_CREDENTIALS", "prod")]);
    let mut s = Script::new().http(400, "").token_for("tok", 3600);
    let run = s.get(&mut cred, STORAGE);
    assert!(run.transcript[0].ends_with("[probe]"));
}

#[test]
fn required_env_vars_come_before_azure_token_credentials() {
    let e = Credential::new(
        "DefaultAzureCredential",
        &options(json!({"requiredEnvVars": "AZURE_TENANT_ID"})),
        &env(&[("AZURE_TOKEN_CREDENTIALS", "nonsense")]),
        1,
    )
    .unwrap_err();
    assert!(
        e.message
            .starts_with("Required environment variable 'AZURE_TENANT_ID'")
    );
}

#[test]
fn the_tenant_option_reaches_the_cli_and_not_the_environment_credential() {
    let mut cred = dac(
        json!({"tenantId": "t-opt"}),
        &[("AZURE_TOKEN_CREDENTIALS", "AzureCliCredential")],
    );
    let mut s = Script::new().with(|a, _| {
        let azcred_core::Action::Run { args, .. } = a else {
            panic!("{a:?}")
        };
        assert!(
            args.windows(2).any(|w| w == ["--tenant", "t-opt"]),
            "{args:?}"
        );
        azcred_core::Reply::Ran(azcred_core::ProcessOutput {
            exit_code: Some(0),
            stdout: azcred_core::Secret::new(format!(
                r#"{{"accessToken":"cli-tok","expires_on":{}}}"#,
                1_700_003_600
            )),
            stderr: String::new(),
        })
    });
    assert_eq!(s.get(&mut cred, STORAGE).token().token.expose(), "cli-tok");
}

#[test]
fn a_federated_token_file_turns_managed_identity_into_the_token_exchange() {
    let pairs = [
        ("AZURE_FEDERATED_TOKEN_FILE", "/var/run/secrets/token"),
        ("AZURE_TENANT_ID", "tenant-1"),
        ("AZURE_CLIENT_ID", "client-1"),
        ("AZURE_TOKEN_CREDENTIALS", "ManagedIdentityCredential"),
        ("IDENTITY_ENDPOINT", "http://127.0.0.1:1/msi/token"),
        ("IDENTITY_HEADER", "h"),
    ];
    let mut cred = dac(json!({}), &pairs);
    assert!(
        cred.explain()[0].detail.starts_with("token exchange"),
        "{:?}",
        cred.explain()
    );
    let mut s = Script::new()
        .with(|a, _| {
            let azcred_core::Action::ReadFile { path, .. } = a else {
                panic!("{a:?}")
            };
            assert_eq!(path, "/var/run/secrets/token");
            azcred_core::Reply::File {
                contents: azcred_core::Secret::new("federated-jwt\n"),
            }
        })
        .with(|a, now| {
            let (req, _, _) = http(a);
            assert_eq!(
                req.url.split('?').next().unwrap(),
                "https://login.microsoftonline.com/tenant-1/oauth2/v2.0/token"
            );
            let body = req.body.as_ref().unwrap().expose();
            assert!(body.contains("client_id=client-1"), "{body}");
            assert!(body.contains("client_assertion=federated-jwt&"), "{body}");
            let exp = now.as_millis() / 1000 + 3600;
            azcred_core::Reply::Http(azcred_core::HttpResponse::new(
                200,
                format!(r#"{{"access_token":"aks","expires_in":3600,"expires_on":{exp}}}"#),
            ))
        });
    assert_eq!(s.get(&mut cred, STORAGE).token().token.expose(), "aks");
}

#[test]
fn an_http_authority_host_leaves_managed_identity_out() {
    let cred = dac(
        json!({}),
        &[("AZURE_AUTHORITY_HOST", "http://login.example.com")],
    );
    let report = cred.explain();
    let mi = report
        .iter()
        .find(|m| m.name == "ManagedIdentityCredential")
        .unwrap();
    assert!(!mi.available);
    assert_eq!(
        mi.detail,
        "The authorityHost address must use the 'https' protocol."
    );
}

#[test]
fn sticky_to_the_developer_tool_that_worked() {
    let mut cred = dac(json!({}), &[("AZURE_TOKEN_CREDENTIALS", "dev")]);
    let cli = |_: &azcred_core::Action, now: &mut azcred_core::Timestamp| {
        azcred_core::Reply::Ran(azcred_core::ProcessOutput {
            exit_code: Some(0),
            stdout: azcred_core::Secret::new(format!(
                r#"{{"accessToken":"cli","expires_on":{}}}"#,
                now.as_millis() / 1000 + 3600
            )),
            stderr: String::new(),
        })
    };
    let mut s = Script::new().with(cli);
    let run = s.get(&mut cred, STORAGE);
    assert!(run.transcript[0].starts_with("run az account get-access-token"));
    assert!(
        cred.explain()
            .iter()
            .any(|m| m.name == "AzureCliCredential" && m.selected)
    );
    let mut s = Script::at(s.now).with(cli);
    let run = s.get(&mut cred, "https://vault.azure.net/.default");
    assert_eq!(
        run.transcript.len(),
        1,
        "straight to az: {:?}",
        run.transcript
    );
}

#[test]
fn platform_changes_nothing_for_linux_defaults() {
    // The snapshot's default platform is Linux; a Windows one still builds every member.
    let cred = Credential::new(
        "DefaultAzureCredential",
        &options(json!({})),
        &EnvSnapshot::from_pairs([("SystemRoot", "C:\\Windows")])
            .with_platform(azcred_core::Platform::Win32),
        1,
    )
    .unwrap();
    assert_eq!(names(&cred), ALL);
}
