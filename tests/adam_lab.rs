//! The `adam` lab through its public surface — the URL, the CLI's JSON and CSV, the readouts —
//! against the independent references in `tests/golden/adam_reference.json` (written by
//! `scripts/golden/adam.py`) and the numbers printed in the spec (wave2-spec §W1).
use flowlab::cli;
use flowlab::lab::{parse_query, DynLab, Instance};
use flowlab::labs::adam::Adam;
use serde_json::Value;

fn golden() -> Value {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden/adam_reference.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// The JSON export of a query, through the CLI exactly as other tools call it.
fn json(q: &str) -> Value {
    let out = cli::run(&["data".into(), q.into(), "--format".into(), "json".into()]).unwrap_or_else(|e| panic!("{q}: {e:?}"));
    serde_json::from_str(&out.body).unwrap()
}

fn lab(q: &str) -> Instance<Adam> {
    let mut l = Instance::<Adam>::default();
    let notes = l.apply_query(&parse_query(q));
    assert!(notes.is_empty(), "{q}: {notes:?}");
    l.finish();
    l
}

fn close(got: f64, want: f64, tol: f64) -> bool {
    (got - want).abs() <= tol * want.abs().max(1e-300)
}

/// `got` (a JSON number or null) against `want` (the same), to `tol` relative.
fn same(got: &Value, want: &Value, tol: f64, what: &str) {
    match (got.as_f64(), want.as_f64()) {
        (Some(g), Some(w)) => assert!(close(g, w, tol), "{what}: got {g:e}, want {w:e}"),
        (None, None) => assert!(got.is_null() && want.is_null(), "{what}: {got} vs {want}"),
        _ => panic!("{what}: got {got}, want {want}"),
    }
}

const BATCH_KEYS: [&str; 10] = [
    "eta_star_exact",
    "eta_star_post",
    "peak_b_exact",
    "peak_eta_exact",
    "peak_b_post",
    "peak_eta_post",
    "eta_limit",
    "eta_max",
    "b_noise",
    "eta_star_exact",
];
const HESSIAN_KEYS: [&str; 4] = ["sqrt_v", "cond_h", "cond_jitter", "cond_per_sample"];

#[test]
fn the_cli_prints_the_issues_top_level_keys() {
    let v = json("?lab=adam&mode=batch");
    for k in BATCH_KEYS {
        assert!(v.get(k).is_some(), "mode=batch: key {k} missing");
    }
    let v = json("?lab=adam&mode=hessian");
    for k in HESSIAN_KEYS {
        assert!(v.get(k).is_some(), "mode=hessian: key {k} missing");
    }
    assert_eq!(v["sqrt_v"].as_array().unwrap().len(), 2);
    // The modes do not leak each other's keys.
    assert!(v.get("eta_star_exact").is_none() && json("?lab=adam&mode=batch").get("sqrt_v").is_none());
}

/// The URL query of a golden batch case, if the controls can express it.
fn batch_query(case: &Value, b: f64) -> Option<String> {
    let pr = &case["problem"];
    let upd = case["update"].as_str().unwrap();
    let eps = case["eps"].as_f64().unwrap();
    let mut q = format!("?lab=adam&mode=batch&opt={upd}&b={b}");
    if upd == "softsign" {
        if !(1e-3..=10.0).contains(&eps) {
            return None;
        }
        q += &format!("&eps={eps}");
    }
    match pr["kind"].as_str().unwrap() {
        "uniform" => {
            let (d, rho, noise) = (pr["d"].as_f64()?, pr["rho"].as_f64()?, pr["noise"].as_f64()?);
            if !((2.0..=64.0).contains(&d) && (0.0..=0.95).contains(&rho) && (0.1..=100.0).contains(&noise)) {
                return None;
            }
            q += &format!("&d={d}&rho={rho}&noise={noise}");
        }
        "dense" => {
            // Only the spec's toy problem is offered.
            let toy = pr["g"] == serde_json::json!([1.0, 0.5])
                && pr["h"] == serde_json::json!([3.0, 1.0, 1.0, 2.0])
                && pr["sigma"] == serde_json::json!([2.0, 3.0]);
            if !toy {
                return None;
            }
            q += "&model=toy2d";
        }
        _ => return None,
    }
    (1.0..=1e6).contains(&b).then_some(q)
}

#[test]
fn batch_mode_matches_the_reference_script_to_1e_9() {
    let g = golden();
    let mut checked = 0;
    for case in g["batch"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let sgd = case["update"] == "sgd";
        for (i, b) in case["b"].as_array().unwrap().iter().map(|b| b.as_f64().unwrap()).enumerate() {
            let Some(q) = batch_query(case, b) else { continue };
            let v = json(&q);
            let what = |k: &str| format!("{name}, B = {b}: {k}");
            same(&v["eta_star_exact"], &case["exact"]["eta_star"][i], 1e-9, &what("eta_star_exact"));
            // The post's curve is the mean field (for SGD every model is exact).
            let post = if sgd { &case["exact"]["eta_star"][i] } else { &case["mean_field"]["eta_star"][i] };
            same(&v["eta_star_post"], post, 1e-9, &what("eta_star_post"));
            same(&v["eta_limit"], &case["eta_limit"], 1e-9, &what("eta_limit"));
            if !sgd {
                let pk = &case["exact"]["peak"];
                same(&v["peak_b_exact"], &pk.get(0).cloned().unwrap_or(Value::Null), 1e-9, &what("peak_b_exact"));
                same(&v["peak_eta_exact"], &pk.get(1).cloned().unwrap_or(Value::Null), 1e-9, &what("peak_eta_exact"));
                let mf = &case["mean_field_readouts"];
                same(&v["peak_b_post"], &mf["b_noise"], 1e-9, &what("peak_b_post"));
                same(&v["b_noise"], &mf["b_noise"], 1e-9, &what("b_noise"));
                same(&v["eta_max"], &mf["eta_max"], 1e-9, &what("eta_max"));
                same(&v["beta_noise"], &mf["beta_noise"], 1e-9, &what("beta_noise"));
                let peak_eta = if mf["b_noise"].is_null() { Value::Null } else { mf["eta_max"].clone() };
                same(&v["peak_eta_post"], &peak_eta, 1e-9, &what("peak_eta_post"));
            } else {
                let r = &case["sgd_readouts"];
                same(&v["eta_max"], &r["eta_max"], 1e-9, &what("eta_max"));
                same(&v["b_noise"], &r["b_noise"], 1e-9, &what("b_noise"));
                same(&v["b_simple"], &r["b_simple"], 1e-9, &what("b_simple"));
                for k in ["peak_b_exact", "peak_eta_exact", "peak_b_post", "peak_eta_post"] {
                    assert!(v[k].is_null(), "{}: SGD has no surge", what(k));
                }
            }
            checked += 1;
        }
    }
    assert!(checked >= 40, "only {checked} golden points reachable through the URL");
}

#[test]
fn batch_mode_shows_the_spec_w1_t8_t9_t10_numbers() {
    // W1-T8, ε = 0: exact peak (53.2691436, 0.2672612419), post 20π; η*(16) 0.2322877502 / 0.2297187771.
    let v = json("?lab=adam&mode=batch&opt=sign&b=16");
    assert!(close(v["peak_b_exact"].as_f64().unwrap(), 53.2691436, 1e-8));
    assert!(close(v["peak_eta_exact"].as_f64().unwrap(), 0.2672612419, 1e-9));
    assert!(close(v["peak_b_post"].as_f64().unwrap(), 20.0 * std::f64::consts::PI, 1e-12));
    assert!(close(v["eta_star_exact"].as_f64().unwrap(), 0.2322877502, 1e-9));
    assert!(close(v["eta_star_post"].as_f64().unwrap(), 0.2297187771, 1e-9));
    assert!(close(v["eta_limit"].as_f64().unwrap(), 0.2222222222, 1e-9));
    // ε = 1.5 kills the post's surge but not the exact one ("Things to try").
    let v = json("?lab=adam&mode=batch&eps=1.5");
    assert!(v["peak_b_post"].is_null() && v["peak_eta_post"].is_null() && v["b_noise"].is_null());
    assert!(
        close(v["peak_b_exact"].as_f64().unwrap(), 98.884324, 1e-7) && close(v["peak_eta_exact"].as_f64().unwrap(), 0.4324191839, 1e-9)
    );
    assert_eq!((v["surge_post"].as_str(), v["surge_exact"].as_str()), (Some("no"), Some("yes")));
    // W1-T10: a diagonal H (ρ = 0; d = 2 independent, identical coordinates = d = 1) overshoots with
    // exact moments; the mean field's Σ_{i≠j} = 0 gives no real β_noise: null, never NaN.
    let v = json("?lab=adam&mode=batch&rho=0&d=2&noise=10&eps=0.5");
    assert!(close(v["peak_b_exact"].as_f64().unwrap(), 623.52, 1e-5) && close(v["peak_eta_exact"].as_f64().unwrap(), 1.1435110438, 1e-9));
    assert!(v["beta_noise"].is_null() && v["peak_b_post"].is_null() && v["eta_max"].is_null());
    let l = lab("mode=batch&rho=0&d=2&eps=0.5");
    let r = l.readouts();
    let text = |label: &str| r.iter().find(|x| x.label == label).unwrap_or_else(|| panic!("readout {label}: {r:?}")).text.clone();
    assert!(text("β_noise").contains("no surge"), "{r:?}");
    assert_eq!(text("surge"), "no (post) · yes (exact)");
    assert!(r.iter().all(|x| !x.text.contains("NaN")), "{r:?}");
}

#[test]
fn batch_readouts_name_what_the_issue_asks_for() {
    let l = lab("mode=batch");
    let r = l.readouts();
    for label in ["η_max", "B_noise", "B_simple", "β_noise", "surge"] {
        assert!(r.iter().any(|x| x.label == label), "readout {label} missing: {r:?}");
    }
    let surge = r.iter().find(|x| x.label == "surge").unwrap();
    assert_eq!(surge.text, "yes (post) · yes (exact)");
    let v = json("?lab=adam&mode=batch");
    let shown = |label: &str| r.iter().find(|x| x.label == label).unwrap().text.clone();
    // The readouts print the exported numbers (6 significant digits).
    assert_eq!(shown("B_noise"), flowlab::fmt::fmt_sig(v["b_noise"].as_f64().unwrap(), 6));
    assert_eq!(shown("B_simple"), "100");
}

#[test]
fn moving_b_reuses_the_curves_and_gives_what_a_fresh_page_gives() {
    let mut l = lab("mode=batch&opt=sign");
    for b in ["300", "1", "1000000", "17.5"] {
        assert!(l.apply_query(&parse_query(&format!("mode=batch&opt=sign&b={b}"))).is_empty());
        l.finish();
        let fresh = lab(&format!("mode=batch&opt=sign&b={b}"));
        assert!(l.data() == fresh.data(), "b = {b}: the data differ from a fresh page's");
        assert_eq!(l.readouts(), fresh.readouts(), "b = {b}");
    }
    // Switching the rule or the problem recomputes the curves.
    assert!(l.apply_query(&parse_query("mode=batch&opt=softsign&eps=2&b=64")).is_empty());
    l.finish();
    assert!(l.data() == lab("mode=batch&eps=2").data(), "new rule: the data differ from a fresh page's");
    // And the hessian mode's cached run follows seed and steps.
    let mut h = lab("seed=3");
    assert!(h.apply_query(&parse_query("seed=4&kappa=50")).is_empty());
    h.finish();
    assert!(h.data() == lab("seed=4&kappa=50").data(), "hessian: the data differ from a fresh page's");
}

#[test]
fn batch_csv_holds_the_drawn_curves_at_full_precision() {
    let g = golden();
    let case = g["batch"].as_array().unwrap().iter().find(|c| c["name"] == "W1-T8 uniform softsign eps=0.5").unwrap();
    let out = cli::run(&["data".into(), "?lab=adam&mode=batch".into()]).unwrap().body;
    let rows: Vec<Vec<&str>> = out.lines().skip(2).map(|l| l.split(',').collect()).collect();
    let first = |curve: &str| rows.iter().find(|r| r[0] == curve).unwrap_or_else(|| panic!("no {curve} rows"));
    // The grid starts at B = 1, a golden point.
    for (curve, want) in [("eta_exact", &case["exact"]["eta_star"][0]), ("eta_post", &case["mean_field"]["eta_star"][0])] {
        let r = first(curve);
        assert_eq!(r[1], "1");
        assert!(close(r[2].parse().unwrap(), want.as_f64().unwrap(), 1e-9), "{curve}: {r:?}");
    }
    for curve in ["eta_sgd", "delta_l_exact", "delta_l_post", "tradeoff_exact", "s_exact_mean", "s_clip_sq", "s_post_sq"] {
        assert!(rows.iter().filter(|r| r[0] == curve).count() >= 30, "{curve}");
    }
    assert!(rows.iter().all(|r| r.len() == 3 && r[1..].iter().all(|c| c.parse::<f64>().is_ok_and(f64::is_finite))));
}

#[test]
fn hessian_mode_matches_the_reference_script_to_1e_9() {
    let g = golden();
    let mut checked = 0;
    for case in g["hessian"].as_array().unwrap() {
        let off = case["offset"].as_array().unwrap();
        // The lab moves the sampling centre along e₁ only.
        if off[1].as_f64() != Some(0.0) {
            continue;
        }
        let f = |k: &str| case[k].as_f64().unwrap();
        let q = format!(
            "?lab=adam&kappa={}&phi={}&regime={}&sig_theta={}&sig_r={}&batch={}&offset={}",
            f("kappa"),
            f("phi"),
            case["regime"].as_str().unwrap(),
            f("sig_theta"),
            f("sig_r"),
            f("batch"),
            off[0].as_f64().unwrap()
        );
        let v = json(&q);
        for i in 0..2 {
            same(&v["sqrt_v"][i], &case["sqrt_v"][i], 1e-9, &format!("{q}: sqrt_v[{i}]"));
            same(&v["var_g"][i], &case["var_g"][i], 1e-9, &format!("{q}: var_g[{i}]"));
        }
        for k in ["cond_h", "cond_jitter", "cond_per_sample", "cond_current"] {
            same(&v[k], &case[k], 1e-9, &format!("{q}: {k}"));
        }
        checked += 1;
    }
    assert!(checked >= 7, "{checked}");
}

#[test]
fn hessian_mode_shows_the_spec_w1_t1_t2_t3_numbers() {
    // W1-T1: H = diag(1, 100), σ_θ = 0.1 ⇒ √E[g²] = (0.1, 10); cond with each preconditioner 1 and 10.
    let v = json("?lab=adam");
    assert!(close(v["sqrt_v"][0].as_f64().unwrap(), 0.1, 1e-15) && close(v["sqrt_v"][1].as_f64().unwrap(), 10.0, 1e-15), "{}", v["sqrt_v"]);
    assert!(close(v["cond_h"].as_f64().unwrap(), 100.0, 1e-12));
    assert!(close(v["cond_jitter"].as_f64().unwrap(), 1.0, 1e-12) && close(v["cond_per_sample"].as_f64().unwrap(), 10.0, 1e-12));
    // W1-T2: φ = 15°: 37.77194868 vs 39.18653603; 45°: both 100 with √v = (7.071421356, 7.071421356).
    let v = json("?lab=adam&phi=15");
    assert!(
        close(v["cond_jitter"].as_f64().unwrap(), 37.77194868, 1e-9) && close(v["cond_per_sample"].as_f64().unwrap(), 39.18653603, 1e-9)
    );
    assert!(close(v["h"][0][1].as_f64().unwrap(), -24.75, 1e-12) && close(v["h"][0][0].as_f64().unwrap(), 7.631742513, 1e-9));
    let v = json("?lab=adam&phi=45");
    assert!(close(v["cond_jitter"].as_f64().unwrap(), 100.0, 1e-9) && close(v["cond_per_sample"].as_f64().unwrap(), 100.0, 1e-9));
    assert!(close(v["sqrt_v"][0].as_f64().unwrap(), 7.071421356, 1e-9) && close(v["sqrt_v"][1].as_f64().unwrap(), 7.071421356, 1e-9));
    // W1-T3: per-sample, σ_r = 1, B = 1 ⇒ (1, 10) ∝ √H.
    let v = json("?lab=adam&regime=per_sample");
    assert!(close(v["sqrt_v"][0].as_f64().unwrap(), 1.0, 1e-12) && close(v["sqrt_v"][1].as_f64().unwrap(), 10.0, 1e-12));
}

#[test]
fn simulated_v_hat_estimates_the_closed_form() {
    // Bias-corrected EMA of iid g: E[v̂] = E[g²], relative s.d. √(2(1 − β₂)/(1 + β₂)) ≈ 3.2% at
    // 1 − β₂ = 1e-3, so √v̂ is within ±1.6% (1 s.d.); 10% is 6 s.d.
    for q in ["steps=20000&seed=1", "steps=20000&seed=2&phi=30&regime=both&offset=0.3", "steps=20000&seed=3&regime=per_sample&batch=16"] {
        let v = json(&format!("?lab=adam&{q}"));
        for i in 0..2 {
            let (sim, cf) = (v["sqrt_v_simulated"][i].as_f64().unwrap(), v["sqrt_v"][i].as_f64().unwrap());
            assert!(close(sim, cf, 0.1), "{q}: coordinate {i}: simulated {sim}, closed form {cf}");
        }
    }
    // No steps, no estimate: null, and a readout says so.
    let v = json("?lab=adam&steps=0");
    assert!(v["sqrt_v_simulated"].is_null());
    assert!(lab("steps=0").readouts().iter().any(|r| r.text.contains("no simulated steps")));
}

#[test]
fn junk_is_clamped_with_a_notice_and_never_reaches_the_numbers() {
    for q in [
        "mode=batch&b=nan&eps=-5&d=1e9&noise=0",
        "mode=batch&rho=7&opt=zz&model=q",
        "kappa=0&phi=1e300&beta2=2&steps=-4&sig_theta=inf",
        "mode=zzz",
    ] {
        let mut l = Instance::<Adam>::default();
        let notes = l.apply_query(&parse_query(q));
        assert!(!notes.is_empty(), "{q}: junk gives notices");
        l.finish();
        // (The URL echo is left out: it repeats the junk as typed.)
        let out = flowlab::lab::to_json(&l, "");
        assert!(!out.contains("NaN") && !out.contains("inf"), "{q}");
        assert!(l.readouts().iter().all(|r| !r.text.contains("NaN")), "{q}");
    }
}

/// toy2d's g, H and Σ are keys: SGD's closed forms η_max = gᵀg/gᵀHg and B_noise = tr(HΣ)/gᵀHg
/// follow them (here g = (2, −1), H = [[2, −0.9], [−0.9, 1]], Σ = diag(1, 0): gᵀHg = 12.6), the
/// defaults are the spec's W1-T12/13, and a matrix that is not positive definite is refused with
/// the last good one kept.
#[test]
fn toy2d_problem_is_editable() {
    let spec = json("?lab=adam&mode=batch&opt=sgd&model=toy2d");
    assert!(close(spec["eta_max"].as_f64().unwrap(), 0.2777777778, 1e-9), "{}", spec["eta_max"]);
    assert!(close(spec["b_noise"].as_f64().unwrap(), 6.6666666667, 1e-9), "{}", spec["b_noise"]);
    let v = json("?lab=adam&mode=batch&opt=sgd&model=toy2d&g=2,-1&h=2,-0.9,1&var=1,0");
    assert!(close(v["eta_max"].as_f64().unwrap(), 5.0 / 12.6, 1e-12), "{}", v["eta_max"]);
    assert!(close(v["b_noise"].as_f64().unwrap(), 2.0 / 12.6, 1e-12), "{}", v["b_noise"]);
    // The URL keeps the edited values and round-trips them.
    let l = lab("mode=batch&model=toy2d&g=2,-1&h=2,-0.9,1&var=1,0");
    let pairs = l.query_pairs();
    for (k, want) in [("g", "2,-1"), ("h", "2,-0.9,1"), ("var", "1,0")] {
        assert!(pairs.iter().any(|(pk, pv)| pk == k && pv == want), "{k}: {pairs:?}");
    }
    // Not positive definite, a negative variance, junk: refused, the last good value kept.
    let mut l = lab("mode=batch&model=toy2d");
    for (k, bad) in [("h", "1,2,1"), ("h", "-1,0,1"), ("var", "1,-1"), ("g", "0,0"), ("g", "1"), ("h", "3,x,2")] {
        let notes = l.apply_query(&parse_query(&format!("mode=batch&model=toy2d&{k}={bad}")));
        assert!(notes.iter().any(|n| n.is_ignored() && n.key() == k), "{k}={bad}: {notes:?}");
    }
    assert!(l.query_pairs().iter().all(|(k, _)| !["g", "h", "var"].contains(&k.as_str())), "defaults kept: {:?}", l.query_pairs());
    // The keys are offered only for toy2d.
    assert!(l.control("h").unwrap().visible);
    assert!(!lab("mode=batch").control("h").unwrap().visible);
}
