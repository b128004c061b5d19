"""One loader per input kind: each turns bytes into `RawArticle`s or one-line errors.

A file may hold many articles (.json, .jsonl) and a bad record fails alone;
every error names the input and says what to do about it.
"""

from __future__ import annotations

import codecs
import glob
import json
import logging
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import yaml

from bot.config import Settings
from bot.errors import LoadError
from ingest.clean import drop_repeated_headline, strip_markdown_headings
from ingest.fetch import FETCHABLE_SCHEMES, fetch, too_big_message, unfetchable_scheme_message

if TYPE_CHECKING:
    from lxml.html import HtmlElement

# Tuples, in the order users read them in messages; SUPPORTED_LIST is built from them so it cannot drift.
TEXT_SUFFIXES = (".txt", ".md", ".markdown")
MARKDOWN_SUFFIXES = (".md", ".markdown")
HTML_SUFFIXES = (".html", ".htm")
JSON_SUFFIXES = (".json", ".jsonl", ".ndjson")
SUPPORTED_SUFFIXES = frozenset(TEXT_SUFFIXES + HTML_SUFFIXES + JSON_SUFFIXES)
SUPPORTED_LIST = ", ".join(suffix.lstrip(".") for suffix in (*TEXT_SUFFIXES, *HTML_SUFFIXES, *JSON_SUFFIXES))

log = logging.getLogger(__name__)


@dataclass
class RawArticle:
    """An article as the input gave it, before cleaning and identity."""

    title: str
    text: str
    source: str = ""
    author: str = ""
    published: date | None = None
    url: str = ""
    origin: str = ""


@dataclass
class Loaded:
    """What one input produced: articles and the one-line reason for each part that failed."""

    name: str
    articles: list[RawArticle] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@dataclass
class Inputs:
    """What the command line named, expanded: items to load, inputs that match nothing, files a folder held
    that are not a supported format (skipped, not failed: the user did not name them)."""

    items: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


_URL_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


def is_url(item: str) -> bool:
    return urlsplit(item).scheme in FETCHABLE_SCHEMES


def has_url_scheme(item: str) -> bool:
    """`ftp://…`, `file://…`, `s3://…` as well as http(s): a URL, never a file path."""
    return bool(_URL_SCHEME.match(item))


def unsupported_format_message(path: Path | str) -> str:
    """The one wording for a file of the wrong kind, named on the command line or found in a folder."""
    suffix = Path(path).suffix
    kind = suffix.lstrip(".").upper() if suffix else "a file without an extension"
    return f"{path}: {kind} is not a supported format ({SUPPORTED_LIST})"


def expand_inputs(inputs: Iterable[str]) -> Inputs:
    """Paths, folders (recursive), globs and URLs → items to load, errors, and a folder's skipped files.

    A folder's hidden files and folders are ignored; its other files of an unsupported kind are
    reported in `skipped`. A file named directly (or matched by a glob, as the shell would expand
    it) is always loaded, so a wrong kind fails with the same line as it is skipped with.
    """
    expanded = Inputs()
    items, errors = expanded.items, expanded.errors
    for raw in inputs:
        if has_url_scheme(raw):
            items.append(raw)  # load() fetches http(s) and refuses other schemes with one line
            continue
        path = Path(raw).expanduser()
        if path.is_dir():
            found: list[str] = []
            for candidate in sorted(path.rglob("*"), key=str):
                if not candidate.is_file() or any(part.startswith(".") for part in candidate.relative_to(path).parts):
                    continue
                if candidate.suffix.lower() in SUPPORTED_SUFFIXES:
                    found.append(str(candidate))
                else:
                    expanded.skipped.append(unsupported_format_message(candidate))
            if not found:
                errors.append(f"{raw}: the folder holds no {SUPPORTED_LIST} files")
            items.extend(found)
        elif path.is_file():
            items.append(str(path))
        elif glob.has_magic(raw):
            matches = sorted(
                match for match in glob.glob(os.path.expanduser(raw), recursive=True) if Path(match).is_file()
            )
            if not matches:
                errors.append(f"{raw}: the pattern matches no files")
            items.extend(matches)
        else:
            errors.append(f"{raw}: no such file, folder or URL")
    expanded.items = list(dict.fromkeys(items))
    return expanded


def load(item: str, settings: Settings) -> Loaded:
    """Load one file or URL; never raises for bad input, it reports."""
    try:
        if is_url(item):
            return _load_url(item, settings)
        if has_url_scheme(item):
            raise LoadError(unfetchable_scheme_message(item))
        return _load_file(Path(item), settings)
    except LoadError as exc:
        return Loaded(item, errors=[str(exc)])
    except (RecursionError, MemoryError, ValueError, TypeError, UnicodeError, OSError) as exc:
        # Hostile or broken input that a parser chokes on fails alone, with a reason, not a traceback.
        log.warning("could not read %s", item, exc_info=True)
        return Loaded(
            item, errors=[f"{item}: could not be read ({exc.__class__.__name__}); is it a valid {SUPPORTED_LIST} file?"]
        )


# --- files -------------------------------------------------------------


def _read_text(path: Path, settings: Settings) -> str:
    name = str(path)
    size = path.stat().st_size
    if size > settings.max_file_bytes:
        raise LoadError(too_big_message(name, size, settings))
    if size == 0:
        raise LoadError(f"{name}: empty file; nothing to ingest")
    data = path.read_bytes()
    return decode_text(name, data)


# Byte-order marks, longest first (the UTF-32 LE mark starts with the UTF-16 LE one).
_BYTE_ORDER_MARKS = (
    (codecs.BOM_UTF32_LE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF8, "utf-8-sig", "UTF-8"),
    (codecs.BOM_UTF16_LE, "utf-16", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16", "UTF-16"),
)
WESTERN_DEFAULT = "cp1252"
# Languages charset-normalizer may see in a Windows-1252 reading for it to be preferred ("Unknown": too
# little text to tell), and how much more doubt (chaos minus coherence, each 0..1) that reading may
# carry than the detector's best. A Czech, Polish or Turkish reading is never overridden.
_WESTERN_LANGUAGES = frozenset(
    {"English", "French", "German", "Spanish", "Portuguese", "Italian", "Dutch", "Danish", "Swedish", "Norwegian"}
    | {"Finnish", "Unknown"}
)
_WESTERN_MARGIN = 0.1
# Without a byte-order mark, a NUL byte in the first 8 KiB means binary: text in the encodings read
# here has none, and 8 KiB is enough to tell without scanning a large file.
_BINARY_SNIFF_BYTES = 8192


def decode_text(name: str, data: bytes) -> str:
    """Bytes of a file → its text, whatever it was saved as; refuses only what is not text.

    A byte-order mark decides (UTF-8, UTF-16, UTF-32); without one, NUL bytes mean binary, then UTF-8
    is tried, then charset-normalizer's readings, best first. When a short file leaves the detector
    unsure (Latin-1 "crème" reads as Central European "crčme" just as well, a lone "£" as Japanese),
    a Windows-1252 reading in a Western European language (or none it can name) is preferred: it is
    the usual encoding of legacy English and Western European text, and a superset of Latin-1's
    printable characters.
    """
    text = _decode(name, data)
    if not text.strip():
        raise LoadError(f"{name}: empty file; nothing to ingest")
    return text


def _decode(name: str, data: bytes) -> str:
    for mark, codec, label in _BYTE_ORDER_MARKS:
        if data.startswith(mark):
            try:
                return data.decode(codec)
            except UnicodeDecodeError as exc:
                raise LoadError(
                    f"{name}: starts with a {label} byte-order mark but is not {label} text; re-save it as UTF-8"
                ) from exc
    if b"\x00" in data[:_BINARY_SNIFF_BYTES]:
        raise LoadError(f"{name}: binary file, not text; give {SUPPORTED_LIST} files")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    for encoding in guess_encodings(data):
        try:
            return data.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
    raise LoadError(f"{name}: binary file, not text in any encoding we know; give {SUPPORTED_LIST} files")


def guess_encodings(data: bytes) -> list[str]:
    """charset-normalizer's plausible encodings for `data`, most likely first (see `decode_text`)."""
    from charset_normalizer import from_bytes

    matches = list(from_bytes(data))
    if not matches:
        return []

    def doubt(match: Any) -> float:
        return float(match.chaos) - float(match.coherence)

    least = doubt(matches[0])
    western = any(
        WESTERN_DEFAULT in match.could_be_from_charset
        and match.language in _WESTERN_LANGUAGES
        and doubt(match) <= least + _WESTERN_MARGIN
        for match in matches
    )
    encodings = ([WESTERN_DEFAULT] if western else []) + [match.encoding for match in matches]
    return list(dict.fromkeys(encodings))


def _load_file(path: Path, settings: Settings) -> Loaded:
    suffix = path.suffix.lower()
    name = str(path)
    origin = str(path.resolve())
    if suffix not in SUPPORTED_SUFFIXES:
        raise LoadError(unsupported_format_message(name))
    text = _read_text(path, settings)
    if suffix in TEXT_SUFFIXES:
        article = parse_text_article(name, text, markdown=suffix in MARKDOWN_SUFFIXES)
        return Loaded(name, [with_origin(article, origin)])
    if suffix in HTML_SUFFIXES:
        return Loaded(name, [with_origin(parse_html_article(name, text, url=""), origin)])
    if suffix == ".json":
        return _records(name, _json_records(name, text))
    return _records(name, _jsonl_records(name, text))


def with_origin(article: RawArticle, origin: str) -> RawArticle:
    article.origin = origin
    return article


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    if not text.startswith("---"):
        return {}, text
    lines = text.split("\n")
    if lines[0].strip() != "---":
        return {}, text
    for position in range(1, len(lines)):
        if lines[position].strip() in ("---", "..."):
            header = "\n".join(lines[1:position])
            try:
                data = yaml.safe_load(header) or {}
            except yaml.YAMLError as exc:
                raise LoadError(f"front matter is not valid YAML ({exc.__class__.__name__})") from exc
            if not isinstance(data, dict):
                raise LoadError("front matter must be a mapping of key: value lines")
            return data, "\n".join(lines[position + 1 :])
    return {}, text


def parse_text_article(name: str, text: str, markdown: bool) -> RawArticle:
    """First non-empty line is the headline unless front matter gives a title (then a first line
    repeating it is dropped). In Markdown, headings lose their `#`s and `===`/`---` underlines."""
    try:
        meta, body = split_front_matter(text.replace("\r\n", "\n"))
    except LoadError as exc:
        raise LoadError(f"{name}: {exc}; fix or remove the --- block") from exc
    if markdown:
        body = strip_markdown_headings(body)
    title = _string(meta.get("title"))
    if title:
        body = drop_repeated_headline(title, body)
    else:
        lines = body.strip().split("\n")
        title = lines[0].strip()
        body = "\n".join(lines[1:])
    if not body.strip():
        raise LoadError(f"{name}: has a headline but no article text")
    return RawArticle(
        title=title,
        text=body,
        source=_string(meta.get("source")),
        author=_string(meta.get("author") or meta.get("authors")),
        published=parse_date(meta.get("date") or meta.get("published"), name),
        url=_string(meta.get("url") or meta.get("link")),
    )


def parse_html_article(name: str, html: str, url: str) -> RawArticle:
    """A page's article text, block by block, and its metadata.

    Each block trafilatura keeps (heading, paragraph, list, quote) becomes its own paragraph, so a
    heading never runs into the sentence after it, and a first block repeating the headline is
    dropped. The source is the page's og:site_name, else the site named after the headline in its
    <title> ("Rail fares to rise | Farm Weekly"), else other site metadata trafilatura finds, else
    the host name (of the page's canonical URL, or of `url`).
    """
    import trafilatura

    tree = trafilatura.load_html(html)
    if tree is None:
        raise LoadError(_no_article_text(name))
    page = _page_names(tree)
    document = _extract_article(name, tree, url)
    headline, site_in_headline = split_site_name(_string(getattr(document, "title", "")), page.og_site_name)
    if not headline:
        raise LoadError(f"{name}: the page has no headline")
    page_url = _string(getattr(document, "url", "")) or url
    text = drop_repeated_headline(headline, _block_text(document))
    if not text.strip():
        raise LoadError(_no_article_text(name))
    return RawArticle(
        title=headline,
        text=text,
        source=_page_source(page, site_in_headline, _string(getattr(document, "sitename", "")), page_url),
        author=_string(getattr(document, "author", "")),
        published=parse_date(getattr(document, "date", None), name),
        url=page_url,
    )


def _no_article_text(name: str) -> str:
    return f"{name}: no article text found in the page; is it an article page?"


@dataclass(frozen=True)
class PageNames:
    """What a page's own markup says it is called, read from the tree rather than from trafilatura's
    metadata: og:site_name is the publisher's own name for the site, and <title> often names the site
    after the headline when the headline trafilatura reports does not."""

    og_site_name: str
    title: str


def _page_names(tree: HtmlElement) -> PageNames:
    return PageNames(
        og_site_name=_string(
            tree.xpath("string((//meta[@property='og:site_name' or @name='og:site_name'])[1]/@content)")
        ),
        title=_string(tree.xpath("string((//head/title | //title)[1])")),
    )


def _extract_article(name: str, tree: HtmlElement, url: str) -> Any:
    """trafilatura's extraction of the article and its metadata. Precision over recall, without
    comments or tables: a missed paragraph costs less than a cookie banner or a reader comment
    stored, and quoted, as the article's words."""
    import trafilatura

    document = trafilatura.bare_extraction(
        tree,
        url=url or None,
        with_metadata=True,
        include_comments=False,
        include_tables=False,
        favor_precision=True,
    )
    if document is None or not _string(getattr(document, "text", None)):
        raise LoadError(_no_article_text(name))
    return document


def _page_source(page: PageNames, site_in_headline: str, metadata_site: str, page_url: str) -> str:
    """The publisher, from the most to the least deliberate statement of it (see `parse_html_article`):
    og:site_name, the site named in the headline, then in <title>, trafilatura's site name, the host."""
    return (
        page.og_site_name
        or site_in_headline
        or split_site_name(page.title, page.og_site_name)[1]
        or _metadata_site_name(metadata_site, page_url)
        or _host_name(page_url)
    )


def _block_text(document: Any) -> str:
    """trafilatura's text with a blank line between blocks (its own text puts one newline everywhere,
    between a heading and a paragraph as between two lines of one paragraph)."""
    body = getattr(document, "body", None)
    if body is None or not len(body):
        return _string(document.text, keep_lines=True)
    from trafilatura.xml import xmltotxt

    blocks = [xmltotxt(element, include_formatting=False).strip() for element in body]
    return "\n\n".join(block for block in blocks if block)


# "Headline | Site", "Headline - Site", "Headline – Site", "Headline — Site": the last separator counts.
_TITLE_SEPARATOR = re.compile(r"\s+(\||-|–|—)\s+(?!.*\s(\||-|–|—)\s)")
# A site name is short ("The Sydney Morning Herald"); a longer run after a dash is more headline.
_SITE_NAME_MAX_WORDS = 5
_SITE_NAME_MAX_CHARS = 40
_NAME_LINKS = {"of", "the", "and", "&", "de", "la", "le", "du", "der", "die", "am", "on", "for", "in"}


def split_site_name(title: str, known_site: str = "") -> tuple[str, str]:
    """'Rail fares to rise | Farm Weekly' → ('Rail fares to rise', 'Farm Weekly'); ('…', '') when no site is named.

    After " | " the rest is always the site; after a dash only when it looks like a name (a few
    capitalised words, or a domain) or is the page's known site name, so "Brexit - what happens next"
    stays whole.
    """
    match = _TITLE_SEPARATOR.search(title)
    if not match:
        return title, ""
    headline, suffix = title[: match.start()].strip(), title[match.end() :].strip()
    if not headline or not suffix:
        return title, ""
    if match.group(1) == "|" or suffix.casefold() == known_site.casefold() or _looks_like_site_name(suffix):
        return headline, suffix
    return title, ""


def _looks_like_site_name(text: str) -> bool:
    if re.fullmatch(r"[\w-]+(\.[\w-]+)+", text):  # a domain: example.co.uk
        return True
    words = text.split()
    if (
        not 1 <= len(words) <= _SITE_NAME_MAX_WORDS
        or len(text) > _SITE_NAME_MAX_CHARS
        or re.search(r"[,;:!?\"“”]|\.$", text)
    ):
        return False
    capitalised = all(word[0].isupper() or word[0].isdigit() for word in words if word not in _NAME_LINKS)
    return capitalised and not text.isdigit()


def _host_name(url: str) -> str:
    host = (urlsplit(url).hostname or "") if url else ""
    return host.removeprefix("www.")


def _metadata_site_name(sitename: str, page_url: str) -> str:
    """trafilatura's site name unless it is a URL or the host name it falls back to (ours is better)."""
    if not sitename or "/" in sitename:
        return ""
    netloc = urlsplit(page_url).netloc.lower().removeprefix("www.") if page_url else ""
    return "" if sitename.lower() in (netloc, _host_name(page_url)) else sitename


def _json_records(name: str, text: str) -> Iterator[tuple[str, Any]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise LoadError(f"{name}: invalid JSON at line {exc.lineno} ({exc.msg}); fix the file") from exc
    if isinstance(data, dict) and isinstance(data.get("articles"), list):
        data = data["articles"]
    if isinstance(data, dict):
        yield name, data
    elif isinstance(data, list):
        for position, record in enumerate(data, 1):
            yield f"{name} record {position}", record
    else:
        raise LoadError(f"{name}: expected an article object or a list of them")


def _jsonl_records(name: str, text: str) -> Iterator[tuple[str, Any]]:
    for number, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        label = f"{name} line {number}"
        try:
            yield label, json.loads(line)
        except json.JSONDecodeError as exc:
            yield label, LoadError(f"{label}: invalid JSON ({exc.msg}); the other lines are still ingested")


def _records(name: str, records: Iterable[tuple[str, Any]]) -> Loaded:
    loaded = Loaded(name)
    for label, record in records:
        try:
            if isinstance(record, LoadError):
                raise record
            loaded.articles.append(parse_record(label, record))
        except LoadError as exc:
            loaded.errors.append(str(exc))
    if not loaded.articles and not loaded.errors:
        loaded.errors.append(f"{name}: holds no articles")
    return loaded


def parse_record(label: str, record: Any) -> RawArticle:
    if not isinstance(record, dict):
        raise LoadError(f"{label}: expected an object with title and text")
    title = _string(record.get("title") or record.get("headline"))
    text = _string(record.get("text") or record.get("body") or record.get("content"), keep_lines=True)
    if not title:
        raise LoadError(f"{label}: missing title")
    if not text:
        raise LoadError(f"{label}: missing text (give text, body or content)")
    return RawArticle(
        title=title,
        text=text,
        source=_string(record.get("source")),
        author=_string(record.get("author") or record.get("authors")),
        published=parse_date(record.get("published") or record.get("date"), label),
        url=_string(record.get("url") or record.get("link")),
    )


# --- URLs --------------------------------------------------------------


def _load_url(url: str, settings: Settings) -> Loaded:
    page = fetch(url, settings)
    html = decode_html(url, page.body)
    article = parse_html_article(url, html, url=page.url)
    if not article.url:
        article.url = page.url
    article.origin = url
    if not article.source:
        article.source = _host_name(page.url)
    return Loaded(url, [article])


def decode_html(name: str, body: bytes) -> str:
    if not body.strip():
        raise LoadError(f"{name}: the page is empty")
    for encoding in ("utf-8", WESTERN_DEFAULT):
        try:
            return body.decode(encoding)
        except UnicodeDecodeError:
            continue
    return body.decode("utf-8", errors="replace")


# --- field helpers -----------------------------------------------------


def _string(value: Any, keep_lines: bool = False) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        value = ", ".join(_string(item) for item in value if item)
    if isinstance(value, dict):
        value = value.get("name", "")
    text = str(value)
    return text.strip() if keep_lines else " ".join(text.split())


# Digits that read as YYYYMMDD[hhmm[ss]] (years 1800-2199) are a compact date, not a timestamp.
_COMPACT_DATE = re.compile(r"^(1[89]|2[01])\d\d(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(\d{4}|\d{6})?$")
# Other numbers, and digit strings of 9 or more digits, are seconds since 1970 (UTC); 1e11 s is the
# year 5138, so a bigger number is milliseconds.
_TIMESTAMP = re.compile(r"^\d{9,}(\.\d+)?$")
_MILLISECONDS_FROM = 100_000_000_000
# A publication date this far past today (UTC) is a mistake; a day or two is a time zone or an embargo.
_FUTURE_SLACK = timedelta(days=2)
# Defaults for parsing a date twice (see _date_from_text): they differ in year, month and day, the
# day exists in every month, and both years are leap years, so "29 February" reads with either.
_FIRST_DEFAULT = datetime(2000, 1, 1)
_SECOND_DEFAULT = datetime(2004, 2, 2)
# Enough of an unreadable date to recognise it in the error line, which must stay one line.
_DATE_SHOWN_CHARS = 40


def parse_date(value: Any, label: str) -> date | None:
    """Dates from front matter, JSON or page metadata; a wrong one is an error, not a silent guess.

    Reads ISO 8601 (also compact: 20240305, 20240305120000), RFC 2822, "12 May 2012" and the like,
    and Unix timestamps (seconds, or milliseconds when too big to be seconds; UTC). A date naming
    only a month ("March 2024", "2024-03") is the 1st of that month and one naming only a year is
    1 January: the start of the period, never today's day or month filled in by the parser. A date
    with no year, or more than two days in the future, raises `LoadError` (as does anything
    unreadable); no date gives None.
    """
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise LoadError(f"{label}: {value!r} is not a date; use YYYY-MM-DD")
    if isinstance(value, datetime):
        found = value.date()
    elif isinstance(value, date):
        found = value
    elif isinstance(value, int | str) and _COMPACT_DATE.match(str(value).strip()):
        found = _date_from_text(str(value).strip(), label)
    elif isinstance(value, int | float) or (isinstance(value, str) and _TIMESTAMP.match(value.strip())):
        found = _date_from_timestamp(value, label)
    else:
        found = _date_from_text(str(value), label)
    if found > datetime.now(UTC).date() + _FUTURE_SLACK:
        raise LoadError(f"{label}: the date {found.isoformat()} is in the future; check it or leave it out")
    return found


def _date_from_timestamp(value: int | float | str, label: str) -> date:
    try:
        seconds = float(value)
        if abs(seconds) >= _MILLISECONDS_FROM:
            seconds /= 1000
        return datetime.fromtimestamp(seconds, UTC).date()
    except (OverflowError, OSError, ValueError) as exc:
        raise LoadError(f"{label}: date {value!r} is out of range") from exc


def _date_from_text(text: str, label: str) -> date:
    from dateutil import parser as date_parser

    # Parsed twice with different defaults: a field that changes with the default was not in the text.
    try:
        first = date_parser.parse(text, default=_FIRST_DEFAULT)
        second = date_parser.parse(text, default=_SECOND_DEFAULT)
    except (ValueError, OverflowError) as exc:
        raise LoadError(f"{label}: cannot read the date {text[:_DATE_SHOWN_CHARS]!r}; use YYYY-MM-DD") from exc
    if first.year != second.year:
        raise LoadError(f"{label}: the date {text[:_DATE_SHOWN_CHARS]!r} has no year; use YYYY-MM-DD")
    if first.month != second.month:
        return date(first.year, 1, 1)
    if first.day != second.day:
        return date(first.year, first.month, 1)
    return date(first.year, first.month, first.day)
