#!/usr/bin/env python3
"""Golden values for fairaudit's score analysis (ranking, calibration, stratified
tests, threshold sweeps, inequality indices), from scikit-learn, statsmodels, AIF360
and small independent row-level implementations written here.

Run from any directory (about 20 seconds):

    python3 -m venv venv && venv/bin/pip install numpy scipy scikit-learn statsmodels pandas aif360
    venv/bin/python tests/golden/score/make_score_golden.py            # writes score.json
    venv/bin/python tests/golden/score/make_score_golden.py --make-synth
        # rewrites synth_score.csv from its seed first (only needed if it is lost;
        # numpy does not promise that its distributions draw the same numbers in
        # every version, so the committed file, not the seed, is the input)

Versions used for the committed score.json are recorded in its "generator" key
(Python 3.11.7, numpy 2.4.6, scipy 1.17.1, scikit-learn 1.9.1, statsmodels 0.15.0,
pandas 3.1.1, aif360 0.6.1).

Inputs
------
* ``../../../audits/compas/compas.csv`` (ProPublica's COMPAS extract, 7,214 rows), with
  ProPublica's cohort filter: ``-30 <= days_b_screening_arrest <= 30`` (missing fails),
  ``is_recid != -1``, ``c_charge_degree != "O"``, ``score_text != "N/A"`` -> 6,172 rows.
  score = decile_score / 10 (so 0.1 .. 1.0, heavily tied), truth = two_year_recid,
  prediction (for the inequality indices) = score_text in {Medium, High}
  (= decile_score >= 5), groupings race and sex. Unweighted.
* ``synth_score.csv`` (3,000 rows, written by ``--make-synth``, seed 20240917): group in
  {A, B, C}; score in [0.0001, 0.9999] with 4 decimals (ties; 30 rows sit exactly on the
  edges 0.1, 0.2, ..., 0.9); y drawn from logit P(y=1) = a_g + b_g logit(score), with
  (a, b) = (0, 1) for A (calibrated), (0.4, 0.8) for B, (-0.3, 1.2) for C; weight a
  multiple of 0.05 in [0.2, 3.0] (C heavier), so weight * 20 is an integer and weighted
  values can be checked by replicating rows. Prediction = score >= 0.5.
* ``edge_cases`` in score.json: tiny hand-made row lists (only positives, all scores
  tied, one row, a zero weight, scores on every calibration edge).

Which independent implementation each value comes from
------------------------------------------------------
(none of this calls or shares code with the Rust crate; everything is computed from
rows, never from the binned tables the Rust code uses)

* auc: sklearn ``roc_auc_score`` (with ``sample_weight`` for the weighted rows).
* roc_curve: sklearn ``roc_curve(drop_intermediate=False)``; the leading threshold
  ``inf`` is written as null.
* delong, auc_difference: fast DeLong (Sun & Xu 2014, IEEE SPL 21:1389) on the rows,
  using ``scipy.stats.rankdata`` midranks; z quantile from ``scipy.stats.norm``.
* xauc, xauc_disparity, borkan (subgroup AUC, BPSN, BNSP), tie_bound: all pairs of
  rows (numpy broadcasting), structural components V10 / V01 from the pair matrix.
* reliability: sklearn ``calibration_curve`` (strategy "uniform" and "quantile",
  unweighted) for prob_true / prob_pred; bin counts, weighted rates and Kish effective
  sizes from numpy on the rows with the same ``searchsorted`` assignment.
* ece, murphy: numpy on the rows. brier: sklearn ``brier_score_loss``.
* calibration_in_the_large: statsmodels ``DescrStatsW`` on d = score - y.
* logistic_recalibration: statsmodels ``GLM(Binomial)`` on the table of distinct scores,
  fitted twice (``var_weights`` = trials with proportions, ``freq_weights`` = trials
  with 0/1 rows expanded) and, unweighted, also on the rows; the calibration intercept
  with slope fixed at 1 is the same GLM with ``offset = logit(score)``. Each fit is run
  a second time from its own solution (see ``refit``). COMPAS has scores of exactly 1
  (decile 10), so its fits clip scores to [0.001, 0.999] first.
* hosmer_lemeshow: pandas ``qcut(q=10, duplicates="drop")`` groups, the usual
  statistic, ``scipy.stats.chi2.sf``.
* cmh: statsmodels ``StratifiedTable`` (``test_null_odds(correction=False)``,
  ``oddsratio_pooled``, ``logodds_pooled_se``, ``oddsratio_pooled_confint``); the
  Mantel-Haenszel risk difference with Sato (1989) and Greenland-Robins (1985)
  variances from the formulas below, written independently. The CMH test is also
  checked against SAS's published migraine example (statistic 8.3052, p 0.0040). No
  published worked example of the MH risk difference with its data was at hand; the
  script checks instead that with one stratum both variances equal the Wald variance
  p1(1-p1)/n1 + p2(1-p2)/n2, and the Sato formula is the one printed in the SAS/STAT
  PROC FREQ documentation ("Common Risk Difference").
* confusion / threshold_for_rate: numpy on the rows (flagged when score >= t),
  cross-checked against sklearn ``confusion_matrix_at_thresholds``.
* inequality: AIF360 ``ClassificationMetric.generalized_entropy_index``,
  ``theil_index``, ``between_all_groups_generalized_entropy_index`` (dataset with the
  one grouping attribute, so that every row is in one of its groups) and
  ``between_group_generalized_entropy_index`` / ``between_group_theil_index`` (two
  groups only). AIF360 ignores instance weights there, so the weighted values come from
  AIF360 on rows replicated weight * 20 times, and the ``aif360_with_instance_weights``
  entries show that AIF360 given the weights returns its unweighted value.

score.json
----------
Every number is to be matched to ``|got - want| <= 1e-9 * max(1, |want|)``. JSON has no
NaN or infinity: an undefined value is null, with a "reason" where useful. Entries name
their rows by ``dataset`` ("compas" | "synth"), ``grouping`` and ``group`` (both null for
the whole dataset) and ``weighted`` (synth only; COMPAS has no weights). Top-level keys:

* generator, tolerance, inputs (paths relative to this directory, sha256, filter, columns)
* table_summaries: rows, positives, weight sums, score sum, distinct scores per selection
  (to check that a reader built the same tables)
* auc, roc_curve (thresholds, fpr, tpr), tie_bound, binning_effect (synth scores coarsened
  to ten uniform bins: coarse AUC, its tie bound, the exact AUC, which lies within)
* delong (level 0.9 and 0.95: auc, variance, se, ci, ci_logit), auc_difference (a - b)
* xauc (positives_from, negatives_from, DeLong result, tie bound, weighted values),
  xauc_disparity (xAUC(a, b) - xAUC(b, a)), borkan (subgroup / bpsn / bnsp per group,
  background = every other row)
* reliability (per binning: edges, bins with rows, positives, mass, observed,
  mean_predicted, wilson_k, wilson_n; sklearn prob_true / prob_pred where unweighted),
  ece, brier, murphy (brier, reliability, resolution, uncertainty,
  within_bin_variance, within_bin_covariance), calibration_in_the_large,
  logistic_recalibration, hosmer_lemeshow (groups, df, statistic, p_value, table)
* cmh (two groups, score strata: strata counts [[a, b], [c, d]] = [[A pos, A neg], [B pos,
  B neg]], CMH statistic and p-value, MH odds ratio with RBG se and interval, MH risk
  difference with Sato and Greenland-Robins se and intervals), cmh_published
* confusion (counts on a threshold grid), threshold_for_rate (fpr / fnr targets; ties go
  to the highest threshold; threshold null = flag nobody)
* inequality (per grouping and alpha: benefit counts [b=0, b=1, b=2] per group, total,
  between, within; weighted entries also hold aif360_unweighted and
  aif360_with_instance_weights), inequality_two_groups (AIF360's own two-group index)
* edge_cases (rows, then per weighting: auc, roc_curve, tie_bound, brier, reliability,
  sklearn arrays; and delong)
"""

import argparse
import hashlib
import json
import logging
import math
import platform
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import scipy
import sklearn
import statsmodels
import statsmodels.api as sm
from scipy import stats
from scipy.special import expit, logit
from sklearn.calibration import calibration_curve
from sklearn.metrics import (
    brier_score_loss,
    confusion_matrix_at_thresholds,
    roc_auc_score,
    roc_curve,
)
from statsmodels.stats.contingency_tables import StratifiedTable
from statsmodels.stats.weightstats import DescrStatsW

warnings.simplefilter("ignore")
logging.disable(logging.WARNING)  # aif360 warns about optional extras at import

HERE = Path(__file__).resolve().parent
COMPAS = HERE / "../../../audits/compas/compas.csv"
SYNTH = HERE / "synth_score.csv"
OUT = HERE / "score.json"
SYNTH_SEED = 20240917
LEVEL = 0.95


def num(x):
    """A Python float, or None for NaN / infinity / None."""
    if x is None:
        return None
    x = float(x)
    return x if math.isfinite(x) else None


def interval(low, high):
    low, high = num(low), num(high)
    if low is None or high is None:
        return None
    return {"low": low, "high": high}


def zcrit(level):
    return stats.norm.ppf(1 - (1 - level) / 2)


def sha256(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


# --------------------------------------------------------------------------- data


def make_synth():
    """Writes synth_score.csv (see the module docstring)."""
    rng = np.random.default_rng(SYNTH_SEED)
    sizes = {"A": 1400, "B": 1000, "C": 600}
    calib = {"A": (0.0, 1.0), "B": (0.4, 0.8), "C": (-0.3, 1.2)}
    centre = {"A": -0.6, "B": -0.2, "C": 0.3}
    rows = []
    for g, n in sizes.items():
        z = rng.normal(centre[g], 1.3, n)
        s = np.round(np.clip(expit(z), 0.0001, 0.9999), 4)
        a, b = calib[g]
        y = rng.random(n) < expit(a + b * logit(s))
        lo = 0.2 if g != "C" else 0.8
        w = np.round(rng.uniform(lo, 3.0, n) / 0.05) * 0.05
        for i in range(n):
            rows.append([g, s[i], int(y[i]), w[i]])
    # Ten rows of each group (30 in all) exactly on the uniform calibration edges.
    k = 0
    for g in sizes:
        idx = [i for i, r in enumerate(rows) if r[0] == g][:10]
        for j, i in enumerate(idx):
            rows[i][1] = round((1 + (j + k) % 9) / 10, 4)
        k += 3
    order = rng.permutation(len(rows))
    with open(SYNTH, "w") as f:
        f.write("id,group,score,y,weight\n")
        for rid, i in enumerate(order):
            g, s, y, w = rows[i]
            f.write(f"{rid + 1},{g},{s:.4f},{y},{w:.2f}\n")


def load_compas():
    d = pd.read_csv(COMPAS)
    n_read = len(d)
    d = d[
        (d.days_b_screening_arrest >= -30)
        & (d.days_b_screening_arrest <= 30)
        & (d.is_recid != -1)
        & (d.c_charge_degree != "O")
        & (d.score_text != "N/A")
    ].reset_index(drop=True)
    assert len(d) == 6172, len(d)
    pred = d.score_text.isin(["Medium", "High"]).astype(int).to_numpy()
    assert (pred == (d.decile_score >= 5).astype(int).to_numpy()).all()
    out = pd.DataFrame(
        {
            "race": d.race.astype(str),
            "sex": d.sex.astype(str),
            "score": d.decile_score.to_numpy() / 10,
            "y": d.two_year_recid.astype(int).to_numpy(),
            "weight": np.ones(len(d)),
            "pred": pred,
        }
    )
    return out, n_read


def load_synth():
    d = pd.read_csv(SYNTH, dtype={"group": str})
    # the values must be the correctly rounded doubles of the decimal strings,
    # as any other reader (Rust's str::parse) gets them
    raw = pd.read_csv(SYNTH, dtype=str)
    assert (d.score.to_numpy() == np.array([float(v) for v in raw.score])).all()
    assert (d.weight.to_numpy() == np.array([float(v) for v in raw.weight])).all()
    d["pred"] = (d.score >= 0.5).astype(int)
    return d


DATASETS = {}
GROUPINGS = {"compas": ["race", "sex"], "synth": ["group"]}


def selections(name):
    """(grouping, group, boolean mask) for the whole dataset and every group."""
    d = DATASETS[name]
    out = [(None, None, np.ones(len(d), dtype=bool))]
    for gr in GROUPINGS[name]:
        for g in sorted(d[gr].unique()):
            out.append((gr, g, (d[gr] == g).to_numpy()))
    return out


def rows_of(name, mask):
    d = DATASETS[name]
    return (
        d.score.to_numpy()[mask].astype(float),
        d.y.to_numpy()[mask].astype(int),
        d.weight.to_numpy()[mask].astype(float),
    )


def weightings(name):
    return [False, True] if name == "synth" else [False]


def tag(name, grouping, group, weighted=None):
    t = {"dataset": name, "grouping": grouping, "group": group}
    if weighted is not None:
        t["weighted"] = weighted
    return t


# ------------------------------------------------------------------- ranking


def fast_delong(pos, neg):
    """Sun & Xu (2014) fast DeLong on rows: AUC, variance."""
    m, n = len(pos), len(neg)
    tx = stats.rankdata(pos)
    ty = stats.rankdata(neg)
    tz = stats.rankdata(np.concatenate([pos, neg]))
    v10 = (tz[:m] - tx) / n
    v01 = 1.0 - (tz[m:] - ty) / m
    auc = v10.mean()
    var = v10.var(ddof=1) / m + v01.var(ddof=1) / n
    return auc, var


def pairs_auc(pos, neg, wp=None, wn=None):
    """All pairs: AUC (weighted if weights given), DeLong variance (unweighted),
    and the largest effect of the within-tie half credit."""
    psi = (pos[:, None] > neg[None, :]) + 0.5 * (pos[:, None] == neg[None, :])
    tie = pos[:, None] == neg[None, :]
    if wp is None:
        wp, wn = np.ones(len(pos)), np.ones(len(neg))
    ww = wp[:, None] * wn[None, :]
    W = ww.sum()
    auc = (psi * ww).sum() / W
    bound = 0.5 * (tie * ww).sum() / W
    v10 = psi.mean(axis=1)
    v01 = psi.mean(axis=0)
    m, n = len(pos), len(neg)
    var = v10.var(ddof=1) / m + v01.var(ddof=1) / n if m > 1 and n > 1 else None
    return auc, var, bound


def estimate(auc, var, level=LEVEL):
    z = zcrit(level)
    se = math.sqrt(var)
    ci = interval(max(0.0, auc - z * se), min(1.0, auc + z * se))
    if 0.0 < auc < 1.0:
        lg = logit(auc)
        h = z * se / (auc * (1 - auc))
        ci_logit = interval(expit(lg - h), expit(lg + h))
    else:
        ci_logit = None
    return {
        "auc": num(auc),
        "variance": num(var),
        "se": num(se),
        "ci": ci,
        "ci_logit": ci_logit,
    }


def difference(ea, eb, level=LEVEL):
    z = zcrit(level)
    d = ea["auc"] - eb["auc"]
    se = math.sqrt(ea["variance"] + eb["variance"])
    zz = d / se
    return {
        "difference": d,
        "se": se,
        "ci": interval(max(-1.0, d - z * se), min(1.0, d + z * se)),
        "z": zz,
        "p_value": 2 * stats.norm.sf(abs(zz)),
    }


def ranking(out):
    out["auc"], out["roc_curve"], out["delong"] = [], [], []
    out["tie_bound"] = []
    for name in DATASETS:
        for gr, g, mask in selections(name):
            s, y, w = rows_of(name, mask)
            for wt in weightings(name):
                sw = w if wt else None
                if y.min() == y.max():
                    out["auc"].append(dict(tag(name, gr, g, wt), auc=None, reason="one class"))
                    continue
                auc = roc_auc_score(y, s, sample_weight=sw)
                out["auc"].append(dict(tag(name, gr, g, wt), auc=auc))
                _, _, bound = pairs_auc(
                    s[y == 1], s[y == 0], *((w[y == 1], w[y == 0]) if wt else ())
                )
                out["tie_bound"].append(dict(tag(name, gr, g, wt), bound=bound))
                if name == "compas" or g == "C":
                    fpr, tpr, thr = roc_curve(y, s, sample_weight=sw, drop_intermediate=False)
                    out["roc_curve"].append(
                        dict(
                            tag(name, gr, g, wt),
                            thresholds=[num(t) for t in thr],
                            fpr=[float(v) for v in fpr],
                            tpr=[float(v) for v in tpr],
                        )
                    )
            if y.min() == y.max():
                continue
            pos, neg = s[y == 1], s[y == 0]
            if len(pos) < 2 or len(neg) < 2:
                out["delong"].append(
                    dict(
                        tag(name, gr, g),
                        result=None,
                        reason="fewer than two positives or negatives",
                    )
                )
                continue
            auc, var = fast_delong(pos, neg)
            auc_p, var_p, _ = pairs_auc(pos, neg)
            assert abs(auc - auc_p) < 1e-12 and abs(var - var_p) < 1e-12 * max(1, var)
            for level in (0.9, 0.95):
                out["delong"].append(
                    dict(tag(name, gr, g), level=level, result=estimate(auc, var, level))
                )

    # Binning: AUC of the synth scores coarsened to the ten uniform calibration bins
    # (every score replaced by its bin number), the bound, and the exact AUC.
    s, y, w = rows_of("synth", np.ones(len(DATASETS["synth"]), dtype=bool))
    edges = np.linspace(0, 1, 11)
    coarse = np.searchsorted(edges[1:-1], s).astype(float)
    out["binning_effect"] = []
    for wt in (False, True):
        sw = w if wt else None
        args = (w[y == 1], w[y == 0]) if wt else ()
        a_c, _, b_c = pairs_auc(coarse[y == 1], coarse[y == 0], *args)
        a_f = roc_auc_score(y, s, sample_weight=sw)
        assert abs(a_c - roc_auc_score(y, coarse, sample_weight=sw)) < 1e-12
        assert a_c - b_c <= a_f <= a_c + b_c
        out["binning_effect"].append(
            {
                "dataset": "synth",
                "weighted": wt,
                "binning": {"uniform": 10},
                "coarse_auc": a_c,
                "bound": b_c,
                "exact_auc": a_f,
            }
        )


def group_rows(name, gr, g):
    d = DATASETS[name]
    m = (d[gr] == g).to_numpy()
    return rows_of(name, m)


PAIRS = {
    "compas": [
        ("race", "African-American", "Caucasian"),
        ("race", "Hispanic", "Caucasian"),
        ("sex", "Male", "Female"),
    ],
    "synth": [("group", "A", "B"), ("group", "B", "C"), ("group", "A", "C")],
}


def cross_group(out):
    out["auc_difference"], out["xauc"], out["xauc_disparity"], out["borkan"] = [], [], [], []
    for name, pairs in PAIRS.items():
        for gr, a, b in pairs:
            sa, ya, wa = group_rows(name, gr, a)
            sb, yb, wb = group_rows(name, gr, b)
            ea = estimate(*fast_delong(sa[ya == 1], sa[ya == 0]))
            eb = estimate(*fast_delong(sb[yb == 1], sb[yb == 0]))
            out["auc_difference"].append(
                {
                    "dataset": name,
                    "grouping": gr,
                    "a": a,
                    "b": b,
                    "level": LEVEL,
                    "result": difference(ea, eb),
                }
            )
            xs = {}
            for p, q, sp, yp, wp, sq, yq, wq in (
                (a, b, sa, ya, wa, sb, yb, wb),
                (b, a, sb, yb, wb, sa, ya, wa),
            ):
                auc, var, bound = pairs_auc(sp[yp == 1], sq[yq == 0])
                xs[p] = estimate(auc, var)
                entry = {
                    "dataset": name,
                    "grouping": gr,
                    "positives_from": p,
                    "negatives_from": q,
                    "level": LEVEL,
                    "result": xs[p],
                    "tie_bound": bound,
                }
                if name == "synth":
                    entry["weighted_auc"], _, entry["weighted_tie_bound"] = pairs_auc(
                        sp[yp == 1], sq[yq == 0], wp[yp == 1], wq[yq == 0]
                    )
                out["xauc"].append(entry)
            out["xauc_disparity"].append(
                {
                    "dataset": name,
                    "grouping": gr,
                    "a": a,
                    "b": b,
                    "level": LEVEL,
                    "result": difference(xs[a], xs[b]),
                }
            )
    for name in DATASETS:
        d = DATASETS[name]
        for gr in GROUPINGS[name]:
            for g in sorted(d[gr].unique()):
                m = (d[gr] == g).to_numpy()
                ss, ys, ws = rows_of(name, m)
                sbk, ybk, wbk = rows_of(name, ~m)
                entry = {"dataset": name, "grouping": gr, "group": g, "level": LEVEL}
                for key, pos, neg, wpos, wneg in (
                    ("subgroup", ss[ys == 1], ss[ys == 0], ws[ys == 1], ws[ys == 0]),
                    ("bpsn", sbk[ybk == 1], ss[ys == 0], wbk[ybk == 1], ws[ys == 0]),
                    ("bnsp", ss[ys == 1], sbk[ybk == 0], ws[ys == 1], wbk[ybk == 0]),
                ):
                    if len(pos) < 2 or len(neg) < 2:
                        entry[key] = None
                        continue
                    auc, var, _ = pairs_auc(pos, neg)
                    entry[key] = estimate(auc, var)
                    if name == "synth":
                        entry[key]["weighted_auc"] = pairs_auc(pos, neg, wpos, wneg)[0]
                out["borkan"].append(entry)


# --------------------------------------------------------------- calibration


def uniform_edges(n):
    return np.linspace(0.0, 1.0, n + 1)


def quantile_edges(s, n):
    return np.percentile(s, np.linspace(0, 1, n + 1) * 100)


def reliability_rows(s, y, w, edges, weighted):
    k = len(edges) - 1
    ids = np.searchsorted(edges[1:-1], s)
    bins = []
    for i in range(k):
        m = ids == i
        cnt = int(m.sum())
        if cnt == 0:
            bins.append(
                {
                    "lower": float(edges[i]),
                    "upper": float(edges[i + 1]),
                    "rows": 0,
                    "observed": None,
                    "mean_predicted": None,
                    "wilson_k": 0.0,
                    "wilson_n": 0.0,
                }
            )
            continue
        ww = w[m] if weighted else np.ones(cnt)
        W = ww.sum()
        obs = (ww * y[m]).sum() / W
        pred = (ww * s[m]).sum() / W
        n_eff = W * W / (ww * ww).sum()
        bins.append(
            {
                "lower": float(edges[i]),
                "upper": float(edges[i + 1]),
                "rows": cnt,
                "positives": int(y[m].sum()),
                "mass": W,
                "observed": obs,
                "mean_predicted": pred,
                "wilson_k": obs * n_eff,
                "wilson_n": n_eff,
            }
        )
    return bins


def murphy_rows(s, y, w, edges):
    ids = np.searchsorted(edges[1:-1], s)
    W = w.sum()
    ybar = (w * y).sum() / W
    rel = res = wbv = wbc = 0.0
    for i in np.unique(ids):
        m = ids == i
        ww = w[m]
        Wk = ww.sum()
        sk = (ww * s[m]).sum() / Wk
        yk = (ww * y[m]).sum() / Wk
        rel += Wk * (sk - yk) ** 2
        res += Wk * (yk - ybar) ** 2
        wbv += (ww * (s[m] - sk) ** 2).sum()
        wbc += (ww * (s[m] - sk) * (y[m] - yk)).sum()
    out = {
        "reliability": rel / W,
        "resolution": res / W,
        "uncertainty": ybar * (1 - ybar),
        "within_bin_variance": wbv / W,
        "within_bin_covariance": wbc / W,
    }
    brier = (w * (s - y) ** 2).sum() / W
    recon = (
        out["reliability"]
        - out["resolution"]
        + out["uncertainty"]
        + out["within_bin_variance"]
        - 2 * out["within_bin_covariance"]
    )
    assert abs(recon - brier) < 1e-12, (recon, brier)
    out["brier"] = brier
    return out


def refit(model):
    """IRLS, then IRLS again from its own solution: statsmodels' IRLS reports
    the covariance at the weights of its last-but-one iterate (off by ~1e-11
    relative here); one more pass evaluates it at the converged parameters
    (checked against a 50-digit mpmath Newton fit for COMPAS race=Asian)."""
    first = model.fit(tol=1e-14, maxiter=200)
    return model.fit(start_params=first.params, tol=1e-14, maxiter=200)


def recalibration(s, y, w, clip):
    """statsmodels GLM Binomial on the table of distinct scores."""
    sc = np.clip(s, clip, 1 - clip) if clip else s
    if not clip:
        assert ((s > 0) & (s < 1)).all()
    t = pd.DataFrame({"s": sc, "y": y * w, "m": w}).groupby("s").sum().reset_index()
    x = logit(t.s.to_numpy())
    X = sm.add_constant(x)
    prop = t.y.to_numpy() / t.m.to_numpy()
    fit_v = refit(sm.GLM(prop, X, family=sm.families.Binomial(), var_weights=t.m.to_numpy()))
    # freq_weights on the expanded 0/1 table (positives and negatives of each score)
    yy = np.concatenate([np.ones(len(t)), np.zeros(len(t))])
    XX = np.vstack([X, X])
    ff = np.concatenate([t.y.to_numpy(), t.m.to_numpy() - t.y.to_numpy()])
    keep = ff > 0
    fit_f = refit(sm.GLM(yy[keep], XX[keep], family=sm.families.Binomial(), freq_weights=ff[keep]))
    assert np.allclose(fit_v.params, fit_f.params, rtol=1e-12, atol=1e-13)
    assert np.allclose(fit_v.bse, fit_f.bse, rtol=1e-12)
    off = refit(
        sm.GLM(
            prop,
            np.ones((len(t), 1)),
            family=sm.families.Binomial(),
            var_weights=t.m.to_numpy(),
            offset=x,
        )
    )
    z = zcrit(LEVEL)
    a, b = fit_v.params
    sa, sb = fit_v.bse
    a1, sa1 = off.params[0], off.bse[0]
    return {
        "clip": clip,
        "intercept": a,
        "slope": b,
        "se_intercept": sa,
        "se_slope": sb,
        "covariance": fit_v.cov_params()[0, 1],
        "ci_intercept": interval(a - z * sa, a + z * sa),
        "ci_slope": interval(b - z * sb, b + z * sb),
        "offset_intercept": a1,
        "se_offset_intercept": sa1,
        "ci_offset_intercept": interval(a1 - z * sa1, a1 + z * sa1),
    }, (fit_v, X, prop, t.m.to_numpy())


def hosmer_lemeshow_rows(s, y, g=10):
    q = pd.qcut(pd.Series(s), q=g, duplicates="drop")
    df = (
        pd.DataFrame({"q": q, "s": s, "y": y})
        .groupby("q", observed=True)
        .agg(n=("y", "size"), o=("y", "sum"), e=("s", "sum"))
    )
    G = len(df)
    table = [{"n": int(r.n), "observed": int(r.o), "expected": float(r.e)} for r in df.itertuples()]
    if ((df.e <= 0) | (df.e >= df.n)).any():
        return {
            "groups": G,
            "df": G - 2,
            "statistic": None,
            "p_value": None,
            "table": table,
            "reason": "a group whose expected count is 0 or its size",
        }
    stat = float((((df.o - df.e) ** 2) / (df.e * (1 - df.e / df.n))).sum())
    return {
        "groups": G,
        "df": G - 2,
        "statistic": stat,
        "p_value": float(stats.chi2.sf(stat, G - 2)),
        "table": table,
    }


def calibration(out):
    for k in (
        "reliability",
        "ece",
        "brier",
        "murphy",
        "calibration_in_the_large",
        "logistic_recalibration",
        "hosmer_lemeshow",
    ):
        out[k] = []
    for name in DATASETS:
        for gr, g, mask in selections(name):
            s, y, w = rows_of(name, mask)
            binnings = [
                ("uniform", 10, uniform_edges(10)),
                ("quantile", 10, quantile_edges(s, 10)),
                ("uniform", 5, uniform_edges(5)),
            ]
            binnings.append(
                ("edges", [0.0, 0.25, 0.5, 0.75, 1.0], np.array([0.0, 0.25, 0.5, 0.75, 1.0]))
            )
            for wt in weightings(name):
                ww = w if wt else np.ones(len(s))
                for kind, arg, edges in binnings:
                    rel = reliability_rows(s, y, ww, edges, True)
                    entry = dict(
                        tag(name, gr, g, wt),
                        binning={kind: arg},
                        edges=[float(e) for e in edges],
                        bins=rel,
                    )
                    if not wt and kind in ("uniform", "quantile"):
                        pt, pp = calibration_curve(y, s, n_bins=arg, strategy=kind)
                        nz = [b for b in rel if b["rows"] > 0]
                        assert np.allclose(pt, [b["observed"] for b in nz], rtol=1e-12, atol=0)
                        assert np.allclose(
                            pp, [b["mean_predicted"] for b in nz], rtol=1e-12, atol=0
                        )
                        entry["sklearn_prob_true"] = [float(v) for v in pt]
                        entry["sklearn_prob_pred"] = [float(v) for v in pp]
                    out["reliability"].append(entry)
                    W = ww.sum()
                    ece = sum(
                        b["mass"] / W * abs(b["observed"] - b["mean_predicted"])
                        for b in rel
                        if b["rows"] > 0
                    )
                    out["ece"].append(dict(tag(name, gr, g, wt), binning={kind: arg}, ece=ece))
                    mur = murphy_rows(s, y, ww, edges)
                    out["murphy"].append(dict(tag(name, gr, g, wt), binning={kind: arg}, **mur))
                out["brier"].append(
                    dict(
                        tag(name, gr, g, wt),
                        brier=brier_score_loss(y, s, sample_weight=ww if wt else None),
                    )
                )
                d = s - y
                W = ww.sum()
                n_eff = W * W / (ww * ww).sum()
                if n_eff > 1:
                    ds = DescrStatsW(d, weights=ww * n_eff / W)
                    se = ds.std_mean
                    if not wt:
                        assert (
                            abs(se - DescrStatsW(d).std_mean) < 1e-15
                            and abs(se - d.std(ddof=1) / math.sqrt(len(d))) < 1e-12
                        )
                    z = zcrit(LEVEL)
                    diff = ds.mean
                    citl = {
                        "mean_predicted": (ww * s).sum() / W,
                        "observed": (ww * y).sum() / W,
                        "difference": diff,
                        "se": se,
                        "effective_n": n_eff,
                        "ci": interval(max(-1, diff - z * se), min(1, diff + z * se)),
                    }
                else:
                    citl = None
                out["calibration_in_the_large"].append(
                    dict(tag(name, gr, g, wt), level=LEVEL, result=citl)
                )
                if y.min() != y.max():
                    clip = 0.001 if name == "compas" else None
                    rec, (fit, X, prop, m) = recalibration(s, y, ww, clip)
                    if not wt and name == "synth":
                        rows_fit = refit(
                            sm.GLM(y, sm.add_constant(logit(s)), family=sm.families.Binomial())
                        )
                        assert np.allclose(
                            rows_fit.params, [rec["intercept"], rec["slope"]], rtol=1e-11
                        )
                        assert np.allclose(
                            rows_fit.bse, [rec["se_intercept"], rec["se_slope"]], rtol=1e-11
                        )
                    out["logistic_recalibration"].append(
                        dict(tag(name, gr, g, wt), level=LEVEL, result=rec)
                    )
            if y.min() != y.max():
                out["hosmer_lemeshow"].append(
                    dict(tag(name, gr, g), result=hosmer_lemeshow_rows(s, y))
                )


# --------------------------------------------------------------- stratified


def mh_rd(tables, level=LEVEL):
    """Mantel-Haenszel risk difference p_A - p_B (a/n1 - c/n2 in [[a, b], [c, d]]),
    Sato (1989) and Greenland-Robins (1985) variances, written from the formulas in
    SAS/STAT PROC FREQ "Common risk difference" (Sato) and Greenland & Robins
    (1985, Biometrics 41:55-68, eq. for the RD, = sum w_k^2 Var_k / (sum w_k)^2)."""
    num_ = den = P = Q = gr = 0.0
    for t in tables:
        a, b = t[0]
        c, d = t[1]
        n1, n2 = a + b, c + d
        n = n1 + n2
        if n == 0:
            continue
        num_ += (a * n2 - c * n1) / n
        den += n1 * n2 / n
        P += (n1 * n1 * c - n2 * n2 * a + n1 * n2 * (n2 - n1) / 2) / n**2
        Q += (a * (n2 - c) + c * (n1 - a)) / (2 * n)
        if n1 > 0 and n2 > 0:
            gr += (a * b * n2**3 + c * d * n1**3) / (n1 * n2 * n * n)
    rd = num_ / den
    z = zcrit(level)
    v_sato = (rd * P + Q) / den**2
    v_gr = gr / den**2
    return {
        "rd": rd,
        "se_sato": math.sqrt(v_sato),
        "ci_sato": interval(
            max(-1, rd - z * math.sqrt(v_sato)), min(1, rd + z * math.sqrt(v_sato))
        ),
        "se_greenland_robins": math.sqrt(v_gr),
        "ci_greenland_robins": interval(
            max(-1, rd - z * math.sqrt(v_gr)), min(1, rd + z * math.sqrt(v_gr))
        ),
    }


def stratified_case(tables):
    used = [t for t in tables if np.sum(t) >= 2]
    st = StratifiedTable([np.array(t, dtype=float) for t in used])
    test = st.test_null_odds(correction=False)
    ci = st.oddsratio_pooled_confint(alpha=1 - LEVEL)
    return {
        "strata": [[list(map(int, t[0])), list(map(int, t[1]))] for t in tables],
        "strata_used": len(used),
        "statistic": float(test.statistic),
        "p_value": float(stats.chi2.sf(test.statistic, 1)),
        "p_value_statsmodels": float(test.pvalue),
        "odds_ratio": float(st.oddsratio_pooled),
        "log_odds_ratio_se": float(st.logodds_pooled_se),
        "odds_ratio_ci": interval(*ci),
        **mh_rd(tables),
    }


def strata(name, gr, a, b, edges):
    out = []
    sa, ya, _ = group_rows(name, gr, a)
    sb, yb, _ = group_rows(name, gr, b)
    ia = np.searchsorted(edges[1:-1], sa)
    ib = np.searchsorted(edges[1:-1], sb)
    for k in range(len(edges) - 1):
        ma, mb = ia == k, ib == k
        out.append(
            [
                [int(ya[ma].sum()), int((1 - ya[ma]).sum())],
                [int(yb[mb].sum()), int((1 - yb[mb]).sum())],
            ]
        )
    return out


def stratified(out):
    out["cmh"] = []
    for name, pairs in PAIRS.items():
        for gr, a, b in pairs:
            for label, edges in (
                ("uniform", uniform_edges(10)),
                ("edges", np.array([0.0, 0.3, 0.6, 1.0])),
            ):
                tables = strata(name, gr, a, b, edges)
                binning = (
                    {"uniform": 10} if label == "uniform" else {"edges": [float(e) for e in edges]}
                )
                out["cmh"].append(
                    {
                        "dataset": name,
                        "grouping": gr,
                        "a": a,
                        "b": b,
                        "binning": binning,
                        "level": LEVEL,
                        "result": stratified_case(tables),
                    }
                )
    # SAS/STAT PROC FREQ example "Cochran-Mantel-Haenszel Statistics" (Migraine data):
    # published CMH statistic 8.3052, p 0.0040 (rows Active / Placebo, columns
    # Better / Same, strata female / male).
    mig = [[[16, 11], [5, 20]], [[12, 16], [7, 19]]]
    res = stratified_case(mig)
    assert round(res["statistic"], 4) == 8.3052 and round(res["p_value"], 4) == 0.0040
    # A single stratum: both RD variances reduce to the Wald variance
    # p1(1-p1)/n1 + p2(1-p2)/n2.
    one = [[[23, 25], [31, 113]]]
    r1 = mh_rd(one)
    p1, p2 = 23 / 48, 31 / 144
    wald = math.sqrt(p1 * (1 - p1) / 48 + p2 * (1 - p2) / 144)
    assert abs(r1["se_sato"] - wald) < 1e-14 and abs(r1["se_greenland_robins"] - wald) < 1e-14
    out["cmh_published"] = [
        {
            "source": "SAS/STAT PROC FREQ, Example 'Cochran-Mantel-Haenszel Statistics' (Migraine)",
            "published": {"statistic": 8.3052, "p_value": 0.0040},
            "result": res,
        },
        {
            "source": "one stratum: Sato and Greenland-Robins variances equal the Wald variance",
            "wald_se": wald,
            "result": stratified_case(one),
        },
    ]


# --------------------------------------------------------------- thresholds


def confusion(s, y, w, t):
    f = s >= t
    return {
        "threshold": t,
        "tp": float((w * (f & (y == 1))).sum()),
        "fp": float((w * (f & (y == 0))).sum()),
        "tn": float((w * (~f & (y == 0))).sum()),
        "fn": float((w * (~f & (y == 1))).sum()),
    }


GRIDS = {
    "compas": [0.0, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.05],
    "synth": [0.0, 0.1, 0.2, 0.3, 0.3333, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0],
}


def thresholds(out):
    out["confusion"], out["threshold_for_rate"] = [], []
    for name in DATASETS:
        for gr, g, mask in selections(name):
            s, y, w = rows_of(name, mask)
            for wt in weightings(name):
                ww = w if wt else np.ones(len(s))
                grid = [confusion(s, y, ww, t) for t in GRIDS[name]]
                # cross-check at the data's own thresholds with sklearn
                tn, fp, fn, tp, thr = confusion_matrix_at_thresholds(
                    y, s, sample_weight=ww if wt else None
                )
                for i in range(0, len(thr), max(1, len(thr) // 7)):
                    c = confusion(s, y, ww, thr[i])
                    assert np.allclose(
                        [c["tp"], c["fp"], c["tn"], c["fn"]],
                        [tp[i], fp[i], tn[i], fn[i]],
                        rtol=1e-12,
                    )
                out["confusion"].append(dict(tag(name, gr, g, wt), grid=grid))
                P = (ww * y).sum()
                N = (ww * (1 - y)).sum()
                cands = [None] + sorted(np.unique(s), reverse=True)
                for rate, targets in (
                    ("fpr", [0.05, 0.1, 0.2, 0.3, 0.45]),
                    ("fnr", [0.2, 0.35, 0.5]),
                ):
                    denom = N if rate == "fpr" else P
                    for target in targets:
                        if denom == 0:
                            out["threshold_for_rate"].append(
                                dict(tag(name, gr, g, wt), rate=rate, target=target, result=None)
                            )
                            continue
                        best = None
                        for t in cands:  # highest threshold first, so ties keep it
                            c = confusion(s, y, ww, math.inf if t is None else t)
                            r = c["fp"] / N if rate == "fpr" else c["fn"] / P
                            dist = abs(r - target)
                            if best is None or dist < best[0]:
                                best = (dist, t, r, c)
                        out["threshold_for_rate"].append(
                            dict(
                                tag(name, gr, g, wt),
                                rate=rate,
                                target=target,
                                result={
                                    "threshold": num(best[1]),
                                    "rate": best[2],
                                    "tp": best[3]["tp"],
                                    "fp": best[3]["fp"],
                                    "tn": best[3]["tn"],
                                    "fn": best[3]["fn"],
                                },
                            )
                        )


# --------------------------------------------------------------- inequality


def aif_metric(df, attr):
    from aif360.datasets import BinaryLabelDataset
    from aif360.metrics import ClassificationMetric

    codes = {v: i for i, v in enumerate(sorted(df[attr].unique()))}
    frame = pd.DataFrame({"attr": df[attr].map(codes).astype(float), "y": df.y.astype(float)})
    kw = {}
    if "w" in df:
        frame["w"] = df.w.astype(float).to_numpy()
        kw["instance_weights_name"] = "w"
    ds = BinaryLabelDataset(
        df=frame,
        label_names=["y"],
        protected_attribute_names=["attr"],
        favorable_label=1.0,
        unfavorable_label=0.0,
        **kw,
    )
    cl = ds.copy(deepcopy=True)
    cl.labels = df.pred.astype(float).to_numpy().reshape(-1, 1)
    # privileged / unprivileged only matter for between_group_*: first vs second code
    return ClassificationMetric(
        ds, cl, unprivileged_groups=[{"attr": 1.0}], privileged_groups=[{"attr": 0.0}]
    )


ALPHAS = [0.0, 0.5, 1.0, 2.0, 3.0]


def inequality(out):
    out["inequality"], out["inequality_two_groups"] = [], []
    for name in DATASETS:
        d = DATASETS[name]
        for gr in GROUPINGS[name]:
            for wt in weightings(name):
                if wt:
                    reps = np.rint(d.weight.to_numpy() * 20).astype(int)
                    assert np.allclose(reps, d.weight.to_numpy() * 20, atol=1e-9)
                    dd = d.loc[d.index.repeat(reps)].reset_index(drop=True)
                else:
                    dd = d
                cm = aif_metric(dd, gr)
                counts = {}
                for g in sorted(d[gr].unique()):
                    m = (d[gr] == g).to_numpy()
                    ww = d.weight.to_numpy()[m] if wt else np.ones(m.sum())
                    b = d.pred.to_numpy()[m] - d.y.to_numpy()[m] + 1
                    counts[g] = [float(ww[b == k].sum()) for k in (0, 1, 2)]
                for alpha in ALPHAS:
                    tot = cm.generalized_entropy_index(alpha=alpha)
                    btw = cm.between_all_groups_generalized_entropy_index(alpha=alpha)
                    e = dict(tag(name, gr, None, wt), alpha=alpha, benefit_counts=counts)
                    e["total"], e["between"] = num(tot), num(btw)
                    e["within"] = (
                        num(tot - btw)
                        if e["total"] is not None and e["between"] is not None
                        else None
                    )
                    if e["total"] is None:
                        e["reason"] = "aif360 returns infinity (a benefit of 0 with alpha <= 0)"
                    if alpha == 1.0:
                        assert cm.theil_index() == tot
                    if wt:
                        cmw = aif_metric(d.assign(w=d.weight), gr)
                        cmu = aif_metric(d, gr)
                        e["aif360_with_instance_weights"] = num(
                            cmw.generalized_entropy_index(alpha=alpha)
                        )
                        e["aif360_unweighted"] = num(cmu.generalized_entropy_index(alpha=alpha))
                        assert e["aif360_with_instance_weights"] == e["aif360_unweighted"]
                        if e["total"] is not None:
                            assert abs(e["total"] - e["aif360_unweighted"]) > 1e-6
                    out["inequality"].append(e)
        # AIF360's own two-group between index, on the rows of those two groups only
        for gr, a, b in PAIRS[name][:2]:
            for wt in weightings(name):
                sub = d[d[gr].isin([a, b])]
                if wt:
                    reps = np.rint(sub.weight.to_numpy() * 20).astype(int)
                    sub = sub.loc[sub.index.repeat(reps)]
                sub = sub.reset_index(drop=True)
                cm = aif_metric(sub, gr)
                counts = {}
                for g in (a, b):
                    m = (d[gr] == g).to_numpy()
                    ww = d.weight.to_numpy()[m] if wt else np.ones(m.sum())
                    bb = d.pred.to_numpy()[m] - d.y.to_numpy()[m] + 1
                    counts[g] = [float(ww[bb == k].sum()) for k in (0, 1, 2)]
                for alpha in (1.0, 2.0):
                    bt = (
                        cm.between_group_theil_index()
                        if alpha == 1.0
                        else cm.between_group_generalized_entropy_index(alpha=2)
                    )
                    out["inequality_two_groups"].append(
                        {
                            "dataset": name,
                            "grouping": gr,
                            "groups": [a, b],
                            "weighted": wt,
                            "alpha": alpha,
                            "benefit_counts": counts,
                            "total": num(cm.generalized_entropy_index(alpha=alpha)),
                            "between": num(bt),
                        }
                    )


# --------------------------------------------------------------- edge cases


EDGE = {
    "only_positives": [[0.2, 1, 1.0], [0.5, 1, 2.0], [0.5, 1, 1.0], [0.9, 1, 0.5]],
    "all_tied": [[0.4, 1, 1.0], [0.4, 0, 1.0], [0.4, 1, 2.0], [0.4, 0, 0.5], [0.4, 0, 1.5]],
    "one_row": [[0.7, 1, 1.0]],
    "zero_weight": [
        [0.1, 0, 1.0],
        [0.3, 1, 0.0],
        [0.3, 0, 2.0],
        [0.6, 1, 1.0],
        [0.6, 0, 0.5],
        [0.8, 1, 1.5],
        [0.2, 1, 1.0],
    ],
    "on_edges": [[k / 10, k % 2, 1.0] for k in range(11)]
    + [[k / 10, (k + 1) % 2, 1.0] for k in range(0, 11, 3)],
}


def edge_cases(out):
    res = {}
    for name, rows in EDGE.items():
        s = np.array([r[0] for r in rows], dtype=float)
        y = np.array([r[1] for r in rows], dtype=int)
        w = np.array([r[2] for r in rows], dtype=float)
        e = {"rows": rows}
        for wt in (False, True):
            key = "weighted" if wt else "unweighted"
            sw = w if wt else None
            r = {}
            both = (
                (y == 1).any()
                and (y == 0).any()
                and (not wt or ((w * y).sum() > 0 and (w * (1 - y)).sum() > 0))
            )
            if both:
                r["auc"] = roc_auc_score(y, s, sample_weight=sw)
                fpr, tpr, thr = roc_curve(y, s, sample_weight=sw, drop_intermediate=False)
                r["roc_curve"] = {
                    "thresholds": [num(t) for t in thr],
                    "fpr": list(map(float, fpr)),
                    "tpr": list(map(float, tpr)),
                }
                args = (w[y == 1], w[y == 0]) if wt else ()
                r["tie_bound"] = pairs_auc(s[y == 1], s[y == 0], *args)[2]
            else:
                r["auc"] = None
                r["reason"] = "one class"
            r["brier"] = brier_score_loss(y, s, sample_weight=sw)
            ww = w if wt else np.ones(len(s))
            r["reliability_uniform_10"] = reliability_rows(s, y, ww, uniform_edges(10), True)
            if not wt:
                pt, pp = (
                    calibration_curve(y, s, n_bins=10, strategy="uniform")
                    if len(np.unique(y)) > 1
                    else (None, None)
                )
                r["sklearn_prob_true"] = None if pt is None else list(map(float, pt))
                r["sklearn_prob_pred"] = None if pp is None else list(map(float, pp))
            e[key] = r
        pos, neg = s[y == 1], s[y == 0]
        if len(pos) >= 2 and len(neg) >= 2:
            auc, var = fast_delong(pos, neg)
            e["delong"] = estimate(auc, var)
        else:
            e["delong"] = None
        res[name] = e
    out["edge_cases"] = res


# --------------------------------------------------------------- summaries


def summaries(out):
    """Per selection: what the Rust test must have read from the CSV files."""
    res = []
    for name in DATASETS:
        for gr, g, mask in selections(name):
            s, y, w = rows_of(name, mask)
            res.append(
                dict(
                    tag(name, gr, g),
                    rows=int(len(s)),
                    positives=int(y.sum()),
                    weight_pos=float(w[y == 1].sum()),
                    weight_neg=float(w[y == 0].sum()),
                    sum_score=float(s.sum()),
                    distinct_scores=int(len(np.unique(s))),
                )
            )
    out["table_summaries"] = res


def find_nonfinite(obj, path="$"):
    """Paths of NaN / infinite floats (JSON cannot hold them)."""
    if isinstance(obj, float):
        return [] if math.isfinite(obj) else [path]
    if isinstance(obj, dict):
        return [p for k, v in obj.items() for p in find_nonfinite(v, f"{path}.{k}")]
    if isinstance(obj, (list, tuple)):
        return [p for i, v in enumerate(obj) for p in find_nonfinite(v, f"{path}[{i}]")]
    return []


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument(
        "--make-synth", action="store_true", help="rewrite synth_score.csv from its seed first"
    )
    args = ap.parse_args()
    if args.make_synth or not SYNTH.exists():
        make_synth()
    import aif360

    compas, n_read = load_compas()
    DATASETS["compas"] = compas
    DATASETS["synth"] = load_synth()
    out = {
        "generator": {
            "script": "make_score_golden.py",
            "python": platform.python_version(),
            "numpy": np.__version__,
            "scipy": scipy.__version__,
            "scikit-learn": sklearn.__version__,
            "statsmodels": statsmodels.__version__,
            "pandas": pd.__version__,
            "aif360": aif360.__version__,
        },
        "tolerance": "every number: |got - want| <= 1e-9 * max(1, |want|) (absolute below 1, relative above)",
        "inputs": {
            "compas": {
                "path": "../../../audits/compas/compas.csv",
                "sha256": sha256(COMPAS),
                "rows_read": n_read,
                "rows": len(compas),
                "filter": "-30 <= days_b_screening_arrest <= 30 (missing fails), is_recid != -1, c_charge_degree != 'O', score_text != 'N/A'",
                "score": "decile_score / 10",
                "truth": "two_year_recid",
                "prediction": "score_text in {Medium, High} (= decile_score >= 5)",
                "groupings": GROUPINGS["compas"],
                "weights": None,
            },
            "synth": {
                "path": "synth_score.csv",
                "sha256": sha256(SYNTH),
                "rows": len(DATASETS["synth"]),
                "seed": SYNTH_SEED,
                "score": "score",
                "truth": "y",
                "prediction": "score >= 0.5",
                "groupings": GROUPINGS["synth"],
                "weights": "weight",
            },
        },
    }
    summaries(out)
    ranking(out)
    cross_group(out)
    calibration(out)
    stratified(out)
    thresholds(out)
    inequality(out)
    edge_cases(out)
    bad = find_nonfinite(out)
    assert not bad, bad[:10]
    with open(OUT, "w") as f:
        json.dump(out, f, indent=1, allow_nan=False)
        f.write("\n")
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes)", file=sys.stderr)


if __name__ == "__main__":
    main()
