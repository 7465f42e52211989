//! Regression tests of issue 10, "Every number true, every failure clean":
//! each test is named after what it found.

use crate::harness::{Dir, run_toml};

const WEIGHTED: &str = r#"
[input]
path = "w.csv"
[truth]
column = "y"
positive = [1]
[prediction]
column = "p"
positive = [1]
[weight]
column = "w"
[[attributes]]
column = "g"
reference = "A"
[policy]
min_group_size = 5
"#;

/// 300 rows in two groups with uneven weights, each weight multiplied by
/// `scale` and written with every digit.
fn weighted_csv(scale: f64) -> String {
    let mut s = String::from("g,y,p,w\n");
    for i in 0..300u64 {
        let g = if i % 3 == 0 { "B" } else { "A" };
        let h = i.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 40;
        let y = u8::from(h % 10 < 4);
        let p = u8::from((h / 10) % 10 < 3 + 3 * u64::from(y) + u64::from(g == "B"));
        let w = (0.25 + (h % 97) as f64 / 31.0) * scale;
        s.push_str(&format!("{g},{y},{p},{w:e}\n"));
    }
    s
}

fn results_at(scale: f64) -> fairaudit::Results {
    let d = Dir::new();
    d.write("w.csv", &weighted_csv(scale));
    run_toml(WEIGHTED, d.path(), 2).unwrap()
}

/// Every interval, test and ratio of the group B against A, as numbers.
fn numbers(r: &fairaudit::Results) -> Vec<f64> {
    let b = r.grouping("g").unwrap().group("B").unwrap();
    let mut out = Vec::new();
    for (m, v) in &b.metrics {
        let _ = m;
        out.extend([v.value, v.ci_low, v.ci_high].into_iter().flatten());
    }
    for d in b.disparities.values() {
        out.extend(
            [
                d.ratio,
                d.ratio_ci_low,
                d.ratio_ci_high,
                d.difference_ci_low,
                d.difference_ci_high,
                d.p_value,
                d.p_adjusted,
            ]
            .into_iter()
            .flatten(),
        );
    }
    out
}

#[test]
fn issue_10_small_weights_lose_no_precision() {
    let base = numbers(&results_at(1.0));
    // A power of two scales every weight exactly: the results are the
    // same bits.
    assert_eq!(numbers(&results_at(2f64.powi(-30))), base);
    // Scaling by 1e-9 or 1e-10 rounds each weight once (relative 1e-16);
    // before, sums in units of 2^-64 moved Wilson bounds in the 4th digit
    // and weights of 1e-10 lost their squares altogether.
    for scale in [1e-9, 1e-10] {
        let scaled = numbers(&results_at(scale));
        assert_eq!(scaled.len(), base.len(), "scale {scale}");
        for (a, b) in scaled.iter().zip(&base) {
            assert!(
                (a - b).abs() <= 1e-12 * b.abs().max(1e-3),
                "scale {scale}: {a} vs {b}"
            );
        }
    }
}

#[test]
fn issue_10_weights_outside_the_exact_range_are_refused() {
    let d = Dir::new();
    d.write("w.csv", "g,y,p,w\nA,1,1,1\nA,0,0,1e-13\n");
    let e = run_toml(WEIGHTED, d.path(), 1).unwrap_err().to_string();
    assert!(e.contains("w.csv, row 3, column `w`"), "{e}");
    assert!(e.contains("smaller than 1e-12"), "{e}");
    assert!(e.contains("rescale them"), "{e}");
    d.write("w.csv", "g,y,p,w\nA,1,1,1\nA,0,0,2e6\n");
    let e = run_toml(WEIGHTED, d.path(), 1).unwrap_err().to_string();
    assert!(e.contains("larger than 1e6"), "{e}");
}
