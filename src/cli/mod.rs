//! Command-line flags and the commands they run.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use clap::{Args, Parser, Subcommand, ValueEnum};

use fairaudit::count::{Progress, RunOptions};
use fairaudit::error::{Error, FlagName, Naming};
use fairaudit::pack::{self, Outcome, WriteOptions};
use fairaudit::report;
use fairaudit::spec::{
    AttributeSpec, AuditSpec, CohortSpec, InputSpec, LabelSpec, PolicySpec, PredictionSpec,
    UncertaintySpec, WeightSpec,
};
use fairaudit::value::Literal;

use crate::Exit;

pub mod signals;

const ABOUT: &str = "Audit a model's predictions for bias across protected characteristics.";

const MAIN_HELP: &str = "\
Exit codes, the same for every command: 0 the policy passed (or the command succeeded), 1 the
policy failed (verify: the pack differs), 2 usage or input error, 3 the audit could not show the
policy holds (inconclusive or insufficient data; fail_on = \"inconclusive\" makes it 1).

Worked example:
  fairaudit run audits/compas/audit.toml              # the COMPAS audit that ships with fairaudit
  fairaudit run audits/compas/audit.toml --out compas-pack && fairaudit verify compas-pack
  fairaudit synth --rows 100000 --seed 7 --out synth.csv
  fairaudit metrics --data synth.csv --truth y_true --pred y_pred \\
      --group ethnicity --group sex --intersect --reference ethnicity=White";

const RUN_HELP: &str = "\
Worked example:
  fairaudit run audits/compas/audit.toml
  fairaudit run audits/compas/audit.toml --format json > results.json
  fairaudit run audits/compas/audit.toml --out compas-pack   # an audit pack: see `verify`, `diff`
  SOURCE_DATE_EPOCH=1717200000 fairaudit run audits/compas/audit.toml --out compas-pack --force

--out PACK writes audit.toml, results.json, metrics.csv, disparities.csv, report.md and manifest.json
(SHA-256 of every input and output) into a new folder, atomically; the same inputs give the same bytes
on any machine. An existing PACK is replaced only with --force, and only if it is an audit pack.

A minimal audit.toml:
  title = \"Stop and search triage model\"
  seed = 20240601
  intersections = [[\"ethnicity\", \"sex\"]]   # top-level keys go before the first [table]
  [input]
  path = \"predictions.parquet\"        # relative to the spec's folder; .csv .parquet .arrow
  [truth]
  column = \"outcome\"
  positive = [\"Arrest\"]
  negative = [\"NFA\", \"Words of advice\"]
  [prediction]
  score = \"risk\"                       # or: column = \"flag\", positive = [1]
  threshold = 0.5                       # flagged when risk >= 0.5
  [cohort]
  filters = [\"force == \\\"MPS\\\"\", \"age >= 18\"]
  [[attributes]]
  column = \"ethnicity\"
  reference = \"White\"
  relabel = { White = [\"W1\", \"W2\", \"W3\", \"W9\"] }
  [[attributes]]
  column = \"sex\"
  [policy]
  min_group_size = 30";

const METRICS_HELP: &str = "\
Worked example:
  fairaudit synth --rows 100000 --seed 7 --out synth.csv
  fairaudit metrics --data synth.csv --truth y_true=1 --pred y_pred=1 \\
      --group ethnicity --group sex --intersect --reference ethnicity=White --reference sex=Male
  fairaudit metrics --data synth.csv --truth y_true --score y_score --threshold 0.5 \\
      --group ethnicity --weight weight --format csv > metrics.csv

--truth COL=VALUE and --pred COL=VALUE name the column and its positive value(s), comma-separated
(\"score_text=Medium,High\"); the negative value defaults to the complement of 1/true/Yes/Y, or give it
with --truth-negative / --pred-negative.";

const VERIFY_HELP: &str = "\
Worked example:
  fairaudit run audits/compas/audit.toml --out compas-pack
  fairaudit verify compas-pack
  fairaudit verify /media/usb/compas-pack --data audits/compas     # a pack made on another machine

verify checks every file of the pack against the SHA-256 in its manifest (tampering), checks each
input's size and SHA-256 (looking at the path recorded in the pack, then in --data DIR by file name),
re-runs the audit from the pack's own audit.toml and compares every file byte for byte. It lists every
difference: the file, and for JSON the path of the first differing value.

Exit codes: 0 identical; 1 something differs (a file altered, added or missing, an input changed, or
the re-run gives other bytes); 2 cannot verify (an input is missing, the re-run failed, or PACK is not
a readable audit pack).";

const DIFF_HELP: &str = "\
Worked example:
  fairaudit run model-v1.toml --out pack-v1
  fairaudit run model-v2.toml --out pack-v2
  fairaudit diff pack-v1 pack-v2
  fairaudit diff pack-v1 pack-v2 --format json > changes.json

Lists, for every group in both audits, each metric and disparity that differs: A, B, the change, and
whether it is better or worse (by the metric's favourable direction; a disparity is better when it
moves toward parity). Also: groups found or published in one audit only, changed verdicts, and any
change in what was audited (inputs, cohort, reference groups, rows). PACK may also be a results.json.
Exit code 0: diff reports, it does not judge.";

const SYNTH_HELP: &str = "\
Worked example:
  fairaudit synth --rows 100000 --seed 20240601 --out synth.csv
  fairaudit synth --rows 10000000 --seed 1 --out big.parquet

Columns: id, ethnicity, sex, age_band, y_true, y_score, y_pred, weight. y_true depends on age band
only; the score over-selects some ethnic, sex and age groups by construction, so an audit finds
selection-rate and false-positive-rate disparities.";

/// The `fairaudit` command line.
#[derive(Debug, Parser)]
#[command(name = "fairaudit", version, about = ABOUT, after_help = MAIN_HELP)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the audit described by a spec file (audit.toml).
    #[command(after_help = RUN_HELP)]
    Run(RunArgs),
    /// Check an audit pack: hashes, inputs, and a byte-for-byte re-run.
    #[command(after_help = VERIFY_HELP)]
    Verify(VerifyArgs),
    /// Compare two audit packs metric by metric.
    #[command(after_help = DIFF_HELP)]
    Diff(DiffArgs),
    /// Quick look: group metrics from flags, without a spec file.
    #[command(after_help = METRICS_HELP)]
    Metrics(Box<MetricsArgs>),
    /// Write a deterministic synthetic prediction file (CSV, Parquet or Arrow).
    #[command(after_help = SYNTH_HELP)]
    Synth(SynthArgs),
    /// Write the audit's count table (its sufficient statistics) to a file.
    #[command(after_help = COUNTS_HELP)]
    Counts(CountsArgs),
    /// Add count tables from shards into one.
    #[command(after_help = MERGE_HELP)]
    Merge(MergeArgs),
    /// Print the SQL query that makes the audit's count table in a database.
    #[command(after_help = SQL_HELP)]
    Sql(SqlArgs),
}

const COUNTS_HELP: &str = "\
Worked example:
  fairaudit counts audits/compas/audit.toml --out compas.counts.parquet
  fairaudit counts shard-1.toml --out shard-1.counts.parquet   # then: fairaudit merge ...

The table has one row per group × truth × prediction cell: the group columns, truth, prediction,
score_bucket, count, weight_sum, weight_sq_sum, score_sum (and exact *_fixed sums); see
docs/counts-format.md. The extension picks Parquet (default) or CSV (.csv). Audit it with a spec
whose input is the table: `[input] path = \"compas.counts.parquet\"` (or `format = \"counts\"`).";

const MERGE_HELP: &str = "\
Worked example:
  fairaudit merge shard-1.counts.parquet shard-2.counts.parquet --out all.counts.parquet

The tables must be over the same attributes, in the same order. Sums are added exactly.";

const SQL_HELP: &str = "\
Worked example:
  fairaudit sql audits/compas/audit.toml --dialect duckdb            # reads the spec's CSV itself
  fairaudit sql audit.toml --dialect spark --table warehouse.predictions

Run the query where the rows are, save its result as Parquet or CSV, and audit that file with
`[input] format = \"counts\"`. Invalid truth or prediction values fail the query (DuckDB, Spark)
or, with `input.on_invalid = \"reject\"`, are left out; see docs/counts-format.md.";

#[derive(Debug, Clone, Copy, ValueEnum)]
enum RunFormat {
    Table,
    Json,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum MetricsFormat {
    Table,
    Json,
    Csv,
}

#[derive(Debug, Args)]
struct ScanFlags {
    /// Worker threads (default: RAYON_NUM_THREADS, else all cores).
    #[arg(long, value_name = "N")]
    threads: Option<usize>,
    /// No progress bar.
    #[arg(long, short)]
    quiet: bool,
}

#[derive(Debug, Args)]
struct RunArgs {
    /// The audit specification.
    #[arg(value_name = "AUDIT.toml")]
    spec: PathBuf,
    /// Write an audit pack into this new folder.
    #[arg(long, value_name = "PACK")]
    out: Option<PathBuf>,
    /// Replace an existing audit pack at --out.
    #[arg(long, requires = "out")]
    force: bool,
    /// What to print on standard output.
    #[arg(long, value_enum, default_value = "table")]
    format: RunFormat,
    #[command(flatten)]
    scan: ScanFlags,
}

#[derive(Debug, Args)]
struct VerifyArgs {
    /// The audit pack folder.
    #[arg(value_name = "PACK")]
    pack: PathBuf,
    /// A folder that holds the inputs, looked up by file name when they are
    /// not at the path recorded in the pack.
    #[arg(long, value_name = "DIR")]
    data: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    format: RunFormat,
    #[command(flatten)]
    scan: ScanFlags,
}

#[derive(Debug, Args)]
struct DiffArgs {
    /// The first (earlier) audit pack.
    #[arg(value_name = "PACK_A")]
    a: PathBuf,
    /// The second (later) audit pack.
    #[arg(value_name = "PACK_B")]
    b: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    format: RunFormat,
}

#[derive(Debug, Args)]
struct MetricsArgs {
    /// The input file (.csv, .csv.gz, .tsv, .parquet, .arrow).
    #[arg(long, value_name = "FILE")]
    data: PathBuf,
    /// Ground truth: COLUMN or COLUMN=POSITIVE[,POSITIVE..] (default positive 1).
    #[arg(long, value_name = "COL[=VALUE]")]
    truth: String,
    /// Values of the truth column that mean negative (comma-separated).
    #[arg(long, value_name = "VALUES")]
    truth_negative: Option<String>,
    /// Prediction label: COLUMN or COLUMN=POSITIVE[,POSITIVE..] (default positive 1).
    #[arg(long, value_name = "COL[=VALUE]", conflicts_with_all = ["score", "threshold"])]
    pred: Option<String>,
    /// Values of the prediction column that mean negative (comma-separated).
    #[arg(long, value_name = "VALUES")]
    pred_negative: Option<String>,
    /// Score column (with --threshold): flagged when score >= threshold.
    #[arg(long, value_name = "COL", requires = "threshold")]
    score: Option<String>,
    /// Decision threshold for --score.
    #[arg(
        long,
        value_name = "T",
        requires = "score",
        allow_negative_numbers = true
    )]
    threshold: Option<f64>,
    /// A protected attribute column (repeat for several).
    #[arg(long = "group", value_name = "COL", required = true)]
    groups: Vec<String>,
    /// Also audit the intersection of all --group attributes.
    #[arg(long)]
    intersect: bool,
    /// Reference group of an attribute, e.g. ethnicity=White (default: largest group).
    #[arg(long = "reference", value_name = "ATTR=GROUP")]
    references: Vec<String>,
    /// Sample-weight column.
    #[arg(long, value_name = "COL")]
    weight: Option<String>,
    /// A cohort filter, e.g. "age >= 18" (repeat; combined with AND).
    #[arg(long = "filter", value_name = "EXPR")]
    filters: Vec<String>,
    /// What to do with a row whose truth, prediction or weight is invalid:
    /// error (default) or reject (count it and go on).
    #[arg(long, value_name = "ACTION")]
    on_invalid: Option<String>,
    /// Suppress groups with fewer rows than this.
    #[arg(long, value_name = "N", default_value_t = 0)]
    min_group_size: i64,
    /// CSV delimiter.
    #[arg(long, value_name = "CHAR")]
    delimiter: Option<String>,
    /// Confidence level of the intervals (default 0.95).
    #[arg(long, value_name = "LEVEL")]
    level: Option<f64>,
    /// Interval for proportions: wilson (default) or clopper-pearson.
    #[arg(long, value_name = "METHOD")]
    interval: Option<String>,
    /// Multiple-comparison correction: benjamini-hochberg (default), holm or none.
    #[arg(long, value_name = "METHOD")]
    correction: Option<String>,
    /// Bootstrap replicates for statistics without a closed-form interval (needs --seed).
    #[arg(long, value_name = "B")]
    bootstrap: Option<i64>,
    /// Seed of the bootstrap.
    #[arg(long, value_name = "S")]
    seed: Option<u64>,
    /// Resample within each combination of group levels.
    #[arg(long)]
    stratified: bool,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    format: MetricsFormat,
    #[command(flatten)]
    scan: ScanFlags,
}

#[derive(Debug, Args)]
struct CountsArgs {
    /// The audit specification.
    #[arg(value_name = "AUDIT.toml")]
    spec: PathBuf,
    /// The count table to write (.parquet, or .csv).
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    #[command(flatten)]
    scan: ScanFlags,
}

#[derive(Debug, Args)]
struct MergeArgs {
    /// The count tables to add.
    #[arg(value_name = "FILE", required = true)]
    tables: Vec<PathBuf>,
    /// The merged table (.parquet, or .csv).
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum SqlDialect {
    Ansi,
    Spark,
    Duckdb,
}

#[derive(Debug, Args)]
struct SqlArgs {
    /// The audit specification.
    #[arg(value_name = "AUDIT.toml")]
    spec: PathBuf,
    /// The SQL dialect.
    #[arg(long, value_enum, default_value = "ansi")]
    dialect: SqlDialect,
    /// The table holding the rows (default: `predictions`; DuckDB reads the spec's files).
    #[arg(long, value_name = "NAME")]
    table: Option<String>,
}

#[derive(Debug, Args)]
struct SynthArgs {
    /// Number of rows.
    #[arg(long, value_name = "N")]
    rows: u64,
    /// Seed.
    #[arg(long, value_name = "S")]
    seed: u64,
    /// Output file; the extension picks the format (.csv, .parquet, .arrow).
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
}

/// Runs the parsed command.
pub fn run(cli: Cli) -> anyhow::Result<Exit> {
    match cli.command {
        Command::Run(a) => run_spec(a),
        Command::Verify(a) => verify(a),
        Command::Diff(a) => diff(a),
        Command::Metrics(a) => metrics(*a),
        Command::Synth(a) => synth(a),
        Command::Counts(a) => counts(a),
        Command::Merge(a) => merge(a),
        Command::Sql(a) => sql(a),
    }
}

/// The worker threads: `--threads`, else `RAYON_NUM_THREADS`, else every
/// core; at least 1 and at most [`fairaudit::count::scan::MAX_THREADS`].
fn threads(flag: Option<usize>) -> anyhow::Result<usize> {
    let max = fairaudit::count::scan::MAX_THREADS;
    let check = |n: usize, name: &str| -> anyhow::Result<usize> {
        if n == 0 || n > max {
            return Err(Error::usage(name, format!("{n} threads is out of range"))
                .with_hint(format!(
                    "use 1 to {max} (more threads than cores only contend; this machine has {})",
                    std::thread::available_parallelism().map_or(1, |n| n.get())
                ))
                .into());
        }
        Ok(n)
    };
    if let Some(n) = flag {
        return check(n, "--threads");
    }
    if let Ok(v) = std::env::var("RAYON_NUM_THREADS")
        && !v.trim().is_empty()
    {
        let n = v.trim().parse::<usize>().map_err(|_| {
            Error::usage(
                "RAYON_NUM_THREADS",
                format!("`{v}` is not a whole number of threads"),
            )
            .with_hint("unset it, or set it to e.g. 2")
        })?;
        return check(n, "RAYON_NUM_THREADS");
    }
    Ok(std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(max))
}

/// Runs `f` with a progress bar on stderr: rows counted and the read rate,
/// shown only once a scan has run for a second (short scans stay silent),
/// and never when stderr is not a terminal or with --quiet.
fn with_progress<T>(
    flags: &ScanFlags,
    f: impl FnOnce(&RunOptions<'_>) -> fairaudit::Result<T>,
) -> anyhow::Result<T> {
    let threads = threads(flags.threads)?;
    let show = !flags.quiet && std::io::stderr().is_terminal();
    let bar = indicatif::ProgressBar::hidden();
    if show {
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} {msg} [{elapsed}] {bytes} read ({binary_bytes_per_sec})",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
        );
    }
    let start = std::time::Instant::now();
    let shown = std::sync::atomic::AtomicBool::new(false);
    let progress = |p: Progress| {
        if show && start.elapsed().as_secs_f64() > 1.0 {
            // The bar is attached to stderr only now, so that a scan that
            // ends within a second never draws anything.
            if !shown.swap(true, std::sync::atomic::Ordering::Relaxed) {
                bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
            }
            bar.set_message(format!("{} rows", fairaudit::number::count(p.rows)));
            bar.set_position(p.bytes);
        }
    };
    let options = RunOptions {
        threads,
        progress: Some(&progress),
    };
    let result = f(&options);
    bar.finish_and_clear();
    Ok(result?)
}

/// Runs the audit with a progress bar on a terminal.
fn audit(spec: &fairaudit::Plan, flags: &ScanFlags) -> anyhow::Result<fairaudit::Results> {
    with_progress(flags, |options| fairaudit::audit(spec, options))
}

fn counts(a: CountsArgs) -> anyhow::Result<Exit> {
    let spec = AuditSpec::from_file(&a.spec)?;
    let base = a.spec.parent().map(Path::to_path_buf).unwrap_or_default();
    let valid = fairaudit::Plan::check(&spec, &base)?;
    let scanned = with_progress(&a.scan, |options| fairaudit::count(&valid, options))?;
    fairaudit::count::file::write(&a.out, &scanned.table, scanned.weighted)?;
    let mut err = std::io::stderr().lock();
    writeln!(
        err,
        "wrote {} cells ({} rows used of {} read) to {}",
        fairaudit::number::count(scanned.table.len() as u64),
        fairaudit::number::count(scanned.rows.used),
        fairaudit::number::count(scanned.rows.read),
        a.out.display()
    )?;
    Ok(Exit::Passed)
}

fn merge(a: MergeArgs) -> anyhow::Result<Exit> {
    let mut tables = Vec::new();
    for p in &a.tables {
        let name = p.display().to_string();
        let t = fairaudit::count::file::read(p, &name, None, &Default::default())?;
        tables.push((name, t));
    }
    let (table, weighted) = fairaudit::count::file::merge(tables)?;
    fairaudit::count::file::write(&a.out, &table, weighted.unwrap_or(false))?;
    let mut err = std::io::stderr().lock();
    writeln!(
        err,
        "merged {} tables: {} cells, {} rows, to {}",
        a.tables.len(),
        fairaudit::number::count(table.len() as u64),
        fairaudit::number::count(table.total().count),
        a.out.display()
    )?;
    Ok(Exit::Passed)
}

fn sql(a: SqlArgs) -> anyhow::Result<Exit> {
    let spec = AuditSpec::from_file(&a.spec)?;
    let base = a.spec.parent().map(Path::to_path_buf).unwrap_or_default();
    let valid = fairaudit::Plan::check(&spec, &base)?;
    let dialect = match a.dialect {
        SqlDialect::Ansi => fairaudit::count::sql::Dialect::Ansi,
        SqlDialect::Spark => fairaudit::count::sql::Dialect::Spark,
        SqlDialect::Duckdb => fairaudit::count::sql::Dialect::DuckDb,
    };
    let source = match a.table {
        Some(t) => fairaudit::count::sql::Source::Table(t),
        None => fairaudit::count::sql::Source::Inputs,
    };
    write_stdout(fairaudit::sql(&valid, dialect, &source)?.as_bytes())?;
    Ok(Exit::Passed)
}

fn write_stdout(bytes: &[u8]) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(bytes)?;
    out.flush()?;
    Ok(())
}

fn run_spec(a: RunArgs) -> anyhow::Result<Exit> {
    let spec = AuditSpec::from_file(&a.spec)?;
    let base = a.spec.parent().map(Path::to_path_buf).unwrap_or_default();
    // Everything that can refuse a pack is checked before a long audit,
    // not after.
    let options = WriteOptions {
        force: a.force,
        source_date_epoch: source_date_epoch()?,
        ..WriteOptions::default()
    };
    let results = match &a.out {
        Some(dir) => {
            pack::check_destination(dir, a.force)?;
            let written = with_progress(&a.scan, |run| pack::run(&spec, &base, dir, run, &options));
            // An interrupt during the pack's final writes ends the process
            // now, with the pack complete or absent.
            signals::act_on_deferred();
            written?.0
        }
        None => audit(&fairaudit::Plan::check(&spec, &base)?, &a.scan)?,
    };
    if let Some(dir) = &a.out {
        if !a.scan.quiet {
            writeln!(
                std::io::stderr().lock(),
                "wrote audit pack {0}; check it with `fairaudit verify {0}`",
                dir.display()
            )?;
        }
    }
    match a.format {
        RunFormat::Table => write_stdout(&report::table::render(&results))?,
        RunFormat::Json => write_stdout(&report::json::render(&results))?,
    }
    Ok(Exit::of(&results))
}

/// `SOURCE_DATE_EPOCH` (reproducible-builds.org), the only creation time a
/// pack may record; unset or empty means none.
fn source_date_epoch() -> anyhow::Result<Option<u64>> {
    match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(v) if !v.trim().is_empty() => v.trim().parse::<u64>().map(Some).map_err(|_| {
            Error::usage(
                "SOURCE_DATE_EPOCH",
                format!("`{v}` is not a whole number of seconds since 1970"),
            )
            .with_hint("unset it, or set it to e.g. the commit time: `git log -1 --format=%ct`")
            .into()
        }),
        _ => Ok(None),
    }
}

fn verify(a: VerifyArgs) -> anyhow::Result<Exit> {
    let report = with_progress(&a.scan, |options| {
        pack::verify(&a.pack, a.data.as_deref(), options)
    })?;
    match a.format {
        RunFormat::Table => write_stdout(&report.render_text())?,
        RunFormat::Json => write_stdout(&report.render_json())?,
    }
    Ok(match report.outcome() {
        Outcome::Identical => Exit::Passed,
        Outcome::Differs => Exit::PolicyFailed,
        Outcome::Incomplete => Exit::Error,
    })
}

fn diff(a: DiffArgs) -> anyhow::Result<Exit> {
    let report = pack::diff(&a.a, &a.b)?;
    match a.format {
        RunFormat::Table => write_stdout(&report.render_text())?,
        RunFormat::Json => write_stdout(&report.render_json())?,
    }
    Ok(Exit::Passed)
}

/// Parses `COL` or `COL=V1,V2` into the column and its positive values.
fn column_values(text: &str, flag: &str) -> anyhow::Result<(String, Vec<Literal>)> {
    let (col, values) = match text.split_once('=') {
        Some((c, v)) => (c.trim(), Some(v)),
        None => (text.trim(), None),
    };
    if col.is_empty() {
        return Err(Error::usage(flag, format!("`{text}` names no column"))
            .with_hint(format!("write {flag} COLUMN or {flag} COLUMN=VALUE"))
            .into());
    }
    let values = match values {
        None => vec![Literal::Int(1)],
        Some(v) => literals(v, flag)?,
    };
    Ok((col.to_string(), values))
}

fn literals(text: &str, flag: &str) -> anyhow::Result<Vec<Literal>> {
    let out: Vec<Literal> = text
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            if let Ok(i) = s.parse::<i64>() {
                Literal::Int(i)
            } else if s.eq_ignore_ascii_case("true") {
                Literal::Bool(true)
            } else if s.eq_ignore_ascii_case("false") {
                Literal::Bool(false)
            } else {
                Literal::Str(s.to_string())
            }
        })
        .collect();
    if out.is_empty() {
        return Err(Error::usage(flag, "no value is given").into());
    }
    Ok(out)
}

/// The flag of each spec key a `metrics` run builds its spec from, so that
/// its errors name what the user typed.
const FLAGS: &[FlagName] = &[
    FlagName {
        key: "truth",
        flag: "--truth",
    },
    FlagName {
        key: "truth.negative",
        flag: "--truth-negative",
    },
    FlagName {
        key: "prediction",
        flag: "--pred",
    },
    FlagName {
        key: "prediction.negative",
        flag: "--pred-negative",
    },
    FlagName {
        key: "prediction.threshold",
        flag: "--threshold",
    },
    FlagName {
        key: "prediction.score",
        flag: "--score",
    },
    FlagName {
        key: "weight",
        flag: "--weight",
    },
    FlagName {
        key: "cohort.filters",
        flag: "--filter",
    },
    FlagName {
        key: "attributes",
        flag: "--group",
    },
    FlagName {
        key: "attributes.reference",
        flag: "--reference",
    },
    FlagName {
        key: "intersections",
        flag: "--intersect",
    },
    FlagName {
        key: "intersection_reference",
        flag: "--reference",
    },
    FlagName {
        key: "policy.min_group_size",
        flag: "--min-group-size",
    },
    FlagName {
        key: "input.delimiter",
        flag: "--delimiter",
    },
    FlagName {
        key: "input.on_invalid",
        flag: "--on-invalid",
    },
    FlagName {
        key: "input",
        flag: "--data",
    },
    FlagName {
        key: "uncertainty.level",
        flag: "--level",
    },
    FlagName {
        key: "uncertainty.interval",
        flag: "--interval",
    },
    FlagName {
        key: "uncertainty.correction",
        flag: "--correction",
    },
    FlagName {
        key: "uncertainty.replicates",
        flag: "--bootstrap",
    },
    FlagName {
        key: "seed",
        flag: "--seed",
    },
];

fn as_flag_error(e: Error) -> Error {
    e.naming(Naming::Flags(FLAGS))
}

fn metrics(a: MetricsArgs) -> anyhow::Result<Exit> {
    let (truth_col, truth_pos) = column_values(&a.truth, "--truth")?;
    let truth = LabelSpec {
        column: truth_col,
        positive: truth_pos,
        negative: a
            .truth_negative
            .as_deref()
            .map(|v| literals(v, "--truth-negative"))
            .transpose()?,
    };
    let prediction = match (&a.pred, &a.score) {
        (Some(p), None) => {
            let (col, pos) = column_values(p, "--pred")?;
            PredictionSpec {
                column: Some(col),
                positive: pos,
                negative: a
                    .pred_negative
                    .as_deref()
                    .map(|v| literals(v, "--pred-negative"))
                    .transpose()?,
                ..PredictionSpec::default()
            }
        }
        (None, Some(s)) => PredictionSpec {
            score: Some(s.clone()),
            threshold: a.threshold,
            ..PredictionSpec::default()
        },
        _ => {
            return Err(Error::usage("--pred", "no prediction is given")
                .with_hint("give --pred COLUMN[=VALUE] (a label) or --score COLUMN --threshold T")
                .into());
        }
    };
    let mut references: std::collections::BTreeMap<String, String> =
        std::collections::BTreeMap::new();
    for r in &a.references {
        let (attr, group) = r.split_once('=').ok_or_else(|| {
            Error::usage("--reference", format!("`{r}` is not ATTR=GROUP"))
                .with_hint("write e.g. --reference ethnicity=White")
        })?;
        if !a.groups.iter().any(|g| g == attr) {
            return Err(Error::usage(
                "--reference",
                format!("`{attr}` is not one of the --group attributes"),
            )
            .with_hint(format!("the attributes are: {}", a.groups.join(", ")))
            .into());
        }
        references.insert(attr.to_string(), group.to_string());
    }
    let spec = AuditSpec {
        title: Some(format!("Fairness metrics of {}", a.data.display())),
        seed: a.seed,
        input: InputSpec {
            path: Some(a.data.to_string_lossy().into_owned()),
            delimiter: a.delimiter.clone(),
            on_invalid: a.on_invalid.clone(),
            ..InputSpec::default()
        },
        truth,
        prediction,
        weight: a.weight.clone().map(|column| WeightSpec { column }),
        cohort: (!a.filters.is_empty()).then(|| CohortSpec {
            filters: a.filters.clone(),
        }),
        attributes: a
            .groups
            .iter()
            .map(|g| AttributeSpec {
                column: g.clone(),
                reference: references.get(g).cloned(),
                ..AttributeSpec::default()
            })
            .collect(),
        intersections: if a.intersect && a.groups.len() > 1 {
            vec![a.groups.clone()]
        } else {
            vec![]
        },
        intersection_reference: Default::default(),
        uncertainty: Some(UncertaintySpec {
            level: a.level,
            interval: a.interval.clone(),
            correction: a.correction.clone(),
            bootstrap: a.bootstrap.map(|_| true),
            replicates: a.bootstrap,
            stratified: a.stratified.then_some(true),
        }),
        wording: None,
        policy: Some(PolicySpec {
            min_group_size: Some(a.min_group_size),
            ..PolicySpec::default()
        }),
    };
    let valid = fairaudit::Plan::check(&spec, Path::new("")).map_err(as_flag_error)?;
    let results = audit(&valid, &a.scan).map_err(|e| match e.downcast::<Error>() {
        Ok(e) => anyhow::Error::from(as_flag_error(e)),
        Err(e) => e,
    })?;
    match a.format {
        MetricsFormat::Table => write_stdout(&report::table::render(&results))?,
        MetricsFormat::Json => write_stdout(&report::json::render(&results))?,
        MetricsFormat::Csv => write_stdout(&report::csv::metrics(&results)?)?,
    }
    Ok(Exit::of(&results))
}

fn synth(a: SynthArgs) -> anyhow::Result<Exit> {
    let options = fairaudit::synth::SynthOptions {
        rows: a.rows,
        seed: a.seed,
    };
    let summary = fairaudit::synth::write_synth(&a.out, &options)?;
    let mut err = std::io::stderr().lock();
    writeln!(
        err,
        "wrote {} rows ({} bytes) to {}",
        fairaudit::number::count(summary.rows),
        fairaudit::number::count(summary.bytes),
        a.out.display()
    )?;
    Ok(Exit::Passed)
}
