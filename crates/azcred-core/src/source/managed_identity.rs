//! `ManagedIdentityCredential`: source detection, the wire request of each managed-identity
//! endpoint, the DefaultAzureCredential IMDS probe, and retries with a bounded total time.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::time::Duration;

use crate::shared::SharedTokens;
use crate::token::AccessToken;

use crate::env::{EnvSnapshot, Platform};
use crate::error::{ConfigError, ErrorKind, Misuse, TokenError};
use crate::http::{HttpRequest, HttpResponse, form, with_query};
use crate::io::{Action, IoFailure, IoFailureKind, Reply};
use crate::redact::Scrubber;
use crate::retry::{self, RetryPolicy, Rng};
use crate::secret::Secret;
use crate::source::entra::Entra;
use crate::source::{
    Decided, Outstanding, Source, SourceFlow, SourceStep, StartContext, TokenRequest, json_list,
    scope_to_resource,
};
use crate::time::Timestamp;
use crate::token::parse_token_response;

const NAME: &str = "ManagedIdentityCredential";

/// The IMDS address on every Azure VM.
pub(crate) const IMDS_BASE: &str = "http://169.254.169.254";
const IMDS_PATH: &str = "/metadata/identity/oauth2/token";

/// The probe's whole deadline unless `requestOptions.timeout` says otherwise (the reference's).
const PROBE_TIMEOUT: Duration = Duration::from_millis(1000);
/// The probe gives up when no TCP connection is established within this. On an Azure host the
/// IMDS address is answered by the host itself and a connection is established in well under a
/// millisecond; on a laptop the address is usually routed nowhere and the SYN is silently
/// dropped, which the reference waits out for the whole second. A slow *answer* is still allowed
/// the full probe deadline, so a busy but live IMDS is never misjudged.
const PROBE_CONNECT_TIMEOUT: Duration = Duration::from_millis(200);
/// Each token request attempt gives up after this (the reference has no limit).
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(10);
/// No retry starts later than this after the first attempt.
const RETRY_BUDGET: Duration = Duration::from_secs(30);
/// 410 Gone from IMDS means "upgrading"; the reference waits at least 3 s between these.
const GONE_MIN_BASE: Duration = Duration::from_secs(3);
/// The Azure Arc agent on Linux; its presence selects Arc with the default endpoint.
const HIMDS_LINUX: &str = "/opt/azcmagent/bin/himds";
/// The Arc endpoint when only the agent binary tells that this is an Arc machine.
const ARC_DEFAULT_ENDPOINT: &str = "http://127.0.0.1:40342/metadata/identity/oauth2/token";
/// The Arc key file must be no larger than this (the reference's limit).
const ARC_KEY_MAX_BYTES: u64 = 4096;

/// The shared-store key of a request: the exact request, to the same endpoint with the same
/// secret.
fn share_key(request: &HttpRequest, secret: Option<&Secret>) -> String {
    let mut h = DefaultHasher::new();
    secret.map(Secret::expose).hash(&mut h);
    request.body.as_ref().map(Secret::expose).hash(&mut h);
    // Trusting another certificate is another endpoint.
    request.pinned_thumbprint.hash(&mut h);
    format!("{:?}|{}|{:x}", request.method, request.url, h.finish())
}

/// A user-assigned identity selector.
#[allow(clippy::enum_variant_names)] // the reference's own names: clientId, objectId, resourceId
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum UserAssigned {
    ClientId(String),
    ObjectId(String),
    ResourceId(String),
}

impl UserAssigned {
    fn value(&self) -> &str {
        match self {
            Self::ClientId(v) | Self::ObjectId(v) | Self::ResourceId(v) => v,
        }
    }
}

/// Which managed-identity endpoint this host has, detected from the environment.
#[derive(Debug, Clone)]
pub(crate) enum Endpoint {
    ServiceFabric {
        url: String,
        secret: Secret,
        thumbprint: String,
    },
    AppService {
        url: String,
        secret: Secret,
    },
    MachineLearning {
        url: String,
        secret: Secret,
        default_client_id: Option<String>,
    },
    CloudShell {
        url: String,
    },
    Arc {
        url: String,
    },
    Imds {
        base: String,
        probe_allowed: bool,
        /// The Azure Arc agent binary to look for before using IMDS (Arc's second detection
        /// rule, which needs IO, so the flow checks it).
        himds: Option<String>,
    },
}

impl Endpoint {
    /// Detects the source, first match wins, in the reference's order.
    fn detect(env: &EnvSnapshot) -> Self {
        let identity = env.get("IDENTITY_ENDPOINT").zip(env.get("IDENTITY_HEADER"));
        if let (Some((url, header)), Some(thumb)) =
            (identity, env.get("IDENTITY_SERVER_THUMBPRINT"))
        {
            return Self::ServiceFabric {
                url: url.to_owned(),
                secret: Secret::new(header),
                thumbprint: thumb.to_owned(),
            };
        }
        if let Some((url, header)) = identity {
            return Self::AppService {
                url: url.to_owned(),
                secret: Secret::new(header),
            };
        }
        if let (Some(url), Some(secret)) = (env.get("MSI_ENDPOINT"), env.get("MSI_SECRET")) {
            return Self::MachineLearning {
                url: url.to_owned(),
                secret: Secret::new(secret),
                default_client_id: env.get("DEFAULT_IDENTITY_CLIENT_ID").map(str::to_owned),
            };
        }
        if let Some(url) = env.get("MSI_ENDPOINT") {
            return Self::CloudShell {
                url: url.to_owned(),
            };
        }
        if let (Some(url), Some(_)) = (env.get("IDENTITY_ENDPOINT"), env.get("IMDS_ENDPOINT")) {
            return Self::Arc {
                url: url.replace("localhost", "127.0.0.1"),
            };
        }
        let himds = match env.platform() {
            Platform::Linux => Some(HIMDS_LINUX.to_owned()),
            Platform::Win32 => Some(format!(
                "{}\\AzureConnectedMachineAgent\\himds.exe",
                env.get("ProgramFiles").unwrap_or("C:\\Program Files")
            )),
            _ => None,
        };
        if let Some(host) = env.get("AZURE_POD_IDENTITY_AUTHORITY_HOST") {
            // The reference lower-cases the whole URL and appends a slash; the probe is skipped.
            let url = format!("{}{IMDS_PATH}", host.trim_end_matches('/')).to_lowercase();
            return Self::Imds {
                base: format!("{url}/"),
                probe_allowed: false,
                himds,
            };
        }
        // azcred's own override of the IMDS address, for tests and local emulators: unlike the
        // pod-identity variable it keeps the probe, so DefaultAzureCredential behaves as on a VM.
        let base = env
            .get("AZCRED_IMDS_ENDPOINT")
            .unwrap_or(IMDS_BASE)
            .trim_end_matches('/');
        Self::Imds {
            base: format!("{base}{IMDS_PATH}"),
            probe_allowed: true,
            // An explicit test endpoint means IMDS: no Arc agent lookup.
            himds: himds.filter(|_| env.get("AZCRED_IMDS_ENDPOINT").is_none()),
        }
    }

    /// The source's name in messages.
    fn label(&self) -> &'static str {
        match self {
            Self::ServiceFabric { .. } => "Service Fabric",
            Self::AppService { .. } => "App Service",
            Self::MachineLearning { .. } => "Azure Machine Learning",
            Self::CloudShell { .. } => "Cloud Shell",
            Self::Arc { .. } => "Azure Arc",
            Self::Imds { .. } => "IMDS",
        }
    }

    /// The secret sent to the endpoint, to scrub from any text the endpoint sends back.
    fn secret(&self) -> Option<&Secret> {
        match self {
            Self::ServiceFabric { secret, .. }
            | Self::AppService { secret, .. }
            | Self::MachineLearning { secret, .. } => Some(secret),
            Self::CloudShell { .. } | Self::Arc { .. } | Self::Imds { .. } => None,
        }
    }

    /// Builds the token request for `resource`, or says why this identity cannot be used here.
    fn token_request(
        &self,
        resource: &str,
        id: Option<&UserAssigned>,
    ) -> Result<HttpRequest, String> {
        let id_param = |client: &'static str, resource_id: &'static str| {
            id.map(|id| match id {
                UserAssigned::ClientId(v) => (client, v.as_str()),
                UserAssigned::ObjectId(v) => ("object_id", v.as_str()),
                UserAssigned::ResourceId(v) => (resource_id, v.as_str()),
            })
        };
        let query = |api: &str, extra: Option<(&str, &str)>| {
            let mut pairs = vec![("api-version", api), ("resource", resource)];
            pairs.extend(extra);
            form(&pairs)
        };
        Ok(match self {
            Self::AppService { url, secret } => HttpRequest::get(with_query(
                url,
                &query("2019-08-01", id_param("client_id", "mi_res_id")),
            ))
            .header("X-IDENTITY-HEADER", secret.expose()),
            Self::ServiceFabric {
                url,
                secret,
                thumbprint,
            } => {
                let mut r = HttpRequest::get(with_query(url, &query("2019-07-01-preview", None)))
                    .header("secret", secret.expose());
                r.pinned_thumbprint = Some(thumbprint.to_ascii_uppercase());
                r
            }
            Self::MachineLearning {
                url,
                secret,
                default_client_id,
            } => {
                let client = match id {
                    Some(UserAssigned::ClientId(v)) => Some(v.as_str()),
                    Some(_) => {
                        return Err(
                            "Only client id is supported for user-assigned managed identity \
                                    in MachineLearning."
                                .to_owned(),
                        );
                    }
                    None => default_client_id.as_deref(),
                };
                HttpRequest::get(with_query(
                    url,
                    &query("2017-09-01", client.map(|c| ("clientid", c))),
                ))
                .header("Metadata", "true")
                .header("secret", secret.expose())
            }
            Self::CloudShell { url } => {
                HttpRequest::post_form(url.clone(), Secret::new(form(&[("resource", resource)])))
                    .header("Metadata", "true")
            }
            Self::Arc { url } => HttpRequest::get(with_query(
                url,
                &query("2020-06-01", id_param("client_id", "msi_res_id")),
            ))
            .header("Metadata", "true"),
            Self::Imds { base, .. } => HttpRequest::get(with_query(
                base,
                &query("2018-02-01", id_param("client_id", "msi_res_id")),
            ))
            .header("Metadata", "true"),
        })
    }
}

/// Options that shape a managed identity credential.
#[derive(Debug, Clone, Default)]
pub(crate) struct ManagedIdentityConfig {
    pub(crate) id: Option<UserAssigned>,
    /// Probe IMDS before the first request (DefaultAzureCredential only).
    pub(crate) probe: bool,
    /// `retryOptions.maxRetries`, `retryOptions.retryDelayInMs`, `retryOptions.maxRetryDelayInMs`.
    pub(crate) max_retries: Option<u32>,
    pub(crate) retry_delay: Option<Duration>,
    pub(crate) max_retry_delay: Option<Duration>,
    /// Defaults for `max_retries` and `retry_delay` (DefaultAzureCredential: 5 and 800 ms;
    /// standalone: 3 and 1000 ms, as the reference).
    pub(crate) default_retries: (u32, Duration),
    /// Where tokens are shared with the driver's other credentials (none: not shared).
    pub(crate) shared: Option<SharedTokens>,
}

/// A configured managed identity source.
#[derive(Debug)]
pub(crate) struct ManagedIdentity {
    endpoint: Endpoint,
    platform: Platform,
    /// `%ProgramData%`, where the Arc agent keeps its keys on Windows.
    program_data: String,
    /// Where tokens are shared with the driver's other credentials.
    shared: Option<SharedTokens>,
    id: Option<UserAssigned>,
    probe: bool,
    retry: RetryPolicy,
}

impl ManagedIdentity {
    /// Detects the endpoint and checks the identity options against it.
    pub(crate) fn new(
        env: &EnvSnapshot,
        config: ManagedIdentityConfig,
    ) -> Result<Self, ConfigError> {
        let endpoint = Endpoint::detect(env);
        if config.id.is_some() {
            match endpoint {
                Endpoint::CloudShell { .. } => {
                    return Err(ConfigError::unavailable(
                        "ManagedIdentityCredential: Specifying a user-assigned managed identity is \
                         not supported for CloudShell at runtime. When using Managed Identity in \
                         CloudShell, omit the clientId, resourceId, and objectId parameters.",
                    ));
                }
                Endpoint::ServiceFabric { .. } => {
                    return Err(ConfigError::unavailable(
                        "ManagedIdentityCredential: Specifying a `clientId` or `resourceId` is not \
                         supported by the Service Fabric managed identity environment. The managed \
                         identity configuration is determined by the Service Fabric cluster \
                         resource configuration. See https://aka.ms/servicefabricmi for more \
                         information",
                    ));
                }
                _ => {}
            }
        }
        let probe = config.probe
            && matches!(
                endpoint,
                Endpoint::Imds {
                    probe_allowed: true,
                    ..
                }
            );
        let (default_retries, default_delay) = config.default_retries;
        let retry = RetryPolicy {
            max_retries: config.max_retries.unwrap_or(default_retries),
            base: config.retry_delay.unwrap_or(default_delay),
            max_delay: config.max_retry_delay.unwrap_or(Duration::from_secs(64)),
            budget: RETRY_BUDGET,
        };
        Ok(Self {
            endpoint,
            platform: env.platform(),
            program_data: env
                .get("ProgramData")
                .unwrap_or("C:\\ProgramData")
                .to_owned(),
            shared: config.shared,
            id: config.id,
            probe,
            retry,
        })
    }
}

impl Source for ManagedIdentity {
    /// The request has no CAE parameter: CAE and non-CAE requests share a cache entry.
    fn request_uses_cae(&self) -> bool {
        false
    }

    fn describe(&self) -> String {
        let who = match &self.id {
            None => "system-assigned identity".to_owned(),
            Some(UserAssigned::ClientId(v)) => format!("user-assigned identity (client id {v})"),
            Some(UserAssigned::ObjectId(v)) => format!("user-assigned identity (object id {v})"),
            Some(UserAssigned::ResourceId(v)) => {
                format!("user-assigned identity (resource id {v})")
            }
        };
        let probe = if self.probe { ", probed first" } else { "" };
        format!("{} endpoint, {who}{probe}", self.endpoint.label())
    }

    fn name(&self) -> &str {
        NAME
    }

    fn start(&self, request: &TokenRequest, ctx: StartContext) -> Box<dyn SourceFlow> {
        let [scope] = request.scopes.as_slice() else {
            return Box::new(Decided(Some(Err(TokenError::unavailable(format!(
                "ManagedIdentityCredential: Multiple scopes are not supported. Scopes: {}",
                json_list(&request.scopes)
            ))))));
        };
        let token_request = match self
            .endpoint
            .token_request(scope_to_resource(scope), self.id.as_ref())
        {
            Ok(r) => r,
            Err(msg) => return Box::new(Decided(Some(Err(failed(&msg))))),
        };
        // Without Arc's variables, Arc is still selected when its agent is installed; the flow
        // looks for the agent first, and then uses this request instead.
        let (himds, arc_request) = match &self.endpoint {
            Endpoint::Imds {
                himds: Some(path), ..
            } => {
                let arc = Endpoint::Arc {
                    url: ARC_DEFAULT_ENDPOINT.to_owned(),
                };
                (
                    Some(path.clone()),
                    arc.token_request(scope_to_resource(scope), self.id.as_ref())
                        .ok(),
                )
            }
            _ => (None, None),
        };
        let probe = (self.probe && !ctx.proven).then(|| {
            let Endpoint::Imds { base, .. } = &self.endpoint else {
                unreachable_probe()
            };
            // As the reference's `timeout || 1000`: zero means the default.
            let timeout = request
                .timeout_ms
                .filter(|t| *t > 0)
                .map_or(PROBE_TIMEOUT, Duration::from_millis);
            (
                HttpRequest::get(base.clone()).header("Accept", "application/json"),
                timeout,
            )
        });
        let share_key = share_key(&token_request, self.endpoint.secret());
        Box::new(MiFlow {
            share: self.shared.clone().map(|s| (s, share_key)),
            state: if himds.is_some() {
                State::CheckHimds
            } else if probe.is_some() {
                State::Probe
            } else {
                State::Request
            },
            probe,
            himds,
            arc_request,
            arc: matches!(self.endpoint, Endpoint::Arc { .. }),
            imds: matches!(self.endpoint, Endpoint::Imds { .. }),
            arc_key: None,
            challenged: false,
            platform: self.platform,
            program_data: self.program_data.clone(),
            request: token_request,
            scrubber: {
                let mut s = Scrubber::new();
                if let Some(secret) = self.endpoint.secret() {
                    s.add(secret);
                }
                s
            },
            user_assigned: self.id.as_ref().map(|id| id.value().to_owned()),
            retry: self.retry,
            started: None,
            retries: 0,
            rng: Rng::new(ctx.seed),
            outstanding: Outstanding::default(),
            result: None,
        })
    }
}

/// The probe only exists for IMDS (checked in `ManagedIdentity::new`); a helper keeps that
/// invariant in one place.
fn unreachable_probe() -> ! {
    unreachable!("the probe is only enabled for the IMDS endpoint")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    CheckHimds,
    Probe,
    Request,
    ArcKey,
    Waiting(Timestamp),
    Done,
}

#[derive(Debug)]
struct MiFlow {
    /// Where this flow's token is shared, and under which key.
    share: Option<(SharedTokens, String)>,
    state: State,
    probe: Option<(HttpRequest, Duration)>,
    himds: Option<String>,
    arc_request: Option<HttpRequest>,
    /// The endpoint is Azure Arc's: a 401 carries the challenge.
    arc: bool,
    /// The endpoint is IMDS (a refused connection is final).
    imds: bool,
    arc_key: Option<String>,
    challenged: bool,
    platform: Platform,
    program_data: String,
    request: HttpRequest,
    /// Every secret this flow sends (the endpoint secret, the Arc key once read).
    scrubber: Scrubber,
    user_assigned: Option<String>,
    retry: RetryPolicy,
    started: Option<Timestamp>,
    retries: u32,
    rng: Rng,
    outstanding: Outstanding,
    result: Option<Result<AccessToken, TokenError>>,
}

/// "ManagedIdentityCredential: Authentication failed. Message <msg>" (the reference's wrap, with
/// its missing colon).
fn failed(msg: &str) -> TokenError {
    TokenError::unavailable(format!("{NAME}: Authentication failed. Message {msg}"))
}

impl MiFlow {
    fn finish(&mut self, r: Result<AccessToken, TokenError>) {
        self.state = State::Done;
        self.result = Some(r);
    }

    /// Text the endpoint or the driver sent back, with every secret this flow sent replaced
    /// (the one scrub rule, `redact::Scrubber`), shortened.
    fn scrub(&self, text: &str) -> String {
        self.scrubber.scrub(text, 300)
    }

    /// Schedules another attempt after `delay`, or returns false when retries or the time budget
    /// are spent.
    fn schedule_retry(&mut self, delay: Duration, now: Timestamp) -> bool {
        let at = self
            .retry
            .schedule(self.started, &mut self.retries, delay, now);
        if let Some(at) = at {
            self.state = State::Waiting(at);
        }
        at.is_some()
    }

    fn on_probe(&mut self, reply: Reply) {
        let available = match reply {
            Reply::Http(r) => !(r.status == 403 && r.body.contains("unreachable")),
            Reply::Failed(IoFailure {
                kind: IoFailureKind::Aborted,
                ..
            }) => {
                return self.finish(Err(aborted()));
            }
            _ => false,
        };
        if available {
            self.state = State::Request;
        } else {
            self.finish(Err(failed(
                "Attempted to use the IMDS endpoint, but it is not available.",
            )));
        }
    }

    /// The Arc agent lookup: a file that opens (whatever its size) means Arc.
    fn on_himds(&mut self, reply: Reply) {
        let found = match reply {
            Reply::File { .. } => true,
            Reply::Failed(f) => f.kind == IoFailureKind::TooLarge,
            _ => false,
        };
        self.state = match (found, self.arc_request.take()) {
            (true, Some(arc)) => {
                self.request = arc;
                self.arc = true;
                self.imds = false;
                self.probe = None;
                State::Request
            }
            _ if self.probe.is_some() => State::Probe,
            _ => State::Request,
        };
    }

    /// Azure Arc's challenge: `WWW-Authenticate: Basic realm=<key file>`; the key file must be a
    /// `.key` file in the agent's token directory and at most 4096 bytes (the reference's checks).
    fn on_arc_challenge(&mut self, resp: &HttpResponse) -> Result<String, TokenError> {
        let header = resp.headers.get("www-authenticate").ok_or_else(|| {
            failed("www_authenticate_header_missing: The managed identity endpoint's 401 response has no WWW-Authenticate header.")
        })?;
        let path = header
            .split_once("Basic realm=")
            .map(|(_, p)| p.trim())
            .filter(|p| !p.is_empty())
            .ok_or_else(|| {
                failed("www_authenticate_header_unsupported_format: The WWW-Authenticate header is not 'Basic realm=<path>'.")
            })?;
        let dir = match self.platform {
            Platform::Linux => "/var/opt/azcmagent/tokens/".to_owned(),
            Platform::Win32 => format!(
                "{}\\AzureConnectedMachineAgent\\Tokens\\",
                self.program_data
            ),
            _ => {
                return Err(failed(
                    "platform_not_supported: Azure Arc managed identity is supported on Linux and Windows only.",
                ));
            }
        };
        let sep = if self.platform == Platform::Win32 {
            ['\\', '/']
        } else {
            ['/', '/']
        };
        let base = path.rsplit(sep).next().unwrap_or(path);
        if !base.ends_with(".key") {
            return Err(failed(
                "invalid_file_extension: The Azure Arc key file must have the .key extension.",
            ));
        }
        if path != format!("{dir}{base}") {
            return Err(failed(&format!(
                "invalid_file_path: The Azure Arc key file must be in {dir}."
            )));
        }
        Ok(path.to_owned())
    }

    fn on_arc_key(&mut self, reply: Reply) {
        match reply {
            Reply::File { contents } => {
                let key = contents.expose().trim();
                self.scrubber.add(&Secret::new(key));
                let value = format!("Basic {key}");
                self.request.headers.push("Authorization", value);
                self.state = State::Request;
            }
            Reply::Failed(f) if f.kind == IoFailureKind::TooLarge => self.finish(Err(failed(
                "invalid_secret: The Azure Arc key file is larger than 4096 bytes.",
            ))),
            Reply::Failed(f) if f.kind == IoFailureKind::Aborted => self.finish(Err(aborted())),
            _ => self.finish(Err(failed(
                "unable_to_read_secret_file: The Azure Arc key file could not be read.",
            ))),
        }
    }

    fn on_response(&mut self, resp: HttpResponse, now: Timestamp) {
        if (200..300).contains(&resp.status) {
            let r = parse_token_response(&resp.body, now).map_err(|e| failed(&e.to_string()));
            if let (Ok(_), true, Some(id)) = (&r, self.arc, &self.user_assigned) {
                // Arc must confirm the user-assigned identity it issued the token for.
                if !echoes_identity(&resp.body, id) {
                    return self.finish(Err(failed(&format!(
                        "user_assigned_managed_identity_not_confirmed: The endpoint did not confirm the user-assigned identity {id}."
                    ))));
                }
            }
            if let (Ok(t), Some((store, key))) = (&r, &self.share) {
                store.store(key, t, now);
            }
            return self.finish(r);
        }
        if resp.status == 401 && self.arc && !self.challenged {
            self.challenged = true;
            match self.on_arc_challenge(&resp) {
                Ok(path) => {
                    self.arc_key = Some(path);
                    self.state = State::ArcKey;
                }
                Err(e) => self.finish(Err(e)),
            }
            return;
        }
        let retry_delay = match resp.status {
            404 => Some(
                self.retry
                    .delay(self.retries, self.retry.base, &mut self.rng),
            ),
            410 => Some(self.retry.delay(
                self.retries,
                self.retry.base.max(GONE_MIN_BASE),
                &mut self.rng,
            )),
            s if retry::is_retryable_status(s) => {
                Some(retry::retry_after(&resp.headers, now).unwrap_or_else(|| {
                    self.retry
                        .delay(self.retries, self.retry.base, &mut self.rng)
                }))
            }
            _ => None,
        };
        if let Some(delay) = retry_delay {
            if self.schedule_retry(delay, now) {
                return;
            }
        }
        let msg = self.describe_error(&resp);
        self.finish(Err(failed(&msg)));
    }

    /// Renders an error response: the OAuth `error`/`error_description`, or `message`, or an
    /// excerpt of the body.
    fn describe_error(&self, resp: &HttpResponse) -> String {
        let v: Option<serde_json::Value> = serde_json::from_str(&resp.body).ok();
        let field = |name: &str| {
            v.as_ref()
                .and_then(|v| v.get(name))
                .and_then(|f| {
                    f.as_str()
                        .map(str::to_owned)
                        .or_else(|| Some(f.to_string()))
                })
                .filter(|s| !s.is_empty() && s != "null")
        };
        let detail = match (
            field("error"),
            field("error_description").or_else(|| field("message")),
        ) {
            (Some(e), Some(d)) => format!("{e}: {d}"),
            (Some(e), None) => e,
            (None, Some(d)) => d,
            (None, None) if resp.body.trim().is_empty() => "(empty body)".to_owned(),
            (None, None) => resp.body.clone(),
        };
        let mut msg = format!("{} (HTTP {})", self.scrub(&detail), resp.status);
        if let (Some(id), 400) = (&self.user_assigned, resp.status) {
            msg.push_str(&format!(
                ". Check that the user-assigned identity {id} is assigned to this resource"
            ));
        }
        msg
    }

    fn on_failure(&mut self, f: IoFailure, now: Timestamp) {
        match f.kind {
            IoFailureKind::Aborted => self.finish(Err(aborted())),
            IoFailureKind::Unreachable => self.finish(Err(TokenError::unavailable(format!(
                "{NAME}: Network unreachable. Message: {}",
                self.scrub(&f.message)
            )))),
            // IMDS is served by the Azure host itself and always accepts connections: a refused
            // connection means nothing listens at that address (a laptop, or a mistyped override),
            // so waiting through the retries (about 25 s in the reference) would only delay the
            // next credential. Endpoints named by the environment (App Service's sidecar, say)
            // may still be starting, and keep their retries.
            IoFailureKind::Refused if self.imds => self.finish(Err(failed(&format!(
                "IMDS refused the connection: {}",
                self.scrub(&f.message)
            )))),
            k if retry::is_retryable_failure(k) => {
                let delay = self
                    .retry
                    .delay(self.retries, self.retry.base, &mut self.rng);
                if !self.schedule_retry(delay, now) {
                    self.finish(Err(failed(&self.scrub(&f.message))));
                }
            }
            _ => self.finish(Err(failed(&self.scrub(&f.message)))),
        }
    }
}

/// Whether a token response names the user-assigned identity `id` in `client_id`, `object_id`,
/// `msi_res_id` or `mi_res_id` (case-insensitively).
fn echoes_identity(body: &str, id: &str) -> bool {
    let Ok(v) = serde_json::from_str::<serde_json::Value>(body) else {
        return false;
    };
    ["client_id", "object_id", "msi_res_id", "mi_res_id"]
        .iter()
        .filter_map(|k| v.get(k).and_then(|x| x.as_str()))
        .any(|x| x.eq_ignore_ascii_case(id))
}

fn aborted() -> TokenError {
    TokenError::new(ErrorKind::Aborted, "The operation was aborted.")
}

impl SourceFlow for MiFlow {
    fn poll(&mut self, now: Timestamp) -> SourceStep {
        if let Some(step) = self.outstanding.repeat() {
            return step;
        }
        if self.started.is_none() && self.state != State::Done {
            if let Some(t) = self.share.as_ref().and_then(|(s, k)| s.fresh(k, now)) {
                self.finish(Ok(t));
            }
        }
        match self.state {
            State::CheckHimds => self.outstanding.perform(Action::ReadFile {
                path: self.himds.clone().unwrap_or_default(),
                // Only whether it opens matters: a cap of zero reads nothing.
                max_bytes: 0,
                deadline: now.plus(crate::limits::FILE_READ_TIMEOUT),
            }),
            State::ArcKey => self.outstanding.perform(Action::ReadFile {
                path: self.arc_key.clone().unwrap_or_default(),
                max_bytes: ARC_KEY_MAX_BYTES,
                deadline: now.plus(crate::limits::FILE_READ_TIMEOUT),
            }),
            State::Probe => {
                let Some((req, timeout)) = self.probe.clone() else {
                    unreachable_probe()
                };
                self.outstanding.perform(Action::Http {
                    request: req,
                    deadline: now.plus(timeout),
                    connect_deadline: Some(now.plus(PROBE_CONNECT_TIMEOUT.min(timeout))),
                    max_body_bytes: crate::limits::MAX_RESPONSE_BYTES,
                })
            }
            State::Waiting(until) if now < until => SourceStep::Wait(until),
            State::Request | State::Waiting(_) => {
                self.started.get_or_insert(now);
                self.state = State::Request;
                self.outstanding.perform(Action::Http {
                    request: self.request.clone(),
                    deadline: now.plus(ATTEMPT_TIMEOUT),
                    connect_deadline: None,
                    max_body_bytes: crate::limits::MAX_RESPONSE_BYTES,
                })
            }
            State::Done => SourceStep::Done(
                self.result
                    .take()
                    .unwrap_or_else(|| Err(failed("the flow has already finished"))),
            ),
        }
    }

    fn handle(&mut self, reply: Reply, now: Timestamp) -> Result<(), Misuse> {
        let fits = matches!(
            (self.outstanding.peek()?, &reply),
            (_, Reply::Failed(_))
                | (Action::Http { .. }, Reply::Http(_))
                | (Action::ReadFile { .. }, Reply::File { .. })
        );
        if !fits {
            return Err(Misuse::WrongReply);
        }
        self.outstanding.clear();
        match (self.state, reply) {
            (State::CheckHimds, r) => self.on_himds(r),
            (State::ArcKey, r) => self.on_arc_key(r),
            (State::Probe, r) => self.on_probe(r),
            (State::Request, Reply::Http(resp)) => self.on_response(resp, now),
            (State::Request, Reply::Failed(f)) => self.on_failure(f, now),
            _ => return Err(Misuse::WrongReply),
        }
        Ok(())
    }
}

/// Managed identity's token-exchange path (the reference's `tokenExchangeMsi`, used on AKS with
/// workload identity): a workload identity credential under managed identity's name. Each request
/// reaches it with its scopes only, as the reference passes no other `getToken` options.
#[derive(Debug)]
pub(crate) struct TokenExchange(Entra);

impl TokenExchange {
    pub(crate) fn new(workload: Entra) -> Self {
        Self(workload)
    }
}

impl Source for TokenExchange {
    /// The request has no CAE parameter: CAE and non-CAE requests share a cache entry.
    fn request_uses_cae(&self) -> bool {
        false
    }

    fn name(&self) -> &str {
        NAME
    }

    fn describe(&self) -> String {
        format!(
            "token exchange with the federated token file: {}",
            self.0.describe()
        )
    }

    fn start(&self, request: &TokenRequest, ctx: StartContext) -> Box<dyn SourceFlow> {
        self.0
            .start(&TokenRequest::new(request.scopes.clone()), ctx)
    }
}
