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


def test_config_path_reaches_the_toml_source_without_touching_the_environment(tmp_path, monkeypatch):
    """load_settings(path) must not publish the path process-wide: another thread building Settings meanwhile
    reads its own file, and the environment is the same during and after the call."""
    import os
    import threading

    import txnlp.config as config

    monkeypatch.chdir(tmp_path)  # no ./txnlp.toml: defaults unless a file is named
    monkeypatch.delenv("TXNLP_CONFIG", raising=False)
    a, b = tmp_path / "a.toml", tmp_path / "b.toml"
    a.write_text("[cluster]\nn_clusters = 7\n")
    b.write_text("[cluster]\nn_clusters = 8\n")
    seen = {}
    real_source = config.TomlConfigSettingsSource

    def spying_source(settings_cls, toml_file):
        if not seen:
            seen["env_during"] = os.environ.get("TXNLP_CONFIG")
            other = threading.Thread(target=lambda: seen.setdefault("other_thread", config.Settings().cluster.n_clusters))
            other.start()
            other.join()
        return real_source(settings_cls, toml_file=toml_file)

    monkeypatch.setattr(config, "TomlConfigSettingsSource", spying_source)
    env_before = dict(os.environ)
    assert load_settings(a).cluster.n_clusters == 7
    assert dict(os.environ) == env_before
    assert seen == {"env_during": None, "other_thread": None}  # the default: k chosen per run
    assert load_settings(b).cluster.n_clusters == 8 and load_settings(a).cluster.n_clusters == 7
    assert load_settings(None).cluster.n_clusters is None


def test_config_env_file_used_without_path_and_precedence_kept(tmp_path, monkeypatch):
    a, b = tmp_path / "a.toml", tmp_path / "b.toml"
    a.write_text("[cluster]\nn_clusters = 7\nmin_cluster_size = 4\n")
    b.write_text("[cluster]\nn_clusters = 8\n")
    monkeypatch.setenv("TXNLP_CONFIG", str(b))
    assert load_settings(None).cluster.n_clusters == 8
    assert load_settings(a).cluster.n_clusters == 7  # the given path wins over $TXNLP_CONFIG
    monkeypatch.setenv("TXNLP_CLUSTER__N_CLUSTERS", "9")
    settings = load_settings(a)
    assert (settings.cluster.n_clusters, settings.cluster.min_cluster_size) == (9, 4)  # env > file > defaults
    assert load_settings(a, cluster={"n_clusters": 10}).cluster.n_clusters == 10  # kwargs > env
    b.write_text("[cluster]\nmin_cluster_size = 1\n")
    with pytest.raises(ConfigError, match=r"invalid configuration in .*b\.toml: cluster.min_cluster_size"):
        load_settings(None)


def test_config_text_stage_defaults_reach_the_constructors():
    from txnlp.registry import build_text_pipeline

    _, tagger, redactor = build_text_pipeline(load_settings(
        None, language={"decoys": ["fr"], "min_letters": 5}, redact={"kinds": ["email"], "phone_regions": ["NL"]})).stages
    assert (tagger.detector.decoys, tagger.min_letters) == (("fr",), 5)
    assert (redactor.kinds, redactor.phone_regions) == (("email",), ("NL",))
    default = build_text_pipeline(load_settings(None)).stages
    assert default[1].detector.decoys == ("fr", "es", "it", "pt", "pl", "tr", "uk")
    assert default[1].languages == ("nl", "de", "ru", "en") and default[2].phone_regions == ("NL", "DE", "RU", "GB", "US")
