"""Model directories: safetensors weights + JSON metadata + a manifest with sha256 of every file.

No pickle anywhere. A file whose hash does not match the manifest is refused (ArtifactError),
so a tampered or half-copied model never scores a comment.
"""
from __future__ import annotations

import hashlib
import json
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
from safetensors.numpy import load_file, save_file

from txnlp.errors import ArtifactError
from txnlp.io.write import atomic_write_dir

MANIFEST = "manifest.json"
WEIGHTS = "weights.safetensors"
META = "meta.json"
FORMAT_VERSION = 1


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def save_model_dir(directory: Path, tensors: dict[str, np.ndarray], meta: dict, extra_files: dict[str, str] | None = None) -> Path:
    """Write weights, meta and manifest into `directory` atomically (temp dir, then rename)."""
    from txnlp import __version__

    def write(tmp: Path) -> None:
        save_file({k: np.ascontiguousarray(v) for k, v in tensors.items()}, str(tmp / WEIGHTS))
        (tmp / META).write_text(json.dumps(meta, indent=2, ensure_ascii=False, default=str))
        for name, content in (extra_files or {}).items():
            (tmp / name).write_text(content)
        files = {f.name: sha256_file(f) for f in sorted(tmp.iterdir()) if f.is_file()}
        manifest = {"format_version": FORMAT_VERSION, "txnlp_version": __version__,
                    "created": datetime.now(timezone.utc).isoformat(timespec="seconds"), "files": files}
        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2))

    return atomic_write_dir(directory, write)


def read_versioned_json(path: Path, what: str, version: int = FORMAT_VERSION) -> dict:
    """A JSON file of ours (manifest, registry): refused when unreadable or of another format version."""
    try:
        data = json.loads(Path(path).read_text())
    except json.JSONDecodeError as exc:
        raise ArtifactError(f"{path}: unreadable {what} ({exc.msg})") from None
    if data.get("format_version") != version:
        raise ArtifactError(f"{path}: format_version {data.get('format_version')} != {version}")
    return data


def check_files(directory: Path, expected: dict[str, str], source: str) -> None:
    """Hash each file of `expected` ({name: sha256}) once; refuse a missing or changed one, named, with `source`."""
    for name, sha in expected.items():
        path = Path(directory) / name
        if not path.is_file():
            raise ArtifactError(f"{path}: listed in {source} but missing")
        if sha256_file(path) != sha:
            raise ArtifactError(f"{path}: sha256 does not match {source} (file changed or corrupt); refusing to load it")


def read_manifest(directory: Path) -> dict:
    """The manifest of a model directory, not yet checked against the files."""
    manifest_path = Path(directory) / MANIFEST
    if not manifest_path.is_file():
        raise ArtifactError(f"{directory}: no {MANIFEST}; not a txnlp model directory")
    return read_versioned_json(manifest_path, "manifest")


def verify_model_dir(directory: Path) -> dict:
    """Check every file's sha256 against the manifest; return the manifest."""
    manifest = read_manifest(directory)
    check_files(directory, manifest.get("files", {}), "the manifest")
    return manifest


def model_kind(directory: Path) -> str | None:
    """The `kind` a model directory's meta.json declares (read before loading, to pick the loader)."""
    try:
        return json.loads((Path(directory) / META).read_text()).get("kind")
    except (OSError, ValueError) as exc:
        raise ArtifactError(f"{directory}: cannot read {META} ({type(exc).__name__}: {exc})") from None


def load_model_dir(directory: Path) -> tuple[dict[str, np.ndarray], dict]:
    """Verified weights and meta of a model directory."""
    directory = Path(directory)
    verify_model_dir(directory)
    try:
        tensors = load_file(str(directory / WEIGHTS))
        meta = json.loads((directory / META).read_text())
    except Exception as exc:
        raise ArtifactError(f"{directory}: cannot read model files ({type(exc).__name__}: {exc})") from exc
    return tensors, meta
