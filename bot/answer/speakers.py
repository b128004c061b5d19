"""Answers about who said what, from the quote index built at ingest.

"What did Churkin say about sanctions?" names a speaker and a topic. The answer
comes from that speaker's quotes only, ranked by relevance to the topic and
then by date, and leads with who, when and the words. When the speaker is
quoted but never on the topic, the answer says so and lists what they were
quoted on, unless the story the whole question retrieves first quotes them and
speaks to the topic (`answer_from_story`): a quote by anyone else is never
passed off as theirs. "Who said …?" is answered from the quote index as well.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from langchain_core.embeddings import Embeddings

from bot.answer.citations import attributed_line, display_date
from bot.answer.extractive import asks_a_figure, holds_a_figure, related_coverage, role_noun, wanted_entities
from bot.answer.quotations import first_per_quotation, joined, quotation_parts
from bot.answer.role_speakers import RoleSpeaker, asks_opinion, role_phrase
from bot.answer.speaker_index import SpeakerIndex
from bot.models import Answer, ArticleRef, Citation
from bot.retrieve import Filters
from bot.schema import Meta, QuoteMeta
from bot.store import Store, StoredQuote
from bot.text import STOPWORDS, query_terms, speaker_key, terms, without_possessive, words

# What a question must say to be about someone's words (lemmas and common forms).
_SPEECH = re.compile(
    r"\b(say|said|says|saying|tell|told|tells|think|thinks|thought|describe[sd]?|react(?:ed|s)?|respond(?:ed|s)?|"
    r"warn(?:ed|s)?|claim(?:ed|s)?|comment(?:ed|s)?|argue[sd]?|insist(?:ed|s)?|admit(?:ted|s)?|call(?:ed|s)?|"
    r"reaction|view|views|verdict|response|remark(?:s|ed)?|quoted?|according to|make of|feel|feels|felt|"
    r"believe[sd]?|predict(?:ed|s)?|explain(?:ed|s)?|stress(?:ed|es)?|add(?:ed|s)?|announce[sd]?|"
    r"defend(?:ed|s)?|justif(?:y|ied|ies)|expect(?:ed|s)?)\b",
    re.IGNORECASE,
)
_WHO_SAID = re.compile(
    r"^\s*(?:who\s+|which\s+(?:[\w'’-]+\s+){1,3}?)(?:has\s+|had\s+)?(said|says|called|described|told|warned|claimed|argued|insisted|admitted|"
    r"branded|dismissed|accused|predicted|criticised|criticized|praised|remarked|joked)\b",
    re.IGNORECASE,
)
_TOPIC_NOISE = frozenset(
    """
    about regarding concerning over topic subject issue speak spoke spoken words comment comments view
    views reaction react respond response verdict think thought feel felt make made quote quoted
    according remark remarks
    """.split()  # noqa: SIM905 - a word list reads better as text
)
_ASKS_WHY = re.compile(r"^\s*why\b", re.IGNORECASE)
MAX_QUOTES = 3
# A surname typed alone names the person of that surname quoted this often, and twice as often as any
# namesake ("wenger" is Arsene Wenger; "banks" is neither Mike nor Tony Banks, three quotes each).
SURNAME_ALONE_QUOTES = 5
MIN_WORDS_ALONE = 6  # shorter quotes are shown inside the sentence that holds them
CANDIDATES = 40
# The articles BM25 ranks first for the words asked about, whose quotes are candidates beside the
# CANDIDATES nearest in meaning: a quote's vector is of its sentences in context, so the quote with
# the words asked about can rank past dozens nearer in meaning (a speaker with hundreds of quotes,
# a phrase quoted verbatim from a store of thousands).
LEXICAL_ARTICLES = 5
LEXICAL_QUOTES = 100  # all of those articles' quotes (of the speaker asked about), in practice
LexicalArticles = Callable[[str, int, Filters], Sequence[str]]  # Retriever.lexical_articles


@dataclass(frozen=True)
class SpeakerParams:
    """Bars of the quote ranker; tuned on the dev set (docs/EVAL.md)."""

    min_relevance: float = 0.43  # below: the speaker never spoke on the topic
    keep_relative: float = 0.6  # quotes within this share of the best are shown too
    semantic: float = 0.6
    lexical: float = 0.4
    min_who_said: float = 0.55  # "who said …": the best quote must match the words this well
    reported: float = 0.9  # reported speech ranks below the speaker's own words on the same topic
    no_figure: float = 0.9  # "what did X say about how many …": a quote without a number ranks below one with
    article: float = 0.3  # share of the similarity that is the quote's article's (its best chunk's)
    # Below the bar, the speaker's quotes in the story retrieval ranks first for the whole question
    # still answer it when they score this well and that story holds this share of the topic's words
    # (`answer_from_story`).
    story_min: float = 0.25
    story_coverage: float = 0.6


@dataclass(frozen=True)
class SpeakerAsk:
    """A question about someone's words: whose (matched to speakers in the index) and on what."""

    asked_name: str
    speaker_keys: tuple[str, ...]
    display_name: str
    topic: str
    role: str = ""  # the role that named them ("Arsenal manager"), when asked by role rather than by name
    wants_figure: bool = False  # "… say about how many developers went under": the answer holds a number

    @property
    def by_role(self) -> bool:
        return bool(self.role)


_OPINION_NOUNS = frozenset({"reaction", "view", "views", "verdict", "response", "comments", "remarks", "words"})
# "what did <words> say …" read by word order, for the names a parse misreads in lower case
# ("what did amitai etzioni say …" parses "amitai" as a verb); the speaker index decides.
_TYPED_SPEAKER = re.compile(
    r"^\s*(?:what|how|why)\s+(?:did|does|do|has|have|had)\s+((?:[\w'’.-]+\s+){0,5}?[\w'’.-]+)\s+(?:say|said|"
    r"tell|told|think|thought|make of|describe|react|respond|comment|argue|claim|warn|feel|believe|predict|"
    r"explain|admit|insist)\b",
    re.IGNORECASE,
)
_NOT_A_NAME_START = frozenset({"the", "a", "an", "his", "her", "their", "its", "our", "my", "your", "this", "that"})
# "what was the Arsenal manager's take on …": a role's view asked for with a possessive.
_ROLES_TAKE = re.compile(
    r"^\s*what\s+(?:was|is|were|are)\s+((?:[\w'’.-]+\s+){0,6}?[\w.-]+)['’]s?\s+(?:take|view|views|verdict|reaction|"
    r"response|opinion|position)\b",
    re.IGNORECASE,
)


def _name_chain(token: Any) -> str:
    """A proper noun with its compound parts ("Gordon Brown"), without a possessive owner."""
    parts = [t for t in token.lefts if t.dep_ == "compound" and t.pos_ == "PROPN"] + [token]
    return " ".join(t.text for t in parts)


def asked_speaker(question: str) -> str | None:
    found = _asked_speaker(question)
    return found[0] if found else None


def speaker_phrase(question: str) -> str:
    """The whole noun phrase that names the speaker ("Symantec's Kevin Hogan", "Norfolk's chief
    constable Andy Hayman"): its words describe who speaks, not what about."""
    found = _asked_speaker(question)
    return found[1] if found else ""


def _asked_speaker(question: str) -> tuple[str, str] | None:
    """Whose words the question asks for, read off its parse: the subject of its speech verb
    ("What did *Lord Janner* call Prince Harry's decision"), the object of "according to", or the
    owner of a "reaction"/"view"; None when that is not a named person or body ("Which minister …")."""
    from bot.nlp import parse_pipeline

    doc = parse_pipeline()(question)

    def phrase(token: Any) -> str:
        return " ".join(t.text for t in token.subtree)

    asks_a_fact = wanted_entities(question) is not None or _ASKS_WHY.match(question) is not None
    for token in doc:
        if token.lower_ == "according" and not asks_a_fact:  # "How many …, according to X?" wants the figure
            target = next((g for c in token.children if c.lower_ == "to" for g in c.children if g.dep_ == "pobj"), None)
            if target is not None and target.pos_ == "PROPN":
                return _name_chain(target), phrase(target)
        if token.lower_ in _OPINION_NOUNS:
            owner = next((c for c in token.children if c.dep_ == "poss" and c.pos_ == "PROPN"), None)
            if owner is not None:
                return _name_chain(owner), phrase(owner)
    for verb in doc:
        if verb.pos_ not in ("VERB", "AUX") or not _SPEECH.fullmatch(verb.text):
            continue
        subject = next((c for c in verb.children if c.dep_ == "nsubj"), None)
        passive = any(c.dep_ == "auxpass" for c in verb.children)
        if subject is None or passive:  # "What was Yahoo originally called?" asks a name, not anyone's words
            continue
        named = next((c for c in subject.children if c.dep_ == "appos" and c.pos_ == "PROPN"), None)
        if subject.pos_ == "PROPN":
            return _name_chain(subject), phrase(subject)
        if named is not None:
            return _name_chain(named), phrase(subject)
        determined = any(c.dep_ == "det" or (c.dep_ == "poss" and c.pos_ == "PRON") for c in subject.children)
        chain = _compound_chain(subject)
        if (
            subject.pos_ in ("NOUN", "X")
            and not determined
            and not question.lstrip()[:1].isupper()
            and not _common_noun_alone(subject, chain)
        ):
            # Typed in lower case ("what did willie walsh say about …"), a name parses as a common
            # noun; whether it is a speaker is for the speaker index to say. A name takes no article:
            # "what did the government say" asks no one in particular, not the "Indian Government".
            return chain, phrase(subject)
        return None
    return None


# Nouns that stand for a body or a crowd, not a person's name, typed alone in lower case ("what did
# government say …" is not the "Indian Government").
_BODIES = frozenset(
    """
    government police council industry parliament army court commission committee union party company bank
    market club team board ministry department authority agency regulator officials experts critics analysts
    people fans staff workers unions investors business city
    """.split()  # noqa: SIM905 - a word list reads better as text
)


def _common_noun_alone(subject: Any, chain: str) -> bool:
    """One lower-case word that is a plural ("banks", "ministers": a name is not) or a body's noun."""
    return " " not in chain and (subject.lemma_.lower() != subject.lower_ or subject.lower_ in _BODIES)


def _compound_chain(token: Any) -> str:
    """A noun with the nouns compounded before it, whatever their case ("bmw boss helmut panke")."""
    parts = [t for t in token.lefts if t.dep_ == "compound"] + [token]
    return " ".join(t.text for t in parts)


def read_speaker_question(question: str, index: SpeakerIndex) -> SpeakerAsk | None:
    """A "what did X say about Y" question whose X is a speaker in the index, else None."""
    if not (_SPEECH.search(question) or _ROLES_TAKE.match(question)) or _WHO_SAID.search(question):
        return None
    parsed = asked_speaker(question)
    typed = _TYPED_SPEAKER.match(question)
    if parsed and typed and not question.lstrip()[:1].isupper():
        # "what did vivek paul say": the parse kept "paul" alone; the words typed before any
        # "from", "of", "at" … ("james seller from the managers forum") are the name.
        named = list(itertools.takewhile(lambda word: word.lower() not in STOPWORDS, typed.group(1).split()))
        if len(named) > len(parsed.split()) and set(parsed.lower().split()) < {word.lower() for word in named}:
            parsed = None
    name, keys = _indexed(parsed, index) if parsed else ("", [])
    phrase = speaker_phrase(question) if keys else ""
    if not keys and typed:
        name, keys = _typed_speaker(typed.group(1), index)
        phrase = typed.group(1)
    role = ""
    if not keys:
        phrase = _role_phrase(question)
        keys = index.match_role(phrase) if phrase else []
        role = phrase if keys else ""
        name = index.speakers()[keys[0]][0] if keys else ""
    if not keys:
        return None
    display = index.speakers()[keys[0]][0]
    return SpeakerAsk(name, tuple(keys[:3]), display, _topic(question, phrase or name), role, asks_a_figure(question))


_ASKS_A_FACT_FIRST = re.compile(
    r"^\s*(?:who|whom|whose|which|when|where|how\s+(?:many|much|long|old))\b", re.IGNORECASE
)


def asks_role_view(question: str) -> bool:
    """A question about the words or view of someone it names by a role ("what did toshiba's storage
    boss say …", "has the Everton manager changed his mind …"), not one asking who, which or how many."""
    if _ASKS_A_FACT_FIRST.match(question) or _WHO_SAID.search(question):
        return False
    return bool(_SPEECH.search(question) or _ROLES_TAKE.match(question) or asks_opinion(question)) and bool(
        role_phrase(question)[0]
    )


def role_speaker_ask(question: str, found: RoleSpeaker, index: SpeakerIndex) -> SpeakerAsk:
    """The question as one about `found`'s words: their quotes from the articles that give them the
    role they were found by, on the rest of the question."""
    display = index.speakers().get(found.key, (found.quote_name, 0))[0]
    return SpeakerAsk(
        display, (found.key,), display, _topic(question, found.phrase), found.role, asks_a_figure(question)
    )


def archive_role_ask(question: str, index: SpeakerIndex) -> SpeakerAsk | None:
    """The question as one about the words of whoever the archive gives its role to, however it is
    phrased ("england coach reaction to …", "has the Everton manager changed his mind …")."""
    phrase = " ".join(without_possessive(word) for word in role_phrase(question)[1].split())
    keys = index.match_role(phrase) if phrase else []
    if not keys:
        return None
    display = index.speakers()[keys[0]][0]
    return SpeakerAsk(display, tuple(keys[:1]), display, _topic(question, phrase), phrase, asks_a_figure(question))


def quotes_in_articles(store: Store, article_ids: Sequence[str], filters: Filters) -> list[StoredQuote]:
    return store.get_quotes(_where(filters, article_ids=article_ids)) if article_ids else []


def in_role(ranked: Sequence[RankedQuote], role: str) -> list[RankedQuote]:
    """The quotes from articles that give the speaker a role sharing a word with the one asked: two
    people of one name ("Martin O'Neill", Celtic manager and Labour MP) are one speaker key, and only
    the articles that call him "Celtic manager" or "Celtic boss" are the Celtic manager's."""
    asked = set(terms(role))
    articles = {r.stored.article.article_id for r in ranked if asked & set(terms(r.stored.quote.role))}
    return [r for r in ranked if r.stored.article.article_id in articles]


def _typed_speaker(typed: str, index: SpeakerIndex) -> tuple[str, list[str]]:
    """The speaker whose name is the words typed between "did" and the speech verb: the whole name
    ("amitai etzioni"; "ministers" is no "Council of Ministers"), or a surname alone ("wenger")."""
    written = typed.split()
    if not written or written[0].lower() in _NOT_A_NAME_START:
        return "", []
    if len(written) >= 2:
        name, keys = _indexed(typed, index)
        return name, [key for key in keys if set(key.split()) <= set(speaker_key(typed).split())]
    word = speaker_key(typed)
    if word in _BODIES:
        return "", []
    known = index.speakers()
    people = [
        key
        for key in index.match(word)
        if key != word
        and key.split()[-1] == word
        and 2 <= len(known[key][0].split()) <= 3
        and all(part[:1].isupper() for part in known[key][0].split())
    ]
    if not people or known[people[0]][1] < SURNAME_ALONE_QUOTES:
        return "", []
    if len(people) > 1 and known[people[0]][1] < 2 * known[people[1]][1]:
        return "", []  # "jones": Stephen or Max
    return known[people[0]][0], [people[0]]


def _role_phrase(question: str) -> str:
    """The words that name a speaker by a role ("the Bank of England governor", "the Chelsea boss's")
    without their article, or "" when the subject names no role."""
    found = _TYPED_SPEAKER.match(question) or _ROLES_TAKE.match(question)
    if not found:
        return ""
    written = [without_possessive(word) for word in found.group(1).split()]
    while written and written[0].lower() in _NOT_A_NAME_START:
        written = written[1:]
    # One holder of one role: "the Arsenal manager", not "ministers" or "analysts".
    has_role = any(role_noun(word.lower()) == word.lower() for word in written)
    return " ".join(written) if has_role else ""


def _indexed(name: str, index: SpeakerIndex) -> tuple[str, list[str]]:
    """The name as the index knows it and its keys: "BMW boss Helmut Panke" is the speaker "Helmut
    Panke", leading words dropped down to two (but "Russell McGuire" is not any McGuire)."""
    keys = index.match(name)
    while not keys and len(name.split()) > 2:
        name = name.partition(" ")[2]
        keys = index.match(name)
    return name, list(keys)


def asks_who_said(question: str) -> bool:
    return bool(_WHO_SAID.search(question))


def _topic(question: str, name: str) -> str:
    name_words = {w.lower() for w in words(name)} | {without_possessive(w.lower()) for w in words(name)}
    kept = [
        w
        for w in words(question)
        if w.lower() not in name_words
        and without_possessive(w.lower()) not in name_words
        and w.lower() not in STOPWORDS
        and w.lower() not in _TOPIC_NOISE
        and not _SPEECH.fullmatch(w)
    ]
    return " ".join(kept)


def _coverage(topic_terms: list[str], idf: Callable[[list[str]], dict[str, float]] | None, text: str) -> float:
    if not topic_terms:
        return 1.0
    weights = idf(topic_terms) if idf else {t: 1.0 for t in topic_terms}
    present = set(terms(text))
    total = sum(weights.values())
    return sum(w for t, w in weights.items() if t in present) / total if total else 0.0


def _cosine(a: Sequence[float], b: Sequence[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    norm = math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b))
    return dot / norm if norm else 0.0


@dataclass
class RankedQuote:
    """A quote with its relevance to the topic asked about (`speaker_quotes`)."""

    stored: StoredQuote
    score: float


def _where(filters: Filters, keys: Sequence[str] = (), article_ids: Sequence[str] = ()) -> dict[str, Any] | None:
    """The retrieval filters (quotes carry their article's keys), narrowed to the speakers asked
    and to these articles."""
    clauses: list[dict[str, Any]] = [{QuoteMeta.SPEAKER_KEY: {"$in": list(keys)}}] if keys else []
    if article_ids:
        clauses.append({Meta.ARTICLE_ID: {"$in": list(article_ids)}})
    article_bounds = filters.where()
    if article_bounds:
        clauses.append(article_bounds)
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


def _article_similarity(store: Store, vector: list[float], article_ids: Sequence[str]) -> dict[str, float]:
    """How near each article's best chunk is to the topic. A quote's own sentence may not name what
    it is about ("He would have been a very good president", said at Ossie Davis's funeral); its
    article does."""
    wanted = list(dict.fromkeys(article_ids))
    if not wanted:
        return {}
    rows = store.dense_query(vector, 3 * len(wanted), {Meta.ARTICLE_ID: {"$in": wanted}})
    best: dict[str, float] = {}
    for _id, _text, meta, similarity in rows:
        article_id = str(meta.get(Meta.ARTICLE_ID, ""))
        best[article_id] = max(best.get(article_id, 0.0), similarity)
    return best


def speaker_quotes(
    store: Store,
    embedder: Embeddings,
    keys: Sequence[str],
    topic: str,
    idf: Callable[[list[str]], dict[str, float]] | None,
    params: SpeakerParams,
    filters: Filters | None = None,
    lexical_articles: LexicalArticles | None = None,
    name: str = "",
    wants_figure: bool = False,
) -> list[RankedQuote]:
    """The speaker's quotes, best first: relevance to the topic, then newest; a quotation of several
    paragraphs once, whole (bot/answer/quotations.py). `name`: the speaker as asked, which BM25 looks
    for beside the topic (the keys are folded forms, and of every speaker the name matched).
    `wants_figure`: the question asks how many or how much, so quotes holding a number come first
    among those near in score."""
    where = _where(filters or Filters(), keys)
    if not topic.strip():
        found = store.get_quotes(where)
        ordered = sorted(found, key=lambda q: (q.article.published, -q.quote.start), reverse=True)
        newest = [RankedQuote(q, 1.0) for q in ordered]
        return _whole(first_per_quotation(newest, _stored), found)
    vector = embedder.embed_query(topic)
    words = f"{name or keys[0]} {topic}"  # the articles that name the speaker and the topic
    found = _candidates(store, vector, words, filters or Filters(), keys, lexical_articles)
    topic_terms = list(dict.fromkeys(query_terms(topic)))
    on_topic = _article_similarity(store, vector, [q.article.article_id for q in found])

    def score(q: StoredQuote) -> float:
        similarity = (1 - params.article) * max(0.0, q.similarity) + params.article * on_topic.get(
            q.article.article_id, 0.0
        )
        coverage = _coverage(topic_terms, idf, f"{q.article.title}\n{q.lead}\n{q.context}\n{q.quote.text}")
        weight = params.reported if q.quote.kind == "reported" else 1.0
        if wants_figure and not holds_a_figure(q.quote.text):
            weight *= params.no_figure
        return weight * (params.semantic * similarity + params.lexical * coverage)

    ranked = [RankedQuote(q, score(q)) for q in found]
    ranked.sort(key=lambda r: (round(r.score, 3), r.stored.article.published), reverse=True)
    firsts = first_per_quotation(ranked, _stored)
    return _whole(firsts, quotation_parts(store, [r.stored for r in firsts]))


def _candidates(
    store: Store,
    vector: list[float],
    words: str,
    filters: Filters,
    keys: Sequence[str],
    lexical_articles: LexicalArticles | None,
) -> list[StoredQuote]:
    """The quotes (of these speakers, if any) nearest in meaning, and those in the articles BM25
    ranks first for `words` (see LEXICAL_ARTICLES), each once."""
    found = store.query_quotes(vector, CANDIDATES, _where(filters, keys))
    articles = list(lexical_articles(words, LEXICAL_ARTICLES, filters)) if lexical_articles is not None else []
    if articles:
        found += store.query_quotes(vector, LEXICAL_QUOTES, _where(filters, keys, articles))
    return list({stored.quote_id: stored for stored in found}.values())


def _stored(ranked: RankedQuote) -> StoredQuote:
    return ranked.stored


def _whole(ranked: Sequence[RankedQuote], parts: Sequence[StoredQuote]) -> list[RankedQuote]:
    """Each ranked quote shown as its whole quotation, from the paragraphs in `parts`."""
    return [RankedQuote(joined(r.stored, parts), r.score) for r in ranked]


def answer_speaker(
    question: str,
    ask: SpeakerAsk,
    ranked: list[RankedQuote],
    params: SpeakerParams,
) -> Answer:
    """Lead with who, when and the words; or say the speaker never spoke on the topic."""
    if ranked and ranked[0].score >= params.min_relevance:
        best = ranked[0].score
        chosen = _distinct([r.stored for r in ranked if r.score >= params.keep_relative * best])[:MAX_QUOTES]
        citations, lines = _attributed(chosen)
        ids = [q.quote_id for q in chosen]
        return Answer(question=question, text="\n".join(lines), found=True, citations=citations, passage_ids=ids)
    topic = ask.topic or "that"
    if not ranked:
        text = f"The coverage has no remark by {ask.display_name} about {topic}."
        return Answer(question=question, text=text, found=False)
    closest = [r.stored for r in ranked[:MAX_QUOTES]]
    citations, lines = _attributed(closest)
    text = f"The coverage has no remark by {ask.display_name} about {topic}. {ask.display_name} is quoted on:\n"
    text += "\n".join(lines)
    return Answer(
        question=question, text=text, found=False, citations=citations, closest=[c.article for c in citations]
    )


def answer_from_story(
    question: str,
    ask: SpeakerAsk,
    ranked: Sequence[RankedQuote],
    story_id: str,
    story_terms: set[str],
    idf: Callable[[list[str]], dict[str, float]],
    params: SpeakerParams,
) -> Answer | None:
    """The speaker's words in the story that retrieval ranks first for the whole question, when
    their quotes fall below the relevance bar but that story speaks to the topic; else None.

    The bar compares the topic with a quote and the sentences around it, and a question often
    describes the occasion rather than the words ("How did Stephen Pound react to finding out he had
    a daughter he never knew about?" against "I felt guilt in the marrow of my bones"). Retrieval
    reads the question whole (speaker, occasion and all) against whole stories: when the story it
    ranks first quotes the speaker and holds most of the topic's words, that speaker's quotes there
    are their words on it. Decided on the dev sets (docs/EVAL.md, "The story a speaker's words come
    from"): the speakers of unanswerable questions are quoted there far less near the topic."""
    theirs = [r for r in ranked if r.stored.article.article_id == story_id]
    if not theirs or theirs[0].score < params.story_min:
        return None
    wanted = list(dict.fromkeys(query_terms(ask.topic)))
    if not wanted or related_coverage(idf(wanted), story_terms) < params.story_coverage:
        return None
    # Only quotes that clear the story bar themselves: the story's words vouch for its subject, not
    # for everything the speaker said in it.
    floor = max(params.story_min, params.keep_relative * theirs[0].score)
    chosen = _distinct([r.stored for r in theirs if r.score >= floor])[:MAX_QUOTES]
    citations, lines = _attributed(chosen)
    ids = [q.quote_id for q in chosen]
    return Answer(question=question, text="\n".join(lines), found=True, citations=citations, passage_ids=ids)


def _distinct(quotes: Sequence[StoredQuote]) -> list[StoredQuote]:
    """Quotes whose shown words don't repeat one already chosen: two short quotes of one sentence
    are both shown as that sentence, and a reported clause may hold a quoted phrase. Where a later
    quote holds an earlier one whole, the later takes its place: an article's lead often quotes a
    few words of what its body quotes in full ("… should be barred" / "… should be barred from
    Europe"), and the full words say more. Only within one article, so a listing's date order holds."""
    chosen: list[StoredQuote] = []
    shown: list[str] = []
    for stored in quotes:
        words = " ".join(shown_words(stored).split())
        if any(_holds(earlier, words) for earlier in shown):
            continue
        held = [i for i, earlier in enumerate(shown) if _holds(words, earlier)]
        if any(chosen[i].article.article_id != stored.article.article_id for i in held):
            continue  # another article's words again: shown once, where they ranked
        if not held:
            chosen.append(stored)
            shown.append(words)
            continue
        chosen[held[0]], shown[held[0]] = stored, words
        for i in reversed(held[1:]):
            del chosen[i], shown[i]
    return chosen


def _holds(longer: str, shorter: str) -> bool:
    """`shorter` is in `longer` as whole words ("war" is not in "award")."""
    return re.search(rf"(?<!\w){re.escape(shorter)}(?!\w)", longer) is not None


def shown_words(stored: StoredQuote) -> str:
    """A quote of a few words ("a nuclear dumpsite") means little alone, and reported speech is the
    reporter's wording: for both, the article's sentence is shown, verbatim."""
    short = len(stored.quote.text.split()) < MIN_WORDS_ALONE
    if (short or stored.quote.kind == "reported") and stored.context:
        return stored.context
    return stored.quote.text


def _attributed(chosen: Sequence[StoredQuote]) -> tuple[list[Citation], list[str]]:
    citations: dict[str, Citation] = {}
    lines: list[str] = []
    for stored in chosen:
        citation = citations.get(stored.article.article_id)
        if citation is None:
            citation = Citation(
                n=len(citations) + 1,
                article=stored.article,
                speaker=stored.quote.speaker,
                speaker_role=stored.quote.role,
            )
            citations[stored.article.article_id] = citation
        citation.quotes.append(stored.quote.text)
        reported = stored.quote.kind == "reported"
        words = stored.quote.text if reported else shown_words(stored)
        cue = stored.quote.cue if reported else None
        lines.append(attributed_line(stored.quote.speaker, stored.quote.role, stored.article, words, citation.n, cue))
    return list(citations.values()), lines


def answer_who_said(
    question: str,
    store: Store,
    embedder: Embeddings,
    idf: Callable[[list[str]], dict[str, float]] | None,
    params: SpeakerParams,
    filters: Filters | None = None,
    lexical_articles: LexicalArticles | None = None,
) -> Answer | None:
    """The speaker of the quote that best matches the words asked about, or None to fall back."""
    phrase = _WHO_SAID.sub("", question).strip(" ?")
    if not phrase:
        return None
    found = _candidates(store, embedder.embed_query(phrase), phrase, filters or Filters(), (), lexical_articles)
    wanted = list(dict.fromkeys(query_terms(phrase)))
    best: tuple[float, StoredQuote] | None = None
    for stored in found:
        if not stored.quote.named:
            continue
        score = params.semantic * max(0.0, stored.similarity) + params.lexical * _coverage(
            wanted, idf, f"{stored.quote.text}\n{stored.context}"
        )
        if best is None or score > best[0]:
            best = (score, stored)
    if best is None or best[0] < params.min_who_said:
        return None
    citations, lines = _attributed([joined(best[1], quotation_parts(store, [best[1]]))])
    return Answer(question=question, text=lines[0], found=True, citations=citations, passage_ids=[best[1].quote_id])


def quotes_by(
    store: Store,
    embedder: Embeddings,
    index: SpeakerIndex,
    speaker: str,
    topic: str = "",
    since: date | None = None,
    until: date | None = None,
    idf: Callable[[list[str]], dict[str, float]] | None = None,
    params: SpeakerParams | None = None,
    lexical_articles: LexicalArticles | None = None,
    sources: Sequence[str] = (),
) -> tuple[str, list[StoredQuote]]:
    """`newsdesk quotes`: everything the coverage quotes a person as saying, newest first. With a
    topic, only the quotes that clear the same relevance bar as an answer, newest first and the
    most relevant first within a day."""
    keys = index.match(speaker)
    if not keys:
        return speaker, []
    display = index.speakers()[keys[0]][0]
    params = params or SpeakerParams()
    filters = Filters(since=since, until=until, sources=tuple(sources))
    if topic.strip():
        ranked = speaker_quotes(store, embedder, keys[:3], topic, idf, params, filters, lexical_articles, speaker)
        scores = {r.stored.quote_id: r.score for r in ranked if r.score >= params.min_relevance}
        found = [r.stored for r in ranked if r.stored.quote_id in scores]
        return display, _distinct(sorted(found, key=lambda q: (q.article.published, scores[q.quote_id]), reverse=True))
    found = store.get_quotes(_where(filters, keys[:3]))
    newest = sorted(found, key=lambda q: (q.article.published, -q.quote.start), reverse=True)
    return display, _distinct([joined(q, found) for q in first_per_quotation(newest, lambda q: q)])


def quote_date(article: ArticleRef) -> str:
    return display_date(article.published) if article.published else "undated"


# Share of a speaker question's (idf-weighted) topic terms an extractive fallback must quote.
TOPIC_COVERAGE = 0.5


def speaker_on_topic(answer: Answer, speaker: SpeakerAsk | None, idf: Callable[[list[str]], dict[str, float]]) -> bool:
    """An extractive answer to "what did X say about Y" stands only if its quoted lines name X and
    speak to Y: otherwise it would pass someone else's words, or X's words on another subject, off
    as the answer."""
    if speaker is None:
        return True
    surname = speaker_key(speaker.display_name).split()[-1:]
    wanted = list(dict.fromkeys(query_terms(speaker.topic)))
    weights = idf(wanted) if wanted else {}
    total = sum(weights.values())

    def names_speaker_on_topic(quoted: str) -> bool:  # one article's lines, not the whole answer's
        if not surname or surname[0] not in speaker_key(quoted).split():
            return False
        present = set(terms(quoted))
        covered = sum(w for t, w in weights.items() if t in present)
        return not wanted or (total > 0 and covered / total >= TOPIC_COVERAGE)

    return any(names_speaker_on_topic(" ".join(citation.quotes)) for citation in answer.citations)
