"""Flow `retrain-classifier`: train a challenger on labelled files, gate it against the champion, promote or not.

Manual trigger only (see prefect.yaml). Tasks pass paths and small dicts of figures, never frames. Only
reading the labelled files retries, and only on errors that can recover (`pipelines.retries`). The
decision and the per-language figures behind it are published as Prefect artifacts (`pipelines.artifacts`).
The gate: the challenger's mean per-language macro-F1 on the hold-out + shared evaluation sets must beat
the champion's on the same rows, and no language may drop by more than `models.max_language_drop`.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from prefect import flow, task

import txnlp
from pipelines.artifacts import publish_retrain_artifacts
from pipelines.retries import retry_transient
from txnlp import runner
from txnlp.training import retrain as rt


def _models(config: str | None):
    settings = txnlp.load_settings(config)
    embedder = runner.make_embedder(settings)
    from txnlp.embed.factory import build_use_embedder

    return settings, embedder, build_use_embedder(settings.embed)


def _gate_sets(kind: str, holdout_csv: str, settings) -> dict:
    """The rows the gate compares champion and challenger on: the hold-out plus the shared evaluation sets."""
    m = settings.models
    return rt.evaluation_sets(kind, Path(holdout_csv), rt.shared_eval_files(kind, m.sentiment_eval_dir),
                              (m.pillar_sample_dir, m.pillar_labels_dir))


@task(retries=2, retry_delay_seconds=[10, 60], retry_condition_fn=retry_transient)
def split_labelled(kind: str, data: list[str], work_dir: str, holdout: float, seed: int) -> dict:
    return rt.split_holdout([Path(p) for p in data], kind, Path(work_dir), holdout=holdout, seed=seed)


@task
def train_challenger(kind: str, train_csv: str, out_dir: str, features: str, config: str | None) -> str:
    settings, embedder, use = _models(config)
    init = rt.finetune_init(kind, settings.models.registry)
    return rt.train_challenger(kind, [Path(train_csv)], Path(out_dir), embedder, definitions=settings.pillar.definitions,
                               features=features, feature_embedder=use if "use" in features else None,
                               seed=settings.seed, init=init,
                               base_path=rt.base_encoder_path(settings) if init else None,
                               finetune_settings=settings.finetune)


@task
def evaluate_challenger(kind: str, model_dir: str, holdout_csv: str, config: str | None) -> dict:
    settings, embedder, use = _models(config)
    return rt.evaluate_model(kind, Path(model_dir), _gate_sets(kind, holdout_csv, settings), embedder, use,
                             base_path=rt.base_encoder_path(settings))


@task
def evaluate_champion(kind: str, holdout_csv: str, config: str | None) -> dict | None:
    """The registry champion's figures on the challenger's rows; None without a champion."""
    settings, embedder, use = _models(config)
    return rt.champion_metrics_on(kind, settings.models.registry, _gate_sets(kind, holdout_csv, settings), embedder,
                                  use, base_path=rt.base_encoder_path(settings))


@task
def gate_and_promote(kind: str, challenger_dir: str, challenger: dict, champion: dict | None, config: str | None,
                     dry_run: bool) -> dict:
    m = txnlp.load_settings(config).models
    return rt.decide_and_promote(kind, m.registry, Path(challenger_dir), challenger["gate"],
                                 champion["gate"] if champion else None, Path(m.registry).parent,
                                 max_drop=m.max_language_drop, dry_run=dry_run)


@flow(name="retrain-classifier", log_prints=False)
def retrain_classifier(kind: str, data: list[str], config: str | None = None, features: str = "base",
                       dry_run: bool = False) -> dict:
    """Train a `kind` (sentiment | pillar) challenger on `data` (CSV text,label[,lang]) and promote it if better."""
    settings = txnlp.load_settings(config)
    rt.check_task(kind)
    out_dir = rt.new_candidate_dir(settings.models.candidates_dir, kind)
    split = split_labelled(kind, data, str(out_dir.with_name(out_dir.name + "-data")), settings.models.holdout,
                           settings.seed)
    challenger_dir = train_challenger(kind, split["train"], str(out_dir), features, config)
    challenger = evaluate_challenger(kind, challenger_dir, split["holdout"], config)
    champion = evaluate_champion(kind, split["holdout"], config)
    decision = gate_and_promote(kind, challenger_dir, challenger, champion, config, dry_run)
    publish_retrain_artifacts(kind, decision)
    return {**decision, "reports": {"challenger": challenger, "champion": champion}}


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description="Retrain a classifier and promote it only if it is better.")
    parser.add_argument("kind", choices=sorted(rt.TASKS))
    parser.add_argument("--data", action="append", required=True, help="labelled CSV; repeatable")
    parser.add_argument("--config", default=None)
    parser.add_argument("--features", default="base", choices=["base", "base+use"])
    parser.add_argument("--dry-run", action="store_true")
    args = parser.parse_args(argv)
    result = retrain_classifier(args.kind, args.data, args.config, args.features, args.dry_run)
    print(json.dumps({k: v for k, v in result.items() if k != "reports"}, indent=2))
    return result


if __name__ == "__main__":
    main()
