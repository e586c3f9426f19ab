//! `PersistedCache::parse` (the persistent token cache's format) on arbitrary input.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| azcred_fuzz::persisted_cache(data));
