//! The checked plan of an audit: what [`Plan::check`] makes of an
//! [`AuditSpec`], and the only form the pipeline accepts.
//!
//! A plan is built only by checking (its fields are private), so every spec
//! error is raised before a row is read, with the key that holds it. The
//! plan hands each layer the settings it needs in that layer's own types
//! (inputs and CSV options, cohort rules, groupings, uncertainty settings,
//! the policy and the wording); no layer below imports the plan.

mod check;
#[cfg(test)]
mod tests;

use std::path::PathBuf;

use crate::cohort::{Filter, LabelRule, OnInvalid, Prediction};
use crate::count::Counting;
use crate::group::{Attribute, Grouping};
use crate::input::{ColumnRef, CsvOptions, InputFile};
use crate::judge::findings::Wording;
use crate::judge::policy::Policy;
use crate::spec::AuditSpec;
use crate::stats::Uncertainty;

/// The default minimum group size below which a group's numbers are
/// withheld from published outputs and never used for a verdict.
pub const DEFAULT_MIN_GROUP_SIZE: u64 = 30;

/// A checked audit: every column named, every value typed, every rule
/// consistent. Made by [`Plan::check`].
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    source: AuditSpec,
    title: String,
    seed: Option<u64>,
    inputs: Vec<InputFile>,
    csv: CsvOptions,
    on_invalid: OnInvalid,
    truth: LabelRule,
    prediction: Prediction,
    weight: Option<ColumnRef>,
    filters: Vec<(Filter, String)>,
    attributes: Vec<Attribute>,
    groupings: Vec<Grouping>,
    min_group_size: u64,
    uncertainty: Uncertainty,
    policy: Policy,
    wording: Wording,
}

impl Plan {
    /// The spec as written (for the pack's `audit.toml`).
    pub fn source(&self) -> &AuditSpec {
        &self.source
    }

    /// The title.
    pub fn title(&self) -> &str {
        &self.title
    }

    /// The master seed, if set.
    pub fn seed(&self) -> Option<u64> {
        self.seed
    }

    /// The input files, resolved.
    pub(crate) fn inputs(&self) -> &[InputFile] {
        &self.inputs
    }

    /// The truth.
    pub(crate) fn truth(&self) -> &LabelRule {
        &self.truth
    }

    /// The prediction.
    pub(crate) fn prediction(&self) -> &Prediction {
        &self.prediction
    }

    /// Whether the audit is weighted.
    pub fn weighted(&self) -> bool {
        self.weight.is_some()
    }

    /// The cohort filters, with their spec keys.
    pub(crate) fn filters(&self) -> &[(Filter, String)] {
        &self.filters
    }

    /// The protected attributes.
    pub(crate) fn attributes(&self) -> &[Attribute] {
        &self.attributes
    }

    /// Each attribute's grouping, then each intersection's.
    pub(crate) fn groupings(&self) -> &[Grouping] {
        &self.groupings
    }

    /// Groups with fewer rows are suppressed.
    pub fn min_group_size(&self) -> u64 {
        self.min_group_size
    }

    /// How intervals and tests are computed.
    pub fn uncertainty(&self) -> &Uncertainty {
        &self.uncertainty
    }

    /// The policy.
    pub(crate) fn policy(&self) -> &Policy {
        &self.policy
    }

    /// How findings name the outcome and the decision.
    pub(crate) fn wording(&self) -> &Wording {
        &self.wording
    }

    /// What the counting stage needs: where the rows are and how to read
    /// them.
    pub(crate) fn counting(&self) -> Counting<'_> {
        Counting {
            title: &self.title,
            inputs: &self.inputs,
            csv: &self.csv,
            on_invalid: self.on_invalid,
            truth: &self.truth,
            prediction: &self.prediction,
            weight: self.weight.as_ref(),
            filters: &self.filters,
            attributes: &self.attributes,
            score: None,
        }
    }

    /// The same plan, reading its inputs from `paths` (one per input, in
    /// order) while naming them as before. A pack's plan names its inputs
    /// relative to the pack but opens them where they are now.
    pub(crate) fn reading_inputs_from(mut self, paths: Vec<PathBuf>) -> Plan {
        for (input, path) in self.inputs.iter_mut().zip(paths) {
            input.path = path;
        }
        self
    }
}
