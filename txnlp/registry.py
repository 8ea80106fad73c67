"""Name -> factory for every swappable stage, filled in one place; config picks by name."""
from __future__ import annotations

from .cluster import AgglomerativeClusterer, HDBSCANClusterer
from .cluster.sampled import SampledClusterer
from .config import Settings
from .errors import ConfigError
from .language import LanguageTagger, LinguaDetector
from .normalise import Normaliser
from .pipeline import Pipeline, TextPipeline
from .redact import Redactor

CLUSTERERS = {
    "agglomerative": lambda s: AgglomerativeClusterer(
        n_clusters=s.n_clusters, distance_threshold=s.distance_threshold,
        linkage=s.linkage, min_cluster_size=s.min_cluster_size),
    "hdbscan": lambda s: HDBSCANClusterer(min_cluster_size=s.min_cluster_size),
}


def build_clusterer(settings: Settings):
    try:
        factory = CLUSTERERS[settings.cluster.kind]
    except KeyError:
        raise ConfigError(f"unknown cluster.kind '{settings.cluster.kind}' (known: {', '.join(CLUSTERERS)})") from None
    return factory(settings.cluster)


def build_text_pipeline(settings: Settings, detector=None) -> TextPipeline:
    lang = settings.language
    return TextPipeline([
        Normaliser(),
        LanguageTagger(detector or LinguaDetector(lang.languages, lang.decoys), languages=lang.languages,
                       min_confidence=lang.min_confidence, min_letters=lang.min_letters,
                       trust_input=lang.trust_input_lang),
        Redactor(kinds=settings.redact.kinds, phone_regions=settings.redact.phone_regions),
    ])


def build_pipeline(settings: Settings, *, embedder, sentiment, pillar) -> Pipeline:
    """Compose the model half; models are loaded by the caller (runner) and passed in."""
    r = settings.rank
    return Pipeline(
        embedder=embedder, sentiment=sentiment, pillar=pillar, clusterer=SampledClusterer(
            build_clusterer(settings), max_rows=settings.scale.ward_max_rows,
            min_cluster_size=settings.cluster.min_cluster_size, seed=settings.seed),
        report_language=settings.themes.report_language, n_keywords=settings.themes.n_keywords,
        n_quotes=settings.themes.n_quotes, label_words=settings.themes.label_words,
        rank_weights={"audience_weight": r.audience_weight, "pillar_weight": r.pillar_weight,
                      "channel_weight": r.channel_weight, "language_weight": r.language_weight},
    )
