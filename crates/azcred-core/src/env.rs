//! The environment, as a snapshot handed to the core: variables plus the few facts about the
//! host that decisions depend on (the platform, the local time offset).

use std::collections::BTreeMap;

use crate::log::LogLevel;

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
    /// The runtime the driver runs on, for the `User-Agent` header.
    host: Option<HostInfo>,
    /// The most verbose level the driver's logger writes now; `None` when logging is off.
    log_level: Option<LogLevel>,
}

/// The runtime and machine the driver runs on, as the `User-Agent` header names them
/// (`Node/20.20.2 (Linux 6.1.0; x64)`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "camelCase", default))]
pub struct HostInfo {
    /// The runtime's name (`Node`).
    pub runtime: String,
    /// The runtime's version (`20.20.2`).
    pub version: String,
    /// The operating system's name and release (`Linux 6.1.0`).
    pub os: String,
    /// The CPU architecture (`x64`).
    pub arch: String,
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

    /// Sets the runtime named in the `User-Agent` header, builder style.
    pub fn with_host(mut self, host: HostInfo) -> Self {
        self.host = Some(host);
        self
    }

    /// Sets the most verbose level the driver's logger writes, builder style.
    pub fn with_log_level(mut self, level: Option<LogLevel>) -> Self {
        self.log_level = level;
        self
    }

    /// The runtime named in the `User-Agent` header, if the driver said.
    pub fn host(&self) -> Option<&HostInfo> {
        self.host.as_ref()
    }

    /// The most verbose level the driver's logger writes.
    pub fn log_level(&self) -> Option<LogLevel> {
        self.log_level
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
            .field("host", &self.host)
            .field("log_level", &self.log_level)
            .finish()
    }
}
