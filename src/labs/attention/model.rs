//! The attention lab's model: the tested [`Cache`] (matrices, outputs and statistics on every
//! change; singular values resumable), and the background work after it, one bounded chunk per
//! [`State::work`] call: the spectra, the entropy-against-n points, the Performer's
//! error-against-m points, the causal RNN check and the W5 Monte Carlo at n = 512. Each piece is
//! kept across changes that do not affect it (keys as in the math module's notes).

use super::{Inputs, Params};
use crate::math::attention::{
    self, causal_rnn, entropy_curve, entropy_curve_ns, error_curve, error_curve_ms, logits, AttnError, Cache, Config, Map, Mask, Mat,
    Preset, Scale,
};

/// Multiply-adds per chunk of the cache's work: statistics, singular values (a few milliseconds
/// in the browser; one matrix's statistics at n = 256 are one chunk whatever its size).
const SV_BUDGET: f64 = 2.5e6;
/// Rows of the W5 Monte Carlo per chunk, and chunks (2000 rows in all, as the spec's W5-T5).
pub const MC_ROWS: usize = 500;
/// Chunks of the W5 Monte Carlo.
pub const MC_CHUNKS: usize = 4;
/// The W5 row length: the spec's n = 512.
pub const MC_N: usize = 512;

/// The math module's configuration for these parameters, with the causal mask as applied
/// (refused for dual).
pub fn config(p: &Params) -> Config {
    Config {
        n: p.n as usize,
        d: p.d as usize,
        map: p.map,
        m: p.m as usize,
        scale: p.scale,
        mask: Mask { causal: p.causal_used(), window: p.window as usize },
        preset: preset(p),
    }
}

/// Where the inputs come from.
pub fn preset(p: &Params) -> Preset {
    match p.preset {
        Inputs::Random => Preset::Seeded(p.seed as u64),
        Inputs::Literal => Preset::Literal,
    }
}

/// Everything the lab shows.
pub struct State {
    /// Matrices, outputs, statistics, spectra.
    pub cache: Cache,
    /// The configuration the cache holds (clamped n, d, m).
    pub cfg: Config,
    /// The scale factor s (scores s·q·k).
    pub s: f64,
    /// Why the chosen map could not be computed (never expected: dual + causal is refused before).
    pub error: Option<AttnError>,
    sv_total: f64,
    /// (n, H_map, H_softmax) at n = 4, 8, …, the current n (computed so far).
    pub entropy: Vec<(usize, f64, f64)>,
    entropy_key: Option<EntropyKey>,
    /// (m, ‖A_perf V − A_soft V‖/‖A_soft V‖), m = 1, 2, …, 512 (performer only).
    pub errors: Vec<(usize, f64)>,
    error_key: Option<ErrorKey>,
    /// max |RNN − masked matrix| of the outputs (causal mask and a finite feature map only).
    pub rnn: Option<f64>,
    rnn_done: bool,
    /// The W5 chunks at n = 512 for this d and scale.
    pub mc: Vec<logits::McStats>,
    mc_key: (usize, u64),
    /// ω for the curves (performer / expproj), keyed by (preset, m, d).
    omega: Option<((Preset, usize, usize), Mat)>,
}

type EntropyKey = (Preset, usize, Map, u64, Mask, usize);
type ErrorKey = (Preset, usize, usize, u64, Mask);

impl State {
    /// Fresh state for these parameters.
    pub fn new(p: &Params) -> State {
        let mut s = State {
            cache: Cache::new(),
            cfg: config(p),
            s: 1.0,
            error: None,
            sv_total: 0.0,
            entropy: Vec::new(),
            entropy_key: None,
            errors: Vec::new(),
            error_key: None,
            rnn: None,
            rnn_done: false,
            mc: Vec::new(),
            mc_key: (0, 0),
            omega: None,
        };
        s.update(p);
        s
    }

    /// After a parameter change: the matrices now, everything else marked for the background.
    pub fn update(&mut self, p: &Params) {
        let mut cfg = config(p);
        cfg.n = cfg.n.clamp(1, attention::N_MAX);
        cfg.d = cfg.d.clamp(1, attention::D_MAX);
        cfg.m = cfg.m.clamp(1, attention::M_MAX);
        // Validated by the scale control; a factor that is not finite would be refused below.
        self.s = cfg.scale.factor(cfg.d).unwrap_or(1.0);
        cfg.scale = Scale::Value(self.s);
        self.cfg = cfg;
        self.error = self.cache.update(&cfg).err();
        // The spectra still to do (a partly done unchanged one counts what is left).
        self.sv_total = self.cache.remaining_work();
        let features = if cfg.map.uses_features() { cfg.m } else { 0 };
        let ek = (cfg.preset, cfg.d, cfg.map, self.s.to_bits(), cfg.mask, features);
        if self.entropy_key != Some(ek) {
            self.entropy.clear();
            self.entropy_key = Some(ek);
        }
        // Points at n other than the current one stay (the inputs are nested in n); the current
        // n's point is the cache's own.
        let ns = entropy_curve_ns(cfg.n);
        self.entropy.retain(|e| ns.contains(&e.0) && e.0 != cfg.n);
        self.note_current_entropy();
        let rk = (cfg.preset, cfg.n, cfg.d, self.s.to_bits(), cfg.mask);
        if self.error_key != Some(rk) {
            self.errors.clear();
            self.error_key = Some(rk);
        }
        self.rnn = None;
        self.rnn_done = !self.rnn_applies();
        let mk = (cfg.d, self.s.to_bits());
        if self.mc_key != mk {
            self.mc.clear();
            self.mc_key = mk;
        }
    }

    /// The current n's entropy point is the cache's own, once its statistics are done.
    fn note_current_entropy(&mut self) {
        let n = self.cfg.n;
        if self.error.is_some() || self.entropy.iter().any(|e| e.0 == n) {
            return;
        }
        let stats = |c: Option<&attention::Computed>| c.and_then(|c| c.stats()).map(|s| s.entropy_mean);
        if let (Some(h), Some(hs)) = (stats(self.cache.chosen()), stats(self.cache.softmax())) {
            self.entropy.push((n, h, hs));
            self.entropy.sort_by_key(|e| e.0);
        }
    }

    /// Whether the RNN check applies: causal mask on and a map with finite features.
    pub fn rnn_applies(&self) -> bool {
        self.cfg.mask.causal && !matches!(self.cfg.map, Map::Softmax | Map::Dual)
    }

    /// Whether the error-against-m curve is shown (the Performer's).
    pub fn errors_apply(&self) -> bool {
        self.cfg.map == Map::Performer
    }

    /// The n of the entropy curve.
    pub fn entropy_ns(&self) -> Vec<usize> {
        entropy_curve_ns(self.cfg.n)
    }

    fn omega(&mut self) -> &Mat {
        let key = (self.cfg.preset, self.cfg.m, self.cfg.d);
        if self.omega.as_ref().map(|o| o.0) != Some(key) {
            self.omega = Some((key, attention::omega(key.0, key.1, key.2)));
        }
        &self.omega.as_ref().expect("set above").1
    }

    /// Multiply-adds of each piece of background work: (left, total).
    fn work_left(&self) -> (f64, f64) {
        let cfg = &self.cfg;
        let (n, d) = (cfg.n as f64, cfg.d as f64);
        let r = cfg.map.feature_dim(cfg.d, cfg.m).unwrap_or(cfg.d) as f64;
        let sv_left = self.cache.remaining_work();
        let (mut left, mut total) = (sv_left, self.sv_total.max(sv_left));
        for k in self.entropy_ns().into_iter().filter(|_| self.error.is_none()) {
            let c = (k * k) as f64 * (d + r) + 2.0 * k as f64 * r * d;
            total += c;
            if !self.entropy.iter().any(|e| e.0 == k) {
                left += c;
            }
        }
        if self.errors_apply() {
            for m in error_curve_ms() {
                let c = 4.0 * n * m as f64 * d;
                total += c;
                if !self.errors.iter().any(|e| e.0 == m) {
                    left += c;
                }
            }
        }
        if self.rnn_applies() {
            let c = 3.0 * n * r * d;
            total += c;
            if !self.rnn_done {
                left += c;
            }
        }
        let c = (MC_ROWS * (cfg.d + MC_N) * 8) as f64;
        total += c * MC_CHUNKS as f64;
        left += c * (MC_CHUNKS - self.mc.len().min(MC_CHUNKS)) as f64;
        (left, total)
    }

    /// Fraction of the background work done, or `None` when all is done.
    pub fn pending(&self, _p: &Params) -> Option<f64> {
        let (left, total) = self.work_left();
        if left <= 0.0 {
            return None;
        }
        Some((1.0 - left / total.max(1.0)).clamp(0.0, 0.999))
    }

    /// One chunk: the spectra first (they are in the main readouts), then the curves, the RNN
    /// check, the Monte Carlo.
    pub fn work(&mut self, _p: &Params) {
        if self.cache.remaining_work() > 0.0 {
            self.cache.step(SV_BUDGET);
            self.note_current_entropy();
            return;
        }
        let cfg = self.cfg;
        let scale = Scale::Value(self.s);
        if self.error.is_none() {
            if let Some(k) = self.entropy_ns().into_iter().find(|k| !self.entropy.iter().any(|e| e.0 == *k)) {
                let w = if cfg.map.uses_features() { self.omega().clone() } else { Mat::zeros(0, cfg.d) };
                let point = self.cache.qkv().and_then(|q| entropy_curve(q, cfg.map, scale, cfg.mask, &w, &[k]).ok()).and_then(|v| v.first().copied());
                // A refusal cannot happen here (the cache accepted the same configuration); a
                // point that fails is recorded as the softmax value so the work always ends.
                self.entropy.push(point.unwrap_or((k, f64::NAN, f64::NAN)));
                self.entropy.sort_by_key(|e| e.0);
                return;
            }
        }
        if self.errors_apply() {
            if let Some(m) = error_curve_ms().into_iter().find(|m| !self.errors.iter().any(|e| e.0 == *m)) {
                let e = match (self.cache.qkv(), self.cache.softmax()) {
                    (Some(q), Some(sm)) => sm.stats().and_then(|st| error_curve(q, cfg.preset, scale, cfg.mask, &st.out, &[m]).ok()).and_then(|v| v.first().map(|x| x.1)),
                    _ => None,
                };
                self.errors.push((m, e.unwrap_or(f64::NAN)));
                return;
            }
        }
        if !self.rnn_done {
            let w = if cfg.map.uses_features() { self.omega().clone() } else { Mat::zeros(0, cfg.d) };
            self.rnn = match (self.cache.qkv(), self.cache.chosen()) {
                (Some(q), Some(c)) => c.stats().zip(causal_rnn(q, cfg.map, scale, cfg.mask.window, &w).ok()).map(|(st, out)| {
                    out.as_slice().iter().zip(st.out.as_slice()).fold(0.0f64, |m, (x, y)| m.max((x - y).abs()))
                }),
                _ => None,
            };
            self.rnn_done = true;
            return;
        }
        if self.mc.len() < MC_CHUNKS {
            let k = self.mc.len() as u64;
            self.mc.push(logits::monte_carlo(MC_N, cfg.d, self.s, MC_ROWS, 1 + k));
        }
    }

    /// The W5 expectations at n = 512 over all chunks so far: (E[H], E[max p], E[1 − Σp²]) with
    /// standard errors, or `None` before the first chunk.
    pub fn mc_stats(&self) -> Option<logits::McStats> {
        if self.mc.is_empty() {
            return None;
        }
        let k = self.mc.len() as f64;
        let comb = |f: fn(&logits::McStats) -> logits::Estimate| {
            let mean = self.mc.iter().map(|c| f(c).mean).sum::<f64>() / k;
            let se = self.mc.iter().map(|c| f(c).se.powi(2)).sum::<f64>().sqrt() / k;
            logits::Estimate { mean, se }
        };
        Some(logits::McStats { entropy: comb(|c| c.entropy), max_p: comb(|c| c.max_p), gradient_factor: comb(|c| c.gradient_factor) })
    }

    /// Relative output error of the chosen map against softmax.
    pub fn rel_error(&self) -> Option<f64> {
        self.cache.rel_error()
    }
}
