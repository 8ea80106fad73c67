"""The theme stage: sentence units -> language-centred embeddings -> clusters -> stable ids -> edits.

Why each step (figures measured on data/sample, see README "Themes"):
- Sentence units: a comment that mixes two pain points feeds both; the comment's `theme_id` is the
  theme most of its sentences landed in (ties: the sentence nearest its theme's centre).
- Centring per language: subtracting each language's mean vector removes the "this is Russian"
  direction that otherwise pulls same-language comments together across pain points.
- Clustering is whatever `clusterer` is given (scikit-learn style `fit_predict`); clusters under
  `min_theme_size` units go to the outlier bucket (-1), which is reported, never hidden.
- Ids: tonight's clusters are matched to the known themes (`theme_ids.assign_ids`); between full
  re-clusterings (`full_every` nights) units are only assigned to the nearest known centroid.
- Edits (`edits.py`) are applied after matching: pins first (their units never enter clustering),
  then merges; renames and ignores act on the description and ranking.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from txnlp import vocab as V
from txnlp.themes.edits import ThemeEdits, pin_matches
from txnlp.themes.units import UNIT_ROW, CommentUnits
from txnlp.themes.ids import ThemeState, assign_ids, nearest_centroid, update_state

log = logging.getLogger(__name__)


def _unit_rows(matrix: np.ndarray) -> np.ndarray:
    matrix = np.asarray(matrix, dtype=np.float32)
    return matrix / np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12)


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
        out.append(_unit_rows(block - shift))
        start += d
    return _unit_rows(np.hstack(out)) if out else np.zeros((len(langs), 0), np.float32)


def comment_themes(unit_rows: np.ndarray, unit_labels: np.ndarray, unit_scores: np.ndarray, n_comments: int) -> np.ndarray:
    """Each comment's theme: the most frequent non-outlier label of its units; ties go to the best-scoring unit."""
    out = np.full(n_comments, V.OUTLIER_THEME, dtype=int)
    order = np.lexsort((-unit_scores, unit_rows))
    best: dict[int, dict[int, tuple[int, float]]] = {}
    for i in order:
        label = int(unit_labels[i])
        if label == V.OUTLIER_THEME:
            continue
        counts = best.setdefault(int(unit_rows[i]), {})
        n, s = counts.get(label, (0, -np.inf))
        counts[label] = (n + 1, max(s, float(unit_scores[i])))
    for row, counts in best.items():
        out[row] = max(counts.items(), key=lambda kv: (kv[1][0], kv[1][1], -kv[0]))[0]
    return out


@dataclass
class ThemeResult:
    """Output of one theme run. `labels`: reported theme per comment (edits applied)."""

    labels: np.ndarray
    units: pd.DataFrame
    unit_embeddings: np.ndarray
    state: ThemeState
    mode: str
    report: dict = field(default_factory=dict)


class ThemeModel:
    """Cross-lingual themes with stable ids.

    Args:
        clusterer: anything with `fit_predict(embeddings) -> labels` (-1 = outlier).
        splitter: frame -> units frame (`theme_units.SentenceUnits`, or `CommentUnits` for whole comments).
        centre_languages: subtract per-language means before clustering.
        min_theme_size: clusters with fewer units become outliers.
        match_threshold: cosine between centroids (centred space) for a cluster to inherit a known id.
        assign_threshold: cosine to the nearest known centroid for a unit to join it on an incremental night.
        full_every: re-cluster fully every N nights; the nights between assign incrementally (1 = always full).
    """

    def __init__(self, clusterer, splitter=None, second_embedder=None, *, centre_languages: bool = True,
                 min_theme_size: int = 5, match_threshold: float = 0.6, assign_threshold: float = 0.45,
                 full_every: int = 1):
        self.clusterer = clusterer
        self.splitter = splitter
        self.second_embedder = second_embedder
        self.centre_languages = centre_languages
        self.min_theme_size = min_theme_size
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

            labels[idx] = drop_small_clusters(self.clusterer.fit_predict(x[idx]), self.min_theme_size)
        return labels

    # -- the stage ---------------------------------------------------------------------------
    def run(self, frame: pd.DataFrame, embeddings: np.ndarray, *, embedder=None, state: ThemeState | None = None,
            edits: ThemeEdits | None = None, run_date: str = "", embedder_id: str = "") -> ThemeResult:
        state = state if state is not None else ThemeState(embedder_id=embedder_id)
        edits = edits or ThemeEdits()
        units, blocks = self._units(frame, embeddings, embedder)
        langs = units[V.LANG].astype(str).to_numpy()
        full = state.empty or state.nights_since_full + 1 >= self.full_every
        joined = np.hstack(blocks)
        zero = {"*": np.zeros(joined.shape[1], np.float32)}
        if not self.centre_languages:
            means = zero
        elif full or not state.language_means:
            means = language_means(joined, langs)
        else:
            means = {k: np.asarray(v, np.float32) for k, v in state.language_means.items()}
        x = centre_by_language(blocks, langs, means)

        # pins: their units form their own theme and never enter clustering
        pinned = np.full(len(units), V.OUTLIER_THEME, dtype=int)
        next_id = state.next_id
        pins = dict(state.pins)
        texts = units[V.TEXT].astype(str).tolist()
        for p in edits.pin:
            if p.name not in pins:
                pins[p.name] = next_id
                next_id += 1
            hit = np.asarray(pin_matches(texts, p.keywords)) & (pinned == V.OUTLIER_THEME)
            pinned[hit] = pins[p.name]
        free = pinned == V.OUTLIER_THEME
        pin_ids = set(pins.values())

        known = [i for i, t in enumerate(state.theme_ids) if t not in pin_ids]
        if full:
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
            centroids = state.centroids[known] if known else np.zeros((0, x.shape[1]), np.float32)
            nearest, _ = nearest_centroid(x, centroids, self.assign_threshold)
            unit_ids = np.array([state.theme_ids[known[n]] if n >= 0 and f else V.OUTLIER_THEME
                                 for n, f in zip(nearest, free)], dtype=int)
        unit_ids = np.where(free, unit_ids, pinned)

        # state keeps raw (pre-merge) themes, so matching tomorrow sees the clusters as they formed
        present = sorted(int(t) for t in set(unit_ids[unit_ids >= 0]))
        cents = np.stack([x[unit_ids == t].mean(axis=0) for t in present]) if present else np.zeros((0, x.shape[1]))
        new_state = update_state(state, present, cents, [""] * len(present), run_date, embedder_id=embedder_id,
                                 next_id=next_id, full=full,
                                 language_means={k: np.asarray(v).tolist() for k, v in means.items()} if full else None)
        new_state.pins = pins

        merged = edits.merge_map()
        reported = np.array([merged.get(int(t), int(t)) for t in unit_ids], dtype=int)
        all_known = set(new_state.theme_ids) | pin_ids
        unknown = sorted(i for i in edits.named_ids() if i not in all_known)
        if unknown:
            log.warning("theme edits name unknown theme ids %s (kept, not applied)", unknown)
        centres = {t: _unit_rows(x[reported == t].mean(axis=0, keepdims=True))[0] for t in set(reported) if t >= 0}
        scores = np.array([float(x[i] @ centres[t]) if t >= 0 else 0.0 for i, t in enumerate(reported)], np.float32)
        labels = comment_themes(units[UNIT_ROW].to_numpy(), reported, scores, len(frame))
        units = units.assign(**{V.THEME_ID: reported, "centre_similarity": scores})
        report = {"mode": "full" if full else "incremental", "units": len(units),
                  "unit_outliers": int((reported == V.OUTLIER_THEME).sum()),
                  "edits": {"renamed": sorted(set(edits.rename) - set(unknown)), "merged": {str(k): v for k, v in merged.items()},
                            "ignored": sorted(set(edits.ignore) - set(unknown)), "pins": pins, "unknown_ids": unknown}}
        log.info("themes (%s): %d units, %d themes, %d outlier units", report["mode"], len(units),
                 len(set(reported[reported >= 0])), report["unit_outliers"])
        return ThemeResult(labels, units, x, new_state, report["mode"], report)


@dataclass
class ThemeInputs:
    """What a run brings from earlier nights (loaded by the runner): state, history, edits, and tonight's ids."""

    state: ThemeState | None = None
    history: pd.DataFrame | None = None
    edits: ThemeEdits | None = None
    run_id: str = ""
    run_date: str = ""


@dataclass
class ThemeTables:
    labels: np.ndarray
    themes: pd.DataFrame
    pain_points: pd.DataFrame
    history_rows: pd.DataFrame
    state: ThemeState
    report: dict


def comment_vectors(units: pd.DataFrame, x: np.ndarray, n_comments: int) -> np.ndarray:
    """Per comment, the normalised mean of its units' vectors in the clustering space."""
    out = np.zeros((n_comments, x.shape[1]), dtype=np.float32)
    np.add.at(out, units[UNIT_ROW].to_numpy(), x)
    return _unit_rows(out)


def build_theme_tables(comments: pd.DataFrame, embeddings: np.ndarray, themer: ThemeModel, inputs: ThemeInputs, *,
                       embedder=None, embedder_id: str = "", report_language: str = "en", n_keywords: int = 6,
                       n_quotes: int = 3, label_words: int = 3, rank_weights: dict | None = None,
                       employee: list[str] = ("employee",), customer: list[str] = ("customer",),
                       min_link_negative: int = 2, quotes: int = 2, trends: dict | None = None) -> ThemeTables:
    """Theme ids, descriptions, ranking, pain points, trends and the next state, for comments already scored."""
    from txnlp.themes.pain_points import shared_pain_points
    from txnlp.themes.rank import rank_themes
    from txnlp.themes.ids import flag_trends, history_rows
    from txnlp.themes.describe import CrossLingualLabeller, candidate_terms, describe_themes

    edits = inputs.edits or ThemeEdits()
    result = themer.run(comments, embeddings, embedder=embedder, state=inputs.state, edits=edits,
                        run_date=inputs.run_date, embedder_id=embedder_id)
    labels = result.labels
    scored = comments.assign(**{V.THEME_ID: labels})
    cvec = comment_vectors(result.units, result.unit_embeddings, len(comments))
    means = {k: np.asarray(v, np.float32) for k, v in result.state.language_means.items()}
    present = sorted(int(t) for t in set(labels) if t >= 0)
    all_centroids = np.stack([cvec[labels == t].mean(axis=0) for t in present]) if present else np.zeros((0, cvec.shape[1]))
    report_texts = scored.loc[scored[V.LANG] == report_language, V.TEXT].tolist()

    def encode_terms(terms: list[str]) -> np.ndarray:
        blocks = [np.asarray(embedder.encode(terms), np.float32)]
        if themer.second_embedder is not None:
            blocks.append(np.asarray(themer.second_embedder.encode(terms), np.float32))
        lang = np.array([report_language] * len(terms))
        return centre_by_language(blocks, lang, means or {"*": np.zeros(sum(b.shape[1] for b in blocks), np.float32)})

    labeller = (CrossLingualLabeller(encode_terms, candidate_terms(report_texts, report_language), all_centroids,
                                     n=label_words) if embedder is not None else None)
    described = describe_themes(scored, cvec, labels, report_language=report_language, n_keywords=n_keywords,
                                n_quotes=n_quotes, label_words=label_words, renames=edits.rename, label_terms=labeller)
    ranked = rank_themes(scored, **(rank_weights or {}))
    themes = described.merge(ranked, on=V.THEME_ID, how="left")
    ignore = set(edits.ignore)
    pain = shared_pain_points(scored, themes, employee=list(employee), customer=list(customer), ignore=ignore,
                              min_link_negative=min_link_negative, quotes=quotes)
    rank_of = dict(zip(pain[V.THEME_ID], pain["shared_rank"]))
    themes["shared_rank"] = themes[V.THEME_ID].map(rank_of).astype("Int64")
    themes["ignored"] = themes[V.THEME_ID].isin(ignore)
    state = result.state
    label_of = dict(zip(themes[V.THEME_ID], themes["label"]))
    state.labels = [label_of.get(t, lab) for t, lab in zip(state.theme_ids, state.labels)]
    rows = history_rows(themes, inputs.run_id, inputs.run_date)
    history = inputs.history if inputs.history is not None else rows.iloc[0:0]
    history = pd.concat([history, rows], ignore_index=True) if len(history) else rows
    t = trends or {}
    themes = flag_trends(themes, history, state, inputs.run_id, growth_factor=t.get("growth_factor", 2.0),
                         window=t.get("window", 7), min_size=t.get("min_size", 5))
    themes = themes.sort_values("shared_rank", na_position="last").reset_index(drop=True)
    report = {**result.report, "themes": len(present), "emerging": [int(x) for x in themes.loc[themes["emerging"], V.THEME_ID]]}
    return ThemeTables(labels, themes[list(V.THEME_COLUMNS)], pain, rows, state, report)
