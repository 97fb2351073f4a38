//! The recurrence lab's words: title and texts, the formula panel, the readouts, the data export
//! (the JSON contract), the hover text and the Chinese table.

use super::model::{legs_family, RnnModel, SsmModel, State, Wall};
use super::render::scheme_label;
use super::Params;
use crate::fmt::{fmt_num, fmt_sig};
use crate::lab::{Formula, Json, LabMeta, Readout, Table};
use crate::math::rnn::Scheme;
use crate::math::ssm::{Basis, Disc, Route};
use crate::mathml::*;

crate::i18n::local!(ZH);

/// Title, texts and captions.
pub const META: LabMeta = LabMeta {
    title: "Recurrences in parallel: RNN sweeps and state-space memory",
    tagline: "A nonlinear RNN is solved exactly by a few sweeps of linear recurrences, each an associative scan of depth log T; a linear state-space model is a convolution whose kernel comes from a generating function.",
    look_at: "RNN mode: the heat map shows log₁₀ of the error of sweep n (up) at position t (right). Left of the diagonal it is exact — after n sweeps x₁…xₙ are exact whatever the linearisation: causality. The chart below compares the three linearisations sweep by sweep (plain sweeps can make the error larger first, and can blow up even when ρ(A) < 1), shows coordinate 1 of the shown sweep against the serial solution, and counts the scan's depth and products. SSM mode: the input up to the time cursor and what the d numbers of the state remember of it — LegS online keeps a uniform memory of [0, t], S4 a decaying one. Below: the kernel K̄ₖ by three routes that must agree, the eigenvalues of Ā with the unit circle and, for LegS, why it is never diagonalised: its eigenvectors span 2^{−4d/3} (1e−26 at d = 64, far below f64's ε) while the unitary route of its skew part stays of order 1/√d. Pick the drawn input to draw your own signal on the plot.",
    try_these: &[
        ("Plain sweeps raise the error at sweep 2", "preset=literal&T=32&sweeps=2"),
        ("Newton (DEER) is exact to rounding after 4 sweeps", "preset=literal&T=32&scheme=newton&sweeps=4"),
        ("The causality wedge: T sweeps always suffice", "T=16&sweeps=16&radius=1.4"),
        ("Plain sweeps diverge even with ρ(A) = 0.95 < 1", "T=512&d=8&radius=0.95"),
        ("Radius 1.2: plain diverges, Newton converges", "T=512&d=8&radius=1.2&scheme=newton"),
        ("LegS online: uniform memory of the whole past", "mode=ssm&input=step"),
        ("S4: the same A as a time-invariant system forgets", "mode=ssm&basis=s4&eps=0.02"),
        ("Forward Euler leaves the unit circle past ε = 2/d", "mode=ssm&basis=s4&disc=euler&eps=0.3"),
        ("d = 64, L = 1024: the routes agree (ZOH)", "mode=ssm&basis=s4&disc=zoh&d=64&L=1024"),
        ("RFT with a = 0: a shift register", "mode=ssm&basis=rft&d=4&L=64&input=noise"),
        ("RFT: Σ|aᵢ| = 1.81 > 1 and still stable", "mode=ssm&basis=rft&d=3&rft_a=-1.2,0.53,-0.08"),
        ("The eigenvector wall: |Sₙ| falls below f64's ε at d = 64", "mode=ssm&d=64"),
        ("Draw your own input: what 8 numbers remember of it", "mode=ssm&input=drawn&drawn=0,0.6,1.2,0.4,-0.8,-1.2,0,1,0.3"),
    ],
    main_caption: "RNN: log₁₀ error of each sweep over position and sweep; SSM: the input and its reconstruction from the state",
    aux_caption: "RNN: max error per sweep for the three linearisations, coordinate 1 against the serial solution, scan counters; SSM: the kernel by three routes, the eigenvalues of Ā and (LegS) the eigenvector wall beside the unitary route",
    pointer_hint: "Click the heat map to show a sweep (RNN), or the time axis to move the cursor (SSM); with a drawn input, drag to draw it.",
    pending_label: "sweeping",
    zh: TABLES,
};

/// The error of sweep n of a scheme as shown: max |serial| for n = 0, else the sweep's error.
fn error_at(m: &RnnModel, s: Scheme, n: usize) -> Option<f64> {
    let sw = m.sweeps(s);
    if n == 0 {
        return sw.error_map.first().map(|r| r.iter().copied().fold(0.0, f64::max));
    }
    sw.errors.get(n - 1).copied()
}

/// The first sweep at which the error grew, if any.
fn first_rise(errors: &[f64]) -> Option<usize> {
    errors.windows(2).position(|w| w[1] > w[0] * (1.0 + 1e-12) && w[1] > 1e-13).map(|i| i + 2)
}

/// A table cell at full precision. Tiny and huge numbers in exponent form: `fmt_num` writes 1e-47
/// as a 60-digit decimal, which the JSON export's number check (at most 64 characters) would quote.
fn cell(x: f64) -> String {
    if x != 0.0 && x.is_finite() && !(1e-5..1e16).contains(&x.abs()) {
        format!("{x:e}")
    } else {
        fmt_num(x)
    }
}

fn vec_text(v: &[f64]) -> String {
    format!("({})", v.iter().map(|x| fmt_sig(*x, 6)).collect::<Vec<_>>().join(", "))
}

/// The readout panel.
pub fn readouts(p: &Params, s: &State) -> Vec<Readout> {
    match (p.ssm, &s.rnn, &s.ssm) {
        (false, Some(m), _) => rnn_readouts(p, m),
        (true, _, Some(m)) => ssm_readouts(p, m, s),
        _ => Vec::new(),
    }
}

fn line(label: &str, text: String, colour: Option<usize>, warn: bool) -> Readout {
    Readout { label: label.to_string(), text, colour, warn }
}

fn rnn_readouts(p: &Params, m: &RnnModel) -> Vec<Readout> {
    let mut out = Vec::new();
    // d and the shown sweep are clamped to their ranges as they are set: no readout about it.
    let n = p.shown_sweep();
    for (i, k) in Scheme::ALL.iter().enumerate() {
        let sw = m.sweeps(*k);
        let mut text = match (error_at(m, *k, n), sw.diverged) {
            (Some(e), _) => tf("error after sweep {}: {}", &[&n, &fmt_sig(e, 4)]),
            (None, Some(d)) => tf("diverged at sweep {} (t = {}): stopped", &[&d.sweep, &d.t]),
            (None, None) => tf("sweep {}: computing", &[&n]),
        };
        if let (Some(d), true) = (sw.diverged, error_at(m, *k, n).is_some()) {
            text.push_str(" · ");
            text.push_str(&tf("diverged at sweep {} (t = {}): stopped", &[&d.sweep, &d.t]));
        }
        if let Some(at) = sw.converged_at {
            text.push_str(" · ");
            text.push_str(&tf("exact to rounding after sweep {}", &[&at]));
        }
        if let Some(r) = first_rise(&sw.errors) {
            text.push_str(" · ");
            text.push_str(&tf("the error grows at sweep {}: not monotone", &[&r]));
        }
        let label = if *k == p.scheme { tf("{} (shown)", &[&scheme_label(*k)]) } else { scheme_label(*k).to_string() };
        out.push(line(&label, text, Some(i), sw.diverged.is_some()));
    }
    let sw = m.sweeps(p.scheme);
    let (c, tot) = (sw.sweep_cost, sw.total_cost());
    out.push(line(
        t("Scan"),
        tf(
            "depth {} per sweep against {} for the serial loop; {} sweeps: {} matrix products, {} matrix–vector products",
            &[&c.depth, &m.len().saturating_sub(1), &sw.computed(), &tot.mat_mat, &tot.mat_vec],
        ),
        None,
        false,
    ));
    out.push(line(t("Serial solution"), tf("x_T = {}", &[&vec_text(m.x_final())]), None, false));
    out
}

fn ssm_readouts(p: &Params, m: &SsmModel, s: &State) -> Vec<Readout> {
    let mut out = Vec::new();
    if let Some(k) = &m.kernels {
        let kk = k.kernel();
        let head: Vec<f64> = kk.iter().take(4).copied().collect();
        let diff = k.max_route_diff().map_or_else(|| t("fewer than two routes").to_string(), |v| fmt_sig(v, 3));
        out.push(line(t("Kernel"), tf("K̄₀… = {} · max difference between routes {}", &[&vec_text(&head), &diff]), Some(0), false));
        if let Some(b) = k.blowup {
            out.push(line(t("Kernel"), tf("powers exceed 1e100 at k = {}: unstable Ā", &[&b]), None, true));
        }
        if let (Basis::Rft, Some((a, _))) = (p.basis, &k.coeffs) {
            let sum: f64 = a.iter().map(|v| v.abs()).sum();
            out.push(line(t("RFT"), tf("Σ|aᵢ| = {} (below 1 guarantees stability; it is not necessary)", &[&fmt_sig(sum, 4)]), None, false));
        }
    } else {
        out.push(line(t("Kernel"), t("no system for these parameters").to_string(), None, true));
    }
    match &m.eigenvalues {
        Some(ev) => {
            let rho = ev.iter().map(|z| z.norm()).fold(0.0f64, f64::max);
            let unstable = rho > 1.0 + 1e-12;
            let mut text = tf("ρ(Ā) = {}", &[&fmt_sig(rho, 8)]);
            if m.euler_unstable(p) {
                text.push_str(" · ");
                text.push_str(&tf("forward Euler needs ε < 2/d = {}: unstable", &[&fmt_sig(2.0 / p.ssm_dim() as f64, 4)]));
            } else if unstable {
                text.push_str(" · ");
                text.push_str(t("outside the unit circle: unstable"));
            }
            out.push(line(t("Eigenvalues"), text, None, unstable));
        }
        None => out.push(line(t("Eigenvalues"), t("not available").to_string(), None, false)),
    }
    match m.reconstruction_error(p) {
        Some(e) => out.push(line(t("Reconstruction"), tf("max |u − û| on [0, t]: {} (d = {}, t = {})", &[&fmt_sig(e, 4), &p.ssm_dim(), &m.t]), Some(1), false)),
        None if matches!(p.basis, Basis::Diagonal | Basis::Rft) => {
            out.push(line(t("Reconstruction"), t("this basis has no Legendre reading: the figure shows the output y_k").to_string(), Some(1), false))
        }
        None => {}
    }
    if let (Some(x), true) = (&m.exact, p.disc != Disc::Zoh) {
        let d = x.iter().zip(&m.state).map(|(a, b)| (a - b).abs()).fold(0.0f64, f64::max);
        out.push(line(t("Online state"), tf("stepped in ln t against the exact projection: max difference {}", &[&fmt_sig(d, 3)]), None, false));
    }
    if legs_family(p) {
        let text = match s.wall(p) {
            Some(w) => tf(
                "eigenvector for λ = {}: |S_λ| = {} (1.93·d^{3/2}·2^{−4d/3} = {}) · unitary route: every |Uₙⱼ| ≥ {}",
                &[&w.lambda, &fmt_sig(w.sums.get(w.lambda).copied().unwrap_or(0.0), 6), &fmt_sig(w.asymptote(), 4), &fmt_sig(w.unitary_min().unwrap_or(0.0), 3)],
            ),
            None => t("computing…").to_string(),
        };
        out.push(line(t("Eigenvector wall"), text, None, false));
    }
    out.push(line(t("Readout C"), vec_text(&p.readout()), None, false));
    out
}

/// The formula panel.
pub fn formulas(p: &Params, s: &State) -> Vec<Formula> {
    if p.ssm {
        ssm_formulas(p, s.ssm.as_ref())
    } else {
        rnn_formulas(p, s.rnn.as_ref())
    }
}

const X_PREV_N1: &str = "<msubsup><mi>x</mi><mrow><mi>t</mi><mo>−</mo><mn>1</mn></mrow><mrow><mo>(</mo><mi>n</mi><mo>−</mo><mn>1</mn><mo>)</mo></mrow></msubsup>";
const X_PREV_N: &str = "<msubsup><mi>x</mi><mrow><mi>t</mi><mo>−</mo><mn>1</mn></mrow><mrow><mo>(</mo><mi>n</mi><mo>)</mo></mrow></msubsup>";
const X_N: &str = "<msubsup><mi>x</mi><mi>t</mi><mrow><mo>(</mo><mi>n</mi><mo>)</mo></mrow></msubsup>";

fn rnn_formulas(p: &Params, m: Option<&RnnModel>) -> Vec<Formula> {
    let mt = sub("<mi>M</mi>", "<mi>t</mi>");
    let m_rule = match p.scheme {
        Scheme::Plain => "<mi>A</mi>".to_string(),
        Scheme::SechU => "<mi>diag</mi><mo>(</mo><msup><mi>sech</mi><mn>2</mn></msup><msub><mi>u</mi><mi>t</mi></msub><mo>)</mo><mi>A</mi>".to_string(),
        Scheme::Newton => format!(
            "<mi>diag</mi><mo>(</mo><msup><mi>sech</mi><mn>2</mn></msup><mo>(</mo><mi>A</mi>{X_PREV_N1}<mo>+</mo><msub><mi>u</mi><mi>t</mi></msub><mo>)</mo><mo>)</mo><mi>A</mi>"
        ),
    };
    let mut out = vec![
        Formula::Rule {
            key: "rnn",
            title: t("The RNN").to_string(),
            mathml: lines(&[format!(
                "<mrow><msub><mi>x</mi><mi>t</mi></msub><mo>=</mo><mi>tanh</mi><mo>(</mo><mi>A</mi><msub><mi>x</mi><mrow><mi>t</mi><mo>−</mo><mn>1</mn></mrow></msub><mo>+</mo><msub><mi>u</mi><mi>t</mi></msub><mo>)</mo><mo>,</mo><mspace width=\"1em\"/><msub><mi>x</mi><mn>0</mn></msub><mo>=</mo><mn>0</mn><mo>,</mo><mspace width=\"1em\"/><mi>t</mi><mo>=</mo><mn>1</mn><mo>…</mo>{}</mrow>",
                n(p.big_t() as f64)
            )]),
        },
        Formula::Rule {
            key: "sweep",
            title: t("Sweep n: a linear recurrence").to_string(),
            mathml: lines(&[
                format!("<mrow>{X_N}<mo>=</mo>{mt}{X_PREV_N}<mo>+</mo><msub><mi>b</mi><mi>t</mi></msub><mo>,</mo><mspace width=\"1em\"/><msub><mi>b</mi><mi>t</mi></msub><mo>=</mo><mi>tanh</mi><mo>(</mo><mi>A</mi>{X_PREV_N1}<mo>+</mo><msub><mi>u</mi><mi>t</mi></msub><mo>)</mo><mo>−</mo>{mt}{X_PREV_N1}</mrow>"),
                format!("<mrow>{mt}<mo>=</mo>{m_rule}</mrow>"),
            ]),
        },
        Formula::Rule {
            key: "scan",
            title: t("Associative scan").to_string(),
            mathml: lines(&[
                "<mrow><mo>(</mo><msub><mi>M</mi><mn>2</mn></msub><mo>,</mo><msub><mi>b</mi><mn>2</mn></msub><mo>)</mo><mo>∘</mo><mo>(</mo><msub><mi>M</mi><mn>1</mn></msub><mo>,</mo><msub><mi>b</mi><mn>1</mn></msub><mo>)</mo><mo>=</mo><mo>(</mo><msub><mi>M</mi><mn>2</mn></msub><msub><mi>M</mi><mn>1</mn></msub><mo>,</mo><msub><mi>M</mi><mn>2</mn></msub><msub><mi>b</mi><mn>1</mn></msub><mo>+</mo><msub><mi>b</mi><mn>2</mn></msub><mo>)</mo></mrow>".to_string(),
            ]),
        },
    ];
    if let Some(m) = m {
        out.push(Formula::Note(tf(
            "ρ(A) = {}, d = {}, T = {}. Causality: b_t uses x_{t−1} of the previous sweep only, so after n sweeps x₁…xₙ are exact for every M_t.",
            &[&fmt_sig(crate::math::rnn::spectral_radius(m.dim(), m.rnn.a()), 4), &m.dim(), &m.len()],
        )));
    }
    out
}

fn ssm_formulas(p: &Params, m: Option<&SsmModel>) -> Vec<Formula> {
    let ab = "<mover><mi>A</mi><mo>¯</mo></mover>";
    let bb = "<mover><mi>B</mi><mo>¯</mo></mover>";
    let cb = "<mover><mi>C</mi><mo>¯</mo></mover>";
    let ode = match p.basis {
        Basis::LegsOnline => "<mrow><msup><mi>x</mi><mo>′</mo></msup><mo>=</mo><mfrac><mrow><mi>A</mi><mi>x</mi><mo>+</mo><mi>B</mi><mi>u</mi></mrow><mi>t</mi></mfrac></mrow>",
        _ => "<mrow><msup><mi>x</mi><mo>′</mo></msup><mo>=</mo><mi>A</mi><mi>x</mi><mo>+</mo><mi>B</mi><mi>u</mi></mrow>",
    };
    let mut out = vec![Formula::Rule {
        key: "legs",
        title: t("HiPPO-LegS").to_string(),
        mathml: lines(&[
            "<mrow><msub><mi>A</mi><mrow><mi>n</mi><mi>k</mi></mrow></msub><mo>=</mo><mo>−</mo><msqrt><mo>(</mo><mn>2</mn><mi>n</mi><mo>+</mo><mn>1</mn><mo>)</mo><mo>(</mo><mn>2</mn><mi>k</mi><mo>+</mo><mn>1</mn><mo>)</mo></msqrt><mspace width=\"0.5em\"/><mo>(</mo><mi>k</mi><mo>&lt;</mo><mi>n</mi><mo>)</mo><mo>,</mo><mspace width=\"1em\"/><msub><mi>A</mi><mrow><mi>n</mi><mi>n</mi></mrow></msub><mo>=</mo><mo>−</mo><mo>(</mo><mi>n</mi><mo>+</mo><mn>1</mn><mo>)</mo><mo>,</mo><mspace width=\"1em\"/><msub><mi>B</mi><mi>n</mi></msub><mo>=</mo><msqrt><mn>2</mn><mi>n</mi><mo>+</mo><mn>1</mn></msqrt></mrow>".to_string(),
            ode.to_string(),
        ]),
    }];
    let disc = match p.disc {
        Disc::Bilinear => format!("<mrow>{ab}<mo>=</mo><msup><mrow><mo>(</mo><mi>I</mi><mo>−</mo><mi>ε</mi><mi>A</mi><mo>/</mo><mn>2</mn><mo>)</mo></mrow><mrow><mo>−</mo><mn>1</mn></mrow></msup><mo>(</mo><mi>I</mi><mo>+</mo><mi>ε</mi><mi>A</mi><mo>/</mo><mn>2</mn><mo>)</mo></mrow>"),
        Disc::Zoh => format!("<mrow>{ab}<mo>=</mo><msup><mi>e</mi><mrow><mi>ε</mi><mi>A</mi></mrow></msup><mo>,</mo><mspace width=\"1em\"/>{bb}<mo>=</mo><msup><mi>A</mi><mrow><mo>−</mo><mn>1</mn></mrow></msup><mo>(</mo><msup><mi>e</mi><mrow><mi>ε</mi><mi>A</mi></mrow></msup><mo>−</mo><mi>I</mi><mo>)</mo><mi>B</mi></mrow>"),
        Disc::Euler => format!("<mrow>{ab}<mo>=</mo><mi>I</mi><mo>+</mo><mi>ε</mi><mi>A</mi><mo>,</mo><mspace width=\"1em\"/>{bb}<mo>=</mo><mi>ε</mi><mi>B</mi><mspace width=\"1em\"/><mo>(</mo><mtext>{}</mtext><mi>ε</mi><mo>&lt;</mo><mn>2</mn><mo>/</mo><mi>d</mi><mo>)</mo></mrow>", t("stable for ")),
    };
    if p.basis != Basis::Rft {
        out.push(Formula::Rule {
            key: "disc",
            title: tf("Discretisation, ε = {}", &[&fmt_sig(p.eps, 4)]),
            mathml: lines(&[disc]),
        });
    }
    out.push(Formula::Rule {
        key: "kernel",
        title: t("Convolution kernel (0-based)").to_string(),
        mathml: lines(&[
            format!("<mrow><msub><mi>x</mi><mrow><mi>k</mi><mo>+</mo><mn>1</mn></mrow></msub><mo>=</mo>{ab}<msub><mi>x</mi><mi>k</mi></msub><mo>+</mo>{bb}<msub><mi>u</mi><mi>k</mi></msub><mo>,</mo><mspace width=\"1em\"/><msub><mi>y</mi><mi>k</mi></msub><mo>=</mo><msup>{cb}<mi>T</mi></msup><msub><mi>x</mi><mrow><mi>k</mi><mo>+</mo><mn>1</mn></mrow></msub><mo>=</mo><munderover><mo>∑</mo><mrow><mi>j</mi><mo>=</mo><mn>0</mn></mrow><mi>k</mi></munderover><msub><mover><mi>K</mi><mo>¯</mo></mover><mi>j</mi></msub><msub><mi>u</mi><mrow><mi>k</mi><mo>−</mo><mi>j</mi></mrow></msub><mo>,</mo><mspace width=\"1em\"/><msub><mover><mi>K</mi><mo>¯</mo></mover><mi>j</mi></msub><mo>=</mo><msup>{cb}<mi>T</mi></msup><msup>{ab}<mi>j</mi></msup>{bb}</mrow>"),
            format!("<mrow><mi>DFT</mi><msub><mrow><mo>(</mo><mover><mi>K</mi><mo>¯</mo></mover><mo>)</mo></mrow><mi>l</mi></msub><mo>=</mo><msup><mover><mi>C</mi><mo>~</mo></mover><mi>T</mi></msup><msup><mrow><mo>(</mo><mi>I</mi><mo>−</mo><msub><mi>z</mi><mi>l</mi></msub>{ab}<mo>)</mo></mrow><mrow><mo>−</mo><mn>1</mn></mrow></msup>{bb}<mo>,</mo><mspace width=\"1em\"/><mover><mi>C</mi><mo>~</mo></mover><mo>=</mo><msup><mrow><mo>(</mo><mi>I</mi><mo>−</mo><msup>{ab}<mi>L</mi></msup><mo>)</mo></mrow><mi>T</mi></msup>{cb}<mo>,</mo><mspace width=\"1em\"/><msub><mi>z</mi><mi>l</mi></msub><mo>=</mo><msup><mi>e</mi><mrow><mo>−</mo><mn>2</mn><mi>π</mi><mi>i</mi><mi>l</mi><mo>/</mo><mi>L</mi></mrow></msup></mrow>"),
            "<mrow><msub><mi>G</mi><mi>L</mi></msub><mo>(</mo><mi>z</mi><mo>)</mo><mo>=</mo><mfrac><mrow><msub><mi>b</mi><mn>1</mn></msub><mo>+</mo><msub><mi>b</mi><mn>2</mn></msub><mi>z</mi><mo>+</mo><mo>…</mo><mo>+</mo><msub><mi>b</mi><mi>d</mi></msub><msup><mi>z</mi><mrow><mi>d</mi><mo>−</mo><mn>1</mn></mrow></msup></mrow><mrow><mn>1</mn><mo>+</mo><msub><mi>a</mi><mn>1</mn></msub><mi>z</mi><mo>+</mo><mo>…</mo><mo>+</mo><msub><mi>a</mi><mi>d</mi></msub><msup><mi>z</mi><mi>d</mi></msup></mrow></mfrac></mrow>".to_string(),
        ]),
    });
    if let Some(m) = m {
        let diff = m.kernels.as_ref().and_then(|k| k.max_route_diff());
        out.push(Formula::Note(tf(
            "d = {}, L = {}; max difference between the three routes {}. LegS is never eigendecomposed (its eigenvectors are exponentially ill-conditioned): every Ā of the LegS family is computed lower triangular, its eigenvalues are its diagonal.",
            &[&p.ssm_dim(), &p.len(), &diff.map_or_else(|| "—".to_string(), |v| fmt_sig(v, 3))],
        )));
    }
    out
}

/// The data export. `rnn`: one row per position (the serial solution and each scheme's error at
/// the shown sweep); JSON adds `x_final` and `errors_<scheme>` (max error after sweeps
/// 1…min(T, 64); shorter after a divergence). `ssm`: one row per kernel index with the three
/// routes; JSON adds `kernel`, `a_bar`, `b_bar`, `kernel_max_route_diff`.
pub fn data(p: &Params, s: &State) -> Table {
    match (p.ssm, &s.rnn, &s.ssm) {
        (false, Some(m), _) => rnn_data(p, m),
        (true, _, Some(m)) => ssm_data(m, s.wall(p)),
        _ => Table::default(),
    }
}

fn rnn_data(p: &Params, m: &RnnModel) -> Table {
    let d = m.dim().max(1);
    let mut cols: Vec<String> = vec!["t".into()];
    cols.extend((1..=d).map(|i| format!("x{i}")));
    cols.extend(Scheme::ALL.iter().map(|k| format!("error_{}", k.name())));
    let mut tab = Table::with_columns(cols);
    let n = p.shown_sweep();
    let rows: Vec<Option<&[f64]>> = Scheme::ALL.iter().map(|&k| m.sweeps(k).error_row(n)).collect();
    for (i, x) in m.serial.chunks_exact(d).enumerate() {
        let mut r = vec![(i + 1).to_string()];
        r.extend(x.iter().map(|v| cell(*v)));
        r.extend(rows.iter().map(|row| row.and_then(|r| r.get(i)).map_or(String::new(), |v| cell(*v))));
        tab.rows.push(r);
    }
    tab.put("x_final", Json::nums(m.x_final().iter().copied()));
    for k in Scheme::ALL {
        tab.put(format!("errors_{}", k.name()), Json::nums(m.sweeps(k).errors.iter().copied()));
    }
    for k in Scheme::ALL {
        let sw = m.sweeps(k);
        tab.put(format!("converged_at_{}", k.name()), Json::opt(sw.converged_at.map(|v| v as f64)));
        tab.put(format!("diverged_at_{}", k.name()), Json::opt(sw.diverged.map(|v| v.sweep as f64)));
    }
    tab.put("sweep", Json::Num(n as f64));
    tab.put("spectral_radius", Json::Num(crate::math::rnn::spectral_radius(m.dim(), m.rnn.a())));
    let c = m.sweeps(p.scheme).sweep_cost;
    tab.put("scan_depth", Json::Num(c.depth as f64));
    tab
}

fn ssm_data(m: &SsmModel, wall: Option<&Wall>) -> Table {
    let mut tab = Table::with_columns(["k", "kernel", "powers", "dft", "rft"]);
    if let Some(k) = &m.kernels {
        let routes: Vec<Option<&[f64]>> = [Route::Powers, Route::Dft, Route::Rft].iter().map(|&r| k.route(r)).collect();
        for (i, v) in k.kernel().iter().enumerate() {
            let mut r = vec![i.to_string(), cell(*v)];
            r.extend(routes.iter().map(|rt| rt.and_then(|x| x.get(i)).map_or(String::new(), |v| cell(*v))));
            tab.rows.push(r);
        }
    }
    tab.put("kernel", Json::nums(m.kernel().iter().copied()));
    match &m.sys {
        Some(sys) => {
            tab.put("a_bar", Json::rows(sys.a_bar_rows()));
            tab.put("b_bar", Json::nums(sys.b_bar.iter().copied()));
            tab.put("c_bar", sys.c_bar.as_ref().map_or(Json::Null, |c| Json::nums(c.iter().copied())));
        }
        None => {
            tab.put("a_bar", Json::Null);
            tab.put("b_bar", Json::Null);
        }
    }
    tab.put("kernel_max_route_diff", Json::opt(m.kernels.as_ref().and_then(|k| k.max_route_diff())));
    tab.put("kernel_blowup", Json::opt(m.kernels.as_ref().and_then(|k| k.blowup).map(|v| v as f64)));
    tab.put(
        "spectral_radius",
        Json::opt(m.eigenvalues.as_ref().map(|ev| ev.iter().map(|z| z.norm()).fold(0.0f64, f64::max))),
    );
    tab.put("t", Json::Num(m.t as f64));
    tab.put("state", Json::nums(m.state.iter().copied()));
    // The LegS systems: the eigenvector wall (|S_n| for λ = ⌊d/3⌋) and the unitary route's moduli.
    if let Some(w) = wall {
        tab.put("wall_lambda", Json::Num(w.lambda as f64));
        tab.put("eigvec_sums", Json::nums(w.sums.iter().copied()));
        let (lo, hi): (Vec<f64>, Vec<f64>) = w.unitary.as_deref().unwrap_or(&[]).iter().copied().unzip();
        tab.put("unitary_min_moduli", Json::nums(lo));
        tab.put("unitary_max_moduli", Json::nums(hi));
    }
    tab
}

/// Hover text at data point (x, y) of the main figure.
pub fn hover(p: &Params, s: &State, x: f64, y: f64) -> Option<String> {
    if !(x.is_finite() && y.is_finite()) {
        return None;
    }
    if p.ssm {
        let m = s.ssm.as_ref()?;
        let k = x.floor();
        if k < 0.0 || k as usize >= m.u.len() {
            return None;
        }
        return Some(tf("s = {}: u = {}", &[&fmt_sig(x, 4), &fmt_sig(m.u[k as usize], 4)]));
    }
    let m = s.rnn.as_ref()?;
    let (tt, n) = (x.round(), y.round());
    if tt < 1.0 || tt as usize > m.len() || n < 0.0 || n as usize > m.max_sweeps {
        return None;
    }
    let row = m.sweeps(p.scheme).error_row(n as usize)?;
    let e = row.get(tt as usize - 1)?;
    Some(tf("t = {}, sweep {}: error {}", &[&(tt as usize), &(n as usize), &fmt_sig(*e, 3)]))
}

/// Simplified Chinese for the strings only this lab uses (shared ones are in the shell's table).
pub const ZH: crate::i18n::Table = &[
    ("1…8 for the RNN, 1…64 for the SSM", "RNN 为 1…8，SSM 为 1…64"),
    ("A nonlinear RNN is solved exactly by a few sweeps of linear recurrences, each an associative scan of depth log T; a linear state-space model is a convolution whose kernel comes from a generating function.", "非线性 RNN 可以用几轮线性递推扫描精确求解，每轮都是深度为 log T 的结合扫描；线性状态空间模型是一个卷积，其卷积核来自生成函数。"),
    ("Associative scan", "结合扫描"),
    ("Click the heat map to show a sweep (RNN), or the time axis to move the cursor (SSM); with a drawn input, drag to draw it.", "点击热图显示某一轮扫描（RNN），或点击时间轴移动光标（SSM）；手绘输入时拖动即可绘制。"),
    ("Convolution kernel (0-based)", "卷积核（下标从 0 开始）"),
    ("Discretisation, ε = {}", "离散化，ε = {}"),
    ("Eigenvalues", "特征值"),
    ("Euler: ε ≥ 2/d = {}, outside", "Euler：ε ≥ 2/d = {}，落在圆外"),
    ("Forward Euler leaves the unit circle past ε = 2/d", "ε 超过 2/d 后前向 Euler 离开单位圆"),
    ("HiPPO-LegS", "HiPPO-LegS"),
    ("IDFT of b̄/ā (rational transfer function)", "b̄/ā 的逆 DFT（有理传递函数）"),
    ("IDFT of the truncated generating function", "截断生成函数的逆 DFT"),
    ("Im λ", "Im λ"),
    ("Kernel", "卷积核"),
    ("K̄₀… = {} · max difference between routes {}", "K̄₀… = {} · 各途径间最大差 {}"),
    ("K̄ₖ", "K̄ₖ"),
    ("LegS online: uniform memory of [0, t]", "在线 LegS：对 [0, t] 的均匀记忆"),
    ("LegS online: uniform memory of the whole past", "在线 LegS：对整个过去的均匀记忆"),
    ("Newton", "牛顿法"),
    ("Newton (DEER) is exact to rounding after 4 sweeps", "Newton（DEER）4 轮扫描后精确到舍入误差"),
    ("Newton (DEER): Jacobian at the last sweep", "Newton（DEER）：在上一轮处的 Jacobian"),
    ("Online state", "在线状态"),
    ("Plain sweeps diverge even with ρ(A) = 0.95 < 1", "即使 ρ(A) = 0.95 < 1，朴素扫描也会发散"),
    ("Plain sweeps raise the error at sweep 2", "朴素扫描在第 2 轮使误差变大"),
    ("RFT", "RFT"),
    ("RFT denominators a₁,…,a_d", "RFT 分母 a₁,…,a_d"),
    ("RFT with a = 0: a shift register", "a = 0 的 RFT：移位寄存器"),
    ("RFT: Σ|aᵢ| = 1.81 > 1 and still stable", "RFT：Σ|aᵢ| = 1.81 > 1 仍然稳定"),
    ("The eigenvector wall: |Sₙ| falls below f64's ε at d = 64", "特征向量之墙：d = 64 时 |Sₙ| 低于 f64 的 ε"),
    ("Draw your own input: what 8 numbers remember of it", "手绘输入：8 个数记住了它的什么"),
    ("RNN", "RNN"),
    ("RNN mode: the heat map shows log₁₀ of the error of sweep n (up) at position t (right). Left of the diagonal it is exact — after n sweeps x₁…xₙ are exact whatever the linearisation: causality. The chart below compares the three linearisations sweep by sweep (plain sweeps can make the error larger first, and can blow up even when ρ(A) < 1), shows coordinate 1 of the shown sweep against the serial solution, and counts the scan's depth and products. SSM mode: the input up to the time cursor and what the d numbers of the state remember of it — LegS online keeps a uniform memory of [0, t], S4 a decaying one. Below: the kernel K̄ₖ by three routes that must agree, the eigenvalues of Ā with the unit circle and, for LegS, why it is never diagonalised: its eigenvectors span 2^{−4d/3} (1e−26 at d = 64, far below f64's ε) while the unitary route of its skew part stays of order 1/√d. Pick the drawn input to draw your own signal on the plot.", "RNN 模式：热图显示第 n 轮扫描（纵轴）在位置 t（横轴）处误差的 log₁₀。对角线左侧是精确的——无论怎样线性化，n 轮扫描后 x₁…xₙ 都是精确的：这就是因果性。下方的图逐轮比较三种线性化（朴素扫描可能先让误差变大，甚至在 ρ(A) < 1 时也会爆炸），显示所选轮次的第 1 个坐标与串行解的对比，并统计扫描的深度和乘法次数。SSM 模式：到时间光标为止的输入，以及 d 个状态数对它的记忆——在线 LegS 对 [0, t] 均匀记忆，S4 的记忆随时间衰减。下方：由三种必须一致的途径算出的卷积核 K̄ₖ，Ā 的特征值与单位圆，以及（LegS）为何从不直接对角化：其特征向量跨越 2^{−4d/3}（d = 64 时为 1e−26，远低于 f64 的 ε），而其反对称部分的酉对角化路线保持 1/√d 量级。选择手绘输入即可在图上画出自己的信号。"),
    ("RNN: log₁₀ error of each sweep over position and sweep; SSM: the input and its reconstruction from the state", "RNN：各轮扫描在各位置的误差 log₁₀；SSM：输入及其由状态重建的结果"),
    ("RNN: max error per sweep for the three linearisations, coordinate 1 against the serial solution, scan counters; SSM: the kernel by three routes, the eigenvalues of Ā and (LegS) the eigenvector wall beside the unitary route", "RNN：三种线性化每轮的最大误差、第 1 个坐标与串行解对比、扫描计数；SSM：三种途径的卷积核、Ā 的特征值以及（LegS）特征向量之墙与酉对角化路线"),
    ("Radius 1.2: plain diverges, Newton converges", "谱半径 1.2：朴素扫描发散，Newton 收敛"),
    ("Re λ", "Re λ"),
    ("Readout C", "读出向量 C"),
    ("Reconstruction", "重建"),
    ("Recurrences in parallel: RNN sweeps and state-space memory", "并行求解递推：RNN 扫描与状态空间记忆"),
    ("S4 (time-invariant LegS): decaying memory", "S4（时不变 LegS）：衰减记忆"),
    ("S4: the same A as a time-invariant system forgets", "S4：同一个 A 作为时不变系统会遗忘"),
    ("SSM", "SSM"),
    ("Scan", "扫描"),
    ("Serial solution", "串行解"),
    ("Sweep n: a linear recurrence", "第 n 轮扫描：一个线性递推"),
    ("The RNN", "RNN"),
    ("The causality wedge: T sweeps always suffice", "因果楔形：T 轮扫描总是足够"),
    ("at most {} numbers", "最多 {} 个数"),
    ("bilinear", "双线性"),
    ("chirp", "线性调频"),
    ("comma list, |aᵢ| ≤ 2; empty = 0 (a shift register)", "逗号分隔，|aᵢ| ≤ 2；留空 = 0（移位寄存器）"),
    ("comma list; empty = (−½)ⁿ; missing entries are (−½)ⁿ", "逗号分隔；留空 = (−½)ⁿ；缺少的分量取 (−½)ⁿ"),
    ("coordinate 1 of x⁽ⁿ⁾, n = {}", "x⁽ⁿ⁾ 的第 1 个坐标，n = {}"),
    ("cursor t = {}", "光标 t = {}"),
    ("d = 64, L = 1024: the routes agree (ZOH)", "d = 64，L = 1024：各途径一致（ZOH）"),
    ("d = {}, L = {}; max difference between the three routes {}. LegS is never eigendecomposed (its eigenvectors are exponentially ill-conditioned): every Ā of the LegS family is computed lower triangular, its eigenvalues are its diagonal.", "d = {}，L = {}；三种途径间最大差 {}。LegS 从不做特征分解（其特征向量的条件数指数级恶化）：LegS 族的每个 Ā 都按下三角计算，特征值就是其对角元。"),
    ("depth {} per sweep against {} for the serial loop; {} sweeps: {} matrix products, {} matrix–vector products", "每轮深度 {}，串行循环为 {}；{} 轮扫描：{} 次矩阵乘法，{} 次矩阵–向量乘法"),
    ("diagonal A = −diag(1…d)", "对角 A = −diag(1…d)"),
    ("discretisation", "离散化"),
    ("diverged at sweep {} (t = {})", "在第 {} 轮扫描发散（t = {}）"),
    ("diverged at sweep {} (t = {}): stopped", "在第 {} 轮扫描发散（t = {}）：已停止"),
    ("diverged: no iterate", "已发散：没有迭代值"),
    ("eigenvalues of Ā · ρ(Ā) = {}", "Ā 的特征值 · ρ(Ā) = {}"),
    ("eigenvalues of Ā: not available", "Ā 的特征值：无法得到"),
    ("error after sweep {}: {}", "第 {} 轮扫描后的误差：{}"),
    ("exact to rounding after sweep {}", "第 {} 轮后精确到舍入误差"),
    ("fewer than two routes", "不足两种途径"),
    ("forward Euler", "前向 Euler"),
    ("forward Euler needs ε < 2/d = {}: unstable", "前向 Euler 需要 ε < 2/d = {}：不稳定"),
    ("input amplitude", "输入幅度"),
    ("input u", "输入 u"),
    ("input u on [0, t]", "[0, t] 上的输入 u"),
    ("kernel K̄ₖ = C̄ᵀĀᵏB̄ (fewer than two routes available)", "卷积核 K̄ₖ = C̄ᵀĀᵏB̄（可用途径不足两种）"),
    ("kernel K̄ₖ = C̄ᵀĀᵏB̄ · max difference between routes {}", "卷积核 K̄ₖ = C̄ᵀĀᵏB̄ · 各途径间最大差 {}"),
    ("kernel length L", "卷积核长度 L"),
    ("length T", "长度 T"),
    ("linearisation M_t", "线性化 M_t"),
    ("linearised at u: M = diag(sech² u)A", "在 u 处线性化：M = diag(sech² u)A"),
    ("literal test case (d = 3)", "固定测试用例（d = 3）"),
    ("log₁₀ error", "误差 log₁₀"),
    ("max error", "最大误差"),
    ("max error after each sweep", "每轮扫描后的最大误差"),
    ("max |u − û| on [0, t]: {} (d = {}, t = {})", "[0, t] 上的 max |u − û|：{}（d = {}，t = {}）"),
    ("mode", "模式"),
    ("no system for these parameters", "这些参数下没有系统"),
    ("nonlinear RNN by linear sweeps", "用线性扫描求解非线性 RNN"),
    ("not available", "无法得到"),
    ("or click the heat map; 0…min(T, 64)", "或点击热图；0…min(T, 64)"),
    ("or click the plot (unless the input is drawn); 0…L", "或点击图（手绘输入时除外）；0…L"),
    ("output y_k = C̄ᵀx_{k+1} (no Legendre reading)", "输出 y_k = C̄ᵀx_{k+1}（无 Legendre 解释）"),
    ("outside the unit circle: unstable", "在单位圆外：不稳定"),
    ("plain", "朴素"),
    ("plain: M = A", "朴素：M = A"),
    ("position t", "位置 t"),
    ("powers C̄ᵀĀᵏB̄", "幂 C̄ᵀĀᵏB̄"),
    ("powers exceed 1e100 at k = {}: unstable Ā", "幂在 k = {} 处超过 1e100：Ā 不稳定"),
    ("problem", "问题"),
    ("random A (seed)", "随机 A（种子）"),
    ("rational transfer function", "有理传递函数"),
    ("readout C₀,…,C_{d−1}", "读出向量 C₀,…,C_{d−1}"),
    ("reconstruction from x(t): decaying memory", "由 x(t) 重建：衰减记忆"),
    ("reconstruction from x(t): uniform memory", "由 x(t) 重建：均匀记忆"),
    ("s = {}: u = {}", "s = {}：u = {}"),
    ("sech² u", "sech² u"),
    ("serial solution", "串行解"),
    ("shown sweep n", "显示第 n 轮扫描"),
    ("sine", "正弦"),
    ("spectral radius of A", "A 的谱半径"),
    ("stable for ", "稳定条件 "),
    ("state size d", "状态维数 d"),
    ("state-space memory (HiPPO / S4)", "状态空间记忆（HiPPO / S4）"),
    ("step ε", "步长 ε"),
    ("stepped in ln t against the exact projection: max difference {}", "按 ln t 步进与精确投影相比：最大差 {}"),
    ("still computing", "仍在计算"),
    ("sweep n", "扫描轮次 n"),
    ("sweep {}", "第 {} 轮"),
    ("sweep {}: computing", "第 {} 轮：计算中"),
    ("sweeping", "扫描中"),
    ("Eigenvector wall", "特征向量之墙"),
    ("eigenvector wall · λ = {}", "特征向量之墙 · λ = {}"),
    ("|Uₙⱼ|, unitary route", "|Uₙⱼ|，酉对角化路线"),
    ("|Sₙ|, LegS eigenvector", "|Sₙ|，LegS 特征向量"),
    ("f64 ε", "f64 ε"),
    ("drag on the plot to draw the input u(s)", "在图上拖动以绘制输入 u(s)"),
    ("drawn with the pointer", "用指针绘制"),
    ("drawn input (knots over [0, L])", "手绘输入（[0, L] 上的节点）"),
    ("or drag on the plot to draw; comma list, |u| ≤ 1.5, equally spaced from s = 0 to s = L; empty = 0", "或在图上拖动绘制；逗号分隔，|u| ≤ 1.5，从 s = 0 到 s = L 等距；空 = 0"),
    ("computing…", "计算中…"),
    ("eigenvector for λ = {}: |S_λ| = {} (1.93·d^{3/2}·2^{−4d/3} = {}) · unitary route: every |Uₙⱼ| ≥ {}", "λ = {} 的特征向量：|S_λ| = {}（1.93·d^{3/2}·2^{−4d/3} = {}）· 酉对角化路线：所有 |Uₙⱼ| ≥ {}"),
    ("eigenvector wall: computing…", "特征向量之墙：计算中…"),
    ("n", "n"),
    ("modulus", "模"),
    ("unitary route: the eigensolver failed", "酉对角化路线：特征值求解失败"),
    ("system", "系统"),
    ("t = {}, sweep {}: error {}", "t = {}，第 {} 轮：误差 {}"),
    ("the error grows at sweep {}: not monotone", "误差在第 {} 轮增大：并非单调"),
    ("this basis has no Legendre reading: the figure shows the output y_k", "这个基没有 Legendre 解释：图中显示输出 y_k"),
    ("time cursor t", "时间光标 t"),
    ("time s (steps)", "时间 s（步）"),
    ("u(s)", "u(s)"),
    ("unit circle", "单位圆"),
    ("x_T = {}", "x_T = {}"),
    ("x_t,1", "x_t,1"),
    ("zero-order hold", "零阶保持"),
    ("{} (shown)", "{}（显示中）"),
    ("{} (stems)", "{}（茎图）"),
    ("{} is beyond ±{}", "{} 超出 ±{}"),
    ("{} — diverged at sweep {}", "{} — 在第 {} 轮扫描发散"),
    ("{} — exact to rounding after sweep {}", "{} — 第 {} 轮后精确到舍入误差"),
    ("{}, sweep {}", "{}，第 {} 轮"),
    ("{}, sweep {}: {}", "{}，第 {} 轮：{}"),
    ("{}: not available", "{}：无法得到"),
    ("{}: scan depth {} per sweep (serial: {}) · {} matrix products once + {} per sweep · {} matrix–vector products per sweep", "{}：每轮扫描深度 {}（串行：{}）· 一次性 {} 次矩阵乘法 + 每轮 {} 次 · 每轮 {} 次矩阵–向量乘法"),
    ("Σ|aᵢ| = {} (below 1 guarantees stability; it is not necessary)", "Σ|aᵢ| = {}（小于 1 可保证稳定，但并非必要）"),
    ("ρ(A) = {}, d = {}, T = {}. Causality: b_t uses x_{t−1} of the previous sweep only, so after n sweeps x₁…xₙ are exact for every M_t.", "ρ(A) = {}，d = {}，T = {}。因果性：b_t 只用到上一轮的 x_{t−1}，因此对任何 M_t，n 轮扫描后 x₁…xₙ 都是精确的。"),
    ("ρ(Ā) = {}", "ρ(Ā) = {}"),
];
