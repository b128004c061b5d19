"""Token counts are tiktoken's o200k_base counts, built offline from the bpe-openai wheel."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import tiktoken.load

from bot.errors import ConfigError
from bot.tokens import (
    O200K_BASE_PATTERN,
    O200K_BASE_SHA256,
    O200K_BASE_SPECIAL_TOKENS,
    count_tokens,
    encoding,
    packaged_rank_file,
    verified_ranks,
)

# Counted with `tiktoken.get_encoding("o200k_base")` (tiktoken 0.14), before the encoding was built here.
KNOWN_COUNTS = [
    ("", 0),
    ("Hello, world!", 4),
    ("What did Churkin say about sanctions?", 9),
    ("crème brûlée — £5 “quoted” 日本語のテキスト", 16),
    ("<|endoftext|> is text here", 10),
    ("  multiple   spaces\n\n\tand tabs\r\n", 8),
    ("1234567890 3.14159 2012-05-01", 16),
    ("emoji 🙂👍🏽 ok", 6),
    ("The quick brown fox " * 50, 201),
]


@pytest.mark.parametrize(("text", "tokens"), KNOWN_COUNTS)
def test_counts_are_tiktokens_o200k_base_counts(text: str, tokens: int) -> None:
    assert count_tokens(text) == tokens


def test_the_encoding_is_o200k_base_as_the_installed_tiktoken_defines_it(monkeypatch: pytest.MonkeyPatch) -> None:
    from tiktoken_ext import openai_public

    requested: dict[str, Any] = {}

    def packaged(blobpath: str, expected_hash: str | None = None) -> dict[bytes, int]:
        requested.update(blobpath=blobpath, expected_hash=expected_hash)
        return verified_ranks(packaged_rank_file())

    monkeypatch.setattr(openai_public, "load_tiktoken_bpe", packaged)
    definition = openai_public.o200k_base()
    assert requested["blobpath"].endswith("/o200k_base.tiktoken")
    assert requested["expected_hash"] == O200K_BASE_SHA256
    assert definition["pat_str"] == O200K_BASE_PATTERN
    assert definition["special_tokens"] == O200K_BASE_SPECIAL_TOKENS


def test_building_the_encoding_fetches_nothing_and_writes_no_tiktoken_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_fetch(blobpath: str) -> bytes:
        raise AssertionError(f"tiktoken was asked to fetch {blobpath}")

    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path / "tiktoken-cache"))
    monkeypatch.setattr(tiktoken.load, "read_file", no_fetch)
    encoding.cache_clear()
    try:
        assert count_tokens("What did Churkin say about sanctions?") == 9
    finally:
        encoding.cache_clear()
    assert not (tmp_path / "tiktoken-cache").exists()


def test_a_rank_file_other_than_the_one_tiktoken_pins_is_refused() -> None:
    rank_file = packaged_rank_file()
    truncated = rank_file[: rank_file.rindex(b"\n", 0, len(rank_file) - 1) + 1]  # the last token gone
    with pytest.raises(ConfigError, match="not the one tiktoken pins"):
        verified_ranks(truncated)
