"""Opening the archive's collections, and the pointer that says which of them are live.

The chunk and quote collections are created in one place (`open_collection`), with the
configuration and metadata `bot.schema` defines. The pointer (`<collection>.live`) names the live
chunk and quote collections, so a reindex can build new ones beside them and switch with one
metadata write (see `bot.reindex`); until the first reindex it does not exist and the configured
names are live.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from bot.schema import COLLECTION_CONFIGURATION, COLLECTION_GENERATION_KEY, COLLECTION_MODEL_KEY, QUOTES_SUFFIX

POINTER_SUFFIX = ".live"
GET_PAGE = 5000  # rows per paged read: 100k chunks stream through in calm memory


def record_pages(
    get: Callable[..., dict[str, Any]], include: list[str], ids: Sequence[str] | None = None
) -> Iterator[dict[str, Any]]:
    """A collection's records (`get` is its `get`, or a retried one) in pages of GET_PAGE, read by
    id after one read of all the ids. Paging by offset made each page skip the rows before it:
    1,000,000 records took 34.5 s that way and 13.9 s by id (2.8 s and 2.6 s at 200,000), and the
    lexical index's first build and a reindex read every one. A record deleted after the ids were
    read is simply missing from its page."""
    wanted = list(get(include=[])["ids"]) if ids is None else list(ids)
    for start in range(0, len(wanted), GET_PAGE):
        yield get(ids=wanted[start : start + GET_PAGE], include=include)


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
