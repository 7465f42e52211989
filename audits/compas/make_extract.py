#!/usr/bin/env python3
"""Rebuild compas.csv, the de-identified extract that fairaudit's COMPAS audit reads.

Source: ProPublica's `compas-scores-two-years.csv` from their public
`compas-analysis` repository (7,214 rows, 53 columns). The original holds
names, dates of birth, case numbers and ids; this extract keeps only the
columns that `audit.toml` uses, so none of those can reach an audit pack.

Usage: python3 make_extract.py PATH/TO/compas-scores-two-years.csv [OUT]
Needs only the Python standard library. Rows keep their original order; the
cohort filter is *not* applied here (the audit applies it, so that its row
accounting shows what the filter removed).
"""
import csv
import sys

KEEP = [
    "race", "sex", "age_cat", "c_charge_degree", "days_b_screening_arrest",
    "is_recid", "decile_score", "score_text", "two_year_recid",
]


def main(argv):
    if len(argv) < 2:
        sys.exit(__doc__)
    src = argv[1]
    out = argv[2] if len(argv) > 2 else "compas.csv"
    with open(src, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    header = rows[0]
    # decile_score appears twice in the original (identical columns): take the first.
    idx = [header.index(c) for c in KEEP]
    with open(out, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(KEEP)
        for r in rows[1:]:
            w.writerow([r[i] for i in idx])
    print(f"wrote {out}: {len(rows) - 1} rows, {len(KEEP)} columns", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv)
