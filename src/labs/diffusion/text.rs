//! The diffusion lab's words: title and texts, the formula panel (the ODE and each sampler's
//! step as MathML), the legend, the data export and the Chinese table.

use super::model::State;
use super::{render, solver_key, solver_label, Params};
use crate::fmt::{fmt_num, fmt_sig};
use crate::lab::{Formula, Json, LabMeta, Readout, Table};
use crate::math::diffusion::Solver;
use crate::mathml::*;

crate::i18n::local!(ZH);

/// Title, texts and captions.
pub const META: LabMeta = LabMeta {
    title: "Diffusion ODE: particles from noise to data",
    tagline: "Noise flows onto the data along dx/dσ = (x − D(x; σ))/σ. With few steps Euler over-smooths, Heun overshoots, and a fitted intermediate time (AMED) fixes both at the same cost.",
    look_at: "The colour is the density p_σ of the target blurred by noise of size σ; the camera zooms in as σ shrinks. Each dot is one particle carried by the probability-flow ODE from Gaussian noise of size σ_max. The two panels run two samplers on the same particles with the same number of denoiser evaluations (NFE); the readouts give each one's mean distance from a fine reference solve. The chart below shows that error against NFE for every sampler. In force-field mode the particles instead follow field lines of point charges at the mixture centres from a heavy-tailed prior high above the data: only the exponent k = d + 1 lands them in proportion to the weights.",
    try_these: &[
        ("Few steps: Heun overshoots, Euler at equal NFE does better", "steps=5&solver=heun&compare=euler"),
        ("AMED-lite: one fitted midpoint per step", "steps=5&solver=amed&compare=heun"),
        ("DPM-Solver-2 is the geometric midpoint", "steps=5&solver=dpm2&compare=midpoint"),
        ("Many steps: every sampler converges", "steps=40&solver=heun&compare=euler"),
        ("8 modes on a ring, 20,000 particles", "target=ring&n=20000&steps=10"),
        ("Force field: only k = 3 keeps the weights", "mode=force&k=3"),
        ("Force field with k = 2: the heavy mode takes too much", "mode=force&k=2"),
    ],
    main_caption: "Particles carried from noise onto a Gaussian-mixture target, over the density p_σ",
    aux_caption: "Mean endpoint error against the number of denoiser evaluations, per sampler (force mode: landing fractions against weights)",
    pointer_hint: "Drag a mixture centre to move it (the target becomes custom).",
    pending_label: "solving",
    zh: TABLES,
};


/// The selected sampler's particles, start and end; JSON adds the NFE and the error (force mode: the landing fractions).
pub fn data(p: &Params, s: &State) -> Table {
    let mut t = Table::with_columns(["particle", "x_start", "y_start", "x_end", "y_end"]);
    let a = &s.runs[0];
    let end = a.positions.last();
    for (i, x0) in s.start.iter().enumerate() {
        let e = end.and_then(|v| v.get(i)).copied().unwrap_or([f64::NAN; 2]);
        t.rows.push(vec![i.to_string(), fmt_num(x0[0]), fmt_num(x0[1]), fmt_num(e[0]), fmt_num(e[1])]);
    }
    if p.force {
        for (i, f) in s.landing().iter().enumerate().take(8) {
            t.put(format!("fraction_{}", i + 1), Json::Num(*f));
        }
    } else {
        t.put("nfe", Json::Num(a.nfe() as f64));
        if let Some(e) = s.error(0) {
            t.put("mean_endpoint_error", Json::Num(e));
            t.put("reference_particles", Json::Num(s.reference.len() as f64));
        }
    }
    t
}

/// The legend: each sampler's steps, NFE and error, AMED-lite's fits, σ.
pub fn readouts(p: &Params, s: &State) -> Vec<Readout> {
    let mut out = Vec::new();
    if p.force {
        let m = &s.mix;
        let f = s.landing();
        if s.runs[0].complete() {
            let text = m
                .comps
                .iter()
                .zip(&f)
                .take(8)
                .map(|(c, f)| format!("{} → {}", fmt_sig(c.w, 3), fmt_sig(*f, 3)))
                .collect::<Vec<_>>()
                .join(" · ");
            out.push(Readout { label: t("Weights → landing fractions").into(), text, colour: Some(0), warn: false });
        }
        let ok = (p.k - 3.0).abs() < 1e-9;
        out.push(Readout {
            label: t("Exponent").into(),
            text: if ok {
                t("k = d + 1 = 3: the field is divergence-free, so fractions match the weights").into()
            } else {
                tf("k = {} ≠ d + 1 = 3: the fractions do not match the weights", &[&fmt_sig(p.k, 3)])
            },
            colour: None,
            warn: !ok,
        });
        return out;
    }
    for (i, r) in s.runs.iter().enumerate() {
        let err = match s.error(i) {
            Some(e) => tf("mean endpoint error {} (vs a fine RK4 solve of the first {} particles)", &[&fmt_sig(e, 3), &s.reference.len()]),
            None => tf("reference solve {}%", &[&format!("{:.0}", 100.0 * s.reference_progress())]),
        };
        out.push(Readout {
            label: t(solver_label(r.solver)).into(),
            text: format!("{} · {} · {err}", tf("{} steps", &[&r.steps]), tf("NFE {}", &[&r.nfe()])),
            colour: Some(render::colour_index(r.solver)),
            warn: false,
        });
        if r.solver == Solver::Amed && !r.amed.is_empty() {
            let fits = r.amed.iter().map(|(a, c)| format!("({}, {})", fmt_sig(*a, 2), fmt_sig(*c, 3))).collect::<Vec<_>>().join(" ");
            out.push(Readout {
                label: t("AMED-lite (r, c) per step").into(),
                text: fits,
                colour: Some(render::colour_index(r.solver)),
                warn: false,
            });
        }
    }
    let sigma = s.sigma_now(p);
    out.push(Readout { label: "σ".into(), text: fmt_sig(sigma, 4), colour: None, warn: false });
    out
}

/// The formula panel: the ODE (or the force field) and each shown sampler's step.
pub fn formulas(p: &Params, s: &State) -> Vec<Formula> {
    let mut out = Vec::new();
    if p.force {
        out.push(Formula::Rule {
            key: "force",
            title: t("Force field").to_string(),
            mathml: lines(&[
                format!("<mrow><mi>F</mi><mo>(</mo><mi>x</mi><mo>,</mo><mi>t</mi><mo>)</mo><mo>∝</mo><munder><mo>∑</mo><mi>i</mi></munder><msub><mi>w</mi><mi>i</mi></msub>{}<mo>,</mo><mspace width=\"1em\"/><mi>k</mi><mo>=</mo>{}</mrow>", frac("<mo>(</mo><mi>x</mi><mo>−</mo><msub><mi>y</mi><mi>i</mi></msub><mo>,</mo><mi>t</mi><mo>)</mo>", "<msup><mrow><mo>(</mo><msup><mrow><mo>‖</mo><mi>x</mi><mo>−</mo><msub><mi>y</mi><mi>i</mi></msub><mo>‖</mo></mrow><mn>2</mn></msup><mo>+</mo><msup><mi>t</mi><mn>2</mn></msup><mo>)</mo></mrow><mrow><mi>k</mi><mo>/</mo><mn>2</mn></mrow></msup>"), n(p.k)),
                format!("<mrow>{}<mo>=</mo>{}<mo>,</mo><mspace width=\"1em\"/><mi>x</mi><mo>=</mo><mi>T</mi><msub><mi>ε</mi><mi>x</mi></msub><mo>/</mo><mo>|</mo><msub><mi>ε</mi><mi>t</mi></msub><mo>|</mo><mo>,</mo><mspace width=\"1em\"/><mi>T</mi><mo>=</mo>{}</mrow>", frac("<mi>d</mi><mi>x</mi>", "<mi>d</mi><mi>t</mi>"), frac("<msub><mi>F</mi><mi>x</mi></msub>", "<msub><mi>F</mi><mi>t</mi></msub>"), n(p.t_plane)),
            ]),
        });
        return out;
    }
    let d = "<mi>D</mi><mo>(</mo><mi>x</mi><mo>;</mo><mi>σ</mi><mo>)</mo>";
    out.push(Formula::Rule {
        key: "ode",
        title: t("Probability-flow ODE").to_string(),
        mathml: lines(&[
            assign(&frac("<mi>d</mi><mi>x</mi>", "<mi>d</mi><mi>σ</mi>"), &frac(&format!("<mi>x</mi><mo>−</mo>{d}"), "<mi>σ</mi>")),
            assign(d, &format!("<munder><mo>∑</mo><mi>k</mi></munder><msub><mi>γ</mi><mi>k</mi></msub><mo>[</mo><msub><mi>μ</mi><mi>k</mi></msub><mo>+</mo>{}<mo>(</mo><mi>x</mi><mo>−</mo><msub><mi>μ</mi><mi>k</mi></msub><mo>)</mo><mo>]</mo>", frac("<msubsup><mi>s</mi><mi>k</mi><mn>2</mn></msubsup>", "<msubsup><mi>s</mi><mi>k</mi><mn>2</mn></msubsup><mo>+</mo><msup><mi>σ</mi><mn>2</mn></msup>"))),
            format!(
                "<mrow><msub><mi>t</mi><mi>i</mi></msub><mo>=</mo><msup><mrow><mo>(</mo><msubsup><mi>σ</mi><mi>max</mi><mrow><mn>1</mn><mo>/</mo><mi>ρ</mi></mrow></msubsup><mo>+</mo><mfrac><mi>i</mi><mi>N</mi></mfrac><mo>(</mo><msubsup><mi>σ</mi><mi>min</mi><mrow><mn>1</mn><mo>/</mo><mi>ρ</mi></mrow></msubsup><mo>−</mo><msubsup><mi>σ</mi><mi>max</mi><mrow><mn>1</mn><mo>/</mo><mi>ρ</mi></mrow></msubsup><mo>)</mo><mo>)</mo></mrow><mi>ρ</mi></msup><mo>:</mo><mspace width=\"0.5em\"/>{}</mrow>",
                s.runs[0].sched.iter().take(8).map(|v| n(*v)).collect::<Vec<_>>().join("<mo>,</mo>")
            ),
        ]),
    });
    for r in &s.runs {
        let body = solver_mathml(r.solver);
        out.push(Formula::Rule { key: solver_key(r.solver), title: t(solver_label(r.solver)).to_string(), mathml: body });
    }
    out
}

/// One step of a sampler from t_i to t_{i+1} (h = t_{i+1} − t_i) as MathML, with v(x, t) = (x − D(x; t))/t.
fn solver_mathml(solver: Solver) -> String {
    let idx = |k: &str| match k {
        "i" => "<mi>i</mi>".to_string(),
        _ => "<mrow><mi>i</mi><mo>+</mo><mn>1</mn></mrow>".to_string(),
    };
    let x = |k: &str| sub(&i("x"), &idx(k));
    let tt = |k: &str| sub(&i("t"), &idx(k));
    let v = |at: &str, time: &str| format!("<mi>v</mi><mo>(</mo>{at}<mo>,</mo>{time}<mo>)</mo>");
    let v0 = v(&x("i"), &tt("i"));
    let h = "<mi>h</mi>";
    let note = |text: &str| format!("<mrow><mtext>{text}</mtext></mrow>");
    let hdef = format!("<mrow><mi>h</mi><mo>=</mo>{}<mo>−</mo>{}</mrow>", tt("next"), tt("i"));
    let mid = |tm: String, xm: String| {
        vec![
            assign("<msub><mi>t</mi><mtext>mid</mtext></msub>", &tm),
            assign(
                "<msub><mi>x</mi><mtext>mid</mtext></msub>",
                &format!("{}<mo>+</mo><mo>(</mo><msub><mi>t</mi><mtext>mid</mtext></msub><mo>−</mo>{}<mo>)</mo>{v0}", x("i"), tt("i")),
            ),
            assign(&x("next"), &format!("{}<mo>+</mo>{}{}", x("i"), if xm.is_empty() { h.to_string() } else { xm }, v("<msub><mi>x</mi><mtext>mid</mtext></msub>", "<msub><mi>t</mi><mtext>mid</mtext></msub>"))),
        ]
    };
    let rows: Vec<String> = match solver {
        Solver::Euler => vec![
            assign(&x("next"), &format!("{}<mo>+</mo>{h}{v0}", x("i"))),
            hdef,
            note(t("one evaluation per step; identical to deterministic DDIM (η = 0)")),
        ],
        Solver::Heun => vec![
            assign("<mover><mi>x</mi><mo>~</mo></mover>", &format!("{}<mo>+</mo>{h}{v0}", x("i"))),
            assign(
                &x("next"),
                &format!("{}<mo>+</mo>{}<mo>(</mo>{v0}<mo>+</mo>{}<mo>)</mo>", x("i"), frac(h, "<mn>2</mn>"), v("<mover><mi>x</mi><mo>~</mo></mover>", &tt("next"))),
            ),
            hdef,
            note(t("two evaluations per step")),
        ],
        Solver::Midpoint => {
            let mut r = mid(frac(&format!("{}<mo>+</mo>{}", tt("i"), tt("next")), "<mn>2</mn>"), String::new());
            r.push(hdef);
            r
        }
        Solver::Dpm2 => {
            let mut r = mid(format!("<msqrt>{}<mo>⁢</mo>{}</msqrt>", tt("i"), tt("next")), String::new());
            r.push(note(t("the midpoint at the geometric mean of the two times (DPM-Solver-2)")));
            r
        }
        Solver::Amed => {
            let mut r = mid(
                "<msubsup><mi>t</mi><mrow><mi>i</mi><mo>+</mo><mn>1</mn></mrow><mi>r</mi></msubsup><mo>⁢</mo><msubsup><mi>t</mi><mi>i</mi><mrow><mn>1</mn><mo>−</mo><mi>r</mi></mrow></msubsup>".to_string(),
                format!("<mi>c</mi><mo>⁢</mo>{h}"),
            );
            r.push(note(t("(r, c) fitted per step by least squares to a fine solve (100 particles)")));
            r
        }
    };
    lines(&rows)
}

/// Simplified Chinese for the strings only this lab uses (shared ones are in the shell's table).
pub const ZH: crate::i18n::Table = &[
    ("one evaluation per step; identical to deterministic DDIM (η = 0)", "每步一次调用；与确定性 DDIM（η = 0）完全相同"),
    ("two evaluations per step", "每步两次调用"),
    ("the midpoint at the geometric mean of the two times (DPM-Solver-2)", "在两个时刻的几何平均处取中点（DPM-Solver-2）"),
    ("(r, c) fitted per step by least squares to a fine solve (100 particles)", "(r, c) 每步用最小二乘拟合到精细解（100 个粒子）"),
    ("3 modes", "3 个峰"),
    ("5×5 grid", "5×5 网格"),
    ("8 modes on a ring, 20,000 particles", "环上 8 个峰，20,000 个粒子"),
    ("8 on a ring", "环上 8 个"),
    ("AMED-lite", "AMED-lite"),
    ("AMED-lite (r, c) per step", "AMED-lite 每步的 (r, c)"),
    ("AMED-lite: one fitted midpoint per step", "AMED-lite：每步一个拟合的中间点"),
    ("DPM-Solver-2", "DPM-Solver-2"),
    ("DPM-Solver-2 is the geometric midpoint", "DPM-Solver-2 就是几何中点"),
    ("Diffusion ODE: particles from noise to data", "扩散 ODE：粒子从噪声流向数据"),
    ("Drag a mixture centre to move it (the target becomes custom).", "拖动混合分量的中心来移动它（目标变为自定义）。"),
    ("Euler (= DDIM, η = 0)", "Euler（= DDIM，η = 0）"),
    ("Exponent", "指数"),
    ("F ∝ (x − y, t)/Rᵏ; only k = d + 1 = 3 works", "F ∝ (x − y, t)/Rᵏ；只有 k = d + 1 = 3 可行"),
    ("Few steps: Heun overshoots, Euler at equal NFE does better", "步数少时：Heun 过冲，同等 NFE 下 Euler 更好"),
    ("Force field", "力场"),
    ("Force field with k = 2: the heavy mode takes too much", "k = 2 的力场：重的峰拿走太多"),
    ("Force field: only k = 3 keeps the weights", "力场：只有 k = 3 保持权重"),
    ("Heun", "Heun"),
    ("Many steps: every sampler converges", "步数多时：所有采样器都收敛"),
    ("Mean endpoint error against the number of denoiser evaluations, per sampler (force mode: landing fractions against weights)", "各采样器的平均终点误差随去噪器调用次数的变化（力场模式：落点比例与权重对比）"),
    ("NFE (denoiser evaluations)", "NFE（去噪器调用次数）"),
    ("NFE {}", "NFE {}"),
    ("Noise flows onto the data along dx/dσ = (x − D(x; σ))/σ. With few steps Euler over-smooths, Heun overshoots, and a fitted intermediate time (AMED) fixes both at the same cost.", "噪声沿 dx/dσ = (x − D(x; σ))/σ 流向数据。步数少时 Euler 过度平滑、Heun 过冲，拟合的中间时刻（AMED）以相同代价修正两者。"),
    ("Particles carried from noise onto a Gaussian-mixture target, over the density p_σ", "粒子从噪声被带到高斯混合目标上，背景为密度 p_σ"),
    ("Probability-flow ODE", "概率流 ODE"),
    ("Sampler", "采样器"),
    ("The colour is the density p_σ of the target blurred by noise of size σ; the camera zooms in as σ shrinks. Each dot is one particle carried by the probability-flow ODE from Gaussian noise of size σ_max. The two panels run two samplers on the same particles with the same number of denoiser evaluations (NFE); the readouts give each one's mean distance from a fine reference solve. The chart below shows that error against NFE for every sampler. In force-field mode the particles instead follow field lines of point charges at the mixture centres from a heavy-tailed prior high above the data: only the exponent k = d + 1 lands them in proportion to the weights.", "颜色是目标被大小为 σ 的噪声模糊后的密度 p_σ；随着 σ 变小镜头拉近。每个点是一个粒子，由概率流 ODE 从大小为 σ_max 的高斯噪声带出。两幅图在同样的粒子上、以相同的去噪器调用次数（NFE）运行两个采样器；读数给出各自与精细参考解的平均距离。下方图表给出每个采样器的该误差随 NFE 的变化。力场模式下，粒子改为从数据上方的重尾先验出发，沿位于混合中心的点电荷的场线运动：只有指数 k = d + 1 才使落点比例等于权重。"),
    ("Weights → landing fractions", "权重 → 落点比例"),
    ("charge (mixture component)", "电荷（混合分量）"),
    ("compare with (same NFE)", "对比（相同 NFE）"),
    ("component {}: four numbers w,mx,my,s", "第 {} 个分量：需要四个数 w,mx,my,s"),
    ("component {}: weight and width must be positive, centres within ±50", "第 {} 个分量：权重和宽度须为正，中心在 ±50 内"),
    ("computing the curves…", "正在计算曲线…"),
    ("custom (mix)", "自定义（mix）"),
    ("diffusion ODE", "扩散 ODE"),
    ("drag a centre on the plot to edit", "在图上拖动中心来编辑"),
    ("exponent k", "指数 k"),
    ("force field (Poisson flow)", "力场（泊松流）"),
    ("force field, k = {} · t = {}", "力场，k = {} · t = {}"),
    ("give 1 to 64 components w,mx,my,s separated by ';' ({} given)", "请给出 1 到 64 个以“;”分隔的分量 w,mx,my,s（给了 {} 个）"),
    ("k = d + 1 = 3: the field is divergence-free, so fractions match the weights", "k = d + 1 = 3：场无散，因此比例与权重一致"),
    ("k = {} ≠ d + 1 = 3: the fractions do not match the weights", "k = {} ≠ d + 1 = 3：比例与权重不一致"),
    ("landing fraction", "落点比例"),
    ("mean endpoint error", "平均终点误差"),
    ("mean endpoint error {} (vs a fine RK4 solve of the first {} particles)", "平均终点误差 {}（对比前 {} 个粒子的精细 RK4 解）"),
    ("midpoint", "中点法"),
    ("mixture w,mx,my,s; …", "混合 w,mx,my,s; …"),
    ("mode", "模式"),
    ("particles", "粒子数"),
    ("prior plane height T", "先验平面高度 T"),
    ("reference solve {}%", "参考解 {}%"),
    ("solver", "求解器"),
    ("solving", "求解中"),
    ("spiral", "螺旋"),
    ("steps N", "步数 N"),
    ("two moons", "双月"),
    ("weight", "权重"),
    ("weight / landing fraction", "权重 / 落点比例"),
    ("{} steps", "{} 步"),
    ("{} · {} steps · NFE {} · σ = {}", "{} · {} 步 · NFE {} · σ = {}"),
    ("ρ", "ρ"),
    ("σ_max", "σ_max"),
    ("σ_min", "σ_min"),
];
