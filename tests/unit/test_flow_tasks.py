"""Flow tasks called through .fn(): no Prefect engine, same library calls."""
from pathlib import Path

import pandas as pd

from pipelines import nightly
from txnlp.runner import STAGED


def test_stage_task_writes_redacted_staging_only(tmp_path, sample_csv):
    stage_dir = nightly.stage_inputs.fn([str(sample_csv)], str(tmp_path / "stage"), None)
    staged = pd.read_parquet(Path(stage_dir) / STAGED)
    assert len(staged) == 5  # six rows, one empty text quarantined
    assert set(staged["lang"]) <= {"nl", "de", "en", "ru", "und"}
