"""Kind name -> factory for every swappable stage, filled in one place (spaCy's factories); config picks by name.

Each family maps a config value to a `Factory` that builds the stage from its settings section:

- `clusterer` (`cluster.kind`): agglomerative, hdbscan, spectral;
- `theme_units` (`cluster.unit`): comment, sentence;
- `text` (the text pipeline, in this order): normalise, language, redact;
- `model` (the theme model): themes.

The pipeline is composed from these (`build_text_pipeline`, `build_themer`, `build_pipeline`); nothing
else constructs a stage from settings, so the config model stays the one source of defaults.
`tests/test_registry_contract.py` runs one contract over every entry here.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from txnlp import vocab as V
from txnlp.config import Settings
from txnlp.errors import ConfigError
from txnlp.pipeline import Pipeline, TextPipeline
from txnlp.text.language import LanguageTagger, LinguaDetector
from txnlp.text.normalise import Normaliser
from txnlp.text.redact import Redactor
from txnlp.themes.cluster import AgglomerativeClusterer, HDBSCANClusterer, SpectralClusterer
from txnlp.themes.cluster.sampled import SampledClusterer
from txnlp.themes.model import ThemeModel
from txnlp.themes.stage import ThemeStage
from txnlp.themes.units import CommentUnits, SentenceUnits


@dataclass(frozen=True)
class Factory:
    """How to build one kind.

    Attributes:
        build: `build(section, **deps)` -> the stage; `deps` are objects loaded at the edge (a detector,
            a second embedder), never settings.
        section: the `Settings` attribute passed as `section`; None passes the whole `Settings` (a
            composite stage that reads several sections).
        rewrites: for text stages, the existing columns the stage rewrites on purpose (normalised or
            redacted text, a cleaned `lang`); every other input column must come out unchanged.
    """

    build: Callable[..., Any]
    section: str | None
    rewrites: tuple[str, ...] = ()


def _language_tagger(lang, detector=None) -> LanguageTagger:
    return LanguageTagger(detector or LinguaDetector(lang.languages, lang.decoys), languages=lang.languages,
                          min_confidence=lang.min_confidence, min_letters=lang.min_letters,
                          trust_input=lang.trust_input_lang)


def build_themer(settings: Settings, second_embedder=None) -> ThemeModel:
    """The theme model: configured units and clusterer (capped for scale), thresholds from `[tracking]`."""
    c, t = settings.cluster, settings.tracking
    return ThemeModel(build_scaled_clusterer(settings), make("theme_units", c.unit, settings), second_embedder,
                      centre_languages=c.centre_languages, min_theme_size=c.min_cluster_size,
                      min_similarity=c.min_similarity, min_coherence=c.min_coherence,
                      match_threshold=t.match_threshold, assign_threshold=t.assign_threshold, full_every=t.full_every)


CLUSTERERS: dict[str, Factory] = {
    "agglomerative": Factory(lambda c: AgglomerativeClusterer(
        n_clusters=c.n_clusters, distance_threshold=c.distance_threshold, linkage=c.linkage,
        min_cluster_size=c.min_cluster_size), "cluster"),
    "hdbscan": Factory(lambda c: HDBSCANClusterer(min_cluster_size=c.min_cluster_size), "cluster"),
    "spectral": Factory(lambda c: SpectralClusterer(
        n_clusters=c.n_clusters, n_neighbors=c.n_neighbors, min_cluster_size=c.min_cluster_size,
        min_clusters=c.min_clusters, max_clusters=c.max_clusters, k_per_sqrt_n=c.k_per_sqrt_n,
        k_candidates=c.k_candidates, stability_resamples=c.stability_resamples,
        stability_fraction=c.stability_fraction, stability_max_rows=c.stability_max_rows), "cluster"),
}
THEME_UNITS: dict[str, Factory] = {
    "comment": Factory(lambda c: CommentUnits(), "cluster"),
    "sentence": Factory(lambda c: SentenceUnits(min_chars=c.sentence_min_chars), "cluster"),
}
TEXT_STAGES: dict[str, Factory] = {  # the text pipeline runs them in this order
    "normalise": Factory(lambda s: Normaliser(), "input", rewrites=(V.TEXT,)),
    "language": Factory(_language_tagger, "language", rewrites=(V.LANG,)),
    "redact": Factory(lambda r: Redactor(kinds=r.kinds, phone_regions=r.phone_regions, name_columns=r.name_columns),
                      "redact", rewrites=(V.TEXT,)),
}
MODEL_STAGES: dict[str, Factory] = {
    "themes": Factory(build_themer, None),
}
# family -> (the config key that picks the kind, its kinds)
FAMILIES: dict[str, tuple[str, dict[str, Factory]]] = {
    "clusterer": ("cluster.kind", CLUSTERERS),
    "theme_units": ("cluster.unit", THEME_UNITS),
    "text": ("text stage", TEXT_STAGES),
    "model": ("model stage", MODEL_STAGES),
}


def make(family: str, kind: str, settings: Settings, **deps):
    """Build `kind` of `family` from its settings section; an unknown kind names the known ones."""
    key, kinds = FAMILIES[family]
    try:
        factory = kinds[kind]
    except KeyError:
        raise ConfigError(f"unknown {key} '{kind}' (known: {', '.join(kinds)})") from None
    section = settings if factory.section is None else getattr(settings, factory.section)
    return factory.build(section, **deps)


def build_clusterer(settings: Settings):
    return make("clusterer", settings.cluster.kind, settings)


def build_scaled_clusterer(settings: Settings) -> SampledClusterer:
    """The configured clusterer, run on a sample above `scale.ward_max_rows` rows (its n^2 memory)."""
    return SampledClusterer(build_clusterer(settings), max_rows=settings.scale.ward_max_rows,
                            min_cluster_size=settings.cluster.min_cluster_size, seed=settings.seed)


def build_text_pipeline(settings: Settings, detector=None) -> TextPipeline:
    """normalise -> language -> redact; `detector` replaces the Lingua detector (tests)."""
    deps = {"language": {"detector": detector}}
    return TextPipeline([make("text", name, settings, **deps.get(name, {})) for name in TEXT_STAGES])


def build_theme_stage(settings: Settings, themer: ThemeModel) -> ThemeStage:
    """The theme stage around `themer`: descriptions (`[themes]`), ranking (`[rank]`), links, trends."""
    th, r, rep, t = settings.themes, settings.rank, settings.report, settings.tracking
    return ThemeStage(themer, report_language=th.report_language, n_keywords=th.n_keywords, n_quotes=th.n_quotes,
                      label_words=th.label_words, max_phrase_words=th.max_phrase_words,
                      phrase_candidates=th.phrase_candidates, label_diversity=th.label_diversity,
                      min_coherence=th.min_coherence,
                      audience_weight=r.audience_weight, pillar_weight=r.pillar_weight,
                      channel_weight=r.channel_weight, language_weight=r.language_weight,
                      min_link_negative=r.min_link_negative, employee_audiences=rep.employee_audiences,
                      customer_audiences=rep.customer_audiences, quotes_per_silo=rep.quotes_per_silo,
                      emerging_factor=t.emerging_factor,
                      emerging_window=t.emerging_window, emerging_min_size=t.emerging_min_size)


def build_pipeline(settings: Settings, *, embedder, sentiment, pillar, themer: ThemeModel, sentences=None,
                   tasks=None) -> Pipeline:
    """Compose the model half; models are loaded by the caller (runner) and passed in, the themer included.

    `tasks` (a FineTunedTagger) replaces `sentiment`, `pillar` and `sentences` with one encoder pass.
    """
    return Pipeline(embedder=embedder, sentiment=sentiment, pillar=pillar,
                    themes=build_theme_stage(settings, themer), sentences=sentences, tasks=tasks)
