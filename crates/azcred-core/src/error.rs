//! Errors, one type per operation, each with a stable code that the bindings map to the
//! `@azure/identity` error classes.

use std::fmt;

/// The class of a token acquisition failure. Decides whether a chain moves on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub enum ErrorKind {
    /// The credential cannot be used here (not configured, tool not installed, endpoint absent).
    /// JS: `CredentialUnavailableError`. A chain moves on.
    CredentialUnavailable,
    /// The credential was used and the service refused. JS: `AuthenticationError`. A chain stops.
    AuthenticationFailed,
    /// Interaction or other input is required. JS: `AuthenticationRequiredError`. A chain moves on.
    AuthenticationRequired,
    /// Every credential of a chain failed; see [`TokenError::errors`].
    /// JS: `AggregateAuthenticationError`.
    Aggregate,
    /// The request itself is invalid (for example a tenant id with forbidden characters).
    /// JS: a plain `Error`. A chain stops.
    InvalidRequest,
    /// The caller's `abortSignal` fired. JS: `AbortError`.
    Aborted,
}

impl ErrorKind {
    /// The stable code the bindings expose as `err.code`.
    pub fn code(self) -> &'static str {
        match self {
            Self::CredentialUnavailable => "CredentialUnavailable",
            Self::AuthenticationFailed => "AuthenticationFailed",
            Self::AuthenticationRequired => "AuthenticationRequired",
            Self::Aggregate => "AggregateAuthentication",
            Self::InvalidRequest => "InvalidRequest",
            Self::Aborted => "Aborted",
        }
    }

    /// The JS error class name for this kind.
    pub fn js_name(self) -> &'static str {
        match self {
            Self::CredentialUnavailable => "CredentialUnavailableError",
            Self::AuthenticationFailed => "AuthenticationError",
            Self::AuthenticationRequired => "AuthenticationRequiredError",
            Self::Aggregate => "AggregateAuthenticationError",
            Self::InvalidRequest => "Error",
            Self::Aborted => "AbortError",
        }
    }

    /// Whether a chain moves on to its next credential after this error (the reference's rule:
    /// only `CredentialUnavailableError` and `AuthenticationRequiredError` do).
    pub fn chain_continues(self) -> bool {
        matches!(
            self,
            Self::CredentialUnavailable | Self::AuthenticationRequired
        )
    }
}

/// The OAuth error body of an `AuthenticationError`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "camelCase"))]
pub struct ErrorResponse {
    /// The OAuth `error` code.
    pub error: String,
    /// The OAuth `error_description`.
    pub error_description: String,
}

/// Why a token could not be acquired. Messages never contain secrets.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "camelCase"))]
pub struct TokenError {
    /// The class of failure.
    pub kind: ErrorKind,
    /// The stable code of `kind`.
    pub code: &'static str,
    /// The JS error class name (`CredentialUnavailableError`, ...), or a foreign error's own name.
    pub name: String,
    /// The message, in the reference's wording where it has one.
    pub message: String,
    /// The credential that produced the error.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub credential: Option<String>,
    /// The HTTP status, for `AuthenticationFailed`.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub status_code: Option<u16>,
    /// The OAuth error body, for `AuthenticationFailed`.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub error_response: Option<ErrorResponse>,
    /// For `Aggregate`: each credential of the chain, in order, with what happened.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Vec::is_empty"))]
    pub errors: Vec<Self>,
    /// For an error thrown by a foreign `ChainedTokenCredential` member: its position, so the JS
    /// layer can rethrow the original error object.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub delegate_index: Option<usize>,
}

impl TokenError {
    /// The error of an acquisition whose caller gave up (its `abortSignal` fired), as every
    /// credential but the device-code sign-in words it (core-rest-pipeline's `AbortError`).
    pub fn aborted() -> Self {
        Self::new(ErrorKind::Aborted, "The operation was aborted.")
    }

    /// Builds an error of `kind` with `message`.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            code: kind.code(),
            name: kind.js_name().to_owned(),
            message: message.into(),
            credential: None,
            status_code: None,
            error_response: None,
            errors: Vec::new(),
            delegate_index: None,
        }
    }

    /// Builds a `CredentialUnavailable` error.
    pub fn unavailable(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::CredentialUnavailable, message)
    }

    /// Builds an `AuthenticationFailed` error with the reference's message shape.
    pub fn authentication_failed(status: u16, error: &str, description: &str) -> Self {
        let mut e = Self::new(
            ErrorKind::AuthenticationFailed,
            format!("{error} Status code: {status}\nMore details:\n{description},"),
        );
        e.status_code = Some(status);
        e.error_response = Some(ErrorResponse {
            error: error.to_owned(),
            error_description: description.to_owned(),
        });
        e
    }

    /// Sets the credential name, builder style.
    pub fn from_credential(mut self, name: &str) -> Self {
        self.credential = Some(name.to_owned());
        self
    }
}

impl fmt::Display for TokenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for TokenError {}

/// Why a credential could not be built from its options and environment.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "camelCase"))]
pub struct ConfigError {
    /// `InvalidConfig` (JS: a plain `Error`) or `CredentialUnavailable` (JS:
    /// `CredentialUnavailableError`, as some reference constructors throw).
    pub code: &'static str,
    /// The message, in the reference's wording.
    pub message: String,
}

impl ConfigError {
    /// A configuration error the reference reports as a plain `Error`.
    pub fn invalid(message: impl Into<String>) -> Self {
        Self {
            code: "InvalidConfig",
            message: message.into(),
        }
    }

    /// A configuration error the reference reports as `CredentialUnavailableError`.
    pub fn unavailable(message: impl Into<String>) -> Self {
        Self {
            code: "CredentialUnavailable",
            message: message.into(),
        }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ConfigError {}

/// The driver broke the `poll`/`handle` contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Misuse {
    /// `handle` was called with no action outstanding.
    NoActionOutstanding,
    /// The reply does not match the outstanding action.
    WrongReply,
    /// The flow has already finished.
    Finished,
    /// The flow belongs to another credential.
    ForeignFlow,
}

impl Misuse {
    /// The stable code the bindings expose as `err.code`.
    pub fn code(self) -> &'static str {
        "ApiMisuse"
    }
}

impl fmt::Display for Misuse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::NoActionOutstanding => "a reply was given with no action outstanding",
            Self::WrongReply => "the reply does not match the outstanding action",
            Self::Finished => "the flow has already finished",
            Self::ForeignFlow => "the flow was started by another credential",
        })
    }
}

impl std::error::Error for Misuse {}
