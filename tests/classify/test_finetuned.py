"""The fine-tuned champion in a run: one encoder pass per comment, sentence rows from span pooling."""
from __future__ import annotations

import collections

import numpy as np
import pandas as pd
import pytest

from tiny_encoder import build_tiny_encoder
from txnlp import vocab as V
from txnlp.classify.finetuned import FineTunedTagger
from txnlp.config import load_settings
from txnlp.embed.cache import EmbeddingCache
from txnlp.embed.split_encoder import SplitEncoder
from txnlp.runner import run
from txnlp.text.sentences import SentenceSplitter

WINDOW = 16
COMMENTS = ["the staff was lovely. but the app is broken!", "my order was late again", "great shop",
            "the invoice is bad and the app is awful and the train was late again and my order is broken today"]


@pytest.fixture(scope="module")
def split_model(tmp_path_factory):
    base = build_tiny_encoder(tmp_path_factory.mktemp("tiny"), max_seq_length=WINDOW)
    return SplitEncoder(base, top_layers=2, max_seq_length=WINDOW, window_overlap=4, batch_size=3).init_task_parts()


def frame(texts):
    return pd.DataFrame({V.ID: [f"c{i}" for i in range(len(texts))], V.TEXT: texts, V.LANG: "en",
                         V.AUDIENCE: ["customer", "employee"] * (len(texts) // 2) + ["customer"] * (len(texts) % 2)})


def test_finetuned_sentence_rows_come_from_the_comment_pass(split_model):
    encoded = FineTunedTagger(split_model, SentenceSplitter())(frame(COMMENTS))
    sentences = encoded.sentences
    assert list(sentences.columns) == list(V.SENTENCE_COLUMNS)
    assert sentences[V.COMMENT_ID].tolist()[:3] == ["c0", "c0", "c1"]
    assert sentences[V.SENTENCE_IDX].tolist()[:3] == [0, 1, 0]
    assert sentences[V.TEXT].tolist()[:2] == ["the staff was lovely.", "but the app is broken!"]
    # a one-sentence comment: its sentence row is the comment itself, pooled from the same token states
    one = sentences[sentences[V.COMMENT_ID] == "c1"]
    assert len(one) == 1 and one[V.TEXT].iloc[0] == COMMENTS[1]
    assert one[V.SENTIMENT_SCORE].iloc[0] == pytest.approx(encoded.comments.loc["c1", V.SENTIMENT_SCORE], abs=1e-4)
    assert set(encoded.comments.columns) >= {V.SENTIMENT, V.SENTIMENT_SCORE, V.PILLAR, V.MIXED,
                                             *V.PILLAR_SCORE_COLUMNS.values()}
    assert encoded.embeddings.shape == (len(COMMENTS), split_model.dim)
    np.testing.assert_allclose(encoded.embeddings, split_model.encode(COMMENTS), atol=1e-5)


def test_finetuned_chunks_give_the_same_outputs(split_model):
    whole = FineTunedTagger(split_model, SentenceSplitter())(frame(COMMENTS))
    heard = []
    chunked = FineTunedTagger(split_model, SentenceSplitter(), chunk_size=3,
                              progress=lambda step, done, total: heard.append((step, done, total)))(frame(COMMENTS))
    np.testing.assert_allclose(chunked.embeddings, whole.embeddings, atol=1e-6)
    pd.testing.assert_frame_equal(chunked.sentences, whole.sentences)
    pd.testing.assert_frame_equal(chunked.comments, whole.comments)
    assert heard == [("embed", 3, 4), ("embed", 4, 4)]


def test_finetuned_rerun_reads_the_cache_and_gives_the_same_outputs(split_model, tmp_path, monkeypatch):
    cache = EmbeddingCache(tmp_path / "cache.sqlite")
    texts = COMMENTS + [COMMENTS[1]]  # a repeated comment is encoded once
    first = FineTunedTagger(split_model, SentenceSplitter(), chunk_size=3, cache=cache)(frame(texts))
    calls = []
    real = split_model.encode_all
    monkeypatch.setattr(split_model, "encode_all", lambda t, **kw: calls.append(list(t)) or real(t, **kw))
    again = FineTunedTagger(split_model, SentenceSplitter(), cache=cache)(frame(texts))
    assert calls == [], "a rerun on the same comments must not run the encoder"
    np.testing.assert_allclose(again.embeddings, first.embeddings, atol=1e-6)
    pd.testing.assert_frame_equal(again.comments, first.comments)
    pd.testing.assert_frame_equal(again.sentences, first.sentences)
    uncached = FineTunedTagger(split_model, SentenceSplitter())(frame(texts))
    pd.testing.assert_frame_equal(uncached.comments, first.comments, atol=1e-4)
    calls.clear()
    # another audience for the same text is another result (the pillar head reads it): encoded, not looked up
    other = frame(texts[:1]).assign(**{V.AUDIENCE: "employee"})
    FineTunedTagger(split_model, SentenceSplitter(), cache=cache)(other)
    assert calls == [[texts[0]]]


def test_finetuned_run_encodes_each_comment_once(split_model, tmp_path, monkeypatch):
    """The whole model half of a run: no comment text goes through the encoder twice."""
    encoded = collections.Counter()
    windows = SplitEncoder._windows

    def counting(self, texts):
        encoded.update(texts)
        return windows(self, texts)

    monkeypatch.setattr(SplitEncoder, "_windows", counting)
    texts = [f"{a} {b} was {c}" for a in ("the app", "my order", "the shop", "the invoice")
             for b in ("today", "again") for c in ("bad", "great", "late")]
    path = tmp_path / "in.csv"
    pd.DataFrame({"id": range(len(texts)), "text": texts, "audience": "customer"}).to_csv(path, index=False)
    settings = load_settings(None, cluster={"second_embedder": "none", "min_similarity": -1, "min_coherence": -1},
                             themes={"min_coherence": -1}, language={"trust_input_lang": True},
                             embed={"cache_path": str(tmp_path / "vectors.sqlite")})
    result = run([path], tmp_path / "out", settings, sentiment=split_model)
    comments = pd.read_parquet(tmp_path / "out" / "comments.parquet")
    assert len(comments) == len(texts) and comments[V.SENTIMENT].isin(V.SENTIMENTS).all()
    assert result.counts["sentences"] == len(pd.read_parquet(tmp_path / "out" / "sentences.parquet"))
    twice = {t: n for t, n in encoded.items() if t in set(comments[V.TEXT]) and n > 1}
    assert not twice, f"encoded more than once: {twice}"
    assert all(encoded[t] == 1 for t in comments[V.TEXT])
    # the same night again: every comment's result comes from the cache, nothing is encoded
    encoded.clear()
    run([path], tmp_path / "again", settings, sentiment=split_model)
    assert not set(encoded) & set(comments[V.TEXT])
    model_columns = [V.ID, V.SENTIMENT, V.SENTIMENT_SCORE, V.PILLAR, V.MIXED, *V.PILLAR_SCORE_COLUMNS.values()]
    again = pd.read_parquet(tmp_path / "again" / "comments.parquet")
    pd.testing.assert_frame_equal(again[model_columns], comments[model_columns])
