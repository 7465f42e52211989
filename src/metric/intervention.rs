//! The kind of intervention a model's decision triggers, and what it means
//! for the metrics: which are primary, and which direction of the selection
//! rate is favourable.
//!
//! The choice of metrics follows the intervention (DESIGN.md): a *punitive*
//! intervention (arrest, search, flagging for enforcement) harms the people it
//! wrongly selects, so false-positive parity comes first (FPR: of those
//! without the outcome, how many are flagged; FDR: of those flagged, how many
//! are wrongly flagged). An *assistive* intervention (referral to support,
//! diversion) harms the people it wrongly passes over, so false-negative
//! parity comes first (FNR, FOR). Selection-rate parity is reported for both.
//! A *neutral* policy weighs both kinds of error (FPR, FNR, selection rate).

use std::fmt;

use serde::{Deserialize, Serialize};

use super::{Direction, MetricId, REGISTRY};

/// The kind of intervention the model's decision triggers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
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

    /// The intervention named `s` in a spec, if any.
    pub fn from_name(s: &str) -> Option<Intervention> {
        match s {
            "punitive" => Some(Intervention::Punitive),
            "assistive" => Some(Intervention::Assistive),
            "neutral" => Some(Intervention::Neutral),
            _ => None,
        }
    }

    /// The primary metrics by default, in their order (from the registry).
    pub fn default_primary(self) -> Vec<MetricId> {
        let mut ranked: Vec<(u8, MetricId)> = REGISTRY
            .iter()
            .filter_map(|m| {
                m.primary_for
                    .iter()
                    .find(|(i, _)| *i == self)
                    .map(|(_, rank)| (*rank, m.id))
            })
            .collect();
        ranked.sort_by_key(|(rank, _)| *rank);
        ranked.into_iter().map(|(_, m)| m).collect()
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
    pub fn direction(self, metric: MetricId) -> Direction {
        match (metric, self) {
            (MetricId::SelectionRate, Intervention::Punitive) => Direction::Lower,
            (MetricId::SelectionRate, Intervention::Assistive) => Direction::Higher,
            _ => metric.def().favourable,
        }
    }
}

impl fmt::Display for Intervention {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_primaries_follow_the_design() {
        use MetricId::*;
        assert_eq!(
            Intervention::Punitive.default_primary(),
            [Fpr, Fdr, SelectionRate]
        );
        assert_eq!(
            Intervention::Assistive.default_primary(),
            [Fnr, For, SelectionRate]
        );
        assert_eq!(
            Intervention::Neutral.default_primary(),
            [Fpr, Fnr, SelectionRate]
        );
    }

    #[test]
    fn registry_order_is_identifier_order() {
        for (i, m) in REGISTRY.iter().enumerate() {
            assert_eq!(m.id as usize, i, "{}", m.name);
            assert_eq!(MetricId::ALL[i], m.id);
            assert_eq!(MetricId::from_name(m.name), Some(m.id));
        }
        assert_eq!(MetricId::from_name("fpt"), None);
    }
}
