//! The confusion analysis: from the counts of (group levels × truth ×
//! prediction) to every registry metric per group and per grouping, with
//! intervals, disparities against the reference group with their intervals
//! and tests (corrected within each family), chi-square tests across
//! groups, the peers' summary measures, and bootstrap intervals for the
//! statistics without a closed form.
//!
//! Everything here is a pure function of the counts and the [`Config`]: no
//! file is read, nothing is printed, and the only randomness is the
//! bootstrap's, drawn from the configured seed. Verdicts are not decided
//! here: the judge reads the section this analysis returns.

mod bootstrap;
pub mod estimate;
pub mod groups;
pub mod summary;

use std::collections::BTreeMap;

use crate::count::{CountTable, Counted};
use crate::error::{Error, Result, nearest_names};
use crate::group::{self, Attribute, Grouping, ReferenceRule};
use crate::metric::{self, Direction, Intervention, MetricId, REGISTRY, Value};
use crate::results::{
    Counts, DisparityValue, GroupResult, GroupTest, GroupingResult, MetricInfo, MetricValue,
    ReferenceInfo, SummaryValue, WeightedCounts, Withheld, confusion::Section,
};
use crate::stats::{Method, Uncertainty, chi_square_independence};

use self::bootstrap::Distribution;
use self::groups::GroupStats;
use self::summary::{PairRates, Summary};
use super::disclosure::{self, Reason};

use super::Needs;

/// What the confusion analysis needs to know of an audit.
#[derive(Debug, Clone, Copy)]
pub struct Config<'a> {
    /// The protected attributes (for level order).
    pub attributes: &'a [Attribute],
    /// Each attribute's grouping, then each intersection's.
    pub groupings: &'a [Grouping],
    /// Groups with fewer rows are suppressed.
    pub min_group_size: u64,
    /// How intervals and tests are computed.
    pub uncertainty: &'a Uncertainty,
    /// The intervention, for favourable directions.
    pub intervention: Intervention,
}

/// What the analysis needs counted: group levels × truth × prediction.
pub fn needs() -> Needs {
    Needs { confusion: true }
}

/// What the analysis returns: its results section, the row count of every
/// group of each single attribute (suppressed or not, for coverage notes),
/// and warnings about the groupings.
#[derive(Debug, Clone)]
pub struct Output {
    /// The section for `results.json`.
    pub section: Section,
    /// Per attribute, each group's label, rows and whether it is withheld.
    pub attribute_groups: Vec<Vec<(String, u64, bool)>>,
    /// Things the reader should know.
    pub warnings: Vec<String>,
}

/// One grouping while it is being evaluated.
pub(crate) struct Work {
    keys: Vec<Vec<String>>,
    stats: Vec<GroupStats>,
    suppressed: Vec<bool>,
    /// Why each suppressed group is withheld.
    withheld: Vec<Option<Reason>>,
    vals: Vec<[Value; 14]>,
    reference: Option<usize>,
    /// Group index of each table cell, in table order.
    cell_group: Vec<usize>,
}

impl Work {
    fn published(&self) -> Vec<usize> {
        (0..self.keys.len())
            .filter(|&i| !self.suppressed[i])
            .collect()
    }
}

/// Every registry metric on cells `x`, in registry order.
fn values(x: &[f64; 4]) -> [Value; 14] {
    MetricId::ALL.map(|m| metric::compute(m, x))
}

/// Every registry metric of a group, on its weights. A metric undefined by
/// its weights although it has rows to count says so, rather than that the
/// group has no rows.
fn group_values(s: &GroupStats) -> [Value; 14] {
    let counts = s.counts().map(|c| c as f64);
    let by_count = values(&counts);
    let mut v = values(&s.weights());
    for (x, c) in v.iter_mut().zip(by_count) {
        if x.get().is_none() && c.get().is_some() {
            *x = Value::Undefined(
                "the weights of the rows it is computed on sum to zero (the rows are there, with weight 0)",
            );
        }
    }
    v
}

fn prepare(cfg: &Config<'_>, g: &Grouping, table: &CountTable) -> Result<Work> {
    let marg = groups::marginal(table, &g.attributes);
    let mut keys: Vec<Vec<String>> = marg.keys().cloned().collect();
    keys.sort_by_cached_key(|k| g.rank_key(cfg.attributes, k));
    let index: BTreeMap<&Vec<String>, usize> =
        keys.iter().enumerate().map(|(i, k)| (k, i)).collect();
    let cell_group = table
        .cells()
        .map(|(levels, _, _)| {
            let key: Vec<String> = g.attributes.iter().map(|&a| levels[a].clone()).collect();
            index.get(&key).copied().unwrap_or(0)
        })
        .collect();
    let stats: Vec<GroupStats> = keys
        .iter()
        .map(|k| marg.get(k).copied().unwrap_or_default())
        .collect();
    let suppressed: Vec<bool> = stats.iter().map(|s| s.n() < cfg.min_group_size).collect();
    let withheld = suppressed
        .iter()
        .map(|&s| s.then_some(Reason::Small))
        .collect();
    let vals: Vec<_> = stats.iter().map(group_values).collect();
    let mut w = Work {
        keys,
        stats,
        suppressed,
        withheld,
        vals,
        reference: None,
        cell_group,
    };
    w.reference = choose_reference(cfg, g, &w)?;
    Ok(w)
}

fn choose_reference(cfg: &Config<'_>, g: &Grouping, w: &Work) -> Result<Option<usize>> {
    let published = w.published();
    let min = cfg.min_group_size;
    Ok(match &g.reference {
        ReferenceRule::Named(name) => {
            let labels: Vec<String> = w.keys.iter().map(|k| group::label(k)).collect();
            let Some(i) = labels.iter().position(|x| x == name) else {
                let near = nearest_names(name, &labels, 1);
                return Err(Error::spec(
                    g.reference_key.clone(),
                    format!("reference group `{name}` of `{}` does not occur in the data (after the cohort filters)", g.name),
                )
                .with_hint(match near.first() {
                    Some(n) => format!("did you mean `{n}`? The groups are: {}", labels.join(", ")),
                    None => format!("the groups are: {}", labels.join(", ")),
                }));
            };
            if w.suppressed[i] {
                return Err(Error::spec(
                    g.reference_key.clone(),
                    format!("reference group `{name}` of `{}` has {} rows, fewer than the minimum group size {min}", g.name, w.stats[i].n()),
                )
                .with_hint("choose a larger reference group, or lower {key:policy.min_group_size}"));
            }
            Some(i)
        }
        ReferenceRule::Largest => published
            .iter()
            .copied()
            .max_by(|&a, &b| w.stats[a].n().cmp(&w.stats[b].n()).then(b.cmp(&a))),
        ReferenceRule::MostFavourable(metric) => {
            let higher = cfg.intervention.direction(*metric) == Direction::Higher;
            let mut best: Option<(usize, f64)> = None;
            for &i in &published {
                if let Some(v) = w.vals[i][*metric as usize].get() {
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
    })
}

/// fairlearn's summaries over the published groups of a grouping.
fn fairlearn_of(published: &[&[Value; 14]], overall: &[Value; 14]) -> summary::Summaries {
    let pick = |m: MetricId| -> Vec<Option<f64>> {
        published.iter().map(|v| v[m as usize].get()).collect()
    };
    let (sel, tpr, fpr) = (MetricId::SelectionRate, MetricId::Tpr, MetricId::Fpr);
    summary::fairlearn(
        (&pick(sel), overall[sel as usize].get()),
        (&pick(tpr), overall[tpr as usize].get()),
        (&pick(fpr), overall[fpr as usize].get()),
    )
}

/// Runs the confusion analysis on the counts.
pub fn run(cfg: &Config<'_>, counted: &Counted) -> Result<Output> {
    let weighted = counted.weighted;
    let table = &counted.table;
    let mut warnings = Vec::new();
    let all = groups::overall(table);
    let mut works = Vec::new();
    for g in cfg.groupings {
        works.push(prepare(cfg, g, table)?);
    }
    protect(cfg, table, &mut works);
    let boot = cfg
        .uncertainty
        .bootstrap
        .map(|b| Distribution::draw(table, &works, &b, cfg.uncertainty.level));
    let mut groupings = Vec::with_capacity(works.len());
    for (wi, (g, w)) in cfg.groupings.iter().zip(&works).enumerate() {
        warn_about(cfg, g, w, &mut warnings);
        let mut groups: Vec<GroupResult> = (0..w.keys.len())
            .map(|i| group_result(cfg, w, i, weighted, boot.as_ref().map(|b| (b, wi))))
            .collect();
        if let Some(r) = w.reference {
            compare_with_reference(cfg, w, r, weighted, &mut groups);
        }
        let tests = chi_square_tests(w, weighted);
        let fairlearn = fairlearn_result(w, &all, boot.as_ref().map(|b| (b, wi)));
        groupings.push(GroupingResult {
            name: g.name.clone(),
            attributes: g
                .attributes
                .iter()
                .map(|&a| cfg.attributes[a].name.clone())
                .collect(),
            reference: w.reference.map(|r| ReferenceInfo {
                group: groups[r].label.clone(),
                rule: g.reference.describe(),
            }),
            empty_combinations: empty_combinations(cfg, g, table, w),
            groups,
            tests,
            fairlearn,
        });
    }
    // The first groupings are the single attributes, in attribute order.
    let attribute_groups = cfg
        .attributes
        .iter()
        .zip(&works)
        .map(|(_, w)| {
            w.keys
                .iter()
                .zip(&w.stats)
                .zip(&w.suppressed)
                .map(|((k, s), &hidden)| (group::label(k), s.n(), hidden))
                .collect()
        })
        .collect();
    Ok(Output {
        section: Section {
            metrics: metric_infos(cfg.intervention),
            overall: overall_result(&all, weighted, cfg.uncertainty),
            groupings,
        },
        attribute_groups,
        warnings,
    })
}

/// Withholds further groups (complementary suppression) until no
/// suppressed group can be worked out from the published ones; see
/// [`super::disclosure`].
fn protect(cfg: &Config<'_>, table: &CountTable, works: &mut [Work]) {
    let finest: Vec<&[String]> = table.groups().map(|(levels, _)| levels).collect();
    let groupings: Vec<Vec<disclosure::Group>> = cfg
        .groupings
        .iter()
        .zip(works.iter())
        .map(|(g, w)| {
            let index: BTreeMap<&Vec<String>, usize> =
                w.keys.iter().enumerate().map(|(i, k)| (k, i)).collect();
            let mut cells: Vec<Vec<usize>> = vec![Vec::new(); w.keys.len()];
            for (f, levels) in finest.iter().enumerate() {
                let key: Vec<String> = g.attributes.iter().map(|&a| levels[a].clone()).collect();
                if let Some(&i) = index.get(&key) {
                    cells[i].push(f);
                }
            }
            cells
                .into_iter()
                .enumerate()
                .map(|(i, cells)| disclosure::Group {
                    cells,
                    n: w.stats[i].n(),
                    small: w.suppressed[i],
                    reference: w.reference == Some(i),
                })
                .collect()
        })
        .collect();
    let decided = disclosure::withhold(finest.len(), &groupings);
    for (w, reasons) in works.iter_mut().zip(decided) {
        w.suppressed = reasons.iter().map(Option::is_some).collect();
        if w.reference.is_some_and(|r| w.suppressed[r]) {
            w.reference = None;
        }
        w.withheld = reasons;
    }
}

/// The registry as published, with each metric's favourable direction under
/// the intervention.
fn metric_infos(intervention: Intervention) -> Vec<MetricInfo> {
    REGISTRY
        .iter()
        .map(|m| MetricInfo {
            name: m.id,
            label: m.label.to_string(),
            formula: m.formula_text.to_string(),
            meaning: m.meaning.to_string(),
            favourable: intervention.direction(m.id),
            criterion: m.criterion.to_string(),
        })
        .collect()
}

fn warn_about(cfg: &Config<'_>, g: &Grouping, w: &Work, warnings: &mut Vec<String>) {
    let n_groups = w.keys.len();
    if n_groups == 1 {
        warnings.push(format!(
            "grouping `{}` has a single group (`{}`): there is nothing to compare it with",
            g.name,
            group::label(&w.keys[0])
        ));
    }
    let count = |reason: Reason| w.withheld.iter().filter(|r| **r == Some(reason)).count();
    let small = count(Reason::Small);
    if small > 0 {
        warnings.push(format!(
            "grouping `{}`: {small} group(s) with fewer than {} rows are suppressed (numbers withheld, no verdict)",
            g.name, cfg.min_group_size
        ));
    }
    let complementary = count(Reason::Complementary);
    if complementary > 0 {
        warnings.push(format!(
            "grouping `{}`: {complementary} more group(s) withheld (numbers withheld, no verdict) so that the numbers of smaller groups cannot be worked out by subtraction from the published ones",
            g.name
        ));
    }
    if w.reference.is_none() && n_groups > 1 {
        warnings.push(format!("grouping `{}` has no published group to serve as reference: no disparities are reported", g.name));
    }
}

/// Intervals and tests of every published group against the reference on
/// every proportion metric, corrected within each family (this grouping ×
/// one metric).
fn compare_with_reference(
    cfg: &Config<'_>,
    w: &Work,
    r: usize,
    weighted: bool,
    groups: &mut [GroupResult],
) {
    let u = cfg.uncertainty;
    let published = w.published();
    for m in MetricId::ALL.into_iter().filter(|m| m.is_proportion()) {
        let mut raw: Vec<Option<f64>> = Vec::new();
        let mut who: Vec<usize> = Vec::new();
        for &i in &published {
            if i == r {
                continue;
            }
            let c = estimate::compare(m, &w.stats[i], &w.stats[r], u, weighted);
            let d = groups[i].disparities.entry(m).or_default();
            if let Some((ci, how)) = c.ratio {
                d.ratio_ci_low = Some(ci.low);
                d.ratio_ci_high = Some(ci.high);
                d.ratio_ci_method = Some(how);
            }
            if let Some((ci, how)) = c.difference {
                d.difference_ci_low = Some(ci.low);
                d.difference_ci_high = Some(ci.high);
                d.difference_ci_method = Some(how);
            }
            if let Some((p, how)) = c.test {
                d.p_value = Some(p);
                d.test = Some(how);
            }
            raw.push(d.p_value);
            who.push(i);
        }
        for (i, p) in who.into_iter().zip(u.correction.adjust(&raw)) {
            if let Some(d) = groups[i].disparities.get_mut(&m) {
                d.p_adjusted = p;
            }
        }
    }
}

/// Pearson's chi-square across the published groups, per proportion metric.
fn chi_square_tests(w: &Work, weighted: bool) -> BTreeMap<MetricId, GroupTest> {
    let published = w.published();
    let mut tests = BTreeMap::new();
    for m in MetricId::ALL.into_iter().filter(|m| m.is_proportion()) {
        let rows: Vec<[f64; 2]> = published
            .iter()
            .filter_map(|&i| estimate::proportion_counts(m, &w.stats[i], weighted))
            .map(|c| [c.k_eff, c.n_eff - c.k_eff])
            .collect();
        if let Some(x) = chi_square_independence(&rows) {
            tests.insert(
                m,
                GroupTest {
                    statistic: x.statistic,
                    df: x.df,
                    p_value: x.p_value,
                    method: Method::ChiSquare,
                },
            );
        }
    }
    tests
}

/// fairlearn's summaries of a grouping, with bootstrap intervals.
fn fairlearn_result(
    w: &Work,
    all: &GroupStats,
    boot: Option<(&Distribution, usize)>,
) -> BTreeMap<String, SummaryValue> {
    let all_vals = group_values(all);
    let published: Vec<&[Value; 14]> = w.published().iter().map(|&i| &w.vals[i]).collect();
    let s = fairlearn_of(&published, &all_vals);
    Summary::ALL
        .iter()
        .map(|&k| {
            let b = s.get(k);
            let ci = |to_overall: bool| {
                boot.and_then(|(d, wi)| d.summary_interval(wi, k, to_overall))
                    .map(|(lo, hi)| [lo, hi])
            };
            (
                k.name().to_string(),
                SummaryValue {
                    between_groups: b.between_groups,
                    between_groups_ci: ci(false),
                    to_overall: b.to_overall,
                    to_overall_ci: ci(true),
                },
            )
        })
        .collect()
}

fn with_interval(
    id: MetricId,
    stats: &GroupStats,
    v: Value,
    u: &Uncertainty,
    weighted: bool,
) -> MetricValue {
    let mut mv = MetricValue::from(v);
    if v.get().is_some()
        && let Some((ci, how)) = estimate::metric_interval(id, stats, u, weighted)
    {
        mv.ci_low = Some(ci.low);
        mv.ci_high = Some(ci.high);
        mv.ci_method = Some(how);
    }
    mv
}

fn counts_of(stats: &GroupStats, weighted: bool) -> (Counts, Option<WeightedCounts>) {
    use crate::metric::{FN, FP, TN, TP};
    let c = stats.counts();
    let w = stats.weights();
    (
        Counts {
            tp: c[TP],
            fp: c[FP],
            fn_: c[FN],
            tn: c[TN],
        },
        weighted.then_some(WeightedCounts {
            tp: w[TP],
            fp: w[FP],
            fn_: w[FN],
            tn: w[TN],
        }),
    )
}

fn overall_result(all: &GroupStats, weighted: bool, u: &Uncertainty) -> GroupResult {
    let vals = group_values(all);
    let (counts, weighted_counts) = counts_of(all, weighted);
    GroupResult {
        label: "overall".to_string(),
        levels: vec![],
        suppressed: false,
        withheld: None,
        reference: false,
        n: Some(all.n()),
        weighted_n: weighted.then(|| all.total_weight()),
        counts: Some(counts),
        weighted_counts,
        metrics: MetricId::ALL
            .iter()
            .map(|&m| (m, with_interval(m, all, vals[m as usize], u, weighted)))
            .collect(),
        disparities: BTreeMap::new(),
        aif360: BTreeMap::new(),
        verdicts: BTreeMap::new(),
    }
}

fn group_result(
    cfg: &Config<'_>,
    w: &Work,
    i: usize,
    weighted: bool,
    boot: Option<(&Distribution, usize)>,
) -> GroupResult {
    let label = group::label(&w.keys[i]);
    if w.suppressed[i] {
        return GroupResult {
            label,
            levels: w.keys[i].clone(),
            suppressed: true,
            withheld: Some(match w.withheld[i] {
                Some(Reason::Complementary) => Withheld::Complementary,
                _ => Withheld::Small,
            }),
            reference: false,
            n: None,
            weighted_n: None,
            counts: None,
            weighted_counts: None,
            metrics: BTreeMap::new(),
            disparities: BTreeMap::new(),
            aif360: BTreeMap::new(),
            verdicts: BTreeMap::new(),
        };
    }
    let u = cfg.uncertainty;
    let stats = &w.stats[i];
    let (counts, weighted_counts) = counts_of(stats, weighted);
    let mut metrics_out: BTreeMap<MetricId, MetricValue> = MetricId::ALL
        .iter()
        .map(|&m| {
            (
                m,
                with_interval(m, stats, w.vals[i][m as usize], u, weighted),
            )
        })
        .collect();
    let mut disparities = BTreeMap::new();
    let mut aif360 = BTreeMap::new();
    let is_ref = w.reference == Some(i);
    if let Some(r) = w.reference {
        for m in MetricId::ALL {
            let d = metric::disparity(w.vals[i][m as usize], w.vals[r][m as usize]);
            disparities.insert(
                m,
                DisparityValue {
                    ratio: d.ratio.get(),
                    difference: d.difference.get(),
                    undefined: d.ratio.reason().map(str::to_string),
                    ..DisparityValue::default()
                },
            );
        }
        if !is_ref {
            let rates = |v: &[Value; 14]| PairRates {
                selection_rate: v[MetricId::SelectionRate as usize].get(),
                tpr: v[MetricId::Tpr as usize].get(),
                fpr: v[MetricId::Fpr as usize].get(),
                fnr: v[MetricId::Fnr as usize].get(),
                error_rate: v[MetricId::Accuracy as usize].get().map(|a| 1.0 - a),
            };
            aif360 = summary::aif360(&rates(&w.vals[i]), &rates(&w.vals[r]));
        }
    }
    if let Some((b, wi)) = boot {
        b.fill(wi, i, is_ref, &mut metrics_out, &mut disparities);
    }
    GroupResult {
        label,
        levels: w.keys[i].clone(),
        suppressed: false,
        withheld: None,
        reference: is_ref,
        n: Some(stats.n()),
        weighted_n: weighted.then(|| stats.total_weight()),
        counts: Some(counts),
        weighted_counts,
        metrics: metrics_out,
        disparities,
        aif360,
        verdicts: BTreeMap::new(),
    }
}

/// The empty cells of an intersection: every combination of the levels seen
/// for each attribute, less those with rows.
fn empty_combinations(cfg: &Config<'_>, g: &Grouping, table: &CountTable, w: &Work) -> Vec<String> {
    if g.attributes.len() < 2 {
        return Vec::new();
    }
    let per_attr: Vec<Vec<String>> = g.attributes.iter().map(|&a| table.levels(a)).collect();
    let total: usize = per_attr.iter().map(Vec::len).product();
    if total > 10_000 {
        return Vec::new();
    }
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
    combos.sort_by_cached_key(|k| g.rank_key(cfg.attributes, k));
    combos
        .into_iter()
        .filter(|c| !w.keys.contains(c))
        .map(|c| group::label(&c))
        .collect()
}

/// The metrics without a closed-form interval, which the bootstrap covers,
/// in registry order.
fn bootstrapped() -> Vec<MetricId> {
    MetricId::ALL
        .into_iter()
        .filter(|m| !m.is_proportion())
        .collect()
}
