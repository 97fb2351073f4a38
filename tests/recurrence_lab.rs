//! The recurrence lab through its public surface (the CLI's JSON, the readouts) against the
//! independent reference values of `scripts/golden/recurrence.py` →
//! `tests/golden/recurrence_reference.json` and the spec's W2 numbers.
use flowlab::cli;
use serde_json::Value;

fn reference() -> Value {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden/recurrence_reference.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// The CLI's JSON for a query (background work run to completion, as the CLI does).
fn data(q: &str) -> Value {
    let out = cli::run(&["data".into(), format!("lab=recurrence&{q}"), "--format".into(), "json".into()]).unwrap();
    assert!(out.warnings.is_empty(), "{q}: {:?}", out.warnings);
    serde_json::from_str(&out.body).unwrap()
}

fn nums(v: &Value) -> Vec<f64> {
    v.as_array().unwrap_or_else(|| panic!("not a list: {v}")).iter().map(|x| x.as_f64().unwrap()).collect()
}

fn rows(v: &Value) -> Vec<f64> {
    v.as_array().unwrap().iter().flat_map(nums).collect()
}

/// Largest |got − want| relative to max |want|.
fn normwise(got: &[f64], want: &[f64]) -> f64 {
    assert_eq!(got.len(), want.len());
    let scale = want.iter().fold(0.0f64, |a, v| a.max(v.abs()));
    got.iter().zip(want).map(|(g, w)| (g - w).abs()).fold(0.0, f64::max) / scale
}

#[test]
fn rnn_json_contract_matches_the_reference_sweep_by_sweep() {
    let r = reference();
    for case in r["rnn"].as_array().unwrap() {
        let t = case["T"].as_u64().unwrap();
        let v = data(&format!("preset=literal&T={t}"));
        assert!(normwise(&nums(&v["x_final"]), &nums(&case["x_final"])) < 1e-15, "x_final T = {t}");
        for scheme in ["plain", "sech_u", "newton"] {
            let got = nums(&v[format!("errors_{scheme}").as_str()]);
            let want = nums(&case["errors"][scheme]);
            assert_eq!(got.len(), (t as usize).min(64), "{scheme} T = {t}: sweeps 1…min(T, 64)");
            for (n, (g, w)) in got.iter().zip(&want).enumerate() {
                // 1e-9 relative; 1e-14 absolute is the rounding floor of two different scans.
                assert!((g - w).abs() <= 1e-9 * w + 1e-14, "{scheme} T = {t} sweep {}: {g} vs {w}", n + 1);
            }
        }
    }
    // W2-T5 as printed in the spec.
    let v = data("preset=literal&T=32");
    for (g, w) in nums(&v["x_final"]).iter().zip([-0.7422471760, 0.8783449375, -0.8206547085]) {
        assert!((g - w).abs() < 5e-11, "{g} vs {w}");
    }
    // The first row of the table is t = 1 with x₁ of W2-T5.
    let row = nums(&v["rows"][0]);
    assert_eq!(row[0], 1.0);
    for (g, w) in row[1..4].iter().zip([0.6152689333, 0.7614150220, 0.5885620713]) {
        assert!((g - w).abs() < 5e-11, "{g} vs {w}");
    }
}

#[test]
fn ssm_json_contract_matches_numpy_and_mpmath_systems() {
    let r = reference();
    let mut n = 0;
    for sys in r["systems"].as_array().unwrap() {
        let (basis, disc) = (sys["basis"].as_str().unwrap(), sys["disc"].as_str().unwrap());
        let (d, l, eps) = (sys["d"].as_u64().unwrap(), sys["L"].as_u64().unwrap(), sys["eps"].as_f64().unwrap());
        let q = format!("mode=ssm&basis={basis}&disc={disc}&d={d}&L={l}&eps={eps}");
        let v = data(&q);
        assert!(normwise(&rows(&v["a_bar"]), &rows(&sys["a_bar"])) < 1e-12, "a_bar {q}");
        assert!(normwise(&nums(&v["b_bar"]), &nums(&sys["b_bar"])) < 1e-12, "b_bar {q}");
        let kernel = nums(&v["kernel"]);
        assert!(normwise(&kernel, &nums(&sys["kernel"])) < 1e-12, "kernel {q}: {}", normwise(&kernel, &nums(&sys["kernel"])));
        assert_eq!(v["a_bar"].as_array().unwrap().len(), d as usize);
        // The route difference is what the table's route columns show.
        let diff = v["kernel_max_route_diff"].as_f64().expect("a stable system has all routes");
        // Cells of a route that is not available are empty strings: left out.
        let table: Vec<Vec<f64>> =
            v["rows"].as_array().unwrap().iter().map(|r| r.as_array().unwrap().iter().filter_map(Value::as_f64).collect()).collect();
        assert!(table.iter().all(|r| r.len() >= 4), "{q}: every cell of k, kernel and two routes is a number");
        assert_eq!(table.len(), l as usize);
        let from_rows = table
            .iter()
            .map(|r| r[2..].iter().fold(f64::NEG_INFINITY, |a, &b| a.max(b)) - r[2..].iter().fold(f64::INFINITY, |a, &b| a.min(b)))
            .fold(0.0, f64::max);
        assert!((from_rows - diff).abs() <= 1e-15 * diff.max(1e-300) + 1e-300, "{q}: {from_rows} vs {diff}");
        if disc == "zoh" || d <= 8 {
            assert!(diff < 1e-9, "{q}: routes agree ({diff})");
        }
        n += 1;
    }
    assert!(n >= 15);
    // LegS online is S4 as a time-invariant system in ln t: same kernel (the default page).
    let s4 = r["systems"].as_array().unwrap().iter().find(|s| s["basis"] == "s4" && s["disc"] == "bilinear" && s["d"] == 8).unwrap();
    let v = data("mode=ssm");
    assert!(normwise(&nums(&v["kernel"]), &nums(&s4["kernel"])) < 1e-12);
}

#[test]
fn rft_roots_and_shift_register() {
    // W2-T18: Σ|a| = 0.9 ⇒ inside; Σ|a| = 1.81 and still inside (the condition is sufficient only).
    for (a, want) in [("0.3,-0.2,0.4", 0.9517379574), ("-1.2,0.53,-0.08", 0.4941719095)] {
        let v = data(&format!("mode=ssm&basis=rft&d=3&rft_a={a}"));
        let rho = v["spectral_radius"].as_f64().unwrap();
        assert!((rho - want).abs() < 5e-11, "{a}: {rho} vs {want}");
    }
    // a = 0: a shift register, whose kernel is the numerator b (= C) and then zeros.
    let v = data("mode=ssm&basis=rft&d=4&L=16");
    let k = nums(&v["kernel"]);
    for (i, want) in [1.0, -0.5, 0.25, -0.125].iter().enumerate() {
        assert!((k[i] - want).abs() < 1e-15, "K̄_{i} = {}", k[i]);
    }
    assert!(k[4..].iter().all(|x| x.abs() < 1e-15), "{k:?}");
    assert!(v["kernel_max_route_diff"].as_f64().unwrap() < 1e-14);
}

#[test]
fn divergence_is_reported_and_stops_cleanly() {
    let v = data("T=512&d=8&radius=1.5&amp=0.05");
    let at = v["diverged_at_plain"].as_f64().expect("plain diverges") as usize;
    assert_eq!(nums(&v["errors_plain"]).len(), at - 1, "the errors stop at the last finite sweep");
    let (lab, _) = cli::instance_for("lab=recurrence&T=512&d=8&radius=1.5&amp=0.05").unwrap();
    let mut lab = lab;
    lab.finish();
    let r = lab.readouts();
    let plain = r.iter().find(|x| x.label.starts_with("plain")).unwrap();
    assert!(plain.warn && plain.text.contains(&format!("diverged at sweep {at}")), "{plain:?}");
    // Below spectral radius 1 plain sweeps can diverge too (issue trap).
    let v = data("T=512&d=8&radius=0.95");
    assert!(v["diverged_at_plain"].is_number() && v["diverged_at_newton"].is_null());
    assert!(v["converged_at_newton"].is_number());
}

#[test]
fn plain_sweeps_are_reported_as_not_monotone() {
    let (mut lab, _) = cli::instance_for("lab=recurrence&preset=literal&T=32&sweeps=2").unwrap();
    lab.finish();
    let r = lab.readouts();
    let plain = r.iter().find(|x| x.label.starts_with("plain")).unwrap();
    assert!(plain.text.contains("error after sweep 2: 1.059"), "{plain:?}");
    assert!(plain.text.contains("the error grows at sweep 2"), "{plain:?}");
    let newton = r.iter().find(|x| x.label.starts_with("Newton")).unwrap();
    assert!(!newton.text.contains("grows"), "{newton:?}");
}

#[test]
fn extreme_systems_never_draw_non_finite() {
    // Unstable RFTs and discretisations, at the small size of the registry's property test.
    let cases = [
        "mode=ssm&basis=rft&d=8&rft_a=2,-2,2,-2,2,-2,2,-2&L=256",
        "mode=ssm&basis=rft&d=3&rft_a=2,2,2&L=256&c=1000,-1000,1000",
        "mode=ssm&basis=rft&d=64&rft_a=-2,2,-2,2&L=256&input=noise",
        "mode=ssm&basis=s4&disc=euler&eps=1&d=64&L=256",
        "mode=ssm&basis=legs_online&disc=euler&eps=1&d=64&L=256&t=3",
        "mode=ssm&basis=diagonal&disc=zoh&eps=0.001&d=1&L=8&t=0",
        "T=8&sweeps=8&radius=1.5&amp=3&d=8",
        "T=128&d=8&radius=1.5&amp=0&sweeps=0",
    ];
    for q in cases {
        let (mut lab, notes) = cli::instance_for(&format!("lab=recurrence&{q}")).unwrap();
        assert!(notes.is_empty(), "{q}: {notes:?}");
        lab.finish();
        for (w, h) in [(240, 200), (900, 900)] {
            let svg = lab.render_svg(w, h, &flowlab::plot::theme::Theme::light(1.0), "", &cli::png_base64).expect("render");
            let markup: String = svg
                .split("base64,")
                .enumerate()
                .map(|(i, part)| if i == 0 { part } else { part.split_once('"').map_or("", |x| x.1) })
                .collect();
            for bad in ["NaN", "inf", "e308"] {
                assert!(!markup.contains(bad), "{q}: '{bad}' in the SVG");
            }
        }
        assert!(lab.readouts().iter().all(|r| !r.text.contains("NaN") || r.warn), "{q}");
    }
}

/// d, the shown sweep and the time cursor take the range that applies now: d is 1…8 for the RNN
/// and 1…64 for the SSM (one key, each mode keeping its own value), the sweep 0…min(T, 64), the
/// cursor 0…L; a value past it is clamped with a notice, and shrinking T or L pulls them in.
#[test]
fn ranges_follow_the_mode_and_the_lengths() {
    use flowlab::lab::{Notice, Value};
    let control = |lab: &dyn flowlab::lab::DynLab, key: &str| lab.controls().into_iter().find(|c| c.key == key).unwrap();
    let with = |q: &str| {
        let e = flowlab::labs::LABS.iter().find(|e| e.slug == "recurrence").unwrap();
        let mut lab = (e.make)();
        let notes = lab.apply_query(&flowlab::lab::parse_query(q));
        (lab, notes)
    };
    let (lab, notes) = with("d=20");
    assert!(matches!(notes.as_slice(), [Notice::Clamped { key, used, .. }] if key == "d" && used == "8"), "{notes:?}");
    assert_eq!(control(&*lab, "d").bounds, Some((1.0, 8.0)));
    assert_eq!(control(&*lab, "d").value, Value::Num(8.0));
    let (mut lab, notes) = with("mode=ssm&d=20");
    assert!(notes.is_empty(), "{notes:?}");
    assert_eq!(control(&*lab, "d").bounds, Some((1.0, 64.0)));
    assert_eq!(control(&*lab, "d").value, Value::Num(20.0));
    assert_eq!(lab.set_text("d", "64").unwrap(), None);
    // The RNN keeps its own d (the default 3), in its own range.
    lab.set_text("mode", "rnn").unwrap();
    assert_eq!((control(&*lab, "d").value, control(&*lab, "d").bounds), (Value::Num(3.0), Some((1.0, 8.0))));
    assert!(matches!(lab.set_text("d", "9"), Ok(Some(Notice::Clamped { .. }))));
    lab.set_text("mode", "ssm").unwrap();
    assert_eq!(control(&*lab, "d").value, Value::Num(64.0));
    // The SSM's d = 64 and the RNN's d = 8 both reach the URL and come back.
    let q = flowlab::lab::build_query("recurrence", &lab.query_pairs());
    assert!(q.contains("d=64"), "{q}");

    let (mut lab, _) = with("T=16&sweeps=12");
    assert_eq!(control(&*lab, "sweeps").bounds, Some((0.0, 16.0)));
    lab.set_text("T", "8").unwrap();
    assert_eq!((control(&*lab, "sweeps").value, control(&*lab, "sweeps").bounds), (Value::Num(8.0), Some((0.0, 8.0))));
    let (mut lab, _) = with("mode=ssm&L=512&t=400");
    assert_eq!(control(&*lab, "t").bounds, Some((0.0, 512.0)));
    lab.set_text("L", "128").unwrap();
    assert_eq!(control(&*lab, "t").value, Value::Num(128.0));
    let (_, notes) = with("mode=ssm&L=64&t=100");
    assert!(matches!(notes.as_slice(), [Notice::Clamped { key, .. }] if key == "t"), "{notes:?}");
}

/// `input=drawn`: a press sets the knot under the pointer, a drag fills every knot along its path
/// (however fast), the knots travel in the URL, and the SSM reads the curve through them.
#[test]
fn a_drawn_input_follows_the_pointer_and_the_url() {
    use flowlab::lab::{parse_query, DynLab, Value};
    let make = || (flowlab::labs::LABS.iter().find(|e| e.slug == "recurrence").unwrap().make)();
    let knots = |lab: &dyn DynLab| match lab.controls().into_iter().find(|c| c.key == "drawn").unwrap().value {
        Value::Text(s) => s.split(',').filter(|x| !x.is_empty()).map(|x| x.parse::<f64>().unwrap()).collect::<Vec<f64>>(),
        v => panic!("{v:?}"),
    };
    let mut lab = make();
    assert!(lab.apply_query(&parse_query("mode=ssm&input=drawn&L=256&basis=legs_online&disc=zoh")).is_empty());
    assert!(knots(&*lab).is_empty(), "nothing drawn yet");
    // A press at s = 128 (the middle knot of 33) at height 1.
    assert!(lab.pointer(128.0, 1.0));
    let k = knots(&*lab);
    assert_eq!(k.len(), 33);
    assert_eq!(k[16], 1.0);
    assert_eq!(k.iter().filter(|v| **v != 0.0).count(), 1);
    // One fast stroke across the whole plot: every knot on the line from (0, 0.5) to (256, −0.5).
    assert!(lab.stroke((0.0, 0.5), (256.0, -0.5)));
    let k = knots(&*lab);
    for (j, v) in k.iter().enumerate() {
        let want = ((0.5 - j as f64 / 32.0) * 100.0).round() / 100.0;
        assert_eq!(*v, want, "knot {j}");
    }
    // Heights beyond the range are held at ±1.5; a stroke with nothing new changes nothing.
    assert!(lab.stroke((250.0, 9.0), (256.0, 9.0)));
    assert_eq!(*knots(&*lab).last().unwrap(), 1.5);
    assert!(!lab.stroke((250.0, 9.0), (256.0, 9.0)));
    assert!(!lab.stroke((f64::NAN, 0.0), (10.0, 0.0)));
    // The URL carries the knots and brings back the same state.
    let q = flowlab::lab::build_query("recurrence", &lab.query_pairs());
    assert!(q.contains("drawn="), "{q}");
    let mut back = make();
    assert!(back.apply_query(&parse_query(&q)).is_empty());
    back.finish();
    lab.finish();
    assert_eq!(back.data().summary, lab.data().summary);
    assert_eq!(back.data().rows, lab.data().rows);
    // With ZOH the online state is the exact Legendre projection of the drawn (held) input.
    let v = data("mode=ssm&input=drawn&drawn=0,1&L=64&t=64&d=4&disc=zoh");
    let u: Vec<f64> = (0..64).map(|k| (k as f64 + 0.5) / 64.0).collect();
    let want = flowlab::math::ssm::projection(&u, 64, 4, flowlab::math::ssm::Warp::Uniform);
    let got = nums(&v["state"]);
    assert!(normwise(&got, &want) < 1e-12, "{got:?} vs {want:?}");
    // x₀ = mean of u = ½, x₁ = √3·(mean of u·(2s − 1)) = √3/6 − a held-step correction.
    assert!((got[0] - 0.5).abs() < 1e-12);
    // Elsewhere a press moves the cursor, as before.
    let mut other = make();
    other.apply_query(&parse_query("mode=ssm&input=chirp"));
    assert!(other.pointer(100.0, 0.0));
    assert!(knots(&*other).is_empty());
    assert_eq!(other.controls().into_iter().find(|c| c.key == "t").unwrap().value, Value::Num(100.0));
}
