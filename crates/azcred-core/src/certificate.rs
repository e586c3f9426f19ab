//! PEM certificate files for `ClientCertificateCredential`: the certificates (for the
//! `x5t#S256` thumbprint and the `x5c` chain) and whether a private key is present and encrypted.
//!
//! The private key is never parsed here: the PEM text goes to the driver's `Sign` action, where
//! `node:crypto` (OpenSSL) reads and uses it. The parser is total: any text gives a value or a
//! typed error.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use sha2::{Digest, Sha256};

/// The reference's message when a PEM text holds no certificate.
pub(crate) const NO_CERTIFICATE: &str =
    "The file at the specified path does not contain a PEM-encoded certificate.";

/// What the certificate text holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Bundle {
    /// The DER of each certificate, in file order.
    pub(crate) certificates: Vec<Vec<u8>>,
    /// The private key, as far as the core needs to know.
    pub(crate) key: KeyState,
}

/// Whether the text has a private key, and whether it needs a password.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyState {
    /// No `PRIVATE KEY` block.
    Missing,
    /// A key that can be read without a password.
    Plain,
    /// An encrypted key (PKCS#8 `ENCRYPTED PRIVATE KEY`, or a traditional key with
    /// `Proc-Type: 4,ENCRYPTED`).
    Encrypted,
}

impl Bundle {
    /// Finds the certificates (`-----BEGIN CERTIFICATE-----` blocks whose body is base64, as the
    /// reference's pattern requires) and the private key blocks in `text`.
    pub(crate) fn parse(text: &str) -> Result<Self, &'static str> {
        let mut certificates = Vec::new();
        let mut key = KeyState::Missing;
        for block in blocks(text) {
            match block.label {
                "CERTIFICATE" => {
                    if let Some(der) = decode_body(block.body) {
                        certificates.push(der);
                    }
                }
                "ENCRYPTED PRIVATE KEY" => key = KeyState::Encrypted,
                label if label.ends_with("PRIVATE KEY") => {
                    let encrypted = block
                        .body
                        .lines()
                        .any(|l| l.trim().eq_ignore_ascii_case("Proc-Type: 4,ENCRYPTED"));
                    if key == KeyState::Missing || encrypted {
                        key = if encrypted {
                            KeyState::Encrypted
                        } else {
                            KeyState::Plain
                        };
                    }
                }
                _ => {}
            }
        }
        if certificates.is_empty() {
            return Err(NO_CERTIFICATE);
        }
        Ok(Self { certificates, key })
    }

    /// `x5t#S256`: base64url (no padding) of the SHA-256 of the first certificate's DER.
    pub(crate) fn thumbprint_sha256(&self) -> String {
        let first = self.certificates.first().map_or(&[][..], Vec::as_slice);
        URL_SAFE_NO_PAD.encode(Sha256::digest(first))
    }

    /// `x5c`: standard base64 of each certificate's DER, in file order.
    pub(crate) fn chain(&self) -> Vec<String> {
        self.certificates
            .iter()
            .map(|d| STANDARD.encode(d))
            .collect()
    }
}

/// One `-----BEGIN <label>-----` ... `-----END <label>-----` block.
struct Block<'a> {
    label: &'a str,
    body: &'a str,
}

/// Iterates over the PEM blocks of `text`; text outside blocks (comments, `Bag Attributes`) and
/// blocks with no matching end line are skipped.
fn blocks(text: &str) -> impl Iterator<Item = Block<'_>> {
    let mut rest = text;
    std::iter::from_fn(move || {
        loop {
            let start = rest.find("-----BEGIN ")?;
            let after = &rest[start + "-----BEGIN ".len()..];
            let Some(label_end) = after.find("-----") else {
                rest = "";
                return None;
            };
            let label = &after[..label_end];
            if label.contains(['\n', '\r']) {
                rest = after;
                continue;
            }
            let body_start = &after[label_end..].trim_start_matches('-');
            let end_marker = format!("-----END {label}-----");
            let Some(end) = body_start.find(&end_marker) else {
                rest = after;
                continue;
            };
            let body = &body_start[..end];
            rest = &body_start[end + end_marker.len()..];
            return Some(Block { label, body });
        }
    })
}

/// Decodes a certificate body: only base64 characters and line breaks are allowed (the
/// reference's `[A-Za-z0-9+/\n\r]+=*`), and it must decode to something.
fn decode_body(body: &str) -> Option<Vec<u8>> {
    let b64: String = body
        .chars()
        .filter(|c| !matches!(c, '\n' | '\r' | ' ' | '\t'))
        .collect();
    let data = b64.trim_end_matches('=');
    if data.is_empty()
        || !data
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/')
    {
        return None;
    }
    let der = STANDARD.decode(&b64).ok().or_else(|| {
        base64::engine::general_purpose::STANDARD_NO_PAD
            .decode(data)
            .ok()
    })?;
    (!der.is_empty()).then_some(der)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pem(label: &str, der: &[u8]) -> String {
        format!(
            "-----BEGIN {label}-----\n{}\n-----END {label}-----\n",
            STANDARD.encode(der)
        )
    }

    #[test]
    fn certificates_in_order_and_key_state() {
        let text = format!(
            "Bag Attributes\n{}{}{}",
            pem("PRIVATE KEY", b"key"),
            pem("CERTIFICATE", b"leaf-der"),
            pem("CERTIFICATE", b"ca-der")
        );
        let b = Bundle::parse(&text).unwrap();
        assert_eq!(
            b.certificates,
            vec![b"leaf-der".to_vec(), b"ca-der".to_vec()]
        );
        assert_eq!(b.key, KeyState::Plain);
        assert_eq!(
            b.chain(),
            vec![STANDARD.encode(b"leaf-der"), STANDARD.encode(b"ca-der")]
        );
        assert_eq!(
            b.thumbprint_sha256(),
            URL_SAFE_NO_PAD.encode(Sha256::digest(b"leaf-der"))
        );
    }

    #[test]
    fn encrypted_keys() {
        let text = format!(
            "{}{}",
            pem("CERTIFICATE", b"c"),
            pem("ENCRYPTED PRIVATE KEY", b"k")
        );
        assert_eq!(Bundle::parse(&text).unwrap().key, KeyState::Encrypted);
        let legacy = format!(
            "{}-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\nAAAA\n-----END RSA PRIVATE KEY-----\n",
            pem("CERTIFICATE", b"c")
        );
        assert_eq!(Bundle::parse(&legacy).unwrap().key, KeyState::Encrypted);
        assert_eq!(
            Bundle::parse(&pem("CERTIFICATE", b"c")).unwrap().key,
            KeyState::Missing
        );
    }

    #[test]
    fn crlf_and_wrapped_lines() {
        let b64 = STANDARD.encode([7u8; 100]);
        let wrapped = format!(
            "-----BEGIN CERTIFICATE-----\r\n{}\r\n{}\r\n-----END CERTIFICATE-----\r\n",
            &b64[..64],
            &b64[64..]
        );
        assert_eq!(
            Bundle::parse(&wrapped).unwrap().certificates,
            vec![vec![7u8; 100]]
        );
    }

    #[test]
    fn no_certificate_and_hostile_text() {
        for text in [
            "",
            "garbage",
            "-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----",
            "-----BEGIN CERTIFICATE-----\nAAAA\n",
            "-----BEGIN CERTIFICATE-----\n\n-----END CERTIFICATE-----",
            "-----BEGIN -----END ",
            "-----BEGIN CERTIFICATE",
            "\u{0}\u{1}-----BEGIN \n-----",
        ] {
            assert_eq!(Bundle::parse(text).unwrap_err(), NO_CERTIFICATE, "{text:?}");
        }
        // A PKCS#12 file read as text is not PEM.
        let pfx = String::from_utf8_lossy(&[0x30, 0x82, 0x0a, 0x00, 0xff, 0xfe]).into_owned();
        assert!(Bundle::parse(&pfx).is_err());
    }
}
