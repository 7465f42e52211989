//! Corrections of p-values for multiple comparisons.
//!
//! An audit compares many groups on many metrics, so some differences look
//! significant by chance alone. These functions turn raw p-values into
//! adjusted ones that can be compared directly with the chosen significance
//! level.
//!
//! Conventions shared by every function here: `None` entries (tests that
//! could not be computed) are skipped — they do not count towards the number
//! of tests `m` — and stay `None`; a non-finite entry (NaN or infinite) is
//! treated the same way, so that no NaN reaches a report; finite entries
//! outside `[0, 1]` are clamped into it first; the output is in input order;
//! and adjusted values are capped at 1.

use serde::{Deserialize, Serialize};

/// The usable p-values with their positions in the input, sorted ascending.
fn sorted_valid(p: &[Option<f64>]) -> Vec<(usize, f64)> {
    let mut items: Vec<(usize, f64)> = p
        .iter()
        .enumerate()
        .filter_map(|(i, v)| v.filter(|x| x.is_finite()).map(|x| (i, x.clamp(0.0, 1.0))))
        .collect();
    // Ties may be ordered either way: both procedures give tied p-values the
    // same adjusted value whatever their order.
    items.sort_by(|x, y| x.1.total_cmp(&y.1));
    items
}

/// Benjamini–Hochberg (1995) adjusted p-values, which control the false
/// discovery rate.
///
/// With the `m` usable p-values sorted ascending, `p(1) <= … <= p(m)`:
///
/// ```text
/// q(i) = min_{j >= i} ( p(j) · m / j ),  capped at 1
/// ```
///
/// This matches `statsmodels.stats.multitest.multipletests(method="fdr_bh")`
/// applied to the non-`None` entries. `None` and non-finite entries are
/// skipped and stay `None`; see the module documentation.
///
/// Reference: Y. Benjamini and Y. Hochberg (1995), "Controlling the false
/// discovery rate: a practical and powerful approach to multiple testing",
/// JRSS B 57:289–300.
pub fn benjamini_hochberg(p: &[Option<f64>]) -> Vec<Option<f64>> {
    let items = sorted_valid(p);
    let m = items.len() as f64;
    let mut out = vec![None; p.len()];
    let mut running_min = f64::INFINITY;
    for (rank0, &(index, value)) in items.iter().enumerate().rev() {
        // Dividing by rank / m (rather than multiplying by m / rank) follows
        // statsmodels to the last bit.
        let raw = value / ((rank0 + 1) as f64 / m);
        running_min = running_min.min(raw);
        out[index] = Some(running_min.min(1.0));
    }
    out
}

/// Holm (1979) step-down adjusted p-values, which control the family-wise
/// error rate.
///
/// With the `m` usable p-values sorted ascending, `p(1) <= … <= p(m)`:
///
/// ```text
/// q(i) = max_{j <= i} ( p(j) · (m − j + 1) ),  capped at 1
/// ```
///
/// This matches `statsmodels.stats.multitest.multipletests(method="holm")`
/// applied to the non-`None` entries. `None` and non-finite entries are
/// skipped and stay `None`; see the module documentation.
///
/// Reference: S. Holm (1979), "A simple sequentially rejective multiple test
/// procedure", Scandinavian Journal of Statistics 6:65–70.
pub fn holm(p: &[Option<f64>]) -> Vec<Option<f64>> {
    let items = sorted_valid(p);
    let m = items.len();
    let mut out = vec![None; p.len()];
    let mut running_max = 0.0f64;
    for (rank0, &(index, value)) in items.iter().enumerate() {
        let raw = value * (m - rank0) as f64;
        running_max = running_max.max(raw);
        out[index] = Some(running_max.min(1.0));
    }
    out
}

/// A multiple-comparison correction, as named in configuration files
/// (`"benjamini-hochberg"`, `"holm"`, `"none"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Correction {
    /// Benjamini–Hochberg false discovery rate control; see
    /// [`benjamini_hochberg`].
    BenjaminiHochberg,
    /// Holm step-down family-wise error control; see [`holm`].
    Holm,
    /// No correction: p-values are passed through.
    None,
}

impl Correction {
    /// Adjusts the p-values with this correction.
    ///
    /// `Correction::None` returns the p-values unchanged except for the
    /// module's shared conventions: non-finite entries become `None` and
    /// values are clamped into `[0, 1]`.
    pub fn adjust(self, p: &[Option<f64>]) -> Vec<Option<f64>> {
        match self {
            Correction::BenjaminiHochberg => benjamini_hochberg(p),
            Correction::Holm => holm(p),
            Correction::None => p
                .iter()
                .map(|v| v.filter(|x| x.is_finite()).map(|x| x.clamp(0.0, 1.0)))
                .collect(),
        }
    }

    /// The correction's name as written in configuration and reports, the
    /// same as its serialised form: `"benjamini-hochberg"`, `"holm"` or
    /// `"none"`.
    pub fn name(self) -> &'static str {
        match self {
            Correction::BenjaminiHochberg => "benjamini-hochberg",
            Correction::Holm => "holm",
            Correction::None => "none",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn approx(got: &[Option<f64>], want: &[Option<f64>]) -> bool {
        got.len() == want.len()
            && got.iter().zip(want).all(|(g, w)| match (g, w) {
                (Some(g), Some(w)) => (g - w).abs() <= 1e-12,
                (None, None) => true,
                _ => false,
            })
    }

    #[test]
    fn bh_hand_computed() {
        // Sorted 0.01, 0.03, 0.04, 0.2 with m = 4: raw 0.04, 0.06, 0.0533…,
        // 0.2; the running minimum from the top makes the 2nd 0.0533….
        let p = [Some(0.01), Some(0.04), Some(0.03), Some(0.2)];
        let want = [Some(0.04), Some(0.16 / 3.0), Some(0.16 / 3.0), Some(0.2)];
        assert!(approx(&benjamini_hochberg(&p), &want));
    }

    #[test]
    fn holm_hand_computed() {
        let p = [Some(0.01), Some(0.04), Some(0.03), Some(0.2)];
        let want = [Some(0.04), Some(0.09), Some(0.09), Some(0.2)];
        assert!(approx(&holm(&p), &want));
    }

    #[test]
    fn none_and_nan_are_skipped() {
        let p = [None, Some(0.02), Some(f64::NAN), Some(0.04), None];
        let bh = benjamini_hochberg(&p);
        assert!(approx(&bh, &[None, Some(0.04), None, Some(0.04), None]));
        let h = holm(&p);
        assert!(approx(&h, &[None, Some(0.04), None, Some(0.04), None]));
        assert!(benjamini_hochberg(&[]).is_empty());
        assert_eq!(holm(&[None, None]), vec![None, None]);
    }

    #[test]
    fn values_are_capped_and_clamped() {
        let p = [Some(0.6), Some(0.7), Some(1.5), Some(-0.1)];
        let h = holm(&p);
        assert!(h.iter().flatten().all(|v| (0.0..=1.0).contains(v)));
        assert_eq!(h[3], Some(0.0));
        assert_eq!(Correction::None.adjust(&p)[2], Some(1.0));
    }

    #[test]
    fn correction_names_match_serde() {
        for c in [
            Correction::BenjaminiHochberg,
            Correction::Holm,
            Correction::None,
        ] {
            let json = serde_json::to_string(&c).unwrap();
            assert_eq!(json, format!("\"{}\"", c.name()));
            let back: Correction = serde_json::from_str(&json).unwrap();
            assert_eq!(back, c);
        }
        let p = [Some(0.01), Some(0.02)];
        assert_eq!(Correction::Holm.adjust(&p), holm(&p));
        assert_eq!(
            Correction::BenjaminiHochberg.adjust(&p),
            benjamini_hochberg(&p)
        );
        assert_eq!(Correction::None.adjust(&p), p.to_vec());
    }
}
