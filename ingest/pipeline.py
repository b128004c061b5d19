"""ingest(inputs) → IngestReport: load, clean, identify, chunk, embed, store.

Idempotent by construction: an unchanged article (same id, same content hash,
all chunks present) is skipped before any embedding work; a changed one is
written as a new version and its old chunks deleted; a half-written version
left by a crash is found by its chunk count and rewritten.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from langchain_core.embeddings import Embeddings
from tqdm import tqdm

from bot.config import Settings
from bot.embeddings import quote_embedder
from bot.errors import LoadError, ReindexRunningError, StoreUnavailableError
from bot.models import Article, Chunk
from bot.store import ArticleWrite, Store
from ingest.chunk import chunk_article
from ingest.feeds import FeedEntry
from ingest.identity import to_article
from ingest.loaders import RawArticle, expand_inputs, load
from ingest.parse_ahead import ParseAhead
from ingest.quote_vectors import ArticleParts, chunk_and_quote_vectors
from ingest.quotes import Analysis

if TYPE_CHECKING:
    from bot.core import Newsdesk

log = logging.getLogger(__name__)

# Files per encode-and-write batch (~560 chunks): one Chroma call replaces ~128 per-article ones.
# Smaller batches (32) gave the same pipeline/encode ratio but, written every ~3 s, slowed a bot
# answering from the same Chroma server during the ingest (load test p50 0.5-1.0 s -> 2.3 s).
FILES_PER_BATCH = 128
# The first batch is smaller: nothing runs beside its parse, so the model waits for all of it.
FIRST_BATCH_FILES = 32
# From this many files, the next batch is parsed in a worker process while this one is embedded
# (ingest/parse_ahead.py); below it, the worker's start-up would cost more than the overlap saves.
PARSE_AHEAD_MIN_FILES = 2 * FILES_PER_BATCH


@dataclass
class IngestReport:
    """What one ingest did. `skipped` holds a folder's files of an unsupported kind (one line each; not
    failures, since nobody named them); `interrupted` means Ctrl-C stopped the run, and everything
    listed was stored before it did."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    repaired: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    chunks_written: int = 0
    seconds: float = 0.0
    dry_run: bool = False
    interrupted: bool = False
    quotes_written: int = 0
    # Seconds spent per stage (parse = spaCy's quotes and entities, embed, store): where an ingest's time goes.
    stage_seconds: dict[str, float] = field(default_factory=dict)

    def timed(self, stage: str, started: float) -> None:
        self.stage_seconds[stage] = self.stage_seconds.get(stage, 0.0) + time.perf_counter() - started

    @property
    def ok(self) -> bool:
        return not self.failed

    def summary(self) -> str:
        verb = "would be " if self.dry_run else ""
        skipped = f", {len(self.skipped)} skipped" if self.skipped else ""
        return (
            f"{len(self.added)} {verb}added, {len(self.updated)} {verb}updated, "
            f"{len(self.unchanged)} unchanged, {len(self.failed)} failed{skipped}"
            f" ({self.chunks_written} chunks, {self.seconds:.1f} s)"
        )

    def merge(self, other: IngestReport) -> IngestReport:
        for name in ("added", "updated", "unchanged", "failed", "repaired", "skipped"):
            getattr(self, name).extend(getattr(other, name))
        self.chunks_written += other.chunks_written
        self.quotes_written += other.quotes_written
        self.seconds += other.seconds
        for stage, seconds in other.stage_seconds.items():
            self.stage_seconds[stage] = self.stage_seconds.get(stage, 0.0) + seconds
        self.interrupted = self.interrupted or other.interrupted
        return self

    def to_dict(self) -> dict[str, Any]:
        return {
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "failed": self.failed,
            "repaired": self.repaired,
            "skipped": self.skipped,
            "chunks_written": self.chunks_written,
            "quotes_written": self.quotes_written,
            "stage_seconds": {stage: round(seconds, 3) for stage, seconds in self.stage_seconds.items()},
            "seconds": round(self.seconds, 3),
            "dry_run": self.dry_run,
            "interrupted": self.interrupted,
        }


def _batches(items: Sequence[str]) -> Iterator[Sequence[str]]:
    start, size = 0, min(FIRST_BATCH_FILES, FILES_PER_BATCH)
    while start < len(items):
        yield items[start : start + size]
        start += size
        size = FILES_PER_BATCH


@dataclass
class _Parsing:
    """A batch whose parse has started (in the worker, or on demand): embedding it waits for it."""

    chunked: list[_Chunked]
    analyses: Callable[[], list[Analysis]]


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
        self.quote_embedder = quote_embedder(embedder)
        self.on_change = on_change
        self.writer_id = uuid.uuid4().hex
        self._chunking = (settings.chunk_size, settings.chunk_overlap)

    @classmethod
    def for_desk(cls, desk: Newsdesk) -> Ingestor:
        """Ingest into a running Newsdesk: its store and model, and its lexical cache told of each
        write, so the process's next question sees the new articles."""
        return cls(desk.settings, desk.store, desk.embedder, on_change=desk.lexical.invalidate)

    def run(
        self,
        inputs: Iterable[str],
        source: str | None = None,
        dry_run: bool = False,
        progress: bool = False,
        feed_entries: Mapping[str, FeedEntry] | None = None,
    ) -> IngestReport:
        """Ingest files, folders, globs and URLs; `feed_entries` (URL → entry) add a feed's metadata.

        Ctrl-C (KeyboardInterrupt) stops the run between or inside batches and returns the report with
        `interrupted` set: what was stored stays stored and is listed; a batch cut off mid-write is
        repaired by the next run.
        """
        started = time.perf_counter()
        self.writer_id = uuid.uuid4().hex  # one per run: what this run wrote first is what it reports
        report = IngestReport(dry_run=dry_run)
        expanded = expand_inputs(inputs)
        report.failed.extend(expanded.errors)
        report.skipped.extend(expanded.skipped)
        bar = tqdm(
            total=len(expanded.items), desc="Ingesting", unit="file", disable=not progress or len(expanded.items) < 2
        )
        try:
            self._run_batches(expanded.items, source, dry_run, feed_entries or {}, report, bar)
        except KeyboardInterrupt:
            report.interrupted = True
            log.warning(
                "ingest interrupted; %d added and %d updated before it stopped", len(report.added), len(report.updated)
            )
            if not dry_run:
                self._mark_changed_after_interrupt()
        finally:
            bar.close()
        report.seconds = time.perf_counter() - started
        return report

    def _run_batches(
        self,
        items: Sequence[str],
        source: str | None,
        dry_run: bool,
        feed_entries: Mapping[str, FeedEntry],
        report: IngestReport,
        bar: tqdm[Any],
    ) -> None:
        """Load and chunk each batch, start its parse, and embed and store the one before meanwhile."""
        seen: set[str] = set()
        pending: _Parsing | None = None
        with ParseAhead(use_worker=not dry_run and len(items) >= PARSE_AHEAD_MIN_FILES) as parser:
            for batch in _batches(items):
                articles = self._load_batch(batch, source, feed_entries, seen, report, bar)
                chunked = self._prepare(articles, report, dry_run)
                parsing = _Parsing(chunked, parser.submit([plan.article.text for plan, _c in chunked]))
                if pending is not None:  # the previous batch is embedded while this one is parsed
                    self._embed_and_store(pending, report)
                pending = parsing if chunked else None
            if pending is not None:
                self._embed_and_store(pending, report)

    def _mark_changed_after_interrupt(self) -> None:
        """The interrupt may have landed between a write and the generation bump that tells derived
        caches (the lexical index) to catch up."""
        try:
            self.store.bump_generation()
            if self.on_change is not None:
                self.on_change()
        except Exception:
            log.warning("could not mark the store as changed after the interrupt", exc_info=True)

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

    def _load_batch(
        self,
        items: Sequence[str],
        source: str | None,
        feed_entries: Mapping[str, FeedEntry],
        seen: set[str],
        report: IngestReport,
        bar: tqdm[Any],
    ) -> list[Article]:
        articles: list[Article] = []
        for item in items:
            bar.update(1)
            loaded = load(item, self.settings)
            report.failed.extend(loaded.errors)
            for raw in loaded.articles:
                if item in feed_entries:
                    apply_feed_metadata(raw, feed_entries[item])
                try:
                    article = to_article(raw, source, chunking=self._chunking)
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
        return articles

    def _prepare(self, articles: Sequence[Article], report: IngestReport, dry_run: bool) -> list[_Chunked]:
        """The articles that need writing, chunked; a dry run counts them and stops there."""
        if not articles:
            return []
        chunked = [
            (plan, chunk_article(plan.article, self.settings.chunk_size, self.settings.chunk_overlap))
            for plan in self._plan(articles, report)
        ]
        if not dry_run:
            return chunked
        for plan, chunks in chunked:
            getattr(report, plan.status).append(_label(plan.article))
            report.chunks_written += len(chunks)
        return []

    def _embed_and_store(self, parsing: _Parsing, report: IngestReport) -> None:
        started = time.perf_counter()
        analyses = parsing.analyses()
        report.timed("parse", started)  # with a parse worker: only the wait, the rest ran beside the model
        started = time.perf_counter()
        batch = self._writes(parsing.chunked, analyses)
        report.timed("embed", started)
        started = time.perf_counter()
        stored, mine = self._store_batch(batch, report)
        report.timed("store", started)
        log.info("stored a batch of %d articles (%d written by this run)", len(stored), len(mine))
        for plan, write in stored:
            if plan.article.article_id not in mine:  # another ingest of the same article got there first
                report.unchanged.append(_label(plan.article))
                continue
            getattr(report, plan.status).append(_label(plan.article))
            report.chunks_written += len(write.chunks)
            report.quotes_written += len(write.quotes)
        if mine:
            self.store.bump_generation()
            if self.on_change is not None:
                self.on_change()

    def _writes(self, chunked: Sequence[_Chunked], analyses: Sequence[Analysis]) -> list[tuple[_Planned, ArticleWrite]]:
        """Each article's chunks and quotes with their vectors, encoded for the whole batch at once."""
        parts = [
            ArticleParts(plan.article.text, chunks, analysis.quotes)
            for (plan, chunks), analysis in zip(chunked, analyses, strict=True)
        ]
        vectors, quote_vectors = chunk_and_quote_vectors(self.embedder, self.quote_embedder, parts)
        writes: list[tuple[_Planned, ArticleWrite]] = []
        offset = quote_offset = 0
        for (plan, chunks), analysis in zip(chunked, analyses, strict=True):
            quotes = analysis.quotes
            chunk_vectors = vectors[offset : offset + len(chunks)]
            these_quote_vectors = quote_vectors[quote_offset : quote_offset + len(quotes)]
            write = ArticleWrite(
                chunks, chunk_vectors, plan.has_other_versions, quotes, these_quote_vectors, analysis.entities
            )
            offset += len(chunks)
            quote_offset += len(quotes)
            writes.append((plan, write))
        return writes

    def _store_batch(
        self, batch: list[tuple[_Planned, ArticleWrite]], report: IngestReport
    ) -> tuple[list[tuple[_Planned, ArticleWrite]], set[str]]:
        """One write for the whole batch; if it fails, article by article, so a bad one fails alone.
        Returns what was stored and the ids of the articles this run wrote first."""
        log.info("writing a batch of %d articles", len(batch))
        try:
            return batch, self._store(batch)
        except (StoreUnavailableError, ReindexRunningError):
            raise
        except Exception as exc:
            if len(batch) == 1:
                self._record_failure(batch[0][0], exc, report)
                return [], set()
            log.warning("batch write of %d articles failed; writing them one by one", len(batch), exc_info=True)
        stored: list[tuple[_Planned, ArticleWrite]] = []
        mine: set[str] = set()
        for item in batch:
            try:
                mine |= self._store([item])
            except (StoreUnavailableError, ReindexRunningError):
                raise
            except Exception as exc:
                self._record_failure(item[0], exc, report)
                continue
            stored.append(item)
        return stored, mine

    def _store(self, batch: list[tuple[_Planned, ArticleWrite]]) -> set[str]:
        self.store.delete_chunks([chunk for plan, _write in batch for chunk in plan.stale_chunk_ids])
        mine = self.store.write_articles([write for _plan, write in batch], self.writer_id)
        # Looked up again now, not at planning: the batch before this one (stored after this one was
        # planned, while it was parsed) may hold an earlier version from the same URL.
        origins = [plan.article.origin for plan, _write in batch if plan.article.origin]
        by_origin = self.store.article_ids_by_origin(origins) if origins else {}
        for plan, _write in batch:
            for replaced in sorted(by_origin.get(plan.article.origin, set()) - {plan.article.article_id}):
                self.store.delete_article(replaced)
        return mine

    @staticmethod
    def _record_failure(plan: _Planned, exc: Exception, report: IngestReport) -> None:
        log.error("storing %s failed", plan.article.article_id, exc_info=exc)
        report.failed.append(
            f"{_label(plan.article)}: could not be stored ({exc.__class__.__name__}: {exc}); "
            "run the ingest again, and report it if it keeps failing"
        )


_Chunked = tuple[_Planned, list[Chunk]]


def apply_feed_metadata(raw: RawArticle, entry: FeedEntry) -> None:
    raw.title = raw.title or entry.title
    raw.published = entry.published or raw.published
    raw.author = entry.author or raw.author
    raw.source = entry.source or raw.source


def _label(article: Article) -> str:
    where = article.url or article.origin
    return f"{article.title} ({where})" if where else article.title
