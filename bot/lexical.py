"""BM25 over the chunks, derived from Chroma and never edited by hand.

Chroma's own sparse indexes are Cloud-only, so the lexical side lives here.
The index is rebuilt from the collection whenever the store's generation
token changes (every write bumps it), and cached on disk under that token so
a fresh CLI process does not re-tokenise the whole archive. Because it is
only ever a function of what Chroma holds, it cannot drift from it.
"""

from __future__ import annotations

import json
import logging
import math
import os
import re
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import bm25s
import numpy as np

from bot.store import Meta, Store
from bot.text import terms

log = logging.getLogger(__name__)
logging.getLogger("bm25s").setLevel(logging.WARNING)

# How long a process trusts its idea of the store's generation before asking
# again: the upper bound on how stale the lexical side can be across processes.
REFRESH_SECONDS = 2.0
# Least time between the starts of two background rebuilds. Another process's long ingest bumps
# the generation after every batch it writes; a rebuild reads every chunk id and re-runs BM25
# indexing (seconds at 100k chunks), so without a spacing a bot would re-index back to back.
REBUILD_SPACING_SECONDS = 8.0


@dataclass
class LexicalIndex:
    generation: str
    chunk_ids: list[str]
    sources: np.ndarray  # lower-cased source per chunk
    days: np.ndarray  # YYYYMMDD per chunk, 0 when unknown
    retriever: bm25s.BM25 | None

    def token_ids(self, query_terms: list[str]) -> list[int]:
        if self.retriever is None:
            return []
        vocab = self.retriever.vocab_dict
        return [int(vocab[term]) for term in query_terms if term in vocab]

    def scores(self, query_terms: list[str]) -> np.ndarray:
        """Every chunk's BM25 score (bm25s sums the terms' columns of its sparse score matrix)."""
        token_ids = self.token_ids(query_terms)
        if self.retriever is None or not token_ids:
            return np.zeros(len(self.chunk_ids), dtype=np.float32)
        return np.asarray(self.retriever.get_scores(token_ids), dtype=np.float32)

    def idf(self, query_terms: list[str]) -> dict[str, float]:
        """BM25's idf of each term over the chunks; a term absent from the archive gets the highest."""
        total = len(self.chunk_ids)
        weights: dict[str, float] = {}
        for term in query_terms:
            frequency = 0
            if self.retriever is not None and term in self.retriever.vocab_dict:
                token = self.retriever.vocab_dict[term]
                pointers = self.retriever.scores["indptr"]
                frequency = int(pointers[token + 1] - pointers[token])
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
    ) -> list[tuple[str, float]]:
        """The k best chunks by BM25 among those the filters allow, ties in index order.

        Every chunk is scored (cost linear in the archive, ~2 ms at 100k chunks); the top k are
        then selected with a partition rather than a sort of every matching chunk."""
        scores = self.scores(query_terms)
        if not len(scores):
            return []
        mask = scores > 0
        if source:
            mask &= self.sources == source.lower()
        in_range = np.ones_like(mask)
        if since_day:
            in_range &= self.days >= since_day
        if until_day:
            in_range &= (self.days <= until_day) & (self.days > 0)
        mask &= (in_range | (self.days == 0)) if include_undated else in_range
        candidates = np.flatnonzero(mask)
        if len(candidates) > k:
            kth = np.partition(scores[candidates], len(candidates) - k)[len(candidates) - k]
            candidates = candidates[scores[candidates] >= kth]
        top = candidates[np.lexsort((candidates, -scores[candidates]))[:k]]
        return [(self.chunk_ids[i], float(scores[i])) for i in top]


def _index_from(generation: str, rows: list[tuple[str, list[str], str, int]]) -> LexicalIndex:
    retriever = None
    if rows:
        retriever = bm25s.BM25()
        retriever.index([row[1] for row in rows], show_progress=False)
    return LexicalIndex(
        generation,
        [row[0] for row in rows],
        np.array([row[2] for row in rows], dtype=object),
        np.array([row[3] for row in rows], dtype=np.int64),
        retriever,
    )


class LexicalCache:
    """One per process: hands out the BM25 index for the store's current generation.

    Its own process's writes (`invalidate`) rebuild before the next question.
    Writes by other processes (another ingest, another bot replica) are noticed
    within REFRESH_SECONDS and rebuilt in the background (at most once every
    REBUILD_SPACING_SECONDS) while questions are
    served from the previous index; a passage whose chunk has meanwhile been
    deleted is dropped by the retriever, so a stale index can delay a new
    article but never resurrect a removed one. Terms are kept per chunk id, so
    a rebuild tokenises only the chunks that are new.
    """

    def __init__(self, store: Store, cache_dir: Path | None) -> None:
        self.store = store
        self.cache_dir = cache_dir
        self._index: LexicalIndex | None = None
        self._terms: dict[str, list[str]] = {}
        self._checked_at = 0.0
        self._dirty = False
        self._lock = threading.Lock()
        self._build_lock = threading.Lock()
        self._background: threading.Thread | None = None
        self._rebuild_started = -math.inf

    def get(self) -> LexicalIndex:
        with self._lock:
            now = time.monotonic()
            if self._index is not None and not self._dirty and now - self._checked_at < REFRESH_SECONDS:
                return self._index
            generation = self.store.generation()
            self._checked_at = now
            current = self._index
            if current is not None and current.generation == generation and not self._dirty:
                return current
            if current is None or self._dirty:
                self._dirty = False
                self._index = self._load(generation) or self._build(generation)
                return self._index
            idle = self._background is None or not self._background.is_alive()
            if idle and now - self._rebuild_started >= REBUILD_SPACING_SECONDS:
                self._rebuild_started = now
                self._background = threading.Thread(target=self._rebuild_quietly, args=(generation,), daemon=True)
                self._background.start()
            return current

    def invalidate(self) -> None:
        """This process wrote: the next question waits for an index that includes the write."""
        with self._lock:
            self._dirty = True

    def wait_for_background(self, timeout: float = 120.0) -> None:
        thread = self._background
        if thread is not None:
            thread.join(timeout)

    def _rebuild_quietly(self, generation: str) -> None:
        try:
            index = self._build(generation)
        except Exception:  # the store may be down; the next question retries
            log.warning("background rebuild of the lexical index failed", exc_info=True)
            return
        with self._lock:
            if not self._dirty:
                self._index = index

    def _build(self, generation: str) -> LexicalIndex:
        with self._build_lock:
            metas = list(self.store.iter_chunks(include_documents=False))
            missing = [cid for cid, _doc, _meta in metas if cid not in self._terms]
            for start in range(0, len(missing), 2000):
                rows = self.store.chunks_by_ids(missing[start : start + 2000])
                for cid, (document, meta) in rows.items():
                    self._terms[cid] = terms(f"{meta.get(Meta.TITLE, '')}\n{document}")
            present = {cid for cid, _doc, _meta in metas}
            for cid in [cid for cid in self._terms if cid not in present]:
                del self._terms[cid]
            rows_for_index = [
                (
                    cid,
                    self._terms[cid],
                    str(meta.get(Meta.SOURCE, "")).lower(),
                    int(meta.get(Meta.PUBLISHED_DAY, 0) or 0),
                )
                for cid, _doc, meta in metas
                if cid in self._terms
            ]
            index = _index_from(generation, rows_for_index)
        # A write that landed while we read would have changed the generation: don't cache a mix.
        if self.store.generation() == generation:
            self._save(index)
        else:
            index.generation = ""
        return index

    def _folder(self, generation: str) -> Path | None:
        """One flat folder per generation (generations hold "/", which must not nest folders)."""
        return self.cache_dir / ("bm25-" + re.sub(r"[^\w.-]", "_", generation)) if self.cache_dir else None

    def _save(self, index: LexicalIndex) -> None:
        folder = self._folder(index.generation)
        if folder is None or index.retriever is None:
            return
        try:
            folder.parent.mkdir(parents=True, exist_ok=True)
            temp = Path(tempfile.mkdtemp(prefix=".bm25-", dir=folder.parent))
            index.retriever.save(str(temp), show_progress=False)
            (temp / "chunks.json").write_text(
                json.dumps({"ids": index.chunk_ids, "sources": list(index.sources), "days": index.days.tolist()})
            )
            shutil.rmtree(folder, ignore_errors=True)  # a broken cache of this generation is replaced
            os.replace(temp, folder)
            for old in folder.parent.glob("bm25-*"):
                if old != folder:
                    shutil.rmtree(old, ignore_errors=True)
        except OSError as exc:  # a cache is an optimisation: never fail a question over it
            log.warning("could not cache the lexical index: %s", exc)
            if "temp" in locals():
                shutil.rmtree(temp, ignore_errors=True)

    def _load(self, generation: str) -> LexicalIndex | None:
        """The cached index of this generation, or None (then it is rebuilt): any damage to the
        cache — truncated, emptied, mismatched files — costs a rebuild, never a failed question."""
        folder = self._folder(generation)
        if folder is None or not (folder / "chunks.json").is_file():
            return None
        try:
            meta: dict[str, Any] = json.loads((folder / "chunks.json").read_text())
            retriever = bm25s.BM25.load(str(folder), show_progress=False)
            index = LexicalIndex(
                generation,
                list(meta["ids"]),
                np.array(meta["sources"], dtype=object),
                np.array(meta["days"], dtype=np.int64),
                retriever,
            )
            documents = int(retriever.scores["num_docs"])
            if not len(index.chunk_ids) == len(index.sources) == len(index.days) == documents:
                raise ValueError(f"{len(index.chunk_ids)} chunk ids for {documents} indexed chunks")
        except Exception as exc:
            log.warning("ignoring a broken lexical index cache: %s", exc)
            shutil.rmtree(folder, ignore_errors=True)
            return None
        return index
