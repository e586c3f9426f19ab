//! Which proxy an Entra request goes through, decided from the environment snapshot.
//!
//! The reference's pipeline (`@typespec/ts-http-runtime` `proxyPolicy`) takes the first of
//! `HTTPS_PROXY`, `ALL_PROXY`, `HTTP_PROXY` (each upper-case first, then lower-case) for every
//! request, and skips it for hosts listed in `NO_PROXY`/`no_proxy`. Managed-identity endpoints are
//! never proxied (their requests have `allow_proxy: false`).
//!
//! `NO_PROXY` is a comma-separated list; an entry matches a request when it is:
//! - `*`: every host;
//! - `.example.com` or `*.example.com`: `example.com` and any host under it;
//! - `host` or an IP address: exactly that host, case-insensitively;
//! - `host:port`: that host on that port only (the URL's port, 443 for https by default).

use crate::env::EnvSnapshot;
use crate::error::ConfigError;
use crate::http::encode_component;
use crate::options::{Options, ProxyOptions};
use crate::secret::Secret;

/// The proxy settings read from the environment.
#[derive(Debug, Clone, Default)]
pub(crate) struct ProxyConfig {
    /// The proxy URL; may hold credentials (`http://user:pass@proxy:3128`), hence a secret.
    url: Option<Secret>,
    no_proxy: Vec<String>,
}

/// Reads `name` as the reference does: the upper-case variable, else the lower-case one.
fn either_case<'a>(env: &'a EnvSnapshot, name: &str) -> Option<&'a str> {
    env.get(name)
        .or_else(|| env.get(&name.to_ascii_lowercase()))
}

impl ProxyConfig {
    /// Reads `HTTPS_PROXY`, `ALL_PROXY`, `HTTP_PROXY` and `NO_PROXY` (each in either case).
    pub(crate) fn from_env(env: &EnvSnapshot) -> Self {
        let url = ["HTTPS_PROXY", "ALL_PROXY", "HTTP_PROXY"]
            .iter()
            .find_map(|n| either_case(env, n))
            .map(str::trim)
            .filter(|u| !u.is_empty())
            .map(|u| {
                // curl and most tools accept a bare `host:port`; Node's URL parser does not.
                if u.contains("://") {
                    Secret::new(u)
                } else {
                    Secret::new(format!("http://{u}"))
                }
            });
        let no_proxy = either_case(env, "NO_PROXY")
            .map(|v| {
                v.split(',')
                    .map(|e| e.trim().to_ascii_lowercase())
                    .filter(|e| !e.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        Self { url, no_proxy }
    }

    /// The proxy settings of a credential: `proxyOptions` when given (as the reference's
    /// `proxyPolicy`, `NO_PROXY` still applies), else the environment's.
    pub(crate) fn new(options: &Options, env: &EnvSnapshot) -> Result<Self, ConfigError> {
        let mut config = Self::from_env(env);
        if let Some(p) = &options.proxy_options {
            config.url = Some(explicit_url(p)?);
        }
        Ok(config)
    }

    /// The proxy for a request to `url`, or `None` to connect directly.
    pub(crate) fn for_url(&self, url: &str) -> Option<Secret> {
        let proxy = self.url.as_ref()?;
        let (host, port) = host_and_port(url)?;
        if self.no_proxy.iter().any(|e| bypasses(e, &host, port)) {
            return None;
        }
        Some(proxy.clone())
    }
}

/// `proxyOptions` as a proxy URL (`http://user:password@host:port`). The message of an invalid
/// one names the option, never its values (the password is a secret).
fn explicit_url(p: &ProxyOptions) -> Result<Secret, ConfigError> {
    let invalid = |why: &str| {
        ConfigError::invalid(format!(
            "proxyOptions.host {why}; give it with its scheme, as in {{ host: 'http://proxy.example', port: 8080 }}"
        ))
    };
    let host = p.host.trim().trim_end_matches('/');
    let Some((scheme, rest)) = host.split_once("://") else {
        return Err(invalid("has no scheme (http:// or https://)"));
    };
    if !matches!(scheme.to_ascii_lowercase().as_str(), "http" | "https") {
        return Err(invalid("must use http:// or https://"));
    }
    if rest.is_empty()
        || rest.contains(['/', '?', '#', '@'])
        || rest.chars().any(char::is_whitespace)
    {
        return Err(invalid("must be a scheme and a host name or address only"));
    }
    let mut url = format!("{scheme}://");
    if let Some(user) = p.username.as_deref().filter(|u| !u.is_empty()) {
        url.push_str(&encode_component(user));
        if let Some(pw) = &p.password {
            url.push(':');
            url.push_str(&encode_component(pw.expose()));
        }
        url.push('@');
    }
    url.push_str(rest);
    if let Some(port) = p.port {
        url.push_str(&format!(":{port}"));
    }
    Ok(Secret::new(url))
}

/// Splits an `http(s)://` URL into its lower-case host (IPv6 without brackets) and port.
fn host_and_port(url: &str) -> Option<(String, u16)> {
    let (scheme, rest) = url.split_once("://")?;
    let default_port = match scheme.to_ascii_lowercase().as_str() {
        "https" => 443,
        "http" => 80,
        _ => return None,
    };
    let authority = rest.split(['/', '?', '#']).next()?;
    let authority = authority.rsplit('@').next()?;
    let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
        let (h, after) = v6.split_once(']')?;
        (h, after.strip_prefix(':'))
    } else {
        match authority.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        }
    };
    let port = match port {
        Some(p) => p.parse().ok()?,
        None => default_port,
    };
    Some((host.to_ascii_lowercase(), port))
}

/// Whether one `NO_PROXY` entry (already lower-case) covers `host:port`.
fn bypasses(entry: &str, host: &str, port: u16) -> bool {
    if entry == "*" {
        return true;
    }
    let (pattern, want_port) = split_entry_port(entry);
    if want_port.is_some_and(|p| p != port) {
        return false;
    }
    let pattern = pattern
        .strip_prefix("*.")
        .map_or(pattern, |_| &pattern[1..]);
    match pattern.strip_prefix('.') {
        Some(domain) => host == domain || host.ends_with(pattern),
        None => host == pattern,
    }
}

/// Splits `host:port` (or `[v6]:port`) into the host pattern and the port, when one is given.
fn split_entry_port(entry: &str) -> (&str, Option<u16>) {
    if let Some(v6) = entry.strip_prefix('[') {
        return match v6.split_once(']') {
            Some((h, rest)) => (h, rest.strip_prefix(':').and_then(|p| p.parse().ok())),
            None => (entry, None),
        };
    }
    // A bare IPv6 address has several colons and no port.
    if entry.matches(':').count() == 1 {
        if let Some((h, p)) = entry.split_once(':') {
            if let Ok(p) = p.parse() {
                return (h, Some(p));
            }
        }
    }
    (entry, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOGIN: &str = "https://login.microsoftonline.com/t/oauth2/v2.0/token";

    fn explicit(host: &str, port: Option<u16>, user: Option<&str>, pw: Option<&str>) -> Options {
        Options {
            proxy_options: Some(ProxyOptions {
                host: host.to_owned(),
                port,
                username: user.map(str::to_owned),
                password: pw.map(Secret::new),
            }),
            ..Options::default()
        }
    }

    #[test]
    fn proxy_options_win_over_the_environment_and_no_proxy_still_applies() {
        let env = EnvSnapshot::from_pairs([
            ("HTTPS_PROXY", "http://env-proxy:1"),
            ("NO_PROXY", "internal.example"),
        ]);
        let opts = explicit(
            "http://proxy.example",
            Some(3128),
            Some("me"),
            Some("p@ss word"),
        );
        let config = ProxyConfig::new(&opts, &env).unwrap();
        assert_eq!(
            config.for_url(LOGIN).unwrap().expose(),
            "http://me:p%40ss%20word@proxy.example:3128"
        );
        assert!(config.for_url("https://internal.example/t").is_none());
        let none = ProxyConfig::new(&Options::default(), &env).unwrap();
        assert_eq!(none.for_url(LOGIN).unwrap().expose(), "http://env-proxy:1");
    }

    #[test]
    fn a_proxy_host_without_a_scheme_is_refused_without_quoting_it() {
        for bad in [
            "proxy.example",
            "ftp://proxy",
            "http://u:secretpw@proxy",
            "http://",
        ] {
            let e = ProxyConfig::new(&explicit(bad, None, None, None), &EnvSnapshot::default())
                .unwrap_err();
            assert!(
                e.message.starts_with("proxyOptions.host"),
                "{bad}: {}",
                e.message
            );
            assert!(!e.message.contains("secretpw"));
        }
    }

    fn config(pairs: &[(&str, &str)]) -> ProxyConfig {
        ProxyConfig::from_env(&EnvSnapshot::from_pairs(pairs.iter().copied()))
    }

    fn proxy_for(c: &ProxyConfig, url: &str) -> Option<String> {
        c.for_url(url).map(|s| s.expose().to_owned())
    }

    #[test]
    fn precedence_of_variables() {
        assert_eq!(proxy_for(&config(&[]), LOGIN), None);
        let c = config(&[("HTTP_PROXY", "http://h:1"), ("https_proxy", "http://s:2")]);
        assert_eq!(proxy_for(&c, LOGIN).as_deref(), Some("http://s:2"));
        let c = config(&[("HTTPS_PROXY", "http://S:3"), ("https_proxy", "http://s:2")]);
        assert_eq!(proxy_for(&c, LOGIN).as_deref(), Some("http://S:3"));
        let c = config(&[("all_proxy", "http://a:4"), ("HTTP_PROXY", "http://h:1")]);
        assert_eq!(proxy_for(&c, LOGIN).as_deref(), Some("http://a:4"));
        let c = config(&[("http_proxy", "proxy.corp:3128")]);
        assert_eq!(
            proxy_for(&c, LOGIN).as_deref(),
            Some("http://proxy.corp:3128")
        );
        let c = config(&[("HTTPS_PROXY", ""), ("HTTP_PROXY", "http://h:1")]);
        assert_eq!(proxy_for(&c, LOGIN).as_deref(), Some("http://h:1"));
    }

    #[test]
    fn no_proxy_entries() {
        let with = |no: &str| config(&[("HTTPS_PROXY", "http://p:1"), ("NO_PROXY", no)]);
        let bypassed = |no: &str, url: &str| proxy_for(&with(no), url).is_none();
        assert!(bypassed("*", LOGIN));
        assert!(bypassed("login.microsoftonline.com", LOGIN));
        assert!(bypassed("LOGIN.MicrosoftOnline.com", LOGIN));
        assert!(bypassed(" other , .microsoftonline.com", LOGIN));
        assert!(bypassed("*.microsoftonline.com", LOGIN));
        assert!(bypassed(
            ".microsoftonline.com",
            "https://microsoftonline.com/x"
        ));
        assert!(!bypassed("microsoftonline.com", LOGIN));
        assert!(!bypassed(".soft.com", "https://microsoft.com/"));
        assert!(bypassed("login.microsoftonline.com:443", LOGIN));
        assert!(!bypassed("login.microsoftonline.com:8443", LOGIN));
        assert!(bypassed(
            "127.0.0.1:8443",
            "https://127.0.0.1:8443/t/oauth2/v2.0/token"
        ));
        assert!(!bypassed("127.0.0.1:9", "https://127.0.0.1:8443/t"));
        assert!(bypassed("127.0.0.1", "https://127.0.0.1:8443/t"));
        assert!(bypassed("::1", "https://[::1]:8443/t"));
        assert!(bypassed("[::1]:8443", "https://[::1]:8443/t"));
        assert!(!bypassed("", LOGIN));
        let c = config(&[("HTTPS_PROXY", "http://p:1"), ("no_proxy", "*")]);
        assert_eq!(proxy_for(&c, LOGIN), None);
    }

    #[test]
    fn credentials_in_the_proxy_url_stay_out_of_debug() {
        let c = config(&[("HTTPS_PROXY", "http://user:SENTINEL@p:1")]);
        assert!(!format!("{c:?}").contains("SENTINEL"));
    }
}
