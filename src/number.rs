//! The one number formatter.
//!
//! * Machine-readable outputs (JSON, CSV) write the shortest decimal that
//!   reads back as the same `f64` (the `ryu` algorithm), so no precision is
//!   lost and the same number always has the same bytes.
//! * Human-readable outputs (terminal, Markdown, HTML) write a fixed number of
//!   decimals, rounded to nearest with ties to even on the exact binary value
//!   (Rust's `{:.N}`), so that 0.4235 is printed as the reader would round it
//!   from the full value.
//! * An undefined value is an empty CSV cell, `null` in JSON and `n/a` for
//!   people.

/// Shortest round-trip text of a finite number; empty for `None` or a
/// non-finite value (which the library never produces).
pub fn machine(x: Option<f64>) -> String {
    match x {
        Some(v) if v.is_finite() => {
            if v == v.trunc() && v.abs() < 1e15 {
                // Whole numbers without a trailing ".0", as JSON writes them.
                format!("{}", v as i64)
            } else {
                let mut b = ryu::Buffer::new();
                b.format_finite(v).to_string()
            }
        }
        _ => String::new(),
    }
}

/// Fixed-decimal text for people; `n/a` for `None`.
pub fn human(x: Option<f64>, decimals: usize) -> String {
    match x {
        Some(v) if v.is_finite() => format!("{v:.decimals$}"),
        _ => "n/a".to_string(),
    }
}

/// A proportion as a percentage with one decimal, e.g. `42.3%`.
pub fn percent(x: Option<f64>) -> String {
    match x {
        Some(v) if v.is_finite() => format!("{:.1}%", v * 100.0),
        _ => "n/a".to_string(),
    }
}

/// A count with thousands separators, e.g. `6,172`.
pub fn count(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Formats a number the way a person writes it: integers without a decimal
/// point, others in their shortest round-trip form.
pub fn format_number(f: f64) -> String {
    if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(machine(Some(0.1)), "0.1");
        assert_eq!(machine(Some(1.0)), "1");
        assert_eq!(machine(Some(1e-7)), "1e-7");
        assert_eq!(machine(Some(0.4233817701453104)), "0.4233817701453104");
        assert_eq!(machine(None), "");
        assert_eq!(machine(Some(f64::NAN)), "");
        assert_eq!(human(Some(0.42338), 3), "0.423");
        assert_eq!(human(None, 3), "n/a");
        assert_eq!(percent(Some(0.4234)), "42.3%");
        assert_eq!(count(6172), "6,172");
        assert_eq!(count(999), "999");
        assert_eq!(count(1_000_000), "1,000,000");
    }
}
