//! Statistical uncertainty for audit metrics: confidence intervals,
//! significance tests and multiple-comparison corrections.
//!
//! Every audit figure is a proportion (a selection rate, a false positive
//! rate, …) computed on a group, or a comparison of two such proportions. A
//! figure without its uncertainty invites over-reading small groups, so the
//! audit reports each with an interval, and each comparison with a test whose
//! p-value is corrected for the number of comparisons made.
//!
//! # Methods and when each is used
//!
//! * **One proportion** — [`wilson`] score interval (Wilson 1927), the
//!   default: it is well defined at 0 and at 100 % and keeps close to its
//!   nominal coverage for small groups. [`clopper_pearson`] (Clopper &
//!   Pearson 1934) is the "exact" alternative, conservative by construction,
//!   for readers who require guaranteed coverage.
//! * **Ratio of two proportions** (e.g. disparate impact) —
//!   [`katz_log_ratio`], the Katz et al. (1978) log interval, with a
//!   documented 0.5 continuity adjustment when a count is 0 or equal to its
//!   total.
//! * **Difference of two proportions** (e.g. equal opportunity difference) —
//!   [`newcombe_difference`], Newcombe's (1998) hybrid score interval
//!   (method 10 of "Interval estimation for the difference between
//!   independent proportions: comparison of eleven methods", Statistics in
//!   Medicine 17:873–890), built from the two Wilson intervals.
//! * **Is a difference between two groups significant?** — the pooled
//!   [`two_proportion_z`] test when every expected cell count of the 2×2
//!   table is at least 5, otherwise [`fisher_exact`]; [`expected_cell_below`]
//!   makes that choice.
//! * **Do rates differ across several groups at all?** —
//!   [`chi_square_independence`], Pearson's chi-square test on the r×2 table.
//! * **Many comparisons at once** — [`benjamini_hochberg`] (Benjamini &
//!   Hochberg 1995) controls the false discovery rate and is the default;
//!   [`holm`] (Holm 1979) controls the family-wise error rate when any false
//!   finding is costly. [`Correction`] selects one by name.
//!
//! # Counts, weights and undefined values
//!
//! Counts are `f64` because with sample weights the caller passes Kish
//! effective sample sizes, which are not whole numbers; unweighted data give
//! whole numbers. Every estimator returns `None` where it is undefined (an
//! empty group, a pooled proportion of 0 or 1, invalid or non-finite input)
//! and never returns NaN or an infinite value; interval ends are clamped to
//! the range of the quantity (`[0, 1]` for a proportion, `[−1, 1]` for a
//! difference, `[0, ∞)` for a ratio). The single exception is
//! [`normal_quantile`], the raw quantile function, which is `±∞` at 0 and 1.
//!
//! # References
//!
//! * E. B. Wilson (1927), "Probable inference, the law of succession, and
//!   statistical inference", JASA 22:209–212.
//! * C. J. Clopper and E. S. Pearson (1934), "The use of confidence or
//!   fiducial limits illustrated in the case of the binomial", Biometrika
//!   26:404–413.
//! * D. Katz, J. Baptista, S. P. Azen and M. C. Pike (1978), "Obtaining
//!   confidence intervals for the risk ratio in cohort studies", Biometrics
//!   34:469–474.
//! * R. G. Newcombe (1998), "Interval estimation for the difference between
//!   independent proportions: comparison of eleven methods", Statistics in
//!   Medicine 17:873–890.
//! * Y. Benjamini and Y. Hochberg (1995), "Controlling the false discovery
//!   rate: a practical and powerful approach to multiple testing", JRSS B
//!   57:289–300.
//! * S. Holm (1979), "A simple sequentially rejective multiple test
//!   procedure", Scandinavian Journal of Statistics 6:65–70.
//!
//! Every function is checked against scipy and statsmodels by the golden
//! values in `tests/golden/uncertainty/uncertainty.json`, produced by
//! `tests/golden/uncertainty/make_uncertainty_golden.py`.

pub mod bootstrap;
pub mod intervals;
mod method;
pub mod multiplicity;
pub mod significance;
mod special;

#[cfg(test)]
mod golden;
#[cfg(test)]
mod robustness;

pub use intervals::{
    Interval, RatioInterval, clopper_pearson, katz_log_ratio, newcombe_difference, normal_quantile,
    wilson,
};
pub use method::Method;
pub use multiplicity::{Correction, benjamini_hochberg, holm};
pub use significance::{
    ChiSquare, chi_square_independence, expected_cell_below, fisher_exact, two_proportion_z,
};

/// How proportions get their intervals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IntervalMethod {
    /// Wilson score interval (default).
    Wilson,
    /// Clopper–Pearson exact interval.
    ClopperPearson,
}

/// Checked bootstrap settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bootstrap {
    /// Replicates.
    pub replicates: u32,
    /// The master seed.
    pub seed: u64,
    /// Whether each combination of attribute levels keeps its size.
    pub stratified: bool,
}

/// How every interval and test of an audit is computed: the checked
/// `[uncertainty]` settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Uncertainty {
    /// Confidence level of every interval.
    pub level: f64,
    /// Interval for proportions.
    pub interval: IntervalMethod,
    /// Correction within each family of comparisons.
    pub correction: Correction,
    /// The bootstrap, if any.
    pub bootstrap: Option<Bootstrap>,
}

/// The most bootstrap replicates accepted.
pub const MAX_REPLICATES: i64 = 1_000_000;
