//! The optimizer lab's words: its title and texts, the formula panel (the update rules with live
//! numbers, as MathML), the legend, the data export, and the Chinese table.

use super::model::{OptKind, Stop};
use super::{Params, State};
use crate::fmt::{fmt_num, fmt_sig};
use crate::lab::{Formula, LabMeta, Readout, Table};
use crate::math::surfaces::{sym_eigenvalues, Objective, SurfaceKind};
use crate::mathml::*;
use nalgebra::Vector2;

crate::i18n::local!(ZH);

/// Title, texts and captions.
pub const META: LabMeta = LabMeta {
    title: "Optimizers on loss surfaces",
    tagline: "SGD zig-zags across ravines, momentum damps it, Adam and Lion walk diagonals, Newton jumps — and is drawn to saddles.",
    look_at: "Each coloured path is one optimizer started from the same point (drag on the plot to move it). The background is the loss on a log colour scale with contour lines; the chart below shows the loss against the step. Sign-based methods (Adam early on, SignSGD, Lion) move every coordinate by about η per step, so their paths run at 45° and hover around the minimum unless η decays. Newton uses curvature: one step solves a quadratic, but plain Newton is attracted to saddles and maxima.",
    try_these: &[
        ("Raise SGD's learning rate on the ill-conditioned quadratic until it zig-zags, then diverges past 2/λ_max", "surface=quadratic&kappa=50&opt=sgd,momentum&sgd_lr=0.035&momentum_lr=0.01"),
        ("Rotate the quadratic: the diagonal preconditioner of Adam helps only when the valley is axis-aligned", "surface=quadratic&kappa=100&phi=45&opt=sgd,adam,signsgd&adam_lr=0.02&signsgd_lr=0.02&sgd_lr=0.015&steps=300"),
        ("Newton on the saddle: plain Newton jumps to the saddle point, the saddle-free variant escapes", "surface=saddle&opt=sgd,newton&newton_saddlefree=0&sgd_lr=0.05&steps=200"),
        ("Adam's ε: where |g| ≪ ε Adam behaves like SGD with rate η/ε, where |g| ≫ ε like SignSGD", "surface=quadratic&opt=adam,sgd,signsgd&adam_eps=1&adam_lr=0.05&sgd_lr=0.05&signsgd_lr=0.05&steps=300"),
        ("Himmelblau from near the local maximum: each optimizer finds a different minimum", "surface=himmelblau&opt=sgd,momentum,adam,lion,rmsprop&sgd_lr=0.01&adam_lr=0.05&lion_lr=0.02&steps=500"),
        ("Gradient noise: Lion and SignSGD keep moving η per step even at the minimum", "surface=quadratic&opt=sgd,lion,adam&noise=2&sgd_lr=0.05&lion_lr=0.01&adam_lr=0.05&steps=400"),
    ],
    main_caption: "Optimizer paths on the loss surface (log colour scale, contours)",
    aux_caption: "Loss against step (log scale)",
    zh: TABLES,
    ..LabMeta::DEFAULT
};

// The formula panel: each enabled optimizer's update rule as MathML (rendered natively by
// browsers, no JavaScript maths library), with the current hyper-parameters filled in.


fn t_step() -> String {
    i("t")
}
fn theta_next() -> String {
    sub(&i("θ"), "<mrow><mi>t</mi><mo>+</mo><mn>1</mn></mrow>")
}
fn theta() -> String {
    sub(&i("θ"), &t_step())
}
fn g() -> String {
    sub(&i("g"), &t_step())
}
fn var(name: &str) -> String {
    sub(&i(name), &t_step())
}
fn prev(name: &str) -> String {
    sub(&i(name), "<mrow><mi>t</mi><mo>−</mo><mn>1</mn></mrow>")
}
fn one_minus(b: f64) -> String {
    n(1.0 - b)
}

/// MathML of one optimizer's update.
pub fn rule_mathml(k: OptKind, p: &Params) -> String {
    let g2 = sup(&g(), "<mn>2</mn>");
    match k {
        OptKind::Sgd => lines(&[assign(&theta_next(), &format!("{}<mo>−</mo>{}<mo>⁢</mo>{}", theta(), n(p.sgd_lr), g()))]),
        OptKind::Momentum => lines(&[
            assign(&var("v"), &format!("{}<mo>⁢</mo>{}<mo>+</mo>{}", n(p.momentum_mu), prev("v"), g())),
            assign(&theta_next(), &format!("{}<mo>−</mo>{}<mo>⁢</mo>{}", theta(), n(p.momentum_lr), var("v"))),
        ]),
        OptKind::Nesterov => lines(&[
            assign(&var("v"), &format!("{}<mo>⁢</mo>{}<mo>+</mo>{}", n(p.nesterov_mu), prev("v"), g())),
            assign(
                &theta_next(),
                &format!(
                    "{}<mo>−</mo>{}<mo>⁢</mo>{}",
                    theta(),
                    n(p.nesterov_lr),
                    paren(&format!("{}<mo>+</mo>{}<mo>⁢</mo>{}", g(), n(p.nesterov_mu), var("v")))
                ),
            ),
        ]),
        OptKind::Rmsprop => {
            let denom = if p.rmsprop_eps_inside {
                sqrt(&format!("{}<mo>+</mo>{}", var("v"), n(p.rmsprop_eps)))
            } else {
                format!("{}<mo>+</mo>{}", sqrt(&var("v")), n(p.rmsprop_eps))
            };
            lines(&[
                assign(
                    &var("v"),
                    &format!("{}<mo>⁢</mo>{}<mo>+</mo>{}<mo>⁢</mo>{}", n(p.rmsprop_alpha), prev("v"), one_minus(p.rmsprop_alpha), g2),
                ),
                assign(&theta_next(), &format!("{}<mo>−</mo>{}<mo>⁢</mo>{}", theta(), n(p.rmsprop_lr), frac(&g(), &denom))),
            ])
        }
        OptKind::Adam | OptKind::AdamW | OptKind::AdaBelief => {
            let (lr, b1, b2, eps, wd, belief) = match k {
                OptKind::Adam => (p.adam_lr, p.adam_b1, p.adam_b2, p.adam_eps, None, false),
                OptKind::AdamW => (p.adamw_lr, p.adamw_b1, p.adamw_b2, p.adamw_eps, Some(p.adamw_wd), false),
                _ => (p.adabelief_lr, p.adabelief_b1, p.adabelief_b2, p.adabelief_eps, None, true),
            };
            let second = if belief {
                format!("{}<mo>+</mo>{}", sup(&paren(&format!("{}<mo>−</mo>{}", g(), var("m"))), "<mn>2</mn>"), n(eps))
            } else {
                g2.clone()
            };
            let vname = if belief { "s" } else { "v" };
            let mut rows = vec![
                assign(&var("m"), &format!("{}<mo>⁢</mo>{}<mo>+</mo>{}<mo>⁢</mo>{}", n(b1), prev("m"), one_minus(b1), g())),
                assign(&var(vname), &format!("{}<mo>⁢</mo>{}<mo>+</mo>{}<mo>⁢</mo>{}", n(b2), prev(vname), one_minus(b2), paren(&second))),
                assign(
                    &format!("{}<mo>,</mo>{}", sub(&hat(&i("m")), &t_step()), sub(&hat(&i(vname)), &t_step())),
                    &format!(
                        "{}<mo>,</mo>{}",
                        frac(&var("m"), &format!("<mn>1</mn><mo>−</mo>{}", sup(&n(b1), &t_step()))),
                        frac(&var(vname), &format!("<mn>1</mn><mo>−</mo>{}", sup(&n(b2), &t_step())))
                    ),
                ),
            ];
            let step = format!(
                "{}<mo>⁢</mo>{}",
                n(lr),
                frac(&sub(&hat(&i("m")), &t_step()), &format!("{}<mo>+</mo>{}", sqrt(&sub(&hat(&i(vname)), &t_step())), n(eps)))
            );
            match wd {
                Some(wd) => rows.push(assign(
                    &theta_next(),
                    &format!(
                        "{}<mo>⁢</mo>{}<mo>−</mo>{}",
                        paren(&format!("<mn>1</mn><mo>−</mo>{}<mo>⋅</mo>{}", n(lr), n(wd))),
                        theta(),
                        step
                    ),
                )),
                None => rows.push(assign(&theta_next(), &format!("{}<mo>−</mo>{}", theta(), step))),
            }
            lines(&rows)
        }
        OptKind::SignSgd => lines(&[assign(&theta_next(), &format!("{}<mo>−</mo>{}<mo>⁢</mo>{}", theta(), n(p.signsgd_lr), sign(&g())))]),
        OptKind::Signum => lines(&[
            assign(&var("m"), &format!("{}<mo>⁢</mo>{}<mo>+</mo>{}<mo>⁢</mo>{}", n(p.signum_beta), prev("m"), one_minus(p.signum_beta), g())),
            assign(&theta_next(), &format!("{}<mo>−</mo>{}<mo>⁢</mo>{}", theta(), n(p.signum_lr), sign(&var("m")))),
        ]),
        OptKind::Lion => lines(&[
            assign(&var("u"), &sign(&format!("{}<mo>⁢</mo>{}<mo>+</mo>{}<mo>⁢</mo>{}", n(p.lion_b1), prev("m"), one_minus(p.lion_b1), g()))),
            assign(
                &theta_next(),
                &format!(
                    "{}<mo>−</mo>{}<mo>⁢</mo>{}",
                    theta(),
                    n(p.lion_lr),
                    paren(&format!("{}<mo>+</mo>{}<mo>⁢</mo>{}", var("u"), n(p.lion_wd), theta()))
                ),
            ),
            assign(&var("m"), &format!("{}<mo>⁢</mo>{}<mo>+</mo>{}<mo>⁢</mo>{}", n(p.lion_b2), prev("m"), one_minus(p.lion_b2), g())),
        ]),
        OptKind::Newton => {
            let h = if p.newton_saddlefree { format!("<mo>|</mo>{}<mo>|</mo>", sub(&i("H"), &t_step())) } else { sub(&i("H"), &t_step()) };
            lines(&[assign(
                &theta_next(),
                &format!(
                    "{}<mo>−</mo>{}{}",
                    theta(),
                    sup(&paren(&format!("{h}<mo>+</mo>{}<mo>⁢</mo><mi>I</mi>", n(p.newton_damping))), "<mrow><mo>−</mo><mn>1</mn></mrow>"),
                    g()
                ),
            )])
        }
    }
}

/// One block per enabled optimizer, headed by its name, then the noise model and a note.
pub fn formulas(p: &Params) -> Vec<Formula> {
    let mut out: Vec<Formula> = OptKind::ALL
        .into_iter()
        .filter(|k| p.opts.contains(k))
        .map(|k| Formula::Rule { key: k.key(), title: t(k.label()).to_string(), mathml: rule_mathml(k, p) })
        .collect();
    if p.noise > 0.0 {
        out.push(Formula::Rule {
            key: "noise",
            title: t("Gradient noise").to_string(),
            mathml: format!(
                "<math display=\"block\"><mrow>{}<mo>=</mo><mo>∇</mo><mi>L</mi>{}<mo>+</mo>{}<mo>⁢</mo><mi>z</mi><mo>,</mo><mspace width=\"1em\"/><mi>z</mi><mo>∼</mo><mi mathvariant=\"script\">N</mi><mo>(</mo><mn>0</mn><mo>,</mo><mi>I</mi><mo>)</mo></mrow></math>",
                sub(&i("g"), &t_step()),
                paren(&theta()),
                frac(&n(p.noise), &sqrt(&n(p.batch))),
            ),
        });
    }
    out.push(Formula::Note(t("g = ∇L(θ), H = ∇²L(θ). State starts at 0; t counts from 1.").to_string()));
    out
}

/// The legend: each optimizer's last point (or where it diverged) and the curvature at the start.
pub fn readouts(p: &Params, s: &State) -> Vec<Readout> {
    let mut out: Vec<Readout> = s
        .runs
        .iter()
        .map(|r| {
            let (text, warn) = match r.diverged {
                Some((n, why)) => (
                    tf(
                        "diverged at step {} ({})",
                        &[
                            &n,
                            &match (why, p.plane.surface) {
                                (Stop::NonFinite, SurfaceKind::Custom) => t("left the domain"),
                                (Stop::NonFinite, _) => t("non-finite"),
                                _ => t("ran away"),
                            },
                        ],
                    ),
                    true,
                ),
                None => {
                    let [x, y] = r.path.last().copied().unwrap_or([f64::NAN; 2]);
                    let l = r.loss.last().copied().unwrap_or(f64::NAN);
                    (tf("step {}: L = {} at ({}, {})", &[&r.steps(), &fmt_sig(l, 4), &fmt_sig(x, 4), &fmt_sig(y, 4)]), false)
                }
            };
            Readout { label: t(r.kind.label()).to_string(), text, colour: Some(r.kind.index()), warn }
        })
        .collect();
    let [x0, y0] = p.plane.start();
    let (l0, l1) = sym_eigenvalues(&s.surface.hessian(Vector2::new(x0, y0)));
    let mut hess = tf("eigenvalues of ∇²L at the start: {}, {}", &[&fmt_sig(l0, 4), &fmt_sig(l1, 4)]);
    if p.plane.surface == SurfaceKind::Quadratic {
        hess = tf(
            "λ = 1, {}: gradient descent is stable for η < 2/λ_max = {}",
            &[&fmt_sig(p.plane.kappa, 4), &fmt_sig(2.0 / p.plane.kappa, 4)],
        );
    }
    let undefined = !(l0.is_finite() && l1.is_finite());
    if undefined {
        hess = tf("f is not defined at ({}, {})", &[&fmt_sig(x0, 4), &fmt_sig(y0, 4)]);
    }
    out.push(Readout { label: t("Curvature").into(), text: hess, colour: None, warn: undefined });
    if out.len() == 1 {
        out.insert(
            0,
            Readout { label: t("No optimizer").into(), text: t("choose at least one optimizer").into(), colour: None, warn: true },
        );
    }
    out
}
/// Every path: optimizer, step, point and loss.
pub fn data(_p: &Params, s: &State) -> Table {
    let mut t = Table::with_columns(["optimizer", "step", "x", "y", "loss"]);
    for r in &s.runs {
        for (i, (pt, l)) in r.path.iter().zip(&r.loss).enumerate() {
            t.rows.push(vec![
                r.kind.key().to_string(),
                i.to_string(),
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
    ("Optimizers on loss surfaces", "损失曲面上的优化器"),
    ("SGD zig-zags across ravines, momentum damps it, Adam and Lion walk diagonals, Newton jumps — and is drawn to saddles.", "SGD 在峡谷间来回震荡，动量抑制震荡，Adam 与 Lion 沿对角线前进，牛顿法一步跳跃——却会被鞍点吸引。"),
    ("Each coloured path is one optimizer started from the same point (drag on the plot to move it). The background is the loss on a log colour scale with contour lines; the chart below shows the loss against the step. Sign-based methods (Adam early on, SignSGD, Lion) move every coordinate by about η per step, so their paths run at 45° and hover around the minimum unless η decays. Newton uses curvature: one step solves a quadratic, but plain Newton is attracted to saddles and maxima.", "每条彩色路径是一个优化器，它们都从同一点出发（在图上拖动可移动起点）。背景是对数色标下的损失及其等高线；下方的图给出损失随步数的变化。基于符号的方法（早期的 Adam、SignSGD、Lion）每步在每个坐标上移动约 η，所以路径沿 45° 方向前进，并且除非 η 衰减，会在极小值附近徘徊。牛顿法利用曲率：一步即可解出二次函数，但朴素牛顿法会被鞍点和极大值吸引。"),
    ("Raise SGD's learning rate on the ill-conditioned quadratic until it zig-zags, then diverges past 2/λ_max", "在病态二次函数上调大 SGD 的学习率：先出现之字形震荡，超过 2/λ_max 后发散"),
    ("Rotate the quadratic: the diagonal preconditioner of Adam helps only when the valley is axis-aligned", "旋转二次函数：Adam 的对角预条件只在山谷与坐标轴对齐时才有帮助"),
    ("Newton on the saddle: plain Newton jumps to the saddle point, the saddle-free variant escapes", "鞍点上的牛顿法：朴素牛顿法跳到鞍点，无鞍（saddle-free）版本则能逃离"),
    ("Adam's ε: where |g| ≪ ε Adam behaves like SGD with rate η/ε, where |g| ≫ ε like SignSGD", "Adam 的 ε：|g| ≪ ε 时 Adam 像学习率为 η/ε 的 SGD，|g| ≫ ε 时像 SignSGD"),
    ("Himmelblau from near the local maximum: each optimizer finds a different minimum", "从 Himmelblau 函数的局部极大值附近出发：各个优化器找到不同的极小值"),
    ("Gradient noise: Lion and SignSGD keep moving η per step even at the minimum", "梯度噪声：即使在极小值处，Lion 和 SignSGD 仍然每步移动 η"),
    ("Optimizer paths on the loss surface (log colour scale, contours)", "损失曲面上的优化器路径（对数色标，等高线）"),
    ("Loss against step (log scale)", "损失随步数的变化（对数坐标）"),
    ("Optimizers", "优化器"),
    ("SGD", "SGD"),
    ("Momentum", "动量法"),
    ("Nesterov", "Nesterov 动量"),
    ("RMSprop", "RMSprop"),
    ("Adam", "Adam"),
    ("AdamW", "AdamW"),
    ("AdaBelief", "AdaBelief"),
    ("SignSGD", "SignSGD"),
    ("Signum", "Signum"),
    ("Lion", "Lion"),
    ("Newton", "牛顿法"),
    ("learning rate η", "学习率 η"),
    ("step size", "步长"),
    ("momentum μ", "动量 μ"),
    ("smoothing α", "平滑系数 α"),
    ("ε", "ε"),
    ("numerical-stability constant", "数值稳定常数"),
    ("ε inside the root (posts, TensorFlow)", "ε 放在根号内（原文、TensorFlow 的写法）"),
    ("β₁", "β₁"),
    ("β₂", "β₂"),
    ("weight decay λ", "权重衰减 λ"),
    ("decoupled: θ ← θ − ηλθ before the Adam step", "解耦式：在 Adam 步之前执行 θ ← θ − ηλθ"),
    ("β₁ (update)", "β₁（更新）"),
    ("β₂ (memory)", "β₂（记忆）"),
    ("damping δ", "阻尼 δ"),
    ("θ ← θ − (H + δI)⁻¹g", "θ ← θ − (H + δI)⁻¹g"),
    ("saddle-free |H|", "无鞍版本 |H|"),
    ("use |H| = V|Λ|Vᵀ so negative curvature repels", "使用 |H| = V|Λ|Vᵀ，使负曲率方向产生排斥"),
    ("Gradient noise", "梯度噪声"),
    ("noise σ", "噪声 σ"),
    ("g̃ = g + (σ/√B)·z, z ~ N(0, I): emulates minibatches", "g̃ = g + (σ/√B)·z，z ~ N(0, I)：模拟小批量"),
    ("batch size B", "批大小 B"),
    ("diverged at step {} ({})", "在第 {} 步发散（{}）"),
    ("non-finite", "出现非有限值"),
    ("ran away", "跑出范围"),
    ("step {}: L = {} at ({}, {})", "第 {} 步：L = {}，位于 ({}, {})"),
    ("eigenvalues of ∇²L at the start: {}, {}", "起点处 ∇²L 的特征值：{}，{}"),
    ("λ = 1, {}: gradient descent is stable for η < 2/λ_max = {}", "λ = 1，{}：η < 2/λ_max = {} 时梯度下降稳定"),
    ("Curvature", "曲率"),
    ("No optimizer", "没有优化器"),
    ("choose at least one optimizer", "请至少选择一个优化器"),
    ("g = ∇L(θ), H = ∇²L(θ). State starts at 0; t counts from 1.", "g = ∇L(θ)，H = ∇²L(θ)。状态从 0 开始；t 从 1 计数。"),
    ("left the domain", "离开了定义域"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_has_balanced_markup_and_live_numbers() {
        let mut p = Params { opts: OptKind::ALL.to_vec(), noise: 1.5, ..Params::default() };
        p.adam_lr = 0.0123;
        let f = formulas(&p);
        let m: String = f.iter().map(|b| if let Formula::Rule { mathml, .. } = b { mathml.as_str() } else { "" }).collect();
        for tag in ["math", "mtable", "mtr", "mtd", "msub", "mfrac", "msqrt", "mrow"] {
            assert_eq!(
                m.matches(&format!("<{tag}>")).count() + m.matches(&format!("<{tag} ")).count(),
                m.matches(&format!("</{tag}>")).count(),
                "<{tag}>"
            );
        }
        assert!(m.contains("<mn>0.0123</mn>"));
        assert_eq!(f.len(), OptKind::ALL.len() + 2, "a block per optimizer, the noise and the note");
    }
}
