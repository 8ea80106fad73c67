"""Quiet data changes made loud: BOM-less UTF-16 read as such, decimal-comma scores parsed, bad scores counted
(issue 13, item 10)."""
from __future__ import annotations

import json
import logging

import pandas as pd
import pytest

from conftest import read_manifest
from txnlp.config import load_settings
from txnlp.io.read import decode_bytes, read_file
from txnlp.io.sources import parse_scores
from txnlp.runner import STAGE_INFO, run, stage

ROWS = "id,text,score\n1,Отличный сервис,9\n2,De app crasht steeds,3\n3,Alles gut,10\n"


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_encodings_utf16_without_bom_is_read(tmp_path, codec):
    path = tmp_path / "u16.csv"
    path.write_bytes(ROWS.encode(codec))  # no BOM: Python's "utf-16" codec would write one
    records, bad, _ = read_file(path)
    assert bad == []
    assert [r["text"] for _, r in records] == ["Отличный сервис", "De app crasht steeds", "Alles gut"]


@pytest.mark.parametrize("data", [b"id,text\n1,a\x00b\n2,ok\n", "id,text\n1,Grüße\n".encode(), b"ab"])
def test_encodings_stray_nuls_are_not_utf16(data):
    assert decode_bytes(data) == data.decode("utf-8")


def test_encodings_scores_decimal_comma_and_text():
    numbers, unparsed = parse_scores(pd.Series(["9,5", "7", " 8.5 ", "ten", "", None, 3, float("nan"), "-1,0"],
                                               dtype=object))
    assert numbers.tolist()[:3] == [9.5, 7.0, 8.5] and numbers.tolist()[8] == -1.0
    assert numbers.isna().tolist()[3:8] == [True, True, True, False, True] and numbers[6] == 3
    assert unparsed.tolist() == [False, False, False, True, False, False, False, False, False]


def test_encodings_unparseable_scores_are_counted_and_warned(tmp_path, caplog):
    path = tmp_path / "scores.csv"
    path.write_text('id,text,score\n1,good,"9,5"\n2,bad,ten\n3,fine,\n4,ok,8\n', encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="txnlp"):
        info = json.loads((stage([path], tmp_path / "st", load_settings(None)) / STAGE_INFO).read_text())
    assert info["scores_unparsed"] == 1
    assert "1 row(s) have a score that is not a number" in caplog.text and "ten" not in caplog.text
    scores = pd.read_parquet(tmp_path / "st" / "staged.parquet").set_index("id")["score"]
    assert scores["1"] == 9.5 and scores["4"] == 8.0 and pd.isna(scores["2"]) and pd.isna(scores["3"])


def test_encodings_manifest_counts_unparsed_scores(tmp_path, fake_embedder, tiny_sentiment):
    path = tmp_path / "scores.csv"
    path.write_text('id,text,score\n1,great service,"9,5"\n2,awful app,ten\n3,where is the shop,n/a\n',
                    encoding="utf-8")
    out = tmp_path / "night"
    settings = load_settings(None, cluster={"n_clusters": 2, "min_cluster_size": 2})
    run([path], out, settings, embedder=fake_embedder, sentiment=tiny_sentiment, run_date="2026-11-30")
    assert read_manifest(out)["counts"]["scores_unparsed"] == 2
    assert pd.read_parquet(out / "comments.parquet").set_index("id")["score"]["1"] == 9.5
