"""Fetching article pages over HTTP, safely.

An admin pasting a link must not make the bot read internal services, so by
default only public http(s) addresses are fetched, each redirect is checked
again, and the size, time and content type are bounded.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import httpx

from bot.config import Settings
from bot.errors import LoadError

HTML_TYPES = ("text/html", "application/xhtml+xml")
FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/xml", "text/xml")
MAX_REDIRECTS = 5
FETCHABLE_SCHEMES = ("http", "https")
USER_AGENT = "NewsdeskBot/0.1 (+https://github.com/newsdesk)"


@dataclass(frozen=True)
class Page:
    url: str  # final URL after redirects
    body: bytes
    content_type: str


def _check_address(url: str, allow_private: bool) -> None:
    parts = urlsplit(url)
    if parts.scheme not in FETCHABLE_SCHEMES:
        raise LoadError(unfetchable_scheme_message(url))
    host = parts.hostname
    if not host:
        raise LoadError(f"{url}: the URL has no host name")
    if allow_private:
        return
    try:
        infos = socket.getaddrinfo(host, parts.port or (443 if parts.scheme == "https" else 80))
    except socket.gaierror as exc:
        raise LoadError(f"{url}: cannot resolve host {host} ({exc.strerror}); check the URL") from exc
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if (
            address.is_private
            or address.is_loopback
            or address.is_link_local
            or address.is_reserved
            or address.is_multicast
            or address.is_unspecified
        ):
            raise LoadError(
                f"{url}: refusing to fetch an address on a private network ({address}); "
                "set NEWSDESK_ALLOW_PRIVATE_URLS=true only if you trust it"
            )


def fetch(url: str, settings: Settings, accept: tuple[str, ...] = HTML_TYPES) -> Page:
    """GET a page, following up to 5 redirects, each re-checked; raises LoadError with a one-line reason."""
    current = url
    with httpx.Client(
        timeout=settings.fetch_timeout_s, follow_redirects=False, headers={"User-Agent": USER_AGENT}
    ) as client:
        for _hop in range(MAX_REDIRECTS + 1):
            _check_address(current, settings.allow_private_urls)
            try:
                with client.stream("GET", current) as response:
                    if not response.is_redirect:
                        return _page(url, response, settings, accept)
                    location = response.headers.get("location", "")
                    if not location:
                        raise LoadError(f"{url}: redirect without a location")
                    current = urljoin(current, location)
            except httpx.TimeoutException as exc:
                raise LoadError(f"{url}: no answer within {settings.fetch_timeout_s:g} s; try again later") from exc
            except httpx.HTTPError as exc:
                reason = str(exc) or exc.__class__.__name__
                raise LoadError(f"{url}: cannot connect ({reason}); check the URL") from exc
    raise LoadError(f"{url}: more than {MAX_REDIRECTS} redirects")


def _page(url: str, response: httpx.Response, settings: Settings, accept: tuple[str, ...]) -> Page:
    """The body of a final (non-redirect) answer, refused early when its status, type or size is wrong:
    a page over the size limit is never read past the limit."""
    limit = settings.max_file_bytes
    if response.status_code >= 400:
        raise LoadError(
            f"{url}: the server answered HTTP {response.status_code} {response.reason_phrase}; check the URL"
        )
    content_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type and not content_type.startswith(accept):
        raise LoadError(f"{url}: content type {content_type} is not a web page")
    declared = int(response.headers.get("content-length") or 0)
    if declared > limit:
        raise LoadError(too_big_message(url, declared, settings))
    body = bytearray()
    for block in response.iter_bytes():
        body.extend(block)
        if len(body) > limit:
            raise LoadError(too_big_message(url, len(body), settings))
    return Page(str(response.url), bytes(body), content_type)


def unfetchable_scheme_message(url: str) -> str:
    """For ftp://, file://, s3:// and other URLs, whether typed by a user or reached by a redirect."""
    return f"{url}: only http and https URLs can be fetched"


def too_big_message(name: str, size: int, settings: Settings) -> str:
    return (
        f"{name}: {size / 1024 / 1024:.1f} MB is over the {settings.max_file_mb:g} MB limit "
        "(raise NEWSDESK_MAX_FILE_MB to allow it)"
    )
