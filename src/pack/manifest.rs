//! `manifest.json`: what a pack was computed from and what it holds, with
//! the SHA-256 of every file, so that a reader can check both.

use std::io::Read;
use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::pack::{
    FORMAT, FORMAT_VERSION, MANIFEST_FILE, PackFile, SPEC_FILE, pack_error, pretty_json,
};
use crate::plan::Plan;
use crate::results::{Results, ToolInfo};

/// The manifest of a pack. See the [module docs](crate::pack) for the
/// format. Unknown members are ignored when reading, so that a newer
/// writer's additions do not stop an older reader.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// `fairaudit-pack`.
    pub format: String,
    /// [`FORMAT_VERSION`].
    pub format_version: u32,
    /// The tool that wrote the pack.
    pub tool: ToolInfo,
    /// The pack's `audit.toml`.
    pub spec: SpecEntry,
    /// The audit's master seed.
    pub seed: Option<u64>,
    /// The input files, in spec order.
    pub inputs: Vec<InputEntry>,
    /// Where the rows went.
    pub rows: RowCounts,
    /// Every other file of the pack, sorted by name.
    pub outputs: Vec<OutputEntry>,
    /// When the pack was made, only if the writer was given
    /// `SOURCE_DATE_EPOCH` (never the clock: that would break
    /// reproducibility).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<Created>,
}

/// The spec file and its hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpecEntry {
    /// `audit.toml`.
    pub file: String,
    /// Its SHA-256.
    pub sha256: String,
}

/// One input file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputEntry {
    /// The path as written in the pack's `audit.toml` (relative to the pack).
    pub path: String,
    /// The file name, where `verify --data DIR` looks for the file.
    pub file: String,
    /// Its size in bytes.
    pub bytes: u64,
    /// Its SHA-256.
    pub sha256: String,
}

/// The row accounting, as in `results.json`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowCounts {
    /// Rows read.
    pub read: u64,
    /// Rows removed by the cohort filters.
    pub filtered_out: u64,
    /// Rows rejected as invalid.
    pub rejected: u64,
    /// Rows used.
    pub used: u64,
}

/// One output file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutputEntry {
    /// Its name in the pack.
    pub file: String,
    /// Its size in bytes.
    pub bytes: u64,
    /// Its SHA-256.
    pub sha256: String,
}

/// A creation time taken from `SOURCE_DATE_EPOCH`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Created {
    /// Seconds since 1970-01-01 00:00:00 UTC, as given.
    pub source_date_epoch: u64,
    /// The same instant as an ISO 8601 UTC date and time.
    pub utc: String,
}

impl Created {
    /// The creation record for `SOURCE_DATE_EPOCH` = `epoch`.
    pub fn from_epoch(epoch: u64) -> Created {
        Created {
            source_date_epoch: epoch,
            utc: iso_utc(epoch),
        }
    }
}

impl Manifest {
    /// The manifest of a pack with these files (spec first), inputs and
    /// results.
    pub(crate) fn build(
        spec: &Plan,
        inputs: Vec<InputEntry>,
        results: &Results,
        files: &[PackFile],
        created: Option<Created>,
    ) -> Manifest {
        let mut spec_entry = SpecEntry {
            file: SPEC_FILE.to_string(),
            sha256: String::new(),
        };
        let mut outputs = Vec::new();
        for f in files {
            if f.name == SPEC_FILE {
                spec_entry.sha256 = sha256_hex(&f.bytes);
            } else {
                outputs.push(OutputEntry {
                    file: f.name.to_string(),
                    bytes: f.bytes.len() as u64,
                    sha256: sha256_hex(&f.bytes),
                });
            }
        }
        outputs.sort_by(|a, b| a.file.cmp(&b.file));
        Manifest {
            format: FORMAT.to_string(),
            format_version: FORMAT_VERSION,
            tool: ToolInfo {
                name: env!("CARGO_PKG_NAME").to_string(),
                version: env!("CARGO_PKG_VERSION").to_string(),
            },
            spec: spec_entry,
            seed: spec.seed(),
            inputs,
            rows: RowCounts {
                read: results.rows.read,
                filtered_out: results.rows.filtered_out,
                rejected: results.rows.rejected,
                used: results.rows.used,
            },
            outputs,
            created,
        }
    }

    /// The manifest as pretty-printed JSON bytes, ending with a newline.
    pub fn render(&self) -> Vec<u8> {
        pretty_json(self)
    }

    /// Reads a manifest, checking that it is a pack manifest of a version
    /// this tool understands. `path` names the file in errors.
    pub fn parse(bytes: &[u8], path: &Path) -> Result<Manifest> {
        let value: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| {
            pack_error(path, format!("not valid JSON ({e})"))
                .with_hint("the manifest is damaged; restore the pack from its source")
        })?;
        if value.get("format").and_then(|f| f.as_str()) != Some(FORMAT) {
            return Err(pack_error(
                path,
                format!("not a fairaudit pack manifest (`format` is not \"{FORMAT}\")"),
            ));
        }
        let version = value.get("format_version").and_then(|v| v.as_u64());
        if version != Some(u64::from(FORMAT_VERSION)) {
            return Err(pack_error(
                path,
                format!(
                    "pack format version {} is not supported (this tool reads version {FORMAT_VERSION})",
                    version.map_or_else(|| "(none)".to_string(), |v| v.to_string())
                ),
            )
            .with_hint("use the fairaudit version named in the manifest's `tool`"));
        }
        serde_json::from_value(value).map_err(|e| {
            pack_error(path, format!("malformed manifest: {e}"))
                .with_hint("the manifest is damaged; restore the pack from its source")
        })
    }

    /// Reads the manifest of the pack in `dir`.
    pub fn read(dir: &Path) -> Result<Manifest> {
        Manifest::read_with_bytes(dir).map(|(m, _)| m)
    }

    /// Reads the manifest of the pack in `dir`, and its bytes.
    pub(crate) fn read_with_bytes(dir: &Path) -> Result<(Manifest, Vec<u8>)> {
        let path = dir.join(MANIFEST_FILE);
        if path.symlink_metadata().is_err() {
            return Err(
                pack_error(&path, "no manifest: this folder is not an audit pack")
                    .with_hint("give the folder written by `fairaudit run AUDIT.toml --out PACK`"),
            );
        }
        let bytes = crate::file::read_prefix(&path, crate::file::MAX_TEXT_FILE)?;
        if bytes.len() as u64 > crate::file::MAX_TEXT_FILE {
            return Err(
                pack_error(&path, "the manifest is far larger than any manifest can be")
                    .with_hint("the pack is damaged; restore it from its source"),
            );
        }
        Ok((Manifest::parse(&bytes, &path)?, bytes))
    }
}

/// Lowercase hexadecimal SHA-256 of `bytes`.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// The size and SHA-256 of a file, read in blocks so that a large input is
/// never held in memory.
pub(crate) fn hash_file(path: &Path) -> Result<(u64, String)> {
    let mut file = crate::file::open_regular(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut size = 0u64;
    loop {
        let n = file.read(&mut buf).map_err(|e| Error::io(path, e))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        size += n as u64;
    }
    Ok((size, hex(&hasher.finalize())))
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 15)]));
    }
    s
}

/// `epoch` (seconds since 1970 UTC) as `YYYY-MM-DDTHH:MM:SSZ`, by the
/// days-to-civil algorithm of Howard Hinnant's `chrono`-compatible date
/// library, so that no time-zone database is involved.
fn iso_utc(epoch: u64) -> String {
    let days = (epoch / 86_400) as i64;
    let secs = epoch % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epochs_become_utc_dates() {
        assert_eq!(iso_utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(iso_utc(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(iso_utc(1_700_000_000), "2023-11-14T22:13:20Z");
        assert_eq!(iso_utc(4_107_542_399), "2100-02-28T23:59:59Z");
    }

    #[test]
    fn hashes_are_lowercase_hex() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn foreign_and_future_manifests_are_refused() {
        let p = Path::new("m.json");
        let e = Manifest::parse(b"{\"format\": \"other\"}", p).unwrap_err();
        assert!(
            e.to_string().contains("not a fairaudit pack manifest"),
            "{e}"
        );
        let e = Manifest::parse(
            b"{\"format\": \"fairaudit-pack\", \"format_version\": 99}",
            p,
        )
        .unwrap_err();
        assert!(e.to_string().contains("version 99 is not supported"), "{e}");
        let e = Manifest::parse(b"{\"format\": ", p).unwrap_err();
        assert!(e.to_string().starts_with("m.json: not valid JSON"), "{e}");
    }
}
