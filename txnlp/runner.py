"""run(inputs, output_dir, settings): read -> screen -> text pipeline -> models -> write.

The one entry point the CLI, the notebook and the Prefect flows call. `run` stages in memory and
publishes only when given an output folder (it returns the tables as frames either way). The flows
split it in two steps that hand over a folder, not a frame: `stage` (read, screen, normalise, detect
language, redact; writes only redacted text) and `mine` (embed, classify, cluster, rank, publish).
"""
from __future__ import annotations

import contextlib
import json
import os
import logging
import re
import shutil
import time
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path

import pandas as pd

from txnlp import __version__
from txnlp import vocab as V
from txnlp.classify import (LinearPillarClassifier, LinearSentimentClassifier, PillarTagger, PrototypePillarClassifier,
                       SentimentTagger, read_definitions)
from txnlp.classify.finetuned import FineTunedTagger
from txnlp.classify.sentiment import needs_use
from txnlp.config import Settings, SourceSettings
from txnlp.embed import Embedder, USEEmbedder
from txnlp.embed.factory import build_cache, build_embedder, build_use_embedder
from txnlp.embed.split_encoder import KIND as SPLIT_KIND, SplitEncoder
from txnlp.errors import ArtifactError, ConfigError, InputDataError, TxnlpError
from txnlp.themes.edits import load_edits
from txnlp.io import lock, theme_store
from txnlp.io.artifacts import model_kind
from txnlp.io.read import expand_inputs
from txnlp.io.sources import (CONTENT_ID_FIELDS, FRAME_INPUT, Seen, SourceBatch, files_source, frame_batch,
                              read_source, rows_frame)
from txnlp.report.build import publish_report, run_kpis
from txnlp.io.write import PendingWrites, write_json, write_table
from txnlp.logs import run_context
from txnlp.training.champions import champion_dir
from txnlp.progress import ProgressCallback, notify, with_progress
from txnlp.registry import build_pipeline, build_text_pipeline, build_themer
from txnlp.text.screen import screen
from txnlp.themes.ids import ThemeState
from txnlp.themes.model import ThemeInputs
from txnlp.text.sentences import SentenceSplitter, SentenceTagger

log = logging.getLogger(__name__)

STAGED = "staged.parquet"
STAGE_INFO = "stage.json"


@dataclass
class RunResult:
    """What a run gives back: counts and the paths written, plus its tables as DataFrames.

    The frames are the tables the run published (or would have, without an output folder): `comments`,
    `themes`, `shared_pain_points`, `kpis`, `quarantine`; `summary()` holds counts and paths only, so a
    Prefect task can return it without pickling comments.
    """

    run_id: str
    output_dir: Path | None
    paths: dict[str, str]
    counts: dict[str, int]
    timings: dict[str, float] = field(default_factory=dict)
    comments: pd.DataFrame | None = field(default=None, repr=False)
    themes: pd.DataFrame | None = field(default=None, repr=False)
    shared_pain_points: pd.DataFrame | None = field(default=None, repr=False)
    kpis: pd.DataFrame | None = field(default=None, repr=False)
    quarantine: pd.DataFrame | None = field(default=None, repr=False)
    manifest: dict = field(default_factory=dict, repr=False)

    @property
    def too_few_to_theme(self) -> bool:
        """True when the night had too few comments to form any theme (every comment is unthemed)."""
        return bool(self.manifest.get("themes", {}).get("too_few_comments", self.counts.get("rows_out", 0) == 0))

    def summary(self) -> dict:
        return {"run_id": self.run_id, "output_dir": None if self.output_dir is None else str(self.output_dir),
                **self.counts, "paths": self.paths}


# --- models: loaded here, at the edge, and passed into the pipeline ---------------------------

def make_embedder(settings: Settings) -> Embedder:
    return build_embedder(settings.embed)


def make_second_embedder(settings: Settings, embedder: Embedder,
                         use: USEEmbedder | None = None) -> USEEmbedder | None:
    """The second view for themes (USE), or None; never with the fake embedder (tests stay offline and fast)."""
    fake = settings.embed.kind == "fake" or str(getattr(embedder, "model_id", "")).startswith("fake")
    if settings.cluster.second_embedder == "none" or fake:
        return None
    return use or build_use_embedder(settings.embed)


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def run_date_or_today(run_date: str | None = None) -> str:
    """The night a run publishes: `run_date` checked as YYYY-MM-DD, else today (UTC).

    Computed once where a run starts and passed down, so theme history, KPIs, KPI history and the
    history partitions all carry the same night (a backfill must not land under the wall-clock date).
    The value also names folders, so anything but a real ISO date is refused.
    """
    if run_date is None:
        return datetime.now(timezone.utc).date().isoformat()
    text = str(run_date)
    try:
        if not _ISO_DATE.fullmatch(text):
            raise ValueError
        date.fromisoformat(text)
    except ValueError:
        raise ConfigError(f"run date must be a date as YYYY-MM-DD, got {text!r}") from None
    return text


def _champion_dir(settings: Settings, task: str) -> Path | None:
    """The registry's verified champion directory for `task`, when the registry is in use and has one.

    A `model_dir` set explicitly (config file, environment, keyword) wins over the registry.
    """
    section = settings.sentiment if task == "sentiment" else settings.pillar
    if "model_dir" in section.model_fields_set and section.model_dir is not None:
        return None
    if not settings.models.use_registry or not Path(settings.models.registry).is_file():
        return None
    return champion_dir(settings.models.registry, task)


def load_sentiment(settings: Settings) -> LinearSentimentClassifier | SplitEncoder:
    """The registry's sentiment champion, else `sentiment.model_dir` (an explicit model_dir wins).

    A fine-tuned champion (a split-encoder directory) is loaded on the configured base encoder and
    serves the pillar too; a linear head reads the shared embeddings.
    """
    model_dir = _champion_dir(settings, "sentiment") or Path(settings.sentiment.model_dir)
    if not model_dir.exists():
        raise ArtifactError(f"sentiment model not found at {model_dir}; train one with `txnlp train sentiment`")
    if model_kind(model_dir) == SPLIT_KIND:
        e = settings.embed
        if e.kind == "fake":
            raise ConfigError(f"sentiment model {model_dir} is a fine-tuned encoder; it cannot run on the fake "
                              "embedder (set sentiment.model_dir to a linear head)")
        from txnlp.embed.sentence_transformers import resolve_model

        return SplitEncoder.load(model_dir, resolve_model(e.model, e.cache_dir), max_seq_length=e.max_seq_length,
                                 batch_size=e.batch_size, threads=e.threads or os.cpu_count() or 1)
    return LinearSentimentClassifier.load(model_dir)


def load_pillar(settings: Settings, embedder: Embedder):
    """The registry's pillar champion (or `pillar.model_dir`) when it was trained on this embedder, else prototypes.

    A trained head only fits the embedder it was trained on; with another one (the FakeEmbedder in
    tests, a different model in config) the pillar falls back to zero/few-shot prototypes, logged.
    """
    model_dir = _champion_dir(settings, "pillar") or settings.pillar.model_dir
    if model_dir is not None and Path(model_dir).exists():
        model = LinearPillarClassifier.load(Path(model_dir))
        trained_on = str(model.meta_.get("embedder", "")).split("@")[0]
        if trained_on == str(getattr(embedder, "model_id", "")).split("@")[0]:
            return model
        log.warning("pillar model %s was trained on %s, not %s: using prototypes", model.meta_.get("model_id"),
                    trained_on, getattr(embedder, "model_id", type(embedder).__name__))
    return fit_pillar(settings, embedder)


def sentiment_tagger(settings: Settings, sentiment, use: USEEmbedder | None = None) -> SentimentTagger:
    """`use`: a shared USE instance, so themes and sentiment don't encode the same texts twice."""
    if not needs_use(sentiment):
        return SentimentTagger(sentiment)
    return SentimentTagger(sentiment, feature_embedder=use or build_use_embedder(settings.embed))


def fit_pillar(settings: Settings, embedder: Embedder) -> PrototypePillarClassifier:
    """Pillar centroids from the descriptions (zero-shot) plus the seed examples when configured (few-shot)."""
    texts, labels = read_definitions(settings.pillar.definitions)
    examples = settings.pillar.examples
    if examples is not None:
        if not Path(examples).is_file():
            raise ConfigError(f"pillar examples file not found: {examples}")
        seed = pd.read_csv(examples, dtype=str, keep_default_na=False)
        texts += seed[V.TEXT].tolist()
        labels += seed["label"].tolist()
    return PrototypePillarClassifier(temperature=settings.pillar.temperature).fit(embedder.encode(texts), labels)


# --- the two steps -------------------------------------------------------------------------------

@dataclass
class StagedRows:
    """What staging hands on: redacted rows, quarantine entries, and the batches read (inputs, files, watermarks)."""

    frame: pd.DataFrame
    quarantine: list[dict]
    batches: list[SourceBatch]
    skipped: int = 0  # rows already processed by earlier runs, or repeated within this read
    timings: dict = field(default_factory=dict)
    scores_unparsed: int = 0  # staged rows whose score was text that is not a number (left blank)

    @property
    def rows_read(self) -> int:
        return sum(b.rows_read for b in self.batches)


def stage_rows(specs: list[SourceSettings], settings: Settings, *, seen: Seen | None = None,
               frames: list[pd.DataFrame] = ()) -> StagedRows:
    """Read, screen, normalise, detect language and redact (text and passthrough columns): every staging path.

    `frames` (one-off runs only): DataFrames read as files would be (`sources.frame_batch`), after the files.

    `seen` is the state store's view of an incremental source: its watermark and files bound the read,
    and rows it already holds, or repeated in this read, are dropped (and counted) before screening,
    so their text is neither redacted nor detected again. Without it the run is one-off (`--input`):
    see `read_source(one_off=True)`. Nothing unredacted leaves this function.
    """
    t0 = time.perf_counter()
    one_off = seen is None
    if frames and not one_off:
        raise ConfigError("DataFrame inputs are for one-off runs; an incremental source is a folder or a table")
    batches = [read_source(spec, seen=seen, sniff_bytes=settings.input.csv_sniff_bytes,
                           chunk_rows=settings.ingest.read_chunk_rows, one_off=one_off) for spec in specs]
    names = [FRAME_INPUT] if len(frames) == 1 else [f"{FRAME_INPUT}-{i + 1}" for i in range(len(frames))]
    batches += [frame_batch(f, settings.input.default_audience, name) for f, name in zip(frames, names)]
    frame = rows_frame([row for b in batches for row in b.rows])
    quarantine = [q for b in batches for q in b.quarantine]
    skipped = 0
    if seen is not None:  # rows an earlier run holds were dropped (and counted) while reading
        repeat = frame[[V.ID, *CONTENT_ID_FIELDS]].astype(str).duplicated(keep="first")
        skipped = sum(b.already_processed for b in batches) + int(repeat.sum())
        frame = frame.loc[~repeat].reset_index(drop=True)
    kept, bad = screen(frame, max_text_chars=settings.input.max_text_chars)
    unparsed = int(kept.pop(V.SCORE_UNPARSED).sum())
    if unparsed:
        log.warning("%d row(s) have a %s that is not a number: left blank, counted as scores_unparsed", unparsed,
                    V.SCORE)
    timings = {"read": round(time.perf_counter() - t0, 4)}
    staged = build_text_pipeline(settings)(kept, timings)
    return StagedRows(staged, quarantine + bad, batches, skipped, timings, unparsed)


def redaction_counts(frame: pd.DataFrame) -> dict[str, int]:
    return {k[len(V.REDACTION_PREFIX):]: int(frame[k].sum()) for k in frame.columns if k.startswith(V.REDACTION_PREFIX)}


def _input_list(inputs) -> tuple[list[pd.DataFrame], list[str | Path]]:
    """(DataFrames, paths) of a one-off run's inputs: a DataFrame, a path, or a list of either."""
    items = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
    frames = [i for i in items if isinstance(i, pd.DataFrame)]
    paths = [i for i in items if not isinstance(i, pd.DataFrame)]
    bad = sorted({type(p).__name__ for p in paths if not isinstance(p, (str, os.PathLike))})
    if bad:
        raise InputDataError(f"inputs must be DataFrames, files or folders; got {', '.join(bad)}")
    if not items:
        raise InputDataError("no inputs: give a DataFrame, a file or a folder")
    return frames, paths


def stage_inputs(inputs, settings: Settings) -> tuple[pd.DataFrame, dict]:
    """Stage a one-off run in memory: (redacted rows, stage info). Files and DataFrames take one path, `stage_rows`."""
    frames, paths = _input_list(inputs)
    specs = [files_source("input", path, settings.input.default_audience)
             for path in (expand_inputs(paths) if paths else [])]
    staged = stage_rows(specs, settings, frames=frames)
    timings = {("load" if k == "read" else k): v for k, v in staged.timings.items()}
    info = {"files": [_file_entry(e, b) for b in staged.batches for e in b.inputs], "rows_in": staged.rows_read,
            "quarantine": staged.quarantine, "timings": timings, "redactions": redaction_counts(staged.frame),
            "scores_unparsed": staged.scores_unparsed}
    log.info("staged %d rows (%d quarantined)", len(staged.frame), len(staged.quarantine))
    return staged.frame, info


def stage(inputs, stage_dir: Path, settings: Settings) -> Path:
    """Stage a one-off run into `stage_dir` (`stage_inputs`), for a flow that hands over folders; only redacted text."""
    frame, info = stage_inputs(inputs, settings)
    stage_dir = Path(stage_dir)
    stage_dir.mkdir(parents=True, exist_ok=True)
    frame.to_parquet(stage_dir / STAGED, index=False)
    write_json(stage_dir / STAGE_INFO, info)
    return stage_dir


def _file_entry(entry: dict, batch: SourceBatch) -> dict:
    """The manifest's entry for one input file: path, rows read, rows quarantined while reading (or its error)."""
    if "error" in entry:
        return {"path": entry["path"], "rows": 0, "quarantined": 1, "error": entry["error"]}
    name = Path(entry["path"]).name
    lines = {"lines": entry["lines"]} if "lines" in entry else {}  # physical data lines beside the records read
    return {"path": entry["path"], "rows": entry["rows"], **lines,
            "quarantined": sum(q[V.INPUT_FILE] == name for q in batch.quarantine)}


def new_run_id() -> str:
    return datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ") + "-" + uuid.uuid4().hex[:6]


def mine(stage_dir: Path, output_dir: Path, settings: Settings, *, embedder=None, sentiment=None, pillar=None,
         run_id: str | None = None, run_date: str | None = None, progress: ProgressCallback | None = None,
         embeddings=None, manifest_extra: dict | None = None, pending: PendingWrites | None = None) -> RunResult:
    """Run the models on a staged folder and publish every output into `output_dir`.

    `run_date` (YYYY-MM-DD, default today UTC) is the night every output is filed under: theme
    history, KPIs and KPI history; it is recorded in manifest.json so a report rebuild keeps it.
    `progress(step, done, total)`, when given, hears about embedding (per chunk) and publishing.
    `embeddings`, when given (rows in staged order, e.g. gathered from chunks embedded on a cluster),
    replace the embedding stage.
    `manifest_extra`: fields the caller adds to manifest.json (its `counts` are added to the run's
    counts), written before the report is built so the report is built once, with them.
    `pending`: theme state, theme history and KPI history are written there and put in place by the
    caller's `pending.commit()` once it has published (ingest); without it, at the end of this call. A run
    that fails or is killed before that leaves them as they were, so it never counts as a night.
    """
    stage_dir = Path(stage_dir)
    info = json.loads((stage_dir / STAGE_INFO).read_text())
    frame = pd.read_parquet(stage_dir / STAGED)
    return _mine_and_commit(frame, info, Path(output_dir), settings, embedder=embedder, sentiment=sentiment,
                            pillar=pillar, run_id=run_id or new_run_id(), run_date=run_date_or_today(run_date),
                            progress=progress, embeddings=embeddings, manifest_extra=manifest_extra or {},
                            pending=pending)


def _mine_and_commit(frame: pd.DataFrame, info: dict, output_dir: Path | None, settings: Settings, *, run_id: str,
                     run_date: str, pending: PendingWrites | None, **kwargs) -> RunResult:
    """`_mine` under the run's log context; the state files it leaves pending are committed (own `pending`) or
    left to the caller, and discarded when it fails."""
    own = pending is None
    pending = PendingWrites() if own else pending
    try:
        with run_context(run_id):
            result = _mine(frame, info, output_dir, settings, run_id=run_id, run_date=run_date, pending=pending,
                           **kwargs)
    except BaseException:
        pending.discard()
        raise
    if own:
        pending.commit()
    return result


def _models(settings: Settings, embedder, sentiment, pillar, progress: ProgressCallback | None):
    """(pipeline, embedder, sentiment, pillar) for a run: the configured models unless given, wired into the stages.

    A fine-tuned champion (a split encoder) serves embeddings, sentiment and pillar in one pass; a
    linear head reads the shared embeddings.
    """
    sentiment = sentiment or load_sentiment(settings)
    s = settings.sentiment
    splitter = SentenceSplitter(split_contrast=s.split_contrast, max_sentences=s.max_sentences)
    use = build_use_embedder(settings.embed)  # shared; loads only when first used
    if isinstance(sentiment, SplitEncoder):  # the fine-tuned champion: one pass, both heads
        tasks = FineTunedTagger(sentiment, splitter if s.sentences else None, mixed_threshold=s.mixed_threshold,
                                chunk_size=settings.embed.chunk_size, progress=progress,
                                cache=build_cache(settings.embed))
        embedder, pillar = embedder or tasks, sentiment
        themer = build_themer(settings, make_second_embedder(settings, embedder, use))
        pipeline = build_pipeline(settings, embedder=embedder, sentiment=None, pillar=None, themer=themer, tasks=tasks)
        return pipeline, embedder, sentiment, pillar
    embedder = embedder or make_embedder(settings)
    pillar = pillar or load_pillar(settings, embedder)
    if progress is not None:
        embedder = with_progress(embedder, progress)
    tagger, pillar_tagger = sentiment_tagger(settings, sentiment, use), PillarTagger(pillar)
    sentences = SentenceTagger(splitter, embedder, tagger, pillar_tagger, mixed_threshold=s.mixed_threshold,
                               long_text_chars=s.long_text_chars) if s.sentences else None
    themer = build_themer(settings, make_second_embedder(settings, embedder, use))
    pipeline = build_pipeline(settings, embedder=embedder, sentiment=tagger, pillar=pillar_tagger, themer=themer,
                              sentences=sentences)
    return pipeline, embedder, sentiment, pillar


def _mine(frame: pd.DataFrame, info: dict, output_dir: Path | None, settings: Settings, *, embedder, sentiment, pillar,
          run_id: str, run_date: str, progress: ProgressCallback | None, embeddings, manifest_extra: dict,
          pending: PendingWrites) -> RunResult:
    """The models on staged rows, then (with an `output_dir`) every output published; the tables come back as frames.

    Without an output folder nothing is written and nothing is read from earlier nights: theme ids
    start afresh (no theme state) and the KPIs are tonight's only.
    """
    pipeline, embedder, sentiment, pillar = _models(settings, embedder, sentiment, pillar, progress)
    embedder_id = getattr(embedder, "model_id", type(embedder).__name__)
    theme_dir = None if output_dir is None else theme_store.state_dir(output_dir, settings.tracking.state_dir)
    if theme_dir is None:
        previous_state, history = ThemeState(embedder_id=embedder_id), None
    else:
        previous_state = theme_store.load_state(theme_dir, embedder_id, run_id)
        history = theme_store.load_history(theme_dir, exclude_run_id=run_id)
    theme_inputs = ThemeInputs(state=previous_state, history=history, edits=load_edits(settings.tracking.edits_file),
                               run_id=run_id, run_date=run_date)
    result = pipeline(frame, embeddings, theme_inputs=theme_inputs)
    comments = _order_columns(result.comments)
    quarantine = pd.DataFrame(info["quarantine"], columns=list(V.QUARANTINE_COLUMNS))
    counts = {"rows_in": int(info["rows_in"]), "rows_out": len(comments), "rows_quarantined": len(quarantine),
              "themes": int((result.themes[V.THEME_ID] != V.OUTLIER_THEME).sum()) if len(result.themes) else 0,
              "scores_unparsed": int(info.get("scores_unparsed", 0))}
    if counts["rows_in"] != counts["rows_out"] + counts["rows_quarantined"]:
        raise TxnlpError(f"row count mismatch: rows_in={counts['rows_in']} != rows_out={counts['rows_out']} "
                         f"+ rows_quarantined={counts['rows_quarantined']}")
    if V.CREATED_AT_RAW in comments:  # kept as given in created_at_raw, the timestamp left empty
        counts["created_at_unparsed"] = int(comments[V.CREATED_AT_RAW].notna().sum())
    extra = dict(manifest_extra)
    counts.update(extra.pop("counts", {}))
    if result.sentences is not None:
        counts["sentences"] = len(result.sentences)
        counts["mixed"] = int(comments[V.MIXED].fillna(False).astype(bool).sum())
    manifest = {
        "run_id": run_id, "run_date": run_date, "txnlp_version": __version__,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "config": settings.public_dump(),
        "models": {"embedder": embedder_id,
                   "sentiment": getattr(sentiment, "meta_", {}).get("model_id", type(sentiment).__name__),
                   "pillar": getattr(pillar, "meta_", {}).get("model_id", f"{type(pillar).__name__}(definitions+seed)")},
        "inputs": info["files"], "counts": counts,
        "quarantine_reasons": quarantine[V.REASON].value_counts().to_dict() if len(quarantine) else {},
        "redactions": info["redactions"], "timings": {**info["timings"], **result.timings},
    }
    tables = result.theme_tables
    if tables is None:
        log.warning("no comments to theme in run %s", run_id)
        manifest["themes"] = {"themes": 0, "too_few_comments": True, "units_needed": 2 * settings.cluster.min_cluster_size}
    else:
        manifest["themes"] = {**tables.report, "edits_file": str(settings.tracking.edits_file)}
        if theme_dir is not None:  # relative to the run folder: a manifest must not depend on where runs are mounted
            manifest["themes"]["state_dir"] = os.path.relpath(theme_dir, output_dir)
    manifest.update(extra)
    pain = tables.pain_points if tables is not None else None
    sentences = result.sentences[list(V.SENTENCE_COLUMNS)] if result.sentences is not None else None
    paths: dict[str, str] = {}
    if output_dir is not None:
        paths = _publish(output_dir, settings, manifest, comments, result.themes, sentences, quarantine, tables,
                         theme_dir, previous_state, run_id, progress, pending)
    log.info("run %s: %s", run_id, counts)
    return RunResult(run_id, output_dir, paths, counts, manifest["timings"], comments=comments, themes=result.themes,
                     shared_pain_points=pain, kpis=run_kpis(manifest, comments, settings.report),
                     quarantine=quarantine, manifest=manifest)


def _publish(output_dir: Path, settings: Settings, manifest: dict, comments: pd.DataFrame, themes: pd.DataFrame,
             sentences: pd.DataFrame | None, quarantine: pd.DataFrame, tables, theme_dir: Path, previous_state,
             run_id: str, progress: ProgressCallback | None, pending: PendingWrites) -> dict[str, str]:
    """Write a run's tables, manifest.json and the report into `output_dir`, theme state and history into
    `pending`; the paths."""
    notify(progress, "publish", 0, 2)
    paths: dict[str, str] = {}
    named = [("comments", comments), ("themes", themes)] + ([("sentences", sentences)] if sentences is not None else [])
    if tables is not None:
        named.append(("shared_pain_points", tables.pain_points))
    for name, table in named:
        for p in write_table(table, output_dir, name):
            paths[p.name] = str(p)
    for p in write_table(quarantine, output_dir, "quarantine", formats=("csv",)):
        paths[p.name] = str(p)
    if tables is not None:
        paths["theme_state.json"] = str(theme_store.save_state(tables.state, theme_dir, run_id, previous_state,
                                                               pending))
        paths["theme_history.parquet"] = str(theme_store.append_theme_history(tables.history_rows, theme_dir, pending))
    write_json(output_dir / "manifest.json", manifest)
    paths["manifest.json"] = str(output_dir / "manifest.json")
    notify(progress, "publish", 1, 2)
    paths.update(publish_report(output_dir, settings.report, settings.themes.report_language, pending=pending))
    notify(progress, "publish", 2, 2)
    return paths


def cleanup_stage(stage_dir: Path) -> None:
    """Staging holds redacted text only, but it is not an output: remove it once published."""
    shutil.rmtree(stage_dir, ignore_errors=True)


def run(inputs, output_dir: str | Path | None = None, settings: Settings | None = None, *,
        run_date: str | None = None, progress: ProgressCallback | None = None, embedder=None, sentiment=None,
        pillar=None, run_id: str | None = None) -> RunResult:
    """Whole run in one call: the one-off path of the CLI, and the notebook API.

    `inputs`: a pandas DataFrame (a `text` column, any of id, audience, channel, created_at, score,
    lang, source, and passthrough columns), a file or folder, or a list of these; a frame takes the same
    staging as a file (normalise, redact, quarantine). Staging stays in memory.
    `output_dir`: where to publish every output (held locked, with its theme-state and KPI-history
    folders, for the run); None writes nothing (the tables come back as frames).
    `run_date` (YYYY-MM-DD, default today UTC): the night the outputs are filed under (see `mine`).
    `progress(step, done, total)`, when given, is called as steps advance (stage, embed, publish).
    `embedder`, `sentiment`, `pillar`: models already loaded (default: the configured ones).

    Example:
        >>> result = txnlp.run(frame)                          # doctest: +SKIP
        >>> result.themes[["label", "size", "shared_rank"]]     # doctest: +SKIP
    """
    settings = settings or Settings()
    run_date = run_date_or_today(run_date)
    run_id = run_id or new_run_id()
    output_dir = None if output_dir is None else Path(output_dir)
    with (run_locks(output_dir, settings) if output_dir is not None else contextlib.nullcontext()):
        if output_dir is not None:  # a killed flow run's staging (see `stage`): never mined, and not an output
            cleanup_stage(output_dir / ".stage")
        with run_context(run_id):
            notify(progress, "stage", 0, 1)
            frame, info = stage_inputs(inputs, settings)
            notify(progress, "stage", 1, 1)
        return _mine_and_commit(frame, info, output_dir, settings, embedder=embedder, sentiment=sentiment,
                                pillar=pillar, run_id=run_id, run_date=run_date, progress=progress, embeddings=None,
                                manifest_extra={}, pending=None)


def run_locks(output_dir: Path, settings: Settings):
    """The locks a one-off run into `output_dir` holds: the folder, its theme-state folder and its KPI history.

    The last two are shared by sibling nightly folders by default (`<output>/../state`, `../history`).
    """
    output_dir = Path(output_dir)
    kpi_history = settings.report.history_dir or output_dir.resolve().parent / "history"
    return lock.hold_all([output_dir, theme_store.state_dir(output_dir, settings.tracking.state_dir), kpi_history],
                         settings.lock_timeout_s)


def _order_columns(comments: pd.DataFrame) -> pd.DataFrame:
    internal = {c for c in comments.columns if c.startswith(V.REDACTION_PREFIX)}
    rest = [c for c in comments.columns if c not in V.COMMENT_COLUMNS and c not in internal]
    out = comments[[*V.COMMENT_COLUMNS, *rest]].copy()
    out[V.THEME_ID] = out[V.THEME_ID].astype("Int64")
    return out
