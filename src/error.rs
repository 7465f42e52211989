//! Errors with a kind and a position.
//!
//! Every error the library returns names *where* the problem is (a file, a row
//! and a column, or a key of the audit specification, or a command-line flag)
//! and *what to do about it*. The message templates live here, in one place,
//! so that tests can assert on them and so that the wording stays consistent
//! across the scan, the spec checker and the pack writer.

use std::fmt;
use std::path::{Path, PathBuf};

/// What went wrong, broadly. Callers match on this (the binary maps every
/// kind to exit code 2); new kinds may be added.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A file could not be read or written.
    Io,
    /// The audit specification is malformed or inconsistent.
    Spec,
    /// A command-line flag is malformed or inconsistent.
    Usage,
    /// The input data is malformed: a missing or ambiguous column, an
    /// unparseable value, an empty file.
    Input,
    /// An audit pack is malformed, or a pack operation could not proceed.
    Pack,
}

/// Where a problem is. Every field is optional; `Display` prints those set.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Position {
    /// The file concerned.
    pub file: Option<PathBuf>,
    /// The 1-based line (CSV) or row (Parquet, Arrow) of the file.
    pub row: Option<u64>,
    /// The column name as the user wrote it.
    pub column: Option<String>,
    /// The key of the audit specification (e.g. `attributes[1].reference`)
    /// or the command-line flag (e.g. `--threshold`).
    pub key: Option<String>,
}

impl Position {
    /// A position in a file.
    pub fn file(path: &Path) -> Position {
        Position {
            file: Some(path.to_path_buf()),
            ..Position::default()
        }
    }

    /// A position at a key of the specification (or a flag).
    pub fn key(key: impl Into<String>) -> Position {
        Position {
            key: Some(key.into()),
            ..Position::default()
        }
    }

    /// This position with a row set.
    pub fn with_row(mut self, row: u64) -> Position {
        self.row = Some(row);
        self
    }

    /// This position with a column set.
    pub fn with_column(mut self, column: impl Into<String>) -> Position {
        self.column = Some(column.into());
        self
    }

    /// This position with a key set.
    pub fn with_key(mut self, key: impl Into<String>) -> Position {
        self.key = Some(key.into());
        self
    }

    fn is_empty(&self) -> bool {
        self.file.is_none() && self.row.is_none() && self.column.is_none() && self.key.is_none()
    }
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts: Vec<String> = Vec::new();
        if let Some(file) = &self.file {
            parts.push(file.display().to_string());
        }
        if let Some(row) = self.row {
            parts.push(format!("row {row}"));
        }
        if let Some(column) = &self.column {
            parts.push(format!("column `{column}`"));
        }
        if let Some(key) = &self.key {
            parts.push(format!("`{key}`"));
        }
        write!(f, "{}", parts.join(", "))
    }
}

/// The library's error: a kind, a position, what is wrong and what to do.
/// Boxed, so that `Result<T>` stays one pointer wide on the happy path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error(Box<Inner>);

#[derive(Debug, Clone, PartialEq, Eq)]
struct Inner {
    kind: ErrorKind,
    position: Position,
    message: String,
    hint: Option<String>,
}

/// The library's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// A new error; prefer the named constructors below, which keep the
    /// wording in one place.
    pub fn new(kind: ErrorKind, position: Position, message: impl Into<String>) -> Error {
        Error(Box::new(Inner {
            kind,
            position,
            message: message.into(),
            hint: None,
        }))
    }

    /// The same error with a hint on what to do.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Error {
        self.0.hint = Some(hint.into());
        self
    }

    /// The same error with the file set, where it had none.
    pub fn in_file(mut self, path: &Path) -> Error {
        if self.0.position.file.is_none() {
            self.0.position.file = Some(path.to_path_buf());
        }
        self
    }

    /// The same error with the key prefixed, e.g. `attributes[0]` + `.reference`.
    pub fn at_key(mut self, key: impl Into<String>) -> Error {
        self.0.position.key = Some(key.into());
        self
    }

    /// What kind of error this is.
    pub fn kind(&self) -> ErrorKind {
        self.0.kind
    }

    /// Where the problem is.
    pub fn position(&self) -> &Position {
        &self.0.position
    }

    /// What is wrong, without the position.
    pub fn message(&self) -> &str {
        &self.0.message
    }

    /// What to do about it, if the library knows.
    pub fn hint(&self) -> Option<&str> {
        self.0.hint.as_deref()
    }

    // ---- message templates -------------------------------------------------

    /// A file could not be opened or read.
    pub fn io(path: &Path, err: &std::io::Error) -> Error {
        let what = match err.kind() {
            std::io::ErrorKind::NotFound => "file not found".to_string(),
            std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
            _ => err.to_string(),
        };
        Error::new(ErrorKind::Io, Position::file(path), what).with_hint(
            "check the path (relative paths in a spec resolve against the spec's folder)",
        )
    }

    /// A file could not be written.
    pub fn write(path: &Path, err: &std::io::Error) -> Error {
        Error::new(
            ErrorKind::Io,
            Position::file(path),
            format!("could not write: {err}"),
        )
    }

    /// An output could not be made (a serialisation failed): never written
    /// as empty bytes instead.
    pub fn output(what: &str, message: impl Into<String>) -> Error {
        Error::new(
            ErrorKind::Io,
            Position::default(),
            format!("could not produce {what}: {}", message.into()),
        )
    }

    /// A spec key holds a bad value.
    pub fn spec(key: impl Into<String>, message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Spec, Position::key(key), message)
    }

    /// A command-line flag holds a bad value.
    pub fn usage(flag: impl Into<String>, message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Usage, Position::key(flag), message)
    }

    /// The input is malformed at a position.
    pub fn input(position: Position, message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Input, position, message)
    }

    /// A referenced column does not exist; suggests the nearest names.
    pub fn unknown_column(file: &Path, column: &str, key: &str, header: &[String]) -> Error {
        let near = nearest_names(column, header, 3);
        let hint = if near.is_empty() {
            format!(
                "the file's columns are: {}",
                header
                    .iter()
                    .take(20)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        } else {
            format!(
                "did you mean {}?",
                near.iter()
                    .map(|n| format!("`{n}`"))
                    .collect::<Vec<_>>()
                    .join(" or ")
            )
        };
        Error::input(
            Position::file(file).with_column(column).with_key(key),
            format!("no column named `{column}` in the file's header"),
        )
        .with_hint(hint)
    }

    /// A referenced column name occurs more than once in the header.
    pub fn ambiguous_column(file: &Path, column: &str, key: &str, positions: &[usize]) -> Error {
        let at = positions
            .iter()
            .map(|p| (p + 1).to_string())
            .collect::<Vec<_>>()
            .join(" and ");
        let picks = (1..=positions.len())
            .map(|i| format!("`{column}#{i}`"))
            .collect::<Vec<_>>()
            .join(" or ");
        Error::input(
            Position::file(file).with_column(column).with_key(key),
            format!(
                "column name `{column}` is ambiguous: the header has it {} times (columns {at})",
                positions.len()
            ),
        )
        .with_hint(format!(
            "pick one occurrence by writing {picks} (1-based, in header order)"
        ))
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let e = &self.0;
        if e.position.is_empty() {
            write!(f, "{}", e.message)?;
        } else {
            write!(f, "{}: {}", e.position, e.message)?;
        }
        if let Some(hint) = &e.hint {
            write!(f, "\n  hint: {hint}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

/// Up to `k` names from `candidates` closest to `name` (edit distance, case
/// folded), for "did you mean" hints. Only names within a plausible distance
/// are returned.
pub fn nearest_names(name: &str, candidates: &[String], k: usize) -> Vec<String> {
    let target = name.to_lowercase();
    let mut scored: Vec<(usize, &String)> = candidates
        .iter()
        .map(|c| (edit_distance(&target, &c.to_lowercase()), c))
        .filter(|(d, c)| *d <= (c.chars().count().max(target.chars().count()) / 2).max(2))
        .collect();
    scored.sort();
    scored.dedup_by(|a, b| a.1 == b.1);
    scored.into_iter().take(k).map(|(_, c)| c.clone()).collect()
}

/// Levenshtein distance over chars.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        cur[0] = i;
        for j in 1..=b.len() {
            let sub = prev[j - 1] + usize::from(a[i - 1] != b[j - 1]);
            cur[j] = sub.min(prev[j] + 1).min(cur[j - 1] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_near_names() {
        let header: Vec<String> = ["race", "sex", "age_cat", "two_year_recid"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(nearest_names("rase", &header, 3), vec!["race"]);
        assert_eq!(
            nearest_names("two_yr_recid", &header, 3),
            vec!["two_year_recid"]
        );
        assert!(nearest_names("zzzzzzzz", &header, 3).is_empty());
    }

    #[test]
    fn display_names_position_and_hint() {
        let e = Error::ambiguous_column(
            Path::new("a.csv"),
            "decile_score",
            "prediction.score",
            &[11, 39],
        );
        let s = e.to_string();
        assert!(s.starts_with("a.csv, column `decile_score`, `prediction.score`: column name `decile_score` is ambiguous"), "{s}");
        assert!(s.contains("columns 12 and 40"), "{s}");
        assert!(s.contains("`decile_score#1` or `decile_score#2`"), "{s}");
    }
}
