#!/usr/bin/env python3
"""Golden values for fairaudit's `uncertainty` module, from scipy and statsmodels.

Run from any directory:

    pip install scipy statsmodels
    python3 tests/golden/uncertainty/make_uncertainty_golden.py

It writes `uncertainty.json` beside this script. The Rust tests in
`src/uncertainty/golden.rs` read that file and compare every value.

Independent implementations used (nothing here calls the Rust code):

* Wilson, Clopper-Pearson: statsmodels `proportion_confint` (methods "wilson", "beta").
* Newcombe hybrid score: statsmodels `confint_proportions_2indep(compare="diff",
  method="newcomb")`, plus Newcombe (1998) Table II published values typed by hand.
* Katz log ratio: the closed formula below, with the continuity adjustment used by
  the Rust code (0.5 added to each count and 1 to each total when a count is 0 or
  equal to its total). Unadjusted cases are also checked against statsmodels
  `Table2x2.riskratio_confint`.
* Two-proportion z: statsmodels `proportions_ztest(value=0)` (pooled variance).
* Fisher: `scipy.stats.fisher_exact(alternative="two-sided")`.
* Chi-square: `scipy.stats.chi2_contingency(correction=False)`.
* Expected counts: `scipy.stats.contingency.expected_freq`.
* Benjamini-Hochberg, Holm: statsmodels `multipletests(method="fdr_bh" / "holm")`.
* statrs checks: scipy `norm.ppf`, `chi2.sf`, `beta.ppf`, `special.gammaln`.

Undefined values are written as null (JSON has no NaN).
"""

import json
import math
import warnings
from pathlib import Path

import numpy as np
import scipy
import statsmodels
from scipy import special, stats
from scipy.stats.contingency import expected_freq
from statsmodels.stats.contingency_tables import Table2x2
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import (
    confint_proportions_2indep,
    proportion_confint,
    proportions_ztest,
)

warnings.simplefilter("ignore")

LEVELS = [0.9, 0.95, 0.99]


def num(x):
    """A Python float, or None for NaN / infinity / failure."""
    if x is None:
        return None
    x = float(x)
    return x if math.isfinite(x) else None


def interval(low, high):
    low, high = num(low), num(high)
    if low is None or high is None:
        return None
    return {"low": low, "high": high}


# One proportion: typical, k = 0, k = n, tiny n, large n, non-integer n.
SINGLE = [
    (0, 1), (1, 1), (0, 2), (1, 2), (2, 2), (0, 3), (1, 3), (2, 3), (3, 3),
    (7, 20), (0, 50), (50, 50), (12, 345), (45.2, 123.7), (0, 123.7),
    (123.7, 123.7), (0.3, 0.9), (0, 50000), (1, 50000), (25000, 50000),
    (49999, 50000), (50000, 50000), (0, 0),
    # Effective samples far beyond the audit's usual size: checks the
    # incomplete beta function where statrs' own is wrong. (scipy itself is
    # off by about 7e-10 relative on the upper end for 3 / 1e8; mpmath gives
    # 8.7672728169260386e-8 at 95 %, which the Rust code matches to 1e-14.
    # The 1e-6 tolerance for Clopper-Pearson covers that.)
    (3, 1e6), (100000, 1e6), (500000, 1e6), (999997, 1e6), (3, 1e8), (5e7, 1e8),
    (0, 1e10), (3, 1e10), (1e5, 1e8), (1e7, 1e10), (2e5, 1e10), (5e5, 1e10), (1e9, 1e10), (5e9, 1e10), (9999999997, 1e10), (1e10, 1e10),
]


def random_large(rng, count):
    out = []
    for _ in range(count):
        n = float(10 ** rng.uniform(3, 10))
        k = float(rng.uniform(0, 1) ** 3 * n)
        out.append((round(k, 2), round(n, 2)))
    return out

# Two groups: (k1, n1, k2, n2).
PAIRS = [
    (30, 100, 20, 100), (56, 70, 48, 80), (0, 50, 10, 60), (10, 60, 0, 50),
    (0, 50, 0, 60), (50, 50, 20, 40), (20, 40, 40, 40), (50, 50, 40, 40),
    (45.2, 123.7, 30.1, 98.4), (1, 2, 1, 3), (1, 1, 0, 1), (0, 1, 1, 1),
    (2, 3, 1, 3), (25000, 50000, 24000, 50000), (1, 50000, 3, 50000),
    (0, 50000, 4, 50000), (3, 3, 1, 3), (0, 0, 1, 2), (1, 2, 0, 0),
    (0, 123.7, 45.2, 123.7), (123.7, 123.7, 45.2, 98.4), (7, 34, 1, 34),
    (5, 56, 0, 29), (0, 10, 0, 20), (10, 10, 0, 20),
]


def random_pairs(rng, count):
    out = []
    for _ in range(count):
        n1, n2 = (int(x) for x in rng.integers(1, 400, size=2))
        k1, k2 = int(rng.integers(0, n1 + 1)), int(rng.integers(0, n2 + 1))
        out.append((k1, n1, k2, n2))
    for _ in range(count // 2):
        n1, n2 = (float(x) for x in rng.uniform(0.5, 800, size=2))
        k1, k2 = float(rng.uniform(0, n1)), float(rng.uniform(0, n2))
        out.append((round(k1, 3), round(n1, 3), round(k2, 3), round(n2, 3)))
    return out


def katz(k1, n1, k2, n2, level):
    """Closed-form Katz log interval with the Rust module's conventions."""
    if n1 <= 0 or n2 <= 0 or k2 == 0:
        return None
    estimate = (k1 / n1) / (k2 / n2)
    adjusted = k1 == 0 or k1 == n1 or k2 == n2
    a1, m1, a2, m2 = (k1 + 0.5, n1 + 1, k2 + 0.5, n2 + 1) if adjusted else (k1, n1, k2, n2)
    z = stats.norm.isf((1 - level) / 2)
    centre = math.log((a1 / m1) / (a2 / m2))
    half = z * math.sqrt(1 / a1 - 1 / m1 + 1 / a2 - 1 / m2)
    low, high = math.exp(centre - half), math.exp(centre + half)
    if not adjusted:
        # Independent cross-check: statsmodels' risk-ratio interval on the same
        # table must agree when no cell needs shifting.
        table = Table2x2(np.array([[k1, n1 - k1], [k2, n2 - k2]], dtype=float), shift_zeros=False)
        sl, sh = table.riskratio_confint(alpha=1 - level)
        assert math.isclose(sl, low, rel_tol=1e-12) and math.isclose(sh, high, rel_tol=1e-12)
    return {"estimate": estimate, "low": low, "high": high, "adjusted": adjusted}


def ztest(k1, n1, k2, n2):
    try:
        _, p = proportions_ztest([k1, k2], [n1, n2], value=0)
    except (ZeroDivisionError, ValueError, FloatingPointError):
        return None
    return num(p)


def chi_square(rows):
    kept = [r for r in rows if r[0] + r[1] > 0]
    cols = [sum(r[0] for r in kept), sum(r[1] for r in kept)]
    if len(kept) < 2 or cols[0] == 0 or cols[1] == 0:
        if len(kept) >= 2:
            # scipy refuses such a table too (a zero expected frequency).
            try:
                stats.chi2_contingency(np.array(kept, dtype=float), correction=False)
                raise AssertionError("scipy accepted a zero column")
            except ValueError:
                pass
        return None
    res = stats.chi2_contingency(np.array(kept, dtype=float), correction=False)
    return {"statistic": float(res.statistic), "df": int(res.dof), "p_value": float(res.pvalue)}


def adjust(pvals, method):
    idx = [i for i, p in enumerate(pvals) if p is not None]
    out = [None] * len(pvals)
    if idx:
        adj = multipletests([pvals[i] for i in idx], method=method)[1]
        for i, a in zip(idx, adj):
            out[i] = float(a)
    return out


def main():
    rng = np.random.default_rng(20240531)
    pairs = PAIRS + random_pairs(rng, 30)
    singles = SINGLE + [(k1, n1) for k1, n1, _, _ in random_pairs(rng, 20)]
    singles += random_large(rng, 20)

    wilson, cp = [], []
    for k, n in singles:
        for level in LEVELS:
            lo, hi = proportion_confint(k, n, alpha=1 - level, method="wilson")
            wilson.append({"k": k, "n": n, "level": level, "result": interval(lo, hi)})
            lo, hi = proportion_confint(k, n, alpha=1 - level, method="beta")
            cp.append({"k": k, "n": n, "level": level, "result": interval(lo, hi)})

    katz_cases, newcombe, z = [], [], []
    for k1, n1, k2, n2 in pairs:
        base = {"k1": k1, "n1": n1, "k2": k2, "n2": n2}
        for level in LEVELS:
            katz_cases.append({**base, "level": level, "result": katz(k1, n1, k2, n2, level)})
            if n1 > 0 and n2 > 0:
                lo, hi = confint_proportions_2indep(
                    k1, n1, k2, n2, compare="diff", method="newcomb", alpha=1 - level
                )
                res = interval(lo, hi)
            else:
                res = None
            newcombe.append({**base, "level": level, "result": res})
        z.append({**base, "p_value": ztest(k1, n1, k2, n2)})

    # Newcombe (1998), Table II, method 10 (95 % intervals), typed from the paper.
    newcombe_published = [
        {"k1": 56, "n1": 70, "k2": 48, "n2": 80, "low": 0.0524, "high": 0.3339},
        {"k1": 9, "n1": 10, "k2": 3, "n2": 10, "low": 0.1705, "high": 0.8090},
        {"k1": 5, "n1": 56, "k2": 0, "n2": 29, "low": -0.0381, "high": 0.1926},
        {"k1": 0, "n1": 10, "k2": 0, "n2": 20, "low": -0.1611, "high": 0.2775},
        {"k1": 0, "n1": 10, "k2": 0, "n2": 10, "low": -0.2775, "high": 0.2775},
        {"k1": 10, "n1": 10, "k2": 0, "n2": 20, "low": 0.6791, "high": 1.0},
        {"k1": 10, "n1": 10, "k2": 0, "n2": 10, "low": 0.6075, "high": 1.0},
    ]
    for case in newcombe_published:
        lo, hi = confint_proportions_2indep(
            case["k1"], case["n1"], case["k2"], case["n2"], compare="diff", method="newcomb"
        )
        assert abs(lo - case["low"]) < 1e-4 and abs(hi - case["high"]) < 1e-4, case

    fisher_tables = [
        (0, 0, 0, 0), (5, 0, 0, 0), (0, 5, 0, 3), (4, 6, 0, 0), (1, 0, 0, 1),
        (3, 1, 1, 3), (8, 2, 1, 5), (0, 10, 10, 0), (2, 7, 8, 2), (10, 20, 30, 40),
        (7, 12, 12, 7), (6, 1, 1, 6), (100, 100, 100, 100), (0, 1, 1, 0), (1, 9, 11, 3),
        (1200, 3000, 900, 2800), (20000, 30000, 20500, 29500), (1, 40000, 10, 39000),
        (0, 30000, 5, 29990), (500, 500, 0, 0), (0, 3, 2, 0), (3, 0, 0, 2),
        (15000, 15000, 15100, 14900), (2, 40000, 2, 40000), (0, 40000, 1, 40000),
    ]
    for hi in (6, 16, 60, 400):
        for _ in range(12):
            fisher_tables.append(tuple(int(x) for x in rng.integers(0, hi, size=4)))
    fisher = [
        {"table": list(t), "p_value": float(stats.fisher_exact([[t[0], t[1]], [t[2], t[3]]]).pvalue)}
        for t in fisher_tables
    ]

    expected = []
    for t in fisher_tables[:30] + [(45.2, 78.5, 30.1, 68.3), (4.9, 100, 0.2, 100)]:
        a, b, c, d = (float(x) for x in t)
        if a + b + c + d == 0:
            continue
        # expected_freq fails on an empty row or column (0/0); the expected
        # count is 0 there, which is below any positive threshold.
        with np.errstate(all="ignore"):
            e = np.nan_to_num(expected_freq(np.array([[a, b], [c, d]])), nan=0.0)
        for threshold in (1.0, 5.0):
            expected.append(
                {"cells": [a, b, c, d], "threshold": threshold,
                 "below": bool((e < threshold).any())}
            )

    chi_tables = [
        [[30, 70], [20, 80]],
        [[30, 70], [20, 80], [45, 55]],
        [[30, 70], [0, 0], [20, 80]],
        [[3, 4]],
        [[3, 4], [0, 0]],
        [[0, 10], [0, 20]],
        [[10, 0], [20, 0], [5, 0]],
        [[45.2, 78.5], [30.1, 68.3], [12.25, 40.0]],
        [[1200, 3000], [900, 2800]],
        [[5, 5], [5, 5]],
        [[0, 10], [5, 5]],
        [[1, 0], [0, 1]],
        [[25000, 25000], [24000, 26000], [26000, 24000], [100, 300]],
    ]
    for _ in range(10):
        r = int(rng.integers(2, 7))
        chi_tables.append([[int(x) for x in rng.integers(0, 200, size=2)] for _ in range(r)])
    chi = [{"rows": rows, "result": chi_square(rows)} for rows in chi_tables]

    p_lists = [
        [0.01, 0.04, 0.03, 0.2],
        [None, 0.02, None, 0.04, None],
        [],
        [None, None],
        [0.5],
        [0.001] * 5,
        [0.6, 0.7, 0.8, 0.9],
        [0.04, 0.04, 0.01, 0.04, 0.2, None, 0.03],
        [1e-12, 0.5, 1.0, 0.0, 0.3],
    ]
    for m in (7, 25):
        vals = [float(x) for x in rng.uniform(0, 0.2, size=m) ** 2]
        vals[int(rng.integers(0, m))] = None
        p_lists.append(vals)
    multiplicity = [
        {"p": p, "bh": adjust(p, "fdr_bh"), "holm": adjust(p, "holm")} for p in p_lists
    ]

    statrs_checks = {
        "normal_quantile": [
            {"p": p, "q": float(stats.norm.ppf(p))}
            for p in (0.5, 0.8, 0.95, 0.975, 0.995, 0.025, 1e-10, 0.999999)
        ],
        "chi2_sf": [
            {"x": x, "df": df, "sf": float(stats.chi2.sf(x, df))}
            for x, df in ((3.84, 1), (100.0, 3), (1e-3, 5), (12.5, 4), (250.0, 10))
        ],
        "beta_ppf": [
            {"q": q, "a": a, "b": b, "x": float(stats.beta.ppf(q, a, b))}
            for q, a, b in ((0.025, 25000, 25001), (0.975, 2, 49999), (0.005, 45.2, 79.5),
                            (0.05, 1, 1), (0.95, 3, 1))
        ],
        "ln_gamma": [
            {"x": x, "value": float(special.gammaln(x))}
            for x in (0.5, 1.0, 10.0, 123.7, 50001.0, 7901.0)
        ],
    }

    golden = {
        "generator": {
            "script": "make_uncertainty_golden.py",
            "scipy": scipy.__version__,
            "statsmodels": statsmodels.__version__,
            "numpy": np.__version__,
        },
        "wilson": wilson,
        "clopper_pearson": cp,
        "katz_log_ratio": katz_cases,
        "newcombe_difference": newcombe,
        "newcombe_published": newcombe_published,
        "two_proportion_z": z,
        "fisher_exact": fisher,
        "expected_cell_below": expected,
        "chi_square_independence": chi,
        "multiplicity": multiplicity,
        "statrs": statrs_checks,
    }
    out = Path(__file__).resolve().parent / "uncertainty.json"
    with open(out, "w") as f:
        json.dump(golden, f, indent=1, allow_nan=False)
        f.write("\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
