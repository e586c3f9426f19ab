//! The sans-IO core of azcred: every decision of `@azure/identity`'s `DefaultAzureCredential`
//! and its member credentials, with no IO, no clock and no environment access.
//!
//! A driver (the `azcred` npm package, through the napi or wasm binding) builds a [`Credential`]
//! from an [`EnvSnapshot`] and [`Options`], then for each `getToken`:
//!
//! 1. calls [`Credential::begin`], which answers from the cache, joins a running acquisition,
//!    or starts a [`Flow`];
//! 2. loops: [`Flow::poll`] returns a [`Step`]; the driver performs each [`Action`] and reports
//!    the [`Reply`] with [`Flow::handle`], or waits until the time in [`Step::Wait`].
//!    **After each `handle`, call `poll` until it returns `Wait` or `Finished`.**
//! 3. passes the finished flow to [`Credential::finish`], which caches and returns the token or a
//!    [`TokenError`].
//!
//! Time is milliseconds since the epoch ([`Timestamp`]), passed in on every call.
//!
//! Rust programs build credentials with the typed constructors ([`Credential::managed_identity`],
//! [`Credential::client_secret`], [`Credential::azure_cli`], ... and [`Credential::chain`] over
//! them); the camelCase [`Options`] union is the JS bindings' input format. A complete driver
//! loop, with the IO scripted: a chain of managed identity (not configured here) and the Azure
//! CLI.
//!
//! ```
//! use azcred_core::{Action, Begin, Credential, DeveloperToolOptions, EnvSnapshot,
//!                   ManagedIdentityOptions, ProcessOutput, Reply, Secret, Step, Timestamp,
//!                   TokenRequest};
//!
//! let env = EnvSnapshot::from_pairs([("PATH", "/usr/bin")]);
//! let mut cred = Credential::chain(
//!     vec![
//!         Credential::managed_identity(ManagedIdentityOptions::default(), &env, 1).unwrap(),
//!         Credential::azure_cli(DeveloperToolOptions::default(), &env, 2).unwrap(),
//!     ],
//!     3,
//! )
//! .unwrap();
//! let now = Timestamp::from_secs(1_700_000_000);
//! let request = TokenRequest::new(["https://storage.azure.com/.default"]);
//! let Begin::Start { mut flow, .. } = cred.begin(request.clone(), now) else { unreachable!() };
//! let token = loop {
//!     match flow.poll(now) {
//!         // The driver performs each action and reports what happened.
//!         Step::Perform { action: Action::Http { .. } } => {
//!             // Nothing answers where IMDS would be.
//!             let refused = azcred_core::IoFailure::new(azcred_core::IoFailureKind::Refused, "refused");
//!             flow.handle(Reply::Failed(refused), now).unwrap();
//!         }
//!         Step::Perform { action: Action::ReadFile { .. } } => {
//!             // No Azure Arc agent on this machine.
//!             let absent = azcred_core::IoFailure::new(azcred_core::IoFailureKind::NotFound, "absent");
//!             flow.handle(Reply::Failed(absent), now).unwrap();
//!         }
//!         Step::Perform { action: Action::Run { program, args, .. } } => {
//!             assert!(program.ends_with("az"));
//!             assert_eq!(args[..3], ["account", "get-access-token", "--output"]);
//!             let stdout = r#"{"accessToken":"t","expires_on":1700003600,"tokenType":"Bearer"}"#;
//!             let output = ProcessOutput { exit_code: Some(0), stdout: Secret::new(stdout), stderr: String::new() };
//!             flow.handle(Reply::Ran(output), now).unwrap();
//!         }
//!         Step::Wait { until } => panic!("no retries are scripted (until {until:?})"),
//!         Step::Finished => break cred.finish(*flow, now).unwrap(),
//!         other => panic!("unexpected {other:?}"),
//!     }
//! };
//! assert_eq!(token.token.expose(), "t");
//! assert_eq!(token.expires_on, Timestamp::from_secs(1_700_003_600));
//! // The next call is answered from the cache, with no IO.
//! assert!(matches!(cred.begin(request, now), Begin::Cached(_)));
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]
// A `TokenError` carries a whole chain report; errors end an acquisition, so their size is not
// on a hot path.
#![allow(clippy::result_large_err)]

mod api;
mod authority;
mod cache;
mod certificate;
mod chain;
mod claims;
#[cfg(feature = "serde")]
mod coerce;
mod credential;
mod env;
mod error;
mod http;
mod io;
mod jwt;
mod limits;
mod log;
mod options;
mod persist;
mod plan;
mod proxy;
mod redact;
mod retry;
mod secret;
mod shared;
mod source;
mod tenant;
mod time;
mod token;
#[cfg(feature = "serde")]
pub mod wire;

pub use api::{
    AppProof, BrowserOptions, CertificateSource, DefaultOptions, DeveloperToolOptions,
    EntraOptions, Kind, ManagedIdentityOptions, UserAssignedId, UserOptions,
};
pub use cache::MAX_CACHED_TOKENS;
pub use credential::{Begin, Credential, Flow, FlowId, Lease, MAX_LEASES, MemberReport};
pub use env::{EnvSnapshot, HostInfo, Platform};
pub use error::{ConfigError, ErrorKind, ErrorResponse, Misuse, TokenError};
pub use http::{Headers, HttpRequest, HttpResponse, Method};
pub use io::{
    Action, DelegateOutcome, ForeignError, IoFailure, IoFailureKind, LoopbackRequest,
    ProcessOutput, Reply, Step,
};
pub use limits::{
    FILE_READ_TIMEOUT, MAX_CERTIFICATE_LEN, MAX_CLAIMS_LEN, MAX_OPTION_LEN, MAX_PROCESS_OUTPUT,
    MAX_RESPONSE_BYTES, MAX_SCOPES, MAX_SCOPES_LEN, MAX_TENANT_LEN, check_options, check_request,
};
pub use log::{LogLevel, LogRecord};
pub use options::{
    BrowserCustomizationOptions, LoggingOptions, OneOrMany, Options, ProxyOptions, RedirectOptions,
    RetryOptions, UserAgentOptions,
};
pub use persist::{
    CACHE_FORMAT, CACHE_VERSION, CacheStore, PersistedCache, Rejected, SECTION_ACCESS_TOKENS,
    SECTION_REFRESH_TOKENS, TokenCachePersistenceOptions, plugin_control,
};
pub use secret::Secret;
pub use shared::SharedTokens;
pub use source::TokenRequest;
pub use source::entra::account::{
    AUTHENTICATION_RECORD_VERSION, AuthenticationRecord, UNSUPPORTED_RECORD_VERSION,
    record_version_supported,
};
pub use time::{MAX_DATE_MS, MAX_TIMER_MS, Timestamp};
pub use token::{
    AccessToken, MAX_TOKEN_LIFETIME, ParseError, parse_expiry_str, parse_token_response,
};
