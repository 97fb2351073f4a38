//! The Gaussians lab through its public surface (URL → CLI JSON, readouts, pointer) against the
//! golden values of `scripts/golden/gaussians.py` (`tests/golden/gaussians_reference.json`, numpy
//! and scipy with generic sqrtm/expm/solvers) and against the math module it is built on.
use flowlab::cli;
use flowlab::fmt::fmt_num;
use flowlab::lab::{parse_query, DynLab, Instance};
use flowlab::labs::gaussians::{model, Gaussians};
use flowlab::math::gaussian::{self as g, ClassSpec, Gaussian};
use serde_json::Value;

const REL: f64 = 1e-9;

fn golden() -> Value {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden/gaussians_reference.json")).expect("golden file");
    serde_json::from_str(&text).expect("valid JSON")
}

fn num(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

fn flat(v: &Value) -> Vec<f64> {
    match v {
        Value::Array(a) => a.iter().flat_map(flat).collect(),
        x => vec![num(x)],
    }
}

/// Relative per entry, with entries far below their vector's size held to 1e-15 of that size.
fn close(got: &[f64], want: &[f64], what: &str) {
    assert_eq!(got.len(), want.len(), "{what}: {got:?} vs {want:?}");
    let scale = want.iter().fold(0.0f64, |a, w| a.max(w.abs()));
    for (a, b) in got.iter().zip(want) {
        let d = (a - b).abs() / b.abs().max(1e-6 * scale).max(1e-300);
        assert!(d <= REL, "{what}: {got:?} vs {want:?} (relative {d:.1e})");
    }
}

fn json(q: &str) -> Value {
    let out =
        cli::run(&["data".into(), format!("lab=gaussians&{q}"), "--format".into(), "json".into()]).unwrap_or_else(|e| panic!("{q}: {e:?}"));
    assert!(out.warnings.is_empty(), "{q}: {:?}", out.warnings);
    serde_json::from_str(&out.body).expect("JSON")
}

fn lab(q: &str) -> Instance<Gaussians> {
    let mut l = Instance::<Gaussians>::default();
    let notes = l.apply_query(&parse_query(q));
    assert!(notes.is_empty(), "{q}: {notes:?}");
    l.finish();
    l
}

/// A Gaussian of the golden file.
fn gaussian(spec: &Value) -> Gaussian {
    let dim = spec["dim"].as_u64().unwrap() as usize;
    let m = flat(&spec["mean"]);
    let mean = [m[0], m.get(1).copied().unwrap_or(0.0)];
    if spec.get("cov").is_some() {
        let c = flat(&spec["cov"]);
        let cov = if dim == 1 { [[c[0], 0.0], [0.0, 1.0]] } else { [[c[0], c[1]], [c[2], c[3]]] };
        Gaussian::from_cov(dim, mean, cov).unwrap()
    } else {
        let sd = flat(&spec["sd"]);
        Gaussian::from_axes(dim, mean, [sd[0], sd.get(1).copied().unwrap_or(1.0)], num(&spec["ang"])).unwrap()
    }
}

/// The URL keys of a Gaussian (as p or q), or None when it lies outside the controls' ranges.
fn keys(gs: &Gaussian, name: &str) -> Option<String> {
    let (m, sd, a) = (gs.mean(), gs.sd(), gs.angle_deg());
    let ok = m.iter().all(|v| v.abs() <= 5.0) && sd[..gs.dim()].iter().all(|v| (0.05..=5.0).contains(v));
    let sd1 = if gs.dim() == 1 { 1.0 } else { sd[1] };
    ok.then(|| {
        format!("mu_{name}={},{}&sd_{name}={},{}&ang_{name}={}", fmt_num(m[0]), fmt_num(m[1]), fmt_num(sd[0]), fmt_num(sd1), fmt_num(a))
    })
}

#[test]
fn divergence_json_matches_the_reference_cases() {
    let j = golden();
    let mut used = 0;
    for c in j["divergence"].as_array().unwrap() {
        let (p, q) = (gaussian(&c["p"]), gaussian(&c["q"]));
        let (Some(kp), Some(kq)) = (keys(&p, "p"), keys(&q, "q")) else { continue };
        let query = format!("dim={}&{kp}&{kq}", p.dim());
        let v = json(&query);
        let name = c["name"].as_str().unwrap();
        for k in ["kl_pq", "kl_qp", "bd", "hellinger2", "w2_sq"] {
            close(&[num(&v[k])], &[num(&c[k])], &format!("{name} {k}"));
        }
        close(&flat(&v["ot_map"]), &flat(&c["ot_map"]), &format!("{name} ot_map"));
        assert_eq!(v["ot_map"].as_array().unwrap().len(), p.dim(), "{name}: ot_map is dim × dim");
        used += 1;
    }
    assert!(used >= 6, "only {used} reference cases fit the controls");
}

#[test]
fn the_default_page_is_the_spec_case_w3_t1_a() {
    let v = json("");
    assert_eq!(v["mode"], "divergence");
    close(
        &[num(&v["kl_pq"]), num(&v["kl_qp"]), num(&v["bd"]), num(&v["hellinger2"]), num(&v["w2_sq"])],
        &[0.5, 0.75, 0.1422248512, 0.1325738072, 1.2573593129],
        "W3-T1 A",
    );
}

#[test]
fn flow_json_matches_the_reference_closed_form() {
    let j = golden();
    let mut used = 0;
    for c in j["flow"].as_array().unwrap() {
        let (p, q) = (gaussian(&c["target"]), gaussian(&c["init"]));
        if p.dim() != 2 {
            continue;
        }
        let (Some(kp), Some(kq)) = (keys(&p, "p"), keys(&q, "q")) else { continue };
        for tc in c["times"].as_array().unwrap() {
            let t = num(&tc["t"]);
            if t > 5.0 {
                continue;
            }
            // Few particles: the JSON's m, c and kl are the closed form, whatever the particles do.
            let v = json(&format!("mode=flow&{kp}&{kq}&t={}&n=100", fmt_num(t)));
            let name = format!("{} t = {t}", c["name"]);
            close(&flat(&v["m"]), &flat(&tc["m"]), &format!("{name} m"));
            close(&flat(&v["c"]), &flat(&tc["c"]), &format!("{name} c"));
            close(&[num(&v["kl"])], &[num(&tc["kl"])], &format!("{name} kl"));
            used += 1;
        }
    }
    assert!(used >= 4, "{used}");
    // The flow's defaults are the spec's W3-T4 case: t = 1.
    let v = json("mode=flow");
    close(&[num(&v["kl"])], &[0.7571686036], "W3-T4 default");
    close(&flat(&v["m"]), &[0.4200500617, 0.4779030449], "W3-T4 m");
}

#[test]
fn simplex_json_matches_the_reference_runs() {
    let j = golden();
    let mut used = 0;
    for r in j["simplex"].as_array().unwrap() {
        let o = &r["objective"];
        let kind = o["kind"].as_str().unwrap();
        let x = flat(if kind == "kl" { &o["logits"] } else { &o["x"] });
        if x.len() != 3 {
            continue;
        }
        let method = r["method"].as_str().unwrap();
        let mut q =
            format!("mode=simplex&objective={kind}&x={}&method={method}", x.iter().map(|v| fmt_num(*v)).collect::<Vec<_>>().join(","));
        if method != "fw_2t" {
            q += &format!("&eta={}", fmt_num(num(&r["eta"])));
        }
        if kind == "entropy" {
            q += &format!("&tau={}", fmt_num(num(&o["tau"])));
        }
        for it in r["iterates"].as_array().unwrap() {
            let k = it["steps"].as_u64().unwrap();
            if k == 0 {
                continue;
            }
            let v = json(&format!("{q}&steps={k}"));
            close(&flat(&v["p"]), &flat(&it["p"]), &format!("{q} p after {k}"));
            let (f, want) = (num(&v["f"]), num(&it["f"]));
            assert!((f - want).abs() <= 1e-15 || (f - want).abs() <= REL * want.abs(), "{q}: F {f} vs {want}");
            close(&[num(&v["f_star"])], &[num(&r["f_star"])], &format!("{q} F*"));
            used += 1;
        }
    }
    assert!(used >= 100, "{used}");
    // W3-T11 at the defaults: fixed-step Frank–Wolfe keeps 1.168e-5 on the wrong vertex.
    let v = json("mode=simplex");
    close(&flat(&v["p"]), &[0.7368975258, 0.2630907899, 1.168422208e-5], "W3-T11");
    close(&[num(&v["f"]), num(&v["f_star"])], &[1.1253722543, 1.125], "W3-T11 F");
}

#[test]
fn classify_json_is_the_math_on_the_lab_sample_and_the_script_is_shrunk() {
    for q in ["", "&n=500&unequal=1&seed=7", "&delta=2,0.5&sd=0.5,1.5&ang=100&p1=0.8&n=60"] {
        let v = json(&format!("mode=classify{q}"));
        let l = lab(&format!("mode=classify{q}"));
        let p = l.params();
        let spec = ClassSpec { delta: p.delta, sd: p.sd, ang_deg: p.ang, unequal: p.unequal, p1: p.p1 };
        let fits = g::fit_classifiers(&g::sample_classes(&spec, p.n as usize, p.seed as u64).unwrap()).unwrap();
        for (k, f) in [("post", fits.post), ("script", fits.script), ("mle", fits.mle.fit)] {
            assert_eq!(flat(&v[format!("w_{k}")]), f.w.to_vec(), "{q} w_{k}");
            assert_eq!(num(&v[format!("b_{k}")]), f.b, "{q} b_{k}");
        }
        // Same direction, |w| shrunk by exactly 1/(1 + p₀p₁D²) (W3-T9's identity, on this sample).
        let (wp, ws) = (flat(&v["w_post"]), flat(&v["w_script"]));
        let cross = wp[0] * ws[1] - wp[1] * ws[0];
        assert!(cross.abs() <= 1e-12 * wp[0].hypot(wp[1]) * ws[0].hypot(ws[1]), "{q}: parallel");
        close(&[ws[0].hypot(ws[1]) / wp[0].hypot(wp[1])], &[fits.stats.shrink().unwrap()], &format!("{q} shrink"));
    }
}

#[test]
fn the_chunked_learning_curve_is_the_math_modules_curve() {
    let l = lab("mode=classify&n=40&seed=3");
    let p = l.params();
    let spec = model::class_spec(p);
    let want = g::learning_curve(&spec, &model::CURVE_NS, model::REPEATS, 3).unwrap();
    let t = l.data();
    let get = |k: &str| t.summary.iter().find(|(key, _)| key == k).map(|(_, v)| format!("{v:?}")).unwrap_or_default();
    let v = json("mode=classify&n=40&seed=3");
    for (k, m) in ["post", "script", "mle"].iter().enumerate() {
        let acc = flat(&v[format!("curve_acc_{m}")]);
        let nll = flat(&v[format!("curve_nll_{m}")]);
        assert_eq!(acc, want.iter().map(|c| c.acc[k]).collect::<Vec<_>>(), "{m} accuracy: {}", get("curve_n"));
        assert_eq!(nll, want.iter().map(|c| c.nll[k]).collect::<Vec<_>>(), "{m} NLL");
    }
    // Few-shot: at n = 20 the closed forms have the lower test NLL (the post's claim).
    let i = model::CURVE_NS.iter().position(|&n| n == 20).unwrap();
    assert!(want[i].nll[0] < want[i].nll[2], "{:?}", want[i]);
    // Changing n keeps the cached curve (it does not depend on n): no background work left.
    let mut l = lab("mode=classify");
    assert!(l.pending().is_none());
    l.set_text("n", "33").unwrap();
    assert!(l.pending().is_none(), "the curve is kept across n");
    l.set_text("p1", "0.5").unwrap();
    assert!(l.pending().is_some(), "a new model starts a new curve");
}

#[test]
fn dragging_an_axis_handle_changes_the_shape_and_the_numbers() {
    let mut l = lab("");
    let before = l.data().summary.clone();
    // q's first axis handle sits at μ_q + sd₁·(1, 0) = (1 + √2, 0): drag it up and out.
    assert!(l.pointer(1.0 + 2f64.sqrt(), 0.0));
    // A drag is many small moves; each grabs the nearest handle, which is the one being dragged.
    for k in 1..=10 {
        let f = k as f64 / 10.0;
        assert!(l.pointer(1.0 + 2f64.sqrt() + f * (1.5 - 2f64.sqrt()), 1.5 * f));
    }
    let p = l.params();
    assert!((p.sd_q[0] - 1.5f64.hypot(1.5)).abs() < 1e-3 && (p.ang_q - 45.0).abs() < 1e-3, "{p:?}");
    assert_eq!(p.mu_q, [1.0, 0.0]);
    assert_ne!(l.data().summary, before);
    // The centre of p follows the pointer.
    assert!(l.pointer(0.2, -0.1));
    for k in 1..=10 {
        let f = k as f64 / 10.0;
        assert!(l.pointer(0.2 - 1.2 * f, -0.1 + 1.1 * f));
    }
    assert_eq!(l.params().mu_p, [-1.0, 1.0]);
    // Far from every handle nothing moves.
    assert!(!l.pointer(-5.5, -5.5));
    // AΣ_pA = Σ_q for the dragged pair.
    let v: Value = serde_json::from_str(&flowlab::lab::to_json(&l, "")).unwrap();
    let a = flat(&v["ot_map"]);
    let (sp, sq) = (flat(&v["cov_p"]), flat(&v["cov_q"]));
    let m =
        |x: &[f64], y: &[f64]| [x[0] * y[0] + x[1] * y[2], x[0] * y[1] + x[1] * y[3], x[2] * y[0] + x[3] * y[2], x[2] * y[1] + x[3] * y[3]];
    let asa = m(&m(&a, &sp), &a);
    close(&asa, &sq, "AΣpA = Σq");
}

#[test]
fn unstable_langevin_and_far_points_are_reported_not_drawn() {
    // dt ≥ 2λ_min(Σ*) = 2·0.05²: Euler–Maruyama diverges; refused with a notice.
    let l = lab("mode=flow&method=langevin&sd_p=0.05,1&dt=0.1");
    assert!(l.readouts().iter().any(|r| r.warn && r.text.contains("unstable")), "{:?}", l.readouts());
    let svg = l.render_svg(400, 300, &flowlab::plot::theme::Theme::light(1.0), "", &cli::png_base64).unwrap();
    assert!(!svg.contains("NaN"));
    // Langevin's stationary covariance is biased by O(dt) and says so.
    let l = lab("mode=flow&method=langevin&dt=0.1&t=2&n=200");
    assert!(l.readouts().iter().any(|r| r.text.contains("λ/(1 − dt/2λ)")));
}

#[test]
fn a_flow_drag_redraws_the_foregrounds_only() {
    use flowlab::lab::{Figure, Layer};
    // The backgrounds of the flow figure and of its KL chart are axes: a drag of p or q₀ must
    // leave their cache keys alone (a background redrawn on every drag once cost ~1.5 ms of it),
    // while the foregrounds (cloud, ellipses, curves) follow the drag.
    let theme = flowlab::plot::theme::Theme::light(1.0);
    let mut l = lab("mode=flow&n=2000");
    let keys = |l: &Instance<Gaussians>| (l.cache_key(Figure::Main, Layer::Background), l.cache_key(Figure::Aux, Layer::Background));
    let fg = |l: &Instance<Gaussians>| {
        let (mut main, mut aux) = (Vec::new(), Vec::new());
        l.record(Figure::Main, Layer::Foreground, 600, 400, &theme, &mut main).unwrap();
        l.record(Figure::Aux, Layer::Foreground, 600, 200, &theme, &mut aux).unwrap();
        (format!("{main:?}"), format!("{aux:?}"))
    };
    let (k0, f0) = (keys(&l), fg(&l));
    assert!(k0.0.is_some() && k0.1.is_some(), "both backgrounds are cached: {k0:?}");
    // q₀'s centre (−2, 2), then p's (1, −0.5), each moved a little, as a drag is.
    let (q0, p0) = (l.params().mu_q, l.params().mu_p);
    assert_eq!((q0, p0), ([-2.0, 2.0], [1.0, -0.5]));
    for (x, y) in [(-2.0, 2.0), (-1.9, 2.05), (1.0, -0.5), (1.1, -0.4)] {
        l.pointer(x, y);
        l.finish();
    }
    assert_eq!(l.params().mu_q, [-1.9, 2.05]);
    assert_eq!(l.params().mu_p, [1.1, -0.4]);
    assert_eq!(keys(&l), k0, "a drag keeps both backgrounds");
    let f1 = fg(&l);
    assert_ne!(f1.0, f0.0, "the flow figure's foreground follows the drag");
    assert_ne!(f1.1, f0.1, "the KL curves follow the drag");
}
