"""Rows per second of ingestion + redaction alone (read a CSV export, screen, normalise, redact; no
language detection, no models), on synthetic multilingual rows with PII in one row out of five.

    python bench/ingest_speed.py [N_ROWS]
"""
from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from txnlp.config import RedactSettings, SourceSettings
from txnlp.io.sources import read_source, rows_frame
from txnlp.text.normalise import Normaliser
from txnlp.text.redact import Redactor
from txnlp.text.screen import screen

TEXTS = ["De app logt me steeds uit, erg irritant. Bel me op 06-12345678",
         "Die Warteschleife ist eine Katastrophe, Frau Müller war aber nett",
         "Приложение постоянно выкидывает из аккаунта, пишите на ivan@primer.ru",
         "Great help in the shop, thanks! Order 2024-11-0042 arrived on time",
         "Refund to GB82WEST12345698765432 took three weeks, my name is Tom Baker"]


def main(n_rows: int = 20000) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        rows = [{"id": f"r{i}", "text": f"{TEXTS[i % 5]} ({i})", "channel": "app", "region": f"R{i % 7}"}
                for i in range(n_rows)]
        pd.DataFrame(rows).to_csv(Path(tmp) / "export.csv", index=False)
        start = time.perf_counter()
        batch = read_source(SourceSettings(name="bench", kind="files", path=tmp))
        kept, _ = screen(rows_frame(batch.rows), max_text_chars=5000)
        redact = RedactSettings()
        staged = Redactor(redact.kinds, redact.phone_regions, redact.name_columns)(Normaliser()(kept))  # passthrough columns included
        seconds = time.perf_counter() - start
    rate = len(staged) / seconds
    print(f"{len(staged)} rows in {seconds:.2f} s: {rate:,.0f} rows/s (read + screen + normalise + redact)")
    return rate


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:]))
