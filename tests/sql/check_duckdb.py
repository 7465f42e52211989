#!/usr/bin/env python3
"""Checks that `fairaudit sql --dialect duckdb` gives exactly the count table
that `fairaudit counts` gives, by running the query with DuckDB's Python
package, and that auditing the engine's table gives the same results as
auditing the rows.

Not needed by `cargo test`. Run from the crate root:

    python3 -m venv target/bench-venv
    target/bench-venv/bin/pip install duckdb
    cargo build --release
    target/bench-venv/bin/python tests/sql/check_duckdb.py | tee tests/sql/check_duckdb.out

Exits non-zero on any difference. Counts, keys, and the sums of unweighted
audits must agree exactly; weighted sums (and scores) come from DuckDB's
`SUM` of doubles, whose rounding depends on the order of addition, so they
must agree to a relative 1e-12 (the largest difference seen is printed).
"""

import json
import math
import os
import subprocess
import sys
import tempfile

import duckdb

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.environ.get("FAIRAUDIT", os.path.join(ROOT, "target", "release", "fairaudit"))
KEY = ["truth", "prediction", "score_bucket"]
SUMS = ["weight_sum", "weight_sq_sum", "score_sum"]


def run(*args):
    out = subprocess.run([BIN, *args], capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"fairaudit {' '.join(args)} failed:\n{out.stderr}")
    return out.stdout


def table(con, sql, attrs):
    cols = attrs + KEY + ["count"] + SUMS
    rows = con.execute(sql).fetchall()
    return {tuple(r[: len(attrs) + 3]): dict(zip(cols[len(attrs) + 3 :], r[len(attrs) + 3 :])) for r in rows}


def compare(name, spec, attrs, weighted, work):
    con = duckdb.connect()
    counts = os.path.join(work, f"{name}.counts.parquet")
    run("counts", spec, "--out", counts, "--quiet")
    ours = table(con, f"SELECT * EXCLUDE (weight_sum_fixed, weight_sq_sum_fixed, score_sum_fixed) FROM read_parquet('{counts}')", attrs)
    sql = run("sql", spec, "--dialect", "duckdb")
    theirs = table(con, sql, attrs)
    problems = []
    if set(ours) != set(theirs):
        problems.append(f"cells differ: only fairaudit {sorted(set(ours) - set(theirs))[:3]}, only DuckDB {sorted(set(theirs) - set(ours))[:3]}")
    worst = 0.0
    for k in set(ours) & set(theirs):
        a, b = ours[k], theirs[k]
        if a["count"] != b["count"]:
            problems.append(f"{k}: count {a['count']} vs {b['count']}")
        for s in SUMS:
            x, y = float(a[s]), float(b[s])
            if not weighted and s != "score_sum":
                if x != y:
                    problems.append(f"{k}: {s} {x!r} vs {y!r}")
            else:
                rel = abs(x - y) / max(abs(x), abs(y), 1e-300)
                worst = max(worst, rel)
                if rel > 1e-12:
                    problems.append(f"{k}: {s} {x!r} vs {y!r}")
    total = sum(v["count"] for v in ours.values())
    print(f"{name}: {len(ours)} cells, {total} rows; counts and keys identical: {not problems}; "
          f"largest relative difference of a float sum: {worst:.2e}")

    # Audit the engine's table as a count-table input: same results as the rows.
    engine = os.path.join(work, f"{name}.engine.counts.parquet")
    con.execute(f"COPY ({sql}) TO '{engine}' (FORMAT parquet)")
    direct = json.loads(run("run", spec, "--format", "json", "--quiet"))
    spec_counts = counts_spec(spec, engine, work, name)
    via = json.loads(run("run", spec_counts, "--format", "json", "--quiet"))
    diffs = []
    for part in ["overall", "groupings"]:
        close(direct[part], via[part], part, diffs)
    print(f"{name}: audit of the DuckDB table equals the audit of the rows: {not diffs}")
    problems.extend(diffs[:5])
    return problems


def close(a, b, path, diffs):
    if isinstance(a, dict) and isinstance(b, dict):
        if set(a) != set(b):
            diffs.append(f"{path}: keys {sorted(set(a) ^ set(b))}")
        for k in set(a) & set(b):
            close(a[k], b[k], f"{path}.{k}", diffs)
    elif isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            diffs.append(f"{path}: lengths {len(a)} vs {len(b)}")
        for i, (x, y) in enumerate(zip(a, b)):
            close(x, y, f"{path}[{i}]", diffs)
    elif isinstance(a, float) or isinstance(b, float):
        if a is None or b is None or not math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-15):
            diffs.append(f"{path}: {a!r} vs {b!r}")
    elif a != b:
        diffs.append(f"{path}: {a!r} vs {b!r}")


def counts_spec(spec, engine, work, name):
    """The same audit, reading the count table: attribute columns are named
    by attribute, filters are gone (the table is the cohort already)."""
    import tomllib

    with open(spec, "rb") as f:
        s = tomllib.load(f)
    lines = []
    for key in ["title", "seed"]:
        if key in s:
            lines.append(f"{key} = {json.dumps(s[key])}")
    if "intersections" in s:
        lines.append(f"intersections = {json.dumps(s['intersections'])}")
    lines += ["[input]", f"path = {json.dumps(engine)}", "format = \"counts\""]
    for sec in ["truth", "prediction", "weight", "policy"]:
        if sec in s:
            lines.append(f"[{sec}]")
            lines += [f"{k} = {json.dumps(v)}" for k, v in s[sec].items()]
    for a in s["attributes"]:
        lines.append("[[attributes]]")
        name_ = a.get("name", a["column"])
        lines.append(f"column = {json.dumps(name_)}")
        for k in ["levels", "reference", "reference_rule", "reference_metric", "missing_label"]:
            if k in a:
                lines.append(f"{k} = {json.dumps(a[k])}")
    path = os.path.join(work, f"{name}.counts-audit.toml")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    return path


SYNTH_SPEC = """
title = "synthetic, weighted, scored, filtered, relabelled"
intersections = [["ethnicity", "sex"], ["ethnicity", "sex", "age"]]
[input]
path = "{data}"
[truth]
column = "y_true"
positive = [1]
[prediction]
score = "y_score"
threshold = 0.5
[weight]
column = "weight"
[cohort]
filters = ["age_band != \\"under 18\\"", "y_score >= 0.001", "sex not in [\\"Unknown\\"]", "ethnicity is not missing"]
[[attributes]]
column = "ethnicity"
reference = "White"
relabel = {{ "Minority ethnic" = ["Asian", "Black", "Mixed", "Other"] }}
[[attributes]]
column = "sex"
[[attributes]]
column = "age_band"
name = "age"
[policy]
min_group_size = 0
"""


def main():
    problems = []
    with tempfile.TemporaryDirectory() as work:
        problems += compare("compas", os.path.join(ROOT, "audits", "compas", "audit.toml"),
                            ["race", "sex", "age"], False, work)
        data = os.path.join(work, "synth.csv")
        subprocess.run([BIN, "synth", "--rows", "200000", "--seed", "7", "--out", data],
                       check=True, capture_output=True)
        spec = os.path.join(work, "synth.toml")
        with open(spec, "w") as f:
            f.write(SYNTH_SPEC.format(data=data))
        problems += compare("synth", spec, ["ethnicity", "sex", "age"], True, work)
        pq = os.path.join(work, "synth.parquet")
        subprocess.run([BIN, "synth", "--rows", "200000", "--seed", "7", "--out", pq],
                       check=True, capture_output=True)
        spec_pq = os.path.join(work, "synth_pq.toml")
        with open(spec_pq, "w") as f:
            f.write(SYNTH_SPEC.format(data=pq))
        problems += compare("synth-parquet", spec_pq, ["ethnicity", "sex", "age"], True, work)
    print(f"duckdb {duckdb.__version__}; {run('--version').strip()}")
    if problems:
        print("DIFFERENCES:")
        for p in problems[:20]:
            print("  " + p)
        sys.exit(1)
    print("OK: the DuckDB query gives exactly fairaudit's count table")


if __name__ == "__main__":
    main()
