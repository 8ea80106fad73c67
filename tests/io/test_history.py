"""io/history: the KPI history (a partition per night), replace_rows behind the theme history; the per-run parts."""
import pandas as pd

from txnlp import vocab as V
from txnlp.io import publish as P
from txnlp.io import theme_store
from txnlp.io.history import LEGACY_FILE, append_kpi_history, load_history, partition_path, replace_rows
from txnlp.io.write import PendingWrites
from txnlp.themes.ids import HISTORY_COLUMNS


def _theme_rows(run_id, run_date, sizes):
    return pd.DataFrame({"run_id": run_id, "run_date": run_date, "theme_id": list(range(len(sizes))), "size": sizes,
                         "share_negative": 0.5, "mean_sentiment": -0.1})


def test_history_replace_rows_replaces_the_keys_appends_and_sorts(tmp_path):
    path = tmp_path / "h" / "t.parquet"
    first = pd.DataFrame({"k": ["b", "b", "a"], "v": [2, 1, 3], "extra": ["x", "y", "z"]})
    table = replace_rows(first, path, "k", ("k", "v"), ("k", "v"))
    assert table.to_dict("list") == {"k": ["a", "b", "b"], "v": [3, 1, 2]}  # columns chosen, sorted
    table = replace_rows(pd.DataFrame({"k": ["b", "c"], "v": [9, 0]}), path, "k", ("k", "v"), ("k", "v"))
    assert table.to_dict("list") == {"k": ["a", "b", "c"], "v": [3, 9, 0]}  # b's old rows replaced, not kept
    pd.testing.assert_frame_equal(pd.read_parquet(path), table)
    assert sorted(p.name for p in path.parent.iterdir()) == ["t.parquet"]


def test_history_theme_rerun_replaces_its_rows(tmp_path):
    theme_store.append_theme_history(_theme_rows("r1", "2026-11-30", [5, 3]), tmp_path)
    theme_store.append_theme_history(_theme_rows("r2", "2026-12-01", [6]), tmp_path)
    path = theme_store.append_theme_history(_theme_rows("r1", "2026-11-30", [7]), tmp_path)  # rerun of r1
    history = pd.read_parquet(path)
    assert list(history.columns) == list(HISTORY_COLUMNS)
    assert history[["run_id", "theme_id", "size"]].values.tolist() == [["r1", 0, 7], ["r2", 0, 6]]
    assert theme_store.load_history(tmp_path, exclude_run_id="r2")["run_id"].tolist() == ["r1"]


def test_history_part_of_a_run_is_its_own_and_a_rerun_replaces_only_it(tmp_path):
    frame = pd.DataFrame({"id": ["1", "2"], "text": ["a", "b"]})
    P.write_history_part(tmp_path, "comments", frame, "r1", "2026-11-30")
    P.write_history_part(tmp_path, "comments", frame.iloc[:1], "r2", "2026-11-30")
    again = P.write_history_part(tmp_path, "comments", frame.iloc[1:], "r1", "2026-11-30")
    parts = sorted(p.name for p in (tmp_path / "comments" / "run_date=2026-11-30").iterdir())
    assert parts == ["part-r1-0.parquet", "part-r2-0.parquet"] and [p.name for p in again] == ["part-r1-0.parquet"]
    assert pd.read_parquet(again[0])[["run_id", "id"]].values.tolist() == [["r1", "2"]]
    assert P.write_history_part(tmp_path, "comments", frame.iloc[:0], "r2", "2026-11-30") == []  # nothing left of r2
    assert not (tmp_path / "comments" / "run_date=2026-11-30" / "part-r2-0.parquet").exists()


def _kpis(run_date, volume, run_id="r"):
    return pd.DataFrame({"run_date": run_date, "run_id": run_id, "dimension": ["all", "pillar"], "value": ["all", "cx"],
                         "label": ["all", "CX"], "metric": "volume", "figure": [volume, volume / 2], "unit": "count",
                         "n": [int(volume), int(volume / 2)], "small_n": False})


def test_history_kpi_night_is_one_partition_and_a_rerun_rewrites_only_it(tmp_path):
    path = tmp_path / "history" / "kpi_history"
    append_kpi_history(_kpis("2026-11-29", 10.0), path)
    append_kpi_history(_kpis("2026-11-30", 4.0), path)
    earlier = partition_path(path, "2026-11-29")
    assert earlier == path / "run_date=2026-11-29" / "kpis.parquet"
    before = (earlier.read_bytes(), earlier.stat().st_mtime_ns, earlier.stat().st_ino)
    history = append_kpi_history(_kpis("2026-11-30", 6.0, run_id="r2"), path)  # rerun (backfill) of one night
    assert (earlier.read_bytes(), earlier.stat().st_mtime_ns, earlier.stat().st_ino) == before  # not rewritten
    assert sorted(p.relative_to(path).as_posix() for p in path.rglob("*") if p.is_file()) == [
        "run_date=2026-11-29/kpis.parquet", "run_date=2026-11-30/kpis.parquet"]
    assert list(history.columns) == list(V.KPI_COLUMNS)
    volume = history[history["dimension"] == "all"].set_index("run_date")["figure"].to_dict()
    assert volume == {"2026-11-29": 10.0, "2026-11-30": 6.0}  # the rerun replaced its night, kept the other
    assert set(history[history["run_date"] == "2026-11-30"]["run_id"]) == {"r2"}
    pd.testing.assert_frame_equal(load_history(path), history)
    # a hive dataset: any parquet reader takes the folder as one table with run_date from the folder name
    assert sorted(pd.read_parquet(path)["run_date"].astype(str).unique()) == ["2026-11-29", "2026-11-30"]


def test_history_kpi_partition_waits_for_commit(tmp_path):
    path = tmp_path / "kpi_history"
    append_kpi_history(_kpis("2026-11-29", 10.0), path)
    pending = PendingWrites()
    history = append_kpi_history(_kpis("2026-11-30", 4.0), path, pending)
    assert sorted(history["run_date"].unique()) == ["2026-11-29", "2026-11-30"]  # the report sees tonight already
    assert sorted(load_history(path)["run_date"].unique()) == ["2026-11-29"]  # the history does not, yet
    pending.discard()
    assert not partition_path(path, "2026-11-30").exists()
    append_kpi_history(_kpis("2026-11-30", 4.0), path, pending)
    pending.commit()
    assert sorted(load_history(path)["run_date"].unique()) == ["2026-11-29", "2026-11-30"]


def test_history_kpi_single_file_of_an_older_version_still_counts(tmp_path):
    path = tmp_path / "kpi_history"
    path.parent.mkdir(parents=True, exist_ok=True)
    pd.concat([_kpis("2026-11-28", 8.0), _kpis("2026-11-29", 10.0)]).to_parquet(tmp_path / LEGACY_FILE, index=False)
    history = append_kpi_history(_kpis("2026-11-29", 1.0), path)  # the partition wins over the old file's night
    volume = history[history["dimension"] == "all"].set_index("run_date")["figure"].to_dict()
    assert volume == {"2026-11-28": 8.0, "2026-11-29": 1.0}
    pd.testing.assert_frame_equal(load_history(path), history)
    assert load_history(tmp_path / "elsewhere" / "kpi_history").empty
