//! Groups as the confusion analysis sees them: the four confusion cells of
//! each group (counts, weight sums and squared-weight sums), marginalised
//! from the count table over a grouping's attributes.

use std::collections::BTreeMap;

use crate::count::{CellStats, CountTable, Exact};
use crate::metric::cell_index;

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
            .fold(Exact::ZERO, |mut a, c| {
                a += c.weight;
                a
            })
            .to_f64()
    }
}

/// The groups of a grouping (the attributes at `attrs`), each with its
/// cells, keyed by the levels of those attributes.
pub fn marginal(table: &CountTable, attrs: &[usize]) -> BTreeMap<Vec<String>, GroupStats> {
    let mut out: BTreeMap<Vec<String>, GroupStats> = BTreeMap::new();
    for (levels, k, v) in table.cells() {
        let key: Vec<String> = attrs.iter().map(|&i| levels[i].clone()).collect();
        out.entry(key).or_default().add(k.truth, k.pred, *v);
    }
    out
}

/// All cells of the table as one group.
pub fn overall(table: &CountTable) -> GroupStats {
    let mut g = GroupStats::default();
    for (_, k, v) in table.cells() {
        g.add(k.truth, k.pred, *v);
    }
    g
}
