"""Block Kit payloads stay within Slack's limits and escape everything that came from outside."""

from __future__ import annotations

import json

import pytest

from bot.models import Answer, ArticleRef, Citation
from bot.slack.answering import question_from_message
from bot.slack.blocks import (
    FALLBACK_TEXT_LIMIT,
    MAX_BLOCKS,
    SECTION_LIMIT,
    answer_blocks,
    answer_fallback_text,
    escape,
    source_mrkdwn,
)
from bot.slack.listeners.commands import ingest_urls
from bot.slack.listeners.filters import addressed_to_people, is_question


def _texts(blocks: list[dict]) -> list[str]:  # type: ignore[type-arg]
    found = []
    for block in blocks:
        if "text" in block:
            found.append(block["text"]["text"])
        for element in block.get("elements", []):
            if isinstance(element.get("text"), str):
                found.append(element["text"])
    return found


def test_long_answer_is_split_within_limits() -> None:
    sentence = "The minister said the budget would be balanced by next spring & not later. "
    citations = [
        Citation(
            n,
            ArticleRef(
                f"a{n}", f"Headline {n} <b>", source="Wire", published="2024-01-01", url=f"https://x.test/{n}?a=1&b=2"
            ),
        )
        for n in range(1, 31)
    ]
    answer = Answer("q", (sentence * 2000).strip() + " [1]", True, citations=citations)
    blocks = answer_blocks(answer, "answer-id")
    assert len(blocks) <= MAX_BLOCKS
    assert all(len(text) <= SECTION_LIMIT for text in _texts(blocks))
    assert blocks[-1]["type"] == "actions"
    assert len(answer_fallback_text(answer)) <= FALLBACK_TEXT_LIMIT
    payload = json.dumps(blocks)
    assert "<b>" not in payload and "&amp;" in payload


def test_a_lead_block_counts_within_the_block_cap() -> None:
    """The slash command's question line sits above the answer: the two together stay within 50."""
    answer = Answer("q", ("A long sentence about the budget and the minister. " * 3000).strip(), True)
    lead = [{"type": "section", "text": {"type": "mrkdwn", "text": "*Q:* the budget?"}}]
    blocks = answer_blocks(answer, "answer-id", lead=lead)
    assert len(answer_blocks(answer, "answer-id")) == MAX_BLOCKS  # the answer alone fills the cap
    assert len(blocks) == MAX_BLOCKS and blocks[0] == lead[0] and blocks[-1]["type"] == "actions"


def test_short_answer_layout_and_sources() -> None:
    with_url = ArticleRef(
        "a1", "Russia digs in | heels", source="ABC News", published="2012-05-30", url="https://n.test/a?x=1&y=2"
    )
    without_url = ArticleRef("a2", "Plain headline", "", "")
    answer = Answer(
        "q", "> A quote [1]\n> Another [2]", True, citations=[Citation(1, with_url), Citation(2, without_url)]
    )
    blocks = answer_blocks(answer, "id1")
    assert [b["type"] for b in blocks] == ["section", "divider", "context", "section", "actions"]
    assert blocks[0]["text"]["text"] == "> A quote [1]\n> Another [2]"
    sources = blocks[3]["text"]["text"].split("\n")
    assert sources == [
        "[1] <https://n.test/a?x=1&amp;y=2|Russia digs in ¦ heels> · ABC News · 2012-05-30",
        "[2] *Plain headline*",
    ]


def test_escape_defuses_every_kind_of_ping() -> None:
    text = escape("<!channel> <!here> <!everyone> <@U123> <!subteam^S1> @here @channel @everyone a&b")
    assert "<" not in text and ">" not in text
    assert "@here" not in text and "@channel" not in text and "@everyone" not in text
    assert text.endswith("a&amp;b")


def test_question_from_message_strips_mentions_and_links() -> None:
    assert (
        question_from_message("<@UBOT1> What about <https://x.test/a|this story> &amp; <!here>?")
        == "What about this story & ?"
    )


@pytest.mark.parametrize(
    ("typed", "question"),
    [
        ("<@UBOT> What did *Churkin* say about _sanctions_?", "What did Churkin say about sanctions?"),
        ("<@UBOT> ```What did `Churkin` say?```", "What did Churkin say?"),
        ("<@UBOT> What did ~Lavrov~ Churkin say?", "What did Churkin say?"),  # struck out: a correction
        ("<@UBOT> What did *_Churkin_* say?", "What did Churkin say?"),
        ("Is 2 * 3 in the snake_case story about ~50 people?", "Is 2 * 3 in the snake_case story about ~50 people?"),
        # Slack's <…> entities and the inside of `code` are kept as written.
        ("What is <https://x.test/news/_live_/a> about?", "What is https://x.test/news/_live_/a about?"),
        ("<mailto:_press_@un.org|_press_@un.org> and `__init__`?", "_press_@un.org and __init__?"),
        ("*<@U1|ana>* asked: what did *Churkin* say?", "ana asked: what did Churkin say?"),
    ],
)
def test_mrkdwn_markers_around_words_are_not_part_of_the_question(typed: str, question: str) -> None:
    assert question_from_message(typed, "UBOT") == question


def test_a_bar_in_an_article_url_does_not_cut_its_link() -> None:
    """Slack ends a link's URL at its first "|"; the URL keeps its bar percent-encoded."""
    line = source_mrkdwn(ArticleRef("a1", "Budget row", url="https://example.com/search?q=a|b&x=1"), 1)
    assert "<https://example.com/search?q=a%7Cb&amp;x=1|Budget row>" in line


def test_who_a_channel_message_is_for_and_whether_it_is_a_question() -> None:
    assert addressed_to_people("<!subteam^S0EDITORS|@editors> What did Churkin say?", "UBOT1")
    assert not addressed_to_people("<@UBOT1> What did Churkin say?", "UBOT1")
    assert is_question("チュルキンは制裁について何と言いましたか？")
    assert is_question("Churkin 说了什么？")
    assert not is_question("why?")


def test_ingest_reads_urls_as_slack_escapes_them() -> None:
    raw = "https://news.example.com/story?id=42&amp;page=2 <https://news.example.com/b?x=1&amp;y=2|b>"
    assert ingest_urls(raw) == ["https://news.example.com/story?id=42&page=2", "https://news.example.com/b?x=1&y=2"]


def test_a_one_term_question_above_a_quoted_line_is_asked_about_it() -> None:
    assert question_from_message("<@UBOT> what did Putin say?\n&gt; Russia vetoes UN resolution on Syria", "UBOT") == (
        "what did Putin say about Russia vetoes UN resolution on Syria?"
    )
    assert question_from_message("Who said this?\n&gt; “We will not be moved”", "UBOT") == (
        "Who said “We will not be moved”?"
    )


def test_a_quoted_line_is_the_question_when_the_message_asks_nothing_of_its_own() -> None:
    assert question_from_message("&gt; What did Blair say about Iraq?\n<@UBOT> any idea?", "UBOT") == (
        "What did Blair say about Iraq?"
    )
    assert question_from_message("<@UBOT>\n&gt; what did amitai etzioni say?", "UBOT") == "what did amitai etzioni say?"
    assert question_from_message("<@UBOT> this ^\n&gt;&gt;&gt; What did Blair say\nabout Iraq?", "UBOT") == (
        "What did Blair say about Iraq?"
    )
    assert question_from_message(
        "&gt; an old line\n<@UBOT|newsdesk> What did Churkin say about sanctions?", "UBOT"
    ) == ("What did Churkin say about sanctions?")


def test_links_of_every_scheme_read_as_their_labels() -> None:
    text = "<@UBOT> did <tel:+4420|the press office> or <slack://channel?id=C1|#desk> say? <mailto:a@b.test>"
    assert question_from_message(text, "UBOT") == "did the press office or #desk say? mailto:a@b.test"
