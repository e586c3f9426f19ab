//! HTTP requests and responses as plain data. The driver sends them; the core never does.

use std::fmt;

use crate::secret::Secret;

/// Header names whose values are secrets: redacted in `Debug`.
const SECRET_HEADERS: &[&str] = &["authorization", "x-identity-header", "secret"];

/// An HTTP method.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "UPPERCASE"))]
pub enum Method {
    /// `GET`
    Get,
    /// `POST`
    Post,
}

impl Method {
    /// The method's name on the wire (`GET`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Get => "GET",
            Self::Post => "POST",
        }
    }
}

/// Ordered header name/value pairs. Crosses the bindings as a plain object.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Headers(Vec<(String, String)>);

impl Headers {
    /// Builds an empty header list.
    pub fn new() -> Self {
        Self(Vec::new())
    }

    /// Appends a header.
    pub fn push(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.0.push((name.into(), value.into()));
    }

    /// Returns the first value of `name`, compared case-insensitively.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Iterates over the pairs in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(n, v)| (n.as_str(), v.as_str()))
    }
}

impl<K: Into<String>, V: Into<String>> FromIterator<(K, V)> for Headers {
    fn from_iter<T: IntoIterator<Item = (K, V)>>(iter: T) -> Self {
        Self(
            iter.into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        )
    }
}

impl fmt::Debug for Headers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut map = f.debug_map();
        for (name, value) in &self.0 {
            if SECRET_HEADERS.iter().any(|s| name.eq_ignore_ascii_case(s)) {
                map.entry(name, &"[redacted]");
            } else {
                map.entry(name, value);
            }
        }
        map.finish()
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for Headers {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (name, value) in &self.0 {
            map.serialize_entry(name, value)?;
        }
        map.end()
    }
}

#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for Headers {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = Headers;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object of header names to string values")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut a: A,
            ) -> Result<Headers, A::Error> {
                let mut out = Vec::new();
                while let Some((k, v)) = a.next_entry::<String, HeaderValue>()? {
                    out.push((k, v.0));
                }
                Ok(Headers(out))
            }
        }
        d.deserialize_map(Visit)
    }
}

/// A header value as Node reports it: a string, or an array for repeated headers.
#[cfg(feature = "serde")]
struct HeaderValue(String);

#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for HeaderValue {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(serde::Deserialize)]
        #[serde(untagged)]
        enum Raw {
            One(String),
            Many(Vec<String>),
        }
        Ok(match Raw::deserialize(d)? {
            Raw::One(s) => Self(s),
            Raw::Many(v) => Self(v.join(", ")),
        })
    }
}

/// An HTTP request for the driver to send.
#[derive(Clone, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "camelCase"))]
pub struct HttpRequest {
    /// The method.
    pub method: Method,
    /// The absolute URL, query included.
    pub url: String,
    /// The headers, in order.
    pub headers: Headers,
    /// The body (form bodies may carry secrets, so it is always redacted in `Debug`); bytes for
    /// the bindings (a `Buffer` or `Uint8Array`).
    #[cfg_attr(
        feature = "serde",
        serde(
            skip_serializing_if = "Option::is_none",
            serialize_with = "serialize_body"
        )
    )]
    pub body: Option<Secret>,
    /// Whether proxies from `HTTPS_PROXY`/`HTTP_PROXY` may be used. Managed-identity endpoints are
    /// always reached directly.
    pub allow_proxy: bool,
    /// The proxy to send this request through (decided by the core from `HTTPS_PROXY`,
    /// `ALL_PROXY`, `HTTP_PROXY` and `NO_PROXY`), or `None` to connect directly. It may hold
    /// credentials, so it is a secret.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub proxy: Option<Secret>,
    /// SHA-256 or SHA-1 thumbprint (upper-case hex) that the server certificate must match, in
    /// place of chain validation (Service Fabric's `IDENTITY_SERVER_THUMBPRINT`).
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub pinned_thumbprint: Option<String>,
}

impl HttpRequest {
    /// Builds a `GET` with no headers.
    pub fn get(url: impl Into<String>) -> Self {
        Self {
            method: Method::Get,
            url: url.into(),
            headers: Headers::new(),
            body: None,
            allow_proxy: false,
            proxy: None,
            pinned_thumbprint: None,
        }
    }

    /// Builds a `POST` with a form body.
    pub fn post_form(url: impl Into<String>, body: Secret) -> Self {
        let mut headers = Headers::new();
        headers.push(
            "Content-Type",
            "application/x-www-form-urlencoded;charset=utf-8",
        );
        Self {
            method: Method::Post,
            url: url.into(),
            headers,
            body: Some(body),
            allow_proxy: false,
            proxy: None,
            pinned_thumbprint: None,
        }
    }

    /// Adds a header, builder style.
    pub fn header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.push(name, value);
        self
    }
}

/// A request body, as bytes: the bindings hand bodies over as a `Buffer` or `Uint8Array`.
#[cfg(feature = "serde")]
fn serialize_body<S: serde::Serializer>(body: &Option<Secret>, s: S) -> Result<S::Ok, S::Error> {
    match body {
        Some(b) => s.serialize_bytes(b.expose().as_bytes()),
        None => s.serialize_none(),
    }
}

/// A text body (the page the sign-in listener answers with), as bytes, as [`serialize_body`].
#[cfg(feature = "serde")]
pub(crate) fn serialize_text_bytes<S: serde::Serializer>(
    text: &str,
    s: S,
) -> Result<S::Ok, S::Error> {
    s.serialize_bytes(text.as_bytes())
}

/// The response the driver received.
#[derive(Clone)]
#[cfg_attr(feature = "serde", derive(serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "camelCase"))]
pub struct HttpResponse {
    /// The status code.
    pub status: u16,
    /// The headers (names as the server sent them; compare case-insensitively).
    #[cfg_attr(feature = "serde", serde(default))]
    pub headers: Headers,
    /// The body, read as UTF-8 with invalid sequences replaced (see [`crate::wire::Tree`]: the
    /// driver hands it over as bytes).
    #[cfg_attr(feature = "serde", serde(default))]
    pub body: String,
}

impl HttpResponse {
    /// Builds a response (tests and drivers).
    pub fn new(status: u16, body: impl Into<String>) -> Self {
        Self {
            status,
            headers: Headers::new(),
            body: body.into(),
        }
    }

    /// Adds a header, builder style.
    pub fn header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.push(name, value);
        self
    }
}

impl fmt::Debug for HttpResponse {
    /// The body may hold a token: only its length is shown.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpResponse")
            .field("status", &self.status)
            .field("headers", &self.headers)
            .field("body_len", &self.body.len())
            .finish()
    }
}

/// azcred's version, which is the npm package's.
pub(crate) const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The `User-Agent` of every request: `[prefix ]azcred/<version> Node/<version> (<os>; <arch>)`,
/// or `azcred/<version>` alone when the driver did not say what it runs on.
pub(crate) fn user_agent(prefix: Option<&str>, host: Option<&crate::env::HostInfo>) -> String {
    let mut out = String::new();
    if let Some(p) = prefix.map(str::trim).filter(|p| !p.is_empty()) {
        out.push_str(p);
        out.push(' ');
    }
    out.push_str("azcred/");
    out.push_str(VERSION);
    if let Some(h) = host.filter(|h| !h.runtime.is_empty()) {
        out.push_str(&format!(
            " {}/{} ({}; {})",
            h.runtime, h.version, h.os, h.arch
        ));
    }
    // A header value may not hold control characters; a prefix from the caller might.
    out.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// Percent-encodes a query or form component (`application/x-www-form-urlencoded` rules).
pub(crate) fn encode_component(s: &str) -> String {
    use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
    const SET: &AsciiSet = &NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'_')
        .remove(b'.')
        .remove(b'~');
    utf8_percent_encode(s, SET).to_string()
}

/// Builds `a=1&b=2` from pairs, encoding each component.
pub(crate) fn form(pairs: &[(&str, &str)]) -> String {
    let mut out = String::new();
    for (k, v) in pairs {
        if !out.is_empty() {
            out.push('&');
        }
        out.push_str(&encode_component(k));
        out.push('=');
        out.push_str(&encode_component(v));
    }
    out
}

/// Appends a query string to `url` with `?` or `&`, as the reference does.
pub(crate) fn with_query(url: &str, query: &str) -> String {
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}{query}")
}
