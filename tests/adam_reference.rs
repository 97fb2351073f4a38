//! The `adam` lab's numerics against independent references:
//! * `tests/golden/adam_reference.json`, written by `scripts/golden/adam.py` (mpmath at 30 digits for
//!   erf and the softsign moments, scipy quadrature in the spec's plain z-space form and brentq on
//!   the analytic slope for the η*(B) curves and peaks, numpy for the hessian mode);
//! * the numbers printed in the spec (wave2-spec.md §W1 tests W1-T1 … W1-T16), each to the
//!   precision it is printed with.
use flowlab::math::adam::batch::{self, Model, Problem, Update};
use flowlab::math::adam::hessian::{self, Noise, Regime};
use flowlab::math::adam::moments;
use flowlab::math::adam::special::{erf, erfc};
use serde_json::Value;

fn golden() -> Value {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden/adam_reference.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn num(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

fn nums(v: &Value) -> Vec<f64> {
    v.as_array().unwrap().iter().map(num).collect()
}

/// Relative error with an absolute floor (for values that are zero or tiny by cancellation).
fn err(got: f64, want: f64, floor: f64) -> f64 {
    (got - want).abs() / want.abs().max(floor)
}

/// Tracks the worst error of a family and fails above its bound.
struct Worst {
    name: &'static str,
    bound: f64,
    worst: f64,
    at: String,
}

impl Worst {
    fn new(name: &'static str, bound: f64) -> Self {
        Worst { name, bound, worst: 0.0, at: String::new() }
    }

    fn check(&mut self, got: f64, want: f64, floor: f64, what: &str) {
        let e = err(got, want, floor);
        assert!(e <= self.bound, "{}: {what}: got {got:e}, want {want:e} (error {e:.1e} > {:.0e})", self.name, self.bound);
        if e > self.worst {
            self.worst = e;
            self.at = what.to_string();
        }
    }
}

impl Drop for Worst {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            eprintln!("{:<36} worst error {:.1e} (bound {:.0e}) at {}", self.name, self.worst, self.bound, self.at);
        }
    }
}

#[test]
fn erf_matches_mpmath() {
    let g = golden();
    let (mut e1, mut e2) = (Worst::new("erf (relative)", 5e-16), Worst::new("erfc (relative; absolute on (0.5, 2))", 1e-15));
    for row in g["erf"].as_array().unwrap() {
        let x = num(&row["x"]);
        e1.check(erf(x), num(&row["erf"]), 1e-300, &format!("erf({x})"));
        // On (0.5, 2) erfc is 1 − erf by design (see its documentation).
        let floor = if x > 0.5 && x < 2.0 { 1.0 } else { 1e-300 };
        e2.check(erfc(x), num(&row["erfc"]), floor, &format!("erfc({x})"));
    }
}

#[test]
fn softsign_moments_match_mpmath_including_the_kink() {
    let g = golden();
    let rows = g["moments"].as_array().unwrap();
    assert!(rows.len() >= 100);
    let mut w = Worst::new("softsign moments (absolute)", 2e-15);
    for row in rows {
        let (a, b) = (num(&row["a"]), num(&row["b"]));
        let m = moments::softsign_moments(a, b).unwrap();
        for (got, key) in [(m.mean, "mean"), (m.sq, "sq"), (m.d_mean, "d_mean"), (m.d_sq, "d_sq")] {
            // Absolute: the moments are O(1); their derivatives vanish far from the kink.
            w.check(got, num(&row[key]), 1.0, &format!("{key}(a = {a}, b = {b})"));
        }
    }
}

#[test]
fn clip_moments_match_mpmath() {
    let g = golden();
    let mut w = Worst::new("clip/post moments (absolute)", 5e-15);
    for row in g["clip"].as_array().unwrap() {
        let (a, b) = (num(&row["a"]), num(&row["b"]));
        let what = format!("a = {a}, b = {b}");
        w.check(moments::clip_mean(a, b).unwrap(), num(&row["clip_mean"]), 1.0, &what);
        w.check(moments::clip_sq(a, b).unwrap(), num(&row["clip_sq"]), 1.0, &what);
        w.check(moments::post_mean(a, b).unwrap(), num(&row["post_mean"]), 1.0, &what);
        w.check(moments::post_sq(a, b).unwrap(), num(&row["post_sq"]), 1.0, &what);
        w.check(moments::clip_slope_at_zero(b).unwrap(), num(&row["slope_at_zero"]), 1.0, &what);
    }
}

fn problem(desc: &Value) -> Problem {
    match desc["kind"].as_str().unwrap() {
        "uniform" => Problem::uniform(desc["d"].as_u64().unwrap() as usize, num(&desc["rho"]), num(&desc["noise"])).unwrap(),
        "dense" => Problem::new(&nums(&desc["g"]), &nums(&desc["h"]), &nums(&desc["sigma"])).unwrap(),
        k => panic!("unknown problem kind {k}"),
    }
}

fn update(case: &Value) -> Update {
    match case["update"].as_str().unwrap() {
        "sgd" => Update::Sgd,
        "sign" => Update::Sign,
        "softsign" => Update::SoftSign(num(&case["eps"])),
        u => panic!("unknown update {u}"),
    }
}

fn model(key: &str) -> Model {
    match key {
        "exact" => Model::Exact,
        "per_coordinate" => Model::PerCoordinate,
        "mean_field" => Model::MeanField,
        m => panic!("unknown model {m}"),
    }
}

fn opt(v: &Value) -> Option<f64> {
    v.as_f64()
}

#[test]
fn batch_curves_peaks_and_readouts_match_the_reference() {
    let g = golden();
    let cases = g["batch"].as_array().unwrap();
    assert!(cases.len() >= 15);
    let mut curves = Worst::new("η*, ΔL, slope (relative)", 1e-9);
    let mut peaks = Worst::new("peaks B and η* (relative)", 1e-9);
    let mut reads = Worst::new("limits and readouts (relative)", 1e-12);
    let mut trade = Worst::new("S/S_min, E/E_min (relative)", 1e-9);
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let p = problem(&case["problem"]);
        let u = update(case);
        let bs = nums(&case["b"]);
        for key in ["exact", "per_coordinate", "mean_field"] {
            let Some(c) = case.get(key) else { continue };
            let m = model(key);
            for (i, &b) in bs.iter().enumerate() {
                let q = batch::evaluate(&p, u, m, b).unwrap_or_else(|| panic!("{name} {key} B = {b}: None"));
                let what = format!("{name} {key} B = {b}");
                curves.check(q.eta_star, num(&c["eta_star"][i]), 1e-300, &format!("{what} η*"));
                curves.check(q.delta_l, num(&c["delta_l"][i]), 1e-300, &format!("{what} ΔL"));
                // Slopes vanish at large B; 1e-6 is far below anything a peak search reacts to.
                curves.check(q.slope, num(&c["slope"][i]), 1e-6, &format!("{what} slope"));
            }
            if let Some(pk) = c.get("peak") {
                let got = batch::peak(&p, u, m);
                match (got, pk.as_array()) {
                    (Some(got), Some(want)) => {
                        peaks.check(got.b, num(&want[0]), 1e-300, &format!("{name} {key} peak B"));
                        peaks.check(got.eta_star, num(&want[1]), 1e-300, &format!("{name} {key} peak η*"));
                    }
                    (None, None) => {}
                    (got, _) => panic!("{name} {key}: peak {got:?}, reference {pk}"),
                }
            }
            if let Some(t) = c.get("tradeoff") {
                for (tb, want) in nums(&c["tradeoff_b"]).iter().zip(t.as_array().unwrap()) {
                    let (s, e) = batch::tradeoff(&p, u, m, *tb).unwrap();
                    trade.check(s, num(&want[0]), 1e-300, &format!("{name} {key} S/S_min at {tb}"));
                    trade.check(e, num(&want[1]), 1e-300, &format!("{name} {key} E/E_min at {tb}"));
                }
            }
        }
        reads.check(batch::eta_limit(&p, u).unwrap(), num(&case["eta_limit"]), 1e-300, &format!("{name} η limit"));
        reads.check(batch::delta_l_limit(&p, u).unwrap(), num(&case["delta_l_limit"]), 1e-300, &format!("{name} ΔL limit"));
        if let Some(r) = case.get("sgd_readouts") {
            let got = batch::sgd_readouts(&p);
            for (v, key) in
                [(got.eta_max, "eta_max"), (got.b_noise, "b_noise"), (got.b_simple, "b_simple"), (got.delta_l_max, "delta_l_max")]
            {
                reads.check(v.unwrap(), num(&r[key]), 1e-300, &format!("{name} {key}"));
            }
        }
        if let Some(r) = case.get("mean_field_readouts") {
            let got = batch::mean_field(&p, u).unwrap();
            reads.check(got.kappa2, num(&r["kappa2"]), 1e-300, &format!("{name} κ²"));
            for (v, key) in [
                (got.beta_noise, "beta_noise"),
                (got.eta_max, "eta_max"),
                (got.b_noise, "b_noise"),
                (got.b_noise2, "b_noise2"),
                (got.delta_l_max, "delta_l_max"),
            ] {
                match (v, opt(&r[key])) {
                    (Some(v), Some(w)) => reads.check(v, w, 1e-300, &format!("{name} {key}")),
                    (None, None) => {}
                    (v, w) => panic!("{name} {key}: {v:?} vs {w:?}"),
                }
            }
            assert_eq!(got.surge, r["surge"].as_bool().unwrap(), "{name} surge");
            // The summary's post peak is the closed form.
            let s = batch::batch_summary(&p, u, 64.0);
            assert_eq!(s.peak_post.map(|q| q.b), got.b_noise, "{name}");
        }
    }
}

#[test]
fn hessian_mode_matches_numpy() {
    let g = golden();
    let mut w = Worst::new("hessian mode (relative)", 1e-12);
    for row in g["hessian"].as_array().unwrap() {
        let regime = Regime::from_key(row["regime"].as_str().unwrap()).unwrap();
        let off = nums(&row["offset"]);
        let noise = Noise {
            regime,
            sig_theta: num(&row["sig_theta"]),
            sig_r: num(&row["sig_r"]),
            batch: num(&row["batch"]),
            offset: [off[0], off[1]],
        };
        let (kappa, phi) = (num(&row["kappa"]), num(&row["phi"]));
        let s = hessian::hessian_summary(kappa, phi, &noise).unwrap();
        let what = format!("κ = {kappa}, φ = {phi}, {regime:?}");
        let h = nums(&row["h"]);
        let scale = kappa.max(1.0);
        for (k, want) in h.iter().enumerate() {
            // Off-diagonal entries can be 0 up to rounding: compare on the scale of H.
            w.check(s.h[(k / 2, k % 2)], *want, scale, &format!("{what} H[{k}]"));
        }
        for i in 0..2 {
            w.check(s.sqrt_v[i], num(&row["sqrt_v"][i]), 1e-300, &format!("{what} √v[{i}]"));
            w.check(s.var_g[i], num(&row["var_g"][i]), 1e-300, &format!("{what} Var g[{i}]"));
        }
        w.check(s.cond_h, num(&row["cond_h"]), 1e-300, &format!("{what} cond H"));
        // numpy's eigvalsh leaves ~1e-13 in a cond of 100 (W1-T2 at 45°: 99.99999999999999).
        let wc = |got: Option<f64>, key: &str| {
            let want = num(&row[key]);
            let e = err(got.unwrap(), want, 1e-300);
            assert!(e < 1e-11, "{what} {key}: {got:?} vs {want}");
        };
        wc(s.cond_jitter, "cond_jitter");
        wc(s.cond_per_sample, "cond_per_sample");
        wc(s.cond_current, "cond_current");
    }
}

/// `got` equals the spec's `want` printed with `decimals` decimal places: within half a unit in
/// the last place (exact spec values get 12).
fn assert_spec(id: &str, got: f64, want: f64, decimals: i32) {
    let tol = 0.5 * 10f64.powi(-decimals) * (1.0 + 1e-9);
    assert!((got - want).abs() <= tol, "{id}: got {got}, spec {want} ({decimals} decimals)");
}

#[test]
fn every_printed_w1_value_of_the_spec() {
    // W1-T1, T3, T4.
    let h = hessian::hessian(100.0, 0.0).unwrap();
    let base = Noise { regime: Regime::Jitter, sig_theta: 0.1, sig_r: 1.0, batch: 1.0, offset: [0.0, 0.0] };
    let jit = hessian::sqrt_v(&h, &base).unwrap();
    assert!((jit[0] - 0.1).abs() < 1e-16 && (jit[1] - 10.0).abs() < 1e-14, "W1-T1 {jit:?}");
    let per = hessian::sqrt_v(&h, &Noise { regime: Regime::PerSample, ..base }).unwrap();
    assert!((per[0] - 1.0).abs() < 1e-15 && (per[1] - 10.0).abs() < 1e-14, "W1-T3");
    let off = Noise { offset: [0.5, -0.02], ..base };
    let (e2, var) = (hessian::grad_second_moment(&h, &off).unwrap(), hessian::grad_variance(&h, &off).unwrap());
    for (got, want) in [(e2[0], 0.26), (e2[1], 104.0), (var[0], 0.01), (var[1], 100.0)] {
        assert!((got - want).abs() < 1e-13 * want, "W1-T4 {got} vs {want}");
    }
    // W1-T2.
    for (phi, cj, cp) in [(0.0, 1.0, 10.0), (15.0, 37.77194868, 39.18653603), (30.0, 80.92161927, 81.20079853), (45.0, 100.0, 100.0)] {
        let h = hessian::hessian(100.0, phi).unwrap();
        assert_spec("W1-T2 jitter", hessian::cond_jitter(&h).unwrap(), cj, 8);
        assert_spec("W1-T2 per-sample", hessian::cond_per_sample(&h).unwrap(), cp, 8);
    }
    let h15 = hessian::hessian(100.0, 15.0).unwrap();
    assert_spec("W1-T2 H11", h15[(0, 0)], 7.631742513, 9);
    assert_spec("W1-T2 H12", h15[(0, 1)], -24.75, 12);
    assert_spec("W1-T2 H22", h15[(1, 1)], 93.368257487, 9);
    let sv45 = hessian::sqrt_v(&hessian::hessian(100.0, 45.0).unwrap(), &base).unwrap();
    assert_spec("W1-T2 √v at 45°", sv45[0], 7.071421356, 9);
    assert_spec("W1-T2 √v at 45°", sv45[1], 7.071421356, 9);

    // W1-T5, T6, T7.
    for (a, b, m, q) in
        [(0.5, 1.0, 0.3315102364, 0.5633070270), (2.0, 0.5, 0.9453946868, 0.9613470292), (-1.0, 3.0, -0.3305054809, 0.2159156773)]
    {
        assert_spec("W1-T5 E[clip]", moments::clip_mean(a, b).unwrap(), m, 10);
        assert_spec("W1-T5 E[clip²]", moments::clip_sq(a, b).unwrap(), q, 10);
    }
    assert_spec("W1-T5 post", moments::post_mean(0.5, 1.0).unwrap(), 0.2977036365, 10);
    assert_spec("W1-T5 post", moments::post_sq(0.5, 1.0).unwrap(), 0.6454901793, 10);
    for (b, s) in [(0.5, 0.7658498451), (1.0, 0.6826894921), (3.0, 0.3324334013)] {
        assert_spec("W1-T6", moments::clip_slope_at_zero(b).unwrap(), s, 10);
    }
    for (g, e, adam, soft) in [
        (1e-6, 1e-8, 0.9900990099, 0.9999500037),
        (1e-6, 1e-5, 0.0909090909, 0.0995037190),
        (1e-5, 1e-5, 0.5, std::f64::consts::FRAC_1_SQRT_2),
    ] {
        assert_spec("W1-T7 Adam", moments::adam_constant_step(g, e), adam, 10);
        assert_spec("W1-T7 softsign", moments::softsign(g, e), soft, 10);
    }

    // W1-T8.
    let u8 = Problem::uniform(8, 0.5, 10.0).unwrap();
    let pi = std::f64::consts::PI;
    // (ε, exact peak B, exact η*, post peak (B, η*)).
    let t8 = [
        (0.0, 53.2691436, 0.2672612419, Some((20.0 * pi, 0.2672612419))),
        (0.5, 55.2461555, 0.3153120616, Some((25.0 * pi, 0.2773500981))),
        (1.0, 68.6433506, 0.3692682854, Some((100.0 * pi, 0.3162277660))),
        (1.5, 98.884324, 0.4324191839, None),
        (2.0, 184.69946, 0.5077848916, None),
    ];
    for (eps, pb, pe, post) in t8 {
        let u = Update::SoftSign(eps);
        let ex = batch::peak(&u8, u, Model::Exact).unwrap();
        // The spec's peak B come from a bounded scalar minimiser, good to ~1e-8 only, and one is
        // mistyped (98.884324 for its script's 98.88431726): within 1e-7 (the golden file has them
        // to 1e-12), not to the printed digits.
        assert!((ex.b - pb).abs() <= 1e-7 * pb, "W1-T8 ε = {eps}: peak B {} vs spec {pb}", ex.b);
        assert_spec("W1-T8 exact peak η*", ex.eta_star, pe, 10);
        let po = batch::peak(&u8, u, Model::MeanField);
        match (po, post) {
            (Some(po), Some((b, e))) => {
                assert!((po.b - b).abs() <= 1e-13 * b, "W1-T8 ε = {eps} post peak {po:?}");
                assert_spec("W1-T8 post peak η*", po.eta_star, e, 10);
            }
            (None, None) => {}
            (po, post) => panic!("W1-T8 ε = {eps}: post peak {po:?}, spec {post:?}"),
        }
    }
    assert_spec("W1-T8 η*(16) exact", batch::eta_star(&u8, Update::Sign, Model::Exact, 16.0).unwrap(), 0.2322877502, 10);
    assert_spec("W1-T8 η*(16) post", batch::eta_star(&u8, Update::Sign, Model::MeanField, 16.0).unwrap(), 0.2297187771, 10);
    for (eps, lim) in [(0.0, 0.2222222222), (0.5, 0.2484519975), (1.0, 0.3142696805), (1.5, 0.4006168084)] {
        assert_spec("W1-T8 limit", batch::eta_limit(&u8, Update::SoftSign(eps)).unwrap(), lim, 10);
    }

    // W1-T9: thresholds in ε/g.
    let hd = 8.0;
    let hsum = 8.0 + 0.5 * 8.0 * 7.0;
    assert_spec("W1-T9 necessary", (hsum / hd - 1.0f64).sqrt(), 1.8708287, 7);
    assert_spec("W1-T9 sharp", (hsum / (2.0 * hd) - 1.0f64).sqrt(), 1.1180340, 7);
    assert_spec("W1-T9 exact", (1.5 * hsum / hd).sqrt(), 2.5980762, 7);
    let mf = |e: f64| batch::mean_field(&u8, Update::SoftSign(e)).unwrap();
    assert!(mf(1.1180).surge && !mf(1.1181).surge, "W1-T9 sharp threshold");
    assert!(mf(1.8708).eta_max.is_some() && mf(1.8709).eta_max.is_none(), "W1-T9 necessary threshold");
    assert!(
        batch::surge(&u8, Update::SoftSign(2.59), Model::Exact) && !batch::surge(&u8, Update::SoftSign(2.61), Model::Exact),
        "W1-T9 exact threshold"
    );
    assert_spec("W1-T9b", mf(1.10).b_noise.unwrap(), 1963.5, 1);
    assert!(mf(1.13).b_noise.is_none(), "W1-T9b");

    // W1-T10.
    let u1 = Problem::uniform(1, 0.0, 10.0).unwrap();
    let t10 = [
        (0.25, 659.27, Some(1.0449409951), 0.0137, 4),
        (0.5, 623.52, Some(1.1435110438), 0.0228, 4),
        (1.0, 0.0, None, 0.00443, 5),
        (1.2, 0.0, None, 0.000061, 6),
    ];
    for (eps, b, eta, over, over_dp) in t10 {
        let pk = batch::peak(&u1, Update::SoftSign(eps), Model::Exact).unwrap();
        if let Some(eta) = eta {
            assert_spec("W1-T10 peak B", pk.b, b, 2);
            assert_spec("W1-T10 peak η*", pk.eta_star, eta, 10);
        }
        let lim = (1.0 + eps * eps).sqrt();
        assert_spec("W1-T10 overshoot", pk.eta_star / lim - 1.0, over, over_dp);
    }
    for eps in [1.2248, 1.3, 2.0] {
        assert!(!batch::surge(&u1, Update::SoftSign(eps), Model::Exact), "W1-T10 none for ε ≥ √1.5 (ε = {eps})");
    }

    // W1-T11 (the mean field; the exact model tends to SGD itself, see the unit tests).
    assert_spec("W1-T11", batch::eta_star(&u8, Update::SoftSign(1e3), Model::MeanField, 4.0).unwrap() / 1e3, 0.0228472066, 10);
    assert_spec("W1-T11 SGD with πσ²/2", 8.0 / (36.0 + pi * 100.0 * 8.0 / 8.0), 0.0228467466, 10);

    // W1-T12, T13.
    let t = Problem::toy2d_default();
    let s = batch::sgd_readouts(&t);
    assert_spec("W1-T12 η_max", s.eta_max.unwrap(), 0.2777777778, 10);
    assert_spec("W1-T12 B_noise", s.b_noise.unwrap(), 6.6666666667, 10);
    assert_spec("W1-T12 B_simple", s.b_simple.unwrap(), 10.4, 12);
    assert_spec("W1-T12 ΔL_max", s.delta_l_max.unwrap(), 0.1736111111, 10);
    for (b, e) in [(1.0, 0.0362318841), (4.0, 0.1041666667), (16.0, 0.1960784314), (64.0, 0.2515723270)] {
        assert_spec("W1-T13 η*", batch::eta_star(&t, Update::Sgd, Model::Exact, b).unwrap(), e, 10);
    }
    let (so, eo) = batch::tradeoff(&t, Update::Sgd, Model::Exact, 4.0).unwrap();
    assert_spec("W1-T13 S/S_min", so, 2.6666666667, 10);
    assert_spec("W1-T13 E/E_min", eo, 1.6, 12);

    // W1-T14, T15.
    for (b, ex, po) in [(1.0, 0.0880368263, 0.0856179432), (4.0, 0.1518238575, 0.1413747235), (16.0, 0.2021884927, 0.1867147436)] {
        assert_spec("W1-T14 exact", batch::eta_star(&t, Update::Sign, Model::Exact, b).unwrap(), ex, 10);
        assert_spec("W1-T14 post μ", batch::eta_star(&t, Update::Sign, Model::PerCoordinate, b).unwrap(), po, 10);
    }
    assert_spec("W1-T14 B → ∞", batch::eta_limit(&t, Update::Sign).unwrap(), 0.2142857143, 10);
    let mt = batch::mean_field(&t, Update::Sign).unwrap();
    assert!((mt.beta_noise.unwrap().powi(2) - 2.5).abs() < 1e-14 && !mt.surge, "W1-T15");

    // W1-T16.
    let m = batch::mean_field(&u8, Update::Sign).unwrap();
    assert_spec("W1-T16 β_noise", m.beta_noise.unwrap(), 0.5345224838, 10);
    assert_spec("W1-T16 η_max", m.eta_max.unwrap(), 0.2672612419, 10);
    assert_spec("W1-T16 B_noise", m.b_noise.unwrap(), 62.8318530718, 10);
    assert_spec("W1-T16 B_noise-2", m.b_noise2.unwrap(), 34.9065850399, 10);
    assert_spec("W1-T16 1/B₂ − 1/B", 1.0 / m.b_noise2.unwrap() - 1.0 / m.b_noise.unwrap(), 0.0127323954, 10);
    assert_spec("W1-T16 ΔL_max", m.delta_l_max.unwrap(), 0.8888888889, 10);
}
