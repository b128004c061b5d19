"""An ingest killed with SIGKILL at random points, then re-run, leaves every article exactly once and whole."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from bot.core import Newsdesk
from bot.embeddings import LocalMiniLM
from bot.store import Meta
from ingest.identity import to_article
from ingest.loaders import load
from tests.conftest import bbc_sample, make_settings

KILLS = 4


def _ingest(data_dir: Path, files_list: Path) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSDESK_", "CHROMA_", "OPENAI_", "SLACK_"))}
    env["NEWSDESK_DATA_DIR"] = str(data_dir)
    files = files_list.read_text().split("\n")
    return subprocess.Popen(
        [str(Path(sys.executable).parent / "newsdesk"), "-v", "ingest", *files, "--json"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _children(pid: int) -> list[int]:
    """Processes whose parent is `pid`, read from /proc (Linux)."""
    found: list[int] = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _running(pid: int) -> bool:
    """Alive and not a zombie waiting to be reaped."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _wait_gone(pids: list[int], timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while any(_running(pid) for pid in pids):
        assert time.monotonic() < deadline, "a killed ingest's parse worker is still running"
        time.sleep(0.1)


def _wait_for_line(process: subprocess.Popen[str], wanted: str) -> None:
    """Reads the ingest's log until a line holds `wanted` (the rest of stderr is drained in the
    background so the process never blocks on a full pipe)."""
    assert process.stderr is not None
    for line in process.stderr:
        if wanted in line:
            threading.Thread(target=process.stderr.read, daemon=True).start()
            return
    raise AssertionError(f"the ingest ended without logging {wanted!r}")


@pytest.mark.slow
def test_sigkill_mid_ingest_then_rerun_leaves_every_article_once_and_whole(
    tmp_path: Path, bbc_dir: Path, embedder: LocalMiniLM, capsys: pytest.CaptureFixture[str]
) -> None:
    # 700 articles in 7 batches: enough that four killed runs cannot finish it, and the suite's longest
    # test (950 took over 4 minutes on a slow run of these 2 cores).
    files = bbc_sample(bbc_dir, 140)
    listing = tmp_path / "files.txt"
    listing.write_text("\n".join(files))
    data_dir = tmp_path / "data"
    rng = random.Random(20261125)
    kills: list[float] = []
    for _ in range(KILLS):
        process = _ingest(data_dir, listing)
        # Killed at a random moment after its first stored batch (whatever the machine's speed), so the
        # kill lands among the writes: before the next batch, or in the middle of writing it.
        _wait_for_line(process, "stored a batch")
        delay = rng.uniform(0.0, 12.0)
        try:
            process.wait(timeout=delay)
        except subprocess.TimeoutExpired:
            workers = _children(process.pid)  # the parse worker (ingest/parse_ahead.py)
            process.send_signal(signal.SIGKILL)
            process.wait()
            kills.append(delay)
            assert workers, "an ingest of 700 articles runs a parse worker"
            _wait_gone(workers)
    assert len(kills) == KILLS, "an ingest finished before its kill: the test would not test crashes"
    final = _ingest(data_dir, listing)
    out, err = final.communicate(timeout=600)
    assert final.returncode == 0, err
    final_report = json.loads(out)
    expected = {to_article(load(f, make_settings(tmp_path)).articles[0]).article_id for f in files}
    stored_by_killed_runs = len(final_report["unchanged"]) - (len(files) - len(expected))  # less in-batch repeats
    # The killed runs stored part of the batch and left part of it for the re-run.
    assert stored_by_killed_runs > 0 and final_report["added"], "the kills did not land inside the ingest's writes"
    desk = Newsdesk(make_settings(data_dir), embedder)
    versions: dict[str, set[str]] = defaultdict(set)
    positions: Counter[tuple[str, int]] = Counter()
    counts: dict[str, int] = {}
    for _cid, _doc, meta in desk.store.iter_chunks(include_documents=False):
        article_id = str(meta[Meta.ARTICLE_ID])
        versions[article_id].add(str(meta[Meta.CONTENT_HASH]))
        positions[(article_id, int(meta[Meta.CHUNK_INDEX]))] += 1
        counts[article_id] = int(meta[Meta.CHUNK_COUNT])
    duplicates = sum(n - 1 for n in positions.values() if n > 1)
    assert set(versions) == expected
    assert all(len(hashes) == 1 for hashes in versions.values())
    assert duplicates == 0
    for article_id, count in counts.items():
        assert {i for (a, i) in positions if a == article_id} == set(range(count))
    chroma_ids = {cid for cid, _d, _m in desk.store.iter_chunks(include_documents=False)}
    assert set(desk.lexical.get().chunk_ids) == chroma_ids
    with capsys.disabled():
        print(
            f"\n[kill test] {len(kills)} SIGKILLs at {', '.join(f'{k:.1f}' for k in kills)} s; final run: "
            f"{len(final_report['added'])} added, {len(final_report['repaired'])} repaired, "
            f"{len(final_report['unchanged'])} unchanged ({stored_by_killed_runs} stored by the killed runs); "
            f"{len(versions)} articles, {len(chroma_ids)} chunks, "
            f"duplicates found: {duplicates}"
        )
