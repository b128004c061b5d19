"""Word and sentence handling shared by the lexical index and the extractive answerer.

Both must agree on what a "term" is, or BM25 and sentence scoring would judge
relevance by different rules.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from functools import lru_cache

# Letters and digits of any script ("Arsène", "Zürich", "Đoković" are one word each), with an
# apostrophe suffix ("Blair's", "don't").
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?")

STOPWORDS = frozenset(
    """
    a about above according after again against all also am an and any are aren't as at be because been
    before being below between both but by can can't cannot could couldn't did didn't do does doesn't
    doing don't down during each few for from further had hadn't has hasn't have haven't having he he'd
    he'll he's her here here's hers herself him himself his how how's i i'd i'll i'm i've if in into is
    isn't it it's its itself just let's me more most mustn't my myself no nor not of off on once only or
    other ought our ours ourselves out over own s said same say says shan't she she'd she'll she's
    should shouldn't so some such t tell than that that's the their theirs them themselves then there
    there's these they they'd they'll they're they've this those through to told too under until up very
    was wasn't we we'd we'll we're we've were weren't what what's when when's where where's which while
    who who's whom why why's will with won't would wouldn't you you'd you'll you're you've your yours
    yourself yourselves
    whats whos wheres whens hows whys thats theres heres dont doesnt didnt isnt arent wasnt werent
    hasnt havent hadnt couldnt wouldnt shouldnt im ive youre theyre
    """.split()  # noqa: SIM905 - a word list reads better as text; the last lines as chat types them
)

# Words of a question that say what kind of answer is wanted, not what it is about
# ("How did X describe Y?" is about X and Y; the article need not say "describe"; "Which minister
# announced X?" is answered by "Minister Y said X").
QUESTION_WORDS = frozenset(
    """
    announce announced call called describe described did do does happen happened how kind many mean much
    react reacted respond responded type what when where which who whom whose why
    """.split()  # noqa: SIM905 - a word list reads better as text
)
# Words that ask for the coverage itself ("what does the coverage say about X", "summarise the X
# story", "any news on X", "what do we know"): not the topic, unless the question has no other
# words ("What did Ofcom say about news coverage?" is about news coverage).
COVERAGE_WORDS = frozenset(
    [
        "article",
        "articles",
        "coverage",
        "explain",
        "gist",
        "know",
        "news",
        "overview",
        "recap",
        "stories",
        "story",
        "summarise",
        "summarize",
        "summary",
    ]
)


@lru_cache(maxsize=1)
def _stemmer():  # type: ignore[no-untyped-def]
    import Stemmer

    return Stemmer.Stemmer("english")


@lru_cache(maxsize=200_000)
def _stem(word: str) -> str:
    """The stem of the word with its accents dropped, so "Arsène" and "Arsene", "Zürich" and
    "Zurich" are one term: questions are typed without the accents articles print."""
    plain = unicodedata.normalize("NFKD", word)
    return str(_stemmer().stemWord("".join(char for char in plain if not unicodedata.combining(char))))


def words(text: str) -> list[str]:
    return [match.group(0).replace("’", "'") for match in _WORD.finditer(text)]


def plain(word: str) -> str:
    """A word lower-cased, an acronym's plural as its singular: "XLRs" is the "XLR" an article
    names, "MPs" and "MP" one term (the stemmer leaves "xlrs" whole)."""
    if len(word) > 2 and word[-1] == "s" and word[:-1].isupper():
        word = word[:-1]
    return word.lower()


def terms(text: str) -> list[str]:
    """Lower-cased, stop-word-free, stemmed terms: the unit of lexical matching."""
    return [_stem(plain(word)) for word in words(text) if word.lower() not in STOPWORDS]


def query_terms(question: str) -> list[str]:
    """The question's terms without the words that only say what kind of answer it wants, matched as
    written or by their stem ("described" and "happens" go; "description" and "announcement" stay),
    and without the words that ask for the coverage itself when others are left."""
    kept = [
        word
        for word in (plain(word) for word in words(question))
        if word not in STOPWORDS and word not in QUESTION_WORDS and _stem(word) not in QUESTION_WORDS
    ]
    topical = [word for word in kept if word not in COVERAGE_WORDS]
    return [_stem(word) for word in (topical or kept)]


def without_possessive(name: str) -> str:
    """ "Tony Blair's", "Blair’s" and "Ricky Gervais'" (a possessive an entity model kept) are the name."""
    return re.sub(r"['’]s?$", "", name.strip()).strip()


def name_terms(question: str) -> set[str]:
    """Stemmed capitalised words not at the start of the question: names the answer must mention."""
    return set(names_written(question))


def names_written(question: str) -> dict[str, str]:
    """`name_terms`, each with the word as the question wrote it (term → word)."""
    found: dict[str, str] = {}
    for position, word in enumerate(words(question)):
        if position > 0 and word[:1].isupper() and word.lower() not in STOPWORDS:
            found.setdefault(_stem(plain(word)), without_possessive(word))
    return found


_LINE = re.compile(r"[^\n]+")


def sentences(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each sentence in `text`, with offsets into `text` itself.

    The project's one sentence segmenter: spaCy's statistical sentence recogniser
    (it knows "Mr.", "U.S.", "2.5%" and "..." are not sentence ends), run line by
    line so a paragraph break always ends a sentence."""
    yield from _sentence_spans(text)


@lru_cache(maxsize=4096)
def _sentence_spans(text: str) -> tuple[tuple[int, int], ...]:
    from bot.nlp import sentence_pipeline

    lines = [(match.start(), match.group(0)) for match in _LINE.finditer(text) if match.group(0).strip()]
    spans: list[tuple[int, int]] = []
    for (offset, line), doc in zip(lines, sentence_pipeline().pipe(line for _offset, line in lines), strict=True):
        for sentence in doc.sents:
            start, end = _trim(line, sentence.start_char, sentence.end_char)
            if end <= start:
                continue
            if spans and spans[-1][1] >= offset and not any(char.isalpha() for char in line[start:end]):
                spans[-1] = (spans[-1][0], offset + end)  # "[1]." or a stray ")" belongs to the sentence before
            else:
                spans.append((offset + start, offset + end))
    return tuple(spans)


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


HONORIFICS = frozenset({"mr", "mrs", "ms", "miss", "dr", "prof", "professor"})
# Words that make another role of the one they qualify: the shadow chancellor is not the chancellor.
ROLE_MODIFIERS = frozenset(
    {"prime", "shadow", "deputy", "vice", "assistant", "former", "ex", "junior", "acting", "interim"}
)
# Also dropped when names are matched: "Lord Janner" is the "Greville Janner" an article introduced.
# Titles that stay with a name when it is shown ("Lord Janner" is his name, not his role).
PEERAGE = frozenset({"lord", "lady", "sir", "dame", "baroness", "baron"})
TITLES = HONORIFICS | PEERAGE


def speaker_key(name: str) -> str:
    """How a person's name is matched: accents, case, titles and punctuation folded ("Arsène" = "Arsene")."""
    folded = unicodedata.normalize("NFKD", name)
    folded = "".join(char for char in folded if not unicodedata.combining(char)).lower()
    return " ".join(part for part in re.findall(r"[a-z0-9]+", folded) if part not in TITLES)


def fold(text: str) -> str:
    """Case, whitespace and quote style folded away: how a quote is matched against its source."""
    text = text.lower().replace("’", "'").replace("‘", "'")
    text = re.sub(r"[\"“”„]", '"', text)
    return re.sub(r"\s+", " ", text).strip()


def normalise_space(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()
