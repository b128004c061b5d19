"""Plain typed records shared by ingest, store, retrieval, answering and Slack.

They carry data only; formatting (terminal, JSON, Block Kit) happens at the edges.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class Article:
    """One news article after loading and cleaning.

    `text` is the body the chunks are cut from; every quote the bot shows is a
    verbatim slice of it. `origin` is where it came from (file path or URL),
    used to replace an edited local file that has no URL of its own.
    """

    article_id: str
    title: str
    text: str
    content_hash: str
    source: str = ""
    author: str = ""
    published: date | None = None
    url: str = ""
    origin: str = ""


@dataclass(frozen=True)
class Chunk:
    """A slice of an article's text: `article.text[start:end] == text`."""

    article: Article
    index: int
    count: int
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Quote:
    """Something an article quotes a person (or an organisation) as saying.

    `text` is `article.text[start:end]`, verbatim: the words inside the quotation
    marks for a direct quote, the reported clause for reported speech ("X said
    that …"). `speaker` is the full name the article introduced ("Mr Churkin",
    "he" and "the ambassador" all become "Vitaly Churkin"), or the description
    as written for an unnamed speaker ("a Tesco spokesman"). `context_*` span
    the sentence(s) holding the quote and its attribution. An answer shows the
    paragraphs of one quotation as one Quote (bot/answer/quotations.py): its
    `text` is their words joined by spaces, without the marks between them (past
    QUOTATION_CHARS only the paragraphs around the best one, "…" for the rest),
    and `start`/`end`/`context_*` span those paragraphs, so there `text` is not
    `article.text[start:end]`.
    """

    text: str
    start: int
    end: int
    speaker: str
    role: str
    cue: str
    kind: str  # "direct" | "reported"
    named: bool
    context_start: int
    context_end: int
    lead_start: int = -1  # start of the sentence before the context (what the quote is about), -1 if none
    # The whole quotation this quote is one paragraph of, when it runs over several (news style
    # opens each paragraph of a long quote again); -1 when it stands alone.
    quotation_start: int = -1
    quotation_end: int = -1

    @property
    def continued(self) -> bool:
        """Part of a quotation with other paragraphs: shown whole, they read as the speaker said them."""
        return self.quotation_start >= 0 and (self.quotation_start < self.start or self.quotation_end > self.end)


@dataclass(frozen=True)
class Entity:
    """A named entity of an article (spaCy's label: PERSON, ORG, GPE, DATE, MONEY, …), by offsets."""

    label: str
    start: int
    end: int


@dataclass(frozen=True)
class ArticleRef:
    """What a citation needs to know about an article, read back from the store."""

    article_id: str
    title: str
    source: str = ""
    author: str = ""
    published: str = ""
    url: str = ""


@dataclass
class Passage:
    """A retrieved chunk with the scores that ranked it."""

    chunk_id: str
    article: ArticleRef
    text: str
    chunk_index: int
    start: int
    end: int
    score: float = 0.0
    dense_similarity: float | None = None
    lexical_score: float | None = None
    entities: list[Entity] | None = None  # offsets into `text`; None when the store predates entities


def shifted(entities: list[Entity], by: int) -> list[Entity]:
    return [Entity(entity.label, entity.start + by, entity.end + by) for entity in entities]


@dataclass
class Citation:
    """A numbered source of an answer; `quotes` are verbatim text of that article. `speaker` and
    `speaker_role` are set when the citation is an attributed quote."""

    n: int
    article: ArticleRef
    quotes: list[str] = field(default_factory=list)
    speaker: str = ""
    speaker_role: str = ""

    @property
    def quote(self) -> str:
        return self.quotes[0] if self.quotes else ""


@dataclass
class Answer:
    """What the answer layer returns; the CLI and Slack format it."""

    question: str
    text: str
    found: bool
    citations: list[Citation] = field(default_factory=list)
    mode: str = "extractive"
    unverified_quotes: list[str] = field(default_factory=list)
    closest: list[ArticleRef] = field(default_factory=list)
    notice: str = ""
    standalone_question: str = ""
    as_of: str = ""  # ISO date that "last week" and "this year" were read against
    filters: dict[str, str] = field(default_factory=dict)  # the date and source filters that applied
    # Chunk ids ("<article>:article" for a whole article) or quote ids the answer was built from: the
    # answer log keeps them, so a poor answer can be traced to what it was given.
    passage_ids: list[str] = field(default_factory=list)
