//! Tests that run over every registered lab: a lab gets them by being in the registry.

use flowlab::cli;
use flowlab::lab::{parse_query, ControlKind, DynLab, Notice, Value, SHELL_KEYS};
use flowlab::labs::{LabEntry, LABS};
use proptest::prelude::*;
use std::collections::HashSet;
use std::path::PathBuf;

fn golden_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

/// A value in range (the range that applies now, `bounds`) that differs from `default` (for URL
/// round trips).
fn other_value(key: &str, kind: &ControlKind, bounds: Option<(f64, f64)>, default: &Value) -> Value {
    match (kind, default) {
        (ControlKind::Text { examples, .. }, Value::Text(d)) => Value::Text(
            examples
                .iter()
                .find(|e| *e != d)
                .unwrap_or_else(|| panic!("text control {key} declares no example other than its default"))
                .to_string(),
        ),
        (ControlKind::Num { integer, log, .. }, Value::Num(d)) => {
            let (min, max) = &bounds.expect("a number has bounds");
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
                let (lo, hi) = c.bounds.expect("a number has bounds");
                assert!(
                    min <= lo && lo < hi && hi <= max && (lo..=hi).contains(&d),
                    "{}: range now of {} within {min}…{max}",
                    e.slug,
                    c.key
                );
            }
        }
        // The default state writes nothing into the URL.
        assert!(lab.query_pairs().is_empty(), "{}: defaults are not written: {:?}", e.slug, lab.query_pairs());
        // "Things to try" links are valid URLs for this lab: nothing ignored or clamped (a step
        // may show a refused combination: that notice is its point).
        for (_, q) in meta.try_these {
            let mut l = (e.make)();
            let notes = l.apply_query(&parse_query(q));
            assert!(notes.iter().all(|n| matches!(n, Notice::Refused { .. })), "{}: preset '{q}' gives {notes:?}", e.slug);
        }
    }
}

#[test]
fn every_control_round_trips_through_the_url() {
    for e in LABS {
        let base = (e.make)();
        for c in base.controls() {
            let mut lab = (e.make)();
            let v = other_value(c.key, &c.kind, c.bounds, &c.default);
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
                    ControlKind::Text { check, .. } => {
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
            // Clamped to the range that applies now (it can depend on other controls).
            if let Some((min, max)) = c.bounds {
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

/// The page's figure per lab at default settings, compared to the committed golden SVG. Only
/// `FLOWLAB_BLESS=1 cargo test --test labs` writes them (on purpose); a missing golden fails.
#[test]
fn svg_goldens() {
    for e in LABS {
        let out = cli::run(&["svg".into(), format!("lab={}", e.slug)]).expect("render");
        let path = golden_dir().join(format!("{}.svg", e.slug));
        if std::env::var("FLOWLAB_BLESS").as_deref() == Ok("1") {
            std::fs::write(&path, &out.body).unwrap();
        }
        let want = std::fs::read_to_string(&path)
            .unwrap_or_else(|_| panic!("{}: no golden {path:?}; write it on purpose with FLOWLAB_BLESS=1 cargo test --test labs", e.slug));
        assert!(out.body.contains(&format!("<desc>?lab={}</desc>", e.slug)));
        // Every raster of the figure is embedded as a PNG.
        let (lab, _) = cli::instance_for(&format!("lab={}", e.slug)).unwrap();
        let ops = lab.record_page(900, 900, &flowlab::plot::theme::Theme::light(1.0)).unwrap();
        let images = ops.iter().filter(|o| matches!(o, flowlab::plot::backend::Op::Image { .. })).count();
        assert_eq!(out.body.matches("href=\"data:image/png;base64,").count(), images, "{}: every raster embedded", e.slug);
        assert!(out.body == want, "{}: SVG differs from {path:?} (FLOWLAB_BLESS=1 to accept on purpose)", e.slug);
        // Counted axes print whole numbers (`200`, not `200.0`).
        for label in out.body.split("</text>").filter_map(|t| t.rsplit('\n').nth(1)) {
            let l = label.trim();
            assert!(
                !(l.ends_with(".0") && l.trim_end_matches(".0").chars().all(|c| c.is_ascii_digit() || c == '-' || c == '−')),
                "{}: axis label {l:?}",
                e.slug
            );
        }
    }
}

/// What each layer of `src/` may not name. Everything outside `ui/` (and the wasm entry in
/// `main.rs`) is free of browser types; numerics know nothing of drawing or labs; drawing knows
/// nothing of labs; the contract knows no lab.
fn banned(rel: &str) -> Vec<&'static str> {
    let browser = ["leptos", "web_sys", "wasm_bindgen", "js_sys", "plotters_canvas", "crate::ui"];
    let mut b: Vec<&'static str> = browser.to_vec();
    let top = rel.split('/').next().unwrap_or("");
    match top {
        "math" => b.extend(["crate::plot", "crate::lab", "crate::labs", "plotters", "crate::cli", "crate::mathml"]),
        "plot" => b.extend(["crate::lab", "crate::labs", "crate::cli"]),
        "lab" => b.extend(["crate::labs", "crate::cli"]),
        "fmt.rs" | "mathml.rs" => b.extend(["crate::plot", "crate::lab", "crate::labs", "crate::math", "plotters"]),
        "i18n" => b.extend(["crate::plot", "crate::lab", "crate::labs", "crate::math", "plotters"]),
        "labs" | "cli.rs" | "lib.rs" => {}
        other => panic!("layering test: no rule for src/{other}"),
    }
    b
}

/// The layers of `src/` import only downwards (see [`banned`]), and the top-level modules form no
/// cycle.
#[test]
fn layering() {
    let src = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut checked = 0;
    let mut uses: std::collections::BTreeMap<String, std::collections::BTreeSet<String>> = Default::default();
    let mut stack = vec![src.clone()];
    let mods = ["fmt", "i18n", "math", "mathml", "plot", "lab", "labs", "cli"];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let p = entry.unwrap().path();
            let rel = p.strip_prefix(&src).unwrap().to_string_lossy().replace('\\', "/");
            if rel == "ui" || rel == "main.rs" {
                continue;
            }
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                let text = std::fs::read_to_string(&p).unwrap();
                for bad in banned(&rel) {
                    assert!(!text.contains(bad), "src/{rel} mentions {bad}");
                }
                let top = rel.split('/').next().unwrap().trim_end_matches(".rs").to_string();
                for m in mods {
                    if m != top && (text.contains(&format!("crate::{m}::")) || text.contains(&format!("crate::{m}::{{"))) {
                        uses.entry(top.clone()).or_default().insert(m.to_string());
                    }
                }
                checked += 1;
            }
        }
    }
    assert!(checked >= 40, "layering test found only {checked} files");
    // No cycles: repeatedly remove modules that use nothing still present.
    let mut left: std::collections::BTreeSet<String> = mods.iter().map(|m| m.to_string()).collect();
    while !left.is_empty() {
        let free: Vec<String> = left.iter().filter(|m| uses.get(*m).is_none_or(|u| u.iter().all(|d| !left.contains(d)))).cloned().collect();
        assert!(!free.is_empty(), "module cycle among {left:?}: {uses:?}");
        for f in free {
            left.remove(&f);
        }
    }
}

/// Every layer of every figure of every lab draws on the SVG backend too (the browser shows the
/// layers, not `All`): no error, every image encoded, and something drawn.
#[test]
fn every_layer_draws_on_svg() {
    use flowlab::lab::{Figure, Layer};
    use flowlab::plot::backend::Op;
    let theme = flowlab::plot::theme::Theme::dark(2.0);
    for e in LABS {
        let mut lab = (e.make)();
        lab.finish();
        let figs: &[Figure] = if e.meta.has_aux() { &[Figure::Main, Figure::Aux] } else { &[Figure::Main] };
        for &fig in figs {
            let mut total = 0;
            for layer in [Layer::Background, Layer::Foreground] {
                let mut ops = Vec::new();
                lab.record(fig, layer, 640, 480, &theme, &mut ops).unwrap_or_else(|err| panic!("{}: {fig:?} {layer:?}: {err}", e.slug));
                let svg = flowlab::plot::svg::write(&ops, (640, 480), &cli::png_base64);
                let images = ops.iter().filter(|o| matches!(o, Op::Image { .. })).count();
                assert_eq!(svg.matches("<image ").count(), images, "{}: {fig:?} {layer:?}: every image encoded", e.slug);
                assert!(svg.starts_with("<svg ") && svg.ends_with("</svg>\n"));
                total += ops.len();
            }
            assert!(total > 10, "{}: {fig:?} draws something ({total} operations)", e.slug);
        }
    }
}

fn arb_value(kind: ControlKind) -> BoxedStrategy<String> {
    match kind {
        // Text controls declare valid examples (edge cases included): the tests know no lab.
        ControlKind::Text { examples, .. } => proptest::sample::select(examples.to_vec()).prop_map(str::to_string).boxed(),
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

fn arb_query(lab: &dyn DynLab) -> impl Strategy<Value = Vec<(String, String)>> {
    let strategies: Vec<_> = lab.controls().into_iter().map(|c| (Just(c.key.to_string()), arb_value(c.kind), any::<bool>())).collect();
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
    let svg = lab.render_svg(240, 200, &flowlab::plot::theme::Theme::light(1.0), "", &cli::png_base64).expect("render");
    // Look at the markup only: base64 image data can spell anything.
    let markup: String =
        svg.split("base64,").enumerate().map(|(i, part)| if i == 0 { part } else { part.split_once('"').map_or("", |x| x.1) }).collect();
    for bad in ["NaN", "inf", "e308"] {
        assert!(!markup.contains(bad), "non-finite or overflowing coordinate '{bad}' reached the SVG");
    }
}

/// Applies generated query pairs to a fresh lab (numeric values of the keys in the lab's
/// `TEST_LIMITS` clamped to [−5, cap] so costly labs stay quick; junk stays junk), then runs
/// [`check_lab`]: no value may be ignored (the generators only produce usable values), nothing
/// non-finite may appear.
fn check_query(e: &LabEntry, pairs: Vec<(String, String)>) -> Result<(), TestCaseError> {
    let mut lab = (e.make)();
    let caps = lab.test_limits();
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
    prop_assert!(notes.iter().all(|n| !n.is_ignored()), "{}: {:?}", e.slug, notes);
    check_lab(lab.as_mut());
    Ok(())
}

/// Cases the generator once found (a proptest seed differs per run): each must stay fixed.
#[test]
fn queries_that_once_panicked_do_not() {
    let cases: &[(&str, &[(&str, &str)])] = &[
        // Goldstein–Price far from its basin: gradient descent's loss reached ~1e300 and the
        // linked chart's axes overflowed to NaN (a panic in plotters' key points).
        (
            "gradient_flow",
            &[("surface", "custom"), ("gallery", "goldstein_price"), ("view", "-10,-9.9,0,0.1"), ("x0", "0"), ("y0", "4.255141602207113")],
        ),
    ];
    for (slug, pairs) in cases {
        let e = LABS.iter().find(|e| e.slug == *slug).expect("a lab of that slug");
        check_query(e, pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()).unwrap();
    }
}

/// Any parameters within and beyond the control ranges, for every lab: no panic, nothing
/// non-finite reaches the data or the drawing.
#[test]
fn every_lab_never_panics_or_draws_non_finite() {
    use proptest::test_runner::{Config, TestRunner};
    for e in LABS {
        let mut runner = TestRunner::new(Config { cases: 48, failure_persistence: None, ..Config::default() });
        let base = (e.make)();
        if let Err(err) = runner.run(&arb_query(base.as_ref()), |pairs| check_query(e, pairs)) {
            panic!("{}: {err}", e.slug);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Arbitrary query strings never panic the parser or the lab.
    #[test]
    fn arbitrary_queries_never_panic(q in "[ -~]{0,80}", slug in proptest::sample::select(LABS.iter().map(|e| e.slug).collect::<Vec<_>>())) {
        let mut lab = flowlab::labs::find(slug).map(|e| (e.make)()).unwrap();
        let _ = lab.apply_query(&parse_query(&q));
        lab.advance(50);
        let _ = lab.query_pairs();
    }
}

/// The README's lab overview and URL-key tables are the ones the registry generates (teachers
/// write links from them by hand), and it documents every shell key.
#[test]
fn readme_documents_every_lab_and_key() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let fresh = cli::with_generated(&readme).expect("README has the generated-block markers");
    assert!(fresh == readme, "README's generated tables are out of date: run `cargo run -- readme`");
    for e in LABS {
        assert!(readme.contains(&format!("`lab={}`", e.slug)), "README has a key table for {}", e.slug);
        for c in (e.make)().controls() {
            assert!(readme.contains(&format!("| `{}` |", c.key)), "README documents key {}", c.key);
        }
    }
    for k in SHELL_KEYS {
        assert!(readme.contains(&format!("`{k}`")), "README documents shell key {k}");
    }
}
