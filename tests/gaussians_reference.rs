//! The Gaussians lab's numerics against values computed independently with numpy/scipy (generic
//! sqrtm/expm/ODE solvers/BFGS on the matrices, where our code uses eigen-frames and closed forms):
//! `scripts/golden/gaussians.py` → `tests/golden/gaussians_reference.json`. Spec ids W3-T1…T13 are
//! cases of that file; everything is compared to 1e-9 relative.
use flowlab::math::gaussian::*;
use flowlab::math::simplex_opt::{self, Method, Objective};
use serde_json::Value;
use std::cell::Cell;

const REL: f64 = 1e-9;

thread_local! {
    static WORST: Cell<(f64, &'static str)> = const { Cell::new((0.0, "")) };
}

fn num(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

fn vec_of(v: &Value) -> Vec<f64> {
    v.as_array().expect("array").iter().map(num).collect()
}

fn mat_of(v: &Value) -> Vec<f64> {
    v.as_array().expect("rows").iter().flat_map(vec_of).collect()
}

fn v2(v: &[f64]) -> Vec2 {
    [v[0], v.get(1).copied().unwrap_or(0.0)]
}

fn flat(m: Mat2, dim: usize) -> Vec<f64> {
    (0..dim).flat_map(|i| (0..dim).map(move |j| m[i][j])).collect()
}

/// |got − want| ≤ 1e-9·max(|want_i|, 1e-6·max|want|): relative per entry, except that entries far
/// below the size of their vector (an exact 0 off the diagonal) are held to 1e-15 of that size.
fn close(got: &[f64], want: &[f64], what: &str) {
    assert_eq!(got.len(), want.len(), "{what}: {got:?} vs {want:?}");
    let scale = want.iter().fold(0.0f64, |a, w| a.max(w.abs()));
    for (g, w) in got.iter().zip(want) {
        let denom = w.abs().max(1e-6 * scale).max(1e-300);
        let rel = (g - w).abs() / denom;
        assert!(rel <= REL, "{what}: {got:?} vs {want:?} (relative error {rel:.2e})");
        WORST.with(|c| {
            if rel > c.get().0 {
                c.set((rel, Box::leak(what.to_string().into_boxed_str())));
            }
        });
    }
}

fn close1(got: f64, want: &Value, what: &str) {
    close(&[got], &[num(want)], what);
}

fn report(section: &str) {
    WORST.with(|c| {
        let (rel, what) = c.get();
        eprintln!("{section}: worst relative error {rel:.2e} ({what})");
        c.set((0.0, ""));
    });
}

fn json() -> Value {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden/gaussians_reference.json")).expect("golden file");
    serde_json::from_str(&text).expect("valid JSON")
}

fn gaussian(spec: &Value) -> Gaussian {
    let dim = spec["dim"].as_u64().expect("dim") as usize;
    let mean = v2(&vec_of(&spec["mean"]));
    if spec.get("cov").is_some() {
        let c = mat_of(&spec["cov"]);
        let cov = if dim == 1 { [[c[0], 0.0], [0.0, 1.0]] } else { [[c[0], c[1]], [c[2], c[3]]] };
        Gaussian::from_cov(dim, mean, cov).expect("valid covariance")
    } else {
        Gaussian::from_axes(dim, mean, v2(&vec_of(&spec["sd"])), num(&spec["ang"])).expect("valid axes")
    }
}

#[test]
fn divergences_match_the_reference() {
    let j = json();
    let cases = j["divergence"].as_array().unwrap();
    assert!(cases.len() >= 8);
    for c in cases {
        let name = c["name"].as_str().unwrap();
        let (p, q) = (gaussian(&c["p"]), gaussian(&c["q"]));
        let d = divergences(&p, &q).unwrap();
        close1(d.kl_pq, &c["kl_pq"], &format!("{name} KL(p‖q)"));
        close1(d.kl_qp, &c["kl_qp"], &format!("{name} KL(q‖p)"));
        close1(d.bd, &c["bd"], &format!("{name} BD"));
        close1(d.hellinger2, &c["hellinger2"], &format!("{name} Hellinger²"));
        close1(d.w2_sq, &c["w2_sq"], &format!("{name} W₂²"));
        close1(w2_sq_frechet(&p, &q).unwrap(), &c["w2_sq_frechet"], &format!("{name} W₂² Fréchet"));
        close1(w2_commuting_sq(&p, &q).unwrap(), &c["w2_commuting_sq"], &format!("{name} commuting formula"));
        close1(d.naive_sq, &c["naive_sq"], &format!("{name} naive"));
        close(&d.ot.a_rows().concat(), &mat_of(&c["ot_map"]), &format!("{name} OT map"));
        close1(p.entropy(), &c["entropy_p"], &format!("{name} entropy p"));
        close1(q.entropy(), &c["entropy_q"], &format!("{name} entropy q"));
    }
    // W3-T3: the 1-D case C by quadrature (scipy.integrate.quad) and by quantile functions.
    let c = &cases[2];
    let (p, q) = (gaussian(&c["p"]), gaussian(&c["q"]));
    let quad = &j["quadrature_1d"];
    close1(bhattacharyya(&p, &q).unwrap(), &quad["bd"], "W3-T3 BD by quadrature");
    close1(kl(&p, &q).unwrap(), &quad["kl_pq"], "W3-T3 KL by quadrature");
    close1(w2_sq(&p, &q).unwrap(), &quad["w2_sq"], "W3-T3 W₂² by quantiles");
    report("divergence");
}

#[test]
fn spec_values_w3_t1_t2_to_ten_digits() {
    // The spec's printed values (10 significant digits), independent of the JSON.
    let p = Gaussian::from_cov(2, [0.0, 0.0], [[2.0, 0.5], [0.5, 1.0]]).unwrap();
    let q = Gaussian::from_cov(2, [1.0, -1.0], [[1.0, -0.3], [-0.3, 0.5]]).unwrap();
    let d = divergences(&p, &q).unwrap();
    let spec = [
        (d.kl_pq, 2.1768320708),
        (d.kl_qp, 1.5256069536),
        (d.bd, 0.4120864624),
        (d.hellinger2, 0.3377329876),
        (d.w2_sq, 2.5533014128),
        (w2_commuting_sq(&p, &q).unwrap(), 2.5630781856),
        (d.naive_sq, 4.53),
        (d.ot.a[0][0], 0.7520364998),
        (d.ot.a[0][1], -0.2746677183),
        (d.ot.a[1][1], 0.7439440123),
    ];
    for (got, want) in spec {
        assert!((got - want).abs() <= 6e-11, "{got} vs {want}");
    }
    let (sp, sq, a) = (p.cov(), q.cov(), d.ot.a);
    let asa = [
        [
            a[0][0] * (sp[0][0] * a[0][0] + sp[0][1] * a[1][0]) + a[0][1] * (sp[1][0] * a[0][0] + sp[1][1] * a[1][0]),
            a[0][0] * (sp[0][0] * a[0][1] + sp[0][1] * a[1][1]) + a[0][1] * (sp[1][0] * a[0][1] + sp[1][1] * a[1][1]),
        ],
        [
            a[1][0] * (sp[0][0] * a[0][0] + sp[0][1] * a[1][0]) + a[1][1] * (sp[1][0] * a[0][0] + sp[1][1] * a[1][0]),
            a[1][0] * (sp[0][0] * a[0][1] + sp[0][1] * a[1][1]) + a[1][1] * (sp[1][0] * a[0][1] + sp[1][1] * a[1][1]),
        ],
    ];
    for i in 0..2 {
        for j in 0..2 {
            assert!((asa[i][j] - sq[i][j]).abs() <= 4.5e-16, "W3-T2 AΣpA − Σq = {}", asa[i][j] - sq[i][j]);
        }
    }
}

#[test]
fn flow_matches_the_reference() {
    let j = json();
    for c in j["flow"].as_array().unwrap() {
        let name = c["name"].as_str().unwrap();
        let (target, init) = (gaussian(&c["target"]), gaussian(&c["init"]));
        let dim = target.dim();
        let flow = Flow::new(target, init).unwrap();
        for r in c["times"].as_array().unwrap() {
            let t = num(&r["t"]);
            let m = flow.moments(t).unwrap();
            close(&m.m[..dim], &vec_of(&r["m"]), &format!("{name} m({t})"));
            close(&flat(m.c, dim), &mat_of(&r["c"]), &format!("{name} C({t})"));
            close1(m.kl, &r["kl"], &format!("{name} KL(q_{t}‖p)"));
        }
        for r in c["particles"].as_array().unwrap() {
            let t = num(&r["t"]);
            let x = flow.particle(v2(&vec_of(&r["x0"])), t, 4000).unwrap();
            close(&x[..dim], &vec_of(&r["x"]), &format!("{name} particle at t = {t}"));
        }
        for r in c["em"].as_array().unwrap() {
            let (dt, k) = (num(&r["dt"]), r["k"].as_u64().unwrap());
            let m = flow.em_moments(dt, k).unwrap();
            close(&m.m[..dim], &vec_of(&r["m"]), &format!("{name} EM mean dt = {dt}, k = {k}"));
            close(&flat(m.c, dim), &mat_of(&r["c"]), &format!("{name} EM covariance dt = {dt}, k = {k}"));
            close1(m.kl, &r["kl"], &format!("{name} EM KL dt = {dt}, k = {k}"));
            close(&flat(flow.em_stationary_cov(dt).unwrap(), dim), &mat_of(&r["stationary"]), &format!("{name} EM stationary dt = {dt}"));
        }
    }
    report("flow");
}

fn labelled(c: &Value) -> Labelled {
    let x = c["x"].as_array().unwrap().iter().map(|p| v2(&vec_of(p))).collect();
    let y = c["y"].as_array().unwrap().iter().map(|v| v.as_u64().unwrap() == 1).collect();
    Labelled { x, y }
}

#[test]
fn classifiers_match_the_reference() {
    let j = json();
    for c in j["classify"].as_array().unwrap() {
        let name = c["name"].as_str().unwrap();
        let data = labelled(c);
        let f = fit_classifiers(&data).unwrap();
        let s = f.stats;
        close1(s.p1, &c["p1"], &format!("{name} p1"));
        close(&s.mu0, &vec_of(&c["mu0"]), &format!("{name} μ0"));
        close(&s.mu1, &vec_of(&c["mu1"]), &format!("{name} μ1"));
        close(&flat(s.sigma_total, 2), &mat_of(&c["sigma_total"]), &format!("{name} Σ total"));
        close(&flat(s.sigma_within, 2), &mat_of(&c["sigma_within"]), &format!("{name} Σ within"));
        close1(s.mahalanobis2().unwrap(), &c["d2"], &format!("{name} D²"));
        close1(s.shrink().unwrap(), &c["shrink"], &format!("{name} shrink"));
        let ratio = f.script.w[0].hypot(f.script.w[1]) / f.post.w[0].hypot(f.post.w[1]);
        close1(ratio, &c["norm_ratio"], &format!("{name} |w_script|/|w_post|"));
        assert_eq!(f.mle.status, MleStatus::Converged, "{name}");
        for (key, fit) in [("post", f.post), ("script", f.script), ("mle", f.mle.fit)] {
            let r = &c[key];
            close(&fit.w, &vec_of(&r["w"]), &format!("{name} {key} w"));
            close1(fit.b, &r["b"], &format!("{name} {key} b"));
            close1(nll(&fit, &data), &r["nll"], &format!("{name} {key} NLL"));
            close1(accuracy(&fit, &data), &r["acc"], &format!("{name} {key} accuracy"));
        }
    }
    let sep = labelled(&j["separable"]);
    let m = logistic_mle(&sep, MLE_MAX_ITER).unwrap();
    assert_eq!(m.status, MleStatus::Separable);
    assert_eq!(accuracy(&m.fit, &sep), 1.0);
    report("classify");
}

fn objective(o: &Value) -> Objective {
    match o["kind"].as_str().unwrap() {
        "sq" => Objective::sq(&vec_of(&o["x"])).unwrap(),
        "entropy" => Objective::entropy(&vec_of(&o["x"]), num(&o["tau"])).unwrap(),
        "kl" => Objective::kl_softmax(&vec_of(&o["logits"])).unwrap(),
        k => panic!("unknown objective {k}"),
    }
}

#[test]
fn simplex_runs_match_the_reference() {
    let j = json();
    let runs = j["simplex"].as_array().unwrap();
    assert!(runs.len() >= 30);
    for r in runs {
        let obj = objective(&r["objective"]);
        let method = Method::from_key(r["method"].as_str().unwrap()).unwrap();
        let eta = num(&r["eta"]);
        let name = format!("{} {} η={eta}", r["objective"], method.key());
        let iterates = r["iterates"].as_array().unwrap();
        let last = iterates.iter().map(|i| i["steps"].as_u64().unwrap() as usize).max().unwrap();
        let traj = simplex_opt::trajectory(&obj, method, eta, last).unwrap();
        for it in iterates {
            let k = it["steps"].as_u64().unwrap() as usize;
            close(&traj[k], &vec_of(&it["p"]), &format!("{name} p after {k}"));
            // F of KL near its minimum 0 is a difference of O(1) terms: held to 1e-15 absolute too.
            let (f, want) = (obj.value(&traj[k]), num(&it["f"]));
            if (f - want).abs() > 1e-15 {
                close(&[f], &[want], &format!("{name} F after {k}"));
            }
            let res = simplex_opt::solve(&obj, method, eta, k).unwrap();
            assert_eq!(res.p, traj[k], "{name}: solve and trajectory agree");
            close1(res.f_star, &r["f_star"], &format!("{name} F*"));
        }
    }
    // W3-T13: at the optimum of ‖p − x‖², p·∇F = min ∇F = −0.5, so the Frank–Wolfe gap is 0.
    let t13 = &j["t13"];
    let obj = Objective::sq(&[1.0, 0.5, -1.0]).unwrap();
    let p = vec_of(&t13["p"]);
    let g = obj.grad(&p);
    close1(p.iter().zip(&g).map(|(a, b)| a * b).sum(), &t13["p_dot_grad"], "W3-T13 p·∇F");
    close1(g.iter().copied().fold(f64::INFINITY, f64::min), &t13["min_grad"], "W3-T13 min ∇F");
    assert_eq!(obj.fw_gap(&p), 0.0);
    report("simplex");
}
