//! The fuzz targets' checks (`fuzz/src/lib.rs`, included as it is) run on stable Rust over a
//! fixed-seed stream of pseudo-random inputs, so every `cargo test` exercises them.

#[allow(unreachable_pub, dead_code)]
#[path = "../../../fuzz/src/lib.rs"]
mod fuzz_logic;

/// SplitMix64: a tiny deterministic generator.
struct Prng(u64);

impl Prng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn bytes(&mut self, max_len: u64) -> Vec<u8> {
        let len = self.below(max_len + 1);
        (0..len).map(|_| self.next() as u8).collect()
    }
}

/// Token-response-shaped text: random fragments of the grammar with random values.
fn token_text(rng: &mut Prng) -> String {
    const FRAGMENTS: &[&str] = &[
        "{",
        "}",
        "[",
        "]",
        ",",
        ":",
        "\"access_token\"",
        "\"expires_on\"",
        "\"expires_in\"",
        "\"refresh_in\"",
        "\"token_type\"",
        "\"tok\"",
        "\"\"",
        "null",
        "true",
        "-1",
        "1e30",
        "0.5",
        "18446744073709551615",
        "18446744073709551616",
        "\"2023-11-14T23:13:20.000Z\"",
        "\"2023-11-14T23:13:20+01:00\"",
        "\"9999-12-31T23:59:60.999-23:59\"",
        "\"11/14/2023 11:13:20 PM +00:00\"",
        "\"12/31/9999 12:00:00 AM -99:99\"",
        "\"2/29/2023 1:0:0 PM +0:0\"",
        "\"\u{1F600}\"",
        " ",
    ];
    if rng.below(4) == 0 {
        return String::from_utf8_lossy(&rng.bytes(64)).into_owned();
    }
    if rng.below(3) == 0 {
        // A well-formed object with one random value.
        let v = match rng.below(3) {
            0 => (1_700_000_000 + rng.below(20_000)).to_string(),
            1 => format!("\"{}\"", rng.next()),
            _ => FRAGMENTS[rng.below(FRAGMENTS.len() as u64) as usize].to_owned(),
        };
        let field = ["expires_on", "expires_in", "refresh_in"][rng.below(3) as usize];
        return format!(r#"{{"access_token":"tok","{field}":{v},"expires_in":3600}}"#);
    }
    let n = rng.below(16);
    (0..n)
        .map(|_| FRAGMENTS[rng.below(FRAGMENTS.len() as u64) as usize])
        .collect()
}

#[test]
fn token_response_on_pseudo_random_inputs() {
    let mut rng = Prng(0x00a2_c7ed);
    for _ in 0..20_000 {
        let text = token_text(&mut rng);
        fuzz_logic::token_response(text.as_bytes());
    }
    for _ in 0..2_000 {
        fuzz_logic::token_response(&rng.bytes(256));
    }
}

#[test]
fn persisted_cache_on_pseudo_random_inputs() {
    let mut rng = Prng(0x0ca_c4e);
    let entry = r#"{"partition":"p","scopes":["s"],"tenantId":null,"claims":null,"cae":false,"secret":"t","expiresOn":1700003600000,"refreshAfter":null}"#;
    let head = r#"{"format":"azcred.tokenCache","version":1,"accessTokens":["#;
    for _ in 0..5_000 {
        // Valid documents with some bytes of an entry changed.
        let mut doc = format!("{head}{entry},{entry}]}}").into_bytes();
        for _ in 0..rng.below(4) {
            let i = rng.below(doc.len() as u64) as usize;
            doc[i] = rng.bytes(1).first().copied().unwrap_or(b'x');
        }
        fuzz_logic::persisted_cache(&doc);
    }
    for _ in 0..2_000 {
        fuzz_logic::persisted_cache(&rng.bytes(256));
    }
}

#[test]
fn flow_replies_on_pseudo_random_inputs() {
    let mut rng = Prng(0x5eed_f10e);
    for _ in 0..4_000 {
        let data = rng.bytes(600);
        fuzz_logic::flow_replies(&data);
    }
    // Every environment, credential class and option set, with a short reply stream each.
    for env in 0..16u8 {
        for kind in 0..6u8 {
            for opts in 0..10u8 {
                let mut data = vec![env, kind, opts, 0, 7];
                data.extend(rng.bytes(200));
                fuzz_logic::flow_replies(&data);
            }
        }
    }
}

#[test]
fn flow_replies_with_no_input_finishes() {
    // Spent input gives plain final replies; the flow must still end.
    fuzz_logic::flow_replies(&[]);
    fuzz_logic::flow_replies(&[0]);
}
