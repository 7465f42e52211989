//! CSV input, read in chunks of whole records so that parsing can run on
//! several threads.
//!
//! The reader thread only looks for record boundaries (newlines outside
//! quotes) and cuts the byte stream into chunks of about [`CHUNK_BYTES`];
//! each chunk is then parsed by the `csv` crate on a worker thread, keeping
//! only the projected columns. Columns that the audit does not use are
//! never copied out of the chunk, so names, dates of birth and identifiers
//! in the input go nowhere.

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::error::{Error, Position, Result};
use crate::value::Cell;

use super::{Chunk, Source};

/// Bytes per chunk handed to a worker.
const CHUNK_BYTES: usize = 4 << 20;

/// Options for reading delimited text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvOptions {
    /// The field delimiter (default `,`; `\t` for `.tsv` files).
    pub delimiter: u8,
    /// Cell texts read as missing values (default: only the empty field).
    pub missing: Vec<String>,
}

impl Default for CsvOptions {
    fn default() -> CsvOptions {
        CsvOptions {
            delimiter: b',',
            missing: vec![String::new()],
        }
    }
}

struct Shared {
    path: PathBuf,
    delimiter: u8,
    missing: Vec<String>,
    only_empty_missing: bool,
    header_len: usize,
    projection: Vec<usize>,
    names: Vec<String>,
}

/// A CSV file being read.
pub struct CsvSource {
    reader: Box<dyn Read + Send>,
    header: Vec<String>,
    pending: Vec<u8>,
    next_line: u64,
    eof: bool,
    bytes: u64,
    path: PathBuf,
    options: CsvOptions,
    shared: Option<Arc<Shared>>,
}

impl CsvSource {
    /// Opens the file and reads its header.
    pub fn open(path: &Path, options: &CsvOptions) -> Result<CsvSource> {
        let file = File::open(path).map_err(|e| Error::io(path, e))?;
        let gz = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("gz"));
        let reader: Box<dyn Read + Send> = if gz {
            Box::new(flate2::read::MultiGzDecoder::new(BufReader::with_capacity(
                1 << 16,
                file,
            )))
        } else {
            Box::new(file)
        };
        let mut options = options.clone();
        if options.delimiter == b','
            && path
                .to_string_lossy()
                .to_lowercase()
                .trim_end_matches(".gz")
                .ends_with(".tsv")
        {
            options.delimiter = b'\t';
        }
        let mut src = CsvSource {
            reader,
            header: Vec::new(),
            pending: Vec::new(),
            next_line: 1,
            eof: false,
            bytes: 0,
            path: path.to_path_buf(),
            options,
            shared: None,
        };
        src.read_header()?;
        Ok(src)
    }

    fn fill(&mut self, want: usize) -> Result<()> {
        let start = self.pending.len();
        self.pending.resize(start + want, 0);
        let mut filled = start;
        while filled < self.pending.len() {
            match self.reader.read(&mut self.pending[filled..]) {
                Ok(0) => {
                    self.eof = true;
                    break;
                }
                Ok(n) => filled += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => {
                    return Err(Error::input(
                        Position::file(&self.path),
                        format!("could not read the file: {e}"),
                    )
                    .with_hint(
                        "check that the file is complete and, for .gz, a valid gzip archive",
                    ));
                }
            }
        }
        self.pending.truncate(filled);
        self.bytes += (filled - start) as u64;
        Ok(())
    }

    fn read_header(&mut self) -> Result<()> {
        let end = loop {
            if let Some(end) = record_end(&self.pending, true) {
                break end;
            }
            if self.eof {
                break self.pending.len();
            }
            self.fill(64 << 10)?;
        };
        if self.pending.starts_with(b"\xEF\xBB\xBF") {
            self.pending.drain(..3);
            return self.read_header_after_bom(end - 3);
        }
        self.read_header_after_bom(end)
    }

    fn read_header_after_bom(&mut self, end: usize) -> Result<()> {
        let head: Vec<u8> = self.pending.drain(..end).collect();
        if head.iter().all(|b| b.is_ascii_whitespace()) {
            return Err(Error::input(
                Position::file(&self.path).with_row(1),
                "the file is empty: there is no header line",
            )
            .with_hint("the first line of a CSV input must name its columns"));
        }
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(false)
            .delimiter(self.options.delimiter)
            .from_reader(&head[..]);
        let mut rec = csv::StringRecord::new();
        match rdr.read_record(&mut rec) {
            Ok(true) => {}
            Ok(false) => {
                return Err(Error::input(
                    Position::file(&self.path).with_row(1),
                    "the file is empty: there is no header line",
                ));
            }
            Err(e) => {
                return Err(Error::input(
                    Position::file(&self.path).with_row(1),
                    format!("cannot read the header line: {e}"),
                )
                .with_hint("the header must be valid UTF-8 text"));
            }
        }
        self.header = rec.iter().map(|s| s.trim().to_string()).collect();
        self.next_line = 1 + count_newlines(&head);
        Ok(())
    }
}

/// The index just past the last newline that is outside quotes in `buf`
/// (the first one if `first`), or `None` if there is none.
fn record_end(buf: &[u8], first: bool) -> Option<usize> {
    // Without quotes every newline ends a record: find the last one
    // directly instead of stepping through each line.
    if memchr::memchr(b'"', buf).is_none() {
        let at = if first {
            memchr::memchr(b'\n', buf)
        } else {
            memchr::memrchr(b'\n', buf)
        };
        return at.map(|i| i + 1);
    }
    let mut in_quotes = false;
    let mut last = None;
    let mut i = 0;
    while let Some(off) = memchr::memchr2(b'"', b'\n', &buf[i..]) {
        let at = i + off;
        if buf[at] == b'"' {
            in_quotes = !in_quotes;
        } else if !in_quotes {
            last = Some(at + 1);
            if first {
                return last;
            }
        }
        i = at + 1;
    }
    last
}

fn count_newlines(buf: &[u8]) -> u64 {
    memchr::memchr_iter(b'\n', buf).count() as u64
}

impl Source for CsvSource {
    fn header(&self) -> &[String] {
        &self.header
    }

    fn project(&mut self, columns: &[usize]) -> Result<()> {
        self.shared = Some(Arc::new(Shared {
            path: self.path.clone(),
            delimiter: self.options.delimiter,
            only_empty_missing: self.options.missing.iter().all(|m| m.is_empty()),
            missing: self.options.missing.clone(),
            header_len: self.header.len(),
            projection: columns.to_vec(),
            names: columns.iter().map(|&c| self.header[c].clone()).collect(),
        }));
        Ok(())
    }

    fn next_chunk(&mut self) -> Result<Option<Chunk>> {
        let Some(shared) = self.shared.clone() else {
            return Err(Error::input(
                Position::file(&self.path),
                "internal: the CSV source was read before its columns were chosen",
            ));
        };
        loop {
            if !self.eof && self.pending.len() < CHUNK_BYTES {
                self.fill(CHUNK_BYTES)?;
            }
            let end = if self.eof {
                Some(self.pending.len())
            } else {
                record_end(&self.pending, false)
            };
            match end {
                Some(0) | None if self.eof => return Ok(None),
                Some(end) if end > 0 => {
                    let rest = self.pending.split_off(end);
                    let bytes = std::mem::replace(&mut self.pending, rest);
                    let first_line = self.next_line;
                    let newlines = count_newlines(&bytes);
                    self.next_line += newlines;
                    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
                        continue;
                    }
                    return Ok(Some(Chunk::Csv(CsvChunk {
                        bytes,
                        first_line,
                        newlines,
                        shared,
                    })));
                }
                // No record boundary yet: a record longer than the buffer;
                // read more.
                _ => self.fill(CHUNK_BYTES)?,
            }
        }
    }

    fn bytes_read(&self) -> u64 {
        self.bytes
    }
}

/// Raw bytes holding whole CSV records.
pub struct CsvChunk {
    bytes: Vec<u8>,
    first_line: u64,
    /// Newlines in `bytes` (an upper bound of its records, less one).
    newlines: u64,
    shared: Arc<Shared>,
}

impl CsvChunk {
    /// Parses the records, keeping the projected columns only.
    ///
    /// Most exports quote nothing and end lines with `\n`. For such a chunk
    /// (no `"` and no `\r` anywhere in it) a field is exactly the bytes
    /// between two delimiters, so the records are split in place with
    /// `memchr` and the batch borrows its fields from the chunk itself: no
    /// field is copied, and UTF-8 is validated once for the whole chunk.
    /// Any other chunk goes through the `csv` crate, which handles quoting
    /// and every line terminator; both paths give the same fields, the same
    /// line numbers and the same errors.
    pub fn decode(self) -> Result<CsvBatch> {
        if memchr::memchr2(b'"', b'\r', &self.bytes).is_none() {
            match String::from_utf8(self.bytes) {
                Ok(text) => {
                    return self::split_plain(text, self.first_line, self.newlines, self.shared);
                }
                Err(e) => {
                    // Invalid UTF-8 somewhere: it may sit in a column the
                    // audit does not read, so let the general path check
                    // the projected fields one by one.
                    let chunk = CsvChunk {
                        bytes: e.into_bytes(),
                        first_line: self.first_line,
                        newlines: self.newlines,
                        shared: self.shared,
                    };
                    return chunk.decode_quoted();
                }
            }
        }
        self.decode_quoted()
    }

    /// The general path: the `csv` crate parses every record, and the
    /// projected fields are copied (unescaped) into the batch.
    fn decode_quoted(self) -> Result<CsvBatch> {
        let sh = &self.shared;
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(sh.delimiter)
            .from_reader(&self.bytes[..]);
        let ncols = sh.projection.len();
        let mut data = String::with_capacity(self.bytes.len() / 4);
        let mut spans: Vec<u32> = Vec::new();
        let mut lines: Vec<u64> = Vec::new();
        let mut rec = csv::ByteRecord::new();
        // Physical line numbers (what an editor shows), counted from the
        // records' byte offsets: the csv crate counts records, not the
        // newlines inside quoted fields.
        let mut line_at = (0usize, self.first_line);
        let mut line_of = |offset: usize| {
            let (from, line) = line_at;
            // The csv crate reports a record as starting right after the
            // previous record's terminator, before any blank lines or the
            // `\n` of a `\r\n`: skip those to reach the record's first byte.
            let mut offset = offset.min(self.bytes.len()).max(from);
            while matches!(self.bytes.get(offset), Some(b'\r' | b'\n')) {
                offset += 1;
            }
            let line = line + count_newlines(&self.bytes[from..offset]);
            line_at = (offset, line);
            line
        };
        loop {
            let more = rdr.read_byte_record(&mut rec).map_err(|e| {
                let line = e
                    .position()
                    .map_or(self.first_line, |p| line_of(p.byte() as usize));
                Error::input(
                    Position::file(&sh.path).with_row(line),
                    format!("cannot parse the CSV record: {e}"),
                )
            })?;
            if !more {
                break;
            }
            let line = rec
                .position()
                .map_or(self.first_line, |p| line_of(p.byte() as usize));
            if rec.len() == 1 && rec.get(0).is_some_and(|f| f.is_empty()) {
                continue; // a blank line
            }
            if rec.len() != sh.header_len {
                return Err(ragged(sh, line, rec.len()));
            }
            for (j, &c) in sh.projection.iter().enumerate() {
                let field = rec.get(c).unwrap_or(b"");
                let s = std::str::from_utf8(field).map_err(|_| not_utf8(sh, line, j))?;
                let start = data.len();
                data.push_str(s);
                if data.len() > u32::MAX as usize {
                    return Err(Error::input(
                        Position::file(&sh.path).with_row(line),
                        "a single record block exceeds 4 GiB",
                    ));
                }
                spans.push(start as u32);
                spans.push(data.len() as u32);
            }
            lines.push(line);
        }
        Ok(CsvBatch {
            data,
            spans,
            ncols,
            lines,
            shared: self.shared.clone(),
        })
    }
}

fn ragged(sh: &Shared, line: u64, fields: usize) -> Error {
    Error::input(
        Position::file(&sh.path).with_row(line),
        format!(
            "the line has {} fields but the header has {}",
            fields, sh.header_len
        ),
    )
    .with_hint("check the delimiter (`input.delimiter`) and the quoting of that line")
}

fn not_utf8(sh: &Shared, line: u64, col: usize) -> Error {
    Error::input(
        Position::file(&sh.path)
            .with_row(line)
            .with_column(sh.names[col].clone()),
        "the value is not valid UTF-8 text",
    )
    .with_hint("re-export the file as UTF-8")
}

/// Splits a chunk without quotes or carriage returns: records end at `\n`,
/// fields at the delimiter. Blank lines are skipped, as the `csv` crate
/// skips them.
fn split_plain(
    text: String,
    first_line: u64,
    newlines: u64,
    shared: Arc<Shared>,
) -> Result<CsvBatch> {
    let sh = &*shared;
    let ncols = sh.projection.len();
    if text.len() > u32::MAX as usize {
        return Err(Error::input(
            Position::file(&sh.path).with_row(first_line),
            "a single record block exceeds 4 GiB",
        ));
    }
    // For each field of a record, the projected slot it fills (if any).
    let mut slot_of = vec![usize::MAX; sh.header_len];
    for (j, &c) in sh.projection.iter().enumerate() {
        slot_of[c] = j;
    }
    let bytes = text.as_bytes();
    // At most one record per newline, plus a last one without: the spans
    // are allocated once (zeroed memory comes cheap from the allocator) and
    // written in place, record `i` at `2 * ncols * i`.
    let records = newlines as usize + 1;
    let mut spans: Vec<u32> = vec![0; 2 * ncols * records];
    let mut lines: Vec<u64> = Vec::with_capacity(records);
    let mut line = first_line;
    let mut field = 0usize;
    let mut start = 0usize;
    let mut row = 0usize;
    for (at, newline) in Separators::new(bytes, sh.delimiter) {
        if let Some(&j) = slot_of.get(field)
            && j != usize::MAX
        {
            spans[row + 2 * j] = start as u32;
            spans[row + 2 * j + 1] = at as u32;
        }
        if newline {
            if !(field == 0 && at == start) {
                if field + 1 != sh.header_len {
                    return Err(ragged(sh, line, field + 1));
                }
                lines.push(line);
                row += 2 * ncols;
            }
            line += 1;
            field = 0;
        } else {
            field += 1;
        }
        start = at + 1;
    }
    if start < bytes.len() || field > 0 {
        // The last record of the file, without a final newline.
        let at = bytes.len();
        if let Some(&j) = slot_of.get(field)
            && j != usize::MAX
        {
            spans[row + 2 * j] = start as u32;
            spans[row + 2 * j + 1] = at as u32;
        }
        if field + 1 != sh.header_len {
            return Err(ragged(sh, line, field + 1));
        }
        lines.push(line);
        row += 2 * ncols;
    }
    spans.truncate(row);
    Ok(CsvBatch {
        data: text,
        spans,
        ncols,
        lines,
        shared,
    })
}

/// The positions of delimiters and newlines in `bytes`, in order, each with
/// whether it is a newline.
///
/// Fields in exports are a few bytes long, so separators are dense (one in
/// five bytes): rather than searching from one to the next, this finds all
/// of them in each 8-byte word at once with the classic SWAR zero-byte test
/// (exact, no false positives) and walks the set bits.
struct Separators<'a> {
    bytes: &'a [u8],
    delim: u64,
    /// Start of the current word.
    base: usize,
    /// High bit of each byte of the current word that is a separator.
    mask: u64,
    /// High bit of each byte of the current word that is a newline.
    newlines: u64,
}

const LO7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
const ONES: u64 = 0x0101_0101_0101_0101;

impl<'a> Separators<'a> {
    fn new(bytes: &'a [u8], delimiter: u8) -> Separators<'a> {
        let mut s = Separators {
            bytes,
            delim: ONES * u64::from(delimiter),
            base: 0,
            mask: 0,
            newlines: 0,
        };
        s.load(0);
        s
    }

    /// High bit set in each byte of `x` that is zero.
    #[inline]
    fn zero_bytes(x: u64) -> u64 {
        !(((x & LO7).wrapping_add(LO7)) | x | LO7)
    }

    #[inline]
    fn load(&mut self, base: usize) {
        self.base = base;
        let rest = &self.bytes[base.min(self.bytes.len())..];
        let mut w = [0u8; 8];
        let n = rest.len().min(8);
        w[..n].copy_from_slice(&rest[..n]);
        // Bytes past the end are zero: never a newline, and never the
        // delimiter because they are masked off below.
        let x = u64::from_le_bytes(w);
        let valid = if n == 8 { !0 } else { (1u64 << (8 * n)) - 1 };
        self.newlines = Self::zero_bytes(x ^ (ONES * u64::from(b'\n'))) & valid & (ONES << 7);
        self.mask = (Self::zero_bytes(x ^ self.delim) & valid & (ONES << 7)) | self.newlines;
    }
}

impl Iterator for Separators<'_> {
    type Item = (usize, bool);

    #[inline]
    fn next(&mut self) -> Option<(usize, bool)> {
        while self.mask == 0 {
            if self.base + 8 >= self.bytes.len() {
                return None;
            }
            self.load(self.base + 8);
        }
        let bit = self.mask.trailing_zeros();
        self.mask &= self.mask - 1;
        let newline = self.newlines & (1u64 << bit) != 0;
        Some((self.base + (bit / 8) as usize, newline))
    }
}

/// Parsed CSV rows: the projected fields of each row, as spans of text.
pub struct CsvBatch {
    /// The text the spans point into: the chunk itself (fast path) or the
    /// copied, unescaped projected fields (general path).
    data: String,
    /// Start and end of each projected field, row by row.
    spans: Vec<u32>,
    ncols: usize,
    lines: Vec<u64>,
    shared: Arc<Shared>,
}

impl CsvBatch {
    /// The number of rows.
    pub fn len(&self) -> usize {
        self.lines.len()
    }

    /// The value of projected column `col` at `row`.
    #[inline]
    pub fn cell(&self, col: usize, row: usize) -> Cell<'_> {
        let idx = 2 * (row * self.ncols + col);
        let s = self
            .data
            .get(self.spans[idx] as usize..self.spans[idx + 1] as usize)
            .unwrap_or_default();
        let missing = if self.shared.only_empty_missing {
            s.is_empty()
        } else {
            self.shared.missing.iter().any(|m| m == s)
        };
        if missing { Cell::Missing } else { Cell::Str(s) }
    }

    /// The 1-based line of `row` in the file.
    pub fn row_number(&self, row: usize) -> u64 {
        self.lines[row]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_ends_skip_quoted_newlines() {
        let b = b"a,\"x\ny\",c\nd,e,f\ng";
        assert_eq!(record_end(b, true), Some(10));
        assert_eq!(record_end(b, false), Some(16));
        assert_eq!(record_end(b"\"open\n", false), None);
    }

    /// Header, rows (missing as `<NA>`) and line numbers.
    type Read = (Vec<String>, Vec<Vec<String>>, Vec<u64>);

    fn read_all(text: &str, opts: &CsvOptions) -> Result<Read> {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("t.csv");
        std::fs::write(&p, text).unwrap();
        let mut src = CsvSource::open(&p, opts)?;
        let header = src.header().to_vec();
        let cols: Vec<usize> = (0..header.len()).collect();
        src.project(&cols)?;
        let mut rows = Vec::new();
        let mut lines = Vec::new();
        while let Some(chunk) = src.next_chunk()? {
            chunk.for_each_batch(&mut |b| {
                for r in 0..b.len() {
                    rows.push(
                        (0..cols.len())
                            .map(|c| match b.cell(c, r) {
                                Cell::Missing => "<NA>".to_string(),
                                other => other.to_label().unwrap(),
                            })
                            .collect(),
                    );
                    lines.push(b.row_number(r));
                }
                Ok(())
            })?;
        }
        Ok((header, rows, lines))
    }

    #[test]
    fn reads_quoted_fields_bom_crlf_and_missing() {
        let text = "\u{feff}a,b\r\n1,\"x,\"\"y\"\"\nz\"\r\n,NA\r\n\r\n3,4";
        let opts = CsvOptions {
            delimiter: b',',
            missing: vec!["".into(), "NA".into()],
        };
        let (h, rows, lines) = read_all(text, &opts).unwrap();
        assert_eq!(h, ["a", "b"]);
        assert_eq!(rows[0], ["1", "x,\"y\"\nz"]);
        assert_eq!(rows[1], ["<NA>", "<NA>"]);
        assert_eq!(rows[2], ["3", "4"]);
        assert_eq!(lines, [2, 4, 6]);
    }

    #[test]
    fn ragged_line_is_an_error_with_its_line() {
        let e = read_all("a,b\n1,2\n3\n", &CsvOptions::default()).unwrap_err();
        let m = e.to_string();
        assert!(m.contains("row 3"), "{m}");
        assert!(m.contains("1 fields but the header has 2"), "{m}");
    }

    #[test]
    fn empty_file_is_an_error() {
        let e = read_all("", &CsvOptions::default()).unwrap_err();
        assert!(e.to_string().contains("the file is empty"), "{e}");
        let e = read_all("\n\n", &CsvOptions::default()).unwrap_err();
        assert!(e.to_string().contains("the file is empty"), "{e}");
    }

    /// Both decoding paths over the same bytes: fields, lines and errors.
    /// Rows as (line, projected fields), or the error.
    type Decoded = Result<Vec<(u64, Vec<String>)>>;

    fn both_paths(text: &[u8], projection: &[usize]) -> [Decoded; 2] {
        let header_len = 3;
        let shared = Arc::new(Shared {
            path: PathBuf::from("t.csv"),
            delimiter: b',',
            missing: vec![String::new()],
            only_empty_missing: true,
            header_len,
            projection: projection.to_vec(),
            names: projection.iter().map(|c| format!("c{c}")).collect(),
        });
        let rows = |b: Result<CsvBatch>| {
            b.map(|b| {
                (0..b.len())
                    .map(|r| {
                        let cells = (0..projection.len())
                            .map(|c| match b.cell(c, r) {
                                Cell::Missing => "<NA>".to_string(),
                                other => other.to_label().unwrap(),
                            })
                            .collect();
                        (b.row_number(r), cells)
                    })
                    .collect()
            })
        };
        let chunk = || CsvChunk {
            bytes: text.to_vec(),
            first_line: 2,
            newlines: count_newlines(text),
            shared: shared.clone(),
        };
        let newlines = count_newlines(text);
        let plain = match String::from_utf8(text.to_vec()) {
            Ok(t) => split_plain(t, 2, newlines, shared.clone()),
            Err(_) => chunk().decode_quoted(),
        };
        [rows(plain), rows(chunk().decode_quoted())]
    }

    #[test]
    fn plain_and_quoted_paths_agree() {
        for text in [
            &b"a,b,c\nd,,f\n"[..],
            b"a,b,c\n\n\nd,e,f",
            b"a,b,c\nd,e\ng,h,i\n",
            b"a,b,c\nd,e,f,g\n",
            b"1,\xff,3\n4,5,6\n",
            b"\n",
            b"x,y,z",
        ] {
            for proj in [&[0usize, 1, 2][..], &[2, 0], &[1]] {
                let [plain, quoted] = both_paths(text, proj);
                match (plain, quoted) {
                    (Ok(a), Ok(b)) => assert_eq!(a, b, "{text:?} {proj:?}"),
                    (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
                    (a, b) => panic!("{text:?} {proj:?}: {:?} vs {:?}", a.is_ok(), b.is_ok()),
                }
            }
        }
    }

    #[test]
    fn separators_are_found_exactly() {
        let text = b"ab,c\n,,x\xff\x80,\n\n123456789,12";
        for delim in [b',', b'\t', b'\xff'] {
            let want: Vec<(usize, bool)> = text
                .iter()
                .enumerate()
                .filter(|(_, b)| **b == delim || **b == b'\n')
                .map(|(i, b)| (i, *b == b'\n'))
                .collect();
            assert_eq!(Separators::new(text, delim).collect::<Vec<_>>(), want);
        }
        assert_eq!(Separators::new(b"", b',').count(), 0);
    }
}
