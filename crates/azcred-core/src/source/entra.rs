//! Entra ID token requests: `ClientSecretCredential`, `ClientCertificateCredential`,
//! `ClientAssertionCredential`, `WorkloadIdentityCredential` (a client assertion read from a
//! file) and the username/password grant `EnvironmentCredential` can use.
//!
//! One round trip per token: a POST to `{authority}/{tenant}/oauth2/v2.0/token` (see
//! `authority.rs` for why there is no instance discovery or OpenID metadata request). Before it,
//! at most one local action obtains the proof of identity: reading the certificate file and
//! signing the assertion, calling the `getAssertion` callback, or reading the federated token file.
//!
//! Wire format, as MSAL's `ClientCredentialClient` (form fields in its order): `client_id`,
//! `scope`, `grant_type`, `x-ms-lib-capability`, `client-request-id`, then `client_secret` or
//! `client_assertion` + `client_assertion_type`, then `claims`. MSAL's library and telemetry
//! fields (`x-client-SKU`, `x-client-VER`, `x-client-OS`, `x-client-CPU`,
//! `x-client-current-telemetry`, `x-client-last-telemetry`) are not sent: azcred is not MSAL.
//!
//! Failures surface as the reference's standalone credentials throw them: an Entra error
//! response, a transport failure, an unreadable file or key are `AuthenticationRequired` (MSAL
//! errors mapped by `handleMsalError`); a tenant the allow-list does not admit is
//! `CredentialUnavailable`; a malformed request (tenant id syntax, claims, no scopes) is a plain
//! `Error`.

use std::time::Duration;

use crate::authority::{ADFS, AuthorityHost};
use crate::certificate::{Bundle, KeyState};
use crate::claims;
use crate::env::EnvSnapshot;
use crate::error::{ConfigError, ErrorKind, Misuse, TokenError};
use crate::http::{HttpRequest, HttpResponse, form, with_query};
use crate::io::{Action, IoFailure, IoFailureKind, Reply};
use crate::jwt::{self, AssertionClaims};
use crate::options::Options;
use crate::proxy::ProxyConfig;
use crate::redact::Scrubber;
use crate::retry::{self, RetryPolicy, Rng};
use crate::secret::Secret;
use crate::source::{
    Decided, Outstanding, Source, SourceFlow, SourceStep, StartContext, TokenRequest, excerpt,
};
use crate::tenant::{INVALID_TENANT_MESSAGE, TenantPolicy, is_valid_tenant};
use crate::time::Timestamp;
use crate::token::{AccessToken, parse_token_response};

/// Each attempt of a token request gives up after this (the reference sets no limit; Entra
/// answers in well under a second, so this only ends hung connections).
pub(crate) const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(20);
/// No retry starts later than this after the first attempt, so one acquisition takes at most
/// `RETRY_BUDGET + ATTEMPT_TIMEOUT` (80 s) however the server answers; a `Retry-After` that
/// points past it ends the acquisition with the server's error instead of waiting.
pub(crate) const RETRY_BUDGET: Duration = Duration::from_secs(60);
/// The reference's retry policy for Entra calls: 3 retries from 1 s, at most 64 s apart.
const DEFAULT_RETRIES: u32 = 3;
const DEFAULT_RETRY_DELAY: Duration = Duration::from_secs(1);
const DEFAULT_MAX_RETRY_DELAY: Duration = Duration::from_secs(64);
/// Size cap of a certificate PEM file: a certificate chain and a key are a few KiB.
pub(crate) const CERTIFICATE_MAX_BYTES: u64 = 1024 * 1024;
/// Size cap of a federated token file: a Kubernetes service-account token is about 1 KiB.
pub(crate) const TOKEN_FILE_MAX_BYTES: u64 = 64 * 1024;

const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
/// Tells Entra that the client honours `Retry-After` on 429 (MSAL's throttling capability).
const LIB_CAPABILITY: &str = "retry-after, h429";
/// Scopes MSAL removes from client-credential requests and adds to user requests.
const OIDC_SCOPES: [&str; 3] = ["openid", "profile", "offline_access"];
/// Tenants that name no single tenant; the client-credential grant needs a real one.
const MULTI_TENANT_ALIASES: [&str; 3] = ["common", "organizations", "consumers"];

const SP_TROUBLESHOOT: &str = "To troubleshoot, visit https://aka.ms/azsdk/js/identity/serviceprincipalauthentication/troubleshoot.";
const WORKLOAD: &str = "WorkloadIdentityCredential";
const WORKLOAD_TROUBLESHOOT: &str = "\n        See the troubleshooting guide for more information: https://aka.ms/azsdk/js/identity/workloadidentitycredential/troubleshoot";

/// Where a certificate's PEM text comes from.
#[derive(Debug, Clone)]
pub(crate) enum Pem {
    /// `certificatePath`: read on every token request, as the reference does.
    Path(String),
    /// `certificate`: the PEM text itself.
    Text(Secret),
}

/// How the app proves its identity.
#[derive(Debug, Clone)]
pub(crate) enum Proof {
    /// `client_secret`.
    Secret(Secret),
    /// An assertion signed with the certificate's private key.
    Certificate {
        pem: Pem,
        password: Option<Secret>,
        send_chain: bool,
    },
    /// An assertion from the caller's `getAssertion` callback.
    Callback,
    /// An assertion read from a file (workload identity).
    TokenFile(String),
    /// The resource-owner password grant (`EnvironmentCredential` with `AZURE_USERNAME`).
    Password { username: String, password: Secret },
}

/// A configured Entra ID source.
#[derive(Debug)]
pub(crate) struct Entra {
    name: &'static str,
    client_id: String,
    tenants: TenantPolicy,
    host: AuthorityHost,
    proof: Proof,
    proxy: ProxyConfig,
    retry: RetryPolicy,
}

/// The shared part of every Entra constructor: the tenant syntax check (plain `Error`), then the
/// authority host (https only), as the reference's `createMsalClient` does them.
fn build(
    name: &'static str,
    tenant: &str,
    client_id: &str,
    proof: Proof,
    allowed: Vec<String>,
    options: &Options,
    env: &EnvSnapshot,
) -> Result<Entra, ConfigError> {
    if !is_valid_tenant(tenant) {
        return Err(ConfigError::invalid(INVALID_TENANT_MESSAGE));
    }
    let host = AuthorityHost::resolve(options.authority_host.as_deref(), env)?;
    let r = options.retry_options.clone().unwrap_or_default();
    Ok(Entra {
        name,
        client_id: client_id.to_owned(),
        tenants: TenantPolicy::new(Some(tenant.to_owned()), allowed, env),
        host,
        proof,
        proxy: ProxyConfig::new(options, env)?,
        retry: RetryPolicy {
            max_retries: r.max_retries.unwrap_or(DEFAULT_RETRIES),
            base: r
                .retry_delay_in_ms
                .map_or(DEFAULT_RETRY_DELAY, Duration::from_millis),
            max_delay: r
                .max_retry_delay_in_ms
                .map_or(DEFAULT_MAX_RETRY_DELAY, Duration::from_millis),
            budget: RETRY_BUDGET,
        },
    })
}

/// A non-empty value, as the reference's truthiness tests.
fn given(v: &Option<String>) -> Option<&str> {
    v.as_deref().filter(|s| !s.is_empty())
}

fn given_secret(v: &Option<Secret>) -> Option<&Secret> {
    v.as_ref().filter(|s| !s.is_empty())
}

fn allowed_tenants(options: &Options) -> Vec<String> {
    options
        .additionally_allowed_tenants
        .clone()
        .unwrap_or_default()
}

/// `new ClientSecretCredential(tenantId, clientId, clientSecret, options)`.
pub(crate) fn client_secret(options: &Options, env: &EnvSnapshot) -> Result<Entra, ConfigError> {
    const NAME: &str = "ClientSecretCredential";
    let required = |what: &str| {
        ConfigError::unavailable(format!(
            "{NAME}: {what} is a required parameter. {SP_TROUBLESHOOT}"
        ))
    };
    let tenant = given(&options.tenant_id).ok_or_else(|| required("tenantId"))?;
    let client = given(&options.client_id).ok_or_else(|| required("clientId"))?;
    let secret = given_secret(&options.client_secret).ok_or_else(|| required("clientSecret"))?;
    let proof = Proof::Secret(secret.clone());
    build(
        NAME,
        tenant,
        client,
        proof,
        allowed_tenants(options),
        options,
        env,
    )
}

/// `new ClientCertificateCredential(tenantId, clientId, pathOrConfiguration, options)`.
pub(crate) fn client_certificate(
    options: &Options,
    env: &EnvSnapshot,
) -> Result<Entra, ConfigError> {
    const NAME: &str = "ClientCertificateCredential";
    let (Some(tenant), Some(client)) = (given(&options.tenant_id), given(&options.client_id))
    else {
        return Err(ConfigError::invalid(format!(
            "{NAME}: tenantId and clientId are required parameters."
        )));
    };
    let pem = match (
        given_secret(&options.certificate),
        given(&options.certificate_path),
    ) {
        (Some(_), Some(_)) => {
            return Err(ConfigError::invalid(format!(
                "{NAME}: To avoid unexpected behaviors, providing both the contents of a PEM \
                 certificate and the path to a PEM certificate is forbidden. {SP_TROUBLESHOOT}"
            )));
        }
        (Some(text), None) => Pem::Text(text.clone()),
        (None, Some(path)) => Pem::Path(path.to_owned()),
        (None, None) => {
            return Err(ConfigError::invalid(format!(
                "{NAME}: Provide either a PEM certificate in string form, or the path to that \
                 certificate in the filesystem. {SP_TROUBLESHOOT}"
            )));
        }
    };
    let proof = Proof::Certificate {
        pem,
        // The reference decrypts whenever a password is given, even an empty one.
        password: options.certificate_password.clone(),
        send_chain: options.send_certificate_chain.unwrap_or(false),
    };
    build(
        NAME,
        tenant,
        client,
        proof,
        allowed_tenants(options),
        options,
        env,
    )
}

/// `new ClientAssertionCredential(tenantId, clientId, getAssertion, options)`.
pub(crate) fn client_assertion(options: &Options, env: &EnvSnapshot) -> Result<Entra, ConfigError> {
    const NAME: &str = "ClientAssertionCredential";
    let required =
        |what: &str| ConfigError::unavailable(format!("{NAME}: {what} is a required parameter."));
    let tenant = given(&options.tenant_id).ok_or_else(|| required("tenantId"))?;
    let client = given(&options.client_id).ok_or_else(|| required("clientId"))?;
    if !options.assertion_callback {
        return Err(required("clientAssertion"));
    }
    build(
        NAME,
        tenant,
        client,
        Proof::Callback,
        allowed_tenants(options),
        options,
        env,
    )
}

/// `WorkloadIdentityCredential` from its three inputs, with the reference's checks in its order:
/// the tenant syntax, then client id, tenant and file presence.
fn workload(
    tenant: Option<&str>,
    client: Option<&str>,
    file: Option<&str>,
    options: &Options,
    env: &EnvSnapshot,
) -> Result<Entra, ConfigError> {
    if tenant.is_some_and(|t| !is_valid_tenant(t)) {
        return Err(ConfigError::invalid(INVALID_TENANT_MESSAGE));
    }
    let required = |what: &str, var: &str| {
        ConfigError::unavailable(format!(
            "{WORKLOAD}: is unavailable. {what} is a required parameter. In DefaultAzureCredential \
             and ManagedIdentityCredential, this can be provided as an environment variable - \
             \"{var}\".{WORKLOAD_TROUBLESHOOT}"
        ))
    };
    let client = client.ok_or_else(|| required("clientId", "AZURE_CLIENT_ID"))?;
    let tenant = tenant.ok_or_else(|| required("tenantId", "AZURE_TENANT_ID"))?;
    let file =
        file.ok_or_else(|| required("federatedTokenFilePath", "AZURE_FEDERATED_TOKEN_FILE"))?;
    let proof = Proof::TokenFile(file.to_owned());
    build(
        WORKLOAD,
        tenant,
        client,
        proof,
        allowed_tenants(options),
        options,
        env,
    )
}

/// `new WorkloadIdentityCredential(options)`: `tenantId`, `clientId` and `tokenFilePath`, each
/// falling back to `AZURE_TENANT_ID`, `AZURE_CLIENT_ID` and `AZURE_FEDERATED_TOKEN_FILE`.
///
/// `enableAzureProxy` (the AKS identity-binding proxy) is not supported: its requests go to Entra
/// directly, as the reference does when `AZURE_KUBERNETES_TOKEN_PROXY` is unset.
pub(crate) fn workload_identity(
    options: &Options,
    env: &EnvSnapshot,
) -> Result<Entra, ConfigError> {
    let tenant = given(&options.tenant_id).or_else(|| env.get("AZURE_TENANT_ID"));
    let client = given(&options.client_id).or_else(|| env.get("AZURE_CLIENT_ID"));
    let file = given(&options.token_file_path).or_else(|| env.get("AZURE_FEDERATED_TOKEN_FILE"));
    workload(tenant, client, file, options, env)
}

/// `DefaultAzureCredential`'s workload identity (the reference's
/// `createDefaultWorkloadIdentityCredential`): client id `workloadIdentityClientId` ??
/// `managedIdentityClientId` ?? `AZURE_CLIENT_ID`, tenant `tenantId` ?? `AZURE_TENANT_ID`, file
/// `AZURE_FEDERATED_TOKEN_FILE`. The constructor error, when one of them is missing, leaves the
/// member out of the chain.
// Called by `DefaultAzureCredential`'s chain and managed identity's token exchange, which are
// composed in `plan.rs` and `managed_identity.rs`.
pub(crate) fn default_workload_identity(
    options: &Options,
    env: &EnvSnapshot,
) -> Result<Entra, ConfigError> {
    let client = given(&options.workload_identity_client_id)
        .or_else(|| given(&options.managed_identity_client_id))
        .or_else(|| env.get("AZURE_CLIENT_ID"));
    let tenant = given(&options.tenant_id).or_else(|| env.get("AZURE_TENANT_ID"));
    workload(
        tenant,
        client,
        env.get("AZURE_FEDERATED_TOKEN_FILE"),
        options,
        env,
    )
}

/// The source behind `ManagedIdentityCredential`'s token-exchange path (the reference's
/// `tokenExchangeMsi`): a workload identity with `client_id` ?? `AZURE_CLIENT_ID`,
/// `AZURE_TENANT_ID` and `AZURE_FEDERATED_TOKEN_FILE`, and none of the credential's options (the
/// authority host comes from `AZURE_AUTHORITY_HOST` alone). The reference passes no
/// `GetTokenOptions` to it, so start it with a request that has only the scopes. Its errors are
/// `AuthenticationRequired`, which managed identity passes on unchanged.
// Called by `DefaultAzureCredential`'s chain and managed identity's token exchange, which are
// composed in `plan.rs` and `managed_identity.rs`.
pub(crate) fn token_exchange(
    client_id: Option<&str>,
    env: &EnvSnapshot,
) -> Result<Entra, ConfigError> {
    let client = client_id
        .filter(|c| !c.is_empty())
        .or_else(|| env.get("AZURE_CLIENT_ID"));
    workload(
        env.get("AZURE_TENANT_ID"),
        client,
        env.get("AZURE_FEDERATED_TOKEN_FILE"),
        &Options::default(),
        env,
    )
}

/// Builds the secret, certificate or username/password source of `EnvironmentCredential`, which passes
/// its own allow-list (option or `AZURE_ADDITIONALLY_ALLOWED_TENANTS`).
pub(crate) fn for_environment(
    name: &'static str,
    tenant: &str,
    client: &str,
    proof: Proof,
    allowed: Vec<String>,
    options: &Options,
    env: &EnvSnapshot,
) -> Result<Entra, ConfigError> {
    build(name, tenant, client, proof, allowed, options, env)
}

impl Entra {
    /// The reference's class name of this source.
    pub(crate) fn class_name(&self) -> &'static str {
        self.name
    }

    /// An `AuthenticationRequired` error (what MSAL failures become in the reference).
    fn required(&self, message: impl Into<String>) -> TokenError {
        TokenError::new(ErrorKind::AuthenticationRequired, message).from_credential(self.name)
    }

    /// Works out the request's tenant, scopes and claims, or the error that ends it before any
    /// IO.
    fn plan(&self, request: &TokenRequest) -> Result<Planned, TokenError> {
        let requested = request.tenant_id.as_deref().filter(|t| !t.is_empty());
        let configured = self.tenants.configured.as_deref();
        // A request's tenant goes into the URL path: check its syntax before anything else, unless
        // it is going to be ignored anyway.
        let honoured = !self.tenants.multitenant_disabled && configured != Some(ADFS);
        if let Some(t) = requested.filter(|t| honoured && Some(*t) != configured) {
            if !is_valid_tenant(t) {
                return Err(TokenError::new(
                    ErrorKind::InvalidRequest,
                    INVALID_TENANT_MESSAGE,
                ));
            }
        }
        let tenant = self
            .tenants
            .resolve(requested)?
            .unwrap_or_else(|| "organizations".to_owned());
        let password_grant = matches!(self.proof, Proof::Password { .. });
        if !password_grant
            && MULTI_TENANT_ALIASES
                .iter()
                .any(|a| a.eq_ignore_ascii_case(&tenant))
        {
            return Err(self.required(
                "missing_tenant_id_error: A tenant id - not common, organizations, or consumers - \
                 must be specified when using the client_credentials flow. See \
                 https://aka.ms/msal.js.errors#missing_tenant_id_error for details",
            ));
        }
        let mut scopes: Vec<&str> = Vec::new();
        for s in request.scopes.iter().map(|s| s.trim()) {
            if !s.is_empty() && !scopes.contains(&s) {
                scopes.push(s);
            }
        }
        if password_grant {
            for s in OIDC_SCOPES {
                if !scopes.contains(&s) {
                    scopes.push(s);
                }
            }
        } else {
            scopes.retain(|s| !OIDC_SCOPES.contains(s));
        }
        if scopes.is_empty() {
            return Err(TokenError::new(
                ErrorKind::InvalidRequest,
                "empty_input_scopes_error: at least one scope is required to obtain an access \
                 token. See https://aka.ms/msal.js.errors#empty_input_scopes_error for details",
            ));
        }
        let claims = claims::merged(request.claims.as_deref(), request.enable_cae)
            .map_err(|m| TokenError::new(ErrorKind::InvalidRequest, m))?;
        Ok(Planned {
            endpoint: self.host.token_endpoint(&tenant),
            scope: scopes.join(" "),
            claims,
        })
    }
}

/// What a request resolved to before any IO.
struct Planned {
    endpoint: String,
    scope: String,
    claims: Option<String>,
}

impl Source for Entra {
    fn name(&self) -> &str {
        self.name
    }

    fn describe(&self) -> String {
        let how = match &self.proof {
            Proof::Secret(_) => "a client secret".to_owned(),
            Proof::Certificate {
                pem: Pem::Path(p), ..
            } => format!("the certificate in {p}"),
            Proof::Certificate { .. } => "a PEM certificate".to_owned(),
            Proof::Callback => "assertions from its getAssertion callback".to_owned(),
            Proof::TokenFile(p) => format!("the federated token in {p}"),
            Proof::Password { username, .. } => format!("the password of {username}"),
        };
        format!(
            "app {} in tenant {} with {how}, from {}",
            self.client_id,
            self.tenants.configured.as_deref().unwrap_or("(none)"),
            self.host.as_str()
        )
    }

    fn start(&self, request: &TokenRequest, ctx: StartContext) -> Box<dyn SourceFlow> {
        let planned = match self.plan(request) {
            Ok(p) => p,
            Err(e) => return Box::new(Decided(Some(Err(e)))),
        };
        let mut rng = Rng::new(ctx.seed);
        let correlation = jwt::uuid_v4(&mut rng);
        let stage = match &self.proof {
            Proof::Secret(_) | Proof::Password { .. } => Stage::Request,
            Proof::Certificate {
                pem: Pem::Path(path),
                ..
            } => Stage::Fetch(Action::ReadFile {
                path: path.clone(),
                max_bytes: CERTIFICATE_MAX_BYTES,
                // Set when the read is asked for (see `poll`).
                deadline: Timestamp::default(),
            }),
            Proof::Certificate {
                pem: Pem::Text(text),
                ..
            } => Stage::HavePem(text.clone()),
            Proof::Callback => Stage::Fetch(Action::GetAssertion {
                client_id: self.client_id.clone(),
                token_endpoint: planned.endpoint.clone(),
            }),
            Proof::TokenFile(path) => Stage::Fetch(Action::ReadFile {
                path: path.clone(),
                max_bytes: TOKEN_FILE_MAX_BYTES,
                // Set when the read is asked for (see `poll`).
                deadline: Timestamp::default(),
            }),
        };
        let proxy = self.proxy.for_url(&planned.endpoint);
        Box::new(EntraFlow {
            name: self.name,
            client_id: self.client_id.clone(),
            proof: self.proof.clone(),
            planned,
            correlation,
            proxy,
            assertion: None,
            request: None,
            stage,
            retry: self.retry,
            started: None,
            sent_at: None,
            retries: 0,
            rng,
            outstanding: Outstanding::default(),
            result: None,
        })
    }
}

/// Where an Entra flow is.
#[derive(Debug)]
enum Stage {
    /// Perform this action to get the proof (certificate file, assertion, token file).
    Fetch(Action),
    /// The certificate's PEM text is here: build and sign the assertion.
    HavePem(Secret),
    /// The signing input is out for signing.
    Signing(String),
    /// Send the token request.
    Request,
    /// Back off until then, then send again.
    Waiting(Timestamp),
    Done,
}

#[derive(Debug)]
struct EntraFlow {
    name: &'static str,
    client_id: String,
    proof: Proof,
    planned: Planned,
    correlation: String,
    proxy: Option<Secret>,
    assertion: Option<Secret>,
    request: Option<HttpRequest>,
    stage: Stage,
    retry: RetryPolicy,
    started: Option<Timestamp>,
    sent_at: Option<Timestamp>,
    retries: u32,
    rng: Rng,
    outstanding: Outstanding,
    result: Option<Result<AccessToken, TokenError>>,
}

impl std::fmt::Debug for Planned {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Planned")
            .field("endpoint", &self.endpoint)
            .field("scope", &self.scope)
            .field("claims", &self.claims.is_some())
            .finish()
    }
}

fn aborted() -> TokenError {
    TokenError::new(ErrorKind::Aborted, "The operation was aborted.")
}

impl EntraFlow {
    fn finish(&mut self, r: Result<AccessToken, TokenError>) {
        self.stage = Stage::Done;
        self.result = Some(r.map_err(|e| {
            if e.credential.is_none() {
                e.from_credential(self.name)
            } else {
                e
            }
        }));
    }

    fn fail(&mut self, message: impl Into<String>) {
        let e = TokenError::new(ErrorKind::AuthenticationRequired, message);
        self.finish(Err(e));
    }

    /// Text from a peer or the driver, made safe for a message by the one scrub rule
    /// (`redact::Scrubber`): every secret this flow sent (the client secret or password, the
    /// assertion, the proxy's credentials), in every encoding, replaced before shortening.
    fn scrub(&self, text: &str, max: usize) -> String {
        let mut scrubber = Scrubber::new();
        if let Proof::Secret(s) | Proof::Password { password: s, .. } = &self.proof {
            scrubber.add(s);
        }
        if let Some(a) = &self.assertion {
            scrubber.add(a);
        }
        if let Some(p) = &self.proxy {
            scrubber.add_url_credentials(p);
        }
        scrubber.scrub(text, max)
    }

    /// The form body, in MSAL's field order.
    fn body(&self) -> Secret {
        let mut pairs: Vec<(&str, &str)> = vec![("client_id", self.client_id.as_str())];
        match &self.proof {
            Proof::Password { username, password } => {
                pairs.push(("username", username));
                pairs.push(("password", password.expose()));
                pairs.push(("scope", &self.planned.scope));
                pairs.push(("response_type", "token id_token"));
                pairs.push(("grant_type", "password"));
                pairs.push(("client_info", "1"));
            }
            _ => {
                pairs.push(("scope", &self.planned.scope));
                pairs.push(("grant_type", "client_credentials"));
            }
        }
        pairs.push(("x-ms-lib-capability", LIB_CAPABILITY));
        pairs.push(("client-request-id", &self.correlation));
        match (&self.proof, &self.assertion) {
            (Proof::Secret(s), _) => pairs.push(("client_secret", s.expose())),
            (_, Some(a)) => {
                pairs.push(("client_assertion", a.expose()));
                pairs.push(("client_assertion_type", ASSERTION_TYPE));
            }
            _ => {}
        }
        if let Some(c) = &self.planned.claims {
            pairs.push(("claims", c));
        }
        Secret::new(form(&pairs))
    }

    fn token_request(&self) -> HttpRequest {
        let url = with_query(
            &self.planned.endpoint,
            &form(&[("client-request-id", &self.correlation)]),
        );
        // One id for the whole acquisition, in every place MSAL and the pipeline put one, and
        // asked back in the answer's headers, so a failure can be traced by Microsoft support.
        let mut r = HttpRequest::post_form(url, self.body())
            .header("x-ms-client-request-id", self.correlation.clone())
            .header("client-request-id", self.correlation.clone())
            .header("return-client-request-id", "true");
        if let Proof::Password { username, .. } = &self.proof {
            // MSAL's routing hint for the password grant.
            r = r.header("X-AnchorMailbox", format!("UPN: {username}"));
        }
        r.allow_proxy = true;
        r.proxy = self.proxy.clone();
        r
    }

    /// Builds the certificate assertion's signing input from the PEM text, or fails.
    fn on_pem(&mut self, pem: Secret, now: Timestamp) -> SourceStep {
        let Proof::Certificate {
            pem: source,
            password,
            send_chain,
        } = &self.proof
        else {
            self.fail("internal: a certificate was read for a credential without one");
            return self.poll_done();
        };
        let where_ = match source {
            Pem::Path(p) => format!("the file {p}"),
            Pem::Text(_) => "the certificate".to_owned(),
        };
        let bundle = match Bundle::parse(pem.expose()) {
            Ok(b) => b,
            Err(m) => {
                let msg = format!(
                    "{}: {m} ({where_}; PKCS#12 .pfx files are not supported: convert one to PEM \
                     with `openssl pkcs12 -in cert.pfx -out cert.pem`)",
                    self.name
                );
                self.fail(msg);
                return self.poll_done();
            }
        };
        match (bundle.key, password) {
            (KeyState::Missing, _) => {
                let msg = format!(
                    "{}: {where_} has no private key (a PEM 'PRIVATE KEY' block) to sign the \
                     client assertion with",
                    self.name
                );
                self.fail(msg);
                return self.poll_done();
            }
            (KeyState::Encrypted, None) => {
                let msg = format!(
                    "{}: the private key in {where_} is encrypted; give its password as \
                     certificatePassword (AZURE_CLIENT_CERTIFICATE_PASSWORD for \
                     EnvironmentCredential)",
                    self.name
                );
                self.fail(msg);
                return self.poll_done();
            }
            _ => {}
        }
        let thumbprint = bundle.thumbprint_sha256();
        let claims = AssertionClaims {
            client_id: &self.client_id,
            audience: &self.planned.endpoint,
            thumbprint_sha256: &thumbprint,
            chain: send_chain.then(|| bundle.chain()),
        };
        let jti = jwt::uuid_v4(&mut self.rng);
        let data = jwt::signing_input(&claims, now, &jti);
        let action = Action::Sign {
            algorithm: "PS256".to_owned(),
            key: pem,
            passphrase: password.clone(),
            data: data.clone(),
        };
        self.stage = Stage::Signing(data);
        self.outstanding.perform(action)
    }

    fn poll_done(&mut self) -> SourceStep {
        SourceStep::Done(
            self.result
                .take()
                .unwrap_or_else(|| Err(TokenError::unavailable("the flow has already finished"))),
        )
    }

    /// Takes the reply to the proof-fetching action.
    fn on_fetched(&mut self, action: &Action, reply: Reply) {
        match (action, reply) {
            (
                _,
                Reply::Failed(IoFailure {
                    kind: IoFailureKind::Aborted,
                    ..
                }),
            ) => {
                self.finish(Err(aborted()));
            }
            (
                Action::ReadFile {
                    path, max_bytes, ..
                },
                Reply::Failed(f),
            ) => {
                let what = match self.proof {
                    Proof::TokenFile(_) => "federated token file",
                    _ => "certificate file",
                };
                let msg = if f.kind == IoFailureKind::TooLarge {
                    format!(
                        "{}: the {what} {path} is larger than {max_bytes} bytes",
                        self.name
                    )
                } else {
                    format!(
                        "{}: could not read the {what} {path}: {}",
                        self.name,
                        excerpt(&f.message, 300)
                    )
                };
                self.fail(msg);
            }
            (Action::ReadFile { path, .. }, Reply::File { contents }) => match self.proof {
                Proof::TokenFile(_) => {
                    let value = contents.expose().trim();
                    if value.is_empty() {
                        let msg =
                            format!("{WORKLOAD}: is unavailable. No content on the file {path}.");
                        self.fail(msg);
                    } else {
                        self.assertion = Some(Secret::new(value));
                        self.stage = Stage::Request;
                    }
                }
                _ => self.stage = Stage::HavePem(contents),
            },
            (Action::GetAssertion { .. }, Reply::Assertion { value }) => {
                if value.expose().trim().is_empty() {
                    let msg = format!("{}: getAssertion returned an empty assertion", self.name);
                    self.fail(msg);
                } else {
                    self.assertion = Some(value);
                    self.stage = Stage::Request;
                }
            }
            (Action::GetAssertion { .. }, Reply::Failed(f)) => {
                let msg = format!(
                    "{}: the getAssertion callback failed: {}",
                    self.name,
                    excerpt(&f.message, 500)
                );
                self.fail(msg);
            }
            // `handle` only passes replies that fit the action; a stage that does not fit the
            // action would be a bug here, so the flow ends instead of looping.
            _ => self.fail(format!("{}: internal error: unexpected reply", self.name)),
        }
    }

    fn on_signed(&mut self, data: String, reply: Reply) {
        match reply {
            Reply::Signed { signature } if jwt::is_base64url(&signature) => {
                self.assertion = Some(Secret::new(format!("{data}.{signature}")));
                self.stage = Stage::Request;
            }
            Reply::Signed { .. } => {
                let msg = format!("{}: the signature is not base64url", self.name);
                self.fail(msg);
            }
            Reply::Failed(IoFailure {
                kind: IoFailureKind::Aborted,
                ..
            }) => self.finish(Err(aborted())),
            Reply::Failed(f) => {
                let msg = format!(
                    "{}: the private key could not be used to sign the client assertion: {}",
                    self.name,
                    excerpt(&f.message, 300)
                );
                self.fail(msg);
            }
            // `handle` only passes replies that fit the action; a stage that does not fit the
            // action would be a bug here, so the flow ends instead of looping.
            _ => self.fail(format!("{}: internal error: unexpected reply", self.name)),
        }
    }

    /// Schedules another attempt after `delay`, or returns false when the retries or the time
    /// budget are spent.
    fn schedule_retry(&mut self, delay: Duration, now: Timestamp) -> bool {
        let at = self
            .retry
            .schedule(self.started, &mut self.retries, delay, now);
        if let Some(at) = at {
            self.stage = Stage::Waiting(at);
        }
        at.is_some()
    }

    fn on_response(&mut self, resp: HttpResponse, now: Timestamp) {
        if (200..300).contains(&resp.status) {
            let sent = self.sent_at.unwrap_or(now);
            let r = parse_token_response(&resp.body, sent).map_err(|e| {
                TokenError::new(
                    ErrorKind::AuthenticationRequired,
                    format!(
                        "{}: the token endpoint's response is not usable: {e}",
                        self.name
                    ),
                )
            });
            return self.finish(r);
        }
        // The pipeline's throttling strategy: 429 and 503 with a server-given delay; then its
        // exponential strategy: 408 and 5xx except 501 and 505.
        let throttled = matches!(resp.status, 429 | 503)
            .then(|| retry::retry_after(&resp.headers, now))
            .flatten();
        let delay = match throttled {
            Some(d) => Some(d),
            None if resp.status == 408
                || (resp.status >= 500 && resp.status != 501 && resp.status != 505) =>
            {
                Some(
                    self.retry
                        .delay(self.retries, self.retry.base, &mut self.rng),
                )
            }
            None => None,
        };
        if delay.is_some_and(|d| self.schedule_retry(d, now)) {
            return;
        }
        let msg = self.describe_error(&resp);
        self.fail(msg);
    }

    /// MSAL's `ServerError` message for an error response:
    /// `<error>: Error(s): <codes> - Timestamp: <t> - Description: <d> - Correlation ID: <c> -
    /// Trace ID: <t>`. A body that is not an OAuth error is described as the reference's
    /// `IdentityClient` does (`server_error` / `client_error` with the status and body).
    fn describe_error(&self, resp: &HttpResponse) -> String {
        let v: Option<serde_json::Value> = serde_json::from_str(&resp.body)
            .ok()
            .filter(serde_json::Value::is_object);
        // Every field comes from the peer: secrets out, bounded, no control characters.
        let text = |name: &str, max: usize| -> Option<String> {
            let f = v.as_ref()?.get(name)?;
            let s = match f {
                serde_json::Value::Null => return None,
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Array(items) => items
                    .iter()
                    .map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_owned))
                    .collect::<Vec<_>>()
                    .join(","),
                other => other.to_string(),
            };
            (!s.is_empty()).then(|| self.scrub(&s, max))
        };
        let (error, description) = match (text("error", 200), text("error_description", 2000)) {
            (None, None) => {
                let (kind, who) = match resp.status {
                    400..=499 => ("client_error", "A client"),
                    500..=599 => ("server_error", "A server"),
                    _ => ("unknown_error", "An unknown"),
                };
                let body = if resp.body.trim().is_empty() {
                    "Unknown".to_owned()
                } else {
                    self.scrub(&resp.body, 500)
                };
                (
                    kind.to_owned(),
                    format!(
                        "{who} error occured.\nHttp status code: {}\nHttp status message: {body}",
                        resp.status
                    ),
                )
            }
            (error, description) => (
                error.unwrap_or_default(),
                description.unwrap_or_else(|| "Not Available".to_owned()),
            ),
        };
        let na = |name: &str| text(name, 200).unwrap_or_else(|| "Not Available".to_owned());
        format!(
            "{error}: Error(s): {} - Timestamp: {} - Description: {description} - Correlation ID: \
             {} - Trace ID: {} - Client request ID: {}",
            na("error_codes"),
            na("timestamp"),
            na("correlation_id"),
            na("trace_id"),
            self.correlation,
        )
    }

    fn on_failure(&mut self, f: IoFailure, now: Timestamp) {
        let retryable = matches!(
            f.kind,
            IoFailureKind::TimedOut
                | IoFailureKind::ConnectTimedOut
                | IoFailureKind::Refused
                | IoFailureKind::Reset
                | IoFailureKind::DnsFailed
        );
        if f.kind == IoFailureKind::Aborted {
            return self.finish(Err(aborted()));
        }
        if retryable {
            let delay = self
                .retry
                .delay(self.retries, self.retry.base, &mut self.rng);
            if self.schedule_retry(delay, now) {
                return;
            }
        }
        let msg = format!(
            "network_error: the token request to {} failed: {}",
            self.planned.endpoint,
            self.scrub(&f.message, 300)
        );
        self.fail(msg);
    }
}

impl SourceFlow for EntraFlow {
    fn poll(&mut self, now: Timestamp) -> SourceStep {
        if let Some(step) = self.outstanding.repeat() {
            return step;
        }
        match std::mem::replace(&mut self.stage, Stage::Done) {
            Stage::Fetch(mut action) => {
                if let Action::ReadFile { deadline, .. } = &mut action {
                    *deadline = now.plus(crate::limits::FILE_READ_TIMEOUT);
                }
                self.stage = Stage::Fetch(action.clone());
                self.outstanding.perform(action)
            }
            Stage::HavePem(pem) => self.on_pem(pem, now),
            Stage::Signing(_) => {
                // The signing action is outstanding while in this stage, so this is unreachable
                // through the public contract; end the flow rather than loop.
                self.fail("internal: the signing action was not answered");
                self.poll_done()
            }
            Stage::Waiting(until) if now < until => {
                self.stage = Stage::Waiting(until);
                SourceStep::Wait(until)
            }
            Stage::Request | Stage::Waiting(_) => {
                self.started.get_or_insert(now);
                self.sent_at = Some(now);
                self.stage = Stage::Request;
                let request = match &self.request {
                    Some(r) => r.clone(),
                    None => {
                        let r = self.token_request();
                        self.request = Some(r.clone());
                        r
                    }
                };
                self.outstanding.perform(Action::Http {
                    request,
                    deadline: now.plus(ATTEMPT_TIMEOUT),
                    connect_deadline: None,
                    max_body_bytes: crate::limits::MAX_RESPONSE_BYTES,
                })
            }
            Stage::Done => self.poll_done(),
        }
    }

    fn handle(&mut self, reply: Reply, now: Timestamp) -> Result<(), Misuse> {
        let action = self.outstanding.peek()?;
        let fits = matches!(
            (action, &reply),
            (_, Reply::Failed(_))
                | (Action::ReadFile { .. }, Reply::File { .. })
                | (Action::GetAssertion { .. }, Reply::Assertion { .. })
                | (Action::Sign { .. }, Reply::Signed { .. })
                | (Action::Http { .. }, Reply::Http(_))
        );
        if !fits {
            // The action stays outstanding, to be performed again.
            return Err(Misuse::WrongReply);
        }
        let action = action.clone();
        self.outstanding.clear();
        match (
            std::mem::replace(&mut self.stage, Stage::Done),
            action,
            reply,
        ) {
            (Stage::Signing(data), Action::Sign { .. }, reply) => self.on_signed(data, reply),
            (_, Action::Http { .. }, Reply::Http(resp)) => self.on_response(resp, now),
            (_, Action::Http { .. }, Reply::Failed(f)) => self.on_failure(f, now),
            (_, action, reply) => self.on_fetched(&action, reply),
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> EnvSnapshot {
        EnvSnapshot::from_pairs(pairs.iter().copied())
    }

    const WI: &[(&str, &str)] = &[
        ("AZURE_TENANT_ID", "tenant-env"),
        ("AZURE_CLIENT_ID", "client-env"),
        ("AZURE_FEDERATED_TOKEN_FILE", "/token"),
    ];

    #[test]
    fn default_workload_identity_client_id_precedence() {
        let mut o = Options::default();
        let e = env(WI);
        assert_eq!(
            default_workload_identity(&o, &e).unwrap().client_id,
            "client-env"
        );
        o.managed_identity_client_id = Some("mi".into());
        assert_eq!(default_workload_identity(&o, &e).unwrap().client_id, "mi");
        o.workload_identity_client_id = Some("wi".into());
        let w = default_workload_identity(&o, &e).unwrap();
        assert_eq!(w.client_id, "wi");
        assert_eq!(w.tenants.configured.as_deref(), Some("tenant-env"));
        o.tenant_id = Some("tenant-opt".into());
        let w = default_workload_identity(&o, &e).unwrap();
        assert_eq!(w.tenants.configured.as_deref(), Some("tenant-opt"));
        assert!(matches!(w.proof, Proof::TokenFile(ref p) if p == "/token"));
        // DefaultAzureCredential has no tokenFilePath option: only the variable counts.
        o.token_file_path = Some("/other".into());
        let e = env(&WI[..2]);
        assert_eq!(
            default_workload_identity(&o, &e).unwrap_err().code,
            "CredentialUnavailable"
        );
    }

    #[test]
    fn token_exchange_uses_the_environment_and_no_options() {
        let e = env(&[
            ("AZURE_TENANT_ID", "t"),
            ("AZURE_CLIENT_ID", "client-env"),
            ("AZURE_FEDERATED_TOKEN_FILE", "/token"),
            ("AZURE_AUTHORITY_HOST", "https://login.microsoftonline.us"),
        ]);
        let x = token_exchange(Some("mi-client"), &e).unwrap();
        assert_eq!(x.client_id, "mi-client");
        assert_eq!(x.class_name(), "WorkloadIdentityCredential");
        assert_eq!(x.host.as_str(), "https://login.microsoftonline.us");
        assert_eq!(token_exchange(None, &e).unwrap().client_id, "client-env");
        assert!(token_exchange(None, &env(&[("AZURE_CLIENT_ID", "c")])).is_err());
    }
}
