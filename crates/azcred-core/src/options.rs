//! Constructor options, as the JS classes receive them (camelCase, the reference's names).

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
    /// Retries after the first attempt.
    pub max_retries: Option<u32>,
    /// The base delay in ms.
    pub retry_delay_in_ms: Option<u64>,
    /// The largest single delay in ms.
    pub max_retry_delay_in_ms: Option<u64>,
}

/// The union of the options of every credential class. Each credential reads the ones the
/// reference's class of the same name reads; unknown fields are ignored.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
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
}
