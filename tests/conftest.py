"""Shared fixtures: real Chroma in temp dirs, the real embedding model loaded once."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.config import Settings
from bot.core import Newsdesk
from bot.embeddings import LocalMiniLM
from ingest.pipeline import Ingestor
from tests.postgres_server import postgres_server, postgres_url  # noqa: F401 (fixtures)

REPO = Path(__file__).resolve().parent.parent
SEED_DIR = REPO / "examples" / "articles"
SHARED = Path(os.environ.get("NEWSDESK_SHARED_DIR", REPO.parent / "shared"))
BBC_DIR = SHARED / "data" / "bbc"
EVAL_DIR = SHARED / "data" / "eval"
CHURKIN_QUOTE = "Our attitude to sanctions, frankly, continues to be negative."


def make_settings(data_dir: Path, **overrides: object) -> Settings:
    """Settings isolated from the developer's environment and .env."""
    values: dict[str, object] = {"data_dir": data_dir, "allow_private_urls": True}
    if os.environ.get("NEWSDESK_MODEL_CACHE_DIR"):
        values["model_cache_dir"] = Path(os.environ["NEWSDESK_MODEL_CACHE_DIR"])
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def desk_with_articles(tmp_path: Path, embedder: LocalMiniLM, articles: dict[str, str], *also: Path) -> Newsdesk:
    """A fresh desk that has ingested these hand-made articles (file name → text) and `also`."""
    folder = tmp_path / "articles"
    folder.mkdir()
    for name, text in articles.items():
        (folder / name).write_text(text, encoding="utf-8")
    desk = Newsdesk(make_settings(tmp_path / "data"), embedder)
    assert Ingestor.for_desk(desk).run([*(str(path) for path in also), str(folder)]).ok
    return desk


@pytest.fixture(scope="session")
def model_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One ONNX export of the local model for the whole session (each test's data dir is new)."""
    return tmp_path_factory.mktemp("models")


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, model_cache: Path) -> None:
    for name in list(os.environ):
        if name.startswith(("NEWSDESK_", "OPENAI_", "CHROMA_", "SLACK_")):
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NEWSDESK_MODEL_CACHE_DIR", str(model_cache))
    monkeypatch.setenv("XDG_CACHE_HOME", str(model_cache.parent))


@pytest.fixture(scope="session")
def embedder(model_cache: Path) -> LocalMiniLM:
    return LocalMiniLM(cache_dir=model_cache)


@pytest.fixture()
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path / "data")


@pytest.fixture()
def desk(settings: Settings, embedder: LocalMiniLM) -> Newsdesk:
    return Newsdesk(settings, embedder)


@pytest.fixture(scope="session")
def bbc_dir() -> Path:
    if not BBC_DIR.is_dir():
        pytest.skip(f"needs the BBC corpus at {BBC_DIR} (../shared beside the repo); CI always has it")
    return BBC_DIR


def bbc_sample(bbc_dir: Path, per_category: int) -> list[str]:
    files: list[str] = []
    for category in sorted(p for p in bbc_dir.iterdir() if p.is_dir()):
        files.extend(str(path) for path in sorted(category.glob("*.txt"))[:per_category])
    return files


@pytest.fixture(scope="session")
def corpus_desk(tmp_path_factory: pytest.TempPathFactory, embedder: LocalMiniLM, bbc_dir: Path) -> Iterator[Newsdesk]:
    """Seed article plus 300 BBC distractors, built once and only read by the tests that use it."""
    data_dir = tmp_path_factory.mktemp("corpus")
    desk = Newsdesk(make_settings(data_dir), embedder)
    report = Ingestor.for_desk(desk).run([str(SEED_DIR), *bbc_sample(bbc_dir, 60)], source=None)
    assert report.ok, report.failed
    # The BBC set repeats a few stories word for word: those are one article each.
    assert len(report.added) + len(report.unchanged) == 301 and len(report.added) >= 295
    yield desk
