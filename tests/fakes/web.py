"""A loopback HTTP server that serves article pages (and errors) for URL-ingest tests."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from http.server import BaseHTTPRequestHandler

from tests.fakes.loopback import serve_handler


class Pages:
    """path -> (status, content type, body); everything else is 404. A page with `delay_s` is a slow server."""

    def __init__(self) -> None:
        self.routes: dict[str, tuple[int, str, bytes, dict[str, str]]] = {}
        self.delays: dict[str, float] = {}
        self.base_url = ""

    def add(
        self,
        path: str,
        body: str | bytes,
        status: int = 200,
        content_type: str = "text/html; charset=utf-8",
        headers: dict[str, str] | None = None,
        delay_s: float = 0.0,
    ) -> str:
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.routes[path] = (status, content_type, data, headers or {})
        self.delays[path] = delay_s
        return self.base_url + path


@contextmanager
def serve_pages() -> Iterator[Pages]:
    pages = Pages()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            status, content_type, body, headers = pages.routes.get(
                self.path, (404, "text/html", b"<html><body>Not found</body></html>", {})
            )
            if pages.delays.get(self.path):
                time.sleep(pages.delays[self.path])  # the server is slow to answer: the client must time out
            with suppress(ConnectionError):  # a client that timed out has gone away
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

        def log_message(self, *_args: object) -> None:
            return

    with serve_handler(Handler) as base_url:
        pages.base_url = base_url + ""
        yield pages


def unused_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


ARTICLE_HTML = """<!DOCTYPE html>
<html lang="en"><head>
<title>Lavrov meets Annan in Moscow | World News</title>
<meta property="og:title" content="Lavrov meets Annan in Moscow">
<meta name="author" content="Jane Reporter">
<meta property="article:published_time" content="2012-06-02T10:00:00Z">
<link rel="canonical" href="{canonical}">
</head><body>
<nav><a href="/">Home</a> | <a href="/world">World</a> | <a href="/sport">Sport</a></nav>
<article>
<h1>Lavrov meets Annan in Moscow</h1>
<p class="byline">By Jane Reporter</p>
<p>Russian Foreign Minister Sergei Lavrov met the UN envoy Kofi Annan in Moscow on Saturday to discuss the
peace plan for Syria, which both men said remained the only option on the table.</p>
<p>Lavrov told journalists that "the Annan plan has no alternative and we will support it fully", adding that
Moscow would keep talking to all sides of the conflict, including the government in Damascus.</p>
<p>Annan, for his part, said the violence had to stop at once and that observers must be allowed to work
without interference from either the army or the armed opposition groups in the country.</p>
</article>
<aside><h3>You Might Also Like...</h3><ul><li><a href="/x">Ten celebrity diets</a></li></ul></aside>
<footer>Copyright 2012 World News. All rights reserved.</footer>
</body></html>
"""
