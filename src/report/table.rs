//! The terminal summary: key rates per group with their intervals, each
//! group's primary disparities against its reference with a verdict, then
//! the findings, the trade-off, coverage notes and the overall verdict.

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{Cell, CellAlignment, ContentArrangement, Table};

use crate::number::{count, human};

use super::names;
use crate::metric::MetricId;
use crate::results::{GroupResult, MetricValue, Results};

fn with_ci(v: Option<&MetricValue>) -> String {
    match v {
        None => "n/a".to_string(),
        Some(m) => match (m.value, m.ci_low, m.ci_high) {
            (Some(x), Some(lo), Some(hi)) => format!(
                "{} [{}, {}]",
                human(Some(x), 3),
                human(Some(lo), 3),
                human(Some(hi), 3)
            ),
            (x, _, _) => human(x, 3),
        },
    }
}

fn right(text: impl Into<String>) -> Cell {
    Cell::new(text.into()).set_alignment(CellAlignment::Right)
}

fn rates_row(label: &str, g: &GroupResult, min: u64) -> Vec<Cell> {
    let mut cells = vec![Cell::new(if g.reference {
        format!("{label} (ref)")
    } else {
        label.to_string()
    })];
    if g.suppressed {
        cells.push(right(format!("< {min}")));
        cells.extend(
            MetricId::shown()
                .iter()
                .map(|_| Cell::new("suppressed").set_alignment(CellAlignment::Center)),
        );
        return cells;
    }
    cells.push(right(g.n.map(count).unwrap_or_default()));
    cells.extend(
        MetricId::shown()
            .iter()
            .map(|(m, _)| right(with_ci(g.metrics.get(m)))),
    );
    cells
}

fn table(header: Vec<String>) -> Table {
    let mut t = Table::new();
    t.load_style(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Disabled)
        .set_header(header);
    t
}

/// The terminal summary as text.
pub fn render(results: &Results) -> Vec<u8> {
    let mut out = String::new();
    let r = &results.rows;
    let level = format!("{}%", results.uncertainty.level * 100.0);
    out.push_str(&format!("{}\n", results.audit.title));
    out.push_str(&format!(
        "rows: {} read, {} filtered out, {} rejected, {} used{}\n",
        count(r.read),
        count(r.filtered_out),
        count(r.rejected),
        count(r.used),
        if results.audit.weighted {
            " (metrics weighted)"
        } else {
            ""
        }
    ));
    out.push_str(&format!(
        "prediction: {}\ntruth: {}\n",
        results.audit.prediction, results.audit.truth
    ));
    out.push_str(&format!(
        "policy: {} intervention; primary metrics {}; ratio to reference within tolerance; {level} intervals ({})\n",
        results.policy.intervention,
        names(&results.policy.primary),
        results.uncertainty.proportion_interval
    ));
    let min = results.policy.min_group_size;
    let mut header = vec!["group".to_string(), "n".to_string()];
    header.extend(MetricId::shown().iter().map(|(_, h)| h.to_string()));
    let mut t = table(header.clone());
    t.add_row(rates_row("overall", results.overall(), min));
    out.push_str(&format!("\n{t}\n"));
    for g in results.groupings() {
        let reference = match &g.reference {
            Some(r) => format!("reference: {} ({})", r.group, r.rule),
            None => "no reference group".to_string(),
        };
        out.push_str(&format!("\n{} — {}\n", g.name, reference));
        let mut t = table(header.clone());
        for x in &g.groups {
            t.add_row(rates_row(&x.label, x, min));
        }
        out.push_str(&format!("{t}\n"));
        if g.reference.is_some() && g.groups.len() > 1 {
            let mut h = vec!["vs reference".to_string()];
            h.extend(
                results
                    .policy
                    .primary
                    .iter()
                    .map(|m| format!("{m} ratio [{level}]")),
            );
            let mut t = table(h);
            for x in g.groups.iter().filter(|x| !x.reference) {
                let mut row = vec![Cell::new(&x.label)];
                for m in &results.policy.primary {
                    let verdict = x.verdicts.get(m).map_or("", |v| v.verdict.name());
                    let text = match x.disparities.get(m) {
                        Some(d) if !x.suppressed => {
                            match (d.ratio, d.ratio_ci_low, d.ratio_ci_high) {
                                (Some(v), Some(lo), Some(hi)) => format!(
                                    "{} [{}, {}] {verdict}",
                                    human(Some(v), 2),
                                    human(Some(lo), 2),
                                    human(Some(hi), 2)
                                ),
                                (v, _, _) => format!("{} {verdict}", human(v, 2)),
                            }
                        }
                        _ => verdict.to_string(),
                    };
                    row.push(right(text));
                }
                t.add_row(row);
            }
            out.push_str(&format!("{t}\n"));
        }
    }
    if !results.findings.is_empty() {
        out.push_str("\nfindings:\n");
        for f in &results.findings {
            out.push_str(&format!("  - {}: {}\n", f.verdict.name(), f.text));
        }
    }
    for t in &results.tradeoffs {
        out.push_str(&format!("\ntrade-off ({}): {}\n", t.grouping, t.text));
    }
    out.push_str(&format!("\ncoverage: {}\n", results.coverage.text));
    if !results.warnings.is_empty() {
        out.push_str("\nwarnings:\n");
        for w in &results.warnings {
            out.push_str(&format!("  - {w}\n"));
        }
    }
    let v = &results.verdict;
    out.push_str(&format!(
        "\noverall verdict: {} ({} pass, {} fail, {} inconclusive, {} insufficient data){}\n",
        v.verdict.name().to_uppercase(),
        v.pass,
        v.fail,
        v.inconclusive,
        v.insufficient_data,
        if v.fails_audit {
            " — the audit fails its policy"
        } else {
            ""
        }
    ));
    out.into_bytes()
}
