"""ONNX Runtime vs torch: speed (texts/s) and quality (cosine to torch, sentiment macro-F1 on the eval sets).

    python bench/onnx_check.py [--sentiment-dir models/sentiment] [--json bench/results/onnx_check.json]

The eval sets (shared/eval/sentiment/*.csv) are only measured on, never trained on. The sentiment
head is the one trained on torch embeddings (the one the pipeline ships); it is applied unchanged
to each backend's vectors, which is what switching backends does in production.
"""
from __future__ import annotations

import argparse
import glob
import json
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from txnlp.classify import LinearSentimentClassifier  # noqa: E402
from txnlp.embed.onnx import OnnxEmbedder, export_onnx  # noqa: E402
from txnlp.embed.sentence_transformers import SentenceTransformerEmbedder  # noqa: E402


def sample_texts() -> list[str]:
    texts = []
    for f in sorted((REPO / "data" / "sample").iterdir()):
        df = pd.read_csv(f) if f.suffix == ".csv" else pd.read_json(f, lines=True)
        texts += df["text"].astype(str).tolist()
    return texts


def main(argv=None) -> dict:
    from sklearn.metrics import f1_score

    p = argparse.ArgumentParser()
    p.add_argument("--model", default=os.environ.get("TXNLP_BENCH_MODEL", str(REPO / ".cache/txnlp/multilingual-e5-small")))
    p.add_argument("--sentiment-dir", default="models/sentiment")
    p.add_argument("--eval", default=str(REPO.parent / "shared/eval/sentiment/*.csv"))
    p.add_argument("--json", default=str(REPO / "bench/results/onnx_check.json"))
    p.add_argument("--threads", type=int, default=os.cpu_count())
    args = p.parse_args(argv)

    export_onnx(args.model, quantize=True)
    backends = {
        "torch": SentenceTransformerEmbedder(args.model, threads=args.threads),
        "onnx": OnnxEmbedder(args.model, quantize=False, threads=args.threads),
        "onnx-int8": OnnxEmbedder(args.model, quantize=True, threads=args.threads),
    }
    files = sorted(glob.glob(args.eval))
    ev = pd.concat([pd.read_csv(f, dtype=str, keep_default_na=False).assign(file=Path(f).stem) for f in files])
    texts, labels = ev["text"].tolist(), ev["label"].to_numpy(dtype=object)
    sample = sample_texts()
    head = LinearSentimentClassifier.load(Path(args.sentiment_dir))
    vectors, rates = {}, {name: [] for name in backends}
    for name, emb in backends.items():
        emb.encode(sample[:8])  # load + warm up
        t = time.perf_counter()
        vectors[name] = emb.encode(texts)
        rates[name].append(len(texts) / (time.perf_counter() - t))
    for name, emb in backends.items():  # second timing, on the sample, interleaved
        t = time.perf_counter()
        emb.encode(sample)
        rates[name].append(len(sample) / (time.perf_counter() - t))
    out = {"machine": {"cores": os.cpu_count(), "threads": args.threads, "platform": platform.platform(),
                       "torch": __import__("torch").__version__, "onnxruntime": __import__("onnxruntime").__version__,
                       "note": "shared machine, other engineers' jobs running; rates are the better of two timings"},
           "n_eval_texts": len(texts), "eval_files": [Path(f).name for f in files],
           "sentiment_model": str(args.sentiment_dir), "backends": {}}
    ref = vectors["torch"]
    for name in backends:
        pred = head.predict(vectors[name])
        cos = (vectors[name] * ref).sum(axis=1)
        per_file = {f: round(100 * f1_score(labels[ev["file"].to_numpy() == f], pred[ev["file"].to_numpy() == f],
                                            average="macro"), 2) for f in sorted(set(ev["file"]))}
        out["backends"][name] = {
            "texts_per_s": round(max(rates[name]), 2), "texts_per_s_runs": [round(r, 2) for r in rates[name]],
            "cosine_to_torch_mean": round(float(cos.mean()), 5), "cosine_to_torch_min": round(float(cos.min()), 5),
            "sentiment_macro_f1": round(100 * f1_score(labels, pred, average="macro"), 2),
            "sentiment_macro_f1_per_file": per_file,
            "agreement_with_torch": round(float((pred == head.predict(ref)).mean()), 4),
        }
    for name, r in out["backends"].items():
        r["speedup_vs_torch"] = round(r["texts_per_s"] / out["backends"]["torch"]["texts_per_s"], 2)
        r["f1_delta_points"] = round(r["sentiment_macro_f1"] - out["backends"]["torch"]["sentiment_macro_f1"], 2)
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps(out, indent=2))
    print(f"{'backend':<10} {'texts/s':>8} {'x torch':>8} {'cos mean':>9} {'cos min':>8} {'macroF1':>8} {'dF1':>6}")
    for name, r in out["backends"].items():
        print(f"{name:<10} {r['texts_per_s']:>8.1f} {r['speedup_vs_torch']:>8.2f} {r['cosine_to_torch_mean']:>9.4f} "
              f"{r['cosine_to_torch_min']:>8.4f} {r['sentiment_macro_f1']:>8.2f} {r['f1_delta_points']:>+6.2f}")
    return out


if __name__ == "__main__":
    main()
