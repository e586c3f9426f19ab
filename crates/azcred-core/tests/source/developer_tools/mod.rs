//! Scenario tests for the developer-tool credentials (`AzureCliCredential`,
//! `AzureDeveloperCliCredential`, `AzurePowerShellCredential`): the exact process each one runs
//! (program, argv, working directory, environment, deadline), the checks that keep hostile input
//! from reaching a process, and what becomes of each kind of outcome.
//!
//! Laid out as `src/source/developer_tools/`: one file per tool; what the tools share (settings,
//! tenants, the run action) is tested here.

mod azure_cli;
mod azure_developer_cli;
mod azure_powershell;

use crate::support::*;
use azcred_core::{
    Action, Begin, Credential, EnvSnapshot, ErrorKind, IoFailure, IoFailureKind, Misuse, Platform,
    ProcessOutput, Reply, Secret, Timestamp, TokenError, TokenRequest,
};
use serde_json::{Value, json};

const AZ: &str = "AzureCliCredential";
const AZD: &str = "AzureDeveloperCliCredential";
const PWSH: &str = "AzurePowerShellCredential";

const TENANT: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const OTHER_TENANT: &str = "contoso.onmicrosoft.com";
/// A value standing in for a real access token: it must never appear in a message.
const SECRET_TOKEN: &str = "eyJ0eXAiOiJKV1QiLCJzZW50aW5lbCI6InRvay0zZjlhIn0.sig";
/// The default process deadline (30 s).
const DEFAULT_MS: u64 = 30_000;

const AZ_NOT_INSTALLED: &str = "Azure CLI could not be found. Please visit https://aka.ms/azure-cli for installation instructions and then, once installed, authenticate to your Azure account using 'az login'.";
const AZ_LOGIN: &str =
    "Please run 'az login' from a command prompt to authenticate before using this credential.";
const AZD_NOT_INSTALLED: &str = "Azure Developer CLI couldn't be found. To mitigate this issue, see the troubleshooting guidelines at https://aka.ms/azsdk/js/identity/azdevclicredential/troubleshoot.";
const AZD_LOGIN: &str = "Please run 'azd auth login' from a command prompt to authenticate before using this credential. For more information, see the troubleshooting guidelines at https://aka.ms/azsdk/js/identity/azdevclicredential/troubleshoot.";
const PS_TROUBLESHOOT: &str =
    "To troubleshoot, visit https://aka.ms/azsdk/js/identity/powershellcredential/troubleshoot.";
const PS_NOT_INSTALLED: &str = "The 'Az.Account' module >= 2.2.0 is not installed. Install the Azure Az PowerShell module with: \"Install-Module -Name Az -Scope CurrentUser -Repository PSGallery -Force\".";
const PS_LOGIN: &str =
    "Please run 'Connect-AzAccount' from PowerShell to authenticate before using this credential.";
const CLAIMS: &str = "This credential doesn't support claims challenges. To authenticate with the required claims, please run the following command:";
const INVALID_SCOPE: &str = "Invalid scope was specified by the user or calling client";
const INVALID_TENANT: &str = "Invalid tenant id provided. You can locate your tenant id by following the instructions listed here: https://learn.microsoft.com/partner-center/find-ids-and-domain-names.";

/// Scopes that must never reach a process: shell, batch and URL metacharacters, white space,
/// control characters, quotes, non-ASCII.
const HOSTILE_SCOPES: &[&str] = &[
    "https://storage.azure.com/.default; rm -rf ~",
    "https://storage.azure.com/.default && calc",
    "https://storage.azure.com/.default|whoami",
    "$(id)",
    "`id`",
    "https://x/.default\n--tenant evil",
    "https://x/.default --subscription x",
    "https://x/%USERPROFILE%",
    "https://x/!PATH!",
    "https://x/^&",
    "https://x/(a)",
    "https://x/<a>",
    "https://x/\"quoted\"",
    "https://x/'quoted'",
    "https://x/a\\\"b",
    "https://x/?resource=y&z=%2F",
    "https://x/#frag",
    "https://x/\u{0}",
    "https://x/\u{1b}[31m",
    "https://stórage/.default",
    "",
];

/// Tenants that must never reach a process.
const HOSTILE_TENANTS: &[&str] = &[
    "evil;rm -rf ~",
    "a b",
    "$(id)",
    "t&calc",
    "t|x",
    "t%PATH%",
    "t\"x",
    "t\nx",
    "../t",
    "t/x",
    "ténant",
];

fn linux(pairs: &[(&str, &str)]) -> EnvSnapshot {
    env(pairs)
}

fn windows(pairs: &[(&str, &str)]) -> EnvSnapshot {
    env(pairs).with_platform(Platform::Win32)
}

fn build(
    kind: &str,
    opts: Value,
    env: &EnvSnapshot,
) -> Result<Credential, azcred_core::ConfigError> {
    Credential::new(kind, &options(opts), env, 7)
}

fn cred(kind: &str, opts: Value) -> Credential {
    build(kind, opts, &linux(&[])).expect("credential")
}

/// A process that ran and exited with `code`.
fn ran(code: i32, stdout: &str, stderr: &str) -> Reply {
    Reply::Ran(ProcessOutput {
        exit_code: Some(code),
        stdout: Secret::new(stdout),
        stderr: stderr.to_owned(),
    })
}

fn failed(kind: IoFailureKind, message: &str) -> Reply {
    Reply::Failed(IoFailure::new(kind, message))
}

/// What `az account get-access-token` prints (az 2.54 and later).
fn az_json(token: &str, expires_on: u64) -> String {
    format!(
        "{{\n  \"accessToken\": \"{token}\",\n  \"expiresOn\": \"2023-11-14 23:13:20.000000\",\n  \
         \"expires_on\": {expires_on},\n  \"subscription\": \"sub\",\n  \"tenant\": \"{TENANT}\",\n  \
         \"tokenType\": \"Bearer\"\n}}\n"
    )
}

/// What `azd auth token --output json` prints.
fn azd_json(token: &str, expires_on: &str) -> String {
    format!("{{\"token\":\"{token}\",\"expiresOn\":\"{expires_on}\"}}\n")
}

/// What the PowerShell script prints (PowerShell 7's `ConvertTo-Json` of a `DateTimeOffset`).
fn pwsh_json(token: &str, expires_on: &str) -> String {
    format!("{{\n  \"ExpiresOn\": \"{expires_on}\",\n  \"Token\": \"{token}\"\n}}\n")
}

/// One `Action::Run`, its parts owned.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Proc {
    program: String,
    args: Vec<String>,
    env: Vec<(String, String)>,
    env_remove: Vec<String>,
    cwd: Option<String>,
    deadline: Timestamp,
}

fn procs(run: &Run) -> Vec<Proc> {
    run.actions
        .iter()
        .map(|a| match a {
            Action::Run {
                program,
                args,
                env,
                env_remove,
                cwd,
                deadline,
                max_output_bytes,
                kill_tree,
            } => {
                // Every tool: its whole process tree is killed, and its output is capped.
                assert!(*kill_tree, "{program} is killed as a tree");
                assert_eq!(*max_output_bytes, azcred_core::MAX_PROCESS_OUTPUT);
                Proc {
                    program: program.clone(),
                    args: args.clone(),
                    env: env.clone(),
                    env_remove: env_remove.clone(),
                    cwd: cwd.clone(),
                    deadline: *deadline,
                }
            }
            other => panic!("expected a process, got {other:?}"),
        })
        .collect()
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

fn request(scopes: &[&str]) -> TokenRequest {
    TokenRequest::new(scopes.iter().copied())
}

fn with_tenant(scope: &str, tenant: &str) -> TokenRequest {
    let mut r = request(&[scope]);
    r.tenant_id = Some(tenant.to_owned());
    r
}

fn with_claims(scopes: &[&str], claims: &str, tenant: Option<&str>) -> TokenRequest {
    let mut r = request(scopes);
    r.claims = Some(claims.to_owned());
    r.tenant_id = tenant.map(str::to_owned);
    r
}

/// Runs a request that must be refused before anything is spawned; returns the error.
fn refused(cred: &mut Credential, req: TokenRequest) -> TokenError {
    let mut s = Script::new();
    let run = s.run(cred, req);
    assert!(run.actions.is_empty(), "spawned {:?}", run.transcript);
    run.error().clone()
}

/// Runs one request against one scripted reply; returns the run.
fn once(cred: &mut Credential, req: TokenRequest, reply: Reply) -> Run {
    let mut s = Script::new().reply(reply);
    s.run(cred, req)
}

fn assert_unavailable(e: &TokenError, message: &str) {
    assert_eq!(e.kind, ErrorKind::CredentialUnavailable, "{e:?}");
    assert_eq!(e.name, "CredentialUnavailableError");
    assert_eq!(e.message, message);
}

fn assert_no_secret(e: &TokenError) {
    let shown = format!("{e:?} {e}");
    assert!(!shown.contains(SECRET_TOKEN), "{shown}");
    assert!(!shown.contains("tok-3f9a"), "{shown}");
}

#[test]
fn process_timeout_zero_or_absent_means_the_default() {
    for opts in [
        json!({}),
        json!({"processTimeoutInMs": 0}),
        json!({"processTimeoutInMs": null}),
    ] {
        let mut cred = cred(AZ, opts.clone());
        let run = once(
            &mut cred,
            request(&[STORAGE]),
            ran(0, &az_json("t", 1_700_003_600), ""),
        );
        assert_eq!(procs(&run)[0].deadline, at_ms(DEFAULT_MS), "{opts}");
    }
}

#[test]
fn windows_system_root_fallbacks_and_refusals() {
    for (pairs, program, cwd) in [
        (vec![], "C:\\Windows\\System32\\cmd.exe", "C:\\Windows"),
        (
            vec![("SYSTEMROOT", "E:\\Win\\")],
            "E:\\Win\\System32\\cmd.exe",
            "E:\\Win\\",
        ),
    ] {
        let mut cred = build(AZ, json!({}), &windows(&pairs)).unwrap();
        let run = once(
            &mut cred,
            request(&[STORAGE]),
            ran(0, &az_json("t", 1_700_003_600), ""),
        );
        let p = &procs(&run)[0];
        assert_eq!((p.program.as_str(), p.cwd.as_deref()), (program, Some(cwd)));
    }
    // A relative or UNC system root could point anywhere: nothing is run.
    for root in ["Windows", "\\\\server\\share", "%TEMP%"] {
        for kind in [AZ, AZD] {
            let mut cred = build(kind, json!({}), &windows(&[("SystemRoot", root)])).unwrap();
            let e = refused(&mut cred, request(&[STORAGE]));
            assert_unavailable(
                &e,
                "A trusted Windows system directory could not be established.",
            );
        }
    }
}

#[test]
fn hostile_request_tenants_are_a_plain_error_that_stops_a_chain() {
    for kind in [AZ, AZD, PWSH] {
        for tenant in HOSTILE_TENANTS {
            let mut cred = cred(kind, json!({}));
            let e = refused(&mut cred, with_tenant(STORAGE, tenant));
            assert_eq!(e.kind, ErrorKind::InvalidRequest, "{kind} {tenant:?}");
            assert_eq!(e.name, "Error");
            assert_eq!(e.message, INVALID_TENANT);
            assert!(!e.kind.chain_continues());
        }
    }
}

#[test]
fn hostile_constructor_options_are_refused() {
    for kind in [AZ, AZD, PWSH] {
        for tenant in HOSTILE_TENANTS {
            let e = build(kind, json!({"tenantId": tenant}), &linux(&[])).unwrap_err();
            assert_eq!(
                (e.code, e.message.as_str()),
                ("InvalidConfig", INVALID_TENANT)
            );
        }
        // "" is no tenant, as in the reference (which only checks a truthy value).
        build(kind, json!({"tenantId": ""}), &linux(&[])).unwrap();
    }
    for sub in [
        "my;sub",
        "sub$(id)",
        "a/b",
        "x\"y",
        "s&calc",
        "s|x",
        "s%PATH%",
        "s\tx",
        "sübscription",
    ] {
        let e = build(AZ, json!({"subscription": sub}), &linux(&[])).unwrap_err();
        assert_eq!(e.code, "InvalidConfig");
        assert_eq!(
            e.message,
            format!(
                "Subscription '{sub}' contains invalid characters. If this is the name of a \
                 subscription, use its ID instead. You can locate your subscription by following \
                 the instructions listed here: \
                 https://learn.microsoft.com/azure/azure-portal/get-subscription-tenant-id"
            )
        );
    }
    // The tenant is checked before the subscription.
    let e = build(
        AZ,
        json!({"tenantId": "a b", "subscription": "a;b"}),
        &linux(&[]),
    )
    .unwrap_err();
    assert_eq!(e.message, INVALID_TENANT);
    let mut cred = cred(AZ, json!({"subscription": ""}));
    let run = once(
        &mut cred,
        request(&[STORAGE]),
        ran(0, &az_json("t", 1_700_003_600), ""),
    );
    assert!(!procs(&run)[0].args.contains(&"--subscription".to_owned()));
}

/// A script under which `kind` gets a token for one request.
fn success(kind: &str) -> Script {
    match kind {
        AZ => Script::new().reply(ran(0, &az_json("t", 1_700_003_600), "")),
        AZD => Script::new().reply(ran(0, &azd_json("t", "2023-11-14T23:13:20Z"), "")),
        _ => Script::new().reply(ran(0, "help", "")).reply(ran(
            0,
            &pwsh_json("t", "2023-11-14T23:13:20Z"),
            "",
        )),
    }
}

/// The tenant `kind` handed its tool in `run`: `--tenant`, `--tenant-id`, or the script's
/// environment variable.
fn tenant_passed(kind: &str, run: &Run) -> Option<String> {
    let p = procs(run).pop()?;
    let flag = match kind {
        AZ => "--tenant",
        AZD => "--tenant-id",
        _ => {
            return p
                .env
                .iter()
                .find(|(n, _)| n == "AZURE_IDENTITY_POWERSHELL_TENANT_ID")
                .map(|(_, v)| v.clone())
                .filter(|v| !v.is_empty());
        }
    };
    let i = p.args.iter().position(|a| a == flag)?;
    p.args.get(i + 1).cloned()
}

#[test]
fn multi_tenant_rules() {
    for kind in [AZ, AZD, PWSH] {
        // No configured tenant: the request's tenant is used freely.
        let mut cred = cred(kind, json!({}));
        let run = success(kind).run(&mut cred, with_tenant(STORAGE, OTHER_TENANT));
        assert_eq!(
            tenant_passed(kind, &run),
            Some(OTHER_TENANT.to_owned()),
            "{kind}"
        );
        // The configured tenant when the request names none.
        let mut cred = self::cred(kind, json!({"tenantId": TENANT}));
        let run = success(kind).run(&mut cred, request(&[STORAGE]));
        assert_eq!(tenant_passed(kind, &run), Some(TENANT.to_owned()), "{kind}");
        // A configured tenant refuses other tenants unless allowed.
        let mut cred = self::cred(kind, json!({"tenantId": TENANT}));
        let e = refused(&mut cred, with_tenant(STORAGE, OTHER_TENANT));
        assert_eq!(e.kind, ErrorKind::CredentialUnavailable);
        assert_eq!(
            e.message,
            format!(
                "The current credential is not configured to acquire tokens for tenant {OTHER_TENANT}. \
                 To enable acquiring tokens for this tenant add it to the AdditionallyAllowedTenants \
                 on the credential options, or add \"*\" to AdditionallyAllowedTenants to allow \
                 acquiring tokens for any tenant."
            )
        );
    }
    // Allowed by name, or by "*".
    for allowed in [json!([OTHER_TENANT]), json!(["*"])] {
        let mut cred = cred(
            AZ,
            json!({"tenantId": TENANT, "additionallyAllowedTenants": allowed}),
        );
        let run = once(
            &mut cred,
            with_tenant(STORAGE, OTHER_TENANT),
            ran(0, &az_json("t", 1_700_003_600), ""),
        );
        assert_eq!(
            procs(&run)[0].args[6..],
            strings(&["--tenant", OTHER_TENANT])
        );
    }
    // AZURE_IDENTITY_DISABLE_MULTITENANTAUTH: the configured tenant, whatever the request says.
    let env = linux(&[("AZURE_IDENTITY_DISABLE_MULTITENANTAUTH", "true")]);
    let mut cred = build(AZ, json!({"tenantId": TENANT}), &env).unwrap();
    let run = once(
        &mut cred,
        with_tenant(STORAGE, OTHER_TENANT),
        ran(0, &az_json("t", 1_700_003_600), ""),
    );
    assert_eq!(procs(&run)[0].args[6..], strings(&["--tenant", TENANT]));
}

#[test]
fn tokens_are_cached_so_the_tool_runs_once() {
    let mut cred = cred(AZ, json!({}));
    let mut s =
        Script::new().with(|_, now| ran(0, &az_json("tok", now.as_millis() / 1000 + 3600), ""));
    assert_eq!(s.get(&mut cred, STORAGE).transcript.len(), 1);
    s.advance_ms(30 * 60 * 1000);
    let again = s.get(&mut cred, STORAGE);
    assert!(again.cached);
    assert_eq!(again.token().token.expose(), "tok");
}

#[test]
fn a_run_action_refuses_other_replies() {
    let mut cred = cred(AZ, json!({}));
    let Begin::Start { mut flow, .. } = cred.begin(request(&[STORAGE]), T0) else {
        panic!("expected a flow")
    };
    let first = format!("{:?}", flow.poll(T0));
    assert!(first.contains("get-access-token"), "{first}");
    assert_eq!(
        flow.handle(Reply::Http(azcred_core::HttpResponse::new(200, "{}")), T0),
        Err(Misuse::WrongReply)
    );
    // The action is still outstanding: the same step again, then a fitting reply is taken.
    assert_eq!(format!("{:?}", flow.poll(at_ms(5))), first);
    let out = az_json("t", 1_700_003_600);
    assert_eq!(flow.handle(ran(0, &out, ""), T0), Ok(()));
    assert_eq!(
        flow.handle(ran(0, "", ""), T0),
        Err(Misuse::NoActionOutstanding)
    );
    assert!(matches!(flow.poll(T0), azcred_core::Step::Finished));
    assert_eq!(cred.finish(*flow, T0).unwrap().token.expose(), "t");
}

#[test]
fn explain_says_what_each_tool_runs() {
    let cred = build(
        AZ,
        json!({"tenantId": TENANT, "subscription": "s", "processTimeoutInMs": 5000}),
        &linux(&[]),
    )
    .unwrap();
    let r = &cred.explain()[0];
    assert_eq!(r.name, AZ);
    assert!(r.available);
    assert_eq!(
        r.detail,
        format!(
            "az account get-access-token, tenant {TENANT}, subscription 's', in /bin, stopped after 5000 ms"
        )
    );
    let cred = build(AZD, json!({}), &windows(&[])).unwrap();
    assert_eq!(
        cred.explain()[0].detail,
        "azd auth token, in C:\\Windows, stopped after 30000 ms"
    );
    let cred = build(PWSH, json!({}), &windows(&[])).unwrap();
    assert_eq!(
        cred.explain()[0].detail,
        "pwsh.exe or powershell.exe -NoProfile -NonInteractive -Command Get-AzAccessToken, stopped after 30000 ms"
    );
}
