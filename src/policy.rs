//! The audit policy: what kind of intervention the model drives, which
//! disparities matter for it, and how much disparity is tolerated.
//!
//! The choice of metrics follows the intervention (DESIGN.md): a *punitive*
//! intervention (arrest, search, flagging for enforcement) harms the people it
//! wrongly selects, so false-positive parity comes first (FPR: of those
//! without the outcome, how many are flagged; FDR: of those flagged, how many
//! are wrongly flagged). An *assistive* intervention (referral to support,
//! diversion) harms the people it wrongly passes over, so false-negative
//! parity comes first (FNR, FOR). Selection-rate parity is reported for both.
//! A *neutral* policy weighs both kinds of error (FPR, FNR, selection rate).
//!
//! The default tolerance is the "four-fifths" band: a group's rate may be
//! between 0.8 and 1.25 times the reference group's (US EEOC Uniform
//! Guidelines, 1978, §1607.4D; used by Aequitas as its default too).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::metrics::registry::{self, Direction};
use crate::spec::{PolicySpec, ToleranceSpec, unknown_metric};

/// The kind of intervention the model's decision triggers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Intervention {
    /// Arrest, search, flagging for enforcement: wrongful selection harms.
    Punitive,
    /// Referral to support, diversion: wrongful omission harms.
    Assistive,
    /// Neither, or both: weigh both kinds of error.
    Neutral,
}

impl Intervention {
    /// The lowercase name.
    pub fn name(self) -> &'static str {
        match self {
            Intervention::Punitive => "punitive",
            Intervention::Assistive => "assistive",
            Intervention::Neutral => "neutral",
        }
    }

    /// The primary metrics by default.
    pub fn default_primary(self) -> Vec<&'static str> {
        match self {
            Intervention::Punitive => vec!["fpr", "fdr", "selection_rate"],
            Intervention::Assistive => vec!["fnr", "for", "selection_rate"],
            Intervention::Neutral => vec!["fpr", "fnr", "selection_rate"],
        }
    }

    /// The fairness criterion this intervention ranks first, in words.
    pub fn first_criterion(self) -> &'static str {
        match self {
            Intervention::Punitive => "false-positive parity (equal FPR and FDR)",
            Intervention::Assistive => "false-negative parity (equal FNR and FOR)",
            Intervention::Neutral => "equalized odds (equal FPR and FNR)",
        }
    }

    /// The favourable direction of `metric` under this intervention: the
    /// registry's, except for the selection rate, whose direction depends
    /// on whether being selected helps or harms.
    pub fn direction(self, metric: &str) -> Direction {
        match (metric, self) {
            ("selection_rate", Intervention::Punitive) => Direction::Lower,
            ("selection_rate", Intervention::Assistive) => Direction::Higher,
            _ => registry::find(metric).map_or(Direction::Context, |m| m.favourable),
        }
    }
}

/// A tolerance for one metric's disparity.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Tolerance {
    /// The band for the ratio to the reference, `(low, high)`.
    pub ratio: Option<(f64, f64)>,
    /// The largest tolerated absolute difference.
    pub difference: Option<f64>,
}

/// What makes `fairaudit run` exit 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FailOn {
    /// Only a failed verdict.
    Fail,
    /// A failed or an inconclusive verdict.
    Inconclusive,
}

/// A checked policy.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    /// The intervention type.
    pub intervention: Intervention,
    /// The primary metrics, in order.
    pub primary: Vec<&'static str>,
    /// The tolerance of each primary metric.
    pub tolerances: BTreeMap<&'static str, Tolerance>,
    /// Significance level after correction.
    pub alpha: f64,
    /// What fails the audit.
    pub fail_on: FailOn,
}

/// The four-fifths band.
pub const DEFAULT_RATIO_BAND: (f64, f64) = (0.8, 1.25);

/// The default significance level.
pub const DEFAULT_ALPHA: f64 = 0.05;

fn check_tolerance(t: &ToleranceSpec, key: &str) -> Result<Tolerance> {
    let ratio = match &t.ratio {
        None => None,
        Some(v) => {
            let [lo, hi] = v.as_slice() else {
                return Err(Error::spec(
                    format!("{key}.ratio"),
                    format!(
                        "expected two numbers [low, high], found {} value(s)",
                        v.len()
                    ),
                )
                .with_hint("write e.g. ratio = [0.8, 1.25]"));
            };
            let (lo, hi) = (*lo, *hi);
            if !(lo.is_finite() && hi.is_finite()) || lo <= 0.0 {
                return Err(Error::spec(
                    format!("{key}.ratio"),
                    format!("[{lo}, {hi}] is not a band of positive ratios"),
                )
                .with_hint("write e.g. ratio = [0.8, 1.25]"));
            }
            if lo >= hi {
                return Err(Error::spec(
                    format!("{key}.ratio"),
                    format!(
                        "the band [{lo}, {hi}] is inverted: its low end is not below its high end"
                    ),
                )
                .with_hint(format!("write ratio = [{hi}, {lo}]")));
            }
            if !(lo <= 1.0 && 1.0 <= hi) {
                return Err(Error::spec(
                    format!("{key}.ratio"),
                    format!("the band [{lo}, {hi}] does not contain 1 (parity)"),
                )
                .with_hint("a tolerance band must contain 1, e.g. [0.8, 1.25]"));
            }
            Some((lo, hi))
        }
    };
    let difference = match t.difference {
        None => None,
        Some(d) if d.is_finite() && d > 0.0 => Some(d),
        Some(d) => {
            return Err(Error::spec(
                format!("{key}.difference"),
                format!("must be a positive number, not {d}"),
            )
            .with_hint("write e.g. difference = 0.05 (five percentage points)"));
        }
    };
    if ratio.is_none() && difference.is_none() {
        return Err(
            Error::spec(key, "the tolerance sets neither `ratio` nor `difference`")
                .with_hint("write e.g. { ratio = [0.8, 1.25] } or { difference = 0.05 }"),
        );
    }
    Ok(Tolerance { ratio, difference })
}

impl Policy {
    /// Checks the `[policy]` section (absent = all defaults).
    pub fn check(spec: Option<&PolicySpec>) -> Result<Policy> {
        let default = PolicySpec::default();
        let p = spec.unwrap_or(&default);
        let intervention = match p.intervention.as_deref() {
            None | Some("neutral") => Intervention::Neutral,
            Some("punitive") => Intervention::Punitive,
            Some("assistive") => Intervention::Assistive,
            Some(other) => {
                return Err(Error::spec("policy.intervention", format!("unknown intervention type `{other}`"))
                    .with_hint("use \"punitive\" (arrest, search, enforcement), \"assistive\" (referral, diversion) or \"neutral\""));
            }
        };
        let primary: Vec<&'static str> = match &p.primary {
            None => intervention.default_primary(),
            Some(list) => {
                if list.is_empty() {
                    return Err(Error::spec(
                        "policy.primary",
                        "the list of primary metrics is empty",
                    )
                    .with_hint(format!("name at least one of: {}", registry::names())));
                }
                let mut out = Vec::new();
                for (i, m) in list.iter().enumerate() {
                    let def = registry::find(m)
                        .ok_or_else(|| unknown_metric(&format!("policy.primary[{i}]"), m))?;
                    if !out.contains(&def.name) {
                        out.push(def.name);
                    }
                }
                out
            }
        };
        let base = match &p.tolerance {
            None => Tolerance {
                ratio: Some(DEFAULT_RATIO_BAND),
                difference: None,
            },
            Some(t) => check_tolerance(t, "policy.tolerance")?,
        };
        let mut tolerances: BTreeMap<&'static str, Tolerance> =
            primary.iter().map(|m| (*m, base)).collect();
        for (name, t) in &p.tolerances {
            let key = format!("policy.tolerances.{name}");
            let def = registry::find(name).ok_or_else(|| unknown_metric(&key, name))?;
            if !primary.contains(&def.name) {
                return Err(Error::spec(
                    key,
                    format!("`{name}` is not a primary metric, so its tolerance would not be used"),
                )
                .with_hint(format!(
                    "add it to `policy.primary` (now: {})",
                    primary.join(", ")
                )));
            }
            tolerances.insert(def.name, check_tolerance(t, &key)?);
        }
        let alpha = match p.alpha {
            None => DEFAULT_ALPHA,
            Some(a) if a > 0.0 && a < 1.0 => a,
            Some(a) => {
                return Err(Error::spec(
                    "policy.alpha",
                    format!("must be between 0 and 1 (exclusive), not {a}"),
                )
                .with_hint("the conventional value is 0.05"));
            }
        };
        let fail_on = match p.fail_on.as_deref() {
            None | Some("fail") => FailOn::Fail,
            Some("inconclusive") => FailOn::Inconclusive,
            Some(other) => {
                return Err(Error::spec("policy.fail_on", format!("unknown value `{other}`"))
                    .with_hint("use \"fail\" (exit 1 on a failed verdict) or \"inconclusive\" (also on an inconclusive one)"));
            }
        };
        Ok(Policy {
            intervention,
            primary,
            tolerances,
            alpha,
            fail_on,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str) -> Result<Policy> {
        let spec: PolicySpec = toml::from_str(text).unwrap();
        Policy::check(Some(&spec))
    }

    #[test]
    fn defaults_per_intervention() {
        let p = Policy::check(None).unwrap();
        assert_eq!(p.intervention, Intervention::Neutral);
        assert_eq!(p.primary, ["fpr", "fnr", "selection_rate"]);
        assert_eq!(p.tolerances["fpr"].ratio, Some((0.8, 1.25)));
        assert_eq!(p.alpha, 0.05);
        assert_eq!(p.fail_on, FailOn::Fail);
        assert_eq!(
            check("intervention = \"punitive\"").unwrap().primary,
            ["fpr", "fdr", "selection_rate"]
        );
        assert_eq!(
            check("intervention = \"assistive\"").unwrap().primary,
            ["fnr", "for", "selection_rate"]
        );
        assert_eq!(
            Intervention::Punitive.direction("selection_rate"),
            Direction::Lower
        );
        assert_eq!(
            Intervention::Assistive.direction("selection_rate"),
            Direction::Higher
        );
        assert_eq!(Intervention::Neutral.direction("fpr"), Direction::Lower);
    }

    #[test]
    fn overrides() {
        let p = check("primary = [\"fpr\", \"ppv\"]\ntolerance = { difference = 0.05 }\n[tolerances]\nppv = { ratio = [0.9, 1.1] }").unwrap();
        assert_eq!(p.primary, ["fpr", "ppv"]);
        assert_eq!(
            p.tolerances["fpr"],
            Tolerance {
                ratio: None,
                difference: Some(0.05)
            }
        );
        assert_eq!(
            p.tolerances["ppv"],
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
            let e = check(text).unwrap_err().to_string();
            assert!(e.contains(key) && e.contains(want), "{text}: {e}");
        }
    }
}
