//! The softmax lab's model: the logits as computed (±∞ and NaN made finite), every shown map's
//! output, and the small multiples (support-size rasters and warped grids), cached per map.

use super::{Map, Params};
use crate::math::softmax as sm;

/// The largest magnitude a logit is computed with: ±∞ become ±1e300 (so differences of two logits
/// stay finite), which gives every map its limiting output (one-hot on +∞, zero on −∞ — except
/// Taylor softmax, whose f_k grows on both sides).
pub const BIG: f64 = 1e300;

/// Logits ready for the maps, and the positions that were NaN (computed as −1e300, with a notice).
pub fn sanitise(z: &[f64]) -> (Vec<f64>, Vec<usize>) {
    let mut nan = Vec::new();
    let z = z
        .iter()
        .enumerate()
        .map(|(i, &x)| {
            if x.is_nan() {
                nan.push(i);
                -BIG
            } else {
                x.clamp(-BIG, BIG)
            }
        })
        .collect();
    (z, nan)
}

/// A map's output: probabilities and, where the map has one, its threshold τ.
#[derive(Clone, Debug, PartialEq)]
pub struct Out {
    /// Probabilities.
    pub p: Vec<f64>,
    /// Threshold (sparsemax: on z; entmax: on (α−1)z).
    pub tau: Option<f64>,
}

/// One map at (sanitised) logits `z`.
pub fn apply(map: Map, p: &Params, z: &[f64]) -> Out {
    let plain = |p: Vec<f64>| Out { p, tau: None };
    match map {
        Map::Softmax => plain(sm::softmax(z, p.tau)),
        Map::AmSoftmax => plain(sm::am_softmax(z, target(p, z.len()), p.margin, p.scale)),
        Map::Taylor => plain(sm::taylor(z, p.taylor_order)),
        Map::Sparse => plain(sm::sparse_topk(z, p.topk as usize)),
        Map::Perturb => plain(sm::perturb(z, p.perturb)),
        Map::Sparsemax => {
            let (q, tau) = sm::sparsemax(z);
            Out { p: q, tau: Some(tau) }
        }
        Map::Entmax => {
            let (q, tau) = sm::entmax(z, p.alpha);
            Out { p: q, tau }
        }
    }
}

/// The AM-softmax target as a 0-based index, clamped to the logits present.
pub fn target(p: &Params, n: usize) -> usize {
    (p.target as usize).clamp(1, n.max(1)) - 1
}

/// Everything shown, computed from the parameters.
pub struct State {
    /// Sanitised logits.
    pub z: Vec<f64>,
    /// Positions that were NaN.
    pub nan: Vec<usize>,
    /// Each shown map's output at z.
    pub outs: Vec<(Map, Out)>,
    /// Small multiples (three classes), cached across changes that do not affect them.
    pub multiples: Vec<Multiple>,
}

/// Triangle vertices (class 1 at the top, then counter-clockwise). The logit plane uses the same
/// directions: the point w = Σ zᵢVᵢ (shift-invariant since ΣVᵢ = 0) moves towards Vᵢ as zᵢ grows,
/// and z = (2/3)(w·Vᵢ)ᵢ is its representative with zero mean.
pub const VERTS: [[f64; 2]; 3] = [[0.0, 1.0], [-0.866_025_403_784_438_6, -0.5], [0.866_025_403_784_438_6, -0.5]];

/// Half-width of the logit plane drawn in the small multiples.
pub const R: f64 = 4.0;
/// Resolution of the support-size rasters.
pub const RES: usize = 256;
/// Grid lines per direction in the small multiples.
const LINES: usize = 17;

/// A point of the simplex (three classes) in triangle coordinates.
pub fn bary(p: &[f64]) -> (f64, f64) {
    let mut w = (0.0, 0.0);
    for (v, q) in VERTS.iter().zip(p) {
        w.0 += q * v[0];
        w.1 += q * v[1];
    }
    w
}

/// Plane coordinates of three logits.
pub fn plane(z: &[f64]) -> (f64, f64) {
    bary(z)
}

/// Zero-mean logits at plane point (x, y).
fn logits_at(x: f64, y: f64) -> [f64; 3] {
    VERTS.map(|v| 2.0 / 3.0 * (x * v[0] + y * v[1]))
}

/// One map's small multiple (three classes): support size over the logit plane and the image of
/// a regular logit grid. Depends only on the map's own parameters, so it is cached.
pub struct Multiple {
    /// The map.
    pub map: Map,
    key: Vec<u64>,
    /// Support size per raster cell (row 0 at the top).
    pub support: Vec<u8>,
    /// Images of the grid lines, in triangle coordinates.
    pub lines: Vec<Vec<(f64, f64)>>,
}

/// What a map's small multiple depends on.
pub fn key_of(m: Map, p: &Params) -> Vec<u64> {
    let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    match m {
        Map::Softmax => bits(&[p.tau]),
        Map::AmSoftmax => bits(&[p.margin, p.scale, p.target.min(3.0)]),
        Map::Taylor => vec![p.taylor_order as u64],
        Map::Sparse => bits(&[p.topk.min(3.0)]),
        Map::Perturb => vec![p.perturb as u64],
        Map::Sparsemax => Vec::new(),
        Map::Entmax => bits(&[p.alpha]),
    }
}

/// The small multiples of the shown maps, reusing `old` ones whose parameters did not change.
pub fn multiples(p: &Params, mut old: Vec<Multiple>) -> Vec<Multiple> {
    p.maps
        .iter()
        .map(|&m| {
            let key = key_of(m, p);
            match old.iter().position(|o| o.map == m && o.key == key) {
                Some(i) => old.swap_remove(i),
                None => compute(m, p, key),
            }
        })
        .collect()
}

/// Support size of map `m` at plane point (x, y).
fn support_at(m: Map, p: &Params, x: f64, y: f64) -> u8 {
    let z = logits_at(x, y);
    (match m {
        Map::Sparsemax => sm::entmax_support(&z, 2.0),
        Map::Entmax => sm::entmax_support(&z, p.alpha),
        Map::Sparse => (p.topk as usize).clamp(1, 3),
        // Positive maps: an entry is zero only if its exponential underflows (never on this
        // plane, whose logit gaps stay below 10/τ ≤ 200), counted without allocating.
        Map::Softmax => {
            let mx = z[0].max(z[1]).max(z[2]);
            z.iter().filter(|&&v| ((v - mx) / p.tau).exp() > 0.0).count()
        }
        Map::AmSoftmax => {
            let s = [p.scale * (z[0] - p.margin), p.scale * z[1], p.scale * z[2]];
            let mx = s[0].max(s[1]).max(s[2]);
            s.iter().filter(|&&v| (v - mx).exp() > 0.0).count()
        }
        // f_k > 0 for even k.
        Map::Taylor => z.iter().filter(|&&v| sm::taylor_exp(v, p.taylor_order) > 0.0).count(),
        // Φ > 0 everywhere: Gaussian perturb-max never gives an exact zero (and the quadrature
        // per pixel would cost 65k × 384 CDF evaluations).
        Map::Perturb => 3,
    }) as u8
}

/// Side of the blocks of [`support_raster`].
const BLOCK: usize = 4;

/// The RES×RES support raster (row 0 at the top). Evaluated at the corners of BLOCK×BLOCK blocks
/// first; a block whose corners and its neighbours' corners agree is filled, the others are
/// evaluated per pixel. The regions are bounded by smooth curves at least ~16 px apart on this
/// plane, so this equals the per-pixel raster (tested) at about a sixth of the evaluations.
pub fn support_raster(m: Map, p: &Params) -> Vec<u8> {
    let at = |i: usize, j: usize| support_at_pixel(m, p, i, j);
    let nb = RES / BLOCK;
    // Corner (a, b) of the block grid is pixel (a·BLOCK, b·BLOCK), clamped to the last pixel.
    let corner: Vec<u8> =
        (0..=nb).flat_map(|b| (0..=nb).map(move |a| (a, b))).map(|(a, b)| at((a * BLOCK).min(RES - 1), (b * BLOCK).min(RES - 1))).collect();
    let c = |a: usize, b: usize| corner[b * (nb + 1) + a];
    let mut out = vec![0u8; RES * RES];
    for b in 0..nb {
        for a in 0..nb {
            let v = c(a, b);
            let (a0, a1, b0, b1) = (a.saturating_sub(1), (a + 2).min(nb), b.saturating_sub(1), (b + 2).min(nb));
            let uniform = (b0..=b1).all(|bb| (a0..=a1).all(|aa| c(aa, bb) == v));
            for j in b * BLOCK..(b + 1) * BLOCK {
                for i in a * BLOCK..(a + 1) * BLOCK {
                    out[j * RES + i] = if uniform { v } else { at(i, j) };
                }
            }
        }
    }
    out
}

/// The support raster evaluated at every pixel (what [`support_raster`] must equal).
pub fn support_raster_exact(m: Map, p: &Params) -> Vec<u8> {
    (0..RES * RES).map(|k| support_at_pixel(m, p, k % RES, k / RES)).collect()
}

/// Support size at the centre of raster pixel (i, j) (row 0 at the top).
fn support_at_pixel(m: Map, p: &Params, i: usize, j: usize) -> u8 {
    let step = 2.0 * R / RES as f64;
    support_at(m, p, -R + (i as f64 + 0.5) * step, R - (j as f64 + 0.5) * step)
}

fn compute(m: Map, p: &Params, key: Vec<u64>) -> Multiple {
    let support = support_raster(m, p);
    let pts = 64;
    let mut lines = Vec::with_capacity(2 * LINES);
    for dir in 0..2 {
        for l in 0..LINES {
            let c = -R + 2.0 * R * l as f64 / (LINES - 1) as f64;
            lines.push(
                (0..pts)
                    .map(|k| {
                        let s = -R + 2.0 * R * k as f64 / (pts - 1) as f64;
                        let (x, y) = if dir == 0 { (c, s) } else { (s, c) };
                        let z = logits_at(x, y);
                        // The fast variants are tested against the exact ones to 1e-9.
                        bary(&match m {
                            Map::Perturb if p.perturb == sm::Noise::Gauss => sm::perturb_gauss_fast(&z),
                            Map::Entmax if (p.alpha - 1.5).abs() > 1e-12 && (p.alpha - 2.0).abs() > 1e-12 => sm::entmax_newton(&z, p.alpha),
                            _ => apply(m, p, &z).p,
                        })
                    })
                    .collect(),
            );
        }
    }
    Multiple { map: m, key, support, lines }
}


/// Half-width of the drawn logit plane: R, widened (by whole steps) to keep the point in view.
pub fn plane_radius(z: &[f64]) -> f64 {
    let w = plane(z);
    let r = (w.0.abs().max(w.1.abs()) * 1.15).clamp(R, 1e6);
    if r <= R {
        R
    } else {
        r.ceil()
    }
}
