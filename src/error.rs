//! Errors as data: what went wrong, where, and what to do about it.
//!
//! An [`Error`] is one of the [`ErrorKind`] variants, each carrying its
//! position (a file, a row and a column; or a key of the audit
//! specification; or a command-line flag) and, for I/O, the source
//! [`std::io::Error`]. All the text is written in one place, the `Display`
//! of [`ErrorKind`], so that tests can assert on it and the wording stays
//! consistent across the scan, the spec checker and the pack writer (the
//! `csv` crate's `error.rs` is the model).
//!
//! Hints name spec keys as data (`{key:truth.positive}`, `{set:input.on_invalid="reject"}`),
//! so that a command that builds its spec from flags can show the flags the
//! user typed instead ([`Error::naming`]), without rewriting any text.

use std::fmt;
use std::path::{Path, PathBuf};

/// Where a problem is. Every field is optional; `Display` prints those set.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Position {
    /// The file concerned.
    pub file: Option<PathBuf>,
    /// The 1-based line (CSV, TOML) or row (Parquet, Arrow) of the file.
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

    fn write(&self, f: &mut fmt::Formatter<'_>, naming: &Naming) -> fmt::Result {
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
            parts.push(format!("`{}`", naming.key(key)));
        }
        write!(f, "{}", parts.join(", "))
    }
}

/// What went wrong, with the data to say where and why. New variants may
/// be added.
#[derive(Debug)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A file could not be read.
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
        /// What to do, beyond the default advice.
        hint: Option<Hint>,
    },
    /// A file could not be written.
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
        /// What to do.
        hint: Option<Hint>,
    },
    /// A path names something that is not a regular file (a directory, a
    /// FIFO, a device), which fairaudit does not read.
    NotAFile {
        /// The path.
        path: PathBuf,
        /// What it is instead, e.g. "a directory".
        what: &'static str,
    },
    /// The audit specification is malformed (TOML syntax, a value of the
    /// wrong type, a missing or unknown key): position is file and line.
    Toml {
        /// The file and line.
        position: Position,
        /// The parser's message.
        message: String,
        /// What to do.
        hint: Option<Hint>,
    },
    /// A key of the audit specification holds a bad value.
    Spec {
        /// The key (position.key), and the file if known.
        position: Position,
        /// What is wrong.
        problem: String,
        /// What to do.
        hint: Option<Hint>,
    },
    /// A command-line flag (or environment variable) holds a bad value.
    Usage {
        /// The flag.
        flag: String,
        /// What is wrong.
        problem: String,
        /// What to do.
        hint: Option<Hint>,
    },
    /// The input data is malformed at a position: an unparseable value, an
    /// empty file, a missing or ambiguous column.
    Input {
        /// File, row, column and the spec key concerned.
        position: Position,
        /// What is wrong.
        problem: String,
        /// What to do.
        hint: Option<Hint>,
    },
    /// An audit pack is malformed, or a pack operation could not proceed.
    Pack {
        /// The pack (or the file of it).
        path: PathBuf,
        /// What is wrong.
        problem: String,
        /// What to do.
        hint: Option<Hint>,
    },
    /// An output could not be produced (a serialisation failed). Never
    /// written as empty bytes instead.
    Output {
        /// Which output.
        what: String,
        /// Why.
        problem: String,
    },
}

/// A hint: what to do. Its text may name spec keys as data —
/// `{key:truth.positive}` for a key, `{set:input.on_invalid="reject"}` for a
/// setting — which are written as spec keys (`` `truth.positive` ``,
/// `` `input.on_invalid = "reject"` ``) or, for a command whose spec came
/// from flags, as those flags; `{spec:text}` is shown only with spec keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hint(String);

impl Hint {
    /// The hint with its key references written for `naming`.
    fn render(&self, naming: &Naming) -> String {
        let mut out = String::new();
        let mut rest = self.0.as_str();
        while let Some(at) = rest.find('{') {
            let (before, tail) = rest.split_at(at);
            out.push_str(before);
            let Some(end) = tail.find('}') else {
                out.push_str(tail);
                return out;
            };
            let inner = &tail[1..end];
            match inner.split_once(':') {
                Some(("key", key)) => out.push_str(&format!("`{}`", naming.key(key))),
                Some(("set", setting)) => out.push_str(&naming.setting(setting)),
                Some(("spec", text)) => {
                    if matches!(naming, Naming::Spec) {
                        out.push_str(text);
                    }
                }
                _ => out.push_str(&tail[..=end]),
            }
            rest = &tail[end + 1..];
        }
        out.push_str(rest);
        out
    }
}

impl From<String> for Hint {
    fn from(s: String) -> Hint {
        Hint(s)
    }
}

impl From<&str> for Hint {
    fn from(s: &str) -> Hint {
        Hint(s.to_string())
    }
}

/// How keys are named in messages: as spec keys, or as the command-line
/// flags a spec was built from.
#[derive(Debug, Clone, Copy, Default)]
pub enum Naming {
    /// Spec keys, as in `audit.toml`.
    #[default]
    Spec,
    /// Flags: the spec key (by longest matching prefix) → the flag, and
    /// the setting (`key=value`) → how to pass it.
    Flags(&'static [FlagName]),
}

/// One spec key (or key prefix) and the flag that sets it.
#[derive(Debug, Clone, Copy)]
pub struct FlagName {
    /// The spec key or key prefix, e.g. `prediction.threshold`.
    pub key: &'static str,
    /// The flag, e.g. `--threshold`.
    pub flag: &'static str,
}

impl Naming {
    fn key(&self, key: &str) -> String {
        match self {
            Naming::Spec => key.to_string(),
            Naming::Flags(table) => {
                // `attributes[1].reference` is matched as `attributes.reference`.
                let mut plain = String::with_capacity(key.len());
                let mut depth = 0;
                for c in key.chars() {
                    match c {
                        '[' => depth += 1,
                        ']' => depth -= 1,
                        c if depth == 0 => plain.push(c),
                        _ => {}
                    }
                }
                table
                    .iter()
                    .filter(|f| plain.starts_with(f.key))
                    .max_by_key(|f| f.key.len())
                    .map_or_else(|| key.to_string(), |f| f.flag.to_string())
            }
        }
    }

    fn setting(&self, setting: &str) -> String {
        let (key, value) = setting.split_once('=').unwrap_or((setting, ""));
        match self {
            Naming::Spec => format!("`{key} = {value}`"),
            Naming::Flags(_) => format!(
                "`{} {}`",
                self.key(key),
                value.trim_matches(|c| c == '"' || c == '[' || c == ']')
            ),
        }
    }
}

/// The library's error: one of [`ErrorKind`]. Boxed, so that `Result<T>`
/// stays one pointer wide on the happy path.
#[derive(Debug)]
pub struct Error {
    kind: Box<ErrorKind>,
    naming: Naming,
}

/// The library's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// An error of the given kind.
    pub fn from_kind(kind: ErrorKind) -> Error {
        Error {
            kind: Box::new(kind),
            naming: Naming::Spec,
        }
    }

    /// What went wrong, with its data.
    pub fn kind(&self) -> &ErrorKind {
        &self.kind
    }

    /// The same error, naming keys as `naming` says (e.g. as the flags a
    /// spec was built from).
    pub fn naming(mut self, naming: Naming) -> Error {
        self.naming = naming;
        self
    }

    /// Where the problem is.
    pub fn position(&self) -> Position {
        match &*self.kind {
            ErrorKind::Read { path, .. }
            | ErrorKind::Write { path, .. }
            | ErrorKind::NotAFile { path, .. }
            | ErrorKind::Pack { path, .. } => Position::file(path),
            ErrorKind::Toml { position, .. }
            | ErrorKind::Spec { position, .. }
            | ErrorKind::Input { position, .. } => position.clone(),
            ErrorKind::Usage { flag, .. } => Position::key(flag.clone()),
            ErrorKind::Output { .. } => Position::default(),
        }
    }

    /// What to do about it, if the library knows, with keys named as this
    /// error names them.
    pub fn hint(&self) -> Option<String> {
        match &*self.kind {
            ErrorKind::Toml { hint, .. }
            | ErrorKind::Spec { hint, .. }
            | ErrorKind::Usage { hint, .. }
            | ErrorKind::Input { hint, .. }
            | ErrorKind::Pack { hint, .. }
            | ErrorKind::Write { hint, .. } => hint.as_ref().map(|h| h.render(&self.naming)),
            ErrorKind::Read {
                hint: Some(hint), ..
            } => Some(hint.render(&self.naming)),
            ErrorKind::Read { source, .. } => match source.kind() {
                std::io::ErrorKind::NotFound | std::io::ErrorKind::PermissionDenied => Some(
                    "check the path (relative paths in a spec resolve against the spec's folder)"
                        .to_string(),
                ),
                _ => None,
            },
            ErrorKind::NotAFile { .. } => {
                Some("name a regular file (a FIFO, a device or a folder is not read)".to_string())
            }
            _ => None,
        }
    }

    /// What is wrong, without the position or the hint.
    pub fn message(&self) -> String {
        match &*self.kind {
            ErrorKind::Read { source, .. } => match source.kind() {
                std::io::ErrorKind::NotFound => "file not found".to_string(),
                std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
                _ => source.to_string(),
            },
            ErrorKind::Write { source, .. } => format!("could not write: {source}"),
            ErrorKind::NotAFile { what, .. } => format!("is {what}, not a regular file"),
            ErrorKind::Toml { message, .. } => message.clone(),
            ErrorKind::Spec { problem, .. }
            | ErrorKind::Usage { problem, .. }
            | ErrorKind::Input { problem, .. }
            | ErrorKind::Pack { problem, .. } => problem.clone(),
            ErrorKind::Output { what, problem } => format!("could not produce {what}: {problem}"),
        }
    }

    // ---- constructors: one per kind of problem ------------------------------

    /// A file could not be opened or read.
    pub fn io(path: &Path, err: std::io::Error) -> Error {
        Error::from_kind(ErrorKind::Read {
            path: path.to_path_buf(),
            source: err,
            hint: None,
        })
    }

    /// A file could not be written.
    pub fn write(path: &Path, err: std::io::Error) -> Error {
        Error::from_kind(ErrorKind::Write {
            path: path.to_path_buf(),
            source: err,
            hint: None,
        })
    }

    /// A path is not a regular file.
    pub fn not_a_file(path: &Path, what: &'static str) -> Error {
        Error::from_kind(ErrorKind::NotAFile {
            path: path.to_path_buf(),
            what,
        })
    }

    /// A spec key holds a bad value.
    pub fn spec(key: impl Into<String>, problem: impl Into<String>) -> Error {
        Error::from_kind(ErrorKind::Spec {
            position: Position::key(key),
            problem: problem.into(),
            hint: None,
        })
    }

    /// The spec file is malformed at a position.
    pub fn toml(position: Position, message: impl Into<String>) -> Error {
        Error::from_kind(ErrorKind::Toml {
            position,
            message: message.into(),
            hint: None,
        })
    }

    /// A command-line flag holds a bad value.
    pub fn usage(flag: impl Into<String>, problem: impl Into<String>) -> Error {
        Error::from_kind(ErrorKind::Usage {
            flag: flag.into(),
            problem: problem.into(),
            hint: None,
        })
    }

    /// The input is malformed at a position.
    pub fn input(position: Position, problem: impl Into<String>) -> Error {
        Error::from_kind(ErrorKind::Input {
            position,
            problem: problem.into(),
            hint: None,
        })
    }

    /// An audit pack (or a path given for one) is wrong.
    pub fn pack(path: &Path, problem: impl Into<String>) -> Error {
        Error::from_kind(ErrorKind::Pack {
            path: path.to_path_buf(),
            problem: problem.into(),
            hint: None,
        })
    }

    /// An output could not be made (a serialisation failed).
    pub fn output(what: impl Into<String>, problem: impl Into<String>) -> Error {
        Error::from_kind(ErrorKind::Output {
            what: what.into(),
            problem: problem.into(),
        })
    }

    /// The same error with a hint on what to do. Hints may name keys as
    /// `{key:section.key}` and settings as `{set:section.key=value}`.
    pub fn with_hint(mut self, text: impl Into<String>) -> Error {
        let text: String = text.into();
        match &mut *self.kind {
            ErrorKind::Toml { hint, .. }
            | ErrorKind::Spec { hint, .. }
            | ErrorKind::Usage { hint, .. }
            | ErrorKind::Input { hint, .. }
            | ErrorKind::Pack { hint, .. }
            | ErrorKind::Read { hint, .. }
            | ErrorKind::Write { hint, .. } => *hint = Some(Hint(text)),
            _ => {}
        }
        self
    }

    /// The same error with the file set, where it had none.
    pub fn in_file(mut self, path: &Path) -> Error {
        if let ErrorKind::Spec { position, .. }
        | ErrorKind::Input { position, .. }
        | ErrorKind::Toml { position, .. } = &mut *self.kind
            && position.file.is_none()
        {
            position.file = Some(path.to_path_buf());
        }
        self
    }

    /// The same error with its row set (an input error found inside a
    /// batch, whose row only the caller knows).
    pub fn at_row(mut self, row: u64) -> Error {
        if let ErrorKind::Input { position, .. } = &mut *self.kind {
            position.row = Some(row);
        }
        self
    }

    /// The same error at another key.
    pub fn at_key(mut self, key: impl Into<String>) -> Error {
        match &mut *self.kind {
            ErrorKind::Spec { position, .. } | ErrorKind::Input { position, .. } => {
                position.key = Some(key.into());
            }
            ErrorKind::Usage { flag, .. } => *flag = key.into(),
            _ => {}
        }
        self
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
        let position = self.position();
        if !position.is_empty() {
            position.write(f, &self.naming)?;
            f.write_str(": ")?;
        }
        f.write_str(&self.message())?;
        if let Some(hint) = self.hint() {
            write!(f, "\n  hint: {hint}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &*self.kind {
            ErrorKind::Read { source, .. } | ErrorKind::Write { source, .. } => Some(source),
            _ => None,
        }
    }
}

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

    #[test]
    fn hints_name_keys_as_spec_keys_or_as_flags() {
        const FLAGS: &[FlagName] = &[
            FlagName {
                key: "input.on_invalid",
                flag: "--on-invalid",
            },
            FlagName {
                key: "truth",
                flag: "--truth",
            },
            FlagName {
                key: "truth.negative",
                flag: "--truth-negative",
            },
        ];
        let e = Error::spec("truth.negative", "bad")
            .with_hint("add it to {key:truth.negative}, or set {set:input.on_invalid=\"reject\"}");
        assert_eq!(
            e.to_string(),
            "`truth.negative`: bad\n  hint: add it to `truth.negative`, or set `input.on_invalid = \"reject\"`"
        );
        let e = e.naming(Naming::Flags(FLAGS));
        assert_eq!(
            e.to_string(),
            "`--truth-negative`: bad\n  hint: add it to `--truth-negative`, or set `--on-invalid reject`"
        );
    }

    #[test]
    fn io_errors_keep_their_source() {
        let e = Error::io(
            Path::new("x.csv"),
            std::io::Error::from(std::io::ErrorKind::NotFound),
        );
        assert!(std::error::Error::source(&e).is_some());
        assert!(e.to_string().starts_with("x.csv: file not found"), "{e}");
    }
}
