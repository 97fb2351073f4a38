//! Tests that run over every registered lab: a lab gets them by being in the registry.

use flowlab::cli;
use flowlab::lab::{parse_query, ControlKind, DynLab, Notice, Value, SHELL_KEYS};
use flowlab::labs::LABS;
use proptest::prelude::*;
use std::collections::HashSet;
use std::path::PathBuf;

fn golden_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

/// A value in range that differs from `default` (for URL round trips).
fn other_value(key: &str, kind: &ControlKind, default: &Value) -> Value {
    match (kind, default) {
        (ControlKind::Text { .. }, Value::Text(_)) if key == "view" => Value::Text("-3,2.5,-1,4".into()),
        (ControlKind::Text { .. }, Value::Text(_)) if key == "z" => Value::Text("0.25,-1.5,2,3.125".into()),
        (ControlKind::Text { .. }, Value::Text(_)) if key == "mix" => Value::Text("1,0,0,0.5;2,1.5,-1,0.25".into()),
        (ControlKind::Text { .. }, Value::Text(_)) => Value::Text("x^2 + 3*sin(y) - min(x, y)".into()),
        (ControlKind::Num { min, max, integer, log }, Value::Num(d)) => {
            let mut v = if *log { (min.ln() + 0.37 * (max.ln() - min.ln())).exp() } else { min + 0.37 * (max - min) };
            if *integer {
                v = v.round();
            }
            if (v - d).abs() < 1e-12 {
                v = *max;
            }
            Value::Num(v)
        }
        (ControlKind::Choice { options }, Value::Choice(d)) => Value::Choice(options.iter().find(|(k, _)| k != d).unwrap().0.to_string()),
        (ControlKind::Flag, Value::Flag(b)) => Value::Flag(!b),
        (ControlKind::Set { options }, Value::Set(d)) => {
            let mut s: Vec<String> = options.iter().map(|(k, _)| k.to_string()).filter(|k| !d.contains(k)).take(2).collect();
            if s.is_empty() {
                s.push(options[0].0.to_string());
            }
            Value::Set(s)
        }
        _ => panic!("control kind and value disagree"),
    }
}

#[test]
fn registry_is_consistent() {
    let mut slugs = HashSet::new();
    for e in LABS {
        assert!(slugs.insert(e.slug), "duplicate slug {}", e.slug);
        assert!(e.slug.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'), "slug {} is URL-safe", e.slug);
        let lab = (e.make)();
        assert_eq!(lab.slug(), e.slug);
        let meta = lab.meta();
        assert!(!meta.title.is_empty() && !meta.tagline.is_empty() && !meta.look_at.is_empty());
        let mut keys = HashSet::new();
        for c in lab.controls() {
            assert!(keys.insert(c.key), "{}: duplicate key {}", e.slug, c.key);
            assert!(!SHELL_KEYS.contains(&c.key), "{}: key {} is reserved for the shell", e.slug, c.key);
            // Lower case by convention; `T` (the force-mode plane height) is the issue's own name.
            assert!(c.key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'), "{}: key {}", e.slug, c.key);
            assert!(!c.label.is_empty());
            if let ControlKind::Num { min, max, log, .. } = c.kind {
                assert!(min < max && (!log || min > 0.0), "{}: bad range for {}", e.slug, c.key);
                let Value::Num(d) = c.default else { panic!("numeric default") };
                assert!((min..=max).contains(&d), "{}: default of {} in range", e.slug, c.key);
            }
        }
        // The default state writes nothing into the URL.
        assert!(lab.query_pairs().is_empty(), "{}: defaults are not written: {:?}", e.slug, lab.query_pairs());
        // "Things to try" links are valid URLs for this lab: nothing ignored or clamped.
        for (_, q) in meta.try_these {
            let mut l = (e.make)();
            let notes = l.apply_query(&parse_query(q));
            assert!(notes.is_empty(), "{}: preset '{q}' gives {notes:?}", e.slug);
        }
    }
}

#[test]
fn every_control_round_trips_through_the_url() {
    for e in LABS {
        let base = (e.make)();
        for c in base.controls() {
            let mut lab = (e.make)();
            let v = other_value(c.key, &c.kind, &c.default);
            lab.set_value(c.key, &v).unwrap_or_else(|n| panic!("{}: {} rejected {v:?}: {n:?}", e.slug, c.key));
            let pairs = lab.query_pairs();
            assert!(pairs.iter().any(|(k, _)| k == c.key), "{}: {} written to the URL", e.slug, c.key);
            let q = flowlab::lab::build_query(e.slug, &pairs);
            let mut back = (e.make)();
            let notes = back.apply_query(&parse_query(&q));
            assert!(notes.is_empty(), "{}: {q} gives {notes:?}", e.slug);
            assert_eq!(back.controls(), lab.controls(), "{}: {} round trip via {q}", e.slug, c.key);
            assert_eq!(back.query_pairs(), pairs);
        }
    }
}

#[test]
fn junk_and_extreme_values_are_reported_and_never_applied_raw() {
    let junk = ["abc", "", "nan", "NaN", "inf", "-inf", "infinity", "1e999", "0x10", "1,5", "１", "−1", "%00", "1e-400e"];
    for e in LABS {
        let base = (e.make)();
        for c in base.controls() {
            for j in junk {
                let mut lab = (e.make)();
                let notes = lab.apply_query(&[(c.key.to_string(), j.to_string())]);
                let v = lab.controls().into_iter().find(|x| x.key == c.key).unwrap().value;
                match &c.kind {
                    ControlKind::Num { min, max, .. } => {
                        let Value::Num(x) = v else { panic!() };
                        assert!(x.is_finite() && x >= *min && x <= *max, "{}: {}={j:?} gave {x}", e.slug, c.key);
                        // 1e-400 parses to 0, a legitimate (clamped) number; everything else here is junk.
                        assert!(!notes.is_empty(), "{}: {}={j:?} must be reported", e.slug, c.key);
                    }
                    // An empty value is an option of some selects (`compare=`: no second solver).
                    ControlKind::Choice { options } if j.is_empty() && options.iter().any(|(k, _)| k.is_empty()) => {
                        assert!(notes.is_empty(), "{}: {}= is an option", e.slug, c.key);
                    }
                    ControlKind::Flag | ControlKind::Choice { .. } => {
                        assert_eq!(notes.len(), 1, "{}: {}={j:?} → {notes:?}", e.slug, c.key);
                        assert_eq!(v, c.default);
                    }
                    ControlKind::Text { check } => {
                        // Text is taken exactly when it is valid; otherwise reported and the default kept.
                        assert_eq!(notes.is_empty(), check(j).is_none(), "{}: {}={j:?} → {notes:?}", e.slug, c.key);
                        if !notes.is_empty() {
                            assert_eq!(v, c.default, "{}: {} keeps its value", e.slug, c.key);
                        }
                    }
                    ControlKind::Set { .. } => {
                        if !j.is_empty() {
                            assert!(!notes.is_empty(), "{}: {}={j:?}", e.slug, c.key);
                            assert_eq!(v, c.default, "{}: a set with junk is ignored whole", e.slug);
                        }
                    }
                }
            }
            if let ControlKind::Num { min, max, .. } = c.kind {
                for (given, want) in [(max + 1.0 + max.abs() * 10.0, max), (min - 1.0 - min.abs() * 10.0, min)] {
                    let mut lab = (e.make)();
                    let notes = lab.apply_query(&[(c.key.to_string(), format!("{given}"))]);
                    assert!(matches!(notes.as_slice(), [Notice::Clamped { .. }]), "{}: {} = {given} → {notes:?}", e.slug, c.key);
                    let v = lab.controls().into_iter().find(|x| x.key == c.key).unwrap().value;
                    assert_eq!(v, Value::Num(want), "{}: {} clamped", e.slug, c.key);
                }
            }
        }
        let mut lab = (e.make)();
        let notes = lab.apply_query(&parse_query("embed=1&lang=zh&no_such_key=3&%ZZ=1"));
        let unknown: Vec<&str> = notes.iter().map(|n| n.key()).collect();
        assert_eq!(unknown, vec!["no_such_key", "%ZZ"], "{}: shell keys are not reported", e.slug);
    }
}

/// The page's figure per lab at default settings, compared to the committed golden SVG.
/// `FLOWLAB_BLESS=1 cargo test --test labs` regenerates them on purpose.
#[test]
fn svg_goldens() {
    for e in LABS {
        let out = cli::run(&["svg".into(), format!("lab={}", e.slug)]).expect("render");
        let path = golden_dir().join(format!("{}.svg", e.slug));
        if std::env::var_os("FLOWLAB_BLESS").is_some() || !path.exists() && std::env::var_os("CI").is_none() {
            std::fs::write(&path, &out.body).unwrap();
        }
        let want = std::fs::read_to_string(&path).unwrap_or_else(|_| panic!("missing golden {path:?}: run with FLOWLAB_BLESS=1"));
        assert!(out.body.contains(&format!("<desc>?lab={}</desc>", e.slug)));
        if matches!(e.slug, "optimizers" | "gradient_flow") {
            assert!(out.body.contains("data:image/png;base64,"), "{}: the background raster is embedded", e.slug);
        }
        assert!(out.body == want, "{}: SVG differs from {path:?} (FLOWLAB_BLESS=1 to accept on purpose)", e.slug);
    }
}

/// Model and drawing code import nothing from the UI.
#[test]
fn layering() {
    let src = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut checked = 0;
    let mut stack = vec![src.join("math"), src.join("plot"), src.join("labs")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let p = entry.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                let text = std::fs::read_to_string(&p).unwrap();
                for banned in ["leptos", "web_sys", "wasm_bindgen", "js_sys", "crate::ui", "plotters_canvas"] {
                    assert!(!text.contains(banned), "{p:?} mentions {banned}");
                }
                checked += 1;
            }
        }
    }
    assert!(checked >= 8, "layering test found only {checked} files");
}

fn arb_value(key: &'static str, kind: ControlKind) -> BoxedStrategy<String> {
    match kind {
        ControlKind::Text { .. } if key == "view" => (-10.0f64..9.0, 0.1f64..10.0, -10.0f64..9.0, 0.1f64..10.0)
            .prop_map(|(x, w, y, h)| format!("{x},{},{y},{}", x + w, y + h))
            .boxed(),
        // Mixtures: 1 to 5 components with valid numbers.
        ControlKind::Text { .. } if key == "mix" => {
            proptest::collection::vec((0.1f64..3.0, -4.0f64..4.0, -4.0f64..4.0, 0.05f64..1.0), 1..5)
                .prop_map(|v| v.iter().map(|(w, x, y, s)| format!("{w},{x},{y},{s}")).collect::<Vec<_>>().join(";"))
                .boxed()
        }
        // Logit lists: ordinary values, ties, huge magnitudes, infinities and NaN, 2 to 32 of them.
        ControlKind::Text { .. } if key == "z" => proptest::collection::vec(
            prop_oneof![
                6 => (-8.0f64..8.0).prop_map(|v| format!("{v}")),
                1 => Just("0".to_string()),
                1 => Just("1e300".to_string()),
                1 => Just("-1e300".to_string()),
                1 => Just("inf".to_string()),
                1 => Just("-inf".to_string()),
                1 => Just("nan".to_string()),
            ],
            2..=32,
        )
        .prop_map(|v| v.join(","))
        .boxed(),
        ControlKind::Text { .. } => proptest::sample::select(
            flowlab::labs::plane::GALLERY
                .iter()
                .map(|g| g.expr.to_string())
                .chain(["log(x)".to_string(), "1/(x*y)".to_string(), "sqrt(x) + y^2".to_string()])
                .collect::<Vec<_>>(),
        )
        .boxed(),
        ControlKind::Num { min, max, integer, .. } => {
            let span = max - min;
            prop_oneof![
                4 => (min..=max).prop_map(move |v| if integer { format!("{}", v.round()) } else { format!("{v}") }),
                1 => ((min - span)..(max + span)).prop_map(|v| format!("{v}")),
                1 => Just(format!("{min}")),
                1 => Just(format!("{max}")),
            ]
            .boxed()
        }
        ControlKind::Choice { options } => proptest::sample::select(options.iter().map(|(k, _)| k.to_string()).collect::<Vec<_>>()).boxed(),
        ControlKind::Flag => prop_oneof![Just("0".to_string()), Just("1".to_string())].boxed(),
        ControlKind::Set { options } => {
            proptest::sample::subsequence(options.iter().map(|(k, _)| k.to_string()).collect::<Vec<_>>(), 0..=options.len())
                .prop_map(|v| v.join(","))
                .boxed()
        }
    }
}

fn arb_query(slug: &'static str) -> impl Strategy<Value = Vec<(String, String)>> {
    let lab = flowlab::labs::find(slug).map(|e| (e.make)()).unwrap();
    let controls = lab.controls();
    let strategies: Vec<_> = controls.into_iter().map(|c| (Just(c.key.to_string()), arb_value(c.key, c.kind), any::<bool>())).collect();
    strategies.prop_map(|v| v.into_iter().filter(|(_, _, keep)| *keep).map(|(k, v, _)| (k, v)).collect())
}

fn check_lab(lab: &mut dyn DynLab) {
    lab.finish();
    for row in lab.data().rows {
        for cell in row {
            if let Ok(x) = cell.parse::<f64>() {
                assert!(x.is_finite(), "non-finite cell {cell}");
            }
        }
    }
    for r in lab.readouts() {
        assert!(!r.text.contains("NaN") || r.warn, "readout shows NaN: {r:?}");
    }
    let svg = lab.render_svg(240, 200, &flowlab::plot::theme::Theme::light(1.0), "").expect("render");
    // Look at the markup only: base64 image data can spell anything.
    let markup: String =
        svg.split("base64,").enumerate().map(|(i, part)| if i == 0 { part } else { part.split_once('"').map_or("", |x| x.1) }).collect();
    for bad in ["NaN", "inf", "e308"] {
        assert!(!markup.contains(bad), "non-finite or overflowing coordinate '{bad}' reached the SVG");
    }
}

/// Applies generated query pairs to a fresh lab (numeric values of the keys in `caps` clamped to
/// [−5, cap] so costly labs stay quick; junk stays junk), then runs [`check_lab`]: no value may be
/// ignored (the generators only produce usable values), nothing non-finite may appear.
fn check_query(slug: &str, pairs: Vec<(String, String)>, caps: &[(&str, f64)]) -> Result<(), TestCaseError> {
    let mut lab = flowlab::labs::find(slug).map(|e| (e.make)()).unwrap();
    let pairs: Vec<(String, String)> = pairs
        .into_iter()
        .map(|(k, v)| match caps.iter().find(|(c, _)| *c == k) {
            Some((_, cap)) => {
                let v = v.parse::<f64>().map(|x| x.clamp(-5.0, *cap).to_string()).unwrap_or(v);
                (k, v)
            }
            None => (k, v),
        })
        .collect();
    let notes = lab.apply_query(&pairs);
    prop_assert!(notes.iter().all(|n| !n.is_ignored()), "{:?}", notes);
    check_lab(lab.as_mut());
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Any parameters within and beyond the control ranges: no panic, nothing non-finite reaches
    /// the data or the drawing.
    #[test]
    fn optimizers_never_panic_or_draw_non_finite(pairs in arb_query("optimizers")) {
        check_query("optimizers", pairs, &[])?;
    }

    /// The same for the gradient-flow lab.
    #[test]
    fn gradient_flow_never_panics_or_draws_non_finite(pairs in arb_query("gradient_flow")) {
        check_query("gradient_flow", pairs, &[])?;
    }

    /// The same for the softmax lab.
    #[test]
    fn softmax_never_panics_or_draws_non_finite(pairs in arb_query("softmax")) {
        check_query("softmax", pairs, &[])?;
    }

    /// The same for the Johnson–Lindenstrauss lab (sizes kept small: every case runs to completion).
    #[test]
    fn jl_never_panics_or_draws_non_finite(pairs in arb_query("jl")) {
        check_query("jl", pairs, &[("n", 60.0), ("d", 300.0), ("k", 400.0)])?;
    }

    /// The same for the diffusion lab (few particles: every case runs to completion).
    #[test]
    fn diffusion_never_panics_or_draws_non_finite(pairs in arb_query("diffusion")) {
        check_query("diffusion", pairs, &[("n", 150.0), ("steps", 8.0)])?;
    }

    /// Arbitrary query strings never panic the parser or the lab.
    #[test]
    fn arbitrary_queries_never_panic(q in "[ -~]{0,80}", slug in proptest::sample::select(LABS.iter().map(|e| e.slug).collect::<Vec<_>>())) {
        let mut lab = flowlab::labs::find(slug).map(|e| (e.make)()).unwrap();
        let _ = lab.apply_query(&parse_query(&q));
        lab.advance(50);
        let _ = lab.query_pairs();
    }
}

/// The README lists every lab and documents every URL key (teachers write these links by hand).
#[test]
fn readme_documents_every_lab_and_key() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    for e in LABS {
        assert!(readme.contains(&format!("`{}`", e.slug)), "README lists lab {}", e.slug);
        for c in (e.make)().controls() {
            assert!(readme.contains(&format!("`{}`", c.key)), "README documents key {}", c.key);
        }
    }
    for k in SHELL_KEYS {
        assert!(readme.contains(&format!("`{k}`")), "README documents shell key {k}");
    }
}
