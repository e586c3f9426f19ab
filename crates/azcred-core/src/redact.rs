//! The one scrub rule for text a peer sends back (an error body, a transport message): every
//! secret a flow sent is replaced in every encoding it was sent in, *before* the text is
//! shortened (so a secret cut in two by the excerpt cannot leave a part behind), and then the
//! text is bounded with control characters replaced ([`excerpt`]).
//!
//! A secret can come back as it was sent (a header value), form-encoded (`%2B`, `%2f`, `+` for
//! a space: a form body), JSON-escaped (`\"`, `\\`, `\/`, `\u0041`: an endpoint quoting the
//! body), or base64 (a `Basic` credential of `user:secret`). Each flow builds one [`Scrubber`]
//! from what it sends and passes every peer text through [`Scrubber::scrub`].

use base64::Engine;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC};

use crate::secret::Secret;
use crate::source::excerpt;

/// A secret shorter than this is not scrubbed: replacing every `a` or `12` of a message would
/// make it unreadable and tell an attacker the secret anyway.
const MIN_SECRET_LEN: usize = 4;

/// What `http::encode_component` leaves as it is.
const OURS: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');
/// What JS's `encodeURIComponent` leaves as it is.
const ENCODE_URI_COMPONENT: &AsciiSet = &OURS
    .remove(b'!')
    .remove(b'*')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')');
/// What the WHATWG `application/x-www-form-urlencoded` serializer (`URLSearchParams`) leaves.
const WWW_FORM: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'*')
    .remove(b'-')
    .remove(b'.')
    .remove(b'_');

/// The replacement for a secret.
const REDACTED: &str = "[redacted]";

/// The secrets one flow sent, in every encoding a peer may echo them in.
#[derive(Clone, Default)]
pub(crate) struct Scrubber {
    /// Encoded forms, longest first, so a longer encoding is replaced before a shorter one that
    /// it contains.
    needles: Vec<String>,
}

impl std::fmt::Debug for Scrubber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Scrubber({} forms)", self.needles.len())
    }
}

impl Scrubber {
    /// A scrubber that knows no secret yet.
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// Adds a secret the flow sends as it is, in a form body or in a query string.
    pub(crate) fn add(&mut self, secret: &Secret) {
        self.add_str(secret.expose());
    }

    /// Adds a credential the flow (or its driver) sends as `Basic base64(user:password)`: the
    /// password in every encoding, and the base64 of the pair.
    pub(crate) fn add_basic(&mut self, user: &str, password: &Secret) {
        self.add(password);
        if password.expose().len() >= MIN_SECRET_LEN {
            let pair = format!("{user}:{}", password.expose());
            self.push(base64::engine::general_purpose::STANDARD.encode(&pair));
            self.push(base64::engine::general_purpose::STANDARD_NO_PAD.encode(&pair));
        }
    }

    /// Adds the credentials of a URL's user information (`http://user:password@host`, as a
    /// proxy URL carries them; the driver sends them as a `Basic` credential).
    pub(crate) fn add_url_credentials(&mut self, url: &Secret) {
        let url = url.expose();
        let rest = url.split_once("://").map_or(url, |(_, r)| r);
        let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
        let Some((userinfo, _)) = authority.rsplit_once('@') else {
            return;
        };
        let decode = |p: &str| {
            percent_encoding::percent_decode_str(p)
                .decode_utf8_lossy()
                .into_owned()
        };
        let (user, password) = userinfo.split_once(':').unwrap_or((userinfo, ""));
        self.add_str(userinfo);
        self.add_basic(&decode(user), &Secret::new(decode(password)));
    }

    fn add_str(&mut self, s: &str) {
        if s.len() < MIN_SECRET_LEN {
            return;
        }
        self.push(s.to_owned());
        // Form / query encoding, as `http::form` sends it and as other encoders write it (JS's
        // `encodeURIComponent`, WHATWG `application/x-www-form-urlencoded`): upper- and
        // lower-case hex, `%20` or `+` for a space.
        for set in [OURS, ENCODE_URI_COMPONENT, WWW_FORM] {
            let upper = percent_encoding::utf8_percent_encode(s, set).to_string();
            self.push(upper.replace("%20", "+"));
            self.push(lower_hex(&upper));
            self.push(lower_hex(&upper).replace("%20", "+"));
            self.push(upper);
        }
        // JSON string escaping: serde_json's (`\"`, `\\`, control characters), with `\/` as
        // some encoders write a slash, and with every non-ASCII character as `\uXXXX`.
        let json = serde_json::to_string(s).unwrap_or_default();
        let json = json
            .strip_prefix('"')
            .and_then(|j| j.strip_suffix('"'))
            .unwrap_or_default()
            .to_owned();
        self.push(json.replace('/', "\\/"));
        self.push(ascii_json(&json));
        self.push(json);
        // Base64 of the secret alone.
        self.push(base64::engine::general_purpose::STANDARD.encode(s));
        self.push(base64::engine::general_purpose::STANDARD_NO_PAD.encode(s));
    }

    fn push(&mut self, needle: String) {
        if needle.len() >= MIN_SECRET_LEN && !self.needles.contains(&needle) {
            let at = self.needles.partition_point(|n| n.len() >= needle.len());
            self.needles.insert(at, needle);
        }
    }

    /// `text` with every known secret replaced, then at most `max` characters with control
    /// characters replaced.
    pub(crate) fn scrub(&self, text: &str, max: usize) -> String {
        let mut out = text.to_owned();
        for n in &self.needles {
            if out.contains(n.as_str()) {
                out = out.replace(n.as_str(), REDACTED);
            }
        }
        excerpt(&out, max)
    }
}

/// `%2B` as `%2b`.
fn lower_hex(encoded: &str) -> String {
    let mut out = String::with_capacity(encoded.len());
    let mut left = 0;
    for c in encoded.chars() {
        if c == '%' {
            left = 2;
            out.push(c);
        } else if left > 0 {
            left -= 1;
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// A JSON-escaped string with every non-ASCII character as `\uXXXX` (UTF-16 units).
fn ascii_json(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            let mut units = [0u16; 2];
            for u in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{u:04x}"));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "a+b/c=d!e\"f\\g h~é";

    fn scrubber() -> Scrubber {
        let mut s = Scrubber::new();
        s.add(&Secret::new(SECRET));
        s
    }

    #[test]
    fn every_encoding_of_a_secret_is_replaced() {
        let s = scrubber();
        let form = crate::http::encode_component(SECRET);
        let quoted = serde_json::to_string(SECRET).unwrap();
        let json = quoted[1..quoted.len() - 1].to_owned();
        for echoed in [
            SECRET.to_owned(),
            form.clone(),
            form.replace("%20", "+"),
            lower_hex(&form),
            json.clone(),
            json.replace('/', "\\/"),
            ascii_json(&json),
            base64::engine::general_purpose::STANDARD.encode(SECRET),
        ] {
            let out = s.scrub(&format!("bad value <{echoed}> sent"), 1000);
            assert_eq!(out, "bad value <[redacted]> sent", "{echoed}");
        }
    }

    #[test]
    fn a_basic_credential_is_replaced_as_base64_of_the_pair() {
        let mut s = Scrubber::new();
        s.add_basic("user", &Secret::new("pa:ss=word"));
        let b = base64::engine::general_purpose::STANDARD.encode("user:pa:ss=word");
        assert_eq!(s.scrub(&format!("Basic {b}"), 100), "Basic [redacted]");
    }

    #[test]
    fn a_proxy_url_password_is_replaced_decoded_and_as_basic() {
        let mut s = Scrubber::new();
        s.add_url_credentials(&Secret::new("http://u:p%40ss%2Bw0rd@proxy.example:3128"));
        assert_eq!(s.scrub("bad p@ss+w0rd", 100), "bad [redacted]");
        let b = base64::engine::general_purpose::STANDARD.encode("u:p@ss+w0rd");
        assert_eq!(s.scrub(&format!("got {b}"), 100), "got [redacted]");
    }

    #[test]
    fn the_secret_is_removed_before_the_text_is_shortened() {
        let s = scrubber();
        let text = format!("{}{SECRET}", "x".repeat(295));
        let out = s.scrub(&text, 300);
        assert!(!out.contains("a+b"), "{out}");
    }

    #[test]
    fn short_secrets_are_left_alone() {
        let mut s = Scrubber::new();
        s.add(&Secret::new("ab"));
        assert_eq!(s.scrub("abc", 10), "abc");
    }
}
