"""Quote attribution on hand-made snippets, through the real spaCy pipeline."""

from __future__ import annotations

from bot.models import Quote
from ingest.quotes import analyse, quotation_spans


def _quotes(text: str) -> list[Quote]:
    (analysis,) = analyse([text])
    for quote in analysis.quotes:
        assert text[quote.start : quote.end] == quote.text  # verbatim, by offsets
    return analysis.quotes


def _by_text(quotes: list[Quote], fragment: str) -> Quote:
    matches = [q for q in quotes if fragment in q.text]
    assert matches, f"no quote holds {fragment!r}: {[q.text for q in quotes]}"
    return matches[0]


def test_speaker_after_the_quote_is_resolved_from_mr_to_the_full_name() -> None:
    text = (
        "Foreign Secretary Jack Straw visited Moscow on Monday.\n\n"
        '"We will not accept any delay to the talks," Mr Straw said after the meeting.'
    )
    quote = _by_text(_quotes(text), "We will not accept")
    assert quote.speaker == "Jack Straw"
    assert quote.role == "Foreign Secretary"
    assert quote.cue == "said"
    assert quote.kind == "direct"
    assert quote.text == "We will not accept any delay to the talks"


def test_speaker_before_the_quote_with_role_in_apposition() -> None:
    text = (
        "Yesterday Russia's ambassador to the United Nations, Vitaly Churkin, told reporters that "
        '"Our attitude to sanctions, frankly, continues to be negative." He also shot down suggestions.'
    )
    quote = _by_text(_quotes(text), "Our attitude to sanctions")
    assert quote.speaker == "Vitaly Churkin"
    assert quote.role == "Russia's ambassador to the United Nations"
    assert quote.cue == "told"


def test_pronoun_points_back_to_the_main_subject_not_a_name_inside_a_clause() -> None:
    text = (
        "UK Athletics chief Max Jones believes it is likely Kelly Holmes will race. "
        'He said: "It is worth a punt, isn\'t it? She has gone back to training."'
    )
    quote = _by_text(_quotes(text), "worth a punt")
    assert quote.speaker == "Max Jones"


def test_a_quote_running_over_several_paragraphs_keeps_its_speaker() -> None:
    text = (
        'Chancellor Gordon Brown said: "The economy is growing faster than at any time this decade.\n\n'
        '"Inflation remains low and unemployment is falling in every region of the country."\n\n'
        "The Conservatives disputed the figures."
    )
    quotes = _quotes(text)
    first = _by_text(quotes, "growing faster")
    second = _by_text(quotes, "Inflation remains low")
    assert first.speaker == second.speaker == "Gordon Brown"


def test_a_quote_broken_by_its_attribution_is_two_quotes_of_one_speaker() -> None:
    text = (
        'Snooker player Jimmy White spoke about his youth. "We used to spend all of our spare time there," '
        'Mr White said, "We loved the game and the atmosphere."'
    )
    quotes = _quotes(text)
    assert _by_text(quotes, "spare time").speaker == "Jimmy White"
    assert _by_text(quotes, "loved the game").speaker == "Jimmy White"


def test_a_quote_inside_a_quote_stays_part_of_the_outer_quote() -> None:
    text = (
        "Uefa spokesman William Gaillard defended the referee. "
        "\"Frisk says Rijkaard greeted him and said 'good luck' before the game,\" Mr Gaillard said."
    )
    quotes = _quotes(text)
    outer = _by_text(quotes, "Frisk says Rijkaard")
    assert "'good luck'" in outer.text
    assert outer.speaker == "William Gaillard"
    assert not any(q.text == "good luck" for q in quotes)


def test_reported_speech_is_a_quote_of_its_clause() -> None:
    text = "Conservative leader Michael Howard said that truancy was a very bad thing for every pupil."
    quote = _by_text(_quotes(text), "truancy was a very bad thing")
    assert quote.kind == "reported"
    assert quote.speaker == "Michael Howard"
    assert not quote.text.startswith("that")


def test_nicknames_and_titles_in_quotes_are_not_speech() -> None:
    text = 'Jimmy "the Whirlwind" White has never won the world championship, the BBC reported on Monday.'
    assert not any(q.text == "the Whirlwind" for q in _quotes(text))


def test_quotation_marks_pair_even_when_an_archive_lost_a_closing_mark() -> None:
    text = 'He said: "We loved the game and the atmosphere. "School went out of the window."'
    spans = [text[start:end] for start, end in quotation_spans(text)]
    assert spans == ["We loved the game and the atmosphere.", "School went out of the window."]
