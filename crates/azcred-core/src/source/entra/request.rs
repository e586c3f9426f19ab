//! What an Entra token request is made of: the proof kinds, the request's tenant, scopes and
//! claims worked out before any IO, and the POST with its form body in MSAL's field order.

use crate::authority::ADFS;
use crate::claims;
use crate::error::{ErrorKind, TokenError};
use crate::http::{HttpRequest, form, with_query};
use crate::secret::Secret;
use crate::source::TokenRequest;
use crate::tenant::{INVALID_TENANT_MESSAGE, is_valid_tenant};

use super::Entra;

const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
/// Tells Entra that the client honours `Retry-After` on 429 (MSAL's throttling capability).
const LIB_CAPABILITY: &str = "retry-after, h429";
/// Scopes MSAL removes from client-credential requests and adds to user requests.
const OIDC_SCOPES: [&str; 3] = ["openid", "profile", "offline_access"];
/// Tenants that name no single tenant; the client-credential grant needs a real one.
const MULTI_TENANT_ALIASES: [&str; 3] = ["common", "organizations", "consumers"];

/// Where a certificate's PEM text comes from.
#[derive(Debug, Clone)]
pub(crate) enum Pem {
    /// `certificatePath`: read on every token request, as the reference does.
    Path(String),
    /// `certificate`: the PEM text itself.
    Text(Secret),
}

/// How the app proves its identity.
#[derive(Debug, Clone)]
pub(crate) enum Proof {
    /// `client_secret`.
    Secret(Secret),
    /// An assertion signed with the certificate's private key.
    Certificate {
        pem: Pem,
        password: Option<Secret>,
        send_chain: bool,
    },
    /// An assertion from the caller's `getAssertion` callback.
    Callback,
    /// An assertion read from a file (workload identity).
    TokenFile(String),
    /// The resource-owner password grant (`EnvironmentCredential` with `AZURE_USERNAME`).
    Password { username: String, password: Secret },
}

impl Entra {
    /// Works out the request's tenant, scopes and claims, or the error that ends it before any
    /// IO.
    pub(super) fn plan(&self, request: &TokenRequest) -> Result<Planned, TokenError> {
        let requested = request.tenant_id.as_deref().filter(|t| !t.is_empty());
        let configured = self.tenants.configured.as_deref();
        // A request's tenant goes into the URL path: check its syntax before anything else, unless
        // it is going to be ignored anyway.
        let honoured = !self.tenants.multitenant_disabled && configured != Some(ADFS);
        if let Some(t) = requested.filter(|t| honoured && Some(*t) != configured) {
            if !is_valid_tenant(t) {
                return Err(TokenError::new(
                    ErrorKind::InvalidRequest,
                    INVALID_TENANT_MESSAGE,
                ));
            }
        }
        let tenant = self
            .tenants
            .resolve(requested)?
            .unwrap_or_else(|| "organizations".to_owned());
        let password_grant = matches!(self.proof, Proof::Password { .. });
        if !password_grant
            && MULTI_TENANT_ALIASES
                .iter()
                .any(|a| a.eq_ignore_ascii_case(&tenant))
        {
            return Err(self.required(
                "missing_tenant_id_error: A tenant id - not common, organizations, or consumers - \
                 must be specified when using the client_credentials flow. See \
                 https://aka.ms/msal.js.errors#missing_tenant_id_error for details",
            ));
        }
        let mut scopes: Vec<&str> = Vec::new();
        for s in request.scopes.iter().map(|s| s.trim()) {
            if !s.is_empty() && !scopes.contains(&s) {
                scopes.push(s);
            }
        }
        if password_grant {
            for s in OIDC_SCOPES {
                if !scopes.contains(&s) {
                    scopes.push(s);
                }
            }
        } else {
            scopes.retain(|s| !OIDC_SCOPES.contains(s));
        }
        if scopes.is_empty() {
            return Err(TokenError::new(
                ErrorKind::InvalidRequest,
                "empty_input_scopes_error: at least one scope is required to obtain an access \
                 token. See https://aka.ms/msal.js.errors#empty_input_scopes_error for details",
            ));
        }
        let claims = claims::merged(request.claims.as_deref(), request.enable_cae)
            .map_err(|m| TokenError::new(ErrorKind::InvalidRequest, m))?;
        Ok(Planned {
            endpoint: self.host.token_endpoint(&tenant),
            scope: scopes.join(" "),
            claims,
        })
    }
}

/// What a request resolved to before any IO.
pub(super) struct Planned {
    pub(super) endpoint: String,
    pub(super) scope: String,
    pub(super) claims: Option<String>,
}

impl std::fmt::Debug for Planned {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Planned")
            .field("endpoint", &self.endpoint)
            .field("scope", &self.scope)
            .field("claims", &self.claims.is_some())
            .finish()
    }
}

/// Everything the token request is built from, once the proof is at hand.
#[derive(Debug)]
pub(super) struct RequestParts<'a> {
    pub(super) client_id: &'a str,
    pub(super) proof: &'a Proof,
    pub(super) planned: &'a Planned,
    /// The acquisition's correlation id.
    pub(super) correlation: &'a str,
    /// The client assertion (certificate, callback or token file).
    pub(super) assertion: Option<&'a Secret>,
    /// The proxy the request goes through, with its credentials.
    pub(super) proxy: Option<&'a Secret>,
}

impl RequestParts<'_> {
    /// The form body, in MSAL's field order.
    fn body(&self) -> Secret {
        let mut pairs: Vec<(&str, &str)> = vec![("client_id", self.client_id)];
        match self.proof {
            Proof::Password { username, password } => {
                pairs.push(("username", username));
                pairs.push(("password", password.expose()));
                pairs.push(("scope", &self.planned.scope));
                pairs.push(("response_type", "token id_token"));
                pairs.push(("grant_type", "password"));
                pairs.push(("client_info", "1"));
            }
            _ => {
                pairs.push(("scope", &self.planned.scope));
                pairs.push(("grant_type", "client_credentials"));
            }
        }
        pairs.push(("x-ms-lib-capability", LIB_CAPABILITY));
        pairs.push(("client-request-id", self.correlation));
        match (self.proof, self.assertion) {
            (Proof::Secret(s), _) => pairs.push(("client_secret", s.expose())),
            (_, Some(a)) => {
                pairs.push(("client_assertion", a.expose()));
                pairs.push(("client_assertion_type", ASSERTION_TYPE));
            }
            _ => {}
        }
        if let Some(c) = &self.planned.claims {
            pairs.push(("claims", c));
        }
        Secret::new(form(&pairs))
    }

    pub(super) fn token_request(&self) -> HttpRequest {
        let url = with_query(
            &self.planned.endpoint,
            &form(&[("client-request-id", self.correlation)]),
        );
        // One id for the whole acquisition, in every place MSAL and the pipeline put one, and
        // asked back in the answer's headers, so a failure can be traced by Microsoft support.
        let mut r = HttpRequest::post_form(url, self.body())
            .header("x-ms-client-request-id", self.correlation.to_owned())
            .header("client-request-id", self.correlation.to_owned())
            .header("return-client-request-id", "true");
        if let Proof::Password { username, .. } = self.proof {
            // MSAL's routing hint for the password grant.
            r = r.header("X-AnchorMailbox", format!("UPN: {username}"));
        }
        r.allow_proxy = true;
        r.proxy = self.proxy.cloned();
        r
    }
}
