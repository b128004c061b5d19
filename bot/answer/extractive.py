"""The answer with no LLM: the retrieved sentences that answer the question, quoted verbatim.

Candidates are windows of one or two consecutive sentences from the
retrieved passages (the answer is often the sentence after the one that
names the question's subject: "Mr Hogan said the warnings were premature.
'If that were true, e-mail would have stopped…'"). Each window is scored by:

- how much of the question's weight it covers (terms weighted by BM25 idf,
  so "Sativex" counts more than "drug");
- how much of it the window's whole article covers (a question about BP's
  *solar* business is not answered by an article on BP that never says solar);
- embedding similarity to the question;
- whether it holds what the question asks for (a name for "who", a number
  for "how many", a date for "when", a quotation for "what did X say").

Below the relevance bar, or when the question's key terms are missing from
every passage, the answer is a plain "the coverage doesn't say" with the
closest headlines — never unrelated text passed off as an answer.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator, Mapping, Sequence, Set
from dataclasses import dataclass, field

from langchain_core.embeddings import Embeddings

from bot.answer.citations import closest_line, quoted_line
from bot.config import MIN_COVERAGE, MIN_RELEVANCE
from bot.models import Answer, ArticleRef, Citation, Entity, Passage
from bot.schema import embedding_text
from bot.text import (
    STOPWORDS,
    fold,
    name_terms,
    normalise_space,
    query_terms,
    sentences,
    terms,
    without_possessive,
    words,
)


@dataclass(frozen=True)
class ExtractiveParams:
    """Weights and bars of the sentence scorer; tuned on the dev set (docs/EVAL.md)."""

    semantic: float = 0.35
    lexical: float = 0.35
    context: float = 0.10
    answer_type: float = 0.15
    pair_penalty: float = 0.08
    focus: float = 0.15
    min_relevance: float = MIN_RELEVANCE
    min_coverage: float = MIN_COVERAGE
    keep_relative: float = 0.8
    max_sentences: int = 4


DEFAULT_PARAMS = ExtractiveParams()
# An article holding this share of the question's weighted terms answers it even when a sentence of
# a less covering article ranks above its own (which then falls short of `min_coverage`).
OVERRIDING_COVERAGE = 0.8

_MONTHS = "january|february|march|april|may|june|july|august|september|october|november|december"
_DAYS = "monday|tuesday|wednesday|thursday|friday|saturday|sunday"
# "Which former England captain …" and "Which minister's comments …" ask who; "What was India's
# finance minister's complaint …" asks what (a verb before the role, or words before a role that owns
# the noun asked about).
_ROLES_ASKED = (
    r"(minister|coach|manager|player|director|chief|boss|actor|actress|singer|star|man|woman|person|agent|judge|"
    r"leader|mp|official|executive|chairman|president|striker|winger|captain|author|writer|presenter|band|"
    r"group|firm|company|team|club)s?"
)
# "What's the name of Mourinho's wife?", "whats Deathifier's real name", "the name of the new Chelsea
# manager": a person asked for by name. Only people's roles, after at most two words that are names or
# "new", "former" …, or one word of any case right after "the" ("the chelsea manager"): "the name of
# the song the band released" or "of the new music player" ask no one.
_KIN = r"(wife|husband|partner|son|daughter|father|mother|brother|sister|girlfriend|boyfriend|fianc[eé]e?|baby)"
_PEOPLE_ROLES = (
    r"(minister|coach|manager|director|chief|boss|actor|actress|singer|judge|leader|mp|official|executive|"
    r"chairman|president|striker|winger|captain|author|writer|presenter|spokesman|spokeswoman|owner|founder)s?"
)
_ASK_WHO = re.compile(
    r"^\s*what(?:['’]?s| is| was)\s+(?:[\w-]+\s+){0,3}?(?:[\w-]+['’]s?|his|her|their)\s+"
    r"(?:real|full|first|maiden|birth|married)\s+name\b|"
    r"\bname of (?:the |his |her |their |(?:[\w-]+ ){0,3}[\w-]+['’]s? )?"
    rf"(?:(?:new|former|late|current|previous|next|first|last|(?-i:[A-Z][\w-]*)) ){{0,2}}?({_KIN}|{_PEOPLE_ROLES})\b"
    r"(?!['’]s)|"
    rf"\bname of the [\w-]+ {_PEOPLE_ROLES}\b(?!['’]s)|"  # typed in lower case: "the chelsea manager"
    rf"^\s*(who|whom|whose)\b|^\s*(which|what)\s+{_ROLES_ASKED}\b|^\s*(which|what)\s+"
    r"(?:(?!(?:is|was|were|are|did|does|do|has|have|had|will|would|could|can|should)\b)[\w'’-]+\s+){1,4}?"
    rf"{_ROLES_ASKED}\b(?!['’]s)",
    re.IGNORECASE,
)
_ASK_NUMBER = re.compile(
    r"\bhow (much|many|long|old|far|big|high|large)\b|\bwhat (percentage|percent|per cent|proportion|share|number|"
    r"amount|price|figure|sum|total|score)\b|\bwhat\s*%|\bby how\b",
    re.IGNORECASE,
)
# "How much did it cost / did they pay / is it worth": the answer is a sum of money, not any figure in
# the sentence. Only with the verb straight after "how much … did": "how much weight did he lose"
# or "how much did the Bank raise rates by" want other amounts.
_MONEY_NOUNS = (
    r"(profits?|revenues?|turnover|earnings|salary|salaries|wages?|compensation|damages|fines?|fees?|bonus(?:es)?|"
    r"dividends?|payouts?|pay-?offs?|prize money|ransom)"
)
_ASK_MONEY = re.compile(
    rf"\bhow much {_MONEY_NOUNS}\b|\bwhat (?:[\w-]+ )?{_MONEY_NOUNS} (?:did|does|do|will|would|has|have|had)\b|"
    r"\bhow much (?:money |cash )?(?:did|does|do|will|would|could|has|have|had|is|was|are|were)\b"
    r"(?:\s+[\w'’-]+){0,10}?\s+(cost|costs|costing|pay|paid|paying|spend|spent|spending|worth|fund|funded|"
    r"funding|invest|invested|investing|charge|charged|charging|fine|fined|earn|earned|earning|owe|owed|priced)\b|"
    r"\bhow much (?:money |cash )?(?:did|does|do|will|would|has|have|had)\b(?:\s+[\w'’-]+){0,10}?\s+"
    r"(sell|sold|buy|bought)\b.*\bfor\b|\bhow much (money|cash)\b|\bwhat (price|sum)\b|"
    r"\bwhat(?:'s| is| was| are| were| will be) the (?:\w+ )?(price|cost|fee|price tag)s? (of|for)\b|"
    r"\bwhat did\b(?:\s+[\w'’-]+){1,8}?\s+cost\b",
    re.IGNORECASE,
)
# "What % of voters backed it?" is answered by a percentage, not by any count in the story.
_ASK_PERCENT = re.compile(r"\bwhat\s*%|\bwhat (percentage|percent|per cent)\b", re.IGNORECASE)
# A percentage in figures or in words: "25.7%", "40 per cent", "half of", "a third of", "one in four"
# (not the "half" of "two-and-a-half years").
_PERCENT = re.compile(
    r"\d\s?(%|per ?cent\b|percent\b)|\bpercentage points?\b|\b(half|a third|two thirds|a quarter|three quarters) of\b|"
    r"\bone in (two|three|four|five|six|seven|eight|nine|ten|\d+)\b",
    re.IGNORECASE,
)
_ASK_WHEN = re.compile(
    r"^\s*when\b|\b(by|since|until|till|from) when\b|\bwhat (date|day|year|month|time)\b|\bon which (day|date)\b",
    re.IGNORECASE,
)
_ASK_QUOTE = re.compile(
    r"\b(say|said|says|call|called|describe|described|tell|told|respond|responded|react|reacted|admit|admitted|"
    r"warn|warned|claim|claimed|insist|insisted|argue|argued|offer|offered)\b",
    re.IGNORECASE,
)
_ASK_WHY = re.compile(
    r"^\s*why\b|^\s*how come\b|^\s*what (?:made|caused|led|prompted|drove|forced|pushed|sparked|triggered)\b|"
    r"\bwhat(?:'s| is| was) behind\b|\bthe reasons? (?:for|why|behind)\b",
    re.IGNORECASE,
)
_NUMBER = re.compile(
    r"\d|\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|"
    r"hundred|thousand|million|billion|trillion|half|dozen|doubled|tripled|trebled|quadrupled|halved|"
    r"(?:two|three|four|five|six|seven|eight|nine|ten|hundred|thousand)fold)\b",
    re.IGNORECASE,
)
_DATE = re.compile(
    rf"\b({_MONTHS}|{_DAYS})\b|\b(19|20)\d\d\b|\b(yesterday|today|tomorrow|next week|last week)\b", re.IGNORECASE
)
_QUOTE = re.compile(r"[\"“”]")
_ACCORDING_TO = re.compile(r"\baccording to\s+([^?!.,;]+)", re.IGNORECASE)
_FRACTION = re.compile(r"\b(?:thirds?|quarters?)\b", re.IGNORECASE)  # "lost a third of …", "three quarters"
_REASON = re.compile(
    r"\b(because|due to|as a result|in order to|so that|so as to|to fund|to pay|to cut|to prevent|"
    r"to avoid|to help|amid|blamed|reason|after|since|following|given that)\b",
    re.IGNORECASE,
)


@dataclass
class ScoredWindow:
    passage: Passage
    spans: list[tuple[int, int]]  # sentence offsets within passage.text
    texts: list[str]
    score: float
    lexical: float
    context: float
    semantic: float
    has_type: bool
    focus: float = 0.15
    bar_lexical: float | None = None  # the lexical share the relevance bar reads, when not `lexical`

    @property
    def own_lexical(self) -> float:
        """The window's own match of the question's words, without the article's opening words
        where those only rank the article's sentences against each other (see `_read_question`)."""
        return self.lexical if self.bar_lexical is None else self.bar_lexical

    def bar_score(self, params: ExtractiveParams) -> float:
        """The score the relevance bar reads: with the window's own match (`own_lexical`)."""
        return self.score - params.lexical * (self.lexical - self.own_lexical)


def answer_type_check(question: str) -> Callable[[str], bool] | None:
    """What a window must contain to answer this kind of question, beyond the question's own words."""
    asked_names = {without_possessive(w.lower()) for w in words(question)}

    def new_name(text: str) -> bool:
        """A capitalised word that is not sentence-initial and not already in the question."""
        tokens = words(text)
        return any(
            position > 0
            and token[:1].isupper()
            and without_possessive(token.lower()) not in asked_names
            and token.lower() not in STOPWORDS
            for position, token in enumerate(tokens)
        )

    def new_number(text: str) -> bool:
        return any(m.group(0).lower() not in asked_names for m in _NUMBER.finditer(text))

    if wanted_entities(question) is _PERCENT_LABELS:
        return lambda text: bool(_PERCENT.search(text))
    if _ASK_NUMBER.search(question):
        return new_number
    if _ASK_WHEN.search(question):
        return lambda text: bool(_DATE.search(text)) or new_number(text)
    if _ASK_WHO.search(question):
        return new_name
    if _ASK_WHY.search(question):
        return lambda text: bool(_REASON.search(text))
    if _ASK_QUOTE.search(question):
        return lambda text: bool(_QUOTE.search(text))
    source = _ACCORDING_TO.search(question)
    if source and (source_terms := set(terms(source.group(1)))):
        # "How was Beattie after the assault, according to Everton's spokesman?": the answer is what
        # that source says, in a window that names it, not the story's own account.
        return lambda text: source_terms <= set(terms(text))
    return None


_ASK_PLACE = re.compile(
    r"\b(which|what)\s+(?:[\w'-]+\s+){0,2}?(country|countries|state|city|cities|town|nation|region|capital|"
    r"place|continent|county|island)\b|^\s*where\b",
    re.IGNORECASE,
)
_ASK_ORG = re.compile(
    r"\b(which|what)\s+(?:[\w'-]+\s+){0,2}?(company|companies|firm|team|club|band|group|party|organisation|"
    r"organization|bank|broadcaster|network|studio|airline|carrier|retailer|newspaper|agency|body|union|side)\b",
    re.IGNORECASE,
)
_PERSON_LABELS = frozenset({"PERSON", "ORG"})
_NUMBER_LABELS = frozenset({"MONEY", "QUANTITY", "CARDINAL", "PERCENT"})
_MONEY_LABELS = frozenset({"MONEY"})
_PERCENT_LABELS = frozenset({"PERCENT"})
_FIGURE_LABELS = (_NUMBER_LABELS, _MONEY_LABELS, _PERCENT_LABELS)
_SUM = re.compile(
    r"[$£€¥]\s?\d[\d,.]*(?:\s?(?:bn|m|k|billion|million|trillion|thousand)\b)?|"
    r"\b\d[\d,.]*\s?(?:bn|m)?\s(?:dollars|pounds|euros|yen|yuan|rupees|roubles)\b",
    re.IGNORECASE,
)
_DATE_LABELS = frozenset({"DATE", "TIME"})


def asks_a_figure(question: str) -> bool:
    """ "How many …", "how much …", "what share …": the answer is a number or a sum."""
    return wanted_entities(question) in _FIGURE_LABELS


def holds_a_figure(text: str) -> bool:
    return bool(_NUMBER.search(text) or _FRACTION.search(text))


def wanted_entities(question: str) -> frozenset[str] | None:
    """The entity labels an answer to this question must hold (who → a person, which country → a
    place, how much → a quantity, when → a date), or None when the question wants no entity."""
    if _ASK_MONEY.search(question):
        return _MONEY_LABELS
    if _ASK_PERCENT.search(question):
        return _PERCENT_LABELS
    if _ASK_NUMBER.search(question):
        return _NUMBER_LABELS
    if _ASK_WHEN.search(question):
        return _DATE_LABELS
    if _ASK_PLACE.search(question):
        return frozenset({"GPE", "LOC", "FAC"})
    if _ASK_ORG.search(question):
        return frozenset({"ORG"})
    if _ASK_WHO.search(question):
        return _PERSON_LABELS
    return None


def _new_entities(
    passage: Passage, spans: list[tuple[int, int]], labels: frozenset[str], question: str
) -> Iterator[Entity]:
    """Entities of the asked type inside the window that the question doesn't already hold, whole
    or in more than half their words: "the Wolong Nature Reserve" is the "Wolong panda reserve"
    asked about, not its answer."""
    asked = fold(question)
    asked_terms = set(terms(question))
    start, end = spans[0][0], spans[-1][1]
    for entity in passage.entities or ():
        inside = entity.label in labels and start <= entity.start and entity.end <= end
        written = passage.text[entity.start : entity.end]
        if not inside or fold(written) in asked:
            continue
        own = set(terms(written))
        if own and 2 * len(own & asked_terms) > len(own):
            continue
        yield entity


def holds_new_entity(passage: Passage, spans: list[tuple[int, int]], labels: frozenset[str], question: str) -> bool:
    """A window answers a typed question only with an entity of that type the question doesn't
    already hold: a sentence that merely restates the question names nothing new."""
    return next(_new_entities(passage, spans, labels, question), None) is not None


def _beside(passage: Passage, spans: list[tuple[int, int]], entity: Entity) -> set[str]:
    """The terms within FOCUS_CHARS of an entity, inside the window."""
    start, end = spans[0][0], spans[-1][1]
    return set(terms(passage.text[max(start, entity.start - FOCUS_CHARS) : min(end, entity.end + FOCUS_CHARS)]))


def _holds_role(
    passage: Passage, spans: list[tuple[int, int]], labels: frozenset[str], question: str, roles: Set[str]
) -> bool:
    """The window names someone new in the role the question asks about ("Communications Minister
    Dayanidhi Maran" for "which minister …"), not just anyone new."""
    return any(
        any(_related(role, _beside(passage, spans, entity)) for role in roles)
        for entity in _new_entities(passage, spans, labels, question)
    )


def _runs(passage: Passage, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Adjacent sentences (only whitespace between them) merge into one quoted run."""
    runs: list[tuple[int, int]] = []
    for start, end in spans:
        if runs and not passage.text[runs[-1][1] : start].strip():
            runs[-1] = (runs[-1][0], end)
        else:
            runs.append((start, end))
    return runs


def mentions(names: Sequence[str]) -> str:
    """The names a question held that no article mentions, as the refusal shows them."""
    return " or ".join(f"“{name}”" for name in names)


def not_covered_text(closest: list[ArticleRef], never_named: Sequence[str] = ()) -> str:
    text = "The coverage doesn't say."
    if never_named:
        text = f"The coverage doesn't say: no article mentions {mentions(never_named)}."
    if closest:
        text += f" The closest articles are {closest_line(closest)}."
    return text


def closest_articles(passages: Sequence[Passage], limit: int = 3) -> list[ArticleRef]:
    refs: dict[str, ArticleRef] = {}
    for passage in passages:
        refs.setdefault(passage.article.article_id, passage.article)
    return list(refs.values())[:limit]


def _coverage(weights: dict[str, float], present: set[str]) -> float:
    total = sum(weights.values())
    return sum(w for t, w in weights.items() if t in present) / total if total else 0.0


def _related(term: str, present: set[str]) -> bool:
    """The term, or a word built on it: "chair" in "chairman", "india" in "indian" (stems of five
    letters or more, so "art" does not match "article")."""
    if term in present:
        return True
    if len(term) < 5:
        return False
    return any(len(word) >= 5 and (word.startswith(term) or term.startswith(word)) for word in present)


def related_coverage(weights: dict[str, float], present: set[str]) -> float:
    """The share of the weighted terms present, or present as words built on them (`_related`)."""
    total = sum(weights.values())
    return sum(w for t, w in weights.items() if _related(t, present)) / total if total else 0.0


FOCUS_CHARS = 60  # how near a question's words must be to the entity that answers it
# Nouns that name the part a person or body plays: in "who was named best director", "director" is
# what the answering name must stand next to ("Festen's Rufus Norris was named best director").
_ROLE_WORDS = (
    "agent author boss captain chairman chairwoman champion chancellor chief coach commissioner composer "
    "designer director economist editor executive founder goalkeeper governor head judge leader manager "
    "minister owner player presenter president producer referee secretary singer spokesman spokeswoman "
    "spokesperson star striker winger winner writer actor actress analyst ambassador"
)
ROLE_NOUNS = frozenset(_ROLE_WORDS.split())
# "Who directed X?" names a role by its verb: the answer is X's director ("Director Marc Rothemund
# said", "founded by … Naresh Goyal"). Only right after "who", where the verb is what the person did.
_ROLE_BY_VERB = {
    "directed": "director",
    "founded": "founder",
    "wrote": "writer",
    "produced": "producer",
    "composed": "composer",
    "designed": "designer",
    "edited": "editor",
    "coached": "coach",
    "coaches": "coach",
    "owns": "owner",
    "owned": "owner",
    "captained": "captain",
    "captains": "captain",
    "refereed": "referee",
    "chairs": "chairman",
    "chaired": "chairman",
}
_WHO_DID = re.compile(rf"^\s*who\s+(?:has\s+|had\s+)?({'|'.join(_ROLE_BY_VERB)})\b", re.IGNORECASE)


def _role_terms(question: str) -> set[str]:
    """The roles a question names ("Which Indian minister …", "Who is Kewell's agent?"), as terms
    (stemmed: "minister" is "minist"). Matched as written, so "presented" or "managed" name no role;
    a capitalised one beside a capitalised word that is no role is part of a name ("Sports
    Interactive's Football Manager"), where "the Chief Executive of BP" is still a role."""
    found: set[str] = set()
    written = words(question)
    for position, word in enumerate(w.lower() for w in written):
        singular = role_noun(word)
        if singular is None or (position > 0 and _in_a_name(written, position)):
            continue
        found.update(terms(singular))
    did = _WHO_DID.match(question)
    if did:
        found.update(terms(_ROLE_BY_VERB[did.group(1).lower()]))
    return found


def role_noun(word: str) -> str | None:
    """The role noun a lower-cased word is, in the singular ("ministers", "coaches"), or None."""
    return next((w for w in (word, word[:-1], word[:-2]) if w in ROLE_NOUNS), None)


def _in_a_name(written: list[str], position: int) -> bool:
    """A capitalised word with a capitalised neighbour that is no role noun: part of a name."""
    if not written[position][:1].isupper():
        return False
    neighbours = written[max(0, position - 1) : position] + written[position + 1 : position + 2]
    return any(w[:1].isupper() and role_noun(w.lower()) is None for w in neighbours)


def _lead_terms(passage: Passage) -> set[str]:
    """What an article establishes before any later sentence: its headline and, for a passage that
    starts the article, its first sentence."""
    lead = passage.article.title
    if passage.start == 0:
        first = next(iter(sentences(passage.text)), None)
        if first is not None:
            lead += "\n" + passage.text[first[0] : first[1]]
    return set(terms(lead))


def _focus(
    passage: Passage, spans: list[tuple[int, int]], labels: frozenset[str], question: str, weights: dict[str, float]
) -> float:
    """How much of the question sits right beside a new entity of the asked type: "Festen's Rufus
    Norris was named best director" answers "who was named best director", where a sentence that
    names Alan Bennett four clauses away from "director" does not."""
    roles = _role_terms(question)
    best = 0.0
    for entity in _new_entities(passage, spans, labels, question):
        near = _beside(passage, spans, entity)
        focus = related_coverage(weights, near)
        if roles:  # the role the question names must stand by the name
            focus = (focus + (1.0 if any(_related(role, near) for role in roles) else 0.0)) / 2
        best = max(best, focus)
    return best


@dataclass(frozen=True)
class _Unit:
    """A one- or two-sentence window, before it is scored."""

    passage: Passage
    spans: list[tuple[int, int]]
    terms: set[str]
    context: float  # how much of the question the window's whole article covers


@dataclass(frozen=True)
class _Asked:
    """What the question asks for, read once for all its windows."""

    question: str
    weights: dict[str, float]
    check: Callable[[str], bool] | None
    labels: frozenset[str] | None
    typed: bool  # some window holds a new entity of the asked type: entities decide, not `check`
    leads: Mapping[str, set[str]]  # chunk id → headline and first-sentence terms (not for a speaker's words)
    roles: frozenset[str]  # the asked role, when some window names a new holder of it: then one must
    leads_pass_bar: bool  # the question names a role: its leads count towards the relevance bar too


def _question_weights(question: str, idf: Callable[[list[str]], dict[str, float]] | None) -> dict[str, float]:
    """The question's terms by BM25 idf; names count half again ("Sativex" over "drug")."""
    wanted = list(dict.fromkeys(query_terms(question)))
    if not wanted:
        return {}
    weights = idf(wanted) if idf else {term: 1.0 for term in wanted}
    for name in name_terms(question):
        if name in weights:
            weights[name] *= 1.5
    return weights


def _sentence_spans(passage: Passage) -> list[tuple[int, int]]:
    """Sentences of three words or more, less a passage's first one when a chunk cut it mid-way, and
    less the article's own questions ("But what does it do and how does it work?"): they share the
    reader's words and answer nothing. A question someone is quoted asking ends in its quote mark."""
    return [
        (start, end)
        for position, (start, end) in enumerate(sentences(passage.text))
        if len(passage.text[start:end].split()) >= 3
        and not (position == 0 and passage.start > 0 and passage.text[start:end][:1].islower())
        and not passage.text[start:end].rstrip().endswith("?")
    ]


def _units(
    passages: Sequence[Passage], weights: dict[str, float], article_terms: Mapping[str, set[str]] | None
) -> tuple[list[_Unit], list[str]]:
    """Every window, each sentence once per article (chunks overlap), and the sentences to encode."""
    units: list[_Unit] = []
    texts: list[str] = []
    seen: set[tuple[str, str]] = set()
    for passage in passages:
        known = article_terms.get(passage.article.article_id) if article_terms else None
        context = related_coverage(weights, known or set(terms(embedding_text(passage.article.title, passage.text))))
        spans = _sentence_spans(passage)
        for position, span in enumerate(spans):
            text = passage.text[span[0] : span[1]]
            key = (passage.article.article_id, normalise_space(text).lower())
            if key in seen:
                continue
            seen.add(key)
            units.append(_Unit(passage, [span], set(terms(text)), context))
            texts.append(text)
            if position + 1 < len(spans):
                pair = [span, spans[position + 1]]
                units.append(_Unit(passage, pair, set(terms(passage.text[span[0] : pair[1][1]])), context))
    return units, texts


def _read_question(
    question: str, weights: dict[str, float], units: Sequence[_Unit], passages: Sequence[Passage]
) -> _Asked:
    labels = wanted_entities(question)
    typed = labels is not None and any(
        holds_new_entity(unit.passage, unit.spans, labels, question)
        for unit in units
        if unit.passage.entities is not None
    )
    # A question is answered by a sentence that needn't repeat what the article's headline and first
    # sentence already named ("the wireless network at China's Wolong panda reserve … has been
    # developed by Intel"; "everyone chosen … will receive a performer's fee"): those words count as
    # the window's own when ranking. Not for "what did X say about Y", whose answer must speak to Y
    # in its own words. Only for a question naming a role ("who was named best director at the
    # Critics' Circle awards?") do they also count towards the relevance bar; otherwise an article
    # that merely opens on the question's subject would pass it with whatever it holds.
    roles = frozenset(_role_terms(question)) if typed and labels is not None else frozenset()
    asks_words = labels is None and bool(_ASK_QUOTE.search(question))
    leads = {passage.chunk_id: _lead_terms(passage) for passage in passages} if not asks_words else {}
    held = labels is not None and any(
        _holds_role(unit.passage, unit.spans, labels, question, roles) for unit in units if roles
    )
    return _Asked(
        question,
        weights,
        answer_type_check(question),
        labels,
        typed,
        leads,
        roles if held else frozenset(),
        bool(roles),
    )


def _scored(unit: _Unit, asked: _Asked, vectors: Mapping[str, list[float]], query: list[float]) -> ScoredWindow:
    passage, group = unit.passage, unit.spans
    window_texts = [passage.text[s:e] for s, e in group]
    summed = [sum(values) for values in zip(*(vectors[t] for t in window_texts), strict=True)]
    norm = math.sqrt(sum(v * v for v in summed)) or 1.0
    semantic = max(0.0, sum(q * v / norm for q, v in zip(query, summed, strict=True)))
    own = _coverage(asked.weights, unit.terms)
    lexical = _coverage(asked.weights, unit.terms | asked.leads.get(passage.chunk_id, set()))
    joined = " ".join(window_texts)
    focus = 0.0
    if asked.typed and asked.labels is not None and passage.entities is not None:
        has_type = holds_new_entity(passage, group, asked.labels, asked.question)
        if has_type and asked.roles:
            has_type = _holds_role(passage, group, asked.labels, asked.question, asked.roles)
        focus = _focus(passage, group, asked.labels, asked.question, asked.weights) if has_type else 0.0
        if asked.labels is _NUMBER_LABELS and asked.check is not None:  # "fourfold" is no entity, but an amount
            has_type = has_type or asked.check(joined)
        if asked.labels is _MONEY_LABELS:  # the entity model misses some sums ("totalled $24bn last year")
            has_type = has_type or any(m.group(0) not in asked.question for m in _SUM.finditer(joined))
        if asked.labels is _PERCENT_LABELS:
            has_type = has_type or any(m.group(0) not in asked.question for m in _PERCENT.finditer(joined))
    else:
        has_type = asked.check(joined) if asked.check else True
    bar = None if asked.leads_pass_bar else own
    return ScoredWindow(passage, group, window_texts, 0.0, lexical, unit.context, semantic, has_type, focus, bar)


def candidate_windows(
    question: str,
    passages: Sequence[Passage],
    embedder: Embeddings,
    idf: Callable[[list[str]], dict[str, float]] | None = None,
    question_vector: list[float] | None = None,
    article_terms: Mapping[str, set[str]] | None = None,
) -> list[ScoredWindow]:
    """Every one- and two-sentence window with its features; `rank` turns features into a score."""
    weights = _question_weights(question, idf)
    if not weights or not passages:
        return []
    units, texts = _units(passages, weights, article_terms)
    if not units:
        return []
    unique_sentences = list(dict.fromkeys(texts))
    vectors = dict(zip(unique_sentences, embedder.embed_documents(unique_sentences), strict=True))
    query = question_vector or embedder.embed_query(question)
    asked = _read_question(question, weights, units, passages)
    return [_scored(unit, asked, vectors, query) for unit in units]


def rank(windows: Sequence[ScoredWindow], params: ExtractiveParams = DEFAULT_PARAMS) -> list[ScoredWindow]:
    for window in windows:
        window.score = (
            params.semantic * window.semantic
            + params.lexical * window.lexical
            + params.context * window.context
            + params.answer_type * (1.0 if window.has_type else 0.0)
            + params.focus * window.focus
            - params.pair_penalty * (len(window.spans) - 1)
        )
    return sorted(windows, key=lambda item: item.score, reverse=True)


def score_windows(
    question: str,
    passages: Sequence[Passage],
    embedder: Embeddings,
    idf: Callable[[list[str]], dict[str, float]] | None = None,
    params: ExtractiveParams = DEFAULT_PARAMS,
    question_vector: list[float] | None = None,
    article_terms: Mapping[str, set[str]] | None = None,
) -> list[ScoredWindow]:
    return rank(candidate_windows(question, passages, embedder, idf, question_vector, article_terms), params)


@dataclass
class _Picked:
    """The sentences chosen so far, per chunk, in the order their chunks were first chosen."""

    spans: dict[str, set[tuple[int, int]]] = field(default_factory=dict)
    passages: dict[str, Passage] = field(default_factory=dict)
    count: int = 0

    def shown_texts(self, passage: Passage) -> set[str]:
        return {
            normalise_space(passage.text[s:e])
            for chunk, spans in self.spans.items()
            for s, e in spans
            if self.passages.get(chunk) is passage
        }

    def add(self, window: ScoredWindow, params: ExtractiveParams) -> None:
        """Takes the window's new sentences if they fit the budget and say something not yet shown."""
        passage = window.passage
        have = self.spans.setdefault(passage.chunk_id, set())
        new = [span for span in window.spans if span not in have]
        if not new or self.count + len(new) > params.max_sentences:
            return
        shown = self.shown_texts(passage)
        if all(normalise_space(passage.text[s:e]) in shown for s, e in new):
            return
        have.update(new)
        self.count += len(new)
        self.passages[passage.chunk_id] = passage


def _pick(scored: Sequence[ScoredWindow], params: ExtractiveParams) -> _Picked:
    """Sentences window by window, best first, until the budget is spent or the windows fall below
    `keep_relative` of the best; overlapping windows only add their new sentences."""
    picked = _Picked()
    for window in scored:
        if window.score < params.keep_relative * scored[0].score:
            break
        picked.add(window, params)
    return picked


def _cited(picked: _Picked) -> tuple[list[Citation], list[str]]:
    """Numbered citations, one per article, and the chosen sentences as quoted runs in article order."""
    citations: dict[str, Citation] = {}
    lines: list[str] = []
    for chunk, passage in picked.passages.items():
        citation = citations.setdefault(
            passage.article.article_id, Citation(n=len(citations) + 1, article=passage.article)
        )
        for start, end in _runs(passage, sorted(picked.spans[chunk])):
            quote = passage.text[start:end]
            citation.quotes.append(quote)
            lines.append(quoted_line(normalise_space(quote), passage.article, citation.n))
    return list(citations.values()), lines


def _holding_an_amount(question: str, scored: Sequence[ScoredWindow]) -> Sequence[ScoredWindow]:
    """For "how much", "how many" and "when", only the windows that hold an amount or a date, when
    any does: a sentence without one cannot answer, however well it restates the question (the
    headline's words count for every sentence of its article when ranking)."""
    if wanted_entities(question) not in (*_FIGURE_LABELS, _DATE_LABELS):
        return scored
    return [window for window in scored if window.has_type] or scored


def compose(
    question: str, scored: Sequence[ScoredWindow], passages: Sequence[Passage], params: ExtractiveParams
) -> Answer:
    """The best windows as quoted lines with citations, or the not-covered answer."""
    scored = _holding_an_amount(question, scored)
    if scored and scored[0].bar_score(params) < params.min_relevance:
        # Ranked first on its headline's words alone: the answer is among those that clear the bar.
        scored = [window for window in scored if window.bar_score(params) >= params.min_relevance] or scored
    if scored and scored[0].context < params.min_coverage:
        # Ranked first from an article that misses much of the question (a paraphrase's words hit
        # another story): the answer may be a window scoring near it that matches more of the
        # question's words, with its headline and without, in an article holding nearly all of them.
        top = scored[0]
        bar = max(params.min_relevance, params.keep_relative * top.bar_score(params))
        scored = [
            window
            for window in scored
            if window.context >= OVERRIDING_COVERAGE
            and window.lexical > top.lexical
            and window.own_lexical > top.own_lexical
            and window.bar_score(params) >= bar
        ] or scored
    best = scored[0] if scored else None
    if best is None or best.bar_score(params) < params.min_relevance or best.context < params.min_coverage:
        closest = closest_articles(passages)
        return Answer(question=question, text=not_covered_text(closest), found=False, closest=closest)
    picked = _pick(scored, params)
    citations, lines = _cited(picked)
    return Answer(
        question=question,
        text="\n".join(lines),
        found=True,
        citations=citations,
        passage_ids=list(picked.passages),
    )
