//! The attention lab through its public surface: the CLI/JSON contract keys against the numpy
//! reference (`scripts/golden/attention.py` → `tests/golden/attention_reference.json`, literal
//! inputs), the properties (every map: rows sum to 1, entries ≥ 0, causal rows ignore the
//! future), the refused dual + causal combination, the RNN readout, junk scales, hover, and what
//! a change keeps.
use flowlab::cli;
use flowlab::lab::{parse_query, DynLab, Instance, Notice};
use flowlab::labs::attention::Attention;
use flowlab::math::attention::Map;
use proptest::prelude::*;
use serde_json::Value;

fn golden() -> Value {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden/attention_reference.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn json(q: &str) -> Value {
    let out = cli::run(&["data".into(), format!("lab=attention&{q}"), "--format".into(), "json".into()]).unwrap();
    serde_json::from_str(&out.body).unwrap()
}

fn lab(q: &str) -> Instance<Attention> {
    let mut l = Instance::<Attention>::default();
    let notes = l.apply_query(&parse_query(q));
    // Dual + causal is a refusal (kept, not applied), never an ignored or clamped value.
    assert!(notes.iter().all(|n| matches!(n, Notice::Refused { key, .. } if key == "causal")), "{q}: {notes:?}");
    l.finish();
    l
}

fn close(got: f64, want: f64, what: &str) {
    assert!((got - want).abs() <= 1e-11 * want.abs() + 1e-15, "{what}: got {got:e}, want {want:e}");
}

fn close_all(got: &Value, want: &Value, what: &str) {
    let (g, w) = (got.as_array().unwrap(), want.as_array().unwrap());
    assert_eq!(g.len(), w.len(), "{what}: length");
    for (k, (a, b)) in g.iter().zip(w).enumerate() {
        close(a.as_f64().unwrap(), b.as_f64().unwrap(), &format!("{what}[{k}]"));
    }
}

/// Every contract key of every reference case (64 literal cases × 7–8 maps), read back from the
/// CLI's JSON: values at full precision, so 1e-11 relative holds.
#[test]
fn json_contract_keys_match_the_numpy_reference() {
    let g = golden();
    let mut checked = 0;
    for c in g["cases"].as_array().unwrap() {
        let scale = match c["scale"].as_str().unwrap() {
            "value" => c["scale_value"].to_string(),
            s => s.to_string(),
        };
        let base = format!(
            "preset=literal&n={}&d={}&scale={scale}&causal={}&window={}",
            c["n"],
            c["d"],
            c["causal"].as_bool().unwrap() as u8,
            c["window"]
        );
        let soft = &c["maps"]["softmax"];
        for (key, want) in c["maps"].as_object().unwrap() {
            let (map, m) = key.split_once("_m").unwrap_or((key, "16"));
            let q = format!("{base}&map={map}&m={m}");
            let v = json(&q);
            for k in ["row0", "out0"] {
                close_all(&v[k], &want[k], &format!("{q} {k}"));
            }
            close_all(&v["row0_softmax"], &soft["row0"], &format!("{q} row0_softmax"));
            for (k, w) in [
                ("entropy_mean", &want["entropy_mean"]),
                ("entropy_mean_softmax", &soft["entropy_mean"]),
                ("max_p_mean", &want["max_p_mean"]),
            ] {
                close(v[k].as_f64().unwrap(), w.as_f64().unwrap(), &format!("{q} {k}"));
            }
            // The relative error is a difference of nearby outputs: 1e-9 (as in the reference test).
            let (re, rw) = (v["rel_error"].as_f64().unwrap(), want["rel_error"].as_f64().unwrap());
            assert!((re - rw).abs() <= 1e-9 * rw + 1e-14, "{q} rel_error {re} vs {rw}");
            assert_eq!(v["rank"], want["rank"], "{q} rank");
            assert_eq!(v["rank_softmax"], soft["rank"], "{q} rank_softmax");
            checked += 1;
        }
    }
    assert_eq!(checked, 64 * 7 + 32, "every case and map");
}

/// W2-T1 from the spec's printed numbers, straight through the CLI (elu + 1 row 0, ranks, entropies).
#[test]
fn spec_w2_t1_through_the_cli() {
    let v = json("preset=literal&n=6&d=2&scale=none&map=elu1");
    let row0 = [0.3196136474, 0.1965987173, 0.0889727241, 0.0652722509, 0.1026207103, 0.2269219500];
    for (g, w) in v["row0"].as_array().unwrap().iter().zip(row0) {
        assert!((g.as_f64().unwrap() - w).abs() < 0.5e-10, "{g} vs {w}");
    }
    assert_eq!((v["rank"].as_u64(), v["rank_softmax"].as_u64()), (Some(2), Some(6)));
    assert!((v["entropy_mean"].as_f64().unwrap() - 1.6469377321).abs() < 0.5e-10);
    assert!((v["entropy_mean_softmax"].as_f64().unwrap() - 1.5377192509).abs() < 0.5e-10);
    let out0 = v["out0"].as_array().unwrap();
    assert_eq!(out0.len(), 2);
    // W2-T3: causal elu + 1 by recurrence equals the masked form; out₁ = V₁.
    let v = json("preset=literal&n=6&d=2&scale=none&map=elu1&causal=1");
    assert!(v["rnn_max_difference"].as_f64().unwrap() < 1e-15, "{}", v["rnn_max_difference"]);
    let o = v["out0"].as_array().unwrap();
    assert!((o[0].as_f64().unwrap() - 0.7173560909).abs() < 0.5e-10 && (o[1].as_f64().unwrap() - 0.9635581854).abs() < 0.5e-10);
    assert_eq!(v["rank"].as_u64(), Some(6), "the causal matrix has rank 6");
}

/// dual + causal: the mask is refused (not applied) with a warning; the matrices are unmasked.
#[test]
fn dual_with_causal_is_refused_with_a_warning() {
    let mut l = Instance::<Attention>::default();
    l.apply_query(&parse_query("map=dual&causal=1&n=8"));
    l.finish();
    let warn: Vec<_> = l.readouts().into_iter().filter(|r| r.warn).collect();
    assert_eq!(warn.len(), 1, "{warn:?}");
    assert!(warn[0].text.contains("refused"), "{}", warn[0].text);
    // The page and the CLI show it as a notice about `causal` (kept, not applied), not an error.
    let mut fresh = Instance::<Attention>::default();
    let notes = fresh.apply_query(&parse_query("map=dual&causal=1&n=8"));
    assert!(matches!(notes.as_slice(), [Notice::Refused { key, .. }] if key == "causal"), "{notes:?}");
    assert!(notes[0].message().contains("dual softmax normalises K"), "{}", notes[0].message());
    assert!(!notes[0].is_ignored());
    assert!(fresh.apply_query(&parse_query("map=elu1&causal=1&n=8")).is_empty(), "another map takes the mask");
    assert!(fresh.refusals().is_empty());
    let out = cli::run(&["data".into(), "lab=attention&map=dual&causal=1&n=8".into(), "--format".into(), "json".into()]).unwrap();
    assert!(out.warnings.iter().any(|w| w.contains("'causal' not applied")), "the CLI warns: {:?}", out.warnings);
    let v = json("map=dual&causal=1&n=8");
    assert_eq!(v["causal_refused"], 1);
    assert_eq!(v["causal"], 0, "the mask as applied");
    let row0: Vec<f64> = v["row0"].as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect();
    assert!(row0[1..].iter().all(|&x| x > 0.0), "unmasked: row 0 sees the future {row0:?}");
    // The same state without the request, and the causal toggle is hidden for dual.
    let plain = json("map=dual&n=8");
    assert_eq!(plain["row0"], v["row0"]);
    assert!(!l.control("causal").unwrap().visible);
    // Another map takes the mask as asked.
    let elu = json("map=elu1&causal=1&n=8");
    assert_eq!(elu["causal_refused"], 0);
    assert!(elu["row0"].as_array().unwrap()[1..].iter().all(|x| x.as_f64() == Some(0.0)));
}

#[test]
fn junk_and_out_of_range_scales_are_reported_and_not_applied() {
    for junk in ["abc", "1e3", "-101", "nan", "inf", ""] {
        let mut l = Instance::<Attention>::default();
        let notes = l.apply_query(&parse_query(&format!("scale={junk}")));
        assert!(matches!(notes.as_slice(), [Notice::Ignored { .. }]), "{junk}: {notes:?}");
        assert_eq!(l.query_pairs(), vec![], "{junk}: the default kept");
    }
    let v = json("scale=2&d=4");
    assert_eq!(v["scale_factor"], 2.0);
    assert_eq!(json("scale=none")["scale_factor"], 1.0);
    assert_eq!(json("d=16")["scale_factor"], 0.25);
}

/// The hover reads both matrices at the pointed row and column (1-based in the text).
#[test]
fn hover_shows_row_column_and_both_weights() {
    let l = lab("preset=literal&n=6&d=2&scale=none&map=elu1");
    let h = l.hover(2.5, 0.5).unwrap();
    assert!(h.contains("query 1, key 3") && h.contains("0.06409") && h.contains("0.08897"), "{h}");
    // The right square starts at 1.1·n = 6.6.
    assert_eq!(l.hover(6.6 + 2.5, 0.5), Some(h));
    assert_eq!(l.hover(6.3, 0.5), None, "the gap");
    assert_eq!(l.hover(1.0, 7.0), None);
    let c = lab("n=8&causal=1");
    assert!(c.hover(5.5, 1.5).unwrap().contains("masked"));
}

/// The curves' end points are the matrices' own values; the error curve equals rel_error at m.
#[test]
fn curves_agree_with_the_matrices() {
    let v = json("map=performer&m=64&n=40&d=8");
    let e = v["entropy_curve"].as_array().unwrap();
    let ns: Vec<u64> = e.iter().map(|p| p[0].as_u64().unwrap()).collect();
    assert_eq!(ns, vec![4, 8, 16, 32, 40]);
    let last = e.last().unwrap();
    close(last[1].as_f64().unwrap(), v["entropy_mean"].as_f64().unwrap(), "H_map at n");
    close(last[2].as_f64().unwrap(), v["entropy_mean_softmax"].as_f64().unwrap(), "H_soft at n");
    let err = v["error_curve"].as_array().unwrap();
    assert_eq!(err.len(), 10, "m = 1 … 512");
    let at64 = err.iter().find(|p| p[0] == 64).unwrap()[1].as_f64().unwrap();
    let re = v["rel_error"].as_f64().unwrap();
    assert!((at64 - re).abs() < 1e-12 * re, "{at64} vs {re}");
    // A shorter sequence: the points below it are those of the longer one (inputs nested in n).
    let w = json("map=performer&m=64&n=16&d=8");
    for (a, b) in w["entropy_curve"].as_array().unwrap().iter().zip(e) {
        assert_eq!(a, b);
    }
    assert!(json("map=elu1")["error_curve"].is_null(), "only the Performer's");
}

/// The W5 readout: unscaled d = 64 at n = 512 is peaked (E[H] ≈ 0.83 by the reference, within
/// Monte-Carlo noise of 2000 rows), with 1/√d it is spread (≈ 5.742).
#[test]
fn w5_numbers_at_d64() {
    let g = golden();
    let ex = &g["expectations"];
    for (q, key) in [("d=64&n=16&scale=none", "n512_d64_unscaled"), ("d=64&n=16", "n512_d64_scaled")] {
        let v = json(q);
        let (h, se) = (v["w5_entropy"].as_f64().unwrap(), v["w5_entropy_se"].as_f64().unwrap());
        let want = &ex[key]["entropy"];
        let (m, mse) = (want["mean"].as_f64().unwrap(), want["se"].as_f64().unwrap());
        assert!((h - m).abs() <= 4.0 * (se * se + mse * mse).sqrt(), "{q}: {h} ± {se} vs numpy {m} ± {mse}");
        let mp = ex[key]["max_p"]["mean"].as_f64().unwrap();
        assert!((v["w5_max_p"].as_f64().unwrap() - mp).abs() < 0.02, "{q}: max p {} vs {mp}", v["w5_max_p"]);
    }
}

/// A change that does not affect a piece of work keeps it: m does nothing for elu1.
#[test]
fn changes_keep_what_they_do_not_affect() {
    let mut l = lab("n=64&d=8");
    l.set_text("m", "32").unwrap();
    assert_eq!(l.pending(), None, "m does not matter for elu1: nothing to recompute");
    l.set_text("n", "48").unwrap();
    assert!(l.pending().is_some(), "a new n: new spectra");
    l.finish();
    let v = flowlab::lab::to_json(&l, "");
    let v: Value = serde_json::from_str(&v).unwrap();
    assert_eq!(v["entropy_curve"].as_array().unwrap().len(), 5);
}

fn entry_checks(l: &Instance<Attention>, q: &str) -> Result<(), TestCaseError> {
    let s = l.state();
    let (soft, ch) = (s.cache.softmax().unwrap(), s.cache.chosen().unwrap());
    let n = s.cfg.n;
    for (name, a) in [("softmax", &soft.att.a), ("map", &ch.att.a)] {
        for i in 0..n {
            let row = a.row(i);
            let sum: f64 = row.iter().sum();
            prop_assert!((sum - 1.0).abs() < 1e-12, "{q} {name} row {i} sums to {sum}");
            prop_assert!(row.iter().all(|&x| x >= 0.0 && x.is_finite()), "{q} {name} row {i}: {row:?}");
            for (j, &x) in row.iter().enumerate() {
                if !s.cfg.mask.allows(i, j) {
                    prop_assert_eq!(x, 0.0, "{} {} ({}, {}) masked", q, name, i, j);
                }
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 40, ..ProptestConfig::default() })]

    /// Every map, scale and mask: rows are distributions, masked entries are 0, and with the causal
    /// mask row i does not depend on the tokens after i (a longer sequence leaves it unchanged).
    #[test]
    fn rows_are_distributions_and_causal_rows_ignore_the_future(
        map in proptest::sample::select(Map::ALL.to_vec()),
        n in 4usize..28,
        extra in 1usize..12,
        d in 1usize..10,
        m in 1usize..40,
        scale in proptest::sample::select(vec!["none", "sqrt_d", "0.05", "3", "-1", "0", "100"]),
        causal in any::<bool>(),
        window in 0usize..10,
        seed in 1u64..50,
    ) {
        let q = format!("map={}&n={n}&d={d}&m={m}&scale={scale}&causal={}&window={window}&seed={seed}", map.slug(), causal as u8);
        let short = lab(&q);
        entry_checks(&short, &q)?;
        if causal && map != Map::Dual {
            let q2 = q.replace(&format!("n={n}&"), &format!("n={}&", n + extra));
            let long = lab(&q2);
            entry_checks(&long, &q2)?;
            let (a, b) = (short.state().cache.chosen().unwrap(), long.state().cache.chosen().unwrap());
            for i in 0..n {
                for j in 0..n {
                    let (x, y) = (a.att.a.get(i, j).unwrap(), b.att.a.get(i, j).unwrap());
                    prop_assert!((x - y).abs() <= 1e-12, "{} ({}, {}): {} vs {} with {} more tokens", q, i, j, x, y, extra);
                }
                for (x, y) in a.stats().unwrap().out.row(i).iter().zip(b.stats().unwrap().out.row(i)) {
                    prop_assert!((x - y).abs() <= 1e-12 * (1.0 + x.abs()), "{} output row {}", q, i);
                }
            }
            // The RNN form agrees with the masked matrix (finite feature maps).
            if map != Map::Softmax {
                let r = short.state().rnn.unwrap();
                prop_assert!(r < 1e-9, "{} RNN differs by {}", q, r);
            }
        }
    }
}
