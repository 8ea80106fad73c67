"""A tiny random BERT saved as a sentence-transformers folder, so split-encoder tests never load e5.

Word-piece vocabulary: whole words for the test sentences plus single letters (and ## continuations),
so any lower-case text tokenizes, with offsets, like the real fast tokenizer does.
"""
from __future__ import annotations

import string
from pathlib import Path

WORDS = ["query", "the", "app", "staff", "was", "is", "and", "but", "very", "train", "late", "again", "good", "great",
         "lovely", "bad", "awful", "broken", "ok", "fine", "address", "invoice", "today", "my", "order", "shop"]


def build_tiny_encoder(directory: Path, *, layers: int = 4, hidden: int = 32, max_seq_length: int = 16,
                       seed: int = 0) -> Path:
    """Write the tiny model to `directory` (a sentence-transformers folder) and return its path."""
    import torch
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors
    from transformers import BertConfig, BertModel, PreTrainedTokenizerFast

    try:
        from sentence_transformers.sentence_transformer.modules import Normalize, Pooling, Transformer
    except ImportError:  # sentence-transformers < 6
        from sentence_transformers.models import Normalize, Pooling, Transformer
    from sentence_transformers import SentenceTransformer

    directory = Path(directory)
    hf = directory / "hf"
    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    letters = list(string.ascii_lowercase + string.digits + ".,!?:;'-")
    vocab = {t: i for i, t in enumerate(dict.fromkeys(specials + WORDS + letters + ["##" + c for c in letters]))}
    tk = Tokenizer(models.WordPiece(vocab, unk_token="[UNK]", max_input_chars_per_word=100))
    tk.normalizer = normalizers.BertNormalizer(lowercase=True)
    tk.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tk.post_processor = processors.TemplateProcessing(single="[CLS] $A [SEP]", special_tokens=[("[CLS]", 2), ("[SEP]", 3)])
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=tk, unk_token="[UNK]", pad_token="[PAD]", cls_token="[CLS]",
                                        sep_token="[SEP]", mask_token="[MASK]", model_max_length=64)
    torch.manual_seed(seed)
    config = BertConfig(vocab_size=len(vocab), hidden_size=hidden, num_hidden_layers=layers, num_attention_heads=4,
                        intermediate_size=2 * hidden, max_position_embeddings=64, pad_token_id=0)
    BertModel(config).save_pretrained(hf)
    tokenizer.save_pretrained(hf)
    modules = [Transformer(str(hf), max_seq_length=max_seq_length), Pooling(hidden, "mean"), Normalize()]
    SentenceTransformer(modules=modules).save(str(directory / "st"))
    return directory / "st"
