"""ONNX Runtime embedder: the same e5 weights, exported by txnlp, optionally int8-quantized.

Why our own export and not sentence-transformers' `backend="onnx"`: that path needs optimum-onnx,
which pins transformers < 4.58 while txnlp runs transformers 5. The graph is the bare transformer
(input_ids, attention_mask -> last_hidden_state); mean pooling and L2 normalisation are done here
in numpy, exactly as the sentence-transformers folder's Pooling and Normalize modules do.
The exported files live in the cache folder, never in git (`python -m txnlp.embed.onnx MODEL_DIR`).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import logging
import os
from pathlib import Path

import numpy as np

from txnlp.errors import ArtifactError
from txnlp.embed._base import l2_normalise
from txnlp.embed.sentence_transformers import (ONNX_SUBDIR, SERVED_FILES, recorded_served, served_fingerprint,
                                               served_sha256)

log = logging.getLogger(__name__)

FP32_FILE = "model.onnx"
INT8_FILE = "model_qint8.onnx"
RECORD_FILE = "txnlp_onnx.json"


def onnx_path(model_dir: str | Path, quantize: bool) -> Path:
    return Path(model_dir) / ONNX_SUBDIR / (INT8_FILE if quantize else FP32_FILE)


def _served_name(quantize: bool) -> str:
    """The export's path relative to the model folder, as the record names it."""
    return f"{ONNX_SUBDIR}/{INT8_FILE if quantize else FP32_FILE}"


def _record_export(model_dir: Path, record: dict, record_path: Path, quantize: bool) -> None:
    """Put the sha256 of the export just written (or, on upgrade, found unrecorded) into `record`, and save it."""
    from txnlp.io.write import write_json

    record.setdefault(SERVED_FILES, {}).update(served_sha256(model_dir, [_served_name(quantize)]))
    write_json(record_path, record)


def _weights_sha(model_dir: Path) -> str:
    record = model_dir / "txnlp_rebuild.json"
    if record.is_file():
        return json.loads(record.read_text())["source_sha256"]
    sizes = sorted((f.name, f.stat().st_size) for f in model_dir.rglob("*.safetensors"))
    return hashlib.sha256(json.dumps(sizes).encode()).hexdigest()


def export_onnx(model_dir: str | Path, quantize: bool = True, opset: int = 17) -> Path:
    """Export the transformer of a sentence-transformers folder to `<model_dir>/onnx/`; idempotent.

    The export is skipped when a record says these weights were already exported. Returns the
    path of the requested file (fp32 or int8 dynamic-quantized).
    """
    import torch
    from transformers import AutoModel

    model_dir = Path(model_dir)
    out_dir = model_dir / ONNX_SUBDIR
    record_path = out_dir / RECORD_FILE
    sha = _weights_sha(model_dir)
    record = json.loads(record_path.read_text()) if record_path.is_file() else {}
    fp32 = out_dir / FP32_FILE
    if record.get("weights_sha256") != sha or not fp32.is_file():
        out_dir.mkdir(parents=True, exist_ok=True)
        model = AutoModel.from_pretrained(str(model_dir)).eval()
        ids = torch.ones((2, 16), dtype=torch.long)
        mask = torch.ones((2, 16), dtype=torch.long)
        tmp = fp32.with_suffix(".onnx.tmp")

        class _Wrapped(torch.nn.Module):
            def __init__(self, inner):
                super().__init__()
                self.inner = inner

            def forward(self, input_ids, attention_mask):
                return self.inner(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state

        with torch.no_grad():
            torch.onnx.export(
                _Wrapped(model), (ids, mask), str(tmp), input_names=["input_ids", "attention_mask"],
                output_names=["last_hidden_state"], opset_version=opset, dynamo=False,
                dynamic_axes={"input_ids": {0: "batch", 1: "seq"}, "attention_mask": {0: "batch", 1: "seq"},
                              "last_hidden_state": {0: "batch", 1: "seq"}})
        os.replace(tmp, fp32)
        record = {"weights_sha256": sha, "opset": opset}
        _record_export(model_dir, record, record_path, quantize=False)
        log.info("exported onnx fp32 to %s", fp32)
    elif _served_name(False) not in record.get(SERVED_FILES, {}):
        _record_export(model_dir, record, record_path, quantize=False)
        log.warning("recorded sha256 of %s (exported before txnlp recorded it)", fp32)
    if not quantize:
        return fp32
    int8 = out_dir / INT8_FILE
    if record.get("int8_weights_sha256") != sha or not int8.is_file():
        from onnxruntime.quantization import QuantType, quantize_dynamic

        tmp = int8.with_suffix(".onnx.tmp")
        quantize_dynamic(str(fp32), str(tmp), weight_type=QuantType.QInt8)
        os.replace(tmp, int8)
        record["int8_weights_sha256"] = sha
        _record_export(model_dir, record, record_path, quantize=True)
        log.info("quantized onnx int8 to %s", int8)
    elif _served_name(True) not in record.get(SERVED_FILES, {}):
        _record_export(model_dir, record, record_path, quantize=True)
        log.warning("recorded sha256 of %s (quantized before txnlp recorded it)", int8)
    return int8


class OnnxEmbedder:
    """Encode with ONNX Runtime on an exported e5 graph; rows sorted by length so padding is short.

    Args:
        model_dir: the sentence-transformers folder (tokenizer files and the `onnx/` export).
        quantize: read the int8 graph instead of fp32.
        threads: intra-op threads of ONNX Runtime; None means all cores.
    """

    def __init__(self, model_dir: str, prefix: str = "query: ", batch_size: int = 32, max_seq_length: int = 256,
                 quantize: bool = True, threads: int | None = None):
        self.model_dir = model_dir
        self.prefix = prefix
        self.batch_size = batch_size
        self.max_seq_length = max_seq_length
        self.quantize = quantize
        self.threads = threads
        self._session = None
        self._tokenizer = None
        self._model_id = None

    @property
    def model_id(self) -> str:
        """`<folder>@<digest of the served graph and tokenizer>+onnx[-int8]`, verified once per load.

        The graph and tokenizer.json are what this embedder reads (not the safetensors it was exported
        from), so they are hashed: a changed byte is refused when recorded at export, and gets another id.
        """
        if self._model_id is None:
            model_dir = Path(self.model_dir)
            path = onnx_path(model_dir, self.quantize)
            if not path.is_file():
                raise ArtifactError(f"ONNX export not found at {path}; run `python -m txnlp.embed.onnx {self.model_dir}`")
            record_path = model_dir / ONNX_SUBDIR / RECORD_FILE
            export = json.loads(record_path.read_text()).get(SERVED_FILES, {}) if record_path.is_file() else {}
            tokenizer = {k: v for k, v in recorded_served(model_dir).items() if k == "tokenizer.json"}
            fingerprint = served_fingerprint(model_dir, [_served_name(self.quantize), "tokenizer.json"],
                                             {**tokenizer, **export}, f"the records in {model_dir}")
            self._model_id = f"{model_dir.name}@{fingerprint}+{'onnx-int8' if self.quantize else 'onnx'}"
        return self._model_id

    def _load(self):
        if self._session is None:
            import onnxruntime as ort
            from tokenizers import Tokenizer

            path = onnx_path(self.model_dir, self.quantize)
            model_id = self.model_id  # hash and check the served files before they are read
            options = ort.SessionOptions()
            options.intra_op_num_threads = self.threads or os.cpu_count() or 1
            options.inter_op_num_threads = 1
            self._session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
            tok = Tokenizer.from_file(str(Path(self.model_dir) / "tokenizer.json"))
            tok.enable_truncation(self.max_seq_length)
            tok.no_padding()
            self._tokenizer = tok
            log.info("loaded onnx embedder %s (threads=%d)", model_id, options.intra_op_num_threads)
        return self._session

    def encode(self, texts: list[str]) -> np.ndarray:
        session = self._load()
        if not texts:
            return np.zeros((0, session.get_outputs()[0].shape[-1] or 384), dtype=np.float32)
        encodings = self._tokenizer.encode_batch([self.prefix + t for t in texts])
        lengths = np.array([len(e.ids) for e in encodings])
        order = np.argsort(-lengths, kind="stable")
        out = None
        for start in range(0, len(texts), self.batch_size):
            rows = order[start:start + self.batch_size]
            width = int(lengths[rows].max())
            ids = np.full((len(rows), width), 1, dtype=np.int64)  # XLM-R pad id
            mask = np.zeros((len(rows), width), dtype=np.int64)
            for j, r in enumerate(rows):
                n = lengths[r]
                ids[j, :n] = encodings[r].ids
                mask[j, :n] = 1
            hidden = session.run(None, {"input_ids": ids, "attention_mask": mask})[0]
            pooled = (hidden * mask[:, :, None]).sum(axis=1) / np.maximum(mask.sum(axis=1, keepdims=True), 1)
            if out is None:
                out = np.empty((len(texts), pooled.shape[1]), dtype=np.float32)
            out[rows] = pooled
        return l2_normalise(out)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Export a sentence-transformers folder's transformer to ONNX.")
    parser.add_argument("model_dir")
    parser.add_argument("--no-quantize", action="store_true")
    args = parser.parse_args(argv)
    export_onnx(args.model_dir, quantize=not args.no_quantize)


if __name__ == "__main__":
    main()
