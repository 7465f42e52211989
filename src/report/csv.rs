//! Tidy CSV: one row per grouping × group × metric.
//!
//! Text that a spreadsheet would run as a formula (a group label starting
//! with `=`, `+`, `-`, `@`, a tab or a carriage return) is prefixed with a
//! single quote, the OWASP recommendation for CSV injection; numbers are
//! written as numbers and an undefined value as an empty cell.

use crate::error::{Error, Result};
use crate::number::machine;
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

fn finish(w: csv::Writer<Vec<u8>>, what: &str) -> Result<Vec<u8>> {
    w.into_inner()
        .map_err(|e| Error::output(what, e.error().to_string()))
}

fn failed(what: &'static str) -> impl Fn(csv::Error) -> Error {
    move |e| Error::output(what, e.to_string())
}

fn groups(results: &Results) -> impl Iterator<Item = (&str, &GroupResult)> {
    std::iter::once(("overall", results.overall())).chain(
        results
            .groupings()
            .iter()
            .flat_map(|g| g.groups.iter().map(move |x| (g.name.as_str(), x))),
    )
}

/// `metrics.csv`: grouping, group, n, suppressed, reference, metric, value,
/// its interval and method, and why it is undefined.
pub fn metrics(results: &Results) -> Result<Vec<u8>> {
    let what = "metrics.csv";
    let mut w = writer();
    w.write_record([
        "grouping",
        "group",
        "n",
        "suppressed",
        "reference",
        "metric",
        "value",
        "ci_low",
        "ci_high",
        "ci_method",
        "undefined",
    ])
    .map_err(failed(what))?;
    for (grouping, g) in groups(results) {
        for m in &results.confusion.metrics {
            let v = g.metrics.get(&m.name);
            let undefined = match v {
                Some(v) => v.undefined.clone().unwrap_or_default(),
                None if g.suppressed => "suppressed: group below the minimum size".to_string(),
                None => String::new(),
            };
            w.write_record([
                neutralise(grouping),
                neutralise(&g.label),
                g.n.map(|n| n.to_string()).unwrap_or_default(),
                g.suppressed.to_string(),
                g.reference.to_string(),
                m.name.to_string(),
                machine(v.and_then(|v| v.value)),
                machine(v.and_then(|v| v.ci_low)),
                machine(v.and_then(|v| v.ci_high)),
                v.and_then(|v| v.ci_method)
                    .map(|m| m.to_string())
                    .unwrap_or_default(),
                neutralise(&undefined),
            ])
            .map_err(failed(what))?;
        }
    }
    finish(w, what)
}

/// `disparities.csv`: one row per grouping × non-reference group × metric:
/// ratio and difference to the reference with their intervals, the test's
/// raw and corrected p-values, and the verdict (primary metrics). Suppressed
/// groups appear with their verdict only.
pub fn disparities(results: &Results) -> Result<Vec<u8>> {
    let what = "disparities.csv";
    let mut w = writer();
    w.write_record([
        "grouping",
        "group",
        "reference_group",
        "metric",
        "ratio",
        "ratio_ci_low",
        "ratio_ci_high",
        "difference",
        "difference_ci_low",
        "difference_ci_high",
        "p_value",
        "p_adjusted",
        "test",
        "verdict",
        "undefined",
    ])
    .map_err(failed(what))?;
    for g in results.groupings() {
        let Some(reference) = &g.reference else {
            continue;
        };
        for x in g.groups.iter().filter(|x| !x.reference) {
            for m in &results.confusion.metrics {
                let d = x.disparities.get(&m.name);
                let verdict = x
                    .verdicts
                    .get(&m.name)
                    .map(|v| v.verdict.name().to_string())
                    .unwrap_or_default();
                if d.is_none() && verdict.is_empty() {
                    continue;
                }
                let f = |get: fn(&crate::results::DisparityValue) -> Option<f64>| {
                    machine(d.and_then(get))
                };
                w.write_record([
                    neutralise(&g.name),
                    neutralise(&x.label),
                    neutralise(&reference.group),
                    m.name.to_string(),
                    f(|d| d.ratio),
                    f(|d| d.ratio_ci_low),
                    f(|d| d.ratio_ci_high),
                    f(|d| d.difference),
                    f(|d| d.difference_ci_low),
                    f(|d| d.difference_ci_high),
                    f(|d| d.p_value),
                    f(|d| d.p_adjusted),
                    d.and_then(|d| d.test)
                        .map(|t| t.to_string())
                        .unwrap_or_default(),
                    verdict,
                    neutralise(
                        d.and_then(|d| d.undefined.as_deref())
                            .unwrap_or(if x.suppressed {
                                "suppressed: group below the minimum size"
                            } else {
                                ""
                            }),
                    ),
                ])
                .map_err(failed(what))?;
            }
        }
    }
    finish(w, what)
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
