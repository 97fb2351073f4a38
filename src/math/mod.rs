//! Shared numerics. Nothing here knows about drawing or the browser.

pub mod diffusion;
pub mod expr;
pub mod gaussian;
pub mod jl;
pub mod ode;
pub mod rng;
pub mod simplex_opt;
pub mod softmax;
pub mod surfaces;

/// A rectangle in data coordinates: the visible window of a 2-D plot.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct View {
    /// Smallest x shown.
    pub xmin: f64,
    /// Largest x shown.
    pub xmax: f64,
    /// Smallest y shown.
    pub ymin: f64,
    /// Largest y shown.
    pub ymax: f64,
}

impl View {
    /// A view from its four edges.
    pub const fn new(xmin: f64, xmax: f64, ymin: f64, ymax: f64) -> Self {
        View { xmin, xmax, ymin, ymax }
    }

    /// Whether (x, y) lies inside the view (edges included).
    pub fn contains(&self, x: f64, y: f64) -> bool {
        x >= self.xmin && x <= self.xmax && y >= self.ymin && y <= self.ymax
    }

    /// The larger of the two side lengths.
    pub fn span(&self) -> f64 {
        (self.xmax - self.xmin).max(self.ymax - self.ymin)
    }
}

/// Formats a number for people: `digits` significant digits, scientific notation when very large
/// or small, `−` as the minus sign. Non-finite values print as `∞`, `−∞` or `NaN`.
pub fn fmt_sig(x: f64, digits: usize) -> String {
    if x.is_nan() {
        return "NaN".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "∞".into() } else { "−∞".into() };
    }
    if x == 0.0 {
        return "0".into();
    }
    let digits = digits.clamp(1, 17);
    let e = x.abs().log10().floor() as i32;
    let s = if !(-4..6).contains(&e) {
        let s = format!("{:.*e}", digits - 1, x);
        // 1.230e-5 → 1.23e-5
        match s.split_once('e') {
            Some((m, ex)) => {
                let m = if m.contains('.') { m.trim_end_matches('0').trim_end_matches('.') } else { m };
                format!("{m}e{ex}")
            }
            None => s,
        }
    } else {
        let dec = (digits as i32 - 1 - e).max(0) as usize;
        let s = format!("{:.*}", dec, x);
        if s.contains('.') {
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            s
        }
    };
    s.replace('-', "−")
}

#[cfg(test)]
mod fmt_tests {
    use super::fmt_sig;

    #[test]
    fn significant_digits() {
        assert_eq!(fmt_sig(0.001, 3), "0.001");
        assert_eq!(fmt_sig(1.23456e-7, 3), "1.23e−7");
        assert_eq!(fmt_sig(-24.2, 4), "−24.2");
        assert_eq!(fmt_sig(1001.600639, 5), "1001.6");
        assert_eq!(fmt_sig(2.5e12, 3), "2.5e12");
        assert_eq!(fmt_sig(f64::NAN, 3), "NaN");
        assert_eq!(fmt_sig(0.0, 3), "0");
    }
}
