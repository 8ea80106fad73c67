"""Canary for the README's path: `txnlp run --input` on a CSV with personal data in the text and in
passthrough columns writes none of it into any output file, the theme state, or the logs."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parents[1]

EMAILS = ["anna.visser@example.nl", "k.mueller@beispiel.de", "ivan.petrov@primer.ru"]
PHONES = ["+31 6 12345678", "+49 151 23456789", "06-87654321"]
IBANS = ["NL91ABNA0417164300", "DE89370400440532013000"]
IN_TEXT = ["piet.jansen@voorbeeld.nl", "+7 912 345-67-89", "GB82WEST12345698765432"]
SECRETS = EMAILS + PHONES + IBANS + IN_TEXT


def _rows() -> list[dict]:
    texts = ["De app logt me steeds uit, erg irritant", "Die App meldet mich ständig ab, nervig",
             "Приложение постоянно выкидывает из аккаунта", "Great help in the shop, thanks!",
             f"Bel me terug of mail {IN_TEXT[0]}, de factuur klopt niet",
             f"Позвоните мне {IN_TEXT[1]}, никто не помог",
             f"Refund to {IN_TEXT[2]} took three weeks, awful", "Customers keep calling because the app logs them out"]
    rows = []
    for i, text in enumerate(texts):
        rows.append({"id": f"r{i}" if i % 2 else "", "text": text, "channel": "app",
                     "contact_email": EMAILS[i % 3], "phone": PHONES[i % 3],
                     "note": f"refund to {IBANS[i % 2]} please", "region": "Noord"})
    # Quarantined rows carry personal data too: in passthrough columns, and the empty text.
    rows.append({"id": "empty", "text": "  ", "channel": "app", "contact_email": EMAILS[0], "phone": PHONES[0],
                 "note": IBANS[0], "region": "Noord"})
    return rows


def _body(path: Path) -> str:
    if path.suffix == ".parquet":
        return pd.read_parquet(path).to_csv(index=False)
    return path.read_bytes().decode("utf-8", "replace")


def _txnlp(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    # COLUMNS: rich must not wrap a line, or a value split over two lines would escape the grep.
    env = {**os.environ, "PYTHONPATH": str(REPO), "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "DO_NOT_TRACK": "1",
           "COLUMNS": "10000"}
    return subprocess.run([sys.executable, "-m", "txnlp", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=600)


def test_runner_pii_run_input_writes_no_planted_value_anywhere(tmp_path, fake_config):
    path = tmp_path / "in" / "feedback.csv"
    path.parent.mkdir()
    pd.DataFrame(_rows()).to_csv(path, index=False)
    with path.open("a", encoding="utf-8") as f:  # a malformed row: quarantined before it is a row
        f.write(f"bad,{EMAILS[1]},{PHONES[1]},x,y,z,w,v\n")
    run_root = tmp_path / "run"
    out = run_root / "out"
    done = _txnlp("run", "--input", str(path), "--output", str(out), "--config", fake_config, "--verbose", cwd=REPO)
    assert done.returncode == 0, done.stderr[-3000:]
    comments = pd.read_parquet(out / "comments.parquet")
    assert len(comments) == 8 and {"contact_email", "phone", "note"} <= set(comments.columns)
    assert comments["contact_email"].eq("[EMAIL]").all() and comments["phone"].eq("[PHONE]").all()
    assert comments["note"].str.contains(r"\[IBAN\]").all() and comments["region"].eq("Noord").all()
    assert len(pd.read_csv(out / "quarantine.csv")) == 2
    written = [p for p in run_root.rglob("*") if p.is_file()]
    assert {"comments.parquet", "comments.csv", "manifest.json", "report.html", "quarantine.csv"} <= {
        p.name for p in written}
    assert any(p.suffix == ".json" and p.parent.name == "state" for p in written), "theme state not written"
    bodies = {str(p.relative_to(run_root)): _body(p) for p in written}
    bodies["stderr"], bodies["stdout"] = done.stderr, done.stdout
    assert "staged" in done.stderr  # the INFO log was captured
    leaks = sorted({(name, s) for name, body in bodies.items() for s in SECRETS if s in body})
    assert not leaks, leaks


def test_runner_pii_file_without_text_column_fails_naming_file_and_count(tmp_path, fake_config):
    path = tmp_path / "export.csv"  # headerless: its first row becomes the "column names"
    path.write_text(f"Bel me op {PHONES[2]},{EMAILS[0]},{IBANS[0]}\nok,x,y\n", encoding="utf-8")
    done = _txnlp("run", "--input", str(path), "--output", str(tmp_path / "out"), "--config", fake_config,
                  cwd=REPO)
    assert done.returncode != 0
    assert "export.csv: column 'text' missing (3 columns found; the header looks like data" in " ".join(
        (done.stderr + done.stdout).split())
    assert not [s for s in SECRETS if s in done.stderr + done.stdout]
    assert not (tmp_path / "out" / "comments.csv").exists()
