"""Canary: the labelled PII strings of every language go through a whole run (files + SQLite sources,
a passthrough column, quarantined rows, a failing source), and no file the run wrote, nor its logs,
carries any of them."""
import logging
from pathlib import Path

import pandas as pd

from tests.ingest.helpers import ingest_settings, sqlite_feedback, write_rows
from txnlp.ingest import run_sources
from txnlp.text.pii_eval import read_labelled_pii

REPO = Path(__file__).resolve().parents[2]


def _body(path: Path) -> str:
    if path.suffix == ".parquet":
        return pd.read_parquet(path).to_csv(index=False)
    return path.read_bytes().decode("utf-8", "replace")


def test_pii_canary_never_stored(tmp_path, fake_embedder, tiny_sentiment, caplog):
    records = [r for rs in read_labelled_pii(REPO / "data" / "pii").values() for r in rs]
    secrets = sorted({p["value"] for r in records for p in r["pii"]}, key=len)
    texts = [r["text"] for r in records if r["pii"]]
    half = len(texts) // 2
    write_rows(tmp_path / "in" / "feedback.jsonl",
               [{"id": f"f{i}", "text": t, "contact": t} for i, t in enumerate(texts[:half])]
               + [{"id": "long", "text": texts[0] + " x" * 6000}, {"id": "nul", "text": texts[1] + "\x00"}])
    url = sqlite_feedback(tmp_path / "src" / "crm.sqlite", [
        {"ticket": i, "body": t, "updated_at": f"2026-11-{1 + i % 28:02d}", "channel": "mail"}
        for i, t in enumerate(texts[half:])])
    log_file = tmp_path / "run.log"
    handler = logging.FileHandler(log_file, encoding="utf-8")
    handler.setLevel(logging.DEBUG)
    logging.getLogger().addHandler(handler)
    caplog.set_level(logging.DEBUG)
    try:
        settings = ingest_settings(tmp_path / "out", [
            {"name": "web", "kind": "files", "path": str(tmp_path / "in")},
            {"name": "crm", "kind": "sql", "url": url, "table": "feedback", "watermark": "updated_at",
             "columns": {"ticket": "id", "body": "text"}},
            {"name": "down", "kind": "sql", "url": f"sqlite:///{tmp_path / 'gone.sqlite'}", "table": "feedback"},
        ])
        result = run_sources(settings, run_date="2026-11-30", embedder=fake_embedder, sentiment=tiny_sentiment)
    finally:
        logging.getLogger().removeHandler(handler)
        handler.close()
    assert result.counts["rows_out"] == len(texts) and result.counts["rows_quarantined"] == 2
    assert set(result.failed) == {"down"} and "database file not found" in result.failed["down"]
    written = [p for p in (tmp_path / "out").rglob("*") if p.is_file()] + [log_file]
    assert any(p.name == "state.sqlite" for p in written) and any("history" in p.parts for p in written)
    bodies = {str(p): _body(p) for p in written}
    bodies["caplog"] = caplog.text
    bodies["failed"] = str(result.failed)
    leaks = [(name, s) for name, body in bodies.items() for s in secrets if s in body]
    assert not leaks, sorted({(Path(n).name, s) for n, s in leaks})
    manifest = (result.output_dir / "manifest.json").read_text()
    assert '"phone"' in manifest and '"crm"' in manifest
