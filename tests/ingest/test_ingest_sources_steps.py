"""The pieces `run_sources` and the `mine-sources` flow share: run mode, gathering staged sources, failure checks."""
import pytest

from txnlp.errors import ConfigError, InputDataError, SourceError
from txnlp.ingest import gather_staged, raise_for_failed, run_mode


def _fails(exc):
    def attempt():
        raise exc
    return attempt


def test_ingest_run_mode_one_rule_for_cli_and_flow():
    assert run_mode(["data/sample"], "out") == "inputs"
    assert run_mode(["data/sample"], "out", sources=True) == "sources"
    assert run_mode(["data/sample"], None, full_refresh=True) == "sources"
    assert run_mode(None, None) == "sources" and run_mode([], "out") == "sources"
    with pytest.raises(ConfigError, match="--output is required with --input"):
        run_mode(["data/sample"], None)


def test_ingest_gather_staged_skips_a_failed_source_only():
    staged, failed = gather_staged({"shop": lambda: "stage/shop", "crm": _fails(SourceError("crm", "database down"))})
    assert staged == ["stage/shop"] and failed == {"crm": "source 'crm': database down"}


def test_ingest_gather_staged_lets_bad_data_through():
    """Only a SourceError is one source's failure; bad data stops the run, as in run_sources."""
    with pytest.raises(InputDataError):
        gather_staged({"shop": lambda: "stage/shop", "bad": _fails(InputDataError("a.csv: no text column"))})


def test_ingest_gather_staged_raises_when_every_source_failed():
    with pytest.raises(SourceError, match="every source failed: source 'a': down; source 'b': gone"):
        gather_staged({"a": _fails(SourceError("a", "down")), "b": _fails(SourceError("b", "gone"))})


def test_ingest_raise_for_failed_after_publishing():
    raise_for_failed({}, published=True)
    with pytest.raises(SourceError, match="published without: source 'crm': down"):
        raise_for_failed({"crm": "source 'crm': down"}, published=True)
