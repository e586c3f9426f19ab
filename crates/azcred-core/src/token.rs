//! Access tokens and the parsers for token responses and expiry values.
//!
//! Every parser is total: any input gives a value or a typed error, never a panic.

use std::fmt;
use std::time::Duration;

use serde_json::Value;

use crate::secret::Secret;
use crate::time::Timestamp;

/// Tokens that live longer than this are refreshed at half-life (the MSAL and Azure SDK rule).
const HALF_LIFE_THRESHOLD: Duration = Duration::from_secs(2 * 60 * 60);

/// An expiry further ahead than this (ten years of 366 days) is an error, never a token: no token
/// service issues such tokens, and a value that large is a unit mistake or an attack.
pub const MAX_TOKEN_LIFETIME: Duration = Duration::from_secs(10 * 366 * 86_400);

/// Whether `expires_on`, received at `received`, is within the bounds every token must meet:
/// at most [`MAX_TOKEN_LIFETIME`] ahead and within a JS `Date`.
pub(crate) fn expiry_in_bounds(expires_on: Timestamp, received: Timestamp) -> bool {
    expires_on.as_millis() <= crate::time::MAX_DATE_MS
        && expires_on <= received.plus(MAX_TOKEN_LIFETIME)
}

/// An access token, shaped like `@azure/core-auth`'s `AccessToken`.
#[derive(Clone)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct AccessToken {
    /// The bearer token.
    pub token: Secret,
    /// When the token expires.
    #[cfg_attr(feature = "serde", serde(rename = "expiresOnTimestamp"))]
    pub expires_on: Timestamp,
    /// When a refresh should start: from the server's `refresh_in`, or half-life for tokens that
    /// live over two hours.
    #[cfg_attr(
        feature = "serde",
        serde(
            rename = "refreshAfterTimestamp",
            default,
            skip_serializing_if = "Option::is_none"
        )
    )]
    pub refresh_after: Option<Timestamp>,
    /// Always `"Bearer"` for the credentials here.
    #[cfg_attr(feature = "serde", serde(rename = "tokenType", default = "bearer"))]
    pub token_type: String,
}

#[cfg(feature = "serde")]
fn bearer() -> String {
    "Bearer".to_owned()
}

impl AccessToken {
    /// Builds a bearer token.
    pub fn bearer(token: Secret, expires_on: Timestamp, refresh_after: Option<Timestamp>) -> Self {
        Self {
            token,
            expires_on,
            refresh_after,
            token_type: "Bearer".to_owned(),
        }
    }

    /// Builds a token from a value, expiry and optional `refresh_in`, as received at `received`.
    ///
    /// Applies the refresh rule: the server's `refresh_in` if given, else half-life when the
    /// lifetime is over two hours.
    pub(crate) fn with_refresh_rule(
        token: Secret,
        expires_on: Timestamp,
        refresh_in: Option<Duration>,
        received: Timestamp,
    ) -> Self {
        let lifetime = expires_on.since(received);
        let refresh_after = match refresh_in {
            Some(r) => Some(received.plus(r)),
            None if lifetime > HALF_LIFE_THRESHOLD => Some(received.plus(lifetime / 2)),
            None => None,
        };
        Self::bearer(token, expires_on, refresh_after)
    }
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccessToken")
            .field("token", &self.token)
            .field("expires_on", &self.expires_on)
            .field("refresh_after", &self.refresh_after)
            .finish()
    }
}

/// Why a token response could not be used. Messages never include the body.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ParseError {
    /// The body is not a JSON object.
    NotJson,
    /// A required field is missing or empty.
    MissingField(&'static str),
    /// A field has the wrong type or an unreadable value.
    InvalidField(&'static str),
    /// The response has no usable expiry (`expires_on`, `expires_in`).
    NoExpiry,
    /// The token had already expired when it arrived.
    AlreadyExpired,
    /// The named expiry field is further ahead than [`MAX_TOKEN_LIFETIME`] (or than a JS `Date`
    /// can hold).
    TooFarAhead(&'static str),
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotJson => f.write_str("the response body is not a JSON object"),
            Self::MissingField(n) => write!(f, "the response has no '{n}'"),
            Self::InvalidField(n) => write!(f, "the response's '{n}' is not valid"),
            Self::NoExpiry => {
                f.write_str("the response has no usable expiry ('expires_on' or 'expires_in')")
            }
            Self::AlreadyExpired => f.write_str("the token in the response has already expired"),
            Self::TooFarAhead(n) => write!(
                f,
                "the response's '{n}' is more than ten years ahead, which no token service issues"
            ),
        }
    }
}

impl std::error::Error for ParseError {}

/// Parses an OAuth-style token response (`access_token`, `expires_on` / `expires_in`,
/// `refresh_in`) received at `received`.
///
/// `expires_on` may be epoch seconds (number or numeric string), ISO-8601 / RFC 3339, or the
/// App Service 2017 format `"11/18/2030 10:00:00 PM +00:00"`; `expires_in` may be a number or a
/// numeric string. A token with no usable expiry, or one that has already expired, is an error.
pub fn parse_token_response(body: &str, received: Timestamp) -> Result<AccessToken, ParseError> {
    let v: Value = serde_json::from_str(body).map_err(|_| ParseError::NotJson)?;
    let obj = v.as_object().ok_or(ParseError::NotJson)?;
    let token = match obj.get("access_token") {
        Some(Value::String(s)) if !s.is_empty() => Secret::new(s.clone()),
        Some(Value::String(_)) | None | Some(Value::Null) => {
            return Err(ParseError::MissingField("access_token"));
        }
        Some(_) => return Err(ParseError::InvalidField("access_token")),
    };
    let expires_on = match obj.get("expires_on") {
        Some(Value::Null) | None => None,
        Some(v) => Some(parse_expiry_value(v).ok_or(ParseError::InvalidField("expires_on"))?),
    };
    let (expires_on, field) = match expires_on {
        Some(t) => (t, "expires_on"),
        None => match obj.get("expires_in") {
            Some(Value::Null) | None => return Err(ParseError::NoExpiry),
            Some(v) => (
                received.plus(parse_seconds(v).ok_or(ParseError::InvalidField("expires_in"))?),
                "expires_in",
            ),
        },
    };
    if !expiry_in_bounds(expires_on, received) {
        return Err(ParseError::TooFarAhead(field));
    }
    if expires_on <= received {
        return Err(ParseError::AlreadyExpired);
    }
    let refresh_in = match obj.get("refresh_in") {
        Some(Value::Null) | None => None,
        Some(v) => parse_seconds(v).filter(|d| !d.is_zero()),
    };
    Ok(AccessToken::with_refresh_rule(
        token, expires_on, refresh_in, received,
    ))
}

/// Reads a duration in seconds from a JSON number (a fraction kept to the millisecond, as MSAL
/// keeps a numeric `expires_in`) or a numeric string (whole seconds, as MSAL's `parseInt`).
fn parse_seconds(v: &Value) -> Option<Duration> {
    match v {
        Value::Number(n) => n
            .as_u64()
            .map(Duration::from_secs)
            .or_else(|| seconds_to_millis(n.as_f64()?).map(Duration::from_millis)),
        Value::String(s) => s.trim().parse::<u64>().ok().map(Duration::from_secs),
        _ => None,
    }
}

/// Fractional seconds as whole milliseconds, cut toward zero as a JS `Date`'s time value is;
/// `u64::MAX` for a finite value too large (the bounds check then names the field), `None` for
/// a negative or non-finite one.
#[allow(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    clippy::cast_precision_loss
)]
fn seconds_to_millis(secs: f64) -> Option<u64> {
    if !secs.is_finite() || secs < 0.0 {
        return None;
    }
    let ms = (secs * 1000.0).trunc();
    // `as` saturates, so a value past u64 is u64::MAX, which no bound accepts.
    Some(ms as u64)
}

/// Reads an absolute expiry from a JSON number or string in any of the accepted formats. A
/// fractional number of seconds is kept to the millisecond (`1798761600.5` is
/// `1798761600500` ms), as MSAL's `expires_on - now` arithmetic keeps it.
pub(crate) fn parse_expiry_value(v: &Value) -> Option<Timestamp> {
    match v {
        Value::Number(n) => n
            .as_u64()
            .map(Timestamp::from_secs)
            .or_else(|| seconds_to_millis(n.as_f64()?).map(Timestamp::from_millis)),
        Value::String(s) => parse_expiry_str(s),
        _ => None,
    }
}

/// Reads an absolute expiry: epoch seconds (whole, or with a decimal fraction kept to the
/// millisecond), RFC 3339, or the App Service 2017 date format.
pub fn parse_expiry_str(s: &str) -> Option<Timestamp> {
    let s = s.trim();
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
        // Past u64 is saturated, so the bounds check names the field rather than "not valid".
        return Some(
            s.parse::<u64>()
                .map_or(Timestamp::from_millis(u64::MAX), Timestamp::from_secs),
        );
    }
    if let Some((whole, frac)) = s.split_once('.') {
        let digits = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
        if digits(whole) && digits(frac) {
            return seconds_to_millis(s.parse::<f64>().ok()?).map(Timestamp::from_millis);
        }
    }
    parse_rfc3339(s).or_else(|| parse_app_service_2017(s))
}

/// Parses `YYYY-MM-DDTHH:MM:SS[.fff][Z|±HH:MM]` (also with a space for `T`). A missing offset
/// means UTC.
pub(crate) fn parse_rfc3339(s: &str) -> Option<Timestamp> {
    let b = s.as_bytes();
    if b.len() < 19 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    if b[13] != b':' || b[16] != b':' {
        return None;
    }
    let year = digits(&b[0..4])?;
    let month = digits(&b[5..7])?;
    let day = digits(&b[8..10])?;
    let hour = digits(&b[11..13])?;
    let min = digits(&b[14..16])?;
    let sec = digits(&b[17..19])?;
    let mut rest = &b[19..];
    let mut millis = 0u64;
    if let Some((b'.', frac)) = rest.split_first() {
        let n = frac.iter().take_while(|c| c.is_ascii_digit()).count();
        if n == 0 {
            return None;
        }
        let mut ms = 0u64;
        for (i, c) in frac[..n].iter().take(3).enumerate() {
            ms += u64::from(c - b'0') * [100, 10, 1][i];
        }
        millis = ms;
        rest = &frac[n..];
    }
    let offset_min: i64 = match rest {
        [] | [b'Z'] | [b'z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let v = i64::try_from(digits(&[*h1, *h2])? * 60 + digits(&[*m1, *m2])?).ok()?;
            if *sign == b'-' { -v } else { v }
        }
        _ => return None,
    };
    to_timestamp(year, month, day, hour, min, sec, millis, offset_min)
}

/// Parses the App Service 2017-09-01 format, `M/D/YYYY h:mm:ss AM|PM ±HH:MM`.
fn parse_app_service_2017(s: &str) -> Option<Timestamp> {
    let mut parts = s.split_whitespace();
    let date = parts.next()?;
    let time = parts.next()?;
    let ampm = parts.next()?;
    let offset = parts.next()?;
    if parts.next().is_some() {
        return None;
    }
    let mut d = date.split('/');
    let (month, day, year) = (num(d.next()?)?, num(d.next()?)?, num(d.next()?)?);
    if d.next().is_some() {
        return None;
    }
    let mut t = time.split(':');
    let (h, min, sec) = (num(t.next()?)?, num(t.next()?)?, num(t.next()?)?);
    if t.next().is_some() || !(1..=12).contains(&h) {
        return None;
    }
    let hour = match (ampm.to_ascii_uppercase().as_str(), h) {
        ("AM", 12) => 0,
        ("AM", h) => h,
        ("PM", 12) => 12,
        ("PM", h) => h + 12,
        _ => return None,
    };
    let (sign, hm) = match offset.as_bytes().first()? {
        b'+' => (1, &offset[1..]),
        b'-' => (-1, &offset[1..]),
        _ => return None,
    };
    let (oh, om) = hm.split_once(':')?;
    let offset_min = sign * i64::try_from(num(oh)? * 60 + num(om)?).ok()?;
    to_timestamp(year, month, day, hour, min, sec, 0, offset_min)
}

fn num(s: &str) -> Option<u64> {
    if s.is_empty() || s.len() > 4 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

fn digits(b: &[u8]) -> Option<u64> {
    b.iter().try_fold(0u64, |acc, c| {
        c.is_ascii_digit().then(|| acc * 10 + u64::from(c - b'0'))
    })
}

/// Converts a civil date-time with a UTC offset to a timestamp; `None` for out-of-range fields.
#[allow(clippy::too_many_arguments)]
pub(crate) fn to_timestamp(
    year: u64,
    month: u64,
    day: u64,
    hour: u64,
    min: u64,
    sec: u64,
    millis: u64,
    offset_min: i64,
) -> Option<Timestamp> {
    if !(1970..=9999).contains(&year) || !(1..=12).contains(&month) || hour > 23 || min > 59 {
        return None;
    }
    if sec > 60 || day == 0 || day > days_in_month(year, month) {
        return None;
    }
    let days = days_from_civil(year, month, day);
    let secs = i64::try_from(days * 86_400 + hour * 3600 + min * 60 + sec).ok()? - offset_min * 60;
    let secs = u64::try_from(secs).ok()?;
    Some(Timestamp::from_millis(
        secs.checked_mul(1000)?.checked_add(millis)?,
    ))
}

fn days_in_month(y: u64, m: u64) -> u64 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm), for years
/// from 1970 on.
fn days_from_civil(y: u64, m: u64, d: u64) -> u64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: Timestamp = Timestamp::from_secs(1_700_000_000);

    #[test]
    fn expiry_formats() {
        assert_eq!(
            parse_expiry_str("1700003600"),
            Some(Timestamp::from_secs(1_700_003_600))
        );
        assert_eq!(
            parse_expiry_str("2023-11-14T22:13:20.000Z"),
            Some(Timestamp::from_secs(1_700_000_000))
        );
        assert_eq!(
            parse_expiry_str("2023-11-14T23:13:20+01:00"),
            Some(Timestamp::from_secs(1_700_000_000))
        );
        assert_eq!(
            parse_expiry_str("11/14/2023 10:13:20 PM +00:00"),
            Some(Timestamp::from_secs(1_700_000_000))
        );
        assert_eq!(
            parse_expiry_str("11/14/2023 12:13:20 AM +00:00"),
            Some(Timestamp::from_secs(1_700_000_000 - 22 * 3600))
        );
        for bad in [
            "",
            "soon",
            "2023-13-01T00:00:00Z",
            "2023-02-30T00:00:00Z",
            "-5",
            "1e9",
        ] {
            assert_eq!(parse_expiry_str(bad), None, "{bad}");
        }
    }

    #[test]
    fn response_with_numeric_string_expiry_and_half_life() {
        let body = r#"{"access_token":"t","expires_on":"1700086400","resource":"r"}"#;
        let t = parse_token_response(body, NOW).unwrap();
        assert_eq!(t.expires_on, Timestamp::from_secs(1_700_086_400));
        assert_eq!(t.refresh_after, Some(Timestamp::from_secs(1_700_043_200)));
    }

    #[test]
    fn response_with_expires_in_and_refresh_in() {
        let body = r#"{"access_token":"t","expires_in":3600,"refresh_in":1800}"#;
        let t = parse_token_response(body, NOW).unwrap();
        assert_eq!(t.expires_on, Timestamp::from_secs(1_700_003_600));
        assert_eq!(t.refresh_after, Some(Timestamp::from_secs(1_700_001_800)));
        let short = r#"{"access_token":"t","expires_in":"3600"}"#;
        assert_eq!(
            parse_token_response(short, NOW).unwrap().refresh_after,
            None
        );
    }

    #[test]
    fn bad_responses_are_typed_errors() {
        let cases: &[(&str, ParseError)] = &[
            ("", ParseError::NotJson),
            ("[1]", ParseError::NotJson),
            (r#"{"access_token":"#, ParseError::NotJson),
            (
                r#"{"expires_in":3600}"#,
                ParseError::MissingField("access_token"),
            ),
            (
                r#"{"access_token":"","expires_in":3600}"#,
                ParseError::MissingField("access_token"),
            ),
            (
                r#"{"access_token":5,"expires_in":3600}"#,
                ParseError::InvalidField("access_token"),
            ),
            (r#"{"access_token":"t"}"#, ParseError::NoExpiry),
            (
                r#"{"access_token":"t","expires_on":"soon"}"#,
                ParseError::InvalidField("expires_on"),
            ),
            (
                r#"{"access_token":"t","expires_on":1}"#,
                ParseError::AlreadyExpired,
            ),
            (
                r#"{"access_token":"t","expires_in":-1}"#,
                ParseError::InvalidField("expires_in"),
            ),
        ];
        for (body, want) in cases {
            assert_eq!(
                parse_token_response(body, NOW).unwrap_err(),
                *want,
                "{body}"
            );
        }
    }
}
