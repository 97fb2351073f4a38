//! The Gaussians lab's words: title and texts, the formula panel with live numbers, the readouts,
//! the data export (the JSON keys at full precision) and the Chinese table.

use super::model::{rows, State};
use super::{Mode, Params, METHODS, SHOW};
use crate::fmt::{fmt_num, fmt_sig};
use crate::lab::{Formula, Json, LabMeta, Readout, Table};
use crate::math::gaussian::{FlowMethod, MleStatus};
use crate::math::simplex_opt::Method;
use crate::mathml::*;

crate::i18n::local!(ZH);

/// Title, texts and captions.
pub const META: LabMeta = LabMeta {
    title: "Gaussians: divergences, transport, flows and classifiers",
    tagline: "With Gaussians every hard object of probability — KL and Wasserstein distances, optimal transport, gradient flows of distributions, Bayes classifiers — is a few lines of linear algebra you can drag.",
    look_at: "Divergence: drag the centres and axis handles of p and q. The arrows carry p's quantile points to their optimal-transport images T(x) = μ_q + A(x − μ_p). The bars compare KL both ways, Bhattacharyya, Hellinger² and W₂² with the post's dimensionally wrong foil; the sweep slides q along the centre line: KL and BD grow like s²/σ², W₂² like s², and for thin Gaussians KL explodes while W₂ stays finite. Flow: particles from q₀ follow the Wasserstein gradient flow of KL(q‖p) to the target p; the chart is KL(q_t‖p) in closed form, the dots the particles' own fitted Gaussian (1/N covariance). The ODE particles move by one affine map and never cross; Langevin particles diffuse, and Euler–Maruyama settles at a biased covariance. Classify: two classes with one shared covariance; the post's closed form uses the pooled within-class covariance (1/N), so it is exactly LDA; the author's script whitens with the total covariance and sets Σ = I (same direction, |w| shrunk); logistic regression is fitted by Newton's method. The chart scores them on the population (a fresh sample's limit) against n. Simplex: four ways to minimise F over the probability triangle from the uniform point; the star is the minimiser.",
    try_these: &[
        ("Thin Gaussians: KL explodes, W₂ stays finite", "sd_p=0.05,1&sd_q=0.05,1&mu_q=0.5,0&log=1"),
        ("Non-commuting covariances: the OT map turns", "sd_p=1.5,0.5&ang_p=30&sd_q=0.5,1.2&ang_q=120&mu_q=1,-1"),
        ("1-D: the OT map matches quantiles", "dim=1&sd_q=2,1"),
        ("The flow to the spec's target", "mode=flow"),
        ("Langevin: same marginals, diffusing particles, an O(dt) bias", "mode=flow&method=langevin&dt=0.1&t=5"),
        ("Few particles: the fitted-Gaussian flow still reaches p", "mode=flow&method=fitted&n=30"),
        ("Few-shot: the closed forms beat logistic regression", "mode=classify&n=20"),
        ("Unequal covariances: the closed forms lose", "mode=classify&unequal=1&n=2000"),
        ("Frank–Wolfe with a fixed step stalls at O(η)", "mode=simplex&method=fw&eta=0.05&steps=1000"),
        ("Exponentiated gradient never reaches a face", "mode=simplex&method=eg&eta=0.5"),
        ("Entropy: the minimiser is softmax(x/τ)", "mode=simplex&objective=entropy&method=eg"),
    ],
    main_caption: "Divergence: p and q (1σ, 2σ) with optimal-transport arrows · Flow: particles, q_t and the target p · Classify: training points and decision lines (P = 0.5, 0.1, 0.9) · Simplex: trajectories on the probability triangle",
    aux_caption: "Divergence: the divergences and the shift sweep · Flow: KL(q_t‖p) against t · Classify: test accuracy and NLL against n · Simplex: F − F* against t (log–log)",
    pointer_hint: "Drag a centre or an axis handle (divergence, flow), the class-1 mean (classify) or the point x (simplex).",
    pending_label: "learning curve",
    zh: TABLES,
};

/// The label of a divergence bar (untranslated).
pub fn show_label(k: &str) -> &'static str {
    SHOW.iter().find(|s| s.0 == k).map(|s| s.1).unwrap_or("")
}

/// The label of a classifier (untranslated).
pub fn method_label(k: &str) -> &'static str {
    METHODS.iter().find(|s| s.0 == k).map(|s| s.1).unwrap_or("")
}

/// The label of a simplex method (untranslated).
pub fn simplex_label(m: Method) -> &'static str {
    match m {
        Method::Fw => "Frank–Wolfe, fixed η",
        Method::Fw2t => "Frank–Wolfe, 2/(t + 2)",
        Method::Pgd => "projected gradient",
        Method::Eg => "exponentiated gradient",
    }
}

fn flow_label(m: FlowMethod) -> &'static str {
    match m {
        FlowMethod::ExactScore => "exact-score ODE",
        FlowMethod::Fitted => "fitted-Gaussian ODE",
        FlowMethod::Langevin => "Langevin (Euler–Maruyama)",
    }
}

fn v2(v: [f64; 2], dim: usize) -> String {
    if dim == 1 {
        fmt_sig(v[0], 4)
    } else {
        format!("({}, {})", fmt_sig(v[0], 4), fmt_sig(v[1], 4))
    }
}

fn mat(c: [[f64; 2]; 2], dim: usize) -> String {
    if dim == 1 {
        fmt_sig(c[0][0], 5)
    } else {
        format!("[[{}, {}], [{}, {}]]", fmt_sig(c[0][0], 5), fmt_sig(c[0][1], 5), fmt_sig(c[1][0], 5), fmt_sig(c[1][1], 5))
    }
}

fn warn(label: &str, text: String) -> Readout {
    Readout { label: label.to_string(), text, colour: None, warn: true }
}

fn line(label: &str, text: String, colour: Option<usize>) -> Readout {
    Readout { label: label.to_string(), text, colour, warn: false }
}

fn refused(e: impl std::fmt::Display) -> String {
    tf("refused: {}", &[&e])
}

/// The readouts of the current mode.
pub fn readouts(p: &Params, s: &State) -> Vec<Readout> {
    let mut out = Vec::new();
    match p.mode {
        Mode::Divergence => match &s.div {
            Some(Ok(d)) => {
                let dd = &d.d;
                out.push(line("KL(p‖q)", fmt_sig(dd.kl_pq, 6), Some(super::render::show_colour("kl_pq"))));
                out.push(line("KL(q‖p)", fmt_sig(dd.kl_qp, 6), Some(super::render::show_colour("kl_qp"))));
                out.push(line(t("Bhattacharyya"), fmt_sig(dd.bd, 6), Some(super::render::show_colour("bd"))));
                out.push(line(t("Hellinger²"), fmt_sig(dd.hellinger2, 6), Some(super::render::show_colour("hel"))));
                out.push(line("W₂²", fmt_sig(dd.w2_sq, 6), Some(super::render::show_colour("w2"))));
                out.push(line(
                    t("naive foil"),
                    tf("‖Δμ‖² + ‖Σp − Σq‖²F = {} (adds lengths² to lengths⁴)", &[&fmt_sig(dd.naive_sq, 6)]),
                    Some(super::render::show_colour("naive")),
                ));
                out.push(line(t("OT map A"), format!("{} · {}", mat(dd.ot.a, p.dim), t("symmetric positive definite, AΣpA = Σq")), None));
                out.push(line(t("KL is not symmetric"), t("KL(p‖q) weighs the log-ratio by p, KL(q‖p) by q").to_string(), None));
            }
            Some(Err(e)) => out.push(warn(t("Input"), refused(e))),
            None => {}
        },
        Mode::Flow => match &s.flow {
            Some(Ok(f)) => {
                if let Ok(m) = &f.at_t {
                    out.push(line(&tf("closed form at t = {}", &[&fmt_sig(p.t, 4)]), format!("m = {} · C = {} · KL(q_t‖p) = {}", v2(m.m, 2), mat(m.c, 2), fmt_sig(m.kl, 6)), Some(2)));
                }
                match &f.particles {
                    Ok(pf) => {
                        let fitted = pf.fitted_kl().map(|k| fmt_sig(k, 5)).unwrap_or_else(|_| "—".into());
                        out.push(line(
                            t(flow_label(p.flow_method)),
                            tf("{} particles at t = {} · KL of their fitted Gaussian (1/N covariance) {}", &[&pf.particles().len(), &fmt_sig(pf.time(), 4), &fitted]),
                            Some(2),
                        ));
                        if let Ok(mc) = f.flow.moments(pf.time()) {
                            out.push(line(t("KL(q_t‖p) now"), fmt_sig(mc.kl, 6), Some(2)));
                        }
                    }
                    Err(e) => out.push(warn(t("Particles"), refused(e))),
                }
                if let Some(e) = f.failed {
                    out.push(warn(t("Particles"), tf("stopped: {}", &[&e])));
                }
                match p.flow_method {
                    FlowMethod::Langevin => {
                        if let Ok(c) = f.flow.em_stationary_cov(p.dt) {
                            let bias = f.flow.kl_to_target(f.flow.target().mean(), c).map(|k| fmt_sig(k, 4)).unwrap_or_else(|_| "—".into());
                            out.push(line(
                                t("Euler–Maruyama bias"),
                                tf("stationary covariance {} instead of Σ* (λ/(1 − dt/2λ) per axis): KL floor {}", &[&mat(c, 2), &bias]),
                                Some(5),
                            ));
                        }
                    }
                    _ => out.push(line(t("No crossing"), t("the ODE moves every particle by one invertible affine map: the cloud keeps its order (the colour bands, by rank at the start, stay bands)").to_string(), None)),
                }
                out.push(line(t("Start"), tf("KL(q₀‖p) = {}", &[&f.flow.moments(0.0).map(|m| fmt_sig(m.kl, 6)).unwrap_or_else(|_| "—".into())]), Some(1)));
            }
            Some(Err(e)) => out.push(warn(t("Input"), refused(e))),
            None => {}
        },
        Mode::Classify => match &s.class {
            Some(Ok(c)) => match &c.fits {
                Ok(fits) => {
                    for (k, (key, f)) in [("post", fits.post), ("script", fits.script), ("mle", fits.mle.fit)].into_iter().enumerate() {
                        let nll = crate::math::gaussian::nll(&f, &c.train);
                        let acc = crate::math::gaussian::accuracy(&f, &c.train);
                        let pop = c.population.map(|pp| tf(" · test accuracy {} · test NLL {}", &[&fmt_sig(pp[k].0, 4), &fmt_sig(pp[k].1, 4)])).unwrap_or_default();
                        out.push(line(
                            t(method_label(key)),
                            format!("w = {} · b = {} · {}{pop}", v2(f.w, 2), fmt_sig(f.b, 5), tf("training accuracy {} · NLL {}", &[&fmt_sig(acc, 3), &fmt_sig(nll, 5)])),
                            Some(super::render::method_colour(key)),
                        ));
                    }
                    let status = match fits.mle.status {
                        MleStatus::Converged => tf("converged in {} Newton steps", &[&fits.mle.iterations]),
                        MleStatus::Separable => t("separable: the likelihood has no maximiser; shown is the first separating iterate").to_string(),
                        MleStatus::NotConverged => tf("not converged after {} Newton steps", &[&fits.mle.iterations]),
                        MleStatus::Degenerate => t("degenerate data: Newton's Hessian is singular").to_string(),
                    };
                    out.push(Readout { label: t("Logistic MLE").into(), text: status, colour: None, warn: fits.mle.status != MleStatus::Converged });
                    if let Ok(d2) = fits.stats.mahalanobis2() {
                        // The measured ratio of the two fits next to the predicted factor's inputs.
                        let ratio = norm(fits.script.w) / norm(fits.post.w);
                        out.push(line(t("Script shrink"), tf("|w_script|/|w_post| = {} = 1/(1 + p₀p₁D²), D² = {}", &[&fmt_sig(ratio, 6), &fmt_sig(d2, 5)]), None));
                    }
                    if p.unequal {
                        out.push(warn(t("Assumption broken"), t("the classes have different covariances: the closed forms are no longer the Bayes rule").to_string()));
                    }
                }
                Err(e) => out.push(warn(t("Fit"), refused(e))),
            },
            Some(Err(e)) => out.push(warn(t("Input"), refused(e))),
            None => {}
        },
        Mode::Simplex => match &s.simplex {
            Some(Ok(sx)) => {
                for (k, run) in sx.runs.iter().enumerate() {
                    let Some(last) = run.traj.last() else { continue };
                    let f = sx.obj.value(last);
                    let text = format!(
                        "p = ({}) · F = {} · F − F* = {}",
                        last.iter().map(|v| fmt_sig(*v, 5)).collect::<Vec<_>>().join(", "),
                        fmt_sig(f, 8),
                        fmt_sig(f - sx.opt.1, 3)
                    );
                    let r = line(t(simplex_label(run.method)), text, Some(super::render::simplex_colour(run.method)));
                    out.push(if k == 0 { Readout { label: format!("▶ {}", r.label), ..r } } else { r });
                }
                let (ps, fs) = &sx.opt;
                let g = sx.obj.grad(ps);
                let dot: f64 = ps.iter().zip(&g).filter(|(a, _)| **a > 0.0).map(|(a, b)| a * b).sum();
                let min = g.iter().copied().fold(f64::INFINITY, f64::min);
                out.push(line(
                    t("Optimum"),
                    tf("p* = ({}) · F* = {} · p*·∇F = {} · min ∇F = {}", &[&ps.iter().map(|v| fmt_sig(*v, 5)).collect::<Vec<_>>().join(", "), &fmt_sig(*fs, 8), &fmt_sig(dot, 6), &fmt_sig(min, 6)]),
                    None,
                ));
            }
            Some(Err(e)) => out.push(warn(t("Input"), refused(e))),
            None => {}
        },
    }
    out
}

/// Hover text on the main figure: the densities and the transport image (divergence, flow), each
/// classifier's P(class 1 | x) (classify), F at the point's barycentric coordinates (simplex).
pub fn hover(p: &Params, s: &State, x: f64, y: f64) -> Option<String> {
    if !(x.is_finite() && y.is_finite()) {
        return None;
    }
    match p.mode {
        Mode::Divergence => {
            let d = s.div.as_ref()?.as_ref().ok()?;
            let at = [x, if p.dim == 1 { 0.0 } else { y }];
            let tx = d.d.ot.apply(at);
            Some(tf("ln p = {} · ln q = {} · T(x) = {}", &[&fmt_sig(d.p.log_density(at), 4), &fmt_sig(d.q.log_density(at), 4), &v2(tx, p.dim)]))
        }
        Mode::Flow => {
            let f = s.flow.as_ref()?.as_ref().ok()?;
            Some(tf("ln p = {} · ln q₀ = {}", &[&fmt_sig(f.flow.target().log_density([x, y]), 4), &fmt_sig(f.flow.init().log_density([x, y]), 4)]))
        }
        Mode::Classify => {
            let c = s.class.as_ref()?.as_ref().ok()?;
            let fits = c.fits.as_ref().ok()?;
            Some(tf("P(class 1 | x): post {} · script {} · MLE {}", &[&fmt_sig(fits.post.prob([x, y]), 3), &fmt_sig(fits.script.prob([x, y]), 3), &fmt_sig(fits.mle.fit.prob([x, y]), 3)]))
        }
        Mode::Simplex => {
            let sx = s.simplex.as_ref()?.as_ref().ok()?;
            let v = super::model::VERTS;
            let b: Vec<f64> = (0..3).map(|i| (2.0 / 3.0) * (x * v[i][0] + y * v[i][1]) + 1.0 / 3.0).collect();
            if b.iter().any(|q| *q < 0.0) {
                return None;
            }
            Some(tf("p = ({}) · F = {}", &[&b.iter().map(|q| fmt_sig(*q, 3)).collect::<Vec<_>>().join(", "), &fmt_sig(sx.obj.value(&b), 5)]))
        }
    }
}

fn norm(w: [f64; 2]) -> f64 {
    w[0].hypot(w[1])
}

/// The data export: the top-level JSON keys for the current mode, at full precision.
pub fn data(p: &Params, s: &State) -> Table {
    let mut tb = Table::default();
    tb.put("mode", Json::Str(p.mode.key().to_string()));
    match p.mode {
        Mode::Divergence => {
            tb.columns = vec!["s".into(), "kl_pq".into(), "kl_qp".into(), "bd".into(), "w2_sq".into()];
            if let Some(Ok(d)) = &s.div {
                for q in &d.sweep {
                    tb.rows.push(vec![fmt_num(q.s), fmt_num(q.kl_pq), fmt_num(q.kl_qp), fmt_num(q.bd), fmt_num(q.w2_sq)]);
                }
                let dd = &d.d;
                tb.put("kl_pq", Json::Num(dd.kl_pq));
                tb.put("kl_qp", Json::Num(dd.kl_qp));
                tb.put("bd", Json::Num(dd.bd));
                tb.put("hellinger2", Json::Num(dd.hellinger2));
                tb.put("w2_sq", Json::Num(dd.w2_sq));
                tb.put("naive_sq", Json::Num(dd.naive_sq));
                tb.put("ot_map", Json::rows(dd.ot.a_rows()));
                tb.put("cov_p", Json::rows(d.p.cov_rows()));
                tb.put("cov_q", Json::rows(d.q.cov_rows()));
            }
        }
        Mode::Flow => {
            tb.columns = vec!["t".into(), "kl_closed_form".into()];
            if let Some(Ok(f)) = &s.flow {
                for (x, k) in &f.curve {
                    tb.rows.push(vec![fmt_num(*x), fmt_num(*k)]);
                }
                if let Ok(m) = &f.at_t {
                    tb.put("t", Json::Num(p.t));
                    tb.put("m", Json::nums(m.m));
                    tb.put("c", Json::rows(rows(m.c, 2)));
                    tb.put("kl", Json::Num(m.kl));
                }
                if let Ok(pf) = &f.particles {
                    tb.put("particle_time", Json::Num(pf.time()));
                    tb.put("fitted_kl", Json::opt(pf.fitted_kl().ok()));
                }
            }
        }
        Mode::Classify => {
            tb.columns = vec!["x".into(), "y".into(), "class".into()];
            if let Some(Ok(c)) = &s.class {
                for (x, y) in c.train.x.iter().zip(&c.train.y) {
                    tb.rows.push(vec![fmt_num(x[0]), fmt_num(x[1]), if *y { "1" } else { "0" }.to_string()]);
                }
                if let Ok(fits) = &c.fits {
                    for (k, f) in [("post", fits.post), ("script", fits.script), ("mle", fits.mle.fit)] {
                        tb.put(format!("w_{k}"), Json::nums(f.w));
                        tb.put(format!("b_{k}"), Json::Num(f.b));
                    }
                    tb.put("mle_status", Json::Str(format!("{:?}", fits.mle.status).to_lowercase()));
                    tb.put("sigma_within", Json::rows(rows(fits.stats.sigma_within, 2)));
                    tb.put("sigma_total", Json::rows(rows(fits.stats.sigma_total, 2)));
                }
            }
            if let Some(curve) = &s.curve {
                let pts = curve.points();
                tb.put("curve_n", Json::nums(pts.iter().map(|q| q.0 as f64)));
                for (k, m) in METHODS.iter().enumerate() {
                    tb.put(format!("curve_acc_{}", m.0), Json::nums(pts.iter().map(|q| q.1[k])));
                    tb.put(format!("curve_nll_{}", m.0), Json::nums(pts.iter().map(|q| q.2[k])));
                }
            }
        }
        Mode::Simplex => {
            tb.columns = vec!["t".into(), "p1".into(), "p2".into(), "p3".into(), "f_minus_f_star".into()];
            if let Some(Ok(sx)) = &s.simplex {
                if let Some(run) = sx.runs.first() {
                    for (i, (q, gap)) in run.traj.iter().zip(&run.gap).enumerate() {
                        tb.rows.push(vec![i.to_string(), fmt_num(q[0]), fmt_num(q[1]), fmt_num(q[2]), fmt_num(*gap)]);
                    }
                    if let Some(last) = run.traj.last() {
                        tb.put("p", Json::nums(last.iter().copied()));
                        tb.put("f", Json::Num(sx.obj.value(last)));
                    }
                }
                tb.put("f_star", Json::Num(sx.opt.1));
                tb.put("p_star", Json::nums(sx.opt.0.iter().copied()));
            }
        }
    }
    tb
}

fn mi(s: &str) -> String {
    i(s)
}

/// The formula panel of the current mode, with live numbers.
pub fn formulas(p: &Params, s: &State) -> Vec<Formula> {
    let mut out = Vec::new();
    let mu = |a: &str| sub(&mi("μ"), &mi(a));
    let sg = |a: &str| sub("<mi mathvariant=\"normal\">Σ</mi>", &mi(a));
    match p.mode {
        Mode::Divergence => {
            let dm = "<mi mathvariant=\"normal\">Δ</mi><mi>μ</mi>";
            let (kl, w2) = match &s.div {
                Some(Ok(d)) => (d.d.kl_pq, d.d.w2_sq),
                _ => (f64::NAN, f64::NAN),
            };
            out.push(Formula::Rule {
                key: "kl",
                title: t("Kullback–Leibler").to_string(),
                mathml: lines(&[format!(
                    "<mrow><mi>KL</mi><mo>(</mo><mi>p</mi><mo>‖</mo><mi>q</mi><mo>)</mo><mo>=</mo><mfrac><mn>1</mn><mn>2</mn></mfrac><mo>[</mo>{dm}<msup><mi/><mi>T</mi></msup>{}{dm}<mo>−</mo><mi>ln</mi><mi>det</mi><mo>(</mo>{}{}<mo>)</mo><mo>+</mo><mi>tr</mi><mo>(</mo>{}{}<mo>)</mo><mo>−</mo><mi>n</mi><mo>]</mo><mo>=</mo>{}</mrow>",
                    sup(&sg("q"), "<mrow><mo>−</mo><mn>1</mn></mrow>"),
                    sup(&sg("q"), "<mrow><mo>−</mo><mn>1</mn></mrow>"),
                    sg("p"),
                    sup(&sg("q"), "<mrow><mo>−</mo><mn>1</mn></mrow>"),
                    sg("p"),
                    n(kl)
                )]),
            });
            out.push(Formula::Rule {
                key: "bd",
                title: t("Bhattacharyya and Hellinger").to_string(),
                mathml: lines(&[
                    format!(
                        "<mrow><mi>BD</mi><mo>=</mo><mfrac><mn>1</mn><mn>2</mn></mfrac><mi>ln</mi>{}<mo>+</mo><mfrac><mn>1</mn><mn>8</mn></mfrac>{dm}<msup><mi/><mi>T</mi></msup>{}{dm}<mo>,</mo><mspace width=\"0.5em\"/>{}<mo>=</mo>{}</mrow>",
                        frac(&format!("<mi>det</mi>{}", "<mover><mi mathvariant=\"normal\">Σ</mi><mo>¯</mo></mover>"), &format!("<msqrt><mi>det</mi>{}<mi>det</mi>{}</msqrt>", sg("p"), sg("q"))),
                        "<msup><mover><mi mathvariant=\"normal\">Σ</mi><mo>¯</mo></mover><mrow><mo>−</mo><mn>1</mn></mrow></msup>",
                        "<mover><mi mathvariant=\"normal\">Σ</mi><mo>¯</mo></mover>",
                        frac(&format!("{}<mo>+</mo>{}", sg("p"), sg("q")), "<mn>2</mn>")
                    ),
                    "<mrow><msup><mi>H</mi><mn>2</mn></msup><mo>=</mo><mn>1</mn><mo>−</mo><msup><mi>e</mi><mrow><mo>−</mo><mi>BD</mi></mrow></msup></mrow>".to_string(),
                ]),
            });
            out.push(Formula::Rule {
                key: "w2",
                title: t("Wasserstein-2 and the transport map").to_string(),
                mathml: lines(&[
                    format!(
                        "<mrow><msubsup><mi>W</mi><mn>2</mn><mn>2</mn></msubsup><mo>=</mo><msup><mrow><mo>‖</mo>{dm}<mo>‖</mo></mrow><mn>2</mn></msup><mo>+</mo><mi>tr</mi>{}<mo>+</mo><mi>tr</mi>{}<mo>−</mo><mn>2</mn><mi>tr</mi><msup><mrow><mo>(</mo>{}{}{}<mo>)</mo></mrow><mrow><mn>1</mn><mo>/</mo><mn>2</mn></mrow></msup><mo>=</mo>{}</mrow>",
                        sg("p"),
                        sg("q"),
                        sup(&sg("p"), "<mrow><mn>1</mn><mo>/</mo><mn>2</mn></mrow>"),
                        sg("q"),
                        sup(&sg("p"), "<mrow><mn>1</mn><mo>/</mo><mn>2</mn></mrow>"),
                        n(w2)
                    ),
                    format!(
                        "<mrow><mi>T</mi><mo>(</mo><mi>x</mi><mo>)</mo><mo>=</mo>{}<mo>+</mo><mi>A</mi><mo>(</mo><mi>x</mi><mo>−</mo>{}<mo>)</mo><mo>,</mo><mspace width=\"0.5em\"/><mi>A</mi><mo>=</mo>{}<msup><mrow><mo>(</mo>{}{}{}<mo>)</mo></mrow><mrow><mn>1</mn><mo>/</mo><mn>2</mn></mrow></msup>{}</mrow>",
                        mu("q"),
                        mu("p"),
                        sup(&sg("p"), "<mrow><mo>−</mo><mn>1</mn><mo>/</mo><mn>2</mn></mrow>"),
                        sup(&sg("p"), "<mrow><mn>1</mn><mo>/</mo><mn>2</mn></mrow>"),
                        sg("q"),
                        sup(&sg("p"), "<mrow><mn>1</mn><mo>/</mo><mn>2</mn></mrow>"),
                        sup(&sg("p"), "<mrow><mo>−</mo><mn>1</mn><mo>/</mo><mn>2</mn></mrow>")
                    ),
                ]),
            });
            out.push(Formula::Note(t("Square roots are symmetric eigen-square-roots. Σ = R(angle)·diag(sd²)·R(angle)ᵀ.").to_string()));
        }
        Mode::Flow => {
            let kl = s.flow.as_ref().and_then(|f| f.as_ref().ok()).and_then(|f| f.at_t.as_ref().ok()).map_or(f64::NAN, |m| m.kl);
            out.push(Formula::Rule {
                key: "flow",
                title: t("Wasserstein gradient flow of KL(q‖p)").to_string(),
                mathml: lines(&[
                    format!("<mrow>{}<mo>=</mo><mo>∇</mo><mi>ln</mi><mi>p</mi><mo>−</mo><mo>∇</mo><mi>ln</mi>{}</mrow>", frac("<mi>d</mi><mi>x</mi>", "<mi>d</mi><mi>t</mi>"), sub(&mi("q"), &mi("t"))),
                    format!(
                        "<mrow><mi>m</mi><mo>(</mo><mi>t</mi><mo>)</mo><mo>=</mo><msup><mi>μ</mi><mo>*</mo></msup><mo>+</mo><msup><mi>e</mi><mrow><mo>−</mo><msup><mi mathvariant=\"normal\">Σ</mi><mrow><mo>*</mo><mo>−</mo><mn>1</mn></mrow></msup><mi>t</mi></mrow></msup><mo>(</mo>{}<mo>−</mo><msup><mi>μ</mi><mo>*</mo></msup><mo>)</mo></mrow>",
                        sub(&mi("m"), "<mn>0</mn>")
                    ),
                    format!(
                        "<mrow><mi>C</mi><mo>(</mo><mi>t</mi><mo>)</mo><mo>=</mo><msup><mi mathvariant=\"normal\">Σ</mi><mo>*</mo></msup><mo>+</mo><msup><mi>e</mi><mrow><mo>−</mo><msup><mi mathvariant=\"normal\">Σ</mi><mrow><mo>*</mo><mo>−</mo><mn>1</mn></mrow></msup><mi>t</mi></mrow></msup><mo>(</mo>{}<mo>−</mo><msup><mi mathvariant=\"normal\">Σ</mi><mo>*</mo></msup><mo>)</mo><msup><mi>e</mi><mrow><mo>−</mo><msup><mi mathvariant=\"normal\">Σ</mi><mrow><mo>*</mo><mo>−</mo><mn>1</mn></mrow></msup><mi>t</mi></mrow></msup></mrow>",
                        sub(&mi("C"), "<mn>0</mn>")
                    ),
                    format!("<mrow><mi>KL</mi><mo>(</mo>{}<mo>‖</mo><mi>p</mi><mo>)</mo><mo>=</mo>{}</mrow>", sub(&mi("q"), &mi("t")), n(kl)),
                ]),
            });
            out.push(Formula::Rule {
                key: "langevin",
                title: t("Langevin: the same marginals").to_string(),
                mathml: lines(&["<mrow><mi>d</mi><mi>x</mi><mo>=</mo><mo>∇</mo><mi>ln</mi><mi>p</mi><mo>(</mo><mi>x</mi><mo>)</mo><mi>d</mi><mi>t</mi><mo>+</mo><msqrt><mn>2</mn></msqrt><mi>d</mi><mi>W</mi></mrow>".to_string()]),
            });
            out.push(Formula::Note(t("The fitted Gaussian uses the 1/N covariance: then the cloud's moments obey the closed-form moment equations exactly. The post writes F[q] = ∫F(q(x))dx; KL needs F(q(x), x) — harmless.").to_string()));
        }
        Mode::Classify => {
            out.push(Formula::Rule {
                key: "post",
                title: t("Closed form (post) = LDA").to_string(),
                mathml: lines(&[
                    format!("<mrow><mi>w</mi><mo>=</mo>{}<mo>(</mo>{}<mo>−</mo>{}<mo>)</mo></mrow>", sup("<mi mathvariant=\"normal\">Σ</mi>", "<mrow><mo>−</mo><mn>1</mn></mrow>"), mu("1"), mu("0")),
                    format!(
                        "<mrow><mi>b</mi><mo>=</mo><mfrac><mn>1</mn><mn>2</mn></mfrac><mo>(</mo>{}<msup><mi mathvariant=\"normal\">Σ</mi><mrow><mo>−</mo><mn>1</mn></mrow></msup>{}<mo>−</mo>{}<msup><mi mathvariant=\"normal\">Σ</mi><mrow><mo>−</mo><mn>1</mn></mrow></msup>{}<mo>)</mo><mo>+</mo><mi>ln</mi>{}</mrow>",
                        sup(&mu("0"), "<mi>T</mi>"),
                        mu("0"),
                        sup(&mu("1"), "<mi>T</mi>"),
                        mu("1"),
                        frac(&sub(&mi("p"), "<mn>1</mn>"), &sub(&mi("p"), "<mn>0</mn>"))
                    ),
                    format!(
                        "<mrow><mi mathvariant=\"normal\">Σ</mi><mo>=</mo><mover><mi mathvariant=\"normal\">Σ</mi><mo>~</mo></mover><mo>+</mo><mover><mi>μ</mi><mo>~</mo></mover><msup><mover><mi>μ</mi><mo>~</mo></mover><mi>T</mi></msup><mo>−</mo><munder><mo>∑</mo><mi>i</mi></munder>{}{}{}</mrow>",
                        sub(&mi("p"), &mi("i")),
                        mu("i"),
                        sup(&mu("i"), "<mi>T</mi>")
                    ),
                ]),
            });
            out.push(Formula::Note(t("Every covariance here uses 1/N (the moment identity is exact only then): Σ is the pooled within-class covariance, so the post's rule is LDA. The author's script takes Σ̃ (the total covariance) instead: the same direction, |w| shrunk by 1/(1 + p₀p₁D²). Test scores are population values: the limit of a fresh sample, 20 seeded training sets per n.").to_string()));
        }
        Mode::Simplex => {
            let g = "<mo>∇</mo><mi>F</mi>";
            out.push(Formula::Rule {
                key: "rules",
                title: t("Update rules from the uniform point").to_string(),
                mathml: lines(&[
                    format!("<mrow><mi>p</mi><mo>←</mo><mo>(</mo><mn>1</mn><mo>−</mo><mi>η</mi><mo>)</mo><mi>p</mi><mo>+</mo><mi>η</mi><mo>·</mo><mi>onehot</mi><mo>(</mo><msub><mi>argmin</mi><mi>i</mi></msub>{g}<msub><mi/><mi>i</mi></msub><mo>)</mo><mspace width=\"1em\"/><mtext>{}</mtext></mrow>", t("Frank–Wolfe (η fixed, or 2/(t + 2))")),
                    format!("<mrow><mi>p</mi><mo>←</mo><mi>sparsemax</mi><mo>(</mo><mi>p</mi><mo>−</mo><mi>η</mi>{g}<mo>)</mo><mspace width=\"1em\"/><mtext>{}</mtext></mrow>", t("projected gradient")),
                    format!("<mrow><mi>p</mi><mo>←</mo>{}<mspace width=\"1em\"/><mtext>{}</mtext></mrow>", frac(&format!("<mi>p</mi><mo>⊙</mo><msup><mi>e</mi><mrow><mo>−</mo><mi>η</mi>{g}</mrow></msup>"), "<mi>Σ</mi>"), t("exponentiated gradient")),
                    format!("<mrow><mi>optimum</mi><mo>:</mo><mspace width=\"0.5em\"/><mi>p</mi><mo>·</mo>{g}<mo>=</mo><munder><mi>min</mi><mi>i</mi></munder>{g}<msub><mi/><mi>i</mi></msub></mrow>"),
                ]),
            });
            out.push(Formula::Note(t("Ties in the argmin go to the lowest index. The point x is drawn in the triangle's plane (shifted so that its entries sum to 1).").to_string()));
        }
    }
    out
}

/// Simplified Chinese for the strings only this lab uses.
pub const ZH: crate::i18n::Table = &[
    ("ln p = {} · ln q = {} · T(x) = {}", "ln p = {} · ln q = {} · T(x) = {}"),
    ("ln p = {} · ln q₀ = {}", "ln p = {} · ln q₀ = {}"),
    ("P(class 1 | x): post {} · script {} · MLE {}", "P(第 1 类 | x)：原文 {} · 脚本 {} · MLE {}"),
    ("p = ({}) · F = {}", "p = ({}) · F = {}"),
    (" · test accuracy {} · test NLL {}", " · 测试准确率 {} · 测试 NLL {}"),
    ("1-D", "一维"),
    ("1-D: the OT map matches quantiles", "一维：最优传输映射匹配分位数"),
    ("2-D", "二维"),
    ("Assumption broken", "假设被破坏"),
    ("Bhattacharyya", "Bhattacharyya 距离"),
    ("Bhattacharyya and Hellinger", "Bhattacharyya 距离与 Hellinger 距离"),
    ("Classes", "类别"),
    ("Closed form (post) = LDA", "闭式解（原文）= LDA"),
    ("Divergence: drag the centres and axis handles of p and q. The arrows carry p's quantile points to their optimal-transport images T(x) = μ_q + A(x − μ_p). The bars compare KL both ways, Bhattacharyya, Hellinger² and W₂² with the post's dimensionally wrong foil; the sweep slides q along the centre line: KL and BD grow like s²/σ², W₂² like s², and for thin Gaussians KL explodes while W₂ stays finite. Flow: particles from q₀ follow the Wasserstein gradient flow of KL(q‖p) to the target p; the chart is KL(q_t‖p) in closed form, the dots the particles' own fitted Gaussian (1/N covariance). The ODE particles move by one affine map and never cross; Langevin particles diffuse, and Euler–Maruyama settles at a biased covariance. Classify: two classes with one shared covariance; the post's closed form uses the pooled within-class covariance (1/N), so it is exactly LDA; the author's script whitens with the total covariance and sets Σ = I (same direction, |w| shrunk); logistic regression is fitted by Newton's method. The chart scores them on the population (a fresh sample's limit) against n. Simplex: four ways to minimise F over the probability triangle from the uniform point; the star is the minimiser.", "散度：拖动 p 和 q 的中心与轴端手柄。箭头把 p 的分位点送到它们的最优传输像 T(x) = μ_q + A(x − μ_p)。柱状图比较双向 KL、Bhattacharyya 距离、Hellinger² 和 W₂²，以及原文中“量纲不对”的反例；平移曲线让 q 沿中心连线滑动：KL 和 BD 像 s²/σ² 增长，W₂² 像 s² 增长，对很窄的高斯 KL 爆炸而 W₂ 保持有限。流：从 q₀ 出发的粒子沿 KL(q‖p) 的 Wasserstein 梯度流走向目标 p；图表是闭式的 KL(q_t‖p)，圆点是粒子自身拟合高斯（1/N 协方差）的 KL。ODE 粒子由同一个仿射映射移动，从不交叉；Langevin 粒子会扩散，Euler–Maruyama 停在有偏的协方差上。分类：两个类别共享一个协方差；原文的闭式解使用合并的类内协方差（1/N），因此恰好就是 LDA；作者的脚本用总协方差白化并令 Σ = I（方向相同，|w| 被收缩）；逻辑回归用牛顿法拟合。图表在总体上（新样本的极限）对它们随 n 的表现打分。单纯形：从均匀点出发，在概率三角形上最小化 F 的四种方法；星号是最小点。"),
    ("Divergence: p and q (1σ, 2σ) with optimal-transport arrows · Flow: particles, q_t and the target p · Classify: training points and decision lines (P = 0.5, 0.1, 0.9) · Simplex: trajectories on the probability triangle", "散度：p 和 q（1σ、2σ）及最优传输箭头 · 流：粒子、q_t 和目标 p · 分类：训练点和决策线（P = 0.5、0.1、0.9）· 单纯形：概率三角形上的轨迹"),
    ("Divergence: the divergences and the shift sweep · Flow: KL(q_t‖p) against t · Classify: test accuracy and NLL against n · Simplex: F − F* against t (log–log)", "散度：各散度与平移曲线 · 流：KL(q_t‖p) 随 t 的变化 · 分类：测试准确率和 NLL 随 n 的变化 · 单纯形：F − F* 随 t 的变化（双对数）"),
    ("Drag a centre or an axis handle (divergence, flow), the class-1 mean (classify) or the point x (simplex).", "拖动中心或轴端手柄（散度、流）、第 1 类均值（分类）或点 x（单纯形）。"),
    ("Entropy: the minimiser is softmax(x/τ)", "熵：最小点是 softmax(x/τ)"),
    ("Euler–Maruyama bias", "Euler–Maruyama 偏差"),
    ("Euler–Maruyama's exact law", "Euler–Maruyama 的精确分布"),
    ("Every covariance here uses 1/N (the moment identity is exact only then): Σ is the pooled within-class covariance, so the post's rule is LDA. The author's script takes Σ̃ (the total covariance) instead: the same direction, |w| shrunk by 1/(1 + p₀p₁D²). Test scores are population values: the limit of a fresh sample, 20 seeded training sets per n.", "这里所有协方差都用 1/N（只有这样矩恒等式才精确）：Σ 是合并的类内协方差，所以原文的规则就是 LDA。作者的脚本改用 Σ̃（总协方差）：方向相同，|w| 收缩为 1/(1 + p₀p₁D²) 倍。测试分数是总体值：新样本的极限，每个 n 用 20 个带种子的训练集。"),
    ("Exponentiated gradient never reaches a face", "指数梯度永远到不了边界面"),
    ("F − F*", "F − F*"),
    ("Few particles: the fitted-Gaussian flow still reaches p", "粒子很少：拟合高斯的流仍然到达 p"),
    ("Few-shot: the closed forms beat logistic regression", "小样本：闭式解胜过逻辑回归"),
    ("Fit", "拟合"),
    ("Flow", "流"),
    ("Frank–Wolfe (η fixed, or 2/(t + 2))", "Frank–Wolfe（固定 η，或 2/(t + 2)）"),
    ("Frank–Wolfe with a fixed step stalls at O(η)", "固定步长的 Frank–Wolfe 停滞在 O(η)"),
    ("Gaussians p and q", "高斯分布 p 与 q"),
    ("Gaussians: divergences, transport, flows and classifiers", "高斯分布：散度、传输、流与分类器"),
    ("Hellinger²", "Hellinger²"),
    ("Input", "输入"),
    ("KL is not symmetric", "KL 不对称"),
    ("KL(p‖q)", "KL(p‖q)"),
    ("KL(p‖q) weighs the log-ratio by p, KL(q‖p) by q", "KL(p‖q) 用 p 给对数比加权，KL(q‖p) 用 q"),
    ("KL(p‖softmax(x))", "KL(p‖softmax(x))"),
    ("KL(q_t‖p)", "KL(q_t‖p)"),
    ("KL(q_t‖p) now", "当前 KL(q_t‖p)"),
    ("KL(q‖p)", "KL(q‖p)"),
    ("KL(q₀‖p) = {}", "KL(q₀‖p) = {}"),
    ("Kullback–Leibler", "Kullback–Leibler 散度"),
    ("Langevin: same marginals, diffusing particles, an O(dt) bias", "Langevin：边缘分布相同，粒子扩散，有 O(dt) 偏差"),
    ("Langevin: the same marginals", "Langevin：相同的边缘分布"),
    ("Logistic MLE", "逻辑回归 MLE"),
    ("No crossing", "不交叉"),
    ("Non-commuting covariances: the OT map turns", "不可交换的协方差：最优传输映射会旋转"),
    ("OT map A", "最优传输映射 A"),
    ("Optimum", "最优点"),
    ("Particles", "粒子"),
    ("Script shrink", "脚本的收缩"),
    ("Simplex", "单纯形"),
    ("Square roots are symmetric eigen-square-roots. Σ = R(angle)·diag(sd²)·R(angle)ᵀ.", "平方根都是对称的特征分解平方根。Σ = R(角度)·diag(sd²)·R(角度)ᵀ。"),
    ("Start", "起点"),
    ("The fitted Gaussian uses the 1/N covariance: then the cloud's moments obey the closed-form moment equations exactly. The post writes F[q] = ∫F(q(x))dx; KL needs F(q(x), x) — harmless.", "拟合高斯使用 1/N 协方差：这样点云的矩恰好满足闭式的矩方程。原文写 F[q] = ∫F(q(x))dx；KL 需要 F(q(x), x)——无伤大雅。"),
    ("The flow to the spec's target", "流向规范中的目标"),
    ("Thin Gaussians: KL explodes, W₂ stays finite", "很窄的高斯：KL 爆炸，W₂ 保持有限"),
    ("Ties in the argmin go to the lowest index. The point x is drawn in the triangle's plane (shifted so that its entries sum to 1).", "argmin 中并列时取最小下标。点 x 画在三角形所在平面上（平移使各分量之和为 1）。"),
    ("Unequal covariances: the closed forms lose", "协方差不相等：闭式解落败"),
    ("Update rules from the uniform point", "从均匀点出发的更新规则"),
    ("Wasserstein gradient flow", "Wasserstein 梯度流"),
    ("Wasserstein gradient flow of KL(q‖p)", "KL(q‖p) 的 Wasserstein 梯度流"),
    ("Wasserstein-2 and the transport map", "Wasserstein-2 距离与传输映射"),
    ("With Gaussians every hard object of probability — KL and Wasserstein distances, optimal transport, gradient flows of distributions, Bayes classifiers — is a few lines of linear algebra you can drag.", "对高斯分布，概率论中每个难对象——KL 与 Wasserstein 距离、最优传输、分布的梯度流、贝叶斯分类器——都只是几行可以拖动的线性代数。"),
    ("W₂²", "W₂²"),
    ("author's script", "作者的脚本"),
    ("class 1 gets a different covariance: the shared-Σ assumption breaks", "第 1 类使用不同的协方差：共享 Σ 的假设被破坏"),
    ("class-1 prior p₁", "第 1 类先验 p₁"),
    ("classifiers", "分类器"),
    ("closed form", "闭式解"),
    ("closed form at t = {}", "t = {} 时的闭式解"),
    ("closed-form classifiers", "闭式分类器"),
    ("computing the curves…", "正在计算曲线…"),
    ("converged in {} Newton steps", "{} 步牛顿迭代后收敛"),
    ("degenerate data: Newton's Hessian is singular", "数据退化：牛顿法的 Hessian 奇异"),
    ("density", "密度"),
    ("dimension", "维数"),
    ("divergences", "散度"),
    ("divergences and transport", "散度与传输"),
    ("drag on the plot: the class-1 mean is at +δ/2", "在图上拖动：第 1 类均值位于 +δ/2"),
    ("drag p's axis handles on the plot", "在图上拖动 p 的轴端手柄"),
    ("drag p's centre on the plot", "在图上拖动 p 的中心"),
    ("drag q's axis handles on the plot", "在图上拖动 q 的轴端手柄"),
    ("drag q's centre on the plot", "在图上拖动 q 的中心"),
    ("exponentiated gradient", "指数梯度"),
    ("flow: Langevin (Euler–Maruyama)", "流：Langevin（Euler–Maruyama）"),
    ("flow: exact-score ODE", "流：精确得分 ODE"),
    ("flow: fitted-Gaussian ODE", "流：拟合高斯 ODE"),
    ("give three numbers separated by commas ({} given)", "请给出三个以逗号分隔的数（给了 {} 个）"),
    ("give two numbers separated by a comma ({} given)", "请给出两个以逗号分隔的数（给了 {} 个）"),
    ("learning curve", "学习曲线"),
    ("log scale", "对数坐标"),
    ("logistic MLE", "逻辑回归 MLE"),
    ("logits x", "logits x"),
    ("log₁₀ value", "log₁₀ 值"),
    ("method", "方法"),
    ("mode", "模式"),
    ("naive foil", "朴素的反例"),
    ("naive ‖Δμ‖² + ‖Σp − Σq‖²F", "朴素 ‖Δμ‖² + ‖Σp − Σq‖²F"),
    ("no divergence chosen", "未选择散度"),
    ("not converged after {} Newton steps", "{} 步牛顿迭代后未收敛"),
    ("objective F", "目标函数 F"),
    ("optimisation on the simplex", "单纯形上的优化"),
    ("p* = ({}) · F* = {} · p*·∇F = {} · min ∇F = {}", "p* = ({}) · F* = {} · p*·∇F = {} · min ∇F = {}"),
    ("p: axis angle (°)", "p：轴角度（°）"),
    ("p: axis std devs", "p：轴标准差"),
    ("particles (flow) or training points (classify)", "粒子数（流）或训练点数（分类）"),
    ("particles' fitted Gaussian", "粒子的拟合高斯"),
    ("points n", "点数 n"),
    ("post (= LDA)", "原文（= LDA）"),
    ("projected gradient", "投影梯度"),
    ("q: axis angle (°)", "q：轴角度（°）"),
    ("q: axis std devs", "q：轴标准差"),
    ("refused: {}", "拒绝：{}"),
    ("separable: the likelihood has no maximiser; shown is the first separating iterate", "可分：似然没有最大点；显示的是第一个能分开的迭代"),
    ("shared Σ: axis angle (°)", "共享 Σ：轴角度（°）"),
    ("shared Σ: axis std devs", "共享 Σ：轴标准差"),
    ("shift s of q along the centre line", "q 沿中心连线的平移 s"),
    ("simplex: Frank–Wolfe, fixed η (post)", "单纯形：Frank–Wolfe，固定 η（原文）"),
    ("simplex: Frank–Wolfe, η = 2/(t + 2)", "单纯形：Frank–Wolfe，η = 2/(t + 2)"),
    ("simplex: exponentiated gradient", "单纯形：指数梯度"),
    ("simplex: projected gradient", "单纯形：投影梯度"),
    ("stationary covariance {} instead of Σ* (λ/(1 − dt/2λ) per axis): KL floor {}", "平稳协方差为 {} 而不是 Σ*（每个轴 λ/(1 − dt/2λ)）：KL 下限 {}"),
    ("step dt", "步长 dt"),
    ("step t", "步数 t"),
    ("step η", "步长 η"),
    ("stopped: {}", "已停止：{}"),
    ("symmetric positive definite, AΣpA = Σq", "对称正定，AΣpA = Σq"),
    ("temperature τ", "温度 τ"),
    ("test NLL", "测试 NLL"),
    ("test accuracy", "测试准确率"),
    ("the ODE moves every particle by one invertible affine map: the cloud keeps its order (the colour bands, by rank at the start, stay bands)", "ODE 用同一个可逆仿射映射移动每个粒子：点云保持次序（按起点排名着色的色带始终是色带）"),
    ("the classes have different covariances: the closed forms are no longer the Bayes rule", "两类协方差不同：闭式解不再是贝叶斯规则"),
    ("three numbers; drag the point on the triangle", "三个数；在三角形上拖动该点"),
    ("time t", "时间 t"),
    ("training accuracy {} · NLL {}", "训练准确率 {} · NLL {}"),
    ("training points n", "训练点数 n"),
    ("unequal covariances", "协方差不相等"),
    ("value", "值"),
    ("{} is outside {} … {}", "{} 超出 {} … {}"),
    ("{} particles at t = {} · KL of their fitted Gaussian (1/N covariance) {}", "{} 个粒子，t = {} · 其拟合高斯（1/N 协方差）的 KL 为 {}"),
    ("|w_script|/|w_post| = {} = 1/(1 + p₀p₁D²), D² = {}", "|w_script|/|w_post| = {} = 1/(1 + p₀p₁D²)，D² = {}"),
    ("μ_p (x,y)", "μ_p (x,y)"),
    ("μ_q (x,y)", "μ_q (x,y)"),
    ("μ₁ − μ₀ (x,y)", "μ₁ − μ₀ (x,y)"),
    ("‖p − x‖²", "‖p − x‖²"),
    ("‖Δμ‖² + ‖Σp − Σq‖²F = {} (adds lengths² to lengths⁴)", "‖Δμ‖² + ‖Σp − Σq‖²F = {}（把长度²与长度⁴相加）"),
    ("−⟨x, p⟩ + τ·negentropy", "−⟨x, p⟩ + τ·负熵"),
];
