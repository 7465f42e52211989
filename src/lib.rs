//! # fairaudit
//!
//! Audits the predictions of a policing analytics model (a risk score, an
//! offender-management tool, a stop-and-search triage) for bias across
//! protected characteristics.
//!
//! An audit in four lines: read a spec, check it into a [`Plan`], run
//! [`audit()`], read the [`Results`].
//!
//! ```
//! use fairaudit::metric::MetricId;
//! use fairaudit::{AuditSpec, Plan, RunOptions};
//!
//! # fn main() -> Result<(), fairaudit::Error> {
//! // A small prediction file: 200 people in two groups, their outcome (y)
//! // and whether the model flagged them (p).
//! let dir = std::env::temp_dir().join(format!("fairaudit-doc-{}", std::process::id()));
//! std::fs::create_dir_all(&dir).expect("a temp folder");
//! let mut csv = String::from("group,y,p\n");
//! for i in 0..200 {
//!     let group = if i < 100 { "A" } else { "B" };
//!     let y = i % 2;
//!     // Group B's people without the outcome are flagged three times as often.
//!     let p = if y == 1 { 1 } else if i < 100 { u8::from(i % 10 == 0) } else { u8::from(i % 10 < 5) };
//!     csv.push_str(&format!("{group},{y},{p}\n"));
//! }
//! std::fs::write(dir.join("predictions.csv"), csv).expect("the file");
//!
//! let spec = AuditSpec::from_toml(
//!     r#"
//!     [input]
//!     path = "predictions.csv"
//!     [truth]
//!     column = "y"
//!     positive = [1]
//!     [prediction]
//!     column = "p"
//!     positive = [1]
//!     [[attributes]]
//!     column = "group"
//!     reference = "A"
//!     "#,
//!     "audit.toml".as_ref(),
//! )?;
//! let plan = Plan::check(&spec, &dir)?; // relative paths resolve against `dir`
//! let results = fairaudit::audit(&plan, &RunOptions::default())?;
//!
//! let b = results.grouping("group").and_then(|g| g.group("B")).expect("group B");
//! assert_eq!(b.metric(MetricId::Fpr), Some(0.6)); // 30 of 50 without the outcome flagged
//! let ratio = b.disparities[&MetricId::Fpr].ratio.expect("a ratio");
//! assert!((ratio - 3.0).abs() < 1e-12); // three times group A's rate
//! println!("overall verdict: {}", results.verdict.verdict);
//! # std::fs::remove_dir_all(&dir).ok();
//! # Ok(())
//! # }
//! ```
//!
//! The pipeline, in data-flow order (see `docs/architecture.md`):
//!
//! * [`spec::AuditSpec`] — the audit as written in `audit.toml`, checked once
//!   into a [`plan::Plan`];
//! * [`count`] — reads CSV, Parquet or Arrow input in parallel chunks into a
//!   [`count::CountTable`], the audit's sufficient statistics; the count
//!   table as a published file format ([`count::file`]) and the `GROUP BY`
//!   query that makes it inside a warehouse or Spark ([`sql()`]);
//! * [`metric`] — the registry of group metrics; [`analysis`] — the analyses
//!   that turn counts into results: per-group metrics, disparities against a
//!   reference group, intervals and tests, the peers' summary measures;
//! * [`results::Results`] — the versioned schema every output is rendered from;
//! * [`report`] — JSON, CSV, Markdown, HTML and terminal renderers;
//! * [`pack`] — reproducible audit packs: write, verify, diff;
//! * [`synth`] — a seeded synthetic prediction file for examples, tests and
//!   benchmarks.
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
pub(crate) mod cohort;
pub mod count;
pub mod error;
pub mod file;
pub(crate) mod group;
pub(crate) mod input;
pub(crate) mod judge;
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

pub use audit::{audit, count, evaluate, sql};
pub use count::RunOptions;
pub use error::{Error, ErrorKind, Result};
pub use plan::Plan;
pub use results::Results;
pub use spec::AuditSpec;
