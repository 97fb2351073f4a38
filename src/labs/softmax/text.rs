//! The softmax lab's words: title and texts, the formula panel, the legend with the property
//! checks, the data export and the Chinese table.

use super::model::{apply, target, State};
use super::{Map, Params};
use crate::math::softmax::Noise;
use crate::fmt::{fmt_num, fmt_sig};
use crate::lab::{Formula, Json, LabMeta, Readout, Table};
use crate::math::softmax as sm;
use crate::mathml::*;
use std::fmt::Write;

crate::i18n::local!(ZH);

/// Title, texts and captions.
pub const META: LabMeta = LabMeta {
    title: "Softmax and its alternatives on the simplex",
    tagline: "Seven ways to turn scores into probabilities: softmax never reaches the boundary, sparsemax and entmax send whole regions of logits to exact zeros, and Taylor softmax is neither shift-invariant nor monotone.",
    look_at: "Left: the logits of three classes, modulo a common shift (moving towards zᵢ raises logit i). Right: the probability triangle; each map sends the point to its own marker. Below, one panel per map: the logit plane coloured by how many classes get non-zero probability, and the image of a regular grid of logits on the triangle. Softmax squeezes the whole plane into the interior; sparsemax and entmax map whole regions onto edges and corners (exact zeros); top-k cuts by rank, sparsemax by a threshold τ.",
    try_these: &[
        ("Sparsity grows with α", "alpha=2.5&maps=softmax,entmax"),
        ("α = 2 is sparsemax", "alpha=2&maps=sparsemax,entmax"),
        ("Gumbel noise gives softmax exactly", "perturb=gumbel&maps=softmax,perturb"),
        ("Taylor softmax is not shift-invariant", "z=-3,-1.5,0&maps=softmax,taylor"),
        ("Low temperature: softmax approaches argmax", "tau=0.1&maps=softmax,sparsemax"),
        ("Exact threshold: one-hot, never an empty support", "z=3,1,0,-1&maps=sparsemax,entmax"),
        ("Many classes: drag the bars", "z=2,1.5,1,0.3,0,-0.5,-1,-2"),
    ],
    main_caption: "Logit plane (three classes, modulo shift) and the probability simplex with every map's output",
    aux_caption: "Per map: the logit plane coloured by support size, and the image of a regular logit grid on the simplex",
    pointer_hint: "Drag on the logit plane (or the bars) to change the logits.",
    zh: TABLES,
    ..LabMeta::DEFAULT
};


/// The legend: each map's probabilities, entropy, 1 − Σp², threshold and property checks.
pub fn readouts(p: &Params, s: &State) -> Vec<Readout> {
    let mut out = Vec::new();
    for &i in &s.nan {
        out.push(Readout {
            label: t("Input").into(),
            text: tf("logit {} is not a number: computed as −∞ (−1e300)", &[&(i + 1)]),
            colour: None,
            warn: true,
        });
    }
    if s.outs.is_empty() {
        out.push(Readout { label: t("No map").into(), text: t("choose at least one map").into(), colour: None, warn: true });
    }
    for (m, o) in &s.outs {
        let n = o.p.len();
        let mut text = format!(
            "p = ({}) · H = {} · 1 − Σp² = {} · {}",
            o.p.iter().map(|v| fmt_sig(*v, 4)).collect::<Vec<_>>().join(", "),
            fmt_sig(sm::entropy(&o.p), 4),
            fmt_sig(sm::gini(&o.p), 4),
            tf("support {} of {}", &[&sm::support(&o.p), &n])
        );
        if let Some(tau) = o.tau {
            let _ = write!(text, " · τ = {}", fmt_sig(tau, 6));
        }
        let _ = write!(text, " · {}", properties(*m, p, &s.z, &o.p));
        out.push(Readout { label: t(m.label()).into(), text, colour: Some(m.index()), warn: false });
    }
    if s.outs.iter().any(|(m, _)| *m == Map::AmSoftmax) {
        let tt = target(p, s.z.len());
        if let Some((_, o)) = s.outs.iter().find(|(m, _)| *m == Map::AmSoftmax) {
            out.push(Readout {
                label: t("AM-softmax loss").into(),
                text: tf(
                    "−ln p_{} = {} (margin m = {}, scale s = {})",
                    &[&(tt + 1), &fmt_sig(-o.p[tt].ln(), 5), &fmt_sig(p.margin, 3), &fmt_sig(p.scale, 3)],
                ),
                colour: Some(Map::AmSoftmax.index()),
                warn: false,
            });
        }
    }
    out
}

/// One row per map (its probabilities); JSON adds entropy, support and threshold per map.
pub fn data(_p: &Params, s: &State) -> Table {
    let n = s.z.len();
    let mut t = Table::with_columns(["map"]);
    t.columns.extend((1..=n).map(|i| format!("p{i}").into()));
    for (m, o) in &s.outs {
        let mut row = vec![m.key().to_string()];
        row.extend(o.p.iter().map(|v| fmt_num(*v)));
        t.rows.push(row);
        t.put(format!("entropy_{}", m.key()), Json::Num(sm::entropy(&o.p)));
        t.put(format!("support_{}", m.key()), Json::Num(sm::support(&o.p) as f64));
        if let Some(tau) = o.tau {
            t.put(format!("tau_{}", m.key()), Json::Num(tau));
        }
    }
    t
}

/// The property checks of the post, at the current logits, with a counterexample when one fails.
pub fn properties(m: Map, p: &Params, z: &[f64], out: &[f64]) -> String {
    let sum: f64 = out.iter().sum();
    let mut parts = vec![if (sum - 1.0).abs() < 1e-9 { t("✓ sums to 1").to_string() } else { tf("✗ sums to {}", &[&fmt_sig(sum, 6)]) }];
    // Monotone: zᵢ > zⱼ ⇒ pᵢ ≥ pⱼ (weakly: sparse maps give equal zeros).
    match monotone_violation(m, p, z) {
        None => parts.push(t("✓ monotone").into()),
        Some((zz, pp)) => parts.push(tf("✗ not monotone: z = ({}) gives p = ({})", &[&list(&zz), &list(&pp)])),
    }
    let shifted: Vec<f64> = z.iter().map(|v| v + 1.0).collect();
    let ps = apply(m, p, &shifted).p;
    if ps.iter().zip(out).all(|(a, b)| (a - b).abs() < 1e-9) {
        parts.push(t("✓ shift-invariant").into());
    } else {
        parts.push(tf("✗ not shift-invariant: z + 1 gives p = ({})", &[&list(&ps)]));
    }
    parts.push(if m.can_be_sparse(p, z.len()) { t("sparse: can give exact zeros").into() } else { t("never exactly zero").into() });
    parts.join(" · ")
}

fn list(v: &[f64]) -> String {
    v.iter().map(|x| fmt_sig(*x, 4)).collect::<Vec<_>>().join(", ")
}

/// A pair of logits out of order in the output: at the current logits if they show one, else (for
/// Taylor softmax) the classic counterexample f₂(−3) > f₂(−1.5).
fn monotone_violation(m: Map, p: &Params, z: &[f64]) -> Option<(Vec<f64>, Vec<f64>)> {
    let bad = |z: &[f64], q: &[f64]| (0..z.len()).any(|i| (0..z.len()).any(|j| z[i] > z[j] && q[i] < q[j] - 1e-12));
    let here = apply(m, p, z).p;
    if m == Map::AmSoftmax {
        // The margin lowers the target's logit on purpose: its loss, not a map, is the point.
        return None;
    }
    if bad(z, &here) {
        return Some((z.to_vec(), here));
    }
    if m == Map::Taylor {
        let zz = [-3.0, -1.5, 0.0];
        let q = apply(m, p, &zz).p;
        if bad(&zz, &q) {
            return Some((zz.to_vec(), q));
        }
    }
    None
}

/// The formula panel: each shown map's definition with live numbers.
pub fn formulas(p: &Params, s: &State) -> Vec<Formula> {
    let zi = sub(&i("z"), &i("i"));
    let pi = sub(&i("p"), &i("i"));
    let mut out = Vec::new();
    for (m, o) in &s.outs {
        let body = match m {
            Map::Softmax => lines(&[assign(&pi, &frac(&format!("<msup><mi>e</mi><mrow>{zi}<mo>/</mo><mi>τ</mi></mrow></msup>"), &format!("<munder><mo>∑</mo><mi>j</mi></munder><msup><mi>e</mi><mrow>{}<mo>/</mo><mi>τ</mi></mrow></msup>", sub(&i("z"), &i("j"))))), format!("<mrow><mi>τ</mi><mo>=</mo>{}</mrow>", n(p.tau))]),
            Map::AmSoftmax => {
                let tt = target(p, s.z.len()) + 1;
                let zt = sub(&i("z"), &format!("<mn>{tt}</mn>"));
                let num = format!("<msup><mi>e</mi><mrow><mi>s</mi><mo>(</mo>{zt}<mo>−</mo><mi>m</mi><mo>)</mo></mrow></msup>");
                let rest = format!("<munder><mo>∑</mo><mrow><mi>j</mi><mo>≠</mo><mn>{tt}</mn></mrow></munder><msup><mi>e</mi><mrow><mi>s</mi>{}</mrow></msup>", sub(&i("z"), &i("j")));
                let loss = -o.p[tt - 1].ln();
                lines(&[
                    assign(&i("L"), &format!("<mo>−</mo><mi>ln</mi><mo>⁡</mo>{}", frac(&num, &format!("{num}<mo>+</mo>{rest}")))),
                    format!("<mrow><mi>m</mi><mo>=</mo>{}<mo>,</mo><mspace width=\"1em\"/><mi>s</mi><mo>=</mo>{}<mo>,</mo><mspace width=\"1em\"/><mi>L</mi><mo>=</mo>{}</mrow>", n(p.margin), n(p.scale), n(loss)),
                ])
            }
            Map::Taylor => lines(&[
                assign(&pi, &frac(&format!("{}{}", sub(&i("f"), &i("k")), paren(&zi)), &format!("<munder><mo>∑</mo><mi>j</mi></munder>{}{}", sub(&i("f"), &i("k")), paren(&sub(&i("z"), &i("j")))))),
                format!("<mrow>{}<mo>(</mo><mi>x</mi><mo>)</mo><mo>=</mo><munderover><mo>∑</mo><mrow><mi>m</mi><mo>=</mo><mn>0</mn></mrow><mi>k</mi></munderover>{}<mo>,</mo><mspace width=\"1em\"/><mi>k</mi><mo>=</mo><mn>{}</mn></mrow>", sub(&i("f"), &i("k")), frac("<msup><mi>x</mi><mi>m</mi></msup>", "<mi>m</mi><mo>!</mo>"), p.taylor_order),
            ]),
            Map::Sparse => lines(&[assign(&pi, &format!("{}<mo>⋅</mo><mn>1</mn><mo>[</mo><mi>i</mi><mo>∈</mo><mtext>top-</mtext><mn>{}</mn><mo>]</mo>", frac(&format!("<msup><mi>e</mi>{zi}</msup>"), &format!("<munder><mo>∑</mo><mrow><mi>j</mi><mo>∈</mo><mtext>top-</mtext><mn>{}</mn></mrow></munder><msup><mi>e</mi>{}</msup>", p.topk, sub(&i("z"), &i("j")))), p.topk))]),
            Map::Perturb => lines(&[
                assign(&pi, &format!("<mi>P</mi><mo>[</mo><mi>arg max</mi><mo>(</mo><mi>z</mi><mo>+</mo><mi>ε</mi><mo>)</mo><mo>=</mo><mi>i</mi><mo>]</mo><mo>=</mo><mo>∫</mo><mi>φ</mi><mo>(</mo><mi>t</mi><mo>)</mo><munder><mo>∏</mo><mrow><mi>j</mi><mo>≠</mo><mi>i</mi></mrow></munder><mi>Φ</mi><mo>(</mo>{zi}<mo>−</mo>{}<mo>+</mo><mi>t</mi><mo>)</mo><mi>d</mi><mi>t</mi>", sub(&i("z"), &i("j")))),
                format!("<mrow><mtext>{}</mtext></mrow>", if p.perturb == Noise::Gumbel { t("ε Gumbel: exactly softmax (the Gumbel-max trick)") } else { t("ε Gaussian (probit); 64-point Gauss–Hermite quadrature") }),
            ]),
            Map::Sparsemax => lines(&[
                assign(&pi, &format!("<msub><mrow><mo>[</mo>{zi}<mo>−</mo><mi>τ</mi><mo>]</mo></mrow><mo>+</mo></msub>")),
                format!("<mrow><mi>τ</mi><mo>=</mo>{}</mrow>", n(o.tau.unwrap_or(f64::NAN))),
            ]),
            Map::Entmax => {
                let a = p.alpha;
                let mut rows = vec![assign(&pi, &format!("<msubsup><mrow><mo>[</mo><mo>(</mo><mi>α</mi><mo>−</mo><mn>1</mn><mo>)</mo>{zi}<mo>−</mo><mi>τ</mi><mo>]</mo></mrow><mo>+</mo><mrow><mn>1</mn><mo>/</mo><mo>(</mo><mi>α</mi><mo>−</mo><mn>1</mn><mo>)</mo></mrow></msubsup>"))];
                rows.push(match o.tau {
                    Some(tau) => format!("<mrow><mi>α</mi><mo>=</mo>{}<mo>,</mo><mspace width=\"1em\"/><mi>τ</mi><mo>=</mo>{}</mrow>", n(a), n(tau)),
                    None => format!("<mrow><mi>α</mi><mo>=</mo>{}<mo>:</mo><mspace width=\"0.5em\"/><mtext>{}</mtext></mrow>", n(a), t("softmax")),
                });
                lines(&rows)
            }
        };
        out.push(Formula::Rule { key: m.key(), title: t(m.label()).to_string(), mathml: body });
    }
    out.push(Formula::Note(
        t("Sums, entropies and thresholds are computed with the logits as typed (±∞ as ±1e300); τ of entmax is on the scale of (α − 1)z.").to_string(),
    ));
    out
}

/// Simplified Chinese for the strings only this lab uses (shared ones are in the shell's table).
pub const ZH: crate::i18n::Table = &[
    ("1: softmax, 1.5: entmax-1.5, 2: sparsemax", "1：softmax，1.5：entmax-1.5，2：sparsemax"),
    ("2 to 32 numbers; drag the point (three classes) or the bars", "2 到 32 个数；拖动点（三类）或柱条"),
    ("AM-softmax", "AM-softmax"),
    ("AM-softmax loss", "AM-softmax 损失"),
    ("Drag on the logit plane (or the bars) to change the logits.", "在 logit 平面（或柱条）上拖动以改变 logits。"),
    ("Entmax-α", "Entmax-α"),
    ("Exact threshold: one-hot, never an empty support", "阈值恰好落在分量上：独热输出，支撑集从不为空"),
    ("Gaussian (probit)", "高斯（probit）"),
    ("Gumbel", "Gumbel"),
    ("Gumbel (= softmax)", "Gumbel（= softmax）"),
    ("Gumbel noise gives softmax exactly", "Gumbel 噪声恰好给出 softmax"),
    ("Input", "输入"),
    ("Left: the logits of three classes, modulo a common shift (moving towards zᵢ raises logit i). Right: the probability triangle; each map sends the point to its own marker. Below, one panel per map: the logit plane coloured by how many classes get non-zero probability, and the image of a regular grid of logits on the triangle. Softmax squeezes the whole plane into the interior; sparsemax and entmax map whole regions onto edges and corners (exact zeros); top-k cuts by rank, sparsemax by a threshold τ.", "左：三个类别的 logits（相差一个公共平移视为相同；朝 zᵢ 方向移动即增大第 i 个 logit）。右：概率三角形，每种映射把该点送到各自的标记处。下方每种映射一幅小图：按非零概率类别数给 logit 平面着色，以及规则 logit 网格在三角形上的像。Softmax 把整个平面压进三角形内部；sparsemax 和 entmax 把整片区域映到边和顶点上（精确的零）；top-k 按名次截断，sparsemax 按阈值 τ 截断。"),
    ("Logit plane (three classes, modulo shift) and the probability simplex with every map's output", "logit 平面（三类，模平移）与概率单纯形上各映射的输出"),
    ("Low temperature: softmax approaches argmax", "低温：softmax 趋于 argmax"),
    ("Many classes: drag the bars", "多个类别：拖动柱条"),
    ("Maps", "映射"),
    ("No map", "没有映射"),
    ("Per map: the logit plane coloured by support size, and the image of a regular logit grid on the simplex", "每种映射：按支撑集大小着色的 logit 平面，以及规则 logit 网格在单纯形上的像"),
    ("Perturb-max", "扰动取最大（Perturb-max）"),
    ("Seven ways to turn scores into probabilities: softmax never reaches the boundary, sparsemax and entmax send whole regions of logits to exact zeros, and Taylor softmax is neither shift-invariant nor monotone.", "把分数变成概率的七种方法：softmax 永远到不了边界，sparsemax 和 entmax 把整片 logit 区域映成精确的零，Taylor softmax 既不具平移不变性也不单调。"),
    ("Softmax", "Softmax"),
    ("Softmax and its alternatives on the simplex", "单纯形上的 Softmax 及其替代方案"),
    ("Sparse softmax (top-k)", "稀疏 Softmax（top-k）"),
    ("Sparsemax", "Sparsemax"),
    ("Sparsity grows with α", "稀疏性随 α 增大"),
    ("Sums, entropies and thresholds are computed with the logits as typed (±∞ as ±1e300); τ of entmax is on the scale of (α − 1)z.", "求和、熵与阈值均按输入的 logits 计算（±∞ 视为 ±1e300）；entmax 的 τ 以 (α − 1)z 为尺度。"),
    ("Taylor order k", "Taylor 阶数 k"),
    ("Taylor softmax", "Taylor softmax"),
    ("Taylor softmax is not shift-invariant", "Taylor softmax 不具平移不变性"),
    ("choose at least one map", "请至少选择一种映射"),
    ("class i", "类别 i"),
    ("give 2 to 32 logits, separated by commas ({} given)", "请给出 2 到 32 个以逗号分隔的 logits（给了 {} 个）"),
    ("logit zᵢ (drag)", "logit zᵢ（可拖动）"),
    ("logit {} ('{}') is not a number", "第 {} 个 logit（“{}”）不是数"),
    ("logit {} is not a number: computed as −∞ (−1e300)", "第 {} 个 logit 不是数：按 −∞（−1e300）计算"),
    ("logits (modulo a common shift)", "logits（模公共平移）"),
    ("logits z", "logits z"),
    ("margin m", "间隔 m"),
    ("never exactly zero", "从不精确为零"),
    ("order 2", "2 阶"),
    ("order 4", "4 阶"),
    ("order 6", "6 阶"),
    ("probability pᵢ", "概率 pᵢ"),
    ("scale s", "尺度 s"),
    ("sparse: can give exact zeros", "稀疏：可给出精确的零"),
    ("support size (non-zero entries):", "支撑集大小（非零分量数）："),
    ("support {} of {}", "支撑集 {} / {}"),
    ("target class t", "目标类别 t"),
    ("temperature τ", "温度 τ"),
    ("top k", "前 k 个"),
    ("α", "α"),
    ("α = 2 is sparsemax", "α = 2 即 sparsemax"),
    ("ε Gaussian (probit); 64-point Gauss–Hermite quadrature", "ε 为高斯噪声（probit）；64 点 Gauss–Hermite 求积"),
    ("ε Gumbel: exactly softmax (the Gumbel-max trick)", "ε 为 Gumbel 噪声：恰好是 softmax（Gumbel-max 技巧）"),
    ("−ln p_{} = {} (margin m = {}, scale s = {})", "−ln p_{} = {}（间隔 m = {}，尺度 s = {}）"),
    ("✓ monotone", "✓ 单调"),
    ("✓ shift-invariant", "✓ 平移不变"),
    ("✓ sums to 1", "✓ 和为 1"),
    ("✗ not monotone: z = ({}) gives p = ({})", "✗ 不单调：z = ({}) 给出 p = ({})"),
    ("✗ not shift-invariant: z + 1 gives p = ({})", "✗ 不平移不变：z + 1 给出 p = ({})"),
    ("✗ sums to {}", "✗ 和为 {}"),
];
