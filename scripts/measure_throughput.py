"""Comments per second of the sentiment + pillar stages on this machine (developer tool).

Times, on the sample's comments: the shared e5 pass, the USE pass (base+use heads only), the heads,
and the sentence stage (splitting, re-encoding multi-sentence comments). Run with OMP_NUM_THREADS=2.
"""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def main() -> None:
    import pandas as pd

    from txnlp.config import load_settings
    from txnlp.embed.factory import build_use_embedder
    from txnlp.training.evaluate import labelled_sample
    from txnlp.runner import load_pillar, load_sentiment, make_embedder, sentiment_tagger
    from txnlp.classify import PillarTagger
    from txnlp.text.sentences import SentenceSplitter, SentenceTagger

    settings = load_settings(None)
    frame = labelled_sample(REPO / "data/sample", REPO / "data/sample_labels")
    frame = frame.assign(id=frame["id"].astype(str))
    texts = frame["text"].tolist()
    e5 = make_embedder(settings)
    e5.encode(texts[:8])
    t = time.perf_counter(); emb = e5.encode(texts); t_e5 = time.perf_counter() - t
    use = build_use_embedder(settings.embed)
    use.encode(texts[:8])
    t = time.perf_counter(); use.encode(texts); t_use = time.perf_counter() - t
    clf = load_sentiment(settings)
    tagger, pillar = sentiment_tagger(settings, clf), PillarTagger(load_pillar(settings, e5))
    t = time.perf_counter(); tagger.predict(frame, emb); pillar.predict(frame, emb); t_heads = time.perf_counter() - t
    sentences = SentenceTagger(SentenceSplitter(), e5, tagger, pillar)
    t = time.perf_counter(); rows, _ = sentences.predict(frame, emb); t_sent = time.perf_counter() - t
    n = len(texts)
    out = {"comments": n, "mean_chars": round(sum(map(len, texts)) / n), "sentences": len(rows),
           "e5_per_s": round(n / t_e5, 1), "use_per_s": round(n / t_use, 1),
           "heads_s": round(t_heads, 2), "sentence_stage_s": round(t_sent, 1),
           "sentiment_model": clf.meta_.get("model_id"), "features": clf.features,
           "comments_per_s_comment_level": round(n / (t_e5 + t_heads), 1),
           "comments_per_s_with_sentences": round(n / (t_e5 + t_heads + t_sent), 1)}
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
