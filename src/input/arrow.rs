//! Parquet and Arrow IPC input, read as Arrow record batches with only the
//! projected columns (Parquet column projection skips the others on disk).

use std::fs::File;
use std::io::{BufReader, Seek};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Float32Type, Float64Type, Int8Type, Int16Type, Int32Type, Int64Type, UInt8Type, UInt16Type,
    UInt32Type, UInt64Type,
};
use arrow_array::{
    Array, ArrayRef, BooleanArray, Float32Array, Float64Array, Int8Array, Int16Array, Int32Array,
    Int64Array, LargeStringArray, RecordBatch, StringArray, StringViewArray, UInt8Array,
    UInt16Array, UInt32Array, UInt64Array,
};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::{
    ArrowReaderMetadata, ArrowReaderOptions, ParquetRecordBatchReaderBuilder,
};

use crate::error::{Error, Position, Result};
use crate::value::Cell;

use super::{Chunk, Source};

const BATCH_ROWS: usize = 64 * 1024;

fn schema_names(schema: &SchemaRef) -> Vec<String> {
    schema.fields().iter().map(|f| f.name().clone()).collect()
}

/// A Parquet file being read.
///
/// The reading thread only hands out row groups; each worker decodes the
/// row groups it is given with a reader of its own (see [`RowGroupChunk`]),
/// so that decompression and decoding run on every core, not on the
/// reading thread alone.
pub struct ParquetSource {
    path: PathBuf,
    header: Vec<String>,
    metadata: ArrowReaderMetadata,
    mask: Option<ProjectionMask>,
    map: Arc<Vec<usize>>,
    next_group: usize,
    next_row: u64,
    bytes: u64,
}

impl ParquetSource {
    /// Opens the file and reads its schema.
    pub fn open(path: &Path) -> Result<ParquetSource> {
        let file = File::open(path).map_err(|e| Error::io(path, e))?;
        let metadata =
            ArrowReaderMetadata::load(&file, ArrowReaderOptions::new()).map_err(|e| {
                Error::input(
                    Position::file(path),
                    format!("cannot read the file as Parquet: {e}"),
                )
                .with_hint(
                    "check that the file is a complete Parquet file, or give the right extension",
                )
            })?;
        let metadata = with_dictionary_strings(metadata);
        Ok(ParquetSource {
            path: path.to_path_buf(),
            header: schema_names(metadata.schema()),
            metadata,
            mask: None,
            map: Arc::new(Vec::new()),
            next_group: 0,
            next_row: 1,
            bytes: 0,
        })
    }
}

/// The same metadata, asking the reader to keep text columns
/// dictionary-encoded (as Parquet writers store them) instead of expanding
/// every row's string: the scan then classifies each distinct value once
/// per batch, by its dictionary key. A file whose schema does not take the
/// hint is read as it is.
fn with_dictionary_strings(metadata: ArrowReaderMetadata) -> ArrowReaderMetadata {
    let schema = metadata.schema();
    if !schema
        .fields()
        .iter()
        .any(|f| matches!(f.data_type(), DataType::Utf8 | DataType::LargeUtf8))
    {
        return metadata;
    }
    let fields: Vec<Field> = schema
        .fields()
        .iter()
        .map(|f| match f.data_type() {
            DataType::Utf8 | DataType::LargeUtf8 => f.as_ref().clone().with_data_type(
                DataType::Dictionary(Box::new(DataType::Int32), Box::new(f.data_type().clone())),
            ),
            _ => f.as_ref().clone(),
        })
        .collect();
    let hinted = Arc::new(Schema::new_with_metadata(fields, schema.metadata().clone()));
    ArrowReaderMetadata::try_new(
        metadata.metadata().clone(),
        ArrowReaderOptions::new().with_schema(hinted),
    )
    .unwrap_or(metadata)
}

/// One row group of a Parquet file, not yet read: the worker that gets it
/// opens the file, decodes the group's projected columns in batches of
/// `BATCH_ROWS` rows and counts each batch, so memory stays at one batch
/// per worker whatever the size of the group.
pub struct RowGroupChunk {
    path: PathBuf,
    metadata: ArrowReaderMetadata,
    mask: ProjectionMask,
    group: usize,
    first_row: u64,
    map: Arc<Vec<usize>>,
}

impl RowGroupChunk {
    /// Decodes the row group batch by batch, calling `f` on each.
    pub fn for_each_batch(self, f: &mut dyn FnMut(ArrowBatch) -> Result<()>) -> Result<()> {
        let file = File::open(&self.path).map_err(|e| Error::io(&self.path, e))?;
        let decode_error = |row: u64, e: &dyn std::fmt::Display| {
            Error::input(
                Position::file(&self.path).with_row(row),
                format!("cannot decode Parquet data: {e}"),
            )
        };
        let reader = ParquetRecordBatchReaderBuilder::new_with_metadata(file, self.metadata)
            .with_projection(self.mask)
            .with_row_groups(vec![self.group])
            .with_batch_size(BATCH_ROWS)
            .build()
            .map_err(|e| decode_error(self.first_row, &e))?;
        let mut next_row = self.first_row;
        for batch in reader {
            let batch = batch.map_err(|e| decode_error(next_row, &e))?;
            let first_row = next_row;
            next_row += batch.num_rows() as u64;
            let chunk = ArrowChunk {
                batch,
                first_row,
                map: self.map.clone(),
                path: self.path.clone(),
            };
            f(chunk.decode()?)?;
        }
        Ok(())
    }
}

/// For a projection (possibly unsorted), the sorted unique column list that
/// Arrow readers return, and where each projected column sits in it.
fn projection_map(columns: &[usize]) -> (Vec<usize>, Vec<usize>) {
    let mut sorted = columns.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    let map = columns
        .iter()
        .map(|c| sorted.iter().position(|s| s == c).unwrap_or(0))
        .collect();
    (sorted, map)
}

impl Source for ParquetSource {
    fn header(&self) -> &[String] {
        &self.header
    }

    fn project(&mut self, columns: &[usize]) -> Result<()> {
        let (sorted, map) = projection_map(columns);
        self.mask = Some(ProjectionMask::roots(
            self.metadata.metadata().file_metadata().schema_descr(),
            sorted,
        ));
        self.map = Arc::new(map);
        Ok(())
    }

    fn next_chunk(&mut self) -> Result<Option<Chunk>> {
        let Some(mask) = self.mask.clone() else {
            return Err(Error::input(
                Position::file(&self.path),
                "internal: the Parquet source was read before its columns were chosen",
            ));
        };
        let meta = self.metadata.metadata();
        if self.next_group >= meta.num_row_groups() {
            return Ok(None);
        }
        let group = meta.row_group(self.next_group);
        let chunk = RowGroupChunk {
            path: self.path.clone(),
            metadata: self.metadata.clone(),
            mask,
            group: self.next_group,
            first_row: self.next_row,
            map: self.map.clone(),
        };
        self.next_group += 1;
        self.next_row += group.num_rows().max(0) as u64;
        self.bytes += group.compressed_size().max(0) as u64;
        Ok(Some(Chunk::RowGroup(chunk)))
    }

    fn bytes_read(&self) -> u64 {
        self.bytes
    }
}

enum IpcReader {
    File(arrow_ipc::reader::FileReader<BufReader<File>>),
    Stream(arrow_ipc::reader::StreamReader<BufReader<File>>),
}

/// An Arrow IPC file (or stream) being read.
pub struct IpcSource {
    path: PathBuf,
    header: Vec<String>,
    reader: Option<IpcReader>,
    map: Arc<Vec<usize>>,
    next_row: u64,
    bytes: u64,
}

impl IpcSource {
    /// Opens the file and reads its schema.
    pub fn open(path: &Path) -> Result<IpcSource> {
        let open = || File::open(path).map_err(|e| Error::io(path, e));
        let file = open()?;
        let bytes = file.metadata().map(|m| m.len()).unwrap_or(0);
        let header = match arrow_ipc::reader::FileReader::try_new_buffered(file, None) {
            Ok(r) => schema_names(&r.schema()),
            Err(_) => {
                let mut f = open()?;
                f.rewind().map_err(|e| Error::io(path, e))?;
                let r =
                    arrow_ipc::reader::StreamReader::try_new_buffered(f, None).map_err(|e| {
                        Error::input(
                            Position::file(path),
                            format!("cannot read the file as Arrow IPC (file or stream): {e}"),
                        )
                        .with_hint("check that the file is complete, or give the right extension")
                    })?;
                schema_names(&r.schema())
            }
        };
        Ok(IpcSource {
            path: path.to_path_buf(),
            header,
            reader: None,
            map: Arc::new(Vec::new()),
            next_row: 1,
            bytes,
        })
    }
}

impl Source for IpcSource {
    fn header(&self) -> &[String] {
        &self.header
    }

    fn project(&mut self, columns: &[usize]) -> Result<()> {
        let (sorted, map) = projection_map(columns);
        let path = &self.path;
        let file = File::open(path).map_err(|e| Error::io(path, e))?;
        let err = |e: arrow_schema::ArrowError| {
            Error::input(
                Position::file(path),
                format!("cannot read the Arrow IPC columns: {e}"),
            )
        };
        let reader =
            match arrow_ipc::reader::FileReader::try_new_buffered(file, Some(sorted.clone())) {
                Ok(r) => IpcReader::File(r),
                Err(_) => {
                    let f = File::open(path).map_err(|e| Error::io(path, e))?;
                    IpcReader::Stream(
                        arrow_ipc::reader::StreamReader::try_new_buffered(f, Some(sorted))
                            .map_err(err)?,
                    )
                }
            };
        self.reader = Some(reader);
        self.map = Arc::new(map);
        Ok(())
    }

    fn next_chunk(&mut self) -> Result<Option<Chunk>> {
        let next = match self.reader.as_mut() {
            Some(IpcReader::File(r)) => r.next(),
            Some(IpcReader::Stream(r)) => r.next(),
            None => {
                return Err(Error::input(
                    Position::file(&self.path),
                    "internal: the Arrow source was read before its columns were chosen",
                ));
            }
        };
        match next {
            None => Ok(None),
            Some(Err(e)) => Err(Error::input(
                Position::file(&self.path).with_row(self.next_row),
                format!("cannot decode Arrow data: {e}"),
            )),
            Some(Ok(batch)) => {
                let first_row = self.next_row;
                self.next_row += batch.num_rows() as u64;
                Ok(Some(Chunk::Arrow(ArrowChunk {
                    batch,
                    first_row,
                    map: self.map.clone(),
                    path: self.path.clone(),
                })))
            }
        }
    }

    fn bytes_read(&self) -> u64 {
        self.bytes
    }
}

/// A record batch waiting to be turned into typed column views.
pub struct ArrowChunk {
    batch: RecordBatch,
    first_row: u64,
    map: Arc<Vec<usize>>,
    path: PathBuf,
}

impl ArrowChunk {
    /// Checks the column types and builds typed views.
    pub fn decode(self) -> Result<ArrowBatch> {
        let schema = self.batch.schema();
        let mut cols = Vec::with_capacity(self.map.len());
        for &i in self.map.iter() {
            let array = self.batch.column(i).clone();
            let name = schema.field(i).name().clone();
            cols.push(Col::new(array, &name, &self.path)?);
        }
        let codes = cols.iter().map(Col::small_codes).collect();
        Ok(ArrowBatch {
            cols,
            codes,
            len: self.batch.num_rows(),
            first_row: self.first_row,
        })
    }
}

/// The key of a null in a dictionary column's keys.
pub const NULL_KEY: u32 = u32::MAX;

/// A column of a batch, downcast once to its concrete array type so that
/// reading a cell is a plain indexed load, not a dynamic downcast per cell.
enum Col {
    Utf8(StringArray),
    LargeUtf8(LargeStringArray),
    Utf8View(StringViewArray),
    Bool(BooleanArray),
    I8(Int8Array),
    I16(Int16Array),
    I32(Int32Array),
    I64(Int64Array),
    U8(UInt8Array),
    U16(UInt16Array),
    U32(UInt32Array),
    U64(UInt64Array),
    F32(Float32Array),
    F64(Float64Array),
    /// A dictionary-encoded column: its keys ([`NULL_KEY`] for null) and
    /// its values.
    Dict(Vec<u32>, Box<Col>),
    Null,
}

impl Col {
    fn new(a: ArrayRef, name: &str, path: &Path) -> Result<Col> {
        Ok(match a.data_type() {
            DataType::Utf8 => Col::Utf8(a.as_string::<i32>().clone()),
            DataType::LargeUtf8 => Col::LargeUtf8(a.as_string::<i64>().clone()),
            DataType::Utf8View => Col::Utf8View(a.as_string_view().clone()),
            DataType::Boolean => Col::Bool(a.as_boolean().clone()),
            DataType::Int8 => Col::I8(a.as_primitive::<Int8Type>().clone()),
            DataType::Int16 => Col::I16(a.as_primitive::<Int16Type>().clone()),
            DataType::Int32 => Col::I32(a.as_primitive::<Int32Type>().clone()),
            DataType::Int64 => Col::I64(a.as_primitive::<Int64Type>().clone()),
            DataType::UInt8 => Col::U8(a.as_primitive::<UInt8Type>().clone()),
            DataType::UInt16 => Col::U16(a.as_primitive::<UInt16Type>().clone()),
            DataType::UInt32 => Col::U32(a.as_primitive::<UInt32Type>().clone()),
            DataType::UInt64 => Col::U64(a.as_primitive::<UInt64Type>().clone()),
            DataType::Float32 => Col::F32(a.as_primitive::<Float32Type>().clone()),
            DataType::Float64 => Col::F64(a.as_primitive::<Float64Type>().clone()),
            DataType::Null => Col::Null,
            DataType::Dictionary(_, _) => {
                let d = a.as_any_dictionary();
                let keys = d.normalized_keys();
                let nulls = d.keys().logical_nulls();
                let keys = keys
                    .into_iter()
                    .enumerate()
                    .map(|(i, k)| {
                        if nulls.as_ref().is_some_and(|n| n.is_null(i)) {
                            NULL_KEY
                        } else {
                            u32::try_from(k).unwrap_or(NULL_KEY)
                        }
                    })
                    .collect();
                Col::Dict(keys, Box::new(Col::new(d.values().clone(), name, path)?))
            }
            other => {
                return Err(Error::input(
                    Position::file(path).with_column(name),
                    format!("columns of type {other} are not supported"),
                )
                .with_hint("store the column as text, an integer, a float or a boolean"));
            }
        })
    }

    /// Booleans and 8-bit integers as keys in `0..256` ([`NULL_KEY`] for
    /// null), so that each distinct value is classified once per batch.
    fn small_codes(&self) -> Option<Vec<u32>> {
        fn codes<T>(a: &arrow_array::PrimitiveArray<T>, key: impl Fn(T::Native) -> u32) -> Vec<u32>
        where
            T: arrow_array::ArrowPrimitiveType,
        {
            a.iter().map(|v| v.map_or(NULL_KEY, &key)).collect()
        }
        match self {
            Col::I8(a) => Some(codes(a, |v| u32::from(v as u8))),
            Col::U8(a) => Some(codes(a, u32::from)),
            Col::Bool(a) => Some(a.iter().map(|v| v.map_or(NULL_KEY, u32::from)).collect()),
            _ => None,
        }
    }

    /// The number of values (of the dictionary, for a values column).
    fn len(&self) -> usize {
        match self {
            Col::Utf8(a) => a.len(),
            Col::LargeUtf8(a) => a.len(),
            Col::Utf8View(a) => a.len(),
            Col::Bool(a) => a.len(),
            Col::I8(a) => a.len(),
            Col::I16(a) => a.len(),
            Col::I32(a) => a.len(),
            Col::I64(a) => a.len(),
            Col::U8(a) => a.len(),
            Col::U16(a) => a.len(),
            Col::U32(a) => a.len(),
            Col::U64(a) => a.len(),
            Col::F32(a) => a.len(),
            Col::F64(a) => a.len(),
            Col::Dict(keys, _) => keys.len(),
            Col::Null => 0,
        }
    }

    #[inline]
    fn cell(&self, row: usize) -> Cell<'_> {
        macro_rules! get {
            ($arr:expr, $conv:expr) => {{
                if $arr.is_null(row) {
                    Cell::Missing
                } else {
                    $conv($arr.value(row))
                }
            }};
        }
        match self {
            Col::Utf8(a) => get!(a, Cell::Str),
            Col::LargeUtf8(a) => get!(a, Cell::Str),
            Col::Utf8View(a) => get!(a, Cell::Str),
            Col::Bool(a) => get!(a, Cell::Bool),
            Col::I8(a) => get!(a, |v| Cell::Int(i64::from(v))),
            Col::I16(a) => get!(a, |v| Cell::Int(i64::from(v))),
            Col::I32(a) => get!(a, |v| Cell::Int(i64::from(v))),
            Col::I64(a) => get!(a, Cell::Int),
            Col::U8(a) => get!(a, |v| Cell::Int(i64::from(v))),
            Col::U16(a) => get!(a, |v| Cell::Int(i64::from(v))),
            Col::U32(a) => get!(a, |v| Cell::Int(i64::from(v))),
            Col::U64(a) => get!(a, |v: u64| i64::try_from(v)
                .map_or(Cell::Float(v as f64), Cell::Int)),
            Col::F32(a) => get!(a, |v| Cell::Float(f64::from(v))),
            Col::F64(a) => get!(a, Cell::Float),
            Col::Dict(keys, values) => match keys.get(row) {
                Some(&k) if k != NULL_KEY => values.cell(k as usize),
                _ => Cell::Missing,
            },
            Col::Null => Cell::Missing,
        }
    }
}

/// Rows of a record batch, as typed column views.
pub struct ArrowBatch {
    cols: Vec<Col>,
    /// For booleans and 8-bit integers (typically truth and prediction
    /// columns), each row's value as a small key: such columns then take the
    /// scan's per-key path, like dictionary-encoded text.
    codes: Vec<Option<Vec<u32>>>,
    len: usize,
    first_row: u64,
}

impl ArrowBatch {
    /// The number of rows.
    pub fn len(&self) -> usize {
        self.len
    }

    /// The value of projected column `col` at `row`.
    #[inline]
    pub fn cell(&self, col: usize, row: usize) -> Cell<'_> {
        match self.cols.get(col) {
            Some(c) => c.cell(row),
            None => Cell::Missing,
        }
    }

    /// The 1-based row number in the file.
    pub fn row_number(&self, row: usize) -> u64 {
        self.first_row + row as u64
    }

    /// For a dictionary-encoded column, each row's key ([`NULL_KEY`] for
    /// null) and the size of the dictionary: rows with the same key hold
    /// the same value.
    pub fn dictionary_keys(&self, col: usize) -> Option<(&[u32], usize)> {
        match self.cols.get(col) {
            Some(Col::Dict(keys, values)) => Some((keys, values.len())),
            _ => match self.codes.get(col) {
                Some(Some(codes)) => Some((codes, 256)),
                _ => None,
            },
        }
    }
}
