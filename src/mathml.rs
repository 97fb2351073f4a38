//! Small builders for MathML markup (browsers render MathML natively: no JavaScript maths library).

use crate::fmt::fmt_sig;

/// A number, 4 significant digits.
pub fn n(x: f64) -> String {
    format!("<mn>{}</mn>", fmt_sig(x, 4))
}

/// An identifier.
pub fn i(s: &str) -> String {
    format!("<mi>{s}</mi>")
}

/// Subscript.
pub fn sub(a: &str, b: &str) -> String {
    format!("<msub>{a}{b}</msub>")
}

/// Superscript.
pub fn sup(a: &str, b: &str) -> String {
    format!("<msup>{a}{b}</msup>")
}

/// Fraction.
pub fn frac(a: &str, b: &str) -> String {
    format!("<mfrac><mrow>{a}</mrow><mrow>{b}</mrow></mfrac>")
}

/// Square root.
pub fn sqrt(a: &str) -> String {
    format!("<msqrt>{a}</msqrt>")
}

/// Parentheses.
pub fn paren(a: &str) -> String {
    format!("<mo>(</mo>{a}<mo>)</mo>")
}

/// Hat accent.
pub fn hat(a: &str) -> String {
    format!("<mover>{a}<mo>^</mo></mover>")
}

/// A block of left-aligned lines.
pub fn lines(rows: &[String]) -> String {
    let mut s = String::from("<math display=\"block\"><mtable columnalign=\"left\">");
    for r in rows {
        s.push_str("<mtr><mtd>");
        s.push_str(r);
        s.push_str("</mtd></mtr>");
    }
    s.push_str("</mtable></math>");
    s
}

/// lhs = rhs.
pub fn assign(lhs: &str, rhs: &str) -> String {
    format!("<mrow>{lhs}<mo>=</mo>{rhs}</mrow>")
}

/// sign(a).
pub fn sign(a: &str) -> String {
    format!("<mi>sign</mi><mo>⁡</mo>{}", paren(a))
}
