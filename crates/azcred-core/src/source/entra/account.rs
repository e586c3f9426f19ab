//! The signed-in user: the account a user token response names, the refresh token that renews it
//! without a new sign-in, and the reference's `AuthenticationRecord` (what `authenticate()`
//! returns and the `authenticationRecord` option takes).
//!
//! A user token response (MSAL's public-client answer) carries `access_token`, `refresh_token`,
//! `id_token` and `client_info`. The account is read as MSAL's `AccountEntity` reads it: the home
//! account id `uid.utid` from `client_info` (base64url JSON), the tenant from `client_info`'s
//! `utid` (else the id token's `tid`), the username from the id token's `preferred_username`
//! (else `upn`, else the first of `emails`), and the environment from the authority host (MSAL's
//! cloud metadata `preferred_cache`: `login.windows.net` for the public cloud).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::Value;

use crate::authority::AuthorityHost;
use crate::secret::Secret;
use crate::time::Timestamp;
use crate::token::{AccessToken, ParseError, parse_token_response};

/// The version `authenticate()` writes in every record, and the only one
/// `deserializeAuthenticationRecord` accepts (the reference's `LatestAuthenticationRecordVersion`).
pub const AUTHENTICATION_RECORD_VERSION: &str = "1.0";

/// The reference's message for a record of another version.
pub const UNSUPPORTED_RECORD_VERSION: &str = "Unsupported AuthenticationRecord version";

/// The tenant a record names when the account has none (the reference's `DefaultTenantId`).
const DEFAULT_TENANT: &str = "common";

/// The reference's `AuthenticationRecord`: the account a user credential signed in, without any
/// token (it is safe to store).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "camelCase", default))]
pub struct AuthenticationRecord {
    /// The authority host the account signed in at (MSAL's account `environment`, a host name).
    pub authority: String,
    /// `uid.utid`: the account's object id and home tenant.
    pub home_account_id: String,
    /// The app the account signed in to.
    pub client_id: String,
    /// The tenant the account signed in to.
    pub tenant_id: String,
    /// The user's sign-in name.
    pub username: String,
    /// The record format's version.
    pub version: String,
}

/// Whether a parsed record (any JSON value, as `JSON.parse` gave it) has a version
/// `deserializeAuthenticationRecord` accepts: none (or a falsy one, as the reference tests it)
/// or [`AUTHENTICATION_RECORD_VERSION`].
pub fn record_version_supported(record: &Value) -> bool {
    match record.get("version") {
        None | Some(Value::Null | Value::Bool(false)) => true,
        Some(Value::String(v)) => v.is_empty() || v == AUTHENTICATION_RECORD_VERSION,
        Some(Value::Number(n)) => n.as_f64() == Some(0.0),
        Some(_) => false,
    }
}

/// The account a user signed in with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Account {
    pub(crate) home_account_id: String,
    /// MSAL's `environment`: the authority host name the account belongs to.
    pub(crate) environment: String,
    pub(crate) tenant_id: String,
    pub(crate) username: String,
}

impl Account {
    /// The record of this account for the app `client_id` (the reference's `msalToPublic`).
    pub(crate) fn record(&self, client_id: &str) -> AuthenticationRecord {
        AuthenticationRecord {
            authority: self.environment.clone(),
            home_account_id: self.home_account_id.clone(),
            client_id: client_id.to_owned(),
            tenant_id: if self.tenant_id.is_empty() {
                DEFAULT_TENANT.to_owned()
            } else {
                self.tenant_id.clone()
            },
            username: self.username.clone(),
            version: AUTHENTICATION_RECORD_VERSION.to_owned(),
        }
    }

    /// The account a record names (the reference's `publicToMsal`).
    pub(crate) fn from_record(record: &AuthenticationRecord) -> Self {
        Self {
            home_account_id: record.home_account_id.clone(),
            environment: record.authority.clone(),
            tenant_id: record.tenant_id.clone(),
            username: record.username.clone(),
        }
    }
}

/// What the credential keeps between calls for a user source: the account, and the refresh
/// token that gets it new access tokens without a sign-in (none for an account that came from an
/// `authenticationRecord`: that one must sign in again).
#[derive(Clone)]
pub(crate) struct Session {
    pub(crate) account: Account,
    pub(crate) refresh_token: Option<Secret>,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("account", &self.account)
            .field("refresh_token", &self.refresh_token)
            .finish()
    }
}

/// A user token response, read.
#[derive(Debug)]
pub(crate) struct UserTokens {
    pub(crate) token: AccessToken,
    /// The account the response names (`None` when it has neither `client_info` nor an id
    /// token, as a refresh answer may).
    pub(crate) account: Option<Account>,
    pub(crate) refresh_token: Option<Secret>,
}

/// Why a user token response cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum UserTokenError {
    /// The access token part (`access_token`, expiry).
    Token(ParseError),
    /// A field that must be text is not.
    Field(&'static str),
}

impl std::fmt::Display for UserTokenError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Token(e) => e.fmt(f),
            Self::Field(name) => write!(f, "the response's '{name}' is not valid"),
        }
    }
}

/// Decodes the JSON object in a base64url segment (`client_info`, a JWT payload).
fn decode_json(segment: &str) -> Option<serde_json::Map<String, Value>> {
    let bytes = URL_SAFE_NO_PAD
        .decode(segment.trim().trim_end_matches('='))
        .ok()?;
    match serde_json::from_slice(&bytes).ok()? {
        Value::Object(m) => Some(m),
        _ => None,
    }
}

fn text<'a>(m: &'a serde_json::Map<String, Value>, name: &str) -> Option<&'a str> {
    m.get(name)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

/// MSAL's account `environment` for an authority host: the cloud's `preferred_cache` for the
/// clouds MSAL knows, else the host itself (with its port).
pub(crate) fn environment(host: &AuthorityHost) -> String {
    let url = host.as_str();
    let rest = url.strip_prefix("https://").unwrap_or(url);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    let lower = authority.to_ascii_lowercase();
    match lower.as_str() {
        "login.microsoftonline.com"
        | "login.windows.net"
        | "login.microsoft.com"
        | "sts.windows.net" => "login.windows.net".to_owned(),
        _ => lower,
    }
}

/// Reads a user token response received at `received`, from an authority whose account
/// environment is `environment`.
pub(crate) fn parse_user_tokens(
    body: &str,
    received: Timestamp,
    environment: &str,
) -> Result<UserTokens, UserTokenError> {
    let token = parse_token_response(body, received).map_err(UserTokenError::Token)?;
    // `parse_token_response` accepted it, so it is a JSON object.
    let v: Value =
        serde_json::from_str(body).map_err(|_| UserTokenError::Token(ParseError::NotJson))?;
    let field = |name: &'static str| -> Result<Option<&str>, UserTokenError> {
        match v.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) if s.is_empty() => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.as_str())),
            Some(_) => Err(UserTokenError::Field(name)),
        }
    };
    let refresh_token = field("refresh_token")?.map(Secret::new);
    let client_info = match field("client_info")? {
        Some(c) => Some(decode_json(c).ok_or(UserTokenError::Field("client_info"))?),
        None => None,
    };
    let id_claims = match field("id_token")? {
        Some(jwt) => Some(
            jwt.split('.')
                .nth(1)
                .and_then(decode_json)
                .ok_or(UserTokenError::Field("id_token"))?,
        ),
        None => None,
    };
    let account = (client_info.is_some() || id_claims.is_some()).then(|| {
        let ci = |n: &str| client_info.as_ref().and_then(|m| text(m, n));
        let id = |n: &str| id_claims.as_ref().and_then(|m| text(m, n));
        let home_account_id = match (ci("uid"), ci("utid")) {
            (Some(uid), Some(utid)) => format!("{uid}.{utid}"),
            _ => id("sub").unwrap_or_default().to_owned(),
        };
        let email = id_claims
            .as_ref()
            .and_then(|m| m.get("emails"))
            .and_then(Value::as_array)
            .and_then(|a| a.first())
            .and_then(Value::as_str);
        Account {
            home_account_id,
            environment: environment.to_owned(),
            tenant_id: ci("utid")
                .or_else(|| id("tid"))
                .unwrap_or_default()
                .to_owned(),
            username: id("preferred_username")
                .or_else(|| id("upn"))
                .or(email)
                .unwrap_or_default()
                .to_owned(),
        }
    });
    Ok(UserTokens {
        token,
        account,
        refresh_token,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b64(s: &str) -> String {
        URL_SAFE_NO_PAD.encode(s)
    }

    const NOW: Timestamp = Timestamp::from_secs(1_700_000_000);

    #[test]
    fn a_user_token_response_names_the_account_and_carries_the_refresh_token() {
        let body = serde_json::json!({
            "token_type": "Bearer",
            "expires_in": 3600,
            "access_token": "at",
            "refresh_token": "rt-SENTINEL",
            "client_info": b64(r#"{"uid":"oid-1","utid":"tid-1"}"#),
            "id_token": format!("{}.{}.", b64(r#"{"alg":"none"}"#),
                b64(r#"{"tid":"tid-1","preferred_username":"ada@contoso.com","oid":"oid-1"}"#)),
        })
        .to_string();
        let t = parse_user_tokens(&body, NOW, "login.windows.net").unwrap();
        assert_eq!(t.token.token.expose(), "at");
        assert_eq!(
            t.refresh_token.as_ref().map(Secret::expose),
            Some("rt-SENTINEL")
        );
        assert!(!format!("{t:?}").contains("SENTINEL"));
        let a = t.account.unwrap();
        assert_eq!(a.home_account_id, "oid-1.tid-1");
        assert_eq!(a.tenant_id, "tid-1");
        assert_eq!(a.username, "ada@contoso.com");
        let r = a.record("app");
        assert_eq!(r.authority, "login.windows.net");
        assert_eq!(r.version, "1.0");
        assert_eq!(Account::from_record(&r), a);
    }

    #[test]
    fn a_response_without_account_fields_has_no_account_and_bad_ones_are_errors() {
        let body = r#"{"access_token":"at","expires_in":60}"#;
        let t = parse_user_tokens(body, NOW, "h").unwrap();
        assert!(t.account.is_none() && t.refresh_token.is_none());
        let bad = r#"{"access_token":"at","expires_in":60,"client_info":"!!"}"#;
        assert_eq!(
            parse_user_tokens(bad, NOW, "h").unwrap_err(),
            UserTokenError::Field("client_info")
        );
        let bad = r#"{"access_token":"at","expires_in":60,"refresh_token":7}"#;
        assert!(parse_user_tokens(bad, NOW, "h").is_err());
    }

    #[test]
    fn the_account_environment_is_msals_preferred_cache_for_the_public_cloud() {
        let env = crate::env::EnvSnapshot::default();
        let host = |h: &str| AuthorityHost::resolve(Some(h), &env).unwrap();
        assert_eq!(
            environment(&host("https://login.microsoftonline.com")),
            "login.windows.net"
        );
        assert_eq!(
            environment(&host("https://login.microsoftonline.us/")),
            "login.microsoftonline.us"
        );
        assert_eq!(
            environment(&host("https://127.0.0.1:8443")),
            "127.0.0.1:8443"
        );
    }

    #[test]
    fn record_versions_as_the_reference_checks_them() {
        use serde_json::json;
        for ok in [
            json!({}),
            json!({"version": "1.0"}),
            json!({"version": ""}),
            json!({"version": null}),
            json!({"version": 0}),
        ] {
            assert!(record_version_supported(&ok), "{ok}");
        }
        for bad in [
            json!({"version": "2.0"}),
            json!({"version": 1}),
            json!({"version": true}),
        ] {
            assert!(!record_version_supported(&bad), "{bad}");
        }
    }
}
