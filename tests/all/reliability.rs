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

fn fairaudit() -> assert_cmd::Command {
    let mut c = assert_cmd::Command::cargo_bin("fairaudit").unwrap();
    c.env_remove("RAYON_NUM_THREADS");
    c
}

const SMALL: &str = r#"
[input]
path = "d.csv"
[truth]
column = "y"
positive = [1]
[prediction]
column = "p"
positive = [1]
[[attributes]]
column = "g"
reference = "A"
"#;

#[test]
fn issue_10_an_audit_without_evidence_does_not_pass_a_ci_gate() {
    // Eight rows: every group is below the minimum size, so no verdict can
    // be reached — exit 3, not 0.
    let d = Dir::new();
    d.write(
        "d.csv",
        "g,y,p\nA,1,1\nA,0,0\nA,1,0\nA,0,1\nB,1,1\nB,0,1\nB,1,1\nB,0,0\n",
    );
    let small = SMALL.replace("reference = \"A\"\n", "");
    let spec = d.write("audit.toml", &small);
    let out = fairaudit().arg("run").arg(&spec).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // `fail_on = "inconclusive"` turns it into a failure.
    let strict = d.write(
        "strict.toml",
        &format!("{small}[policy]\nfail_on = \"inconclusive\"\n"),
    );
    let out = fairaudit().arg("run").arg(&strict).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn issue_10_metrics_exits_1_when_its_verdict_is_fail() {
    let d = Dir::new();
    let mut csv = String::from("g,y,p\n");
    for i in 0..400 {
        let g = if i % 2 == 0 { "A" } else { "B" };
        let y = i % 4 < 2;
        // Group B is flagged far more often among those without the outcome.
        let p = y || (g == "B" && i % 8 < 6) || (g == "A" && i % 16 == 0);
        csv.push_str(&format!("{g},{},{}\n", u8::from(y), u8::from(p)));
    }
    let data = d.write("d.csv", &csv);
    let out = fairaudit()
        .args(["metrics", "--truth", "y", "--pred", "p", "--group", "g"])
        .arg("--data")
        .arg(&data)
        .args(["--reference", "g=A", "--min-group-size", "30"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("FAIL") || text.contains("fail"), "{text}");
    assert_eq!(out.status.code(), Some(1), "{text}");
}

#[test]
fn issue_10_thread_counts_are_capped_and_validated() {
    let d = Dir::new();
    d.write("d.csv", "g,y,p\nA,1,1\nB,0,0\n");
    let spec = d.write("audit.toml", SMALL);
    for (flag, env) in [
        (Some("18446744073709551615"), None),
        (Some("20000"), None),
        (Some("0"), None),
        (None, Some("18446744073709551616")),
        (None, Some("20000")),
    ] {
        let mut c = fairaudit();
        c.arg("run").arg(&spec);
        if let Some(f) = flag {
            c.args(["--threads", f]);
        }
        if let Some(e) = env {
            c.env("RAYON_NUM_THREADS", e);
        }
        let out = c.output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{flag:?} {env:?}: {err}");
        assert!(
            err.contains("--threads") || err.contains("RAYON_NUM_THREADS"),
            "{err}"
        );
        assert!(!err.contains("panicked"), "{err}");
    }
}

#[test]
fn issue_10_intersections_are_capped_with_a_hint_to_relabel() {
    // Two attributes of 1,000 levels on 50,000 rows used 1.8 GB.
    let d = Dir::new();
    let mut csv = String::from("a,b,y,p\n");
    for i in 0..50_000u64 {
        csv.push_str(&format!(
            "a{},b{},{},{}\n",
            i % 1000,
            (i * 7) % 997,
            i % 2,
            i % 3 % 2
        ));
    }
    d.write("d.csv", &csv);
    let spec = r#"
[input]
path = "d.csv"
[truth]
column = "y"
positive = [1]
[prediction]
column = "p"
positive = [1]
[[attributes]]
column = "a"
[[attributes]]
column = "b"
"#;
    let e = run_toml(spec, d.path(), 2).unwrap_err().to_string();
    assert!(e.contains("cross into more than 20000 groups"), "{e}");
    assert!(e.contains("relabel"), "{e}");
}

#[test]
fn issue_10_an_all_zero_weight_group_says_its_weights_sum_to_zero() {
    let d = Dir::new();
    let mut csv = String::from("g,y,p,w\n");
    for i in 0..96 {
        let g = if i % 2 == 0 { "A" } else { "Z" };
        let w = if g == "Z" { "0" } else { "1.5" };
        csv.push_str(&format!("{g},{},{},{w}\n", i % 3 % 2, i % 5 % 2));
    }
    d.write("w.csv", &csv);
    let r = run_toml(WEIGHTED, d.path(), 1).unwrap();
    let z = r.grouping("g").unwrap().group("Z").unwrap();
    assert_eq!(z.n, Some(48));
    let why = z.metrics[&fairaudit::metric::MetricId::SelectionRate]
        .undefined
        .clone()
        .unwrap();
    assert!(
        why.contains("weights") && why.contains("sum to zero"),
        "{why}"
    );
    assert!(!why.contains("no rows"), "{why}");
}

#[test]
fn issue_10_intersection_labels_are_unambiguous() {
    // a|b × c and a × b|c were both labelled a|b|c.
    let d = Dir::new();
    let mut csv = String::from("x,z,y,p\n");
    for i in 0..200 {
        let (x, z) = if i % 2 == 0 {
            ("a|b", "c")
        } else {
            ("a", "b|c")
        };
        csv.push_str(&format!("\"{x}\",\"{z}\",{},{}\n", i % 3 % 2, i % 5 % 2));
    }
    d.write("d.csv", &csv);
    let spec = r#"
intersections = [["x", "z"]]
[input]
path = "d.csv"
[truth]
column = "y"
positive = [1]
[prediction]
column = "p"
positive = [1]
[[attributes]]
column = "x"
[[attributes]]
column = "z"
"#;
    let r = run_toml(spec, d.path(), 1).unwrap();
    let labels: Vec<&str> = r
        .grouping("x|z")
        .unwrap()
        .groups
        .iter()
        .map(|g| g.label.as_str())
        .collect();
    assert_eq!(labels, ["a|b\\|c", "a\\|b|c"]);
}
