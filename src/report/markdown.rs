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

use crate::report::format::{count, human, percent};
use crate::report::table::{SHOWN, SHOWN_RATIOS};
use crate::results::{GroupResult, GroupingResult, Results};

/// A section of the report: appends its Markdown, ending with a blank line.
type Section = fn(&Results, &mut String);

/// The sections in reading order. A "Findings" section (the verdicts, when
/// the audit policy produces them) belongs after `data_and_cohort`: the
/// committee reads the conclusions before the tables behind them.
const SECTIONS: &[Section] = &[title, scope, data_and_cohort, group_tables, notes, caveats];

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
        r.groupings
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

fn group_tables(r: &Results, out: &mut String) {
    out.push_str("## Results by group\n\n");
    out.push_str("How to read the tables:\n\n");
    for (name, short) in SHOWN {
        if let Some(m) = r.metrics.iter().find(|m| m.name == *name) {
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
        "- **× ref**: the group's rate divided by the reference group's; 1.00 is parity, \
         2.00 twice the reference group's rate.\n",
    );
    out.push_str("- **n/a**: undefined (a zero denominator); see the caveats.\n\n");

    out.push_str("### Everyone in the cohort\n\n");
    header(out, false);
    row(out, "everyone", &r.overall, false, r.audit.min_group_size);
    out.push('\n');

    for g in &r.groupings {
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
        let ratios = g.reference.is_some();
        header(out, ratios);
        for x in &g.groups {
            row(out, &group_name(g, x), x, ratios, r.audit.min_group_size);
        }
        out.push('\n');
    }
}

fn header(out: &mut String, ratios: bool) {
    let mut cols: Vec<&str> = vec!["group", "n"];
    cols.extend(SHOWN.iter().map(|(_, h)| *h));
    let mut align: Vec<&str> = vec!["---"];
    align.extend(std::iter::repeat_n("---:", cols.len() - 1));
    if ratios {
        let ratio_cols: Vec<String> = SHOWN_RATIOS
            .iter()
            .map(|(_, h)| h.replace("×ref", "× ref"))
            .collect();
        let _ = writeln!(out, "| {} | {} |", cols.join(" | "), ratio_cols.join(" | "));
        align.extend(std::iter::repeat_n("---:", SHOWN_RATIOS.len()));
    } else {
        let _ = writeln!(out, "| {} |", cols.join(" | "));
    }
    let _ = writeln!(out, "|{}|", align.join("|"));
}

fn row(out: &mut String, name: &str, g: &GroupResult, ratios: bool, min: u64) {
    let mut cells = vec![name.to_string()];
    let width = SHOWN.len() + if ratios { SHOWN_RATIOS.len() } else { 0 };
    if g.suppressed {
        cells.push(format!("suppressed (< {})", count(min)));
        cells.extend(std::iter::repeat_n("—".to_string(), width));
    } else {
        cells.push(g.n.map(count).unwrap_or_default());
        cells.extend(SHOWN.iter().map(|(m, _)| percent(g.metric(m))));
        if ratios {
            cells.extend(SHOWN_RATIOS.iter().map(|(m, _)| {
                if g.reference {
                    "ref".to_string()
                } else {
                    human(g.disparities.get(*m).and_then(|d| d.ratio), 2)
                }
            }));
        }
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
        .groupings
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
        .groupings
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
    let undefined = undefined_values(r);
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
    let ranges = base_rate_ranges(r);
    if !ranges.is_empty() {
        let _ = writeln!(
            out,
            "- **Trade-offs.** The groups' base rates differ ({}). When they do, no model can have \
             equal false positive rates, equal false negative rates and equal precision at once \
             (Chouldechova 2017; Kleinberg, Mullainathan and Raghavan 2017): the tables show which of \
             these this model equalised. For a punitive intervention, false positives weigh most; \
             for an assistive one, false negatives.",
            ranges.join("; ")
        );
    }
    out.push_str(
        "- **Rounding.** Rates are percentages rounded to one decimal and ratios to two, each from \
         the full value; `results.json` and `metrics.csv` hold full precision.\n\n",
    );
}

/// Each n/a in the tables, with its reason, in table order.
fn undefined_values(r: &Results) -> Vec<String> {
    let mut out = Vec::new();
    let mut scan = |where_: String, g: &GroupResult, ratios: bool| {
        if g.suppressed {
            return;
        }
        for (m, short) in SHOWN {
            if let Some(v) = g.metrics.get(*m)
                && v.value.is_none()
            {
                out.push(format!(
                    "{where_}: {short}: {}",
                    text(v.undefined.as_deref().unwrap_or("undefined"))
                ));
            }
        }
        if ratios && !g.reference {
            for (m, short) in SHOWN_RATIOS {
                if let Some(d) = g.disparities.get(*m)
                    && d.ratio.is_none()
                {
                    out.push(format!(
                        "{where_}: {}: {}",
                        short.replace("×ref", "× ref"),
                        text(d.undefined.as_deref().unwrap_or("undefined"))
                    ));
                }
            }
        }
    };
    scan("everyone".to_string(), &r.overall, false);
    for g in &r.groupings {
        for x in &g.groups {
            scan(
                format!("{} / {}", text(&g.attributes.join(" × ")), group_name(g, x)),
                x,
                g.reference.is_some(),
            );
        }
    }
    out
}

/// For each single characteristic with two or more published base rates
/// that differ, the range, e.g. `by race, 25.8% to 52.3%`.
fn base_rate_ranges(r: &Results) -> Vec<String> {
    r.groupings
        .iter()
        .filter(|g| g.attributes.len() == 1)
        .filter_map(|g| {
            let rates: Vec<f64> = g
                .groups
                .iter()
                .filter_map(|x| x.metric("base_rate"))
                .collect();
            let lo = rates.iter().copied().reduce(f64::min)?;
            let hi = rates.iter().copied().reduce(f64::max)?;
            (percent(Some(lo)) != percent(Some(hi))).then(|| {
                format!(
                    "by {}, from {} to {}",
                    text(&g.name),
                    percent(Some(lo)),
                    percent(Some(hi))
                )
            })
        })
        .collect()
}

/// A group's name for people: its levels joined with `×` in an
/// intersection, escaped.
fn group_name(g: &GroupingResult, x: &GroupResult) -> String {
    if g.attributes.len() > 1 && x.levels.len() == g.attributes.len() {
        text(&x.levels.join(" × "))
    } else {
        text(&x.label)
    }
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
