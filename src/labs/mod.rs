//! THE registry: one line per lab. Navigation, URL handling, the CLI, the README's key tables and
//! the tests that run over every lab all read this list, so registering a lab is all it takes to
//! get them (see `docs/adding-a-lab.md`).

pub mod plane;

use crate::lab::{DynLab, Instance, Lab, LabMeta};

/// A registered lab.
pub struct LabEntry {
    /// URL slug.
    pub slug: &'static str,
    /// Title, texts, captions.
    pub meta: &'static LabMeta,
    /// A fresh instance at default parameters.
    pub make: fn() -> Box<dyn DynLab>,
}

/// The registry entry of a lab type.
pub const fn entry<L: Lab>() -> LabEntry {
    LabEntry { slug: L::SLUG, meta: &L::META, make: make::<L> }
}

fn make<L: Lab>() -> Box<dyn DynLab> {
    Box::new(Instance::<L>::default())
}

/// Declares each lab's module (its folder) and lists it in [`LABS`], in menu order.
macro_rules! registry {
    ($($module:ident :: $lab:ident),* $(,)?) => {
        $(pub mod $module;)*
        /// Every lab, in menu order.
        pub static LABS: &[LabEntry] = &[$(entry::<$module::$lab>()),*];
    };
}

registry! {
    optimizers::Optimizers,
    gradient_flow::GradientFlow,
    softmax::Softmax,
    jl::Jl,
    diffusion::Diffusion,
    adam::Adam,
    recurrence::Recurrence,
    gaussians::Gaussians,
    attention::Attention,
}

/// Looks a lab up by slug.
pub fn find(slug: &str) -> Option<&'static LabEntry> {
    LABS.iter().find(|e| e.slug == slug)
}
