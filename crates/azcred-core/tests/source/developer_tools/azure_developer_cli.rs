//! Tests of `src/source/developer_tools/azure_developer_cli.rs`: `AzureDeveloperCliCredential`
//! (`azd`).

use super::*;

#[test]
fn azd_runs_auth_token_with_every_scope() {
    let mut cred = cred(AZD, json!({}));
    let run = once(
        &mut cred,
        request(&[STORAGE, "https://vault.azure.net/.default"]),
        ran(0, &azd_json("tok", "2023-11-14T23:13:20Z"), ""),
    );
    assert_eq!(
        procs(&run),
        [Proc {
            program: "azd".into(),
            args: strings(&[
                "auth",
                "token",
                "--output",
                "json",
                "--no-prompt",
                "--scope",
                STORAGE,
                "--scope",
                "https://vault.azure.net/.default",
            ]),
            env: vec![],
            env_remove: vec![],
            cwd: Some("/bin".into()),
            deadline: at_ms(DEFAULT_MS),
        }]
    );
    let t = run.token();
    assert_eq!(t.token.expose(), "tok");
    assert_eq!(t.expires_on, Timestamp::from_secs(1_700_003_600));
    assert_eq!(t.refresh_after, None);
}

#[test]
fn azd_passes_tenant_and_claims() {
    let mut cred = cred(AZD, json!({"tenantId": TENANT, "processTimeoutInMs": 700}));
    let run = once(
        &mut cred,
        with_claims(&[STORAGE], "{\"a\":1}", None),
        ran(0, &azd_json("tok", "2023-11-14T23:13:20Z"), ""),
    );
    let p = &procs(&run)[0];
    assert_eq!(
        p.args[5..],
        strings(&[
            "--scope",
            STORAGE,
            "--tenant-id",
            TENANT,
            "--claims",
            "eyJhIjoxfQ=="
        ])
    );
    assert_eq!(p.deadline, at_ms(700));
}

#[test]
fn azd_on_windows_runs_through_cmd() {
    let mut cred = build(AZD, json!({}), &windows(&[("SystemRoot", "C:\\Windows")])).unwrap();
    let run = once(
        &mut cred,
        request(&[STORAGE]),
        ran(0, &azd_json("t", "2023-11-14T23:13:20Z"), ""),
    );
    let p = &procs(&run)[0];
    assert_eq!(p.program, "C:\\Windows\\System32\\cmd.exe");
    assert_eq!(
        p.args[..6],
        strings(&["/d", "/s", "/v:off", "/c", "azd", "auth"])
    );
    assert_eq!(p.cwd.as_deref(), Some("C:\\Windows"));
}

#[test]
fn azd_classification() {
    let mfa = format!(
        "{CLAIMS} azd auth login --scope {STORAGE} --scope https://vault.azure.net/.default"
    );
    let cases: Vec<(Reply, String)> = vec![
        (failed(IoFailureKind::NotFound, "ENOENT"), AZD_NOT_INSTALLED.into()),
        (ran(127, "", "sh: 1: azd: not found\n"), AZD_NOT_INSTALLED.into()),
        (
            ran(1, "", "'azd' is not recognized as an internal or external command,\r\n"),
            AZD_NOT_INSTALLED.into(),
        ),
        (
            ran(1, "", "ERROR: not logged in, run `azd login` to login\n"),
            AZD_LOGIN.into(),
        ),
        (
            ran(1, "", "{\"error\":\"not logged in, run `azd auth login` to login\"}\n"),
            AZD_LOGIN.into(),
        ),
        (
            ran(1, "", "ERROR: fetching token: user must use multi-factor authentication\n"),
            mfa.clone(),
        ),
        (ran(1, "", "ERROR: reauthentication required\n"), mfa),
        (
            ran(
                1,
                "",
                "{\"type\":\"consoleMessage\",\"data\":{\"message\":\"\"}}\n{\"error\":\"fetching token: AADSTS700082: The refresh token has expired\",\"message\":\"m\"}\n",
            ),
            "fetching token: AADSTS700082: The refresh token has expired".into(),
        ),
        (
            ran(1, "", "{\"type\":\"consoleMessage\",\"data\":{\"message\":\"\\nERROR: boom\\n\"}}\n"),
            "ERROR: boom".into(),
        ),
        (ran(1, "", "plain failure\n"), "plain failure".into()),
        (
            ran(0, &format!("token: {SECRET_TOKEN}"), ""),
            "Unexpected response from Azure Developer CLI when getting token. The output is not JSON.".into(),
        ),
        (
            ran(0, &azd_json(SECRET_TOKEN, "whenever"), ""),
            "Unexpected response from Azure Developer CLI when getting token. Expected \"expiresOn\" to be a RFC3339 date string. Got: \"whenever\"".into(),
        ),
        (
            ran(0, &azd_json(SECRET_TOKEN, "2020-01-01T00:00:00Z"), ""),
            "Azure Developer CLI returned a token that has already expired.".into(),
        ),
        (
            failed(IoFailureKind::TimedOut, "killed"),
            "Azure Developer CLI did not finish within 30000 ms and was stopped. To allow more time, set processTimeoutInMs.".into(),
        ),
    ];
    for (reply, message) in cases {
        let mut cred = cred(AZD, json!({}));
        let run = once(
            &mut cred,
            request(&[STORAGE, "https://vault.azure.net/.default"]),
            reply,
        );
        assert_unavailable(run.error(), &message);
        assert_no_secret(run.error());
    }
}

#[test]
fn azd_hostile_scopes_anywhere_spawn_nothing() {
    for scope in HOSTILE_SCOPES {
        let mut cred = cred(AZD, json!({}));
        let e = refused(&mut cred, request(&[STORAGE, scope]));
        assert_unavailable(&e, INVALID_SCOPE);
    }
}
