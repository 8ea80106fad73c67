"""The notebook API: txnlp.run(frame) from any folder, frames back, nothing written without an output folder."""
import logging

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import txnlp
from conftest import read_manifest
from txnlp import vocab as V
from txnlp.config import load_settings
from txnlp.errors import InputDataError

# Random fake vectors: keep every comment themed, so the theme tables have rows.
THEMED = {"cluster": {"n_clusters": 2, "min_cluster_size": 2, "min_similarity": -1, "min_coherence": -1},
          "themes": {"min_coherence": -1}}


def _frame() -> pd.DataFrame:
    return pd.DataFrame({
        "id": ["c1", "c2", "e1", "c3", "c4", "c5"],
        "text": ["De app logt me steeds uit, erg irritant", "Die App meldet mich ständig ab, nervig",
                 "Customers keep calling because the app logs them out, mail jan.jansen@example.nl",
                 "Приложение постоянно выкидывает из аккаунта", "Great help in the shop, thanks!", "   "],
        "audience": ["customer", "customer", "employee", "customer", "customer", "customer"],
        "channel": ["app", "app", "survey", "app", "shop", "web"],
        "created_at": ["2026-11-01", "2026-11-01T09:33:28Z", pd.NA, "01/11/2026", "2026-11-02 10:00:00+01:00", ""],
        "score": [3, 2, None, 1, 10, None],
        "region": ["Noord", "Süd", "HQ", "Riga", "London", "x"],
    })


def test_runner_notebook_frame_in_frames_out_nothing_written_from_any_folder(tmp_path, monkeypatch, fake_embedder,
                                                                            tiny_sentiment):
    monkeypatch.chdir(tmp_path)  # a notebook rarely starts in the repository
    settings = load_settings(None, **THEMED)
    result = txnlp.run(_frame(), settings=settings, embedder=fake_embedder, sentiment=tiny_sentiment)
    assert list(tmp_path.iterdir()) == [] and result.output_dir is None and result.paths == {}
    for name in ("comments", "themes", "shared_pain_points", "kpis", "quarantine"):
        assert isinstance(getattr(result, name), pd.DataFrame), name
    assert list(result.comments.columns[:len(V.COMMENT_COLUMNS)]) == list(V.COMMENT_COLUMNS)
    assert sorted(result.comments[V.ID]) == ["c1", "c2", "c3", "c4", "e1"] and "region" in result.comments
    assert result.quarantine[V.REASON].str.startswith("empty text").tolist() == [True]
    assert result.counts["rows_in"] == 6 == result.counts["rows_out"] + result.counts["rows_quarantined"]
    assert "jan.jansen@example.nl" not in " ".join(result.comments[V.TEXT])  # the same staging as a file: redacted
    assert (result.themes[V.THEME_ID] >= 0).any() and not result.too_few_to_theme
    assert set(result.kpis["dimension"]) >= {"all", "pillar", "audience"}
    assert result.summary()["output_dir"] is None and "comments" not in result.summary()


def test_runner_notebook_frame_and_file_take_one_staging_path(tmp_path, fake_embedder, tiny_sentiment):
    settings = load_settings(None, **THEMED)
    path = tmp_path / "feedback.csv"
    _frame().to_csv(path, index=False)
    from_frame = txnlp.run(_frame(), settings=settings, embedder=fake_embedder, sentiment=tiny_sentiment)
    from_file = txnlp.run(path, settings=settings, embedder=fake_embedder, sentiment=tiny_sentiment)
    cols = [V.ID, V.TEXT, V.AUDIENCE, V.CHANNEL, V.CREATED_AT, V.CREATED_AT_RAW, V.LANG, V.SENTIMENT]
    pd.testing.assert_frame_equal(from_frame.comments[cols], from_file.comments[cols])
    assert from_frame.quarantine[V.INPUT_FILE].tolist() == ["dataframe"]
    assert from_frame.comments[V.SOURCE].eq("dataframe").all()  # no source column: the input's name, as a file's stem


def test_runner_notebook_output_dir_writes_the_run_and_returns_the_same_frames(tmp_path, fake_embedder,
                                                                               tiny_sentiment):
    out = tmp_path / "night"
    result = txnlp.run(_frame(), out, load_settings(None, **THEMED), embedder=fake_embedder,
                       sentiment=tiny_sentiment)
    assert (out / "report.html").is_file() and result.paths["comments.parquet"] == str(out / "comments.parquet")
    # `quarantined` counts rows quarantined while reading, as for a file: the blank text is screened out later
    assert read_manifest(out)["inputs"] == [{"path": "dataframe", "rows": 6, "quarantined": 0}]
    assert read_manifest(out)["counts"]["rows_quarantined"] == 1
    written = pd.read_parquet(out / "comments.parquet")
    pd.testing.assert_frame_equal(written, result.comments.reset_index(drop=True), check_dtype=False)
    assert pd.read_parquet(out / "kpis.parquet")["figure"].round(6).tolist() == result.kpis["figure"].round(6).tolist()


def test_runner_notebook_too_few_comments_say_so(tmp_path, fake_embedder, tiny_sentiment, caplog):
    frame = _frame().head(1)  # one comment; two themes of min_cluster_size=2 need 4 units
    out = tmp_path / "night"
    with caplog.at_level(logging.WARNING, logger="txnlp"):
        result = txnlp.run(frame, out, load_settings(None, **THEMED), embedder=fake_embedder,
                           sentiment=tiny_sentiment)
    assert result.too_few_to_theme and result.counts["themes"] == 0
    assert (result.comments[V.THEME_ID] == V.OUTLIER_THEME).all()
    assert any("too few to form themes (need 4" in r.getMessage() for r in caplog.records)
    assert read_manifest(out)["themes"]["too_few_comments"] is True
    assert "Too few comments in this run to form themes (fewer than 4)" in (out / "report.html").read_text()


def test_runner_notebook_refuses_what_is_not_an_input():
    with pytest.raises(InputDataError, match="DataFrames, files or folders; got int"):
        txnlp.run(42)
    with pytest.raises(InputDataError, match="column 'text' missing"):
        txnlp.run(pd.DataFrame({"comment": ["hello"]}), settings=load_settings(None, embed={"kind": "fake"}))


def test_runner_notebook_created_at_is_utc_and_the_unreadable_is_kept_and_counted(tmp_path, fake_embedder,
                                                                                  tiny_sentiment):
    out = tmp_path / "night"
    result = txnlp.run(_frame(), out, load_settings(None, **THEMED), embedder=fake_embedder, sentiment=tiny_sentiment)
    assert result.counts["created_at_unparsed"] == 1 == read_manifest(out)["counts"]["created_at_unparsed"]
    written = pd.read_parquet(out / "comments.parquet").set_index(V.ID)
    assert str(written[V.CREATED_AT].dtype) == "datetime64[ns, UTC]"
    assert written.loc["c2", V.CREATED_AT] == pd.Timestamp("2026-11-01 09:33:28", tz="UTC")
    assert written.loc["c4", V.CREATED_AT] == pd.Timestamp("2026-11-02 09:00:00", tz="UTC")  # +01:00 read as such
    assert pd.isna(written.loc["c3", V.CREATED_AT]) and written.loc["c3", V.CREATED_AT_RAW] == "01/11/2026"
    assert written[V.CREATED_AT_RAW].notna().sum() == 1  # e1 has no date at all: nothing to keep
    raw_type = pq.read_schema(out / "comments.parquet").field(V.CREATED_AT_RAW).type
    assert pa.types.is_string(raw_type) or pa.types.is_large_string(raw_type)


def test_runner_notebook_nested_columns_native_and_ranks_integers_with_an_ignored_theme(tmp_path, fake_embedder,
                                                                                         tiny_sentiment):
    first = txnlp.run(_frame(), settings=load_settings(None, **THEMED), embedder=fake_embedder,
                      sentiment=tiny_sentiment)
    ranked = first.themes.dropna(subset=["shared_rank"])
    assert len(ranked) >= 2, "the fake vectors must give two ranked themes for this test to mean anything"
    ignored = int(ranked[V.THEME_ID].iloc[0])
    edits = tmp_path / "themes.edits.yaml"
    edits.write_text(f"ignore: [{ignored}]\n")
    out = tmp_path / "night"
    result = txnlp.run(_frame(), out, load_settings(None, **THEMED, tracking={"edits_file": str(edits)}),
                       embedder=fake_embedder, sentiment=tiny_sentiment)
    themes = pd.read_parquet(out / "themes.parquet").set_index(V.THEME_ID)
    assert themes.loc[ignored, "ignored"] and pd.isna(themes.loc[ignored, "shared_rank"])
    assert themes["shared_rank"].dtype == "Int64" and result.themes["shared_rank"].dtype == "Int64"
    assert themes["shared_rank"].dropna().tolist() == list(range(1, themes["shared_rank"].notna().sum() + 1))
    csv_ranks = pd.read_csv(out / "themes.csv", dtype=str, keep_default_na=False)["shared_rank"]
    assert all(r == "" or r.isdigit() for r in csv_ranks) and "" in set(csv_ranks)  # "1", never "1.0"
    for name, columns in (("themes", ("audiences", "pillars", "languages", "channels", "keywords", "quotes")),
                          ("shared_pain_points", ("audiences", "negative_audiences", "silo_quotes", "employee_quotes"))):
        schema = pq.read_schema(out / f"{name}.parquet")
        for column in columns:
            assert pa.types.is_list(schema.field(column).type), (name, column, schema.field(column).type)
    assert pq.read_schema(out / "shared_pain_points.parquet").field("shared_rank").type == pa.int64()
