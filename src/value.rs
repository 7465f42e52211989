//! Values: a cell of the input ([`Cell`]) and a value written in the audit
//! specification ([`Literal`]), and how the two compare.
//!
//! Inputs come as text (CSV) or typed columns (Parquet, Arrow), and the spec
//! is TOML, so `1`, `1.0`, `"1"` and `true` all need a defined meaning. The
//! rule is: numbers compare as numbers (a text cell that parses as a number is
//! a number), text compares as exact text, and booleans match `true`/`false`
//! in any case and the integers 1/0.

use std::cmp::Ordering;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::number::format_number;

/// One cell of the input, borrowed from the batch that holds it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Cell<'a> {
    /// A missing value (an empty CSV field, a configured missing token, or a
    /// null in Parquet/Arrow).
    Missing,
    /// Text.
    Str(&'a str),
    /// An integer.
    Int(i64),
    /// A floating-point number.
    Float(f64),
    /// A boolean.
    Bool(bool),
}

impl Cell<'_> {
    /// The cell as a number, if it is one (text is parsed, surrounding
    /// whitespace ignored). Booleans are not numbers.
    pub fn as_f64(&self) -> Option<f64> {
        match *self {
            Cell::Int(i) => Some(i as f64),
            Cell::Float(f) => Some(f),
            Cell::Str(s) => s.trim().parse::<f64>().ok(),
            Cell::Missing | Cell::Bool(_) => None,
        }
    }

    /// The cell as a display label (for protected attributes): text as is,
    /// numbers in their shortest form, booleans as `true`/`false`.
    pub fn to_label(&self) -> Option<String> {
        match *self {
            Cell::Missing => None,
            Cell::Str(s) => Some(s.to_string()),
            Cell::Int(i) => Some(i.to_string()),
            Cell::Float(f) => Some(format_number(f)),
            Cell::Bool(b) => Some(b.to_string()),
        }
    }

    /// A short description for error messages.
    pub fn describe(&self) -> String {
        match *self {
            Cell::Missing => "a missing value".to_string(),
            Cell::Str(s) => format!("{s:?}"),
            Cell::Int(i) => i.to_string(),
            Cell::Float(f) => format_number(f),
            Cell::Bool(b) => b.to_string(),
        }
    }
}

/// A value written in the audit specification.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Literal {
    /// `true` / `false`.
    Bool(bool),
    /// An integer, e.g. `1`.
    Int(i64),
    /// A number with a fraction, e.g. `0.5`.
    Float(f64),
    /// Text, e.g. `"Yes"`.
    Str(String),
}

impl fmt::Display for Literal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Literal::Bool(b) => write!(f, "{b}"),
            Literal::Int(i) => write!(f, "{i}"),
            Literal::Float(x) => write!(f, "{}", format_number(*x)),
            Literal::Str(s) => write!(f, "{s:?}"),
        }
    }
}

impl Literal {
    /// The literal as a number, if it is one.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Literal::Int(i) => Some(*i as f64),
            Literal::Float(f) => Some(*f),
            Literal::Str(_) | Literal::Bool(_) => None,
        }
    }

    /// The literal as the label a cell holding it would get.
    pub fn to_label(&self) -> String {
        match self {
            Literal::Bool(b) => b.to_string(),
            Literal::Int(i) => i.to_string(),
            Literal::Float(f) => format_number(*f),
            Literal::Str(s) => s.clone(),
        }
    }

    /// Whether `cell` equals this literal (missing equals nothing).
    pub fn matches(&self, cell: &Cell<'_>) -> bool {
        match (self, cell) {
            (_, Cell::Missing) => false,
            (Literal::Bool(b), Cell::Bool(c)) => b == c,
            (Literal::Bool(b), Cell::Int(i)) => (*i == 1 && *b) || (*i == 0 && !*b),
            (Literal::Bool(b), Cell::Str(s)) => {
                let s = s.trim();
                s.eq_ignore_ascii_case(if *b { "true" } else { "false" })
            }
            (Literal::Bool(_), Cell::Float(_)) => false,
            (Literal::Str(s), Cell::Str(c)) => s == c,
            (Literal::Str(s), other) => other.to_label().is_some_and(|l| &l == s),
            (lit, c) => match (lit.as_f64(), c.as_f64()) {
                (Some(a), Some(b)) => a == b,
                _ => false,
            },
        }
    }

    /// Orders `cell` against this literal: numerically when the literal is a
    /// number, as text when it is text. `None` when the cell is missing or of
    /// a kind that cannot be ordered against the literal.
    pub fn compare(&self, cell: &Cell<'_>) -> Option<Ordering> {
        match self {
            Literal::Int(_) | Literal::Float(_) => {
                let a = cell.as_f64()?;
                a.partial_cmp(&self.as_f64()?)
            }
            Literal::Str(s) => match cell {
                Cell::Str(c) => Some((*c).cmp(s.as_str())),
                Cell::Missing => None,
                other => other.to_label().map(|l| l.as_str().cmp(s.as_str())),
            },
            Literal::Bool(b) => {
                if self.matches(cell) {
                    Some(Ordering::Equal)
                } else if Literal::Bool(!b).matches(cell) {
                    Some(if *b {
                        Ordering::Less
                    } else {
                        Ordering::Greater
                    })
                } else {
                    None
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_match_across_representations() {
        assert!(Literal::Int(1).matches(&Cell::Str("1")));
        assert!(Literal::Int(1).matches(&Cell::Str("1.0")));
        assert!(Literal::Int(1).matches(&Cell::Float(1.0)));
        assert!(!Literal::Int(1).matches(&Cell::Str("Yes")));
        assert!(Literal::Str("1".into()).matches(&Cell::Int(1)));
        assert!(Literal::Bool(true).matches(&Cell::Str("TRUE")));
        assert!(Literal::Bool(false).matches(&Cell::Int(0)));
        assert!(!Literal::Bool(true).matches(&Cell::Missing));
        assert!(Literal::Str("Yes".into()).matches(&Cell::Str("Yes")));
        assert!(!Literal::Str("Yes".into()).matches(&Cell::Str("yes")));
    }

    #[test]
    fn comparisons_are_numeric_for_numbers() {
        assert_eq!(
            Literal::Int(-30).compare(&Cell::Str("-1")),
            Some(Ordering::Greater)
        );
        assert_eq!(
            Literal::Int(30).compare(&Cell::Str("100")),
            Some(Ordering::Greater)
        );
        assert_eq!(Literal::Int(30).compare(&Cell::Missing), None);
        assert_eq!(Literal::Int(30).compare(&Cell::Str("abc")), None);
        assert_eq!(
            Literal::Str("M".into()).compare(&Cell::Str("F")),
            Some(Ordering::Less)
        );
    }

    #[test]
    fn labels_are_plain() {
        assert_eq!(Cell::Float(2.0).to_label().unwrap(), "2");
        assert_eq!(Cell::Float(0.25).to_label().unwrap(), "0.25");
        assert_eq!(Cell::Missing.to_label(), None);
    }
}
