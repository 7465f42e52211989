//! Reading inputs: CSV (optionally gzip-compressed), Parquet and Arrow IPC.
//!
//! A [`Source`] yields [`Chunk`]s in file order; a chunk is turned into
//! [`Batch`]es of rows by [`Chunk::for_each_batch`], which the scan calls on
//! a worker thread, so that parsing runs in parallel with reading. A batch exposes
//! only the projected columns, as [`Cell`]s. This layer knows nothing about
//! metrics, labels or groups.

mod arrow;
mod csv;

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::value::Cell;

pub use self::csv::CsvOptions;

/// The format of an input file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// Delimited text (`.csv`, `.tsv`, `.txt`; `.gz` for gzip-compressed).
    Csv,
    /// Apache Parquet (`.parquet`, `.pq`).
    Parquet,
    /// Arrow IPC file or stream (`.arrow`, `.ipc`, `.feather`, `.arrows`).
    Arrow,
    /// A count table (`.counts.parquet`, `.counts.csv`, `.counts.arrow`, or
    /// `input.format = "counts"`), read instead of rows: see
    /// the count layer. The file's own format comes from its extension
    /// ([`Format::of_count_table`]).
    Counts,
}

impl Format {
    /// The format named by a file's extension.
    pub fn from_path(path: &Path) -> Option<Format> {
        let name = path.file_name()?.to_string_lossy().to_lowercase();
        let name = name.strip_suffix(".gz").unwrap_or(&name);
        if [".counts.parquet", ".counts.csv", ".counts.arrow"]
            .iter()
            .any(|e| name.ends_with(e))
        {
            return Some(Format::Counts);
        }
        let ext = name.rsplit_once('.')?.1;
        match ext {
            "csv" | "tsv" | "txt" => Some(Format::Csv),
            "parquet" | "pq" => Some(Format::Parquet),
            "arrow" | "ipc" | "feather" | "arrows" => Some(Format::Arrow),
            _ => None,
        }
    }

    /// The format named `s` in a spec or flag.
    pub fn from_name(s: &str) -> Option<Format> {
        match s.to_ascii_lowercase().as_str() {
            "csv" => Some(Format::Csv),
            "parquet" => Some(Format::Parquet),
            "arrow" | "ipc" | "feather" => Some(Format::Arrow),
            "counts" => Some(Format::Counts),
            _ => None,
        }
    }

    /// The file format underneath a count table: from the extension,
    /// Parquet unless it says CSV or Arrow.
    pub fn of_count_table(path: &Path) -> Format {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().to_lowercase())
            .unwrap_or_default();
        let name = name.strip_suffix(".gz").unwrap_or(&name);
        match name.rsplit_once('.').map(|(_, e)| e) {
            Some("csv" | "tsv" | "txt") => Format::Csv,
            Some("arrow" | "ipc" | "feather" | "arrows") => Format::Arrow,
            _ => Format::Parquet,
        }
    }

    /// The lowercase name.
    pub fn name(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Parquet => "parquet",
            Format::Arrow => "arrow",
            Format::Counts => "counts",
        }
    }
}

/// A file to read, with its format and options.
#[derive(Debug, Clone, PartialEq)]
pub struct InputFile {
    /// The path to open.
    pub path: PathBuf,
    /// The path as the user wrote it (relative paths stay relative, so that
    /// outputs do not depend on where the audit ran).
    pub display: String,
    /// Its format.
    pub format: Format,
}

/// A reference to a column: its name as written (may carry `#N`) and the
/// spec key (or flag) that names it, for errors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnRef {
    /// The column name as written.
    pub name: String,
    /// The spec key or flag it came from.
    pub key: String,
}

/// A source of chunks of rows from one file.
pub trait Source: Send {
    /// The column names, in file order (duplicates possible).
    fn header(&self) -> &[String];
    /// Restricts reading to these columns (indices into [`Source::header`]);
    /// batches then expose column `i` as `columns[i]`. Must be called before
    /// the first chunk is read.
    fn project(&mut self, columns: &[usize]) -> Result<()>;
    /// The next chunk, or `None` at the end.
    fn next_chunk(&mut self) -> Result<Option<Chunk>>;
    /// Bytes consumed from the file so far (for progress reports).
    fn bytes_read(&self) -> u64;
}

/// Opens `input` and reads its header.
pub fn open(input: &InputFile, csv: &CsvOptions) -> Result<Box<dyn Source>> {
    match input.format {
        Format::Csv => Ok(Box::new(csv::CsvSource::open(&input.path, csv)?)),
        Format::Parquet => Ok(Box::new(arrow::ParquetSource::open(&input.path)?)),
        Format::Arrow => Ok(Box::new(arrow::IpcSource::open(&input.path)?)),
        Format::Counts => open(
            &InputFile {
                format: Format::of_count_table(&input.path),
                ..input.clone()
            },
            csv,
        ),
    }
}

/// Undecoded rows: raw CSV bytes, an Arrow record batch, or a Parquet row
/// group still on disk.
pub enum Chunk {
    /// Raw CSV records (whole records only).
    Csv(csv::CsvChunk),
    /// A decoded Arrow record batch with the projected columns.
    Arrow(arrow::ArrowChunk),
    /// One Parquet row group, read and decoded by the worker that gets it.
    RowGroup(arrow::RowGroupChunk),
}

impl Chunk {
    /// Parses the chunk into batches of rows and calls `f` on each, in
    /// file order. Stops at the first error.
    pub fn for_each_batch(self, f: &mut dyn FnMut(&Batch) -> Result<()>) -> Result<()> {
        match self {
            Chunk::Csv(c) => f(&Batch::Csv(c.decode()?)),
            Chunk::Arrow(a) => f(&Batch::Arrow(a.decode()?)),
            Chunk::RowGroup(g) => g.for_each_batch(&mut |b| f(&Batch::Arrow(b))),
        }
    }
}

/// A batch of rows with the projected columns.
pub enum Batch {
    /// Rows from a CSV file.
    Csv(csv::CsvBatch),
    /// Rows from a Parquet or Arrow file.
    Arrow(arrow::ArrowBatch),
}

impl Batch {
    /// The number of rows.
    pub fn len(&self) -> usize {
        match self {
            Batch::Csv(b) => b.len(),
            Batch::Arrow(b) => b.len(),
        }
    }

    /// The value of projected column `col` at `row`.
    #[inline]
    pub fn cell(&self, col: usize, row: usize) -> Cell<'_> {
        match self {
            Batch::Csv(b) => b.cell(col, row),
            Batch::Arrow(b) => b.cell(col, row),
        }
    }

    /// The row's position in its file, for messages: the 1-based line for
    /// CSV (the header is line 1), the 1-based row for Parquet and Arrow.
    pub fn row_number(&self, row: usize) -> u64 {
        match self {
            Batch::Csv(b) => b.row_number(row),
            Batch::Arrow(b) => b.row_number(row),
        }
    }
}

/// Row access shared by the batch types, so that the scan's inner loop can
/// be compiled once per batch type rather than matching on the type for
/// every cell.
pub trait Rows {
    /// The number of rows.
    fn rows(&self) -> usize;
    /// The value of projected column `col` at `row`.
    fn cell(&self, col: usize, row: usize) -> Cell<'_>;
    /// The row's position in its file, for messages.
    fn row_number(&self, row: usize) -> u64;
    /// For a dictionary-encoded column, each row's dictionary key
    /// ([`NULL_KEY`] for a null) and the dictionary's size, so that the
    /// scan can classify each distinct value once; `None` otherwise.
    fn dictionary_keys(&self, _col: usize) -> Option<(&[u32], usize)> {
        None
    }
}

pub use self::arrow::NULL_KEY;

impl Rows for csv::CsvBatch {
    #[inline]
    fn rows(&self) -> usize {
        self.len()
    }
    #[inline]
    fn cell(&self, col: usize, row: usize) -> Cell<'_> {
        csv::CsvBatch::cell(self, col, row)
    }
    fn row_number(&self, row: usize) -> u64 {
        csv::CsvBatch::row_number(self, row)
    }
}

impl Rows for arrow::ArrowBatch {
    #[inline]
    fn rows(&self) -> usize {
        self.len()
    }
    #[inline]
    fn cell(&self, col: usize, row: usize) -> Cell<'_> {
        arrow::ArrowBatch::cell(self, col, row)
    }
    fn row_number(&self, row: usize) -> u64 {
        arrow::ArrowBatch::row_number(self, row)
    }
    fn dictionary_keys(&self, col: usize) -> Option<(&[u32], usize)> {
        arrow::ArrowBatch::dictionary_keys(self, col)
    }
}

/// Where column `name` is in `header`: `name` exactly, or `name#N` for the
/// N-th (1-based) of several columns with that name. `key` names the spec
/// key or flag that referred to the column, for the error.
pub fn resolve_column(file: &Path, header: &[String], name: &str, key: &str) -> Result<usize> {
    let exact: Vec<usize> = header
        .iter()
        .enumerate()
        .filter(|(_, h)| h.as_str() == name)
        .map(|(i, _)| i)
        .collect();
    match exact.len() {
        1 => return Ok(exact[0]),
        n if n > 1 => return Err(Error::ambiguous_column(file, name, key, &exact)),
        _ => {}
    }
    if let Some((base, nth)) = name.rsplit_once('#')
        && let Ok(nth) = nth.parse::<usize>()
    {
        let all: Vec<usize> = header
            .iter()
            .enumerate()
            .filter(|(_, h)| h.as_str() == base)
            .map(|(i, _)| i)
            .collect();
        if nth >= 1 && nth <= all.len() {
            return Ok(all[nth - 1]);
        }
        if !all.is_empty() {
            return Err(Error::input(
                crate::error::Position::file(file)
                    .with_column(name)
                    .with_key(key),
                format!(
                    "the header has {} column(s) named `{base}`, so `#{nth}` does not exist",
                    all.len()
                ),
            )
            .with_hint(format!("use `{base}#1` to `{base}#{}`", all.len())));
        }
    }
    Err(Error::unknown_column(file, name, key, header))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_follow_extensions() {
        assert_eq!(Format::from_path(Path::new("a/b.csv")), Some(Format::Csv));
        assert_eq!(Format::from_path(Path::new("b.CSV.gz")), Some(Format::Csv));
        assert_eq!(
            Format::from_path(Path::new("b.parquet")),
            Some(Format::Parquet)
        );
        assert_eq!(
            Format::from_path(Path::new("b.feather")),
            Some(Format::Arrow)
        );
        assert_eq!(Format::from_path(Path::new("b.xlsx")), None);
        assert_eq!(Format::from_path(Path::new("noext")), None);
    }

    #[test]
    fn columns_resolve_with_occurrence_suffix() {
        let h: Vec<String> = ["id", "decile_score", "x", "decile_score"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let f = Path::new("f.csv");
        assert_eq!(resolve_column(f, &h, "x", "k").unwrap(), 2);
        assert_eq!(resolve_column(f, &h, "decile_score#2", "k").unwrap(), 3);
        let e = resolve_column(f, &h, "decile_score", "k").unwrap_err();
        assert!(e.to_string().contains("ambiguous"));
        let e = resolve_column(f, &h, "decile_score#3", "k").unwrap_err();
        assert!(
            e.to_string()
                .contains("`decile_score#1` to `decile_score#2`"),
            "{e}"
        );
        let e = resolve_column(f, &h, "decile", "k").unwrap_err();
        assert!(e.to_string().contains("did you mean `decile_score`"), "{e}");
    }
}
