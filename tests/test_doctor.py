"""`newsdesk doctor`: one line per part of the setup, and a problem line says how to fix it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import main
from tests.conftest import SEED_DIR


def test_doctor_flags_an_empty_store_with_the_fix_and_creates_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data_dir = tmp_path / "data"
    monkeypatch.setenv("NEWSDESK_DATA_DIR", str(data_dir))
    runner = CliRunner()
    result = runner.invoke(main, ["doctor"])
    assert result.exit_code == 1
    assert re.search(
        rf"^FAIL  store: the archive is empty \(no store in {re.escape(str(data_dir))}\); "
        r"add articles with `newsdesk ingest PATH_OR_URL`$",
        result.stdout,
        re.M,
    )
    assert not data_dir.exists()
    assert runner.invoke(main, ["ingest", str(SEED_DIR)]).exit_code == 0
    stocked = runner.invoke(main, ["doctor"])
    assert re.search(r"^ok   store: \d+ chunks in .+, built with local:all-MiniLM-L6-v2", stocked.stdout, re.M)
