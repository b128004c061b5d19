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


@dataclass
class LexicalIndex:
    generation: str
    chunk_ids: list[str]
    sources: np.ndarray  # lower-cased source per chunk
    days: np.ndarray  # YYYYMMDD per chunk, 0 when unknown
    retriever: bm25s.BM25 | None

    def scores(self, query_terms: list[str]) -> np.ndarray:
        if self.retriever is None or not query_terms:
            return np.zeros(len(self.chunk_ids), dtype=np.float32)
        known = [term for term in query_terms if term in self.retriever.vocab_dict]
        if not known:
            return np.zeros(len(self.chunk_ids), dtype=np.float32)
        return np.asarray(self.retriever.get_scores(known), dtype=np.float32)

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
    ) -> list[tuple[str, float]]:
        scores = self.scores(query_terms)
        if not len(scores):
            return []
        mask = scores > 0
        if source:
            mask &= self.sources == source.lower()
        if since_day:
            mask &= self.days >= since_day
        if until_day:
            mask &= (self.days <= until_day) & (self.days > 0)
        candidates = np.flatnonzero(mask)
        if not len(candidates):
            return []
        top = candidates[np.argsort(-scores[candidates], kind="stable")[:k]]
        return [(self.chunk_ids[i], float(scores[i])) for i in top]


def build_index(store: Store, generation: str) -> LexicalIndex:
    chunk_ids: list[str] = []
    corpus: list[list[str]] = []
    sources: list[str] = []
    days: list[int] = []
    for cid, document, meta in store.iter_chunks():
        chunk_ids.append(cid)
        corpus.append(terms(f"{meta.get(Meta.TITLE, '')}\n{document}"))
        sources.append(str(meta.get(Meta.SOURCE, "")).lower())
        days.append(int(meta.get(Meta.PUBLISHED_DAY, 0) or 0))
    retriever = None
    if chunk_ids:
        retriever = bm25s.BM25()
        retriever.index(corpus, show_progress=False)
    return LexicalIndex(
        generation, chunk_ids, np.array(sources, dtype=object), np.array(days, dtype=np.int64), retriever
    )


class LexicalCache:
    """One per process: hands out the index for the store's current generation."""

    def __init__(self, store: Store, cache_dir: Path | None) -> None:
        self.store = store
        self.cache_dir = cache_dir
        self._index: LexicalIndex | None = None
        self._checked_at = 0.0
        self._lock = threading.Lock()

    def get(self) -> LexicalIndex:
        with self._lock:
            now = time.monotonic()
            if self._index is not None and now - self._checked_at < REFRESH_SECONDS:
                return self._index
            generation = self.store.generation()
            self._checked_at = now
            if self._index is None or self._index.generation != generation:
                self._index = self._load(generation) or self._build(generation)
            return self._index

    def invalidate(self) -> None:
        with self._lock:
            self._checked_at = 0.0

    def _folder(self, generation: str) -> Path | None:
        return self.cache_dir / f"bm25-{generation}" if self.cache_dir else None

    def _build(self, generation: str) -> LexicalIndex:
        index = build_index(self.store, generation)
        # A write that landed while we read would have changed the generation: don't cache a mix.
        if self.store.generation() == generation:
            self._save(index)
        else:
            index.generation = ""
        return index

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
            os.replace(temp, folder)
            for old in folder.parent.glob("bm25-*"):
                if old != folder:
                    shutil.rmtree(old, ignore_errors=True)
        except OSError as exc:  # a cache is an optimisation: never fail a question over it
            log.warning("could not cache the lexical index: %s", exc)

    def _load(self, generation: str) -> LexicalIndex | None:
        folder = self._folder(generation)
        if folder is None or not (folder / "chunks.json").is_file():
            return None
        try:
            meta: dict[str, Any] = json.loads((folder / "chunks.json").read_text())
            retriever = bm25s.BM25.load(str(folder), show_progress=False)
        except (OSError, ValueError) as exc:
            log.warning("ignoring a broken lexical index cache: %s", exc)
            return None
        return LexicalIndex(
            generation,
            list(meta["ids"]),
            np.array(meta["sources"], dtype=object),
            np.array(meta["days"], dtype=np.int64),
            retriever,
        )
