"""run(inputs, output_dir, settings): read -> screen -> text pipeline -> models -> write.

The one entry point the CLI and the Prefect flows call. Split in two steps that hand over a
folder, not a frame: `stage` (read, screen, normalise, detect language, redact; writes only
redacted text) and `mine` (embed, classify, cluster, rank, publish).
"""
from __future__ import annotations

import json
import logging
import shutil
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

from . import __version__
from . import vocab as V
from .classify import LinearSentimentClassifier, PillarTagger, PrototypePillarClassifier, SentimentTagger, read_definitions
from .config import Settings
from .embed import FakeEmbedder
from .embed.factory import build_embedder
from .errors import ArtifactError, ConfigError, TxnlpError
from .io.read import load_inputs
from .io.report import publish_report
from .io.write import write_json, write_table
from .logs import run_context
from .progress import ProgressCallback, ProgressEmbedder, notify
from .registry import build_pipeline, build_text_pipeline
from .screen import screen

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

def make_embedder(settings: Settings):
    if settings.embed.kind == "fake":
        return FakeEmbedder()
    return build_embedder(settings.embed)


def load_sentiment(settings: Settings) -> LinearSentimentClassifier:
    model_dir = Path(settings.sentiment.model_dir)
    if not model_dir.exists():
        raise ArtifactError(f"sentiment model not found at {model_dir}; train one with `txnlp train sentiment`")
    return LinearSentimentClassifier.load(model_dir)


def fit_pillar(settings: Settings, embedder) -> PrototypePillarClassifier:
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

def stage(inputs: list[str | Path], stage_dir: Path, settings: Settings) -> Path:
    """Read, screen and redact the inputs into `stage_dir`; only redacted text is written."""
    timings: dict = {}
    t0 = time.perf_counter()
    loaded = load_inputs(inputs, default_audience=settings.input.default_audience,
                         sniff_bytes=settings.input.csv_sniff_bytes)
    rows_in = len(loaded.frame) + len(loaded.quarantine)
    kept, bad_rows = screen(loaded.frame, max_text_chars=settings.input.max_text_chars)
    timings["load"] = round(time.perf_counter() - t0, 4)
    frame = build_text_pipeline(settings)(kept, timings)
    stage_dir = Path(stage_dir)
    stage_dir.mkdir(parents=True, exist_ok=True)
    frame.to_parquet(stage_dir / STAGED, index=False)
    write_json(stage_dir / STAGE_INFO, {
        "files": loaded.files, "rows_in": rows_in, "quarantine": loaded.quarantine + bad_rows, "timings": timings,
        "redactions": {k[len(V.REDACTION_PREFIX):]: int(frame[k].sum()) for k in frame.columns
                       if k.startswith(V.REDACTION_PREFIX)},
    })
    log.info("staged %d rows (%d quarantined) into %s", len(frame), len(loaded.quarantine) + len(bad_rows), stage_dir)
    return stage_dir


def new_run_id() -> str:
    return datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ") + "-" + uuid.uuid4().hex[:6]


def mine(stage_dir: Path, output_dir: Path, settings: Settings, *, embedder=None, sentiment=None, pillar=None,
         run_id: str | None = None, progress: ProgressCallback | None = None, embeddings=None) -> RunResult:
    """Run the models on a staged folder and publish every output into `output_dir`.

    `progress(step, done, total)`, when given, hears about embedding (per chunk) and publishing.
    `embeddings`, when given (rows in staged order, e.g. gathered from chunks embedded on a cluster),
    replace the embedding stage.
    """
    run_id = run_id or new_run_id()
    with run_context(run_id):
        return _mine(Path(stage_dir), Path(output_dir), settings, embedder, sentiment, pillar, run_id, progress,
                     embeddings)


def _mine(stage_dir: Path, output_dir: Path, settings: Settings, embedder, sentiment, pillar, run_id: str,
          progress: ProgressCallback | None, embeddings=None) -> RunResult:
    info = json.loads((stage_dir / STAGE_INFO).read_text())
    frame = pd.read_parquet(stage_dir / STAGED)
    embedder = embedder or make_embedder(settings)
    sentiment = sentiment or load_sentiment(settings)
    pillar = pillar or fit_pillar(settings, embedder)
    if progress is not None:
        embedder = ProgressEmbedder(embedder, progress)
    pipeline = build_pipeline(settings, embedder=embedder, sentiment=SentimentTagger(sentiment),
                              pillar=PillarTagger(pillar))
    result = pipeline(frame, embeddings)
    comments = _order_columns(result.comments)
    quarantine = pd.DataFrame(info["quarantine"], columns=list(V.QUARANTINE_COLUMNS))
    counts = {"rows_in": int(info["rows_in"]), "rows_out": len(comments), "rows_quarantined": len(quarantine),
              "themes": int((result.themes[V.THEME_ID] != V.OUTLIER_THEME).sum()) if len(result.themes) else 0}
    if counts["rows_in"] != counts["rows_out"] + counts["rows_quarantined"]:
        raise TxnlpError(f"row count mismatch: rows_in={counts['rows_in']} != rows_out={counts['rows_out']} "
                         f"+ rows_quarantined={counts['rows_quarantined']}")
    notify(progress, "publish", 0, 2)
    paths: dict[str, str] = {}
    for name, table in (("comments", comments), ("themes", result.themes)):
        for p in write_table(table, output_dir, name):
            paths[p.name] = str(p)
    qpath = output_dir / "quarantine.csv"
    write_table(quarantine, output_dir, "quarantine", formats=("csv",))
    paths["quarantine.csv"] = str(qpath)
    manifest = {
        "run_id": run_id, "txnlp_version": __version__,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "config": settings.model_dump(mode="json"),
        "models": {"embedder": getattr(embedder, "model_id", type(embedder).__name__),
                   "sentiment": getattr(sentiment, "meta_", {}).get("model_id", type(sentiment).__name__),
                   "pillar": f"{type(pillar).__name__}(definitions+seed)"},
        "inputs": info["files"], "counts": counts,
        "quarantine_reasons": quarantine[V.REASON].value_counts().to_dict() if len(quarantine) else {},
        "redactions": info["redactions"], "timings": {**info["timings"], **result.timings},
    }
    write_json(output_dir / "manifest.json", manifest)
    paths["manifest.json"] = str(output_dir / "manifest.json")
    notify(progress, "publish", 1, 2)
    paths.update(publish_report(output_dir, settings.report, settings.themes.report_language))
    notify(progress, "publish", 2, 2)
    log.info("run %s: %s", run_id, counts)
    return RunResult(run_id, output_dir, paths, counts, manifest["timings"])


def cleanup_stage(stage_dir: Path) -> None:
    """Staging holds redacted text only, but it is not an output: remove it once published."""
    shutil.rmtree(stage_dir, ignore_errors=True)


def run(inputs: list[str | Path], output_dir: str | Path, settings: Settings | None = None, *,
        progress: ProgressCallback | None = None, **models) -> RunResult:
    """Whole run in one call. Staging lives inside `output_dir` and is removed after publishing.

    `progress(step, done, total)`, when given, is called as steps advance (stage, embed, publish).
    """
    settings = settings or Settings()
    output_dir = Path(output_dir)
    stage_dir = output_dir / ".stage"
    run_id = models.pop("run_id", None) or new_run_id()
    try:
        with run_context(run_id):
            notify(progress, "stage", 0, 1)
            stage(inputs if isinstance(inputs, (list, tuple)) else [inputs], stage_dir, settings)
            notify(progress, "stage", 1, 1)
        return mine(stage_dir, output_dir, settings, run_id=run_id, progress=progress, **models)
    finally:
        cleanup_stage(stage_dir)


def _order_columns(comments: pd.DataFrame) -> pd.DataFrame:
    internal = {c for c in comments.columns if c.startswith(V.REDACTION_PREFIX)}
    rest = [c for c in comments.columns if c not in V.COMMENT_COLUMNS and c not in internal]
    out = comments[[*V.COMMENT_COLUMNS, *rest]].copy()
    out[V.THEME_ID] = out[V.THEME_ID].astype("Int64")
    return out
