"""Feeds (RSS/Atom), `newsdesk watch`, and the safety limits of URL fetching."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import main
from bot.config import Settings
from bot.core import Newsdesk
from bot.embeddings import LocalMiniLM
from bot.errors import LoadError
from bot.state import open_database
from bot.state.feeds import Feeds
from ingest.fetch import fetch
from ingest.pipeline import Ingestor
from ingest.watch import ingest_feeds
from tests.conftest import make_settings
from tests.fakes.web import ARTICLE_HTML, Pages, serve_pages

PAGE = """<html><head><title>{title}</title></head><body><article><h1>{title}</h1>
<p>{body}</p><p>The minister added that the decision was final and would not be reviewed this year.</p>
<p>Opposition parties said they would fight the plan in parliament when it returns next month.</p>
</article></body></html>"""


def rss(pages: Pages, items: list[tuple[str, str, str]]) -> str:
    entries = "".join(
        f"<item><title>{title}</title><link>{pages.base_url}{path}</link><pubDate>{date}</pubDate>"
        f"<author>desk@wire.test (Wire Desk)</author><description>{title}</description></item>"
        for path, title, date in items
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>World Wire</title>{entries}</channel></rss>'


def _serve_feed(
    pages: Pages, dates: tuple[str, str] = ("Mon, 06 Jun 2005 10:00:00 GMT", "Tue, 07 Jun 2005 10:00:00 GMT")
) -> str:
    pages.add("/a", PAGE.format(title="Port strike ends", body="Dockers voted to end the port strike on Monday."))
    pages.add("/b", PAGE.format(title="Rail fares frozen", body="The government froze rail fares for a year."))
    return pages.add(
        "/feed.xml",
        rss(pages, [("/a", "Port strike ends", dates[0]), ("/b", "Rail fares frozen", dates[1])]),
        content_type="application/rss+xml",
    )


def test_ingest_feed_keeps_the_feed_metadata(tmp_path: Path, embedder: LocalMiniLM) -> None:
    desk = Newsdesk(make_settings(tmp_path / "data"), embedder)
    with serve_pages() as pages:
        feed = _serve_feed(pages)
        report = ingest_feeds(Ingestor.for_desk(desk), [feed], None)
    assert len(report.added) == 2 and not report.failed
    by_title = {a.ref.title: a.ref for a in desk.sources()}
    assert by_title["Port strike ends"].published == "2005-06-06"
    assert by_title["Port strike ends"].source == "World Wire"
    assert by_title["Rail fares frozen"].url.endswith("/b")
    assert desk.ask("Who voted to end the port strike?").found


def test_watch_adds_only_what_is_new_or_changed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSDESK_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("NEWSDESK_ALLOW_PRIVATE_URLS", "true")
    runner = CliRunner()
    with serve_pages() as pages:
        feed = _serve_feed(pages)
        first = runner.invoke(main, ["watch", "--feed", feed, "--runs", "1"])
        assert first.exit_code == 0, first.output
        assert "watch: 1 feed(s): 2 added, 0 updated, 0 unchanged, 0 failed" in first.stdout
        second = runner.invoke(main, ["watch", "--feed", feed, "--runs", "1"])
        assert "0 added, 0 updated, 2 unchanged, 0 failed" in second.stdout
        pages.add("/a", PAGE.format(title="Port strike ends", body="Dockers voted on Tuesday to end the strike."))
        _serve_feed_changed = rss(
            pages,
            [
                ("/a", "Port strike ends", "Wed, 08 Jun 2005 09:00:00 GMT"),
                ("/b", "Rail fares frozen", "Tue, 07 Jun 2005 10:00:00 GMT"),
            ],
        )
        pages.add("/feed.xml", _serve_feed_changed, content_type="application/rss+xml")
        third = runner.invoke(main, ["watch", "--feed", feed, "--runs", "1"])
        assert "0 added, 1 updated, 1 unchanged, 0 failed" in third.stdout
    remembered = Feeds(open_database(make_settings(tmp_path / "data"))).fingerprints(
        [f"{pages.base_url}/{p}" for p in "abc"]
    )
    assert sorted(remembered) == [f"{pages.base_url}/a", f"{pages.base_url}/b"]
    listed = json.loads(runner.invoke(main, ["sources", "--json"]).stdout)
    assert len(listed) == 2 and {row["published"] for row in listed} == {"2005-06-08", "2005-06-07"}


def test_a_page_that_is_not_a_feed_fails_with_a_reason(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    with serve_pages() as pages:
        url = pages.add("/x", ARTICLE_HTML.format(canonical="/x"))
        report = ingest_feeds(_IngestorStub(settings), [url], None)  # type: ignore[arg-type]
    assert len(report.failed) == 1 and report.failed[0].startswith(f"{url}: not an RSS or Atom feed")


class _IngestorStub:
    """read_feed fails before any ingest happens, so only settings are needed."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings


def test_fetch_refuses_other_schemes_wrong_types_oversize_and_slow_pages(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, max_file_mb=0.01, fetch_timeout_s=1.0)
    with serve_pages() as pages:
        redirect = pages.add("/r", "", status=302, headers={"Location": "file:///etc/passwd"})
        image = pages.add("/img", b"\x89PNG....", content_type="image/png")
        big = pages.add("/big", "<html>" + "x" * 20000 + "</html>")
        slow = pages.add("/slow", ARTICLE_HTML.format(canonical="/slow"), delay_s=2.0)
        with pytest.raises(LoadError, match=r"^file:///etc/passwd: only http and https URLs can be fetched$"):
            fetch(redirect, settings)
        with pytest.raises(LoadError, match=rf"^{re.escape(image)}: content type image/png is not a web page$"):
            fetch(image, settings)
        with pytest.raises(LoadError, match=rf"^{re.escape(big)}: .* MB is over the 0\.01 MB limit"):
            fetch(big, settings)
        with pytest.raises(LoadError, match=rf"^{re.escape(slow)}: no answer within 1 s; try again later$"):
            fetch(slow, settings)


def test_fetch_refuses_private_addresses_by_default(tmp_path: Path) -> None:
    strict = Settings(_env_file=None, data_dir=tmp_path)  # type: ignore[call-arg]
    for url in ("http://localhost:9/x", "http://10.1.2.3/x", "http://[::1]/x", "http://169.254.169.254/latest"):
        with pytest.raises(LoadError, match=r"refusing to fetch an address on a private network"):
            fetch(url, strict)
