//! A deterministic generator of synthetic "policing risk model" predictions.
//!
//! `fairaudit synth --rows N --seed S --out FILE` writes a file with exactly
//! these columns, in this order:
//!
//! | column      | type    | values                                                   |
//! |-------------|---------|----------------------------------------------------------|
//! | `id`        | Int64   | 1..=N                                                    |
//! | `ethnicity` | Utf8    | White, Asian, Black, Mixed, Other, Not stated            |
//! | `sex`       | Utf8    | Male, Female, Unknown                                    |
//! | `age_band`  | Utf8    | under 18, 18-24, 25-34, 35-44, 45+                       |
//! | `y_true`    | Int8    | 0/1 observed outcome                                     |
//! | `y_score`   | Float64 | in [0, 1], rounded to 6 decimals                         |
//! | `y_pred`    | Int8    | 0/1, exactly `y_score >= 0.5` on the rounded score       |
//! | `weight`    | Float64 | in [0.5, 1.5], rounded to 4 decimals                     |
//!
//! # Data-generating process
//!
//! It mirrors the reference script `make_synth.py` (which produced the golden
//! file `synth_100k.csv.gz`): the same proportions, effects and rounding.
//!
//! ```text
//! ethnicity ~ Categorical(0.74, 0.085, 0.05, 0.03, 0.02, 0.075)
//! sex       ~ Categorical(0.72, 0.26, 0.02)
//! age_band  ~ Categorical(0.10, 0.22, 0.30, 0.20, 0.18)
//! x         ~ N(0, 1)                                   latent risk
//! logit_true  = -1.0 + 1.2 x + AGE_TRUE[age]
//! y_true      = U1 < sigmoid(logit_true)                no ethnicity/sex effect on truth
//! logit_score = logit_true + ETH_BIAS[eth] + SEX_BIAS[sex] + AGE_BIAS[age]
//!               + NOISE_SD[eth] * N(0, 1)
//! y_score     = round_half_even(sigmoid(logit_score) * 1e6) / 1e6
//! y_pred      = y_score >= 0.5
//! weight      = round_half_even((0.5 + U2) * 1e4) / 1e4
//! ```
//!
//! So base rates of `y_true` differ only by age band, while the score
//! over-selects some ethnicity, sex and age groups: selection-rate and
//! false-positive-rate disparities exist by construction (Black people are
//! selected most often relative to White people), and the noisier score for
//! smaller groups gives AUC gaps.
//!
//! The file is deliberately clean and exactly typed: no missing values, no
//! stray spaces, no mixed types. Tests and benchmarks compare `fairaudit`
//! with other tools on these files, so any mess would measure the tools'
//! cleaning rules instead of their arithmetic.
//!
//! # Random stream
//!
//! The reference script draws from numpy's PCG64, which this generator does
//! not reproduce; the same seed gives statistically alike but not identical
//! rows. Instead, the stream is fixed as follows, so that a row depends only
//! on `(seed, row index)`, whatever the batch size or the number of threads:
//!
//! * Rows are grouped into blocks of [`BLOCK_ROWS`] (65,536) rows. Block `b`
//!   (rows `b * 65536 ..`, 0-based) draws from
//!   `rand_chacha::ChaCha8Rng::seed_from_u64(seed)` with `set_stream(b)`,
//!   starting at word 0 of that stream; `seed_from_u64` expands the `u64`
//!   into the 32-byte ChaCha key with PCG32, as `rand_core` 0.10 documents.
//! * Within a block, rows draw in order, and each row draws, in this order:
//!   a `u32` for ethnicity, a `u32` for sex, a `u32` for age band (each
//!   mapped through the inverse cumulative distribution, with cut points
//!   `floor(cumulative_p * 2^32)`), `x` from `rand_distr` 0.6's
//!   `StandardNormal` (the ziggurat method with 256 layers), `U1` as
//!   `(next_u64 >> 11) * 2^-53`, the score noise from `StandardNormal`, and
//!   `U2` as `(next_u64 >> 11) * 2^-53`.
//!
//! Because every block has its own stream, blocks could be generated in
//! parallel and concatenated. The output depends on the pinned versions of
//! `rand_chacha` and `rand_distr` (Cargo.lock) and on the platform's
//! `exp` (glibc's on the project's machines).
//!
//! # Number formatting in CSV
//!
//! Floats are printed the way Python prints the rounded value: the shortest
//! decimal that reads back as the same `f64`, always with a fractional part
//! (`0.089916`, `1.1443`, `0.5`, `1.0`). Unlike Python, a score below 1e-4
//! is printed in fixed notation (`0.000045`, never `4.5e-05`), so that every
//! reader parses it; such scores are rare (a few per 10^8 rows).

use std::io::{BufWriter, Write};
use std::path::Path;
use std::sync::Arc;

use arrow_array::{ArrayRef, Float64Array, Int8Array, Int64Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::properties::WriterProperties;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};

use crate::error::{Error, Result};
use crate::file::AtomicFile;

/// Rows per random stream, and rows per Arrow batch in Parquet and Arrow IPC
/// output.
pub const BLOCK_ROWS: usize = 65_536;

/// Rows per Parquet row group (16 blocks, about a million rows).
pub const ROW_GROUP_ROWS: usize = 16 * BLOCK_ROWS;

/// The column names, in file order.
pub const COLUMNS: [&str; 8] = [
    "id",
    "ethnicity",
    "sex",
    "age_band",
    "y_true",
    "y_score",
    "y_pred",
    "weight",
];

/// Ethnicity groups, in code order.
pub const ETHNICITY: [&str; 6] = ["White", "Asian", "Black", "Mixed", "Other", "Not stated"];
/// Ethnicity proportions.
pub const ETHNICITY_P: [f64; 6] = [0.74, 0.085, 0.05, 0.03, 0.02, 0.075];
/// Sex groups, in code order.
pub const SEX: [&str; 3] = ["Male", "Female", "Unknown"];
/// Sex proportions.
pub const SEX_P: [f64; 3] = [0.72, 0.26, 0.02];
/// Age bands, in code order.
pub const AGE_BAND: [&str; 5] = ["under 18", "18-24", "25-34", "35-44", "45+"];
/// Age band proportions.
pub const AGE_BAND_P: [f64; 5] = [0.10, 0.22, 0.30, 0.20, 0.18];

/// Effect of age band on the true outcome (logit scale).
const AGE_TRUE: [f64; 5] = [0.30, 0.40, 0.10, -0.10, -0.50];
/// Built-in bias of the score by ethnicity (logit scale).
const ETH_BIAS: [f64; 6] = [0.00, 0.15, 0.45, 0.25, 0.10, -0.15];
/// Built-in bias of the score by sex (logit scale).
const SEX_BIAS: [f64; 3] = [0.15, -0.20, 0.00];
/// Built-in bias of the score by age band (logit scale).
const AGE_BIAS: [f64; 5] = [0.25, 0.15, 0.00, -0.05, -0.10];
/// Score noise s.d. by ethnicity: smaller groups get a less accurate score.
const NOISE_SD: [f64; 6] = [0.60, 0.80, 0.90, 0.90, 1.00, 1.10];

/// Output format, chosen from the file extension: `.csv`, `.parquet`,
/// `.arrow`/`.ipc`/`.feather`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SynthFormat {
    /// Comma-separated text with a header line and `\n` line ends.
    Csv,
    /// Parquet, zstd-compressed, one row group per [`ROW_GROUP_ROWS`] rows.
    Parquet,
    /// The Arrow IPC file format (Feather v2), one batch per [`BLOCK_ROWS`]
    /// rows, uncompressed.
    ArrowIpc,
}

impl SynthFormat {
    /// The format for a path, from its extension (case-insensitive).
    ///
    /// An unknown or missing extension is a usage error on `--out` that
    /// names the allowed extensions.
    pub fn from_path(path: &Path) -> Result<SynthFormat> {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        match ext.as_deref() {
            Some("csv") => Ok(SynthFormat::Csv),
            Some("parquet") => Ok(SynthFormat::Parquet),
            Some("arrow" | "ipc" | "feather") => Ok(SynthFormat::ArrowIpc),
            _ => Err(Error::usage(
                "--out",
                format!(
                    "cannot tell the output format of `{}` from its extension",
                    path.display()
                ),
            )
            .with_hint("end the file name with .csv, .parquet, .arrow, .ipc or .feather")),
        }
    }
}

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SynthOptions {
    /// The number of rows.
    pub rows: u64,
    /// The seed of the random stream.
    pub seed: u64,
}

/// What [`write_synth`] wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SynthSummary {
    /// The number of rows written.
    pub rows: u64,
    /// The format written.
    pub format: SynthFormat,
    /// The size of the file written, in bytes.
    pub bytes: u64,
}

/// One batch of generated rows, column by column. All vectors have the same
/// length.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SynthBatch {
    /// Row ids, 1-based.
    pub id: Vec<i64>,
    /// Ethnicity group, one of [`ETHNICITY`].
    pub ethnicity: Vec<&'static str>,
    /// Sex, one of [`SEX`].
    pub sex: Vec<&'static str>,
    /// Age band, one of [`AGE_BAND`].
    pub age_band: Vec<&'static str>,
    /// Observed outcome, 0 or 1.
    pub y_true: Vec<i8>,
    /// Model score in [0, 1], rounded to 6 decimals.
    pub y_score: Vec<f64>,
    /// Prediction, 0 or 1: exactly `y_score >= 0.5`.
    pub y_pred: Vec<i8>,
    /// Analysis weight in [0.5, 1.5], rounded to 4 decimals.
    pub weight: Vec<f64>,
}

impl SynthBatch {
    fn with_capacity(n: usize) -> SynthBatch {
        SynthBatch {
            id: Vec::with_capacity(n),
            ethnicity: Vec::with_capacity(n),
            sex: Vec::with_capacity(n),
            age_band: Vec::with_capacity(n),
            y_true: Vec::with_capacity(n),
            y_score: Vec::with_capacity(n),
            y_pred: Vec::with_capacity(n),
            weight: Vec::with_capacity(n),
        }
    }

    /// The number of rows in the batch.
    pub fn len(&self) -> usize {
        self.id.len()
    }

    /// Whether the batch has no rows.
    pub fn is_empty(&self) -> bool {
        self.id.is_empty()
    }

    /// The batch as an Arrow record batch with [`synth_schema`]'s schema.
    pub fn to_record_batch(&self) -> Result<RecordBatch> {
        let columns: Vec<ArrayRef> = vec![
            Arc::new(Int64Array::from(self.id.clone())),
            Arc::new(StringArray::from_iter_values(self.ethnicity.iter())),
            Arc::new(StringArray::from_iter_values(self.sex.iter())),
            Arc::new(StringArray::from_iter_values(self.age_band.iter())),
            Arc::new(Int8Array::from(self.y_true.clone())),
            Arc::new(Float64Array::from(self.y_score.clone())),
            Arc::new(Int8Array::from(self.y_pred.clone())),
            Arc::new(Float64Array::from(self.weight.clone())),
        ];
        // The columns are built to match the schema, so a failure here is a
        // bug in this module rather than a problem with user input; it is
        // still reported as an error instead of a panic.
        RecordBatch::try_new(synth_schema(), columns)
            .map_err(|e| Error::output("an Arrow batch", e.to_string()))
    }
}

/// The Arrow schema of the generated data: `id` Int64; `ethnicity`, `sex`,
/// `age_band` Utf8 (plain strings, not dictionary-encoded, so that every
/// reader takes them; Parquet dictionary-encodes them on disk anyway);
/// `y_true`, `y_pred` Int8; `y_score`, `weight` Float64. No column is
/// nullable.
pub fn synth_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("id", DataType::Int64, false),
        Field::new("ethnicity", DataType::Utf8, false),
        Field::new("sex", DataType::Utf8, false),
        Field::new("age_band", DataType::Utf8, false),
        Field::new("y_true", DataType::Int8, false),
        Field::new("y_score", DataType::Float64, false),
        Field::new("y_pred", DataType::Int8, false),
        Field::new("weight", DataType::Float64, false),
    ]))
}

// ---- the generator ---------------------------------------------------------

/// One generated row, with the rounded floats kept as integers so that the
/// CSV writer can print them without float formatting.
#[derive(Debug, Clone, Copy)]
struct Row {
    id: u64,
    eth: u8,
    sex: u8,
    age: u8,
    y_true: bool,
    /// `y_score * 1e6`, exactly.
    score_e6: u32,
    /// `weight * 1e4`, exactly.
    weight_e4: u32,
}

impl Row {
    fn y_score(&self) -> f64 {
        // Dividing the exact integer by 1e6 gives the f64 nearest to the
        // decimal, which is what numpy's `round` gives and what reads back
        // from the printed text.
        f64::from(self.score_e6) / 1e6
    }

    fn weight(&self) -> f64 {
        f64::from(self.weight_e4) / 1e4
    }

    fn y_pred(&self) -> bool {
        self.score_e6 >= 500_000
    }
}

/// Cut points of the inverse cumulative distribution on `u32` draws: a draw
/// `u` falls in category `k` where `k` is the number of cut points `<= u`.
const fn cut_points<const N: usize>(p: [f64; N]) -> [u64; N] {
    let mut cuts = [u64::MAX; N];
    let mut cum = 0.0;
    let mut i = 0;
    // The last category takes everything above the second-to-last cut, so
    // its cut stays above any u32 and rounding of the sum cannot lose draws.
    while i + 1 < N {
        cum += p[i];
        cuts[i] = (cum * 4_294_967_296.0) as u64;
        i += 1;
    }
    cuts
}

const ETH_CUTS: [u64; 6] = cut_points(ETHNICITY_P);
const SEX_CUTS: [u64; 3] = cut_points(SEX_P);
const AGE_CUTS: [u64; 5] = cut_points(AGE_BAND_P);

#[inline]
fn categorical<const N: usize>(u: u32, cuts: &[u64; N]) -> u8 {
    let u = u64::from(u);
    let mut k = 0u8;
    for &c in cuts {
        k += u8::from(u >= c);
    }
    k
}

#[inline]
fn unit_f64(rng: &mut ChaCha8Rng) -> f64 {
    // 53 random bits scaled into [0, 1); the same mapping numpy and rand use.
    (rng.next_u64() >> 11) as f64 * (1.0 / 9_007_199_254_740_992.0)
}

#[inline]
fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

/// The row stream: yields rows `next..end` (0-based indices).
struct RowGen {
    /// ChaCha8 keyed by the seed, at stream 0; each block clones it and sets
    /// its own stream, which is cheaper than re-deriving the key.
    base: ChaCha8Rng,
    rng: ChaCha8Rng,
    next: u64,
    end: u64,
}

impl RowGen {
    fn new(options: &SynthOptions) -> RowGen {
        let base = ChaCha8Rng::seed_from_u64(options.seed);
        RowGen {
            rng: base.clone(),
            base,
            next: 0,
            // Ids are Int64, so the row count is capped at i64::MAX; callers
            // that take user input check this first.
            end: options.rows.min(i64::MAX as u64),
        }
    }

    fn remaining(&self) -> u64 {
        self.end - self.next
    }

    #[inline]
    fn next_row(&mut self) -> Row {
        let i = self.next;
        if i % BLOCK_ROWS as u64 == 0 {
            self.rng = self.base.clone();
            self.rng.set_stream(i / BLOCK_ROWS as u64);
        }
        self.next += 1;
        let rng = &mut self.rng;
        let eth = categorical(rng.next_u32(), &ETH_CUTS);
        let sex = categorical(rng.next_u32(), &SEX_CUTS);
        let age = categorical(rng.next_u32(), &AGE_CUTS);
        let (e, s, a) = (usize::from(eth), usize::from(sex), usize::from(age));
        let x: f64 = StandardNormal.sample(rng);
        let logit_true = -1.0 + 1.2 * x + AGE_TRUE[a];
        let y_true = unit_f64(rng) < sigmoid(logit_true);
        let noise: f64 = StandardNormal.sample(rng);
        let logit_score =
            logit_true + ETH_BIAS[e] + SEX_BIAS[s] + AGE_BIAS[a] + noise * NOISE_SD[e];
        // The sigmoid lies in [0, 1], so the products fit u32 exactly.
        let score_e6 = (sigmoid(logit_score) * 1e6).round_ties_even() as u32;
        let weight_e4 = ((0.5 + unit_f64(rng)) * 1e4).round_ties_even() as u32;
        Row {
            id: i + 1,
            eth,
            sex,
            age,
            y_true,
            score_e6,
            weight_e4,
        }
    }
}

/// The generated rows as column batches of `batch_rows` rows (the last may
/// be shorter); `batch_rows == 0` means [`BLOCK_ROWS`].
///
/// The rows do not depend on `batch_rows`. Memory is one batch at a time.
pub fn batches(options: &SynthOptions, batch_rows: usize) -> impl Iterator<Item = SynthBatch> {
    let batch_rows = if batch_rows == 0 {
        BLOCK_ROWS
    } else {
        batch_rows
    };
    let mut rows = RowGen::new(options);
    std::iter::from_fn(move || {
        let n = usize::try_from(rows.remaining())
            .unwrap_or(usize::MAX)
            .min(batch_rows);
        if n == 0 {
            return None;
        }
        let mut b = SynthBatch::with_capacity(n);
        for _ in 0..n {
            let r = rows.next_row();
            b.id.push(r.id as i64);
            b.ethnicity.push(ETHNICITY[usize::from(r.eth)]);
            b.sex.push(SEX[usize::from(r.sex)]);
            b.age_band.push(AGE_BAND[usize::from(r.age)]);
            b.y_true.push(i8::from(r.y_true));
            b.y_score.push(r.y_score());
            b.y_pred.push(i8::from(r.y_pred()));
            b.weight.push(r.weight());
        }
        Some(b)
    })
}

// ---- CSV -------------------------------------------------------------------

/// Appends `v` in decimal.
#[inline]
fn push_u64(buf: &mut Vec<u8>, mut v: u64) {
    let mut tmp = [0u8; 20];
    let mut i = tmp.len();
    loop {
        i -= 1;
        tmp[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    buf.extend_from_slice(&tmp[i..]);
}

/// Appends `k / 10^DIGITS` as the shortest fixed-point decimal with at least
/// one fractional digit (`0.5`, `1.0`, `0.089916`).
#[inline]
fn push_fixed<const DIGITS: u32>(buf: &mut Vec<u8>, k: u32) {
    let scale = 10u32.pow(DIGITS);
    push_u64(buf, u64::from(k / scale));
    buf.push(b'.');
    let mut frac = k % scale;
    if frac == 0 {
        buf.push(b'0');
        return;
    }
    let mut digits = DIGITS;
    while frac % 10 == 0 {
        frac /= 10;
        digits -= 1;
    }
    let mut tmp = [b'0'; 10];
    let mut i = digits as usize;
    while frac > 0 {
        i -= 1;
        tmp[i] = b'0' + (frac % 10) as u8;
        frac /= 10;
    }
    buf.extend_from_slice(&tmp[..digits as usize]);
}

fn push_row(buf: &mut Vec<u8>, r: &Row) {
    push_u64(buf, r.id);
    buf.push(b',');
    buf.extend_from_slice(ETHNICITY[usize::from(r.eth)].as_bytes());
    buf.push(b',');
    buf.extend_from_slice(SEX[usize::from(r.sex)].as_bytes());
    buf.push(b',');
    buf.extend_from_slice(AGE_BAND[usize::from(r.age)].as_bytes());
    buf.push(b',');
    buf.push(if r.y_true { b'1' } else { b'0' });
    buf.push(b',');
    push_fixed::<6>(buf, r.score_e6);
    buf.push(b',');
    buf.push(if r.y_pred() { b'1' } else { b'0' });
    buf.push(b',');
    push_fixed::<4>(buf, r.weight_e4);
    buf.push(b'\n');
}

fn csv_write_error(err: &std::io::Error) -> Error {
    Error::output("the CSV output", err.to_string())
}

/// Streams the rows to any writer as CSV (header line, `\n` line ends, no
/// quoting since no value needs it), e.g. to pipe 10^8 rows without a file.
///
/// The text is formatted by hand into a 256 KiB buffer, written with
/// `write_all` whenever it fills, so `out` need not be buffered. Returns the
/// number of bytes written. Write errors carry no file; callers that write a
/// file add it with [`Error::in_file`]. A closed pipe shows as an error whose
/// message contains "Broken pipe".
pub fn write_synth_csv<W: Write>(out: W, options: &SynthOptions) -> Result<u64> {
    csv_rows(out, options).map_err(|e| csv_write_error(&e))
}

/// The CSV rows, with the writer's own error.
fn csv_rows<W: Write>(mut out: W, options: &SynthOptions) -> std::io::Result<u64> {
    const FLUSH_AT: usize = 256 * 1024;
    let mut buf: Vec<u8> = Vec::with_capacity(FLUSH_AT + 256);
    buf.extend_from_slice(COLUMNS.join(",").as_bytes());
    buf.push(b'\n');
    let mut written = 0u64;
    let mut rows = RowGen::new(options);
    while rows.remaining() > 0 {
        let r = rows.next_row();
        push_row(&mut buf, &r);
        if buf.len() >= FLUSH_AT {
            out.write_all(&buf)?;
            written += buf.len() as u64;
            buf.clear();
        }
    }
    out.write_all(&buf)?;
    written += buf.len() as u64;
    out.flush()?;
    Ok(written)
}

// ---- files -----------------------------------------------------------------

fn format_error(path: &Path, what: &str, err: impl std::fmt::Display) -> Error {
    Error::output(format!("{} as {what}", path.display()), err.to_string())
}

/// Generates `options.rows` rows and writes them to `path`, in the format
/// its extension names (see [`SynthFormat::from_path`]).
///
/// Memory does not grow with the row count. The data goes to a hidden
/// temporary file in the same folder (`.<name>.tmp<pid>`), renamed to `path`
/// at the end; on error the temporary file is removed and `path` is left as
/// it was. An existing `path` is replaced. The file is not fsynced: these
/// are reproducible benchmark inputs, and syncing gigabytes would dominate
/// the run time.
pub fn write_synth(path: &Path, options: &SynthOptions) -> Result<SynthSummary> {
    let format = SynthFormat::from_path(path)?;
    if options.rows > i64::MAX as u64 {
        return Err(Error::usage(
            "--rows",
            format!(
                "{} rows is more than ids of type Int64 can number",
                options.rows
            ),
        ));
    }
    let mut guard = AtomicFile::create(path)?;
    let file = guard.file();
    match format {
        SynthFormat::Csv => {
            let mut out = BufWriter::with_capacity(1 << 20, file);
            csv_rows(&mut out, options).map_err(|e| Error::write(path, e))?;
            out.into_inner()
                .map_err(|e| Error::write(path, e.into_error()))?
                .flush()
                .map_err(|e| Error::write(path, e))?;
        }
        SynthFormat::Parquet => {
            let props = WriterProperties::builder()
                .set_compression(Compression::ZSTD(ZstdLevel::default()))
                .set_max_row_group_row_count(Some(ROW_GROUP_ROWS))
                .build();
            let out = BufWriter::with_capacity(1 << 20, file);
            let mut writer = ArrowWriter::try_new(out, synth_schema(), Some(props))
                .map_err(|e| format_error(path, "Parquet", e))?;
            for batch in batches(options, BLOCK_ROWS) {
                let rb = batch.to_record_batch().map_err(|e| e.in_file(path))?;
                writer
                    .write(&rb)
                    .map_err(|e| format_error(path, "Parquet", e))?;
            }
            writer
                .into_inner()
                .map_err(|e| format_error(path, "Parquet", e))?
                .into_inner()
                .map_err(|e| Error::write(path, e.into_error()))?
                .flush()
                .map_err(|e| Error::write(path, e))?;
        }
        SynthFormat::ArrowIpc => {
            let out = BufWriter::with_capacity(1 << 20, file);
            let mut writer = arrow_ipc::writer::FileWriter::try_new(out, &synth_schema())
                .map_err(|e| format_error(path, "Arrow IPC", e))?;
            for batch in batches(options, BLOCK_ROWS) {
                let rb = batch.to_record_batch().map_err(|e| e.in_file(path))?;
                writer
                    .write(&rb)
                    .map_err(|e| format_error(path, "Arrow IPC", e))?;
            }
            writer
                .finish()
                .map_err(|e| format_error(path, "Arrow IPC", e))?;
            writer
                .into_inner()
                .map_err(|e| format_error(path, "Arrow IPC", e))?
                .into_inner()
                .map_err(|e| Error::write(path, e.into_error()))?
                .flush()
                .map_err(|e| Error::write(path, e))?;
        }
    }
    guard.commit()?;
    let bytes = std::fs::metadata(path)
        .map_err(|e| Error::io(path, e))?
        .len();
    Ok(SynthSummary {
        rows: options.rows,
        format,
        bytes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    fn opts(rows: u64, seed: u64) -> SynthOptions {
        SynthOptions { rows, seed }
    }

    fn csv_bytes(o: &SynthOptions) -> Vec<u8> {
        let mut v = Vec::new();
        let n = write_synth_csv(&mut v, o).unwrap();
        assert_eq!(n, v.len() as u64);
        v
    }

    fn concat(o: &SynthOptions, batch_rows: usize) -> SynthBatch {
        let mut all = SynthBatch::default();
        for b in batches(o, batch_rows) {
            all.id.extend(b.id);
            all.ethnicity.extend(b.ethnicity);
            all.sex.extend(b.sex);
            all.age_band.extend(b.age_band);
            all.y_true.extend(b.y_true);
            all.y_score.extend(b.y_score);
            all.y_pred.extend(b.y_pred);
            all.weight.extend(b.weight);
        }
        all
    }

    /// Parses generated CSV back into a batch, checking each field's text
    /// against Rust's own shortest formatting of the parsed value.
    fn parse_csv(bytes: &[u8]) -> SynthBatch {
        let intern = |s: &str, names: &[&'static str]| -> &'static str {
            names.iter().copied().find(|n| *n == s).unwrap()
        };
        let mut rdr = csv::Reader::from_reader(bytes);
        assert_eq!(rdr.headers().unwrap(), COLUMNS.as_slice());
        let mut b = SynthBatch::default();
        for rec in rdr.records() {
            let rec = rec.unwrap();
            assert_eq!(rec.len(), 8);
            b.id.push(rec[0].parse().unwrap());
            b.ethnicity.push(intern(&rec[1], &ETHNICITY));
            b.sex.push(intern(&rec[2], &SEX));
            b.age_band.push(intern(&rec[3], &AGE_BAND));
            b.y_true.push(rec[4].parse().unwrap());
            b.y_score.push(rec[5].parse().unwrap());
            b.y_pred.push(rec[6].parse().unwrap());
            b.weight.push(rec[7].parse().unwrap());
        }
        b
    }

    #[test]
    fn header_matches_the_golden_file() {
        let v = csv_bytes(&opts(0, 1));
        assert_eq!(
            v,
            b"id,ethnicity,sex,age_band,y_true,y_score,y_pred,weight\n"
        );
    }

    #[test]
    fn same_seed_same_bytes_different_seed_different_bytes() {
        let a = csv_bytes(&opts(5_000, 20240601));
        let b = csv_bytes(&opts(5_000, 20240601));
        let c = csv_bytes(&opts(5_000, 20240602));
        assert_eq!(a, b);
        assert_ne!(a, c);
        // A shorter run is a prefix of a longer one.
        let short = csv_bytes(&opts(1_000, 20240601));
        assert!(a.starts_with(&short));
    }

    #[test]
    fn batch_size_does_not_change_rows() {
        // Crosses two block boundaries with batch sizes that do not divide
        // the block.
        let o = opts(2 * BLOCK_ROWS as u64 + 777, 7);
        let reference = concat(&o, BLOCK_ROWS);
        for size in [1usize, 1000, 65_535, 100_000, 0] {
            let got = concat(&o, size);
            assert_eq!(got, reference, "batch size {size}");
        }
        assert_eq!(reference.len(), o.rows as usize);
        assert_eq!(reference.id[0], 1);
        assert_eq!(*reference.id.last().unwrap(), o.rows as i64);
        // And the CSV holds the same rows.
        assert_eq!(parse_csv(&csv_bytes(&o)), reference);
    }

    #[test]
    fn fixed_formatting_matches_shortest_float_display() {
        // Every possible rounded score and weight prints as Rust's shortest
        // round-trip representation of the rounded f64 (with `.0` added to
        // whole numbers, as Python prints them), never in exponent form.
        let mut buf = Vec::new();
        for k in 0..=1_000_000u32 {
            buf.clear();
            push_fixed::<6>(&mut buf, k);
            let text = std::str::from_utf8(&buf).unwrap();
            let v = f64::from(k) / 1e6;
            let mut want = format!("{v}");
            if !want.contains('.') {
                want.push_str(".0");
            }
            assert_eq!(text, want);
            assert_eq!(text.parse::<f64>().unwrap(), v);
        }
        for k in 5_000..=15_000u32 {
            buf.clear();
            push_fixed::<4>(&mut buf, k);
            let text = std::str::from_utf8(&buf).unwrap();
            let v = f64::from(k) / 1e4;
            let mut want = format!("{v}");
            if !want.contains('.') {
                want.push_str(".0");
            }
            assert_eq!(text, want);
        }
    }

    #[test]
    fn proportions_disparity_and_prediction_rule() {
        let all = concat(&opts(200_000, 20240601), BLOCK_ROWS);
        let n = all.len() as f64;
        for (g, p) in ETHNICITY.iter().zip(ETHNICITY_P) {
            let share = all.ethnicity.iter().filter(|e| *e == g).count() as f64 / n;
            assert!((share - p).abs() < 0.01, "{g}: {share} vs {p}");
        }
        for (g, p) in SEX.iter().zip(SEX_P) {
            let share = all.sex.iter().filter(|e| *e == g).count() as f64 / n;
            assert!((share - p).abs() < 0.01, "{g}: {share} vs {p}");
        }
        for (g, p) in AGE_BAND.iter().zip(AGE_BAND_P) {
            let share = all.age_band.iter().filter(|e| *e == g).count() as f64 / n;
            assert!((share - p).abs() < 0.01, "{g}: {share} vs {p}");
        }
        let rates = |group: &str| {
            let (mut count, mut sel, mut base) = (0.0, 0.0, 0.0);
            for i in 0..all.len() {
                if all.ethnicity[i] == group {
                    count += 1.0;
                    sel += f64::from(all.y_pred[i]);
                    base += f64::from(all.y_true[i]);
                }
            }
            (sel / count, base / count)
        };
        let (sel_white, base_white) = rates("White");
        let (sel_black, base_black) = rates("Black");
        assert!(
            sel_black - sel_white > 0.08,
            "selection rates: Black {sel_black}, White {sel_white}"
        );
        assert!(
            (base_black - base_white).abs() < 0.03,
            "base rates: Black {base_black}, White {base_white}"
        );
        for i in 0..all.len() {
            assert_eq!(all.y_pred[i] == 1, all.y_score[i] >= 0.5, "row {i}");
            assert!((0.0..=1.0).contains(&all.y_score[i]));
            assert!((0.5..=1.5).contains(&all.weight[i]));
            assert!(all.y_true[i] == 0 || all.y_true[i] == 1);
            assert_eq!((all.y_score[i] * 1e6).round() / 1e6, all.y_score[i]);
            assert_eq!((all.weight[i] * 1e4).round() / 1e4, all.weight[i]);
        }
    }

    fn batch_from_record_batches(rbs: &[RecordBatch]) -> SynthBatch {
        use arrow_array::cast::AsArray;
        use arrow_array::types::{Float64Type, Int8Type, Int64Type};
        let intern = |s: &str, names: &[&'static str]| -> &'static str {
            names.iter().copied().find(|n| *n == s).unwrap()
        };
        let mut b = SynthBatch::default();
        for rb in rbs {
            assert_eq!(rb.schema(), synth_schema());
            b.id.extend(rb.column(0).as_primitive::<Int64Type>().values());
            for (col, names, dst) in [
                (1, &ETHNICITY[..], &mut b.ethnicity),
                (2, &SEX[..], &mut b.sex),
                (3, &AGE_BAND[..], &mut b.age_band),
            ] {
                dst.extend(
                    rb.column(col)
                        .as_string::<i32>()
                        .iter()
                        .map(|s| intern(s.unwrap(), names)),
                );
            }
            b.y_true
                .extend(rb.column(4).as_primitive::<Int8Type>().values());
            b.y_score
                .extend(rb.column(5).as_primitive::<Float64Type>().values());
            b.y_pred
                .extend(rb.column(6).as_primitive::<Int8Type>().values());
            b.weight
                .extend(rb.column(7).as_primitive::<Float64Type>().values());
        }
        b
    }

    #[test]
    fn three_formats_hold_the_same_values() {
        let dir = tempfile::tempdir().unwrap();
        let o = opts(BLOCK_ROWS as u64 + 1234, 42);

        let csv_path = dir.path().join("s.csv");
        let s = write_synth(&csv_path, &o).unwrap();
        assert_eq!(s.format, SynthFormat::Csv);
        assert_eq!(s.rows, o.rows);
        let csv = std::fs::read(&csv_path).unwrap();
        assert_eq!(s.bytes, csv.len() as u64);
        assert_eq!(csv, csv_bytes(&o));
        let from_csv = parse_csv(&csv);

        let pq_path = dir.path().join("s.parquet");
        let s = write_synth(&pq_path, &o).unwrap();
        assert_eq!(s.format, SynthFormat::Parquet);
        let reader = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(
            std::fs::File::open(&pq_path).unwrap(),
        )
        .unwrap();
        assert_eq!(reader.metadata().num_row_groups(), 1);
        let rbs: Vec<RecordBatch> = reader.build().unwrap().map(|r| r.unwrap()).collect();
        assert_eq!(batch_from_record_batches(&rbs), from_csv);

        for ext in ["arrow", "ipc", "feather"] {
            let ipc_path = dir.path().join(format!("s.{ext}"));
            let s = write_synth(&ipc_path, &o).unwrap();
            assert_eq!(s.format, SynthFormat::ArrowIpc);
            let reader = arrow_ipc::reader::FileReader::try_new(
                std::fs::File::open(&ipc_path).unwrap(),
                None,
            )
            .unwrap();
            let rbs: Vec<RecordBatch> = reader.map(|r| r.unwrap()).collect();
            assert_eq!(rbs.len(), 2);
            assert_eq!(batch_from_record_batches(&rbs), from_csv);
        }

        // No temporary files are left behind.
        let mut names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(
            names,
            ["s.arrow", "s.csv", "s.feather", "s.ipc", "s.parquet"]
        );
    }

    #[test]
    fn zero_rows_write_valid_empty_files() {
        let dir = tempfile::tempdir().unwrap();
        for ext in ["csv", "parquet", "arrow"] {
            let p = dir.path().join(format!("empty.{ext}"));
            let s = write_synth(&p, &opts(0, 1)).unwrap();
            assert_eq!(s.rows, 0);
            assert!(s.bytes > 0);
        }
    }

    #[test]
    fn unknown_extension_names_the_allowed_ones() {
        for p in ["out.txt", "out", "out.csv.gz"] {
            let e = SynthFormat::from_path(Path::new(p)).unwrap_err();
            assert!(matches!(e.kind(), ErrorKind::Usage { .. }));
            let s = e.to_string();
            assert!(s.contains("--out"), "{s}");
            assert!(s.contains(p), "{s}");
            for ext in [".csv", ".parquet", ".arrow", ".ipc", ".feather"] {
                assert!(s.contains(ext), "{s}");
            }
        }
        assert_eq!(
            SynthFormat::from_path(Path::new("A.PARQUET")).unwrap(),
            SynthFormat::Parquet
        );
    }

    #[test]
    fn missing_directory_names_the_path() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("no/such/dir/out.csv");
        let e = write_synth(&p, &opts(10, 1)).unwrap_err();
        assert!(matches!(e.kind(), ErrorKind::Write { .. }));
        let s = e.to_string();
        assert!(s.contains(&p.display().to_string()), "{s}");
        assert!(s.contains("does not exist"), "{s}");
        assert!(!p.exists());
    }

    #[test]
    fn failed_run_leaves_no_partial_file() {
        // Renaming onto a non-empty folder fails after all rows are written;
        // the temporary file must be gone afterwards.
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("taken.csv");
        std::fs::create_dir(&p).unwrap();
        std::fs::write(p.join("keep"), b"x").unwrap();
        let e = write_synth(&p, &opts(1_000, 1)).unwrap_err();
        assert!(e.to_string().contains("taken.csv"), "{e}");
        let names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["taken.csv"]);

        // A writer that fails part-way surfaces its error.
        struct Failing(usize);
        impl Write for Failing {
            fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
                if self.0 < b.len() {
                    return Err(std::io::Error::other("disk full"));
                }
                self.0 -= b.len();
                Ok(b.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let e = write_synth_csv(Failing(300_000), &opts(100_000, 1)).unwrap_err();
        assert!(e.to_string().contains("disk full"), "{e}");
    }
}
