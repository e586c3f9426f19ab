//! What an Entra token request is made of: the grant (what is exchanged for the token), the
//! client authentication (how the app proves itself), the request's tenant, scopes and claims
//! worked out before any IO, and the POST with its form body in MSAL's field order for each
//! grant.

use crate::authority::ADFS;
use crate::claims;
use crate::error::{ErrorKind, TokenError};
use crate::http::{HttpRequest, form, with_query};
use crate::secret::Secret;
use crate::source::TokenRequest;
use crate::tenant::{INVALID_TENANT_MESSAGE, is_valid_tenant};

use super::Entra;

const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
const JWT_BEARER: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";
const DEVICE_CODE: &str = "urn:ietf:params:oauth:grant-type:device_code";
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

/// How the app proves its identity (client authentication).
#[derive(Debug, Clone)]
pub(crate) enum Proof {
    /// None: a public client (the user sign-in credentials, and `AuthorizationCodeCredential`
    /// without a client secret).
    None,
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
    /// An assertion from the Azure Pipelines OIDC endpoint, asked for with the pipeline's
    /// system access token (`AzurePipelinesCredential`).
    Pipelines {
        oidc_url: String,
        system_access_token: Secret,
    },
}

/// What is exchanged for the token: the OAuth grant, with what it carries. Every grant but
/// `ClientCredentials` is made for a user, so MSAL adds the OpenID scopes to it and asks for
/// `client_info`.
#[derive(Debug, Clone)]
pub(crate) enum Grant {
    /// `client_credentials`: the app itself.
    ClientCredentials,
    /// The resource-owner password grant (`UsernamePasswordCredential`, `EnvironmentCredential`
    /// with `AZURE_USERNAME`).
    Password { username: String, password: Secret },
    /// The jwt-bearer grant with `requested_token_use=on_behalf_of`: the user's token sent to
    /// this app, exchanged for one to a downstream API (`OnBehalfOfCredential`).
    OnBehalfOf { assertion: Secret },
    /// `authorization_code`: a code from the authorize endpoint, redeemed once, with the PKCE
    /// verifier when the code was asked for with a challenge.
    AuthorizationCode {
        code: Secret,
        redirect_uri: String,
        code_verifier: Option<Secret>,
    },
    /// The device-code grant: polling with the `device_code` of a device-code answer.
    DeviceCode { device_code: Secret },
    /// `refresh_token`: a user's refresh token, for a silent renewal or another scope.
    RefreshToken { refresh_token: Secret },
}

impl Grant {
    /// Whether the grant is made for a user (OpenID scopes added, `client_info` asked for,
    /// a multi-tenant alias allowed as the tenant).
    pub(crate) fn is_user(&self) -> bool {
        !matches!(self, Self::ClientCredentials)
    }

    /// The secrets the grant carries, for scrubbing peer text.
    pub(crate) fn secret(&self) -> Option<&Secret> {
        match self {
            Self::ClientCredentials => None,
            Self::Password { password: s, .. }
            | Self::OnBehalfOf { assertion: s }
            | Self::AuthorizationCode { code: s, .. }
            | Self::DeviceCode { device_code: s }
            | Self::RefreshToken { refresh_token: s } => Some(s),
        }
    }
}

impl Entra {
    /// Works out the request's tenant, scopes and claims, or the error that ends it before any
    /// IO.
    pub(super) fn plan(&self, request: &TokenRequest) -> Result<Planned, TokenError> {
        self.plan_grant(request, self.grant.is_user())
    }

    /// As [`Entra::plan`], for a grant of a user (`user`: OpenID scopes added, multi-tenant
    /// aliases allowed) or of the app.
    pub(crate) fn plan_grant(
        &self,
        request: &TokenRequest,
        user: bool,
    ) -> Result<Planned, TokenError> {
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
        if !user
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
        if user {
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
#[derive(Clone)]
pub(crate) struct Planned {
    /// The token endpoint, `{authority}/{tenant}/oauth2/v2.0/token`.
    pub(crate) endpoint: String,
    /// The `scope` field.
    pub(crate) scope: String,
    /// The `claims` field (the caller's claims merged with the CAE capability).
    pub(crate) claims: Option<String>,
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
pub(crate) struct RequestParts<'a> {
    pub(crate) client_id: &'a str,
    pub(crate) grant: &'a Grant,
    pub(crate) proof: &'a Proof,
    pub(crate) planned: &'a Planned,
    /// The acquisition's correlation id.
    pub(crate) correlation: &'a str,
    /// The client assertion (certificate, callback or token file).
    pub(crate) assertion: Option<&'a Secret>,
    /// The proxy the request goes through, with its credentials.
    pub(crate) proxy: Option<&'a Secret>,
}

impl RequestParts<'_> {
    /// The form body, in the field order of MSAL's client for the grant (`ClientCredentialClient`,
    /// `UsernamePasswordClient`, `OnBehalfOfClient`, `AuthorizationCodeClient`,
    /// `DeviceCodeClient`, `RefreshTokenClient`).
    fn body(&self) -> Secret {
        let p = self.planned;
        let mut pairs: Vec<(&str, &str)> = Vec::new();
        match self.grant {
            Grant::ClientCredentials => {
                pairs.push(("client_id", self.client_id));
                pairs.push(("scope", &p.scope));
                pairs.push(("grant_type", "client_credentials"));
                pairs.push(("x-ms-lib-capability", LIB_CAPABILITY));
                pairs.push(("client-request-id", self.correlation));
                self.client_auth(&mut pairs);
            }
            Grant::Password { username, password } => {
                pairs.push(("client_id", self.client_id));
                pairs.push(("username", username));
                pairs.push(("password", password.expose()));
                pairs.push(("scope", &p.scope));
                pairs.push(("response_type", "token id_token"));
                pairs.push(("grant_type", "password"));
                pairs.push(("client_info", "1"));
                pairs.push(("x-ms-lib-capability", LIB_CAPABILITY));
                pairs.push(("client-request-id", self.correlation));
                self.client_auth(&mut pairs);
            }
            Grant::OnBehalfOf { assertion } => {
                pairs.push(("client_id", self.client_id));
                pairs.push(("scope", &p.scope));
                pairs.push(("grant_type", JWT_BEARER));
                pairs.push(("client_info", "1"));
                pairs.push(("x-ms-lib-capability", LIB_CAPABILITY));
                pairs.push(("client-request-id", self.correlation));
                pairs.push(("requested_token_use", "on_behalf_of"));
                pairs.push(("assertion", assertion.expose()));
                self.client_auth(&mut pairs);
            }
            Grant::AuthorizationCode {
                code,
                redirect_uri,
                code_verifier,
            } => {
                pairs.push(("client_id", self.client_id));
                pairs.push(("redirect_uri", redirect_uri));
                pairs.push(("scope", &p.scope));
                pairs.push(("code", code.expose()));
                pairs.push(("x-ms-lib-capability", LIB_CAPABILITY));
                if let Some(v) = code_verifier {
                    pairs.push(("code_verifier", v.expose()));
                }
                self.client_auth(&mut pairs);
                pairs.push(("grant_type", "authorization_code"));
                pairs.push(("client_info", "1"));
            }
            Grant::DeviceCode { device_code } => {
                pairs.push(("scope", &p.scope));
                pairs.push(("client_id", self.client_id));
                pairs.push(("grant_type", DEVICE_CODE));
                pairs.push(("device_code", device_code.expose()));
                pairs.push(("client-request-id", self.correlation));
                pairs.push(("client_info", "1"));
                pairs.push(("x-ms-lib-capability", LIB_CAPABILITY));
            }
            Grant::RefreshToken { refresh_token } => {
                pairs.push(("client_id", self.client_id));
                pairs.push(("scope", &p.scope));
                pairs.push(("grant_type", "refresh_token"));
                pairs.push(("client_info", "1"));
                pairs.push(("x-ms-lib-capability", LIB_CAPABILITY));
                pairs.push(("refresh_token", refresh_token.expose()));
                self.client_auth(&mut pairs);
            }
        }
        if let Some(c) = &p.claims {
            pairs.push(("claims", c));
        }
        Secret::new(form(&pairs))
    }

    /// The client authentication fields: the secret, or an assertion and its type; nothing for a
    /// public client.
    fn client_auth<'b>(&'b self, pairs: &mut Vec<(&'b str, &'b str)>) {
        match (self.proof, self.assertion) {
            (Proof::Secret(s), _) => pairs.push(("client_secret", s.expose())),
            (Proof::None, _) => {}
            (_, Some(a)) => {
                pairs.push(("client_assertion", a.expose()));
                pairs.push(("client_assertion_type", ASSERTION_TYPE));
            }
            _ => {}
        }
    }

    /// The POST to the token endpoint: the body, the correlation id in the query and headers,
    /// and MSAL's routing hint for the password grant.
    pub(crate) fn token_request(&self) -> HttpRequest {
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
        if let Grant::Password { username, .. } = self.grant {
            // MSAL's routing hint for the password grant.
            r = r.header("X-AnchorMailbox", format!("UPN: {username}"));
        }
        r.allow_proxy = true;
        r.proxy = self.proxy.cloned();
        r
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(grant: &Grant, proof: &Proof, assertion: Option<&Secret>) -> Vec<String> {
        let planned = Planned {
            endpoint: "https://login.microsoftonline.com/t/oauth2/v2.0/token".into(),
            scope: "s".into(),
            claims: Some("c".into()),
        };
        let body = RequestParts {
            client_id: "app",
            grant,
            proof,
            planned: &planned,
            correlation: "corr",
            assertion,
            proxy: None,
        }
        .body();
        body.expose()
            .split('&')
            .map(|kv| kv.split('=').next().unwrap_or_default().to_owned())
            .collect()
    }

    fn secret(s: &str) -> Secret {
        Secret::new(s)
    }

    #[test]
    fn each_grant_sends_msal_fields_in_msal_order() {
        let cases: Vec<(Grant, Proof, &str)> = vec![
            (
                Grant::ClientCredentials,
                Proof::Secret(secret("x")),
                "client_id scope grant_type x-ms-lib-capability client-request-id client_secret claims",
            ),
            (
                Grant::Password {
                    username: "u".into(),
                    password: secret("p"),
                },
                Proof::None,
                "client_id username password scope response_type grant_type client_info \
                 x-ms-lib-capability client-request-id claims",
            ),
            (
                Grant::OnBehalfOf {
                    assertion: secret("a"),
                },
                Proof::Secret(secret("x")),
                "client_id scope grant_type client_info x-ms-lib-capability client-request-id \
                 requested_token_use assertion client_secret claims",
            ),
            (
                Grant::AuthorizationCode {
                    code: secret("c"),
                    redirect_uri: "http://localhost".into(),
                    code_verifier: Some(secret("v")),
                },
                Proof::None,
                "client_id redirect_uri scope code x-ms-lib-capability code_verifier grant_type \
                 client_info claims",
            ),
            (
                Grant::DeviceCode {
                    device_code: secret("d"),
                },
                Proof::None,
                "scope client_id grant_type device_code client-request-id client_info \
                 x-ms-lib-capability claims",
            ),
            (
                Grant::RefreshToken {
                    refresh_token: secret("r"),
                },
                Proof::Callback,
                "client_id scope grant_type client_info x-ms-lib-capability refresh_token \
                 client_assertion client_assertion_type claims",
            ),
        ];
        let assertion = secret("jwt");
        for (grant, proof, expected) in cases {
            let expected: Vec<&str> = expected.split_whitespace().collect();
            assert_eq!(
                fields(&grant, &proof, Some(&assertion)),
                expected,
                "{grant:?}"
            );
        }
    }

    #[test]
    fn only_the_client_credentials_grant_is_made_for_the_app() {
        assert!(!Grant::ClientCredentials.is_user());
        assert!(
            Grant::OnBehalfOf {
                assertion: secret("a")
            }
            .is_user()
        );
        assert!(Grant::ClientCredentials.secret().is_none());
        let g = Grant::RefreshToken {
            refresh_token: secret("SENTINEL-RT"),
        };
        assert_eq!(g.secret().map(Secret::expose), Some("SENTINEL-RT"));
        assert!(!format!("{g:?}").contains("SENTINEL-RT"));
    }
}
