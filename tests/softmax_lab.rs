//! The softmax lab through its public surface: the URL, the data export, readouts and the pointer.
use flowlab::cli;
use flowlab::lab::{parse_query, DynLab, Instance};
use flowlab::labs::softmax::{Params, Softmax};

fn lab(q: &str) -> Instance<Softmax> {
    let mut l = Instance::<Softmax>::default();
    let notes = l.apply_query(&parse_query(q));
    assert!(notes.is_empty(), "{q}: {notes:?}");
    l.finish();
    l
}

fn row(l: &Instance<Softmax>, map: &str) -> Vec<f64> {
    let t = l.data();
    let r = t.rows.iter().find(|r| r[0] == map).unwrap_or_else(|| panic!("row {map}"));
    r[1..].iter().map(|c| c.parse().unwrap()).collect()
}

#[test]
fn data_rows_hold_every_map_at_full_precision() {
    let out = cli::run(&["data".into(), "lab=softmax".into()]).unwrap();
    let mut lines = out.body.lines().skip(1);
    assert_eq!(lines.next(), Some("map,p1,p2,p3"));
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 7);
    assert!(rows.contains(&"sparsemax,0.75,0.25,0"), "{rows:?}");
    assert!(rows.iter().any(|r| r.starts_with("softmax,0.5740969929676946,")), "{rows:?}");
    let json = cli::run(&["data".into(), "lab=softmax&maps=sparsemax,entmax".into(), "--format".into(), "json".into()]).unwrap().body;
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["tau_sparsemax"], 0.25);
    assert_eq!(v["support_entmax"], 2);
    assert!((v["tau_entmax"].as_f64().unwrap() - (3.0 - 31f64.sqrt()) / 8.0).abs() < 1e-15);
    assert!((v["entropy_sparsemax"].as_f64().unwrap() - (-(0.75f64 * 0.75f64.ln()) - 0.25 * 0.25f64.ln())).abs() < 1e-15);
}

#[test]
fn infinities_nan_huge_and_equal_logits_give_defined_outputs() {
    let l = lab("z=inf,0,-inf");
    for m in ["softmax", "sparsemax", "entmax", "sparse", "perturb"] {
        assert_eq!(row(&l, m), vec![1.0, 0.0, 0.0], "{m}");
    }
    let l = lab("z=0,nan,1");
    assert!(l.readouts().iter().any(|r| r.warn && r.text.contains("logit 2")), "a notice for NaN");
    for m in ["softmax", "sparsemax", "entmax", "amsoftmax", "taylor", "sparse", "perturb"] {
        let p = row(&l, m);
        assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-12 && p.iter().all(|v| v.is_finite()), "{m}: {p:?}");
    }
    assert_eq!(row(&l, "softmax")[1], 0.0, "NaN counts as −∞");
    let l = lab("z=1e300,-1e300,0,5");
    assert_eq!(row(&l, "sparsemax"), vec![1.0, 0.0, 0.0, 0.0]);
    let l = lab("z=2,2,2");
    for m in ["softmax", "sparsemax", "entmax", "taylor", "perturb"] {
        let p = row(&l, m);
        assert!(p.iter().all(|v| (v - 1.0 / 3.0).abs() < 1e-12), "{m}: {p:?}");
    }
    let z32: Vec<String> = (0..32).map(|k| format!("{}", (k as f64 * 0.37).sin() * 3.0)).collect();
    let l = lab(&format!("z={}", z32.join(",")));
    assert_eq!(l.data().columns.len(), 33);
    let l = lab("z=0.3,-1.2");
    assert_eq!(l.data().columns, vec!["map", "p1", "p2"]);
}

#[test]
fn junk_logits_are_refused_and_the_last_good_ones_kept() {
    let mut l = lab("");
    for junk in ["1", "1,2,x", "", &vec!["1"; 33].join(",")] {
        assert!(l.set_text("z", junk).is_err(), "{junk:?} refused");
        assert_eq!(l.params().z, Params::default().z);
    }
}

#[test]
fn taylor_softmax_shows_why_it_is_not_shift_invariant_nor_monotone() {
    let l = lab("maps=softmax,taylor");
    let taylor = l.readouts().into_iter().find(|r| r.label == "Taylor softmax").unwrap();
    assert!(taylor.text.contains("not shift-invariant: z + 1 gives p ="), "{}", taylor.text);
    assert!(taylor.text.contains("not monotone: z = (−3, −1.5, 0)"), "{}", taylor.text);
    let soft = l.readouts().into_iter().find(|r| r.label == "Softmax").unwrap();
    assert!(soft.text.contains("✓ monotone") && soft.text.contains("✓ shift-invariant"), "{}", soft.text);
    // At logits where Taylor's own order breaks, the counterexample is the current point.
    let l = lab("maps=taylor&z=-3,-1.5,0");
    let p = row(&l, "taylor");
    assert!(p[0] > p[1], "f₂(−3) = 2.5 > f₂(−1.5) = 0.625: {p:?}");
}

#[test]
fn dragging_sets_logits_and_keeps_their_mean() {
    let mut l = lab("z=2,2.5,1");
    // The plane point towards vertex 1 (straight up) raises z₁ relative to the others.
    assert!(l.pointer(0.0, 1.5));
    let z = l.params().z.clone();
    assert!((z.iter().sum::<f64>() / 3.0 - 5.5 / 3.0).abs() < 2e-3, "mean kept: {z:?}");
    assert!(z[0] > z[1] && (z[1] - z[2]).abs() < 1e-9, "{z:?}");
    assert!(((z[0] - z[1]) - 1.5).abs() < 2e-3, "distance along V₁ is 3/2 of the logit gap: {z:?}");
    let mut l = lab("z=1,2,3,4,5");
    assert!(l.pointer(3.2, -0.75));
    assert_eq!(l.params().z, vec![1.0, 2.0, -0.75, 4.0, 5.0]);
}

#[test]
fn the_caret_points_at_the_bad_logit() {
    let c = flowlab::labs::find("softmax").map(|e| (e.make)()).unwrap().controls().into_iter().find(|c| c.key == "z").unwrap();
    let flowlab::lab::ControlKind::Text { check, .. } = c.kind else { panic!("z is a text field") };
    assert_eq!(check("1,0.5,-1"), None);
    assert_eq!(check("1, 2,zz").map(|e| e.0), Some(6));
    assert_eq!(check("1").map(|e| e.0), Some(2), "too few: after the end");
}

#[test]
fn block_filled_support_rasters_equal_per_pixel_evaluation() {
    use flowlab::labs::softmax::{support_raster, support_raster_exact, Map};
    let mut cases = Vec::new();
    // Every α from 1 to 3 in steps of 0.04, and a few awkward ones.
    for alpha in (0..=50).map(|k| 1.0 + 0.04 * k as f64).chain([1.001, 1.4999, 2.0001]) {
        cases.push((Map::Entmax, Params { alpha, ..Default::default() }));
    }
    for tau in [0.05, 1.0, 20.0] {
        cases.push((Map::Softmax, Params { tau, ..Default::default() }));
    }
    for (margin, scale) in [(0.0, 1.0), (1.0, 64.0), (0.35, 30.0)] {
        cases.push((Map::AmSoftmax, Params { margin, scale, ..Default::default() }));
    }
    for m in [Map::Sparsemax, Map::Taylor, Map::Sparse, Map::Perturb] {
        cases.push((m, Params::default()));
    }
    let mut sizes = std::collections::BTreeSet::new();
    for (m, p) in cases {
        let (fast, exact) = (support_raster(m, &p), support_raster_exact(m, &p));
        let diff = fast.iter().zip(&exact).filter(|(a, b)| a != b).count();
        assert_eq!(diff, 0, "{m:?} α={} τ={}: {diff} pixels differ", p.alpha, p.tau);
        sizes.extend(exact.iter().copied());
    }
    // The cases cover all three support sizes (else the comparison would be vacuous).
    assert_eq!(sizes.into_iter().collect::<Vec<_>>(), vec![1, 2, 3]);
}
