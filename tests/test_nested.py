"""txnlp.nested: the published nested columns are native list/struct columns in parquet, JSON text in CSV."""
import json

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from txnlp import nested
from txnlp.io.write import read_table_csv, write_table


def _themes() -> pd.DataFrame:
    return pd.DataFrame({
        "theme_id": [1, 2],
        "audiences": [nested.encode("audiences", {"customer": 3, "employee": 1}),
                      nested.encode("audiences", {"customer": 2})],
        "keywords": [nested.encode("keywords", {"en": ["app", "login"], "nl": ["app"]}), []],
        "quotes": [[{"id": "c1", "lang": "en", "text": "the app logs me out"}], []],
        "silo_quotes": [nested.encode("silo_quotes", {"customer": [{"id": "c1", "lang": "en", "text": "x"}]}), []],
        "shared_rank": pd.array([1, None], dtype="Int64"),
        "note": [None, None],  # a text column with no value tonight
    })


def test_nested_parquet_columns_are_native_list_types(tmp_path):
    write_table(_themes(), tmp_path, "themes")
    schema = pq.read_schema(tmp_path / "themes.parquet")
    assert schema.field("audiences").type == pa.list_(pa.struct([("value", pa.string()), ("n", pa.int64())]))
    keywords = schema.field("keywords").type
    assert pa.types.is_list(keywords) and keywords.value_type.field("words").type == pa.list_(pa.string())
    assert schema.field("quotes").type == pa.list_(pa.struct([("id", pa.string()), ("lang", pa.string()),
                                                              ("text", pa.string())]))
    assert schema.field("silo_quotes").type.value_type.field("quotes").type == schema.field("quotes").type
    assert schema.field("shared_rank").type == pa.int64() and schema.field("note").type == pa.string()
    back = pd.read_parquet(tmp_path / "themes.parquet")
    assert back["shared_rank"].dtype == "Int64"
    assert nested.decode("audiences", back["audiences"][0]) == {"customer": 3, "employee": 1}
    assert nested.decode("keywords", back["keywords"][0]) == {"en": ["app", "login"], "nl": ["app"]}
    assert nested.decode("quotes", back["quotes"][0]) == [{"id": "c1", "lang": "en", "text": "the app logs me out"}]
    assert nested.decode("keywords", back["keywords"][1], {}) == {}


def test_nested_csv_cells_are_json_and_decode_alike(tmp_path):
    write_table(_themes(), tmp_path, "themes")
    csv = read_table_csv(tmp_path / "themes.csv")
    assert json.loads(csv["audiences"][0]) == [{"value": "customer", "n": 3}, {"value": "employee", "n": 1}]
    assert nested.decode("audiences", csv["audiences"][0]) == {"customer": 3, "employee": 1}
    assert nested.decode("silo_quotes", csv["silo_quotes"][0]) == {"customer": [{"id": "c1", "lang": "en", "text": "x"}]}
    assert csv["shared_rank"].tolist() == ["1", ""]  # an integer rank, not 1.0
    assert nested.decode("audiences", '{"customer": 3}') == {"customer": 3}  # a run written before: a JSON object
    assert nested.decode("audiences", None, {}) == {} and nested.decode("audiences", float("nan"), {}) == {}
