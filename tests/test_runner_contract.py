import pandas as pd
import pytest

from conftest import read_manifest
from txnlp import vocab as V
from txnlp.config import load_settings
from txnlp.errors import InputDataError
from txnlp.io.lock import LOCK_NAME
from txnlp.runner import run


@pytest.fixture()
def settings(tmp_path):
    return load_settings(None, cluster={"n_clusters": 2, "min_cluster_size": 2})


def test_run_writes_contract_and_counts_add_up(tmp_path, sample_csv, settings, fake_embedder, tiny_sentiment):
    (tmp_path / "broken.jsonl").write_text('{"text": "Prima service"}\n{not json\n', encoding="utf-8")
    out = tmp_path / "out"
    result = run([sample_csv, tmp_path / "broken.jsonl"], out, settings, embedder=fake_embedder, sentiment=tiny_sentiment)
    comments = pd.read_parquet(out / "comments.parquet")
    assert list(comments.columns[:len(V.COMMENT_COLUMNS)]) == list(V.COMMENT_COLUMNS)
    assert "region" in comments.columns  # passthrough
    themes = pd.read_csv(out / "themes.csv")
    assert list(themes.columns) == list(V.THEME_COLUMNS)
    quarantine = pd.read_csv(out / "quarantine.csv")
    assert sorted(quarantine["reason"].str.split(":").str[0]) == ["empty text", "invalid JSON"]
    counts = read_manifest(out)["counts"]
    assert counts["rows_in"] == 8 == counts["rows_out"] + counts["rows_quarantined"]
    assert result.counts == counts
    assert (out / "report.html").read_text().startswith("<!doctype html>")
    assert not (out / ".stage").exists()


def test_run_redacts_before_writing(tmp_path, settings, fake_embedder, tiny_sentiment):
    path = tmp_path / "pii.csv"
    pd.DataFrame({"text": ["Bel me: 06-13572468, mail jan.jansen@example.nl", "my name is Tom Baker, app broken"]}
                 ).to_csv(path, index=False)
    out = tmp_path / "out"
    run([path], out, settings, embedder=fake_embedder, sentiment=tiny_sentiment)
    for f in out.iterdir():
        body = f.read_bytes().decode("utf-8", "ignore") if f.suffix != ".parquet" else pd.read_parquet(f).to_csv()
        for secret in ("13572468", "jan.jansen", "Tom Baker"):
            assert secret not in body, (f.name, secret)
    assert read_manifest(out)["redactions"]["phone"] == 1


def test_run_missing_text_column_writes_nothing(tmp_path, settings, fake_embedder, tiny_sentiment):
    path = tmp_path / "nocol.csv"
    path.write_text("comment\nhello\n", encoding="utf-8")
    with pytest.raises(InputDataError, match="column 'text' missing"):
        run([path], tmp_path / "out", settings, embedder=fake_embedder, sentiment=tiny_sentiment)
    # the run's locks (txnlp.io.lock) stay in place by design; nothing else is written
    written = [p for p in tmp_path.rglob("*") if p.is_file() and p != path and LOCK_NAME not in p.name]
    assert written == []  # neither the run folder nor history/state beside it


def test_run_all_rows_quarantined_still_publishes(tmp_path, settings, fake_embedder, tiny_sentiment):
    path = tmp_path / "empty.csv"
    path.write_text("text\n\"  \"\n", encoding="utf-8")
    result = run([path], tmp_path / "out", settings, embedder=fake_embedder, sentiment=tiny_sentiment)
    assert result.counts == {"rows_in": 1, "rows_out": 0, "rows_quarantined": 1, "themes": 0,
                             "scores_unparsed": 0}


def test_write_outputs_are_readable_by_others(tmp_path):
    import importlib
    import os
    import stat

    import txnlp.io.write as w

    old = os.umask(0o022)
    try:
        importlib.reload(w)  # the file mode is taken from the umask at import
        path = w.write_text(tmp_path / "x.txt", "hi")
    finally:
        os.umask(old)
        importlib.reload(w)  # back to the session's umask for the other tests
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    assert path == tmp_path / "x.txt" and path.read_text(encoding="utf-8") == "hi"
    assert [p.name for p in tmp_path.iterdir()] == ["x.txt"]  # no temporary file left beside it
