//! Audit packs (issue 6, "Reproducible audit packs: write, verify, diff"):
//! a pack verifies, names what was tampered with or changed, is written
//! atomically, has the same bytes on every run and thread count, holds no
//! personal data, and two packs diff to exactly what changed.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use assert_cmd::Command;

use fairaudit::AuditSpec;
use fairaudit::count::RunOptions;
use fairaudit::pack::{
    self, Assessment, Difference, InputStatus, Located, Manifest, Outcome, VerifyReport,
    WriteOptions,
};

use crate::harness::{Dir, root, shared_raw_compas};

/// A small audit: groups A, B, C by sex, with outcomes and predictions that
/// differ by group.
const SPEC: &str = r#"
title = "Pack fixture"
seed = 7
intersections = [["g", "sex"]]

[input]
path = "data.csv"

[truth]
column = "y"
positive = [1]

[prediction]
column = "p"
positive = [1]

[[attributes]]
column = "g"
reference = "A"

[[attributes]]
column = "sex"
reference = "F"

[policy]
min_group_size = 5
"#;

/// The fixture's data rows (without the header), deterministic.
fn fixture_rows() -> Vec<String> {
    (0..600u32)
        .map(|i| {
            let g = ["A", "B", "C"][(i % 3) as usize];
            let sex = ["F", "M"][((i / 3) % 2) as usize];
            // A multiplicative hash, so that outcome and prediction are not
            // locked to the group pattern; the prediction leans on the
            // outcome and on the group.
            let h = u64::from(i).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 32;
            let y = u8::from(h % 10 < 4);
            let p = u8::from((h / 10) % 10 < 2 + u64::from(i % 3) + 4 * u64::from(y));
            format!("{g},{sex},{y},{p}")
        })
        .collect()
}

fn fixture_csv(rows: &[String]) -> String {
    let mut s = String::from("g,sex,y,p\n");
    for r in rows {
        s.push_str(r);
        s.push('\n');
    }
    s
}

/// Writes the fixture's spec and data into `dir/audit/` and returns the
/// spec's path.
fn fixture(dir: &Path, rows: &[String]) -> PathBuf {
    let audit = dir.join("audit");
    std::fs::create_dir_all(&audit).unwrap();
    std::fs::write(audit.join("data.csv"), fixture_csv(rows)).unwrap();
    let spec = audit.join("audit.toml");
    std::fs::write(&spec, SPEC).unwrap();
    spec
}

fn scan(threads: usize) -> RunOptions<'static> {
    RunOptions {
        threads,
        progress: None,
    }
}

/// What `fairaudit run SPEC --out PACK` does, through the library.
fn write_pack(
    spec: &Path,
    pack: &Path,
    threads: usize,
    options: &WriteOptions,
) -> fairaudit::Result<Manifest> {
    let source = AuditSpec::from_file(spec)?;
    let valid = pack::relocate(&source, spec.parent().unwrap(), pack)?;
    let results = fairaudit::audit(&valid, &scan(threads))?;
    pack::write(pack, &valid, &results, options)
}

fn verify(pack: &Path, data: Option<&Path>) -> VerifyReport {
    pack::verify(pack, data, &scan(2)).unwrap()
}

/// Every file of a folder, by name.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect()
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for (name, bytes) in files(from) {
        std::fs::write(to.join(name), bytes).unwrap();
    }
}

/// The entries of a folder, for asserting that nothing was left behind.
fn entries(dir: &Path) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

/// The files a verification report names as differing.
fn named(report: &VerifyReport) -> BTreeSet<String> {
    report
        .differences
        .iter()
        .map(|d| match d {
            Difference::Altered { file, .. }
            | Difference::MissingFile { file }
            | Difference::UnlistedFile { file }
            | Difference::Rerun { file, .. } => file.clone(),
        })
        .collect()
}

const PACK_FILES: [&str; 7] = [
    "audit.toml",
    "disparities.csv",
    "manifest.json",
    "metrics.csv",
    "report.html",
    "report.md",
    "results.json",
];

#[test]
fn a_pack_holds_every_file_and_verifies() {
    let dir = Dir::new();
    let spec = fixture(dir.path(), &fixture_rows());
    let pack = dir.path().join("pack");
    let manifest = write_pack(&spec, &pack, 2, &WriteOptions::default()).unwrap();
    assert_eq!(
        entries(&pack),
        PACK_FILES.iter().map(|s| s.to_string()).collect()
    );
    // The spec is stored with its input path relative to the pack, so that
    // the pack and its data can move together.
    assert_eq!(manifest.inputs[0].path, "../audit/data.csv");
    assert_eq!(manifest.inputs[0].file, "data.csv");
    let toml = std::fs::read_to_string(pack.join("audit.toml")).unwrap();
    assert!(toml.contains("path = \"../audit/data.csv\""), "{toml}");
    assert_eq!((manifest.rows.read, manifest.rows.used), (600, 600));
    assert_eq!(manifest.seed, Some(7));
    assert!(manifest.created.is_none());
    let listed: Vec<&str> = manifest.outputs.iter().map(|o| o.file.as_str()).collect();
    assert_eq!(
        listed,
        [
            "disparities.csv",
            "metrics.csv",
            "report.html",
            "report.md",
            "results.json"
        ]
    );

    let report = verify(&pack, None);
    assert!(
        report.is_identical(),
        "{}",
        String::from_utf8_lossy(&report.render_text())
    );
    assert_eq!(report.inputs[0].status, InputStatus::Same);
    assert_eq!(
        report.inputs[0].found.as_ref().unwrap().1,
        Located::Recorded
    );
    assert_eq!(report.files_checked, 6);
}

#[test]
fn flipping_one_byte_of_any_file_is_named() {
    let dir = Dir::new();
    let spec = fixture(dir.path(), &fixture_rows());
    let pack = dir.path().join("pack");
    write_pack(&spec, &pack, 1, &WriteOptions::default()).unwrap();
    for file in PACK_FILES {
        // A sibling copy, so that the input's relative path still holds.
        let copy = dir.path().join(format!("flip-{file}"));
        copy_dir(&pack, &copy);
        let path = copy.join(file);
        let mut bytes = std::fs::read(&path).unwrap();
        // In the manifest, flip a hex digit of a hash, which keeps it valid
        // JSON; elsewhere, the middle byte.
        let at = if file == "manifest.json" {
            let text = String::from_utf8(bytes.clone()).unwrap();
            text.find("\"sha256\": \"").unwrap() + 20
        } else {
            bytes.len() / 2
        };
        bytes[at] ^= 1;
        std::fs::write(&path, &bytes).unwrap();
        let report = verify(&copy, None);
        assert_eq!(report.outcome(), Outcome::Differs, "{file}");
        assert!(
            named(&report).contains(file),
            "{file}: {:?}",
            report.differences
        );
        if file != "manifest.json" {
            assert!(
                report
                    .differences
                    .iter()
                    .any(|d| matches!(d, Difference::Altered { file: f, .. } if f == file)),
                "{file}: {:?}",
                report.differences
            );
        }
    }
}

#[test]
fn a_tampered_value_is_named_by_its_path() {
    let dir = Dir::new();
    let spec = fixture(dir.path(), &fixture_rows());
    let pack = dir.path().join("pack");
    write_pack(&spec, &pack, 1, &WriteOptions::default()).unwrap();
    let path = pack.join("results.json");
    let mut json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let groups = json["groupings"][0]["groups"].as_array_mut().unwrap();
    let b = groups.iter_mut().find(|g| g["label"] == "B").unwrap();
    b["metrics"]["fpr"]["value"] = serde_json::json!(0.123);
    let mut bytes = serde_json::to_vec_pretty(&json).unwrap();
    bytes.push(b'\n');
    std::fs::write(&path, bytes).unwrap();
    // Another file appears too.
    std::fs::write(pack.join("notes.txt"), "added later").unwrap();

    let report = verify(&pack, None);
    assert_eq!(report.outcome(), Outcome::Differs);
    let rerun: Vec<_> = report
        .differences
        .iter()
        .filter_map(|d| match d {
            Difference::Rerun { file, at, pack, .. } => {
                Some((file.as_str(), at.as_str(), pack.as_str()))
            }
            _ => None,
        })
        .collect();
    assert_eq!(
        rerun,
        [(
            "results.json",
            "groupings[g].groups[B].metrics.fpr.value",
            "0.123"
        )]
    );
    assert!(report.differences.contains(&Difference::UnlistedFile {
        file: "notes.txt".into()
    }));
    let text = String::from_utf8(report.render_text()).unwrap();
    assert!(text.contains("results.json: ALTERED"), "{text}");
    assert!(text.contains("notes.txt: NOT LISTED"), "{text}");
    assert!(text.contains("result: DIFFERS"), "{text}");
}

#[test]
fn a_changed_or_missing_input_is_named() {
    let dir = Dir::new();
    let mut rows = fixture_rows();
    let spec = fixture(dir.path(), &rows);
    let pack = dir.path().join("pack");
    write_pack(&spec, &pack, 1, &WriteOptions::default()).unwrap();

    // Change one row: verify names the input, and shows what it changes.
    let mut cells: Vec<String> = rows[10].split(',').map(String::from).collect();
    cells[2] = if cells[2] == "0" { "1" } else { "0" }.to_string();
    rows[10] = cells.join(",");
    std::fs::write(spec.with_file_name("data.csv"), fixture_csv(&rows)).unwrap();
    let report = verify(&pack, None);
    assert_eq!(report.outcome(), Outcome::Differs);
    assert_eq!(report.inputs[0].recorded.path, "../audit/data.csv");
    assert!(matches!(
        report.inputs[0].status,
        InputStatus::Changed { .. }
    ));
    let text = String::from_utf8(report.render_text()).unwrap();
    assert!(
        text.contains("../audit/data.csv: found at the recorded path"),
        "{text}"
    );
    assert!(
        text.contains("CHANGED since the pack was written"),
        "{text}"
    );
    assert!(named(&report).contains("results.json"), "{text}");

    // Remove it: verify cannot re-run, and says where it looked.
    std::fs::remove_file(spec.with_file_name("data.csv")).unwrap();
    let report = verify(&pack, None);
    assert_eq!(report.outcome(), Outcome::Incomplete);
    assert!(matches!(
        report.inputs[0].status,
        InputStatus::Missing { .. }
    ));
    assert!(matches!(report.rerun, pack::Rerun::Skipped { .. }));
    let text = String::from_utf8(report.render_text()).unwrap();
    assert!(text.contains("MISSING"), "{text}");
    assert!(text.contains("--data DIR"), "{text}");
}

#[test]
fn a_pack_verifies_on_another_machine() {
    let dir = Dir::new();
    let spec = fixture(dir.path(), &fixture_rows());
    let pack = dir.path().join("pack");
    write_pack(&spec, &pack, 1, &WriteOptions::default()).unwrap();

    // The pack and its data moved together keep their relative paths.
    let moved = Dir::new();
    copy_dir(&pack, &moved.path().join("pack"));
    copy_dir(&dir.path().join("audit"), &moved.path().join("audit"));
    let report = verify(&moved.path().join("pack"), None);
    assert!(
        report.is_identical(),
        "{}",
        String::from_utf8_lossy(&report.render_text())
    );

    // The pack alone, with the data somewhere else: --data finds it by name.
    let alone = Dir::new();
    copy_dir(&pack, &alone.path().join("deep/er/pack"));
    let data = alone.path().join("data");
    copy_dir(&dir.path().join("audit"), &data);
    let report = verify(&alone.path().join("deep/er/pack"), Some(&data));
    assert!(
        report.is_identical(),
        "{}",
        String::from_utf8_lossy(&report.render_text())
    );
    assert_eq!(report.inputs[0].found.as_ref().unwrap().1, Located::DataDir);
}

#[test]
fn reruns_give_identical_bytes_on_1_and_2_threads() {
    // Enough rows for several chunks, with weights, so that the merge of
    // per-thread tables (and of weighted sums) is exercised.
    let dir = Dir::new();
    fairaudit::synth::write_synth(
        &dir.path().join("synth.csv"),
        &fairaudit::synth::SynthOptions {
            rows: 200_000,
            seed: 11,
        },
    )
    .unwrap();
    let spec = dir.write(
        "audit.toml",
        r#"
title = "Synthetic, weighted"
seed = 3
intersections = [["ethnicity", "sex", "age_band"]]
[input]
path = "synth.csv"
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
column = "age_band"
"#,
    );
    let one = dir.path().join("one");
    let two = dir.path().join("two");
    let again = dir.path().join("again");
    write_pack(&spec, &one, 1, &WriteOptions::default()).unwrap();
    write_pack(&spec, &two, 2, &WriteOptions::default()).unwrap();
    write_pack(&spec, &again, 1, &WriteOptions::default()).unwrap();
    let (a, b, c) = (files(&one), files(&two), files(&again));
    assert_eq!(a.len(), 7);
    for (name, bytes) in &a {
        assert!(b[name] == *bytes, "{name} differs between 1 and 2 threads");
        assert!(c[name] == *bytes, "{name} differs between two runs");
    }
    // Nothing that depends on the machine: no absolute path (the temp
    // folder's name is in every absolute path here), no user name.
    let temp = dir
        .path()
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    let user = std::env::var("USER").unwrap_or_default();
    for (name, bytes) in &a {
        let text = String::from_utf8_lossy(bytes);
        assert!(!text.contains(&temp), "{name} holds the temp folder's name");
        assert!(
            !text.contains(&root().to_string_lossy().to_string()),
            "{name}"
        );
        if user.len() > 3 {
            assert!(
                !text.contains(&format!("/{user}/")),
                "{name} holds the user name"
            );
        }
    }
}

#[test]
fn source_date_epoch_is_the_only_time_and_only_in_the_manifest() {
    let dir = Dir::new();
    let spec = fixture(dir.path(), &fixture_rows());
    let plain = dir.path().join("plain");
    let dated = dir.path().join("dated");
    write_pack(&spec, &plain, 1, &WriteOptions::default()).unwrap();
    let options = WriteOptions {
        source_date_epoch: Some(1_700_000_000),
        ..WriteOptions::default()
    };
    let manifest = write_pack(&spec, &dated, 1, &options).unwrap();
    let created = manifest.created.unwrap();
    assert_eq!(created.utc, "2023-11-14T22:13:20Z");
    let (a, b) = (files(&plain), files(&dated));
    for name in PACK_FILES.iter().filter(|f| **f != "manifest.json") {
        assert!(a[*name] == b[*name], "{name}");
    }
    assert!(verify(&dated, None).is_identical());
}

#[test]
fn a_failed_write_leaves_no_pack_and_no_partial_files() {
    let dir = Dir::new();
    let spec = fixture(dir.path(), &fixture_rows());
    let pack = dir.path().join("pack");
    let before = entries(dir.path());
    // Fail at each of the seven files in turn: the spec, the five outputs,
    // the manifest.
    for n in 0..7 {
        let options = WriteOptions {
            fail_at_file: Some(n),
            ..WriteOptions::default()
        };
        let e = write_pack(&spec, &pack, 1, &options).unwrap_err();
        assert!(e.to_string().contains("injected failure"), "{e}");
        assert!(!pack.exists(), "file {n}");
        assert_eq!(entries(dir.path()), before, "file {n}: something was left");
    }
    // Replacing a pack: a failure leaves the old pack as it was.
    write_pack(&spec, &pack, 1, &WriteOptions::default()).unwrap();
    let old = files(&pack);
    let before = entries(dir.path());
    let options = WriteOptions {
        force: true,
        fail_at_file: Some(3),
        ..WriteOptions::default()
    };
    write_pack(&spec, &pack, 1, &options).unwrap_err();
    assert_eq!(files(&pack), old);
    assert_eq!(entries(dir.path()), before);
}

#[test]
fn an_existing_folder_is_replaced_only_if_forced_and_a_pack() {
    let dir = Dir::new();
    let spec = fixture(dir.path(), &fixture_rows());
    let pack = dir.path().join("pack");
    write_pack(&spec, &pack, 1, &WriteOptions::default()).unwrap();
    let e = write_pack(&spec, &pack, 1, &WriteOptions::default()).unwrap_err();
    assert!(e.to_string().contains("already exists"), "{e}");
    assert!(e.to_string().contains("--force"), "{e}");
    let force = WriteOptions {
        force: true,
        ..WriteOptions::default()
    };
    write_pack(&spec, &pack, 1, &force).unwrap();
    assert!(verify(&pack, None).is_identical());
    assert_eq!(
        entries(dir.path()),
        ["audit", "pack"].map(String::from).into()
    );

    // A folder that is not a pack is never replaced.
    let other = dir.path().join("holiday-photos");
    std::fs::create_dir(&other).unwrap();
    std::fs::write(other.join("beach.jpg"), "not a pack").unwrap();
    let e = write_pack(&spec, &other, 1, &force).unwrap_err();
    assert!(e.to_string().contains("is not an audit pack"), "{e}");
    assert_eq!(entries(&other), ["beach.jpg"].map(String::from).into());
}

#[test]
fn csv_cells_are_neutralised_against_formula_injection() {
    let dir = Dir::new();
    let labels = ["=1+2", "+1", "-2", "@SUM(A1)", "Safe"];
    let mut csv = String::from("area,g,y,p\n");
    for i in 0..100u32 {
        let g = labels[(i % 5) as usize];
        let area = ["@north", "south"][(i % 2) as usize];
        csv.push_str(&format!("{area},{g},{},{}\n", i % 3 % 2, i % 4 % 2));
    }
    dir.write("data.csv", &csv);
    let spec = dir.write(
        "audit.toml",
        r#"
intersections = [["g", "area"]]
[input]
path = "data.csv"
[truth]
column = "y"
positive = [1]
[prediction]
column = "p"
positive = [1]
[[attributes]]
column = "g"
reference = "Safe"
[[attributes]]
column = "area"
reference = "south"
[policy]
min_group_size = 0
"#,
    );
    let pack = dir.path().join("pack");
    write_pack(&spec, &pack, 1, &WriteOptions::default()).unwrap();
    let formula = |s: &str| s.starts_with(['=', '+', '-', '@']);
    for (file, text_columns) in [
        ("metrics.csv", vec!["grouping", "group", "undefined"]),
        (
            "disparities.csv",
            vec!["grouping", "group", "reference_group", "undefined"],
        ),
    ] {
        let mut reader = csv::Reader::from_path(pack.join(file)).unwrap();
        let header = reader.headers().unwrap().clone();
        let mut seen = BTreeSet::new();
        for record in reader.records() {
            let record = record.unwrap();
            for col in &text_columns {
                let i = header.iter().position(|h| h == *col).unwrap();
                let cell = &record[i];
                assert!(
                    !formula(cell),
                    "{file}: `{col}` cell {cell:?} would run as a formula"
                );
                seen.insert(cell.to_string());
            }
        }
        // An intersection's label is neutralised as a whole, by its start.
        for want in [
            "'=1+2",
            "'+1",
            "'-2",
            "'@SUM(A1)",
            "'@north",
            "'=1+2|@north",
        ] {
            assert!(seen.contains(want), "{file}: no cell {want:?} in {seen:?}");
        }
    }
}

#[test]
fn diff_of_packs_with_one_changed_row_reports_exactly_that_change() {
    let rows = fixture_rows();
    // A row of group B, male, not flagged as positive truth but flagged by
    // the model: flipping its outcome turns a false positive into a true
    // positive, in B, in M, in B|M and overall, and nowhere else.
    let i = rows.iter().position(|r| r == "B,M,0,1").unwrap();
    let mut changed = rows.clone();
    changed[i] = "B,M,1,1".to_string();
    // The same layout in two folders, so that the packs name their inputs
    // alike and only the numbers differ.
    let (da, db) = (Dir::new(), Dir::new());
    let (pa, pb) = (da.path().join("pack"), db.path().join("pack"));
    write_pack(&fixture(da.path(), &rows), &pa, 1, &WriteOptions::default()).unwrap();
    write_pack(
        &fixture(db.path(), &changed),
        &pb,
        1,
        &WriteOptions::default(),
    )
    .unwrap();

    let d = pack::diff(&pa, &pb).unwrap();
    assert!(d.context.is_empty(), "{:?}", d.context);
    assert!(d.groups.is_empty() && d.verdicts.is_empty());
    let groups: BTreeSet<(&str, &str)> = d
        .metrics
        .iter()
        .map(|m| (m.grouping.as_str(), m.group.as_str()))
        .collect();
    let want: BTreeSet<(&str, &str)> = [
        ("overall", "overall"),
        ("g", "B"),
        ("sex", "M"),
        ("g|sex", "B|M"),
    ]
    .into();
    assert_eq!(groups, want);
    // The model's decisions did not change, so neither did selection rates.
    assert!(d.metrics.iter().all(|m| m.metric != "selection_rate"));
    for m in d.metrics.iter().filter(|m| m.group == "B") {
        match m.metric.as_str() {
            "fpr" | "fdr" => assert_eq!(m.assessment, Assessment::Better, "{m:?}"),
            "ppv" | "tpr" => assert_eq!(m.assessment, Assessment::Better, "{m:?}"),
            "base_rate" => assert_eq!(m.assessment, Assessment::Changed, "{m:?}"),
            _ => {}
        }
        assert!((m.change.unwrap() - (m.b.unwrap() - m.a.unwrap())).abs() < 1e-15);
    }
    let fpr = d
        .metrics
        .iter()
        .find(|m| m.group == "B" && m.metric == "fpr")
        .unwrap();
    assert!(fpr.b.unwrap() < fpr.a.unwrap());
    let disparity_groups: BTreeSet<(&str, &str)> = d
        .disparities
        .iter()
        .map(|x| (x.grouping.as_str(), x.group.as_str()))
        .collect();
    assert_eq!(
        disparity_groups,
        [("g", "B"), ("sex", "M"), ("g|sex", "B|M")].into()
    );

    // A pack compared with itself differs in nothing.
    let same = pack::diff(&pa, &pa).unwrap();
    assert!(same.is_empty() && same.context.is_empty());
    let text = String::from_utf8(same.render_text()).unwrap();
    assert!(
        text.contains("no metric, disparity, group or verdict differs"),
        "{text}"
    );
}

#[test]
fn diff_reports_changed_verdicts_wherever_they_are() {
    // Verdicts are added to results.json by the audit policy; diff finds a
    // `verdict` member wherever it appears.
    let dir = Dir::new();
    let spec = fixture(dir.path(), &fixture_rows());
    let pack = dir.path().join("pack");
    write_pack(&spec, &pack, 1, &WriteOptions::default()).unwrap();
    let results: serde_json::Value =
        serde_json::from_slice(&std::fs::read(pack.join("results.json")).unwrap()).unwrap();
    let with = |verdict: &str| {
        let mut r = results.clone();
        r["groupings"][0]["groups"][1]["metrics"]["fpr"]["verdict"] = serde_json::json!(verdict);
        r
    };
    let a = dir.write("a.json", &with("pass").to_string());
    let b = dir.write("b.json", &with("fail").to_string());
    let d = pack::diff(&a, &b).unwrap();
    assert_eq!(d.verdicts.len(), 1);
    assert_eq!(
        d.verdicts[0].path,
        "groupings[g].groups[B].metrics.fpr.verdict"
    );
    assert_eq!(
        (d.verdicts[0].a.as_str(), d.verdicts[0].b.as_str()),
        ("\"pass\"", "\"fail\"")
    );
    assert!(d.metrics.is_empty());
}

/// The raw COMPAS file's columns that identify people.
const PII_COLUMNS: [&str; 8] = [
    "id",
    "name",
    "first",
    "last",
    "dob",
    "c_case_number",
    "r_case_number",
    "vr_case_number",
];

fn raw_compas_spec(path: &Path) -> String {
    format!(
        r#"
title = "COMPAS decile score on ProPublica's raw file"
seed = 1
intersections = [["race", "sex"]]
[input]
path = {path:?}
[truth]
column = "two_year_recid"
positive = [1]
[prediction]
score = "decile_score#1"
threshold = 5
[cohort]
filters = [
  "days_b_screening_arrest <= 30",
  "days_b_screening_arrest >= -30",
  "is_recid != -1",
  "c_charge_degree != \"O\"",
  "score_text != \"N/A\"",
]
[[attributes]]
column = "race"
reference = "Caucasian"
[[attributes]]
column = "sex"
reference = "Male"
[[attributes]]
column = "age_cat"
name = "age"
reference = "25 - 45"
"#
    )
}

/// Words of a text, lower-cased: maximal runs of letters and digits.
fn words(text: &str) -> BTreeSet<String> {
    text.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// Numbers of a text as whole tokens (`0.4233` stays one token).
fn numbers(text: &str) -> BTreeSet<String> {
    text.split(|c: char| !c.is_ascii_alphanumeric() && c != '.')
        .map(|t| t.trim_matches('.'))
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect()
}

/// The pack's text in which an identifier could hide: every file, with
/// the manifest reduced to its strings (its file sizes are numbers that
/// could equal an id by chance and are not data).
fn pack_text(pack: &Path) -> String {
    fn strings(v: &serde_json::Value, out: &mut String) {
        match v {
            serde_json::Value::String(s) => {
                out.push_str(s);
                out.push('\n');
            }
            serde_json::Value::Array(xs) => xs.iter().for_each(|x| strings(x, out)),
            serde_json::Value::Object(o) => o.iter().for_each(|(k, x)| {
                out.push_str(k);
                out.push('\n');
                strings(x, out);
            }),
            _ => {}
        }
    }
    let mut text = String::new();
    for (name, bytes) in files(pack) {
        if name == "manifest.json" {
            strings(&serde_json::from_slice(&bytes).unwrap(), &mut text);
        } else {
            text.push_str(&String::from_utf8(bytes).unwrap());
        }
        text.push('\n');
    }
    text
}

/// Whether `text` has a date written as YYYY-MM-DD anywhere.
fn has_iso_date(text: &str) -> bool {
    let b = text.as_bytes();
    let d = |i: usize| b[i].is_ascii_digit();
    (0..b.len().saturating_sub(9)).any(|i| {
        d(i) && d(i + 1)
            && d(i + 2)
            && d(i + 3)
            && b[i + 4] == b'-'
            && d(i + 5)
            && d(i + 6)
            && b[i + 7] == b'-'
            && d(i + 8)
            && d(i + 9)
    })
}

#[test]
fn a_compas_pack_holds_no_personal_data() {
    let Some(raw) = shared_raw_compas() else {
        eprintln!("skipped: ../shared/data/compas-scores-two-years.csv is not present");
        return;
    };
    let dir = Dir::new();
    let spec = dir.write("audit.toml", &raw_compas_spec(&raw));
    let pack = dir.path().join("pack");
    write_pack(&spec, &pack, 2, &WriteOptions::default()).unwrap();

    // The same audit over a copy of the file with the identifying columns
    // blanked: the pack's own vocabulary (words such as "rate" or "may" that
    // are also somebody's name), and a check that no number depends on them.
    let mut reader = csv::Reader::from_path(&raw).unwrap();
    let header = reader.headers().unwrap().clone();
    let column = |name: &str| header.iter().position(|h| h == name).unwrap();
    let pii: Vec<usize> = PII_COLUMNS.iter().map(|c| column(c)).collect();
    let blanked_path = dir.path().join("blanked.csv");
    let mut blanked = csv::Writer::from_path(&blanked_path).unwrap();
    blanked.write_record(&header).unwrap();
    let mut people: Vec<csv::StringRecord> = Vec::new();
    for record in reader.records() {
        let record = record.unwrap();
        let row: Vec<&str> = record
            .iter()
            .enumerate()
            .map(|(i, v)| if pii.contains(&i) { "x" } else { v })
            .collect();
        blanked.write_record(&row).unwrap();
        people.push(record);
    }
    blanked.flush().unwrap();
    drop(blanked);
    let control_spec = dir.write("control.toml", &raw_compas_spec(&blanked_path));
    let control = dir.path().join("control");
    write_pack(&control_spec, &control, 2, &WriteOptions::default()).unwrap();
    for file in ["metrics.csv", "disparities.csv"] {
        assert!(
            std::fs::read(pack.join(file)).unwrap() == std::fs::read(control.join(file)).unwrap(),
            "{file} depends on the identifying columns"
        );
    }

    let text = pack_text(&pack);
    let lower = text.to_lowercase();
    let pack_words = words(&text);
    let vocabulary = words(&pack_text(&control));
    let pack_numbers = numbers(&text);
    assert!(!has_iso_date(&text), "the pack holds a date");
    let mut checked = 0;
    for person in &people {
        let get = |c: &str| person[column(c)].trim().to_lowercase();
        // Full names and case numbers: nowhere, not even inside a word.
        for c in [
            "name",
            "c_case_number",
            "r_case_number",
            "vr_case_number",
            "dob",
        ] {
            let v = get(c);
            if !v.is_empty() {
                assert!(!lower.contains(&v), "the pack holds `{c}` {v:?}");
                checked += 1;
            }
        }
        // First and last names, as words, unless the pack says them anyway
        // without any names in its input.
        for c in ["first", "last"] {
            let v = get(c);
            if !v.is_empty() && !vocabulary.contains(&v) {
                assert!(!pack_words.contains(&v), "the pack holds `{c}` {v:?}");
                checked += 1;
            }
        }
        // Ids, as whole numbers. Ids below 10,000 are indistinguishable
        // from the counts a pack must publish (3,175 is both someone's id
        // and the number of African-American people in the cohort); no
        // count here reaches 10,000, so a five-digit id can only be there
        // if an identifier leaked.
        let id = get("id");
        if id.len() >= 5 {
            assert!(!pack_numbers.contains(&id), "the pack holds id {id}");
            checked += 1;
        }
    }
    assert!(checked > 7214 * 5, "only {checked} values checked");
}

#[test]
fn compas_report_md_snapshot() {
    let text = std::fs::read_to_string(root().join("audits/compas/audit.toml")).unwrap();
    let results = crate::harness::run_toml(&text, &root().join("audits/compas"), 2).unwrap();
    let md = String::from_utf8(fairaudit::report::markdown::render(&results)).unwrap();
    insta::assert_snapshot!("compas_report_md", md);
}

// ---- the command line -------------------------------------------------------

fn fairaudit() -> Command {
    let mut c = Command::cargo_bin("fairaudit").unwrap();
    c.current_dir(root());
    c.env_remove("SOURCE_DATE_EPOCH");
    c
}

#[test]
fn cli_run_verify_and_diff() {
    let dir = Dir::new();
    let spec = fixture(dir.path(), &fixture_rows());
    let pack = dir.path().join("pack");
    let run = |extra: &[&str]| {
        let mut c = fairaudit();
        c.args([
            "run",
            spec.to_str().unwrap(),
            "--quiet",
            "--out",
            pack.to_str().unwrap(),
        ]);
        c.args(extra).output().unwrap()
    };
    let out = run(&[]);
    // The fixture's verdicts are inconclusive: exit 3 (issue 10), and the
    // pack is written all the same.
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        entries(&pack),
        PACK_FILES.iter().map(|s| s.to_string()).collect()
    );
    // The library and the command line write the same pack.
    let lib = dir.path().join("lib");
    write_pack(&spec, &lib, 1, &WriteOptions::default()).unwrap();
    assert_eq!(files(&pack), files(&lib));

    let out = run(&[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("already exists"));
    let out = run(&["--force"]);
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let verify = |extra: &[&str]| {
        let mut c = fairaudit();
        c.args(["verify", pack.to_str().unwrap(), "--threads", "2"]);
        c.args(extra).output().unwrap()
    };
    let out = verify(&[]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("result: IDENTICAL"));
    let out = verify(&["--format", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["outcome"], "identical");

    let out = fairaudit()
        .args([
            "diff",
            pack.to_str().unwrap(),
            lib.to_str().unwrap(),
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["metrics"], serde_json::json!([]));

    // Tampered: exit 1. Input missing: exit 2. Not a pack: exit 2.
    let md = pack.join("report.md");
    let text = std::fs::read_to_string(&md).unwrap();
    std::fs::write(&md, text.replace("Pack fixture", "Pack fixturf")).unwrap();
    let out = verify(&[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("report.md: ALTERED"));
    std::fs::write(&md, text).unwrap();
    std::fs::rename(
        dir.path().join("audit/data.csv"),
        dir.path().join("data.csv"),
    )
    .unwrap();
    let out = verify(&[]);
    assert_eq!(out.status.code(), Some(2));
    let out = verify(&["--data", dir.path().to_str().unwrap()]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let out = fairaudit()
        .args(["verify", dir.path().join("audit").to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not an audit pack"));
}

#[test]
fn cli_help_of_verify_and_diff_shows_worked_examples() {
    for sub in ["verify", "diff"] {
        let out = fairaudit().args([sub, "--help"]).output().unwrap();
        assert!(out.status.success(), "{sub}");
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.contains("Worked example"), "{sub}: {text}");
    }
    let out = fairaudit().args(["verify", "--help"]).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("Exit codes: 0 identical"));
}
