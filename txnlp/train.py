"""Train classifiers on labelled files and write a model directory with its card.

Hyper-parameters are chosen on a stratified hold-out of the TRAINING files only; evaluation files
are scored after the final fit and never seen by it.
"""
from __future__ import annotations

import hashlib
import logging
import time
from datetime import date
from pathlib import Path

import numpy as np

from . import vocab as V
from .classify import LinearSentimentClassifier
from .evaluate import report_by_group
from .labelled import read_labelled

log = logging.getLogger(__name__)


def data_hash(texts, labels) -> str:
    h = hashlib.sha256()
    for t, label in zip(texts, labels):
        h.update(f"{label}\x1f{t}\x1e".encode())
    return h.hexdigest()[:16]


def select_and_fit(embeddings: np.ndarray, labels: np.ndarray, c_grid=(0.25, 1.0, 4.0), seed: int = 0,
                   holdout: float = 0.15) -> tuple[LinearSentimentClassifier, dict]:
    """Pick C on a stratified hold-out of the training data, then refit on all of it."""
    from sklearn.metrics import f1_score
    from sklearn.model_selection import train_test_split

    idx_train, idx_val = train_test_split(np.arange(len(labels)), test_size=holdout, stratify=labels,
                                          random_state=seed)
    scores = {}
    for c in c_grid:
        clf = LinearSentimentClassifier(C=c, seed=seed).fit(embeddings[idx_train], labels[idx_train])
        scores[c] = float(f1_score(labels[idx_val], clf.predict(embeddings[idx_val]), average="macro"))
    best = max(scores, key=scores.get)
    log.info("C selection (hold-out macro-F1): %s -> C=%s", scores, best)
    return LinearSentimentClassifier(C=best, seed=seed).fit(embeddings, labels), {str(k): round(v, 4) for k, v in scores.items()}


def train_sentiment(train_files: list[Path], out_dir: Path, embedder, *, eval_files: list[Path] | None = None,
                    c_grid=(0.25, 1.0, 4.0), seed: int = 0) -> dict:
    """Fit a linear sentiment head on `train_files`, score it on `eval_files`, save it to `out_dir`."""
    train = read_labelled(train_files, V.SENTIMENTS)
    t0 = time.perf_counter()
    x_train = embedder.encode(train["text"].tolist())
    embed_s = time.perf_counter() - t0
    t1 = time.perf_counter()
    clf, selection = select_and_fit(x_train, train["label"].to_numpy(dtype=object), c_grid=c_grid, seed=seed)
    fit_s = time.perf_counter() - t1
    metrics = {}
    if eval_files:
        evaluation = read_labelled(eval_files, V.SENTIMENTS)
        x_eval = embedder.encode(evaluation["text"].tolist())
        metrics = report_by_group(evaluation, clf.predict(x_eval), V.SENTIMENTS, group="lang")
    meta = {
        "model_id": f"sentiment-linear-{data_hash(train['text'], train['label'])[:8]}",
        "embedder": getattr(embedder, "model_id", type(embedder).__name__),
        "embedder_prefix": getattr(embedder, "prefix", ""),
        "train_files": sorted(set(train["file"])), "train_rows": len(train),
        "train_label_counts": train["label"].value_counts().to_dict(),
        "train_data_hash": data_hash(train["text"], train["label"]),
        "c_selection": selection, "eval_files": [Path(p).name for p in eval_files or []],
        "metrics": {k: {"n": v["n"], "macro_f1": v["macro_f1"]} for k, v in metrics.items()},
        "seconds": {"embed_train": round(embed_s, 1), "fit": round(fit_s, 1)},
        "date": date.today().isoformat(),
    }
    clf.save(out_dir, meta=meta, card=sentiment_card(meta))
    return {"meta": meta, "metrics": metrics}


def sentiment_card(meta: dict) -> str:
    rows = "\n".join(f"| {k} | {v['n']} | {v['macro_f1']:.3f} |" for k, v in meta["metrics"].items())
    files = "\n".join(f"- `{f}`" for f in meta["train_files"])
    return f"""---
language: [nl, de, ru, en]
tags: [sentiment, txnlp]
---
# {meta['model_id']}

Linear (multinomial logistic regression) sentiment head over frozen sentence embeddings.

- **Base embedder:** `{meta['embedder']}` (prefix `{meta['embedder_prefix']}`)
- **Labels:** negative, neutral, positive; score = P(positive) - P(negative)
- **Trained:** {meta['date']} on {meta['train_rows']} rows ({meta['train_label_counts']}), class_weight=balanced,
  C chosen on a stratified 15% hold-out of the training data: {meta['c_selection']}
- **Training data** (public sets from `shared/train/sentiment/`, see its README for sources and licences):
{files}

## Evaluation (macro-F1 over the labels present; never trained on)
Files: {', '.join(meta['eval_files']) or 'none'}

| language | n | macro-F1 |
|---|---:|---:|
{rows}

## Intended use and limits
Comment-level sentiment of customer and employee feedback in nl/de/ru/en. The evaluation sets are tweets and
reviews, not service feedback: expect lower figures on real feedback (domain shift). Texts longer than the
embedder's max_seq_length are truncated by the embedder.
"""
