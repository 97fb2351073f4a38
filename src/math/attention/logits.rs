//! The 1/√d story (wave2-spec §W5 mode `logits`, post 8620): with unit-variance q and k,
//! Var(q·k) = d; the scale 1/√d brings it back to 1. How peaked is a softmax row of n scores?
//!
//! Two definitions, as in the spec, and they differ:
//! - W5-T4, deterministic: the quantile grid z_i = s·Φ⁻¹((i − ½)/n) ([`quantile_grid`]). n = 512,
//!   s = 1: H = 5.7478448554, max p = 0.0263221787.
//! - W5-T5, the expectation over random rows ([`monte_carlo`]): given q the n scores are i.i.d.
//!   N(0, s²‖q‖²), so "unscaled d = 64" means the scale ‖q‖ ~ χ₆₄ fluctuates from row to row.
//!   E[H] ≈ 0.82, E[max p] ≈ 0.73 there; with variance-1 scores E[H] ≈ 5.742 (the and
//!   math-spec's number, which is this expectation, not the grid's 5.748), E[max p] ≈ 0.026.
//!
//! The grid at s = 8 (H = 0.396, max p = 0.912) is far from the random-row values: the grid's top
//! two scores are a fixed 2.8 apart, random rows often have a near tie at the top.
//!
//! [`entropy_expansion`] is the second-order delta-method value of E[H] for i.i.d. N(0, s²) scores,
//! ln n − s²/2 + (s²e^{s²} − (e^{s²} − 1)/2)/n; at n = 512, s = 1 it is 5.7419557, which is where
//! 5.742 comes from (valid while s ≪ √(2 ln n)).

use crate::math::rng::Rng;

/// Entropy, peak and gradient factor of one softmax row.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct RowStats {
    /// −Σ p ln p (natural log).
    pub entropy: f64,
    /// max p.
    pub max_p: f64,
    /// 1 − Σ p², the size of the softmax Jacobian (½Σ_ij |∂p_i/∂x_j|): the gradient factor.
    pub gradient_factor: f64,
}

/// Softmax of `scores` (max-shifted) and its [`RowStats`]; an empty row gives zeros.
pub fn row_stats(scores: &[f64]) -> RowStats {
    let mx = scores.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if !mx.is_finite() {
        return RowStats::default();
    }
    let e: Vec<f64> = scores.iter().map(|&z| (z - mx).exp()).collect();
    let sum: f64 = e.iter().sum();
    let (mut h, mut pmax, mut p2) = (0.0, 0.0f64, 0.0);
    for &x in &e {
        let p = x / sum;
        if p > 0.0 {
            h -= p * p.ln();
        }
        pmax = pmax.max(p);
        p2 += p * p;
    }
    RowStats { entropy: h, max_p: pmax, gradient_factor: 1.0 - p2 }
}

/// W5-T4: the statistics of the quantile-grid scores z_i = s·Φ⁻¹((i − ½)/n), i = 1…n.
pub fn quantile_grid(n: usize, s: f64) -> RowStats {
    let n = n.max(1);
    let z: Vec<f64> = (1..=n).map(|i| s * norm_quantile((i as f64 - 0.5) / n as f64)).collect();
    row_stats(&z)
}

/// The small-s approximation of the entropy, ln n − s²/2.
pub fn entropy_small_s(n: usize, s: f64) -> f64 {
    (n.max(1) as f64).ln() - 0.5 * s * s
}

/// E[H] for n i.i.d. N(0, s²) scores to second order in the delta method (error O(n⁻²) for fixed
/// s): ln n − s²/2 + (s²e^{s²} − (e^{s²} − 1)/2)/n.
pub fn entropy_expansion(n: usize, s: f64) -> f64 {
    let n = n.max(1) as f64;
    let e = (s * s).exp();
    n.ln() - 0.5 * s * s + (s * s * e - 0.5 * (e - 1.0)) / n
}

/// Var(q·k) for q, k with i.i.d. entries of variances σ_q², σ_k², scaled by s: s²·d·σ_q²σ_k²
/// (= d unscaled with unit variances, 1 with s = 1/√d).
pub fn score_variance(d: usize, var_q: f64, var_k: f64, s: f64) -> f64 {
    s * s * d as f64 * var_q * var_k
}

/// A Monte-Carlo mean with its standard error.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Estimate {
    /// Sample mean.
    pub mean: f64,
    /// Standard error of the mean (sample standard deviation / √rows).
    pub se: f64,
}

/// Seeded expectations of [`RowStats`] over random rows.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct McStats {
    /// E[H].
    pub entropy: Estimate,
    /// E[max p].
    pub max_p: Estimate,
    /// E[1 − Σp²].
    pub gradient_factor: Estimate,
}

/// W5-T5: rows of n scores s·(q·k_j) with q, k_j ~ N(0, I_d). Given q the scores are exactly
/// i.i.d. N(0, s²‖q‖²), so a row costs d + n normals instead of (n + 1)·d. n clamped to 1…65 536,
/// d to 1…4096, rows to 1…100 000. Depends on (n, d, s, rows, seed) only: cache it.
pub fn monte_carlo(n: usize, d: usize, s: f64, rows: usize, seed: u64) -> McStats {
    let d = d.clamp(1, 4096);
    sample(n, rows, seed, |r| s * (0..d).map(|_| r.normal().powi(2)).sum::<f64>().sqrt())
}

/// Rows of n i.i.d. N(0, σ²) scores ("scores with variance σ²", no χ fluctuation of ‖q‖).
pub fn monte_carlo_iid(n: usize, sigma: f64, rows: usize, seed: u64) -> McStats {
    sample(n, rows, seed, |_| sigma)
}

/// Mean and standard error of the row statistics of `rows` rows of n scores sd·z_j, z_j ~ N(0, 1),
/// with sd drawn once per row by `row_sd`.
fn sample(n: usize, rows: usize, seed: u64, mut row_sd: impl FnMut(&mut Rng) -> f64) -> McStats {
    let (n, rows) = (n.clamp(1, 65_536), rows.clamp(1, 100_000));
    let mut r = Rng::stream(seed, 5 << 32);
    let mut acc = [[0.0f64; 2]; 3];
    let mut z = vec![0.0; n];
    for _ in 0..rows {
        let sd = row_sd(&mut r);
        let sd = if sd.is_finite() { sd } else { 0.0 };
        z.iter_mut().for_each(|x| *x = sd * r.normal());
        let st = row_stats(&z);
        for (a, v) in acc.iter_mut().zip([st.entropy, st.max_p, st.gradient_factor]) {
            a[0] += v;
            a[1] += v * v;
        }
    }
    let est = |a: [f64; 2]| {
        let k = rows as f64;
        let mean = a[0] / k;
        let var = if rows > 1 { ((a[1] - k * mean * mean) / (k - 1.0)).max(0.0) } else { 0.0 };
        Estimate { mean, se: (var / k).sqrt() }
    };
    McStats { entropy: est(acc[0]), max_p: est(acc[1]), gradient_factor: est(acc[2]) }
}

/// Standard normal quantile Φ⁻¹(p) by Wichura's algorithm AS 241 (PPND16, relative error ~1e-16):
/// −∞ at 0, +∞ at 1, NaN outside [0, 1].
// The published coefficients, digit for digit (so they can be checked against the paper).
#[allow(clippy::excessive_precision)]
pub fn norm_quantile(p: f64) -> f64 {
    const A: [f64; 8] = [
        3.387_132_872_796_366_608,
        133.141_667_891_784_377_45,
        1_971.590_950_306_551_442_7,
        13_731.693_765_509_461_125,
        45_921.953_931_549_871_457,
        67_265.770_927_008_700_853,
        33_430.575_583_588_128_105,
        2_509.080_928_730_122_672_7,
    ];
    const B: [f64; 8] = [
        1.0,
        42.313_330_701_600_911_252,
        687.187_007_492_057_908_3,
        5_394.196_021_424_751_107_7,
        21_213.794_301_586_595_867,
        39_307.895_800_092_710_61,
        28_729.085_735_721_942_674,
        5_226.495_278_852_854_561,
    ];
    const C: [f64; 8] = [
        1.423_437_110_749_683_577_34,
        4.630_337_846_156_545_295_9,
        5.769_497_221_460_691_405_5,
        3.647_848_324_763_204_605_04,
        1.270_458_252_452_368_382_58,
        0.241_780_725_177_450_611_77,
        0.022_723_844_989_269_184_583_3,
        7.745_450_142_783_414_076_4e-4,
    ];
    const D: [f64; 8] = [
        1.0,
        2.053_191_626_637_758_821_87,
        1.676_384_830_183_803_849_4,
        0.689_767_334_985_100_004_55,
        0.148_103_976_427_480_074_59,
        0.015_198_666_563_616_457_196_6,
        5.475_938_084_995_344_946e-4,
        1.050_750_071_644_416_843_24e-9,
    ];
    const E: [f64; 8] = [
        6.657_904_643_501_103_777_2,
        5.463_784_911_164_114_369_9,
        1.784_826_539_917_291_335_8,
        0.296_560_571_828_504_891_23,
        0.026_532_189_526_576_123_093,
        1.242_660_947_388_078_438_6e-3,
        2.711_555_568_743_487_578_15e-5,
        2.010_334_399_292_288_132_65e-7,
    ];
    const F: [f64; 8] = [
        1.0,
        0.599_832_206_555_887_937_69,
        0.136_929_880_922_735_805_31,
        0.014_875_361_290_850_614_852_5,
        7.868_691_311_456_132_591e-4,
        1.846_318_317_510_054_681_8e-5,
        1.421_511_758_316_445_888_7e-7,
        2.044_263_103_389_939_785_64e-15,
    ];
    fn poly(c: &[f64; 8], x: f64) -> f64 {
        c.iter().rev().fold(0.0, |s, &v| s * x + v)
    }
    if !(0.0..=1.0).contains(&p) {
        return f64::NAN;
    }
    let q = p - 0.5;
    if q.abs() <= 0.425 {
        let r = 0.180_625 - q * q;
        return q * poly(&A, r) / poly(&B, r);
    }
    let r = if q < 0.0 { p } else { 1.0 - p };
    if r <= 0.0 {
        return if q < 0.0 { f64::NEG_INFINITY } else { f64::INFINITY };
    }
    let r = (-r.ln()).sqrt();
    let v = if r <= 5.0 {
        let r = r - 1.6;
        poly(&C, r) / poly(&D, r)
    } else {
        let r = r - 5.0;
        poly(&E, r) / poly(&F, r)
    };
    if q < 0.0 {
        -v
    } else {
        v
    }
}
