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

use std::path::Path;

use crate::error::{Error, ErrorKind, Position, Result};

pub use raw::*;

impl AuditSpec {
    /// Reads a spec from TOML text. `origin` names the file for errors.
    pub fn from_toml(text: &str, origin: &Path) -> Result<AuditSpec> {
        toml::from_str(text).map_err(|e| toml_error(&e, text, origin))
    }

    /// Reads a spec file.
    pub fn from_file(path: &Path) -> Result<AuditSpec> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, &e))?;
        AuditSpec::from_toml(&text, path)
    }

    /// The spec as normalised TOML.
    pub fn to_toml(&self) -> Result<String> {
        toml::to_string(self).map_err(|e| Error::output("the normalised audit.toml", e.to_string()))
    }
}

/// Turns a TOML error into one naming the file, the line and the key.
fn toml_error(e: &toml::de::Error, text: &str, origin: &Path) -> Error {
    let mut pos = Position::file(origin);
    if let Some(span) = e.span() {
        let line = text[..span.start.min(text.len())].matches('\n').count() as u64 + 1;
        pos = pos.with_row(line);
    }
    let msg = e.message().trim().to_string();
    let mut err = Error::new(ErrorKind::Spec, pos, msg.clone());
    let top_level = [
        "title",
        "seed",
        "intersections",
        "intersection_reference",
        "attributes",
        "input",
        "truth",
        "prediction",
        "weight",
        "cohort",
        "policy",
    ];
    if let Some(key) = top_level
        .iter()
        .find(|k| msg.contains(&format!("unknown field `{k}`")))
    {
        err = err.with_hint(format!(
            "`{key}` is a top-level key: in TOML, keys after a [table] header belong to that table, so write `{key}` above the first [table] (or [[attributes]]) header"
        ));
    } else if msg.contains("unknown field") {
        err = err.with_hint(
            "check the key's spelling against the documented spec (see `fairaudit run --help`)",
        );
    } else if msg.contains("missing field") {
        err = err.with_hint("add the missing key; `fairaudit run --help` shows a complete example");
    }
    err
}
