"""BM25 over the chunks: a tantivy index on disk, kept in step with Chroma through its change log.

Chroma's own sparse indexes are Cloud-only, so the lexical side lives here. The index grows
instead of being rebuilt: every write or delete of chunks appends a record to the store's change
log naming the articles it touched (`Store.changes_since`), and before answering, a process
applies the records it has not applied yet by comparing those articles' chunks in Chroma with
the index's. A sync therefore touches exactly the chunks that changed, and applying a record
twice changes nothing, which is what makes crashes and out-of-order records harmless.

What has been applied is a document inside the index, committed together with the chunks it
describes: a process killed mid-sync leaves the previous commit, and the next sync applies the
same records again. Processes that share a data dir take turns writing (tantivy allows one writer
per index folder) under a file lock; the others reload the winner's commit. A full build happens
only when there is no usable index, after a reindex switched collections, or when the index is
older than the change log's retention.

BM25 sees exactly `bot.text.terms` (the answerer's rule for a "term"): the terms are stored
space-joined in a field split on whitespace only.
"""

from __future__ import annotations

import fcntl
import json
import logging
import math
import shutil
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tantivy

from bot.store import CHANGE_LAG_NS, SETTLE_NS, ChangeLog, ChangeRecord, Meta, Store
from bot.text import terms

log = logging.getLogger(__name__)

# How long a process trusts its view before reading the change log again: the upper bound on how
# stale the lexical side can be across processes (the bench measures write-to-found at ~1 s).
REFRESH_SECONDS = 1.0
FORMAT = 3  # bumped when the schema or the terms change: an index of another format is rebuilt (3: acronym plurals)
# (2: terms of any script, accents dropped — bot/text.py)
FOLDER = "tantivy"
SYNC_HEAP = 20_000_000  # tantivy needs >= 15 MB per writer thread
BUILD_HEAP = 64_000_000
ID_PAGE = 2000  # chunks fetched from Chroma per read while applying changes
STATE_ID = "\x00state"  # the id of the document that records what the index holds

# Tests set this to kill a process after it added documents but before it committed them.
BEFORE_COMMIT: Callable[[], None] | None = None


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("id", stored=True, tokenizer_name="raw", index_option="basic")
    builder.add_text_field("article", tokenizer_name="raw", index_option="basic")
    builder.add_text_field("terms", tokenizer_name="whitespace", index_option="freq")
    builder.add_text_field("source", tokenizer_name="raw", index_option="basic")
    builder.add_integer_field("day", indexed=True, fast=True)
    builder.add_text_field("state", stored=True, tokenizer_name="raw", index_option="basic")
    return builder.build()


SCHEMA = _schema()


@dataclass(frozen=True)
class SyncReport:
    """What one sync did: a full build, or the chunks it added and removed (tests and the bench
    read it to show that a write costs its own chunks, not the archive)."""

    full: bool = False
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    records: int = 0
    seconds: float = 0.0


@dataclass(frozen=True)
class _State:
    """The index's own record of what it holds, committed with it."""

    collection_id: str
    checked_ns: int  # when the sync that committed this read the change log (its clock)
    applied: tuple[str, ...] = ()  # records applied that later syncs will still read again
    format: int = FORMAT

    def to_json(self) -> str:
        return json.dumps(
            {
                "collection": self.collection_id,
                "checked": self.checked_ns,
                "applied": self.applied,
                "format": self.format,
            }
        )

    @classmethod
    def from_json(cls, text: str) -> _State:
        data = json.loads(text)
        return cls(str(data["collection"]), int(data["checked"]), tuple(data["applied"]), int(data["format"]))


def _document(chunk_id: str, document: str, meta: dict[str, Any]) -> tantivy.Document:
    doc = tantivy.Document()
    doc.add_text("id", chunk_id)
    doc.add_text("article", str(meta.get(Meta.ARTICLE_ID, "")))
    doc.add_text("terms", " ".join(terms(f"{meta.get(Meta.TITLE, '')}\n{document}")))
    doc.add_text("source", str(meta.get(Meta.SOURCE, "")).lower())
    doc.add_integer("day", int(meta.get(Meta.PUBLISHED_DAY, 0) or 0))
    return doc


def _state_document(state: _State) -> tantivy.Document:
    doc = tantivy.Document()
    doc.add_text("id", STATE_ID)
    doc.add_text("state", state.to_json())
    return doc


def _day_range(lower: int | None, upper: int | None) -> tantivy.Query:
    return tantivy.Query.range_query(SCHEMA, "day", tantivy.FieldType.Integer, lower, upper)


class LexicalIndex:
    """One consistent view of the index (a tantivy searcher): a question is answered from one view
    even while another process commits."""

    def __init__(self, searcher: tantivy.Searcher) -> None:
        self.searcher = searcher
        self.state = _read_state(searcher)

    @property
    def chunk_ids(self) -> list[str]:
        """Every chunk id in the view, in index order (reads them all: for tests and checks)."""
        found = self.searcher.search(tantivy.Query.all_query(), limit=max(1, self.searcher.num_docs), count=False)
        ids = (self.searcher.doc(address)["id"][0] for _score, address in found.hits)
        return [chunk_id for chunk_id in ids if chunk_id != STATE_ID]

    def __len__(self) -> int:
        return max(0, self.searcher.num_docs - (1 if self.state is not None else 0))

    def unmentioned(
        self, query_terms: Iterable[str], source: str | None = None, sources: Iterable[str] = ()
    ) -> list[str]:
        """The terms no chunk (of these sources) holds, nor a word one or two edits from them: a
        misspelt name ("Wengar", "Mourino") is not news the archive lacks. Short terms must match
        exactly, or every three-letter word would be near some other ("wii" and "win")."""
        allowed = _filter(source, None, None, False, sources)
        missing: list[str] = []
        for term in query_terms:
            distance = 0 if len(term) <= 4 else 1 if len(term) <= 7 else 2
            query = tantivy.Query.fuzzy_term_query(SCHEMA, "terms", term, distance=distance)
            if allowed is not None:
                query = tantivy.Query.boolean_query([(tantivy.Occur.Must, query), (tantivy.Occur.Must, allowed)])
            if term and not self.searcher.search(query, limit=1, count=False).hits:
                missing.append(term)
        return missing

    def idf(self, query_terms: list[str]) -> dict[str, float]:
        """BM25's idf of each term over the chunks; a term absent from the archive gets the highest."""
        total = len(self)
        weights: dict[str, float] = {}
        for term in query_terms:
            frequency = min(total, int(self.searcher.doc_freq("terms", term))) if term else 0
            weights[term] = math.log(1 + (total - frequency + 0.5) / (frequency + 0.5))
        return weights

    def search(
        self,
        query_terms: list[str],
        k: int,
        source: str | None = None,
        since_day: int | None = None,
        until_day: int | None = None,
        include_undated: bool = False,
        sources: Iterable[str] = (),
    ) -> list[tuple[str, float]]:
        """The k best chunks by BM25 among those the filters allow, ties in chunk-id order.

        The filters are part of the query (scored zero), so tantivy's top-k pruning only ever
        considers allowed chunks: the cost follows the terms' postings (which grow with the archive),
        not the number of chunks the filters exclude."""
        wanted = [term for term in query_terms if term]
        if not wanted or k <= 0:
            return []
        query = tantivy.Query.boolean_query(
            [
                (tantivy.Occur.Should, tantivy.Query.term_query(SCHEMA, "terms", term, index_option="freq"))
                for term in wanted
            ]
        )
        allowed = _filter(source, since_day, until_day, include_undated, sources)
        if allowed is not None:
            query = tantivy.Query.boolean_query(
                [(tantivy.Occur.Must, query), (tantivy.Occur.Must, tantivy.Query.const_score_query(allowed, 0.0))]
            )
        return self._top(query, k)

    def _top(self, query: tantivy.Query, k: int) -> list[tuple[str, float]]:
        """The k best, equal scores ordered by chunk id. tantivy orders ties by where a document sits
        in its segments, which merges change; fetching past the k-th score's ties makes the answer
        the same in every process and after every merge.

        The first search fetches 2k hits: a search costs about the same whatever its limit (tantivy
        walks the same postings) while each repeat costs a whole search, so ties at the k-th score
        among fewer than k more hits (a wire story several sources carry word for word) are settled
        in one. The chunk id is a stored field, read per hit, so it is read only for hits that can
        be among the k: those scoring at least the k-th score."""
        limit = 2 * k
        while True:
            hits = self.searcher.search(query, limit=limit, count=False).hits
            if len(hits) < limit or hits[-1][0] < hits[k - 1][0]:
                break
            limit *= 2
        if len(hits) > k:
            kth_score = hits[k - 1][0]
            hits = [hit for hit in hits if hit[0] >= kth_score]
        found = [(str(self.searcher.doc(address).get_first("id")), float(score)) for score, address in hits]
        return sorted(found, key=lambda hit: (-hit[1], hit[0]))[:k]

    def chunk_ids_of(self, article_ids: Iterable[str]) -> set[str]:
        """The chunk ids the view holds for these articles."""
        wanted = sorted(set(article_ids))
        if not wanted:
            return set()
        query = tantivy.Query.term_set_query(SCHEMA, "article", wanted)
        count = self.searcher.search(query, limit=1, count=True).count or 0  # type: ignore[attr-defined]  # missing from tantivy's stub
        if not count:
            return set()
        hits = self.searcher.search(query, limit=count, count=False).hits
        return {str(self.searcher.doc(address)["id"][0]) for _score, address in hits}


def _filter(
    source: str | None, since_day: int | None, until_day: int | None, include_undated: bool, sources: Iterable[str] = ()
) -> tantivy.Query | None:
    """The same rule as `Filters.where()` for Chroma: undated chunks (day 0) pass a date bound only
    when `include_undated`; `sources` (a channel's) admits any of them."""
    clauses: list[tuple[tantivy.Occur, tantivy.Query]] = []
    if source:
        clauses.append((tantivy.Occur.Must, tantivy.Query.term_query(SCHEMA, "source", source.lower())))
    if sources:
        names = sorted({name.lower() for name in sources})
        clauses.append((tantivy.Occur.Must, tantivy.Query.term_set_query(SCHEMA, "source", names)))
    if since_day or until_day:
        in_range = _day_range(max(since_day or 1, 1), until_day or None)
        if include_undated:
            in_range = tantivy.Query.boolean_query(
                [(tantivy.Occur.Should, in_range), (tantivy.Occur.Should, _day_range(0, 0))]
            )
        clauses.append((tantivy.Occur.Must, in_range))
    if not clauses:
        return None
    return clauses[0][1] if len(clauses) == 1 else tantivy.Query.boolean_query(clauses)


def _read_state(searcher: tantivy.Searcher) -> _State | None:
    hits = searcher.search(tantivy.Query.term_query(SCHEMA, "id", STATE_ID), limit=1).hits
    if not hits:
        return None
    return _State.from_json(str(searcher.doc(hits[0][1])["state"][0]))


class LexicalCache:
    """One per process: hands out a view of the lexical index that includes every write Chroma
    had a moment ago.

    Its own process's writes (`invalidate`) are applied before the next question. Writes by other
    processes are noticed within REFRESH_SECONDS. A full build needed while a view exists (another
    process reindexed) runs in the background while questions are served from the previous view; a
    passage whose chunk has meanwhile been deleted is dropped by the retriever, so a stale view can
    delay a new article but never resurrect a removed one. Without a cache dir (a Chroma server)
    the index lives in memory, built once per process and then kept in step the same way.
    """

    def __init__(self, store: Store, cache_dir: Path | None) -> None:
        self.store = store
        self.cache_dir = cache_dir
        self.folder = cache_dir / FOLDER if cache_dir is not None else None
        self.last_sync = SyncReport()
        self._tantivy: tantivy.Index | None = None
        self._view: LexicalIndex | None = None
        self._checked_at = -math.inf
        self._dirty = False
        self._lock = threading.Lock()
        self._write_lock = threading.Lock()  # the background build and questions take turns too
        self._background: threading.Thread | None = None

    def get(self) -> LexicalIndex:
        with self._lock:
            if self._view is not None and not self._dirty and time.monotonic() - self._checked_at < REFRESH_SECONDS:
                return self._view
            self._sync()
            self._checked_at = time.monotonic()
            self._dirty = False
            assert self._view is not None
            return self._view

    def invalidate(self) -> None:
        """This process wrote: the next question waits for a view that includes the write."""
        with self._lock:
            self._dirty = True

    def wait_for_background(self, timeout: float = 600.0) -> None:
        thread = self._background
        if thread is not None:
            thread.join(timeout)

    # --- syncing ---------------------------------------------------------
    def _sync(self) -> None:
        """Bring the view up to the change log, applying what is missing if this process may write."""
        index = self._open()
        index.reload()
        view = LexicalIndex(index.searcher())
        changes = self.store.changes_since(_window_start(view.state))
        if not _needs_full_build(view.state, changes) and not _pending(view.state, changes, time.time_ns()):
            self._view = view
            return
        if self._view is not None and not self._dirty and _needs_full_build(view.state, changes):
            self._build_in_background()  # another process reindexed: answer from the old view meanwhile
            return
        with self._writer_turn(wait=self._view is None or self._dirty) as mine:
            if mine:
                self.last_sync = self._catch_up(index)
        index.reload()
        self._view = LexicalIndex(index.searcher())

    def _catch_up(self, index: tantivy.Index) -> SyncReport:
        """With the writer's turn: read the state again (another process may have just synced) and
        apply what is still missing, or build from scratch."""
        started = time.perf_counter()
        index.reload()
        state = _read_state(index.searcher())
        checked_ns = time.time_ns()
        changes = self.store.changes_since(_window_start(state))
        if state is None or _needs_full_build(state, changes):
            return self._build(index, changes, checked_ns, started)
        pending = _pending(state, changes, checked_ns)
        if not pending:
            return SyncReport(seconds=time.perf_counter() - started)
        article_ids = {article_id for record in pending for article_id in record.article_ids}
        in_chroma = self.store.chunk_ids_of_articles(sorted(article_ids))
        in_index = LexicalIndex(index.searcher()).chunk_ids_of(article_ids)
        to_add, to_remove = sorted(in_chroma - in_index), sorted(in_index - in_chroma)
        applied = {record.record_id for record in pending} | set(state.applied)
        kept = tuple(
            r.record_id for r in changes.records if r.record_id in applied and r.seq > checked_ns - CHANGE_LAG_NS
        )
        added: list[str] = []
        with _writer(index, SYNC_HEAP) as writer:
            for chunk_id in to_remove:
                writer.delete_documents_by_term("id", chunk_id)
            for start in range(0, len(to_add), ID_PAGE):
                for chunk_id, (document, meta) in self.store.chunks_by_ids(to_add[start : start + ID_PAGE]).items():
                    writer.delete_documents_by_term("id", chunk_id)  # an earlier, killed sync may have added it
                    writer.add_document(_document(chunk_id, document, meta))
                    added.append(chunk_id)
            _commit(writer, _State(changes.collection_id, checked_ns, kept))
        return SyncReport(False, tuple(added), tuple(to_remove), len(pending), time.perf_counter() - started)

    def _build(self, index: tantivy.Index, changes: ChangeLog, checked_ns: int, started: float) -> SyncReport:
        """Every chunk from Chroma into one commit that replaces the index whole. Records logged as
        done before the change log was read are in what Chroma returns, so they count as applied."""
        done = tuple(r.record_id for r in changes.records if r.done and r.seq > checked_ns - CHANGE_LAG_NS)
        with _writer(index, BUILD_HEAP) as writer:
            writer.delete_all_documents()
            for chunk_id, document, meta in self.store.iter_chunks(include_documents=True):
                writer.add_document(_document(chunk_id, document, meta))
            _commit(writer, _State(changes.collection_id, checked_ns, done))
        return SyncReport(full=True, seconds=time.perf_counter() - started)

    def _build_in_background(self) -> None:
        if self._background is not None and self._background.is_alive():
            return
        self._background = threading.Thread(target=self._build_quietly, daemon=True)
        self._background.start()

    def _build_quietly(self) -> None:
        try:
            with self._writer_turn(wait=True):
                report = self._catch_up(self._open())
            with self._lock:
                self.last_sync = report
                self._checked_at = -math.inf  # the next question picks up the new view
        except Exception:  # the store may be down; the next question retries
            log.warning("background build of the lexical index failed", exc_info=True)

    # --- the index folder ------------------------------------------------
    def _open(self) -> tantivy.Index:
        """The tantivy index, created (or recreated when unreadable) on first use."""
        if self._tantivy is not None:
            return self._tantivy
        if self.folder is None:
            self._tantivy = tantivy.Index(SCHEMA)
            return self._tantivy
        self.folder.mkdir(parents=True, exist_ok=True)
        for old in self.folder.parent.glob("bm25-*"):  # caches of the rebuild-per-write index
            shutil.rmtree(old, ignore_errors=True)
        try:
            self._tantivy = _opened(self.folder)
        except Exception as exc:
            if isinstance(exc, _OtherFormat):  # this release reads terms differently: expected, not damage
                log.info("rebuilding the lexical index (%s) for this release: %s", self.folder, exc)
            else:
                log.warning("rebuilding an unreadable lexical index (%s): %s", self.folder, exc)
            with self._writer_turn(wait=True):
                try:  # another process may have repaired it while this one waited
                    self._tantivy = _opened(self.folder)
                except Exception:
                    shutil.rmtree(self.folder, ignore_errors=True)
                    self.folder.mkdir(parents=True)
                    self._tantivy = tantivy.Index(SCHEMA, path=str(self.folder), reuse=False)
        return self._tantivy

    @contextmanager
    def _writer_turn(self, wait: bool) -> Iterator[bool]:
        """This process's turn to write the shared folder (True), or False when another process
        is writing and `wait` is off: its commit will show at the next refresh."""
        if not self._write_lock.acquire(blocking=wait):
            yield False
            return
        try:
            if self.cache_dir is None:
                yield True
                return
            self.cache_dir.mkdir(parents=True, exist_ok=True)
            with open(self.cache_dir / f"{FOLDER}.lock", "a") as handle:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
                except BlockingIOError:
                    yield False
                    return
                try:
                    yield True
                finally:
                    fcntl.flock(handle, fcntl.LOCK_UN)
        finally:
            self._write_lock.release()


class _OtherFormat(ValueError):
    """An index written by a release with another FORMAT."""


def _opened(folder: Path) -> tantivy.Index:
    """Open the folder's index and read its state, so damage shows here rather than mid-question."""
    index = tantivy.Index(SCHEMA, path=str(folder), reuse=True)
    index.reload()
    state = _read_state(index.searcher())
    if state is not None and state.format != FORMAT:
        raise _OtherFormat(f"index format {state.format}, expected {FORMAT}")
    return index


@contextmanager
def _writer(index: tantivy.Index, heap: int) -> Iterator[Any]:
    """A writer for one commit; it is released (after its merges) so another process can write."""
    writer = index.writer(heap_size=heap, num_threads=1)
    try:
        yield writer
    except BaseException:
        writer.rollback()
        raise
    finally:
        writer.wait_merging_threads()


def _commit(writer: Any, state: _State) -> None:
    writer.delete_documents_by_term("id", STATE_ID)
    writer.add_document(_state_document(state))
    if BEFORE_COMMIT is not None:
        BEFORE_COMMIT()
    writer.commit()


def _window_start(state: _State | None) -> int:
    """Change records after this may not be applied yet (all of them when there is no index)."""
    return state.checked_ns - CHANGE_LAG_NS if state is not None else time.time_ns() - CHANGE_LAG_NS


def _needs_full_build(state: _State | None, changes: ChangeLog) -> bool:
    return (
        state is None
        or state.format != FORMAT
        or state.collection_id != changes.collection_id
        or _window_start(state) < changes.horizon  # records it still needed were compacted away
    )


def _pending(state: _State | None, changes: ChangeLog, now_ns: int) -> list[ChangeRecord]:
    """Records not applied yet; a write's opening record only when its closing one never came."""
    applied = set(state.applied) if state is not None else set()
    finished = {record.write_id for record in changes.records if record.done}
    return [
        record
        for record in changes.records
        if record.record_id not in applied
        and (record.done or (record.write_id not in finished and record.seq < now_ns - SETTLE_NS))
    ]


__all__ = ["REFRESH_SECONDS", "LexicalCache", "LexicalIndex", "SyncReport"]
