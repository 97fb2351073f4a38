//! What leaves the app as files: the data table as CSV and JSON, and the figure as SVG.

use super::instance::DynLab;
use crate::fmt::parse_num;
use std::borrow::Cow;
use std::fmt::Write as _;

/// A table of numbers and labels: what the CLI and the CSV/JSON export write.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Table {
    /// Column names.
    pub columns: Vec<Cow<'static, str>>,
    /// Rows; each cell a string already formatted (numbers at full round-trip precision).
    pub rows: Vec<Vec<String>>,
    /// Named results (e.g. `nfe`, `bound_dg`, or a whole vector as a JSON array): top-level keys
    /// of the JSON export; the CSV, one row per item, has no place for them.
    pub summary: Vec<(Cow<'static, str>, Json)>,
}

/// A value of the JSON summary.
#[derive(Clone, Debug, PartialEq)]
pub enum Json {
    /// A number (non-finite ones are written as `null`: JSON has no NaN).
    Num(f64),
    /// A string.
    Str(String),
    /// `null` (e.g. "no interior maximum").
    Null,
    /// A list.
    List(Vec<Json>),
}

impl Json {
    /// A list of numbers.
    pub fn nums(v: impl IntoIterator<Item = f64>) -> Json {
        Json::List(v.into_iter().map(Json::Num).collect())
    }
    /// A matrix as a list of rows.
    pub fn rows<R: IntoIterator<Item = f64>>(m: impl IntoIterator<Item = R>) -> Json {
        Json::List(m.into_iter().map(Json::nums).collect())
    }
    /// `Some(x)` as a number, `None` as `null`.
    pub fn opt(x: Option<f64>) -> Json {
        x.map_or(Json::Null, Json::Num)
    }
    fn write(&self, out: &mut String) {
        match self {
            Json::Num(x) if x.is_finite() => out.push_str(&crate::fmt::fmt_num(*x)),
            Json::Num(_) | Json::Null => out.push_str("null"),
            Json::Str(s) => out.push_str(&json_str(s)),
            Json::List(v) => {
                out.push('[');
                for (i, x) in v.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    x.write(out);
                }
                out.push(']');
            }
        }
    }
}

impl Table {
    /// A table with these columns and no rows.
    pub fn with_columns<C: Into<Cow<'static, str>>>(columns: impl IntoIterator<Item = C>) -> Self {
        Table { columns: columns.into_iter().map(Into::into).collect(), ..Default::default() }
    }
    /// Adds a summary item.
    pub fn put(&mut self, key: impl Into<Cow<'static, str>>, value: Json) {
        self.summary.push((key.into(), value));
    }
    /// CSV with a header; cells are never quoted because no cell contains a comma or quote.
    pub fn to_csv(&self) -> String {
        let mut out = self.columns.join(",");
        out.push('\n');
        for r in &self.rows {
            out.push_str(&r.join(","));
            out.push('\n');
        }
        out
    }
}

/// Puts a `<desc>` (the state URL) right after the opening `<svg …>` tag.
pub fn insert_svg_desc(svg: &str, desc: &str) -> String {
    if desc.is_empty() {
        return svg.to_string();
    }
    let mut esc = String::new();
    for ch in desc.chars() {
        match ch {
            '&' => esc.push_str("&amp;"),
            '<' => esc.push_str("&lt;"),
            '>' => esc.push_str("&gt;"),
            c => esc.push(c),
        }
    }
    match svg.find("<svg").and_then(|i| svg[i..].find('>').map(|j| i + j + 1)) {
        Some(at) => {
            let mut out = String::with_capacity(svg.len() + esc.len() + 16);
            out.push_str(&svg[..at]);
            let _ = write!(out, "\n<desc>{esc}</desc>");
            out.push_str(&svg[at..]);
            out
        }
        None => svg.to_string(),
    }
}

fn json_str(s: &str) -> String {
    let mut o = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            '\n' => o.push_str("\\n"),
            c if (c as u32) < 0x20 => {
                let _ = write!(o, "\\u{:04x}", c as u32);
            }
            c => o.push(c),
        }
    }
    o.push('"');
    o
}

/// The data table as JSON: `{"lab", "url", <summary keys>, "columns", "rows"}`; numeric cells are
/// JSON numbers.
pub fn to_json(lab: &dyn DynLab, url: &str) -> String {
    let t = lab.data();
    let mut s = format!("{{\"lab\":{},\"url\":{},", json_str(lab.slug()), json_str(url));
    for (k, v) in &t.summary {
        let _ = write!(s, "{}:", json_str(k));
        v.write(&mut s);
        s.push(',');
    }
    s.push_str("\"columns\":[");
    s.push_str(&t.columns.iter().map(|c| json_str(c)).collect::<Vec<_>>().join(","));
    s.push_str("],\"rows\":[");
    let rows: Vec<String> = t
        .rows
        .iter()
        .map(|r| {
            let cells: Vec<String> = r.iter().map(|c| if parse_num(c).is_some() { c.clone() } else { json_str(c) }).collect();
            format!("[{}]", cells.join(","))
        })
        .collect();
    s.push_str(&rows.join(","));
    s.push_str("]}\n");
    s
}

/// The data table as CSV, led by a `#` comment line with the full state URL.
pub fn to_csv(lab: &dyn DynLab, url: &str) -> String {
    format!("# {url}\n{}", lab.data().to_csv())
}
