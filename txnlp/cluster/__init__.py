"""Swappable clusterers: themes across languages in one embedding space."""
from ._base import Clusterer, drop_small_clusters
from .agglomerative import AgglomerativeClusterer
from .hdbscan import HDBSCANClusterer
from .spectral import SpectralClusterer

__all__ = ["AgglomerativeClusterer", "Clusterer", "HDBSCANClusterer", "SpectralClusterer", "drop_small_clusters"]
