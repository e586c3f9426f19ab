//! Retry decisions: which failures are retried, how long to wait, and the random jitter.

use std::time::Duration;

use crate::http::Headers;
use crate::io::IoFailureKind;
use crate::time::Timestamp;

/// A small deterministic PRNG (SplitMix64). The seed comes from the driver, so tests are
/// repeatable; jitter needs no cryptographic quality.
#[derive(Debug, Clone)]
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A value in `0..=max`.
    pub(crate) fn below_or_eq(&mut self, max: u64) -> u64 {
        if max == 0 {
            0
        } else {
            self.next_u64() % (max + 1)
        }
    }
}

/// How many times and how far apart to retry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RetryPolicy {
    /// Retries after the first attempt.
    pub(crate) max_retries: u32,
    /// The base delay of the exponential back-off.
    pub(crate) base: Duration,
    /// No single delay exceeds this.
    pub(crate) max_delay: Duration,
    /// No retry starts later than this after the first attempt: the bound on total time.
    pub(crate) budget: Duration,
}

impl RetryPolicy {
    /// The jittered exponential delay before retry number `retry` (0-based) with base `base`:
    /// `min(max_delay, base * 2^retry)`, then half of it plus a uniform random part of the rest
    /// (the Azure SDK formula).
    pub(crate) fn delay(&self, retry: u32, base: Duration, rng: &mut Rng) -> Duration {
        let exp = base.saturating_mul(1u32.checked_shl(retry.min(31)).unwrap_or(u32::MAX));
        let capped = u64::try_from(exp.min(self.max_delay).as_millis()).unwrap_or(u64::MAX);
        let half = capped / 2;
        Duration::from_millis(half + rng.below_or_eq(capped - half))
    }
}

impl RetryPolicy {
    /// When the next attempt may start, `delay` from `now`, counting it in `retries`; `None` when
    /// the retries are spent or it would start later than the budget allows after `started`.
    pub(crate) fn schedule(
        &self,
        started: Option<Timestamp>,
        retries: &mut u32,
        delay: Duration,
        now: Timestamp,
    ) -> Option<Timestamp> {
        let at = now.plus(delay);
        if *retries >= self.max_retries || at.since(started.unwrap_or(now)) > self.budget {
            return None;
        }
        *retries += 1;
        Some(at)
    }
}

/// One acquisition's retries under its policy: when its first attempt started, and how many
/// retries it has made. The managed-identity and Entra flows each keep one.
#[derive(Debug)]
pub(crate) struct Retries {
    policy: RetryPolicy,
    started: Option<Timestamp>,
    made: u32,
}

impl Retries {
    /// No attempt yet.
    pub(crate) fn new(policy: RetryPolicy) -> Self {
        Self {
            policy,
            started: None,
            made: 0,
        }
    }

    /// Notes an attempt at `now`: the first one starts the time budget.
    pub(crate) fn attempt(&mut self, now: Timestamp) {
        self.started.get_or_insert(now);
    }

    /// Whether an attempt has been made.
    pub(crate) fn started(&self) -> bool {
        self.started.is_some()
    }

    /// The jittered exponential delay before the next retry.
    pub(crate) fn backoff(&self, rng: &mut Rng) -> Duration {
        self.backoff_from(self.policy.base, rng)
    }

    /// As [`Retries::backoff`], from another base delay.
    pub(crate) fn backoff_from(&self, base: Duration, rng: &mut Rng) -> Duration {
        self.policy.delay(self.made, base, rng)
    }

    /// The base delay of the policy.
    pub(crate) fn base(&self) -> Duration {
        self.policy.base
    }

    /// When the next attempt may start, `delay` from `now`, counting it; `None` when the retries
    /// are spent or it would start later than the budget allows.
    pub(crate) fn schedule(&mut self, delay: Duration, now: Timestamp) -> Option<Timestamp> {
        self.policy
            .schedule(self.started, &mut self.made, delay, now)
    }
}

/// Reads a server's requested delay: `retry-after-ms`, `x-ms-retry-after-ms`, then
/// `Retry-After` as seconds or an HTTP date.
pub(crate) fn retry_after(headers: &Headers, now: Timestamp) -> Option<Duration> {
    for name in ["retry-after-ms", "x-ms-retry-after-ms"] {
        if let Some(ms) = headers.get(name).and_then(|v| v.trim().parse::<u64>().ok()) {
            return Some(Duration::from_millis(ms));
        }
    }
    let v = headers.get("retry-after")?.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = httpdate::parse_http_date(v).ok()?;
    let at = at.duration_since(std::time::UNIX_EPOCH).ok()?;
    let at = Timestamp::from_millis(u64::try_from(at.as_millis()).ok()?);
    Some(at.since(now))
}

/// Whether an HTTP status is worth retrying (408, 429 and 5xx except 501 and 505).
pub(crate) fn is_retryable_status(status: u16) -> bool {
    matches!(status, 408 | 429) || (status >= 500 && status != 501 && status != 505)
}

/// Whether a transport failure is worth retrying.
pub(crate) fn is_retryable_failure(kind: IoFailureKind) -> bool {
    matches!(
        kind,
        IoFailureKind::TimedOut
            | IoFailureKind::Refused
            | IoFailureKind::Reset
            | IoFailureKind::DnsFailed
            | IoFailureKind::Other
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_are_jittered_exponential_and_capped() {
        let p = RetryPolicy {
            max_retries: 5,
            base: Duration::from_millis(800),
            max_delay: Duration::from_secs(64),
            budget: Duration::from_secs(30),
        };
        let mut rng = Rng::new(7);
        for retry in 0..12 {
            let full = (800u64 << retry).min(64_000);
            let d = p.delay(retry, p.base, &mut rng).as_millis() as u64;
            assert!(d >= full / 2 && d <= full, "retry {retry}: {d}");
        }
    }

    #[test]
    fn retry_after_forms() {
        let now = Timestamp::from_secs(1_700_000_000);
        let h: Headers = [("Retry-After", "3")].into_iter().collect();
        assert_eq!(retry_after(&h, now), Some(Duration::from_secs(3)));
        let h: Headers = [("retry-after-ms", "250"), ("Retry-After", "3")]
            .into_iter()
            .collect();
        assert_eq!(retry_after(&h, now), Some(Duration::from_millis(250)));
        let h: Headers = [("Retry-After", "Tue, 14 Nov 2023 22:13:25 GMT")]
            .into_iter()
            .collect();
        assert_eq!(retry_after(&h, now), Some(Duration::from_secs(5)));
        let h: Headers = [("Retry-After", "soon")].into_iter().collect();
        assert_eq!(retry_after(&h, now), None);
    }
}
