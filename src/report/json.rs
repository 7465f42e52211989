//! `results.json`: the results as pretty-printed JSON (see the crate docs
//! for the schema).

use crate::results::Results;

/// The results as JSON bytes, ending with a newline.
pub fn render(results: &Results) -> Vec<u8> {
    // Serialising plain structs, maps and finite numbers cannot fail.
    let mut out = serde_json::to_vec_pretty(results).unwrap_or_default();
    out.push(b'\n');
    out
}
