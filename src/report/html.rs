//! `report.html`: the committee report as one self-contained web page.
//!
//! The page has the sections of `report.md` ([`crate::report::markdown`]),
//! in the same order, and adds a forest plot for each grouping with a
//! reference group and each primary metric: every group's ratio to the
//! reference group as a marker, its interval as a line, on a log scale (so
//! that half and double the reference rate are equally far from parity),
//! over the policy's tolerance band.
//!
//! A committee reads the page away from any network, and a pack hashes it
//! and `verify` renders it again, so:
//!
//! * everything is inline: CSS and SVG, no script, no font, no image, and
//!   no address outside the page (a Content-Security-Policy says so to the
//!   browser as well, in case a string slipped through unescaped);
//! * the bytes depend on the results alone: no time, and element ids are
//!   counters;
//! * every string from the data or the spec (titles, group labels, filters,
//!   column names) is escaped for HTML (`&`, `<`, `>`, `"` and `'`), in text
//!   and attributes alike, so that a label cannot open an element or end an
//!   attribute;
//! * a verdict is told by a word and a shape as well as a colour (● pass,
//!   ■ fail, ▲ inconclusive, ○ insufficient data), so that the page reads in
//!   grey print and for readers who do not tell red from green.
//!
//! Numbers go through [`crate::report::format`] as in `report.md`: rates as
//! percentages with one decimal, ratios with two; `results.json` holds them
//! at full precision. The file has one element per line or so, so that
//! `verify` can name the line where a re-rendered page first differs.

use std::fmt::Write as _;

use crate::metric::MetricId;
use crate::number::{count, human, machine, percent};
use crate::results::VerdictKind;
use crate::results::{DisparityValue, GroupResult, GroupingResult, Results};

/// A section of the page: appends its HTML.
type Section = fn(&Results, &mut String);

/// The sections in reading order, as in `report.md`: the committee reads
/// the conclusions (verdict, findings, trade-off, coverage) before the
/// tables and charts behind them.
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

/// At most this many undefined values are listed by name in the caveats,
/// as in `report.md`; `metrics.csv` lists them all.
const MAX_UNDEFINED_LISTED: usize = 20;

/// The style sheet. Colours are the Okabe–Ito palette, darkened until text
/// in them has a contrast of at least 4.5:1 on white; `print-color-adjust`
/// keeps the tolerance band and the markers when printed.
const CSS: &str = r#":root {
  --ink: #1b1b1b; --muted: #595959; --rule: #d0d0d0; --shade: #f3f3f1;
  --band: #d9eee4; --band-edge: #5f9c83;
  --pass: #00735a; --fail: #b53a00; --inconclusive: #8a5c00; --insufficient: #5f5f5f;
}
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: #fff;
  font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Liberation Sans", "DejaVu Sans", sans-serif; }
main { max-width: 58rem; margin: 0 auto; padding: 2rem 1.25rem 4rem; }
h1 { font-size: 1.8rem; line-height: 1.25; margin: 0 0 .5rem; }
h2 { font-size: 1.35rem; line-height: 1.3; margin: 2.5rem 0 .75rem; padding-bottom: .2rem; border-bottom: 2px solid var(--ink); }
h3 { font-size: 1.1rem; line-height: 1.3; margin: 1.75rem 0 .5rem; }
h4 { font-size: 1rem; margin: 1.25rem 0 .25rem; }
p, ul { margin: .5rem 0 1rem; }
li { margin: .3rem 0; }
code { font-family: ui-monospace, "SF Mono", Menlo, Consolas, "Liberation Mono", "DejaVu Sans Mono", monospace;
  font-size: .88em; background: var(--shade); padding: 0 .2em; border-radius: 3px; overflow-wrap: anywhere; }
.lede, .muted { color: var(--muted); }
nav { font-size: .9rem; margin: 1rem 0; }
nav a { color: inherit; }
.k-pass { --c: var(--pass); }
.k-fail { --c: var(--fail); }
.k-inconclusive { --c: var(--inconclusive); }
.k-insufficient { --c: var(--insufficient); }
.banner { border: 2px solid var(--c); border-left-width: .6rem; padding: .6rem .9rem; margin: 1.25rem 0; font-size: 1.1rem; }
.banner strong { color: var(--c); }
.v { color: var(--c); font-weight: 600; white-space: nowrap; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; margin: .5rem 0 1.25rem; font-size: .9rem; font-variant-numeric: tabular-nums; }
th, td { padding: .35rem .6rem; border-bottom: 1px solid var(--rule); text-align: left; vertical-align: top; }
thead th { border-bottom: 2px solid var(--ink); vertical-align: bottom; font-weight: 600; }
th.num, td.num { text-align: right; }
th.num { white-space: nowrap; }
td.num { white-space: nowrap; }
th .sub { display: block; font-weight: 400; color: var(--muted); }
td .ci { display: block; color: var(--muted); font-size: .82em; }
td .v { display: block; font-size: .85em; }
tr.total td { font-weight: 600; border-top: 2px solid var(--ink); }
tbody th { font-weight: 400; }
tr.ref th, tr.ref td { background: var(--shade); }
.tag { display: inline-block; font-size: .75em; font-weight: 600; text-transform: uppercase; letter-spacing: .04em;
  color: var(--muted); border: 1px solid var(--rule); border-radius: 3px; padding: 0 .3em; margin-left: .3em; }
td.suppressed { color: var(--muted); font-style: italic; }
.na { color: var(--muted); }
.key { display: flex; flex-wrap: wrap; gap: .4rem 1.4rem; padding: 0; list-style: none; }
.key li { margin: 0; }
figure { margin: 1rem 0 1.75rem; }
figcaption { font-weight: 600; margin-bottom: .3rem; }
figcaption .muted { font-weight: 400; }
svg.forest { display: block; width: 100%; min-width: 600px; max-width: 820px; height: auto; }
svg.forest text { font-size: 12px; fill: var(--ink); font-variant-numeric: tabular-nums; }
svg.forest .head, svg.forest .axis-title { fill: var(--muted); }
svg.forest .tick-label { font-size: 11px; fill: var(--muted); }
svg.forest .band { fill: var(--band); }
svg.forest .band-label { font-size: 11px; fill: #2f6b53; }
svg.forest .zebra { fill: #f7f7f5; }
svg.forest .grid { stroke: #e2e2e2; stroke-width: 1; }
svg.forest .parity { stroke: var(--ink); stroke-width: 1.5; }
svg.forest .axis { stroke: var(--ink); stroke-width: 1; }
svg.forest .ci { stroke: var(--c); stroke-width: 2.5; }
svg.forest .mark, svg.forest .clip { fill: var(--c); }
svg.forest .hollow { fill: #fff; stroke: var(--c); stroke-width: 1.5; }
svg.forest .vtext { fill: var(--c); font-weight: 600; }
svg.forest .note { fill: var(--muted); font-style: italic; }
@page { size: A4; margin: 15mm 14mm 16mm; }
@media print {
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  body { font-size: 10pt; }
  main { max-width: none; padding: 0; }
  nav { display: none; }
  h2, h3, h4 { break-after: avoid; }
  figure, tr, .banner { break-inside: avoid; }
  .scroll { overflow: visible; }
  svg.forest { min-width: 0; }
  table { font-size: 8.5pt; }
}
"#;

/// The report as HTML bytes.
pub fn render(results: &Results) -> Vec<u8> {
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n\
         <meta name=\"generator\" content=\"{} {}\">\n<title>{}</title>\n<style>\n{CSS}</style>\n\
         </head>\n<body>\n<main>\n",
        esc(&results.tool.name),
        esc(&results.tool.version),
        esc(&results.audit.title)
    );
    for section in SECTIONS {
        section(results, &mut out);
    }
    out.push_str("</main>\n</body>\n</html>\n");
    out.into_bytes()
}

fn title(r: &Results, out: &mut String) {
    let v = &r.verdict;
    let _ = writeln!(out, "<header>\n<h1>{}</h1>", esc(&r.audit.title));
    let _ = writeln!(
        out,
        "<p class=\"lede\">Fairness audit report written by {} {} (results schema version {}). \
         The numbers are those of <code>results.json</code> in the same audit pack, rounded for reading.</p>",
        esc(&r.tool.name),
        esc(&r.tool.version),
        r.schema_version
    );
    // The verdict first, as the committee asks for it first; the findings
    // section below says what it rests on.
    let _ = writeln!(
        out,
        "<p class=\"banner {}\"><span aria-hidden=\"true\">{}</span> Overall verdict: <strong>{}</strong> \
         ({} pass, {} fail, {} inconclusive, {} insufficient data){}</p>",
        kind_class(v.verdict),
        shape(v.verdict),
        v.verdict.name().to_uppercase(),
        v.pass,
        v.fail,
        v.inconclusive,
        v.insufficient_data,
        if v.fails_audit {
            ": under the policy, the audit fails."
        } else {
            "."
        }
    );
    out.push_str("<nav aria-label=\"Contents\">Contents: <a href=\"#scope\">Scope</a> · ");
    out.push_str(
        "<a href=\"#data\">Data and cohort</a> · <a href=\"#findings\">Verdict and findings</a> · ",
    );
    if !r.tradeoffs.is_empty() {
        out.push_str("<a href=\"#tradeoffs\">Which kind of fairness</a> · ");
    }
    out.push_str(
        "<a href=\"#coverage\">Not examined</a> · <a href=\"#groups\">Results by group</a> · ",
    );
    out.push_str("<a href=\"#methods\">Methods</a> · <a href=\"#notes\">Notes</a> · <a href=\"#caveats\">Caveats</a></nav>\n");
    out.push_str("</header>\n");
}

fn scope(r: &Results, out: &mut String) {
    let a = &r.audit;
    out.push_str("<section id=\"scope\">\n<h2>Scope</h2>\n<ul>\n");
    let _ = writeln!(
        out,
        "<li><strong>Model decision (prediction):</strong> {}. A positive prediction means the model flags the person.</li>",
        prose(&a.prediction)
    );
    let _ = writeln!(
        out,
        "<li><strong>Outcome (truth):</strong> {}.</li>",
        prose(&a.truth)
    );
    let _ = writeln!(
        out,
        "<li><strong>Input data:</strong> {}.</li>",
        a.inputs
            .iter()
            .map(|i| esc(i))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let names = |single: bool| {
        r.groupings()
            .iter()
            .filter(|g| (g.attributes.len() == 1) == single)
            .map(|g| esc(&g.attributes.join(" × ")))
            .collect::<Vec<_>>()
    };
    let (singles, crossed) = (names(true), names(false));
    let _ = write!(
        out,
        "<li><strong>Protected characteristics:</strong> {}",
        if singles.is_empty() {
            "none".to_string()
        } else {
            singles.join(", ")
        }
    );
    if !crossed.is_empty() {
        let _ = write!(out, "; intersections: {}", crossed.join(", "));
    }
    out.push_str(".</li>\n");
    let _ = writeln!(
        out,
        "<li><strong>Weights:</strong> {}.</li>",
        if a.weighted {
            "sample weights: every count and rate is weighted"
        } else {
            "none: each row counts once"
        }
    );
    let _ = writeln!(
        out,
        "<li><strong>Minimum group size:</strong> {}; smaller groups are suppressed.</li>",
        count(a.min_group_size)
    );
    let _ = writeln!(
        out,
        "<li><strong>Seed:</strong> {}.</li>",
        a.seed
            .map_or_else(|| "not set".to_string(), |s| s.to_string())
    );
    out.push_str("</ul>\n</section>\n");
}

fn data_and_cohort(r: &Results, out: &mut String) {
    let rows = &r.rows;
    out.push_str("<section id=\"data\">\n<h2>Data and cohort</h2>\n");
    out.push_str(
        "<table>\n<thead><tr><th scope=\"col\">rows</th><th scope=\"col\" class=\"num\">count</th></tr></thead>\n<tbody>\n",
    );
    for (what, n) in [
        ("read from the input", rows.read),
        ("removed by the cohort filters", rows.filtered_out),
        ("rejected as invalid", rows.rejected),
    ] {
        let _ = writeln!(
            out,
            "<tr><td>{what}</td><td class=\"num\">{}</td></tr>",
            count(n)
        );
    }
    let _ = writeln!(
        out,
        "<tr class=\"total\"><td>used in the audit</td><td class=\"num\">{}</td></tr>\n</tbody>\n</table>",
        count(rows.used)
    );
    if rows.filters.is_empty() {
        out.push_str("<p>No cohort filters: every valid row is in the audit.</p>\n");
    } else {
        out.push_str(
            "<p>The cohort filters, in order (a row is counted against the first filter it fails):</p>\n",
        );
        out.push_str("<table>\n<thead><tr><th scope=\"col\">filter</th><th scope=\"col\" class=\"num\">rows removed</th></tr></thead>\n<tbody>\n");
        for f in &rows.filters {
            let _ = writeln!(
                out,
                "<tr><td><code>{}</code></td><td class=\"num\">{}</td></tr>",
                esc(&f.filter),
                count(f.removed)
            );
        }
        out.push_str("</tbody>\n</table>\n");
    }
    if !rows.rejections.is_empty() {
        out.push_str("<p>Rows rejected as invalid, by reason:</p>\n");
        out.push_str("<table>\n<thead><tr><th scope=\"col\">column</th><th scope=\"col\">reason</th><th scope=\"col\" class=\"num\">rows</th></tr></thead>\n<tbody>\n");
        for x in &rows.rejections {
            let _ = writeln!(
                out,
                "<tr><td><code>{}</code></td><td>{}</td><td class=\"num\">{}</td></tr>",
                esc(&x.column),
                prose(&x.reason),
                count(x.count)
            );
        }
        out.push_str("</tbody>\n</table>\n");
    }
    out.push_str("</section>\n");
}

fn findings(r: &Results, out: &mut String) {
    let v = &r.verdict;
    out.push_str("<section id=\"findings\">\n<h2>Verdict and findings</h2>\n");
    let _ = writeln!(
        out,
        "<p><strong class=\"v {}\">Overall verdict: {}.</strong> The policy treats the model as a {} intervention, \
         so its primary metrics are {}; each group is compared with its reference group, and a disparity passes \
         when the whole {}% interval of the ratio lies within the tolerance. Of {} comparisons, {} passed, {} failed, \
         {} were inconclusive and {} had insufficient data.{}</p>",
        kind_class(v.verdict),
        v.verdict.name().to_uppercase(),
        esc(r.policy.intervention.name()),
        esc(&super::names(&r.policy.primary)),
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
        out.push_str("<p>No comparison failed or was inconclusive.</p>\n</section>\n");
        return;
    }
    for (kind, heading) in [
        (VerdictKind::Fail, "Failed"),
        (VerdictKind::Inconclusive, "Inconclusive"),
    ] {
        let list: Vec<&crate::results::Finding> =
            r.findings.iter().filter(|f| f.verdict == kind).collect();
        if list.is_empty() {
            continue;
        }
        let _ = writeln!(
            out,
            "<h3><span class=\"v {}\"><span aria-hidden=\"true\">{}</span> {heading}</span> ({})</h3>\n<ul>",
            kind_class(kind),
            shape(kind),
            list.len()
        );
        for f in list {
            let _ = writeln!(out, "<li>{}</li>", prose(&f.text));
        }
        out.push_str("</ul>\n");
    }
    out.push_str("</section>\n");
}

fn tradeoffs_and_coverage(r: &Results, out: &mut String) {
    if !r.tradeoffs.is_empty() {
        out.push_str(
            "<section id=\"tradeoffs\">\n<h2>Which kind of fairness the model achieves</h2>\n<ul>\n",
        );
        for t in &r.tradeoffs {
            let _ = writeln!(
                out,
                "<li><strong>{}.</strong> {}</li>",
                esc(&t.grouping),
                prose(&t.text)
            );
        }
        out.push_str("</ul>\n</section>\n");
    }
    out.push_str("<section id=\"coverage\">\n<h2>What this audit could not examine</h2>\n");
    let _ = writeln!(out, "<p>{}</p>\n</section>", prose(&r.coverage.text));
}

fn group_tables(r: &Results, out: &mut String) {
    let level = human(Some(r.uncertainty.level * 100.0), 0);
    out.push_str("<section id=\"groups\">\n<h2>Results by group</h2>\n<p>How to read the tables:</p>\n<ul>\n");
    for (name, short) in MetricId::shown() {
        if let Some(m) = r.metric_info(name) {
            // Name the metric once: "accuracy", not "accuracy (accuracy)".
            let name = if m.label.starts_with(short) {
                format!("<strong>{}</strong>", esc(&m.label))
            } else {
                format!("<strong>{}</strong> ({})", esc(short), esc(&m.label))
            };
            let _ = writeln!(out, "<li>{name}: {}.</li>", prose(&m.meaning));
        }
    }
    out.push_str(
        "<li><strong>× ref</strong>: the group's rate of a primary metric divided by the reference group's, \
         with its interval and verdict; 1.00 is parity, 2.00 twice the reference group's rate.</li>\n",
    );
    out.push_str("<li>Rates are followed by their interval, in smaller type.</li>\n");
    out.push_str(
        "<li><strong>n/a</strong>: undefined (a zero denominator); see the caveats.</li>\n</ul>\n",
    );
    let _ = writeln!(
        out,
        "<p>The charts show the same ratios: one row per group, the marker at the ratio to the reference group and \
         the line across its {level}% interval, on a log scale, so that half and double the reference group's rate \
         are equally far from parity (the vertical line at 1). The shaded band is the policy's tolerance; an arrow at \
         the edge of a chart marks an interval (or a ratio) that runs beyond it. Verdicts are shown by shape and word \
         as well as colour:</p>"
    );
    out.push_str("<ul class=\"key\">\n");
    for (kind, meaning) in [
        (
            VerdictKind::Pass,
            "the whole interval lies inside the tolerance",
        ),
        (
            VerdictKind::Fail,
            "the whole interval lies outside it, and the corrected test is significant",
        ),
        (VerdictKind::Inconclusive, "the data cannot tell"),
        (
            VerdictKind::InsufficientData,
            "a suppressed group, or an undefined value",
        ),
    ] {
        let _ = writeln!(out, "<li>{}: {meaning}</li>", badge(kind));
    }
    out.push_str("</ul>\n");

    out.push_str("<h3>Everyone in the cohort</h3>\n");
    rates_table(out, r, None, std::slice::from_ref(r.overall()), "everyone");

    let mut figure = 0;
    for g in r.groupings() {
        let _ = write!(
            out,
            "<section class=\"grouping\">\n<h3>{}",
            esc(&g.attributes.join(" × "))
        );
        let reference = g.groups.iter().find(|x| x.reference);
        match (&g.reference, reference) {
            (Some(rule), Some(x)) => {
                let _ = writeln!(
                    out,
                    " <span class=\"muted\">(reference group: {}, {})</span></h3>",
                    group_name(g, x),
                    esc(&rule.rule)
                );
            }
            _ => out.push_str(" <span class=\"muted\">(no reference group)</span></h3>\n"),
        }
        rates_table(out, r, Some(g), &g.groups, "");
        if let Some(reference) = reference.filter(|_| g.reference.is_some()) {
            ratios_table(out, r, g);
            // A chart of no rows would be an empty frame.
            if g.groups.len() > 1 {
                for m in &r.policy.primary {
                    figure += 1;
                    forest(out, r, g, reference, *m, figure);
                }
            }
        }
        out.push_str("</section>\n");
    }
    out.push_str("</section>\n");
}

/// The rates of `groups`: n and the [`MetricId::shown`] rates with their intervals.
/// `grouping` is `None` for the cohort as a whole, whose one row is named
/// `everyone`.
fn rates_table(
    out: &mut String,
    r: &Results,
    grouping: Option<&GroupingResult>,
    groups: &[GroupResult],
    everyone: &str,
) {
    out.push_str("<div class=\"scroll\">\n<table>\n<thead><tr><th scope=\"col\">group</th><th scope=\"col\" class=\"num\">n</th>");
    for (_, short) in MetricId::shown() {
        let _ = write!(out, "<th scope=\"col\" class=\"num\">{}</th>", esc(short));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    let min = count(r.audit.min_group_size);
    for x in groups {
        let name = grouping.map_or_else(|| esc(everyone), |g| group_name(g, x));
        let _ = write!(
            out,
            "<tr{}><th scope=\"row\">{name}{}</th>",
            if x.reference { " class=\"ref\"" } else { "" },
            if x.reference {
                "<span class=\"tag\">ref</span>"
            } else {
                ""
            }
        );
        if x.suppressed {
            let _ = writeln!(
                out,
                "<td class=\"suppressed\" colspan=\"{}\">suppressed (fewer than {min} people): numbers withheld</td></tr>",
                MetricId::shown().len() + 1
            );
            continue;
        }
        let _ = write!(
            out,
            "<td class=\"num\">{}</td>",
            x.n.map(count).unwrap_or_default()
        );
        for (m, _) in MetricId::shown() {
            let _ = write!(out, "<td class=\"num\">{}</td>", rate(x, m));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n</div>\n");
}

/// Each group's primary-metric ratios to the reference group, with their
/// intervals and verdicts.
fn ratios_table(out: &mut String, r: &Results, g: &GroupingResult) {
    out.push_str("<div class=\"scroll\">\n<table>\n<thead><tr><th scope=\"col\">group</th>");
    for m in &r.policy.primary {
        let _ = write!(
            out,
            "<th scope=\"col\" class=\"num\">{}<span class=\"sub\">× ref</span></th>",
            esc(&metric_label(r, *m))
        );
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for x in &g.groups {
        let _ = write!(
            out,
            "<tr{}><th scope=\"row\">{}{}</th>",
            if x.reference { " class=\"ref\"" } else { "" },
            group_name(g, x),
            if x.reference {
                "<span class=\"tag\">ref</span>"
            } else {
                ""
            }
        );
        for m in &r.policy.primary {
            let verdict = x
                .verdicts
                .get(m)
                .map_or(String::new(), |v| badge(v.verdict));
            let cell = if x.reference {
                "<span class=\"muted\">reference</span>".to_string()
            } else if x.suppressed {
                format!("<span class=\"muted\">suppressed</span>{verdict}")
            } else {
                let d = x.disparities.get(m);
                let ratio = d.and_then(|d| d.ratio);
                let ci = match d.map(|d| (d.ratio_ci_low, d.ratio_ci_high)) {
                    Some((Some(lo), Some(hi))) => format!(
                        "<span class=\"ci\">{}–{}</span>",
                        human(Some(lo), 2),
                        human(Some(hi), 2)
                    ),
                    _ => String::new(),
                };
                format!("{}{ci}{verdict}", na(human(ratio, 2)))
            };
            let _ = write!(out, "<td class=\"num\">{cell}</td>");
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n</div>\n");
}

fn rate(g: &GroupResult, m: MetricId) -> String {
    match g.metrics.get(&m) {
        Some(v) => match (v.value, v.ci_low, v.ci_high) {
            (Some(x), Some(lo), Some(hi)) => format!(
                "{}<span class=\"ci\">{}–{}</span>",
                percent(Some(x)),
                human(Some(lo * 100.0), 1),
                human(Some(hi * 100.0), 1)
            ),
            (x, _, _) => na(percent(x)),
        },
        None => na("n/a".to_string()),
    }
}

/// `n/a` set in the muted colour; any other text as it is.
fn na(text: String) -> String {
    if text == "n/a" {
        "<span class=\"na\">n/a</span>".to_string()
    } else {
        text
    }
}

fn methods(r: &Results, out: &mut String) {
    let u = &r.uncertainty;
    out.push_str("<section id=\"methods\">\n<h2>Methods</h2>\n<ul>\n");
    let _ = writeln!(
        out,
        "<li><strong>Intervals ({}%):</strong> rates by {}; ratios to the reference by {}; differences by {}.</li>",
        human(Some(u.level * 100.0), 0),
        esc(u.proportion_interval.name()),
        esc(u.ratio_interval.name()),
        esc(u.difference_interval.name())
    );
    let _ = writeln!(
        out,
        "<li><strong>Tests:</strong> {}; corrected within each grouping and metric by {}; significance level {} after correction.</li>",
        esc(&u.test),
        esc(u.correction.name()),
        machine(Some(r.policy.alpha))
    );
    match &u.bootstrap {
        Some(b) => {
            let _ = writeln!(
                out,
                "<li><strong>Bootstrap:</strong> {} replicates, seed {}, {}; percentile intervals for F1, balanced \
                 accuracy, treatment equality and the summary measures.</li>",
                count(u64::from(b.replicates)),
                b.seed,
                esc(&b.resampling)
            );
        }
        None => out.push_str(
            "<li><strong>Bootstrap:</strong> not run (no seed), so F1, balanced accuracy and treatment equality have no interval.</li>\n",
        ),
    }
    let tolerances: Vec<String> = r
        .policy
        .tolerances
        .iter()
        .map(|(m, t)| {
            let mut parts = Vec::new();
            if let Some([lo, hi]) = t.ratio {
                parts.push(format!("ratio {}–{}", machine(Some(lo)), machine(Some(hi))));
            }
            if let Some(d) = t.difference {
                parts.push(format!("difference within ±{}", machine(Some(d))));
            }
            format!("{}: {}", esc(m.name()), parts.join(" and "))
        })
        .collect();
    let _ = writeln!(
        out,
        "<li><strong>Tolerances:</strong> {}.</li>",
        tolerances.join("; ")
    );
    for n in &u.notes {
        let _ = writeln!(out, "<li>{}</li>", prose(n));
    }
    out.push_str("</ul>\n</section>\n");
}

fn notes(r: &Results, out: &mut String) {
    out.push_str("<section id=\"notes\">\n<h2>Notes</h2>\n");
    let mut items = Vec::new();
    for w in &r.warnings {
        items.push(prose(w));
    }
    for g in r
        .groupings()
        .iter()
        .filter(|g| !g.empty_combinations.is_empty())
    {
        items.push(format!(
            "{}: no one in the data belongs to {}.",
            esc(&g.attributes.join(" × ")),
            g.empty_combinations
                .iter()
                .map(|c| esc(&c.replace('|', " × ")))
                .collect::<Vec<_>>()
                .join("; ")
        ));
    }
    if items.is_empty() {
        out.push_str("<p>None.</p>\n");
    } else {
        out.push_str("<ul>\n");
        for i in items {
            let _ = writeln!(out, "<li>{i}</li>");
        }
        out.push_str("</ul>\n");
    }
    out.push_str("</section>\n");
}

fn caveats(r: &Results, out: &mut String) {
    let min = count(r.audit.min_group_size);
    out.push_str("<section id=\"caveats\">\n<h2>Caveats</h2>\n<ul>\n");
    let suppressed: usize = r
        .groupings()
        .iter()
        .map(|g| g.groups.iter().filter(|x| x.suppressed).count())
        .sum();
    if suppressed > 0 {
        let _ = writeln!(
            out,
            "<li><strong>Suppressed groups.</strong> {suppressed} group(s) have fewer than {min} people: their numbers \
             are withheld and no conclusion is drawn about them. Withholding is not always enough: a \
             suppressed group's counts can sometimes be worked out by subtracting the published groups \
             from the total, or from another table (secondary disclosure). Check for this before \
             publishing beyond the committee.</li>"
        );
    } else {
        let _ = writeln!(
            out,
            "<li><strong>Small groups.</strong> No group has fewer than {min} people, but the rates of small groups \
             still rest on few people and can move a lot with a handful of cases.</li>"
        );
    }
    let _ = writeln!(
        out,
        "<li><strong>What the outcome measures.</strong> The outcome ({}) is what was recorded, not necessarily what \
         happened: where policing itself differs between groups, the record carries that difference. \
         An audit against the record measures parity with the record.</li>",
        prose(&r.audit.truth)
    );
    let undefined: Vec<String> = super::undefined_values(r)
        .iter()
        .map(|u| {
            format!(
                "{}: {}: {}",
                esc(&u.place),
                esc(&u.column),
                prose(&u.reason)
            )
        })
        .collect();
    if undefined.is_empty() {
        out.push_str(
            "<li><strong>Undefined values.</strong> Every value in the tables is defined.</li>\n",
        );
    } else {
        let _ = writeln!(
            out,
            "<li><strong>Undefined values.</strong> {} value(s) in the tables are n/a because their denominator is zero:\n<ul>",
            undefined.len()
        );
        for u in undefined.iter().take(MAX_UNDEFINED_LISTED) {
            let _ = writeln!(out, "<li>{u}</li>");
        }
        if undefined.len() > MAX_UNDEFINED_LISTED {
            let _ = writeln!(
                out,
                "<li>and {} more (see <code>metrics.csv</code> and <code>disparities.csv</code>).</li>",
                undefined.len() - MAX_UNDEFINED_LISTED
            );
        }
        out.push_str("</ul></li>\n");
    }
    out.push_str(
        "<li><strong>Rounding.</strong> Rates are percentages rounded to one decimal and ratios to two, each from \
         the full value; <code>results.json</code> and <code>metrics.csv</code> hold full precision.</li>\n",
    );
    out.push_str("</ul>\n</section>\n");
}

// ---- forest plots -----------------------------------------------------------

/// Geometry of a forest plot, in SVG user units (CSS pixels at full size;
/// the page scales the chart down to fit narrower screens and A4).
const WIDTH: f64 = 820.0;
/// Height of a group's row.
const ROW: f64 = 24.0;
/// Above the rows: the column heads and the tolerance band's labels.
const TOP: f64 = 40.0;
/// Below the rows: the axis, its tick labels and its title.
const BOTTOM: f64 = 46.0;
/// Right of the plot: the ratio with its interval, and the verdict.
const RIGHT: f64 = 250.0;
/// Gap between the plot and the columns either side of it (room for an
/// arrowhead).
const GAP: f64 = 14.0;
/// An upper estimate of the width of a 12px character, to size the label
/// column without measuring text (which would depend on the reader's fonts).
const CHAR: f64 = 7.0;
/// Group labels longer than this are shortened with "…" in a chart (the
/// full label is in the tables, and in the chart as a tooltip).
const MAX_LABEL_CHARS: usize = 34;

/// Where a ratio falls on the chart: a log scale from `lo` to `hi` mapped
/// onto `x0..x1`.
struct Scale {
    lo: f64,
    hi: f64,
    x0: f64,
    x1: f64,
}

impl Scale {
    fn x(&self, v: f64) -> f64 {
        let t = (v.ln() - self.lo.ln()) / (self.hi.ln() - self.lo.ln());
        self.x0 + t * (self.x1 - self.x0)
    }

    fn contains(&self, v: f64) -> bool {
        v >= self.lo && v <= self.hi
    }
}

/// The range of a grouping's charts: the narrowest of a few symmetric-ish
/// steps that holds parity, every tolerance band, and every ratio and
/// interval end, but never wider than 0.1–10. Ratios and interval ends
/// beyond that are clamped and marked with an arrow; a tiny group's
/// interval would otherwise squash every other group into the middle. One
/// range serves all the primary metrics of a grouping, so that its charts
/// can be compared by eye.
fn domain(r: &Results, g: &GroupingResult) -> (f64, f64) {
    let (mut lo, mut hi) = (1.0_f64, 1.0_f64);
    let mut see = |v: f64| {
        if v > 0.0 && v.is_finite() {
            lo = lo.min(v);
            hi = hi.max(v);
        }
    };
    for m in &r.policy.primary {
        if let Some([a, b]) = r.policy.tolerances.get(m).and_then(|t| t.ratio) {
            see(a);
            see(b);
        }
        for x in g.groups.iter().filter(|x| !x.reference && !x.suppressed) {
            if let Some(d) = x.disparities.get(m) {
                for v in [d.ratio, d.ratio_ci_low, d.ratio_ci_high]
                    .into_iter()
                    .flatten()
                {
                    see(v);
                }
            }
        }
    }
    let low = [0.5, 0.25, 0.1]
        .into_iter()
        .find(|c| *c <= lo)
        .unwrap_or(0.1);
    let high = [2.0, 4.0, 10.0]
        .into_iter()
        .find(|c| *c >= hi)
        .unwrap_or(10.0);
    (low, high)
}

/// The labelled ticks of the axis: parity and the range's ends first, then
/// round values, each kept only if its label clears those already kept.
/// (The tolerance band's edges are labelled above the chart, where they
/// cannot collide with the label at 1.)
fn ticks(s: &Scale) -> Vec<f64> {
    let width = |t: f64| machine(Some(t)).len() as f64 * CHAR;
    let mut kept: Vec<f64> = Vec::new();
    for t in [1.0, s.lo, s.hi, 0.5, 2.0, 0.25, 4.0, 0.2, 5.0] {
        if !s.contains(t) || kept.contains(&t) {
            continue;
        }
        let clear = kept
            .iter()
            .all(|k| (s.x(*k) - s.x(t)).abs() >= (width(*k) + width(t)) / 2.0 + 8.0);
        if clear {
            kept.push(t);
        }
    }
    kept.sort_by(f64::total_cmp);
    kept
}

/// A coordinate, to one decimal: enough for any screen or printer.
fn px(v: f64) -> String {
    human(Some(v), 1)
}

/// The forest plot of metric `m` for grouping `g`: one row per group other
/// than the reference, in table order.
fn forest(
    out: &mut String,
    r: &Results,
    g: &GroupingResult,
    reference: &GroupResult,
    m: MetricId,
    figure: usize,
) {
    let level = human(Some(r.uncertainty.level * 100.0), 0);
    let rows: Vec<&GroupResult> = g.groups.iter().filter(|x| !x.reference).collect();
    let names: Vec<String> = rows.iter().map(|x| super::display_name(g, x)).collect();
    let longest = names
        .iter()
        .map(|n| n.chars().count().min(MAX_LABEL_CHARS))
        .max()
        .unwrap_or(0);
    let label_width = (longest as f64 * CHAR + 12.0).clamp(90.0, 250.0);
    let (lo, hi) = domain(r, g);
    let s = Scale {
        lo,
        hi,
        x0: label_width + GAP,
        x1: WIDTH - RIGHT - GAP,
    };
    let bottom_of_rows = TOP + rows.len() as f64 * ROW;
    let height = bottom_of_rows + BOTTOM;
    let band = r.policy.tolerances.get(&m).and_then(|t| t.ratio);
    let metric = metric_label(r, m);
    let reference_name = super::display_name(g, reference);
    let id = format!("fig-{figure}");

    let _ = writeln!(
        out,
        "<figure>\n<figcaption>{} <span class=\"muted\">({}): ratio to {}, with {level}% intervals{}</span></figcaption>",
        esc(&capitalised(&metric)),
        esc(m.name()),
        esc(&reference_name),
        match band {
            Some([a, b]) => format!("; tolerance {}–{}", machine(Some(a)), machine(Some(b))),
            None => "; the tolerance is a difference, not shown".to_string(),
        }
    );
    // The chart scrolls sideways on a narrow screen rather than shrinking
    // its text below reading size.
    out.push_str("<div class=\"scroll\">\n");
    let _ = writeln!(
        out,
        "<svg class=\"forest\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" role=\"img\" aria-labelledby=\"{id}-t {id}-d\">",
        w = px(WIDTH),
        h = px(height)
    );
    let _ = writeln!(
        out,
        "<title id=\"{id}-t\">{} of each {} group as a ratio to {}</title>",
        esc(&capitalised(&metric)),
        esc(&g.attributes.join(" × ")),
        esc(&reference_name)
    );
    let _ = writeln!(
        out,
        "<desc id=\"{id}-d\">Log scale from {} to {}; the vertical line marks parity (1){}. The table above gives the same numbers.</desc>",
        machine(Some(lo)),
        machine(Some(hi)),
        match band {
            Some([a, b]) => format!(
                "; the shaded band is the tolerance, {}–{}",
                machine(Some(a)),
                machine(Some(b))
            ),
            None => String::new(),
        }
    );

    // Backgrounds first, so that lines and markers are drawn over them.
    for i in (0..rows.len()).step_by(2) {
        let _ = writeln!(
            out,
            "<rect class=\"zebra\" x=\"0\" y=\"{}\" width=\"{}\" height=\"{}\"/>",
            px(TOP + i as f64 * ROW),
            px(WIDTH),
            px(ROW)
        );
    }
    if let Some([a, b]) = band {
        let (a, b) = (a.max(lo), b.min(hi));
        if a < b {
            let _ = writeln!(
                out,
                "<rect class=\"band\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"/>",
                px(s.x(a)),
                px(TOP),
                px(s.x(b) - s.x(a)),
                px(bottom_of_rows - TOP)
            );
            // Labels point away from the band, so that they cannot overlap
            // each other however narrow it is.
            let _ = writeln!(
                out,
                "<text class=\"band-label\" x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
                px(s.x(a) - 2.0),
                px(TOP - 6.0),
                machine(Some(a))
            );
            let _ = writeln!(
                out,
                "<text class=\"band-label\" x=\"{}\" y=\"{}\">{}</text>",
                px(s.x(b) + 2.0),
                px(TOP - 6.0),
                machine(Some(b))
            );
        }
    }
    let ticks = ticks(&s);
    for t in ticks.iter().filter(|t| **t != 1.0) {
        let _ = writeln!(
            out,
            "<line class=\"grid\" x1=\"{x}\" x2=\"{x}\" y1=\"{}\" y2=\"{}\"/>",
            px(TOP),
            px(bottom_of_rows),
            x = px(s.x(*t))
        );
    }
    let _ = writeln!(
        out,
        "<line class=\"parity\" x1=\"{x}\" x2=\"{x}\" y1=\"{}\" y2=\"{}\"/>",
        px(TOP - 2.0),
        px(bottom_of_rows),
        x = px(s.x(1.0))
    );
    let _ = writeln!(
        out,
        "<text class=\"head\" x=\"{}\" y=\"16\" text-anchor=\"end\">group</text>",
        px(label_width)
    );
    let _ = writeln!(
        out,
        "<text class=\"head\" x=\"{}\" y=\"16\">ratio [{level}% interval]</text>",
        px(s.x1 + GAP)
    );
    let _ = writeln!(
        out,
        "<text class=\"head\" x=\"{}\" y=\"16\" text-anchor=\"end\">verdict</text>",
        px(WIDTH - 4.0)
    );

    for (i, (x, name)) in rows.iter().zip(&names).enumerate() {
        let y = TOP + i as f64 * ROW + ROW / 2.0;
        forest_row(out, &s, x, name, m, y);
    }

    // The axis.
    let axis = bottom_of_rows + 4.0;
    let _ = writeln!(
        out,
        "<line class=\"axis\" x1=\"{}\" x2=\"{}\" y1=\"{a}\" y2=\"{a}\"/>",
        px(s.x0),
        px(s.x1),
        a = px(axis)
    );
    for t in &ticks {
        let x = px(s.x(*t));
        let _ = writeln!(
            out,
            "<line class=\"axis\" x1=\"{x}\" x2=\"{x}\" y1=\"{}\" y2=\"{}\"/>",
            px(axis),
            px(axis + 4.0)
        );
        let _ = writeln!(
            out,
            "<text class=\"tick-label\" x=\"{x}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
            px(axis + 16.0),
            machine(Some(*t))
        );
    }
    let _ = writeln!(
        out,
        "<text class=\"axis-title\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">ratio to {} (log scale)</text>",
        px((s.x0 + s.x1) / 2.0),
        px(axis + 34.0),
        esc(&shorten(&reference_name))
    );
    out.push_str("</svg>\n</div>\n</figure>\n");
}

/// One group's row of a forest plot, centred on `y`.
fn forest_row(out: &mut String, s: &Scale, x: &GroupResult, name: &str, m: MetricId, y: f64) {
    let verdict = x.verdicts.get(&m).map(|v| v.verdict);
    let kind = verdict.unwrap_or(VerdictKind::InsufficientData);
    let d = x.disparities.get(&m).filter(|_| !x.suppressed);
    let ratio = d.and_then(|d| d.ratio);
    let numbers = d.map_or(String::new(), ratio_text);
    let tooltip = if x.suppressed {
        format!("{name}: suppressed")
    } else {
        format!(
            "{name}: {}{}",
            numbers,
            verdict.map_or(String::new(), |v| format!(", {}", v.name()))
        )
    };
    let _ = writeln!(
        out,
        "<g class=\"{}\">\n<title>{}</title>",
        kind_class(kind),
        esc(&tooltip)
    );
    let _ = writeln!(
        out,
        "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
        px(s.x0 - GAP),
        px(y + 4.0),
        esc(&shorten(name))
    );
    let text_y = px(y + 4.0);
    if x.suppressed {
        let _ = writeln!(
            out,
            "<text class=\"note\" x=\"{}\" y=\"{text_y}\">suppressed</text>",
            px(s.x0 + 6.0)
        );
    } else if let Some(v) = ratio {
        let (mut clipped_low, mut clipped_high) = (false, false);
        if let Some((a, b)) = d.and_then(|d| d.ratio_ci_low.zip(d.ratio_ci_high)) {
            clipped_low = a < s.lo;
            clipped_high = b > s.hi;
            let (ca, cb) = (a.max(s.lo), b.min(s.hi));
            if ca < cb {
                let _ = writeln!(
                    out,
                    "<line class=\"ci\" x1=\"{}\" x2=\"{}\" y1=\"{y}\" y2=\"{y}\"/>",
                    px(s.x(ca)),
                    px(s.x(cb)),
                    y = px(y)
                );
            }
        }
        if s.contains(v) {
            marker(out, kind, s.x(v), y);
        } else if v < s.lo {
            clipped_low = true;
        } else {
            clipped_high = true;
        }
        if clipped_low {
            let _ = writeln!(
                out,
                "<polygon class=\"clip\" points=\"{},{} {},{} {},{}\"/>",
                px(s.x0 - 8.0),
                px(y),
                px(s.x0),
                px(y - 5.0),
                px(s.x0),
                px(y + 5.0)
            );
        }
        if clipped_high {
            let _ = writeln!(
                out,
                "<polygon class=\"clip\" points=\"{},{} {},{} {},{}\"/>",
                px(s.x1 + 8.0),
                px(y),
                px(s.x1),
                px(y - 5.0),
                px(s.x1),
                px(y + 5.0)
            );
        }
    } else {
        let _ = writeln!(
            out,
            "<text class=\"note\" x=\"{}\" y=\"{text_y}\">n/a (undefined)</text>",
            px(s.x0 + 6.0)
        );
    }
    if !x.suppressed {
        let _ = writeln!(
            out,
            "<text x=\"{}\" y=\"{text_y}\">{}</text>",
            px(s.x1 + GAP),
            esc(&numbers)
        );
    }
    if let Some(v) = verdict {
        let _ = writeln!(
            out,
            "<text class=\"vtext\" x=\"{}\" y=\"{text_y}\" text-anchor=\"end\">{}</text>",
            px(WIDTH - 4.0),
            v.name()
        );
    }
    out.push_str("</g>\n");
}

/// The marker of a verdict: a circle, a square, a triangle, or a hollow
/// circle, so that the verdict reads without colour.
fn marker(out: &mut String, kind: VerdictKind, cx: f64, cy: f64) {
    let _ = match kind {
        VerdictKind::Pass => writeln!(
            out,
            "<circle class=\"mark\" cx=\"{}\" cy=\"{}\" r=\"5\"/>",
            px(cx),
            px(cy)
        ),
        VerdictKind::Fail => writeln!(
            out,
            "<rect class=\"mark\" x=\"{}\" y=\"{}\" width=\"9\" height=\"9\"/>",
            px(cx - 4.5),
            px(cy - 4.5)
        ),
        VerdictKind::Inconclusive => writeln!(
            out,
            "<polygon class=\"mark\" points=\"{},{} {},{} {},{}\"/>",
            px(cx),
            px(cy - 6.0),
            px(cx + 5.5),
            px(cy + 4.0),
            px(cx - 5.5),
            px(cy + 4.0)
        ),
        VerdictKind::InsufficientData => writeln!(
            out,
            "<circle class=\"hollow\" cx=\"{}\" cy=\"{}\" r=\"4.5\"/>",
            px(cx),
            px(cy)
        ),
    };
}

/// `1.92 [1.71–2.17]`, or `n/a`.
fn ratio_text(d: &DisparityValue) -> String {
    match (d.ratio, d.ratio_ci_low, d.ratio_ci_high) {
        (Some(v), Some(lo), Some(hi)) => format!(
            "{} [{}–{}]",
            human(Some(v), 2),
            human(Some(lo), 2),
            human(Some(hi), 2)
        ),
        (v, _, _) => human(v, 2),
    }
}

// ---- words and escaping -----------------------------------------------------

fn kind_class(kind: VerdictKind) -> &'static str {
    match kind {
        VerdictKind::Pass => "k-pass",
        VerdictKind::Fail => "k-fail",
        VerdictKind::Inconclusive => "k-inconclusive",
        VerdictKind::InsufficientData => "k-insufficient",
    }
}

/// The shape of a verdict, as in the charts' markers.
fn shape(kind: VerdictKind) -> &'static str {
    match kind {
        VerdictKind::Pass => "●",
        VerdictKind::Fail => "■",
        VerdictKind::Inconclusive => "▲",
        VerdictKind::InsufficientData => "○",
    }
}

/// A verdict as shape and word, in its colour.
fn badge(kind: VerdictKind) -> String {
    format!(
        "<span class=\"v {}\"><span aria-hidden=\"true\">{}</span> {}</span>",
        kind_class(kind),
        shape(kind),
        kind.name()
    )
}

/// The registry's name for metric `m` (`false positive rate`), or `m`.
fn metric_label(r: &Results, m: MetricId) -> String {
    r.confusion
        .metrics
        .iter()
        .find(|x| x.name == m)
        .map_or_else(|| m.to_string(), |x| x.label.clone())
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map_or_else(String::new, |f| f.to_uppercase().chain(c).collect())
}

/// A group's name for people, escaped.
fn group_name(g: &GroupingResult, x: &GroupResult) -> String {
    esc(&super::display_name(g, x))
}

/// `s` cut to [`MAX_LABEL_CHARS`] characters, with `…` if it was longer.
fn shorten(s: &str) -> String {
    if s.chars().count() <= MAX_LABEL_CHARS {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(MAX_LABEL_CHARS - 1).collect();
        t.push('…');
        t
    }
}

/// Text from the data or the spec, safe in element content and in quoted
/// attribute values alike: the five characters that could open markup,
/// start an entity or end an attribute become character references.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// A sentence written by the library, which marks column names and values
/// with backticks as Markdown does: escaped, then each backtick pair made a
/// `<code>` element. An odd backtick is left as it is. Escaping first means
/// the only markup in the result is the `<code>` added here.
fn prose(s: &str) -> String {
    let escaped = esc(s);
    let parts: Vec<&str> = escaped.split('`').collect();
    if parts.len() % 2 == 0 {
        return escaped;
    }
    let mut out = String::with_capacity(escaped.len() + 16);
    for (i, p) in parts.iter().enumerate() {
        if i % 2 == 1 {
            out.push_str("<code>");
            out.push_str(p);
            out.push_str("</code>");
        } else {
            out.push_str(p);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_text_is_escaped() {
        assert_eq!(
            esc("<script>alert(1)</script>"),
            "&lt;script&gt;alert(1)&lt;/script&gt;"
        );
        assert_eq!(esc("\"onmouseover='x'"), "&quot;onmouseover=&#39;x&#39;");
        assert_eq!(esc("A & B"), "A &amp; B");
        assert_eq!(esc("25 - 45 × ü"), "25 - 45 × ü");
        assert_eq!(
            prose("column `a<b` is `x`"),
            "column <code>a&lt;b</code> is <code>x</code>"
        );
        assert_eq!(prose("odd ` tick"), "odd ` tick");
    }

    #[test]
    fn the_scale_is_logarithmic() {
        let s = Scale {
            lo: 0.5,
            hi: 2.0,
            x0: 0.0,
            x1: 100.0,
        };
        assert!((s.x(1.0) - 50.0).abs() < 1e-9);
        assert!((s.x(0.5) - 0.0).abs() < 1e-9);
        assert!((s.x(2.0) - 100.0).abs() < 1e-9);
        assert!(!s.contains(2.5));
    }

    #[test]
    fn tick_labels_do_not_collide() {
        // Narrow: 0.1 to 10 over 200 units leaves room for few labels.
        let s = Scale {
            lo: 0.1,
            hi: 10.0,
            x0: 0.0,
            x1: 200.0,
        };
        let t = ticks(&s);
        assert!(t.contains(&1.0) && t.contains(&0.1) && t.contains(&10.0));
        for w in t.windows(2) {
            assert!(s.x(w[1]) - s.x(w[0]) >= 20.0, "{t:?}");
        }
        let wide = Scale { x1: 600.0, ..s };
        assert!(ticks(&wide).len() > t.len());
    }

    #[test]
    fn long_labels_are_shortened() {
        assert_eq!(shorten("short"), "short");
        let long = "x".repeat(50);
        let s = shorten(&long);
        assert_eq!(s.chars().count(), MAX_LABEL_CHARS);
        assert!(s.ends_with('…'));
    }
}
