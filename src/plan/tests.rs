//! Tests of checking: defaults, every bad value named by its key.

use std::path::Path;

use crate::error::Result;
use crate::group::ReferenceRule;
use crate::input::Format;
use crate::judge::policy::{Policy, Tolerance};
use crate::metric::{Direction, Intervention, MetricId};
use crate::results::FailOn;
use crate::spec::{AuditSpec, PolicySpec};
use crate::value::Literal;

use super::{DEFAULT_MIN_GROUP_SIZE, Plan};

const MINIMAL: &str = r#"
[input]
path = "p.csv"
[truth]
column = "y"
positive = [1]
[prediction]
score = "s"
threshold = 0.5
[[attributes]]
column = "eth"
reference = "White"
[[attributes]]
column = "sex"
reference = "Male"
"#;

fn check(text: &str) -> Result<Plan> {
    Plan::check(
        &AuditSpec::from_toml(text, Path::new("audit.toml"))?,
        Path::new("/base"),
    )
}

#[test]
fn minimal_spec_checks_with_defaults() {
    let s = check(&format!("intersections = [[\"eth\", \"sex\"]]\n{MINIMAL}")).unwrap();
    assert_eq!(s.inputs()[0].path, Path::new("/base/p.csv"));
    assert_eq!(s.inputs()[0].format, Format::Csv);
    assert_eq!(s.truth().negative, vec![Literal::Int(0)]);
    assert_eq!(s.min_group_size(), DEFAULT_MIN_GROUP_SIZE);
    assert_eq!(s.groupings().len(), 3);
    assert_eq!(s.groupings()[2].name, "eth|sex");
    assert_eq!(
        s.groupings()[2].reference,
        ReferenceRule::Named("White|Male".into())
    );
}

#[test]
fn unknown_keys_are_named_with_their_line() {
    let e = check(&MINIMAL.replace("reference = \"Male\"", "refrence = \"Male\"")).unwrap_err();
    let m = e.to_string();
    assert!(m.contains("unknown field `refrence`"), "{m}");
    assert!(m.contains("audit.toml, row 15"), "{m}");
}

#[test]
fn malformed_toml_names_its_line() {
    let e = check("[input]\npath = = 3\n").unwrap_err();
    assert!(e.to_string().starts_with("audit.toml, row 2"), "{e}");
}

#[test]
fn bad_values_name_their_keys() {
    let cases = [
        (
            MINIMAL.replace("threshold = 0.5", ""),
            "`prediction.threshold`",
        ),
        (
            format!("{MINIMAL}[policy]\nmin_group_size = -1\n"),
            "`policy.min_group_size`",
        ),
        (
            format!("intersections = [[\"eth\", \"sx\"]]\n{MINIMAL}"),
            "did you mean `sex`",
        ),
        (
            MINIMAL.replace("reference = \"Male\"", "reference_rule = \"biggest\""),
            "`attributes[1].reference_rule`",
        ),
        (
            MINIMAL.replace(
                "reference = \"Male\"",
                "reference_rule = \"most-favourable\"\nreference_metric = \"fpt\"",
            ),
            "did you mean `fpr`",
        ),
        (
            MINIMAL.replace("positive = [1]", "positive = [\"Maybe\"]"),
            "`truth.negative`",
        ),
        (MINIMAL.replace("p.csv", "p.xlsx"), "`input.path`"),
        (
            format!("{MINIMAL}[cohort]\nfilters = [\"x ~ 1\"]\n"),
            "`cohort.filters[0]`",
        ),
    ];
    for (text, want) in cases {
        let e = check(&text).unwrap_err();
        assert!(e.to_string().contains(want), "want {want} in: {e}");
    }
}

#[test]
fn normalised_toml_round_trips() {
    let spec = AuditSpec::from_toml(MINIMAL, Path::new("a.toml")).unwrap();
    let again = AuditSpec::from_toml(&spec.to_toml().unwrap(), Path::new("a.toml")).unwrap();
    assert_eq!(spec, again);
}

fn policy(text: &str) -> Result<Policy> {
    let spec: PolicySpec = toml::from_str(text).unwrap();
    super::check::check_policy_for_tests(Some(&spec))
}

#[test]
fn defaults_per_intervention() {
    let p = super::check::check_policy_for_tests(None).unwrap();
    assert_eq!(p.intervention, Intervention::Neutral);
    assert_eq!(
        p.primary,
        [MetricId::Fpr, MetricId::Fnr, MetricId::SelectionRate]
    );
    assert_eq!(p.tolerances[&MetricId::Fpr].ratio, Some((0.8, 1.25)));
    assert_eq!(p.alpha, 0.05);
    assert_eq!(p.fail_on, FailOn::Fail);
    assert_eq!(
        policy("intervention = \"punitive\"").unwrap().primary,
        [MetricId::Fpr, MetricId::Fdr, MetricId::SelectionRate]
    );
    assert_eq!(
        policy("intervention = \"assistive\"").unwrap().primary,
        [MetricId::Fnr, MetricId::For, MetricId::SelectionRate]
    );
    assert_eq!(
        Intervention::Punitive.direction(MetricId::SelectionRate),
        Direction::Lower
    );
    assert_eq!(
        Intervention::Assistive.direction(MetricId::SelectionRate),
        Direction::Higher
    );
    assert_eq!(
        Intervention::Neutral.direction(MetricId::Fpr),
        Direction::Lower
    );
}

#[test]
fn overrides() {
    let p = policy("primary = [\"fpr\", \"ppv\"]\ntolerance = { difference = 0.05 }\n[tolerances]\nppv = { ratio = [0.9, 1.1] }").unwrap();
    assert_eq!(p.primary, [MetricId::Fpr, MetricId::Ppv]);
    assert_eq!(
        p.tolerances[&MetricId::Fpr],
        Tolerance {
            ratio: None,
            difference: Some(0.05)
        }
    );
    assert_eq!(
        p.tolerances[&MetricId::Ppv],
        Tolerance {
            ratio: Some((0.9, 1.1)),
            difference: None
        }
    );
}

#[test]
fn bad_policies_name_the_key_and_the_allowed_values() {
    let cases = [
        (
            "intervention = \"punative\"",
            "`policy.intervention`",
            "\"punitive\"",
        ),
        (
            "primary = [\"fpr\", \"fdrr\"]",
            "`policy.primary[1]`",
            "did you mean `fdr`",
        ),
        (
            "tolerance = { ratio = [1.25, 0.8] }",
            "`policy.tolerance.ratio`",
            "inverted",
        ),
        (
            "tolerance = { ratio = [1.1, 1.25] }",
            "`policy.tolerance.ratio`",
            "does not contain 1",
        ),
        (
            "tolerance = { difference = -1 }",
            "`policy.tolerance.difference`",
            "positive",
        ),
        ("alpha = 1.5", "`policy.alpha`", "between 0 and 1"),
        (
            "fail_on = \"never\"",
            "`policy.fail_on`",
            "\"inconclusive\"",
        ),
        (
            "[tolerances]\nppv = { ratio = [0.9, 1.1] }",
            "`policy.tolerances.ppv`",
            "not a primary metric",
        ),
    ];
    for (text, key, want) in cases {
        let e = policy(text).unwrap_err().to_string();
        assert!(e.contains(key) && e.contains(want), "{text}: {e}");
    }
}
