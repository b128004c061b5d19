"""`python -m bench.lexical_scale`: does the lexical index keep up with a growing archive?

For each store size (replicated BBC chunks, built as `make bench` builds them), a bot-like process
(model + store + lexical index, as `newsdesk` runs) opens the store, builds the index once, times
BM25 over the dev questions, and then watches for new articles that this driver writes straight
into Chroma: the time from the write returning to the running process finding the article by BM25
is the figure an archive that gets articles all day cares about. Prints a Markdown table and JSON.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.probe import timed
from bench.run import add_inputs, build_scaled_store, check_inputs, corpus_files, p
from bot.config import Settings
from bot.core import Newsdesk
from bot.embeddings import LocalMiniLM
from bot.lexical import REFRESH_SECONDS
from bot.models import Article
from bot.retrieve import CANDIDATES
from bot.store import ArticleWrite, Store
from bot.text import query_terms
from ingest.chunk import chunk_article
from ingest.pipeline import Ingestor

SIZES = (1_000, 100_000)
BASE_FILES = 300
NEW_ARTICLES = 5
QUESTIONS = 60
POLL_SECONDS = 0.02  # how often the watching process asks (a busy bot: a question every 20 ms)


def _rss_mb() -> float:
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * resource.getpagesize() / 2**20


def serve(data_dir: Path, questions_file: Path) -> None:
    """The bot side: build, time BM25, then report when each watched-for word becomes findable."""
    desk = Newsdesk(Settings(_env_file=None, data_dir=data_dir))  # type: ignore[call-arg]
    desk.embedder.embed_query("warm up")
    started = time.perf_counter()
    view = desk.lexical.get()
    build_s = time.perf_counter() - started
    timings = []
    for question in json.loads(questions_file.read_text()):
        terms = query_terms(question)
        timings.append(timed(lambda: view.search(terms, CANDIDATES)))  # noqa: B023 (called at once)
    print(json.dumps({"build_s": build_s, "lexical_s": timings, "chunks": len(view)}), flush=True)
    for line in sys.stdin:
        terms = query_terms(line)
        print("watching", flush=True)
        while not desk.lexical.get().search(terms, 1):
            time.sleep(POLL_SECONDS)
        found_at = time.time()
        sync = desk.lexical.last_sync
        print(json.dumps({"found_at": found_at, "sync_s": sync.seconds, "added": len(sync.added), "full": sync.full}))
        sys.stdout.flush()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"rss_mb": _rss_mb(), "peak_rss_mb": peak}), flush=True)


def _new_article(number: int, text: str) -> Article:
    """A real BBC text under a title with a word no other chunk has."""
    return Article(f"bench-new-{number}-{time.time_ns()}", f"Zyzzogeton{number} report", text, f"bench{time.time_ns()}")


def start_bot(module: str, data_dir: Path, questions_file: Path) -> tuple[subprocess.Popen[str], dict[str, Any]]:
    """`python -m module --serve DATA_DIR QUESTIONS` as the bot process, and the JSON line it
    prints first (its timings): the driver then talks to it over stdin and stdout."""
    bot = subprocess.Popen(
        [sys.executable, "-m", module, "--serve", str(data_dir), str(questions_file)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert bot.stdin is not None and bot.stdout is not None
    return bot, json.loads(bot.stdout.readline())


def measure(data_dir: Path, questions_file: Path, texts: list[str], base: Newsdesk) -> dict[str, Any]:
    bot, result = start_bot("bench.lexical_scale", data_dir, questions_file)
    assert bot.stdin is not None and bot.stdout is not None
    writer = Store(Settings(_env_file=None, data_dir=data_dir), base.store.embedding_model)  # type: ignore[call-arg]
    arrivals = []
    for number, text in enumerate(texts):
        article = _new_article(number, text)
        chunks = chunk_article(article, 800, 200)
        vectors = base.embedder.embed_documents([f"{article.title}\n{chunk.text}" for chunk in chunks])
        bot.stdin.write(f"Zyzzogeton{number}\n")
        bot.stdin.flush()
        assert bot.stdout.readline().strip() == "watching"
        writer.write_articles([ArticleWrite(chunks, vectors)])
        written_at = time.time()
        found = json.loads(bot.stdout.readline())
        arrivals.append({**found, "seconds": found["found_at"] - written_at, "chunks": len(chunks)})
    bot.stdin.close()
    result.update(json.loads(bot.stdout.readline()))
    bot.wait(timeout=60)
    result["arrivals"] = arrivals
    result["disk_mb"] = sum(f.stat().st_size for f in (data_dir / "lexical").rglob("*") if f.is_file()) / 2**20
    return result


def report(results: dict[int, dict[str, Any]]) -> str:
    sizes = sorted(results)
    lines = [
        "| chunks | lexical p50 / p95 ms | first build s | new article found after, median / max s "
        "| sync of one article s (chunks) | index on disk MB | RSS / peak RSS MB |",
        "|---|---|---|---|---|---|---|",
    ]
    for size in sizes:
        row = results[size]
        seen = [arrival["seconds"] for arrival in row["arrivals"]]
        syncs = [arrival["sync_s"] for arrival in row["arrivals"]]
        chunks = statistics.median(arrival["added"] for arrival in row["arrivals"])
        lines.append(
            f"| {row['chunks']:,} | {p(row['lexical_s'], 0.5):.2f} / {p(row['lexical_s'], 0.95):.2f} "
            f"| {row['build_s']:.1f} | {statistics.median(seen):.2f} / {max(seen):.2f} "
            f"| {statistics.median(syncs):.3f} ({chunks:g}) | {row['disk_mb']:.1f} "
            f"| {row['rss_mb']:.0f} / {row['peak_rss_mb']:.0f} |"
        )
    small, large = results[sizes[0]], results[sizes[-1]]
    growth = p(large["lexical_s"], 0.95) / p(small["lexical_s"], 0.95)
    full = any(arrival["full"] for row in results.values() for arrival in row["arrivals"])
    lines += [
        "",
        f"p95 at {sizes[-1]:,} ÷ p95 at {sizes[0]:,} chunks (target ≤ 2): **{growth:.2f}**. "
        f"A new article is found by a running process within REFRESH_SECONDS = {REFRESH_SECONDS:g} s plus one sync "
        f"(target ≤ 2 s at 100k). Any full rebuild on a write: **{'yes' if full else 'no'}**.",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--serve", nargs=2, type=Path, metavar=("DATA_DIR", "QUESTIONS"), help=argparse.SUPPRESS)
    add_inputs(parser)
    parser.add_argument("--sizes", default=",".join(str(size) for size in SIZES))
    parser.add_argument("--out", type=Path, help="also write the results here as JSON")
    args = parser.parse_args()
    if args.serve:
        serve(*args.serve)
        return
    check_inputs(parser, args.corpus, args.questions)
    sizes = [int(size) for size in args.sizes.split(",")]
    lines = [json.loads(line)["question"] for line in args.questions.read_text().splitlines() if line.strip()]
    files = corpus_files(args.corpus, BASE_FILES + NEW_ARTICLES)
    with tempfile.TemporaryDirectory(prefix="newsdesk-lexical-") as temp:
        work = Path(temp)
        questions_file = work / "questions.json"
        questions_file.write_text(json.dumps(lines[:QUESTIONS]))
        embedder = LocalMiniLM()
        base = Newsdesk(Settings(_env_file=None, data_dir=work / "base"), embedder)  # type: ignore[call-arg]
        ingested = Ingestor.for_desk(base).run(files[:BASE_FILES], progress=True)
        print(f"base: {ingested.chunks_written} chunks from {len(ingested.added)} articles", file=sys.stderr)
        texts = [Path(file).read_text(errors="replace") for file in files[BASE_FILES:]]
        results: dict[int, dict[str, Any]] = {}
        for size in sizes:
            build_scaled_store(base, size, work / f"s{size}")
            results[size] = measure(work / f"s{size}", questions_file, texts, base)
            print(
                f"{size}: {json.dumps({k: v for k, v in results[size].items() if k != 'lexical_s'})}", file=sys.stderr
            )
    if args.out:
        args.out.write_text(json.dumps({str(size): row for size, row in results.items()}, indent=1))
    print(report(results))


if __name__ == "__main__":
    main()
