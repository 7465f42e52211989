//! The count table as a file: the published, versioned format in which a
//! [`CountTable`] leaves one machine and comes back from many.
//!
//! `fairaudit counts AUDIT.toml --out counts.parquet` writes the table that
//! the scan of an audit produces; `fairaudit merge` adds tables from shards;
//! an audit spec can read a table instead of rows (`[input] format =
//! "counts"`, or a file named `*.counts.parquet` / `*.counts.csv`); and
//! `fairaudit sql` prints the `GROUP BY` query with which a warehouse or a
//! Spark cluster produces the same table (see [`super::sql`]). Because every
//! statistic of an audit is a function of this table, the rows themselves
//! never have to leave the engine that holds them.
//!
//! # Format, version 2
//!
//! One row per non-empty cell, sorted by the key columns. Parquet (or CSV
//! with a header line, for eyeballing; the same columns, in this order):
//!
//! | column | type | meaning |
//! |---|---|---|
//! | one per protected attribute, named by the attribute's name | Utf8 | the group label (after relabelling); the missing label, e.g. `(missing)`, for a missing value (a null is read as missing too) |
//! | `truth` | Boolean | the observed outcome is positive |
//! | `prediction` | Boolean | the model flagged the row |
//! | `score_bin` | Float64, nullable | the score bin's representative score (its lower edge on a grid, or the score itself); null when the table counts no score dimension |
//! | `flags` | Int64 | memberships an analysis counts beside truth and prediction (0 when none) |
//! | `count` | Int64 | rows in the cell |
//! | `weight_sum`, `weight_sq_sum` | Float64 | Σw and Σw² of the rows (`count` when unweighted), rounded, for people and engines |
//! | `score_sum`, `score_sq_sum` | Float64 | Σw·s and Σw·s² (0 without a score), rounded |
//! | `weight_sum_exact`, `weight_sq_sum_exact`, `score_sum_exact`, `score_sq_sum_exact` | Utf8 | the same four sums exactly: a decimal integer in units of 2⁻¹⁶⁰ (see [`Exact`]) |
//!
//! Parquet key-value metadata: `fairaudit.counts.version` = `2`,
//! `fairaudit.counts.attributes` = the attribute names as a JSON array,
//! `fairaudit.counts.weighted` = `true` or `false`,
//! `fairaudit.counts.score_grid` = `distinct` or `uniform LOW STEP` when the
//! table has a score dimension, and `fairaudit.counts.tool` = the version of
//! fairaudit that wrote it.
//!
//! Why both float and exact sums: a weighted sum in `f64` depends on the
//! order of addition, so the float columns alone would make `merge`
//! inexact; the `*_exact` columns are exact integers, and `merge` adds them
//! exactly. On reading, an `*_exact` column is used when present, the float
//! column otherwise.
//!
//! Version 1 tables (a `score_bucket` column, always 0, and `*_fixed`
//! columns in units of 2⁻⁶⁴) are still read: their fixed sums convert
//! exactly.
//!
//! # Reading
//!
//! Readers accept what an engine writes: any of Parquet, CSV or Arrow IPC;
//! integer 0/1 or text `true`/`false` for `truth` and `prediction`; any
//! integer or integral float for `count`; the metadata may be absent (the
//! attributes are then the columns that are not listed above, in file
//! order); `score_bin`, `flags`, the sums and the exact columns may be
//! absent (then none, 0, `count`, `count` — or an error if `weight_sum` is
//! there without `weight_sq_sum` — and 0). Rows with the same key are added.
//! A null `truth` or `prediction` marks rows whose value was invalid (see
//! [`super::sql`]); such a table is refused, with their number.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use arrow_array::builder::StringBuilder;
use arrow_array::{ArrayRef, BooleanArray, Float64Array, Int64Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema};
use parquet::arrow::ArrowWriter;
use parquet::file::metadata::KeyValue;
use parquet::file::properties::WriterProperties;

use super::Grid;
use super::exact::Exact;
use super::table::{Bin, CellKey, CellStats, CountTable};
use crate::error::{Error, Position, Result};
use crate::input::{self, CsvOptions, Format, InputFile, Source};
use crate::number::machine;
use crate::value::Cell;

/// The version of the format this module writes (it reads 1 and 2).
pub const VERSION: u32 = 2;

/// Metadata key: the format version.
pub const KEY_VERSION: &str = "fairaudit.counts.version";
/// Metadata key: the attribute names, as a JSON array.
pub const KEY_ATTRIBUTES: &str = "fairaudit.counts.attributes";
/// Metadata key: whether the sums are weighted.
pub const KEY_WEIGHTED: &str = "fairaudit.counts.weighted";
/// Metadata key: the score grid (`distinct` or `uniform LOW STEP`).
pub const KEY_SCORE_GRID: &str = "fairaudit.counts.score_grid";
/// Metadata key: the tool that wrote the file.
pub const KEY_TOOL: &str = "fairaudit.counts.tool";

/// The columns after the attributes, in order (format 2).
pub const VALUE_COLUMNS: [&str; 13] = [
    "truth",
    "prediction",
    "score_bin",
    "flags",
    "count",
    "weight_sum",
    "weight_sq_sum",
    "score_sum",
    "score_sq_sum",
    "weight_sum_exact",
    "weight_sq_sum_exact",
    "score_sum_exact",
    "score_sq_sum_exact",
];

/// Columns of format 1 that format 2 replaced; still read, and still
/// reserved as attribute names.
const FORMAT_1_COLUMNS: [&str; 4] = [
    "score_bucket",
    "weight_sum_fixed",
    "weight_sq_sum_fixed",
    "score_sum_fixed",
];

/// The prefix of names fairaudit uses for itself (e.g. in the SQL's
/// intermediate columns); no attribute may start with it.
pub const RESERVED_PREFIX: &str = "fairaudit_";

/// What a count-table file says about itself.
#[derive(Debug, Clone, PartialEq)]
pub struct CountsMeta {
    /// The attribute names, in key order.
    pub attributes: Vec<String>,
    /// Whether the sums are weighted (`None` when the file does not say).
    pub weighted: Option<bool>,
    /// The score grid, when the table has a score dimension and says so.
    pub score_grid: Option<Grid>,
}

/// Whether `name` is a column of the count-table format (any version).
fn is_value_column(name: &str) -> bool {
    VALUE_COLUMNS.contains(&name) || FORMAT_1_COLUMNS.contains(&name)
}

/// Checks that attribute names can be column names of a count table.
pub fn check_attribute_names(attributes: &[String]) -> Result<()> {
    for a in attributes {
        if is_value_column(a) || a.starts_with(RESERVED_PREFIX) {
            return Err(Error::spec(
                "attributes",
                format!("the attribute name `{a}` is reserved for a column of the count table"),
            )
            .with_hint("give the attribute another `name` (e.g. `name = \"group\"`)"));
        }
    }
    Ok(())
}

/// The four sums of a cell, in column order.
const SUMS: [fn(&CellStats) -> Exact; 4] =
    [|s| s.weight, |s| s.weight_sq, |s| s.score, |s| s.score_sq];

/// The grid as the metadata writes it.
fn grid_text(g: &Grid) -> String {
    match g {
        Grid::Distinct => "distinct".to_string(),
        Grid::Uniform { low, step } => {
            format!("uniform {} {}", machine(Some(*low)), machine(Some(*step)))
        }
    }
}

fn parse_grid(s: &str) -> Option<Grid> {
    let parts: Vec<&str> = s.split_whitespace().collect();
    match parts.as_slice() {
        ["distinct"] => Some(Grid::Distinct),
        ["uniform", low, step] => Some(Grid::Uniform {
            low: low.parse().ok()?,
            step: step.parse().ok()?,
        }),
        _ => None,
    }
}

/// The table as one Arrow record batch in the format's column order.
pub fn to_record_batch(table: &CountTable) -> Result<RecordBatch> {
    check_attribute_names(table.attributes())?;
    let mut fields: Vec<Field> = table
        .attributes()
        .iter()
        .map(|a| Field::new(a, DataType::Utf8, false))
        .collect();
    fields.extend([
        Field::new("truth", DataType::Boolean, false),
        Field::new("prediction", DataType::Boolean, false),
        Field::new("score_bin", DataType::Float64, true),
        Field::new("flags", DataType::Int64, false),
        Field::new("count", DataType::Int64, false),
    ]);
    for name in &VALUE_COLUMNS[5..9] {
        fields.push(Field::new(*name, DataType::Float64, false));
    }
    for name in &VALUE_COLUMNS[9..] {
        fields.push(Field::new(*name, DataType::Utf8, false));
    }
    let cells: Vec<(&[String], &CellKey, &CellStats)> = table.cells().collect();
    let mut columns: Vec<ArrayRef> = Vec::new();
    for j in 0..table.attributes().len() {
        let mut b = StringBuilder::new();
        for (levels, _, _) in &cells {
            b.append_value(&levels[j]);
        }
        columns.push(Arc::new(b.finish()));
    }
    columns.push(Arc::new(BooleanArray::from(
        cells.iter().map(|(_, k, _)| k.truth).collect::<Vec<_>>(),
    )));
    columns.push(Arc::new(BooleanArray::from(
        cells.iter().map(|(_, k, _)| k.pred).collect::<Vec<_>>(),
    )));
    columns.push(Arc::new(Float64Array::from(
        cells
            .iter()
            .map(|(_, k, _)| k.bin.score())
            .collect::<Vec<_>>(),
    )));
    columns.push(Arc::new(Int64Array::from(
        cells
            .iter()
            .map(|(_, k, _)| i64::from(k.flags))
            .collect::<Vec<_>>(),
    )));
    columns.push(Arc::new(Int64Array::from(
        cells
            .iter()
            .map(|(_, _, s)| i64::try_from(s.count).unwrap_or(i64::MAX))
            .collect::<Vec<_>>(),
    )));
    for get in SUMS {
        columns.push(Arc::new(Float64Array::from(
            cells
                .iter()
                .map(|(_, _, s)| get(s).to_f64())
                .collect::<Vec<_>>(),
        )));
    }
    for get in SUMS {
        columns.push(Arc::new(StringArray::from_iter_values(
            cells.iter().map(|(_, _, s)| get(s).to_units_string()),
        )));
    }
    RecordBatch::try_new(Arc::new(Schema::new(fields)), columns)
        .map_err(|e| Error::output("the count table", e.to_string()))
}

/// The table as Parquet bytes, with the format's metadata.
pub fn to_parquet(table: &CountTable, weighted: bool) -> Result<Vec<u8>> {
    let batch = to_record_batch(table)?;
    let attrs = serde_json::to_string(table.attributes())
        .map_err(|e| Error::output("the count table's metadata", e.to_string()))?;
    let mut kv = vec![
        KeyValue::new(KEY_VERSION.to_string(), VERSION.to_string()),
        KeyValue::new(KEY_ATTRIBUTES.to_string(), attrs),
        KeyValue::new(KEY_WEIGHTED.to_string(), weighted.to_string()),
        KeyValue::new(
            KEY_TOOL.to_string(),
            format!("fairaudit {}", env!("CARGO_PKG_VERSION")),
        ),
    ];
    if let Some(g) = table.score_grid() {
        kv.push(KeyValue::new(KEY_SCORE_GRID.to_string(), grid_text(g)));
    }
    let props = WriterProperties::builder()
        .set_key_value_metadata(Some(kv))
        .build();
    let err =
        |e: &dyn std::fmt::Display| Error::output("the count table as Parquet", e.to_string());
    let mut out = Vec::new();
    let mut w = ArrowWriter::try_new(&mut out, batch.schema(), Some(props)).map_err(|e| err(&e))?;
    w.write(&batch).map_err(|e| err(&e))?;
    w.close().map_err(|e| err(&e))?;
    Ok(out)
}

/// The table as CSV bytes: a header line, then one line per cell; numbers
/// in shortest round-trip form, a missing score bin as an empty field. CSV
/// carries no metadata: a reader takes the attributes from the columns.
pub fn to_csv(table: &CountTable) -> Result<Vec<u8>> {
    check_attribute_names(table.attributes())?;
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header: Vec<&str> = table.attributes().iter().map(String::as_str).collect();
    header.extend(VALUE_COLUMNS);
    let werr = |e: csv::Error| Error::output("the count table as CSV", e.to_string());
    w.write_record(&header).map_err(werr)?;
    for (levels, k, s) in table.cells() {
        let mut rec: Vec<String> = levels.to_vec();
        rec.extend([
            k.truth.to_string(),
            k.pred.to_string(),
            machine(k.bin.score()),
            k.flags.to_string(),
            s.count.to_string(),
        ]);
        rec.extend(SUMS.iter().map(|get| machine(Some(get(s).to_f64()))));
        rec.extend(SUMS.iter().map(|get| get(s).to_units_string()));
        w.write_record(&rec).map_err(werr)?;
    }
    w.into_inner()
        .map_err(|e| Error::output("the count table as CSV", e.error().to_string()))
}

/// Writes the table to `path`, atomically: CSV for a `.csv` name, else
/// Parquet (with the format's metadata, saying whether it is `weighted`).
pub fn write(path: &Path, table: &CountTable, weighted: bool) -> Result<()> {
    let bytes = if Format::of_count_table(path) == Format::Csv {
        to_csv(table)
    } else {
        to_parquet(table, weighted)
    };
    crate::file::write_atomically(path, &bytes.map_err(|e| e.in_file(path))?)
}

/// How the levels read from a file become the audit's levels.
#[derive(Debug, Clone, Default)]
pub struct LevelMap {
    /// Raw label → display label, per attribute.
    pub relabel: Vec<BTreeMap<String, String>>,
    /// The label of a missing (null or empty) value, per attribute.
    pub missing: Vec<String>,
}

impl LevelMap {
    /// The audit's label of attribute `j`'s value in `cell`.
    fn label(&self, j: usize, cell: &Cell<'_>) -> String {
        let raw = match cell {
            Cell::Missing => None,
            c => c.to_label(),
        };
        match raw {
            None => self
                .missing
                .get(j)
                .cloned()
                .unwrap_or_else(|| crate::group::MISSING_LABEL.to_string()),
            Some(l) => match self.relabel.get(j).and_then(|m| m.get(&l)) {
                Some(d) => d.clone(),
                None => l,
            },
        }
    }
}

/// A count table read from a file, with what the file said about it.
#[derive(Debug, Clone)]
pub struct ReadCounts {
    /// The table.
    pub table: CountTable,
    /// The file's metadata (attributes as found in the file).
    pub meta: CountsMeta,
}

/// The format's metadata in a Parquet file.
struct FileMeta {
    version: Option<String>,
    attributes: Option<Vec<String>>,
    weighted: Option<bool>,
    score_grid: Option<String>,
}

fn parquet_metadata(path: &Path) -> FileMeta {
    use parquet::file::reader::FileReader;
    let kv = crate::file::open_regular(path)
        .ok()
        .and_then(|f| parquet::file::reader::SerializedFileReader::new(f).ok())
        .and_then(|r| r.metadata().file_metadata().key_value_metadata().cloned())
        .unwrap_or_default();
    let get = |k: &str| kv.iter().find(|e| e.key == k).and_then(|e| e.value.clone());
    FileMeta {
        version: get(KEY_VERSION),
        attributes: get(KEY_ATTRIBUTES).and_then(|a| serde_json::from_str(&a).ok()),
        weighted: get(KEY_WEIGHTED).map(|w| w == "true"),
        score_grid: get(KEY_SCORE_GRID),
    }
}

/// An attribute to read from a count table.
#[derive(Debug, Clone)]
pub struct AttributeColumn {
    /// The attribute's name in the audit.
    pub name: String,
    /// The column of the count table that holds it.
    pub column: String,
    /// The spec key that names the column, for errors.
    pub key: String,
}

/// Where the value columns are among the projected columns.
struct Slots {
    truth: usize,
    pred: usize,
    count: usize,
    bin: Option<usize>,
    /// Format 1's bucket column (always 0): read only to be checked.
    bucket: Option<usize>,
    flags: Option<usize>,
    /// Float sums: Σw, Σw², Σws, Σws².
    floats: [Option<usize>; 4],
    /// Exact sums, format 2 (units of 2⁻¹⁶⁰).
    exact: [Option<usize>; 4],
    /// Exact sums, format 1 (units of 2⁻⁶⁴; Σw, Σw², Σs).
    fixed: [Option<usize>; 3],
    names: Vec<String>,
}

/// Resolves the value columns of a count table's header and adds them to
/// the projection after the attribute columns.
fn slots(path: &Path, header: &[String], columns: &mut Vec<usize>) -> Result<Slots> {
    let find = |name: &str| header.iter().position(|h| h == name);
    let need = |name: &str| {
        find(name).ok_or_else(|| {
            Error::input(
                Position::file(path).with_column(name),
                format!("the count table has no `{name}` column"),
            )
            .with_hint("a count table needs `truth`, `prediction` and `count` columns (see `docs/counts-format.md`)")
        })
    };
    let mut slot = |c: Option<usize>| -> Option<usize> {
        c.map(|c| {
            columns.push(c);
            columns.len() - 1
        })
    };
    let truth = slot(Some(need("truth")?)).unwrap_or(0);
    let pred = slot(Some(need("prediction")?)).unwrap_or(0);
    let count = slot(Some(need("count")?)).unwrap_or(0);
    let bin = slot(find("score_bin"));
    let bucket = slot(find("score_bucket"));
    let flags = slot(find("flags"));
    let floats =
        ["weight_sum", "weight_sq_sum", "score_sum", "score_sq_sum"].map(|n| slot(find(n)));
    let exact = [
        "weight_sum_exact",
        "weight_sq_sum_exact",
        "score_sum_exact",
        "score_sq_sum_exact",
    ]
    .map(|n| slot(find(n)));
    let fixed =
        ["weight_sum_fixed", "weight_sq_sum_fixed", "score_sum_fixed"].map(|n| slot(find(n)));
    if floats[0].is_some() && floats[1].is_none() && exact[1].is_none() && fixed[1].is_none() {
        return Err(Error::input(
            Position::file(path).with_column("weight_sq_sum"),
            "the count table has `weight_sum` but no `weight_sq_sum` column",
        )
        .with_hint("add `SUM(w * w) AS weight_sq_sum` to the query that made it"));
    }
    Ok(Slots {
        truth,
        pred,
        count,
        bin,
        bucket,
        flags,
        floats,
        exact,
        fixed,
        names: columns.iter().map(|&c| header[c].clone()).collect(),
    })
}

/// Reads a count table. `attributes` names the attribute columns to read,
/// in key order (`None`: the file's own attributes); `levels` maps their
/// values. `display` names the file in errors.
pub fn read(
    path: &Path,
    display: &str,
    attributes: Option<&[AttributeColumn]>,
    levels: &LevelMap,
) -> Result<ReadCounts> {
    let format = Format::of_count_table(path);
    let input = InputFile {
        path: path.to_path_buf(),
        display: display.to_string(),
        format,
    };
    let meta = if format == Format::Parquet {
        parquet_metadata(path)
    } else {
        FileMeta {
            version: None,
            attributes: None,
            weighted: None,
            score_grid: None,
        }
    };
    if let Some(v) = &meta.version
        && v != "1"
        && v != "2"
    {
        return Err(Error::input(
            Position::file(path),
            format!(
                "the count table is of format version {v}; this fairaudit reads versions 1 and 2"
            ),
        )
        .with_hint(format!(
            "re-create it with fairaudit {} (`fairaudit counts`)",
            env!("CARGO_PKG_VERSION")
        )));
    }
    let mut source = input::open(&input, &CsvOptions::default())?;
    let header = source.header().to_vec();
    let file_attrs: Vec<String> = match meta.attributes {
        Some(a) => a,
        None => header
            .iter()
            .filter(|h| !is_value_column(h))
            .cloned()
            .collect(),
    };
    let wanted: Vec<AttributeColumn> = match attributes {
        Some(a) => a.to_vec(),
        None => file_attrs
            .iter()
            .map(|a| AttributeColumn {
                name: a.clone(),
                column: a.clone(),
                key: "attributes".to_string(),
            })
            .collect(),
    };
    let mut columns: Vec<usize> = Vec::new();
    for a in &wanted {
        columns.push(input::resolve_column(path, &header, &a.column, &a.key)?);
    }
    let slots = slots(path, &header, &mut columns)?;
    source.project(&columns)?;
    let score_grid = meta.score_grid.as_deref().and_then(parse_grid);
    let mut table = CountTable::new(wanted.iter().map(|a| a.name.clone()).collect())
        .with_score_grid(score_grid);
    let invalid = read_rows(
        path,
        source.as_mut(),
        wanted.len(),
        &slots,
        levels,
        &mut table,
    )?;
    if let Some((n, first)) = invalid {
        return Err(Error::input(
            Position::file(path).with_row(first),
            format!("{n} row(s) of the count table have a null `truth` or `prediction`: rows whose value was neither positive nor negative"),
        )
        .with_hint("fix the values at the source, or make the table with {set:input.on_invalid=\"reject\"}, which leaves such rows out"));
    }
    Ok(ReadCounts {
        table,
        meta: CountsMeta {
            attributes: file_attrs,
            weighted: meta.weighted,
            score_grid,
        },
    })
}

/// Reads every row of a count table into `table`; returns the number of
/// rows with a null truth or prediction, and the first of them.
fn read_rows(
    path: &Path,
    source: &mut dyn Source,
    nattr: usize,
    slots: &Slots,
    levels: &LevelMap,
    table: &mut CountTable,
) -> Result<Option<(u64, u64)>> {
    let mut invalid = 0u64;
    let mut first_invalid: Option<u64> = None;
    while let Some(chunk) = source.next_chunk()? {
        chunk.for_each_batch(&mut |batch| {
            for r in 0..batch.len() {
                let at = |col: usize, message: String| {
                    Error::input(
                        Position::file(path)
                            .with_row(batch.row_number(r))
                            .with_column(slots.names[col].clone()),
                        message,
                    )
                };
                let key_levels: Vec<String> = (0..nattr)
                    .map(|j| levels.label(j, &batch.cell(j, r)))
                    .collect();
                let (Some(truth), Some(pred)) = (
                    boolean(&batch.cell(slots.truth, r)).map_err(|m| at(slots.truth, m))?,
                    boolean(&batch.cell(slots.pred, r)).map_err(|m| at(slots.pred, m))?,
                ) else {
                    invalid += 1;
                    first_invalid.get_or_insert(batch.row_number(r));
                    continue;
                };
                let count = whole(&batch.cell(slots.count, r)).map_err(|m| at(slots.count, m))?;
                let bin = match slots.bin {
                    None => Bin::NONE,
                    Some(c) => match batch.cell(c, r) {
                        Cell::Missing => Bin::NONE,
                        cell => match cell.as_f64() {
                            Some(x) if x.is_finite() => Bin::of(x),
                            _ => {
                                return Err(at(
                                    c,
                                    format!("{} is not a finite score bin", cell.describe()),
                                ));
                            }
                        },
                    },
                };
                if let Some(c) = slots.bucket {
                    let b = whole(&batch.cell(c, r)).map_err(|m| at(c, m))?;
                    if b != 0 {
                        return Err(at(
                            c,
                            format!(
                                "score bucket {b} is not 0: format 1 tables have no score dimension"
                            ),
                        ));
                    }
                }
                let flags = match slots.flags {
                    None => 0,
                    Some(c) => {
                        let f = whole(&batch.cell(c, r)).map_err(|m| at(c, m))?;
                        u32::try_from(f).map_err(|_| at(c, format!("flags {f} out of range")))?
                    }
                };
                let n = Exact::from_count(count);
                let sum = |i: usize, default: Exact| -> Result<Exact> {
                    if let Some(c) = slots.exact[i] {
                        return exact_units(&batch.cell(c, r), false).map_err(|m| at(c, m));
                    }
                    if let Some(c) = slots.fixed.get(i).copied().flatten() {
                        return exact_units(&batch.cell(c, r), true).map_err(|m| at(c, m));
                    }
                    match slots.floats[i] {
                        None => Ok(default),
                        Some(c) => float_sum(&batch.cell(c, r)).map_err(|m| at(c, m)),
                    }
                };
                let stats = CellStats {
                    count,
                    weight: sum(0, n)?,
                    weight_sq: sum(1, n)?,
                    score: sum(2, Exact::ZERO)?,
                    score_sq: sum(3, Exact::ZERO)?,
                };
                table.add_cell(
                    &key_levels,
                    CellKey {
                        truth,
                        pred,
                        bin,
                        flags,
                    },
                    stats,
                );
            }
            Ok(())
        })?;
    }
    Ok((invalid > 0).then(|| (invalid, first_invalid.unwrap_or(0))))
}

/// An exact sum column: a decimal integer in units of 2⁻¹⁶⁰ (format 2) or
/// of 2⁻⁶⁴ (format 1, `units_64`).
fn exact_units(cell: &Cell<'_>, units_64: bool) -> std::result::Result<Exact, String> {
    let text = match cell {
        Cell::Str(s) => s.trim().to_string(),
        Cell::Int(i) => i.to_string(),
        other => {
            return Err(format!(
                "{} is not an exact sum (a decimal integer)",
                other.describe()
            ));
        }
    };
    if units_64 {
        text.parse::<i128>()
            .map(Exact::from_units_64)
            .map_err(|_| format!("{text:?} is not an integer in units of 2^-64"))
    } else {
        Exact::from_units_str(&text)
            .ok_or_else(|| format!("{text:?} is not an integer in units of 2^-160"))
    }
}

/// A float sum column (what an engine's `SUM` of doubles gives).
fn float_sum(cell: &Cell<'_>) -> std::result::Result<Exact, String> {
    let x = match cell {
        Cell::Missing => 0.0,
        c => c
            .as_f64()
            .ok_or_else(|| format!("{} is not a number", c.describe()))?,
    };
    Exact::from_f64(x).ok_or_else(|| format!("{x} is not a finite number below 2^94"))
}

/// A boolean cell of a count table; `None` for null (an invalid row).
fn boolean(cell: &Cell<'_>) -> std::result::Result<Option<bool>, String> {
    match *cell {
        Cell::Missing => Ok(None),
        Cell::Bool(b) => Ok(Some(b)),
        Cell::Int(0) => Ok(Some(false)),
        Cell::Int(1) => Ok(Some(true)),
        Cell::Float(0.0) => Ok(Some(false)),
        Cell::Float(1.0) => Ok(Some(true)),
        Cell::Str(s) => match s.trim().to_ascii_lowercase().as_str() {
            "true" | "1" => Ok(Some(true)),
            "false" | "0" => Ok(Some(false)),
            _ => Err(format!("{s:?} is not true/false or 1/0")),
        },
        Cell::Int(i) => Err(format!("{i} is not true/false or 1/0")),
        Cell::Float(f) => Err(format!("{f} is not true/false or 1/0")),
    }
}

/// A non-negative whole number.
fn whole(cell: &Cell<'_>) -> std::result::Result<u64, String> {
    let bad = || format!("{} is not a whole number of rows", cell.describe());
    match *cell {
        Cell::Int(i) => u64::try_from(i).map_err(|_| bad()),
        Cell::Float(f) if f >= 0.0 && f.fract() == 0.0 && f < 1.8e19 => Ok(f as u64),
        Cell::Str(s) => s.trim().parse::<u64>().map_err(|_| bad()),
        _ => Err(bad()),
    }
}

/// Adds count tables (shards of one audit). All must be over the same
/// attributes, in the same order; `names` names each table in errors.
pub fn merge(tables: Vec<(String, ReadCounts)>) -> Result<(CountTable, Option<bool>)> {
    let mut iter = tables.into_iter();
    let Some((first_name, first)) = iter.next() else {
        return Err(Error::usage("FILES", "no count table is given")
            .with_hint("name two or more count tables to merge"));
    };
    let mut total = first.table;
    let mut weighted = first.meta.weighted;
    for (name, t) in iter {
        if t.table.attributes() != total.attributes() {
            return Err(Error::input(
                Position::file(Path::new(&name)),
                format!(
                    "the count table is over the attributes [{}], but {first_name} is over [{}]",
                    t.table.attributes().join(", "),
                    total.attributes().join(", ")
                ),
            )
            .with_hint(
                "merge only shards of the same audit: the same attributes, in the same order",
            ));
        }
        if t.table.score_grid() != total.score_grid()
            && t.table.score_grid().is_some()
            && total.score_grid().is_some()
        {
            return Err(Error::input(
                Position::file(Path::new(&name)),
                "the count tables bin their scores on different grids",
            )
            .with_hint("merge only shards made from the same audit spec"));
        }
        if t.meta.weighted.is_some() && weighted.is_some() && t.meta.weighted != weighted {
            return Err(Error::input(
                Position::file(Path::new(&name)),
                "one count table is weighted and another is not",
            )
            .with_hint("merge only shards made from the same audit spec"));
        }
        weighted = weighted.or(t.meta.weighted);
        total.merge(t.table);
    }
    Ok((total, weighted))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> CountTable {
        let mut t = CountTable::new(vec!["eth".into(), "sex".into()]).with_score_grid(Some(
            Grid::Uniform {
                low: 0.0,
                step: 0.25,
            },
        ));
        let e = |x: f64| Exact::from_f64(x).unwrap();
        t.add_cell(
            &["A, b".into(), "(missing)".into()],
            CellKey {
                truth: true,
                pred: false,
                bin: Bin::of(0.25),
                flags: 0,
            },
            CellStats {
                count: 2,
                weight: e(2.25),
                weight_sq: e(2.53125),
                score: e(0.1),
                score_sq: e(1e-11),
            },
        );
        t.add_cell(
            &["C".into(), "F".into()],
            CellKey::confusion(false, false),
            CellStats::rows(3),
        );
        t
    }

    #[test]
    fn parquet_and_csv_round_trip_exactly() {
        let dir = tempfile::tempdir().unwrap();
        let levels = LevelMap::default();
        for (name, bytes) in [
            ("t.parquet", to_parquet(&table(), true).unwrap()),
            ("t.csv", to_csv(&table()).unwrap()),
        ] {
            let p = dir.path().join(name);
            std::fs::write(&p, bytes).unwrap();
            let back = read(&p, name, None, &levels).unwrap();
            // CSV carries no metadata, so no grid.
            let want = if name.ends_with(".csv") {
                table().with_score_grid(None)
            } else {
                table()
            };
            assert_eq!(back.table, want, "{name}");
            assert_eq!(back.meta.attributes, ["eth", "sex"]);
        }
    }

    #[test]
    fn format_one_tables_are_still_read_exactly() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("old.counts.csv");
        // 2.25 in units of 2^-64 is 2.25 · 2^64.
        std::fs::write(
            &p,
            "eth,truth,prediction,score_bucket,count,weight_sum,weight_sq_sum,score_sum,weight_sum_fixed,weight_sq_sum_fixed,score_sum_fixed\n\
             A,true,false,0,2,2.25,2.53125,0,41505174165846491136,46693320936577302528,0\n",
        )
        .unwrap();
        let back = read(&p, "old", None, &LevelMap::default()).unwrap();
        let (_, k, s) = back.table.cells().next().unwrap();
        assert_eq!(*k, CellKey::confusion(true, false));
        assert_eq!(s.weight.to_f64(), 2.25);
        assert_eq!(s.weight_sq.to_f64(), 2.53125);
        assert_eq!(back.meta.attributes, ["eth"]);
    }

    #[test]
    fn attribute_names_may_not_shadow_value_columns() {
        let t = CountTable::new(vec!["count".into()]);
        assert!(to_parquet(&t, false).is_err());
    }
}
