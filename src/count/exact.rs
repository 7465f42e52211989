//! [`Exact`]: a sum of reals that is exact and independent of the order of
//! addition, over the whole range of values an audit accepts.
//!
//! A 256-bit two's-complement integer in units of 2⁻¹⁶⁰ (so ±2⁹⁵ in all).
//! Every finite `f64` whose lowest significant bit is at least 2⁻¹⁶⁰ — every
//! value of magnitude 2⁻¹⁰⁷ (≈ 6 × 10⁻³³) or more — is represented exactly;
//! bits below 2⁻¹⁶⁰ of smaller values are truncated toward zero, the same way
//! whatever the order, so sums stay order-independent. Addition is integer
//! addition (checked for overflow), so shards, threads and engines merge to
//! the same bits.
//!
//! What that buys an audit: sample weights are accepted in
//! [`MIN_WEIGHT`]`..=`[`MAX_WEIGHT`] (and 0). For every such weight `w`, both
//! `w` and the rounded square `fl(w·w)` are exact in these units, and 2⁵⁰ rows
//! at the largest weight still fit: so Σw and Σw² (Kish's effective sample
//! size) are exact, and multiplying every weight by a power of ten changes
//! no ratio, interval or test beyond the last bit of one division. Score sums
//! (Σw·s, Σw·s²) use the same type.

use std::fmt;
use std::ops::AddAssign;
use std::str::FromStr;

/// The smallest positive sample weight accepted: 10⁻¹².
pub const MIN_WEIGHT: f64 = 1e-12;

/// The largest sample weight accepted: 10⁶.
pub const MAX_WEIGHT: f64 = 1e6;

/// Bits below the binary point.
const FRACTION_BITS: i32 = 160;

/// An exact, order-independent sum (see the module docs).
#[derive(Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Exact {
    /// Little-endian limbs of a two's-complement 256-bit integer.
    limbs: [u64; 4],
}

impl Exact {
    /// Zero.
    pub const ZERO: Exact = Exact { limbs: [0; 4] };

    fn is_negative(&self) -> bool {
        self.limbs[3] >> 63 == 1
    }

    fn negate(mut self) -> Exact {
        let mut carry = 1u64;
        for l in &mut self.limbs {
            let (v, c) = (!*l).overflowing_add(carry);
            *l = v;
            carry = u64::from(c);
        }
        self
    }

    /// `self + other`, or `None` if the sum leaves the range ±2⁹⁵.
    pub fn checked_add(self, other: Exact) -> Option<Exact> {
        let mut out = [0u64; 4];
        let mut carry = 0u64;
        for (i, o) in out.iter_mut().enumerate() {
            let (a, c1) = self.limbs[i].overflowing_add(other.limbs[i]);
            let (b, c2) = a.overflowing_add(carry);
            *o = b;
            carry = u64::from(c1) + u64::from(c2);
        }
        let r = Exact { limbs: out };
        // Signed overflow: both operands of one sign, the result of the other.
        if self.is_negative() == other.is_negative() && r.is_negative() != self.is_negative() {
            None
        } else {
            Some(r)
        }
    }

    /// The exact value of `x` in these units (bits below 2⁻¹⁶⁰ truncated
    /// toward zero), or `None` if `x` is not finite or its magnitude is
    /// 2⁹⁴ or more.
    pub fn from_f64(x: f64) -> Option<Exact> {
        if !x.is_finite() || x.abs() >= 2f64.powi(94) {
            return None;
        }
        if x == 0.0 {
            return Some(Exact::ZERO);
        }
        let bits = x.to_bits();
        let exp_bits = ((bits >> 52) & 0x7ff) as i32;
        let frac = bits & ((1u64 << 52) - 1);
        // x = mantissa · 2^exp, mantissa an integer below 2^53.
        let (mantissa, exp) = if exp_bits == 0 {
            (frac, -1074)
        } else {
            (frac | (1u64 << 52), exp_bits - 1075)
        };
        let shift = exp + FRACTION_BITS;
        let magnitude = if shift >= 0 {
            shl(mantissa, shift as u32)
        } else if shift > -64 {
            shl(mantissa >> (-shift) as u32, 0)
        } else {
            Exact::ZERO
        };
        Some(if x < 0.0 {
            magnitude.negate()
        } else {
            magnitude
        })
    }

    /// The nearest `f64` (rounded to nearest, ties to even: one rounding).
    pub fn to_f64(self) -> f64 {
        let negative = self.is_negative();
        let m = if negative { self.negate() } else { self };
        let Some(top) = (0..4).rev().find(|&i| m.limbs[i] != 0) else {
            return 0.0;
        };
        let lead = 63 - m.limbs[top].leading_zeros() as i32 + 64 * top as i32;
        // The 64 bits from the leading one down, with a sticky bit for any
        // one below them, round correctly in `u64 as f64`.
        let lowest = lead - 63;
        let mut window = bits_at(&m, lowest);
        if lowest > 0 && below_nonzero(&m, lowest) {
            window |= 1;
        }
        let value = window as f64 * 2f64.powi(lowest - FRACTION_BITS);
        if negative { -value } else { value }
    }

    /// The value as a decimal integer in units of 2⁻¹⁶⁰ (the count-table
    /// file format's exact columns).
    pub fn to_units_string(self) -> String {
        let negative = self.is_negative();
        let mut m = if negative { self.negate() } else { self }.limbs;
        if m == [0; 4] {
            return "0".to_string();
        }
        let mut digits = Vec::new();
        while m != [0; 4] {
            // Divide by 10^19 (the largest power of ten in a u64).
            let mut rem: u128 = 0;
            for l in m.iter_mut().rev() {
                let cur = (rem << 64) | u128::from(*l);
                *l = (cur / 10_000_000_000_000_000_000u128) as u64;
                rem = cur % 10_000_000_000_000_000_000u128;
            }
            digits.push(rem as u64);
        }
        let mut s = String::new();
        if negative {
            s.push('-');
        }
        let mut parts = digits.iter().rev();
        if let Some(first) = parts.next() {
            s.push_str(&first.to_string());
        }
        for p in parts {
            s.push_str(&format!("{p:019}"));
        }
        s
    }

    /// The value of a decimal integer in units of 2⁻¹⁶⁰.
    pub fn from_units_str(s: &str) -> Option<Exact> {
        let s = s.trim();
        let (negative, digits) = match s.strip_prefix('-') {
            Some(d) => (true, d),
            None => (false, s.strip_prefix('+').unwrap_or(s)),
        };
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let mut m = [0u64; 4];
        for d in digits.bytes() {
            let mut carry = u128::from(d - b'0');
            for l in &mut m {
                let cur = u128::from(*l) * 10 + carry;
                *l = cur as u64;
                carry = cur >> 64;
            }
            if carry != 0 || m[3] >> 63 == 1 {
                return None;
            }
        }
        let e = Exact { limbs: m };
        Some(if negative { e.negate() } else { e })
    }

    /// The value of an integer in units of 2⁻⁶⁴ (count-table format 1).
    pub fn from_units_64(x: i128) -> Exact {
        // x · 2^96: shift the 128-bit value up by 96 bits, sign-extended.
        let lo = x as u128;
        let fill = if x < 0 { u64::MAX } else { 0 };
        let mut limbs = [0u64, fill, fill, fill];
        limbs[1] = (lo << 32) as u64;
        limbs[2] = (lo >> 32) as u64;
        limbs[3] = if x < 0 {
            ((lo >> 96) as u64) | (u64::MAX << 32)
        } else {
            (lo >> 96) as u64
        };
        Exact { limbs }
    }

    /// An exact whole number.
    pub fn from_count(n: u64) -> Exact {
        shl(n, FRACTION_BITS as u32)
    }
}

/// `v · 2^shift` as an `Exact` (non-negative; `shift` < 256 − 64).
fn shl(v: u64, shift: u32) -> Exact {
    let mut limbs = [0u64; 4];
    let (word, bit) = ((shift / 64) as usize, shift % 64);
    if word < 4 {
        limbs[word] = v << bit;
        if bit > 0 && word + 1 < 4 {
            limbs[word + 1] = v >> (64 - bit);
        }
    }
    Exact { limbs }
}

/// The 64 bits of `m` from bit `lowest` up (bits below 0 read as zero).
fn bits_at(m: &Exact, lowest: i32) -> u64 {
    if lowest <= 0 {
        return m.limbs[0] << (-lowest) as u32;
    }
    let (word, bit) = ((lowest / 64) as usize, (lowest % 64) as u32);
    let lo = m.limbs[word] >> bit;
    let hi = if bit > 0 && word + 1 < 4 {
        m.limbs[word + 1] << (64 - bit)
    } else {
        0
    };
    lo | hi
}

/// Whether any bit of `m` below bit `lowest` is set.
fn below_nonzero(m: &Exact, lowest: i32) -> bool {
    let (word, bit) = ((lowest / 64) as usize, (lowest % 64) as u32);
    m.limbs[..word].iter().any(|&l| l != 0) || (bit > 0 && m.limbs[word] & ((1u64 << bit) - 1) != 0)
}

impl AddAssign for Exact {
    /// Adds exactly. Sums within an audit stay far inside the range (the
    /// scan bounds every value and checks its totals), so an overflow here
    /// saturates rather than wraps.
    fn add_assign(&mut self, other: Exact) {
        *self = self.checked_add(other).unwrap_or(if other.is_negative() {
            Exact::min_value()
        } else {
            Exact::max_value()
        });
    }
}

impl Exact {
    fn max_value() -> Exact {
        Exact {
            limbs: [u64::MAX, u64::MAX, u64::MAX, u64::MAX >> 1],
        }
    }

    fn min_value() -> Exact {
        Exact {
            limbs: [0, 0, 0, 1 << 63],
        }
    }
}

impl fmt::Debug for Exact {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Exact({})", self.to_f64())
    }
}

impl FromStr for Exact {
    type Err = ();
    fn from_str(s: &str) -> Result<Exact, ()> {
        Exact::from_units_str(s).ok_or(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn sum(xs: &[f64]) -> Exact {
        let mut s = Exact::ZERO;
        for &x in xs {
            s += Exact::from_f64(x).unwrap();
        }
        s
    }

    #[test]
    fn single_values_round_trip_exactly() {
        for x in [
            0.0, 1.0, -1.0, 0.1, 1e-9, 1e-10, 1e-12, 1e-20, 1e-30, 1e6, 1e12, 123456.789, 0.5,
            -3.75, 5e-324,
        ] {
            let e = Exact::from_f64(x).unwrap();
            if x.abs() >= 2f64.powi(-107) || x == 0.0 {
                assert_eq!(e.to_f64(), x, "{x}");
            }
            assert_eq!(Exact::from_units_str(&e.to_units_string()), Some(e), "{x}");
        }
        assert_eq!(Exact::from_f64(f64::NAN), None);
        assert_eq!(Exact::from_f64(f64::INFINITY), None);
        assert_eq!(Exact::from_f64(2f64.powi(94)), None);
    }

    #[test]
    fn tiny_weights_and_their_squares_are_exact() {
        // The case: weights near 1e-9 and 1e-10, and their squares.
        let w = [1e-9, 1.1e-9, 1e-10, 3.3e-10, MIN_WEIGHT];
        for &x in &w {
            let sq = x * x;
            assert_eq!(Exact::from_f64(sq).unwrap().to_f64(), sq, "{x}");
        }
        // Scaling every weight by 2^-30 scales the sums exactly.
        let xs = [0.3, 1.7, 2.2, 0.001, 5.0];
        let a = sum(&xs).to_f64();
        let b = sum(&xs.map(|x| x * 2f64.powi(-30))).to_f64();
        assert_eq!(a * 2f64.powi(-30), b);
    }

    #[test]
    fn counts_and_format_one_units_convert() {
        assert_eq!(Exact::from_count(6172).to_f64(), 6172.0);
        assert_eq!(Exact::from_units_64(1 << 64).to_f64(), 1.0);
        assert_eq!(Exact::from_units_64(-(3 << 63)).to_f64(), -1.5);
        assert_eq!(Exact::from_units_64(1).to_f64(), 2f64.powi(-64));
    }

    #[test]
    fn overflow_is_detected() {
        let big = Exact::from_f64(2f64.powi(93)).unwrap();
        let s = big.checked_add(big).unwrap();
        assert_eq!(s.checked_add(s), None);
        assert!(big.negate().checked_add(big).unwrap() == Exact::ZERO);
    }

    #[test]
    fn rounding_is_to_nearest_even() {
        // 1 + 2^-53 is a tie between 1 and 1 + 2^-52: rounds to 1 (even).
        let mut s = Exact::from_f64(1.0).unwrap();
        s += Exact::from_f64(2f64.powi(-53)).unwrap();
        assert_eq!(s.to_f64(), 1.0);
        // A little more than the tie rounds up.
        s += Exact::from_f64(2f64.powi(-100)).unwrap();
        assert_eq!(s.to_f64(), 1.0 + 2f64.powi(-52));
    }

    proptest! {
        #[test]
        fn sums_do_not_depend_on_order(
            xs in prop::collection::vec(
                prop_oneof![1e-12f64..1e-6, 1e-6f64..1.0, 1.0f64..1e6, -1e6f64..1e6],
                1..60,
            ),
            seed in any::<u64>(),
        ) {
            let forward = sum(&xs);
            let mut ys = xs.clone();
            // A deterministic shuffle.
            let mut s = seed | 1;
            for i in (1..ys.len()).rev() {
                s ^= s << 13; s ^= s >> 7; s ^= s << 17;
                ys.swap(i, (s % (i as u64 + 1)) as usize);
            }
            prop_assert_eq!(forward, sum(&ys));
            // Split into two shards and merge.
            let (a, b) = ys.split_at(ys.len() / 2);
            let merged = sum(a).checked_add(sum(b)).unwrap();
            prop_assert_eq!(forward, merged);
            prop_assert_eq!(Exact::from_units_str(&forward.to_units_string()), Some(forward));
        }

        #[test]
        fn the_sum_of_two_is_the_correctly_rounded_sum(a in -1e6f64..1e6, b in -1e6f64..1e6) {
            // For two doubles, the correctly rounded sum is a + b in f64.
            let s = Exact::from_f64(a).unwrap().checked_add(Exact::from_f64(b).unwrap()).unwrap();
            prop_assert_eq!(s.to_f64(), a + b);
        }
    }
}
