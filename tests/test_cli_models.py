"""CLI: train/evaluate with the FakeEmbedder, bad label files, registry commands."""
import json

import pandas as pd
from typer.testing import CliRunner

from conftest import NEGATIVE, NEUTRAL, POSITIVE
from txnlp.cli import app


def _env(tmp_path):
    return {"TXNLP_EMBED__KIND": "fake", "TXNLP_MODELS__REGISTRY": str(tmp_path / "registry.json")}


def test_cli_train_evaluate_promote_and_bad_labels(tmp_path):
    rows = [(f"{t} {i}", label, "en") for i in range(3)
            for label, texts in (("positive", POSITIVE), ("negative", NEGATIVE), ("neutral", NEUTRAL)) for t in texts]
    data = tmp_path / "train.csv"
    pd.DataFrame(rows, columns=["text", "label", "lang"]).to_csv(data, index=False)
    runner, env = CliRunner(), _env(tmp_path)
    out = runner.invoke(app, ["train", "sentiment", "--data", str(data), "--out", str(tmp_path / "m")], env=env)
    assert out.exit_code == 0, out.output
    out = runner.invoke(app, ["evaluate", "sentiment", "--model", str(tmp_path / "m"), "--data", str(data),
                              "--out", str(tmp_path / "report.json")], env=env)
    assert out.exit_code == 0, out.output
    report = json.loads((tmp_path / "report.json").read_text())
    assert {"all", "en"} <= set(report) and report["en"]["macro_f1"] > 0.6 and len(report["en"]["confusion"]) == 3
    assert "per class" in out.output
    bad = tmp_path / "bad.csv"
    bad.write_text("text,label\nfine,positive\nmeh,so-so\n")
    out = runner.invoke(app, ["evaluate", "sentiment", "--model", str(tmp_path / "m"), "--data", str(bad)], env=env)
    assert out.exit_code == 2 and "bad.csv: unknown labels ['so-so'] on rows 3" in " ".join(out.output.split())
    out = runner.invoke(app, ["models", "promote", "sentiment", "--model", str(tmp_path / "m")], env=env)
    assert out.exit_code == 0, out.output
    out = runner.invoke(app, ["models", "rollback", "sentiment"], env=env)
    assert out.exit_code == 2 and "no previous sentiment champion" in " ".join(out.output.split())
