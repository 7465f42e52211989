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
//! # Format, version 1
//!
//! One row per non-empty cell, sorted by the key columns. Parquet (or CSV
//! with a header line, for eyeballing; the same columns, in this order):
//!
//! | column | type | meaning |
//! |---|---|---|
//! | one per protected attribute, named by the attribute's name | Utf8 | the group label (after relabelling); the missing label, e.g. `(missing)`, for a missing value (a null is read as missing too) |
//! | `truth` | Boolean | the observed outcome is positive |
//! | `prediction` | Boolean | the model flagged the row |
//! | `score_bucket` | Int32 | the score bucket (0: the audit has no score buckets) |
//! | `count` | Int64 | rows in the cell |
//! | `weight_sum` | Float64 | sum of the rows' weights (`count` when unweighted) |
//! | `weight_sq_sum` | Float64 | sum of the squared weights (for Kish's effective sample size) |
//! | `score_sum` | Float64 | sum of the rows' scores (0 when the prediction is a label), so that threshold-free rates such as the mean score can also come from an engine's output |
//! | `weight_sum_fixed`, `weight_sq_sum_fixed`, `score_sum_fixed` | Utf8 | the same three sums exactly: a decimal integer in units of 2⁻⁶⁴ (see [`Fixed`]) |
//!
//! Parquet key-value metadata: `fairaudit.counts.version` = `1`,
//! `fairaudit.counts.attributes` = the attribute names as a JSON array,
//! `fairaudit.counts.weighted` = `true` or `false`, and
//! `fairaudit.counts.tool` = the version of fairaudit that wrote it.
//!
//! Why both float and fixed sums: a weighted sum in `f64` depends on the
//! order of addition, so the float columns alone would make `merge`
//! inexact; the `*_fixed` columns are exact integers, and `merge` adds them
//! exactly. Engines produce only the float columns (`SUM` of doubles): on
//! reading, a `*_fixed` column is used when present, the float column
//! otherwise.
//!
//! # Reading
//!
//! Readers accept what an engine writes: any of Parquet, CSV or Arrow IPC;
//! integer 0/1 or text `true`/`false` for `truth` and `prediction`; any
//! integer or integral float for `count`; the metadata may be absent (the
//! attributes are then the columns that are not listed above, in file
//! order); `score_bucket`, `weight_sum`, `weight_sq_sum`, `score_sum` and
//! the `*_fixed` columns may be absent (then 0, `count`, `count` — or an
//! error if `weight_sum` is there without `weight_sq_sum` — and 0). Rows
//! with the same key are added. A null `truth` or `prediction` marks rows
//! whose value was invalid (see [`super::sql`]); such a table is refused,
//! with their number.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use arrow_array::{ArrayRef, BooleanArray, Float64Array, Int32Array, Int64Array, RecordBatch};
use arrow_array::{StringArray, builder::StringBuilder};
use arrow_schema::{DataType, Field, Schema};
use parquet::arrow::ArrowWriter;
use parquet::file::metadata::KeyValue;
use parquet::file::properties::WriterProperties;

use super::table::{CellKey, CellStats, CountTable, Fixed};
use crate::error::{Error, Position, Result};
use crate::input::{self, CsvOptions, Format, InputFile};
use crate::number::machine;
use crate::value::Cell;

/// The version of the format this module writes and reads.
pub const VERSION: u32 = 1;

/// Metadata key: the format version.
pub const KEY_VERSION: &str = "fairaudit.counts.version";
/// Metadata key: the attribute names, as a JSON array.
pub const KEY_ATTRIBUTES: &str = "fairaudit.counts.attributes";
/// Metadata key: whether the sums are weighted.
pub const KEY_WEIGHTED: &str = "fairaudit.counts.weighted";
/// Metadata key: the tool that wrote the file.
pub const KEY_TOOL: &str = "fairaudit.counts.tool";

/// The columns after the attributes, in order.
pub const VALUE_COLUMNS: [&str; 10] = [
    "truth",
    "prediction",
    "score_bucket",
    "count",
    "weight_sum",
    "weight_sq_sum",
    "score_sum",
    "weight_sum_fixed",
    "weight_sq_sum_fixed",
    "score_sum_fixed",
];

/// The prefix of names fairaudit uses for itself (e.g. in the SQL's
/// intermediate columns); no attribute may start with it.
pub const RESERVED_PREFIX: &str = "fairaudit_";

/// What a count-table file says about itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CountsMeta {
    /// The attribute names, in key order.
    pub attributes: Vec<String>,
    /// Whether the sums are weighted (`None` when the file does not say).
    pub weighted: Option<bool>,
}

/// Checks that attribute names can be column names of a count table.
pub fn check_attribute_names(attributes: &[String]) -> Result<()> {
    for a in attributes {
        if VALUE_COLUMNS.contains(&a.as_str()) || a.starts_with(RESERVED_PREFIX) {
            return Err(Error::spec(
                "attributes",
                format!("the attribute name `{a}` is reserved for a column of the count table"),
            )
            .with_hint("give the attribute another `name` (e.g. `name = \"group\"`)"));
        }
    }
    Ok(())
}

fn fixed_text(f: Fixed) -> String {
    f.0.to_string()
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
        Field::new("score_bucket", DataType::Int32, false),
        Field::new("count", DataType::Int64, false),
        Field::new("weight_sum", DataType::Float64, false),
        Field::new("weight_sq_sum", DataType::Float64, false),
        Field::new("score_sum", DataType::Float64, false),
        Field::new("weight_sum_fixed", DataType::Utf8, false),
        Field::new("weight_sq_sum_fixed", DataType::Utf8, false),
        Field::new("score_sum_fixed", DataType::Utf8, false),
    ]);
    let cells: Vec<(&CellKey, &CellStats)> = table.cells().collect();
    let mut columns: Vec<ArrayRef> = Vec::new();
    for j in 0..table.attributes().len() {
        let mut b = StringBuilder::new();
        for (k, _) in &cells {
            b.append_value(&k.levels[j]);
        }
        columns.push(Arc::new(b.finish()));
    }
    let count_i64 = |s: &CellStats| i64::try_from(s.count).unwrap_or(i64::MAX);
    columns.push(Arc::new(BooleanArray::from(
        cells.iter().map(|(k, _)| k.truth).collect::<Vec<_>>(),
    )));
    columns.push(Arc::new(BooleanArray::from(
        cells.iter().map(|(k, _)| k.pred).collect::<Vec<_>>(),
    )));
    columns.push(Arc::new(Int32Array::from(
        cells
            .iter()
            .map(|(k, _)| i32::try_from(k.bucket).unwrap_or(i32::MAX))
            .collect::<Vec<_>>(),
    )));
    columns.push(Arc::new(Int64Array::from(
        cells.iter().map(|(_, s)| count_i64(s)).collect::<Vec<_>>(),
    )));
    for get in [
        |s: &CellStats| s.weight,
        |s: &CellStats| s.weight_sq,
        |s: &CellStats| s.score_sum,
    ] {
        columns.push(Arc::new(Float64Array::from(
            cells
                .iter()
                .map(|(_, s)| get(s).to_f64())
                .collect::<Vec<_>>(),
        )));
    }
    for get in [
        |s: &CellStats| s.weight,
        |s: &CellStats| s.weight_sq,
        |s: &CellStats| s.score_sum,
    ] {
        columns.push(Arc::new(StringArray::from_iter_values(
            cells.iter().map(|(_, s)| fixed_text(get(s))),
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
    let props = WriterProperties::builder()
        .set_key_value_metadata(Some(vec![
            KeyValue::new(KEY_VERSION.to_string(), VERSION.to_string()),
            KeyValue::new(KEY_ATTRIBUTES.to_string(), attrs),
            KeyValue::new(KEY_WEIGHTED.to_string(), weighted.to_string()),
            KeyValue::new(
                KEY_TOOL.to_string(),
                format!("fairaudit {}", env!("CARGO_PKG_VERSION")),
            ),
        ]))
        .build();
    let err =
        |e: &dyn std::fmt::Display| Error::output("the count table as Parquet", e.to_string());
    let mut out = Vec::new();
    let mut w = ArrowWriter::try_new(&mut out, batch.schema(), Some(props)).map_err(|e| err(&e))?;
    w.write(&batch).map_err(|e| err(&e))?;
    w.close().map_err(|e| err(&e))?;
    Ok(out)
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

/// The table as CSV bytes: a header line, then one line per cell; numbers
/// in shortest round-trip form. CSV carries no metadata: a reader takes
/// the attributes from the columns.
pub fn to_csv(table: &CountTable) -> Result<Vec<u8>> {
    check_attribute_names(table.attributes())?;
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header: Vec<&str> = table.attributes().iter().map(String::as_str).collect();
    header.extend(VALUE_COLUMNS);
    let werr = |e: csv::Error| Error::output("the count table as CSV", e.to_string());
    w.write_record(&header).map_err(werr)?;
    let float = |x: f64| machine(Some(x));
    for (k, s) in table.cells() {
        let mut rec: Vec<String> = k.levels.clone();
        rec.extend([
            k.truth.to_string(),
            k.pred.to_string(),
            k.bucket.to_string(),
            s.count.to_string(),
            float(s.weight.to_f64()),
            float(s.weight_sq.to_f64()),
            float(s.score_sum.to_f64()),
            fixed_text(s.weight),
            fixed_text(s.weight_sq),
            fixed_text(s.score_sum),
        ]);
        w.write_record(&rec).map_err(werr)?;
    }
    w.into_inner()
        .map_err(|e| Error::output("the count table as CSV", e.error().to_string()))
}

/// How the levels read from a file become the audit's levels.
#[derive(Debug, Clone, Default)]
pub struct LevelMap {
    /// Raw label → display label, per attribute.
    pub relabel: Vec<BTreeMap<String, String>>,
    /// The label of a missing (null or empty) value, per attribute.
    pub missing: Vec<String>,
}

/// A count table read from a file, with what the file said about it.
#[derive(Debug, Clone)]
pub struct ReadCounts {
    /// The table.
    pub table: CountTable,
    /// The file's metadata (attributes as found in the file).
    pub meta: CountsMeta,
}

/// The format's metadata in a Parquet file: (version, attributes, weighted).
fn parquet_metadata(path: &Path) -> (Option<String>, Option<Vec<String>>, Option<bool>) {
    use parquet::file::reader::FileReader;
    let kv = std::fs::File::open(path)
        .ok()
        .and_then(|f| parquet::file::reader::SerializedFileReader::new(f).ok())
        .and_then(|r| r.metadata().file_metadata().key_value_metadata().cloned())
        .unwrap_or_default();
    let get = |k: &str| kv.iter().find(|e| e.key == k).and_then(|e| e.value.clone());
    (
        get(KEY_VERSION),
        get(KEY_ATTRIBUTES).and_then(|a| serde_json::from_str(&a).ok()),
        get(KEY_WEIGHTED).map(|w| w == "true"),
    )
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
    let (version, meta_attrs, weighted) = if format == Format::Parquet {
        parquet_metadata(path)
    } else {
        (None, None, None)
    };
    if let Some(v) = version
        && v != VERSION.to_string()
    {
        return Err(Error::input(
            Position::file(path),
            format!(
                "the count table is of format version {v}; this fairaudit reads version {VERSION}"
            ),
        )
        .with_hint(format!(
            "re-create it with fairaudit {} (`fairaudit counts`)",
            env!("CARGO_PKG_VERSION")
        )));
    }
    let mut source = input::open(&input, &CsvOptions::default())?;
    let header = source.header().to_vec();
    let file_attrs: Vec<String> = match meta_attrs {
        Some(a) => a,
        None => header
            .iter()
            .filter(|h| !VALUE_COLUMNS.contains(&h.as_str()))
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
    let nattr = wanted.len();
    let mut slot = |c: Option<usize>| -> Option<usize> {
        c.map(|c| {
            columns.push(c);
            columns.len() - 1
        })
    };
    let truth = slot(Some(need("truth")?)).unwrap_or(0);
    let pred = slot(Some(need("prediction")?)).unwrap_or(0);
    let count = slot(Some(need("count")?)).unwrap_or(0);
    let bucket = slot(find("score_bucket"));
    let wsum = slot(find("weight_sum"));
    let wsq = slot(find("weight_sq_sum"));
    let ssum = slot(find("score_sum"));
    let wsum_fx = slot(find("weight_sum_fixed"));
    let wsq_fx = slot(find("weight_sq_sum_fixed"));
    let ssum_fx = slot(find("score_sum_fixed"));
    if wsum.is_some() && wsq.is_none() && wsq_fx.is_none() {
        return Err(Error::input(
            Position::file(path).with_column("weight_sq_sum"),
            "the count table has `weight_sum` but no `weight_sq_sum` column",
        )
        .with_hint("add `SUM(w * w) AS weight_sq_sum` to the query that made it"));
    }
    let names: Vec<String> = columns.iter().map(|&c| header[c].clone()).collect();
    source.project(&columns)?;
    let mut table = CountTable::new(wanted.iter().map(|a| a.name.clone()).collect());
    let mut invalid = 0u64;
    let mut first_invalid: Option<u64> = None;
    while let Some(chunk) = source.next_chunk()? {
        chunk.for_each_batch(&mut |batch| {
            for r in 0..batch.len() {
                let at = |col: usize, message: String| {
                    Error::input(
                        Position::file(path)
                            .with_row(batch.row_number(r))
                            .with_column(names[col].clone()),
                        message,
                    )
                };
                let mut key_levels = Vec::with_capacity(nattr);
                for j in 0..nattr {
                    let label = match batch.cell(j, r) {
                        Cell::Missing => None,
                        c => c.to_label(),
                    };
                    let label = match label {
                        None => levels
                            .missing
                            .get(j)
                            .cloned()
                            .unwrap_or_else(|| crate::group::MISSING_LABEL.to_string()),
                        Some(l) => match levels.relabel.get(j).and_then(|m| m.get(&l)) {
                            Some(d) => d.clone(),
                            None => l,
                        },
                    };
                    key_levels.push(label);
                }
                let (Some(t), Some(p)) = (
                    boolean(&batch.cell(truth, r)).map_err(|m| at(truth, m))?,
                    boolean(&batch.cell(pred, r)).map_err(|m| at(pred, m))?,
                ) else {
                    invalid += 1;
                    first_invalid.get_or_insert(batch.row_number(r));
                    continue;
                };
                let n = whole(&batch.cell(count, r)).map_err(|m| at(count, m))?;
                let b = match bucket {
                    None => 0,
                    Some(c) => {
                        let b = whole(&batch.cell(c, r)).map_err(|m| at(c, m))?;
                        u32::try_from(b)
                            .map_err(|_| at(c, format!("score bucket {b} is too large")))?
                    }
                };
                let sum = |float: Option<usize>, fixed: Option<usize>, default: Fixed| {
                    if let Some(c) = fixed {
                        match batch.cell(c, r) {
                            Cell::Str(s) => {
                                return s.trim().parse::<i128>().map(Fixed).map_err(|_| {
                                    at(c, format!("{:?} is not an integer in units of 2^-64", s))
                                });
                            }
                            Cell::Int(i) => return Ok(Fixed(i128::from(i))),
                            _ => {}
                        }
                    }
                    match float {
                        None => Ok(default),
                        Some(c) => {
                            let x = match batch.cell(c, r) {
                                Cell::Missing => 0.0,
                                cell => cell.as_f64().ok_or_else(|| {
                                    at(c, format!("{} is not a number", cell.describe()))
                                })?,
                            };
                            Fixed::from_f64(x).ok_or_else(|| {
                                at(c, format!("{x} is not a finite number of at most 1e12"))
                            })
                        }
                    }
                };
                let nf = Fixed::from_f64(n as f64).unwrap_or_default();
                let stats = CellStats {
                    count: n,
                    weight: sum(wsum, wsum_fx, nf)?,
                    weight_sq: sum(wsq, wsq_fx, nf)?,
                    score_sum: sum(ssum, ssum_fx, Fixed::ZERO)?,
                };
                table.add(
                    CellKey {
                        levels: key_levels,
                        truth: t,
                        pred: p,
                        bucket: b,
                    },
                    stats,
                );
            }
            Ok(())
        })?;
    }
    if invalid > 0 {
        return Err(Error::input(
            Position::file(path).with_row(first_invalid.unwrap_or(0)),
            format!("{invalid} row(s) of the count table have a null `truth` or `prediction`: rows whose value was neither positive nor negative"),
        )
        .with_hint("fix the values at the source, or make the table with {set:input.on_invalid=\"reject\"}, which leaves such rows out"));
    }
    Ok(ReadCounts {
        table,
        meta: CountsMeta {
            attributes: file_attrs,
            weighted,
        },
    })
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
        other => Err(format!("{} is not true/false or 1/0", other.describe())),
    }
}

/// A non-negative whole number (a count or a bucket).
fn whole(cell: &Cell<'_>) -> std::result::Result<u64, String> {
    let bad = || format!("{} is not a whole number of 0 or more", cell.describe());
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
        let mut t = CountTable::new(vec!["eth".into(), "sex".into()]);
        let w = Fixed::from_f64(2.25).unwrap();
        t.add(
            CellKey {
                levels: vec!["A, b".into(), "(missing)".into()],
                truth: true,
                pred: false,
                bucket: 0,
            },
            CellStats {
                count: 2,
                weight: w,
                weight_sq: Fixed::from_f64(2.53125).unwrap(),
                score_sum: Fixed::from_f64(0.1).unwrap(),
            },
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
            assert_eq!(back.table, table(), "{name}");
            assert_eq!(back.meta.attributes, ["eth", "sex"]);
        }
    }

    #[test]
    fn attribute_names_may_not_shadow_value_columns() {
        let t = CountTable::new(vec!["count".into()]);
        assert!(to_parquet(&t, false).is_err());
    }
}
