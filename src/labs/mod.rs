//! THE registry: one line per lab. Navigation, URL handling, the CLI and the tests that run over
//! every lab all read this list, so registering a lab is all it takes to get them.

/// Diffusion-ODE particle flows.
pub mod diffusion;
/// Gradient flow against its discretisations.
pub mod gradient_flow;
/// Johnson–Lindenstrauss random projections.
pub mod jl;
/// Optimizer paths on 2-D loss surfaces.
pub mod optimizers;
pub mod plane;
/// Softmax and its alternatives on the simplex.
pub mod softmax;

use crate::lab::{DynLab, Instance, Lab, LabMeta};

/// A registered lab.
pub struct LabEntry {
    /// URL slug.
    pub slug: &'static str,
    /// Title and texts.
    pub meta: fn() -> &'static LabMeta,
    /// A fresh instance at default parameters.
    pub make: fn() -> Box<dyn DynLab>,
}

const fn entry<L: Lab>() -> LabEntry {
    LabEntry { slug: L::SLUG, meta: L::meta, make: make::<L> }
}

fn make<L: Lab>() -> Box<dyn DynLab> {
    Box::new(Instance::<L>::default())
}

/// Every lab, in menu order.
#[rustfmt::skip]
pub static LABS: &[LabEntry] = &[
    entry::<optimizers::Optimizers>(),
    entry::<gradient_flow::GradientFlow>(),
    entry::<softmax::Softmax>(),
    entry::<jl::Jl>(),
    entry::<diffusion::Diffusion>(),
];

/// Looks a lab up by slug.
pub fn find(slug: &str) -> Option<&'static LabEntry> {
    LABS.iter().find(|e| e.slug == slug)
}
