//! JL bounds against scikit-learn's `johnson_lindenstrauss_min_dim` (which truncates) and the
//! χ²_k/k density against scipy: `scripts/golden/jl.py` → `tests/golden/jl_reference.json`.
use flowlab::math::jl::*;
use serde_json::Value;

#[test]
fn bounds_and_densities_match_the_references() {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden/jl_reference.json")).unwrap();
    let json: Value = serde_json::from_str(&text).unwrap();
    let mut truncated = 0;
    for c in json["bounds"].as_array().unwrap() {
        let (n, eps) = (c["n"].as_f64().unwrap(), c["eps"].as_f64().unwrap());
        let rel = |a: f64, b: f64| ((a - b) / b).abs() < 1e-12;
        assert!(rel(bound_dg(n, eps), c["dg"].as_f64().unwrap()), "DG N={n} ε={eps}");
        assert!(rel(bound_su24(n, eps), c["su24"].as_f64().unwrap()));
        assert!(rel(bound_su16(n, eps), c["su16"].as_f64().unwrap()));
        assert!(rel(bound_achlioptas(n, eps, 1.0), c["achlioptas_beta1"].as_f64().unwrap()));
        // scikit-learn truncates: its k is one below the guaranteed ceiling whenever the bound is not an integer.
        let sk = c["sklearn"].as_f64().unwrap();
        assert_eq!(sk, bound_dg(n, eps).floor(), "sklearn truncates, N={n} ε={eps}");
        if bound_dg(n, eps).ceil() > sk {
            truncated += 1;
        }
    }
    assert!(truncated >= 20, "sklearn's value is below the guarantee in {truncated} cases");
    for c in json["chi2_over_k"].as_array().unwrap() {
        let (k, r, want) = (c["k"].as_f64().unwrap(), c["r"].as_f64().unwrap(), c["pdf"].as_f64().unwrap());
        let got = chi2_over_k_pdf(k, r);
        assert!((got - want).abs() <= 1e-10 * want.max(1e-300) + 1e-300, "k={k} r={r}: {got} vs {want}");
    }
}
