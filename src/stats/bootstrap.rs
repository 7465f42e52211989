//! A percentile bootstrap that resamples the count table, not the rows.
//!
//! Drawing n rows with replacement from a table of rows and counting them
//! into the cells of a [`CountTable`] gives cell counts that follow a
//! multinomial distribution with n trials and cell probabilities equal to
//! the cells' shares of the rows. So each replicate draws those counts
//! directly — one binomial draw per cell, conditioning on the draws before
//! it — at a cost that depends on the number of cells (hundreds), not rows
//! (millions). Stratified resampling draws each stratum (a combination of
//! all protected attributes) separately with its own size fixed, so group
//! sizes do not vary between replicates.
//!
//! With sample weights, a resampled cell's weight is its count times the
//! cell's mean weight (and likewise for squared weights): the rows inside a
//! cell are exchangeable for every count-based statistic except through
//! their weights, and the mean weight is their best summary. Results are
//! therefore close to, not identical with, a row bootstrap of weighted data.
//!
//! Replicate r draws from `ChaCha8Rng` seeded with [`replicate_seed`]`(seed,
//! r)`, so each replicate's table does not depend on how many threads drew
//! the others, and the percentile of B replicates is identical with 1 or 32
//! threads.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Binomial, Distribution};
use rayon::prelude::*;

use crate::count::CountTable;

/// A resampled cell: count, weight sum and squared-weight sum.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Drawn {
    /// Rows drawn into the cell.
    pub count: u64,
    /// Their weight.
    pub weight: f64,
    /// Their squared weight.
    pub weight_sq: f64,
}

/// The count table flattened for fast resampling: cells in table order.
#[derive(Debug, Clone)]
pub struct Resampler {
    counts: Vec<u64>,
    mean_w: Vec<f64>,
    mean_w2: Vec<f64>,
    /// The cells of each stratum (one stratum of all cells when not stratified).
    strata: Vec<Vec<usize>>,
}

/// The seed of replicate `r`: SplitMix64 of the master seed and the index,
/// so that neighbouring replicates get unrelated streams.
pub fn replicate_seed(seed: u64, r: u64) -> u64 {
    let mut z = seed
        ^ r.wrapping_mul(0x9E37_79B9_7F4A_7C15)
            .wrapping_add(0xD1B5_4A32_D192_ED03);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl Resampler {
    /// Prepares `table` for resampling; `stratified` keeps the size of every
    /// combination of protected-attribute levels fixed.
    pub fn new(table: &CountTable, stratified: bool) -> Resampler {
        let mut counts = Vec::new();
        let mut mean_w = Vec::new();
        let mut mean_w2 = Vec::new();
        let mut strata: Vec<Vec<usize>> = Vec::new();
        let mut last_levels: Option<&[String]> = None;
        for (i, (levels, _, s)) in table.cells().enumerate() {
            counts.push(s.count);
            let c = s.count.max(1) as f64;
            mean_w.push(s.weight.to_f64() / c);
            mean_w2.push(s.weight_sq.to_f64() / c);
            // Cells are sorted by levels first, so a stratum's cells are adjacent.
            if !stratified {
                if strata.is_empty() {
                    strata.push(Vec::new());
                }
                strata[0].push(i);
            } else if last_levels == Some(levels) {
                if let Some(last) = strata.last_mut() {
                    last.push(i);
                }
            } else {
                strata.push(vec![i]);
            }
            last_levels = Some(levels);
        }
        Resampler {
            counts,
            mean_w,
            mean_w2,
            strata,
        }
    }

    /// The number of cells.
    pub fn cells(&self) -> usize {
        self.counts.len()
    }

    /// Draws one replicate's cells from `rng`.
    pub fn draw(&self, rng: &mut ChaCha8Rng, out: &mut Vec<Drawn>) {
        out.clear();
        out.resize(self.counts.len(), Drawn::default());
        for stratum in &self.strata {
            let mut left: u64 = stratum.iter().map(|&i| self.counts[i]).sum();
            let mut mass = left;
            for &i in stratum {
                if left == 0 {
                    break;
                }
                let c = self.counts[i];
                // k_i ~ Binomial(rows left, c_i / mass left): the sequential
                // form of a multinomial draw.
                let k = if c >= mass {
                    left
                } else {
                    Binomial::new(left, c as f64 / mass as f64).map_or(0, |b| b.sample(rng))
                };
                out[i] = Drawn {
                    count: k,
                    weight: k as f64 * self.mean_w[i],
                    weight_sq: k as f64 * self.mean_w2[i],
                };
                left -= k;
                mass -= c;
            }
        }
    }

    /// Runs `stat` on `replicates` resampled tables (in parallel), returning
    /// the results in replicate order.
    pub fn run<T: Send>(
        &self,
        replicates: u32,
        seed: u64,
        stat: impl Fn(&[Drawn]) -> T + Sync,
    ) -> Vec<T> {
        (0..replicates)
            .into_par_iter()
            .map_init(Vec::new, |buf, r| {
                let mut rng = ChaCha8Rng::seed_from_u64(replicate_seed(seed, u64::from(r)));
                self.draw(&mut rng, buf);
                stat(buf)
            })
            .collect()
    }
}

/// The q-quantile of sorted finite values, interpolating linearly between
/// order statistics (numpy's default, type 7 of Hyndman & Fan 1996).
pub fn quantile(sorted: &[f64], q: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let pos = q.clamp(0.0, 1.0) * (sorted.len() - 1) as f64;
    let lo = pos.floor() as usize;
    let hi = pos.ceil() as usize;
    let frac = pos - lo as f64;
    Some(sorted[lo] + (sorted[hi] - sorted[lo]) * frac)
}

/// A percentile interval from replicate values (undefined replicates
/// dropped), with the number of replicates that were defined.
pub fn percentile_interval(values: &[Option<f64>], level: f64) -> Option<(f64, f64, usize)> {
    let mut v: Vec<f64> = values
        .iter()
        .flatten()
        .copied()
        .filter(|x| x.is_finite())
        .collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let a = (1.0 - level) / 2.0;
    Some((quantile(&v, a)?, quantile(&v, 1.0 - a)?, v.len()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::count::{CellKey, CellStats};

    fn table(cells: &[(&str, bool, bool, u64)]) -> CountTable {
        let mut t = CountTable::new(vec!["g".into()]);
        for &(g, truth, pred, n) in cells {
            t.add_cell(
                &[g.to_string()],
                CellKey::confusion(truth, pred),
                CellStats::rows(n),
            );
        }
        t
    }

    #[test]
    fn replicates_keep_the_total_and_strata() {
        let t = table(&[
            ("A", true, true, 30),
            ("A", false, false, 70),
            ("B", true, false, 5),
            ("B", false, true, 15),
        ]);
        let r = Resampler::new(&t, false);
        let totals = r.run(200, 7, |d| d.iter().map(|c| c.count).sum::<u64>());
        assert!(totals.iter().all(|&n| n == 120));
        let s = Resampler::new(&t, true);
        let sizes = s.run(200, 7, |d| {
            (d[0].count + d[1].count, d[2].count + d[3].count)
        });
        assert!(sizes.iter().all(|&(a, b)| a == 100 && b == 20));
    }

    #[test]
    fn same_seed_same_replicates_whatever_the_threads() {
        let t = table(&[
            ("A", true, true, 300),
            ("A", false, false, 700),
            ("B", true, false, 50),
        ]);
        let r = Resampler::new(&t, false);
        let one = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap()
            .install(|| r.run(300, 42, |d| d[0].count));
        let four = rayon::ThreadPoolBuilder::new()
            .num_threads(4)
            .build()
            .unwrap()
            .install(|| r.run(300, 42, |d| d[0].count));
        assert_eq!(one, four);
        assert_ne!(one, r.run(300, 43, |d| d[0].count));
    }

    #[test]
    fn quantiles_interpolate_like_numpy() {
        let v = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(quantile(&v, 0.0), Some(1.0));
        assert_eq!(quantile(&v, 1.0), Some(4.0));
        assert_eq!(quantile(&v, 0.5), Some(2.5));
        // numpy.quantile([1,2,3,4], 0.025) = 1.075
        assert!((quantile(&v, 0.025).unwrap() - 1.075).abs() < 1e-12);
        assert_eq!(percentile_interval(&[None, None], 0.95), None);
    }

    /// Resampling the count table gives the same distribution as resampling
    /// rows: the same mean and quantiles of a group's selection rate, within
    /// Monte-Carlo error.
    #[test]
    fn count_resampling_matches_row_resampling() {
        use rand::RngExt;
        // Group A: 40 rows (12 selected), group B: 60 rows (30 selected).
        let t = table(&[
            ("A", false, true, 12),
            ("A", false, false, 28),
            ("B", false, true, 30),
            ("B", false, false, 30),
        ]);
        let rows: Vec<(u8, bool)> = (0..100)
            .map(|i| if i < 40 { (0, i < 12) } else { (1, i < 70) })
            .collect();
        let b = 20_000;
        let stat = |a_sel: u64, a_n: u64| {
            if a_n == 0 {
                None
            } else {
                Some(a_sel as f64 / a_n as f64)
            }
        };
        let counted: Vec<Option<f64>> =
            Resampler::new(&t, false).run(b, 1, |d| stat(d[1].count, d[0].count + d[1].count));
        let mut rng = ChaCha8Rng::seed_from_u64(99);
        let naive: Vec<Option<f64>> = (0..b)
            .map(|_| {
                let (mut sel, mut n) = (0, 0);
                for _ in 0..rows.len() {
                    let (g, s) = rows[rng.random_range(0..rows.len())];
                    if g == 0 {
                        n += 1;
                        sel += u64::from(s);
                    }
                }
                stat(sel, n)
            })
            .collect();
        let mean =
            |v: &[Option<f64>]| v.iter().flatten().sum::<f64>() / v.iter().flatten().count() as f64;
        // The selection rate's s.d. is about 0.07; the Monte-Carlo error of
        // a mean of 20,000 draws is about 0.0005.
        assert!(
            (mean(&counted) - mean(&naive)).abs() < 0.003,
            "{} vs {}",
            mean(&counted),
            mean(&naive)
        );
        let (lo1, hi1, _) = percentile_interval(&counted, 0.95).unwrap();
        let (lo2, hi2, _) = percentile_interval(&naive, 0.95).unwrap();
        assert!(
            (lo1 - lo2).abs() < 0.015 && (hi1 - hi2).abs() < 0.015,
            "[{lo1}, {hi1}] vs [{lo2}, {hi2}]"
        );
        let sd = |v: &[Option<f64>]| {
            let m = mean(v);
            (v.iter().flatten().map(|x| (x - m).powi(2)).sum::<f64>() / v.len() as f64).sqrt()
        };
        assert!((sd(&counted) / sd(&naive) - 1.0).abs() < 0.05);
    }
}
