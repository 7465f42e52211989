//! Analyses: each kind of question an audit asks is one analysis, in its
//! own folder. An analysis declares what it needs from the counting stage
//! ([`Needs`]) and turns those counts into a typed section of the results,
//! with its statistics, intervals, tests and the evidence the judge needs
//! for its verdicts.
//!
//! * [`confusion`] — group levels × truth × prediction: error-rate,
//!   selection and predictive parity.
//!
//! Adding an analysis means one folder here, one section type in
//! [`crate::results`] and one section of the report.

pub mod confusion;
pub mod disclosure;

/// What an analysis needs the counting stage to provide.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Needs {
    /// Counts per combination of group levels × truth × prediction.
    pub confusion: bool,
}
