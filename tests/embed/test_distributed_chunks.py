"""Chunked embedding (the Dask path) gives the same outputs as one pass, row for row."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pipelines import nightly
from txnlp.embed import distributed
from txnlp.errors import InputDataError


def _outputs(out: Path) -> pd.DataFrame:
    return pd.read_parquet(out / "comments.parquet").sort_values("id").reset_index(drop=True)


def test_flow_chunks_match_single_pass(tmp_path, sample_csv, fake_config):
    stage = nightly.stage_inputs.fn([str(sample_csv)], str(tmp_path / "stage"), fake_config)
    chunks = distributed.plan_chunks(Path(stage), 2)
    assert chunks == [(0, 2), (2, 4), (4, 5)]
    paths = [nightly.embed_chunk.fn(stage, a, b, fake_config) for a, b in reversed(chunks)]
    nightly.mine_feedback.fn(stage, str(tmp_path / "chunked"), fake_config, paths)
    nightly.mine_feedback.fn(stage, str(tmp_path / "single"), fake_config)
    pd.testing.assert_frame_equal(_outputs(tmp_path / "chunked"), _outputs(tmp_path / "single"))


def test_flow_chunks_gather_refuses_gaps(tmp_path):
    for a, b in ((0, 2), (3, 5)):
        np.save(tmp_path / f"rows-{a:010d}-{b:010d}.npy", np.zeros((b - a, 4), dtype=np.float32))
    with pytest.raises(InputDataError, match="gap"):
        distributed.gather_embeddings(list(tmp_path.glob("*.npy")))
