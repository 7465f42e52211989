//! The audit specification as written in `audit.toml` (or built from
//! command-line flags): serde types only, every field optional where a
//! default exists. Nothing here checks a value; the plan layer does, once.
//! Serialises back to TOML in normalised form (the pack's `audit.toml`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::value::Literal;

/// An audit specification as written (every field optional where a default
/// exists). Serialises back to TOML in normalised form.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditSpec {
    /// A title for reports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The master seed for every random draw (bootstrap).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    /// The input file(s).
    pub input: InputSpec,
    /// The ground-truth column.
    pub truth: LabelSpec,
    /// The model's decision: a label column, or a score with a threshold.
    pub prediction: PredictionSpec,
    /// Optional sample weights.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight: Option<WeightSpec>,
    /// Row filters that define the cohort.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cohort: Option<CohortSpec>,
    /// The protected attributes.
    #[serde(default)]
    pub attributes: Vec<AttributeSpec>,
    /// Intersections of attributes, by name, e.g. `[["race", "sex"]]`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub intersections: Vec<Vec<String>>,
    /// Reference groups of intersections, keyed by the intersection's name
    /// (`"race|sex" = "Caucasian|Male"`). By default the intersection of the
    /// attributes' named references, or else the largest group.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub intersection_reference: BTreeMap<String, String>,
    /// Intervals, tests and the bootstrap.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uncertainty: Option<UncertaintySpec>,
    /// The audit policy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<PolicySpec>,
    /// How findings describe the outcome and the decision in words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wording: Option<WordingSpec>,
}

/// `[input]`: where the rows are.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InputSpec {
    /// One input file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Several input files with the same columns (shards), read as one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub paths: Vec<String>,
    /// `csv`, `parquet` or `arrow`; by default from the extension.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
    /// CSV field delimiter (one character; `\t` for tab). Default `,`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delimiter: Option<String>,
    /// CSV cell texts that mean "missing". Default `[""]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub missing: Option<Vec<String>>,
    /// What to do with a row whose truth, prediction or weight is invalid:
    /// `"error"` (default: stop and say where) or `"reject"` (count the row
    /// as rejected, by reason, and go on).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_invalid: Option<String>,
}

/// `[truth]`: a label column and its positive (and negative) values.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LabelSpec {
    /// The column.
    pub column: String,
    /// Values meaning positive (the outcome happened / the model flags).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub positive: Vec<Literal>,
    /// Values meaning negative. By default the complement of a standard
    /// positive value: `1`→`0`, `true`→`false`, `"Yes"`→`"No"`, `"Y"`→`"N"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub negative: Option<Vec<Literal>>,
}

/// `[prediction]`: either a label column (`column`, `positive`, `negative`)
/// or a score column and a threshold (`score`, `threshold`; flagged when
/// score >= threshold).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PredictionSpec {
    /// The label column.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    /// Values meaning "flagged".
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub positive: Vec<Literal>,
    /// Values meaning "not flagged".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub negative: Option<Vec<Literal>>,
    /// The score column.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<String>,
    /// The decision threshold: flagged when score >= threshold.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threshold: Option<f64>,
}

/// `[weight]`: a column of non-negative sample weights.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WeightSpec {
    /// The column.
    pub column: String,
}

/// `[cohort]`: which rows the audit is about.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CohortSpec {
    /// Filter expressions, combined with AND (see [`crate::filter`]).
    #[serde(default)]
    pub filters: Vec<String>,
}

/// `[[attributes]]`: a protected characteristic.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttributeSpec {
    /// The column.
    pub column: String,
    /// The name used in outputs and intersections (default: the column).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Display labels for raw codes: `White = ["W1", "W2", "W3", "W9"]`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub relabel: BTreeMap<String, Vec<Literal>>,
    /// The label of missing values (default `(missing)`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub missing_label: Option<String>,
    /// The order of the levels in outputs (others follow, sorted).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub levels: Vec<String>,
    /// The reference group, by label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// Or a rule: `largest` (default) or `most-favourable`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference_rule: Option<String>,
    /// The metric for `most-favourable` (default `selection_rate` is not
    /// allowed: its favourable direction depends on the intervention).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference_metric: Option<String>,
    /// The Equality Act 2010 characteristic this attribute records (e.g.
    /// `race`, `sex`, `age`); guessed from the name when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub characteristic: Option<String>,
}

/// `[uncertainty]`: intervals, tests and the bootstrap.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UncertaintySpec {
    /// The confidence level of every interval (default 0.95).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<f64>,
    /// Interval for proportions: `wilson` (default) or `clopper-pearson`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval: Option<String>,
    /// Correction for multiple comparisons within each family (one grouping
    /// × one metric): `benjamini-hochberg` (default), `holm` or `none`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub correction: Option<String>,
    /// Bootstrap intervals for the statistics that have no closed-form
    /// interval (default: on when `seed` is set).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bootstrap: Option<bool>,
    /// Bootstrap replicates (default 1,000; at most 1,000,000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replicates: Option<i64>,
    /// Resample within each combination of protected-attribute levels, so
    /// group sizes stay fixed (default false: resample all rows, as fairlearn).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stratified: Option<bool>,
}

/// `[policy]`: how numbers become verdicts.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicySpec {
    /// Groups with fewer rows are suppressed (default 30).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_group_size: Option<i64>,
    /// `punitive`, `assistive` or `neutral` (default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intervention: Option<String>,
    /// The metrics whose disparities decide the verdict (default by
    /// intervention: punitive → fpr, fdr, selection_rate; assistive → fnr,
    /// for, selection_rate; neutral → fpr, fnr, selection_rate).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary: Option<Vec<String>>,
    /// The tolerance of every primary metric unless overridden.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tolerance: Option<ToleranceSpec>,
    /// Tolerances of named metrics: `tolerances.fpr = { ratio = [0.9, 1.1] }`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tolerances: BTreeMap<String, ToleranceSpec>,
    /// Significance level after correction (default 0.05).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alpha: Option<f64>,
    /// `fail` (default): exit 1 only on a failed verdict; `inconclusive`:
    /// also when a verdict is inconclusive.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fail_on: Option<String>,
}

/// A tolerance: a band for the ratio to the reference and/or a largest
/// absolute difference.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ToleranceSpec {
    /// `[low, high]`, e.g. `[0.8, 1.25]` (the four-fifths convention).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ratio: Option<Vec<f64>>,
    /// Largest tolerated |m_group − m_reference|, e.g. `0.05`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub difference: Option<f64>,
}

/// `[wording]`: how findings name the outcome and the decision.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WordingSpec {
    /// Those with the outcome, e.g. "reoffended" (default "had the outcome").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<String>,
    /// Those without it, e.g. "did not reoffend".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub no_outcome: Option<String>,
    /// The decision, e.g. "flagged as higher risk" (default "flagged by the model").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flagged: Option<String>,
}
