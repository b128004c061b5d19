"""Asking: hybrid retrieval finds the right article among hundreds, quotes it verbatim, or says it can't."""

from __future__ import annotations

import json
import math
import re
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.answer.citations import answer_dict, markers_in
from bot.cli import main
from bot.core import Newsdesk
from bot.models import Passage
from bot.retrieve import Filters, Mode
from ingest.clean import clean_text
from ingest.pipeline import Ingestor
from tests.conftest import CHURKIN_QUOTE, SEED_DIR


def _article_text(path: Path) -> str:
    return clean_text(path.read_text())


def test_churkin_quote_found_among_300_distractors(corpus_desk: Newsdesk) -> None:
    answer = corpus_desk.ask("What did Churkin say about sanctions?")
    assert answer.found
    assert CHURKIN_QUOTE in answer.text
    first = answer.citations[0]
    assert first.article.title == "Russia digs in its heels against Syria intervention"
    assert CHURKIN_QUOTE in first.quote
    assert markers_in(answer.text)[0] == first.n == 1


def test_json_answer_every_marker_has_a_citation_and_quotes_are_verbatim(corpus_desk: Newsdesk, bbc_dir: Path) -> None:
    texts = {
        "Russia digs in its heels against Syria intervention": _article_text(SEED_DIR / "russia-syria-intervention.txt")
    }
    for question in (
        "What did Churkin say about sanctions?",
        "How much did Time Warner's quarterly profits rise?",
        "What did Denisov call the calls for intervention?",
    ):
        payload = answer_dict(corpus_desk.ask(question))
        assert set(payload) >= {"question", "answer", "found", "citations"}
        numbers = {c["n"] for c in payload["citations"]}
        assert set(markers_in(payload["answer"])) == numbers
        for citation in payload["citations"]:
            assert citation["quote"]
            stored = " ".join(
                doc
                for _id, doc, meta in corpus_desk.store.iter_chunks()
                if meta["article_id"] == citation["article_id"]
            )
            assert citation["quote"] in stored
            if citation["title"] in texts:
                assert citation["quote"] in texts[citation["title"]]


def test_question_the_coverage_cannot_answer_says_so(corpus_desk: Newsdesk) -> None:
    answer = corpus_desk.ask("What is the boiling point of liquid nitrogen on Mars?")
    assert not answer.found
    assert answer.text.startswith("The coverage doesn't say.")
    assert answer.citations == []
    assert answer.closest  # names the nearest articles instead of quoting them


def test_lexical_side_finds_rare_names(corpus_desk: Newsdesk) -> None:
    passages = corpus_desk.retriever.search("Churkin", 5, mode="lexical")
    assert passages and passages[0].article.title.startswith("Russia digs in")


NAME_QUESTIONS = (
    "What did Churkin say about sanctions?",
    "What did Vitaly Churkin say?",
    "What did Denisov call the calls for intervention?",
)
SEED_TITLE = "Russia digs in its heels against Syria intervention"
MODES: tuple[Mode, ...] = ("dense", "lexical", "hybrid")


def _rank(passages: list[Passage], title: str) -> float:
    """Where the article first appears in the results (0 is first); infinity when it is missing."""
    return next((rank for rank, p in enumerate(passages) if p.article.title == title), math.inf)


def test_hybrid_matches_or_beats_each_side_on_a_name_question(corpus_desk: Newsdesk) -> None:
    beaten: list[tuple[str, str]] = []
    for question in NAME_QUESTIONS:
        results = {mode: corpus_desk.retriever.search(question, 5, mode=mode) for mode in MODES}
        # Each mode ran its own side: only lexical hits carry a BM25 score, and hybrid has both kinds.
        assert results["dense"] and all(p.lexical_score is None for p in results["dense"])
        assert results["lexical"] and all(p.lexical_score is not None for p in results["lexical"])
        assert results["hybrid"][0].lexical_score is not None and results["hybrid"][0].dense_similarity is not None
        ranks = {mode: _rank(passages, SEED_TITLE) for mode, passages in results.items()}
        assert ranks["hybrid"] == 0, (question, ranks)
        assert ranks["hybrid"] <= min(ranks["dense"], ranks["lexical"]), (question, ranks)
        beaten += [(question, side) for side in ("dense", "lexical") if ranks[side] > ranks["hybrid"]]
    assert beaten, "no question where one side alone ranks the article lower: the comparison proves nothing"


@pytest.fixture()
def dated_desk(desk: Newsdesk, tmp_path: Path) -> Newsdesk:
    docs = {
        "a.md": ("Mayor opens bridge", "Gazette", "2024-01-10", "The mayor opened the new river bridge on Monday."),
        "b.md": ("Mayor closes bridge", "Herald", "2024-03-20", "The mayor closed the old river bridge for repairs."),
        "c.md": ("Mayor paints bridge", "Gazette", "2024-06-01", "The mayor had the river bridge painted blue."),
    }
    for name, (title, source, day, body) in docs.items():
        (tmp_path / name).write_text(f"---\ntitle: {title}\nsource: {source}\ndate: {day}\n---\n{body}\n")
    assert Ingestor.for_desk(desk).run([str(tmp_path / n) for n in docs]).ok
    return desk


def _titles(desk: Newsdesk, filters: Filters, mode: str = "hybrid") -> set[str]:
    return {
        p.article.title for p in desk.retriever.search("What did the mayor do to the river bridge?", 10, filters, mode)
    }  # type: ignore[arg-type]


def test_date_and_source_filters_apply_to_both_retrievers(dated_desk: Newsdesk) -> None:
    for mode in ("dense", "lexical", "hybrid"):
        assert _titles(dated_desk, Filters(since=date(2024, 3, 1)), mode) == {
            "Mayor closes bridge",
            "Mayor paints bridge",
        }
        assert _titles(dated_desk, Filters(until=date(2024, 3, 20)), mode) == {
            "Mayor opens bridge",
            "Mayor closes bridge",
        }
        assert _titles(dated_desk, Filters(source="Gazette"), mode) == {"Mayor opens bridge", "Mayor paints bridge"}
        assert _titles(dated_desk, Filters(since=date(2024, 2, 1), until=date(2024, 5, 1), source="Herald"), mode) == {
            "Mayor closes bridge"
        }


def test_cli_ask_json_and_filters(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSDESK_DATA_DIR", str(tmp_path / "data"))
    runner = CliRunner()
    assert runner.invoke(main, ["ingest", str(SEED_DIR), "--source", "Seed"]).exit_code == 0
    result = runner.invoke(main, ["ask", "What did Churkin say about sanctions?", "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["found"] and payload["citations"][0]["source"] == "Seed"
    assert CHURKIN_QUOTE in payload["citations"][0]["quote"]
    filtered = json.loads(runner.invoke(main, ["ask", "What did Churkin say?", "--source", "Other", "--json"]).stdout)
    assert not filtered["found"]
    human = runner.invoke(main, ["ask", "What did Churkin say about sanctions?"])
    source = r"^\[1\] Russia digs in its heels against Syria intervention · Seed · 2012-05-30$"
    assert re.search(source, human.stdout, re.M)
    bad = runner.invoke(main, ["ask", "x", "--since", "yesterday"])
    assert bad.exit_code == 2 and "use YYYY-MM-DD" in bad.stderr
