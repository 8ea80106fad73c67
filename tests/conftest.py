"""Shared fixtures: the FakeEmbedder and a tiny sentiment head trained on texts written here."""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from txnlp.classify import LinearSentimentClassifier
from txnlp.embed import FakeEmbedder

REPO = Path(__file__).resolve().parents[1]

POSITIVE = ["great service, thank you", "super vriendelijk geholfen, top", "sehr freundlich und schnell, danke",
            "отличный сервис, спасибо", "lovely staff, very helpful", "alles prima geregeld, dank je"]
NEGATIVE = ["terrible, waited an hour and nobody helped", "slecht, niemand belt terug", "furchtbar, keiner hilft",
            "ужасно, никто не помог", "awful app, crashes all the time", "de factuur klopt weer niet, slecht"]
NEUTRAL = ["how do I change my address", "hoe kan ik mijn adres wijzigen", "wie ändere ich meine Adresse",
           "как изменить адрес", "what are the opening hours", "wanneer is de winkel open"]


@pytest.fixture(scope="session")
def fake_embedder():
    return FakeEmbedder(dim=64)


@pytest.fixture(scope="session")
def tiny_sentiment(fake_embedder):
    texts = POSITIVE + NEGATIVE + NEUTRAL
    labels = ["positive"] * 6 + ["negative"] * 6 + ["neutral"] * 6
    return LinearSentimentClassifier(C=10.0).fit(fake_embedder.encode(texts), labels)


@pytest.fixture()
def sample_csv(tmp_path) -> Path:
    rows = [
        {"id": "c1", "text": "De app logt me steeds uit, erg irritant", "audience": "customer", "channel": "app", "score": 3, "region": "Noord"},
        {"id": "c2", "text": "Die App meldet mich ständig ab, nervig", "audience": "customer", "channel": "app", "score": 2, "region": "Süd"},
        {"id": "e1", "text": "Customers keep calling because the app logs them out", "audience": "employee", "channel": "survey", "score": None, "region": "HQ"},
        {"id": "c3", "text": "Приложение постоянно выкидывает из аккаунта", "audience": "customer", "channel": "app", "score": 1, "region": "Riga"},
        {"id": "c4", "text": "Great help in the shop, thanks!", "audience": "customer", "channel": "shop", "score": 10, "region": "London"},
        {"id": "c5", "text": "   ", "audience": "customer", "channel": "web", "score": None, "region": "x"},
    ]
    path = tmp_path / "feedback.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


@pytest.fixture()
def fake_config(tmp_path, tiny_sentiment) -> str:
    """A config with the fake embedder, the tiny head and 2-row chunks for the Dask path."""
    model = tmp_path / "sentiment"
    tiny_sentiment.save(model)
    cfg = tmp_path / "txnlp.toml"
    cfg.write_text(f'[embed]\nkind = "fake"\n[sentiment]\nmodel_dir = "{model}"\n'
                   '[cluster]\nn_clusters = 2\nmin_cluster_size = 2\n[scale]\nchunk_rows = 2\n'
                   'task_runner = "dask"\ndask_workers = 2\n')
    return str(cfg)


def read_manifest(out: Path) -> dict:
    return json.loads((out / "manifest.json").read_text())
