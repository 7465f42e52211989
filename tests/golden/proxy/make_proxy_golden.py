#!/usr/bin/env python3
"""Golden values for fairaudit's proxy check, from scikit-learn and scipy.

Run from any directory (about a minute on two cores):

    python3 -m venv /tmp/venv && /tmp/venv/bin/pip install numpy scipy scikit-learn pandas
    /tmp/venv/bin/python tests/golden/proxy/make_proxy_golden.py [COMPAS_CSV]

COMPAS_CSV defaults to ../shared/data/compas-scores-two-years.csv beside the
repository (ProPublica's file). The script writes `proxy.json` beside itself;
the Rust tests compare every value. Versions used for the committed output are
recorded in proxy.json["meta"] (numpy 2.4.6, scipy 1.17.1, scikit-learn 1.9.1,
pandas 3.1.1, Python 3.11).

Inputs committed beside this script (written by the Rust side, so that both
sides see the same rows and folds):

* `synthetic_3000.csv` - 3,000 rows of planted-proxy data: `attribute` (A/B/C),
  `proxy` (the attribute, redrawn at random with probability 0.1), `indep_num`,
  `indep_cat` (independent of it), `weak_num`, `weak_cat` (30 levels), `weak_bin`
  (weakly related; empty cells are missing), and `outcome`, `score` for the
  score-separation check.
* `folds_3000.csv`, `compas_folds.csv` - `row,fold`: the stratified 5-fold
  assignment (ChaCha8, seeded from the master seed 20240601 through SplitMix64),
  used here through `sklearn.model_selection.PredefinedSplit`.

Where each value comes from (nothing here calls the Rust code):

* Cross-validated AUC, one group against the rest: `cross_val_predict(pipe, X, y,
  cv=PredefinedSplit(folds), method="predict_proba")`, pooled and scored with
  `roc_auc_score`; per-fold AUCs from `cross_val_score(..., scoring="roc_auc")`.
  `pipe` is `ProxyEncoder` (below) followed by `LogisticRegression(C=1.0)` (L2,
  lbfgs, tol 1e-10) or `DecisionTreeClassifier(max_depth=3, random_state=0)`.
  `ProxyEncoder` re-implements the documented encoding (fitted on each training
  fold): numeric standardised (StandardScaler's population sd), missing -> 0
  plus a `(missing)` indicator when the column has any missing value; categorical
  one-hot with at most 20 levels kept (most frequent, ties by name; the rest and
  unseen levels -> `(other)`), missing as its own level.
* DeLong standard errors: the structural components computed here from
  `np.searchsorted` counts (independent of the Rust tie-block code).
* Cramer's V: `scipy.stats.contingency.association(table, method="cramer")`;
  chi-square: `scipy.stats.chi2_contingency(table, correction=False)`;
  bias-corrected V (Bergsma 2013): the closed formula below; interval for V:
  noncentral chi-square inversion with `scipy.stats.ncx2.cdf` and
  `scipy.optimize.brentq`.
* Mutual information (nats): `sklearn.metrics.mutual_info_score(attribute,
  feature)`, numeric features after quantile binning (`quantile_bins` below:
  cut points at the order statistics ceil(j*m/10), j = 1..9, deduplicated,
  `np.searchsorted(cuts, x, side="left")`, missing as a bin of its own).
* Per-feature AUC: numeric - `roc_auc_score` of the raw value (missing rows left
  out); categorical - `roc_auc_score` of the out-of-fold share of the group among
  training rows with the same level (unseen level -> training base rate).
* Score separation: `roc_auc_score(attribute == g, score)` within outcome 0 and 1.

Undefined values are written as null.
"""

import hashlib
import json
import math
import platform
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import scipy
import sklearn
from scipy import optimize, stats
from scipy.stats.contingency import association
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import mutual_info_score, roc_auc_score
from sklearn.model_selection import PredefinedSplit, cross_val_predict, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.tree import DecisionTreeClassifier

HERE = Path(__file__).resolve().parent
LEVEL = 0.95
FOLDS = 5
LEVEL_CAP = 20
BINS = 10
C = 1.0
DEPTH = 3
MIN_GROUP = 30
MISSING = "(missing)"
OTHER = "(other)"


def num(x):
    """A Python float, or None for NaN / infinity."""
    if x is None:
        return None
    x = float(x)
    return x if math.isfinite(x) else None


class ProxyEncoder(BaseEstimator, TransformerMixin):
    """The proxy check's design matrix, fitted on the training rows only."""

    def __init__(self, numeric=(), categorical=(), has_missing=(), level_cap=LEVEL_CAP):
        self.numeric = numeric
        self.categorical = categorical
        self.has_missing = has_missing
        self.level_cap = level_cap

    def fit(self, X, y=None):
        self.blocks_ = []
        for name in X.columns:
            col = X[name]
            if name in self.numeric:
                v = col.to_numpy(dtype=float)
                ok = ~np.isnan(v)
                mean = v[ok].mean() if ok.any() else 0.0
                sd = np.sqrt(((v[ok] - mean) ** 2).mean()) if ok.any() else 0.0
                self.blocks_.append(("num", name, mean, sd if sd > 0 else 1.0))
            else:
                counts = col.dropna().value_counts()
                seen = sorted(counts.index)
                pooled = len(seen) > self.level_cap
                kept = seen
                if pooled:
                    kept = sorted(sorted(seen, key=lambda l: (-counts[l], l))[: self.level_cap])
                self.blocks_.append(("cat", name, kept, pooled))
        return self

    def transform(self, X):
        cols = []
        for block in self.blocks_:
            name = block[1]
            if block[0] == "num":
                _, _, mean, scale = block
                v = X[name].to_numpy(dtype=float)
                miss = np.isnan(v)
                cols.append(np.where(miss, 0.0, (v - mean) / scale))
                if name in self.has_missing:
                    cols.append(miss.astype(float))
            else:
                _, _, kept, pooled = block
                v = X[name]
                miss = v.isna().to_numpy()
                known = np.zeros(len(v), dtype=bool)
                for level in kept:
                    hit = (v == level).to_numpy() & ~miss
                    known |= hit
                    cols.append(hit.astype(float))
                if pooled:
                    cols.append((~known & ~miss).astype(float))
                if name in self.has_missing:
                    cols.append(miss.astype(float))
        return np.column_stack(cols)


def delong(scores, positive):
    """AUC, DeLong SE and the 95% Wald interval clipped to [0, 1]."""
    scores = np.asarray(scores, dtype=float)
    positive = np.asarray(positive, dtype=bool)
    pos, neg = np.sort(scores[positive]), np.sort(scores[~positive])
    n1, n0 = len(pos), len(neg)
    if n1 == 0 or n0 == 0:
        return None
    v10 = (np.searchsorted(neg, scores[positive], "left")
           + 0.5 * (np.searchsorted(neg, scores[positive], "right") - np.searchsorted(neg, scores[positive], "left"))) / n0
    v01 = (n1 - np.searchsorted(pos, scores[~positive], "right")
           + 0.5 * (np.searchsorted(pos, scores[~positive], "right") - np.searchsorted(pos, scores[~positive], "left"))) / n1
    auc = v10.mean()
    s10 = v10.var(ddof=1) if n1 > 1 else 0.0
    s01 = v01.var(ddof=1) if n0 > 1 else 0.0
    se = math.sqrt(s10 / n1 + s01 / n0)
    z = stats.norm.ppf(0.5 + LEVEL / 2)
    return {"auc": float(roc_auc_score(positive, scores)), "auc_delong": float(auc), "se": se,
            "lower": max(0.0, auc - z * se), "upper": min(1.0, auc + z * se),
            "n_pos": n1, "n_neg": n0}


def quantile_bins(x, q=BINS):
    """Codes (missing -> len(cuts) + 1) and cut points, as documented in assoc.rs."""
    x = np.asarray(x, dtype=float)
    ok = ~np.isnan(x)
    s = np.sort(x[ok])
    m = len(s)
    cuts = [s[max(1, (j * m + q - 1) // q) - 1] for j in range(1, q)] if m else []
    cuts = list(dict.fromkeys(cuts))  # dedup, order kept (already sorted)
    codes = np.full(len(x), len(cuts) + 1, dtype=int)
    codes[ok] = np.searchsorted(np.array(cuts), x[ok], side="left")
    return codes, cuts


def v_interval(chi2, df, n, m):
    """Noncentral chi-square inversion for Cramer's V."""
    alpha = 1 - LEVEL

    def solve(target):
        f = lambda nc: (stats.chi2.cdf(chi2, df) if nc == 0 else stats.ncx2.cdf(chi2, df, nc)) - target
        if f(0.0) <= 0:
            return 0.0
        hi = max(chi2, 1.0)
        while f(hi) > 0:
            hi *= 2
        return optimize.brentq(f, 0.0, hi, xtol=1e-12, rtol=1e-14, maxiter=500)

    to_v = lambda nc: min(1.0, math.sqrt(nc / (n * (m - 1))))
    return [to_v(solve(1 - alpha / 2)), to_v(solve(alpha / 2))]


def bergsma(chi2, n, r, c):
    phi2 = max(0.0, chi2 / n - (r - 1) * (c - 1) / (n - 1))
    rt, ct = r - (r - 1) ** 2 / (n - 1), c - (c - 1) ** 2 / (n - 1)
    d = min(rt - 1, ct - 1)
    return math.sqrt(phi2 / d) if d > 0 else None


def feature_codes(df, name, numeric):
    if name in numeric:
        codes, cuts = quantile_bins(df[name].to_numpy(dtype=float))
        return codes, [float(c) for c in cuts]
    v = df[name]
    levels = sorted(v.dropna().unique())
    index = {l: i for i, l in enumerate(levels)}
    return np.array([len(levels) if pd.isna(x) else index[x] for x in v]), None


def target_encode(codes, positive, folds):
    out = np.zeros(len(codes))
    for f in range(FOLDS):
        tr, te = folds != f, folds == f
        base = positive[tr].mean()
        for l in np.unique(codes[te]):
            sel = tr & (codes == l)
            rows = te & (codes == l)
            out[rows] = positive[sel].mean() if sel.any() else base
    return out


def associations(df, attr, features, numeric, folds, groups):
    out = []
    for name in features:
        codes, cuts = feature_codes(df, name, numeric)
        table = pd.crosstab(codes, attr).to_numpy()
        r, c = table.shape
        n = int(table.sum())
        chi2, _, dof, _ = stats.chi2_contingency(table, correction=False)
        v = float(association(table, method="cramer")) if min(r, c) >= 2 else None
        entry = {
            "feature": name, "kind": "numeric" if name in numeric else "categorical",
            "n_missing": int(df[name].isna().sum()), "levels": r, "chi2": float(chi2), "df": int(dof),
            "cramers_v": v, "cramers_v_corrected": bergsma(chi2, n, r, c),
            "cramers_v_interval": v_interval(chi2, dof, n, min(r, c)) if min(r, c) >= 2 else None,
            "mutual_info": float(mutual_info_score(attr, codes)),
        }
        if cuts is not None:
            entry["quantile_cuts"] = cuts
        aucs = {}
        for g in groups:
            positive = (attr == g).to_numpy()
            if name in numeric:
                x = df[name].to_numpy(dtype=float)
                ok = ~np.isnan(x)
                aucs[g] = delong(x[ok], positive[ok])
            else:
                aucs[g] = delong(target_encode(codes, positive, folds), positive)
        entry["group_aucs"] = aucs
        out.append(entry)
    return out


def models(df, attr, features, numeric, folds, groups):
    X = df[features]
    has_missing = tuple(f for f in features if df[f].isna().any())
    enc = dict(numeric=tuple(f for f in features if f in numeric),
               categorical=tuple(f for f in features if f not in numeric), has_missing=has_missing)
    cv = PredefinedSplit(folds)
    out = []
    for g in groups:
        y = (attr == g).to_numpy().astype(int)
        for label, est in [(f"logistic(C={C:g})", LogisticRegression(C=C, tol=1e-10, max_iter=10000)),
                           (f"tree(depth={DEPTH})", DecisionTreeClassifier(max_depth=DEPTH, random_state=0))]:
            pipe = make_pipeline(ProxyEncoder(**enc), est)
            p = cross_val_predict(pipe, X, y, cv=cv, method="predict_proba")[:, 1]
            fold_aucs = cross_val_score(pipe, X, y, cv=cv, scoring="roc_auc")
            d = delong(p, y.astype(bool))
            out.append({"group": g, "model": label, "base_rate": float(y.mean()), "pooled": d,
                        "fold_aucs": [float(a) for a in fold_aucs],
                        "cross_val_score_mean": float(fold_aucs.mean())})
    return out


def separation(score, outcome, attr, groups):
    out = []
    for g in groups:
        for yv in (0, 1):
            sel = (outcome == yv)
            out.append({"group": g, "outcome": yv,
                        "auc": delong(score[sel], (attr[sel] == g).to_numpy())})
    return out


def modelled_groups(attr):
    counts = attr.value_counts()
    return sorted(g for g, n in counts.items() if n >= max(MIN_GROUP, FOLDS) and n < len(attr))


def sha256(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def main():
    warnings.simplefilter("ignore")
    compas_path = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE.parents[3] / "shared" / "data" / "compas-scores-two-years.csv"
    if not compas_path.exists():
        compas_path = Path("/work/shared/data/compas-scores-two-years.csv")

    # Synthetic data with a planted proxy.
    syn = pd.read_csv(HERE / "synthetic_3000.csv", keep_default_na=False, na_values=[""])
    folds = pd.read_csv(HERE / "folds_3000.csv")["fold"].to_numpy()
    feats = ["proxy", "indep_num", "indep_cat", "weak_num", "weak_cat", "weak_bin"]
    numeric = {"indep_num", "weak_num"}
    attr = syn["attribute"].astype(str)
    groups = modelled_groups(attr)
    synthetic = {
        "n": len(syn),
        "groups": {g: int(n) for g, n in sorted(attr.value_counts().items())},
        "models": models(syn, attr, feats, numeric, folds, groups),
        "models_proxy_only": models(syn, attr, ["proxy"], numeric, folds, groups),
        "models_independent_only": models(syn, attr, ["indep_num", "indep_cat"], numeric, folds, groups),
        "features": associations(syn, attr, feats, numeric, folds, groups),
        "score_separation": separation(syn["score"].to_numpy(), syn["outcome"].to_numpy(), attr, groups),
    }

    # COMPAS: do the non-protected inputs predict race?
    raw = pd.read_csv(compas_path)
    cohort = raw[(raw.days_b_screening_arrest <= 30) & (raw.days_b_screening_arrest >= -30)
                 & (raw.is_recid != -1) & (raw.c_charge_degree != "O") & (raw.score_text != "N/A")].reset_index(drop=True)
    cfolds = pd.read_csv(HERE / "compas_folds.csv")["fold"].to_numpy()
    assert len(cohort) == len(cfolds) == 6172, len(cohort)
    cfeats = ["priors_count", "juv_fel_count", "juv_misd_count", "juv_other_count", "c_charge_degree"]
    cnum = {"priors_count", "juv_fel_count", "juv_misd_count", "juv_other_count"}
    race = cohort["race"].astype(str)
    cgroups = modelled_groups(race)
    two = race.isin(["African-American", "Caucasian"]).to_numpy()
    sub = cohort[two].reset_index(drop=True)
    compas = {
        "n": len(cohort),
        "features_used": cfeats,
        "race_counts": {g: int(n) for g, n in sorted(race.value_counts().items())},
        "ovr": {
            "models": models(cohort, race, cfeats, cnum, cfolds, cgroups),
            "features": associations(cohort, race, cfeats, cnum, cfolds, cgroups),
            "score_separation": separation(cohort["decile_score"].to_numpy(dtype=float),
                                           cohort["two_year_recid"].to_numpy(), race, sorted(race.unique())),
        },
        "aa_vs_caucasian": {
            "n": int(two.sum()),
            "note": "rows of the two groups only, with the 6-race folds restricted to them",
            "models": models(sub, sub["race"].astype(str), cfeats, cnum, cfolds[two], ["African-American"]),
            "features": associations(sub, sub["race"].astype(str), cfeats, cnum, cfolds[two], ["African-American"]),
        },
    }

    meta = {
        "generated_by": "tests/golden/proxy/make_proxy_golden.py",
        "python": platform.python_version(), "numpy": np.__version__, "scipy": scipy.__version__,
        "sklearn": sklearn.__version__, "pandas": pd.__version__,
        "options": {"folds": FOLDS, "level": LEVEL, "C": C, "max_depth": DEPTH, "level_cap": LEVEL_CAP,
                    "bins": BINS, "min_group_size": MIN_GROUP, "master_seed": 20240601},
        "inputs": {p: sha256(HERE / p) for p in ["synthetic_3000.csv", "folds_3000.csv", "compas_folds.csv"]}
                  | {"compas-scores-two-years.csv": sha256(compas_path)},
        "auc_fields": "auc (roc_auc_score), auc_delong (mean of V10, equal to auc), se, lower, upper (95% DeLong Wald, clipped), n_pos, n_neg",
    }
    out = {"meta": meta, "synthetic": synthetic, "compas": compas}

    def clean(o):
        if isinstance(o, dict):
            return {k: clean(v) for k, v in o.items()}
        if isinstance(o, (list, tuple)):
            return [clean(v) for v in o]
        if isinstance(o, (float, np.floating)):
            return num(o)
        if isinstance(o, np.integer):
            return int(o)
        return o

    (HERE / "proxy.json").write_text(json.dumps(clean(out), indent=1, sort_keys=False) + "\n")
    print(f"wrote {HERE / 'proxy.json'}")


if __name__ == "__main__":
    main()
