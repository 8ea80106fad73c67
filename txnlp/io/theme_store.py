"""The theme-state store and the theme history, beside the run folders.

- `<state_dir>/theme_state.json`: every theme ever seen (id, label, centroid, first/last seen), as JSON
  (no pickle), written atomically; a state made with another embedder is not reused (ids restart
  from the stored `next_id`, so an old id is never given to a different pain point).
- `<state_dir>/theme_history.parquet`: one row per theme per run, appended; a rerun of the same
  run id replaces its rows.
Default state folder: `<output>/../state/`, so consecutive nightly folders share it.
"""
from __future__ import annotations

import json
import logging
from pathlib import Path

import pandas as pd

from txnlp.errors import ArtifactError
from txnlp.themes.ids import HISTORY_COLUMNS, ThemeState
from txnlp.io.history import replace_rows
from txnlp.io.write import PendingWrites, write_to

log = logging.getLogger(__name__)

STATE_FILE = "theme_state.json"
HISTORY_FILE = "theme_history.parquet"


def state_dir(run_dir: Path, configured: Path | None = None) -> Path:
    return Path(configured) if configured is not None else Path(run_dir).resolve().parent / "state"


def load_state(folder: Path, embedder_id: str, run_id: str | None = None) -> ThemeState:
    """The stored state, or an empty one (first night, or a different embedder: centroids not comparable).

    The file keeps the state a run started from: a rerun of the same run id (after a crash, or a
    replay of the same night) starts from that, not from its own half-published result.
    """
    path = Path(folder) / STATE_FILE
    if not path.exists():
        return ThemeState(embedder_id=embedder_id)
    try:
        stored = _object(json.loads(path.read_text(encoding="utf-8")))
        if "state" in stored:  # {"run_id", "state", "previous"}
            stored = stored["previous"] if run_id is not None and stored.get("run_id") == run_id else stored["state"]
        if stored is None:
            return ThemeState(embedder_id=embedder_id)
        state = ThemeState.from_dict(_object(stored))
    except (ValueError, KeyError, TypeError) as exc:
        raise ArtifactError(f"theme state {path} is unreadable ({type(exc).__name__}); move it away to start afresh") from None
    if state.embedder_id != embedder_id:
        log.warning("theme state %s was made with embedder %s, not %s: ids restart from %d", path,
                    state.embedder_id, embedder_id, state.next_id)
        return ThemeState(embedder_id=embedder_id, next_id=state.next_id)
    return state


def _object(value):
    """A JSON object, else ValueError: a list or a string in the state file is damage, not a state."""
    if not isinstance(value, dict):
        raise ValueError(f"expected a JSON object, found {type(value).__name__}")
    return value


def save_state(state: ThemeState, folder: Path, run_id: str | None = None, previous: ThemeState | None = None,
               pending: PendingWrites | None = None) -> Path:
    path = Path(folder) / STATE_FILE
    payload = {"run_id": run_id, "state": state.to_dict(), "previous": previous.to_dict() if previous else None}
    text = json.dumps(payload, ensure_ascii=False)
    return write_to(path, lambda p: p.write_text(text, encoding="utf-8"), pending)


def load_history(folder: Path, exclude_run_id: str | None = None) -> pd.DataFrame:
    """Past nights' rows; a rerun excludes its own earlier rows so trends don't count it twice."""
    path = Path(folder) / HISTORY_FILE
    if not path.exists():
        return pd.DataFrame(columns=list(HISTORY_COLUMNS))
    history = pd.read_parquet(path)
    return history[history["run_id"] != exclude_run_id].reset_index(drop=True) if exclude_run_id else history


def append_theme_history(rows: pd.DataFrame, folder: Path, pending: PendingWrites | None = None) -> Path:
    """Append tonight's rows; rows of the same run id are replaced (a rerun never counts twice)."""
    path = Path(folder) / HISTORY_FILE
    history = replace_rows(rows, path, "run_id", HISTORY_COLUMNS, ("run_date", "run_id", "theme_id"), pending)
    log.info("theme history %s: %d runs, %d rows", path, history["run_id"].nunique(), len(history))
    return path
