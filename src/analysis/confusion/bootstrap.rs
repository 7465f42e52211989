//! Bootstrap intervals for the confusion statistics without a closed form
//! (F1, balanced accuracy, treatment equality, their disparities, and
//! fairlearn's summaries), from the count-table resampler of
//! [`crate::stats::bootstrap`].
//!
//! Each replicate's statistics are typed ([`Replicate`]): per grouping, per
//! group, per bootstrapped metric a value, a ratio and a difference, and per
//! summary its two forms. The percentile intervals are read back by the same
//! names, never by position arithmetic.

use std::collections::BTreeMap;

use crate::count::CountTable;
use crate::metric::{self, MetricId, Value};
use crate::results::{DisparityValue, MetricValue};
use crate::stats::bootstrap::{Drawn, Resampler, percentile_interval};
use crate::stats::{Bootstrap, Method};

use super::summary::{self, Summary};
use super::{Work, bootstrapped};

/// One bootstrapped metric of one group in one replicate.
#[derive(Debug, Clone, Copy, Default)]
struct MetricDraw {
    value: Option<f64>,
    ratio: Option<f64>,
    difference: Option<f64>,
}

/// One grouping's statistics in one replicate.
#[derive(Debug, Clone)]
struct Replicate {
    /// Per group, per bootstrapped metric (in [`bootstrapped`] order).
    groups: Vec<Vec<MetricDraw>>,
    /// Per summary: (between groups, to overall).
    summaries: [(Option<f64>, Option<f64>); 6],
}

/// The bootstrap distribution of every grouping's statistics.
pub(super) struct Distribution {
    /// Per replicate, per grouping.
    replicates: Vec<Vec<Replicate>>,
    metrics: Vec<MetricId>,
    level: f64,
}

/// Which statistic of a bootstrapped metric.
#[derive(Debug, Clone, Copy)]
enum Stat {
    Value,
    Ratio,
    Difference,
}

impl Distribution {
    /// Draws `b.replicates` resampled tables and computes every grouping's
    /// statistics on each; intervals are read at confidence `level`.
    pub(super) fn draw(
        table: &CountTable,
        works: &[Work],
        b: &Bootstrap,
        level: f64,
    ) -> Distribution {
        let metrics = bootstrapped();
        let cell_cm: Vec<usize> = table
            .cells()
            .map(|(_, k, _)| metric::cell_index(k.truth, k.pred))
            .collect();
        let resampler = Resampler::new(table, b.stratified);
        let replicates = resampler.run(b.replicates, b.seed, |drawn| {
            works
                .iter()
                .map(|w| replicate(w, &cell_cm, drawn, &metrics))
                .collect()
        });
        Distribution {
            replicates,
            metrics,
            level,
        }
    }

    fn interval(&self, values: Vec<Option<f64>>) -> Option<(f64, f64)> {
        percentile_interval(&values, self.level).map(|(lo, hi, _)| (lo, hi))
    }

    fn metric_interval(&self, wi: usize, gi: usize, j: usize, stat: Stat) -> Option<(f64, f64)> {
        self.interval(
            self.replicates
                .iter()
                .map(|r| {
                    let d = r[wi].groups[gi][j];
                    match stat {
                        Stat::Value => d.value,
                        Stat::Ratio => d.ratio,
                        Stat::Difference => d.difference,
                    }
                })
                .collect(),
        )
    }

    /// The interval of summary `s` of grouping `wi`.
    pub(super) fn summary_interval(
        &self,
        wi: usize,
        s: Summary,
        to_overall: bool,
    ) -> Option<(f64, f64)> {
        self.interval(
            self.replicates
                .iter()
                .map(|r| {
                    let (between, overall) = r[wi].summaries[s as usize];
                    if to_overall { overall } else { between }
                })
                .collect(),
        )
    }

    /// Sets the bootstrap intervals of group `gi` of grouping `wi`: its
    /// bootstrapped metrics and, unless it is the reference, their
    /// disparities.
    pub(super) fn fill(
        &self,
        wi: usize,
        gi: usize,
        is_reference: bool,
        metrics: &mut BTreeMap<MetricId, MetricValue>,
        disparities: &mut BTreeMap<MetricId, DisparityValue>,
    ) {
        for (j, m) in self.metrics.iter().enumerate() {
            if let Some(mv) = metrics.get_mut(m)
                && mv.value.is_some()
                && let Some((lo, hi)) = self.metric_interval(wi, gi, j, Stat::Value)
            {
                mv.ci_low = Some(lo);
                mv.ci_high = Some(hi);
                mv.ci_method = Some(Method::Bootstrap);
            }
            if !is_reference && let Some(d) = disparities.get_mut(m) {
                if d.ratio.is_some()
                    && let Some((lo, hi)) = self.metric_interval(wi, gi, j, Stat::Ratio)
                {
                    d.ratio_ci_low = Some(lo);
                    d.ratio_ci_high = Some(hi);
                    d.ratio_ci_method = Some(Method::Bootstrap);
                }
                if d.difference.is_some()
                    && let Some((lo, hi)) = self.metric_interval(wi, gi, j, Stat::Difference)
                {
                    d.difference_ci_low = Some(lo);
                    d.difference_ci_high = Some(hi);
                    d.difference_ci_method = Some(Method::Bootstrap);
                }
            }
        }
    }
}

/// One grouping's statistics on one resampled table. `cell_cm` is the
/// confusion cell (TP, FP, FN, TN) of each table cell. Only the metrics
/// needed are computed: this runs once per replicate.
fn replicate(w: &Work, cell_cm: &[usize], drawn: &[Drawn], boot: &[MetricId]) -> Replicate {
    let mut cells = vec![[0.0f64; 4]; w.keys.len()];
    for (i, d) in drawn.iter().enumerate() {
        cells[w.cell_group[i]][cell_cm[i]] += d.weight;
    }
    let vals: Vec<Vec<Value>> = cells
        .iter()
        .map(|c| boot.iter().map(|&m| metric::compute(m, c)).collect())
        .collect();
    let groups = vals
        .iter()
        .enumerate()
        .map(|(gi, v)| {
            v.iter()
                .enumerate()
                .map(|(j, x)| {
                    let (ratio, difference) = match w.reference {
                        Some(r) if r != gi && !w.suppressed[gi] => {
                            let d = metric::disparity(*x, vals[r][j]);
                            (d.ratio.get(), d.difference.get())
                        }
                        _ => (None, None),
                    };
                    MetricDraw {
                        value: x.get(),
                        ratio,
                        difference,
                    }
                })
                .collect()
        })
        .collect();
    let mut total = [0.0f64; 4];
    for c in &cells {
        for j in 0..4 {
            total[j] += c[j];
        }
    }
    let rates = |c: &[f64; 4]| {
        [
            metric::compute(MetricId::SelectionRate, c),
            metric::compute(MetricId::Tpr, c),
            metric::compute(MetricId::Fpr, c),
        ]
    };
    let overall = rates(&total);
    let published: Vec<[Value; 3]> = w.published().iter().map(|&i| rates(&cells[i])).collect();
    let pick = |k: usize| -> Vec<Option<f64>> { published.iter().map(|v| v[k].get()).collect() };
    let s = summary::fairlearn(
        (&pick(0), overall[0].get()),
        (&pick(1), overall[1].get()),
        (&pick(2), overall[2].get()),
    );
    Replicate {
        groups,
        summaries: Summary::ALL.map(|k| (s.get(k).between_groups, s.get(k).to_overall)),
    }
}
