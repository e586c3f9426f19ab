//! A DefaultAzureCredential (or another class) driven with arbitrary replies: it must always
//! finish within a bounded number of steps.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| azcred_fuzz::flow_replies(data));
