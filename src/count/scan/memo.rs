//! Per-batch memory of what the scan made of each distinct value: a label
//! column's classes, an attribute's group ids, a filter's outcomes, so that
//! a value repeated on a million rows is classified once; and the packing
//! of a row's group key into one integer.

use std::collections::HashMap;

use crate::cohort::LabelRule;
use crate::group::MAX_ATTRIBUTES;
use crate::input::{NULL_KEY, Rows};
use crate::value::Cell;

/// The most distinct values of one attribute within one batch. Any more is
/// an error anyway (an audit allows [`MAX_LEVELS`] in all), and the bound
/// lets a row's group key pack into one integer (see [`PackedKey`]).
pub(super) const BATCH_LEVELS: usize = (1 << 14) - 1;

/// The id of a missing attribute value within a batch.
pub(super) const MISSING_ID: u16 = BATCH_LEVELS as u16;

/// A row's cell within a batch, packed into one integer (14 bits per
/// attribute id, then the truth and the prediction): an integer key hashes
/// and compares faster than a struct. Audits of up to four attributes use a
/// `u64`, larger ones a `u128`.
pub(super) trait PackedKey: Copy + Eq + std::hash::Hash {
    /// Packs the attribute ids, the truth and the prediction.
    fn pack(ids: &[u16], truth: bool, pred: bool) -> Self;
    fn unpack(self, nattr: usize) -> ([u16; MAX_ATTRIBUTES], bool, bool);
}

macro_rules! packed_key {
    ($t:ty) => {
        impl PackedKey for $t {
            #[inline]
            fn pack(ids: &[u16], truth: bool, pred: bool) -> $t {
                let mut k: $t = 0;
                for &id in ids {
                    k = (k << 14) | <$t>::from(id);
                }
                (k << 2) | (<$t>::from(truth) << 1) | <$t>::from(pred)
            }

            fn unpack(self, nattr: usize) -> ([u16; MAX_ATTRIBUTES], bool, bool) {
                let mut ids = [0u16; MAX_ATTRIBUTES];
                let mut rest = self >> 2;
                for j in (0..nattr).rev() {
                    ids[j] = (rest & 0x3fff) as u16;
                    rest >>= 14;
                }
                (ids, self & 2 != 0, self & 1 != 0)
            }
        }
    };
}

packed_key!(u64);
packed_key!(u128);

pub(super) type FastMap<K, V> = HashMap<K, V, ahash::RandomState>;

/// The hasher of the scan's per-batch maps. `ahash` is already compiled in
/// (Arrow uses it), is among the fastest for short keys, and fixed seeds
/// keep runs reproducible; hash-flooding resistance does not matter for
/// maps that live for one batch and never reach an output.
pub(super) fn fast_map<K, V>() -> FastMap<K, V> {
    HashMap::with_hasher(ahash::RandomState::with_seeds(
        0x5eed_0001,
        0x5eed_0002,
        0x5eed_0003,
        0x5eed_0004,
    ))
}

/// Remembers, within one batch, what the scan made of each distinct text
/// of a column (a group id, a label class, a filter outcome), so that a
/// value repeated on a million rows is classified once, not a million
/// times. A handful of values are searched linearly (faster than hashing
/// for the usual few groups); beyond that a hash map takes over, up to
/// `cap` entries, after which new texts are simply not remembered.
pub(super) struct TextMemo<V> {
    small: Vec<(Box<str>, V)>,
    map: FastMap<Box<str>, V>,
    cap: usize,
}

pub(super) const SMALL_MEMO: usize = 8;

impl<V: Copy> TextMemo<V> {
    pub(super) fn new(cap: usize) -> TextMemo<V> {
        TextMemo {
            small: Vec::new(),
            map: fast_map(),
            cap,
        }
    }

    #[inline]
    pub(super) fn get(&self, s: &str) -> Option<V> {
        if self.map.is_empty() {
            self.small
                .iter()
                .find(|(k, _)| eq_short(k.as_bytes(), s.as_bytes()))
                .map(|(_, v)| *v)
        } else {
            self.map.get(s).copied()
        }
    }

    pub(super) fn insert(&mut self, s: &str, v: V) {
        if self.map.is_empty() && self.small.len() < SMALL_MEMO {
            self.small.push((s.into(), v));
            return;
        }
        if self.map.is_empty() {
            for (k, v) in self.small.drain(..) {
                self.map.insert(k, v);
            }
        }
        if self.map.len() < self.cap {
            self.map.insert(s.into(), v);
        }
    }
}

/// Byte equality without a call to `memcmp` for the short texts that group
/// and label columns hold: two overlapping word loads per side.
#[inline]
pub(super) fn eq_short(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    fn word4(x: &[u8], at: usize) -> u32 {
        u32::from_le_bytes([x[at], x[at + 1], x[at + 2], x[at + 3]])
    }
    fn word8(x: &[u8], at: usize) -> u64 {
        let mut w = [0u8; 8];
        w.copy_from_slice(&x[at..at + 8]);
        u64::from_le_bytes(w)
    }
    match n {
        0 => true,
        1..=3 => a[0] == b[0] && a[n / 2] == b[n / 2] && a[n - 1] == b[n - 1],
        4..=8 => word4(a, 0) == word4(b, 0) && word4(a, n - 4) == word4(b, n - 4),
        9..=16 => word8(a, 0) == word8(b, 0) && word8(a, n - 8) == word8(b, n - 8),
        _ => a == b,
    }
}

/// The most distinct texts a filter or label memo remembers per batch
/// (more would cost memory for no gain on high-cardinality columns).
pub(super) const MEMO_CAP: usize = 4096;

/// A label cell's class; `Invalid` is re-examined on its row for the message.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Class {
    Positive,
    Negative,
    Invalid,
}

pub(super) fn class_of(rule: &LabelRule, cell: &Cell<'_>) -> Class {
    if rule.positive.iter().any(|l| l.matches(cell)) {
        Class::Positive
    } else if rule.negative.iter().any(|l| l.matches(cell)) {
        Class::Negative
    } else {
        Class::Invalid
    }
}

/// The classes of a label column's distinct values in one batch.
pub(super) struct ClassMemo {
    text: TextMemo<Class>,
    ints: Vec<(i64, Class)>,
}

impl ClassMemo {
    pub(super) fn new() -> ClassMemo {
        ClassMemo {
            text: TextMemo::new(MEMO_CAP),
            ints: Vec::new(),
        }
    }

    #[inline]
    pub(super) fn class(&mut self, rule: &LabelRule, cell: &Cell<'_>) -> Class {
        match *cell {
            Cell::Str(s) => match self.text.get(s) {
                Some(c) => c,
                None => {
                    let c = class_of(rule, cell);
                    self.text.insert(s, c);
                    c
                }
            },
            Cell::Int(i) => match self.ints.iter().find(|(k, _)| *k == i) {
                Some((_, c)) => *c,
                None => {
                    let c = class_of(rule, cell);
                    if self.ints.len() < SMALL_MEMO {
                        self.ints.push((i, c));
                    }
                    c
                }
            },
            other => class_of(rule, &other),
        }
    }
}

/// A non-text attribute value, as a memo key (its label is built only the
/// first time it is seen).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum OtherKey {
    Int(i64),
    Float(u64),
    Bool(bool),
}

/// The distinct values of one attribute in one batch: ids in order of
/// first appearance, keyed by label (so that `1` and `"1"` are one group).
pub(super) struct Levels {
    text: TextMemo<u16>,
    other: FastMap<OtherKey, u16>,
    by_label: FastMap<String, u16>,
    pub(super) labels: Vec<String>,
}

impl Levels {
    pub(super) fn new() -> Levels {
        Levels {
            text: TextMemo::new(usize::MAX),
            other: fast_map(),
            by_label: fast_map(),
            labels: Vec::new(),
        }
    }

    /// The id of a label, assigning the next one if it is new; `None` when
    /// the batch already holds [`BATCH_LEVELS`] distinct values.
    fn id_of_label(&mut self, label: String) -> Option<u16> {
        if let Some(&id) = self.by_label.get(&label) {
            return Some(id);
        }
        if self.labels.len() >= BATCH_LEVELS {
            return None;
        }
        let id = self.labels.len() as u16;
        self.labels.push(label.clone());
        self.by_label.insert(label, id);
        Some(id)
    }

    #[inline]
    pub(super) fn id(&mut self, cell: &Cell<'_>) -> Option<u16> {
        match *cell {
            Cell::Missing => Some(MISSING_ID),
            Cell::Str(s) => match self.text.get(s) {
                Some(id) => Some(id),
                None => {
                    let id = self.id_of_label(s.to_string())?;
                    self.text.insert(s, id);
                    Some(id)
                }
            },
            other => {
                let key = match other {
                    Cell::Int(i) => OtherKey::Int(i),
                    Cell::Float(f) => OtherKey::Float(f.to_bits()),
                    _ => OtherKey::Bool(matches!(other, Cell::Bool(true))),
                };
                if let Some(&id) = self.other.get(&key) {
                    return Some(id);
                }
                let id = self.id_of_label(other.to_label().unwrap_or_default())?;
                self.other.insert(key, id);
                Some(id)
            }
        }
    }
}

/// What the scan made of each value of a dictionary-encoded column in one
/// batch, by dictionary key: rows with the same key hold the same value, so
/// it is classified once, without even comparing text.
pub(super) struct KeyCache<'b, V> {
    keys: &'b [u32],
    slots: Vec<Option<V>>,
}

impl<'b, V: Copy> KeyCache<'b, V> {
    pub(super) fn of<B: Rows>(batch: &'b B, col: usize) -> Option<KeyCache<'b, V>> {
        batch.dictionary_keys(col).map(|(keys, n)| KeyCache {
            keys,
            slots: vec![None; n],
        })
    }
}

/// The value for row `r`: from the cache when the column is dictionary
/// encoded and the key was seen, else computed (and remembered).
#[inline]
pub(super) fn cached<V: Copy>(
    cache: &mut Option<KeyCache<'_, V>>,
    r: usize,
    compute: impl FnOnce() -> V,
) -> V {
    let Some(c) = cache else { return compute() };
    let k = c.keys[r];
    if k == NULL_KEY {
        return compute();
    }
    match c.slots[k as usize] {
        Some(v) => v,
        None => {
            let v = compute();
            c.slots[k as usize] = Some(v);
            v
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packed_keys_round_trip() {
        let ids = [0, 1, MISSING_ID, 9, 16_000, 2, 3, MISSING_ID];
        for (t, p) in [(false, false), (true, false), (false, true), (true, true)] {
            let k = <u128 as PackedKey>::pack(&ids, t, p);
            assert_eq!(k.unpack(8), (ids, t, p));
            let k = <u64 as PackedKey>::pack(&ids[..4], t, p);
            let (back, t2, p2) = k.unpack(4);
            assert_eq!((&back[..4], t2, p2), (&ids[..4], t, p));
        }
    }

    #[test]
    fn short_equality_is_equality() {
        let words = [
            "",
            "a",
            "ab",
            "abc",
            "abcd",
            "abcde",
            "White",
            "Whitf",
            "45+",
            "18-24",
            "25-34",
            "Not stated",
            "Not statee",
            "0123456789abcdef",
            "0123456789abcdeF",
            "0123456789abcdefg",
        ];
        for a in words {
            for b in words {
                assert_eq!(eq_short(a.as_bytes(), b.as_bytes()), a == b, "{a:?} {b:?}");
            }
        }
    }
}
