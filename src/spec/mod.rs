//! The audit specification: [`AuditSpec`] as written in `audit.toml` (or
//! built from command-line flags), read here and checked once by
//! the plan layer (`Plan::check`) into a plan, the only form the pipeline
//! accepts.
//!
//! A complete example (ProPublica's COMPAS cohort):
//!
//! ```toml
//! title = "COMPAS general recidivism risk score"
//! seed = 20240601
//! intersections = [["race", "sex"]]   # top-level keys before any [table]
//!
//! [input]
//! path = "compas.csv"            # relative to this file's folder
//!
//! [truth]
//! column = "two_year_recid"
//! positive = [1]                 # negative defaults to [0]
//!
//! [prediction]
//! column = "score_text"
//! positive = ["Medium", "High"]
//! negative = ["Low"]
//!
//! [cohort]
//! filters = [
//!   "days_b_screening_arrest <= 30",
//!   "days_b_screening_arrest >= -30",
//!   "is_recid != -1",
//!   "c_charge_degree != \"O\"",
//!   "score_text != \"N/A\"",
//! ]
//!
//! [[attributes]]
//! column = "race"
//! reference = "Caucasian"
//!
//! [[attributes]]
//! column = "sex"
//! reference = "Male"
//!
//! [[attributes]]
//! column = "age_cat"
//! name = "age"
//! levels = ["Less than 25", "25 - 45", "Greater than 45"]
//! reference_rule = "largest"
//!
//! [policy]
//! min_group_size = 30
//! ```
//!
//! Unknown keys are errors that name the key, so a typo cannot silently turn
//! a setting off.

mod raw;
mod schema;

use std::path::Path;

use crate::error::{Error, Position, Result};

pub use raw::*;

impl AuditSpec {
    /// Reads a spec from TOML text. `origin` names the file for errors.
    ///
    /// The text is parsed into a spanned TOML tree first, so that syntax
    /// errors, unknown keys and missing keys are named with their line from
    /// the parser's own spans; only then are the values typed.
    pub fn from_toml(text: &str, origin: &Path) -> Result<AuditSpec> {
        let line_of =
            |offset: usize| text[..offset.min(text.len())].matches('\n').count() as u64 + 1;
        let at = |span: Option<std::ops::Range<usize>>| {
            let pos = Position::file(origin);
            match span {
                Some(s) => pos.with_row(line_of(s.start)),
                None => pos,
            }
        };
        let tree = toml::de::DeTable::parse(text)
            .map_err(|e| Error::toml(at(e.span()), e.message().trim()))?;
        schema::check_keys(tree.get_ref(), "", None, &at)?;
        toml::from_str(text).map_err(|e| {
            Error::toml(at(e.span()), e.message().trim()).with_hint(
                "check the value's type against the documented spec (`fairaudit run --help` shows a complete example)",
            )
        })
    }

    /// Reads a spec file (a regular file; a FIFO or device is refused).
    pub fn from_file(path: &Path) -> Result<AuditSpec> {
        let text = crate::file::read_text(path)?;
        AuditSpec::from_toml(&text, path)
    }

    /// The spec as normalised TOML.
    pub fn to_toml(&self) -> Result<String> {
        toml::to_string(self).map_err(|e| Error::output("the normalised audit.toml", e.to_string()))
    }
}
