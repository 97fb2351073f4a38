#!/usr/bin/env bash
# Installs whatever flowlab needs and is missing; a second run only checks. Needs rustup + cargo and
# the package registries (crates.io, npm, Debian). Never downloads a tool from anywhere else.
#   scripts/setup.sh          tools to build and serve the app
#   scripts/setup.sh --test   also Debian's chromium + chromium-driver for the browser tests
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PWD/tools/node_modules/.bin:$PATH"
say() { printf 'setup: %s\n' "$*" >&2; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

TRUNK_VERSION=0.21.14
# The CLI must equal the wasm-bindgen crate in Cargo.lock (Cargo.toml pins it with '=').
WBG_VERSION=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)

command -v cargo >/dev/null || { say "cargo not found: install rustup (https://rustup.rs) first"; exit 1; }
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32 target"; rustup target add wasm32-unknown-unknown
fi
for c in clippy rustfmt; do
  rustup component list --installed | grep -q "^$c" || { say "adding $c"; rustup component add "$c"; }
done
if ! trunk --version 2>/dev/null | grep -q " $TRUNK_VERSION\$"; then
  say "installing trunk $TRUNK_VERSION (a few minutes, once)"
  cargo install trunk --version "$TRUNK_VERSION" --locked
fi
if ! wasm-bindgen --version 2>/dev/null | grep -q " $WBG_VERSION\$"; then
  say "installing wasm-bindgen-cli $WBG_VERSION (a few minutes, once)"
  # Not --locked: the registry snapshot here lacks one of its locked dependencies.
  cargo install wasm-bindgen-cli --version "$WBG_VERSION"
fi
if ! command -v npm >/dev/null; then
  say "installing node and npm from Debian"; as_root apt-get update -qq; as_root apt-get install -y -qq nodejs npm
fi
# wasm-opt (npm's binaryen 132: Debian's 108 builds a blank page) and playwright-core.
if ! cmp -s tools/package-lock.json tools/node_modules/.installed-lock 2>/dev/null; then
  say "installing npm tools (binaryen, playwright-core)"
  (cd tools && npm ci --no-audit --no-fund --loglevel=error)
  cp tools/package-lock.json tools/node_modules/.installed-lock
fi
if [ "${1:-}" = "--test" ]; then
  if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
    say "installing Debian's chromium and chromium-driver"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver
  fi
fi
# trunk builds with cargo --offline: fetch crates first.
cargo fetch --quiet
