"""Speakers a question names by a role only the articles about its topic give.

`SpeakerIndex.match_role` names the holder of a role the archive gives one person again and again
("the Arsenal manager", "the chancellor"). Most people in the news are quoted in one story and
described once, in the article's words ("Martin Larsson, general manager of Toshiba's European
storage device division"), and a user describes them in their own: "what did toshiba's storage
boss say about …", "according to arsenal's md", "how did the director of the Arkansas State venue
react …". Read against the whole archive such a role names no one (or someone else); read against
the articles retrieved for the question, it names the one speaker there whose printed role holds
the post asked for (a "boss" is a chief executive, a general manager or a director) and most of
the words around it. A tie, or no such speaker, names no one: the question is then answered from
the articles as any other.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.answer.extractive import ROLE_NOUNS, role_noun
from bot.answer.speaker_index import ROLE_MODIFIER_TERMS
from bot.store import StoredQuote
from bot.text import STOPWORDS, plain, speaker_key, terms, words

# Posts said loosely: any of these asks for whoever runs the thing, whatever the title printed.
_ANY_HEAD = frozenset({"boss", "head", "chief", "supremo", "gaffer"})
# The titles such a loose word matches, as terms.
_HEAD_TITLES = frozenset(
    terms("chief executive manager managing director president chairman chairwoman head boss leader founder governor")
)
# Shortened titles: "md" is a managing director, not any boss.
_SPELLED_OUT = {
    "md": "managing director",
    "ceo": "chief executive",
    "cfo": "chief financial officer",
    "exec": "executive",
    "ref": "referee",
}
# Roles a question may name that are not among the answerer's role nouns.
_MORE_ROLES = frozenset({"bishop", "evangelist", "officer", "supremo", "gaffer", "curator", "organiser", *_SPELLED_OUT})
# A question about someone's view, beyond the speech verbs `speakers` reads.
_OPINION = re.compile(
    r"\b(?:changed?\s+(?:his|her|their)\s+mind|sceptical|skeptical|optimistic|pessimistic|confident|worried|"
    r"concerned|nervous|happy|unhappy|upset|angry|disappointed|reckons?|reckoned)\b",
    re.IGNORECASE,
)
# A role that names no organisation ("Chairman") or only "the club", "the company": the article's
# own, which retrieval found for the question's words, so those words qualify it.
_OWN_BODY = frozenset(terms("club company firm group team side party board"))
_LEFT_WORDS = 4  # words before the role noun that can qualify it ("toshiba's european storage boss")
_RIGHT_WORDS = 5  # words of its "of …"/"at …" ("the director of the Arkansas State venue")
_LINKS = frozenset({"of", "at", "for", "from"})
_ARTICLES = frozenset({"the", "a", "an"})


@dataclass(frozen=True)
class RoleSpeaker:
    """Who a role in the question names among the quotes of the retrieved articles."""

    key: str
    quote_name: str  # as the article wrote it
    role: str  # as the article printed it: the quotes kept are from articles that give it
    phrase: str  # the words of the question that named them


def asks_opinion(question: str) -> bool:
    return bool(_OPINION.search(question))


def role_phrase(question: str) -> tuple[str, str]:
    """The first singular role the question names, spelled out, and the words around it that
    qualify it ("toshiba's storage boss" → ("boss", "toshiba's storage boss"); "unilever's new chief
    exec" → ("chief executive", …)), or ("", "")."""
    written = words(question)
    lowered = [plain(word) for word in written]
    for at, word in enumerate(lowered):
        if not _role_word(word):
            continue  # a plural ("officials", "ministers") is many people, not one speaker
        end = at + 1
        while end < len(lowered) and _role_word(lowered[end]):
            end += 1  # "chief exec", "general manager": one post
        left = at
        while left > 0 and at - left < _LEFT_WORDS and _qualifier(lowered[left - 1]):
            left -= 1
        right = end
        if right < len(lowered) and lowered[right] in _LINKS:
            right += 1
            while right < len(lowered) and lowered[right] in _ARTICLES:
                right += 1
            last = min(len(lowered), right + _RIGHT_WORDS)
            while right < last and _qualifier(lowered[right]):
                right += 1
        post = " ".join(_SPELLED_OUT.get(w, w) for w in lowered[at:end])
        return post, " ".join(written[left:right])
    return "", ""


def _role_word(word: str) -> bool:
    return word in _MORE_ROLES or (word in ROLE_NOUNS and role_noun(word) == word)


def _qualifier(word: str) -> bool:
    bare = word.removesuffix("'s").removesuffix("’s")
    return bool(bare) and bare not in STOPWORDS and not bare.isdigit()


def speaker_in_quotes(question: str, quotes: Sequence[StoredQuote]) -> RoleSpeaker | None:
    """The one speaker of these quotes whose printed role holds the post the question names and the
    most of the words that qualify it ("storage", "Toshiba"); the post printed as asked before a
    looser word for it. Words that qualify no one's role name no one ("the countryside alliance
    spokesman" is not the police officers' spokesman), nor does a role another word makes another
    post ("former referees' chief" is not the ref), as `holds_role` reads roles archive-wide."""
    post, phrase = role_phrase(question)
    if not post:
        return None
    post_terms = frozenset(terms(post))
    loose = bool(set(post.split()) & _ANY_HEAD)
    asked = frozenset(terms(" ".join(w for w in words(phrase) if not _role_word(plain(w)))))
    best: dict[str, tuple[tuple[int, bool], StoredQuote]] = {}
    for stored in quotes:
        held = frozenset(terms(stored.quote.role))
        exact = post_terms <= held
        if not held or (held & ROLE_MODIFIER_TERMS) - asked or not (exact or (loose and held & _HEAD_TITLES)):
            continue
        key = speaker_key(stored.quote.speaker)
        implied = held - post_terms <= _OWN_BODY  # "Chairman", "the club's managing director"
        score = (max(_matched(asked, held), int(implied)), exact)
        if key and (key not in best or score > best[key][0]):
            best[key] = (score, stored)
    ranked = sorted(best.values(), key=lambda found: found[0], reverse=True)
    if not ranked or (len(ranked) > 1 and ranked[1][0] == ranked[0][0]):
        return None  # no one, or two who hold the post as well as each other: the question does not say which
    (qualified, _exact), stored = ranked[0]
    if asked and not qualified:
        return None
    return RoleSpeaker(speaker_key(stored.quote.speaker), stored.quote.speaker, stored.quote.role, phrase)


def _matched(asked: frozenset[str], held: frozenset[str]) -> int:
    """How many of the asked words the role holds, a shortening counting as its word ("mag" for
    "magazine", "games" inside "computerandvideogames")."""
    return sum(1 for word in asked if any(_shortens(word, term) for term in held))


def _shortens(word: str, term: str) -> bool:
    return word == term or (len(word) >= 3 and term.startswith(word)) or (len(word) >= 4 and word in term)
