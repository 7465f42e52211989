//! Disclosure control: which groups' numbers are withheld, so that no
//! suppressed group can be worked out from the numbers a pack publishes.
//!
//! A group below the minimum size is suppressed (primary suppression). That
//! alone is not enough: the overall counts minus every other group's counts
//! give back a lone suppressed group exactly, and so do the margins of an
//! intersection. So, as statistical offices do, further groups are withheld
//! (complementary suppression) until no suppressed group is a linear
//! combination of published ones.
//!
//! The model: the unknowns are the table's finest groups (every combination
//! of attribute levels with rows); each group of each grouping, and the
//! overall total, is the sum of some of them. A suppressed group is safe when
//! its indicator vector is not in the span of the published groups' vectors:
//! then no sum or difference of published numbers — counts, weights, any
//! component — equals its own. Groups are withheld greedily, the smallest
//! published group of the same grouping first (never a reference group), and
//! the check runs again until it holds for every suppressed group.
//!
//! Ranks are computed exactly over the integers modulo two primes (2⁶¹ − 1
//! and 2³¹ − 1). A rank modulo a prime never exceeds the rank over the
//! rationals, and an error can only make a group look recoverable when it is
//! not, so the arithmetic can only withhold more, never less.

/// Why a group's numbers are withheld.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// Fewer rows than the minimum group size.
    Small,
    /// Withheld so that a smaller group's numbers cannot be derived by
    /// subtraction.
    Complementary,
}

/// One group of one grouping, for the disclosure check.
#[derive(Debug, Clone)]
pub struct Group {
    /// The indices of the finest groups it sums.
    pub cells: Vec<usize>,
    /// Its rows (to withhold small groups first).
    pub n: u64,
    /// Whether it is below the minimum size.
    pub small: bool,
    /// Whether it is its grouping's reference group (never withheld for
    /// others; a small reference is an error before this runs).
    pub reference: bool,
}

/// The groups withheld in each grouping (indexed like `groupings`), with
/// their reasons; `None` for a published group.
pub fn withhold(finest: usize, groupings: &[Vec<Group>]) -> Vec<Vec<Option<Reason>>> {
    let mut out: Vec<Vec<Option<Reason>>> = groupings
        .iter()
        .map(|g| g.iter().map(|x| x.small.then_some(Reason::Small)).collect())
        .collect();
    loop {
        let published = published_rows(finest, groupings, &out);
        let basis = Basis::of(finest, &published);
        let exposed = groupings.iter().enumerate().find_map(|(gi, g)| {
            g.iter().enumerate().find_map(|(i, x)| {
                (out[gi][i].is_some() && basis.contains(&indicator(finest, &x.cells)))
                    .then_some((gi, i))
            })
        });
        let Some((gi, si)) = exposed else {
            return out;
        };
        match complement(groupings, &out, gi, si) {
            Some((gj, j)) => out[gj][j] = Some(Reason::Complementary),
            // Nothing is left to withhold but the overall total.
            None => return out,
        }
    }
}

/// The group to withhold next for the exposed group `si` of grouping `gi`:
/// the smallest published group of the same grouping other than its
/// reference; else its reference (the grouping then has nothing left to
/// compare); else the smallest published group of another grouping that
/// shares rows with the exposed one; else the smallest published group.
fn complement(
    groupings: &[Vec<Group>],
    hidden: &[Vec<Option<Reason>>],
    gi: usize,
    si: usize,
) -> Option<(usize, usize)> {
    let published = |gj: usize, j: usize| hidden[gj][j].is_none();
    let smallest = |cands: Vec<(usize, usize)>| {
        cands
            .into_iter()
            .min_by_key(|&(gj, j)| (groupings[gj][j].n, gj, j))
    };
    let same: Vec<(usize, usize)> = (0..groupings[gi].len())
        .filter(|&j| published(gi, j) && !groupings[gi][j].reference)
        .map(|j| (gi, j))
        .collect();
    if let Some(c) = smallest(same) {
        return Some(c);
    }
    if let Some(j) = (0..groupings[gi].len()).find(|&j| published(gi, j)) {
        return Some((gi, j));
    }
    let exposed = &groupings[gi][si].cells;
    let all: Vec<(usize, usize)> = groupings
        .iter()
        .enumerate()
        .flat_map(|(gj, g)| (0..g.len()).map(move |j| (gj, j)))
        .filter(|&(gj, j)| published(gj, j))
        .collect();
    let sharing: Vec<(usize, usize)> = all
        .iter()
        .copied()
        .filter(|&(gj, j)| {
            !groupings[gj][j].reference
                && groupings[gj][j].cells.iter().any(|c| exposed.contains(c))
        })
        .collect();
    smallest(sharing).or_else(|| smallest(all))
}

fn indicator(finest: usize, cells: &[usize]) -> Vec<u8> {
    let mut v = vec![0u8; finest];
    for &c in cells {
        if c < finest {
            v[c] = 1;
        }
    }
    v
}

/// The published vectors: the overall total, and every published group.
fn published_rows(
    finest: usize,
    groupings: &[Vec<Group>],
    hidden: &[Vec<Option<Reason>>],
) -> Vec<Vec<u8>> {
    let mut rows = vec![vec![1u8; finest]];
    for (gi, g) in groupings.iter().enumerate() {
        for (i, x) in g.iter().enumerate() {
            if hidden[gi][i].is_none() {
                rows.push(indicator(finest, &x.cells));
            }
        }
    }
    rows
}

const PRIMES: [u64; 2] = [(1 << 61) - 1, (1 << 31) - 1];

fn mul_mod(a: u64, b: u64, p: u64) -> u64 {
    ((u128::from(a) * u128::from(b)) % u128::from(p)) as u64
}

fn inv_mod(a: u64, p: u64) -> u64 {
    // Fermat: a^(p-2).
    let (mut base, mut exp, mut acc) = (a % p, p - 2, 1u64);
    while exp > 0 {
        if exp & 1 == 1 {
            acc = mul_mod(acc, base, p);
        }
        base = mul_mod(base, base, p);
        exp >>= 1;
    }
    acc
}

/// A row-echelon basis of the published vectors, modulo each prime.
struct Basis {
    /// Per prime: rows in echelon form with their pivot columns.
    echelon: Vec<Vec<(usize, Vec<u64>)>>,
}

impl Basis {
    fn of(finest: usize, rows: &[Vec<u8>]) -> Basis {
        let echelon = PRIMES
            .iter()
            .map(|&p| {
                let mut basis: Vec<(usize, Vec<u64>)> = Vec::new();
                for r in rows {
                    let v: Vec<u64> = r.iter().map(|&x| u64::from(x)).collect();
                    if let Some((pivot, v)) = reduce(&basis, v, p)
                        && pivot < finest
                    {
                        basis.push((pivot, v));
                    }
                }
                basis
            })
            .collect();
        Basis { echelon }
    }

    /// Whether `v` is in the span modulo every prime (so, as far as exact
    /// arithmetic can tell, over the rationals).
    fn contains(&self, v: &[u8]) -> bool {
        PRIMES.iter().zip(&self.echelon).all(|(&p, basis)| {
            let v: Vec<u64> = v.iter().map(|&x| u64::from(x)).collect();
            reduce(basis, v, p).is_none()
        })
    }
}

/// Reduces `v` by the basis modulo `p`; returns its pivot and the reduced,
/// normalised vector, or `None` if it reduces to zero.
fn reduce(basis: &[(usize, Vec<u64>)], mut v: Vec<u64>, p: u64) -> Option<(usize, Vec<u64>)> {
    for (pivot, b) in basis {
        let f = v[*pivot];
        if f != 0 {
            for (x, y) in v.iter_mut().zip(b) {
                *x = (*x + p - mul_mod(f, *y, p)) % p;
            }
        }
    }
    let pivot = v.iter().position(|&x| x != 0)?;
    let inv = inv_mod(v[pivot], p);
    for x in &mut v {
        *x = mul_mod(*x, inv, p);
    }
    Some((pivot, v))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group(cells: &[usize], n: u64, small: bool) -> Group {
        Group {
            cells: cells.to_vec(),
            n,
            small,
            reference: false,
        }
    }

    #[test]
    fn a_lone_small_group_gets_a_complement() {
        // Four groups of one attribute; the overall total is published.
        let g = vec![
            group(&[0], 500, false),
            group(&[1], 300, false),
            group(&[2], 40, false),
            group(&[3], 11, true),
        ];
        let out = withhold(4, &[g]);
        assert_eq!(
            out[0],
            [None, None, Some(Reason::Complementary), Some(Reason::Small)]
        );
    }

    #[test]
    fn intersections_are_protected_through_their_margins() {
        // race (3 levels) × sex (2): finest cells r*2 + s.
        let race = vec![
            group(&[0, 1], 600, false),
            group(&[2, 3], 400, false),
            group(&[4, 5], 20, true),
        ];
        let sex = vec![group(&[0, 2, 4], 520, false), group(&[1, 3, 5], 500, false)];
        let inter = vec![
            group(&[0], 300, false),
            group(&[1], 300, false),
            group(&[2], 200, false),
            group(&[3], 200, false),
            group(&[4], 12, true),
            group(&[5], 8, true),
        ];
        let out = withhold(6, &[race, sex, inter]);
        // Every suppressed group's vector must be outside the published span.
        let groupings = [
            vec![vec![0, 1], vec![2, 3], vec![4, 5]],
            vec![vec![0, 2, 4], vec![1, 3, 5]],
            vec![vec![0], vec![1], vec![2], vec![3], vec![4], vec![5]],
        ];
        let mut rows = vec![vec![1u8; 6]];
        for (gi, g) in groupings.iter().enumerate() {
            for (i, cells) in g.iter().enumerate() {
                if out[gi][i].is_none() {
                    rows.push(indicator(6, cells));
                }
            }
        }
        let basis = Basis::of(6, &rows);
        for (gi, g) in groupings.iter().enumerate() {
            for (i, cells) in g.iter().enumerate() {
                if out[gi][i].is_some() {
                    assert!(!basis.contains(&indicator(6, cells)), "{gi}/{i}");
                }
            }
        }
        assert!(out[0][2].is_some() && out[2][4].is_some() && out[2][5].is_some());
    }
}
