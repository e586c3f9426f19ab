//! `DeviceCodeCredential`: the user signs in on another device with a code.
//!
//! As MSAL's `DeviceCodeClient`: a POST to `{authority}/{tenant}/oauth2/v2.0/devicecode` (form
//! fields `scope`, `client_id`, then `claims`), the prompt (the caller's `userPromptCallback` with
//! `{userCode, verificationUri, message}`, [`Action::PromptDeviceCode`]), then polling the token
//! endpoint with the device-code grant at once and after each `authorization_pending`, `interval`
//! seconds apart, until a token, a refusal (`authorization_declined`, `expired_token`, ...), or
//! the code's `expires_in` passes. Beyond MSAL, `slow_down` (RFC 8628) lengthens the interval by
//! 5 s instead of ending the sign-in. Every wait is a `Step::Wait` on the caller's clock, so
//! `abortSignal` ends it at once.

use std::sync::Arc;
use std::time::Duration;

use crate::env::EnvSnapshot;
use crate::error::{ConfigError, ErrorKind, Misuse, TokenError};
use crate::http::{HttpRequest, form};
use crate::io::{Action, IoFailure, IoFailureKind, Reply};
use crate::options::Options;
use crate::retry::Rng;
use crate::secret::Secret;
use crate::source::{Outstanding, excerpt};
use crate::tenant::{INVALID_TENANT_MESSAGE, is_valid_tenant};
use crate::time::Timestamp;

use super::account::{Account, UserTokens};
use super::request::{Grant, Planned, Proof};
use super::response::describe_error;
use super::user::{
    GrantFailure, GrantRun, GrantStep, SignIn, SignInFlow, SignInStart, SignInStep, User,
};
use super::{ATTEMPT_TIMEOUT, Entra, allowed_tenants, build, given};

/// The reference's `DeveloperSignOnClientId`: the app the user credentials sign in to when no
/// `clientId` is given (the Azure CLI's).
pub(crate) const DEVELOPER_SIGN_ON_CLIENT_ID: &str = "04b07795-8ddb-461a-bbee-02f9e1bf7b46";
const NAME: &str = "DeviceCodeCredential";
/// RFC 8628's `slow_down`: the interval grows by this much.
const SLOW_DOWN: Duration = Duration::from_secs(5);
/// The interval when the answer gives none (RFC 8628's default).
const DEFAULT_INTERVAL: Duration = Duration::from_secs(5);
/// A code's life when the answer gives none (Entra's usual 15 minutes).
const DEFAULT_LIFETIME: Duration = Duration::from_secs(15 * 60);
/// Bounds on what a device-code answer may ask for, so every wait fits a driver's timer.
const MAX_INTERVAL: Duration = Duration::from_secs(10 * 60);
const MAX_LIFETIME: Duration = Duration::from_secs(24 * 60 * 60);

/// The reference's message when the caller's `abortSignal` ends the sign-in.
const ABORTED: &str = "The authentication has been aborted by the caller.";
const EXPIRED: &str =
    "device_code_expired: See https://aka.ms/msal.js.errors#device_code_expired for details";

/// The reference's `resolveTenantId`: the given tenant (checked), else `organizations` for the
/// developer sign-on app and `common` for any other.
pub(crate) fn default_tenant<'a>(
    tenant: Option<&'a str>,
    client: &str,
) -> Result<&'a str, ConfigError> {
    match tenant {
        Some(t) if !is_valid_tenant(t) => Err(ConfigError::invalid(INVALID_TENANT_MESSAGE)),
        Some(t) => Ok(t),
        None if client == DEVELOPER_SIGN_ON_CLIENT_ID => Ok("organizations"),
        None => Ok("common"),
    }
}

/// `new DeviceCodeCredential(options)`: `clientId` (the developer sign-on app by default),
/// `tenantId` (`organizations` by default), `additionallyAllowedTenants`, `authorityHost`,
/// `disableAutomaticAuthentication`, `authenticationRecord`. (`userPromptCallback` stays with the
/// driver, which calls it for [`Action::PromptDeviceCode`]; `disableInstanceDiscovery` changes
/// nothing, as azcred never asks for instance metadata.)
pub(crate) fn device_code(options: &Options, env: &EnvSnapshot) -> Result<User, ConfigError> {
    let client = given(&options.client_id).unwrap_or(DEVELOPER_SIGN_ON_CLIENT_ID);
    let tenant = default_tenant(given(&options.tenant_id), client)?;
    let entra = build(
        NAME,
        tenant,
        client,
        Proof::None,
        Grant::DeviceCode {
            device_code: Secret::new(""),
        },
        allowed_tenants(options),
        options,
        env,
    )?;
    let mut entra = entra;
    // As the reference, a credential built without `tenantId` honours a request's tenant with
    // no allow-list; without one it signs in at `organizations` (the planned default).
    if tenant == "organizations" && given(&options.tenant_id).is_none() {
        entra.tenants.configured = None;
    }
    Ok(User {
        entra: Arc::new(entra),
        sign_in: Arc::new(DeviceCodeSignIn),
        disable_automatic: options.disable_automatic_authentication.unwrap_or(false),
        initial: options
            .authentication_record
            .as_ref()
            .map(Account::from_record),
    })
}

/// Signing in with a device code.
#[derive(Debug)]
pub(crate) struct DeviceCodeSignIn;

impl SignIn for DeviceCodeSignIn {
    fn describe(&self) -> String {
        "a device code the user enters on another device".to_owned()
    }

    fn aborted(&self) -> TokenError {
        aborted()
    }

    fn start(&self, source: &Arc<Entra>, start: SignInStart) -> Box<dyn SignInFlow> {
        let endpoint = device_code_endpoint(&start.planned.endpoint);
        let mut pairs = vec![
            ("scope", start.planned.scope.as_str()),
            ("client_id", source.client_id.as_str()),
        ];
        if let Some(c) = &start.planned.claims {
            pairs.push(("claims", c));
        }
        let mut request = HttpRequest::post_form(endpoint.clone(), Secret::new(form(&pairs)))
            .header("x-ms-client-request-id", start.correlation.clone())
            .header("client-request-id", start.correlation.clone())
            .header("return-client-request-id", "true");
        request.allow_proxy = true;
        request.proxy = source.proxy.for_url(&endpoint);
        Box::new(DeviceCodeFlow {
            source: Arc::clone(source),
            request,
            endpoint,
            stage: Stage::Request,
            outstanding: Outstanding::default(),
            planned: start.planned,
            correlation: start.correlation,
            rng: start.rng,
            result: None,
        })
    }
}

/// `{authority}/{tenant}/oauth2/v2.0/devicecode`, beside the token endpoint.
fn device_code_endpoint(token_endpoint: &str) -> String {
    let base = token_endpoint
        .strip_suffix("/token")
        .unwrap_or(token_endpoint);
    format!("{base}/devicecode")
}

/// A device-code answer.
#[derive(Debug)]
struct DeviceCode {
    device_code: Secret,
    user_code: String,
    verification_uri: String,
    message: String,
    lifetime: Duration,
    interval: Duration,
}

/// Reads seconds from a number or a numeric string.
fn seconds(v: Option<&serde_json::Value>) -> Option<Duration> {
    match v? {
        serde_json::Value::Number(n) => n.as_u64().map(Duration::from_secs),
        serde_json::Value::String(s) => s.trim().parse().ok().map(Duration::from_secs),
        _ => None,
    }
}

/// Reads a device-code answer, or says what is wrong with it.
fn parse_device_code(body: &str) -> Result<DeviceCode, String> {
    let v: serde_json::Value =
        serde_json::from_str(body).map_err(|_| "the response body is not JSON".to_owned())?;
    let text = |name: &str| -> Result<String, String> {
        match v.get(name).and_then(serde_json::Value::as_str) {
            Some(s) if !s.trim().is_empty() => Ok(s.to_owned()),
            _ => Err(format!("the response has no '{name}'")),
        }
    };
    let device_code = Secret::new(text("device_code")?);
    let user_code = text("user_code")?;
    let verification_uri = text("verification_uri")?;
    let message = text("message").unwrap_or_else(|_| {
        format!(
            "To sign in, use a web browser to open the page {verification_uri} and enter the \
             code {user_code} to authenticate."
        )
    });
    Ok(DeviceCode {
        device_code,
        user_code: excerpt(&user_code, 100),
        verification_uri: excerpt(&verification_uri, 500),
        message: excerpt(&message, 2000),
        lifetime: seconds(v.get("expires_in"))
            .unwrap_or(DEFAULT_LIFETIME)
            .min(MAX_LIFETIME),
        interval: seconds(v.get("interval"))
            .filter(|d| !d.is_zero())
            .unwrap_or(DEFAULT_INTERVAL)
            .min(MAX_INTERVAL),
    })
}

#[derive(Debug)]
enum Stage {
    /// Ask for a device code.
    Request,
    /// The user is to be shown this code.
    Prompt(Box<DeviceCode>),
    /// Polling: the next token request starts at `next` (none is running), or is running.
    Polling {
        code: DeviceCode,
        interval: Duration,
        deadline: Timestamp,
        next: Timestamp,
        run: Option<Box<GrantRun>>,
    },
    Done,
}

#[derive(Debug)]
struct DeviceCodeFlow {
    /// The app, authority, proxy and retries each poll is sent with.
    source: Arc<Entra>,
    /// The device-code request.
    request: HttpRequest,
    endpoint: String,
    stage: Stage,
    outstanding: Outstanding,
    /// The token request each poll sends (copied for each).
    planned: Planned,
    correlation: String,
    rng: Rng,
    result: Option<Result<UserTokens, TokenError>>,
}

fn required(message: impl Into<String>) -> TokenError {
    TokenError::new(ErrorKind::AuthenticationRequired, message).from_credential(NAME)
}

fn aborted() -> TokenError {
    TokenError::new(ErrorKind::Aborted, ABORTED).from_credential(NAME)
}

impl DeviceCodeFlow {
    /// Ends the sign-in; `poll` hands out the outcome.
    fn end(&mut self, r: Result<UserTokens, TokenError>) {
        self.stage = Stage::Done;
        self.result = Some(r);
    }

    fn planned(&self) -> Planned {
        Planned {
            endpoint: self.planned.endpoint.clone(),
            scope: self.planned.scope.clone(),
            claims: self.planned.claims.clone(),
        }
    }

    /// The answer to the device-code request.
    fn on_code_answer(&mut self, reply: Reply) {
        match reply {
            Reply::Http(resp) if (200..300).contains(&resp.status) => {
                match parse_device_code(&resp.body) {
                    Ok(code) => self.stage = Stage::Prompt(Box::new(code)),
                    Err(why) => self.end(Err(required(format!(
                        "{NAME}: the device code endpoint's response is not usable: {why}"
                    )))),
                }
            }
            Reply::Http(resp) => {
                let msg = describe_error(&resp, excerpt, &self.correlation);
                self.end(Err(required(msg)));
            }
            Reply::Failed(f) if f.kind == IoFailureKind::Aborted => self.end(Err(aborted())),
            Reply::Failed(f) => {
                let msg = format!(
                    "network_error: the device code request to {} failed: {}",
                    self.endpoint,
                    excerpt(&f.message, 300)
                );
                self.end(Err(required(msg)));
            }
            _ => self.end(Err(unexpected())),
        }
    }

    /// The reply to the prompt.
    fn on_prompted(&mut self, code: DeviceCode, reply: Reply, now: Timestamp) {
        match reply {
            Reply::Prompted => {
                let deadline = now.plus(code.lifetime);
                self.stage = Stage::Polling {
                    interval: code.interval,
                    code,
                    deadline,
                    next: now,
                    run: None,
                };
            }
            Reply::Failed(IoFailure {
                kind: IoFailureKind::Aborted,
                ..
            }) => self.end(Err(aborted())),
            Reply::Failed(f) => {
                let msg = format!(
                    "{NAME}: the userPromptCallback failed: {}",
                    excerpt(&f.message, 500)
                );
                self.end(Err(required(msg)));
            }
            _ => self.end(Err(unexpected())),
        }
    }

    /// A poll's failure: wait and poll again (`authorization_pending`, `slow_down`), or end.
    fn on_poll_failed(&mut self, failure: GrantFailure, now: Timestamp) {
        let Stage::Polling {
            run,
            interval,
            next,
            ..
        } = &mut self.stage
        else {
            return;
        };
        match failure.code.as_deref() {
            Some("authorization_pending") => {
                *next = now.plus(*interval);
                *run = None;
            }
            Some("slow_down") => {
                *interval = (*interval + SLOW_DOWN).min(MAX_INTERVAL);
                *next = now.plus(*interval);
                *run = None;
            }
            _ if failure.error.kind == ErrorKind::Aborted => self.end(Err(aborted())),
            // MSAL's `post_request_failed` with Entra's error code (`expired_token`,
            // `authorization_declined`, ...), then the server's own account of it.
            Some(_) => {
                let msg = format!("post_request_failed: {}", failure.error.message);
                self.end(Err(required(msg)));
            }
            None => self.end(Err(failure.error)),
        }
    }
}

fn unexpected() -> TokenError {
    required(format!("{NAME}: internal error: unexpected reply"))
}

impl SignInFlow for DeviceCodeFlow {
    fn poll(&mut self, now: Timestamp) -> SignInStep {
        if let Some(action) = self.outstanding.peek().ok().cloned() {
            return SignInStep::Perform(action);
        }
        loop {
            match &mut self.stage {
                Stage::Request => {
                    let action = Action::Http {
                        request: self.request.clone(),
                        deadline: now.plus(ATTEMPT_TIMEOUT),
                        connect_deadline: None,
                        max_body_bytes: crate::limits::MAX_RESPONSE_BYTES,
                    };
                    self.outstanding.perform(action.clone());
                    return SignInStep::Perform(action);
                }
                Stage::Prompt(code) => {
                    let action = Action::PromptDeviceCode {
                        user_code: code.user_code.clone(),
                        verification_uri: code.verification_uri.clone(),
                        message: code.message.clone(),
                    };
                    self.outstanding.perform(action.clone());
                    return SignInStep::Perform(action);
                }
                Stage::Polling { run: Some(run), .. } => match run.step(now) {
                    GrantStep::Perform(a) => return SignInStep::Perform(a),
                    GrantStep::Wait(t) => return SignInStep::Wait(t),
                    GrantStep::Done(Ok(tokens)) => self.end(Ok(tokens)),
                    GrantStep::Done(Err(f)) => self.on_poll_failed(f, now),
                },
                Stage::Polling {
                    run: None,
                    next,
                    deadline,
                    code,
                    ..
                } => {
                    if now < *next {
                        return SignInStep::Wait(*next);
                    }
                    if now > *deadline {
                        self.end(Err(required(EXPIRED)));
                        continue;
                    }
                    let grant = Grant::DeviceCode {
                        device_code: code.device_code.clone(),
                    };
                    let start = SignInStart {
                        planned: self.planned(),
                        correlation: self.correlation.clone(),
                        rng: Rng::new(self.rng.next_u64()),
                    };
                    let poll = GrantRun::new(&self.source, grant, start);
                    if let Stage::Polling { run, .. } = &mut self.stage {
                        *run = Some(Box::new(poll));
                    }
                }
                Stage::Done => {
                    return SignInStep::Done(self.result.take().unwrap_or_else(|| {
                        Err(required(format!("{NAME}: the sign-in has already ended")))
                    }));
                }
            }
        }
    }

    fn handle(&mut self, reply: Reply, now: Timestamp) -> Result<(), Misuse> {
        if let Stage::Polling { run: Some(run), .. } = &mut self.stage {
            return run.handle(reply, now);
        }
        let action = self.outstanding.peek()?;
        let fits = matches!(
            (action, &reply),
            (_, Reply::Failed(_))
                | (Action::Http { .. }, Reply::Http(_))
                | (Action::PromptDeviceCode { .. }, Reply::Prompted)
        );
        if !fits {
            return Err(Misuse::WrongReply);
        }
        self.outstanding.clear();
        match std::mem::replace(&mut self.stage, Stage::Done) {
            Stage::Request => self.on_code_answer(reply),
            Stage::Prompt(code) => self.on_prompted(*code, reply, now),
            other => self.stage = other,
        }
        Ok(())
    }
}
