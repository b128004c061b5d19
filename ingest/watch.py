"""`newsdesk watch`: re-read feeds on an interval; ingest only entries that are new or changed."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence

from bot.errors import LoadError, NewsdeskError
from ingest.feeds import FeedState, read_feed
from ingest.pipeline import Ingestor, IngestReport

log = logging.getLogger(__name__)


def ingest_feeds(
    ingestor: Ingestor, feeds: Sequence[str], state: FeedState | None, progress: bool = False
) -> IngestReport:
    """One pass over the feeds; with `state`, entries seen unchanged before are not fetched again."""
    total = IngestReport()
    started = time.perf_counter()
    for feed in feeds:
        try:
            entries = read_feed(feed, ingestor.settings)
        except LoadError as exc:
            total.failed.append(str(exc))
            continue
        fresh = entries if state is None else state.new_or_changed(entries)
        total.unchanged.extend(entry.title or entry.link for entry in entries if entry not in fresh)
        if not fresh:
            continue
        report = ingestor.run([e.link for e in fresh], progress=progress, feed_entries={e.link: e for e in fresh})
        total.merge(report)
        if state is not None:  # a failed entry is retried next run
            state.remember([e for e in fresh if not any(reason.startswith(f"{e.link}:") for reason in report.failed)])
    total.seconds = time.perf_counter() - started
    return total


def watch(
    ingestor: Ingestor,
    feeds: Sequence[str],
    interval_s: float,
    state: FeedState,
    runs: int | None = None,
    echo: Callable[[str], None] = print,
) -> None:
    """Runs forever (or `runs` times); one summary line per run, failures never stop the loop."""
    if not feeds:
        raise NewsdeskError("no feeds to watch; give --feed URL or set NEWSDESK_FEEDS")
    done = 0
    while runs is None or done < runs:
        try:
            report = ingest_feeds(ingestor, feeds, state)
            echo(f"watch: {len(feeds)} feed(s): {report.summary()}")
            for reason in report.failed:
                echo(f"watch: failed: {reason}")
        except NewsdeskError as exc:
            echo(f"watch: run failed: {exc}")
        done += 1
        if runs is None or done < runs:
            time.sleep(interval_s)
