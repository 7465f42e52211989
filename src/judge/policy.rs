//! The audit policy: what kind of intervention the model drives (see
//! [`Intervention`] for why that picks the metrics), which disparities
//! decide the verdict, and how much disparity is tolerated.
//!
//! The default tolerance is the "four-fifths" band: a group's rate may be
//! between 0.8 and 1.25 times the reference group's (US EEOC Uniform
//! Guidelines, 1978, §1607.4D; used by Aequitas as its default too).

use std::collections::BTreeMap;

use crate::metric::{Intervention, MetricId};
use crate::results::FailOn;

/// A tolerance for one metric's disparity.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Tolerance {
    /// The band for the ratio to the reference, `(low, high)`.
    pub ratio: Option<(f64, f64)>,
    /// The largest tolerated absolute difference.
    pub difference: Option<f64>,
}

/// A checked policy.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    /// The intervention type.
    pub intervention: Intervention,
    /// The primary metrics, in order.
    pub primary: Vec<MetricId>,
    /// The tolerance of each primary metric.
    pub tolerances: BTreeMap<MetricId, Tolerance>,
    /// Significance level after correction.
    pub alpha: f64,
    /// What fails the audit.
    pub fail_on: FailOn,
}

impl Policy {
    /// The tolerance of primary metric `m` (the four-fifths band if the
    /// policy names none).
    pub fn tolerance(&self, m: MetricId) -> Tolerance {
        self.tolerances.get(&m).copied().unwrap_or(Tolerance {
            ratio: Some(DEFAULT_RATIO_BAND),
            difference: None,
        })
    }
}

/// The four-fifths band.
pub const DEFAULT_RATIO_BAND: (f64, f64) = (0.8, 1.25);

/// The default significance level.
pub const DEFAULT_ALPHA: f64 = 0.05;
