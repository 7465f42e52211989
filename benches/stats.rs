//! The statistics, from a count table to every result: group metrics for
//! each attribute and intersection, disparities and the peers' summaries.
//! Their cost depends on the number of cells, not of rows; tables from 1e5
//! and 1e6 seeded synthetic rows show it.

use std::path::Path;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};

use fairaudit::AuditSpec;
use fairaudit::count::RunOptions;
use fairaudit::synth::{SynthOptions, write_synth};

const SPEC: &str = r#"
intersections = [["ethnicity", "sex"], ["ethnicity", "age_band"], ["sex", "age_band"], ["ethnicity", "sex", "age_band"]]
[input]
path = "PATH"
[truth]
column = "y_true"
positive = [1]
[prediction]
score = "y_score"
threshold = 0.5
[weight]
column = "weight"
[[attributes]]
column = "ethnicity"
reference = "White"
[[attributes]]
column = "sex"
reference = "Male"
[[attributes]]
column = "age_band"
"#;

fn bench_stats(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("a temp dir");
    let mut group = c.benchmark_group("statistics");
    for rows in [100_000u64, 1_000_000] {
        let path = dir.path().join(format!("synth-{rows}.parquet"));
        write_synth(&path, &SynthOptions { rows, seed: 1 }).expect("write the bench file");
        let raw = AuditSpec::from_toml(
            &SPEC.replace("PATH", &path.to_string_lossy()),
            Path::new("bench.toml"),
        )
        .expect("the bench spec parses");
        let spec = fairaudit::Plan::check(&raw, Path::new(".")).expect("the bench spec checks");
        let scanned = fairaudit::count(&spec, &RunOptions::default()).expect("the scan succeeds");
        group.bench_with_input(
            BenchmarkId::new("assemble", rows),
            &scanned,
            |b, scanned| b.iter(|| fairaudit::audit::evaluate(&spec, scanned).expect("results")),
        );
    }
    group.finish();
}

criterion_group!(benches, bench_stats);
criterion_main!(benches);
