"""Opening the archive's collections, and the pointer that says which of them are live.

The chunk and quote collections are created in one place (`open_collection`), with the
configuration and metadata `bot.schema` defines. The pointer (`<collection>.live`) names the live
chunk and quote collections, so a reindex can build new ones beside them and switch with one
metadata write (see `bot.reindex`); until the first reindex it does not exist and the configured
names are live.
"""

from __future__ import annotations

import uuid
from typing import Any

from bot.schema import COLLECTION_CONFIGURATION, COLLECTION_GENERATION_KEY, COLLECTION_MODEL_KEY, QUOTES_SUFFIX

POINTER_SUFFIX = ".live"


def open_collection(client: Any, name: str, model: str) -> Any:
    """A chunk or quote collection; a new one records the model its vectors come from."""
    return client.get_or_create_collection(
        name,
        embedding_function=None,
        configuration=COLLECTION_CONFIGURATION,
        metadata={COLLECTION_MODEL_KEY: model, COLLECTION_GENERATION_KEY: uuid.uuid4().hex},
    )


def open_bookkeeping(client: Any, name: str) -> Any:
    """A collection used for its metadata or as a log (the pointer, the change log): its vectors are
    placeholders, so it needs none of the search configuration."""
    return client.get_or_create_collection(name, embedding_function=None)


def pointer_name(collection: str) -> str:
    return collection + POINTER_SUFFIX


def live_names(pointer: dict[str, Any], collection: str) -> tuple[str, str]:
    """(chunks, quotes) as the pointer names them, else the configured collection's."""
    chunks = str(pointer.get("chunks") or collection)
    return chunks, str(pointer.get("quotes") or chunks + QUOTES_SUFFIX)
