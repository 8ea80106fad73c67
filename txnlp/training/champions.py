"""The champion registry: `models/registry.json` says which model directory each task uses.

One small JSON file per repository: for each task (`sentiment`, `pillar`) the champion and the
previous champions, each with its model id, directory, sha256 of every file, metrics and dates.
Promotion and rollback rewrite the file atomically (temp file, then rename), so a reader sees the
old champion or the new one, never half of each. A file whose sha256 differs from the registry
is refused with an ArtifactError naming it.

The gate: a challenger is promoted only when its overall figure (the unweighted mean of the
per-language macro-F1, so a small language counts as much as a big one) beats the champion's and
no language drops by more than `max_drop`.
"""
from __future__ import annotations

import json
import logging
import shutil
from datetime import datetime, timezone
from pathlib import Path

from txnlp.io.artifacts import MANIFEST, check_files, read_manifest, read_versioned_json, sha256_file
from txnlp.io.write import write_text
from txnlp.errors import ArtifactError, ConfigError

log = logging.getLogger(__name__)

FORMAT_VERSION = 1
OVERALL = "overall"
KEEP_PREVIOUS = 10


def read_registry(path: Path) -> dict:
    """The registry, or an empty one when the file does not exist yet."""
    path = Path(path)
    if not path.is_file():
        return {"format_version": FORMAT_VERSION, "models": {}}
    return read_versioned_json(path, "registry", FORMAT_VERSION)


def _write_registry(path: Path, data: dict) -> None:
    write_text(path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def _relative(model_dir: Path, registry_path: Path) -> str:
    model_dir, base = Path(model_dir).resolve(), Path(registry_path).resolve().parent
    try:
        return model_dir.relative_to(base).as_posix()
    except ValueError:
        return str(model_dir)


def make_entry(model_dir: Path, registry_path: Path, metrics: dict) -> dict:
    """A registry entry for `model_dir`: id from its meta.json, sha256 of every file, metrics."""
    model_dir = Path(model_dir)
    meta_path = model_dir / "meta.json"
    if not meta_path.is_file():
        raise ArtifactError(f"{model_dir}: no meta.json; not a txnlp model directory")
    meta = json.loads(meta_path.read_text())
    files = {f.relative_to(model_dir).as_posix(): sha256_file(f) for f in sorted(model_dir.rglob("*")) if f.is_file()}
    return {"model_id": meta.get("model_id", model_dir.name), "path": _relative(model_dir, registry_path),
            "files": files, "metrics": metrics, "date": meta.get("date"),
            "registered": datetime.now(timezone.utc).isoformat(timespec="seconds")}


def summarise_metrics(report: dict, languages: tuple[str, ...] | None = None) -> dict:
    """Per-group macro-F1 from an evaluation report ({group: {macro_f1: ...}}) plus `overall`."""
    out = {g: r["macro_f1"] for g, r in report.items() if g != "all" and (languages is None or g in languages)}
    if "all" in report:
        out["all"] = report["all"]["macro_f1"]
    per_lang = [v for g, v in out.items() if g != "all"]
    out[OVERALL] = round(sum(per_lang) / len(per_lang), 4) if per_lang else out.get("all", 0.0)
    return out


def gate(challenger: dict, champion: dict | None, max_drop: float = 0.02) -> tuple[bool, str]:
    """(promote?, reason). Metrics are `summarise_metrics` dicts measured on the same data."""
    if not champion:
        return True, "no champion yet"
    drops = {g: round(champion[g] - challenger.get(g, 0.0), 4) for g in champion
             if g not in (OVERALL, "all") and champion[g] - challenger.get(g, 0.0) > max_drop}
    if drops:
        return False, f"languages drop by more than {max_drop}: {drops}"
    if challenger[OVERALL] <= champion[OVERALL]:
        return False, f"overall {challenger[OVERALL]:.4f} is not above the champion's {champion[OVERALL]:.4f}"
    return True, f"overall {champion[OVERALL]:.4f} -> {challenger[OVERALL]:.4f}, no language drops more than {max_drop}"


def copy_model(model_dir: Path, models_root: Path, task: str) -> Path:
    """A copy of `model_dir` at `models_root/<task>/<model_id>/` (`model_dir` itself when it is that folder).

    An existing folder of the same id is never overwritten: the copy gets a timestamp suffix.
    """
    model_dir = Path(model_dir)
    meta_path = model_dir / "meta.json"
    if not meta_path.is_file():
        raise ArtifactError(f"{model_dir}: no meta.json; not a txnlp model directory")
    model_id = json.loads(meta_path.read_text()).get("model_id", model_dir.name)
    target = Path(models_root) / task / model_id
    if target.resolve() == model_dir.resolve():
        return model_dir
    if target.exists():
        target = target.with_name(f"{model_id}-{datetime.now(timezone.utc):%Y%m%dT%H%M%S}")
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copytree(model_dir, target)
    log.info("copied %s model %s into %s", task, model_id, target)
    return target


def place_model(model_dir: Path, models_root: Path, task: str) -> Path:
    """`model_dir` when it lies inside `models_root` (the registry's folder), else `copy_model` into it.

    A registry that points at a folder outside its own (a scratch or home folder) breaks when that
    folder is cleaned or the repository moves; a copy is versioned with the registry.
    """
    if Path(model_dir).resolve().is_relative_to(Path(models_root).resolve()):
        return Path(model_dir)
    return copy_model(model_dir, models_root, task)


def gate_rows(challenger: dict, champion: dict | None) -> list[dict]:
    """The figures behind `gate`, one row per language then `all` and `overall`: both models and the change.

    `champion` None (no champion yet) leaves its column and the change empty.
    """
    champion = champion or {}
    groups = sorted(g for g in {*challenger, *champion} if g not in (OVERALL, "all"))
    rows = []
    for g in [*groups, *(g for g in ("all", OVERALL) if g in challenger or g in champion)]:
        new, old = challenger.get(g), champion.get(g)
        rows.append({"language": g, "challenger": new, "champion": old,
                     "change": round(new - old, 4) if new is not None and old is not None else None})
    return rows


def promote(registry_path: Path, task: str, model_dir: Path, metrics: dict) -> dict:
    """Make `model_dir` the champion of `task`; the old champion goes to the front of `previous`.

    A model outside the registry's folder is copied into it first (`place_model`), so the registry
    never points at a scratch folder.
    """
    data = read_registry(registry_path)
    slot = data["models"].setdefault(task, {"champion": None, "previous": []})
    model_dir = place_model(model_dir, Path(registry_path).resolve().parent, task)
    entry = make_entry(model_dir, registry_path, metrics)
    entry["promoted"] = entry["registered"]
    if slot.get("champion"):
        slot["previous"] = [slot["champion"], *slot.get("previous", [])][:KEEP_PREVIOUS]
    slot["champion"] = entry
    _write_registry(registry_path, data)
    log.info("promoted %s model %s", task, entry["model_id"])
    return entry


def rollback(registry_path: Path, task: str) -> dict:
    """Make the previous champion of `task` the champion again; the rolled-back one is dropped to `rolled_back`."""
    data = read_registry(registry_path)
    slot = data["models"].get(task)
    if not slot or not slot.get("previous"):
        raise ConfigError(f"{registry_path}: no previous {task} champion to roll back to")
    current = slot["champion"]
    slot["champion"], slot["previous"] = slot["previous"][0], slot["previous"][1:]
    slot.setdefault("rolled_back", []).insert(0, current)
    _write_registry(registry_path, data)
    log.info("rolled back %s from %s to %s", task, current["model_id"], slot["champion"]["model_id"])
    return slot["champion"]


def champion(registry_path: Path, task: str) -> dict | None:
    return read_registry(registry_path)["models"].get(task, {}).get("champion")


def champion_dir(registry_path: Path, task: str) -> Path | None:
    """The directory of `task`'s champion, checked against its registry entry, or None when the registry has none.

    Every file listed in the registry must exist; see `verify_entry` for how the sha256 are checked.
    """
    entry = champion(registry_path, task)
    if entry is None:
        return None
    directory = entry_dir(registry_path, entry)
    verify_entry(directory, entry)
    return directory


def entry_dir(registry_path: Path, entry: dict) -> Path:
    """The model directory of a registry entry: its `path`, read against the registry's folder when relative."""
    directory = Path(entry["path"])
    return directory if directory.is_absolute() else Path(registry_path).resolve().parent / directory


def verify_entry(directory: Path, entry: dict) -> None:
    """Refuse a champion whose files differ from its registry entry, hashing no file the loader hashes again.

    The registry pins `manifest.json` (hashed here) and the manifest pins the files it lists, which
    `load_model_dir` hashes when the model loads: for those the registry's sha256 need only equal the
    manifest's. Files the manifest does not list (or every file, without a manifest) are hashed here.
    So each file is hashed once per load, and a changed weight file is still refused at load.
    """
    source = f"the registry entry of {entry['model_id']}"
    files = entry["files"]
    for name in files:
        if not (directory / name).is_file():
            raise ArtifactError(f"{directory / name}: listed in the registry for {entry['model_id']} but missing")
    pinned: dict[str, str] = {}
    if MANIFEST in files:
        check_files(directory, {MANIFEST: files[MANIFEST]}, source)
        pinned = read_manifest(directory).get("files", {})
    for name, sha in pinned.items():
        if name in files and files[name] != sha:
            raise ArtifactError(f"{directory / name}: sha256 in {MANIFEST} does not match {source}; refusing to load it")
    check_files(directory, {n: sha for n, sha in files.items() if n != MANIFEST and n not in pinned}, source)
