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


# The ingest's own code with smaller batches, so a kill after a few stored batches leaves most of the
# run undone on a fast or a slow machine alike, with a tenth of the production batch's articles.
SMALL_BATCHES = (
    "import sys, ingest.pipeline as p; "
    "p.FIRST_BATCH_FILES, p.FILES_PER_BATCH, p.PARSE_AHEAD_MIN_FILES = 4, 8, 16; "
    "from bot.cli import main; main()"
)


def _ingest(data_dir: Path, files_list: Path) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSDESK_", "CHROMA_", "OPENAI_", "SLACK_"))}
    env["NEWSDESK_DATA_DIR"] = str(data_dir)
    files = files_list.read_text().split("\n")
    return subprocess.Popen(
        [sys.executable, "-c", SMALL_BATCHES, "-v", "ingest", *files, "--json"],
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


class _Log:
    """An ingest's stderr: read line by line up to the kill, and the rest kept by a background reader,
    so the process never blocks on a full pipe and the lines it wrote before it died can be checked."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        assert process.stderr is not None
        self._stderr = process.stderr
        self.read: list[str] = []
        self.rest: list[str] = []
        self._reader = threading.Thread(target=lambda: self.rest.extend(iter(self._stderr.readline, "")), daemon=True)

    def into_second_write(self) -> float:
        """Reads through the run's first stored batch to the start of its next write, and returns how
        long the first write took: the scale, on this machine, of the window the kill aims at."""
        began = wrote = 0.0
        try:
            for line in iter(self._stderr.readline, ""):
                self.read.append(line)
                if "writing a batch" in line:
                    if wrote:
                        return wrote
                    began = time.monotonic()
                elif "stored a batch" in line:
                    wrote = time.monotonic() - began
        finally:
            self._reader.start()
        raise AssertionError("the ingest ended before its second write: " + "".join(self.read[-5:]))

    def stored_after_the_kill(self) -> bool:
        """Whether the second write finished before the kill (its whole log is in once the pipe closes)."""
        self._reader.join(timeout=15)
        return any("stored a batch" in line for line in self.rest)


@pytest.mark.slow
def test_sigkill_mid_ingest_then_rerun_leaves_every_article_once_and_whole(
    tmp_path: Path, bbc_dir: Path, embedder: LocalMiniLM, capsys: pytest.CaptureFixture[str]
) -> None:
    # 75 articles in 10 batches (4, then 8 each). Each killed run stores one batch and is killed inside
    # or just after the next one's write, so four kills store at most four batches and part of a fifth:
    # none can finish the ingest.
    files = bbc_sample(bbc_dir, 15)
    listing = tmp_path / "files.txt"
    listing.write_text("\n".join(files))
    data_dir = tmp_path / "data"
    rng = random.Random(20261125)
    kills: list[float] = []
    cut_writes = 0
    for _ in range(KILLS):
        process = _ingest(data_dir, listing)
        log = _Log(process)
        # The second write holds twice the first's articles. A delay up to half the first write's time
        # lands the kill before the second's first call to Chroma commits or between its calls (the next
        # run repairs that batch); up to the whole time, it landed after the write in 3 runs of 3.
        delay = rng.uniform(0.0, 0.5) * log.into_second_write()
        try:
            process.wait(timeout=delay)
        except subprocess.TimeoutExpired:
            workers = _children(process.pid)  # the parse worker (ingest/parse_ahead.py)
            process.send_signal(signal.SIGKILL)
            process.wait()
            kills.append(delay)
            assert workers, "an ingest of 75 articles in batches of 8 runs a parse worker"
            _wait_gone(workers)
            if not log.stored_after_the_kill():
                cut_writes += 1
    assert len(kills) == KILLS, "an ingest finished before its kill: the test would not test crashes"
    assert cut_writes, "every kill came after its run's second write: none tested a crash inside a write"
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
            f"\n[kill test] {len(kills)} SIGKILLs, {', '.join(f'{k:.1f}' for k in kills)} s into a run's "
            "second write; final run: "
            f"{len(final_report['added'])} added, {len(final_report['repaired'])} repaired, "
            f"{len(final_report['unchanged'])} unchanged ({stored_by_killed_runs} stored by the killed runs); "
            f"{len(versions)} articles, {len(chroma_ids)} chunks, "
            f"duplicates found: {duplicates}; {cut_writes} kills before a write finished"
        )
