//! Tests of `src/source/developer_tools/azure_powershell.rs`: `AzurePowerShellCredential` (`pwsh`).

use super::*;

/// Checks a main PowerShell run: program, the reference's argv, env and no working directory.
fn assert_script_run(p: &Proc, program: &str, resource: &str, tenant: &str, deadline: Timestamp) {
    assert_eq!(p.program, program);
    assert_eq!(p.args.len(), 4);
    assert_eq!(
        p.args[..3],
        strings(&["-NoProfile", "-NonInteractive", "-Command"])
    );
    let script = &p.args[3];
    // The reference's script, byte for byte (the end-to-end test compares it with the
    // reference's own argv); here its length and key lines.
    assert_eq!(script.len(), 1649);
    assert!(script.starts_with("\n          $tenantId = $env:AZURE_IDENTITY_POWERSHELL_TENANT_ID\n          $resource = $env:AZURE_IDENTITY_POWERSHELL_RESOURCE\n"));
    for line in [
        "$m = Import-Module Az.Accounts -MinimumVersion 2.2.0 -PassThru",
        "$useSecureString = $m.Version -ge [version]'2.17.0' -and $m.Version -lt [version]'5.0.0'",
        "$token = Get-AzAccessToken @params",
        "[System.Runtime.InteropServices.Marshal]::SecureStringToBSTR($token.Token)",
        "($token.Token | ConvertFrom-SecureString -AsPlainText)",
        "Write-Output (ConvertTo-Json $result)",
    ] {
        assert!(script.contains(line), "{line}");
    }
    assert!(script.ends_with("ConvertTo-Json $result)\n          "));
    assert_eq!(
        p.env,
        vec![
            (
                "AZURE_IDENTITY_POWERSHELL_RESOURCE".to_owned(),
                resource.to_owned()
            ),
            (
                "AZURE_IDENTITY_POWERSHELL_TENANT_ID".to_owned(),
                tenant.to_owned()
            ),
        ]
    );
    assert_eq!(
        p.env_remove,
        strings(&[
            "AZURE_IDENTITY_POWERSHELL_RESOURCE",
            "AZURE_IDENTITY_POWERSHELL_TENANT_ID"
        ])
    );
    assert_eq!(p.cwd, None);
    assert_eq!(p.deadline, deadline);
}

fn probe(program: &str, deadline: Timestamp) -> Proc {
    Proc {
        program: program.into(),
        args: strings(&["/?"]),
        env: vec![],
        env_remove: vec![],
        cwd: None,
        deadline,
    }
}

#[test]
fn pwsh_probes_then_runs_the_script_with_env_vars() {
    let mut cred = cred(PWSH, json!({}));
    let mut s = Script::new()
        .with(|_, now| {
            // `pwsh /?` takes a moment: the script's deadline starts after it.
            *now = now.plus(std::time::Duration::from_millis(400));
            ran(0, "Usage: pwsh[.exe] ...", "")
        })
        .reply(ran(0, &pwsh_json("tok", "2023-11-14T23:13:20+00:00"), ""));
    let run = s.get(&mut cred, STORAGE);
    let ps = procs(&run);
    assert_eq!(ps.len(), 2);
    assert_eq!(ps[0], probe("pwsh", at_ms(DEFAULT_MS)));
    assert_script_run(
        &ps[1],
        "pwsh",
        "https://storage.azure.com",
        "",
        at_ms(400 + DEFAULT_MS),
    );
    let t = run.token();
    assert_eq!(t.token.expose(), "tok");
    assert_eq!(t.expires_on, Timestamp::from_secs(1_700_003_600));
    assert_eq!(t.refresh_after, None);
}

#[test]
fn pwsh_tenant_goes_through_the_environment() {
    let mut cred = cred(
        PWSH,
        json!({"tenantId": TENANT, "processTimeoutInMs": 9000}),
    );
    let mut s = Script::new().reply(ran(0, "help", "")).reply(ran(
        0,
        &pwsh_json("tok", "2023-11-14T23:13:20Z"),
        "",
    ));
    let run = s.get(&mut cred, "https://vault.azure.net/.default");
    let ps = procs(&run);
    assert_eq!(ps[0].deadline, at_ms(9000));
    assert_script_run(
        &ps[1],
        "pwsh",
        "https://vault.azure.net",
        TENANT,
        at_ms(9000),
    );
}

#[test]
fn pwsh_on_windows_falls_back_to_windows_powershell_and_remembers() {
    let mut cred = build(PWSH, json!({}), &windows(&[("SystemRoot", "C:\\Windows")])).unwrap();
    let mut s = Script::new()
        .reply(failed(IoFailureKind::NotFound, "pwsh.exe: not found"))
        .reply(ran(0, "help", ""))
        .reply(ran(0, &pwsh_json("tok", "/Date(1700003600000)/"), ""));
    let run = s.get(&mut cred, STORAGE);
    let ps = procs(&run);
    assert_eq!(ps[0], probe("pwsh.exe", at_ms(DEFAULT_MS)));
    assert_eq!(ps[1], probe("powershell.exe", at_ms(DEFAULT_MS)));
    assert_script_run(
        &ps[2],
        "powershell.exe",
        "https://storage.azure.com",
        "",
        at_ms(DEFAULT_MS),
    );
    assert_eq!(run.token().expires_on, Timestamp::from_secs(1_700_003_600));
    // The next acquisition (another scope) does not try pwsh.exe again.
    let mut s = Script::new().reply(ran(0, "help", "")).reply(ran(
        0,
        &pwsh_json("tok2", "2023-11-14T23:13:20Z"),
        "",
    ));
    let run = s.get(&mut cred, "https://vault.azure.net/.default");
    let programs: Vec<String> = procs(&run).into_iter().map(|p| p.program).collect();
    assert_eq!(programs, ["powershell.exe", "powershell.exe"]);
}

#[test]
fn pwsh_unusable_everywhere() {
    let unable = format!(
        "Error: Unable to execute PowerShell. Ensure that it is installed in your system. {PS_TROUBLESHOOT}"
    );
    // Any stderr, a non-zero exit, a timeout or absence fails the probe.
    for probe_reply in [
        failed(IoFailureKind::NotFound, "pwsh: not found"),
        ran(0, "help", "some warning"),
        ran(1, "help", ""),
        failed(IoFailureKind::TimedOut, "killed"),
        failed(IoFailureKind::PermissionDenied, "EACCES"),
    ] {
        let mut cred = cred(PWSH, json!({}));
        let run = once(&mut cred, request(&[STORAGE]), probe_reply);
        assert_eq!(run.transcript, ["run pwsh /?"]);
        assert_unavailable(run.error(), &unable);
        // Like the reference, a PowerShell that failed its probe is not tried again.
        let e = refused(&mut cred, request(&["https://vault.azure.net/.default"]));
        assert_unavailable(&e, &unable);
    }
    let mut cred = build(PWSH, json!({}), &windows(&[])).unwrap();
    let mut s = Script::new()
        .reply(ran(1, "", "x"))
        .reply(failed(IoFailureKind::NotFound, "x"));
    let run = s.get(&mut cred, STORAGE);
    assert_eq!(run.transcript, ["run pwsh.exe /?", "run powershell.exe /?"]);
    assert_unavailable(run.error(), &unable);
}

#[test]
fn pwsh_abort_during_the_probe_is_not_held_against_it() {
    let mut cred = cred(PWSH, json!({}));
    let run = once(
        &mut cred,
        request(&[STORAGE]),
        failed(IoFailureKind::Aborted, "aborted"),
    );
    assert_eq!(run.error().kind, ErrorKind::Aborted);
    let mut s = Script::new().reply(ran(0, "help", "")).reply(ran(
        0,
        &pwsh_json("tok", "2023-11-14T23:13:20Z"),
        "",
    ));
    assert_eq!(s.get(&mut cred, STORAGE).token().token.expose(), "tok");
}

#[test]
fn pwsh_classification() {
    let cases: Vec<(Reply, String)> = vec![
        (
            ran(
                1,
                "",
                "Import-Module: The specified module 'Az.Accounts' with version '2.2.0' was not loaded because no valid module file was found in any module directory.\n",
            ),
            PS_NOT_INSTALLED.into(),
        ),
        (
            ran(
                1,
                "",
                "Get-AzAccessToken: Run Connect-AzAccount to login.\n",
            ),
            PS_LOGIN.into(),
        ),
        (
            ran(
                1,
                "",
                "Get-AzAccessToken: \u{1b}[31mAADSTS50076: MFA required\n",
            ),
            format!("Error: Get-AzAccessToken:  [31mAADSTS50076: MFA required. {PS_TROUBLESHOOT}"),
        ),
        (
            // Any stderr fails the call, even next to a token.
            ran(
                0,
                &pwsh_json(SECRET_TOKEN, "2023-11-14T23:13:20Z"),
                "WARNING: x",
            ),
            format!("Error: WARNING: x. {PS_TROUBLESHOOT}"),
        ),
        (
            ran(3, &pwsh_json(SECRET_TOKEN, "2023-11-14T23:13:20Z"), ""),
            format!("ProcessError: The process exited with code 3.. {PS_TROUBLESHOOT}"),
        ),
        (
            ran(0, &format!("token is {SECRET_TOKEN}"), ""),
            format!(
                "Error: No access token found in the output (60 characters received). {PS_TROUBLESHOOT}"
            ),
        ),
        (
            ran(
                0,
                &format!("{{\"Token\":\"{SECRET_TOKEN}\",\"ExpiresOn\":null}}"),
                "",
            ),
            format!(
                "Error: Unexpected output from PowerShell: \"ExpiresOn\" is not a date. {PS_TROUBLESHOOT}"
            ),
        ),
        (
            ran(0, &pwsh_json(SECRET_TOKEN, "2020-01-01T00:00:00Z"), ""),
            format!(
                "Error: PowerShell returned a token that has already expired. {PS_TROUBLESHOOT}"
            ),
        ),
        (
            failed(IoFailureKind::TimedOut, "killed"),
            format!(
                "Error: PowerShell did not finish within 30000 ms and was stopped; to allow more time, set processTimeoutInMs. {PS_TROUBLESHOOT}"
            ),
        ),
        (
            failed(IoFailureKind::NotFound, "gone"),
            format!(
                "Error: Unable to execute PowerShell. Ensure that it is installed in your system. {PS_TROUBLESHOOT}"
            ),
        ),
        (
            failed(IoFailureKind::Other, "spawn E2BIG"),
            format!("Error: PowerShell could not be run: spawn E2BIG. {PS_TROUBLESHOOT}"),
        ),
    ];
    for (reply, message) in cases {
        let mut cred = cred(PWSH, json!({}));
        let mut s = Script::new().reply(ran(0, "help", "")).reply(reply);
        let run = s.get(&mut cred, STORAGE);
        assert_eq!(run.transcript.len(), 2);
        assert_unavailable(run.error(), &message);
        assert_no_secret(run.error());
    }
}

#[test]
fn pwsh_output_with_warnings_around_the_json() {
    let out = format!(
        "WARNING: Upcoming breaking changes in the cmdlet 'Get-AzAccessToken' :\n{{ not json }}\n{}\nDone\n",
        pwsh_json("tok", "2023-11-14T23:13:20.1234567+00:00")
    );
    let mut cred = cred(PWSH, json!({}));
    let mut s = Script::new()
        .reply(ran(0, "help", ""))
        .reply(ran(0, &out, ""));
    let run = s.get(&mut cred, STORAGE);
    assert_eq!(run.token().token.expose(), "tok");
    assert_eq!(
        run.token().expires_on,
        Timestamp::from_millis(1_700_003_600_123)
    );
}

#[test]
fn pwsh_claims_and_hostile_scopes_spawn_nothing() {
    let mut cred = cred(PWSH, json!({}));
    let e = refused(
        &mut cred,
        with_claims(&[STORAGE], "{\"a\":1}", Some(OTHER_TENANT)),
    );
    assert_unavailable(
        &e,
        &format!("{CLAIMS} Connect-AzAccount -ClaimsChallenge eyJhIjoxfQ== -Tenant {OTHER_TENANT}"),
    );
    let e = refused(&mut cred, with_claims(&[STORAGE], "{\"a\":1}", None));
    assert_unavailable(
        &e,
        &format!("{CLAIMS} Connect-AzAccount -ClaimsChallenge eyJhIjoxfQ=="),
    );
    for scope in HOSTILE_SCOPES {
        let e = refused(&mut cred, request(&[scope]));
        assert_unavailable(&e, &format!("Error: {INVALID_SCOPE}. {PS_TROUBLESHOOT}"));
    }
}
