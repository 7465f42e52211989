//! `report.html`: the committee report as one self-contained page. A full
//! snapshot would be large and brittle, so these tests check its structure:
//! what it must say, that it is well formed, that it reaches for nothing
//! outside itself, that data cannot inject markup, and that its bytes are
//! reproducible.

use fairaudit::Results;
use fairaudit::report::html;

use crate::harness::{Dir, root, run_toml};

fn compas(threads: usize) -> Results {
    let text = std::fs::read_to_string(root().join("audits/compas/audit.toml")).unwrap();
    run_toml(&text, &root().join("audits/compas"), threads).unwrap()
}

fn render(results: &Results) -> String {
    String::from_utf8(html::render(results)).expect("report.html is UTF-8")
}

/// Text as the page escapes it.
fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// Elements that have no end tag in HTML.
const VOID: &[&str] = &["meta", "br", "hr", "img", "link", "input", "wbr"];

/// Checks that every element is closed, in order, and returns the
/// elements' names as opened. Every `<` of the page must open a tag: the
/// renderer escapes all text, and its CSS has none.
fn elements(html: &str) -> Vec<String> {
    let mut open: Vec<String> = Vec::new();
    let mut seen = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find('<') {
        rest = &rest[at + 1..];
        let end = rest.find('>').expect("a tag is closed with >");
        let tag = &rest[..end];
        rest = &rest[end + 1..];
        if tag.starts_with('!') {
            continue;
        }
        if let Some(name) = tag.strip_prefix('/') {
            let top = open.pop();
            assert_eq!(top.as_deref(), Some(name), "</{name}> closes {top:?}");
            continue;
        }
        let name: String = tag
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        assert!(!name.is_empty(), "`<{tag}>` is not a tag");
        // Attribute values are quoted, and quotes inside them escaped.
        assert_eq!(tag.matches('"').count() % 2, 0, "<{tag}>");
        seen.push(name.clone());
        if !tag.ends_with('/') && !VOID.contains(&name.as_str()) {
            open.push(name);
        }
    }
    assert!(open.is_empty(), "never closed: {open:?}");
    seen
}

#[test]
fn the_compas_report_says_what_report_md_says_and_charts_it() {
    let results = compas(2);
    let page = render(&results);
    assert!(page.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"));
    assert!(page.ends_with("</html>\n"));
    let tags = elements(&page);
    let n = |t: &str| tags.iter().filter(|x| *x == t).count();

    // The verdict and the findings.
    assert!(
        page.contains("Overall verdict: <strong>FAIL</strong>"),
        "the banner"
    );
    assert!(page.contains("Overall verdict: FAIL.</strong>"));
    let finding = &results.findings[0].text;
    assert!(
        finding.starts_with("Among people who were not rearrested"),
        "{finding}"
    );
    assert!(
        page.contains(&format!("<li>{}</li>", esc(finding))),
        "{finding}"
    );
    assert!(page.contains(&esc(&results.coverage.text)));

    // Sections in report.md's order.
    let order = [
        "id=\"scope\"",
        "id=\"data\"",
        "id=\"findings\"",
        "id=\"tradeoffs\"",
        "id=\"coverage\"",
        "id=\"groups\"",
        "id=\"methods\"",
        "id=\"notes\"",
        "id=\"caveats\"",
    ];
    let at: Vec<usize> = order
        .iter()
        .map(|s| page.find(s).unwrap_or_else(|| panic!("{s}")))
        .collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "{at:?}");

    // One chart per grouping with a reference group and per primary metric.
    let charted = results
        .groupings()
        .iter()
        .filter(|g| {
            g.reference.is_some() && g.groups.len() > 1 && g.groups.iter().any(|x| x.reference)
        })
        .count();
    assert_eq!(charted, 4);
    let charts = charted * results.policy.primary.len();
    assert_eq!(n("svg"), charts);
    assert_eq!(page.matches("<svg ").count(), charts);
    assert_eq!(page.matches("</svg>").count(), charts);
    assert_eq!(n("figure"), charts);
    // Tables: rows and cohort filters, everyone, then each grouping's rates
    // and ratios.
    assert_eq!(n("table"), 3 + results.groupings().len() + charted);
    assert_eq!(
        page.matches("<table>").count(),
        page.matches("</table>").count()
    );

    // In the charts, a suppressed group is named and marked "suppressed",
    // with no numbers; each verdict has its shape.
    let suppressed: usize = results
        .groupings()
        .iter()
        .map(|g| g.groups.iter().filter(|x| x.suppressed).count())
        .sum();
    // Asian is withheld too, so that Native American cannot be worked out.
    assert_eq!(suppressed, 6);
    assert_eq!(
        page.matches(">suppressed</text>").count(),
        suppressed * results.policy.primary.len()
    );
    assert!(page.contains("<title>Native American × Female: suppressed</title>"));
    for kind in ["k-pass", "k-fail", "k-inconclusive", "k-insufficient"] {
        assert!(page.contains(&format!("<g class=\"{kind}\">")), "{kind}");
    }
    assert!(page.contains("<circle class=\"mark\""));
    assert!(page.contains("<rect class=\"mark\""));
    assert!(page.contains("<polygon class=\"mark\""));
    // Hispanic × Female's FPR interval (0.09–0.82) runs off the chart's
    // lower end, 0.1, and is marked with an arrow.
    assert!(page.contains("0.27 [0.09–0.82]"));
    assert!(page.contains("<polygon class=\"clip\""));
    // Ticks and the tolerance band are labelled.
    for label in [
        ">0.5</text>",
        ">1</text>",
        ">2</text>",
        ">0.8</text>",
        ">1.25</text>",
    ] {
        assert!(page.contains(label), "{label}");
    }
    // Rates with intervals, ratios with intervals and verdicts.
    assert!(page.contains("42.3%<span class=\"ci\">39.9–44.8</span>"));
    assert!(page.contains("1.92<span class=\"ci\">1.71–2.17</span>"));

    // Self-contained: nothing to fetch, nothing to run.
    for banned in [
        "http://", "https://", "<script", "<link", "<img", "src=", "url(", "@import", "<iframe",
    ] {
        assert!(!page.contains(banned), "the page holds {banned:?}");
    }
}

#[test]
fn the_page_has_the_same_bytes_every_time() {
    let one = compas(1);
    let two = compas(2);
    let a = html::render(&one);
    assert!(a == html::render(&one), "two renders differ");
    assert!(a == html::render(&two), "1 and 2 threads differ");
}

/// A spec whose title, filter and group labels try to inject markup.
const HOSTILE_SPEC: &str = r#"
title = "<b>Audit</b> & \"quotes\" 'single'"

[input]
path = "data.csv"

[truth]
column = "y"
positive = [1]

[prediction]
column = "p"
positive = [1]

[cohort]
filters = ["g != \"<img src=x onerror=alert(2)>\""]

[[attributes]]
column = "g"
reference = "A & B"

[policy]
min_group_size = 5
"#;

const SCRIPT: &str = "<script>alert(1)</script>";
const ATTRIBUTE: &str = "\"onmouseover=alert(1) x='y'";

#[test]
fn labels_titles_and_filters_cannot_inject_markup() {
    let dir = Dir::new();
    let mut w = csv::Writer::from_path(dir.path().join("data.csv")).unwrap();
    w.write_record(["g", "y", "p"]).unwrap();
    let groups = [
        ("A & B", 100),
        (SCRIPT, 100),
        (ATTRIBUTE, 100),
        ("<i>tiny</i>", 3),
        ("<img src=x onerror=alert(2)>", 4),
    ];
    for (g, rows) in groups {
        for i in 0..rows {
            let y = u8::from(i % 3 == 0);
            let p = u8::from(i % 4 == 0 || (g == SCRIPT && i % 5 == 0));
            w.write_record([g, &y.to_string(), &p.to_string()]).unwrap();
        }
    }
    w.flush().unwrap();
    drop(w);
    let results = run_toml(HOSTILE_SPEC, dir.path(), 1).unwrap();
    let page = render(&results);

    // Well formed: no label opened or closed an element.
    let tags = elements(&page);
    for t in ["script", "b", "i", "img"] {
        assert!(!tags.iter().any(|x| x == t), "a <{t}> element");
    }
    // Each hostile string appears, and only escaped.
    for raw in [
        SCRIPT,
        ATTRIBUTE,
        "<b>Audit</b>",
        "<i>tiny</i>",
        "<img",
        "x='y'",
    ] {
        assert!(!page.contains(raw), "unescaped: {raw}");
    }
    for escaped in [
        "&lt;script&gt;alert(1)&lt;/script&gt;",
        "&quot;onmouseover=alert(1) x=&#39;y&#39;",
        "A &amp; B",
        "<title>&lt;b&gt;Audit&lt;/b&gt; &amp; &quot;quotes&quot; &#39;single&#39;</title>",
        "<h1>&lt;b&gt;Audit&lt;/b&gt; &amp; &quot;quotes&quot; &#39;single&#39;</h1>",
        "&lt;img src=x onerror=alert(2)&gt;",
        "&lt;i&gt;tiny&lt;/i&gt;",
    ] {
        assert!(page.contains(escaped), "missing: {escaped}");
    }
    assert_eq!(
        page.matches("onmouseover").count(),
        page.matches("&quot;onmouseover").count()
    );
    // The hostile groups are charted (one row each, in each chart), and the
    // tiny one is listed as suppressed.
    assert_eq!(page.matches("<svg ").count(), results.policy.primary.len());
    assert!(page.contains("<title>&lt;i&gt;tiny&lt;/i&gt;: suppressed</title>"));
}
