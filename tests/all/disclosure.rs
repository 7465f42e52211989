//! The subtraction adversary (issue 10, "Small groups"): from everything a
//! pack publishes about groups — the overall counts and each published
//! group's counts, in every grouping — try every sum and difference of
//! published numbers; no suppressed group's counts may come out.
//!
//! The adversary knows which combinations of attribute levels have rows
//! (more than the pack says) and solves the published equations exactly,
//! with rational arithmetic: a suppressed group is recovered when its
//! indicator over those combinations is a rational combination of the
//! published groups' indicators — then its counts are the same combination
//! of published counts. This is independent of the library's own check
//! (ranks modulo primes).

use std::collections::BTreeMap;

use fairaudit::Results;

use crate::harness::{Dir, root, run_toml};

/// An exact fraction.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Q(i128, i128);

fn gcd(a: i128, b: i128) -> i128 {
    if b == 0 { a.abs() } else { gcd(b, a % b) }
}

impl Q {
    fn new(n: i128, d: i128) -> Q {
        let g = gcd(n, d).max(1);
        let s = if d < 0 { -1 } else { 1 };
        Q(s * n / g, s * d / g)
    }
    fn zero(self) -> bool {
        self.0 == 0
    }
    fn sub(self, o: Q) -> Q {
        Q::new(self.0 * o.1 - o.0 * self.1, self.1 * o.1)
    }
    fn mul(self, o: Q) -> Q {
        Q::new(self.0 * o.0, self.1 * o.1)
    }
    fn div(self, o: Q) -> Q {
        Q::new(self.0 * o.1, self.1 * o.0)
    }
}

/// Row-reduces `rows` (with their right-hand sides) and reports whether
/// `target` is in their span, and if so the value it takes.
fn solve(rows: &[(Vec<i128>, [i128; 5])], target: &[i128]) -> Option<[Q; 5]> {
    let width = target.len();
    let mut basis: Vec<(usize, Vec<Q>, [Q; 5])> = Vec::new();
    let reduce = |basis: &[(usize, Vec<Q>, [Q; 5])], mut v: Vec<Q>, mut rhs: [Q; 5]| {
        for (p, b, brhs) in basis {
            let f = v[*p];
            if !f.zero() {
                for j in 0..width {
                    v[j] = v[j].sub(f.mul(b[j]));
                }
                for k in 0..5 {
                    rhs[k] = rhs[k].sub(f.mul(brhs[k]));
                }
            }
        }
        (v, rhs)
    };
    for (r, rhs) in rows {
        let v: Vec<Q> = r.iter().map(|&x| Q::new(x, 1)).collect();
        let (v, rhs) = reduce(&basis, v, rhs.map(|x| Q::new(x, 1)));
        if let Some(p) = v.iter().position(|x| !x.zero()) {
            let piv = v[p];
            let v: Vec<Q> = v.iter().map(|x| x.div(piv)).collect();
            basis.push((p, v, rhs.map(|x| x.div(piv))));
        }
    }
    let t: Vec<Q> = target.iter().map(|&x| Q::new(x, 1)).collect();
    let (v, rhs) = reduce(&basis, t, [Q(0, 1); 5]);
    v.iter()
        .all(|x| x.zero())
        .then(|| rhs.map(|x| Q::new(-x.0, x.1)))
}

/// A group: its level per attribute (None for an attribute the grouping
/// does not cross) and its published counts (None when withheld).
type Group = (Vec<Option<String>>, Option<[i128; 5]>);

/// Every group of every grouping, and the overall total.
struct Published {
    attributes: usize,
    groups: Vec<Group>,
}

fn published(r: &Results) -> Published {
    let names: Vec<&str> = r
        .groupings()
        .iter()
        .filter(|g| g.attributes.len() == 1)
        .map(|g| g.name.as_str())
        .collect();
    let mut groups = Vec::new();
    let o = r.overall().counts.unwrap();
    groups.push((
        vec![None; names.len()],
        Some([o.tp, o.fp, o.fn_, o.tn, r.overall().n.unwrap()].map(i128::from)),
    ));
    for g in r.groupings() {
        for x in &g.groups {
            let mut levels = vec![None; names.len()];
            for (a, l) in g.attributes.iter().zip(&x.levels) {
                let i = names.iter().position(|n| n == a).unwrap();
                levels[i] = Some(l.clone());
            }
            let counts = x
                .counts
                .map(|c| [c.tp, c.fp, c.fn_, c.tn, x.n.unwrap()].map(i128::from));
            groups.push((levels, counts));
        }
    }
    Published {
        attributes: names.len(),
        groups,
    }
}

/// Runs the adversary: `finest` lists the combinations of levels with rows
/// (one per attribute). Returns the suppressed groups it recovered.
fn attack(p: &Published, finest: &[Vec<String>]) -> Vec<String> {
    assert!(finest.iter().all(|f| f.len() == p.attributes));
    let indicator = |levels: &[Option<String>]| -> Vec<i128> {
        finest
            .iter()
            .map(|f| {
                i128::from(
                    levels
                        .iter()
                        .zip(f)
                        .all(|(l, v)| l.as_ref().is_none_or(|l| l == v)),
                )
            })
            .collect()
    };
    let rows: Vec<(Vec<i128>, [i128; 5])> = p
        .groups
        .iter()
        .filter_map(|(levels, c)| c.map(|c| (indicator(levels), c)))
        .collect();
    let mut recovered = Vec::new();
    for (levels, c) in &p.groups {
        if c.is_none()
            && let Some(v) = solve(&rows, &indicator(levels))
        {
            recovered.push(format!("{levels:?} = {v:?}"));
        }
    }
    recovered
}

/// The distinct combinations of attribute levels in a CSV's columns.
fn combinations(
    csv: &str,
    columns: &[&str],
    keep: impl Fn(&BTreeMap<&str, &str>) -> bool,
) -> Vec<Vec<String>> {
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let mut out: Vec<Vec<String>> = lines
        .filter_map(|l| {
            let row: BTreeMap<&str, &str> = header.iter().copied().zip(l.split(',')).collect();
            keep(&row).then(|| columns.iter().map(|c| row[c].to_string()).collect())
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

#[test]
fn no_suppressed_compas_group_can_be_recovered() {
    let text = std::fs::read_to_string(root().join("audits/compas/audit.toml")).unwrap();
    let r = run_toml(&text, &root().join("audits/compas"), 2).unwrap();
    let csv = std::fs::read_to_string(root().join("audits/compas/compas.csv")).unwrap();
    // The cohort filter, as the audit applies it.
    let finest = combinations(&csv, &["race", "sex", "age_cat"], |row| {
        let d: i64 = row["days_b_screening_arrest"].parse().unwrap_or(i64::MAX);
        (-30..=30).contains(&d)
            && row["is_recid"] != "-1"
            && row["c_charge_degree"] != "O"
            && row["score_text"] != "N/A"
    });
    let p = published(&r);
    assert!(
        p.groups.iter().any(|(_, c)| c.is_none()),
        "something is suppressed"
    );
    let recovered = attack(&p, &finest);
    assert!(recovered.is_empty(), "recovered: {recovered:#?}");
}

#[test]
fn no_suppressed_group_of_a_three_way_intersection_can_be_recovered() {
    let d = Dir::new();
    let mut csv = String::from("eth,sex,age,y,p\n");
    for i in 0..3000u64 {
        let h = i.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 20;
        let eth = [
            "W", "W", "W", "W", "W", "W", "B", "B", "B", "B", "A", "A", "A", "O", "O", "M",
        ][(h % 16) as usize];
        let sex = ["F", "M"][((h >> 4) % 2) as usize];
        let age = ["18-24", "25-44", "45+", "45+"][((h >> 5) % 4) as usize];
        csv.push_str(&format!(
            "{eth},{sex},{age},{},{}\n",
            (h >> 7) % 2,
            (h >> 8) % 3 / 2
        ));
    }
    d.write("d.csv", &csv);
    let spec = r#"
intersections = [["eth", "sex"], ["eth", "age"], ["eth", "sex", "age"]]
[input]
path = "d.csv"
[truth]
column = "y"
positive = [1]
[prediction]
column = "p"
positive = [1]
[[attributes]]
column = "eth"
reference = "W"
[[attributes]]
column = "sex"
[[attributes]]
column = "age"
[policy]
min_group_size = 120
"#;
    let r = run_toml(spec, d.path(), 2).unwrap();
    let finest = combinations(&csv, &["eth", "sex", "age"], |_| true);
    let p = published(&r);
    let suppressed = p.groups.iter().filter(|(_, c)| c.is_none()).count();
    assert!(suppressed > 5, "{suppressed} suppressed");
    let recovered = attack(&p, &finest);
    assert!(recovered.is_empty(), "recovered: {recovered:#?}");
}

#[test]
fn the_adversary_recovers_what_primary_suppression_alone_leaves() {
    // The adversary is not blind: with only the small group withheld, the
    // overall total gives it back.
    let p = Published {
        attributes: 1,
        groups: vec![
            (vec![None], Some([10, 5, 5, 80, 100])),
            (vec![Some("A".into())], Some([6, 3, 1, 50, 60])),
            (vec![Some("B".into())], Some([3, 2, 2, 23, 30])),
            (vec![Some("C".into())], None),
        ],
    };
    let finest = vec![vec!["A".into()], vec!["B".into()], vec!["C".into()]];
    let recovered = attack(&p, &finest);
    assert_eq!(recovered.len(), 1, "{recovered:?}");
    assert!(
        recovered[0].contains("Q(1, 1), Q(0, 1), Q(2, 1), Q(7, 1), Q(10, 1)"),
        "{recovered:?}"
    );
}
