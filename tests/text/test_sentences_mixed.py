import numpy as np
import pandas as pd

from txnlp import vocab as V
from txnlp.classify import SentimentTagger
from txnlp.text.sentences import SentenceSplitter, SentenceTagger


def test_sentences_split_at_sentences_and_contrast_per_language():
    s = SentenceSplitter()
    assert s.split("The staff were lovely but the app kept crashing.", "en") == [
        "The staff were lovely", "but the app kept crashing."]
    assert s.split("Het personeel was vriendelijk, maar de app crasht steeds. Nooit meer!", "nl") == [
        "Het personeel was vriendelijk", "maar de app crasht steeds.", "Nooit meer!"]
    assert len(s.split("Персонал милый, но приложение постоянно вылетает.", "ru")) == 2
    assert SentenceSplitter(split_contrast=False).split("Lovely staff but a slow app", "en") == ["Lovely staff but a slow app"]
    assert s.split("ok", "und") == ["ok"]


def test_sentences_max_sentences_merges_the_rest():
    text = " ".join(f"Sentence number {i} is here." for i in range(10))
    parts = SentenceSplitter(max_sentences=3).split(text, "en")
    assert len(parts) == 3 and parts[-1].endswith("number 9 is here.")


def test_sentences_mixed_flag_and_sentence_rows(fake_embedder, tiny_sentiment):
    frame = pd.DataFrame({"id": ["a", "b"], "lang": ["en", "en"], "audience": ["customer", "customer"],
                          "text": ["great service, thank you. awful app, crashes all the time",
                                   "great service, thank you"]})
    emb = fake_embedder.encode(frame["text"].tolist())
    tagger = SentenceTagger(SentenceSplitter(), fake_embedder, SentimentTagger(tiny_sentiment), None,
                            mixed_threshold=0.51)
    sentences, by_comment = tagger.predict(frame, emb)
    assert list(sentences.columns) == list(V.SENTENCE_COLUMNS)
    assert sentences[V.COMMENT_ID].tolist() == ["a", "a", "b"] and sentences[V.SENTENCE_IDX].tolist() == [0, 1, 0]
    assert sentences[V.SENTIMENT].tolist()[:2] == ["positive", "negative"]
    assert by_comment.loc["a", V.MIXED] and not by_comment.loc["b", V.MIXED]


def test_sentences_long_comment_scored_from_its_sentences(fake_embedder, tiny_sentiment):
    text = " ".join(["awful app, crashes all the time."] * 40)
    frame = pd.DataFrame({"id": ["x"], "lang": ["en"], "text": [text]})
    tagger = SentenceTagger(SentenceSplitter(), fake_embedder, SentimentTagger(tiny_sentiment), long_text_chars=200)
    _, by_comment = tagger.predict(frame, np.zeros((1, 64), np.float32) + 0.1)
    assert by_comment.loc["x", V.SENTIMENT] == "negative" and by_comment.loc["x", V.SENTIMENT_SCORE] < 0


def test_sentences_written_by_the_run(tmp_path, sample_csv, fake_embedder, tiny_sentiment):
    from txnlp.config import load_settings
    from txnlp.runner import run

    settings = load_settings(None, cluster={"n_clusters": 2, "min_cluster_size": 2})
    result = run([sample_csv], tmp_path / "out", settings, embedder=fake_embedder, sentiment=tiny_sentiment)
    sentences = pd.read_csv(tmp_path / "out" / "sentences.csv")
    comments = pd.read_parquet(tmp_path / "out" / "comments.parquet")
    assert list(sentences.columns) == list(V.SENTENCE_COLUMNS)
    assert set(sentences[V.COMMENT_ID]) == set(comments[V.ID]) and V.MIXED in comments
    assert result.counts["sentences"] == len(sentences)
