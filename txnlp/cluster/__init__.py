"""Swappable clusterers: themes across languages in one embedding space."""
from ._base import Clusterer, drop_small_clusters
from .agglomerative import AgglomerativeClusterer
from .hdbscan import HDBSCANClusterer

__all__ = ["AgglomerativeClusterer", "Clusterer", "HDBSCANClusterer", "drop_small_clusters"]
