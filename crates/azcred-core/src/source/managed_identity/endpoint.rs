//! Which managed-identity endpoint this host has, detected from the environment in the
//! reference's order, and the token request of each (the wire formats live in one file per
//! protocol).

use crate::env::EnvSnapshot;
use crate::http::{HttpRequest, form};
use crate::secret::Secret;

use super::UserAssigned;
use super::{app_service, arc, cloud_shell, imds, machine_learning, service_fabric};

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
    pub(super) fn detect(env: &EnvSnapshot) -> Self {
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
        imds::detect(env, arc::agent_path(env))
    }

    /// The source's name in messages.
    pub(super) fn label(&self) -> &'static str {
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
    pub(super) fn secret(&self) -> Option<&Secret> {
        match self {
            Self::ServiceFabric { secret, .. }
            | Self::AppService { secret, .. }
            | Self::MachineLearning { secret, .. } => Some(secret),
            Self::CloudShell { .. } | Self::Arc { .. } | Self::Imds { .. } => None,
        }
    }

    /// Builds the token request for `resource`, or says why this identity cannot be used here.
    pub(super) fn token_request(
        &self,
        resource: &str,
        id: Option<&UserAssigned>,
    ) -> Result<HttpRequest, String> {
        Ok(match self {
            Self::AppService { url, secret } => app_service::request(url, secret, resource, id),
            Self::ServiceFabric {
                url,
                secret,
                thumbprint,
            } => service_fabric::request(url, secret, thumbprint, resource),
            Self::MachineLearning {
                url,
                secret,
                default_client_id,
            } => {
                machine_learning::request(url, secret, default_client_id.as_deref(), resource, id)?
            }
            Self::CloudShell { url } => cloud_shell::request(url, resource),
            Self::Arc { url } => arc::request(url, resource, id),
            Self::Imds { base, .. } => imds::request(base, resource, id),
        })
    }
}

/// The names a protocol gives the user-assigned identity's client id and resource id in its
/// query (the object id is `object_id` everywhere).
#[derive(Debug, Clone, Copy)]
pub(super) struct IdParams {
    pub(super) client_id: &'static str,
    pub(super) resource_id: &'static str,
}

/// The query parameter that selects the user-assigned identity `id`, named as `names` says.
pub(super) fn id_param(id: Option<&UserAssigned>, names: IdParams) -> Option<(&'static str, &str)> {
    id.map(|id| match id {
        UserAssigned::ClientId(v) => (names.client_id, v.as_str()),
        UserAssigned::ObjectId(v) => ("object_id", v.as_str()),
        UserAssigned::ResourceId(v) => (names.resource_id, v.as_str()),
    })
}

/// The query of a token request: `api-version`, `resource`, then the identity parameter if any.
pub(super) fn query(api: &str, resource: &str, extra: Option<(&str, &str)>) -> String {
    let mut pairs = vec![("api-version", api), ("resource", resource)];
    pairs.extend(extra);
    form(&pairs)
}
