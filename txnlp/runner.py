"""run(inputs, output_dir, settings): read -> screen -> text pipeline -> models -> write.

The one entry point the CLI and the Prefect flows call. Split in two steps that hand over a
folder, not a frame: `stage` (read, screen, normalise, detect language, redact; writes only
redacted text) and `mine` (embed, classify, cluster, rank, publish).
"""
from __future__ import annotations

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
from txnlp.errors import ArtifactError, ConfigError, TxnlpError
from txnlp.themes.edits import load_edits
from txnlp.io import lock, theme_store
from txnlp.io.artifacts import model_kind
from txnlp.io.read import expand_inputs
from txnlp.io.sources import CONTENT_ID_FIELDS, Seen, SourceBatch, files_source, read_source, rows_frame
from txnlp.report.build import publish_report
from txnlp.io.write import PendingWrites, write_json, write_table
from txnlp.logs import run_context
from txnlp.training.champions import champion_dir
from txnlp.progress import ProgressCallback, notify, with_progress
from txnlp.registry import build_pipeline, build_text_pipeline, build_themer
from txnlp.text.screen import screen
from txnlp.themes.model import ThemeInputs
from txnlp.text.sentences import SentenceSplitter, SentenceTagger

log = logging.getLogger(__name__)

STAGED = "staged.parquet"
STAGE_INFO = "stage.json"


@dataclass
class RunResult:
    run_id: str
    output_dir: Path
    paths: dict[str, str]
    counts: dict[str, int]
    timings: dict[str, float] = field(default_factory=dict)

    def summary(self) -> dict:
        return {"run_id": self.run_id, "output_dir": str(self.output_dir), **self.counts, "paths": self.paths}


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


def stage_rows(specs: list[SourceSettings], settings: Settings, *, seen: Seen | None = None) -> StagedRows:
    """Read, screen, normalise, detect language and redact (text and passthrough columns): every staging path.

    `seen` is the state store's view of an incremental source: its watermark and files bound the read,
    and rows it already holds, or repeated in this read, are dropped (and counted) before screening,
    so their text is neither redacted nor detected again. Without it the run is one-off (`--input`):
    see `read_source(one_off=True)`. Nothing unredacted leaves this function.
    """
    t0 = time.perf_counter()
    one_off = seen is None
    batches = [read_source(spec, watermark=None if one_off else seen.watermark,
                           seen_files=frozenset() if one_off else seen.files,
                           sniff_bytes=settings.input.csv_sniff_bytes, one_off=one_off) for spec in specs]
    frame = rows_frame([row for b in batches for row in b.rows])
    quarantine = [q for b in batches for q in b.quarantine]
    skipped = 0
    if not one_off:
        earlier = frame[V.ID].isin(seen.ids)
        repeat = frame[[V.ID, *CONTENT_ID_FIELDS]].astype(str).duplicated(keep="first")
        fresh = [q for q in quarantine if q[V.ID] not in seen.ids]
        skipped = int((earlier | repeat).sum()) + len(quarantine) - len(fresh)
        frame, quarantine = frame.loc[~(earlier | repeat)].reset_index(drop=True), fresh
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


def stage(inputs: list[str | Path], stage_dir: Path, settings: Settings) -> Path:
    """Stage a one-off run: each input file is a `files` source (`stage_rows`); only redacted text is written."""
    specs = [files_source("input", path, settings.input.default_audience) for path in expand_inputs(inputs)]
    staged = stage_rows(specs, settings)
    stage_dir = Path(stage_dir)
    stage_dir.mkdir(parents=True, exist_ok=True)
    staged.frame.to_parquet(stage_dir / STAGED, index=False)
    timings = {("load" if k == "read" else k): v for k, v in staged.timings.items()}
    write_json(stage_dir / STAGE_INFO, {
        "files": [_file_entry(e, b) for b in staged.batches for e in b.inputs], "rows_in": staged.rows_read,
        "quarantine": staged.quarantine, "timings": timings, "redactions": redaction_counts(staged.frame),
        "scores_unparsed": staged.scores_unparsed,
    })
    log.info("staged %d rows (%d quarantined) into %s", len(staged.frame), len(staged.quarantine), stage_dir)
    return stage_dir


def _file_entry(entry: dict, batch: SourceBatch) -> dict:
    """The manifest's entry for one input file: path, rows read, rows quarantined while reading (or its error)."""
    if "error" in entry:
        return {"path": entry["path"], "rows": 0, "quarantined": 1, "error": entry["error"]}
    name = Path(entry["path"]).name
    return {"path": entry["path"], "rows": entry["rows"],
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
    run_id = run_id or new_run_id()
    run_date = run_date_or_today(run_date)
    own = pending is None
    pending = PendingWrites() if own else pending
    try:
        with run_context(run_id):
            result = _mine(Path(stage_dir), Path(output_dir), settings, embedder, sentiment, pillar, run_id,
                           run_date, progress, embeddings, manifest_extra or {}, pending)
    except BaseException:
        pending.discard()
        raise
    if own:
        pending.commit()
    return result


def _mine(stage_dir: Path, output_dir: Path, settings: Settings, embedder, sentiment, pillar, run_id: str,
          run_date: str, progress: ProgressCallback | None, embeddings, manifest_extra: dict,
          pending: PendingWrites) -> RunResult:
    info = json.loads((stage_dir / STAGE_INFO).read_text())
    frame = pd.read_parquet(stage_dir / STAGED)
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
    else:
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
    theme_dir = theme_store.state_dir(output_dir, settings.tracking.state_dir)
    embedder_id = getattr(embedder, "model_id", type(embedder).__name__)
    previous_state = theme_store.load_state(theme_dir, embedder_id, run_id)
    theme_inputs = ThemeInputs(state=previous_state,
                               history=theme_store.load_history(theme_dir, exclude_run_id=run_id),
                               edits=load_edits(settings.tracking.edits_file), run_id=run_id, run_date=run_date)
    result = pipeline(frame, embeddings, theme_inputs=theme_inputs)
    comments = _order_columns(result.comments)
    quarantine = pd.DataFrame(info["quarantine"], columns=list(V.QUARANTINE_COLUMNS))
    counts = {"rows_in": int(info["rows_in"]), "rows_out": len(comments), "rows_quarantined": len(quarantine),
              "themes": int((result.themes[V.THEME_ID] != V.OUTLIER_THEME).sum()) if len(result.themes) else 0,
              "scores_unparsed": int(info.get("scores_unparsed", 0))}
    if counts["rows_in"] != counts["rows_out"] + counts["rows_quarantined"]:
        raise TxnlpError(f"row count mismatch: rows_in={counts['rows_in']} != rows_out={counts['rows_out']} "
                         f"+ rows_quarantined={counts['rows_quarantined']}")
    extra = dict(manifest_extra)
    counts.update(extra.pop("counts", {}))
    notify(progress, "publish", 0, 2)
    paths: dict[str, str] = {}
    tables = [("comments", comments), ("themes", result.themes)]
    if result.sentences is not None:
        tables.append(("sentences", result.sentences[list(V.SENTENCE_COLUMNS)]))
        counts["sentences"] = len(result.sentences)
        counts["mixed"] = int(comments[V.MIXED].fillna(False).astype(bool).sum())
    for name, table in tables:
        for p in write_table(table, output_dir, name):
            paths[p.name] = str(p)
    qpath = output_dir / "quarantine.csv"
    write_table(quarantine, output_dir, "quarantine", formats=("csv",))
    paths["quarantine.csv"] = str(qpath)
    manifest = {
        "run_id": run_id, "run_date": run_date, "txnlp_version": __version__,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "config": settings.public_dump(),
        "models": {"embedder": getattr(embedder, "model_id", type(embedder).__name__),
                   "sentiment": getattr(sentiment, "meta_", {}).get("model_id", type(sentiment).__name__),
                   "pillar": getattr(pillar, "meta_", {}).get("model_id", f"{type(pillar).__name__}(definitions+seed)")},
        "inputs": info["files"], "counts": counts,
        "quarantine_reasons": quarantine[V.REASON].value_counts().to_dict() if len(quarantine) else {},
        "redactions": info["redactions"], "timings": {**info["timings"], **result.timings},
    }
    tables = result.theme_tables
    if tables is not None:
        for p in write_table(tables.pain_points, output_dir, "shared_pain_points"):
            paths[p.name] = str(p)
        paths["theme_state.json"] = str(theme_store.save_state(tables.state, theme_dir, run_id, previous_state,
                                                               pending))
        paths["theme_history.parquet"] = str(theme_store.append_history(tables.history_rows, theme_dir, pending))
        # Relative to the run folder: a manifest must not depend on where the runs folder is mounted.
        manifest["themes"] = {**tables.report, "state_dir": os.path.relpath(theme_dir, output_dir),
                              "edits_file": str(settings.tracking.edits_file)}
    manifest.update(extra)
    write_json(output_dir / "manifest.json", manifest)
    paths["manifest.json"] = str(output_dir / "manifest.json")
    notify(progress, "publish", 1, 2)
    paths.update(publish_report(output_dir, settings.report, settings.themes.report_language, pending=pending))
    notify(progress, "publish", 2, 2)
    log.info("run %s: %s", run_id, counts)
    return RunResult(run_id, output_dir, paths, counts, manifest["timings"])


def cleanup_stage(stage_dir: Path) -> None:
    """Staging holds redacted text only, but it is not an output: remove it once published."""
    shutil.rmtree(stage_dir, ignore_errors=True)


def run(inputs: list[str | Path], output_dir: str | Path, settings: Settings | None = None, *,
        run_date: str | None = None, progress: ProgressCallback | None = None, **models) -> RunResult:
    """Whole run in one call. Staging lives inside `output_dir` and is removed after publishing.

    `run_date` (YYYY-MM-DD, default today UTC): the night the outputs are filed under (see `mine`).
    `progress(step, done, total)`, when given, is called as steps advance (stage, embed, publish).
    """
    settings = settings or Settings()
    run_date = run_date_or_today(run_date)
    output_dir = Path(output_dir)
    stage_dir = output_dir / ".stage"
    run_id = models.pop("run_id", None) or new_run_id()
    with run_locks(output_dir, settings):
        cleanup_stage(stage_dir)  # a killed run's staging: never mined, so never reused
        try:
            with run_context(run_id):
                notify(progress, "stage", 0, 1)
                stage(inputs if isinstance(inputs, (list, tuple)) else [inputs], stage_dir, settings)
                notify(progress, "stage", 1, 1)
            return mine(stage_dir, output_dir, settings, run_id=run_id, run_date=run_date, progress=progress,
                        **models)
        finally:
            cleanup_stage(stage_dir)


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
