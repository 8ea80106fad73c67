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

from txnlp.config import load_settings
from txnlp.errors import ConfigError, TxnlpError

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
    from txnlp.logs import LineFormatter, RunIdFilter

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


def _progress_lines():
    """A progress callback for a log rather than a terminal: a plain line per step at each tenth done."""
    shown: dict[str, int] = {}

    def update(step: str, done: int, total: int) -> None:
        tenth = 10 * done // max(total, 1)
        if shown.get(step) != tenth:
            shown[step] = tenth
            console.print(f"{step}: {done:,}/{total:,}", highlight=False)

    return update


def _summary_table(result) -> Table:
    """Rows in/out/quarantined, the top 5 shared pain points and where the report is (the run's digest)."""
    from txnlp.report.digest import run_digest

    digest = run_digest(result.output_dir)
    table = Table(title=f"txnlp run {result.run_id}", show_header=False)
    for key in ("rows_in", "rows_out", "rows_quarantined", "themes"):
        table.add_row(key.replace("_", " "), f"{result.counts[key]:,}")
    for p in digest.pain_points:
        table.add_row(f"pain point #{p['rank']}", f"{p['label']} ({p['silos']}; {p['share_negative']:.0%} negative)")
    table.add_row("report", str(digest.report or ""))
    return table


def _fail(exc: Exception) -> None:
    console.print(f"[red]error:[/red] {exc}")
    raise typer.Exit(code=2)


@app.command()
def run(input: Annotated[Optional[list[Path]], typer.Option("--input", "-i", help="file or folder; repeatable")] = None,
        output: Annotated[Optional[Path], typer.Option("--output", "-o", help="output folder (runs folder with --sources)")] = None,
        sources: Annotated[bool, typer.Option("--sources", help="run the configured sources incrementally")] = False,
        full_refresh: Annotated[bool, typer.Option("--full-refresh", help="reprocess everything, ignoring the state")] = False,
        run_date: Annotated[Optional[str], typer.Option("--run-date", help="YYYY-MM-DD of the night the outputs are filed under (default today, UTC)")] = None,
        config: ConfigOpt = None, verbose: bool = False) -> None:
    """Run the pipeline. With --input and --output only: a one-off run into OUTPUT. With --sources,
    --full-refresh or no --input: an incremental run of the configured sources (plus any --input)."""
    _setup_logging(verbose)
    from txnlp.ingest import raise_for_failed, run_mode, run_sources

    try:
        mode = run_mode(input, output, sources=sources, full_refresh=full_refresh)
    except TxnlpError as exc:
        _fail(exc)
    if mode == "inputs":
        from txnlp.runner import run as run_pipeline

        try:
            with _progress_bars() as progress:
                result = run_pipeline(input, output, load_settings(config), run_date=run_date, progress=progress)
        except TxnlpError as exc:
            _fail(exc)
        console.print(_summary_table(result))
    else:
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
    try:
        raise_for_failed(getattr(result, "failed", {}), published=True)
    except TxnlpError as exc:
        _fail(exc)


@train_app.command("sentiment")
def train_sentiment(data: Annotated[list[Path], typer.Option("--data", help="CSV with text,label[,lang]; repeatable")],
                    out: Annotated[Path, typer.Option("--out", help="model directory to write")],
                    eval_data: Annotated[Optional[list[Path]], typer.Option("--eval", help="held-out CSVs")] = None,
                    features: Annotated[str, typer.Option(help="base (shared e5 embedding) or base+use")] = "base",
                    linear: Annotated[bool, typer.Option("--linear", help="a linear head even when the champion is "
                                                         "fine-tuned")] = False,
                    config: ConfigOpt = None, verbose: bool = True) -> None:
    """Train a sentiment challenger: fine-tune the champion (when it is a fine-tuned encoder), else a linear head."""
    _setup_logging(verbose)
    from txnlp.training.retrain import base_encoder_path, finetune_init
    from txnlp.training.train import train_finetuned

    try:
        settings = load_settings(config)
        init = None if linear else finetune_init("sentiment", settings.models.registry)
        if init is not None:
            result = train_finetuned("sentiment", data, out, init=init, base_path=base_encoder_path(settings),
                                     finetune_settings=settings.finetune, seed=settings.seed, eval_files=eval_data)
            console.print(f"dev macro-F1 (a split of the training rows) "
                          f"{result['metrics'].get('sentiment', float('nan')):.3f}")
        else:
            result = _train_linear(data, out, settings, eval_data, features)
    except TxnlpError as exc:
        _fail(exc)
    _train_summary(result, out)


def _train_linear(data: list[Path], out: Path, settings, eval_data, features: str) -> dict:
    """A linear sentiment head on the shared embedding (with progress bars on a terminal)."""
    from txnlp.progress import with_progress
    from txnlp.runner import make_embedder
    from txnlp.training.train import train_sentiment as train_fn

    with _progress_bars() as progress:
        embedder = make_embedder(settings)
        if progress is not None:
            embedder = with_progress(embedder, progress)
        use = None
        if "use" in features.split("+"):
            from txnlp.embed.factory import build_use_embedder

            use = build_use_embedder(settings.embed)
        return train_fn(data, out, embedder, eval_files=eval_data, seed=settings.seed, features=features,
                        feature_embedder=use)


@train_app.command("pillar")
def train_pillar(data: Annotated[Optional[list[Path]], typer.Option("--data", help="CSV text,label[,lang,audience,channel]")] = None,
                 out: Annotated[Path, typer.Option("--out", help="model directory to write")] = Path("models/_candidates/pillar"),
                 no_definitions: Annotated[bool, typer.Option("--no-definitions", help="leave the pillar descriptions out")] = False,
                 config: ConfigOpt = None, verbose: bool = True) -> None:
    """Train a pillar challenger (logistic regression on e5 + audience/channel) and score it on the labelled sample."""
    _setup_logging(verbose)
    from txnlp.training.evaluate import labelled_sample
    from txnlp.runner import make_embedder
    from txnlp.training.train import train_pillar as train_fn

    try:
        settings = load_settings(config)
        m = settings.models
        sample = labelled_sample(m.pillar_sample_dir, m.pillar_labels_dir) if Path(m.pillar_sample_dir).is_dir() else None
        result = train_fn(data or [], out, make_embedder(settings),
                          definitions=None if no_definitions else settings.pillar.definitions, eval_frame=sample,
                          eval_name=f"{m.pillar_sample_dir} (labels {m.pillar_labels_dir})", seed=settings.seed)
    except TxnlpError as exc:
        _fail(exc)
    _train_summary(result, out)


def _train_summary(result: dict, out: Path) -> None:
    """The figures per group as a table when there are any, then one summary line (stdout) that says what was done."""
    from txnlp.training.train import summary_line

    metrics = result["meta"]["metrics"]
    if metrics:
        table = Table(title=f"{result['meta']['model_id']}: macro-F1 on the evaluation data")
        for col in ("group", "n", "macro-F1"):
            table.add_column(col)
        for group, r in metrics.items():
            table.add_row(group, str(r["n"]), f"{r['macro_f1']:.3f}")
        console.print(table)
    print(summary_line(result["meta"], out))


def _print_report(title: str, report: dict) -> None:
    """Per-group macro-F1, then per-class precision/recall and the confusion matrix of each group."""
    table = Table(title=title)
    for col in ("group", "n", "macro-F1", "accuracy"):
        table.add_column(col)
    for group, r in report.items():
        table.add_row(group, str(r["n"]), f"{r['macro_f1']:.3f}", f"{r['accuracy']:.3f}")
    console.print(table)
    for group, r in report.items():
        detail = Table(title=f"{group}: per class (rows true, columns predicted)")
        for col in ("class", "precision", "recall", "f1", "support", *r["labels"]):
            detail.add_column(col)
        for label, row in zip(r["labels"], r["confusion"]):
            pc = r["per_class"].get(label, {})
            detail.add_row(label, *(f"{pc[k]:.3f}" if k in pc else "-" for k in ("precision", "recall", "f1")),
                           str(pc.get("support", 0)), *map(str, row))
        console.print(detail)


@evaluate_app.command("sentiment")
def evaluate_sentiment(model: Annotated[Path, typer.Option("--model")],
                       data: Annotated[list[Path], typer.Option("--data")],
                       out: Annotated[Optional[Path], typer.Option("--out", help="write the report as JSON")] = None,
                       config: ConfigOpt = None) -> None:
    """Per-language macro-F1, per-class precision/recall and confusion matrix."""
    _evaluate_command("sentiment", model, data, out, config)


@evaluate_app.command("pillar")
def evaluate_pillar(model: Annotated[Path, typer.Option("--model")],
                    data: Annotated[list[Path], typer.Option("--data", help="CSV text,label[,lang,audience,channel]")],
                    out: Annotated[Optional[Path], typer.Option("--out", help="write the report as JSON")] = None,
                    config: ConfigOpt = None) -> None:
    """Primary-pillar macro-F1 per language, per-class precision/recall and confusion matrix."""
    _evaluate_command("pillar", model, data, out, config)


def _evaluate_command(kind: str, model: Path, data: list[Path], out: Optional[Path], config) -> None:
    _setup_logging(False)
    from txnlp.io.write import write_json

    try:
        with _progress_bars() as progress:
            report = _evaluate(kind, model, data, config, progress or _progress_lines())
    except TxnlpError as exc:
        _fail(exc)
    _print_report(f"{kind}: {model}", report)
    if out:
        write_json(out, report)


def _evaluate(kind: str, model: Path, data: list[Path], config, progress=None) -> dict:
    """The report of `model` on `data`; `progress` (rich bars on a terminal) hears about the embedding, the slow part."""
    from txnlp.progress import notify, with_progress
    from txnlp.training.evaluate import report_by_group
    from txnlp.io.labelled import read_labelled
    from txnlp.training.retrain import EXTRA, TASKS, base_encoder_path, load_model, predict_labelled
    from txnlp.runner import make_embedder

    settings = load_settings(config)
    frame = read_labelled(data, TASKS[kind], extra=EXTRA if kind == "pillar" else ())
    clf = load_model(kind, model, base_encoder_path(settings))
    use = None
    if kind == "sentiment":
        from txnlp.classify.sentiment import needs_use
        from txnlp.embed.factory import build_use_embedder

        use = build_use_embedder(settings.embed) if needs_use(clf) else None
        if use is not None and progress is not None:
            use = with_progress(use, progress, step="use")
    embedder = make_embedder(settings)
    if progress is not None:
        embedder = with_progress(embedder, progress)
    console.print(f"{kind}: {len(frame):,} labelled rows from {len(data)} file(s), model {model}")
    predicted = predict_labelled(kind, clf, frame, embedder, use, progress=progress)
    notify(progress, "score", 0, 1)
    report = report_by_group(frame, predicted, TASKS[kind])
    notify(progress, "score", 1, 1)
    return report


models_app = typer.Typer(no_args_is_help=True, help="The champion registry: list, promote, rollback.")
app.add_typer(models_app, name="models")


@models_app.command("list")
def models_list(config: ConfigOpt = None) -> None:
    """Champion and previous models per task."""
    from txnlp.training.champions import read_registry

    data = read_registry(load_settings(config).models.registry)
    print(json.dumps({t: {"champion": (s.get("champion") or {}).get("model_id"),
                          "metrics": (s.get("champion") or {}).get("metrics"),
                          "previous": [p["model_id"] for p in s.get("previous", [])]}
                      for t, s in data["models"].items()}, indent=2))


@models_app.command("rollback")
def models_rollback(task: Annotated[str, typer.Argument(help="sentiment or pillar")], config: ConfigOpt = None) -> None:
    """Make the previous champion the champion again."""
    from txnlp.training.champions import rollback

    try:
        entry = rollback(load_settings(config).models.registry, task)
    except TxnlpError as exc:
        _fail(exc)
    print(f"{task} champion is now {entry['model_id']} ({entry['path']})")


@models_app.command("promote")
def models_promote(task: Annotated[str, typer.Argument(help="sentiment or pillar")],
                   model: Annotated[Path, typer.Option("--model", help="model directory")],
                   metrics: Annotated[Optional[Path], typer.Option(help="JSON of gate metrics (skips measuring)")] = None,
                   config: ConfigOpt = None) -> None:
    """Make a model directory the champion without the gate (first install, or a decision made elsewhere).

    The challenger and the champion are measured on the configured evaluation data first (or the given
    --metrics are compared with the champion's), and a challenger that measures worse is promoted
    with a warning. A model outside the registry's folder is copied into it.
    """
    _setup_logging(False)
    from txnlp.training.champions import OVERALL, champion, gate, promote
    from txnlp.training.retrain import check_task

    try:
        settings = load_settings(config)
        m = settings.models
        check_task(task)
        if metrics:
            figures = json.loads(metrics.read_text())
            current = (champion(m.registry, task) or {}).get("metrics") or None
            verdict = ({"measured": True, **dict(zip(("better", "reason"), gate(figures, current, m.max_language_drop)))}
                       if current and OVERALL in current and OVERALL in figures
                       else {"measured": False, "reason": "no champion figures to compare with"})
        else:
            verdict = _measure_for_promote(task, model, settings)
            figures = verdict.get("challenger") or {}
        if verdict["measured"] and not verdict["better"]:
            console.print(f"[yellow]warning:[/yellow] {task} challenger measures worse than the champion "
                          f"({verdict['reason']}); promoting it anyway, as asked")
        elif not verdict["measured"]:
            console.print(f"[yellow]note:[/yellow] not compared with the champion: {verdict['reason']}")
        entry = promote(m.registry, task, model, figures)
    except TxnlpError as exc:
        _fail(exc)
    print(f"{task} champion is now {entry['model_id']} ({entry['path']}, in {Path(m.registry).parent})")


def _measure_for_promote(task: str, model: Path, settings) -> dict:
    """`retrain.measure_against_champion` on the evaluation data the retrain gate uses (none there: not measured)."""
    from txnlp.embed.factory import build_use_embedder
    from txnlp.runner import make_embedder
    from txnlp.training import retrain as rt

    m = settings.models
    sets = rt.evaluation_sets(task, None, rt.shared_eval_files(task, m.sentiment_eval_dir),
                              (m.pillar_sample_dir, m.pillar_labels_dir))
    if not sets:
        return {"measured": False, "reason": "no evaluation data (models.sentiment_eval_dir / pillar_sample_dir)"}
    console.print(f"measuring the {task} challenger and champion on {sum(map(len, sets.values())):,} rows "
                  f"({', '.join(sets)})")
    use = build_use_embedder(settings.embed) if task == "sentiment" else None
    try:
        return rt.measure_against_champion(task, m.registry, model, sets, make_embedder(settings), use,
                                           max_drop=m.max_language_drop, base_path=rt.base_encoder_path(settings))
    except ConfigError as exc:  # e.g. a fine-tuned model with the fake embedder: it can't run here
        return {"measured": False, "reason": str(exc)}


@app.command()
def report(run: Annotated[Path, typer.Option("--run", help="a run's output folder")]) -> None:
    """Rebuild report.html from a run's outputs, without rerunning models."""
    from txnlp.report.build import build_report

    try:
        print(build_report(run))
    except (OSError, TxnlpError) as exc:
        _fail(exc)


@app.command("score")
def score(run: Annotated[Path, typer.Option("--run", help="a run's output folder")],
          labels: Annotated[Path, typer.Option("--labels", help="label CSV or folder")] = Path("data/sample_labels")) -> None:
    """Score a run against hand labels: sentiment/pillar macro-F1, theme ARI and purity."""
    import pandas as pd

    from txnlp.training.evaluate import read_label_files, score_run

    result = score_run(pd.read_parquet(run / "comments.parquet"), read_label_files([labels]))
    print(json.dumps({k: (v if k not in ("sentiment", "pillar") else {"macro_f1": v["macro_f1"], "per_class": v["per_class"]})
                      for k, v in result.items()}, indent=2))


@app.command("sample-db")
def sample_db(out: Annotated[Path, typer.Option("--out", help="SQLite file to write")] = Path(".cache/txnlp/sample_feedback.sqlite"),
              sample: Annotated[Path, typer.Option("--sample", help="folder of CSV exports")] = Path("data/sample")) -> None:
    """Build the sample SQLite feedback database (the default `sql` source) from data/sample/."""
    from txnlp.io.sample_db import build_sample_db

    print(build_sample_db(sample, out))


def _edit_themes(config: Optional[Path], change) -> None:
    from txnlp.themes import edits as E
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
    from txnlp.embed import resolve_model

    settings = load_settings(config)
    print(resolve_model(settings.embed.model, settings.embed.cache_dir))


def main() -> None:  # pragma: no cover
    app(prog_name="txnlp")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
