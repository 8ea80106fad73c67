"""Benchmark: the nightly flow on a synthetic corpus of N comments, against two references.

    python bench/run.py [--n 10000] [--backend torch|onnx|onnx-int8] [--embedder real|fake]
                        [--skip-bertopic] [--skip-bare] [--no-flow]

1. Builds bench/corpus/sample_<N>_<seed>.csv by resampling data/sample/ and perturbing each text
   (word drop, swap, filler word, case, a number), so almost every row is a new text.
2. Runs the nightly flow (Prefect, ephemeral; warmed up first, as a deployed server is) with an
   empty embedding cache, then again on the same data with the warm cache.
3. In the same process and on the same texts: a bare SentenceTransformer.encode (the floor) and
   BERTopic's default pipeline with the same embedding model.
Prints a table (per stage: seconds, comments/s, peak RSS) and writes bench/results/bench_<N>_<ts>.json.
`--embedder fake` measures the pipeline's own overhead and memory (clustering included) without the
model, for sizes where the model alone would take hours on this machine.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import shutil
import sys
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd
import psutil

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

FILLERS = {"nl": ["echt", "gewoon", "eigenlijk", "wel"], "de": ["echt", "wirklich", "eigentlich", "halt"],
           "ru": ["очень", "просто", "вообще", "реально"], "en": ["really", "just", "honestly", "actually"]}


# --- corpus --------------------------------------------------------------------------------------

def read_sample() -> pd.DataFrame:
    frames = []
    for f in sorted((REPO / "data" / "sample").iterdir()):
        df = pd.read_csv(f, dtype=str, keep_default_na=False) if f.suffix == ".csv" else \
            pd.read_json(f, lines=True, dtype=str)
        frames.append(df.assign(source=f.stem))
    return pd.concat(frames, ignore_index=True).fillna("")


def perturb(text: str, lang: str, rng: random.Random) -> str:
    words = text.split()
    if len(words) > 4 and rng.random() < 0.5:
        del words[rng.randrange(len(words))]
    if len(words) > 3 and rng.random() < 0.5:
        i = rng.randrange(len(words) - 1)
        words[i], words[i + 1] = words[i + 1], words[i]
    if rng.random() < 0.7:
        words.insert(rng.randrange(len(words) + 1), rng.choice(FILLERS.get(lang, FILLERS["en"])))
    out = " ".join(words)
    if rng.random() < 0.2:
        out = out.lower()
    if rng.random() < 0.3:
        out += f" ({rng.randint(2, 99)}x)"
    return out


def build_corpus(n: int, seed: int = 0) -> Path:
    path = REPO / "bench" / "corpus" / f"sample_{n}_{seed}.csv"
    if path.is_file():
        return path
    sample = read_sample()
    rng = random.Random(seed)
    rows = sample.iloc[[rng.randrange(len(sample)) for _ in range(n)]].copy().reset_index(drop=True)
    langs = rows["lang"] if "lang" in rows else pd.Series(["en"] * n)
    rows["text"] = [perturb(t, lang or "en", rng) if i >= len(sample) else t
                    for i, (t, lang) in enumerate(zip(rows["text"], langs))]
    rows["id"] = [f"b{i:08d}" for i in range(n)]
    path.parent.mkdir(parents=True, exist_ok=True)
    rows.to_csv(path, index=False)
    return path


# --- measuring -----------------------------------------------------------------------------------

class RssSampler:
    """Samples this process's RSS every 20 ms; `peak(t0, t1)` is the max inside a window."""

    def __init__(self, every: float = 0.02):
        self.every = every
        self.samples: list[tuple[float, float]] = []
        self._stop = threading.Event()
        self._proc = psutil.Process()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self):
        while not self._stop.is_set():
            self.samples.append((time.perf_counter(), self._proc.memory_info().rss / 2**20))
            time.sleep(self.every)

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        self._stop.set()
        self._thread.join()

    def peak(self, t0: float, t1: float) -> float:
        inside = [r for t, r in self.samples if t0 <= t <= t1]
        return round(max(inside) if inside else self.now(), 1)

    def now(self) -> float:
        return self._proc.memory_info().rss / 2**20


def record_stage_windows() -> list:
    """Wrap txnlp.pipeline._timed so each stage's start and end are known (for per-stage peak RSS)."""
    import txnlp.pipeline as P

    windows: list = []
    original = P._timed

    def timed(timings, name, fn, *args):
        t0 = time.perf_counter()
        try:
            return original(timings, name, fn, *args)
        finally:
            windows.append((name, t0, time.perf_counter()))

    P._timed = timed
    return windows


def run_flow(corpus: Path, out: Path, use_flow: bool) -> dict:
    import txnlp
    from txnlp import runner

    if out.exists():
        shutil.rmtree(out)
    if use_flow:
        from pipelines.nightly import mine_feedback_flow

        return mine_feedback_flow([str(corpus)], str(out), None)
    return runner.run([corpus], out, txnlp.load_settings()).summary()


def bare_encode(model_path: str, texts: list[str], batch_size: int, threads: int) -> float:
    import torch
    from sentence_transformers import SentenceTransformer

    torch.set_num_threads(threads)
    model = SentenceTransformer(model_path, device="cpu")
    model.max_seq_length = 256
    model.encode(["query: warm up"])
    t0 = time.perf_counter()
    model.encode(["query: " + t for t in texts], batch_size=batch_size, show_progress_bar=False)
    return time.perf_counter() - t0


def bertopic_default(model_path: str, texts: list[str]) -> tuple[float, int]:
    from bertopic import BERTopic
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(model_path, device="cpu")
    t0 = time.perf_counter()
    topics, _ = BERTopic(embedding_model=model).fit_transform(texts)
    return time.perf_counter() - t0, len(set(topics))


def fake_sentiment_head(directory: Path) -> Path:
    """A head on FakeEmbedder vectors (labels cycled over the sample): only for timing the pipeline's overhead."""
    from txnlp.classify import LinearSentimentClassifier
    from txnlp.embed import FakeEmbedder

    texts = read_sample()["text"].tolist()
    labels = [("negative", "neutral", "positive")[i % 3] for i in range(len(texts))]
    LinearSentimentClassifier().fit(FakeEmbedder().encode(texts), labels).save(directory)
    return directory


# --- main ----------------------------------------------------------------------------------------

def main(argv=None) -> dict:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--n", type=int, default=10000)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--backend", choices=["torch", "onnx", "onnx-int8"], default=None)
    p.add_argument("--embedder", choices=["real", "fake"], default="real")
    p.add_argument("--skip-bertopic", action="store_true")
    p.add_argument("--skip-bare", action="store_true")
    p.add_argument("--skip-rerun", action="store_true")
    p.add_argument("--no-flow", action="store_true", help="call runner.run instead of the Prefect flow")
    p.add_argument("--out", default=str(REPO / "bench" / "results"))
    args = p.parse_args(argv)

    work = REPO / "bench" / "corpus" / f"work_{args.n}_{os.getpid()}"
    os.environ["TXNLP_EMBED__CACHE_PATH"] = str(work / "embeddings.sqlite")  # a cold cache for the first run
    if args.backend:
        os.environ["TXNLP_EMBED__BACKEND"] = args.backend
    if args.embedder == "fake":
        os.environ["TXNLP_EMBED__KIND"] = "fake"
        os.environ["TXNLP_SENTIMENT__MODEL_DIR"] = str(fake_sentiment_head(work / "sentiment-fake"))
    import torch

    import txnlp
    from txnlp.embed.factory import build_embedder

    settings = txnlp.load_settings()
    threads = settings.embed.threads or os.cpu_count()
    corpus = build_corpus(args.n, args.seed)
    texts = pd.read_csv(corpus, dtype=str, keep_default_na=False)["text"].tolist()
    sampler = RssSampler().start()
    windows = record_stage_windows()
    prefect_s = 0.0
    if not args.no_flow:
        from prefect import flow

        t0 = time.perf_counter()
        flow(name="bench-warmup")(lambda: None)()  # start the ephemeral server before timing, as a deployment has one
        prefect_s = time.perf_counter() - t0
    rss_before = sampler.now()

    def timed_run(tag: str) -> tuple[float, float, float, dict]:
        windows.clear()
        t0 = time.perf_counter()
        summary = run_flow(corpus, work / tag, not args.no_flow)
        t1 = time.perf_counter()
        manifest = json.loads((work / tag / "manifest.json").read_text())
        return t1 - t0, sampler.peak(t0, t1), t0, {"summary": summary, "manifest": manifest, "windows": list(windows)}

    total_s, peak_rss, t_start, first = timed_run("cold")
    stages = {}
    for name, a, b in first["windows"]:
        stages[name] = {"seconds": round(b - a, 3), "per_s": round(args.n / max(b - a, 1e-9), 1),
                        "peak_rss_mb": sampler.peak(a, b)}
    encoder_stage = "encode" if "encode" in stages else "embed"  # the fine-tuned tagger's pass, or the embedder's
    embed_s = stages.get(encoder_stage, {}).get("seconds", 0.0)
    rerun = None
    if not args.skip_rerun:
        rerun_s, rerun_peak, _, second = timed_run("warm")
        rerun_embed = next((b - a for n, a, b in second["windows"] if n == encoder_stage), 0.0)
        rerun = {"seconds_total": round(rerun_s, 3), "seconds_embed": round(rerun_embed, 3),
                 "embed_ratio_vs_first": round(rerun_embed / embed_s, 4) if embed_s else None,
                 "total_ratio_vs_first": round(rerun_s / total_s, 4),
                 "stages": {n: round(b - a, 3) for n, a, b in second["windows"]}, "peak_rss_mb": rerun_peak}
    model_path = getattr(build_embedder(settings.embed, use_cache=False), "model_name_or_path",
                         getattr(build_embedder(settings.embed, use_cache=False), "model_dir", None))
    bare_s = None if args.skip_bare or args.embedder == "fake" else bare_encode(
        model_path, texts, settings.embed.batch_size, threads)
    bt = (None, None) if args.skip_bertopic or args.embedder == "fake" else bertopic_default(model_path, texts)
    sampler.stop()
    import sentence_transformers

    result = {
        "n": args.n, "embedder": args.embedder, "backend": settings.embed.backend,
        "model": first["manifest"]["models"]["embedder"], "runner": "runner.run" if args.no_flow else "prefect flow",
        "seconds_total": round(total_s, 3), "seconds_embed": embed_s,
        "seconds_overhead": round(total_s - embed_s, 3),
        "comments_per_s": round(args.n / total_s, 2),
        "seconds_bare_encode": None if bare_s is None else round(bare_s, 3),
        "ratio_vs_bare_encode": None if bare_s is None else round(total_s / bare_s, 3),
        "seconds_bertopic": None if bt[0] is None else round(bt[0], 3), "bertopic_topics": bt[1],
        "ratio_vs_bertopic": None if bt[0] is None else round(total_s / bt[0], 3),
        "peak_rss_mb": peak_rss, "rss_before_run_mb": round(rss_before, 1),
        "stages": stages, "manifest_timings": first["manifest"]["timings"],
        "themes": first["summary"].get("themes"), "rerun": rerun, "prefect_warmup_s": round(prefect_s, 2),
        "machine": {"cores": os.cpu_count(), "threads": threads, "torch": torch.__version__,
                    "sentence_transformers": sentence_transformers.__version__, "python": platform.python_version(),
                    "platform": platform.platform(), "cpu": _cpu_name(), "mem_gb": round(psutil.virtual_memory().total / 2**30, 1),
                    "load_avg_at_end": [round(x, 2) for x in os.getloadavg()],
                    "note": "shared machine: other engineers' experiments were running"},
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S")
    path = out / f"bench_{args.n}_{args.embedder}_{settings.embed.backend}_{stamp}.json"
    path.write_text(json.dumps(result, indent=2))
    print_table(result)
    print(f"\nresults: {path}")
    shutil.rmtree(work, ignore_errors=True)
    return result


def _cpu_name() -> str:
    try:
        text = Path("/proc/cpuinfo").read_text()
        m = re.search(r"model name\s*:\s*(.+)", text)
        return m.group(1).strip() if m else platform.processor()
    except OSError:
        return platform.processor()


def print_table(r: dict) -> None:
    n = r["n"]
    print(f"\ntxnlp bench: n={n}, embedder={r['embedder']}, backend={r['backend']}, {r['runner']}, "
          f"{r['machine']['cores']} cores, torch {r['machine']['torch']} (shared machine)")
    print(f"{'stage':<12} {'seconds':>9} {'comments/s':>11} {'peak RSS MB':>12}")
    for name, s in r["stages"].items():
        print(f"{name:<12} {s['seconds']:>9.2f} {s['per_s']:>11.1f} {s['peak_rss_mb']:>12.0f}")
    print(f"{'whole run':<12} {r['seconds_total']:>9.2f} {r['comments_per_s']:>11.1f} {r['peak_rss_mb']:>12.0f}")
    if r["seconds_bare_encode"] is not None:
        print(f"bare SentenceTransformer.encode: {r['seconds_bare_encode']:.2f} s -> "
              f"ratio pipeline/bare = {r['ratio_vs_bare_encode']:.2f} (goal <= 1.3)")
    if r["seconds_bertopic"] is not None:
        print(f"BERTopic default pipeline: {r['seconds_bertopic']:.2f} s ({r['bertopic_topics']} topics) -> "
              f"ratio txnlp/BERTopic = {r['ratio_vs_bertopic']:.2f} (goal < 1)")
    if r["rerun"]:
        print(f"rerun with warm cache: encoder pass {r['rerun']['seconds_embed']:.2f} s = "
              f"{100 * (r['rerun']['embed_ratio_vs_first'] or 0):.1f}% of the first run's; whole rerun "
              f"{r['rerun']['seconds_total']:.2f} s = {100 * r['rerun']['total_ratio_vs_first']:.1f}% of the first run "
              f"(goal < 5%); rerun stages {r['rerun']['stages']}")


if __name__ == "__main__":
    main()
