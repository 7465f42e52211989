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

pub mod file;
pub mod scan;
pub mod sql;
pub mod table;

use crate::cohort::{Filter, LabelRule, OnInvalid, Prediction};
use crate::group::Attribute;
use crate::input::{ColumnRef, CsvOptions, InputFile};

pub use scan::{Counted, FilterCount, Progress, Rejection, RowAccounting, RunOptions, ScanWarning};
pub use table::{CellKey, CellStats, CountTable, Fixed};

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
}
