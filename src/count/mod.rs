//! Counting: rows in, a [`CountTable`] out — the audit's sufficient
//! statistics.
//!
//! * [`table`] — the mergeable table of counts and exact sums;
//! * [`scan`] — the parallel scan of CSV, Parquet and Arrow inputs;
//! * [`file`] — the count table as a published file format (write, read,
//!   merge), so that other engines and shards can produce it;
//! * [`sql`] — the `GROUP BY` query that makes the same table in a
//!   warehouse or Spark.
//!
//! This layer knows rows, cohorts and groups, not metrics. What it needs of
//! an audit comes in one [`Counting`] view, made by the plan.

mod exact;
pub mod file;
pub mod scan;
pub mod sql;
pub mod table;

use crate::cohort::{Filter, LabelRule, OnInvalid, Prediction};
use crate::group::Attribute;
use crate::input::{ColumnRef, CsvOptions, InputFile};

pub use exact::{Exact, MAX_WEIGHT, MIN_WEIGHT};
pub use scan::{Counted, FilterCount, Progress, Rejection, RowAccounting, RunOptions, ScanWarning};
pub use table::{Bin, CellKey, CellStats, CountTable, GroupCells};

/// What the counting stage needs to know of an audit: where the rows are,
/// which of them belong to the cohort, how to read each row's truth,
/// prediction, weight and groups.
#[derive(Debug, Clone, Copy)]
pub struct Counting<'a> {
    /// The audit's title (for the comments of generated SQL).
    pub title: &'a str,
    /// The input files.
    pub inputs: &'a [InputFile],
    /// How to read CSV inputs.
    pub csv: &'a CsvOptions,
    /// What to do with an invalid row.
    pub on_invalid: OnInvalid,
    /// The truth.
    pub truth: &'a LabelRule,
    /// The prediction.
    pub prediction: &'a Prediction,
    /// The weight column, if weighted.
    pub weight: Option<&'a ColumnRef>,
    /// The cohort filters, with their spec keys.
    pub filters: &'a [(Filter, String)],
    /// The protected attributes.
    pub attributes: &'a [Attribute],
    /// The score dimension, if an analysis needs scores binned.
    pub score: Option<&'a ScoreDimension>,
}

/// A score column counted as a dimension of the table: each row's score
/// falls in a bin of `grid`.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoreDimension {
    /// The score column.
    pub column: ColumnRef,
    /// How scores are binned.
    pub grid: Grid,
}

/// How scores are binned.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Grid {
    /// Every distinct score keeps its own bin (a discrete score such as a
    /// decile).
    Distinct,
    /// Bins of width `step` from `low`: bin k holds scores in
    /// [low + k·step, low + (k+1)·step), represented by its lower edge.
    Uniform {
        /// The lower end of the grid.
        low: f64,
        /// The width of a bin.
        step: f64,
    },
}

impl Grid {
    /// The bin of score `s` (finite).
    pub fn bin(&self, s: f64) -> Bin {
        match *self {
            Grid::Distinct => Bin::of(s),
            Grid::Uniform { low, step } => {
                let edge = |k: f64| low + k * step;
                let mut k = ((s - low) / step).floor();
                // The division rounds: settle k so that edge(k) <= s < edge(k + 1)
                // exactly, with the edges as they are computed.
                while k > f64::MIN && edge(k) > s {
                    k -= 1.0;
                }
                while edge(k + 1.0) <= s {
                    k += 1.0;
                }
                Bin::of(edge(k))
            }
        }
    }
}
