//! A recording ([`super::backend::Op`]s) as an SVG document. The markup is exactly what plotters'
//! own SVG backend writes for the same calls (so figures exported before and after the recorder
//! are the same file); images are PNG `<image>`s in drawing order, stretched ones with
//! `preserveAspectRatio="none"`, transparent ones with their alpha.
//!
//! PNG encoding is injected ([`PngEncoder`]): natively the `image` crate encodes, in the browser
//! the canvas does (the bundle then carries no PNG encoder).

use super::backend::{Colour, HAlign, Op, Shape, VAlign};
use super::raster::Raster;
use std::fmt::Write as _;

/// Encodes an image as PNG and returns it base64-encoded (without a `data:` prefix), or `None`.
pub type PngEncoder<'a> = &'a dyn Fn(&Raster) -> Option<String>;

fn colour(c: Colour) -> String {
    format!("#{:02X}{:02X}{:02X}", c.rgb.0, c.rgb.1, c.rgb.2)
}

fn escape(out: &mut String, value: &str) {
    for c in value.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            other => out.push(other),
        }
    }
}

fn tag(out: &mut String, name: &str, attrs: &[(&str, &str)], close: bool) {
    out.push('<');
    out.push_str(name);
    for (k, v) in attrs {
        out.push(' ');
        out.push_str(k);
        out.push_str("=\"");
        escape(out, v);
        out.push('"');
    }
    out.push_str(if close { "/>\n" } else { ">\n" });
}

fn points(p: &[(i32, i32)]) -> String {
    p.iter().fold(String::new(), |mut s, (x, y)| {
        let _ = write!(s, "{x},{y} ");
        s
    })
}

/// Standard base64 with padding.
pub fn base64(data: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (b[0] as u32) << 16 | (b[1] as u32) << 8 | b[2] as u32;
        for (i, shift) in [18, 12, 6, 0].into_iter().enumerate() {
            if i <= chunk.len() {
                out.push(A[(n >> shift & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Writes `ops` as an SVG document of `w`×`h` pixels.
pub fn write(ops: &[Op], (w, h): (u32, u32), png: PngEncoder<'_>) -> String {
    let mut out = String::new();
    let (ws, hs) = (w.to_string(), h.to_string());
    tag(
        &mut out,
        "svg",
        &[("width", &ws), ("height", &hs), ("viewBox", &format!("0 0 {w} {h}")), ("xmlns", "http://www.w3.org/2000/svg")],
        false,
    );
    for op in ops {
        match op {
            Op::Pixel((x, y), c) => tag(
                &mut out,
                "rect",
                &[
                    ("x", &x.to_string()),
                    ("y", &y.to_string()),
                    ("width", "1"),
                    ("height", "1"),
                    ("stroke", "none"),
                    ("opacity", &c.alpha.to_string()),
                    ("fill", &colour(*c)),
                ],
                true,
            ),
            Op::Line { from, to, colour: c, width } => tag(
                &mut out,
                "line",
                &[
                    ("opacity", &c.alpha.to_string()),
                    ("stroke", &colour(*c)),
                    ("stroke-width", &width.to_string()),
                    ("x1", &from.0.to_string()),
                    ("y1", &from.1.to_string()),
                    ("x2", &to.0.to_string()),
                    ("y2", &to.1.to_string()),
                ],
                true,
            ),
            Op::Rect { ul, br, colour: c, fill, .. } => {
                let (f, s) = if *fill { (colour(*c), "none".to_string()) } else { ("none".to_string(), colour(*c)) };
                tag(
                    &mut out,
                    "rect",
                    &[
                        ("x", &ul.0.to_string()),
                        ("y", &ul.1.to_string()),
                        ("width", &(br.0 - ul.0).to_string()),
                        ("height", &(br.1 - ul.1).to_string()),
                        ("opacity", &c.alpha.to_string()),
                        ("fill", &f),
                        ("stroke", &s),
                    ],
                    true,
                )
            }
            Op::Path { points: p, colour: c, width } => tag(
                &mut out,
                "polyline",
                &[
                    ("fill", "none"),
                    ("opacity", &c.alpha.to_string()),
                    ("stroke", &colour(*c)),
                    ("stroke-width", &width.to_string()),
                    ("points", &points(p)),
                ],
                true,
            ),
            Op::Polygon { points: p, colour: c } => {
                tag(&mut out, "polygon", &[("opacity", &c.alpha.to_string()), ("fill", &colour(*c)), ("points", &points(p))], true)
            }
            Op::Circle { centre, radius, colour: c, width, fill } => {
                let (s, f) = if *fill { ("none".to_string(), colour(*c)) } else { (colour(*c), "none".to_string()) };
                tag(
                    &mut out,
                    "circle",
                    &[
                        ("cx", &centre.0.to_string()),
                        ("cy", &centre.1.to_string()),
                        ("r", &radius.to_string()),
                        ("opacity", &c.alpha.to_string()),
                        ("fill", &f),
                        ("stroke", &s),
                        ("stroke-width", &width.to_string()),
                    ],
                    true,
                )
            }
            Op::Text(t) => {
                let anchor = match t.h {
                    HAlign::Left => "start",
                    HAlign::Right => "end",
                    HAlign::Center => "middle",
                };
                let dy = match t.v {
                    VAlign::Top => "0.76em",
                    VAlign::Center => "0.5ex",
                    VAlign::Bottom => "-0.5ex",
                };
                let (x, y) = t.at;
                let mut attrs: Vec<(&str, String)> = vec![
                    ("x", x.to_string()),
                    ("y", y.to_string()),
                    ("dy", dy.to_string()),
                    ("text-anchor", anchor.to_string()),
                    ("font-family", t.family.clone()),
                    ("font-size", (t.size / 1.24).to_string()),
                    ("opacity", t.colour.alpha.to_string()),
                    ("fill", colour(t.colour)),
                ];
                match t.style {
                    Shape::Normal => {}
                    Shape::Bold => attrs.push(("font-weight", "bold".into())),
                    other => attrs.push(("font-style", other.css().into())),
                }
                if t.rotate != 0 {
                    attrs.push(("transform", format!("rotate({}, {x}, {y})", t.rotate)));
                }
                let attrs: Vec<(&str, &str)> = attrs.iter().map(|(a, b)| (*a, b.as_str())).collect();
                tag(&mut out, "text", &attrs, false);
                escape(&mut out, &t.text);
                out.push_str("\n</text>\n");
            }
            Op::Image { at, size, img } => {
                let Some(data) = png(img) else { continue };
                let href = format!("data:image/png;base64,{data}");
                let (x, y, iw, ih) = (at.0.to_string(), at.1.to_string(), size.0.to_string(), size.1.to_string());
                let mut attrs = vec![("x", x.as_str()), ("y", y.as_str()), ("width", iw.as_str()), ("height", ih.as_str())];
                if *size != (img.w, img.h) {
                    attrs.push(("preserveAspectRatio", "none"));
                    if img.pixelated {
                        attrs.push(("style", "image-rendering:pixelated"));
                    }
                }
                attrs.push(("href", &href));
                tag(&mut out, "image", &attrs, true);
            }
        }
    }
    out.push_str("</svg>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_is_standard() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
        assert_eq!(base64(&[0xfb, 0xff]), "+/8=");
    }

    #[test]
    fn stretched_and_transparent_images_keep_their_size_and_alpha() {
        let img = Raster::rgba(2, 1, vec![1, 2, 3, 4, 5, 6, 7, 8]);
        let ops = vec![Op::Image { at: (3, 4), size: (20, 10), img: img.clone() }, Op::Image { at: (0, 0), size: (2, 1), img }];
        let enc = |r: &Raster| Some(format!("{}x{}:{}", r.w, r.h, r.alpha));
        let svg = write(&ops, (30, 20), &enc);
        assert!(
            svg.contains(r#"<image x="3" y="4" width="20" height="10" preserveAspectRatio="none" href="data:image/png;base64,2x1:true"/>"#),
            "{svg}"
        );
        assert!(svg.contains(r#"<image x="0" y="0" width="2" height="1" href="data:image/png;base64,2x1:true"/>"#), "{svg}");
    }

    #[test]
    fn pixelated_images_stretch_with_hard_edges() {
        let img = Raster::rgb(2, 2, vec![9; 12]).pixelated();
        let ops = vec![Op::Image { at: (0, 0), size: (20, 20), img: img.clone() }, Op::Image { at: (0, 0), size: (2, 2), img }];
        let svg = write(&ops, (30, 20), &|r: &Raster| Some(format!("{}x{}", r.w, r.h)));
        assert!(svg.contains(r#"width="20" height="20" preserveAspectRatio="none" style="image-rendering:pixelated" href="#), "{svg}");
        // At its own size there is nothing to stretch.
        assert!(svg.contains(r#"<image x="0" y="0" width="2" height="2" href="#), "{svg}");
        assert!(!Raster::rgb(2, 2, vec![9; 12]).pixelated);
    }
}
