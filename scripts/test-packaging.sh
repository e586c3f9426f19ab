#!/usr/bin/env bash
# The packaging checks: installs the cross tools and the runtimes (cached, see
# scripts/packaging-tools.sh), cross-builds the four Linux addons into their platform packages,
# then runs tests/packaging/run.js (pack, offline install into fresh apps, load under each
# target's runtime). Needs the wasm build (scripts/setup.sh). Called by scripts/test.sh.
#
#   bash scripts/test-packaging.sh [target ...]
set -euo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s)

cache=$(bash scripts/packaging-tools.sh)
export AZCRED_PACKAGING_CACHE="$cache"
# cargo-zigbuild runs zig as `python3 -m ziglang`: the venv's python3 must come first.
export PATH="$cache/venv/bin:$PATH"
tools=$(( $(date +%s) - started ))

printf '\n==> cross-build the Linux addons\n'
(cd npm && node scripts/build-platforms.js "$@")
built=$(( $(date +%s) - started - tools ))

printf '\n==> packaging test\n'
node tests/packaging/run.js "$@"
printf 'packaging: tools %s s, builds %s s, test %s s\n' "$tools" "$built" $(( $(date +%s) - started - tools - built ))
