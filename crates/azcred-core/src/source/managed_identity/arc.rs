//! Azure Arc (`IDENTITY_ENDPOINT` + `IMDS_ENDPOINT`, or the agent's binary on disk): a GET with
//! `Metadata: true`, answered first by a 401 whose `WWW-Authenticate: Basic realm=<key file>`
//! names a key file the caller must be able to read; the request is sent again with the key as
//! `Authorization: Basic <key>`. A token for a user-assigned identity must name that identity.

use crate::env::{EnvSnapshot, Platform};
use crate::error::TokenError;
use crate::http::{HttpRequest, HttpResponse, with_query};
use crate::io::{IoFailureKind, Reply};
use crate::secret::Secret;

use super::UserAssigned;
use super::endpoint::{Endpoint, IdParams, id_param, query};
use super::response::failed;

/// The Azure Arc agent on Linux; its presence selects Arc with the default endpoint.
const HIMDS_LINUX: &str = "/opt/azcmagent/bin/himds";
/// The Arc endpoint when only the agent binary tells that this is an Arc machine.
const ARC_DEFAULT_ENDPOINT: &str = "http://127.0.0.1:40342/metadata/identity/oauth2/token";
/// The Arc key file must be no larger than this (the reference's limit).
pub(super) const ARC_KEY_MAX_BYTES: u64 = 4096;

/// Arc's names for the user-assigned identity.
const ID_PARAMS: IdParams = IdParams {
    client_id: "client_id",
    resource_id: "msi_res_id",
};

/// Where the Arc agent's binary is on this platform (none: Arc is not supported here).
pub(super) fn agent_path(env: &EnvSnapshot) -> Option<String> {
    match env.platform() {
        Platform::Linux => Some(HIMDS_LINUX.to_owned()),
        Platform::Win32 => Some(format!(
            "{}\\AzureConnectedMachineAgent\\himds.exe",
            env.get("ProgramFiles").unwrap_or("C:\\Program Files")
        )),
        _ => None,
    }
}

/// The token request for `resource`.
pub(super) fn request(url: &str, resource: &str, id: Option<&UserAssigned>) -> HttpRequest {
    HttpRequest::get(with_query(
        url,
        &query("2020-06-01", resource, id_param(id, ID_PARAMS)),
    ))
    .header("Metadata", "true")
}

/// The request to the default Arc endpoint, sent instead of IMDS's when the agent is found.
pub(super) fn default_request(resource: &str, id: Option<&UserAssigned>) -> Option<HttpRequest> {
    Endpoint::Arc {
        url: ARC_DEFAULT_ENDPOINT.to_owned(),
    }
    .token_request(resource, id)
    .ok()
}

/// The Arc agent lookup: a file that opens (whatever its size) means Arc.
pub(super) fn agent_found(reply: &Reply) -> bool {
    match reply {
        Reply::File { .. } => true,
        Reply::Failed(f) => f.kind == IoFailureKind::TooLarge,
        _ => false,
    }
}

/// Azure Arc's challenge: `WWW-Authenticate: Basic realm=<key file>`; the key file must be a
/// `.key` file in the agent's token directory and at most 4096 bytes (the reference's checks).
pub(super) fn challenge_key_path(
    resp: &HttpResponse,
    platform: Platform,
    program_data: &str,
) -> Result<String, TokenError> {
    let header = resp.headers.get("www-authenticate").ok_or_else(|| {
        failed("www_authenticate_header_missing: The managed identity endpoint's 401 response has no WWW-Authenticate header.")
    })?;
    let path = header
        .split_once("Basic realm=")
        .map(|(_, p)| p.trim())
        .filter(|p| !p.is_empty())
        .ok_or_else(|| {
            failed("www_authenticate_header_unsupported_format: The WWW-Authenticate header is not 'Basic realm=<path>'.")
        })?;
    let dir = match platform {
        Platform::Linux => "/var/opt/azcmagent/tokens/".to_owned(),
        Platform::Win32 => format!("{program_data}\\AzureConnectedMachineAgent\\Tokens\\"),
        _ => {
            return Err(failed(
                "platform_not_supported: Azure Arc managed identity is supported on Linux and Windows only.",
            ));
        }
    };
    let sep = if platform == Platform::Win32 {
        ['\\', '/']
    } else {
        ['/', '/']
    };
    let base = path.rsplit(sep).next().unwrap_or(path);
    if !base.ends_with(".key") {
        return Err(failed(
            "invalid_file_extension: The Azure Arc key file must have the .key extension.",
        ));
    }
    if path != format!("{dir}{base}") {
        return Err(failed(&format!(
            "invalid_file_path: The Azure Arc key file must be in {dir}."
        )));
    }
    Ok(path.to_owned())
}

/// The key from the reply to the key file read, trimmed, or the error that ends the flow.
pub(super) fn key(reply: Reply) -> Result<Secret, TokenError> {
    match reply {
        Reply::File { contents } => Ok(Secret::new(contents.expose().trim())),
        Reply::Failed(f) if f.kind == IoFailureKind::TooLarge => Err(failed(
            "invalid_secret: The Azure Arc key file is larger than 4096 bytes.",
        )),
        Reply::Failed(f) if f.kind == IoFailureKind::Aborted => Err(TokenError::aborted()),
        _ => Err(failed(
            "unable_to_read_secret_file: The Azure Arc key file could not be read.",
        )),
    }
}

/// Whether a token response names the user-assigned identity `id` in `client_id`, `object_id`,
/// `msi_res_id` or `mi_res_id` (case-insensitively).
pub(super) fn echoes_identity(body: &str, id: &str) -> bool {
    let Ok(v) = serde_json::from_str::<serde_json::Value>(body) else {
        return false;
    };
    ["client_id", "object_id", "msi_res_id", "mi_res_id"]
        .iter()
        .filter_map(|k| v.get(k).and_then(|x| x.as_str()))
        .any(|x| x.eq_ignore_ascii_case(id))
}
