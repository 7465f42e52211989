//! Findings in words: the sentences a committee member reads, generated from
//! templates kept in this one module so that their wording can be reviewed
//! and tested in one place.
//!
//! Three kinds of text:
//! * one sentence per failed or inconclusive verdict, with the numbers
//!   ([`sentence`]);
//! * the trade-off explanation ([`tradeoff`]): when base rates differ between
//!   groups, a model cannot have equal predictive values and equal error rates
//!   at once (Kleinberg, Mullainathan & Raghavan 2016; Chouldechova 2017), so
//!   the report says which the model is closer to;
//! * coverage notes ([`coverage`]): which of the Equality Act 2010's protected
//!   characteristics the data holds, which it does not, and how many rows
//!   have no recorded value.

use serde::{Deserialize, Serialize};

use crate::policy::Intervention;
use crate::report::format::{human, percent};
use crate::spec::Wording;
use crate::verdict::{Verdict, VerdictKind};

/// Everything a finding sentence needs.
#[derive(Debug, Clone)]
pub struct Context<'a> {
    /// The grouping's name (`race`, `race|sex`).
    pub grouping: &'a str,
    /// The group.
    pub group: &'a str,
    /// The reference group.
    pub reference: &'a str,
    /// The metric's registry name.
    pub metric: &'a str,
    /// The group's value.
    pub value: Option<f64>,
    /// The reference group's value.
    pub reference_value: Option<f64>,
    /// The ratio group / reference.
    pub ratio: Option<f64>,
    /// Its interval.
    pub ratio_ci: Option<(f64, f64)>,
    /// The difference group − reference.
    pub difference: Option<f64>,
    /// Its interval.
    pub difference_ci: Option<(f64, f64)>,
    /// The confidence level.
    pub level: f64,
    /// The verdict.
    pub verdict: &'a Verdict,
    /// How to name outcome and decision.
    pub wording: &'a Wording,
}

/// A finding: a verdict with its sentence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// The grouping.
    pub grouping: String,
    /// The group.
    pub group: String,
    /// The metric.
    pub metric: String,
    /// `fail` or `inconclusive`.
    pub verdict: VerdictKind,
    /// The sentence.
    pub text: String,
}

/// "those in {group}" — the group as the subject of a clause.
fn who(group: &str) -> String {
    format!("people in the group {group}")
}

/// The rate clause of a metric: who it is about and what happens to them.
fn rate_clause(metric: &str, w: &Wording) -> Option<(String, String)> {
    let flagged = &w.flagged;
    Some(match metric {
        "fpr" => (
            format!("Among people who {}", w.no_outcome),
            format!("were {flagged}"),
        ),
        "tnr" => (
            format!("Among people who {}", w.no_outcome),
            format!("were not {flagged}"),
        ),
        "fnr" => (
            format!("Among people who {}", w.outcome),
            format!("were not {flagged}"),
        ),
        "tpr" => (
            format!("Among people who {}", w.outcome),
            format!("were {flagged}"),
        ),
        "fdr" => (format!("Among people {flagged}"), w.no_outcome.clone()),
        "ppv" => (format!("Among people {flagged}"), w.outcome.clone()),
        "for" => (format!("Among people not {flagged}"), w.outcome.clone()),
        "npv" => (format!("Among people not {flagged}"), w.no_outcome.clone()),
        "selection_rate" => ("Overall".to_string(), format!("were {flagged}")),
        "base_rate" => ("Overall".to_string(), w.outcome.clone()),
        _ => return None,
    })
}

fn pct_level(level: f64) -> String {
    let p = level * 100.0;
    if (p - p.round()).abs() < 1e-9 {
        format!("{p:.0}%")
    } else {
        format!("{p}%")
    }
}

/// The sentence of one finding.
pub fn sentence(c: &Context<'_>) -> String {
    let level = pct_level(c.level);
    let label = crate::metrics::registry::find(c.metric).map_or(c.metric, |m| m.label);
    let numbers = format!("{} vs {}", percent(c.value), percent(c.reference_value));
    let ratio_ci = c
        .ratio_ci
        .map(|(lo, hi)| {
            format!(
                "; {level} interval of the ratio: {}–{}",
                human(Some(lo), 2),
                human(Some(hi), 2)
            )
        })
        .unwrap_or_default();
    let main = match (rate_clause(c.metric, c.wording), c.ratio) {
        (Some((among, what)), Some(r)) => format!(
            "{among}, {} {what} at {} times the rate of people in the group {} ({numbers}{ratio_ci}).",
            who(c.group),
            human(Some(r), 2),
            c.reference
        ),
        (_, Some(r)) => format!(
            "The {label} of the group {} was {} times that of {} ({} vs {}{ratio_ci}).",
            c.group,
            human(Some(r), 2),
            c.reference,
            human(c.value, 3),
            human(c.reference_value, 3)
        ),
        (_, None) => format!(
            "The {label} of the group {} differs from that of {} by {} ({numbers}).",
            c.group,
            c.reference,
            human(c.difference, 3)
        ),
    };
    let tail = match c.verdict.verdict {
        VerdictKind::Fail => " This is outside the policy's tolerance, and significant after correction for multiple comparisons.".to_string(),
        VerdictKind::Inconclusive => match (c.verdict.cannot_rule_out_ratio, c.verdict.cannot_rule_out_difference) {
            (Some(r), _) => format!(
                " The data cannot show this is within the policy's tolerance: they cannot rule out a ratio as far from parity as {}.",
                human(Some(r), 2)
            ),
            (None, Some(d)) => format!(
                " The data cannot show this is within the policy's tolerance: they cannot rule out a difference of {} percentage points.",
                human(Some(d * 100.0), 1)
            ),
            _ => " The data cannot show this is within the policy's tolerance.".to_string(),
        },
        _ => String::new(),
    };
    format!("{main}{tail} [{}: {}]", c.grouping, c.metric)
}

/// One grouping's inputs to the trade-off explanation.
#[derive(Debug, Clone)]
pub struct TradeoffInput<'a> {
    /// The grouping.
    pub grouping: &'a str,
    /// (group, base rate) of each published group.
    pub base_rates: Vec<(&'a str, f64)>,
    /// p-value of the chi-square test that base rates are equal.
    pub base_rate_p: Option<f64>,
    /// Ratios to the reference of PPV, FPR and FNR, over published groups.
    pub ppv_ratios: Vec<f64>,
    /// FPR ratios.
    pub fpr_ratios: Vec<f64>,
    /// FNR ratios.
    pub fnr_ratios: Vec<f64>,
}

/// The trade-off explanation of one grouping.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tradeoff {
    /// The grouping.
    pub grouping: String,
    /// Whether base rates differ (significantly, and by more than a few points).
    pub base_rates_differ: bool,
    /// `predictive parity`, `error-rate parity` or `neither`.
    pub closer_to: String,
    /// The explanation.
    pub text: String,
}

fn spread(ratios: &[f64]) -> Option<f64> {
    ratios
        .iter()
        .filter(|r| **r > 0.0)
        .map(|r| r.ln().abs())
        .fold(None, |a, x| Some(a.map_or(x, |a: f64| a.max(x))))
}

fn range(ratios: &[f64]) -> String {
    let lo = ratios.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = ratios.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if ratios.is_empty() {
        "n/a".into()
    } else {
        format!("{}–{}", human(Some(lo), 2), human(Some(hi), 2))
    }
}

/// Explains the calibration / error-rate trade-off for one grouping.
pub fn tradeoff(t: &TradeoffInput<'_>, intervention: Intervention, alpha: f64) -> Option<Tradeoff> {
    if t.base_rates.len() < 2 {
        return None;
    }
    let (lo, hi) = t.base_rates.iter().fold(
        (None::<(&str, f64)>, None::<(&str, f64)>),
        |(lo, hi), &(g, b)| {
            (
                if lo.is_none_or(|(_, x)| b < x) {
                    Some((g, b))
                } else {
                    lo
                },
                if hi.is_none_or(|(_, x)| b > x) {
                    Some((g, b))
                } else {
                    hi
                },
            )
        },
    );
    let (lo, hi) = (lo?, hi?);
    let differ = t.base_rate_p.is_some_and(|p| p < alpha) && (hi.1 - lo.1) >= 0.02;
    let ppv = spread(&t.ppv_ratios);
    let err = match (spread(&t.fpr_ratios), spread(&t.fnr_ratios)) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    };
    let closer_to = match (ppv, err) {
        (Some(p), Some(e)) if p < e => "predictive parity",
        (Some(p), Some(e)) if e < p => "error-rate parity",
        _ => "neither",
    };
    let mut text = if differ {
        format!(
            "Base rates differ between the groups of {} (from {} in {} to {} in {}). When base rates differ, a model cannot give every group the same predictive values (calibration) and the same error rates at once (Kleinberg, Mullainathan & Raghavan 2016; Chouldechova 2017): one of the two must give way.",
            t.grouping,
            percent(Some(lo.1)),
            lo.0,
            percent(Some(hi.1)),
            hi.0
        )
    } else {
        format!(
            "Base rates do not differ materially between the groups of {} (from {} to {}), so predictive parity and equal error rates are not in conflict here.",
            t.grouping,
            percent(Some(lo.1)),
            percent(Some(hi.1))
        )
    };
    text.push_str(&format!(
        " Ratios to the reference group: PPV {}, FPR {}, FNR {}.",
        range(&t.ppv_ratios),
        range(&t.fpr_ratios),
        range(&t.fnr_ratios)
    ));
    match closer_to {
        "predictive parity" => text.push_str(
            " The model is closer to predictive parity (similar PPV) than to equal error rates.",
        ),
        "error-rate parity" => {
            text.push_str(" The model is closer to equal error rates than to predictive parity.")
        }
        _ => {}
    }
    text.push_str(&format!(
        " For a {} intervention the policy ranks {} first.",
        intervention.name(),
        intervention.first_criterion()
    ));
    Some(Tradeoff {
        grouping: t.grouping.to_string(),
        base_rates_differ: differ,
        closer_to: closer_to.to_string(),
        text,
    })
}

/// The protected characteristics of the Equality Act 2010 (s.4).
pub const EQUALITY_ACT: &[&str] = &[
    "age",
    "disability",
    "gender reassignment",
    "marriage and civil partnership",
    "pregnancy and maternity",
    "race",
    "religion or belief",
    "sex",
    "sexual orientation",
];

/// The characteristic an attribute records, from its declared
/// `characteristic` or, failing that, its name.
pub fn characteristic_of(name: &str, declared: Option<&str>) -> Option<&'static str> {
    let text = declared.unwrap_or(name).to_lowercase();
    if let Some(c) = EQUALITY_ACT.iter().find(|c| **c == text) {
        return Some(c);
    }
    let rules: &[(&[&str], &str)] = &[
        (&["sexual", "orientation"], "sexual orientation"),
        (&["reassign", "trans"], "gender reassignment"),
        (
            &["race", "ethnic", "nationality", "colour", "color"],
            "race",
        ),
        (&["religio", "faith", "belief"], "religion or belief"),
        (&["disab", "impair"], "disability"),
        (&["pregnan", "maternity"], "pregnancy and maternity"),
        (
            &["marri", "marital", "civil partner"],
            "marriage and civil partnership",
        ),
        (&["age"], "age"),
        (&["sex", "gender"], "sex"),
    ];
    rules
        .iter()
        .find(|(keys, _)| keys.iter().any(|k| text.contains(k)))
        .map(|(_, c)| *c)
}

/// Whether a group label means "no value recorded".
pub fn is_not_stated(label: &str, missing_label: &str) -> bool {
    let l = label.trim().to_lowercase();
    label == missing_label
        || [
            "not stated",
            "not known",
            "unknown",
            "prefer not to say",
            "not recorded",
            "unrecorded",
            "n/a",
            "na",
            "missing",
            "refused",
        ]
        .contains(&l.as_str())
}

/// An attribute's coverage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttributeCoverage {
    /// The attribute.
    pub attribute: String,
    /// The Equality Act characteristic it records, if recognised.
    pub characteristic: Option<String>,
    /// Rows whose value is missing or "not stated".
    pub not_stated_rows: u64,
    /// Their share of the rows used.
    pub not_stated_share: f64,
}

/// What the audit could and could not examine.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Coverage {
    /// The attributes audited.
    pub attributes: Vec<AttributeCoverage>,
    /// The Equality Act characteristics the data does not hold.
    pub not_examined: Vec<String>,
    /// A sentence for the report.
    pub text: String,
}

/// Coverage notes from (attribute, declared characteristic, not-stated
/// rows) and the rows used.
pub fn coverage(attrs: &[(String, Option<String>, u64)], used: u64) -> Coverage {
    let attributes: Vec<AttributeCoverage> = attrs
        .iter()
        .map(|(a, declared, ns)| AttributeCoverage {
            attribute: a.clone(),
            characteristic: characteristic_of(a, declared.as_deref()).map(str::to_string),
            not_stated_rows: *ns,
            not_stated_share: if used > 0 {
                *ns as f64 / used as f64
            } else {
                0.0
            },
        })
        .collect();
    let held: Vec<&str> = attributes
        .iter()
        .filter_map(|a| a.characteristic.as_deref())
        .collect();
    let not_examined: Vec<String> = EQUALITY_ACT
        .iter()
        .filter(|c| !held.contains(c))
        .map(|c| c.to_string())
        .collect();
    let mut text = format!(
        "The data records {} of the nine protected characteristics of the Equality Act 2010{}. ",
        held.len(),
        if held.is_empty() {
            String::new()
        } else {
            format!(" ({})", held.join(", "))
        }
    );
    if !not_examined.is_empty() {
        text.push_str(&format!(
            "The audit cannot examine: {}. ",
            not_examined.join(", ")
        ));
    }
    let gaps: Vec<String> = attributes
        .iter()
        .filter(|a| a.not_stated_rows > 0)
        .map(|a| {
            format!(
                "{} for {} ({})",
                crate::report::format::count(a.not_stated_rows),
                a.attribute,
                percent(Some(a.not_stated_share))
            )
        })
        .collect();
    if gaps.is_empty() {
        text.push_str("Every row has a recorded value for each audited attribute.");
    } else {
        text.push_str(&format!("Rows with no recorded value (missing or \"not stated\"), reported as groups of their own: {}.", gaps.join("; ")));
    }
    Coverage {
        attributes,
        not_examined,
        text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verdict::Verdict;

    fn wording() -> Wording {
        Wording {
            outcome: "reoffended".into(),
            no_outcome: "did not reoffend".into(),
            flagged: "flagged as higher risk".into(),
        }
    }

    #[test]
    fn fpr_sentence_reads_as_the_committee_example() {
        let w = wording();
        let v = Verdict {
            verdict: VerdictKind::Fail,
            reason: String::new(),
            cannot_rule_out_ratio: None,
            cannot_rule_out_difference: None,
        };
        let c = Context {
            grouping: "race",
            group: "African-American",
            reference: "Caucasian",
            metric: "fpr",
            value: Some(0.4234),
            reference_value: Some(0.2201),
            ratio: Some(1.9232),
            ratio_ci: Some((1.71, 2.16)),
            difference: Some(0.2033),
            difference_ci: None,
            level: 0.95,
            verdict: &v,
            wording: &w,
        };
        assert_eq!(
            sentence(&c),
            "Among people who did not reoffend, people in the group African-American were flagged as higher risk at 1.92 times the rate of people in the group Caucasian (42.3% vs 22.0%; 95% interval of the ratio: 1.71–2.16). This is outside the policy's tolerance, and significant after correction for multiple comparisons. [race: fpr]"
        );
    }

    #[test]
    fn inconclusive_sentence_says_what_cannot_be_ruled_out() {
        let w = wording();
        let v = Verdict {
            verdict: VerdictKind::Inconclusive,
            reason: String::new(),
            cannot_rule_out_ratio: Some(1.61),
            cannot_rule_out_difference: None,
        };
        let c = Context {
            grouping: "race|sex",
            group: "Other|Female",
            reference: "Caucasian|Male",
            metric: "fnr",
            value: Some(0.545),
            reference_value: Some(0.509),
            ratio: Some(1.07),
            ratio_ci: Some((0.71, 1.61)),
            difference: Some(0.036),
            difference_ci: None,
            level: 0.9,
            verdict: &v,
            wording: &w,
        };
        let s = sentence(&c);
        assert!(s.starts_with("Among people who reoffended, people in the group Other|Female were not flagged as higher risk at 1.07 times"), "{s}");
        assert!(s.contains("90% interval of the ratio: 0.71–1.61"), "{s}");
        assert!(
            s.contains("cannot rule out a ratio as far from parity as 1.61"),
            "{s}"
        );
    }

    #[test]
    fn tradeoff_names_the_side_the_model_is_on() {
        let t = TradeoffInput {
            grouping: "race",
            base_rates: vec![
                ("African-American", 0.523),
                ("Caucasian", 0.391),
                ("Hispanic", 0.371),
            ],
            base_rate_p: Some(1e-20),
            ppv_ratios: vec![1.09, 1.0, 0.94],
            fpr_ratios: vec![1.92, 1.0, 0.88],
            fnr_ratios: vec![0.57, 1.0, 1.17],
        };
        let x = tradeoff(&t, Intervention::Punitive, 0.05).unwrap();
        assert!(x.base_rates_differ);
        assert_eq!(x.closer_to, "predictive parity");
        assert!(x.text.contains("Base rates differ between the groups of race (from 37.1% in Hispanic to 52.3% in African-American)"), "{}", x.text);
        assert!(x.text.contains("Chouldechova 2017"));
        assert!(x.text.ends_with("For a punitive intervention the policy ranks false-positive parity (equal FPR and FDR) first."), "{}", x.text);
    }

    #[test]
    fn characteristics_are_recognised() {
        assert_eq!(characteristic_of("ethnicity", None), Some("race"));
        assert_eq!(characteristic_of("race", None), Some("race"));
        assert_eq!(characteristic_of("age_band", None), Some("age"));
        assert_eq!(characteristic_of("sex", None), Some("sex"));
        assert_eq!(characteristic_of("gender", None), Some("sex"));
        assert_eq!(characteristic_of("postcode", None), None);
        assert_eq!(
            characteristic_of("x", Some("disability")),
            Some("disability")
        );
        let c = coverage(
            &[("ethnicity".into(), None, 750), ("sex".into(), None, 0)],
            10_000,
        );
        assert_eq!(c.not_examined.len(), 7);
        assert!(
            c.text.contains("The audit cannot examine: age, disability"),
            "{}",
            c.text
        );
        assert!(c.text.contains("750 for ethnicity (7.5%)"), "{}", c.text);
        assert!(
            is_not_stated("Not stated", "(missing)") && is_not_stated("(missing)", "(missing)")
        );
        assert!(!is_not_stated("White", "(missing)"));
    }
}
