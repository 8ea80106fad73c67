"""Nightly flow `mine-feedback`: stage the exports, mine them, publish. Each task calls one library function.

Tasks hand over folders, never frames of comments (Prefect would pickle them). Only the task that
touches the outside world (reading the exports) retries.
"""
from __future__ import annotations

import argparse
import json
from datetime import date
from pathlib import Path

from prefect import flow, task

import txnlp
from txnlp import ingest, runner
from txnlp.embed import distributed
from txnlp.errors import SourceError


@task(retries=2, retry_delay_seconds=[10, 60])
def stage_inputs(inputs: list[str], stage_dir: str, config: str | None) -> str:
    return str(runner.stage(inputs, Path(stage_dir), txnlp.load_settings(config)))


@task
def embed_chunk(stage_dir: str, start: int, stop: int, config: str | None) -> str:
    return str(distributed.embed_chunk(Path(stage_dir), start, stop, txnlp.load_settings(config)))


@task
def mine_feedback(stage_dir: str, output_dir: str, config: str | None, embedding_paths: list[str] | None = None) -> dict:
    embeddings = distributed.gather_embeddings(embedding_paths) if embedding_paths else None
    return runner.mine(Path(stage_dir), Path(output_dir), txnlp.load_settings(config), embeddings=embeddings).summary()


@flow(name="mine-feedback", log_prints=False)
def mine_feedback_flow(inputs: list[str], output_dir: str, config: str | None = None, chunked: bool = False) -> dict:
    """Read, redact, classify, cluster and rank the feedback in `inputs`; publish into `output_dir`.

    `chunked`: embed `scale.chunk_rows` rows per task, mapped over the flow's task runner (Dask
    workers with `dask_flow`), then mine on the gathered matrix.
    """
    stage_dir = str(Path(output_dir) / ".stage")
    staged = stage_inputs(inputs, stage_dir, config)
    paths = None
    if chunked:
        chunks = distributed.plan_chunks(Path(staged), txnlp.load_settings(config).scale.chunk_rows)
        futures = embed_chunk.map(staged, [a for a, _ in chunks], [b for _, b in chunks], config)
        paths = [f.result() for f in futures]
    summary = mine_feedback(staged, output_dir, config, paths)
    runner.cleanup_stage(Path(stage_dir))
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


def retry_source_errors(task, task_run, state) -> bool:
    """Retry only an unreachable source (database down, share not mounted), not a bug or bad data."""
    try:
        state.result()
    except SourceError:
        return True
    except Exception:
        return False
    return False


@task(retries=3, retry_delay_seconds=[10, 60, 300], retry_condition_fn=retry_source_errors)
def read_source(source: str, stage_root: str, config: str | None, inputs: list[str] | None,
                full_refresh: bool) -> str:
    settings = txnlp.load_settings(config)
    spec = {s.name: s for s in ingest.plan_sources(settings, inputs)}[source]
    return str(ingest.stage_source(spec, Path(stage_root), settings, full_refresh=full_refresh))


@task
def publish_run(stage_dirs: list[str], failed: dict[str, str], config: str | None, run_date: str,
                full_refresh: bool) -> dict:
    return ingest.publish_run(stage_dirs, txnlp.load_settings(config), run_date=run_date,
                              full_refresh=full_refresh, failed=failed).summary()


@flow(name="mine-sources", log_prints=False)
def mine_sources_flow(config: str | None = None, inputs: list[str] | None = None, full_refresh: bool = False,
                      run_date: str | None = None) -> dict:
    """Read each configured source (one retried task each), then mine and publish what was read.

    A source that still fails after its retries is reported in the summary and the flow ends
    failed, after the other sources have been published; its state does not advance.
    """
    settings = txnlp.load_settings(config)
    run_date = run_date or date.today().isoformat()
    root = str(ingest.stage_root(settings, run_date))
    names = [s.name for s in ingest.plan_sources(settings, inputs)]
    futures = {n: read_source.submit(n, root, config, inputs, full_refresh) for n in names}
    staged, failed = [], {}
    for name, future in futures.items():
        try:
            staged.append(future.result())
        except Exception as exc:
            failed[name] = str(exc)
    if not staged:
        raise SourceError(",".join(failed), "every source failed: " + "; ".join(failed.values()))
    summary = publish_run(staged, failed, config, run_date, full_refresh)
    if failed:
        raise SourceError(",".join(failed), "published without: " + "; ".join(failed.values()))
    return summary


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description="Run the txnlp nightly flow locally (Prefect ephemeral mode).")
    parser.add_argument("--input", action="append", help="file or folder; repeatable")
    parser.add_argument("--output", help="output folder of a one-off --input run")
    parser.add_argument("--config", default=None)
    parser.add_argument("--sources", action="store_true", help="run the configured sources incrementally")
    parser.add_argument("--full-refresh", action="store_true", help="reprocess everything, ignoring the state")
    parser.add_argument("--run-date", default=None, help="YYYY-MM-DD of the night (default today)")
    args = parser.parse_args(argv)
    if args.sources or args.full_refresh or not args.input:
        summary = mine_sources_flow(args.config, args.input, args.full_refresh, args.run_date)
        print(json.dumps(summary, indent=2))
        return summary
    if not args.output:
        parser.error("--output is required with --input (or add --sources)")
    if txnlp.load_settings(args.config).scale.task_runner == "dask":
        summary = dask_flow(args.config)(args.input, args.output, args.config, chunked=True)
    else:
        summary = mine_feedback_flow(args.input, args.output, args.config)
    print(json.dumps(summary, indent=2))
    print(f"outputs: {Path(args.output).resolve()}\nreport:  {Path(summary['paths']['report.html']).resolve()}")
    return summary


if __name__ == "__main__":
    main()
