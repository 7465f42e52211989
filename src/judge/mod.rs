//! Judgement: from the analyses' numbers to verdicts, findings in words,
//! the trade-off explanation, coverage notes and the overall verdict.
//!
//! * [`policy`] — what kind of intervention, which metrics decide, how much
//!   disparity is tolerated;
//! * [`verdict`] — the equivalence rule that turns an interval and a
//!   corrected test into pass, fail, inconclusive or insufficient data;
//! * [`findings`], [`tradeoff`], [`coverage`] — the committee's sentences.
//!
//! The judge reads the results sections the analyses made and writes its
//! verdicts into them; it computes no statistic of its own.

pub mod coverage;
pub mod findings;
pub mod policy;
pub mod tradeoff;
pub mod verdict;

use crate::group::Attribute;
use crate::metric::MetricId;
use crate::results::{
    Coverage, FailOn, Finding, GroupingResult, OverallVerdict, Tradeoff, Verdict, VerdictKind,
    Withheld, confusion::Section,
};
use crate::stats::Interval;

use self::findings::{Context, Wording};
use self::policy::Policy;
use self::tradeoff::TradeoffInput;
use self::verdict::Evidence;

/// What the judge needs to know of an audit.
#[derive(Debug, Clone, Copy)]
pub struct Config<'a> {
    /// The policy.
    pub policy: &'a Policy,
    /// How findings name the outcome and the decision.
    pub wording: &'a Wording,
    /// The confidence level of the intervals (for the sentences).
    pub level: f64,
    /// Groups with fewer rows are suppressed.
    pub min_group_size: u64,
    /// The protected attributes (for coverage).
    pub attributes: &'a [Attribute],
}

/// What the judge adds to the numbers.
#[derive(Debug, Clone)]
pub struct Judgement {
    /// The overall verdict.
    pub verdict: OverallVerdict,
    /// One sentence per failed or inconclusive verdict, failures first.
    pub findings: Vec<Finding>,
    /// The calibration / error-rate trade-off, per single attribute.
    pub tradeoffs: Vec<Tradeoff>,
    /// What the audit could and could not examine.
    pub coverage: Coverage,
}

/// Judges the confusion section: writes each group's verdicts on the
/// primary metrics into it and returns the findings, trade-offs, coverage
/// and the overall verdict. `attribute_groups` holds each attribute's
/// groups with their rows (suppressed ones too), for coverage.
pub fn judge(
    cfg: &Config<'_>,
    section: &mut Section,
    attribute_groups: &[Vec<(String, u64, bool)>],
) -> Judgement {
    let mut all_verdicts: Vec<VerdictKind> = Vec::new();
    let mut findings: Vec<(VerdictKind, usize, Finding)> = Vec::new();
    let mut tradeoffs = Vec::new();
    for (wi, g) in section.groupings.iter_mut().enumerate() {
        for (kind, finding) in judge_grouping(cfg, g, &mut all_verdicts) {
            findings.push((kind, wi, finding));
        }
        if g.attributes.len() == 1
            && let Some(t) = tradeoff_of(cfg, g)
        {
            tradeoffs.push(t);
        }
    }
    findings.sort_by_key(|(v, wi, _)| (std::cmp::Reverse(*v == VerdictKind::Fail), *wi));
    let overall_kind = verdict::overall(&all_verdicts);
    let count = |k: VerdictKind| all_verdicts.iter().filter(|v| **v == k).count() as u64;
    let fails_audit = match cfg.policy.fail_on {
        FailOn::Fail => overall_kind == VerdictKind::Fail,
        FailOn::Inconclusive => overall_kind != VerdictKind::Pass,
    };
    let used = section.overall.n.unwrap_or(0);
    let cov_input: Vec<(String, Option<String>, Option<u64>)> = cfg
        .attributes
        .iter()
        .zip(attribute_groups)
        .map(|(a, groups)| {
            let not_stated: Vec<&(String, u64, bool)> = groups
                .iter()
                .filter(|(label, _, _)| coverage::is_not_stated(label, &a.missing_label))
                .collect();
            // A withheld group's rows are not given away here either.
            let ns = if not_stated.iter().any(|(_, _, hidden)| *hidden) {
                None
            } else {
                Some(not_stated.iter().map(|(_, n, _)| n).sum())
            };
            (a.name.clone(), a.characteristic.clone(), ns)
        })
        .collect();
    Judgement {
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
        coverage: coverage::coverage(&cov_input, used),
    }
}

/// The verdicts of one grouping's groups on the primary metrics, written
/// into the groups; returns the findings of those that failed or were
/// inconclusive.
fn judge_grouping(
    cfg: &Config<'_>,
    g: &mut GroupingResult,
    all_verdicts: &mut Vec<VerdictKind>,
) -> Vec<(VerdictKind, Finding)> {
    let mut out = Vec::new();
    let Some(r) = g.groups.iter().position(|x| x.reference) else {
        return out;
    };
    for i in 0..g.groups.len() {
        if i == r {
            continue;
        }
        for &m in &cfg.policy.primary {
            let v = if g.groups[i].suppressed {
                Verdict::insufficient(match g.groups[i].withheld {
                    Some(Withheld::Complementary) => "its numbers are withheld so that a smaller group's numbers cannot be worked out by subtraction".to_string(),
                    _ => format!(
                        "the group has fewer than {} rows: its numbers are withheld",
                        cfg.min_group_size
                    ),
                })
            } else {
                let v = verdict_of(cfg, g, i, m);
                if matches!(v.verdict, VerdictKind::Fail | VerdictKind::Inconclusive) {
                    out.push((v.verdict, finding(cfg, g, i, r, m, &v)));
                }
                v
            };
            all_verdicts.push(v.verdict);
            g.groups[i].verdicts.insert(m, v);
        }
    }
    out
}

fn pair(a: Option<f64>, b: Option<f64>) -> Option<Interval> {
    Some(Interval { low: a?, high: b? })
}

fn verdict_of(cfg: &Config<'_>, g: &GroupingResult, i: usize, m: MetricId) -> Verdict {
    if g.groups[i].metric(m).is_none() {
        return Verdict::insufficient("the metric is undefined for the group");
    }
    let d = g.groups[i].disparities.get(&m).cloned().unwrap_or_default();
    let e = Evidence {
        ratio: pair(d.ratio_ci_low, d.ratio_ci_high),
        difference: pair(d.difference_ci_low, d.difference_ci_high),
        p_adjusted: d.p_adjusted,
    };
    verdict::judge(&cfg.policy.tolerance(m), &e, cfg.policy.alpha)
}

fn finding(
    cfg: &Config<'_>,
    g: &GroupingResult,
    i: usize,
    r: usize,
    m: MetricId,
    v: &Verdict,
) -> Finding {
    let d = g.groups[i].disparities.get(&m).cloned().unwrap_or_default();
    let ci = |a: Option<f64>, b: Option<f64>| Some((a?, b?));
    let c = Context {
        grouping: &g.name,
        group: &g.groups[i].label,
        reference: &g.groups[r].label,
        metric: m,
        value: g.groups[i].metric(m),
        reference_value: g.groups[r].metric(m),
        ratio: d.ratio,
        ratio_ci: ci(d.ratio_ci_low, d.ratio_ci_high),
        difference: d.difference,
        level: cfg.level,
        verdict: v,
        wording: cfg.wording,
    };
    Finding {
        grouping: g.name.clone(),
        group: g.groups[i].label.clone(),
        metric: m,
        verdict: v.verdict,
        text: findings::sentence(&c),
    }
}

/// The trade-off of a single attribute's grouping.
fn tradeoff_of(cfg: &Config<'_>, g: &GroupingResult) -> Option<Tradeoff> {
    let r = g.groups.iter().position(|x| x.reference)?;
    let published: Vec<usize> = (0..g.groups.len())
        .filter(|&i| !g.groups[i].suppressed)
        .collect();
    let ratios = |m: MetricId| -> Vec<f64> {
        published
            .iter()
            .filter(|&&i| i != r)
            .filter_map(|&i| g.groups[i].disparities.get(&m).and_then(|d| d.ratio))
            .collect()
    };
    let input = TradeoffInput {
        grouping: &g.name,
        base_rates: published
            .iter()
            .filter_map(|&i| {
                Some((
                    g.groups[i].label.as_str(),
                    g.groups[i].metric(MetricId::BaseRate)?,
                ))
            })
            .collect(),
        base_rate_p: g.tests.get(&MetricId::BaseRate).map(|t| t.p_value),
        ppv_ratios: ratios(MetricId::Ppv),
        fpr_ratios: ratios(MetricId::Fpr),
        fnr_ratios: ratios(MetricId::Fnr),
    };
    tradeoff::tradeoff(&input, cfg.policy.intervention, cfg.policy.alpha)
}
