//! The plan: which sources a credential class contains, in which order, and why any of them is
//! left out. `DefaultAzureCredential`'s construction rules live here.

use std::sync::Arc;
use std::time::Duration;

use crate::chain::{Member, Mode, Slot};
use crate::env::EnvSnapshot;
use crate::error::ConfigError;
use crate::options::Options;
use crate::source::Source;
use crate::source::developer_tools;
use crate::source::entra;
use crate::source::environment;
use crate::source::external::External;
use crate::source::managed_identity::{ManagedIdentity, ManagedIdentityConfig, UserAssigned};

/// A credential's members and how it walks them.
#[derive(Debug)]
pub(crate) struct Plan {
    pub(crate) members: Vec<Member>,
    pub(crate) mode: Mode,
    /// Later calls go straight to the member that worked (DefaultAzureCredential).
    pub(crate) sticky: bool,
}

/// Builds the plan of the credential class `kind`.
pub(crate) fn build(kind: &str, options: &Options, env: &EnvSnapshot) -> Result<Plan, ConfigError> {
    match kind {
        "DefaultAzureCredential" => default_chain(options, env),
        "ManagedIdentityCredential" => {
            let mi = standalone_managed_identity(options, env)?;
            Ok(Plan {
                members: vec![ready(mi)],
                mode: Mode::PassThrough,
                sticky: false,
            })
        }
        "EnvironmentCredential" => standalone(environment::environment(options, env)?),
        "WorkloadIdentityCredential" => standalone(entra::workload_identity(options, env)?),
        "ClientSecretCredential" => standalone(entra::client_secret(options, env)?),
        "ClientCertificateCredential" => standalone(entra::client_certificate(options, env)?),
        "ClientAssertionCredential" => standalone(entra::client_assertion(options, env)?),
        "AzureCliCredential" => standalone(developer_tools::azure_cli(options, env)?),
        "AzureDeveloperCliCredential" => {
            standalone(developer_tools::azure_developer_cli(options, env)?)
        }
        "AzurePowerShellCredential" => standalone(developer_tools::azure_powershell(options, env)?),
        "ChainedTokenCredential" => {
            let names = options.members.clone().unwrap_or_default();
            let members = names
                .into_iter()
                .enumerate()
                .map(|(index, name)| ready(External { index, name }))
                .collect();
            Ok(Plan {
                members,
                mode: Mode::Walk,
                sticky: false,
            })
        }
        other => Err(ConfigError::invalid(format!(
            "unknown credential class '{other}'"
        ))),
    }
}

/// A credential class that is one source: its error passes through as it is.
fn standalone(source: impl Source + 'static) -> Result<Plan, ConfigError> {
    Ok(Plan {
        members: vec![ready(source)],
        mode: Mode::PassThrough,
        sticky: false,
    })
}

fn ready(source: impl Source + 'static) -> Member {
    Member {
        name: source.name().to_owned(),
        slot: Slot::Ready(Arc::new(source)),
    }
}

fn retry_overrides(options: &Options, config: &mut ManagedIdentityConfig) {
    if let Some(r) = &options.retry_options {
        config.max_retries = r.max_retries;
        config.retry_delay = r.retry_delay_in_ms.map(Duration::from_millis);
        config.max_retry_delay = r.max_retry_delay_in_ms.map(Duration::from_millis);
    }
}

/// `new ManagedIdentityCredential(...)`: at most one of `clientId`, `resourceId`, `objectId`;
/// no probe; 3 retries from 1 s.
fn standalone_managed_identity(
    options: &Options,
    env: &EnvSnapshot,
) -> Result<ManagedIdentity, ConfigError> {
    let given: Vec<(&str, &String)> = [
        ("clientId", &options.client_id),
        ("resourceId", &options.resource_id),
        ("objectId", &options.object_id),
    ]
    .into_iter()
    // The reference keeps only truthy ids: an empty string is no id at all.
    .filter_map(|(n, v)| v.as_ref().filter(|v| !v.is_empty()).map(|v| (n, v)))
    .collect();
    if given.len() > 1 {
        // As the reference's JSON.stringify({clientId, resourceId, objectId}).
        let json = |s: &str| serde_json::to_string(s).unwrap_or_default();
        let received = given
            .iter()
            .map(|(n, v)| format!("{}:{}", json(n), json(v)))
            .collect::<Vec<_>>();
        return Err(ConfigError::invalid(format!(
            "ManagedIdentityCredential: only one of 'clientId', 'resourceId', or 'objectId' can be \
             provided. Received values: {{{}}}",
            received.join(",")
        )));
    }
    let id = match given.first() {
        Some(("clientId", v)) => Some(UserAssigned::ClientId((*v).clone())),
        Some(("resourceId", v)) => Some(UserAssigned::ResourceId((*v).clone())),
        Some((_, v)) => Some(UserAssigned::ObjectId((*v).clone())),
        None => None,
    };
    let mut config = ManagedIdentityConfig {
        id,
        probe: false,
        default_retries: (3, Duration::from_millis(1000)),
        ..ManagedIdentityConfig::default()
    };
    retry_overrides(options, &mut config);
    ManagedIdentity::new(env, config)
}

/// `DefaultAzureCredential`'s managed identity: `managedIdentityResourceId` > client id
/// (`managedIdentityClientId` ?? `AZURE_CLIENT_ID`) > system-assigned; probe on; 5 retries from
/// 800 ms.
fn default_managed_identity(
    options: &Options,
    env: &EnvSnapshot,
) -> Result<ManagedIdentity, ConfigError> {
    let nonempty = |v: &Option<String>| v.clone().filter(|v| !v.is_empty());
    let id = if let Some(r) = nonempty(&options.managed_identity_resource_id) {
        Some(UserAssigned::ResourceId(r))
    } else {
        options
            .managed_identity_client_id
            .clone()
            .or_else(|| env.get("AZURE_CLIENT_ID").map(str::to_owned))
            .filter(|v| !v.is_empty())
            .map(UserAssigned::ClientId)
    };
    let mut config = ManagedIdentityConfig {
        id,
        probe: true,
        default_retries: (5, Duration::from_millis(800)),
        ..ManagedIdentityConfig::default()
    };
    retry_overrides(options, &mut config);
    ManagedIdentity::new(env, config)
}

/// Checks `requiredEnvVars`: every name must be set and not empty.
fn check_required_env(options: &Options, env: &EnvSnapshot) -> Result<(), ConfigError> {
    let Some(required) = &options.required_env_vars else {
        return Ok(());
    };
    let missing: Vec<String> = required
        .to_vec()
        .into_iter()
        .filter(|n| env.get(n).is_none())
        .collect();
    match missing.as_slice() {
        [] => Ok(()),
        [one] => Err(ConfigError::invalid(format!(
            "Required environment variable '{one}' for DefaultAzureCredential is not set or empty."
        ))),
        many => Err(ConfigError::invalid(format!(
            "Required environment variables '{}' for DefaultAzureCredential are not set or empty.",
            many.join(", ")
        ))),
    }
}

/// `new DefaultAzureCredential(options)`.
fn default_chain(options: &Options, env: &EnvSnapshot) -> Result<Plan, ConfigError> {
    check_required_env(options, env)?;
    let members = vec![member(
        "ManagedIdentityCredential",
        default_managed_identity(options, env),
    )];
    Ok(Plan {
        members,
        mode: Mode::Walk,
        sticky: true,
    })
}

/// A member from a constructor result: a constructor error leaves the member out, with the
/// reason kept for the aggregate error and `explain`.
fn member<S: Source + 'static>(name: &str, built: Result<S, ConfigError>) -> Member {
    match built {
        Ok(s) => ready(s),
        Err(e) => Member {
            name: name.to_owned(),
            slot: Slot::Skipped(e.message),
        },
    }
}
