//! Intervals, tests and the bootstrap, end to end.

use assert_cmd::Command;
use fairaudit::metric::MetricId;

use crate::harness::{Dir, root, run_toml};

/// Same seed → byte-identical results.json with 1 and 2 threads (the scan
/// and the bootstrap both use them).
#[test]
fn same_seed_same_bytes_with_1_and_2_threads() {
    let run = |threads: &str| {
        Command::cargo_bin("fairaudit")
            .unwrap()
            .current_dir(root())
            .env("RAYON_NUM_THREADS", threads)
            .args([
                "run",
                "audits/compas/audit.toml",
                "--format",
                "json",
                "--quiet",
            ])
            .output()
            .unwrap()
            .stdout
    };
    let one = run("1");
    let two = run("2");
    assert!(one.len() > 10_000);
    assert_eq!(one, two);
    let r: fairaudit::Results = serde_json::from_slice(&one).unwrap();
    assert!(r.uncertainty.bootstrap.is_some());
}

/// A different seed moves the bootstrap intervals (and only those).
#[test]
fn the_seed_drives_the_bootstrap_only() {
    let spec = std::fs::read_to_string(root().join("audits/compas/audit.toml")).unwrap();
    let base = root().join("audits/compas");
    let a = run_toml(&spec, &base, 2).unwrap();
    let b = run_toml(&spec.replace("seed = 20240601", "seed = 7"), &base, 2).unwrap();
    let (ga, gb) = (a.grouping("race").unwrap(), b.grouping("race").unwrap());
    let (xa, xb) = (
        ga.group("African-American").unwrap(),
        gb.group("African-American").unwrap(),
    );
    assert_eq!(xa.metrics[&MetricId::Fpr], xb.metrics[&MetricId::Fpr]);
    assert_ne!(
        xa.metrics[&MetricId::F1].ci_low,
        xb.metrics[&MetricId::F1].ci_low
    );
    // Both bootstrap intervals cover the estimate.
    for x in [xa, xb] {
        let f1 = &x.metrics[&MetricId::F1];
        assert!(f1.ci_low.unwrap() < f1.value.unwrap() && f1.value.unwrap() < f1.ci_high.unwrap());
    }
}

/// With weights, binomial intervals use Kish's effective sample size and say so.
#[test]
fn weighted_intervals_use_the_effective_sample_size() {
    let dir = Dir::new();
    let mut csv = String::from("g,y,p,w\n");
    for i in 0..400 {
        let g = if i % 2 == 0 { "A" } else { "B" };
        let w = if i % 4 < 2 { 0.5 } else { 3.0 };
        csv.push_str(&format!("{g},{},{},{w}\n", i % 3 == 0, i % 5 < 2));
    }
    dir.write("d.csv", &csv);
    let spec = r#"
[input]
path = "d.csv"
[truth]
column = "y"
positive = [true]
[prediction]
column = "p"
positive = [true]
[weight]
column = "w"
[[attributes]]
column = "g"
reference = "A"
"#;
    let r = run_toml(spec, dir.path(), 1).unwrap();
    let b = r.grouping("g").unwrap().group("B").unwrap();
    let sel = &b.metrics[&MetricId::SelectionRate];
    assert_eq!(
        sel.ci_method.map(|m| m.name()),
        Some("wilson (Kish effective sample size)")
    );
    // Unequal weights shrink the effective n below 200, widening the interval
    // beyond the unweighted one for the same proportion.
    let p = sel.value.unwrap();
    let plain = fairaudit::stats::wilson(p * 200.0, 200.0, 0.95).unwrap();
    assert!(sel.ci_high.unwrap() - sel.ci_low.unwrap() > plain.high - plain.low);
    assert_eq!(
        b.disparities[&MetricId::SelectionRate]
            .test
            .map(|m| m.name()),
        Some("two-proportion z (pooled, Kish effective sample size)")
    );
    assert!(r.uncertainty.notes.iter().any(|n| n.contains("Kish")));
}

/// Bad uncertainty settings are errors naming the key.
#[test]
fn bad_settings_name_the_key() {
    let spec = std::fs::read_to_string(root().join("audits/compas/audit.toml")).unwrap();
    let base = root().join("audits/compas");
    let cases = [
        (
            spec.replace("level = 0.95", "level = 1.5"),
            "`uncertainty.level`",
        ),
        (
            spec.replace("level = 0.95", "level = 0"),
            "`uncertainty.level`",
        ),
        (
            spec.replace("replicates = 1000", "replicates = 0"),
            "`uncertainty.replicates`",
        ),
        (
            spec.replace("replicates = 1000", "replicates = 5000000"),
            "`uncertainty.replicates`",
        ),
        (spec.replace("seed = 20240601\n", ""), "`seed`"),
    ];
    for (text, key) in cases {
        let e = run_toml(&text, &base, 1).unwrap_err().to_string();
        assert!(e.contains(key), "{key}: {e}");
    }
}
