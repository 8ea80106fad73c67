"""Exactly-once: a run killed (SIGKILL, from the test) at any stage and rerun gives the outputs of an uninterrupted run.

The child process pauses at the chosen step (it writes a marker and sleeps); the test then kills it
with SIGKILL, checks that the state store did not advance, reruns, and compares every output, the
history and the state with those of a run that was never interrupted.
"""
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.ingest.helpers import CUSTOMERS, comparable_outputs, read_history, sqlite_feedback, write_rows
from txnlp.config import load_settings
from txnlp.ingest import run_sources, state_store

REPO = Path(__file__).resolve().parents[2]
RUN_DATE = "2026-11-10"

CHILD = r"""
import sys, time
from pathlib import Path
import txnlp.ingest as I
from txnlp.io import publish as P
from txnlp.io.state import StateStore
from txnlp.config import load_settings

target, marker = sys.argv[1], Path(sys.argv[2])
name, _, nth = target.partition(":")
calls = {"n": 0}

def pause(fn):
    def wrapped(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] >= int(nth or 1):
            marker.write_text("paused")
            time.sleep(600)
        return fn(*args, **kwargs)
    return wrapped

if name == "mine":
    I.mine = pause(I.mine)
elif name == "commit":
    StateStore.commit = pause(StateStore.commit)
elif name == "stage_source":
    I.stage_source = pause(I.stage_source)
else:
    setattr(P, name, pause(getattr(P, name)))
I.run_sources(load_settings("txnlp.toml"), run_date=sys.argv[3])
"""


def _scenario(root: Path, tiny_sentiment) -> Path:
    root.mkdir(parents=True)
    write_rows(root / "in" / "a.csv", CUSTOMERS)
    sqlite_feedback(root / "fb.sqlite", [
        {"ticket": 1, "body": "Wachttijd aan de telefoon is veel te lang", "updated_at": "2026-11-01", "channel": "phone"},
        {"ticket": 2, "body": "Warteschleife ist eine Katastrophe", "updated_at": "2026-11-02", "channel": "phone"},
        {"ticket": 3, "body": "", "updated_at": "2026-11-02", "channel": "phone"},
    ])
    tiny_sentiment.save(root / "sentiment")
    (root / "txnlp.toml").write_text(f"""
[pillar]
definitions = "{REPO / 'data/seed/pillar_definitions.yaml'}"
examples = "{REPO / 'data/seed/pillar_seed.csv'}"
[embed]
kind = "fake"
[sentiment]
model_dir = "sentiment"
[cluster]
n_clusters = 2
min_cluster_size = 2
[ingest]
runs_dir = "runs"
[[ingest.sources]]
name = "shop"
kind = "files"
path = "in"
audience = "customer"
[[ingest.sources]]
name = "crm"
kind = "sql"
url = "sqlite:///fb.sqlite"
table = "feedback"
watermark = "updated_at"
columns = {{ ticket = "id", body = "text" }}
""", encoding="utf-8")
    return root


def _snapshot(root: Path) -> dict:
    settings = load_settings(root / "txnlp.toml")
    runs = root / "runs"
    state = state_store(settings.model_copy(update={"ingest": settings.ingest.model_copy(update={"runs_dir": runs})}))
    history = read_history(runs / "history").sort_values(["source", "id"]).to_csv(index=False)
    return {"outputs": comparable_outputs(runs / "latest"), "history": history,
            "quarantine": read_history(runs / "history", "quarantine").sort_values("id").to_csv(index=False),
            "ids": {s: sorted(state.processed_ids(s)) for s in ("shop", "crm")},
            "watermark": state.watermark("crm"), "latest": os.readlink(runs / "latest")}


@pytest.fixture(scope="module")
def baseline(tmp_path_factory, tiny_sentiment):
    root = _scenario(tmp_path_factory.mktemp("baseline") / "b", tiny_sentiment)
    cwd = os.getcwd()
    os.chdir(root)
    try:
        run_sources(load_settings("txnlp.toml"), run_date=RUN_DATE)
    finally:
        os.chdir(cwd)
    return _snapshot(root)


def _kill_at(root: Path, target: str) -> None:
    marker = root / ".paused"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen([sys.executable, "-c", CHILD, target, str(marker), RUN_DATE], cwd=root, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while not marker.exists():
        if proc.poll() is not None:
            raise AssertionError(f"child ended before {target}: {proc.stderr.read().decode()[-2000:]}")
        assert time.monotonic() < deadline, f"child never reached {target}"
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL


KILL_POINTS = [
    pytest.param("stage_source:2", marks=pytest.mark.slow),  # one source staged, the other not
    pytest.param("mine", marks=pytest.mark.slow),  # every source staged, nothing published
    pytest.param("move_into_place", marks=pytest.mark.slow),  # run folder written, not in place
    "write_history_part:2",  # comments history written, quarantine history not
    pytest.param("switch_latest", marks=pytest.mark.slow),  # run folder and history in place, latest not switched
    "commit",  # everything published, state not committed
]


@pytest.mark.parametrize("target", KILL_POINTS)
def test_ingest_kill_and_rerun_gives_identical_outputs(tmp_path, tiny_sentiment, baseline, target, monkeypatch):
    root = _scenario(tmp_path / "k", tiny_sentiment)
    _kill_at(root, target)
    settings = load_settings(root / "txnlp.toml")
    monkeypatch.chdir(root)
    state = state_store(settings)
    assert state.processed_ids("shop") == set() and state.watermark("crm") is None  # state did not advance
    run_sources(load_settings("txnlp.toml"), run_date=RUN_DATE)
    snapshot = _snapshot(root)
    for name in sorted(set(snapshot["outputs"]) | set(baseline["outputs"])):  # name the file that differs
        got, want = snapshot["outputs"].get(name), baseline["outputs"].get(name)
        if isinstance(want, dict):
            diff = {k: (v, want.get(k)) for k, v in got.items() if v != want.get(k)}
            assert not diff, f"{name}: {json.dumps(diff, default=str)[:1500]}"
        assert got == want, name
    assert snapshot == baseline
    again = run_sources(load_settings("txnlp.toml"), run_date=RUN_DATE)  # and a third run adds nothing
    assert again.status == "nothing new" and _snapshot(root) == baseline
