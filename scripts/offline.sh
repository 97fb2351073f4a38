#!/usr/bin/env bash
# Installs what is missing, builds the release, and writes dist-offline/flowlab.html: every lab in
# one self-contained file that works opened from disk or a USB stick, with no network.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export PATH="$HOME/.cargo/bin:$PWD/tools/node_modules/.bin:$PATH" TRUNK_SKIP_VERSION_CHECK=true
trunk build --release
node scripts/offline.mjs dist dist-offline
