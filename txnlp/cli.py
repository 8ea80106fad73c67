"""Command line: `txnlp run | train | evaluate | report | setup`. Builds Settings, calls the library."""
from __future__ import annotations

import json
import logging
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.table import Table

from . import vocab as V
from .config import load_settings
from .errors import TxnlpError

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Multilingual Total-Experience feedback mining.")
train_app = typer.Typer(no_args_is_help=True, help="Train a challenger model.")
evaluate_app = typer.Typer(no_args_is_help=True, help="Evaluate a model on labelled files.")
app.add_typer(train_app, name="train")
app.add_typer(evaluate_app, name="evaluate")
themes_app = typer.Typer(no_args_is_help=True, help="Edit themes.edits.yaml (renames, merges, ignores, pins).")
app.add_typer(themes_app, name="themes")
console = Console(stderr=True)

ConfigOpt = Annotated[Optional[Path], typer.Option("--config", "-c", help="TOML config (default ./txnlp.toml)")]


def _setup_logging(verbose: bool) -> None:
    """One structured line per event (logfmt), with the run id on each."""
    from .logs import LineFormatter, RunIdFilter

    handler = logging.StreamHandler()
    handler.setFormatter(LineFormatter())
    handler.addFilter(RunIdFilter())
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, handlers=[handler], force=True)


@contextmanager
def _progress_bars():
    """A rich progress callback `(step, done, total)` while on a terminal; None (no bars) otherwise."""
    if not console.is_terminal:
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    tasks: dict[str, int] = {}
    with Progress(TextColumn("{task.description:<8}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console, transient=False) as bars:
        def update(step: str, done: int, total: int) -> None:
            if step not in tasks:
                tasks[step] = bars.add_task(step, total=total)
            bars.update(tasks[step], completed=done, total=total)

        yield update


def _summary_table(result) -> Table:
    """Rows in/out/quarantined, the top 5 shared pain points and where the report is."""
    import pandas as pd

    table = Table(title=f"txnlp run {result.run_id}", show_header=False)
    for key in ("rows_in", "rows_out", "rows_quarantined", "themes"):
        table.add_row(key.replace("_", " "), f"{result.counts[key]:,}")
    themes_path = result.paths.get("themes.parquet")
    if themes_path:
        themes = pd.read_parquet(themes_path)
        top = themes[themes["shared_rank"].notna()].sort_values("shared_rank").head(5)
        for r in top.itertuples(index=False):
            audiences = ", ".join(f"{k} {v}" for k, v in json.loads(r.audiences).items())
            table.add_row(f"pain point #{int(r.shared_rank)}", f"{r.label} ({audiences}; {r.share_negative:.0%} negative)")
    table.add_row("report", str(Path(result.paths.get("report.html", "")).resolve()))
    return table


def _fail(exc: Exception) -> None:
    console.print(f"[red]error:[/red] {exc}")
    raise typer.Exit(code=2)


@app.command()
def run(input: Annotated[Optional[list[Path]], typer.Option("--input", "-i", help="file or folder; repeatable")] = None,
        output: Annotated[Optional[Path], typer.Option("--output", "-o", help="output folder (runs folder with --sources)")] = None,
        sources: Annotated[bool, typer.Option("--sources", help="run the configured sources incrementally")] = False,
        full_refresh: Annotated[bool, typer.Option("--full-refresh", help="reprocess everything, ignoring the state")] = False,
        run_date: Annotated[Optional[str], typer.Option("--run-date", help="YYYY-MM-DD of the night (default today)")] = None,
        config: ConfigOpt = None, verbose: bool = False) -> None:
    """Run the pipeline. With --input and --output only: a one-off run into OUTPUT. With --sources,
    --full-refresh or no --input: an incremental run of the configured sources (plus any --input)."""
    _setup_logging(verbose)
    if input and not (sources or full_refresh):
        if output is None:
            _fail(TxnlpError("--output is required with --input (or add --sources for an incremental run)"))
        from .runner import run as run_pipeline

        try:
            with _progress_bars() as progress:
                result = run_pipeline(input, output, load_settings(config), progress=progress)
        except TxnlpError as exc:
            _fail(exc)
        console.print(_summary_table(result))
    else:
        from .ingest import run_sources

        try:
            settings = load_settings(config)
            if output is not None:
                settings.ingest.runs_dir = output
            result = run_sources(settings, input, full_refresh=full_refresh, run_date=run_date)
        except TxnlpError as exc:
            _fail(exc)
        table = Table(title=f"txnlp run {result.run_id}")
        for key in ("rows_read", "rows_out", "rows_quarantined", "rows_already_processed"):
            table.add_row(key, str(result.counts.get(key, "")))
        console.print(table)
    print(json.dumps(result.summary(), indent=2))
    failed = getattr(result, "failed", {})
    if failed:
        _fail(TxnlpError("; ".join(failed.values())))


@train_app.command("sentiment")
def train_sentiment(data: Annotated[list[Path], typer.Option("--data", help="CSV with text,label[,lang]; repeatable")],
                    out: Annotated[Path, typer.Option("--out", help="model directory to write")],
                    eval_data: Annotated[Optional[list[Path]], typer.Option("--eval", help="held-out CSVs")] = None,
                    config: ConfigOpt = None, verbose: bool = True) -> None:
    """Train a linear sentiment head on the configured embedder."""
    _setup_logging(verbose)
    from .progress import ProgressEmbedder
    from .runner import make_embedder
    from .train import train_sentiment as train_fn

    try:
        settings = load_settings(config)
        with _progress_bars() as progress:
            embedder = make_embedder(settings)
            if progress is not None:
                embedder = ProgressEmbedder(embedder, progress)
            result = train_fn(data, out, embedder, eval_files=eval_data, seed=settings.seed)
    except TxnlpError as exc:
        _fail(exc)
    print(json.dumps(result["meta"]["metrics"], indent=2))


@evaluate_app.command("sentiment")
def evaluate_sentiment(model: Annotated[Path, typer.Option("--model")],
                       data: Annotated[list[Path], typer.Option("--data")],
                       out: Annotated[Optional[Path], typer.Option("--out", help="write the report as JSON")] = None,
                       config: ConfigOpt = None) -> None:
    """Per-language macro-F1, per-class precision/recall and confusion matrix."""
    _setup_logging(False)
    from .classify import LinearSentimentClassifier
    from .evaluate import report_by_group
    from .io.write import write_json
    from .labelled import read_labelled
    from .runner import make_embedder

    try:
        frame = read_labelled(data, V.SENTIMENTS)
        clf = LinearSentimentClassifier.load(model)
        report = report_by_group(frame, clf.predict(make_embedder(load_settings(config)).encode(frame["text"].tolist())),
                                 V.SENTIMENTS)
    except TxnlpError as exc:
        _fail(exc)
    table = Table(title=f"sentiment: {model}")
    for col in ("group", "n", "macro-F1", "accuracy"):
        table.add_column(col)
    for group, r in report.items():
        table.add_row(group, str(r["n"]), f"{r['macro_f1']:.3f}", f"{r['accuracy']:.3f}")
    console.print(table)
    if out:
        write_json(out, report)


@app.command()
def report(run: Annotated[Path, typer.Option("--run", help="a run's output folder")]) -> None:
    """Rebuild report.html from a run's outputs, without rerunning models."""
    from .io.report import build_report

    try:
        print(build_report(run))
    except (OSError, TxnlpError) as exc:
        _fail(exc)


@app.command("score")
def score(run: Annotated[Path, typer.Option("--run", help="a run's output folder")],
          labels: Annotated[Path, typer.Option("--labels", help="label CSV or folder")] = Path("data/sample_labels")) -> None:
    """Score a run against hand labels: sentiment/pillar macro-F1, theme ARI and purity."""
    import pandas as pd

    from .evaluate import read_label_files, score_run

    result = score_run(pd.read_parquet(run / "comments.parquet"), read_label_files([labels]))
    print(json.dumps({k: (v if k not in ("sentiment", "pillar") else {"macro_f1": v["macro_f1"], "per_class": v["per_class"]})
                      for k, v in result.items()}, indent=2))


@app.command("sample-db")
def sample_db(out: Annotated[Path, typer.Option("--out", help="SQLite file to write")] = Path(".cache/txnlp/sample_feedback.sqlite"),
              sample: Annotated[Path, typer.Option("--sample", help="folder of CSV exports")] = Path("data/sample")) -> None:
    """Build the sample SQLite feedback database (the default `sql` source) from data/sample/."""
    from .io.sample_db import build_sample_db

    print(build_sample_db(sample, out))


def _edit_themes(config: Optional[Path], change) -> None:
    from . import edits as E

    try:
        path = load_settings(config).tracking.edits_file
        E.save_edits(change(E, E.load_edits(path)), path)
    except TxnlpError as exc:
        _fail(exc)
    console.print(f"updated {path}")


@themes_app.command("rename")
def themes_rename(theme_id: int, label: str, config: ConfigOpt = None) -> None:
    """Give theme THEME_ID the label LABEL on every future run."""
    _edit_themes(config, lambda E, ed: E.rename(ed, theme_id, label))


@themes_app.command("merge")
def themes_merge(ids: list[int], into: Annotated[int, typer.Option("--into", help="the id they become")],
                 config: ConfigOpt = None) -> None:
    """Report themes IDS as one theme, INTO."""
    _edit_themes(config, lambda E, ed: E.merge(ed, ids, into))


@themes_app.command("ignore")
def themes_ignore(ids: list[int], config: ConfigOpt = None) -> None:
    """Hide themes IDS from the shared-pain-point ranking."""
    _edit_themes(config, lambda E, ed: E.ignore(ed, ids))


@themes_app.command("pin")
def themes_pin(name: str, keywords: list[str], config: ConfigOpt = None) -> None:
    """Comments holding any of KEYWORDS always form their own theme NAME."""
    _edit_themes(config, lambda E, ed: E.pin(ed, name, keywords))


@app.command()
def setup(config: ConfigOpt = None) -> None:
    """Build the offline default embedder (rebuilt e5) into the cache."""
    _setup_logging(True)
    from .embed import resolve_model

    settings = load_settings(config)
    print(resolve_model(settings.embed.model, settings.embed.cache_dir))


def main() -> None:  # pragma: no cover
    app(prog_name="txnlp")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
