//! The results of an audit: the typed, versioned schema that every output
//! is rendered from, and the only thing the report layer sees.
//!
//! The analyses fill their sections ([`confusion`]); the judge adds
//! verdicts, findings, trade-offs and coverage ([`judgement`], [`verdict`]);
//! the audit assembles the whole. Identifiers and methods are typed
//! ([`MetricId`], [`Intervention`], [`FailOn`], [`Direction`], [`Method`])
//! and serialise to the strings of the schema. See the crate documentation
//! for the wire format of `results.json`.

pub mod confusion;
pub mod judgement;
pub mod verdict;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::count::RowAccounting;
use crate::metric::{Direction, Intervention, MetricId};
use crate::stats::{Correction, Method};

pub use confusion::{
    Counts, DisparityValue, GroupResult, GroupTest, GroupingResult, MetricValue, ReferenceInfo,
    SummaryValue, WeightedCounts, Withheld,
};
pub use judgement::{AttributeCoverage, Coverage, Finding, Parity, Tradeoff};
pub use verdict::{Verdict, VerdictKind};

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
    /// The confusion analysis: the metric registry, the overall group, and
    /// each attribute, then each intersection.
    #[serde(flatten)]
    pub confusion: confusion::Section,
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
    pub proportion_interval: Method,
    /// Interval for ratios of proportions.
    pub ratio_interval: Method,
    /// Interval for differences of proportions.
    pub difference_interval: Method,
    /// Tests of a group against its reference.
    pub test: String,
    /// Correction within each family (one grouping × one metric).
    pub correction: Correction,
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
    pub intervention: Intervention,
    /// The criterion ranked first for it.
    pub first_criterion: String,
    /// Primary metrics.
    pub primary: Vec<MetricId>,
    /// Tolerance per primary metric.
    pub tolerances: BTreeMap<MetricId, ToleranceInfo>,
    /// Significance level after correction.
    pub alpha: f64,
    /// `fail` or `inconclusive`.
    pub fail_on: FailOn,
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
    /// The metric.
    pub name: MetricId,
    /// A short human name.
    pub label: String,
    /// The formula.
    pub formula: String,
    /// What it means.
    pub meaning: String,
    /// `higher`, `lower` or `context`, under the policy's intervention.
    pub favourable: Direction,
    /// The fairness criterion it serves.
    pub criterion: String,
}

/// What makes an audit count as failed (exit code 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FailOn {
    /// Only a failed verdict.
    Fail,
    /// A failed or an inconclusive verdict.
    Inconclusive,
}

impl FailOn {
    /// The lowercase name.
    pub fn name(self) -> &'static str {
        match self {
            FailOn::Fail => "fail",
            FailOn::Inconclusive => "inconclusive",
        }
    }
}

impl Results {
    /// The grouping named `name`.
    pub fn grouping(&self, name: &str) -> Option<&GroupingResult> {
        self.confusion.groupings.iter().find(|g| g.name == name)
    }

    /// Each attribute's grouping, then each intersection's.
    pub fn groupings(&self) -> &[GroupingResult] {
        &self.confusion.groupings
    }

    /// All used rows as one group.
    pub fn overall(&self) -> &GroupResult {
        &self.confusion.overall
    }

    /// The registry entry of metric `m`, as published.
    pub fn metric_info(&self, m: MetricId) -> Option<&MetricInfo> {
        self.confusion.metrics.iter().find(|i| i.name == m)
    }
}
