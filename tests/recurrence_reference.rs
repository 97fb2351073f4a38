//! The recurrence numerics against an independent numpy/scipy/mpmath computation:
//! `scripts/golden/recurrence.py` → `tests/golden/recurrence_reference.json`.
use flowlab::math::rnn::{run_all, Rnn, Scheme};
use flowlab::math::ssm::*;
use serde_json::Value;

fn vec_of(v: &Value) -> Vec<f64> {
    v.as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect()
}

fn rows_of(v: &Value) -> Vec<f64> {
    v.as_array().unwrap().iter().flat_map(vec_of).collect()
}

fn json() -> Value {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden/recurrence_reference.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// Largest |got − want| relative to max |want| (normwise: kernels decay by orders of magnitude, so
/// entrywise relative errors of their tails would measure nothing but the rounding of small numbers).
fn normwise(got: &[f64], want: &[f64]) -> f64 {
    assert_eq!(got.len(), want.len());
    let scale = want.iter().fold(0.0f64, |a, v| a.max(v.abs()));
    got.iter().zip(want).map(|(g, w)| (g - w).abs()).fold(0.0, f64::max) / scale
}

#[test]
fn rnn_literal_preset_matches_numpy_sweep_by_sweep() {
    let json = json();
    for case in json["rnn"].as_array().unwrap() {
        let t = case["T"].as_u64().unwrap() as usize;
        let run = run_all(&Rnn::literal(t), 64);
        assert!(normwise(run.x_final(3), &vec_of(&case["x_final"])) < 1e-15, "T = {t}");
        assert!(normwise(&run.serial[..3], &vec_of(&case["x_1"])) < 1e-15);
        let coord1: Vec<f64> = run.serial.chunks(3).map(|x| x[0]).collect();
        assert!(normwise(&coord1, &vec_of(&case["x_coord1"])) < 1e-14);
        for s in Scheme::ALL {
            let want = vec_of(&case["errors"][s.name()]);
            let got = &run.get(s).errors;
            assert_eq!(got.len(), want.len(), "{} T = {t}", s.name());
            for (n, (g, w)) in got.iter().zip(&want).enumerate() {
                // 1e-9 relative; 1e-14 absolute is the rounding floor of two different scans
                // (Hillis–Steele in numpy, the work-efficient tree here) — errors below ~1e-5 carry
                // fewer than 9 significant digits anyway.
                assert!((g - w).abs() <= 1e-9 * w + 1e-14, "{} T = {t} sweep {}: {g} vs {w}", s.name(), n + 1);
            }
        }
    }
}

#[test]
fn systems_match_numpy_and_mpmath() {
    let json = json();
    let mut count = 0;
    for sys in json["systems"].as_array().unwrap() {
        let basis = Basis::from_name(sys["basis"].as_str().unwrap()).unwrap();
        let disc = Disc::from_name(sys["disc"].as_str().unwrap()).unwrap();
        let (d, l, eps) = (sys["d"].as_u64().unwrap() as usize, sys["L"].as_u64().unwrap() as usize, sys["eps"].as_f64().unwrap());
        let what = format!("{} {} d={d} ε={eps} ({})", basis.name(), disc.name(), sys["ref"]);
        let ssm = Ssm::new(&SsmParams { basis, d, disc, eps, l, c: None, rft_a: vec![] }).unwrap();
        let tol = 1e-12;
        assert!(normwise(&ssm.a_bar, &rows_of(&sys["a_bar"])) < tol, "Ā {what}: {}", normwise(&ssm.a_bar, &rows_of(&sys["a_bar"])));
        assert!(normwise(&ssm.b_bar, &vec_of(&sys["b_bar"])) < tol, "B̄ {what}");
        let k = ssm.kernels(l);
        let want = vec_of(&sys["kernel"]);
        assert!(normwise(k.kernel(), &want) < tol, "K̄ {what}: {}", normwise(k.kernel(), &want));
        assert!(normwise(k.route(Route::Dft).unwrap(), &want) < tol, "DFT route {what}");
        count += 1;
    }
    assert!(count >= 15);
}

/// The unitary route of the eigenvector-wall chart: per row, the smallest and largest |U_nj| of
/// the unit eigenvectors of iS, against numpy's `eigh` (the moduli do not depend on the phases).
#[test]
fn unitary_route_moduli_match_numpy() {
    let json = json();
    for (d, want) in json["unitary_moduli"].as_object().unwrap() {
        let d: usize = d.parse().unwrap();
        let got = flowlab::math::ssm::legs_unitary_moduli(d).unwrap();
        let (lo, hi): (Vec<f64>, Vec<f64>) = got.iter().copied().unzip();
        let (wlo, whi) = (vec_of(&want["min"]), vec_of(&want["max"]));
        let err = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(x, y)| (x - y).abs()).fold(0.0, f64::max);
        assert_eq!(lo.len(), d);
        assert!(err(&lo, &wlo) < 1e-12 && err(&hi, &whi) < 1e-12, "d = {d}: {} {}", err(&lo, &wlo), err(&hi, &whi));
    }
}

#[test]
fn legs_matrix_skew_part_and_eigenvector_wall() {
    let json = json();
    assert_eq!(legs(4).0, rows_of(&json["legs_a_d4"]));
    for (d, want) in json["skew_frequencies"].as_object().unwrap() {
        let d: usize = d.parse().unwrap();
        let got = legs_skew_frequencies(d).unwrap();
        assert!(normwise(&got, &vec_of(want)) < 1e-13, "d = {d}: {got:?}");
    }
    for (d, want) in json["t9_abs_s"].as_object().unwrap() {
        let d: usize = d.parse().unwrap();
        let w = want.as_f64().unwrap();
        let got = legs_eigvec_sums(d, d / 3)[d / 3].abs();
        assert!((got - w).abs() <= 1e-12 * w, "d = {d}: {got} vs {w}");
        assert!((legs_eigvec_sum_closed(d, d / 3, d / 3).abs() - w).abs() <= 1e-12 * w);
    }
}

#[test]
fn legendre_projections_match_quadrature_and_scipy_zoh() {
    let json = json();
    let f = |s: f64| (2.0 * std::f64::consts::PI * s).sin() + 0.5 * s;
    let x = projection_of(f, 1.0, 8, 64);
    let want = vec_of(&json["t14_projection"]);
    assert!(normwise(&x, &want) < 1e-14, "{x:?}");
    let err = (0..=2000).map(|i| i as f64 / 2000.0).map(|s| (reconstruct(&x, 2.0 * s - 1.0) - f(s)).abs()).fold(0.0, f64::max);
    let w = json["t15_reconstruction_error"].as_f64().unwrap();
    assert!((err - w).abs() <= 1e-9 * w, "{err} vs {w}");
    for case in json["held_chirp"].as_array().unwrap() {
        let (d, l, t, eps) = (
            case["d"].as_u64().unwrap() as usize,
            case["L"].as_u64().unwrap() as usize,
            case["t"].as_u64().unwrap() as usize,
            case["eps"].as_f64().unwrap(),
        );
        let u = input(Input::Chirp, l, 0, &[]);
        let online = projection(&u, t, d, Warp::Uniform);
        assert!(normwise(&online, &vec_of(&case["legs_online"])) < 1e-13, "online d={d} t={t}");
        let sys = Ssm::new(&SsmParams { basis: Basis::S4, d, disc: Disc::Zoh, eps, l, c: None, rft_a: vec![] }).unwrap();
        let want = vec_of(&case["s4_zoh"]);
        assert!(normwise(&sys.state_after(&u, t), &want) < 1e-13, "s4 zoh d={d} t={t}");
        assert!(normwise(&projection(&u, t, d, Warp::Exp(eps)), &want) < 1e-13, "s4 warped projection d={d} t={t}");
    }
}

#[test]
fn rft_of_a_general_system() {
    let json = json();
    let c = &json["t16"];
    let sys = Ssm::from_matrices(3, &rows_of(&c["a_bar"]), &vec_of(&c["b_bar"]), &vec_of(&c["c_bar"])).unwrap();
    let k = sys.kernels(8);
    let want = vec_of(&c["kernel"]);
    for r in [Route::Powers, Route::Dft, Route::Rft] {
        assert!(normwise(k.route(r).unwrap(), &want) < 1e-14, "{r:?}");
    }
    let (a, b) = k.coeffs.clone().unwrap();
    assert!(normwise(&a, &vec_of(&c["a"])) < 1e-14 && normwise(&b, &vec_of(&c["b"])) < 1e-13, "{a:?} {b:?}");
}
