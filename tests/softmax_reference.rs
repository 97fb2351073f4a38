//! The softmax maps against values computed by the reference implementations (torch.softmax,
//! the `entmax` package's sparsemax/entmax15/entmax_bisect, scipy quadrature for Gaussian
//! perturb-max): `scripts/golden/softmax.py` → `tests/golden/softmax_reference.json`.
use flowlab::math::softmax::*;
use serde_json::Value;

fn vec_of(v: &Value) -> Vec<f64> {
    v.as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect()
}

fn assert_close(got: &[f64], want: &[f64], tol: f64, what: &str) {
    assert_eq!(got.len(), want.len(), "{what}");
    for (g, w) in got.iter().zip(want) {
        assert!((g - w).abs() <= tol, "{what}: {got:?} vs {want:?}");
    }
}

#[test]
fn maps_match_the_reference_implementations() {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden/softmax_reference.json")).unwrap();
    let json: Value = serde_json::from_str(&text).unwrap();
    let cases = json["cases"].as_array().unwrap();
    assert!(cases.len() >= 10);
    for c in cases {
        let z = vec_of(&c["z"]);
        let name = format!("{z:?}");
        assert_close(&softmax(&z, 1.0), &vec_of(&c["softmax"]), 1e-15, &format!("softmax {name}"));
        assert_close(&softmax(&z, 0.5), &vec_of(&c["softmax_tau_0.5"]), 1e-15, &format!("softmax τ=0.5 {name}"));
        assert_close(&sparsemax(&z).0, &vec_of(&c["sparsemax"]), 1e-15, &format!("sparsemax {name}"));
        assert_close(&entmax15(&z).0, &vec_of(&c["entmax15"]), 1e-14, &format!("entmax15 {name}"));
        for (alpha, want) in c["entmax_bisect"].as_object().unwrap() {
            let a: f64 = alpha.parse().unwrap();
            assert_close(&entmax(&z, a).0, &vec_of(want), 1e-12, &format!("entmax α={a} {name}"));
            assert_close(&entmax_bisect(&z, a).0, &vec_of(want), 1e-12, &format!("entmax_bisect α={a} {name}"));
        }
        if let Some(want) = c.get("perturb_gauss") {
            assert_close(&perturb(&z, Noise::Gauss), &vec_of(want), 1e-12, &format!("perturb gauss {name}"));
        }
    }
}
