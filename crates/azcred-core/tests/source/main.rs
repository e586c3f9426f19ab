//! Tests of the credential sources, laid out as `src/source/`: the tests of
//! `src/source/managed_identity/imds.rs` are in `managed_identity/imds.rs`, and so on. One test
//! crate with a module per source file (each file under `tests/` is a binary of its own).

#[path = "../support/mod.rs"]
mod support;

mod developer_tools;
mod entra;
mod environment;
mod managed_identity;
