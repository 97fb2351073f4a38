//! The gradient-flow lab's words: title and texts, the formula panel, the legend, the data export
//! and the Chinese table.

use super::model::{gd_contraction, Method};
use super::{Params, State, MAX_STEPS};
use crate::fmt::{fmt_num, fmt_sig};
use crate::lab::{Formula, LabMeta, Readout, Table};
use crate::math::surfaces::{sym_eigenvalues, Objective, SurfaceKind};
use crate::mathml::*;
use nalgebra::Vector2;

crate::i18n::local!(ZH);

/// Title, texts and captions.
pub const META: LabMeta = LabMeta {
    title: "Gradient flow and its discretisations",
    tagline: "Gradient descent is Euler's method on the gradient flow: it tracks the flow while ηλ_max is small, zig-zags near 2, diverges beyond — and follows a modified flow that prefers flat minima.",
    look_at: "The arrows are the vector field −∇L; the smooth curve is the exact gradient flow dθ/dt = −∇L. Every discrete method is drawn with its iterates placed at time t = nη, so you see gradient descent lag behind or overshoot the flow. The modified flow of L + (η/4)‖∇L‖² stays closer to gradient descent than the flow itself (the right-hand chart: an O(η²) against an O(η³) gap per step). Sign and coordinate descent are steepest descent in the ℓ∞ and ℓ1 norms: rotating the quadratic changes them, but not the flow.",
    try_these: &[
        ("GD tracks the flow when η is small", "lr=0.005&methods=flow,gd,modified"),
        ("The edge of stability: ηλ_max just below 2", "lr=0.098&methods=flow,gd&horizon=4"),
        ("Momentum damps the zig-zag", "lr=0.09&beta=0.4&methods=flow,gd,momentum&horizon=4"),
        ("Rotation changes sign descent but not the flow", "phi=45&lr=0.02&methods=flow,sign,coord"),
        ("Larger steps find flatter minima", "surface=valley&lr=0.25&methods=flow,gd,modified&horizon=100"),
    ],
    main_caption: "Gradient flow, its discretisations and the vector field −∇L",
    aux_caption: "Loss against time t, and the distance of gradient descent from the flow and from the modified flow",
    zh: TABLES,
    ..LabMeta::DEFAULT
};


/// The formula panel: each method's rule with live numbers.
pub fn formulas(p: &Params, _s: &State) -> Vec<Formula> {
    let th_next = sub(&i("θ"), "<mrow><mi>n</mi><mo>+</mo><mn>1</mn></mrow>");
    let th = sub(&i("θ"), &i("n"));
    let g = format!("<mo>∇</mo><mi>L</mi>{}", paren(&th));
    let dot = "<mover><mi>θ</mi><mo>˙</mo></mover>";
    let mut out = Vec::new();
    for m in Method::ALL.into_iter().filter(|m| p.has(*m)) {
        let body = match m {
            Method::Flow => lines(&[assign(dot, "<mo>−</mo><mo>∇</mo><mi>L</mi><mo>(</mo><mi>θ</mi><mo>)</mo>")]),
            Method::Gd => lines(&[assign(&th_next, &format!("{th}<mo>−</mo>{}<mo>⁢</mo>{g}", n(p.lr)))]),
            Method::Momentum => lines(&[
                assign(&th_next, &format!("{th}<mo>−</mo>{}<mo>⁢</mo>{g}<mo>+</mo>{}<mo>⁢</mo>{}", n(p.lr), n(p.beta), paren(&format!("{th}<mo>−</mo>{}", sub(&i("θ"), "<mrow><mi>n</mi><mo>−</mo><mn>1</mn></mrow>"))))),
                format!(
                    "<mrow><mover><mi>θ</mi><mo>¨</mo></mover><mo>+</mo><mi>γ</mi><mo>⁢</mo>{dot}<mo>=</mo><mo>−</mo><mo>∇</mo><mi>L</mi><mo>,</mo><mspace width=\"1em\"/><mi>γ</mi><mo>=</mo>{}<mo>=</mo>{}</mrow>",
                    frac("<mn>1</mn><mo>−</mo><mi>β</mi>", &sqrt("<mi>η</mi>")),
                    n((1.0 - p.beta) / p.lr.sqrt())
                ),
            ]),
            Method::Sign => lines(&[assign(&th_next, &format!("{th}<mo>−</mo>{}<mo>⁢</mo>{}", n(p.lr), sign(&g)))]),
            Method::Coord => lines(&[assign(
                &th_next,
                &format!("{th}<mo>−</mo>{}<mo>⁢</mo>{}<mo>⁢</mo>{}<mo>,</mo><mspace width=\"1em\"/><mi>i</mi><mo>=</mo><mo>arg max</mo><mo>|</mo>{}<mo>|</mo>", n(p.lr), sub(&i("g"), &i("i")), sub(&i("e"), &i("i")), sub(&i("g"), &i("j"))),
            )]),
            Method::Modified => lines(&[
                assign(
                    dot,
                    &format!(
                        "<mo>−</mo><mo>∇</mo><mover><mi>L</mi><mo>~</mo></mover><mo>=</mo><mo>−</mo><mo>(</mo><mo>∇</mo><mi>L</mi><mo>+</mo>{}<mo>⁢</mo><mi>H</mi><mo>∇</mo><mi>L</mi><mo>)</mo>",
                        n(p.lr / 2.0)
                    ),
                ),
                assign(
                    "<mover><mi>L</mi><mo>~</mo></mover>",
                    &format!("<mi>L</mi><mo>+</mo>{}<mo>⁢</mo><msup><mrow><mo>‖</mo><mo>∇</mo><mi>L</mi><mo>‖</mo></mrow><mn>2</mn></msup>", n(p.lr / 4.0)),
                ),
            ]),
        };
        out.push(Formula::Rule { key: m.key(), title: t(m.label()).to_string(), mathml: body });
    }
    out.push(Formula::Note(
        t("Discrete methods are drawn at t = nη; the flows are integrated by adaptive Runge–Kutta (Dormand–Prince) to 1e-11.").to_string(),
    ));
    out
}

/// The legend: where each method is, how far GD is from the flows, and the stability bound.
pub fn readouts(p: &Params, s: &State) -> Vec<Readout> {
    let mut out: Vec<Readout> = s
        .tracks
        .iter()
        .map(|tr| {
            let (text, warn) = match tr.diverged {
                Some(n) if tr.non_finite && p.plane.surface == SurfaceKind::Custom => (tf("left the domain at step {}", &[&n]), true),
                Some(n) => (tf("diverged at step {}", &[&n]), true),
                None => {
                    let [x, y] = tr.path.last().copied().unwrap_or([f64::NAN; 2]);
                    let l = tr.loss.last().copied().unwrap_or(f64::NAN);
                    let tt = (tr.path.len().saturating_sub(1)) as f64 * p.lr;
                    let mut s = tf("t = {}: L = {} at ({}, {})", &[&fmt_sig(tt, 4), &fmt_sig(l, 4), &fmt_sig(x, 4), &fmt_sig(y, 4)]);
                    if p.plane.surface == SurfaceKind::Valley {
                        s.push_str(&tf("; sharpness x² + y² = {}", &[&fmt_sig(x * x + y * y, 4)]));
                    }
                    (s, false)
                }
            };
            Readout { label: t(tr.method.label()).to_string(), text, colour: Some(tr.method.index()), warn }
        })
        .collect();
    // Curvature where gradient descent is now (or at the start).
    let at = s.track(Method::Gd).and_then(|t| t.path.last().copied()).unwrap_or(p.plane.start());
    let eig = sym_eigenvalues(&s.surface.hessian(Vector2::new(at[0], at[1])));
    let lmax = eig.0.abs().max(eig.1.abs());
    if !(eig.0.is_finite() && eig.1.is_finite()) {
        let text = tf("f is not defined at ({}, {})", &[&fmt_sig(at[0], 4), &fmt_sig(at[1], 4)]);
        out.push(Readout { label: t("Hessian").into(), text, colour: None, warn: true });
        return out;
    }
    out.push(Readout {
        label: t("Hessian").into(),
        text: tf("eigenvalues {}, {} at ({}, {})", &[&fmt_sig(eig.0, 4), &fmt_sig(eig.1, 4), &fmt_sig(at[0], 4), &fmt_sig(at[1], 4)]),
        colour: None,
        warn: false,
    });
    let el = p.lr * lmax;
    out.push(Readout {
        label: t("Stability").into(),
        text: tf("ηλ_max = {} (gradient descent is stable below 2)", &[&fmt_sig(el, 4)]),
        colour: None,
        warn: el >= 2.0,
    });
    if p.plane.surface == SurfaceKind::Quadratic {
        out.push(Readout {
            label: t("Contraction").into(),
            text: tf("GD contracts by max|1 − ηλᵢ| = {} per step", &[&fmt_sig(gd_contraction(p.lr, eig), 4)]),
            colour: None,
            warn: false,
        });
    }
    if p.steps() == MAX_STEPS && p.horizon / p.lr > MAX_STEPS as f64 {
        out.push(Readout {
            label: t("Horizon").into(),
            text: tf("shortened to {} steps: T = {}", &[&MAX_STEPS, &fmt_sig(MAX_STEPS as f64 * p.lr, 4)]),
            colour: None,
            warn: true,
        });
    }
    if s.tracks.is_empty() {
        out.insert(0, Readout { label: t("No method").into(), text: t("choose at least one method").into(), colour: None, warn: true });
    }
    out
}

/// Every path: method, step, time, point and loss.
pub fn data(p: &Params, s: &State) -> Table {
    let mut t = Table::with_columns(["method", "step", "t", "x", "y", "loss"]);
    for tr in &s.tracks {
        for (i, (pt, l)) in tr.path.iter().zip(&tr.loss).enumerate() {
            t.rows.push(vec![
                tr.method.key().into(),
                i.to_string(),
                fmt_num(i as f64 * p.lr),
                fmt_num(pt[0]),
                fmt_num(pt[1]),
                fmt_num(*l),
            ]);
        }
    }
    t
}

/// Simplified Chinese for the strings only this lab uses (shared ones are in the shell's table).
pub const ZH: crate::i18n::Table = &[
    ("Gradient flow and its discretisations", "梯度流及其离散化"),
    ("Gradient descent is Euler's method on the gradient flow: it tracks the flow while ηλ_max is small, zig-zags near 2, diverges beyond — and follows a modified flow that prefers flat minima.", "梯度下降是梯度流的欧拉法：ηλ_max 较小时它紧跟梯度流，接近 2 时来回震荡，超过 2 则发散——并且它实际追随的是一个偏好平坦极小值的修正流。"),
    ("The arrows are the vector field −∇L; the smooth curve is the exact gradient flow dθ/dt = −∇L. Every discrete method is drawn with its iterates placed at time t = nη, so you see gradient descent lag behind or overshoot the flow. The modified flow of L + (η/4)‖∇L‖² stays closer to gradient descent than the flow itself (the right-hand chart: an O(η²) against an O(η³) gap per step). Sign and coordinate descent are steepest descent in the ℓ∞ and ℓ1 norms: rotating the quadratic changes them, but not the flow.", "箭头是向量场 −∇L；光滑曲线是精确的梯度流 dθ/dt = −∇L。每个离散方法的迭代点都画在时刻 t = nη，于是可以看到梯度下降落后于或越过梯度流。L + (η/4)‖∇L‖² 的修正流比梯度流本身更贴近梯度下降（右侧图：每步误差为 O(η²) 对 O(η³)）。符号下降和坐标下降分别是 ℓ∞ 和 ℓ1 范数下的最速下降：旋转二次函数会改变它们，却不改变梯度流。"),
    ("GD tracks the flow when η is small", "η 很小时，梯度下降紧跟梯度流"),
    ("The edge of stability: ηλ_max just below 2", "稳定性边缘：ηλ_max 略小于 2"),
    ("Momentum damps the zig-zag", "动量抑制之字形震荡"),
    ("Rotation changes sign descent but not the flow", "旋转改变符号下降，但不改变梯度流"),
    ("Larger steps find flatter minima", "步长越大，找到的极小值越平坦"),
    ("Gradient flow, its discretisations and the vector field −∇L", "梯度流、它的离散化以及向量场 −∇L"),
    ("Loss against time t, and the distance of gradient descent from the flow and from the modified flow", "损失随时间 t 的变化，以及梯度下降与梯度流、修正流之间的距离"),
    ("Methods", "方法"),
    ("Gradient flow", "梯度流"),
    ("Gradient descent", "梯度下降"),
    ("Heavy ball", "重球动量"),
    ("Sign descent", "符号下降"),
    ("Coordinate descent", "坐标下降"),
    ("Modified flow", "修正流"),
    ("step size η", "步长 η"),
    ("GD step; the discrete methods are drawn at t = nη", "梯度下降的步长；离散方法画在 t = nη 处"),
    ("horizon T", "时间范围 T"),
    ("flow end time (at most 5000 steps of η)", "梯度流的终止时间（至多 5000 步 η）"),
    ("arrows per side", "每边箭头数"),
    ("the vector field −∇L; 0 hides it", "向量场 −∇L；取 0 时隐藏"),
    ("streamlines (phase portrait)", "流线（相图）"),
    ("Discrete methods are drawn at t = nη; the flows are integrated by adaptive Runge–Kutta (Dormand–Prince) to 1e-11.", "离散方法画在 t = nη 处；两种流用自适应龙格–库塔法（Dormand–Prince）积分，精度 1e-11。"),
    ("diverged at step {}", "在第 {} 步发散"),
    ("t = {}: L = {} at ({}, {})", "t = {}：L = {}，位于 ({}, {})"),
    ("; sharpness x² + y² = {}", "；尖锐度 x² + y² = {}"),
    ("eigenvalues {}, {} at ({}, {})", "特征值 {}，{}，位于 ({}, {})"),
    ("Stability", "稳定性"),
    ("ηλ_max = {} (gradient descent is stable below 2)", "ηλ_max = {}（小于 2 时梯度下降稳定）"),
    ("Contraction", "收缩率"),
    ("GD contracts by max|1 − ηλᵢ| = {} per step", "梯度下降每步收缩 max|1 − ηλᵢ| = {}"),
    ("Horizon", "时间范围"),
    ("shortened to {} steps: T = {}", "已缩短为 {} 步：T = {}"),
    ("No method", "没有方法"),
    ("choose at least one method", "请至少选择一种方法"),
    ("time t", "时间 t"),
    ("‖GD − flow‖ (log)", "‖梯度下降 − 流‖（对数）"),
    ("left the domain at step {}", "在第 {} 步离开定义域"),
];
