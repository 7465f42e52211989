//! `report.md`: a readable summary of an audit for committee papers.
//!
//! The report is built from sections, one function each, in reading order
//! (`SECTIONS`), so that a section can be added without touching the
//! others. Numbers are rounded for reading through [`crate::report::format`]:
//! rates as percentages with one decimal, ratios with two; the pack's
//! `results.json` and `metrics.csv` hold them at full precision.
//!
//! Text that comes from the data or the spec (titles, group labels, filter
//! expressions) is escaped, so that a label cannot break a table, inject
//! HTML or make a link.

use std::fmt::Write as _;

use crate::metric::MetricId;
use crate::number::{count, human, percent};
use crate::results::{GroupResult, GroupingResult, Results};

/// A section of the report: appends its Markdown, ending with a blank line.
type Section = fn(&Results, &mut String);

/// The sections in reading order: the committee reads the conclusions
/// (verdict, findings, trade-off, coverage) before the tables behind them.
const SECTIONS: &[Section] = &[
    title,
    scope,
    data_and_cohort,
    findings,
    tradeoffs_and_coverage,
    group_tables,
    methods,
    notes,
    caveats,
];

/// At most this many undefined values are listed by name in the caveats;
/// `metrics.csv` lists them all.
const MAX_UNDEFINED_LISTED: usize = 20;

/// The report as Markdown bytes.
pub fn render(results: &Results) -> Vec<u8> {
    let mut out = String::new();
    for section in SECTIONS {
        section(results, &mut out);
    }
    // Every section ends with a blank line; the file ends with one newline.
    while out.ends_with("\n\n") {
        out.pop();
    }
    out.into_bytes()
}

fn title(r: &Results, out: &mut String) {
    let _ = writeln!(out, "# {}\n", text(&r.audit.title));
    let _ = writeln!(
        out,
        "Fairness audit report written by {} {} (results schema version {}). \
         The numbers are those of `results.json` in the same audit pack, rounded for reading.\n",
        r.tool.name, r.tool.version, r.schema_version
    );
}

fn scope(r: &Results, out: &mut String) {
    let a = &r.audit;
    out.push_str("## Scope\n\n");
    let _ = writeln!(
        out,
        "- **Model decision (prediction):** {}. A positive prediction means the model flags the person.",
        text(&a.prediction)
    );
    let _ = writeln!(out, "- **Outcome (truth):** {}.", text(&a.truth));
    let _ = writeln!(
        out,
        "- **Input data:** {}.",
        a.inputs
            .iter()
            .map(|i| text(i))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let names = |single: bool| {
        r.groupings()
            .iter()
            .filter(|g| (g.attributes.len() == 1) == single)
            .map(|g| text(&g.attributes.join(" × ")))
            .collect::<Vec<_>>()
    };
    let (singles, crossed) = (names(true), names(false));
    let _ = write!(
        out,
        "- **Protected characteristics:** {}",
        if singles.is_empty() {
            "none".to_string()
        } else {
            singles.join(", ")
        }
    );
    if !crossed.is_empty() {
        let _ = write!(out, "; intersections: {}", crossed.join(", "));
    }
    out.push_str(".\n");
    let _ = writeln!(
        out,
        "- **Weights:** {}.",
        if a.weighted {
            "sample weights: every count and rate is weighted"
        } else {
            "none: each row counts once"
        }
    );
    let _ = writeln!(
        out,
        "- **Minimum group size:** {}; smaller groups are suppressed.",
        count(a.min_group_size)
    );
    let _ = writeln!(
        out,
        "- **Seed:** {}.\n",
        a.seed
            .map_or_else(|| "not set".to_string(), |s| s.to_string())
    );
}

fn data_and_cohort(r: &Results, out: &mut String) {
    let rows = &r.rows;
    out.push_str("## Data and cohort\n\n");
    out.push_str("| rows | count |\n|---|---:|\n");
    let _ = writeln!(out, "| read from the input | {} |", count(rows.read));
    let _ = writeln!(
        out,
        "| removed by the cohort filters | {} |",
        count(rows.filtered_out)
    );
    let _ = writeln!(out, "| rejected as invalid | {} |", count(rows.rejected));
    let _ = writeln!(
        out,
        "| **used in the audit** | **{}** |\n",
        count(rows.used)
    );
    if rows.filters.is_empty() {
        out.push_str("No cohort filters: every valid row is in the audit.\n\n");
    } else {
        out.push_str(
            "The cohort filters, in order (a row is counted against the first filter it fails):\n\n",
        );
        out.push_str("| filter | rows removed |\n|---|---:|\n");
        for f in &rows.filters {
            let _ = writeln!(out, "| {} | {} |", code(&f.filter), count(f.removed));
        }
        out.push('\n');
    }
    if !rows.rejections.is_empty() {
        out.push_str("Rows rejected as invalid, by reason:\n\n");
        out.push_str("| column | reason | rows |\n|---|---|---:|\n");
        for x in &rows.rejections {
            let _ = writeln!(
                out,
                "| {} | {} | {} |",
                code(&x.column),
                text(&x.reason),
                count(x.count)
            );
        }
        out.push('\n');
    }
}

fn findings(r: &Results, out: &mut String) {
    let v = &r.verdict;
    out.push_str("## Verdict and findings\n\n");
    let primary = super::names(&r.policy.primary);
    let _ = writeln!(
        out,
        "**Overall verdict: {}.** The policy treats the model as a {} intervention, so its primary metrics \
         are {primary}; each group is compared with its reference group, and a disparity passes when the \
         whole {}% interval of the ratio lies within the tolerance. Of {} comparisons, {} passed, {} failed, \
         {} were inconclusive and {} had insufficient data.{}\n",
        v.verdict.name().to_uppercase(),
        r.policy.intervention,
        human(Some(r.uncertainty.level * 100.0), 0),
        v.pass + v.fail + v.inconclusive + v.insufficient_data,
        v.pass,
        v.fail,
        v.inconclusive,
        v.insufficient_data,
        if v.fails_audit {
            " Under the policy, the audit fails."
        } else {
            ""
        }
    );
    if r.findings.is_empty() {
        out.push_str("No comparison failed or was inconclusive.\n\n");
        return;
    }
    for (kind, title) in [
        (crate::results::VerdictKind::Fail, "Failed"),
        (crate::results::VerdictKind::Inconclusive, "Inconclusive"),
    ] {
        let list: Vec<&crate::results::Finding> =
            r.findings.iter().filter(|f| f.verdict == kind).collect();
        if list.is_empty() {
            continue;
        }
        let _ = writeln!(out, "### {title} ({})\n", list.len());
        for f in list {
            let _ = writeln!(out, "- {}", text(&f.text));
        }
        out.push('\n');
    }
}

fn tradeoffs_and_coverage(r: &Results, out: &mut String) {
    if !r.tradeoffs.is_empty() {
        out.push_str("## Which kind of fairness the model achieves\n\n");
        for t in &r.tradeoffs {
            let _ = writeln!(out, "- **{}.** {}", text(&t.grouping), text(&t.text));
        }
        out.push('\n');
    }
    out.push_str("## What this audit could not examine\n\n");
    let _ = writeln!(out, "{}\n", text(&r.coverage.text));
}

fn methods(r: &Results, out: &mut String) {
    let u = &r.uncertainty;
    out.push_str("## Methods\n\n");
    let _ = writeln!(
        out,
        "- **Intervals ({}%):** rates by {}; ratios to the reference by {}; differences by {}.",
        human(Some(u.level * 100.0), 0),
        u.proportion_interval,
        u.ratio_interval,
        u.difference_interval
    );
    let _ = writeln!(
        out,
        "- **Tests:** {}; corrected within each grouping and metric by {}; significance level {} after correction.",
        u.test,
        u.correction.name(),
        r.policy.alpha
    );
    match &u.bootstrap {
        Some(b) => {
            let _ = writeln!(out, "- **Bootstrap:** {} replicates, seed {}, {}; percentile intervals for F1, balanced accuracy, treatment equality and the summary measures.", count(u64::from(b.replicates)), b.seed, b.resampling);
        }
        None => out.push_str("- **Bootstrap:** not run (no seed), so F1, balanced accuracy and treatment equality have no interval.\n"),
    }
    let tolerances: Vec<String> = r
        .policy
        .tolerances
        .iter()
        .map(|(m, t)| {
            let mut parts = Vec::new();
            if let Some([lo, hi]) = t.ratio {
                parts.push(format!("ratio {lo}–{hi}"));
            }
            if let Some(d) = t.difference {
                parts.push(format!("difference within ±{d}"));
            }
            format!("{m}: {}", parts.join(" and "))
        })
        .collect();
    let _ = writeln!(out, "- **Tolerances:** {}.", tolerances.join("; "));
    for n in &u.notes {
        let _ = writeln!(out, "- {}", text(n));
    }
    out.push('\n');
}

fn group_tables(r: &Results, out: &mut String) {
    out.push_str("## Results by group\n\n");
    out.push_str("How to read the tables:\n\n");
    for (name, short) in MetricId::shown() {
        if let Some(m) = r.metric_info(name) {
            // Name the metric once: "accuracy", not "accuracy (accuracy)".
            let name = if m.label.starts_with(short) {
                format!("**{}**", m.label)
            } else {
                format!("**{short}** ({})", m.label)
            };
            let _ = writeln!(out, "- {name}: {}.", m.meaning);
        }
    }
    out.push_str(
        "- **× ref**: the group's rate of a primary metric divided by the reference group's, with its \
         interval and verdict; 1.00 is parity, 2.00 twice the reference group's rate.\n",
    );
    out.push_str("- Rates are followed by their interval in brackets.\n");
    out.push_str("- **n/a**: undefined (a zero denominator); see the caveats.\n\n");

    out.push_str("### Everyone in the cohort\n\n");
    let primary: &[MetricId] = &r.policy.primary;
    header(out, &[]);
    row(out, "everyone", r.overall(), &[], r.audit.min_group_size);
    out.push('\n');

    for g in r.groupings() {
        let _ = write!(out, "### {}", text(&g.attributes.join(" × ")));
        match (&g.reference, g.groups.iter().find(|x| x.reference)) {
            (Some(reference), Some(x)) => {
                let _ = writeln!(
                    out,
                    " (reference group: {}, {})\n",
                    group_name(g, x),
                    text(&reference.rule)
                );
            }
            _ => out.push_str(" (no reference group)\n\n"),
        }
        let ratios: &[MetricId] = if g.reference.is_some() { primary } else { &[] };
        header(out, ratios);
        for x in &g.groups {
            row(out, &group_name(g, x), x, ratios, r.audit.min_group_size);
        }
        out.push('\n');
    }
}

fn header(out: &mut String, ratios: &[MetricId]) {
    let mut cols: Vec<String> = vec!["group".into(), "n".into()];
    cols.extend(MetricId::shown().iter().map(|(_, h)| h.to_string()));
    cols.extend(ratios.iter().map(|m| format!("{m} × ref")));
    let mut align: Vec<&str> = vec!["---"];
    align.extend(std::iter::repeat_n("---:", cols.len() - 1));
    let _ = writeln!(out, "| {} |", cols.join(" | "));
    let _ = writeln!(out, "|{}|", align.join("|"));
}

fn rate(g: &GroupResult, m: MetricId) -> String {
    match g.metrics.get(&m) {
        Some(v) => match (v.value, v.ci_low, v.ci_high) {
            (Some(x), Some(lo), Some(hi)) => format!(
                "{} [{}–{}]",
                percent(Some(x)),
                human(Some(lo * 100.0), 1),
                human(Some(hi * 100.0), 1)
            ),
            (x, _, _) => percent(x),
        },
        None => "n/a".to_string(),
    }
}

fn row(out: &mut String, name: &str, g: &GroupResult, ratios: &[MetricId], min: u64) {
    let mut cells = vec![name.to_string()];
    if g.suppressed {
        cells.push(format!("suppressed (< {})", count(min)));
        cells.extend(std::iter::repeat_n(
            "—".to_string(),
            MetricId::shown().len(),
        ));
        cells.extend(ratios.iter().map(|m| {
            g.verdicts
                .get(m)
                .map_or("—".to_string(), |v| v.verdict.name().to_string())
        }));
    } else {
        cells.push(g.n.map(count).unwrap_or_default());
        cells.extend(MetricId::shown().iter().map(|(m, _)| rate(g, *m)));
        cells.extend(ratios.iter().map(|m| {
            if g.reference {
                return "ref".to_string();
            }
            let d = g.disparities.get(m);
            let ratio = d.and_then(|d| d.ratio);
            let ci = match (
                d.and_then(|d| d.ratio_ci_low),
                d.and_then(|d| d.ratio_ci_high),
            ) {
                (Some(lo), Some(hi)) => format!(" [{}–{}]", human(Some(lo), 2), human(Some(hi), 2)),
                _ => String::new(),
            };
            let verdict = g
                .verdicts
                .get(m)
                .map_or(String::new(), |v| format!(" {}", v.verdict.name()));
            format!("{}{ci}{verdict}", human(ratio, 2))
        }));
    }
    let _ = writeln!(out, "| {} |", cells.join(" | "));
}

fn notes(r: &Results, out: &mut String) {
    out.push_str("## Notes\n\n");
    let mut any = false;
    for w in &r.warnings {
        let _ = writeln!(out, "- {}", text(w));
        any = true;
    }
    for g in r
        .groupings()
        .iter()
        .filter(|g| !g.empty_combinations.is_empty())
    {
        let _ = writeln!(
            out,
            "- {}: no one in the data belongs to {}.",
            text(&g.attributes.join(" × ")),
            g.empty_combinations
                .iter()
                .map(|c| text(&c.replace('|', " × ")))
                .collect::<Vec<_>>()
                .join("; ")
        );
        any = true;
    }
    if !any {
        out.push_str("None.\n");
    }
    out.push('\n');
}

fn caveats(r: &Results, out: &mut String) {
    let min = count(r.audit.min_group_size);
    out.push_str("## Caveats\n\n");
    let suppressed: usize = r
        .groupings()
        .iter()
        .map(|g| g.groups.iter().filter(|x| x.suppressed).count())
        .sum();
    if suppressed > 0 {
        let _ = writeln!(
            out,
            "- **Suppressed groups.** {suppressed} group(s) have fewer than {min} people: their numbers \
             are withheld and no conclusion is drawn about them. Withholding is not always enough: a \
             suppressed group's counts can sometimes be worked out by subtracting the published groups \
             from the total, or from another table (secondary disclosure). Check for this before \
             publishing beyond the committee."
        );
    } else {
        let _ = writeln!(
            out,
            "- **Small groups.** No group has fewer than {min} people, but the rates of small groups \
             still rest on few people and can move a lot with a handful of cases."
        );
    }
    let _ = writeln!(
        out,
        "- **What the outcome measures.** The outcome ({}) is what was recorded, not necessarily what \
         happened: where policing itself differs between groups, the record carries that difference. \
         An audit against the record measures parity with the record.",
        text(&r.audit.truth)
    );
    let undefined: Vec<String> = super::undefined_values(r)
        .iter()
        .map(|u| {
            format!(
                "{}: {}: {}",
                text(&u.place),
                text(&u.column),
                text(&u.reason)
            )
        })
        .collect();
    if undefined.is_empty() {
        out.push_str("- **Undefined values.** Every value in the tables is defined.\n");
    } else {
        let _ = writeln!(
            out,
            "- **Undefined values.** {} value(s) in the tables are n/a because their denominator is zero:",
            undefined.len()
        );
        for u in undefined.iter().take(MAX_UNDEFINED_LISTED) {
            let _ = writeln!(out, "  - {u}");
        }
        if undefined.len() > MAX_UNDEFINED_LISTED {
            let _ = writeln!(
                out,
                "  - and {} more (see `metrics.csv` and `disparities.csv`).",
                undefined.len() - MAX_UNDEFINED_LISTED
            );
        }
    }
    out.push_str(
        "- **Rounding.** Rates are percentages rounded to one decimal and ratios to two, each from \
         the full value; `results.json` and `metrics.csv` hold full precision.\n\n",
    );
}

/// A group's name for people, escaped.
fn group_name(g: &GroupingResult, x: &GroupResult) -> String {
    text(&super::display_name(g, x))
}

/// Text from the data or the spec, safe in running text and table cells:
/// characters that would open HTML, a link or emphasis, or split a table
/// cell, are backslash-escaped; line breaks become spaces.
fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' | '<' | '>' | '[' | ']' | '|' | '*' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

/// `s` as inline code, safe in a table cell. A code span cannot escape a
/// backtick, so a longer fence is used when `s` has one.
fn code(s: &str) -> String {
    let s = s.replace(['\n', '\r'], " ").replace('|', "\\|");
    if s.contains('`') {
        format!("`` {s} ``")
    } else {
        format!("`{s}`")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_text_is_escaped() {
        assert_eq!(text("a|b"), "a\\|b");
        assert_eq!(text("<img src=x>"), "\\<img src=x\\>");
        assert_eq!(text("[x](http://e)"), "\\[x\\](http://e)");
        assert_eq!(text("25 - 45"), "25 - 45");
        assert_eq!(text("two\nlines"), "two lines");
        assert_eq!(code("x == \"a|b\""), "`x == \"a\\|b\"`");
        assert_eq!(code("a`b"), "`` a`b ``");
    }
}
