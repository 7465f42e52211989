//! Checking a spec into a plan: every value typed, every name resolved,
//! every rule consistent, and every spec error raised here, with the key
//! that holds it and what to write instead.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::cohort::{Filter, LabelRule, OnInvalid, Prediction};
use crate::error::{Error, Result, nearest_names};
use crate::group::{Attribute, Grouping, MAX_ATTRIBUTES, MISSING_LABEL, ReferenceRule};
use crate::input::{ColumnRef, CsvOptions, Format, InputFile};
use crate::judge::coverage::EQUALITY_ACT;
use crate::judge::findings::Wording;
use crate::judge::policy::{DEFAULT_ALPHA, DEFAULT_RATIO_BAND, Policy, Tolerance};
use crate::metric::{Direction, Intervention, MetricId};
use crate::results::FailOn;
use crate::spec::{AuditSpec, PolicySpec, ToleranceSpec, UncertaintySpec};
use crate::stats::{Bootstrap, Correction, IntervalMethod, MAX_REPLICATES, Uncertainty};
use crate::value::Literal;

use super::{DEFAULT_MIN_GROUP_SIZE, Plan};

impl Plan {
    /// Checks the spec. Relative input paths resolve against `base_dir`
    /// (the spec file's folder).
    pub fn check(spec: &AuditSpec, base_dir: &Path) -> Result<Plan> {
        let (inputs, csv, on_invalid) = check_input(spec, base_dir)?;
        let truth = label_rule(
            &spec.truth.column,
            &spec.truth.positive,
            &spec.truth.negative,
            "truth",
        )?;
        let prediction = check_prediction(spec)?;
        let weight = spec.weight.as_ref().map(|w| ColumnRef {
            name: w.column.clone(),
            key: "weight.column".into(),
        });
        let mut filters = Vec::new();
        if let Some(c) = &spec.cohort {
            for (i, f) in c.filters.iter().enumerate() {
                let key = format!("cohort.filters[{i}]");
                filters.push((Filter::parse(f, &key)?, key));
            }
        }
        let (attributes, mut groupings) = check_attributes(spec)?;
        groupings.extend(check_intersections(spec, &attributes, &groupings)?);
        Ok(Plan {
            source: spec.clone(),
            title: spec
                .title
                .clone()
                .unwrap_or_else(|| "Fairness audit".to_string()),
            seed: spec.seed,
            inputs,
            csv,
            on_invalid,
            truth,
            prediction,
            weight,
            filters,
            attributes,
            groupings,
            min_group_size: check_min_group_size(spec)?,
            uncertainty: check_uncertainty(spec.uncertainty.as_ref(), spec.seed)?,
            policy: check_policy(spec.policy.as_ref())?,
            wording: wording(spec),
        })
    }
}

/// `[input]`: the files with their formats, CSV options, invalid rows.
fn check_input(
    spec: &AuditSpec,
    base_dir: &Path,
) -> Result<(Vec<InputFile>, CsvOptions, OnInvalid)> {
    let input = &spec.input;
    let mut raw_paths: Vec<(String, String)> = Vec::new();
    if let Some(p) = &input.path {
        raw_paths.push((p.clone(), "input.path".to_string()));
    }
    for (i, p) in input.paths.iter().enumerate() {
        raw_paths.push((p.clone(), format!("input.paths[{i}]")));
    }
    if raw_paths.is_empty() {
        return Err(Error::spec("input.path", "no input file is given")
            .with_hint("set `path = \"predictions.csv\"` (or `paths = [..]`) under [input]"));
    }
    let forced = match &input.format {
        None => None,
        Some(f) => Some(Format::from_name(f).ok_or_else(|| {
            Error::spec("input.format", format!("unknown format `{f}`"))
                .with_hint("use one of: csv, parquet, arrow, counts (a count table)")
        })?),
    };
    let mut inputs = Vec::new();
    for (p, key) in raw_paths {
        let path = resolve_path(base_dir, &p);
        let format = match forced {
            Some(f) => f,
            None => Format::from_path(&path).ok_or_else(|| {
                Error::spec(key, format!("cannot tell the format of `{p}` from its extension"))
                    .with_hint("use .csv, .csv.gz, .tsv, .parquet, .arrow, .ipc or .feather, or set `input.format`")
            })?,
        };
        inputs.push(InputFile {
            path,
            display: p.clone(),
            format,
        });
    }
    let mut csv = CsvOptions::default();
    if let Some(d) = &input.delimiter {
        csv.delimiter = parse_delimiter(d)?;
    }
    if let Some(m) = &input.missing {
        csv.missing = m.clone();
    }
    let on_invalid = match input.on_invalid.as_deref() {
        None | Some("error") => OnInvalid::Error,
        Some("reject") => OnInvalid::Reject,
        Some(other) => {
            return Err(Error::spec("input.on_invalid", format!("unknown value `{other}`"))
                .with_hint("use \"error\" (stop at the first invalid row) or \"reject\" (count invalid rows and go on)"));
        }
    };
    Ok((inputs, csv, on_invalid))
}

/// `[prediction]`: a label column, or a score column with a threshold.
fn check_prediction(spec: &AuditSpec) -> Result<Prediction> {
    let p = &spec.prediction;
    match (&p.column, &p.score) {
        (Some(_), Some(_)) => Err(Error::spec(
            "prediction",
            "both `column` (a label) and `score` (a score with a threshold) are set",
        )
        .with_hint("keep one: a label column with `positive` values, or a `score` column with a `threshold`")),
        (Some(col), None) => {
            if p.threshold.is_some() {
                return Err(Error::spec("prediction.threshold", "a threshold needs a `score` column, not a label `column`")
                    .with_hint("write `score = \"<column>\"` instead of `column = ..`, or remove the threshold"));
            }
            Ok(Prediction::Label(label_rule(
                col,
                &p.positive,
                &p.negative,
                "prediction",
            )?))
        }
        (None, Some(col)) => {
            if !p.positive.is_empty() || p.negative.is_some() {
                return Err(Error::spec(
                    "prediction.positive",
                    "positive/negative values apply to a label `column`, not to a `score`",
                )
                .with_hint("remove them, or use `column = ..` for a label column"));
            }
            let threshold = p.threshold.ok_or_else(|| {
                Error::spec("prediction.threshold", "a score column needs a threshold")
                    .with_hint("add e.g. `threshold = 0.5` (flagged when score >= threshold)")
            })?;
            if !threshold.is_finite() {
                return Err(Error::spec(
                    "prediction.threshold",
                    "the threshold must be a finite number",
                ));
            }
            Ok(Prediction::Threshold {
                column: ColumnRef {
                    name: col.clone(),
                    key: "prediction.score".into(),
                },
                threshold,
            })
        }
        (None, None) => Err(Error::spec("prediction", "no prediction is given")
            .with_hint("set `column` and `positive` (a label column) or `score` and `threshold` under [prediction]")),
    }
}

/// `[wording]`, with its defaults.
fn wording(spec: &AuditSpec) -> Wording {
    let w = spec.wording.clone().unwrap_or_default();
    Wording {
        outcome: w.outcome.unwrap_or_else(|| "had the outcome".to_string()),
        no_outcome: w
            .no_outcome
            .unwrap_or_else(|| "did not have the outcome".to_string()),
        flagged: w
            .flagged
            .unwrap_or_else(|| "flagged by the model".to_string()),
    }
}

/// `policy.min_group_size`, with its default.
fn check_min_group_size(spec: &AuditSpec) -> Result<u64> {
    match spec.policy.as_ref().and_then(|p| p.min_group_size) {
        None => Ok(DEFAULT_MIN_GROUP_SIZE),
        Some(m) if m < 0 => Err(Error::spec(
            "policy.min_group_size",
            format!("must be 0 or more, not {m}"),
        )
        .with_hint(
            "use 0 to publish every group, or e.g. 30 to suppress groups of fewer than 30 rows",
        )),
        Some(m) => Ok(m as u64),
    }
}

pub(super) fn check_attributes(this: &AuditSpec) -> Result<(Vec<Attribute>, Vec<Grouping>)> {
    if this.attributes.is_empty() {
        return Err(Error::spec("attributes", "no protected attribute is given")
                .with_hint("add at least one [[attributes]] table with a `column`, e.g. column = \"ethnicity\""));
    }
    if this.attributes.len() > MAX_ATTRIBUTES {
        return Err(Error::spec(
            "attributes",
            format!(
                "{} attributes are given; at most {MAX_ATTRIBUTES} are supported",
                this.attributes.len()
            ),
        )
        .with_hint("run separate audits for further characteristics"));
    }
    let mut attributes: Vec<Attribute> = Vec::new();
    let mut groupings = Vec::new();
    let mut seen = BTreeSet::new();
    for (i, a) in this.attributes.iter().enumerate() {
        let key = |k: &str| format!("attributes[{i}].{k}");
        let name = a.name.clone().unwrap_or_else(|| a.column.clone());
        if name.is_empty() || name.contains('|') {
            return Err(Error::spec(
                key("name"),
                format!("`{name}` cannot be used as an attribute name"),
            )
            .with_hint(
                "use a non-empty name without `|` (it separates the parts of an intersection)",
            ));
        }
        if !seen.insert(name.clone()) {
            return Err(
                Error::spec(key("name"), format!("two attributes are named `{name}`"))
                    .with_hint("give one of them a different `name`"),
            );
        }
        let mut relabel = BTreeMap::new();
        for (label, raws) in &a.relabel {
            for raw in raws {
                let r = raw.to_label();
                if let Some(prev) = relabel.insert(r.clone(), label.clone())
                    && prev != *label
                {
                    return Err(Error::spec(
                        key("relabel"),
                        format!("raw value `{r}` is mapped to both `{prev}` and `{label}`"),
                    ));
                }
            }
        }
        let reference = match (&a.reference, a.reference_rule.as_deref()) {
            (Some(_), Some(_)) => {
                return Err(Error::spec(
                    key("reference_rule"),
                    "both `reference` and `reference_rule` are set",
                )
                .with_hint("keep one: a named `reference` group, or a `reference_rule`"));
            }
            (Some(r), None) => ReferenceRule::Named(r.clone()),
            (None, None) | (None, Some("largest")) => ReferenceRule::Largest,
            (None, Some("most-favourable" | "most_favourable" | "most-favorable")) => {
                let m = a.reference_metric.as_deref().ok_or_else(|| {
                    Error::spec(
                        key("reference_metric"),
                        "the `most-favourable` rule needs a metric",
                    )
                    .with_hint("add e.g. `reference_metric = \"fpr\"`")
                })?;
                let id = MetricId::from_name(m)
                    .ok_or_else(|| unknown_metric(&key("reference_metric"), m))?;
                if id.def().favourable == Direction::Context {
                    return Err(Error::spec(
                        key("reference_metric"),
                        format!("`{m}` has no favourable direction of its own"),
                    )
                    .with_hint(
                        "name a reference group, or use an error metric such as fpr, fnr, tpr, ppv",
                    ));
                }
                ReferenceRule::MostFavourable(id)
            }
            (None, Some(other)) => {
                return Err(Error::spec(key("reference_rule"), format!("unknown rule `{other}`"))
                        .with_hint("use \"largest\" or \"most-favourable\" (with `reference_metric`), or name a group with `reference`"));
            }
        };
        if a.reference_metric.is_some() && !matches!(reference, ReferenceRule::MostFavourable(_)) {
            return Err(Error::spec(
                key("reference_metric"),
                "a reference metric applies only to `reference_rule = \"most-favourable\"`",
            ));
        }
        attributes.push(Attribute {
            name: name.clone(),
            column: ColumnRef {
                name: a.column.clone(),
                key: key("column"),
            },
            relabel,
            missing_label: a
                .missing_label
                .clone()
                .unwrap_or_else(|| MISSING_LABEL.to_string()),
            levels: a.levels.clone(),
            characteristic: match &a.characteristic {
                None => None,
                Some(c) if EQUALITY_ACT.contains(&c.as_str()) => Some(c.clone()),
                Some(c) => {
                    return Err(Error::spec(
                        key("characteristic"),
                        format!("`{c}` is not a protected characteristic of the Equality Act 2010"),
                    )
                    .with_hint(format!("use one of: {}", EQUALITY_ACT.join(", "))));
                }
            },
        });
        groupings.push(Grouping {
            name,
            attributes: vec![i],
            reference,
            reference_key: format!("attributes[{i}].reference"),
        });
    }
    Ok((attributes, groupings))
}

pub(super) fn check_intersections(
    this: &AuditSpec,
    attributes: &[Attribute],
    singles: &[Grouping],
) -> Result<Vec<Grouping>> {
    let names: Vec<String> = attributes.iter().map(|a| a.name.clone()).collect();
    let mut out: Vec<Grouping> = Vec::new();
    for (i, inter) in this.intersections.iter().enumerate() {
        let key = format!("intersections[{i}]");
        if inter.len() < 2 {
            return Err(
                Error::spec(key, "an intersection needs at least two attributes")
                    .with_hint("write e.g. [\"ethnicity\", \"sex\"]"),
            );
        }
        let mut idx = Vec::new();
        for n in inter {
            let j = names.iter().position(|x| x == n).ok_or_else(|| {
                let near = nearest_names(n, &names, 1);
                Error::spec(
                    key.clone(),
                    format!("`{n}` is not an attribute of this audit"),
                )
                .with_hint(match near.first() {
                    Some(m) => {
                        format!("did you mean `{m}`? (attributes: {})", names.join(", "))
                    }
                    None => format!("the attributes are: {}", names.join(", ")),
                })
            })?;
            if idx.contains(&j) {
                return Err(Error::spec(
                    key,
                    format!("`{n}` appears twice in the intersection"),
                ));
            }
            idx.push(j);
        }
        let name = inter.join("|");
        if out.iter().any(|g| g.name == name) {
            return Err(Error::spec(
                key,
                format!("the intersection `{name}` is listed twice"),
            ));
        }
        let reference = match this.intersection_reference.get(&name) {
            Some(r) => ReferenceRule::Named(r.clone()),
            None => {
                let named: Option<Vec<String>> = idx
                    .iter()
                    .map(|&j| match &singles[j].reference {
                        ReferenceRule::Named(r) => Some(r.clone()),
                        _ => None,
                    })
                    .collect();
                named.map_or(ReferenceRule::Largest, |parts| {
                    ReferenceRule::Named(parts.join("|"))
                })
            }
        };
        let reference_key = if this.intersection_reference.contains_key(&name) {
            format!("intersection_reference.\"{name}\"")
        } else {
            format!(
                "intersection_reference.\"{name}\" (by default the attributes' references joined with `|`)"
            )
        };
        out.push(Grouping {
            name,
            attributes: idx,
            reference,
            reference_key,
        });
    }
    for k in this.intersection_reference.keys() {
        if !out.iter().any(|g| &g.name == k) {
            return Err(Error::spec(
                format!("intersection_reference.{k}"),
                format!("`{k}` is not one of the intersections"),
            )
            .with_hint(
                "key it by an intersection's attribute names joined with `|`, e.g. \"race|sex\"",
            ));
        }
    }
    Ok(out)
}

/// Checks `[uncertainty]` given the spec's seed.
fn check_uncertainty(u: Option<&UncertaintySpec>, seed: Option<u64>) -> Result<Uncertainty> {
    let default = UncertaintySpec::default();
    let u = u.unwrap_or(&default);
    let level = match u.level {
        None => 0.95,
        Some(l) if l > 0.0 && l < 1.0 => l,
        Some(l) => {
            return Err(Error::spec(
                "uncertainty.level",
                format!("the confidence level must be between 0 and 1 (exclusive), not {l}"),
            )
            .with_hint("write e.g. level = 0.95 for 95% intervals"));
        }
    };
    let interval = match u.interval.as_deref() {
        None | Some("wilson") => IntervalMethod::Wilson,
        Some("clopper-pearson" | "clopper_pearson" | "exact") => IntervalMethod::ClopperPearson,
        Some(other) => {
            return Err(Error::spec(
                "uncertainty.interval",
                format!("unknown interval method `{other}`"),
            )
            .with_hint("use \"wilson\" or \"clopper-pearson\""));
        }
    };
    let correction = match u.correction.as_deref() {
        None | Some("benjamini-hochberg" | "bh" | "fdr_bh") => Correction::BenjaminiHochberg,
        Some("holm") => Correction::Holm,
        Some("none") => Correction::None,
        Some(other) => {
            return Err(Error::spec(
                "uncertainty.correction",
                format!("unknown correction `{other}`"),
            )
            .with_hint("use \"benjamini-hochberg\", \"holm\" or \"none\""));
        }
    };
    let replicates = match u.replicates {
        None => 1000,
        Some(b) if (1..=MAX_REPLICATES).contains(&b) => b as u32,
        Some(b) => {
            return Err(Error::spec("uncertainty.replicates", format!("{b} replicates is out of range"))
                    .with_hint(format!("use between 1 and {MAX_REPLICATES} (1,000 is usual; set `bootstrap = false` to turn the bootstrap off)")));
        }
    };
    let requested = u.bootstrap == Some(true) || u.replicates.is_some();
    if u.bootstrap == Some(false) && u.replicates.is_some() {
        return Err(Error::spec(
            "uncertainty.replicates",
            "replicates are set but `bootstrap = false`",
        )
        .with_hint("remove one of the two"));
    }
    let bootstrap = match (seed, requested, u.bootstrap) {
        (_, _, Some(false)) => None,
        (None, true, _) => {
            return Err(Error::spec("seed", "a bootstrap is requested but the spec has no seed")
                    .with_hint("add e.g. {set:seed=20240601}{spec: at the top of the spec}, so that the intervals can be reproduced"));
        }
        (None, false, _) => None,
        (Some(seed), _, _) => Some(Bootstrap {
            replicates,
            seed,
            stratified: u.stratified.unwrap_or(false),
        }),
    };
    Ok(Uncertainty {
        level,
        interval,
        correction,
        bootstrap,
    })
}

fn check_tolerance(t: &ToleranceSpec, key: &str) -> Result<Tolerance> {
    let ratio = match &t.ratio {
        None => None,
        Some(v) => {
            let [lo, hi] = v.as_slice() else {
                return Err(Error::spec(
                    format!("{key}.ratio"),
                    format!(
                        "expected two numbers [low, high], found {} value(s)",
                        v.len()
                    ),
                )
                .with_hint("write e.g. ratio = [0.8, 1.25]"));
            };
            let (lo, hi) = (*lo, *hi);
            if !(lo.is_finite() && hi.is_finite()) || lo <= 0.0 {
                return Err(Error::spec(
                    format!("{key}.ratio"),
                    format!("[{lo}, {hi}] is not a band of positive ratios"),
                )
                .with_hint("write e.g. ratio = [0.8, 1.25]"));
            }
            if lo >= hi {
                return Err(Error::spec(
                    format!("{key}.ratio"),
                    format!(
                        "the band [{lo}, {hi}] is inverted: its low end is not below its high end"
                    ),
                )
                .with_hint(format!("write ratio = [{hi}, {lo}]")));
            }
            if !(lo <= 1.0 && 1.0 <= hi) {
                return Err(Error::spec(
                    format!("{key}.ratio"),
                    format!("the band [{lo}, {hi}] does not contain 1 (parity)"),
                )
                .with_hint("a tolerance band must contain 1, e.g. [0.8, 1.25]"));
            }
            Some((lo, hi))
        }
    };
    let difference = match t.difference {
        None => None,
        Some(d) if d.is_finite() && d > 0.0 => Some(d),
        Some(d) => {
            return Err(Error::spec(
                format!("{key}.difference"),
                format!("must be a positive number, not {d}"),
            )
            .with_hint("write e.g. difference = 0.05 (five percentage points)"));
        }
    };
    if ratio.is_none() && difference.is_none() {
        return Err(
            Error::spec(key, "the tolerance sets neither `ratio` nor `difference`")
                .with_hint("write e.g. { ratio = [0.8, 1.25] } or { difference = 0.05 }"),
        );
    }
    Ok(Tolerance { ratio, difference })
}

/// The policy check, for the plan's tests.
#[cfg(test)]
pub(super) fn check_policy_for_tests(spec: Option<&PolicySpec>) -> Result<Policy> {
    check_policy(spec)
}

/// Checks the `[policy]` section (absent = all defaults).
fn check_policy(spec: Option<&PolicySpec>) -> Result<Policy> {
    let default = PolicySpec::default();
    let p = spec.unwrap_or(&default);
    let intervention = match p.intervention.as_deref() {
        None | Some("neutral") => Intervention::Neutral,
        Some("punitive") => Intervention::Punitive,
        Some("assistive") => Intervention::Assistive,
        Some(other) => {
            return Err(Error::spec("policy.intervention", format!("unknown intervention type `{other}`"))
                    .with_hint("use \"punitive\" (arrest, search, enforcement), \"assistive\" (referral, diversion) or \"neutral\""));
        }
    };
    let primary: Vec<MetricId> = match &p.primary {
        None => intervention.default_primary(),
        Some(list) => {
            if list.is_empty() {
                return Err(
                    Error::spec("policy.primary", "the list of primary metrics is empty")
                        .with_hint(format!("name at least one of: {}", MetricId::names())),
                );
            }
            let mut out = Vec::new();
            for (i, m) in list.iter().enumerate() {
                let id = MetricId::from_name(m)
                    .ok_or_else(|| unknown_metric(&format!("policy.primary[{i}]"), m))?;
                if !out.contains(&id) {
                    out.push(id);
                }
            }
            out
        }
    };
    let base = match &p.tolerance {
        None => Tolerance {
            ratio: Some(DEFAULT_RATIO_BAND),
            difference: None,
        },
        Some(t) => check_tolerance(t, "policy.tolerance")?,
    };
    let mut tolerances: BTreeMap<MetricId, Tolerance> =
        primary.iter().map(|m| (*m, base)).collect();
    for (name, t) in &p.tolerances {
        let key = format!("policy.tolerances.{name}");
        let id = MetricId::from_name(name).ok_or_else(|| unknown_metric(&key, name))?;
        if !primary.contains(&id) {
            return Err(Error::spec(
                key,
                format!("`{name}` is not a primary metric, so its tolerance would not be used"),
            )
            .with_hint(format!(
                "add it to `policy.primary` (now: {})",
                primary
                    .iter()
                    .map(|m| m.name())
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
        tolerances.insert(id, check_tolerance(t, &key)?);
    }
    let alpha = match p.alpha {
        None => DEFAULT_ALPHA,
        Some(a) if a > 0.0 && a < 1.0 => a,
        Some(a) => {
            return Err(Error::spec(
                "policy.alpha",
                format!("must be between 0 and 1 (exclusive), not {a}"),
            )
            .with_hint("the conventional value is 0.05"));
        }
    };
    let fail_on = match p.fail_on.as_deref() {
        None | Some("fail") => FailOn::Fail,
        Some("inconclusive") => FailOn::Inconclusive,
        Some(other) => {
            return Err(Error::spec("policy.fail_on", format!("unknown value `{other}`"))
                    .with_hint("use \"fail\" (exit 1 on a failed verdict) or \"inconclusive\" (also on an inconclusive one)"));
        }
    };
    Ok(Policy {
        intervention,
        primary,
        tolerances,
        alpha,
        fail_on,
    })
}

fn resolve_path(base: &Path, p: &str) -> PathBuf {
    let path = Path::new(p);
    if path.is_absolute() {
        path.to_path_buf()
    } else {
        base.join(path)
    }
}

fn parse_delimiter(d: &str) -> Result<u8> {
    let d = if d == "\\t" || d.eq_ignore_ascii_case("tab") {
        "\t"
    } else {
        d
    };
    match d.as_bytes() {
        [b] if b.is_ascii() && *b != b'"' && *b != b'\n' && *b != b'\r' => Ok(*b),
        _ => Err(Error::spec(
            "input.delimiter",
            format!("`{d}` is not a single-character delimiter"),
        )
        .with_hint("use one ASCII character such as \",\", \";\", \"|\" or \"\\t\"")),
    }
}

/// The standard complement of a positive value, for a default `negative`.
fn default_negative(positive: &[Literal]) -> Option<Vec<Literal>> {
    let [only] = positive else { return None };
    let neg = match only {
        Literal::Int(1) => Literal::Int(0),
        Literal::Float(f) if *f == 1.0 => Literal::Int(0),
        Literal::Bool(b) => Literal::Bool(!b),
        Literal::Str(s) => match s.as_str() {
            "1" => Literal::Str("0".into()),
            "Yes" => Literal::Str("No".into()),
            "yes" => Literal::Str("no".into()),
            "YES" => Literal::Str("NO".into()),
            "Y" => Literal::Str("N".into()),
            "y" => Literal::Str("n".into()),
            "true" => Literal::Str("false".into()),
            "True" => Literal::Str("False".into()),
            _ => return None,
        },
        _ => return None,
    };
    Some(vec![neg])
}

fn label_rule(
    column: &str,
    positive: &[Literal],
    negative: &Option<Vec<Literal>>,
    section: &str,
) -> Result<LabelRule> {
    if column.is_empty() {
        return Err(Error::spec(
            format!("{section}.column"),
            "the column name is empty",
        ));
    }
    if positive.is_empty() {
        return Err(
            Error::spec(format!("{section}.positive"), "no positive value is given").with_hint(
                "list the values that mean positive, e.g. positive = [1] or positive = [\"Yes\"]",
            ),
        );
    }
    let negative = match negative {
        Some(n) => n.clone(),
        None => default_negative(positive).ok_or_else(|| {
            Error::spec(
                format!("{section}.negative"),
                "no negative value is given, and none follows from the positive ones",
            )
            .with_hint(format!(
                "list the values that mean negative, e.g. {{set:{section}.negative=[\"No\"]}}"
            ))
        })?,
    };
    if negative.is_empty() {
        return Err(Error::spec(
            format!("{section}.negative"),
            "the list of negative values is empty",
        ));
    }
    for n in &negative {
        if positive.iter().any(|p| p.to_label() == n.to_label()) {
            return Err(Error::spec(
                format!("{section}.negative"),
                format!("{n} is listed as both positive and negative"),
            ));
        }
    }
    Ok(LabelRule {
        column: ColumnRef {
            name: column.to_string(),
            key: format!("{section}.column"),
        },
        positive: positive.to_vec(),
        negative,
    })
}

/// An error for an unknown metric name at `key`.
pub(crate) fn unknown_metric(key: &str, name: &str) -> Error {
    let all: Vec<String> = MetricId::ALL.iter().map(|m| m.name().to_string()).collect();
    let near = nearest_names(name, &all, 1);
    let hint = match near.first() {
        Some(n) => format!("did you mean `{n}`? The metrics are: {}", MetricId::names()),
        None => format!("the metrics are: {}", MetricId::names()),
    };
    Error::spec(key, format!("unknown metric `{name}`")).with_hint(hint)
}
