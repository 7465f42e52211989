//! The baseline the scan is measured against: the cost of only *parsing*
//! the columns an audit reads, with nothing counted.
//!
//! * A CSV file is parsed with the `csv` crate (`ByteRecord`, one thread,
//!   the crate's fastest reading mode), touching the projected fields.
//! * A Parquet file is decoded with the `parquet` crate's Arrow reader (one
//!   thread, the same column projection and batch size as the scan).
//!
//! `benches/compare.py` runs it on the files it times `fairaudit run` on:
//!
//! ```text
//! csv_baseline FILE [COLUMN ...]   # default columns: ethnicity sex age_band y_true y_pred
//! ```
//!
//! and it prints `rows seconds`. Under `cargo bench` (no file given) it
//! parses a seeded 1e6-row synthetic CSV five times and prints the median.

use std::fs::File;
use std::path::Path;
use std::time::Instant;

const DEFAULT_COLUMNS: [&str; 5] = ["ethnicity", "sex", "age_band", "y_true", "y_pred"];

fn parse_csv(path: &Path, columns: &[String]) -> u64 {
    let mut rdr = csv::ReaderBuilder::new()
        .from_path(path)
        .expect("open the CSV file");
    let header = rdr.byte_headers().expect("read the header").clone();
    let idx: Vec<usize> = columns
        .iter()
        .map(|c| {
            header
                .iter()
                .position(|h| h == c.as_bytes())
                .unwrap_or_else(|| panic!("no column {c}"))
        })
        .collect();
    let mut rec = csv::ByteRecord::new();
    let mut rows = 0u64;
    let mut bytes = 0u64;
    while rdr.read_byte_record(&mut rec).expect("parse a record") {
        rows += 1;
        for &c in &idx {
            bytes += rec.get(c).map_or(0, |f| f.len() as u64);
        }
    }
    std::hint::black_box(bytes);
    rows
}

fn decode_parquet(path: &Path, columns: &[String]) -> u64 {
    use parquet::arrow::ProjectionMask;
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
    let file = File::open(path).expect("open the Parquet file");
    let builder = ParquetRecordBatchReaderBuilder::try_new(file).expect("read the metadata");
    let schema = builder.parquet_schema();
    let idx: Vec<usize> = columns
        .iter()
        .map(|c| {
            (0..schema.num_columns())
                .find(|&i| schema.column(i).name() == c)
                .unwrap_or_else(|| panic!("no column {c}"))
        })
        .collect();
    let mask = ProjectionMask::leaves(schema, idx);
    let reader = builder
        .with_projection(mask)
        .with_batch_size(64 * 1024)
        .build()
        .expect("build the reader");
    let mut rows = 0u64;
    for batch in reader {
        rows += batch.expect("decode a batch").num_rows() as u64;
    }
    rows
}

fn parse(path: &Path, columns: &[String]) -> u64 {
    if path.extension().is_some_and(|e| e == "parquet") {
        decode_parquet(path, columns)
    } else {
        parse_csv(path, columns)
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let file = args.first().filter(|a| !a.starts_with("--"));
    let mut columns: Vec<String> = args.iter().skip(1).cloned().collect();
    if columns.is_empty() {
        columns = DEFAULT_COLUMNS.iter().map(|s| s.to_string()).collect();
    }
    if let Some(file) = file {
        let start = Instant::now();
        let rows = parse(Path::new(file), &columns);
        println!("{rows} {:.6}", start.elapsed().as_secs_f64());
        return;
    }
    // Under `cargo bench`: a seeded 1e6-row file, parsed five times.
    let dir = tempfile::tempdir().expect("a temp dir");
    let path = dir.path().join("synth.csv");
    fairaudit::synth::write_synth(
        &path,
        &fairaudit::synth::SynthOptions {
            rows: 1_000_000,
            seed: 20240601,
        },
    )
    .expect("write the synthetic file");
    let mut times: Vec<f64> = (0..5)
        .map(|_| {
            let start = Instant::now();
            std::hint::black_box(parse(&path, &columns));
            start.elapsed().as_secs_f64()
        })
        .collect();
    times.sort_by(f64::total_cmp);
    println!(
        "csv crate, parse only, 1e6 rows: median {:.3} s ({:.1} M rows/s)",
        times[2],
        1.0 / times[2]
    );
}
