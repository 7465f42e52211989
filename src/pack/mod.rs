//! Audit packs: a folder that holds everything a committee reads and a
//! researcher needs to re-run an audit, with proof of what it was computed
//! from.
//!
//! * [`write()`] renders every file to bytes, hashes the bytes, writes them
//!   into a temporary sibling folder and renames it into place, so that a
//!   failed or interrupted run leaves no pack and no partial files;
//! * [`verify()`] checks a pack against its manifest (tampering), checks the
//!   inputs against their recorded hashes, re-runs the audit from the pack's
//!   own `audit.toml` and compares every file byte for byte;
//! * [`diff()`] compares two packs metric by metric.
//!
//! The pack layer sees specs and results only through their rendered bytes
//! (and, where it compares, through `serde_json::Value`), so fields added to
//! [`Results`] flow into packs, verification and diffs without changes here.
//!
//! # Format (version 1)
//!
//! | file | what it holds |
//! |---|---|
//! | `audit.toml` | the audit specification, normalised, with input paths relative to the pack folder |
//! | `results.json` | the results; schema in the crate docs (`schema_version`) |
//! | `metrics.csv` | tidy: one row per grouping × group × metric |
//! | `disparities.csv` | tidy: one row per grouping × group × metric against the reference group |
//! | `report.md` | a readable summary for committee papers |
//! | `report.html` | the same report as one self-contained web page, with SVG charts; works offline |
//! | `manifest.json` | tool, spec hash, seed, inputs with size and SHA-256, row accounting, every output with size and SHA-256 |
//!
//! `manifest.json` is an object with these members, in this order:
//!
//! * `format` — `"fairaudit-pack"`; `format_version` — [`FORMAT_VERSION`];
//! * `tool` — `{name, version}` of the tool that wrote the pack;
//! * `spec` — `{file: "audit.toml", sha256}`;
//! * `seed` — the audit's master seed, or `null`;
//! * `inputs` — `[{path, file, bytes, sha256}]` in spec order: `path` as
//!   written in the pack's `audit.toml` (relative to the pack folder),
//!   `file` its file name (where `verify --data DIR` looks for it);
//! * `rows` — `{read, filtered_out, rejected, used}`;
//! * `outputs` — `[{file, bytes, sha256}]`, sorted by file name: every file
//!   of the pack except `audit.toml` (hashed under `spec`) and the manifest
//!   itself;
//! * `created` — present only when the writer was given a
//!   `SOURCE_DATE_EPOCH`: `{source_date_epoch, utc}`.
//!
//! Hashes are lowercase hexadecimal SHA-256 of the exact bytes.
//!
//! # Determinism
//!
//! No file of a pack holds a wall-clock time, a host or user name, an
//! absolute path or a thread count, so the same inputs and spec give the same
//! bytes on any machine and with any number of threads. Input paths are
//! written relative to the pack folder when the pack and the input share a
//! folder below the file-system root (so that a pack and its data can move
//! together); otherwise only the file name is written, and `verify` finds the
//! file with `--data DIR`. A creation time appears only if the caller passes
//! `SOURCE_DATE_EPOCH`, and only in the manifest.
//!
//! # Verification outcomes
//!
//! [`VerifyReport::outcome`] is [`Outcome::Identical`] when every hash
//! matches and the re-run gives the same bytes; [`Outcome::Differs`] when a
//! file was altered, an input's hash differs, or the re-run differs; and
//! [`Outcome::Incomplete`] when nothing was found to differ but the check
//! could not be completed (an input is missing, or the re-run failed). The
//! command line maps them to exit codes 0, 1 and 2.

mod diff;
mod manifest;
mod verify;
mod write;

use std::path::Path;

use crate::error::Error;
use crate::plan::Plan;
use crate::report;
use crate::results::Results;

pub use diff::{
    Assessment, DiffReport, DisparityChange, GroupPresence, MetricChange, PackSummary,
    VerdictChange, diff,
};
pub use manifest::{Created, InputEntry, Manifest, OutputEntry, RowCounts, SpecEntry};
pub use verify::{
    Difference, InputCheck, InputStatus, Located, Outcome, Rerun, VerifyReport, verify,
};
pub use write::{WriteOptions, check_destination, relocate, run, write};

/// The value of `format` in `manifest.json`.
pub const FORMAT: &str = "fairaudit-pack";

/// The version of the pack format. Bumped when a file is added, removed or
/// changes meaning; fields added to the manifest within a version are
/// ignored by older readers.
pub const FORMAT_VERSION: u32 = 1;

/// The manifest's file name.
pub const MANIFEST_FILE: &str = "manifest.json";

/// The spec's file name.
pub const SPEC_FILE: &str = "audit.toml";

/// The results' file name.
pub const RESULTS_FILE: &str = "results.json";

/// A file of the pack: its name and its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PackFile {
    pub name: &'static str,
    pub bytes: Vec<u8>,
}

/// The first lines of the pack's `audit.toml`, which say where it came from
/// and how its paths read. Fixed text, so that the file stays deterministic.
const SPEC_HEADER: &str = "\
# The audit specification of this pack, normalised by fairaudit.
# Input paths are relative to this folder; `fairaudit verify` re-runs it.

";

/// Every file of a pack except the manifest, in the order they are written:
/// the spec first, then the outputs sorted by name.
pub(crate) fn render_files(spec: &Plan, results: &Results) -> crate::error::Result<Vec<PackFile>> {
    let mut toml = SPEC_HEADER.as_bytes().to_vec();
    toml.extend_from_slice(spec.source().to_toml()?.as_bytes());
    let mut outputs = vec![
        PackFile {
            name: "disparities.csv",
            bytes: report::csv::disparities(results)?,
        },
        PackFile {
            name: "metrics.csv",
            bytes: report::csv::metrics(results)?,
        },
        PackFile {
            name: "report.html",
            bytes: report::html::render(results),
        },
        PackFile {
            name: "report.md",
            bytes: report::markdown::render(results),
        },
        PackFile {
            name: RESULTS_FILE,
            bytes: report::json::render(results),
        },
    ];
    outputs.sort_by_key(|f| f.name);
    let mut files = vec![PackFile {
        name: SPEC_FILE,
        bytes: toml,
    }];
    files.extend(outputs);
    Ok(files)
}

/// `value` as pretty-printed JSON ending with a newline, as every JSON file
/// and report of a pack is written.
fn pretty_json<T: serde::Serialize>(value: &T) -> Vec<u8> {
    // Plain structs of strings, integers and finite numbers cannot fail to
    // serialise.
    let mut out = serde_json::to_vec_pretty(value).unwrap_or_default();
    out.push(b'\n');
    out
}

/// An error about a pack (or a path given for one).
fn pack_error(path: &Path, message: impl Into<String>) -> Error {
    Error::pack(path, message)
}
