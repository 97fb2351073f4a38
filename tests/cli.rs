//! The `flowlab` binary end to end: run it, read what it prints, compare with the model.

use std::process::Command;

fn flowlab(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_flowlab")).args(args).output().expect("run flowlab");
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn data_csv_matches_the_model() {
    let q = "?lab=optimizers&surface=beale&opt=adam,lion&steps=25&adam_lr=0.05";
    let (code, out, err) = flowlab(&["data", q]);
    assert_eq!(code, 0, "{err}");
    let mut lines = out.lines();
    assert_eq!(lines.next(), Some("# ?lab=optimizers&surface=beale&steps=25&opt=adam,lion&adam_lr=0.05"));
    assert_eq!(lines.next(), Some("optimizer,step,x,y,loss"));
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 2 * 26, "26 rows per optimizer (step 0 is the start)");
    assert!(rows[0].starts_with("adam,0,1,1.4,"));
    assert!(rows[26].starts_with("lion,0,"));
    // The same numbers the library computes, at full round-trip precision.
    let (lab, _) = flowlab::cli::instance_for(q).unwrap();
    let csv = lab.data().to_csv();
    assert_eq!(out.split_once('\n').unwrap().1, csv);
    for r in &rows {
        let cells: Vec<&str> = r.split(',').collect();
        for c in &cells[2..] {
            let v: f64 = c.parse().unwrap();
            assert_eq!(format!("{v}"), *c, "shortest round-trip formatting");
        }
    }
}

#[test]
fn data_json_and_output_file() {
    let dir = std::env::temp_dir().join(format!("flowlab-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("out.json");
    let (code, out, err) = flowlab(&["data", "lab=optimizers&opt=sgd&steps=3", "--format", "json", "-o", path.to_str().unwrap()]);
    assert_eq!((code, out.as_str()), (0, ""), "{err}");
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(v["lab"], "optimizers");
    assert_eq!(v["columns"], serde_json::json!(["optimizer", "step", "x", "y", "loss"]));
    assert_eq!(v["rows"].as_array().unwrap().len(), 4);
    assert_eq!(v["rows"][1][2].as_f64().unwrap(), -0.9843999999999999);
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn svg_equals_the_golden_and_has_the_state_url() {
    let (code, out, err) = flowlab(&["svg", "lab=optimizers"]);
    assert_eq!(code, 0, "{err}");
    let golden = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden/optimizers.svg")).unwrap();
    assert!(out == golden, "CLI SVG differs from the golden");
    let (code, out, _) = flowlab(&["svg", "lab=optimizers&surface=saddle", "--width", "400", "--height", "300"]);
    assert_eq!(code, 0);
    assert!(out.contains("<desc>?lab=optimizers&amp;surface=saddle</desc>"));
    assert!(out.contains("width=\"400\"") && out.contains("height=\"300\""));
}

#[test]
fn bad_input_is_one_line_naming_the_key_with_exit_2() {
    for (args, key) in [
        (vec!["data", "lab=optimizers&kappa=abc"], "kappa"),
        (vec!["data", "lab=nope"], "lab"),
        (vec!["svg", "surface=beale"], "lab"),
        (vec!["data", "lab=optimizers&bogus=1"], "bogus"),
        (vec!["data", "lab=optimizers&opt=adam,xyz"], "opt"),
        (vec!["svg", "lab=optimizers", "--width", "huge"], "--width"),
        (vec!["data", "lab=optimizers", "--format", "xml"], "--format"),
    ] {
        let (code, out, err) = flowlab(&args);
        assert_eq!(code, 2, "{args:?}");
        assert!(out.is_empty());
        assert_eq!(err.trim_end().lines().count(), 1, "{args:?}: one line: {err}");
        assert!(err.contains(key), "{args:?}: names {key}: {err}");
    }
}

#[test]
fn clamped_values_are_reported_on_stderr() {
    let (code, out, err) = flowlab(&["data", "lab=optimizers&opt=sgd&steps=1&sgd_lr=50"]);
    assert_eq!(code, 0);
    assert!(err.contains("sgd_lr") && err.contains("using 1"), "{err}");
    assert!(out.starts_with("# ?lab=optimizers&steps=1&opt=sgd&sgd_lr=1\n"));
}

#[test]
fn list_documents_every_control() {
    let (code, out, _) = flowlab(&["list"]);
    assert_eq!(code, 0);
    for e in flowlab::labs::LABS {
        assert!(out.contains(e.slug));
        for c in (e.make)().controls() {
            assert!(out.lines().any(|l| l.trim_start().starts_with(&format!("{} ", c.key))), "list mentions {}", c.key);
        }
    }
}

#[test]
fn gradient_flow_csv_has_time_and_matches_the_model() {
    let q = "lab=gradient_flow&methods=flow,gd&lr=0.1&horizon=1";
    let (code, out, err) = flowlab(&["data", q]);
    assert_eq!(code, 0, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[1], "method,step,t,x,y,loss");
    assert_eq!(lines.len(), 2 + 2 * 11, "10 steps of 0.1 plus the start, for each method");
    assert!(lines[2].starts_with("flow,0,0,-1.6,1.1,"));
    assert!(lines[13].starts_with("gd,0,0,"));
    assert!(lines[23].starts_with("gd,10,1,"), "{}", lines[23]);
    let (lab, _) = flowlab::cli::instance_for(q).unwrap();
    assert_eq!(out.split_once('\n').unwrap().1, lab.data().to_csv());
}

#[test]
fn typed_surface_in_the_cli_and_a_junk_formula_exits_2() {
    let (code, out, err) = flowlab(&["data", "lab=optimizers&surface=custom&f=x%5E2%2B3*y%5E2&opt=sgd&steps=2&x0=1&y0=1&sgd_lr=0.1"]);
    assert_eq!(code, 0, "{err}");
    let rows: Vec<&str> = out.lines().skip(2).collect();
    // ∇(x² + 3y²) = (2x, 6y): from (1, 1) with η = 0.1 → (0.8, 0.4).
    let cells: Vec<f64> = rows[1].split(',').skip(2).map(|c| c.parse().unwrap()).collect();
    assert!((cells[0] - 0.8).abs() < 1e-15 && (cells[1] - 0.4).abs() < 1e-15, "{}", rows[1]);
    let (code, out, err) = flowlab(&["data", "lab=optimizers&surface=custom&f=x%2B*y"]);
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert!(err.contains("'f'") && err.contains("column 3"), "{err}");
    let (code, _, err) = flowlab(&["svg", "lab=gradient_flow&view=1,0,0,1"]);
    assert_eq!(code, 2);
    assert!(err.contains("'view'"), "{err}");
}

#[test]
fn gradient_flow_reports_leaving_the_domain_of_a_typed_surface() {
    // log(x) is undefined for x ≤ 0: gradient descent with η = 1 from x = 0.5 steps to x = −1.5.
    let (lab, _) =
        flowlab::cli::instance_for("lab=gradient_flow&surface=custom&f=log(x)%2By%5E2&x0=0.5&y0=1&lr=1&methods=gd&horizon=3").unwrap();
    let r = lab.readouts();
    assert!(r.iter().any(|r| r.warn && r.text == "left the domain at step 1"), "{r:?}");
}
