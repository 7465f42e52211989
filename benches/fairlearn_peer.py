#!/usr/bin/env python3
"""The peer: pandas + fairlearn doing what `fairaudit run` does in the
benchmark, on the same file.

    python fairlearn_peer.py FILE [N_BOOT]

Reads the truth, the prediction and the three protected attributes with
pandas, and computes with fairlearn's MetricFrame every confusion metric
that fairaudit reports (selection rate, base rate, TPR, FPR, FNR, TNR, PPV,
FDR, NPV, FOR, accuracy, balanced accuracy, F1, counts) by each attribute,
each pair of attributes and all three (7 groupings: MetricFrame takes one
set of sensitive features at a time), with the between-group differences
and ratios. With N_BOOT > 0, MetricFrame also draws N_BOOT bootstrap
replicates for 95% intervals (fairlearn's `n_boot`, `ci_quantiles`).
"""

import sys

import numpy as np
import pandas as pd
from fairlearn.metrics import (
    MetricFrame,
    count,
    false_negative_rate,
    false_positive_rate,
    selection_rate,
    true_negative_rate,
    true_positive_rate,
)
from sklearn.metrics import accuracy_score, balanced_accuracy_score, f1_score, precision_score


def base_rate(y_true, y_pred):
    return float(np.mean(y_true))


def fdr(y_true, y_pred):
    return 1.0 - precision_score(y_true, y_pred, zero_division=0)


def npv(y_true, y_pred):
    neg = y_pred == 0
    return float(np.mean(y_true[neg] == 0)) if neg.any() else 0.0


def for_(y_true, y_pred):
    neg = y_pred == 0
    return float(np.mean(y_true[neg] == 1)) if neg.any() else 0.0


METRICS = {
    "count": count,
    "selection_rate": selection_rate,
    "base_rate": base_rate,
    "tpr": true_positive_rate,
    "fpr": false_positive_rate,
    "fnr": false_negative_rate,
    "tnr": true_negative_rate,
    "ppv": lambda t, p: precision_score(t, p, zero_division=0),
    "fdr": fdr,
    "npv": npv,
    "for": for_,
    "accuracy": accuracy_score,
    "balanced_accuracy": balanced_accuracy_score,
    "f1": lambda t, p: f1_score(t, p, zero_division=0),
}

GROUPINGS = [
    ["ethnicity"],
    ["sex"],
    ["age_band"],
    ["ethnicity", "sex"],
    ["ethnicity", "age_band"],
    ["sex", "age_band"],
    ["ethnicity", "sex", "age_band"],
]


def main():
    path = sys.argv[1]
    n_boot = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    cols = ["ethnicity", "sex", "age_band", "y_true", "y_pred"]
    if path.endswith(".parquet"):
        df = pd.read_parquet(path, columns=cols)
    else:
        df = pd.read_csv(path, usecols=cols)
    y_true = df["y_true"].to_numpy()
    y_pred = df["y_pred"].to_numpy()
    out = []
    for g in GROUPINGS:
        kwargs = {}
        if n_boot:
            kwargs = dict(n_boot=n_boot, ci_quantiles=[0.025, 0.975], random_state=20240601)
        mf = MetricFrame(
            metrics=METRICS,
            y_true=y_true,
            y_pred=y_pred,
            sensitive_features=df[g],
            **kwargs,
        )
        out.append((mf.by_group, mf.difference(), mf.ratio()))
    print(f"{len(df)} rows, {sum(len(b) for b, _, _ in out)} groups")


if __name__ == "__main__":
    main()
