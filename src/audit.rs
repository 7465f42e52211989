//! Running an audit: the plan's inputs are counted, the analyses turn the
//! counts into their sections, the judge decides the verdicts, and the
//! results are assembled.
//!
//! This is the one place that knows the order of the stages; each stage
//! gets what it needs from the plan in its own types.

use crate::analysis::confusion;
use crate::cohort::Prediction;
use crate::count::sql::{Dialect, Source};
use crate::count::{Counted, RunOptions, scan};
use crate::error::{Error, Result};
use crate::judge;
use crate::number::format_number;
use crate::plan::Plan;
use crate::results::{
    AuditInfo, BootstrapInfo, PolicyInfo, Results, SCHEMA_VERSION, ToleranceInfo, ToolInfo,
    UncertaintyInfo,
};
use crate::stats::{IntervalMethod, Method};
use crate::value::Literal;

/// Runs an audit: counts the plan's inputs and computes every result.
///
/// Every parallel stage (the scan, the bootstrap) uses `options.threads`
/// threads; the results do not depend on how many.
pub fn audit(plan: &Plan, options: &RunOptions<'_>) -> Result<Results> {
    let pool = thread_pool(options.threads)?;
    pool.install(|| {
        let counted = scan::scan(&plan.counting(), options)?;
        evaluate(plan, &counted)
    })
}

/// Counts the plan's inputs into its count table (what `fairaudit counts`
/// writes), without computing any statistic.
pub fn count(plan: &Plan, options: &RunOptions<'_>) -> Result<Counted> {
    scan::scan(&plan.counting(), options)
}

/// The SQL `GROUP BY` query that makes the plan's count table where the
/// rows are (a warehouse, Spark, DuckDB).
pub fn sql(plan: &Plan, dialect: Dialect, source: &Source) -> Result<String> {
    crate::count::sql::query(&plan.counting(), dialect, source)
}

/// A pool of `threads` workers for the parallel stages.
pub(crate) fn thread_pool(threads: usize) -> Result<rayon::ThreadPool> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads.max(1))
        .build()
        .map_err(|e| {
            Error::usage(
                "--threads",
                format!("cannot start {threads} worker threads: {e}"),
            )
            .with_hint("use fewer threads, e.g. --threads 4")
        })
}

/// The results of `plan` from counts already made (by a scan, or read from
/// count tables).
pub fn evaluate(plan: &Plan, counted: &Counted) -> Result<Results> {
    let u = plan.uncertainty();
    let policy = plan.policy();
    let weighted = counted.weighted;
    let mut warnings: Vec<String> = counted
        .warnings
        .iter()
        .map(|w| {
            format!(
                "column `{}`: {} row(s) with {}",
                w.column, w.count, w.message
            )
        })
        .collect();
    let analysed = confusion::run(
        &confusion::Config {
            attributes: plan.attributes(),
            groupings: plan.groupings(),
            min_group_size: plan.min_group_size(),
            uncertainty: u,
            intervention: policy.intervention,
        },
        counted,
    )?;
    warnings.extend(analysed.warnings);
    let mut section = analysed.section;
    let judged = judge::judge(
        &judge::Config {
            policy,
            wording: plan.wording(),
            level: u.level,
            min_group_size: plan.min_group_size(),
            attributes: plan.attributes(),
        },
        &mut section,
        &analysed.attribute_groups,
    );
    Ok(Results {
        schema_version: SCHEMA_VERSION,
        tool: ToolInfo {
            name: env!("CARGO_PKG_NAME").to_string(),
            version: env!("CARGO_PKG_VERSION").to_string(),
        },
        audit: audit_info(plan, weighted),
        rows: counted.rows.clone(),
        confusion: section,
        uncertainty: uncertainty_info(plan, weighted),
        policy: PolicyInfo {
            intervention: policy.intervention,
            first_criterion: policy.intervention.first_criterion().to_string(),
            primary: policy.primary.clone(),
            tolerances: policy
                .tolerances
                .iter()
                .map(|(m, t)| {
                    (
                        *m,
                        ToleranceInfo {
                            ratio: t.ratio.map(|(a, b)| [a, b]),
                            difference: t.difference,
                        },
                    )
                })
                .collect(),
            alpha: policy.alpha,
            fail_on: policy.fail_on,
            min_group_size: plan.min_group_size(),
        },
        verdict: judged.verdict,
        findings: judged.findings,
        tradeoffs: judged.tradeoffs,
        coverage: judged.coverage,
        warnings,
    })
}

fn audit_info(plan: &Plan, weighted: bool) -> AuditInfo {
    let truth = plan.truth();
    AuditInfo {
        title: plan.title().to_string(),
        seed: plan.seed(),
        inputs: plan
            .inputs()
            .iter()
            .map(|i| format!("{} ({})", i.display, i.format.name()))
            .collect(),
        truth: describe_rule(&truth.column.name, &truth.positive, &truth.negative),
        prediction: match plan.prediction() {
            Prediction::Label(r) => describe_rule(&r.column.name, &r.positive, &r.negative),
            Prediction::Threshold { column, threshold } => {
                format!("`{}` >= {}", column.name, format_number(*threshold))
            }
        },
        weighted,
        cohort: plan.filters().iter().map(|(f, _)| f.to_string()).collect(),
        min_group_size: plan.min_group_size(),
    }
}

fn describe_rule(col: &str, pos: &[Literal], neg: &[Literal]) -> String {
    let l = |v: &[Literal]| {
        v.iter()
            .map(|x| x.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    format!("`{col}`: positive [{}], negative [{}]", l(pos), l(neg))
}

fn uncertainty_info(plan: &Plan, weighted: bool) -> UncertaintyInfo {
    let u = plan.uncertainty();
    let mut notes = Vec::new();
    if weighted {
        notes.push("Sample weights are used: rates are weighted; binomial intervals and tests use each group's Kish effective sample size; Fisher's exact test is not used; the bootstrap resamples cells with their mean weight.".to_string());
    }
    notes.push("A ratio whose interval needs a zero count is computed with 0.5 added to each count and 1 to each total (stated in its method).".to_string());
    notes.push("Groups below the minimum size are left out of every test, correction, summary and verdict.".to_string());
    UncertaintyInfo {
        level: u.level,
        proportion_interval: match (u.interval, weighted) {
            (IntervalMethod::Wilson, false) => Method::Wilson,
            (IntervalMethod::Wilson, true) => Method::WilsonKish,
            (IntervalMethod::ClopperPearson, false) => Method::ClopperPearson,
            (IntervalMethod::ClopperPearson, true) => Method::ClopperPearsonKish,
        },
        ratio_interval: Method::Katz,
        difference_interval: Method::Newcombe,
        test: if weighted {
            Method::ZKish.to_string()
        } else {
            format!("{}; {}", Method::Z, Method::Fisher)
        },
        correction: u.correction,
        bootstrap: u.bootstrap.map(|b| BootstrapInfo {
            replicates: b.replicates,
            seed: b.seed,
            stratified: b.stratified,
            resampling: if b.stratified {
                "multinomial over count-table cells within each combination of attribute levels"
                    .to_string()
            } else {
                "multinomial over count-table cells (equivalent to resampling rows)".to_string()
            },
        }),
        notes,
    }
}
