"""One pass of the split encoder: theme vectors equal the frozen model's, spans pool the same token states, long text is windowed."""
from __future__ import annotations

import numpy as np
import pytest

from tiny_encoder import build_tiny_encoder
from txnlp.embed.sentence_transformers import SentenceTransformerEmbedder
from txnlp.embed.split_encoder import SplitEncoder
from txnlp.errors import InputDataError, NotFittedError

WINDOW = 16
TEXTS = ["the app is broken", "Lovely staff!", "my order was late again", "ok", ""]


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    return build_tiny_encoder(tmp_path_factory.mktemp("tiny"), max_seq_length=WINDOW)


def encoder(base, top_layers=2, **kw):
    return SplitEncoder(base, top_layers=top_layers, max_seq_length=WINDOW, window_overlap=4, **kw).init_task_parts()


@pytest.mark.parametrize("top_layers", [1, 2, 3])
def test_split_encoder_theme_equals_frozen_model(base, top_layers):
    expected = SentenceTransformerEmbedder(str(base), max_seq_length=WINDOW, batch_size=2).encode(TEXTS)
    out = encoder(base, top_layers, batch_size=3).encode_all(TEXTS)
    np.testing.assert_allclose(out.theme, expected, atol=1e-5)
    np.testing.assert_allclose(SplitEncoder(base, top_layers=top_layers, max_seq_length=WINDOW, window_overlap=4).encode(TEXTS),
                               expected, atol=1e-5)


def test_split_encoder_task_tops_differ_from_frozen_after_change(base):
    model = encoder(base)
    before = model.encode_all(TEXTS[:2]).task
    with __import__("torch").no_grad():
        for p in model.tuned_.parameters():
            p.add_(0.05)
    after = model.encode_all(TEXTS[:2])
    assert not np.allclose(before, after.task)
    np.testing.assert_allclose(after.theme, SplitEncoder(base, top_layers=2, max_seq_length=WINDOW, window_overlap=4).encode(TEXTS[:2]),
                               atol=1e-5)  # tuning the copy never moves the theme vectors


def test_split_encoder_span_over_whole_comment_equals_comment(base):
    texts = ["the staff was lovely. the app is broken!", "my order was late again"]
    spans = [(0, 0, len(texts[0])), (1, 0, len(texts[1])), (0, 0, 21), (0, 22, len(texts[0]))]
    out = encoder(base).encode_all(texts, spans=spans)
    np.testing.assert_allclose(out.span_task[0], out.task[0], atol=1e-6)
    np.testing.assert_allclose(out.span_task[1], out.task[1], atol=1e-6)
    np.testing.assert_allclose(out.span_sentiment_proba[:2], out.sentiment_proba, atol=1e-6)
    assert not np.allclose(out.span_task[2], out.span_task[3])  # two sentences, two vectors
    np.testing.assert_array_equal(out.span_row, [0, 1, 0, 0])
    assert out.span_pillar_proba.shape == (4, 4)
    np.testing.assert_allclose(out.sentiment_score, out.sentiment_proba[:, 2] - out.sentiment_proba[:, 0], atol=1e-6)


def test_split_encoder_one_sentence_comment_span_equals_own_pooling(base):
    text = "the app is broken"
    model = encoder(base)
    alone = model.encode_all([text])
    within = model.encode_all([text, "Lovely staff!"], spans=[(0, 0, len(text))])
    np.testing.assert_allclose(within.span_task[0], alone.task[0], atol=1e-5)


def test_split_encoder_long_comment_is_windowed_not_cut(base):
    head = " ".join(["the app is broken"] * 8)  # far past 16 tokens
    a, b = head + " lovely staff", head + " awful order"
    model = encoder(base)
    out = model.encode_all([a, b, "ok"])
    assert out.n_windows[0] > 1 and out.n_windows[2] == 1
    assert not np.allclose(out.theme[0], out.theme[1])  # the tail changes the output
    assert not np.allclose(out.task[0], out.task[1])
    truncating = SentenceTransformerEmbedder(str(base), max_seq_length=WINDOW).encode([a, b])
    np.testing.assert_allclose(truncating[0], truncating[1], atol=1e-6)  # what cutting would have done
    whole = model.encode_all([a], spans=[(0, 0, len(a)), (0, len(head) + 1, len(a))])
    np.testing.assert_allclose(whole.span_task[0], whole.task[0], atol=1e-5)
    assert not np.allclose(whole.span_task[1], whole.task[0])  # the tail's own vector


def test_split_encoder_needs_task_parts_for_encode_all(base):
    with pytest.raises(NotFittedError):
        SplitEncoder(base, top_layers=2, max_seq_length=WINDOW, window_overlap=4).encode_all(["ok"])


def test_split_encoder_rejects_bad_spans(base):
    with pytest.raises(InputDataError, match="spans"):
        encoder(base).encode_all(["ok"], spans=[(3, 0, 1)])


def test_split_encoder_audience_reaches_pillar_head(base):
    model = encoder(base)
    with __import__("torch").no_grad():
        model.heads_.pillar.weight[:, -1] += 5 * __import__("torch").arange(4.0)  # employee column
    out_c = model.encode_all(["ok"], audience=["customer"]).pillar_proba
    out_e = model.encode_all(["ok"], audience=["employee"]).pillar_proba
    assert not np.allclose(out_c, out_e)
