"""`newsdesk doctor` checks the shared-state database: reachable, and at which migration revision,
without creating or migrating anything itself."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import main
from bot.state import SharedState
from bot.state.db import head_revision
from tests.conftest import make_settings
from tests.postgres_server import _free_port


def _database_line(output: str) -> str:
    (line,) = [line for line in output.splitlines() if re.match(r"^(ok  |FAIL) +database: ", line)]
    return line


def test_doctor_reports_the_sqlite_revision_and_creates_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEWSDESK_DATA_DIR", str(tmp_path))
    fresh = CliRunner().invoke(main, ["doctor"])
    assert _database_line(fresh.stdout) == (
        f"ok   database: no database yet at {tmp_path / 'slack.sqlite3'}; "
        f"the bot creates it (revision {head_revision()}) when it starts"
    )
    assert not (tmp_path / "slack.sqlite3").exists()
    SharedState.open(make_settings(tmp_path)).close()  # what the bot does at start-up
    migrated = CliRunner().invoke(main, ["doctor"])
    assert _database_line(migrated.stdout) == (
        f"ok   database: revision {head_revision()} (up to date) at sqlite:///{tmp_path / 'slack.sqlite3'}"
    )


def test_doctor_reports_postgresql_and_an_unreachable_server_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, postgres_url: str
) -> None:
    monkeypatch.setenv("NEWSDESK_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("NEWSDESK_DATABASE_URL", postgres_url)
    SharedState.open(make_settings(tmp_path, database_url=postgres_url)).close()
    up = _database_line(CliRunner().invoke(main, ["doctor"]).stdout)
    assert re.fullmatch(rf"ok   database: revision {head_revision()} \(up to date\) at postgresql\+psycopg://\S+", up)

    monkeypatch.setenv("NEWSDESK_DATABASE_URL", f"postgresql://newsdesk:secret@127.0.0.1:{_free_port()}/newsdesk")
    down = CliRunner().invoke(main, ["doctor"])
    assert down.exit_code == 1
    line = _database_line(down.stdout)
    assert line.startswith("FAIL  database: the database postgresql+psycopg://newsdesk:***@127.0.0.1:")
    assert line.endswith("; check NEWSDESK_DATABASE_URL") and "secret" not in down.stdout
