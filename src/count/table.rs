//! The sufficient statistics of an audit: a mergeable table of counts.
//!
//! Every confusion-matrix metric, every disparity and every count-based
//! bootstrap is a function of how many rows (and how much weight) fall in each
//! cell of (protected-attribute levels × truth × prediction). The scan builds a
//! [`CountTable`] per batch of rows and adds them up; nothing downstream ever
//! sees a row.
//!
//! Counts are integers and weight sums are exact fixed-point integers
//! ([`Fixed`]), so `a + b` is associative and commutative *exactly*: the order
//! in which threads or shards are merged cannot change a single bit of any
//! result (STYLE.md rule 8).

use std::collections::BTreeMap;
use std::ops::{Add, AddAssign};

use serde::{Deserialize, Serialize};

/// An exact sum of non-negative or negative reals, in units of 2⁻⁶⁴.
///
/// Every finite `f64` of magnitude at least 2⁻¹¹ is represented exactly
/// (its 53-bit significand fits above the 2⁻⁶⁴ unit); smaller magnitudes are
/// rounded toward zero to a multiple of 2⁻⁶⁴ (an absolute error below
/// 5.5 × 10⁻²⁰ per value). Addition is integer addition, so sums do not depend
/// on order. The range is ±2⁶³ ≈ 9.2 × 10¹⁸ in total; the scan bounds each
/// value (see [`Fixed::MAX_VALUE`]) and checks every addition.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Fixed(pub i128);

const FIXED_SCALE: f64 = 18_446_744_073_709_551_616.0; // 2^64

impl Fixed {
    /// The largest magnitude accepted for one value (a weight or a score).
    /// 10¹² per row leaves room for 10⁶ rows at the maximum and for far more
    /// rows at realistic weights before the 2⁶³ total could be reached.
    pub const MAX_VALUE: f64 = 1e12;

    /// Zero.
    pub const ZERO: Fixed = Fixed(0);

    /// The fixed-point value of `x`, or `None` if `x` is not finite or its
    /// magnitude exceeds [`Fixed::MAX_VALUE`].
    pub fn from_f64(x: f64) -> Option<Fixed> {
        if !x.is_finite() || x.abs() > Fixed::MAX_VALUE {
            return None;
        }
        // Scaling by a power of two is exact; the cast truncates only the
        // bits below 2^-64.
        Some(Fixed((x * FIXED_SCALE) as i128))
    }

    /// The nearest `f64` (one rounding).
    pub fn to_f64(self) -> f64 {
        // Split to keep the conversion exact up to the final rounding: the
        // integer part and the fraction are each converted exactly when small.
        let int = self.0 >> 64;
        let frac = (self.0 & ((1i128 << 64) - 1)) as f64 / FIXED_SCALE;
        int as f64 + frac
    }

    /// `self + other`, or `None` on overflow.
    pub fn checked_add(self, other: Fixed) -> Option<Fixed> {
        self.0.checked_add(other.0).map(Fixed)
    }
}

impl Add for Fixed {
    type Output = Fixed;
    fn add(self, other: Fixed) -> Fixed {
        // Saturation can only be reached after ~10^7 rows at the maximum
        // value; the scan uses checked_add and reports it, so this plain add
        // is for tables already known to be in range.
        Fixed(self.0.saturating_add(other.0))
    }
}

impl AddAssign for Fixed {
    fn add_assign(&mut self, other: Fixed) {
        *self = *self + other;
    }
}

/// The statistics of one cell: how many rows, their total weight, and the
/// sum of their scores (for threshold-free rates from a count table).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CellStats {
    /// Number of rows.
    pub count: u64,
    /// Sum of the rows' weights (equals `count` when the audit is unweighted).
    pub weight: Fixed,
    /// Sum of the squared weights (for Kish's effective sample size).
    pub weight_sq: Fixed,
    /// Sum of the rows' scores (zero when the audit has no score column).
    pub score_sum: Fixed,
}

impl AddAssign for CellStats {
    fn add_assign(&mut self, other: CellStats) {
        self.count += other.count;
        self.weight += other.weight;
        self.weight_sq += other.weight_sq;
        self.score_sum += other.score_sum;
    }
}

/// The key of a cell: the level of each protected attribute (in the audit's
/// attribute order), the truth, the prediction, and the score bucket.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct CellKey {
    /// One display label per protected attribute, in the spec's order.
    pub levels: Vec<String>,
    /// The ground truth (`true` = positive).
    pub truth: bool,
    /// The model's decision (`true` = predicted positive).
    pub pred: bool,
    /// The score bucket (0 when the audit has no score).
    pub bucket: u32,
}

/// Per-cell counts over the finest cross-classification of the audit's
/// protected attributes. Mergeable with `+`.
///
/// ```
/// use fairaudit::count::{CountTable, CellKey, CellStats, Fixed};
/// let key = |g: &str, t, p| CellKey { levels: vec![g.to_string()], truth: t, pred: p, bucket: 0 };
/// let w = Fixed::from_f64(1.0).unwrap();
/// let one = CellStats { count: 1, weight: w, weight_sq: w, score_sum: Fixed::ZERO };
/// let mut a = CountTable::new(vec!["sex".into()]);
/// a.add(key("Female", true, true), one);
/// let mut b = CountTable::new(vec!["sex".into()]);
/// b.add(key("Female", true, true), one);
/// b.add(key("Male", false, true), one);
/// let whole = a + b;
/// assert_eq!(whole.total().count, 3);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CountTable {
    attributes: Vec<String>,
    cells: BTreeMap<CellKey, CellStats>,
}

impl CountTable {
    /// An empty table over the named attributes.
    pub fn new(attributes: Vec<String>) -> CountTable {
        CountTable {
            attributes,
            cells: BTreeMap::new(),
        }
    }

    /// The attribute names, in key order.
    pub fn attributes(&self) -> &[String] {
        &self.attributes
    }

    /// Adds statistics to a cell.
    pub fn add(&mut self, key: CellKey, stats: CellStats) {
        *self.cells.entry(key).or_default() += stats;
    }

    /// The cells, in key order.
    pub fn cells(&self) -> impl Iterator<Item = (&CellKey, &CellStats)> {
        self.cells.iter()
    }

    /// The number of non-empty cells.
    pub fn len(&self) -> usize {
        self.cells.len()
    }

    /// Whether the table has no cells.
    pub fn is_empty(&self) -> bool {
        self.cells.is_empty()
    }

    /// The sum over all cells.
    pub fn total(&self) -> CellStats {
        let mut t = CellStats::default();
        for s in self.cells.values() {
            t += *s;
        }
        t
    }

    /// Merges `other` into `self`. Both tables must be over the same
    /// attributes (the scan guarantees it).
    pub fn merge(&mut self, other: CountTable) {
        debug_assert_eq!(self.attributes, other.attributes);
        if self.cells.is_empty() {
            self.cells = other.cells;
            return;
        }
        for (k, v) in other.cells {
            *self.cells.entry(k).or_default() += v;
        }
    }

    /// The distinct levels of attribute `i`, in sorted order.
    pub fn levels(&self, i: usize) -> Vec<String> {
        let mut v: Vec<String> = self.cells.keys().map(|k| k.levels[i].clone()).collect();
        v.sort();
        v.dedup();
        v
    }

    /// The same counts with every weight 1: weight sums replaced by the
    /// counts (for an unweighted audit of a weighted count table).
    pub fn without_weights(mut self) -> CountTable {
        for s in self.cells.values_mut() {
            let n = Fixed::from_f64(s.count as f64).unwrap_or_default();
            s.weight = n;
            s.weight_sq = n;
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
    fn fixed_round_trips_typical_weights_exactly() {
        for w in [0.5, 1.0, 1.1443, 1.4734, 0.0005, 123456.789, 1e12] {
            let f = Fixed::from_f64(w).unwrap();
            assert_eq!(f.to_f64(), w, "{w}");
        }
        assert_eq!(Fixed::from_f64(f64::NAN), None);
        assert_eq!(Fixed::from_f64(f64::INFINITY), None);
        assert_eq!(Fixed::from_f64(2e12), None);
        assert_eq!(Fixed::from_f64(-1.5).unwrap().to_f64(), -1.5);
    }

    #[test]
    fn fixed_sums_do_not_depend_on_order() {
        let xs = [0.1, 0.2, 0.3, 1e-3, 7.77, 0.125, 3.3];
        let fwd = xs
            .iter()
            .fold(Fixed::ZERO, |a, &x| a + Fixed::from_f64(x).unwrap());
        let rev = xs
            .iter()
            .rev()
            .fold(Fixed::ZERO, |a, &x| a + Fixed::from_f64(x).unwrap());
        assert_eq!(fwd, rev);
        // Floating-point addition of the same values does depend on order;
        // the fixed-point sum is the exactly rounded one.
        assert!((fwd.to_f64() - 11.796).abs() < 1e-14);
    }
}
