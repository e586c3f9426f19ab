//! `InteractiveBrowserCredential` on Node: the authorization-code flow with PKCE through the
//! user's browser and a loopback listener, as `@azure/identity` 4.14.1 runs it through MSAL
//! Node 7.2.3's `acquireTokenInteractive` and its `LoopbackClient`.
//!
//! One acquisition (every `getToken` the cache cannot answer signs in):
//!
//! 1. `Listen` on `127.0.0.1` (or `::1`) with a free port, or the port of `redirectUri`;
//! 2. `Launch` the platform's opener with the authorize URL (`xdg-open`, `open`, `rundll32`);
//! 3. `Accept` / `Respond` until a redirect with this sign-in's `state` arrives, each request
//!    answered as MSAL's loopback client answers it (see `loopback`), all before one deadline;
//! 4. `CloseListener`, then the `authorization_code` grant with the PKCE verifier, sent and
//!    retried by the Entra flow every Entra credential uses (`super::flow`), so the token
//!    response is handled in that one place.
//!
//! - this file: the source, its constructor (the reference's options and defaults), the PKCE
//!   pair, the `state`, the authorize URL and the opener;
//! - `loopback`: what each request reaching the listener gets, and what it means for the flow;
//! - `flow`: the state machine.

mod flow;
mod loopback;

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use sha2::{Digest, Sha256};

use crate::env::{EnvSnapshot, Platform};
use crate::error::ConfigError;
use crate::http::form;
use crate::jwt;
use crate::limits::MAX_OPTION_LEN;
use crate::options::Options;
use crate::retry::Rng;
use crate::secret::Secret;
use std::sync::Arc;

use super::account::Account;
use super::user::{SignIn, SignInFlow, SignInStart, User};
use super::{Entra, Grant, Proof, allowed_tenants, build, given};

/// The reference's class name.
pub(crate) const NAME: &str = "InteractiveBrowserCredential";
/// The Azure development application users sign in to when no `clientId` is given (the
/// reference's `DeveloperSignOnClientId`).
pub(crate) const DEVELOPER_SIGN_ON_CLIENT_ID: &str = "04b07795-8ddb-461a-bbee-02f9e1bf7b46";
/// How long a sign-in may take, from the moment the listener opens to the redirect: the
/// reference waits forever; azcred gives up after 5 minutes (the default of the Python
/// library's `timeout`, and half the lifetime of an authorization code), or `signInTimeoutInMs`.
pub(crate) const SIGN_IN_TIMEOUT: Duration = Duration::from_secs(300);
/// How long the flow waits for the opener to exit. `xdg-open`, `open` and `rundll32` hand the
/// URL to the browser and exit within milliseconds; one still running then has started the
/// browser in the foreground, and is left running (`Action::Launch`) while the flow waits for
/// the redirect (which the listener holds meanwhile).
pub(crate) const OPENER_TIMEOUT: Duration = Duration::from_secs(5);
/// How long writing a page to the browser may take.
pub(crate) const RESPOND_TIMEOUT: Duration = Duration::from_secs(5);
/// Requests the driver holds for the flow at most (a browser sends a few: the redirect, a
/// favicon).
pub(crate) const MAX_PENDING: u32 = 16;
/// The longest request body read: a `form_post` redirect is well under a kilobyte.
pub(crate) const MAX_REQUEST_BODY: u64 = 64 * 1024;
/// The longest page (`browserCustomizationOptions`) accepted.
const MAX_PAGE_LEN: usize = 1024 * 1024;
/// The page after a sign-in, unless `successMessage` says otherwise (MSAL's).
pub(crate) const SUCCESS_PAGE: &str =
    "Auth code was successfully acquired. You can close this window now.";
/// PKCE (RFC 7636) verifier characters, as MSAL's `CV_CHARSET`.
const VERIFIER_CHARSET: &[u8] =
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";
/// MSAL draws 33 characters (`RANDOM_OCTET_SIZE` 32, inclusive), then base64url-encodes them.
const VERIFIER_CHARS: usize = 33;

/// Where the redirect comes back to: a loopback `http` URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Redirect {
    /// The host as it goes in `redirect_uri` (`localhost`, `127.0.0.1`, `[::1]`).
    host: String,
    /// The address the listener binds (`127.0.0.1` or `::1`).
    bind: &'static str,
    /// The port to bind; 0 for any free one.
    port: u16,
    /// The path the redirect is posted to (`/` unless `redirectUri` has one).
    path: String,
}

impl Redirect {
    /// MSAL's: `http://localhost:<free port>`, listened on at `127.0.0.1`.
    fn default_loopback() -> Self {
        Self {
            host: "localhost".to_owned(),
            bind: "127.0.0.1",
            port: 0,
            path: "/".to_owned(),
        }
    }

    /// Reads `redirectUri`: `http://` then `localhost`, `127.0.0.1` or `[::1]`, an optional
    /// port (none or 0: any free one) and an optional path; nothing else, because the listener
    /// is on this machine and speaks plain http.
    pub(crate) fn parse(uri: &str) -> Result<Self, ConfigError> {
        let refuse = || {
            ConfigError::invalid(format!(
                "{NAME}: redirectUri must be a loopback http URL (http://localhost[:port][/path], \
                 http://127.0.0.1[:port][/path] or http://[::1][:port][/path]): the credential \
                 listens for the redirect on this machine. Received: {}",
                crate::source::excerpt(uri, 200)
            ))
        };
        let rest = uri
            .strip_prefix("http://")
            .or_else(|| {
                uri.get(..7)
                    .filter(|p| p.eq_ignore_ascii_case("http://"))
                    .map(|_| &uri[7..])
            })
            .ok_or_else(refuse)?;
        let (authority, path) = match rest.find(['/', '?', '#']) {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, "/"),
        };
        if path.contains(['?', '#']) || authority.contains('@') {
            return Err(refuse());
        }
        let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
            let (h, tail) = v6.split_once(']').ok_or_else(refuse)?;
            let port = match tail {
                "" => None,
                t => Some(t.strip_prefix(':').ok_or_else(refuse)?),
            };
            (format!("[{h}]"), port)
        } else {
            match authority.split_once(':') {
                Some((h, p)) => (h.to_owned(), Some(p)),
                None => (authority.to_owned(), None),
            }
        };
        let bind = match host.to_ascii_lowercase().as_str() {
            "localhost" | "127.0.0.1" => "127.0.0.1",
            "[::1]" => "::1",
            _ => return Err(refuse()),
        };
        let port = match port {
            None | Some("") => 0,
            Some(p) if p.bytes().all(|b| b.is_ascii_digit()) => {
                p.parse::<u16>().map_err(|_| refuse())?
            }
            Some(_) => return Err(refuse()),
        };
        Ok(Self {
            host: host.to_ascii_lowercase(),
            bind,
            port,
            path: path.to_owned(),
        })
    }

    /// The `redirect_uri` once the listener has `port`: MSAL's has no path (`http://localhost:
    /// 53000`); one given with a path keeps it.
    fn uri(&self, port: u16) -> String {
        let path = if self.path == "/" { "" } else { &self.path };
        format!("http://{}:{port}{path}", self.host)
    }
}

/// How an `InteractiveBrowserCredential` signs its user in: the system browser, the loopback
/// redirect and the pages it answers with. The account machinery (`user.rs`) does the rest: the
/// refresh token for another scope or a renewal, `authenticate()`,
/// `disableAutomaticAuthentication` and `authenticationRecord`.
#[derive(Debug)]
pub(crate) struct BrowserSignIn {
    redirect: Redirect,
    login_hint: Option<String>,
    success_page: Option<String>,
    error_page: Option<String>,
    timeout: Duration,
    /// The opener: program and the arguments before the URL.
    opener: (String, Vec<String>),
}

/// The program that opens a URL in the user's default browser, without a shell: `xdg-open` on
/// Linux (and other Unixes), `open` on macOS, and on Windows `rundll32.exe
/// url.dll,FileProtocolHandler <url>` from the system directory. Windows' `start` is a `cmd`
/// builtin: running it means a shell that would read `&` in the URL as a command separator;
/// `rundll32` hands the URL to the shell's protocol handler as one argument, and unlike
/// `explorer.exe <url>` (which exits 1 whatever happens, and opens a folder window for some
/// URLs) it exits 0 when it worked.
fn opener(env: &EnvSnapshot) -> (String, Vec<String>) {
    match env.platform() {
        Platform::Darwin => ("open".to_owned(), Vec::new()),
        Platform::Win32 => {
            let root = env
                .get("SystemRoot")
                .or_else(|| env.get("SYSTEMROOT"))
                .or_else(|| env.get("windir"));
            let program = match root {
                Some(r) => format!("{}\\System32\\rundll32.exe", r.trim_end_matches('\\')),
                None => "rundll32.exe".to_owned(),
            };
            (program, vec!["url.dll,FileProtocolHandler".to_owned()])
        }
        _ => ("xdg-open".to_owned(), Vec::new()),
    }
}

/// `new InteractiveBrowserCredential(options)`: the reference's tenant default (`tenantId`, else
/// `organizations` for the developer sign-on app and `common` for an app of the caller's), its
/// client id default, its tenant check (plain `Error`) and authority host check; then azcred's
/// checks of `redirectUri`.
pub(crate) fn interactive_browser(
    options: &Options,
    env: &EnvSnapshot,
) -> Result<User, ConfigError> {
    let client = given(&options.client_id).unwrap_or(DEVELOPER_SIGN_ON_CLIENT_ID);
    let tenant = match given(&options.tenant_id) {
        Some(t) => t,
        None if client == DEVELOPER_SIGN_ON_CLIENT_ID => "organizations",
        None => "common",
    };
    // The grant is filled in once the redirect brings the code (see `flow`).
    let placeholder = Grant::AuthorizationCode {
        code: Secret::new(""),
        redirect_uri: String::new(),
        code_verifier: None,
    };
    let entra = build(
        NAME,
        tenant,
        client,
        Proof::None,
        placeholder,
        allowed_tenants(options),
        options,
        env,
    )?;
    let too_long = |what: &str, max: usize| {
        ConfigError::invalid(format!("{NAME}: {what} is longer than {max} bytes"))
    };
    let redirect = match given(&options.redirect_uri) {
        Some(uri) if uri.len() > MAX_OPTION_LEN => {
            return Err(too_long("redirectUri", MAX_OPTION_LEN));
        }
        Some(uri) => Redirect::parse(uri)?,
        None => Redirect::default_loopback(),
    };
    let login_hint = given(&options.login_hint).map(str::to_owned);
    if login_hint
        .as_ref()
        .is_some_and(|h| h.len() > MAX_OPTION_LEN)
    {
        return Err(too_long("loginHint", MAX_OPTION_LEN));
    }
    let pages = options
        .browser_customization_options
        .clone()
        .unwrap_or_default();
    for (what, page) in [
        (
            "browserCustomizationOptions.successMessage",
            &pages.success_message,
        ),
        (
            "browserCustomizationOptions.errorMessage",
            &pages.error_message,
        ),
    ] {
        if page.as_ref().is_some_and(|p| p.len() > MAX_PAGE_LEN) {
            return Err(too_long(what, MAX_PAGE_LEN));
        }
    }
    let sign_in = BrowserSignIn {
        redirect,
        login_hint,
        // MSAL's `successTemplate || default`: an empty page is no page.
        success_page: pages.success_message.filter(|p| !p.is_empty()),
        error_page: pages.error_message.filter(|p| !p.is_empty()),
        timeout: options
            .sign_in_timeout_in_ms
            .map_or(SIGN_IN_TIMEOUT, Duration::from_millis),
        opener: opener(env),
    };
    Ok(User {
        entra: Arc::new(entra),
        sign_in: Arc::new(sign_in),
        disable_automatic: options.disable_automatic_authentication.unwrap_or(false),
        initial: options
            .authentication_record
            .as_ref()
            .map(Account::from_record),
    })
}

impl SignIn for BrowserSignIn {
    fn describe(&self) -> String {
        "the user's sign-in in the system browser".to_owned()
    }

    fn start(&self, source: &Arc<Entra>, start: SignInStart) -> Box<dyn SignInFlow> {
        flow::start(self, source, start)
    }
}

/// The PKCE pair of one sign-in, made as MSAL makes it: 33 characters drawn uniformly from the
/// verifier alphabet (rejection sampling), base64url-encoded as the verifier; the challenge is
/// the base64url SHA-256 of the verifier (`S256`).
pub(crate) fn pkce(rng: &mut Rng) -> (Secret, String) {
    let n = VERIFIER_CHARSET.len();
    // The largest multiple of the alphabet's size below 256: bytes at or above it are redrawn.
    let limit = 256 - 256 % n;
    let mut chars = Vec::with_capacity(VERIFIER_CHARS);
    while chars.len() < VERIFIER_CHARS {
        for b in rng.next_u64().to_le_bytes() {
            let b = usize::from(b);
            if b < limit && chars.len() < VERIFIER_CHARS {
                chars.push(VERIFIER_CHARSET[b % n]);
            }
        }
    }
    let verifier = URL_SAFE_NO_PAD.encode(&chars);
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    (Secret::new(verifier), challenge)
}

/// MSAL's library state: standard base64 of `{"id":"<uuid>"}`.
pub(crate) fn state(rng: &mut Rng) -> String {
    STANDARD.encode(format!(r#"{{"id":"{}"}}"#, jwt::uuid_v4(rng)))
}

/// What the authorize URL is built from.
pub(crate) struct Authorize<'a> {
    /// The token endpoint the code will be redeemed at; the authorize endpoint is beside it.
    pub(crate) token_endpoint: &'a str,
    pub(crate) client_id: &'a str,
    pub(crate) scope: &'a str,
    pub(crate) redirect_uri: &'a str,
    pub(crate) correlation: &'a str,
    pub(crate) login_hint: Option<&'a str>,
    pub(crate) state: &'a str,
    pub(crate) claims: &'a str,
    pub(crate) challenge: &'a str,
}

impl Authorize<'_> {
    /// `{authority}/{tenant}/oauth2/v2.0/authorize?...` with MSAL Node's query parameters in its
    /// order (`getStandardAuthorizeRequestParameters`, then `response_type` and the PKCE
    /// challenge): `prompt=select_account`, or `prompt=login` with `login_hint` and the routing
    /// hint `X-AnchorMailbox=UPN:<hint>` when a login hint is given (the reference's
    /// `createBaseInteractiveRequest`). MSAL's library fields (`x-client-SKU`, ...) are not
    /// sent: azcred is not MSAL.
    pub(crate) fn url(&self) -> String {
        let endpoint = self.token_endpoint;
        let base = endpoint.strip_suffix("/token").unwrap_or(endpoint);
        let anchor = self.login_hint.map(|h| format!("UPN:{h}"));
        let mut pairs: Vec<(&str, &str)> = vec![
            ("client_id", self.client_id),
            ("scope", self.scope),
            ("redirect_uri", self.redirect_uri),
            ("client-request-id", self.correlation),
            ("response_mode", "form_post"),
            ("client_info", "1"),
            ("clidata", "1"),
        ];
        match (self.login_hint, anchor.as_deref()) {
            (Some(hint), Some(anchor)) => {
                pairs.push(("prompt", "login"));
                pairs.push(("login_hint", hint));
                pairs.push(("X-AnchorMailbox", anchor));
            }
            _ => pairs.push(("prompt", "select_account")),
        }
        pairs.push(("state", self.state));
        pairs.push(("claims", self.claims));
        pairs.push(("response_type", "code"));
        pairs.push(("code_challenge", self.challenge));
        pairs.push(("code_challenge_method", "S256"));
        format!("{base}/authorize?{}", form(&pairs))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirect_uris_on_this_machine_are_read_and_others_refused() {
        let r = Redirect::parse("http://localhost").unwrap();
        assert_eq!((r.bind, r.port, r.path.as_str()), ("127.0.0.1", 0, "/"));
        assert_eq!(r.uri(5000), "http://localhost:5000");
        let r = Redirect::parse("http://127.0.0.1:8400/callback").unwrap();
        assert_eq!(
            (r.bind, r.port, r.path.as_str()),
            ("127.0.0.1", 8400, "/callback")
        );
        assert_eq!(r.uri(8400), "http://127.0.0.1:8400/callback");
        let r = Redirect::parse("http://[::1]:9000/").unwrap();
        assert_eq!((r.bind, r.port), ("::1", 9000));
        assert_eq!(r.uri(9000), "http://[::1]:9000");
        for bad in [
            "https://localhost:8400",
            "http://example.com",
            "http://localhost.evil.com",
            "http://10.0.0.1:80",
            "http://0.0.0.0:80",
            "http://user@localhost",
            "http://localhost:99999",
            "http://localhost:8x",
            "http://localhost/cb?x=1",
            "localhost:8400",
        ] {
            let e = Redirect::parse(bad).unwrap_err();
            assert!(
                e.message.contains("loopback http URL"),
                "{bad}: {}",
                e.message
            );
        }
    }

    #[test]
    fn the_pkce_pair_is_as_msal_makes_it() {
        let mut rng = Rng::new(7);
        let (verifier, challenge) = pkce(&mut rng);
        let v = verifier.expose();
        assert_eq!(v.len(), 44, "33 characters, base64url without padding");
        let raw = URL_SAFE_NO_PAD.decode(v).unwrap();
        assert_eq!(raw.len(), 33);
        assert!(raw.iter().all(|c| VERIFIER_CHARSET.contains(c)));
        assert_eq!(
            challenge,
            URL_SAFE_NO_PAD.encode(Sha256::digest(v.as_bytes()))
        );
        assert_eq!(challenge.len(), 43);
        let (other, _) = pkce(&mut rng);
        assert_ne!(other.expose(), v, "each sign-in has its own verifier");
    }

    #[test]
    fn the_state_is_msal_library_state() {
        let s = state(&mut Rng::new(1));
        let json = String::from_utf8(STANDARD.decode(&s).unwrap()).unwrap();
        assert!(
            json.starts_with(r#"{"id":""#) && json.ends_with(r#""}"#),
            "{json}"
        );
        assert_eq!(json.len(), 45);
    }
}
