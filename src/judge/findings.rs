//! Findings in words: the sentence a committee member reads for each failed
//! or inconclusive verdict, generated from templates kept in this one module
//! (with the registry's clauses) so that their wording can be reviewed and
//! tested in one place.

use crate::metric::{Clause, MetricId};
use crate::number::{human, percent};
use crate::results::{Verdict, VerdictKind};

/// How findings name the outcome and the decision (the checked
/// `[wording]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wording {
    /// Those with the outcome ("reoffended").
    pub outcome: String,
    /// Those without it ("did not reoffend").
    pub no_outcome: String,
    /// The decision ("flagged as higher risk").
    pub flagged: String,
}

/// Everything a finding sentence needs.
#[derive(Debug, Clone)]
pub struct Context<'a> {
    /// The grouping's name (`race`, `race|sex`).
    pub grouping: &'a str,
    /// The group.
    pub group: &'a str,
    /// The reference group.
    pub reference: &'a str,
    /// The metric.
    pub metric: MetricId,
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
    /// The confidence level.
    pub level: f64,
    /// The verdict.
    pub verdict: &'a Verdict,
    /// How to name outcome and decision.
    pub wording: &'a Wording,
}

/// "those in {group}" — the group as the subject of a clause.
fn who(group: &str) -> String {
    format!("people in the group {group}")
}

/// The rate clause of a metric: who it is about and what happens to them.
fn rate_clause(metric: MetricId, w: &Wording) -> Option<(String, String)> {
    let flagged = &w.flagged;
    let did = |outcome: bool| {
        if outcome {
            w.outcome.clone()
        } else {
            w.no_outcome.clone()
        }
    };
    let were = |yes: bool| {
        if yes {
            format!("were {flagged}")
        } else {
            format!("were not {flagged}")
        }
    };
    Some(match metric.def().clause {
        Clause::AmongNoOutcome { flagged } => {
            (format!("Among people who {}", w.no_outcome), were(flagged))
        }
        Clause::AmongOutcome { flagged } => {
            (format!("Among people who {}", w.outcome), were(flagged))
        }
        Clause::AmongFlagged { outcome } => (format!("Among people {flagged}"), did(outcome)),
        Clause::AmongNotFlagged { outcome } => {
            (format!("Among people not {flagged}"), did(outcome))
        }
        Clause::Overall { flagged: true } => ("Overall".to_string(), were(true)),
        Clause::Overall { flagged: false } => ("Overall".to_string(), w.outcome.clone()),
        Clause::None => return None,
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
    let label = c.metric.label();
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

#[cfg(test)]
mod tests {
    use super::*;

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
            metric: MetricId::Fpr,
            value: Some(0.4234),
            reference_value: Some(0.2201),
            ratio: Some(1.9232),
            ratio_ci: Some((1.71, 2.16)),
            difference: Some(0.2033),
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
            metric: MetricId::Fnr,
            value: Some(0.545),
            reference_value: Some(0.509),
            ratio: Some(1.07),
            ratio_ci: Some((0.71, 1.61)),
            difference: Some(0.036),
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
}
