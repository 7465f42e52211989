//! What the judge adds to the numbers, as published: findings in words,
//! the calibration / error-rate trade-off, and coverage of the protected
//! characteristics.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::metric::MetricId;

use super::VerdictKind;

/// A finding: a verdict with its sentence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// The grouping.
    pub grouping: String,
    /// The group.
    pub group: String,
    /// The metric.
    pub metric: MetricId,
    /// `fail` or `inconclusive`.
    pub verdict: VerdictKind,
    /// The sentence.
    pub text: String,
}

/// The trade-off explanation of one grouping.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tradeoff {
    /// The grouping.
    pub grouping: String,
    /// Whether base rates differ (significantly, and by more than a few points).
    pub base_rates_differ: bool,
    /// Which parity the model is closer to.
    pub closer_to: Parity,
    /// The explanation.
    pub text: String,
}

/// Which kind of parity a model is closer to, when base rates differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Parity {
    /// Similar predictive values (calibration) across groups.
    #[serde(rename = "predictive parity")]
    Predictive,
    /// Similar error rates across groups.
    #[serde(rename = "error-rate parity")]
    ErrorRate,
    /// Neither is clearly closer.
    #[serde(rename = "neither")]
    Neither,
}

impl Parity {
    /// The published name.
    pub fn name(self) -> &'static str {
        match self {
            Parity::Predictive => "predictive parity",
            Parity::ErrorRate => "error-rate parity",
            Parity::Neither => "neither",
        }
    }
}

impl fmt::Display for Parity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An attribute's coverage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttributeCoverage {
    /// The attribute.
    pub attribute: String,
    /// The Equality Act characteristic it records, if recognised.
    pub characteristic: Option<String>,
    /// Rows whose value is missing or "not stated" (`None`: withheld, a group
    /// too small to publish).
    pub not_stated_rows: Option<u64>,
    /// Their share of the rows used.
    pub not_stated_share: Option<f64>,
}

/// What the audit could and could not examine.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Coverage {
    /// The attributes audited.
    pub attributes: Vec<AttributeCoverage>,
    /// The Equality Act characteristics the data does not hold.
    pub not_examined: Vec<String>,
    /// A sentence for the report.
    pub text: String,
}
