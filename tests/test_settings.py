"""Settings: documented one by one, read from the environment, secrets never printed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.config import Settings
from tests.conftest import REPO


def test_env_example_documents_every_setting() -> None:
    documented = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", (REPO / ".env.example").read_text(), re.M))
    expected = set(Settings(_env_file=None).env_names().values())  # type: ignore[call-arg]
    assert expected - documented == set()
    assert documented - expected == set()


def test_settings_come_from_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("NEWSDESK_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("OPENAI_API_KEY", "sk-secret-value")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    monkeypatch.setenv("NEWSDESK_EMBEDDINGS", "openai")
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.data_dir == tmp_path
    assert settings.llm_enabled and settings.embeddings == "openai"
    assert settings.openai_base_url == "http://127.0.0.1:9/v1"
    assert "sk-secret-value" not in repr(settings) and "sk-secret-value" not in str(settings.model_dump())


def test_bad_collection_name_is_rejected() -> None:
    with pytest.raises(ValueError):
        Settings(_env_file=None, collection="a b")  # type: ignore[call-arg]
