//! Group metrics and disparities, computed from counts.
//!
//! [`GroupStats`] holds the four confusion cells of one group (counts,
//! weight sums and squared-weight sums); [`compute`] evaluates a registry
//! metric on them; [`disparity`] compares a group with its reference. A zero
//! denominator gives [`Value::Undefined`] with the reason, never NaN.

pub mod registry;
pub mod summary;

use std::collections::BTreeMap;

use crate::count::{CellStats, CountTable};
use registry::{Formula, MetricDef};

/// Index of a confusion cell in [`GroupStats::cells`].
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

/// The confusion cells of one group.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GroupStats {
    /// TP, FP, FN, TN.
    pub cells: [CellStats; 4],
}

impl GroupStats {
    /// Adds a table cell to the group.
    pub fn add(&mut self, truth: bool, pred: bool, stats: CellStats) {
        self.cells[cell_index(truth, pred)] += stats;
    }

    /// The number of rows.
    pub fn n(&self) -> u64 {
        self.cells.iter().map(|c| c.count).sum()
    }

    /// The row counts of TP, FP, FN, TN.
    pub fn counts(&self) -> [u64; 4] {
        self.cells.map(|c| c.count)
    }

    /// The weight sums of TP, FP, FN, TN (the counts when unweighted).
    pub fn weights(&self) -> [f64; 4] {
        self.cells.map(|c| c.weight.to_f64())
    }

    /// The squared-weight sums of TP, FP, FN, TN.
    pub fn weights_sq(&self) -> [f64; 4] {
        self.cells.map(|c| c.weight_sq.to_f64())
    }

    /// The total weight.
    pub fn total_weight(&self) -> f64 {
        self.cells
            .iter()
            .fold(crate::count::Fixed::ZERO, |a, c| a + c.weight)
            .to_f64()
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
pub fn compute(def: &MetricDef, x: &[f64; 4]) -> Value {
    match def.formula {
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

/// The groups of a grouping (the attributes at `attrs`), each with its
/// cells, keyed by the levels of those attributes.
pub fn marginal(table: &CountTable, attrs: &[usize]) -> BTreeMap<Vec<String>, GroupStats> {
    let mut out: BTreeMap<Vec<String>, GroupStats> = BTreeMap::new();
    for (k, v) in table.cells() {
        let key: Vec<String> = attrs.iter().map(|&i| k.levels[i].clone()).collect();
        out.entry(key).or_default().add(k.truth, k.pred, *v);
    }
    out
}

/// All cells of the table as one group.
pub fn overall(table: &CountTable) -> GroupStats {
    let mut g = GroupStats::default();
    for (k, v) in table.cells() {
        g.add(k.truth, k.pred, *v);
    }
    g
}

#[cfg(test)]
mod tests {
    use super::registry::{REGISTRY, find};
    use super::*;

    fn m(name: &str, x: [f64; 4]) -> Value {
        compute(find(name).unwrap(), &x)
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
        for def in REGISTRY {
            assert!(compute(def, &[0.0; 4]).get().is_none(), "{}", def.name);
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
