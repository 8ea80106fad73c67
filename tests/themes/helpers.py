"""Theme test helpers: clusterers built the way a run builds them, from the config's defaults."""
from txnlp.config import load_settings
from txnlp.registry import make


def spectral(**cluster):
    """The spectral clusterer of `[cluster]` with `cluster` overrides (e.g. n_clusters=4, n_neighbors=8)."""
    return make("clusterer", "spectral", load_settings(None, cluster=cluster))
