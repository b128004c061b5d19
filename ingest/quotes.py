"""Who said what: quotations and their speakers, read off spaCy's parse of an article.

News prose attributes speech in a handful of shapes, and the dependency parse
already names their parts: the cue verb ("said", "told", "warned", "according
to"), its subject (the speaker) and, for reported speech, its clausal
complement (what was said). This module adds what the parse doesn't know:

- which spans are quotations (the quotation marks, paired per paragraph; a
  paragraph left open continues in the next one, as news style writes long
  quotes);
- who a mention is: "Mr Churkin", "he" and "the ambassador" are resolved to the
  full name the article introduced ("Vitaly Churkin"), with the role it gave
  ("Russia's ambassador to the United Nations");
- quotes with no cue of their own (the second sentence of a speech, a quote
  introduced before its speaker) take the speaker of the quote they continue.

textacy's `direct_quotations` was the reference point; this layer measures
better on the labelled set in eval/quotes_dev.jsonl (see docs/EVAL.md) because it
resolves pronouns, titles and roles to names and also reads reported speech.

Changing what this module extracts? Bump ANALYSIS_VERSION (ingest/analysis_version.py), so stores
built before the change rewrite their quotes when their sources are ingested again.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from spacy.tokens import Doc, Span, Token

from bot.models import Entity, Quote
from bot.text import HONORIFICS, PEERAGE, ROLE_MODIFIERS, speaker_key, without_possessive

# Lemmas of verbs that attribute speech or a stated view.
CUE_LEMMAS = frozenset(
    """
    say tell add insist claim warn argue explain admit state note write describe ask reply suggest believe
    think declare urge predict stress announce maintain conclude acknowledge complain confirm deny comment
    continue reveal agree accept concede promise vow pledge hope fear call dismiss criticise criticize
    accuse praise welcome urge point recall testify report estimate forecast respond answer joke quip
    remark observe emphasise emphasize contend assert allege boast blame question tweet post brand label
    """.split()  # noqa: SIM905 - a word list reads better as text
)
# Reported speech is read only after these (with "think"/"hope", "X said that" reads as a claim).
REPORT_LEMMAS = frozenset(
    """
    say tell add insist claim warn argue explain admit state note suggest believe predict stress announce
    maintain conclude acknowledge complain confirm deny reveal concede promise vow pledge estimate forecast
    allege contend assert
    """.split()  # noqa: SIM905 - a word list reads better as text
)
PRONOUNS = frozenset({"he", "she", "him", "her"})
GROUP_PRONOUNS = frozenset({"they", "it", "we"})
ENTITY_LABELS = frozenset(
    {"PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT", "WORK_OF_ART", "LAW", "PRODUCT"}
    | {"DATE", "TIME", "MONEY", "QUANTITY", "CARDINAL", "PERCENT", "ORDINAL"}
)
_OPENING = "“"
_CLOSING = "”"
_STRAIGHT = '"'
MIN_REPORTED_TOKENS = 4
_NOT_SPEAKERS = frozenset({"DATE", "TIME", "MONEY", "QUANTITY", "CARDINAL", "PERCENT", "ORDINAL"})
MAX_LEAD_CHARS = 600  # a lead-in longer than this is a paragraph of its own, not an introduction
MIN_UNCUED_WORDS = 3


@dataclass
class Analysis:
    """What one parse of an article yields: its quotes and its named entities."""

    quotes: list[Quote] = field(default_factory=list)
    entities: list[Entity] = field(default_factory=list)


@dataclass
class _Person:
    name: str
    role: str = ""


@dataclass
class _People:
    """The people an article introduces, by full name, and the shorter ways it refers to them."""

    by_key: dict[str, _Person] = field(default_factory=dict)
    by_part: dict[str, str] = field(default_factory=dict)  # surname or first name -> full-name key

    def add(self, name: str) -> _Person | None:
        name = _clean_name(name)
        key = speaker_key(name)
        if not key:
            return None
        parts = key.split()
        if len(parts) == 1 and parts[0] in self.by_part:
            return self.by_key[self.by_part[parts[0]]]
        person = self.by_key.get(key)
        if person is None:
            longer = next((k for k in self.by_key if k.endswith(" " + key) and len(parts) > 1), None)
            if longer:
                return self.by_key[longer]
            person = self.by_key[key] = _Person(_clean_name(name))
            if len(parts) > 1:
                self.by_part.setdefault(parts[-1], key)
                self.by_part.setdefault(parts[0], key)
        return person

    def find(self, name: str) -> _Person | None:
        key = speaker_key(_clean_name(name))
        if key in self.by_key:
            return self.by_key[key]
        parts = key.split()
        if parts and parts[-1] in self.by_part:
            return self.by_key[self.by_part[parts[-1]]]
        return None

    def by_role_word(self, word: str) -> _Person | None:
        found = self.all_by_role_word(word)
        return found[-1] if found else None

    def all_by_role_word(self, word: str) -> list[_Person]:
        """Everyone whose role holds `word`, in the order the article introduced them."""
        return [p for p in self.by_key.values() if p.role and re.search(rf"\b{re.escape(word)}\b", p.role.lower())]


def _clean_name(name: str) -> str:
    name = without_possessive(name)
    words = name.split()
    while words and words[0].lower().rstrip(".") in HONORIFICS:
        words = words[1:]
    return " ".join(words)


def quotation_spans(text: str) -> list[tuple[int, int]]:
    """Character spans inside quotation marks, paired line by line.

    A straight mark opens when a space precedes it and a word follows, closes when a word precedes
    it; an opening mark while a quotation is open closes that one first (archives drop closing
    marks). A line that ends inside a quotation continues it: news style opens each paragraph of a
    long quote again and closes only the last."""
    spans: list[tuple[int, int]] = []
    for line in re.finditer(r"[^\n]+", text):
        body = line.group(0)
        opened: int | None = None
        for mark in re.finditer(r"[“”\"]", body):
            at = mark.start()
            before = body[at - 1] if at > 0 else " "
            after = body[at + 1] if at + 1 < len(body) else " "
            if mark.group(0) == _OPENING or (mark.group(0) == _STRAIGHT and before.isspace() and not after.isspace()):
                if opened is not None:  # its closing mark was lost
                    spans.append((line.start() + opened, line.start() + _speech_end(body, opened, at)))
                opened = at + 1
            elif opened is not None:
                spans.append((line.start() + opened, line.start() + at))
                opened = None
            elif mark.group(0) == _STRAIGHT and not before.isspace():
                continue  # a closing mark with nothing open: the opening one was lost
            else:
                opened = at + 1
        if opened is not None and len(body) - opened > 1:
            spans.append((line.start() + opened, line.end()))
    return [_trim_span(text, start, end) for start, end in spans if text[start:end].strip()]


_SENTENCE_END = re.compile(r"['’]?[.!?]['’]?(?=\s+[\"“‘'A-Z])")
# A reporter's clause: "He said that …", "Mr Hayman added …".
_REPORTING = re.compile(
    r"^\s*(?:[A-Z][\w'’-]*\s+){0,3}?(?:he|she|they|[A-Z][\w'’-]+)\s+(?:also\s+)?(?:said|says|added|told|insisted|"
    r"warned|argued|explained|claimed|believes|believed|thinks|stressed)\b",
    re.IGNORECASE,
)


def _speech_end(body: str, start: int, limit: int) -> int:
    """Where a quotation that lost its closing mark ends, before the next opening mark at `limit`.

    Archives that run paragraphs together leave a long quote's next paragraph opening inside it
    ("…differently. Obviously … at home. "We have to …"): that is all speech. But when a sentence
    inside reads as the reporter's ("He said that police should …"), the quote ended before it."""
    ends = [
        found.end()
        for found in _SENTENCE_END.finditer(body, start, limit)
        if not _is_abbreviation(body[: found.start()])
    ]
    for end in ends:
        if _REPORTING.match(body[end:limit]):
            return end
    return limit


def _is_abbreviation(before: str) -> bool:
    """ "Mr." or an initial before a full stop, not a sentence end."""
    word = before.rsplit(None, 1)[-1].lower().rstrip(".'’") if before.strip() else ""
    return word in HONORIFICS or len(word) == 1


def _trim_span(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in ",;:"):
        end -= 1
    return start, end


def _tokens_in(doc: Doc, start: int, end: int) -> Span | None:
    return doc.char_span(start, end, alignment_mode="expand")


def _person_spans(doc: Doc) -> list[Span]:
    """PERSON entities, each extended to the proper noun it modifies: the model tags "Henk Ten" as a
    person and "Cate" as an organisation, but the parse says "Henk" and "Ten" qualify "Cate"."""
    spans: list[Span] = []
    for ent in doc.ents:
        if ent.label_ != "PERSON":
            continue
        start, end = ent.start, ent.end
        while end < len(doc) and doc[end].pos_ == "PROPN" and doc[end - 1].head.i == end:
            end += 1
        if start > 0 and doc[start - 1].lower_ in PEERAGE:  # "Lord Janner" is his name, not his role
            start -= 1
        spans.append(Span(doc, start, end, label="PERSON"))
    return spans


def _entity_of(token: Token) -> Span | None:
    for ent in token.doc.ents:
        if ent.start <= token.i < ent.end:
            return ent
    return None


def _name_span(token: Token) -> str:
    """A proper-noun mention with its compound parts ("Mr White", "Vitaly Churkin", "Henk Ten Cate")."""
    parts = [t for t in token.lefts if t.dep_ == "compound" and (t.pos_ == "PROPN" or t.text[:1].isupper())] + [token]
    return " ".join(t.text for t in parts)


def _role_of(token: Token, person_span: Span | None) -> str:
    """The description the article attaches to a name: an apposition or the nouns before it.

    Only words of the name's own sentence and paragraph (the parser can join "… for any fee over
    £35m." to the next paragraph's "Parry's"), whole across hyphens ("senior vice-president" is
    three tokens the parser may split into appositions), and never a courtesy title alone: "Mr" is
    how the article addresses a man, not what he does, and "Tony Blair, Mr" reads as a fault.
    """
    first, last = _paragraph_bounds(token)
    sentence = token.sent
    lowest, highest = max(first, sentence.start), min(last, sentence.end)
    role = sorted((t for t in _role_tokens(token, person_span) if lowest <= t.i < highest), key=lambda t: t.i)
    role = _glued(role, lowest, highest)
    titled = bool(role) and role[-1].text[:1].isupper() and role[-1].lower_.rstrip(".") in _COURTESY
    if titled:
        role = role[:-1]
    # Before a courtesy title the parse is often wrong ("Speaking in Harrogate Mr Kennedy said",
    # "told the BBC Mr Howard …", "It was no good Mr Blair …"): there a role needs a noun of its own.
    if titled and not any(_names_a_post(t) for t in role):
        return ""
    # A role rests on a noun ("England forward", "Bank of Japan chief"), not on an adjective alone
    # ("said a beaming Tony Blair", "the late John Peel"), nor on a place or body alone.
    if not any(t.pos_ in ("NOUN", "PROPN") for t in role) or not any(_not_an_affiliation(t) for t in role):
        return ""
    return _phrase(role)


# Courtesy titles: how an article addresses someone. "Professor" is kept, as what someone is.
_COURTESY = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr"})


# Entity types that say where, when or with whom someone is, not what they are.
_NOT_ROLES = frozenset({"GPE", "ORG", "NORP", "LOC", "FAC", "PERSON", "DATE", "TIME", "MONEY", "CARDINAL"})


def _not_an_affiliation(token: Token) -> bool:
    """A word a role can rest on: not punctuation, a figure ("£35m."), a day ("said on Wednesday
    Lord Woolf") or a place or body alone ("Microsoft's Bill Gates" gives no role)."""
    return token.is_alpha and len(token.text) > 1 and token.ent_type_ not in _NOT_ROLES


def _names_a_post(token: Token) -> bool:
    """A common noun ("minister") or a title the model did not tag as a place or body ("President")."""
    return _not_an_affiliation(token) and token.pos_ in ("NOUN", "PROPN")


def _paragraph_bounds(token: Token) -> tuple[int, int]:
    """The token range of the paragraph holding `token` (paragraphs are split by line breaks)."""
    doc = token.doc
    first = token.i
    while first > 0 and "\n" not in doc[first - 1].text:
        first -= 1
    last = token.i + 1
    while last < len(doc) and "\n" not in doc[last].text:
        last += 1
    return first, last


def _glued(tokens: list[Token], lowest: int, highest: int) -> list[Token]:
    """`tokens` grown over the hyphenated words they are part of ("vice" → "vice-president")."""
    if not tokens:
        return tokens
    doc = tokens[0].doc
    start, end = tokens[0].i, tokens[-1].i + 1
    while end + 1 < highest and not doc[end - 1].whitespace_ and doc[end].text == "-" and not doc[end].whitespace_:
        end += 2
    while start - 2 >= lowest and doc[start - 1].text == "-" and not doc[start - 1].whitespace_:
        if doc[start - 2].whitespace_:
            break
        start -= 2
    extra = [doc[i] for i in [*range(start, tokens[0].i), *range(tokens[-1].i + 1, end)]]
    return sorted([*tokens, *extra], key=lambda t: t.i)


def _role_tokens(token: Token, person_span: Span | None) -> list[Token]:
    inside = set(range(person_span.start, person_span.end)) if person_span is not None else {token.i}
    if token.dep_ == "appos" and token.head.pos_ in ("NOUN", "PROPN") and token.head.i not in inside:
        head = token.head
        own = {w.i for w in token.subtree}
        return [t for t in head.subtree if t.i not in own and t.i < token.i]
    for child in token.children:
        if child.dep_ == "appos" and child.pos_ == "NOUN":
            return list(child.subtree)
    before = [t for t in token.lefts if t.i not in inside and t.dep_ in ("compound", "amod", "nmod", "poss")]
    return [t for b in before for t in b.subtree if t.i not in inside]


def _phrase(tokens: Iterable[Token]) -> str:
    ordered = sorted(tokens, key=lambda t: t.i)
    while ordered and (ordered[0].dep_ == "det" or ordered[0].is_punct):
        ordered = ordered[1:]
    while ordered and ordered[-1].is_punct:
        ordered = ordered[:-1]
    if not ordered:
        return ""
    doc = ordered[0].doc
    return " ".join(doc.text[ordered[0].idx : ordered[-1].idx + len(ordered[-1])].split())


@dataclass(frozen=True)
class _Said:
    """Who says a quotation and how: `named` is False for a description ("analysts"); `cue` is the
    speech verb when the quotation has one of its own or in its lead-in sentence."""

    speaker: str
    role: str
    named: bool
    cue_word: str
    cue: Token | None


def _named_subject(token: Token) -> Token:
    """The token that names the speaker: "Pullman, who had told him …" → Pullman; "the minister,
    Jack Straw, said" → Jack Straw."""
    if token.lower_ in ("who", "that") and token.head.dep_ == "relcl" and token.head.head is not token.head:
        token = token.head.head
    if token.dep_ == "appos" or (token.pos_ == "NOUN" and any(c.dep_ == "appos" for c in token.children)):
        named = next((c for c in token.children if c.dep_ == "appos" and c.pos_ == "PROPN"), None)
        if named is not None:
            token = named
    return token


# How far after a quotation's last character its cue may start for the cue's subject to be read
# outside the quotation: the closing punctuation and mark (',"'), and a space.
CUE_AFTER_QUOTE_CHARS = 4


class _Reader:
    """One article: people first, then each quotation and reported clause with its speaker."""

    def __init__(self, doc: Doc) -> None:
        self.doc = doc
        self.text = doc.text
        self.people = _People()
        self.person_mentions: list[tuple[int, _Person, bool]] = []  # (char, person, was a subject)
        self.spans = quotation_spans(self.text)
        self.person_spans = _person_spans(doc)
        for ent in self.person_spans:
            person = self.people.add(ent.text)
            if person is None:
                continue
            if not person.role:
                person.role = _role_of(ent.root, ent)
            if not self._inside_quote(ent.root):  # a name inside someone's quote is not who "he" is
                subject = _main_subject(ent.root)
                self.person_mentions.append((ent.start_char, person, subject))
        self._add_untagged_speakers()

    def _add_untagged_speakers(self) -> None:
        """Names the entity model missed but a speech verb vouches for: "BP chief executive Lord
        Browne said …" tags nothing, yet the next paragraph's "he said" is Lord Browne. A name of
        two words or more, outside every entity and quotation, as the subject of a cue."""
        covered = {i for span in self.person_spans for i in range(span.start, span.end)}
        for token in self.doc:
            if token.lemma_.lower() not in CUE_LEMMAS or token.pos_ not in ("VERB", "AUX"):
                continue
            subject = _subject(token)
            if subject is None or subject.pos_ != "PROPN" or subject.i in covered or self._inside_quote(subject):
                continue
            name = _name_span(subject)
            if _entity_of(subject) is not None or len(name.split()) < 2:
                continue
            person = self.people.add(name)
            if person is not None:
                first = min([subject.i] + [t.i for t in subject.lefts if t.dep_ == "compound" and t.pos_ == "PROPN"])
                person.role = person.role or _role_of(subject, Span(self.doc, first, subject.i + 1))
                self.person_mentions.append((subject.idx, person, True))
        self.person_mentions.sort(key=lambda mention: mention[0])

    # --- speakers --------------------------------------------------------
    def speaker(self, token: Token) -> tuple[str, str, bool] | None:
        """(speaker, role, named) for the subject of a cue, or None when it can't be told."""
        token = _named_subject(token)
        ent = next((span for span in self.person_spans if span.start <= token.i < span.end), None) or _entity_of(token)
        if ent is not None and ent.label_ in _NOT_SPEAKERS:
            return None  # "this financial year" misparsed as the subject of "he said"
        by_entity = self._entity_speaker(token, ent)
        if by_entity is not None:
            return by_entity
        if token.pos_ == "PRON" and token.text.lower() in PRONOUNS:
            person = self._recent_person(token.idx)
            return (person.name, person.role, True) if person else None
        if token.pos_ == "PROPN":
            return self._proper_noun_speaker(token)
        if token.pos_ == "NOUN":
            return self._common_noun_speaker(token)
        return None

    def _entity_speaker(self, token: Token, ent: Span | None) -> tuple[str, str, bool] | None:
        """A person by entity or by a name the article introduced; an organisation or group by entity."""
        if ent is not None and ent.label_ == "PERSON":
            person = self.people.find(ent.text) or self.people.add(ent.text)
            if person is not None:
                return person.name, person.role, True
        known = self.people.find(_name_span(token)) if token.pos_ == "PROPN" else None
        if known is not None:  # a person the article introduced, whatever the entity model calls this mention
            return known.name, known.role, True
        if ent is not None and ent.label_ in ("ORG", "NORP", "GPE"):
            name = re.sub(r"^the\s+", "", without_possessive(ent.text), flags=re.IGNORECASE)
            return name, "", True
        return None

    def _proper_noun_speaker(self, token: Token) -> tuple[str, str, bool]:
        # An acronym is an organisation ("BP added"), never a word of someone's role ("BP chief executive").
        by_role = None if token.text.isupper() else self.people.by_role_word(token.lower_)
        person = self.people.find(_name_span(token)) or by_role
        if person is not None:
            return person.name, person.role, True
        return _clean_name(_name_span(token)), "", True

    def _common_noun_speaker(self, token: Token) -> tuple[str, str, bool] | None:
        """ "The ambassador said" is the person the article gave that role; "analysts said" is a
        description, not a name (named=False)."""
        if any(t.dep_ == "det" and t.lower_ == "the" for t in token.lefts):
            holders = self.people.all_by_role_word(token.lemma_.lower() or token.text.lower())
            person = next((p for p in reversed(holders) if _modifiers_agree(token, p.role)), None)
            if person is not None:
                return person.name, person.role, True
        phrase = _phrase(t for t in token.subtree if not (t.dep_ == "relcl" or t.dep_ == "acl"))
        return (phrase, "", False) if phrase else None

    def _recent_person(self, before: int) -> _Person | None:
        recent = [(char, person, subject) for char, person, subject in self.person_mentions if char < before]
        if not recent:
            return None
        subjects = [item for item in recent if item[2]]
        # The latest subject unless a later non-subject mention is much closer ("He said" after "…Mr X.")
        return (subjects or recent)[-1][1]

    # --- quotations ------------------------------------------------------
    def _sentences_of(self, start: int, end: int) -> list[Span]:
        return [s for s in self.doc.sents if s.start_char < end and s.end_char > start]

    def _inside_quote(self, token: Token) -> bool:
        return any(start <= token.idx < end for start, end in self.spans)

    def _cue_near(self, sentences: Sequence[Span], start: int, end: int) -> tuple[Token, Token] | None:
        """The speech verb outside the quotation nearest to it, with its subject."""
        best: tuple[int, Token, Token] | None = None
        for sentence in sentences:
            for token in sentence:
                if self._inside_quote(token):
                    continue
                cue = token.lemma_.lower()
                subject: Token | None = None
                if token.lower_ == "according" and token.pos_ in ("VERB", "ADP", "ADV"):
                    subject = next((g for c in token.children if c.lower_ == "to" for g in c.children), None)
                elif cue in CUE_LEMMAS and token.pos_ in ("VERB", "AUX"):
                    # '"…about five million unemployed…," warned economist Andreas Rees': the parse may
                    # also hang a subject from inside the quotation on the verb; the speaker is outside it.
                    outside = [
                        c for c in token.children if c.dep_ in ("nsubj", "nsubjpass") and not self._inside_quote(c)
                    ]
                    right_after = 0 <= token.idx - end <= CUE_AFTER_QUOTE_CHARS  # '," warned …', same paragraph
                    subject = outside[0] if outside and right_after else _subject(token)
                if subject is None or self._inside_quote(subject):
                    continue
                distance = min(abs(token.idx - start), abs(token.idx - end))
                if best is None or distance < best[0]:
                    best = (distance, token, subject)
        return (best[1], best[2]) if best else None

    def quotes(self) -> list[Quote]:
        found: list[Quote] = []
        previous: Quote | None = None
        for start, end in self.spans:
            sentences = self._sentences_of(start, end)
            if not sentences:
                continue
            context = (min(s.start_char for s in sentences), max(s.end_char for s in sentences))
            said = self._attribution(sentences, start, end, context[0], previous)
            if said is None or not self._is_speech_quote(start, end, said):
                continue
            quote = Quote(
                self.text[start:end],
                start,
                end,
                said.speaker,
                said.role,
                said.cue_word,
                "direct",
                said.named,
                *context,
                self._lead_in(context[0]),
            )
            found.append(quote)
            previous = quote
        return found

    def _attribution(
        self, sentences: Sequence[Span], start: int, end: int, context_start: int, previous: Quote | None
    ) -> _Said | None:
        """Who says the quotation at start:end: its own cue's subject, the lead-in sentence's, or the
        previous quote's speaker when it carries on from there."""
        continues = previous is not None and self._continues(previous, start)
        cue = self._cue_near(sentences, start, end)
        if cue is None and not continues:
            cue = self._lead_cue(context_start)  # "Mr Hayman acknowledged that … . "If you come …""
        attributed = self.speaker(cue[1]) if cue else None
        if attributed is not None and cue is not None:
            cue_word = "according to" if cue[0].lower_ == "according" else cue[0].text
            return _Said(*attributed, cue_word, cue[0])
        if continues and previous is not None:
            return _Said(previous.speaker, previous.role, previous.named, "", None)
        return None

    def _is_speech_quote(self, start: int, end: int, said: _Said) -> bool:
        """Short quotations without a cue of their own are nicknames, scare quotes or titles."""
        words = len(self.text[start:end].split())
        if words >= MIN_UNCUED_WORDS:
            return True
        if not said.cue_word:
            return False
        return not _is_nickname(self.text, start, end) and self._is_speech(start, end, said.cue)

    def _lead_cue(self, context_start: int) -> tuple[Token, Token] | None:
        """The speech verb of the sentence just before a quotation that has none of its own: news
        introduces a quote with a paraphrase by its speaker."""
        previous = [s for s in self.doc.sents if s.end_char <= context_start and context_start - s.end_char < 4]
        if not previous:
            return None
        last = previous[-1]
        return self._cue_near([last], last.end_char, last.end_char)

    def _continues(self, previous: Quote, start: int) -> bool:
        """A quote with no cue of its own belongs to the previous speaker if it follows in the same or
        the next paragraph with no other person named in between."""
        between = self.text[previous.end : start]
        if between.count("\n") > 2 or len(between) > 400:
            return False
        if any(
            previous.end <= char < start and person.name != previous.speaker
            for char, person, _s in self.person_mentions
        ):
            return False
        return not self._other_cue_between(previous, start)

    def _other_cue_between(self, previous: Quote, start: int) -> bool:
        """ "His agent told the Times that …" between two quotations hands the second to someone else."""
        span = _tokens_in(self.doc, previous.end, start)
        for token in span or ():
            if self._inside_quote(token) or token.pos_ not in ("VERB", "AUX"):
                continue
            if token.lemma_.lower() not in CUE_LEMMAS:
                continue
            subject = _subject(token)
            attributed = self.speaker(subject) if subject is not None else None
            if attributed is not None and attributed[0] != previous.speaker:
                return True
        return False

    def _is_speech(self, start: int, end: int, cue: Token | None) -> bool:
        span = _tokens_in(self.doc, start, end)
        if cue is None or span is None:
            return False
        return any(t.head == cue or t.head.head == cue or cue in t.ancestors for t in span)

    def reported(self, direct: Sequence[Quote]) -> list[Quote]:
        """Reported speech: "X said (that) …", "…, X said", "according to X, …"."""
        found: list[Quote] = []
        for sentence in self.doc.sents:
            for token in sentence:
                claim = self._reported_clause(token, sentence)
                if claim is None:
                    continue
                (start, end), subject, cue = claim
                if not self._stands_alone(start, end, direct):
                    continue
                attributed = self.speaker(subject)
                if attributed is None:
                    continue
                speaker, role, named = attributed
                found.append(
                    Quote(
                        self.text[start:end],
                        start,
                        end,
                        speaker,
                        role,
                        cue,
                        "reported",
                        named,
                        sentence.start_char,
                        sentence.end_char,
                    )
                )
        return found

    def _reported_clause(self, token: Token, sentence: Span) -> tuple[tuple[int, int], Token, str] | None:
        """(character span of what was said, who said it, the cue) when `token` reports speech."""
        if self._inside_quote(token):
            return None
        if token.lower_ == "according" and token.dep_ == "prep":
            source = next((g for c in token.children if c.lower_ == "to" for g in c.children if g.dep_ == "pobj"), None)
            if source is None:
                return None
            phrase = (token.left_edge.i, max(token.right_edge.i, source.right_edge.i))
            leading = [t for t in sentence if t.i < phrase[0]]
            trailing = [t for t in sentence if t.i > phrase[1]]
            span = _clause_span(trailing if len(trailing) >= len(leading) else leading)
            return (span, source, "according to") if span else None
        if token.lemma_.lower() not in REPORT_LEMMAS or token.pos_ != "VERB":
            return None
        subject = _subject(token)
        if subject is None or self._inside_quote(subject):
            return None
        after = next((c for c in token.children if c.dep_ == "ccomp" and c.i > token.i), None)
        if after is not None:  # "X said (that) …": to the end of what the verb governs
            span = _clause_span([t for t in token.doc[after.left_edge.i : token.right_edge.i + 1]])
        else:  # "…, X said": the clause before the verb, when it doesn't wrap around it
            before = next((c for c in token.children if c.dep_ == "ccomp" and c.i < token.i), None)
            if before is None or before.right_edge.i > token.i or subject.i < before.i:
                return None
            span = _clause_span(list(before.subtree))
        return (span, subject, token.text) if span else None

    def _stands_alone(self, start: int, end: int, direct: Sequence[Quote]) -> bool:
        """A reported clause may hold a quoted phrase ("had not done him "any lasting damage"") but is
        not a second copy of a direct quotation, nor cut across one."""
        quoted = 0
        for quote_start, quote_end in self.spans:
            if quote_start < end and start < quote_end:
                if quote_start < start or quote_end > end:
                    return False
                quoted += quote_end - quote_start
        if any(q.start < end and start < q.end and (q.start < start or q.end > end) for q in direct):
            return False
        return quoted * 2 < end - start

    def _lead_in(self, context_start: int) -> int:
        """Where the sentence before a quote's own begins: it often says what the quote is about
        ("Mr Hogan said the warnings were premature." before "If that were true, …")."""
        previous = [s for s in self.doc.sents if s.end_char <= context_start and context_start - s.end_char < 4]
        if not previous or context_start - previous[-1].start_char > MAX_LEAD_CHARS:
            return -1
        return previous[-1].start_char

    def _overlaps_quote(self, start: int, end: int) -> bool:
        return any(s < end and start < e for s, e in self.spans)


def _clause_span(tokens: Sequence[Token]) -> tuple[int, int] | None:
    """The characters of a reported clause without its "that", its punctuation at either end and
    any word cut in two by the tokenizer ("re-examined" is three tokens)."""
    words = [t for t in tokens if not t.is_space]
    while words and (words[0].dep_ == "mark" or words[0].lower_ == "that" or words[0].is_punct):
        words = words[1:]
    while words and words[-1].is_punct and words[-1].text not in "%)":
        words = words[:-1]
    if len(words) < MIN_REPORTED_TOKENS:
        return None
    text = words[0].doc.text
    start, end = words[0].idx, words[-1].idx + len(words[-1])
    if len(re.findall(r"[\"“”]", text[start:end])) % 2 and text[end : end + 1] in ('"', "”"):
        end += 1  # the closing mark of a quoted phrase the clause ends with
    while start > 0 and not text[start - 1].isspace() and text[start - 1] not in "\"“‘'(":
        start -= 1
    while end < len(text) and (text[end].isalnum() or (text[end] in "-’'" and text[end + 1 : end + 2].isalnum())):
        end += 1
    return start, end


def _modifiers_agree(token: Token, role: str) -> bool:
    """ "The Metropolitan police chief" is not the "Norfolk police chief" the article introduced: every
    word qualifying the role noun must be in the person's role for the mention to be theirs; and "the
    chancellor" is not the "shadow chancellor" (a modifier that makes another role must be said)."""
    words = set(re.findall(r"[\w'’]+", role.lower()))  # "Vice-President" is "vice" and "president"
    qualifiers = {t.lower_ for t in token.lefts if t.dep_ in ("compound", "amod", "nmod") and not t.is_punct}
    return qualifiers <= words and not (words & ROLE_MODIFIERS) - qualifiers


def _main_subject(token: Token) -> bool:
    """The subject of a main clause or of a speech verb: who "he said" most likely points back to
    ("Max Jones believes it is likely Holmes will race. He said" means Jones, not Holmes)."""
    if token.dep_ == "appos":
        token = token.head
    if token.dep_ not in ("nsubj", "nsubjpass"):
        return False
    return token.head.dep_ == "ROOT" or token.head.lemma_.lower() in CUE_LEMMAS


def _is_nickname(text: str, start: int, end: int) -> bool:
    """Jimmy "the Whirlwind" White: a quoted phrase between two capitalised words."""
    before = re.search(r"([A-Z][\w'’-]*)\W{1,3}$", text[max(0, start - 30) : start])
    after = re.match(r"\W{1,3}([A-Z][\w'’-]*)", text[end : end + 30])
    return bool(before and after)


def _subject(verb: Token) -> Token | None:
    """The verb's subject, climbing through "and added", "went on to say", "was quoted as saying"."""
    current: Token | None = verb
    for _ in range(3):
        if current is None:
            return None
        subject = next((c for c in current.children if c.dep_ in ("nsubj", "nsubjpass")), None)
        if subject is not None:
            return subject
        if current.dep_ in ("conj", "xcomp", "advcl", "pcomp") and current.head is not current:
            current = current.head
        else:
            return None
    return None


def _names_own_speaker(quote: Quote) -> bool:
    """ "… but Mr Weitz is a wonderful director" is about Weitz, not by him: a quotation that names its
    speaker with a title was attributed to the wrong person."""
    names = quote.speaker.split() if quote.named and quote.speaker else []
    if not names:
        return False
    if len(names) > 1 and re.search(rf"\b{re.escape(quote.speaker)}\b", quote.text):
        return True  # "Gordon Brown has created a system of …": said about him
    titles = "|".join(sorted(HONORIFICS))
    return bool(re.search(rf"\b(?:{titles})\.?\s+{re.escape(names[-1])}\b", quote.text, re.IGNORECASE))


_SPEECH_SENTENCE_END = re.compile(r"[.!?]['’]?$")
_QUOTE_MARKS = re.compile(r"[\"“”]")


def quotations(text: str, direct: Sequence[Quote]) -> list[Quote]:
    """Direct quotes joined into the quotations they are paragraphs of: the same speaker, the first
    ending its sentence inside the marks, left open (news style closes only a quotation's last
    paragraph), and nothing but punctuation before the next (`… our sums wrong. "Obviously we will
    …`). A phrase quoted inside the reporter's sentence (`was a "towering contributor to the modern
    world". "Kirkcaldy, …`) ends outside the marks, and a closed quote followed by a new one (`…
    result."⏎"It is a great day," he added`) is two: neither is joined. An answer shows the
    quotation whole, so the paragraph that matches a question brings the others."""
    groups: list[list[Quote]] = []
    for quote in direct:
        previous = groups[-1][-1] if groups else None
        if (
            previous is not None
            and previous.speaker == quote.speaker
            and previous.end <= quote.start
            and _SPEECH_SENTENCE_END.search(previous.text)
            and not re.search(r"\w", text[previous.end : quote.start])
            and len(_QUOTE_MARKS.findall(text, previous.end, quote.start)) < 2  # closed, then opened anew
        ):
            groups[-1].append(quote)
        else:
            groups.append([quote])
    return [
        replace(quote, quotation_start=group[0].start, quotation_end=group[-1].end) if len(group) > 1 else quote
        for group in groups
        for quote in group
    ]


def read_doc(doc: Doc) -> Analysis:
    """Quotes (direct and reported, in article order) and entities of one parsed article."""
    reader = _Reader(doc)
    direct = quotations(doc.text, [quote for quote in reader.quotes() if not _names_own_speaker(quote)])
    quotes = sorted([*direct, *reader.reported(direct)], key=lambda q: q.start)
    entities = [Entity(ent.label_, ent.start_char, ent.end_char) for ent in doc.ents if ent.label_ in ENTITY_LABELS]
    return Analysis(quotes, entities)


def analyse(texts: Sequence[str], batch_size: int = 8) -> list[Analysis]:
    """One parse per article; the pipeline is loaded once per process."""
    from bot.nlp import parse_pipeline

    return [read_doc(doc) for doc in parse_pipeline().pipe(texts, batch_size=batch_size)]
