"""The reindex claim: while a reindex copies the archive, writers are refused (see `bot.reindex`).

The claim is `host:pid-nonce@time`, kept in the pointer's metadata and refreshed after every batch.
"""

from __future__ import annotations

import os
import socket
import time
import uuid

from bot.errors import ReindexRunningError

# A reindex refreshes its claim after every batch; a claim older than this was left by a killed
# reindex and no longer blocks writers.
REINDEX_STALE_S = 120.0


def reindex_owner() -> str:
    """host:pid-nonce: a claim whose process is gone from this host is released at once."""
    return f"{socket.gethostname()}:{os.getpid()}-{uuid.uuid4().hex[:6]}"


def live_claim(claim: str) -> str:
    """The claim, or "" when its owner stopped refreshing it or died on this host."""
    if not claim:
        return ""
    owner, _sep, stamp = claim.rpartition("@")
    try:
        fresh = time.time() - float(stamp) < REINDEX_STALE_S
    except ValueError:
        fresh = False
    return claim if fresh and not _dead_here(owner) else ""


def refuse_writes(claim: str) -> ReindexRunningError:
    started = time.strftime("%H:%M:%S", time.localtime(float(claim.rpartition("@")[2])))
    return ReindexRunningError(
        f"a reindex is rebuilding the archive (last progress {started}); "
        "run this again when `newsdesk reindex` has finished"
    )


def _dead_here(owner: str) -> bool:
    host, _sep, rest = owner.partition(":")
    if host != socket.gethostname():
        return False
    try:
        os.kill(int(rest.split("-", 1)[0]), 0)
    except ProcessLookupError:
        return True
    except (ValueError, PermissionError):
        return False
    return False
