//! The Entra authority: which host a credential talks to, and the token endpoint URL for a tenant.
//!
//! The reference (MSAL) resolves a custom authority host with up to three round trips: an
//! instance-discovery GET to login.microsoftonline.com, a GET of the tenant's
//! `v2.0/.well-known/openid-configuration`, then the token POST to the discovered endpoint. For
//! every Entra cloud the discovered endpoint is `{authority}/{tenant}/oauth2/v2.0/token`, so azcred
//! posts straight there for any host: one round trip per token. Only the hard-coded cloud
//! aliases, where MSAL posts to a different host than the one configured, are kept.

use crate::env::EnvSnapshot;
use crate::error::ConfigError;

/// The public cloud's authority host, the default.
pub(crate) const DEFAULT_AUTHORITY_HOST: &str = "https://login.microsoftonline.com";

/// The reference's constructor error for an `http:` (or other non-https) authority host.
pub(crate) const HTTPS_REQUIRED: &str = "The authorityHost address must use the 'https' protocol.";

/// Hosts that MSAL's built-in cloud-discovery metadata maps to another host ("preferred
/// network"): a token request for an alias goes to the preferred host.
const ALIASES: &[(&str, &str)] = &[
    ("login.windows.net", "login.microsoftonline.com"),
    ("login.microsoft.com", "login.microsoftonline.com"),
    ("sts.windows.net", "login.microsoftonline.com"),
    ("login.chinacloudapi.cn", "login.partner.microsoftonline.cn"),
    ("login.usgovcloudapi.net", "login.microsoftonline.us"),
];

/// The tenant that selects AD FS: its token endpoint has no `v2.0` and it is never overridden by
/// a request's tenant.
pub(crate) const ADFS: &str = "adfs";

/// A validated authority host (`https:`), with MSAL's host aliases applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AuthorityHost(String);

impl AuthorityHost {
    /// Resolves `authorityHost` ?? `AZURE_AUTHORITY_HOST` ?? the public cloud, and checks that it
    /// is https (the reference's constructor error otherwise).
    pub(crate) fn resolve(option: Option<&str>, env: &EnvSnapshot) -> Result<Self, ConfigError> {
        let host = option
            .filter(|h| !h.is_empty())
            .or_else(|| env.get("AZURE_AUTHORITY_HOST"))
            .unwrap_or(DEFAULT_AUTHORITY_HOST);
        Self::parse(host)
    }

    /// Checks one host value.
    pub(crate) fn parse(host: &str) -> Result<Self, ConfigError> {
        // The reference tests `startsWith("https:")`, so the scheme is case-sensitive there too.
        let Some(rest) = host.strip_prefix("https://") else {
            return Err(ConfigError::invalid(HTTPS_REQUIRED));
        };
        let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let (authority, path) = rest.split_at(authority_end);
        if authority.is_empty()
            || authority.contains('@')
            || host.chars().any(|c| c.is_whitespace() || c.is_control())
            || path.contains(['?', '#'])
        {
            return Err(ConfigError::invalid(format!(
                "The authorityHost address '{host}' is not a valid https URL."
            )));
        }
        let lower = authority.to_ascii_lowercase();
        let authority = ALIASES
            .iter()
            .find(|(alias, _)| *alias == lower)
            .map_or(authority, |(_, preferred)| preferred);
        Ok(Self(format!("https://{authority}{path}")))
    }

    /// The authority URL for `tenant`: host + "/" + tenant, unless the host already ends with
    /// that tenant (the reference's `getAuthority`).
    pub(crate) fn authority(&self, tenant: &str) -> String {
        let host = self.0.as_str();
        let trimmed = host.strip_suffix('/').unwrap_or(host);
        if trimmed.ends_with(&format!("/{tenant}")) {
            trimmed.to_owned()
        } else {
            format!("{trimmed}/{tenant}")
        }
    }

    /// The token endpoint for `tenant`: `{authority}/oauth2/v2.0/token`, or
    /// `{authority}/oauth2/token` for AD FS.
    pub(crate) fn token_endpoint(&self, tenant: &str) -> String {
        let suffix = if tenant == ADFS {
            "oauth2/token"
        } else {
            "oauth2/v2.0/token"
        };
        format!("{}/{suffix}", self.authority(tenant))
    }

    /// The host URL as resolved (for `explain`).
    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn host(h: &str) -> AuthorityHost {
        AuthorityHost::parse(h).unwrap()
    }

    #[test]
    fn default_and_env() {
        let env =
            EnvSnapshot::from_pairs([("AZURE_AUTHORITY_HOST", "https://login.microsoftonline.us")]);
        assert_eq!(
            AuthorityHost::resolve(None, &env).unwrap().as_str(),
            "https://login.microsoftonline.us"
        );
        assert_eq!(
            AuthorityHost::resolve(Some("https://x.example"), &env)
                .unwrap()
                .as_str(),
            "https://x.example"
        );
        assert_eq!(
            AuthorityHost::resolve(None, &EnvSnapshot::default())
                .unwrap()
                .as_str(),
            DEFAULT_AUTHORITY_HOST
        );
    }

    #[test]
    fn https_only() {
        for bad in [
            "http://login.microsoftonline.com",
            "login.microsoftonline.com",
            "HTTPS://x",
            "",
        ] {
            assert_eq!(
                AuthorityHost::parse(bad).unwrap_err().message,
                HTTPS_REQUIRED,
                "{bad}"
            );
        }
        for bad in [
            "https://",
            "https://a b",
            "https://u@h",
            "https://h/p?q",
            "https://h\n",
        ] {
            assert!(AuthorityHost::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn endpoints() {
        let h = host("https://login.microsoftonline.com/");
        assert_eq!(
            h.token_endpoint("t1"),
            "https://login.microsoftonline.com/t1/oauth2/v2.0/token"
        );
        let h = host("https://127.0.0.1:8443");
        assert_eq!(
            h.token_endpoint("t1"),
            "https://127.0.0.1:8443/t1/oauth2/v2.0/token"
        );
        let h = host("https://adfs.contoso.com/adfs");
        assert_eq!(
            h.token_endpoint("adfs"),
            "https://adfs.contoso.com/adfs/oauth2/token"
        );
        let h = host("https://login.example.com/t1/");
        assert_eq!(h.authority("t1"), "https://login.example.com/t1");
        assert_eq!(h.authority("t2"), "https://login.example.com/t1/t2");
    }

    #[test]
    fn aliases_go_to_the_preferred_host() {
        assert_eq!(
            host("https://login.chinacloudapi.cn").token_endpoint("t"),
            "https://login.partner.microsoftonline.cn/t/oauth2/v2.0/token"
        );
        assert_eq!(
            host("https://LOGIN.windows.net/").as_str(),
            "https://login.microsoftonline.com/"
        );
        assert_eq!(
            host("https://login.usgovcloudapi.net").as_str(),
            "https://login.microsoftonline.us"
        );
        assert_eq!(
            host("https://login.microsoftonline.de").as_str(),
            "https://login.microsoftonline.de"
        );
    }
}
