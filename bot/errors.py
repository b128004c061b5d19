"""Domain exceptions whose message is safe to show a user as-is.

Each edge (CLI, Slack) catches `NewsdeskError` once and prints/posts `str(e)`;
anything else is a bug and is logged with its traceback, never shown.
"""


class NewsdeskError(Exception):
    """Base class: the message is one sentence that says what happened and what to do."""


class LoadError(NewsdeskError):
    """An input (file, URL, record) could not be turned into an article."""


class ConfigError(NewsdeskError):
    """A setting is missing or wrong."""


class EmbeddingMismatchError(NewsdeskError):
    """The store was built with a different embedding model than the one configured."""


class StoreUnavailableError(NewsdeskError):
    """The Chroma server cannot be reached."""
