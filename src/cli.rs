//! The native command line: figures and data for any state URL, through the same registry and
//! drawing code as the web app.
//!
//! ```text
//! flowlab svg  '<query>' [-o out.svg] [--width W] [--height H]
//! flowlab data '<query>' [--format csv|json] [-o out]
//! flowlab list
//! ```

use crate::lab::{build_query, parse_query, DynLab, Notice};
use crate::labs::{self, LABS};
use crate::plot::raster::Raster;
use crate::plot::theme::Theme;
use std::fmt::Write as _;

/// An error for the user, printed as one line; exit code 2.
#[derive(Debug, PartialEq)]
pub struct CliError(pub String);

/// Parsed arguments and what to write where.
pub struct Output {
    /// The bytes to write.
    pub body: String,
    /// Where (`None`: standard output).
    pub path: Option<String>,
    /// Warnings for standard error (clamped values).
    pub warnings: Vec<String>,
}

const USAGE: &str = "usage: flowlab svg '<query>' [-o out.svg] [--width W] [--height H]\n       flowlab data '<query>' [--format csv|json] [-o out]\n       flowlab list [--markdown]\n       flowlab readme [README.md]";

/// Builds the lab instance a query describes, or a one-line error naming the offending key.
pub fn instance_for(query: &str) -> Result<(Box<dyn DynLab>, Vec<String>), CliError> {
    let pairs = parse_query(query);
    let slug = pairs
        .iter()
        .rev()
        .find(|(k, _)| k == "lab")
        .map(|(_, v)| v.clone())
        .ok_or_else(|| CliError("missing 'lab' in the query".into()))?;
    let entry = labs::find(&slug).ok_or_else(|| {
        CliError(format!("lab: unknown lab '{slug}' (known: {})", LABS.iter().map(|e| e.slug).collect::<Vec<_>>().join(", ")))
    })?;
    let mut lab = (entry.make)();
    let notes = lab.apply_query(&pairs);
    if let Some(bad) = notes.iter().find(|n| n.is_ignored()) {
        return Err(CliError(bad.message()));
    }
    let warnings = notes.iter().filter(|n| !n.is_ignored()).map(Notice::message).collect();
    lab.finish();
    Ok((lab, warnings))
}

/// The canonical query of an instance (what the page's URL would show).
pub fn canonical_query(lab: &dyn DynLab) -> String {
    build_query(lab.slug(), &lab.query_pairs())
}

fn take_value(args: &[String], i: &mut usize, flag: &str) -> Result<String, CliError> {
    *i += 1;
    args.get(*i).cloned().ok_or_else(|| CliError(format!("{flag} needs a value")))
}

fn parse_dim(s: &str, flag: &str) -> Result<u32, CliError> {
    s.parse::<u32>()
        .ok()
        .filter(|v| (64..=8192).contains(v))
        .ok_or_else(|| CliError(format!("{flag}: '{s}' is not a size from 64 to 8192")))
}

/// Runs the command line on `args` (without the program name).
pub fn run(args: &[String]) -> Result<Output, CliError> {
    let cmd = args.first().map(String::as_str).unwrap_or("");
    match cmd {
        "list" if args.get(1).map(String::as_str) == Some("--markdown") => Ok(Output { body: markdown(), path: None, warnings: vec![] }),
        "list" => Ok(Output { body: list(), path: None, warnings: vec![] }),
        "readme" => {
            let path = args.get(1).cloned().unwrap_or_else(|| "README.md".into());
            let old = std::fs::read_to_string(&path).map_err(|e| CliError(format!("cannot read {path}: {e}")))?;
            let new = with_generated(&old)
                .ok_or_else(|| CliError(format!("{path} has no {BEGIN_LABS} … {END_LABS} and {BEGIN_KEYS} … {END_KEYS} markers")))?;
            Ok(Output { body: new, path: Some(path), warnings: vec![] })
        }
        "svg" | "data" => {
            let mut query = None;
            let mut out = None;
            let (mut width, mut height) = (900u32, 900u32);
            let mut format = "csv".to_string();
            let mut i = 1;
            while i < args.len() {
                match args[i].as_str() {
                    "-o" | "--output" => out = Some(take_value(args, &mut i, "-o")?),
                    "--width" if cmd == "svg" => width = parse_dim(&take_value(args, &mut i, "--width")?, "--width")?,
                    "--height" if cmd == "svg" => height = parse_dim(&take_value(args, &mut i, "--height")?, "--height")?,
                    "--format" if cmd == "data" => {
                        format = take_value(args, &mut i, "--format")?;
                        if format != "csv" && format != "json" {
                            return Err(CliError(format!("--format: '{format}' is not csv or json")));
                        }
                    }
                    a if query.is_none() && !a.starts_with("--") => query = Some(a.to_string()),
                    a => return Err(CliError(format!("unexpected argument '{a}'\n{USAGE}"))),
                }
                i += 1;
            }
            let query = query.ok_or_else(|| CliError(format!("missing query\n{USAGE}")))?;
            let (lab, warnings) = instance_for(&query)?;
            let url = format!("?{}", canonical_query(lab.as_ref()));
            let body = if cmd == "svg" {
                lab.render_svg(width, height, &Theme::light(1.0), &url, &png_base64).map_err(CliError)?
            } else if format == "json" {
                crate::lab::to_json(lab.as_ref(), &url)
            } else {
                crate::lab::to_csv(lab.as_ref(), &url)
            };
            Ok(Output { body, path: out, warnings })
        }
        "" | "-h" | "--help" | "help" => Ok(Output { body: format!("{USAGE}\n"), path: None, warnings: vec![] }),
        other => Err(CliError(format!("unknown command '{other}'\n{USAGE}"))),
    }
}

/// A raster as base64 PNG (RGB or RGBA), for SVG output.
pub fn png_base64(r: &Raster) -> Option<String> {
    use image::codecs::png::PngEncoder;
    use image::ImageEncoder;
    let mut data = Vec::new();
    let colour = if r.alpha { image::ColorType::Rgba8 } else { image::ColorType::Rgb8 };
    PngEncoder::new(std::io::Cursor::new(&mut data)).write_image(&r.px, r.w, r.h, colour).ok()?;
    Some(crate::plot::svg::base64(&data))
}

/// Every lab's slug and controls: the reference for URL parameters.
pub fn list() -> String {
    let mut s = String::new();
    for e in LABS {
        let lab = (e.make)();
        let _ = writeln!(s, "{} — {}", e.slug, lab.meta().title);
        for c in lab.controls() {
            let _ = writeln!(s, "  {:<20} {:<40} default {:<12} {}", c.key, c.kind.describe(), c.default.to_url(), c.label);
        }
    }
    s
}

/// Markers of the README's generated blocks.
pub const BEGIN_LABS: &str = "<!-- BEGIN generated labs (cargo run -- readme) -->";
/// See [`BEGIN_LABS`].
pub const END_LABS: &str = "<!-- END generated labs -->";
/// Markers of the README's generated URL-key tables.
pub const BEGIN_KEYS: &str = "<!-- BEGIN generated keys (cargo run -- readme) -->";
/// See [`BEGIN_KEYS`].
pub const END_KEYS: &str = "<!-- END generated keys -->";

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// The overview of every lab as a Markdown table (slug, title, teaching point).
pub fn markdown_labs() -> String {
    let mut s = String::from("| slug | lab | teaching point |\n|---|---|---|\n");
    for e in LABS {
        let _ = writeln!(s, "| `{}` | {} | {} |", e.slug, cell(e.meta.title), cell(e.meta.tagline));
    }
    s
}

/// Every lab's URL keys as Markdown tables: the reference teachers write links from.
pub fn markdown() -> String {
    use crate::lab::{ControlKind, Value};
    let code = |v: &str| if v.is_empty() { "(empty)".to_string() } else { format!("`{}`", cell(v)) };
    let mut s = String::new();
    for e in LABS {
        let lab = (e.make)();
        let _ = writeln!(s, "### {} (`lab={}`)\n", e.meta.title, e.slug);
        s.push_str("| key | values | default | sets |\n|---|---|---|---|\n");
        for c in lab.controls() {
            let values = match &c.kind {
                ControlKind::Num { min, max, log, integer } => format!(
                    "{}{} … {}{}",
                    if *integer { "whole numbers " } else { "" },
                    crate::fmt::fmt_num(*min),
                    crate::fmt::fmt_num(*max),
                    if *log { " (log slider)" } else { "" }
                ),
                ControlKind::Choice { options } => options.iter().map(|(k, _)| code(k)).collect::<Vec<_>>().join(" "),
                ControlKind::Set { options } => {
                    format!("comma list of {}", options.iter().map(|(k, _)| code(k)).collect::<Vec<_>>().join(" "))
                }
                ControlKind::Flag => "`0` `1`".to_string(),
                ControlKind::Text { examples, .. } => format!("text, e.g. {}", examples.first().map_or(String::new(), |x| code(x))),
            };
            let default = match &c.default {
                Value::Text(t) if t.chars().count() > 40 => "(see the lab)".to_string(),
                v => code(&v.to_url()),
            };
            let what = if c.help.is_empty() { c.label.to_string() } else { format!("{} — {}", c.label, c.help) };
            let _ = writeln!(s, "| `{}` | {} | {} | {} |", c.key, values, default, cell(&what));
        }
        s.push('\n');
    }
    s
}

fn replace_between(text: &str, begin: &str, end: &str, body: &str) -> Option<String> {
    let a = text.find(begin)? + begin.len();
    let b = a + text[a..].find(end)?;
    Some(format!("{}\n{}{}", &text[..a], body, &text[b..]))
}

/// `readme` with its generated blocks rewritten from the registry, or `None` without markers.
pub fn with_generated(readme: &str) -> Option<String> {
    let s = replace_between(readme, BEGIN_LABS, END_LABS, &markdown_labs())?;
    replace_between(&s, BEGIN_KEYS, END_KEYS, &markdown())
}

/// The binary's entry point.
pub fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(out) => {
            for w in &out.warnings {
                eprintln!("flowlab: warning: {w}");
            }
            match out.path {
                Some(p) => {
                    if let Err(e) = std::fs::write(&p, out.body) {
                        eprintln!("flowlab: cannot write {p}: {e}");
                        std::process::exit(1);
                    }
                }
                None => {
                    // A closed pipe (`flowlab data … | head`) is not an error worth a panic.
                    use std::io::Write;
                    let _ = std::io::stdout().write_all(out.body.as_bytes());
                }
            }
        }
        Err(CliError(msg)) => {
            eprintln!("flowlab: {msg}");
            std::process::exit(2);
        }
    }
}
