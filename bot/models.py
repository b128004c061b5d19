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


@dataclass
class Citation:
    """A numbered source of an answer; `quotes` are verbatim text of that article."""

    n: int
    article: ArticleRef
    quotes: list[str] = field(default_factory=list)

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
