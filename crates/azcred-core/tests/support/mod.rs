//! A fake world for scenario tests: a [`Script`] drives a [`Flow`] to completion against canned
//! replies, on a virtual clock, and records a transcript of short strings.
//!
//! Each test file uses a different part of it.
#![allow(dead_code, unreachable_pub)]

use std::collections::VecDeque;

use azcred_core::{
    AccessToken, Action, Begin, Credential, DelegateOutcome, EnvSnapshot, ForeignError, Headers,
    HttpRequest, HttpResponse, IoFailure, IoFailureKind, Method, Options, Reply, Secret, Step,
    Timestamp, TokenError, TokenRequest,
};

/// The virtual time every scenario starts at (2023-11-14T22:13:20Z).
pub const T0: Timestamp = Timestamp::from_secs(1_700_000_000);

/// A flow that needs more steps than this is looping: the test fails with its transcript.
pub const MAX_STEPS: usize = 500;

/// The IMDS token URL.
pub const IMDS: &str = "http://169.254.169.254/metadata/identity/oauth2/token";

/// `https://storage.azure.com/.default` as a resource in a query string.
pub const STORAGE_RES: &str = "https%3A%2F%2Fstorage.azure.com";

/// The scope most tests ask for.
pub const STORAGE: &str = "https://storage.azure.com/.default";

type Answer = Box<dyn FnOnce(&Action, &mut Timestamp) -> Reply>;
type Fallback = Box<dyn FnMut(&Action, &mut Timestamp) -> Reply>;

/// The fake world: a clock, a queue of answers, and what happened.
pub struct Script {
    /// The virtual clock. Advanced by `Step::Wait` and by answers that take time.
    pub now: Timestamp,
    answers: VecDeque<Answer>,
    fallback: Option<Fallback>,
    /// Bound on steps per drive.
    pub max_steps: usize,
    /// Whether the Azure Arc agent binary exists. When it does not (the default), lookups of it
    /// are answered `NotFound` without using a queued answer and left out of transcripts, so
    /// IMDS scenarios read the same whether or not the core looks for the agent first.
    pub arc_agent: bool,
}

/// What one `getToken` did.
pub struct Run {
    /// One short line per action or wait, in order.
    pub transcript: Vec<String>,
    /// Every action performed, in order.
    pub actions: Vec<Action>,
    /// What `Credential::finish` returned (or the cached token).
    pub result: Result<AccessToken, TokenError>,
    /// Whether `begin` answered from the cache.
    pub cached: bool,
    /// The token `begin` handed out at once for a background refresh.
    pub serving: Option<AccessToken>,
}

impl Run {
    /// The token, or a panic with the error and the transcript.
    pub fn token(&self) -> &AccessToken {
        match &self.result {
            Ok(t) => t,
            Err(e) => panic!(
                "expected a token, got {e:?}\ntranscript: {:#?}",
                self.transcript
            ),
        }
    }

    /// The error, or a panic with the transcript.
    pub fn error(&self) -> &TokenError {
        match &self.result {
            Err(e) => e,
            Ok(t) => panic!(
                "expected an error, got {t:?}\ntranscript: {:#?}",
                self.transcript
            ),
        }
    }

    /// The HTTP requests performed, in order.
    pub fn requests(&self) -> Vec<&HttpRequest> {
        self.actions
            .iter()
            .filter_map(|a| match a {
                Action::Http { request, .. } => Some(request),
                _ => None,
            })
            .collect()
    }

    /// The waits, in ms.
    pub fn waits(&self) -> Vec<u64> {
        self.transcript
            .iter()
            .filter_map(|l| l.strip_prefix("wait "))
            .map(|ms| ms.parse().unwrap())
            .collect()
    }

    /// The transcript with wait amounts removed (they are jittered).
    pub fn shape(&self) -> Vec<String> {
        self.transcript
            .iter()
            .map(|l| {
                if l.starts_with("wait ") {
                    "wait".to_owned()
                } else {
                    l.clone()
                }
            })
            .collect()
    }
}

impl Default for Script {
    fn default() -> Self {
        Self::new()
    }
}

impl Script {
    /// A world at [`T0`] with no answers.
    pub fn new() -> Self {
        Self::at(T0)
    }

    /// A world at `now` with no answers.
    pub fn at(now: Timestamp) -> Self {
        Self {
            now,
            answers: VecDeque::new(),
            fallback: None,
            max_steps: MAX_STEPS,
            arc_agent: false,
        }
    }

    /// Queues an answer computed from the action (it may advance the clock).
    pub fn with(mut self, f: impl FnOnce(&Action, &mut Timestamp) -> Reply + 'static) -> Self {
        self.push(f);
        self
    }

    /// Queues an answer, for a script reused across runs.
    pub fn push(&mut self, f: impl FnOnce(&Action, &mut Timestamp) -> Reply + 'static) {
        self.answers.push_back(Box::new(f));
    }

    /// Queues a reply value.
    pub fn reply(self, reply: Reply) -> Self {
        self.with(move |_, _| reply)
    }

    /// Queues an HTTP response with this status and body.
    pub fn http(self, status: u16, body: &str) -> Self {
        self.reply(Reply::Http(HttpResponse::new(status, body)))
    }

    /// Queues an HTTP response.
    pub fn response(self, resp: HttpResponse) -> Self {
        self.reply(Reply::Http(resp))
    }

    /// Queues a 200 token response expiring `lifetime_s` after the current virtual time.
    pub fn token_for(self, token: &'static str, lifetime_s: u64) -> Self {
        self.with(move |_, now| {
            let exp = now.as_millis() / 1000 + lifetime_s;
            Reply::Http(HttpResponse::new(200, token_body(token, exp)))
        })
    }

    /// Answers every process run that nothing else answers with "not found": a machine with
    /// no developer tools (DefaultAzureCredential's last members).
    pub fn tools_absent(self) -> Self {
        self.otherwise(|a, _| match a {
            Action::Run { program, .. } => Reply::Failed(IoFailure::new(
                IoFailureKind::NotFound,
                format!("{program}: not found"),
            )),
            other => panic!("no reply scripted for {other:?}"),
        })
    }

    /// Queues a transport failure.
    pub fn fail(self, kind: IoFailureKind, message: &str) -> Self {
        self.reply(Reply::Failed(IoFailure::new(kind, message)))
    }

    /// Queues a connect timeout that happens at the action's `connect_deadline`.
    pub fn connect_timeout(self) -> Self {
        self.with(|a, now| {
            let Action::Http {
                connect_deadline: Some(at),
                ..
            } = a
            else {
                panic!("connect timeout for an action with no connect deadline: {a:?}")
            };
            *now = (*now).max(*at);
            Reply::Failed(IoFailure::new(
                IoFailureKind::ConnectTimedOut,
                "connect ETIMEDOUT",
            ))
        })
    }

    /// Queues a delegate outcome with a token.
    pub fn delegated_token(self, token: &str, expires: Timestamp) -> Self {
        let t = AccessToken::bearer(Secret::new(token), expires, None);
        self.reply(Reply::Delegated(DelegateOutcome {
            token: Some(t),
            error: None,
        }))
    }

    /// Queues a delegate outcome with an error.
    pub fn delegated_error(self, name: &str, message: &str) -> Self {
        self.reply(Reply::Delegated(DelegateOutcome {
            token: None,
            error: Some(ForeignError {
                name: name.to_owned(),
                message: message.to_owned(),
            }),
        }))
    }

    /// Queues a delegate outcome of `null`.
    pub fn delegated_null(self) -> Self {
        self.reply(Reply::Delegated(DelegateOutcome {
            token: None,
            error: None,
        }))
    }

    /// Answers every action left once the queue is empty.
    pub fn otherwise(mut self, f: impl FnMut(&Action, &mut Timestamp) -> Reply + 'static) -> Self {
        self.fallback = Some(Box::new(f));
        self
    }

    /// How many queued answers are left.
    pub fn pending(&self) -> usize {
        self.answers.len()
    }

    /// Drives `flow` until it is finished, answering each action and waiting out each wait.
    /// Returns the transcript and the actions. Panics (failing the test) when the flow needs more
    /// than `max_steps` steps, asks for an action no answer is left for, waits backwards, or a
    /// reply is refused.
    pub fn drive(&mut self, flow: &mut azcred_core::Flow) -> (Vec<String>, Vec<Action>) {
        let mut transcript = Vec::new();
        let mut actions = Vec::new();
        for _ in 0..self.max_steps {
            match flow.poll(self.now) {
                Step::Finished => return (transcript, actions),
                Step::Wait { until } => {
                    assert!(
                        until > self.now,
                        "wait until {until:?} is not after now {:?}\ntranscript: {transcript:#?}",
                        self.now
                    );
                    transcript.push(format!("wait {}", until.since(self.now).as_millis()));
                    self.now = until;
                }
                Step::Perform { action } => {
                    if is_himds_lookup(&action) && !self.arc_agent {
                        let absent =
                            Reply::Failed(IoFailure::new(IoFailureKind::NotFound, "ENOENT"));
                        if let Err(m) = flow.handle(absent, self.now) {
                            panic!("reply refused: {m}\ntranscript: {transcript:#?}");
                        }
                        continue;
                    }
                    transcript.push(describe(&action));
                    let reply = if let Some(answer) = self.answers.pop_front() {
                        answer(&action, &mut self.now)
                    } else if let Some(f) = self.fallback.as_mut() {
                        f(&action, &mut self.now)
                    } else {
                        panic!("no reply scripted for {action:?}\ntranscript: {transcript:#?}")
                    };
                    actions.push(action);
                    if let Err(m) = flow.handle(reply, self.now) {
                        panic!("reply refused: {m}\ntranscript: {transcript:#?}");
                    }
                }
                other => panic!("unknown step {other:?}"),
            }
        }
        panic!(
            "the flow did not finish within {} steps\ntranscript: {transcript:#?}",
            self.max_steps
        )
    }

    /// Runs one `getToken` on `cred`: `begin`, drive, `finish`. Every queued answer must be used.
    pub fn run(&mut self, cred: &mut Credential, request: TokenRequest) -> Run {
        let run = match cred.begin(request, self.now) {
            Begin::Cached(t) => Run {
                transcript: vec!["cached".to_owned()],
                actions: Vec::new(),
                result: Ok(t),
                cached: true,
                serving: None,
            },
            Begin::Start { mut flow, serving } => {
                let (transcript, actions) = self.drive(&mut flow);
                let result = cred.finish(*flow, self.now);
                Run {
                    transcript,
                    actions,
                    result,
                    cached: false,
                    serving,
                }
            }
            Begin::Join(id) => panic!("unexpected join of {id:?}"),
            other => panic!("unexpected begin {other:?}"),
        };
        assert_eq!(
            self.answers.len(),
            0,
            "{} scripted replies were not used\ntranscript: {:#?}",
            self.answers.len(),
            run.transcript
        );
        run
    }

    /// Runs `getToken` for one scope.
    pub fn get(&mut self, cred: &mut Credential, scope: &str) -> Run {
        self.run(cred, TokenRequest::new([scope]))
    }

    /// Advances the clock.
    pub fn advance_ms(&mut self, ms: u64) {
        self.now = Timestamp::from_millis(self.now.as_millis() + ms);
    }
}

/// The Linux and Windows paths of the Azure Arc agent binary.
pub const HIMDS_LINUX: &str = "/opt/azcmagent/bin/himds";

/// Whether `action` looks for the Azure Arc agent binary.
pub fn is_himds_lookup(action: &Action) -> bool {
    matches!(action, Action::ReadFile { path, .. }
        if path == HIMDS_LINUX || path.ends_with("\\AzureConnectedMachineAgent\\himds.exe"))
}

/// One transcript line for an action.
pub fn describe(action: &Action) -> String {
    match action {
        Action::Http {
            request,
            connect_deadline,
            ..
        } => {
            let method = match request.method {
                Method::Get => "GET",
                Method::Post => "POST",
            };
            let probe = if connect_deadline.is_some() {
                " [probe]"
            } else {
                ""
            };
            format!("{method} {}{probe}", request.url)
        }
        Action::Run { program, args, .. } => format!("run {program} {}", args.join(" ")),
        Action::ReadFile { path, .. } => format!("read-file {path}"),
        Action::Delegate { index, .. } => format!("delegate {index}"),
        Action::Sign { algorithm, .. } => format!("sign {algorithm}"),
        Action::GetAssertion { .. } => "get-assertion".to_owned(),
        Action::LoadCache { store, .. } => format!("load-cache {}", store.name),
        Action::StoreCache { store, .. } => format!("store-cache {}", store.name),
        other => format!("other {other:?}"),
    }
}

/// A token response body with `expires_on` as a numeric string (as IMDS sends it).
pub fn token_body(token: &str, expires_on_secs: u64) -> String {
    format!(
        r#"{{"access_token":"{token}","expires_on":"{expires_on_secs}","token_type":"Bearer"}}"#
    )
}

/// An environment snapshot.
pub fn env(pairs: &[(&str, &str)]) -> EnvSnapshot {
    EnvSnapshot::from_pairs(pairs.iter().copied())
}

/// Options from JSON, as the JS classes receive them.
pub fn options(v: serde_json::Value) -> Options {
    serde_json::from_value(v).expect("options")
}

/// Builds a credential, panicking on a configuration error.
pub fn credential(kind: &str, opts: serde_json::Value, pairs: &[(&str, &str)]) -> Credential {
    Credential::new(kind, &options(opts), &env(pairs), 42).expect("credential")
}

/// `new DefaultAzureCredential(opts)` in `env`.
pub fn dac(opts: serde_json::Value, pairs: &[(&str, &str)]) -> Credential {
    credential("DefaultAzureCredential", opts, pairs)
}

/// `new ManagedIdentityCredential(opts)` in `env`.
pub fn mi(opts: serde_json::Value, pairs: &[(&str, &str)]) -> Credential {
    credential("ManagedIdentityCredential", opts, pairs)
}

/// The request of an HTTP action, with its deadlines.
pub fn http(action: &Action) -> (&HttpRequest, Timestamp, Option<Timestamp>) {
    match action {
        Action::Http {
            request,
            deadline,
            connect_deadline,
            ..
        } => (request, *deadline, *connect_deadline),
        other => panic!("expected an HTTP action, got {other:?}"),
    }
}

/// Headers as owned pairs, in order.
pub fn header_list(h: &Headers) -> Vec<(String, String)> {
    h.iter()
        .map(|(n, v)| (n.to_owned(), v.to_owned()))
        .collect()
}

/// Builds owned header pairs from literals.
pub fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
    p.iter()
        .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
        .collect()
}

/// `T0` plus `ms`.
pub fn at_ms(ms: u64) -> Timestamp {
    Timestamp::from_millis(T0.as_millis() + ms)
}

/// The headers a request is expected to carry: `expected`, then what every request carries
/// (azcred's `User-Agent` and a fresh `x-ms-client-request-id`, checked to be a UUID v4).
pub fn stamped(req: &HttpRequest, expected: &[(&str, &str)]) -> Vec<(String, String)> {
    let id = req
        .headers
        .get("x-ms-client-request-id")
        .expect("every request carries x-ms-client-request-id");
    assert!(
        id.len() == 36 && &id[14..15] == "4",
        "x-ms-client-request-id is a UUID v4: {id}"
    );
    let mut out = pairs(expected);
    out.push((
        "User-Agent".to_owned(),
        format!("azcred/{}", env!("CARGO_PKG_VERSION")),
    ));
    out.push(("x-ms-client-request-id".to_owned(), id.to_owned()));
    out
}

/// A user token response (MSAL's public-client answer): an access token, a refresh token when
/// given, the account `uid` of `tenant` in `client_info` and an id token naming
/// `ada@contoso.com`.
pub fn user_answer(token: &str, refresh: Option<&str>, uid: &str, tenant: &str) -> String {
    use base64::Engine;
    let b64 = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
    let mut v = serde_json::json!({
        "token_type": "Bearer",
        "scope": "https://storage.azure.com/user_impersonation",
        "expires_in": 3599,
        "ext_expires_in": 3599,
        "access_token": token,
        "client_info": b64(&format!(r#"{{"uid":"{uid}","utid":"{tenant}"}}"#)),
        "id_token": format!("{}.{}.", b64(r#"{"typ":"JWT","alg":"none"}"#),
            b64(&format!(r#"{{"tid":"{tenant}","oid":"{uid}","preferred_username":"ada@contoso.com"}}"#))),
    });
    if let Some(rt) = refresh {
        v["refresh_token"] = serde_json::json!(rt);
    }
    v.to_string()
}
