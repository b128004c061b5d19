"""Article identity: what makes the same article twice one article.

Canonical URL when known (so a re-fetched, edited page replaces itself), else
a hash of the normalised headline and text. `content_hash` covers everything
stored — the text, the metadata, the analysis revision that reads quotes and
entities from them (ingest/analysis_version.py) and the chunk settings — so any
change to one is an update.
"""

from __future__ import annotations

import hashlib
import json
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from bot.models import Article
from bot.text import normalise_space
from ingest.analysis_version import ANALYSIS_VERSION
from ingest.clean import clean_inline, clean_text
from ingest.loaders import RawArticle, is_url

# Query parameters that say how a reader arrived, not which article: dropped by exact name (any case),
# plus every utm_* parameter. Exact, so ?reference=42 and ?refresh=1 still tell articles apart.
TRACKING_PARAMS = frozenset(
    {
        "fbclid",  # Facebook
        "gclid",  # Google Ads
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",  # Microsoft Ads
        "yclid",  # Yandex
        "twclid",  # X / Twitter
        "igshid",  # Instagram
        "mc_cid",  # Mailchimp
        "mc_eid",
        "_ga",  # Google Analytics cross-domain
        "_gl",
        "mkt_tok",  # Marketo
        "ref",
        "ref_src",
        "ref_url",
        "cmpid",  # campaign ids used by news sites
        "ocid",  # Microsoft Start / MSN
        "smid",  # New York Times share links
        "at_medium",  # BBC
        "at_campaign",
    }
)
TRACKING_PREFIXES = ("utm_",)
_DEFAULT_PORTS = {"http": 80, "https": 443}


def is_tracking_param(name: str) -> bool:
    name = name.lower()
    return name in TRACKING_PARAMS or name.startswith(TRACKING_PREFIXES)


def canonical_url(url: str) -> str:
    """Lower-case scheme and host, no default port, fragment, tracking parameters or trailing slash;
    the other parameters sorted (empty values kept). Idempotent; a value that is not an absolute URL
    is returned stripped."""
    parts = urlsplit(url.strip())
    if not parts.scheme or not parts.netloc:
        return url.strip()
    scheme = parts.scheme.lower()
    query = [
        (key, value) for key, value in parse_qsl(parts.query, keep_blank_values=True) if not is_tracking_param(key)
    ]
    path = parts.path.rstrip("/") or "/"
    host = parts.netloc.lower()
    default_port = _DEFAULT_PORTS.get(scheme)
    if default_port is not None and host.endswith(f":{default_port}"):
        host = host.rsplit(":", 1)[0]
    return urlunsplit((scheme, host, path, urlencode(sorted(query)), ""))


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def article_id_for(url: str, title: str, text: str) -> str:
    if url:
        return "u" + _digest(canonical_url(url))[:16]
    return "h" + _digest(normalise_space(title).lower(), normalise_space(text).lower())[:16]


def article_id_from_user(value: str) -> str:
    """What `newsdesk remove` accepts: an id as listed by `sources`, or the article's URL, canonicalised
    as at ingest (so a link with tracking parameters, a fragment or an upper-case host still matches)."""
    value = value.strip()
    if is_url(value):
        return article_id_for(value, "", "")
    return value


def to_article(
    raw: RawArticle, source_override: str | None = None, *, chunking: tuple[int, int] | None = None
) -> Article:
    """The cleaned article with its id and version hash. `chunking` (size, overlap) is how ingest
    will cut it: part of the version, so re-ingesting after a change of chunk settings re-cuts it."""
    title = clean_inline(raw.title)
    text = clean_text(raw.text)
    url = canonical_url(raw.url) if raw.url else ""
    source = clean_inline(source_override or raw.source)
    author = clean_inline(raw.author)
    published = raw.published.isoformat() if raw.published else ""
    stored = [title, text, source, author, published, url, ANALYSIS_VERSION, *(chunking or ())]
    content_hash = _digest(json.dumps(stored, ensure_ascii=False))
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
