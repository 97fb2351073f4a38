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

#[cfg(test)]
mod props {
    use super::batch::{self, Model, Problem, Update};
    use super::hessian::{self, AdamRun, Noise, Regime};
    use super::{moments, special};
    use proptest::prelude::*;

    /// Any f64 a junk URL could produce: huge, tiny, zero, negative, non-finite.
    fn wide() -> impl Strategy<Value = f64> {
        prop_oneof![
            4 => (-300.0f64..300.0, any::<bool>()).prop_map(|(e, neg)| if neg { -(10f64.powf(e)) } else { 10f64.powf(e) }),
            2 => -10.0f64..10.0,
            1 => Just(0.0),
            1 => Just(f64::NAN),
            1 => Just(f64::INFINITY),
            1 => Just(f64::NEG_INFINITY),
        ]
    }

    /// Positive, log-uniform over many decades, with the ends included.
    fn pos(lo: f64, hi: f64) -> impl Strategy<Value = f64> {
        prop_oneof![8 => (lo.log10()..hi.log10()).prop_map(|e| 10f64.powf(e)), 1 => Just(lo), 1 => Just(hi)]
    }

    fn updates() -> impl Strategy<Value = Update> {
        prop_oneof![Just(Update::Sgd), Just(Update::Sign), pos(1e-12, 1e6).prop_map(Update::SoftSign), wide().prop_map(Update::SoftSign)]
    }

    fn models() -> impl Strategy<Value = Model> {
        prop_oneof![Just(Model::Exact), Just(Model::PerCoordinate), Just(Model::MeanField)]
    }

    fn finite_opt(v: Option<f64>) -> bool {
        v.is_none_or(f64::is_finite)
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        #[test]
        fn batch_numbers_are_finite_or_none(
            d in 1usize..65, rho in -0.3f64..1.2, noise in pos(1e-6, 1e6), u in updates(), m in models(),
            b in pos(1e-3, 1e12), junk_b in wide(), toy in any::<bool>(), g in proptest::array::uniform2(-1e3f64..1e3),
            h12 in -3.0f64..3.0, var in proptest::array::uniform2(0.0f64..1e4),
        ) {
            let p = if toy { Problem::toy2d(g, [[3.0, h12], [h12, 2.0]], var) } else { Problem::uniform(d, rho, noise) };
            let Some(p) = p else { return Ok(()) };
            for bb in [b, junk_b] {
                if let Some(q) = batch::evaluate(&p, u, m, bb) {
                    prop_assert!(q.eta_star.is_finite() && q.eta_star >= 0.0 && q.delta_l.is_finite() && q.slope.is_finite(), "{q:?}");
                }
                if let Some((s, e)) = batch::tradeoff(&p, u, m, bb) {
                    prop_assert!(s.is_finite() && e.is_finite());
                }
            }
            let s = batch::batch_summary(&p, u, b);
            let values = [s.eta_star_exact, s.eta_star_post, s.eta_star_sgd, s.eta_limit, s.eta_max, s.b_noise, s.b_noise2, s.b_simple];
            for v in values.into_iter().chain([s.beta_noise]) {
                prop_assert!(finite_opt(v), "{s:?}");
            }
            for pk in [s.peak_exact, s.peak_post].into_iter().flatten() {
                prop_assert!(pk.b > 0.0 && pk.b.is_finite() && pk.eta_star.is_finite(), "{pk:?}");
            }
            if let Some(mf) = batch::mean_field(&p, u) {
                prop_assert!(mf.kappa2 >= 0.0);
                prop_assert!(finite_opt(mf.beta_noise) && finite_opt(mf.eta_max) && finite_opt(mf.b_noise) && finite_opt(mf.delta_l_max));
            }
        }

        #[test]
        fn moments_and_special_functions_never_nan_on_valid_input(a in wide(), b in wide(), x in wide()) {
            if let Some(mo) = moments::softsign_moments(a, b) {
                prop_assert!(mo.mean.abs() <= 1.0 + 1e-12 && (-1e-12..=1.0 + 1e-12).contains(&mo.sq), "{a} {b}: {mo:?}");
                prop_assert!(mo.d_mean.is_finite() && mo.d_sq.is_finite());
            } else {
                prop_assert!(a.is_nan() || b.is_nan() || b < 0.0 || (a.is_infinite() && b.is_infinite()));
            }
            for v in [moments::clip_mean(a, b), moments::post_mean(a, b)] {
                prop_assert!(v.is_none_or(|v| v.abs() <= 1.0 + 1e-12), "{a} {b} {v:?}");
            }
            for v in [moments::clip_sq(a, b), moments::post_sq(a, b)] {
                prop_assert!(v.is_none_or(|v| (-1e-12..=1.0 + 1e-12).contains(&v)), "{a} {b} {v:?}");
            }
            if !x.is_nan() {
                prop_assert!(special::erf(x).abs() <= 1.0 && (0.0..=2.0).contains(&special::erfc(x)));
            }
        }

        #[test]
        fn hessian_mode_is_finite_or_none(
            kappa in prop_oneof![pos(1e-3, 1e6), wide()], phi in prop_oneof![-720.0f64..720.0, wide()],
            r in 0usize..3, st in prop_oneof![pos(1e-6, 1e3), wide()], sr in prop_oneof![0.0f64..5.0, wide()],
            batch in prop_oneof![pos(1e-3, 1e9), wide()], off in prop_oneof![-5.0f64..5.0, wide()], steps in 0usize..300,
            beta2 in prop_oneof![pos(1e-6, 1.0), wide()], seed in any::<u64>(),
        ) {
            let noise = Noise { regime: Regime::ALL[r], sig_theta: st, sig_r: sr, batch, offset: [off, 0.0] };
            if let Some(s) = hessian::hessian_summary(kappa, phi, &noise) {
                prop_assert!(s.sqrt_v.iter().chain(&s.var_g).all(|v| v.is_finite() && *v >= 0.0) && s.cond_h >= 1.0 - 1e-9);
                prop_assert!(finite_opt(s.cond_jitter) && finite_opt(s.cond_per_sample) && finite_opt(s.cond_current));
            }
            for c in hessian::cond_curve(kappa, &noise, 7) {
                prop_assert!(c.none.is_finite() && finite_opt(c.jitter) && finite_opt(c.per_sample) && finite_opt(c.current));
            }
            if let Some(h) = hessian::hessian(kappa, phi) {
                for cp in hessian::cloud(&h, &noise, 50, seed) {
                    prop_assert!(cp.theta.iter().chain(&cp.grad).all(|v| v.is_finite()));
                }
                if let Some(run) = AdamRun::new(seed, steps, beta2, 20) {
                    if let Some(v) = run.sqrt_v_hat(&h, &noise) {
                        prop_assert!(v.iter().all(|x| x.is_finite() && *x >= 0.0));
                    }
                    for (_, v) in run.trace(&h, &noise) {
                        prop_assert!(v.iter().all(|x| x.is_finite() && *x >= 0.0));
                    }
                }
                if let Some(e) = hessian::Ellipse::of(&h, 1.0) {
                    prop_assert!(e.points(12).iter().all(|p| p[0].is_finite() && p[1].is_finite()));
                }
            }
        }
    }
}
