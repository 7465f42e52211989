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

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, mpsc};

use serde::{Deserialize, Serialize};

use crate::cohort::{Filter, LabelRule, OnInvalid, Outcome, Prediction};
use crate::error::{Error, Position, Result};
use crate::group::{MAX_ATTRIBUTES, MAX_LEVELS};
use crate::input::{self, Batch, Chunk, ColumnRef, Format, InputFile, NULL_KEY, Rows};
use crate::value::Cell;

use super::Counting;
use super::table::{CellKey, CellStats, CountTable, Fixed};

/// The largest weight accepted for one row.
pub const MAX_WEIGHT: f64 = 1e6;

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

enum PredPlan {
    Label(usize, LabelRule),
    Threshold(usize, f64),
}

/// The spec's roles resolved to projected column positions for one file.
struct Plan {
    path: PathBuf,
    names: Vec<String>,
    filters: Vec<(usize, Filter)>,
    truth: (usize, LabelRule),
    pred: PredPlan,
    weight: Option<usize>,
    attrs: Vec<usize>,
    relabel: Vec<BTreeMap<String, String>>,
    missing_labels: Vec<String>,
    on_invalid: OnInvalid,
    unit_threshold: bool,
}

impl Plan {
    fn new(spec: &Counting<'_>, path: &Path, header: &[String]) -> Result<(Plan, Vec<usize>)> {
        let mut columns: Vec<usize> = Vec::new();
        let mut names: Vec<String> = Vec::new();
        let mut slot = |c: &ColumnRef| -> Result<usize> {
            let idx = input::resolve_column(path, header, &c.name, &c.key)?;
            Ok(match columns.iter().position(|&x| x == idx) {
                Some(p) => p,
                None => {
                    columns.push(idx);
                    names.push(c.name.clone());
                    columns.len() - 1
                }
            })
        };
        let mut filters = Vec::new();
        for (f, key) in spec.filters {
            let c = ColumnRef {
                name: f.column.clone(),
                key: key.clone(),
            };
            filters.push((slot(&c)?, f.clone()));
        }
        let truth = (slot(&spec.truth.column)?, spec.truth.clone());
        let (pred, unit_threshold) = match spec.prediction {
            Prediction::Label(rule) => (PredPlan::Label(slot(&rule.column)?, rule.clone()), false),
            Prediction::Threshold { column, threshold } => (
                PredPlan::Threshold(slot(column)?, *threshold),
                (0.0..=1.0).contains(threshold),
            ),
        };
        let weight = match spec.weight {
            Some(w) => Some(slot(w)?),
            None => None,
        };
        let mut attrs = Vec::new();
        for a in spec.attributes {
            attrs.push(slot(&a.column)?);
        }
        let plan = Plan {
            path: path.to_path_buf(),
            names,
            filters,
            truth,
            pred,
            weight,
            attrs,
            relabel: spec.attributes.iter().map(|a| a.relabel.clone()).collect(),
            missing_labels: spec
                .attributes
                .iter()
                .map(|a| a.missing_label.clone())
                .collect(),
            on_invalid: spec.on_invalid,
            unit_threshold,
        };
        Ok((plan, columns))
    }
}

/// The counts of one worker (over one or more chunks).
struct Part {
    table: CountTable,
    read: u64,
    filtered: Vec<u64>,
    rejections: BTreeMap<(String, String), u64>,
    warnings: BTreeMap<(String, String), u64>,
}

impl Part {
    fn new(attributes: Vec<String>, filters: usize) -> Part {
        Part {
            table: CountTable::new(attributes),
            read: 0,
            filtered: vec![0; filters],
            rejections: BTreeMap::new(),
            warnings: BTreeMap::new(),
        }
    }

    fn merge(&mut self, other: Part) {
        self.table.merge(other.table);
        self.read += other.read;
        for (a, b) in self.filtered.iter_mut().zip(other.filtered) {
            *a += b;
        }
        for (k, v) in other.rejections {
            *self.rejections.entry(k).or_default() += v;
        }
        for (k, v) in other.warnings {
            *self.warnings.entry(k).or_default() += v;
        }
    }
}

/// A row-level problem: rejected or fatal depending on `on_invalid`.
struct Invalid {
    col: usize,
    reason: String,
    hint: String,
}

fn classify(
    rule: &LabelRule,
    cell: &Cell<'_>,
    section: &str,
    col: usize,
) -> std::result::Result<bool, Invalid> {
    if rule.positive.iter().any(|l| l.matches(cell)) {
        return Ok(true);
    }
    if rule.negative.iter().any(|l| l.matches(cell)) {
        return Ok(false);
    }
    let list = |v: &[crate::value::Literal]| {
        v.iter()
            .map(|l| l.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    Err(Invalid {
        col,
        reason: if matches!(cell, Cell::Missing) {
            format!("{section} value is missing")
        } else {
            format!("{section} value is neither positive nor negative")
        },
        hint: format!(
            "the value is {}; positive values are [{}] and negative values are [{}]: add it to {{key:{section}.positive}} or {{key:{section}.negative}}, or set {{set:input.on_invalid=\"reject\"}} to count such rows as rejected",
            cell.describe(),
            list(&rule.positive),
            list(&rule.negative)
        ),
    })
}

fn number(cell: &Cell<'_>, what: &str, col: usize) -> std::result::Result<f64, Invalid> {
    let hint_tail = "or set {set:input.on_invalid=\"reject\"} to count such rows as rejected";
    match cell {
        Cell::Missing => Err(Invalid {
            col,
            reason: format!("{what} is missing"),
            hint: format!(
                "fill in the {what}, filter such rows out (`is not missing`), {hint_tail}"
            ),
        }),
        c => match c.as_f64() {
            Some(x) if x.is_nan() => Err(Invalid {
                col,
                reason: format!("{what} is NaN"),
                hint: format!("a {what} must be a number; {hint_tail}"),
            }),
            Some(x) => Ok(x),
            None => Err(Invalid {
                col,
                reason: format!("{what} is not a number"),
                hint: format!("the value is {}; {hint_tail}", c.describe()),
            }),
        },
    }
}

/// The most distinct values of one attribute within one batch. Any more is
/// an error anyway (an audit allows [`MAX_LEVELS`] in all), and the bound
/// lets a row's group key pack into one integer (see [`PackedKey`]).
const BATCH_LEVELS: usize = (1 << 14) - 1;

/// The id of a missing attribute value within a batch.
const MISSING_ID: u16 = BATCH_LEVELS as u16;

/// A row's cell within a batch, packed into one integer (14 bits per
/// attribute id, then the truth and the prediction): an integer key hashes
/// and compares faster than a struct. Audits of up to four attributes use a
/// `u64`, larger ones a `u128`.
trait PackedKey: Copy + Eq + std::hash::Hash {
    fn pack(ids: &[u16], truth: bool, pred: bool) -> Self;
    fn unpack(self, nattr: usize) -> ([u16; MAX_ATTRIBUTES], bool, bool);
}

macro_rules! packed_key {
    ($t:ty) => {
        impl PackedKey for $t {
            #[inline]
            fn pack(ids: &[u16], truth: bool, pred: bool) -> $t {
                let mut k: $t = 0;
                for &id in ids {
                    k = (k << 14) | <$t>::from(id);
                }
                (k << 2) | (<$t>::from(truth) << 1) | <$t>::from(pred)
            }

            fn unpack(self, nattr: usize) -> ([u16; MAX_ATTRIBUTES], bool, bool) {
                let mut ids = [0u16; MAX_ATTRIBUTES];
                let mut rest = self >> 2;
                for j in (0..nattr).rev() {
                    ids[j] = (rest & 0x3fff) as u16;
                    rest >>= 14;
                }
                (ids, self & 2 != 0, self & 1 != 0)
            }
        }
    };
}

packed_key!(u64);
packed_key!(u128);

/// A cell's sums within one batch. Plain integer additions: a batch holds
/// at most a few million rows of values bounded by [`Fixed::MAX_VALUE`]
/// (2^104 in fixed point), far from the i128 range, so the saturating
/// checks of [`Fixed`] addition are only needed when batches are merged.
#[derive(Clone, Copy, Default)]
struct Acc {
    count: u64,
    weight: i128,
    weight_sq: i128,
    score: i128,
}

type FastMap<K, V> = HashMap<K, V, ahash::RandomState>;

/// The hasher of the scan's per-batch maps. `ahash` is already compiled in
/// (Arrow uses it), is among the fastest for short keys, and fixed seeds
/// keep runs reproducible; hash-flooding resistance does not matter for
/// maps that live for one batch and never reach an output.
fn fast_map<K, V>() -> FastMap<K, V> {
    HashMap::with_hasher(ahash::RandomState::with_seeds(
        0x5eed_0001,
        0x5eed_0002,
        0x5eed_0003,
        0x5eed_0004,
    ))
}

/// Remembers, within one batch, what the scan made of each distinct text
/// of a column (a group id, a label class, a filter outcome), so that a
/// value repeated on a million rows is classified once, not a million
/// times. A handful of values are searched linearly (faster than hashing
/// for the usual few groups); beyond that a hash map takes over, up to
/// `cap` entries, after which new texts are simply not remembered.
struct TextMemo<V> {
    small: Vec<(Box<str>, V)>,
    map: FastMap<Box<str>, V>,
    cap: usize,
}

const SMALL_MEMO: usize = 8;

impl<V: Copy> TextMemo<V> {
    fn new(cap: usize) -> TextMemo<V> {
        TextMemo {
            small: Vec::new(),
            map: fast_map(),
            cap,
        }
    }

    #[inline]
    fn get(&self, s: &str) -> Option<V> {
        if self.map.is_empty() {
            self.small
                .iter()
                .find(|(k, _)| eq_short(k.as_bytes(), s.as_bytes()))
                .map(|(_, v)| *v)
        } else {
            self.map.get(s).copied()
        }
    }

    fn insert(&mut self, s: &str, v: V) {
        if self.map.is_empty() && self.small.len() < SMALL_MEMO {
            self.small.push((s.into(), v));
            return;
        }
        if self.map.is_empty() {
            for (k, v) in self.small.drain(..) {
                self.map.insert(k, v);
            }
        }
        if self.map.len() < self.cap {
            self.map.insert(s.into(), v);
        }
    }
}

/// Byte equality without a call to `memcmp` for the short texts that group
/// and label columns hold: two overlapping word loads per side.
#[inline]
fn eq_short(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    fn word4(x: &[u8], at: usize) -> u32 {
        u32::from_le_bytes([x[at], x[at + 1], x[at + 2], x[at + 3]])
    }
    fn word8(x: &[u8], at: usize) -> u64 {
        let mut w = [0u8; 8];
        w.copy_from_slice(&x[at..at + 8]);
        u64::from_le_bytes(w)
    }
    match n {
        0 => true,
        1..=3 => a[0] == b[0] && a[n / 2] == b[n / 2] && a[n - 1] == b[n - 1],
        4..=8 => word4(a, 0) == word4(b, 0) && word4(a, n - 4) == word4(b, n - 4),
        9..=16 => word8(a, 0) == word8(b, 0) && word8(a, n - 8) == word8(b, n - 8),
        _ => a == b,
    }
}

/// The most distinct texts a filter or label memo remembers per batch
/// (more would cost memory for no gain on high-cardinality columns).
const MEMO_CAP: usize = 4096;

/// A label cell's class; `Invalid` is re-examined on its row for the message.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Class {
    Positive,
    Negative,
    Invalid,
}

fn class_of(rule: &LabelRule, cell: &Cell<'_>) -> Class {
    if rule.positive.iter().any(|l| l.matches(cell)) {
        Class::Positive
    } else if rule.negative.iter().any(|l| l.matches(cell)) {
        Class::Negative
    } else {
        Class::Invalid
    }
}

/// The classes of a label column's distinct values in one batch.
struct ClassMemo {
    text: TextMemo<Class>,
    ints: Vec<(i64, Class)>,
}

impl ClassMemo {
    fn new() -> ClassMemo {
        ClassMemo {
            text: TextMemo::new(MEMO_CAP),
            ints: Vec::new(),
        }
    }

    #[inline]
    fn class(&mut self, rule: &LabelRule, cell: &Cell<'_>) -> Class {
        match *cell {
            Cell::Str(s) => match self.text.get(s) {
                Some(c) => c,
                None => {
                    let c = class_of(rule, cell);
                    self.text.insert(s, c);
                    c
                }
            },
            Cell::Int(i) => match self.ints.iter().find(|(k, _)| *k == i) {
                Some((_, c)) => *c,
                None => {
                    let c = class_of(rule, cell);
                    if self.ints.len() < SMALL_MEMO {
                        self.ints.push((i, c));
                    }
                    c
                }
            },
            other => class_of(rule, &other),
        }
    }
}

/// A non-text attribute value, as a memo key (its label is built only the
/// first time it is seen).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum OtherKey {
    Int(i64),
    Float(u64),
    Bool(bool),
}

/// The distinct values of one attribute in one batch: ids in order of
/// first appearance, keyed by label (so that `1` and `"1"` are one group).
struct Levels {
    text: TextMemo<u16>,
    other: FastMap<OtherKey, u16>,
    by_label: FastMap<String, u16>,
    labels: Vec<String>,
}

impl Levels {
    fn new() -> Levels {
        Levels {
            text: TextMemo::new(usize::MAX),
            other: fast_map(),
            by_label: fast_map(),
            labels: Vec::new(),
        }
    }

    /// The id of a label, assigning the next one if it is new; `None` when
    /// the batch already holds [`BATCH_LEVELS`] distinct values.
    fn id_of_label(&mut self, label: String) -> Option<u16> {
        if let Some(&id) = self.by_label.get(&label) {
            return Some(id);
        }
        if self.labels.len() >= BATCH_LEVELS {
            return None;
        }
        let id = self.labels.len() as u16;
        self.labels.push(label.clone());
        self.by_label.insert(label, id);
        Some(id)
    }

    #[inline]
    fn id(&mut self, cell: &Cell<'_>) -> Option<u16> {
        match *cell {
            Cell::Missing => Some(MISSING_ID),
            Cell::Str(s) => match self.text.get(s) {
                Some(id) => Some(id),
                None => {
                    let id = self.id_of_label(s.to_string())?;
                    self.text.insert(s, id);
                    Some(id)
                }
            },
            other => {
                let key = match other {
                    Cell::Int(i) => OtherKey::Int(i),
                    Cell::Float(f) => OtherKey::Float(f.to_bits()),
                    _ => OtherKey::Bool(matches!(other, Cell::Bool(true))),
                };
                if let Some(&id) = self.other.get(&key) {
                    return Some(id);
                }
                let id = self.id_of_label(other.to_label().unwrap_or_default())?;
                self.other.insert(key, id);
                Some(id)
            }
        }
    }
}

/// What the scan made of each value of a dictionary-encoded column in one
/// batch, by dictionary key: rows with the same key hold the same value, so
/// it is classified once, without even comparing text.
struct KeyCache<'b, V> {
    keys: &'b [u32],
    slots: Vec<Option<V>>,
}

impl<'b, V: Copy> KeyCache<'b, V> {
    fn of<B: Rows>(batch: &'b B, col: usize) -> Option<KeyCache<'b, V>> {
        batch.dictionary_keys(col).map(|(keys, n)| KeyCache {
            keys,
            slots: vec![None; n],
        })
    }
}

/// The value for row `r`: from the cache when the column is dictionary
/// encoded and the key was seen, else computed (and remembered).
#[inline]
fn cached<V: Copy>(
    cache: &mut Option<KeyCache<'_, V>>,
    r: usize,
    compute: impl FnOnce() -> V,
) -> V {
    let Some(c) = cache else { return compute() };
    let k = c.keys[r];
    if k == NULL_KEY {
        return compute();
    }
    match c.slots[k as usize] {
        Some(v) => v,
        None => {
            let v = compute();
            c.slots[k as usize] = Some(v);
            v
        }
    }
}

/// Counts one batch into `part`. Returns the first fatal error.
fn count_batch(plan: &Plan, batch: &Batch, part: &mut Part) -> Result<()> {
    let small = plan.attrs.len() <= 4;
    match batch {
        Batch::Csv(b) if small => count_rows::<_, u64>(plan, b, part),
        Batch::Csv(b) => count_rows::<_, u128>(plan, b, part),
        Batch::Arrow(b) if small => count_rows::<_, u64>(plan, b, part),
        Batch::Arrow(b) => count_rows::<_, u128>(plan, b, part),
    }
}

/// The scan's inner loop, compiled once per batch type.
///
/// Per row it does only what the row needs: each filter, label and group
/// value is looked up in a per-batch memo of the column's distinct texts
/// (most columns that matter to an audit have a handful), numbers (scores,
/// weights) are parsed, and the row is added to a hash map keyed by one
/// packed integer. Labels are built and relabelled once per batch, when the
/// batch's cells are added to the count table.
fn count_rows<B: Rows, K: PackedKey>(plan: &Plan, batch: &B, part: &mut Part) -> Result<()> {
    let nattr = plan.attrs.len();
    let mut levels: Vec<Levels> = (0..nattr).map(|_| Levels::new()).collect();
    let mut filter_memo: Vec<TextMemo<Outcome>> = plan
        .filters
        .iter()
        .map(|_| TextMemo::new(MEMO_CAP))
        .collect();
    let mut truth_memo = ClassMemo::new();
    let mut pred_memo = ClassMemo::new();
    let mut filter_keys: Vec<Option<KeyCache<'_, Outcome>>> = plan
        .filters
        .iter()
        .map(|(c, _)| KeyCache::of(batch, *c))
        .collect();
    let mut truth_keys: Option<KeyCache<'_, Class>> = KeyCache::of(batch, plan.truth.0);
    let mut pred_keys: Option<KeyCache<'_, Class>> = match &plan.pred {
        PredPlan::Label(c, _) => KeyCache::of(batch, *c),
        PredPlan::Threshold(..) => None,
    };
    let mut attr_keys: Vec<Option<KeyCache<'_, Option<u16>>>> =
        plan.attrs.iter().map(|&c| KeyCache::of(batch, c)).collect();
    let mut cells: FastMap<K, Acc> = fast_map();
    let mut out_of_unit = 0u64;
    let one = Fixed::from_f64(1.0).unwrap_or_default();
    let fail = |col: usize, r: usize, message: String, hint: String| {
        Error::input(
            Position::file(&plan.path)
                .with_row(batch.row_number(r))
                .with_column(plan.names[col].clone()),
            message,
        )
        .with_hint(hint)
    };
    let n = batch.rows();
    part.read += n as u64;
    'rows: for r in 0..n {
        for (i, (col, f)) in plan.filters.iter().enumerate() {
            let memo = &mut filter_memo[i];
            let outcome = cached(&mut filter_keys[i], r, || {
                let cell = batch.cell(*col, r);
                match cell {
                    Cell::Str(s) => match memo.get(s) {
                        Some(o) => o,
                        None => {
                            let o = f.apply(&cell);
                            memo.insert(s, o);
                            o
                        }
                    },
                    other => f.apply(&other),
                }
            });
            match outcome {
                Outcome::Keep => {}
                Outcome::Drop => {
                    part.filtered[i] += 1;
                    continue 'rows;
                }
                Outcome::Incomparable => {
                    return Err(fail(
                        *col,
                        r,
                        format!(
                            "the filter `{f}` cannot compare the value {}",
                            batch.cell(*col, r).describe()
                        ),
                        "compare numbers with numbers and text with quoted text, or add `COLUMN is not missing` / clean the column first".into(),
                    ));
                }
            }
        }
        let row: std::result::Result<(bool, bool, Fixed, Fixed), Invalid> = (|| {
            let (tc, rule) = &plan.truth;
            let class = cached(&mut truth_keys, r, || {
                truth_memo.class(rule, &batch.cell(*tc, r))
            });
            let truth = match class {
                Class::Positive => true,
                Class::Negative => false,
                Class::Invalid => classify(rule, &batch.cell(*tc, r), "truth", *tc)?,
            };
            let (pred, score) = match &plan.pred {
                PredPlan::Label(c, rule) => {
                    let class = cached(&mut pred_keys, r, || {
                        pred_memo.class(rule, &batch.cell(*c, r))
                    });
                    let pred = match class {
                        Class::Positive => true,
                        Class::Negative => false,
                        Class::Invalid => classify(rule, &batch.cell(*c, r), "prediction", *c)?,
                    };
                    (pred, Fixed::ZERO)
                }
                PredPlan::Threshold(c, t) => {
                    let s = number(&batch.cell(*c, r), "score", *c)?;
                    if plan.unit_threshold && !(0.0..=1.0).contains(&s) {
                        out_of_unit += 1;
                    }
                    (s >= *t, score_fixed(s))
                }
            };
            let w = match plan.weight {
                None => one,
                Some(c) => {
                    let w = number(&batch.cell(c, r), "weight", c)?;
                    if w < 0.0 {
                        return Err(Invalid {
                            col: c,
                            reason: "weight is negative".into(),
                            hint: format!(
                                "weights must be 0 or more (found {w}); or set {{set:input.on_invalid=\"reject\"}}"
                            ),
                        });
                    }
                    if w > MAX_WEIGHT {
                        return Err(Invalid {
                            col: c,
                            reason: format!("weight is larger than {MAX_WEIGHT:e}"),
                            hint: format!(
                                "found {w}; rescale the weights (only their ratios matter)"
                            ),
                        });
                    }
                    Fixed::from_f64(w).unwrap_or_default()
                }
            };
            Ok((truth, pred, w, score))
        })();
        let (truth, pred, weight, score) = match row {
            Ok(x) => x,
            Err(inv) => match plan.on_invalid {
                OnInvalid::Error => return Err(fail(inv.col, r, inv.reason, inv.hint)),
                OnInvalid::Reject => {
                    *part
                        .rejections
                        .entry((plan.names[inv.col].clone(), inv.reason))
                        .or_default() += 1;
                    continue 'rows;
                }
            },
        };
        let mut ids = [0u16; MAX_ATTRIBUTES];
        for (j, &col) in plan.attrs.iter().enumerate() {
            let lv = &mut levels[j];
            ids[j] = match cached(&mut attr_keys[j], r, || lv.id(&batch.cell(col, r))) {
                Some(id) => id,
                None => {
                    return Err(
                        too_many_levels(&plan.path, &plan.names[col]).at_row(batch.row_number(r))
                    );
                }
            };
        }
        let acc = cells
            .entry(K::pack(&ids[..nattr], truth, pred))
            .or_default();
        acc.count += 1;
        acc.weight += weight.0;
        acc.weight_sq += if plan.weight.is_some() {
            let w = weight.to_f64();
            Fixed::from_f64(w * w).unwrap_or_default().0
        } else {
            one.0
        };
        acc.score += score.0;
    }
    if out_of_unit > 0
        && let PredPlan::Threshold(c, _) = &plan.pred
    {
        *part
            .warnings
            .entry((plan.names[*c].clone(), "scores outside [0, 1] although the threshold is in [0, 1]: check that the score is a probability".into()))
            .or_default() += out_of_unit;
    }
    for (k, acc) in cells {
        let (ids, truth, pred) = k.unpack(nattr);
        let v = CellStats {
            count: acc.count,
            weight: Fixed(acc.weight),
            weight_sq: Fixed(acc.weight_sq),
            score_sum: Fixed(acc.score),
        };
        let levels = (0..nattr)
            .map(|j| {
                let id = ids[j];
                if id == MISSING_ID {
                    plan.missing_labels[j].clone()
                } else {
                    let raw = &levels[j].labels[id as usize];
                    plan.relabel[j]
                        .get(raw)
                        .cloned()
                        .unwrap_or_else(|| raw.clone())
                }
            })
            .collect();
        part.table.add(
            CellKey {
                levels,
                truth,
                pred,
                bucket: 0,
            },
            v,
        );
    }
    Ok(())
}

/// A score as a fixed-point addend of the cell's score sum. Scores beyond
/// the fixed-point range (±[`Fixed::MAX_VALUE`], or infinite) are clamped
/// to it: such a score is not a probability, and the sum of scores serves
/// only threshold-free summaries of probabilities.
fn score_fixed(s: f64) -> Fixed {
    Fixed::from_f64(s.clamp(-Fixed::MAX_VALUE, Fixed::MAX_VALUE)).unwrap_or_default()
}

fn too_many_levels(path: &Path, column: &str) -> Error {
    Error::input(
        Position::file(path).with_column(column),
        format!("the protected attribute has more than {MAX_LEVELS} distinct values"),
    )
    .with_hint("a protected attribute should have a few groups: merge raw codes into groups with `relabel` (e.g. White = [\"W1\", \"W2\"]), or check that the right column is named")
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
    for (i, a) in spec.attributes.iter().enumerate() {
        if table.levels(i).len() > MAX_LEVELS {
            let file = spec
                .inputs
                .first()
                .map(|i| i.path.clone())
                .unwrap_or_default();
            return Err(too_many_levels(&file, &a.column.name));
        }
    }
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

fn scan_file(
    spec: &Counting<'_>,
    input: &InputFile,
    options: &RunOptions<'_>,
    file_idx: usize,
    rows_done: &AtomicU64,
    attr_names: &[String],
) -> Result<Part> {
    let mut source = input::open(input, spec.csv)?;
    let (plan, columns) = Plan::new(spec, &input.path, source.header())?;
    source.project(&columns)?;
    let threads = options.threads.max(1);
    let (tx, rx) = mpsc::sync_channel::<(u64, Chunk)>(threads * 2);
    let rx = Mutex::new(rx);
    // The smallest chunk sequence number known to have failed; chunks after
    // it need not be counted, chunks before it must be (to find the first).
    let first_error = AtomicU64::new(u64::MAX);
    let errors: Mutex<Vec<(u64, Error)>> = Mutex::new(Vec::new());
    let parts: Mutex<Vec<Part>> = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                let mut part = Part::new(attr_names.to_vec(), spec.filters.len());
                loop {
                    let next = match rx.lock() {
                        Ok(guard) => guard.recv(),
                        Err(_) => break,
                    };
                    let Ok((seq, chunk)) = next else { break };
                    if seq > first_error.load(Ordering::SeqCst) {
                        continue;
                    }
                    let mut local = Part::new(attr_names.to_vec(), spec.filters.len());
                    let result = chunk.for_each_batch(&mut |batch| {
                        count_batch(&plan, batch, &mut local)?;
                        rows_done.fetch_add(batch.len() as u64, Ordering::Relaxed);
                        Ok(())
                    });
                    match result {
                        Ok(()) => part.merge(local),
                        Err(e) => {
                            first_error.fetch_min(seq, Ordering::SeqCst);
                            if let Ok(mut errs) = errors.lock() {
                                errs.push((seq, e));
                            }
                        }
                    }
                }
                if let Ok(mut p) = parts.lock() {
                    p.push(part);
                }
            });
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packed_keys_round_trip() {
        let ids = [0, 1, MISSING_ID, 9, 16_000, 2, 3, MISSING_ID];
        for (t, p) in [(false, false), (true, false), (false, true), (true, true)] {
            let k = <u128 as PackedKey>::pack(&ids, t, p);
            assert_eq!(k.unpack(8), (ids, t, p));
            let k = <u64 as PackedKey>::pack(&ids[..4], t, p);
            let (back, t2, p2) = k.unpack(4);
            assert_eq!((&back[..4], t2, p2), (&ids[..4], t, p));
        }
    }

    #[test]
    fn short_equality_is_equality() {
        let words = [
            "",
            "a",
            "ab",
            "abc",
            "abcd",
            "abcde",
            "White",
            "Whitf",
            "45+",
            "18-24",
            "25-34",
            "Not stated",
            "Not statee",
            "0123456789abcdef",
            "0123456789abcdeF",
            "0123456789abcdefg",
        ];
        for a in words {
            for b in words {
                assert_eq!(eq_short(a.as_bytes(), b.as_bytes()), a == b, "{a:?} {b:?}");
            }
        }
    }
}
