//! The diffusion lab through its public surface: CLI data, the mixture editor, force mode.
use flowlab::cli;
use flowlab::lab::{parse_query, DynLab, Instance};
use flowlab::labs::diffusion::{Diffusion, FRAMES};

fn lab(q: &str) -> Instance<Diffusion> {
    let mut l = Instance::<Diffusion>::default();
    assert!(l.apply_query(&parse_query(q)).is_empty(), "{q}");
    l.finish();
    l
}

#[test]
fn data_has_start_and_end_points_and_json_the_nfe_and_error() {
    let out = cli::run(&["data".into(), "lab=diffusion&n=300&compare=".into()]).unwrap().body;
    let mut lines = out.lines().skip(1);
    assert_eq!(lines.next(), Some("particle,x_start,y_start,x_end,y_end"));
    assert_eq!(lines.count(), 300);
    let json =
        cli::run(&["data".into(), "lab=diffusion&n=300&solver=euler&steps=10".into(), "--format".into(), "json".into()]).unwrap().body;
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["nfe"], 10);
    assert_eq!(v["reference_particles"], 300);
    let e = v["mean_endpoint_error"].as_f64().unwrap();
    assert!(e > 0.1 && e < 0.5, "Euler N = 10 on the spec mixture: ≈ 0.27, got {e}");
    // Start points are N(0, 80²): their spread says so; end points sit near the modes.
    let rows = v["rows"].as_array().unwrap();
    let sd = (rows.iter().map(|r| r[1].as_f64().unwrap().powi(2)).sum::<f64>() / rows.len() as f64).sqrt();
    assert!((sd - 80.0).abs() < 10.0, "start spread {sd}");
    assert!(rows.iter().all(|r| r[3].as_f64().unwrap().abs() < 6.0), "ends near the target");
}

#[test]
fn equal_nfe_and_the_animation_runs_from_noise_to_the_end_points() {
    let l = lab("n=200&solver=heun&steps=5&compare=euler");
    let s = l.state();
    assert_eq!((s.runs[0].nfe(), s.runs[1].nfe(), s.runs[1].steps), (10, 10, 10), "the compare solver gets the same NFE");
    assert_eq!(s.frame, FRAMES);
    let mut pts = Vec::new();
    s.positions_at(0, 0, &mut pts);
    assert_eq!(pts, s.start);
    s.positions_at(0, FRAMES, &mut pts);
    assert_eq!(&pts, s.runs[0].positions.last().unwrap());
    assert!(s.error(0).unwrap() > s.error(1).unwrap(), "Heun at N = 5 loses to Euler at N = 10");
}

#[test]
fn dragging_a_centre_makes_a_custom_mixture_and_junk_is_refused() {
    let mut l = lab("n=100");
    assert!(l.pointer(-1.8, 0.2), "near the (−2, 0) mode");
    let q: Vec<(String, String)> = l.query_pairs();
    assert!(q.contains(&("target".into(), "custom".into())), "{q:?}");
    let mix = q.iter().find(|(k, _)| k == "mix").map(|x| x.1.clone()).unwrap();
    assert!(mix.starts_with("0.5,-1.8,0.2,0.3;"), "{mix}");
    assert!(!l.pointer(10.0, 10.0), "far from every centre: nothing moves");
    for junk in ["1,2,3", "0,0,0,1", "1,0,0,-1", "a,b,c,d", ""] {
        assert!(l.set_text("mix", junk).is_err(), "{junk:?} refused");
    }
}

#[test]
fn force_mode_reports_landing_fractions() {
    let json = cli::run(&[
        "data".into(),
        "lab=diffusion&mode=force&n=400&target=custom&mix=0.8,1,0,0.1;0.2,-1,0,0.1&T=200".into(),
        "--format".into(),
        "json".into(),
    ])
    .unwrap()
    .body;
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let (a, b) = (v["fraction_1"].as_f64().unwrap(), v["fraction_2"].as_f64().unwrap());
    assert!((a + b - 1.0).abs() < 1e-12);
    // Binomial sd at 400 particles: 0.02; 3 sd.
    assert!((a - 0.8).abs() < 0.06, "k = 3 lands in proportion to the weights: {a}");
}
