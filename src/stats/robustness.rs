//! Every public function on awkward inputs: no panic, no hang, and no NaN
//! or infinity in anything returned.

use super::*;

/// Inputs that have broken statistics code before: zeros, signed zero,
/// subnormals, huge and non-finite values, negatives, and typical values.
const AWKWARD: [f64; 20] = [
    0.0,
    -0.0,
    1.0,
    0.5,
    3.0,
    45.2,
    123.7,
    5e-324,
    1e-300,
    1e-10,
    5e4,
    1e10,
    1e13,
    1e300,
    f64::MAX,
    f64::INFINITY,
    f64::NEG_INFINITY,
    f64::NAN,
    -1.0,
    -1e-300,
];

const LEVELS: [f64; 8] = [0.95, 0.5, 1e-10, 1.0 - 1e-10, 0.0, 1.0, f64::NAN, -0.95];

fn check_interval(i: Interval, min: f64, max: f64, what: &str) {
    assert!(
        i.low.is_finite() && i.high.is_finite(),
        "{what}: non-finite {i:?}"
    );
    assert!(
        min <= i.low && i.low <= i.high && i.high <= max,
        "{what}: out of range {i:?}"
    );
}

#[test]
fn one_proportion_intervals() {
    for &k in &AWKWARD {
        for &n in &AWKWARD {
            for &level in &LEVELS {
                let what = format!("k={k} n={n} level={level}");
                if let Some(i) = wilson(k, n, level) {
                    check_interval(i, 0.0, 1.0, &format!("wilson {what}"));
                }
                if let Some(i) = clopper_pearson(k, n, level) {
                    check_interval(i, 0.0, 1.0, &format!("cp {what}"));
                }
            }
        }
    }
}

#[test]
fn two_proportion_estimators() {
    // A smaller grid of second groups keeps the run short.
    let second = [
        (0.0, 5.0),
        (5.0, 5.0),
        (2.0, 7.0),
        (45.2, 123.7),
        (1.0, 1e10),
    ];
    for &k in &AWKWARD {
        for &n in &AWKWARD {
            for &(k2, n2) in &second {
                for (a, b, c, d) in [(k, n, k2, n2), (k2, n2, k, n)] {
                    let what = format!("{a}/{b} vs {c}/{d}");
                    for level in [0.95, 0.0, f64::NAN] {
                        if let Some(r) = katz_log_ratio(a, b, c, d, level) {
                            assert!(r.estimate.is_finite() && r.estimate >= 0.0, "{what}");
                            check_interval(r.interval, 0.0, f64::MAX, &format!("katz {what}"));
                        }
                        if let Some(i) = newcombe_difference(a, b, c, d, level) {
                            check_interval(i, -1.0, 1.0, &format!("newcombe {what}"));
                        }
                    }
                    if let Some(p) = two_proportion_z(a, b, c, d) {
                        assert!((0.0..=1.0).contains(&p), "z {what}: {p}");
                    }
                    let _ = expected_cell_below(a, b, c, d, 5.0);
                    if let Some(r) = chi_square_independence(&[[a, b], [c, d]]) {
                        assert!(r.statistic.is_finite() && r.statistic >= 0.0, "{what}");
                        assert!((0.0..=1.0).contains(&r.p_value), "chi {what}");
                    }
                }
            }
        }
    }
}

#[test]
fn fisher_on_awkward_counts() {
    let counts = [0u64, 1, 2, 5, 40, 1000, 65_536, 1 << 40, 1 << 53, u64::MAX];
    for &a in &counts {
        for &b in &counts {
            for &c in &counts[..6] {
                for &d in &[0u64, 3, 1 << 40, u64::MAX] {
                    let p = fisher_exact(a, b, c, d);
                    assert!((0.0..=1.0).contains(&p), "[[{a},{b}],[{c},{d}]]: {p}");
                }
            }
        }
    }
}

#[test]
fn corrections_on_awkward_p_values() {
    let p: Vec<Option<f64>> = AWKWARD.iter().map(|&x| Some(x)).chain([None]).collect();
    for c in [
        Correction::BenjaminiHochberg,
        Correction::Holm,
        Correction::None,
    ] {
        let out = c.adjust(&p);
        assert_eq!(out.len(), p.len());
        for (i, v) in out.iter().enumerate() {
            if let Some(v) = v {
                assert!((0.0..=1.0).contains(v), "{} [{i}]: {v}", c.name());
            }
        }
        // Non-finite inputs and None stay None.
        assert_eq!(out[15], None);
        assert_eq!(out[17], None);
        assert_eq!(out[20], None);
    }
}
