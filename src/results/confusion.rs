//! The confusion analysis's section of the results: per group and per
//! grouping, the confusion counts, every registry metric with its interval,
//! every disparity against the reference with its interval and test, the
//! chi-square tests across groups, and the peers' summary measures.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::metric::{MetricId, Value};
use crate::stats::Method;

use super::{MetricInfo, Verdict};

/// The confusion analysis's results.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Section {
    /// The metric registry, for readers of the file.
    pub metrics: Vec<MetricInfo>,
    /// All used rows as one group.
    pub overall: GroupResult,
    /// Each attribute, then each intersection.
    pub groupings: Vec<GroupingResult>,
}

/// A chi-square test of independence across a grouping's groups.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupTest {
    /// The statistic.
    pub statistic: f64,
    /// Degrees of freedom.
    pub df: u32,
    /// The p-value.
    pub p_value: f64,
    /// The test.
    pub method: Method,
}

/// A fairlearn summary with its bootstrap intervals.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct SummaryValue {
    /// Across groups.
    pub between_groups: Option<f64>,
    /// Its interval.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub between_groups_ci: Option<[f64; 2]>,
    /// Against the whole population.
    pub to_overall: Option<f64>,
    /// Its interval.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to_overall_ci: Option<[f64; 2]>,
}

/// A metric's value or why it is undefined.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetricValue {
    /// The value; `null` when undefined.
    pub value: Option<f64>,
    /// Why the value is undefined.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub undefined: Option<String>,
    /// Lower end of the interval.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ci_low: Option<f64>,
    /// Upper end of the interval.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ci_high: Option<f64>,
    /// How the interval was computed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ci_method: Option<Method>,
}

impl From<Value> for MetricValue {
    fn from(v: Value) -> MetricValue {
        MetricValue {
            value: v.get(),
            undefined: v.reason().map(str::to_string),
            ci_low: None,
            ci_high: None,
            ci_method: None,
        }
    }
}

/// A group's metric compared with the reference group's.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DisparityValue {
    /// m_group / m_reference.
    pub ratio: Option<f64>,
    /// Lower end of the ratio's interval.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ratio_ci_low: Option<f64>,
    /// Upper end of the ratio's interval.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ratio_ci_high: Option<f64>,
    /// How the ratio's interval was computed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ratio_ci_method: Option<Method>,
    /// m_group − m_reference.
    pub difference: Option<f64>,
    /// Lower end of the difference's interval.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub difference_ci_low: Option<f64>,
    /// Upper end of the difference's interval.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub difference_ci_high: Option<f64>,
    /// How the difference's interval was computed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub difference_ci_method: Option<Method>,
    /// Two-sided p-value of the test of no difference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p_value: Option<f64>,
    /// The p-value corrected within its family.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p_adjusted: Option<f64>,
    /// The test.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub test: Option<Method>,
    /// Why the ratio (or both) is undefined.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub undefined: Option<String>,
}

/// Confusion counts.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Counts {
    /// True positives.
    pub tp: u64,
    /// False positives.
    pub fp: u64,
    /// False negatives.
    #[serde(rename = "fn")]
    pub fn_: u64,
    /// True negatives.
    pub tn: u64,
}

/// Weighted confusion counts (sums of weights).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct WeightedCounts {
    /// True positives.
    pub tp: f64,
    /// False positives.
    pub fp: f64,
    /// False negatives.
    #[serde(rename = "fn")]
    pub fn_: f64,
    /// True negatives.
    pub tn: f64,
}

/// One group's results.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupResult {
    /// The label (`Black`, or `Black|Female` in an intersection).
    pub label: String,
    /// The level of each attribute of the grouping.
    pub levels: Vec<String>,
    /// Whether the group is below the minimum size: its numbers are then
    /// withheld (all `null`/empty) and it is never the basis of a verdict.
    pub suppressed: bool,
    /// Why a suppressed group's numbers are withheld.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub withheld: Option<Withheld>,
    /// Whether this is the grouping's reference group.
    pub reference: bool,
    /// Rows.
    pub n: Option<u64>,
    /// Sum of weights (weighted audits only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weighted_n: Option<f64>,
    /// Confusion counts.
    pub counts: Option<Counts>,
    /// Weighted confusion counts (weighted audits only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weighted_counts: Option<WeightedCounts>,
    /// Each registry metric by name.
    pub metrics: BTreeMap<MetricId, MetricValue>,
    /// Each registry metric against the reference group.
    pub disparities: BTreeMap<MetricId, DisparityValue>,
    /// AIF360's pairwise measures with this group as unprivileged and the
    /// reference as privileged.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub aif360: BTreeMap<String, Option<f64>>,
    /// The verdict on each primary metric (not for the reference group).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub verdicts: BTreeMap<MetricId, Verdict>,
}

/// The reference group of a grouping and how it was chosen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReferenceInfo {
    /// The group's label.
    pub group: String,
    /// `named`, `largest` or `most-favourable <metric>`.
    pub rule: String,
}

/// One grouping's results.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupingResult {
    /// `race`, or `race|sex`.
    pub name: String,
    /// The attributes crossed.
    pub attributes: Vec<String>,
    /// The reference group, if there is one to compare with.
    pub reference: Option<ReferenceInfo>,
    /// The groups, in attribute-level order.
    pub groups: Vec<GroupResult>,
    /// Combinations of levels with no rows (intersections only).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub empty_combinations: Vec<String>,
    /// Chi-square tests of independence across the published groups, per
    /// proportion metric.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tests: BTreeMap<MetricId, GroupTest>,
    /// fairlearn's summary measures over the published groups.
    pub fairlearn: BTreeMap<String, SummaryValue>,
}

impl GroupingResult {
    /// The group labelled `label`.
    pub fn group(&self, label: &str) -> Option<&GroupResult> {
        self.groups.iter().find(|g| g.label == label)
    }
}

impl GroupResult {
    /// The value of metric `m`, if published and defined.
    pub fn metric(&self, m: MetricId) -> Option<f64> {
        self.metrics.get(&m).and_then(|v| v.value)
    }
}

/// Why a group's numbers are withheld.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Withheld {
    /// The group has fewer rows than the minimum group size.
    Small,
    /// Its numbers would let a smaller group's be worked out by subtraction
    /// from the published ones (complementary suppression).
    Complementary,
}
