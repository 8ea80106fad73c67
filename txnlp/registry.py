"""Name -> factory for every swappable stage, filled in one place; config picks by name."""
from __future__ import annotations

from txnlp.themes.cluster import AgglomerativeClusterer, HDBSCANClusterer, SpectralClusterer
from txnlp.themes.cluster.sampled import SampledClusterer
from txnlp.config import Settings
from txnlp.errors import ConfigError
from txnlp.text.language import LanguageTagger, LinguaDetector
from txnlp.text.normalise import Normaliser
from txnlp.pipeline import Pipeline, TextPipeline
from txnlp.text.redact import Redactor

CLUSTERERS = {
    "agglomerative": lambda s: AgglomerativeClusterer(
        n_clusters=s.n_clusters, distance_threshold=s.distance_threshold,
        linkage=s.linkage, min_cluster_size=s.min_cluster_size),
    "hdbscan": lambda s: HDBSCANClusterer(min_cluster_size=s.min_cluster_size),
    "spectral": lambda s: SpectralClusterer(n_clusters=s.n_clusters, n_neighbors=s.n_neighbors,
                                            min_cluster_size=s.min_cluster_size),
}


def build_themer(settings: Settings, second_embedder=None):
    """The theme stage (`theming.ThemeModel`): units, language centring, clusterer, id matching."""
    from txnlp.themes.units import CommentUnits, SentenceUnits
    from txnlp.themes.model import ThemeModel

    c, t = settings.cluster, settings.tracking
    splitter = SentenceUnits(min_chars=c.sentence_min_chars) if c.unit == "sentence" else CommentUnits()
    return ThemeModel(build_scaled_clusterer(settings), splitter, second_embedder, centre_languages=c.centre_languages,
                      min_theme_size=c.min_cluster_size, match_threshold=t.match_threshold,
                      assign_threshold=t.assign_threshold, full_every=t.full_every)


def build_clusterer(settings: Settings):
    try:
        factory = CLUSTERERS[settings.cluster.kind]
    except KeyError:
        raise ConfigError(f"unknown cluster.kind '{settings.cluster.kind}' (known: {', '.join(CLUSTERERS)})") from None
    return factory(settings.cluster)


def build_scaled_clusterer(settings: Settings) -> SampledClusterer:
    """The configured clusterer, run on a sample above `scale.ward_max_rows` rows (its n^2 memory)."""
    return SampledClusterer(build_clusterer(settings), max_rows=settings.scale.ward_max_rows,
                            min_cluster_size=settings.cluster.min_cluster_size, seed=settings.seed)


def build_text_pipeline(settings: Settings, detector=None) -> TextPipeline:
    lang = settings.language
    return TextPipeline([
        Normaliser(),
        LanguageTagger(detector or LinguaDetector(lang.languages, lang.decoys), languages=lang.languages,
                       min_confidence=lang.min_confidence, min_letters=lang.min_letters,
                       trust_input=lang.trust_input_lang),
        Redactor(kinds=settings.redact.kinds, phone_regions=settings.redact.phone_regions),
    ])


def build_pipeline(settings: Settings, *, embedder, sentiment, pillar, themer=None, sentences=None) -> Pipeline:
    """Compose the model half; models are loaded by the caller (runner) and passed in."""
    r, t, rep = settings.rank, settings.tracking, settings.report
    return Pipeline(
        embedder=embedder, sentiment=sentiment, pillar=pillar, clusterer=build_scaled_clusterer(settings),
        report_language=settings.themes.report_language, n_keywords=settings.themes.n_keywords,
        n_quotes=settings.themes.n_quotes, label_words=settings.themes.label_words,
        rank_weights={"audience_weight": r.audience_weight, "pillar_weight": r.pillar_weight,
                      "channel_weight": r.channel_weight, "language_weight": r.language_weight},
        themer=themer,
        theme_options={"employee": rep.employee_audiences, "customer": rep.customer_audiences,
                       "min_link_negative": r.min_link_negative, "quotes": rep.quotes_per_silo,
                       "trends": {"growth_factor": t.emerging_factor, "window": t.emerging_window,
                                  "min_size": t.emerging_min_size}},
        sentences=sentences,
    )
