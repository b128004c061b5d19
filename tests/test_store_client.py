"""The store's client: which failures mean "the archive is unavailable", and that only reads are retried.

The exception types are chromadb 1.5's as observed (see `bot.store.client`); these tests keep them
checked against a real closed port and the embedded client, and use a flaky collection for the retry.
"""

from __future__ import annotations

import signal
import socket
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.errors import StoreUnavailableError
from bot.schema import article_id_of, is_quote_id, quote_id, whole_article_id, with_article
from bot.store import Store, store_location
from bot.store.client import READ_ATTEMPTS, is_missing_collection, worth_retrying
from tests.chroma_server import chroma_server
from tests.conftest import make_settings
from tests.slack_harness import free_port


class Flaky:
    """A collection whose calls fail with a refused connection `failures` times, then go through."""

    def __init__(self, collection: Any, failures: int) -> None:
        self.collection, self.failures, self.calls = collection, failures, 0

    def __getattr__(self, name: str) -> Any:
        real = getattr(self.collection, name)

        def call(*args: Any, **kwargs: Any) -> Any:
            self.calls += 1
            if self.calls <= self.failures:
                raise httpx.ConnectError("[Errno 111] Connection refused")
            return real(*args, **kwargs)

        return call


@pytest.fixture()
def store(tmp_path: Path) -> Store:
    return Store(make_settings(tmp_path / "data"), "local:test-model", check_model=False)


def test_a_server_that_is_not_there_is_unavailable_with_the_transport_error_named(tmp_path: Path) -> None:
    port = free_port()  # nothing listens on it
    settings = make_settings(tmp_path / "data", chroma_host="127.0.0.1", chroma_port=port)
    expected = rf"^the archive \(127.0.0.1:{port}\) is unavailable \(ConnectError\)"
    with pytest.raises(StoreUnavailableError, match=expected):
        Store(settings, "local:test-model")
    assert store_location(settings) == f"chroma server 127.0.0.1:{port}"


def test_a_server_that_accepts_but_never_answers_is_unavailable_not_a_hang(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without the timeouts this test blocks until pytest-timeout fails it."""
    monkeypatch.setattr("bot.store.client.READ_TIMEOUT_S", 0.5)
    with socket.create_server(("127.0.0.1", 0)) as silent:  # accepts (the kernel's backlog), never replies
        port = silent.getsockname()[1]
        settings = make_settings(tmp_path / "data", chroma_host="127.0.0.1", chroma_port=port)
        with pytest.raises(StoreUnavailableError, match=r"is unavailable \((Read|Connect)Timeout\)"):
            Store(settings, "local:test-model")


def test_a_server_that_hangs_after_connecting_fails_a_read_instead_of_blocking_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A real `chroma run`, stopped with SIGSTOP: the kernel still accepts connections, nothing replies.
    Without `_bound_waits` the count below blocks until pytest-timeout fails the test."""
    monkeypatch.setattr("bot.store.client.READ_TIMEOUT_S", 0.5)
    with chroma_server(tmp_path / "chroma") as server:
        settings = make_settings(tmp_path / "data", chroma_host="127.0.0.1", chroma_port=server.port)
        store = Store(settings, "local:test-model", check_model=False)
        assert store.count() == 0
        assert server.process is not None
        server.process.send_signal(signal.SIGSTOP)
        try:
            with pytest.raises(StoreUnavailableError, match=r"is unavailable \((Read|Connect)Timeout\)"):
                store.count()
        finally:
            server.process.send_signal(signal.SIGCONT)


def test_a_server_given_as_a_full_url_is_reached(tmp_path: Path) -> None:
    """CHROMA_HOST may be a URL (chromadb then ignores the port): the heartbeat reads it the same way."""
    with chroma_server(tmp_path / "chroma") as server:
        settings = make_settings(tmp_path / "data", chroma_host=server.url, chroma_port=1)
        assert Store(settings, "local:test-model", check_model=False).count() == 0


def test_a_timeout_is_not_retried_but_a_refused_connection_is() -> None:
    request = httpx.Request("GET", "http://127.0.0.1:1/")
    assert worth_retrying(httpx.ConnectError("refused", request=request))
    assert worth_retrying(httpx.RemoteProtocolError("dropped", request=request))
    assert not worth_retrying(httpx.ReadTimeout("silent", request=request))  # a minute already waited


def test_a_read_rides_out_a_blip(store: Store) -> None:
    flaky = Flaky(store._chunks, failures=READ_ATTEMPTS - 1)
    store._chunks = flaky
    assert store.count() == 0
    assert flaky.calls == READ_ATTEMPTS


def test_a_read_gives_up_quickly_when_the_server_stays_down(store: Store) -> None:
    flaky = Flaky(store._chunks, failures=READ_ATTEMPTS)
    store._chunks = flaky
    started = time.monotonic()
    with pytest.raises(StoreUnavailableError, match=r"unavailable \(ConnectError\)"):
        store.dense_query([0.1] * 4, 3, None)
    assert flaky.calls == READ_ATTEMPTS
    assert time.monotonic() - started < 1.0  # the polite reply must fit Slack's 3-second budget


def test_a_write_is_not_retried(store: Store) -> None:
    flaky = Flaky(store._quotes, failures=1)
    store._quotes = flaky
    with pytest.raises(StoreUnavailableError):
        store.delete_article("a1")
    assert flaky.calls == 1  # a delete or add that reached the server may have landed


def test_a_dropped_collection_is_recognised(store: Store) -> None:
    store._client.delete_collection(store.live_names()[0])
    with pytest.raises(Exception) as raised:
        store._chunks.count()
    assert is_missing_collection(raised.value)


def test_record_ids_are_built_and_read_in_one_place() -> None:
    quote = quote_id("a1", "f" * 64, 3)
    assert is_quote_id(quote) and article_id_of(quote) == "a1"
    assert article_id_of(with_article(quote, "a1r2")) == "a1r2" and is_quote_id(with_article(quote, "a1r2"))
    assert article_id_of(whole_article_id("a1")) == "a1" and not is_quote_id(whole_article_id("a1"))
