//! The Johnson–Lindenstrauss lab through its public surface: CLI data, caching across k, the
//! orthogonal k ≤ d rule, and numbers pinned for the browser test (same seed → same numbers).
use flowlab::cli;
use flowlab::lab::{parse_query, DynLab, Instance};
use flowlab::labs::jl::Jl;

fn lab(q: &str) -> Instance<Jl> {
    let mut l = Instance::<Jl>::default();
    assert!(l.apply_query(&parse_query(q)).is_empty(), "{q}");
    l.finish();
    l
}

#[test]
fn json_carries_bounds_statistics_and_the_empirical_k() {
    let json = cli::run(&["data".into(), "lab=jl&n=1000&eps=0.1&k=60&d=100".into(), "--format".into(), "json".into()]).unwrap().body;
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert!((v["bound_dg"].as_f64().unwrap() - 5920.933).abs() < 1e-3);
    assert_eq!(v["bound_dg_ceil"], 5921);
    assert!((v["bound_su24"].as_f64().unwrap() - 16578.61).abs() < 1e-2);
    assert_eq!(v["pairs"], 50_000, "a stated uniform sample");
    for key in
        ["bound_su16", "bound_achlioptas", "bound_su24_ceil", "min", "median", "max", "mean", "sd", "violated_fraction", "k_empirical"]
    {
        assert!(v.get(key).is_some(), "{key}");
    }
    assert!(v["k_empirical"].is_null(), "k = 60 cannot keep 50,000 pairs within 10%");
    let rows = v["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 50_000);
    let r = &rows[0];
    let ratio = r[3].as_f64().unwrap() / r[2].as_f64().unwrap();
    assert!((ratio - r[4].as_f64().unwrap()).abs() < 1e-12, "ratio column = proj_sq / orig_sq");
}

#[test]
fn changing_k_reuses_the_rows_already_computed() {
    let mut l = lab("n=40&d=300&k=200");
    assert_eq!(l.state().proj.rows, 200);
    l.set_text("k", "120").unwrap();
    l.set_text("eps", "0.4").unwrap();
    assert!(l.pending().is_some(), "statistics are recomputed…");
    l.finish();
    assert_eq!(l.state().proj.rows, 200, "… but no matrix row is");
    let at120 = l.data();
    let fresh = lab("n=40&d=300&k=120&eps=0.4");
    assert_eq!(at120, fresh.data(), "the same numbers as a fresh 120-row projection");
    l.set_text("k", "260").unwrap();
    l.finish();
    assert_eq!(l.state().proj.rows, 260);
}

#[test]
fn an_orthogonal_projection_uses_at_most_d_rows() {
    let l = lab("matrix=orthogonal&n=20&d=60&k=100");
    assert!(l.readouts().iter().any(|r| r.warn && r.text.contains("k ≤ d")));
    let json = flowlab::lab::to_json(&l, "");
    assert!(json.contains("\"k\":60"), "{}", &json[..200]);
    // k = d: the scaled orthogonal projection is an isometry.
    assert!(json.contains("\"max\":1.0000") || json.contains("\"max\":0.9999") || json.contains("\"max\":1,"), "{}", &json[..400]);
}

#[test]
fn pinned_numbers_for_the_browser_match_native() {
    // The browser test opens the same URL and expects these readouts: same seed, same numbers.
    let q = "n=60&d=400&k=80&seed=7&eps=0.6";
    let l = lab(q);
    let text: Vec<String> =
        l.readouts().into_iter().filter(|r| r.label.starts_with("R =") || r.label == "Empirical k").map(|r| r.text).collect();
    assert_eq!(text.len(), 2, "{text:?}");
    let pinned = format!("{{\"query\":\"{q}\",\"stats\":{:?},\"empirical\":{:?}}}\n", text[0], text[1]);
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden/jl_pinned.json");
    if std::env::var_os("FLOWLAB_BLESS").is_some() || !std::path::Path::new(path).exists() && std::env::var_os("CI").is_none() {
        std::fs::write(path, &pinned).unwrap();
    }
    assert_eq!(std::fs::read_to_string(path).unwrap(), pinned, "FLOWLAB_BLESS=1 to accept on purpose");
}

#[test]
fn inner_product_view_measures_errors_of_unit_vectors() {
    let l = lab("view=ip&n=50&d=500&k=400");
    let s = l.state().summary.as_ref().unwrap();
    let sd = {
        let m = s.values.iter().sum::<f64>() / s.values.len() as f64;
        (s.values.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / s.values.len() as f64).sqrt()
    };
    // Nearly orthogonal unit vectors: ⟨Au, Av⟩ − ⟨u, v⟩ has sd ≈ 1/√k.
    assert!((sd - 1.0 / 20.0).abs() < 0.2 / 20.0, "sd {sd}");
}
