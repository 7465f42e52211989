//! The layers of `src/` point one way (issue 11, "One-way layers and
//! pluggable analyses"): a file or folder directly under `src/` is one
//! layer, and no import may close a cycle between layers. The test also
//! holds the layers to the documented order (docs/architecture.md), so a
//! new import that points the wrong way fails here, with the file that
//! made it, before it can grow into a cycle.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::harness::root;

/// The layers, lowest first: a layer may import only layers listed before
/// it (or itself). `lib.rs` and `main.rs` sit above all of them.
const ORDER: &[&str] = &[
    "error", "number", "file", "value", "metric", "spec", "input", "cohort", "group", "count",
    "stats", "results", "analysis", "judge", "plan", "audit", "report", "pack", "synth", "cli",
];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The layer of a file: its first path component under `src/`.
fn layer_of(src: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(src).unwrap();
    let first = rel
        .components()
        .next()
        .unwrap()
        .as_os_str()
        .to_string_lossy();
    first.trim_end_matches(".rs").to_string()
}

/// Code outside `#[cfg(test)]` modules. Doc comments count: an
/// intra-doc link to a higher layer points the wrong way too.
fn code(text: &str) -> String {
    text.split("#[cfg(test)]").next().unwrap_or("").to_string()
}

/// Every layer named after `crate::` in `code`, including grouped imports
/// (`use crate::{a::X, b::Y}`).
fn imported_layers(code: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut rest = code;
    while let Some(at) = rest.find("crate::") {
        rest = &rest[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            // Top-level names of a grouped import, up to its closing brace.
            let mut depth = 1;
            let mut end = group.len();
            for (i, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' => {
                        depth -= 1;
                        if depth == 0 {
                            end = i;
                            break;
                        }
                    }
                    _ => {}
                }
            }
            let inner = &group[..end];
            let mut depth = 0;
            let mut start = true;
            let mut name = String::new();
            for c in inner.chars() {
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        start = true;
                        if !name.is_empty() {
                            out.insert(std::mem::take(&mut name));
                        }
                        continue;
                    }
                    _ => {}
                }
                if depth == 0 && start {
                    if c.is_ascii_alphanumeric() || c == '_' {
                        name.push(c);
                    } else if !name.is_empty() || !c.is_whitespace() {
                        start = false;
                        if !name.is_empty() {
                            out.insert(std::mem::take(&mut name));
                        }
                    }
                }
            }
            if !name.is_empty() {
                out.insert(name);
            }
        } else {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                out.insert(name);
            }
        }
    }
    out
}

fn edges() -> BTreeMap<String, BTreeMap<String, Vec<String>>> {
    let src = root().join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let layers: BTreeSet<String> = files.iter().map(|f| layer_of(&src, f)).collect();
    let mut out: BTreeMap<String, BTreeMap<String, Vec<String>>> = BTreeMap::new();
    for f in &files {
        let from = layer_of(&src, f);
        if from == "lib" || from == "main" {
            continue;
        }
        let text = std::fs::read_to_string(f).unwrap();
        for to in imported_layers(&code(&text)) {
            if to != from && layers.contains(&to) {
                out.entry(from.clone())
                    .or_default()
                    .entry(to)
                    .or_default()
                    .push(f.strip_prefix(&src).unwrap().display().to_string());
            }
        }
    }
    out
}

#[test]
fn imports_between_layers_point_one_way() {
    let edges = edges();
    let rank = |l: &str| ORDER.iter().position(|x| *x == l);
    let mut wrong = Vec::new();
    for (from, tos) in &edges {
        let Some(rf) = rank(from) else {
            wrong.push(format!(
                "`src/{from}` is not a known layer: add it to ORDER in tests/all/layers.rs and to docs/architecture.md"
            ));
            continue;
        };
        for (to, files) in tos {
            match rank(to) {
                Some(rt) if rt < rf => {}
                _ => wrong.push(format!(
                    "`{from}` imports `{to}` (in {}), but `{to}` is not below `{from}`",
                    files.join(", ")
                )),
            }
        }
    }
    assert!(wrong.is_empty(), "layer violations:\n{}", wrong.join("\n"));
}

#[test]
fn the_graph_holds_the_imports_it_should() {
    // A parser that saw nothing would pass every order: check known edges.
    let e = edges();
    for (from, to) in [("count", "input"), ("audit", "plan"), ("report", "results")] {
        assert!(
            e.get(from).is_some_and(|t| t.contains_key(to)),
            "expected `{from}` to import `{to}`"
        );
    }
}

#[test]
fn the_import_parser_sees_grouped_imports() {
    let found = imported_layers(
        "use crate::{error::{Error, Result}, value::Cell};\nlet x = crate::stats::wilson(1.0);",
    );
    let want: BTreeSet<String> = ["error", "value", "stats"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    assert_eq!(found, want);
}
