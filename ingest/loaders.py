"""One loader per input kind: each turns bytes into `RawArticle`s or one-line errors.

A file may hold many articles (.json, .jsonl) and a bad record fails alone;
every error names the input and says what to do about it.
"""

from __future__ import annotations

import glob
import json
import logging
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from bot.config import Settings
from bot.errors import LoadError
from ingest.fetch import fetch, too_big_message

TEXT_SUFFIXES = {".txt", ".md", ".markdown"}
HTML_SUFFIXES = {".html", ".htm"}
JSON_SUFFIXES = {".json", ".jsonl", ".ndjson"}
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | JSON_SUFFIXES
SUPPORTED_LIST = "txt, md, html, htm, json, jsonl"

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


def is_url(item: str) -> bool:
    return urlsplit(item).scheme in ("http", "https")


def expand_inputs(inputs: Iterable[str]) -> tuple[list[str], list[str]]:
    """Paths, folders (recursive), globs and URLs → (items to load, errors for inputs that match nothing)."""
    items: list[str] = []
    errors: list[str] = []
    for raw in inputs:
        if is_url(raw):
            items.append(raw)
            continue
        path = Path(raw).expanduser()
        if path.is_dir():
            found = sorted(
                str(candidate)
                for candidate in path.rglob("*")
                if candidate.is_file()
                and candidate.suffix.lower() in SUPPORTED_SUFFIXES
                and not any(part.startswith(".") for part in candidate.relative_to(path).parts)
            )
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
    return list(dict.fromkeys(items)), errors


def load(item: str, settings: Settings) -> Loaded:
    """Load one file or URL; never raises for bad input, it reports."""
    try:
        if is_url(item):
            return _load_url(item, settings)
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


def decode_text(name: str, data: bytes) -> str:
    if b"\x00" in data[:8192]:
        raise LoadError(f"{name}: binary file, not text; give {SUPPORTED_LIST} files")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise LoadError(
            f"{name}: not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}); re-save it as UTF-8"
        ) from exc
    if not text.strip():
        raise LoadError(f"{name}: empty file; nothing to ingest")
    return text


def _load_file(path: Path, settings: Settings) -> Loaded:
    suffix = path.suffix.lower()
    name = str(path)
    origin = str(path.resolve())
    if suffix not in SUPPORTED_SUFFIXES:
        raise LoadError(
            f"{name}: {suffix or 'files without an extension'} is not a supported format ({SUPPORTED_LIST})"
        )
    text = _read_text(path, settings)
    if suffix in TEXT_SUFFIXES:
        return Loaded(name, [with_origin(parse_text_article(name, text, markdown=suffix != ".txt"), origin)])
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
    """First non-empty line is the headline unless front matter gives a title."""
    try:
        meta, body = split_front_matter(text.replace("\r\n", "\n"))
    except LoadError as exc:
        raise LoadError(f"{name}: {exc}; fix or remove the --- block") from exc
    title = _string(meta.get("title"))
    if not title:
        lines = body.strip().split("\n")
        first = lines[0].strip()
        title = first.lstrip("#").strip() if markdown else first
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
    import trafilatura

    document = trafilatura.bare_extraction(
        html,
        url=url or None,
        with_metadata=True,
        include_comments=False,
        include_tables=False,
        favor_precision=True,
    )
    text = getattr(document, "text", None) if document is not None else None
    if not text or not text.strip():
        raise LoadError(f"{name}: no article text found in the page; is it an article page?")
    title = _string(getattr(document, "title", ""))
    if not title:
        raise LoadError(f"{name}: the page has no headline")
    page_url = _string(getattr(document, "url", "")) or url
    return RawArticle(
        title=title,
        text=text,
        source=_string(getattr(document, "sitename", "")) or _string(getattr(document, "hostname", "")),
        author=_string(getattr(document, "author", "")),
        published=parse_date(getattr(document, "date", None), name),
        url=page_url,
    )


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
        article.source = urlsplit(page.url).hostname or ""
    return Loaded(url, [article])


def decode_html(name: str, body: bytes) -> str:
    if not body.strip():
        raise LoadError(f"{name}: the page is empty")
    for encoding in ("utf-8", "cp1252"):
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


def parse_date(value: Any, label: str) -> date | None:
    """Dates from front matter, JSON or page metadata; a wrong one is an error, not a silent guess."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)):
        try:
            return datetime.fromtimestamp(float(value)).date()
        except (OverflowError, OSError, ValueError) as exc:
            raise LoadError(f"{label}: date {value!r} is out of range") from exc
    from dateutil import parser as date_parser

    try:
        return date_parser.parse(str(value)).date()
    except (ValueError, OverflowError) as exc:
        raise LoadError(f"{label}: cannot read the date {str(value)[:40]!r}; use YYYY-MM-DD") from exc
