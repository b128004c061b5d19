"""Who said what, end to end: ingest extracts quotes into Chroma, answers come from the speaker's own words."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.answer import speakers
from bot.answer.citations import quote_listing
from bot.answer.speakers import SpeakerParams, answer_who_said, quotes_by, speaker_quotes
from bot.cli import main
from bot.config import Settings
from bot.core import Newsdesk
from bot.embeddings import LocalMiniLM
from bot.models import ArticleRef, Quote
from bot.retrieve import Filters
from bot.store.summaries import StoredQuote
from ingest.pipeline import Ingestor
from tests.conftest import CHURKIN_QUOTE, SEED_DIR, desk_with_articles, make_settings

ECONOMY = """---
title: Brown hails strong economy
source: Example Wire
date: 2012-06-04
---
Chancellor Gordon Brown said the economy was growing faster than any other in Europe.

"Inflation is low and unemployment is falling," Mr Brown told MPs on Monday.

Shadow chancellor Oliver Letwin disagreed. "Gordon Brown's figures on the economy do not add up," he said.
"""


LETWIN = """---
title: Letwin attacks spending plans
source: Example Wire
date: 2012-06-11
---
Shadow chancellor Oliver Letwin said the government's spending plans would mean higher taxes.

"Gordon Brown's figures will mean tax rises after the election," said shadow chancellor Oliver Letwin.
"""


@pytest.fixture()
def speaker_desk(tmp_path: Path, embedder: LocalMiniLM) -> Newsdesk:
    return desk_with_articles(tmp_path, embedder, {"economy.md": ECONOMY}, SEED_DIR)


def test_the_answer_leads_with_speaker_role_date_and_words(speaker_desk: Newsdesk) -> None:
    answer = speaker_desk.ask("What did Churkin say about sanctions?")
    assert answer.found and answer.mode == "quotes"
    assert answer.text.startswith(
        f"Vitaly Churkin, Russia's ambassador to the United Nations (30 May 2012): “{CHURKIN_QUOTE}” [1]"
    )
    (citation,) = answer.citations
    assert citation.speaker == "Vitaly Churkin"
    assert citation.speaker_role == "Russia's ambassador to the United Nations"
    assert citation.article.published == "2012-05-30"


@pytest.mark.parametrize(
    "question",
    [
        "what did churkin say about sanctions",  # typed in lower case, as in chat
        "what did vitaly churkin say about sanctions?",
        "what has russia's ambassador vitaly churkin said about sanctions",
        "hi, what did vitaly churkin say about sanctions?",  # a greeting is no part of the question
    ],
)
def test_a_speaker_typed_in_lower_case_is_still_the_speaker(speaker_desk: Newsdesk, question: str) -> None:
    answer = speaker_desk.ask(question)
    assert answer.found and answer.mode == "quotes"
    assert answer.citations[0].speaker == "Vitaly Churkin"


def test_a_lower_case_name_the_parse_misreads_is_found_by_word_order(speaker_desk: Newsdesk) -> None:
    """spaCy reads no subject in "how did oliver letwin respond to …" (as with "what did amitai
    etzioni say …", where "amitai" parses as a verb): the words between "did" and the speech verb
    are looked up in the speaker index instead."""
    assert speakers.asked_speaker("how did oliver letwin respond to gordon brown's figures") is None
    answer = speaker_desk.ask("how did oliver letwin respond to gordon brown's figures")
    assert answer.found and answer.mode == "quotes"
    assert answer.citations[0].speaker == "Oliver Letwin"


@pytest.mark.parametrize(
    ("question", "speaker"),
    [
        ("What did the chancellor say about the economy?", "Gordon Brown"),
        # "shadow" makes another role: the shadow chancellor is not the chancellor, nor the reverse.
        ("What did the shadow chancellor say about Gordon Brown's figures?", "Oliver Letwin"),
    ],
)
def test_a_speaker_named_by_role_is_the_one_quoted_in_that_role(
    tmp_path: Path, embedder: LocalMiniLM, question: str, speaker: str
) -> None:
    """A role names its holder once the archive quotes them with it twice (one may be a misreading)."""
    desk = desk_with_articles(tmp_path, embedder, {"economy.md": ECONOMY, "letwin.md": LETWIN})
    answer = desk.ask(question)
    assert answer.found and answer.mode == "quotes"
    assert {citation.speaker for citation in answer.citations} == {speaker}


def test_a_first_name_alone_is_no_speaker_and_a_lower_case_name_is_read_whole(speaker_desk: Newsdesk) -> None:
    """ "Paul" alone matched Paul Sculthorpe for "what did vivek paul say": a single name is a surname;
    and where the parse keeps only the last word of a lower-case name, the words typed are the name."""
    index = speaker_desk.answerer.speakers
    assert index.match("Vitaly") == [] and index.match("Churkin") == ["vitaly churkin"]
    asked = speakers.read_speaker_question("what did oliver letwin say about the figures", index)
    assert speakers.asked_speaker("what did oliver letwin say about the figures") == "letwin"
    assert asked is not None and asked.asked_name == "oliver letwin"


@pytest.mark.parametrize(
    "question",
    [
        "What did the governor say about sanctions?",  # no quote has "governor" as its role
        "What did ministers say about sanctions?",  # many people
        "what did banks say about interest rates?",  # a common noun, no name
        "What did the government say about the economy?",
    ],
)
def test_a_role_or_a_common_noun_no_one_is_quoted_as_is_no_speaker(speaker_desk: Newsdesk, question: str) -> None:
    assert speakers.read_speaker_question(question, speaker_desk.answerer.speakers) is None


def test_a_speaker_on_a_topic_no_article_mentions_says_so_and_what_they_did_say(speaker_desk: Newsdesk) -> None:
    answer = speaker_desk.ask("What did Vitaly Churkin say about Brexit?")
    assert not answer.found
    assert answer.text.startswith("No article mentions “Brexit”. The coverage has no remark by Vitaly Churkin")
    assert CHURKIN_QUOTE in answer.text


def test_a_quote_about_the_speaker_is_never_presented_as_theirs(speaker_desk: Newsdesk) -> None:
    answer = speaker_desk.ask("What has Gordon Brown said about the economy?")
    assert answer.found
    assert "Inflation is low" in answer.text
    assert "do not add up" not in answer.text  # Letwin talking about Brown
    assert all(c.speaker == "Gordon Brown" for c in answer.citations)


def test_a_real_speaker_on_a_topic_they_never_spoke_on_is_a_refusal_with_what_they_did_say(
    speaker_desk: Newsdesk,
) -> None:
    answer = speaker_desk.ask("What did Vitaly Churkin say about interest rates?")
    assert not answer.found
    assert answer.text.startswith("The coverage has no remark by Vitaly Churkin about interest rates.")
    assert CHURKIN_QUOTE in answer.text  # what he is quoted on
    assert all(c.speaker == "Vitaly Churkin" for c in answer.citations)


def test_reported_speech_is_shown_as_the_reporters_words_not_in_quotation_marks(speaker_desk: Newsdesk) -> None:
    answer = speaker_desk.ask("What did Gordon Brown say about growth in Europe?")
    assert answer.found
    line = next(line for line in answer.text.splitlines() if "growing faster" in line)
    assert line == (
        "Gordon Brown, Chancellor (4 June 2012) said the economy was growing faster than any other in Europe. [1]"
    )


def test_who_said_is_answered_from_the_quote_index(speaker_desk: Newsdesk) -> None:
    answer = speaker_desk.ask("Who said the figures on the economy do not add up?")
    assert answer.found
    assert answer.citations[0].speaker == "Oliver Letwin"


BUDGET = """---
title: Bush to get tough on deficit
source: Example Wire
date: 2005-01-24
---
President George W Bush has said he will send Congress a tight budget next month.

The dollar has fallen against the euro for weeks. Mr Bush, however, has said the best way to halt the dollar's \
slide is to deal with the deficit. "It's a budget that I think will send the right signal to the financial \
markets," Mr Bush added.
"""
WALL_STREET = """---
title: Traders wait for the spending plan
source: Market Wire
date: 2005-01-25
---
Traders in New York said investors want the administration's spending plan to show it is serious about the deficit.

"Wall Street needs a clear message from Washington that the public finances are being fixed," said {speaker}.
"""
MARKETS = WALL_STREET.format(speaker="Anna Cole, an economist at Example Bank")
BUSH_ON_WALL_STREET = WALL_STREET.format(speaker="President George W Bush")


def test_who_said_finds_words_quoted_verbatim_below_quotes_nearer_in_meaning(
    tmp_path: Path, embedder: LocalMiniLM, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In the BBC store (15,000 quotes) a quote asked about word for word can rank past the 40 nearest
    in meaning, its vector being of its sentences in context; here one candidate stands for the 40,
    and Anna Cole's remark, nearer in meaning than Bush's own words, takes it."""
    desk = desk_with_articles(tmp_path, embedder, {"budget.md": BUDGET, "markets.md": MARKETS})
    monkeypatch.setattr(speakers, "CANDIDATES", 1)
    question = 'Who said "a budget that will send the right signal to the financial markets"?'
    idf = desk.lexical.get().idf
    by_meaning_only = answer_who_said(question, desk.store, desk.embedder, idf, SpeakerParams())
    assert by_meaning_only is None or by_meaning_only.citations[0].speaker != "George W Bush"
    answer = desk.ask(question)
    assert answer.found and answer.mode == "quotes"
    assert answer.citations[0].speaker == "George W Bush"
    assert "send the right signal to the financial markets" in answer.text
    on_markets_only = desk.ask(question, filters=Filters(sources=("Market Wire",)))  # a channel's sources
    assert all(citation.article.source == "Market Wire" for citation in on_markets_only.citations)
    assert "George W Bush" not in on_markets_only.text
    by_meaning_alone = desk.ask(question, mode="dense")  # no BM25 when dense retrieval alone is asked for
    assert by_meaning_alone.mode != "quotes" or by_meaning_alone.citations[0].speaker != "George W Bush"


def test_a_speakers_quote_with_the_topics_words_is_found_below_their_quotes_nearer_in_meaning(
    tmp_path: Path, embedder: LocalMiniLM, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same for "what did X say about …": a speaker with hundreds of quotes (Tony Blair has 333 in
    the BBC store) can have the one with the topic's words past the 40 nearest in meaning."""
    desk = desk_with_articles(tmp_path, embedder, {"budget.md": BUDGET, "wall.md": BUSH_ON_WALL_STREET})
    monkeypatch.setattr(speakers, "CANDIDATES", 1)
    topic = "a budget that will send the right signal to the financial markets"
    keys = desk.speakers.match("George W Bush")
    idf = desk.lexical.get().idf
    by_meaning_only = speaker_quotes(desk.store, desk.embedder, keys, topic, idf, SpeakerParams())
    assert [ranked.stored.quote.text[:11] for ranked in by_meaning_only] == ["Wall Street"]
    answer = desk.ask(f"What did George W Bush say about {topic}?")
    assert answer.found and answer.mode == "quotes"
    assert answer.text.splitlines()[0].endswith(
        "“It's a budget that I think will send the right signal to the financial markets” [1]"
    )
    _name, listed = quotes_by(
        desk.store,
        desk.embedder,
        desk.speakers,
        "George W Bush",
        topic,
        idf=idf,
        lexical_articles=desk.retriever.lexical_articles,
    )
    assert listed and listed[0].quote.text.startswith("It's a budget")
    monkeypatch.setenv("NEWSDESK_DATA_DIR", str(desk.settings.data_dir))
    listing = CliRunner().invoke(main, ["quotes", "George W Bush", "--about", topic, "--json"])
    assert listing.exit_code == 0, listing.output
    assert json.loads(listing.stdout)["quotes"][0]["quote"].startswith("It's a budget")  # the CLI passes BM25 on


def test_a_time_filter_that_leaves_nothing_names_the_newest_coverage(speaker_desk: Newsdesk) -> None:
    answer = speaker_desk.ask("What happened in Syria in 2010?", as_of=date(2012, 6, 6))
    assert not answer.found
    assert "2010" in answer.text
    assert "Russia digs in its heels against Syria intervention" in answer.text and "30 May 2012" in answer.text
    assert answer.filters == {"since": "2010-01-01", "until": "2010-12-31"}


def test_this_week_picks_the_coverage_of_that_week(speaker_desk: Newsdesk) -> None:
    answer = speaker_desk.ask("What did Gordon Brown say this week?", as_of=date(2012, 6, 6))
    assert answer.found and answer.as_of == "2012-06-06"
    assert all(c.article.published == "2012-06-04" for c in answer.citations)


def test_ask_json_carries_speaker_as_of_and_filters(speaker_desk: Newsdesk, monkeypatch: pytest.MonkeyPatch) -> None:
    settings: Settings = speaker_desk.settings
    monkeypatch.setenv("NEWSDESK_DATA_DIR", str(settings.data_dir))
    result = CliRunner().invoke(
        main, ["ask", "What did Churkin say about sanctions in May 2012?", "--as-of", "2012-06-06", "--json"]
    )
    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)
    assert answer["as_of"] == "2012-06-06"
    assert answer["filters"] == {"since": "2012-05-01", "until": "2012-05-31"}
    assert answer["citations"][0]["speaker"] == "Vitaly Churkin"
    assert answer["citations"][0]["speaker_role"] == "Russia's ambassador to the United Nations"


def test_quotes_command_lists_a_speakers_quotes_newest_first(
    speaker_desk: Newsdesk, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEWSDESK_DATA_DIR", str(speaker_desk.settings.data_dir))
    result = CliRunner().invoke(main, ["quotes", "Brown", "--json"])
    assert result.exit_code == 0, result.output
    listed = json.loads(result.stdout)
    assert listed["speaker"] == "Gordon Brown"
    assert any("Inflation is low" in q["quote"] for q in listed["quotes"])
    assert all(q["published"] == "2012-06-04" for q in listed["quotes"])
    text = CliRunner().invoke(main, ["quotes", "Churkin", "--about", "sanctions"])
    assert text.exit_code == 0 and CHURKIN_QUOTE in text.output and "30 May 2012" in text.output
    assert text.output.startswith("Vitaly Churkin: 1 quote about sanctions\n")


def test_answers_name_the_passages_they_were_built_from(speaker_desk: Newsdesk) -> None:
    quoted = speaker_desk.ask("What did Churkin say about sanctions?")
    assert quoted.passage_ids and all(":q" in pid for pid in quoted.passage_ids)  # quote ids
    extractive = speaker_desk.ask("Which economy is growing faster than any other in Europe?")
    assert extractive.found and extractive.passage_ids
    assert {pid.split(":")[0] for pid in extractive.passage_ids} == {c.article.article_id for c in extractive.citations}


def test_lord_browne_is_not_des_browne(tmp_path: Path, embedder: LocalMiniLM) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "oil.md").write_text(
        "---\ntitle: Oil profits soar\nsource: Example Wire\ndate: 2005-02-08\n---\n"
        'Oil chief executive Lord Browne said: "The profits are up more than the price of oil is up."\n',
        encoding="utf-8",
    )
    (folder / "weddings.md").write_text(
        "---\ntitle: New rules tackle sham weddings\nsource: Example Wire\ndate: 2005-02-01\n---\n"
        'Immigration minister Des Browne said: "Our aim is to avoid disruption of genuine marriages."\n',
        encoding="utf-8",
    )
    desk = Newsdesk(make_settings(tmp_path / "data"), embedder)
    assert Ingestor.for_desk(desk).run([str(folder)]).ok
    lord = desk.speakers.match("Lord Browne")
    assert [desk.speakers.speakers()[key][0] for key in lord] == ["Lord Browne"]
    assert len(desk.speakers.match("Browne")) == 2  # the surname alone still finds both, and says so
    name, found = quotes_by(desk.store, desk.embedder, desk.speakers, "Browne")
    listing = quote_listing(name, found)
    assert listing[0] == "2 speakers (Lord Browne, Des Browne): 2 quotes in the coverage"
    assert listing[2] == "8 February 2005 · Oil profits soar · Example Wire · Lord Browne"  # newest first, named


CARE = (
    "---\ntitle: Ministers deny care sums 'wrong'\nsource: Example Wire\ndate: 2005-01-26\n---\n"
    "Ministers insist they are committed to free personal care for the elderly despite research suggesting its "
    "cost was under-estimated.\n\n"
    "Deputy Health Minister Rhona Brankin told BBC Radio Scotland: \"We don't think we got our sums wrong. "
    '"Obviously we will examine the findings of this new report on what free care costs. '
    '"And we are absolutely committed to paying for free personal care for older people."\n\n'
    'Ms Brankin also said: "Our hospitals are getting the money they need this winter."\n'
)


def test_a_quotation_of_several_paragraphs_is_answered_whole(tmp_path: Path, embedder: LocalMiniLM) -> None:
    desk = desk_with_articles(tmp_path, embedder, {"care.md": CARE})
    answer = desk.ask("What did Rhona Brankin say about research claiming the cost of free care was under-estimated?")
    assert answer.found and answer.mode == "quotes"
    whole = (
        "“We don't think we got our sums wrong. Obviously we will examine the findings of this new report on what "
        "free care costs. And we are absolutely committed to paying for free personal care for older people.” [1]"
    )
    first_line = answer.text.splitlines()[0]
    assert first_line.startswith("Rhona Brankin, Deputy Health Minister (26 January 2005): ") and first_line.endswith(
        whole
    )
    assert answer.text.count("sums wrong") == 1  # its paragraphs are not listed again one by one
    name, found = quotes_by(desk.store, desk.embedder, desk.speakers, "Brankin")
    assert name == "Rhona Brankin" and len(found) == 2  # the quotation and the hospitals remark
    assert any(
        stored.quote.text.startswith("We don't think") and "older people." in stored.quote.text for stored in found
    )


def _stored(quote_id: str, text: str, article: str = "a1") -> StoredQuote:
    quote = Quote(text, 0, len(text), "Tony Blair", "", "said", "direct", True, 0, len(text))
    return StoredQuote(quote_id, quote, ArticleRef(article, "Blair hails Turkey talks"), context=text)


def test_a_quote_holding_an_earlier_one_whole_takes_its_place() -> None:
    """The lead quotes a few words of what the body quotes in full: the answer shows the full
    words once, where the shorter ranked, and nothing twice."""
    lead = _stored("q1", "the fact Turkey is a Muslim country does not mean it should be barred")
    other = _stored("q2", "It is of fundamental importance to the peace of the wider world")
    body = _stored("q3", f"We are stating a principle that {lead.quote.text} from Europe")
    again = _stored("q4", lead.quote.text)
    assert [q.quote_id for q in speakers._distinct([lead, other, body, again])] == ["q3", "q2"]


def test_quotes_are_held_whole_words_and_replaced_only_within_their_article() -> None:
    war = _stored("q1", "this is not a war we chose to fight at all")
    award = _stored(
        "q2", "I look forward to the award we were promised, and this is not a war we chose to fight at all"
    )
    elsewhere = _stored("q3", "We said then that this is not a war we chose to fight at all, and we say it again", "a2")
    prize = _stored("q4", "I look forward to the prize")
    short = _stored("q5", "a war")
    assert [q.quote_id for q in speakers._distinct([war, elsewhere, prize])] == ["q1", "q4"]
    assert [q.quote_id for q in speakers._distinct([war, award])] == ["q2"]
    assert [q.quote_id for q in speakers._distinct([_stored("q6", "the award was a surprise"), short])] == ["q6", "q5"]


def test_a_lower_case_subject_with_an_article_is_no_ones_name(tmp_path: Path, embedder: LocalMiniLM) -> None:
    """ "the government" is no speaker's name, though "Freedonian Government" is one."""
    statement = (
        "---\ntitle: Freedonia rejects sanctions\nsource: Example Wire\ndate: 2012-06-04\n---\n"
        'The Freedonian Government said: "We will not accept sanctions of any kind from anyone."\n'
    )
    desk = desk_with_articles(tmp_path, embedder, {"statement.md": statement})
    assert desk.speakers.match("government") == ["freedonian government"]
    assert speakers.read_speaker_question("what did the government say about sanctions", desk.speakers) is None
    found = speakers.read_speaker_question("what did freedonian government say about sanctions", desk.speakers)
    assert found is not None and found.display_name == "Freedonian Government"


def test_a_role_keeps_only_the_articles_that_give_the_speaker_that_role() -> None:
    """Two Martin O'Neills, the Celtic manager and a Labour MP, share one speaker key: asked for
    "the Celtic manager", only the articles calling him that (or "Celtic boss") are his."""

    def said(quote_id: str, role: str, article: str) -> speakers.RankedQuote:
        text = f"words {quote_id}"
        quote = Quote(text, 0, len(text), "Martin O'Neill", role, "said", "direct", True, 0, len(text))
        return speakers.RankedQuote(StoredQuote(quote_id, quote, ArticleRef(article, article), context=text), 1.0)

    ranked = [
        said("q1", "Senior Labour backbencher", "commons"),
        said("q2", "Celtic boss", "derby"),
        said("q3", "", "derby"),  # no role of its own, in an article that gives him the role
        said("q4", "", "budget"),
    ]
    assert [r.stored.quote_id for r in speakers.in_role(ranked, "Celtic manager")] == ["q2", "q3"]


GAMES = """---
title: Games firms face tough future
source: Example Wire
date: 2005-01-10
---
Independent games developers in the UK face a tough future, industry body Tiga has warned.

"Many independent developers have gone out of business, and more will follow," said Fred Hasson, head of
Tiga.

"In the last four years we have probably lost a third of the studios," Mr Hasson said.
"""


def test_how_many_asked_of_a_speaker_puts_their_quote_with_a_figure_first(
    tmp_path: Path, embedder: LocalMiniLM
) -> None:
    """blind5: "What did Tiga boss Fred Hasson say about how many independent UK games developers have
    gone out of business?" listed three of his quotes without the figure; the one with it ranked
    sixth."""
    desk = desk_with_articles(tmp_path, embedder, {"games.md": GAMES})
    keys = desk.speakers.match("Fred Hasson")
    idf = desk.lexical.get().idf
    topic = "many independent developers gone out of business"

    def first(wants_figure: bool) -> str:
        ranked = speaker_quotes(desk.store, desk.embedder, keys, topic, idf, SpeakerParams(), wants_figure=wants_figure)
        return ranked[0].stored.quote.text

    assert "a third" not in first(wants_figure=False)  # nearer in words and meaning without the figure
    assert "a third" in first(wants_figure=True)
    answer = desk.ask("What did Fred Hasson say about how many independent developers have gone out of business?")
    assert answer.mode == "quotes" and "a third" in answer.text.splitlines()[0]
