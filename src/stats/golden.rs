//! Agreement with scipy and statsmodels, through the golden values written by
//! `tests/golden/uncertainty/make_uncertainty_golden.py`.

use serde_json::Value;
use statrs::distribution::{ChiSquared, ContinuousCDF};
use statrs::function::gamma::ln_gamma;

use super::*;

/// The golden file, embedded at compile time so the tests need no working
/// directory.
const GOLDEN: &str = include_str!("../../tests/golden/uncertainty/uncertainty.json");

/// Tolerance for closed-form values (Wilson, Katz, Newcombe, z, Fisher,
/// chi-square, corrections).
const TOL: f64 = 1e-9;

/// Tolerance for values that need an iterative inverse cdf (Clopper–Pearson).
const TOL_QUANTILE: f64 = 1e-6;

fn golden() -> Value {
    serde_json::from_str(GOLDEN).expect("golden JSON parses")
}

fn cases<'a>(g: &'a Value, key: &str) -> &'a [Value] {
    g[key]
        .as_array()
        .unwrap_or_else(|| panic!("golden key {key} is an array"))
}

fn f(v: &Value, key: &str) -> f64 {
    v[key]
        .as_f64()
        .unwrap_or_else(|| panic!("{key} is a number in {v}"))
}

/// Absolute or relative agreement, whichever is looser: right for interval
/// ends, which live on a scale of about 1.
fn assert_close(got: f64, want: f64, tol: f64, what: &str) {
    assert!(
        got.is_finite() && (got - want).abs() <= tol * want.abs().max(1.0),
        "{what}: got {got:e}, want {want:e}"
    );
}

/// Relative agreement: right for p-values, which can be tiny and must keep
/// their relative precision.
fn assert_rel(got: f64, want: f64, tol: f64, what: &str) {
    assert!(
        got.is_finite() && (got - want).abs() <= tol * want.abs() + 1e-300,
        "{what}: got {got:e}, want {want:e}"
    );
}

fn check_interval(got: Option<Interval>, want: &Value, tol: f64, what: &str) {
    match (got, want.is_null()) {
        (None, true) => {}
        (Some(i), false) => {
            assert_close(i.low, f(want, "low"), tol, &format!("{what} low"));
            assert_close(i.high, f(want, "high"), tol, &format!("{what} high"));
        }
        (got, _) => panic!("{what}: got {got:?}, want {want}"),
    }
}

#[test]
fn wilson_matches_statsmodels() {
    let g = golden();
    let all = cases(&g, "wilson");
    assert!(all.len() > 100);
    for c in all {
        let got = wilson(f(c, "k"), f(c, "n"), f(c, "level"));
        check_interval(got, &c["result"], TOL, &format!("wilson {c}"));
    }
}

#[test]
fn clopper_pearson_matches_statsmodels() {
    let g = golden();
    let all = cases(&g, "clopper_pearson");
    assert!(all.len() > 100);
    for c in all {
        let got = clopper_pearson(f(c, "k"), f(c, "n"), f(c, "level"));
        check_interval(got, &c["result"], TOL_QUANTILE, &format!("cp {c}"));
    }
}

#[test]
fn katz_matches_closed_formula() {
    let g = golden();
    for c in cases(&g, "katz_log_ratio") {
        let got = katz_log_ratio(
            f(c, "k1"),
            f(c, "n1"),
            f(c, "k2"),
            f(c, "n2"),
            f(c, "level"),
        );
        let want = &c["result"];
        let what = format!("katz {c}");
        match (got, want.is_null()) {
            (None, true) => {}
            (Some(r), false) => {
                assert_close(r.estimate, f(want, "estimate"), TOL, &what);
                assert_close(r.interval.low, f(want, "low"), TOL, &what);
                assert_rel(r.interval.high, f(want, "high"), TOL, &what);
                assert_eq!(Some(r.adjusted), want["adjusted"].as_bool(), "{what}");
            }
            (got, _) => panic!("{what}: got {got:?}"),
        }
    }
}

#[test]
fn newcombe_matches_statsmodels() {
    let g = golden();
    for c in cases(&g, "newcombe_difference") {
        let got = newcombe_difference(
            f(c, "k1"),
            f(c, "n1"),
            f(c, "k2"),
            f(c, "n2"),
            f(c, "level"),
        );
        check_interval(got, &c["result"], TOL, &format!("newcombe {c}"));
    }
}

#[test]
fn newcombe_matches_published_table() {
    // Newcombe (1998), Table II, method 10, printed to four decimals.
    let g = golden();
    let all = cases(&g, "newcombe_published");
    assert!(all.len() >= 7);
    for c in all {
        let i = newcombe_difference(f(c, "k1"), f(c, "n1"), f(c, "k2"), f(c, "n2"), 0.95)
            .unwrap_or_else(|| panic!("defined for {c}"));
        assert!((i.low - f(c, "low")).abs() < 1e-4, "{c}: {i:?}");
        assert!((i.high - f(c, "high")).abs() < 1e-4, "{c}: {i:?}");
    }
}

#[test]
fn z_test_matches_statsmodels() {
    let g = golden();
    for c in cases(&g, "two_proportion_z") {
        let got = two_proportion_z(f(c, "k1"), f(c, "n1"), f(c, "k2"), f(c, "n2"));
        let what = format!("z {c}");
        match (got, c["p_value"].as_f64()) {
            (None, None) => {}
            (Some(p), Some(want)) => assert_rel(p, want, TOL, &what),
            (got, _) => panic!("{what}: got {got:?}"),
        }
    }
}

#[test]
fn fisher_matches_scipy() {
    let g = golden();
    let all = cases(&g, "fisher_exact");
    assert!(all.len() > 50);
    for c in all {
        let t: Vec<u64> = c["table"]
            .as_array()
            .expect("table")
            .iter()
            .map(|x| x.as_u64().expect("count"))
            .collect();
        let got = fisher_exact(t[0], t[1], t[2], t[3]);
        assert_rel(got, f(c, "p_value"), TOL, &format!("fisher {c}"));
    }
}

#[test]
fn expected_cell_rule_matches_scipy() {
    let g = golden();
    for c in cases(&g, "expected_cell_below") {
        let x: Vec<f64> = c["cells"]
            .as_array()
            .expect("cells")
            .iter()
            .map(|v| v.as_f64().expect("cell"))
            .collect();
        let got = expected_cell_below(x[0], x[1], x[2], x[3], f(c, "threshold"));
        assert_eq!(Some(got), c["below"].as_bool(), "{c}");
    }
}

#[test]
fn chi_square_matches_scipy() {
    let g = golden();
    for c in cases(&g, "chi_square_independence") {
        let rows: Vec<[f64; 2]> = c["rows"]
            .as_array()
            .expect("rows")
            .iter()
            .map(|r| [r[0].as_f64().expect("cell"), r[1].as_f64().expect("cell")])
            .collect();
        let got = chi_square_independence(&rows);
        let want = &c["result"];
        let what = format!("chi-square {c}");
        match (got, want.is_null()) {
            (None, true) => {}
            (Some(r), false) => {
                assert_close(r.statistic, f(want, "statistic"), TOL, &what);
                assert_eq!(Some(u64::from(r.df)), want["df"].as_u64(), "{what}");
                assert_rel(r.p_value, f(want, "p_value"), TOL, &what);
            }
            (got, _) => panic!("{what}: got {got:?}"),
        }
    }
}

fn p_list(v: &Value) -> Vec<Option<f64>> {
    v.as_array()
        .expect("p list")
        .iter()
        .map(Value::as_f64)
        .collect()
}

#[test]
fn corrections_match_statsmodels() {
    let g = golden();
    for c in cases(&g, "multiplicity") {
        let p = p_list(&c["p"]);
        for (name, got) in [
            ("bh", benjamini_hochberg(&p)),
            ("holm", holm(&p)),
            ("bh", Correction::BenjaminiHochberg.adjust(&p)),
            ("holm", Correction::Holm.adjust(&p)),
        ] {
            let want = p_list(&c[name]);
            assert_eq!(got.len(), want.len(), "{name} {c}");
            for (g, w) in got.iter().zip(&want) {
                match (g, w) {
                    (None, None) => {}
                    (Some(g), Some(w)) => assert_rel(*g, *w, TOL, &format!("{name} {c}")),
                    _ => panic!("{name} {c}: got {got:?}"),
                }
            }
        }
    }
}

#[test]
fn statrs_matches_scipy() {
    // statrs is used without its default features; its special functions are
    // checked directly against scipy here.
    let g = golden();
    let s = &g["statrs"];
    for c in cases(s, "normal_quantile") {
        assert_close(
            normal_quantile(f(c, "p")),
            f(c, "q"),
            1e-12,
            &format!("{c}"),
        );
    }
    for c in cases(s, "chi2_sf") {
        let d = ChiSquared::new(f(c, "df")).expect("df");
        assert_rel(d.sf(f(c, "x")), f(c, "sf"), 1e-12, &format!("{c}"));
    }
    for c in cases(s, "beta_ppf") {
        let x = special::beta_quantile(f(c, "a"), f(c, "b"), f(c, "q")).expect("quantile");
        assert_rel(x, f(c, "x"), 1e-9, &format!("{c}"));
    }
    for c in cases(s, "ln_gamma") {
        assert_close(ln_gamma(f(c, "x")), f(c, "value"), 1e-13, &format!("{c}"));
    }
}
