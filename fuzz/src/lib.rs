//! The logic of the fuzz targets, as plain functions over bytes, so the same checks run under
//! libFuzzer (`cargo fuzz run <target>`) and, on stable Rust, over a fixed-seed stream of
//! pseudo-random inputs (`crates/azcred-core/tests/fuzz_smoke.rs`, which includes this file).
//!
//! Each function panics when an invariant breaks; otherwise it returns normally.

use azcred_core::{
    AccessToken, Action, Begin, Credential, DelegateOutcome, EnvSnapshot, ForeignError,
    HttpResponse, IoFailure, IoFailureKind, Options, PersistedCache, ProcessOutput, Reply, Secret,
    Step, Timestamp, TokenRequest, parse_expiry_str, parse_token_response,
};

/// The virtual time inputs start at.
pub const T0: Timestamp = Timestamp::from_secs(1_700_000_000);

/// A flow taking more steps than this is looping.
pub const MAX_STEPS: usize = 2_000;

/// The endpoint secret of the fuzzed environments; it must never show in an error message.
pub const SECRET: &str = "fuzz-secret-5e7c1d";

/// `PersistedCache::parse` on arbitrary text: a cache or a typed rejection, never a panic; a
/// parsed cache writes text that parses back to the same entries.
pub fn persisted_cache(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    if let Ok((cache, _)) = PersistedCache::parse(&text, T0) {
        let written = cache.to_text(T0);
        let (again, dropped) = PersistedCache::parse(written.expose(), T0).expect("own text");
        assert_eq!(dropped, 0, "azcred's own text has unreadable entries");
        assert_eq!(again.len(), cache.len(), "entries lost in a round trip");
        assert_eq!(again.to_text(T0).expose(), written.expose(), "not stable");
    }
}

/// `parse_token_response` and `parse_expiry_str` on arbitrary text: a value or a typed error,
/// never a panic; a token is never already expired; error messages are short and never echo the
/// input.
pub fn token_response(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    match parse_token_response(&text, T0) {
        Ok(t) => {
            assert!(t.expires_on > T0, "an expired token was accepted");
            assert!(!t.token.expose().is_empty(), "an empty token was accepted");
            assert_eq!(t.token_type, "Bearer");
            if let Some(r) = t.refresh_after {
                assert!(r >= T0, "refresh before receipt");
            }
        }
        Err(e) => {
            let msg = e.to_string();
            assert!(msg.len() < 120, "long parse error: {msg}");
            if text.len() > 40 {
                assert!(!msg.contains(&*text), "the parse error echoes the body");
            }
        }
    }
    // Accepted numeric strings are whole seconds since the epoch.
    let trimmed = text.trim();
    let numeric = !trimmed.is_empty() && trimmed.bytes().all(|b| b.is_ascii_digit());
    let parsed = parse_expiry_str(&text);
    if let (true, Ok(secs)) = (numeric, trimmed.parse::<u64>()) {
        assert_eq!(parsed, Some(Timestamp::from_secs(secs)));
    }
}

/// Reads structured values from fuzz bytes; once the bytes run out it yields zeros.
pub struct Input<'a> {
    data: &'a [u8],
}

impl<'a> Input<'a> {
    /// Wraps the bytes.
    pub fn new(data: &'a [u8]) -> Self {
        Self { data }
    }

    /// Whether every byte has been read.
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// The next byte, or 0.
    pub fn byte(&mut self) -> u8 {
        match self.data.split_first() {
            Some((b, rest)) => {
                self.data = rest;
                *b
            }
            None => 0,
        }
    }

    /// The next two bytes as a number.
    pub fn u16(&mut self) -> u16 {
        u16::from(self.byte()) << 8 | u16::from(self.byte())
    }

    /// Up to `max` bytes, as lossy UTF-8, the length read first.
    pub fn text(&mut self, max: usize) -> String {
        let len = usize::from(self.u16()) % (max + 1);
        let take = len.min(self.data.len());
        let (head, rest) = self.data.split_at(take);
        self.data = rest;
        String::from_utf8_lossy(head).into_owned()
    }

    /// One of `items`.
    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[usize::from(self.byte()) % items.len()]
    }
}

const ENVS: &[&[(&str, &str)]] = &[
    &[],
    &[
        ("IDENTITY_ENDPOINT", "http://127.0.0.1:41000/msi/token"),
        ("IDENTITY_HEADER", SECRET),
    ],
    &[
        (
            "IDENTITY_ENDPOINT",
            "https://10.0.0.4:2377/metadata/identity/oauth2/token",
        ),
        ("IDENTITY_HEADER", SECRET),
        ("IDENTITY_SERVER_THUMBPRINT", "ABCDEF"),
    ],
    &[
        ("MSI_ENDPOINT", "http://127.0.0.1:41001/msi/token"),
        ("MSI_SECRET", SECRET),
    ],
    &[("MSI_ENDPOINT", "http://localhost:50342/oauth2/token")],
    &[("AZURE_POD_IDENTITY_AUTHORITY_HOST", "http://pod:8080")],
    &[("AZCRED_IMDS_ENDPOINT", "http://127.0.0.1:4000")],
    &[
        (
            "IDENTITY_ENDPOINT",
            "http://localhost:40342/metadata/identity/oauth2/token",
        ),
        ("IMDS_ENDPOINT", "http://localhost:40342"),
    ],
    &[("AZURE_CLIENT_ID", "env-client-id")],
    &[
        ("AZURE_TENANT_ID", "tenant"),
        ("AZURE_CLIENT_ID", "env-client-id"),
        ("AZURE_CLIENT_SECRET", SECRET),
        ("AZURE_AUTHORITY_HOST", "https://login.example.com"),
    ],
    &[
        ("AZURE_TENANT_ID", "tenant"),
        ("AZURE_CLIENT_ID", "env-client-id"),
        ("AZURE_CLIENT_CERTIFICATE_PATH", "/cert.pem"),
        ("AZURE_CLIENT_CERTIFICATE_PASSWORD", SECRET),
        ("AZURE_CLIENT_SEND_CERTIFICATE_CHAIN", "true"),
    ],
    &[
        ("AZURE_TENANT_ID", "tenant"),
        ("AZURE_CLIENT_ID", "env-client-id"),
        ("AZURE_USERNAME", "user@contoso.com"),
        ("AZURE_PASSWORD", SECRET),
    ],
    &[
        ("AZURE_TENANT_ID", "tenant"),
        ("AZURE_CLIENT_ID", "env-client-id"),
        ("AZURE_FEDERATED_TOKEN_FILE", "/token"),
        ("HTTPS_PROXY", "http://proxy:3128"),
    ],
];

const OPTIONS: &[&str] = &[
    "{}",
    r#"{"clientId":"cid"}"#,
    r#"{"objectId":"oid"}"#,
    r#"{"resourceId":"/subscriptions/s/rg/id"}"#,
    r#"{"managedIdentityClientId":"mcid"}"#,
    r#"{"managedIdentityResourceId":"/subscriptions/s/rg/id"}"#,
    r#"{"retryOptions":{"maxRetries":0}}"#,
    r#"{"retryOptions":{"maxRetries":10,"retryDelayInMs":1}}"#,
    r#"{"members":["A","B","C"]}"#,
    r#"{"tenantId":"tenant","clientId":"app","clientSecret":"fuzz-secret-5e7c1d"}"#,
    r#"{"tenantId":"tenant","clientId":"app","certificatePath":"/c.pem","sendCertificateChain":true}"#,
    r#"{"tenantId":"common","clientId":"app","assertionCallback":true,"additionallyAllowedTenants":["*"]}"#,
    r#"{"tenantId":"tenant","clientId":"app","assertionCallback":true,"retryOptions":{"maxRetries":10,"retryDelayInMs":1}}"#,
    r#"{"tenantId":"tenant","clientId":"app","tokenFilePath":"/token","authorityHost":"https://login.chinacloudapi.cn"}"#,
    r#"{"tenantId":"t","subscription":"My Sub","processTimeoutInMs":5}"#,
    r#"{"tenantId":"tenant","clientId":"app","username":"u@contoso.com","password":"fuzz-secret-5e7c1d"}"#,
    r#"{"tenantId":"tenant","clientId":"app","clientSecret":"fuzz-secret-5e7c1d","authorizationCode":"code","redirectUri":"http://localhost:8400"}"#,
    r#"{"disableAutomaticAuthentication":true,"authenticationRecord":{"authority":"login.windows.net","homeAccountId":"a.b","clientId":"c","tenantId":"t","username":"u"}}"#,
];

const KINDS: &[&str] = &[
    "DefaultAzureCredential",
    "ManagedIdentityCredential",
    "ChainedTokenCredential",
    "EnvironmentCredential",
    "WorkloadIdentityCredential",
    "ClientSecretCredential",
    "ClientCertificateCredential",
    "ClientAssertionCredential",
    "AzureCliCredential",
    "AzureDeveloperCliCredential",
    "AzurePowerShellCredential",
    "DeviceCodeCredential",
    "UsernamePasswordCredential",
    "AuthorizationCodeCredential",
];

/// A certificate file as the credential reads it, so that fuzzed flows reach signing.
const PEM: &str = "-----BEGIN CERTIFICATE-----\nMIIBfake+certificate/DER==\n-----END CERTIFICATE-----\n\
                   -----BEGIN PRIVATE KEY-----\nMIIEkey\n-----END PRIVATE KEY-----\n";

/// The token the fake developer tools print on stdout; it must never show in an error message.
pub const TOOL_TOKEN: &str = "fuzz-tool-token-8d4b2a";

const SCOPES: &[&[&str]] = &[
    &["https://storage.azure.com/.default"],
    &["https://vault.azure.net/.default"],
    &[],
    &["a/.default", "b/.default"],
    &["api://app"],
];

const FAILURES: &[IoFailureKind] = &[
    IoFailureKind::TimedOut,
    IoFailureKind::ConnectTimedOut,
    IoFailureKind::Refused,
    IoFailureKind::Reset,
    IoFailureKind::Unreachable,
    IoFailureKind::DnsFailed,
    IoFailureKind::NotFound,
    IoFailureKind::PermissionDenied,
    IoFailureKind::TooLarge,
    IoFailureKind::Tls,
    IoFailureKind::Aborted,
    IoFailureKind::Unsupported,
    IoFailureKind::Other,
];

const HEADER_NAMES: &[&str] = &[
    "Retry-After",
    "retry-after-ms",
    "x-ms-retry-after-ms",
    "WWW-Authenticate",
    "Content-Type",
];

const ERROR_NAMES: &[&str] = &[
    "CredentialUnavailableError",
    "AuthenticationRequiredError",
    "AuthenticationError",
    "AggregateAuthenticationError",
    "AbortError",
    "TypeError",
    "",
];

/// A response body: usually shaped like a token response with fuzzed values, sometimes raw.
fn body(input: &mut Input<'_>) -> String {
    match input.byte() % 8 {
        0 => input.text(512),
        6 => format!(
            r#"{{"access_token":"tok","expires_in":3600,"refresh_token":"{}","client_info":"{}","id_token":"{}"}}"#,
            input.text(16),
            input.text(48),
            input.text(96)
        ),
        7 => format!(
            r#"{{"device_code":"{}","user_code":"{}","verification_uri":"{}","expires_in":{},"interval":{}}}"#,
            input.text(16),
            input.text(16),
            input.text(32),
            input.text(8),
            input.text(8)
        ),
        1 => format!(
            r#"{{"access_token":"tok","expires_on":"{}"}}"#,
            u64::from(input.u16()) + T0.as_millis() / 1000 - 1000
        ),
        2 => format!(
            r#"{{"access_token":"tok","expires_on":{}}}"#,
            input.text(24)
        ),
        3 => format!(
            r#"{{"access_token":{},"expires_in":{},"refresh_in":{}}}"#,
            input.text(16),
            input.text(16),
            input.text(16)
        ),
        4 => format!(
            r#"{{"error":"{}","error_description":"{} {SECRET} {}"}}"#,
            input.text(16),
            input.text(300),
            input.text(300)
        ),
        _ => format!(
            r#"{{"access_token":"tok","expires_in":3600,"client_id":"{}"}}"#,
            input.text(16)
        ),
    }
}

/// What a developer tool prints: random text, or the JSON of `az`, `azd` or the PowerShell script
/// with [`TOOL_TOKEN`] and a fuzzed expiry, sometimes amid other text.
fn tool_stdout(input: &mut Input<'_>) -> String {
    let expiry = match input.byte() % 3 {
        0 => format!("{}", u64::from(input.u16()) + T0.as_millis() / 1000 - 1000),
        1 => format!("\"{}\"", input.text(32).replace(['"', '\\'], "")),
        _ => "\"2023-11-15 00:13:20.000000\"".to_owned(),
    };
    let json = match input.byte() % 4 {
        0 => return input.text(64),
        1 => format!(
            r#"{{"accessToken":"{TOOL_TOKEN}","expires_on":{expiry},"expiresOn":{expiry}}}"#
        ),
        2 => format!(r#"{{"token":"{TOOL_TOKEN}","expiresOn":{expiry}}}"#),
        _ => format!(r#"{{"Token":"{TOOL_TOKEN}","ExpiresOn":{expiry}}}"#),
    };
    match input.byte() % 3 {
        0 => json,
        1 => format!("WARNING: x\r\n{json}\r\n"),
        _ => format!("{}{json}{}", input.text(16), input.text(16)),
    }
}

/// A finished process: exit code, stdout from [`tool_stdout`], stderr empty or random.
fn ran(input: &mut Input<'_>) -> Reply {
    Reply::Ran(ProcessOutput {
        exit_code: input.pick(&[Some(0), Some(0), Some(1), Some(127), None]),
        stdout: Secret::new(tool_stdout(input)),
        stderr: if input.byte() % 2 == 0 {
            String::new()
        } else {
            input.text(64)
        },
    })
}

/// A reply for `action`: arbitrary when input remains (sometimes of the wrong kind), and a
/// plain, final-looking one once the input is spent.
fn reply(input: &mut Input<'_>, action: &Action, now: Timestamp) -> Reply {
    if input.is_empty() {
        return match action {
            Action::Http { .. } => Reply::Http(HttpResponse::new(400, "")),
            Action::Delegate { .. } => Reply::Delegated(DelegateOutcome {
                token: None,
                error: None,
            }),
            _ => Reply::Failed(IoFailure::new(IoFailureKind::NotFound, "ENOENT")),
        };
    }
    // Processes mostly get process outcomes, so the developer tools' parsers are reached.
    if matches!(action, Action::Run { .. }) && input.byte() % 4 != 0 {
        return ran(input);
    }
    match input.byte() % 12 {
        0..=2 => {
            let status = input.pick(&[200, 200, 400, 401, 403, 404, 408, 410, 429, 500, 503, 0])
                ^ (u16::from(input.byte() % 2) * input.u16());
            let mut resp = HttpResponse::new(status, body(input));
            for _ in 0..input.byte() % 3 {
                let name = input.pick(HEADER_NAMES);
                let value = match input.byte() % 3 {
                    0 => input.u16().to_string(),
                    1 => "Basic realm=/var/opt/azcmagent/tokens/x.key".to_owned(),
                    _ => input.text(40),
                };
                resp = resp.header(name, value);
            }
            Reply::Http(resp)
        }
        3 => Reply::Failed(IoFailure::new(input.pick(FAILURES), input.text(64))),
        4 => Reply::File {
            contents: Secret::new(input.text(64)),
        },
        5 => ran(input),
        8 => Reply::File {
            contents: Secret::new(PEM),
        },
        9 => Reply::Signed {
            signature: input.text(32),
        },
        10 => Reply::Assertion {
            value: Secret::new(input.text(64)),
        },
        11 => Reply::Prompted,
        _ => Reply::Delegated(match input.byte() % 3 {
            0 => DelegateOutcome {
                token: Some(AccessToken::bearer(
                    Secret::new("delegated"),
                    Timestamp::from_millis(now.as_millis() + u64::from(input.u16()) * 1000),
                    None,
                )),
                error: None,
            },
            1 => DelegateOutcome {
                token: None,
                error: Some(ForeignError {
                    name: input.pick(ERROR_NAMES).to_owned(),
                    message: input.text(32),
                }),
            },
            _ => DelegateOutcome {
                token: None,
                error: None,
            },
        }),
    }
}

/// Builds a credential from a small environment and options chosen by the first bytes, then runs
/// up to three `getToken` calls, feeding replies decoded from the rest of the input. Each flow
/// must reach `Finished` within [`MAX_STEPS`] steps without a panic, and no error message may
/// contain the secret sent to the endpoint.
pub fn flow_replies(data: &[u8]) {
    let mut input = Input::new(data);
    let pairs = input.pick(ENVS);
    let kind = input.pick(KINDS);
    let options_json = input.pick(OPTIONS);
    // Only a secret the credential sends must be scrubbed from what the endpoint says.
    let sent_in = |names: &[&str]| pairs.iter().any(|(k, v)| *v == SECRET && names.contains(k));
    let secret_sent = match kind {
        "EnvironmentCredential" => sent_in(&["AZURE_CLIENT_SECRET", "AZURE_PASSWORD"]),
        "ClientSecretCredential" | "AuthorizationCodeCredential" => {
            options_json.contains(&format!(r#""clientSecret":"{SECRET}""#))
        }
        "UsernamePasswordCredential" => options_json.contains(&format!(r#""password":"{SECRET}""#)),
        "DefaultAzureCredential" | "ManagedIdentityCredential" => {
            sent_in(&["IDENTITY_HEADER", "MSI_SECRET"])
        }
        _ => false,
    };
    let seed = u64::from(input.u16());
    let options: Options = serde_json::from_str(options_json).expect("options");
    let env = EnvSnapshot::from_pairs(pairs.iter().copied());
    let Ok(mut cred) = Credential::new(kind, &options, &env, seed) else {
        return;
    };
    let mut now = T0;
    for _ in 0..3 {
        let mut request = TokenRequest::new(input.pick(SCOPES).iter().copied());
        if input.byte() & 3 == 0 {
            request.timeout_ms = Some(u64::from(input.u16()));
        }
        if input.byte() & 3 == 0 {
            request.tenant_id = Some("tenant".to_owned());
        }
        request.authenticate = input.byte() & 7 == 0;
        let mut flow = match cred.begin(request, now) {
            Begin::Start { flow, .. } => flow,
            Begin::Cached(t) => {
                assert!(t.expires_on > now, "served an expired token");
                now = Timestamp::from_millis(now.as_millis() + u64::from(input.u16()) * 1000);
                continue;
            }
            other => panic!("unexpected begin {other:?}"),
        };
        let mut steps = 0;
        loop {
            steps += 1;
            assert!(
                steps <= MAX_STEPS,
                "the flow did not finish in {MAX_STEPS} steps"
            );
            match flow.poll(now) {
                Step::Finished => break,
                Step::Wait { until } => {
                    assert!(until > now, "a wait that does not move time forward");
                    now = until;
                }
                Step::Perform { action } => {
                    let r = reply(&mut input, &action, now);
                    // Replies may take time.
                    now = Timestamp::from_millis(now.as_millis() + u64::from(input.byte()) * 16);
                    // A reply of the wrong kind is refused as misuse; that is fine here.
                    let _ = flow.handle(r, now);
                }
                other => panic!("unexpected step {other:?}"),
            }
        }
        if let Err(e) = cred.finish(*flow, now) {
            let rendered = format!("{e} {e:?}");
            assert!(
                !(secret_sent && rendered.contains(SECRET)),
                "the secret leaked: {rendered}"
            );
            assert!(
                !rendered.contains(TOOL_TOKEN),
                "a developer tool's token leaked: {rendered}"
            );
            assert!(
                e.message.len() < 8_000,
                "a huge message: {} bytes",
                e.message.len()
            );
        }
        now = Timestamp::from_millis(now.as_millis() + u64::from(input.u16()) * 1000);
    }
}
