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
use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_schema::{DataType, SchemaRef};
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::{ParquetRecordBatchReader, ParquetRecordBatchReaderBuilder};

use crate::error::{Error, Position, Result};
use crate::value::Cell;

use super::{Chunk, Source};

const BATCH_ROWS: usize = 64 * 1024;

fn schema_names(schema: &SchemaRef) -> Vec<String> {
    schema.fields().iter().map(|f| f.name().clone()).collect()
}

/// A Parquet file being read.
pub struct ParquetSource {
    path: PathBuf,
    header: Vec<String>,
    builder: Option<ParquetRecordBatchReaderBuilder<File>>,
    reader: Option<ParquetRecordBatchReader>,
    map: Arc<Vec<usize>>,
    next_row: u64,
    total_bytes: u64,
    total_rows: u64,
}

impl ParquetSource {
    /// Opens the file and reads its schema.
    pub fn open(path: &Path) -> Result<ParquetSource> {
        let file = File::open(path).map_err(|e| Error::io(path, &e))?;
        let total_bytes = file.metadata().map(|m| m.len()).unwrap_or(0);
        let builder = ParquetRecordBatchReaderBuilder::try_new(file).map_err(|e| {
            Error::input(
                Position::file(path),
                format!("cannot read the file as Parquet: {e}"),
            )
            .with_hint(
                "check that the file is a complete Parquet file, or give the right extension",
            )
        })?;
        let total_rows = builder.metadata().file_metadata().num_rows().max(0) as u64;
        Ok(ParquetSource {
            path: path.to_path_buf(),
            header: schema_names(builder.schema()),
            builder: Some(builder),
            reader: None,
            map: Arc::new(Vec::new()),
            next_row: 1,
            total_bytes,
            total_rows,
        })
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
        let Some(builder) = self.builder.take() else {
            return Ok(());
        };
        let (sorted, map) = projection_map(columns);
        let mask = ProjectionMask::roots(builder.parquet_schema(), sorted);
        let reader = builder
            .with_projection(mask)
            .with_batch_size(BATCH_ROWS)
            .build()
            .map_err(|e| {
                Error::input(
                    Position::file(&self.path),
                    format!("cannot read the Parquet columns: {e}"),
                )
            })?;
        self.reader = Some(reader);
        self.map = Arc::new(map);
        Ok(())
    }

    fn next_chunk(&mut self) -> Result<Option<Chunk>> {
        let Some(reader) = self.reader.as_mut() else {
            return Err(Error::input(
                Position::file(&self.path),
                "internal: the Parquet source was read before its columns were chosen",
            ));
        };
        match reader.next() {
            None => Ok(None),
            Some(Err(e)) => Err(Error::input(
                Position::file(&self.path).with_row(self.next_row),
                format!("cannot decode Parquet data: {e}"),
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
        if self.total_rows == 0 {
            return self.total_bytes;
        }
        ((self.next_row - 1) as f64 / self.total_rows as f64 * self.total_bytes as f64) as u64
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
        let open = || File::open(path).map_err(|e| Error::io(path, &e));
        let file = open()?;
        let bytes = file.metadata().map(|m| m.len()).unwrap_or(0);
        let header = match arrow_ipc::reader::FileReader::try_new_buffered(file, None) {
            Ok(r) => schema_names(&r.schema()),
            Err(_) => {
                let mut f = open()?;
                f.rewind().map_err(|e| Error::io(path, &e))?;
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
        let file = File::open(path).map_err(|e| Error::io(path, &e))?;
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
                    let f = File::open(path).map_err(|e| Error::io(path, &e))?;
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
        Ok(ArrowBatch {
            cols,
            len: self.batch.num_rows(),
            first_row: self.first_row,
        })
    }
}

enum Col {
    Utf8(ArrayRef),
    LargeUtf8(ArrayRef),
    Utf8View(ArrayRef),
    Bool(ArrayRef),
    I8(ArrayRef),
    I16(ArrayRef),
    I32(ArrayRef),
    I64(ArrayRef),
    U8(ArrayRef),
    U16(ArrayRef),
    U32(ArrayRef),
    U64(ArrayRef),
    F32(ArrayRef),
    F64(ArrayRef),
    /// A dictionary-encoded column: its keys as integers and its values.
    Dict(Vec<Option<usize>>, Box<Col>),
    Null,
}

impl Col {
    fn new(a: ArrayRef, name: &str, path: &Path) -> Result<Col> {
        Ok(match a.data_type() {
            DataType::Utf8 => Col::Utf8(a),
            DataType::LargeUtf8 => Col::LargeUtf8(a),
            DataType::Utf8View => Col::Utf8View(a),
            DataType::Boolean => Col::Bool(a),
            DataType::Int8 => Col::I8(a),
            DataType::Int16 => Col::I16(a),
            DataType::Int32 => Col::I32(a),
            DataType::Int64 => Col::I64(a),
            DataType::UInt8 => Col::U8(a),
            DataType::UInt16 => Col::U16(a),
            DataType::UInt32 => Col::U32(a),
            DataType::UInt64 => Col::U64(a),
            DataType::Float32 => Col::F32(a),
            DataType::Float64 => Col::F64(a),
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
                            None
                        } else {
                            Some(k)
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

    #[inline]
    fn cell(&self, row: usize) -> Cell<'_> {
        macro_rules! prim {
            ($a:expr, $t:ty, $variant:ident, $conv:expr) => {{
                let arr = $a.as_primitive::<$t>();
                if arr.is_null(row) {
                    Cell::Missing
                } else {
                    Cell::$variant($conv(arr.value(row)))
                }
            }};
        }
        match self {
            Col::Utf8(a) => {
                let arr = a.as_string::<i32>();
                if arr.is_null(row) {
                    Cell::Missing
                } else {
                    Cell::Str(arr.value(row))
                }
            }
            Col::LargeUtf8(a) => {
                let arr = a.as_string::<i64>();
                if arr.is_null(row) {
                    Cell::Missing
                } else {
                    Cell::Str(arr.value(row))
                }
            }
            Col::Utf8View(a) => {
                let arr = a.as_string_view();
                if arr.is_null(row) {
                    Cell::Missing
                } else {
                    Cell::Str(arr.value(row))
                }
            }
            Col::Bool(a) => {
                let arr = a.as_boolean();
                if arr.is_null(row) {
                    Cell::Missing
                } else {
                    Cell::Bool(arr.value(row))
                }
            }
            Col::I8(a) => prim!(a, Int8Type, Int, i64::from),
            Col::I16(a) => prim!(a, Int16Type, Int, i64::from),
            Col::I32(a) => prim!(a, Int32Type, Int, i64::from),
            Col::I64(a) => prim!(a, Int64Type, Int, |v: i64| v),
            Col::U8(a) => prim!(a, UInt8Type, Int, i64::from),
            Col::U16(a) => prim!(a, UInt16Type, Int, i64::from),
            Col::U32(a) => prim!(a, UInt32Type, Int, i64::from),
            Col::U64(a) => {
                let arr = a.as_primitive::<UInt64Type>();
                if arr.is_null(row) {
                    Cell::Missing
                } else {
                    let v = arr.value(row);
                    i64::try_from(v).map_or(Cell::Float(v as f64), Cell::Int)
                }
            }
            Col::F32(a) => prim!(a, Float32Type, Float, f64::from),
            Col::F64(a) => prim!(a, Float64Type, Float, |v: f64| v),
            Col::Dict(keys, values) => match keys.get(row).copied().flatten() {
                Some(k) => values.cell(k),
                None => Cell::Missing,
            },
            Col::Null => Cell::Missing,
        }
    }
}

/// Rows of a record batch, as typed column views.
pub struct ArrowBatch {
    cols: Vec<Col>,
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
}
