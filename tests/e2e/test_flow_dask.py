"""The nightly flow on Prefect's DaskTaskRunner (local cluster, 2 worker processes) equals the default runner."""
from __future__ import annotations

import pandas as pd
import pytest

pytestmark = pytest.mark.slow


def test_flow_dask_two_workers_same_rows_as_default(tmp_path, sample_csv, fake_config):
    from prefect.testing.utilities import prefect_test_harness

    from pipelines.nightly import dask_flow, mine_feedback_flow

    cfg = fake_config
    with prefect_test_harness(server_startup_timeout=120):
        dask_summary = dask_flow(str(cfg))([str(sample_csv)], str(tmp_path / "dask"), str(cfg), chunked=True)
        default_summary = mine_feedback_flow([str(sample_csv)], str(tmp_path / "default"), str(cfg))
    read = lambda d: pd.read_parquet(tmp_path / d / "comments.parquet").sort_values("id").reset_index(drop=True)  # noqa: E731
    pd.testing.assert_frame_equal(read("dask"), read("default"))
    assert dask_summary["rows_out"] == default_summary["rows_out"] == 5
    chunk_files = list((tmp_path / "dask").rglob("rows-*.npy"))
    assert chunk_files == []  # the stage folder, chunks included, is removed after publishing
