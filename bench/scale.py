"""`make bench-scale`: Newsdesk at the size of a real archive (1,000,000 chunks); not run in CI.

`make bench` stops at 100k chunks, where everything still fits comfortably; this run asks what
a newsroom's archive of a million chunks costs. The store is the BBC corpus (all of it but the
articles held out for the ingest below) replicated under new article ids with jittered vectors,
as `make bench` builds its stores (`bench.run.build_scaled_store`), grown in steps (100k, 300k,
1M) so each step's figures come from one store and the plot shows the growth.

At each step a bot-like process (model + store + lexical index, as `newsdesk` runs; its own
process so its peak RSS is the bot's, not this driver's) opens the store, builds the lexical
index, times hybrid retrieval and full extractive answers (`Newsdesk.ask`, no LLM) over the dev
questions, then watches while this driver writes 100 real held-out articles into the store in
one write, as an ingest batch does: the time from that write returning to the running process
finding every chunk of the 100 by BM25 is the lexical sync figure. Chroma's folder size and the
build time are measured here. Writes docs/scale.json and docs/scale.png; `bench.run` folds them
into docs/BENCHMARKS.md (`python -m bench.run --report-only` rewrites it without re-running).
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.lexical_scale import POLL_SECONDS, _new_article, _rss_mb, start_bot
from bench.probe import time_questions
from bench.run import add_inputs, build_scaled_store, check_inputs, corpus_files, p
from bot.config import Settings
from bot.core import Newsdesk
from bot.embeddings import LocalMiniLM
from bot.lexical import REFRESH_SECONDS
from bot.store import ArticleWrite, Store, embedding_text
from bot.text import query_terms
from ingest.chunk import chunk_article
from ingest.pipeline import Ingestor

CHUNKS = 1_000_000
STEPS = (100_000, 300_000)  # sizes measured on the way to --chunks (the store grows through them)
NEW_ARTICLES = 100  # the ingest whose lexical sync is timed (held out of the replicated base)
QUESTIONS = 60


def _settings(data_dir: Path) -> Settings:
    return Settings(_env_file=None, data_dir=data_dir)  # type: ignore[call-arg]


def du_mb(folder: Path) -> float:
    """Bytes allocated on disk (what `du` reports), not apparent sizes: sqlite and HNSW files are
    preallocated and sparse in places, and the disk a deployment needs is the allocated one."""
    return sum(f.stat().st_blocks * 512 for f in folder.rglob("*") if f.is_file()) / 2**20


# --- the bot side (a subprocess) ----------------------------------------------


def serve(data_dir: Path, questions_file: Path) -> None:
    """Open the store as the bot does, time retrieval and answers, then report when each batch of
    new articles (one JSON line on stdin: their marker terms and chunk count) is findable."""
    started = time.perf_counter()
    desk = Newsdesk(_settings(data_dir))
    desk.embedder.embed_query("warm up")
    load_s = time.perf_counter() - started
    questions = json.loads(questions_file.read_text())
    result = {
        **time_questions(desk, questions),
        "quotes": desk.store.quote_count(),
        "load_s": load_s,
        "rss_after_questions_mb": _rss_mb(),
    }
    print(json.dumps(result), flush=True)
    for line in sys.stdin:
        wanted = json.loads(line)
        print("watching", flush=True)
        while len(desk.lexical.get().search(wanted["terms"], wanted["chunks"] + 1)) < wanted["chunks"]:
            time.sleep(POLL_SECONDS)
        found_at = time.time()
        sync = desk.lexical.last_sync
        print(
            json.dumps({"found_at": found_at, "sync_s": sync.seconds, "added": len(sync.added), "full": sync.full}),
            flush=True,
        )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"rss_mb": _rss_mb(), "peak_rss_mb": peak}), flush=True)


# --- the driver ---------------------------------------------------------------


def base_desk(base_dir: Path, embedder: LocalMiniLM, files: Sequence[str]) -> Newsdesk:
    """The corpus ingested once through the full pipeline (quotes and entities too); an existing
    base in `base_dir` (`--work` kept from an earlier run) is reused: it takes minutes."""
    desk = Newsdesk(_settings(base_dir), embedder)
    marker = base_dir / "ingested.json"
    if not marker.is_file() or json.loads(marker.read_text()).get("files") != len(files):
        started = time.perf_counter()
        report = Ingestor.for_desk(desk).run(list(files), progress=True)
        marker.write_text(
            json.dumps(
                {
                    "files": len(files),
                    "articles": len(files) - len(report.failed),
                    "chunks": desk.store.count(),
                    "quotes": desk.store.quote_count(),
                    "seconds": time.perf_counter() - started,
                }
            )
        )
    return desk


def new_articles(files: Sequence[str], embedder: LocalMiniLM, settings: Settings) -> list[ArticleWrite]:
    """Held-out BBC articles, chunked and embedded ahead so the timed part is the write and the
    sync; each title carries a word no other chunk has (`Zyzzogeton<n>`), which is how the bot
    process tells that all of them are findable."""
    writes = []
    for number, file in enumerate(files):
        article = _new_article(number, Path(file).read_text(errors="replace"))
        chunks = chunk_article(article, settings.chunk_size, settings.chunk_overlap)
        vectors = embedder.embed_documents([embedding_text(article.title, chunk.text) for chunk in chunks])
        writes.append(ArticleWrite(chunks, vectors, replaces_versions=False))
    return writes


def measure(data_dir: Path, questions_file: Path, writes: Sequence[ArticleWrite], model: str) -> dict[str, Any]:
    """One bot process against the store: its latencies and memory, and the write-to-found time of
    `writes` stored in one call while it runs. The written articles are deleted afterwards, so the
    store keeps exactly its replicated chunks for the next step."""
    # The ONNX graph is exported into the data dir on first use, with torch: done here, so the
    # bot's peak RSS is that of a bot restarted on an existing data dir, not of the export.
    LocalMiniLM(cache_dir=data_dir / "models").embed_query("export the model before the bot starts")
    bot, result = start_bot("bench.scale", data_dir, questions_file)
    assert bot.stdin is not None and bot.stdout is not None
    writer = Store(_settings(data_dir), model)
    chunks = sum(len(write.chunks) for write in writes)
    wanted = sorted({term for write in writes for term in query_terms(write.chunks[0].article.title)})
    bot.stdin.write(json.dumps({"terms": [t for t in wanted if t.startswith("zyzzogeton")], "chunks": chunks}) + "\n")
    bot.stdin.flush()
    assert bot.stdout.readline().strip() == "watching"
    started = time.perf_counter()
    writer.write_articles(writes)
    write_s = time.perf_counter() - started
    written_at = time.time()
    found = json.loads(bot.stdout.readline())
    bot.stdin.close()
    result.update(json.loads(bot.stdout.readline()))
    bot.wait(timeout=120)
    result["ingest"] = {
        "articles": len(writes),
        "chunks": chunks,
        "write_s": write_s,
        "found_after_s": found["found_at"] - written_at,
        "sync_s": found["sync_s"],
        "synced_chunks": found["added"],
        "full_rebuild": found["full"],
    }
    for write in writes:
        writer.delete_article(write.chunks[0].article.article_id)
    return result


def run(
    corpus: Path,
    questions: Path,
    sizes: Sequence[int],
    work: Path,
    base_files: int | None = None,
    new_count: int = NEW_ARTICLES,
    question_count: int = QUESTIONS,
    replicate_quotes: bool = False,
    out: Path | None = None,
) -> dict[int, dict[str, Any]]:
    """Grow one store through `sizes`, measuring a bot process at each; returns size -> figures.
    With `out`, the figures so far are saved after every step: a run stopped at 1M keeps 300k's."""
    started_run = time.perf_counter()
    files = corpus_files(corpus, 10**9)
    held_out, base_list = files[-new_count:], files[:-new_count]
    if base_files is not None:
        base_list = base_list[:base_files]
    work.mkdir(parents=True, exist_ok=True)
    lines = [json.loads(line)["question"] for line in questions.read_text().splitlines() if line.strip()]
    questions_file = work / "questions.json"
    questions_file.write_text(json.dumps(lines[:question_count]))
    embedder = LocalMiniLM()
    base = base_desk(work / "base", embedder, base_list)
    writes = new_articles(held_out, embedder, base.settings)
    store_dir = work / "store"
    shutil.rmtree(store_dir, ignore_errors=True)
    results: dict[int, dict[str, Any]] = {}
    built, build_s = 0, 0.0
    for size in sorted(sizes):
        started = time.perf_counter()
        build_scaled_store(base, size, store_dir, start=built, replicate_quotes=replicate_quotes)
        build_s += time.perf_counter() - started
        built = size
        # Replicas are added to Chroma directly, past the change log: the bot builds the lexical
        # index afresh at every step (the first-build figure), as it would on a new data dir.
        shutil.rmtree(store_dir / "lexical", ignore_errors=True)
        row = measure(store_dir, questions_file, writes, base.store.embedding_model)
        row.update(
            {
                "size": size,
                "build_s": build_s,
                "chroma_disk_mb": du_mb(store_dir / "chroma"),
                "chroma_sqlite_mb": (store_dir / "chroma" / "chroma.sqlite3").stat().st_blocks * 512 / 2**20,
                "lexical_disk_mb": du_mb(store_dir / "lexical"),
                "base": json.loads((work / "base" / "ingested.json").read_text()),
                "replicated_quotes": replicate_quotes,
                "wall_s": time.perf_counter() - started_run,
            }
        )
        results[size] = row
        print(_summary(row), file=sys.stderr, flush=True)
        if out is not None:
            save(results, out)
    shutil.rmtree(store_dir, ignore_errors=True)  # gigabytes at 1M chunks; the base is kept for a re-run
    return results


def _summary(row: dict[str, Any]) -> str:
    return (
        f"{row['chunks']:,} chunks: built in {row['build_s']:.0f} s, hybrid p95 {p(row['hybrid_s'], 0.95):.1f} ms, "
        f"answer p95 {p(row['answer_s'], 0.95):.0f} ms, peak RSS {row['peak_rss_mb']:.0f} MB, "
        f"chroma {row['chroma_disk_mb'] / 1024:.2f} GB, {row['ingest']['articles']} articles found "
        f"{row['ingest']['found_after_s']:.2f} s after their write"
    )


# --- the report -----------------------------------------------------------------


def save(results: dict[int, dict[str, Any]], out: Path) -> None:
    """docs/scale.json (read back by `bench.run`'s report) and docs/scale.png."""
    (out / "scale.json").write_text(json.dumps({str(size): row for size, row in results.items()}, indent=1))
    plot(results, out)


def plot(results: dict[int, dict[str, Any]], out: Path) -> None:
    """Latency p50/p95 by store size (left), the bot's peak RSS and Chroma's disk (right)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = sorted(results)
    figure, (left, right) = plt.subplots(1, 2, figsize=(10, 4.6))
    for key, label, colour in (("hybrid_s", "hybrid retrieval", "#1d3557"), ("answer_s", "full answer", "#e63946")):
        for fraction, style in ((0.5, "--"), (0.95, "-")):
            values = [p(results[s][key], fraction) for s in sizes]
            left.plot(sizes, values, style, marker="o", color=colour, label=f"{label} p{round(fraction * 100)}")
    left.set_xscale("log")
    left.set_yscale("log")
    left.set_xlabel("chunks in the store")
    left.set_ylabel("latency (ms)")
    left.set_title(f"Query cost up to {sizes[-1]:,} chunks")
    left.grid(alpha=0.3, which="both")
    left.legend(fontsize=8)
    right.plot(sizes, [results[s]["peak_rss_mb"] / 1024 for s in sizes], marker="o", label="peak RSS of the bot")
    right.plot(sizes, [results[s]["chroma_disk_mb"] / 1024 for s in sizes], marker="s", label="Chroma on disk")
    right.set_xscale("log")
    right.set_xlabel("chunks in the store")
    right.set_ylabel("GB")
    right.set_title("Memory and disk")
    right.grid(alpha=0.3, which="both")
    right.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(out / "scale.png", dpi=120)
    plt.close(figure)


def _per_chunk(first: dict[str, Any], last: dict[str, Any], key: str) -> float:
    """Bytes one more chunk costs (from the smallest to the largest store measured)."""
    span = last["chunks"] - first["chunks"]
    return (last[key] - first[key]) * 2**20 / span if span else float("nan")


def report(results: dict[int, dict[str, Any]]) -> str:
    """The BENCHMARKS.md section: how the run was made, the table, the plot, and what would have to
    change past the largest size, with the per-chunk costs it was measured at."""
    sizes = sorted(results)
    first, last = results[sizes[0]], results[sizes[-1]]
    base, ingest = last["base"], last["ingest"]
    copies = last["chunks"] // max(1, base["chunks"])
    on_the_way = f", measured on the way at {', '.join(f'{size:,}' for size in sizes[:-1])}" if sizes[1:] else ""
    if last.get("replicated_quotes", True):
        quotes = f"Quotes were replicated with their articles ({last['quotes']:,} at the largest size)."
    else:
        quotes = (
            f"Quotes were not replicated (the base's {last['quotes']:,} at every size; `--replicate-quotes` adds "
            "~1.9 per chunk and more than doubles the build), so the memory and disk figures are the chunks'."
        )
    lines = [
        "## Archive scale (`make bench-scale`)",
        "",
        f"One store grown to {sizes[-1]:,} chunks{on_the_way}: the BBC corpus ({base['articles']:,} articles, "
        f"{base['chunks']:,} chunks, {base['quotes']:,} quotes; {ingest['articles']} more held out) ingested once "
        "through the full pipeline, then its chunks replicated under new article ids with vectors jittered by "
        f"N(0, 0.01), as `make bench` builds its stores (each BBC chunk appears ~{copies} times at "
        f"{last['chunks']:,}). {quotes}",
        "",
        "At each size a bot process (its own, so the RSS is the bot's: model, Chroma, lexical index) opens the "
        f"store, builds the lexical index, and answers the {len(last['answer_s'])} dev questions: hybrid retrieval "
        "(dense + BM25 + fusion) as the median of 5 runs per question, the full extractive answer "
        f"(`Newsdesk.ask`, no LLM) once. Then {ingest['articles']} held-out BBC articles ({ingest['chunks']} "
        "chunks, embedded beforehand) are written in one call, as an ingest batch writes them, while the bot runs: "
        "the sync figure is the time from that write returning until the bot finds every one of their chunks by "
        f"BM25 (in brackets the sync's own time; the rest is the bot's {REFRESH_SECONDS:g} s refresh). Chroma on "
        f"disk is the allocated size of its folder. The run took {last['wall_s'] / 60:.0f} min on this machine's "
        f"2 cores, without the base ingest ({base['seconds'] / 60:.0f} min; `--work DIR` keeps the base between "
        "runs); one run on shared cores, so single figures are noisy: read the trend.",
        "",
        "| chunks | hybrid retrieval p50 / p95 ms | (dense / BM25 p95 ms) | full answer p50 / p95 ms "
        "| peak RSS of the bot MB (after the questions) | lexical sync after a 100-article ingest s "
        "| lexical first build s | Chroma on disk GB | build s, cumulative |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for size in sizes:
        row = results[size]
        lines.append(
            f"| {row['chunks']:,} | {p(row['hybrid_s'], 0.5):.1f} / {p(row['hybrid_s'], 0.95):.1f} "
            f"| {p(row['dense_s'], 0.95):.1f} / {p(row['lexical_s'], 0.95):.1f} "
            f"| {p(row['answer_s'], 0.5):.0f} / {p(row['answer_s'], 0.95):.0f} "
            f"| {row['peak_rss_mb']:,.0f} ({row['rss_after_questions_mb']:,.0f}) "
            f"| {row['ingest']['found_after_s']:.2f} ({row['ingest']['sync_s']:.2f}) "
            f"| {row['lexical_build_s']:.0f} | {row['chroma_disk_mb'] / 1024:.2f} | {row['build_s']:,.0f} |"
        )
    rss = _per_chunk(first, last, "rss_after_questions_mb")
    peak = _per_chunk(first, last, "peak_rss_mb")
    disk = _per_chunk(first, last, "chroma_disk_mb")
    build_us = last["lexical_build_s"] / max(1, last["lexical_chunks"]) * 1e6
    growth = last["chunks"] / max(1, first["chunks"])
    split = ""
    if "chroma_sqlite_mb" in last:
        split = (
            f" At {last['chunks']:,} chunks Chroma's {last['chroma_disk_mb'] / 1024:.1f} GB are "
            f"{last['chroma_sqlite_mb'] / 1024:.1f} GB of sqlite (documents, metadata and the trigram full-text "
            f"index Chroma keeps on documents) and {(last['chroma_disk_mb'] - last['chroma_sqlite_mb']) / 1024:.1f} "
            "GB of HNSW files."
        )
    lines += [
        "",
        "![archive scale](scale.png)",
        "",
        f"For {growth:.0f}x the chunks ({first['chunks']:,} → {last['chunks']:,}), hybrid retrieval's p95 went "
        f"{p(first['hybrid_s'], 0.95):.1f} → {p(last['hybrid_s'], 0.95):.1f} ms and the full answer's "
        f"{p(first['answer_s'], 0.95):.0f} → {p(last['answer_s'], 0.95):.0f} ms (p50 "
        f"{p(first['answer_s'], 0.5):.0f} → {p(last['answer_s'], 0.5):.0f} ms): retrieval is a small part of "
        "that growth; the rest is in reading the top articles whole from Chroma (filters on article ids over "
        "a metadata table that grows with the store), encoding their sentences, and the shared cores' noise, "
        "not broken down here. Writing the "
        f"{ingest['articles']} articles took {first['ingest']['write_s']:.1f} s at {first['chunks']:,} chunks and "
        f"{ingest['write_s']:.1f} s at {last['chunks']:,}, and the running bot applied them as their own "
        f"{ingest['synced_chunks']} chunks "
        + (
            "(no full rebuild)"
            if not any(r["ingest"]["full_rebuild"] for r in results.values())
            else "(a full rebuild)"
        )
        + f" in {ingest['sync_s']:.2f} s: the sync does not grow with the archive either. What grows is memory "
        f"(~{rss / 1024:.1f} KB of the bot's RSS per chunk after the questions, ~{peak / 1024:.1f} KB at its "
        f"peak), disk (~{disk / 1024:.1f} KB per chunk) and the lexical first build "
        f"(~{build_us:.0f} µs per chunk).{split}",
        "",
        "### Past a million chunks",
        "",
        f"- **Memory is the first limit.** Embedded Chroma holds the whole HNSW index of each collection it "
        "searches in the bot's process: 384 float32s (1.5 KB) per vector plus the graph's links and its id "
        f"maps, and sqlite's pages. At the ~{rss / 1024:.1f} KB per chunk measured here a bot on 10M chunks needs "
        f"~{rss * 1e7 / 2**30:.0f} GB resident, in every replica, before quotes (~1.9 per chunk in the real "
        "corpus, in a second HNSW index that speaker questions load). Past a few million chunks the store has "
        "to move out of the bot: Chroma as a server (`CHROMA_HOST`, already supported) so replicas share one "
        "copy, and past one machine's memory Chroma's distributed deployment (collections served by query "
        "nodes from object storage), or the archive split into collections by period queried in parallel.",
        f"- **Disk.** ~{disk / 1024:.1f} KB per chunk, mostly sqlite: a row per metadata field (18 per chunk), "
        f"the document twice (as a field and as the trigram index's content) and that index, so "
        f"~{disk * 1e7 / 2**30:.0f} GB at 10M chunks in one sqlite file and one folder per collection, "
        "which backup and `reindex` (a second full copy while it runs) must allow for; the distributed "
        "deployment keeps it in object storage instead.",
        f"- **The lexical index.** Queries stay cheap (BM25 p95 {p(first['lexical_s'], 0.95):.1f} ms at "
        f"{first['chunks']:,}, {p(last['lexical_s'], 0.95):.1f} ms at {last['chunks']:,}; the growth is "
        "tantivy's own search over longer postings, as much on distinct chunks by "
        "`python -m bench.lexical_profile --distinct`) and syncs cost only the new chunks, but a first build reads "
        "every chunk out of "
        "Chroma: "
        + ", ".join(f"{results[s]['lexical_build_s']:.0f} s at {s:,}" for s in sizes)
        + f" ({results[sizes[-2]]['lexical_build_s'] / max(1, results[sizes[-2]]['lexical_chunks']) * 1e6:.0f} "
        f"→ {build_us:.0f} µs per chunk over the last step; `Store` reads them by id after one read of all "
        "the ids: in pages by offset, as up to stop 17, each page skipped the rows before it, and 1,000,000 "
        "records read alone took 34.5 s by offset against 13.9 s by id). At the 1M rate, 10M chunks would take "
        f"~{build_us * 1e7 / 1e6 / 60:.0f} min, paid on a new data dir, after a reindex, or when an index is "
        "older than the change log's 24 h retention. With Chroma as a server each bot process keeps the index "
        "in memory (`LexicalCache` without a cache dir) and builds it at every start, which does not survive "
        "this size: the index needs to be built once and shared (a served index, or one on shared disk that "
        "processes reload), then sharded, e.g. by publication period, searched in parallel and merged by score, "
        "with document frequencies summed over the shards so BM25's idf stays global.",
        f"- **Ingest, not queries, is the slow part of a real archive of this size.** The replicated build "
        f"wrote {last['chunks'] / last['build_s']:.0f} chunks/s into Chroma, but real articles go through "
        f"spaCy and the embedding model first: the base ingest here ran at "
        f"{base['chunks'] / base['seconds']:.0f} chunks/s on the shared cores, so a million real chunks is "
        "hours, and a `reindex` to a new model re-embeds all of them. Bulk loads at this size need the "
        "embedding done in parallel elsewhere (a GPU, or several workers) and written in large batches.",
        f"- **Artefacts of the replicated store.** Every BBC chunk appears ~{copies} times, so BM25 sees that "
        "many equal scores at the top and `LexicalIndex` reads the ids of every hit tied with the k-th to order "
        "them (and searches again when more than k tie): extra id reads at about 0.6 µs each, while the "
        "search itself costs the same on distinct chunks (`python -m bench.lexical_profile`). An answer reads "
        "the top three articles, often copies of one another whose identical sentences are encoded once, so "
        "answers look cheaper than on distinct articles (the bot clears its sentence-vector cache between "
        "questions, not within one). Quotes are not replicated, so the speaker index is not measured at "
        "this size; it follows writes through the change log as the lexical index does "
        "(`bot/answer/speaker_index.py`: on the BBC store's 15,889 quotes a full read took 3.6 s and a "
        "refresh after a one-article write 7 ms), so an ingest batch costs it the batch's articles.",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--serve", nargs=2, type=Path, metavar=("DATA_DIR", "QUESTIONS"), help=argparse.SUPPRESS)
    add_inputs(parser)
    parser.add_argument("--out", type=Path, default=Path("docs"))
    parser.add_argument("--chunks", type=int, default=CHUNKS, help="the largest store (default 1,000,000)")
    parser.add_argument(
        "--steps",
        default=",".join(str(s) for s in STEPS),
        help="smaller sizes measured on the way (comma-separated; those >= --chunks are skipped; '' for none)",
    )
    parser.add_argument("--work", type=Path, help="keep the base and store here (default: a temp dir, deleted)")
    parser.add_argument("--base-files", type=int, help="ingest only this many files as the base (default: all)")
    parser.add_argument(
        "--replicate-quotes",
        action="store_true",
        help="replicate the quotes with their articles (~1.9 per chunk: more than doubles the build time)",
    )
    args = parser.parse_args()
    if args.serve:
        serve(*args.serve)
        return
    check_inputs(parser, args.corpus, args.questions)
    sizes = sorted({int(s) for s in args.steps.split(",") if s.strip() and int(s) < args.chunks} | {args.chunks})
    args.out.mkdir(parents=True, exist_ok=True)
    options: dict[str, Any] = {
        "base_files": args.base_files,
        "replicate_quotes": args.replicate_quotes,
        "out": args.out,
    }
    if args.work:
        results = run(args.corpus, args.questions, sizes, args.work, **options)
    else:
        with tempfile.TemporaryDirectory(prefix="newsdesk-scale-") as temp:
            results = run(args.corpus, args.questions, sizes, Path(temp), **options)
    print(report(results))
    print(f"wall time {results[max(results)]['wall_s'] / 60:.1f} min", file=sys.stderr)


if __name__ == "__main__":
    main()
