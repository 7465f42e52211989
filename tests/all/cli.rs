//! The binary as a user runs it: exit codes, help, formats, errors.

use assert_cmd::Command;

use crate::harness::{Dir, root};

fn fairaudit() -> Command {
    let mut c = Command::cargo_bin("fairaudit").unwrap();
    c.current_dir(root());
    c
}

#[test]
fn help_shows_worked_examples_and_exit_codes() {
    let out = fairaudit().arg("--help").output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("Worked example"), "{text}");
    assert!(text.contains("Exit codes: 0 audit passed, 1"), "{text}");
    for sub in ["run", "metrics", "synth"] {
        let out = fairaudit().args([sub, "--help"]).output().unwrap();
        assert!(out.status.success(), "{sub}");
        assert!(
            String::from_utf8(out.stdout)
                .unwrap()
                .contains("Worked example"),
            "{sub}"
        );
    }
}

#[test]
fn compas_audit_runs_and_reproduces_the_cohort() {
    let out = fairaudit()
        .args([
            "run",
            "audits/compas/audit.toml",
            "--format",
            "json",
            "--quiet",
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r: fairaudit::Results = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (r.rows.read, r.rows.filtered_out, r.rows.used),
        (7214, 1042, 6172)
    );
    // ProPublica's published group sizes.
    let race = r.grouping("race").unwrap();
    for (g, n) in [
        ("African-American", 3175),
        ("Caucasian", 2103),
        ("Hispanic", 509),
        ("Other", 343),
        ("Asian", 31),
    ] {
        assert_eq!(race.group(g).unwrap().n, Some(n), "{g}");
    }
    // Native American (11 people) is below the minimum group size of 30.
    let na = race.group("Native American").unwrap();
    assert!(na.suppressed && na.n.is_none() && na.metrics.is_empty());
    let sex = r.grouping("sex").unwrap();
    assert_eq!(sex.group("Male").unwrap().n, Some(4997));
    assert_eq!(sex.group("Female").unwrap().n, Some(1175));
    // The headline finding: FPR 42.3% vs 22.0%.
    let aa = race.group("African-American").unwrap();
    assert!((aa.metric("fpr").unwrap() - 0.4233817701453104).abs() < 1e-12);
    assert!((aa.disparities["fpr"].ratio.unwrap() - 1.9232342111919953).abs() < 1e-12);
}

#[test]
fn run_writes_results_json_to_out() {
    let dir = Dir::new();
    let out_dir = dir.path().join("out");
    let out = fairaudit()
        .args([
            "run",
            "audits/compas/audit.toml",
            "--quiet",
            "--out",
            out_dir.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("race — reference: Caucasian (named)"),
        "{text}"
    );
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out_dir.join("results.json")).unwrap()).unwrap();
    assert_eq!(json["schema_version"], 1);
    assert_eq!(json["rows"]["used"], 6172);
}

#[test]
fn metrics_formats_and_synth() {
    let dir = Dir::new();
    let data = dir.path().join("s.csv");
    let out = fairaudit()
        .args([
            "synth",
            "--rows",
            "20000",
            "--seed",
            "3",
            "--out",
            data.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let base = [
        "metrics",
        "--data",
        data.to_str().unwrap(),
        "--truth",
        "y_true",
        "--pred",
        "y_pred=1",
        "--group",
        "ethnicity",
        "--group",
        "sex",
        "--intersect",
        "--reference",
        "ethnicity=White",
        "--quiet",
    ];
    let json = fairaudit()
        .args(base)
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert!(
        json.status.success(),
        "{}",
        String::from_utf8_lossy(&json.stderr)
    );
    let r: fairaudit::Results = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(r.rows.used, 20000);
    assert_eq!(
        r.grouping("ethnicity")
            .unwrap()
            .reference
            .as_ref()
            .unwrap()
            .group,
        "White"
    );
    assert!(r.grouping("ethnicity|sex").is_some());
    // The built-in disparity: Black people are selected more often than White.
    let eth = r.grouping("ethnicity").unwrap();
    assert!(
        eth.group("Black").unwrap().disparities["selection_rate"]
            .ratio
            .unwrap()
            > 1.2
    );
    let csv = fairaudit()
        .args(base)
        .args(["--format", "csv"])
        .output()
        .unwrap();
    let text = String::from_utf8(csv.stdout).unwrap();
    assert!(
        text.starts_with(
            "grouping,group,n,suppressed,reference,metric,value,undefined\noverall,overall,20000,"
        ),
        "{text}"
    );
    // The same with a score and threshold, and weights, from Parquet.
    let pq = dir.path().join("s.parquet");
    assert!(
        fairaudit()
            .args([
                "synth",
                "--rows",
                "20000",
                "--seed",
                "3",
                "--out",
                pq.to_str().unwrap()
            ])
            .output()
            .unwrap()
            .status
            .success()
    );
    let from_pq = fairaudit()
        .args([
            "metrics",
            "--data",
            pq.to_str().unwrap(),
            "--truth",
            "y_true",
            "--score",
            "y_score",
            "--threshold",
            "0.5",
            "--group",
            "ethnicity",
            "--group",
            "sex",
            "--intersect",
            "--reference",
            "ethnicity=White",
            "--format",
            "json",
            "--quiet",
        ])
        .output()
        .unwrap();
    assert!(
        from_pq.status.success(),
        "{}",
        String::from_utf8_lossy(&from_pq.stderr)
    );
    let r2: fairaudit::Results = serde_json::from_slice(&from_pq.stdout).unwrap();
    // y_pred is exactly y_score >= 0.5, so the groups agree across formats.
    assert_eq!(r.groupings, r2.groupings);
}

#[test]
fn errors_exit_2_with_the_flag_or_file_named() {
    let out = fairaudit()
        .args(["run", "no/such/audit.toml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.starts_with("error: no/such/audit.toml: file not found"),
        "{err}"
    );

    let out = fairaudit()
        .args([
            "metrics",
            "--data",
            "audits/compas/compas.csv",
            "--truth",
            "two_year_recid",
            "--pred",
            "score_text=Medium,High",
            "--group",
            "race",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("`--pred-negative`") && err.contains("no negative value"),
        "{err}"
    );

    let out = fairaudit()
        .args([
            "metrics",
            "--data",
            "audits/compas/compas.csv",
            "--truth",
            "two_year_recid",
            "--pred",
            "score_text=Medium,High",
            "--pred-negative",
            "Low",
            "--group",
            "rac",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("column `rac`")
            && err.contains("`--group`")
            && err.contains("did you mean `race`"),
        "{err}"
    );

    let out = fairaudit()
        .args(["metrics", "--data", "x.csv"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));

    let out = fairaudit()
        .args(["synth", "--rows", "10", "--seed", "1", "--out", "x.xlsx"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8(out.stderr).unwrap().contains("--out"));
}
