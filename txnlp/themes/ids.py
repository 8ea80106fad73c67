"""Stable theme ids across nights: match tonight's themes to the known ones, keep history, flag emerging.

Matching is an optimal one-to-one assignment (Hungarian method, scipy's `linear_sum_assignment`) on
the cosine similarity of theme centroids; a pair is accepted only above `match_threshold`, so a theme
that drifted too far, or a brand-new pain point, gets a new id instead of stealing an old one. Known
themes that found no partner stay in the state (and in the history), so an id is never reused.

Pure functions and a small state object; reading and writing the state lives in `io/theme_store.py`.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from txnlp import vocab as V

log = logging.getLogger(__name__)

HISTORY_COLUMNS: tuple[str, ...] = ("run_id", "run_date", "theme_id", "size", "share_negative", "mean_sentiment")


def unit_rows(matrix: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (cosine = dot product), as float32; zero rows stay zero."""
    matrix = np.asarray(matrix, dtype=np.float32)
    return matrix / np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12)


@dataclass
class ThemeState:
    """What is remembered between runs: every theme ever seen, its centroid and dates.

    `centroids` are in the clustering space (after language centring); `language_means` are the per-language
    means that centring subtracted at the last full clustering, so an incremental night can centre alike.
    """

    embedder_id: str = ""
    theme_ids: list[int] = field(default_factory=list)
    centroids: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=np.float32))
    labels: list[str] = field(default_factory=list)
    first_seen: list[str] = field(default_factory=list)
    last_seen: list[str] = field(default_factory=list)
    next_id: int = 0
    nights_since_full: int = 0
    language_means: dict[str, list[float]] = field(default_factory=dict)
    pins: dict[str, int] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return len(self.theme_ids) == 0

    def index(self) -> dict[int, int]:
        return {t: i for i, t in enumerate(self.theme_ids)}

    def to_dict(self) -> dict:
        return {"embedder_id": self.embedder_id, "next_id": self.next_id, "nights_since_full": self.nights_since_full,
                "language_means": self.language_means, "pins": self.pins,
                "themes": [{"theme_id": t, "label": lab, "first_seen": f, "last_seen": la, "centroid": c.tolist()}
                           for t, lab, f, la, c in zip(self.theme_ids, self.labels, self.first_seen, self.last_seen,
                                                       self.centroids)]}

    @classmethod
    def from_dict(cls, data: dict) -> "ThemeState":
        themes = data.get("themes", [])
        cents = np.asarray([t["centroid"] for t in themes], dtype=np.float32) if themes else np.zeros((0, 0), np.float32)
        return cls(embedder_id=data.get("embedder_id", ""), theme_ids=[int(t["theme_id"]) for t in themes],
                   centroids=cents, labels=[t.get("label", "") for t in themes],
                   first_seen=[t.get("first_seen", "") for t in themes], last_seen=[t.get("last_seen", "") for t in themes],
                   next_id=int(data.get("next_id", 0)), nights_since_full=int(data.get("nights_since_full", 0)),
                   language_means=data.get("language_means", {}),
                   pins={str(k): int(v) for k, v in data.get("pins", {}).items()})


def match_centroids(new: np.ndarray, old: np.ndarray, threshold: float) -> dict[int, int]:
    """Optimal one-to-one match of `new` rows to `old` rows by cosine; pairs under `threshold` are dropped.

    Returns {new_row: old_row}.
    """
    from scipy.optimize import linear_sum_assignment

    if len(new) == 0 or len(old) == 0:
        return {}
    sims = unit_rows(new) @ unit_rows(old).T
    rows, cols = linear_sum_assignment(-sims)
    return {int(r): int(c) for r, c in zip(rows, cols) if sims[r, c] >= threshold}


def assign_ids(new_centroids: np.ndarray, state: ThemeState, threshold: float) -> tuple[list[int], int]:
    """Stable ids for tonight's clusters (rows of `new_centroids`): matched ones inherit, others get new ids.

    Returns (ids in row order, next free id).
    """
    match = match_centroids(new_centroids, state.centroids, threshold) if not state.empty else {}
    next_id = state.next_id
    ids = []
    for row in range(len(new_centroids)):
        if row in match:
            ids.append(state.theme_ids[match[row]])
        else:
            ids.append(next_id)
            next_id += 1
    log.info("theme ids: %d matched, %d new, %d known themes not seen tonight", len(match),
             len(new_centroids) - len(match), len(state.theme_ids) - len(match))
    return ids, next_id


def nearest_centroid(embeddings: np.ndarray, centroids: np.ndarray, threshold: float) -> tuple[np.ndarray, np.ndarray]:
    """Row -> index of the nearest centroid by cosine, or -1 when the best similarity is under `threshold`."""
    if len(centroids) == 0 or len(embeddings) == 0:
        return np.full(len(embeddings), -1, dtype=int), np.zeros(len(embeddings), dtype=np.float32)
    sims = unit_rows(embeddings) @ unit_rows(centroids).T
    best = sims.argmax(axis=1)
    score = sims[np.arange(len(sims)), best]
    return np.where(score >= threshold, best, -1).astype(int), score


def update_state(state: ThemeState, theme_ids: list[int], centroids: np.ndarray, labels: list[str], run_date: str,
                 *, embedder_id: str, next_id: int, full: bool, language_means: dict | None = None) -> ThemeState:
    """A new state: tonight's themes updated or added, every earlier theme kept (vanished ones too)."""
    known = state.index()
    ids, cents, labs = list(state.theme_ids), [c for c in state.centroids], list(state.labels)
    first, last = list(state.first_seen), list(state.last_seen)
    for t, c, lab in zip(theme_ids, centroids, labels):
        if t in known:
            i = known[t]
            cents[i], labs[i], last[i] = np.asarray(c, np.float32), lab, run_date
        else:
            ids.append(t)
            cents.append(np.asarray(c, np.float32))
            labs.append(lab)
            first.append(run_date)
            last.append(run_date)
    return ThemeState(embedder_id=embedder_id, theme_ids=ids,
                      centroids=np.vstack(cents).astype(np.float32) if cents else np.zeros((0, 0), np.float32),
                      labels=labs, first_seen=first, last_seen=last, next_id=next_id,
                      nights_since_full=0 if full else state.nights_since_full + 1,
                      language_means=language_means if language_means is not None else state.language_means,
                      pins=dict(state.pins))


def flag_trends(themes: pd.DataFrame, history: pd.DataFrame, state: ThemeState, run_id: str, *,
                growth_factor: float, window: int, min_size: int) -> pd.DataFrame:
    """`first_seen, last_seen, trend, emerging` for each theme of tonight.

    `trend` is tonight's size over the trailing mean size of the previous `window` runs that saw the
    theme (NaN without history). `emerging`: new tonight, or trend >= `growth_factor`, in both cases
    only with at least `min_size` comments (a brand-new theme of two comments is noise, not news).
    """
    first = dict(zip(state.theme_ids, state.first_seen))
    last = dict(zip(state.theme_ids, state.last_seen))
    earlier = history[history["run_id"] != run_id] if len(history) else history
    out = themes.copy()
    trends, emerging = [], []
    for t, size in zip(out[V.THEME_ID], out["size"]):
        past = earlier[earlier[V.THEME_ID] == t].sort_values("run_date").tail(window) if len(earlier) else earlier
        if t == V.OUTLIER_THEME:
            trends.append(np.nan)
            emerging.append(False)
            continue
        trend = float(size) / float(past["size"].mean()) if len(past) and past["size"].mean() > 0 else np.nan
        is_new = len(earlier) > 0 and len(past) == 0
        trends.append(round(trend, 3) if not np.isnan(trend) else np.nan)
        emerging.append(bool(size >= min_size and (is_new or (not np.isnan(trend) and trend >= growth_factor))))
    out["first_seen"] = [first.get(int(t), "") if t != V.OUTLIER_THEME else "" for t in out[V.THEME_ID]]
    out["last_seen"] = [last.get(int(t), "") if t != V.OUTLIER_THEME else "" for t in out[V.THEME_ID]]
    out["trend"] = trends
    out["emerging"] = emerging
    return out


def history_rows(themes: pd.DataFrame, run_id: str, run_date: str) -> pd.DataFrame:
    """One row per theme of tonight for `theme_history.parquet`."""
    rows = themes[[V.THEME_ID, "size", "share_negative", "mean_sentiment"]].copy()
    rows.insert(0, "run_date", run_date)
    rows.insert(0, "run_id", run_id)
    return rows[list(HISTORY_COLUMNS)].reset_index(drop=True)
