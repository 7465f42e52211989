//! From counts to results: group metrics, disparities, intervals, tests,
//! the bootstrap, verdicts and findings.
//!
//! Everything here is a pure function of the [`ScanOutput`] and the spec:
//! no file is read, nothing is printed, and the only randomness is the
//! bootstrap's, drawn from the spec's seed.

use std::collections::BTreeMap;

use crate::count::CountTable;
use crate::error::{Error, Result, nearest_names};
use crate::findings::{self, Context, Finding, TradeoffInput};
use crate::metrics::registry::{self, Direction, REGISTRY};
use crate::metrics::summary::{self, PairRates};
use crate::metrics::{self, FN, FP, GroupStats, TN, TP, Value};
use crate::results::*;
use crate::scan::ScanOutput;
use crate::spec::{Grouping, Prediction, ReferenceRule, ValidSpec};
use crate::uncertainty::bootstrap::{Drawn, Resampler, percentile_interval};
use crate::uncertainty::chi_square_independence;
use crate::uncertainty::estimate::{self, method};
use crate::verdict::{self, Evidence, Verdict, VerdictKind};

/// The metrics without a closed-form interval, which the bootstrap covers.
fn bootstrapped() -> Vec<&'static registry::MetricDef> {
    REGISTRY.iter().filter(|m| !m.is_proportion()).collect()
}

/// The fairlearn summary keys, in output order.
const SUMMARY_KEYS: [&str; 6] = [
    "demographic_parity_difference",
    "demographic_parity_ratio",
    "equalized_odds_difference",
    "equalized_odds_difference_mean",
    "equalized_odds_ratio",
    "equalized_odds_ratio_mean",
];

/// One grouping while it is being evaluated.
struct Work {
    keys: Vec<Vec<String>>,
    stats: Vec<GroupStats>,
    suppressed: Vec<bool>,
    vals: Vec<BTreeMap<&'static str, Value>>,
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

fn values(cells: &[f64; 4]) -> BTreeMap<&'static str, Value> {
    REGISTRY
        .iter()
        .map(|m| (m.name, metrics::compute(m, cells)))
        .collect()
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

fn rank_key(spec: &ValidSpec, g: &Grouping, k: &[String]) -> Vec<(usize, u8, String)> {
    k.iter()
        .enumerate()
        .map(|(i, l)| level_rank(spec, g.attributes[i], l))
        .collect()
}

fn reference_key(spec: &ValidSpec, g: &Grouping) -> String {
    if g.attributes.len() == 1 {
        format!("attributes[{}].reference", g.attributes[0])
    } else if spec.source.intersection_reference.contains_key(&g.name) {
        format!("intersection_reference.\"{}\"", g.name)
    } else {
        format!(
            "intersection_reference.\"{}\" (by default the attributes' references joined with `|`)",
            g.name
        )
    }
}

fn prepare(spec: &ValidSpec, g: &Grouping, table: &CountTable) -> Result<Work> {
    let marg = metrics::marginal(table, &g.attributes);
    let mut keys: Vec<Vec<String>> = marg.keys().cloned().collect();
    keys.sort_by_cached_key(|k| rank_key(spec, g, k));
    let index: BTreeMap<&Vec<String>, usize> =
        keys.iter().enumerate().map(|(i, k)| (k, i)).collect();
    let cell_group = table
        .cells()
        .map(|(k, _)| {
            let key: Vec<String> = g.attributes.iter().map(|&a| k.levels[a].clone()).collect();
            index.get(&key).copied().unwrap_or(0)
        })
        .collect();
    let stats: Vec<GroupStats> = keys.iter().map(|k| marg[k]).collect();
    let suppressed: Vec<bool> = stats.iter().map(|s| s.n() < spec.min_group_size).collect();
    let vals: Vec<_> = stats.iter().map(|s| values(&s.weights())).collect();
    let mut w = Work {
        keys,
        stats,
        suppressed,
        vals,
        reference: None,
        cell_group,
    };
    w.reference = choose_reference(spec, g, &w)?;
    Ok(w)
}

fn choose_reference(spec: &ValidSpec, g: &Grouping, w: &Work) -> Result<Option<usize>> {
    let published = w.published();
    let min = spec.min_group_size;
    Ok(match &g.reference {
        ReferenceRule::Named(name) => {
            let labels: Vec<String> = w.keys.iter().map(|k| k.join("|")).collect();
            let Some(i) = labels.iter().position(|x| x == name) else {
                let near = nearest_names(name, &labels, 1);
                return Err(Error::spec(
                    reference_key(spec, g),
                    format!("reference group `{name}` of `{}` does not occur in the data (after the cohort filters)", g.name),
                )
                .with_hint(match near.first() {
                    Some(n) => format!("did you mean `{n}`? The groups are: {}", labels.join(", ")),
                    None => format!("the groups are: {}", labels.join(", ")),
                }));
            };
            if w.suppressed[i] {
                return Err(Error::spec(
                    reference_key(spec, g),
                    format!("reference group `{name}` of `{}` has {} rows, fewer than the minimum group size {min}", g.name, w.stats[i].n()),
                )
                .with_hint("choose a larger reference group, or lower `policy.min_group_size`"));
            }
            Some(i)
        }
        ReferenceRule::Largest => published
            .iter()
            .copied()
            .max_by(|&a, &b| w.stats[a].n().cmp(&w.stats[b].n()).then(b.cmp(&a))),
        ReferenceRule::MostFavourable(metric) => {
            let higher = spec.policy.intervention.direction(metric) == Direction::Higher;
            let mut best: Option<(usize, f64)> = None;
            for &i in &published {
                if let Some(v) = w.vals[i].get(metric).and_then(|v| v.get()) {
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
fn fairlearn_of(
    vals: &[&BTreeMap<&'static str, Value>],
    overall: &BTreeMap<&'static str, Value>,
) -> BTreeMap<String, summary::Both> {
    let pick = |m: &str| -> Vec<Option<f64>> { vals.iter().map(|v| v[m].get()).collect() };
    let (sel, tpr, fpr) = (pick("selection_rate"), pick("tpr"), pick("fpr"));
    summary::fairlearn(
        (&sel, overall["selection_rate"].get()),
        (&tpr, overall["tpr"].get()),
        (&fpr, overall["fpr"].get()),
    )
}

/// Bootstrap replicate values of each grouping: per group, per bootstrapped
/// metric, (value, ratio, difference); then per summary (between groups, to
/// overall). `cell_cm` is the confusion cell (TP, FP, FN, TN) of each table
/// cell. Only the metrics needed are computed: this runs B times.
fn replicate_stats(
    works: &[Work],
    cell_cm: &[usize],
    drawn: &[Drawn],
    boot: &[&'static registry::MetricDef],
) -> Vec<Vec<Option<f64>>> {
    let def = |name: &str| registry::find(name).unwrap_or(&REGISTRY[0]);
    let (sel, tpr, fpr) = (def("selection_rate"), def("tpr"), def("fpr"));
    let summary_of = |cells: &[f64; 4]| {
        [
            metrics::compute(sel, cells),
            metrics::compute(tpr, cells),
            metrics::compute(fpr, cells),
        ]
    };
    let mut out = Vec::with_capacity(works.len());
    for w in works {
        let mut cells = vec![[0.0f64; 4]; w.keys.len()];
        for (i, d) in drawn.iter().enumerate() {
            cells[w.cell_group[i]][cell_cm[i]] += d.weight;
        }
        let vals: Vec<Vec<Value>> = cells
            .iter()
            .map(|c| boot.iter().map(|m| metrics::compute(m, c)).collect())
            .collect();
        let mut row = Vec::with_capacity(w.keys.len() * boot.len() * 3 + 2 * SUMMARY_KEYS.len());
        for (gi, v) in vals.iter().enumerate() {
            for (j, x) in v.iter().enumerate() {
                row.push(x.get());
                match w.reference {
                    Some(r) if r != gi && !w.suppressed[gi] => {
                        let d = metrics::disparity(*x, vals[r][j]);
                        row.push(d.ratio.get());
                        row.push(d.difference.get());
                    }
                    _ => {
                        row.push(None);
                        row.push(None);
                    }
                }
            }
        }
        let mut total = [0.0f64; 4];
        for c in &cells {
            for j in 0..4 {
                total[j] += c[j];
            }
        }
        let overall = summary_of(&total);
        let published: Vec<[Value; 3]> = w
            .published()
            .iter()
            .map(|&i| summary_of(&cells[i]))
            .collect();
        let pick =
            |k: usize| -> Vec<Option<f64>> { published.iter().map(|v| v[k].get()).collect() };
        let s = summary::fairlearn(
            (&pick(0), overall[0].get()),
            (&pick(1), overall[1].get()),
            (&pick(2), overall[2].get()),
        );
        for k in SUMMARY_KEYS {
            row.push(s[k].between_groups);
            row.push(s[k].to_overall);
        }
        out.push(row);
    }
    out
}

/// Builds the results of `spec` from the scan.
pub fn evaluate(spec: &ValidSpec, scan: &ScanOutput) -> Result<Results> {
    let u = &spec.uncertainty;
    let policy = &spec.policy;
    let weighted = scan.weighted;
    let table = &scan.table;
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

    let all = metrics::overall(table);
    let all_vals = values(&all.weights());
    let mut works = Vec::new();
    for g in &spec.groupings {
        works.push(prepare(spec, g, table)?);
    }

    // The bootstrap, over all groupings at once.
    let boot_metrics = bootstrapped();
    let boot: Option<Vec<Vec<Vec<Option<f64>>>>> = u.bootstrap.map(|b| {
        let cell_cm: Vec<usize> = table
            .cells()
            .map(|(k, _)| metrics::cell_index(k.truth, k.pred))
            .collect();
        let resampler = Resampler::new(table, b.stratified);
        let reps = resampler.run(b.replicates, b.seed, |drawn| {
            replicate_stats(&works, &cell_cm, drawn, &boot_metrics)
        });
        // Transpose to [grouping][position][replicate].
        works
            .iter()
            .enumerate()
            .map(|(wi, _)| {
                let width = reps.first().map_or(0, |r| r[wi].len());
                (0..width)
                    .map(|p| reps.iter().map(|r| r[wi][p]).collect())
                    .collect()
            })
            .collect()
    });
    let boot_ci = |wi: usize, pos: usize| -> Option<(f64, f64)> {
        let b = boot.as_ref()?;
        percentile_interval(&b[wi][pos], u.level).map(|(lo, hi, _)| (lo, hi))
    };

    let mut groupings = Vec::new();
    let mut all_verdicts: Vec<VerdictKind> = Vec::new();
    let mut findings: Vec<(VerdictKind, usize, Finding)> = Vec::new();
    let mut tradeoffs = Vec::new();
    for (wi, (g, w)) in spec.groupings.iter().zip(&works).enumerate() {
        let published = w.published();
        let n_groups = w.keys.len();
        if n_groups == 1 {
            warnings.push(format!(
                "grouping `{}` has a single group (`{}`): there is nothing to compare it with",
                g.name,
                w.keys[0].join("|")
            ));
        }
        let suppressed = n_groups - published.len();
        if suppressed > 0 {
            warnings.push(format!(
                "grouping `{}`: {suppressed} group(s) with fewer than {} rows are suppressed (numbers withheld, no verdict)",
                g.name, spec.min_group_size
            ));
        }
        if w.reference.is_none() && n_groups > 1 {
            warnings.push(format!("grouping `{}` has no published group to serve as reference: no disparities are reported", g.name));
        }
        let mut groups: Vec<GroupResult> = Vec::with_capacity(n_groups);
        for i in 0..n_groups {
            groups.push(group_result(
                w,
                i,
                spec,
                weighted,
                wi,
                &boot_metrics,
                &boot_ci,
            ));
        }
        // Comparisons, corrected per family (this grouping × one metric).
        if let Some(r) = w.reference {
            for m in REGISTRY.iter().filter(|m| m.is_proportion()) {
                let mut raw: Vec<Option<f64>> = Vec::new();
                let mut who: Vec<usize> = Vec::new();
                for &i in &published {
                    if i == r {
                        continue;
                    }
                    let c = estimate::compare(m, &w.stats[i], &w.stats[r], u, weighted);
                    let d = groups[i].disparities.entry(m.name.to_string()).or_default();
                    if let Some((ci, how)) = c.ratio {
                        d.ratio_ci_low = Some(ci.low);
                        d.ratio_ci_high = Some(ci.high);
                        d.ratio_ci_method = Some(how.to_string());
                    }
                    if let Some((ci, how)) = c.difference {
                        d.difference_ci_low = Some(ci.low);
                        d.difference_ci_high = Some(ci.high);
                        d.difference_ci_method = Some(how.to_string());
                    }
                    if let Some((p, how)) = c.test {
                        d.p_value = Some(p);
                        d.test = Some(how.to_string());
                    }
                    raw.push(d.p_value);
                    who.push(i);
                }
                for (i, p) in who.into_iter().zip(u.correction.adjust(&raw)) {
                    if let Some(d) = groups[i].disparities.get_mut(m.name) {
                        d.p_adjusted = p;
                    }
                }
            }
        }
        // Chi-square across the published groups.
        let mut tests = BTreeMap::new();
        for m in REGISTRY.iter().filter(|m| m.is_proportion()) {
            let rows: Vec<[f64; 2]> = published
                .iter()
                .filter_map(|&i| estimate::proportion_counts(m, &w.stats[i], weighted))
                .map(|c| [c.k_eff, c.n_eff - c.k_eff])
                .collect();
            if let Some(x) = chi_square_independence(&rows) {
                tests.insert(
                    m.name.to_string(),
                    GroupTest {
                        statistic: x.statistic,
                        df: x.df,
                        p_value: x.p_value,
                        method: method::CHI_SQUARE.to_string(),
                    },
                );
            }
        }
        // Verdicts on the primary metrics.
        if let Some(r) = w.reference {
            for i in 0..n_groups {
                if i == r {
                    continue;
                }
                for &m in &policy.primary {
                    let v =
                        if w.suppressed[i] {
                            Verdict::insufficient(format!(
                                "the group has fewer than {} rows: its numbers are withheld",
                                spec.min_group_size
                            ))
                        } else {
                            let d = groups[i].disparities.get(m).cloned().unwrap_or_default();
                            let pair = |a: Option<f64>, b: Option<f64>| {
                                Some(crate::uncertainty::Interval { low: a?, high: b? })
                            };
                            let e = Evidence {
                                ratio: pair(d.ratio_ci_low, d.ratio_ci_high),
                                difference: pair(d.difference_ci_low, d.difference_ci_high),
                                p_adjusted: d.p_adjusted,
                            };
                            let tol = policy.tolerances.get(m).copied().unwrap_or(
                                crate::policy::Tolerance {
                                    ratio: Some(crate::policy::DEFAULT_RATIO_BAND),
                                    difference: None,
                                },
                            );
                            let v = if groups[i].metrics.get(m).and_then(|x| x.value).is_none() {
                                Verdict::insufficient("the metric is undefined for the group")
                            } else {
                                verdict::judge(&tol, &e, policy.alpha)
                            };
                            if matches!(v.verdict, VerdictKind::Fail | VerdictKind::Inconclusive) {
                                let ci = |a: Option<f64>, b: Option<f64>| Some((a?, b?));
                                let c = Context {
                                    grouping: &g.name,
                                    group: &groups[i].label,
                                    reference: &groups[r].label,
                                    metric: m,
                                    value: groups[i].metric(m),
                                    reference_value: groups[r].metric(m),
                                    ratio: d.ratio,
                                    ratio_ci: ci(d.ratio_ci_low, d.ratio_ci_high),
                                    difference: d.difference,
                                    difference_ci: ci(d.difference_ci_low, d.difference_ci_high),
                                    level: u.level,
                                    verdict: &v,
                                    wording: &spec.wording,
                                };
                                findings.push((
                                    v.verdict,
                                    wi,
                                    Finding {
                                        grouping: g.name.clone(),
                                        group: groups[i].label.clone(),
                                        metric: m.to_string(),
                                        verdict: v.verdict,
                                        text: findings::sentence(&c),
                                    },
                                ));
                            }
                            v
                        };
                    all_verdicts.push(v.verdict);
                    groups[i].verdicts.insert(m.to_string(), v);
                }
            }
        }
        // The trade-off, for single attributes.
        if g.attributes.len() == 1
            && let Some(r) = w.reference
        {
            let ratios = |m: &str| -> Vec<f64> {
                published
                    .iter()
                    .filter(|&&i| i != r)
                    .filter_map(|&i| groups[i].disparities.get(m).and_then(|d| d.ratio))
                    .collect()
            };
            let input = TradeoffInput {
                grouping: &g.name,
                base_rates: published
                    .iter()
                    .filter_map(|&i| {
                        Some((groups[i].label.as_str(), groups[i].metric("base_rate")?))
                    })
                    .collect(),
                base_rate_p: tests.get("base_rate").map(|t: &GroupTest| t.p_value),
                ppv_ratios: ratios("ppv"),
                fpr_ratios: ratios("fpr"),
                fnr_ratios: ratios("fnr"),
            };
            if let Some(t) = findings::tradeoff(&input, policy.intervention, policy.alpha) {
                tradeoffs.push(t);
            }
        }
        // fairlearn summaries with bootstrap intervals.
        let pv: Vec<&BTreeMap<&'static str, Value>> =
            published.iter().map(|&i| &w.vals[i]).collect();
        let s = fairlearn_of(&pv, &all_vals);
        let base = n_groups * boot_metrics.len() * 3;
        let fairlearn = SUMMARY_KEYS
            .iter()
            .enumerate()
            .map(|(j, k)| {
                let b = s[*k];
                (
                    k.to_string(),
                    SummaryValue {
                        between_groups: b.between_groups,
                        between_groups_ci: boot_ci(wi, base + 2 * j).map(|(a, b)| [a, b]),
                        to_overall: b.to_overall,
                        to_overall_ci: boot_ci(wi, base + 2 * j + 1).map(|(a, b)| [a, b]),
                    },
                )
            })
            .collect();
        groupings.push(GroupingResult {
            name: g.name.clone(),
            attributes: g
                .attributes
                .iter()
                .map(|&a| spec.attributes[a].name.clone())
                .collect(),
            reference: w.reference.map(|r| ReferenceInfo {
                group: groups[r].label.clone(),
                rule: g.reference.describe(),
            }),
            empty_combinations: empty_combinations(spec, g, table, w),
            groups,
            tests,
            fairlearn,
        });
    }
    findings.sort_by_key(|(v, wi, _)| (std::cmp::Reverse(*v == VerdictKind::Fail), *wi));

    let overall_kind = verdict::overall(&all_verdicts);
    let count = |k: VerdictKind| all_verdicts.iter().filter(|v| **v == k).count() as u64;
    let fails_audit = match policy.fail_on {
        crate::policy::FailOn::Fail => overall_kind == VerdictKind::Fail,
        crate::policy::FailOn::Inconclusive => overall_kind != VerdictKind::Pass,
    };

    // Coverage: attributes and their "not stated" rows. The first groupings
    // are the single attributes, in attribute order (`AuditSpec::check`), so
    // their groups are already counted.
    let used = table.total().count;
    let cov_input: Vec<(String, Option<String>, u64)> = spec
        .attributes
        .iter()
        .zip(&works)
        .map(|(a, w)| {
            let ns: u64 = w
                .keys
                .iter()
                .zip(&w.stats)
                .filter(|(k, _)| findings::is_not_stated(&k[0], &a.missing_label))
                .map(|(_, s)| s.n())
                .sum();
            (a.name.clone(), a.characteristic.clone(), ns)
        })
        .collect();

    let mut notes = Vec::new();
    if weighted {
        notes.push("Sample weights are used: rates are weighted; binomial intervals and tests use each group's Kish effective sample size; Fisher's exact test is not used; the bootstrap resamples cells with their mean weight.".to_string());
    }
    notes.push("A ratio whose interval needs a zero count is computed with 0.5 added to each count and 1 to each total (stated in its method).".to_string());
    notes.push("Groups below the minimum size are left out of every test, correction, summary and verdict.".to_string());

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
                favourable: match policy.intervention.direction(m.name) {
                    Direction::Higher => "higher",
                    Direction::Lower => "lower",
                    Direction::Context => "context",
                }
                .to_string(),
                criterion: m.criterion.to_string(),
            })
            .collect(),
        overall: overall_result(&all, weighted, u),
        groupings,
        uncertainty: UncertaintyInfo {
            level: u.level,
            proportion_interval: match (u.interval, weighted) {
                (crate::spec::IntervalMethod::Wilson, false) => method::WILSON,
                (crate::spec::IntervalMethod::Wilson, true) => method::WILSON_KISH,
                (crate::spec::IntervalMethod::ClopperPearson, false) => method::CLOPPER_PEARSON,
                (crate::spec::IntervalMethod::ClopperPearson, true) => method::CLOPPER_PEARSON_KISH,
            }
            .to_string(),
            ratio_interval: method::KATZ.to_string(),
            difference_interval: method::NEWCOMBE.to_string(),
            test: if weighted {
                method::Z_KISH.to_string()
            } else {
                format!("{}; {}", method::Z, method::FISHER)
            },
            correction: u.correction.name().to_string(),
            bootstrap: u.bootstrap.map(|b| BootstrapInfo {
                replicates: b.replicates,
                seed: b.seed,
                stratified: b.stratified,
                resampling: if b.stratified {
                    "multinomial over count-table cells within each combination of attribute levels"
                        .to_string()
                } else {
                    "multinomial over count-table cells (equivalent to resampling rows)".to_string()
                },
            }),
            notes,
        },
        policy: PolicyInfo {
            intervention: policy.intervention.name().to_string(),
            first_criterion: policy.intervention.first_criterion().to_string(),
            primary: policy.primary.iter().map(|m| m.to_string()).collect(),
            tolerances: policy
                .tolerances
                .iter()
                .map(|(m, t)| {
                    (
                        m.to_string(),
                        ToleranceInfo {
                            ratio: t.ratio.map(|(a, b)| [a, b]),
                            difference: t.difference,
                        },
                    )
                })
                .collect(),
            alpha: policy.alpha,
            fail_on: match policy.fail_on {
                crate::policy::FailOn::Fail => "fail",
                crate::policy::FailOn::Inconclusive => "inconclusive",
            }
            .to_string(),
            min_group_size: spec.min_group_size,
        },
        verdict: OverallVerdict {
            verdict: overall_kind,
            fails_audit,
            pass: count(VerdictKind::Pass),
            fail: count(VerdictKind::Fail),
            inconclusive: count(VerdictKind::Inconclusive),
            insufficient_data: count(VerdictKind::InsufficientData),
        },
        findings: findings.into_iter().map(|(_, _, f)| f).collect(),
        tradeoffs,
        coverage: findings::coverage(&cov_input, used),
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

fn with_interval(
    def: &registry::MetricDef,
    stats: &GroupStats,
    v: Value,
    u: &crate::spec::Uncertainty,
    weighted: bool,
) -> MetricValue {
    let mut mv = MetricValue::from(v);
    if v.get().is_some()
        && let Some((ci, how)) = estimate::metric_interval(def, stats, u, weighted)
    {
        mv.ci_low = Some(ci.low);
        mv.ci_high = Some(ci.high);
        mv.ci_method = Some(how.to_string());
    }
    mv
}

fn counts_of(stats: &GroupStats, weighted: bool) -> (Counts, Option<WeightedCounts>) {
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

fn overall_result(all: &GroupStats, weighted: bool, u: &crate::spec::Uncertainty) -> GroupResult {
    let vals = values(&all.weights());
    let (counts, weighted_counts) = counts_of(all, weighted);
    GroupResult {
        label: "overall".to_string(),
        levels: vec![],
        suppressed: false,
        reference: false,
        n: Some(all.n()),
        weighted_n: weighted.then(|| all.total_weight()),
        counts: Some(counts),
        weighted_counts,
        metrics: REGISTRY
            .iter()
            .map(|m| {
                (
                    m.name.to_string(),
                    with_interval(m, all, vals[m.name], u, weighted),
                )
            })
            .collect(),
        disparities: BTreeMap::new(),
        aif360: BTreeMap::new(),
        verdicts: BTreeMap::new(),
    }
}

fn group_result(
    w: &Work,
    i: usize,
    spec: &ValidSpec,
    weighted: bool,
    wi: usize,
    boot_metrics: &[&'static registry::MetricDef],
    boot_ci: &dyn Fn(usize, usize) -> Option<(f64, f64)>,
) -> GroupResult {
    let label = w.keys[i].join("|");
    if w.suppressed[i] {
        return GroupResult {
            label,
            levels: w.keys[i].clone(),
            suppressed: true,
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
    let u = &spec.uncertainty;
    let stats = &w.stats[i];
    let (counts, weighted_counts) = counts_of(stats, weighted);
    let mut metrics_out: BTreeMap<String, MetricValue> = REGISTRY
        .iter()
        .map(|m| {
            (
                m.name.to_string(),
                with_interval(m, stats, w.vals[i][m.name], u, weighted),
            )
        })
        .collect();
    let mut disparities = BTreeMap::new();
    let mut aif360 = BTreeMap::new();
    let is_ref = w.reference == Some(i);
    if let Some(r) = w.reference {
        for m in REGISTRY {
            let d = metrics::disparity(w.vals[i][m.name], w.vals[r][m.name]);
            disparities.insert(
                m.name.to_string(),
                DisparityValue {
                    ratio: d.ratio.get(),
                    difference: d.difference.get(),
                    undefined: d.ratio.reason().map(str::to_string),
                    ..DisparityValue::default()
                },
            );
        }
        if !is_ref {
            let rates = |v: &BTreeMap<&'static str, Value>| PairRates {
                selection_rate: v["selection_rate"].get(),
                tpr: v["tpr"].get(),
                fpr: v["fpr"].get(),
                fnr: v["fnr"].get(),
                error_rate: v["accuracy"].get().map(|a| 1.0 - a),
            };
            aif360 = summary::aif360(&rates(&w.vals[i]), &rates(&w.vals[r]));
        }
    }
    // Bootstrap intervals for the metrics without a closed form.
    for (j, m) in boot_metrics.iter().enumerate() {
        let pos = (i * boot_metrics.len() + j) * 3;
        if let Some(mv) = metrics_out.get_mut(m.name)
            && mv.value.is_some()
            && let Some((lo, hi)) = boot_ci(wi, pos)
        {
            mv.ci_low = Some(lo);
            mv.ci_high = Some(hi);
            mv.ci_method = Some(method::BOOTSTRAP.to_string());
        }
        if !is_ref && let Some(d) = disparities.get_mut(m.name) {
            if d.ratio.is_some()
                && let Some((lo, hi)) = boot_ci(wi, pos + 1)
            {
                d.ratio_ci_low = Some(lo);
                d.ratio_ci_high = Some(hi);
                d.ratio_ci_method = Some(method::BOOTSTRAP.to_string());
            }
            if d.difference.is_some()
                && let Some((lo, hi)) = boot_ci(wi, pos + 2)
            {
                d.difference_ci_low = Some(lo);
                d.difference_ci_high = Some(hi);
                d.difference_ci_method = Some(method::BOOTSTRAP.to_string());
            }
        }
    }
    GroupResult {
        label,
        levels: w.keys[i].clone(),
        suppressed: false,
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
fn empty_combinations(spec: &ValidSpec, g: &Grouping, table: &CountTable, w: &Work) -> Vec<String> {
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
    combos.sort_by_cached_key(|k| rank_key(spec, g, k));
    combos
        .into_iter()
        .filter(|c| !w.keys.contains(c))
        .map(|c| c.join("|"))
        .collect()
}
