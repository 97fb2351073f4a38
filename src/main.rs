//! The `flowlab` binary: the web app when built for wasm32 (by trunk), the command-line exporter
//! when built natively. One binary name serves both so the crate has a single target for trunk.

#[cfg(target_arch = "wasm32")]
fn main() {
    flowlab::ui::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    flowlab::cli::main();
}
