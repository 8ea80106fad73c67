"""Shared by the flow tests (imported by name: a second conftest.py would shadow tests/conftest.py's constants)."""
import pytest

from tests.ingest.helpers import CUSTOMERS, write_rows


@pytest.fixture()
def config(tmp_path, tiny_sentiment):
    """A config with two sources, one readable (`shop`) and one down (`down`, a missing SQLite file)."""
    write_rows(tmp_path / "in" / "a.csv", CUSTOMERS)
    tiny_sentiment.save(tmp_path / "sentiment")
    path = tmp_path / "txnlp.toml"
    path.write_text(f"""
[embed]
kind = "fake"
[sentiment]
model_dir = "{tmp_path / 'sentiment'}"
[cluster]
n_clusters = 2
min_cluster_size = 2
[ingest]
runs_dir = "{tmp_path / 'runs'}"
[[ingest.sources]]
name = "shop"
kind = "files"
path = "{tmp_path / 'in'}"
audience = "customer"
[[ingest.sources]]
name = "down"
kind = "sql"
url = "sqlite:///{tmp_path / 'absent.sqlite'}"
table = "feedback"
""", encoding="utf-8")
    return str(path)
