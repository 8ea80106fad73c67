"""io/history.replace_rows, the one history appender, behind the KPI and theme histories; and the per-run parts."""
import pandas as pd

from txnlp.io import publish as P
from txnlp.io import theme_store
from txnlp.io.history import replace_rows
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
    theme_store.append_history(_theme_rows("r1", "2026-11-30", [5, 3]), tmp_path)
    theme_store.append_history(_theme_rows("r2", "2026-12-01", [6]), tmp_path)
    path = theme_store.append_history(_theme_rows("r1", "2026-11-30", [7]), tmp_path)  # rerun of r1
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
