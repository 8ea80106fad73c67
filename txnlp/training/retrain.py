"""Retrain a classifier from a data team's labelled files and promote it only when it is better.

The steps behind the Prefect flow `retrain-classifier` (pipelines/retrain.py), each a plain function:
1. `split_holdout`: a stratified, seeded hold-out of the labelled files (written next to the challenger);
2. `train_challenger`: fit on the rest into `models/_candidates/<run>/`;
3. `evaluate_model`: champion and challenger on the same hold-out plus the shared evaluation sets;
4. `decide_and_promote`: the gate (model_registry.gate) and, when it passes, an atomic registry switch.
"""
from __future__ import annotations

import json
import logging
import shutil
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pandas as pd

from txnlp import vocab as V
from txnlp.embed.split_encoder import KIND as SPLIT_KIND, PILLAR_CLASSES, SENTIMENT_CLASSES, SplitEncoder
from txnlp.errors import ConfigError, InputDataError
from txnlp.io.artifacts import model_kind
from txnlp.training.evaluate import labelled_sample, report_by_group
from txnlp.io.labelled import read_labelled
from txnlp.training.champions import champion, gate, promote, summarise_metrics

log = logging.getLogger(__name__)

TASKS = {"sentiment": V.SENTIMENTS, "pillar": V.PILLARS}
EXTRA = ("audience", "channel")


def check_task(task: str) -> tuple[str, ...]:
    if task not in TASKS:
        raise ConfigError(f"unknown task '{task}' (known: {', '.join(TASKS)})")
    return TASKS[task]


def split_holdout(files: list[Path], task: str, work_dir: Path, holdout: float = 0.2, seed: int = 0) -> dict:
    """Write `train.csv` and `holdout.csv` into `work_dir`: stratified by label (and language where possible)."""
    from sklearn.model_selection import train_test_split

    frame = read_labelled(files, check_task(task), extra=EXTRA if task == "pillar" else ())
    strata = frame["label"] + "|" + frame["lang"]
    if strata.value_counts().min() < 2:
        strata = frame["label"]
    if frame["label"].value_counts().min() < 2 or len(frame) < 10:
        raise InputDataError(f"{task}: {len(frame)} labelled rows ({frame['label'].value_counts().to_dict()}) "
                             "are too few to hold out a test split")
    train_idx, test_idx = train_test_split(np.arange(len(frame)), test_size=holdout, stratify=strata, random_state=seed)
    work_dir = Path(work_dir)
    work_dir.mkdir(parents=True, exist_ok=True)
    paths = {"train": work_dir / "train.csv", "holdout": work_dir / "holdout.csv"}
    cols = [c for c in ("text", "label", "lang", *EXTRA) if c in frame]
    frame.iloc[train_idx][cols].to_csv(paths["train"], index=False)
    frame.iloc[test_idx][cols].to_csv(paths["holdout"], index=False)
    log.info("%s: %d train rows, %d hold-out rows", task, len(train_idx), len(test_idx))
    return {k: str(v) for k, v in paths.items()}


def base_encoder_path(settings) -> str | None:
    """The resolved base encoder a fine-tuned model runs on (None with the fake embedder)."""
    if settings.embed.kind == "fake":
        return None
    from txnlp.embed.sentence_transformers import resolve_model

    return resolve_model(settings.embed.model, settings.embed.cache_dir)


def finetune_init(task: str, registry_path: Path) -> Path | None:
    """The champion directory a retrain fine-tunes from: the registry's champion when it is a fine-tuned encoder.

    With a linear-head champion (or none), the challenger is a linear head as before.
    """
    from txnlp.training.champions import champion_dir

    if champion(registry_path, task) is None:
        return None
    directory = champion_dir(registry_path, task)
    return directory if model_kind(directory) == SPLIT_KIND else None


def load_model(task: str, model_dir: Path, base_path: str | Path | None = None):
    """The model in `model_dir`: a linear head, or a fine-tuned split encoder on `base_path`."""
    from txnlp.classify import LinearPillarClassifier, LinearSentimentClassifier

    if model_kind(model_dir) == SPLIT_KIND:
        if base_path is None:
            raise ConfigError(f"{model_dir} is a fine-tuned encoder; it needs the base encoder (embed.model), "
                              "not the fake embedder")
        return SplitEncoder.load(Path(model_dir), base_path)
    return (LinearSentimentClassifier if task == "sentiment" else LinearPillarClassifier).load(Path(model_dir))


def predict_labelled(task: str, model, frame: pd.DataFrame, embedder, feature_embedder=None) -> np.ndarray:
    """Predicted labels of `model` for labelled rows (text, lang[, audience, channel])."""
    from txnlp.classify.sentiment import sentiment_features

    if isinstance(model, SplitEncoder):
        audience = frame["audience"].tolist() if "audience" in frame else None
        out = model.encode_all(frame["text"].tolist(), audience=audience)
        proba, classes = ((out.sentiment_proba, SENTIMENT_CLASSES) if task == "sentiment"
                          else (out.pillar_proba, PILLAR_CLASSES))
        return np.asarray(classes, dtype=object)[proba.argmax(axis=1)]
    x = embedder.encode(frame["text"].tolist())
    if task == "sentiment":
        return model.predict(sentiment_features(frame["text"].tolist(), x, model, feature_embedder))
    return model.predict(x, frame)


def evaluation_sets(task: str, holdout_csv: Path | None, eval_files: list[Path], sample_dirs: tuple | None) -> dict:
    """Named labelled frames: the hold-out, the shared evaluation files (sentiment) or the labelled sample (pillar)."""
    labels = check_task(task)
    sets = {}
    if holdout_csv is not None:
        sets["holdout"] = read_labelled([holdout_csv], labels, extra=EXTRA if task == "pillar" else ())
    if eval_files:
        sets["eval"] = read_labelled(eval_files, labels, extra=EXTRA if task == "pillar" else ())
    if task == "pillar" and sample_dirs and Path(sample_dirs[0]).is_dir():
        sets["sample"] = labelled_sample(*sample_dirs)
    return sets


def evaluate_model(task: str, model_dir: Path, sets: dict, embedder, feature_embedder=None,
                   base_path: str | Path | None = None) -> dict:
    """{set name: report by language} for the model in `model_dir`, plus `gate`: the figures the gate compares.

    Gate figures: per-language macro-F1 over all the sets' rows together (hold-out + shared evaluation),
    and their unweighted mean (`overall`).
    """
    model = load_model(task, model_dir, base_path)
    labels = check_task(task)
    reports, frames = {}, []
    for name, frame in sets.items():
        pred = predict_labelled(task, model, frame, embedder, feature_embedder)
        reports[name] = report_by_group(frame, pred, labels)
        frames.append(frame.assign(_pred=pred))
    every = pd.concat(frames, ignore_index=True)
    every = every[every["lang"].isin(V.SUPPORTED_LANGS)] if every["lang"].isin(V.SUPPORTED_LANGS).any() else every
    reports["gate"] = summarise_metrics(report_by_group(every, every["_pred"], labels))
    return reports


def decide_and_promote(task: str, registry_path: Path, challenger_dir: Path, challenger_metrics: dict,
                       champion_metrics: dict | None, models_root: Path, max_drop: float = 0.02,
                       dry_run: bool = False) -> dict:
    """Gate the challenger against the champion (same data) and promote it when it passes.

    A promoted challenger is moved from the candidates folder to `models_root/<task>/<model_id>/` first.
    """
    ok, reason = gate(challenger_metrics, champion_metrics, max_drop=max_drop)
    result = {"promoted": False, "reason": reason, "challenger": str(challenger_dir),
              "challenger_metrics": challenger_metrics, "champion_metrics": champion_metrics}
    log.info("%s gate: %s (%s)", task, "pass" if ok else "refuse", reason)
    if not ok or dry_run:
        return result
    model_id = json.loads((Path(challenger_dir) / "meta.json").read_text()).get("model_id", Path(challenger_dir).name)
    target = Path(models_root) / task / model_id
    if target.resolve() != Path(challenger_dir).resolve():
        if target.exists():
            target = target.with_name(f"{model_id}-{datetime.now(timezone.utc):%Y%m%dT%H%M%S}")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copytree(challenger_dir, target)
    entry = promote(registry_path, task, target, challenger_metrics)
    result.update(promoted=True, model_id=entry["model_id"], path=str(target))
    return result


def champion_metrics_on(task: str, registry_path: Path, sets: dict, embedder, feature_embedder=None,
                        base_path: str | Path | None = None) -> dict | None:
    """The current champion's figures on `sets`, or None when there is no champion."""
    from txnlp.training.champions import champion_dir

    if champion(registry_path, task) is None:
        return None
    return evaluate_model(task, champion_dir(registry_path, task), sets, embedder, feature_embedder, base_path)


def train_challenger(task: str, train_files: list[Path], out_dir: Path, embedder, *, definitions: Path | None = None,
                     features: str = "base", feature_embedder=None, seed: int = 0, init: Path | None = None,
                     base_path: str | Path | None = None, finetune_settings=None) -> str:
    """Fit a challenger into `out_dir`.

    With `init` (a fine-tuned champion, see `finetune_init`): fine-tune it on the files, with replay.
    Otherwise sentiment: a linear head; pillar: definitions + labelled files.
    """
    from txnlp.training.train import train_finetuned, train_pillar, train_sentiment

    check_task(task)
    if init is not None:
        if base_path is None or finetune_settings is None:
            raise ConfigError("fine-tuning a champion needs the base encoder path and the [finetune] settings")
        train_finetuned(task, train_files, out_dir, init=init, base_path=base_path,
                        finetune_settings=finetune_settings, seed=seed)
    elif task == "sentiment":
        train_sentiment(train_files, out_dir, embedder, features=features, feature_embedder=feature_embedder, seed=seed)
    else:
        train_pillar(train_files, out_dir, embedder, definitions=definitions, seed=seed)
    return str(out_dir)


def shared_eval_files(task: str, eval_dir: Path | None) -> list[Path]:
    """The shared evaluation CSVs for `task` (sentiment only; pillars are measured on the labelled sample)."""
    if task != "sentiment" or eval_dir is None:
        return []
    eval_dir = Path(eval_dir)
    if not eval_dir.is_dir():
        log.warning("shared evaluation folder %s not found; gating on the hold-out only", eval_dir)
        return []
    return sorted(eval_dir.glob("*.csv"))


def new_candidate_dir(candidates_dir: Path, task: str) -> Path:
    return Path(candidates_dir) / f"{task}-{datetime.now(timezone.utc):%Y%m%dT%H%M%SZ}"
