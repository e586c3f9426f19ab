//! Option and request values as the reference takes them from JavaScript: a number may be a
//! fraction or a numeric string, and a secret may be a number. Each reader either coerces a
//! value as `@azure/identity` and core-rest-pipeline would use it, or refuses it with a message
//! that names the option (`processTimeoutInMs must be a number of milliseconds`), never the
//! value (it may be a secret).
//!
//! - Milliseconds (`processTimeoutInMs`, `retryDelayInMs`, `maxRetryDelayInMs`,
//!   `requestOptions.timeout`): a finite number >= 0 or a numeric string, floored, and clamped
//!   to [`MAX_TIMER_MS`] (2^31-1, the longest timer Node runs; a longer one fires after 1 ms).
//! - Counts (`retryOptions.maxRetries`, `redirectOptions.maxRetries`): core-rest-pipeline
//!   compares `retryCount >= maxRetries`, so `"3"` is 3, a negative count is 0 and `2.5`
//!   allows 3 (rounded up); a non-numeric value (which would compare false forever) is refused.
//! - Secrets (`clientSecret`): MSAL puts the value in the form body with `String(value)`, so
//!   `123` is the secret `"123"`; an object or array is refused.

use serde::Deserialize;
use serde::de::{self, Deserializer, Unexpected};
use serde_json::Value;

use crate::secret::Secret;

use crate::time::MAX_TIMER_MS;

/// A JS number from a JSON number or a numeric string; `None` for `null`.
fn number<'de, D: Deserializer<'de>>(d: D, what: &'static str) -> Result<Option<f64>, D::Error> {
    let refuse = || de::Error::custom(what);
    match Value::deserialize(d)? {
        Value::Null => Ok(None),
        Value::Number(n) => n.as_f64().map(Some).ok_or_else(refuse),
        Value::String(s) => s.trim().parse::<f64>().map(Some).map_err(|_| refuse()),
        _ => Err(refuse()),
    }
}

#[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
fn millis<'de, D: Deserializer<'de>>(d: D, what: &'static str) -> Result<Option<u64>, D::Error> {
    match number(d, what)? {
        None => Ok(None),
        Some(f) if f.is_nan() || f < 0.0 => Err(de::Error::custom(what)),
        Some(f) => Ok(Some(millis_of(f))),
    }
}

#[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
fn count<'de, D: Deserializer<'de>>(d: D, what: &'static str) -> Result<Option<u32>, D::Error> {
    match number(d, what)? {
        None => Ok(None),
        Some(f) if f.is_nan() => Err(de::Error::custom(what)),
        Some(f) if f <= 0.0 => Ok(Some(0)),
        Some(f) => Ok(Some(f.ceil() as u32)),
    }
}

/// A number of ms as a timer takes it: floored and clamped (`as` saturates; +inf is clamped
/// too).
#[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
fn millis_of(f: f64) -> u64 {
    (f.floor() as u64).min(MAX_TIMER_MS)
}

macro_rules! reader {
    ($name:ident, $kind:ident, $ty:ty, $msg:literal) => {
        #[doc = concat!("Reads `", $msg, "`.")]
        pub(crate) fn $name<'de, D: Deserializer<'de>>(d: D) -> Result<Option<$ty>, D::Error> {
            $kind(d, $msg)
        }
    };
}

reader!(
    process_timeout,
    millis,
    u64,
    "processTimeoutInMs must be a number of milliseconds"
);
reader!(
    sign_in_timeout,
    millis,
    u64,
    "signInTimeoutInMs must be a number of milliseconds"
);
reader!(
    retry_delay,
    millis,
    u64,
    "retryOptions.retryDelayInMs must be a number of milliseconds"
);
reader!(
    max_retry_delay,
    millis,
    u64,
    "retryOptions.maxRetryDelayInMs must be a number of milliseconds"
);
/// Reads `requestOptions.timeout` as the reference's pipeline does: a usable number of ms is
/// floored and clamped; anything else (zero, negative, not a number) means no timeout of the
/// caller's, so the default applies. `getToken` never fails over it.
pub(crate) fn request_timeout<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    let v = Value::deserialize(d)?;
    let ms = match &v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse::<f64>().ok(),
        _ => None,
    };
    Ok(ms.filter(|f| *f > 0.0 && !f.is_nan()).map(millis_of))
}
reader!(
    max_retries,
    count,
    u32,
    "retryOptions.maxRetries must be a number"
);
reader!(
    redirect_max_retries,
    count,
    u32,
    "redirectOptions.maxRetries must be a number"
);

/// Reads `clientSecret`: a string, or a number or boolean as `String(value)`.
pub(crate) fn client_secret<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Secret>, D::Error> {
    match Value::deserialize(d)? {
        Value::Null => Ok(None),
        Value::String(s) => Ok(Some(Secret::new(s))),
        Value::Number(n) => Ok(Some(Secret::new(js_number(&n)))),
        Value::Bool(b) => Ok(Some(Secret::new(b.to_string()))),
        _ => Err(de::Error::invalid_type(
            Unexpected::Other("an object"),
            &"clientSecret as a string",
        )),
    }
}

/// `String(n)` for the numbers JSON can carry: integers in full, others as Rust writes them.
fn js_number(n: &serde_json::Number) -> String {
    match (n.as_i64(), n.as_u64(), n.as_f64()) {
        (Some(i), ..) => i.to_string(),
        (_, Some(u), _) => u.to_string(),
        (.., Some(f)) if f.fract() == 0.0 && f.abs() < 1e21 => format!("{f:.0}"),
        (.., Some(f)) => f.to_string(),
        _ => n.to_string(),
    }
}
