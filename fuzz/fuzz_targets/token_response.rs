//! `parse_token_response` and `parse_expiry_str` on arbitrary input.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| azcred_fuzz::token_response(data));
