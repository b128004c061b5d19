"""Reading the evaluation's JSONL files: one record per line, a bad line named by its number."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from bot.errors import NewsdeskError

Record = TypeVar("Record")


def read_records(path: Path, build: Callable[[dict[str, Any]], Record], what: str) -> list[Record]:
    """`build` turns one parsed line into a record; a line that is not JSON, or lacks what `build`
    needs, stops the run with one line naming the file, the line and the problem."""
    records: list[Record] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            records.append(build(json.loads(line)))
        except (ValueError, KeyError, TypeError) as exc:
            raise NewsdeskError(f"{path} line {number}: not {what} ({exc.__class__.__name__}: {exc})") from exc
    return records
