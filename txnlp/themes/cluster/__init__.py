"""Swappable clusterers: themes across languages in one embedding space."""
from txnlp.themes.cluster._base import Clusterer, drop_small_clusters
from txnlp.themes.cluster.agglomerative import AgglomerativeClusterer
from txnlp.themes.cluster.hdbscan import HDBSCANClusterer
from txnlp.themes.cluster.spectral import SpectralClusterer

__all__ = ["AgglomerativeClusterer", "Clusterer", "HDBSCANClusterer", "SpectralClusterer", "drop_small_clusters"]
