"""`python -m pipelines.nightly`: the CLI's run rule (txnlp.ingest.run_mode) picks the flow; no branching of its own."""
import pytest

from pipelines import nightly


@pytest.fixture()
def calls(monkeypatch):
    """The two flows replaced by recorders: main's choice is under test, not the flows."""
    seen = []

    def sources_flow(*args):
        seen.append(("mine-sources", args))
        return {"status": "published"}

    def feedback_flow(*args, **kwargs):
        seen.append(("mine-feedback", args, kwargs))
        return {"paths": {"report.html": "out/report.html"}}

    monkeypatch.setattr(nightly, "mine_sources_flow", sources_flow)
    monkeypatch.setattr(nightly, "mine_feedback_flow", feedback_flow)
    return seen


def test_nightly_main_input_and_output_is_a_one_off_run(calls):
    nightly.main(["--input", "data/sample", "--output", "out", "--run-date", "2026-11-10"])
    assert calls == [("mine-feedback", (["data/sample"], "out", None), {"run_date": "2026-11-10"})]


@pytest.mark.parametrize("argv", [[], ["--sources"], ["--input", "extra.csv", "--full-refresh"],
                                  ["--input", "extra.csv", "--sources", "--output", "out"]])
def test_nightly_main_sources_like_the_cli(calls, argv):
    nightly.main([*argv, "--run-date", "2026-11-10"])
    assert [call[0] for call in calls] == ["mine-sources"] and calls[0][1][-1] == "2026-11-10"


def test_nightly_main_input_without_output_says_what_to_add(calls, capsys):
    with pytest.raises(SystemExit) as exit_:
        nightly.main(["--input", "data/sample"])
    assert exit_.value.code == 2 and calls == []
    assert "--output is required with --input (or add --sources for an incremental run)" in capsys.readouterr().err
