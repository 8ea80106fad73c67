"""Nightly flow `mine-feedback`: stage the exports, mine them, publish. Each task calls one library function.

Each run also publishes its Prefect artifacts (counts, top shared pain points, report path:
`pipelines.artifacts`); txnlp's log lines are in the run's logs (see `pipelines/__init__.py`).

Tasks hand over folders, never frames of comments (Prefect would pickle them). Only the tasks that
read the outside world (the exports, the sources) retry, and only on errors that can recover
(`pipelines.retries`): a missing input or a bad config fails at once.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from prefect import flow, task

import txnlp
from pipelines.artifacts import publish_run_artifacts
from pipelines.retries import retry_transient
from txnlp import ingest, runner
from txnlp.config import SourceSettings
from txnlp.embed import distributed
from txnlp.errors import TxnlpError


@task(retries=2, retry_delay_seconds=[10, 60], retry_condition_fn=retry_transient)
def stage_inputs(inputs: list[str], stage_dir: str, config: str | None) -> str:
    return str(runner.stage(inputs, Path(stage_dir), txnlp.load_settings(config)))


@task
def embed_chunk(stage_dir: str, start: int, stop: int, config: str | None) -> str:
    return str(distributed.embed_chunk(Path(stage_dir), start, stop, txnlp.load_settings(config)))


@task
def mine_feedback(stage_dir: str, output_dir: str, config: str | None, embedding_paths: list[str] | None = None,
                  run_date: str | None = None) -> dict:
    embeddings = distributed.gather_embeddings(embedding_paths) if embedding_paths else None
    return runner.mine(Path(stage_dir), Path(output_dir), txnlp.load_settings(config), embeddings=embeddings,
                       run_date=run_date).summary()


@flow(name="mine-feedback", log_prints=False)
def mine_feedback_flow(inputs: list[str], output_dir: str, config: str | None = None, chunked: bool = False,
                       run_date: str | None = None) -> dict:
    """Read, redact, classify, cluster and rank the feedback in `inputs`; publish into `output_dir`.

    `run_date` (YYYY-MM-DD, default today UTC) is the night every output is filed under.

    `chunked`: embed `scale.chunk_rows` rows per task, mapped over the flow's task runner (Dask
    workers with `dask_flow`), then mine on the gathered matrix.
    """
    run_date = runner.run_date_or_today(run_date)
    settings = txnlp.load_settings(config)
    stage_dir = str(Path(output_dir) / ".stage")
    with runner.run_locks(Path(output_dir), settings):
        staged = stage_inputs(inputs, stage_dir, config)
        paths = None
        if chunked:
            chunks = distributed.plan_chunks(Path(staged), settings.scale.chunk_rows)
            futures = embed_chunk.map(staged, [a for a, _ in chunks], [b for _, b in chunks], config)
            paths = [f.result() for f in futures]
        summary = mine_feedback(staged, output_dir, config, paths, run_date)
        runner.cleanup_stage(Path(stage_dir))
    publish_run_artifacts(summary)
    return summary


def dask_flow(config: str | None = None):
    """`mine_feedback_flow` on Prefect's DaskTaskRunner: `scale.dask_address`, or a local cluster."""
    from prefect_dask import DaskTaskRunner

    scale = txnlp.load_settings(config).scale
    if scale.dask_address:
        runner_ = DaskTaskRunner(address=scale.dask_address)
    else:
        runner_ = DaskTaskRunner(cluster_kwargs={"n_workers": scale.dask_workers, "processes": True,
                                                 "threads_per_worker": scale.dask_threads_per_worker})
    return mine_feedback_flow.with_options(task_runner=runner_)


@task(retries=3, retry_delay_seconds=[10, 60, 300], retry_condition_fn=retry_transient)
def read_source(spec: SourceSettings, stage_root: str, config: str | None, full_refresh: bool) -> str:
    return str(ingest.stage_source(spec, Path(stage_root), txnlp.load_settings(config), full_refresh=full_refresh))


@task
def publish_run(stage_dirs: list[str], failed: dict[str, str], config: str | None, run_date: str,
                full_refresh: bool) -> dict:
    return ingest.publish_run(stage_dirs, txnlp.load_settings(config), run_date=run_date,
                              full_refresh=full_refresh, failed=failed).summary()


@flow(name="mine-sources", log_prints=False)
def mine_sources_flow(config: str | None = None, inputs: list[str] | None = None, full_refresh: bool = False,
                      run_date: str | None = None) -> dict:
    """Read each configured source (one retried task each), then mine and publish what was read.

    The same steps as `txnlp.ingest.run_sources`, one task per source. A source that still fails
    after its retries is reported in the summary and the flow ends failed, after the other sources
    have been published; its state does not advance.
    """
    settings = txnlp.load_settings(config)
    run_date = runner.run_date_or_today(run_date)
    root = str(ingest.stage_root(settings, run_date))
    specs = ingest.plan_sources(settings, inputs)
    with ingest.run_locks(settings):  # the tasks run in this process: publish_run takes the same locks again
        futures = {spec.name: read_source.submit(spec, root, config, full_refresh) for spec in specs}
        staged, failed = ingest.gather_staged({name: future.result for name, future in futures.items()})
        summary = publish_run(staged, failed, config, run_date, full_refresh)
    publish_run_artifacts(summary)
    ingest.raise_for_failed(failed, published=True)
    return summary


def main(argv: list[str] | None = None) -> dict:
    """`txnlp run`'s options, run as Prefect flows; `txnlp.ingest.run_mode` picks the flow, as it does for the CLI."""
    parser = argparse.ArgumentParser(description="Run the txnlp nightly flow locally (Prefect ephemeral mode).")
    parser.add_argument("--input", action="append", help="file or folder; repeatable")
    parser.add_argument("--output", help="output folder of a one-off --input run")
    parser.add_argument("--config", default=None)
    parser.add_argument("--sources", action="store_true", help="run the configured sources incrementally")
    parser.add_argument("--full-refresh", action="store_true", help="reprocess everything, ignoring the state")
    parser.add_argument("--run-date", default=None, help="YYYY-MM-DD of the night (default today)")
    args = parser.parse_args(argv)
    try:
        mode = ingest.run_mode(args.input, args.output, sources=args.sources, full_refresh=args.full_refresh)
    except TxnlpError as exc:
        parser.error(str(exc))
    if mode == "sources":
        summary = mine_sources_flow(args.config, args.input, args.full_refresh, args.run_date)
        print(json.dumps(summary, indent=2))
        return summary
    if txnlp.load_settings(args.config).scale.task_runner == "dask":
        summary = dask_flow(args.config)(args.input, args.output, args.config, chunked=True, run_date=args.run_date)
    else:
        summary = mine_feedback_flow(args.input, args.output, args.config, run_date=args.run_date)
    print(json.dumps(summary, indent=2))
    print(f"outputs: {Path(args.output).resolve()}\nreport:  {Path(summary['paths']['report.html']).resolve()}")
    return summary


if __name__ == "__main__":
    main()
