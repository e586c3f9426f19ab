//! Wall-clock time as plain data. The core never reads a clock: every call that depends on time
//! takes a [`Timestamp`] from the caller.

use std::time::Duration;

/// The longest delay a timer can wait in Node (2^31-1 ms, about 24.8 days; a longer one fires
/// after 1 ms): every duration an option gives the core is clamped to this.
pub const MAX_TIMER_MS: u64 = 2_147_483_647;

/// Milliseconds since the Unix epoch, supplied by the caller.
///
/// A plain integer crosses both bindings as a JS `number` (exact below 2^53).
///
/// Read from the driver, it is a JS number: a fraction of a millisecond is dropped, and a
/// negative, non-finite or out-of-range value (beyond 8.64e15 ms, the last instant a JS `Date`
/// holds) is refused, so a foreign token with `expiresOnTimestamp: Infinity` is an unusable
/// answer rather than a time.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(u64);

/// Written as a signed integer: every binding turns that into a JS `number` (napi makes a
/// `BigInt` of a `u64` above 2^32), and JSON keeps it an integer.
#[cfg(feature = "serde")]
impl serde::Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_i64(i64::try_from(self.0).unwrap_or(i64::MAX))
    }
}

/// The last millisecond a JS `Date` can hold.
pub const MAX_DATE_MS: u64 = 8_640_000_000_000_000;

#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for Timestamp {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit;
        impl serde::de::Visitor<'_> for Visit {
            type Value = Timestamp;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a time in milliseconds since the epoch, from 0 to 8.64e15")
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Timestamp, E> {
                if v <= MAX_DATE_MS {
                    Ok(Timestamp(v))
                } else {
                    Err(E::custom("a time beyond the last date JavaScript can hold"))
                }
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Timestamp, E> {
                u64::try_from(v)
                    .map_err(|_| E::custom("a negative time"))
                    .and_then(|v| self.visit_u64(v))
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Timestamp, E> {
                if !v.is_finite() || v < 0.0 {
                    return Err(E::custom("a time that is negative or not finite"));
                }
                if v > MAX_DATE_MS as f64 {
                    return Err(E::custom("a time beyond the last date JavaScript can hold"));
                }
                // In range and finite: the cast drops the fraction.
                Ok(Timestamp(v as u64))
            }
        }
        d.deserialize_any(Visit)
    }
}

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
