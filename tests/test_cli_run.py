"""`txnlp run`'s branching: txnlp.ingest.run_mode decides, and a source that failed fails the command after publishing."""
import json

from typer.testing import CliRunner

from tests.ingest.helpers import shop_and_down_config
from txnlp.cli import app


def _unwrapped(output: str) -> str:
    """Rich wraps the error line at the terminal width."""
    return " ".join(output.split())


def test_cli_run_input_without_output_fails_with_the_rule(tmp_path):
    result = CliRunner().invoke(app, ["run", "--input", str(tmp_path / "a.csv")])
    assert result.exit_code == 2
    assert "--output is required with --input (or add --sources for an incremental run)" in _unwrapped(result.output)


def test_cli_run_sources_publishes_then_names_the_failed_source(tmp_path, tiny_sentiment):
    config = shop_and_down_config(tmp_path, tiny_sentiment)
    result = CliRunner().invoke(app, ["run", "--sources", "--output", str(tmp_path / "runs"), "--config", str(config),
                                      "--run-date", "2026-11-10"])
    assert result.exit_code == 2
    assert "published without: source 'down': database file not found" in _unwrapped(result.output)
    summary = json.loads(result.stdout[result.stdout.index("{"):result.stdout.rindex("}") + 1])
    assert summary["rows_out"] == 4 and set(summary["failed_sources"]) == {"down"}
