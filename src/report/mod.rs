//! Renderers: [`crate::results::Results`] in, bytes out.
//!
//! Every renderer returns bytes (so that a pack can hash them before writing
//! them) and sees nothing but the results. Numbers go through [`format`](mod@format):
//! shortest round-trip decimals in machine-readable outputs, fixed decimals
//! in human-readable ones.

pub mod csv;
pub mod html;
pub mod json;
pub mod markdown;
pub mod table;

use crate::metric::MetricId;
use crate::results::{GroupResult, GroupingResult, Results};

/// Metric names joined with commas, as the reports list them.
fn names(metrics: &[MetricId]) -> String {
    metrics
        .iter()
        .map(|m| m.name())
        .collect::<Vec<_>>()
        .join(", ")
}

/// A group's name for people, unescaped: its levels joined with `×` in an
/// intersection, its label otherwise. Shared by the committee reports.
fn display_name(g: &GroupingResult, x: &GroupResult) -> String {
    if g.attributes.len() > 1 && x.levels.len() == g.attributes.len() {
        x.levels.join(" × ")
    } else {
        x.label.clone()
    }
}

/// One `n/a` in the committee reports' tables, unescaped.
struct Undefined {
    /// Where: `everyone`, or `race / Asian`.
    place: String,
    /// Which column: a rate's short name, or `fpr × ref`.
    column: String,
    /// Why it is undefined.
    reason: String,
}

/// Each `n/a` in the committee reports' tables (the rates of
/// [`MetricId::shown`] and the primary metrics' ratios), with its reason, in
/// table order. report.md and report.html list the same values, each
/// escaping them for its own markup.
fn undefined_values(r: &Results) -> Vec<Undefined> {
    let mut out = Vec::new();
    let mut scan = |place: String, g: &GroupResult, ratios: bool| {
        if g.suppressed {
            return;
        }
        for (m, short) in MetricId::shown() {
            if let Some(v) = g.metrics.get(&m)
                && v.value.is_none()
            {
                out.push(Undefined {
                    place: place.clone(),
                    column: short.to_string(),
                    reason: v
                        .undefined
                        .clone()
                        .unwrap_or_else(|| "undefined".to_string()),
                });
            }
        }
        if ratios && !g.reference {
            for m in &r.policy.primary {
                if let Some(d) = g.disparities.get(m)
                    && d.ratio.is_none()
                {
                    out.push(Undefined {
                        place: place.clone(),
                        column: format!("{m} × ref"),
                        reason: d
                            .undefined
                            .clone()
                            .unwrap_or_else(|| "undefined".to_string()),
                    });
                }
            }
        }
    };
    scan("everyone".to_string(), r.overall(), false);
    for g in r.groupings() {
        for x in &g.groups {
            scan(
                format!("{} / {}", g.attributes.join(" × "), display_name(g, x)),
                x,
                g.reference.is_some(),
            );
        }
    }
    out
}
