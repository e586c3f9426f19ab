#!/usr/bin/env bash
# Installs what building and testing azcred needs on a fresh machine with Rust and Node, then
# builds both backends of the npm package in place. Safe to run again (it skips what is there).
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

step "openssl (the tests make their TLS certificates with it)"
if ! command -v openssl >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq && apt-get install -y -qq openssl
  else
    echo "openssl is needed by the tests; install it with your package manager" >&2
    exit 1
  fi
fi
openssl version

step "chromium (the web build's browser test drives Debian's chromium with playwright-core)"
if ! command -v chromium >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium
  else
    echo "the web build's browser test needs Chromium; install it with your package manager" >&2
    exit 1
  fi
fi
chromium --version

step "wasm32 target"
rustup target add wasm32-unknown-unknown >/dev/null 2>&1 || rustup target add wasm32-unknown-unknown

step "wasm-bindgen-cli (the version in Cargo.lock)"
WBV=$(sed -n '/^name = "wasm-bindgen"$/{n;s/^version = "\(.*\)"$/\1/p}' Cargo.lock)
if ! wasm-bindgen --version 2>/dev/null | grep -q " $WBV\$"; then
  # Not --locked: a pinned dependency version of the CLI is missing from the registry mirror.
  cargo install wasm-bindgen-cli --version "$WBV"
fi
wasm-bindgen --version

step "npm packages (npm/, tests/, examples/)"
(cd npm && npm ci --no-audit --no-fund)
(cd tests && npm ci --no-audit --no-fund)
(cd examples && npm ci --no-audit --no-fund)

step "build the native addon and the wasm module"
(cd npm && npm run build)
