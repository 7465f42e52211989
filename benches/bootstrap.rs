//! The cost of 1,000-replicate bootstrap intervals beyond the scan.
//!
//! The bootstrap resamples the count table (one binomial draw per cell per
//! replicate), so its cost depends on the number of cells, not on the number
//! of rows: the table of 1e7 synthetic rows has the same few hundred cells as
//! the table of 1e5. This bench builds the table of seeded synthetic data at
//! 1e5 and 1e6 rows (and 1e7 with `FAIRAUDIT_BENCH_1E7=1`) once, then times
//! the statistics step (`evaluate`) with the bootstrap off and on.
//!
//! Run: `cargo bench --bench bootstrap`.

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};

use fairaudit::AuditSpec;
use fairaudit::count::{CellKey, CellStats, CountTable};
use fairaudit::count::{Counted, RowAccounting};
use fairaudit::synth::{SynthOptions, batches};

const SPEC: &str = r#"
seed = 20240601
intersections = [["ethnicity", "sex"], ["ethnicity", "sex", "age_band"]]
[input]
path = "unused.csv"
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
reference = "25-34"
[policy]
intervention = "punitive"
min_group_size = 0
"#;

/// The count table of `rows` synthetic rows, built directly from the
/// generator (the scan is not what this bench measures).
fn table(rows: u64) -> Counted {
    let mut t = CountTable::new(vec!["ethnicity".into(), "sex".into(), "age_band".into()]);
    for b in batches(&SynthOptions { rows, seed: 7 }, 0) {
        for i in 0..b.len() {
            let levels = [
                b.ethnicity[i].to_string(),
                b.sex[i].to_string(),
                b.age_band[i].to_string(),
            ];
            let key = CellKey::confusion(b.y_true[i] == 1, b.y_pred[i] == 1);
            t.add_cell(&levels, key, CellStats::rows(1));
        }
    }
    let used = t.total().count;
    Counted {
        table: t,
        rows: RowAccounting {
            read: used,
            used,
            ..RowAccounting::default()
        },
        warnings: vec![],
        weighted: false,
    }
}

fn bench(c: &mut Criterion) {
    let mut sizes = vec![100_000u64, 1_000_000];
    if std::env::var_os("FAIRAUDIT_BENCH_1E7").is_some() {
        sizes.push(10_000_000);
    }
    let with = AuditSpec::from_toml(SPEC, Path::new("bench.toml"))
        .and_then(|s| fairaudit::Plan::check(&s, Path::new(".")));
    let without = AuditSpec::from_toml(
        &SPEC.replace("seed = 20240601\n", ""),
        Path::new("bench.toml"),
    )
    .and_then(|s| fairaudit::Plan::check(&s, Path::new(".")));
    let (Ok(with), Ok(without)) = (with, without) else {
        panic!("the bench spec does not check");
    };
    let mut group = c.benchmark_group("statistics");
    group.sample_size(10);
    for rows in sizes {
        let scanned = table(rows);
        eprintln!("{rows} rows -> {} cells", scanned.table.len());
        group.bench_function(format!("no_bootstrap/{rows}"), |b| {
            b.iter(|| black_box(fairaudit::audit::evaluate(&without, &scanned)))
        });
        group.bench_function(format!("bootstrap_1000/{rows}"), |b| {
            b.iter(|| black_box(fairaudit::audit::evaluate(&with, &scanned)))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
