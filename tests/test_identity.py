"""What makes the same article twice one article: canonical URLs, and `newsdesk remove URL` agreeing with ingest."""

from __future__ import annotations

import pytest

from ingest.identity import article_id_from_user, canonical_url, to_article
from ingest.loaders import RawArticle


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("HTTPS://Example.COM/News/Story", "https://example.com/News/Story"),  # path case is kept
        ("http://example.com:80/a", "http://example.com/a"),
        ("https://example.com:443/a", "https://example.com/a"),
        ("http://example.com:443/a", "http://example.com:443/a"),  # not the default port for http
        ("https://example.com:8443/a", "https://example.com:8443/a"),
        ("https://example.com/a#comments", "https://example.com/a"),
        ("https://example.com/a/", "https://example.com/a"),
        ("https://example.com", "https://example.com/"),
        ("https://example.com/", "https://example.com/"),
        ("https://example.com/a?b=2&a=1", "https://example.com/a?a=1&b=2"),
        ("https://example.com/a?utm_source=x&UTM_Medium=y&utm_campaign=z&id=3", "https://example.com/a?id=3"),
        ("https://example.com/a?fbclid=1&gclid=2&mc_cid=3&mc_eid=4&cmpid=5&ocid=6", "https://example.com/a"),
        ("https://example.com/a?ref=twitter", "https://example.com/a"),
        ("https://example.com/a?reference=42", "https://example.com/a?reference=42"),
        ("https://example.com/a?referrer_id=7&refresh=1", "https://example.com/a?referrer_id=7&refresh=1"),
        ("https://example.com/a?utmost=1", "https://example.com/a?utmost=1"),  # not a utm_ parameter
        ("https://example.com/a?page=&id=3", "https://example.com/a?id=3&page="),  # empty values are kept
        ("  https://example.com/a  ", "https://example.com/a"),
        ("not a url", "not a url"),
    ],
)
def test_canonical_url(given: str, expected: str) -> None:
    assert canonical_url(given) == expected


def test_reference_parameters_are_different_articles() -> None:
    assert canonical_url("https://example.com/story?reference=42") != canonical_url(
        "https://example.com/story?reference=43"
    )
    first = to_article(RawArticle(title="T", text="Body.", url="https://example.com/story?reference=42"))
    second = to_article(RawArticle(title="T", text="Body.", url="https://example.com/story?reference=43"))
    assert first.article_id != second.article_id


def test_canonical_url_is_idempotent() -> None:
    for url in (
        "HTTPS://Example.com:443/a/b/?utm_source=x&q=a+b&z=%2F&id=#top",
        "http://example.com/?ref=x&reference=y",
        "https://example.com/caf%C3%A9?q=caf%C3%A9",
    ):
        once = canonical_url(url)
        assert canonical_url(once) == once


def test_remove_by_url_finds_the_article_however_the_url_is_written() -> None:
    stored = to_article(RawArticle(title="Budget", text="The budget passed.", url="https://example.com/budget?id=9"))
    for typed in (
        "https://example.com/budget?id=9",
        "HTTPS://EXAMPLE.com:443/budget/?utm_source=slack&id=9#top",
        "  https://example.com/budget?fbclid=abc&id=9  ",
    ):
        assert article_id_from_user(typed) == stored.article_id, typed
    assert article_id_from_user(stored.article_id) == stored.article_id
    other = article_id_from_user("https://example.com/budget?reference=9")
    assert other != stored.article_id
