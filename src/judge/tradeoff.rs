//! The calibration / error-rate trade-off: when base rates differ between
//! groups, a model cannot have equal predictive values and equal error rates
//! at once (Kleinberg, Mullainathan & Raghavan 2016; Chouldechova 2017), so
//! the report says which the model is closer to.

use crate::metric::Intervention;
use crate::number::{human, percent};
use crate::results::{Parity, Tradeoff};

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
        (Some(p), Some(e)) if p < e => Parity::Predictive,
        (Some(p), Some(e)) if e < p => Parity::ErrorRate,
        _ => Parity::Neither,
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
        Parity::Predictive => text.push_str(
            " The model is closer to predictive parity (similar PPV) than to equal error rates.",
        ),
        Parity::ErrorRate => {
            text.push_str(" The model is closer to equal error rates than to predictive parity.")
        }
        Parity::Neither => {}
    }
    text.push_str(&format!(
        " For a {} intervention the policy ranks {} first.",
        intervention.name(),
        intervention.first_criterion()
    ));
    Some(Tradeoff {
        grouping: t.grouping.to_string(),
        base_rates_differ: differ,
        closer_to,
        text,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert_eq!(x.closer_to, Parity::Predictive);
        assert!(x.text.contains("Base rates differ between the groups of race (from 37.1% in Hispanic to 52.3% in African-American)"), "{}", x.text);
        assert!(x.text.contains("Chouldechova 2017"));
        assert!(x.text.ends_with("For a punitive intervention the policy ranks false-positive parity (equal FPR and FDR) first."), "{}", x.text);
    }
}
