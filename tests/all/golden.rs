//! Agreement with fairlearn, AIF360 and Aequitas on the same rows, to 1e-9;
//! and the exact, documented places where fairaudit deliberately differs.

use fairaudit::analysis::confusion::summary::Summary;
use fairaudit::metric::MetricId;
use std::collections::BTreeMap;

use fairaudit::Results;

use crate::harness::{close, peers, root, run_toml};

const TOL: f64 = 1e-9;

fn compas_spec() -> String {
    r#"
intersections = [["race", "sex"]]
[input]
path = "tests/golden/peers/inputs/compas.csv"
[truth]
column = "y_true"
positive = [1]
[prediction]
column = "y_pred"
positive = [1]
[[attributes]]
column = "race"
reference = "Caucasian"
[[attributes]]
column = "sex"
reference = "Male"
[[attributes]]
column = "age_cat"
reference = "25 - 45"
[policy]
min_group_size = 0
"#
    .to_string()
}

fn synth_spec(weighted: bool) -> String {
    format!(
        r#"
intersections = [["ethnicity", "sex"]]
[input]
path = "tests/golden/peers/inputs/synth_100k.csv.gz"
[truth]
column = "y_true"
positive = [1]
[prediction]
column = "y_pred"
positive = [1]
{}
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
min_group_size = 0
"#,
        if weighted {
            "[weight]\ncolumn = \"weight\""
        } else {
            ""
        }
    )
}

struct Case {
    dataset: &'static str,
    weights: &'static str,
    results: Results,
}

fn cases() -> Vec<Case> {
    let r = root();
    vec![
        Case {
            dataset: "compas",
            weights: "unweighted",
            results: run_toml(&compas_spec(), &r, 2).unwrap(),
        },
        Case {
            dataset: "synth_100k",
            weights: "unweighted",
            results: run_toml(&synth_spec(false), &r, 2).unwrap(),
        },
        Case {
            dataset: "synth_100k",
            weights: "weighted",
            results: run_toml(&synth_spec(true), &r, 2).unwrap(),
        },
    ]
}

fn read_csv(name: &str) -> Vec<BTreeMap<String, String>> {
    let mut rdr = csv::Reader::from_path(peers(name)).unwrap();
    let headers = rdr.headers().unwrap().clone();
    rdr.records()
        .map(|r| {
            let r = r.unwrap();
            headers
                .iter()
                .zip(r.iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

fn num(s: &str) -> Option<f64> {
    if s.is_empty() {
        None
    } else {
        Some(s.parse().unwrap())
    }
}

/// fairlearn's metric names → ours.
fn our_metric(fl: &str) -> Option<MetricId> {
    Some(match fl {
        "selection_rate" => MetricId::SelectionRate,
        "base_rate" => MetricId::BaseRate,
        "tpr" => MetricId::Tpr,
        "fpr" => MetricId::Fpr,
        "fnr" => MetricId::Fnr,
        "tnr" => MetricId::Tnr,
        "precision" => MetricId::Ppv,
        "npv" => MetricId::Npv,
        "accuracy" => MetricId::Accuracy,
        "balanced_accuracy" => MetricId::BalancedAccuracy,
        "f1" => MetricId::F1,
        _ => return None,
    })
}

fn grouping_name(g: &str) -> String {
    g.replace("_x_", "|")
}

/// Per-group metrics agree with fairlearn's MetricFrame.by_group to 1e-9,
/// except where a rate is undefined: fairlearn (through scikit-learn) puts
/// 0.0 there, and drops an absent class from balanced accuracy; fairaudit
/// says the value is undefined. Every such place is listed and checked.
#[test]
fn by_group_agrees_with_fairlearn() {
    let rows = read_csv("fairlearn_by_group.csv");
    let mut compared = 0;
    let mut differ: Vec<String> = Vec::new();
    for case in cases() {
        for row in rows
            .iter()
            .filter(|r| r["dataset"] == case.dataset && r["weights"] == case.weights)
        {
            let grouping = case
                .results
                .grouping(&grouping_name(&row["grouping"]))
                .unwrap();
            let group = grouping.group(&row["group"]);
            let value = num(&row["value"]);
            if row["metric"] == "count" {
                match group {
                    Some(g) => assert_eq!(g.n.unwrap() as f64, value.unwrap()),
                    // fairlearn lists empty intersection cells as NaN rows.
                    None => {
                        assert_eq!(value, None);
                        assert!(
                            grouping.empty_combinations.contains(&row["group"]),
                            "{}",
                            row["group"]
                        );
                    }
                }
                continue;
            }
            let Some(metric) = our_metric(&row["metric"]) else {
                continue;
            };
            let Some(group) = group else {
                assert_eq!(value, None, "{row:?}");
                continue;
            };
            let ours = &group.metrics[&metric];
            match (ours.value, value) {
                (Some(a), Some(b)) => {
                    close(a, b, TOL, &format!("{row:?}"));
                    compared += 1;
                }
                (None, Some(b)) => {
                    // Where we say undefined, fairlearn says 0.0 (or, for
                    // balanced accuracy, the recall of the one class present).
                    assert!(ours.undefined.is_some());
                    if metric != MetricId::BalancedAccuracy {
                        assert_eq!(b, 0.0, "{row:?}");
                    }
                    differ.push(format!(
                        "{}/{}/{}/{}",
                        case.dataset, row["grouping"], row["group"], metric
                    ));
                }
                (a, b) => panic!("{row:?}: ours {a:?}, fairlearn {b:?}"),
            }
        }
    }
    assert!(compared > 900, "compared only {compared}");
    // The complete list of deliberate differences on these inputs.
    assert_eq!(
        differ,
        [
            "compas/race_x_sex/Asian|Female/ppv",
            "compas/race_x_sex/Native American|Female/fpr",
            "compas/race_x_sex/Native American|Female/tnr",
            "compas/race_x_sex/Native American|Female/npv",
            "compas/race_x_sex/Native American|Female/balanced_accuracy",
        ]
    );
}

/// Overall metrics and fairlearn's summary functions. Between-groups
/// summaries skip undefined group values (fairlearn would count them as
/// 0.0): on COMPAS race × sex that changes the FPR-based summaries, and the
/// test shows by how much.
#[test]
fn overall_and_summaries_agree_with_fairlearn() {
    let rows = read_csv("fairlearn_overall.csv");
    let mut compared = 0;
    let mut differ: Vec<String> = Vec::new();
    for case in cases() {
        for row in rows
            .iter()
            .filter(|r| r["dataset"] == case.dataset && r["weights"] == case.weights)
        {
            let gname = grouping_name(&row["grouping"]);
            let grouping = case.results.grouping(&gname).unwrap();
            let want = num(&row["value"]);
            match row["quantity"].as_str() {
                "overall" => {
                    if let Some(m) = our_metric(&row["metric"]) {
                        close(
                            case.results.overall().metric(m).unwrap(),
                            want.unwrap(),
                            TOL,
                            &format!("{row:?}"),
                        );
                        compared += 1;
                    }
                }
                "fairness_fn" => {
                    let (name, agg) = match row["metric"].split_once("[agg=") {
                        Some((n, a)) => (n.to_string(), a.trim_end_matches(']').to_string()),
                        None => (row["metric"].clone(), "worst_case".to_string()),
                    };
                    let key = if agg == "mean" {
                        format!("{name}_mean")
                    } else {
                        name
                    };
                    let both = grouping.fairlearn[&key];
                    let ours = if row["method"] == "between_groups" {
                        both.between_groups
                    } else {
                        both.to_overall
                    };
                    // fairlearn counts an undefined rate as 0.0; with that
                    // substitution our formulas must give its value exactly.
                    let pick = |m: MetricId, zero: bool| -> Vec<Option<f64>> {
                        grouping
                            .groups
                            .iter()
                            .map(|g| g.metric(m).or(if zero { Some(0.0) } else { None }))
                            .collect()
                    };
                    let overall = |m: MetricId| case.results.overall().metric(m);
                    let summary = Summary::ALL.into_iter().find(|s| s.name() == key).unwrap();
                    let compat = fairaudit::analysis::confusion::summary::fairlearn(
                        (
                            &pick(MetricId::SelectionRate, true),
                            overall(MetricId::SelectionRate),
                        ),
                        (&pick(MetricId::Tpr, true), overall(MetricId::Tpr)),
                        (&pick(MetricId::Fpr, true), overall(MetricId::Fpr)),
                    )
                    .get(summary);
                    let compat = if row["method"] == "between_groups" {
                        compat.between_groups
                    } else {
                        compat.to_overall
                    };
                    close(
                        compat.unwrap(),
                        want.unwrap(),
                        TOL,
                        &format!("compat {row:?}"),
                    );
                    compared += 1;
                    let used: &[MetricId] = if key.starts_with("demographic") {
                        &[MetricId::SelectionRate]
                    } else {
                        &[MetricId::Tpr, MetricId::Fpr]
                    };
                    let any_undefined = used
                        .iter()
                        .any(|m| pick(*m, false).iter().any(Option::is_none));
                    if any_undefined {
                        differ.push(format!(
                            "{}/{}/{}/{}",
                            case.dataset, gname, key, row["method"]
                        ));
                    } else {
                        close(ours.unwrap(), want.unwrap(), TOL, &format!("{row:?}"));
                    }
                }
                _ => {}
            }
        }
    }
    assert!(compared > 100, "compared only {compared}");
    // Only COMPAS race × sex has a group with an undefined FPR (Native
    // American|Female: no one without the outcome), so only there can the
    // equalized-odds summaries differ from fairlearn's.
    assert!(
        differ
            .iter()
            .all(|d| d.starts_with("compas/race|sex/equalized_odds")),
        "{differ:?}"
    );
    assert_eq!(differ.len(), 8, "{differ:?}");
}

/// AIF360's ClassificationMetric (favourable label 1 = flagged, the same
/// orientation as ours), privileged = our reference group, for the one pair
/// the golden file holds; weighted runs use instance weights.
#[test]
fn pairwise_agrees_with_aif360() {
    let rows = read_csv("aif360_classification_metric.csv");
    let mut compared = 0;
    for case in cases() {
        let (attr, unpriv) = if case.dataset == "compas" {
            ("race", "African-American")
        } else {
            ("ethnicity", "Black")
        };
        let grouping = case.results.grouping(attr).unwrap();
        let u = grouping.group(unpriv).unwrap();
        let p = grouping
            .group(&grouping.reference.as_ref().unwrap().group)
            .unwrap();
        for row in rows.iter().filter(|r| {
            r["dataset"] == case.dataset
                && r["weights"] == case.weights
                && r["favorable_label"] == "1"
        }) {
            let want = num(&row["value"]);
            let metric = row["metric"].as_str();
            let ours: Option<f64> = match row["group"].as_str() {
                "" => match u.aif360.get(metric) {
                    Some(v) => *v,
                    None => continue,
                },
                side => {
                    let g = match side {
                        "privileged" => p,
                        "unprivileged" => u,
                        _ => case.results.overall(),
                    };
                    match metric {
                        "num_instances" => g.weighted_n.or(g.n.map(|n| n as f64)),
                        "selection_rate" => g.metric(MetricId::SelectionRate),
                        "base_rate" => g.metric(MetricId::BaseRate),
                        "true_positive_rate" => g.metric(MetricId::Tpr),
                        "false_positive_rate" => g.metric(MetricId::Fpr),
                        "false_negative_rate" => g.metric(MetricId::Fnr),
                        "true_negative_rate" => g.metric(MetricId::Tnr),
                        "positive_predictive_value" => g.metric(MetricId::Ppv),
                        "negative_predictive_value" => g.metric(MetricId::Npv),
                        "accuracy" => g.metric(MetricId::Accuracy),
                        _ => continue,
                    }
                }
            };
            close(ours.unwrap(), want.unwrap(), TOL, &format!("{row:?}"));
            compared += 1;
        }
    }
    assert!(compared >= 3 * 20, "compared only {compared}");
}

/// Aequitas' crosstabs and disparities (unweighted; it takes no weights).
/// Aequitas writes 10.0 for x/0 and drops rows with a missing attribute;
/// fairaudit says undefined, and keeps missing values as a group.
#[test]
fn counts_and_disparities_agree_with_aequitas() {
    let rows = read_csv("aequitas_disparities.csv");
    let mut compared = 0;
    let mut tens = 0;
    for case in cases().into_iter().filter(|c| c.weights == "unweighted") {
        for row in rows.iter().filter(|r| r["dataset"] == case.dataset) {
            let gname = row["attribute_name"].replace("_x_", "|");
            let grouping = case.results.grouping(&gname).unwrap();
            let g = grouping.group(&row["attribute_value"]).unwrap();
            let c = g.counts.unwrap();
            assert_eq!(
                [c.tp, c.fp, c.fn_, c.tn],
                ["tp", "fp", "fn", "tn"].map(|k| row[k].parse::<f64>().unwrap() as u64)
            );
            assert_eq!(g.n.unwrap(), row["group_size"].parse::<u64>().unwrap());
            for (aeq, ours) in [
                ("pprev", MetricId::SelectionRate),
                ("precision", MetricId::Ppv),
                ("fdr", MetricId::Fdr),
                ("for", MetricId::For),
                ("fpr", MetricId::Fpr),
                ("fnr", MetricId::Fnr),
                ("tpr", MetricId::Tpr),
                ("tnr", MetricId::Tnr),
                ("npv", MetricId::Npv),
            ] {
                let want = num(&row[&format!("{aeq}_disparity")]);
                let d = &g.disparities[&ours];
                match (d.ratio, want) {
                    (Some(a), Some(b)) => {
                        close(
                            a,
                            b,
                            TOL,
                            &format!("{gname}/{}/{ours}", row["attribute_value"]),
                        );
                        compared += 1;
                    }
                    (None, Some(b)) => {
                        assert_eq!(b, 10.0, "{gname}/{}/{ours}", row["attribute_value"]);
                        tens += 1;
                    }
                    (None, None) => {}
                    (a, b) => panic!("{gname}/{}/{ours}: {a:?} vs {b:?}", row["attribute_value"]),
                }
            }
        }
    }
    assert!(compared > 300, "compared only {compared}");
    // COMPAS race × sex: Native American|Female vs Caucasian|Male has no
    // negatives... its FPR is undefined, not 10 × anything; the 10.0s are
    // x/0 against a reference value of zero, which no golden row has.
    assert_eq!(tens, 0);
}

/// The same audit through the binary's JSON equals the library's results.
#[test]
fn cli_json_equals_library_results() {
    let dir = crate::harness::Dir::new();
    let spec = dir.write(
        "audit.toml",
        &compas_spec().replace(
            "tests/golden",
            &format!("{}/tests/golden", root().display()),
        ),
    );
    let out = assert_cmd::Command::cargo_bin("fairaudit")
        .unwrap()
        .args(["run", spec.to_str().unwrap(), "--format", "json", "--quiet"])
        .output()
        .unwrap();
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let from_cli: Results = serde_json::from_slice(&out.stdout).unwrap();
    let lib = run_toml(&compas_spec(), &root(), 1).unwrap();
    assert_eq!(from_cli.groupings(), lib.groupings());
    assert_eq!(from_cli.overall(), lib.overall());
    assert_eq!(from_cli.rows, lib.rows);
}
