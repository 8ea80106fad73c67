"""Analyst edits to themes that survive re-clustering: rename, merge, ignore, pin.

Edits name stable theme ids (see `theme_ids.py`), so they are re-applied after matching on every run:
a theme renamed tonight keeps its name after tomorrow's full re-clustering because it keeps its id.
The file (`themes.edits.yaml`, path in `tracking.edits_file`):

    rename: {3: "App logs users out"}
    merge:
      - {ids: [7, 9], into: 4}
    ignore: [12]
    pin:
      - {name: parking, keywords: [parking, parkeren, parkplatz, парковка]}

A broken file raises `ConfigError` naming the file and the bad entry; an edit naming an id that no
run has ever produced is not an error: it is listed under `edits.unknown_ids` in the manifest.
"""
from __future__ import annotations

import logging
import re
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from txnlp.errors import ConfigError

log = logging.getLogger(__name__)


class Merge(BaseModel):
    model_config = ConfigDict(extra="forbid")
    ids: list[int] = Field(min_length=1)
    into: int


class Pin(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1)
    keywords: list[str] = Field(min_length=1)
    label: str | None = None

    @field_validator("keywords")
    @classmethod
    def _not_blank(cls, words: list[str]) -> list[str]:
        words = [w.strip().casefold() for w in words]
        if not all(words):
            raise ValueError("keywords must not be empty strings")
        return words


class ThemeEdits(BaseModel):
    """The parsed edits file; every section optional."""

    model_config = ConfigDict(extra="forbid")
    rename: dict[int, str] = {}
    merge: list[Merge] = []
    ignore: list[int] = []
    pin: list[Pin] = []

    def merge_map(self) -> dict[int, int]:
        """id -> the id it is merged into (followed through chains: 9 -> 7 -> 4 gives 9 -> 4)."""
        direct = {i: m.into for m in self.merge for i in m.ids if i != m.into}
        out = {}
        for start in direct:
            seen, target = {start}, direct[start]
            while target in direct and target not in seen:
                seen.add(target)
                target = direct[target]
            out[start] = target
        return out

    def named_ids(self) -> set[int]:
        ids = set(self.rename) | set(self.ignore)
        for m in self.merge:
            ids |= {*m.ids, m.into}
        return ids


def load_edits(path: str | Path | None) -> ThemeEdits:
    """Parse the edits file; a missing file (or None) means no edits, a broken one raises ConfigError."""
    import yaml

    if path is None or not Path(path).exists():
        return ThemeEdits()
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        raise ConfigError(f"theme edits file {path}: not valid YAML{where}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"theme edits file {path}: cannot be read ({type(exc).__name__})") from None
    if data is None:
        return ThemeEdits()
    if not isinstance(data, dict):
        raise ConfigError(f"theme edits file {path}: expected a mapping with rename/merge/ignore/pin, "
                          f"found {type(data).__name__}")
    try:
        return ThemeEdits.model_validate(data)
    except ValidationError as exc:
        bad = "; ".join(".".join(str(p) for p in e["loc"]) + f": {e['msg']}" for e in exc.errors())
        raise ConfigError(f"theme edits file {path}: {bad}") from None


def save_edits(edits: ThemeEdits, path: str | Path) -> Path:
    """Write the edits back as YAML (used by `txnlp themes ...`)."""
    import yaml

    from txnlp.io.write import write_text

    data = edits.model_dump(exclude_defaults=True)
    return write_text(Path(path), yaml.safe_dump(data, allow_unicode=True, sort_keys=False))


def rename(edits: ThemeEdits, theme_id: int, label: str) -> ThemeEdits:
    return edits.model_copy(update={"rename": {**edits.rename, int(theme_id): label}})


def merge(edits: ThemeEdits, ids: list[int], into: int) -> ThemeEdits:
    ids = [int(i) for i in ids if int(i) != int(into)]
    if not ids:
        raise ConfigError(f"merge needs at least one id other than the target {into}")
    return edits.model_copy(update={"merge": [*edits.merge, Merge(ids=ids, into=int(into))]})


def ignore(edits: ThemeEdits, ids: list[int]) -> ThemeEdits:
    return edits.model_copy(update={"ignore": sorted({*edits.ignore, *map(int, ids)})})


def pin(edits: ThemeEdits, name: str, keywords: list[str], label: str | None = None) -> ThemeEdits:
    others = [p for p in edits.pin if p.name != name]
    return edits.model_copy(update={"pin": [*others, Pin(name=name, keywords=keywords, label=label)]})


def pin_matches(texts: list[str], keywords: list[str]) -> list[bool]:
    """Whether each text holds one of `keywords` at a word start ("parkeer" matches "parkeerplaats")."""
    if not keywords:
        return [False] * len(texts)
    pattern = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(k) for k in keywords) + ")", re.IGNORECASE)
    return [bool(pattern.search(t)) for t in texts]
