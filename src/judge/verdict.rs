//! Verdicts: is a group treated within tolerance of its reference group?
//!
//! The question is one of *equivalence* ("can we show the disparity is
//! within tolerance?"), not only of difference ("can we show there is one?"),
//! because a committee must not read "no significant difference" in a small
//! sample as evidence of fairness. With the disparity's confidence interval
//! and the policy's tolerance band:
//!
//! * `pass` — the whole interval lies inside the band: the data show parity
//!   within tolerance;
//! * `fail` — the whole interval lies outside the band *and* the test of
//!   no difference is significant after correction for multiple comparisons;
//! * `inconclusive` — otherwise: the interval crosses an edge of the band (the
//!   data cannot tell), or lies outside it without a significant corrected
//!   test; the finding says how large a disparity the data cannot rule out;
//! * `insufficient data` — the group is below the minimum size, or the
//!   metric, its interval or its test is undefined.
//!
//! With both a ratio band and a difference bound, a pass needs both, and a
//! fail needs either. An interval end exactly on a band edge counts as
//! inside (the band is closed).

use crate::results::{Verdict, VerdictKind};
use crate::stats::Interval;

use super::policy::Tolerance;

/// What the comparison of a group with its reference found.
#[derive(Debug, Clone, Copy, Default)]
pub struct Evidence {
    /// The ratio's interval.
    pub ratio: Option<Interval>,
    /// The difference's interval.
    pub difference: Option<Interval>,
    /// The corrected p-value of the test of no difference.
    pub p_adjusted: Option<f64>,
}

enum Place {
    Inside,
    Outside,
    Crossing,
}

fn place(ci: Interval, lo: f64, hi: f64) -> Place {
    if ci.low >= lo && ci.high <= hi {
        Place::Inside
    } else if ci.high < lo || ci.low > hi {
        Place::Outside
    } else {
        Place::Crossing
    }
}

/// Judges one comparison against a tolerance at significance `alpha`.
pub fn judge(tol: &Tolerance, e: &Evidence, alpha: f64) -> Verdict {
    let mut places = Vec::new();
    if let Some((lo, hi)) = tol.ratio {
        match e.ratio {
            Some(ci) => places.push(place(ci, lo, hi)),
            None => {
                if tol.difference.is_none() {
                    return Verdict::insufficient(
                        "the ratio to the reference group has no interval (a rate is undefined, or the reference group's rate is 0)",
                    );
                }
            }
        }
    }
    if let Some(d) = tol.difference {
        match e.difference {
            Some(ci) => places.push(place(ci, -d, d)),
            None => {
                return Verdict::insufficient(
                    "the difference from the reference group has no interval (a rate is undefined)",
                );
            }
        }
    }
    if places.is_empty() {
        return Verdict::insufficient("no interval is available for the tolerance");
    }
    let far_ratio = e.ratio.map(|ci| {
        if ci.high.ln().abs() >= ci.low.ln().abs() {
            ci.high
        } else {
            ci.low
        }
    });
    let far_diff = e.difference.map(|ci| {
        if ci.high.abs() >= ci.low.abs() {
            ci.high
        } else {
            ci.low
        }
    });
    let describe = |p: &str| -> String {
        let mut parts = Vec::new();
        if let (Some((lo, hi)), Some(ci)) = (tol.ratio, e.ratio) {
            parts.push(format!(
                "the ratio's interval [{:.3}, {:.3}] {p} the band [{lo}, {hi}]",
                ci.low, ci.high
            ));
        }
        if let (Some(d), Some(ci)) = (tol.difference, e.difference) {
            parts.push(format!(
                "the difference's interval [{:.3}, {:.3}] {p} ±{d}",
                ci.low, ci.high
            ));
        }
        parts.join("; ")
    };
    if places.iter().all(|p| matches!(p, Place::Inside)) {
        return Verdict {
            verdict: VerdictKind::Pass,
            reason: describe("lies inside"),
            cannot_rule_out_ratio: None,
            cannot_rule_out_difference: None,
        };
    }
    let outside = places.iter().any(|p| matches!(p, Place::Outside));
    let significant = e.p_adjusted.is_some_and(|p| p < alpha);
    if outside && significant {
        return Verdict {
            verdict: VerdictKind::Fail,
            reason: describe("lies outside"),
            cannot_rule_out_ratio: None,
            cannot_rule_out_difference: None,
        };
    }
    let reason = if outside {
        match e.p_adjusted {
            Some(p) => format!(
                "{}, but the test of no difference is not significant after correction (p = {p:.3}, alpha = {alpha})",
                describe("lies outside")
            ),
            None => format!(
                "{}, but no test of no difference is available",
                describe("lies outside")
            ),
        }
    } else {
        describe("crosses an edge of")
    };
    Verdict {
        verdict: VerdictKind::Inconclusive,
        reason,
        cannot_rule_out_ratio: tol.ratio.and(far_ratio),
        cannot_rule_out_difference: tol.difference.and(far_diff),
    }
}

/// The overall verdict over many: fail if any fails, else inconclusive if
/// any is inconclusive, else pass if any passes, else insufficient data.
pub fn overall<'a>(verdicts: impl IntoIterator<Item = &'a VerdictKind>) -> VerdictKind {
    let mut seen = [false; 4];
    for v in verdicts {
        seen[*v as usize] = true;
    }
    if seen[VerdictKind::Fail as usize] {
        VerdictKind::Fail
    } else if seen[VerdictKind::Inconclusive as usize] {
        VerdictKind::Inconclusive
    } else if seen[VerdictKind::Pass as usize] {
        VerdictKind::Pass
    } else {
        VerdictKind::InsufficientData
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BAND: Tolerance = Tolerance {
        ratio: Some((0.8, 1.25)),
        difference: None,
    };

    fn ci(low: f64, high: f64) -> Option<Interval> {
        Some(Interval { low, high })
    }

    fn v(ratio: Option<Interval>, p: Option<f64>) -> Verdict {
        judge(
            &BAND,
            &Evidence {
                ratio,
                difference: ci(-0.1, 0.1),
                p_adjusted: p,
            },
            0.05,
        )
    }

    #[test]
    fn inside_is_pass() {
        assert_eq!(v(ci(0.9, 1.1), Some(0.5)).verdict, VerdictKind::Pass);
    }

    #[test]
    fn on_the_edge_is_inside() {
        assert_eq!(v(ci(0.8, 1.25), Some(0.9)).verdict, VerdictKind::Pass);
    }

    #[test]
    fn straddling_an_edge_is_inconclusive_and_says_what_it_cannot_rule_out() {
        let x = v(ci(1.1, 1.6), Some(0.01));
        assert_eq!(x.verdict, VerdictKind::Inconclusive);
        assert_eq!(x.cannot_rule_out_ratio, Some(1.6));
        assert!(x.reason.contains("crosses an edge"), "{}", x.reason);
        let y = v(ci(0.5, 0.95), Some(0.01));
        assert_eq!(y.cannot_rule_out_ratio, Some(0.5));
    }

    #[test]
    fn outside_and_significant_is_fail() {
        assert_eq!(v(ci(1.7, 2.2), Some(1e-9)).verdict, VerdictKind::Fail);
        assert_eq!(v(ci(0.3, 0.7), Some(0.001)).verdict, VerdictKind::Fail);
    }

    #[test]
    fn outside_but_insignificant_after_correction_is_inconclusive() {
        let x = v(ci(1.3, 3.0), Some(0.08));
        assert_eq!(x.verdict, VerdictKind::Inconclusive);
        assert!(
            x.reason.contains("not significant after correction"),
            "{}",
            x.reason
        );
        assert_eq!(v(ci(1.3, 3.0), None).verdict, VerdictKind::Inconclusive);
    }

    #[test]
    fn undefined_is_insufficient() {
        assert_eq!(v(None, Some(0.01)).verdict, VerdictKind::InsufficientData);
        let both = Tolerance {
            ratio: Some((0.8, 1.25)),
            difference: Some(0.05),
        };
        let e = Evidence {
            ratio: None,
            difference: None,
            p_adjusted: None,
        };
        assert_eq!(
            judge(&both, &e, 0.05).verdict,
            VerdictKind::InsufficientData
        );
    }

    #[test]
    fn both_criteria_pass_needs_both_fail_needs_either() {
        let both = Tolerance {
            ratio: Some((0.8, 1.25)),
            difference: Some(0.05),
        };
        let e = |r: Option<Interval>, d: Option<Interval>| {
            judge(
                &both,
                &Evidence {
                    ratio: r,
                    difference: d,
                    p_adjusted: Some(0.001),
                },
                0.05,
            )
            .verdict
        };
        assert_eq!(e(ci(0.9, 1.1), ci(-0.01, 0.02)), VerdictKind::Pass);
        assert_eq!(e(ci(0.9, 1.1), ci(0.01, 0.08)), VerdictKind::Inconclusive);
        assert_eq!(e(ci(0.9, 1.1), ci(0.06, 0.08)), VerdictKind::Fail);
        // A ratio that cannot be formed (reference rate 0) falls back on the difference.
        assert_eq!(e(None, ci(-0.01, 0.01)), VerdictKind::Pass);
    }

    #[test]
    fn overall_takes_the_worst() {
        use VerdictKind::*;
        assert_eq!(overall(&[Pass, Inconclusive, Fail, InsufficientData]), Fail);
        assert_eq!(overall(&[Pass, Inconclusive]), Inconclusive);
        assert_eq!(overall(&[Pass, InsufficientData]), Pass);
        assert_eq!(overall(&[InsufficientData]), InsufficientData);
        assert_eq!(overall(&[]), InsufficientData);
    }
}
