//! Verifying a pack: are its files what the manifest says, are the inputs
//! what they were, and does re-running the audit give the same bytes?
//!
//! Every check runs, whatever the others find, and every difference is
//! listed: a reader who is told only the first problem fixes it and runs
//! again, which is slow when the data are large.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde_json::Value;

use crate::count::RunOptions;
use crate::error::{Error, Result};
use crate::number::count;
use crate::pack::manifest::{InputEntry, Manifest, hash_file, sha256_hex};
use crate::pack::write::file_name;
use crate::pack::{MANIFEST_FILE, SPEC_FILE, render_files};
use crate::plan::Plan;
use crate::results::ToolInfo;
use crate::spec::AuditSpec;

/// Where an input was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Located {
    /// At the path recorded in the pack, relative to the pack folder.
    Recorded,
    /// Beside the pack, by file name.
    BesidePack,
    /// In the `--data` folder, by file name.
    DataDir,
}

/// What was found of one input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum InputStatus {
    /// Found, with the recorded size and SHA-256.
    Same,
    /// Found, but its bytes differ from those the pack was computed from.
    Changed {
        /// The size now.
        bytes: u64,
        /// The SHA-256 now.
        sha256: String,
    },
    /// Not found at the recorded path, nor in the data folder.
    Missing {
        /// The places looked at, in order.
        looked_at: Vec<PathBuf>,
    },
}

/// One input of the pack, checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InputCheck {
    /// The input as the manifest records it.
    pub recorded: InputEntry,
    /// Where it was found, and how.
    pub found: Option<(PathBuf, Located)>,
    /// Whether its bytes are the recorded ones.
    #[serde(flatten)]
    pub status: InputStatus,
}

/// A difference between the pack and what it should be.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Difference {
    /// A file's bytes do not match its SHA-256 in the manifest: it was
    /// altered after the pack was written.
    Altered {
        /// The file.
        file: String,
        /// The SHA-256 the manifest records.
        expected_sha256: String,
        /// The SHA-256 of the file now.
        actual_sha256: String,
    },
    /// A file the manifest lists is not in the pack.
    MissingFile {
        /// The file.
        file: String,
    },
    /// A file in the pack folder that the manifest does not list.
    UnlistedFile {
        /// The file (or folder).
        file: String,
    },
    /// Re-running the audit gives other bytes for this file.
    Rerun {
        /// The file.
        file: String,
        /// Where the first difference is: a path into the JSON
        /// (`groupings[race].groups[Asian].metrics.fpr.value`; arrays of
        /// named objects are indexed by name, members taken in key order)
        /// or `line N`.
        at: String,
        /// What the pack holds there.
        pack: String,
        /// What the re-run gives there.
        rerun: String,
    },
}

/// Whether the audit was re-run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Rerun {
    /// Re-run and compared.
    Done,
    /// Not attempted.
    Skipped {
        /// Why.
        reason: String,
    },
    /// Attempted, but the audit failed.
    Failed {
        /// The error.
        error: String,
    },
}

/// The verdict of a verification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Every hash matches and the re-run gives the same bytes (exit 0).
    Identical,
    /// Something differs: a file was altered, added or removed, an input
    /// changed, or the re-run gave other bytes (exit 1).
    Differs,
    /// Nothing was found to differ, but the check could not be completed:
    /// an input is missing, or the re-run failed (exit 2).
    Incomplete,
}

/// Everything `verify` found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VerifyReport {
    /// The pack folder, as given.
    pub pack: PathBuf,
    /// The tool that wrote the pack.
    pub written_by: ToolInfo,
    /// The verdict (see [`Outcome`]).
    pub outcome: Outcome,
    /// Each input, in manifest order.
    pub inputs: Vec<InputCheck>,
    /// How many pack files were checked against the manifest.
    pub files_checked: usize,
    /// Every difference found, in the order: files against the manifest,
    /// files not listed, re-run comparisons.
    pub differences: Vec<Difference>,
    /// Whether the audit was re-run.
    pub rerun: Rerun,
}

impl VerifyReport {
    /// Whether the pack verified: every hash matches and the re-run gave
    /// the same bytes.
    pub fn is_identical(&self) -> bool {
        self.outcome == Outcome::Identical
    }

    /// The verdict.
    pub fn outcome(&self) -> Outcome {
        self.outcome
    }

    fn judge(&self) -> Outcome {
        let changed = self
            .inputs
            .iter()
            .any(|i| matches!(i.status, InputStatus::Changed { .. }));
        if changed || !self.differences.is_empty() {
            Outcome::Differs
        } else if self.rerun != Rerun::Done
            || self
                .inputs
                .iter()
                .any(|i| matches!(i.status, InputStatus::Missing { .. }))
        {
            Outcome::Incomplete
        } else {
            Outcome::Identical
        }
    }

    /// The report as text for a terminal.
    pub fn render_text(&self) -> Vec<u8> {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "audit pack {} (written by {} {})",
            self.pack.display(),
            self.written_by.name,
            self.written_by.version
        );
        out.push_str("\ninputs:\n");
        for i in &self.inputs {
            let r = &i.recorded;
            let place = match &i.found {
                Some((p, Located::Recorded)) => {
                    format!("found at the recorded path ({})", p.display())
                }
                Some((p, Located::BesidePack)) => {
                    format!("found beside the pack ({})", p.display())
                }
                Some((p, Located::DataDir)) => {
                    format!("found in the data folder ({})", p.display())
                }
                None => String::new(),
            };
            let line = match &i.status {
                InputStatus::Same => format!("{place}: unchanged (SHA-256 matches)"),
                InputStatus::Changed { bytes, sha256 } => format!(
                    "{place}: CHANGED since the pack was written ({} bytes, SHA-256 {}; recorded {} bytes, SHA-256 {})",
                    count(*bytes),
                    short(sha256),
                    count(r.bytes),
                    short(&r.sha256)
                ),
                InputStatus::Missing { looked_at } => format!(
                    "MISSING: looked at {}; pass --data DIR with the folder that holds `{}`",
                    looked_at
                        .iter()
                        .map(|p| p.display().to_string())
                        .collect::<Vec<_>>()
                        .join(" and "),
                    r.file
                ),
            };
            let _ = writeln!(out, "  {}: {line}", r.path);
        }
        let _ = writeln!(
            out,
            "\npack files: {} checked against the manifest",
            self.files_checked
        );
        for d in &self.differences {
            let line = match d {
                Difference::Altered {
                    file,
                    expected_sha256,
                    actual_sha256,
                } => format!(
                    "{file}: ALTERED: SHA-256 {} does not match the manifest's {}",
                    short(actual_sha256),
                    short(expected_sha256)
                ),
                Difference::MissingFile { file } => {
                    format!("{file}: MISSING from the pack (listed in the manifest)")
                }
                Difference::UnlistedFile { file } => {
                    format!(
                        "{file}: NOT LISTED in the manifest (added after the pack was written?)"
                    )
                }
                Difference::Rerun { .. } => continue,
            };
            let _ = writeln!(out, "  {line}");
        }
        out.push_str("\nre-run:\n");
        match &self.rerun {
            Rerun::Done => {
                let diffs: Vec<&Difference> = self
                    .differences
                    .iter()
                    .filter(|d| matches!(d, Difference::Rerun { .. }))
                    .collect();
                if diffs.is_empty() {
                    out.push_str("  re-ran the audit from audit.toml: every file is identical\n");
                }
                for d in diffs {
                    if let Difference::Rerun {
                        file,
                        at,
                        pack,
                        rerun,
                    } = d
                    {
                        let _ = writeln!(
                            out,
                            "  {file}: DIFFERS at {at}: pack has {pack}, re-run gives {rerun}"
                        );
                    }
                }
            }
            Rerun::Skipped { reason } => {
                let _ = writeln!(out, "  not re-run: {reason}");
            }
            Rerun::Failed { error } => {
                let _ = writeln!(out, "  the re-run FAILED: {error}");
            }
        }
        let n = self.differences.len()
            + self
                .inputs
                .iter()
                .filter(|i| matches!(i.status, InputStatus::Changed { .. }))
                .count();
        let _ = match self.outcome {
            Outcome::Identical => writeln!(out, "\nresult: IDENTICAL"),
            Outcome::Differs => writeln!(out, "\nresult: DIFFERS ({n} difference(s))"),
            Outcome::Incomplete => writeln!(
                out,
                "\nresult: INCOMPLETE: nothing differs so far, but the pack could not be fully verified"
            ),
        };
        out.into_bytes()
    }

    /// The report as pretty-printed JSON.
    pub fn render_json(&self) -> Vec<u8> {
        super::pretty_json(self)
    }
}

/// The first 12 hex digits of a hash: enough to tell two apart by eye.
fn short(sha: &str) -> &str {
    sha.get(..12).unwrap_or(sha)
}

/// Verifies the pack in `dir`. Inputs are looked for at the path recorded
/// in the pack (relative to `dir`), then in `data_dir` by file name. An
/// `Err` means the folder is not a readable pack; every finding about a
/// readable pack is in the report.
pub fn verify(dir: &Path, data_dir: Option<&Path>, scan: &RunOptions<'_>) -> Result<VerifyReport> {
    if !dir.is_dir() {
        return Err(super::pack_error(dir, "no such folder")
            .with_hint("give the folder written by `fairaudit run AUDIT.toml --out PACK`"));
    }
    let (manifest, manifest_bytes) = Manifest::read_with_bytes(dir)?;

    // 1. The pack's files against the manifest.
    let mut differences = Vec::new();
    // Each file is read only as far as its recorded size (the spec, which
    // has none, as far as any spec may be), and only if it is a regular file.
    let mut listed: Vec<(&str, &str, u64)> = vec![(
        &manifest.spec.file,
        &manifest.spec.sha256,
        crate::file::MAX_TEXT_FILE,
    )];
    listed.extend(
        manifest
            .outputs
            .iter()
            .map(|o| (o.file.as_str(), o.sha256.as_str(), o.bytes)),
    );
    let mut on_disk: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    for (file, sha, limit) in &listed {
        let path = dir.join(file);
        if !path.exists() && path.symlink_metadata().is_err() {
            differences.push(Difference::MissingFile {
                file: file.to_string(),
            });
            continue;
        }
        match crate::file::read_prefix(&path, *limit) {
            Ok(bytes) => {
                let actual = sha256_hex(&bytes);
                if actual != *sha {
                    differences.push(Difference::Altered {
                        file: file.to_string(),
                        expected_sha256: sha.to_string(),
                        actual_sha256: actual,
                    });
                }
                on_disk.insert(file.to_string(), bytes);
            }
            Err(e) => return Err(e),
        }
    }
    on_disk.insert(MANIFEST_FILE.to_string(), manifest_bytes);
    let known: BTreeSet<&str> = listed
        .iter()
        .map(|(f, _, _)| *f)
        .chain([MANIFEST_FILE])
        .collect();
    let mut unlisted = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if !known.contains(name.as_str()) {
            unlisted.push(name);
        }
    }
    unlisted.sort();
    differences.extend(
        unlisted
            .into_iter()
            .map(|file| Difference::UnlistedFile { file }),
    );

    // 2. The inputs against their recorded hashes.
    let mut inputs = Vec::new();
    for entry in &manifest.inputs {
        inputs.push(check_input(dir, data_dir, entry)?);
    }

    // 3. The re-run, when every input is at hand.
    let missing: Vec<&str> = inputs
        .iter()
        .filter(|i| i.found.is_none())
        .map(|i| i.recorded.path.as_str())
        .collect();
    let rerun = if missing.is_empty() {
        match rerun(dir, data_dir, &manifest, &inputs, scan) {
            Ok(files) => {
                for (file, bytes) in files {
                    match on_disk.get(&file) {
                        Some(pack) if *pack == bytes => {}
                        Some(pack) => {
                            let (at, pack, rerun) = first_difference(&file, pack, &bytes);
                            differences.push(Difference::Rerun {
                                file,
                                at,
                                pack,
                                rerun,
                            });
                        }
                        // A listed file that is missing is reported above.
                        None if known.contains(file.as_str()) => {}
                        None => differences.push(Difference::Rerun {
                            file,
                            at: "the whole file".to_string(),
                            pack: "no such file".to_string(),
                            rerun: format!("{} bytes", count(bytes.len() as u64)),
                        }),
                    }
                }
                Rerun::Done
            }
            Err(e) => Rerun::Failed {
                error: e.to_string(),
            },
        }
    } else {
        Rerun::Skipped {
            reason: format!("input(s) missing: {}", missing.join(", ")),
        }
    };
    let mut report = VerifyReport {
        pack: dir.to_path_buf(),
        written_by: manifest.tool.clone(),
        outcome: Outcome::Incomplete,
        inputs,
        files_checked: listed.len(),
        differences,
        rerun,
    };
    report.outcome = report.judge();
    Ok(report)
}

/// Looks for an input at its recorded path (relative to the pack, where it
/// was when the pack was written), then beside the pack, then in the data
/// folder, by file name.
fn locate(
    dir: &Path,
    data_dir: Option<&Path>,
    path: &str,
) -> (Option<(PathBuf, Located)>, Vec<PathBuf>) {
    let recorded = dir.join(path);
    let mut looked_at = vec![recorded.clone()];
    if recorded.is_file() {
        return (Some((recorded, Located::Recorded)), looked_at);
    }
    let beside = dir.join(file_name(path));
    if beside != recorded {
        if beside.is_file() {
            return (Some((beside, Located::BesidePack)), looked_at);
        }
        looked_at.push(beside);
    }
    if let Some(data) = data_dir {
        let p = data.join(file_name(path));
        if p.is_file() {
            return (Some((p, Located::DataDir)), looked_at);
        }
        looked_at.push(p);
    }
    (None, looked_at)
}

fn check_input(dir: &Path, data_dir: Option<&Path>, entry: &InputEntry) -> Result<InputCheck> {
    let (found, looked_at) = locate(dir, data_dir, &entry.path);
    let status = match &found {
        None => InputStatus::Missing { looked_at },
        Some((p, _)) => {
            let (bytes, sha256) = hash_file(p)?;
            if bytes == entry.bytes && sha256 == entry.sha256 {
                InputStatus::Same
            } else {
                InputStatus::Changed { bytes, sha256 }
            }
        }
    };
    Ok(InputCheck {
        recorded: entry.clone(),
        found,
        status,
    })
}

/// Re-runs the audit from the pack's `audit.toml` with the inputs found,
/// and renders every file of the pack, the manifest included.
fn rerun(
    dir: &Path,
    data_dir: Option<&Path>,
    manifest: &Manifest,
    inputs: &[InputCheck],
    scan: &RunOptions<'_>,
) -> Result<Vec<(String, Vec<u8>)>> {
    let spec = AuditSpec::from_file(&dir.join(SPEC_FILE))?;
    let valid = Plan::check(&spec, dir)?;
    let mut entries = Vec::new();
    let mut paths = Vec::new();
    for input in valid.inputs() {
        // Inputs the manifest records were hashed above; one that only the
        // spec names (a hand-edited spec) is looked for the same way.
        let checked = inputs.iter().find(|i| i.recorded.path == input.display);
        let entry = match checked {
            Some(InputCheck {
                found: Some((p, _)),
                status,
                recorded,
            }) => {
                paths.push(p.clone());
                let (bytes, sha256) = match status {
                    InputStatus::Changed { bytes, sha256 } => (*bytes, sha256.clone()),
                    _ => (recorded.bytes, recorded.sha256.clone()),
                };
                InputEntry {
                    bytes,
                    sha256,
                    ..recorded.clone()
                }
            }
            _ => {
                let (found, _) = locate(dir, data_dir, &input.display);
                let (p, _) = found.ok_or_else(|| {
                    super::pack_error(
                        &dir.join(SPEC_FILE),
                        format!(
                            "names the input `{}`, which the manifest does not record and which was not found",
                            input.display
                        ),
                    )
                })?;
                let (bytes, sha256) = hash_file(&p)?;
                paths.push(p);
                InputEntry {
                    path: input.display.clone(),
                    file: file_name(&input.display),
                    bytes,
                    sha256,
                }
            }
        };
        entries.push(entry);
    }
    let valid = valid.reading_inputs_from(paths);
    let results = crate::audit(&valid, scan)?;
    let files = render_files(&valid, &results)?;
    let again = Manifest::build(&valid, entries, &results, &files, manifest.created.clone());
    let mut out: Vec<(String, Vec<u8>)> = files
        .into_iter()
        .map(|f| (f.name.to_string(), f.bytes))
        .collect();
    out.push((MANIFEST_FILE.to_string(), again.render()));
    Ok(out)
}

/// Where two versions of a file first differ, and what each holds there:
/// a path into the JSON for `.json` files, else a line number.
fn first_difference(file: &str, pack: &[u8], rerun: &[u8]) -> (String, String, String) {
    if file.ends_with(".json")
        && let (Ok(a), Ok(b)) = (
            serde_json::from_slice::<Value>(pack),
            serde_json::from_slice::<Value>(rerun),
        )
        && let Some((path, a, b)) = first_json_difference(&a, &b, String::new())
    {
        return (path, a, b);
    }
    let a = String::from_utf8_lossy(pack);
    let b = String::from_utf8_lossy(rerun);
    let (mut la, mut lb) = (a.lines(), b.lines());
    let mut line = 1;
    loop {
        match (la.next(), lb.next()) {
            (Some(x), Some(y)) if x == y => line += 1,
            (x, y) => {
                let show = |l: Option<&str>| match l {
                    Some(l) => format!("{:?}", clip(l)),
                    None => "end of file".to_string(),
                };
                return (format!("line {line}"), show(x), show(y));
            }
        }
    }
}

fn clip(s: &str) -> String {
    const MAX: usize = 100;
    if s.chars().count() <= MAX {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(MAX).collect::<String>())
    }
}

/// The key an array element is known by: its `name`, `label` or `file`
/// member (groupings, groups, manifest entries).
pub(crate) fn element_key(v: &Value) -> Option<&str> {
    ["name", "label", "file"]
        .iter()
        .find_map(|k| v.get(k))
        .and_then(Value::as_str)
}

/// Pairs the elements of two arrays: by [`element_key`] when every element
/// has a distinct one (so that an inserted group does not shift the rest),
/// else by position. Each pair is (path segment, element of a, of b).
pub(crate) fn pair_elements<'v>(
    a: &'v [Value],
    b: &'v [Value],
) -> Vec<(String, Option<&'v Value>, Option<&'v Value>)> {
    let keys = |xs: &'v [Value]| -> Option<Vec<&'v str>> {
        let ks: Option<Vec<&str>> = xs.iter().map(element_key).collect();
        ks.filter(|ks| ks.iter().collect::<BTreeSet<_>>().len() == ks.len())
    };
    if let (Some(ka), Some(kb)) = (keys(a), keys(b)) {
        let mut out: Vec<_> = ka
            .iter()
            .zip(a)
            .map(|(k, x)| {
                let y = kb.iter().position(|kk| kk == k).map(|j| &b[j]);
                (format!("[{k}]"), Some(x), y)
            })
            .collect();
        out.extend(
            kb.iter()
                .zip(b)
                .filter(|(k, _)| !ka.contains(k))
                .map(|(k, y)| (format!("[{k}]"), None, Some(y))),
        );
        return out;
    }
    (0..a.len().max(b.len()))
        .map(|i| (format!("[{i}]"), a.get(i), b.get(i)))
        .collect()
}

/// The first place two JSON documents differ, with the two values there
/// (as compact JSON, `absent` where one side has nothing).
pub(crate) fn first_json_difference(
    a: &Value,
    b: &Value,
    path: String,
) -> Option<(String, String, String)> {
    if a == b {
        return None;
    }
    let show = |v: Option<&Value>| v.map_or_else(|| "absent".to_string(), |v| clip(&v.to_string()));
    let join = |seg: &str| {
        if seg.starts_with('[') || path.is_empty() {
            format!("{path}{seg}")
        } else {
            format!("{path}.{seg}")
        }
    };
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let keys: BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            for k in keys {
                match (x.get(k), y.get(k)) {
                    (Some(u), Some(v)) => {
                        if let Some(d) = first_json_difference(u, v, join(k)) {
                            return Some(d);
                        }
                    }
                    (u, v) => return Some((join(k), show(u), show(v))),
                }
            }
            None
        }
        (Value::Array(x), Value::Array(y)) => {
            for (seg, u, v) in pair_elements(x, y) {
                match (u, v) {
                    (Some(u), Some(v)) => {
                        if let Some(d) = first_json_difference(u, v, join(&seg)) {
                            return Some(d);
                        }
                    }
                    (u, v) => return Some((join(&seg), show(u), show(v))),
                }
            }
            None
        }
        _ => Some((
            if path.is_empty() {
                "the top level".to_string()
            } else {
                path
            },
            show(Some(a)),
            show(Some(b)),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn json_differences_are_named_by_group() {
        let a = json!({"groupings": [{"name": "race", "groups": [
            {"label": "A", "metrics": {"fpr": {"value": 0.25}}},
            {"label": "B", "metrics": {"fpr": {"value": 0.5}}}]}]});
        let mut b = a.clone();
        b["groupings"][0]["groups"][1]["metrics"]["fpr"]["value"] = json!(0.75);
        let (path, x, y) = first_json_difference(&a, &b, String::new()).unwrap();
        assert_eq!(path, "groupings[race].groups[B].metrics.fpr.value");
        assert_eq!((x.as_str(), y.as_str()), ("0.5", "0.75"));
        assert_eq!(first_json_difference(&a, &a, String::new()), None);
    }

    #[test]
    fn text_differences_are_named_by_line() {
        let (at, a, b) = first_difference("m.csv", b"x\ny\nz\n", b"x\ny\nw\n");
        assert_eq!(
            (at.as_str(), a.as_str(), b.as_str()),
            ("line 3", "\"z\"", "\"w\"")
        );
        let (at, _, b) = first_difference("m.csv", b"x\n", b"x\ny\n");
        assert_eq!((at.as_str(), b.as_str()), ("line 2", "\"y\""));
    }
}
