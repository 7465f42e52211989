//! Summary disparity measures as the peer libraries define them, so that an
//! audit can be checked against (and quoted alongside) fairlearn and AIF360.
//!
//! * fairlearn (Bird et al. 2020): `demographic_parity_difference/ratio` and
//!   `equalized_odds_difference/ratio` (aggregated by worst case or mean),
//!   each `between_groups` (max − min, min / max) or `to_overall` (largest
//!   gap to, or smallest ratio with, the whole population).
//! * AIF360 (Bellamy et al. 2018): for a privileged group p (our reference)
//!   and an unprivileged group u: `statistical_parity_difference` SR_u − SR_p,
//!   `disparate_impact` SR_u / SR_p, `equal_opportunity_difference`
//!   TPR_u − TPR_p, `average_odds_difference` ½[(FPR_u − FPR_p) + (TPR_u −
//!   TPR_p)], and a few more.
//!
//! Where a peer would put 0.0 (fairlearn) or infinity (AIF360) for an
//! undefined rate, the value here is undefined (`null`): a group whose rate
//! is undefined is left out of a between-groups summary rather than counted
//! as 0.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// A fairlearn-style summary, both ways.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Both {
    /// Across the groups: max − min (difference) or min / max (ratio).
    pub between_groups: Option<f64>,
    /// Against the whole population.
    pub to_overall: Option<f64>,
}

fn defined(values: &[Option<f64>]) -> Vec<f64> {
    values.iter().flatten().copied().collect()
}

/// fairlearn's `difference`: `between_groups` = max − min;
/// `to_overall` = max |m_g − m_overall|.
pub fn difference(groups: &[Option<f64>], overall: Option<f64>) -> Both {
    let v = defined(groups);
    if v.is_empty() {
        return Both::default();
    }
    let max = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let min = v.iter().copied().fold(f64::INFINITY, f64::min);
    Both {
        between_groups: Some(max - min),
        to_overall: overall.map(|o| v.iter().map(|g| (g - o).abs()).fold(0.0, f64::max)),
    }
}

/// fairlearn's `ratio`: `between_groups` = min / max; `to_overall` = min over
/// groups of m_g / m_overall, inverted when above 1. Undefined when a
/// denominator is 0.
pub fn ratio(groups: &[Option<f64>], overall: Option<f64>) -> Both {
    let v = defined(groups);
    if v.is_empty() {
        return Both::default();
    }
    let max = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let min = v.iter().copied().fold(f64::INFINITY, f64::min);
    let between_groups = if max > 0.0 { Some(min / max) } else { None };
    let to_overall = match overall {
        Some(o) if o > 0.0 => {
            let mut best = f64::INFINITY;
            let mut ok = true;
            for g in &v {
                let r = g / o;
                let r = if r > 1.0 {
                    if *g > 0.0 { o / g } else { f64::NAN }
                } else {
                    r
                };
                if r.is_nan() {
                    ok = false;
                }
                best = best.min(r);
            }
            if ok { Some(best) } else { None }
        }
        _ => None,
    };
    Both {
        between_groups,
        to_overall,
    }
}

fn combine(a: Option<f64>, b: Option<f64>, f: fn(f64, f64) -> f64) -> Option<f64> {
    Some(f(a?, b?))
}

/// The fairlearn summary measures, in output (alphabetical) order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Summary {
    /// `demographic_parity_difference`: selection-rate max − min.
    DemographicParityDifference,
    /// `demographic_parity_ratio`: selection-rate min / max.
    DemographicParityRatio,
    /// `equalized_odds_difference`: the larger of the TPR and FPR differences.
    EqualizedOddsDifference,
    /// `equalized_odds_difference_mean`: their mean.
    EqualizedOddsDifferenceMean,
    /// `equalized_odds_ratio`: the smaller of the TPR and FPR ratios.
    EqualizedOddsRatio,
    /// `equalized_odds_ratio_mean`: their mean.
    EqualizedOddsRatioMean,
}

impl Summary {
    /// Every summary, in output order.
    pub const ALL: [Summary; 6] = [
        Summary::DemographicParityDifference,
        Summary::DemographicParityRatio,
        Summary::EqualizedOddsDifference,
        Summary::EqualizedOddsDifferenceMean,
        Summary::EqualizedOddsRatio,
        Summary::EqualizedOddsRatioMean,
    ];

    /// fairlearn's name.
    pub fn name(self) -> &'static str {
        match self {
            Summary::DemographicParityDifference => "demographic_parity_difference",
            Summary::DemographicParityRatio => "demographic_parity_ratio",
            Summary::EqualizedOddsDifference => "equalized_odds_difference",
            Summary::EqualizedOddsDifferenceMean => "equalized_odds_difference_mean",
            Summary::EqualizedOddsRatio => "equalized_odds_ratio",
            Summary::EqualizedOddsRatioMean => "equalized_odds_ratio_mean",
        }
    }
}

/// fairlearn's summaries of one grouping, indexed by [`Summary`].
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Summaries([Both; 6]);

impl Summaries {
    /// The value of summary `s`.
    pub fn get(&self, s: Summary) -> Both {
        self.0[s as usize]
    }
}

/// fairlearn's demographic-parity and equalized-odds summaries from each
/// published group's selection rate, TPR and FPR (and the overall ones):
/// `between_groups` and `to_overall`, each aggregated by worst case and, for
/// equalized odds, by mean.
pub fn fairlearn(
    selection: (&[Option<f64>], Option<f64>),
    tpr: (&[Option<f64>], Option<f64>),
    fpr: (&[Option<f64>], Option<f64>),
) -> Summaries {
    let dp_d = difference(selection.0, selection.1);
    let dp_r = ratio(selection.0, selection.1);
    let tpr_d = difference(tpr.0, tpr.1);
    let fpr_d = difference(fpr.0, fpr.1);
    let tpr_r = ratio(tpr.0, tpr.1);
    let fpr_r = ratio(fpr.0, fpr.1);
    let both = |a: Both, b: Both, f: fn(f64, f64) -> f64| Both {
        between_groups: combine(a.between_groups, b.between_groups, f),
        to_overall: combine(a.to_overall, b.to_overall, f),
    };
    let mean = |a: f64, b: f64| (a + b) / 2.0;
    Summaries([
        dp_d,
        dp_r,
        both(tpr_d, fpr_d, f64::max),
        both(tpr_d, fpr_d, mean),
        both(tpr_r, fpr_r, f64::min),
        both(tpr_r, fpr_r, mean),
    ])
}

/// The rates AIF360's pairwise measures need, for one group.
#[derive(Debug, Clone, Copy, Default)]
pub struct PairRates {
    /// Selection rate.
    pub selection_rate: Option<f64>,
    /// True positive rate.
    pub tpr: Option<f64>,
    /// False positive rate.
    pub fpr: Option<f64>,
    /// False negative rate.
    pub fnr: Option<f64>,
    /// Error rate, 1 − accuracy.
    pub error_rate: Option<f64>,
}

/// AIF360's pairwise measures of an unprivileged group `u` against the
/// privileged (reference) group `p`, keyed by AIF360's method names.
pub fn aif360(u: &PairRates, p: &PairRates) -> BTreeMap<String, Option<f64>> {
    let diff = |a: Option<f64>, b: Option<f64>| Some(a? - b?);
    let div = |a: Option<f64>, b: Option<f64>| {
        let (a, b) = (a?, b?);
        if b != 0.0 { Some(a / b) } else { None }
    };
    let d_fpr = diff(u.fpr, p.fpr);
    let d_tpr = diff(u.tpr, p.tpr);
    let mut out = BTreeMap::new();
    out.insert(
        "statistical_parity_difference".to_string(),
        diff(u.selection_rate, p.selection_rate),
    );
    out.insert(
        "disparate_impact".to_string(),
        div(u.selection_rate, p.selection_rate),
    );
    out.insert("equal_opportunity_difference".to_string(), d_tpr);
    out.insert(
        "average_odds_difference".to_string(),
        combine(d_fpr, d_tpr, |a, b| (a + b) / 2.0),
    );
    out.insert(
        "average_abs_odds_difference".to_string(),
        combine(d_fpr, d_tpr, |a, b| (a.abs() + b.abs()) / 2.0),
    );
    out.insert(
        "equalized_odds_difference".to_string(),
        combine(d_fpr, d_tpr, |a, b| a.abs().max(b.abs())),
    );
    out.insert(
        "error_rate_difference".to_string(),
        diff(u.error_rate, p.error_rate),
    );
    out.insert(
        "error_rate_ratio".to_string(),
        div(u.error_rate, p.error_rate),
    );
    out.insert("false_positive_rate_ratio".to_string(), div(u.fpr, p.fpr));
    out.insert("false_negative_rate_ratio".to_string(), div(u.fnr, p.fnr));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fairlearn_differences_and_ratios() {
        let g = [Some(0.2), Some(0.5), None, Some(0.4)];
        let d = difference(&g, Some(0.4));
        assert_eq!(d.between_groups, Some(0.5 - 0.2));
        assert!((d.to_overall.unwrap() - 0.2).abs() < 1e-15);
        let r = ratio(&g, Some(0.4));
        assert_eq!(r.between_groups, Some(0.2 / 0.5));
        // 0.2/0.4 = 0.5; 0.5/0.4 -> inverted 0.8; 0.4/0.4 = 1.
        assert_eq!(r.to_overall, Some(0.5));
        assert_eq!(ratio(&[Some(0.0), Some(0.0)], Some(0.0)), Both::default());
        assert_eq!(difference(&[None], None), Both::default());
    }

    #[test]
    fn aif360_pairwise() {
        let u = PairRates {
            selection_rate: Some(0.6),
            tpr: Some(0.7),
            fpr: Some(0.4),
            fnr: Some(0.3),
            error_rate: Some(0.35),
        };
        let p = PairRates {
            selection_rate: Some(0.3),
            tpr: Some(0.5),
            fpr: Some(0.2),
            fnr: Some(0.5),
            error_rate: Some(0.33),
        };
        let a = aif360(&u, &p);
        assert_eq!(a["disparate_impact"], Some(2.0));
        assert!((a["average_odds_difference"].unwrap() - 0.2).abs() < 1e-15);
        assert!((a["equalized_odds_difference"].unwrap() - 0.2).abs() < 1e-15);
        let z = PairRates {
            selection_rate: Some(0.0),
            ..p
        };
        assert_eq!(aif360(&u, &z)["disparate_impact"], None);
    }
}
