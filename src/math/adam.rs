//! Adam under the microscope (issue 14, spec wave2 §W1 with the corrections of its §4; math-spec
//! 2.3, 2.4, 2.6; posts 10588, 10563, 10542): the numerics of the `adam` lab, with no UI in them.
//!
//! * [`hessian`] — mode `hessian`: is √v̂ a curvature estimate? Closed-form √E[g²] for jitter and
//!   per-sample noise, AdaBelief's centred statistic, cond(P^{1/2}HP^{1/2}) against φ, the jitter
//!   cloud, a seeded simulation of Adam's v̂_t, ellipses.
//! * [`batch`] — mode `batch`: the best step η*(B) for SGD, sign and softsign updates, exact and in
//!   the post's approximations; peaks ("surge"), limits, ΔL and the steps–data trade-off.
//! * [`moments`] — E[ũ], E[ũ²] of sign, softsign (quadrature that survives the kink) and clip.
//! * [`special`] — erf/erfc, the normal density and CDF, Gauss–Legendre nodes, Brent's root finder.

pub mod batch;
pub mod hessian;
pub mod moments;
pub mod special;
