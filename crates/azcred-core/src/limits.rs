//! Caps on the sizes the core accepts, checked before any work: a request or option larger
//! than these is refused with an error naming what is too large, never copied, sorted, hashed
//! or sent. They are public so a binding can check an input's size before it copies it across
//! (a 150-million-character scope must not reach the core at all).
//!
//! Real values are far below: a scope is a URL, a tenant a GUID or domain, claims a small JSON
//! object, a PEM certificate with its chain a few kilobytes.

use crate::error::{ConfigError, ErrorKind, TokenError};
use crate::options::Options;
use crate::source::TokenRequest;

/// The most bytes of a response body the driver reads before giving up (1 MiB): a token
/// response is a few kilobytes.
pub const MAX_RESPONSE_BYTES: u64 = 1024 * 1024;
/// The most bytes a developer tool may print on stdout and stderr together (10 MiB).
pub const MAX_PROCESS_OUTPUT: u64 = 10 * 1024 * 1024;
/// How long a file read may take (10 s): a certificate or token file is read at once, and a
/// FIFO or a hung filesystem must not hold an acquisition forever.
pub const FILE_READ_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// The most scopes one `getToken` may ask for.
pub const MAX_SCOPES: usize = 256;
/// The most bytes all the scopes of one `getToken` may add up to (64 KiB).
pub const MAX_SCOPES_LEN: usize = 64 * 1024;
/// The most bytes `GetTokenOptions.claims` may have (64 KiB).
pub const MAX_CLAIMS_LEN: usize = 64 * 1024;
/// The most bytes `GetTokenOptions.tenantId` (or the `tenantId` option) may have.
pub const MAX_TENANT_LEN: usize = 1024;
/// The most bytes any other string option may have (64 KiB), and the most entries a list
/// option (`additionallyAllowedTenants`, `requiredEnvVars`, chain members) may have.
pub const MAX_OPTION_LEN: usize = 64 * 1024;
/// The most bytes the `certificate` option (PEM text with its chain) may have (1 MiB).
pub const MAX_CERTIFICATE_LEN: usize = 1024 * 1024;

fn too_large(what: &str, limit: usize, unit: &str) -> String {
    format!("{what} is too large: at most {limit} {unit} are accepted")
}

/// Checks a request against the caps: `Err` names what is too large.
pub fn check_request(request: &TokenRequest) -> Result<(), TokenError> {
    let refuse = |m: String| Err(TokenError::new(ErrorKind::InvalidRequest, m));
    if request.scopes.len() > MAX_SCOPES {
        return refuse(too_large("scopes", MAX_SCOPES, "scopes"));
    }
    // Summed with an early exit, so a huge list is not walked to the end.
    let mut total = 0usize;
    for s in &request.scopes {
        total = total.saturating_add(s.len());
        if total > MAX_SCOPES_LEN {
            return refuse(too_large("scopes", MAX_SCOPES_LEN, "bytes"));
        }
    }
    if request
        .claims
        .as_ref()
        .is_some_and(|c| c.len() > MAX_CLAIMS_LEN)
    {
        return refuse(too_large("claims", MAX_CLAIMS_LEN, "bytes"));
    }
    if request
        .tenant_id
        .as_ref()
        .is_some_and(|t| t.len() > MAX_TENANT_LEN)
    {
        return refuse(too_large("tenantId", MAX_TENANT_LEN, "bytes"));
    }
    Ok(())
}

/// Checks constructor options against the caps: `Err` names the option that is too large.
pub fn check_options(options: &Options) -> Result<(), ConfigError> {
    let refuse = |m: String| Err(ConfigError::invalid(m));
    if options
        .tenant_id
        .as_ref()
        .is_some_and(|t| t.len() > MAX_TENANT_LEN)
    {
        return refuse(too_large("tenantId", MAX_TENANT_LEN, "bytes"));
    }
    if options
        .certificate
        .as_ref()
        .is_some_and(|c| c.expose().len() > MAX_CERTIFICATE_LEN)
    {
        return refuse(too_large("certificate", MAX_CERTIFICATE_LEN, "bytes"));
    }
    let strings: [(&str, Option<&str>); 16] = [
        ("clientId", options.client_id.as_deref()),
        ("resourceId", options.resource_id.as_deref()),
        ("objectId", options.object_id.as_deref()),
        (
            "managedIdentityClientId",
            options.managed_identity_client_id.as_deref(),
        ),
        (
            "managedIdentityResourceId",
            options.managed_identity_resource_id.as_deref(),
        ),
        (
            "workloadIdentityClientId",
            options.workload_identity_client_id.as_deref(),
        ),
        ("subscription", options.subscription.as_deref()),
        ("authorityHost", options.authority_host.as_deref()),
        (
            "clientSecret",
            options.client_secret.as_ref().map(|s| s.expose()),
        ),
        ("certificatePath", options.certificate_path.as_deref()),
        (
            "certificatePassword",
            options.certificate_password.as_ref().map(|s| s.expose()),
        ),
        ("tokenFilePath", options.token_file_path.as_deref()),
        (
            "userAssertionToken",
            options.user_assertion_token.as_ref().map(|s| s.expose()),
        ),
        (
            "serviceConnectionId",
            options.service_connection_id.as_deref(),
        ),
        (
            "systemAccessToken",
            options.system_access_token.as_ref().map(|s| s.expose()),
        ),
        (
            "userAgentOptions.userAgentPrefix",
            options
                .user_agent_options
                .as_ref()
                .and_then(|u| u.user_agent_prefix.as_deref()),
        ),
    ];
    for (name, value) in strings {
        if value.is_some_and(|v| v.len() > MAX_OPTION_LEN) {
            return refuse(too_large(name, MAX_OPTION_LEN, "bytes"));
        }
    }
    let lists: [(&str, Vec<&str>); 3] = [
        (
            "additionallyAllowedTenants",
            options
                .additionally_allowed_tenants
                .iter()
                .flatten()
                .map(String::as_str)
                .collect(),
        ),
        (
            "requiredEnvVars",
            match &options.required_env_vars {
                Some(crate::options::OneOrMany::One(s)) => vec![s.as_str()],
                Some(crate::options::OneOrMany::Many(v)) => v.iter().map(String::as_str).collect(),
                None => Vec::new(),
            },
        ),
        (
            "members",
            options
                .members
                .iter()
                .flatten()
                .map(String::as_str)
                .collect(),
        ),
    ];
    for (name, items) in lists {
        let total = items.iter().fold(0usize, |t, s| t.saturating_add(s.len()));
        if items.len() > MAX_OPTION_LEN || total > MAX_OPTION_LEN {
            return refuse(too_large(name, MAX_OPTION_LEN, "bytes"));
        }
    }
    if let Some(p) = &options.proxy_options {
        let parts = [
            Some(p.host.as_str()),
            p.username.as_deref(),
            p.password.as_ref().map(|s| s.expose()),
        ];
        if parts
            .into_iter()
            .flatten()
            .any(|v| v.len() > MAX_OPTION_LEN)
        {
            return refuse(too_large("proxyOptions", MAX_OPTION_LEN, "bytes"));
        }
    }
    Ok(())
}
