//! The `fairaudit` command: a thin adapter over the library.
//!
//! parse flags → build and check a spec → `fairaudit::audit` → render →
//! exit code. Nothing here computes a statistic.

mod cli;

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

/// The documented exit codes, the same for every command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// The audit ran and its policy passed (`verify`: the pack is identical;
    /// commands that judge nothing: they succeeded).
    Passed = 0,
    /// The audit ran and its policy failed (`verify`: the pack differs).
    PolicyFailed = 1,
    /// A usage or input error: nothing was audited.
    Error = 2,
    /// The audit ran but could not show that the policy holds: a comparison
    /// was inconclusive, or there was not enough data for any verdict
    /// (`fail_on = "inconclusive"` makes this a failure, exit 1).
    NotShown = 3,
}

impl Exit {
    /// The exit code of an audit's results.
    pub fn of(results: &fairaudit::Results) -> Exit {
        use fairaudit::results::VerdictKind;
        if results.verdict.fails_audit {
            return Exit::PolicyFailed;
        }
        match results.verdict.verdict {
            VerdictKind::Pass => Exit::Passed,
            VerdictKind::Fail => Exit::PolicyFailed,
            VerdictKind::Inconclusive | VerdictKind::InsufficientData => Exit::NotShown,
        }
    }
}

fn main() -> ExitCode {
    cli::signals::install();
    let args = match cli::Cli::try_parse() {
        Ok(a) => a,
        Err(e) => {
            // clap prints help and version to stdout with exit 0, and usage
            // errors to stderr; keep its wording but use our exit codes.
            let code = if e.use_stderr() {
                Exit::Error
            } else {
                Exit::Passed
            };
            let _ = e.print();
            return ExitCode::from(code as u8);
        }
    };
    match cli::run(args) {
        Ok(code) => ExitCode::from(code as u8),
        Err(e) => {
            // A closed pipe (e.g. `fairaudit ... | head`) is not an error.
            if e.chain().any(|c| {
                c.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            }) {
                return ExitCode::from(Exit::Passed as u8);
            }
            let mut err = std::io::stderr().lock();
            // The library's errors say where, what and what to do in their
            // own text; their I/O source is already in it.
            match e.downcast_ref::<fairaudit::Error>() {
                Some(fe) => {
                    let _ = writeln!(err, "error: {fe}");
                }
                None => {
                    let _ = writeln!(err, "error: {e:#}");
                }
            }
            ExitCode::from(Exit::Error as u8)
        }
    }
}
