//! `AzurePipelinesCredential`: workload identity federation in an Azure DevOps pipeline. The
//! client assertion is an OIDC token the pipeline's service issues for a service connection:
//!
//! 1. `POST {SYSTEM_OIDCREQUESTURI}?api-version=7.1&serviceConnectionId={id}` with
//!    `Authorization: Bearer {System.AccessToken}`, `Content-Type: application/json` and
//!    `X-TFS-FedAuthRedirect: Suppress` (so the service answers 401 instead of redirecting to a
//!    sign-in page), answered with `{"oidcToken": "..."}`;
//! 2. the client-assertion exchange at Entra, as `ClientAssertionCredential` sends it.
//!
//! As in the reference, the OIDC token is asked for again for each token request sent to Entra
//! (it is short-lived), and an answer without one is an `AuthenticationError` with the answer's
//! status. Unlike the reference, which puts the whole answer in the message, the message holds a
//! shortened excerpt with every secret of the flow scrubbed out (the system access token first).

use crate::env::EnvSnapshot;
use crate::error::{ConfigError, TokenError};
use crate::http::{HttpRequest, HttpResponse, Method, form};
use crate::options::Options;
use crate::secret::Secret;
use crate::tenant::{INVALID_TENANT_MESSAGE, is_valid_tenant};

use super::{Entra, Proof, app, given, given_secret};

pub(super) const NAME: &str = "AzurePipelinesCredential";
/// The Azure DevOps REST API version of the OIDC token request.
const OIDC_API_VERSION: &str = "7.1";
const TROUBLESHOOT: &str = "See the troubleshooting guide for more information: https://aka.ms/azsdk/js/identity/azurepipelinescredential/troubleshoot";
/// How much of the service's answer a message quotes.
const EXCERPT_CHARS: usize = 500;

/// `new AzurePipelinesCredential(tenantId, clientId, serviceConnectionId, systemAccessToken,
/// options)`: the reference's checks in its order (each a `CredentialUnavailableError`), the
/// tenant's syntax, then `SYSTEM_OIDCREQUESTURI`, read now.
pub(crate) fn azure_pipelines(options: &Options, env: &EnvSnapshot) -> Result<Entra, ConfigError> {
    let required = |what: &str| {
        ConfigError::unavailable(format!(
            "{NAME}: is unavailable. {what} is a required parameter."
        ))
    };
    let client = given(&options.client_id).ok_or_else(|| required("clientId"))?;
    let tenant = given(&options.tenant_id).ok_or_else(|| required("tenantId"))?;
    let connection =
        given(&options.service_connection_id).ok_or_else(|| required("serviceConnectionId"))?;
    let token =
        given_secret(&options.system_access_token).ok_or_else(|| required("systemAccessToken"))?;
    if !is_valid_tenant(tenant) {
        return Err(ConfigError::invalid(INVALID_TENANT_MESSAGE));
    }
    let Some(base) = env.get("SYSTEM_OIDCREQUESTURI") else {
        return Err(ConfigError::unavailable(format!(
            "{NAME}: is unavailable. Ensure that you're running this task in an Azure Pipeline, \
             so that following missing system variable(s) can be defined- \
             \"SYSTEM_OIDCREQUESTURI\""
        )));
    };
    let query = form(&[
        ("api-version", OIDC_API_VERSION),
        ("serviceConnectionId", connection),
    ]);
    let proof = Proof::Pipelines {
        oidc_url: format!("{base}?{query}"),
        system_access_token: token.clone(),
    };
    app(NAME, tenant, client, proof, options, env)
}

/// The OIDC token request. It goes through the proxy Entra requests use, as the reference's
/// pipeline sends it.
pub(super) fn oidc_request(url: &str, token: &Secret, proxy: Option<Secret>) -> HttpRequest {
    let mut r = HttpRequest::get(url)
        .header("Content-Type", "application/json")
        .header("Authorization", format!("Bearer {}", token.expose()))
        .header("X-TFS-FedAuthRedirect", "Suppress");
    // A POST with an empty body, as the reference's pipeline sends it.
    r.method = Method::Post;
    r.body = Some(Secret::new(""));
    r.allow_proxy = true;
    r.proxy = proxy;
    r
}

/// The OIDC token in the service's answer, or the reference's `AuthenticationError` with the
/// answer's status: an empty body is "Received null token", anything else without a string
/// `oidcToken` (an error status, HTML, other JSON) is "oidcToken field not detected". `scrub`
/// takes the flow's secrets out of peer text and bounds it.
pub(super) fn oidc_token(
    resp: &HttpResponse,
    scrub: impl Fn(&str, usize) -> String,
) -> Result<Secret, TokenError> {
    let details = || {
        // The reference's `stringifyOidcResponse` (`JSON.stringify` of {status, bodyAsText,
        // headers}, keys in that order), with the body shortened and scrubbed.
        let json = |v: Option<&str>| serde_json::to_string(&v).unwrap_or_default();
        format!(
            r#"{{"status":{},"bodyAsText":{},"headers":{{"x-vss-e2eid":{},"x-msedge-ref":{}}}}}"#,
            resp.status,
            json(Some(&scrub(&resp.body, EXCERPT_CHARS))),
            json(resp.headers.get("x-vss-e2eid")),
            json(resp.headers.get("x-msedge-ref")),
        )
    };
    if resp.body.is_empty() {
        return Err(TokenError::authentication_failed(
            resp.status,
            &format!("{NAME}: Authentication Failed. Received null token from OIDC request."),
            &format!("Complete response - {}. {TROUBLESHOOT}", details()),
        )
        .from_credential(NAME));
    }
    let token = serde_json::from_str::<serde_json::Value>(&resp.body)
        .ok()
        .and_then(|v| v.get("oidcToken")?.as_str().map(str::to_owned))
        .filter(|t| !t.is_empty());
    match token {
        Some(t) => Ok(Secret::new(t)),
        None => Err(TokenError::authentication_failed(
            resp.status,
            &format!(
                "{NAME}: Authentication Failed. oidcToken field not detected in the response."
            ),
            &format!("Response from service = {}. {TROUBLESHOOT}", details()),
        )
        .from_credential(NAME)),
    }
}
