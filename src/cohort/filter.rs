//! Row filters that define the audit's cohort.
//!
//! A filter is written as a short expression, so that a cohort reads like the
//! sentence that defines it:
//!
//! ```text
//! days_b_screening_arrest >= -30
//! is_recid != -1
//! c_charge_degree != "O"
//! ethnicity in ["White", "Black"]
//! outcome not in ["withdrawn", "duplicate"]
//! disposal is missing
//! `officer grade` is not missing
//! ```
//!
//! Filters are combined with AND. A comparison with a missing value is never
//! true (the row is filtered out), as in SQL and R's `dplyr::filter`; select
//! missing values explicitly with `is missing`. Numbers compare as numbers, so
//! a text cell that is not a number, compared with a number, is an input
//! error naming the row and column rather than a silent exclusion.

use std::cmp::Ordering;
use std::fmt;

use crate::error::{Error, Result};
use crate::value::{Cell, Literal};

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

impl Op {
    fn symbol(self) -> &'static str {
        match self {
            Op::Eq => "==",
            Op::Ne => "!=",
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Gt => ">",
            Op::Ge => ">=",
        }
    }
}

/// What a filter tests.
#[derive(Debug, Clone, PartialEq)]
pub enum Test {
    /// `column OP value`
    Compare(Op, Literal),
    /// `column in [..]`
    In(Vec<Literal>),
    /// `column not in [..]`
    NotIn(Vec<Literal>),
    /// `column is missing`
    IsMissing,
    /// `column is not missing`
    IsNotMissing,
}

/// One parsed filter: a column and a test.
#[derive(Debug, Clone, PartialEq)]
pub struct Filter {
    /// The column as written (may carry a `#N` occurrence suffix).
    pub column: String,
    /// The test applied to it.
    pub test: Test,
}

/// The outcome of a filter on one cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The row stays in the cohort.
    Keep,
    /// The row is filtered out.
    Drop,
    /// The cell cannot be compared (e.g. text against a number).
    Incomparable,
}

impl Filter {
    /// Parses one filter expression. `key` names the spec key or flag it came
    /// from, for the error.
    pub fn parse(text: &str, key: &str) -> Result<Filter> {
        let mut p = Parser {
            s: text,
            pos: 0,
            key,
        };
        let column = p.column()?;
        p.ws();
        let test = if p.eat_word("is") {
            p.ws();
            if p.eat_word("not") {
                p.ws();
                p.expect_word("missing")?;
                Test::IsNotMissing
            } else {
                p.expect_word("missing")?;
                Test::IsMissing
            }
        } else if p.eat_word("not") {
            p.ws();
            p.expect_word("in")?;
            Test::NotIn(p.list()?)
        } else if p.eat_word("in") {
            Test::In(p.list()?)
        } else {
            let op = p.op()?;
            p.ws();
            Test::Compare(op, p.literal()?)
        };
        p.ws();
        if p.pos < p.s.len() {
            return Err(p.error(&format!(
                "unexpected text `{}` after the filter",
                &p.s[p.pos..]
            )));
        }
        Ok(Filter { column, test })
    }

    /// Applies the filter to one cell.
    pub fn apply(&self, cell: &Cell<'_>) -> Outcome {
        let keep = |b: bool| if b { Outcome::Keep } else { Outcome::Drop };
        match &self.test {
            Test::IsMissing => keep(matches!(cell, Cell::Missing)),
            Test::IsNotMissing => keep(!matches!(cell, Cell::Missing)),
            _ if matches!(cell, Cell::Missing) => Outcome::Drop,
            Test::In(list) => keep(list.iter().any(|l| l.matches(cell))),
            Test::NotIn(list) => keep(!list.iter().any(|l| l.matches(cell))),
            Test::Compare(op, lit) => match lit.compare(cell) {
                None => Outcome::Incomparable,
                Some(ord) => keep(match op {
                    Op::Eq => ord == Ordering::Equal,
                    Op::Ne => ord != Ordering::Equal,
                    Op::Lt => ord == Ordering::Less,
                    Op::Le => ord != Ordering::Greater,
                    Op::Gt => ord == Ordering::Greater,
                    Op::Ge => ord != Ordering::Less,
                }),
            },
        }
    }
}

impl fmt::Display for Filter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let col = if self
            .column
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '#' || c == '.')
        {
            self.column.clone()
        } else {
            format!("`{}`", self.column)
        };
        let list = |l: &[Literal]| {
            l.iter()
                .map(|x| x.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        };
        match &self.test {
            Test::Compare(op, lit) => write!(f, "{col} {} {lit}", op.symbol()),
            Test::In(l) => write!(f, "{col} in [{}]", list(l)),
            Test::NotIn(l) => write!(f, "{col} not in [{}]", list(l)),
            Test::IsMissing => write!(f, "{col} is missing"),
            Test::IsNotMissing => write!(f, "{col} is not missing"),
        }
    }
}

struct Parser<'a> {
    s: &'a str,
    pos: usize,
    key: &'a str,
}

const SYNTAX: &str = "write `COLUMN OP VALUE` (OP one of == != < <= > >=), `COLUMN in [V1, V2]`, \
`COLUMN not in [..]`, `COLUMN is missing` or `COLUMN is not missing`; quote text values (\"O\") \
and put column names with spaces in backquotes";

impl Parser<'_> {
    fn error(&self, what: &str) -> Error {
        Error::spec(
            self.key,
            format!(
                "cannot read filter `{}` (at character {}): {what}",
                self.s,
                self.pos + 1
            ),
        )
        .with_hint(SYNTAX)
    }

    fn rest(&self) -> &str {
        &self.s[self.pos..]
    }

    fn ws(&mut self) {
        let trimmed = self.rest().trim_start();
        self.pos = self.s.len() - trimmed.len();
    }

    fn column(&mut self) -> Result<String> {
        self.ws();
        if let Some(r) = self.rest().strip_prefix('`') {
            let end = r
                .find('`')
                .ok_or_else(|| self.error("the backquoted column name is not closed"))?;
            let name = r[..end].to_string();
            self.pos += end + 2;
            return Ok(name);
        }
        let len = self
            .rest()
            .find(|c: char| c.is_whitespace() || "=!<>".contains(c))
            .unwrap_or(self.rest().len());
        if len == 0 {
            return Err(self.error("expected a column name"));
        }
        let name = self.rest()[..len].to_string();
        self.pos += len;
        Ok(name)
    }

    fn eat_word(&mut self, w: &str) -> bool {
        let r = self.rest();
        if r.len() >= w.len()
            && r[..w.len()].eq_ignore_ascii_case(w)
            && r[w.len()..]
                .chars()
                .next()
                .is_none_or(|c| c.is_whitespace() || c == '[')
        {
            self.pos += w.len();
            true
        } else {
            false
        }
    }

    fn expect_word(&mut self, w: &str) -> Result<()> {
        if self.eat_word(w) {
            Ok(())
        } else {
            Err(self.error(&format!("expected `{w}`")))
        }
    }

    fn op(&mut self) -> Result<Op> {
        for (sym, op) in [
            ("==", Op::Eq),
            ("!=", Op::Ne),
            ("<=", Op::Le),
            (">=", Op::Ge),
            ("<", Op::Lt),
            (">", Op::Gt),
            ("=", Op::Eq),
        ] {
            if self.rest().starts_with(sym) {
                self.pos += sym.len();
                return Ok(op);
            }
        }
        Err(self.error("expected an operator (== != < <= > >=), `in`, `not in` or `is`"))
    }

    fn list(&mut self) -> Result<Vec<Literal>> {
        self.ws();
        if !self.rest().starts_with('[') {
            return Err(self.error("expected `[` to open the list of values"));
        }
        self.pos += 1;
        let mut out = Vec::new();
        loop {
            self.ws();
            if self.rest().starts_with(']') {
                self.pos += 1;
                break;
            }
            out.push(self.literal()?);
            self.ws();
            if self.rest().starts_with(',') {
                self.pos += 1;
            } else if self.rest().starts_with(']') {
                self.pos += 1;
                break;
            } else {
                return Err(self.error("expected `,` or `]` in the list of values"));
            }
        }
        if out.is_empty() {
            return Err(self.error("the list of values is empty"));
        }
        Ok(out)
    }

    fn literal(&mut self) -> Result<Literal> {
        let r = self.rest();
        if let Some(q) = r.chars().next().filter(|c| *c == '"' || *c == '\'') {
            let body = &r[1..];
            let end = body
                .find(q)
                .ok_or_else(|| self.error("the quoted value is not closed"))?;
            let lit = Literal::Str(body[..end].to_string());
            self.pos += end + 2;
            return Ok(lit);
        }
        let len = r
            .find(|c: char| c.is_whitespace() || c == ',' || c == ']')
            .unwrap_or(r.len());
        let word = &r[..len];
        let lit = if word.eq_ignore_ascii_case("true") {
            Literal::Bool(true)
        } else if word.eq_ignore_ascii_case("false") {
            Literal::Bool(false)
        } else if let Ok(i) = word.parse::<i64>() {
            Literal::Int(i)
        } else if let Ok(f) = word
            .parse::<f64>()
            .map_err(|_| ())
            .and_then(|f: f64| if f.is_finite() { Ok(f) } else { Err(()) })
        {
            Literal::Float(f)
        } else if word.is_empty() {
            return Err(self.error("expected a value"));
        } else {
            return Err(self.error(&format!(
                "`{word}` is not a number; put text values in quotes, e.g. \"{word}\""
            )));
        };
        self.pos += len;
        Ok(lit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(s: &str) -> Filter {
        Filter::parse(s, "cohort.filters[0]").unwrap()
    }

    #[test]
    fn parses_the_propublica_cohort() {
        assert_eq!(
            f("days_b_screening_arrest >= -30"),
            Filter {
                column: "days_b_screening_arrest".into(),
                test: Test::Compare(Op::Ge, Literal::Int(-30))
            }
        );
        assert_eq!(
            f("is_recid != -1").test,
            Test::Compare(Op::Ne, Literal::Int(-1))
        );
        assert_eq!(
            f("c_charge_degree != \"O\"").test,
            Test::Compare(Op::Ne, Literal::Str("O".into()))
        );
        assert_eq!(
            f("score_text!='N/A'").test,
            Test::Compare(Op::Ne, Literal::Str("N/A".into()))
        );
    }

    #[test]
    fn parses_lists_and_missing() {
        assert_eq!(
            f("eth in [\"White\", 'Black']").test,
            Test::In(vec![
                Literal::Str("White".into()),
                Literal::Str("Black".into())
            ])
        );
        assert_eq!(
            f("x not in [1,2]").test,
            Test::NotIn(vec![Literal::Int(1), Literal::Int(2)])
        );
        assert_eq!(f("x is missing").test, Test::IsMissing);
        assert_eq!(
            f("`a b` IS NOT MISSING"),
            Filter {
                column: "a b".into(),
                test: Test::IsNotMissing
            }
        );
        assert_eq!(
            f("x == 0.5").test,
            Test::Compare(Op::Eq, Literal::Float(0.5))
        );
    }

    #[test]
    fn round_trips_through_display() {
        for s in [
            "a >= -30",
            "b != \"O\"",
            "c in [1, 2]",
            "d not in [\"x\"]",
            "e is missing",
            "`f g` is not missing",
        ] {
            assert_eq!(f(s).to_string(), s);
            assert_eq!(f(&f(s).to_string()), f(s));
        }
    }

    #[test]
    fn errors_name_the_key_and_say_what_to_do() {
        let e = Filter::parse("score_text != N/A", "cohort.filters[4]").unwrap_err();
        let m = e.to_string();
        assert!(m.contains("`cohort.filters[4]`"), "{m}");
        assert!(m.contains("put text values in quotes"), "{m}");
        assert!(Filter::parse("x", "k").is_err());
        assert!(Filter::parse("x ~ 3", "k").is_err());
        assert!(Filter::parse("x in []", "k").is_err());
        assert!(Filter::parse("x in [1", "k").is_err());
        assert!(Filter::parse("x == 1 extra", "k").is_err());
        assert!(Filter::parse("", "k").is_err());
    }

    #[test]
    fn missing_never_compares_true() {
        assert_eq!(f("x != 1").apply(&Cell::Missing), Outcome::Drop);
        assert_eq!(f("x not in [1]").apply(&Cell::Missing), Outcome::Drop);
        assert_eq!(f("x is missing").apply(&Cell::Missing), Outcome::Keep);
        assert_eq!(f("x <= 30").apply(&Cell::Str("30")), Outcome::Keep);
        assert_eq!(f("x <= 30").apply(&Cell::Str("31")), Outcome::Drop);
        assert_eq!(f("x <= 30").apply(&Cell::Str("abc")), Outcome::Incomparable);
    }
}
