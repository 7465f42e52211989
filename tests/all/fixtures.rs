//! Byte-identity fixtures: the SHA-256 of every file of a set of audit
//! packs, recorded in `tests/fixtures/packs.sha256`.
//!
//! These guard changes of shape (issue 11, "One-way layers and pluggable
//! analyses: reshape the core"): moving code must not move a byte of any
//! output. A change that is *meant* to change outputs re-records the
//! hashes deliberately with `FAIRAUDIT_BLESS=1 cargo test fixtures` and says
//! why in its commit message.
//!
//! The scenarios cover the COMPAS audit as shipped and synthetic audits that
//! are weighted and unweighted, with and without the bootstrap (plain and
//! stratified), with 2- and 3-way intersections, read from CSV, Parquet,
//! Arrow IPC and a count table, under each intervention and correction.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use assert_cmd::Command;
use sha2::{Digest, Sha256};

use crate::harness::{Dir, root};

fn fairaudit() -> Command {
    let mut c = Command::cargo_bin("fairaudit").unwrap();
    c.env_remove("SOURCE_DATE_EPOCH")
        .env_remove("RAYON_NUM_THREADS");
    c
}

const SYNTH_ROWS: &str = "30000";
const SYNTH_SEED: &str = "11";

/// Unweighted, label prediction, CSV, bootstrap, 2- and 3-way intersections.
const CSV_UNWEIGHTED: &str = r#"
title = "Fixture: CSV, unweighted, 3-way intersection"
seed = 5
intersections = [["ethnicity", "sex"], ["ethnicity", "sex", "age"]]

[input]
path = "synth.csv"

[truth]
column = "y_true"
positive = [1]

[prediction]
column = "y_pred"
positive = [1]

[[attributes]]
column = "ethnicity"
reference = "White"

[[attributes]]
column = "sex"

[[attributes]]
column = "age_band"
name = "age"
levels = ["under 18", "18-24", "25-34", "35-44", "45+"]
reference_rule = "largest"

[policy]
intervention = "punitive"
min_group_size = 30

[uncertainty]
replicates = 200
"#;

/// Weighted, score with a threshold, Parquet, stratified bootstrap.
const PARQUET_WEIGHTED: &str = r#"
title = "Fixture: Parquet, weighted, score threshold"
seed = 6
intersections = [["ethnicity", "sex"]]

[input]
path = "synth.parquet"

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
reference = "Male"

[policy]
intervention = "assistive"
min_group_size = 50

[uncertainty]
replicates = 150
stratified = true
"#;

/// Arrow IPC, no bootstrap, Holm, Clopper–Pearson, a difference tolerance,
/// the most-favourable reference rule, cohort filters.
const ARROW_NEUTRAL: &str = r#"
title = "Fixture: Arrow, neutral, Holm"
intersections = [["sex", "age_band"]]

[input]
path = "synth.arrow"

[truth]
column = "y_true"
positive = [1]

[prediction]
column = "y_pred"
positive = [1]

[cohort]
filters = ["y_score >= 0.05", "age_band != \"under 18\""]

[[attributes]]
column = "ethnicity"
reference_rule = "most-favourable"
reference_metric = "fpr"

[[attributes]]
column = "sex"

[[attributes]]
column = "age_band"

[policy]
intervention = "neutral"
tolerance = { difference = 0.05 }
tolerances.fpr = { ratio = [0.9, 1.1] }
alpha = 0.01
fail_on = "inconclusive"

[uncertainty]
level = 0.9
interval = "clopper-pearson"
correction = "holm"
"#;

/// A weighted audit read from a count table made by `fairaudit counts`.
const COUNTS_SOURCE: &str = r#"
title = "Fixture: rows for a count table"
seed = 8
intersections = [["ethnicity", "age_band"]]

[input]
path = "synth.csv"

[truth]
column = "y_true"
positive = [1]

[prediction]
column = "y_pred"
positive = [1]

[weight]
column = "weight"

[[attributes]]
column = "ethnicity"
reference = "White"

[[attributes]]
column = "age_band"
reference = "25-34"

[uncertainty]
replicates = 100
"#;

const COUNTS_AUDIT: &str = r#"
title = "Fixture: count table, weighted"
seed = 8
intersections = [["ethnicity", "age_band"]]

[input]
path = "synth.counts.parquet"

[truth]
column = "y_true"
positive = [1]

[prediction]
column = "y_pred"
positive = [1]

[weight]
column = "weight"

[[attributes]]
column = "ethnicity"
reference = "White"

[[attributes]]
column = "age_band"
reference = "25-34"

[uncertainty]
replicates = 100
"#;

fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut s = String::with_capacity(64);
    for b in digest {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// Runs `fairaudit run SPEC --out PACK` and returns `scenario/file → hash`
/// lines, plus the exit code as a pseudo-file.
fn pack_hashes(scenario: &str, spec: &Path, pack: &Path, out: &mut BTreeMap<String, String>) {
    let status = fairaudit()
        .arg("run")
        .arg(spec)
        .arg("--out")
        .arg(pack)
        .arg("--quiet")
        .output()
        .unwrap();
    let code = status.status.code().unwrap_or(-1);
    assert!(
        code == 0 || code == 1 || code == 3,
        "{scenario}: exit {code}: {}",
        String::from_utf8_lossy(&status.stderr)
    );
    out.insert(format!("{scenario}/(exit code)"), code.to_string());
    let mut names: Vec<String> = std::fs::read_dir(pack)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    for name in names {
        let bytes = std::fs::read(pack.join(&name)).unwrap();
        out.insert(format!("{scenario}/{name}"), sha256_hex(&bytes));
    }
}

fn synth(dir: &Path, file: &str) {
    let status = fairaudit()
        .args(["synth", "--rows", SYNTH_ROWS, "--seed", SYNTH_SEED, "--out"])
        .arg(dir.join(file))
        .output()
        .unwrap();
    assert!(
        status.status.success(),
        "synth {file}: {}",
        String::from_utf8_lossy(&status.stderr)
    );
}

fn current_hashes() -> BTreeMap<String, String> {
    let d = Dir::new();
    let mut out = BTreeMap::new();

    // The COMPAS audit as shipped, with its data beside a copy of its spec.
    let compas = d.path().join("compas");
    std::fs::create_dir_all(&compas).unwrap();
    for f in ["audit.toml", "compas.csv"] {
        std::fs::copy(root().join("audits/compas").join(f), compas.join(f)).unwrap();
    }
    pack_hashes(
        "compas",
        &compas.join("audit.toml"),
        &d.path().join("compas-pack"),
        &mut out,
    );

    let data = d.path().join("synth");
    std::fs::create_dir_all(&data).unwrap();
    for f in ["synth.csv", "synth.parquet", "synth.arrow"] {
        synth(&data, f);
    }
    let scenarios = [
        ("csv-unweighted", CSV_UNWEIGHTED),
        ("parquet-weighted", PARQUET_WEIGHTED),
        ("arrow-neutral", ARROW_NEUTRAL),
    ];
    for (name, text) in scenarios {
        let spec = data.join(format!("{name}.toml"));
        std::fs::write(&spec, text).unwrap();
        pack_hashes(
            name,
            &spec,
            &d.path().join(format!("{name}-pack")),
            &mut out,
        );
    }

    // A count table made from the rows, then audited.
    let source = data.join("counts-source.toml");
    std::fs::write(&source, COUNTS_SOURCE).unwrap();
    let made = fairaudit()
        .arg("counts")
        .arg(&source)
        .arg("--out")
        .arg(data.join("synth.counts.parquet"))
        .output()
        .unwrap();
    assert!(
        made.status.success(),
        "counts: {}",
        String::from_utf8_lossy(&made.stderr)
    );
    let spec = data.join("counts-weighted.toml");
    std::fs::write(&spec, COUNTS_AUDIT).unwrap();
    pack_hashes(
        "counts-weighted",
        &spec,
        &d.path().join("counts-pack"),
        &mut out,
    );
    out
}

fn render(hashes: &BTreeMap<String, String>) -> String {
    let mut s = String::from(
        "# SHA-256 of every file of the fixture packs (tests/all/fixtures.rs).\n\
         # Re-record deliberately: FAIRAUDIT_BLESS=1 cargo test fixtures\n",
    );
    for (k, v) in hashes {
        let _ = writeln!(s, "{v}  {k}");
    }
    s
}

#[test]
fn packs_are_byte_identical_to_the_recorded_fixtures() {
    let path = root().join("tests/fixtures/packs.sha256");
    let now = render(&current_hashes());
    if std::env::var_os("FAIRAUDIT_BLESS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &now).unwrap();
        return;
    }
    let recorded = std::fs::read_to_string(&path)
        .expect("tests/fixtures/packs.sha256 is missing: record it with FAIRAUDIT_BLESS=1");
    if recorded != now {
        let old: BTreeMap<&str, &str> = recorded
            .lines()
            .filter(|l| !l.starts_with('#'))
            .filter_map(|l| l.split_once("  ").map(|(h, k)| (k, h)))
            .collect();
        let new: BTreeMap<&str, &str> = now
            .lines()
            .filter(|l| !l.starts_with('#'))
            .filter_map(|l| l.split_once("  ").map(|(h, k)| (k, h)))
            .collect();
        let mut diffs = Vec::new();
        for k in old
            .keys()
            .chain(new.keys())
            .collect::<std::collections::BTreeSet<_>>()
        {
            if old.get(k) != new.get(k) {
                diffs.push(format!(
                    "  {k}: recorded {} now {}",
                    old.get(k).unwrap_or(&"(none)"),
                    new.get(k).unwrap_or(&"(none)")
                ));
            }
        }
        panic!(
            "audit packs changed byte for byte:\n{}\nIf the change is deliberate, re-record with FAIRAUDIT_BLESS=1 cargo test fixtures",
            diffs.join("\n")
        );
    }
}
