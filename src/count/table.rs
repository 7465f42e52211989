//! The sufficient statistics of an audit: a mergeable table of counts.
//!
//! Every confusion-matrix metric, every disparity, every count-based
//! bootstrap, and every score statistic (AUC, calibration) is a function of
//! how many rows (and how much weight, and what sum of scores) fall in each
//! cell of (protected-attribute levels × truth × prediction × score bin ×
//! flags). The scan builds a [`CountTable`] per batch of rows and adds them
//! up; nothing downstream ever sees a row.
//!
//! Counts are integers and every sum is an [`Exact`] fixed-point integer, so
//! `a + b` is associative and commutative *exactly*: the order in which
//! threads or shards are merged cannot change a single bit of any result
//! (STYLE.md rule 8).
//!
//! The table is stored by group: each combination of attribute levels once,
//! with its cells under it, so that a score dimension of thousands of bins
//! does not repeat the group labels in every cell.

use std::collections::BTreeMap;
use std::ops::{Add, AddAssign};

use super::Grid;

pub use super::exact::Exact;

/// A score bin: the bin's representative score (its lower edge on a grid,
/// or the score itself when every distinct value keeps its own bin), as an
/// order-preserving integer; [`Bin::NONE`] when the audit counts no score
/// dimension.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Bin(u64);

impl Bin {
    /// No score dimension.
    pub const NONE: Bin = Bin(u64::MAX);

    /// The bin of representative score `s` (finite).
    pub fn of(s: f64) -> Bin {
        // Negative zero is the same score as zero.
        let s = if s == 0.0 { 0.0 } else { s };
        let bits = s.to_bits();
        // Flip the sign bit of positives and every bit of negatives, so
        // that unsigned order is numeric order.
        Bin(if bits >> 63 == 1 {
            !bits
        } else {
            bits | (1 << 63)
        })
    }

    /// The representative score, or `None` for [`Bin::NONE`].
    pub fn score(self) -> Option<f64> {
        if self == Bin::NONE {
            return None;
        }
        let bits = if self.0 >> 63 == 1 {
            self.0 & !(1 << 63)
        } else {
            !self.0
        };
        Some(f64::from_bits(bits))
    }
}

/// The statistics of one cell: how many rows, their total weight, and the
/// weighted sums of their scores. With no weights every weight is 1, so
/// `weight` and `weight_sq` equal the count and `score` is the plain sum.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CellStats {
    /// Number of rows.
    pub count: u64,
    /// Σw: the rows' weights.
    pub weight: Exact,
    /// Σ fl(w·w): the squared weights (for Kish's effective sample size).
    pub weight_sq: Exact,
    /// Σ fl(w·s): the weighted scores (zero without a score).
    pub score: Exact,
    /// Σ fl(w·fl(s·s)): the weighted squared scores (zero without a score).
    pub score_sq: Exact,
}

impl CellStats {
    /// The statistics of `n` unweighted rows without scores.
    pub fn rows(n: u64) -> CellStats {
        let w = Exact::from_count(n);
        CellStats {
            count: n,
            weight: w,
            weight_sq: w,
            score: Exact::ZERO,
            score_sq: Exact::ZERO,
        }
    }
}

impl AddAssign for CellStats {
    fn add_assign(&mut self, other: CellStats) {
        self.count += other.count;
        self.weight += other.weight;
        self.weight_sq += other.weight_sq;
        self.score += other.score;
        self.score_sq += other.score_sq;
    }
}

/// A cell within a group: the truth, the prediction, the score bin and the
/// flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CellKey {
    /// The ground truth (`true` = positive).
    pub truth: bool,
    /// The model's decision (`true` = predicted positive).
    pub pred: bool,
    /// The score bin ([`Bin::NONE`] without a score dimension).
    pub bin: Bin,
    /// Memberships an analysis counts beside the truth and the prediction
    /// (0 when none is counted).
    pub flags: u32,
}

impl CellKey {
    /// A confusion cell without score or flags.
    pub fn confusion(truth: bool, pred: bool) -> CellKey {
        CellKey {
            truth,
            pred,
            bin: Bin::NONE,
            flags: 0,
        }
    }
}

/// The cells of one group (one combination of attribute levels).
pub type GroupCells = BTreeMap<CellKey, CellStats>;

/// Per-cell counts over the finest cross-classification of the audit's
/// protected attributes. Mergeable with `+`.
///
/// ```
/// use fairaudit::count::{CellKey, CellStats, CountTable};
/// let mut a = CountTable::new(vec!["sex".into()]);
/// a.add_cell(&["Female".into()], CellKey::confusion(true, true), CellStats::rows(1));
/// let mut b = CountTable::new(vec!["sex".into()]);
/// b.add_cell(&["Female".into()], CellKey::confusion(true, true), CellStats::rows(1));
/// b.add_cell(&["Male".into()], CellKey::confusion(false, true), CellStats::rows(1));
/// let whole = a + b;
/// assert_eq!(whole.total().count, 3);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct CountTable {
    attributes: Vec<String>,
    score_grid: Option<Grid>,
    groups: BTreeMap<Vec<String>, GroupCells>,
}

impl CountTable {
    /// An empty table over the named attributes.
    pub fn new(attributes: Vec<String>) -> CountTable {
        CountTable {
            attributes,
            score_grid: None,
            groups: BTreeMap::new(),
        }
    }

    /// The same table, saying how its score bins were made.
    pub fn with_score_grid(mut self, grid: Option<Grid>) -> CountTable {
        self.score_grid = grid;
        self
    }

    /// How the score bins were made, when the table has a score dimension.
    pub fn score_grid(&self) -> Option<&Grid> {
        self.score_grid.as_ref()
    }

    /// The attribute names, in key order.
    pub fn attributes(&self) -> &[String] {
        &self.attributes
    }

    /// Adds statistics to a cell of the group with these `levels` (one per
    /// attribute).
    pub fn add_cell(&mut self, levels: &[String], key: CellKey, stats: CellStats) {
        match self.groups.get_mut(levels) {
            Some(g) => *g.entry(key).or_default() += stats,
            None => {
                let mut g = GroupCells::new();
                g.insert(key, stats);
                self.groups.insert(levels.to_vec(), g);
            }
        }
    }

    /// The groups, in level order, each with its cells.
    pub fn groups(&self) -> impl Iterator<Item = (&[String], &GroupCells)> {
        self.groups.iter().map(|(k, v)| (k.as_slice(), v))
    }

    /// Every cell with its group's levels, in table order (by levels, then
    /// truth, prediction, bin and flags).
    pub fn cells(&self) -> impl Iterator<Item = (&[String], &CellKey, &CellStats)> {
        self.groups
            .iter()
            .flat_map(|(levels, cells)| cells.iter().map(move |(k, s)| (levels.as_slice(), k, s)))
    }

    /// The number of non-empty cells.
    pub fn len(&self) -> usize {
        self.groups.values().map(BTreeMap::len).sum()
    }

    /// The number of groups (combinations of levels with rows).
    pub fn group_count(&self) -> usize {
        self.groups.len()
    }

    /// Whether the table has no cells.
    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }

    /// The sum over all cells.
    pub fn total(&self) -> CellStats {
        let mut t = CellStats::default();
        for (_, _, s) in self.cells() {
            t += *s;
        }
        t
    }

    /// Merges `other` into `self`. Both tables must be over the same
    /// attributes (the scan and the readers guarantee it).
    pub fn merge(&mut self, other: CountTable) {
        debug_assert_eq!(self.attributes, other.attributes);
        if self.score_grid.is_none() {
            self.score_grid = other.score_grid;
        }
        if self.groups.is_empty() {
            self.groups = other.groups;
            return;
        }
        for (levels, cells) in other.groups {
            match self.groups.get_mut(&levels) {
                None => {
                    self.groups.insert(levels, cells);
                }
                Some(mine) => {
                    for (k, v) in cells {
                        *mine.entry(k).or_default() += v;
                    }
                }
            }
        }
    }

    /// The distinct levels of attribute `i`, in sorted order.
    pub fn levels(&self, i: usize) -> Vec<String> {
        let mut v: Vec<String> = self.groups.keys().map(|k| k[i].clone()).collect();
        v.sort();
        v.dedup();
        v
    }

    /// The same counts with every weight 1, for an unweighted audit of a
    /// weighted count table: weight sums become the counts. Score sums are
    /// dropped, since unweighted sums cannot be recovered from weighted ones.
    pub fn without_weights(mut self) -> CountTable {
        for cells in self.groups.values_mut() {
            for s in cells.values_mut() {
                *s = CellStats::rows(s.count);
            }
        }
        self
    }
}

impl Add for CountTable {
    type Output = CountTable;
    fn add(mut self, other: CountTable) -> CountTable {
        self.merge(other);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bins_order_as_their_scores() {
        let xs = [-3.5, -1e-300, 0.0, 1e-300, 0.25, 0.5, 1.0, 7.0];
        for w in xs.windows(2) {
            assert!(Bin::of(w[0]) < Bin::of(w[1]), "{w:?}");
        }
        for x in xs {
            assert_eq!(Bin::of(x).score(), Some(x));
        }
        assert_eq!(Bin::of(-0.0), Bin::of(0.0));
        assert_eq!(Bin::NONE.score(), None);
    }

    #[test]
    fn merging_any_split_gives_the_whole() {
        let rows: Vec<(String, bool, bool, f64)> = (0..50)
            .map(|i| {
                (
                    ["A", "B", "C"][i % 3].to_string(),
                    i % 2 == 0,
                    i % 5 < 2,
                    0.1 + i as f64 * 0.37,
                )
            })
            .collect();
        let table_of = |rows: &[(String, bool, bool, f64)]| {
            let mut t = CountTable::new(vec!["g".into()]);
            for (g, y, p, w) in rows {
                let w = Exact::from_f64(*w).unwrap_or_default();
                t.add_cell(
                    std::slice::from_ref(g),
                    CellKey::confusion(*y, *p),
                    CellStats {
                        count: 1,
                        weight: w,
                        weight_sq: w,
                        score: Exact::ZERO,
                        score_sq: Exact::ZERO,
                    },
                );
            }
            t
        };
        let whole = table_of(&rows);
        for cut in [0, 1, 17, 49, 50] {
            let (a, b) = rows.split_at(cut);
            assert_eq!(table_of(a) + table_of(b), whole);
            assert_eq!(table_of(b) + table_of(a), whole);
        }
        assert_eq!(whole.total().count, 50);
        assert_eq!(whole.group_count(), 3);
    }
}
