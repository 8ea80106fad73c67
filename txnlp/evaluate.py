"""Classifier metrics per language: macro-F1 over the labels present, per-class P/R, confusion matrix."""
from __future__ import annotations

import numpy as np
import pandas as pd


def classification_report(y_true, y_pred, labels: tuple[str, ...]) -> dict:
    from sklearn.metrics import confusion_matrix, f1_score, precision_recall_fscore_support

    y_true, y_pred = np.asarray(y_true, dtype=object), np.asarray(y_pred, dtype=object)
    present = [label for label in labels if label in set(y_true)]
    p, r, f, s = precision_recall_fscore_support(y_true, y_pred, labels=present, zero_division=0)
    return {
        "n": int(len(y_true)),
        "macro_f1": round(float(f1_score(y_true, y_pred, labels=present, average="macro", zero_division=0)), 4),
        "accuracy": round(float((y_true == y_pred).mean()), 4) if len(y_true) else 0.0,
        "per_class": {c: {"precision": round(float(pi), 4), "recall": round(float(ri), 4), "f1": round(float(fi), 4),
                          "support": int(si)} for c, pi, ri, fi, si in zip(present, p, r, f, s)},
        "labels": list(labels),
        "confusion": confusion_matrix(y_true, y_pred, labels=list(labels)).tolist(),
    }


def report_by_group(frame: pd.DataFrame, predicted, labels: tuple[str, ...], group: str = "lang") -> dict:
    """Reports overall and per value of `group` (e.g. language or file)."""
    frame = frame.assign(_pred=list(predicted))
    out = {"all": classification_report(frame["label"], frame["_pred"], labels)}
    for value, g in frame.groupby(group, sort=True):
        out[str(value)] = classification_report(g["label"], g["_pred"], labels)
    return out
