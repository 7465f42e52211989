//! Tidy CSV: one row per grouping × group × metric.
//!
//! Text that a spreadsheet would run as a formula (a group label starting
//! with `=`, `+`, `-`, `@`, a tab or a carriage return) is prefixed with a
//! single quote, the OWASP recommendation for CSV injection; numbers are
//! written as numbers and an undefined value as an empty cell.

use crate::report::format::machine;
use crate::results::{GroupResult, Results};

/// Neutralises text against spreadsheet formula injection.
pub fn neutralise(text: &str) -> String {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{text}"),
        _ => text.to_string(),
    }
}

fn writer() -> csv::Writer<Vec<u8>> {
    csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new())
}

fn finish(w: csv::Writer<Vec<u8>>) -> Vec<u8> {
    // Writing to a Vec cannot fail.
    w.into_inner().unwrap_or_default()
}

fn groups(results: &Results) -> impl Iterator<Item = (&str, &GroupResult)> {
    std::iter::once(("overall", &results.overall)).chain(
        results
            .groupings
            .iter()
            .flat_map(|g| g.groups.iter().map(move |x| (g.name.as_str(), x))),
    )
}

/// `metrics.csv`: grouping, group, n, suppressed, reference, metric, value,
/// undefined.
pub fn metrics(results: &Results) -> Vec<u8> {
    let mut w = writer();
    let _ = w.write_record([
        "grouping",
        "group",
        "n",
        "suppressed",
        "reference",
        "metric",
        "value",
        "undefined",
    ]);
    for (grouping, g) in groups(results) {
        for m in &results.metrics {
            let (value, undefined) = match g.metrics.get(&m.name) {
                Some(v) => (machine(v.value), v.undefined.clone().unwrap_or_default()),
                None if g.suppressed => (
                    String::new(),
                    "suppressed: group below the minimum size".to_string(),
                ),
                None => (String::new(), String::new()),
            };
            let _ = w.write_record([
                neutralise(grouping),
                neutralise(&g.label),
                g.n.map(|n| n.to_string()).unwrap_or_default(),
                g.suppressed.to_string(),
                g.reference.to_string(),
                m.name.clone(),
                value,
                neutralise(&undefined),
            ]);
        }
    }
    finish(w)
}

/// `disparities.csv`: grouping, group, reference group, metric, ratio,
/// difference, undefined. Only published, non-reference groups.
pub fn disparities(results: &Results) -> Vec<u8> {
    let mut w = writer();
    let _ = w.write_record([
        "grouping",
        "group",
        "reference_group",
        "metric",
        "ratio",
        "difference",
        "undefined",
    ]);
    for g in &results.groupings {
        let Some(reference) = &g.reference else {
            continue;
        };
        for x in g.groups.iter().filter(|x| !x.suppressed && !x.reference) {
            for m in &results.metrics {
                if let Some(d) = x.disparities.get(&m.name) {
                    let _ = w.write_record([
                        neutralise(&g.name),
                        neutralise(&x.label),
                        neutralise(&reference.group),
                        m.name.clone(),
                        machine(d.ratio),
                        machine(d.difference),
                        neutralise(d.undefined.as_deref().unwrap_or("")),
                    ]);
                }
            }
        }
    }
    finish(w)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised() {
        assert_eq!(neutralise("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(neutralise("+1"), "'+1");
        assert_eq!(neutralise("-2"), "'-2");
        assert_eq!(neutralise("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(neutralise("White"), "White");
        assert_eq!(neutralise(""), "");
    }
}
