//! The URL codec: query strings in and out. Only non-default values are written; keys of the
//! shell (not of any lab) are listed here.

use std::fmt::Write as _;

/// URL keys that belong to the shell, not to any lab.
pub const SHELL_KEYS: &[&str] = &["lab", "embed", "hide", "controls", "autoplay", "lang", "bench", "theme"];

/// Splits a query string (with or without `?`) into decoded pairs. Never fails: undecodable
/// escapes are kept literally, a bare key gets an empty value.
pub fn parse_query(q: &str) -> Vec<(String, String)> {
    let q = q.trim().trim_start_matches('?');
    q.split('&')
        .filter(|s| !s.is_empty())
        .map(|kv| {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

/// `application/x-www-form-urlencoded` decoding (`+` is a space).
pub fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() => {
                let hex = |c: u8| (c as char).to_digit(16);
                match (hex(b[i + 1]), hex(b[i + 2])) {
                    (Some(h), Some(l)) => {
                        out.push((h * 16 + l) as u8);
                        i += 2;
                    }
                    _ => out.push(b'%'),
                }
            }
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Encodes a query component: unreserved characters and `,` (our list separator) stay readable.
pub fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~,".contains(&b) {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// Builds `lab=<slug>&k=v…`.
pub fn build_query(slug: &str, pairs: &[(String, String)]) -> String {
    let mut q = format!("lab={}", percent_encode(slug));
    for (k, v) in pairs {
        let _ = write!(q, "&{}={}", percent_encode(k), percent_encode(v));
    }
    q
}
