//! Tests of `src/source/developer_tools/azure_cli.rs`: `AzureCliCredential` (`az`).

use super::*;

#[test]
fn az_runs_get_access_token_in_bin_with_the_default_deadline() {
    let mut cred = cred(AZ, json!({}));
    let mut s =
        Script::new().with(|_, now| ran(0, &az_json("tok", now.as_millis() / 1000 + 3600), ""));
    let run = s.get(&mut cred, STORAGE);
    assert_eq!(
        procs(&run),
        [Proc {
            program: "az".into(),
            args: strings(&[
                "account",
                "get-access-token",
                "--output",
                "json",
                "--resource",
                "https://storage.azure.com",
            ]),
            env: vec![],
            env_remove: vec![],
            cwd: Some("/bin".into()),
            deadline: at_ms(DEFAULT_MS),
        }]
    );
    let t = run.token();
    assert_eq!(t.token.expose(), "tok");
    assert_eq!(t.expires_on, at_ms(3_600_000));
    assert_eq!(t.refresh_after, None);
    assert_eq!(t.token_type, "Bearer");
}

#[test]
fn az_passes_tenant_and_subscription_and_only_the_first_scope() {
    let mut cred = cred(
        AZ,
        json!({"tenantId": TENANT, "subscription": "My Subscription-1.0_x", "processTimeoutInMs": 1500}),
    );
    let run = once(
        &mut cred,
        request(&[
            "https://management.azure.com//.default",
            "https://vault.azure.net/.default",
        ]),
        ran(0, &az_json("tok", 1_700_003_600), ""),
    );
    let p = &procs(&run)[0];
    assert_eq!(
        p.args,
        strings(&[
            "account",
            "get-access-token",
            "--output",
            "json",
            "--resource",
            "https://management.azure.com/",
            "--tenant",
            TENANT,
            "--subscription",
            "My Subscription-1.0_x",
        ])
    );
    assert_eq!(p.deadline, at_ms(1500));
}

#[test]
fn az_resource_is_the_reference_regex_result() {
    // `/\/.default$/` with its unescaped dot.
    for (scope, resource) in [
        ("https://x/.default", "https://x"),
        ("https://x/_default", "https://x"),
        ("https://x/user.read", "https://x/user.read"),
        ("api://app-id", "api://app-id"),
    ] {
        let mut cred = cred(AZ, json!({}));
        let run = once(
            &mut cred,
            request(&[scope]),
            ran(0, &az_json("t", 1_700_003_600), ""),
        );
        assert_eq!(procs(&run)[0].args[5], resource, "{scope}");
    }
}

#[test]
fn az_on_windows_runs_through_cmd_in_system_root() {
    let env = windows(&[("SystemRoot", "D:\\WINNT")]);
    let mut cred = build(AZ, json!({"subscription": "My Sub"}), &env).unwrap();
    let run = once(
        &mut cred,
        request(&[STORAGE]),
        ran(0, &az_json("t", 1_700_003_600), ""),
    );
    let p = &procs(&run)[0];
    assert_eq!(p.program, "D:\\WINNT\\System32\\cmd.exe");
    assert_eq!(
        p.args,
        strings(&[
            "/d",
            "/s",
            "/v:off",
            "/c",
            "az",
            "account",
            "get-access-token",
            "--output",
            "json",
            "--resource",
            "https://storage.azure.com",
            "--subscription",
            "My Sub",
        ])
    );
    assert_eq!(p.cwd.as_deref(), Some("D:\\WINNT"));
    assert_eq!(p.env, vec![]);
}

#[test]
fn az_reads_local_expires_on_when_expires_on_is_absent() {
    // az before 2.54: local time only. UTC-5: 18:13:20 local is 23:13:20 UTC.
    let env = linux(&[]).with_tz_offset_minutes(-300);
    let mut cred = build(AZ, json!({}), &env).unwrap();
    let body =
        r#"{"accessToken":"tok","expiresOn":"2023-11-14 18:13:20.000000","tokenType":"Bearer"}"#;
    let run = once(&mut cred, request(&[STORAGE]), ran(0, body, ""));
    assert_eq!(run.token().expires_on, Timestamp::from_secs(1_700_003_600));
    // The same text in UTC+1 is six hours earlier: already expired.
    let env = linux(&[]).with_tz_offset_minutes(60);
    let mut cred = build(AZ, json!({}), &env).unwrap();
    let run = once(&mut cred, request(&[STORAGE]), ran(0, body, ""));
    assert_unavailable(
        run.error(),
        "Azure CLI returned a token that has already expired.",
    );
}

#[test]
fn az_output_counts_even_with_warnings_and_a_nonzero_exit() {
    let mut cred = cred(AZ, json!({}));
    let run = once(
        &mut cred,
        request(&[STORAGE]),
        ran(
            1,
            &az_json("tok", 1_700_003_600),
            "WARNING: a newer version is available\n",
        ),
    );
    assert_eq!(run.token().token.expose(), "tok");
}

#[test]
fn az_not_installed() {
    let cases = [
        failed(IoFailureKind::NotFound, "az: not found"),
        ran(127, "", "/bin/sh: 1: az: not found\n"),
        ran(127, "", "bash: line 1: az: command not found\n"),
        ran(
            1,
            "",
            "'az' is not recognized as an internal or external command,\r\noperable program or batch file.\r\n",
        ),
    ];
    for reply in cases {
        let mut cred = cred(AZ, json!({}));
        let run = once(&mut cred, request(&[STORAGE]), reply);
        assert_unavailable(run.error(), AZ_NOT_INSTALLED);
        assert_eq!(run.error().credential.as_deref(), Some(AZ));
    }
}

#[test]
fn az_not_logged_in() {
    let mut cred = cred(AZ, json!({}));
    let run = once(
        &mut cred,
        request(&[STORAGE]),
        ran(1, "", "ERROR: Please run 'az login' to setup account.\n"),
    );
    assert_unavailable(run.error(), AZ_LOGIN);
}

#[test]
fn az_login_with_scope_is_reported_as_az_said_it() {
    // `az login --scope` means a consent or MFA problem for one resource, not "not logged in".
    let stderr = "ERROR: AADSTS50076: Due to a configuration change ...\nInteractive authentication \
                  is needed. Please run:\naz login --scope https://storage.azure.com/.default\n";
    let mut cred = cred(AZ, json!({}));
    let run = once(&mut cred, request(&[STORAGE]), ran(1, "", stderr));
    // Line breaks from a tool become spaces, so it cannot forge log lines.
    assert_unavailable(run.error(), &stderr.trim().replace('\n', " "));
}

#[test]
fn az_other_stderr_is_shortened_and_cleaned() {
    let stderr = format!(
        "ERROR: \u{1b}[31mAADSTS70043: expired\u{7}\r\n{}\n",
        "x".repeat(3000)
    );
    let mut cred = cred(AZ, json!({}));
    let run = once(&mut cred, request(&[STORAGE]), ran(1, "", &stderr));
    let e = run.error();
    assert_eq!(e.kind, ErrorKind::CredentialUnavailable);
    assert!(
        e.message
            .starts_with("ERROR:  [31mAADSTS70043: expired  xxx"),
        "{}",
        e.message
    );
    assert!(e.message.ends_with("..."));
    assert!(e.message.chars().count() <= 1003);
    assert!(!e.message.chars().any(char::is_control));
}

#[test]
fn az_malformed_output_never_quotes_stdout() {
    let expired = format!(r#"{{"accessToken":"{SECRET_TOKEN}","expires_on":1600000000}}"#);
    let no_expiry = format!(r#"{{"accessToken":"{SECRET_TOKEN}","expiresOn":"later"}}"#);
    let cases: Vec<(String, i32, &str)> = vec![
        (
            String::new(),
            0,
            "Unexpected response from Azure CLI when getting token. The output is empty.",
        ),
        (
            String::new(),
            1,
            "Unexpected response from Azure CLI when getting token. The output is empty. The process exited with code 1.",
        ),
        (
            format!("Bearer {SECRET_TOKEN}"),
            0,
            "Unexpected response from Azure CLI when getting token. The output is not JSON.",
        ),
        (
            format!("{{\"accessToken\":\"{SECRET_TOKEN}\""),
            0,
            "Unexpected response from Azure CLI when getting token. The output is not JSON.",
        ),
        (
            format!("[\"{SECRET_TOKEN}\"]"),
            0,
            "Unexpected response from Azure CLI when getting token. The output is not a JSON object.",
        ),
        (
            r#"{"accessToken":null,"expires_on":1700003600}"#.to_owned(),
            0,
            "Unexpected response from Azure CLI when getting token. Expected \"accessToken\" to be a non-empty string.",
        ),
        (
            no_expiry,
            0,
            "Unexpected response from Azure CLI when getting token. Expected \"expiresOn\" to be a RFC3339 date string. Got: \"later\"",
        ),
        (
            expired,
            0,
            "Azure CLI returned a token that has already expired.",
        ),
    ];
    for (stdout, code, message) in cases {
        let mut cred = cred(AZ, json!({}));
        let run = once(&mut cred, request(&[STORAGE]), ran(code, &stdout, ""));
        assert_unavailable(run.error(), message);
        assert_no_secret(run.error());
    }
}

#[test]
fn az_malformed_output_with_stderr_reports_stderr() {
    let mut cred = cred(AZ, json!({}));
    let run = once(
        &mut cred,
        request(&[STORAGE]),
        ran(
            2,
            &format!("partial {SECRET_TOKEN}"),
            "ERROR: the command failed\n",
        ),
    );
    assert_unavailable(run.error(), "ERROR: the command failed");
    // Whitespace on stderr says nothing: the output's problem is reported instead.
    let mut cred = self::cred(AZ, json!({}));
    let run = once(&mut cred, request(&[STORAGE]), ran(0, "{}", " \n"));
    assert_unavailable(
        run.error(),
        "Unexpected response from Azure CLI when getting token. Expected \"accessToken\" to be a non-empty string.",
    );
}

#[test]
fn az_timeout_says_so() {
    let mut cred = cred(AZ, json!({"processTimeoutInMs": 2500}));
    let mut s = Script::new().with(|a, now| {
        let Action::Run { deadline, .. } = a else {
            panic!("{a:?}")
        };
        *now = *deadline;
        Reply::Failed(IoFailure::new(
            IoFailureKind::TimedOut,
            "az did not finish in time",
        ))
    });
    let run = s.get(&mut cred, STORAGE);
    assert_unavailable(
        run.error(),
        "Azure CLI did not finish within 2500 ms and was stopped. To allow more time, set processTimeoutInMs.",
    );
}

#[test]
fn az_other_run_failures() {
    for (kind, message) in [
        (
            IoFailureKind::PermissionDenied,
            "Azure CLI could not be run: spawn az EACCES",
        ),
        (
            IoFailureKind::TooLarge,
            "Azure CLI could not be run: spawn az EACCES",
        ),
        (
            IoFailureKind::Unsupported,
            "Azure CLI cannot be run here: this runtime cannot start processes.",
        ),
    ] {
        let mut cred = cred(AZ, json!({}));
        let run = once(
            &mut cred,
            request(&[STORAGE]),
            failed(kind, "spawn az EACCES"),
        );
        assert_unavailable(run.error(), message);
    }
    let mut cred = cred(AZ, json!({}));
    let run = once(
        &mut cred,
        request(&[STORAGE]),
        failed(IoFailureKind::Aborted, "aborted"),
    );
    assert_eq!(run.error().kind, ErrorKind::Aborted);
}

#[test]
fn az_claims_challenge_is_a_login_hint_and_spawns_nothing() {
    let claims = r#"{"access_token":{"nbf":{"essential":true,"value":"1700000000"}}}"#;
    let b64 =
        "eyJhY2Nlc3NfdG9rZW4iOnsibmJmIjp7ImVzc2VudGlhbCI6dHJ1ZSwidmFsdWUiOiIxNzAwMDAwMDAwIn19fQ==";
    let mut cred = cred(AZ, json!({}));
    let e = refused(&mut cred, with_claims(&[STORAGE], claims, None));
    assert_unavailable(
        &e,
        &format!("{CLAIMS} az login --claims-challenge {b64} --scope {STORAGE}"),
    );
    let e = refused(
        &mut cred,
        with_claims(&[STORAGE], claims, Some(OTHER_TENANT)),
    );
    assert_unavailable(
        &e,
        &format!(
            "{CLAIMS} az login --claims-challenge {b64} --scope {STORAGE} --tenant {OTHER_TENANT}"
        ),
    );
    // Blank claims are no claims.
    let run = once(
        &mut cred,
        with_claims(&[STORAGE], "  ", None),
        ran(0, &az_json("t", 1_700_003_600), ""),
    );
    assert_eq!(run.token().token.expose(), "t");
}

#[test]
fn az_hostile_scopes_spawn_nothing() {
    for scope in HOSTILE_SCOPES {
        for env in [linux(&[]), windows(&[("SystemRoot", "C:\\Windows")])] {
            let mut cred = build(AZ, json!({}), &env).unwrap();
            let e = refused(&mut cred, request(&[scope]));
            assert_unavailable(&e, INVALID_SCOPE);
        }
    }
    let mut cred = cred(AZ, json!({}));
    let e = refused(&mut cred, request(&[]));
    assert_unavailable(&e, INVALID_SCOPE);
}
