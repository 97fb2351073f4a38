//! The Johnson–Lindenstrauss lab's words: title and texts, the bounds, the formula panel, the
//! legend, the data export and the Chinese table.

use super::model::State;
use super::Params;
use crate::fmt::{fmt_num, fmt_sig};
use crate::lab::{Formula, Json, LabMeta, Readout, Table};
use crate::math::jl::{self, Matrix};
use crate::mathml::*;

crate::i18n::local!(ZH);

/// Title, texts and captions.
pub const META: LabMeta = LabMeta {
    title: "Johnson–Lindenstrauss: random projections",
    tagline: "Project N points from d to k dimensions with a random matrix: distances are kept to 1 ± ε once k grows like ln N / ε² — whatever d is — and the classical bounds are far more conservative than what the data needs.",
    look_at: "Left: the histogram of the distortion R = ‖A(u − v)‖²/‖u − v‖² over the pairs, with the band 1 ± ε and, for Gaussian matrices, the exact χ²ₖ/k density. Right: projected against original squared distances. Below: the k the bounds require for the chosen ε as N grows, the current k (horizontal line) and the smallest k that kept every pair within ε on this data (dot). Change d: the histogram does not care.",
    try_these: &[
        ("Distortion shrinks like 1/√k", "k=30"),
        ("The math-spec case: sd of R ≈ √(2/k) = 0.0816", "k=300"),
        ("k does not depend on d", "d=8000"),
        ("The bounds are conservative", "eps=0.3&k=600"),
        ("Very sparse matrices break on sparse data", "matrix=verysparse&data=sparse&k=200"),
        ("Orthogonal projection at k = d is exact", "matrix=orthogonal&d=300&k=300&n=50"),
        ("Inner products of unit vectors", "view=ip"),
    ],
    main_caption: "Distortion of pairwise squared distances under a random projection, and projected against original distances",
    aux_caption: "Required target dimension k against the number of points N for the chosen ε: four bounds, the current k and the empirical k",
    pointer_hint: "Move the sliders: k, ε and the view reuse every projection already computed.",
    pending_label: "projecting",
    zh: TABLES,
};


/// The four bounds at (N, ε, β): (name, key, real value).
pub fn bounds(p: &Params) -> [(&'static str, &'static str, f64); 4] {
    [
        ("Dasgupta–Gupta", "bound_dg", jl::bound_dg(p.n, p.eps)),
        ("Su, 24 ln N/ε²", "bound_su24", jl::bound_su24(p.n, p.eps)),
        ("Su, 16 ln N/ε² (existence)", "bound_su16", jl::bound_su16(p.n, p.eps)),
        ("Achlioptas", "bound_achlioptas", jl::bound_achlioptas(p.n, p.eps, p.beta)),
    ]
}

fn pairs_text(s: &State) -> String {
    let n = s.proj.n;
    let all = n * (n - 1) / 2;
    if s.proj.pairs.len() == all {
        tf("all {} pairs", &[&all])
    } else {
        tf("a uniform sample of {} of the {} pairs", &[&s.proj.pairs.len(), &all])
    }
}

/// The legend: the statistics of the distortion, the bounds and the empirical k.
pub fn readouts(p: &Params, s: &State) -> Vec<Readout> {
    let mut out = Vec::new();
    let k = p.k_used();
    if k < p.k as usize {
        out.push(Readout {
            label: t("k").into(),
            text: tf("an orthogonal projection needs k ≤ d: using k = {}", &[&k]),
            colour: None,
            warn: true,
        });
    }
    match &s.summary {
        None => out.push(Readout {
            label: t("Distortion").into(),
            text: tf("computing ({}%)", &[&format!("{:.0}", 100.0 * s.pending(p).unwrap_or(1.0))]),
            colour: None,
            warn: false,
        }),
        Some(sum) => {
            let st = sum.stats;
            let what = if p.ip { t("⟨Au, Av⟩ − ⟨u, v⟩") } else { t("R = ‖A(u − v)‖²/‖u − v‖²") };
            out.push(Readout {
                label: what.into(),
                text: tf(
                    "min {} · median {} · max {} · mean {} · sd {}",
                    &[&fmt_sig(st.min, 4), &fmt_sig(st.median, 4), &fmt_sig(st.max, 4), &fmt_sig(st.mean, 4), &fmt_sig(st.sd, 4)],
                ),
                colour: Some(0),
                warn: false,
            });
            if p.matrix == Matrix::Gaussian && !p.ip {
                out.push(Readout {
                    label: t("Theory").into(),
                    text: tf("R ~ χ²ₖ/k: mean 1, sd √(2/k) = {}", &[&fmt_sig((2.0 / k as f64).sqrt(), 4)]),
                    colour: None,
                    warn: false,
                });
            }
            out.push(Readout {
                label: t("Outside 1 ± ε").into(),
                text: tf("{}% of {} (ε = {})", &[&fmt_sig(100.0 * sum.violated, 3), &pairs_text(s), &fmt_sig(p.eps, 3)]),
                colour: None,
                warn: sum.violated > 0.0,
            });
        }
    }
    if s.scan_done {
        out.push(Readout {
            label: t("Empirical k").into(),
            text: match s.k_emp {
                Some(ke) => tf("k = {} already keeps every pair within 1 ± ε on this data (scanned k = 1…{})", &[&ke, &k]),
                None => tf("no k ≤ {} keeps every pair within 1 ± ε: raise k to search further", &[&k]),
            },
            colour: Some(1),
            warn: false,
        });
    }
    let b = bounds(p);
    out.push(Readout {
        label: t("Bounds").into(),
        text: b.iter().map(|(name, _, v)| format!("{}: k ≥ {} ({})", t(name), v.ceil(), fmt_sig(*v, 6))).collect::<Vec<_>>().join(" · "),
        colour: None,
        warn: false,
    });
    out.push(Readout {
        label: t("Memory").into(),
        text: tf("{} MB (data in f32, {} rows of A)", &[&fmt_sig(s.proj.bytes() as f64 / 1e6, 3), &s.proj.rows]),
        colour: None,
        warn: false,
    });
    out
}

/// The formula panel: the distortion band and the four bounds with live numbers.
pub fn formulas(p: &Params, s: &State) -> Vec<Formula> {
    let lnn = "<mi>ln</mi><mo>⁡</mo><mi>N</mi>";
    let de =
        frac("<msup><mi>ε</mi><mn>2</mn></msup>", "<mn>2</mn>") + "<mo>−</mo>" + &frac("<msup><mi>ε</mi><mn>3</mn></msup>", "<mn>3</mn>");
    let b = bounds(p);
    let row = |lhs: String, v: f64| format!("<mrow><mi>k</mi><mo>≥</mo>{lhs}<mo>=</mo>{}<mo>→</mo><mn>{}</mn></mrow>", n(v), v.ceil());
    let mut out = Vec::new();
    out.push(Formula::Rule {
        key: "distortion",
        title: t("Distortion").to_string(),
        mathml: lines(&[format!(
            "<mrow><mo>(</mo><mn>1</mn><mo>−</mo><mi>ε</mi><mo>)</mo><msup><mrow><mo>‖</mo><mi>u</mi><mo>−</mo><mi>v</mi><mo>‖</mo></mrow><mn>2</mn></msup><mo>≤</mo><msup><mrow><mo>‖</mo><mi>A</mi><mi>u</mi><mo>−</mo><mi>A</mi><mi>v</mi><mo>‖</mo></mrow><mn>2</mn></msup><mo>≤</mo><mo>(</mo><mn>1</mn><mo>+</mo><mi>ε</mi><mo>)</mo><msup><mrow><mo>‖</mo><mi>u</mi><mo>−</mo><mi>v</mi><mo>‖</mo></mrow><mn>2</mn></msup><mo>,</mo><mspace width=\"1em\"/><mi>ε</mi><mo>=</mo>{}</mrow>",
            n(p.eps)
        )]),
    });
    out.push(Formula::Rule {
        key: "bounds",
        title: t("Bounds (rounded up: a guarantee needs the ceiling)").to_string(),
        mathml: lines(&[
            row(frac(&format!("<mn>4</mn>{lnn}"), &de), b[0].2),
            row(frac(&format!("<mn>24</mn>{lnn}"), "<msup><mi>ε</mi><mn>2</mn></msup>"), b[1].2),
            row(frac(&format!("<mn>16</mn>{lnn}"), "<msup><mi>ε</mi><mn>2</mn></msup>"), b[2].2),
            row(frac(&format!("<mo>(</mo><mn>4</mn><mo>+</mo><mn>2</mn><mi>β</mi><mo>)</mo>{lnn}"), &de), b[3].2),
            format!("<mrow><mi>N</mi><mo>=</mo>{}<mo>,</mo><mspace width=\"1em\"/><mi>β</mi><mo>=</mo>{}</mrow>", n(p.n), n(p.beta)),
        ]),
    });
    out.push(Formula::Note(tf(
            "scikit-learn's johnson_lindenstrauss_min_dim and linfa truncate the Dasgupta–Gupta bound to an integer ({} here), one below the guarantee. The bounds do not depend on d. Statistics use {}.",
            &[&b[0].2.floor(), &pairs_text(s)]
    )));
    out
}

/// One row per used pair; JSON adds the bounds, the statistics and the empirical k.
pub fn data(p: &Params, s: &State) -> Table {
    let mut t = Table::with_columns(["i", "j", "orig_sq", "proj_sq", "ratio"]);
    let k = p.k_used().min(s.proj.rows).max(1);
    let c = s.proj.matrix.scale(s.proj.d) / k as f64;
    for (pi, (&(sq, _), &(osq, _))) in s.sums.iter().zip(&s.proj.orig).enumerate() {
        let (i, j) = s.proj.pairs[pi];
        let ratio = if osq > 0.0 { fmt_num(c * sq / osq) } else { String::new() };
        t.rows.push(vec![i.to_string(), j.to_string(), fmt_num(osq), fmt_num(c * sq), ratio]);
    }
    for (_, key, v) in bounds(p) {
        t.put(key, Json::Num(v));
    }
    for (_, key, v) in bounds(p) {
        t.put(format!("{key}_ceil"), Json::Num(v.ceil()));
    }
    // Ratio statistics (of the squared distances, whatever the view shows), once computed.
    if s.summary.is_some() {
        let mut r: Vec<f64> = s.sums.iter().zip(&s.proj.orig).filter(|(_, o)| o.0 > 0.0).map(|(v, o)| c * v.0 / o.0).collect();
        let viol = r.iter().filter(|x| (*x - 1.0).abs() > p.eps).count() as f64 / r.len().max(1) as f64;
        let st = jl::stats(&mut r);
        for (key, v) in
            [("min", st.min), ("median", st.median), ("max", st.max), ("mean", st.mean), ("sd", st.sd), ("violated_fraction", viol)]
        {
            t.put(key, Json::Num(v));
        }
    }
    t.put("pairs", Json::Num(s.proj.pairs.len() as f64));
    t.put("k", Json::Num(k as f64));
    t.put("k_empirical", Json::opt(s.k_emp.map(|k| k as f64)));
    t
}


/// Simplified Chinese for the strings only this lab uses (shared ones are in the shell's table).
pub const ZH: crate::i18n::Table = &[
    ("10 clusters", "10 个簇"),
    ("Achlioptas confidence β", "Achlioptas 置信参数 β"),
    ("Achlioptas sparse {+1, 0, −1}·√(3/k)", "Achlioptas 稀疏 {+1, 0, −1}·√(3/k)"),
    ("Bounds", "界"),
    ("Bounds (rounded up: a guarantee needs the ceiling)", "界（向上取整：保证需要上取整）"),
    ("Distortion", "失真"),
    ("Distortion of pairwise squared distances under a random projection, and projected against original distances", "随机投影下成对平方距离的失真，以及投影后与原始距离的对比"),
    ("Distortion shrinks like 1/√k", "失真按 1/√k 缩小"),
    ("Empirical k", "经验 k"),
    ("Gaussian N(0, 1/k)", "高斯 N(0, 1/k)"),
    ("Inner products of unit vectors", "单位向量的内积"),
    ("Johnson–Lindenstrauss: random projections", "Johnson–Lindenstrauss：随机投影"),
    ("Left: the histogram of the distortion R = ‖A(u − v)‖²/‖u − v‖² over the pairs, with the band 1 ± ε and, for Gaussian matrices, the exact χ²ₖ/k density. Right: projected against original squared distances. Below: the k the bounds require for the chosen ε as N grows, the current k (horizontal line) and the smallest k that kept every pair within ε on this data (dot). Change d: the histogram does not care.", "左：各点对失真 R = ‖A(u − v)‖²/‖u − v‖² 的直方图，带 1 ± ε 区间；高斯矩阵时叠加精确的 χ²ₖ/k 密度。右：投影后与原始平方距离的对比。下：给定 ε 时各个界随 N 要求的 k、当前 k（水平线）以及在这组数据上让所有点对都落在 ε 内的最小 k（圆点）。改变 d：直方图毫不在意。"),
    ("Memory", "内存"),
    ("Move the sliders: k, ε and the view reuse every projection already computed.", "拖动滑块：k、ε 和视图会复用已算好的所有投影。"),
    ("Orthogonal projection at k = d is exact", "k = d 时正交投影是精确的"),
    ("Outside 1 ± ε", "超出 1 ± ε"),
    ("Project N points from d to k dimensions with a random matrix: distances are kept to 1 ± ε once k grows like ln N / ε² — whatever d is — and the classical bounds are far more conservative than what the data needs.", "用随机矩阵把 N 个点从 d 维投影到 k 维：只要 k 按 ln N / ε² 增长，距离就保持在 1 ± ε 内——与 d 无关；经典的界比数据实际需要的保守得多。"),
    ("R = ‖A(u − v)‖² / ‖u − v‖²", "R = ‖A(u − v)‖² / ‖u − v‖²"),
    ("R = ‖A(u − v)‖²/‖u − v‖²", "R = ‖A(u − v)‖²/‖u − v‖²"),
    ("R ~ χ²ₖ/k: mean 1, sd √(2/k) = {}", "R ~ χ²ₖ/k：均值 1，标准差 √(2/k) = {}"),
    ("Rademacher ±1/√k", "Rademacher ±1/√k"),
    ("Required target dimension k against the number of points N for the chosen ε: four bounds, the current k and the empirical k", "给定 ε 时所需目标维数 k 随点数 N 的变化：四个界、当前 k 与经验 k"),
    ("The bounds are conservative", "这些界很保守"),
    ("The math-spec case: sd of R ≈ √(2/k) = 0.0816", "数学规格中的例子：R 的标准差 ≈ √(2/k) = 0.0816"),
    ("Theory", "理论"),
    ("Very sparse matrices break on sparse data", "极稀疏矩阵在稀疏数据上失效"),
    ("a uniform sample of {} of the {} pairs", "均匀抽取的 {} 个点对（共 {} 个）"),
    ("all {} pairs", "全部 {} 个点对"),
    ("an orthogonal projection needs k ≤ d: using k = {}", "正交投影需要 k ≤ d：使用 k = {}"),
    ("computing ({}%)", "计算中（{}%）"),
    ("current k = {}", "当前 k = {}"),
    ("density", "密度"),
    ("dimension d", "维数 d"),
    ("distortion ε", "失真 ε"),
    ("empirical k = {}", "经验 k = {}"),
    ("inner products", "内积"),
    ("inner products of unit vectors", "单位向量的内积"),
    ("k = {} already keeps every pair within 1 ± ε on this data (scanned k = 1…{})", "在这组数据上 k = {} 已使所有点对落在 1 ± ε 内（扫描了 k = 1…{}）"),
    ("k does not depend on d", "k 与 d 无关"),
    ("matrix", "矩阵"),
    ("min {} · median {} · max {} · mean {} · sd {}", "最小 {} · 中位数 {} · 最大 {} · 均值 {} · 标准差 {}"),
    ("no k ≤ {} keeps every pair within 1 ± ε: raise k to search further", "没有 k ≤ {} 能使所有点对落在 1 ± ε 内：增大 k 以继续搜索"),
    ("number of points N", "点数 N"),
    ("original", "原始"),
    ("points N", "点数 N"),
    ("projected", "投影后"),
    ("projecting", "投影中"),
    ("projecting… {}%", "投影中… {}%"),
    ("random orthogonal, scaled √(d/k)", "随机正交，缩放 √(d/k)"),
    ("required k for ε = {}", "ε = {} 时所需的 k"),
    ("scikit-learn's johnson_lindenstrauss_min_dim and linfa truncate the Dasgupta–Gupta bound to an integer ({} here), one below the guarantee. The bounds do not depend on d. Statistics use {}.", "scikit-learn 的 johnson_lindenstrauss_min_dim 和 linfa 把 Dasgupta–Gupta 界截断为整数（此处为 {}），比保证值少 1。这些界与 d 无关。统计使用{}。"),
    ("sparse (3 non-zeros, one-hot-like)", "稀疏（3 个非零，类独热）"),
    ("squared distances", "平方距离"),
    ("success probability ≥ 1 − N^(−β)", "成功概率 ≥ 1 − N^(−β)"),
    ("target dimension k", "目标维数 k"),
    ("very sparse (Li et al., s = √d)", "极稀疏（Li 等，s = √d）"),
    ("{} MB (data in f32, {} rows of A)", "{} MB（数据为 f32，A 已算 {} 行）"),
    ("{}% of pairs outside the band", "{}% 的点对超出区间"),
    ("{}% of {} (ε = {})", "{}%，基于{}（ε = {}）"),
    ("χ²ₖ/k density, k = {}", "χ²ₖ/k 密度，k = {}"),
    ("⟨Au, Av⟩ − ⟨u, v⟩", "⟨Au, Av⟩ − ⟨u, v⟩"),
];
