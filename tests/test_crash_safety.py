"""An ingest killed with SIGKILL at random points, then re-run, leaves every article exactly once and whole."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
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
        [str(Path(sys.executable).parent / "newsdesk"), "ingest", *files, "--json"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.slow
def test_sigkill_mid_ingest_then_rerun_leaves_every_article_once_and_whole(
    tmp_path: Path, bbc_dir: Path, embedder: LocalMiniLM, capsys: pytest.CaptureFixture[str]
) -> None:
    files = bbc_sample(bbc_dir, 190)  # 950 articles, 8 batches (sport/199.txt, not UTF-8, is the 199th)
    listing = tmp_path / "files.txt"
    listing.write_text("\n".join(files))
    data_dir = tmp_path / "data"
    rng = random.Random(20261125)
    kills: list[float] = []
    for _ in range(KILLS):
        process = _ingest(data_dir, listing)
        delay = rng.uniform(18.0, 24.0)  # model loaded by ~8 s; then a batch of 128 files is written every ~11 s
        try:
            process.wait(timeout=delay)
        except subprocess.TimeoutExpired:
            process.send_signal(signal.SIGKILL)
            process.wait()
            kills.append(delay)
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
