#!/usr/bin/env bash
# Benchmarks every lab in headless Chromium (release build): per-frame step+draw time, parameter
# change (replay + redraw) and background redraw; prints a table and writes target/bench.json.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test
export PATH="$HOME/.cargo/bin:$PWD/tools/node_modules/.bin:$PATH" TRUNK_SKIP_VERSION_CHECK=true
trunk build --release
node tests/browser/bench.mjs --also 'gradient_flow&methods=flow,gd,momentum,sign,coord,modified&lr=0.016' --also 'gradient_flow&streamlines=1' --also 'optimizers&surface=custom&gallery=goldstein_price' "$@"
node tests/browser/bench_jl.mjs
