//! flowlab: interactive labs for the mathematics of modern machine learning.
//!
//! Layers, from the bottom: [`math`] (pure numerics), [`plot`] (drawing generic over plotters'
//! `DrawingBackend`), [`lab`] (the contract every lab implements), [`labs`] (the labs and THE
//! registry), then the browser shell (`ui`, wasm only) and the command line ([`cli`], native only).

pub mod fmt;
pub mod i18n;
pub mod lab;
pub mod labs;
pub mod math;
pub mod mathml;
pub mod plot;

#[cfg(not(target_arch = "wasm32"))]
pub mod cli;

#[cfg(target_arch = "wasm32")]
pub mod ui;
