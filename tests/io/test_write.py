"""io/write.py: the one atomic writer (file and folder) and spreadsheet-safe CSV."""
import os
import re
import stat

import numpy as np
import pandas as pd
import pytest

from txnlp.io.write import (atomic_write, atomic_write_dir, read_table_csv, spreadsheet_safe, spreadsheet_safe_cell,
                            write_table)
from txnlp.runner import run

HOSTILE = '=HYPERLINK("http://x","y")'


def runs_as_formula(cell: str) -> bool:
    return cell[:1] in ("=", "+", "-", "@", "\t", "\r") and not re.fullmatch(r"[+-]?[\d.]+([eE][+-]?\d+)?", cell)


def test_write_atomic_failure_keeps_the_old_file_and_leaves_no_temp(tmp_path):
    path = tmp_path / "out.txt"
    atomic_write(path, lambda p: p.write_text("old"))

    def half_then_crash(p):
        p.write_text("half")
        raise RuntimeError("killed")

    with pytest.raises(RuntimeError, match="killed"):
        atomic_write(path, half_then_crash)
    assert path.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.txt"]


def test_write_atomic_dir_replaces_the_folder_or_keeps_the_old_one(tmp_path):
    target = tmp_path / "models" / "m"
    atomic_write_dir(target, lambda d: (d / "a.txt").write_text("first"))
    atomic_write_dir(target, lambda d: (d / "b.txt").write_text("second"))
    assert sorted(p.name for p in target.iterdir()) == ["b.txt"]  # replaced, not merged

    def crash(d):
        (d / "c.txt").write_text("half")
        raise RuntimeError("killed")

    with pytest.raises(RuntimeError, match="killed"):
        atomic_write_dir(target, crash)
    assert sorted(p.name for p in target.iterdir()) == ["b.txt"]
    assert sorted(p.name for p in target.parent.iterdir()) == ["m"]
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o777 & ~umask  # mkdtemp's 0700 is not what gets published
    assert stat.S_IMODE((target / "b.txt").stat().st_mode) == 0o666 & ~umask


@pytest.mark.parametrize("value, safe", [
    (HOSTILE, "'" + HOSTILE), ("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"), ("-", "'-"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\tx", "'\tx"), ("\rx", "'\rx"), ("'=x", "''=x"),
    ("-0.5", "-0.5"), ("+31201234567", "+31201234567"), ("1e-3", "1e-3"),  # numbers as text stay numbers
    ("'U bent nummer 23'", "'U bent nummer 23'"), ("a=b", "a=b"), ("", ""), (-0.5, -0.5), (None, None),
])
def test_write_spreadsheet_safe_cell(value, safe):
    assert spreadsheet_safe_cell(value) == safe


def test_write_table_csv_is_safe_parquet_as_is_and_read_back_undoes_it(tmp_path):
    values = [HOSTILE, "-", "'=x", "''+y", "plain", "-0.5", "'U bent'"]
    frame = pd.DataFrame({"id": values, "score": np.linspace(-1.5, 1.5, len(values)),
                          "lang": pd.Categorical(["=cat"] * len(values)), HOSTILE: ["x"] * len(values)})
    write_table(frame, tmp_path, "t")
    raw = pd.read_csv(tmp_path / "t.csv", dtype=str, keep_default_na=False)
    assert list(raw.columns) == ["id", "score", "lang", "'" + HOSTILE]
    assert raw["id"].tolist() == ["'" + HOSTILE, "'-", "''=x", "'''+y", "plain", "-0.5", "'U bent'"]
    assert raw["lang"].eq("'=cat").all()
    assert pd.read_csv(tmp_path / "t.csv")["score"].tolist() == frame["score"].tolist()  # negative floats: numbers
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "t.parquet"), frame)
    back = read_table_csv(tmp_path / "t.csv")
    assert list(back.columns) == list(frame.columns) and back["id"].tolist() == values
    assert back["lang"].eq("=cat").all()
    assert spreadsheet_safe(frame)["score"].dtype == frame["score"].dtype


def test_write_run_outputs_are_spreadsheet_safe_in_csv_only(tmp_path, fake_embedder, tiny_sentiment):
    from txnlp.config import load_settings

    rows = [{"id": HOSTILE, "text": f"{HOSTILE} the app logs me out all the time, terrible", "channel": HOSTILE,
             "audience": "customer"},
            *({"id": f"c{i}", "text": t, "channel": "app", "audience": "customer"} for i, t in enumerate(
                ["the app logs me out, annoying", "great help in the shop, thanks", "billing is wrong again",
                 "friendly staff, quick answer"]))]
    path = tmp_path / "in.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    out = tmp_path / "out"
    run([path], out, load_settings(None, cluster={"n_clusters": 2, "min_cluster_size": 2}),
        embedder=fake_embedder, sentiment=tiny_sentiment)
    comments = pd.read_csv(out / "comments.csv", dtype=str, keep_default_na=False)
    hostile = comments[comments["id"] == "'" + HOSTILE]
    assert len(hostile) == 1 and hostile["channel"].item() == "'" + HOSTILE
    assert hostile["text"].item().startswith("'=HYPERLINK(")
    sentences = pd.read_csv(out / "sentences.csv", dtype=str, keep_default_na=False)
    assert sentences.loc[sentences["comment_id"] == "'" + HOSTILE, "text"].str.startswith("'=HYPERLINK(").any()
    kpis = pd.read_csv(out / "kpis.csv", dtype=str, keep_default_na=False)
    assert (kpis.loc[kpis["dimension"] == "channel", "value"] == "'" + HOSTILE).any()
    for name in ("comments", "sentences", "kpis", "themes", "shared_pain_points", "quarantine"):
        if (out / f"{name}.csv").exists():
            cells = pd.read_csv(out / f"{name}.csv", dtype=str, keep_default_na=False).to_numpy().ravel()
            assert not [c for c in cells if runs_as_formula(c)], name
    parquet = pd.read_parquet(out / "comments.parquet")
    assert parquet.loc[parquet["id"] == HOSTILE, "channel"].item() == HOSTILE
    assert parquet.loc[parquet["id"] == HOSTILE, "text"].item().startswith("=HYPERLINK(")
    assert pd.read_parquet(out / "sentences.parquet")["comment_id"].eq(HOSTILE).any()
    kp = pd.read_parquet(out / "kpis.parquet")
    assert (kp.loc[kp["dimension"] == "channel", "value"] == HOSTILE).any()
    assert kp["figure"].dtype.kind == "f"


def test_write_quarantine_history_keeps_the_text_as_is(tmp_path, fake_embedder, tiny_sentiment):
    """The ingest reads quarantine.csv back into the parquet history: the spreadsheet quoting must not get in."""
    from tests.ingest.helpers import ingest_settings, read_history, write_rows
    from txnlp.ingest import run_sources

    write_rows(tmp_path / "in" / "a.csv", [
        {"id": HOSTILE, "text": "", "audience": "customer", "channel": "app"},
        *({"id": f"c{i}", "text": t, "audience": "customer", "channel": "app"} for i, t in enumerate(
            ["the app logs me out, annoying", "great help in the shop, thanks", "billing is wrong again"]))])
    settings = ingest_settings(tmp_path, [{"name": "shop", "kind": "files", "path": str(tmp_path / "in")}])
    result = run_sources(settings, run_date="2026-11-30", embedder=fake_embedder, sentiment=tiny_sentiment)
    raw = pd.read_csv(tmp_path / "runs" / "latest" / "quarantine.csv", dtype=str, keep_default_na=False)
    assert raw["id"].tolist() == ["'" + HOSTILE]
    assert read_history(tmp_path / "runs" / "history", "quarantine")["id"].tolist() == [HOSTILE]
    assert result.counts["rows_quarantined"] == 1
