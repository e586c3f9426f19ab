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
//! ```
//! use azcred_core::{Action, Begin, Credential, EnvSnapshot, HttpResponse, Options, Reply, Step,
//!                   Timestamp, TokenRequest};
//!
//! let env = EnvSnapshot::from_pairs([
//!     ("IDENTITY_ENDPOINT", "http://127.0.0.1:4000/msi/token"),
//!     ("IDENTITY_HEADER", "s3cret"),
//! ]);
//! let mut cred = Credential::new("ManagedIdentityCredential", &Options::default(), &env, 1).unwrap();
//! let now = Timestamp::from_secs(1_700_000_000);
//! let Begin::Start { mut flow, .. } = cred.begin(TokenRequest::new(["https://storage.azure.com/.default"]), now)
//! else { unreachable!() };
//! let token = loop {
//!     match flow.poll(now) {
//!         Step::Perform { action: Action::Http { request, .. } } => {
//!             assert!(request.url.starts_with("http://127.0.0.1:4000/msi/token?api-version=2019-08-01"));
//!             let body = r#"{"access_token":"t","expires_on":"1700003600"}"#;
//!             flow.handle(Reply::Http(HttpResponse::new(200, body)), now).unwrap();
//!         }
//!         Step::Finished => break cred.finish(*flow, now).unwrap(),
//!         other => panic!("unexpected {other:?}"),
//!     }
//! };
//! assert_eq!(token.expires_on, Timestamp::from_secs(1_700_003_600));
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]
// A `TokenError` carries a whole chain report; errors end an acquisition, so their size is not
// on a hot path.
#![allow(clippy::result_large_err)]

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

pub use cache::MAX_CACHED_TOKENS;
pub use credential::{Begin, Credential, Flow, FlowId, MemberReport};
pub use env::{EnvSnapshot, HostInfo, Platform};
pub use error::{ConfigError, ErrorKind, ErrorResponse, Misuse, TokenError};
pub use http::{Headers, HttpRequest, HttpResponse, Method};
pub use io::{
    Action, DelegateOutcome, ForeignError, IoFailure, IoFailureKind, ProcessOutput, Reply, Step,
};
pub use limits::{
    FILE_READ_TIMEOUT, MAX_CERTIFICATE_LEN, MAX_CLAIMS_LEN, MAX_OPTION_LEN, MAX_PROCESS_OUTPUT,
    MAX_RESPONSE_BYTES, MAX_SCOPES, MAX_SCOPES_LEN, MAX_TENANT_LEN, check_options, check_request,
};
pub use log::{LogLevel, LogRecord};
pub use options::{
    LoggingOptions, OneOrMany, Options, ProxyOptions, RedirectOptions, RetryOptions,
    UserAgentOptions,
};
pub use secret::Secret;
pub use shared::SharedTokens;
pub use source::TokenRequest;
pub use time::{MAX_DATE_MS, MAX_TIMER_MS, Timestamp};
pub use token::{
    AccessToken, MAX_TOKEN_LIFETIME, ParseError, parse_expiry_str, parse_token_response,
};
