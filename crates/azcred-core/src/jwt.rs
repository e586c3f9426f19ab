//! The client assertion JWT of `ClientCertificateCredential`, as MSAL builds it: the signing
//! input is made here, the RSA-PSS signature by the driver's `Sign` action.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::json;

use crate::retry::Rng;
use crate::time::Timestamp;

/// How long an assertion is valid (MSAL's 600 s).
pub(crate) const ASSERTION_LIFETIME_SECS: u64 = 600;

/// A random UUID v4 in the canonical 8-4-4-4-12 lower-case form.
pub(crate) fn uuid_v4(rng: &mut Rng) -> String {
    let mut b = [0u8; 16];
    b[..8].copy_from_slice(&rng.next_u64().to_be_bytes());
    b[8..].copy_from_slice(&rng.next_u64().to_be_bytes());
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

/// The parts of a certificate assertion.
#[derive(Debug, Clone)]
pub(crate) struct AssertionClaims<'a> {
    /// The app's client id (`iss` and `sub`).
    pub(crate) client_id: &'a str,
    /// The token endpoint the assertion is for (`aud`).
    pub(crate) audience: &'a str,
    /// `x5t#S256`.
    pub(crate) thumbprint_sha256: &'a str,
    /// `x5c`, when the certificate chain is sent.
    pub(crate) chain: Option<Vec<String>>,
}

/// Builds the JWS signing input `base64url(header).base64url(payload)` for an assertion issued
/// at `now`. Header and payload keys are in MSAL's order (jsonwebtoken appends `iat` last).
pub(crate) fn signing_input(claims: &AssertionClaims<'_>, now: Timestamp, jti: &str) -> String {
    let iat = now.as_millis() / 1000;
    let mut header = format!(
        r#"{{"alg":"PS256","typ":"JWT","x5t#S256":{}"#,
        json!(claims.thumbprint_sha256)
    );
    if let Some(chain) = &claims.chain {
        header.push_str(&format!(r#","x5c":{}"#, json!(chain)));
    }
    header.push('}');
    let payload = format!(
        r#"{{"aud":{},"exp":{},"iss":{},"sub":{},"nbf":{iat},"jti":{},"iat":{iat}}}"#,
        json!(claims.audience),
        iat + ASSERTION_LIFETIME_SECS,
        json!(claims.client_id),
        json!(claims.client_id),
        json!(jti),
    );
    format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header),
        URL_SAFE_NO_PAD.encode(payload)
    )
}

/// The `[Authenticated account]` line the reference logs for `allowLoggingAccountIdentifiers`,
/// from the claims of an access token (`appid`, `tid`, `upn`, `oid`), or `None` when the token
/// is not a JWT with a JSON payload. Only those four claims are read; the token never appears.
pub(crate) fn account_identifiers(token: &str) -> Option<String> {
    let payload = token.split('.').nth(1)?;
    let bytes = URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
    let claims: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    let claim = |name: &str| match claims.get(name) {
        Some(serde_json::Value::String(s)) => crate::source::excerpt(s, 200),
        Some(serde_json::Value::Null) | None => "undefined".to_owned(),
        Some(other) => crate::source::excerpt(&other.to_string(), 200),
    };
    let upn = match claims.get("upn").and_then(serde_json::Value::as_str) {
        Some(u) if !u.is_empty() => crate::source::excerpt(u, 200),
        _ => "No User Principal Name available".to_owned(),
    };
    Some(format!(
        "[Authenticated account] Client ID: {}. Tenant ID: {}. User Principal Name: {upn}. Object ID (user): {}",
        claim("appid"),
        claim("tid"),
        claim("oid"),
    ))
}

/// Whether `s` is a non-empty base64url string without padding (a JWS signature).
pub(crate) fn is_base64url(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod tests {
    #[test]
    fn account_identifiers_come_from_the_token_claims_only() {
        let payload =
            URL_SAFE_NO_PAD.encode(r#"{"appid":"app","tid":"ten","oid":"obj","secret":"no"}"#);
        let token = format!("h.{payload}.sig");
        assert_eq!(
            account_identifiers(&token).unwrap(),
            "[Authenticated account] Client ID: app. Tenant ID: ten. User Principal Name: No User \
             Principal Name available. Object ID (user): obj"
        );
        assert!(account_identifiers("opaque-token").is_none());
        assert!(account_identifiers("a.!!!.c").is_none());
    }

    use super::*;

    fn decode(part: &str) -> serde_json::Value {
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
    }

    #[test]
    fn uuids_are_v4() {
        let mut rng = Rng::new(1);
        let a = uuid_v4(&mut rng);
        let b = uuid_v4(&mut rng);
        assert_ne!(a, b);
        for u in [a, b] {
            assert_eq!(u.len(), 36);
            assert_eq!(&u[14..15], "4");
            assert!(matches!(&u[19..20], "8" | "9" | "a" | "b"), "{u}");
            assert_eq!(u.matches('-').count(), 4);
        }
    }

    #[test]
    fn header_and_payload() {
        let claims = AssertionClaims {
            client_id: "app",
            audience: "https://login.microsoftonline.com/t/oauth2/v2.0/token",
            thumbprint_sha256: "abc_-",
            chain: Some(vec!["AAAA".into(), "BBBB".into()]),
        };
        let input = signing_input(&claims, Timestamp::from_millis(1_700_000_000_900), "j");
        let (h, p) = input.split_once('.').unwrap();
        let h_raw = String::from_utf8(URL_SAFE_NO_PAD.decode(h).unwrap()).unwrap();
        assert_eq!(
            h_raw,
            r#"{"alg":"PS256","typ":"JWT","x5t#S256":"abc_-","x5c":["AAAA","BBBB"]}"#
        );
        let p_raw = String::from_utf8(URL_SAFE_NO_PAD.decode(p).unwrap()).unwrap();
        assert_eq!(
            p_raw,
            r#"{"aud":"https://login.microsoftonline.com/t/oauth2/v2.0/token","exp":1700000600,"iss":"app","sub":"app","nbf":1700000000,"jti":"j","iat":1700000000}"#
        );
        let no_chain = AssertionClaims {
            chain: None,
            ..claims
        };
        let input = signing_input(&no_chain, Timestamp::from_secs(1), "j");
        let h = decode(input.split('.').next().unwrap());
        assert!(h.get("x5c").is_none());
    }

    #[test]
    fn base64url_check() {
        assert!(is_base64url("ab-_09"));
        assert!(!is_base64url(""));
        assert!(!is_base64url("ab+/"));
        assert!(!is_base64url("ab="));
    }
}
