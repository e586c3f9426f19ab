//! Secret values: client secrets, tokens, assertions, file contents, identity headers.
//!
//! A [`Secret`] has a redacted `Debug`, no `Display` and no `PartialEq`, so it cannot leak into a
//! log line or an error message by accident.

use std::fmt;

/// A string that must never appear in a message, a log or `Debug` output.
#[derive(Clone, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(transparent))]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// Returns the secret value.
    ///
    /// Security: the result must only go to the place that needs it (a request, a process); never
    /// format it into a message.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Returns true when the value is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}
