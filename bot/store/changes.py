"""The change log: Chroma's missing change feed, read by the lexical index to sync incrementally.

Every chunk write or delete appends records naming the articles it touches to
`<live chunk collection>.changes` (a reindex's new collection gets a new log). Records past the
retention are compacted away behind a horizon, so a reader that last synced before the horizon
knows it must rebuild.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

CHANGES_SUFFIX = ".changes"
# Records older than this are compacted away; a reader that last synced before then rebuilds.
CHANGE_RETENTION_S = 24 * 3600.0
CHANGES_HORIZON_KEY = "compacted_before"
COMPACT_EVERY = 50  # change records a process writes between two compactions of the log
# Readers re-read records this far behind their last sync: a concurrent writer's record may become
# visible after a later one (and writers' clocks may differ by up to this).
CHANGE_LAG_NS = 60 * 10**9
# A write's opening record (done=False) with no closing one is taken as finished once this old: by
# then the write has finished, or its writer died and only the record says which articles it touched.
SETTLE_NS = 20 * 10**9


@dataclass(frozen=True)
class ChangeRecord:
    """One write or delete of some articles' chunks, as the change log holds it.

    `seq` is the writer's clock (ns) when it logged the record, so records of concurrent writers
    may become visible slightly out of order: readers re-read a window behind their last sync.
    Each write logs twice under one `write_id`: `done=False` before touching the chunks (it
    survives a writer killed mid-write) and `done=True` after."""

    record_id: str
    seq: int
    write_id: str
    done: bool
    article_ids: tuple[str, ...]


@dataclass(frozen=True)
class ChangeLog:
    """The change records after some point, with what a reader must check before trusting them."""

    collection_id: str  # the live chunk collection's id: another one (a reindex) means rebuild
    horizon: int  # records older than this were compacted away
    records: list[ChangeRecord]


def change_log_name(chunk_collection: str) -> str:
    return chunk_collection + CHANGES_SUFFIX


def change_row(article_ids: Sequence[str], write_id: str, done: bool) -> dict[str, Any]:
    """The `add` arguments of one record (Chroma requires a vector: a constant one-dimensional one)."""
    seq = time.time_ns()
    return {
        "ids": [f"{seq:020d}-{uuid.uuid4().hex[:8]}"],
        "embeddings": [[1.0]],
        "documents": [json.dumps(sorted(set(article_ids)))],
        "metadatas": [{"seq": seq, "write": write_id, "done": done}],
    }


def horizon_of(log_metadata: dict[str, Any] | None) -> int:
    return int((log_metadata or {}).get(CHANGES_HORIZON_KEY, 0))


def compaction_horizon(log_metadata: dict[str, Any] | None, retention_s: float) -> int:
    """The new horizon: never lowered, so a reader never mistakes a compacted gap for "nothing happened"."""
    cutoff = time.time_ns() - int(retention_s * 1e9)
    return max(cutoff, horizon_of(log_metadata))


def change_records(page: dict[str, Any]) -> list[ChangeRecord]:
    """A page of the log as records, oldest first."""
    records = [
        ChangeRecord(
            record_id,
            int(meta["seq"]),
            str(meta.get("write", record_id)),
            bool(meta["done"]),
            tuple(json.loads(document or "[]")),
        )
        for record_id, document, meta in zip(page["ids"], page["documents"], page["metadatas"], strict=True)
    ]
    records.sort(key=lambda record: (record.seq, record.record_id))
    return records
