#!/usr/bin/env bash
# Installs what is missing, then runs every test: format, clippy (native and wasm32), native tests
# (unit, property, goldens, URL round-trips, layering, CLI), the release build, and browser tests in
# headless Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test
export PATH="$HOME/.cargo/bin:$PWD/tools/node_modules/.bin:$PATH" TRUNK_SKIP_VERSION_CHECK=true
step() { printf '\n==> %s\n' "$*"; }
step "cargo fmt --check"
cargo fmt --all -- --check
step "clippy (native)"
cargo clippy --all-targets --quiet -- -D warnings
step "clippy (wasm32)"
cargo clippy --target wasm32-unknown-unknown --lib --bins --quiet -- -D warnings
step "native tests"
cargo test --quiet
step "adding a lab by docs/adding-a-lab.md (a copy of jl under a new slug passes the registry tests)"
scripts/check-new-lab.sh
step "release build (trunk)"
trunk build --release
step "page weight: wasm + js ≤ 650 KB gzipped"
scripts/page-weight.sh 650
step "browser tests (headless Chromium)"
node --test --test-concurrency=1 tests/browser/
