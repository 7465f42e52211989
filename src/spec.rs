//! The audit specification: [`AuditSpec`] as written in `audit.toml` (or
//! built from command-line flags), checked once by [`AuditSpec::check`] into a
//! [`ValidSpec`], the only form the pipeline accepts.
//!
//! A complete example (ProPublica's COMPAS cohort):
//!
//! ```toml
//! title = "COMPAS general recidivism risk score"
//! seed = 20240601
//! intersections = [["race", "sex"]]   # top-level keys before any [table]
//!
//! [input]
//! path = "compas.csv"            # relative to this file's folder
//!
//! [truth]
//! column = "two_year_recid"
//! positive = [1]                 # negative defaults to [0]
//!
//! [prediction]
//! column = "score_text"
//! positive = ["Medium", "High"]
//! negative = ["Low"]
//!
//! [cohort]
//! filters = [
//!   "days_b_screening_arrest <= 30",
//!   "days_b_screening_arrest >= -30",
//!   "is_recid != -1",
//!   "c_charge_degree != \"O\"",
//!   "score_text != \"N/A\"",
//! ]
//!
//! [[attributes]]
//! column = "race"
//! reference = "Caucasian"
//!
//! [[attributes]]
//! column = "sex"
//! reference = "Male"
//!
//! [[attributes]]
//! column = "age_cat"
//! name = "age"
//! levels = ["Less than 25", "25 - 45", "Greater than 45"]
//! reference_rule = "largest"
//!
//! [policy]
//! min_group_size = 30
//! ```
//!
//! Unknown keys are errors that name the key, so a typo cannot silently turn
//! a setting off.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, ErrorKind, Position, Result, nearest_names};
use crate::filter::Filter;
use crate::load::{CsvOptions, Format, InputFile};
use crate::metrics::registry::{self, Direction};
use crate::value::Literal;

/// The most protected attributes one audit may cross-classify.
pub const MAX_ATTRIBUTES: usize = 8;

/// The most distinct values a protected attribute may have.
pub const MAX_LEVELS: usize = 1000;

/// The default label of a missing protected-attribute value.
pub const MISSING_LABEL: &str = "(missing)";

/// The default minimum group size below which a group's numbers are
/// withheld from published outputs and never used for a verdict.
pub const DEFAULT_MIN_GROUP_SIZE: u64 = 30;

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

// ---------------------------------------------------------------------------
// The validated form.

/// How a row with an invalid truth, prediction or weight is handled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnInvalid {
    /// Stop with an error naming the row and column.
    Error,
    /// Count the row as rejected (by reason) and go on.
    Reject,
}

/// A reference to a column: its name as written (may carry `#N`) and the
/// spec key that names it (for errors).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnRef {
    /// The column name as written.
    pub name: String,
    /// The spec key or flag it came from.
    pub key: String,
}

/// A label column with its positive and negative values.
#[derive(Debug, Clone, PartialEq)]
pub struct LabelRule {
    /// The column.
    pub column: ColumnRef,
    /// Values meaning positive.
    pub positive: Vec<Literal>,
    /// Values meaning negative.
    pub negative: Vec<Literal>,
}

/// How the model's decision is read.
#[derive(Debug, Clone, PartialEq)]
pub enum Prediction {
    /// A label column.
    Label(LabelRule),
    /// A score column: flagged when score >= threshold.
    Threshold {
        /// The score column.
        column: ColumnRef,
        /// The threshold.
        threshold: f64,
    },
}

/// How the reference group of a grouping is chosen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReferenceRule {
    /// A named group.
    Named(String),
    /// The group with the most rows.
    Largest,
    /// The group with the most favourable value of a metric.
    MostFavourable(&'static str),
}

impl ReferenceRule {
    /// A short description for outputs.
    pub fn describe(&self) -> String {
        match self {
            ReferenceRule::Named(_) => "named".to_string(),
            ReferenceRule::Largest => "largest".to_string(),
            ReferenceRule::MostFavourable(m) => format!("most-favourable {m}"),
        }
    }
}

/// A checked protected attribute.
#[derive(Debug, Clone, PartialEq)]
pub struct Attribute {
    /// Its name in outputs.
    pub name: String,
    /// Its column.
    pub column: ColumnRef,
    /// Raw label → display label.
    pub relabel: BTreeMap<String, String>,
    /// The label of missing values.
    pub missing_label: String,
    /// Preferred level order.
    pub levels: Vec<String>,
    /// The Equality Act 2010 characteristic it records, if declared.
    pub characteristic: Option<String>,
}

/// A grouping: one attribute, or an intersection of several.
#[derive(Debug, Clone, PartialEq)]
pub struct Grouping {
    /// `race`, or `race|sex` for an intersection.
    pub name: String,
    /// Indices into [`ValidSpec::attributes`].
    pub attributes: Vec<usize>,
    /// How its reference group is chosen.
    pub reference: ReferenceRule,
}

/// A checked audit specification: every column named, every value typed,
/// every rule consistent. Only this type reaches the pipeline.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidSpec {
    /// The spec as written (for the pack's `audit.toml`).
    pub source: AuditSpec,
    /// The title.
    pub title: String,
    /// The master seed.
    pub seed: Option<u64>,
    /// Input files, resolved.
    pub inputs: Vec<InputFile>,
    /// CSV options.
    pub csv: CsvOptions,
    /// Invalid-row handling.
    pub on_invalid: OnInvalid,
    /// The truth.
    pub truth: LabelRule,
    /// The prediction.
    pub prediction: Prediction,
    /// The weight column.
    pub weight: Option<ColumnRef>,
    /// Cohort filters, with their spec keys.
    pub filters: Vec<(Filter, String)>,
    /// Protected attributes.
    pub attributes: Vec<Attribute>,
    /// Groupings: each attribute, then each intersection.
    pub groupings: Vec<Grouping>,
    /// Minimum group size.
    pub min_group_size: u64,
    /// Intervals, tests and bootstrap settings.
    pub uncertainty: Uncertainty,
    /// The audit policy.
    pub policy: crate::policy::Policy,
    /// Outcome wording for findings.
    pub wording: Wording,
}

/// How proportions get their intervals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IntervalMethod {
    /// Wilson score interval (default).
    Wilson,
    /// Clopper–Pearson exact interval.
    ClopperPearson,
}

/// Checked bootstrap settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bootstrap {
    /// Replicates.
    pub replicates: u32,
    /// The master seed.
    pub seed: u64,
    /// Whether each combination of attribute levels keeps its size.
    pub stratified: bool,
}

/// Checked `[uncertainty]` settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Uncertainty {
    /// Confidence level of every interval.
    pub level: f64,
    /// Interval for proportions.
    pub interval: IntervalMethod,
    /// Correction within each family of comparisons.
    pub correction: crate::uncertainty::Correction,
    /// The bootstrap, if any.
    pub bootstrap: Option<Bootstrap>,
}

/// The most bootstrap replicates accepted.
pub const MAX_REPLICATES: i64 = 1_000_000;

/// Checked wording.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wording {
    /// Those with the outcome ("reoffended").
    pub outcome: String,
    /// Those without it ("did not reoffend").
    pub no_outcome: String,
    /// The decision ("flagged as higher risk").
    pub flagged: String,
}

impl Uncertainty {
    /// Checks `[uncertainty]` given the spec's seed.
    pub fn check(u: Option<&UncertaintySpec>, seed: Option<u64>) -> Result<Uncertainty> {
        let default = UncertaintySpec::default();
        let u = u.unwrap_or(&default);
        let level = match u.level {
            None => 0.95,
            Some(l) if l > 0.0 && l < 1.0 => l,
            Some(l) => {
                return Err(Error::spec(
                    "uncertainty.level",
                    format!("the confidence level must be between 0 and 1 (exclusive), not {l}"),
                )
                .with_hint("write e.g. level = 0.95 for 95% intervals"));
            }
        };
        let interval = match u.interval.as_deref() {
            None | Some("wilson") => IntervalMethod::Wilson,
            Some("clopper-pearson" | "clopper_pearson" | "exact") => IntervalMethod::ClopperPearson,
            Some(other) => {
                return Err(Error::spec(
                    "uncertainty.interval",
                    format!("unknown interval method `{other}`"),
                )
                .with_hint("use \"wilson\" or \"clopper-pearson\""));
            }
        };
        let correction = match u.correction.as_deref() {
            None | Some("benjamini-hochberg" | "bh" | "fdr_bh") => {
                crate::uncertainty::Correction::BenjaminiHochberg
            }
            Some("holm") => crate::uncertainty::Correction::Holm,
            Some("none") => crate::uncertainty::Correction::None,
            Some(other) => {
                return Err(Error::spec(
                    "uncertainty.correction",
                    format!("unknown correction `{other}`"),
                )
                .with_hint("use \"benjamini-hochberg\", \"holm\" or \"none\""));
            }
        };
        let replicates = match u.replicates {
            None => 1000,
            Some(b) if (1..=MAX_REPLICATES).contains(&b) => b as u32,
            Some(b) => {
                return Err(Error::spec("uncertainty.replicates", format!("{b} replicates is out of range"))
                    .with_hint(format!("use between 1 and {MAX_REPLICATES} (1,000 is usual; set `bootstrap = false` to turn the bootstrap off)")));
            }
        };
        let requested = u.bootstrap == Some(true) || u.replicates.is_some();
        if u.bootstrap == Some(false) && u.replicates.is_some() {
            return Err(Error::spec(
                "uncertainty.replicates",
                "replicates are set but `bootstrap = false`",
            )
            .with_hint("remove one of the two"));
        }
        let bootstrap = match (seed, requested, u.bootstrap) {
            (_, _, Some(false)) => None,
            (None, true, _) => {
                return Err(Error::spec("seed", "a bootstrap is requested but the spec has no seed")
                    .with_hint("add e.g. `seed = 20240601` at the top of the spec, so that the intervals can be reproduced"));
            }
            (None, false, _) => None,
            (Some(seed), _, _) => Some(Bootstrap {
                replicates,
                seed,
                stratified: u.stratified.unwrap_or(false),
            }),
        };
        Ok(Uncertainty {
            level,
            interval,
            correction,
            bootstrap,
        })
    }
}

impl AuditSpec {
    /// Reads a spec from TOML text. `origin` names the file for errors.
    pub fn from_toml(text: &str, origin: &Path) -> Result<AuditSpec> {
        toml::from_str(text).map_err(|e| toml_error(&e, text, origin))
    }

    /// Reads a spec file.
    pub fn from_file(path: &Path) -> Result<AuditSpec> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, &e))?;
        AuditSpec::from_toml(&text, path)
    }

    /// The spec as normalised TOML.
    pub fn to_toml(&self) -> String {
        toml::to_string(self).unwrap_or_default()
    }

    /// Checks the spec. Relative input paths resolve against `base_dir`
    /// (the spec file's folder).
    pub fn check(&self, base_dir: &Path) -> Result<ValidSpec> {
        let input = &self.input;
        let mut raw_paths: Vec<(String, String)> = Vec::new();
        if let Some(p) = &input.path {
            raw_paths.push((p.clone(), "input.path".to_string()));
        }
        for (i, p) in input.paths.iter().enumerate() {
            raw_paths.push((p.clone(), format!("input.paths[{i}]")));
        }
        if raw_paths.is_empty() {
            return Err(Error::spec("input.path", "no input file is given")
                .with_hint("set `path = \"predictions.csv\"` (or `paths = [..]`) under [input]"));
        }
        let forced = match &input.format {
            None => None,
            Some(f) => Some(Format::from_name(f).ok_or_else(|| {
                Error::spec("input.format", format!("unknown format `{f}`"))
                    .with_hint("use one of: csv, parquet, arrow, counts (a count table)")
            })?),
        };
        let mut inputs = Vec::new();
        for (p, key) in raw_paths {
            let path = resolve_path(base_dir, &p);
            let format = match forced {
                Some(f) => f,
                None => Format::from_path(&path).ok_or_else(|| {
                    Error::spec(key, format!("cannot tell the format of `{p}` from its extension"))
                        .with_hint("use .csv, .csv.gz, .tsv, .parquet, .arrow, .ipc or .feather, or set `input.format`")
                })?,
            };
            inputs.push(InputFile {
                path,
                display: p.clone(),
                format,
            });
        }
        let mut csv = CsvOptions::default();
        if let Some(d) = &input.delimiter {
            csv.delimiter = parse_delimiter(d)?;
        }
        if let Some(m) = &input.missing {
            csv.missing = m.clone();
        }
        let on_invalid = match input.on_invalid.as_deref() {
            None | Some("error") => OnInvalid::Error,
            Some("reject") => OnInvalid::Reject,
            Some(other) => {
                return Err(Error::spec("input.on_invalid", format!("unknown value `{other}`"))
                    .with_hint("use \"error\" (stop at the first invalid row) or \"reject\" (count invalid rows and go on)"));
            }
        };

        let truth = label_rule(
            &self.truth.column,
            &self.truth.positive,
            &self.truth.negative,
            "truth",
        )?;
        let p = &self.prediction;
        let prediction = match (&p.column, &p.score) {
            (Some(_), Some(_)) => {
                return Err(Error::spec(
                    "prediction",
                    "both `column` (a label) and `score` (a score with a threshold) are set",
                )
                .with_hint("keep one: a label column with `positive` values, or a `score` column with a `threshold`"));
            }
            (Some(col), None) => {
                if p.threshold.is_some() {
                    return Err(Error::spec("prediction.threshold", "a threshold needs a `score` column, not a label `column`")
                        .with_hint("write `score = \"<column>\"` instead of `column = ..`, or remove the threshold"));
                }
                Prediction::Label(label_rule(col, &p.positive, &p.negative, "prediction")?)
            }
            (None, Some(col)) => {
                if !p.positive.is_empty() || p.negative.is_some() {
                    return Err(Error::spec(
                        "prediction.positive",
                        "positive/negative values apply to a label `column`, not to a `score`",
                    )
                    .with_hint("remove them, or use `column = ..` for a label column"));
                }
                let threshold = p.threshold.ok_or_else(|| {
                    Error::spec("prediction.threshold", "a score column needs a threshold")
                        .with_hint("add e.g. `threshold = 0.5` (flagged when score >= threshold)")
                })?;
                if !threshold.is_finite() {
                    return Err(Error::spec(
                        "prediction.threshold",
                        "the threshold must be a finite number",
                    ));
                }
                Prediction::Threshold {
                    column: ColumnRef {
                        name: col.clone(),
                        key: "prediction.score".into(),
                    },
                    threshold,
                }
            }
            (None, None) => {
                return Err(Error::spec("prediction", "no prediction is given")
                    .with_hint("set `column` and `positive` (a label column) or `score` and `threshold` under [prediction]"));
            }
        };
        let weight = self.weight.as_ref().map(|w| ColumnRef {
            name: w.column.clone(),
            key: "weight.column".into(),
        });

        let mut filters = Vec::new();
        if let Some(c) = &self.cohort {
            for (i, f) in c.filters.iter().enumerate() {
                let key = format!("cohort.filters[{i}]");
                filters.push((Filter::parse(f, &key)?, key));
            }
        }

        let (attributes, mut groupings) = self.check_attributes()?;
        groupings.extend(self.check_intersections(&attributes, &groupings)?);

        let uncertainty = Uncertainty::check(self.uncertainty.as_ref(), self.seed)?;
        let policy = crate::policy::Policy::check(self.policy.as_ref())?;
        let w = self.wording.clone().unwrap_or_default();
        let wording = Wording {
            outcome: w.outcome.unwrap_or_else(|| "had the outcome".to_string()),
            no_outcome: w
                .no_outcome
                .unwrap_or_else(|| "did not have the outcome".to_string()),
            flagged: w
                .flagged
                .unwrap_or_else(|| "flagged by the model".to_string()),
        };
        let min_group_size = match self.policy.as_ref().and_then(|p| p.min_group_size) {
            None => DEFAULT_MIN_GROUP_SIZE,
            Some(m) if m < 0 => {
                return Err(Error::spec("policy.min_group_size", format!("must be 0 or more, not {m}"))
                    .with_hint("use 0 to publish every group, or e.g. 30 to suppress groups of fewer than 30 rows"));
            }
            Some(m) => m as u64,
        };
        Ok(ValidSpec {
            source: self.clone(),
            title: self
                .title
                .clone()
                .unwrap_or_else(|| "Fairness audit".to_string()),
            seed: self.seed,
            inputs,
            csv,
            on_invalid,
            truth,
            prediction,
            weight,
            filters,
            attributes,
            groupings,
            min_group_size,
            uncertainty,
            policy,
            wording,
        })
    }

    fn check_attributes(&self) -> Result<(Vec<Attribute>, Vec<Grouping>)> {
        if self.attributes.is_empty() {
            return Err(Error::spec("attributes", "no protected attribute is given")
                .with_hint("add at least one [[attributes]] table with a `column`, e.g. column = \"ethnicity\""));
        }
        if self.attributes.len() > MAX_ATTRIBUTES {
            return Err(Error::spec(
                "attributes",
                format!(
                    "{} attributes are given; at most {MAX_ATTRIBUTES} are supported",
                    self.attributes.len()
                ),
            )
            .with_hint("run separate audits for further characteristics"));
        }
        let mut attributes: Vec<Attribute> = Vec::new();
        let mut groupings = Vec::new();
        let mut seen = BTreeSet::new();
        for (i, a) in self.attributes.iter().enumerate() {
            let key = |k: &str| format!("attributes[{i}].{k}");
            let name = a.name.clone().unwrap_or_else(|| a.column.clone());
            if name.is_empty() || name.contains('|') {
                return Err(Error::spec(
                    key("name"),
                    format!("`{name}` cannot be used as an attribute name"),
                )
                .with_hint(
                    "use a non-empty name without `|` (it separates the parts of an intersection)",
                ));
            }
            if !seen.insert(name.clone()) {
                return Err(
                    Error::spec(key("name"), format!("two attributes are named `{name}`"))
                        .with_hint("give one of them a different `name`"),
                );
            }
            let mut relabel = BTreeMap::new();
            for (label, raws) in &a.relabel {
                for raw in raws {
                    let r = raw.to_label();
                    if let Some(prev) = relabel.insert(r.clone(), label.clone())
                        && prev != *label
                    {
                        return Err(Error::spec(
                            key("relabel"),
                            format!("raw value `{r}` is mapped to both `{prev}` and `{label}`"),
                        ));
                    }
                }
            }
            let reference = match (&a.reference, a.reference_rule.as_deref()) {
                (Some(_), Some(_)) => {
                    return Err(Error::spec(
                        key("reference_rule"),
                        "both `reference` and `reference_rule` are set",
                    )
                    .with_hint("keep one: a named `reference` group, or a `reference_rule`"));
                }
                (Some(r), None) => ReferenceRule::Named(r.clone()),
                (None, None) | (None, Some("largest")) => ReferenceRule::Largest,
                (None, Some("most-favourable" | "most_favourable" | "most-favorable")) => {
                    let m = a.reference_metric.as_deref().ok_or_else(|| {
                        Error::spec(
                            key("reference_metric"),
                            "the `most-favourable` rule needs a metric",
                        )
                        .with_hint("add e.g. `reference_metric = \"fpr\"`")
                    })?;
                    let def = registry::find(m)
                        .ok_or_else(|| unknown_metric(&key("reference_metric"), m))?;
                    if def.favourable == Direction::Context {
                        return Err(Error::spec(
                            key("reference_metric"),
                            format!("`{m}` has no favourable direction of its own"),
                        )
                        .with_hint("name a reference group, or use an error metric such as fpr, fnr, tpr, ppv"));
                    }
                    ReferenceRule::MostFavourable(def.name)
                }
                (None, Some(other)) => {
                    return Err(Error::spec(key("reference_rule"), format!("unknown rule `{other}`"))
                        .with_hint("use \"largest\" or \"most-favourable\" (with `reference_metric`), or name a group with `reference`"));
                }
            };
            if a.reference_metric.is_some()
                && !matches!(reference, ReferenceRule::MostFavourable(_))
            {
                return Err(Error::spec(
                    key("reference_metric"),
                    "a reference metric applies only to `reference_rule = \"most-favourable\"`",
                ));
            }
            attributes.push(Attribute {
                name: name.clone(),
                column: ColumnRef {
                    name: a.column.clone(),
                    key: key("column"),
                },
                relabel,
                missing_label: a
                    .missing_label
                    .clone()
                    .unwrap_or_else(|| MISSING_LABEL.to_string()),
                levels: a.levels.clone(),
                characteristic: match &a.characteristic {
                    None => None,
                    Some(c) if crate::findings::EQUALITY_ACT.contains(&c.as_str()) => {
                        Some(c.clone())
                    }
                    Some(c) => {
                        return Err(Error::spec(
                            key("characteristic"),
                            format!(
                                "`{c}` is not a protected characteristic of the Equality Act 2010"
                            ),
                        )
                        .with_hint(format!(
                            "use one of: {}",
                            crate::findings::EQUALITY_ACT.join(", ")
                        )));
                    }
                },
            });
            groupings.push(Grouping {
                name,
                attributes: vec![i],
                reference,
            });
        }
        Ok((attributes, groupings))
    }

    fn check_intersections(
        &self,
        attributes: &[Attribute],
        singles: &[Grouping],
    ) -> Result<Vec<Grouping>> {
        let names: Vec<String> = attributes.iter().map(|a| a.name.clone()).collect();
        let mut out: Vec<Grouping> = Vec::new();
        for (i, inter) in self.intersections.iter().enumerate() {
            let key = format!("intersections[{i}]");
            if inter.len() < 2 {
                return Err(
                    Error::spec(key, "an intersection needs at least two attributes")
                        .with_hint("write e.g. [\"ethnicity\", \"sex\"]"),
                );
            }
            let mut idx = Vec::new();
            for n in inter {
                let j = names.iter().position(|x| x == n).ok_or_else(|| {
                    let near = nearest_names(n, &names, 1);
                    Error::spec(
                        key.clone(),
                        format!("`{n}` is not an attribute of this audit"),
                    )
                    .with_hint(match near.first() {
                        Some(m) => {
                            format!("did you mean `{m}`? (attributes: {})", names.join(", "))
                        }
                        None => format!("the attributes are: {}", names.join(", ")),
                    })
                })?;
                if idx.contains(&j) {
                    return Err(Error::spec(
                        key,
                        format!("`{n}` appears twice in the intersection"),
                    ));
                }
                idx.push(j);
            }
            let name = inter.join("|");
            if out.iter().any(|g| g.name == name) {
                return Err(Error::spec(
                    key,
                    format!("the intersection `{name}` is listed twice"),
                ));
            }
            let reference = match self.intersection_reference.get(&name) {
                Some(r) => ReferenceRule::Named(r.clone()),
                None => {
                    let named: Option<Vec<String>> = idx
                        .iter()
                        .map(|&j| match &singles[j].reference {
                            ReferenceRule::Named(r) => Some(r.clone()),
                            _ => None,
                        })
                        .collect();
                    named.map_or(ReferenceRule::Largest, |parts| {
                        ReferenceRule::Named(parts.join("|"))
                    })
                }
            };
            out.push(Grouping {
                name,
                attributes: idx,
                reference,
            });
        }
        for k in self.intersection_reference.keys() {
            if !out.iter().any(|g| &g.name == k) {
                return Err(Error::spec(
                    format!("intersection_reference.{k}"),
                    format!("`{k}` is not one of the intersections"),
                )
                .with_hint("key it by an intersection's attribute names joined with `|`, e.g. \"race|sex\""));
            }
        }
        Ok(out)
    }
}

fn resolve_path(base: &Path, p: &str) -> PathBuf {
    let path = Path::new(p);
    if path.is_absolute() {
        path.to_path_buf()
    } else {
        base.join(path)
    }
}

fn parse_delimiter(d: &str) -> Result<u8> {
    let d = if d == "\\t" || d.eq_ignore_ascii_case("tab") {
        "\t"
    } else {
        d
    };
    match d.as_bytes() {
        [b] if b.is_ascii() && *b != b'"' && *b != b'\n' && *b != b'\r' => Ok(*b),
        _ => Err(Error::spec(
            "input.delimiter",
            format!("`{d}` is not a single-character delimiter"),
        )
        .with_hint("use one ASCII character such as \",\", \";\", \"|\" or \"\\t\"")),
    }
}

/// The standard complement of a positive value, for a default `negative`.
fn default_negative(positive: &[Literal]) -> Option<Vec<Literal>> {
    let [only] = positive else { return None };
    let neg = match only {
        Literal::Int(1) => Literal::Int(0),
        Literal::Float(f) if *f == 1.0 => Literal::Int(0),
        Literal::Bool(b) => Literal::Bool(!b),
        Literal::Str(s) => match s.as_str() {
            "1" => Literal::Str("0".into()),
            "Yes" => Literal::Str("No".into()),
            "yes" => Literal::Str("no".into()),
            "YES" => Literal::Str("NO".into()),
            "Y" => Literal::Str("N".into()),
            "y" => Literal::Str("n".into()),
            "true" => Literal::Str("false".into()),
            "True" => Literal::Str("False".into()),
            _ => return None,
        },
        _ => return None,
    };
    Some(vec![neg])
}

fn label_rule(
    column: &str,
    positive: &[Literal],
    negative: &Option<Vec<Literal>>,
    section: &str,
) -> Result<LabelRule> {
    if column.is_empty() {
        return Err(Error::spec(
            format!("{section}.column"),
            "the column name is empty",
        ));
    }
    if positive.is_empty() {
        return Err(
            Error::spec(format!("{section}.positive"), "no positive value is given").with_hint(
                "list the values that mean positive, e.g. positive = [1] or positive = [\"Yes\"]",
            ),
        );
    }
    let negative = match negative {
        Some(n) => n.clone(),
        None => default_negative(positive).ok_or_else(|| {
            Error::spec(
                format!("{section}.negative"),
                "no negative value is given, and none follows from the positive ones",
            )
            .with_hint("list the values that mean negative, e.g. negative = [\"No\"]")
        })?,
    };
    if negative.is_empty() {
        return Err(Error::spec(
            format!("{section}.negative"),
            "the list of negative values is empty",
        ));
    }
    for n in &negative {
        if positive.iter().any(|p| p.to_label() == n.to_label()) {
            return Err(Error::spec(
                format!("{section}.negative"),
                format!("{n} is listed as both positive and negative"),
            ));
        }
    }
    Ok(LabelRule {
        column: ColumnRef {
            name: column.to_string(),
            key: format!("{section}.column"),
        },
        positive: positive.to_vec(),
        negative,
    })
}

/// An error for an unknown metric name at `key`.
pub fn unknown_metric(key: &str, name: &str) -> Error {
    let all: Vec<String> = registry::REGISTRY
        .iter()
        .map(|m| m.name.to_string())
        .collect();
    let near = nearest_names(name, &all, 1);
    let hint = match near.first() {
        Some(n) => format!("did you mean `{n}`? The metrics are: {}", registry::names()),
        None => format!("the metrics are: {}", registry::names()),
    };
    Error::spec(key, format!("unknown metric `{name}`")).with_hint(hint)
}

/// Turns a TOML error into one naming the file, the line and the key.
fn toml_error(e: &toml::de::Error, text: &str, origin: &Path) -> Error {
    let mut pos = Position::file(origin);
    if let Some(span) = e.span() {
        let line = text[..span.start.min(text.len())].matches('\n').count() as u64 + 1;
        pos = pos.with_row(line);
    }
    let msg = e.message().trim().to_string();
    let mut err = Error::new(ErrorKind::Spec, pos, msg.clone());
    let top_level = [
        "title",
        "seed",
        "intersections",
        "intersection_reference",
        "attributes",
        "input",
        "truth",
        "prediction",
        "weight",
        "cohort",
        "policy",
    ];
    if let Some(key) = top_level
        .iter()
        .find(|k| msg.contains(&format!("unknown field `{k}`")))
    {
        err = err.with_hint(format!(
            "`{key}` is a top-level key: in TOML, keys after a [table] header belong to that table, so write `{key}` above the first [table] (or [[attributes]]) header"
        ));
    } else if msg.contains("unknown field") {
        err = err.with_hint(
            "check the key's spelling against the documented spec (see `fairaudit run --help`)",
        );
    } else if msg.contains("missing field") {
        err = err.with_hint("add the missing key; `fairaudit run --help` shows a complete example");
    }
    err
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"
[input]
path = "p.csv"
[truth]
column = "y"
positive = [1]
[prediction]
score = "s"
threshold = 0.5
[[attributes]]
column = "eth"
reference = "White"
[[attributes]]
column = "sex"
reference = "Male"
"#;

    fn check(text: &str) -> Result<ValidSpec> {
        AuditSpec::from_toml(text, Path::new("audit.toml"))?.check(Path::new("/base"))
    }

    #[test]
    fn minimal_spec_checks_with_defaults() {
        let s = check(&format!("intersections = [[\"eth\", \"sex\"]]\n{MINIMAL}")).unwrap();
        assert_eq!(s.inputs[0].path, Path::new("/base/p.csv"));
        assert_eq!(s.inputs[0].format, Format::Csv);
        assert_eq!(s.truth.negative, vec![Literal::Int(0)]);
        assert_eq!(s.min_group_size, DEFAULT_MIN_GROUP_SIZE);
        assert_eq!(s.groupings.len(), 3);
        assert_eq!(s.groupings[2].name, "eth|sex");
        assert_eq!(
            s.groupings[2].reference,
            ReferenceRule::Named("White|Male".into())
        );
    }

    #[test]
    fn unknown_keys_are_named_with_their_line() {
        let e = check(&MINIMAL.replace("reference = \"Male\"", "refrence = \"Male\"")).unwrap_err();
        let m = e.to_string();
        assert!(m.contains("unknown field `refrence`"), "{m}");
        assert!(m.contains("audit.toml, row 15"), "{m}");
    }

    #[test]
    fn malformed_toml_names_its_line() {
        let e = check("[input]\npath = = 3\n").unwrap_err();
        assert!(e.to_string().starts_with("audit.toml, row 2"), "{e}");
    }

    #[test]
    fn bad_values_name_their_keys() {
        let cases = [
            (
                MINIMAL.replace("threshold = 0.5", ""),
                "`prediction.threshold`",
            ),
            (
                format!("{MINIMAL}[policy]\nmin_group_size = -1\n"),
                "`policy.min_group_size`",
            ),
            (
                format!("intersections = [[\"eth\", \"sx\"]]\n{MINIMAL}"),
                "did you mean `sex`",
            ),
            (
                MINIMAL.replace("reference = \"Male\"", "reference_rule = \"biggest\""),
                "`attributes[1].reference_rule`",
            ),
            (
                MINIMAL.replace(
                    "reference = \"Male\"",
                    "reference_rule = \"most-favourable\"\nreference_metric = \"fpt\"",
                ),
                "did you mean `fpr`",
            ),
            (
                MINIMAL.replace("positive = [1]", "positive = [\"Maybe\"]"),
                "`truth.negative`",
            ),
            (MINIMAL.replace("p.csv", "p.xlsx"), "`input.path`"),
            (
                format!("{MINIMAL}[cohort]\nfilters = [\"x ~ 1\"]\n"),
                "`cohort.filters[0]`",
            ),
        ];
        for (text, want) in cases {
            let e = check(&text).unwrap_err();
            assert!(e.to_string().contains(want), "want {want} in: {e}");
        }
    }

    #[test]
    fn normalised_toml_round_trips() {
        let spec = AuditSpec::from_toml(MINIMAL, Path::new("a.toml")).unwrap();
        let again = AuditSpec::from_toml(&spec.to_toml(), Path::new("a.toml")).unwrap();
        assert_eq!(spec, again);
    }
}
