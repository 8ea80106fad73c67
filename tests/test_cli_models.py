"""CLI: train/evaluate with the FakeEmbedder, bad label files, registry commands."""
import json
import re
import shutil

import numpy as np
import pandas as pd
from typer.testing import CliRunner

from conftest import NEGATIVE, NEUTRAL, POSITIVE
from txnlp.cli import app
from txnlp.training.champions import champion_dir


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


def _labelled(path, rows):
    pd.DataFrame(rows, columns=["text", "label", "lang"]).to_csv(path, index=False)
    return path


def _rows(n=3):
    return [(f"{t} {i}", label, "en") for i in range(n)
            for label, texts in (("positive", POSITIVE), ("negative", NEGATIVE), ("neutral", NEUTRAL)) for t in texts]


def test_cli_train_ends_with_one_summary_line_and_a_card_of_what_it_used(tmp_path):
    rows = _rows()
    data = _labelled(tmp_path / "train.csv", rows)
    held_out = _labelled(tmp_path / "held_out.csv", rows[:4] + [("een heel nieuwe zin", "neutral", "nl")])
    runner, env, out_dir = CliRunner(), _env(tmp_path), tmp_path / "m"
    out = runner.invoke(app, ["train", "sentiment", "--data", str(data), "--eval", str(held_out),
                              "--out", str(out_dir)], env=env)
    assert out.exit_code == 0, out.output
    assert "{}" not in out.stdout
    last = out.stdout.strip().splitlines()[-1]
    assert re.fullmatch(rf"trained sentiment-base-\w{{8}} on 54 rows from 1 source\(s\) in [\d.]+ s -> {re.escape(str(out_dir))}; "
                        r"macro-F1 \d\.\d{3} on 5 evaluation rows \(en \d\.\d{3}, nl \d\.\d{3}\)", last), last
    card = (out_dir / "README.md").read_text()
    assert f"- `{data}` (54 rows)" in card
    assert f"on 5 rows of `{held_out}`; 4 of them also occur in the training data" in card
    assert "| en | 4 |" in card and "| nl | 1 |" in card
    out = runner.invoke(app, ["train", "sentiment", "--data", str(data), "--out", str(tmp_path / "m2")], env=env)
    assert out.stdout.strip().splitlines()[-1].endswith("; not measured (no evaluation data)")
    assert "Not measured: no evaluation data was given" in (tmp_path / "m2" / "README.md").read_text()


def test_cli_promote_copies_into_the_registry_and_warns_when_worse(tmp_path):
    rows = _rows()
    shuffled = [(t, label, lang) for (t, _, lang), label in
                zip(rows, np.random.default_rng(1).permutation([r[1] for r in rows]))]
    models = tmp_path / "repo" / "models"  # the registry's folder; the trained models lie outside it
    registry = models / "registry.json"
    runner = CliRunner()
    env = {**_env(tmp_path), "TXNLP_MODELS__REGISTRY": str(registry),
           "TXNLP_MODELS__SENTIMENT_EVAL_DIR": str(tmp_path / "eval")}
    (tmp_path / "eval").mkdir()
    _labelled(tmp_path / "eval" / "en.csv", rows)
    for name, train in (("good", rows), ("bad", shuffled)):
        data = _labelled(tmp_path / f"{name}.csv", train)
        out = runner.invoke(app, ["train", "sentiment", "--data", str(data), "--out", str(tmp_path / "scratch" / name)],
                            env=env)
        assert out.exit_code == 0, out.output
    out = runner.invoke(app, ["models", "promote", "sentiment", "--model", str(tmp_path / "scratch" / "good")], env=env)
    assert out.exit_code == 0, out.output
    assert "warning" not in out.output and "measuring the sentiment challenger" in out.output
    good = json.loads(registry.read_text())["models"]["sentiment"]["champion"]
    assert good["path"] == f"sentiment/{good['model_id']}"  # a copy inside the registry's folder
    assert (models / "sentiment" / good["model_id"] / "weights.safetensors").is_file()
    out = runner.invoke(app, ["models", "promote", "sentiment", "--model", str(tmp_path / "scratch" / "bad")], env=env)
    assert out.exit_code == 0, out.output
    assert "warning: sentiment challenger measures worse than the champion" in " ".join(out.output.split())
    shutil.rmtree(tmp_path / "scratch")  # the scratch folder goes: the registry still loads both
    slot = json.loads(registry.read_text())["models"]["sentiment"]
    assert slot["previous"][0]["model_id"] == good["model_id"] and slot["champion"]["model_id"] != good["model_id"]
    assert champion_dir(registry, "sentiment") == models / "sentiment" / slot["champion"]["model_id"]
    worse = tmp_path / "worse.json"
    worse.write_text(json.dumps({"en": 0.01, "overall": 0.01}))
    out = runner.invoke(app, ["models", "promote", "sentiment", "--model", str(models / "sentiment" / good["model_id"]),
                              "--metrics", str(worse)], env=env)
    assert out.exit_code == 0 and "measures worse than the champion" in " ".join(out.output.split())
    assert sorted(p.name for p in (models / "sentiment").iterdir()) == sorted({good["model_id"],
                                                                                 slot["champion"]["model_id"]})
