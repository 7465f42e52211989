//! The terminal summary: a few key metrics per group, with each group's
//! ratio to its reference, in fixed-width tables.

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{Cell, CellAlignment, ContentArrangement, Table};

use crate::report::format::{count, human};
use crate::results::{GroupResult, Results};

/// The metrics shown in the terminal (all of them are in the JSON and CSV).
pub const SHOWN: &[(&str, &str)] = &[
    ("selection_rate", "selected"),
    ("base_rate", "base rate"),
    ("fpr", "FPR"),
    ("fnr", "FNR"),
    ("ppv", "PPV"),
    ("accuracy", "accuracy"),
];

/// The ratios to the reference shown in the terminal.
pub const SHOWN_RATIOS: &[(&str, &str)] = &[
    ("selection_rate", "selected ×ref"),
    ("fpr", "FPR ×ref"),
    ("fnr", "FNR ×ref"),
];

fn row(label: &str, g: &GroupResult, with_ratios: bool) -> Vec<Cell> {
    let mut cells = vec![Cell::new(label)];
    if g.suppressed {
        cells.push(Cell::new("suppressed").set_alignment(CellAlignment::Right));
        for _ in 0..SHOWN.len() + if with_ratios { SHOWN_RATIOS.len() } else { 0 } {
            cells.push(Cell::new("·").set_alignment(CellAlignment::Center));
        }
        return cells;
    }
    cells.push(Cell::new(g.n.map(count).unwrap_or_default()).set_alignment(CellAlignment::Right));
    for (m, _) in SHOWN {
        cells.push(Cell::new(human(g.metric(m), 3)).set_alignment(CellAlignment::Right));
    }
    if with_ratios {
        for (m, _) in SHOWN_RATIOS {
            let text = if g.reference {
                "ref".to_string()
            } else {
                human(g.disparities.get(*m).and_then(|d| d.ratio), 2)
            };
            cells.push(Cell::new(text).set_alignment(CellAlignment::Right));
        }
    }
    cells
}

fn table(header: Vec<&str>) -> Table {
    let mut t = Table::new();
    t.load_style(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Disabled)
        .set_header(header);
    t
}

/// The terminal summary as text.
pub fn render(results: &Results) -> Vec<u8> {
    let mut out = String::new();
    let r = &results.rows;
    out.push_str(&format!("{}\n", results.audit.title));
    out.push_str(&format!(
        "rows: {} read, {} filtered out, {} rejected, {} used{}\n",
        count(r.read),
        count(r.filtered_out),
        count(r.rejected),
        count(r.used),
        if results.audit.weighted {
            " (metrics weighted)"
        } else {
            ""
        }
    ));
    out.push_str(&format!(
        "prediction: {}\ntruth: {}\n",
        results.audit.prediction, results.audit.truth
    ));
    let mut header = vec!["group", "n"];
    header.extend(SHOWN.iter().map(|(_, h)| *h));
    let mut t = table(header.clone());
    t.add_row(row("overall", &results.overall, false));
    out.push_str(&format!("\n{t}\n"));
    header.extend(SHOWN_RATIOS.iter().map(|(_, h)| *h));
    for g in &results.groupings {
        let reference = match &g.reference {
            Some(r) => format!("reference: {} ({})", r.group, r.rule),
            None => "no reference group".to_string(),
        };
        out.push_str(&format!("\n{} — {}\n", g.name, reference));
        let mut t = table(header.clone());
        for x in &g.groups {
            t.add_row(row(&x.label, x, g.reference.is_some()));
        }
        out.push_str(&format!("{t}\n"));
    }
    if !results.warnings.is_empty() {
        out.push_str("\nwarnings:\n");
        for w in &results.warnings {
            out.push_str(&format!("  - {w}\n"));
        }
    }
    out.into_bytes()
}
