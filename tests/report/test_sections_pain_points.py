"""The report shows the published shared_pain_points table: one EX-CX rule (rank.min_link_negative), one ranking."""
import re

import pandas as pd
import pytest

from txnlp.nested import decode
from txnlp.config import load_settings
from txnlp.report import sections as S
from txnlp.runner import run
from txnlp.themes.pain_points import shared_pain_points

EMP, CUST = ["employee"], ["customer"]


def _comments() -> pd.DataFrame:
    rows = [  # theme 1: one negative comment per side; theme 2: two per side
        ("e1", 1, "employee", "negative", -0.9), ("c1", 1, "customer", "negative", -0.8), ("c2", 1, "customer", "positive", 0.9),
        ("e2", 2, "employee", "negative", -0.7), ("e3", 2, "employee", "negative", -0.6),
        ("c3", 2, "customer", "negative", -0.95), ("c4", 2, "customer", "negative", -0.5), ("x1", 2, None, "negative", -0.4),
        ("o1", -1, "customer", "negative", -0.9),
    ]
    frame = pd.DataFrame(rows, columns=["id", "theme_id", "audience", "sentiment", "sentiment_score"])
    return frame.assign(text=frame["id"] + " text", lang="en", pillar="service", channel="app")


def _themes() -> pd.DataFrame:
    return pd.DataFrame({"theme_id": [1, 2, -1], "label": ["one", "two", "outliers"], "shared_score": [5.0, 3.0, 0.0]})


def test_sections_ex_cx_is_the_tables_link(tmp_path):
    comments = _comments()
    table = shared_pain_points(comments, _themes(), employee=EMP, customer=CUST, min_link_negative=2)
    links = S.ex_cx_links(table, comments, employee=EMP, customer=CUST)
    assert [r["theme_id"] for r in links] == [2]  # theme 1 has only one negative comment per side
    assert (links[0]["n_employee"], links[0]["n_customer"]) == (2, 2)
    row = table.set_index("theme_id").loc[2]
    assert links[0]["employee_quotes"] == decode("employee_quotes", row["employee_quotes"])
    assert [q["id"] for q in links[0]["customer_quotes"]] == ["c3", "c4"]
    loose = shared_pain_points(comments, _themes(), employee=EMP, customer=CUST, min_link_negative=1)
    assert [r["theme_id"] for r in S.ex_cx_links(loose, comments, employee=EMP, customer=CUST)] == [2, 1]


def test_sections_pain_points_follow_the_table():
    comments = _comments()
    table = shared_pain_points(comments, _themes(), employee=EMP, customer=CUST, min_link_negative=2)
    points = S.shared_pain_points(table, comments, top=10)
    assert [(p["rank"], p["theme_id"]) for p in points] == [(1, 2), (2, 1)]  # the EX-CX link ranks first
    two = points[0]
    assert [(s["audience"], s["n"], s["negative"]) for s in two["silos"]] == [
        ("customer", 2, 2), ("employee", 2, 2), ("unknown", 1, 1)]
    assert two["shared"] and [q["id"] for q in two["silos"][0]["quotes"]] == ["c3", "c4"]
    one = points[1]
    assert [(s["audience"], s["negative"]) for s in one["silos"]] == [("customer", 1), ("employee", 1)]
    assert S.shared_pain_points(table, comments, top=1)[0]["theme_id"] == 2
    # a table written before `negative_audiences` existed: the counts come from the comments
    old = S.shared_pain_points(table.drop(columns="negative_audiences"), comments, top=10)
    assert old == points


def _ex_cx_labels(html: str) -> list[str]:
    section = html[html.index('id="ex-cx"'):]
    return re.findall(r"<tr[^>]*><td><b>(.*?)</b></td>", section[:section.index("</section>")])


@pytest.mark.parametrize("min_link", [1, 2])
def test_report_and_table_agree_on_one_negative_per_side(tmp_path, fake_embedder, tiny_sentiment, min_link):
    angry, happy = "terrible, waited an hour and nobody helped", "great service, thank you"
    rows = [("e1", angry, "employee"), ("c1", angry, "customer"),
            ("c2", happy, "customer"), ("c3", happy, "customer"), ("e2", happy, "employee")]
    path = tmp_path / "in.csv"
    pd.DataFrame(rows, columns=["id", "text", "audience"]).to_csv(path, index=False)
    settings = load_settings(None, cluster={"n_clusters": 2, "min_cluster_size": 2}, sentiment={"sentences": False},
                             rank={"min_link_negative": min_link})
    out = tmp_path / "out"
    run([path], out, settings, embedder=fake_embedder, sentiment=tiny_sentiment)
    comments = pd.read_parquet(out / "comments.parquet").set_index("id")
    assert comments.loc[["e1", "c1"], "sentiment"].tolist() == ["negative", "negative"]
    assert comments.loc["e1", "theme_id"] == comments.loc["c1", "theme_id"]
    table = pd.read_parquet(out / "shared_pain_points.parquet")
    linked = table.loc[table["ex_cx_link"], "label"].tolist()
    assert len(linked) == (1 if min_link == 1 else 0)
    html = (out / "report.html").read_text(encoding="utf-8")
    assert _ex_cx_labels(html) == linked
    if not linked:
        assert "No theme has at least 2 negative comments from both employees and customers" in html
