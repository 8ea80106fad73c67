"""Fine-tune the top T layers of the encoder and the task heads on frozen trunk states.

The trunk (the lower L-T layers) is frozen, so its output for a text never changes: it is computed
once per text (`trunk_states`, fp16, optionally cached on disk) and each epoch then runs only the top
T layers forward and backward, about T/L of a full fine-tune. That is what brings a data team's
retrain on 2,000 rows down to minutes on two cores.

Sampling: every step draws a batch from a weighted sampler, so each language (the `group` column)
gets the same mass and, within it, each sentiment class; a `weight` column scales rows further
(e.g. the in-domain register). Rows with a pillar label get `pillar_share` of the draws, balanced
over pillars. Draws are sorted by length within a pool of batches (length buckets), so padding
stays small. Early stopping and the per-head temperatures use a stratified split of the TRAINING
rows, never an evaluation set.

Frame columns: `text`; `sentiment` and/or `pillar` (empty where a row has no such label); optional
`lang`, `audience` (customer/employee, read by the pillar head), `group` (balance unit, default
`lang`) and `weight` (default 1).
"""
from __future__ import annotations

import copy
import hashlib
import json
import logging
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from txnlp.errors import InputDataError
from txnlp.embed.split_encoder import (AUDIENCE_VALUES, PILLAR_CLASSES, SENTIMENT_CLASSES, SplitEncoder,
                                       audience_block, softmax_t)
from txnlp.embed.sentence_transformers import model_fingerprint

log = logging.getLogger(__name__)


# ---- trunk states ---------------------------------------------------------------------------
@dataclass
class TrunkStates:
    """Per text: the trunk's output tokens (fp16, (len, d)) and which of them are the text's own."""

    hidden: list[np.ndarray]
    content: list[np.ndarray]

    def __len__(self) -> int:
        return len(self.hidden)

    def subset(self, rows) -> "TrunkStates":
        return TrunkStates([self.hidden[i] for i in rows], [self.content[i] for i in rows])


class StateStore:
    """Append-only disk cache of trunk states keyed by (base fingerprint, split layer, max_length, prefix, text).

    Holds vectors only (fp16 token states), keyed by a hash: the text itself is never written.
    Meant for a scratch directory (e.g. under /tmp), not the repository.
    """

    def __init__(self, directory: Path, key: str, dim: int):
        self.directory = Path(directory) / key
        self.dim = dim
        self.directory.mkdir(parents=True, exist_ok=True)
        self._index_path = self.directory / "index.json"
        self.index: dict[str, list[int]] = json.loads(self._index_path.read_text()) if self._index_path.is_file() else {}

    @staticmethod
    def text_key(text: str) -> str:
        return hashlib.sha256(text.encode()).hexdigest()[:24]

    def get(self, texts: list[str]) -> dict[int, tuple[np.ndarray, np.ndarray]]:
        found = {i: self.index[k] for i, k in enumerate(map(self.text_key, texts)) if k in self.index}
        if not found:
            return {}
        tokens = np.fromfile(self.directory / "tokens.f16", dtype=np.float16).reshape(-1, self.dim)
        content = np.fromfile(self.directory / "content.u8", dtype=np.uint8)
        return {i: (tokens[o:o + n].copy(), content[o:o + n].astype(bool)) for i, (o, n) in found.items()}

    def put(self, texts: list[str], hidden: list[np.ndarray], content: list[np.ndarray]) -> None:
        tokens_path = self.directory / "tokens.f16"
        offset = tokens_path.stat().st_size // (2 * self.dim) if tokens_path.is_file() else 0
        with open(tokens_path, "ab") as ft, open(self.directory / "content.u8", "ab") as fc:
            for text, h, c in zip(texts, hidden, content):
                ft.write(np.ascontiguousarray(h, np.float16).tobytes())
                fc.write(np.ascontiguousarray(c, np.uint8).tobytes())
                self.index[self.text_key(text)] = [offset, len(h)]
                offset += len(h)
        tmp = self._index_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.index))
        tmp.replace(self._index_path)


def trunk_states(encoder: SplitEncoder, texts: list[str], *, max_length: int = 128, batch_size: int = 64,
                 cache_dir: Path | None = None, progress: bool = False) -> TrunkStates:
    """The trunk's output for each text (truncated at `max_length` tokens: training reads one window)."""
    import torch

    texts = list(texts)
    store = None
    if cache_dir is not None:
        key = f"{model_fingerprint(str(encoder.base_path))}-split{encoder.split_at}-m{max_length}-" \
              f"{hashlib.sha1(encoder.prefix.encode()).hexdigest()[:6]}"
        store = StateStore(Path(cache_dir), key, encoder.dim)
    known = store.get(texts) if store is not None else {}
    todo = [i for i in range(len(texts)) if i not in known]
    hidden: list = [None] * len(texts)
    content: list = [None] * len(texts)
    for i, (h, c) in known.items():
        hidden[i], content[i] = h, c
    if todo:
        from tqdm.auto import tqdm

        tok = encoder.tokenizer_
        order = sorted(todo, key=lambda i: -len(texts[i]))
        pad = encoder.base_.config.pad_token_id or 0
        bar = tqdm(total=len(order), desc="trunk states", unit="text", disable=not progress)
        t0 = time.perf_counter()
        with torch.inference_mode():
            for b0 in range(0, len(order), batch_size):
                rows = order[b0:b0 + batch_size]
                enc = tok([encoder.prefix + texts[i] for i in rows], truncation=True, max_length=max_length,
                          return_offsets_mapping=True, padding=False)
                width = max(len(x) for x in enc["input_ids"])
                ids = np.full((len(rows), width), pad, np.int64)
                mask = np.zeros((len(rows), width), np.int64)
                for j, x in enumerate(enc["input_ids"]):
                    ids[j, :len(x)], mask[j, :len(x)] = x, 1
                h, _ = encoder.run_trunk(torch.from_numpy(ids), torch.from_numpy(mask))
                h = h.to(torch.float16).numpy()
                for j, i in enumerate(rows):
                    n = int(mask[j].sum())
                    offs = np.asarray(enc["offset_mapping"][j], np.int64).reshape(-1, 2)
                    hidden[i], content[i] = h[j, :n].copy(), encoder.content_mask(offs)
                if store is not None:
                    store.put([texts[i] for i in rows], [hidden[i] for i in rows], [content[i] for i in rows])
                bar.update(len(rows))
        bar.close()
        log.info("trunk states: %d texts encoded in %.1f s, %d from cache", len(todo), time.perf_counter() - t0,
                 len(known))
    return TrunkStates(hidden, content)


# ---- batches --------------------------------------------------------------------------------
def _pad(states: TrunkStates, rows):
    import torch

    width = max(len(states.hidden[i]) for i in rows)
    d = states.hidden[rows[0]].shape[1]
    h = np.zeros((len(rows), width, d), np.float32)
    mask = np.zeros((len(rows), width), np.int64)
    content = np.zeros((len(rows), width), np.float32)
    for j, i in enumerate(rows):
        n = len(states.hidden[i])
        h[j, :n], mask[j, :n], content[j, :n] = states.hidden[i], 1, states.content[i]
    content[content.sum(axis=1) == 0] = mask[content.sum(axis=1) == 0]  # empty text: pool what there is
    return torch.from_numpy(h), torch.from_numpy(mask), torch.from_numpy(content)


def pooled_task(encoder: SplitEncoder, hidden, mask, content):
    """Tuned top layers over trunk states, mean-pooled over the text's own tokens (as `SplitEncoder` serves)."""
    attn = encoder.attention_mask_for(hidden, mask)
    out = encoder.run_layers(encoder.tuned_, hidden, attn)
    return (out * content[..., None]).sum(dim=1) / content.sum(dim=1, keepdim=True).clamp(min=1)


def predict_states(encoder: SplitEncoder, states: TrunkStates, audience=None, batch_size: int = 64,
                   calibrated: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """(sentiment, pillar) probabilities (or logits when not `calibrated`) from precomputed trunk states."""
    import torch

    encoder.tuned_.eval()
    context = audience_block(audience, len(states))
    order = np.argsort([-len(h) for h in states.hidden], kind="stable")
    pooled = np.zeros((len(states), encoder.dim), np.float32)
    with torch.inference_mode():
        for b0 in range(0, len(order), batch_size):
            rows = order[b0:b0 + batch_size]
            pooled[rows] = pooled_task(encoder, *_pad(states, rows)).numpy()
    s, p = encoder.head_logits(pooled, context)
    if not calibrated:
        return s, p
    return softmax_t(s, encoder.temperatures_["sentiment"]), softmax_t(p, encoder.temperatures_["pillar"])


def sampling_weights(frame: pd.DataFrame, pillar_share: float) -> np.ndarray:
    """Draw probabilities: equal mass per group and, within it, per sentiment class; pillar rows share `pillar_share`."""
    w = np.zeros(len(frame))
    scale = frame["weight"].to_numpy(float)
    has_s = frame["sentiment"] != ""
    has_p = frame["pillar"] != ""
    if has_s.any():
        s = frame[has_s]
        cells = s.groupby(["group", "sentiment"]).size()
        n_groups = s["group"].nunique()
        per_group = s.groupby("group")["sentiment"].nunique()
        cell = np.array([cells[(g, c)] for g, c in zip(s["group"], s["sentiment"])], float)
        ws = scale[has_s.to_numpy()] / (n_groups * per_group[s["group"]].to_numpy() * cell)
        w[has_s.to_numpy()] += (1 - pillar_share if has_p.any() else 1.0) * ws / ws.sum()
    if has_p.any():
        p = frame[has_p]
        counts = p["pillar"].map(p["pillar"].value_counts()).to_numpy(float)
        wp = scale[has_p.to_numpy()] / counts
        w[has_p.to_numpy()] += (pillar_share if has_s.any() else 1.0) * wp / wp.sum()
    return w / w.sum()


def length_bucketed_batches(rows: np.ndarray, lengths: np.ndarray, batch_size: int, rng,
                            pool_batches: int = 50) -> list[np.ndarray]:
    """Split drawn rows into batches of similar length (sorted within pools of `pool_batches`), in random order."""
    batches = []
    pool = batch_size * pool_batches
    for p0 in range(0, len(rows), pool):
        chunk = rows[p0:p0 + pool]
        chunk = chunk[np.argsort(lengths[chunk], kind="stable")]
        batches.extend(chunk[b0:b0 + batch_size] for b0 in range(0, len(chunk), batch_size))
    rng.shuffle(batches)
    return batches


# ---- training -------------------------------------------------------------------------------
def prepare_frame(frame: pd.DataFrame, name: str = "train_frame") -> pd.DataFrame:
    """Validate and fill the optional columns; labels outside the label sets are an error naming the rows."""
    if "text" not in frame:
        raise InputDataError(f"{name}: column 'text' missing (found: {', '.join(map(str, frame.columns))})")
    if "sentiment" not in frame and "pillar" not in frame:
        raise InputDataError(f"{name}: needs a 'sentiment' or a 'pillar' column")
    out = pd.DataFrame({"text": frame["text"].astype(str).to_numpy()})
    for column, default in (("sentiment", ""), ("pillar", ""), ("lang", "und"), ("audience", ""), ("group", None),
                            ("weight", 1.0)):
        values = frame[column].to_numpy() if column in frame else None
        if values is None:
            out[column] = out["lang"] if column == "group" else default
        else:
            out[column] = values
    for column in ("sentiment", "pillar", "lang", "audience", "group"):
        out[column] = out[column].fillna("").astype(str).str.strip()
    out["audience"] = out["audience"].str.lower()
    for column, allowed in (("sentiment", SENTIMENT_CLASSES), ("pillar", PILLAR_CLASSES)):
        bad = np.flatnonzero(~out[column].isin(("",) + allowed))
        if len(bad):
            raise InputDataError(f"{name}: unknown {column} labels {sorted(set(out[column].iloc[bad]))} on rows "
                                 f"{bad[:20].tolist()} (allowed: {list(allowed)})")
    unlabelled = np.flatnonzero((out["sentiment"] == "") & (out["pillar"] == ""))
    if len(unlabelled):
        raise InputDataError(f"{name}: rows {unlabelled[:20].tolist()} have neither a sentiment nor a pillar label")
    empty = np.flatnonzero(out["text"].str.strip() == "")
    if len(empty):
        raise InputDataError(f"{name}: empty text on rows {empty[:20].tolist()}")
    return out


def stratified_dev_split(frame: pd.DataFrame, share: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Row indices (train, dev), stratified by language x label; strata with one row stay in train."""
    rng = np.random.default_rng(seed)
    key = frame["lang"] + "|" + frame["sentiment"] + "|" + frame["pillar"]
    dev = []
    for _, idx in frame.groupby(key).indices.items():
        if len(idx) < 2:
            continue
        k = int(round(len(idx) * share))
        dev.extend(rng.choice(idx, size=min(max(k, 1), len(idx) - 1), replace=False))
    dev = np.sort(np.asarray(dev, dtype=np.int64))
    return np.setdiff1d(np.arange(len(frame)), dev), dev


def _dev_score(frame: pd.DataFrame, s_logits: np.ndarray, p_logits: np.ndarray, min_rows: int = 20) -> dict:
    """Sentiment macro-F1 per balance group (>= min_rows dev rows), their mean, and pillar macro-F1."""
    from sklearn.metrics import f1_score

    out = {"per_lang": {}}
    has_p = (frame["pillar"] != "").to_numpy()
    if has_p.any():
        pred_p = np.asarray(PILLAR_CLASSES, dtype=object)[p_logits.argmax(axis=1)]
        out["pillar"] = float(f1_score(frame["pillar"].to_numpy()[has_p], pred_p[has_p], average="macro"))
    has_s = (frame["sentiment"] != "").to_numpy()
    pred_s = np.asarray(SENTIMENT_CLASSES, dtype=object)[s_logits.argmax(axis=1)]
    for lang, idx in frame[has_s].groupby("group").indices.items():
        rows = np.flatnonzero(has_s)[idx]
        if len(rows) >= min_rows:
            out["per_lang"][lang] = float(f1_score(frame["sentiment"].to_numpy()[rows], pred_s[rows], average="macro"))
    if out["per_lang"]:
        out["sentiment"] = float(np.mean(list(out["per_lang"].values())))
    elif has_s.any():  # too few rows per language: one figure over all of them
        out["sentiment"] = float(f1_score(frame["sentiment"].to_numpy()[has_s], pred_s[has_s], average="macro"))
    else:
        out["sentiment"] = out.get("pillar", 0.0)
    return out


def fit_temperature(logits: np.ndarray, labels: np.ndarray, classes) -> float:
    """Logit temperature minimising the log-loss on held-out rows (grid 0.25..4)."""
    col = {c: i for i, c in enumerate(classes)}
    keep = np.array([label in col for label in labels])
    if not keep.any():
        return 1.0
    y = np.array([col[label] for label in labels[keep]])
    grid = np.exp(np.linspace(np.log(0.25), np.log(4.0), 61))
    losses = [-np.log(softmax_t(logits[keep], t)[np.arange(len(y)), y] + 1e-12).mean() for t in grid]
    return float(grid[int(np.argmin(losses))])


def finetune(train_frame: pd.DataFrame, *, base_path: str | Path | None = None, init: str | Path | None = None,
             replay_frame: pd.DataFrame | None = None, top_layers: int = 3, epochs: int = 3,
             lr_layers: float = 5e-5, lr_heads: float = 1e-3, weight_decay: float = 0.01, batch_size: int = 32,
             max_length: int = 128, dev_share: float = 0.1, pillar_share: float = 0.2,
             pillar_loss_weight: float = 1.0, head_hidden: int = 0, dropout: float = 0.1,
             evals_per_epoch: int = 2, patience: int = 2, seed: int = 0, threads: int | None = None,
             state_cache: Path | None = None, progress: bool = True) -> SplitEncoder:
    """Fine-tune the top layers and heads; return the trained SplitEncoder (the best dev checkpoint, calibrated).

    Args:
        train_frame: labelled rows (see the module docstring for columns).
        base_path: the resolved base folder; with `init` it must be the base `init` was trained on.
        init: a saved SplitEncoder model dir to continue from (a data team's retrain); its T is used.
        replay_frame: rows of the original training data mixed in so the model does not forget them.
        top_layers: T (ignored with `init`).
        epochs: at most this many passes (one pass = as many draws as training rows); early stopping may stop sooner.
        state_cache: directory for the trunk-state cache (scratch space; vectors only, keyed by hash).

    Attributes set on the returned model:
        history_: one dict per dev evaluation (step, epoch, dev scores, seconds).
        dev_metrics_: dev scores of the kept checkpoint; dev_rows_: how many rows were held out.
        training_: the parameters and timings of this run.
    """
    import torch
    from tqdm.auto import tqdm

    t_start = time.perf_counter()
    if threads:
        torch.set_num_threads(threads)
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    frame = prepare_frame(train_frame)
    if replay_frame is not None and len(replay_frame):
        frame = pd.concat([frame, prepare_frame(replay_frame, "replay_frame")], ignore_index=True)
    if init is not None:
        if base_path is None:
            raise InputDataError("finetune(init=...) needs base_path, the base the model was trained on")
        encoder = SplitEncoder.load(Path(init), base_path)
        encoder.tuned_.train()
    else:
        if base_path is None:
            raise InputDataError("finetune() needs base_path (the resolved base encoder folder)")
        encoder = SplitEncoder(base_path, top_layers=top_layers).init_task_parts(head_hidden=head_hidden,
                                                                                  dropout=dropout)
    t0 = time.perf_counter()
    states = trunk_states(encoder, frame["text"].tolist(), max_length=max_length, cache_dir=state_cache,
                          progress=progress)
    states_s = time.perf_counter() - t0
    train_idx, dev_idx = stratified_dev_split(frame, dev_share, seed)
    train, dev = frame.iloc[train_idx].reset_index(drop=True), frame.iloc[dev_idx].reset_index(drop=True)
    train_states, dev_states = states.subset(train_idx), states.subset(dev_idx)
    probs = sampling_weights(train, pillar_share)
    lengths = np.array([len(h) for h in train_states.hidden])
    s_col = {c: i for i, c in enumerate(SENTIMENT_CLASSES)}
    p_col = {c: i for i, c in enumerate(PILLAR_CLASSES)}
    y_s = torch.tensor([s_col.get(v, -100) for v in train["sentiment"]])
    y_p = torch.tensor([p_col.get(v, -100) for v in train["pillar"]])
    context = torch.from_numpy(audience_block(train["audience"].tolist(), len(train)))

    params = [{"params": list(encoder.tuned_.parameters()), "lr": lr_layers},
              {"params": list(encoder.heads_.parameters()), "lr": lr_heads}]
    optimizer = torch.optim.AdamW(params, weight_decay=weight_decay)
    steps_per_epoch = max(1, int(np.ceil(len(train) / batch_size)))
    total_steps = steps_per_epoch * epochs
    warmup = max(1, int(0.06 * total_steps))
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min(1.0, (s + 1) / warmup) * max(0.0, (total_steps - s) / max(1, total_steps - warmup)))
    eval_at = set(np.linspace(0, steps_per_epoch, evals_per_epoch + 1, dtype=int)[1:].tolist())
    loss_fn = torch.nn.CrossEntropyLoss(ignore_index=-100)

    def evaluate() -> dict:
        s, p = predict_states(encoder, dev_states, dev["audience"].tolist(), calibrated=False)
        return _dev_score(dev, s, p)

    history, best, best_state, bad_evals, step = [], -1.0, None, 0, 0
    log.info("finetune: %d train rows, %d dev rows, T=%d, %d epochs x %d steps, init=%s", len(train), len(dev),
             encoder.top_layers, epochs, steps_per_epoch, init)
    stop = False
    for epoch in range(epochs):
        t_epoch = time.perf_counter()
        drawn = rng.choice(len(train), size=steps_per_epoch * batch_size, replace=True, p=probs)
        batches = length_bucketed_batches(drawn, lengths, batch_size, rng)
        bar = tqdm(batches, desc=f"epoch {epoch + 1}/{epochs}", unit="step", disable=not progress)
        encoder.tuned_.train()
        encoder.heads_.train()
        running = 0.0
        for k, rows in enumerate(bar, start=1):
            hidden, mask, content = _pad(train_states, rows)
            pooled = pooled_task(encoder, hidden, mask, content)
            s_logits, p_logits = encoder.heads_(pooled, context[rows])
            loss = 0.0
            if (y_s[rows] >= 0).any():
                loss = loss + loss_fn(s_logits, y_s[rows])
            if (y_p[rows] >= 0).any():
                loss = loss + pillar_loss_weight * loss_fn(p_logits, y_p[rows])
            optimizer.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_([q for g in params for q in g["params"]], 1.0)
            optimizer.step()
            scheduler.step()
            step += 1
            value = float(loss.detach())
            running = 0.98 * running + 0.02 * value if k > 1 else value
            bar.set_postfix(loss=f"{running:.3f}")
            if k in eval_at and len(dev):
                scores = evaluate()
                scores.update(step=step, epoch=round(epoch + k / steps_per_epoch, 2),
                              seconds=round(time.perf_counter() - t_start, 1))
                history.append(scores)
                log.info("dev @ epoch %.2f: sentiment %.4f %s pillar %s", scores["epoch"], scores["sentiment"],
                         {k2: round(v, 3) for k2, v in scores["per_lang"].items()}, scores.get("pillar"))
                encoder.tuned_.train()
                encoder.heads_.train()
                if scores["sentiment"] > best:
                    best, bad_evals = scores["sentiment"], 0
                    best_state = (copy.deepcopy(encoder.tuned_.state_dict()), copy.deepcopy(encoder.heads_.state_dict()))
                else:
                    bad_evals += 1
                    if bad_evals >= patience:
                        stop = True
                        break
        bar.close()
        log.info("epoch %d: %.1f s", epoch + 1, time.perf_counter() - t_epoch)
        if stop:
            log.info("early stop after %d evaluations without a better dev score", patience)
            break
    if best_state is not None:
        encoder.tuned_.load_state_dict(best_state[0])
        encoder.heads_.load_state_dict(best_state[1])
    encoder.tuned_.eval()
    encoder.heads_.eval()
    if len(dev):
        s, p = predict_states(encoder, dev_states, dev["audience"].tolist(), calibrated=False)
        encoder.temperatures_ = {"sentiment": fit_temperature(s, dev["sentiment"].to_numpy(), SENTIMENT_CLASSES),
                                 "pillar": fit_temperature(p, dev["pillar"].to_numpy(), PILLAR_CLASSES)}
        encoder.dev_metrics_ = _dev_score(dev, s, p)
    else:
        encoder.dev_metrics_ = {}
    encoder.history_ = history
    encoder.dev_rows_ = len(dev)
    encoder.training_ = {
        "init": str(init) if init else None, "top_layers": encoder.top_layers, "epochs": epochs,
        "epochs_run": history[-1]["epoch"] if history else epochs, "lr_layers": lr_layers, "lr_heads": lr_heads,
        "batch_size": batch_size, "max_length": max_length, "pillar_share": pillar_share, "dev_share": dev_share,
        "seed": seed, "train_rows": len(train), "dev_rows": len(dev),
        "replay_rows": 0 if replay_frame is None else len(replay_frame),
        "seconds": {"trunk_states": round(states_s, 1), "total": round(time.perf_counter() - t_start, 1)},
    }
    log.info("finetune done in %.1f s (trunk states %.1f s); dev %s", encoder.training_["seconds"]["total"], states_s,
             encoder.dev_metrics_)
    return encoder


__all__ = ["AUDIENCE_VALUES", "StateStore", "TrunkStates", "finetune", "predict_states", "prepare_frame",
           "trunk_states"]
