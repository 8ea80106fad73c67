"""Read labelled CSVs (`text,label[,lang]`) for training and evaluation, with clear errors."""
from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from txnlp.errors import InputDataError
from txnlp.io.sources import header_hint

# A value shown in an error as an unknown label: one short word (letters, '_' or '-'), never free text.
_LABEL_LIKE = re.compile(r"[^\W\d][\w-]{0,19}")


def read_labelled(paths: list[str | Path], allowed: tuple[str, ...], extra: tuple[str, ...] = ()) -> pd.DataFrame:
    """Concatenate labelled files; a label outside `allowed` is an error naming the row numbers (and label-like values).

    `extra` columns (e.g. audience, channel) are kept when a file has them, empty otherwise.
    """
    frames = []
    for path in map(Path, paths):
        if not path.is_file():
            raise InputDataError(f"labelled file not found: {path}")
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        missing = {"text", "label"} - set(frame.columns)
        if missing:
            raise InputDataError(f"{path.name}: columns {sorted(missing)} missing{header_hint(list(frame.columns))}")
        frame["label"] = frame["label"].str.strip()
        bad = frame.index[~frame["label"].isin(allowed)]
        if len(bad):
            # Only values that look like labels are shown: in a file whose columns are shifted, the label
            # column holds comment text, and that must not reach the message.
            values = sorted(set(frame.loc[bad, "label"]))
            shown = [v for v in values if _LABEL_LIKE.fullmatch(v)]
            other = f" and {len(values) - len(shown)} value(s) that look like text" if len(shown) < len(values) else ""
            rows = ", ".join(str(i + 2) for i in bad[:20]) + (" ..." if len(bad) > 20 else "")
            raise InputDataError(f"{path.name}: unknown labels {shown}{other} on rows {rows} (allowed: {list(allowed)})")
        empty = frame.index[frame["text"].str.strip() == ""]
        if len(empty):
            raise InputDataError(f"{path.name}: empty text on rows {', '.join(str(i + 2) for i in empty[:20])}")
        if "lang" not in frame:
            frame["lang"] = "und"
        frame["file"] = path.name
        for column in extra:
            if column not in frame:
                frame[column] = ""
        frames.append(frame[["text", "label", "lang", *extra, "file"]])
    if not frames:
        raise InputDataError("no labelled files given")
    return pd.concat(frames, ignore_index=True)
