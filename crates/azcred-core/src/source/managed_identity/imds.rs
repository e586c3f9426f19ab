//! IMDS, the Azure Instance Metadata Service on every VM (and the fallback when nothing else is
//! detected): a GET with `Metadata: true`, api-version 2018-02-01. `DefaultAzureCredential`
//! probes it first, so a laptop where nothing answers moves the chain on quickly.

use std::time::Duration;

use crate::env::EnvSnapshot;
use crate::error::TokenError;
use crate::http::{HttpRequest, with_query};
use crate::io::{IoFailure, IoFailureKind, Reply};

use super::UserAssigned;
use super::endpoint::{Endpoint, IdParams, id_param, query};

/// The IMDS address on every Azure VM.
pub(crate) const IMDS_BASE: &str = "http://169.254.169.254";
const IMDS_PATH: &str = "/metadata/identity/oauth2/token";

/// The probe's whole deadline unless `requestOptions.timeout` says otherwise (the reference's).
const PROBE_TIMEOUT: Duration = Duration::from_millis(1000);
/// The probe gives up when no TCP connection is established within this. On an Azure host the
/// IMDS address is answered by the host itself and a connection is established in well under a
/// millisecond; on a laptop the address is usually routed nowhere and the SYN is silently
/// dropped, which the reference waits out for the whole second. A slow *answer* is still allowed
/// the full probe deadline, so a busy but live IMDS is never misjudged.
pub(super) const PROBE_CONNECT_TIMEOUT: Duration = Duration::from_millis(200);

/// IMDS's names for the user-assigned identity.
const ID_PARAMS: IdParams = IdParams {
    client_id: "client_id",
    resource_id: "msi_res_id",
};

/// The IMDS endpoint, after every other source was ruled out. `himds` is the Azure Arc agent to
/// look for first.
pub(super) fn detect(env: &EnvSnapshot, himds: Option<String>) -> Endpoint {
    if let Some(host) = env.get("AZURE_POD_IDENTITY_AUTHORITY_HOST") {
        // The reference lower-cases the whole URL and appends a slash; the probe is skipped.
        let url = format!("{}{IMDS_PATH}", host.trim_end_matches('/')).to_lowercase();
        return Endpoint::Imds {
            base: format!("{url}/"),
            probe_allowed: false,
            himds,
        };
    }
    // azcred's own override of the IMDS address, for tests and local emulators: unlike the
    // pod-identity variable it keeps the probe, so DefaultAzureCredential behaves as on a VM.
    let base = env
        .get("AZCRED_IMDS_ENDPOINT")
        .unwrap_or(IMDS_BASE)
        .trim_end_matches('/');
    Endpoint::Imds {
        base: format!("{base}{IMDS_PATH}"),
        probe_allowed: true,
        // An explicit test endpoint means IMDS: no Arc agent lookup.
        himds: himds.filter(|_| env.get("AZCRED_IMDS_ENDPOINT").is_none()),
    }
}

/// The token request for `resource`.
pub(super) fn request(base: &str, resource: &str, id: Option<&UserAssigned>) -> HttpRequest {
    HttpRequest::get(with_query(
        base,
        &query("2018-02-01", resource, id_param(id, ID_PARAMS)),
    ))
    .header("Metadata", "true")
}

/// The probe: a GET of the bare endpoint, and its whole deadline.
pub(super) fn probe(base: &str, timeout_ms: Option<u64>) -> (HttpRequest, Duration) {
    // As the reference's `timeout || 1000`: zero means the default.
    let timeout = timeout_ms
        .filter(|t| *t > 0)
        .map_or(PROBE_TIMEOUT, Duration::from_millis);
    (
        HttpRequest::get(base.to_owned()).header("Accept", "application/json"),
        timeout,
    )
}

/// Whether the probe's reply says IMDS is there: any HTTP answer but a 403 that says the
/// address is unreachable. An aborted probe is an error.
pub(super) fn probe_outcome(reply: Reply) -> Result<bool, TokenError> {
    match reply {
        Reply::Http(r) => Ok(!(r.status == 403 && r.body.contains("unreachable"))),
        Reply::Failed(IoFailure {
            kind: IoFailureKind::Aborted,
            ..
        }) => Err(TokenError::aborted()),
        _ => Ok(false),
    }
}
