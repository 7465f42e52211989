//! The scan: rows in, [`CountTable`] out.
//!
//! Reads every input file in chunks, applies the cohort filters, reads the
//! truth, the prediction, the weight and the protected attributes of each
//! row, and adds the row to a per-worker count table. Workers run on their
//! own threads and their tables are merged at the end; because the table is
//! exact integers, the result does not depend on the number of threads or on
//! which worker counted which chunk. Memory is bounded by the chunks in
//! flight plus the tables, whatever the number of rows.
//!
//! Errors are deterministic too: when several chunks hold bad rows, the one
//! reported is the first in file order.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, mpsc};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Position, Result};
use crate::group::MAX_LEVELS;
use crate::input::{self, Chunk, Format, InputFile};

use super::Counting;
use super::table::CountTable;

mod memo;
mod rows;

pub use rows::MAX_SCORE;
use rows::{FilePlan, Part, count_batch, too_many_levels};

/// How many rows went where.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowAccounting {
    /// Data rows read from the input(s).
    pub read: u64,
    /// Rows removed by the cohort filters.
    pub filtered_out: u64,
    /// Rows rejected as invalid (only with `input.on_invalid = "reject"`).
    pub rejected: u64,
    /// Rows counted in the audit.
    pub used: u64,
    /// Rows removed by each filter (a row is charged to the first filter it
    /// fails), in spec order.
    pub filters: Vec<FilterCount>,
    /// Rejected rows by reason.
    pub rejections: Vec<Rejection>,
}

/// Rows removed by one filter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FilterCount {
    /// The filter, as normalised text.
    pub filter: String,
    /// Rows it removed.
    pub removed: u64,
}

/// Rows rejected for one reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rejection {
    /// The column concerned.
    pub column: String,
    /// Why.
    pub reason: String,
    /// How many rows.
    pub count: u64,
}

/// A condition worth telling the user about that is not an error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScanWarning {
    /// The column concerned.
    pub column: String,
    /// What was seen.
    pub message: String,
    /// How many rows.
    pub count: u64,
}

/// What the counting stage produces.
#[derive(Debug, Clone)]
pub struct Counted {
    /// The counts.
    pub table: CountTable,
    /// Row accounting.
    pub rows: RowAccounting,
    /// Warnings about the data.
    pub warnings: Vec<ScanWarning>,
    /// Whether a weight column was used.
    pub weighted: bool,
}

/// Progress of a running scan, reported after each chunk is read.
#[derive(Debug, Clone, Copy, Default)]
pub struct Progress {
    /// Bytes read from the current file.
    pub bytes: u64,
    /// Rows counted so far (all files).
    pub rows: u64,
    /// Index of the current file.
    pub file: usize,
}

/// Options of a run that do not change its result: how many threads every
/// parallel stage (the scan, the bootstrap) may use, and a progress callback.
pub struct RunOptions<'a> {
    /// Worker threads (at least 1).
    pub threads: usize,
    /// Called from the reading thread after each chunk.
    pub progress: Option<&'a (dyn Fn(Progress) + Sync)>,
}

impl Default for RunOptions<'_> {
    fn default() -> Self {
        RunOptions {
            threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
            progress: None,
        }
    }
}

/// Scans the spec's inputs into a count table.
///
/// When the inputs are count tables (`Format::Counts`), nothing is scanned:
/// the tables are read and added (see [`crate::counts`]).
pub fn scan(spec: &Counting<'_>, options: &RunOptions<'_>) -> Result<Counted> {
    if spec.inputs.iter().any(|i| i.format == Format::Counts) {
        return read_counts(spec);
    }
    let attr_names: Vec<String> = spec.attributes.iter().map(|a| a.name.clone()).collect();
    let mut total = Part::new(attr_names.clone(), spec.filters.len());
    let rows_done = AtomicU64::new(0);
    for (file_idx, input) in spec.inputs.iter().enumerate() {
        let part = scan_file(spec, input, options, file_idx, &rows_done, &attr_names)?;
        total.merge(part);
    }
    if total.read == 0 {
        let file = spec
            .inputs
            .first()
            .map(|i| i.path.clone())
            .unwrap_or_default();
        return Err(Error::input(
            Position::file(&file),
            "the input has a header but no data rows",
        )
        .with_hint("check that the right file is named and that the export finished"));
    }
    for (i, a) in spec.attributes.iter().enumerate() {
        if total.table.levels(i).len() > MAX_LEVELS {
            let file = spec
                .inputs
                .first()
                .map(|i| i.path.clone())
                .unwrap_or_default();
            return Err(too_many_levels(&file, &a.column.name));
        }
    }
    let filtered_out: u64 = total.filtered.iter().sum();
    let rejected: u64 = total.rejections.values().sum();
    let used = total.table.total().count;
    let rows = RowAccounting {
        read: total.read,
        filtered_out,
        rejected,
        used,
        filters: spec
            .filters
            .iter()
            .zip(&total.filtered)
            .map(|((f, _), n)| FilterCount {
                filter: f.to_string(),
                removed: *n,
            })
            .collect(),
        rejections: total
            .rejections
            .into_iter()
            .map(|((column, reason), count)| Rejection {
                column,
                reason,
                count,
            })
            .collect(),
    };
    let warnings = total
        .warnings
        .into_iter()
        .map(|((column, message), count)| ScanWarning {
            column,
            message,
            count,
        })
        .collect();
    Ok(Counted {
        table: total.table,
        rows,
        warnings,
        weighted: spec.weight.is_some(),
    })
}

/// An audit from count tables: the tables are read and added; rows are
/// not filtered (a count table is a cohort already) and all are used.
fn read_counts(spec: &Counting<'_>) -> Result<Counted> {
    if let Some((i, input)) = spec
        .inputs
        .iter()
        .enumerate()
        .find(|(_, i)| i.format != Format::Counts)
    {
        return Err(Error::spec(
            if spec.inputs.len() == 1 { "input.path".to_string() } else { format!("input.paths[{i}]") },
            format!("`{}` holds rows, but the other inputs are count tables", input.display),
        )
        .with_hint("audit rows or count tables, not both: make a count table of the rows with `fairaudit counts`"));
    }
    if !spec.filters.is_empty() {
        return Err(Error::spec(
            "cohort.filters",
            "cohort filters cannot apply to a count table: its rows were counted already",
        )
        .with_hint("remove [cohort] filters from this spec, and apply them where the table was made (the spec given to `fairaudit counts`, or the WHERE clause of `fairaudit sql`)"));
    }
    let attributes: Vec<super::file::AttributeColumn> = spec
        .attributes
        .iter()
        .map(|a| super::file::AttributeColumn {
            name: a.name.clone(),
            column: a.column.name.clone(),
            key: a.column.key.clone(),
        })
        .collect();
    let levels = super::file::LevelMap {
        relabel: spec.attributes.iter().map(|a| a.relabel.clone()).collect(),
        missing: spec
            .attributes
            .iter()
            .map(|a| a.missing_label.clone())
            .collect(),
    };
    let attr_names: Vec<String> = attributes.iter().map(|a| a.name.clone()).collect();
    let mut table = CountTable::new(attr_names);
    for input in spec.inputs {
        let read = super::file::read(&input.path, &input.display, Some(&attributes), &levels)?;
        table.merge(read.table);
    }
    if table.is_empty() {
        let file = spec
            .inputs
            .first()
            .map(|i| i.path.clone())
            .unwrap_or_default();
        return Err(
            Error::input(Position::file(&file), "the count table has no rows").with_hint(
                "check that the right file is named and that the query that made it selected rows",
            ),
        );
    }
    let file = spec
        .inputs
        .first()
        .map(|i| i.path.clone())
        .unwrap_or_default();
    for (i, a) in spec.attributes.iter().enumerate() {
        if table.levels(i).len() > MAX_LEVELS {
            return Err(too_many_levels(&file, &a.column.name));
        }
    }
    check_groups(table.group_count(), &file)?;
    let weighted = spec.weight.is_some();
    if !weighted {
        table = table.without_weights();
    }
    let used = table.total().count;
    Ok(Counted {
        table,
        rows: RowAccounting {
            read: used,
            used,
            ..RowAccounting::default()
        },
        warnings: Vec::new(),
        weighted,
    })
}

/// The most worker threads a scan uses: beyond this, more threads only
/// contend for the reader.
pub const MAX_THREADS: usize = 256;

/// The most groups (combinations of attribute levels with rows) a table
/// may hold: each is a row of every output, and a few hundred are usual.
pub const MAX_GROUPS: usize = 20_000;

/// An error once the attributes cross into more than [`MAX_GROUPS`] groups.
pub(crate) fn check_groups(groups: usize, file: &std::path::Path) -> Result<()> {
    if groups <= MAX_GROUPS {
        return Ok(());
    }
    Err(Error::input(
        Position::file(file).with_key("attributes"),
        format!("the protected attributes cross into more than {MAX_GROUPS} groups (combinations of their levels)"),
    )
    .with_hint("each attribute's levels multiply: merge raw codes into fewer groups with `relabel` (e.g. age bands instead of ages), or audit fewer attributes at once"))
}

/// What every worker of a file's scan shares.
struct Shared<'a> {
    plan: &'a FilePlan,
    attr_names: &'a [String],
    filters: usize,
    rx: &'a Mutex<mpsc::Receiver<(u64, Chunk)>>,
    first_error: &'a AtomicU64,
    errors: &'a Mutex<Vec<(u64, Error)>>,
    parts: &'a Mutex<Vec<Part>>,
    rows_done: &'a AtomicU64,
}

impl Shared<'_> {
    /// A worker: counts chunks until the reader stops, then hands in its part.
    fn work(&self) {
        let mut part = Part::new(self.attr_names.to_vec(), self.filters);
        loop {
            let next = match self.rx.lock() {
                Ok(guard) => guard.recv(),
                Err(_) => break,
            };
            let Ok((seq, chunk)) = next else { break };
            if seq > self.first_error.load(Ordering::SeqCst) {
                continue;
            }
            let mut local = Part::new(self.attr_names.to_vec(), self.filters);
            let result = chunk.for_each_batch(&mut |batch| {
                count_batch(self.plan, batch, &mut local)?;
                self.rows_done
                    .fetch_add(batch.len() as u64, Ordering::Relaxed);
                Ok(())
            });
            let result = result.and_then(|()| {
                part.merge(local);
                check_groups(part.table.group_count(), self.plan.path())
            });
            match result {
                Ok(()) => {}
                Err(e) => {
                    self.first_error.fetch_min(seq, Ordering::SeqCst);
                    if let Ok(mut errs) = self.errors.lock() {
                        errs.push((seq, e));
                    }
                }
            }
        }
        if let Ok(mut p) = self.parts.lock() {
            p.push(part);
        }
    }
}

fn scan_file(
    spec: &Counting<'_>,
    input: &InputFile,
    options: &RunOptions<'_>,
    file_idx: usize,
    rows_done: &AtomicU64,
    attr_names: &[String],
) -> Result<Part> {
    let mut source = input::open(input, spec.csv)?;
    let (plan, columns) = FilePlan::new(spec, &input.path, source.header())?;
    source.project(&columns)?;
    let threads = options.threads.clamp(1, MAX_THREADS);
    let (tx, rx) = mpsc::sync_channel::<(u64, Chunk)>(threads * 2);
    let rx = Mutex::new(rx);
    // The smallest chunk sequence number known to have failed; chunks after
    // it need not be counted, chunks before it must be (to find the first).
    let first_error = AtomicU64::new(u64::MAX);
    let errors: Mutex<Vec<(u64, Error)>> = Mutex::new(Vec::new());
    let parts: Mutex<Vec<Part>> = Mutex::new(Vec::new());
    let shared = Shared {
        plan: &plan,
        attr_names,
        filters: spec.filters.len(),
        rx: &rx,
        first_error: &first_error,
        errors: &errors,
        parts: &parts,
        rows_done,
    };
    std::thread::scope(|s| {
        let mut started = 0;
        for i in 0..threads {
            let worker = std::thread::Builder::new()
                .name(format!("fairaudit-scan-{i}"))
                .spawn_scoped(s, || shared.work());
            // A worker the system cannot start is simply not there: the
            // others count its chunks, and the result is the same.
            if worker.is_ok() {
                started += 1;
            }
        }
        if started == 0 {
            if let Ok(mut errs) = errors.lock() {
                errs.push((
                    0,
                    Error::usage("--threads", "no worker thread could be started")
                        .with_hint("use fewer threads, e.g. --threads 2"),
                ));
            }
            return;
        }
        let mut seq = 0u64;
        loop {
            if seq > first_error.load(Ordering::SeqCst) {
                break;
            }
            match source.next_chunk() {
                Ok(Some(chunk)) => {
                    if tx.send((seq, chunk)).is_err() {
                        break;
                    }
                }
                Ok(None) => break,
                Err(e) => {
                    first_error.fetch_min(seq, Ordering::SeqCst);
                    if let Ok(mut errs) = errors.lock() {
                        errs.push((seq, e));
                    }
                    break;
                }
            }
            seq += 1;
            if let Some(p) = options.progress {
                p(Progress {
                    bytes: source.bytes_read(),
                    rows: rows_done.load(Ordering::Relaxed),
                    file: file_idx,
                });
            }
        }
        drop(tx);
    });
    let mut errs = errors.into_inner().unwrap_or_default();
    errs.sort_by_key(|(seq, _)| *seq);
    if let Some((_, e)) = errs.into_iter().next() {
        return Err(e);
    }
    let mut total = Part::new(attr_names.to_vec(), spec.filters.len());
    for p in parts.into_inner().unwrap_or_default() {
        total.merge(p);
    }
    Ok(total)
}
