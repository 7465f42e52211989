//! # fairaudit
//!
//! Audits the predictions of a policing analytics model (a risk score, an
//! offender-management tool, a stop-and-search triage) for bias across
//! protected characteristics.
//!
//! The pipeline, in data-flow order:
//!
//! * [`spec::AuditSpec`] — the audit as written in `audit.toml`, checked once
//!   into a [`spec::ValidSpec`];
//! * [`scan`] — reads CSV, Parquet or Arrow input in parallel chunks into a
//!   [`count::CountTable`], the audit's sufficient statistics;
//! * [`counts`] — the count table as a published file format (write, read,
//!   merge), and [`sql`] — the `GROUP BY` query that makes the same table
//!   inside a warehouse or Spark;
//! * [`metrics`] — the registry of group metrics, disparities against a
//!   reference group, and the peers' summary measures;
//! * [`results::Results`] — the versioned schema every output is rendered from;
//! * [`report`] — JSON, CSV, Markdown, HTML and terminal renderers;
//! * [`pack`] — reproducible audit packs: write, verify, diff;
//! * [`synth`] — a seeded synthetic prediction file for examples, tests and
//!   benchmarks.
//!
//! ```
//! use fairaudit::count::{CellKey, CellStats, CountTable, Fixed};
//! use fairaudit::metrics::{self, registry};
//!
//! // Two groups' confusion cells, as the scan would count them.
//! let mut table = CountTable::new(vec!["sex".into()]);
//! let mut add = |sex: &str, truth: bool, pred: bool, n: u64| {
//!     let w = Fixed::from_f64(n as f64).unwrap();
//!     let stats = CellStats { count: n, weight: w, weight_sq: w, score_sum: Fixed::ZERO };
//!     table.add(CellKey { levels: vec![sex.into()], truth, pred, bucket: 0 }, stats);
//! };
//! add("Female", false, true, 10);
//! add("Female", false, false, 90);
//! add("Male", false, true, 30);
//! add("Male", false, false, 70);
//!
//! let groups = metrics::marginal(&table, &[0]);
//! let fpr = registry::find("fpr").unwrap();
//! let female = metrics::compute(fpr, &groups[&vec!["Female".to_string()]].weights());
//! let male = metrics::compute(fpr, &groups[&vec!["Male".to_string()]].weights());
//! assert_eq!(female.get(), Some(0.1));
//! let d = metrics::disparity(male, female);
//! assert!((d.ratio.get().unwrap() - 3.0).abs() < 1e-12);
//! ```
//!
//! ## Wire format: `results.json` (schema version 1)
//!
//! A JSON object with these members (numbers are shortest round-trip
//! decimals; an undefined value is `null`, never NaN or infinity; optional
//! members marked `?` are left out when they do not apply):
//!
//! * `schema_version` — `1`;
//! * `tool` — `{name, version}`;
//! * `audit` — `{title, seed, inputs, truth, prediction, weighted, cohort,
//!   min_group_size}`: what was audited, in words;
//! * `rows` — `{read, filtered_out, rejected, used, filters: [{filter,
//!   removed}], rejections: [{column, reason, count}]}`; `read = filtered_out
//!   + rejected + used`;
//! * `metrics` — the registry: `[{name, label, formula, meaning, favourable
//!   (higher | lower | context, under the policy's intervention),
//!   criterion}]`;
//! * `overall` — a *group* object for all used rows;
//! * `groupings` — one per attribute, then one per intersection:
//!   `{name ("race" or "race|sex"), attributes, reference: {group, rule} |
//!   null, groups: [group], empty_combinations?: [label], tests?: {metric:
//!   {statistic, df, p_value, method}} (chi-square across the published
//!   groups), fairlearn: {name: {between_groups, between_groups_ci?: [lo, hi],
//!   to_overall, to_overall_ci?}}}`;
//! * `uncertainty` — `{level, proportion_interval, ratio_interval,
//!   difference_interval, test, correction, bootstrap: {replicates, seed,
//!   stratified, resampling} | null, notes}`;
//! * `policy` — `{intervention, first_criterion, primary, tolerances: {metric:
//!   {ratio: [lo, hi] | null, difference | null}}, alpha, fail_on,
//!   min_group_size}`;
//! * `verdict` — `{verdict ("pass" | "inconclusive" | "fail" | "insufficient
//!   data"), fails_audit, pass, fail, inconclusive, insufficient_data}`;
//! * `findings` — `[{grouping, group, metric, verdict, text}]`, failures first;
//! * `tradeoffs` — `[{grouping, base_rates_differ, closer_to, text}]`;
//! * `coverage` — `{attributes: [{attribute, characteristic, not_stated_rows,
//!   not_stated_share}], not_examined, text}`;
//! * `warnings` — strings.
//!
//! A *group* object is `{label, levels, suppressed, reference, n,
//! weighted_n?, counts: {tp, fp, fn, tn}, weighted_counts?, metrics: {name:
//! {value, undefined?, ci_low?, ci_high?, ci_method?}}, disparities: {name:
//! {ratio, ratio_ci_low?, ratio_ci_high?, ratio_ci_method?, difference,
//! difference_ci_low?, difference_ci_high?, difference_ci_method?, p_value?,
//! p_adjusted?, test?, undefined?}}, aif360?: {name: value}, verdicts?:
//! {metric: {verdict, reason, cannot_rule_out_ratio?,
//! cannot_rule_out_difference?}}}`. A suppressed group (fewer rows than
//! `min_group_size`) keeps its label and its verdicts ("insufficient data")
//! but has `n`, `counts` null and empty `metrics` and `disparities`: its
//! numbers are withheld.
//!
//! Groups are listed in attribute-level order (the spec's `levels` first,
//! then sorted, the missing label last); maps are sorted by key. A field
//! added to this schema keeps the version; a field removed, renamed or
//! changed in meaning bumps it.

#![deny(missing_docs)]

pub mod analysis;
pub mod audit;
pub mod cohort;
pub mod count;
pub mod error;
pub mod file;
pub mod group;
pub mod input;
pub mod judge;
pub mod metric;
pub mod number;
pub mod pack;
pub mod plan;
pub mod report;
pub mod results;
pub mod spec;
pub mod stats;
pub mod synth;
pub mod value;

pub use audit::audit;
pub use error::{Error, ErrorKind, Result};
pub use plan::Plan;
pub use results::Results;
pub use spec::AuditSpec;
