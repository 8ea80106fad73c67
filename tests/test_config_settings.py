import pytest

from txnlp.config import load_settings
from txnlp.errors import ConfigError
from txnlp.registry import build_clusterer


def test_config_file_env_and_overrides(tmp_path, monkeypatch):
    cfg = tmp_path / "t.toml"
    cfg.write_text("[cluster]\nn_clusters = 7\n[themes]\nreport_language = 'nl'\n")
    assert load_settings(cfg).cluster.n_clusters == 7
    monkeypatch.setenv("TXNLP_CLUSTER__N_CLUSTERS", "9")
    settings = load_settings(cfg)
    assert settings.cluster.n_clusters == 9 and settings.themes.report_language == "nl"
    assert build_clusterer(settings).n_clusters == 9


def test_config_errors_are_clear(tmp_path):
    cfg = tmp_path / "bad.toml"
    cfg.write_text("[cluster]\nmin_cluster_size = 1\n")
    with pytest.raises(ConfigError, match="cluster.min_cluster_size"):
        load_settings(cfg)
    with pytest.raises(ConfigError, match="config file not found"):
        load_settings(tmp_path / "missing.toml")


def test_registry_theme_clusterer_is_capped_for_scale(tmp_path):
    from txnlp.themes.cluster.sampled import SampledClusterer
    from txnlp.registry import build_themer

    settings = load_settings(None, scale={"ward_max_rows": 500})
    themer = build_themer(settings)
    assert isinstance(themer.clusterer, SampledClusterer) and themer.clusterer.max_rows == 500
