//! Comparing two audits (model v1 against v2, this quarter against last)
//! metric by metric: what got better, what got worse, which verdicts
//! changed.
//!
//! The comparison reads each pack's `results.json` as a JSON tree, not as
//! [`crate::Results`], so that it works across tool versions that add
//! fields, and picks up any `verdict` member wherever it appears.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{Cell, CellAlignment, ContentArrangement, Table};
use serde::Serialize;
use serde_json::Value;

use crate::error::{Error, Result};
use crate::number::{count, human};
use crate::pack::verify::{element_key, pair_elements};
use crate::pack::{RESULTS_FILE, pack_error};

/// Whether a change is good news.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Assessment {
    /// Moved in the metric's favourable direction (or, for a disparity,
    /// toward parity).
    Better,
    /// Moved against it (or away from parity).
    Worse,
    /// Moved, but the metric has no favourable direction of its own
    /// (selection rate, base rate), a disparity moved to the other side of
    /// parity by the same distance, or the disparity is of a metric that
    /// serves no fairness criterion (the base rate: parity is not a goal).
    Changed,
    /// Was defined in A, is undefined in B.
    BecameUndefined,
    /// Was undefined in A, is defined in B.
    BecameDefined,
}

/// Identifies one pack of the comparison.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PackSummary {
    /// The path as given.
    pub path: String,
    /// The audit's title.
    pub title: String,
    /// The tool version that wrote it.
    pub tool_version: String,
    /// Rows used.
    pub rows_used: Option<u64>,
}

/// A change in what was audited or in the row accounting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ContextChange {
    /// The field, e.g. `audit.inputs` or `rows.used`.
    pub field: String,
    /// Its value in A, as compact JSON.
    pub a: String,
    /// Its value in B, as compact JSON.
    pub b: String,
}

/// A group's metric that differs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MetricChange {
    /// The grouping (`overall` for all rows).
    pub grouping: String,
    /// The group.
    pub group: String,
    /// The metric.
    pub metric: String,
    /// The value in A.
    pub a: Option<f64>,
    /// The value in B.
    pub b: Option<f64>,
    /// B − A, when both are defined.
    pub change: Option<f64>,
    /// Better, worse or just changed.
    pub assessment: Assessment,
}

/// A group's disparity against its reference that differs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DisparityChange {
    /// The grouping.
    pub grouping: String,
    /// The group.
    pub group: String,
    /// The metric.
    pub metric: String,
    /// The ratio to the reference in A.
    pub ratio_a: Option<f64>,
    /// The ratio to the reference in B.
    pub ratio_b: Option<f64>,
    /// The difference from the reference in A.
    pub difference_a: Option<f64>,
    /// The difference from the reference in B.
    pub difference_b: Option<f64>,
    /// Toward parity (better) or away from it (worse).
    pub assessment: Assessment,
}

/// A group that is not comparable: present or published in one pack only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GroupPresence {
    /// The grouping.
    pub grouping: String,
    /// The group.
    pub group: String,
    /// `only in A`, `only in B`, `suppressed in A`, `suppressed in B`.
    pub status: String,
}

/// A `verdict` member whose value differs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VerdictChange {
    /// Where it is in `results.json`.
    pub path: String,
    /// Its value in A (compact JSON, `absent` if none).
    pub a: String,
    /// Its value in B.
    pub b: String,
}

/// Everything that differs between two audits.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DiffReport {
    /// The first pack.
    pub a: PackSummary,
    /// The second pack.
    pub b: PackSummary,
    /// Changes in what was audited, the rows, the tool and the reference
    /// groups: they say how far the numbers below are comparable.
    pub context: Vec<ContextChange>,
    /// Metrics that differ, for groups published in both.
    pub metrics: Vec<MetricChange>,
    /// Disparities that differ, for non-reference groups published in both.
    pub disparities: Vec<DisparityChange>,
    /// Groups present or published in one pack only.
    pub groups: Vec<GroupPresence>,
    /// Verdicts that differ.
    pub verdicts: Vec<VerdictChange>,
}

/// Compares the audits in packs `a` and `b` (a pack folder, or a
/// `results.json` file).
pub fn diff(a: &Path, b: &Path) -> Result<DiffReport> {
    let ra = read_results(a)?;
    let rb = read_results(b)?;
    let (va, vb) = (&ra["schema_version"], &rb["schema_version"]);
    if va != vb {
        return Err(pack_error(
            b,
            format!(
                "results schema version {vb} cannot be compared with version {va} of {}",
                a.display()
            ),
        )
        .with_hint(
            "re-run both audits with the same fairaudit version (`fairaudit run`), then compare",
        ));
    }
    let summary = |path: &Path, r: &Value| PackSummary {
        path: path.display().to_string(),
        title: r["audit"]["title"].as_str().unwrap_or_default().to_string(),
        tool_version: r["tool"]["version"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
        rows_used: r["rows"]["used"].as_u64(),
    };
    let mut report = DiffReport {
        a: summary(a, &ra),
        b: summary(b, &rb),
        context: context(&ra, &rb),
        metrics: Vec::new(),
        disparities: Vec::new(),
        groups: Vec::new(),
        verdicts: Vec::new(),
    };
    // Metrics in registry order: A's, then any that only B publishes.
    let mut direction = favourable(&ra);
    for (name, d) in favourable(&rb) {
        direction.entry(name).or_insert(d);
    }
    // Metrics that serve no fairness criterion (the base rate, a property of
    // the data): their disparities change, but parity is not a goal.
    let no_criterion: Vec<&str> = [&ra, &rb]
        .iter()
        .flat_map(|r| r["metrics"].as_array().into_iter().flatten())
        .filter(|m| {
            m["criterion"]
                .as_str()
                .is_some_and(|c| c.starts_with("none"))
        })
        .filter_map(|m| m["name"].as_str())
        .collect();
    let mut order: Vec<&str> = metric_names(&ra);
    for name in metric_names(&rb) {
        if !order.contains(&name) {
            order.push(name);
        }
    }

    let groupings = |r: &Value| -> Vec<Value> {
        let mut all = vec![serde_json::json!({
            "name": "overall",
            "groups": [r["overall"].clone()],
        })];
        all.extend(r["groupings"].as_array().cloned().unwrap_or_default());
        all
    };
    let (ga, gb) = (groupings(&ra), groupings(&rb));
    for (_, x, y) in pair_elements(&ga, &gb) {
        let grouping = x
            .or(y)
            .and_then(element_key)
            .unwrap_or_default()
            .to_string();
        let groups_of = |g: Option<&Value>| {
            g.and_then(|g| g["groups"].as_array())
                .cloned()
                .unwrap_or_default()
        };
        let (xa, xb) = (groups_of(x), groups_of(y));
        for (_, p, q) in pair_elements(&xa, &xb) {
            let group = p
                .or(q)
                .and_then(element_key)
                .unwrap_or_default()
                .to_string();
            let presence = |status: &str| GroupPresence {
                grouping: grouping.clone(),
                group: group.clone(),
                status: status.to_string(),
            };
            let (p, q) = match (p, q) {
                (Some(p), Some(q)) => (p, q),
                (Some(_), None) => {
                    report.groups.push(presence("only in A"));
                    continue;
                }
                _ => {
                    report.groups.push(presence("only in B"));
                    continue;
                }
            };
            let suppressed = |g: &Value| g["suppressed"].as_bool().unwrap_or(false);
            match (suppressed(p), suppressed(q)) {
                (false, false) => {}
                (true, true) => continue,
                (true, false) => {
                    report.groups.push(presence("suppressed in A"));
                    continue;
                }
                (false, true) => {
                    report.groups.push(presence("suppressed in B"));
                    continue;
                }
            }
            for &m in &order {
                let value = |g: &Value| g["metrics"][m]["value"].as_f64();
                let (a, b) = (value(p), value(q));
                if a == b {
                    continue;
                }
                let assessment = match (a, b) {
                    (Some(a), Some(b)) => match direction.get(m).map(String::as_str) {
                        Some("higher") if b > a => Assessment::Better,
                        Some("higher") => Assessment::Worse,
                        Some("lower") if b < a => Assessment::Better,
                        Some("lower") => Assessment::Worse,
                        _ => Assessment::Changed,
                    },
                    (Some(_), None) => Assessment::BecameUndefined,
                    _ => Assessment::BecameDefined,
                };
                report.metrics.push(MetricChange {
                    grouping: grouping.clone(),
                    group: group.clone(),
                    metric: m.to_string(),
                    a,
                    b,
                    change: a.zip(b).map(|(a, b)| b - a),
                    assessment,
                });
            }
            let is_reference = |g: &Value| g["reference"].as_bool().unwrap_or(false);
            if is_reference(p) || is_reference(q) {
                continue;
            }
            for &m in &order {
                let part = |g: &Value, k: &str| g["disparities"][m][k].as_f64();
                let (ra_, rb_) = (part(p, "ratio"), part(q, "ratio"));
                let (da, db) = (part(p, "difference"), part(q, "difference"));
                if ra_ == rb_ && da == db {
                    continue;
                }
                report.disparities.push(DisparityChange {
                    grouping: grouping.clone(),
                    group: group.clone(),
                    metric: m.to_string(),
                    ratio_a: ra_,
                    ratio_b: rb_,
                    difference_a: da,
                    difference_b: db,
                    assessment: match toward_parity(ra_, rb_, da, db) {
                        Assessment::Better | Assessment::Worse if no_criterion.contains(&m) => {
                            Assessment::Changed
                        }
                        a => a,
                    },
                });
            }
        }
    }

    let (mut xa, mut xb) = (BTreeMap::new(), BTreeMap::new());
    verdicts(&ra, String::new(), &mut xa);
    verdicts(&rb, String::new(), &mut xb);
    let mut paths: Vec<&String> = xa.keys().chain(xb.keys()).collect();
    paths.sort();
    paths.dedup();
    for path in paths {
        let (a, b) = (xa.get(path), xb.get(path));
        if a != b {
            let show = |v: Option<&Value>| v.map_or_else(|| "absent".to_string(), Value::to_string);
            report.verdicts.push(VerdictChange {
                path: path.clone(),
                a: show(a),
                b: show(b),
            });
        }
    }
    Ok(report)
}

fn read_results(path: &Path) -> Result<Value> {
    let file = if path.is_dir() {
        path.join(RESULTS_FILE)
    } else {
        path.to_path_buf()
    };
    let bytes = std::fs::read(&file).map_err(|e| Error::io(&file, e))?;
    let value: Value = serde_json::from_slice(&bytes)
        .map_err(|e| pack_error(&file, format!("not valid JSON ({e})")))?;
    if !value["schema_version"].is_u64() {
        return Err(
            pack_error(&file, "not a fairaudit results file (no `schema_version`)").with_hint(
                "give an audit pack folder, or the results.json written by `fairaudit run`",
            ),
        );
    }
    Ok(value)
}

/// The metric names in the order `results.json` lists them.
fn metric_names(r: &Value) -> Vec<&str> {
    r["metrics"]
        .as_array()
        .map(|ms| ms.iter().filter_map(|m| m["name"].as_str()).collect())
        .unwrap_or_default()
}

/// Each metric's favourable direction (`higher`, `lower`, `context`), from
/// the registry that `results.json` publishes.
fn favourable(r: &Value) -> BTreeMap<&str, String> {
    r["metrics"]
        .as_array()
        .map(|ms| {
            ms.iter()
                .filter_map(|m| {
                    Some((
                        m["name"].as_str()?,
                        m["favourable"].as_str().unwrap_or("context").to_string(),
                    ))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// How far a disparity is from parity: |ln ratio|, which treats half and
/// double alike; the difference's magnitude when the ratio is undefined.
fn distance(ratio: Option<f64>, difference: Option<f64>) -> Option<f64> {
    match ratio {
        Some(r) if r > 0.0 => Some(r.ln().abs()),
        Some(_) => Some(f64::INFINITY),
        None => difference.map(f64::abs),
    }
}

fn toward_parity(ra: Option<f64>, rb: Option<f64>, da: Option<f64>, db: Option<f64>) -> Assessment {
    // Compare like with like: ratio distances when both ratios exist,
    // difference magnitudes otherwise.
    let (x, y) = if ra.is_some() && rb.is_some() {
        (distance(ra, None), distance(rb, None))
    } else {
        (distance(None, da), distance(None, db))
    };
    match (x, y) {
        (Some(x), Some(y)) if y < x => Assessment::Better,
        (Some(x), Some(y)) if y > x => Assessment::Worse,
        (Some(_), Some(_)) => Assessment::Changed,
        (Some(_), None) => Assessment::BecameUndefined,
        (None, Some(_)) => Assessment::BecameDefined,
        (None, None) => Assessment::Changed,
    }
}

/// What was audited, the row accounting, the tool and the reference groups:
/// the fields that say whether the two sets of numbers are comparable.
fn context(a: &Value, b: &Value) -> Vec<ContextChange> {
    let mut out = Vec::new();
    let mut add = |field: String, x: &Value, y: &Value| {
        if x != y {
            let show = |v: &Value| {
                if v.is_null() {
                    "absent".to_string()
                } else {
                    v.to_string()
                }
            };
            out.push(ContextChange {
                field,
                a: show(x),
                b: show(y),
            });
        }
    };
    add(
        "tool.version".into(),
        &a["tool"]["version"],
        &b["tool"]["version"],
    );
    let keys = |v: &Value| -> Vec<String> {
        v.as_object()
            .map(|o| o.keys().cloned().collect())
            .unwrap_or_default()
    };
    let mut audit_keys = keys(&a["audit"]);
    audit_keys.extend(keys(&b["audit"]));
    audit_keys.sort();
    audit_keys.dedup();
    for k in audit_keys {
        add(format!("audit.{k}"), &a["audit"][&k], &b["audit"][&k]);
    }
    for k in ["read", "filtered_out", "rejected", "used"] {
        add(format!("rows.{k}"), &a["rows"][k], &b["rows"][k]);
    }
    let empty = Vec::new();
    let ga = a["groupings"].as_array().unwrap_or(&empty);
    let gb = b["groupings"].as_array().unwrap_or(&empty);
    for (seg, x, y) in pair_elements(ga, gb) {
        let reference =
            |g: Option<&Value>| g.map_or(Value::Null, |g| g["reference"]["group"].clone());
        add(
            format!("groupings{seg}.reference"),
            &reference(x),
            &reference(y),
        );
    }
    out
}

/// Collects every member named `verdict`, wherever it is, by its path
/// (arrays of named objects indexed by name, as in `verify`).
fn verdicts(v: &Value, path: String, out: &mut BTreeMap<String, Value>) {
    match v {
        Value::Object(o) => {
            for (k, x) in o {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                if k == "verdict" {
                    out.insert(p, x.clone());
                } else {
                    verdicts(x, p, out);
                }
            }
        }
        Value::Array(xs) => {
            for (seg, x, _) in pair_elements(xs, &[]) {
                if let Some(x) = x {
                    verdicts(x, format!("{path}{seg}"), out);
                }
            }
        }
        _ => {}
    }
}

impl DiffReport {
    /// Whether the two audits agree on every metric, disparity, group and
    /// verdict (the context may still differ).
    pub fn is_empty(&self) -> bool {
        self.metrics.is_empty()
            && self.disparities.is_empty()
            && self.groups.is_empty()
            && self.verdicts.is_empty()
    }

    /// The report as text tables for a terminal.
    pub fn render_text(&self) -> Vec<u8> {
        let mut out = String::new();
        for (name, p) in [("A", &self.a), ("B", &self.b)] {
            let _ = writeln!(
                out,
                "{name}: {} — {} (fairaudit {}, {} rows used)",
                p.path,
                p.title,
                p.tool_version,
                p.rows_used.map_or_else(|| "?".to_string(), count)
            );
        }
        if !self.context.is_empty() {
            out.push_str("\nwhat was audited differs (numbers below may not be comparable):\n");
            let mut t = table(vec!["field", "A", "B"]);
            for c in &self.context {
                t.add_row(vec![c.field.clone(), c.a.clone(), c.b.clone()]);
            }
            let _ = writeln!(out, "{t}");
        }
        if !self.metrics.is_empty() {
            out.push_str("\nmetrics:\n");
            let mut t = table(vec!["grouping", "group", "metric", "A", "B", "change", ""]);
            for m in &self.metrics {
                t.add_row(vec![
                    Cell::new(&m.grouping),
                    Cell::new(&m.group),
                    Cell::new(&m.metric),
                    number(m.a, 4),
                    number(m.b, 4),
                    number_signed(m.change),
                    Cell::new(word(m.assessment)),
                ]);
            }
            let _ = writeln!(out, "{t}");
        }
        if !self.disparities.is_empty() {
            out.push_str("\ndisparities (ratio to the reference group; 1 is parity):\n");
            let mut t = table(vec!["grouping", "group", "metric", "A", "B", ""]);
            for d in &self.disparities {
                t.add_row(vec![
                    Cell::new(&d.grouping),
                    Cell::new(&d.group),
                    Cell::new(&d.metric),
                    number(d.ratio_a, 3),
                    number(d.ratio_b, 3),
                    Cell::new(word(d.assessment)),
                ]);
            }
            let _ = writeln!(out, "{t}");
        }
        if !self.groups.is_empty() {
            out.push_str("\ngroups not comparable:\n");
            for g in &self.groups {
                let _ = writeln!(out, "  {} / {}: {}", g.grouping, g.group, g.status);
            }
        }
        if !self.verdicts.is_empty() {
            out.push_str("\nverdicts:\n");
            let mut t = table(vec!["where", "A", "B"]);
            for v in &self.verdicts {
                t.add_row(vec![v.path.clone(), v.a.clone(), v.b.clone()]);
            }
            let _ = writeln!(out, "{t}");
        }
        let assessments: Vec<Assessment> = self
            .metrics
            .iter()
            .map(|m| m.assessment)
            .chain(self.disparities.iter().map(|d| d.assessment))
            .collect();
        let tally = |a: Assessment| assessments.iter().filter(|x| **x == a).count();
        if self.is_empty() {
            out.push_str("\nno metric, disparity, group or verdict differs\n");
        } else {
            let _ = writeln!(
                out,
                "\nsummary: {} better, {} worse, {} changed or (un)defined; {} verdict(s) changed",
                tally(Assessment::Better),
                tally(Assessment::Worse),
                assessments.len() - tally(Assessment::Better) - tally(Assessment::Worse),
                self.verdicts.len()
            );
        }
        out.into_bytes()
    }

    /// The report as pretty-printed JSON.
    pub fn render_json(&self) -> Vec<u8> {
        super::pretty_json(self)
    }
}

fn table(header: Vec<&str>) -> Table {
    let mut t = Table::new();
    t.load_style(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Disabled)
        .set_header(header);
    t
}

fn number(x: Option<f64>, decimals: usize) -> Cell {
    Cell::new(human(x, decimals)).set_alignment(CellAlignment::Right)
}

fn number_signed(x: Option<f64>) -> Cell {
    let text = match x {
        Some(v) if v > 0.0 => format!("+{}", human(Some(v), 4)),
        _ => human(x, 4),
    };
    Cell::new(text).set_alignment(CellAlignment::Right)
}

fn word(a: Assessment) -> &'static str {
    match a {
        Assessment::Better => "better",
        Assessment::Worse => "worse",
        Assessment::Changed => "changed",
        Assessment::BecameUndefined => "now undefined",
        Assessment::BecameDefined => "now defined",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parity_is_symmetric_in_ratio() {
        // Half and double are equally far from parity.
        assert_eq!(
            toward_parity(Some(0.5), Some(2.0), None, None),
            Assessment::Changed
        );
        assert_eq!(
            toward_parity(Some(2.0), Some(1.5), None, None),
            Assessment::Better
        );
        assert_eq!(
            toward_parity(Some(0.9), Some(0.8), None, None),
            Assessment::Worse
        );
        assert_eq!(
            toward_parity(None, None, Some(0.1), Some(0.05)),
            Assessment::Better
        );
        assert_eq!(
            toward_parity(Some(1.2), None, Some(0.1), None),
            Assessment::BecameUndefined
        );
    }

    #[test]
    fn verdicts_are_found_anywhere() {
        let v = serde_json::json!({"groupings": [{"name": "race", "groups": [
            {"label": "A", "metrics": {"fpr": {"value": 0.1, "verdict": "fail"}}}]}],
            "verdict": {"overall": "fail"}});
        let mut out = BTreeMap::new();
        verdicts(&v, String::new(), &mut out);
        let keys: Vec<&String> = out.keys().collect();
        assert_eq!(
            keys,
            ["groupings[race].groups[A].metrics.fpr.verdict", "verdict"]
        );
    }
}
