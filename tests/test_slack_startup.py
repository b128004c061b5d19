"""`newsdesk slack` and `newsdesk doctor` at start-up: token formats checked locally before any network
call, the app token checked with apps.connections.open, one line per problem and no library noise."""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import main
from tests.fakes.slack_api import APP_TOKEN, BOT_TOKEN, SIGNING_SECRET, FakeSlack, serve_slack


@pytest.fixture()
def fake_slack() -> Iterator[FakeSlack]:
    with serve_slack() as fake:
        yield fake


@pytest.fixture()
def slack_env(fake_slack: FakeSlack, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    monkeypatch.setenv("NEWSDESK_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("SLACK_API_URL", fake_slack.base_url)
    return {"NEWSDESK_DATA_DIR": str(tmp_path / "data"), "SLACK_API_URL": fake_slack.base_url}


def _error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.strip()]


def test_missing_tokens_are_each_named_before_any_network_call(
    slack_env: dict[str, str], fake_slack: FakeSlack
) -> None:
    http = CliRunner().invoke(main, ["slack", "--http"])
    assert http.exit_code == 2
    assert _error_lines(http.stderr) == [
        "error: SLACK_BOT_TOKEN is not set; put the bot token (xoxb-…, OAuth & Permissions) "
        "in your environment or .env",
        "error: SLACK_SIGNING_SECRET is not set; HTTP mode needs it to verify Slack's requests "
        "(Basic Information → App Credentials)",
    ]
    socket = CliRunner().invoke(main, ["slack"])
    assert socket.exit_code == 2
    assert [line.split(";")[0] for line in _error_lines(socket.stderr)] == [
        "error: SLACK_BOT_TOKEN is not set",
        "error: SLACK_APP_TOKEN is not set",
    ]
    assert fake_slack.calls == []


def test_tokens_with_the_wrong_prefix_are_named_without_showing_them(
    slack_env: dict[str, str], fake_slack: FakeSlack, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xapp-1-A0SECRETBOT")  # the two tokens swapped, a common slip
    monkeypatch.setenv("SLACK_APP_TOKEN", "xoxb-0SECRETAPP")
    result = CliRunner().invoke(main, ["slack"])
    assert result.exit_code == 2
    assert _error_lines(result.stderr) == [
        "error: SLACK_BOT_TOKEN is not a xoxb- token (it starts with xapp-); "
        "put the bot token (xoxb-…, OAuth & Permissions) there",
        "error: SLACK_APP_TOKEN is not a xapp- token (it starts with xoxb-); "
        "put an app-level token (xapp-…, Basic Information → App-Level Tokens, scope connections:write) there",
    ]
    assert "SECRET" not in result.output and fake_slack.calls == []
    monkeypatch.setenv("SLACK_BOT_TOKEN", f' "{BOT_TOKEN}"')
    quoted = CliRunner().invoke(main, ["slack", "--http"])
    assert _error_lines(quoted.stderr)[0] == (
        "error: SLACK_BOT_TOKEN has spaces or quotes around it; remove them from your environment or .env"
    )


def _run(command: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """The real command in its own process, so every log line a user would see reaches stderr."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "NEWSDESK_", "OPENAI_", "CHROMA_"))}
    newsdesk = Path(sys.executable).with_name("newsdesk")
    return subprocess.run(
        [str(newsdesk), *command], env={**base, **env}, capture_output=True, text=True, timeout=300, check=False
    )


def test_a_rejected_app_token_is_one_line_not_a_traceback(slack_env: dict[str, str], fake_slack: FakeSlack) -> None:
    """Before: `newsdesk slack` printed a 56-line SlackApiError traceback from the Socket Mode client."""
    env = {**slack_env, "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_APP_TOKEN": "xapp-1-revoked"}
    result = _run(["slack"], env)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "error: Slack rejected SLACK_APP_TOKEN (invalid_auth); use an app-level token with connections:write "
        "(Basic Information → App-Level Tokens)"
    ]
    assert [call.method for call in fake_slack.calls] == ["auth.test", "apps.connections.open"]
    assert fake_slack.calls[-1].token == "xapp-1-revoked"


def test_doctor_reports_a_rejected_app_token(
    slack_env: dict[str, str], fake_slack: FakeSlack, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Before: doctor said "ok   slack: … socket mode" for an app token Slack rejects."""
    monkeypatch.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
    monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-1-revoked")
    result = CliRunner().invoke(main, ["doctor"])
    assert result.exit_code == 1
    assert re.search(r"^ok   slack: connected as newsdesk in Test Team$", result.stdout, re.M)
    assert re.search(
        r"^FAIL  slack mode: Slack rejected SLACK_APP_TOKEN \(invalid_auth\); use an app-level token",
        result.stdout,
        re.M,
    )
    assert not [r for r in caplog.records if r.name.startswith("slack") and r.levelno >= logging.WARNING]

    monkeypatch.setenv("SLACK_APP_TOKEN", APP_TOKEN)
    fixed = CliRunner().invoke(main, ["doctor"])
    assert re.search(r"^ok   slack mode: Socket Mode; SLACK_APP_TOKEN accepted", fixed.stdout, re.M)

    monkeypatch.delenv("SLACK_APP_TOKEN")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", SIGNING_SECRET)
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxp-user-token")
    http = CliRunner().invoke(main, ["doctor"])
    assert re.search(r"^FAIL  slack: SLACK_BOT_TOKEN is not a xoxb- token \(it starts with xoxp-\)", http.stdout, re.M)
    assert re.search(r"^ok   slack mode: HTTP \(SLACK_SIGNING_SECRET set, no SLACK_APP_TOKEN\)$", http.stdout, re.M)
