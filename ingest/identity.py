"""Article identity: what makes the same article twice one article.

Canonical URL when known (so a re-fetched, edited page replaces itself), else
a hash of the normalised headline and text. `content_hash` covers everything
stored, so any change to text or metadata is an update.
"""

from __future__ import annotations

import hashlib
import json
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from bot.models import Article
from bot.text import normalise_space
from ingest.clean import clean_inline, clean_text
from ingest.loaders import RawArticle

_TRACKING_PARAMS = ("utm_", "fbclid", "gclid", "mc_cid", "mc_eid", "ref", "cmpid", "ocid")


def canonical_url(url: str) -> str:
    """Lower-case scheme and host, no fragment, no tracking parameters, no trailing slash."""
    parts = urlsplit(url.strip())
    if not parts.scheme or not parts.netloc:
        return url.strip()
    query = [
        (key, value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
        if not key.lower().startswith(_TRACKING_PARAMS)
    ]
    path = parts.path.rstrip("/") or "/"
    host = parts.netloc.lower()
    if (host.endswith(":80") and parts.scheme == "http") or (host.endswith(":443") and parts.scheme == "https"):
        host = host.rsplit(":", 1)[0]
    return urlunsplit((parts.scheme.lower(), host, path, urlencode(sorted(query)), ""))


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def article_id_for(url: str, title: str, text: str) -> str:
    if url:
        return "u" + _digest(canonical_url(url))[:16]
    return "h" + _digest(normalise_space(title).lower(), normalise_space(text).lower())[:16]


def article_id_from_user(value: str) -> str:
    """What `newsdesk remove` accepts: an id as listed by `sources`, or the article's URL."""
    value = value.strip()
    if value.startswith(("http://", "https://")):
        return article_id_for(value, "", "")
    return value


def to_article(raw: RawArticle, source_override: str | None = None) -> Article:
    title = clean_inline(raw.title)
    text = clean_text(raw.text)
    url = canonical_url(raw.url) if raw.url else ""
    source = clean_inline(source_override or raw.source)
    author = clean_inline(raw.author)
    published = raw.published.isoformat() if raw.published else ""
    content_hash = _digest(json.dumps([title, text, source, author, published, url], ensure_ascii=False))
    return Article(
        article_id=article_id_for(url, title, text),
        title=title,
        text=text,
        content_hash=content_hash,
        source=source,
        author=author,
        published=raw.published,
        url=url,
        origin="" if url else raw.origin,
    )
