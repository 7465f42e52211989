//! Verdicts as published: the outcome of one comparison and why.
//!
//! The judge decides them (see the judge's verdict rules); this module only
//! names them, so that every layer above can read them.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The outcome of one comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum VerdictKind {
    /// Within tolerance.
    #[serde(rename = "pass")]
    Pass,
    /// The data cannot tell.
    #[serde(rename = "inconclusive")]
    Inconclusive,
    /// Outside tolerance, significantly.
    #[serde(rename = "fail")]
    Fail,
    /// No verdict possible.
    #[serde(rename = "insufficient data")]
    InsufficientData,
}

impl VerdictKind {
    /// The published name.
    pub fn name(self) -> &'static str {
        match self {
            VerdictKind::Pass => "pass",
            VerdictKind::Inconclusive => "inconclusive",
            VerdictKind::Fail => "fail",
            VerdictKind::InsufficientData => "insufficient data",
        }
    }
}

/// A verdict with its reason.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Verdict {
    /// The outcome.
    pub verdict: VerdictKind,
    /// Why, in words.
    pub reason: String,
    /// For an inconclusive ratio: the interval end farthest from parity,
    /// i.e. the largest disparity the data cannot rule out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cannot_rule_out_ratio: Option<f64>,
    /// The same for a difference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cannot_rule_out_difference: Option<f64>,
}

impl Verdict {
    /// An `insufficient data` verdict.
    pub fn insufficient(reason: impl Into<String>) -> Verdict {
        Verdict {
            verdict: VerdictKind::InsufficientData,
            reason: reason.into(),
            cannot_rule_out_ratio: None,
            cannot_rule_out_difference: None,
        }
    }
}

impl fmt::Display for VerdictKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
