//! The environment, as a snapshot handed to the core: variables plus the few facts about the
//! host that decisions depend on (the platform, the local time offset).

use std::collections::BTreeMap;

/// The operating system family, as Node's `process.platform` names it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "lowercase"))]
#[non_exhaustive]
pub enum Platform {
    /// Linux.
    #[default]
    Linux,
    /// Windows (`win32`).
    Win32,
    /// macOS.
    Darwin,
    /// Anything else (FreeBSD, a browser, ...).
    #[cfg_attr(feature = "serde", serde(other))]
    Other,
}

/// The environment variables and host facts a credential may read, captured by the driver.
///
/// The core never calls `std::env`; the Node driver builds this from `process.env`,
/// `process.platform` and the local time offset.
#[derive(Clone, Default)]
#[cfg_attr(feature = "serde", derive(serde::Deserialize))]
#[cfg_attr(
    feature = "serde",
    serde(rename_all = "camelCase", default, deny_unknown_fields)
)]
pub struct EnvSnapshot {
    vars: BTreeMap<String, String>,
    platform: Platform,
    /// Minutes to add to UTC to get local time (UTC+1 is `60`).
    tz_offset_minutes: i32,
    /// Identifies the driver's process: credentials with the same value share managed-identity
    /// tokens, as the reference's process-wide cache does. `None` shares nothing.
    process: Option<u64>,
}

impl EnvSnapshot {
    /// Builds a snapshot of a Linux host in UTC from name/value pairs.
    pub fn from_pairs<I, K, V>(pairs: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        Self {
            vars: pairs
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
            ..Self::default()
        }
    }

    /// Sets the platform, builder style.
    pub fn with_platform(mut self, platform: Platform) -> Self {
        self.platform = platform;
        self
    }

    /// Sets the local time offset from UTC in minutes, builder style.
    pub fn with_tz_offset_minutes(mut self, minutes: i32) -> Self {
        self.tz_offset_minutes = minutes;
        self
    }

    /// Sets the process identity that scopes shared managed-identity tokens, builder style.
    pub fn with_process(mut self, process: u64) -> Self {
        self.process = Some(process);
        self
    }

    /// The process identity that scopes shared managed-identity tokens, if any.
    pub fn process(&self) -> Option<u64> {
        self.process
    }

    /// Returns the value of `name` when it is set and not empty (the reference's "truthy" test).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.vars
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    /// Returns the value of `name` when it is defined at all, even if empty.
    pub fn get_raw(&self, name: &str) -> Option<&str> {
        self.vars.get(name).map(String::as_str)
    }

    /// The host's platform.
    pub fn platform(&self) -> Platform {
        self.platform
    }

    /// Minutes to add to UTC to get the host's local time.
    pub fn tz_offset_minutes(&self) -> i32 {
        self.tz_offset_minutes
    }
}

impl std::fmt::Debug for EnvSnapshot {
    /// Lists only the names: values may be secrets.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EnvSnapshot")
            .field("vars", &self.vars.keys().collect::<Vec<_>>())
            .field("platform", &self.platform)
            .field("tz_offset_minutes", &self.tz_offset_minutes)
            .field("process", &self.process)
            .finish()
    }
}
