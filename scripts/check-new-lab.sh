#!/usr/bin/env bash
# Proves docs/adding-a-lab.md: on a copy of the tree, adds a lab by exactly those steps (a copy of
# the `jl` lab under the slug `jl_copy`: one folder, one registry line, the generated README block
# and golden) and runs the registry-wide tests, which must pick the new lab up with no other edit.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The tree as committed plus local changes (no target/, no node_modules).
tar --exclude=./target --exclude=./tools/node_modules --exclude=./dist --exclude=./.git -cf - . | tar -xf - -C "$work"
cd "$work"
# Step 1: the folder (a copy of a small lab), its slug declared once.
cp -r src/labs/jl src/labs/jl_copy
sed -i 's/const SLUG: &'"'"'static str = "jl";/const SLUG: \&'"'"'static str = "jl_copy";/' src/labs/jl_copy/mod.rs
grep -q '"jl_copy"' src/labs/jl_copy/mod.rs || { echo "check-new-lab: could not set the slug" >&2; exit 1; }
# Step 2: the registry line.
sed -i 's/^    jl::Jl,$/    jl::Jl,\n    jl_copy::Jl,/' src/labs/mod.rs
grep -q 'jl_copy::Jl,' src/labs/mod.rs || { echo "check-new-lab: could not add the registry line" >&2; exit 1; }
# Step 3: generated files. Reuse the main build's dependencies.
# The main target directory: dependencies are reused, only flowlab itself is rebuilt.
export CARGO_TARGET_DIR="$OLDPWD/target"
cargo run --quiet -- readme
FLOWLAB_BLESS=1 cargo test --quiet --test labs svg_goldens
# Step 4: the registry-wide tests must pass with the new lab in them.
cargo test --quiet --test labs --test i18n --test cli
out=$(cargo run --quiet -- data '?lab=jl_copy&n=20&d=50&k=10' --format json)
case "$out" in
  '{"lab":"jl_copy"'*) echo "check-new-lab: the lab jl_copy was added by the documented steps and passes the registry tests" ;;
  *) echo "check-new-lab: the CLI does not know jl_copy" >&2; exit 1 ;;
esac
