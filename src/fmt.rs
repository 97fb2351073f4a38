//! Numbers and text for people and for URLs: shortest round-trip decimals, the strict number
//! parser every input goes through, significant-digit formatting and clipping of user text.

/// Shortest round-trip decimal for a finite f64 (Rust's `Display` is exactly that), with `-0` → `0`.
pub fn fmt_num(x: f64) -> String {
    if x == 0.0 {
        "0".to_string()
    } else if x.is_finite() && (x.abs() < 1e-6 || x.abs() >= 1e21) {
        // Rust's Display never switches to an exponent (1e-47 would print 48 digits into the URL
        // and the field); same thresholds as JavaScript's Number#toString, still round-trip.
        format!("{x:e}")
    } else {
        format!("{x}")
    }
}

/// Parses a number the way URLs and the numeric fields accept it: finite decimals only.
pub fn parse_num(s: &str) -> Option<f64> {
    let s = s.trim();
    // Rust accepts "inf", "nan" and "infinity": those are junk here, not values.
    if s.is_empty() || s.len() > 64 || !s.bytes().all(|b| b.is_ascii_digit() || b"+-.eE".contains(&b)) {
        return None;
    }
    s.parse::<f64>().ok().filter(|x| x.is_finite())
}

/// Shortens user text for messages (a URL can carry megabytes).
pub fn clip(s: &str) -> String {
    if s.chars().count() > 24 {
        format!("{}…", s.chars().take(24).collect::<String>())
    } else {
        s.to_string()
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
    use super::*;

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

    /// Short, exponent only far from 1, and every value reads back exactly.
    #[test]
    fn fmt_num_is_short_and_round_trips() {
        for (x, want) in [
            (0.0, "0"),
            (1e-47, "1e-47"),
            (2.5e-7, "2.5e-7"),
            (1e-6, "0.000001"),
            (0.001, "0.001"),
            (-3.25, "-3.25"),
            (1e20, "100000000000000000000"),
            (1e21, "1e21"),
            (-1.5e300, "-1.5e300"),
        ] {
            assert_eq!(fmt_num(x), want);
        }
        for k in -320..=308 {
            for m in [1.0, 1.2345678901234567, 9.999999999999998] {
                let x = m * 10f64.powi(k);
                if x.is_finite() && x != 0.0 {
                    assert_eq!(parse_num(&fmt_num(x)), Some(x), "{x:e}");
                    assert!(fmt_num(x).len() <= 24, "{}", fmt_num(x));
                }
            }
        }
    }
}
