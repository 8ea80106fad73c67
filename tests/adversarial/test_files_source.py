"""One unreadable file in a files source is one quarantine record; the other files are published (issue 13, item 8)."""
from __future__ import annotations

import os

import pandas as pd
import pytest

from tests.ingest.helpers import ingest_settings, write_rows
from txnlp.ingest import run_sources, state_store

GOOD = [{"id": f"g{i}", "text": f"comment number {i} about the app"} for i in range(35)]


@pytest.mark.skipif(os.geteuid() == 0 and not os.environ.get("TXNLP_TEST_AS_ROOT"), reason="root reads mode-000 files")
def test_files_source_unopenable_file_is_quarantined_not_fatal(tmp_path, tiny_sentiment):
    _check(tmp_path, tiny_sentiment, lambda p: os.chmod(p, 0))


def test_files_source_file_that_fails_to_open_is_quarantined(tmp_path, tiny_sentiment, monkeypatch):
    """As above without relying on permissions (tests may run as root): opening the file raises."""
    from pathlib import Path

    real = Path.read_bytes

    def read_bytes(self):
        if self.name == "broken.csv":
            raise PermissionError(13, "Permission denied")
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    _check(tmp_path, tiny_sentiment, lambda p: None)


def test_files_source_corrupt_file_is_quarantined(tmp_path, tiny_sentiment):
    _check(tmp_path, tiny_sentiment, lambda p: p.with_suffix(".parquet").write_bytes(b"PAR1 not parquet"))


def _check(tmp_path, tiny_sentiment, spoil):
    folder = tmp_path / "exports"
    write_rows(folder / "a.csv", GOOD[:20])
    write_rows(folder / "c.jsonl", GOOD[20:])
    broken = write_rows(folder / "broken.csv", [{"id": "x1", "text": "never read"}])
    spoil(broken)
    if broken.with_suffix(".parquet").exists():
        broken.unlink()
    tiny_sentiment.save(tmp_path / "sentiment")
    settings = ingest_settings(tmp_path, [{"name": "shop", "kind": "files", "path": str(folder)}],
                               sentiment={"model_dir": str(tmp_path / "sentiment")})
    result = run_sources(settings, run_date="2026-11-10")
    assert result.failed == {}
    assert result.counts["rows_out"] == 35 and result.counts["rows_quarantined"] == 1
    quarantine = pd.read_csv(result.output_dir / "quarantine.csv", dtype=str)
    assert quarantine["input_file"].str.startswith("broken.").all()
    assert quarantine["reason"].str.startswith("unreadable file (").all()
    assert len(state_store(settings).processed_ids("shop")) == 36
