"""Settings: the only place that reads the environment (and `.env`).

One `Settings` object is built at the edge (CLI, Slack entry point) and passed
down explicitly, so tests can build their own without touching `os.environ`.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import AliasChoices, Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.errors import ConfigError

# How the dense and BM25 rankings are merged (bot.retrieve.fuse says what each means).
FusionMethod = Literal["relative", "rrf", "dbsf"]

# Defaults that objects built without Settings (tests, benchmarks, tuning) share with Settings,
# so the tuned values live here once (docs/EVAL.md has how they were tuned).
FUSION_METHOD: FusionMethod = "relative"
FUSION_DENSE_WEIGHT = 1.0
FUSION_LEXICAL_WEIGHT = 1.0
MIN_RELEVANCE = 0.30  # best sentence score below this: "the coverage doesn't say"
MIN_COVERAGE = 0.60  # share of the question's idf-weighted terms the answering article must hold

ENV_FILE = Path(".env")
# NEWSDESK_* variables that are not settings: read by the test suite, never by Newsdesk itself.
NOT_SETTINGS = frozenset({"NEWSDESK_SHARED_DIR"})


class Settings(BaseSettings):
    """Every field is documented in `.env.example`; a test keeps the two in step."""

    model_config = SettingsConfigDict(
        env_prefix="NEWSDESK_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        populate_by_name=True,
    )

    # --- store -----------------------------------------------------------
    data_dir: Path = Field(
        default=Path(".newsdesk"),
        description="Folder of the embedded Chroma store, lexical index cache and feedback DB.",
    )
    database_url: str | None = Field(
        default=None,
        description="Database of the state replicas share (event claims, answers, votes, channel settings, "
        "feed state): unset = SQLite file data_dir/slack.sqlite3; postgresql+psycopg://user:pw@host/db for "
        "several replicas.",
    )
    collection: str = Field(
        default="newsdesk",
        pattern=r"^[a-zA-Z0-9._-]{3,512}$",
        description="Chroma collection that holds the chunks.",
    )
    chroma_host: str | None = Field(
        default=None,
        validation_alias=AliasChoices("CHROMA_HOST", "NEWSDESK_CHROMA_HOST"),
        description="Host of a Chroma server; unset = embedded store in data_dir.",
    )
    chroma_port: int = Field(
        default=8000,
        validation_alias=AliasChoices("CHROMA_PORT", "NEWSDESK_CHROMA_PORT"),
        description="Port of the Chroma server.",
    )
    chroma_ssl: bool = Field(
        default=False,
        validation_alias=AliasChoices("CHROMA_SSL", "NEWSDESK_CHROMA_SSL"),
        description="Use HTTPS to reach the Chroma server.",
    )
    chroma_tenant: str = Field(
        default="default_tenant",
        validation_alias=AliasChoices("CHROMA_TENANT", "NEWSDESK_CHROMA_TENANT"),
        description="Chroma tenant.",
    )
    chroma_database: str = Field(
        default="default_database",
        validation_alias=AliasChoices("CHROMA_DATABASE", "NEWSDESK_CHROMA_DATABASE"),
        description="Chroma database.",
    )
    chroma_auth_token: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices("CHROMA_AUTH_TOKEN", "NEWSDESK_CHROMA_AUTH_TOKEN"),
        description="Token sent to the Chroma server (see chroma_auth_header).",
    )
    chroma_auth_header: str = Field(
        default="Authorization",
        validation_alias=AliasChoices("CHROMA_AUTH_HEADER", "NEWSDESK_CHROMA_AUTH_HEADER"),
        description="Header that carries the token: Authorization (sent as Bearer) or X-Chroma-Token.",
    )

    # --- embeddings ------------------------------------------------------
    embeddings: Literal["local", "openai"] = Field(
        default="local",
        description="local = all-MiniLM-L6-v2 on this machine; openai = OpenAI embeddings API.",
    )
    embeddings_backend: Literal["onnx", "torch", "onnx-int8"] = Field(
        default="onnx",
        description="Runtime of the local model: onnx (ONNX Runtime, exported once from the installed weights "
        "into data_dir/models) or torch (PyTorch), same vectors; onnx-int8 (that export quantised to int8 once: "
        "faster, vectors within ~0.006 cosine). Switching among the three needs no reindex (docs/EVAL.md).",
    )
    model_cache_dir: Path | None = Field(
        default=None,
        description="Where the ONNX export of the local model is cached (with its checksum); unset = data_dir/models.",
    )
    openai_embedding_model: str = Field(
        default="text-embedding-3-small",
        description="Embedding model used when embeddings=openai.",
    )

    # --- LLM -------------------------------------------------------------
    openai_api_key: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices("OPENAI_API_KEY", "NEWSDESK_OPENAI_API_KEY"),
        description="Enables LLM-written answers (and OpenAI embeddings if chosen).",
    )
    openai_base_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("OPENAI_BASE_URL", "NEWSDESK_OPENAI_BASE_URL"),
        description="Any OpenAI-compatible server, e.g. http://localhost:11434/v1 for Ollama.",
    )
    llm_model: str = Field(default="gpt-4.1-mini", description="Chat model that writes answers.")
    llm_temperature: float = Field(default=0.0, ge=0.0, le=2.0, description="Sampling temperature.")
    llm_timeout_s: float = Field(default=30.0, gt=0, description="Seconds before an LLM request is abandoned.")
    llm_max_retries: int = Field(default=1, ge=0, description="Retries on transient LLM errors.")
    llm_context_tokens: int = Field(default=3000, gt=100, description="Token budget for the passages sent to the LLM.")

    # --- ingest ----------------------------------------------------------
    chunk_size: int = Field(default=800, gt=100, description="Target characters per chunk.")
    chunk_overlap: int = Field(default=200, ge=0, description="Characters shared by neighbouring chunks.")
    max_file_mb: float = Field(default=20.0, gt=0, description="Files and downloads larger than this are refused.")
    fetch_timeout_s: float = Field(default=20.0, gt=0, description="Seconds allowed for fetching one URL.")
    allow_private_urls: bool = Field(
        default=False,
        description="Allow fetching URLs on private, loopback or link-local addresses (tests only).",
    )

    feeds: str = Field(default="", description="Comma-separated RSS/Atom feed URLs for `newsdesk watch`.")
    watch_interval_s: float = Field(default=900.0, gt=0, description="Seconds between `newsdesk watch` runs.")

    # --- answering -------------------------------------------------------
    top_k: int = Field(default=6, gt=0, description="Passages retrieved per question.")
    fusion_method: FusionMethod = Field(
        default=FUSION_METHOD,
        description="How dense and BM25 rankings merge: relative (scores scaled to 0-1), rrf (ranks), dbsf.",
    )
    fusion_dense_weight: float = Field(
        default=FUSION_DENSE_WEIGHT, ge=0.0, description="Weight of the dense (embedding) ranking in the fusion."
    )
    fusion_lexical_weight: float = Field(
        default=FUSION_LEXICAL_WEIGHT, ge=0.0, description="Weight of the BM25 ranking in the fusion."
    )
    min_relevance: float = Field(
        default=MIN_RELEVANCE,
        ge=0.0,
        le=1.0,
        description="Best sentence score below this: the answer says the coverage doesn't say.",
    )
    min_coverage: float = Field(
        default=MIN_COVERAGE,
        ge=0.0,
        le=1.0,
        description="Share of the question's (idf-weighted) terms the answering article must contain.",
    )
    max_question_chars: int = Field(
        default=2000,
        gt=0,
        description="Longer questions are refused (CLI and Slack) before any search runs.",
    )

    # --- Slack -----------------------------------------------------------
    slack_bot_token: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices("SLACK_BOT_TOKEN", "NEWSDESK_SLACK_BOT_TOKEN"),
        description="Bot token (xoxb-...).",
    )
    slack_app_token: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices("SLACK_APP_TOKEN", "NEWSDESK_SLACK_APP_TOKEN"),
        description="App-level token (xapp-...) for Socket Mode.",
    )
    slack_signing_secret: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices("SLACK_SIGNING_SECRET", "NEWSDESK_SLACK_SIGNING_SECRET"),
        description="Verifies Events API requests in --http mode.",
    )
    slack_api_url: str = Field(
        default="https://slack.com/api/",
        validation_alias=AliasChoices("SLACK_API_URL", "NEWSDESK_SLACK_API_URL"),
        description="Slack Web API base URL (GovSlack, tests).",
    )
    admins: str = Field(
        default="",
        description="Comma-separated Slack user ids allowed to run /newsdesk ingest and change channel settings "
        "(/newsdesk config).",
    )

    @property
    def admin_ids(self) -> frozenset[str]:
        return frozenset(part.strip() for part in self.admins.split(",") if part.strip())

    @property
    def feed_urls(self) -> list[str]:
        return [part.strip() for part in self.feeds.split(",") if part.strip()]

    @property
    def llm_enabled(self) -> bool:
        return self.openai_api_key is not None and bool(self.openai_api_key.get_secret_value())

    @property
    def max_file_bytes(self) -> int:
        return int(self.max_file_mb * 1024 * 1024)

    @property
    def chroma_path(self) -> Path:
        """Where the embedded store lives (unused when chroma_host is set)."""
        return self.data_dir / "chroma"

    @property
    def store_missing(self) -> bool:
        """No embedded store has been created yet. Always False with a Chroma server: only it knows."""
        return not self.chroma_host and not self.chroma_path.exists()

    def env_names(self) -> dict[str, str]:
        """Field name -> the environment variable a user sets (first alias, else prefixed name)."""
        return env_names()


def env_names() -> dict[str, str]:
    """Field name -> the environment variable a user sets (first alias, else prefixed name)."""
    names: dict[str, str] = {}
    for field_name, info in Settings.model_fields.items():
        alias = info.validation_alias
        if isinstance(alias, AliasChoices):
            names[field_name] = str(alias.choices[0])
        else:
            names[field_name] = f"NEWSDESK_{field_name.upper()}"
    return names


def _accepted_names() -> dict[str, str]:
    """Every variable name Settings reads (upper case) -> its field."""
    accepted = {name.upper(): field_name for field_name, name in env_names().items()}
    for field_name, info in Settings.model_fields.items():
        alias = info.validation_alias
        if isinstance(alias, AliasChoices):
            accepted.update({str(choice).upper(): field_name for choice in alias.choices})
    return accepted


def _shown_value(field_name: str | None, value: Any) -> str:
    if field_name is not None and Settings.model_fields[field_name].annotation in (SecretStr, SecretStr | None):
        return "***"
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= 60 else f"{text[:57]}..."


def settings_error_lines(error: ValidationError) -> list[str]:
    """One line per bad setting: the variable the user sets, the bad value and what is allowed."""
    shown = env_names()
    accepted = _accepted_names()
    lines = []
    for problem in error.errors():
        where = str(problem["loc"][0]) if problem["loc"] else "settings"
        # pydantic reports a field by name, or by the alias the value came in under (CHROMA_PORT).
        field_name = where if where in shown else accepted.get(where.upper())
        name = shown.get(where, where)
        allowed = problem["msg"].split(", unable to ")[0]  # pydantic repeats itself for numbers
        lines.append(f"{name}={_shown_value(field_name, problem.get('input'))} is not valid: {allowed}")
    return lines


def load_settings(env_file: Path | None = ENV_FILE) -> Settings:
    """Settings from the environment and `.env`; bad values raise ConfigError, one line per bad setting."""
    try:
        return Settings(_env_file=env_file)  # type: ignore[call-arg]
    except ValidationError as exc:
        raise ConfigError("\n".join(settings_error_lines(exc))) from exc


def unknown_setting_warnings(env_file: Path | None = ENV_FILE, environ: Mapping[str, str] | None = None) -> list[str]:
    """One line per NEWSDESK_* variable (environment, then `.env`) that no setting reads: usually a typo."""
    from dotenv import dotenv_values

    shown, accepted = env_names(), _accepted_names()
    prefix = "NEWSDESK_"  # compared without it, or every name would look alike
    by_suffix = {name.removeprefix(prefix): field for name, field in accepted.items() if name.startswith(prefix)}
    sources: list[tuple[str, Mapping[str, str | None]]] = [
        ("the environment", os.environ if environ is None else environ)
    ]
    if env_file is not None and env_file.is_file():
        sources.append((str(env_file), dotenv_values(env_file)))
    warnings = []
    for where, values in sources:
        for key in sorted(values):
            upper = key.upper()
            if not upper.startswith(prefix) or upper in accepted or upper in NOT_SETTINGS:
                continue
            close = difflib.get_close_matches(upper.removeprefix(prefix), list(by_suffix), n=1)
            hint = f"did you mean {shown[by_suffix[close[0]]]}?" if close else ".env.example lists them all"
            warnings.append(f"{key} (in {where}) is not a Newsdesk setting; {hint}")
    return warnings
