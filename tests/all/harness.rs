//! Shared helpers: paths, a temp-dir harness, running audits from TOML text.

use std::path::{Path, PathBuf};

use fairaudit::count::RunOptions;
use fairaudit::{AuditSpec, Plan, Results};

/// The crate root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A file under `tests/golden/peers/`.
pub fn peers(rel: &str) -> PathBuf {
    root().join("tests/golden/peers").join(rel)
}

/// The raw ProPublica file in the shared reference material, if present.
pub fn shared_raw_compas() -> Option<PathBuf> {
    let p = root().join("../shared/data/compas-scores-two-years.csv");
    p.exists().then_some(p)
}

/// Checks a spec given as TOML text, resolving paths against `base`.
pub fn plan(text: &str, base: &Path) -> fairaudit::Result<Plan> {
    Plan::check(&AuditSpec::from_toml(text, Path::new("audit.toml"))?, base)
}

/// Checks and runs a spec given as TOML text, resolving paths against `base`.
pub fn run_toml(text: &str, base: &Path, threads: usize) -> fairaudit::Result<Results> {
    let spec = AuditSpec::from_toml(text, Path::new("audit.toml"))?;
    let valid = Plan::check(&spec, base)?;
    fairaudit::audit(
        &valid,
        &RunOptions {
            threads,
            progress: None,
        },
    )
}

/// A temp dir with files written into it.
pub struct Dir {
    pub dir: tempfile::TempDir,
}

impl Dir {
    pub fn new() -> Dir {
        Dir {
            dir: tempfile::tempdir().expect("tempdir"),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn write(&self, name: &str, text: &str) -> PathBuf {
        let p = self.dir.path().join(name);
        std::fs::write(&p, text).expect("write");
        p
    }
}

/// Asserts |a - b| <= tol, naming what is compared.
pub fn close(a: f64, b: f64, tol: f64, what: &str) {
    assert!(
        (a - b).abs() <= tol,
        "{what}: {a} vs {b} (diff {})",
        (a - b).abs()
    );
}
