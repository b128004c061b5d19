"""Domain exceptions whose message is safe to show a user as-is.

Each edge (CLI, Slack) catches `NewsdeskError` once and prints/posts `str(e)`;
anything else is a bug and is logged with its traceback, never shown.
"""


class NewsdeskError(Exception):
    """Base class: the message is one sentence that says what happened and what to do."""

    @property
    def for_asker(self) -> str:
        """The message for someone asking in Slack, who cannot change the bot's settings: the same,
        unless a subclass's message names one."""
        return str(self)


class LoadError(NewsdeskError):
    """An input (file, URL, record) could not be turned into an article."""


class ConfigError(NewsdeskError):
    """A setting is missing or wrong."""


class EmbeddingMismatchError(NewsdeskError):
    """The store was built with a different embedding model than the one configured."""


class StoreUnavailableError(NewsdeskError):
    """The Chroma server cannot be reached."""


INGEST_HINT = "add articles with `newsdesk ingest PATH_OR_URL`"


class EmptyArchiveError(NewsdeskError):
    """The store holds no articles (or does not exist yet), so there is nothing to search."""

    def __init__(self, detail: str = "") -> None:
        where = f" ({detail})" if detail else ""
        super().__init__(f"the archive is empty{where}; {INGEST_HINT}")


class QuestionTooLongError(NewsdeskError):
    """A question over `Settings.max_question_chars`; refused before any model or store is touched."""

    def __init__(self, length: int, limit: int) -> None:
        self.length, self.limit = length, limit
        super().__init__(
            f"the question is {length:,} characters long; the limit is {limit:,} (NEWSDESK_MAX_QUESTION_CHARS); "
            "ask something shorter"
        )

    @property
    def for_asker(self) -> str:
        return f"the question is {self.length:,} characters long; I can read up to {self.limit:,}: ask a shorter one"

    @classmethod
    def check(cls, question: str, limit: int) -> None:
        """Raise when `question` (surrounding whitespace aside) is longer than `limit` characters."""
        length = len(question.strip())
        if length > limit:
            raise cls(length, limit)


class ReindexRunningError(NewsdeskError):
    """A reindex is rebuilding the archive; writes wait until it has switched to the new collections."""
