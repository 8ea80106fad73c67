"""Nightly flow `mine-feedback`: stage the exports, mine them, publish. Each task calls one library function.

Tasks hand over folders, never frames of comments (Prefect would pickle them). Only the task that
touches the outside world (reading the exports) retries.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from prefect import flow, task

import txnlp
from txnlp import runner


@task(retries=2, retry_delay_seconds=[10, 60])
def stage_inputs(inputs: list[str], stage_dir: str, config: str | None) -> str:
    return str(runner.stage(inputs, Path(stage_dir), txnlp.load_settings(config)))


@task
def mine_feedback(stage_dir: str, output_dir: str, config: str | None) -> dict:
    return runner.mine(Path(stage_dir), Path(output_dir), txnlp.load_settings(config)).summary()


@flow(name="mine-feedback", log_prints=False)
def mine_feedback_flow(inputs: list[str], output_dir: str, config: str | None = None) -> dict:
    """Read, redact, classify, cluster and rank the feedback in `inputs`; publish into `output_dir`."""
    stage_dir = str(Path(output_dir) / ".stage")
    staged = stage_inputs(inputs, stage_dir, config)
    summary = mine_feedback(staged, output_dir, config)
    runner.cleanup_stage(Path(stage_dir))
    return summary


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description="Run the txnlp nightly flow locally (Prefect ephemeral mode).")
    parser.add_argument("--input", action="append", required=True, help="file or folder; repeatable")
    parser.add_argument("--output", required=True)
    parser.add_argument("--config", default=None)
    args = parser.parse_args(argv)
    summary = mine_feedback_flow(args.input, args.output, args.config)
    print(json.dumps(summary, indent=2))
    print(f"outputs: {Path(args.output).resolve()}\nreport:  {Path(summary['paths']['report.html']).resolve()}")
    return summary


if __name__ == "__main__":
    main()
