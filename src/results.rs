//! The results of an audit: the versioned schema that every output is
//! rendered from (assembled by [`crate::evaluate`]).
//!
//! See the crate documentation for the wire format of `results.json`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::findings::{Coverage, Finding, Tradeoff};
use crate::metrics::Value;
use crate::scan::RowAccounting;
use crate::verdict::{Verdict, VerdictKind};

/// The version of the `results.json` schema. Bumped on any change that a
/// consumer could notice (a field removed, renamed or changed in meaning);
/// new fields are additions within a version.
pub const SCHEMA_VERSION: u32 = 1;

/// Everything an audit found. The only input to the renderers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Results {
    /// [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// The tool that produced the results.
    pub tool: ToolInfo,
    /// What was audited.
    pub audit: AuditInfo,
    /// Where the rows went.
    pub rows: RowAccounting,
    /// The metric registry, for readers of the file.
    pub metrics: Vec<MetricInfo>,
    /// All used rows as one group.
    pub overall: GroupResult,
    /// Each attribute, then each intersection.
    pub groupings: Vec<GroupingResult>,
    /// How intervals and tests were computed.
    pub uncertainty: UncertaintyInfo,
    /// The policy the verdicts apply.
    pub policy: PolicyInfo,
    /// The overall verdict over the primary metrics.
    pub verdict: OverallVerdict,
    /// One sentence per failed or inconclusive verdict, failures first.
    pub findings: Vec<Finding>,
    /// The calibration / error-rate trade-off, per single attribute.
    pub tradeoffs: Vec<Tradeoff>,
    /// What the audit could and could not examine.
    pub coverage: Coverage,
    /// Things the reader should know (data quality, single groups).
    pub warnings: Vec<String>,
}

/// How intervals and tests were computed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UncertaintyInfo {
    /// Confidence level of every interval.
    pub level: f64,
    /// Interval for proportions.
    pub proportion_interval: String,
    /// Interval for ratios of proportions.
    pub ratio_interval: String,
    /// Interval for differences of proportions.
    pub difference_interval: String,
    /// Tests of a group against its reference.
    pub test: String,
    /// Correction within each family (one grouping × one metric).
    pub correction: String,
    /// The bootstrap, if run.
    pub bootstrap: Option<BootstrapInfo>,
    /// Notes on methods (weights, zero counts).
    pub notes: Vec<String>,
}

/// The bootstrap's settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BootstrapInfo {
    /// Replicates.
    pub replicates: u32,
    /// Master seed.
    pub seed: u64,
    /// Whether group sizes were held fixed.
    pub stratified: bool,
    /// How replicates are drawn.
    pub resampling: String,
}

/// The policy, as applied.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PolicyInfo {
    /// `punitive`, `assistive` or `neutral`.
    pub intervention: String,
    /// The criterion ranked first for it.
    pub first_criterion: String,
    /// Primary metrics.
    pub primary: Vec<String>,
    /// Tolerance per primary metric.
    pub tolerances: BTreeMap<String, ToleranceInfo>,
    /// Significance level after correction.
    pub alpha: f64,
    /// `fail` or `inconclusive`.
    pub fail_on: String,
    /// Minimum group size.
    pub min_group_size: u64,
}

/// A tolerance, as published.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ToleranceInfo {
    /// Ratio band.
    pub ratio: Option<[f64; 2]>,
    /// Largest absolute difference.
    pub difference: Option<f64>,
}

/// The overall verdict.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OverallVerdict {
    /// Fail if any primary comparison fails, else inconclusive if any is,
    /// else pass (or insufficient data if nothing could be judged).
    pub verdict: VerdictKind,
    /// Whether the policy counts this as a failed audit (exit code 1).
    pub fails_audit: bool,
    /// Comparisons that passed.
    pub pass: u64,
    /// Comparisons that failed.
    pub fail: u64,
    /// Comparisons that were inconclusive.
    pub inconclusive: u64,
    /// Comparisons without enough data.
    pub insufficient_data: u64,
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
    pub method: String,
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

/// The tool's name and version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ToolInfo {
    /// `fairaudit`.
    pub name: String,
    /// The crate version.
    pub version: String,
}

/// What was audited, in words and numbers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditInfo {
    /// The spec's title.
    pub title: String,
    /// The master seed, if set.
    pub seed: Option<u64>,
    /// Input files as named in the spec, with their formats.
    pub inputs: Vec<String>,
    /// How the truth is read.
    pub truth: String,
    /// How the prediction is read.
    pub prediction: String,
    /// Whether sample weights were used (metrics are then weighted).
    pub weighted: bool,
    /// The cohort filters.
    pub cohort: Vec<String>,
    /// Groups with fewer rows are suppressed.
    pub min_group_size: u64,
}

/// One registry entry, as published.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MetricInfo {
    /// The metric's name.
    pub name: String,
    /// A short human name.
    pub label: String,
    /// The formula.
    pub formula: String,
    /// What it means.
    pub meaning: String,
    /// `higher`, `lower` or `context`.
    pub favourable: String,
    /// The fairness criterion it serves.
    pub criterion: String,
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
    pub ci_method: Option<String>,
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
    pub ratio_ci_method: Option<String>,
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
    pub difference_ci_method: Option<String>,
    /// Two-sided p-value of the test of no difference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p_value: Option<f64>,
    /// The p-value corrected within its family.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p_adjusted: Option<f64>,
    /// The test.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub test: Option<String>,
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
    pub metrics: BTreeMap<String, MetricValue>,
    /// Each registry metric against the reference group.
    pub disparities: BTreeMap<String, DisparityValue>,
    /// AIF360's pairwise measures with this group as unprivileged and the
    /// reference as privileged.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub aif360: BTreeMap<String, Option<f64>>,
    /// The verdict on each primary metric (not for the reference group).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub verdicts: BTreeMap<String, Verdict>,
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
    pub tests: BTreeMap<String, GroupTest>,
    /// fairlearn's summary measures over the published groups.
    pub fairlearn: BTreeMap<String, SummaryValue>,
}

impl Results {
    /// The grouping named `name`.
    pub fn grouping(&self, name: &str) -> Option<&GroupingResult> {
        self.groupings.iter().find(|g| g.name == name)
    }
}

impl GroupingResult {
    /// The group labelled `label`.
    pub fn group(&self, label: &str) -> Option<&GroupResult> {
        self.groups.iter().find(|g| g.label == label)
    }
}

impl GroupResult {
    /// The value of metric `name`, if published and defined.
    pub fn metric(&self, name: &str) -> Option<f64> {
        self.metrics.get(name).and_then(|m| m.value)
    }
}
