"""Incremental, exactly-once runs over the configured sources.

`stage_source` reads one source (only what is new), drops what earlier runs already processed,
screens, normalises, detects language and redacts (`runner.stage_rows`, the one staging path a
one-off run takes too), and writes the redacted rows to a staging folder: nothing unredacted is
ever written. `publish_run` merges the staged sources, mines them (txnlp.runner.mine), publishes
the run (txnlp.io.publish) and only then advances the state store. `run_sources` does both in one
call; the Prefect flow calls the two halves as separate tasks.

Counting, per source and in total (checked at the end of every run, the run fails if it does not hold):
    rows_read = rows_written + rows_quarantined + rows_already_processed
where rows_already_processed are rows whose id an earlier published run already wrote or
quarantined, plus repeats of the same row (same id and content) within this run, e.g. the same
comment in two overlapping export files. A file whose bytes were already processed is not read
at all; it is listed under the source's inputs as skipped.
"""
from __future__ import annotations

import hashlib
import json
import logging
import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import pandas as pd

from txnlp import vocab as V
from txnlp.config import Settings, SourceSettings, source_slug
from txnlp.errors import ConfigError, SourceError, TxnlpError
from txnlp.io import lock, theme_store
from txnlp.io import publish as P
from txnlp.io.sources import Seen, files_source
from txnlp.io.state import PUBLISHING, ROLLED_BACK, SourceCommit, StateStore, encode_watermark
from txnlp.io.write import PendingWrites, read_table_csv, write_json
from txnlp.runner import STAGE_INFO, STAGED, RunResult, mine, redaction_counts, run_date_or_today, stage_rows

log = logging.getLogger(__name__)

WRITTEN, QUARANTINED = "written", "quarantined"


@dataclass
class IngestResult(RunResult):
    status: str = "published"  # published | nothing new
    failed: dict[str, str] = field(default_factory=dict)

    def summary(self) -> dict:
        return {**super().summary(), "status": self.status, "failed_sources": self.failed}


# --- planning ---------------------------------------------------------------------------------

def plan_sources(settings: Settings, inputs: list[str | Path] | None = None, *,
                 configured: bool = True) -> list[SourceSettings]:
    """Configured sources, plus one implicit `files` source per ad-hoc input path."""
    sources = list(settings.ingest.sources) if configured else []
    for raw in inputs or []:
        name = source_slug("input-" + Path(raw).stem)
        sources.append(files_source(name, raw, settings.input.default_audience))
    names = [s.name for s in sources]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ConfigError(f"source names must be unique (repeated: {', '.join(dupes)})")
    if not sources:
        raise ConfigError("no sources: list them under ingest.sources in the config file, or pass --input")
    return sources


def history_dir(settings: Settings) -> Path:
    return Path(settings.ingest.history_dir or Path(settings.ingest.runs_dir) / "history")


def state_store(settings: Settings) -> StateStore:
    return StateStore(settings.ingest.state_path or Path(settings.ingest.runs_dir) / "state.sqlite")


def run_locks(settings: Settings):
    """The locks an incremental run holds from staging to commit: runs folder, state store, theme state, histories.

    Staging sits in the runs folder, so a second run on it waits here instead of removing the first one's
    staged sources. Reentrant: `publish_run` takes them again inside `run_sources` or the flow.
    """
    runs_dir = Path(settings.ingest.runs_dir)
    return lock.hold_all([runs_dir, state_store(settings).path, history_dir(settings),
                          theme_store.state_dir(runs_dir / "run", settings.tracking.state_dir),
                          settings.report.history_dir or runs_dir / "history"], settings.lock_timeout_s)


def stage_root(settings: Settings, run_date: str) -> Path:
    """`runs/.stage/<run_date>/`; the date is checked here too, as it names a folder that staging rewrites."""
    return Path(settings.ingest.runs_dir) / ".stage" / run_date_or_today(run_date)


# --- step 1: one source -------------------------------------------------------------------------

def stage_source(spec: SourceSettings, stage_dir: str | Path, settings: Settings, *,
                 full_refresh: bool = False) -> Path:
    """Read what is new in `spec`, redact it, and write it to `stage_dir/<name>/`. Raises SourceError.

    The staging itself is `runner.stage_rows`, as for a one-off run; this adds what the state store
    knows (watermark, files and ids already processed) and the per-source counts.
    """
    state = state_store(settings)
    old_wm = None if full_refresh else state.watermark(spec.name)
    seen = Seen() if full_refresh else Seen(old_wm, frozenset(state.seen_files(spec.name)),
                                            partial(state.processed_among, spec.name))
    staged = stage_rows([spec], settings, seen=seen)
    (batch,) = staged.batches
    out = Path(stage_dir) / spec.name
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    staged.frame.to_parquet(out / STAGED, index=False)
    watermark = _max_watermark(old_wm, batch.watermark)
    write_json(out / STAGE_INFO, {
        "source": spec.name, "kind": spec.kind, "full_refresh": full_refresh, "inputs": batch.inputs,
        "rows_read": batch.rows_read, "rows_already_processed": staged.skipped, "quarantine": staged.quarantine,
        "files": batch.files, "watermark": encode_watermark(watermark) if watermark is not None else None,
        "timings": staged.timings, "redactions": redaction_counts(staged.frame),
        "scores_unparsed": staged.scores_unparsed,
    })
    log.info("source %s: %d read, %d already processed, %d quarantined, %d staged", spec.name, batch.rows_read,
             staged.skipped, len(staged.quarantine), len(staged.frame))
    return out


def _max_watermark(old, new):
    if old is None or new is None:
        return new if old is None else old
    try:
        return max(old, new)
    except TypeError:
        return new


# --- step 2: merge, mine, publish, commit --------------------------------------------------------

def publish_run(stage_dirs: list[str | Path], settings: Settings, *, run_date: str | None = None,
                full_refresh: bool = False, failed: dict[str, str] | None = None, **models) -> IngestResult:
    """Mine the staged sources as one run and publish it exactly once; then advance their state."""
    run_date = run_date_or_today(run_date)
    runs_dir = Path(settings.ingest.runs_dir)
    runs_dir.mkdir(parents=True, exist_ok=True)
    failed = dict(failed or {})
    with run_locks(settings):
        state = state_store(settings)
        _recover(state, runs_dir, history_dir(settings))
        infos = [json.loads((Path(d) / STAGE_INFO).read_text()) for d in stage_dirs]
        frames = [pd.read_parquet(Path(d) / STAGED) for d in stage_dirs]
        frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
        if len(frame):
            frame = frame.sort_values([V.SOURCE, V.ID], kind="stable").reset_index(drop=True)
        quarantine = sorted((q for i in infos for q in i["quarantine"]),
                            key=lambda q: (q[V.SOURCE], str(q[V.ID]), str(q[V.INPUT_FILE]), q[V.INPUT_ROW]))
        run_id = _run_id(run_date, full_refresh, frame, quarantine)
        commits = _commits(infos, frame, quarantine)
        if frame.empty and not quarantine:
            state.begin(run_id, run_date)
            state.commit(run_id, commits)
            _cleanup(stage_dirs)
            log.info("nothing new in %d source(s); latest stays %s", len(infos), P.latest_run(runs_dir))
            counts = _totals(_per_source(infos, frame, pd.DataFrame(quarantine, columns=list(V.QUARANTINE_COLUMNS)),
                                         failed))
            latest = P.latest_run(runs_dir)
            return IngestResult(latest or "", runs_dir / (latest or ""), {}, counts, status="nothing new",
                                failed=failed)
        merged = Path(runs_dir) / ".stage" / run_id
        shutil.rmtree(merged, ignore_errors=True)
        merged.mkdir(parents=True)
        frame.to_parquet(merged / STAGED, index=False)
        write_json(merged / STAGE_INFO, {
            "files": [{"source": i["source"], **f} for i in infos for f in i["inputs"]],
            "rows_in": len(frame) + len(quarantine), "quarantine": quarantine,
            "timings": _sum_dicts(i["timings"] for i in infos),
            "redactions": _sum_dicts(i["redactions"] for i in infos),
            "scores_unparsed": sum(i.get("scores_unparsed", 0) for i in infos),
        })
        # Counted from what was staged (mine checks it writes every row it was given), so the per-source
        # counts are in the manifest before mine builds the report: the report is built once, with them.
        per = _per_source(infos, frame, pd.DataFrame(quarantine, columns=list(V.QUARANTINE_COLUMNS)), failed)
        extra = {"counts": _totals(per), "full_refresh": full_refresh, "sources": per}
        state.begin(run_id, run_date)
        tmp = P.tmp_run_dir(runs_dir, run_id)
        pending = PendingWrites()  # theme state and histories: put in place with the run, below
        try:
            result = mine(merged, tmp, settings, run_id=run_id, run_date=run_date, manifest_extra=extra,
                          pending=pending, **models)
        except BaseException:
            pending.discard()
            raise
        counts = result.counts
        final = P.move_into_place(tmp, runs_dir, run_id)
        P.write_history_part(history_dir(settings), "comments", pd.read_parquet(final / "comments.parquet"),
                             run_id, run_date)
        P.write_history_part(history_dir(settings), "quarantine", read_table_csv(final / "quarantine.csv"),
                             run_id, run_date)
        P.switch_latest(runs_dir, run_id)
        pending.commit()
        state.commit(run_id, commits)
        _cleanup([*stage_dirs, merged])
    paths = {name: str(final / name) for name in result.paths}
    log.info("published run %s: %s", run_id, counts)
    return IngestResult(run_id, final, paths, counts, result.timings, failed=failed)


def run_sources(settings: Settings, inputs: list[str | Path] | None = None, *, configured: bool = True,
                full_refresh: bool = False, run_date: str | None = None, **models) -> IngestResult:
    """Stage every source (a failing one is reported and skipped), then publish what was staged.

    Raises SourceError when every source failed; otherwise `result.failed` names the ones that did.
    """
    run_date = run_date_or_today(run_date)
    root = stage_root(settings, run_date)
    specs = plan_sources(settings, inputs, configured=configured)
    with run_locks(settings):
        staged, failed = gather_staged({spec.name: partial(stage_source, spec, root, settings,
                                                           full_refresh=full_refresh) for spec in specs})
        return publish_run(staged, settings, run_date=run_date, full_refresh=full_refresh, failed=failed, **models)


def gather_staged(attempts: Mapping[str, Callable[[], str | Path]]) -> tuple[list[str | Path], dict[str, str]]:
    """Call each source's staging; a SourceError fails that source only, so the others still publish.

    `attempts` maps a source name to the call that stages it: `stage_source` here, a Prefect task's
    `future.result` in the flow, so both follow one rule. Any other error is bad data or a bug and
    propagates. Returns (staged folders, {source: error message}); raises SourceError when none staged.
    """
    staged, failed = [], {}
    for name, attempt in attempts.items():
        try:
            staged.append(attempt())
        except SourceError as exc:
            failed[name] = str(exc)
            log.error("%s", exc)
    if not staged:
        raise_for_failed(failed)
    return staged, failed


def raise_for_failed(failed: dict[str, str], *, published: bool = False) -> None:
    """Raise SourceError naming every source in `failed` (nothing to raise when it is empty).

    `published`: the other sources were published, so the run is done but incomplete (the failed
    sources' state did not advance and the next run reads them again).
    """
    if failed:
        what = "published without: " if published else "every source failed: "
        raise SourceError(",".join(failed), what + "; ".join(failed.values()))


def run_mode(inputs: list | None, output: str | Path | None, *, sources: bool = False,
             full_refresh: bool = False) -> str:
    """"inputs" (a one-off run of `inputs` into `output`) or "sources" (incremental, plus any `inputs`).

    The one rule behind `txnlp run` and `python -m pipelines.nightly`: --sources, --full-refresh or
    no --input mean the incremental run. Raises ConfigError for a one-off run without an output folder.
    """
    if sources or full_refresh or not inputs:
        return "sources"
    if output is None:
        raise ConfigError("--output is required with --input (or add --sources for an incremental run)")
    return "inputs"


# --- helpers ------------------------------------------------------------------------------------

def _recover(state: StateStore, runs_dir: Path, hist: Path) -> None:
    """Roll back runs that began publishing and never committed (killed, or failed mid-publish)."""
    for run in state.runs(PUBLISHING):
        P.roll_back(runs_dir, hist, run["run_id"], state.last_published())
        state.mark(run["run_id"], ROLLED_BACK)


def _run_id(run_date: str, full_refresh: bool, frame: pd.DataFrame, quarantine: list[dict]) -> str:
    """Same night and same new rows -> same id, so a rerun after a crash replaces the same run folder."""
    h = hashlib.sha1(f"{run_date}\x1f{int(full_refresh)}".encode())
    for source, rid in sorted(zip(frame.get(V.SOURCE, []), frame.get(V.ID, []))):
        h.update(f"\x1e{source}\x1f{rid}".encode("utf-8", "surrogatepass"))
    for q in quarantine:
        h.update(f"\x1dq{q[V.SOURCE]}\x1f{q[V.ID]}".encode("utf-8", "surrogatepass"))
    return f"{run_date}-{h.hexdigest()[:10]}"


def _commits(infos: list[dict], frame: pd.DataFrame, quarantine: list[dict]) -> list[SourceCommit]:
    commits = {i["source"]: SourceCommit(i["source"], files=[tuple(f) for f in i["files"]], watermark=i["watermark"])
               for i in infos}
    for q in quarantine:
        commits[q[V.SOURCE]].ids[str(q[V.ID])] = QUARANTINED
    for source, rid in zip(frame.get(V.SOURCE, []), frame.get(V.ID, [])):
        commits[source].ids[str(rid)] = WRITTEN
    return list(commits.values())


def _per_source(infos: list[dict], comments: pd.DataFrame, quarantine: pd.DataFrame, failed: dict) -> dict:
    per: dict[str, dict] = {}
    for i in infos:
        name = i["source"]
        q = quarantine[quarantine[V.SOURCE] == name] if len(quarantine) else quarantine
        per[name] = {
            "status": "ok", "kind": i["kind"], "inputs": i["inputs"], "rows_read": i["rows_read"],
            "rows_written": int((comments[V.SOURCE] == name).sum()) if len(comments) else 0,
            "rows_quarantined": len(q), "rows_already_processed": i["rows_already_processed"],
            "quarantine_reasons": q[V.REASON].value_counts().to_dict() if len(q) else {},
            "redactions": i["redactions"], "watermark": i["watermark"],
            "scores_unparsed": i.get("scores_unparsed", 0),
        }
    for name, message in failed.items():
        per[name] = {"status": "failed", "error": message}
    return per


def _totals(per: dict) -> dict:
    ok = [s for s in per.values() if s["status"] == "ok"]
    counts = {"rows_read": sum(s["rows_read"] for s in ok), "rows_out": sum(s["rows_written"] for s in ok),
              "rows_quarantined": sum(s["rows_quarantined"] for s in ok),
              "rows_already_processed": sum(s["rows_already_processed"] for s in ok),
              "sources_failed": len(per) - len(ok)}
    for name, s in per.items():
        if s["status"] == "ok" and s["rows_read"] != s["rows_written"] + s["rows_quarantined"] + s["rows_already_processed"]:
            raise TxnlpError(f"row count mismatch in source '{name}': rows_read={s['rows_read']} != "
                             f"rows_written={s['rows_written']} + rows_quarantined={s['rows_quarantined']} "
                             f"+ rows_already_processed={s['rows_already_processed']}")
    if counts["rows_read"] != counts["rows_out"] + counts["rows_quarantined"] + counts["rows_already_processed"]:
        raise TxnlpError(f"row count mismatch: {counts}")
    return counts


def _sum_dicts(dicts) -> dict:
    out: dict = {}
    for d in dicts:
        for k, v in d.items():
            out[k] = round(out.get(k, 0) + v, 4)
    return out


def _cleanup(dirs) -> None:
    """Staging holds redacted text only, but it is not an output: removed once published."""
    for d in dirs:
        shutil.rmtree(d, ignore_errors=True)
