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

use crate::metrics::registry::{Formula, MetricDef};
use crate::metrics::{GroupStats, ratio_parts};
use crate::spec::{IntervalMethod, Uncertainty};

use super::{
    Interval, clopper_pearson, expected_cell_below, fisher_exact, katz_log_ratio,
    newcombe_difference, two_proportion_z, wilson,
};

/// Method names as published.
pub mod method {
    /// Wilson score interval.
    pub const WILSON: &str = "wilson";
    /// Wilson on Kish effective counts.
    pub const WILSON_KISH: &str = "wilson (Kish effective sample size)";
    /// Clopper–Pearson.
    pub const CLOPPER_PEARSON: &str = "clopper-pearson";
    /// Clopper–Pearson on Kish effective counts.
    pub const CLOPPER_PEARSON_KISH: &str = "clopper-pearson (Kish effective sample size)";
    /// Katz log interval.
    pub const KATZ: &str = "katz-log";
    /// Katz with the continuity adjustment.
    pub const KATZ_ADJUSTED: &str =
        "katz-log (0.5 added to each count and 1 to each total, as a count was 0 or complete)";
    /// Newcombe hybrid score.
    pub const NEWCOMBE: &str = "newcombe-hybrid-score";
    /// Pooled z test.
    pub const Z: &str = "two-proportion z (pooled)";
    /// Pooled z test on effective counts.
    pub const Z_KISH: &str = "two-proportion z (pooled, Kish effective sample size)";
    /// Fisher's exact test.
    pub const FISHER: &str = "fisher exact (two-sided; an expected count was below 5)";
    /// Percentile bootstrap.
    pub const BOOTSTRAP: &str = "bootstrap percentile";
    /// Pearson's chi-square test of independence.
    pub const CHI_SQUARE: &str = "pearson chi-square test of independence";
}

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
pub fn proportion_counts(def: &MetricDef, stats: &GroupStats, weighted: bool) -> Option<Counts> {
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
    def: &MetricDef,
    stats: &GroupStats,
    u: &Uncertainty,
    weighted: bool,
) -> Option<(Interval, &'static str)> {
    let c = proportion_counts(def, stats, weighted)?;
    match (u.interval, weighted) {
        (IntervalMethod::Wilson, false) => {
            wilson(c.k_eff, c.n_eff, u.level).map(|i| (i, method::WILSON))
        }
        (IntervalMethod::Wilson, true) => {
            wilson(c.k_eff, c.n_eff, u.level).map(|i| (i, method::WILSON_KISH))
        }
        (IntervalMethod::ClopperPearson, false) => {
            clopper_pearson(c.k_eff, c.n_eff, u.level).map(|i| (i, method::CLOPPER_PEARSON))
        }
        (IntervalMethod::ClopperPearson, true) => {
            clopper_pearson(c.k_eff, c.n_eff, u.level).map(|i| (i, method::CLOPPER_PEARSON_KISH))
        }
    }
}

/// A group compared with its reference on one proportion metric.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Comparison {
    /// Interval of the ratio and its method.
    pub ratio: Option<(Interval, &'static str)>,
    /// Interval of the difference and its method.
    pub difference: Option<(Interval, &'static str)>,
    /// Two-sided p-value and the test's name.
    pub test: Option<(f64, &'static str)>,
}

/// Intervals and a test for a proportion metric of group `g` against the
/// reference `r`.
pub fn compare(
    def: &MetricDef,
    g: &GroupStats,
    r: &GroupStats,
    u: &Uncertainty,
    weighted: bool,
) -> Comparison {
    let (Some(a), Some(b)) = (
        proportion_counts(def, g, weighted),
        proportion_counts(def, r, weighted),
    ) else {
        return Comparison::default();
    };
    let ratio = katz_log_ratio(a.k_eff, a.n_eff, b.k_eff, b.n_eff, u.level).map(|ri| {
        (
            ri.interval,
            if ri.adjusted {
                method::KATZ_ADJUSTED
            } else {
                method::KATZ
            },
        )
    });
    let difference = newcombe_difference(a.k_eff, a.n_eff, b.k_eff, b.n_eff, u.level)
        .map(|i| (i, method::NEWCOMBE));
    let test = if weighted {
        two_proportion_z(a.k_eff, a.n_eff, b.k_eff, b.n_eff).map(|p| (p, method::Z_KISH))
    } else {
        let (a1, b1, c1, d1) = (a.k, a.n - a.k, b.k, b.n - b.k);
        if expected_cell_below(a1 as f64, b1 as f64, c1 as f64, d1 as f64, 5.0) {
            Some((fisher_exact(a1, b1, c1, d1), method::FISHER))
        } else {
            two_proportion_z(a.k as f64, a.n as f64, b.k as f64, b.n as f64).map(|p| (p, method::Z))
        }
    };
    Comparison {
        ratio,
        difference,
        test,
    }
}
