//! Intervals and tests applied to a group's metrics: which estimator each
//! metric gets, and the effective sample sizes they are fed.
//!
//! A proportion metric k/n (a rate whose numerator cells are among its
//! denominator cells) gets a Wilson (or Clopper–Pearson) interval; its ratio
//! to the reference group a Katz log interval; its difference a Newcombe
//! hybrid-score interval; the comparison a pooled two-proportion z test, or
//! Fisher's exact test when an expected cell count is below 5. Other metrics
//! (F1, balanced accuracy, treatment equality) get bootstrap intervals.
//!
//! With sample weights, k and n are replaced by Kish's effective sample size
//! of the denominator, n_eff = (Σw)² / Σw², and k_eff = p̂ · n_eff (Kish
//! 1965), so the intervals reflect the information in the weighted sample;
//! Fisher's exact test, which needs whole counts, is not used then.

use crate::metric::{Formula, MetricId, ratio_parts};
use crate::stats::{
    Interval, IntervalMethod, Method, Uncertainty, clopper_pearson, expected_cell_below,
    fisher_exact, katz_log_ratio, newcombe_difference, two_proportion_z, wilson,
};

use super::groups::GroupStats;

/// A proportion's counts: raw (k, n) and effective (k_eff, n_eff).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Counts {
    /// Numerator rows.
    pub k: u64,
    /// Denominator rows.
    pub n: u64,
    /// Effective numerator.
    pub k_eff: f64,
    /// Effective denominator.
    pub n_eff: f64,
}

/// The counts behind a proportion metric of a group, or `None` for a
/// metric that is not a proportion or a zero denominator.
pub fn proportion_counts(id: MetricId, stats: &GroupStats, weighted: bool) -> Option<Counts> {
    let def = id.def();
    if !def.is_proportion() {
        return None;
    }
    let Formula::Ratio { num, den, .. } = def.formula else {
        return None;
    };
    let c = stats.counts();
    let k: u64 = (0..4).filter(|&i| num[i] > 0.0).map(|i| c[i]).sum();
    let n: u64 = (0..4).filter(|&i| den[i] > 0.0).map(|i| c[i]).sum();
    if n == 0 {
        return None;
    }
    if !weighted {
        return Some(Counts {
            k,
            n,
            k_eff: k as f64,
            n_eff: n as f64,
        });
    }
    let (wk, wn) = ratio_parts(def, &stats.weights())?;
    let w2 = stats.weights_sq();
    let wn2: f64 = (0..4).filter(|&i| den[i] > 0.0).map(|i| w2[i]).sum();
    if wn <= 0.0 || wn2 <= 0.0 {
        return None;
    }
    let n_eff = wn * wn / wn2;
    Some(Counts {
        k,
        n,
        k_eff: wk / wn * n_eff,
        n_eff,
    })
}

/// The interval of a proportion metric.
pub fn metric_interval(
    id: MetricId,
    stats: &GroupStats,
    u: &Uncertainty,
    weighted: bool,
) -> Option<(Interval, Method)> {
    let c = proportion_counts(id, stats, weighted)?;
    match (u.interval, weighted) {
        (IntervalMethod::Wilson, false) => {
            wilson(c.k_eff, c.n_eff, u.level).map(|i| (i, Method::Wilson))
        }
        (IntervalMethod::Wilson, true) => {
            wilson(c.k_eff, c.n_eff, u.level).map(|i| (i, Method::WilsonKish))
        }
        (IntervalMethod::ClopperPearson, false) => {
            clopper_pearson(c.k_eff, c.n_eff, u.level).map(|i| (i, Method::ClopperPearson))
        }
        (IntervalMethod::ClopperPearson, true) => {
            clopper_pearson(c.k_eff, c.n_eff, u.level).map(|i| (i, Method::ClopperPearsonKish))
        }
    }
}

/// A group compared with its reference on one proportion metric.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Comparison {
    /// Interval of the ratio and its method.
    pub ratio: Option<(Interval, Method)>,
    /// Interval of the difference and its method.
    pub difference: Option<(Interval, Method)>,
    /// Two-sided p-value and the test's name.
    pub test: Option<(f64, Method)>,
}

/// Intervals and a test for a proportion metric of group `g` against the
/// reference `r`.
pub fn compare(
    id: MetricId,
    g: &GroupStats,
    r: &GroupStats,
    u: &Uncertainty,
    weighted: bool,
) -> Comparison {
    let (Some(a), Some(b)) = (
        proportion_counts(id, g, weighted),
        proportion_counts(id, r, weighted),
    ) else {
        return Comparison::default();
    };
    let ratio = katz_log_ratio(a.k_eff, a.n_eff, b.k_eff, b.n_eff, u.level).map(|ri| {
        (
            ri.interval,
            if ri.adjusted {
                Method::KatzAdjusted
            } else {
                Method::Katz
            },
        )
    });
    let difference = newcombe_difference(a.k_eff, a.n_eff, b.k_eff, b.n_eff, u.level)
        .map(|i| (i, Method::Newcombe));
    let test = if weighted {
        two_proportion_z(a.k_eff, a.n_eff, b.k_eff, b.n_eff).map(|p| (p, Method::ZKish))
    } else {
        let (a1, b1, c1, d1) = (a.k, a.n - a.k, b.k, b.n - b.k);
        if expected_cell_below(a1 as f64, b1 as f64, c1 as f64, d1 as f64, 5.0) {
            Some((fisher_exact(a1, b1, c1, d1), Method::Fisher))
        } else {
            two_proportion_z(a.k as f64, a.n as f64, b.k as f64, b.n as f64).map(|p| (p, Method::Z))
        }
    };
    Comparison {
        ratio,
        difference,
        test,
    }
}
