//! Using fairaudit as a library: run the COMPAS audit that ships in
//! `audits/compas/` and read a few numbers from the results.
//!
//! Run with `cargo run --example library`.

use std::path::Path;

use fairaudit::count::RunOptions;
use fairaudit::metric::MetricId;
use fairaudit::{AuditSpec, Plan};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("audits/compas/audit.toml");
    let spec = AuditSpec::from_file(&path)?;
    let valid = Plan::check(&spec, path.parent().unwrap_or(Path::new(".")))?;
    let results = fairaudit::audit(&valid, &RunOptions::default())?;

    println!(
        "{}: {} of {} rows in the cohort",
        results.audit.title, results.rows.used, results.rows.read
    );
    let race = results.grouping("race").ok_or("no race grouping")?;
    let reference = race.reference.as_ref().ok_or("no reference group")?;
    for group in race.groups.iter().filter(|g| !g.suppressed && !g.reference) {
        let fpr = group.metric(MetricId::Fpr).unwrap_or(f64::NAN);
        let ratio = group
            .disparities
            .get(&MetricId::Fpr)
            .and_then(|d| d.ratio)
            .unwrap_or(f64::NAN);
        println!(
            "{:<18} false positive rate {:.3}, {:.2} times that of {}",
            group.label, fpr, ratio, reference.group
        );
    }
    Ok(())
}
