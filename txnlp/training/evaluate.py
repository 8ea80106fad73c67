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


def read_label_files(paths) -> pd.DataFrame:
    """The sample's label files (id, lang, audience, sentiment, pillar, pillars, theme)."""
    from pathlib import Path

    files = []
    for p in map(Path, paths):
        files.extend(sorted(p.glob("*.csv")) if p.is_dir() else [p])
    return pd.concat([pd.read_csv(f, dtype=str, keep_default_na=False) for f in files], ignore_index=True)


def score_run(comments: pd.DataFrame, labels: pd.DataFrame) -> dict:
    """A run's comments against hand labels: sentiment and pillar macro-F1, theme ARI and purity.

    ARI only over comments with a planted theme; purity per planted theme = share of its comments
    in its most common predicted theme.
    """
    from sklearn.metrics import adjusted_rand_score

    from txnlp import vocab as V

    merged = comments[[V.ID, V.LANG, V.SENTIMENT, V.PILLAR, V.THEME_ID]].merge(
        labels.rename(columns={"lang": "true_lang", "sentiment": "true_sentiment", "pillar": "true_pillar"}),
        on=V.ID, how="inner")
    out = {"n_labelled": len(merged),
           "lang_accuracy": round(float((merged[V.LANG] == merged["true_lang"]).mean()), 4),
           "sentiment": classification_report(merged["true_sentiment"], merged[V.SENTIMENT], V.SENTIMENTS),
           "pillar": classification_report(merged["true_pillar"], merged[V.PILLAR], V.PILLARS)}
    themed = merged[merged["theme"] != ""]
    out["theme_ari"] = round(float(adjusted_rand_score(themed["theme"], themed[V.THEME_ID])), 4) if len(themed) else None
    out["theme_purity"] = {t: round(float(g[V.THEME_ID].value_counts(normalize=True).iloc[0]), 3)
                           for t, g in themed.groupby("theme")}
    return out


def labelled_sample(sample_dir, labels_dir) -> pd.DataFrame:
    """The labelled sample as labelled rows for pillar measuring: text, label (primary pillar), lang, audience, channel.

    For MEASURING only: never fit on it.
    """
    from pathlib import Path

    frames = []
    for f in sorted(Path(sample_dir).glob("*")):
        if f.suffix == ".csv":
            frames.append(pd.read_csv(f, dtype=str, keep_default_na=False))
        elif f.suffix == ".jsonl":
            frames.append(pd.read_json(f, lines=True, dtype=str))
    comments = pd.concat(frames, ignore_index=True).fillna("")
    labels = read_label_files([labels_dir])
    cols = [c for c in ("id", "text", "channel") if c in comments]
    merged = comments[cols].merge(labels, on="id", how="inner")
    merged = merged[merged["text"].str.strip() != ""]
    return merged.rename(columns={"pillar": "label"}).assign(file="sample").reset_index(drop=True)
