"""`make bench-scale`'s measurement, end to end on a store of a few hundred chunks.

The real run takes most of an hour; this checks in well under a minute that the bot process,
the watched-for ingest and the report still fit together (a figure missing from the JSON, or an
ingest the bot never finds, would otherwise show only at the end of that hour).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.scale import report, run, save
from tests.conftest import BBC_DIR, EVAL_DIR


@pytest.mark.skipif(not BBC_DIR.is_dir(), reason="the BBC corpus is not here")
def test_scale_run_measures_a_growing_store(tmp_path: Path) -> None:
    results = run(
        BBC_DIR,
        EVAL_DIR / "bbc_dev.jsonl",
        [300, 600],
        tmp_path / "work",
        base_files=3,
        new_count=2,
        question_count=2,
        out=tmp_path,
    )
    assert sorted(results) == [300, 600]
    for size, row in results.items():
        assert row["chunks"] == size  # the held-out articles were deleted after their ingest
        assert row["lexical_chunks"] == size
        assert len(row["hybrid_s"]) == len(row["answer_s"]) == 2
        assert row["peak_rss_mb"] > 0 and row["chroma_disk_mb"] > 0
        ingest = row["ingest"]
        assert ingest["articles"] == 2 and not ingest["full_rebuild"]
        assert ingest["found_after_s"] < 30
    assert not (tmp_path / "work" / "store").exists()  # the big folder is removed; the base is kept
    assert (tmp_path / "scale.json").is_file() and (tmp_path / "scale.png").is_file()
    save(results, tmp_path)
    text = report(results)
    assert "| 600 |" in text and "Past a million chunks" in text
