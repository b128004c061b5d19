"""ingest(inputs) → IngestReport: load, clean, identify, chunk, embed, store.

Idempotent by construction: an unchanged article (same id, same content hash,
all chunks present) is skipped before any embedding work; a changed one is
written as a new version and its old chunks deleted; a half-written version
left by a crash is found by its chunk count and rewritten.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from langchain_core.embeddings import Embeddings
from tqdm import tqdm

from bot.config import Settings
from bot.errors import LoadError, StoreUnavailableError
from bot.models import Article, Chunk
from bot.store import ArticleWrite, Store, embedding_text
from ingest.chunk import chunk_article
from ingest.feeds import FeedEntry
from ingest.identity import to_article
from ingest.loaders import RawArticle, expand_inputs, load

log = logging.getLogger(__name__)

# Files per encode-and-write batch (~560 chunks): one Chroma call replaces ~128 per-article ones.
# Smaller batches (32) gave the same pipeline/encode ratio but, written every ~3 s, slowed a bot
# answering from the same Chroma server during the ingest (load test p50 0.5-1.0 s -> 2.3 s).
FILES_PER_BATCH = 128


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    repaired: list[str] = field(default_factory=list)
    chunks_written: int = 0
    seconds: float = 0.0
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.failed

    def summary(self) -> str:
        verb = "would be " if self.dry_run else ""
        return (
            f"{len(self.added)} {verb}added, {len(self.updated)} {verb}updated, "
            f"{len(self.unchanged)} unchanged, {len(self.failed)} failed"
            f" ({self.chunks_written} chunks, {self.seconds:.1f} s)"
        )

    def merge(self, other: IngestReport) -> IngestReport:
        for name in ("added", "updated", "unchanged", "failed", "repaired"):
            getattr(self, name).extend(getattr(other, name))
        self.chunks_written += other.chunks_written
        self.seconds += other.seconds
        return self

    def to_dict(self) -> dict[str, Any]:
        return {
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "failed": self.failed,
            "repaired": self.repaired,
            "chunks_written": self.chunks_written,
            "seconds": round(self.seconds, 3),
            "dry_run": self.dry_run,
        }


@dataclass
class _Planned:
    article: Article
    status: str  # "added" | "updated"
    stale_chunk_ids: list[str]
    replaces_ids: list[str]
    has_other_versions: bool


class Ingestor:
    """Holds the store and the model for one run or many (the bot keeps one)."""

    def __init__(
        self,
        settings: Settings,
        store: Store,
        embedder: Embeddings,
        on_change: Callable[[], None] | None = None,
    ) -> None:
        self.settings = settings
        self.store = store
        self.embedder = embedder
        self.on_change = on_change

    def run(
        self,
        inputs: Iterable[str],
        source: str | None = None,
        dry_run: bool = False,
        progress: bool = False,
        feed_entries: Mapping[str, FeedEntry] | None = None,
    ) -> IngestReport:
        """Ingest files, folders, globs and URLs; `feed_entries` (URL → entry) add a feed's metadata."""
        started = time.perf_counter()
        report = IngestReport(dry_run=dry_run)
        feed_entries = feed_entries or {}
        items, input_errors = expand_inputs(inputs)
        report.failed.extend(input_errors)
        seen: set[str] = set()
        bar = tqdm(total=len(items), desc="Ingesting", unit="file", disable=not progress or len(items) < 2)
        try:
            for start in range(0, len(items), FILES_PER_BATCH):
                batch = items[start : start + FILES_PER_BATCH]
                articles: list[Article] = []
                for item in batch:
                    loaded = load(item, self.settings)
                    report.failed.extend(loaded.errors)
                    for raw in loaded.articles:
                        if item in feed_entries:
                            apply_feed_metadata(raw, feed_entries[item])
                        try:
                            article = to_article(raw, source)
                        except LoadError as exc:
                            report.failed.append(str(exc))
                            continue
                        if not article.text:
                            report.failed.append(f"{loaded.name}: no article text left after cleaning")
                            continue
                        if article.article_id in seen:
                            report.unchanged.append(_label(article))
                            continue
                        seen.add(article.article_id)
                        articles.append(article)
                    bar.update(1)
                self._ingest_articles(articles, report, dry_run)
        finally:
            bar.close()
        report.seconds = time.perf_counter() - started
        return report

    def _plan(self, articles: Sequence[Article], report: IngestReport) -> list[_Planned]:
        stored = self.store.versions([article.article_id for article in articles])
        by_origin = self.store.article_ids_by_origin([article.origin for article in articles])
        planned: list[_Planned] = []
        for article in articles:
            versions = stored.get(article.article_id, [])
            current = [v for v in versions if v.content_hash == article.content_hash]
            others = [v for v in versions if v.content_hash != article.content_hash]
            if current and current[0].complete and not others:
                report.unchanged.append(_label(article))
                continue
            repair = bool(current) and not current[0].complete
            if repair:
                report.repaired.append(_label(article))
            stale = current[0].chunk_ids if repair else []
            replaces = sorted(by_origin.get(article.origin, set()) - {article.article_id}) if article.origin else []
            status = "updated" if others or replaces else "added"
            planned.append(_Planned(article, status, stale, replaces, bool(others)))
        return planned

    def _ingest_articles(self, articles: Sequence[Article], report: IngestReport, dry_run: bool) -> None:
        if not articles:
            return
        planned = self._plan(articles, report)
        chunked: list[tuple[_Planned, list[Chunk]]] = []
        for plan in planned:
            chunks = chunk_article(plan.article, self.settings.chunk_size, self.settings.chunk_overlap)
            chunked.append((plan, chunks))
        if dry_run:
            for plan, chunks in chunked:
                getattr(report, plan.status).append(_label(plan.article))
                report.chunks_written += len(chunks)
            return
        texts = [embedding_text(chunk.article.title, chunk.text) for _plan, chunks in chunked for chunk in chunks]
        vectors = self.embedder.embed_documents(texts) if texts else []
        batch: list[tuple[_Planned, ArticleWrite]] = []
        offset = 0
        for plan, chunks in chunked:
            write = ArticleWrite(chunks, vectors[offset : offset + len(chunks)], plan.has_other_versions)
            offset += len(chunks)
            batch.append((plan, write))
        stored = self._store_batch(batch, report)
        for plan, write in stored:
            getattr(report, plan.status).append(_label(plan.article))
            report.chunks_written += len(write.chunks)
        if stored:
            self.store.bump_generation()
            if self.on_change is not None:
                self.on_change()

    def _store_batch(
        self, batch: list[tuple[_Planned, ArticleWrite]], report: IngestReport
    ) -> list[tuple[_Planned, ArticleWrite]]:
        """One write for the whole batch; if it fails, article by article, so a bad one fails alone."""
        try:
            self._store(batch)
            return batch
        except StoreUnavailableError:
            raise
        except Exception as exc:
            if len(batch) == 1:
                self._record_failure(batch[0][0], exc, report)
                return []
            log.warning("batch write of %d articles failed; writing them one by one", len(batch), exc_info=True)
        stored: list[tuple[_Planned, ArticleWrite]] = []
        for item in batch:
            try:
                self._store([item])
            except StoreUnavailableError:
                raise
            except Exception as exc:
                self._record_failure(item[0], exc, report)
                continue
            stored.append(item)
        return stored

    def _store(self, batch: list[tuple[_Planned, ArticleWrite]]) -> None:
        self.store.delete_chunks([chunk for plan, _write in batch for chunk in plan.stale_chunk_ids])
        self.store.write_articles([write for _plan, write in batch])
        for plan, _write in batch:
            for replaced in plan.replaces_ids:
                self.store.delete_article(replaced)

    @staticmethod
    def _record_failure(plan: _Planned, exc: Exception, report: IngestReport) -> None:
        log.error("storing %s failed", plan.article.article_id, exc_info=exc)
        report.failed.append(
            f"{_label(plan.article)}: could not be stored ({exc.__class__.__name__}: {exc}); "
            "run the ingest again, and report it if it keeps failing"
        )


def apply_feed_metadata(raw: RawArticle, entry: FeedEntry) -> None:
    raw.title = raw.title or entry.title
    raw.published = entry.published or raw.published
    raw.author = entry.author or raw.author
    raw.source = entry.source or raw.source


def _label(article: Article) -> str:
    where = article.url or article.origin
    return f"{article.title} ({where})" if where else article.title
