//! The plan: which sources a credential class contains, in which order, and why any of them is
//! left out. `DefaultAzureCredential`'s construction rules live here.

use std::sync::Arc;
use std::time::Duration;

use crate::authority::AuthorityHost;
use crate::cache::CachePolicy;
use crate::chain::{Member, Mode, Slot};
use crate::env::EnvSnapshot;
use crate::error::ConfigError;
use crate::options::Options;
use crate::shared::SharedTokens;
use crate::source::Source;
use crate::source::developer_tools;
use crate::source::entra;
use crate::source::environment;
use crate::source::external::External;
use crate::source::managed_identity::{
    ManagedIdentity, ManagedIdentityConfig, TokenExchange, UserAssigned,
};
use crate::source::visual_studio_code::VisualStudioCode;

/// A credential's members and how it walks them.
#[derive(Debug)]
pub(crate) struct Plan {
    pub(crate) members: Vec<Member>,
    pub(crate) mode: Mode,
    /// Later calls go straight to the member that worked (DefaultAzureCredential).
    pub(crate) sticky: bool,
    /// When its cached tokens are served and refreshed.
    pub(crate) cache: CachePolicy,
}

/// Builds the plan of the credential class `kind`.
/// `shared` is where managed-identity sources share their tokens with other credentials.
pub(crate) fn build(
    kind: &str,
    options: &Options,
    env: &EnvSnapshot,
    shared: Option<&SharedTokens>,
) -> Result<Plan, ConfigError> {
    crate::limits::check_options(options)?;
    check_pipeline_options(options)?;
    match kind {
        "DefaultAzureCredential" => default_chain(options, env, shared),
        "ManagedIdentityCredential" => {
            let mi = standalone_managed_identity(options, env, shared)?;
            Ok(Plan {
                members: vec![Member {
                    name: kind.to_owned(),
                    slot: Slot::Ready(mi.into_source()),
                }],
                mode: Mode::PassThrough,
                sticky: false,
                cache: CachePolicy::Credential,
            })
        }
        "EnvironmentCredential" => standalone(environment::environment(options, env)?),
        "VisualStudioCodeCredential" => standalone(VisualStudioCode),
        "WorkloadIdentityCredential" => standalone(entra::workload_identity(options, env)?),
        "ClientSecretCredential" => standalone(entra::client_secret(options, env)?),
        "ClientCertificateCredential" => standalone(entra::client_certificate(options, env)?),
        "ClientAssertionCredential" => standalone(entra::client_assertion(options, env)?),
        "InteractiveBrowserCredential" => {
            standalone(entra::browser::interactive_browser(options, env)?)
        }
        "DeviceCodeCredential" => standalone(entra::device_code(options, env)?),
        "UsernamePasswordCredential" => standalone(entra::username_password(options, env)?),
        "AuthorizationCodeCredential" => standalone(entra::authorization_code(options, env)?),
        "AzurePipelinesCredential" => standalone(entra::azure_pipelines(options, env)?),
        "OnBehalfOfCredential" => standalone(entra::on_behalf_of(options, env)?),
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
                cache: CachePolicy::Credential,
            })
        }
        // `getBearerTokenProvider(credential, scopes)`: the credential it was given, cached and
        // refreshed as core-rest-pipeline's bearer-token policy does (one getToken while the token
        // is fresh, a background refresh in its last two minutes).
        "BearerTokenProvider" => Ok(Plan {
            members: vec![ready(External {
                index: 0,
                name: options
                    .members
                    .as_ref()
                    .and_then(|m| m.first().cloned())
                    .unwrap_or_else(|| "TokenCredential".to_owned()),
            })],
            mode: Mode::PassThrough,
            sticky: false,
            cache: CachePolicy::Pipeline,
        }),
        other => Err(ConfigError::invalid(format!(
            "unknown credential class '{other}'"
        ))),
    }
}

/// The reference's pipeline options that change how requests travel, and that azcred cannot
/// honour as asked: refused with an error that names them, never dropped silently.
fn check_pipeline_options(options: &Options) -> Result<(), ConfigError> {
    if let Some(r) = &options.redirect_options {
        let follows = r.handle_redirects.unwrap_or(true) && r.max_retries.unwrap_or(20) > 0;
        if follows {
            return Err(ConfigError::invalid(
                "redirectOptions: azcred never follows redirects (an identity endpoint that \
                 redirects is answered as an error); remove the option, or set \
                 { handleRedirects: false }",
            ));
        }
    }
    Ok(())
}

/// A source value or a boxed one, as a shared member.
trait IntoSource {
    fn into_source(self) -> Arc<dyn Source>;
}

impl<S: Source + 'static> IntoSource for S {
    fn into_source(self) -> Arc<dyn Source> {
        Arc::new(self)
    }
}

impl IntoSource for Box<dyn Source> {
    fn into_source(self) -> Arc<dyn Source> {
        Arc::from(self)
    }
}

/// A credential class that is one source: its error passes through as it is.
fn standalone(source: impl Source + 'static) -> Result<Plan, ConfigError> {
    Ok(Plan {
        members: vec![ready(source)],
        mode: Mode::PassThrough,
        sticky: false,
        cache: CachePolicy::Credential,
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
    shared: Option<&SharedTokens>,
) -> Result<Box<dyn Source>, ConfigError> {
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
    let exchange_client = options.client_id.as_deref();
    let mut config = ManagedIdentityConfig {
        id,
        probe: false,
        default_retries: (3, Duration::from_millis(1000)),
        shared: shared.cloned(),
        ..ManagedIdentityConfig::default()
    };
    retry_overrides(options, &mut config);
    managed_identity(options, env, config, exchange_client)
}

/// Builds a managed identity source: the token-exchange path when a client id
/// (`exchange_client` ?? `AZURE_CLIENT_ID`), `AZURE_TENANT_ID` and `AZURE_FEDERATED_TOKEN_FILE`
/// are all there (it wins over every endpoint, as in the reference), else the detected endpoint.
/// Like the reference, it refuses an authority host that is not https.
fn managed_identity(
    options: &Options,
    env: &EnvSnapshot,
    config: ManagedIdentityConfig,
    exchange_client: Option<&str>,
) -> Result<Box<dyn Source>, ConfigError> {
    AuthorityHost::resolve(options.authority_host.as_deref(), env)?;
    let client = exchange_client
        .filter(|c| !c.is_empty())
        .or_else(|| env.get("AZURE_CLIENT_ID"));
    if client.is_some()
        && env.get("AZURE_TENANT_ID").is_some()
        && env.get("AZURE_FEDERATED_TOKEN_FILE").is_some()
    {
        let exchange = entra::token_exchange(client, env)?;
        return Ok(Box::new(TokenExchange::new(exchange)));
    }
    Ok(Box::new(ManagedIdentity::new(env, config)?))
}

/// `DefaultAzureCredential`'s managed identity (the reference's
/// `createDefaultManagedIdentityCredential`): `managedIdentityResourceId` > token exchange with
/// the workload identity client id (`workloadIdentityClientId` ?? `managedIdentityClientId` ??
/// `AZURE_CLIENT_ID`) when `AZURE_FEDERATED_TOKEN_FILE` is set > client id
/// (`managedIdentityClientId` ?? `AZURE_CLIENT_ID`) > system-assigned; 5 retries from 800 ms; the
/// IMDS probe unless `probe` is false.
fn default_managed_identity(
    options: &Options,
    env: &EnvSnapshot,
    probe: bool,
    shared: Option<&SharedTokens>,
) -> Result<Box<dyn Source>, ConfigError> {
    let nonempty = |v: &Option<String>| v.clone().filter(|v| !v.is_empty());
    let client = nonempty(&options.managed_identity_client_id)
        .or_else(|| env.get("AZURE_CLIENT_ID").map(str::to_owned));
    let workload_client = nonempty(&options.workload_identity_client_id).or_else(|| client.clone());
    let (id, exchange_client) = if let Some(r) = nonempty(&options.managed_identity_resource_id) {
        (Some(UserAssigned::ResourceId(r)), None)
    } else if env.get("AZURE_FEDERATED_TOKEN_FILE").is_some() && workload_client.is_some() {
        (
            workload_client.clone().map(UserAssigned::ClientId),
            workload_client,
        )
    } else {
        (client.clone().map(UserAssigned::ClientId), client)
    };
    let mut config = ManagedIdentityConfig {
        id,
        probe,
        default_retries: (5, Duration::from_millis(800)),
        shared: shared.cloned(),
        ..ManagedIdentityConfig::default()
    };
    retry_overrides(options, &mut config);
    managed_identity(options, env, config, exchange_client.as_deref())
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

/// The members of `DefaultAzureCredential`, in the reference's order. (The reference's eighth,
/// `BrokerCredential`, needs a plugin azcred does not load; without it the reference leaves it
/// out silently, and so does azcred.)
const DEFAULT_ORDER: [&str; 7] = [
    "EnvironmentCredential",
    "WorkloadIdentityCredential",
    "ManagedIdentityCredential",
    "VisualStudioCodeCredential",
    "AzureCliCredential",
    "AzurePowerShellCredential",
    "AzureDeveloperCliCredential",
];

/// Which members `AZURE_TOKEN_CREDENTIALS` selects: all (unset or blank), the deployed ones
/// (`prod`), the developer ones (`dev`), or one credential by name (trimmed, case-insensitive).
fn selection(env: &EnvSnapshot) -> Result<Vec<&'static str>, ConfigError> {
    let Some(raw) = env.get("AZURE_TOKEN_CREDENTIALS") else {
        return Ok(DEFAULT_ORDER.to_vec());
    };
    let value = raw.trim().to_ascii_lowercase();
    Ok(match value.as_str() {
        "" => DEFAULT_ORDER.to_vec(),
        "prod" => DEFAULT_ORDER[..3].to_vec(),
        "dev" => DEFAULT_ORDER[3..].to_vec(),
        _ => match DEFAULT_ORDER
            .iter()
            .find(|n| n.to_ascii_lowercase() == value)
        {
            Some(name) => vec![*name],
            None => {
                return Err(ConfigError::invalid(format!(
                    "Invalid value for AZURE_TOKEN_CREDENTIALS = {raw}. Valid values are 'prod' or \
                     'dev' or any of these credentials - EnvironmentCredential, \
                     WorkloadIdentityCredential, ManagedIdentityCredential, \
                     VisualStudioCodeCredential, AzureCliCredential, AzurePowerShellCredential, \
                     AzureDeveloperCliCredential."
                )));
            }
        },
    })
}

/// `new DefaultAzureCredential(options)`: `requiredEnvVars`, then `AZURE_TOKEN_CREDENTIALS`, then
/// each member; a member whose constructor fails is left out, with its reason kept.
fn default_chain(
    options: &Options,
    env: &EnvSnapshot,
    shared: Option<&SharedTokens>,
) -> Result<Plan, ConfigError> {
    check_required_env(options, env)?;
    let selected = selection(env)?;
    // Naming managed identity alone turns its probe off (the reference's rule).
    let probe = selected.len() > 1;
    let members = selected
        .into_iter()
        .map(|name| match name {
            "EnvironmentCredential" => member(name, environment::environment(options, env)),
            "WorkloadIdentityCredential" => {
                member(name, entra::default_workload_identity(options, env))
            }
            "ManagedIdentityCredential" => {
                member(name, default_managed_identity(options, env, probe, shared))
            }
            "VisualStudioCodeCredential" => ready(VisualStudioCode),
            "AzureCliCredential" => member(name, developer_tools::azure_cli(options, env)),
            "AzurePowerShellCredential" => {
                member(name, developer_tools::azure_powershell(options, env))
            }
            _ => member(name, developer_tools::azure_developer_cli(options, env)),
        })
        .collect();
    Ok(Plan {
        members,
        mode: Mode::Walk,
        sticky: true,
        cache: CachePolicy::Credential,
    })
}

/// A member from a constructor result: a constructor error leaves the member out, with the
/// reason kept for the aggregate error and `explain`.
fn member<S: IntoSource>(name: &str, built: Result<S, ConfigError>) -> Member {
    match built {
        Ok(s) => Member {
            name: name.to_owned(),
            slot: Slot::Ready(s.into_source()),
        },
        Err(e) => Member {
            name: name.to_owned(),
            slot: Slot::Skipped(e.message),
        },
    }
}
