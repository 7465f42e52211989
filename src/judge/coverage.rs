//! Coverage: which of the Equality Act 2010's protected characteristics the
//! data holds, which it does not, and how many rows have no recorded value.

use crate::number::{count, percent};
use crate::results::{AttributeCoverage, Coverage};

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

/// Coverage notes from (attribute, declared characteristic, not-stated
/// rows) and the rows used.
///
/// A `None` count is withheld (a "not stated" group too small to publish):
/// the coverage says so rather than give the number away.
pub fn coverage(attrs: &[(String, Option<String>, Option<u64>)], used: u64) -> Coverage {
    let attributes: Vec<AttributeCoverage> = attrs
        .iter()
        .map(|(a, declared, ns)| AttributeCoverage {
            attribute: a.clone(),
            characteristic: characteristic_of(a, declared.as_deref()).map(str::to_string),
            not_stated_rows: *ns,
            not_stated_share: ns.map(|ns| {
                if used > 0 {
                    ns as f64 / used as f64
                } else {
                    0.0
                }
            }),
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
        .filter(|a| a.not_stated_rows != Some(0))
        .map(|a| match a.not_stated_rows {
            Some(n) => format!(
                "{} for {} ({})",
                count(n),
                a.attribute,
                percent(a.not_stated_share)
            ),
            None => format!("a group too small to publish for {}", a.attribute),
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
            &[
                ("ethnicity".into(), None, Some(750)),
                ("sex".into(), None, Some(0)),
            ],
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
