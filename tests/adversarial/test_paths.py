"""Hostile run dates and source names: refused with a clear error before any file is touched (issue 13, item 4)."""
from __future__ import annotations

import pytest
from typer.testing import CliRunner

from tests.ingest.helpers import ingest_settings, write_rows
from txnlp import ingest
from txnlp.cli import app
from txnlp.config import SourceSettings, load_settings, source_slug
from txnlp.errors import ConfigError


def _tree(root):
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


@pytest.mark.parametrize("run_date", ["../../../escape", "2026-11-10/../../x", "2026-13-01", "", "20261110"])
def test_paths_cli_refuses_a_run_date_that_is_not_an_iso_date(tmp_path, run_date):
    data = write_rows(tmp_path / "in" / "a.csv", [{"id": "1", "text": "fine"}])
    before = _tree(tmp_path)
    for args in (["--input", str(data), "--output", str(tmp_path / "a" / "b" / "out")],
                 ["--sources", "--input", str(data), "--output", str(tmp_path / "a" / "b" / "runs")]):
        result = CliRunner().invoke(app, ["run", *args, "--run-date", run_date])
        assert result.exit_code == 2, result.output
        assert "run date must be a date as YYYY-MM-DD" in " ".join(result.output.split())
    assert _tree(tmp_path) == before  # no run folder, no staging, nothing above the runs folder


@pytest.mark.parametrize("name", ["..", ".", ".stage", "a/b", "../x", "", "a..b", "x" * 65, "a\\b", "a b"])
def test_paths_source_name_must_be_a_safe_slug(tmp_path, name):
    with pytest.raises(ValueError, match="not a safe folder name"):
        SourceSettings(name=name, kind="files", path=tmp_path)
    config = tmp_path / "txnlp.toml"
    config.write_text(f'[[ingest.sources]]\nname = "{name.replace(chr(92), chr(92) * 2)}"\nkind = "files"\n'
                      f'path = "{tmp_path}"\n')
    with pytest.raises(ConfigError, match="not a safe folder name"):
        load_settings(config)


def test_paths_a_source_named_dotdot_cannot_delete_the_staging_folder(tmp_path):
    """Issue 13's reproduction: a source `..` was accepted and its staging `rmtree` removed runs/.stage."""
    runs = tmp_path / "runs"
    (runs / ".stage" / "keep").mkdir(parents=True)
    with pytest.raises(ConfigError, match="not a safe folder name"):
        ingest_settings(tmp_path, [{"name": "..", "kind": "files", "path": str(tmp_path)}])
    assert (runs / ".stage" / "keep").is_dir()


@pytest.mark.parametrize("stem, expected", [("..", "input-"), ("a..b.", "input-a.b"), ("my file", "input-my_file")])
def test_paths_input_folders_get_safe_source_names(tmp_path, stem, expected):
    (tmp_path / "sub").mkdir()
    folder = tmp_path / "sub" / stem
    folder.mkdir(exist_ok=True)
    (spec,) = ingest.plan_sources(load_settings(None), [folder], configured=False)
    assert spec.name == expected == source_slug("input-" + stem)
