//! Tests of `src/source/managed_identity/endpoint.rs`: which source the environment selects.

use super::*;

#[test]
fn source_detection_order() {
    let sf = [
        ("IDENTITY_ENDPOINT", SF_URL),
        ("IDENTITY_HEADER", "h"),
        ("IDENTITY_SERVER_THUMBPRINT", "T"),
    ];
    let app = [
        ("IDENTITY_ENDPOINT", APP_SERVICE_URL),
        ("IDENTITY_HEADER", "h"),
    ];
    let ml = [("MSI_ENDPOINT", ML_URL), ("MSI_SECRET", "s")];
    let pod = [("AZURE_POD_IDENTITY_AUTHORITY_HOST", "http://pod:1")];
    let over = [("AZCRED_IMDS_ENDPOINT", "http://127.0.0.1:4000")];
    let cat = |parts: &[&[(&'static str, &'static str)]]| -> Vec<(&'static str, &'static str)> {
        parts.iter().flat_map(|p| p.iter().copied()).collect()
    };
    let cases: Vec<(Vec<(&str, &str)>, String)> = vec![
        (
            cat(&[&sf, &ml, &pod, &over]),
            format!("GET {SF_URL}?api-version=2019-07-01-preview"),
        ),
        (
            cat(&[&app, &ml, &pod, &over]),
            format!("GET {APP_SERVICE_URL}?api-version=2019-08-01"),
        ),
        (
            cat(&[&ml, &pod, &over]),
            format!("GET {ML_URL}?api-version=2017-09-01"),
        ),
        (
            cat(&[&[("MSI_ENDPOINT", ML_URL)], &pod, &over]),
            format!("POST {ML_URL}"),
        ),
        (
            cat(&[&pod, &over]),
            "GET http://pod:1/metadata/identity/oauth2/token/?api-version=2018-02-01".to_owned(),
        ),
        (
            over.to_vec(),
            "GET http://127.0.0.1:4000/metadata/identity/oauth2/token?api-version=2018-02-01"
                .to_owned(),
        ),
        // Empty values count as unset: the header is missing, so this is not App Service.
        (
            vec![
                ("IDENTITY_ENDPOINT", APP_SERVICE_URL),
                ("IDENTITY_HEADER", ""),
            ],
            format!("GET {IMDS}?api-version=2018-02-01"),
        ),
        (
            vec![("MSI_ENDPOINT", ""), ("MSI_SECRET", "s")],
            format!("GET {IMDS}?api-version=2018-02-01"),
        ),
    ];
    for (env, want) in cases {
        let run = one_token(mi(json!({}), &env));
        assert!(
            run.transcript[0].starts_with(&want),
            "env {env:?}: got {:?}, want prefix {want}",
            run.transcript
        );
        assert_eq!(run.transcript.len(), 1);
    }
}

#[test]
fn required_env_vars() {
    let build = |opts: serde_json::Value, pairs: &[(&str, &str)]| {
        Credential::new("DefaultAzureCredential", &options(opts), &env(pairs), 1)
    };
    let e = build(json!({"requiredEnvVars": "AZURE_CLIENT_ID"}), &[]).unwrap_err();
    assert_eq!(e.code, "InvalidConfig");
    assert_eq!(
        e.message,
        "Required environment variable 'AZURE_CLIENT_ID' for DefaultAzureCredential is not set \
         or empty."
    );
    let e = build(
        json!({"requiredEnvVars": ["AZURE_CLIENT_ID", "AZURE_TENANT_ID", "AZURE_FEDERATED_TOKEN_FILE"]}),
        &[("AZURE_TENANT_ID", ""), ("AZURE_FEDERATED_TOKEN_FILE", "/f")],
    )
    .unwrap_err();
    assert_eq!(
        e.message,
        "Required environment variables 'AZURE_CLIENT_ID, AZURE_TENANT_ID' for \
         DefaultAzureCredential are not set or empty."
    );
    assert!(
        build(
            json!({"requiredEnvVars": ["AZURE_CLIENT_ID"]}),
            &[("AZURE_CLIENT_ID", "c")]
        )
        .is_ok()
    );
}
