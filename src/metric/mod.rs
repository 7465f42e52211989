//! Metrics: their typed identifiers, the registry of what each means, and
//! their evaluation on the four confusion cells.
//!
//! [`MetricId`] names a metric everywhere in the crate (never a string that
//! a typo could turn into another metric); [`MetricId::def`] gives its
//! [`MetricDef`], the one place that knows its formula, labels, sentence
//! clause, favourable direction, criterion and primary use; [`compute`]
//! evaluates it and [`disparity`] compares two groups. A zero denominator
//! gives [`Value::Undefined`] with the reason, never NaN.

mod intervention;
mod registry;

use std::cmp::Ordering;
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

pub use intervention::Intervention;
pub use registry::{Coeffs, Formula, MetricDef, REGISTRY};

/// Which direction of a metric is good for the people it describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// Higher values are favourable (e.g. TPR, accuracy).
    Higher,
    /// Lower values are favourable (e.g. FPR, FDR).
    Lower,
    /// The favourable direction depends on the intervention (selection rate:
    /// being selected is bad for a punitive intervention, good for an
    /// assistive one) or there is none (base rate).
    Context,
}

impl Direction {
    /// The lowercase name, as in `results.json`.
    pub fn name(self) -> &'static str {
        match self {
            Direction::Higher => "higher",
            Direction::Lower => "lower",
            Direction::Context => "context",
        }
    }
}

impl fmt::Display for Direction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How a finding sentence names the people a rate is about and what
/// happened to them, in the audit's own words for the outcome and the
/// decision (see the judge's findings).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clause {
    /// "Among people who did not have the outcome, ... were (not) flagged".
    AmongNoOutcome {
        /// Whether the rate counts those flagged.
        flagged: bool,
    },
    /// "Among people who had the outcome, ... were (not) flagged".
    AmongOutcome {
        /// Whether the rate counts those flagged.
        flagged: bool,
    },
    /// "Among people flagged, ... (did not) have the outcome".
    AmongFlagged {
        /// Whether the rate counts those with the outcome.
        outcome: bool,
    },
    /// "Among people not flagged, ... (did not) have the outcome".
    AmongNotFlagged {
        /// Whether the rate counts those with the outcome.
        outcome: bool,
    },
    /// "Overall, ... were flagged" or "... had the outcome".
    Overall {
        /// Whether the rate counts those flagged (else those with the outcome).
        flagged: bool,
    },
    /// No clause: the sentence names the metric by its label.
    None,
}

/// A metric of the confusion analysis, by identity.
///
/// Serialises to (and parses from) its name in outputs, e.g. `"fpr"`;
/// ordered by that name, so that maps keyed by metric are in the same
/// (alphabetical) order as their JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[allow(missing_docs)]
pub enum MetricId {
    SelectionRate,
    BaseRate,
    Tpr,
    Fnr,
    Fpr,
    Tnr,
    Ppv,
    Fdr,
    Npv,
    For,
    Accuracy,
    BalancedAccuracy,
    F1,
    TreatmentEquality,
}

impl MetricId {
    /// Every metric, in registry (output) order.
    pub const ALL: [MetricId; 14] = [
        MetricId::SelectionRate,
        MetricId::BaseRate,
        MetricId::Tpr,
        MetricId::Fnr,
        MetricId::Fpr,
        MetricId::Tnr,
        MetricId::Ppv,
        MetricId::Fdr,
        MetricId::Npv,
        MetricId::For,
        MetricId::Accuracy,
        MetricId::BalancedAccuracy,
        MetricId::F1,
        MetricId::TreatmentEquality,
    ];

    /// The registry entry.
    pub fn def(self) -> &'static MetricDef {
        &REGISTRY[self as usize]
    }

    /// The name used in outputs, e.g. `fpr`.
    pub fn name(self) -> &'static str {
        self.def().name
    }

    /// A short human name, e.g. "false positive rate".
    pub fn label(self) -> &'static str {
        self.def().label
    }

    /// The metric named `name`, if any.
    pub fn from_name(name: &str) -> Option<MetricId> {
        REGISTRY.iter().find(|m| m.name == name).map(|m| m.id)
    }

    /// Whether the metric is a binomial proportion k/n (numerator cells a
    /// subset of the denominator cells, unit coefficients), so that binomial
    /// intervals and tests apply.
    pub fn is_proportion(self) -> bool {
        self.def().is_proportion()
    }

    /// The rates every human-readable summary shows, in column order, with
    /// their column headings.
    pub fn shown() -> Vec<(MetricId, &'static str)> {
        let mut v: Vec<(u8, MetricId, &'static str)> = REGISTRY
            .iter()
            .filter_map(|m| m.short.map(|(rank, h)| (rank, m.id, h)))
            .collect();
        v.sort_by_key(|(rank, _, _)| *rank);
        v.into_iter().map(|(_, m, h)| (m, h)).collect()
    }

    /// Every metric's name, comma-separated, for messages.
    pub fn names() -> String {
        REGISTRY
            .iter()
            .map(|m| m.name)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl PartialOrd for MetricId {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for MetricId {
    fn cmp(&self, other: &Self) -> Ordering {
        self.name().cmp(other.name())
    }
}

impl fmt::Display for MetricId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Serialize for MetricId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for MetricId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<MetricId, D::Error> {
        let name = String::deserialize(d)?;
        MetricId::from_name(&name).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "unknown metric `{name}` (the metrics are: {})",
                MetricId::names()
            ))
        })
    }
}

/// Index of a confusion cell in a `[_; 4]` of cells.
pub const TP: usize = 0;
/// False positives.
pub const FP: usize = 1;
/// False negatives.
pub const FN: usize = 2;
/// True negatives.
pub const TN: usize = 3;

/// The cell index of a (truth, prediction) pair.
pub fn cell_index(truth: bool, pred: bool) -> usize {
    match (truth, pred) {
        (true, true) => TP,
        (false, true) => FP,
        (true, false) => FN,
        (false, false) => TN,
    }
}

/// A metric's value, or why it has none.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value {
    /// A finite number.
    Defined(f64),
    /// Undefined, with the reason.
    Undefined(&'static str),
}

impl Value {
    /// The number, if defined.
    pub fn get(self) -> Option<f64> {
        match self {
            Value::Defined(v) => Some(v),
            Value::Undefined(_) => None,
        }
    }

    /// The reason, if undefined.
    pub fn reason(self) -> Option<&'static str> {
        match self {
            Value::Defined(_) => None,
            Value::Undefined(r) => Some(r),
        }
    }
}

fn dot(c: &[f64; 4], x: &[f64; 4]) -> f64 {
    c.iter().zip(x).map(|(a, b)| a * b).sum()
}

/// The numerator and denominator of a ratio metric on cells `x` (weight sums
/// or counts), or `None` for a metric that is not a single ratio.
pub fn ratio_parts(def: &MetricDef, x: &[f64; 4]) -> Option<(f64, f64)> {
    match def.formula {
        Formula::Ratio { num, den, .. } => Some((dot(&num, x), dot(&den, x))),
        Formula::BalancedAccuracy => None,
    }
}

/// Evaluates a metric on cells `x` = (TP, FP, FN, TN), weighted or not.
pub fn compute(id: MetricId, x: &[f64; 4]) -> Value {
    match id.def().formula {
        Formula::Ratio { num, den, empty } => {
            let d = dot(&den, x);
            if d > 0.0 {
                Value::Defined(dot(&num, x) / d)
            } else {
                Value::Undefined(empty)
            }
        }
        Formula::BalancedAccuracy => {
            let pos = x[TP] + x[FN];
            let neg = x[FP] + x[TN];
            if pos <= 0.0 {
                Value::Undefined("no actual positives in the group (TPR undefined)")
            } else if neg <= 0.0 {
                Value::Undefined("no actual negatives in the group (TNR undefined)")
            } else {
                Value::Defined((x[TP] / pos + x[TN] / neg) / 2.0)
            }
        }
    }
}

/// A group's metric against the reference group's: ratio and difference.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Disparity {
    /// m_group / m_reference.
    pub ratio: Value,
    /// m_group − m_reference.
    pub difference: Value,
}

/// Compares a group's value with the reference's.
pub fn disparity(group: Value, reference: Value) -> Disparity {
    match (group, reference) {
        (Value::Undefined(_), _) => Disparity {
            ratio: Value::Undefined("the group's value is undefined"),
            difference: Value::Undefined("the group's value is undefined"),
        },
        (_, Value::Undefined(_)) => Disparity {
            ratio: Value::Undefined("the reference group's value is undefined"),
            difference: Value::Undefined("the reference group's value is undefined"),
        },
        (Value::Defined(g), Value::Defined(r)) => Disparity {
            ratio: if r != 0.0 {
                Value::Defined(g / r)
            } else {
                Value::Undefined("the reference group's value is 0, so a ratio is undefined")
            },
            difference: Value::Defined(g - r),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(name: &str, x: [f64; 4]) -> Value {
        compute(MetricId::from_name(name).unwrap(), &x)
    }

    #[test]
    fn every_metric_on_a_known_table() {
        // TP=20, FP=10, FN=5, TN=65 (n = 100)
        let x = [20.0, 10.0, 5.0, 65.0];
        let want = [
            ("selection_rate", 0.3),
            ("base_rate", 0.25),
            ("tpr", 0.8),
            ("fnr", 0.2),
            ("fpr", 10.0 / 75.0),
            ("tnr", 65.0 / 75.0),
            ("ppv", 20.0 / 30.0),
            ("fdr", 10.0 / 30.0),
            ("npv", 65.0 / 70.0),
            ("for", 5.0 / 70.0),
            ("accuracy", 0.85),
            ("balanced_accuracy", (0.8 + 65.0 / 75.0) / 2.0),
            ("f1", 40.0 / 55.0),
            ("treatment_equality", 0.5),
        ];
        assert_eq!(want.len(), REGISTRY.len());
        for (name, v) in want {
            assert_eq!(m(name, x), Value::Defined(v), "{name}");
        }
    }

    #[test]
    fn zero_denominators_are_undefined_with_a_reason() {
        // No actual positives: TP = FN = 0.
        let x = [0.0, 3.0, 0.0, 5.0];
        for name in ["tpr", "fnr", "balanced_accuracy"] {
            assert!(
                matches!(m(name, x), Value::Undefined(r) if r.contains("no actual positives")),
                "{name}"
            );
        }
        assert_eq!(m("fpr", x), Value::Defined(3.0 / 8.0));
        // No predicted positives.
        let x = [0.0, 0.0, 4.0, 6.0];
        for name in ["ppv", "fdr"] {
            assert!(
                matches!(m(name, x), Value::Undefined(r) if r.contains("no predicted positives")),
                "{name}"
            );
        }
        assert!(m("treatment_equality", x).get().is_none());
        assert_eq!(m("f1", x), Value::Defined(0.0));
        // No predicted negatives, no actual negatives.
        let x = [4.0, 0.0, 0.0, 0.0];
        for name in ["npv", "for", "fpr", "tnr"] {
            assert!(m(name, x).get().is_none(), "{name}");
        }
        // Nothing at all.
        for id in MetricId::ALL {
            assert!(compute(id, &[0.0; 4]).get().is_none(), "{id}");
        }
        assert!(m("f1", [0.0, 0.0, 0.0, 9.0]).get().is_none());
    }

    #[test]
    fn disparities_compare_with_the_reference() {
        let d = disparity(Value::Defined(0.42), Value::Defined(0.21));
        assert_eq!(d.ratio, Value::Defined(2.0));
        assert_eq!(d.difference.get().unwrap(), 0.42 - 0.21);
        let d = disparity(Value::Defined(0.3), Value::Defined(0.0));
        assert!(d.ratio.get().is_none());
        assert_eq!(d.difference, Value::Defined(0.3));
        let d = disparity(Value::Undefined("x"), Value::Defined(0.1));
        assert!(d.ratio.get().is_none() && d.difference.get().is_none());
    }
}
