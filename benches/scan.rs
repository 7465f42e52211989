//! Scan throughput (rows/s): seeded synthetic files read into a count
//! table, CSV and Parquet, with 1 thread and with every core.
//!
//! 1e5 and 1e6 rows by default; set `FAIRAUDIT_BENCH_1E7=1` to add 1e7
//! (about 450 MB of CSV in a temp dir). `benches/compare.py` times whole
//! processes against the parse-only baseline and the Python peers.

use std::path::{Path, PathBuf};

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

use fairaudit::AuditSpec;
use fairaudit::count::RunOptions;
use fairaudit::synth::{SynthOptions, write_synth};

/// Every attribute and every intersection, label prediction: the audit the
/// performance targets are stated for.
pub const SPEC: &str = r#"
intersections = [["ethnicity", "sex"], ["ethnicity", "age_band"], ["sex", "age_band"], ["ethnicity", "sex", "age_band"]]
[input]
path = "PATH"
[truth]
column = "y_true"
positive = [1]
[prediction]
column = "y_pred"
positive = [1]
[[attributes]]
column = "ethnicity"
reference = "White"
[[attributes]]
column = "sex"
reference = "Male"
[[attributes]]
column = "age_band"
"#;

fn sizes() -> Vec<u64> {
    let mut s = vec![100_000, 1_000_000];
    if std::env::var_os("FAIRAUDIT_BENCH_1E7").is_some() {
        s.push(10_000_000);
    }
    s
}

fn spec_for(path: &Path) -> fairaudit::Plan {
    let raw = AuditSpec::from_toml(
        &SPEC.replace("PATH", &path.to_string_lossy()),
        Path::new("bench.toml"),
    )
    .expect("the bench spec parses");
    fairaudit::Plan::check(&raw, Path::new(".")).expect("the bench spec checks")
}

fn bench_scan(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("a temp dir");
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut group = c.benchmark_group("scan");
    group.sample_size(10);
    for rows in sizes() {
        for ext in ["csv", "parquet"] {
            let path: PathBuf = dir.path().join(format!("synth-{rows}.{ext}"));
            write_synth(&path, &SynthOptions { rows, seed: 1 }).expect("write the bench file");
            let spec = spec_for(&path);
            group.throughput(Throughput::Elements(rows));
            let mut threads = vec![1];
            if cores > 1 {
                threads.push(cores);
            }
            for t in threads {
                group.bench_with_input(
                    BenchmarkId::new(format!("{ext}/{t}-threads"), rows),
                    &spec,
                    |b, spec| {
                        b.iter(|| {
                            fairaudit::count(
                                spec,
                                &RunOptions {
                                    threads: t,
                                    progress: None,
                                },
                            )
                            .expect("the scan succeeds")
                        })
                    },
                );
            }
        }
    }
    group.finish();
}

criterion_group!(benches, bench_scan);
criterion_main!(benches);
