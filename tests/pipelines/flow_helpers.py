"""Shared by the flow tests (imported by name: a second conftest.py would shadow tests/conftest.py's constants)."""
import pytest

from tests.ingest.helpers import shop_and_down_config


@pytest.fixture()
def config(tmp_path, tiny_sentiment):
    """A config with two sources, one readable (`shop`) and one down (`down`, a missing SQLite file)."""
    return shop_and_down_config(tmp_path, tiny_sentiment)
