//! The cohort: which rows an audit is about (the filters) and how each row's
//! truth and prediction are read (the label rules).
//!
//! This layer knows rows and values, not metrics: a row is in the cohort or
//! not, its truth is positive or negative, its prediction flags it or not, or
//! the row is invalid (and an error or a rejection, as the spec says).

pub mod filter;

use crate::input::ColumnRef;
use crate::value::Literal;

pub use filter::{Filter, Op, Outcome, Test};

/// How a row with an invalid truth, prediction or weight is handled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnInvalid {
    /// Stop with an error naming the row and column.
    Error,
    /// Count the row as rejected (by reason) and go on.
    Reject,
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
