//! The count table as a SQL query: `fairaudit sql AUDIT.toml --dialect
//! ansi|spark|duckdb` prints the `GROUP BY` query that makes, inside a
//! warehouse, a Spark cluster or DuckDB, the same count table that
//! `fairaudit counts` makes from files (see [`super::file`] for the
//! format). Save the query's result as Parquet or CSV, and audit it with
//! `[input] format = "counts"`: the rows never leave the engine.
//!
//! # How the spec becomes SQL
//!
//! The query reads the spec the way the scan reads a CSV file: every value
//! as text, numbers parsed where a number is needed.
//!
//! * **Attributes**: the column as text, relabelled with a `CASE`, and
//!   `COALESCE(.., '(missing)')` (the attribute's missing label) for NULL.
//! * **Truth and label predictions**: `CASE WHEN <a positive value> THEN
//!   TRUE WHEN <a negative value> THEN FALSE ELSE <invalid> END`, where a
//!   text value compares as text (`CAST(c AS VARCHAR) = 'Yes'`), a number
//!   as a number (`TRY_CAST(c AS DOUBLE) = 1`), and `true`/`false` as
//!   case-insensitive text, exactly as [`crate::value::Literal::matches`]
//!   treats a text cell.
//! * **Score predictions**: `score >= threshold`; a missing, non-numeric or
//!   NaN score is invalid.
//! * **Weights**: a number in [0, 1e6]; anything else is invalid.
//! * **Cohort filters** go into `WHERE`, with SQL's NULL semantics, which
//!   are fairaudit's: a comparison with a missing value is not true, so the
//!   row leaves the cohort; `is missing` is `IS NULL`; `not in` keeps a
//!   present value that matches none of the list.
//! * **Invalid values** (`input.on_invalid`): with `"reject"`, rows with an
//!   invalid truth, prediction, score or weight are left out, as the scan
//!   leaves them out of the table. With `"error"` (the default), DuckDB's
//!   `error()` and Spark's `raise_error()` make the query fail on the first
//!   such row; ANSI SQL has no way to raise an error, so the row is kept
//!   with a NULL `truth` and `prediction`, and fairaudit refuses to audit a
//!   count table holding such rows (naming how many there are).
//!
//! `score_bin` is null (the query makes no score dimension) and the sums
//! are `SUM`s of doubles, so that weighted sums agree with fairaudit's exact
//! sums up to the rounding of floating-point addition (counts, and the
//! weight sums of an unweighted audit, agree exactly).
//!
//! # Known differences
//!
//! * A number written with a decimal point in an attribute column of a
//!   *typed* table (a DOUBLE column) is labelled as the engine casts it to
//!   text (`2.0`), not as fairaudit prints it (`2`); keep attributes as
//!   text or integers.
//! * In the ANSI dialect there is no `TRY_CAST`: a text value compared with
//!   a number fails the query instead of being "neither positive nor
//!   negative", and a NaN score is not detected.
//! * A non-numeric value in a numeric filter fails the query in DuckDB (as
//!   fairaudit fails), even on a row that an earlier filter drops; Spark
//!   (outside ANSI mode) drops such a row instead.
//! * Columns picked by occurrence (`decile_score#2`) cannot be addressed in
//!   SQL: rename the column in the table.
//! * The DuckDB dialect reads the spec's CSV files with `read_csv(..,
//!   all_varchar = true)`, so that every value is seen as the text in the
//!   file, as fairaudit sees it; Parquet with `read_parquet`. Arrow IPC
//!   inputs need `--table`.

use std::fmt::Write as _;

use crate::cohort::{Filter, LabelRule, OnInvalid, Op, Prediction, Test};
use crate::error::{Error, Result};
use crate::input::{ColumnRef, Format};
use crate::value::Literal;

use super::Counting;
use super::exact::{MAX_WEIGHT, MIN_WEIGHT};
use super::scan::MAX_SCORE;

/// A SQL dialect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// ISO SQL: `"quoted"` identifiers, `CAST`, no error function.
    Ansi,
    /// Spark SQL: `` `quoted` `` identifiers, `TRY_CAST`, `raise_error`,
    /// backslash escapes in string literals.
    Spark,
    /// DuckDB: ANSI quoting, `TRY_CAST`, `error()`, and `read_csv` /
    /// `read_parquet` of the spec's input files when no table is named.
    DuckDb,
}

impl Dialect {
    /// The dialect named `s` (`ansi`, `spark`, `duckdb`).
    pub fn from_name(s: &str) -> Option<Dialect> {
        match s.to_ascii_lowercase().as_str() {
            "ansi" => Some(Dialect::Ansi),
            "spark" => Some(Dialect::Spark),
            "duckdb" => Some(Dialect::DuckDb),
            _ => None,
        }
    }

    /// The lowercase name.
    pub fn name(self) -> &'static str {
        match self {
            Dialect::Ansi => "ansi",
            Dialect::Spark => "spark",
            Dialect::DuckDb => "duckdb",
        }
    }
}

/// Where the rows are: a named table, or (DuckDB only, the default there)
/// the spec's input files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A table name, possibly qualified (`db.schema.table`).
    Table(String),
    /// The spec's input files.
    Inputs,
}

/// The table name used by the ANSI and Spark dialects when none is given.
pub const DEFAULT_TABLE: &str = "predictions";

struct Sql {
    d: Dialect,
}

impl Sql {
    fn ident(&self, name: &str) -> String {
        match self.d {
            Dialect::Spark => format!("`{}`", name.replace('`', "``")),
            _ => format!("\"{}\"", name.replace('"', "\"\"")),
        }
    }

    fn string(&self, s: &str) -> String {
        match self.d {
            Dialect::Spark => format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'")),
            _ => format!("'{}'", s.replace('\'', "''")),
        }
    }

    fn text(&self, col: &str) -> String {
        match self.d {
            Dialect::Spark => format!("CAST({col} AS STRING)"),
            _ => format!("CAST({col} AS VARCHAR)"),
        }
    }

    /// The column as a number; NULL when it is not one (except in ANSI SQL,
    /// which has no `TRY_CAST`).
    fn number(&self, col: &str) -> String {
        match self.d {
            Dialect::Ansi => format!("CAST({col} AS DOUBLE PRECISION)"),
            _ => format!("TRY_CAST({col} AS DOUBLE)"),
        }
    }

    /// The column as a number; an error when it is not one (DuckDB), as
    /// fairaudit's numeric filters fail on text.
    fn strict_number(&self, col: &str) -> String {
        match self.d {
            Dialect::Ansi => format!("CAST({col} AS DOUBLE PRECISION)"),
            _ => format!("CAST({col} AS DOUBLE)"),
        }
    }

    fn not_nan(&self, x: &str) -> Option<String> {
        match self.d {
            Dialect::Ansi => None,
            _ => Some(format!("NOT isnan({x})")),
        }
    }

    /// An expression that fails the query, or `None` (ANSI).
    fn raise(&self, message: &str) -> Option<String> {
        match self.d {
            Dialect::Ansi => None,
            Dialect::Spark => Some(format!("raise_error({})", self.string(message))),
            Dialect::DuckDb => Some(format!("error({})", self.string(message))),
        }
    }

    fn number_literal(x: f64) -> String {
        // Rust prints f64 in plain decimal (never with an exponent), the
        // shortest text that reads back as the same double.
        format!("{x}")
    }

    /// Whether the value of `col` matches `lit`, as `Literal::matches`
    /// treats a text cell. NULL when the value is missing.
    fn matches(&self, col: &str, lit: &Literal) -> String {
        match lit {
            Literal::Str(s) => format!("{} = {}", self.text(col), self.string(s)),
            Literal::Int(i) => format!("{} = {i}", self.number(col)),
            Literal::Float(f) => format!("{} = {}", self.number(col), Self::number_literal(*f)),
            Literal::Bool(b) => format!("LOWER(TRIM({})) = '{b}'", self.text(col)),
        }
    }

    fn any_of(&self, col: &str, lits: &[Literal]) -> String {
        let parts: Vec<String> = lits.iter().map(|l| self.matches(col, l)).collect();
        format!("({})", parts.join(" OR "))
    }

    fn filter(&self, col: &str, f: &Filter) -> String {
        match &f.test {
            Test::IsMissing => format!("{col} IS NULL"),
            Test::IsNotMissing => format!("{col} IS NOT NULL"),
            Test::In(list) => {
                let parts: Vec<String> = list
                    .iter()
                    .map(|l| format!("COALESCE({}, FALSE)", self.matches(col, l)))
                    .collect();
                format!("({})", parts.join(" OR "))
            }
            Test::NotIn(list) => {
                let parts: Vec<String> = list
                    .iter()
                    .map(|l| format!("COALESCE({}, FALSE)", self.matches(col, l)))
                    .collect();
                format!("({col} IS NOT NULL AND NOT ({}))", parts.join(" OR "))
            }
            Test::Compare(op, lit) => {
                let op = match op {
                    Op::Eq => "=",
                    Op::Ne => "<>",
                    Op::Lt => "<",
                    Op::Le => "<=",
                    Op::Gt => ">",
                    Op::Ge => ">=",
                };
                match lit {
                    Literal::Int(i) => format!("{} {op} {i}", self.strict_number(col)),
                    Literal::Float(x) => format!(
                        "{} {op} {}",
                        self.strict_number(col),
                        Self::number_literal(*x)
                    ),
                    Literal::Str(s) => format!("{} {op} {}", self.text(col), self.string(s)),
                    Literal::Bool(b) => format!(
                        "(CASE LOWER(TRIM({})) WHEN 'true' THEN 1 WHEN 'false' THEN 0 END) {op} {}",
                        self.text(col),
                        u8::from(*b)
                    ),
                }
            }
        }
    }
}

fn column(sql: &Sql, c: &ColumnRef) -> Result<String> {
    if let Some((_, n)) = c.name.rsplit_once('#')
        && n.parse::<usize>().is_ok()
    {
        return Err(Error::spec(
            c.key.clone(),
            format!(
                "`{}` picks one of several columns with the same name, which SQL cannot address",
                c.name
            ),
        )
        .with_hint(
            "rename the column in the table (e.g. `decile_score_2`) and name it so in the spec",
        ));
    }
    Ok(sql.ident(&c.name))
}

/// The query that makes the spec's count table, in `dialect`, reading from
/// `source`.
pub fn query(spec: &Counting<'_>, dialect: Dialect, source: &Source) -> Result<String> {
    let sql = Sql { d: dialect };
    let reject = spec.on_invalid == OnInvalid::Reject;
    super::file::check_attribute_names(
        &spec
            .attributes
            .iter()
            .map(|a| a.name.clone())
            .collect::<Vec<_>>(),
    )?;
    // What an invalid value becomes: NULL (left out with "reject", or kept
    // for fairaudit to refuse in ANSI SQL), or a query error.
    let invalid = |what: &str| -> String {
        if reject {
            return "NULL".to_string();
        }
        sql.raise(&format!(
            "fairaudit: {what}; set input.on_invalid = \"reject\" to leave such rows out"
        ))
        .unwrap_or_else(|| "NULL".to_string())
    };
    let label = |rule: &LabelRule, section: &str| -> Result<String> {
        let c = column(&sql, &rule.column)?;
        Ok(format!(
            "CASE WHEN {} THEN TRUE WHEN {} THEN FALSE ELSE {} END",
            sql.any_of(&c, &rule.positive),
            sql.any_of(&c, &rule.negative),
            invalid(&format!(
                "a {section} value is missing or neither positive nor negative"
            ))
        ))
    };
    let valid_number = |x: &str, extra: &str| -> String {
        let mut conds = vec![format!("{x} IS NOT NULL")];
        if let Some(n) = sql.not_nan(x) {
            conds.push(n);
        }
        if !extra.is_empty() {
            conds.push(extra.to_string());
        }
        conds.join(" AND ")
    };

    let mut weight_ok: Option<String> = None;
    let weight = match spec.weight {
        None if dialect == Dialect::Ansi => "CAST(1 AS DOUBLE PRECISION)".to_string(),
        None => "CAST(1 AS DOUBLE)".to_string(),
        Some(w) => {
            let x = sql.number(&column(&sql, w)?);
            let ok = valid_number(
                &x,
                &format!(
                    "({x} = 0 OR {x} >= {}) AND {x} <= {}",
                    Sql::number_literal(MIN_WEIGHT),
                    Sql::number_literal(MAX_WEIGHT)
                ),
            );
            weight_ok = Some(ok.clone());
            format!(
                "CASE WHEN {ok} THEN {x} ELSE {} END",
                invalid("a weight is missing, not a number, negative, or outside 1e-12 to 1e6")
            )
        }
    };
    let mut truth = label(spec.truth, "truth")?;
    let (mut pred, score) = match spec.prediction {
        Prediction::Label(rule) => (label(rule, "prediction")?, "CAST(0 AS DOUBLE)".to_string()),
        Prediction::Threshold {
            column: c,
            threshold,
        } => {
            let x = sql.number(&column(&sql, c)?);
            let ok = valid_number(
                &x,
                &format!("ABS({x}) <= {}", Sql::number_literal(MAX_SCORE)),
            );
            let t = Sql::number_literal(*threshold);
            (
                format!(
                    "CASE WHEN {ok} AND {x} >= {t} THEN TRUE WHEN {ok} AND {x} < {t} THEN FALSE ELSE {} END",
                    invalid("a score is missing, not a number, NaN or beyond 1e6")
                ),
                format!("CASE WHEN {ok} THEN {x} END"),
            )
        }
    };
    let score = if dialect == Dialect::Ansi {
        score.replace("AS DOUBLE)", "AS DOUBLE PRECISION)")
    } else {
        score
    };
    // ANSI SQL cannot raise an error: a row with an invalid weight gets a
    // NULL truth and prediction, which fairaudit refuses on reading.
    if dialect == Dialect::Ansi
        && !reject
        && let Some(ok) = &weight_ok
    {
        truth = format!("CASE WHEN ({ok}) IS NOT TRUE THEN NULL ELSE {truth} END");
        pred = format!("CASE WHEN ({ok}) IS NOT TRUE THEN NULL ELSE {pred} END");
    }

    let mut inner: Vec<String> = Vec::new();
    let mut keys: Vec<String> = Vec::new();
    for a in spec.attributes {
        let c = column(&sql, &a.column)?;
        let text = sql.text(&c);
        let relabelled = if a.relabel.is_empty() {
            text
        } else {
            let mut e = format!("CASE {text}");
            for (raw, display) in &a.relabel {
                let _ = write!(e, " WHEN {} THEN {}", sql.string(raw), sql.string(display));
            }
            let _ = write!(e, " ELSE {text} END");
            e
        };
        let name = sql.ident(&a.name);
        inner.push(format!(
            "COALESCE({relabelled}, {}) AS {name}",
            sql.string(&a.missing_label)
        ));
        keys.push(name);
    }
    let (t, p, b, f) = (
        sql.ident("truth"),
        sql.ident("prediction"),
        sql.ident("score_bin"),
        sql.ident("flags"),
    );
    let (w, s) = (sql.ident("fairaudit_w"), sql.ident("fairaudit_s"));
    let double = if dialect == Dialect::Ansi {
        "DOUBLE PRECISION"
    } else {
        "DOUBLE"
    };
    inner.push(format!("{truth} AS {t}"));
    inner.push(format!("{pred} AS {p}"));
    inner.push(format!("CAST(NULL AS {double}) AS {b}"));
    inner.push(format!("0 AS {f}"));
    inner.push(format!("{weight} AS {w}"));
    inner.push(format!("{score} AS {s}"));
    keys.extend([t.clone(), p.clone(), b, f]);

    let from = match source {
        Source::Table(name) => name
            .split('.')
            .map(|part| sql.ident(part))
            .collect::<Vec<_>>()
            .join("."),
        Source::Inputs => match dialect {
            Dialect::DuckDb => duckdb_inputs(spec, &sql)?,
            _ => sql.ident(DEFAULT_TABLE),
        },
    };
    let mut filters: Vec<String> = Vec::new();
    for (f, key) in spec.filters {
        let c = column(
            &sql,
            &ColumnRef {
                name: f.column.clone(),
                key: key.clone(),
            },
        )?;
        filters.push(sql.filter(&c, f));
    }

    let mut q = String::new();
    let _ = writeln!(
        q,
        "-- The count table (fairaudit counts format version {}) of: {}",
        super::file::VERSION,
        spec.title.replace('\n', " ")
    );
    let _ = writeln!(
        q,
        "-- Generated by fairaudit {} (`fairaudit sql --dialect {}`); see docs/counts-format.md.",
        env!("CARGO_PKG_VERSION"),
        dialect.name()
    );
    let _ = writeln!(q, "SELECT");
    for k in &keys {
        let _ = writeln!(q, "  {k},");
    }
    let _ = writeln!(q, "  COUNT(*) AS {},", sql.ident("count"));
    let _ = writeln!(q, "  SUM({w}) AS {},", sql.ident("weight_sum"));
    let _ = writeln!(q, "  SUM({w} * {w}) AS {},", sql.ident("weight_sq_sum"));
    let _ = writeln!(
        q,
        "  COALESCE(SUM({w} * {s}), 0) AS {},",
        sql.ident("score_sum")
    );
    let _ = writeln!(
        q,
        "  COALESCE(SUM({w} * ({s} * {s})), 0) AS {}",
        sql.ident("score_sq_sum")
    );
    let _ = writeln!(q, "FROM (");
    let _ = writeln!(q, "  SELECT");
    for (i, e) in inner.iter().enumerate() {
        let sep = if i + 1 < inner.len() { "," } else { "" };
        let _ = writeln!(q, "    {e}{sep}");
    }
    let _ = writeln!(q, "  FROM {from}");
    if !filters.is_empty() {
        let _ = writeln!(q, "  WHERE {}", filters.join("\n    AND "));
    }
    let _ = writeln!(q, ") AS {}", sql.ident("fairaudit_rows"));
    if reject {
        let _ = writeln!(
            q,
            "WHERE {t} IS NOT NULL AND {p} IS NOT NULL AND {w} IS NOT NULL"
        );
    }
    let _ = writeln!(q, "GROUP BY {}", keys.join(", "));
    let _ = writeln!(q, "ORDER BY {}", keys.join(", "));
    Ok(q)
}

fn duckdb_inputs(spec: &Counting<'_>, sql: &Sql) -> Result<String> {
    let paths: Vec<String> = spec
        .inputs
        .iter()
        .map(|i| sql.string(&i.path.to_string_lossy()))
        .collect();
    let list = format!("[{}]", paths.join(", "));
    let formats: Vec<Format> = spec.inputs.iter().map(|i| i.format).collect();
    if formats.iter().all(|f| *f == Format::Csv) {
        let nulls: Vec<String> = spec.csv.missing.iter().map(|m| sql.string(m)).collect();
        let delim = (spec.csv.delimiter as char).to_string();
        Ok(format!(
            "read_csv({list}, header = true, all_varchar = true, delim = {}, quote = '\"', escape = '\"', nullstr = [{}])",
            sql.string(&delim),
            nulls.join(", ")
        ))
    } else if formats.iter().all(|f| *f == Format::Parquet) {
        Ok(format!("read_parquet({list})"))
    } else {
        Err(Error::usage(
            "--table",
            "DuckDB can read the spec's inputs only when they are all CSV or all Parquet",
        )
        .with_hint("load the rows into a DuckDB table and name it with --table"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{AuditSpec, Plan};
    use std::path::Path;

    fn spec(extra: &str) -> Plan {
        let text = format!(
            r#"
[input]
path = "p.csv"
{extra}
[truth]
column = "y"
positive = ["Yes"]
[prediction]
score = "s"
threshold = 0.5
[weight]
column = "w"
[cohort]
filters = ["age >= 18", "force in ['MPS', \"O'Neil\"]", "x not in [1]", "z is missing"]
[[attributes]]
column = "eth"
relabel = {{ White = ["W1", "W2"] }}
"#
        );
        let raw = AuditSpec::from_toml(&text, Path::new("a.toml")).unwrap();
        Plan::check(&raw, Path::new("/d")).unwrap()
    }

    #[test]
    fn duckdb_reads_the_inputs_as_text_and_raises_on_invalid_values() {
        let q = query(&spec("").counting(), Dialect::DuckDb, &Source::Inputs).unwrap();
        assert!(
            q.contains("read_csv(['/d/p.csv'], header = true, all_varchar = true"),
            "{q}"
        );
        assert!(
            q.contains("CASE CAST(\"eth\" AS VARCHAR) WHEN 'W1' THEN 'White'"),
            "{q}"
        );
        assert!(q.contains("error('fairaudit: a truth value"), "{q}");
        assert!(q.contains("CAST(\"age\" AS DOUBLE) >= 18"), "{q}");
        assert!(
            q.contains(
                "(\"x\" IS NOT NULL AND NOT (COALESCE(TRY_CAST(\"x\" AS DOUBLE) = 1, FALSE)))"
            ),
            "{q}"
        );
        assert!(q.contains("\"z\" IS NULL"), "{q}");
        assert!(!q.contains("WHERE \"truth\" IS NOT NULL"), "{q}");
    }

    #[test]
    fn spark_quotes_with_backticks_and_backslashes() {
        let q = query(
            &spec("on_invalid = \"reject\"").counting(),
            Dialect::Spark,
            &Source::Table("db.preds".into()),
        )
        .unwrap();
        assert!(q.contains("FROM `db`.`preds`"), "{q}");
        assert!(q.contains("'O\\'Neil'"), "{q}");
        assert!(q.contains("WHERE `truth` IS NOT NULL"), "{q}");
        assert!(!q.contains("raise_error"), "{q}");
    }

    #[test]
    fn ansi_keeps_invalid_rows_as_nulls() {
        let q = query(&spec("").counting(), Dialect::Ansi, &Source::Inputs).unwrap();
        assert!(q.contains("FROM \"predictions\""), "{q}");
        assert!(!q.contains("TRY_CAST") && !q.contains("error("), "{q}");
        assert!(q.contains("IS NOT TRUE THEN NULL"), "{q}");
    }
}
