"""Recall and precision of redaction on labelled strings (data/pii/<lang>.jsonl).

A labelled span counts as caught when its text no longer appears in the redacted output.
Precision is caught spans over spans the redactor replaced (an over-wide span that swallows a
labelled one still counts as caught; a replacement on a negative line is a false positive).
"""
from __future__ import annotations

import json
from pathlib import Path

from txnlp.text.redact import KINDS, redact_text


def read_labelled_pii(folder: str | Path) -> dict[str, list[dict]]:
    return {p.stem: [json.loads(line) for line in p.read_text(encoding="utf-8").splitlines() if line.strip()]
            for p in sorted(Path(folder).glob("*.jsonl"))}


def score_redaction(records: list[dict], kinds=KINDS) -> dict:
    """{'recall', 'recall_by_kind': {kind: recall}, 'precision', 'n_pii', 'n_redacted', 'missed': [kinds],
    'false_positive_lines': int}."""
    labelled = caught = redacted = fp_lines = 0
    missed: list[str] = []
    by_kind: dict[str, list[int]] = {}  # kind -> [caught, labelled]
    for rec in records:
        out, counts = redact_text(rec["text"], kinds)
        n_out = sum(counts.values())
        redacted += n_out
        hits = [p for p in rec["pii"] if p["value"] not in out]
        labelled += len(rec["pii"])
        caught += len(hits)
        missed += [p["kind"] for p in rec["pii"] if p["value"] in out]
        for p in rec["pii"]:
            tally = by_kind.setdefault(p["kind"], [0, 0])
            tally[0] += p["value"] not in out
            tally[1] += 1
        if not rec["pii"] and n_out:
            fp_lines += 1
    return {"recall": caught / labelled if labelled else 1.0,
            "recall_by_kind": {k: c / n for k, (c, n) in sorted(by_kind.items())},
            "precision": min(caught, redacted) / redacted if redacted else 1.0,
            "n_pii": labelled, "n_redacted": redacted, "missed": missed, "false_positive_lines": fp_lines}
