//! The scan's inner loop: one batch of rows into a worker's counts.
//!
//! Per row it does only what the row needs: each filter, label and group
//! value is looked up in a per-batch memo of the column's distinct texts
//! (most columns that matter to an audit have a handful), numbers (scores,
//! weights) are parsed and range-checked, and the row is added to a hash map
//! keyed by one packed integer and its score bin. Labels are built and
//! relabelled once per batch, when the batch's cells are added to the count
//! table.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::cohort::{Filter, LabelRule, OnInvalid, Outcome, Prediction};
use crate::error::{Error, Position, Result};
use crate::group::{MAX_ATTRIBUTES, MAX_LEVELS};
use crate::input::{self, Batch, ColumnRef, Rows};
use crate::value::{Cell, Literal};

use super::super::exact::{Exact, MAX_WEIGHT, MIN_WEIGHT};
use super::super::table::{Bin, CellKey, CellStats, CountTable};
use super::super::{Counting, Grid};
use super::memo::{
    Class, ClassMemo, FastMap, KeyCache, Levels, MEMO_CAP, MISSING_ID, PackedKey, TextMemo, cached,
    fast_map,
};

/// The largest score magnitude accepted: sums of weighted squared scores
/// stay exact for 2³⁵ rows at the largest weight.
pub const MAX_SCORE: f64 = 1e6;

enum PredPlan {
    Label(usize, LabelRule),
    Threshold(usize, f64),
}

/// The spec's roles resolved to projected column positions for one file.
pub(super) struct FilePlan {
    path: PathBuf,
    names: Vec<String>,
    filters: Vec<(usize, Filter)>,
    truth: (usize, LabelRule),
    pred: PredPlan,
    weight: Option<usize>,
    /// The score column (the prediction's, or the score dimension's), and
    /// the grid of the score dimension if one is counted.
    score: Option<(usize, Option<Grid>)>,
    attrs: Vec<usize>,
    relabel: Vec<BTreeMap<String, String>>,
    missing_labels: Vec<String>,
    on_invalid: OnInvalid,
    unit_threshold: bool,
}

impl FilePlan {
    /// The file, for errors.
    pub(super) fn path(&self) -> &Path {
        &self.path
    }

    /// Resolves the spec's columns against a file's header; returns the plan
    /// and the header positions to project, in slot order.
    pub(super) fn new(
        spec: &Counting<'_>,
        path: &Path,
        header: &[String],
    ) -> Result<(FilePlan, Vec<usize>)> {
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
        let score = match (spec.score, &pred) {
            (Some(s), _) => Some((slot(&s.column)?, Some(s.grid))),
            (None, PredPlan::Threshold(c, _)) => Some((*c, None)),
            (None, PredPlan::Label(..)) => None,
        };
        let mut attrs = Vec::new();
        for a in spec.attributes {
            attrs.push(slot(&a.column)?);
        }
        let plan = FilePlan {
            path: path.to_path_buf(),
            names,
            filters,
            truth,
            pred,
            weight,
            score,
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
pub(super) struct Part {
    pub(super) table: CountTable,
    pub(super) read: u64,
    pub(super) filtered: Vec<u64>,
    pub(super) rejections: BTreeMap<(String, String), u64>,
    pub(super) warnings: BTreeMap<(String, String), u64>,
}

impl Part {
    pub(super) fn new(attributes: Vec<String>, filters: usize) -> Part {
        Part {
            table: CountTable::new(attributes),
            read: 0,
            filtered: vec![0; filters],
            rejections: BTreeMap::new(),
            warnings: BTreeMap::new(),
        }
    }

    pub(super) fn merge(&mut self, other: Part) {
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

fn list(v: &[Literal]) -> String {
    v.iter()
        .map(|l| l.to_string())
        .collect::<Vec<_>>()
        .join(", ")
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

const REJECT_TAIL: &str = "or set {set:input.on_invalid=\"reject\"} to count such rows as rejected";

fn number(cell: &Cell<'_>, what: &str, col: usize) -> std::result::Result<f64, Invalid> {
    match cell {
        Cell::Missing => Err(Invalid {
            col,
            reason: format!("{what} is missing"),
            hint: format!(
                "fill in the {what}, filter such rows out (`is not missing`), {REJECT_TAIL}"
            ),
        }),
        c => match c.as_f64() {
            Some(x) if x.is_nan() => Err(Invalid {
                col,
                reason: format!("{what} is NaN"),
                hint: format!("a {what} must be a number; {REJECT_TAIL}"),
            }),
            Some(x) => Ok(x),
            None => Err(Invalid {
                col,
                reason: format!("{what} is not a number"),
                hint: format!("the value is {}; {REJECT_TAIL}", c.describe()),
            }),
        },
    }
}

/// A weight, checked against the accepted range (0, or
/// [`MIN_WEIGHT`]..=[`MAX_WEIGHT`]), within which every sum is exact.
fn weight(cell: &Cell<'_>, col: usize) -> std::result::Result<f64, Invalid> {
    let w = number(cell, "weight", col)?;
    let out_of_range = |reason: String| Invalid {
        col,
        reason,
        hint: format!(
            "found {w}; weights are accepted from {MIN_WEIGHT:e} to {MAX_WEIGHT:e} (and 0), where every sum fairaudit keeps is exact: rescale them (only their ratios matter), {REJECT_TAIL}"
        ),
    };
    if w < 0.0 {
        Err(Invalid {
            col,
            reason: "weight is negative".into(),
            hint: format!("weights must be 0 or more (found {w}); {REJECT_TAIL}"),
        })
    } else if w.is_infinite() || w > MAX_WEIGHT {
        Err(out_of_range(format!(
            "weight is larger than {MAX_WEIGHT:e}"
        )))
    } else if w > 0.0 && w < MIN_WEIGHT {
        Err(out_of_range(format!(
            "weight is positive but smaller than {MIN_WEIGHT:e}"
        )))
    } else {
        Ok(w)
    }
}

/// A score, finite and within ±[`MAX_SCORE`].
fn score(cell: &Cell<'_>, col: usize) -> std::result::Result<f64, Invalid> {
    let s = number(cell, "score", col)?;
    if !s.is_finite() || s.abs() > MAX_SCORE {
        return Err(Invalid {
            col,
            reason: format!("score is not a finite number within ±{MAX_SCORE:e}"),
            hint: format!("found {s}; {REJECT_TAIL}"),
        });
    }
    Ok(s)
}

/// A cell's sums within one batch.
#[derive(Clone, Copy, Default)]
struct Acc {
    count: u64,
    weight: Exact,
    weight_sq: Exact,
    score: Exact,
    score_sq: Exact,
}

/// What one row contributes.
struct RowValues {
    truth: bool,
    pred: bool,
    weight: Option<f64>,
    score: Option<f64>,
    bin: Bin,
}

/// Counts one batch into `part`. Returns the first fatal error.
pub(super) fn count_batch(plan: &FilePlan, batch: &Batch, part: &mut Part) -> Result<()> {
    let small = plan.attrs.len() <= 4;
    match batch {
        Batch::Csv(b) if small => count_rows::<_, u64>(plan, b, part),
        Batch::Csv(b) => count_rows::<_, u128>(plan, b, part),
        Batch::Arrow(b) if small => count_rows::<_, u64>(plan, b, part),
        Batch::Arrow(b) => count_rows::<_, u128>(plan, b, part),
    }
}

/// One batch's memories of its columns' distinct values.
struct Memos<'b> {
    levels: Vec<Levels>,
    filter_text: Vec<TextMemo<Outcome>>,
    filter_keys: Vec<Option<KeyCache<'b, Outcome>>>,
    truth: ClassMemo,
    truth_keys: Option<KeyCache<'b, Class>>,
    pred: ClassMemo,
    pred_keys: Option<KeyCache<'b, Class>>,
    attr_keys: Vec<Option<KeyCache<'b, Option<u16>>>>,
}

impl<'b> Memos<'b> {
    fn new<B: Rows>(plan: &FilePlan, batch: &'b B) -> Memos<'b> {
        Memos {
            levels: plan.attrs.iter().map(|_| Levels::new()).collect(),
            filter_text: plan
                .filters
                .iter()
                .map(|_| TextMemo::new(MEMO_CAP))
                .collect(),
            filter_keys: plan
                .filters
                .iter()
                .map(|(c, _)| KeyCache::of(batch, *c))
                .collect(),
            truth: ClassMemo::new(),
            truth_keys: KeyCache::of(batch, plan.truth.0),
            pred: ClassMemo::new(),
            pred_keys: match &plan.pred {
                PredPlan::Label(c, _) => KeyCache::of(batch, *c),
                PredPlan::Threshold(..) => None,
            },
            attr_keys: plan.attrs.iter().map(|&c| KeyCache::of(batch, c)).collect(),
        }
    }
}

/// The cohort filters' verdict on row `r`: `Ok(None)` to keep it,
/// `Ok(Some(i))` when filter `i` drops it.
fn filter_row<B: Rows>(
    plan: &FilePlan,
    batch: &B,
    memos: &mut Memos<'_>,
    r: usize,
) -> Result<Option<usize>> {
    for (i, (col, f)) in plan.filters.iter().enumerate() {
        let memo = &mut memos.filter_text[i];
        let outcome = cached(&mut memos.filter_keys[i], r, || {
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
            Outcome::Drop => return Ok(Some(i)),
            Outcome::Incomparable => {
                return Err(Error::input(
                    Position::file(&plan.path)
                        .with_row(batch.row_number(r))
                        .with_column(plan.names[*col].clone()),
                    format!(
                        "the filter `{f}` cannot compare the value {}",
                        batch.cell(*col, r).describe()
                    ),
                )
                .with_hint("compare numbers with numbers and text with quoted text, or add `COLUMN is not missing` / clean the column first"));
            }
        }
    }
    Ok(None)
}

/// The truth, prediction, weight, score and bin of row `r`.
fn row_values<B: Rows>(
    plan: &FilePlan,
    batch: &B,
    memos: &mut Memos<'_>,
    r: usize,
) -> std::result::Result<RowValues, Invalid> {
    let (tc, rule) = &plan.truth;
    let truth_memo = &mut memos.truth;
    let truth = match cached(&mut memos.truth_keys, r, || {
        truth_memo.class(rule, &batch.cell(*tc, r))
    }) {
        Class::Positive => true,
        Class::Negative => false,
        Class::Invalid => classify(rule, &batch.cell(*tc, r), "truth", *tc)?,
    };
    let score = match plan.score {
        Some((c, _)) => Some(score(&batch.cell(c, r), c)?),
        None => None,
    };
    let pred = match &plan.pred {
        PredPlan::Label(c, rule) => {
            let pred_memo = &mut memos.pred;
            match cached(&mut memos.pred_keys, r, || {
                pred_memo.class(rule, &batch.cell(*c, r))
            }) {
                Class::Positive => true,
                Class::Negative => false,
                Class::Invalid => classify(rule, &batch.cell(*c, r), "prediction", *c)?,
            }
        }
        PredPlan::Threshold(_, t) => score.is_some_and(|s| s >= *t),
    };
    let weight = match plan.weight {
        None => None,
        Some(c) => Some(weight(&batch.cell(c, r), c)?),
    };
    let bin = match (plan.score, score) {
        (Some((_, Some(grid))), Some(s)) => grid.bin(s),
        _ => Bin::NONE,
    };
    Ok(RowValues {
        truth,
        pred,
        weight,
        score,
        bin,
    })
}

/// The scan's inner loop, compiled once per batch type and key width.
fn count_rows<B: Rows, K: PackedKey>(plan: &FilePlan, batch: &B, part: &mut Part) -> Result<()> {
    let nattr = plan.attrs.len();
    let mut memos = Memos::new(plan, batch);
    let mut cells: FastMap<(K, Bin), Acc> = fast_map();
    let mut out_of_unit = 0u64;
    let n = batch.rows();
    part.read += n as u64;
    'rows: for r in 0..n {
        if let Some(i) = filter_row(plan, batch, &mut memos, r)? {
            part.filtered[i] += 1;
            continue 'rows;
        }
        let row = match row_values(plan, batch, &mut memos, r) {
            Ok(x) => x,
            Err(inv) => match plan.on_invalid {
                OnInvalid::Error => {
                    return Err(Error::input(
                        Position::file(&plan.path)
                            .with_row(batch.row_number(r))
                            .with_column(plan.names[inv.col].clone()),
                        inv.reason,
                    )
                    .with_hint(inv.hint));
                }
                OnInvalid::Reject => {
                    *part
                        .rejections
                        .entry((plan.names[inv.col].clone(), inv.reason))
                        .or_default() += 1;
                    continue 'rows;
                }
            },
        };
        if plan.unit_threshold && row.score.is_some_and(|s| !(0.0..=1.0).contains(&s)) {
            out_of_unit += 1;
        }
        let mut ids = [0u16; MAX_ATTRIBUTES];
        for (j, &col) in plan.attrs.iter().enumerate() {
            let lv = &mut memos.levels[j];
            ids[j] = match cached(&mut memos.attr_keys[j], r, || lv.id(&batch.cell(col, r))) {
                Some(id) => id,
                None => {
                    return Err(
                        too_many_levels(&plan.path, &plan.names[col]).at_row(batch.row_number(r))
                    );
                }
            };
        }
        let acc = cells
            .entry((K::pack(&ids[..nattr], row.truth, row.pred), row.bin))
            .or_default();
        accumulate(acc, &row);
    }
    if out_of_unit > 0
        && let PredPlan::Threshold(c, _) = &plan.pred
    {
        *part
            .warnings
            .entry((plan.names[*c].clone(), "scores outside [0, 1] although the threshold is in [0, 1]: check that the score is a probability".into()))
            .or_default() += out_of_unit;
    }
    add_cells(plan, &memos.levels, cells, &mut part.table);
    Ok(())
}

/// Adds one row to its cell's sums. Unweighted rows only count: their
/// weight sums are the count, set when the batch is added to the table.
#[inline]
fn accumulate(acc: &mut Acc, row: &RowValues) {
    acc.count += 1;
    let exact = |x: f64| Exact::from_f64(x).unwrap_or_default();
    match row.weight {
        Some(w) => {
            acc.weight += exact(w);
            acc.weight_sq += exact(w * w);
            if let Some(s) = row.score {
                acc.score += exact(w * s);
                acc.score_sq += exact(w * (s * s));
            }
        }
        None => {
            if let Some(s) = row.score {
                acc.score += exact(s);
                acc.score_sq += exact(s * s);
            }
        }
    }
}

/// Adds a batch's cells to the table, building each group's labels once.
fn add_cells<K: PackedKey>(
    plan: &FilePlan,
    levels: &[Levels],
    cells: FastMap<(K, Bin), Acc>,
    table: &mut CountTable,
) {
    let nattr = plan.attrs.len();
    let weighted = plan.weight.is_some();
    for ((k, bin), acc) in cells {
        let (ids, truth, pred) = k.unpack(nattr);
        let labels: Vec<String> = (0..nattr)
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
        let (weight, weight_sq) = if weighted {
            (acc.weight, acc.weight_sq)
        } else {
            let n = Exact::from_count(acc.count);
            (n, n)
        };
        table.add_cell(
            &labels,
            CellKey {
                truth,
                pred,
                bin,
                flags: 0,
            },
            CellStats {
                count: acc.count,
                weight,
                weight_sq,
                score: acc.score,
                score_sq: acc.score_sq,
            },
        );
    }
}

/// The error for an attribute with too many distinct values.
pub(super) fn too_many_levels(path: &Path, column: &str) -> Error {
    Error::input(
        Position::file(path).with_column(column),
        format!("the protected attribute has more than {MAX_LEVELS} distinct values"),
    )
    .with_hint("a protected attribute should have a few groups: merge raw codes into groups with `relabel` (e.g. White = [\"W1\", \"W2\"]), or check that the right column is named")
}
