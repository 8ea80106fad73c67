import numpy as np
import pandas as pd

from txnlp.themes.cluster import AgglomerativeClusterer, HDBSCANClusterer, drop_small_clusters
from txnlp.config import RankSettings
from txnlp.themes.rank import rank_themes


def _planted(n_themes=4, per=12, dim=32, seed=0):
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(n_themes, dim)) * 3
    x = np.vstack([c + rng.normal(size=(per, dim)) for c in centres]).astype(np.float32)
    return x, np.repeat(np.arange(n_themes), per)


def test_cluster_recovers_planted_groups():
    from sklearn.metrics import adjusted_rand_score

    x, truth = _planted()
    for clusterer in (AgglomerativeClusterer(n_clusters=4, distance_threshold=None, linkage="ward", min_cluster_size=5),
                      HDBSCANClusterer(min_cluster_size=5)):
        labels = clusterer.fit_predict(x)
        assert adjusted_rand_score(truth, labels) > 0.9


def test_drop_small_clusters_renumbers_by_size():
    assert drop_small_clusters(np.array([5, 5, 5, 2, 2, 9]), 2).tolist() == [0, 0, 0, 1, 1, -1]


def _comments():
    rows = []
    for i in range(6):  # cross-silo negative theme 0
        rows.append({"id": f"a{i}", "theme_id": 0, "sentiment": "negative", "sentiment_score": -0.8,
                     "audience": "customer" if i % 2 else "employee", "pillar": "UX", "lang": "en", "channel": "app"})
    for i in range(7):  # single-silo negative theme 1, slightly bigger
        rows.append({"id": f"b{i}", "theme_id": 1, "sentiment": "negative", "sentiment_score": -0.8,
                     "audience": "customer", "pillar": "CX", "lang": "en", "channel": "phone"})
    rows.append({"id": "o", "theme_id": -1, "sentiment": "negative", "sentiment_score": -1.0,
                 "audience": "customer", "pillar": "CX", "lang": "en", "channel": "web"})
    return pd.DataFrame(rows)


def test_rank_cross_silo_theme_first_and_outliers_unranked():
    ranked = rank_themes(_comments(), **RankSettings().model_dump(exclude={"min_link_negative"})).set_index("theme_id")
    assert ranked.loc[0, "shared_rank"] == 1 and ranked.loc[1, "shared_rank"] == 2
    assert pd.isna(ranked.loc[-1, "shared_rank"])

