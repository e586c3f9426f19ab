//! Constructor options, as the JS classes receive them (camelCase, the reference's names).

use crate::secret::Secret;

/// A string or a list of strings (`requiredEnvVars`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(untagged))]
pub enum OneOrMany {
    /// One name.
    One(String),
    /// Several names.
    Many(Vec<String>),
}

impl OneOrMany {
    /// The names as a list.
    pub fn to_vec(&self) -> Vec<String> {
        match self {
            Self::One(s) => vec![s.clone()],
            Self::Many(v) => v.clone(),
        }
    }
}

/// `retryOptions`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "camelCase", default))]
pub struct RetryOptions {
    /// Retries after the first attempt (`"3"` is 3, a negative count 0, as core-rest-pipeline
    /// compares them).
    #[cfg_attr(
        feature = "serde",
        serde(deserialize_with = "crate::coerce::max_retries")
    )]
    pub max_retries: Option<u32>,
    /// The base delay in ms (floored).
    #[cfg_attr(
        feature = "serde",
        serde(deserialize_with = "crate::coerce::retry_delay")
    )]
    pub retry_delay_in_ms: Option<u64>,
    /// The largest single delay in ms (floored).
    #[cfg_attr(
        feature = "serde",
        serde(deserialize_with = "crate::coerce::max_retry_delay")
    )]
    pub max_retry_delay_in_ms: Option<u64>,
}

/// `userAgentOptions`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "camelCase", default))]
pub struct UserAgentOptions {
    /// Put in front of azcred's own `User-Agent`, separated by a space.
    pub user_agent_prefix: Option<String>,
}

/// `loggingOptions`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "camelCase", default))]
pub struct LoggingOptions {
    /// Log the tenant, app and object id (and UPN) an Entra token was issued for, at `info`.
    pub allow_logging_account_identifiers: bool,
    /// Accepted; the reference drops the messages it would enable anyway.
    pub enable_unsafe_support_logging: bool,
}

/// `proxyOptions`: an explicit proxy for Entra requests, in place of `HTTPS_PROXY`.
#[derive(Debug, Clone, Default)]
#[cfg_attr(feature = "serde", derive(serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "camelCase", default))]
pub struct ProxyOptions {
    /// The proxy's address with its scheme (`http://proxy.example`).
    pub host: String,
    /// The proxy's port.
    pub port: Option<u16>,
    /// The user name, when the proxy wants one.
    pub username: Option<String>,
    /// The password, when the proxy wants one.
    pub password: Option<Secret>,
}

/// `redirectOptions`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "camelCase", default))]
pub struct RedirectOptions {
    /// Whether redirects are followed.
    pub handle_redirects: Option<bool>,
    /// How many redirects are followed at most.
    #[cfg_attr(
        feature = "serde",
        serde(deserialize_with = "crate::coerce::redirect_max_retries")
    )]
    pub max_retries: Option<u32>,
}

/// `browserCustomizationOptions`: the pages the browser shows once the sign-in redirect has
/// reached the credential.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "camelCase", default))]
pub struct BrowserCustomizationOptions {
    /// The page (HTML) after a successful sign-in.
    pub success_message: Option<String>,
    /// The page (HTML) after a sign-in that ended with an error.
    pub error_message: Option<String>,
}

/// The union of the options of every credential class. Each credential reads the ones the
/// reference's class of the same name reads; unknown fields are ignored. The JS classes put their
/// positional constructor arguments here too (`tenantId`, `clientId`, `clientSecret`, ...).
///
/// Some fields are secrets, so it has no `PartialEq` and its `Debug` redacts them.
#[derive(Debug, Clone, Default)]
#[cfg_attr(feature = "serde", derive(serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "camelCase", default))]
pub struct Options {
    /// `tenantId`.
    pub tenant_id: Option<String>,
    /// `ManagedIdentityCredential`'s `clientId` (also its first string argument).
    pub client_id: Option<String>,
    /// `ManagedIdentityCredential`'s `resourceId`.
    pub resource_id: Option<String>,
    /// `ManagedIdentityCredential`'s `objectId`.
    pub object_id: Option<String>,
    /// `DefaultAzureCredential`'s `managedIdentityClientId`.
    pub managed_identity_client_id: Option<String>,
    /// `DefaultAzureCredential`'s `managedIdentityResourceId`.
    pub managed_identity_resource_id: Option<String>,
    /// `DefaultAzureCredential`'s `workloadIdentityClientId`.
    pub workload_identity_client_id: Option<String>,
    /// `additionallyAllowedTenants`.
    pub additionally_allowed_tenants: Option<Vec<String>>,
    /// `processTimeoutInMs`: how long a developer tool may run, in ms (azcred's default: 30 s).
    /// Floored, and clamped to `MAX_TIMER_MS` (2^31-1) so a driver's timer never overflows.
    #[cfg_attr(
        feature = "serde",
        serde(deserialize_with = "crate::coerce::process_timeout")
    )]
    pub process_timeout_in_ms: Option<u64>,
    /// `AzureCliCredential`'s `subscription`: the name or id of the subscription to get tokens
    /// for (`az ... --subscription`).
    pub subscription: Option<String>,
    /// `requiredEnvVars`.
    pub required_env_vars: Option<OneOrMany>,
    /// `authorityHost`.
    pub authority_host: Option<String>,
    /// `disableInstanceDiscovery`.
    pub disable_instance_discovery: Option<bool>,
    /// `retryOptions`.
    pub retry_options: Option<RetryOptions>,
    /// `ChainedTokenCredential`: the constructor names of its members, in order.
    pub members: Option<Vec<String>>,
    /// `ClientSecretCredential`'s `clientSecret` (a number is taken as `String(n)`, as MSAL
    /// puts it in the form body).
    #[cfg_attr(
        feature = "serde",
        serde(deserialize_with = "crate::coerce::client_secret")
    )]
    pub client_secret: Option<Secret>,
    /// `ClientCertificateCredential`'s `certificate`: the PEM text (certificate and private key).
    pub certificate: Option<Secret>,
    /// `ClientCertificateCredential`'s `certificatePath`.
    pub certificate_path: Option<String>,
    /// `ClientCertificateCredential`'s `certificatePassword`, for an encrypted private key.
    pub certificate_password: Option<Secret>,
    /// `sendCertificateChain`: put the certificate chain in the assertion's `x5c` header.
    pub send_certificate_chain: Option<bool>,
    /// `OnBehalfOfCredential`'s `userAssertionToken`: the token the user sent to this app.
    pub user_assertion_token: Option<Secret>,
    /// `AzurePipelinesCredential`'s `serviceConnectionId`.
    pub service_connection_id: Option<String>,
    /// `AzurePipelinesCredential`'s `systemAccessToken` (the pipeline's `System.AccessToken`).
    pub system_access_token: Option<Secret>,
    /// `WorkloadIdentityCredential`'s `tokenFilePath`.
    pub token_file_path: Option<String>,
    /// Set by the `ClientAssertionCredential` and `OnBehalfOfCredential` classes when they were
    /// given a `getAssertion` callback
    /// (functions do not cross into the core; the driver calls it for `Action::GetAssertion`).
    pub assertion_callback: bool,
    /// `userAgentOptions`.
    pub user_agent_options: Option<UserAgentOptions>,
    /// `loggingOptions`.
    pub logging_options: Option<LoggingOptions>,
    /// `proxyOptions`.
    pub proxy_options: Option<ProxyOptions>,
    /// `redirectOptions`: azcred never follows redirects, so only settings that say so are
    /// accepted.
    pub redirect_options: Option<RedirectOptions>,
    /// `additionalPolicies`: pipeline policies, which azcred has no pipeline to run; the
    /// credential logs a warning naming how many it does not run.
    pub additional_policies: Option<Vec<serde_json::Value>>,
    /// `redirectUri`: `InteractiveBrowserCredential`'s loopback `http` URL whose host and port it
    /// listens on (the class calls a function value and passes its result), or
    /// `AuthorizationCodeCredential`'s redirect URI the code was issued for.
    pub redirect_uri: Option<String>,
    /// `InteractiveBrowserCredential`'s `loginHint`: the account to sign in with.
    pub login_hint: Option<String>,
    /// `browserCustomizationOptions`.
    pub browser_customization_options: Option<BrowserCustomizationOptions>,
    /// azcred's own `signInTimeoutInMs`: how long an interactive sign-in may take from the
    /// moment the listener opens (azcred's default: 5 minutes; the reference waits forever).
    #[cfg_attr(
        feature = "serde",
        serde(deserialize_with = "crate::coerce::sign_in_timeout")
    )]
    pub sign_in_timeout_in_ms: Option<u64>,
    /// `DeviceCodeCredential`'s and the other user credentials' `disableAutomaticAuthentication`:
    /// a `getToken` that would need the user to sign in fails with `AuthenticationRequired`
    /// instead (`authenticate()` still signs in).
    pub disable_automatic_authentication: Option<bool>,
    /// `authenticationRecord`: the account the credential starts with (from an earlier
    /// `authenticate()`).
    pub authentication_record: Option<crate::source::entra::account::AuthenticationRecord>,
    /// `UsernamePasswordCredential`'s `username`.
    pub username: Option<String>,
    /// `UsernamePasswordCredential`'s `password`.
    pub password: Option<Secret>,
    /// `AuthorizationCodeCredential`'s `authorizationCode` (single-use).
    pub authorization_code: Option<Secret>,
    /// `allowInsecureConnection`: accepted; as in the reference it changes nothing (Entra
    /// authority hosts must be https, managed-identity endpoints are reached as they are).
    pub allow_insecure_connection: Option<bool>,
    /// `tokenCachePersistenceOptions`: persist this credential's tokens through the persistence
    /// plugin (`useIdentityPlugin`), for the credentials whose reference options take it.
    pub token_cache_persistence_options: Option<crate::persist::TokenCachePersistenceOptions>,
    /// Set by the driver, never by the caller: whether a persistence plugin is registered
    /// (functions do not cross into the core; the driver holds the plugin's factory).
    pub persistence_registered: bool,
}
