//! The shape of `audit.toml`, read from the serde types themselves, so
//! that unknown and missing keys are found in the parser's spanned tree and
//! named with their line — with no hand-kept list of key names to drift.
//!
//! Which table holds which type is written once below ([`table_fields`]);
//! the key names of each table come from its type's `Deserialize` (every
//! raw type denies unknown fields, so its derive lists its fields).

use std::ops::Range;

use serde::Deserialize;
use serde::de::{self, Deserializer, Visitor};
use toml::de::{DeTable, DeValue};

use super::raw::{
    AttributeSpec, AuditSpec, CohortSpec, InputSpec, LabelSpec, PolicySpec, PredictionSpec,
    ToleranceSpec, UncertaintySpec, WeightSpec, WordingSpec,
};
use crate::error::{Error, Position, Result, nearest_names};

/// A deserializer that only records the field names a struct asks for.
struct Fields(Option<&'static [&'static str]>);

impl<'de> Deserializer<'de> for &mut Fields {
    type Error = de::value::Error;

    fn deserialize_any<V: Visitor<'de>>(self, _: V) -> std::result::Result<V::Value, Self::Error> {
        Err(de::Error::custom("not a struct"))
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        _visitor: V,
    ) -> std::result::Result<V::Value, Self::Error> {
        self.0 = Some(fields);
        Err(de::Error::custom("fields recorded"))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq tuple
        tuple_struct map enum identifier ignored_any
    }
}

/// The field names of a raw spec type.
fn fields_of<'de, T: Deserialize<'de>>() -> &'static [&'static str] {
    let mut f = Fields(None);
    let _ = T::deserialize(&mut f);
    f.0.unwrap_or(&[])
}

/// What a key of the spec holds.
enum Shape {
    /// A table with these keys.
    Table(&'static [&'static str]),
    /// A table whose keys are the user's (e.g. `relabel`).
    FreeTable,
    /// Anything else (a value, an array of values).
    Value,
}

/// The shape of the value at `path` (table names joined with `.`; arrays of
/// tables by their name).
fn table_fields(path: &str) -> Shape {
    match path {
        "" => Shape::Table(fields_of::<AuditSpec>()),
        "input" => Shape::Table(fields_of::<InputSpec>()),
        "truth" => Shape::Table(fields_of::<LabelSpec>()),
        "prediction" => Shape::Table(fields_of::<PredictionSpec>()),
        "weight" => Shape::Table(fields_of::<WeightSpec>()),
        "cohort" => Shape::Table(fields_of::<CohortSpec>()),
        "attributes" => Shape::Table(fields_of::<AttributeSpec>()),
        "uncertainty" => Shape::Table(fields_of::<UncertaintySpec>()),
        "policy" => Shape::Table(fields_of::<PolicySpec>()),
        "policy.tolerance" => Shape::Table(fields_of::<ToleranceSpec>()),
        "wording" => Shape::Table(fields_of::<WordingSpec>()),
        "intersection_reference" | "attributes.relabel" | "policy.tolerances" => Shape::FreeTable,
        p if p.starts_with("policy.tolerances.") => Shape::Table(fields_of::<ToleranceSpec>()),
        _ => Shape::Value,
    }
}

/// The keys every spec (or every table of a kind) must have.
const REQUIRED: &[(&str, &str)] = &[
    ("", "input"),
    ("", "truth"),
    ("", "prediction"),
    ("truth", "column"),
    ("weight", "column"),
    ("attributes", "column"),
];

/// How a table is written in TOML, for messages.
fn header(path: &str) -> String {
    match path {
        "" => "the top level".to_string(),
        "attributes" => "[[attributes]]".to_string(),
        p => format!("[{p}]"),
    }
}

/// Checks the keys of `table` (at `path`, whose header is at `span`) and of
/// every table inside it; `at` turns a span into a position.
pub(super) fn check_keys(
    table: &DeTable<'_>,
    path: &str,
    span: Option<Range<usize>>,
    at: &dyn Fn(Option<Range<usize>>) -> Position,
) -> Result<()> {
    let allowed = match table_fields(path) {
        Shape::Table(f) => Some(f),
        Shape::FreeTable => None,
        Shape::Value => return Ok(()),
    };
    if let Some(allowed) = allowed {
        // The first unknown key in the file, not in the map's order.
        if let Some((key, span)) = table
            .iter()
            .filter(|(k, _)| !allowed.contains(&k.get_ref().as_ref()))
            .map(|(k, _)| (k.get_ref().to_string(), k.span()))
            .min_by_key(|(_, span)| span.start)
        {
            return Err(unknown_key(&key, path, allowed, at(Some(span))));
        }
        for (_, key) in REQUIRED.iter().filter(|(t, _)| *t == path) {
            if !table.iter().any(|(k, _)| k.get_ref().as_ref() == *key) {
                return Err(Error::toml(
                    at(span.clone()),
                    format!("{} has no `{key}` key", header(path)),
                )
                .with_hint(format!(
                    "add `{key} = ...` under {}; `fairaudit run --help` shows a complete example",
                    header(path)
                )));
            }
        }
    }
    for (k, v) in table.iter() {
        let child = if path.is_empty() {
            k.get_ref().to_string()
        } else {
            format!("{path}.{}", k.get_ref())
        };
        match v.get_ref() {
            DeValue::Table(t) => check_keys(t, &child, Some(k.span()), at)?,
            DeValue::Array(items) => {
                for item in items.iter() {
                    if let DeValue::Table(t) = item.get_ref() {
                        check_keys(t, &child, Some(item.span()), at)?;
                    }
                }
            }
            _ => {}
        }
    }
    Ok(())
}

fn unknown_key(key: &str, path: &str, allowed: &[&str], position: Position) -> Error {
    let top = fields_of::<AuditSpec>();
    let err = Error::toml(
        position,
        format!("unknown field `{key}` in {}", header(path)),
    );
    if !path.is_empty() && top.contains(&key) {
        return err.with_hint(format!(
            "`{key}` is a top-level key: in TOML, keys after a [table] header belong to that table, so write `{key}` above the first [table] (or [[attributes]]) header"
        ));
    }
    let names: Vec<String> = allowed.iter().map(|s| s.to_string()).collect();
    match nearest_names(key, &names, 1).first() {
        Some(n) => err.with_hint(format!(
            "did you mean `{n}`? The keys of {} are: {}",
            header(path),
            allowed.join(", ")
        )),
        None => err.with_hint(format!(
            "the keys of {} are: {}",
            header(path),
            allowed.join(", ")
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fields_come_from_the_types() {
        let top = fields_of::<AuditSpec>();
        for k in ["title", "seed", "input", "truth", "attributes", "policy"] {
            assert!(top.contains(&k), "{k} in {top:?}");
        }
        assert!(fields_of::<AttributeSpec>().contains(&"reference_rule"));
        // Every table-valued top-level key has a shape: a new table in the
        // raw types without a line in `table_fields` would pass unchecked.
        for k in top {
            let table = matches!(
                *k,
                "input"
                    | "truth"
                    | "prediction"
                    | "weight"
                    | "cohort"
                    | "attributes"
                    | "uncertainty"
                    | "policy"
                    | "wording"
                    | "intersection_reference"
            );
            assert_eq!(
                table,
                !matches!(table_fields(k), Shape::Value),
                "the shape of `{k}`"
            );
        }
    }
}
