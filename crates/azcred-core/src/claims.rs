//! The `claims` form parameter of an Entra token request, built as MSAL's `buildMergedClaims`
//! does: the caller's claims JSON, MSAL's optional `id_token` claims, and for CAE the client
//! capability `xms_cc: ["cp1"]` under `access_token`. Key order is kept as JavaScript keeps it
//! (insertion order; a repeated key keeps its first position and its last value).

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use serde_json::Value;

/// The message when `claims` is not a JSON object (MSAL's `invalid_claims` error).
pub(crate) const INVALID_CLAIMS: &str = "invalid_claims: the claims parameter must be a stringified JSON object. See https://aka.ms/msal.js.errors#invalid_claims for details";

/// A JSON value whose objects keep their key order.
#[derive(Debug, Clone, PartialEq)]
enum Json {
    Object(Vec<(String, Self)>),
    Array(Vec<Self>),
    Scalar(Value),
}

impl Json {
    fn object_mut(&mut self, key: &str) -> Option<&mut Vec<(String, Self)>> {
        let Self::Object(entries) = self else {
            return None;
        };
        if !entries.iter().any(|(k, _)| k == key) {
            entries.push((key.to_owned(), Self::Object(Vec::new())));
        }
        match entries.iter_mut().find(|(k, _)| k == key) {
            Some((_, Self::Object(inner))) => Some(inner),
            _ => None,
        }
    }
}

fn set(entries: &mut Vec<(String, Json)>, key: String, value: Json) {
    match entries.iter_mut().find(|(k, _)| *k == key) {
        Some((_, v)) => *v = value,
        None => entries.push((key, value)),
    }
}

impl<'de> Deserialize<'de> for Json {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Json;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("JSON")
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Json, E> {
                Ok(Json::Scalar(Value::Bool(v)))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Json, E> {
                Ok(Json::Scalar(Value::from(v)))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Json, E> {
                Ok(Json::Scalar(Value::from(v)))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Json, E> {
                Ok(Json::Scalar(Value::from(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Json, E> {
                Ok(Json::Scalar(Value::String(v.to_owned())))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Json, E> {
                Ok(Json::Scalar(Value::Null))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<Json, A::Error> {
                let mut out = Vec::new();
                while let Some(v) = a.next_element()? {
                    out.push(v);
                }
                Ok(Json::Array(out))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<Json, A::Error> {
                let mut out = Vec::new();
                while let Some((k, v)) = a.next_entry::<String, Json>()? {
                    set(&mut out, k, v);
                }
                Ok(Json::Object(out))
            }
        }
        d.deserialize_any(V)
    }
}

impl Serialize for Json {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Object(entries) => {
                let mut m = s.serialize_map(Some(entries.len()))?;
                for (k, v) in entries {
                    m.serialize_entry(k, v)?;
                }
                m.end()
            }
            Self::Array(items) => {
                let mut q = s.serialize_seq(Some(items.len()))?;
                for v in items {
                    q.serialize_element(v)?;
                }
                q.end()
            }
            Self::Scalar(v) => v.serialize(s),
        }
    }
}

/// MSAL's `StringUtils.isEmptyObj`: claims count only when they parse to something with keys.
fn is_present(claims: &str) -> bool {
    match serde_json::from_str::<Json>(claims) {
        Ok(Json::Object(e)) => !e.is_empty(),
        Ok(Json::Array(a)) => !a.is_empty(),
        Ok(Json::Scalar(Value::String(s))) => !s.is_empty(),
        _ => false,
    }
}

/// The `claims` parameter for a request with the caller's `claims` and `enable_cae`, or `None`
/// when none is sent. Claims that are present but not a JSON object are an error.
pub(crate) fn merged(
    claims: Option<&str>,
    enable_cae: bool,
) -> Result<Option<String>, &'static str> {
    // Without CAE, MSAL sends claims only when they parse to something non-empty; with CAE it
    // always sends them, and then the caller's claims must be an object.
    let claims = claims.filter(|c| !c.is_empty());
    if !enable_cae && !claims.is_some_and(is_present) {
        return Ok(None);
    }
    let mut root = match claims {
        Some(c) => match serde_json::from_str::<Json>(c) {
            Ok(v @ Json::Object(_)) => v,
            _ => return Err(INVALID_CLAIMS),
        },
        None => Json::Object(Vec::new()),
    };
    if let Some(id_token) = root.object_mut("id_token") {
        for key in ["signin_state", "login_hint", "tenant_region_sub_scope"] {
            if !id_token.iter().any(|(k, _)| k == key) {
                let optional = Json::Object(vec![(
                    "essential".to_owned(),
                    Json::Scalar(Value::Bool(false)),
                )]);
                id_token.push((key.to_owned(), optional));
            }
        }
    }
    if enable_cae {
        if let Some(access_token) = root.object_mut("access_token") {
            let cp1 = Json::Object(vec![(
                "values".to_owned(),
                Json::Array(vec![Json::Scalar(Value::String("cp1".to_owned()))]),
            )]);
            set(access_token, "xms_cc".to_owned(), cp1);
        }
    }
    Ok(serde_json::to_string(&root).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID_TOKEN: &str = r#""id_token":{"signin_state":{"essential":false},"login_hint":{"essential":false},"tenant_region_sub_scope":{"essential":false}}"#;

    #[test]
    fn cae_alone_is_the_references_claims() {
        assert_eq!(
            merged(None, true).unwrap().unwrap(),
            format!(r#"{{{ID_TOKEN},"access_token":{{"xms_cc":{{"values":["cp1"]}}}}}}"#)
        );
    }

    #[test]
    fn nothing_without_claims_or_cae() {
        for c in [
            None,
            Some(""),
            Some("{}"),
            Some("not json"),
            Some("5"),
            Some("null"),
        ] {
            assert_eq!(merged(c, false).unwrap(), None, "{c:?}");
        }
    }

    #[test]
    fn caller_claims_keep_their_order_and_merge_cp1() {
        let challenge = r#"{"access_token":{"nbf":{"value":"1700000000","essential":true}}}"#;
        assert_eq!(
            merged(Some(challenge), true).unwrap().unwrap(),
            format!(
                r#"{{"access_token":{{"nbf":{{"value":"1700000000","essential":true}},"xms_cc":{{"values":["cp1"]}}}},{ID_TOKEN}}}"#
            )
        );
        assert_eq!(
            merged(Some(challenge), false).unwrap().unwrap(),
            format!(
                r#"{{"access_token":{{"nbf":{{"value":"1700000000","essential":true}}}},{ID_TOKEN}}}"#
            )
        );
        // A caller's own id_token entry wins over the defaults; a repeated key keeps its place.
        let own = r#"{"z":1,"id_token":{"login_hint":{"essential":true}},"z":2}"#;
        assert_eq!(
            merged(Some(own), false).unwrap().unwrap(),
            r#"{"z":2,"id_token":{"login_hint":{"essential":true},"signin_state":{"essential":false},"tenant_region_sub_scope":{"essential":false}}}"#
        );
    }

    #[test]
    fn present_but_not_an_object_is_an_error() {
        assert_eq!(merged(Some("[1]"), false), Err(INVALID_CLAIMS));
        assert_eq!(merged(Some(r#""abc""#), true), Err(INVALID_CLAIMS));
        assert_eq!(merged(Some("not json"), true), Err(INVALID_CLAIMS));
    }
}
