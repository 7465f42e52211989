//! The results of an audit: the versioned schema that every output is
//! rendered from, and its assembly from the scan's counts.
//!
//! See the crate documentation for the wire format of `results.json`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::count::CountTable;
use crate::error::{Error, Result, nearest_names};
use crate::metrics::registry::{self, Direction, REGISTRY};
use crate::metrics::summary::{self, Both, PairRates};
use crate::metrics::{self, FN, FP, GroupStats, TN, TP, Value};
use crate::scan::{RowAccounting, ScanOutput};
use crate::spec::{Grouping, Prediction, ReferenceRule, ValidSpec};

/// The version of the `results.json` schema. Bumped on any change that a
/// consumer could notice (a field removed, renamed or changed in meaning);
/// new fields are additions within a version.
pub const SCHEMA_VERSION: u32 = 1;

/// Everything an audit found. The only input to the renderers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Results {
    /// [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// The tool that produced the results.
    pub tool: ToolInfo,
    /// What was audited.
    pub audit: AuditInfo,
    /// Where the rows went.
    pub rows: RowAccounting,
    /// The metric registry, for readers of the file.
    pub metrics: Vec<MetricInfo>,
    /// All used rows as one group.
    pub overall: GroupResult,
    /// Each attribute, then each intersection.
    pub groupings: Vec<GroupingResult>,
    /// Things the reader should know (data quality, single groups).
    pub warnings: Vec<String>,
}

/// The tool's name and version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ToolInfo {
    /// `fairaudit`.
    pub name: String,
    /// The crate version.
    pub version: String,
}

/// What was audited, in words and numbers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditInfo {
    /// The spec's title.
    pub title: String,
    /// The master seed, if set.
    pub seed: Option<u64>,
    /// Input files as named in the spec, with their formats.
    pub inputs: Vec<String>,
    /// How the truth is read.
    pub truth: String,
    /// How the prediction is read.
    pub prediction: String,
    /// Whether sample weights were used (metrics are then weighted).
    pub weighted: bool,
    /// The cohort filters.
    pub cohort: Vec<String>,
    /// Groups with fewer rows are suppressed.
    pub min_group_size: u64,
}

/// One registry entry, as published.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MetricInfo {
    /// The metric's name.
    pub name: String,
    /// A short human name.
    pub label: String,
    /// The formula.
    pub formula: String,
    /// What it means.
    pub meaning: String,
    /// `higher`, `lower` or `context`.
    pub favourable: String,
    /// The fairness criterion it serves.
    pub criterion: String,
}

/// A metric's value or why it is undefined.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetricValue {
    /// The value; `null` when undefined.
    pub value: Option<f64>,
    /// Why the value is undefined.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub undefined: Option<String>,
}

impl From<Value> for MetricValue {
    fn from(v: Value) -> MetricValue {
        MetricValue {
            value: v.get(),
            undefined: v.reason().map(str::to_string),
        }
    }
}

/// A group's metric compared with the reference group's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DisparityValue {
    /// m_group / m_reference.
    pub ratio: Option<f64>,
    /// m_group − m_reference.
    pub difference: Option<f64>,
    /// Why the ratio (or both) is undefined.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub undefined: Option<String>,
}

/// Confusion counts.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Counts {
    /// True positives.
    pub tp: u64,
    /// False positives.
    pub fp: u64,
    /// False negatives.
    #[serde(rename = "fn")]
    pub fn_: u64,
    /// True negatives.
    pub tn: u64,
}

/// Weighted confusion counts (sums of weights).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct WeightedCounts {
    /// True positives.
    pub tp: f64,
    /// False positives.
    pub fp: f64,
    /// False negatives.
    #[serde(rename = "fn")]
    pub fn_: f64,
    /// True negatives.
    pub tn: f64,
}

/// One group's results.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupResult {
    /// The label (`Black`, or `Black|Female` in an intersection).
    pub label: String,
    /// The level of each attribute of the grouping.
    pub levels: Vec<String>,
    /// Whether the group is below the minimum size: its numbers are then
    /// withheld (all `null`/empty) and it is never the basis of a verdict.
    pub suppressed: bool,
    /// Whether this is the grouping's reference group.
    pub reference: bool,
    /// Rows.
    pub n: Option<u64>,
    /// Sum of weights (weighted audits only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weighted_n: Option<f64>,
    /// Confusion counts.
    pub counts: Option<Counts>,
    /// Weighted confusion counts (weighted audits only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weighted_counts: Option<WeightedCounts>,
    /// Each registry metric by name.
    pub metrics: BTreeMap<String, MetricValue>,
    /// Each registry metric against the reference group.
    pub disparities: BTreeMap<String, DisparityValue>,
    /// AIF360's pairwise measures with this group as unprivileged and the
    /// reference as privileged.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub aif360: BTreeMap<String, Option<f64>>,
}

/// The reference group of a grouping and how it was chosen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReferenceInfo {
    /// The group's label.
    pub group: String,
    /// `named`, `largest` or `most-favourable <metric>`.
    pub rule: String,
}

/// One grouping's results.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupingResult {
    /// `race`, or `race|sex`.
    pub name: String,
    /// The attributes crossed.
    pub attributes: Vec<String>,
    /// The reference group, if there is one to compare with.
    pub reference: Option<ReferenceInfo>,
    /// The groups, in attribute-level order.
    pub groups: Vec<GroupResult>,
    /// Combinations of levels with no rows (intersections only).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub empty_combinations: Vec<String>,
    /// fairlearn's summary measures over the published groups.
    pub fairlearn: BTreeMap<String, Both>,
}

/// Builds the results of `spec` from the scan.
pub fn assemble(spec: &ValidSpec, scan: &ScanOutput) -> Result<Results> {
    let mut warnings: Vec<String> = scan
        .warnings
        .iter()
        .map(|w| {
            format!(
                "column `{}`: {} row(s) with {}",
                w.column, w.count, w.message
            )
        })
        .collect();
    let weighted = scan.weighted;
    let all = metrics::overall(&scan.table);
    let overall = group_result("overall", vec![], &all, weighted, false);
    let mut groupings = Vec::new();
    for (gi, g) in spec.groupings.iter().enumerate() {
        groupings.push(grouping_result(
            spec,
            gi,
            g,
            &scan.table,
            &all,
            weighted,
            &mut warnings,
        )?);
    }
    Ok(Results {
        schema_version: SCHEMA_VERSION,
        tool: ToolInfo {
            name: env!("CARGO_PKG_NAME").to_string(),
            version: env!("CARGO_PKG_VERSION").to_string(),
        },
        audit: AuditInfo {
            title: spec.title.clone(),
            seed: spec.seed,
            inputs: spec
                .inputs
                .iter()
                .map(|i| format!("{} ({})", i.display, i.format.name()))
                .collect(),
            truth: describe_rule(
                &spec.truth.column.name,
                &spec.truth.positive,
                &spec.truth.negative,
            ),
            prediction: match &spec.prediction {
                Prediction::Label(r) => describe_rule(&r.column.name, &r.positive, &r.negative),
                Prediction::Threshold { column, threshold } => {
                    format!(
                        "`{}` >= {}",
                        column.name,
                        crate::value::format_number(*threshold)
                    )
                }
            },
            weighted,
            cohort: spec.filters.iter().map(|(f, _)| f.to_string()).collect(),
            min_group_size: spec.min_group_size,
        },
        rows: scan.rows.clone(),
        metrics: REGISTRY
            .iter()
            .map(|m| MetricInfo {
                name: m.name.to_string(),
                label: m.label.to_string(),
                formula: m.formula_text.to_string(),
                meaning: m.meaning.to_string(),
                favourable: match m.favourable {
                    Direction::Higher => "higher",
                    Direction::Lower => "lower",
                    Direction::Context => "context",
                }
                .to_string(),
                criterion: m.criterion.to_string(),
            })
            .collect(),
        overall,
        groupings,
        warnings,
    })
}

fn describe_rule(
    col: &str,
    pos: &[crate::value::Literal],
    neg: &[crate::value::Literal],
) -> String {
    let l = |v: &[crate::value::Literal]| {
        v.iter()
            .map(|x| x.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    format!("`{col}`: positive [{}], negative [{}]", l(pos), l(neg))
}

fn values(stats: &GroupStats) -> BTreeMap<&'static str, Value> {
    let w = stats.weights();
    REGISTRY
        .iter()
        .map(|m| (m.name, metrics::compute(m, &w)))
        .collect()
}

fn group_result(
    label: &str,
    levels: Vec<String>,
    stats: &GroupStats,
    weighted: bool,
    suppressed: bool,
) -> GroupResult {
    if suppressed {
        return GroupResult {
            label: label.to_string(),
            levels,
            suppressed: true,
            reference: false,
            n: None,
            weighted_n: None,
            counts: None,
            weighted_counts: None,
            metrics: BTreeMap::new(),
            disparities: BTreeMap::new(),
            aif360: BTreeMap::new(),
        };
    }
    let c = stats.counts();
    let w = stats.weights();
    GroupResult {
        label: label.to_string(),
        levels,
        suppressed: false,
        reference: false,
        n: Some(stats.n()),
        weighted_n: weighted.then(|| stats.total_weight()),
        counts: Some(Counts {
            tp: c[TP],
            fp: c[FP],
            fn_: c[FN],
            tn: c[TN],
        }),
        weighted_counts: weighted.then_some(WeightedCounts {
            tp: w[TP],
            fp: w[FP],
            fn_: w[FN],
            tn: w[TN],
        }),
        metrics: values(stats)
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.into()))
            .collect(),
        disparities: BTreeMap::new(),
        aif360: BTreeMap::new(),
    }
}

/// The order of an attribute's levels: those listed in the spec first, in
/// their order, then the rest sorted, with the missing label last.
fn level_rank(spec: &ValidSpec, attr: usize, level: &str) -> (usize, u8, String) {
    let a = &spec.attributes[attr];
    match a.levels.iter().position(|l| l == level) {
        Some(p) => (p, 0, String::new()),
        None => (
            a.levels.len(),
            u8::from(level == a.missing_label),
            level.to_string(),
        ),
    }
}

fn grouping_result(
    spec: &ValidSpec,
    gi: usize,
    g: &Grouping,
    table: &CountTable,
    all: &GroupStats,
    weighted: bool,
    warnings: &mut Vec<String>,
) -> Result<GroupingResult> {
    let marg = metrics::marginal(table, &g.attributes);
    let mut keys: Vec<&Vec<String>> = marg.keys().collect();
    keys.sort_by_cached_key(|k| {
        k.iter()
            .enumerate()
            .map(|(i, l)| level_rank(spec, g.attributes[i], l))
            .collect::<Vec<_>>()
    });
    let min = spec.min_group_size;
    let label_of = |k: &[String]| k.join("|");
    let mut groups: Vec<GroupResult> = keys
        .iter()
        .map(|k| {
            let s = &marg[*k];
            group_result(&label_of(k), (*k).clone(), s, weighted, s.n() < min)
        })
        .collect();
    // The empty cells of an intersection: every combination of the levels
    // seen for each attribute, less those with rows.
    let mut empty_combinations = Vec::new();
    if g.attributes.len() > 1 {
        let per_attr: Vec<Vec<String>> = g.attributes.iter().map(|&a| table.levels(a)).collect();
        let total: usize = per_attr.iter().map(Vec::len).product();
        if total <= 10_000 {
            let mut combos: Vec<Vec<String>> = vec![vec![]];
            for levels in &per_attr {
                combos = combos
                    .into_iter()
                    .flat_map(|c| {
                        levels.iter().map(move |l| {
                            let mut c = c.clone();
                            c.push(l.clone());
                            c
                        })
                    })
                    .collect();
            }
            combos.sort_by_cached_key(|k| {
                k.iter()
                    .enumerate()
                    .map(|(i, l)| level_rank(spec, g.attributes[i], l))
                    .collect::<Vec<_>>()
            });
            empty_combinations = combos
                .into_iter()
                .filter(|c| !marg.contains_key(c))
                .map(|c| label_of(&c))
                .collect();
        }
    }
    if groups.len() == 1 {
        warnings.push(format!(
            "grouping `{}` has a single group (`{}`): there is nothing to compare it with",
            g.name, groups[0].label
        ));
    }
    let published: Vec<usize> = (0..groups.len())
        .filter(|&i| !groups[i].suppressed)
        .collect();
    let suppressed = groups.len() - published.len();
    if suppressed > 0 {
        warnings.push(format!(
            "grouping `{}`: {suppressed} group(s) with fewer than {min} rows are suppressed (numbers withheld, no verdict)",
            g.name
        ));
    }
    let stats_of = |i: usize| &marg[keys[i]];
    let vals: Vec<BTreeMap<&'static str, Value>> =
        (0..groups.len()).map(|i| values(stats_of(i))).collect();

    // The reference group.
    let reference = match &g.reference {
        ReferenceRule::Named(name) => {
            let Some(i) = groups.iter().position(|x| &x.label == name) else {
                let labels: Vec<String> = groups.iter().map(|x| x.label.clone()).collect();
                let near = nearest_names(name, &labels, 1);
                return Err(Error::spec(
                    reference_key(spec, gi, g),
                    format!("reference group `{name}` of `{}` does not occur in the data (after the cohort filters)", g.name),
                )
                .with_hint(match near.first() {
                    Some(n) => format!("did you mean `{n}`? The groups are: {}", labels.join(", ")),
                    None => format!("the groups are: {}", labels.join(", ")),
                }));
            };
            if groups[i].suppressed {
                return Err(Error::spec(
                    reference_key(spec, gi, g),
                    format!(
                        "reference group `{name}` of `{}` has {} rows, fewer than the minimum group size {min}",
                        g.name,
                        stats_of(i).n()
                    ),
                )
                .with_hint("choose a larger reference group, or lower `policy.min_group_size`"));
            }
            Some(i)
        }
        ReferenceRule::Largest => published
            .iter()
            .copied()
            .max_by(|&a, &b| stats_of(a).n().cmp(&stats_of(b).n()).then(b.cmp(&a))),
        ReferenceRule::MostFavourable(metric) => {
            let def = registry::find(metric);
            let higher = def.is_some_and(|d| d.favourable == Direction::Higher);
            let mut best: Option<(usize, f64)> = None;
            for &i in &published {
                if let Some(v) = vals[i].get(metric).and_then(|v| v.get()) {
                    let better = match best {
                        None => true,
                        Some((_, b)) => {
                            if higher {
                                v > b
                            } else {
                                v < b
                            }
                        }
                    };
                    if better {
                        best = Some((i, v));
                    }
                }
            }
            best.map(|(i, _)| i)
        }
    };
    if let Some(r) = reference {
        groups[r].reference = true;
        let rv = &vals[r];
        let rates = |v: &BTreeMap<&'static str, Value>| PairRates {
            selection_rate: v["selection_rate"].get(),
            tpr: v["tpr"].get(),
            fpr: v["fpr"].get(),
            fnr: v["fnr"].get(),
            error_rate: v["accuracy"].get().map(|a| 1.0 - a),
        };
        let ref_rates = rates(rv);
        for &i in &published {
            let d: BTreeMap<String, DisparityValue> = REGISTRY
                .iter()
                .map(|m| {
                    let d = metrics::disparity(vals[i][m.name], rv[m.name]);
                    (
                        m.name.to_string(),
                        DisparityValue {
                            ratio: d.ratio.get(),
                            difference: d.difference.get(),
                            undefined: d.ratio.reason().map(str::to_string),
                        },
                    )
                })
                .collect();
            groups[i].disparities = d;
            if i != r {
                groups[i].aif360 = summary::aif360(&rates(&vals[i]), &ref_rates);
            }
        }
    } else if groups.len() > 1 {
        warnings.push(format!(
            "grouping `{}` has no published group to serve as reference: no disparities are reported",
            g.name
        ));
    }
    let all_vals = values(all);
    let pick =
        |m: &str| -> Vec<Option<f64>> { published.iter().map(|&i| vals[i][m].get()).collect() };
    let (sel, tpr, fpr) = (pick("selection_rate"), pick("tpr"), pick("fpr"));
    let fairlearn = summary::fairlearn(
        (&sel, all_vals["selection_rate"].get()),
        (&tpr, all_vals["tpr"].get()),
        (&fpr, all_vals["fpr"].get()),
    );
    Ok(GroupingResult {
        name: g.name.clone(),
        attributes: g
            .attributes
            .iter()
            .map(|&a| spec.attributes[a].name.clone())
            .collect(),
        reference: reference.map(|r| ReferenceInfo {
            group: groups[r].label.clone(),
            rule: g.reference.describe(),
        }),
        groups,
        empty_combinations,
        fairlearn,
    })
}

fn reference_key(spec: &ValidSpec, gi: usize, g: &Grouping) -> String {
    if g.attributes.len() == 1 {
        format!("attributes[{}].reference", g.attributes[0])
    } else if spec.source.intersection_reference.contains_key(&g.name) {
        format!("intersection_reference.\"{}\"", g.name)
    } else {
        let _ = gi;
        format!(
            "intersection_reference.\"{}\" (by default the attributes' references joined with `|`)",
            g.name
        )
    }
}

impl Results {
    /// The grouping named `name`.
    pub fn grouping(&self, name: &str) -> Option<&GroupingResult> {
        self.groupings.iter().find(|g| g.name == name)
    }
}

impl GroupingResult {
    /// The group labelled `label`.
    pub fn group(&self, label: &str) -> Option<&GroupResult> {
        self.groups.iter().find(|g| g.label == label)
    }
}

impl GroupResult {
    /// The value of metric `name`, if published and defined.
    pub fn metric(&self, name: &str) -> Option<f64> {
        self.metrics.get(name).and_then(|m| m.value)
    }
}
