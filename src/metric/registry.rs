//! The one declarative list of group metrics: everything the project knows
//! about a metric lives in its entry.
//!
//! Each metric is a ratio of two linear combinations of the confusion cells
//! (TP, FP, FN, TN), or the mean of two such ratios (balanced accuracy). The
//! registry says, for each: its name in outputs, its formula, what it means in
//! plain English, which direction is favourable, which fairness criterion
//! asks for it to be equal across groups, how a finding sentence speaks of
//! it, whether the terminal shows it, and for which interventions it is a
//! primary metric by default. Docs, CSV columns, the JSON schema and the
//! tests all iterate over [`REGISTRY`], so a metric cannot be added in one
//! place and forgotten in another (fairlearn's `METRICS_SPEC` is the model).

use super::{Clause, Direction, Intervention, MetricId};

/// Coefficients of TP, FP, FN, TN in a linear combination.
pub type Coeffs = [f64; 4];

/// How a metric is computed from the confusion cells.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Formula {
    /// `num · cells / den · cells`.
    Ratio {
        /// Numerator coefficients of (TP, FP, FN, TN).
        num: Coeffs,
        /// Denominator coefficients of (TP, FP, FN, TN).
        den: Coeffs,
        /// What a zero denominator means, in words.
        empty: &'static str,
    },
    /// `(TP/(TP+FN) + TN/(TN+FP)) / 2`; undefined when either class is absent.
    BalancedAccuracy,
}

/// One metric of the registry.
#[derive(Debug, Clone, Copy)]
pub struct MetricDef {
    /// Its typed identifier.
    pub id: MetricId,
    /// The name used in every output (`fpr`, `selection_rate`, ...).
    pub name: &'static str,
    /// A short human name ("false positive rate").
    pub label: &'static str,
    /// The formula in terms of TP, FP, FN, TN.
    pub formula_text: &'static str,
    /// What the number means for the people described, in plain English.
    pub meaning: &'static str,
    /// How it is computed.
    pub formula: Formula,
    /// Which direction is favourable.
    pub favourable: Direction,
    /// The fairness criterion that asks for this metric to be equal across groups.
    pub criterion: &'static str,
    /// For the rates every human-readable summary shows (terminal, report
    /// tables): their position among those columns and their heading.
    pub short: Option<(u8, &'static str)>,
    /// How a finding sentence names the people the rate is about.
    pub clause: Clause,
    /// The interventions for which it is a primary metric by default, with
    /// its rank among that intervention's primaries.
    pub primary_for: &'static [(Intervention, u8)],
}

impl MetricDef {
    /// Whether the metric is a binomial proportion k/n (numerator cells a
    /// subset of the denominator cells, unit coefficients), so that binomial
    /// intervals and tests apply.
    pub fn is_proportion(&self) -> bool {
        match self.formula {
            Formula::Ratio { num, den, .. } => num
                .iter()
                .zip(den.iter())
                .all(|(n, d)| (*n == 0.0 || *n == 1.0) && (*d == 0.0 || *d == 1.0) && n <= d),
            Formula::BalancedAccuracy => false,
        }
    }
}

const ALL: Coeffs = [1.0, 1.0, 1.0, 1.0];
const POS: Coeffs = [1.0, 0.0, 1.0, 0.0]; // actual positives: TP + FN
const NEG: Coeffs = [0.0, 1.0, 0.0, 1.0]; // actual negatives: FP + TN
const PP: Coeffs = [1.0, 1.0, 0.0, 0.0]; // predicted positives: TP + FP
const PN: Coeffs = [0.0, 0.0, 1.0, 1.0]; // predicted negatives: FN + TN
const TP: Coeffs = [1.0, 0.0, 0.0, 0.0];
const FP: Coeffs = [0.0, 1.0, 0.0, 0.0];
const FN: Coeffs = [0.0, 0.0, 1.0, 0.0];
const TN: Coeffs = [0.0, 0.0, 0.0, 1.0];

const NO_ROWS: &str = "the group has no rows";
const NO_POS: &str = "no actual positives in the group (TP + FN = 0)";
const NO_NEG: &str = "no actual negatives in the group (FP + TN = 0)";
const NO_PP: &str = "no predicted positives in the group (TP + FP = 0)";
const NO_PN: &str = "no predicted negatives in the group (TN + FN = 0)";

/// Every group metric, in output order.
pub const REGISTRY: &[MetricDef] = &[
    MetricDef {
        id: MetricId::SelectionRate,
        name: "selection_rate",
        label: "selection rate",
        formula_text: "(TP + FP) / n",
        meaning: "share of the group the model flags",
        formula: Formula::Ratio {
            num: PP,
            den: ALL,
            empty: NO_ROWS,
        },
        favourable: Direction::Context,
        criterion: "demographic (statistical) parity",
        short: Some((0, "selected")),
        clause: Clause::Overall { flagged: true },
        primary_for: &[
            (Intervention::Punitive, 2),
            (Intervention::Assistive, 2),
            (Intervention::Neutral, 2),
        ],
    },
    MetricDef {
        id: MetricId::BaseRate,
        name: "base_rate",
        label: "base rate (prevalence)",
        formula_text: "(TP + FN) / n",
        meaning: "share of the group with the outcome",
        formula: Formula::Ratio {
            num: POS,
            den: ALL,
            empty: NO_ROWS,
        },
        favourable: Direction::Context,
        criterion: "none (a property of the data, not the model)",
        short: Some((1, "base rate")),
        clause: Clause::Overall { flagged: false },
        primary_for: &[],
    },
    MetricDef {
        id: MetricId::Tpr,
        name: "tpr",
        label: "true positive rate (recall)",
        formula_text: "TP / (TP + FN)",
        meaning: "share of those with the outcome whom the model flags",
        formula: Formula::Ratio {
            num: TP,
            den: POS,
            empty: NO_POS,
        },
        favourable: Direction::Higher,
        criterion: "equal opportunity; equalized odds (Hardt et al. 2016)",
        short: None,
        clause: Clause::AmongOutcome { flagged: true },
        primary_for: &[],
    },
    MetricDef {
        id: MetricId::Fnr,
        name: "fnr",
        label: "false negative rate",
        formula_text: "FN / (TP + FN)",
        meaning: "share of those with the outcome whom the model misses",
        formula: Formula::Ratio {
            num: FN,
            den: POS,
            empty: NO_POS,
        },
        favourable: Direction::Lower,
        criterion: "false-negative parity (assistive interventions)",
        short: Some((3, "FNR")),
        clause: Clause::AmongOutcome { flagged: false },
        primary_for: &[(Intervention::Assistive, 0), (Intervention::Neutral, 1)],
    },
    MetricDef {
        id: MetricId::Fpr,
        name: "fpr",
        label: "false positive rate",
        formula_text: "FP / (FP + TN)",
        meaning: "share of those without the outcome whom the model flags",
        formula: Formula::Ratio {
            num: FP,
            den: NEG,
            empty: NO_NEG,
        },
        favourable: Direction::Lower,
        criterion: "false-positive parity (punitive interventions); equalized odds",
        short: Some((2, "FPR")),
        clause: Clause::AmongNoOutcome { flagged: true },
        primary_for: &[(Intervention::Punitive, 0), (Intervention::Neutral, 0)],
    },
    MetricDef {
        id: MetricId::Tnr,
        name: "tnr",
        label: "true negative rate (specificity)",
        formula_text: "TN / (FP + TN)",
        meaning: "share of those without the outcome whom the model does not flag",
        formula: Formula::Ratio {
            num: TN,
            den: NEG,
            empty: NO_NEG,
        },
        favourable: Direction::Higher,
        criterion: "false-positive parity (punitive interventions)",
        short: None,
        clause: Clause::AmongNoOutcome { flagged: false },
        primary_for: &[],
    },
    MetricDef {
        id: MetricId::Ppv,
        name: "ppv",
        label: "positive predictive value (precision)",
        formula_text: "TP / (TP + FP)",
        meaning: "share of those flagged who have the outcome",
        formula: Formula::Ratio {
            num: TP,
            den: PP,
            empty: NO_PP,
        },
        favourable: Direction::Higher,
        criterion: "predictive parity (Chouldechova 2017)",
        short: Some((4, "PPV")),
        clause: Clause::AmongFlagged { outcome: true },
        primary_for: &[],
    },
    MetricDef {
        id: MetricId::Fdr,
        name: "fdr",
        label: "false discovery rate",
        formula_text: "FP / (TP + FP)",
        meaning: "share of those flagged who do not have the outcome",
        formula: Formula::Ratio {
            num: FP,
            den: PP,
            empty: NO_PP,
        },
        favourable: Direction::Lower,
        criterion: "false-positive parity among those flagged (punitive interventions)",
        short: None,
        clause: Clause::AmongFlagged { outcome: false },
        primary_for: &[(Intervention::Punitive, 1)],
    },
    MetricDef {
        id: MetricId::Npv,
        name: "npv",
        label: "negative predictive value",
        formula_text: "TN / (TN + FN)",
        meaning: "share of those not flagged who do not have the outcome",
        formula: Formula::Ratio {
            num: TN,
            den: PN,
            empty: NO_PN,
        },
        favourable: Direction::Higher,
        criterion: "predictive parity among those not flagged",
        short: None,
        clause: Clause::AmongNotFlagged { outcome: false },
        primary_for: &[],
    },
    MetricDef {
        id: MetricId::For,
        name: "for",
        label: "false omission rate",
        formula_text: "FN / (TN + FN)",
        meaning: "share of those not flagged who have the outcome",
        formula: Formula::Ratio {
            num: FN,
            den: PN,
            empty: NO_PN,
        },
        favourable: Direction::Lower,
        criterion: "false-negative parity among those not flagged (assistive interventions)",
        short: None,
        clause: Clause::AmongNotFlagged { outcome: true },
        primary_for: &[(Intervention::Assistive, 1)],
    },
    MetricDef {
        id: MetricId::Accuracy,
        name: "accuracy",
        label: "accuracy",
        formula_text: "(TP + TN) / n",
        meaning: "share of the group the model classifies correctly",
        formula: Formula::Ratio {
            num: [1.0, 0.0, 0.0, 1.0],
            den: ALL,
            empty: NO_ROWS,
        },
        favourable: Direction::Higher,
        criterion: "overall accuracy equality (Berk et al. 2018)",
        short: None,
        clause: Clause::None,
        primary_for: &[],
    },
    MetricDef {
        id: MetricId::BalancedAccuracy,
        name: "balanced_accuracy",
        label: "balanced accuracy",
        formula_text: "(TPR + TNR) / 2",
        meaning: "mean of the true positive and true negative rates",
        formula: Formula::BalancedAccuracy,
        favourable: Direction::Higher,
        criterion: "accuracy equality robust to different base rates",
        short: None,
        clause: Clause::None,
        primary_for: &[],
    },
    MetricDef {
        id: MetricId::F1,
        name: "f1",
        label: "F1 score",
        formula_text: "2TP / (2TP + FP + FN)",
        meaning: "harmonic mean of precision and recall",
        formula: Formula::Ratio {
            num: [2.0, 0.0, 0.0, 0.0],
            den: [2.0, 1.0, 1.0, 0.0],
            empty: "no actual or predicted positives in the group (2TP + FP + FN = 0)",
        },
        favourable: Direction::Higher,
        criterion: "none in particular (a summary of precision and recall)",
        short: None,
        clause: Clause::None,
        primary_for: &[],
    },
    MetricDef {
        id: MetricId::TreatmentEquality,
        name: "treatment_equality",
        label: "treatment equality (FN/FP)",
        formula_text: "FN / FP",
        meaning: "false negatives per false positive",
        formula: Formula::Ratio {
            num: FN,
            den: FP,
            empty: "no false positives in the group (FP = 0)",
        },
        favourable: Direction::Context,
        criterion: "treatment equality (Berk et al. 2018)",
        short: None,
        clause: Clause::None,
        primary_for: &[],
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_cover_the_design() {
        let mut names: Vec<_> = REGISTRY.iter().map(|m| m.name).collect();
        let expect = [
            "selection_rate",
            "base_rate",
            "tpr",
            "fnr",
            "fpr",
            "tnr",
            "ppv",
            "fdr",
            "npv",
            "for",
            "accuracy",
            "balanced_accuracy",
            "f1",
            "treatment_equality",
        ];
        assert_eq!(names, expect);
        names.sort();
        names.dedup();
        assert_eq!(names.len(), REGISTRY.len());
    }

    #[test]
    fn proportions_are_the_binomial_ones() {
        let props: Vec<_> = REGISTRY
            .iter()
            .filter(|m| m.is_proportion())
            .map(|m| m.name)
            .collect();
        assert_eq!(
            props,
            [
                "selection_rate",
                "base_rate",
                "tpr",
                "fnr",
                "fpr",
                "tnr",
                "ppv",
                "fdr",
                "npv",
                "for",
                "accuracy"
            ]
        );
    }
}
