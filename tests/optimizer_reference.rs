//! The optimizer lab against reference trajectories computed with PyTorch and optax
//! (tests/golden/optimizers_reference.json, made by scripts/golden/optimizers.py): 144 runs of
//! 60 steps, every optimizer, six surfaces, default and non-default hyper-parameters.
//!
//! Each run is set up through the lab's URL query, so the control table, the URL codec and the
//! model are all on the path being checked.

use flowlab::lab::parse_query;
use serde_json::Value as J;

fn reference() -> J {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden/optimizers_reference.json");
    serde_json::from_str(&std::fs::read_to_string(path).expect("reference file")).expect("valid JSON")
}

fn query_for(case: &J) -> String {
    let opt = case["optimizer"].as_str().unwrap();
    let mut q = format!(
        "lab=optimizers&surface={}&opt={opt}&steps={}&x0={}&y0={}",
        case["surface"].as_str().unwrap(),
        case["steps"],
        case["start"][0].as_f64().unwrap(),
        case["start"][1].as_f64().unwrap()
    );
    for (k, v) in case["surface_params"].as_object().unwrap() {
        q.push_str(&format!("&{k}={}", v.as_f64().unwrap()));
    }
    for (k, v) in case["hparams"].as_object().unwrap() {
        q.push_str(&format!("&{opt}_{k}={}", v.as_f64().unwrap()));
    }
    q
}

#[test]
fn trajectories_match_pytorch_and_optax() {
    let r = reference();
    let cases = r["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 144);
    let mut worst = (0.0f64, String::new());
    for case in cases {
        let q = query_for(case);
        let mut lab = flowlab::labs::find("optimizers").map(|e| (e.make)()).unwrap();
        let notes = lab.apply_query(&parse_query(&q));
        assert!(notes.is_empty(), "{q}: {notes:?}");
        lab.finish();
        let rows = lab.data().rows;
        let want = case["path"].as_array().unwrap();
        if rows.len() < want.len() {
            // The lab stops a run that leaves its box (50× the view around the view's centre) and
            // reports it; the reference keeps going. Saddle-free Newton on the saddle does this.
            let next = &want[rows.len()];
            let far = next[0].as_f64().unwrap().abs().max(next[1].as_f64().unwrap().abs());
            assert!(far > 100.0, "{q}: stopped at step {} although the reference is still at {far}", rows.len());
            assert!(
                lab.readouts().iter().any(|r| r.warn && r.text.contains(&format!("diverged at step {}", rows.len()))),
                "{q}: divergence reported"
            );
        } else {
            assert_eq!(rows.len(), want.len(), "{q}: path length");
        }
        for (k, (row, w)) in rows.iter().zip(want).enumerate() {
            assert_eq!(row[1], k.to_string());
            for c in 0..2 {
                let got: f64 = row[2 + c].parse().unwrap();
                let exp = w[c].as_f64().unwrap();
                // Relative to max(1, |θ|): the libraries and we differ only in rounding (e.g. torch
                // folds Adam's bias correction into the step size), which stays at ~1e-13 here.
                let err = (got - exp).abs() / exp.abs().max(1.0);
                if err > worst.0 {
                    worst = (err, format!("{q} step {k}"));
                }
                assert!(err < 1e-9, "{q}: step {k} coordinate {c}: {got} vs {} ({})", exp, case["reference"]);
            }
        }
    }
    eprintln!("largest relative deviation from the references: {:.2e} at {}", worst.0, worst.1);
}

/// The reference file covers every optimizer the lab has, both RMSprop ε placements and every surface.
#[test]
fn reference_covers_every_optimizer_and_surface() {
    let r = reference();
    let cases = r["cases"].as_array().unwrap();
    for k in flowlab::labs::optimizers::model::OptKind::ALL {
        assert!(cases.iter().any(|c| c["optimizer"] == k.key()), "no reference for {}", k.key());
    }
    for s in flowlab::math::surfaces::SurfaceKind::ALL.into_iter().filter(|k| *k != flowlab::math::surfaces::SurfaceKind::Custom) {
        assert!(cases.iter().any(|c| c["surface"] == s.key()), "no reference on {}", s.key());
    }
    for inside in [0.0, 1.0] {
        assert!(cases.iter().any(|c| c["optimizer"] == "rmsprop" && c["hparams"]["eps_inside"].as_f64() == Some(inside)));
    }
}

/// Typing a built-in surface's formula gives the built-in surface's iterates (to 1e-12, relative
/// to max(1, |θ|)) for every optimizer: the compiled formula and its automatic derivatives agree
/// with the hand-written gradient and Hessian.
#[test]
fn typed_builtin_formulas_give_the_same_iterates() {
    use flowlab::labs::optimizers::model::OptKind;
    let all: Vec<&str> = OptKind::ALL.iter().map(|k| k.key()).collect();
    let opts = all.join(",");
    for (surface, formula, start) in [
        ("rosenbrock", "(1-x)^2 + 100*(y-x^2)^2", "x0=-1.2&y0=1"),
        ("beale", "(1.5 - x + x*y)^2 + (2.25 - x + x*y^2)^2 + (2.625 - x + x*y^3)^2", "x0=1&y0=1.4"),
        ("himmelblau", "(x^2 + y - 11)^2 + (x + y^2 - 7)^2", "x0=-0.3&y0=-0.95"),
    ] {
        let enc = flowlab::lab::percent_encode(formula);
        let run = |q: String| {
            let mut lab = flowlab::labs::find("optimizers").map(|e| (e.make)()).unwrap();
            let notes = lab.apply_query(&parse_query(&q));
            assert!(notes.is_empty(), "{q}: {notes:?}");
            lab.finish();
            lab.data().rows
        };
        let common = format!("opt={opts}&steps=150&{start}&sgd_lr=0.0005&momentum_lr=0.0005&nesterov_lr=0.0005&newton_damping=1");
        let built = run(format!("surface={surface}&{common}"));
        let typed = run(format!("surface=custom&f={enc}&{common}"));
        assert_eq!(built.len(), typed.len(), "{surface}: same number of iterates");
        for (a, b) in built.iter().zip(&typed) {
            assert_eq!(a[0..2], b[0..2]);
            for c in 2..4 {
                let (x, y): (f64, f64) = (a[c].parse().unwrap(), b[c].parse().unwrap());
                assert!((x - y).abs() <= 1e-12 * x.abs().max(1.0), "{surface} {} step {}: {x} vs {y}", a[0], a[1]);
            }
        }
    }
}
