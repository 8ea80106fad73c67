"""Redaction recall and precision per language on the hand-labelled strings in data/pii/.

    python bench/pii_eval.py [data/pii]
"""
from __future__ import annotations

import json
import sys

from txnlp.text.pii_eval import read_labelled_pii, score_redaction


def main(folder: str = "data/pii") -> dict:
    scores = {lang: score_redaction(records) for lang, records in read_labelled_pii(folder).items()}
    for lang, s in scores.items():
        print(f"{lang}: recall {s['recall']:.3f} precision {s['precision']:.3f} "
              f"({s['n_pii']} labelled, {s['n_redacted']} redacted, missed {s['missed']}, "
              f"{s['false_positive_lines']} negative line(s) touched)")
        print("    recall by kind: " + ", ".join(f"{k} {r:.3f}" for k, r in s["recall_by_kind"].items()))
    return scores


if __name__ == "__main__":
    json.dumps(main(*sys.argv[1:]))
