"""The Prefect artifacts of each run: what a person checks first, next to the run in the UI.

One task per flow, each building its tables with one library function (`txnlp.report.digest.run_digest`,
`txnlp.training.champions.gate_rows`): the library stays free of Prefect. Keys are fixed, so the UI's
Artifacts page shows each one's latest version and its history over the nights. No comment text: the
pain points carry labels, counts and the `why` line, never quotes (even redacted text may hold what
redaction missed); the report holds the rest.
"""
from __future__ import annotations

from pathlib import Path

from prefect import task
from prefect.artifacts import create_link_artifact, create_markdown_artifact, create_table_artifact

from txnlp.report.digest import run_digest
from txnlp.training.champions import gate_rows

TOP_PAIN_POINTS = 5


@task
def publish_run_artifacts(summary: dict) -> list[str]:
    """A run's counts (in, out, quarantined by reason), top shared pain points and report path.

    `summary`: the flow's `RunResult.summary()`. A sources run with nothing new gets one line saying so.
    """
    if not summary.get("paths"):
        return [str(create_markdown_artifact(
            f"Nothing new to mine: {summary.get('rows_already_processed', 0)} rows already processed; "
            f"the latest run stays `{summary.get('run_id') or '-'}`.", key="txnlp-counts",
            description="txnlp run: nothing new"))]
    digest = run_digest(Path(summary["output_dir"]), top=TOP_PAIN_POINTS)
    ids = [create_table_artifact(digest.counts, key="txnlp-counts",
                                 description=f"txnlp run {digest.run_id}: rows in, out and quarantined by reason"),
           create_table_artifact(digest.pain_points, key="txnlp-pain-points",
                                 description=f"txnlp run {digest.run_id}: top {TOP_PAIN_POINTS} shared pain points "
                                             "(no quotes: see the report)")]
    if digest.report is not None:
        ids.append(create_link_artifact(digest.report.as_uri(), link_text=str(digest.report), key="txnlp-report",
                                        description=f"txnlp run {digest.run_id}: report.html on the worker's disk"))
    return [str(i) for i in ids]


@task
def publish_retrain_artifacts(kind: str, decision: dict) -> list[str]:
    """The retrain decision (promoted or refused, and why) and the per-language figures the gate compared."""
    verdict = "promoted" if decision["promoted"] else "refused"
    lines = [f"**{kind} challenger {verdict}**: {decision['reason']}", "",
             f"- challenger: `{decision['challenger']}`"]
    if decision.get("model_id"):
        lines.append(f"- new champion: `{decision['model_id']}` in `{decision.get('path')}`")
    lines.append(f"- figures: the table `txnlp-retrain-{kind}-figures` (macro-F1 on the hold-out and the shared "
                 "evaluation sets)")
    rows = gate_rows(decision["challenger_metrics"], decision.get("champion_metrics"))
    ids = [create_markdown_artifact("\n".join(lines), key=f"txnlp-retrain-{kind}",
                                    description=f"retrain {kind}: {verdict}"),
           create_table_artifact(rows, key=f"txnlp-retrain-{kind}-figures",
                                 description=f"retrain {kind}: per-language macro-F1, challenger vs champion")]
    return [str(i) for i in ids]
