"""Settings: documented one by one, read from the environment, secrets never printed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import main
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


def test_invalid_settings_name_each_variable_its_value_and_what_is_allowed(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NEWSDESK_TOP_K", "abc")
    monkeypatch.setenv("CHROMA_PORT", "eighty")
    monkeypatch.setenv("NEWSDESK_EMBEDDINGS", "bert")
    result = CliRunner().invoke(main, ["stats"])
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "error: CHROMA_PORT=eighty is not valid: Input should be a valid integer",
        "error: NEWSDESK_EMBEDDINGS=bert is not valid: Input should be 'local' or 'openai'",
        "error: NEWSDESK_TOP_K=abc is not valid: Input should be a valid integer",
    ]


def test_unknown_newsdesk_keys_warn_with_the_closest_setting(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("NEWSDESK_TOPK=3\nNEWSDESK_LLM_MODEL=gpt-4.1-mini\nOTHER_TOOL_KEY=1\n")
    monkeypatch.setenv("NEWSDESK_DATADIR", str(tmp_path / "data"))
    monkeypatch.setenv("NEWSDESK_ZZZ", "1")
    result = CliRunner().invoke(main, ["sources"])
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        "warning: NEWSDESK_DATADIR (in the environment) is not a Newsdesk setting; did you mean NEWSDESK_DATA_DIR?",
        "warning: NEWSDESK_ZZZ (in the environment) is not a Newsdesk setting; .env.example lists them all",
        "warning: NEWSDESK_TOPK (in .env) is not a Newsdesk setting; did you mean NEWSDESK_TOP_K?",
    ]
