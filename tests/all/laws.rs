//! The laws of the count table: merging the counts of any split of the rows
//! equals the counts of the whole; the order of rows and the number of
//! threads change nothing.

use proptest::prelude::*;

use fairaudit::AuditSpec;
use fairaudit::count::RunOptions;

use crate::harness::Dir;

#[derive(Debug, Clone)]
struct Row {
    group: &'static str,
    sex: &'static str,
    truth: bool,
    pred: bool,
    weight: f64,
}

fn row() -> impl Strategy<Value = Row> {
    (
        prop::sample::select(vec!["A", "B", "C", ""]),
        prop::sample::select(vec!["F", "M"]),
        any::<bool>(),
        any::<bool>(),
        prop::sample::select(vec![0.1, 0.25, 1.0, 1.1443, 2.5, 0.3333]),
    )
        .prop_map(|(group, sex, truth, pred, weight)| Row {
            group,
            sex,
            truth,
            pred,
            weight,
        })
}

fn csv(rows: &[Row]) -> String {
    let mut s = String::from("g,sex,y,p,w\n");
    for r in rows {
        s.push_str(&format!(
            "{},{},{},{},{}\n",
            r.group,
            r.sex,
            u8::from(r.truth),
            u8::from(r.pred),
            r.weight
        ));
    }
    s
}

fn spec(paths: &[String]) -> String {
    let list = paths
        .iter()
        .map(|p| format!("{p:?}"))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        r#"
intersections = [["g", "sex"]]
[input]
paths = [{list}]
[truth]
column = "y"
positive = [1]
[prediction]
column = "p"
positive = [1]
[weight]
column = "w"
[[attributes]]
column = "g"
[[attributes]]
column = "sex"
[policy]
min_group_size = 0
"#
    )
}

fn table(dir: &Dir, shards: &[&[Row]], threads: usize) -> fairaudit::count::CountTable {
    let mut paths = Vec::new();
    for (i, s) in shards.iter().enumerate() {
        let name = format!("shard{i}.csv");
        dir.write(&name, &csv(s));
        paths.push(name);
    }
    let spec = AuditSpec::from_toml(&spec(&paths), std::path::Path::new("a.toml")).unwrap();
    let valid = fairaudit::Plan::check(&spec, dir.path()).unwrap();
    fairaudit::count(
        &valid,
        &RunOptions {
            threads,
            progress: None,
        },
    )
    .unwrap()
    .table
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, .. ProptestConfig::default() })]

    #[test]
    fn merging_any_split_equals_the_whole(rows in prop::collection::vec(row(), 1..200), cuts in prop::collection::vec(0usize..200, 0..4)) {
        let dir = Dir::new();
        let whole = table(&dir, &[&rows], 1);
        let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c % (rows.len() + 1)).collect();
        cuts.push(0);
        cuts.push(rows.len());
        cuts.sort_unstable();
        let shards: Vec<&[Row]> = cuts.windows(2).map(|w| &rows[w[0]..w[1]]).filter(|s| !s.is_empty()).collect();
        let dir2 = Dir::new();
        prop_assert_eq!(&table(&dir2, &shards, 2), &whole);
        // The same, merged by hand with `+` from one table per shard.
        let mut sum = fairaudit::count::CountTable::new(whole.attributes().to_vec());
        for s in &shards {
            let d = Dir::new();
            sum = sum + table(&d, &[s], 1);
        }
        prop_assert_eq!(sum, whole);
    }

    #[test]
    fn shuffling_rows_changes_nothing(rows in prop::collection::vec(row(), 1..200), seed in any::<u64>()) {
        let dir = Dir::new();
        let whole = table(&dir, &[&rows], 1);
        let mut shuffled = rows.clone();
        // A seeded Fisher–Yates shuffle (xorshift), so failures replay.
        let mut x = seed | 1;
        for i in (1..shuffled.len()).rev() {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            shuffled.swap(i, (x % (i as u64 + 1)) as usize);
        }
        let dir2 = Dir::new();
        prop_assert_eq!(table(&dir2, &[&shuffled], 3), whole);
    }
}

/// A file large enough to span several chunks gives the same table with 1
/// and 4 threads, and missing attribute values form their own group.
#[test]
fn threads_change_nothing_across_chunks() {
    let mut rows = Vec::new();
    for i in 0..400_000u64 {
        rows.push(Row {
            group: ["A", "B", "C", ""][(i % 4) as usize],
            sex: if i % 3 == 0 { "F" } else { "M" },
            truth: i % 5 < 2,
            pred: i % 7 < 3,
            weight: [0.1, 1.1443, 2.5][(i % 3) as usize],
        });
    }
    let dir = Dir::new();
    let one = table(&dir, &[&rows], 1);
    let four = table(&dir, &[&rows], 4);
    assert_eq!(one, four);
    assert_eq!(one.total().count, 400_000);
    assert!(one.levels(0).contains(&"(missing)".to_string()));
}
