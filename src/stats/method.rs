//! The names of the statistical methods, as published in every output.
//!
//! Each interval and test carries the method that produced it, so that a
//! reader of `results.json` or of a report can look it up; the names are the
//! strings of `results.json` schema version 1.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A method of interval estimation or testing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Method {
    /// Wilson score interval.
    #[serde(rename = "wilson")]
    Wilson,
    /// Wilson on Kish effective counts.
    #[serde(rename = "wilson (Kish effective sample size)")]
    WilsonKish,
    /// Clopper–Pearson.
    #[serde(rename = "clopper-pearson")]
    ClopperPearson,
    /// Clopper–Pearson on Kish effective counts.
    #[serde(rename = "clopper-pearson (Kish effective sample size)")]
    ClopperPearsonKish,
    /// Katz log interval.
    #[serde(rename = "katz-log")]
    Katz,
    /// Katz with the continuity adjustment.
    #[serde(
        rename = "katz-log (0.5 added to each count and 1 to each total, as a count was 0 or complete)"
    )]
    KatzAdjusted,
    /// Newcombe hybrid score.
    #[serde(rename = "newcombe-hybrid-score")]
    Newcombe,
    /// Pooled z test.
    #[serde(rename = "two-proportion z (pooled)")]
    Z,
    /// Pooled z test on effective counts.
    #[serde(rename = "two-proportion z (pooled, Kish effective sample size)")]
    ZKish,
    /// Fisher's exact test.
    #[serde(rename = "fisher exact (two-sided; an expected count was below 5)")]
    Fisher,
    /// Percentile bootstrap.
    #[serde(rename = "bootstrap percentile")]
    Bootstrap,
    /// Pearson's chi-square test of independence.
    #[serde(rename = "pearson chi-square test of independence")]
    ChiSquare,
}

impl Method {
    /// The published name.
    pub fn name(self) -> &'static str {
        match self {
            Method::Wilson => "wilson",
            Method::WilsonKish => "wilson (Kish effective sample size)",
            Method::ClopperPearson => "clopper-pearson",
            Method::ClopperPearsonKish => "clopper-pearson (Kish effective sample size)",
            Method::Katz => "katz-log",
            Method::KatzAdjusted => {
                "katz-log (0.5 added to each count and 1 to each total, as a count was 0 or complete)"
            }
            Method::Newcombe => "newcombe-hybrid-score",
            Method::Z => "two-proportion z (pooled)",
            Method::ZKish => "two-proportion z (pooled, Kish effective sample size)",
            Method::Fisher => "fisher exact (two-sided; an expected count was below 5)",
            Method::Bootstrap => "bootstrap percentile",
            Method::ChiSquare => "pearson chi-square test of independence",
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serialised_names_are_the_published_names() {
        for m in [
            Method::Wilson,
            Method::WilsonKish,
            Method::ClopperPearson,
            Method::ClopperPearsonKish,
            Method::Katz,
            Method::KatzAdjusted,
            Method::Newcombe,
            Method::Z,
            Method::ZKish,
            Method::Fisher,
            Method::Bootstrap,
            Method::ChiSquare,
        ] {
            let json = serde_json::to_string(&m).unwrap();
            assert_eq!(json, format!("\"{}\"", m.name()));
            assert_eq!(serde_json::from_str::<Method>(&json).unwrap(), m);
        }
    }
}
