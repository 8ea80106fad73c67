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
import pandas as pd

from txnlp import vocab as V
from txnlp.classify import LinearSentimentClassifier
from txnlp.errors import InputDataError
from txnlp.training.evaluate import report_by_group
from txnlp.io.labelled import read_labelled

log = logging.getLogger(__name__)

PILLAR_CONTEXT = (V.AUDIENCE, V.CHANNEL)


def data_hash(texts, labels) -> str:
    h = hashlib.sha256()
    for t, label in zip(texts, labels):
        h.update(f"{label}\x1f{t}\x1e".encode())
    return h.hexdigest()[:16]


def select_and_fit(embeddings: np.ndarray, labels: np.ndarray, c_grid=(0.25, 1.0, 4.0), seed: int = 0,
                   holdout: float = 0.15, features: str = "base") -> tuple[LinearSentimentClassifier, dict]:
    """Pick C on a stratified hold-out of the training data, then refit on all of it.

    The logit temperature is fitted on the same hold-out (with the best C) and carried over to the refit.
    """
    from sklearn.metrics import f1_score
    from sklearn.model_selection import train_test_split

    idx_train, idx_val = train_test_split(np.arange(len(labels)), test_size=holdout, stratify=labels,
                                          random_state=seed)
    scores, models = {}, {}
    for c in c_grid:
        clf = LinearSentimentClassifier(C=c, seed=seed, features=features).fit(embeddings[idx_train], labels[idx_train])
        scores[c] = float(f1_score(labels[idx_val], clf.predict(embeddings[idx_val]), average="macro"))
        models[c] = clf
    best = max(scores, key=scores.get)
    temperature = models[best].calibrate(embeddings[idx_val], labels[idx_val]).temperature_
    log.info("C selection (hold-out macro-F1): %s -> C=%s, temperature %.3f", scores, best, temperature)
    final = LinearSentimentClassifier(C=best, seed=seed, features=features).fit(embeddings, labels)
    final.temperature_ = temperature
    return final, {str(k): round(v, 4) for k, v in scores.items()}


def sentiment_matrix(texts: list[str], embedder, features: str = "base", feature_embedder=None) -> np.ndarray:
    """The features a sentiment head of kind `features` reads for `texts`."""
    from txnlp.classify.sentiment import sentiment_features

    probe = LinearSentimentClassifier(features=features)
    return sentiment_features(texts, embedder.encode(list(texts)), probe, feature_embedder)


def train_sentiment(train_files: list[Path], out_dir: Path, embedder, *, eval_files: list[Path] | None = None,
                    c_grid=(0.25, 1.0, 4.0), seed: int = 0, features: str = "base", feature_embedder=None,
                    approaches: dict | None = None, notes: str = "") -> dict:
    """Fit a linear sentiment head on `train_files`, score it on `eval_files`, save it to `out_dir`.

    `approaches` (name -> {lang: macro-F1, ...}) are earlier measurements written into the card, dropped ones included.
    """
    train = read_labelled(train_files, V.SENTIMENTS)
    t0 = time.perf_counter()
    x_train = sentiment_matrix(train["text"].tolist(), embedder, features, feature_embedder)
    embed_s = time.perf_counter() - t0
    t1 = time.perf_counter()
    clf, selection = select_and_fit(x_train, train["label"].to_numpy(dtype=object), c_grid=c_grid, seed=seed,
                                    features=features)
    fit_s = time.perf_counter() - t1
    metrics = {}
    if eval_files:
        evaluation = read_labelled(eval_files, V.SENTIMENTS)
        x_eval = sentiment_matrix(evaluation["text"].tolist(), embedder, features, feature_embedder)
        metrics = report_by_group(evaluation, clf.predict(x_eval), V.SENTIMENTS, group="lang")
    embedder_id = getattr(embedder, "model_id", type(embedder).__name__)
    meta = {
        "model_id": f"sentiment-{features.replace('+', '-')}-{data_hash(train['text'], train['label'])[:8]}",
        "task": "sentiment", "features": features,
        "embedder": embedder_id + (f" + {feature_embedder.model_id}" if feature_embedder is not None else ""),
        "embedder_prefix": getattr(embedder, "prefix", ""),
        "train_files": sorted(set(train["file"])), "train_rows": len(train),
        "train_label_counts": train["label"].value_counts().to_dict(),
        "train_data_hash": data_hash(train["text"], train["label"]),
        "c_selection": selection, "temperature": round(clf.temperature_, 4),
        "eval_files": [Path(p).name for p in eval_files or []],
        "metrics": {k: {"n": v["n"], "macro_f1": v["macro_f1"]} for k, v in metrics.items()},
        "approaches": approaches or {}, "notes": notes,
        "seconds": {"embed_train": round(embed_s, 1), "fit": round(fit_s, 1)},
        "date": date.today().isoformat(),
    }
    from txnlp.training.cards import sentiment_card

    clf.save(out_dir, meta=meta, card=sentiment_card(meta))
    return {"meta": meta, "metrics": metrics}


def pillar_training_frame(train_files: list[Path] | None, definitions: Path | None) -> pd.DataFrame:
    """Labelled pillar rows: the definitions (zero-shot part, no audience) plus labelled files (few-shot part)."""
    from txnlp.classify import read_definitions

    frames = []
    if definitions is not None:
        texts, labels = read_definitions(definitions)
        frames.append(pd.DataFrame({"text": texts, "label": labels, "lang": "und", "audience": "", "channel": "",
                                    "file": Path(definitions).name}))
    if train_files:
        frames.append(read_labelled(train_files, V.PILLARS, extra=PILLAR_CONTEXT))
    if not frames:
        raise InputDataError("no pillar training data: give labelled files or the definitions")
    return pd.concat(frames, ignore_index=True)


def evaluate_pillar(clf, frame: pd.DataFrame, embedder, embeddings: np.ndarray | None = None) -> dict:
    """Primary-pillar report per language (and overall) of `clf` on labelled rows."""
    x = embedder.encode(frame["text"].tolist()) if embeddings is None else embeddings
    return report_by_group(frame, clf.predict(x, frame), V.PILLARS, group="lang")


def train_pillar(train_files: list[Path] | None, out_dir: Path, embedder, *, definitions: Path | None = None,
                 eval_frame: pd.DataFrame | None = None, eval_name: str = "", C: float = 4.0,
                 context_weight: float = 1.0, seed: int = 0, approaches: dict | None = None) -> dict:
    """Fit a LinearPillarClassifier on definitions + labelled files, score it on `eval_frame`, save to `out_dir`."""
    from txnlp.training.cards import pillar_card
    from txnlp.classify import LinearPillarClassifier

    train = pillar_training_frame(train_files, definitions)
    t0 = time.perf_counter()
    x = embedder.encode(train["text"].tolist())
    clf = LinearPillarClassifier(C=C, context_weight=context_weight, seed=seed).fit(x, train["label"].to_numpy(), train)
    fit_s = time.perf_counter() - t0
    metrics = evaluate_pillar(clf, eval_frame, embedder) if eval_frame is not None and len(eval_frame) else {}
    meta = {
        "model_id": f"pillar-linear-{data_hash(train['text'], train['label'])[:8]}", "task": "pillar",
        "embedder": getattr(embedder, "model_id", type(embedder).__name__),
        "train_sources": sorted(set(train["file"])), "train_rows": len(train),
        "train_label_counts": train["label"].value_counts().to_dict(),
        "train_data_hash": data_hash(train["text"], train["label"]),
        "context_values": clf.context_values_, "eval_name": eval_name,
        "metrics": {k: {"n": v["n"], "macro_f1": v["macro_f1"]} for k, v in metrics.items()},
        "approaches": approaches or {}, "seconds": {"embed_and_fit": round(fit_s, 1)},
        "date": date.today().isoformat(),
    }
    meta["params"] = {"C": C, "context_weight": context_weight}
    clf.save(out_dir, meta=meta, card=pillar_card(meta))
    return {"meta": meta, "metrics": metrics}


def replay_frame(replay_dirs, rows: int, seed: int = 0) -> pd.DataFrame:
    """A seeded sample of the original training data (sentiment, and pillar where labelled), equal per language.

    Mixed into a retrain so the model keeps what it knew: the feedback register in the repo
    (`data/train/`) is always there; the public sets are used when their folder exists.
    """
    frames = []
    for directory in map(Path, replay_dirs):
        if not directory.is_dir():
            log.info("replay: %s not found, skipped", directory)
            continue
        for path in sorted(directory.glob("*.csv")):
            d = pd.read_csv(path, dtype=str, keep_default_na=False)
            if not {"text", "label"} <= set(d.columns):
                continue
            frames.append(pd.DataFrame({"text": d["text"], "sentiment": d["label"],
                                        "pillar": d["pillar"] if "pillar" in d else "",
                                        "lang": d["lang"] if "lang" in d else "und",
                                        "audience": d["audience"] if "audience" in d else "", "file": path.name}))
    if not frames or rows == 0:
        return pd.DataFrame(columns=["text", "sentiment", "pillar", "lang", "audience", "file"])
    every = pd.concat(frames, ignore_index=True)
    every = every[every["sentiment"].isin(V.SENTIMENTS)]
    per_lang = max(1, rows // max(1, every["lang"].nunique()))
    return (every.groupby("lang", group_keys=False)
            .apply(lambda g: g.sample(n=min(len(g), per_lang), random_state=seed))
            .reset_index(drop=True))


def train_finetuned(task: str, train_files: list[Path], out_dir: Path, *, init: Path, base_path: str | Path,
                    finetune_settings, seed: int = 0, progress: bool = True) -> dict:
    """Fine-tune the champion (`init`, a split-encoder directory) on a team's labelled files, with replay.

    The team's rows carry `task` labels (sentiment, or pillar with audience); the replay rows keep
    both heads where they were. Early stopping and temperatures use a split of these training rows.
    """
    from txnlp.training.cards import finetuned_card
    from txnlp.training.finetune import finetune

    labels = V.SENTIMENTS if task == "sentiment" else V.PILLARS
    team = read_labelled(train_files, labels, extra=("audience",))
    frame = pd.DataFrame({"text": team["text"], "lang": team["lang"], "audience": team["audience"],
                          "sentiment": team["label"] if task == "sentiment" else "",
                          "pillar": team["label"] if task == "pillar" else "", "weight": 1.0})
    f = finetune_settings
    replay = replay_frame(f.replay_dirs, f.replay_rows, seed)
    t0 = time.perf_counter()
    model = finetune(frame, base_path=base_path, init=init, replay_frame=replay.drop(columns=["file"]),
                     epochs=f.epochs, lr_layers=f.lr_layers, lr_heads=f.lr_heads, batch_size=f.batch_size,
                     max_length=f.max_length, patience=f.patience, seed=seed, progress=progress)
    wall = time.perf_counter() - t0
    parent = model.meta_ if hasattr(model, "meta_") else {}
    meta = {
        "model_id": f"{task}-ft-{data_hash(team['text'], team['label'])[:8]}", "task": "sentiment+pillar",
        "retrained_for": task, "init": parent.get("model_id", Path(init).name),
        "train_files": sorted(set(team["file"])), "train_rows": len(team),
        "train_label_counts": team["label"].value_counts().to_dict(),
        "train_data_hash": data_hash(team["text"], team["label"]),
        "replay_rows": len(replay), "replay_files": sorted(set(replay["file"])),
        "training": model.training_, "dev": model.dev_metrics_, "history": model.history_,
        "wall_s": round(wall, 1), "date": date.today().isoformat(),
        "approaches": parent.get("approaches", {}),
    }
    model.save(out_dir, meta=meta, card=finetuned_card(meta))
    log.info("%s retrain: %d team rows + %d replay rows in %.0f s; dev %s", task, len(team), len(replay), wall,
             model.dev_metrics_)
    return {"meta": meta, "metrics": model.dev_metrics_}
