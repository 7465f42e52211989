//! Confidence intervals for one proportion, and for the ratio and the
//! difference of two independent proportions.
//!
//! Every function takes its counts as `f64`, because with sample weights the
//! caller passes Kish effective sample sizes, which are not whole numbers.
//! Every function returns `None` instead of a value that would be NaN or
//! infinite, and clamps the ends of an interval to the range of the quantity
//! it estimates.

use serde::Serialize;
use statrs::distribution::{ContinuousCDF, Normal};

use super::special::beta_quantile;

/// A two-sided confidence interval, `low <= high`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Interval {
    /// Lower end of the interval.
    pub low: f64,
    /// Upper end of the interval.
    pub high: f64,
}

/// A ratio of two proportions with its confidence interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RatioInterval {
    /// The unadjusted ratio `(k1 / n1) / (k2 / n2)`.
    pub estimate: f64,
    /// The Katz log interval; computed from adjusted counts when
    /// `adjusted` is true.
    pub interval: Interval,
    /// True when the continuity adjustment (0.5 added to each count and 1 to
    /// each total) was applied because a count was 0 or equal to its total.
    pub adjusted: bool,
}

/// Relative amount by which a count may exceed its total and still be
/// accepted (it is then treated as equal to the total).
///
/// Effective counts computed from weights can exceed the effective total by a
/// rounding error even when every case is a success; rejecting those would
/// turn a proportion of exactly 1 into "undefined".
const COUNT_EXCESS_TOLERANCE: f64 = 1e-12;

/// Checks a count `k` out of a total `n` and returns them ready for use.
///
/// The pair is valid when both are finite, `n > 0` and `0 <= k <= n` (with
/// the small tolerance above, after which `k` is clamped to `n`).
pub(crate) fn checked_count(k: f64, n: f64) -> Option<(f64, f64)> {
    if !k.is_finite() || !n.is_finite() || n <= 0.0 || k < 0.0 {
        return None;
    }
    if k > n * (1.0 + COUNT_EXCESS_TOLERANCE) {
        return None;
    }
    Some((k.min(n), n))
}

/// Returns `alpha = 1 - level` when the confidence level is usable, that is
/// finite and strictly between 0 and 1.
fn checked_alpha(level: f64) -> Option<f64> {
    if level.is_finite() && level > 0.0 && level < 1.0 {
        let alpha = 1.0 - level;
        // A level so close to 1 that 1 - level rounds to 0 has no finite
        // critical value.
        (alpha > 0.0).then_some(alpha)
    } else {
        None
    }
}

/// Two-sided standard normal critical value `z` for a confidence level,
/// i.e. the `1 - alpha / 2` quantile.
///
/// It is computed as `-Φ⁻¹(alpha / 2)` rather than `Φ⁻¹(1 - alpha / 2)`,
/// because `1 - alpha / 2` loses the low digits of a small `alpha`.
pub(crate) fn critical_value(level: f64) -> Option<f64> {
    let alpha = checked_alpha(level)?;
    let z = -normal_quantile(alpha / 2.0);
    (z.is_finite() && z > 0.0).then_some(z)
}

/// Builds an interval only when both ends are finite, clamping them into
/// `[min, max]` and making sure `low <= high`.
fn finite_interval(low: f64, high: f64, min: f64, max: f64) -> Option<Interval> {
    if !low.is_finite() || !high.is_finite() {
        return None;
    }
    let low = low.clamp(min, max);
    let high = high.clamp(min, max);
    Some(Interval {
        low: low.min(high),
        high: high.max(low),
    })
}

/// Inverse of the standard normal cumulative distribution function,
/// `Φ⁻¹(p)`, from `statrs`.
///
/// This is the one function of the module that can return a non-finite
/// value, because it is the raw quantile function: it returns `-∞` for
/// `p = 0`, `+∞` for `p = 1`, and NaN for a `p` outside `[0, 1]` or NaN
/// (where `statrs` itself would panic).
pub fn normal_quantile(p: f64) -> f64 {
    if p.is_nan() || !(0.0..=1.0).contains(&p) {
        return f64::NAN;
    }
    if p == 0.0 {
        return f64::NEG_INFINITY;
    }
    if p == 1.0 {
        return f64::INFINITY;
    }
    Normal::standard().inverse_cdf(p)
}

/// Wilson (1927) score interval for a proportion `k / n`, without continuity
/// correction.
///
/// With `p = k / n` and `z` the two-sided normal critical value of `level`:
///
/// ```text
/// centre     = (p + z² / (2n)) / (1 + z² / n)
/// half-width = z · sqrt(p(1 − p) / n + z² / (4n²)) / (1 + z² / n)
/// ```
///
/// The interval is `centre ± half-width`, clamped to `[0, 1]`; it matches
/// `statsmodels.stats.proportion.proportion_confint(method="wilson")`.
///
/// Zero counts: at `k = 0` the lower end is exactly 0 and the upper end is
/// `z² / (n + z²)`; at `k = n` the interval mirrors that. Both are well
/// defined, which is why this interval is preferred for small groups.
///
/// Returns `None` when `n <= 0`, `k < 0`, `k > n`, any input is not finite,
/// or `level` is not strictly between 0 and 1.
///
/// Reference: E. B. Wilson (1927), "Probable inference, the law of
/// succession, and statistical inference", JASA 22:209–212.
pub fn wilson(k: f64, n: f64, level: f64) -> Option<Interval> {
    let (k, n) = checked_count(k, n)?;
    let z = critical_value(level)?;
    let p = k / n;
    let z2 = z * z;
    let denom = 1.0 + z2 / n;
    let centre = (p + z2 / (2.0 * n)) / denom;
    let half = z * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt() / denom;
    // At k = 0 (k = n) the lower (upper) end is exactly 0 (1) in exact
    // arithmetic; setting it directly avoids reporting a rounding residue
    // such as 3e-17 as a non-zero bound.
    let low = if k == 0.0 { 0.0 } else { centre - half };
    let high = if k == n { 1.0 } else { centre + half };
    finite_interval(low, high, 0.0, 1.0)
}

/// Clopper–Pearson (1934) "exact" interval for a proportion `k / n`, from
/// quantiles of the beta distribution (computed by this module's own
/// incomplete beta function, accurate for large samples, by bisection):
///
/// ```text
/// low  = B⁻¹(alpha / 2;     k,     n − k + 1)
/// high = B⁻¹(1 − alpha / 2; k + 1, n − k)
/// ```
///
/// where `alpha = 1 − level` and `B⁻¹(q; a, b)` is the beta quantile
/// function. This matches
/// `statsmodels.stats.proportion.proportion_confint(method="beta")`.
/// Non-integer `k` and `n` (effective sample sizes) are accepted: the beta
/// quantiles are defined for real shape parameters.
///
/// Zero counts: `k = 0` gives `low = 0` and `k = n` gives `high = 1`,
/// because the beta quantile above has a zero shape parameter there.
///
/// Returns `None` when `n <= 0`, `k < 0`, `k > n`, any input is not finite,
/// `level` is not strictly between 0 and 1, or `n >= 10¹²` (where the
/// incomplete beta function would need millions of terms; effective sample
/// sizes are far below that).
///
/// Reference: C. J. Clopper and E. S. Pearson (1934), "The use of confidence
/// or fiducial limits illustrated in the case of the binomial", Biometrika
/// 26:404–413.
pub fn clopper_pearson(k: f64, n: f64, level: f64) -> Option<Interval> {
    let (k, n) = checked_count(k, n)?;
    if n >= 1e12 {
        return None;
    }
    let alpha = checked_alpha(level)?;
    let low = if k == 0.0 {
        0.0
    } else {
        beta_quantile(k, n - k + 1.0, alpha / 2.0)?
    };
    let high = if k == n {
        1.0
    } else {
        beta_quantile(k + 1.0, n - k, 1.0 - alpha / 2.0)?
    };
    finite_interval(low, high, 0.0, 1.0)
}

/// Ratio of two proportions, `RR = (k1 / n1) / (k2 / n2)`, with the Katz et
/// al. (1978) log interval:
///
/// ```text
/// exp( ln RR ± z · sqrt(1/k1 − 1/n1 + 1/k2 − 1/n2) )
/// ```
///
/// where `z` is the two-sided normal critical value of `level`.
///
/// Zero counts and the continuity adjustment: when `k1` or `k2` is 0, or
/// equal to its total, the variance above is infinite or zero, so the
/// interval (centre `ln RR` and variance) is computed from adjusted counts
/// `k + 0.5` and totals `n + 1` for both groups — the same as adding 0.5 to
/// every cell of the 2×2 table — and `adjusted` is set to true. The
/// `estimate` is always the unadjusted ratio `(k1 / n1) / (k2 / n2)`; when
/// `k1 = 0` it is 0 and lies below the adjusted interval's lower end, which
/// is positive. The interval is not adjusted in any other case.
///
/// Returns `None` when `k2 = 0` (the unadjusted ratio is undefined), when
/// `n1` or `n2` is 0, when a count is negative, exceeds its total or is not
/// finite, when `level` is not strictly between 0 and 1, or when an end of
/// the interval overflows to infinity.
///
/// Reference: D. Katz, J. Baptista, S. P. Azen and M. C. Pike (1978),
/// "Obtaining confidence intervals for the risk ratio in cohort studies",
/// Biometrics 34:469–474.
pub fn katz_log_ratio(k1: f64, n1: f64, k2: f64, n2: f64, level: f64) -> Option<RatioInterval> {
    let (k1, n1) = checked_count(k1, n1)?;
    let (k2, n2) = checked_count(k2, n2)?;
    let z = critical_value(level)?;
    if k2 == 0.0 {
        return None;
    }
    let estimate = (k1 / n1) / (k2 / n2);
    let adjusted = k1 == 0.0 || k1 == n1 || k2 == n2;
    let (a1, m1, a2, m2) = if adjusted {
        (k1 + 0.5, n1 + 1.0, k2 + 0.5, n2 + 1.0)
    } else {
        (k1, n1, k2, n2)
    };
    // The centre of the interval is the log of the (possibly adjusted)
    // ratio, so that centre and variance always come from the same counts.
    let centre = ((a1 / m1) / (a2 / m2)).ln();
    // Each term 1/k − 1/n is non-negative because k <= n; the max guards
    // against a rounding error making the sum slightly negative.
    let variance = (1.0 / a1 - 1.0 / m1 + 1.0 / a2 - 1.0 / m2).max(0.0);
    let half = z * variance.sqrt();
    let interval = finite_interval((centre - half).exp(), (centre + half).exp(), 0.0, f64::MAX)?;
    estimate.is_finite().then_some(RatioInterval {
        estimate,
        interval,
        adjusted,
    })
}

/// Difference of two proportions, `p1 − p2`, with Newcombe's (1998) hybrid
/// score interval (his method 10), built from the two Wilson intervals
/// `[l1, u1]` and `[l2, u2]` at the same `level`:
///
/// ```text
/// low  = (p1 − p2) − sqrt((p1 − l1)² + (u2 − p2)²)
/// high = (p1 − p2) + sqrt((u1 − p1)² + (p2 − l2)²)
/// ```
///
/// clamped to `[−1, 1]`. This matches
/// `statsmodels.stats.proportion.confint_proportions_2indep(compare="diff",
/// method="newcomb")`.
///
/// Zero counts: defined whenever both totals are positive, including
/// `k = 0` and `k = n` in either group, because the Wilson intervals are.
/// For example 0/10 against 0/10 gives `[−0.2775, 0.2775]` at 95 %.
///
/// Returns `None` when `n1` or `n2` is 0, when a count is negative, exceeds
/// its total or is not finite, or when `level` is not strictly between 0
/// and 1.
///
/// Reference: R. G. Newcombe (1998), "Interval estimation for the difference
/// between independent proportions: comparison of eleven methods",
/// Statistics in Medicine 17:873–890.
pub fn newcombe_difference(k1: f64, n1: f64, k2: f64, n2: f64, level: f64) -> Option<Interval> {
    let (k1, n1) = checked_count(k1, n1)?;
    let (k2, n2) = checked_count(k2, n2)?;
    let w1 = wilson(k1, n1, level)?;
    let w2 = wilson(k2, n2, level)?;
    let p1 = k1 / n1;
    let p2 = k2 / n2;
    let diff = p1 - p2;
    let below = ((p1 - w1.low).powi(2) + (w2.high - p2).powi(2)).sqrt();
    let above = ((w1.high - p1).powi(2) + (p2 - w2.low).powi(2)).sqrt();
    finite_interval(diff - below, diff + above, -1.0, 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(got: f64, want: f64, tol: f64) -> bool {
        (got - want).abs() <= tol * want.abs().max(1.0)
    }

    #[test]
    fn statrs_normal_quantile_known_values() {
        // Values from scipy.stats.norm.ppf; statrs is built without default
        // features here, so its numerics are checked directly.
        assert!(close(normal_quantile(0.975), 1.959963984540054, 1e-15));
        assert!(close(normal_quantile(0.995), 2.5758293035489004, 1e-15));
        assert!(close(normal_quantile(0.95), 1.6448536269514722, 1e-15));
        assert!(close(normal_quantile(0.5), 0.0, 1e-15));
        assert!(close(normal_quantile(0.025), -1.959963984540054, 1e-15));
    }

    #[test]
    fn normal_quantile_edges_do_not_panic() {
        assert_eq!(normal_quantile(0.0), f64::NEG_INFINITY);
        assert_eq!(normal_quantile(1.0), f64::INFINITY);
        assert!(normal_quantile(-0.1).is_nan());
        assert!(normal_quantile(1.1).is_nan());
        assert!(normal_quantile(f64::NAN).is_nan());
    }

    #[test]
    fn critical_value_rejects_bad_levels() {
        for level in [0.0, 1.0, -0.5, 1.5, f64::NAN, f64::INFINITY, 1.0 - 1e-17] {
            assert_eq!(critical_value(level), None, "level {level}");
        }
        assert!(close(
            critical_value(0.95).unwrap(),
            1.959963984540054,
            1e-15
        ));
    }

    #[test]
    fn wilson_zero_and_full_counts() {
        let z2 = 1.959963984540054f64.powi(2);
        let i = wilson(0.0, 10.0, 0.95).unwrap();
        assert_eq!(i.low, 0.0);
        assert!(close(i.high, z2 / (10.0 + z2), 1e-12));
        let j = wilson(10.0, 10.0, 0.95).unwrap();
        assert_eq!(j.high, 1.0);
        assert!(close(j.low, 1.0 - i.high, 1e-12));
    }

    #[test]
    fn clopper_pearson_zero_and_full_counts() {
        // For k = 0 the upper end is 1 − (alpha/2)^(1/n).
        let i = clopper_pearson(0.0, 10.0, 0.95).unwrap();
        assert_eq!(i.low, 0.0);
        assert!(close(i.high, 1.0 - 0.025f64.powf(0.1), 1e-9));
        let j = clopper_pearson(10.0, 10.0, 0.95).unwrap();
        assert_eq!(j.high, 1.0);
        assert!(close(j.low, 0.025f64.powf(0.1), 1e-9));
    }

    #[test]
    fn undefined_inputs_give_none() {
        let bad = [
            (0.0, 0.0),
            (1.0, 0.0),
            (-1.0, 5.0),
            (6.0, 5.0),
            (f64::NAN, 5.0),
            (1.0, f64::NAN),
            (1.0, f64::INFINITY),
            (f64::INFINITY, f64::INFINITY),
            (1.0, -3.0),
        ];
        for (k, n) in bad {
            assert_eq!(wilson(k, n, 0.95), None, "wilson {k}/{n}");
            assert_eq!(clopper_pearson(k, n, 0.95), None, "cp {k}/{n}");
            assert_eq!(katz_log_ratio(k, n, 1.0, 2.0, 0.95), None);
            assert_eq!(katz_log_ratio(1.0, 2.0, k, n, 0.95), None);
            assert_eq!(newcombe_difference(k, n, 1.0, 2.0, 0.95), None);
            assert_eq!(newcombe_difference(1.0, 2.0, k, n, 0.95), None);
        }
        for level in [0.0, 1.0, f64::NAN] {
            assert_eq!(wilson(1.0, 2.0, level), None);
            assert_eq!(clopper_pearson(1.0, 2.0, level), None);
            assert_eq!(katz_log_ratio(1.0, 2.0, 1.0, 3.0, level), None);
            assert_eq!(newcombe_difference(1.0, 2.0, 1.0, 3.0, level), None);
        }
    }

    #[test]
    fn count_a_rounding_error_above_total_is_accepted() {
        let n = 123.7;
        let k = n * (1.0 + 1e-14);
        assert_eq!(wilson(k, n, 0.95), wilson(n, n, 0.95));
        assert_eq!(clopper_pearson(k, n, 0.95).map(|i| i.high), Some(1.0));
    }

    #[test]
    fn extreme_but_finite_inputs_stay_finite() {
        let tiny = f64::MIN_POSITIVE;
        let huge = 1e300;
        for (k, n) in [
            (tiny, tiny),
            (0.0, tiny),
            (tiny, 1.0),
            (1.0, huge),
            (huge, huge),
        ] {
            for i in [wilson(k, n, 0.95), clopper_pearson(k, n, 0.95)]
                .into_iter()
                .flatten()
            {
                assert!(i.low.is_finite() && i.high.is_finite());
                assert!((0.0..=1.0).contains(&i.low) && i.low <= i.high && i.high <= 1.0);
            }
            if let Some(r) = katz_log_ratio(k, n, k, n, 0.95) {
                assert!(r.estimate.is_finite() && r.interval.high.is_finite());
            }
            if let Some(i) = newcombe_difference(k, n, 0.0, 1.0, 0.95) {
                assert!((-1.0..=1.0).contains(&i.low) && i.high <= 1.0);
            }
        }
    }

    #[test]
    fn katz_conventions() {
        // k2 = 0: the unadjusted ratio is undefined.
        assert_eq!(katz_log_ratio(3.0, 10.0, 0.0, 10.0, 0.95), None);
        assert_eq!(katz_log_ratio(0.0, 10.0, 0.0, 10.0, 0.95), None);
        // k1 = 0: estimate 0, adjusted interval strictly positive.
        let r = katz_log_ratio(0.0, 10.0, 4.0, 10.0, 0.95).unwrap();
        assert!(r.adjusted);
        assert_eq!(r.estimate, 0.0);
        assert!(r.interval.low > 0.0);
        // k = n triggers the adjustment, the estimate stays unadjusted.
        let r = katz_log_ratio(10.0, 10.0, 5.0, 10.0, 0.95).unwrap();
        assert!(r.adjusted);
        assert_eq!(r.estimate, 2.0);
        // Ordinary counts: no adjustment, interval contains the estimate.
        let r = katz_log_ratio(30.0, 100.0, 20.0, 100.0, 0.95).unwrap();
        assert!(!r.adjusted);
        assert!(close(r.estimate, 1.5, 1e-15));
        assert!(r.interval.low < 1.5 && 1.5 < r.interval.high);
        let z = 1.959963984540054;
        let se = (1.0f64 / 30.0 - 1.0 / 100.0 + 1.0 / 20.0 - 1.0 / 100.0).sqrt();
        assert!(close(r.interval.low, (1.5f64.ln() - z * se).exp(), 1e-12));
    }

    #[test]
    fn newcombe_published_example_a() {
        // Newcombe (1998), Table II, example (a), method 10.
        let i = newcombe_difference(56.0, 70.0, 48.0, 80.0, 0.95).unwrap();
        assert!((i.low - 0.0524).abs() < 1e-4);
        assert!((i.high - 0.3339).abs() < 1e-4);
    }
}
