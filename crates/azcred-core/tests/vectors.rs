//! Runs the shared vectors in `tests/vectors/*.json` through the core's typed surface (`wire`),
//! the same surface both bindings expose, with values decoded from and encoded to JSON as the
//! bindings decode and encode JS objects; `tests/e2e/vectors.test.js` runs the same files
//! through the native addon and the wasm module.

use azcred_core::wire::{WireCredential, WireError};
use azcred_core::{EnvSnapshot, Options, Reply, TokenRequest};
use serde::de::DeserializeOwned;
use serde_json::Value;

/// Decodes a vector's value as the bindings decode a JS object.
fn decode<T: DeserializeOwned>(v: &Value, what: &str) -> Result<T, WireError> {
    serde_json::from_value(v.clone())
        .map_err(|e| WireError::undecodable("InvalidConfig", what, &e.to_string()))
}

fn json<T: serde::Serialize>(v: &T) -> Value {
    serde_json::to_value(v).expect("serializable")
}

/// Whether every field of `want` is in `got` with the same value (arrays element by element).
fn subset(want: &Value, got: &Value) -> bool {
    match (want, got) {
        (Value::Object(w), Value::Object(g)) => w
            .iter()
            .all(|(k, v)| g.get(k).is_some_and(|x| subset(v, x))),
        (Value::Array(w), Value::Array(g)) => {
            w.len() == g.len() && w.iter().zip(g).all(|(a, b)| subset(a, b))
        }
        _ => want == got,
    }
}

fn run(name: &str, v: &Value) {
    let mut now = v["now"].as_f64().expect("now");
    let built = decode::<Options>(&v["options"], "options").and_then(|options| {
        let env: EnvSnapshot = decode(&v["env"], "environment")?;
        WireCredential::new(v["kind"].as_str().expect("kind"), &options, &env, 1.0, None)
    });
    if let Some(want) = v.get("configError") {
        let e = built.expect_err(name);
        assert_eq!(want["code"], e.code, "{name}");
        assert_eq!(want["message"], e.message.as_str(), "{name}");
        return;
    }
    let mut cred = built.unwrap_or_else(|e| panic!("{name}: {e:?}"));
    let request: TokenRequest = decode(&v["request"], "request").unwrap();
    let (begun, flow) = cred.begin(request, now);
    assert_eq!(json(&begun)["type"], "start", "{name}");
    let mut flow = flow.expect("a start answer comes with its flow");
    let mut steps = v["steps"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter();
    loop {
        let step = json(&flow.poll(now).unwrap());
        match step["type"].as_str() {
            Some("finished") => break,
            Some("wait") => {
                let s = steps
                    .next()
                    .unwrap_or_else(|| panic!("{name}: unexpected {step}"));
                assert_eq!(s["wait"], step["until"], "{name}");
                now = step["until"].as_f64().unwrap();
            }
            Some("perform") => {
                let s = steps
                    .next()
                    .unwrap_or_else(|| panic!("{name}: unexpected {step}"));
                let action = &step["action"];
                assert!(
                    subset(&s["expect"], action),
                    "{name}: expected {}\n got {action}",
                    s["expect"]
                );
                if let Some(prefix) = s.get("expectUrlPrefix").and_then(Value::as_str) {
                    let url = action["request"]["url"].as_str().unwrap_or_default();
                    assert!(url.starts_with(prefix), "{name}: {url}");
                }
                for part in s
                    .get("expectBodyContains")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    // Bodies are serialized as bytes (a JSON array of them here).
                    let bytes: Vec<u8> = action["request"]["body"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(|b| b.as_u64().and_then(|b| u8::try_from(b).ok()))
                        .collect();
                    let body = String::from_utf8(bytes).unwrap_or_default();
                    assert!(
                        body.contains(part.as_str().unwrap()),
                        "{name}: {part} not in the body"
                    );
                }
                let reply =
                    serde_json::from_value::<Reply>(s["reply"].clone()).map_err(|e| e.to_string());
                assert!(reply.is_ok(), "{name}: the vector's reply decodes");
                flow.handle(reply, now)
                    .unwrap_or_else(|e| panic!("{name}: {e:?}"));
            }
            _ => panic!("{name}: unknown step {step}"),
        }
    }
    assert!(steps.next().is_none(), "{name}: steps left over");
    let out = json(&cred.finish(&mut flow, now).unwrap());
    assert!(
        subset(&v["outcome"], &out),
        "{name}: expected {}\n got {out}",
        v["outcome"]
    );
}

#[test]
// The vectors are fixtures of the test suite; reading them is the test's IO, not the core's.
#[allow(clippy::disallowed_methods)]
fn shared_vectors() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/vectors");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("tests/vectors")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    assert!(files.len() >= 10, "{} vectors", files.len());
    for path in files {
        let text = std::fs::read_to_string(&path).expect("vector");
        let v: Value = serde_json::from_str(&text).expect("vector JSON");
        run(path.file_name().unwrap().to_str().unwrap(), &v);
    }
}
