#!/usr/bin/env bash
# Runs every test: Rust formatting, lints and tests; the npm package's type check; the
# end-to-end suite on both backends (emulator, fake endpoints, Azurite with the real
# BlobServiceClient), the Azure Functions example among them; the packaging test (the Linux
# addons cross-built and loaded from installed tarballs on each target); and the quick start.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s)

bash scripts/setup.sh

printf '\n==> cargo fmt, clippy, test\n'
cargo fmt --all -- --check
cargo clippy --workspace --all-targets -- -D warnings
cargo test --workspace

printf '\n==> tsc on the public types\n'
node tests/types/run.js

printf '\n==> end-to-end (both backends)\n'
node tests/run.js

printf '\n==> packaging (cross builds of the four Linux addons, tarballs installed and loaded on each)\n'
bash scripts/test-packaging.sh

printf '\n==> quick start\n'
node scripts/quickstart.js

printf '\nall tests passed in %s s\n' $(( $(date +%s) - started ))
