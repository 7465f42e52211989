//! Groups: the protected attributes, how raw codes become group labels,
//! and the groupings an audit compares (each attribute, and intersections of
//! several).
//!
//! The order of groups in every output is fixed here: an attribute's levels
//! listed in the spec come first, in their order, then the others sorted,
//! with the missing label last (STYLE.md rule 11).

use std::collections::BTreeMap;

use crate::input::ColumnRef;
use crate::metric::MetricId;

/// The most protected attributes one audit may cross-classify.
pub const MAX_ATTRIBUTES: usize = 8;

/// The most distinct values a protected attribute may have.
pub const MAX_LEVELS: usize = 1000;

/// The default label of a missing protected-attribute value.
pub const MISSING_LABEL: &str = "(missing)";

/// The label of a group: its one level, or for an intersection its levels
/// joined with `|`, with a backslash before each level's own `\` or `|` —
/// so that `a|b` × `c` (labelled `a\|b|c`) and `a` × `b|c` (`a|b\|c`) stay
/// two labels. A label is a key in every output and in the spec's
/// references.
pub fn label(levels: &[String]) -> String {
    match levels {
        [one] => one.clone(),
        _ => levels
            .iter()
            .map(|l| l.replace('\\', "\\\\").replace('|', "\\|"))
            .collect::<Vec<_>>()
            .join("|"),
    }
}

/// A checked protected attribute.
#[derive(Debug, Clone, PartialEq)]
pub struct Attribute {
    /// Its name in outputs.
    pub name: String,
    /// Its column.
    pub column: ColumnRef,
    /// Raw label → display label.
    pub relabel: BTreeMap<String, String>,
    /// The label of missing values.
    pub missing_label: String,
    /// Preferred level order.
    pub levels: Vec<String>,
    /// The Equality Act 2010 characteristic it records, if declared.
    pub characteristic: Option<String>,
}

impl Attribute {
    /// The sort key of one of this attribute's levels: the spec's `levels`
    /// first, in their order, then the rest sorted, with the missing label
    /// last.
    pub fn level_rank(&self, level: &str) -> (usize, u8, String) {
        match self.levels.iter().position(|l| l == level) {
            Some(p) => (p, 0, String::new()),
            None => (
                self.levels.len(),
                u8::from(level == self.missing_label),
                level.to_string(),
            ),
        }
    }
}

/// How the reference group of a grouping is chosen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReferenceRule {
    /// A named group.
    Named(String),
    /// The group with the most rows.
    Largest,
    /// The group with the most favourable value of a metric.
    MostFavourable(MetricId),
}

impl ReferenceRule {
    /// A short description for outputs.
    pub fn describe(&self) -> String {
        match self {
            ReferenceRule::Named(_) => "named".to_string(),
            ReferenceRule::Largest => "largest".to_string(),
            ReferenceRule::MostFavourable(m) => format!("most-favourable {m}"),
        }
    }
}

/// A grouping: one attribute, or an intersection of several.
#[derive(Debug, Clone, PartialEq)]
pub struct Grouping {
    /// `race`, or `race|sex` for an intersection.
    pub name: String,
    /// Indices into the audit's attributes.
    pub attributes: Vec<usize>,
    /// How its reference group is chosen.
    pub reference: ReferenceRule,
    /// The spec key that names its reference, for errors.
    pub reference_key: String,
}

impl Grouping {
    /// The sort key of a group of this grouping (one level per attribute).
    pub fn rank_key(
        &self,
        attributes: &[Attribute],
        levels: &[String],
    ) -> Vec<(usize, u8, String)> {
        levels
            .iter()
            .enumerate()
            .map(|(i, l)| attributes[self.attributes[i]].level_rank(l))
            .collect()
    }
}
