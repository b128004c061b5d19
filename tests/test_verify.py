"""The LLM-answer checker: one sentence segmenter, abbreviations and numbers intact, markers kept."""

from __future__ import annotations

from bot.answer.verify import verify_answer
from bot.models import ArticleRef, Passage

SEED = (
    "Yesterday Russia's ambassador to the United Nations, Vitaly Churkin, told reporters that "
    '"Our attitude to sanctions, frankly, continues to be negative." He also shot down suggestions.'
)
ECONOMY = "The U.S. economy grew 2.5% in the quarter... Mr. Smith said growth of 3.1 per cent was possible next year."


def _passage(n: int, text: str, title: str) -> Passage:
    return Passage(f"a{n}:h:0", ArticleRef(f"a{n}", title), text, 0, 0, len(text))


PASSAGES = [_passage(1, SEED, "Russia digs in"), _passage(2, ECONOMY, "US economy grows")]


def test_abbreviations_do_not_cut_a_sentence_or_lose_its_verified_quote() -> None:
    raw = (
        'Mr. Churkin told reporters that "Our attitude to sanctions, frankly, continues to be negative" '
        "at the U.N. Security Council in New York [1]."
    )
    checked = verify_answer(raw, PASSAGES)
    assert checked.text == raw
    assert not checked.unverified_quotes
    assert [c.article.article_id for c in checked.citations] == ["a1"]
    assert checked.citations[0].quotes == ["Our attitude to sanctions, frankly, continues to be negative"]


def test_grouped_and_adjacent_markers_map_to_both_sources() -> None:
    for raw in ("Russia opposes sanctions and the U.S. economy grew [1, 2].", "Both happened [1][2]."):
        checked = verify_answer(raw, PASSAGES)
        assert [c.n for c in checked.citations] == [1, 2]
        assert "[1][2]" in checked.text


def test_numbers_decimals_and_ellipses_stay_in_one_sentence() -> None:
    raw = 'The U.S. economy grew 2.5% in the quarter... and Mr. Smith said "growth of 3.1 per cent was possible" [2].'
    checked = verify_answer(raw, PASSAGES)
    assert checked.text == raw.replace("[2]", "[1]")  # renumbered: the only source cited is now [1]
    assert not checked.unverified_quotes


def test_an_invented_quote_removes_only_its_own_sentence() -> None:
    raw = 'Churkin said "we will veto every resolution on Syria" [1]. The U.S. economy grew 2.5% in the quarter [2].'
    checked = verify_answer(raw, PASSAGES)
    assert checked.unverified_quotes == ["we will veto every resolution on Syria"]
    assert checked.text == "The U.S. economy grew 2.5% in the quarter [1]."


def test_markers_that_match_no_passage_are_dropped() -> None:
    checked = verify_answer("The U.S. economy grew [2][7].", PASSAGES)
    assert checked.dropped_markers == [7]
    assert checked.text == "The U.S. economy grew [1]."


def test_a_marker_after_a_quoted_sentence_stays_with_it() -> None:
    # The segmenter cuts between "[" and "1]" when the next sentence has no full stop after its marker.
    raw = (
        'Churkin said: "Our attitude to sanctions, frankly, continues to be negative." [1] '
        "Russia says the U.S. economy grew 2.5% in the quarter [2]"
    )
    checked = verify_answer(raw, PASSAGES)
    assert checked.text == raw
    assert [c.n for c in checked.citations] == [1, 2]
