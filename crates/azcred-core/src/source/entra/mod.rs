//! Entra ID token requests: `ClientSecretCredential`, `ClientCertificateCredential`,
//! `ClientAssertionCredential`, `WorkloadIdentityCredential` (a client assertion read from a
//! file), `AzurePipelinesCredential` (a client assertion from the pipeline's OIDC endpoint),
//! `OnBehalfOfCredential` (the jwt-bearer grant) and the username/password grant
//! `EnvironmentCredential` can use.
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
//!
//! - this file: the `Entra` source and the reference's constructors, with their exact messages;
//! - `pipelines`: `AzurePipelinesCredential`'s OIDC token request and its answer;
//! - `request`: the grants, the client authentication kinds, the request's tenant, scopes and claims, and the form body;
//! - `assertion`: the certificate's client assertion (signing input, then signature);
//! - `response`: MSAL's rendering of an error response;
//! - `flow`: one acquisition, the state machine.

pub(crate) mod account;
mod assertion;
pub(crate) mod browser;
mod device_code;
mod flow;
mod pipelines;
mod request;
mod response;
mod user;
mod user_grants;

pub(crate) use device_code::device_code;
pub(crate) use user_grants::{authorization_code, username_password};

pub(crate) use pipelines::azure_pipelines;

use std::time::Duration;

use crate::authority::AuthorityHost;
use crate::env::EnvSnapshot;
use crate::error::{ConfigError, ErrorKind, TokenError};
use crate::options::Options;
use crate::proxy::ProxyConfig;
use crate::retry::RetryPolicy;
use crate::secret::Secret;
use crate::source::{Source, SourceFlow, StartContext, TokenRequest};
use crate::tenant::{INVALID_TENANT_MESSAGE, TenantPolicy, is_valid_tenant};

pub(crate) use request::{Grant, Pem, Proof};

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

const SP_TROUBLESHOOT: &str = "To troubleshoot, visit https://aka.ms/azsdk/js/identity/serviceprincipalauthentication/troubleshoot.";
const WORKLOAD: &str = "WorkloadIdentityCredential";
const WORKLOAD_TROUBLESHOOT: &str = "\n        See the troubleshooting guide for more information: https://aka.ms/azsdk/js/identity/workloadidentitycredential/troubleshoot";

/// A configured Entra ID source.
#[derive(Debug, Clone)]
pub(crate) struct Entra {
    name: &'static str,
    client_id: String,
    tenants: TenantPolicy,
    host: AuthorityHost,
    proof: Proof,
    grant: Grant,
    proxy: ProxyConfig,
    retry: RetryPolicy,
}

/// The shared part of every Entra constructor: the tenant syntax check (plain `Error`), then the
/// authority host (https only), as the reference's `createMsalClient` does them.
#[allow(clippy::too_many_arguments)]
fn build(
    name: &'static str,
    tenant: &str,
    client_id: &str,
    proof: Proof,
    grant: Grant,
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
        grant,
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

/// An app's own Entra source (the client-credentials grant), with the credential's
/// `additionallyAllowedTenants`.
fn app(
    name: &'static str,
    tenant: &str,
    client_id: &str,
    proof: Proof,
    options: &Options,
    env: &EnvSnapshot,
) -> Result<Entra, ConfigError> {
    let grant = Grant::ClientCredentials;
    build(
        name,
        tenant,
        client_id,
        proof,
        grant,
        allowed_tenants(options),
        options,
        env,
    )
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
    app(NAME, tenant, client, proof, options, env)
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
    app(NAME, tenant, client, proof, options, env)
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
    app(NAME, tenant, client, Proof::Callback, options, env)
}

/// `new OnBehalfOfCredential(options)`: the user's `userAssertionToken` exchanged with the
/// jwt-bearer grant, the app proving itself with `certificatePath` (read on every request),
/// else `clientSecret`, else the `getAssertion` callback, in the reference's precedence. The
/// certificate's PEM text (`certificate`, with `certificatePassword`) is accepted too, as
/// `ClientCertificateCredential` takes it; the reference takes a path only.
///
/// Each credential holds one user's assertion, and its token cache is its own, so cached tokens
/// are keyed by that assertion as MSAL keys them.
pub(crate) fn on_behalf_of(options: &Options, env: &EnvSnapshot) -> Result<Entra, ConfigError> {
    const NAME: &str = "OnBehalfOfCredential";
    let unavailable =
        |what: &str| ConfigError::unavailable(format!("{NAME}: {what} {SP_TROUBLESHOOT}"));
    let tenant = given(&options.tenant_id)
        .ok_or_else(|| unavailable("tenantId is a required parameter."))?;
    let client = given(&options.client_id)
        .ok_or_else(|| unavailable("clientId is a required parameter."))?;
    let pem = match (
        given(&options.certificate_path),
        given_secret(&options.certificate),
    ) {
        (Some(path), _) => Some(Pem::Path(path.to_owned())),
        (None, Some(text)) => Some(Pem::Text(text.clone())),
        (None, None) => None,
    };
    let proof = match (pem, given_secret(&options.client_secret)) {
        (Some(pem), _) => Proof::Certificate {
            pem,
            password: options.certificate_password.clone(),
            send_chain: options.send_certificate_chain.unwrap_or(false),
        },
        (None, Some(secret)) => Proof::Secret(secret.clone()),
        (None, None) if options.assertion_callback => Proof::Callback,
        (None, None) => {
            return Err(unavailable(
                "You must provide one of clientSecret, certificatePath, or a getAssertion \
                 callback but none were provided.",
            ));
        }
    };
    let assertion = given_secret(&options.user_assertion_token)
        .ok_or_else(|| unavailable("userAssertionToken is a required parameter."))?;
    build(
        NAME,
        tenant,
        client,
        proof,
        Grant::OnBehalfOf {
            assertion: assertion.clone(),
        },
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
    app(WORKLOAD, tenant, client, proof, options, env)
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
#[allow(clippy::too_many_arguments)]
pub(crate) fn for_environment(
    name: &'static str,
    tenant: &str,
    client: &str,
    proof: Proof,
    grant: Grant,
    allowed: Vec<String>,
    options: &Options,
    env: &EnvSnapshot,
) -> Result<Entra, ConfigError> {
    build(name, tenant, client, proof, grant, allowed, options, env)
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
}

impl Source for Entra {
    fn name(&self) -> &str {
        self.name
    }

    fn describe(&self) -> String {
        let how = match (&self.grant, &self.proof) {
            (Grant::Password { username, .. }, _) => format!("the password of {username}"),
            (Grant::OnBehalfOf { .. }, _) => {
                "a user's assertion, on behalf of that user".to_owned()
            }
            (Grant::AuthorizationCode { .. }, _) => "an authorization code".to_owned(),
            (Grant::DeviceCode { .. } | Grant::RefreshToken { .. }, _) => {
                "a user's sign-in".to_owned()
            }
            (_, p) => Self::describe_proof(p),
        };
        format!(
            "app {} in tenant {} with {how}, from {}",
            self.client_id,
            self.tenants.configured.as_deref().unwrap_or("(none)"),
            self.host.as_str()
        )
    }

    fn start(&self, request: &TokenRequest, ctx: StartContext) -> Box<dyn SourceFlow> {
        flow::start(self, request, ctx)
    }

    fn persist_partition(&self) -> Option<String> {
        let app = format!(
            "{}|{}|{}",
            self.host.as_str(),
            self.tenants.configured.as_deref().unwrap_or_default(),
            self.client_id
        );
        // An app's tokens on behalf of a user, or a user's with their password, are that user's:
        // the partition names them (on-behalf-of by a hash of the assertion, as MSAL keys its
        // on-behalf-of tokens by one), so a store never serves one user another's token.
        Some(match &self.grant {
            Grant::OnBehalfOf { assertion } => {
                use sha2::Digest;
                let hash = sha2::Sha256::digest(assertion.expose().as_bytes());
                let hash =
                    base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, hash);
                format!("{app}|assertion:{hash}")
            }
            Grant::Password { username, .. } => format!("{app}|user:{username}"),
            _ => app,
        })
    }
}

impl Entra {
    fn describe_proof(proof: &Proof) -> String {
        match proof {
            Proof::None => "no client secret (a public client)".to_owned(),
            Proof::Secret(_) => "a client secret".to_owned(),
            Proof::Certificate {
                pem: Pem::Path(p), ..
            } => format!("the certificate in {p}"),
            Proof::Certificate { .. } => "a PEM certificate".to_owned(),
            Proof::Callback => "assertions from its getAssertion callback".to_owned(),
            Proof::TokenFile(p) => format!("the federated token in {p}"),
            Proof::Pipelines { oidc_url, .. } => {
                format!("the pipeline's OIDC token from {oidc_url}")
            }
        }
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
