"""One staging path: a one-off `--input` (`runner.stage`) and a configured `files` source
(`ingest.stage_source`) give a row the same id and redact its passthrough columns with the configured kinds."""
from __future__ import annotations

import json

import pandas as pd

from tests.ingest.helpers import ingest_settings
from txnlp.ingest import stage_source
from txnlp.runner import STAGE_INFO, STAGED, stage

ROWS = [
    {"id": "c1", "text": "De app logt me steeds uit, erg irritant", "channel": "app", "contact": "anna@example.nl"},
    {"id": "", "text": "Die App meldet mich ständig ab, nervig", "channel": "app", "contact": "+49 151 23456789"},
    {"id": "", "text": "Great help in the shop, thanks!", "channel": "shop", "contact": "kees@example.nl"},
]


def _write(folder):
    folder.mkdir(parents=True)
    pd.DataFrame(ROWS).to_csv(folder / "export.csv", index=False)
    return folder / "export.csv"


def test_runner_stage_same_row_same_id_via_input_and_configured_source(tmp_path):
    path = _write(tmp_path / "in")
    settings = ingest_settings(tmp_path, [{"name": "web", "kind": "files", "path": str(path.parent)}])
    one_off = pd.read_parquet(stage([path], tmp_path / "one-off", settings) / STAGED)
    configured = pd.read_parquet(stage_source(settings.ingest.sources[0], tmp_path / "stage", settings) / STAGED)
    assert one_off["id"].tolist() == configured["id"].tolist()
    assert one_off["id"].iloc[0] == "c1" and one_off["id"].iloc[1:].str.match(r"^h[0-9a-f]{16}$").all()
    assert one_off["id"].is_unique
    assert one_off["source"].tolist() == ["export"] * 3 and configured["source"].tolist() == ["web"] * 3


def test_runner_stage_redacts_passthrough_with_configured_kinds(tmp_path):
    path = _write(tmp_path / "in")
    settings = ingest_settings(tmp_path, [{"name": "web", "kind": "files", "path": str(path.parent)}],
                               redact={"kinds": ["email"]})
    for staged_dir in (stage([path], tmp_path / "one-off", settings),
                       stage_source(settings.ingest.sources[0], tmp_path / "stage", settings)):
        staged = pd.read_parquet(staged_dir / STAGED)
        # Only e-mails are configured: the phone number stays, which default kinds would have redacted.
        assert staged["contact"].tolist() == ["[EMAIL]", "+49 151 23456789", "[EMAIL]"]
        assert json.loads((staged_dir / STAGE_INFO).read_text())["redactions"] == {"email": 0}
