//! `UsernamePasswordCredential` and `AuthorizationCodeCredential`: user credentials whose first
//! sign-in is one token request with what the caller gave (a password; an authorization code,
//! single-use, so every later token comes from the refresh token), with the reference's
//! constructor checks and messages.

use std::sync::Arc;

use crate::env::EnvSnapshot;
use crate::error::ConfigError;
use crate::options::Options;
use crate::tenant::{INVALID_TENANT_MESSAGE, is_valid_tenant};

use super::request::{Grant, Proof};
use super::user::{GrantSignIn, User};
use super::{allowed_tenants, build, given, given_secret};

/// `new UsernamePasswordCredential(tenantId, clientId, username, password, options)` (deprecated
/// in the reference: the password grant does not work with multifactor authentication).
pub(crate) fn username_password(options: &Options, env: &EnvSnapshot) -> Result<User, ConfigError> {
    const NAME: &str = "UsernamePasswordCredential";
    let required = |what: &str| {
        ConfigError::unavailable(format!(
            "{NAME}: {what} is a required parameter. To troubleshoot, visit \
             https://aka.ms/azsdk/js/identity/usernamepasswordcredential/troubleshoot."
        ))
    };
    let tenant = given(&options.tenant_id).ok_or_else(|| required("tenantId"))?;
    let client = given(&options.client_id).ok_or_else(|| required("clientId"))?;
    let username = given(&options.username).ok_or_else(|| required("username"))?;
    let password = given_secret(&options.password).ok_or_else(|| required("password"))?;
    let grant = Grant::Password {
        username: username.to_owned(),
        password: password.clone(),
    };
    let app = App {
        name: NAME,
        tenant,
        client,
        proof: Proof::None,
    };
    grant_user(app, grant, "the user's password", options, env)
}

/// `new AuthorizationCodeCredential(tenantId, clientId, [clientSecret,] authorizationCode,
/// redirectUri, options)`: a confidential client when a client secret is given, else a public
/// one. The code is redeemed once; a later sign-in (after the refresh token is refused) sends it
/// again, and Entra's refusal is the error, as in the reference.
pub(crate) fn authorization_code(
    options: &Options,
    env: &EnvSnapshot,
) -> Result<User, ConfigError> {
    const NAME: &str = "AuthorizationCodeCredential";
    // The reference's `checkTenantId`: the syntax check, before anything else.
    let tenant = options.tenant_id.as_deref().unwrap_or_default();
    if !is_valid_tenant(tenant) {
        return Err(ConfigError::invalid(INVALID_TENANT_MESSAGE));
    }
    let client = options.client_id.as_deref().unwrap_or_default();
    let proof = match given_secret(&options.client_secret) {
        Some(s) => Proof::Secret(s.clone()),
        None => Proof::None,
    };
    let grant = Grant::AuthorizationCode {
        code: options.authorization_code.clone().unwrap_or_default(),
        redirect_uri: options.redirect_uri.clone().unwrap_or_default(),
        code_verifier: None,
    };
    let app = App {
        name: NAME,
        tenant,
        client,
        proof,
    };
    grant_user(app, grant, "an authorization code", options, env)
}

/// The app a user grant signs in to.
struct App<'a> {
    name: &'static str,
    tenant: &'a str,
    client: &'a str,
    proof: Proof,
}

/// A user credential whose sign-in is one token request with `grant`.
fn grant_user(
    app: App<'_>,
    grant: Grant,
    what: &'static str,
    options: &Options,
    env: &EnvSnapshot,
) -> Result<User, ConfigError> {
    let entra = build(
        app.name,
        app.tenant,
        app.client,
        app.proof,
        grant.clone(),
        allowed_tenants(options),
        options,
        env,
    )?;
    Ok(User {
        entra: Arc::new(entra),
        sign_in: Arc::new(GrantSignIn { grant, what }),
        disable_automatic: false,
        initial: None,
    })
}
