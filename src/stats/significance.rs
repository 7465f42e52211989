//! Significance tests for differences between groups: the pooled
//! two-proportion z test, Fisher's exact test for small 2×2 tables, and the
//! Pearson chi-square test of independence for an r×2 table.

use serde::Serialize;
use statrs::distribution::{ChiSquared, ContinuousCDF};
use statrs::function::gamma::{checked_gamma_ur, ln_gamma};

use super::intervals::checked_count;

/// Result of a Pearson chi-square test of independence.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ChiSquare {
    /// Pearson's statistic `Σ (observed − expected)² / expected`.
    pub statistic: f64,
    /// Degrees of freedom, `(rows − 1) · (2 − 1)` after empty rows are
    /// dropped.
    pub df: u32,
    /// Upper-tail probability of the statistic under the chi-square
    /// distribution with `df` degrees of freedom.
    pub p_value: f64,
}

/// Two-sided p-value of the two-proportion z test with pooled variance, for
/// `H0: p1 = p2`.
///
/// ```text
/// p̂ = (k1 + k2) / (n1 + n2)
/// z = (k1/n1 − k2/n2) / sqrt(p̂ (1 − p̂) (1/n1 + 1/n2))
/// p = 2 · (1 − Φ(|z|)) = Q(1/2, z² / 2)
/// ```
///
/// where `Q` is the regularised upper incomplete gamma function (the
/// chi-square survival function with one degree of freedom at `z²`). This
/// matches `statsmodels.stats.proportion.proportions_ztest` with `value=0`
/// and the default `prop_var=False`. The tail is computed with `Q` rather
/// than `1 − Φ` so that very small p-values keep their relative precision,
/// and rather than `statrs`' `erfc`, which is only accurate to about 5e-11
/// relative.
///
/// Zero counts: the test is undefined, and `None` is returned, when the
/// pooled proportion is 0 or 1 (both groups all failures or all successes),
/// because the variance under the null hypothesis is then 0. A zero count in
/// only one group is fine.
///
/// Also returns `None` when `n1` or `n2` is 0, or a count is negative,
/// exceeds its total, or is not finite.
///
/// Reference: any textbook treatment of the score test for two binomial
/// proportions, e.g. Agresti (2013), *Categorical Data Analysis*, 3rd ed.,
/// §3.1.
pub fn two_proportion_z(k1: f64, n1: f64, k2: f64, n2: f64) -> Option<f64> {
    let (k1, n1) = checked_count(k1, n1)?;
    let (k2, n2) = checked_count(k2, n2)?;
    let pooled = (k1 + k2) / (n1 + n2);
    if !(pooled > 0.0 && pooled < 1.0) {
        return None;
    }
    let se = (pooled * (1.0 - pooled) * (1.0 / n1 + 1.0 / n2)).sqrt();
    let z = (k1 / n1 - k2 / n2) / se;
    if !z.is_finite() {
        return None;
    }
    Some(two_sided_normal_p(z))
}

/// `P(|Z| >= |z|)` for a standard normal `Z`, as `Q(1/2, z² / 2)`.
fn two_sided_normal_p(z: f64) -> f64 {
    let half_square = z * z / 2.0;
    if half_square == 0.0 {
        // statrs rejects x = 0; the whole distribution is in the tail.
        return 1.0;
    }
    if !half_square.is_finite() {
        // |z| beyond about 1e154: the tail is far below the smallest f64.
        return 0.0;
    }
    checked_gamma_ur(0.5, half_square).map_or(0.0, |p| p.clamp(0.0, 1.0))
}

/// Relative tolerance used by Fisher's exact test to decide that a table is
/// "as or less probable" than the observed one.
///
/// Tables whose probabilities are mathematically equal (for example the
/// mirror images of a symmetric table) differ by rounding error once they are
/// computed through log-gamma functions, by about 1e-12 relative for tables
/// of tens of thousands. The tolerance must be larger than that so ties are
/// counted, and small enough never to merge tables that truly differ; R's
/// `fisher.test` uses the same `1 + 1e-7`. Current scipy uses `1 + 1e-14`,
/// which gives the same answer except for probabilities within 1e-7 of each
/// other that are not ties.
const FISHER_RELATIVE_TOLERANCE: f64 = 1e-7;

/// Largest grand total (2^53) for which every count is exactly
/// representable as an `f64`; Fisher's test falls back to the chi-square
/// approximation above it.
const EXACT_FLOAT_LIMIT: u128 = 1 << 53;

/// Terms of a hypergeometric tail smaller than this fraction of the running
/// sum (including a bound on everything not yet added) are not summed.
const TAIL_EPSILON: f64 = 1e-17;

/// The hypergeometric distribution of the top-left cell of a 2×2 table with
/// fixed margins.
struct Hypergeometric {
    /// First row total, `a + b`.
    row1: u128,
    /// Second row total, `c + d`.
    row2: u128,
    /// First column total, `a + c`.
    col1: u128,
    /// Grand total.
    total: u128,
}

impl Hypergeometric {
    /// `ln C(n, k)` through log-gamma, which does not overflow for any
    /// count.
    fn ln_choose(n: u128, k: u128) -> f64 {
        ln_gamma(n as f64 + 1.0) - ln_gamma(k as f64 + 1.0) - ln_gamma((n - k) as f64 + 1.0)
    }

    /// Log-probability of the top-left cell being `x`; `x` must be in the
    /// support.
    fn ln_pmf(&self, x: u128) -> f64 {
        Self::ln_choose(self.row1, x) + Self::ln_choose(self.row2, self.col1 - x)
            - Self::ln_choose(self.total, self.col1)
    }

    /// `pmf(x + 1) / pmf(x)`, for `x` below the top of the support.
    fn ratio_up(&self, x: u128) -> f64 {
        let (r1, r2, c1, x) = (
            self.row1 as f64,
            self.row2 as f64,
            self.col1 as f64,
            x as f64,
        );
        (r1 - x) * (c1 - x) / ((x + 1.0) * (r2 - c1 + x + 1.0))
    }

    /// `pmf(x − 1) / pmf(x)`, for `x` above the bottom of the support.
    fn ratio_down(&self, x: u128) -> f64 {
        let (r1, r2, c1, x) = (
            self.row1 as f64,
            self.row2 as f64,
            self.col1 as f64,
            x as f64,
        );
        x * (r2 - c1 + x) / ((r1 - x + 1.0) * (c1 - x + 1.0))
    }

    /// Probability of the tail that starts at `start` and runs outwards to
    /// `end` (downwards when `end < start`), where `start` lies on the
    /// decreasing side of the distribution.
    ///
    /// The terms are generated by the ratio recurrence relative to
    /// `pmf(start)`, so the sum neither underflows nor overflows, and then
    /// scaled by `pmf(start)` in log space. The hypergeometric distribution
    /// is log-concave, so each successive ratio is smaller than the last and
    /// the rest of the tail after a term `t` with ratio `r < 1` is at most
    /// `t · r / (1 − r)`: summation stops once that bound is negligible,
    /// which keeps the work proportional to the width of the distribution,
    /// not of the support.
    fn tail(&self, start: u128, end: u128) -> f64 {
        let mut sum = 1.0f64;
        let mut term = 1.0f64;
        let mut x = start;
        while x != end {
            let ratio = if end < start {
                self.ratio_down(x)
            } else {
                self.ratio_up(x)
            };
            term *= ratio;
            sum += term;
            x = if end < start { x - 1 } else { x + 1 };
            if term == 0.0 || (ratio < 1.0 && term * ratio / (1.0 - ratio) <= TAIL_EPSILON * sum) {
                break;
            }
        }
        (sum.ln() + self.ln_pmf(start)).exp()
    }
}

/// Two-sided p-value of Fisher's exact test for the 2×2 table
/// `[[a, b], [c, d]]`.
///
/// With all margins fixed, the top-left cell `x` is hypergeometric:
///
/// ```text
/// P(x) = C(a+b, x) · C(c+d, a+c−x) / C(a+b+c+d, a+c)
/// p    = Σ P(x) over all x with P(x) <= P(a) · (1 + 1e-7)
/// ```
///
/// This is the "sum of the probabilities of all tables as or less likely
/// than the observed one" definition used by
/// `scipy.stats.fisher_exact(alternative="two-sided")` and R's
/// `fisher.test`; the relative tolerance counts tables that tie with the
/// observed one despite rounding (scipy 1.17 uses `1 + 1e-14`, R and this
/// function `1 + 1e-7`; see the golden tests).
///
/// Probabilities are computed with log-gamma functions and a ratio
/// recurrence, so tables with counts in the tens of thousands neither
/// overflow nor lose precision, and the tails are summed only as far as they
/// contribute, so the work grows with the standard deviation of the cell,
/// not with the counts.
///
/// Tables whose grand total exceeds 2^53 (beyond exact `f64` integers) get
/// the Pearson chi-square p-value instead, which agrees with the exact test
/// to many digits at that size.
///
/// Zero counts: any table with an empty row or column (including the
/// all-zero table) has a single possible table given its margins, and the
/// p-value is 1. Zeros in single cells are handled like any other count.
///
/// Reference: R. A. Fisher (1935), "The logic of inductive inference", JRSS
/// 98:39–82; the two-sided rule is that of Agresti (1992), "A survey of
/// exact inference for contingency tables", Statistical Science 7:131–153.
pub fn fisher_exact(a: u64, b: u64, c: u64, d: u64) -> f64 {
    let (a, b, c, d) = (u128::from(a), u128::from(b), u128::from(c), u128::from(d));
    if a + b + c + d > EXACT_FLOAT_LIMIT {
        // Counts this large are not exactly representable as f64, so the
        // log-gamma probabilities would be meaningless; the Pearson
        // chi-square approximation is essentially exact at this size.
        let rows = [[a as f64, b as f64], [c as f64, d as f64]];
        return chi_square_independence(&rows).map_or(1.0, |r| r.p_value);
    }
    let dist = Hypergeometric {
        row1: a + b,
        row2: c + d,
        col1: a + c,
        total: a + b + c + d,
    };
    // The support of the top-left cell given the margins.
    let lo = dist.col1.saturating_sub(dist.row2);
    let hi = dist.col1.min(dist.row1);
    if lo >= hi {
        return 1.0;
    }

    // The mode of the hypergeometric distribution is
    // floor((col1 + 1)(row1 + 1) / (total + 2)); it is computed in floating
    // point to avoid integer overflow and then corrected by comparing
    // neighbours, which also absorbs any rounding error in the division.
    let approx =
        ((dist.col1 as f64 + 1.0) * (dist.row1 as f64 + 1.0) / (dist.total as f64 + 2.0)).floor();
    let mut mode = if approx.is_finite() && approx >= 0.0 {
        (approx as u128).clamp(lo, hi)
    } else {
        lo
    };
    for _ in 0..64 {
        if mode < hi && dist.ratio_up(mode) > 1.0 {
            mode += 1;
        } else if mode > lo && dist.ratio_down(mode) > 1.0 {
            mode -= 1;
        } else {
            break;
        }
    }

    let threshold = dist.ln_pmf(a) + FISHER_RELATIVE_TOLERANCE.ln_1p();
    if dist.ln_pmf(mode) <= threshold {
        // The observed table is (within tolerance) as likely as the most
        // likely one, so every table counts.
        return 1.0;
    }

    let p = if a < mode {
        // The observed tail runs from `a` down to `lo`. On the other side,
        // find the first table at or below the threshold by bisection over
        // the decreasing part of the distribution.
        let mut left = mode + 1;
        let mut right = hi + 1;
        while left < right {
            let mid = left + (right - left) / 2;
            if dist.ln_pmf(mid) <= threshold {
                right = mid;
            } else {
                left = mid + 1;
            }
        }
        let other = if left <= hi { dist.tail(left, hi) } else { 0.0 };
        dist.tail(a, lo) + other
    } else {
        // Mirror image: the observed tail runs from `a` up to `hi`, and the
        // other tail ends at the last table at or below the threshold below
        // the mode.
        let mut left = lo;
        let mut right = mode;
        let mut found = None;
        while left < right {
            let mid = left + (right - left) / 2;
            if dist.ln_pmf(mid) <= threshold {
                found = Some(mid);
                left = mid + 1;
            } else {
                right = mid;
            }
        }
        let other = found.map_or(0.0, |x| dist.tail(x, lo));
        dist.tail(a, hi) + other
    };
    if p.is_finite() {
        p.clamp(0.0, 1.0)
    } else {
        1.0
    }
}

/// True if any expected cell count of the 2×2 table `[[a, b], [c, d]]`
/// under independence, `row total × column total / grand total`, is below
/// `threshold`.
///
/// The caller uses this with `threshold = 5` to choose Fisher's exact test
/// over the chi-square or z approximation, following Cochran's (1954) rule.
/// It also returns true when the table cannot be assessed — a grand total of
/// 0, a negative or non-finite cell, or a non-finite threshold — because
/// then the large-sample approximation cannot be trusted either.
///
/// Reference: W. G. Cochran (1954), "Some methods for strengthening the
/// common χ² tests", Biometrics 10:417–451.
pub fn expected_cell_below(a: f64, b: f64, c: f64, d: f64, threshold: f64) -> bool {
    let cells = [a, b, c, d];
    if !threshold.is_finite() || cells.iter().any(|x| !x.is_finite() || *x < 0.0) {
        return true;
    }
    let total = a + b + c + d;
    if total <= 0.0 || !total.is_finite() {
        return true;
    }
    let rows = [a + b, c + d];
    let cols = [a + c, b + d];
    rows.iter()
        .any(|r| cols.iter().any(|c| r * c / total < threshold))
}

/// Pearson chi-square test of independence for an r×2 table, one row per
/// group holding `[successes, failures]`, without Yates' continuity
/// correction:
///
/// ```text
/// E_ij = row_i · col_j / N
/// X²   = Σ (O_ij − E_ij)² / E_ij,   df = r − 1
/// p    = P(χ²_df >= X²)
/// ```
///
/// This matches `scipy.stats.chi2_contingency(table, correction=False)` once
/// empty rows are removed.
///
/// Zero counts: rows whose total is 0 are dropped first (a group with no
/// cases carries no information). `None` is returned when fewer than two
/// non-empty rows remain, or a column total is 0 (every group all successes
/// or all failures, so an expected count is 0). Zeros in single cells are
/// fine.
///
/// Also returns `None` when any cell is negative or not finite.
///
/// Reference: K. Pearson (1900), "On the criterion that a given system of
/// deviations …", Philosophical Magazine 50:157–175.
pub fn chi_square_independence(rows: &[[f64; 2]]) -> Option<ChiSquare> {
    if rows.iter().flatten().any(|x| !x.is_finite() || *x < 0.0) {
        return None;
    }
    let kept: Vec<[f64; 2]> = rows.iter().copied().filter(|r| r[0] + r[1] > 0.0).collect();
    if kept.len() < 2 {
        return None;
    }
    let col = [
        kept.iter().map(|r| r[0]).sum::<f64>(),
        kept.iter().map(|r| r[1]).sum::<f64>(),
    ];
    let total = col[0] + col[1];
    if !(col[0] > 0.0 && col[1] > 0.0 && total.is_finite()) {
        return None;
    }
    let mut statistic = 0.0;
    for r in &kept {
        let row_total = r[0] + r[1];
        for j in 0..2 {
            let expected = row_total * col[j] / total;
            statistic += (r[j] - expected).powi(2) / expected;
        }
    }
    let df = u32::try_from(kept.len() - 1).ok()?;
    if !statistic.is_finite() {
        return None;
    }
    let p_value = ChiSquared::new(f64::from(df)).ok()?.sf(statistic);
    p_value.is_finite().then_some(ChiSquare {
        statistic,
        df,
        p_value: p_value.clamp(0.0, 1.0),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rel_close(got: f64, want: f64, tol: f64) -> bool {
        (got - want).abs() <= tol * want.abs()
    }

    #[test]
    fn statrs_chi_square_sf_known_values() {
        // Values from scipy.stats.chi2.sf.
        let sf = |x: f64, df: f64| ChiSquared::new(df).unwrap().sf(x);
        assert!(rel_close(sf(3.84, 1.0), 0.05004352124870519, 1e-12));
        assert!(rel_close(sf(100.0, 3.0), 1.5541594313896026e-21, 1e-12));
        assert!(rel_close(sf(1e-3, 5.0), 0.9999999983185123, 1e-12));
    }

    #[test]
    fn statrs_ln_gamma_known_values() {
        // ln Γ(10) = ln 9! and ln Γ(50001) = ln 50000!, the latter from
        // scipy.special.gammaln.
        assert!(rel_close(ln_gamma(10.0), 362880f64.ln(), 1e-15));
        assert!(rel_close(ln_gamma(50001.0), 490995.2430498563, 1e-14));
    }

    #[test]
    fn two_sided_normal_tail_known_values() {
        // 2 · scipy.stats.norm.sf(z). statrs' erfc is off by about 5e-11
        // relative at these points, which is why the incomplete gamma
        // function is used instead.
        assert!(rel_close(
            two_sided_normal_p(1.959963984540054),
            0.05,
            1e-14
        ));
        assert!(rel_close(
            two_sided_normal_p(3.0),
            0.0026997960632601866,
            1e-14
        ));
        assert!(rel_close(
            two_sided_normal_p(6.0),
            1.973175290075389e-09,
            1e-13
        ));
        assert!(rel_close(
            two_sided_normal_p(10.0),
            1.523970604832094e-23,
            1e-13
        ));
        assert_eq!(two_sided_normal_p(0.0), 1.0);
        assert_eq!(two_sided_normal_p(1e200), 0.0);
    }

    #[test]
    fn z_test_undefined_cases() {
        assert_eq!(two_proportion_z(0.0, 10.0, 0.0, 20.0), None);
        assert_eq!(two_proportion_z(10.0, 10.0, 20.0, 20.0), None);
        assert_eq!(two_proportion_z(1.0, 0.0, 1.0, 2.0), None);
        assert_eq!(two_proportion_z(f64::NAN, 10.0, 1.0, 2.0), None);
        assert_eq!(two_proportion_z(3.0, 2.0, 1.0, 2.0), None);
        assert_eq!(two_proportion_z(5.0, 10.0, 5.0, 10.0), Some(1.0));
    }

    #[test]
    fn fisher_degenerate_tables_are_one() {
        assert_eq!(fisher_exact(0, 0, 0, 0), 1.0);
        assert_eq!(fisher_exact(5, 0, 0, 0), 1.0);
        assert_eq!(fisher_exact(0, 5, 0, 3), 1.0);
        assert_eq!(fisher_exact(4, 6, 0, 0), 1.0);
    }

    #[test]
    fn fisher_lady_tasting_tea() {
        // Fisher's tea-tasting table: the two-sided p-value is 34/70.
        assert!(rel_close(fisher_exact(3, 1, 1, 3), 34.0 / 70.0, 1e-12));
        // [[1, 0], [0, 1]]: both tables with these margins are equally
        // likely.
        assert_eq!(fisher_exact(1, 0, 0, 1), 1.0);
    }

    #[test]
    fn fisher_huge_counts_do_not_panic() {
        let m = u64::MAX;
        for t in [
            (m, m, m, m),
            (m, 0, 0, m),
            (0, m, m, 0),
            (1, m, 0, 0),
            (m, 1, 1, 0),
        ] {
            let p = fisher_exact(t.0, t.1, t.2, t.3);
            assert!((0.0..=1.0).contains(&p), "{t:?} -> {p}");
        }
        // A table of a million per cell: p is still a probability, and the
        // balanced table has p = 1.
        assert_eq!(
            fisher_exact(1_000_000, 1_000_000, 1_000_000, 1_000_000),
            1.0
        );
        let p = fisher_exact(1_000_000, 1_001_000, 1_000_500, 1_000_000);
        assert!(p > 0.0 && p < 1.0);
    }

    #[test]
    fn fisher_is_symmetric_under_table_transformations() {
        let tables = [
            (8, 2, 1, 5),
            (1200, 3000, 900, 2800),
            (0, 7, 9, 3),
            (2, 7, 8, 2),
        ];
        for (a, b, c, d) in tables {
            let p = fisher_exact(a, b, c, d);
            for q in [
                fisher_exact(b, a, d, c),
                fisher_exact(c, d, a, b),
                fisher_exact(a, c, b, d),
                fisher_exact(d, c, b, a),
            ] {
                assert!(rel_close(q, p, 1e-9), "{p} vs {q}");
            }
        }
    }

    #[test]
    fn expected_cell_rule() {
        assert!(expected_cell_below(1.0, 9.0, 2.0, 8.0, 5.0));
        assert!(!expected_cell_below(10.0, 20.0, 15.0, 25.0, 5.0));
        assert!(expected_cell_below(0.0, 0.0, 0.0, 0.0, 5.0));
        assert!(expected_cell_below(f64::NAN, 1.0, 1.0, 1.0, 5.0));
        assert!(expected_cell_below(-1.0, 10.0, 10.0, 10.0, 5.0));
    }

    #[test]
    fn chi_square_undefined_cases() {
        assert_eq!(chi_square_independence(&[]), None);
        assert_eq!(chi_square_independence(&[[3.0, 4.0]]), None);
        assert_eq!(chi_square_independence(&[[3.0, 4.0], [0.0, 0.0]]), None);
        assert_eq!(chi_square_independence(&[[0.0, 4.0], [0.0, 6.0]]), None);
        assert_eq!(
            chi_square_independence(&[[1.0, 4.0], [f64::NAN, 6.0]]),
            None
        );
        assert_eq!(chi_square_independence(&[[1.0, 4.0], [-1.0, 6.0]]), None);
        let r = chi_square_independence(&[[5.0, 5.0], [0.0, 0.0], [5.0, 5.0]]).unwrap();
        assert_eq!(r.df, 1);
        assert_eq!(r.statistic, 0.0);
        assert_eq!(r.p_value, 1.0);
    }
}
