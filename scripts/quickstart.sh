#!/usr/bin/env bash
# Sets up azcred and runs examples/quickstart.mjs against the bundled identity emulator and a
# local Azurite (HTTPS, OAuth on). Offline apart from the npm registry and crates.io.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
node scripts/quickstart.js
