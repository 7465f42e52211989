//! The regularised incomplete beta function and the beta quantile, written
//! here because `statrs`' versions are not good enough for large samples.
//!
//! `statrs::function::beta::beta_reg` stops its continued fraction after 140
//! terms and forms its prefactor from differences of log-gamma values, so it
//! is wrong in the fourth digit by `a + b = 1e8`, and `statrs`' beta quantile
//! (algorithm AS 109) can loop forever for extreme shapes. Clopper–Pearson
//! intervals on large effective samples need both to be right, so this file
//! computes:
//!
//! * the prefactor `x^a (1 − x)^b / B(a, b)` in the cancellation-free form
//!   used by DiDonato & Morris (1992, ACM TOMS 18:360–373, algorithm 708):
//!   Stirling's series for the gamma functions and `ln(1 + u) − u` for the
//!   powers;
//! * the continued fraction by the modified Lentz method (Numerical Recipes,
//!   3rd ed., §6.4), for as many terms as it needs, up to a fixed cap, below
//!   the mean, and above it either the same fraction on the reflected
//!   distribution or, for a small first shape, the series with positive
//!   terms (Abramowitz & Stegun 26.5.23), whichever is well conditioned;
//! * the quantile by bisection over `f64` bit patterns, which always ends.

use statrs::function::gamma::ln_gamma;

/// Largest `a + b` accepted (10¹² + 1, so that Clopper–Pearson intervals,
/// whose shapes add up to `n + 1`, work for every `n < 10¹²`). The continued
/// fraction needs about `sqrt(a + b)` terms near the centre of the
/// distribution, so beyond this it would be slow, and effective sample
/// sizes are nowhere near it.
const MAX_SHAPE_SUM: f64 = 1e12 + 1.0;

/// Cap on continued-fraction terms; about ten times what `MAX_SHAPE_SUM`
/// needs, so it only stops a computation that is not converging.
const MAX_TERMS: usize = 10_000_000;

/// `ln(2π) / 2`.
const HALF_LN_2PI: f64 = 0.918_938_533_204_672_8;

/// `ln(1 + u) − u`, accurate also for small `|u|`, where the two terms
/// nearly cancel.
fn log1pmx(u: f64) -> f64 {
    if u.abs() > 0.1 {
        return u.ln_1p() - u;
    }
    // ln(1 + u) − u = Σ_{k≥2} (−1)^(k+1) u^k / k; for |u| <= 0.1 each term
    // is at most a tenth of the one before, so 20 terms reach 1e-20.
    let mut power = u * u;
    let mut sum = 0.0;
    for k in 2..40 {
        let term = power / k as f64;
        sum += if k % 2 == 0 { -term } else { term };
        if term.abs() <= 1e-18 * sum.abs() {
            break;
        }
        power *= u;
    }
    sum
}

/// Stirling's error `ln Γ(x) − ((x − ½) ln x − x + ½ ln 2π)`, for `x > 0`.
fn stirling_error(x: f64) -> f64 {
    if x >= 15.0 {
        // Asymptotic series; at x = 15 the first omitted term is below
        // 1e-16 relative.
        let r = 1.0 / x;
        let r2 = r * r;
        r * (1.0 / 12.0
            - r2 * (1.0 / 360.0 - r2 * (1.0 / 1260.0 - r2 * (1.0 / 1680.0 - r2 / 1188.0))))
    } else {
        ln_gamma(x) - ((x - 0.5) * x.ln() - x + HALF_LN_2PI)
    }
}

/// `ln( x^a (1 − x)^b / B(a, b) )` for `0 < x < 1`, computed from `x`
/// itself (never from a rounded `1 − x`).
fn ln_prefactor(a: f64, b: f64, x: f64) -> f64 {
    if a + b < 20.0 {
        // Small shapes: the log-gamma values are small, so their difference
        // loses nothing.
        let ln_beta = ln_gamma(a) + ln_gamma(b) - ln_gamma(a + b);
        return a * x.ln() + b * (-x).ln_1p() - ln_beta;
    }
    if a.min(b) < 1.0 {
        // One shape below 1 (a fractional effective count): the mean is so
        // close to 0 or 1 that the expansion around it below would divide by
        // a vanishing p0 or q0. The powers are then small, and ln B(a, b) is
        // formed from ln Γ of the small shape and the ratio
        // Γ(l) / Γ(l + s) of the large one, which has no cancellation.
        let (small, large) = if a < b { (a, b) } else { (b, a) };
        let ln_ratio = -(large - 0.5) * (small / large).ln_1p() - small * (large + small).ln()
            + small
            + stirling_error(large)
            - stirling_error(large + small);
        let ln_beta = ln_gamma(small) + ln_ratio;
        return a * x.ln() + b * (-x).ln_1p() - ln_beta;
    }
    // Write x = p0 (1 + u) and 1 − x = q0 (1 + v) around the mean
    // p0 = a / (a + b); then a·u + b·v = 0, so the powers contribute
    // a (ln(1+u) − u) + b (ln(1+v) − v) without cancellation, and
    // p0^a q0^b / B(a, b) = sqrt(ab / (2π(a+b))) · exp(S(a+b) − S(a) − S(b))
    // with S the Stirling error.
    let total = a + b;
    let p0 = a / total;
    let q0 = b / total;
    let d = x - p0;
    // Near the mean, ln(1 + u) − u is taken from its series; farther out
    // ln(1 + u) is formed from logarithms of x and 1 − x themselves, because
    // 1 + u computed from u would lose x entirely once x is far below p0.
    let u = d / p0;
    let v = -d / q0;
    let power_a = if u.abs() <= 0.1 {
        a * log1pmx(u)
    } else {
        a * (x.ln() - p0.ln() - u)
    };
    let power_b = if v.abs() <= 0.1 {
        b * log1pmx(v)
    } else {
        b * ((-x).ln_1p() - q0.ln() - v)
    };
    let powers = power_a + power_b;
    let scale = 0.5 * (a.ln() + b.ln() - total.ln()) - HALF_LN_2PI;
    powers + scale + stirling_error(total) - stirling_error(a) - stirling_error(b)
}

/// Continued fraction for `I_x(a, b)` (modified Lentz), valid and quickly
/// convergent for `x < (a + 1) / (a + b + 2)`. Returns `None` if it does
/// not converge within `MAX_TERMS`.
///
/// `y` is `1 − x` known to full relative precision (the caller's original
/// `x` when the arguments were swapped); the first denominator
/// `1 − (a + b) x / (a + 1)` is formed from `y` when `y` is the smaller,
/// because from a rounded `x` near 1 it would cancel catastrophically.
fn beta_continued_fraction(a: f64, b: f64, x: f64, y: f64) -> Option<f64> {
    const TINY: f64 = 1e-300;
    const EPS: f64 = 1e-16;
    let fix = |v: f64| if v.abs() < TINY { TINY } else { v };
    let qab = a + b;
    let qap = a + 1.0;
    let qam = a - 1.0;
    let mut c = 1.0;
    let first = if y < x {
        (1.0 - b + qab * y) / qap
    } else {
        1.0 - qab * x / qap
    };
    let mut d = 1.0 / fix(first);
    let mut h = d;
    for m in 1..=MAX_TERMS {
        let m = m as f64;
        let m2 = 2.0 * m;
        let aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1.0 / fix(1.0 + aa * d);
        c = fix(1.0 + aa / c);
        h *= d * c;
        let aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1.0 / fix(1.0 + aa * d);
        c = fix(1.0 + aa / c);
        let step = d * c;
        h *= step;
        if (step - 1.0).abs() <= EPS {
            return Some(h);
        }
        if !h.is_finite() {
            return None;
        }
    }
    None
}

/// `I_x(a, b)` from the hypergeometric series
/// `I_x(a, b) = x^a (1 − x)^b / (a B(a, b)) · Σ_j [(a + b)_j / (a + 1)_j] x^j`
/// (Abramowitz & Stegun 26.5.23 with 15.1.1), whose terms are all positive,
/// so it loses no precision however the total compares with the prefactor.
/// It needs about `(a + b) x − a` terms plus a few times `sqrt(a)`, so it is
/// used only for small `a`; returns `None` after `MAX_SERIES_TERMS`.
fn beta_positive_series(a: f64, b: f64, x: f64, ln_prefactor: f64) -> Option<f64> {
    // Terms are kept relative to a running scale so that a sum far beyond
    // f64's range (it can reach e^((a+b)x)) does not overflow.
    let mut ln_scale = 0.0f64;
    let mut term = 1.0f64;
    let mut sum = 1.0f64;
    for j in 0..MAX_SERIES_TERMS {
        let j = j as f64;
        let ratio = (a + b + j) * x / (a + 1.0 + j);
        term *= ratio;
        sum += term;
        if sum > 1e250 {
            ln_scale += sum.ln();
            term /= sum;
            sum = 1.0;
        }
        if ratio < 1.0 && term * ratio / (1.0 - ratio) <= 1e-17 * sum {
            return Some((ln_prefactor - a.ln() + ln_scale + sum.ln()).exp());
        }
    }
    None
}

/// Cap on terms of [`beta_positive_series`].
const MAX_SERIES_TERMS: usize = 1_000_000;

/// The regularised incomplete beta function `I_x(a, b)`, the cdf of
/// `Beta(a, b)` at `x`.
///
/// Returns `None` for shapes that are not finite and positive, for
/// `a + b > MAX_SHAPE_SUM`, for `x` outside `[0, 1]` or NaN, and if the
/// continued fraction fails to converge.
pub(crate) fn incomplete_beta(a: f64, b: f64, x: f64) -> Option<f64> {
    if !(a.is_finite() && b.is_finite() && a > 0.0 && b > 0.0) || a + b > MAX_SHAPE_SUM {
        return None;
    }
    if x.is_nan() || !(0.0..=1.0).contains(&x) {
        return None;
    }
    if x == 0.0 {
        return Some(0.0);
    }
    if x == 1.0 {
        return Some(1.0);
    }
    // The prefactor is computed from the caller's x, never from a rounded
    // 1 − x: for a tiny x (the upper Clopper–Pearson end for a rare event),
    // 1 − x keeps only a few of x's digits. It is symmetric in (a, x) and
    // (b, 1 − x), so it serves every branch below.
    let ln_pre = ln_prefactor(a, b, x);
    let below_mean = || Some(ln_pre.exp() / a * beta_continued_fraction(a, b, x, 1.0 - x)?);
    // Above the mean the continued fraction must be applied to
    // I_x(a, b) = 1 − I_{1−x}(b, a).
    let swapped = || Some(1.0 - ln_pre.exp() / b * beta_continued_fraction(b, a, 1.0 - x, x)?);
    let value = if x <= (a + 1.0) / (a + b + 2.0) {
        below_mean()?
    } else if x < 1e-3 && series_cost(a, b, x) <= SERIES_BUDGET {
        // Above a mean this small (a small first shape and a much larger
        // second one: the upper Clopper–Pearson end for few events in a
        // large group), the swapped continued fraction works with 1 − x
        // within 1e-3 of 1 and cancels, with relative errors up to about
        // 1e-16 / x (1e-8 at n = 1e10); the positive series is exact there
        // and cheap.
        match beta_positive_series(a, b, x, ln_pre) {
            Some(v) => v,
            None => swapped()?,
        }
    } else {
        swapped()?
    };
    Some(value.clamp(0.0, 1.0))
}

/// Estimated number of terms [`beta_positive_series`] needs: the index of
/// its largest term, plus a generous multiple of the width of the bump of
/// terms around it, plus the far tail, whose ratio of successive terms tends
/// to `x` and so takes about `40 / (1 − x)` terms to fall below 1e-17.
fn series_cost(a: f64, b: f64, x: f64) -> f64 {
    let peak = (((a + b) * x - a - 1.0) / (1.0 - x)).max(0.0);
    peak + 40.0 * ((a + peak + 1.0) / (1.0 - x)).sqrt() + 40.0 / (1.0 - x)
}

/// Largest [`series_cost`] for which the positive series is used (a few
/// tens of microseconds); beyond it, with a first shape above about 10⁵,
/// the reflected continued fraction is well conditioned again.
const SERIES_BUDGET: f64 = 2e4;

/// Quantile of `Beta(a, b)` at probability `q`: the smallest `x` in `[0, 1]`
/// with `I_x(a, b) >= q`.
///
/// Bisection over the bit patterns of the non-negative `f64` values (which
/// are ordered like the values) always ends within 63 steps and resolves the
/// answer to one unit in the last place however small it is, so its
/// accuracy is that of `I` itself.
///
/// Returns `None` where [`incomplete_beta`] does, or for `q` outside
/// `[0, 1]`.
pub(crate) fn beta_quantile(a: f64, b: f64, q: f64) -> Option<f64> {
    if q.is_nan() || !(0.0..=1.0).contains(&q) {
        return None;
    }
    // Validates the shapes once, so that a None below means non-convergence.
    incomplete_beta(a, b, 0.5)?;
    if q == 0.0 {
        return Some(0.0);
    }
    // Invariant: I(low) < q <= I(high), since I(0) = 0 and I(1) = 1.
    let mut low: u64 = 0.0f64.to_bits();
    let mut high: u64 = 1.0f64.to_bits();
    while high - low > 1 {
        let mid = low + (high - low) / 2;
        if incomplete_beta(a, b, f64::from_bits(mid))? >= q {
            high = mid;
        } else {
            low = mid;
        }
    }
    Some(f64::from_bits(high))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rel(got: Option<f64>, want: f64) -> f64 {
        match got {
            Some(g) => ((g - want) / want).abs(),
            None => f64::INFINITY,
        }
    }

    #[test]
    fn log1pmx_small_and_large() {
        // Values of ln(1 + u) − u from mpmath at 40 digits.
        assert!((log1pmx(1e-3) / -4.996_669_164_668_332e-7 - 1.0).abs() < 1e-15);
        assert!((log1pmx(-0.05) / -0.001_293_294_387_550_533_4 - 1.0).abs() < 1e-15);
        assert!((log1pmx(0.5) - (1.5f64.ln() - 0.5)).abs() < 1e-16);
    }

    #[test]
    fn stirling_error_known_values() {
        // mpmath: loggamma(x) − ((x − ½) ln x − x + ½ ln 2π) at 40 digits,
        // on both sides of the switch to the asymptotic series.
        for (x, want) in [
            (8.0, 0.010_411_265_261_972_097),
            (15.0, 0.005_554_733_551_962_801),
            (20.5, 0.004_064_718_438_875_479),
            (1e6, 8.333_333_333_333_056e-8),
        ] {
            // Below 15 the value comes from statrs' ln_gamma, whose absolute
            // error (about 3e-14) becomes a relative error of the same size
            // in the incomplete beta function, which is harmless.
            let got = stirling_error(x);
            assert!(
                (got - want).abs() < 1e-13 * want.max(1.0) && ((got - want) / want).abs() < 1e-11,
                "{x}: {got} vs {want}"
            );
        }
    }

    #[test]
    fn incomplete_beta_known_values() {
        // mpmath.betainc(regularized=True) at 40 digits.
        assert!(rel(incomplete_beta(2.0, 3.0, 0.4), 0.5248) < 1e-14);
        assert!(rel(incomplete_beta(0.5, 0.5, 0.3), 0.369_010_119_565_545_4) < 1e-14);
        assert_eq!(incomplete_beta(1.0, 1.0, 0.0), Some(0.0));
        assert_eq!(incomplete_beta(1.0, 1.0, 1.0), Some(1.0));
        assert_eq!(incomplete_beta(0.0, 1.0, 0.5), None);
        assert_eq!(incomplete_beta(1.0, 1.0, f64::NAN), None);
        assert_eq!(incomplete_beta(1e12, 1.5, 0.5), None);
    }

    #[test]
    fn incomplete_beta_one_small_shape() {
        // mpmath.betainc(regularized=True) at 40 digits.
        assert!(
            rel(
                incomplete_beta(0.15, 16864.09, 1e-18),
                0.009_207_507_874_304_43
            ) < 1e-12
        );
        assert!(rel(incomplete_beta(30.0, 0.5, 0.99), 0.439_334_368_905_251_2) < 1e-12);
        // With a vanishing first shape almost all the mass is at 0.
        assert_eq!(beta_quantile(5e-324, 50001.0, 5e-11), Some(5e-324));
    }

    #[test]
    fn beta_quantile_large_shapes() {
        // scipy.stats.beta.ppf; statrs is wrong in the 4th digit for 1e8.
        assert!(rel(beta_quantile(5e7, 5e7 + 1.0, 0.025), 0.4999019968019593) < 1e-12);
        assert!(rel(beta_quantile(1e9 + 1.0, 9e9, 0.975), 0.1000058800577264) < 1e-10);
        assert!(rel(beta_quantile(3.0, 1e10 - 2.0, 0.025), 6.18672122938331e-11) < 1e-10);
    }

    #[test]
    fn beta_quantile_extreme_shapes_end() {
        for (a, b) in [
            (f64::MIN_POSITIVE, 1.0),
            (1e-300, 1e-300),
            (1.0, 1e11),
            (5e11, 5e11),
            (1e-10, 1e11),
        ] {
            for q in [1e-300, 0.025, 0.5, 0.975, 1.0] {
                if let Some(x) = beta_quantile(a, b, q) {
                    assert!((0.0..=1.0).contains(&x), "{a} {b} {q}: {x}");
                }
            }
        }
    }
}
