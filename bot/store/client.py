"""The Chroma client (embedded, or a server over HTTP), where the archive is, and which failures of it
are an outage rather than a bug.

Failures, as chromadb 1.5.9 raises them (checked against a closed port and a stopped `chroma run`;
tests/test_store_client.py keeps them checked):

- a server that is down: `httpx.ConnectError` from every request, and at construction a `ValueError`
  ("Could not connect to a Chroma server") raised while handling that `httpx.ConnectError`;
- a server that drops the connection without answering: `httpx.RemoteProtocolError`;
  all of these are `httpx.TransportError`;
- a collection that is gone (a reindex dropped it): `chromadb.errors.NotFoundError`, embedded or not;
- a server that accepts but never answers: nothing, for ever (chromadb's httpx client has
  `timeout=None`); `make_client` bounds the waits (`_answers_at_all`, `_bound_waits`), so it is an
  `httpx.ReadTimeout` after READ_TIMEOUT_S.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any, TypeVar

from bot.config import Settings
from bot.errors import ConfigError, StoreUnavailableError

T = TypeVar("T")

# Reads are retried 3 times in all, waiting 0.1 s then 0.2 s: a blip (a restart's refused
# connections, a stale keep-alive socket) is ridden out, and a server that stays down costs a
# question at most ~0.3 s of waiting before the polite "archive unavailable" reply, well inside
# Slack's 3-second budget. Writes are never retried: an add that reached the server may have landed.
READ_ATTEMPTS = 3
READ_FIRST_WAIT_S = 0.1
READ_MAX_WAIT_S = 0.2


# A write of one ingest batch (128 articles) takes a few seconds at most, a read far less: a minute of
# silence from the server is an outage. Connecting is quick or not at all.
READ_TIMEOUT_S = 60.0
CONNECT_TIMEOUT_S = 5.0


def _timeout() -> Any:
    import httpx

    return httpx.Timeout(READ_TIMEOUT_S, connect=CONNECT_TIMEOUT_S)


def _answers_at_all(settings: Settings) -> None:
    """Chroma's heartbeat, with a timeout: building chromadb's client already calls the server, with
    none, so a server that accepts and never replies would hang us right there."""
    import httpx
    from chromadb.api.base_http_client import BaseHTTPClient
    from chromadb.config import APIVersion

    # chromadb's own reading of CHROMA_HOST (a host, or a full URL whose port it keeps) and its API path
    base = BaseHTTPClient.resolve_url(
        settings.chroma_host or "", settings.chroma_ssl, APIVersion.V2, settings.chroma_port
    )
    httpx.get(f"{base}/heartbeat", headers=_auth_headers(settings), timeout=_timeout())


def _bound_waits(client: Any) -> None:
    """chromadb 1.5.9 makes its httpx client with `timeout=None` and offers no setting for it (nor
    accepts another HTTP implementation), so the timeout goes on that client's session:
    tests/test_store_client.py fails if a chromadb upgrade moves it."""
    session = getattr(getattr(client, "_server", None), "_session", None)
    if session is None:
        raise ConfigError("chromadb's HTTP client changed shape: cannot bound its waits; pin chromadb 1.5")
    session.timeout = _timeout()


def server_address(settings: Settings) -> str:
    return f"{settings.chroma_host}:{settings.chroma_port}"


def store_location(settings: Settings) -> str:
    """Where the archive lives, as users are told it (stats, doctor)."""
    if settings.chroma_host:
        return f"chroma server {server_address(settings)}"
    return f"embedded {settings.chroma_path}"


def unavailable(settings: Settings, exc: BaseException) -> StoreUnavailableError:
    """One user-safe sentence for every outage, naming what to check."""
    where = server_address(settings) if settings.chroma_host else "on disk"
    hint = "; check CHROMA_HOST/CHROMA_PORT and that the server runs" if settings.chroma_host else ""
    return StoreUnavailableError(
        f"the archive ({where}) is unavailable ({exc.__class__.__name__}){hint}; try again shortly"
    )


@cache
def transient_errors() -> tuple[type[Exception], ...]:
    """Outages of the transport (imported late: httpx and chromadb take most of a second to import,
    and only a store that is opened needs them)."""
    import httpx

    return (httpx.TransportError,)


def worth_retrying(exc: BaseException) -> bool:
    """A server restarting or a dropped keep-alive connection is worth another try; a server that
    let a whole READ_TIMEOUT_S pass without answering is not (three tries would keep a question
    waiting three minutes)."""
    import httpx

    return isinstance(exc, transient_errors()) and not isinstance(exc, httpx.TimeoutException)


def unavailable_errors() -> tuple[type[Exception], ...]:
    """An outage: the transport's errors (server mode), and OSError for an embedded store's disk."""
    return (*transient_errors(), OSError)


def is_unavailable(exc: BaseException) -> bool:
    return isinstance(exc, unavailable_errors())


def is_missing_collection(exc: BaseException) -> bool:
    """A reindex switched collections and dropped the old ones under a reader."""
    from chromadb.errors import NotFoundError

    return isinstance(exc, NotFoundError)


def retry_read(call: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run an idempotent read, again after a transient transport error (see READ_ATTEMPTS).

    A new `Retrying` per call: its state is per thread, but a read may nest another read."""
    from tenacity import Retrying, retry_if_exception, stop_after_attempt, wait_exponential

    retrying = Retrying(
        stop=stop_after_attempt(READ_ATTEMPTS),
        wait=wait_exponential(multiplier=READ_FIRST_WAIT_S, max=READ_MAX_WAIT_S),
        retry=retry_if_exception(worth_retrying),
        reraise=True,
    )
    return retrying(call, *args, **kwargs)


def make_client(settings: Settings) -> Any:
    """An HttpClient when CHROMA_HOST is set (it checks the server at once), else the embedded store."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings
    from chromadb.errors import ChromaError

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if not settings.chroma_host:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(settings.chroma_path), settings=chroma_settings)
    try:
        _answers_at_all(settings)
        client = chromadb.HttpClient(
            host=settings.chroma_host,
            port=settings.chroma_port,
            ssl=settings.chroma_ssl,
            headers=_auth_headers(settings) or None,
            tenant=settings.chroma_tenant,
            database=settings.chroma_database,
            settings=chroma_settings,
        )
        _bound_waits(client)
        return client
    except unavailable_errors() as exc:
        raise unavailable(settings, exc) from exc
    except ValueError as exc:  # chromadb re-raises a failed connection as ValueError while handling it
        cause = exc.__context__
        if cause is not None and is_unavailable(cause):
            raise unavailable(settings, cause) from exc
        raise
    except ChromaError as exc:  # the server answered: no such tenant or database, or a refused token
        raise ConfigError(
            f"the chroma server {server_address(settings)} refused the client ({exc.__class__.__name__}: {exc}); "
            "check CHROMA_TENANT, CHROMA_DATABASE and CHROMA_AUTH_TOKEN"
        ) from exc


def _auth_headers(settings: Settings) -> dict[str, str]:
    if settings.chroma_auth_token is None:
        return {}
    token = settings.chroma_auth_token.get_secret_value()
    header = settings.chroma_auth_header
    return {header: f"Bearer {token}" if header.lower() == "authorization" else token}
