"""Word and sentence handling shared by the lexical index and the extractive answerer.

Both must agree on what a "term" is, or BM25 and sentence scoring would judge
relevance by different rules.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

_WORD = re.compile(r"[A-Za-z0-9]+(?:['’][A-Za-z]+)?")

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
    """.split()  # noqa: SIM905 - a word list reads better as text
)

# Words of a question that say what kind of answer is wanted, not what it is about
# ("How did X describe Y?" is about X and Y; the article need not say "describe").
QUESTION_WORDS = frozenset(
    """
    call called describe described did do does happen happened how kind many mean much react reacted
    respond responded type what when where which who whom whose why
    """.split()  # noqa: SIM905 - a word list reads better as text
)


@lru_cache(maxsize=1)
def _stemmer():  # type: ignore[no-untyped-def]
    import Stemmer

    return Stemmer.Stemmer("english")


@lru_cache(maxsize=200_000)
def _stem(word: str) -> str:
    return str(_stemmer().stemWord(word))


def words(text: str) -> list[str]:
    return [match.group(0).replace("’", "'") for match in _WORD.finditer(text)]


def terms(text: str) -> list[str]:
    """Lower-cased, stop-word-free, stemmed terms: the unit of lexical matching."""
    return [_stem(word.lower()) for word in words(text) if word.lower() not in STOPWORDS]


def query_terms(question: str) -> list[str]:
    return [term for term in terms(question) if term not in QUESTION_WORDS]


def name_terms(question: str) -> set[str]:
    """Stemmed capitalised words not at the start of the question: names the answer must mention."""
    found: set[str] = set()
    tokens = words(question)
    for position, word in enumerate(tokens):
        if position > 0 and word[:1].isupper() and word.lower() not in STOPWORDS:
            found.add(_stem(word.lower()))
    return found


_SENTENCE_END = re.compile(r"""(?<=[.!?])["'”’)\]]*\s+(?=["'“‘(\[]?[A-Z0-9])|\n[ \t]*\n\s*""")


def sentences(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each sentence in `text`, with offsets into `text` itself."""
    start = 0
    for match in _SENTENCE_END.finditer(text):
        end = match.start()
        # include closing quotes/brackets that belong to the sentence
        closing = re.match(r"""["'”’)\]]*""", text[end:])
        end += len(closing.group(0)) if closing else 0
        if text[start:end].strip():
            yield _trim(text, start, end)
        start = match.end()
    if text[start:].strip():
        yield _trim(text, start, len(text))


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def normalise_space(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()
