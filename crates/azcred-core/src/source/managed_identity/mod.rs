//! `ManagedIdentityCredential`: source detection, the wire request of each managed-identity
//! endpoint, the DefaultAzureCredential IMDS probe, and retries with a bounded total time.
//!
//! - `endpoint`: which endpoint this host has, detected from the environment in the reference's
//!   order, and the query parameters the protocols share;
//! - one file per protocol, with its wire request: `app_service`, `service_fabric`,
//!   `machine_learning`, `cloud_shell`, `arc` (with its challenge, key file and agent lookup) and
//!   `imds` (with its probe);
//! - `response`: error answers rendered for messages, and the errors every protocol shares;
//! - `flow`: one acquisition, the state machine;
//! - `token_exchange`: the workload identity path on AKS.

mod app_service;
mod arc;
mod cloud_shell;
mod endpoint;
mod flow;
mod imds;
mod machine_learning;
mod response;
mod service_fabric;
mod token_exchange;

use std::hash::{DefaultHasher, Hash, Hasher};
use std::time::Duration;

use crate::env::{EnvSnapshot, Platform};
use crate::error::ConfigError;
use crate::http::HttpRequest;
use crate::retry::RetryPolicy;
use crate::secret::Secret;
use crate::shared::SharedTokens;
use crate::source::{Source, SourceFlow, StartContext, TokenRequest};

use endpoint::Endpoint;
pub(crate) use token_exchange::TokenExchange;

const NAME: &str = "ManagedIdentityCredential";

/// No retry starts later than this after the first attempt.
const RETRY_BUDGET: Duration = Duration::from_secs(30);

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
        flow::start(self, request, ctx)
    }
}
