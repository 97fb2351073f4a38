//! The attention lab's words: title and texts, the formula panel, the readouts, hover, the data
//! export (the issue's JSON contract) and the Chinese table.

use super::model::{State, MC_N};
use super::render::{map_colour, GAP};
use super::{map_label, Params};
use crate::fmt::fmt_sig;
use crate::lab::{Formula, Json, LabMeta, Readout, Table};
use crate::math::attention::{self, entropy, flops, logits, rank_bound, Map};
use crate::mathml::*;

crate::i18n::local!(ZH);

/// Title, texts and captions.
pub const META: LabMeta = LabMeta {
    title: "Attention and its linear alternatives",
    tagline: "Who gets the weight, at what rank and at what cost: softmax attention is full rank and concentrated but costs n²d; kernel maps (elu + 1, 1 + cos, dual softmax, Performer) cost n·d·r, have rank at most r and drift towards average pooling as n grows.",
    look_at: "Left: softmax(s·QKᵀ), the reference; right: the chosen map, on one colour scale (square root of the weight, so small weights show). Below: the singular values of both on a log axis with the rank bound (d, d + 1, m or n); the mean row entropy against n with ln n, the entropy of uniform rows — linear attention climbs towards it, softmax keeps its focus; and for the Performer the relative output error against the number of random features m. Switch the causal mask on: the matrix becomes triangular and full rank, and the RNN form gives the same outputs.",
    try_these: &[
        ("Scale on at d = 64: variance-1 scores, a spread-out row", "d=64&n=256"),
        ("Scale off at d = 64: Var(q·k) = 64, nearly one-hot rows", "d=64&n=256&scale=none"),
        ("Linear attention drifts towards average pooling as n grows", "n=256&d=8"),
        ("Low rank: elu + 1 has rank ≤ d", "d=2&n=64"),
        ("A causal mask makes it full rank", "d=2&n=64&causal=1"),
        ("The RNN form equals the masked matrix form", "causal=1&map=performer&m=32"),
        ("Performer approximates softmax when logits are small", "map=performer&scale=0.05&d=8&m=256&n=64"),
        ("…and does not at realistic logit sizes", "map=performer&d=64&m=256&n=128"),
        ("The post's own 1 + cos (rank d + 1)", "map=cos1&d=3"),
        ("Dual softmax cannot be causally masked", "map=dual&causal=1"),
        ("A local window", "map=softmax&window=5"),
        ("The spec's literal test inputs (W2-T1)", "preset=literal&n=6&d=2&scale=none&map=softmax"),
    ],
    main_caption: "Attention matrices side by side on one colour scale: the softmax reference and the chosen map",
    aux_caption: "Singular values with the rank bound; mean row entropy against n; the Performer's output error against m, and the flop counts",
    pointer_hint: "Hover over a matrix: the query row and key column with both maps' weights.",
    pending_label: "computing spectra and curves",
    zh: TABLES,
};

fn readout(label: &str, text: String, colour: Option<usize>, warn: bool) -> Readout {
    Readout { label: label.to_string(), text, colour, warn }
}

fn sig(x: f64) -> String {
    fmt_sig(x, 4)
}

/// The readout panel.
pub fn readouts(p: &Params, s: &State) -> Vec<Readout> {
    let mut out = Vec::new();
    let c = &s.cfg;
    let name = map_label(c.map);
    if p.causal_refused() {
        out.push(readout(
            t("Causal mask"),
            t("refused for dual softmax: it normalises K over all n tokens, so every row sees the future whatever is masked afterwards. Both matrices are shown unmasked; pick another map to mask.").to_string(),
            None,
            true,
        ));
    }
    let (Some(soft), Some(ch)) = (s.cache.softmax(), s.cache.chosen()) else { return out };
    let bound = rank_bound(c.map, c.n, c.d, c.m, c.mask);
    let rank = |r: Option<usize>| r.map_or_else(|| t("computing…").to_string(), |r| r.to_string());
    out.push(readout(
        t("Numerical rank"),
        tf("softmax {} of {} · {} {} (bound {})", &[&rank(soft.rank()), &c.n, &name, &rank(ch.rank()), &bound]),
        Some(map_colour(c.map)),
        false,
    ));
    // Outputs and statistics follow the matrices by a frame or two (background chunks).
    let stat = |c: &attention::Computed, f: fn(&attention::Stats) -> f64| c.stats().map_or_else(|| t("computing…").to_string(), |s| sig(f(s)));
    out.push(readout(
        t("Mean row entropy"),
        tf(
            "softmax {} · {} {} · ln n = {} (uniform rows)",
            &[&stat(soft, |s| s.entropy_mean), &name, &stat(ch, |s| s.entropy_mean), &sig((c.n as f64).ln())],
        ),
        None,
        false,
    ));
    out.push(readout(t("Mean row maximum"), tf("softmax {} · {} {}", &[&stat(soft, |s| s.max_p_mean), &name, &stat(ch, |s| s.max_p_mean)]), None, false));
    out.push(readout(
        t("Output error"),
        tf("‖A V − A_soft V‖/‖A_soft V‖ = {}", &[&s.rel_error().map_or_else(|| t("computing…").to_string(), sig)]),
        None,
        false,
    ));
    let f = flops(c.map, c.n, c.d, c.m);
    out.push(readout(
        t("Cost"),
        tf("n²d = {} (quadratic) vs n·d·r = {} (linear, r = {})", &[&f.quadratic, &f.linear, &c.map.feature_dim(c.d, c.m).unwrap_or(c.m)]),
        None,
        false,
    ));
    let var = logits::score_variance(c.d, 1.0, 1.0, s.s);
    let mut w5 = tf(
        "Var(s·q·k) = s²d = {}. This softmax: H = {}, max p = {}, 1 − Σp² = {}.",
        &[&sig(var), &stat(soft, |s| s.entropy_mean), &stat(soft, |s| s.max_p_mean), &stat(soft, |s| s.gradient_factor_mean)],
    );
    if let Some(mc) = s.mc_stats() {
        w5.push(' ');
        w5.push_str(&tf(
            "At n = {}: E[H] = {} ± {}, E[max p] = {}, E[1 − Σp²] = {} ({} random rows).",
            &[&MC_N, &fmt_sig(mc.entropy.mean, 4), &fmt_sig(mc.entropy.se, 2), &fmt_sig(mc.max_p.mean, 3), &fmt_sig(mc.gradient_factor.mean, 3), &(s.mc.len() * super::model::MC_ROWS)],
        ));
    }
    out.push(readout(t("1/√d"), w5, None, false));
    let rnn = if matches!(c.map, Map::Softmax | Map::Dual) {
        t("no finite feature map, so no RNN form").to_string()
    } else if !c.mask.causal {
        t("switch the causal mask on to compare the RNN form with the masked matrix").to_string()
    } else {
        match s.rnn {
            Some(d) => tf("max |RNN − masked matrix| over all outputs = {}", &[&fmt_sig(d, 3)]),
            None => t("computing…").to_string(),
        }
    };
    out.push(readout(t("RNN form"), rnn, None, false));
    if ch.att.guarded_rows > 0 {
        out.push(readout(
            t("Guarded rows"),
            tf("{} rows recomputed exactly (underflow) or made uniform (1 + cos with only antipodal keys)", &[&ch.att.guarded_rows]),
            None,
            false,
        ));
    }
    out
}

/// The formula panel.
pub fn formulas(p: &Params, s: &State) -> Vec<Formula> {
    let q = "<msub><mi>q</mi><mi>i</mi></msub>";
    let k = "<msub><mi>k</mi><mi>j</mi></msub>";
    let mut out = vec![Formula::Rule {
        key: "general",
        title: t("Attention as a weighted mean").to_string(),
        mathml: lines(&[format!(
            "<mrow><msub><mi>out</mi><mi>i</mi></msub><mo>=</mo>{}<mo>,</mo><mspace width=\"1em\"/><mi>s</mi><mo>=</mo>{}</mrow>",
            frac(
                &format!("<munder><mo>∑</mo><mi>j</mi></munder><mi>sim</mi><mo>(</mo>{q}<mo>,</mo>{k}<mo>)</mo><msub><mi>v</mi><mi>j</mi></msub>"),
                &format!("<munder><mo>∑</mo><mi>j</mi></munder><mi>sim</mi><mo>(</mo>{q}<mo>,</mo>{k}<mo>)</mo>")
            ),
            n(s.s)
        )]),
    }];
    let sim = match s.cfg.map {
        Map::Softmax => format!("<msup><mi>e</mi><mrow><mi>s</mi>{q}<mo>·</mo>{k}</mrow></msup>"),
        Map::Elu1 => format!("<mi>φ</mi><mo>(</mo>{q}<mo>)</mo><mo>·</mo><mi>φ</mi><mo>(</mo>{k}<mo>)</mo><mo>,</mo><mspace width=\"0.5em\"/><mi>φ</mi><mo>=</mo><mi>elu</mi><mo>+</mo><mn>1</mn>"),
        Map::Cos1 => format!("<mn>1</mn><mo>+</mo>{}<mo>·</mo>{}", hat(q), hat(k)),
        Map::Dual => "<msub><mi>softmax</mi><mi>d</mi></msub><mo>(</mo><mi>Q</mi><mo>)</mo><msub><mi>softmax</mi><mi>n</mi></msub><msup><mrow><mo>(</mo><mi>K</mi><mo>)</mo></mrow><mi>T</mi></msup>".to_string(),
        Map::Performer => format!(
            "<mi>φ</mi><mo>(</mo>{q}<mo>)</mo><mo>·</mo><mi>φ</mi><mo>(</mo>{k}<mo>)</mo><mo>,</mo><mspace width=\"0.5em\"/><msub><mi>φ</mi><mi>r</mi></msub><mo>(</mo><mi>x</mi><mo>)</mo><mo>=</mo>{}",
            frac("<msup><mi>e</mi><mrow><msub><mi>ω</mi><mi>r</mi></msub><mo>·</mo><mi>x</mi><mo>−</mo><msup><mrow><mo>‖</mo><mi>x</mi><mo>‖</mo></mrow><mn>2</mn></msup><mo>/</mo><mn>2</mn></mrow></msup>", &sqrt("<mi>m</mi>"))
        ),
        Map::ExpProj => format!("<munder><mo>∑</mo><mi>r</mi></munder><msup><mi>e</mi><mrow><msub><mi>ω</mi><mi>r</mi></msub><mo>·</mo>{q}</mrow></msup><msup><mi>e</mi><mrow><msub><mi>ω</mi><mi>r</mi></msub><mo>·</mo>{k}</mrow></msup>"),
    };
    let c = &s.cfg;
    let r = c.map.feature_dim(c.d, c.m);
    let bound = rank_bound(c.map, c.n, c.d, c.m, c.mask);
    out.push(Formula::Rule {
        key: "map",
        title: tf("This map: {}", &[&map_label(c.map)]),
        mathml: lines(&[
            format!("<mrow><mi>sim</mi><mo>(</mo>{q}<mo>,</mo>{k}<mo>)</mo><mo>=</mo>{sim}</mrow>"),
            match r {
                Some(r) => format!("<mrow><mi>rank</mi><mi>A</mi><mo>≤</mo><mi>r</mi><mo>=</mo><mn>{r}</mn><mo>,</mo><mspace width=\"1em\"/><mi>cost</mi><mo>∝</mo><mi>n</mi><mi>d</mi><mi>r</mi><mo>=</mo><mn>{}</mn></mrow>", c.n * c.d * r),
                None => format!("<mrow><mi>rank</mi><mi>A</mi><mo>≤</mo><mi>n</mi><mo>=</mo><mn>{}</mn><mo>,</mo><mspace width=\"1em\"/><mi>cost</mi><mo>∝</mo><msup><mi>n</mi><mn>2</mn></msup><mi>d</mi><mo>=</mo><mn>{}</mn></mrow>", c.n, c.n * c.n * c.d),
            },
            format!("<mrow><mtext>{}</mtext><mo>:</mo><mspace width=\"0.5em\"/><mn>{bound}</mn></mrow>", t("bound drawn")),
        ]),
    });
    out.push(Formula::Rule {
        key: "rnn",
        title: t("Causal RNN form").to_string(),
        mathml: lines(&[
            "<mrow><msub><mi>S</mi><mi>i</mi></msub><mo>=</mo><msub><mi>S</mi><mrow><mi>i</mi><mo>−</mo><mn>1</mn></mrow></msub><mo>+</mo><mi>φ</mi><mo>(</mo><msub><mi>k</mi><mi>i</mi></msub><mo>)</mo><msubsup><mi>v</mi><mi>i</mi><mi>T</mi></msubsup><mo>,</mo><mspace width=\"1em\"/><msub><mi>z</mi><mi>i</mi></msub><mo>=</mo><msub><mi>z</mi><mrow><mi>i</mi><mo>−</mo><mn>1</mn></mrow></msub><mo>+</mo><mi>φ</mi><mo>(</mo><msub><mi>k</mi><mi>i</mi></msub><mo>)</mo></mrow>".to_string(),
            format!(
                "<mrow><msub><mi>out</mi><mi>i</mi></msub><mo>=</mo>{}</mrow>",
                frac(
                    "<mi>φ</mi><msup><mrow><mo>(</mo><msub><mi>q</mi><mi>i</mi></msub><mo>)</mo></mrow><mi>T</mi></msup><msub><mi>S</mi><mi>i</mi></msub>",
                    "<mi>φ</mi><msup><mrow><mo>(</mo><msub><mi>q</mi><mi>i</mi></msub><mo>)</mo></mrow><mi>T</mi></msup><msub><mi>z</mi><mi>i</mi></msub>"
                )
            ),
        ]),
    });
    out.push(Formula::Rule {
        key: "scale",
        title: t("Why 1/√d").to_string(),
        mathml: lines(&[
            format!(
                "<mrow><mi>Var</mi><mo>(</mo><mi>s</mi><mi>q</mi><mo>·</mo><mi>k</mi><mo>)</mo><mo>=</mo><msup><mi>s</mi><mn>2</mn></msup><mi>d</mi><mo>=</mo>{}</mrow>",
                n(logits::score_variance(c.d, 1.0, 1.0, s.s))
            ),
            "<mrow><mi>H</mi><mo>≈</mo><mi>ln</mi><mo>⁡</mo><mi>n</mi><mo>−</mo><msup><mi>σ</mi><mn>2</mn></msup><mo>/</mo><mn>2</mn><mspace width=\"1em\"/><mo>(</mo><mi>σ</mi><mo>≪</mo><msqrt><mrow><mn>2</mn><mi>ln</mi><mo>⁡</mo><mi>n</mi></mrow></msqrt><mo>)</mo></mrow>".to_string(),
            "<mrow><mfrac><mn>1</mn><mn>2</mn></mfrac><munder><mo>∑</mo><mrow><mi>i</mi><mi>j</mi></mrow></munder><mo>|</mo><mfrac><mrow><mo>∂</mo><msub><mi>p</mi><mi>i</mi></msub></mrow><mrow><mo>∂</mo><msub><mi>x</mi><mi>j</mi></msub></mrow></mfrac><mo>|</mo><mo>=</mo><mn>1</mn><mo>−</mo><munder><mo>∑</mo><mi>i</mi></munder><msubsup><mi>p</mi><mi>i</mi><mn>2</mn></msubsup></mrow>".to_string(),
        ]),
    });
    let _ = p;
    out.push(Formula::Note(t("The Performer's error falls like 1/√m only while the logits are small (its per-feature variance e^{2q·k}(e^{‖q+k‖²} − 1) grows exponentially with them): at 1/√d with d = 64 the curve is much flatter and the error stays above 1 for every m shown. The issue's unscaled d = 64 entropy ≈ 0.84 is 0.83 by the reference (numpy, 200 000 random rows); E[max p] ≈ 0.72.").to_string()));
    out
}

/// Hover over the main figure: (x, y) in token units, the right square starting at 1.1·n.
pub fn hover(_p: &Params, s: &State, x: f64, y: f64) -> Option<String> {
    let n = s.cfg.n;
    let nf = n as f64;
    if !(x.is_finite() && y.is_finite()) || y < 0.0 || y >= nf {
        return None;
    }
    let col = if (0.0..nf).contains(&x) {
        x
    } else if x >= (1.0 + GAP) * nf && x < (2.0 + GAP) * nf {
        x - (1.0 + GAP) * nf
    } else {
        return None;
    };
    let (i, j) = ((y.floor() as usize).min(n - 1), (col.floor() as usize).min(n - 1));
    let (soft, ch) = (s.cache.softmax()?, s.cache.chosen()?);
    if !s.cfg.mask.allows(i, j) {
        return Some(tf("query {}, key {}: masked", &[&(i + 1), &(j + 1)]));
    }
    let (a, b) = (soft.att.a.get(i, j)?, ch.att.a.get(i, j)?);
    Some(tf(
        "query {}, key {}: softmax {} · {} {} (row {}: entropy {} / {})",
        &[&(i + 1), &(j + 1), &fmt_sig(a, 4), &s.cfg.map.slug(), &fmt_sig(b, 4), &(i + 1), &fmt_sig(entropy(soft.att.a.row(i)), 3), &fmt_sig(entropy(ch.att.a.row(i)), 3)],
    ))
}

/// Per query row: entropies and maxima of both; JSON adds the contract keys (full
/// precision) and the curves.
pub fn data(p: &Params, s: &State) -> Table {
    let mut tb = Table::with_columns(["i", "entropy_softmax", "entropy_map", "max_p_softmax", "max_p_map"]);
    let (Some(soft), Some(ch)) = (s.cache.softmax(), s.cache.chosen()) else { return tb };
    let fmt = crate::fmt::fmt_num;
    let mx = |r: &[f64]| r.iter().copied().fold(0.0, f64::max);
    for i in 0..s.cfg.n {
        let (a, b) = (soft.att.a.row(i), ch.att.a.row(i));
        tb.rows.push(vec![(i + 1).to_string(), fmt(entropy(a)), fmt(entropy(b)), fmt(mx(a)), fmt(mx(b))]);
    }
    let c = &s.cfg;
    tb.put("map", Json::Str(c.map.slug().to_string()));
    tb.put("row0", Json::nums(ch.att.a.row(0).iter().copied()));
    tb.put("row0_softmax", Json::nums(soft.att.a.row(0).iter().copied()));
    // Exports run the background work to the end first; `null` only if they did not.
    let num = |c: &attention::Computed, f: fn(&attention::Stats) -> f64| Json::opt(c.stats().map(f));
    tb.put("out0", c_out0(ch));
    tb.put("entropy_mean", num(ch, |s| s.entropy_mean));
    tb.put("entropy_mean_softmax", num(soft, |s| s.entropy_mean));
    tb.put("rank", Json::opt(ch.rank().map(|r| r as f64)));
    tb.put("rank_softmax", Json::opt(soft.rank().map(|r| r as f64)));
    tb.put("rel_error", Json::opt(s.rel_error()));
    tb.put("max_p_mean", num(ch, |s| s.max_p_mean));
    tb.put("max_p_mean_softmax", num(soft, |s| s.max_p_mean));
    tb.put("gradient_factor_mean_softmax", num(soft, |s| s.gradient_factor_mean));
    tb.put("rank_bound", Json::Num(rank_bound(c.map, c.n, c.d, c.m, c.mask) as f64));
    tb.put("scale_factor", Json::Num(s.s));
    tb.put("causal", Json::Num(c.mask.causal as u8 as f64));
    tb.put("causal_refused", Json::Num(p.causal_refused() as u8 as f64));
    let f = flops(c.map, c.n, c.d, c.m);
    tb.put("flops_quadratic", Json::Num(f.quadratic as f64));
    tb.put("flops_linear", Json::Num(f.linear as f64));
    tb.put("sv", Json::List(ch.singular_values().map_or_else(Vec::new, |v| v.iter().map(|&x| Json::Num(x)).collect())));
    tb.put("sv_softmax", Json::List(soft.singular_values().map_or_else(Vec::new, |v| v.iter().map(|&x| Json::Num(x)).collect())));
    tb.put("entropy_curve", Json::rows(s.entropy.iter().map(|e| [e.0 as f64, e.1, e.2])));
    if s.errors_apply() {
        tb.put("error_curve", Json::rows(s.errors.iter().map(|e| [e.0 as f64, e.1])));
    }
    tb.put("rnn_max_difference", Json::opt(s.rnn));
    if let Some(mc) = s.mc_stats() {
        tb.put("w5_n", Json::Num(MC_N as f64));
        tb.put("w5_entropy", Json::Num(mc.entropy.mean));
        tb.put("w5_entropy_se", Json::Num(mc.entropy.se));
        tb.put("w5_max_p", Json::Num(mc.max_p.mean));
        tb.put("w5_gradient_factor", Json::Num(mc.gradient_factor.mean));
    }
    tb.put("guarded_rows", Json::Num(ch.att.guarded_rows as f64));
    tb
}

/// Simplified Chinese for the strings only this lab uses (shared ones are in the shell's table).
pub const ZH: crate::i18n::Table = &[
    ("1 + cos (the post's own)", "1 + cos（原文自己的）"),
    ("1/√d", "1/√d"),
    ("A causal mask makes it full rank", "因果掩码使其满秩"),
    ("A local window", "局部窗口"),
    ("At n = {}: E[H] = {} ± {}, E[max p] = {}, E[1 − Σp²] = {} ({} random rows).", "n = {} 时：E[H] = {} ± {}，E[max p] = {}，E[1 − Σp²] = {}（{} 行随机样本）。"),
    ("Attention and its linear alternatives", "Attention 及其线性替代"),
    ("Attention as a weighted mean", "Attention 即加权平均"),
    ("Attention matrices side by side on one colour scale: the softmax reference and the chosen map", "并排的注意力矩阵（同一色标）：softmax 参照与所选映射"),
    ("Causal RNN form", "因果 RNN 形式"),
    ("Causal mask", "因果掩码"),
    ("Cost", "计算量"),
    ("Dual softmax cannot be causally masked", "对偶 softmax 无法做因果掩码"),
    ("Guarded rows", "受保护的行"),
    ("Hover over a matrix: the query row and key column with both maps' weights.", "鼠标悬停在矩阵上：显示该查询行、键列以及两种映射的权重。"),
    ("Left: softmax(s·QKᵀ), the reference; right: the chosen map, on one colour scale (square root of the weight, so small weights show). Below: the singular values of both on a log axis with the rank bound (d, d + 1, m or n); the mean row entropy against n with ln n, the entropy of uniform rows — linear attention climbs towards it, softmax keeps its focus; and for the Performer the relative output error against the number of random features m. Switch the causal mask on: the matrix becomes triangular and full rank, and the RNN form gives the same outputs.", "左：参照 softmax(s·QKᵀ)；右：所选映射，二者使用同一色标（权重的平方根，小权重也看得见）。下方：两者的奇异值（对数轴）及秩上界（d、d + 1、m 或 n）；平均行熵随 n 的变化以及均匀行的熵 ln n——线性 attention 向它攀升，softmax 保持聚焦；对 Performer 还有相对输出误差随随机特征数 m 的变化。打开因果掩码：矩阵变为下三角且满秩，RNN 形式给出相同的输出。"),
    ("Linear attention drifts towards average pooling as n grows", "随 n 增大，线性 attention 趋向平均池化"),
    ("Low rank: elu + 1 has rank ≤ d", "低秩：elu + 1 的秩 ≤ d"),
    ("Mean row entropy", "平均行熵"),
    ("Mean row maximum", "平均行最大值"),
    ("Numerical rank", "数值秩"),
    ("Output error", "输出误差"),
    ("Performer (positive random features)", "Performer（正随机特征）"),
    ("Performer approximates softmax when logits are small", "logit 较小时 Performer 近似 softmax"),
    ("Performer output error against m", "Performer 输出误差随 m 的变化"),
    ("RNN form", "RNN 形式"),
    ("Scale off at d = 64: Var(q·k) = 64, nearly one-hot rows", "d = 64 时关闭缩放：Var(q·k) = 64，行几乎是独热的"),
    ("Scale on at d = 64: variance-1 scores, a spread-out row", "d = 64 时开启缩放：分数方差为 1，行较分散"),
    ("Singular values with the rank bound; mean row entropy against n; the Performer's output error against m, and the flop counts", "奇异值与秩上界；平均行熵随 n 的变化；Performer 输出误差随 m 的变化，以及浮点运算量"),
    ("The Performer's error falls like 1/√m only while the logits are small (its per-feature variance e^{2q·k}(e^{‖q+k‖²} − 1) grows exponentially with them): at 1/√d with d = 64 the curve is much flatter and the error stays above 1 for every m shown. The issue's unscaled d = 64 entropy ≈ 0.84 is 0.83 by the reference (numpy, 200 000 random rows); E[max p] ≈ 0.72.", "Performer 的误差只有在 logit 较小时才按 1/√m 下降（其单特征方差 e^{2q·k}(e^{‖q+k‖²} − 1) 随 logit 指数增长）：在 1/√d、d = 64 时曲线平缓得多，所示的每个 m 误差都大于 1。议题中未缩放 d = 64 的熵 ≈ 0.84，按参考实现为 0.83（numpy，200 000 行随机样本）；E[max p] ≈ 0.72。"),
    ("The RNN form equals the masked matrix form", "RNN 形式等于带掩码的矩阵形式"),
    ("The post's own 1 + cos (rank d + 1)", "原文自己的 1 + cos（秩 d + 1）"),
    ("The spec's literal test inputs (W2-T1)", "规格中的字面测试输入（W2-T1）"),
    ("This map: {}", "当前映射：{}"),
    ("Var(s·q·k) = s²d = {}. This softmax: H = {}, max p = {}, 1 − Σp² = {}.", "Var(s·q·k) = s²d = {}。当前 softmax：H = {}，max p = {}，1 − Σp² = {}。"),
    ("Who gets the weight, at what rank and at what cost: softmax attention is full rank and concentrated but costs n²d; kernel maps (elu + 1, 1 + cos, dual softmax, Performer) cost n·d·r, have rank at most r and drift towards average pooling as n grows.", "谁得到权重、秩多少、代价多大：softmax attention 满秩且集中，但代价为 n²d；核映射（elu + 1、1 + cos、对偶 softmax、Performer）代价为 n·d·r，秩至多为 r，且随 n 增大趋向平均池化。"),
    ("Why 1/√d", "为什么是 1/√d"),
    ("bound drawn", "所画上界"),
    ("causal mask", "因果掩码"),
    ("dual softmax normalises K over all n tokens, so every row sees the future whatever is masked; both matrices are shown unmasked. Another map takes the mask.", "对偶 softmax 在全部 n 个 token 上对 K 归一化，因此无论掩掉什么，每一行都看到了未来；两个矩阵均不加掩码显示。换一个映射即可加掩码。"),
    ("causal mask refused for dual softmax: both shown unmasked", "对偶 softmax 拒绝因果掩码：两者均不加掩码显示"),
    ("computing singular values… {}%", "正在计算奇异值… {}%"),
    ("computing spectra and curves", "正在计算谱与曲线"),
    ("computing the error curve…", "正在计算误差曲线…"),
    ("computing…", "计算中…"),
    ("dual softmax (efficient attention)", "对偶 softmax（efficient attention）"),
    ("elu + 1 (linear attention)", "elu + 1（线性 attention）"),
    ("entropy (nats)", "熵（奈特）"),
    ("error against m: choose map = performer", "误差随 m 的变化：请选择 map = performer"),
    ("feature dim m", "特征维数 m"),
    ("features m (log)", "特征数 m（对数）"),
    ("flops: n²d = {} vs n·d·r = {}", "运算量：n²d = {}，对比 n·d·r = {}"),
    ("inputs Q, K, V", "输入 Q、K、V"),
    ("key size d", "键维数 d"),
    ("keys j ≤ i only; refused for dual softmax", "只看 j ≤ i 的键；对偶 softmax 不接受"),
    ("literal sin/cos (the spec's test inputs)", "字面 sin/cos（规格中的测试输入）"),
    ("ln n (uniform rows)", "ln n（均匀行）"),
    ("local truncation: keys with |i − j| < window", "局部截断：只看 |i − j| < window 的键"),
    ("logit scale", "logit 缩放"),
    ("map", "映射"),
    ("max |RNN − masked matrix| over all outputs = {}", "所有输出上 max |RNN − 掩码矩阵| = {}"),
    ("mean row entropy against n", "平均行熵随 n 的变化"),
    ("no finite feature map, so no RNN form", "没有有限维特征映射，因此没有 RNN 形式"),
    ("none, sqrt_d (1/√d) or a number s: scores s·q·k", "none、sqrt_d（1/√d）或一个数 s：分数为 s·q·k"),
    ("n²d = {} (quadratic) vs n·d·r = {} (linear, r = {})", "n²d = {}（二次）对比 n·d·r = {}（线性，r = {}）"),
    ("projection + eˣ", "投影 + eˣ"),
    ("query i ↓, key j →", "查询 i ↓，键 j →"),
    ("query i ↓, key j →; grey: masked (j > i)", "查询 i ↓，键 j →；灰色：被掩码（j > i）"),
    ("query i ↓, key j →; grey: outside the window", "查询 i ↓，键 j →；灰色：窗口之外"),
    ("query {}, key {}: masked", "查询 {}，键 {}：被掩码"),
    ("query {}, key {}: softmax {} · {} {} (row {}: entropy {} / {})", "查询 {}，键 {}：softmax {} · {} {}（第 {} 行：熵 {} / {}）"),
    ("random N(0, 1), seeded", "随机 N(0, 1)，带种子"),
    ("random features of performer and projection + eˣ", "performer 与投影 + eˣ 的随机特征"),
    ("rank bound {}", "秩上界 {}"),
    ("refused for dual softmax: it normalises K over all n tokens, so every row sees the future whatever is masked afterwards. Both matrices are shown unmasked; pick another map to mask.", "对偶 softmax 不接受：它在全部 n 个 token 上对 K 归一化，因此无论之后掩掉什么，每一行都看到了未来。两个矩阵均不加掩码显示；如需掩码请换一个映射。"),
    ("relative error", "相对误差"),
    ("scale must be none, sqrt_d or a number from −{} to {}", "scale 必须是 none、sqrt_d 或 −{} 到 {} 之间的数"),
    ("singular values σₖ", "奇异值 σₖ"),
    ("softmax (reference), rank {}", "softmax（参照），秩 {}"),
    ("softmax {} of {} · {} {} (bound {})", "softmax {}（共 {}）· {} {}（上界 {}）"),
    ("softmax {} · {} {}", "softmax {} · {} {}"),
    ("softmax {} · {} {} · ln n = {} (uniform rows)", "softmax {} · {} {} · ln n = {}（均匀行）"),
    ("switch the causal mask on to compare the RNN form with the masked matrix", "打开因果掩码，以比较 RNN 形式与带掩码的矩阵"),
    ("tokens n", "token 数 n"),
    ("tokens n (log)", "token 数 n（对数）"),
    ("tolerance σ₁·n·ε", "容差 σ₁·n·ε"),
    ("window (0 = off)", "窗口（0 = 关闭）"),
    ("{} rows recomputed exactly (underflow) or made uniform (1 + cos with only antipodal keys)", "{} 行被精确重算（下溢）或设为均匀（1 + cos 只有对径的键）"),
    ("{}, rank {}", "{}，秩 {}"),
    ("σₖ", "σₖ"),
    ("‖A V − A_soft V‖/‖A_soft V‖", "‖A V − A_soft V‖/‖A_soft V‖"),
    ("‖A V − A_soft V‖/‖A_soft V‖ = {}", "‖A V − A_soft V‖/‖A_soft V‖ = {}"),
    ("…and does not at realistic logit sizes", "……而在实际的 logit 大小下并非如此"),
    ("∝ 1/√m (guide)", "∝ 1/√m（参考线）"),
];

/// The first output row, or `null` before the statistics.
fn c_out0(c: &attention::Computed) -> Json {
    c.stats().map_or(Json::Null, |s| Json::nums(s.out.row(0).iter().copied()))
}
