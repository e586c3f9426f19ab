//! Wall-clock time as plain data. The core never reads a clock: every call that depends on time
//! takes a [`Timestamp`] from the caller.

use std::time::Duration;

/// The longest delay a timer can wait in Node (2^31-1 ms, about 24.8 days; a longer one fires
/// after 1 ms): every duration an option gives the core is clamped to this.
pub const MAX_TIMER_MS: u64 = 2_147_483_647;

/// Milliseconds since the Unix epoch, supplied by the caller.
///
/// A plain integer crosses both bindings as a JS `number` (exact below 2^53).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(transparent))]
pub struct Timestamp(u64);

impl Timestamp {
    /// Builds a timestamp from milliseconds since the Unix epoch.
    pub const fn from_millis(ms: u64) -> Self {
        Self(ms)
    }

    /// Builds a timestamp from whole seconds since the Unix epoch, saturating on overflow.
    pub const fn from_secs(secs: u64) -> Self {
        Self(secs.saturating_mul(1000))
    }

    /// Returns the milliseconds since the Unix epoch.
    pub const fn as_millis(self) -> u64 {
        self.0
    }

    /// Returns this time plus `d`, saturating at the maximum.
    pub fn plus(self, d: Duration) -> Self {
        Self(
            self.0
                .saturating_add(u64::try_from(d.as_millis()).unwrap_or(u64::MAX)),
        )
    }

    /// Returns this time minus `d`, saturating at the epoch.
    pub fn minus(self, d: Duration) -> Self {
        Self(
            self.0
                .saturating_sub(u64::try_from(d.as_millis()).unwrap_or(u64::MAX)),
        )
    }

    /// Returns how long after `earlier` this time is, or zero if it is not later.
    pub fn since(self, earlier: Self) -> Duration {
        Duration::from_millis(self.0.saturating_sub(earlier.0))
    }
}
