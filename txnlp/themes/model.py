"""The theme model: sentence units -> language-centred embeddings -> clusters -> stable ids -> edits.

Why each step (figures measured on data/sample, see README "Themes"):
- Sentence units: a comment that mixes two pain points feeds both; the comment's `theme_id` is the
  theme most of its sentences landed in (ties: the sentence nearest its theme's centre).
- Centring per language: subtracting each language's mean vector removes the "this is Russian"
  direction that otherwise pulls same-language comments together across pain points.
- Clustering is whatever `clusterer` is given (scikit-learn style `fit_predict`); clusters under
  `min_theme_size` units, and units less similar than `min_similarity` to their theme's centre, go
  to the unthemed bucket (-1), which is reported, never hidden and never ranked.
- Coherence: each theme's tightness against a random set of as many comments (`coherence.py`);
  the stage keeps incoherent themes out of the shared pain points.
- Ids: tonight's clusters are matched to the known themes (`ids.assign_ids`); between full
  re-clusterings (`full_every` nights) units join the nearest known theme first and only the rest
  is clustered into new themes, so a comment seen on two nights keeps its id.
- Edits (`edits.py`) are applied after matching: pins first (their units never enter clustering),
  then merges; renames and ignores act on the description and ranking (`stage.ThemeStage`).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import pandas as pd

from txnlp import vocab as V
from txnlp.classify._base import check_is_fitted
from txnlp.themes.coherence import theme_coherence
from txnlp.themes.edits import ThemeEdits, pin_matches
from txnlp.themes.units import UNIT_ROW, CommentUnits
from txnlp.themes.ids import ThemeState, assign_ids, nearest_centroid, unit_rows, update_state

log = logging.getLogger(__name__)


def language_means(embeddings: np.ndarray, langs: np.ndarray, min_count: int = 10) -> dict[str, np.ndarray]:
    """Mean vector per language; languages with fewer than `min_count` rows use the overall mean ("*")."""
    overall = embeddings.mean(axis=0)
    out = {"*": overall}
    for lang in sorted(set(langs)):
        mask = langs == lang
        out[str(lang)] = embeddings[mask].mean(axis=0) if mask.sum() >= min_count else overall
    return out


def centre_by_language(blocks: list[np.ndarray], langs: np.ndarray, means: dict[str, np.ndarray]) -> np.ndarray:
    """Subtract each row's language mean (unknown language: the overall mean) per block, re-normalise each block, join.

    Each view (e5, USE) is re-normalised on its own: centred e5 vectors are short (its similarities sit
    in a narrow band), and without this USE would outweigh e5.
    """
    out, start = [], 0
    for block in blocks:
        d = block.shape[1]
        shift = np.stack([np.asarray(means.get(str(lang), means["*"]))[start:start + d] for lang in langs])
        out.append(unit_rows(block - shift))
        start += d
    return unit_rows(np.hstack(out)) if out else np.zeros((len(langs), 0), np.float32)


def unthemed_far(x: np.ndarray, labels: np.ndarray, min_similarity: float) -> np.ndarray:
    """`labels` with every unit less similar than `min_similarity` to the centre of the *other* members set to -1.

    Leave-one-out: in a small cluster a stray comment's own vector is a noticeable part of the
    centre, which would make it look similar to the cluster it was forced into.
    """
    out = np.asarray(labels).copy()
    for cluster in set(out[out >= 0].tolist()):
        members = np.flatnonzero(out == cluster)
        if len(members) < 2:
            continue
        others = x[members].sum(axis=0, keepdims=True) - x[members]
        similarity = np.einsum("ij,ij->i", x[members], unit_rows(others))
        out[members[similarity < min_similarity]] = V.OUTLIER_THEME
    return out


def comment_themes(unit_comment: np.ndarray, unit_labels: np.ndarray, unit_scores: np.ndarray, n_comments: int) -> np.ndarray:
    """Each comment's theme: the most frequent non-outlier label of its units; ties go to the best-scoring unit."""
    out = np.full(n_comments, V.OUTLIER_THEME, dtype=int)
    order = np.lexsort((-unit_scores, unit_comment))
    best: dict[int, dict[int, tuple[int, float]]] = {}
    for i in order:
        label = int(unit_labels[i])
        if label == V.OUTLIER_THEME:
            continue
        counts = best.setdefault(int(unit_comment[i]), {})
        n, s = counts.get(label, (0, -np.inf))
        counts[label] = (n + 1, max(s, float(unit_scores[i])))
    for row, counts in best.items():
        out[row] = max(counts.items(), key=lambda kv: (kv[1][0], kv[1][1], -kv[0]))[0]
    return out


class ThemeModel:
    """Cross-lingual themes with stable ids, shaped as a scikit-learn estimator.

    `fit` clusters tonight's comments (or, between full re-clusterings, assigns them to the known
    themes) and matches the clusters to the known ids; `predict` labels comments against the fitted
    themes without changing them. The state of earlier nights comes in through `fit(state=...)` and
    the next one is `state_`: the model never reads or writes files (`io/theme_store.py` does).
    Every threshold is a required argument: the only defaults are the config's (`registry.build_themer`).

    Args:
        clusterer: anything with `fit_predict(embeddings) -> labels` (-1 = outlier).
        splitter: frame -> units frame (`units.SentenceUnits`, or None/`CommentUnits` for whole comments).
        second_embedder: a second view (USE) concatenated to the embeddings, or None.
        centre_languages: subtract per-language means before clustering.
        min_theme_size: clusters with fewer units become unthemed (-1).
        min_similarity: a unit less similar (cosine, clustering space) to its cluster's centre becomes unthemed.
        min_coherence: a cluster no more coherent than this (`coherence.py`: 0 = a random set of comments)
            is stray comments glued together: its units become unthemed.
        match_threshold: cosine between centroids (centred space) for a cluster to inherit a known id.
        assign_threshold: cosine to the nearest known centroid for a unit to join it on an incremental night.
        full_every: re-cluster fully every N nights; the nights between assign to known themes first and
            cluster only what is left (1 = always full).

    Attributes:
        labels_: reported theme per comment of the fitted frame (edits applied; -1 = outlier).
        ids_: ids of the themes seen in the fitted frame (before merges; pins included), ascending.
        centroids_: their centroids in the clustering space, rows in `ids_` order.
        state_: the next `ThemeState` (every theme ever seen; the store saves it).
        language_means_: the per-language means centring subtracted.
        units_: the units frame with `theme_id` and `centre_similarity`.
        unit_embeddings_: the units in the clustering space (centred, normalised).
        edits_: the analyst edits applied.
        coherence_: {theme id: coherence} of the reported themes (`coherence.theme_coherence`).
        mode_: "full" or "incremental".
        report_: counts and edits for the manifest.
    """

    def __init__(self, clusterer, splitter=None, second_embedder=None, *, centre_languages: bool,
                 min_theme_size: int, min_similarity: float, min_coherence: float, match_threshold: float,
                 assign_threshold: float, full_every: int):
        self.clusterer = clusterer
        self.splitter = splitter
        self.second_embedder = second_embedder
        self.centre_languages = centre_languages
        self.min_theme_size = min_theme_size
        self.min_similarity = min_similarity
        self.min_coherence = min_coherence
        self.match_threshold = match_threshold
        self.assign_threshold = assign_threshold
        self.full_every = full_every

    # -- helpers -----------------------------------------------------------------------------
    def _units(self, frame: pd.DataFrame, embeddings: np.ndarray, embedder) -> tuple[pd.DataFrame, list[np.ndarray]]:
        units = (self.splitter or CommentUnits())(frame)
        rows = units[UNIT_ROW].to_numpy()
        same = units[V.TEXT].to_numpy() == frame[V.TEXT].to_numpy()[rows]
        unit_emb = np.zeros((len(units), embeddings.shape[1]), dtype=np.float32)
        unit_emb[same] = embeddings[rows[same]]
        if (~same).any():
            if embedder is None:
                raise ValueError("sentence units need the embedder (pass embedder=)")
            unit_emb[~same] = embedder.encode(units.loc[~same, V.TEXT].tolist())
        blocks = [unit_emb]
        if self.second_embedder is not None:
            blocks.append(np.asarray(self.second_embedder.encode(units[V.TEXT].tolist()), dtype=np.float32))
        return units, blocks

    def _full(self, x: np.ndarray, free: np.ndarray) -> np.ndarray:
        labels = np.full(len(x), V.OUTLIER_THEME, dtype=int)
        idx = np.flatnonzero(free)
        if len(idx) >= 2:
            from txnlp.themes.cluster import drop_small_clusters

            # far members out first, then clusters no tighter than random; small ones go last, renumbered by size
            found = unthemed_far(x[idx], self.clusterer.fit_predict(x[idx]), self.min_similarity)
            loose = [t for t, c in theme_coherence(x[idx], found).items() if c < self.min_coherence]
            found[np.isin(found, loose)] = V.OUTLIER_THEME
            labels[idx] = drop_small_clusters(found, self.min_theme_size)
        return labels

    def _nearest_known(self, x: np.ndarray, free: np.ndarray, state: ThemeState, pin_ids: set[int]) -> np.ndarray:
        """Each free unit joins the nearest known (non-pin) theme above `assign_threshold`, else -1."""
        known = [i for i, t in enumerate(state.theme_ids) if t not in pin_ids]
        centroids = state.centroids[known] if known else np.zeros((0, x.shape[1]), np.float32)
        nearest, _ = nearest_centroid(x, centroids, self.assign_threshold)
        return np.array([state.theme_ids[known[n]] if n >= 0 and f else V.OUTLIER_THEME
                         for n, f in zip(nearest, free)], dtype=int)

    # -- the estimator ---------------------------------------------------------------------
    def fit(self, frame: pd.DataFrame, embeddings: np.ndarray, *, embedder=None, state: ThemeState | None = None,
            edits: ThemeEdits | None = None, run_date: str = "", embedder_id: str = "") -> "ThemeModel":
        """Themes of `frame` (rows of `embeddings`), with ids matched to `state` (earlier nights; None: first night).

        `embedder` encodes units that are not whole comments (sentence units); `run_date` and
        `embedder_id` are written into `state_`.
        """
        state = state if state is not None else ThemeState(embedder_id=embedder_id)
        edits = edits or ThemeEdits()
        units, blocks = self._units(frame, embeddings, embedder)
        langs = units[V.LANG].astype(str).to_numpy()
        full = state.empty or state.nights_since_full + 1 >= self.full_every
        joined = np.hstack(blocks)
        if not self.centre_languages:
            means = {"*": np.zeros(joined.shape[1], np.float32)}
        elif full or not state.language_means:
            means = language_means(joined, langs)
        else:
            means = {k: np.asarray(v, np.float32) for k, v in state.language_means.items()}
        x = centre_by_language(blocks, langs, means)

        # pins: their units form their own theme and never enter clustering
        next_id = state.next_id
        pins = dict(state.pins)
        for p in edits.pin:
            if p.name not in pins:
                pins[p.name] = next_id
                next_id += 1
        pinned = _pinned_units(units, edits, pins)
        free = pinned == V.OUTLIER_THEME
        pin_ids = set(pins.values())

        if full:
            known = [i for i, t in enumerate(state.theme_ids) if t not in pin_ids]
            raw = self._full(x, free)
            clusters = sorted(set(raw[raw >= 0]))
            cents = np.stack([x[raw == c].mean(axis=0) for c in clusters]) if clusters else np.zeros((0, x.shape[1]))
            sub = ThemeState(theme_ids=[state.theme_ids[i] for i in known],
                             centroids=state.centroids[known] if known else np.zeros((0, x.shape[1]), np.float32),
                             next_id=next_id)
            ids, next_id = assign_ids(cents, sub, self.match_threshold)
            id_of = {int(c): int(i) for c, i in zip(clusters, ids)}
            unit_ids = np.array([id_of.get(int(r), V.OUTLIER_THEME) for r in raw], dtype=int)
        else:
            unit_ids = self._nearest_known(x, free, state, pin_ids)
            left = free & (unit_ids == V.OUTLIER_THEME)
            if left.sum() >= 2 * self.min_theme_size:  # what no known theme explains may be a new one
                new = self._full(x, left)
                for cluster in sorted(set(new[new >= 0].tolist())):
                    unit_ids[new == cluster] = next_id
                    next_id += 1
        unit_ids = np.where(free, unit_ids, pinned)

        # state keeps raw (pre-merge) themes, so matching tomorrow sees the clusters as they formed
        present = sorted(int(t) for t in set(unit_ids[unit_ids >= 0]))
        cents = np.stack([x[unit_ids == t].mean(axis=0) for t in present]) if present else np.zeros((0, x.shape[1]))
        new_state = update_state(state, present, cents, [""] * len(present), run_date, embedder_id=embedder_id,
                                 next_id=next_id, full=full,
                                 language_means={k: np.asarray(v).tolist() for k, v in means.items()} if full else None)
        new_state.pins = pins

        merged = edits.merge_map()
        all_known = set(new_state.theme_ids) | pin_ids
        unknown = sorted(i for i in edits.named_ids() if i not in all_known)
        if unknown:
            log.warning("theme edits name unknown theme ids %s (kept, not applied)", unknown)
        reported, scores, labels = _report_units(units, x, unit_ids, merged, len(frame))
        mode = "full" if full else "incremental"
        # Two themes of the minimum size: fewer units than that can't be clustered into themes at all.
        need = 2 * self.min_theme_size
        themed = bool((reported >= 0).any())
        if not themed:
            log.warning("themes: none formed from %d units%s; every comment is unthemed (-1)", len(units),
                        f": too few to form themes (need {need}, twice cluster.min_cluster_size)" if len(units) < need
                        else " (no cluster passed cluster.min_cluster_size, min_similarity and min_coherence)")
        self.labels_ = labels
        self.ids_ = np.asarray(present, dtype=int)
        self.centroids_ = np.asarray(cents, dtype=np.float32)
        self.coherence_ = theme_coherence(x, reported)
        self.state_ = new_state
        self.language_means_ = means
        self.units_ = units.assign(**{V.THEME_ID: reported, "centre_similarity": scores})
        self.unit_embeddings_ = x
        self.edits_ = edits
        self.mode_ = mode
        self.report_ = {"mode": mode, "units": len(units), "unit_outliers": int((reported == V.OUTLIER_THEME).sum()),
                        "too_few_comments": not themed and len(units) < need, "units_needed": need,
                        "edits": {"renamed": sorted(set(edits.rename) - set(unknown)),
                                  "merged": {str(k): v for k, v in merged.items()},
                                  "ignored": sorted(set(edits.ignore) - set(unknown)), "pins": pins,
                                  "unknown_ids": unknown}}
        log.info("themes (%s): %d units, %d themes, %d outlier units", mode, len(units),
                 len(set(reported[reported >= 0])), self.report_["unit_outliers"])
        return self

    def predict(self, frame: pd.DataFrame, embeddings: np.ndarray, *, embedder=None) -> np.ndarray:
        """Theme per comment against the fitted themes, as an incremental night assigns; the fit is unchanged.

        Pins match by keyword, every other unit joins the nearest known theme of `state_` above
        `assign_threshold` (else -1), merges are applied, and a comment takes its units' majority.
        """
        check_is_fitted(self, "state_")
        units, blocks = self._units(frame, embeddings, embedder)
        x = centre_by_language(blocks, units[V.LANG].astype(str).to_numpy(), self.language_means_)
        pins = self.state_.pins
        pinned = _pinned_units(units, self.edits_, pins)
        free = pinned == V.OUTLIER_THEME
        unit_ids = np.where(free, self._nearest_known(x, free, self.state_, set(pins.values())), pinned)
        return _report_units(units, x, unit_ids, self.edits_.merge_map(), len(frame))[2]


def _pinned_units(units: pd.DataFrame, edits: ThemeEdits, pins: dict[str, int]) -> np.ndarray:
    """Pin id per unit (first matching pin wins), -1 for units no pin's keywords match."""
    pinned = np.full(len(units), V.OUTLIER_THEME, dtype=int)
    texts = units[V.TEXT].astype(str).tolist()
    for p in edits.pin:
        hit = np.asarray(pin_matches(texts, p.keywords), dtype=bool) & (pinned == V.OUTLIER_THEME)
        pinned[hit] = pins[p.name]
    return pinned


def _report_units(units: pd.DataFrame, x: np.ndarray, unit_ids: np.ndarray, merged: dict[int, int],
                  n_comments: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Merges applied: (reported id per unit, cosine to its theme's centre, theme per comment)."""
    reported = np.array([merged.get(int(t), int(t)) for t in unit_ids], dtype=int)
    centres = {t: unit_rows(x[reported == t].mean(axis=0, keepdims=True))[0] for t in set(reported) if t >= 0}
    scores = np.array([float(x[i] @ centres[t]) if t >= 0 else 0.0 for i, t in enumerate(reported)], np.float32)
    return reported, scores, comment_themes(units[UNIT_ROW].to_numpy(), reported, scores, n_comments)


@dataclass
class ThemeInputs:
    """What a run brings from earlier nights (loaded by the runner via `io/theme_store.py`) and tonight's ids."""

    state: ThemeState | None = None
    history: pd.DataFrame | None = None
    edits: ThemeEdits | None = None
    run_id: str = ""
    run_date: str = ""


def comment_vectors(units: pd.DataFrame, x: np.ndarray, n_comments: int) -> np.ndarray:
    """Per comment, the normalised mean of its units' vectors in the clustering space."""
    out = np.zeros((n_comments, x.shape[1]), dtype=np.float32)
    np.add.at(out, units[UNIT_ROW].to_numpy(), x)
    return unit_rows(out)
