//! The Rust API: a typed constructor per credential, with the options that credential takes, and
//! a chain over core credentials, so a Rust program or a third binding builds credentials without
//! the camelCase [`Options`] union (which stays the JS bindings' input format). Each constructor
//! fills that union and builds through the same plan as the bindings, so the two cannot differ.

use std::time::Duration;

use crate::credential::Credential;
use crate::env::EnvSnapshot;
use crate::error::ConfigError;
use crate::options::{BrowserCustomizationOptions, OneOrMany, Options, ProxyOptions, RetryOptions};
use crate::persist::TokenCachePersistenceOptions;
use crate::secret::Secret;
use crate::source::entra::account::AuthenticationRecord;

/// The credential classes of `@azure/identity` the core builds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Kind {
    /// `DefaultAzureCredential`.
    DefaultAzureCredential,
    /// `ManagedIdentityCredential`.
    ManagedIdentityCredential,
    /// `EnvironmentCredential`.
    EnvironmentCredential,
    /// `WorkloadIdentityCredential`.
    WorkloadIdentityCredential,
    /// `ClientSecretCredential`.
    ClientSecretCredential,
    /// `ClientCertificateCredential`.
    ClientCertificateCredential,
    /// `ClientAssertionCredential`.
    ClientAssertionCredential,
    /// `AzureCliCredential`.
    AzureCliCredential,
    /// `AzureDeveloperCliCredential`.
    AzureDeveloperCliCredential,
    /// `AzurePowerShellCredential`.
    AzurePowerShellCredential,
    /// `VisualStudioCodeCredential`.
    VisualStudioCodeCredential,
    /// `AzurePipelinesCredential`.
    AzurePipelinesCredential,
    /// `OnBehalfOfCredential`.
    OnBehalfOfCredential,
    /// `DeviceCodeCredential`.
    DeviceCodeCredential,
    /// `UsernamePasswordCredential`.
    UsernamePasswordCredential,
    /// `AuthorizationCodeCredential`.
    AuthorizationCodeCredential,
    /// `InteractiveBrowserCredential`.
    InteractiveBrowserCredential,
}

impl Kind {
    /// Every kind.
    pub const ALL: [Self; 17] = [
        Self::DefaultAzureCredential,
        Self::ManagedIdentityCredential,
        Self::EnvironmentCredential,
        Self::WorkloadIdentityCredential,
        Self::ClientSecretCredential,
        Self::ClientCertificateCredential,
        Self::ClientAssertionCredential,
        Self::AzureCliCredential,
        Self::AzureDeveloperCliCredential,
        Self::AzurePowerShellCredential,
        Self::VisualStudioCodeCredential,
        Self::AzurePipelinesCredential,
        Self::OnBehalfOfCredential,
        Self::DeviceCodeCredential,
        Self::UsernamePasswordCredential,
        Self::AuthorizationCodeCredential,
        Self::InteractiveBrowserCredential,
    ];

    /// The reference's class name.
    pub fn name(self) -> &'static str {
        match self {
            Self::DefaultAzureCredential => "DefaultAzureCredential",
            Self::ManagedIdentityCredential => "ManagedIdentityCredential",
            Self::EnvironmentCredential => "EnvironmentCredential",
            Self::WorkloadIdentityCredential => "WorkloadIdentityCredential",
            Self::ClientSecretCredential => "ClientSecretCredential",
            Self::ClientCertificateCredential => "ClientCertificateCredential",
            Self::ClientAssertionCredential => "ClientAssertionCredential",
            Self::AzureCliCredential => "AzureCliCredential",
            Self::AzureDeveloperCliCredential => "AzureDeveloperCliCredential",
            Self::AzurePowerShellCredential => "AzurePowerShellCredential",
            Self::VisualStudioCodeCredential => "VisualStudioCodeCredential",
            Self::AzurePipelinesCredential => "AzurePipelinesCredential",
            Self::OnBehalfOfCredential => "OnBehalfOfCredential",
            Self::DeviceCodeCredential => "DeviceCodeCredential",
            Self::UsernamePasswordCredential => "UsernamePasswordCredential",
            Self::AuthorizationCodeCredential => "AuthorizationCodeCredential",
            Self::InteractiveBrowserCredential => "InteractiveBrowserCredential",
        }
    }

    /// The kind with this class name.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.name() == name)
    }
}

/// A user-assigned managed identity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UserAssignedId {
    /// By client id.
    ClientId(String),
    /// By object id.
    ObjectId(String),
    /// By Azure resource id.
    ResourceId(String),
}

/// Options of `ManagedIdentityCredential`.
#[derive(Debug, Clone, Default)]
pub struct ManagedIdentityOptions {
    /// A user-assigned identity; the system-assigned one when `None`.
    pub id: Option<UserAssignedId>,
    /// Retries of the endpoint.
    pub retry: Option<RetryOptions>,
}

/// Options of the credentials that ask Entra ID (secret, certificate, assertion, workload
/// identity, environment).
#[derive(Debug, Clone, Default)]
pub struct EntraOptions {
    /// The authority host (`AZURE_AUTHORITY_HOST`, else the public cloud, when `None`).
    pub authority_host: Option<String>,
    /// Tenants, besides the configured one, a request may ask for (`"*"` for any).
    pub additionally_allowed_tenants: Vec<String>,
    /// Retries of the token endpoint.
    pub retry: Option<RetryOptions>,
    /// An explicit proxy for the token endpoint, in place of `HTTPS_PROXY`.
    pub proxy: Option<ProxyOptions>,
    /// Persist the credential's tokens (`tokenCachePersistenceOptions`): its flows then load
    /// and store the cache with [`crate::Action::LoadCache`] and [`crate::Action::StoreCache`],
    /// which the driver carries to its store (the Rust driver is its own persistence: no plugin
    /// is registered). Taken by the credentials whose reference options take it.
    pub persistence: Option<TokenCachePersistenceOptions>,
}

/// Options of `InteractiveBrowserCredential`.
#[derive(Debug, Clone, Default)]
pub struct BrowserOptions {
    /// The authority host, tenants, retries, proxy, persistence, and the account machinery.
    pub user: UserOptions,
    /// The loopback redirect URI to listen on (`http://localhost` on a free port when `None`).
    pub redirect_uri: Option<String>,
    /// The account to suggest on the sign-in page.
    pub login_hint: Option<String>,
    /// The pages the listener answers the browser with.
    pub browser_customization: Option<BrowserCustomizationOptions>,
    /// How long the whole sign-in may take (5 minutes when `None`).
    pub sign_in_timeout: Option<Duration>,
}

/// Options of `AzureCliCredential`, `AzureDeveloperCliCredential` and
/// `AzurePowerShellCredential`.
#[derive(Debug, Clone, Default)]
pub struct DeveloperToolOptions {
    /// The tenant to get tokens from, instead of the tool's default.
    pub tenant_id: Option<String>,
    /// Tenants, besides `tenant_id`, a request may ask for (`"*"` for any).
    pub additionally_allowed_tenants: Vec<String>,
    /// How long the tool may run (30 s when `None`).
    pub process_timeout: Option<Duration>,
    /// `AzureCliCredential` only: the subscription (`az ... --subscription`).
    pub subscription: Option<String>,
}

/// Options of `DefaultAzureCredential`.
#[derive(Debug, Clone, Default)]
pub struct DefaultOptions {
    /// The tenant of workload identity and the developer tools.
    pub tenant_id: Option<String>,
    /// The user-assigned managed identity, by client id or resource id (`AZURE_CLIENT_ID` when
    /// `None`).
    pub managed_identity: Option<UserAssignedId>,
    /// The client id of workload identity.
    pub workload_identity_client_id: Option<String>,
    /// Tenants, besides the configured one, a request may ask for.
    pub additionally_allowed_tenants: Vec<String>,
    /// How long a developer tool may run.
    pub process_timeout: Option<Duration>,
    /// Environment variables that must be set (checked when the credential is built).
    pub required_env_vars: Vec<String>,
    /// The authority host of the Entra ID members.
    pub authority_host: Option<String>,
    /// Retries of the managed identity and Entra ID members.
    pub retry: Option<RetryOptions>,
}

/// Options of the user sign-in credentials (`DeviceCodeCredential`; the Entra ones apply to
/// `UsernamePasswordCredential` and `AuthorizationCodeCredential` too).
#[derive(Debug, Clone, Default)]
pub struct UserOptions {
    /// The authority host, tenants, retries and proxy.
    pub entra: EntraOptions,
    /// A `getToken` that would need the user to sign in fails with `AuthenticationRequired`
    /// instead; a request with `authenticate` set still signs in.
    pub disable_automatic_authentication: bool,
    /// The account to start with (from an earlier sign-in's
    /// [`Credential::authentication_record`]).
    pub authentication_record: Option<AuthenticationRecord>,
}

/// Where a `ClientCertificateCredential` finds its PEM certificate and private key.
#[derive(Debug, Clone)]
pub enum CertificateSource {
    /// A PEM file, read when a token is needed.
    Path(String),
    /// The PEM text itself.
    Pem(Secret),
}

/// How an `OnBehalfOfCredential`'s app proves its identity.
#[derive(Debug, Clone)]
pub enum AppProof {
    /// A client secret.
    Secret(Secret),
    /// A certificate: an assertion signed with its private key (`Action::Sign`).
    Certificate {
        /// Where the PEM certificate and key are.
        source: CertificateSource,
        /// Send the certificate chain in the assertion's `x5c` header.
        send_certificate_chain: bool,
    },
    /// An assertion from the caller, asked for with `Action::GetAssertion`.
    Assertion,
}

fn tenants(v: &[String]) -> Option<Vec<String>> {
    (!v.is_empty()).then(|| v.to_vec())
}

fn millis(d: Option<Duration>) -> Option<u64> {
    d.map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

impl EntraOptions {
    fn into_options(self) -> Options {
        Options {
            authority_host: self.authority_host,
            additionally_allowed_tenants: tenants(&self.additionally_allowed_tenants),
            retry_options: self.retry,
            proxy_options: self.proxy,
            persistence_registered: self.persistence.is_some(),
            token_cache_persistence_options: self.persistence,
            ..Options::default()
        }
    }
}

impl UserOptions {
    fn into_options(self, tenant_id: Option<&str>, client_id: Option<&str>) -> Options {
        Options {
            tenant_id: tenant_id.map(str::to_owned),
            client_id: client_id.map(str::to_owned),
            disable_automatic_authentication: Some(self.disable_automatic_authentication),
            authentication_record: self.authentication_record,
            ..self.entra.into_options()
        }
    }
}

impl DeveloperToolOptions {
    fn into_options(self) -> Options {
        Options {
            tenant_id: self.tenant_id,
            additionally_allowed_tenants: tenants(&self.additionally_allowed_tenants),
            process_timeout_in_ms: millis(self.process_timeout),
            subscription: self.subscription,
            ..Options::default()
        }
    }
}

impl Credential {
    /// Builds the credential `kind` from the options union (what the JS bindings use).
    pub fn of(
        kind: Kind,
        options: &Options,
        env: &EnvSnapshot,
        seed: u64,
    ) -> Result<Self, ConfigError> {
        Self::new(kind.name(), options, env, seed)
    }

    /// `new DefaultAzureCredential(options)`.
    pub fn default_azure(
        options: DefaultOptions,
        env: &EnvSnapshot,
        seed: u64,
    ) -> Result<Self, ConfigError> {
        let (client, resource) = match options.managed_identity {
            Some(UserAssignedId::ClientId(c)) => (Some(c), None),
            Some(UserAssignedId::ResourceId(r)) => (None, Some(r)),
            Some(UserAssignedId::ObjectId(_)) => {
                return Err(ConfigError::invalid(
                    "DefaultAzureCredential takes a managed identity's client id or resource id, \
                     not its object id",
                ));
            }
            None => (None, None),
        };
        let o = Options {
            tenant_id: options.tenant_id,
            managed_identity_client_id: client,
            managed_identity_resource_id: resource,
            workload_identity_client_id: options.workload_identity_client_id,
            additionally_allowed_tenants: tenants(&options.additionally_allowed_tenants),
            process_timeout_in_ms: millis(options.process_timeout),
            required_env_vars: (!options.required_env_vars.is_empty())
                .then_some(OneOrMany::Many(options.required_env_vars)),
            authority_host: options.authority_host,
            retry_options: options.retry,
            ..Options::default()
        };
        Self::of(Kind::DefaultAzureCredential, &o, env, seed)
    }

    /// `new ManagedIdentityCredential(options)`.
    pub fn managed_identity(
        options: ManagedIdentityOptions,
        env: &EnvSnapshot,
        seed: u64,
    ) -> Result<Self, ConfigError> {
        let mut o = Options {
            retry_options: options.retry,
            ..Options::default()
        };
        match options.id {
            Some(UserAssignedId::ClientId(v)) => o.client_id = Some(v),
            Some(UserAssignedId::ObjectId(v)) => o.object_id = Some(v),
            Some(UserAssignedId::ResourceId(v)) => o.resource_id = Some(v),
            None => {}
        }
        Self::of(Kind::ManagedIdentityCredential, &o, env, seed)
    }

    /// `new EnvironmentCredential(options)`: the service principal in the environment.
    pub fn environment(
        options: EntraOptions,
        env: &EnvSnapshot,
        seed: u64,
    ) -> Result<Self, ConfigError> {
        Self::of(
            Kind::EnvironmentCredential,
            &options.into_options(),
            env,
            seed,
        )
    }

    /// `new WorkloadIdentityCredential(options)`; `None` reads `AZURE_TENANT_ID`,
    /// `AZURE_CLIENT_ID` and `AZURE_FEDERATED_TOKEN_FILE`.
    pub fn workload_identity(
        tenant_id: Option<&str>,
        client_id: Option<&str>,
        token_file_path: Option<&str>,
        options: EntraOptions,
        env: &EnvSnapshot,
        seed: u64,
    ) -> Result<Self, ConfigError> {
        let o = Options {
            tenant_id: tenant_id.map(str::to_owned),
            client_id: client_id.map(str::to_owned),
            token_file_path: token_file_path.map(str::to_owned),
            ..options.into_options()
        };
        Self::of(Kind::WorkloadIdentityCredential, &o, env, seed)
    }

    /// `new ClientSecretCredential(tenantId, clientId, clientSecret, options)`.
    pub fn client_secret(
        tenant_id: &str,
        client_id: &str,
        client_secret: Secret,
        options: EntraOptions,
        env: &EnvSnapshot,
        seed: u64,
    ) -> Result<Self, ConfigError> {
        let o = Options {
            tenant_id: Some(tenant_id.to_owned()),
            client_id: Some(client_id.to_owned()),
            client_secret: Some(client_secret),
            ..options.into_options()
        };
        Self::of(Kind::ClientSecretCredential, &o, env, seed)
    }

    /// `new ClientCertificateCredential(tenantId, clientId, certificate, options)`; the driver
    /// signs the assertion (`Action::Sign`).
    #[allow(clippy::too_many_arguments)]
    pub fn client_certificate(
        tenant_id: &str,
        client_id: &str,
        certificate: CertificateSource,
        password: Option<Secret>,
        send_certificate_chain: bool,
        options: EntraOptions,
        env: &EnvSnapshot,
        seed: u64,
    ) -> Result<Self, ConfigError> {
        let (certificate, certificate_path) = match certificate {
            CertificateSource::Path(p) => (None, Some(p)),
            CertificateSource::Pem(pem) => (Some(pem), None),
        };
        let o = Options {
            tenant_id: Some(tenant_id.to_owned()),
            client_id: Some(client_id.to_owned()),
            certificate,
            certificate_path,
            certificate_password: password,
            send_certificate_chain: Some(send_certificate_chain),
            ..options.into_options()
        };
        Self::of(Kind::ClientCertificateCredential, &o, env, seed)
    }

    /// `new ClientAssertionCredential(tenantId, clientId, getAssertion, options)`: the driver
    /// answers each `Action::GetAssertion` with the assertion.
    pub fn client_assertion(
        tenant_id: &str,
        client_id: &str,
        options: EntraOptions,
        env: &EnvSnapshot,
        seed: u64,
    ) -> Result<Self, ConfigError> {
        let o = Options {
            tenant_id: Some(tenant_id.to_owned()),
            client_id: Some(client_id.to_owned()),
            assertion_callback: true,
            ..options.into_options()
        };
        Self::of(Kind::ClientAssertionCredential, &o, env, seed)
    }

    /// `new AzurePipelinesCredential(tenantId, clientId, serviceConnectionId, systemAccessToken,
    /// options)`: needs `SYSTEM_OIDCREQUESTURI` in `env`.
    pub fn azure_pipelines(
        tenant_id: &str,
        client_id: &str,
        service_connection_id: &str,
        system_access_token: Secret,
        options: EntraOptions,
        env: &EnvSnapshot,
        seed: u64,
    ) -> Result<Self, ConfigError> {
        let o = Options {
            tenant_id: Some(tenant_id.to_owned()),
            client_id: Some(client_id.to_owned()),
            service_connection_id: Some(service_connection_id.to_owned()),
            system_access_token: Some(system_access_token),
            ..options.into_options()
        };
        Self::of(Kind::AzurePipelinesCredential, &o, env, seed)
    }

    /// `new OnBehalfOfCredential(options)`: `user_assertion` (the token the user sent to this
    /// app) exchanged for a token to a downstream API.
    pub fn on_behalf_of(
        tenant_id: &str,
        client_id: &str,
        user_assertion: Secret,
        proof: AppProof,
        options: EntraOptions,
        env: &EnvSnapshot,
        seed: u64,
    ) -> Result<Self, ConfigError> {
        let mut o = Options {
            tenant_id: Some(tenant_id.to_owned()),
            client_id: Some(client_id.to_owned()),
            user_assertion_token: Some(user_assertion),
            ..options.into_options()
        };
        match proof {
            AppProof::Secret(s) => o.client_secret = Some(s),
            AppProof::Certificate {
                source,
                send_certificate_chain,
            } => {
                match source {
                    CertificateSource::Path(p) => o.certificate_path = Some(p),
                    CertificateSource::Pem(pem) => o.certificate = Some(pem),
                }
                o.send_certificate_chain = Some(send_certificate_chain);
            }
            AppProof::Assertion => o.assertion_callback = true,
        }
        Self::of(Kind::OnBehalfOfCredential, &o, env, seed)
    }

    /// `new DeviceCodeCredential(options)`: the user signs in with a code the driver shows
    /// (`Action::PromptDeviceCode`); `tenant_id` `organizations` and the developer sign-on app
    /// when `None`.
    pub fn device_code(
        tenant_id: Option<&str>,
        client_id: Option<&str>,
        options: UserOptions,
        env: &EnvSnapshot,
        seed: u64,
    ) -> Result<Self, ConfigError> {
        let o = options.into_options(tenant_id, client_id);
        Self::of(Kind::DeviceCodeCredential, &o, env, seed)
    }

    /// `new InteractiveBrowserCredential(options)` on Node: the user signs in in the system
    /// browser, which the driver opens (`Action::Launch`) on the authorize URL, and the core's
    /// loopback listener (`Action::Listen`, `Accept`, `Respond`) takes the redirect;
    /// `tenant_id` `organizations` and the developer sign-on app when `None`.
    pub fn interactive_browser(
        tenant_id: Option<&str>,
        client_id: Option<&str>,
        options: BrowserOptions,
        env: &EnvSnapshot,
        seed: u64,
    ) -> Result<Self, ConfigError> {
        let o = Options {
            redirect_uri: options.redirect_uri,
            login_hint: options.login_hint,
            browser_customization_options: options.browser_customization,
            sign_in_timeout_in_ms: millis(options.sign_in_timeout),
            ..options.user.into_options(tenant_id, client_id)
        };
        Self::of(Kind::InteractiveBrowserCredential, &o, env, seed)
    }

    /// `new UsernamePasswordCredential(tenantId, clientId, username, password, options)`.
    pub fn username_password(
        tenant_id: &str,
        client_id: &str,
        username: &str,
        password: Secret,
        options: EntraOptions,
        env: &EnvSnapshot,
        seed: u64,
    ) -> Result<Self, ConfigError> {
        let o = Options {
            tenant_id: Some(tenant_id.to_owned()),
            client_id: Some(client_id.to_owned()),
            username: Some(username.to_owned()),
            password: Some(password),
            ..options.into_options()
        };
        Self::of(Kind::UsernamePasswordCredential, &o, env, seed)
    }

    /// `new AuthorizationCodeCredential(tenantId, clientId, [clientSecret,] authorizationCode,
    /// redirectUri, options)`: a confidential client with `client_secret`, else a public one.
    #[allow(clippy::too_many_arguments)]
    pub fn authorization_code(
        tenant_id: &str,
        client_id: &str,
        client_secret: Option<Secret>,
        authorization_code: Secret,
        redirect_uri: &str,
        options: EntraOptions,
        env: &EnvSnapshot,
        seed: u64,
    ) -> Result<Self, ConfigError> {
        let o = Options {
            tenant_id: Some(tenant_id.to_owned()),
            client_id: Some(client_id.to_owned()),
            client_secret,
            authorization_code: Some(authorization_code),
            redirect_uri: Some(redirect_uri.to_owned()),
            ..options.into_options()
        };
        Self::of(Kind::AuthorizationCodeCredential, &o, env, seed)
    }

    /// `new AzureCliCredential(options)`.
    pub fn azure_cli(
        options: DeveloperToolOptions,
        env: &EnvSnapshot,
        seed: u64,
    ) -> Result<Self, ConfigError> {
        Self::of(Kind::AzureCliCredential, &options.into_options(), env, seed)
    }

    /// `new AzureDeveloperCliCredential(options)` (`subscription` is not an option of it).
    pub fn azure_developer_cli(
        options: DeveloperToolOptions,
        env: &EnvSnapshot,
        seed: u64,
    ) -> Result<Self, ConfigError> {
        let o = Options {
            subscription: None,
            ..options.into_options()
        };
        Self::of(Kind::AzureDeveloperCliCredential, &o, env, seed)
    }

    /// `new AzurePowerShellCredential(options)` (`subscription` is not an option of it).
    pub fn azure_powershell(
        options: DeveloperToolOptions,
        env: &EnvSnapshot,
        seed: u64,
    ) -> Result<Self, ConfigError> {
        let o = Options {
            subscription: None,
            ..options.into_options()
        };
        Self::of(Kind::AzurePowerShellCredential, &o, env, seed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_is_named_as_the_reference_names_it_and_found_by_that_name() {
        for k in Kind::ALL {
            assert_eq!(Kind::from_name(k.name()), Some(k));
        }
        assert_eq!(Kind::from_name("BrokerCredential"), None);
    }
}
