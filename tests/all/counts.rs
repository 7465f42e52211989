//! The count table leaves the machine and comes back (issue 7): an audit of
//! `fairaudit counts` output equals the audit of the rows; merging shard
//! tables equals the table of the whole; the SQL that makes the table
//! elsewhere is pinned per dialect (and run by DuckDB in
//! `tests/sql/check_duckdb.py`).

use std::path::Path;

use fairaudit::Results;
use fairaudit::count::RunOptions;
use fairaudit::count::file::{self as counts, LevelMap};
use fairaudit::count::sql::{Dialect, Source};
use fairaudit::synth::{SynthOptions, write_synth_csv};

use crate::harness::{Dir, root, run_toml};

const SYNTH_SPEC: &str = r#"
title = "synthetic"
intersections = [["ethnicity", "sex"], ["ethnicity", "sex", "age"]]
[input]
paths = [PATHS]
[truth]
column = "y_true"
positive = [1]
[prediction]
score = "y_score"
threshold = 0.5
[weight]
column = "weight"
[cohort]
filters = ["age_band != \"under 18\""]
[[attributes]]
column = "ethnicity"
reference = "White"
relabel = { "Minority ethnic" = ["Asian", "Black", "Mixed", "Other"] }
[[attributes]]
column = "sex"
[[attributes]]
column = "age_band"
name = "age"
[policy]
min_group_size = 0
"#;

/// The same audit read from a count table: attribute columns are named by
/// attribute, and there are no filters (the table is the cohort).
const SYNTH_COUNTS_SPEC: &str = r#"
title = "synthetic"
intersections = [["ethnicity", "sex"], ["ethnicity", "sex", "age"]]
[input]
path = "PATH"
format = "counts"
[truth]
column = "y_true"
positive = [1]
[prediction]
score = "y_score"
threshold = 0.5
[weight]
column = "weight"
[[attributes]]
column = "ethnicity"
reference = "White"
[[attributes]]
column = "sex"
[[attributes]]
column = "age"
[policy]
min_group_size = 0
"#;

fn synth_csv(rows: u64, seed: u64) -> String {
    let mut bytes = Vec::new();
    write_synth_csv(&mut bytes, &SynthOptions { rows, seed }).unwrap();
    String::from_utf8(bytes).unwrap()
}

fn same_results(a: &Results, b: &Results) {
    let json = |r: &Results| {
        let v = serde_json::to_value(r).unwrap();
        (v["overall"].clone(), v["groupings"].clone())
    };
    // Exact equality: the table read back carries the exact fixed-point sums.
    assert_eq!(json(a), json(b));
}

#[test]
fn audit_from_counts_equals_audit_from_rows() {
    let dir = Dir::new();
    dir.write("s.csv", &synth_csv(30_000, 11));
    let spec_text = SYNTH_SPEC.replace("PATHS", "\"s.csv\"");
    let direct = run_toml(&spec_text, dir.path(), 2).unwrap();
    let valid = crate::harness::plan(&spec_text, dir.path()).unwrap();
    let scanned = fairaudit::count(
        &valid,
        &RunOptions {
            threads: 2,
            progress: None,
        },
    )
    .unwrap();
    for (name, bytes) in [
        (
            "t.counts.parquet",
            counts::to_parquet(&scanned.table, true).unwrap(),
        ),
        ("t.counts.csv", counts::to_csv(&scanned.table).unwrap()),
    ] {
        std::fs::write(dir.path().join(name), bytes).unwrap();
        let via = run_toml(&SYNTH_COUNTS_SPEC.replace("PATH", name), dir.path(), 1).unwrap();
        same_results(&direct, &via);
        assert_eq!(via.rows.read, direct.rows.used);
        assert_eq!(via.rows.used, direct.rows.used);
        assert_eq!(via.rows.filtered_out, 0);
    }
}

#[test]
fn compas_from_counts_equals_compas_from_rows() {
    let base = root().join("audits/compas");
    let text = std::fs::read_to_string(base.join("audit.toml")).unwrap();
    let direct = run_toml(&text, &base, 2).unwrap();
    let valid = crate::harness::plan(&text, &base).unwrap();
    let table = fairaudit::count(&valid, &RunOptions::default())
        .unwrap()
        .table;
    let dir = Dir::new();
    std::fs::write(
        dir.path().join("compas.counts.parquet"),
        counts::to_parquet(&table, false).unwrap(),
    )
    .unwrap();
    // The cohort filters go; `age_cat` is now the column `age`.
    let start = text.find("[cohort]").unwrap();
    let end = text.find("[[attributes]]").unwrap();
    let counts_text = format!("{}{}", &text[..start], &text[end..])
        .replace("path = \"compas.csv\"", "path = \"compas.counts.parquet\"")
        .replace("column = \"age_cat\"", "column = \"age\"");
    let via = run_toml(&counts_text, dir.path(), 1).unwrap();
    same_results(&direct, &via);
    assert_eq!((via.rows.read, via.rows.used), (6172, 6172));
}

#[test]
fn merged_shard_tables_equal_the_table_of_the_whole() {
    let dir = Dir::new();
    let text = synth_csv(40_000, 5);
    let (header, body) = text.split_once('\n').unwrap();
    let lines: Vec<&str> = body.lines().collect();
    let mut shard_paths = Vec::new();
    for (i, part) in lines.chunks(15_000).enumerate() {
        let name = format!("shard{i}.csv");
        dir.write(&name, &format!("{header}\n{}\n", part.join("\n")));
        shard_paths.push(name);
    }
    dir.write("whole.csv", &text);
    let table_of = |paths: &[String]| {
        let list = paths
            .iter()
            .map(|p| format!("{p:?}"))
            .collect::<Vec<_>>()
            .join(", ");
        let valid = crate::harness::plan(&SYNTH_SPEC.replace("PATHS", &list), dir.path()).unwrap();
        fairaudit::count(
            &valid,
            &RunOptions {
                threads: 2,
                progress: None,
            },
        )
        .unwrap()
        .table
    };
    let whole = table_of(&["whole.csv".to_string()]);
    let mut read = Vec::new();
    for (i, p) in shard_paths.iter().enumerate() {
        let t = table_of(std::slice::from_ref(p));
        let file = dir.path().join(format!("shard{i}.counts.parquet"));
        std::fs::write(&file, counts::to_parquet(&t, true).unwrap()).unwrap();
        read.push((
            p.clone(),
            counts::read(&file, p, None, &LevelMap::default()).unwrap(),
        ));
    }
    let (merged, weighted) = counts::merge(read).unwrap();
    assert_eq!(weighted, Some(true));
    assert_eq!(merged, whole);
    assert!(whole.total().score.to_f64() > 0.0);
}

#[test]
fn merge_refuses_tables_over_other_attributes() {
    let dir = Dir::new();
    let a = fairaudit::count::CountTable::new(vec!["eth".into()]);
    let b = fairaudit::count::CountTable::new(vec!["sex".into()]);
    for (n, t) in [("a.parquet", &a), ("b.parquet", &b)] {
        std::fs::write(dir.path().join(n), counts::to_parquet(t, false).unwrap()).unwrap();
    }
    let read = |n: &str| {
        (
            n.to_string(),
            counts::read(&dir.path().join(n), n, None, &LevelMap::default()).unwrap(),
        )
    };
    let e = counts::merge(vec![read("a.parquet"), read("b.parquet")]).unwrap_err();
    let m = e.to_string();
    assert!(
        m.contains("b.parquet") && m.contains("[sex]") && m.contains("[eth]"),
        "{m}"
    );
}

#[test]
fn filters_on_a_count_table_are_an_error_naming_the_key() {
    let dir = Dir::new();
    let t = fairaudit::count::CountTable::new(vec!["ethnicity".into()]);
    std::fs::write(
        dir.path().join("t.counts.parquet"),
        counts::to_parquet(&t, false).unwrap(),
    )
    .unwrap();
    let text = SYNTH_COUNTS_SPEC.replace("PATH", "t.counts.parquet")
        + "[cohort]\nfilters = [\"age != \\\"45+\\\"\"]\n";
    let e = run_toml(&text, dir.path(), 1).unwrap_err().to_string();
    assert!(e.contains("`cohort.filters`"), "{e}");
    assert!(e.contains("cannot apply to a count table"), "{e}");
}

#[test]
fn a_count_table_with_invalid_rows_is_refused() {
    // What the ANSI query leaves for rows it cannot fail on: null truth.
    let dir = Dir::new();
    dir.write(
        "t.counts.csv",
        "ethnicity,sex,age,truth,prediction,count\nWhite,Male,45+,true,false,3\nWhite,Male,45+,,false,2\n",
    );
    let text = SYNTH_COUNTS_SPEC
        .replace("PATH", "t.counts.csv")
        .replace("[weight]\ncolumn = \"weight\"\n", "");
    let e = run_toml(&text, dir.path(), 1).unwrap_err().to_string();
    assert!(e.contains("t.counts.csv, row 3"), "{e}");
    assert!(
        e.contains("1 row(s) of the count table have a null `truth`"),
        "{e}"
    );
}

/// The SQL for the COMPAS audit, pinned for each dialect.
#[test]
fn compas_sql_in_each_dialect() {
    let text = std::fs::read_to_string(root().join("audits/compas/audit.toml")).unwrap();
    let valid = crate::harness::plan(&text, Path::new("audits/compas")).unwrap();
    for (dialect, source) in [
        (Dialect::Ansi, Source::Inputs),
        (Dialect::Spark, Source::Table("warehouse.compas".into())),
        (Dialect::DuckDb, Source::Inputs),
    ] {
        let q = fairaudit::sql(&valid, dialect, &source).unwrap();
        insta::assert_snapshot!(format!("compas_sql_{}", dialect.name()), q);
    }
}

/// The same rows as CSV, Parquet (text read through its dictionary) and
/// Arrow IPC give the same count table, with any number of threads.
#[test]
fn csv_parquet_and_arrow_give_the_same_table() {
    let dir = Dir::new();
    let opts = SynthOptions {
        rows: 150_000,
        seed: 3,
    };
    let tables: Vec<fairaudit::count::CountTable> = ["csv", "parquet", "arrow"]
        .iter()
        .flat_map(|ext| {
            let path = dir.path().join(format!("s.{ext}"));
            fairaudit::synth::write_synth(&path, &opts).unwrap();
            let text = SYNTH_SPEC.replace("PATHS", &format!("\"s.{ext}\""));
            let valid = crate::harness::plan(&text, dir.path()).unwrap();
            [1, 3]
                .into_iter()
                .map(|threads| {
                    fairaudit::count(
                        &valid,
                        &RunOptions {
                            threads,
                            progress: None,
                        },
                    )
                    .unwrap()
                    .table
                })
                .collect::<Vec<_>>()
        })
        .collect();
    for t in &tables[1..] {
        assert_eq!(t, &tables[0]);
    }
    assert!(tables[0].total().count > 100_000);
}

/// The commands as a user runs them: counts of two shards, merged, audited,
/// equal the audit of the rows; `sql` prints a query; `--help` has examples.
#[test]
fn counts_merge_and_sql_commands() {
    let dir = Dir::new();
    let text = synth_csv(20_000, 9);
    let (header, body) = text.split_once('\n').unwrap();
    let lines: Vec<&str> = body.lines().collect();
    dir.write(
        "a.csv",
        &format!("{header}\n{}\n", lines[..7_000].join("\n")),
    );
    dir.write(
        "b.csv",
        &format!("{header}\n{}\n", lines[7_000..].join("\n")),
    );
    dir.write("all.csv", &text);
    for (name, paths) in [
        ("a", "\"a.csv\""),
        ("b", "\"b.csv\""),
        ("all", "\"all.csv\""),
    ] {
        dir.write(&format!("{name}.toml"), &SYNTH_SPEC.replace("PATHS", paths));
    }
    let bin = || {
        let mut c = assert_cmd::Command::cargo_bin("fairaudit").unwrap();
        c.current_dir(dir.path());
        c
    };
    for name in ["a", "b"] {
        bin()
            .args(["counts", &format!("{name}.toml"), "--out"])
            .arg(format!("{name}.counts.parquet"))
            .assert()
            .success();
    }
    bin()
        .args(["merge", "a.counts.parquet", "b.counts.parquet", "--out"])
        .arg("merged.counts.parquet")
        .assert()
        .success();
    dir.write(
        "merged.toml",
        &SYNTH_COUNTS_SPEC.replace("PATH", "merged.counts.parquet"),
    );
    let json = |spec: &str| {
        let out = bin()
            .args(["run", spec, "--format", "json", "--quiet"])
            .output()
            .unwrap();
        // The audit runs (0) whether or not its policy passes (1).
        assert!(
            matches!(out.status.code(), Some(0 | 1)),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        (v["overall"].clone(), v["groupings"].clone())
    };
    assert_eq!(json("merged.toml"), json("all.toml"));
    let out = bin()
        .args(["sql", "all.toml", "--dialect", "spark", "--table", "db.t"])
        .output()
        .unwrap();
    let sql = String::from_utf8(out.stdout).unwrap();
    assert!(
        sql.contains("FROM `db`.`t`") && sql.contains("GROUP BY"),
        "{sql}"
    );
    for sub in ["counts", "merge", "sql"] {
        let out = bin().args([sub, "--help"]).output().unwrap();
        assert!(String::from_utf8_lossy(&out.stdout).contains("Worked example"));
    }
}
