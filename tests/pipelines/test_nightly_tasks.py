"""Flow tasks called through .fn(): no Prefect engine, same library calls."""
from pathlib import Path

import pandas as pd

from pipelines import nightly, retrain
from pipelines.retries import retry_transient
from txnlp.runner import STAGED


def test_stage_task_writes_redacted_staging_only(tmp_path, sample_csv):
    stage_dir = nightly.stage_inputs.fn([str(sample_csv)], str(tmp_path / "stage"), None)
    staged = pd.read_parquet(Path(stage_dir) / STAGED)
    assert len(staged) == 5  # six rows, one empty text quarantined
    assert set(staged["lang"]) <= {"nl", "de", "en", "ru", "und"}


def test_retrain_tasks_train_evaluate_and_promote(tmp_path):
    from conftest import NEGATIVE, NEUTRAL, POSITIVE
    from pipelines import retrain
    from txnlp.training.champions import champion

    rows = [(f"{t} {i}", label, "en") for i in range(6)
            for label, texts in (("positive", POSITIVE), ("negative", NEGATIVE), ("neutral", NEUTRAL)) for t in texts[:2]]
    data = tmp_path / "team.csv"
    pd.DataFrame(rows, columns=["text", "label", "lang"]).to_csv(data, index=False)
    registry = tmp_path / "models" / "registry.json"
    config = tmp_path / "txnlp.toml"
    config.write_text(f'[embed]\nkind = "fake"\n[models]\nregistry = "{registry}"\nsentiment_eval_dir = "{tmp_path / "none"}"\n')
    split = retrain.split_labelled.fn("sentiment", [str(data)], str(tmp_path / "work"), 0.25, 0)
    model_dir = retrain.train_challenger.fn("sentiment", split["train"], str(tmp_path / "cand"), "base", str(config))
    challenger = retrain.evaluate_challenger.fn("sentiment", model_dir, split["holdout"], str(config))
    assert retrain.evaluate_champion.fn("sentiment", split["holdout"], str(config)) is None
    decision = retrain.gate_and_promote.fn("sentiment", model_dir, challenger, None, str(config), False)
    assert decision["promoted"] and champion(registry, "sentiment")["model_id"] == decision["model_id"]
    assert Path(decision["path"]).parent == registry.parent / "sentiment"


def test_only_io_tasks_retry_and_all_by_the_shared_rule():
    io = [nightly.stage_inputs, nightly.read_source, retrain.split_labelled]
    compute = [nightly.embed_chunk, nightly.mine_feedback, nightly.publish_run, retrain.train_challenger,
               retrain.evaluate_challenger, retrain.evaluate_champion, retrain.gate_and_promote]
    assert all(t.retries > 0 and t.retry_condition_fn is retry_transient for t in io)
    assert all(not t.retries for t in compute)



def test_nightly_mine_task_files_outputs_under_the_flow_run_date(tmp_path, sample_csv, fake_config):
    """The night given to the flow reaches the manifest and the KPIs, not the wall-clock date."""
    import json

    import pandas as pd

    from pipelines import nightly

    stage = nightly.stage_inputs.fn([str(sample_csv)], str(tmp_path / "stage"), fake_config)
    out = tmp_path / "out"
    nightly.mine_feedback.fn(stage, str(out), fake_config, None, "2026-11-30")
    assert json.loads((out / "manifest.json").read_text())["run_date"] == "2026-11-30"
    assert set(pd.read_parquet(out / "kpis.parquet")["run_date"]) == {"2026-11-30"}
