"""A published run in three small tables: its counts, its top shared pain points, its report.

What an orchestrator shows next to a run (the Prefect flows publish these as artifacts) and what a
person checks first. Built from the run folder's manifest.json and shared_pain_points.parquet only.
Comment text never enters it: no quotes (even redacted text may hold what redaction missed), only
figures, the theme labels and the table's `why` line, which is made of counts.
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from txnlp import nested
from txnlp.errors import InputDataError
from txnlp.report.build import PAIN_POINTS

MANIFEST = "manifest.json"
REPORT = "report.html"
# Counts first in this order, then any other count of the manifest (sentences, per-source totals, ...).
HEADLINE_COUNTS: tuple[str, ...] = ("rows_in", "rows_out", "rows_quarantined", "themes")


@dataclass(frozen=True)
class RunDigest:
    """Rows ready for a table (lists of flat dicts) and the report's path (None when the run has none)."""

    run_id: str
    counts: list[dict]
    pain_points: list[dict]
    report: Path | None


def count_rows(manifest: Mapping) -> list[dict]:
    """`{"count", "value"}` rows: the headline counts, the quarantined rows per reason, then the other counts.

    Quarantine reasons are fixed phrases written by txnlp ("empty text", "text too long (...)"), never
    cell values, so they can be shown as they are.
    """
    counts = dict(manifest.get("counts", {}))
    rows = [{"count": key, "value": int(counts.pop(key))} for key in HEADLINE_COUNTS if key in counts]
    reasons = sorted(manifest.get("quarantine_reasons", {}).items(), key=lambda kv: (-kv[1], kv[0]))
    rows += [{"count": f"quarantined: {reason}", "value": int(n)} for reason, n in reasons]
    rows += [{"count": key, "value": int(value)} for key, value in counts.items()
             if isinstance(value, (int, float)) and not isinstance(value, bool)]
    return rows


def _as_counts(value) -> dict[str, int]:
    """A per-silo count column: native (value, n) records, or the JSON text of CSV and older runs (`nested.decode`)."""
    return {str(k): int(v) for k, v in (nested.decode("audiences", value, {}) or {}).items()}


def pain_point_rows(pain: pd.DataFrame, top: int = 5) -> list[dict]:
    """The `top` shared pain points by `shared_rank`: rank, label, silos (comments per audience), link, why."""
    if top < 1:
        raise ValueError(f"top={top} should be >= 1")
    if pain.empty:
        return []
    ranked = pain[pain["shared_rank"].notna()].sort_values("shared_rank", kind="stable").head(top)
    rows = []
    for r in ranked.to_dict("records"):
        silos = _as_counts(r["audiences"])
        rows.append({"rank": int(r["shared_rank"]), "label": str(r["label"]),
                     "silos": ", ".join(f"{a} {n}" for a, n in sorted(silos.items(), key=lambda kv: (-kv[1], kv[0]))),
                     "ex_cx_link": bool(r["ex_cx_link"]), "share_negative": round(float(r["share_negative"]), 3),
                     "why": str(r["why"])})
    return rows


def run_digest(run_dir: str | Path, top: int = 5) -> RunDigest:
    """The digest of the published run in `run_dir` (see the module doc)."""
    run_dir = Path(run_dir)
    if not (run_dir / MANIFEST).is_file():
        raise InputDataError(f"{run_dir}: not a run folder, missing {MANIFEST}")
    manifest = json.loads((run_dir / MANIFEST).read_text(encoding="utf-8"))
    pain = pd.read_parquet(run_dir / PAIN_POINTS) if (run_dir / PAIN_POINTS).is_file() else pd.DataFrame()
    report = run_dir / REPORT
    return RunDigest(str(manifest.get("run_id", "")), count_rows(manifest), pain_point_rows(pain, top),
                     report.resolve() if report.is_file() else None)
