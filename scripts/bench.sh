#!/usr/bin/env bash
# Benchmarks every lab in headless Chromium on the release build, on the path a person takes: real
# DOM events from dispatch to the painted frame, and playing frames (tests/browser/bench.mjs; pass
# its options through, e.g. --dpr 1 --quick). Then each lab's share of the wasm bundle.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test
export PATH="$HOME/.cargo/bin:$PWD/tools/node_modules/.bin:$PATH" TRUNK_SKIP_VERSION_CHECK=true
trunk build --release
scripts/page-weight.sh
node tests/browser/bench.mjs "$@"
# The same release build with symbol names kept, for the per-lab share of the code.
CARGO_PROFILE_RELEASE_STRIP=none cargo build --release --quiet --target wasm32-unknown-unknown --bin flowlab
node scripts/wasm-share.mjs target/wasm32-unknown-unknown/release/flowlab.wasm
