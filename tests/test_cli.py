"""The `newsdesk` command as a user meets it: run through click's runner against a temp data dir."""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from bot.cli import main
from bot.errors import NewsdeskError
from tests.conftest import REPO, SEED_DIR

INGEST_HINT = "newsdesk ingest PATH_OR_URL"
LONG_HEADLINE = "Harbour authority approves the long-delayed dredging of the northern channel after a decade of talks"


def _write_article(path: Path, title: str, body: str, source: str, published: str) -> None:
    path.write_text(f"---\ntitle: {title}\nsource: {source}\ndate: {published}\n---\n{body}\n")


def test_read_only_commands_on_a_missing_store_create_nothing_and_say_how_to_ingest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # the default data dir is ./.newsdesk
    runner = CliRunner()
    for command in (["stats"], ["sources"]):
        result = runner.invoke(main, command)
        assert result.exit_code == 0, result.output
        assert "the archive is empty" in result.output and INGEST_HINT in result.output
    assert json.loads(runner.invoke(main, ["sources", "--json"]).stdout) == []
    stats = json.loads(runner.invoke(main, ["stats", "--json"]).stdout)
    assert stats["articles"] == 0 and stats["chunks"] == 0 and stats["sources"] == {}
    asked = runner.invoke(main, ["ask", "What did Churkin say?"])
    assert asked.exit_code == 2
    assert asked.stderr.startswith("error: the archive is empty") and INGEST_HINT in asked.stderr
    assert len(asked.stderr.splitlines()) == 1
    assert not (tmp_path / ".newsdesk").exists()


def test_since_after_until_is_an_error_naming_both(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["ask", "What happened?", "--since", "2024-05-01", "--until", "2024-03-01"])
    assert result.exit_code == 2
    assert result.stderr == "error: --since 2024-05-01 is after --until 2024-03-01; swap them or drop one\n"
    assert not (tmp_path / ".newsdesk").exists()


def test_question_over_the_limit_is_refused_before_the_model_or_store_loads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)

    def no_loading(*args: object, **kwargs: object) -> None:
        raise AssertionError("the model and the store must not load for a question that is refused")

    monkeypatch.setattr("bot.core.Newsdesk.__init__", no_loading)
    result = CliRunner().invoke(main, ["ask", "Why? " * 401])
    assert result.exit_code == 2
    assert result.stderr == (
        "error: the question is 2,004 characters long; the limit is 2,000 (NEWSDESK_MAX_QUESTION_CHARS); "
        "ask something shorter\n"
    )
    monkeypatch.setenv("NEWSDESK_MAX_QUESTION_CHARS", "10")
    shorter = CliRunner().invoke(main, ["ask", "What did Churkin say?"])
    assert "the limit is 10 " in shorter.stderr


def test_sources_prints_an_aligned_table_cut_to_the_terminal_width(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEWSDESK_DATA_DIR", str(tmp_path / "data"))
    folder = tmp_path / "articles"
    folder.mkdir()
    _write_article(
        folder / "harbour.md", LONG_HEADLINE, "The harbour will be dredged next spring.", "Gazette", "2024-03-02"
    )
    (folder / "bridge.md").write_text("---\ntitle: Mayor opens bridge\n---\nThe mayor opened the bridge.\n")
    runner = CliRunner()
    assert runner.invoke(main, ["ingest", str(folder)]).exit_code == 0
    monkeypatch.setenv("COLUMNS", "100")
    lines = runner.invoke(main, ["sources"]).stdout.splitlines()
    header, rows, footer = lines[0], lines[1:-1], lines[-1]
    assert header.split() == ["id", "date", "chunks", "source", "headline"]
    assert footer == "2 articles" and len(rows) == 2
    starts = {name: header.index(name) for name in ("date", "chunks", "source", "headline")}
    by_source = {row[starts["source"] :].split()[0]: row for row in rows}
    gazette, unsourced = by_source["Gazette"], by_source["-"]
    assert gazette[starts["date"] :].startswith("2024-03-02 ")
    assert unsourced[starts["date"] :].startswith("- ")
    for row in rows:
        assert len(row) <= 100
        assert row[: starts["chunks"] + len("chunks")].split()[-1].isdigit()  # chunk counts right-aligned
    assert unsourced[starts["headline"] :] == "Mayor opens bridge"
    shown = gazette[starts["headline"] :]
    assert shown.endswith("…") and LONG_HEADLINE.startswith(shown[:-1]) and len(gazette) == 100
    monkeypatch.delenv("COLUMNS")  # piped output, no terminal: headlines in full
    assert any(line.endswith(LONG_HEADLINE) for line in runner.invoke(main, ["sources"]).stdout.splitlines())


def test_ctrl_c_during_ingest_reports_what_was_stored_and_exits_130(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ingestor.run returns its partial report, marked interrupted, when Ctrl-C lands mid-run."""
    from ingest.pipeline import Ingestor

    monkeypatch.setenv("NEWSDESK_DATA_DIR", str(tmp_path / "data"))
    real_run = Ingestor.run

    def interrupted_after_storing(self: Ingestor, *args: object, **kwargs: object) -> object:
        report = real_run(self, *args, **kwargs)  # type: ignore[arg-type]
        report.interrupted = True
        return report

    monkeypatch.setattr(Ingestor, "run", interrupted_after_storing)
    runner = CliRunner()
    result = runner.invoke(main, ["ingest", str(SEED_DIR)])
    assert result.exit_code == 130
    assert result.stdout.startswith("1 added, 0 updated, 0 unchanged, 0 failed")
    assert result.stderr == "interrupted: re-run the same command to continue (stored articles are skipped)\n"
    monkeypatch.setattr(Ingestor, "run", real_run)
    again = runner.invoke(main, ["ingest", str(SEED_DIR)])
    assert again.exit_code == 0 and again.stdout.startswith("0 added, 0 updated, 1 unchanged, 0 failed")


def test_ctrl_c_anywhere_else_exits_130_with_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSDESK_DATA_DIR", str(tmp_path / "data"))

    def pressed_ctrl_c(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("bot.state.SharedState.votes", pressed_ctrl_c)
    result = CliRunner().invoke(main, ["feedback"])
    assert result.exit_code == 130
    assert result.stderr == "interrupted\n" and result.stdout == ""


def test_library_warnings_stay_quiet_unless_verbose_before_or_after_the_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("NEWSDESK_DATA_DIR", str(tmp_path / "data"))
    page = tmp_path / "stub.html"
    page.write_text("<html><head><title>Stub</title></head><body><div></div></body></html>")
    runner = CliRunner()

    def trafilatura_warnings(args: list[str]) -> list[str]:
        caplog.clear()
        result = runner.invoke(main, args)
        assert result.exit_code == 1, result.output  # the page fails alone, with its one line
        assert f"failed: {page}: no article text found" in result.stderr
        return [r.getMessage() for r in caplog.records if r.name.startswith("trafilatura")]

    assert trafilatura_warnings(["ingest", str(page)]) == []
    assert any("discarding data" in m for m in trafilatura_warnings(["ingest", str(page), "-v"]))
    assert any("discarding data" in m for m in trafilatura_warnings(["-v", "ingest", str(page)]))
    assert logging.getLogger("trafilatura").getEffectiveLevel() <= logging.INFO


def test_errors_are_click_exceptions_shown_as_one_line_with_status_2(tmp_path: Path) -> None:
    runner = CliRunner()
    shown = runner.invoke(main, ["ingest"])
    assert shown.exit_code == 2
    assert shown.stderr == "error: nothing to ingest; give files, folders, URLs or --feed URL\n"
    raised = runner.invoke(main, ["ingest"], standalone_mode=False)
    assert isinstance(raised.exception, click.ClickException) and raised.exception.exit_code == 2


def test_readme_lists_every_command_and_every_json_option_has_help() -> None:
    readme = (REPO / "README.md").read_text()
    commands = readme.split("## Commands", 1)[1].split("\n## ", 1)[0]
    assert isinstance(main, click.Group)
    for name, command in main.commands.items():
        assert re.search(rf"^\| `newsdesk {name}\b", commands, re.M), f"README's commands table lacks {name}"
        for param in command.params:
            if param.name == "as_json":
                assert isinstance(param, click.Option) and param.help, f"{name} --json has no help"
    assert re.search(r"^\| `newsdesk ingest [^|]*--feed URL", commands, re.M)


def test_domain_errors_become_click_exceptions_at_the_edge(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    raised = CliRunner().invoke(main, ["ask", "What did Churkin say?"], standalone_mode=False)
    assert isinstance(raised.exception, click.ClickException) and raised.exception.exit_code == 2
    assert isinstance(raised.exception.__cause__, NewsdeskError)
    assert raised.exception.format_message().startswith("the archive is empty")


@pytest.mark.parametrize(
    ("given", "read"),
    [("2024-05-01", "2024-05-01"), ("20240501", "2024-05-01"), ("2024-W18-3", "2024-05-01")],
)
def test_date_options_take_what_date_fromisoformat_reads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, given: str, read: str
) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["ask", "What happened?", "--since", given, "--until", "2024-04-30"])
    assert result.exit_code == 2
    assert result.stderr == f"error: --since {read} is after --until 2024-04-30; swap them or drop one\n"


@pytest.mark.parametrize("flag", ["--since", "--until", "--as-of"])
def test_a_date_option_that_is_no_date_is_one_line_naming_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, flag: str
) -> None:
    monkeypatch.chdir(tmp_path)
    for value in ("yesterday", "2024-5-1", "2024-02-30"):
        result = CliRunner().invoke(main, ["ask", "What happened?", flag, value])
        assert result.exit_code == 2
        assert result.stderr == f"error: {flag} '{value}' is not a date; use YYYY-MM-DD\n"
    assert CliRunner().invoke(main, ["quotes", "Churkin", "--since", "May"]).stderr == (
        "error: --since 'May' is not a date; use YYYY-MM-DD\n"
    )
    assert not (tmp_path / ".newsdesk").exists()


def test_eval_takes_cutoffs_and_retrievers_comma_separated_or_repeated(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ingest.pipeline import IngestReport

    class NoDesk:
        def __init__(self, settings: object) -> None:
            pass

    class NoIngest:
        def run(self, *args: object, **kwargs: object) -> IngestReport:
            return IngestReport()

    calls: list[tuple[list[int], list[str]]] = []

    def recorded(
        desk: object, items: object, corpora: object, cutoffs: list[int], chosen: list[str], **_: object
    ) -> None:
        calls.append((cutoffs, chosen))
        raise click.exceptions.Exit(0)

    monkeypatch.setattr("bot.core.Newsdesk", NoDesk)
    monkeypatch.setattr("ingest.pipeline.Ingestor.for_desk", lambda desk: NoIngest())
    monkeypatch.setattr("bot.evaluate.run.run_eval", recorded)
    monkeypatch.setattr("bot.evaluate.run.load_dataset", lambda path: [])
    dataset = tmp_path / "questions.jsonl"
    dataset.write_text("")
    runner = CliRunner()
    base = ["eval", str(dataset), "--corpus", str(tmp_path), "--out", str(tmp_path / "out")]
    for extra in ([], ["--k", "10,1", "--k", "5", "--retrievers", "hybrid", "--retrievers", "dense, hybrid"]):
        result = runner.invoke(main, [*base, *extra])
        assert result.exit_code == 0, result.output
    assert calls == [([1, 5, 10], ["dense", "lexical", "hybrid"]), ([1, 5, 10], ["hybrid", "dense"])]
    for flag, value, message in (
        ("--retrievers", "dense,bm25", "'bm25' is not one of 'dense', 'lexical', 'hybrid'"),
        ("--retrievers", ",", "give at least one value"),
        ("--k", "1,five", "'five' is not a valid integer"),
        ("--k", "0", "0 is not in the range x>=1"),
    ):
        refused = runner.invoke(main, [*base, flag, value])
        assert refused.exit_code == 2 and f"Invalid value for '{flag}': {message}" in refused.stderr
    assert len(calls) == 2


def test_formats_and_modes_in_the_help_come_from_where_they_are_defined() -> None:
    from bot.retrieve import MODES
    from ingest.loaders import SUPPORTED_LIST

    assert isinstance(main, click.Group)
    assert f"({SUPPORTED_LIST})" in (main.commands["ingest"].help or "")
    retrievers = next(p for p in main.commands["eval"].params if p.name == "retrievers")
    shown = CliRunner().invoke(main, ["eval", "--help"], terminal_width=200).stdout
    assert retrievers.default == [",".join(MODES)] and f"[{'|'.join(MODES)}]" in shown
