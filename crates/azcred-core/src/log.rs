//! Log records: what the core tells the driver to write, and at which level. The core decides
//! every line (its level and its words, in the reference's `azure:identity` format); the driver
//! only hands each [`LogRecord`] to its logger. Records are built only for the levels the driver
//! said it writes, so a credential with logging off does no formatting at all.
//!
//! No record holds a secret: messages are built from descriptions and errors, which never hold
//! one, and from URLs passed through [`sanitize_url`].

use crate::time::Timestamp;

/// How much is logged, from the least to the most (the order of `@azure/logger`'s levels).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "lowercase"))]
pub enum LogLevel {
    /// Failures.
    Error,
    /// Retries and fallbacks.
    Warning,
    /// Which credential was chosen, skipped or used, and the outcome of each `getToken`.
    Info,
    /// Every request and process run as well.
    Verbose,
}

/// One line for the driver's logger (`azure:identity:<level>`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct LogRecord {
    /// The level to write it at.
    pub level: LogLevel,
    /// The whole message, e.g. `ManagedIdentityCredential => getToken() => SUCCESS. Scopes: ...`.
    pub message: String,
}

/// Records kept for one credential or flow until the driver takes them. Bounded, so a driver
/// that never takes them cannot make it grow without end.
#[derive(Debug, Clone, Default)]
pub(crate) struct Log {
    level: Option<LogLevel>,
    records: Vec<LogRecord>,
}

/// Records kept at most before the oldest are dropped.
const MAX_RECORDS: usize = 256;

impl Log {
    /// A log that keeps records up to `level` (none when `None`).
    pub(crate) fn new(level: Option<LogLevel>) -> Self {
        Self {
            level,
            records: Vec::new(),
        }
    }

    /// The most verbose level kept.
    pub(crate) fn level(&self) -> Option<LogLevel> {
        self.level
    }

    /// Changes the most verbose level kept.
    pub(crate) fn set_level(&mut self, level: Option<LogLevel>) {
        self.level = level;
    }

    /// Whether records at `level` are kept.
    pub(crate) fn enabled(&self, level: LogLevel) -> bool {
        self.level.is_some_and(|max| level <= max)
    }

    /// Keeps the record `message()` at `level`, building it only when that level is kept.
    pub(crate) fn emit(&mut self, level: LogLevel, message: impl FnOnce() -> String) {
        if !self.enabled(level) {
            return;
        }
        if self.records.len() >= MAX_RECORDS {
            self.records.remove(0);
        }
        self.records.push(LogRecord {
            level,
            message: message(),
        });
    }

    /// Keeps records taken from another log, in order.
    pub(crate) fn extend(&mut self, records: Vec<LogRecord>) {
        for r in records {
            let message = r.message;
            self.emit(r.level, || message);
        }
    }

    /// Takes every record kept so far.
    pub(crate) fn take(&mut self) -> Vec<LogRecord> {
        std::mem::take(&mut self.records)
    }
}

/// `SUCCESS. Scopes: a, b.` (the reference's `formatSuccess`).
pub(crate) fn success(scopes: &[String]) -> String {
    format!("SUCCESS. Scopes: {}.", scopes.join(", "))
}

/// `ERROR. Scopes: a, b. Error message: m.` (the reference's `formatError`).
pub(crate) fn error(scopes: &[String], message: &str) -> String {
    let mut out = "ERROR.".to_owned();
    if !scopes.is_empty() {
        out.push_str(&format!(" Scopes: {}.", scopes.join(", ")));
    }
    out.push_str(&format!(" Error message: {message}."));
    out
}

/// Milliseconds from `from` to `to`, for "in N ms".
pub(crate) fn elapsed_ms(from: Timestamp, to: Timestamp) -> u64 {
    to.as_millis().saturating_sub(from.as_millis())
}

/// The URL with every query value but `api-version` replaced by `REDACTED` (as the reference's
/// request log shows them) and any user information removed; fragments dropped.
pub(crate) fn sanitize_url(url: &str) -> String {
    let url = url.split('#').next().unwrap_or_default();
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let base = match base.split_once("://") {
        Some((scheme, rest)) => {
            let (authority, path) = match rest.find('/') {
                Some(i) => rest.split_at(i),
                None => (rest, ""),
            };
            let host = authority.rsplit('@').next().unwrap_or(authority);
            format!("{scheme}://{host}{path}")
        }
        None => base.to_owned(),
    };
    let Some(query) = query else { return base };
    let pairs: Vec<String> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) if k.eq_ignore_ascii_case("api-version") => format!("{k}={v}"),
            Some((k, _)) => format!("{k}=REDACTED"),
            None => p.to_owned(),
        })
        .collect();
    format!("{base}?{}", pairs.join("&"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_are_kept_up_to_the_one_set() {
        let mut log = Log::new(Some(LogLevel::Info));
        log.emit(LogLevel::Verbose, || {
            panic!("not built when verbose is off")
        });
        log.emit(LogLevel::Warning, || "w".to_owned());
        log.emit(LogLevel::Info, || "i".to_owned());
        let levels: Vec<_> = log.take().into_iter().map(|r| r.level).collect();
        assert_eq!(levels, [LogLevel::Warning, LogLevel::Info]);
        assert!(log.take().is_empty());
    }

    #[test]
    fn a_log_with_no_level_builds_nothing() {
        let mut log = Log::new(None);
        log.emit(LogLevel::Error, || panic!("not built"));
        assert!(log.take().is_empty());
    }

    #[test]
    fn records_are_bounded() {
        let mut log = Log::new(Some(LogLevel::Verbose));
        for i in 0..(MAX_RECORDS + 10) {
            log.emit(LogLevel::Info, || i.to_string());
        }
        let records = log.take();
        assert_eq!(records.len(), MAX_RECORDS);
        assert_eq!(records[0].message, "10");
    }

    #[test]
    fn urls_keep_only_the_api_version_and_lose_user_information() {
        assert_eq!(
            sanitize_url(
                "http://127.0.0.1:1/msi/token?api-version=2019-08-01&resource=https%3A%2F%2Fs"
            ),
            "http://127.0.0.1:1/msi/token?api-version=2019-08-01&resource=REDACTED"
        );
        assert_eq!(
            sanitize_url("https://u:p@login.example/t/oauth2/v2.0/token?client-request-id=x#f"),
            "https://login.example/t/oauth2/v2.0/token?client-request-id=REDACTED"
        );
        assert_eq!(sanitize_url("http://h/p"), "http://h/p");
    }

    #[test]
    fn messages_follow_the_reference_wording() {
        let scopes = vec!["a".to_owned(), "b".to_owned()];
        assert_eq!(success(&scopes), "SUCCESS. Scopes: a, b.");
        assert_eq!(
            error(&scopes, "m"),
            "ERROR. Scopes: a, b. Error message: m."
        );
        assert_eq!(error(&[], "m"), "ERROR. Error message: m.");
    }
}
